"""The ``dfix`` command line: options in, exit code out (ux.md §1-4, §7, §10).

``check`` is the default command (``dfix .``, ``dfix --diff .``), so this
module holds a small group that routes anything that is not a subcommand to
it. ``check`` itself is glue between layers that each do one job:
configuration (:mod:`dfix.config`) decides what applies to each file,
discovery (:mod:`dfix.discover`) finds the files, :mod:`dfix.process` checks
or fixes them in parallel, :mod:`dfix.writer` writes them back atomically
and :mod:`dfix.report` prints. Exit codes (§3): 0 nothing at or above
``fail-on``, 1 findings remain or a file does not parse, 2 dfix could not do
its job; a user's mistake gets one line, never a traceback.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Callable, NoReturn

import click
import msgspec

from dfix import report
from dfix._version import __version__
from dfix.collector import tune_collector
from dfix.discover import (
    STDIN_PATH, Inputs, PathListError, changed_files, collect_configured, expand_argument_files,
    read_path_list,
)
from dfix.terminal import emit, in_ci, split_codes, stream_is_terminal, to_bytes, use_color
from dfix.errors import DfixError, UserError

if TYPE_CHECKING:  # pragma: no cover
    from dfix.config import ConfigResolver, Settings
    from dfix.pipeline import Planned
    from dfix.process import Mode, Processed
    from dfix.results import FileResult

# The engine, the configuration and the pipeline are imported by the commands that
# run them (after the collector is tuned): ``dfix --version`` needs none of them.

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

HUMAN_FORMATS = frozenset({"full", "concise", "grouped"})


# -- the group with a default command -----------------------------------------


class DefaultCommandGroup(click.Group):
    """A group whose first argument, when it names no subcommand, goes to ``check``.

    ``dfix PATH``, ``dfix --diff PATH`` and plain ``dfix`` then work as they
    would with a single command, while ``dfix rule DF200`` reaches its own
    subcommand. A file literally named like a subcommand can still be
    checked as ``dfix check rule`` or ``dfix ./rule``.
    """

    default_command = "check"
    group_options = frozenset({"--help", "-h", "--version", "-V"})
    #: Subcommands imported only when run or listed in help: name -> (module, attribute).
    lazy_commands = {"bot": ("dfix.bot.cli", "bot_group"), "verify": ("dfix.verify.cli", "verify_command")}

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        command = super().get_command(ctx, name)
        if command is None and name in self.lazy_commands:
            import importlib

            module, attribute = self.lazy_commands[name]
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, name)
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args or (args[0] not in self.commands and args[0] not in self.lazy_commands and args[0] not in self.group_options):
            args = [self.default_command, *args]
        return super().parse_args(ctx, args)

    def main(self, *args, **kwargs):  # type: ignore[override]
        """Turn any uncaught exception into one line and exit 2: a bug report, not a traceback."""
        tune_collector()
        try:
            return super().main(*args, **kwargs)
        except Exception as error:  # noqa: BLE001 - the last line of defence
            if _worker_died(error):
                fail(f"internal error: a worker process died ({error}); try -j 1 to see which file")
            from dfix.process import internal_error_message

            fail(internal_error_message(error))


def _worker_died(error: Exception) -> bool:
    """A pool's worker died (the pool module is loaded only when a run used one)."""
    pool = sys.modules.get("concurrent.futures.process")
    return pool is not None and isinstance(error, pool.BrokenProcessPool)


class LazyChoice(click.Choice):
    """A choice whose values are read when first needed (a check, ``--help``), not when the command is built.

    They live in modules that ``dfix --version`` has no need to load.
    """

    def __init__(self, choices_of: Callable[[], Sequence[str]], case_sensitive: bool = True) -> None:
        self._choices_of = choices_of
        self.case_sensitive = case_sensitive

    @property
    def choices(self) -> tuple[str, ...]:  # type: ignore[override]
        return tuple(self._choices_of())


