"""Variables as BuildKit reads them: references in a word, their expansion, and which names are in scope.

BuildKit expands ``$NAME`` and ``${NAME...}`` itself in most instructions
(ENV, LABEL, ARG defaults, COPY/ADD, WORKDIR, USER, VOLUME, EXPOSE,
STOPSIGNAL, the FROM image and ``--platform``) with its own small lexer
(``frontend/dockerfile/shell/lex.go``), not with a shell. This module
reproduces that lexer's reading of a word, so the variable rules see the
same references BuildKit does:

* the escape character protects the next character (``\\$HOME`` is text);
* ``'...'`` is literal; inside ``"..."`` ``$`` still expands;
* ``$name`` (letters, digits, ``_``), ``${name}``, and the modifiers
  ``${n-w} ${n:-w} ${n+w} ${n:+w} ${n?w} ${n:?w} ${n#p} ${n%p} ${n/p/r}``;
  the operand ``w`` may hold further references (``${A:-$B}``);
* ``$`` before anything else is a plain ``$``; ``$(...)`` and backticks are
  text, never command substitution;
* ``${``, ``${}``, ``${:x}`` are errors (``None`` here: no reading at all).

Scope (rules.md §0.3): global ARGs (before the first FROM) are visible in
FROM lines only, and inside a stage only after ``ARG NAME`` re-declares
them; a stage sees the ARGs it declared so far, the ENV of its own earlier
instructions and of the in-file stages it is built FROM (ENV is part of the
image config; ARGs are not inherited), and the ENV its base image brings,
which dfix cannot see unless the chain starts at ``scratch`` (whose only
variable is ``PATH``).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Iterator, Mapping

import msgspec

from dfix.engine import Context, StageInfo
from dfix.syntax import Arg, Env, Instruction, Token

#: Arguments BuildKit defines for every build (usable in FROM without a declaration, inside a
#: stage after ``ARG NAME``), with the value a plain ``docker build`` on an amd64 Linux host gives.
PLATFORM_ARGS: Mapping[str, str] = {
    "TARGETPLATFORM": "linux/amd64", "TARGETOS": "linux", "TARGETARCH": "amd64", "TARGETVARIANT": "",
    "BUILDPLATFORM": "linux/amd64", "BUILDOS": "linux", "BUILDARCH": "amd64", "BUILDVARIANT": "",
}

#: Build arguments Docker predefines: a ``--build-arg`` for them reaches RUN without an ARG line.
PREDEFINED_ARGS = frozenset({
    "HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "FTP_PROXY", "ftp_proxy", "NO_PROXY", "no_proxy",
    "ALL_PROXY", "all_proxy",
})

#: Variables many base images set in their config (``scratch`` and plain OS images set only PATH; the shell,
#: not the image, gives RUN its HOME and PWD, which BuildKit's own expansion never sees).
UNIVERSAL_ENV = frozenset({"PATH", "HOME", "HOSTNAME", "TERM", "PWD", "SHLVL", "USER", "LANG", "LC_ALL"})


class Reference(msgspec.Struct, frozen=True):
    """One ``$NAME``/``${NAME...}`` in a word, as BuildKit's lexer reads it."""

    name: str
    #: Offsets of the whole reference in the word (``$`` to the closing ``}``).
    start: int
    end: int
    #: The modifier after the name (``:-``, ``-``, ``:+``, ``?``, ``#``, ``%%``, ``/`` ...); ``""`` for none.
    modifier: str = ""
    #: Inside another reference's operand (``$B`` in ``${A:-$B}``): read only in some cases.
    nested: bool = False

    @property
    def braced(self) -> bool:
        return self.modifier != "" or self.end - self.start > len(self.name) + 1

    @property
    def guarded(self) -> bool:
        """The author handled the unset case (a default, an alternative or an error message)."""
        return self.modifier in {"-", ":-", "+", ":+", "?", ":?"} or self.nested


class _Unreadable(Exception):
    """BuildKit's lexer rejects the word (``${``, ``${}``, an unterminated quote)."""


