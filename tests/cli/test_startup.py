"""What a one-file run pays before it reads the file: no bot, parser tables loaded rather than built."""

from __future__ import annotations

import os
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


def test_parser_tables_are_cached_in_the_users_cache_folder(tmp_path: Path) -> None:
    code = "import dfix; print(dfix.parse('FROM a\\nRUN b\\n').code == 'FROM a\\nRUN b\\n')"
    cache = tmp_path / "cache"
    assert _python(code, XDG_CACHE_HOME=str(cache)).strip() == "True"
    tables = list((cache / "dfix").glob("parser-tables-*.pickle"))
    assert len(tables) == 1 and tables[0].stat().st_size > 0
    assert _python(code, XDG_CACHE_HOME=str(cache)).strip() == "True"  # loaded from the cache
    tables[0].write_bytes(b"not a cache\n")  # a damaged file is rebuilt, never fatal
    assert _python(code, XDG_CACHE_HOME=str(cache)).strip() == "True"
    off = tmp_path / "off"
    assert _python(code, XDG_CACHE_HOME=str(off), DFIX_NO_PARSER_CACHE="1").strip() == "True"
    assert not (off / "dfix").exists()
    unwritable = tmp_path / "unwritable"
    unwritable.write_text("a file where the folder would go")
    assert _python(code, XDG_CACHE_HOME=str(unwritable)).strip() == "True"
    assert os.path.isfile(unwritable)
