"""The ``dfix`` command: find Dockerfiles, check each one, print what was found.

Three layers, so the rule engine can plug in without touching the other two:

* discovery turns the command line's paths into the Dockerfiles to check;
* :func:`check_text` checks one file's text and returns a :class:`FileReport`
  (today: BuildKit's parse errors and warnings; later: rule diagnostics);
* the :func:`main` command prints reports and maps them to an exit code.

Exit codes follow ``ux.md`` §3: 0 all files parse, 1 a file failed to parse,
2 dfix could not do its job (usage error, a named path missing or unreadable,
an internal error). A failing file never stops the others.
"""

from __future__ import annotations

import enum
import fnmatch
import os
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Literal

import click

import dfix

STDIN_PATH = "-"

Severity = Literal["error", "warning"]

# -- discovery (ux.md §7; .gitignore support comes with the config layer) ------

# Directories that hold other people's files or tool state, never the
# project's own Dockerfiles; hidden directories such as .devcontainer/ are
# still entered (hadolint-action#92).
SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".dfix_cache"})

# Matched case-insensitively against the file name.
DOCKERFILE_PATTERNS = (
    "dockerfile", "dockerfile.*", "*.dockerfile", "containerfile", "containerfile.*", "*.containerfile",
)

# Names that match a pattern above but are templates, backups, ignore files or
# documentation next to a Dockerfile rather than a Dockerfile.
SKIPPED_SUFFIXES = (
    ".dockerignore", ".containerignore",
    ".in", ".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template", ".erb", ".orig", ".rej", ".bak", ".swp", "~",
    ".md", ".txt", ".rst", ".json", ".yaml", ".yml", ".sh", ".py", ".lock",
)


def is_dockerfile_name(name: str) -> bool:
    """Whether a file found while walking a folder should be checked."""
    lowered = name.lower()
    if not any(fnmatch.fnmatchcase(lowered, pattern) for pattern in DOCKERFILE_PATTERNS):
        return False
    return not lowered.endswith(SKIPPED_SUFFIXES)


def find_dockerfiles(directory: str) -> list[str]:
    """Dockerfiles under ``directory``, recursively, sorted by path so output is reproducible.

    Symlinked directories are not followed, so a link cycle cannot loop and a
    tree is never checked twice through a link.
    """
    found: list[str] = []
    for root, directories, files in os.walk(directory):
        directories[:] = [
            name for name in directories
            if name not in SKIPPED_DIRECTORIES and not os.path.islink(os.path.join(root, name))
        ]
        found.extend(os.path.normpath(os.path.join(root, name)) for name in files if is_dockerfile_name(name))
    return sorted(found, key=lambda path: path.split(os.sep))


@dataclass(frozen=True)
class Inputs:
    """What the command line named: files to check, and named paths that do not exist."""

    files: tuple[str, ...]
    missing: tuple[str, ...]


def collect_inputs(paths: Iterable[str]) -> Inputs:
    """Expand folders; keep explicitly named files whatever their name; drop duplicates.

    ``-`` (stdin) passes through as itself. A named path that does not exist
    is collected, not raised, so the other paths are still checked.
    """
    files: list[str] = []
    missing: list[str] = []
    seen: set[str] = set()

    def add(path: str) -> None:
        key = path if path == STDIN_PATH else os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            files.append(path)

    for path in paths:
        if path == STDIN_PATH:
            add(path)
        elif os.path.isdir(path):
            for found in find_dockerfiles(path):
                add(found)
        elif os.path.lexists(path):
            add(path)
        else:
            missing.append(path)
    return Inputs(tuple(files), tuple(missing))


# -- checking one file ----------------------------------------------------------


class Outcome(enum.Enum):
    """How checking a file went; decides the exit code."""

    OK = "ok"
    PARSE_ERROR = "parse-error"
    UNREADABLE = "unreadable"
    INTERNAL_ERROR = "internal-error"


@dataclass(frozen=True)
class Finding:
    """One line of output about one place in one file."""

    path: str
    line: int
    column: int
    message: str
    severity: Severity

    def render(self) -> str:
        """``path:line:col: message``; warnings say so, errors are the default."""
        label = "" if self.severity == "error" else f"{self.severity}: "
        return f"{self.path}:{self.line}:{self.column}: {label}{self.message}"