def _fail_on_levels() -> tuple[str, ...]:
    from dfix.config import FAIL_ON_LEVELS

    return FAIL_ON_LEVELS


def fail(message: str, code: int = 2) -> NoReturn:
    """Print ``dfix: message`` on stderr and exit ``code`` (2: dfix could not do its job)."""
    emit(f"dfix: {message}\n", err=True)
    sys.exit(code)


@click.group(cls=DefaultCommandGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "--version", "-V", prog_name="dfix")
def main() -> None:
    """dfix: find and safely fix problems in Dockerfiles.

    \b
    dfix [check] [OPTIONS] [PATH ...|-]   lint, --diff or --write (the default command)
    dfix rule CODE | --all                explain a rule, or list every rule
    dfix verify [OPTIONS] [PATH ...]      build before and after the fixes: prove or disprove them
    dfix init [--from-hadolint [PATH]]    write a .dfix.toml
    dfix version

    See `dfix check --help` for the options of the default command.
    """


# -- output helpers ----------------------------------------------------------------


def with_newline(text: str) -> str:
    return text if not text or text.endswith("\n") else text + "\n"


# -- progress ----------------------------------------------------------------------


class Progress:
    """Progress on stderr: a rich bar, one plain line per file (CI logs), or nothing."""

    def __init__(self, style: str, total: int) -> None:
        self.style = style
        self.total = total
        self.done = 0
        self._bar = None
        if style == "bar" and total:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress as Bar, TextColumn, TimeElapsedColumn

            # No refresh thread (auto_refresh=False): worker processes are forked
            # from this one, and forking while another thread holds a lock can hang.
            self._bar = Bar(
                TextColumn("dfix"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                console=Console(stderr=True), transient=True, auto_refresh=False,
            )
            self._task = self._bar.add_task("files", total=total)
            self._bar.start()

    def advance(self, path: str) -> None:
        self.done += 1
        if self._bar is not None:
            self._bar.update(self._task, completed=self.done, refresh=True)
        elif self.style == "plain":
            emit(f"[{self.done}/{self.total}] {path}\n", err=True)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def progress_style(choice: str, *, human: bool, quiet: bool) -> str:
    """``auto``: a bar when a person watches stderr (a terminal, not CI, a human format)."""
    if choice != "auto":
        return choice
    if quiet or not human or in_ci() or not stream_is_terminal(sys.stderr):
        return "none"
    return "bar"


# -- the check command ---------------------------------------------------------


class RunOptions(msgspec.Struct, frozen=True):
    """The check command's options, after the usage checks."""

    paths: tuple[str, ...]
    mode: Mode
    fix_only: bool
    show_diff: bool
    diff_context: int
    stdin_filename: str | None
    statistics: bool
    quiet: bool
    silent: bool
    exit_zero: bool
    exit_non_zero_on_fix: bool
    output_file: str | None
    jobs: int
    color: str
    progress: str
    show_files: bool
    #: Only files changed relative to this git revision (``--changed-since``).
    changed_since: str | None = None
    #: The build context of every file (``--context``); None: each Dockerfile's own folder.
    context: str | None = None


def choose_mode(check: bool, diff: bool, write: bool, fix_only: bool) -> Mode:
    """The one mode asked for; asking for two is a usage error (exit 2)."""
    chosen = [name for name, on in (("--check", check), ("--diff", diff), ("--write", write or fix_only)) if on]
    if len(chosen) > 1:
        raise click.UsageError(f"{' and '.join(chosen)} cannot be combined: pick one mode")
    if diff:
        return "diff"
    if write or fix_only:
        return "write"
    return "check"


def named_paths(paths: Sequence[str], files_from: Sequence[str], stdin_filename: str | None) -> tuple[str, ...]:
    """The paths to check: PATHS with ``@FILE`` expanded, plus those ``--files-from`` lists.

    Only when nothing at all was named (no PATHS, no list) does the run
    default to the current folder (or stdin with ``--stdin-filename``): a
    list that happens to be empty means "no files", not "everything".
    """
    if not paths and not files_from:
        return (STDIN_PATH,) if stdin_filename else (".",)
    listed = [path for list_file in files_from for path in read_path_list(list_file)]
    return tuple(expand_argument_files(paths)) + tuple(listed)


def command_line_settings(**values: object) -> dict[str, object]:
    """The settings the command line fixes for every file, keyed as in a config file; unset options dropped."""
    return {key: value for key, value in values.items() if value not in (None, [], {}, ())}


@main.command("check", context_settings=CONTEXT_SETTINGS)
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option("--check", "check_mode", is_flag=True, help="Report findings only (the default; for black/prettier habits).")
@click.option("--diff", is_flag=True, help="Print a unified diff of the fixes (git apply-able); write nothing.")
@click.option("--write", "-w", "--fix", "write", is_flag=True, help="Apply fixes in place, then report what remains.")
@click.option("--fix-only", is_flag=True, help="Apply fixes in place and do not report what remains.")
@click.option("--show-fixes", is_flag=True, default=None, help="List the fixes applied.")
@click.option("--show-diff", is_flag=True, help="With --write: also print the diff of what was written.")
@click.option("--diff-context", type=click.IntRange(min=0), default=3, show_default=True, help="Context lines in diffs.")
@click.option("--unsafe-fixes", is_flag=True, default=None, help="Also apply fixes that may change the built image.")
@click.option("--select", multiple=True, metavar="CODES", help="Rules to run: codes, prefixes, names, aliases or ALL.")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Rules to run in addition to the selected ones.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Rules not to run.")
@click.option("--extend-ignore", multiple=True, metavar="CODES", help="More rules not to run.")
@click.option("--fixable", multiple=True, metavar="CODES", help="Rules allowed to fix (default ALL).")
@click.option("--unfixable", multiple=True, metavar="CODES", help="Rules never allowed to fix.")
@click.option("--include-generated/--no-include-generated", default=None,
              help="Also fix generated files (their header says so) and test fixtures (files under testdata/, fixtures/ ...); default: check them, write nothing.")
@click.option("--extend-safe-fixes", multiple=True, metavar="CODES",
              help="Rules whose unsafe fixes apply without --unsafe-fixes (take them one rule at a time).")
@click.option("--extend-unsafe-fixes", multiple=True, metavar="CODES", help="Rules whose safe fixes need --unsafe-fixes.")
@click.option("--per-file-ignores", multiple=True, metavar="GLOB:CODES", help="Rules not to run on matching files.")
@click.option("--severity", "severity_overrides", multiple=True, metavar="CODE=LEVEL", help="Override a rule's severity.")
@click.option(
    "--fail-on", "--failure-threshold", type=LazyChoice(_fail_on_levels), default=None,
    help="Lowest severity that fails the run [default: warning]. Parse errors always fail.",
)
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when findings remain (never hides exit 2).")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when --write changed or --diff would change a file.")
@click.option("--statistics", is_flag=True, help="Print counts per rule instead of each finding.")
@click.option("--output-format", envvar="DFIX_OUTPUT_FORMAT", type=click.Choice(report.FORMATS), default=None,
              help="How findings are printed [default: full].")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False), help="Write findings (or the diff) here.")
