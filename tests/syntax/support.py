"""Helpers of the syntax tests: the BuildKit oracle, its adapter, corpus listings.

The oracle is PyPI's ``dockerfile`` package, which binds BuildKit v0.12.5's
Go parser. Its results differ from BuildKit's own node in a few documented
ways (syntax.md §6.4); :func:`binding_shape` applies exactly those to dfix's
``buildkit_commands()`` so the two compare like with like.
"""

from __future__ import annotations

import functools
import json
import multiprocessing
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import pytest

import dfix

try:  # the oracle: BuildKit v0.12.5's parser (a test dependency)
    import dockerfile
except ImportError:  # pragma: no cover - test extra not installed
    dockerfile = None

needs_binding = pytest.mark.skipif(
    dockerfile is None, reason="the `dockerfile` binding (BuildKit's parser) is not installed"
)

UINT64 = 2**64


def short_id(value) -> str | None:
    """A readable pytest id for long text parameters (pytest's default for the rest)."""
    if isinstance(value, str) and len(value) > 40:
        return f"{value[:24]!r}..({len(value)} chars)"
    return None


# -- the oracle ------------------------------------------------------------------


class Cmd(NamedTuple):
    """One command in the binding's shape (``dockerfile.Command`` with tuples)."""

    cmd: str | None
    sub_cmd: str | None
    json: bool
    original: str | None
    start_line: int
    end_line: int
    flags: tuple[str, ...]
    value: tuple[str, ...]
    heredocs: tuple[tuple[str, int, str], ...]


class Rejected(NamedTuple):
    """The parser refused the file: BuildKit's message (normalised, see :func:`normal_message`)."""

    message: str


