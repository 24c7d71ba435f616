"""Checking or fixing one file into a :class:`FileResult`, for many files across a process pool.

Each file is independent, so a bulk run spreads files over ``-j`` worker
processes (rules are pure Python and CPU-bound; threads would not help) and
hands results back in input order, so output is reproducible whatever the
scheduling. Nothing here writes files: the parent process does that (see
:mod:`dfix.writer`), one file at a time, so a killed run leaves at most one
temporary file and the "changed on disk meanwhile" check happens right
before the write.

Every failure of one file (unreadable, unparsable, a rule crashing) becomes
part of that file's result; it never stops the other files.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable, Iterator, Mapping, Sequence
from collections import deque
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Literal

import msgspec

from dfix.cache_folder import default_cache_root
from dfix.collector import COLLECTOR_THRESHOLDS, tune_collector  # noqa: F401 - the workers' and the bench's too
from dfix.config import DEFAULT_FIX_TIME_BUDGET, DEFAULT_MAX_FILE_SIZE, Settings
from dfix.discover import STDIN_PATH
from dfix.engine import (
    MAX_ROUNDS, BuildContext, Diagnostic, FixPolicy, FixResult, Rule, Safety, Unfinished, all_rules, fix_in_two_steps, make_rules,
    prepare_rules, rule_by_code, run_rules,
)
from dfix.engine.subcodes import as_selectors
from dfix.generated import fixture_folder, generated_marker
from dfix.results import FileResult, Outcome
from dfix.syntax import Dockerfile, ParseError, first_refusal, parse, read_dockerfile, text_problem

if TYPE_CHECKING:  # pragma: no cover
    from concurrent.futures import Future

Mode = Literal["check", "diff", "write"]


class Task(msgspec.Struct, frozen=True):
    """What to do with one file: everything a worker needs, already resolved from configuration."""

    #: The path as reported (and, unless ``text`` is given, as read).
    path: str
    mode: Mode
    #: Codes of the rules to run on this file.
    codes: tuple[str, ...]
    #: Codes of the rules allowed to fix (``--fixable``/``--unfixable`` applied).
    fixable: tuple[str, ...]
    unsafe_fixes: bool = False
    #: Severity overrides, code -> level.
    severity: Mapping[str, str] = msgspec.field(default_factory=dict)
    #: Per-rule options, code -> options.
    rule_options: Mapping[str, Mapping[str, object]] = msgspec.field(default_factory=dict)
    #: The text itself, for stdin (``None``: read ``path``).
    text: str | None = None
    #: False (``--ignore-suppressions``): suppression comments are disregarded, as if absent.
    honor_suppressions: bool = True
    #: Other tools' suppression dialects honoured (``lint.foreign-suppressions``); None: all.
    foreign_suppressions: tuple[str, ...] | None = None
    #: Per-rule fix safety from ``extend-safe-fixes``/``extend-unsafe-fixes``, code -> safety.
    fix_safety: Mapping[str, Safety] = msgspec.field(default_factory=dict)
    #: Fix generated files and test fixtures too (``include-generated``).
    include_generated: bool = False
    #: More header patterns that mark a file generated (``generated-patterns``).
    generated_patterns: tuple[str, ...] = ()
    #: Larger files (bytes) are reported and skipped (``max-file-size``).
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    #: CPU seconds fixing this file may take (``fix-time-budget``).
    fix_time_budget: float = DEFAULT_FIX_TIME_BUDGET
    #: The build context folder (``--context``); None: the folder of ``path``, or none for unnamed stdin.
    context: str | None = None

    @property
    def build_context(self) -> BuildContext | None:
        """What rules may read of the build context: ``--context``, else the Dockerfile's own folder."""
        if self.context is not None:
            return BuildContext.of_folder(self.context, None if self.path == STDIN_PATH else self.path)
        if self.path == STDIN_PATH:
            return None  # stdin without --stdin-filename: no folder to read
        return BuildContext.of_dockerfile(self.path)

    @property
    def policy(self) -> FixPolicy:
        """Which fixes this file's run applies: the one answer the fix loop and every report use."""
        return FixPolicy.of(self.unsafe_fixes, self.fixable, self.fix_safety)


