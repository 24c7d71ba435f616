"""What a dependency install reads, from the build context: the files to copy before it, or why it needs more.

DF102 splits ``COPY . .`` + ``RUN npm ci`` into ``COPY package.json
package-lock.json ./`` + ``RUN npm ci`` + ``COPY . .``. That is only right
when the install reads nothing but the copied files, and when the later
``COPY . .`` cannot overwrite what the install wrote. The Dockerfile cannot
show either; the build context can:

* pip: the requirements files, followed through ``-r``/``-c`` includes;
  ``-e .``, local paths and ``file:`` URLs need the sources;
* npm, Yarn 1, pnpm: ``package.json`` (its install scripts run during the
  install, ``file:``/``link:`` dependencies are folders of the context),
  workspaces (each workspace's manifest is copied too), ``.npmrc``, lock
  files; the installed ``node_modules`` must be excluded by ``.dockerignore``;
* Go: ``go.mod`` ``replace`` directives to a local folder, ``go.work``;
* Bundler, Composer, Maven, Poetry: the cheap signs that the manifest reads
  other files (``gemspec``/``path:``, ``path`` repositories, ``<modules>``,
  path dependencies);
* every folder of the project the install fills (``node_modules``,
  Composer's ``vendor``, ``vendor/bundle``, an in-project virtualenv) must be
  excluded by ``.dockerignore``.

Every path here is relative to the copied folder (``project``) unless named
``*_in_context``; :func:`read_manifests` returns the COPY groups relative to
the project, as the rule writes them.
"""

from __future__ import annotations

import json
import posixpath
import re

import msgspec

from dfix.engine import BuildContext
from dfix.patterns import lazy_pattern

#: Scripts npm, Yarn 1 and pnpm run on a plain install of the project (``dependencies``: npm ≥ 8).
LIFECYCLE_SCRIPTS = ("preinstall", "install", "postinstall", "preprepare", "prepare", "postprepare", "dependencies")
#: Install scripts that read nothing of the project's sources, so they do not stop a split: husky only
#: looks for ``.git`` (and skips its hooks without one), only-allow reads the package manager's name.
HARMLESS_SCRIPTS = lazy_pattern(
    r"^\s*(?:(?:npx\s+)?is-ci\s*\|\|\s*)?(?:npx\s+)?husky(?:\s+install)?(?:\s*\|\|\s*(?:true|exit 0))?\s*$"
    r"|^\s*npx\s+only-allow\s+(?:npm|pnpm|yarn|bun)\s*$"
)
#: At most this many workspace manifests are copied one COPY line each; more is a job for a pruning tool.
MAX_WORKSPACES = 8
#: Lock and configuration files each JavaScript manager reads, copied when present.
JS_EXTRAS = {
    "npm": ("package-lock.json", "npm-shrinkwrap.json", ".npmrc"),
    "yarn": ("yarn.lock", ".yarnrc", ".npmrc"),
    "pnpm": ("pnpm-lock.yaml", "pnpm-workspace.yaml", ".npmrc", ".pnpmfile.cjs"),
}
#: For the other ecosystems: (the manifest that must exist, files copied when present, folder the install fills).
OTHER_MANIFESTS = {
    "go": ("go.mod", ("go.sum",), None),
    "bundler": ("Gemfile", ("Gemfile.lock", ".ruby-version"), None),
    "composer": ("composer.json", ("composer.lock",), "vendor"),
    "maven": ("pom.xml", (), None),
    "poetry": ("pyproject.toml", ("poetry.lock", "poetry.toml"), None),
}
ASSUMES = {
    "pip": "assumes the install reads no file but the requirements files copied first (they name no local path)",
    "npm": "assumes the install reads no file but the manifests copied first (no install script reads the sources)",
    "go": "assumes `go mod download` reads only go.mod and go.sum (no local `replace`, no go.work)",
    "bundler": "assumes the Gemfile reads no file beyond those checked (no gemspec, `path:` gem or eval_gemfile)",
    "composer": "assumes composer.json reads no other file (no `path` repository)",
    "maven": "assumes `mvn dependency:go-offline` needs only pom.xml (checked: one module, no .mvn folder)",
    "poetry": "assumes pyproject.toml names no local path dependency and the virtualenv is outside the copied folder",
}
WORKSPACE_ASSUMES = "; a workspace package added later needs its own COPY line"