class _Lexer:
    """A walk over one word that mirrors ``shellWord.processStopOn`` and ``processDollar``."""

    def __init__(self, text: str, escape: str, env: Mapping[str, str] | None) -> None:
        self.text = text
        self.escape = escape
        self.env = env
        self.position = 0
        self.references: list[Reference] = []
        #: Expansion gave up: a pattern modifier (``#``, ``%``, ``/``) that dfix does not evaluate.
        self.unevaluated = False
        self.depth = 0

    def peek(self) -> str:
        return self.text[self.position] if self.position < len(self.text) else ""

    def next(self) -> str:
        char = self.peek()
        self.position += 1
        return char

    def word(self, stop: str = "") -> str:
        out: list[str] = []
        while self.position < len(self.text):
            char = self.peek()
            if stop and char == stop:
                self.position += 1
                return "".join(out)
            if char == "$":
                out.append(self.dollar())
            elif char == "'":
                out.append(self.single_quoted())
            elif char == '"':
                out.append(self.double_quoted())
            else:
                self.position += 1
                if char == self.escape:
                    if self.position >= len(self.text):
                        break
                    char = self.next()
                out.append(char)
        if stop:
            raise _Unreadable(f"missing {stop!r}")
        return "".join(out)

    def single_quoted(self) -> str:
        self.position += 1
        end = self.text.find("'", self.position)
        if end < 0:
            raise _Unreadable("unterminated single quote")
        value = self.text[self.position : end]
        self.position = end + 1
        return value

    def double_quoted(self) -> str:
        self.position += 1
        out: list[str] = []
        while True:
            char = self.peek()
            if char == "":
                raise _Unreadable("unterminated double quote")
            if char == '"':
                self.position += 1
                return "".join(out)
            if char == "$":
                out.append(self.dollar())
                continue
            self.position += 1
            if char == self.escape:
                following = self.peek()
                if following == "":
                    continue
                if following in ('"', "$", self.escape):
                    char = self.next()
            out.append(char)

    def name(self) -> str:
        start = self.position
        char = self.peek()
        if char.isdigit():
            while self.peek().isdigit():
                self.position += 1
            return self.text[start : self.position]
        if char and char in "@*#?-$!0":
            self.position += 1
            return char
        while (char := self.peek()) and (char.isalnum() or char == "_"):
            self.position += 1
        return self.text[start : self.position]

    def lookup(self, name: str) -> tuple[str, bool]:
        if self.env is None or name not in self.env:
            return "", False
        return self.env[name], True

    def dollar(self) -> str:
        start = self.position
        self.position += 1
        if self.peek() != "{":
            name = self.name()
            if not name:
                return "$"
            self.references.append(Reference(name, start, self.position, "", self.depth > 0))
            return self.lookup(name)[0]
        self.position += 1
        if self.peek() in ("", "{", "}", ":"):
            raise _Unreadable("bad substitution")
        name = self.name()
        char = self.next()
        if char == "}":
            self.references.append(Reference(name, start, self.position, "", self.depth > 0))
            return self.lookup(name)[0]
        modifier = char
        if char == ":":
            char = self.next()
            modifier += char
        if char in ("+", "-", "?", "#", "%"):
            index = len(self.references)
            self.depth += 1
            try:
                operand = self.word("}")
            finally:
                self.depth -= 1
            if char in "#%" and operand.startswith(char) and not modifier.startswith(":"):
                modifier += char
            self.references.insert(index, Reference(name, start, self.position, modifier, self.depth > 0))
            value, is_set = self.lookup(name)
            empty = not is_set or (modifier.startswith(":") and value == "")
            if char == "-":
                return operand if empty else value
            if char == "+":
                return "" if empty else operand
            if char == "?":
                if empty:
                    self.unevaluated = True
                return value
            self.unevaluated = True
            return value
        if char == "/" and not modifier.startswith(":"):
            index = len(self.references)
            self.depth += 1
            try:
                if self.peek() == "/":
                    self.position += 1
                    modifier = "//"
                self.word("/")
                self.word("}")
            finally:
                self.depth -= 1
            self.references.insert(index, Reference(name, start, self.position, modifier, self.depth > 0))
            self.unevaluated = True
            return self.lookup(name)[0]
        raise _Unreadable(f"unsupported modifier ({modifier}) in substitution")


@lru_cache(maxsize=4096)
def references(text: str, escape: str = "\\") -> tuple[Reference, ...] | None:
    """Every variable reference in ``text`` in reading order, or None when BuildKit cannot read the word.

    Kept for the words last read: the fix loop reads every word of the file
    again after each round, and most of them did not change.
    """
    lexer = _Lexer(text, escape, None)
    try:
        lexer.word()
    except _Unreadable:
        return None
    return tuple(lexer.references)


