"""What a one-file run pays before it reads the file: no bot, parser tables loaded rather than built."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

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


#: Libraries a one-file check must not load: the bot's (GitPython), the registry client's
#: (httpx, TLS) and resolver's, the progress bar's and colour's (rich), the table builder
#: (Lark), YAML, TOML (no configuration file here), the worker pool's, the ignore-file matcher's.
HEAVY = (
    "git", "httpx", "ssl", "rich", "lark", "yaml", "tomllib", "multiprocessing", "concurrent.futures.process",
    "pathspec", "dfix.bot", "dfix.registry.client", "dfix.registry.resolve", "dfix.registry.cache",
)

_CHECK_ONE_FILE = (
    "import sys\n"
    "from dfix.cli import main\n"
    "try:\n"
    "    main({args!r}, standalone_mode=False)\n"
    "except SystemExit:\n"
    "    pass\n"
    "print(','.join(sorted(m for m in {heavy!r} if m in sys.modules)))\n"
    "print(','.join(sorted(m.rsplit('.', 1)[1] for m in sys.modules if m.startswith('dfix.transforms.') "
    "and not m.rsplit('.', 1)[1].startswith('_'))))\n"
)


def _loaded_after(tmp_path: Path, *args: str) -> tuple[list[str], list[str]]:
    """(heavy modules, rule modules) loaded by ``dfix ARGS`` on one Dockerfile, run in a fresh interpreter."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian:12\nRUN apt-get update && apt-get install -y curl\nCOPY . /app\n")
    code = _CHECK_ONE_FILE.format(args=[*args, "--isolated", "--progress", "none", str(dockerfile)], heavy=HEAVY)
    heavy, rules = _python(code, XDG_CONFIG_HOME=str(tmp_path / "config"), NO_COLOR="1").splitlines()[-2:]
    return [name for name in heavy.split(",") if name], [name for name in rules.split(",") if name]


def test_a_json_check_of_one_file_loads_no_heavy_library(tmp_path: Path) -> None:
    heavy, rules = _loaded_after(tmp_path, "check", "--output-format", "json")
    assert heavy == [], f"a one-file check imported {heavy}: import them where they are needed"
    assert "apt_lists_not_removed" in rules


@pytest.mark.parametrize("mode", [(), ("--diff",), ("--diff", "--unsafe-fixes")])
def test_plain_text_does_not_load_rich(tmp_path: Path, mode: tuple[str, ...]) -> None:
    heavy, _rules = _loaded_after(tmp_path, "check", "--color", "never", *mode)
    assert heavy == []


def test_a_selection_loads_only_its_rules(tmp_path: Path) -> None:
    heavy, rules = _loaded_after(tmp_path, "check", "--output-format", "json", "--select", "DF200")
    assert heavy == []
    assert rules == ["apt_lists_not_removed"]


def test_the_report_document_and_the_summary_share_one_findings_list(tmp_path: Path) -> None:
    """Each file's findings are worked out once for the summary and the document together."""
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text("FROM debian:12\nRUN apt-get update && apt-get install -y curl\n")
    out = _python(
        "import sys\n"
        "from dfix.cli import main\n"
        "from dfix.report import _model\n"
        "calls = []\n"
        "original = _model._file_findings\n"
        "_model._file_findings = lambda result: calls.append(result.path) or original(result)\n"
        "try:\n"
        f"    main(['check', '--isolated', '--progress', 'none', {str(dockerfile)!r}], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(len(calls))\n",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    assert out.splitlines()[-1] == "1"


def test_a_worker_pool_inherits_the_parse_tables_and_the_bash_parser(tmp_path: Path) -> None:
    """The parent loads them before forking, so no worker builds them again."""
    out = _python(
        "import sys\n"
        "from pathlib import Path\n"
        "from dfix import process\n"
        "from dfix.config import default_settings\n"
        "from dfix.shell.parse import bash_parser\n"
        "from dfix.syntax import parser\n"
        f"folder = Path({str(tmp_path)!r})\n"
        "paths = []\n"
        "for name in ('a', 'b', 'c'):\n"
        "    (folder / name).mkdir()\n"
        "    (folder / name / 'Dockerfile').write_text('FROM debian\\nRUN apt-get install -y curl\\n')\n"
        "    paths.append(str(folder / name / 'Dockerfile'))\n"
        "settings = default_settings(cwd=folder)\n"
        "tasks = [process.task_for(path, 'check', settings) for path in paths]\n"
        "assert parser._parser.cache_info().currsize == 0 and bash_parser.cache_info().currsize == 0\n"
        "results = list(process.process_all(tasks, 2))\n"
        "print(len(results), parser._parser.cache_info().currsize, bash_parser.cache_info().currsize)\n",
        XDG_CONFIG_HOME=str(tmp_path / "config"),
    )
    assert out.split() == ["3", "1", "1"]


def test_a_rule_explained_as_plain_text_loads_no_rich(tmp_path: Path) -> None:
    """Piped or without colour, ``dfix rule`` lays the text out itself: rich and its Markdown are for terminals."""
    out = _python(
        "import sys\n"
        "from dfix.cli import main\n"
        "try:\n"
        "    main(['rule', 'DF200'], standalone_mode=False)\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in ('rich', 'markdown_it', 'pygments') if m in sys.modules))\n",
        XDG_CONFIG_HOME=str(tmp_path / "config"), NO_COLOR="1",
    )
    assert "Aliases: DL3009" in out
    assert out.splitlines()[-1] == "[]"


def test_the_pinning_rules_load_without_the_resolver(tmp_path: Path) -> None:
    """The pinning rules load with every check; the resolver only when a rule is told to ask a registry."""
    heavy, rules = _loaded_after(tmp_path, "check", "--output-format", "json")
    assert heavy == []
    assert "base_image_latest" in rules


def test_the_version_loads_no_engine(tmp_path: Path) -> None:
    """``dfix --version`` needs click and the version string, not the engine, the tree or the settings."""
    for args in (["--version"], ["-V"]):
        out = _python(
            "import sys\n"
            "from dfix.cli import main\n"
            "try:\n"
            f"    main({args!r}, standalone_mode=False)\n"
            "except SystemExit:\n"
            "    pass\n"
            "print(sorted(m for m in ('dfix.engine', 'dfix.syntax', 'dfix.config', 'dfix.process', 'dfix.shell') "
            "if m in sys.modules))\n",
            XDG_CONFIG_HOME=str(tmp_path / "config"),
        )
        assert out.splitlines()[-1] == "[]", args


def test_the_package_front_offers_the_syntax_layers_names_without_loading_it() -> None:
    out = _python(
        "import sys, dfix\n"
        "loaded = 'dfix.syntax' in sys.modules or 'dfix.engine' in sys.modules\n"
        "import dfix.syntax\n"
        "print(loaded, sorted(dfix._SYNTAX_NAMES) == sorted(dfix.syntax.__all__), "
        "all(getattr(dfix, name) is getattr(dfix.syntax, name) for name in dfix.syntax.__all__), "
        "dfix.fix is __import__('dfix.engine').engine.fix)\n"
    )
    assert out.split() == ["False", "True", "True", "True"]
