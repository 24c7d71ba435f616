"""Shared pieces of the command-line tests: run dfix in process (CliRunner) or as ``python -m dfix``.

The in-process runner is fast and lets tests monkeypatch; the subprocess
proves what a user sees: the entry point, separate streams, exit codes and
no tracebacks.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner, Result

from dfix.cli import main

#: No findings with every rule on.
CLEAN = "FROM debian\nRUN apt-get install -y --no-install-recommends curl\n"
#: One safe fix (DF201 adds -y) and nothing left after it.
FIXABLE = "FROM debian\nRUN apt-get install --no-install-recommends curl\n"
FIXABLE_FIXED = "FROM debian\nRUN apt-get install -y --no-install-recommends curl\n"
#: One finding without a fix (DF204, display-only).
UNFIXABLE = "FROM debian\nRUN apt-get update && rm -rf /var/lib/apt/lists/*\n"
#: One unsafe fix (DF202 --no-install-recommends).
UNSAFE = "FROM debian\nRUN apt-get install -y curl\n"
UNSAFE_FIXED = "FROM debian\nRUN apt-get install --no-install-recommends -y ca-certificates curl\n"
#: Only an info finding (DF001 unused suppression, safe fix).
INFO_ONLY = "FROM debian\n# dfix: ignore[DF201]\nRUN apt-get install -y --no-install-recommends curl\n"
#: BuildKit refuses it: the error points at the heredoc's opening line.
BAD = "FROM debian\nRUN <<EOF\necho never ends\n"

#: The rules these tests are written against. New rules keep arriving (and may
#: fire on any small Dockerfile), so the tests pin the selection through a
#: user-level config file; tests of configuration replace or bypass it.
PINNED_RULES = ("DF000", "DF001", "DF100", "DF200", "DF201", "DF202", "DF204", "DF210", "DF220", "DF221", "DF624")


def pin_rules(config_home: Path) -> Path:
    """Write ``$XDG_CONFIG_HOME/dfix/dfix.toml`` selecting :data:`PINNED_RULES`; the config home."""
    config = config_home / "dfix" / "dfix.toml"
    config.parent.mkdir(parents=True, exist_ok=True)
    config.write_text("[lint]\nselect = [" + ", ".join(f'"{code}"' for code in PINNED_RULES) + "]\n")
    return config_home


#: Variables that change dfix's output or configuration; tests set them explicitly.
LEAKY_VARIABLES = ("NO_COLOR", "FORCE_COLOR", "CI", "DFIX_CONFIG", "DFIX_OUTPUT_FORMAT")


def module_env(**extra: str) -> dict[str, str]:
    """The environment for a dfix subprocess: this one, minus colour, CI and config variables."""
    env = {key: value for key, value in os.environ.items() if key not in LEAKY_VARIABLES}
    env.update(extra)
    return env


def run(*args: str, input: bytes | str | None = None, cwd: Path | None = None, env: dict[str, str] | None = None) -> Result:
    """Run ``dfix ARGS`` in process, stdout and stderr kept apart as a shell sees them."""
    runner = CliRunner(env=env)
    previous = os.getcwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        return runner.invoke(main, list(args), input=input, catch_exceptions=False, prog_name="dfix")
    finally:
        os.chdir(previous)


def run_module(
    *args: str, input: bytes | None = None, cwd: Path | None = None, env: dict[str, str] | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """Run ``python -m dfix ARGS`` as a real process; bytes out."""
    return subprocess.run(
        [sys.executable, "-m", "dfix", *args], input=input, cwd=cwd, capture_output=True, timeout=timeout,
        env=module_env(**(env or {})),
    )


def write_tree(root: Path, files: dict[str, str | bytes]) -> Path:
    """Create ``files`` (relative path -> text or bytes) under ``root``."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_bytes(content.encode())
    return root