@dataclass(frozen=True)
class FileReport:
    """Everything dfix has to say about one file."""

    path: str
    outcome: Outcome
    findings: tuple[Finding, ...] = ()
    problem: str | None = None  # why the file could not be checked at all


def check_text(text: str, path: str) -> FileReport:
    """Check one Dockerfile's text. The rule engine's diagnostics will join here."""
    try:
        tree = dfix.parse(text, path)
    except dfix.ParseError as error:
        finding = Finding(path, error.line, error.column, error.message, "error")
        return FileReport(path, Outcome.PARSE_ERROR, (finding,))
    except Exception as error:  # noqa: BLE001 - a parser bug must not end a bulk run
        return FileReport(path, Outcome.INTERNAL_ERROR, problem=internal_error_message(error))
    warnings = tuple(Finding(path, w.line, w.column, w.message, "warning") for w in tree.warnings)
    return FileReport(path, Outcome.OK, warnings)


def check_file(path: str) -> FileReport:
    """Read and check one file; an unreadable file is a report, not an exception."""
    try:
        text = dfix.read_dockerfile(path)
    except OSError as error:
        return FileReport(path, Outcome.UNREADABLE, problem=f"cannot read: {error.strerror or error}")
    return check_text(text, path)


def check_stdin(display_path: str) -> FileReport:
    """Check the Dockerfile on standard input, decoded as files are (lossless)."""
    data = click.get_binary_stream("stdin").read()
    return check_text(data.decode("utf-8", "surrogateescape"), display_path)


def internal_error_message(error: BaseException) -> str:
    """One line for a dfix bug, so a bulk run reports it and goes on to the next file."""
    return f"internal error: {type(error).__name__}: {error} (please report this as a dfix bug)"


# -- the command ----------------------------------------------------------------


def echo(line: str, *, err: bool = False) -> None:
    """Print a line, writing undecodable bytes of the file (or its name) back as they were.

    Messages quote the file's own text, which ``read_dockerfile`` decoded with
    ``surrogateescape``; a plain text stream would raise on those characters.
    """
    click.echo(line.encode("utf-8", "surrogateescape"), err=err)


def exit_code(reports: Sequence[FileReport], missing: Sequence[str]) -> int:
    """2 if dfix could not do its job, else 1 if a file failed to parse, else 0."""
    outcomes = {report.outcome for report in reports}
    if missing or outcomes & {Outcome.UNREADABLE, Outcome.INTERNAL_ERROR}:
        return 2
    if Outcome.PARSE_ERROR in outcomes:
        return 1
    return 0


def summary(reports: Sequence[FileReport]) -> str:
    """The closing line: ``N files checked, M failed to parse``."""
    checked = len(reports)
    failed = sum(report.outcome is Outcome.PARSE_ERROR for report in reports)
    files = "file" if checked == 1 else "files"
    return f"{checked} {files} checked, {failed} failed to parse"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.argument("paths", nargs=-1, type=click.Path(dir_okay=True, file_okay=True, allow_dash=True))
@click.option(
    "--stdin-filename",
    metavar="NAME",
    help="Name to report for the Dockerfile read from stdin ('-'); with no PATHS, read stdin.",
)
@click.version_option(dfix.__version__, "--version", "-V", prog_name="dfix")
def main(paths: tuple[str, ...], stdin_filename: str | None) -> None:
    """Check Dockerfiles: files, folders (searched recursively) or - for stdin.

    With no PATHS the current folder is searched. Parse errors and BuildKit's
    warnings go to stdout as path:line:col: message; the summary goes to stderr.
    """
    if not paths:
        paths = (STDIN_PATH,) if stdin_filename else (".",)
    inputs = collect_inputs(paths)
    for path in inputs.missing:
        echo(f"{path}: error: no such file or directory", err=True)

    reports: list[FileReport] = []
    for path in inputs.files:
        report = check_stdin(stdin_filename or STDIN_PATH) if path == STDIN_PATH else check_file(path)
        reports.append(report)
        if report.problem is not None:
            echo(f"{report.path}: error: {report.problem}", err=True)
        for finding in report.findings:
            echo(finding.render())

    if not inputs.files and not inputs.missing:
        echo("warning: no Dockerfiles found", err=True)
    echo(summary(reports), err=True)
    sys.exit(exit_code(reports, inputs.missing))
