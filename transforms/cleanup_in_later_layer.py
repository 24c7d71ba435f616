"""DF101 cleanup-in-later-layer: deleting in a later RUN what an earlier instruction added saves nothing."""

from __future__ import annotations

import posixpath
import re
from fnmatch import fnmatchcase
from typing import Callable, Iterator

import msgspec

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, StageInfo, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import SimpleCommand, package_commands
from dfix.shell import Context as ShellContext
from dfix.syntax import Add, Copy, Instruction, Run, Workdir

from ._merge import mergeable_pair, plan_merge
from ._merge_purpose import cleanup_only, long_step
from ._packages import known_values

#: Destinations too general to say that a path under them came from the COPY (the base image has files there).
_SYSTEM_DIRECTORIES = frozenset({
    "/", "/bin", "/sbin", "/etc", "/usr", "/usr/bin", "/usr/sbin", "/usr/lib", "/usr/local", "/usr/local/bin",
    "/usr/local/lib", "/usr/local/sbin", "/usr/share", "/opt", "/srv", "/var", "/var/lib", "/var/www", "/tmp",
    "/var/tmp", "/root", "/home", "/lib", "/lib64",
})
#: Where a one-word destination is a directory every image has (``COPY x.tgz /tmp`` puts it in /tmp).
_KNOWN_DIRECTORIES = frozenset({"/tmp", "/opt", "/root", "/srv", "/var/tmp", "/usr/src", "/usr/local/src",
                                "/usr/local/bin", "/usr/local", "/usr/bin", "/etc"})
#: The working directory the base image leaves, unknown but the same for every relative path until a WORKDIR:
#: a name no absolute path in a file can match.
_BASE_WORKDIR = "/\x00base-workdir"
_URL_NAME = lazy_pattern(r"[^/?#]+(?=[?#]|$)")
_NOT_ALWAYS = frozenset({ShellContext.CONDITION, ShellContext.BRANCH, ShellContext.LOOP, ShellContext.FUNCTION,
                         ShellContext.SUBSHELL, ShellContext.SUBSTITUTION, ShellContext.BACKGROUND})


class _Made(msgspec.Struct, frozen=True):
    """A path an instruction put in its layer: a file or a folder (everything under it counts)."""

    path: str
    folder: bool
    by: Instruction
    what: str


def _join(directory: str | None, path: str) -> str | None:
    """``path`` made absolute against ``directory`` (None when that is unknown)."""
    if path.startswith("/"):
        return posixpath.normpath(path)
    if directory is None:
        return None
    return posixpath.normpath(posixpath.join(directory, path))


def _literal(text: str | None) -> bool:
    return bool(text) and not any(c in text for c in "$*?[{~`")  # type: ignore[operator]


def _copied(instruction: Copy | Add, workdir: str | None) -> list[_Made]:
    """What a COPY/ADD writes that a later ``rm`` could name."""
    destination = instruction.destination or ""
    if not _literal(destination) or instruction.is_json or instruction.heredocs:
        return []
    target = _join(workdir, destination)
    if target is None:
        return []
    made: list[_Made] = []
    sources = [s for s in instruction.sources if _literal(s) and ("://" not in s or isinstance(instruction, Add))]
    kind = "copied" if isinstance(instruction, Copy) else "added"
    for source in sources:
        if "://" in source:
            url_name = _URL_NAME.search(source)
            if url_name is None:
                continue
            name = url_name.group(0)
            if destination.endswith("/") or destination in (".", "./") or target in _KNOWN_DIRECTORIES:
                made.append(_Made(posixpath.join(target, name), False, instruction, "downloaded"))
            else:
                made.append(_Made(target, False, instruction, "downloaded"))
            continue
        name = posixpath.basename(source.rstrip("/"))
        if source.rstrip("/") in ("", ".") or source.endswith("/"):
            if target not in _SYSTEM_DIRECTORIES:
                made.append(_Made(target, True, instruction, kind))
            continue
        if destination.endswith("/") or target in _KNOWN_DIRECTORIES or len(sources) > 1:
            made.append(_Made(posixpath.join(target, name), False, instruction, kind))
        elif posixpath.basename(target) == name or "." in posixpath.basename(target):
            made.append(_Made(target, False, instruction, kind))
    return made