@click.option("--quiet", "-q", is_flag=True, help="No summary, hints or progress.")
@click.option("--silent", "-s", is_flag=True, help="No findings, summary or warnings; only the exit code.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--progress", type=click.Choice(["auto", "bar", "plain", "none"]), default="auto", show_default=True)
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes [default: all cores].")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), envvar="DFIX_CONFIG",
              help="Use this config file for every input.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--offline", is_flag=True, default=None, envvar="DFIX_OFFLINE",
              help="Never reach a registry: answer base-image lookups from the cache only.")
@click.option("--cache-dir", type=click.Path(file_okay=False), envvar="DFIX_CACHE_DIR",
              help="Where registry answers and ShellCheck's findings are kept between runs [default: the user cache folder].")
@click.option("--exclude", multiple=True, metavar="GLOBS", help="Paths not to search (replaces the config's).")
@click.option("--extend-exclude", multiple=True, metavar="GLOBS", help="More paths not to search.")
@click.option("--force-exclude", is_flag=True, default=None, help="Apply excludes to paths named explicitly too.")
@click.option("--respect-gitignore/--no-respect-gitignore", default=None,
              help="Honour .gitignore and .ignore files [default: on].")
@click.option("--stdin-filename", metavar="NAME",
              help="Name for the Dockerfile read from stdin ('-'); with no PATHS, read stdin.")
