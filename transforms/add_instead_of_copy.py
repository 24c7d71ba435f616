"""DF606 add-instead-of-copy: ``ADD`` of local files, where ``COPY`` says what happens (hadolint's DL3020)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import BuildContext, Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.syntax import Add

from ._archives import may_unpack, named_like_archive
from ._form import cased_like, literal_value

#: Flags only ADD takes: with them, ADD is the right instruction.
_ADD_ONLY_FLAGS = frozenset({"checksum", "keep-git-dir", "unpack"})
_GLOB = frozenset("*?[")
_GIT_REF = lazy_pattern(r"\.git(#|$)")


class AddInsteadOfCopy(Rule):
    """``ADD`` of local files and folders: use ``COPY``, which only copies.

    **What** (hadolint's DL3020): an ``ADD`` whose sources are all local
    (no URL, no git repository), without an ADD-only flag (``--checksum``,
    ``--keep-git-dir``, ``--unpack``), and not all named like archives
    (``ADD app.tar.gz /srv`` is the one thing ADD is for). ONBUILD triggers
    are left alone, as hadolint does: they copy from another build's context.

    **Why.** ``ADD`` also fetches URLs and unpacks tar archives, both
    silently: the reader of ``ADD foo /x`` cannot tell whether ``foo`` lands
    as a file or as the files inside it. Docker's best practices ask for
    ``COPY`` unless that magic is wanted.

    **Fix**: ``ADD`` → ``COPY`` in the keyword's case, flags kept (``--chown``,
    ``--chmod``, ``--link``, ``--exclude`` mean the same on COPY). ADD unpacks
    any local source whose *content* is a (compressed) tar, whatever its
    name, so the fix is **safe** only when the build context is at hand and
    every source is a folder or a file that is not one; otherwise it is
    unsafe and assumes no source is such an archive. A source written with
    a variable is reported only (it may hold a URL or git repository, which
    COPY cannot fetch), and so is a source the context shows to be an archive (ADD is doing its job there; a
    name that says so would help the reader).
    """

    code = "DF606"
    name = "add-instead-of-copy"
    summary = "`ADD` where `COPY` does the same"
    safety = Safety.SAFE
    aliases = ("DL3020",)

    valid = (
        Valid("FROM debian\nCOPY app /srv/app\n"),
        Valid("FROM debian\nADD https://example.com/tool.sh /usr/local/bin/\n", "a URL"),
        Valid("FROM debian\nADD rootfs.tar.xz /\n", "an archive to unpack"),
        Valid("FROM debian\nADD github.com/moby/buildkit.git#v0.12.5 /src\n", "a git repository"),
        Valid("FROM debian\nADD --checksum=sha256:0123 app.bin /srv/\n", "an ADD-only flag"),
        Valid("FROM debian\nONBUILD ADD . /app\n", "a trigger copies from another build's context"),
    )
    invalid = (
        Invalid(
            "FROM debian\nADD --chown=app:app requirements.txt /srv/\n",
            "FROM debian\nCOPY --chown=app:app requirements.txt /srv/\n",
            "without the build context the fix assumes no source is a tar archive",
            unsafe=True,
            message="ADD of local files: use COPY (ADD also unpacks archives and fetches URLs)",
            line=2,
            column=1,
        ),
        Invalid("FROM debian\nadd . /app\n", "FROM debian\ncopy . /app\n", "keyword case kept", unsafe=True),
        Invalid("FROM debian\nARG REPO\nADD ${REPO}#v1.2 /src\n", None, "a variable may be a git repository"),
        Invalid("FROM debian\nADD vendor.tar.gz setup.py /src/\n", None,
                "one source is named like an archive, which COPY would not unpack"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        escape = context.tree.escape
        message = "ADD of local files: use COPY (ADD also unpacks archives and fetches URLs)"
        for instruction in context.tree.instructions:
            if not isinstance(instruction, Add) or len(instruction.arguments) < 2:
                continue
            if any(flag.name in _ADD_ONLY_FLAGS for flag in instruction.flags):
                continue
            sources = instruction.sources
            if any(_remote(source) for source in sources):
                continue
            named = [source for source in sources if named_like_archive(source.strip("\"'"))]
            if len(named) == len(sources):
                continue
            if named:
                yield self.diagnostic(instruction, message,
                                      note=f"not fixed: `{named[0]}` looks like an archive, which ADD unpacks and "
                                           "COPY would not")
                continue
            values = [literal_value(source, escape) for source in sources if not source.startswith("<<")]
            verdict = _context_verdict(context.build_context, values)
            edit = Edit(instruction.keyword_token.start_pos, instruction.keyword_token.end_pos,
                        cased_like("COPY", instruction.keyword_token))
            if verdict == "variables":
                yield self.diagnostic(instruction, message,
                                      note="not fixed: a source comes from a variable, which may hold a URL or a git "
                                           "repository that only ADD fetches")
            elif verdict == "archive":
                yield self.diagnostic(instruction, message,
                                      note="not fixed: the build context shows a source that is a tar archive, "
                                           "which ADD unpacks")
            elif verdict == "safe":
                yield self.diagnostic(instruction, message, [edit], title="use COPY")
            else:
                yield self.diagnostic(instruction, message, [edit], safety=Safety.UNSAFE, title="use COPY",
                                      assumes=f"{verdict}; ADD would unpack a source that is a tar archive "
                                              "(compressed or not, whatever its name), COPY copies it as it is")


def _remote(source: str) -> bool:
    """A URL or a git repository (``https://…``, ``git@host:repo``, ``host/repo.git#ref``): only ADD fetches those."""
    bare = source.strip("\"'")
    return "://" in bare or bare.startswith("git@") or bool(_GIT_REF.search(bare))


def _context_verdict(build_context: BuildContext | None, sources: list[str | None]) -> str:
    """``safe``, ``archive``, or what the fix must assume (why the context cannot show it)."""
    if build_context is None:
        return "no source is a tar archive (the build context was not read)"
    if any(source is None for source in sources):
        return "variables"
    for source in sources:
        path = source.lstrip("/")  # type: ignore[union-attr]
        while path.startswith("./"):
            path = path[2:]
        path = path or "."
        matches = build_context.glob(path) if _GLOB & set(path) else ([path] if build_context.exists(path) else [])
        if not matches:
            return f"`{source}` exists in the build and is not a tar archive (it is not in the build context)"
        for match in matches:
            if build_context.is_dir(match):
                continue
            head = build_context.read_head(match, 4096)
            if head is None:
                return f"`{match}` is not a tar archive (it could not be read)"
            if may_unpack(head):
                return "archive"
    return "safe"
