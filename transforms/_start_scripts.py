"""The start script a container runs, read from the build context, and what it needs root for.

Many images start through a script of their own (``ENTRYPOINT
["/docker-entrypoint.sh"]``, ``CMD ["./start.sh"]``) that the Dockerfile
copies from the build context. Whether a new non-root ``USER`` breaks the
container is decided in that script more often than in the Dockerfile: it
drops privileges itself (``exec gosu app "$@"``), starts services through
their init scripts, fixes ownership of a mounted volume, installs packages
or writes ``/etc``. DF400 and DF401 read it when the context holds it and
report instead of fixing when it needs root.

`start_script` finds the script: the program the CMD/ENTRYPOINT runs (or
the script a shell runs, ``sh start.sh``), matched against the files that
COPY/ADD bring from the context (a destination folder, a file renamed on
copy, a folder copied whole, a bare name found through ``PATH``).
"""

from __future__ import annotations

import posixpath
import re
from typing import Iterable, Iterator, Sequence

import msgspec

from dfix.engine import POSIX_SHELLS, BuildContext, Context, program_name
from dfix.patterns import lazy_pattern
from dfix.shell import ShellScript, SimpleCommand, analyze, package_commands
from dfix.syntax import Add, Cmd, Copy, Entrypoint, Instruction, Workdir

from ._packages import earlier_instructions

__all__ = [
    "StartScript", "command_words", "copied_script", "first_program_script", "run_script", "script_run_by",
    "start_script",
    "script_root_need", "unread_start_script",
]

#: Folders a bare program name is looked up in (``PATH`` of the common base images).
PATH_FOLDERS = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")

#: Programs that switch to another account: a script that runs one starts as root on purpose.
PRIVILEGE_DROPPERS = frozenset({
    "gosu", "su-exec", "setpriv", "s6-setuidgid", "setuidgid", "runuser", "chpst", "setuser", "su", "sudo",
})

#: Programs only root may run to any effect, in a script that runs as the container starts.
ROOT_PROGRAMS = frozenset({
    "useradd", "usermod", "userdel", "groupadd", "groupmod", "adduser", "addgroup", "deluser", "delgroup",
    "chown", "chgrp", "mount", "umount", "sysctl", "iptables", "ip6tables", "nft", "modprobe", "setcap",
    "update-ca-certificates", "ldconfig", "service", "rc-service", "systemctl", "crond", "cron", "sshd",
    "rsyslogd", "syslogd", "dbus-daemon", "supervisord", "chroot", "locale-gen", "dpkg-reconfigure", "visudo",
})

#: System folders a non-root process may not write.
_SYSTEM_FOLDERS = lazy_pattern(r"^/(etc|usr|var/lib|var/run|run|opt|root|lib|bin|sbin)(/|$)")
_INIT_SCRIPT = lazy_pattern(r"^/etc/init\.d/")
#: Larger scripts are not read (a start script is a page or two).
MAX_SCRIPT_SIZE = 256 * 1024


class StartScript(msgspec.Struct, frozen=True):
    """A start script found in the build context."""

    #: Where the image runs it (``/usr/local/bin/docker-entrypoint.sh``).
    image_path: str
    #: Where it sits in the build context (``docker/entrypoint.sh``).
    context_path: str
    text: str

    @property
    def name(self) -> str:
        return posixpath.basename(self.image_path)


def command_words(instruction: Instruction) -> list[str]:
    """The words a CMD/ENTRYPOINT/HEALTHCHECK runs: its exec-form argv, or its shell form split on blanks."""
    argv = instruction.exec_form
    return list(argv) if argv is not None else (instruction.shell_form or "").split()


def _program_paths(runtime: Sequence[Instruction]) -> Iterator[tuple[str, bool]]:
    """The programs the CMD/ENTRYPOINT start, and the script a shell among them runs; true for that script.

    ``sh start.sh`` runs ``start.sh``, looked up in the working directory
    first (then in ``PATH``), whatever its name: ``sh /Start`` runs a script
    too. ``bash -c "./echo.sh --fast"`` runs the first word of its command
    string (after an ``exec``), which is how many images start a copied
    script.
    """
    for instruction in runtime:
        if not isinstance(instruction, (Cmd, Entrypoint)):
            continue
        argv = command_words(instruction)
        if not argv:
            continue
        yield argv[0], False
        if program_name(argv[0]) not in POSIX_SHELLS:
            continue
        if "-c" in argv[1:]:
            command = argv[argv.index("-c", 1) + 1 :]
            words = command[0].strip("\"'").split() if command else []
            if words[:1] == ["exec"]:
                words = words[1:]
            if words:
                yield words[0], False
            continue
        operands = [word for word in argv[1:] if not word.startswith("-")]
        if operands:
            if "/" not in operands[0]:
                yield "./" + operands[0], True
            yield operands[0], True