@click.option("--files-from", multiple=True, metavar="FILE",
              help="Also check the paths FILE lists, one a line (# comments); @FILE as a PATH does the same.")
@click.option("--changed-since", metavar="REF",
              help="Only files changed since the git revision REF: committed, staged, unstaged or untracked.")
@click.option("--ignore-suppressions", "--disable-ignore-pragma", "ignore_suppressions", is_flag=True, default=None,
              help="Disregard every suppression comment (dfix, hadolint, # check=skip=).")
@click.option("--show-files", is_flag=True, help="Print the files that would be processed, and stop.")
@click.option("--context", "build_context", type=click.Path(exists=True, file_okay=False), default=None, metavar="DIR",
              help="The build context rules read (manifests, .dockerignore) [default: each Dockerfile's folder].")
@click.option("--verify", is_flag=True, help="With --write: build before and after, write only the fixes that verify (see dfix verify).")
def check_command(
    paths: tuple[str, ...], check_mode: bool, diff: bool, write: bool, fix_only: bool, show_fixes: bool | None,
    show_diff: bool, diff_context: int, unsafe_fixes: bool | None, select: tuple[str, ...],
    extend_select: tuple[str, ...], ignore: tuple[str, ...], extend_ignore: tuple[str, ...], fixable: tuple[str, ...],
    unfixable: tuple[str, ...], include_generated: bool | None, extend_safe_fixes: tuple[str, ...],
    extend_unsafe_fixes: tuple[str, ...],
    per_file_ignores: tuple[str, ...], severity_overrides: tuple[str, ...],
    fail_on: str | None, exit_zero: bool, exit_non_zero_on_fix: bool, statistics: bool, output_format: str | None,
    output_file: str | None, quiet: bool, silent: bool, color: str, progress: str, jobs: int | None,
    config_file: str | None, isolated: bool, offline: bool | None, cache_dir: str | None, exclude: tuple[str, ...], extend_exclude: tuple[str, ...],
    force_exclude: bool | None, respect_gitignore: bool | None, stdin_filename: str | None,
    files_from: tuple[str, ...], changed_since: str | None, ignore_suppressions: bool | None, show_files: bool,
    build_context: str | None, verify: bool = False,
) -> None:
    """Check Dockerfiles: files, folders (searched recursively) or - for stdin.

    With no PATHS the current folder is searched; @FILE stands for the paths
    FILE lists. Findings go to stdout as path:line:col: CODE [*] message
    ([*]: a fix exists), the summary to stderr.
    """
    from dfix.config import ConfigResolver, parse_per_file_ignores, parse_severity_overrides
    from dfix.process import default_jobs

    mode = choose_mode(check_mode, diff, write, fix_only)
    if verify:
        if mode != "write":
            raise click.UsageError("--verify needs --write (dfix verify alone proves without writing)")
        from dfix.verify.cli import verify_command  # imported only when asked: builders are not start-up's business

        click.get_current_context().invoke(
            verify_command, paths=paths, write=True, unsafe_fixes=unsafe_fixes, select=select, extend_select=extend_select,
            ignore=ignore, extend_ignore=extend_ignore, fixable=fixable, unfixable=unfixable,
            extend_safe_fixes=extend_safe_fixes, extend_unsafe_fixes=extend_unsafe_fixes, config_file=config_file,
            isolated=isolated, offline=offline, cache_dir=cache_dir, build_context=build_context, color=color, quiet=quiet,
        )
    if show_diff and mode != "write":
        raise click.UsageError("--show-diff needs --write (use --diff to preview without writing)")
    try:
        paths = named_paths(paths, files_from, stdin_filename)
    except PathListError as error:
        fail(f"error: {error}")
    if changed_since is not None and STDIN_PATH in paths:
        raise click.UsageError("--changed-since cannot be combined with stdin ('-'): git knows nothing of it")
    options = RunOptions(
        paths=paths, mode=mode, fix_only=fix_only, show_diff=show_diff,
        diff_context=diff_context, stdin_filename=stdin_filename, statistics=statistics, quiet=quiet or silent,
        silent=silent, exit_zero=exit_zero, exit_non_zero_on_fix=exit_non_zero_on_fix, output_file=output_file,
        jobs=jobs or default_jobs(), color=color, progress=progress, show_files=show_files,
        changed_since=changed_since, context=build_context,
    )
    try:
        overrides = command_line_settings(**{
            "lint.select": split_codes(select) or None,
            "lint.extend-select": split_codes(extend_select),
            "lint.ignore": split_codes(ignore),
            "lint.extend-ignore": split_codes(extend_ignore),
            "lint.fixable": split_codes(fixable) or None,
            "lint.unfixable": split_codes(unfixable),
            "lint.extend-safe-fixes": split_codes(extend_safe_fixes),
            "lint.extend-unsafe-fixes": split_codes(extend_unsafe_fixes),
            "lint.per-file-ignores": parse_per_file_ignores(per_file_ignores),
            "lint.severity": parse_severity_overrides(severity_overrides),
            "lint.honor-suppressions": False if ignore_suppressions else None,
            "fail-on": fail_on,
            "unsafe-fixes": unsafe_fixes,
            "include-generated": include_generated,
            "show-fixes": show_fixes,
            "output-format": output_format,
            "exclude": split_codes(exclude) or None,
            "extend-exclude": split_codes(extend_exclude),
            "force-exclude": force_exclude,
            "respect-gitignore": respect_gitignore,
            "network": "offline" if offline else None,
            "cache-dir": cache_dir,
        })
        resolver = ConfigResolver(config_file=config_file, isolated=isolated, overrides=overrides, cwd=Path.cwd())
        code = run(options, resolver)
    except DfixError as error:
        fail(f"error: {error}", error.exit_code)
    sys.exit(code)


