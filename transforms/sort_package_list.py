"""DF624 sort-package-list: keep install lists sorted and free of duplicates."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator

from dfix.engine import Context, Edit, Invalid, RunView, Safety, Valid
from dfix.shell import PackageCommand, Word, package_spec

from ._packages import Finding, PackageCommandRule


def _apt_marker(value: str) -> bool:
    """``vim-`` (remove) or ``vim+`` (keep); ``g++``, ``gobjc++`` are package names."""
    name = package_spec("apt", value).name
    return len(name) > 1 and (name.endswith("-") or (name.endswith("+") and not name.endswith("++")))


@dataclass(frozen=True)
class _Kind:
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


def _runs(command: PackageCommand, text: str) -> list[list[Word]]:
    """Contiguous runs of plain package words after the subcommand, split at every anchor."""
    after = command.insert_offset
    items = sorted(
        [(o.start, None) for o in command.options if o.start >= after]
        + [(w.start, w) for w in command.operands if w.start >= after],
        key=lambda item: item[0],
    )
    runs: list[list[Word]] = [[]]
    for _, word in items:
        current = runs[-1]
        if word is None or not _plain(word):
            if current:
                runs.append([])
            continue
        if current and text[current[-1].end : word.start].strip():
            runs.append([])  # something (a redirection ...) sits between the two words
        runs[-1].append(word)
    return [run for run in runs if len(run) > 1]


class SortPackageList(PackageCommandRule):
    """Sort the package words of install commands and drop exact duplicates.

    A sorted list (the founding guide's advice, S25) makes diffs small and
    duplicates visible. Checked: ``apt-get``/``apt install``, ``apk add``,
    ``yum``/``dnf``/``microdnf install``, ``zypper install``, ``pip
    install``, ``npm install`` and ``gem install``. Only a *contiguous run of
    plain literal words* is sorted (byte order of the word's value) and
    de-duplicated: options stay first and any interleaved option, ``$VAR``,
    ``$(...)``, glob or brace word is an anchor that nothing moves across.

    The layout is kept exactly: the N-th package slot receives the N-th
    sorted word, so a one-per-line list stays one per line with the same
    indent and ``\\`` endings, and a one-line list stays on one line; a
    removed duplicate takes its slot (the last one) with it. A one-line list
    is deliberately *not* re-flowed into one word a line, however long it
    is: that would rewrite the RUN's line structure, which is not this
    rule's business.

    Safety: safe for apt, apk, the rpm family and zypper (they resolve the
    whole list at once); unsafe for pip, npm and gem, whose resolvers can
    depend on the order. Reported without a fix when a comment line sits
    between the words (BuildKit drops it, but moving words around it would
    scramble what it annotates), apt ``pkg-``/``pkg+`` markers are in the run,
    the same package is named twice with different pins (``curl=1``,
    ``curl=2``), a word is split by a line continuation, or the RUN is exec
    form (G1) or a heredoc (G2).
    """

    code = "DF624"
    name = "sort-package-list"
    summary = "install command whose package list is unsorted or has duplicates"
    safety = Safety.SAFE
    severity = "style"

    valid = (
        Valid("FROM debian\nRUN apt-get install -y curl git make\n"),
        Valid("FROM debian\nRUN apt-get install -y \\\n      curl \\\n      git \\\n      make\n"),
        Valid("FROM debian\nRUN apt-get install -y zlib $EXTRA curl\n", "a variable is an anchor: two runs of one word"),
        Valid("FROM debian\nRUN apt-get install -y zlib lib* curl\n", "a glob is an anchor"),
        Valid("FROM debian\nRUN apt-get install -y zlib -t bullseye-backports curl\n", "never sort across an interleaved option"),
        Valid("FROM alpine\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev\n", "the --virtual name is not a package"),
        Valid("FROM debian\nRUN apt-get install -y \"$(cat packages.txt)\" curl\n"),
        Valid("FROM debian\nRUN apt-get remove -y zlib curl\n", "not an install"),
        Valid("FROM node:20\nRUN yarn add zlib curl\n", "yarn is not checked"),
        Valid("FROM debian\nRUN sh -c 'apt-get install -y zlib curl'\n", "nested interpreters are not descended into (G7)"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN apt-get install -y zlib curl\n',
            "not a POSIX shell (G3)",
        ),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN apt-get install -y git curl make\n",
            "FROM debian\nRUN apt-get install -y curl git make\n",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "      make \\\n      curl \\\n      git \\\n  && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n"
            "      curl \\\n      git \\\n      make \\\n  && rm -rf /var/lib/apt/lists/*\n",
            "one per line stays one per line",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    git \\\n    curl \\\n    git \\\n    make\n",
            "FROM debian\nRUN apt-get install -y \\\n    curl \\\n    git \\\n    make\n",
            "a duplicate goes with the last slot",
        ),
        Invalid(
            "FROM debian\r\nRUN set -eux; \\\r\n\tapt-get install -y git curl \\\r\n\t\tbash; \\\r\n\ttrue\r\n",
            "FROM debian\r\nRUN set -eux; \\\r\n\tapt-get install -y bash curl \\\r\n\t\tgit; \\\r\n\ttrue\r\n",
            "CRLF, tabs, set -eux, two words a line keep their places",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y zlib ca-certificates $EXTRA make curl \\\n && sudo apt-get install -y b a\n",
            "FROM debian\nRUN apt-get install -y ca-certificates zlib $EXTRA curl make \\\n && sudo apt-get install -y a b\n",
            "runs on both sides of an anchor; two commands in one pass",
        ),
        Invalid(
            "FROM alpine\nRUN apk add --no-cache --virtual .deps \"musl-dev\" gcc\n",
            "FROM alpine\nRUN apk add --no-cache --virtual .deps gcc \"musl-dev\"\n",
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
            "a backtick escape (G4)",
        ),
        Invalid("FROM fedora\nRUN dnf install -y which tar\n", "FROM fedora\nRUN dnf install -y tar which\n"),
        Invalid("FROM opensuse/leap\nRUN zypper -n in vim curl\n", "FROM opensuse/leap\nRUN zypper -n in curl vim\n"),
        Invalid(
            "FROM debian\nONBUILD RUN apt-get install -y git curl\n",
            "FROM debian\nONBUILD RUN apt-get install -y curl git\n",
            "token-local edit in an ONBUILD trigger (G5)",
        ),
        Invalid(
            "FROM python:3.12\nRUN pip install requests flask\n",
            "FROM python:3.12\nRUN pip install flask requests\n",
            "pip: order can matter to the resolver",
            unsafe=True,
        ),
        Invalid(
            "FROM node:20\nRUN npm install -g typescript @angular/cli && gem install rake bundler\n",
            "FROM node:20\nRUN npm install -g @angular/cli typescript && gem install bundler rake\n",
            "npm and gem: unsafe",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n    git \\\n# the client\n    curl\n",
            None,
            "a comment line between the items",
        ),
        Invalid("FROM debian\nRUN apt-get install -y vim nano-\n", None, "apt's removal marker"),
        Invalid("FROM debian\nRUN apt-get install -y vim nano+\n", None, "apt's keep marker"),
        Invalid(
            "FROM debian\nRUN apt-get install -y make g++ gobjc++\n",
            "FROM debian\nRUN apt-get install -y g++ gobjc++ make\n",
            "`g++` is a package, not a marker",
        ),
        Invalid("FROM debian\nRUN apt-get install -y curl=7.1 git curl=7.2\n", None, "differing pinned duplicates"),
        Invalid("FROM debian\nRUN apt-get install -y vim gi\\\nt\n", None, "a word split by a line continuation"),
        Invalid('FROM debian\nRUN ["apt-get", "install", "-y", "git", "curl"]\n', None, "exec form (G1)"),
        Invalid(
            "# syntax=docker/dockerfile:1\nFROM debian\nRUN <<EOF\napt-get install -y git curl\nEOF\n",
            None,
            "heredoc (G2)",
        ),
    )

    def findings(self, context: Context, view: RunView, commands: tuple[PackageCommand, ...]) -> Iterator[Finding]:
        for command in commands:
            kind = _KINDS.get((command.manager, command.subcommand or ""))
            if kind is None:
                continue
            finding = self._finding(context, view, command, kind)
            if finding is not None:
                yield finding

    def _finding(self, context: Context, view: RunView, command: PackageCommand, kind: _Kind) -> Finding | None:
        problems: list[str] = []
        blockers: list[str] = []
        edits: list[Edit] = []
        for run in _runs(command, view.model.text):
            values = [w.value for w in run]
            wanted: dict[str, Word] = {}
            for word in run:
                wanted.setdefault(word.value, word)  # type: ignore[arg-type]
            order = sorted(wanted)
            if values == order:
                continue
            duplicates = sorted({v for v in values if values.count(v) > 1})  # type: ignore[misc]
            problems.append(f"duplicate {', '.join(f'`{d}`' for d in duplicates)}" if duplicates else "not sorted")
            blocker = self._blocker(context, view, run, kind)
            if blocker:
                blockers.append(blocker)
                continue
            editable = view.script
            for slot, value in zip(run, order):
                text = wanted[value].text
                if text != slot.text:
                    edits.append(editable.replace(slot.start, slot.end, text))
            if len(order) < len(run):
                start = editable.offset(run[len(order) - 1].end, insertion=True)
                end = editable.offset(run[-1].end, insertion=True)
                edits.append(Edit(start, end, ""))
        if not problems:
            return None
        spelled = " ".join(w.value or w.text for w in command.program_words + command.subcommand_words)
        what = "; ".join(dict.fromkeys(problems))
        message = f"`{spelled}` package list: {what} (sort in byte order, without duplicates)"
        where = view.span(command.start, command.end)
        if blockers or not edits:
            return Finding(where, message, note="; ".join(dict.fromkeys(blockers)) or None)
        title = "sort the package list" if all(p == "not sorted" for p in problems) else "sort and de-duplicate the package list"
        return Finding(where, message, tuple(edits), kind.safety, title)

    def _blocker(self, context: Context, view: RunView, run: list[Word], kind: _Kind) -> str | None:
        if view.script is None:
            return self.report_only(view)
        editable = view.script
        if kind.markers and any(_apt_marker(w.value) for w in run):  # type: ignore[arg-type]
            return "apt's `pkg-`/`pkg+` markers are in the list"
        names: dict[str, str] = {}
        for word in run:
            name = kind.name(word.value)  # type: ignore[arg-type]
            if names.setdefault(name, word.value) != word.value:  # type: ignore[arg-type]
                return f"`{name}` is named twice with different versions"
        if any(editable.spans_continuation(w.start, w.end) for w in run):
            return "a package word is split by a line continuation"
        info = view.run.line_info or view.run.outer_line_info
        comment_lines = info.comment_lines if info is not None else ()
        if comment_lines:
            first = context.span(*editable.file_range(run[0].start, run[0].end)).line
            last = context.span(*editable.file_range(run[-1].start, run[-1].end)).line
            if any(first < line < last for line in comment_lines):
                return "a comment line sits between the packages"
        return None
