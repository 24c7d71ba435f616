"""DF102 copy-context-before-deps: a COPY of the whole context before the installs re-runs them on every edit."""

from __future__ import annotations

import posixpath
import re
from typing import Iterator

import msgspec

from dfix.engine import Context, Diagnostic, Edit, ImageEffects, Invalid, Rule, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import package_command
from dfix.syntax import (
    Add, Arg, Cmd, Copy, Entrypoint, Env, Expose, Healthcheck, Instruction, Label, Maintainer, ParseError, Run,
    Shell, Stopsignal, User, Workdir, parse_instruction,
)

from ._manifests import ContextReading, read_manifests
from ._reorder import (
    InstallClaimer, Manifests, Place, attached_end, block_range, block_start, deliberate_order, judge_script,
    mount_problem, newline_of, run_model, stage_workdirs, system_place, virtualenvs_inside,
)

#: Sources that copy (most of) the build context.
_BROAD_NAMES = frozenset({
    "src", "app", "source", "sources", "code", "lib", "server", "web", "api", "backend", "frontend", "project",
    "www", "site", "public", "apps", "packages", "cmd", "internal", "pkg", "services", "service",
})
#: Instructions a COPY without ``$`` may be moved across (WORKDIR is judged on its own).
_CROSSABLE = (Env, Arg, Label, Expose, Maintainer, Stopsignal, Healthcheck, Cmd, Entrypoint, Shell, User)
_SPLIT_SOURCE = lazy_pattern(r"^(\./?|\.?/?[\w.-]+/?)$")
#: Language installs the rule reports (rules.md DF102), also those it cannot split.
_LANGUAGE_INSTALLS = {
    "go": ("mod download",), "mvn": ("dependency:go-offline", "dependency:resolve", "install", "package"),
    "gradle": ("dependencies", "build"), "gradlew": ("dependencies", "build"), "composer": ("install",),
    "cargo": ("fetch", "build"), "bundle": ("install", ""), "poetry": ("install",), "pipenv": ("install", "sync"),
}


def broad_sources(copy: Instruction) -> bool:
    """A COPY/ADD from the build context whose sources are the context or a source folder."""
    if not isinstance(copy, (Copy, Add)) or copy.heredocs or copy.flag("from") is not None:
        return False
    sources = copy.sources
    if not sources or copy.is_json and not sources:
        return False
    for source in sources:
        if "://" in source or source.startswith("git@"):
            return False
        cleaned = source[2:] if source.startswith("./") else source
        cleaned = cleaned.rstrip("/") if cleaned not in ("", "/") else cleaned
        if source in (".", "./", "*", "./*") or cleaned == "":
            continue
        if source.endswith("/") and "*" not in source and "$" not in source:
            continue
        if cleaned.lower() in _BROAD_NAMES:
            continue
        return False
    return True


def install_summary(model) -> str | None:
    """The first dependency install in a RUN's script, as written (``apt-get install``), or None."""
    for command in model.commands:
        invocation = package_command(command)
        if invocation is not None and invocation.action == "install":
            return f"{invocation.manager} {invocation.subcommand or 'install'}".strip()
        name = command.name
        if name in _LANGUAGE_INSTALLS:
            values = " ".join(w.value or "" for w in command.args if not (w.value or "-").startswith("-"))
            for subcommand in _LANGUAGE_INSTALLS[name]:
                if values.startswith(subcommand) and (subcommand or not values):
                    return f"{name} {subcommand}".strip()
    return None


class Plan(msgspec.Struct):
    """Where the COPY goes, and the split if there is one."""

    target: Run | None = None
    split_run: Run | None = None
    manifests: Manifests | None = None
    crossed: int = 0
    problem: str | None = None
    install: str | None = None  # what the stopping RUN installs, for the message
    dest: Place | None = None  # where the COPY puts the context


