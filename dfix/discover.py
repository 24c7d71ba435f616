"""Finding the Dockerfiles a run covers: names, skipped folders, ignore files, explicit paths (ux.md §7).

Discovery is conservative because a fixer that rewrites a template, a vendored
file or a generated file does harm: folders of other people's code are never
entered, look-alike names (templates, backups, docs) are skipped, and the
project's own ``.gitignore``/``.ignore``/``.git/info/exclude`` are honoured.
A path named on the command line is always processed, whatever its name,
because the user asked for it (``--force-exclude`` is the editor/hook escape).
Paths may also come from a list (``--files-from FILE``, ``@FILE``), and
``--changed-since REF`` narrows what was found to the files git reports
changed, so CI can check only what a pull request touched.
"""

from __future__ import annotations

import fnmatch
import functools
import os
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

import msgspec

from .dockerfile_names import DOCKERFILE_PATTERNS, SKIPPED_SUFFIXES, is_dockerfile_name  # noqa: F401 - discovery's API too
from .errors import DfixError

if TYPE_CHECKING:  # pragma: no cover - imported when --changed-since needs it (see changed_files)
    import git
    import pathspec

    from .config import ConfigResolver

STDIN_PATH = "-"

# Directories that hold other people's files or tool state, never the
# project's own Dockerfiles; hidden directories such as .devcontainer/ are
# still entered (hadolint-action#92).
SKIPPED_DIRECTORIES = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "venv", ".tox", ".dfix_cache"})

#: Ignore files read in every folder; later files override earlier ones, as ripgrep does.
IGNORE_FILE_NAMES = (".gitignore", ".ignore")

#: ``path -> bool``: a configuration's exclude (or include) test for one path.
PathTest = Callable[[str], bool]


def _default_is_wanted(path: str) -> bool:
    return is_dockerfile_name(os.path.basename(path))


# -- ignore files -------------------------------------------------------------


class _IgnoreFile(msgspec.Struct, frozen=True):
    """The patterns of one folder's ignore files, matched relative to that folder."""

    folder: str
    spec: pathspec.GitIgnoreSpec

    def decide(self, path: str, is_dir: bool) -> bool | None:
        """True ignored, False re-included by a ``!`` pattern, None: no pattern speaks about ``path``."""
        relative = os.path.relpath(path, self.folder).replace(os.sep, "/")
        if relative.startswith("../") or relative == "..":
            return None
        if is_dir:
            relative += "/"
        return self.spec.check_file(relative).include


def _read_patterns(paths: Iterable[str]) -> list[str]:
    lines: list[str] = []
    for path in paths:
        try:
            with open(path, encoding="utf-8", errors="surrogateescape") as handle:
                lines.extend(handle.read().splitlines())
        except OSError:
            continue  # an unreadable ignore file ignores nothing, as in git
    return lines


def _ignore_file_in(folder: str) -> _IgnoreFile | None:
    lines = _read_patterns(os.path.join(folder, name) for name in IGNORE_FILE_NAMES)
    if not any(line.strip() and not line.lstrip().startswith("#") for line in lines):
        return None
    import pathspec  # only a search through folders reads ignore files

    return _IgnoreFile(folder, pathspec.GitIgnoreSpec.from_lines(lines))


@functools.lru_cache(maxsize=1)
def _global_excludes_file() -> str | None:
    """git's ``core.excludesFile``, else its default ``$XDG_CONFIG_HOME/git/ignore``."""
    import subprocess  # only a search through folders asks git

    try:
        done = subprocess.run(
            ["git", "config", "--get", "core.excludesFile"], capture_output=True, text=True, timeout=5, check=False
        )
        configured = done.stdout.strip()
    except (OSError, subprocess.SubprocessError):
        configured = ""
    if configured:
        return os.path.expanduser(configured)
    config_home = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    return os.path.join(config_home, "git", "ignore")


def _git_root(folder: str) -> str | None:
    """The nearest folder at or above ``folder`` that holds a ``.git``."""
    current = os.path.abspath(folder)
    while True:
        if os.path.exists(os.path.join(current, ".git")):
            return current
        parent = os.path.dirname(current)
        if parent == current:
            return None
        current = parent