_URL = lazy_pattern(r"^[a-z][a-z0-9+.-]*://", re.I)
_VCS = lazy_pattern(r"^(git|hg|svn|bzr)\+", re.I)
_LOCAL_REPLACE = lazy_pattern(r"=>\s*(\.{1,2}/\S*|\.{1,2}|/\S+)\s*$")


class ContextReading(msgspec.Struct, frozen=True):
    """What the build context says about one split: the COPY groups, the caveat left, or why not to split."""

    #: (folder relative to the project, sources relative to the project) pairs, one COPY line each.
    groups: tuple[tuple[str, tuple[str, ...]], ...] = ()
    assumes: str = ""
    problem: str | None = None


def _refuse(problem: str) -> ContextReading:
    return ContextReading(problem=problem)


class _Project:
    """The copied folder inside the build context, read through ``.dockerignore`` as the COPY sees it."""

    def __init__(self, build: BuildContext, prefix: str) -> None:
        self.build = build
        self.prefix = prefix

    def in_context(self, relative: str) -> str:
        return posixpath.normpath(posixpath.join(self.prefix, relative)) if self.prefix else posixpath.normpath(relative)

    def visible(self, relative: str) -> bool:
        """In the context and not excluded: a COPY of it finds it."""
        path = self.in_context(relative)
        return self.build.exists(path) and not self.build.excluded(path)

    def read(self, relative: str) -> str | None:
        return self.build.read_text(self.in_context(relative)) if self.visible(relative) else None

    def excluded(self, relative: str) -> bool:
        return self.build.excluded(self.in_context(relative))

    def shown(self, relative: str) -> str:
        """How a message names a file: its path in the context."""
        return self.in_context(relative)


# -- pip ---------------------------------------------------------------------------------------


def _option_value(line: str, short: str, long: str) -> str | None:
    """The value of a requirements-file option line (``-r x``, ``-rx``, ``--requirement=x``), or None."""
    head, _, rest = line.partition(" ")
    if head in (short, long):
        return rest.strip() or None
    if head.startswith(long + "="):
        return line[len(long) + 1 :].strip() or None
    if head.startswith(short) and not head.startswith("--"):
        return line[len(short) :].strip() or None
    return None


def _requirement_lines(text: str) -> list[str]:
    """Logical lines of a requirements file: continuations joined, comments and blanks dropped."""
    joined = re.sub(r"\\\r?\n", "", text)
    out = []
    for line in joined.splitlines():
        line = re.sub(r"(^|\s)#.*$", "", line).strip()
        if line:
            out.append(line)
    return out


def _pip_files(project: _Project, roots: list[str]) -> tuple[list[str], str | None]:
    """Every requirements file the install reads (includes followed), or why it reads more than them."""
    seen: list[str] = []
    pending = list(roots)
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        if name.startswith("../") or name == "..":
            return [], f"`{name}` is outside the copied folder"
        text = project.read(name)
        if text is None:
            where = "excluded by .dockerignore" if project.excluded(name) else "not in the build context"
            return [], f"`{project.shown(name)}` is {where}"
        seen.append(name)
        folder = posixpath.dirname(name)
        for line in _requirement_lines(text):
            target = _option_value(line, "-r", "--requirement") or _option_value(line, "-c", "--constraint")
            if target is not None:
                if _URL.match(target):
                    continue
                if "$" in target:
                    return [], f"`{project.shown(name)}` includes `{target}`, only known at build time"
                pending.append(posixpath.normpath(posixpath.join(folder, target)))
                continue
            editable = _option_value(line, "-e", "--editable")
            if editable is not None:
                if _VCS.match(editable):
                    continue
                return [], f"`{project.shown(name)}` installs `{line}`, which needs the sources"
            links = _option_value(line, "-f", "--find-links")
            if links is not None:
                if _URL.match(links):
                    continue
                return [], f"`{project.shown(name)}` finds packages in the local folder `{links}`"
            if line.startswith("-"):
                continue  # index options, hashes, --pre ...: no file read
            if _local_requirement(line):
                return [], f"`{project.shown(name)}` installs the local path `{line}`"
    return seen, None


