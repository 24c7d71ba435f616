"""DF624 sort-package-list: sort one-package-a-line install lists and drop exact duplicates."""

from __future__ import annotations

import re
from typing import Iterator, Sequence

import msgspec

from dfix.engine import Context, Edit, Invalid, RunScript, RunView, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import PackageCommand, Word, package_spec

from ._packages import Finding, PackageCommandRule


def _apt_marker(value: str) -> bool:
    """``vim-`` (remove) or ``vim+`` (keep); ``g++``, ``gobjc++`` are package names."""
    name = package_spec("apt", value).name
    return len(name) > 1 and (name.endswith("-") or (name.endswith("+") and not name.endswith("++")))


class _Kind(msgspec.Struct, frozen=True):
    """What sorting one package manager's list means: the fix's safety and how its words are read."""

    safety: Safety
    #: Whose package words these are (`package_spec` reads them).
    family: str
    #: Words that are not packages but markers (apt's ``pkg-`` removes, ``pkg+`` keeps).
    markers: bool = False

    def name(self, value: str) -> str:
        return package_spec(self.family, value).name


#: (manager, canonical subcommand) → how to treat its package list.
_KINDS: dict[tuple[str, str], _Kind] = {
    **{(m, "install"): _Kind(Safety.SAFE, "apt", markers=True) for m in ("apt-get", "apt")},
    ("apk", "add"): _Kind(Safety.SAFE, "apk"),
    **{(m, "install"): _Kind(Safety.SAFE, "rpm") for m in ("yum", "dnf", "dnf5", "microdnf", "tdnf")},
    ("zypper", "install"): _Kind(Safety.SAFE, "zypper"),
    ("pip", "install"): _Kind(Safety.UNSAFE, "pip"),
    ("npm", "install"): _Kind(Safety.UNSAFE, "npm"),
    ("gem", "install"): _Kind(Safety.UNSAFE, "gem"),
}


def _plain(word: Word) -> bool:
    """A literal package word that may move: no expansion, no glob, not an option."""
    value = word.value
    return (
        value is not None and value != "" and not word.has_expansion and not word.has_glob
        and not word.is_option and "\n" not in word.text and not value.startswith("!")
    )


# -- the list as written ---------------------------------------------------------------------------


class _Item(msgspec.Struct, frozen=True):
    """One word of a package list and the physical line it starts on."""

    word: Word
    line: int

    @property
    def value(self) -> str:
        return self.word.value  # type: ignore[return-value]  # runs hold plain words only


class _Lines:
    """Where the words of a RUN sit in the file: their lines, and the lines that split sections.

    An editable RUN maps script offsets to file offsets; a heredoc or exec-form
    RUN (report only) has its lines in its own text.
    """

    def __init__(self, context: Context, view: RunView) -> None:
        self._context = context
        self._view = view
        info = view.run.line_info or view.run.outer_line_info
        #: Comment lines, blank continuation lines and lines holding only a ``\\``: the author's separators.
        self.breaks: tuple[int, ...] = ()
        #: Comment lines inside the RUN, by line number.
        self.comments: dict[int, str] = {}
        if info is not None and view.script is not None:
            original = info.original
            bare = (s.line for s in info.segments[1:] if not original[s.logical_start : s.logical_start + s.length].strip())
            self.breaks = tuple(sorted({*info.comment_lines, *info.empty_continuation_lines, *bare}))
            if info.comment_lines:
                file_lines = context.tree.code.split("\n")
                self.comments = {number: file_lines[number - 1].rstrip("\r") for number in info.comment_lines}

    def line(self, word: Word) -> int:
        script = self._view.script
        if script is None:
            return self._view.text.count("\n", 0, word.start)
        return self._context.line_of(script.offset(word.start))

    def split(self, first: int, second: int) -> bool:
        """A comment or blank continuation line sits between lines ``first`` and ``second``."""
        return any(first < line < second for line in self.breaks)


class _List(msgspec.Struct, frozen=True):
    """The package list of one command: its words in order, cut into runs nothing may cross.

    ``runs`` are contiguous plain words; an option, ``$VAR``, ``$(...)``, glob
    or brace word between them is an anchor. ``counts`` is how many list
    words (plain or not) each physical line holds.
    """

    runs: tuple[tuple[_Item, ...], ...]
    counts: dict[int, int]
    #: An option sits between package names (``zip gcc --no-cache make``): the list is not one list to sort.
    split_by_option: bool = False

    @property
    def one_line(self) -> bool:
        return len(self.counts) == 1

    def alone(self, item: _Item) -> bool:
        """The only word of the list on its line (the layout the guide recommends)."""
        return self.counts[item.line] == 1