# -- one run -----------------------------------------------------------------------


def read_stdin() -> str:
    """Standard input, decoded as files are (losslessly)."""
    return sys.stdin.buffer.read().decode("utf-8", "surrogateescape")


def only_changed(inputs: Inputs, ref: str, paths: Sequence[str]) -> Inputs:
    """The discovered files git reports changed since ``ref``: the named paths still limit the set.

    Intersecting with discovery (rather than checking whatever git lists)
    keeps every discovery rule in force: names, excludes, ``.gitignore``.
    """
    changed = changed_files(ref, paths)
    return msgspec.structs.replace(inputs, files=tuple(path for path in inputs.files if os.path.realpath(path) in changed))


def run(options: RunOptions, resolver: ConfigResolver) -> int:
    """Discover, process, write, print; return the exit code."""
    from dfix.engine import unavailable_notes
    from dfix.pipeline import plan, run_planned

    settings = resolver.settings_for(Path.cwd())
    fmt = settings.output_format or "full"
    if fmt not in report.FORMATS:
        raise UserError(f"output format {fmt!r} is not available yet; use one of: {', '.join(report.FORMATS)}")
    inputs = collect_configured(options.paths, resolver, Path.cwd())
    if options.changed_since is not None:
        inputs = only_changed(inputs, options.changed_since, options.paths)
    for path in inputs.missing:
        emit(f"{path}: error: no such file or directory\n", err=True)
    if options.show_files:
        emit("".join(f"{path}\n" for path in inputs.files))
        return 2 if inputs.missing else 0
    if not inputs.files and not inputs.missing and not options.quiet:
        found = "found" if options.changed_since is None else f"changed since {options.changed_since}"
        emit(f"warning: no Dockerfiles {found}\n", err=True)

    if not options.quiet:
        # A selector naming a rule this version lacks does nothing yet: say so once, not per file.
        folders = dict.fromkeys([str(Path.cwd()), *(os.path.dirname(os.path.abspath(p)) for p in inputs.files)])
        notes = dict.fromkeys(note for folder in folders for note in resolver.settings_for(folder).warnings)
        emit("".join(f"dfix: warning: {note}\n" for note in notes), err=True)
        # A rule whose optional tool is missing (DF629 without ShellCheck): said once, never a failure.
        if inputs.files:
            codes = {code for folder in folders for code in resolver.settings_for(folder).rule_codes_for(folder)[0]}
            emit("".join(f"dfix: note: {note}\n" for note in unavailable_notes(codes)), err=True)
    stdin_text = read_stdin() if STDIN_PATH in inputs.files else None
    planned = (
        plan(path, options.mode, resolver, stdin_text=stdin_text, stdin_filename=options.stdin_filename)
        for path in inputs.files
    )
    if options.context is not None:
        planned = (msgspec.structs.replace(p, task=msgspec.structs.replace(p.task, context=options.context)) for p in planned)
    style = progress_style(options.progress, human=fmt in HUMAN_FORMATS, quiet=options.quiet)
    progress = Progress(style, len(inputs.files))
    # A progress bar owns the terminal while it runs: output waits for it to finish.
    printer = Printer(options, settings, fmt, hold=style == "bar", stdin=STDIN_PATH in inputs.files)
    verdict = Verdict(options)
    try:
        for p, item in run_planned(planned, options.jobs, total=len(inputs.files)):
            printer.add(item.result, from_stdin=p.from_stdin)
            verdict.add(item, p)
            progress.advance(item.result.path)
    except BaseException:
        printer.abandon()
        raise
    finally:
        progress.close()
    printer.close()
    return verdict.code(missing=bool(inputs.missing))