def expand(text: str, env: Mapping[str, str], escape: str = "\\") -> str | None:
    """``text`` as BuildKit expands it with ``env`` (quotes removed), or None when dfix cannot tell.

    None for a word BuildKit rejects and for the pattern modifiers (``#``,
    ``%``, ``/``), whose result dfix does not compute.
    """
    lexer = _Lexer(text, escape, env)
    try:
        value = lexer.word()
    except _Unreadable:
        return None
    return None if lexer.unevaluated else value


def is_name(text: str) -> bool:
    """A name BuildKit's lexer reads whole after ``$`` (letters, digits and ``_``, not starting with a digit)."""
    return bool(text) and not text[0].isdigit() and all(c.isalnum() or c == "_" for c in text)


# -- suggestions ---------------------------------------------------------------------------------


def edit_distance(a: str, b: str) -> int:
    """Edits between two names: insertions, deletions, substitutions and swaps of neighbours (``PAHT``/``PATH`` is one)."""
    rows = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        rows[i][0] = i
    for j in range(len(b) + 1):
        rows[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = a[i - 1] != b[j - 1]
            rows[i][j] = min(rows[i - 1][j] + 1, rows[i][j - 1] + 1, rows[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                rows[i][j] = min(rows[i][j], rows[i - 2][j - 2] + 1)
    return rows[len(a)][len(b)]


def near_miss(name: str, candidates: Iterator[str] | tuple[str, ...] | frozenset[str], limit: int = 2) -> str | None:
    """The one candidate within ``limit`` edits of ``name`` (letter case ignored), or None when there is none or several.

    A short name is allowed at most a third of its length in edits, so
    ``$A`` never "means" ``$B``.
    """
    limit = min(limit, max(len(name) // 3, 0))
    candidates = [c for c in candidates if not _extends(name, c)]
    if limit == 0:
        folded = [c for c in candidates if c != name and c.lower() == name.lower()]
        return folded[0] if len(folded) == 1 else None
    best: list[tuple[int, str]] = []
    for candidate in set(candidates):
        if candidate == name:
            continue
        distance = 0 if candidate.lower() == name.lower() else edit_distance(name.lower(), candidate.lower())
        if distance <= limit:
            best.append((distance, candidate))
    if not best:
        return None
    best.sort()
    if len(best) > 1 and best[0][0] == best[1][0]:
        return None
    return best[0][1]


def _extends(name: str, candidate: str) -> bool:
    """``name`` is ``candidate`` with letters added at one end (``GOPATH``, ``CPATH`` for ``PATH``): another variable, not a typo."""
    if len(name) <= len(candidate):
        return False
    upper, other = name.upper(), candidate.upper()
    if upper.endswith(other):
        return upper[: len(upper) - len(other)].isalpha()
    if upper.startswith(other):
        return upper[len(other) :].isalpha()
    return False


def glued_name(name: str, defined: Iterator[str] | frozenset[str]) -> str | None:
    """The defined name an unbraced ``$NAME`` swallowed underscores after (``$VERSION_$ARCH`` reads ``VERSION_``), or None.

    BuildKit reads ``$INFLUXDB_VERSION_$TAG`` as the variable
    ``INFLUXDB_VERSION_``; the author meant ``${INFLUXDB_VERSION}_``.
    """
    best = None
    for candidate in defined:
        rest = name[len(candidate) :]
        if name.startswith(candidate) and rest and set(rest) == {"_"} and (best is None or len(candidate) > len(best)):
            best = candidate
    return best


# -- scope -------------------------------------------------------------------------------------------


class Definition(msgspec.Struct, frozen=True):
    """Where a name got its value: an ARG or ENV instruction, and the raw value (None: an ARG without default)."""

    name: str
    instruction: Instruction
    kind: str
    value: str | None


class GlobalArgs(msgspec.Struct, frozen=True):
    """The ARGs before the first FROM, in order, and their default values once evaluated."""

    definitions: tuple[Definition, ...]
    #: name -> value from the defaults alone (no ``--build-arg``), platform arguments included;
    #: a name whose default dfix cannot evaluate is missing.
    defaults: Mapping[str, str]

    @property
    def names(self) -> frozenset[str]:
        return frozenset(d.name for d in self.definitions)


def global_args(context: Context) -> GlobalArgs:
    """The file's global ARGs (computed once per parse)."""
    return context.memo(("variables", "global-args"), lambda: _global_args(context))


def _global_args(context: Context) -> GlobalArgs:
    escape = context.tree.escape
    definitions: list[Definition] = []
    values: dict[str, str] = dict(PLATFORM_ARGS)
    for arg in context.tree.global_args:
        for name, default in arg.pairs:
            if not name:
                continue
            definitions.append(Definition(name, arg, "ARG", default))
            if default is None:
                values[name] = ""
                continue
            value = expand(default, values, escape)
            if value is None:
                values.pop(name, None)
            else:
                values[name] = value
    return GlobalArgs(tuple(definitions), values)


class StageScope(msgspec.Struct, frozen=True):
    """The names a stage defines, in order, and what it inherits."""

    info: StageInfo
    #: ENV names set by the in-file stages this one is built FROM (their whole bodies).
    inherited_env: Mapping[str, Definition]
    #: Every ARG and ENV of the stage itself, in order, with the instruction's position in the stage.
    own: tuple[tuple[int, Definition], ...]
    #: The chain of stages starts at ``scratch``: the base brings no variable but PATH.
    base_env_known: bool

    def defined_before(self, position: int) -> dict[str, Definition]:
        """Names in scope for the stage's instruction number ``position`` (ENV of the base image not included)."""
        names = dict(self.inherited_env)
        for index, definition in self.own:
            if index >= position:
                break
            names[definition.name] = definition
        return names

    def defined_later(self, name: str, position: int) -> Definition | None:
        """The first definition of ``name`` at or after instruction ``position`` of the stage, if any."""
        for index, definition in self.own:
            if index >= position and definition.name == name:
                return definition
        return None

    def declared_args_before(self, position: int) -> frozenset[str]:
        return frozenset(d.name for index, d in self.own if index < position and d.kind == "ARG")


def stage_scopes(context: Context) -> tuple[StageScope, ...]:
    """One scope per stage (computed once per parse)."""
    return context.memo(("variables", "stage-scopes"), lambda: _stage_scopes(context))


def _stage_scopes(context: Context) -> tuple[StageScope, ...]:
    scopes: list[StageScope] = []
    for info in context.stages:
        own: list[tuple[int, Definition]] = []
        for index, instruction in enumerate(info.stage.instructions):
            own.extend((index, definition) for definition in definitions_of(instruction))
        if info.parent is not None:
            parent = scopes[info.parent]
            inherited = dict(parent.inherited_env)
            inherited.update({d.name: d for _, d in parent.own if d.kind == "ENV"})
            known = parent.base_env_known
        else:
            inherited = {}
            base = info.stage.base
            known = base is not None and base.is_scratch
        scopes.append(StageScope(info, inherited, tuple(own), known))
    return tuple(scopes)


def definitions_of(instruction: Instruction) -> tuple[Definition, ...]:
    """The names an ARG or ENV instruction defines (nothing for other instructions)."""
    if isinstance(instruction, Arg):
        return tuple(Definition(name, instruction, "ARG", default) for name, default in instruction.pairs if name)
    if isinstance(instruction, Env):
        return tuple(Definition(name, instruction, "ENV", value) for name, value in instruction.pairs if name)
    return ()


class Located(msgspec.Struct, frozen=True):
    """An instruction of a stage with its position, for scope questions."""

    scope: StageScope
    position: int
    instruction: Instruction

    def __eq__(self, other: object) -> bool:
        # The scope and the position name the instruction.
        return type(other) is Located and (self.scope, self.position) == (other.scope, other.position)

    def __hash__(self) -> int:
        return hash((self.scope, self.position))


def stage_instructions(context: Context) -> Iterator[Located]:
    """Every instruction of every stage (ONBUILD triggers excluded: they run in another build)."""
    for scope in stage_scopes(context):
        for position, instruction in enumerate(scope.info.stage.instructions):
            yield Located(scope, position, instruction)


# -- where BuildKit expands ------------------------------------------------------------------------

#: Instructions whose words BuildKit expands itself (RUN, CMD, ENTRYPOINT, SHELL and HEALTHCHECK go to the shell as written).
EXPANDED_KEYWORDS = frozenset({"ENV", "LABEL", "ARG", "COPY", "ADD", "WORKDIR", "USER", "VOLUME", "EXPOSE", "STOPSIGNAL"})
#: Flags whose values BuildKit expands.
EXPANDED_FLAGS = frozenset({"chown", "chmod"})


class Use(msgspec.Struct, frozen=True):
    """A variable reference in an instruction: the token it sits in and where, in that token's logical text."""

    reference: Reference
    token: Token
    #: Offset of the token's expanded part (the value after ``KEY=``, ``--flag=``) in its logical text.
    offset: int

    def name_span(self, instruction: Instruction) -> tuple[int, int]:
        """File offsets of the name itself (without ``$``, braces and modifier)."""
        ref = self.reference
        start = self.offset + ref.start + (2 if ref.braced else 1)
        return (instruction.file_offset(self.token, start),
                instruction.file_offset(self.token, start + len(ref.name), insertion=True))


def expanded_uses(instruction: Instruction, escape: str) -> tuple[Use, ...]:
    """The references BuildKit expands in ``instruction`` (none for RUN, CMD, ENTRYPOINT ... and JSON forms)."""
    if instruction.instruction not in EXPANDED_KEYWORDS:
        return ()
    uses: list[Use] = []
    for token in instruction.line_tokens:
        kind = token.type
        if kind in ("WORD", "TEXT", "LEGACY_VALUE", "PAIR"):
            text = instruction.value_of(token)
            offset = 0
            if kind == "PAIR" or (kind == "WORD" and isinstance(instruction, Arg)):
                offset = text.find("=") + 1
                if offset == 0:
                    continue
        elif kind == "FLAG":
            text = instruction.value_of(token)
            name, equals, _ = text[2:].partition("=")
            if not equals or name not in EXPANDED_FLAGS:
                continue
            offset = len(name) + 3
        else:
            continue
        found = references(text[offset:], escape)
        uses.extend(Use(ref, token, offset) for ref in found or ())
    return tuple(uses)


def positional(name: str) -> bool:
    """``$1``, ``$@``, ``$?`` ...: never an ARG or ENV."""
    return not is_name(name)


# -- what base images bring -------------------------------------------------------------------------

#: Plain OS images (Docker Hub official names): their only variables are PATH and a few distro markers,
#: so a name they do not define is known to be undefined.
PLAIN_OS_IMAGES = frozenset({
    "debian", "ubuntu", "alpine", "busybox", "centos", "fedora", "rockylinux", "almalinux", "amazonlinux",
    "oraclelinux", "archlinux", "opensuse/leap", "opensuse/tumbleweed", "photon", "clearlinux", "mageia",
})
#: Variables plain OS images set besides PATH (Fedora's and CentOS' ``container``, ``DISTTAG`` ...).
PLAIN_OS_ENV = frozenset({"container", "DISTTAG", "FGC", "FBR", "LANG", "LC_ALL"})

#: ENV names the common official language and service images set (node, python, golang, the JDKs,
#: ruby, php, nginx, httpd, the databases, rust, .NET, tomcat, docker, jenkins, CUDA ...). A stage
#: built on such an image may read them without defining them; dfix cannot see the base's ENV, so
#: it does not call them undefined.
BASE_IMAGE_ENV = frozenset({
    "NODE_VERSION", "YARN_VERSION", "NODE_ENV",
    "PYTHON_VERSION", "PYTHON_SHA256", "PYTHON_PIP_VERSION", "PYTHON_SETUPTOOLS_VERSION", "PYTHON_GET_PIP_URL",
    "PYTHON_GET_PIP_SHA256", "GPG_KEY", "GPG_KEYS",
    "GOLANG_VERSION", "GOPATH", "GOTOOLCHAIN", "GOROOT",
    "JAVA_HOME", "JAVA_VERSION", "JDK_VERSION", "LANGUAGE", "MAVEN_HOME", "MAVEN_CONFIG", "MAVEN_VERSION",
    "GRADLE_HOME", "GRADLE_VERSION", "GRADLE_USER_HOME",
    "RUBY_VERSION", "RUBY_MAJOR", "RUBY_DOWNLOAD_SHA256", "GEM_HOME", "BUNDLE_SILENCE_ROOT_WARNING",
    "BUNDLE_APP_CONFIG", "BUNDLE_PATH",
    "PHP_VERSION", "PHP_INI_DIR", "PHPIZE_DEPS", "PHP_URL", "PHP_ASC_URL", "PHP_SHA256", "PHP_CFLAGS",
    "PHP_CPPFLAGS", "PHP_LDFLAGS", "APACHE_CONFDIR", "APACHE_ENVVARS", "COMPOSER_HOME", "COMPOSER_ALLOW_SUPERUSER",
    "NGINX_VERSION", "NJS_VERSION", "NJS_RELEASE", "PKG_RELEASE", "DYNPKG_RELEASE",
    "HTTPD_VERSION", "HTTPD_PREFIX", "HTTPD_SHA256", "HTTPD_PATCHES",
    "PG_MAJOR", "PG_VERSION", "PGDATA", "GOSU_VERSION", "MYSQL_MAJOR", "MYSQL_VERSION", "MYSQL_SHELL_VERSION",
    "MARIADB_VERSION", "MONGO_MAJOR", "MONGO_VERSION", "MONGO_PACKAGE", "MONGO_REPO", "REDIS_VERSION",
    "REDIS_DOWNLOAD_URL", "REDIS_DOWNLOAD_SHA",
    "RUSTUP_HOME", "CARGO_HOME", "RUST_VERSION",
    "DOTNET_VERSION", "ASPNET_VERSION", "ASPNETCORE_URLS", "ASPNETCORE_HTTP_PORTS", "APP_UID",
    "DOTNET_RUNNING_IN_CONTAINER", "DOTNET_SDK_VERSION", "NUGET_XMLDOC_MODE",
    "CATALINA_HOME", "TOMCAT_MAJOR", "TOMCAT_VERSION", "TOMCAT_SHA512", "TOMCAT_NATIVE_LIBDIR", "LD_LIBRARY_PATH",
    "OTP_VERSION", "REBAR3_VERSION", "ELIXIR_VERSION", "HAPROXY_VERSION", "DOCKER_VERSION", "DOCKER_TLS_CERTDIR",
    "DOCKER_BUILDX_VERSION", "DOCKER_COMPOSE_VERSION", "JENKINS_HOME", "JENKINS_VERSION", "JENKINS_UC", "REF",
    "AGENT_WORKDIR", "USER_HOME_DIR",
    "CUDA_VERSION", "NVIDIA_VISIBLE_DEVICES", "NVIDIA_DRIVER_CAPABILITIES", "NVIDIA_REQUIRE_CUDA", "NVARCH",
    "NV_CUDA_LIB_VERSION", "NCCL_VERSION", "CUDNN_VERSION", "LIBRARY_PATH", "CONDA_DIR", "MAMBA_ROOT_PREFIX",
    "VIRTUAL_ENV", "PIP_NO_CACHE_DIR", "PIP_DISABLE_PIP_VERSION_CHECK", "TZ", "DEBIAN_FRONTEND",
    "WORDPRESS_VERSION", "DRUPAL_VERSION", "ANDROID_HOME", "ANDROID_SDK_ROOT", "FLUTTER_HOME",
    "NB_USER", "NB_UID", "NB_GID", "SPARK_HOME", "HADOOP_HOME", "HADOOP_CONF_DIR", "SPARK_VERSION", "HADOOP_VERSION",
})

#: Docker Hub's per-architecture namespaces of the official images (``arm64v8/ubuntu`` is ``ubuntu``).
ARCHITECTURE_NAMESPACES = frozenset({"amd64", "arm32v5", "arm32v6", "arm32v7", "arm64v8", "i386", "ppc64le", "s390x",
                                     "riscv64", "mips64le", "windows-amd64"})


def base_env_is_known(context: Context, scope: StageScope) -> bool:
    """The stage's chain starts at ``scratch`` or a plain OS image, so dfix knows every variable its base sets."""
    if scope.base_env_known:
        return True
    base = context.root_stage(scope.info).stage.base
    if base is None or base.has_variables or base.registry not in (None, "docker.io", "index.docker.io"):
        return False
    repository = base.repository.removeprefix("library/")
    namespace, slash, rest = repository.partition("/")
    if slash and namespace in ARCHITECTURE_NAMESPACES:
        repository = rest
    return repository in PLAIN_OS_IMAGES


def base_may_define(name: str, context: Context, scope: StageScope) -> bool:
    """Whether the stage's base image may set ``name`` (always true for PATH, HOME ...; a guess for other images)."""
    if name == "PATH" or name in PREDEFINED_ARGS:
        return True
    if base_env_is_known(context, scope):
        return name in PLAIN_OS_ENV and not scope.base_env_known
    return name in UNIVERSAL_ENV or name in BASE_IMAGE_ENV or name in PLAIN_OS_ENV
