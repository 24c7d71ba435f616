"""DF105 copy-then-extract: a local archive copied in and extracted by a later RUN stays in a layer."""

from __future__ import annotations

import posixpath
import re
from typing import Iterator

import msgspec

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, RunView, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import SimpleCommand
from dfix.syntax import Copy, Instruction, Run, User

from ._base_images import is_root_user

#: hadolint's archive suffixes (a file COPY'd with one of them is an archive).
ARCHIVE_SUFFIXES = (".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
                    ".tpz", ".txz", ".xz")
#: Programs that extract or decompress a file named among their operands.
DECOMPRESSORS = frozenset({"unzip", "gunzip", "bunzip2", "unlzma", "unxz", "zgz", "uncompress", "zcat", "gzcat"})
#: Archives that ADD unpacks as ``tar -x`` does: tar, plain or compressed with gzip, bzip2 or xz.
_ADD_UNPACKS = lazy_pattern(r".*\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tb2|tar\.xz|txz)$")
#: tar's flags that the fix understands: extract, compression (ADD detects it), verbosity, file, directory.
_TAR_LETTERS = frozenset("xzjJvfC")
_TAR_LONG = {"--extract": "x", "--get": "x", "--gzip": "z", "--gunzip": "z", "--ungzip": "z", "--bzip2": "j",
             "--xz": "J", "--verbose": "v"}
_TAR_LONG_VALUE = {"--file": "f", "--directory": "C"}
#: Directories every Linux image has, so ``COPY x.tgz /tmp`` copies into them.
_KNOWN_DIRECTORIES = frozenset({"/tmp", "/opt", "/root", "/srv", "/var/tmp", "/usr/src", "/usr/local/src", "/usr/local"})


def _basename(path: str) -> str:
    return re.split(r"[/\\]", path.strip("\"'"))[-1]


def is_archive(path: str) -> bool:
    return path.strip("\"'").endswith(ARCHIVE_SUFFIXES)


def extracts(command: SimpleCommand) -> bool:
    """``tar`` with an extract flag (``-x``, ``xzf``, ``--extract``), or a decompressor."""
    if command.name in DECOMPRESSORS:
        return True
    if command.name != "tar":
        return False
    for index, word in enumerate(command.args):
        value = word.value or ""
        if value in ("--extract", "--get"):
            return True
        if value.startswith("-") and not value.startswith("--") and "x" in value:
            return True
        if index == 0 and re.fullmatch(r"[A-Za-z]+", value) and "x" in value:
            return True  # old style: `tar xzf file`
    return False


def operands(command: SimpleCommand) -> list[str]:
    """The words that do not start with ``-`` (hadolint's reading: every path a command names), and the
    value of tar's ``--file=`` (which hadolint misses)."""
    out = []
    for word in command.args:
        text = word.value or word.text
        if not text.startswith("-"):
            out.append(text)
        elif text.startswith("--file="):
            out.append(text[len("--file="):])
    return out


class TarCall(msgspec.Struct, frozen=True):
    """A ``tar`` extraction the fix understands: which file, into which directory."""

    file: str
    directory: str | None


def read_tar(command: SimpleCommand) -> TarCall | None:
    """The file and directory of a plain ``tar -x[zjJv]f FILE [-C DIR]``; None for anything else."""
    words = [word.value for word in command.args]
    if any(value is None for value in words) or command.wrappers or command.redirects or command.assignments:
        return None
    letters: list[str] = []
    values: dict[str, str] = {}
    pending: list[str] = []
    index = 0
    while index < len(words):
        value = words[index]
        index += 1
        if pending:
            values[pending.pop(0)] = value
            continue
        if value.startswith("--"):
            name, equals, argument = value.partition("=")
            if name in _TAR_LONG and not equals:
                letters.append(_TAR_LONG[name])
            elif name in _TAR_LONG_VALUE:
                if equals:
                    values[_TAR_LONG_VALUE[name]] = argument
                else:
                    pending.append(_TAR_LONG_VALUE[name])
            else:
                return None
            continue
        old_style = index == 1 and not value.startswith("-")
        cluster = value if old_style else value[1:] if value.startswith("-") else None
        if not cluster:
            return None
        for position, letter in enumerate(cluster):
            if letter not in _TAR_LETTERS:
                return None
            letters.append(letter)
            if letter in "fC":
                rest = cluster[position + 1 :]
                if rest and not old_style:
                    values[letter] = rest
                    break
                pending.append(letter)
    if pending or "x" not in letters or "f" not in values:
        return None
    return TarCall(values["f"], values.get("C"))


def _copied_path(source: str, destination: str) -> str | None:
    """Where COPY puts the single file ``source`` given ``destination`` (None when that depends on the image)."""
    name = _basename(source)
    if destination.endswith("/"):
        return posixpath.normpath(destination + name)
    if destination in _KNOWN_DIRECTORIES:
        return posixpath.normpath(destination + "/" + name)
    if _basename(destination) == name or is_archive(destination):
        return posixpath.normpath(destination)
    return None