def _option_value(words: list[str | None], index: int, short: str, long: str) -> tuple[str | None, int]:
    word = words[index] or ""
    if word == short or word == long or re.fullmatch(r"-[a-zA-Z]+" + short[1:], word):
        return (words[index + 1] if index + 1 < len(words) else None), 2  # `-o FILE`, `-fsSLo FILE`
    if word.startswith(long + "="):
        return word[len(long) + 1 :], 1
    if word.startswith(short) and len(word) > len(short) and not word.startswith("--"):
        return word[len(short):], 1
    return None, 1


def _word(word, expand: Callable[[str], str]) -> str | None:
    """A word's text with the variables the file gives a value expanded (``${ALF_BIN}``), or None."""
    text = word.value if word.value is not None else word.text.strip("\"'")
    return expand(text) if text else None


def _downloaded(command: SimpleCommand, cwd: str | None, expand: Callable[[str], str] = str) -> list[tuple[str, bool]]:
    """Files (or folders) a download command writes: ``curl -o``/``-O``, ``wget -O``/URL, ``git clone``."""
    if command.name not in ("curl", "wget", "git"):
        return []
    words = [_word(word, expand) for word in command.args]
    out: list[tuple[str | None, bool]] = []
    if command.name == "curl":
        remote = any(w in ("-O", "--remote-name") or (w and re.fullmatch(r"-[a-zA-Z]*O", w)) for w in words)
        index = 0
        while index < len(words):
            value, used = _option_value(words, index, "-o", "--output")
            if value is not None:
                out.append((value, False))
            index += used
        if remote and not out:
            urls = [w for w in words if w and "://" in w]
            out += [(m.group(0), False) for m in (_URL_NAME.search(u) for u in urls[:1]) if m]
    elif command.name == "wget":
        index = 0
        named = False
        while index < len(words):
            value, used = _option_value(words, index, "-O", "--output-document")
            if value is not None and value != "-":
                out.append((value, False))
                named = True
            index += used
        if not named and not any(w and (w.startswith(("-P", "--directory-prefix")) or w == "-O") for w in words):
            urls = [w for w in words if w and "://" in w]
            out += [(m.group(0), False) for m in (_URL_NAME.search(u) for u in urls[:1]) if m]
    elif command.name == "git" and words[:1] == ["clone"]:
        operands = [w for w in words[1:] if w is not None and not w.startswith("-")]
        if len(operands) == 2:
            out.append((operands[1], True))
        elif len(operands) == 1 and (m := _URL_NAME.search(operands[0].rstrip("/"))):
            out.append((re.sub(r"\.git$", "", m.group(0)), True))
    return [(path, folder) for path, folder in ((_join(cwd, p) if _literal(p) else None, f) for p, f in out) if path]


def _made_by_run(run: Run, model, workdir: str | None, expand: Callable[[str], str] = str) -> list[_Made]:
    made: list[_Made] = []
    cd_seen = False
    for command in model.commands:
        if command.name in ("cd", "pushd", "popd"):
            cd_seen = True
            continue
        for path, folder in _downloaded(command, None if cd_seen else workdir, expand):
            made.append(_Made(path, folder, run, "downloaded" if command.name != "git" else "cloned"))
    return made


def _made_here(own: list[_Made], command: SimpleCommand, workdir: str | None, expand: Callable[[str], str]) -> bool:
    """The ``rm`` deletes something its own RUN made (a download earlier in the same script)."""
    for word in command.operands():
        pattern = _operand(word, workdir, expand)
        if pattern is not None and any(_deleted(mine, pattern) for mine in own):
            return True
    return False


def _operand(word, cwd: str | None, expand: Callable[[str], str]) -> str | None:
    """An ``rm`` operand as an absolute path or pattern (``/tmp/connector*``), variables expanded; None if unknown."""
    text = _word(word, expand)
    if not text or any(c in text for c in "${~`"):
        return None
    return _join(cwd, text)


def _deleted(made: _Made, pattern: str) -> bool:
    """``rm`` of ``pattern`` deletes (part of) what ``made`` is: the path, one under a folder, or a glob matching it."""
    if any(c in pattern for c in "*?["):
        return fnmatchcase(made.path, pattern) or (made.folder and fnmatchcase(made.path, pattern.rstrip("/")))
    return _covers(made, pattern)


def _covers(made: _Made, path: str) -> bool:
    return path == made.path or (made.folder and path.startswith(made.path.rstrip("/") + "/"))


#: Package managers whose removal in a later RUN leaves the packages in the earlier layer.
_SYSTEM_FAMILIES = frozenset({"apt", "apk", "rpm", "zypper"})