def _read_list(command: PackageCommand, text: str, lines: _Lines) -> _List:
    after = command.insert_offset
    operands = [w for w in command.operands if w.start >= after]
    words = sorted(
        [(o.start, None) for o in command.options if o.start >= after] + [(w.start, w) for w in operands],
        key=lambda entry: entry[0],
    )
    counts: dict[int, int] = {}
    for word in operands:
        line = lines.line(word)
        counts[line] = counts.get(line, 0) + 1
    runs: list[list[_Item]] = [[]]
    option_after_name = split_by_option = False
    for _, word in words:
        current = runs[-1]
        if word is None and any(runs):
            option_after_name = True
        elif word is not None and option_after_name:
            split_by_option = True
        if word is None or not _plain(word):
            if current:
                runs.append([])
            continue
        if current and text[current[-1].word.end : word.start].replace("\\\n", "").strip():
            runs.append([])  # something (a redirection ...) sits between the two words
        runs[-1].append(_Item(word, lines.line(word)))
    return _List(tuple(tuple(run) for run in runs if run), counts, split_by_option)


# -- what to sort ----------------------------------------------------------------------------------


#: Packages a section needs before its order can show the author's own grouping.
_ORDER_EVIDENCE = 6


def _in_order_percent(unit: Sequence[_Item], copies: Sequence[_Item]) -> float:
    """How many of the unit's neighbouring packages (duplicates left out) are in order already, in percent.

    A list the author kept sorted and slipped in is nearly all in order; a
    list in an order of its own (tools first, then libraries; core, then
    plugins) is about half.
    """
    values = [item.value for item in unit if item not in copies]
    if len(values) < _ORDER_EVIDENCE:
        return 100.0  # too short to show an order of its own
    in_order = sum(1 for first, second in zip(values, values[1:]) if first <= second)
    return 100.0 * in_order / (len(values) - 1)


def _sections(run: Sequence[_Item], lines: _Lines) -> Iterator[tuple[_Item, ...]]:
    """The run cut at every comment or blank continuation line."""
    section: list[_Item] = []
    for item in run:
        if section and lines.split(section[-1].line, item.line):
            yield tuple(section)
            section = []
        section.append(item)
    if section:
        yield tuple(section)


def _by_line(section: Sequence[_Item]) -> Iterator[tuple[_Item, ...]]:
    line: list[_Item] = []
    for item in section:
        if line and item.line != line[-1].line:
            yield tuple(line)
            line = []
        line.append(item)
    if line:
        yield tuple(line)


#: Words of a comment that say what kind of packages follow, not which one.
_GENERIC_WORDS = frozenset(
    "the and for with from install installs installing package packages dependencies deps dep required needed "
    "build runtime run time tools libs lib dev devel headers base extra common".split()
)


def _names(comment: str, name: str) -> bool:
    """Whether a comment speaks of package ``name`` (``# python-cffi is needed on s390x``, ``# for tesseract``).

    The lines at the top of a section that its comment names are that
    comment's subject: they stay right under it, and only the lines after
    them are sorted. A comment that names none of them (``# Graphics``,
    ``# Packages needed for the build``, a commented-out package) labels
    the whole section.
    """
    name = name.lower()
    words = re.findall(r"[a-z0-9][a-z0-9+._-]*", comment.lower())
    return any(len(w) >= 3 and w not in _GENERIC_WORDS and (w in name or name in w) for w in words)


def _units(
    listing: _List, lines: _Lines, kind: _Kind, within_lines: bool, one_line: bool
) -> Iterator[tuple[_Item, ...]]:
    """The groups of words whose order the rule owns (see the rule's docstring)."""
    if listing.one_line:
        if one_line:
            yield from listing.runs
        return
    for run in listing.runs:
        for section in _sections(run, lines):
            if all(listing.alone(item) for item in section):
                comment = lines.comments.get(section[0].line - 1)
                while comment is not None and section and _names(comment, kind.name(section[0].value)):
                    section = section[1:]  # a line the comment speaks of stays under it
                yield section
            elif within_lines:
                yield from (words for words in _by_line(section) if not listing.alone(words[0]))


# -- duplicates --------------------------------------------------------------------------------------