def _project_top(start: str) -> str:
    """Outside a repository, the highest folder whose ignore files count: the current one, if above ``start``.

    So ``dfix sub/`` honours the ``.gitignore`` that ``dfix .`` would, without
    reaching for ignore files in folders above the project.
    """
    cwd = os.getcwd()
    return cwd if os.path.commonpath([cwd, start]) == cwd else start


class IgnoreRules:
    """gitignore semantics for one walk: nested ignore files, the repository's exclude file, the global one.

    ``.gitignore`` and ``.ignore`` are honoured even outside a git repository
    (as black and ruff do), because a tree unpacked from an archive still
    means them; they are read from the walk's folder down, and from the
    folders above it up to the repository root (outside a repository: up to
    the current folder). ``.git/info/exclude`` and the global excludes file
    only apply inside a repository, where git applies them. The deepest file
    that has an opinion about a path wins, and a ``!pattern`` re-includes, as
    in git.
    """

    def __init__(self, start: str) -> None:
        start = os.path.abspath(start)
        self._root = _git_root(start)
        self._fallback: list[_IgnoreFile] = []
        if self._root is not None:
            repo_files = [os.path.join(self._root, ".git", "info", "exclude")]
            global_file = _global_excludes_file()
            for path in ([*repo_files, global_file] if global_file else repo_files):
                lines = _read_patterns([path])
                if lines:
                    import pathspec

                    self._fallback.append(_IgnoreFile(self._root, pathspec.GitIgnoreSpec.from_lines(lines)))
        # Ignore files of the folders above the walk's start, nearest first.
        self._above: list[_IgnoreFile] = []
        top = self._root or _project_top(start)
        folder = os.path.dirname(start)
        while start != top and folder.startswith(top):
            found = _ignore_file_in(folder)
            if found is not None:
                self._above.append(found)
            if folder == top:
                break
            folder = os.path.dirname(folder)
        if self._decide(start, True, self._above + self._fallback):
            # The user named an ignored folder: look inside it, judged by its own ignore files only.
            self._above, self._fallback = [], []

    @staticmethod
    def _decide(path: str, is_dir: bool, chain: Iterable[_IgnoreFile]) -> bool:
        for ignore_file in chain:
            decision = ignore_file.decide(path, is_dir)
            if decision is not None:
                return decision
        return False

    def chain_for(self, folder: str, parent_chain: list[_IgnoreFile] | None) -> list[_IgnoreFile]:
        """The ignore files that judge entries of ``folder`` (an absolute path), deepest first."""
        own = _ignore_file_in(folder)
        base = parent_chain if parent_chain is not None else self._above
        return [own, *base] if own is not None else base

    def is_ignored(self, path: str, is_dir: bool, chain: list[_IgnoreFile]) -> bool:
        return self._decide(path, is_dir, chain + self._fallback)


# -- walking ------------------------------------------------------------------


def _sort_key(path: str) -> list[str]:
    return path.split(os.sep)


def find_dockerfiles(
    directory: str,
    *,
    respect_gitignore: bool = True,
    is_excluded: PathTest | None = None,
    is_wanted: PathTest | None = None,
) -> list[str]:
    """Dockerfiles under ``directory``, recursively, sorted by path so output is reproducible.

    Symlinked directories are not followed, so a link cycle cannot loop and a
    tree is never checked twice through a link. ``is_excluded`` (the
    configuration's exclude globs) prunes folders and files; ``is_wanted``
    replaces the default name test (the configuration's include globs).
    """
    wanted = is_wanted or _default_is_wanted
    ignore = IgnoreRules(directory) if respect_gitignore else None
    chains: dict[str, list[_IgnoreFile]] = {}
    found: list[str] = []
    for root, directories, files in os.walk(directory):
        absolute_root = os.path.abspath(root)
        chain: list[_IgnoreFile] = []
        if ignore is not None:
            chain = ignore.chain_for(absolute_root, chains.get(absolute_root))

        def keep(name: str, is_dir: bool) -> bool:
            path = os.path.join(root, name)
            if is_excluded is not None and is_excluded(path):
                return False
            return ignore is None or not ignore.is_ignored(os.path.join(absolute_root, name), is_dir, chain)

        directories[:] = [
            name for name in directories
            if name not in SKIPPED_DIRECTORIES and not os.path.islink(os.path.join(root, name)) and keep(name, True)
        ]
        for name in directories:
            chains[os.path.join(absolute_root, name)] = chain
        found.extend(
            os.path.normpath(os.path.join(root, name))
            for name in files
            if wanted(os.path.join(root, name)) and keep(name, False)
        )
    return sorted(found, key=_sort_key)