# -- printing ------------------------------------------------------------------------


class Printer:
    """Where each piece of output goes: findings or the diff on stdout (or ``-o``), the rest on stderr.

    Output is written file by file as results arrive (in input order), and a
    file's result is not kept after it is printed, so memory stays flat over
    any number of files; only what the closing summary needs is tallied.
    ``hold`` keeps it until :meth:`close` (while a progress bar owns the
    terminal). ``-o FILE`` is written to a temporary file beside it and
    renamed at the end, so a failed run leaves no half document.
    """

    def __init__(
        self, options: RunOptions, settings: Settings, fmt: str, *, hold: bool = False, stdin: bool = False
    ) -> None:
        self.options = options
        self.fmt = fmt
        self.show_fixes = settings.show_fixes
        self.fail_on = settings.fail_on
        self.root = Path.cwd()
        self.hold = hold
        self.out_color = False if options.output_file else use_color(options.color, sys.stdout)
        self.err_color = use_color(options.color, sys.stderr)
        self.tally = report.Tally()
        self._held: list[tuple[str, bool]] = []
        self._output = None
        if options.output_file is not None:
            self._output = _AtomicOutput(options.output_file)
        mode = options.mode
        silent = options.silent
        # Where the findings document goes, and whether it is printed at all.
        # --diff: the patch owns stdout; --write with stdin: the fixed text does.
        self.findings_to_err = mode == "diff" or (mode == "write" and stdin)
        self.findings_on = not silent and not (mode == "write" and options.fix_only)
        color = self.err_color if self.findings_to_err else self.out_color
        self.document = report.writer(
            fmt, show_fixes=self.show_fixes and mode != "diff", root=self.root, color=color,
        ) if self.findings_on and not options.statistics else None

    # -- where text goes ----------------------------------------------------------------

    def _out(self, text: str) -> None:
        if not text:
            return
        if self.hold:
            self._held.append((text, False))
        elif self._output is not None:
            self._output.write(text)
        else:
            emit(text)

    def _err(self, text: str) -> None:
        if not text:
            return
        if self.hold:
            self._held.append((text, True))
        else:
            emit(text, err=True)

    def _findings(self, text: str) -> None:
        (self._err if self.findings_to_err else self._out)(text)

    # -- one file, and the end -----------------------------------------------------------

    def add(self, result: FileResult, *, from_stdin: bool = False) -> None:
        options = self.options
        self.tally.add(result)
        if options.mode == "diff" and result.changed:
            self._out(report.render_diff(result, context=options.diff_context, color=self.out_color))
        elif options.mode == "write":
            if options.show_diff and (result.written or from_stdin) and result.changed:
                self._out(report.render_diff(result, context=options.diff_context, color=self.out_color))
            if from_stdin:
                # The fixed text is the product (black/ruff); findings go to stderr.
                self._out(result.fixed if result.fixed is not None else (result.original or ""))
        if self.document is not None:
            self._findings(self.document.add(result))
        if not options.silent:
            self._err("".join(with_newline(warning) for warning in result.warnings))
            if options.mode != "check":
                self._err(report.render_caveats([result]))

    def close(self) -> None:
        options = self.options
        if self.document is not None:
            self._findings(self.document.close())
        elif options.statistics and self.findings_on:
            self._findings(report.statistics_of(self.tally, self.fmt))
        if not options.quiet and not options.statistics:
            self._err(report.summary_of(self.tally, fail_on=self.fail_on, mode=options.mode))
        held, self._held, self.hold = self._held, [], False
        out = "".join(text for text, to_err in held if not to_err)
        err = "".join(text for text, to_err in held if to_err)
        self._out(out)
        if self._output is not None:
            self._output.commit()
        self._err(err)

    def abandon(self) -> None:
        """The run stopped early: drop the half-written ``-o`` file."""
        if self._output is not None:
            self._output.discard()