def _installs(model) -> Iterator[tuple[str, str]]:
    """``(family, name)`` of the packages a RUN installs, with Alpine's virtual package (``--virtual .build-deps``)."""
    for invocation in package_commands(model):
        if invocation.family not in _SYSTEM_FAMILIES or invocation.action != "install":
            continue
        for word in invocation.packages:
            if _literal(word.value):
                yield invocation.family, _bare_name(word.value)
        if invocation.family == "apk":
            for option in invocation.options:
                if (option.matches("--virtual") or option.matches("-t")) and _literal(option.argument):
                    yield invocation.family, option.argument


def _bare_name(value: str) -> str:
    """A package word without its version or release (``curl=7.88*`` → ``curl``, ``gcc~12`` → ``gcc``)."""
    return re.split(r"[=<>~:/]", value, maxsplit=1)[0]


def _removed(model) -> Iterator[tuple[str, str]]:
    """``(family, name)`` of the packages a RUN removes."""
    for invocation in package_commands(model):
        if invocation.action == "remove":
            for word in invocation.packages:
                if _literal(word.value):
                    yield invocation.family, _bare_name(word.value)


def _removals(model, installed: dict[tuple[str, str], _Made], own: set[tuple[str, str]]) -> list[tuple[SimpleCommand, _Made]]:
    """Removals (``apk del``, ``apt-get purge``, ``yum remove`` ...) of packages an earlier RUN of the stage installed.

    Only commands that always run count; a package the RUN itself installs
    again (``own``: a build-and-remove in one RUN) does not.
    """
    if not installed:
        return []
    found = []
    for invocation in package_commands(model):
        if invocation.action != "remove" or not invocation.command.context.isdisjoint(_NOT_ALWAYS):
            continue
        for word in invocation.packages:
            key = (invocation.family, _bare_name(word.value)) if _literal(word.value) else None
            if key is not None and key in installed and key not in own:
                found.append((invocation.command, installed[key]))
                break
    return found