class Inputs(msgspec.Struct, frozen=True):
    """What the command line named: files to process, and named paths that do not exist."""

    files: tuple[str, ...]
    missing: tuple[str, ...]


def collect_inputs(
    paths: Iterable[str],
    *,
    respect_gitignore: bool = True,
    is_excluded: PathTest | None = None,
    is_wanted: PathTest | None = None,
    force_exclude: bool = False,
) -> Inputs:
    """Expand folders; keep explicitly named files whatever their name; drop duplicates.

    ``-`` (stdin) passes through as itself. A named path that does not exist
    is collected, not raised, so the other paths are still processed. A
    named file is dropped by ``is_excluded`` only with ``force_exclude``
    (pre-commit hooks and editors pass every changed file explicitly).
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
            if force_exclude and is_excluded is not None and is_excluded(path):
                continue
            for found in find_dockerfiles(
                path, respect_gitignore=respect_gitignore, is_excluded=is_excluded, is_wanted=is_wanted
            ):
                add(found)
        elif os.path.lexists(path):
            if force_exclude and is_excluded is not None and is_excluded(path):
                continue
            add(path)
        else:
            missing.append(path)
    return Inputs(tuple(files), tuple(missing))


def collect_configured(paths: Iterable[str], resolver: "ConfigResolver", anchor: str | os.PathLike[str]) -> Inputs:
    """:func:`collect_inputs` as configured: each folder's own excludes and includes, and the
    ``respect-gitignore``/``force-exclude`` settings that apply at ``anchor`` (the run's folder)."""
    settings = resolver.settings_for(anchor)
    return collect_inputs(
        paths,
        respect_gitignore=settings.respect_gitignore,
        is_excluded=lambda path: resolver.settings_for(path).is_excluded(path),
        is_wanted=lambda path: resolver.settings_for(path).is_included(path),
        force_exclude=settings.force_exclude,
    )


# -- lists of paths (``--files-from``, ``@FILE``) ---------------------------------

#: An argument starting with this is a file listing paths (libcst's convention).
ARGUMENT_FILE_PREFIX = "@"


class PathListError(DfixError):
    """A list of paths (``--files-from FILE``, ``@FILE``) could not be read: dfix cannot do its job (exit 2)."""


def read_path_list(list_file: str) -> list[str]:
    """The paths ``list_file`` lists, one a line; blank lines and ``#`` comment lines skipped.

    Lines are stripped, so a list written on Windows (CRLF) or with stray
    trailing spaces still names the files; relative paths resolve against
    the current folder, as on the command line, so ``git diff --name-only``
    output from the repository root can be fed back as it is. A listed path
    is a path: ``@`` in a list is not expanded again.
    """
    try:
        with open(list_file, encoding="utf-8-sig", errors="surrogateescape") as handle:
            lines = handle.read().splitlines()
    except OSError as error:
        raise PathListError(f"{list_file}: cannot read the list of paths: {error.strerror or error}") from error
    stripped = (line.strip() for line in lines)
    return [line for line in stripped if line and not line.startswith("#")]


def expand_argument_files(arguments: Iterable[str]) -> list[str]:
    """Arguments with each ``@FILE`` replaced by the paths FILE lists; the rest as given.

    A file whose name really starts with ``@`` is named as ``./@name``.
    """
    expanded: list[str] = []
    for argument in arguments:
        if argument.startswith(ARGUMENT_FILE_PREFIX) and len(argument) > 1:
            expanded.extend(read_path_list(argument[1:]))
        else:
            expanded.append(argument)
    return expanded


# -- files changed in git (``--changed-since``) -----------------------------------


class ChangedSinceError(DfixError):
    """``--changed-since`` has no answer (no repository, unknown revision, no git): exit 2."""


def _git_message(error: Exception) -> str:
    """The last line git wrote on stderr (``fatal: ...``), for a one-line error."""
    text = str(getattr(error, "stderr", "") or "").strip()
    if text.startswith("stderr: '") and text.endswith("'"):  # GitPython's framing of git's own words
        text = text[len("stderr: '"):-1]
    lines = text.strip().splitlines()
    return lines[-1].strip() if lines else ""


def _repository_top(path: str, tops: dict[str, str | None]) -> str | None:
    """The work tree holding ``path`` (memoised by folder), or None outside any repository."""
    folder = os.path.abspath(path if os.path.isdir(path) else (os.path.dirname(path) or "."))
    if folder not in tops:
        tops[folder] = _git_root(folder)
    return tops[folder]


def _resolve_commit(repo: git.Repo, ref: str) -> str:
    """The commit ``ref`` names, through git itself so every revision syntax works (``@{upstream}``, ``main~3``)."""
    import git

    if ref.startswith("-") or not ref.strip():  # a leading dash would reach git as an option
        raise ChangedSinceError(f"--changed-since: {ref!r} is not a git revision")
    try:
        return repo.git.rev_parse("--verify", "--quiet", f"{ref}^{{commit}}").strip()
    except git.GitCommandError as error:
        message = _git_message(error)  # --quiet: nothing for an unknown name, a note for a tree or blob
        if message.startswith("fatal:"):  # git itself failed (dubious ownership, a broken repository)
            raise
        note = f" ({message.removeprefix('error: ')})" if message else ""
        raise ChangedSinceError(
            f"--changed-since: unknown git revision {ref!r} in {repo.working_tree_dir}{note}"
        ) from None


def _fork_point(repo: git.Repo, commit: str) -> str:
    """Where HEAD's history left ``commit``'s, so commits made on REF's side since then do not count.

    Without a common history (or before the first commit) it is ``commit`` itself.
    """
    import git

    try:
        return repo.git.merge_base(commit, "HEAD").strip() or commit
    except git.GitCommandError:
        return commit


def _changed_in(repo: git.Repo, ref: str) -> set[str]:
    """Real paths of the existing files that differ from ``ref``'s fork point, or that git does not track yet.

    ``git diff BASE`` compares BASE with the work tree, so it covers commits
    since BASE and staged and unstaged edits at once; deleted files are
    left out; untracked files count unless ignored.
    """
    top = repo.working_tree_dir
    base = _fork_point(repo, _resolve_commit(repo, ref))
    changed = repo.git.diff("--name-only", "-z", "--no-renames", "--diff-filter=d", base, "--")
    untracked = repo.git.ls_files("--others", "--exclude-standard", "-z")
    names = [name for name in (*changed.split("\0"), *untracked.split("\0")) if name]
    paths = (os.path.join(top, name) for name in names)
    return {os.path.realpath(path) for path in paths if os.path.lexists(path)}


def changed_files(ref: str, paths: Iterable[str]) -> frozenset[str]:
    """Real paths of the files changed relative to ``ref`` in the repositories that hold ``paths``.

    Each named path (a missing one aside: it is reported elsewhere) must
    be inside a git work tree; each repository is asked once. GitPython
    is imported here, not at start-up, because it refuses to import where
    no git is installed, and only this option needs git.
    """
    try:
        import git
    except ImportError as error:
        raise ChangedSinceError(f"--changed-since needs git: {error}") from error
    tops: dict[str, str | None] = {}
    changed: set[str] = set()
    asked: set[str] = set()
    for path in paths:
        if path == STDIN_PATH or not os.path.lexists(path):
            continue
        top = _repository_top(path, tops)
        if top is None:
            raise ChangedSinceError(f"--changed-since: {path} is not in a git repository")
        if top in asked:
            continue
        asked.add(top)
        try:
            with git.Repo(top) as repo:
                changed |= _changed_in(repo, ref)
        except (git.InvalidGitRepositoryError, git.NoSuchPathError) as error:
            raise ChangedSinceError(f"--changed-since: {top} holds a .git that git cannot open") from error
        except git.GitCommandError as error:
            raise ChangedSinceError(f"--changed-since: git failed in {top}: {_git_message(error) or error}") from error
    return frozenset(changed)