def _local_requirement(line: str) -> bool:
    """Whether a requirement line names a file or folder (``.``, ``./pkg``, ``file:``, ``name @ file:...``)."""
    requirement = line.split(";", 1)[0].strip()
    name, at, direct = requirement.partition(" @ ")
    target = (direct if at else name).split()[0] if (direct if at else name).split() else ""
    if _URL.match(target) and not target.lower().startswith("file:"):
        return False
    if _VCS.match(target):
        return False
    return target.startswith((".", "/", "~")) or target.lower().startswith("file:") or "/" in target or (
        re.search(r"\.(whl|tar\.gz|zip|tar\.bz2)$", target) is not None)


def _group_by_folder(files: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    groups: dict[str, list[str]] = {}
    for path in files:
        groups.setdefault(posixpath.dirname(path), []).append(path)
    return tuple((folder, tuple(paths)) for folder, paths in groups.items())


def _read_pip(project: _Project, files: tuple[str, ...]) -> ContextReading:
    read, problem = _pip_files(project, list(files))
    if problem:
        return _refuse(problem)
    return ContextReading(_group_by_folder(read), ASSUMES["pip"])


# -- npm, Yarn 1, pnpm -------------------------------------------------------------------------


def _package(project: _Project, folder: str) -> tuple[dict | None, str | None]:
    name = posixpath.join(folder, "package.json") if folder else "package.json"
    text = project.read(name)
    if text is None:
        where = "excluded by .dockerignore" if project.excluded(name) else "not in the build context"
        return None, f"`{project.shown(name)}` is {where}"
    try:
        data = json.loads(text)
    except ValueError:
        return None, f"`{project.shown(name)}` is not valid JSON"
    if not isinstance(data, dict):
        return None, f"`{project.shown(name)}` is not a JSON object"
    return data, None


def _package_problem(project: _Project, folder: str, data: dict, ignore_scripts: bool) -> str | None:
    """Why installing this package.json needs more than its manifest: scripts, local dependencies."""
    shown = project.shown(posixpath.join(folder, "package.json") if folder else "package.json")
    scripts = data.get("scripts") if isinstance(data.get("scripts"), dict) else {}
    if not ignore_scripts:
        for script in LIFECYCLE_SCRIPTS:
            if script in scripts and not HARMLESS_SCRIPTS.match(str(scripts[script])):
                return f"`{shown}` has a `{script}` script (`{str(scripts[script])[:60]}`) that runs during the install and may read the sources"
        gyp = posixpath.join(folder, "binding.gyp") if folder else "binding.gyp"
        if project.visible(gyp):
            return f"`{project.shown(gyp)}` makes the install build native code from the sources"
    for field in ("dependencies", "devDependencies", "optionalDependencies"):
        deps = data.get(field)
        if not isinstance(deps, dict):
            continue
        for dep, spec in deps.items():
            if isinstance(spec, str) and re.match(r"^(file:|link:|portal:|\.{0,2}/)", spec):
                return f"`{shown}` installs `{dep}` from the local path `{spec}`"
    pnpm = data.get("pnpm")
    if isinstance(pnpm, dict) and pnpm.get("patchedDependencies"):
        return f"`{shown}` patches dependencies with files from the context (pnpm.patchedDependencies)"
    return None


def _workspace_patterns(project: _Project, manager: str, data: dict) -> tuple[list[str], str | None]:
    if manager == "pnpm":
        text = project.read("pnpm-workspace.yaml")
        if text is None:
            return [], None
        import yaml  # only a pnpm workspace needs a YAML reader: keep it out of every run's start-up

        try:
            loaded = yaml.safe_load(text) or {}
        except yaml.YAMLError:
            return [], "`pnpm-workspace.yaml` does not parse"
        packages = loaded.get("packages", []) if isinstance(loaded, dict) else []
    else:
        workspaces = data.get("workspaces")
        packages = workspaces.get("packages", []) if isinstance(workspaces, dict) else (workspaces or [])
    if not isinstance(packages, list) or not all(isinstance(p, str) for p in packages):
        return [], "the workspace list is not a list of folders"
    return packages, None


def _workspace_folders(project: _Project, patterns: list[str]) -> tuple[list[str], str | None]:
    """The project folders the workspace globs name that hold a package.json, sorted."""
    included: set[str] = set()
    excluded: set[str] = set()
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip().rstrip("/")
        if pattern.startswith("./"):
            pattern = pattern[2:]
        if not pattern or pattern.startswith(("/", "..")):
            return [], f"the workspace `{pattern}` is outside the copied folder"
        matches = project.build.glob(project.in_context(pattern))
        prefix = project.prefix + "/" if project.prefix else ""
        folders = {m[len(prefix):] for m in matches if m.startswith(prefix) and "node_modules" not in m.split("/")}
        (excluded if negated else included).update(folders)
    folders = sorted(f for f in included - excluded if project.visible(posixpath.join(f, "package.json")))
    return folders, None


def _read_js(project: _Project, manager: str, ignore_scripts: bool) -> ContextReading:
    data, problem = _package(project, "")
    if problem:
        return _refuse(problem)
    rc = project.read(".npmrc") or ""
    ignore_scripts = ignore_scripts or bool(re.search(r"^\s*ignore-scripts\s*=\s*true\s*$", rc, re.M))
    problem = _package_problem(project, "", data, ignore_scripts)
    if problem:
        return _refuse(problem)
    if manager == "yarn":
        declared = str(data.get("packageManager", ""))
        if project.visible(".yarnrc.yml") or re.match(r"^yarn@([2-9]|\d{2,})", declared):
            return _refuse("a Yarn ≥ 2 project (.yarnrc.yml or packageManager): its .yarn folder is part of the install")
    patterns, problem = _workspace_patterns(project, manager, data)
    if problem:
        return _refuse(problem)
    folders, problem = _workspace_folders(project, patterns) if patterns else ([], None)
    if problem:
        return _refuse(problem)
    if patterns and not folders:
        return _refuse("the workspace globs match no package in the build context")
    if len(folders) > MAX_WORKSPACES:
        return _refuse(f"{len(folders)} workspace packages: copying each manifest is a job for a pruning tool "
                       "(`turbo prune`, `pnpm deploy`)")
    for folder in folders:
        member, problem = _package(project, folder)
        problem = problem or _package_problem(project, folder, member, ignore_scripts)
        if problem:
            return _refuse(problem)
    installed = tuple(posixpath.join(folder, "node_modules") if folder else "node_modules" for folder in ("", *folders))
    problem = _clobbered(project, installed)
    if problem:
        return _refuse(problem)
    root = ["package.json", *(name for name in JS_EXTRAS[manager] if project.visible(name))]
    groups = [("", tuple(root))] + [(folder, (f"{folder}/package.json",)) for folder in folders]
    assumes = ASSUMES["npm"] + (WORKSPACE_ASSUMES if folders else "")
    return ContextReading(tuple(groups), assumes)


# -- the others: one manifest, cheap checks ------------------------------------------------------


def _other_problem(project: _Project, ecosystem: str, text: str) -> str | None:
    if ecosystem == "go":
        for line in text.splitlines():
            code = line.split("//", 1)[0]
            if _LOCAL_REPLACE.search(code):
                return f"go.mod replaces a module with a local folder (`{code.strip()}`)"
        if project.visible("go.work"):
            return "a go.work file makes the download read the other modules of the workspace"
    elif ecosystem == "bundler":
        for line in text.splitlines():
            code = line.split("#", 1)[0]
            if re.search(r"^\s*gemspec\b|\bpath:|:path\s*=>|\beval_gemfile\b|\bFile\.read\b", code):
                return f"the Gemfile reads other files of the project (`{code.strip()}`)"
    elif ecosystem == "composer":
        try:
            data = json.loads(text)
        except ValueError:
            return "composer.json is not valid JSON"
        repositories = data.get("repositories") if isinstance(data, dict) else None
        entries = repositories.values() if isinstance(repositories, dict) else (repositories or [])
        if any(isinstance(r, dict) and r.get("type") == "path" for r in entries):
            return "composer.json installs a package from a local `path` repository"
    elif ecosystem == "maven":
        if re.search(r"<modules>\s*<module>", text):
            return "pom.xml is a multi-module build: the modules' poms are not copied"
        if project.visible(".mvn"):
            return "the .mvn folder configures the build (extensions, maven.config) and is not copied"
    elif ecosystem == "poetry":
        import tomllib  # only a Poetry project in the build context is read as TOML

        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError:
            return "pyproject.toml does not parse"
        poetry = data.get("tool", {}).get("poetry", {})
        tables = [poetry.get("dependencies", {}), poetry.get("dev-dependencies", {})]
        tables += [g.get("dependencies", {}) for g in poetry.get("group", {}).values() if isinstance(g, dict)]
        for table in tables:
            for name, spec in (table.items() if isinstance(table, dict) else ()):
                if isinstance(spec, dict) and "path" in spec:
                    return f"pyproject.toml installs `{name}` from the local path `{spec['path']}`"
    return None


def _read_other(project: _Project, ecosystem: str) -> ContextReading:
    manifest, extras, installed = OTHER_MANIFESTS[ecosystem]
    text = project.read(manifest)
    if text is None:
        where = "excluded by .dockerignore" if project.excluded(manifest) else "not in the build context"
        return _refuse(f"`{project.shown(manifest)}` is {where}")
    problem = _other_problem(project, ecosystem, text)
    if problem:
        return _refuse(problem)
    filled = (installed,) if installed is not None else ()
    if ecosystem == "poetry" and re.search(r"^\s*in-project\s*=\s*true\b", project.read("poetry.toml") or "", re.M):
        filled = (".venv",)  # poetry.toml keeps the virtualenv in the project
    problem = _clobbered(project, filled)
    if problem:
        return _refuse(problem)
    sources = (manifest, *(name for name in extras if project.visible(name)))
    return ContextReading((("", sources),), ASSUMES[ecosystem])


def _clobbered(project: _Project, folders: tuple[str, ...]) -> str | None:
    """Why the later COPY may overwrite one of ``folders`` the install fills (not excluded by .dockerignore)."""
    for folder in folders:
        if not project.excluded(folder):
            return (f".dockerignore does not exclude `{project.shown(folder)}`: the later COPY would bring a local "
                    f"one over what the install put there (add `{folder}` to .dockerignore)")
    return None


def read_manifests(build: BuildContext, prefix: str, ecosystem: str, files: tuple[str, ...],
                   ignore_scripts: bool, filled: tuple[str, ...] = ()) -> ContextReading:
    """The COPY groups for a split of the folder ``prefix`` of ``build``, or why it must not be split.

    ``filled``: folders of the project the stage installs into (a virtualenv
    under the destination, ``bundle install --deployment``'s vendor/bundle);
    .dockerignore must exclude them.
    """
    project = _Project(build, prefix)
    if prefix and not build.is_dir(prefix):
        return _refuse(f"`{prefix}` is not a folder of the build context")
    problem = _clobbered(project, filled)
    if problem:
        return _refuse(problem)
    if ecosystem == "pip":
        return _read_pip(project, files)
    if ecosystem in JS_EXTRAS:
        return _read_js(project, ecosystem, ignore_scripts)
    return _read_other(project, ecosystem)