def _duplicates(listing: _List, kind: _Kind) -> tuple[list[_Item], list[str], str | None]:
    """Later copies of a word earlier in the same run, the duplicated values, and why they stay (or None).

    Only a word written exactly the same is a duplicate. The copies stay
    when the same package is also written another way (``curl=7.1``, apt's
    ``curl-`` marker): then the order of the mentions may decide what is
    installed.
    """
    spellings: dict[str, set[str]] = {}
    for run in listing.runs:
        for item in run:
            spellings.setdefault(kind.name(item.value), set()).add(item.value)
    copies: list[_Item] = []
    values: list[str] = []
    blocked: list[str] = []
    for run in listing.runs:
        seen: set[str] = set()
        for item in run:
            if item.value not in seen:
                seen.add(item.value)
                continue
            if item.value not in values:
                values.append(item.value)
            name = kind.name(item.value)
            if len(spellings[name]) > 1 or (kind.markers and any(_apt_marker(s) for s in spellings[name])):
                blocked.append(f"`{name}` is also named another way")
            else:
                copies.append(item)
    return copies, values, "; ".join(dict.fromkeys(blocked)) or None


class _Deletions:
    """File edits that remove words from a list, keeping every line's own indent and ``\\`` spacing.

    A word alone on a continued line goes with its line; a word sharing its
    line goes with the blanks before it (or after it, when it starts the
    line); a word that ends the list alone on its line is joined to the line
    before, which then ends where the list ends.
    """

    def __init__(self, context: Context, escape: str) -> None:
        self._text = context.tree.code
        self._escape = escape
        self.edits: list[Edit] = []

    def remove(self, start: int, end: int, next_start: int | None) -> bool:
        """Remove the word at file offsets ``start:end`` (``next_start``: the next list word on its line)."""
        text = self._text
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line_end = len(text) if line_end < 0 else line_end
        content = text[line_start:line_end].rstrip("\r")
        before, after = text[line_start:start], text[end : line_start + len(content)]
        if before.strip(" \t"):  # another word precedes it on the line
            edit = Edit(start - (len(before) - len(before.rstrip(" \t"))), end, "")
        elif after.strip(" \t") == self._escape:  # alone on a continued line
            edit = Edit(line_start, min(line_end + 1, len(text)), "")
        elif next_start is not None:  # the next list word follows on the line
            edit = Edit(start, next_start, "")
        else:  # ends the list on its own line: join to the line before
            previous_end = line_start - 1  # the previous line's newline
            previous_start = text.rfind("\n", 0, previous_end) + 1
            previous = text[previous_start:previous_end].rstrip("\r").rstrip(" \t")
            body = previous[: -len(self._escape)].strip()
            if not previous.endswith(self._escape) or not body or body.startswith("#"):
                return False  # a comment or blank line before it (or nothing to join to)
            edit = Edit(previous_start + len(previous[: -len(self._escape)].rstrip(" \t")), end, "")
        if any(edit.start < other.end and other.start < edit.end for other in self.edits):
            return False  # next to another removal: the next round does it on fresh text
        self.edits.append(edit)
        return True


_PADDING = lazy_pattern(r" {2,}(?=[^ \t\r\n])")


def _line_bounds(text: str, offset: int) -> tuple[int, int]:
    """Start and end (before its newline) of the line holding ``offset``."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return start, (len(text) if end < 0 else end)


class _Ending(msgspec.Struct, frozen=True):
    """Where a line's continuation ``\\`` sits, and whether two or more spaces pad it there."""

    column: int
    padded: bool

    @classmethod
    def of(cls, text: str, start: int, end: int, escape: str) -> "_Ending | None":
        content = text[start:end].rstrip("\r").rstrip(" \t")
        if not content.endswith(escape):
            return None
        return cls(len(content) - len(escape), content[: -len(escape)].endswith("  "))