class _AtomicOutput:
    """``-o FILE``: written to a temporary file in the same folder, renamed over FILE when complete."""

    def __init__(self, path: str) -> None:
        self.path = path
        folder = os.path.dirname(os.path.abspath(path))
        try:
            descriptor, self.temp = tempfile.mkstemp(prefix=f".{os.path.basename(path)}.", suffix=".dfix-tmp", dir=folder)
            self.handle = os.fdopen(descriptor, "wb")
        except OSError as error:
            raise UserError(f"{path}: cannot write: {error.strerror or error}") from error

    def write(self, text: str) -> None:
        self.handle.write(to_bytes(text))

    def commit(self) -> None:
        self.handle.close()
        try:
            os.replace(self.temp, self.path)
        except OSError as error:
            self.discard()
            raise UserError(f"{self.path}: cannot write: {error.strerror or error}") from error

    def discard(self) -> None:
        self.handle.close()
        with contextlib.suppress(OSError):
            os.unlink(self.temp)


# -- exit code ---------------------------------------------------------------------


def reaches(severities: frozenset[str] | set[str], fail_on: str) -> bool:
    """Whether any severity is at or above the ``fail-on`` level (levels run from ``error`` down to ``style``)."""
    from dfix.engine import Severity

    if fail_on == "none":
        return False
    return any(Severity.of(severity).at_least(fail_on) for severity in severities)