class Processed(msgspec.Struct, frozen=True):
    """A file's result, plus the severities of its findings as the file stood before any fix.

    Report mode and ``--diff`` decide the exit code on those (ux.md §3: ``dfix``
    and ``dfix --diff`` always agree), ``--write`` on what remains.
    """

    result: FileResult
    original_severities: frozenset[str] = frozenset()


def _tagged_rules(codes: Iterable[str] | None = None) -> tuple[type[Rule], ...]:
    """The rules with any tag (among ``codes``, loading only those rules; None: all)."""
    found = all_rules() if codes is None else (rule_by_code(code) for code in sorted(codes))
    return tuple(rule for rule in found if rule is not None and rule.tags)


def run_wide_options(
    settings: Settings, rule_options: Mapping[str, Mapping[str, object]], codes: Iterable[str] | None = None
) -> dict[str, dict[str, object]]:
    """Per-rule options with ``network = "offline"`` and ``cache-dir`` applied to the rules they concern.

    ``--offline`` and ``--cache-dir`` are run-wide switches (ux.md §4), while
    the rules read their own option tables; a rule's explicit option wins.
    Registry rules get ``<cache-dir>/registry`` when a cache folder is set
    (they default to the user's); rules that keep results between runs
    (tag ``cache``) get a folder named after them below the run's cache
    folder, or the user's. ``codes``: the rules that run (the others'
    options are not needed).
    """
    merged = {code: dict(values) for code, values in rule_options.items()}
    root: Path | None = None
    for rule in _tagged_rules(codes):
        options = merged.setdefault(rule.code, {})
        if "registry" in rule.tags:
            if settings.network == "offline":
                options.setdefault("offline", True)
            if settings.cache_dir is not None:
                options.setdefault("cache-dir", str(Path(settings.cache_dir) / "registry"))
        if "cache" in rule.tags:
            if root is None:
                root = Path(settings.cache_dir) if settings.cache_dir is not None else default_cache_root()
            options.setdefault("cache-dir", str(root / rule.name))
        if not options:
            del merged[rule.code]
    return merged


def task_for(path: str, mode: Mode, settings: Settings, text: str | None = None) -> Task:
    """The task for one file under the settings that apply to it (the configuration closest to it)."""
    codes, fix_codes = settings.rule_codes_for(path)
    return Task(
        path=path,
        mode=mode,
        codes=tuple(sorted(codes)),
        fixable=tuple(sorted(fix_codes)),
        unsafe_fixes=settings.unsafe_fixes,
        severity=dict(settings.severity),
        rule_options=run_wide_options(settings, settings.rule_options, codes),
        text=text,
        honor_suppressions=settings.honor_suppressions,
        foreign_suppressions=tuple(settings.foreign_suppressions),
        fix_safety=dict(settings.fix_safety_overrides_for(path)),
        include_generated=settings.include_generated,
        generated_patterns=tuple(settings.generated_patterns),
        max_file_size=settings.max_file_size,
        fix_time_budget=settings.fix_time_budget,
    )


# -- one file -----------------------------------------------------------------

_rules_cache: dict[tuple, list[Rule]] = {}


def _rules_for(task: Task) -> list[Rule]:
    """Rule instances for a task's selection and options, built once per worker process."""
    key = (task.codes, repr(sorted((code, sorted(options.items())) for code, options in task.rule_options.items())))
    rules = _rules_cache.get(key)
    if rules is None:
        options = {code: dict(values) for code, values in task.rule_options.items()}
        select, ignore = as_selectors(task.codes)
        rules = _rules_cache[key] = make_rules(select=select, ignore=ignore, settings=options) if select else []
    return rules