def binding_can_take(text: str) -> bool:
    """The binding needs valid UTF-8 (it crashes on lone surrogates) and cuts at NUL."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def normal_message(message: str) -> str:
    """dfix names the heredoc in ``unterminated heredoc <<EOF``; BuildKit does not."""
    if message.startswith("unterminated heredoc"):
        return "unterminated heredoc"
    return message


def oracle(text: str) -> list[Cmd] | Rejected | None:
    """What BuildKit v0.12.5 (the binding) makes of ``text``.

    None when the binding cannot return it: a value BuildKit cut inside a UTF-8
    character (a HEALTHCHECK type) makes it raise UnicodeDecodeError.
    """
    assert dockerfile is not None
    if not binding_can_take(text):
        raise ValueError("the binding cannot take text with NUL bytes or invalid UTF-8")
    try:
        commands = dockerfile.parse_string(text)
    except dockerfile.GoParseError as error:
        return Rejected(normal_message(str(error)))
    except UnicodeDecodeError:
        return None
    return [
        Cmd(
            c.cmd, c.sub_cmd, c.json, c.original, c.start_line, c.end_line, tuple(c.flags), tuple(c.value),
            tuple((h.name, h.file_descriptor, h.content) for h in c.heredocs),
        )
        for c in commands
    ]


def _cut(text: str) -> str:
    """The binding cuts every string at its first NUL."""
    return text.split("\x00", 1)[0]


def binding_shape(command) -> Cmd:
    """dfix's ``Command`` with the binding's artefacts applied (syntax.md §6.4)."""
    is_onbuild = command.cmd.lower() == "onbuild"
    heredocs = () if is_onbuild else command.heredocs  # ONBUILD heredocs are dropped
    original = command.original
    if heredocs:  # the binding appends each body and name to `original`
        # (syntax.md §6.4 says "\n" + content + name + "\n" per heredoc; the binding
        # really puts one "\n" before each and a single one at the end)
        original += "".join("\n" + heredoc.content + heredoc.name for heredoc in heredocs) + "\n"
    return Cmd(
        _cut(command.cmd) or None,
        _cut(command.sub_cmd or "") or None,
        command.json,
        _cut(original) or None,
        command.start_line,
        command.end_line,
        tuple(_cut(f) for f in command.flags),
        tuple(_cut(v) for v in command.value),
        tuple(
            # the binding shows the uint64 fd as an int64
            (_cut(h.name), h.file_descriptor - UINT64 if h.file_descriptor >= 2**63 else h.file_descriptor, _cut(h.content))
            for h in heredocs
        ),
    )


def dfix_commands(text: str, buildkit: str) -> list[Cmd] | Rejected:
    """dfix's BuildKit view of ``text`` in the binding's shape (and the round trip checked)."""
    try:
        tree = dfix.parse(text, buildkit=buildkit)
    except dfix.ParseError as error:
        return Rejected(normal_message(error.message))
    assert tree.code == text
    return [binding_shape(c) for c in tree.buildkit_commands()]


def first_difference(expected, got) -> str:
    """A short description of where two oracle results part."""
    if isinstance(expected, Rejected) or isinstance(got, Rejected):
        return f"expected {expected!r}, got {got!r}"
    for index, (a, b) in enumerate(zip(expected, got)):
        if a != b:
            fields = [name for name in Cmd._fields if getattr(a, name) != getattr(b, name)]
            return f"command {index} differs in {fields}:\n  binding {a!r}\n  dfix    {b!r}"
    return f"{len(expected)} commands expected, {len(got)} got"


# -- the documented v0.12.5 / HEAD differences (syntax.md §10) ----------------------------

_JSON_FORMS = frozenset({"run", "cmd", "entrypoint", "shell", "add", "copy", "volume", "healthcheck"})
_HEREDOC_FORMS = frozenset({"run", "copy", "add"})
_SPACED_MARKER = re.compile(r"(?:^|[\s])[0-9]*<<-?[\t\n\f\r ]")
_EXTENDED_EXPANSION = re.compile(r"\$\{[^}]*?[#%/]")


def _trailing_json(original: str, binding_values: tuple[str, ...], healthcheck: bool) -> bool:
    """The line holds a JSON array of strings followed by more text (HEAD: shell form)."""
    values = list(binding_values[1:] if healthcheck else binding_values)
    decoder = json.JSONDecoder()
    for match in re.finditer(r"\[", original):
        try:
            decoded, end = decoder.raw_decode(original, match.start())
        except ValueError:
            continue
        if decoded == values and original[end:].strip(" \t\r\n") != "":
            return True
    return False


def classify_difference(old: Cmd, new: Cmd, escape: str) -> str:
    """Which documented difference explains ``old`` (binding) vs ``new`` (dfix, latest)."""
    kind = (old.sub_cmd or old.cmd or "").lower()
    if (
        escape == "`"
        and (old.cmd, old.start_line, old.original) == (new.cmd, new.start_line, new.original)
        and old.flags != new.flags
        and any(c in (old.original or "") for c in "`\\")
    ):
        return "flags-escape"  # v0.12.5 unescapes flags with `\`, HEAD with the directive's escape
    same_place = (old.cmd, old.sub_cmd, old.start_line) == (new.cmd, new.sub_cmd, new.start_line)
    if not same_place:
        return f"UNEXPLAINED: {old!r} vs {new!r}"
    line = new.original.split("\n", 1)[0] if new.heredocs else new.original
    if (
        kind in _JSON_FORMS
        and old.json
        and not new.json
        and (old.original, old.flags) == (line, new.flags)
        and new.end_line >= old.end_line  # in shell form, the line may open heredocs
        and _trailing_json(old.original, old.value, kind == "healthcheck")
    ):
        return "json-trailing-text"
    old_line = old.original.split("\n", 1)[0] if old.heredocs else old.original
    more_heredocs = len(new.heredocs) > len(old.heredocs) or new.end_line > old.end_line  # ONBUILD's are not shown
    if kind in _HEREDOC_FORMS and more_heredocs and old_line == line:
        if _SPACED_MARKER.search(line):
            return "heredoc-spaced-marker"
        if _EXTENDED_EXPANSION.search(line):
            return "heredoc-extended-expansion"
    return f"UNEXPLAINED: {old!r} vs {new!r}"


def _line_kind(lines) -> str | None:
    """The §10 difference a logical line shows, if any (for the cases where one side fails)."""
    for line in lines:
        if "<<" in line and _SPACED_MARKER.search(line):
            return "heredoc-spaced-marker"
        if "<<" in line and _EXTENDED_EXPANSION.search(line):
            return "heredoc-extended-expansion"
        for match in re.finditer(r"\[", line):
            # v0.12.5 reads `RUN ["a"] <<EOF` as JSON (no heredoc) and `RUN [1] x` as an error (P5);
            # current BuildKit reads both as shell form
            try:
                decoded, end = json.JSONDecoder().raw_decode(line, match.start())
            except ValueError:
                continue
            if isinstance(decoded, list) and line[end:].strip(" \t\r"):
                return "json-trailing-text"
    return None


#: Go's unicode.IsSpace (syntax.md, "Whitespace sets").
_U_SPACE = "\t\n\v\f\r \x85\xa0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u2028\u2029\u202f\u205f\u3000"
_U = "[" + re.escape(_U_SPACE) + "]*"
_DIRECTIVE_V0_12_5 = re.compile(r"#[\t\n\f\r ]*([A-Za-z][A-Za-z0-9]*)[\t\n\f\r ]*=[\t\n\f\r ]*(.+?)[\t\n\f\r ]*$", re.S)
_DIRECTIVE_HEAD = re.compile(f"#{_U}([A-Za-z][A-Za-z0-9]*){_U}={_U}(.+?){_U}$", re.S)


def directive_block(text: str, head: bool) -> list[tuple[str, str]]:
    """The directives at the top of ``text`` as one BuildKit sees them (syntax.md §1.5)."""
    if head:
        pattern, known = _DIRECTIVE_HEAD, {"syntax", "escape", "check"}
    else:
        pattern, known = _DIRECTIVE_V0_12_5, {"syntax", "escape"}
    out = []
    for line in text.removeprefix("\ufeff").split("\n"):
        match = pattern.match(line.rstrip("\r").lstrip(_U_SPACE))
        if not match or match.group(1).lower() not in known:
            break
        out.append((match.group(1).lower(), match.group(2)))
    return out


def explain_latest(
    binding, latest, *, escape: str, escape_v0_12_5: str, directives_differ: bool, text: str = ""
) -> list[tuple[int, str]]:
    """Every difference between the binding and dfix's default (latest) view, with its kind.

    Returns ``(line, kind)`` pairs; a kind starting with ``UNEXPLAINED`` is a
    difference that syntax.md §10 does not document. When only one side
    rejects the file, a heredoc marker that one BuildKit sees and the other
    does not explains it (the body lines are instructions to the one, and an
    unterminated body or body text to the other).
    """
    if binding == latest:
        return []
    if escape != escape_v0_12_5 or directives_differ:
        return [(1, "directive-block")]
    if text and directive_block(text, True) != directive_block(text, False):
        return [(1, "directive-block")]  # `check`, or blanks only current BuildKit allows in a directive
    if isinstance(latest, Rejected) and latest.message.startswith(("invalid escape token", "only one ")):
        return [(1, "directive-block")]  # a directive only current BuildKit sees (`check`, other blanks)
    if isinstance(binding, Rejected) and binding.message.startswith('failed to process "'):
        return [(0, "heredoc-marker-lex-error")]
    if isinstance(binding, Rejected) or isinstance(latest, Rejected):
        logical = [
            c.original.split("\n", 1)[0] for side in (binding, latest) if isinstance(side, list) for c in side
            if c.original is not None  # a line the binding keeps with no instruction (a stray `\\`)
        ]
        kind = _line_kind([line for line in logical if line] + text.split("\n"))
        if kind is not None:
            return [(0, kind)]
        return [(0, f"UNEXPLAINED: binding {_short(binding)}, dfix {_short(latest)}")]
    out: list[tuple[int, str]] = []
    i = j = 0
    while i < len(binding) and j < len(latest):
        old, new = binding[i], latest[j]
        i += 1
        j += 1
        if old == new:
            continue
        kind = classify_difference(old, new, escape)
        out.append((old.start_line, kind))
        if new.end_line > old.end_line:  # the binding made instructions of the body lines
            while i < len(binding) and binding[i].start_line <= new.end_line:
                i += 1
    if i < len(binding) or j < len(latest):
        out.append((0, f"UNEXPLAINED: {len(binding) - i} binding and {len(latest) - j} dfix commands left over"))
    return out


def count(stats: dict, title: str, what: str, n: int = 1) -> None:
    """Add to the corpus counts printed at the end of the run (the ``corpus_stats`` fixture)."""
    stats.setdefault(title, {}).setdefault(what, 0)
    stats[title][what] += n


def _short(result) -> str:
    return repr(result) if isinstance(result, Rejected) else f"{len(result)} commands"


# -- the corpora -----------------------------------------------------------------------

#: The corpora folders (every regular file in them is a test input, apart from these).
CORPORA = ("dockerhub-dev", "modern-dev", "windows", "buildkit-parser")
NOT_INPUTS = frozenset({"MANIFEST.tsv"})


@dataclass(frozen=True)
class Manifest:
    """dockerhub-dev's MANIFEST.tsv: path -> (``ok`` | ``parseerror``, sha1)."""

    rows: dict[str, tuple[str, str]]

    @classmethod
    def read(cls, root: Path) -> "Manifest":
        rows = {}
        for line in (root / "dockerhub-dev" / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines():
            path, status, sha1 = line.split("\t")
            rows[f"dockerhub-dev/{path}"] = (status, sha1)
        return cls(rows)


@functools.lru_cache(maxsize=None)
def corpus_groups(root: Path) -> dict[str, list[str]]:
    """Corpus files (relative to ``root``) in groups small enough to report on.

    dockerhub-dev is split by its first folder (``dockerhub-dev/a`` ...);
    the other corpora are one group each.
    """
    groups: dict[str, list[str]] = {}
    for corpus in CORPORA:
        base = root / corpus
        for path in sorted(base.rglob("*")):
            if not path.is_file() or path.name in NOT_INPUTS or path.name.startswith("."):
                continue
            relative = path.relative_to(root).as_posix()
            if corpus == "dockerhub-dev":
                if relative.endswith(".md"):
                    continue
                group = "dockerhub-dev/" + relative.split("/")[1]
            else:
                group = corpus
            groups.setdefault(group, []).append(relative)
    return groups


def group_params(root: Path | None, reason: str):
    """``pytest.param``s for :func:`corpus_groups` (one skipped param when there is no corpus)."""
    if root is None:
        return [pytest.param(None, marks=pytest.mark.skip(reason=reason), id="no-corpus")]
    return [pytest.param(name, id=name) for name in corpus_groups(root)]


@dataclass(frozen=True)
class Summary:
    """What one parse of one corpus file gave (kept small; cached per session)."""

    error: dfix.ParseError | None
    round_trip: bool
    positions: str | None  # the first token whose position is wrong, if any
    commands: tuple[Cmd, ...] | None
    escape: str | None
    directives: tuple[tuple[str, str], ...]

    @property
    def view(self):
        return Rejected(normal_message(self.error.message)) if self.error else list(self.commands)


def check_positions(tree: dfix.Dockerfile, text: str) -> str | None:
    """Each token sits where it says: offset, text, 1-based line and column."""
    line_starts = [0] + [match.end() for match in re.finditer("\n", text)]
    bom = 1 if text.startswith("\ufeff") else 0
    offset = 0
    line = 0
    for token in tree.tokens:
        value = str.__str__(token)
        if token.start_pos != offset or text[offset : offset + len(value)] != value:
            return f"{token!r} at {token.start_pos}, expected at {offset}"
        while line + 1 < len(line_starts) and line_starts[line + 1] <= offset:
            line += 1
        if value:  # an empty token (END at EOF) may sit at the end of its line
            line_start = line_starts[line] + (bom if line == 0 else 0)
            expected = (line + 1, offset - line_start + 1)
            if token.type != "BOM" and (token.line, token.column) != expected:
                return f"{token!r} at line:column {token.line}:{token.column}, expected {expected[0]}:{expected[1]}"
        offset += len(value)
    if offset != len(text):
        return f"the tokens cover {offset} of {len(text)} characters"
    return None


_SUMMARIES: dict[tuple[str, str], Summary] = {}


def summary(root: Path, relative: str, buildkit: str) -> Summary:
    """Parse one corpus file in one dialect (once per session)."""
    key = (relative, buildkit)
    if key not in _SUMMARIES:
        text = corpus_text(root, relative)
        try:
            tree = dfix.parse(text, relative, buildkit=buildkit)
        except dfix.ParseError as error:
            _SUMMARIES[key] = Summary(error, False, None, None, None, ())
        else:
            _SUMMARIES[key] = Summary(
                None,
                tree.code == text,
                check_positions(tree, text) if buildkit == "latest" else None,  # once per file is enough
                tuple(binding_shape(c) for c in tree.buildkit_commands()),
                tree.escape,
                tuple((d.key, d.value) for d in tree.directives),
            )
    return _SUMMARIES[key]


_TEXTS: dict[str, str] = {}


def corpus_text(root: Path, relative: str) -> str:
    if relative not in _TEXTS:
        _TEXTS[relative] = dfix.read_dockerfile(root / relative)
    return _TEXTS[relative]


_ORACLE: dict[str, object] = {}


def corpus_oracle(root: Path, relative: str):
    """The binding's result for a corpus file (None when it cannot take the text); cached."""
    if relative not in _ORACLE:
        text = corpus_text(root, relative)
        _ORACLE[relative] = oracle(text) if binding_can_take(text) else None
    return _ORACLE[relative]


def _work(job: tuple[Path, list[str]]) -> list[tuple[str, Summary, Summary, object]]:
    root, relatives = job
    out = []
    for relative in relatives:
        latest = summary(root, relative, "latest")
        old = summary(root, relative, "0.12.5")
        out.append((relative, latest, old, corpus_oracle(root, relative) if dockerfile is not None else None))
    return out


def warm_up(root: Path, relatives: list[str]) -> None:
    """Parse every file in both dialects and ask the binding, on all cores, into the caches.

    ``DFIX_TEST_JOBS`` sets the number of worker processes (default: the
    number of CPUs, at most 4; 1 works inline). Workers are spawned, not
    forked: the binding runs a Go runtime, which does not survive a fork.
    """
    missing = [r for r in relatives if (r, "latest") not in _SUMMARIES or (r, "0.12.5") not in _SUMMARIES]
    jobs = int(os.environ.get("DFIX_TEST_JOBS", "0")) or min(os.cpu_count() or 1, 4)
    if jobs <= 1 or len(missing) < 500:
        _work((root, missing))
        return
    chunks = [missing[i :: jobs * 4] for i in range(jobs * 4)]
    with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("spawn")) as pool:
        for results in pool.map(_work, [(root, chunk) for chunk in chunks]):
            for relative, latest, old, result in results:
                _SUMMARIES[(relative, "latest")] = latest
                _SUMMARIES[(relative, "0.12.5")] = old
                if dockerfile is not None:
                    _ORACLE[relative] = result