class _Columns:
    """Keeps aligned ``\\`` columns where they were when words change length.

    A line is aligned when its ``\\`` sits at the same column as the ``\\`` of
    the line above or below and one of the two is padded to it with two or
    more spaces. On such a line the padding after the last change (the first
    run of two or more spaces, else the single space before the ``\\``) grows
    or shrinks by the change, keeping at least one space. On any other line
    the spacing is the line's own and stays as it is.
    """

    def __init__(self, text: str, escape: str) -> None:
        self._text = text
        self._escape = escape

    def _ending(self, start: int, end: int) -> _Ending | None:
        return _Ending.of(self._text, start, end, self._escape)

    def _aligned(self, start: int, end: int) -> bool:
        own = self._ending(start, end)
        if own is None:
            return False
        text = self._text
        neighbours = []
        if start > 0:
            neighbours.append(self._ending(*_line_bounds(text, start - 1)))
        if end < len(text):
            neighbours.append(self._ending(*_line_bounds(text, end + 1)))
        return any(n is not None and n.column == own.column and (n.padded or own.padded) for n in neighbours)

    def _padding(self, start: int, end: int, last: int) -> tuple[int, int] | None:
        run = _PADDING.search(self._text, last, end)
        if run is not None:
            return run.start(), run.end()
        ending = self._ending(start, end)
        if ending is None:
            return None
        column = start + ending.column
        if column - 1 >= last and self._text[column - 1] == " ":
            return column - 1, column
        return None

    def edits(self, edits: Sequence[Edit]) -> list[Edit]:
        """The padding edits that keep the aligned lines touched by ``edits`` aligned."""
        text = self._text
        lines: dict[int, list[Edit]] = {}
        for edit in edits:
            if "\n" in text[edit.start : edit.end]:
                continue  # a removed line, or a line joined to the one before
            lines.setdefault(_line_bounds(text, edit.start)[0], []).append(edit)
        padding: list[Edit] = []
        for start, changes in lines.items():
            end = _line_bounds(text, start)[1]
            grown = sum(edit.delta for edit in changes)
            if not grown or not self._aligned(start, end):
                continue
            run = self._padding(start, end, max(edit.end for edit in changes))
            if run is None or any(edit.start < run[1] and run[0] < edit.end for edit in edits):
                continue
            width = max(1, run[1] - run[0] - grown)
            padding.append(Edit(run[0], run[1], " " * width))
        return padding


# -- the rule ------------------------------------------------------------------------------------------


