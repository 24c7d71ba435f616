"""``--ignore-suppressions`` (``--disable-ignore-pragma``), ``lint.honor-suppressions`` and ``lint.foreign-suppressions``.

With suppressions ignored, every finding is reported (and fixed) as if the
comments were absent, and the comments themselves are neither judged (no
DF001) nor deleted: central policy must not rewrite what a repository wrote
(ux.md §4, §5, §6).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .helpers import FIXABLE, INFO_ONLY, PINNED_RULES, run, run_module, write_tree

SELECT = "[lint]\nselect = [" + ", ".join(f'"{code}"' for code in PINNED_RULES) + "]\n"

#: One file per dialect, each silencing the DF201 finding of FIXABLE (no folder named ``dfix``:
#: ``python -m dfix`` would import it).
SUPPRESSED = {
    "own/Dockerfile": "FROM debian\n# dfix: ignore[DF201] -- vendor script answers itself\n"
                       "RUN apt-get install --no-install-recommends curl\n",
    "hadolint/Dockerfile": "FROM debian\n# hadolint ignore=DL3014\nRUN apt-get install --no-install-recommends curl\n",
    "buildkit/Dockerfile": "# check=skip=all\nFROM debian\nRUN apt-get install --no-install-recommends curl\n",
}


def fixed(text: str) -> str:
    return text.replace("install --no", "install -y --no")


def findings(result) -> list[tuple[str, str]]:
    """(path, code) of each concise finding line."""
    out = []
    for line in result.stdout.splitlines():
        location, _, rest = line.partition(": ")
        out.append((Path(location.split(":")[0]).as_posix(), rest.split(" ")[0]))
    return out


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path / "project", SUPPRESSED)


def test_suppressions_are_honoured_by_default(project: Path) -> None:
    result = run("--output-format", "concise", cwd=project)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""


@pytest.mark.parametrize("flag", ["--ignore-suppressions", "--disable-ignore-pragma"])
def test_ignoring_suppressions_reports_every_dialect_as_if_absent(project: Path, flag: str) -> None:
    result = run("--output-format", "concise", flag, cwd=project)
    assert result.exit_code == 1
    assert findings(result) == [
        ("buildkit/Dockerfile", "DF201"), ("hadolint/Dockerfile", "DF201"), ("own/Dockerfile", "DF201"),
    ]


def test_write_ignoring_suppressions_fixes_what_they_silenced_and_keeps_every_comment(project: Path) -> None:
    result = run("--write", "--ignore-suppressions", "--unsafe-fixes", "--select", "DF001,DF201", cwd=project)
    assert result.exit_code == 0, result.output
    for name, text in SUPPRESSED.items():
        assert (project / name).read_text() == fixed(text)  # the comment line is still there
    assert "DF001" not in result.output


def test_diff_ignoring_suppressions_has_the_fix_and_removes_no_comment(project: Path) -> None:
    result = run("--diff", "--ignore-suppressions", cwd=project)
    assert result.exit_code == 1
    assert result.stdout.count("+RUN apt-get install -y --no-install-recommends curl") == 3
    removed = [line for line in result.stdout.splitlines() if line.startswith("-") and not line.startswith("---")]
    assert all(line.startswith("-RUN ") for line in removed)


def test_unused_suppressions_are_neither_reported_nor_removed_when_ignored(tmp_path: Path) -> None:
    hadolint_unused = INFO_ONLY.replace("# dfix: ignore[DF201]", "# hadolint ignore=DL3014")
    write_tree(tmp_path, {"a/Dockerfile": INFO_ONLY, "b/Dockerfile": hadolint_unused})
    honoured = run("--output-format", "concise", cwd=tmp_path)
    assert [code for _, code in findings(honoured)] == ["DF001", "DF001"]
    ignored = run("--output-format", "concise", "--ignore-suppressions", cwd=tmp_path)
    assert (ignored.exit_code, ignored.stdout) == (0, "")
    written = run("--write", "--unsafe-fixes", "--ignore-suppressions", cwd=tmp_path)
    assert written.exit_code == 0
    assert (tmp_path / "a" / "Dockerfile").read_text() == INFO_ONLY
    assert (tmp_path / "b" / "Dockerfile").read_text() == hadolint_unused
    assert "0 changed" in written.stderr
    removed = run("--write", "--unsafe-fixes", cwd=tmp_path)  # honoured, both comments go
    assert (removed.exit_code, "2 changed" in removed.stderr) == (0, True)
    assert "# " not in (tmp_path / "a" / "Dockerfile").read_text() + (tmp_path / "b" / "Dockerfile").read_text()


def test_config_key_turns_suppressions_off_for_its_folder_only(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "central/.dfix.toml": SELECT + "honor-suppressions = false\n",
        "central/Dockerfile": SUPPRESSED["own/Dockerfile"],
        "team/Dockerfile": SUPPRESSED["own/Dockerfile"],
    })
    result = run("--output-format", "concise", cwd=tmp_path)
    assert findings(result) == [("central/Dockerfile", "DF201")]
    assert result.exit_code == 1


def test_config_key_in_pyproject_and_through_config_option(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "policy.toml": SELECT + "honor-suppressions = false\n",
        "pyproject.toml": "[tool.dfix.lint]\nhonor-suppressions = false\nselect = [\"DF201\"]\n",
        "Dockerfile": SUPPRESSED["hadolint/Dockerfile"],
    })
    assert findings(run("--output-format", "concise", cwd=tmp_path)) == [("Dockerfile", "DF201")]
    (tmp_path / "pyproject.toml").unlink()
    assert run("--output-format", "concise", cwd=tmp_path).stdout == ""
    via_option = run("--output-format", "concise", "--config", "policy.toml", cwd=tmp_path)
    assert findings(via_option) == [("Dockerfile", "DF201")]


def test_a_wrong_value_for_the_key_is_a_config_error(tmp_path: Path) -> None:
    write_tree(tmp_path, {".dfix.toml": '[lint]\nhonor-suppressions = "no"\n', "Dockerfile": FIXABLE})
    result = run(cwd=tmp_path)
    assert result.exit_code == 2
    assert result.stderr.startswith("dfix: error: ") and "honor-suppressions" in result.stderr
    assert "Traceback" not in result.stderr


def test_init_from_hadolint_carries_disable_ignore_pragma_through(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".hadolint.yaml": "disable-ignore-pragma: true\n",
        "Dockerfile": SUPPRESSED["hadolint/Dockerfile"],
    })
    before = run("--output-format", "concise", "--isolated", "--select", "DF201", cwd=tmp_path)
    assert before.stdout == ""
    assert run("init", "--from-hadolint", cwd=tmp_path).exit_code == 0
    assert "honor-suppressions = false" in (tmp_path / ".dfix.toml").read_text()
    after = run("--output-format", "concise", cwd=tmp_path)
    assert ("Dockerfile", "DF201") in findings(after)
    assert after.exit_code == 1


def test_foreign_suppressions_key_chooses_the_dialects_honoured(project: Path) -> None:
    (project / ".dfix.toml").write_text(SELECT + 'foreign-suppressions = ["buildkit"]\n')
    result = run("--output-format", "concise", cwd=project)
    assert findings(result) == [("hadolint/Dockerfile", "DF201")]  # dfix's own are always honoured
    (project / ".dfix.toml").write_text(SELECT + "foreign-suppressions = []\n")
    result = run("--output-format", "concise", cwd=project)
    assert findings(result) == [("buildkit/Dockerfile", "DF201"), ("hadolint/Dockerfile", "DF201")]


def test_unknown_foreign_dialect_is_a_config_error(project: Path) -> None:
    (project / ".dfix.toml").write_text('[lint]\nforeign-suppressions = ["hadolnt"]\n')
    result = run(cwd=project)
    assert result.exit_code == 2
    assert "unknown suppression dialect 'hadolnt'" in result.stderr


def test_stdin_with_suppressions_ignored(tmp_path: Path) -> None:
    text = SUPPRESSED["own/Dockerfile"]
    assert run("-", "--output-format", "json", input=text, cwd=tmp_path).stdout.strip() == "[]"
    result = run("-", "--ignore-suppressions", "--output-format", "json", input=text, cwd=tmp_path)
    assert [finding["code"] for finding in json.loads(result.stdout)] == ["DF201"]
    written = run("-", "--write", "--ignore-suppressions", "-q", input=text, cwd=tmp_path)
    assert written.stdout.startswith(fixed(text))


def test_worker_processes_receive_the_policy(project: Path) -> None:
    result = run("--output-format", "concise", "--ignore-suppressions", "-j", "3", cwd=project)
    assert len(findings(result)) == 3


def test_help_lists_the_flag_and_its_hadolint_alias() -> None:
    help_text = run("check", "--help").stdout
    assert "--ignore-suppressions" in help_text and "--disable-ignore-pragma" in help_text


def test_as_a_process_with_workers(project: Path) -> None:
    honoured = run_module("--output-format", "concise", "-j", "2", ".", cwd=project)
    assert (honoured.returncode, honoured.stdout) == (0, b"")
    ignored = run_module("--output-format", "concise", "--disable-ignore-pragma", "-j", "2", ".", cwd=project)
    assert ignored.returncode == 1
    assert ignored.stdout.count(b" DF201 ") == 3
    assert b"Traceback" not in ignored.stderr
