"""What a one-file run pays before it reads the file: no bot, parser tables loaded rather than built."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .helpers import module_env


def _python(code: str, **env: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=module_env(**env), check=True
    )
    return done.stdout


def test_the_check_command_does_not_load_the_bot() -> None:
    out = _python(
        "import sys, dfix.cli\n"
        "from click.testing import CliRunner\n"
        "CliRunner().invoke(dfix.cli.main, ['check', '--help'])\n"
        "print(sorted(m for m in ('git', 'dfix.bot', 'dfix.bot.cli') if m in sys.modules))\n"
    )
    assert out.strip() == "[]"


def test_the_bot_command_still_loads_and_is_listed() -> None:
    out = _python(
        "import dfix.cli\n"
        "from click.testing import CliRunner\n"
        "print(CliRunner().invoke(dfix.cli.main, ['--help']).output)\n"
        "print(CliRunner().invoke(dfix.cli.main, ['bot', '--help']).output)\n"
    )
    assert "  bot " in out
    assert "dfix bot run" in out


def test_parsing_needs_neither_lark_nor_a_cache_folder(tmp_path: Path) -> None:
    """The parse tables ship with the package: nothing is built, written or read from a cache at run time."""
    cache = tmp_path / "cache"
    out = _python(
        "import sys, dfix\n"
        "print(dfix.parse('FROM a\\nRUN b\\n').code == 'FROM a\\nRUN b\\n', 'lark' in sys.modules)\n",
        XDG_CACHE_HOME=str(cache),
    )
    assert out.split() == ["True", "False"]
    assert not cache.exists()
