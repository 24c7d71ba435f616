"""README's command summary stays true: every flag it shows is one the command accepts."""

from __future__ import annotations

import re
from pathlib import Path

from .helpers import run

README = Path(__file__).resolve().parents[2] / "README.md"


def command_block() -> str:
    text = README.read_text(encoding="utf-8")
    section = text.split("## The command", 1)[1]
    return re.search(r"```\n(.*?)```", section, re.S).group(1)


def test_every_flag_in_the_readme_command_summary_exists() -> None:
    flags = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]*|-[a-zA-Z])\b", command_block()))
    assert {"--ignore-suppressions", "--disable-ignore-pragma", "--changed-since", "--files-from"} <= flags
    helps = " ".join(run(*command, "--help").stdout for command in (["check"], ["rule"], ["init"], ["bot", "run"]))
    missing = sorted(flag for flag in flags if not re.search(rf"(?<![\w-]){re.escape(flag)}\b", helps))
    assert missing == []


def test_the_readme_shows_at_file_arguments() -> None:
    assert "@FILE" in command_block()
