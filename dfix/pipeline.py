"""One pipeline from a list of files to written results, for the command line and the bot alike.

Both used to run their own copy of "settings per file → task → process →
write back", and the copies drifted (what counts as a failure, what a
symlink out of the tree means). Here each file gets the task of the
configuration closest to it (:func:`plan`), files are processed in parallel
in input order (:func:`dfix.process.process_all`), and in ``write`` mode each
fixed file is written as it arrives (:func:`write_back`), atomically and never
over an edit made meanwhile. What became of each file is its result's
:class:`~dfix.results.Outcome`.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path

import msgspec

from .config import ConfigResolver
from .discover import STDIN_PATH
from .process import Mode, Processed, Task, process_all, task_for
from .results import Outcome
from .writer import ChangedOnDiskError, write_fixed

class Planned(msgspec.Struct, frozen=True):
    """A task and the failure threshold of its file (configuration may differ per folder)."""

    task: Task
    fail_on: str

    @property
    def from_stdin(self) -> bool:
        return self.task.text is not None


def plan(
    path: str, mode: Mode, resolver: ConfigResolver, *, stdin_text: str | None = None, stdin_filename: str | None = None
) -> Planned:
    """The task for one input, with the settings of the configuration closest to it.

    ``-`` is standard input (``stdin_text``), reported and configured as
    ``stdin_filename`` when one is given.
    """
    from_stdin = path == STDIN_PATH
    name = (stdin_filename or STDIN_PATH) if from_stdin else path
    settings = resolver.settings_for(name)
    task = task_for(name, mode, settings, stdin_text if from_stdin else None)
    return Planned(task, settings.fail_on)


def _outside(path: str, root: Path) -> bool:
    top = os.path.realpath(root)
    return os.path.commonpath([top, os.path.realpath(path)]) != top


def write_back(item: Processed, *, inside: Path | None = None) -> Processed:
    """Write one fixed file; a file edited meanwhile is skipped, a write failure reported.

    ``inside``: the file is written only when it resolves to a place under
    that folder (the bot must never write outside the checkout it fixes,
    even through a symlink the repository holds).
    """
    result = item.result
    if not result.changed or result.failed:
        return item
    if inside is not None and _outside(result.path, inside):
        result = msgspec.structs.replace(
            result, fixed=result.original, applied=(), failed_fixes=(), failure=Outcome.OUTSIDE_ROOT,
            warnings=(*result.warnings, f"{result.path}: warning: a symlink to a file outside {inside}; not written"),
        )
        return msgspec.structs.replace(item, result=result)
    try:
        write_fixed(result.path, result.original, result.fixed)
    except ChangedOnDiskError:
        # What was found refers to text no longer on disk: report the skip only.
        result = msgspec.structs.replace(
            result, fixed=result.original, applied=(), diagnostics=(), failed_fixes=(), skipped_changed=True,
            warnings=(*result.warnings, f"{result.path}: warning: changed on disk while dfix ran; not written"),
        )
    except OSError as error:
        result = msgspec.structs.replace(
            result, io_error=f"cannot write: {error.strerror or error}", failure=Outcome.WRITE_FAILED
        )
    else:
        result = msgspec.structs.replace(result, written=True)
    return msgspec.structs.replace(item, result=result)


def run_planned(
    planned: Iterable[Planned], jobs: int, *, inside: Path | None = None, total: int | None = None
) -> Iterator[tuple[Planned, Processed]]:
    """Each planned file with its result, in input order; in ``write`` mode, written as it arrives.

    ``planned`` is read lazily, as the workers take more files, so a run's
    memory does not grow with its files. Standard input is never written
    back: its fixed text is the command's output. ``inside`` as in
    :func:`write_back`; ``total`` as in :func:`dfix.process.process_all`.
    """
    if total is None and isinstance(planned, Sequence):
        total = len(planned)
    waiting: deque[Planned] = deque()

    def tasks() -> Iterator[Task]:
        for p in planned:
            waiting.append(p)
            yield p.task

    for item in process_all(tasks(), jobs, total=total):
        p = waiting.popleft()
        if p.task.mode == "write" and not p.from_stdin:
            item = write_back(item, inside=inside)
        yield p, item


def run_files(planned: Sequence[Planned], jobs: int, *, inside: Path | None = None) -> Iterator[Processed]:
    """Each planned file's result, in input order (see :func:`run_planned`)."""
    for _, item in run_planned(planned, jobs, inside=inside):
        yield item