class CleanupInLaterLayer(Rule):
    """Delete files in the RUN that made them: a later RUN's ``rm`` (or package removal) leaves them in the image.

    **What.** In a stage that ships (the final image or a base of another
    stage), a RUN that deletes what an earlier instruction of the same stage
    put in its layer: an ``rm`` of a file or folder a COPY/ADD copied there,
    or that an earlier RUN downloaded (``curl -o``/``-O``, ``wget``,
    ``git clone``; a variable the file gives a value is read as that value,
    and an ``rm`` pattern such as ``/tmp/tool-*`` counts for what it
    matches); or a removal of packages an earlier RUN of the stage
    installed (``apk del .build-deps``, ``apt-get purge``, ``yum remove``).
    Every layer is kept, so the bytes stay in the image and the deletion only
    hides them (and adds a layer).

    Package caches deleted in a later RUN (``rm -rf /var/lib/apt/lists/*``,
    ``yum clean all``, ``pip cache purge``, ``npm cache clean`` ...) are the
    cache rules' findings (DF200, DF210, DF212, DF214, DF220, DF221), which
    report the RUN that filled the cache; they are not reported here a
    second time. Deletions under a cache or tmpfs mount never reach the image
    and are not reported either.

    **Fix** (safe), only for a RUN that does nothing but delete (and clean
    package caches) and follows the RUN that made the files directly, with
    the same flags and no comment or blank line between them: it joins that
    RUN, exactly as DF100 joins RUNs (every line kept, `` && \\`` in the file's
    style). DF100's limits hold: a RUN running a long build step (``make``
    ...) keeps its own layer, and a join the shell would read differently
    (``cd`` before, ``;`` lists after, background jobs) is not made. Files a
    COPY brought are reported only: copy only what the image needs (a
    ``.dockerignore``, narrower sources), or read them through ``RUN
    --mount=type=bind`` instead of copying.
    """

    code = "DF101"
    name = "cleanup-in-later-layer"
    summary = "A RUN deletes files an earlier layer created, so the image keeps them"
    safety = Safety.SAFE

    valid = (
        Valid("FROM debian\nRUN curl -fsSLo /tmp/x.tgz https://example.com/x.tgz && tar -xzf /tmp/x.tgz -C /opt "
              "&& rm /tmp/x.tgz\n", "deleted in the RUN that made it"),
        Valid("FROM debian\nRUN apt-get update && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n",
              "a package cache: DF200 reports the RUN that filled it"),
        Valid("FROM debian AS build\nCOPY . /src\nRUN rm -rf /src/tests\nFROM scratch\nCOPY --from=build /src/out /\n",
              "a builder stage that only lends files does not ship its layers"),
        Valid("FROM debian\nRUN rm -rf /usr/share/doc\n", "nothing earlier in the file made it"),
        Valid("FROM debian\nWORKDIR /app\nCOPY . .\nRUN curl -fsSLO https://example.com/get-tool.sh && sh get-tool.sh "
              "&& rm get-tool.sh\n", "the RUN deletes its own download, not a copied file of that name"),
        Valid("FROM debian\nCOPY app.conf /etc/app/\nRUN rm -f /etc/app/default.conf\n", "another file"),
        Valid(
            "FROM alpine:3.19\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir "
            "psutil && apk del .build-deps\n",
            "the build dependencies are removed in the RUN that installed them",
        ),
        Valid("FROM debian:12\nRUN apt-get purge -y --auto-remove vim-tiny\n", "a package the base image brought"),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN wget -q https://example.com/tool.tar.gz && tar -xzf tool.tar.gz -C /opt && ./install.sh\n"
            "RUN rm tool.tar.gz\n",
            "FROM debian\nRUN wget -q https://example.com/tool.tar.gz && tar -xzf tool.tar.gz -C /opt && ./install.sh && \\\n"
            "    rm tool.tar.gz\n",
            "a deletion alone in the next RUN joins the RUN that downloaded the file",
            message="`rm tool.tar.gz` deletes what the RUN on line 2 downloaded into an earlier layer: the image "
                    "still carries it",
            line=3, column=5,
        ),
        Invalid(
            "FROM debian\nENV TOOL=tool-1.2.tar.gz\nRUN curl -fsSLo /tmp/$TOOL https://example.com/$TOOL && tar -xzf "
            "/tmp/$TOOL -C /opt\nRUN rm -f /tmp/tool-*\n",
            "FROM debian\nENV TOOL=tool-1.2.tar.gz\nRUN curl -fsSLo /tmp/$TOOL https://example.com/$TOOL && tar -xzf "
            "/tmp/$TOOL -C /opt && \\\n    rm -f /tmp/tool-*\n",
            "a download named by a variable the file sets, deleted by a pattern",
        ),
        Invalid(
            "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\nRUN rm -rf /app/src /app/test\n", None,
            "files a COPY brought: reported only",
        ),
        Invalid(
            "FROM alpine:3.19\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir "
            "psutil\nRUN apk del .build-deps\n",
            "FROM alpine:3.19\nRUN apk add --no-cache --virtual .build-deps gcc musl-dev && pip install --no-cache-dir "
            "psutil && \\\n    apk del .build-deps\n",
            "the build dependencies' removal alone in the next RUN joins the RUN that installed them",
            message="`apk del .build-deps` removes `.build-deps`, which the RUN on line 2 installed into an earlier "
                    "layer: the image still carries it",
        ),
        Invalid(
            "FROM debian:12\nRUN apt-get update && apt-get install -y wget\n"
            "RUN wget -qO /usr/local/bin/tool https://example.com/tool && chmod +x /usr/local/bin/tool\n"
            "RUN apt-get purge -y wget\n",
            None,
            "the RUN that installed the package is not the one before: reported only",
        ),
        Invalid(
            "FROM debian\nRUN git clone https://example.com/lib.git /usr/src/lib && make -C /usr/src/lib install\n"
            "RUN rm -rf /usr/src/lib\n", None,
            "the RUN that made it runs a long build step, which keeps its own layer (as DF100 does)",
        ),
        Invalid(
            "FROM debian\nRUN curl -fsSLO https://example.com/tool.deb && dpkg -i tool.deb\n\n# tidy up\nRUN rm tool.deb\n",
            None, "a comment or blank line between them is a section boundary",
        ),
        Invalid(
            "FROM debian\nRUN curl -fsSL -o /tmp/tool.deb https://example.com/tool.deb\nRUN dpkg -i /tmp/tool.deb && "
            "rm /tmp/tool.deb\n", None, "the RUN does more than delete: reported only",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for info in context.stages:
            if not context.ships(info):
                continue
            yield from self._stage(context, info)

    def _stage(self, context: Context, info: StageInfo) -> Iterator[Diagnostic]:
        made: list[_Made] = []
        installed: dict[tuple[str, str], _Made] = {}  # (family, package) -> the install that put it in a layer
        workdir: str | None = _BASE_WORKDIR
        previous: Instruction | None = None
        for instruction in info.stage.instructions:
            if isinstance(instruction, Workdir) and instruction.arguments:
                value = instruction.arguments[0]
                workdir = _join(workdir, value) if _literal(value) else None
            elif isinstance(instruction, (Copy, Add)):
                made.extend(_copied(instruction, workdir))
            elif isinstance(instruction, Run):
                view = context.run_view(instruction)
                model = view.model
                if model is not None:
                    expand = known_values(context, instruction)
                    own = set(_installs(model))
                    yield from self._deletions(context, view, model, made, installed, own, workdir, previous, expand)
                    made.extend(_made_by_run(instruction, model, workdir, expand))
                    for key in _removed(model):
                        installed.pop(key, None)  # gone, whatever a later RUN does
                    for family, name in own:
                        installed.setdefault((family, name), _Made(name, False, instruction, "installed"))
            previous = instruction

    def _deletions(self, context, view, model, made: list[_Made], installed: dict[tuple[str, str], _Made],
                   own: set[tuple[str, str]], workdir, previous, expand: Callable[[str], str]) -> Iterator[Diagnostic]:
        if not made and not installed:
            return
        findings: list[tuple[SimpleCommand, _Made]] = _removals(model, installed, own)
        cd_seen = False
        for command in model.commands:
            if command.name in ("cd", "pushd", "popd"):
                cd_seen = True
                continue
            if command.name != "rm" or not command.context.isdisjoint(_NOT_ALWAYS):
                continue
            for word in command.operands():
                path = _operand(word, None if cd_seen else workdir, expand)
                if path is None or view.mount_covers(path, types=None):
                    continue
                producer = next((m for m in reversed(made) if _deleted(m, path)), None)
                if producer is not None:
                    findings.append((command, producer))
                    break
        own = _made_by_run(view.run, model, workdir, expand)
        findings = [(command, producer) for command, producer in findings
                    if not _made_here(own, command, workdir, expand)]
        if not findings:
            return
        fix, note = self._fold(context, view, model, findings, previous)
        for command, producer in findings:
            text = model.text[command.start : command.end]
            where = "a COPY" if isinstance(producer.by, Copy) else "an ADD" if isinstance(producer.by, Add) else "the RUN"
            if producer.what == "installed":
                message = (f"`{text}` removes `{producer.path}`, which the RUN on line {producer.by.start_line} installed "
                           "into an earlier layer: the image still carries it")
            elif producer.folder:
                message = (f"`{text}` deletes files under {producer.path}, which {where} on line "
                           f"{producer.by.start_line} filled in an earlier layer: the image still carries them")
            else:
                message = (f"`{text}` deletes what {where} on line {producer.by.start_line} {producer.what} into an "
                           "earlier layer: the image still carries it")
            if fix is None:
                yield self.diagnostic(view.span(command.start, command.end), message, note=f"not fixed: {note}")
            else:
                yield self.diagnostic(view.span(command.start, command.end), message, fix.edits, safety=fix.safety,
                                      title="delete in the RUN that made it", note=fix.note)

    def _fold(self, context: Context, view, model, findings, previous):
        """The merge of this RUN into the RUN before it, or why there is none."""
        producers = {id(producer.by) for _, producer in findings}
        if any(not isinstance(producer.by, Run) for _, producer in findings):
            return None, ("the files came from a COPY/ADD; copy only what the image needs, or read them through "
                          "`RUN --mount=type=bind` instead of copying")
        if previous is None or producers != {id(previous)}:
            return None, "the RUN that made them is not the one right before this RUN; remove them in the RUN that made them"
        if not cleanup_only(model):
            return None, "this RUN does more than delete; remove them in the RUN that made them"
        run = view.run
        if previous.span.end != run.span.start:
            return None, "a comment or blank line between the two RUNs starts a new section of the file"
        why = mergeable_pair(context, previous, run)
        if why is not None:
            return None, f"the two RUNs cannot be joined ({why})"
        step = long_step(context.run_view(previous).model)
        if step is not None and context.option("DF100", "keep-long-steps", True):
            return None, (f"line {previous.start_line} runs a long build step (`{step}`), which keeps a cache entry of "
                          "its own; delete the files at its end by hand")
        plan = plan_merge(context, [previous, run])
        if not plan:
            return None, f"the two RUNs cannot be joined: {plan.reason}"
        return plan, None