def _workdir_before(instructions: Sequence[Instruction], until: Instruction) -> str:
    """The working directory in force at ``until`` (``/`` when no WORKDIR set it)."""
    workdir = "/"
    for instruction in instructions:
        if instruction is until:
            break
        if isinstance(instruction, Workdir) and instruction.value:
            value = instruction.value.strip("\"'")
            # a variable (`WORKDIR $APP_HOME`) holds an absolute path: it stands for the whole path
            workdir = posixpath.normpath(value if value.startswith("$") else posixpath.join(workdir, value))
    return workdir


def _context_copies(instructions: Sequence[Instruction]) -> Iterator[tuple[str, str, bool]]:
    """``(destination, source, into a folder)`` of every COPY/ADD source taken from the build context.

    The destination is absolute (a relative one is read from the WORKDIR in
    force); the source is context-relative (``.`` for the whole context).
    Sources of another stage, URLs, heredocs and files named by a variable are left out; a destination
    or WORKDIR that starts with a variable is read as the absolute path it holds.
    """
    for instruction in instructions:
        if not isinstance(instruction, (Copy, Add)) or instruction.destination is None:
            continue
        if isinstance(instruction, Copy) and instruction.from_stage is not None:
            continue
        destination = instruction.destination.strip("\"'")
        if not destination.startswith(("/", "$")):
            destination = posixpath.join(_workdir_before(instructions, instruction), destination)
        destination = posixpath.normpath(destination)
        into_folder = instruction.destination.endswith("/") or len(instruction.sources) > 1
        for source in instruction.sources:
            source = source.strip("\"'")
            if source.startswith("<<") or "://" in source or "$" in posixpath.basename(source.rstrip("/")):
                continue  # (a variable folder, `${VERSION}/entrypoint.sh`, still names the file)
            relative = posixpath.normpath(source).lstrip("/")
            yield destination, relative if relative else ".", into_folder


def _copied_files(build: BuildContext, instructions: Sequence[Instruction]) -> Iterator[tuple[str, str]]:
    """``(image path, context path)`` of the files COPY/ADD bring from the context (files only, no globs)."""
    for destination, relative, into_folder in _context_copies(instructions):
        if relative == "." or build.is_dir(relative):
            for name in _files_under(build, relative):
                inner = name if relative == "." else name[len(relative.rstrip("/")) + 1:]
                yield posixpath.normpath(posixpath.join(destination, inner)), name
        elif build.exists(relative) and not build.excluded(relative):
            # Without a trailing slash a single file lands *in* the destination when that is a folder of the
            # image (``COPY run.sh /usr/local/bin``), which only the image knows: both places are candidates.
            yield posixpath.join(destination, posixpath.basename(relative)), relative
            if not into_folder:
                yield destination, relative


def _files_under(build: BuildContext, folder: str) -> list[str]:
    """Script-like files under ``folder`` of the context (``*.sh`` and names a start script goes by)."""
    prefix = "" if folder == "." else folder.rstrip("/") + "/"
    found = []
    for pattern in ("**/*.sh", "**/*entrypoint*", "**/start*", "**/run*", "**/bin/*"):
        found.extend(build.glob(prefix + pattern))
    return sorted(name for name in set(found) if not build.excluded(name))


def _matches(program: str, image_path: str, workdir: str) -> bool:
    if "/" not in program:
        return posixpath.dirname(image_path) in PATH_FOLDERS and posixpath.basename(image_path) == program
    return posixpath.normpath(posixpath.join(workdir, program)) == image_path


