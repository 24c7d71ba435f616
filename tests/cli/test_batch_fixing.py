"""A batch of files fixed together: ShellCheck sees the fixed texts of the whole batch in one process.

In ``--diff``/``--write`` a file the fixes change needs its report-only
rules run once more, on the fixed text. Run file by file, that started one
ShellCheck process per changed file; the batch now fixes every file first,
then checks all the fixed texts at once, and each file's result is the
same as when it is processed alone.
"""

from __future__ import annotations

import msgspec
import pytest

from dfix import process as processing
from dfix.config import default_settings
from dfix.shell import shellcheck


def _tasks(tmp_path, count: int) -> list[processing.Task]:
    tasks = []
    for number in range(count):
        path = tmp_path / str(number) / "Dockerfile"
        path.parent.mkdir()
        path.write_text(f"FROM debian:12\nRUN apt-get update && apt-get install -y curl{number} && echo $HOME/$1\n")
        tasks.append(processing.task_for(str(path), "diff", default_settings(cwd=tmp_path)))
    return tasks


def test_the_fixed_texts_of_a_batch_go_to_one_shellcheck_process(tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    if shellcheck.find_shellcheck() is None:
        pytest.skip("ShellCheck is not installed")
    monkeypatch.setattr(shellcheck, "_cache", type(shellcheck._cache)())
    monkeypatch.setenv("DFIX_CACHE_DIR", str(tmp_path / "cache"))  # no findings kept by an earlier run
    processes = []
    real = shellcheck._check

    def counted(executable, dialect, scripts, *options):
        processes.append(len(scripts))
        return real(executable, dialect, scripts, *options)

    monkeypatch.setattr(shellcheck, "_check", counted)
    tasks = _tasks(tmp_path, 5)
    batch = list(processing.process_all(tasks, jobs=1))
    assert all(item.result.fixed != item.result.original for item in batch)  # every file was changed
    assert processes == [5, 5]  # the originals, then the fixed texts: not one process per changed file
    for task, item in zip(tasks, batch):
        alone = processing.process(task)
        assert alone.result.fixed == item.result.fixed
        assert alone.result.diagnostics == item.result.diagnostics
        assert any(d.code == "DF629" for d in item.result.diagnostics)


@pytest.mark.parametrize("mode", ["check", "diff"])
def test_each_file_of_a_batch_is_read_and_parsed_once(tmp_path, monkeypatch: pytest.MonkeyPatch, mode: str) -> None:
    # the batch's rules work on all its files at once first; processing goes on with those trees
    tasks = [msgspec.structs.replace(task, mode=mode) for task in _tasks(tmp_path, 4)]
    parsed, read = [], []
    real_parse, real_read = processing.parse, processing.read_dockerfile
    monkeypatch.setattr(processing, "parse", lambda text, path=None: parsed.append(path) or real_parse(text, path))
    monkeypatch.setattr(processing, "read_dockerfile", lambda path: read.append(path) or real_read(path))
    batch = list(processing.process_all(tasks, jobs=1))
    assert sorted(read) == sorted(parsed) == sorted(task.path for task in tasks)
    for task, item in zip(tasks, batch):
        alone = processing.process(task)
        assert (alone.result.fixed, alone.result.diagnostics) == (item.result.fixed, item.result.diagnostics)
