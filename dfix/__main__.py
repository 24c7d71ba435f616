"""``python -m dfix``: the same command as the ``dfix`` script, for when no script is on PATH."""

from dfix.cli import main

if __name__ == "__main__":
    main(prog_name="dfix")