def _presented(diagnostics: Sequence[Diagnostic], task: Task, policy: FixPolicy) -> tuple[Diagnostic, ...]:
    """Diagnostics as configured: their severity, their fix at its configured safety, none where fixing is off.

    A rule made unfixable must not be shown with ``[*]`` or counted as
    fixable in the summary, so its fix is dropped here rather than in every
    reporter.
    """
    out = []
    for diagnostic in diagnostics:
        changes: dict[str, object] = {}
        level = task.severity.get(diagnostic.subcode or diagnostic.code) or task.severity.get(diagnostic.code)
        if level is not None and level != diagnostic.severity:
            changes["severity"] = level
        if diagnostic.fix is not None:
            if policy.fixable is not None and diagnostic.code not in policy.fixable:
                changes["fix"] = None
            elif policy.fix_of(diagnostic) is not diagnostic.fix:
                changes["fix"] = policy.fix_of(diagnostic)
        out.append(msgspec.structs.replace(diagnostic, **changes) if changes else diagnostic)
    return tuple(out)


def _parse_warnings(tree: Dockerfile, path: str) -> tuple[str, ...]:
    """BuildKit's parse warnings (empty continuation lines), as ``path:line:col: warning: message``.

    BuildKit's message quotes the whole instruction, kilobytes for a long
    RUN; the line and column already say where it is, so the quote is cut.
    """
    return tuple(f"{path}:{w.line}:{w.column}: warning: {_shortened(w.message)}" for w in tree.warnings)


def _shortened(message: str, limit: int = 120) -> str:
    return message if len(message) <= limit else message[: limit - 1].rstrip() + "…"


def internal_error_message(error: BaseException) -> str:
    """One line for a dfix bug, so a bulk run reports it and goes on to the next file."""
    return f"internal error: {type(error).__name__}: {error} (please report this as a dfix bug)"


class Staged(msgspec.Struct):
    """A fixed file whose report-only rules have yet to run on its fixed text (see ``process_text``)."""

    task: Task
    original: str
    unfinished: Unfinished
    #: Makes the file's result once the fix result is whole.
    build: Callable[[FixResult], Processed]
    fixed: FixResult

    def finish(self) -> Processed:
        """The file's result; a rule that fails here fails only this file, as in :func:`process`."""
        try:
            return self.build(self.unfinished.finish(self.fixed))
        except Exception as error:  # noqa: BLE001 - a rule bug must not end a bulk run
            path = self.task.path
            return Processed(FileResult(path, original=self.original, fixed=self.original, io_error=internal_error_message(error)))


def process_text(task: Task, text: str, *, finish: bool = True, tree: Dockerfile | None = None) -> Processed | Staged:
    """Check (and in ``diff``/``write`` mode, fix) one text. Raises only for dfix bugs.

    ``finish=False``: a file the fixes changed may come back :class:`Staged`,
    its report-only rules not yet run on the fixed text, so that a batch can
    let them work on all its fixed texts at once (one ShellCheck process).
    ``tree``: ``text`` already parsed for this path (by :func:`_prepare`).
    """
    path = task.path
    try:
        not_text = text_problem(text)
        if not_text is not None:
            raise not_text
        if tree is None:
            tree = parse(text, path)
    except ParseError as error:
        return Processed(
            FileResult(path, original=text, fixed=text, parse_error=error.with_path(path)), frozenset({"error"})
        )
    policy = task.policy
    warnings = _parse_warnings(tree, path)
    marker = None if task.include_generated else generated_marker(text, task.generated_patterns)
    if marker is not None:
        # Checked for the template's author, never rewritten: the next render would undo the fix.
        policy = msgspec.structs.replace(policy, fixable=frozenset())
        if task.mode != "check":
            line, header = marker
            warnings += (
                f"{path}:{line}:1: note: a generated file ({header.lstrip('#').strip()[:80]}); "
                "checked, not fixed (fix its template, or use --include-generated)",
            )
    fixture = None if task.include_generated or marker is not None else fixture_folder(path)
    if fixture is not None:
        # A test's input: a fix would change what its tests see.
        policy = msgspec.structs.replace(policy, fixable=frozenset())
        if task.mode != "check":
            warnings += (
                f"{path}: note: a test fixture (under `{fixture}/`); checked, not fixed "
                "(a fix would change what its tests see; use --include-generated to fix it anyway)",
            )
    refusal = first_refusal(tree)
    if refusal is not None and policy.fixable != frozenset():
        # The build stops before its first step: fixing anything else would only hide that.
        policy = msgspec.structs.replace(policy, fixable=frozenset())
        if task.mode != "check":
            warnings += (
                f"{path}:{refusal.span.line}:{refusal.span.column}: note: not fixed: docker build refuses this "
                f"file ({refusal.message}); mend that first",
            )
    rules = _rules_for(task)
    honor, foreign = task.honor_suppressions, task.foreign_suppressions
    build_context = task.build_context
    raw = run_rules(tree, rules, path, honor_suppressions=honor, foreign_suppressions=foreign, build_context=build_context)
    found = _presented(raw, task, policy)
    severities = frozenset(d.severity for d in found)
    if task.mode == "check" or not any(policy.applies(d) for d in found):
        return Processed(FileResult(path, text, text, found, warnings=warnings, policy=policy), severities)
    fixed, unfinished = fix_in_two_steps(
        text, path=path, rules=rules, policy=policy, budget=task.fix_time_budget,
        honor_suppressions=honor, foreign_suppressions=foreign, first=(tree, raw), build_context=build_context,
    )

    def build(fixed: FixResult) -> Processed:
        return _fixed_result(task, text, fixed, policy, warnings, severities)

    if unfinished is None:
        return build(fixed)
    if finish:
        return build(unfinished.finish(fixed))
    return Staged(task, text, unfinished, build, fixed)