def start_script(build: BuildContext | None, instructions: Sequence[Instruction],
                 runtime: Sequence[Instruction]) -> StartScript | None:
    """The script the container starts with, read from the build context, or None when it is not there."""
    if build is None or not runtime:
        return None
    programs = [(p, _workdir_before(instructions, r)) for r in runtime for p, _script in _program_paths([r])]
    if not programs:
        return None
    copied = list(_copied_files(build, instructions))
    for program, workdir in programs:
        for image_path, context_path in copied:
            if _matches(program, image_path, workdir):
                text = build.read_text(context_path)
                if text is not None and len(text) <= MAX_SCRIPT_SIZE and _is_shell_script(text, context_path):
                    return StartScript(image_path, context_path, text)
    return None


#: Names a start script goes by (``entrypoint.sh``, ``start_container``, ``run``, ``docker-entrypoint``).
_SCRIPT_NAME = lazy_pattern(r"(\.(sh|bash)$|^(start|run|init|boot|entrypoint|docker-entrypoint|launch|startup)([_.-]|$))", re.I)


def unread_start_script(build: BuildContext | None, instructions: Sequence[Instruction],
                        runtime: Sequence[Instruction]) -> str | None:
    """The image path of a start script the build copies from its context but that cannot be read here, or None.

    Without the context (a Dockerfile checked on its own) such a script is
    what the container does at start, unseen. Only names that read as a
    script count (``entrypoint.sh``, ``start_container``): a copied binary
    (``COPY app /app``) is the program itself.
    """
    for instruction in runtime:
        workdir = _workdir_before(instructions, instruction)
        for program, script in _program_paths([instruction]):
            if not script and not _SCRIPT_NAME.search(posixpath.basename(program)):
                continue
            for image_path, source in _copy_targets(instructions):
                if _matches(program, image_path, workdir) or (
                    source is None and _inside(program, image_path, workdir)
                ):
                    if build is not None and build.exists(source or program.lstrip("/")) and source is not None:
                        text = build.read_text(source)
                        if text is not None and not _is_shell_script(text, source):
                            continue  # a program, not a script
                    return image_path if source is not None else posixpath.normpath(posixpath.join(workdir, program))
    return None


def first_program_script(build: BuildContext | None, instructions: Sequence[Instruction],
                         instruction: Instruction) -> tuple[str, str | None] | None:
    """The script the first word of a CMD/ENTRYPOINT names, when the build copies it from its context.

    Returns its path in the image and its text, the text None when the
    context is not here to read; None when the first word is no such
    script (a program of the image, a binary the build copies).
    """
    argv = command_words(instruction)
    if not argv:
        return None
    program = argv[0].strip("\"'")  # `CMD "docker-entrypoint.sh"`: the shell removes the quotes
    return copied_script(build, instructions, program, instruction)


def script_run_by(command: SimpleCommand) -> str | None:
    """The script file ``command`` runs: ``./install.sh``, ``/tmp/setup.sh``, ``bash deps.sh``, ``. ./env.sh``."""
    words = [word.value for word in command.words]
    if not words or words[0] is None:
        return None
    program = words[0]
    if program_name(program) in POSIX_SHELLS or program in (".", "source"):
        operands = []
        for word in words[1:]:
            if word is None:
                return None
            if word.startswith("-") and not operands:
                if "c" in word.lstrip("-") and not word.startswith("--"):
                    return None  # `sh -c '...'`: a command string, not a file
                continue
            operands.append(word)
        if not operands:
            return None  # a script read from the standard input
        script = operands[0]
        return script if "/" in script else "./" + script
    if "/" in program or program.endswith(".sh"):
        return program
    return None


def run_script(context: Context, run: Instruction, command: SimpleCommand) -> tuple[str, ShellScript | None] | None:
    """The script ``command`` of ``run`` runs, with its text analysed when the build copies it from the context.

    ``(path, model)``; the model is None when the file does not show the
    script (no build context, or an earlier step downloaded or wrote it).
    None when ``command`` runs no script file. Worked out once per command.
    """
    return context.memo(("run script", id(command)), lambda: _run_script(context, run, command))


def _run_script(context: Context, run: Instruction, command: SimpleCommand) -> tuple[str, ShellScript | None] | None:
    script = script_run_by(command)
    if script is None:
        return None
    found = copied_script(context.build_context, [*earlier_instructions(context, run), run], script, run)
    return script, (analyze(found[1]) if found is not None and found[1] is not None else None)