class CopyThenExtract(Rule):
    """``COPY`` an archive and extract it in a later RUN: use ``ADD``, which extracts it in one step.

    **What** (hadolint's DL3010): a ``COPY`` (not ``--from``) of a local file
    named like an archive (``.tar``, ``.tgz``, ``.tar.gz``, ``.xz`` ...,
    hadolint's list), and a later RUN of the same stage that extracts a file
    of that name with ``tar -x``, ``unzip``, ``gunzip``, ``zcat`` ....
    Reported at the COPY.

    **Why.** The COPY stores the archive in a layer; extracting (and even
    deleting) it in a later RUN adds the contents as another layer, so the
    image carries both. ``ADD`` of a local tar archive unpacks it into the
    destination in one layer and never stores the archive.

    **Fix** (unsafe), only where it is exact: the COPY has no flags and one
    source, a tar archive plain or compressed with gzip, bzip2 or xz (ADD
    unpacks those); the next instruction is the RUN, with no flags or
    comments, running only ``tar -x[z|j|J][v]f FILE [-C DIR]`` on the copied
    file (and then, optionally, an ``rm`` of it); no USER other than root is
    in force (tar keeps the archive's owners only as root, as ADD does); no
    other instruction of the file names the archive again. Then ``COPY
    x.tar.gz /tmp/`` + ``RUN tar -xzf /tmp/x.tar.gz -C /opt && rm
    /tmp/x.tar.gz`` becomes ``ADD x.tar.gz /opt/`` (without ``-C``, the
    RUN's working directory: ``ADD x.tar.gz ./``). Unsafe because ADD decides
    by the file's content, not its name: it assumes the file really is such
    an archive. Reported only: ``unzip`` and single-file decompressors (ADD
    does not unpack them), tar options such as ``--strip-components`` or
    ``--exclude``, member names, an extraction target in a variable, or a RUN
    that does more.
    """

    code = "DF105"
    name = "copy-then-extract"
    summary = "A local archive copied in and then extracted, leaving the archive in a layer"
    safety = Safety.UNSAFE
    severity = "info"
    aliases = ("DL3010",)

    valid = (
        Valid("FROM debian\nADD app.tar.gz /opt/\n"),
        Valid("FROM debian\nCOPY app.tar.gz /srv/\n", "copied, never extracted"),
        Valid("FROM debian\nCOPY --from=build /out/app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz\n",
              "from another stage: not a local archive"),
        Valid("FROM debian AS a\nCOPY app.tgz /tmp/\nFROM debian\nRUN tar -xzf /tmp/app.tgz\n", "another stage"),
        Valid("FROM debian\nCOPY app.tgz /tmp/\nRUN tar -tzf /tmp/app.tgz\n", "listed, not extracted"),
    )
    invalid = (
        Invalid(
            "FROM debian\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt && rm /tmp/app.tar.gz\nCMD [\"/opt/app\"]\n",
            "FROM debian\nADD app.tar.gz /opt/\nCMD [\"/opt/app\"]\n",
            "the classic: ADD unpacks it in one layer",
            unsafe=True,
            message="the archive copied here is extracted by the RUN on line 3, so it stays in this layer: ADD "
                    "extracts a local tar archive in one step",
            line=2, column=1,
        ),
        Invalid(
            "FROM debian\nWORKDIR /srv\ncopy site.tgz /tmp\nrun tar xvf /tmp/site.tgz\n",
            "FROM debian\nWORKDIR /srv\nadd site.tgz ./\n",
            "old-style flags, no -C: the working directory; the keyword's case kept",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nCOPY dist/app.tar.xz /tmp/app.tar.xz\nRUN tar --extract --file=/tmp/app.tar.xz --directory=/opt/app\n",
            "FROM debian\nADD dist/app.tar.xz /opt/app/\n",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz --strip-components=1 -C /opt\n", None,
            "an option ADD has no counterpart for: reported only",
        ),
        Invalid(
            "FROM debian\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /opt && make -C /opt\n", None,
            "the RUN does more",
        ),
        Invalid(
            "FROM debian\nCOPY data.tar.gz /tmp/\nRUN tar -xzf /tmp/data.tar.gz -C /srv\nRUN sha256sum /tmp/data.tar.gz\n",
            None, "the archive is read again later",
        ),
        Invalid(
            "FROM debian\nUSER app\nCOPY app.tar.gz /tmp/\nRUN tar -xzf /tmp/app.tar.gz -C /home/app\n", None,
            "as another user tar gives the files to that user, ADD to the archive's owners",
        ),
        Invalid("FROM debian\nCOPY dump.sql.gz /tmp/\nRUN gunzip /tmp/dump.sql.gz\n", None,
                "ADD does not decompress a file that is not a tar archive"),
        Invalid("FROM debian\nCOPY app.tar.gz /tmp/\nRUN cd /opt && tar -xzf /tmp/app.tar.gz\n", None),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for info in context.stages:
            archives: list[tuple[Copy, str]] = []
            reported: set[int] = set()
            for instruction in info.stage.instructions:
                if isinstance(instruction, Copy) and instruction.from_stage is None:
                    sources = instruction.sources
                    destination = instruction.destination or ""
                    if is_archive(destination):
                        archives.append((instruction, _basename(destination)))
                    else:
                        archives.extend((instruction, _basename(s)) for s in sources if is_archive(s))
                    continue
                if not isinstance(instruction, Run) or not archives:
                    continue
                view = context.run_view(instruction)
                if view.model is None:
                    continue
                named = {
                    _basename(path)
                    for command in view.model.commands if extracts(command)
                    for path in operands(command)
                }
                for copy, name in archives:
                    if name in named and id(copy) not in reported:
                        reported.add(id(copy))
                        yield self._finding(context, copy, view)

    def _finding(self, context: Context, copy: Copy, view: RunView) -> Diagnostic:
        run = view.run
        message = (f"the archive copied here is extracted by the RUN on line {run.start_line}, so it stays in this "
                   "layer: ADD extracts a local tar archive in one step")
        plan = self._plan(context, copy, view)
        if isinstance(plan, str):
            return self.diagnostic(copy, message, note=f"not fixed: {plan}")
        return self.diagnostic(
            copy, message, plan, title="ADD the archive where the RUN extracted it",
            assumes="the file is a tar archive (plain, gzip, bzip2 or xz), which ADD recognises by its content and "
                    "unpacks as `tar -x` did as root, keeping the owners and modes recorded in it",
        )

    def _plan(self, context: Context, copy: Copy, view: RunView) -> list[Edit] | str:
        """The edits turning COPY + RUN into one ADD, or why there are none."""
        run = view.run
        if copy.flags or copy.is_json or len(copy.sources) != 1 or copy.heredocs:
            return "the COPY has flags or more than one source"
        source, destination = copy.sources[0], copy.destination or ""
        if any(c in source for c in "*?[$") or "://" in source or not _ADD_UNPACKS.match(source):
            return "only a named tar archive (plain, gzip, bzip2 or xz) is unpacked by ADD"
        if not _next_instruction(context, copy, run):
            return "other instructions run between the COPY and the extraction"
        if view.script is None or run.flags or run.comment_lines or view.model.trailing_comment is not None:
            return "the RUN has flags or comments, or cannot be edited"
        model = view.model
        items = model.items
        if not 1 <= len(items) <= 2 or (len(items) == 2 and items[0].separator != "&&") or items[-1].separator:
            return "the RUN does more than extract the archive"
        if any(len(item.commands) != 1 for item in items) or any(not c.is_top_level for c in model.commands):
            return "the RUN does more than extract the archive"
        tar = read_tar(model.commands[0])
        if tar is None:
            return "the tar options go beyond extracting one file (`-x`, `-z`/`-j`/`-J`, `-v`, `-f`, `-C`)"
        copied = _copied_path(source, destination)
        if copied is None or posixpath.normpath(tar.file) != copied:
            return "the extracted file cannot be shown to be the copied one"
        if len(items) == 2 and not _removes_only(model.commands[1], tar.file):
            return "the RUN does more than extract the archive"
        directory = tar.directory or "."
        if "$" in directory or "~" in directory:
            return "the extraction target is computed"
        if _user_not_root(context, copy):
            return "a non-root USER is in force: tar gives the files to that user, ADD to the archive's owners"
        name = _basename(source)
        for other in context.tree.instructions:
            if other is not run and other is not copy and other.span.start > copy.span.start and name in other.code:
                return f"line {other.start_line} names the archive again"
        keyword = copy.keyword_token
        add = "add" if str.__str__(keyword).islower() else "ADD"
        target = directory.rstrip("/") + "/" if directory not in ("/",) else "/"
        code = copy.code
        newline = "\r\n" if code.endswith("\r\n") else "\n" if code.endswith("\n") else ""
        return [
            Edit(keyword.start_pos, copy.span.end, f"{add} {source} {target}{newline}"),
            Edit(run.span.start, run.span.end, ""),
        ]


def _next_instruction(context: Context, first: Instruction, second: Instruction) -> bool:
    instructions = context.tree.instructions
    for index, instruction in enumerate(instructions[:-1]):
        if instruction is first:
            return instructions[index + 1] is second
    return False


def _removes_only(command: SimpleCommand, path: str) -> bool:
    """``rm [-f] PATH`` of exactly the archive."""
    if command.name != "rm" or command.wrappers or command.redirects:
        return False
    words = [word.value for word in command.args]
    if any(value is None for value in words):
        return False
    flags = [w for w in words if w.startswith("-")]
    paths = [w for w in words if not w.startswith("-")]
    return all(re.fullmatch(r"-[frRv]+", flag) for flag in flags) and [posixpath.normpath(p) for p in paths] == [
        posixpath.normpath(path)
    ]


def _user_not_root(context: Context, copy: Copy) -> bool:
    """A USER other than root is in force at the COPY (stage or in-file ancestors)."""
    info = context.stage_of(copy)
    chain = []
    while info is not None:
        chain.append(info)
        info = context.stages[info.parent] if info.parent is not None else None
    user = None
    for stage in reversed(chain):
        for instruction in stage.stage.instructions:
            if instruction is copy:
                break
            if isinstance(instruction, User) and instruction.arguments:
                user = instruction.arguments[0]
    return user is not None and not is_root_user(user)