def _fixed_result(
    task: Task, text: str, fixed: FixResult, policy: FixPolicy, warnings: tuple[str, ...], severities: frozenset[str],
) -> Processed:
    """The result of a file the fix loop ran on: what it wrote, what remains, and why it stopped early if it did."""
    path = task.path
    if fixed.timed_out:
        warnings += (
            f"{path}: warning: too slow to fix (over {task.fix_time_budget:g} s of CPU, fix-time-budget); "
            "left as it was",
        )
    if not fixed.converged and not fixed.timed_out:
        warnings += (
            f"{path}: warning: the fixes did not settle after {MAX_ROUNDS} rounds; the fixes left are listed "
            "as remaining (please report this file as a dfix bug)",
        )
    result = FileResult(
        path,
        original=text,
        fixed=fixed.text,
        diagnostics=_presented(fixed.diagnostics, task, policy),
        applied=_presented(fixed.applied, task, policy),
        failed_fixes=fixed.failed,
        warnings=warnings,
        policy=policy,
    )
    return Processed(result, severities)


def _size_text(size: int) -> str:
    for unit, scale in (("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def _too_large(task: Task) -> str | None:
    """Why the file is skipped unread, if it is over ``max-file-size``."""
    try:
        size = len(task.text.encode("utf-8", "surrogateescape")) if task.text is not None else os.path.getsize(task.path)
    except OSError:
        return None  # reading it reports the problem
    if size <= task.max_file_size:
        return None
    return f"skipped: {_size_text(size)} is over the {_size_text(task.max_file_size)} limit (max-file-size)"


def process(task: Task, *, finish: bool = True, read: tuple[str, Dockerfile] | None = None) -> Processed | Staged:
    """One file, start to end; every failure becomes part of the result (``finish``: see :func:`process_text`).

    ``read``: the file's text and tree when :func:`_prepare` has already read and parsed it.
    """
    too_large = _too_large(task)
    if too_large is not None:
        return Processed(FileResult(task.path, io_error=too_large, failure=Outcome.TOO_LARGE))
    tree = None
    if read is not None:
        text, tree = read
    else:
        try:
            text = task.text if task.text is not None else read_dockerfile(task.path)
        except OSError as error:
            return Processed(FileResult(task.path, io_error=f"cannot read: {error.strerror or error}"))
    try:
        return process_text(task, text, finish=finish, tree=tree)
    except Exception as error:  # noqa: BLE001 - a rule or parser bug must not end a bulk run
        return Processed(FileResult(task.path, original=text, fixed=text, io_error=internal_error_message(error)))


# -- many files -----------------------------------------------------------------


def default_jobs() -> int:
    """Worker processes when ``-j`` is not given: every core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)


def _start_worker() -> None:
    """Workers leave Ctrl-C to the parent, which cancels what is queued (no traceback per worker), and tune the collector."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    tune_collector()


def _prepare(tasks: Sequence[Task]) -> list[tuple[str, Dockerfile] | None]:
    """Let the rules work on a batch's files at once (DF629: one ShellCheck process for all their scripts).

    Returns each task's text and tree, for :func:`process` to go on with (None
    where reading or parsing failed: processing the file reports why). Nothing
    here can fail a file.
    """
    groups: dict[int, tuple[list[Rule], list[tuple[Dockerfile, str]]]] = {}
    read: list[tuple[str, Dockerfile] | None] = []
    for task in tasks:
        read.append(None)
        if _too_large(task) is not None:
            continue
        try:
            rules = _rules_for(task)
            text = task.text if task.text is not None else read_dockerfile(task.path)
            tree = parse(text, task.path)
        except Exception:  # noqa: BLE001 - process() reports the file's problem
            continue
        read[-1] = (text, tree)
        groups.setdefault(id(rules), (rules, []))[1].append((tree, task.path))
    for rules, files in groups.values():
        if len(files) > 1:
            prepare_rules(rules, files)
    return read
def _load_shared_tables() -> None:
    """Load what every worker needs and nothing per file changes: the parse tables and tree-sitter's bash."""
    from dfix.shell.parse import bash_parser
    from dfix.syntax.parser import warm_up

    warm_up()
    bash_parser()


def _process_batch(tasks: list[Task]) -> list[Processed]:
    """A batch's results: rules that work on many files at once do so on the originals, then on the fixed texts."""
    read = _prepare(tasks)
    done = [process(task, finish=False, read=prepared) for task, prepared in zip(tasks, read)]
    _prepare_fixed([item for item in done if isinstance(item, Staged)])
    return [item.finish() if isinstance(item, Staged) else item for item in done]


def _prepare_fixed(staged: Sequence[Staged]) -> None:
    """Let the rules left to run on the fixed texts work on all of them at once (see :func:`_prepare`)."""
    groups: dict[tuple[int, ...], tuple[tuple[Rule, ...], list[tuple[Dockerfile, str | None]]]] = {}
    for item in staged:
        rules = item.unfinished.rules
        groups.setdefault(tuple(map(id, rules)), (rules, []))[1].append((item.unfinished.tree, item.unfinished.path))
    for rules, files in groups.values():
        if len(files) > 1:
            prepare_rules(rules, files)


def process_all(tasks: Iterable[Task], jobs: int, *, total: int | None = None) -> Iterator[Processed]:
    """Results of ``tasks``, in their order; ``jobs`` worker processes (1: in this process).

    A pool costs process start-up, so a run with one file (or ``-j 1``)
    stays in process; so does stdin, whose text is already here. ``tasks``
    is read as the workers need more (a bounded number of batches in flight),
    so neither the tasks nor the results of a run over 100,000 files are
    all in memory at once. ``total``: how many tasks there are, when known
    (it sizes the batches; a list's length is used when not given).
    """
    if total is None and isinstance(tasks, Sequence):
        total = len(tasks)
    workers = jobs if total is None else min(jobs, total)
    if workers <= 1:
        pending_tasks = iter(tasks)
        while batch := list(islice(pending_tasks, 16)):
            yield from _process_batch(batch)
        return
    # Small batches keep the workers evenly busy (file sizes vary 1000-fold)
    # while amortising the per-task round trip; a few per worker in flight
    # keep them fed without reading ahead the whole run.
    size = max(1, min(16, (total or 0) // (workers * 8)))
    pending = iter(tasks)
    # Imported only for a pool: a one-file run does not pay for multiprocessing.
    from concurrent.futures import ProcessPoolExecutor

    # Forked workers inherit what this process has loaded: load the parser and
    # the shell grammar once here rather than once per worker.
    _load_shared_tables()
    in_flight: deque[Future[list[Processed]]] = deque()
    with ProcessPoolExecutor(max_workers=workers, initializer=_start_worker) as executor:
        try:
            while True:
                while len(in_flight) < workers * 4:
                    batch = list(islice(pending, size))
                    if not batch:
                        break
                    in_flight.append(executor.submit(_process_batch, batch))
                if not in_flight:
                    return
                yield from in_flight.popleft().result()
        except BaseException:
            executor.shutdown(wait=False, cancel_futures=True)
            raise