class Verdict:
    """The exit code, decided file by file: 2 dfix could not do its job; 1 something fails; else 0.

    Report mode and ``--diff`` judge the files as they stand (so they always
    agree); ``--write`` judges what remains after fixing. A file left alone
    because it changed on disk meanwhile fails the run: it was not fixed.
    """

    def __init__(self, options: RunOptions) -> None:
        self.options = options
        self.broken = False
        self.failing = False

    def add(self, item: Processed, planned: Planned) -> None:
        options = self.options
        result = item.result
        if result.io_error is not None:
            self.broken = True
        if result.parse_error is not None or result.skipped_changed:
            self.failing = True
        elif options.mode == "write":
            if not options.fix_only and reaches({d.severity for d in result.diagnostics}, planned.fail_on):
                self.failing = True
        elif reaches(item.original_severities, planned.fail_on):
            self.failing = True
        if options.exit_non_zero_on_fix and options.mode != "check" and result.changed:
            self.failing = True

    def code(self, *, missing: bool) -> int:
        if missing or self.broken:
            return 2
        return 1 if self.failing and not self.options.exit_zero else 0


# -- the other subcommands -----------------------------------------------------------


@main.command("rule", context_settings=CONTEXT_SETTINGS)
@click.argument("code", required=False)
@click.option("--all", "show_all", is_flag=True, help="List every rule: code, name, fix safety, aliases, summary.")
@click.option("--output-format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--color", "color_choice", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
def rule_command(code: str | None, show_all: bool, output_format: str, color_choice: str) -> None:
    """Explain a rule (by code, name or alias such as DL3009), or list them all with --all."""
    from dfix import explain
    from dfix.engine import all_rules

    if bool(code) == show_all:
        raise click.UsageError("give one rule code, or --all")
    stdout = sys.stdout
    color = use_color(color_choice, sys.stdout)
    if show_all:
        if output_format == "json":
            explain.write_json([explain.rule_as_dict(rule) for rule in all_rules()], stdout)
        else:
            emit(explain.render(explain.print_rule_table, color=color))
        return
    rule = explain.find_rule(code or "")
    if rule is None:
        from dfix.engine import catalogue

        note = catalogue().unimplemented_note(code or "")
        if note is not None:
            emit(note + "\n")
            return
        fail(f"error: unknown rule {code!r}; `dfix rule --all` lists every rule")
    if output_format == "json":
        explain.write_json(explain.rule_as_dict(rule), stdout)
    elif color:
        emit(explain.render(lambda console: explain.print_rule(rule, console), color=True))
    else:
        emit(explain.plain_rule(rule))


HADOLINT_CONFIG_NAMES = (".hadolint.yaml", ".hadolint.yml")


@main.command("init", context_settings=CONTEXT_SETTINGS)
@click.option(
    "--from-hadolint", is_flag=False, flag_value="", default=None, metavar="[PATH]",
    help="Convert a hadolint configuration (default: ./.hadolint.yaml or ./.hadolint.yml).",
)
def init_command(from_hadolint: str | None) -> None:
    """Write a .dfix.toml in the current folder, optionally converted from .hadolint.yaml."""
    from dfix.config import ConfigError
    from dfix.hadolint_config import write_init

    target = Path(".dfix.toml")
    if target.exists():
        fail(f"error: {target} already exists; edit it, or remove it to start again")
    source: Path | None = None
    if from_hadolint is not None:
        candidates = [Path(from_hadolint)] if from_hadolint else [Path(name) for name in HADOLINT_CONFIG_NAMES]
        source = next((path for path in candidates if path.is_file()), None)
        if source is None:
            fail(f"error: no hadolint configuration at {' or '.join(str(path) for path in candidates)}")
    try:
        write_init(target, from_hadolint=source)
    except (ConfigError, OSError, ValueError) as error:
        fail(f"error: {error}")
    emit(f"wrote {target}" + (f" from {source}" if source else "") + "\n", err=True)


@main.command("version", context_settings=CONTEXT_SETTINGS)
def version_command() -> None:
    """Print dfix's version."""
    emit(f"dfix, version {__version__}\n")


# -- the pull-request bot ------------------------------------------------------------
# Loaded when asked for (see DefaultCommandGroup.lazy_commands): GitPython and the
# HTTP client cost a third of a second that ``dfix check`` must not pay.