class SortPackageList(PackageCommandRule):
    """Sort one-package-a-line install lists and drop exact duplicates, keeping the author's groups.

    A sorted one-package-a-line list (the guide's advice) makes diffs small
    and duplicates visible. Checked: ``apt-get``/``apt install``, ``apk
    add``, ``yum``/``dnf``/``microdnf install``, ``zypper install``, ``pip
    install``, ``npm install`` and ``gem install``.

    What is sorted respects how the author laid the list out:

    * A list written one package a line is sorted (byte order). Comment
      lines, blank continuation lines and lines holding only a ``\\`` cut
      it into sections, each sorted on its own, so a comment stays above
      the lines it describes. When a comment names the packages right
      under it (``# libffi-dev and libssl-dev are needed on s390x``), it is
      their note: those lines stay under it and the rest is sorted.
    * A line holding several packages is a group the author chose
      (``clamav clamav-daemon amavisd-new``): its words stay in their order
      and on their line. A section that mixes such groups with one-package
      lines is kept as written too: the author orders it by groups, and a
      partial sort of the single lines between them would give neither a
      sorted list nor the author's order. Option ``sort-within-lines``
      (default false) sorts the words inside each such line, never across
      lines.
    * A list on one line (``apt-get install -y dpkg-dev dpkg``) is left in
      its order; option ``sort-one-line`` (default false) sorts it.
    * Nothing moves across a ``$VAR``, ``$(...)``, glob or brace word
      between packages: each is an anchor, and the words on each side are
      sorted apart. A list with an option between its packages (``zip gcc
      --no-cache gcc make``) is not sorted at all: sorting the part before
      the option would be churn that leaves the list unsorted.

    * A section of six packages or more is sorted only when most of it is
      in order already (option ``min-in-order-percent``, default 75: that
      share of its neighbouring packages): then a package slipped out of
      the author's order. A long list about half in order follows an order
      of the author's (tools first, then libraries; a program, then its
      plugins), which is left alone and not reported.

    Sorting moves package words only: each line keeps its indent, its
    chaining and whatever spacing it has before its ``\\``. Where the
    ``\\`` of neighbouring lines are padded to one column, the padding
    follows the change and the column stays aligned.

    Duplicates (the same word written twice in a run between anchors) are
    reported wherever they are and removed everywhere, in sorted or unsorted
    lists alike: installing a package twice does nothing more, so removing
    the later copy changes nothing else and moves no other word. A copy
    alone on its line goes with its line.

    Safety: safe for apt, apk, the rpm family and zypper (they resolve the
    whole list at once); unsafe for pip, npm and gem, whose resolvers can
    depend on the order. Not sorted, only reported: a section with apt
    ``pkg-``/``pkg+`` markers, or naming one package twice with different
    pins (``curl=1``, ``curl=2``), or with a word split by a line
    continuation; a duplicate whose package is also written another way
    stays. Exec-form and heredoc RUNs are reported only.
    """

    code = "DF624"
    name = "sort-package-list"
    summary = "install command whose one-package-a-line list is unsorted, or which names a package twice"
    safety = Safety.SAFE
    severity = "style"
    options = {"sort-within-lines": False, "sort-one-line": False, "min-in-order-percent": 75}
    option_ranges = {"min-in-order-percent": (0, 100)}

    valid = (
        Valid(
            "FROM alpine:3.7\nRUN apk add \\\n    zip \\\n    gcc \\\n    --no-cache gcc make\n",
            "an option between the names: sorting the part before it would leave the list unsorted",
        ),
        Valid("FROM debian\nRUN apt-get install -y curl git make\n"),
        Valid("FROM debian\nRUN apt-get install -y \\\n      curl \\\n      git \\\n      make\n"),
        Valid("FROM debian\nRUN apt-get install -y dpkg-dev dpkg\n", "a list on one line keeps its order"),
        Valid(
            "FROM debian\nRUN apt-get install -y \\\n"
            "    clamav clamav-daemon amavisd-new spamassassin \\\n"
            "    arj bzip2 cabextract cpio\n",
            "each line is a group the author chose",
        ),
        Valid(
            "FROM debian\nRUN apt-get install -y \\\n    python3 \\\n    libxml2-dev libxslt1-dev \\\n    curl\n",
            "a section mixing groups and single lines is kept as written",
        ),
        Valid(
            "FROM debian\nRUN apt-get install -y \\\n    # build\n    gcc \\\n    make \\\n"
            "    # runtime\n    curl \\\n    zlib1g\n",
            "each section between comments is sorted on its own",
        ),
        Valid(
            "FROM debian\nRUN apt-get install -y \\\n    zlib \\\n    $EXTRA \\\n    curl\n", "a variable is an anchor"
        ),
        Valid("FROM debian\nRUN apt-get install -y \\\n    zlib \\\n    lib* \\\n    curl\n", "a glob is an anchor"),
        Valid(
            "FROM debian\nRUN apt-get install -y \\\n    zlib \\\n    -t bullseye-backports \\\n    curl\n",
            "never sort across an interleaved option",
        ),
        Valid(
            "FROM alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev\n", "the --virtual name is not a package"
        ),
        Valid("FROM debian\nRUN apt-get install -y \"$(cat packages.txt)\" curl\n"),
        Valid("FROM debian\nRUN apt-get remove -y \\\n    zlib \\\n    curl\n", "not an install"),
        Valid("FROM node:20\nRUN yarn add \\\n    zlib \\\n    curl\n", "yarn is not checked"),
        Valid(
            "FROM debian\nRUN sh -c 'apt-get install -y zlib curl zlib'\n",
            "nested interpreters are not descended into",
        ),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\n'
            "RUN apt-get install -y zlib curl zlib\n",
            "not a POSIX shell",
        ),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "      make \\\n      curl \\\n      git \\\n  && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "      curl \\\n      git \\\n      make \\\n  && rm -rf /var/lib/apt/lists/*\n",
            "one per line is sorted and stays one per line",
            message="`apt-get install` package list: not sorted (byte order)",
            line=2,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    wget\\\n    curl \\\n    git\n",
            "FROM debian\nRUN apt-get install -y \\\n    curl\\\n    git \\\n    wget\n",
            "the spacing before `\\` belongs to the line, not to the package",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y          \\\n    zlib1g          \\\n"
            "    ca-certificates \\\n    curl            \\\n && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN apt-get install -y          \\\n    ca-certificates \\\n"
            "    curl            \\\n    zlib1g          \\\n && rm -rf /var/lib/apt/lists/*\n",
            "backslashes aligned to a column stay aligned",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y git nano curl \\\n"
            "    make nano wget                   \\\n"
            "    zlib1g                           \\\n && true\n",
            "FROM debian\nRUN apt-get install -y git nano curl \\\n"
            "    make wget                        \\\n"
            "    zlib1g                           \\\n && true\n",
            "a removed word leaves its width to the padding of an aligned `\\`",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    zlib1g   \\\n    curl \\\n    git\n",
            "FROM debian\nRUN apt-get install -y \\\n    curl   \\\n    git \\\n    zlib1g\n",
            "spacing that aligns nothing is the line's own",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    # build tools\n    make \\\n    gcc \\\n"
            "    # run time\n    zlib1g \\\n    curl\n",
            "FROM debian\nRUN apt-get install -y \\\n    # build tools\n    gcc \\\n    make \\\n"
            "    # run time\n    curl \\\n    zlib1g\n",
            "a comment line starts a section, sorted on its own; the comment stays above it",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    zip \\\n"
            "# libffi-dev and libssl-dev are needed to build paramiko on s390x\n"
            "    libffi-dev \\\n    libssl-dev \\\n    python-mock \\\n    binutils\n",
            "FROM debian\nRUN apt-get install -y \\\n    zip \\\n"
            "# libffi-dev and libssl-dev are needed to build paramiko on s390x\n"
            "    libffi-dev \\\n    libssl-dev \\\n    binutils \\\n    python-mock\n",
            "packages a comment names stay under it; the lines after them are sorted",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    make \\\n    gcc \\\n\n    zlib1g \\\n    curl\n",
            "FROM debian\nRUN apt-get install -y \\\n    gcc \\\n    make \\\n\n    curl \\\n    zlib1g\n",
            "a blank continuation line splits sections too",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    zlib1g \\\n    curl \\\n    \\\n    make \\\n    gcc\n",
            "FROM debian\nRUN apt-get install -y \\\n    curl \\\n    zlib1g \\\n    \\\n    gcc \\\n    make\n",
            "so does a line holding only a `\\`",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    git \\\n    curl \\\n    git \\\n    make\n",
            "FROM debian\nRUN apt-get install -y \\\n    curl \\\n    git \\\n    make\n",
            "a duplicate line goes away",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    git \\\n    curl \\\n    git\n",
            "FROM debian\nRUN apt-get install -y \\\n    curl \\\n    git\n",
            "a duplicate on the last line: the line that remains ends the list",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    python3 python3-pip python3 \\\n    libxml2-dev \\\n"
            "    curl wget \\\n    libxml2-dev\n",
            "FROM debian\nRUN apt-get install -y \\\n    python3 python3-pip \\\n    libxml2-dev \\\n"
            "    curl wget\n",
            "duplicates leave grouped lines, nothing else moves",
            message="`apt-get install` package list: duplicate `python3`, `libxml2-dev`",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y dpkg-dev curl dpkg curl\n",
            "FROM debian\nRUN apt-get install -y dpkg-dev curl dpkg\n",
            "a one-line list keeps its order, its duplicate goes",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    zlib1g \\\n    curl \\\n    wget \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN apt-get install -y \\\n    curl \\\n    wget \\\n    zlib1g \\\n"
            "    && rm -rf /var/lib/apt/lists/*\n",
            "the operator line after the list stays",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    zlib \\\n    make \\\n    $EXTRA \\\n    git \\\n    curl\n",
            "FROM debian\nRUN apt-get install -y \\\n    make \\\n    zlib \\\n    $EXTRA \\\n    curl \\\n    git\n",
            "runs on both sides of an anchor are sorted apart",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n"
            "    git=1:2.39.2-1 \\\n    curl=7.88.1-10 \\\n    ca-certificates\n",
            "FROM debian\nRUN apt-get install -y \\\n"
            "    ca-certificates \\\n    curl=7.88.1-10 \\\n    git=1:2.39.2-1\n",
            "pinned versions move with their package",
        ),
        Invalid(
            "FROM debian\r\nRUN set -eux; \\\r\n\tapt-get install -y \\\r\n\t\tgit \\\r\n\t\tcurl \\\r\n\t\tgit \\\r\n"
            "\t\tbash; \\\r\n\ttrue\r\n",
            "FROM debian\r\nRUN set -eux; \\\r\n\tapt-get install -y \\\r\n\t\tbash \\\r\n\t\tcurl \\\r\n"
            "\t\tgit; \\\r\n\ttrue\r\n",
            "CRLF, tabs, set -eux",
        ),
        Invalid(
            "FROM alpine\nRUN apk add --no-cache --virtual .deps \\\n    \"musl-dev\" \\\n    gcc\n",
            "FROM alpine\nRUN apk add --no-cache --virtual .deps \\\n    gcc \\\n    \"musl-dev\"\n",
            "quoted words sort by value and move as written",
        ),
        Invalid(
            "FROM debian\nRUN env DEBIAN_FRONTEND=noninteractive apt-get install -y curl git curl vim\n",
            "FROM debian\nRUN env DEBIAN_FRONTEND=noninteractive apt-get install -y curl git vim\n",
            "a duplicate on one line, through env",
        ),
        Invalid(
            "# escape=`\nFROM debian\nRUN apt-get install -y `\n    git `\n    curl\n",
            "# escape=`\nFROM debian\nRUN apt-get install -y `\n    curl `\n    git\n",
            "a backtick escape",
        ),
        Invalid(
            "FROM fedora\nRUN dnf install -y \\\n    which \\\n    tar\n",
            "FROM fedora\nRUN dnf install -y \\\n    tar \\\n    which\n",
        ),
        Invalid(
            "FROM opensuse/leap\nRUN zypper -n in \\\n    vim \\\n    curl\n",
            "FROM opensuse/leap\nRUN zypper -n in \\\n    curl \\\n    vim\n",
        ),
        Invalid(
            "FROM debian\nONBUILD RUN apt-get install -y \\\n    git \\\n    curl\n",
            "FROM debian\nONBUILD RUN apt-get install -y \\\n    curl \\\n    git\n",
            "token-local edit in an ONBUILD trigger",
        ),
        Invalid(
            "FROM python:3.12\nRUN pip install \\\n    requests \\\n    flask\n",
            "FROM python:3.12\nRUN pip install \\\n    flask \\\n    requests\n",
            "pip: order can matter to the resolver",
            unsafe=True,
        ),
        Invalid(
            "FROM node:20\nRUN npm install -g \\\n    typescript \\\n    @angular/cli \\\n"
            "  && gem install rake bundler rake\n",
            "FROM node:20\nRUN npm install -g \\\n    @angular/cli \\\n    typescript \\\n"
            "  && gem install rake bundler\n",
            "npm and gem: unsafe",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    vim \\\n    nano-\n", None, "apt's removal marker"
        ),
        Invalid("FROM debian\nRUN apt-get install -y \\\n    vim \\\n    nano+\n", None, "apt's keep marker"),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    make \\\n    g++ \\\n    gobjc++\n",
            "FROM debian\nRUN apt-get install -y \\\n    g++ \\\n    gobjc++ \\\n    make\n",
            "`g++` is a package, not a marker",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    curl=7.1 \\\n    git \\\n    curl=7.2\n",
            None,
            "differing pinned duplicates",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y curl curl=7.2 curl\n", None, "a copy of a package also pinned stays"
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    vim \\\n    gi\\\nt\n", None, "a word split by a line continuation"
        ),
        Invalid(
            'FROM debian\nRUN ["apt-get", "install", "-y", "git", "curl", "git"]\n', None, "exec form"
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\nFROM debian\nRUN <<EOF\napt-get install -y \\\n  git \\\n  curl\nEOF\n",
            None,
            "heredoc",
        ),
    )

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterator[Finding]:
        lines: _Lines | None = None
        for command in commands:
            kind = _KINDS.get((command.manager, command.subcommand or ""))
            if kind is None:
                continue
            lines = lines or _Lines(context, view)
            finding = self._finding(context, view, command, kind, lines)
            if finding is not None:
                yield finding

    def _finding(
        self, context: Context, view: RunView, command: PackageCommand, kind: _Kind, lines: _Lines
    ) -> Finding | None:
        listing = _read_list(command, view.model.text, lines)  # type: ignore[union-attr]
        units = [
            unit for unit in _units(listing, lines, kind, bool(self.settings["sort-within-lines"]),
                                    bool(self.settings["sort-one-line"]))
            if len(unit) > 1
        ] if not listing.split_by_option else []  # sorting part of it would be churn that leaves it unsorted
        copies, duplicated, kept = _duplicates(listing, kind)
        unsorted = [unit for unit in units if [i.value for i in unit] != sorted({i.value for i in unit})]
        unsorted = [unit for unit in unsorted if not self._sorted_once_copies_go(unit, copies)]
        threshold = int(self.settings["min-in-order-percent"])  # type: ignore[call-overload]
        unsorted = [unit for unit in unsorted if _in_order_percent(unit, copies) >= threshold]
        if not unsorted and not duplicated:
            return None
        problems = []
        if unsorted:
            problems.append("not sorted (byte order)")
        if duplicated:
            problems.append(f"duplicate {', '.join(f'`{v}`' for v in duplicated)}")
        spelled = " ".join(w.value or w.text for w in command.program_words + command.subcommand_words)
        message = f"`{spelled}` package list: {'; '.join(problems)}"
        where = view.span(command.start, command.end)
        notes = [kept] if kept else []
        guard = self.report_only(view)
        if guard:
            return Finding(where, message, note=guard)
        edits, blockers, removes = self._edits(context, view, listing, unsorted, copies, kind)
        notes += blockers
        note = "; ".join(dict.fromkeys(notes)) or None
        if not edits:
            return Finding(where, message, note=note)
        title = " and ".join(
            part for part, wanted in (("sort the package list", unsorted), ("remove the duplicates", removes)) if wanted
        )
        return Finding(where, message, tuple(edits), kind.safety, title, note=note)

    @staticmethod
    def _sorted_once_copies_go(unit: Sequence[_Item], copies: Sequence[_Item]) -> bool:
        """The unit is in order but for duplicates (``curl git curl``): removing them is enough."""
        left = [item.value for item in unit if item not in copies]
        return left == sorted(left)

    def _edits(
        self, context: Context, view: RunView, listing: _List, units: list[tuple[_Item, ...]],
        copies: list[_Item], kind: _Kind,
    ) -> tuple[list[Edit], list[str], bool]:
        """The fix's edits, why some of it cannot be done, and whether it removes duplicates."""
        script = view.script
        assert script is not None
        blockers: list[str] = []
        deletions = _Deletions(context, context.tree.escape)
        sortable: list[tuple[_Item, ...]] = []
        for unit in units:
            blocker = self._blocker(unit, kind, script)
            if blocker:
                blockers.append(blocker)
            else:
                sortable.append(unit)
        copies = self._prefer_whole_lines(copies, sortable, listing)
        removed: set[_Item] = set()
        for item in copies:
            if script.spans_continuation(item.word.start, item.word.end):
                blockers.append("a package word is split by a line continuation")
                continue
            start, end = script.file_range(item.word.start, item.word.end)
            following = self._next_on_line(item, listing)
            next_start = script.offset(following.word.start) if following is not None else None
            if deletions.remove(start, end, next_start):
                removed.add(item)
            else:
                blockers.append("a duplicate next to a comment line or another copy stays for now")
        edits = list(deletions.edits)
        for unit in sortable:
            slots = [item for item in unit if item not in removed]
            for slot, item in zip(slots, sorted(slots, key=lambda item: item.value)):
                if item.word.text != slot.word.text:
                    edits.append(script.replace(slot.word.start, slot.word.end, item.word.text))
        return edits + _Columns(context.tree.code, context.tree.escape).edits(edits), blockers, bool(removed)

    @staticmethod
    def _next_on_line(item: _Item, listing: _List) -> _Item | None:
        for run in listing.runs:
            for index, other in enumerate(run):
                if other is item:
                    following = run[index + 1] if index + 1 < len(run) else None
                    return following if following is not None and following.line == item.line else None
        return None

    @staticmethod
    def _prefer_whole_lines(
        copies: list[_Item], units: list[tuple[_Item, ...]], listing: _List
    ) -> list[_Item]:
        """In a sorted section it does not matter which copy goes: take one off the section's last line.

        Removing a copy that ends the list alone would join its line to the
        one before; removing another copy lets the whole line go instead.
        """
        chosen = list(copies)
        for unit in units:
            last = unit[-1]
            if last not in chosen or not listing.alone(last):
                continue
            twins = [i for i in unit[:-1] if i.value == last.value and i not in chosen]
            if twins:
                chosen[chosen.index(last)] = twins[0]
        return chosen

    @staticmethod
    def _blocker(unit: Sequence[_Item], kind: _Kind, script: RunScript) -> str | None:
        """Why the words of ``unit`` may not be reordered (None when they may)."""
        if kind.markers and any(_apt_marker(item.value) for item in unit):
            return "apt's `pkg-`/`pkg+` markers are in the list"
        names: dict[str, str] = {}
        for item in unit:
            name = kind.name(item.value)
            if names.setdefault(name, item.value) != item.value:
                return f"`{name}` is named twice with different versions"
        if any(script.spans_continuation(item.word.start, item.word.end) for item in unit):
            return "a package word is split by a line continuation"
        return None