def copied_script(build: BuildContext | None, instructions: Sequence[Instruction], program: str,
                  at: Instruction) -> tuple[str, str | None] | None:
    """The script ``program`` names when ``at`` runs it, if the build copies it from its context.

    ``(path in the image, text)``, the text None when the context is not
    here to read; None when ``program`` is no such script (a program of the
    image, a binary the build copies, a file the build made or downloaded).
    """
    workdir = _workdir_before(instructions, at)
    for image_path, source in _copy_targets(instructions):
        if not (_matches(program, image_path, workdir) or (source is None and _inside(program, image_path, workdir))):
            continue
        text = build.read_text(source) if build is not None and source is not None and build.exists(source) else None
        named = any(_SCRIPT_NAME.search(posixpath.basename(name)) for name in (program, source or "") if name)
        if text is not None and (text.startswith("#!") or named):
            return image_path, text
        if text is None and named:  # `COPY apache-run.sh /usr/bin/apache-run`: the source's name tells
            return image_path, None
    return None


def _copy_targets(instructions: Sequence[Instruction]) -> Iterator[tuple[str, str | None]]:
    """Where COPY/ADD from the context put things, without reading the context.

    ``(image path, context file)`` for a named file (both readings of a
    destination without a trailing slash), ``(folder, None)`` for a source
    that may be a folder or a pattern (``.``, ``src/``, ``*.sh``).
    """
    for destination, relative, _into_folder in _context_copies(instructions):
        base = posixpath.basename(relative)
        if relative == "." or any(ch in base for ch in "*?["):
            yield destination, None
            continue
        yield posixpath.join(destination, base), relative
        yield destination, relative
        yield destination, None  # ``COPY bin /app/bin``: a folder of the same name


def _inside(program: str, folder: str, workdir: str) -> bool:
    if "/" not in program:
        return False
    path = posixpath.normpath(posixpath.join(workdir, program))
    return path.startswith(folder.rstrip("/") + "/")


def _is_shell_script(text: str, name: str) -> bool:
    first = text.split("\n", 1)[0]
    if first.startswith("#!"):
        return program_name(first[2:].strip().split()[-1] if "env" in first else first[2:].strip().split()[0]) in POSIX_SHELLS
    return name.endswith(".sh")


def script_root_need(script: StartScript) -> str | None:
    """Why the start script needs root (it drops privileges itself, or does what only root may), or None."""
    where = f"the start script `{script.context_path}`"
    try:
        model = analyze(script.text)
    except Exception:  # pragma: no cover - the shell layer does not raise on text; be safe with odd files
        return None
    for command in _commands(model.commands):
        name = command.name or ""
        line = script.text.count("\n", 0, command.start) + 1
        dropper = next((n for n in (*(w.name for w in command.wrappers), name) if n in PRIVILEGE_DROPPERS), None)
        if dropper is not None:
            return f"{where} switches accounts itself (`{dropper}` on line {line}), so it must start as root"
        program = (command.name_word.value or "") if command.name_word is not None else ""
        if _INIT_SCRIPT.match(program):
            return f"{where} runs `{program}` (line {line}), a service's init script, which needs root"
        if name in ROOT_PROGRAMS:
            return f"{where} runs `{name}` (line {line}), which needs root"
        for redirect in command.redirects:
            target = redirect.target.value if redirect.target is not None else None
            if redirect.operator in (">", ">>", ">|") and target and _SYSTEM_FOLDERS.match(target):
                return f"{where} writes `{target}` (line {line}), which only root may"
        if name == "sed" and any((w.value or "").startswith("-i") for w in command.args):
            for word in command.args:
                if word.value and _SYSTEM_FOLDERS.match(word.value):
                    return f"{where} edits `{word.value}` in place (line {line}), which only root may"
        if "/root/" in " ".join(w.value or "" for w in command.args):
            return f"{where} reads root's home (line {line}), which only root may enter"
    for invocation in package_commands(model):
        if invocation.action in ("install", "remove", "update", "upgrade"):
            line = script.text.count("\n", 0, invocation.start) + 1
            return f"{where} runs `{invocation.manager} {invocation.subcommand}` (line {line}), which needs root"
    return None


def _commands(commands: Iterable[SimpleCommand]) -> Iterator[SimpleCommand]:
    """The commands, and those a ``sh -c``/``bash -c`` among them runs."""
    for command in commands:
        yield command
        if command.name in POSIX_SHELLS:
            args = [w.value or "" for w in command.args]
            if "-c" in args and args.index("-c") + 1 < len(args):
                yield from analyze(args[args.index("-c") + 1]).commands