class CopyContextBeforeDeps(Rule):
    """Move a COPY of the build context below the installs that do not read it.

    A ``COPY . .`` (or ``COPY src /app``, ``ADD . /app`` ...) before
    ``RUN apt-get install ...`` or ``RUN pip install -r requirements.txt``
    makes every source edit invalidate the cache of every later layer: the
    packages are downloaded and installed again on each build.

    The fix has two shapes. When the RUNs that follow provably read nothing
    under the COPY's destination (OS package installs with literal names,
    ``useradd``/``groupadd``, ``curl``/``wget`` to absolute paths, ``mkdir``/
    ``chmod``/``rm`` of absolute paths elsewhere), the COPY (with the comment
    lines directly above it) moves below the last of them. When one of them is
    a language install that reads only its manifests (``pip install -r F``,
    ``npm ci``/``npm install``, ``yarn``, ``pnpm install``, ``go mod
    download``, ``bundle install``, ``composer install --no-scripts
    --no-autoloader``, ``mvn dependency:go-offline``, ``poetry install
    --no-root``), a ``COPY <manifests> <dest>`` goes right before it and the
    broad COPY after it: ``COPY requirements.txt ./`` + the install + ``COPY
    . .``. The manifest COPY keeps the broad one's flags (``--chown``,
    ``--chmod``, ``--link``) and keyword case (an ``ADD .`` gets a ``COPY`` of
    its manifests: plain files, never archives to unpack).

    The split reads the build context (the Dockerfile's folder, or
    ``--context DIR``) and copies what the install reads: requirements files
    with the files they include (``-r``) and constrain with (``-c``);
    ``package.json`` with its lock file, ``.npmrc``/``.yarnrc`` and each
    workspace's ``package.json``; ``go.mod`` with ``go.sum``; ``Gemfile`` with
    ``Gemfile.lock`` and ``.ruby-version`` ... It is not split when the
    install needs the sources: an install script (``preinstall``,
    ``install``, ``postinstall``, ``prepare``) not turned off with
    ``--ignore-scripts``, ``-e .`` or a local path in a requirements file,
    ``file:`` dependencies, a local ``replace`` in go.mod, ``gemspec`` in a
    Gemfile, a multi-module pom; nor when a manifest is missing or excluded
    by ``.dockerignore``, nor when ``.dockerignore`` lets the later ``COPY .
    .`` bring a local ``node_modules`` over the installed one (or Composer's
    ``vendor``, gems installed into the project, a virtualenv inside it). A
    comment saying the order is deliberate ("after the COPY so it always
    happens") is respected: reported, not moved. Without a build context (standard input without
    ``--stdin-filename``, a text without a path) a split is only reported.

    Nothing is moved across a RUN that may read the copied files (relative
    paths, ``-r``/``-e .``, ``make``, scripts, ``$VARS`` that may be paths,
    heredocs, bind mounts, mounts or writes inside the destination), across
    WORKDIR when the destination is relative (or with ``--chown``/``--chmod``
    when WORKDIR creates it), across COPY/ADD/VOLUME/ONBUILD, when the COPY
    uses ``$VARS`` or ``--from``/``--parents``, when its destination is a
    system directory (``/``, ``/etc``, ``/usr``, ``/var/www`` ...: a crossed
    package install writes there) or is not known (no literal WORKDIR), when
    the stage is the base of another stage, or under a non-POSIX SHELL.

    Unsafe: a move assumes the crossed installs write nothing under the
    COPY's destination; a split assumes the install reads no file but the
    manifests it copies (a dependency's own install script could still read
    the project). Cargo and Gradle builds (they need the sources), ``pip
    install .``, ``./mvnw`` and installs run in another directory are
    reported without a fix.
    """

    code = "DF102"
    name = "copy-context-before-deps"
    summary = "a COPY of the build context comes before dependency installs that do not need it"
    safety = Safety.UNSAFE
    declared_effects = ImageEffects(cache_order=True)  # the same files; a cache layer that survives source edits

    valid = (
        Valid("FROM debian\nRUN apt-get update && apt-get install -y curl\nWORKDIR /app\nCOPY . .\n"),
        Valid("FROM debian\nWORKDIR /app\nCOPY . .\nRUN make\n", "no install after the COPY"),
        Valid(
            "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\nCOPY . .\n",
            "already split",
        ),
        Valid(
            "FROM debian AS build\nRUN make\nFROM debian\nWORKDIR /app\nCOPY --from=build /out .\nRUN apt-get install -y curl\n",
            "COPY --from reads another stage, not the context",
        ),
        Valid(
            "FROM debian\nWORKDIR /app\nCOPY app.py .\nRUN apt-get install -y curl\n",
            "a single file is not a broad context COPY",
        ),
        Valid(
            "FROM debian\nWORKDIR /app\nONBUILD COPY . .\nRUN apt-get install -y curl\n",
            "ONBUILD triggers run in an unknown build",
        ),
        Valid(
            "FROM debian\nSHELL [\"/usr/bin/pwsh\", \"-c\"]\nWORKDIR /app\nCOPY . .\nRUN apt-get install -y curl\n",
            "a non-POSIX SHELL: the RUN is not read at all",
        ),
    )
    invalid = (
        Invalid(
            "FROM ubuntu\nCOPY . /src\nRUN apt-get install -y make gettext\n        #   ^ xgettext\n\nRUN cd /src && make\n",
            "FROM ubuntu\nRUN apt-get install -y make gettext\n        #   ^ xgettext\nCOPY . /src\n\nRUN cd /src && make\n",
            "an indented comment under the RUN annotates it: the COPY goes below it",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y curl\nCMD [\"./run\"]\n",
            "FROM debian\nWORKDIR /app\nRUN apt-get update && apt-get install -y curl\nCOPY . .\nCMD [\"./run\"]\n",
            "OS packages: the COPY moves below the install",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nWORKDIR /app\n\n# the sources\nCOPY --chown=app:app . .\n\nRUN apt-get update && \\\n    apt-get install -y curl\n"
            "RUN useradd -m app\nRUN curl -fsSL https://example.com/tool -o /usr/local/bin/tool && chmod +x /usr/local/bin/tool\n\nCMD [\"./run\"]\n",
            "FROM debian\nWORKDIR /app\n\nRUN apt-get update && \\\n    apt-get install -y curl\n"
            "RUN useradd -m app\nRUN curl -fsSL https://example.com/tool -o /usr/local/bin/tool && chmod +x /usr/local/bin/tool\n\n"
            "# the sources\nCOPY --chown=app:app . .\n\nCMD [\"./run\"]\n",
            "past user creation and a download to an absolute path; comments and flags move along",
            unsafe=True,
        ),
        Invalid(
            'FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nCMD ["python", "app.py"]\n',
            None,
            'pip without the build context: reported, with a note that the split needs it',
        ),
        Invalid(
            'FROM node:20\nWORKDIR /usr/src/app\nCOPY --chown=node:node --link . .\nRUN npm ci --omit=dev\nUSER node\nCMD ["node", "index.js"]\n',
            None,
            'npm without the build context: reported only (package.json may have install scripts)',
        ),
        Invalid(
            'FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /out/app .\nFROM gcr.io/distroless/static\nCOPY --from=build /out/app /app\n',
            None,
            'Go modules without the build context: reported only',
        ),
        Invalid(
            "FROM debian\nWORKDIR /app\nCOPY . .\nRUN [\"apt-get\", \"install\", \"-y\", \"curl\"]",
            "FROM debian\nWORKDIR /app\nRUN [\"apt-get\", \"install\", \"-y\", \"curl\"]\nCOPY . .",
            "exec form read as its argv; no final newline kept",
            unsafe=True,
        ),
        # -- reported, never fixed -----------------------------------------------------------------
        Invalid("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -e .\n", None, "`-e .` installs the copied project"),
        Invalid("FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install .\n", None, "`pip install .` reads the sources"),
        Invalid(
            "FROM debian\nWORKDIR /app\nCOPY . .\nRUN apt-get install -y ./vendor/tool.deb\n", None,
            "a .deb file from the context",
        ),
        Invalid("FROM debian\nWORKDIR /app\nCOPY . .\nRUN make && apt-get install -y curl\n", None, "`make` reads the sources"),
        Invalid(
            "FROM golang:1.22\nWORKDIR /src\nCOPY . .\n\n# Update packages (after the src COPY so it always happens)\n"
            "RUN apt-get update && apt-get install -y ca-certificates\nRUN go build ./...\n", None,
            "the author's comment says the order is deliberate",
        ),
        Invalid(
            "FROM debian\nWORKDIR /srv/app\nCOPY . .\nRUN groupadd -r app && useradd -r -g app app\nRUN make && apt-get install -y curl\n", None,
            "only a user creation could be crossed: no cache worth a move",
        ),
        Invalid("FROM debian\nWORKDIR /app\nCOPY . .\nRUN ./install-deps.sh && apt-get install -y curl\n", None, "a script"),
        Invalid(
            "FROM debian\nWORKDIR /src\nCOPY . .\nWORKDIR /app\nRUN apt-get install -y curl\n", None,
            "a relative destination cannot cross WORKDIR",
        ),
        Invalid(
            "FROM debian\nCOPY . .\nRUN apt-get install -y curl\n", None,
            "no WORKDIR: the destination may be / (the base image decides)",
        ),
        Invalid("FROM debian\nCOPY . /var/www/html\nRUN apt-get install -y apache2\n", None, "a package install may write there"),
        Invalid(
            "FROM debian AS base\nWORKDIR /app\nCOPY . .\nRUN apt-get install -y curl\nFROM base\nCMD [\"./run\"]\n", None,
            "the stage is the base of another stage",
        ),
        Invalid(
            "FROM debian\nWORKDIR /app\nCOPY . $APP_HOME\nRUN apt-get install -y curl\n", None,
            "a destination only known at build time",
        ),
        Invalid(
            "FROM debian\nCOPY --chown=app . /app\nWORKDIR /app\nRUN apt-get install -y curl\n", None,
            "WORKDIR would create the destination (root-owned) before a COPY --chown",
        ),
        Invalid(
            "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt && python setup.py install\n", None,
            "setup.py reads the sources",
        ),
        Invalid(
            "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci --workspaces\n", None,
            "npm workspaces read other package.json files",
        ),
        Invalid(
            "FROM node:20\nCOPY . /app\nRUN npm install -g . && apt-get install -y curl\n", None,
            "`npm install -g .` installs the copied folder (a path, not a package name)",
        ),
        Invalid(
            "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install -g ./tools/cli.tgz typescript\n", None,
            "a tarball from the context",
        ),
        Invalid(
            "FROM debian\nWORKDIR /app\nCOPY . .\nRUN mv fonts /usr/share/fonts/ && apt-get install -y fontconfig\n", None,
            "a relative path read from the working directory (the destination)",
        ),
        Invalid(
            "FROM debian\nWORKDIR /app\nCOPY . .\nRUN mkdir -p /app/logs && apt-get install -y curl\n", None,
            "the RUN writes inside the destination",
        ),
        Invalid(
            "FROM debian\nWORKDIR /app\nCOPY . .\nRUN --mount=type=bind,target=/mnt apt-get install -y curl\n", None,
            "a bind mount (of the context, by default)",
        ),
        Invalid(
            "FROM debian\nWORKDIR /app\nCOPY . .\nRUN --mount=type=cache,target=/app/.cache apt-get install -y curl\n", None,
            "a cache mount inside the destination",
        ),
        Invalid(
            "FROM debian\nWORKDIR /app\nCOPY . .\nRUN <<EOF\napt-get install -y curl\nEOF\n", None, "a heredoc RUN",
        ),
        Invalid("FROM debian\nWORKDIR /app\nCOPY . .\nVOLUME /data\nRUN apt-get install -y curl\n", None, "VOLUME is not crossed"),
        Invalid(
            "FROM debian\nWORKDIR /app\nCOPY . .\nRUN apt-get install -y $PACKAGES\n", None,
            "a package list only known at build time",
        ),
        Invalid(
            "FROM debian\nWORKDIR /home/app/src\nCOPY . .\nRUN useradd -m app && apt-get install -y curl\n", None,
            "user creation writes /home, where the destination is",
        ),
        Invalid(
            "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install --immutable\n", None,
            "Yarn ≥ 2 needs its .yarn folder",
        ),
        Invalid(
            "FROM composer:2\nWORKDIR /app\nCOPY . .\nRUN composer install --no-dev\n", None,
            "Composer scripts and the class map read the sources",
        ),
        Invalid("FROM rust:1\nWORKDIR /app\nCOPY . .\nRUN cargo build --release\n", None, "Cargo needs the sources"),
        Invalid(
            "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci && npm run build\n", None,
            "the same RUN builds the sources",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for info in context.stages:
            if info.windows:
                continue
            instructions = info.stage.instructions
            workdirs: dict | None = None
            for index, instruction in enumerate(instructions):
                if not broad_sources(instruction):
                    continue
                install = self._later_install(context, instructions[index + 1 :])
                if install is None:
                    continue
                if workdirs is None:
                    workdirs = stage_workdirs(context, info.stage.index)
                plan = self._plan(context, info, instructions, index, workdirs)
                yield self._diagnostic(context, instruction, plan, install)

    # -- what the rule reports -------------------------------------------------------------------

    @staticmethod
    def _later_install(context: Context, later: tuple[Instruction, ...]) -> tuple[Run, str] | None:
        for instruction in later:
            if broad_sources(instruction):
                return None
            if isinstance(instruction, Run):
                facts = run_model(instruction, context)
                if facts.script is None:
                    if instruction.heredocs and re.search(r"\b(install|add)\b", instruction.code):
                        return instruction, "a heredoc RUN"
                    continue
                found = install_summary(facts.script)
                if found:
                    return instruction, found
        return None

    def _diagnostic(self, context: Context, copy: Instruction, plan: Plan, install: tuple[Run, str]) -> Diagnostic:
        run, what = install
        shown = copy.original.strip() if len(copy.original) < 60 else copy.instruction
        message = f"`{shown}` comes before `{what}` (line {run.start_line}): every source edit re-runs the install"
        if plan.problem is not None or plan.target is None:
            return self.diagnostic(copy, message, note=f"not fixed: {plan.problem}")
        comment = deliberate_order(context.tree, copy.span.end, plan.target.span.end)
        if comment is not None:
            return self.diagnostic(copy, message, note=f"not fixed: a comment says the order is deliberate (`{comment[:80]}`)")
        groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
        if plan.manifests is not None:
            reading = self._read_context(context, copy, plan)
            if reading.problem is not None:
                return self.diagnostic(copy, message, note=f"not fixed: {reading.problem}")
            groups, assumes = reading.groups, reading.assumes
            title = f"copy the {plan.manifests.ecosystem} manifests first, the rest after the install"
        else:
            title = f"move the COPY below line {plan.target.end_line}"
            assumes = "assumes the crossed installs write nothing under the COPY's destination"
        edits = self._edits(context, copy, plan, groups)
        if isinstance(edits, str):
            return self.diagnostic(copy, message, note=f"not fixed: {edits}")
        return self.diagnostic(copy, message, edits, title=title, assumes=assumes)

    @staticmethod
    def _read_context(context: Context, copy: Instruction, plan: Plan) -> ContextReading:
        """What the build context says about splitting off the plan's manifests; without one, only a report."""
        build = context.build_context
        if build is None:
            return ContextReading(problem=(
                "the split needs the build context, to read what the manifests name (run dfix on the "
                "Dockerfile in its folder, or give --context)"
            ))
        source = copy.sources[0]
        prefix = "" if source in (".", "./") else posixpath.normpath(source)
        manifests = plan.manifests
        info = context.stage_of(copy)
        venvs = virtualenvs_inside(context, info.stage.instructions, plan.dest, stage_workdirs(context, info.stage.index))
        return read_manifests(build, prefix, manifests.ecosystem, manifests.files, manifests.ignore_scripts,
                              (*venvs, *manifests.fills))

    # -- the plan ---------------------------------------------------------------------------------

    def _plan(self, context: Context, info, instructions, index: int, workdirs: dict) -> Plan:
        copy = instructions[index]
        plan = Plan()
        if copy.flag("parents") is not None:
            return Plan(problem="`COPY --parents` keeps source paths")
        if "$" in copy.original:
            return Plan(problem="the COPY uses variables, whose values the crossed instructions may change")
        if context.children_of(info):
            return Plan(problem=f"the stage is the base of another stage (line {context.children_of(info)[0].stage.from_.start_line})")
        destination = copy.destination or ""
        workdir = workdirs.get(id(copy))
        dest = Place(destination).join(".") if destination.startswith("/") else (workdir.join(destination) if workdir else None)
        if dest is None:
            return Plan(problem="the COPY's destination is not known (a WORKDIR with variables)")
        if not dest.absolute:
            return Plan(problem="the COPY's destination depends on the base image's WORKDIR (set one with WORKDIR)")
        if system_place(dest):
            return Plan(problem=f"the destination {dest} is a system directory a crossed install may write to")
        plan.dest = dest
        relative_dest = not destination.startswith("/")
        chowns = copy.flag("chown") is not None or copy.flag("chmod") is not None
        home_sensitive = dest.under(Place("/home"))
        splittable = len(copy.sources) == 1 and _SPLIT_SOURCE.match(copy.sources[0]) is not None \
            and copy.sources[0] not in ("*", "./*") and not copy.is_json \
            and (isinstance(copy, Copy) or copy.sources[0] in (".", "./") or copy.sources[0].endswith("/"))
        target: Run | None = None
        heavy = False
        first_problem: str | None = None
        for later in instructions[index + 1 :]:
            if isinstance(later, Run):
                cwd = workdirs.get(id(later))
                problem = mount_problem(context.run_view(later), dest, cwd)
                facts = run_model(later, context)
                problem = problem or facts.problem
                claimer = InstallClaimer(dest) if plan.split_run is None else None
                verdict = None
                if problem is None:
                    verdict = judge_script(facts.script, cwd, dest, home_sensitive=home_sensitive, allow_install=claimer)
                    problem = verdict.problem
                    if problem is None and verdict.installs:
                        manifests = claimer.manifests()
                        if not splittable:
                            problem = "only a COPY of `.` or of one folder is split"
                        elif claimer.problem or manifests is None:
                            problem = claimer.problem or "no manifests"
                        else:
                            plan.split_run, plan.manifests = later, manifests
                if problem is not None:
                    if claimer is not None and claimer.problem and not verdict_installs(verdict):
                        problem = claimer.problem
                    first_problem = f"line {later.start_line}: {problem}"
                    break
                heavy = heavy or verdict.heavy
                target = later
                plan.crossed += 1
                continue
            if isinstance(later, Workdir):
                if relative_dest:
                    first_problem = f"line {later.start_line}: a relative destination cannot cross WORKDIR"
                    break
                place = workdirs.get(id(later))
                value = later.value or ""
                new = place.join(value) if place is not None and "$" not in value else None
                if new is None or (chowns and (new.overlaps(dest))):
                    first_problem = f"line {later.start_line}: WORKDIR would create the destination before the COPY"
                    break
                continue
            if isinstance(later, _CROSSABLE):
                continue
            first_problem = f"line {later.start_line}: {later.instruction} is not crossed"
            break
        if target is None or not heavy:
            plan.problem = first_problem or "no RUN to move the COPY below"
            return plan
        plan.target = target
        return plan

    # -- the edits ------------------------------------------------------------------------------------

    def _edits(self, context: Context, copy: Instruction, plan: Plan,
               groups: tuple[tuple[str, tuple[str, ...]], ...]) -> list[Edit] | str:
        tree = context.tree
        text = tree.code
        start, end, blank = block_range(tree, copy)
        newline = newline_of(copy)
        block = text[start : copy.span.end]
        if not block.endswith(("\n", "\r")):
            return "the COPY is the last line"
        edits = [Edit(start, end, "")]
        if plan.manifests is not None:
            manifest_text = self._manifest_copies(context, copy, plan, groups, newline)
            if not manifest_text.lower().startswith("copy "):
                return manifest_text
            position = block_start(tree, plan.split_run)
            if position < end:
                return "the install's comment lines touch the COPY"
            edits.append(Edit(position, position, manifest_text))
        target = plan.target
        position = attached_end(tree, target)
        tail = text[target.span.start : position]
        if tail.endswith(("\n", "\r")):
            edits.append(Edit(position, position, (newline if blank else "") + block))
        else:
            edits.append(Edit(position, position, newline + (newline if blank else "") + block[: -len(newline)]))
        return edits

    def _manifest_copies(self, context: Context, copy: Instruction, plan: Plan,
                         groups: tuple[tuple[str, tuple[str, ...]], ...], newline: str) -> str:
        """The ``COPY <manifests> <dir>`` lines, or why they cannot be written."""
        flags = []
        for flag in copy.flags:
            if flag.name not in ("chown", "chmod", "link", "exclude"):
                return f"the manifest COPY cannot take `--{flag.name}`"
            raw = str.__str__(flag.token)
            if "\n" in raw or "\r" in raw or context.tree.escape in raw:
                return "the COPY's flags span lines"
            flags.append(raw)
        source = copy.sources[0]
        prefix = "" if source in (".", "./") else posixpath.normpath(source) + "/"
        destination = copy.destination or ""
        workdirs = stage_workdirs(context, context.stage_of(copy).stage.index)
        workdir = workdirs.get(id(plan.split_run))
        project = Place(destination).join(".") if destination.startswith("/") else workdirs.get(id(copy)).join(destination)
        lines = []
        for directory, sources in groups:
            target = project.join(directory) if directory else project
            relative = target.relative_to(workdir) if workdir is not None else None
            if relative == ".":
                shown = "./"
            elif relative is not None:
                shown = f"./{relative}/"
            else:
                shown = target.path.rstrip("/") + "/"
            keyword = copy.keyword if isinstance(copy, Copy) else ("copy" if copy.keyword.islower() else "COPY")
            words = [keyword, *flags, *(prefix + s for s in sources), shown]
            line = " ".join(words)
            try:
                node = parse_instruction(line, escape=context.tree.escape)
            except ParseError:
                return f"the manifest COPY `{line}` does not parse"
            if list(node.meaning.args) != [prefix + s for s in sources] + [shown]:
                return f"the manifest COPY `{line}` does not read back as written"
            lines.append(line + newline)
        return "".join(lines)


def verdict_installs(verdict) -> bool:
    return verdict is not None and bool(verdict.installs)
