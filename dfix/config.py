"""Configuration: finding, reading and validating dfix's settings (ux.md §5).

Where settings come from, for one Dockerfile:

* the closest folder, walking up from the file's folder to the filesystem
  root, that holds ``.dfix.toml`` > ``dfix.toml`` > ``pyproject.toml`` with a
  ``[tool.dfix]`` table (a ``pyproject.toml`` without it is skipped). The
  closest file wins; files are never merged implicitly. ``extend = "path"``
  inherits from another file explicitly (relative to the extending file);
* else the user-level file ``$XDG_CONFIG_HOME/dfix/dfix.toml``;
* else the defaults.

``--config PATH`` applies one file to every input (its relative paths then
resolve against the current folder) and ``--isolated`` ignores every file.
Command-line settings (``overrides``) win over all files.

Every key is validated: an unknown key or a bad value is a
:class:`ConfigError` naming the file and the key (exit 2), never silently
ignored (hadolint#816).

Rule selection (``select``, ``extend-select``, ``ignore``, ``fixable`` ...)
accepts codes, code prefixes, rule names, aliases (hadolint ``DL3009``,
BuildKit check names) and ``ALL``. Codes of catalogued rules this version
does not implement yet (most hadolint codes, ``SCxxxx`` ShellCheck codes) are
accepted, so an existing hadolint ignore list keeps loading; they select
nothing runnable and :attr:`Settings.warnings` says so.

Selection semantics (ruff's): within one layer, selectors apply from the
least specific (``ALL``) to the most specific (a full code, a name or an
alias), selects before ignores at each level, so ``select = ["DF2"]`` with
``ignore = ["DF202"]`` and ``select = ["DF202"]`` with ``ignore = ["DF2"]``
both do what they say. The file chain (``extend``) is one layer: a child's
``select``/``ignore``/``fixable``/``unfixable`` replace its parent's and the
``extend-*`` lists accumulate. The command line is a second layer on top: its
``select`` starts over, its ``ignore`` removes more, and its
``extend-select`` can re-enable what a file ignored.
"""

from __future__ import annotations

import difflib
import json
import os
import posixpath
import re
import sys
from dataclasses import dataclass, field, fields
from functools import lru_cache
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

from .engine import registry
from .engine.registry import SelectorError, rule_by_code

__all__ = [
    "CONFIG_FILE_NAMES", "CONFIG_KEYS", "ConfigError", "ConfigResolver", "DEFAULT_INCLUDE", "FAIL_ON_LEVELS",
    "OUTPUT_FORMATS", "SEVERITY_LEVELS", "Selection", "Settings", "anchor_glob", "default_settings",
    "load_config_text", "parse_per_file_ignores", "parse_severity_overrides", "resolve_selectors",
    "user_config_path", "version_satisfies",
]

#: Config file names in precedence order within one folder.
CONFIG_FILE_NAMES = (".dfix.toml", "dfix.toml", "pyproject.toml")
SEVERITY_LEVELS = ("error", "warning", "info", "style")
FAIL_ON_LEVELS = (*SEVERITY_LEVELS, "none")
#: ux.md §8.
OUTPUT_FORMATS = (
    "full", "concise", "grouped", "json", "json-lines", "hadolint-json", "sarif", "github", "gitlab", "junit",
    "checkstyle", "gnu", "pylint", "azure", "sonarqube",
)
FOREIGN_SUPPRESSION_DIALECTS = ("hadolint", "buildkit", "tally")
NETWORK_MODES = ("auto", "offline", "required")
#: hadolint's label-schema types.
LABEL_TYPES = ("text", "url", "semver", "hash", "rfc3339", "spdx", "email")

#: Default discovery names (ux.md §7), matched case-insensitively against the file name.
DEFAULT_INCLUDE = (
    "Dockerfile", "Dockerfile.*", "*.Dockerfile", "*.dockerfile", "Containerfile", "Containerfile.*",
    "*.containerfile",
)
#: Names that match DEFAULT_INCLUDE but are templates, backups, ignore files or docs (ux.md §7).
DEFAULT_SKIPPED_SUFFIXES = (
    ".dockerignore", ".containerignore",
    ".in", ".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template", ".erb", ".orig", ".rej", ".bak", ".swp", "~",
    ".md", ".txt", ".rst", ".json", ".yaml", ".yml", ".sh", ".py", ".lock",
)

DEFAULT_PACKAGES: dict[str, Any] = {"pin-policy": "warn", "prefer-base-digest": True}
DEFAULT_PIN: dict[str, Any] = {
    "mode": "tag+digest", "refresh": "if-unmanaged", "platform": "keep", "skip-images": (),
    "registry-cache-ttl": "6h",
}
DEFAULT_BOT: dict[str, Any] = {
    "enabled": True, "branch": "dfix/autofix", "commit-message": None, "title": None, "labels": ("dfix",),
    "draft": False, "reviewers": (), "recreate-closed": False,
}
DEFAULT_LABELS: dict[str, Any] = {"required": {}, "strict": False}


# -- errors -------------------------------------------------------------------


class ConfigError(Exception):
    """A configuration problem: ``str()`` is ``path: key: message`` (key omitted when the whole file is at fault)."""

    def __init__(self, path: Path | None, key: str | None, message: str, *, display: str | None = None) -> None:
        self.path = path
        self.key = key
        self.message = message
        self.display = display if display is not None else (_display_path(path) if path is not None else "command line")
        super().__init__(str(self))

    def __str__(self) -> str:
        if self.key:
            return f"{self.display}: {self.key}: {self.message}"
        return f"{self.display}: {self.message}"


def _display_path(path: Path, cwd: Path | None = None) -> str:
    """The path relative to the current folder when it lies inside it, else absolute."""
    try:
        base = cwd if cwd is not None else Path(os.getcwd())
        relative = os.path.relpath(path, base)
    except (OSError, ValueError):
        return str(path)
    return str(path) if relative.startswith("..") else relative


# -- the rule catalogue ---------------------------------------------------------
#
# Every rule of rules.md (code, name, hadolint codes, BuildKit check names),
# plus the meta codes of ux.md §6. Implemented rules come from the registry;
# this table lets a configuration name a catalogued rule that this version does
# not implement yet (so hadolint ignore lists keep loading) and maps hadolint
# codes to dfix codes for severity overrides.

_CATALOGUE_TEXT = """
DF000 parse-error
DF001 unused-suppression
DF002 blanket-suppression
DF003 unknown-suppression-code
DF004 registry-unreachable
DF100 consecutive-run DL3059
DF101 cleanup-in-later-layer
DF102 copy-context-before-deps
DF103 permission-change-in-separate-layer
DF104 useradd-without-no-log-init DL3046
DF105 copy-then-extract DL3010
DF106 cleanup-inside-cache-mount
DF200 apt-lists-not-removed DL3009
DF201 apt-get-missing-yes DL3014
DF202 apt-no-install-recommends DL3015
DF203 apt-instead-of-apt-get DL3027
DF204 update-without-install
DF205 install-without-update
DF206 package-upgrade DL3005 DL3017 DL3031 DL3039
DF207 dist-upgrade DL3035
DF208 unnecessary-packages
DF209 weak-deps-installed
DF210 apk-no-cache DL3019
DF211 rpm-missing-assume-yes DL3030 DL3038
DF212 rpm-cache-not-cleaned DL3032 DL3040
DF213 zypper-non-interactive DL3034
DF214 zypper-cache-not-cleaned DL3036
DF220 pip-no-cache-dir DL3042
DF221 js-package-cache-left DL3060
DF222 gem-docs-generated
DF230 apt-unpinned DL3008
DF231 apk-unpinned DL3018
DF232 rpm-unpinned DL3033 DL3041
DF233 zypper-unpinned DL3037
DF234 pip-unpinned DL3013
DF235 js-unpinned DL3016
DF236 gem-unpinned DL3028
DF237 go-unpinned DL3062
DF250 wget-progress-noise DL3047
DF251 curl-and-wget DL4001
DF252 curl-without-fail
DF300 base-image-untagged DL3006
DF301 base-image-latest DL3007
DF302 base-image-not-digest-pinned
DF303 registry-not-allowed DL3026
DF304 from-platform-constant DL3029 FromPlatformFlagConstDisallowed
DF305 redundant-target-platform DL3065 RedundantTargetPlatform
DF306 duplicate-stage-name DL3024 DuplicateStageName
DF307 reserved-stage-name DL3063 ReservedStageName
DF308 stage-name-casing StageNameCasing
DF309 copy-from-undefined-stage DL3022
DF310 copy-from-current-stage DL3023
DF311 copy-whole-filesystem DL3067
DF312 undefined-arg-in-from UndefinedArgInFrom
DF313 invalid-default-arg-in-from InvalidDefaultArgInFrom
DF314 build-toolchain-in-final-stage
DF315 unused-stage
DF316 alpine-musl-caution
DF400 no-user
DF401 last-user-root DL3002
DF402 user-not-numeric DL3066
DF403 sudo-in-run DL3004
DF404 ssh-server-in-image
DF405 default-password
DF406 docker-socket-exposed
DF407 insecure-build-entitlement
DF408 workdir-in-system-dir
DF409 package-signature-check-disabled
DF410 tls-verification-disabled
DF411 pip-extra-index-url
DF412 remote-script-piped-to-shell
DF413 add-remote-without-checksum
DF414 world-writable-permissions
DF500 secret-named-arg-env DL3064 SecretsUsedInArgOrEnv
DF501 hardcoded-secret-value
DF502 secret-file-in-image
DF503 credentials-in-command
DF600 shell-form-cmd-entrypoint DL3025 JSONArgsRecommended
DF601 maintainer-deprecated DL4000 MaintainerDeprecated
DF602 legacy-key-value LegacyKeyValueFormat
DF603 workdir-relative DL3000 WorkdirRelativePath
DF604 copy-relative-dest-no-workdir DL3045
DF605 cd-in-run DL3003
DF606 add-instead-of-copy DL3020
DF607 copy-multi-source-dest-slash DL3021
DF608 instruction-casing ConsistentInstructionCasing
DF609 from-as-casing FromAsCasing
DF610 empty-continuation-line NoEmptyContinuation
DF611 expose-proto-casing ExposeProtoCasing
DF612 expose-host-mapping ExposeInvalidFormat
DF613 expose-port-out-of-range DL3011
DF614 duplicate-singleton-instruction DL3012 DL4003 DL4004 MultipleInstructionsDisallowed
DF615 env-self-reference DL3044
DF616 undefined-variable UndefinedVar
DF617 global-arg-not-redeclared
DF618 onbuild-invalid-trigger DL3043
DF619 instruction-before-from DL3061
DF620 label-missing DL3049
DF621 label-superfluous DL3050
DF622 label-value-invalid DL3048 DL3051 DL3052 DL3053 DL3054 DL3055 DL3056 DL3058
DF623 variable-in-exec-form
DF624 sort-package-list
DF625 continuation-style
DF626 misleading-description-comment InvalidDefinitionDescription
DF627 bin-sh-replaced DL4005
DF628 pipe-without-pipefail DL4006
DF629 shellcheck
DF630 misplaced-parser-directive
DF700 multiple-services
DF701 wrapper-without-exec
DF702 missing-healthcheck DL3057
DF703 pointless-command DL3001
DF704 expose-missing
DF705 state-without-volume
DF706 persistent-debian-frontend
DF800 jvm-fixed-heap
DF801 jvm-obsolete-cgroup-flag
DF802 jvm-container-support-disabled
DF803 jvm-legacy-container-blind
DF804 jvm-exit-on-oom
DF805 jvm-heapdump-ephemeral
DF830 python-unbuffered
DF831 python-bytecode-writes
DF832 gunicorn-worker-tmp-dir
DF833 build-deps-not-removed
DF860 npm-install-with-lockfile
DF861 dev-deps-in-final-image
DF862 package-manager-as-pid1
DF880 nginx-worker-processes-auto
DF881 nginx-daemon-mode
DF900 missing-dockerignore
DF901 dockerignore-gaps
DF902 copy-ignored-file CopyIgnoredFile
DF903 copy-missing-source
"""


@lru_cache(maxsize=1)
def _catalogue() -> dict[str, tuple[str, tuple[str, ...]]]:
    table: dict[str, tuple[str, tuple[str, ...]]] = {}
    for line in _CATALOGUE_TEXT.strip().splitlines():
        code, name, *aliases = line.split()
        table[code] = (name, tuple(aliases))
    for rule in registry.all_rules():  # the registry is the authority for implemented rules
        name, aliases = table.get(rule.code, (rule.name, ()))
        table[rule.code] = (rule.name, tuple(dict.fromkeys((*rule.aliases, *aliases))))
    return table


@lru_cache(maxsize=1)
def _implemented() -> frozenset[str]:
    return frozenset(rule.code for rule in registry.all_rules())


_SHELLCHECK = re.compile(r"SC\d{4}", re.IGNORECASE)
#: hadolint codes that name no rule (DL1001 flags hadolint's own pragmas; dfix honours them instead).
_NO_RULE = frozenset({"DL1001"})
_DF_PREFIX = re.compile(r"DF\d{0,3}", re.IGNORECASE)


def _catalogue_matches(code: str, name: str, aliases: tuple[str, ...], selector: str) -> bool:
    upper = selector.upper()
    if _DF_PREFIX.fullmatch(selector) and code.startswith(upper):
        return True
    return selector.lower() == name or any(upper == alias.upper() for alias in aliases)


@lru_cache(maxsize=None)
def _resolve_selector(selector: str) -> tuple[frozenset[str], frozenset[str]]:
    """``(implemented codes, catalogued-but-unimplemented codes)`` a selector names.

    ShellCheck codes resolve to themselves (as "implemented": the ShellCheck
    extra filters its findings by them). Raises :class:`SelectorError`.
    """
    key = selector.strip()
    if not key:
        raise SelectorError("empty rule selector")
    upper = key.upper()
    if upper == "ALL":
        return _implemented(), frozenset()
    if _SHELLCHECK.fullmatch(key):
        return frozenset({upper}), frozenset()
    if upper in _NO_RULE:
        return frozenset(), frozenset()
    implemented: set[str] = set()
    try:
        implemented = registry.resolve([key])
    except SelectorError:
        pass
    planned = {
        code for code, (name, aliases) in _catalogue().items()
        if code not in _implemented() and _catalogue_matches(code, name, aliases, key)
    }
    if not implemented and not planned:
        raise SelectorError(f"unknown rule selector {selector!r}{_suggest(key, _selector_vocabulary())}")
    return frozenset(implemented), frozenset(planned)


@lru_cache(maxsize=1)
def _selector_vocabulary() -> tuple[str, ...]:
    words: list[str] = ["ALL"]
    for code, (name, aliases) in _catalogue().items():
        words += [code, name, *aliases]
    return tuple(dict.fromkeys(words))


def _suggest(word: str, candidates: Iterable[str], *, prefix: str = "") -> str:
    candidates = list(candidates)
    lowered = {candidate.lower(): candidate for candidate in candidates}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {prefix}{lowered[found[0]]}?)" if found else ""


def resolve_selectors(selectors: Iterable[str]) -> frozenset[str]:
    """Codes (implemented rules and ShellCheck codes) that ``selectors`` name; raises :class:`SelectorError`."""
    codes: set[str] = set()
    for selector in selectors:
        codes |= _resolve_selector(selector)[0]
    return frozenset(codes)


def _specificity(selector: str) -> int:
    """``ALL`` 0, ``DF`` 2 ... ``DF1`` 3 ... a full code, name or alias 5."""
    key = selector.strip()
    if key.upper() == "ALL":
        return 0
    if _DF_PREFIX.fullmatch(key):
        return len(key)
    return 5


# -- globs ----------------------------------------------------------------------


def _glob_to_regex(pattern: str) -> str:
    """gitignore-style glob to regex source (full match on a ``/``-separated path).

    ``**`` spans folders (``a/**/b``, ``**/b``, ``a/**``), ``*`` and ``?`` stay
    within one folder, ``[...]``/``[!...]`` are classes, ``\\x`` is a literal x.
    """
    if pattern.endswith("/**") and not pattern.endswith("\\/**"):
        # "dir/**": everything inside dir, and dir itself (so a walker can prune it)
        return _glob_to_regex(pattern[:-3]) + "(?:/.*)?"
    out: list[str] = []
    i, n = 0, len(pattern)
    while i < n:
        char = pattern[i]
        if char == "\\" and i + 1 < n:
            out.append(re.escape(pattern[i + 1]))
            i += 2
        elif char == "*":
            if pattern.startswith("**", i):
                at_start = i == 0 or pattern[i - 1] == "/"
                j = i + 2
                if at_start and j < n and pattern[j] == "/":
                    out.append("(?:.*/)?")  # **/ : zero or more folders
                    i = j + 1
                    continue
                if at_start and j == n:
                    out.append(".*")  # trailing /** : everything inside
                    i = j
                    continue
                out.append(".*")
                i = j
            else:
                out.append("[^/]*")
                i += 1
        elif char == "?":
            out.append("[^/]")
            i += 1
        elif char == "[":
            j = i + 1
            if j < n and pattern[j] in "!^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 1
            if j >= n:  # unclosed: a literal "["
                out.append(re.escape(char))
                i += 1
                continue
            body = pattern[i + 1:j]
            negate = body[:1] in ("!", "^")
            if negate:
                body = body[1:]
            body = body.replace("\\", "\\\\").replace("[", "\\[")
            out.append(f"[{'^/' if negate else ''}{body}]" if negate else f"[{body}]")
            i = j + 1
        else:
            out.append(re.escape(char))
            i += 1
    return "".join(out)


def _escape_glob(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def _validate_glob(pattern: str) -> None:
    re.compile(_glob_to_regex(pattern))


def anchor_glob(pattern: str, base: Path) -> str:
    """A user's glob anchored at ``base`` (the config file's folder), gitignore style.

    A pattern without a ``/`` (other than a trailing one) matches a name at any
    depth below ``base`` (``Dockerfile.dev`` -> ``<base>/**/Dockerfile.dev``);
    one with a ``/`` is relative to ``base`` (``ci/**`` -> ``<base>/ci/**``; a
    leading ``/`` or ``./`` anchors the same way). ``../`` climbs out of ``base``.
    A pattern that matches a folder covers everything inside it.
    """
    text = pattern.strip()
    explicit = text.startswith("./")  # "./name" is relative to base, like "/name"
    while text.startswith("./"):
        text = text[2:]
    if len(text) > 1:
        text = text.rstrip("/")
    folder = base
    while text.startswith("../"):
        folder = folder.parent
        text = text[3:]
    if text == "..":
        folder, text = folder.parent, "**"
    anchored_root = _escape_glob(folder.as_posix().rstrip("/"))
    if explicit or "/" in text:
        return f"{anchored_root}/{text.lstrip('/')}"
    return f"{anchored_root}/**/{text}"


def _compile_globs(globs: Iterable[str], *, ignore_case: bool = False) -> re.Pattern[str] | None:
    sources = [_glob_to_regex(glob) for glob in globs]
    if not sources:
        return None
    return re.compile("(?:" + "|".join(f"(?:{source})" for source in sources) + r")\Z", re.IGNORECASE if ignore_case else 0)


# -- versions (required-version) ------------------------------------------------

_VERSION = re.compile(
    r"v?(?P<release>\d+(?:\.\d+)*)"
    r"(?:[-_.]?(?P<pre>a|b|c|rc|alpha|beta|pre|preview)[-_.]?(?P<pre_n>\d*))?"
    r"(?:[-_.]?(?:post|rev|r)[-_.]?(?P<post>\d*))?"
    r"(?:[-_.]?dev[-_.]?(?P<dev>\d*))?"
    r"(?:\+[a-z0-9.]+)?",
    re.IGNORECASE,
)
_PRE_ORDER = {"a": 0, "alpha": 0, "b": 1, "beta": 1, "c": 2, "rc": 2, "pre": 2, "preview": 2}
_SPECIFIER = re.compile(r"\s*(===|~=|==|!=|<=|>=|<|>)?\s*(\S+?)\s*")


def _version_key(text: str) -> tuple:
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"invalid version {text!r}")
    release = [int(part) for part in match["release"].split(".")]
    while len(release) > 1 and release[-1] == 0:
        release.pop()
    pre, post, dev = match["pre"], match["post"], match["dev"]
    if pre is not None:
        pre_key: tuple = (0, _PRE_ORDER[pre.lower()], int(match["pre_n"] or 0))
    elif dev is not None and post is None:
        pre_key = (-1,)
    else:
        pre_key = (1,)
    post_key = (int(post or 0),) if post is not None else (-1,)
    dev_key = (0, int(dev or 0)) if dev is not None else (1, 0)
    return (tuple(release), pre_key, post_key, dev_key)


def _release(text: str) -> list[int]:
    match = _VERSION.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"invalid version {text!r}")
    return [int(part) for part in match["release"].split(".")]


def version_satisfies(version: str, specifiers: str) -> bool:
    """Whether ``version`` meets a PEP 440-style specifier set (``>=0.4,<1``, ``~=0.3``, ``==0.1.*``, ``0.2``).

    Raises ValueError for a malformed specifier.
    """
    parts = [part for part in specifiers.split(",")]
    if not any(part.strip() for part in parts):
        raise ValueError("empty version specifier")
    for part in parts:
        match = _SPECIFIER.fullmatch(part)
        if match is None or not match[2]:
            raise ValueError(f"invalid version specifier {part.strip()!r}")
        operator, wanted = match[1] or "==", match[2]
        if operator == "===":
            ok = version.strip() == wanted
        elif operator in ("==", "!=") and wanted.endswith(".*"):
            prefix = _release(wanted[:-2])
            have = _release(version)
            have += [0] * max(0, len(prefix) - len(have))
            ok = have[: len(prefix)] == prefix
            ok = ok if operator == "==" else not ok
        elif operator == "~=":
            release = _release(wanted)
            if len(release) < 2:
                raise ValueError(f"~= needs at least two version parts: {part.strip()!r}")
            have = _release(version)
            have += [0] * max(0, len(release) - len(have))
            ok = _version_key(version) >= _version_key(wanted) and have[: len(release) - 1] == release[:-1]
        else:
            left, right = _version_key(version), _version_key(wanted)
            ok = {
                "==": left == right, "!=": left != right, "<=": left <= right, ">=": left >= right,
                "<": left < right, ">": left > right,
            }[operator]
        if not ok:
            return False
    return True


# -- validating one document ------------------------------------------------------


@dataclass
class _Context:
    """What a validator needs: where the text came from and how to name keys."""

    path: Path | None
    display: str
    #: Folder relative globs and paths are anchored at.
    base: Path
    #: ``"tool.dfix."`` for pyproject.toml, else ``""``.
    prefix: str
    warnings: list[str] = field(default_factory=list)

    def error(self, key: str | None, message: str) -> ConfigError:
        return ConfigError(self.path, f"{self.prefix}{key}" if key else None, message, display=self.display)


_Validator = Callable[[Any, _Context, str], Any]


def _type_name(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "float"
    if isinstance(value, str):
        return "string"
    if isinstance(value, (list, tuple)):
        return "array"
    if isinstance(value, dict):
        return "table"
    return type(value).__name__


def _got(value: Any) -> str:
    if isinstance(value, (str, bool, int, float)):
        rendered = repr(value).lower() if isinstance(value, bool) else repr(value)
        return f"{_type_name(value)} {rendered}"
    return _type_name(value)


def _boolean(value: Any, ctx: _Context, key: str) -> bool:
    if not isinstance(value, bool):
        raise ctx.error(key, f"expected true or false, got {_got(value)}")
    return value


def _string(value: Any, ctx: _Context, key: str) -> str:
    if not isinstance(value, str):
        raise ctx.error(key, f"expected a string, got {_got(value)}")
    return value


def _choice(*options: str) -> _Validator:
    def check(value: Any, ctx: _Context, key: str) -> str:
        if not isinstance(value, str) or value not in options:
            hint = _suggest(value, options) if isinstance(value, str) else ""
            raise ctx.error(key, f"expected one of {', '.join(options)}, got {_got(value)}{hint}")
        return value

    return check


def _strings(value: Any, ctx: _Context, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ctx.error(key, f"expected an array of strings, got {_got(value)} (write [{json.dumps(value)}])")
    if not isinstance(value, (list, tuple)):
        raise ctx.error(key, f"expected an array of strings, got {_got(value)}")
    for item in value:
        if not isinstance(item, str):
            raise ctx.error(key, f"expected an array of strings, found {_got(item)}")
    return tuple(value)


def _check_selectors(selectors: Iterable[str], ctx: _Context, key: str) -> None:
    for selector in selectors:
        try:
            implemented, planned = _resolve_selector(selector)
        except SelectorError as error:
            raise ctx.error(key, str(error)) from None
        if planned and not implemented and _specificity(selector) == 5:
            names = ", ".join(f"{code} {_catalogue()[code][0]}" for code in sorted(planned))
            ctx.warnings.append(
                f"{ctx.display}: {ctx.prefix}{key}: {selector} ({names}) is not implemented in this version of dfix"
            )


def _selectors(value: Any, ctx: _Context, key: str) -> tuple[str, ...]:
    selectors = _strings(value, ctx, key)
    _check_selectors(selectors, ctx, key)
    return selectors


def _globs(value: Any, ctx: _Context, key: str) -> tuple[str, ...]:
    patterns = _strings(value, ctx, key)
    anchored = []
    for pattern in patterns:
        if not pattern.strip():
            raise ctx.error(key, "empty glob")
        try:
            _validate_glob(pattern)
        except re.error as error:
            raise ctx.error(key, f"invalid glob {pattern!r}: {error}") from None
        anchored.append(anchor_glob(pattern, ctx.base))
    return tuple(anchored)


def _include(value: Any, ctx: _Context, key: str) -> tuple[str, ...] | None:
    globs = _globs(value, ctx, key)
    return globs or None  # an empty list keeps the default names rather than finding nothing


def _foreign(value: Any, ctx: _Context, key: str) -> tuple[str, ...]:
    dialects = _strings(value, ctx, key)
    for dialect in dialects:
        if dialect not in FOREIGN_SUPPRESSION_DIALECTS:
            raise ctx.error(
                key, f"unknown suppression dialect {dialect!r}; expected some of "
                f"{', '.join(FOREIGN_SUPPRESSION_DIALECTS)}{_suggest(dialect, FOREIGN_SUPPRESSION_DIALECTS)}"
            )
    return dialects


def _table(value: Any, ctx: _Context, key: str) -> dict:
    if not isinstance(value, dict):
        raise ctx.error(key, f"expected a table, got {_got(value)}")
    return value


def _severity_table(value: Any, ctx: _Context, key: str) -> tuple[tuple[str, str], ...]:
    """``((selector, level), ...)`` as written; resolved to codes when settings are built."""
    entries = []
    for selector, level in _table(value, ctx, key).items():
        entry_key = f"{key}.{_toml_key(selector)}"
        if not isinstance(level, str) or level not in SEVERITY_LEVELS:
            hint = _suggest(level, SEVERITY_LEVELS) if isinstance(level, str) else ""
            raise ctx.error(entry_key, f"expected one of {', '.join(SEVERITY_LEVELS)}, got {_got(level)}{hint}")
        _check_selectors([selector], ctx, entry_key)
        if "DF000" in _resolve_selector(selector)[0] and _specificity(selector) == 5 and level != "error":
            raise ctx.error(entry_key, "DF000 parse-error is always an error")
        entries.append((selector, level))
    return tuple(entries)


def _per_file_ignores(value: Any, ctx: _Context, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    entries = []
    for pattern, codes in _table(value, ctx, key).items():
        entry_key = f"{key}.{_toml_key(pattern)}"
        if not pattern.strip():
            raise ctx.error(entry_key, "empty glob")
        try:
            _validate_glob(pattern)
        except re.error as error:
            raise ctx.error(entry_key, f"invalid glob: {error}") from None
        entries.append((anchor_glob(pattern, ctx.base), _selectors(codes, ctx, entry_key)))
    return tuple(entries)


def _labels(value: Any, ctx: _Context, key: str) -> dict[str, Any]:
    table = _table(value, ctx, key)
    _reject_unknown(table, ("required", "strict"), ctx, key)
    result: dict[str, Any] = {}
    if "strict" in table:
        result["strict"] = _boolean(table["strict"], ctx, f"{key}.strict")
    if "required" in table:
        required = {}
        for label, kind in _table(table["required"], ctx, f"{key}.required").items():
            entry_key = f"{key}.required.{_toml_key(label)}"
            if not isinstance(kind, str) or kind not in LABEL_TYPES:
                hint = _suggest(kind, LABEL_TYPES) if isinstance(kind, str) else ""
                raise ctx.error(entry_key, f"expected one of {', '.join(LABEL_TYPES)}, got {_got(kind)}{hint}")
            required[label] = kind
        result["required"] = required
    return result


def _option_value(value: Any, default: Any, ctx: _Context, key: str) -> Any:
    if default is None:
        return value
    if isinstance(default, bool):
        return _boolean(value, ctx, key)
    if isinstance(default, int):
        if isinstance(value, bool) or not isinstance(value, int):
            raise ctx.error(key, f"expected an integer, got {_got(value)}")
        return value
    if isinstance(default, float):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise ctx.error(key, f"expected a number, got {_got(value)}")
        return float(value)
    if isinstance(default, str):
        return _string(value, ctx, key)
    if isinstance(default, (list, tuple)):
        if not isinstance(value, list):
            raise ctx.error(key, f"expected an array, got {_got(value)}")
        kinds = {type(item) for item in default}
        if len(kinds) == 1:
            for item in value:
                _option_value(item, default[0], ctx, key)
        return tuple(value) if isinstance(default, tuple) else list(value)
    if isinstance(default, dict):
        return _table(value, ctx, key)
    if not isinstance(value, type(default)):
        raise ctx.error(key, f"expected {_type_name(default)}, got {_got(value)}")
    return value


def _rules(value: Any, ctx: _Context, key: str) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for selector, options in _table(value, ctx, key).items():
        entry_key = f"{key}.{_toml_key(selector)}"
        try:
            implemented, planned = _resolve_selector(selector)
        except SelectorError as error:
            raise ctx.error(entry_key, str(error)) from None
        implemented = frozenset(code for code in implemented if code in _implemented())
        if len(implemented) != 1 or planned:
            if not implemented and planned:
                names = ", ".join(f"{code} {_catalogue()[code][0]}" for code in sorted(planned))
                raise ctx.error(entry_key, f"{names} is not implemented in this version of dfix and has no options")
            raise ctx.error(entry_key, f"names {len(implemented | planned)} rules; options belong to one rule (use its code)")
        code = next(iter(implemented))
        rule = registry.rule_by_code(code)
        assert rule is not None
        table = _table(options, ctx, entry_key)
        checked = {}
        for option, option_value in table.items():
            option_key = f"{entry_key}.{_toml_key(option)}"
            if option not in rule.options:
                if rule.options:
                    message = f"unknown option of {code} {rule.name}{_suggest(option, rule.options)}; " \
                        f"its options are {', '.join(sorted(rule.options))}"
                else:
                    message = f"{code} {rule.name} has no options"
                raise ctx.error(option_key, message)
            checked[option] = _option_value(option_value, rule.options[option], ctx, option_key)
        result.setdefault(code, {}).update(checked)
    return result


def _required_version(value: Any, ctx: _Context, key: str) -> str:
    from ._version import __version__

    text = _string(value, ctx, key)
    try:
        ok = version_satisfies(__version__, text)
    except ValueError as error:
        raise ctx.error(key, str(error)) from None
    if not ok:
        raise ctx.error(key, f"this is dfix {__version__}, which does not satisfy {text!r}")
    return text


def _cache_dir(value: Any, ctx: _Context, key: str) -> Path:
    text = _string(value, ctx, key)
    if not text.strip():
        raise ctx.error(key, "empty path")
    return Path(os.path.normpath(ctx.base / os.path.expanduser(text)))


def _duration(value: Any, ctx: _Context, key: str) -> str:
    text = _string(value, ctx, key)
    if not re.fullmatch(r"\d+[smhdw]|0", text.strip()):
        raise ctx.error(key, f"expected a duration such as \"30m\", \"6h\" or \"2d\", got {_got(value)}")
    return text


def _subtable(schema: Mapping[str, _Validator]) -> _Validator:
    def check(value: Any, ctx: _Context, key: str) -> dict[str, Any]:
        table = _table(value, ctx, key)
        _reject_unknown(table, schema, ctx, key)
        return {name: schema[name](item, ctx, f"{key}.{name}") for name, item in table.items()}

    return check


_LINT_SCHEMA: dict[str, _Validator] = {
    "select": _selectors,
    "extend-select": _selectors,
    "ignore": _selectors,
    "extend-ignore": _selectors,
    "fixable": _selectors,
    "extend-fixable": _selectors,
    "unfixable": _selectors,
    "extend-safe-fixes": _selectors,
    "extend-unsafe-fixes": _selectors,
    "per-file-ignores": _per_file_ignores,
    "extend-per-file-ignores": _per_file_ignores,
    "severity": _severity_table,
    "honor-suppressions": _boolean,
    "foreign-suppressions": _foreign,
    "trusted-registries": _strings,
    "labels": _labels,
    "rules": _rules,
    "preview": _boolean,
}

_TOP_SCHEMA: dict[str, _Validator] = {
    "required-version": _required_version,
    "extend": _string,
    "include": _include,
    "extend-include": _globs,
    "exclude": _globs,
    "extend-exclude": _globs,
    "respect-gitignore": _boolean,
    "force-exclude": _boolean,
    "output-format": _choice(*OUTPUT_FORMATS),
    "fail-on": _choice(*FAIL_ON_LEVELS),
    "unsafe-fixes": _boolean,
    "show-fixes": _boolean,
    "cache-dir": _cache_dir,
    "network": _choice(*NETWORK_MODES),
    "packages": _subtable({"pin-policy": _choice("off", "warn", "error"), "prefer-base-digest": _boolean}),
    "pin": _subtable({
        "mode": _choice("off", "tag+digest", "digest"),
        "refresh": _choice("never", "if-unmanaged", "always"),
        "platform": _choice("keep", "index"),
        "skip-images": _strings,
        "registry-cache-ttl": _duration,
    }),
    "bot": _subtable({
        "enabled": _boolean,
        "branch": _string,
        "commit-message": _string,
        "title": _string,
        "labels": _strings,
        "draft": _boolean,
        "reviewers": _strings,
        "recreate-closed": _boolean,
    }),
}

#: Every key a configuration may hold, dotted (``lint.select``); top-level forms of lint keys are aliases.
CONFIG_KEYS = (*_TOP_SCHEMA, *(f"lint.{key}" for key in _LINT_SCHEMA))

#: Keys whose values accumulate along an ``extend`` chain instead of replacing.
_ACCUMULATE = frozenset({
    "extend-select", "extend-ignore", "extend-fixable", "extend-include", "extend-exclude",
    "extend-per-file-ignores", "extend-safe-fixes", "extend-unsafe-fixes",
})
#: Tables merged key by key along an ``extend`` chain.
_MERGE = frozenset({"severity", "packages", "pin", "bot"})
_SELECTION_KEYS = ("select", "extend-select", "ignore", "extend-ignore", "fixable", "extend-fixable", "unfixable")


def _reject_unknown(table: Mapping[str, Any], known: Iterable[str], ctx: _Context, key: str) -> None:
    known = list(known)
    for name in table:
        if name not in known:
            raise ctx.error(f"{key}.{_toml_key(name)}", "unknown key" + _suggest(name, known, prefix=f"{ctx.prefix}{key}."))


def _unknown_key(name: str, where: str | None, ctx: _Context) -> ConfigError:
    """The error for an unknown key at the top level (``where`` None) or in ``[lint]``."""
    full = f"lint.{name}" if where == "lint" else name
    if where == "lint":
        hint = _suggest(name, _LINT_SCHEMA, prefix=f"{ctx.prefix}lint.")
        if not hint and name in _TOP_SCHEMA:
            hint = f" ({ctx.prefix}{name} belongs at the top level, not in the lint table)"
    else:
        candidates = [*_TOP_SCHEMA, "lint"]
        hint = _suggest(name, candidates, prefix=ctx.prefix)
        if not hint:
            lint_hint = _suggest(name, _LINT_SCHEMA, prefix=f"{ctx.prefix}lint.")
            hint = lint_hint
        if name == "tool" and not ctx.prefix:
            hint = " (in .dfix.toml and dfix.toml the settings sit at the top level, without [tool.dfix])"
    return ctx.error(full, "unknown key" + hint)


def _parse_document(data: Mapping[str, Any], ctx: _Context) -> dict[str, Any]:
    """Validate one document (a file's settings, or the command line's); canonical key -> normalised value."""
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}

    def put(canonical: str, written: str, value: Any) -> None:
        if canonical in values:
            raise ctx.error(written, f"also set as {ctx.prefix}{origin[canonical]}; keep one")
        values[canonical] = value
        origin[canonical] = written

    for name, value in data.items():
        if name == "lint":
            for lint_name, lint_value in _table(value, ctx, "lint").items():
                if lint_name not in _LINT_SCHEMA:
                    raise _unknown_key(lint_name, "lint", ctx)
                written = f"lint.{_toml_key(lint_name)}"
                put(lint_name, written, _LINT_SCHEMA[lint_name](lint_value, ctx, written))
        elif name in _TOP_SCHEMA:
            put(name, name, _TOP_SCHEMA[name](value, ctx, name))
        elif name in _LINT_SCHEMA:
            put(name, name, _LINT_SCHEMA[name](value, ctx, name))
        else:
            raise _unknown_key(name, None, ctx)
    return values


def _read_toml(path: Path, display: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, None, f"invalid TOML: {error}", display=display) from None
    except UnicodeDecodeError as error:
        raise ConfigError(path, None, f"invalid TOML: not UTF-8 ({error.reason})", display=display) from None
    except OSError as error:
        raise ConfigError(path, None, f"cannot read: {error.strerror or error}", display=display) from None


def _settings_table(data: dict[str, Any], path: Path, display: str) -> tuple[dict[str, Any] | None, str]:
    """The dfix settings of a parsed file and their key prefix; None for a pyproject.toml without [tool.dfix]."""
    if path.name == "pyproject.toml":
        tool = data.get("tool")
        if not isinstance(tool, dict) or "dfix" not in tool:
            return None, "tool.dfix."
        table = tool["dfix"]
        if not isinstance(table, dict):
            raise ConfigError(path, "tool.dfix", f"expected a table, got {_got(table)}", display=display)
        return table, "tool.dfix."
    return data, ""


def load_config_text(text: str, path: Path | str = ".dfix.toml", *, base: Path | None = None) -> dict[str, Any]:
    """Validate configuration text (``.dfix.toml`` form unless ``path`` is a pyproject.toml); the normalised values.

    Used by ``dfix init`` to check generated text, and by tests. ``extend``
    is validated as a string but not followed.
    """
    path = Path(path)
    display = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, None, f"invalid TOML: {error}", display=display) from None
    table, prefix = _settings_table(data, path, display)
    if table is None:
        raise ConfigError(path, None, "has no [tool.dfix] table", display=display)
    ctx = _Context(path, display, base or Path(os.path.abspath(path)).parent, prefix)
    return _parse_document(table, ctx)


# -- command-line helpers ---------------------------------------------------------


def parse_per_file_ignores(entries: Iterable[str]) -> dict[str, list[str]]:
    """``--per-file-ignores "GLOB:CODE[,CODE]"`` values as the table the overrides expect."""
    table: dict[str, list[str]] = {}
    for entry in entries:
        glob, sep, codes = entry.rpartition(":")
        if not sep or not glob.strip():
            raise ConfigError(None, "per-file-ignores", f"expected GLOB:CODE[,CODE], got {entry!r}")
        table.setdefault(glob.strip(), []).extend(code.strip() for code in re.split(r"[,\s]+", codes) if code.strip())
    return table


def parse_severity_overrides(entries: Iterable[str]) -> dict[str, str]:
    """``--severity CODE=LEVEL`` values as the ``lint.severity`` table."""
    table: dict[str, str] = {}
    for entry in entries:
        code, sep, level = entry.partition("=")
        if not sep or not code.strip():
            raise ConfigError(None, "lint.severity", f"expected CODE=LEVEL, got {entry!r}")
        table[code.strip()] = level.strip()
    return table


def _nest(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """Dotted keys (``lint.select``, ``lint.rules.DF100.max-commands``) to nested tables."""
    nested: dict[str, Any] = {}

    def merge(target: dict[str, Any], key: str, value: Any) -> None:
        if isinstance(value, Mapping) and isinstance(target.get(key), dict):
            for inner_key, inner_value in value.items():
                merge(target[key], inner_key, inner_value)
        else:
            target[key] = dict(value) if isinstance(value, Mapping) else value

    for dotted, value in overrides.items():
        if value is None:  # an option the command line left unset
            continue
        parts = dotted.split(".")
        target = nested
        for part in parts[:-1]:
            if not isinstance(target.get(part), dict):
                target[part] = {}
            target = target[part]
        merge(target, parts[-1], value)
    return nested


# -- settings ---------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """One layer of rule selection (the file chain, or the command line)."""

    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fixable: tuple[str, ...] | None = None
    extend_fixable: tuple[str, ...] = ()
    unfixable: tuple[str, ...] = ()

    @classmethod
    def from_values(cls, values: Mapping[str, Any]) -> "Selection":
        return cls(
            select=values.get("select"),
            extend_select=values.get("extend-select", ()),
            ignore=(*values.get("ignore", ()), *values.get("extend-ignore", ())),
            fixable=values.get("fixable"),
            extend_fixable=values.get("extend-fixable", ()),
            unfixable=values.get("unfixable", ()),
        )


def _apply(current: set[str], chosen: tuple[str, ...] | None, extra: tuple[str, ...], removed: tuple[str, ...]) -> set[str]:
    """One selection layer: specificity order, selects before removals at each level."""
    result = set() if chosen is not None else set(current)
    steps: list[tuple[int, int, str]] = []
    for selector in (*(chosen or ()), *extra):
        steps.append((_specificity(selector), 0, selector))
    for selector in removed:
        steps.append((_specificity(selector), 1, selector))
    for _, remove, selector in sorted(steps, key=lambda step: (step[0], step[1])):
        codes = _resolve_selector(selector)[0]
        if remove:
            result -= codes
        else:
            result |= {code for code in codes if _enabled_by(code, selector)}
    return result


def _enabled_by(code: str, selector: str) -> bool:
    """A default-off rule (DF302) is selected only by its own code, name or alias, not by ``ALL`` or a prefix."""
    rule = rule_by_code(code)
    return rule is None or rule.default_enabled or rule.named_by(selector)


def _empty_labels() -> dict[str, Any]:
    return {"required": {}, "strict": False}


@dataclass(frozen=True, eq=False)
class Settings:
    """The effective settings for one file.

    Globs (``exclude``, ``include``, ``per_file_ignores`` ...) are already
    anchored: absolute ``/``-separated globs (see :func:`anchor_glob`).
    ``severity`` and ``rule_options`` are keyed by DF code (ShellCheck codes
    as written). ``selection`` holds the selection layers that
    :meth:`rule_codes_for` evaluates; left empty, one layer is built from the
    flat ``select``/``extend_select``/``ignore``/``fixable``/``unfixable``
    fields (which otherwise only describe the settings for display).

    Compared and hashed by identity: a resolver hands out one object per
    config file, so settings can key a dict that groups files.
    """

    source: Path | None = None
    select: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    fixable: tuple[str, ...] | None = None
    extend_fixable: tuple[str, ...] = ()
    unfixable: tuple[str, ...] = ()
    extend_safe_fixes: tuple[str, ...] = ()
    extend_unsafe_fixes: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: dict[str, str] = field(default_factory=dict)
    rule_options: dict[str, dict] = field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    #: None: the default discovery names (DEFAULT_INCLUDE minus DEFAULT_SKIPPED_SUFFIXES).
    include: tuple[str, ...] | None = None
    extend_include: tuple[str, ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    output_format: str | None = None
    fail_on: str = "warning"
    unsafe_fixes: bool = False
    show_fixes: bool = False
    preview: bool = False
    honor_suppressions: bool = True
    foreign_suppressions: tuple[str, ...] = FOREIGN_SUPPRESSION_DIALECTS
    trusted_registries: tuple[str, ...] = ()
    labels: dict[str, Any] = field(default_factory=_empty_labels)
    cache_dir: Path | None = None
    network: str = "auto"
    packages: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_PACKAGES))
    pin: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_PIN))
    bot: dict[str, Any] = field(default_factory=lambda: dict(DEFAULT_BOT))
    #: Every config file that contributed, the ``extend`` chain from the root parent to ``source``.
    files: tuple[Path, ...] = ()
    #: The folder the settings' relative paths are anchored at (source's folder, or the CWD).
    root: Path = field(default_factory=lambda: Path(os.path.abspath(os.getcwd())))
    #: The folder relative input paths resolve against.
    cwd: Path = field(default_factory=lambda: Path(os.path.abspath(os.getcwd())))
    #: Notes worth showing with ``--verbose`` (e.g. selectors naming rules this version lacks).
    warnings: tuple[str, ...] = ()
    selection: tuple[Selection, ...] = ()

    def __post_init__(self) -> None:
        layers = self.selection or (Selection(
            self.select, self.extend_select, self.ignore, self.fixable, self.extend_fixable, self.unfixable,
        ),)
        enabled: set[str] = {rule.code for rule in registry.all_rules() if rule.default_enabled}
        fixable: set[str] = set(_implemented())
        for layer in layers:
            enabled = _apply(enabled, layer.select, layer.extend_select, layer.ignore)
            fixable = _apply(fixable, layer.fixable, layer.extend_fixable, layer.unfixable)
        run = frozenset(enabled)
        set_ = object.__setattr__
        set_(self, "_run", run)
        set_(self, "_fix", frozenset(fixable) & run)
        set_(self, "_fixable_all", frozenset(fixable))
        set_(self, "_pfi", tuple(
            (re.compile(_glob_to_regex(glob) + r"\Z"), resolve_selectors(codes)) for glob, codes in self.per_file_ignores
        ))
        set_(self, "_exclude", _compile_globs((*self.exclude, *self.extend_exclude)))
        set_(self, "_include", _compile_globs(self.include or (), ignore_case=True))
        set_(self, "_extend_include", _compile_globs(self.extend_include, ignore_case=True))
        set_(self, "_excluded_cache", {})
        set_(self, "_pfi_cache", {})

    # -- per file -------------------------------------------------------------

    def _posix(self, path: Path | str) -> str:
        text = os.fspath(path)
        if not os.path.isabs(text):
            text = os.path.join(self.cwd, text)
        text = os.path.normpath(text)
        return text if os.sep == "/" else Path(text).as_posix()

    def _ignored_in(self, posix: str, cache: dict[str, frozenset[str]]) -> frozenset[str]:
        """Codes per-file-ignores drop for ``posix`` or any folder above it (folders cached)."""
        own = frozenset().union(*(codes for regex, codes in self._pfi if regex.match(posix)))  # type: ignore[attr-defined]
        parent = posixpath.dirname(posix)
        if parent == posix or not parent:
            return own
        above = cache.get(parent)
        if above is None:
            above = cache[parent] = self._ignored_in(parent, cache)
        return own | above

    def rule_codes_for(self, path: Path | str) -> tuple[frozenset[str], frozenset[str]]:
        """``(codes to run, codes allowed to fix)`` for ``path``, after select/ignore/per-file-ignores/fixable.

        The sets hold codes of implemented rules (plus ShellCheck codes when
        selected by code); relative paths resolve against the current folder.
        """
        if not self._pfi:  # type: ignore[attr-defined]
            return self._run, self._fix  # type: ignore[attr-defined]
        ignored = self._ignored_in(self._posix(path), self._pfi_cache)  # type: ignore[attr-defined]
        if not ignored:
            return self._run, self._fix  # type: ignore[attr-defined]
        run = self._run - ignored  # type: ignore[attr-defined]
        return run, self._fix & run  # type: ignore[attr-defined]

    def is_excluded(self, path: Path | str) -> bool:
        """Whether ``exclude``/``extend-exclude`` match ``path`` or a folder it lies in (gitignore semantics)."""
        regex = self._exclude  # type: ignore[attr-defined]
        if regex is None:
            return False
        cache: dict[str, bool] = self._excluded_cache  # type: ignore[attr-defined]
        posix = self._posix(path)
        if regex.match(posix):
            return True
        parent = posixpath.dirname(posix)
        chain: list[str] = []
        result = False
        while parent and parent not in cache:
            chain.append(parent)
            if regex.match(parent):
                result = True
                break
            up = posixpath.dirname(parent)
            if up == parent:
                break
            parent = up
        else:
            if parent in cache:
                result = cache[parent]
        for folder in chain:
            cache[folder] = result
        return result

    def is_included(self, path: Path | str) -> bool:
        """Whether a file found while walking a folder is a Dockerfile to check (``include``/``extend-include``).

        Without ``include`` the default names apply (ux.md §7, case-insensitive,
        templates/backups/docs skipped); ``extend-include`` globs add to them.
        """
        posix = self._posix(path)
        extra = self._extend_include  # type: ignore[attr-defined]
        if extra is not None and extra.match(posix):
            return True
        if self.include is None:
            return _is_default_dockerfile_name(posixpath.basename(posix))
        return bool(self._include.match(posix))  # type: ignore[attr-defined]

    def severity_for(self, code: str, default: str) -> str:
        return self.severity.get(code, default)

    def to_dict(self) -> dict[str, Any]:
        """Plain values for ``dfix config --show-settings`` (paths as strings, tuples as lists)."""

        def plain(value: Any) -> Any:
            if isinstance(value, Path):
                return str(value)
            if isinstance(value, (tuple, list)):
                return [plain(item) for item in value]
            if isinstance(value, dict):
                return {key: plain(item) for key, item in value.items()}
            if isinstance(value, Selection):
                return {f.name: plain(getattr(value, f.name)) for f in fields(value)}
            return value

        data = {f.name: plain(getattr(self, f.name)) for f in fields(self)}
        data["enabled"] = sorted(self._run)  # type: ignore[attr-defined]
        data["fixable_enabled"] = sorted(self._fix)  # type: ignore[attr-defined]
        return data


_DEFAULT_NAME_PATTERNS = tuple(re.compile(_glob_to_regex(name.lower()) + r"\Z") for name in DEFAULT_INCLUDE)


def _is_default_dockerfile_name(name: str) -> bool:
    lowered = name.lower()
    if not any(pattern.match(lowered) for pattern in _DEFAULT_NAME_PATTERNS):
        return False
    return not lowered.endswith(DEFAULT_SKIPPED_SUFFIXES)


def default_settings(*, cwd: Path | None = None) -> Settings:
    """The settings when no configuration file applies."""
    folder = Path(os.path.abspath(cwd or os.getcwd()))
    return Settings(root=folder, cwd=folder)


def _resolve_severity(entries: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``(selector, level)`` entries to ``{code: level}``: broad selectors first, exact codes win."""
    resolved: dict[str, str] = {}
    for selector, level in sorted(entries, key=lambda entry: _specificity(entry[0])):
        implemented, planned = _resolve_selector(selector)
        for code in (*sorted(implemented), *sorted(planned)):
            resolved[code] = level
    return resolved


def _merge(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
    """A child's values over its parent's: ``extend-*`` accumulate, severity/rules/tables merge, the rest replaces."""
    merged = dict(parent)
    for key, value in child.items():
        if key in _ACCUMULATE and key in merged:
            merged[key] = (*merged[key], *value)
        elif key == "severity" and key in merged:
            merged[key] = (*merged[key], *value)  # later entries win at equal specificity
        elif key == "rules" and key in merged:
            rules = {code: dict(options) for code, options in merged[key].items()}
            for code, options in value.items():
                rules.setdefault(code, {}).update(options)
            merged[key] = rules
        elif key in _MERGE and key in merged:
            merged[key] = {**merged[key], **value}
        else:
            merged[key] = value
    return merged


def _build_settings(
    file_values: Mapping[str, Any],
    override_values: Mapping[str, Any],
    *,
    source: Path | None,
    files: tuple[Path, ...],
    root: Path,
    cwd: Path,
    warnings: Iterable[str],
) -> Settings:
    layers = []
    file_selection = Selection.from_values(file_values)
    if file_values:
        layers.append(file_selection)
    override_selection = Selection.from_values(override_values)
    if any(key in override_values for key in _SELECTION_KEYS):
        layers.append(override_selection)
    values = _merge(
        {key: value for key, value in file_values.items() if key not in _SELECTION_KEYS},
        {key: value for key, value in override_values.items() if key not in _SELECTION_KEYS},
    )
    labels = _empty_labels()
    labels.update(values.get("labels", {}))
    return Settings(
        source=source,
        select=override_selection.select if override_selection.select is not None else file_selection.select,
        extend_select=(*file_selection.extend_select, *override_selection.extend_select),
        ignore=(*file_selection.ignore, *override_selection.ignore),
        fixable=override_selection.fixable if override_selection.fixable is not None else file_selection.fixable,
        extend_fixable=(*file_selection.extend_fixable, *override_selection.extend_fixable),
        unfixable=(*file_selection.unfixable, *override_selection.unfixable),
        extend_safe_fixes=values.get("extend-safe-fixes", ()),
        extend_unsafe_fixes=values.get("extend-unsafe-fixes", ()),
        per_file_ignores=(*values.get("per-file-ignores", ()), *values.get("extend-per-file-ignores", ())),
        severity=_resolve_severity(values.get("severity", ())),
        rule_options={code: dict(options) for code, options in values.get("rules", {}).items()},
        exclude=values.get("exclude", ()),
        extend_exclude=values.get("extend-exclude", ()),
        include=values.get("include"),
        extend_include=values.get("extend-include", ()),
        respect_gitignore=values.get("respect-gitignore", True),
        force_exclude=values.get("force-exclude", False),
        output_format=values.get("output-format"),
        fail_on=values.get("fail-on", "warning"),
        unsafe_fixes=values.get("unsafe-fixes", False),
        show_fixes=values.get("show-fixes", False),
        preview=values.get("preview", False),
        honor_suppressions=values.get("honor-suppressions", True),
        foreign_suppressions=values.get("foreign-suppressions", FOREIGN_SUPPRESSION_DIALECTS),
        trusted_registries=values.get("trusted-registries", ()),
        labels=labels,
        cache_dir=values.get("cache-dir"),
        network=values.get("network", "auto"),
        packages={**DEFAULT_PACKAGES, **values.get("packages", {})},
        pin={**DEFAULT_PIN, **values.get("pin", {})},
        bot={**DEFAULT_BOT, **values.get("bot", {})},
        files=files,
        root=root,
        cwd=cwd,
        warnings=tuple(dict.fromkeys(warnings)),
        selection=tuple(layers),
    )


# -- discovery ----------------------------------------------------------------------


def user_config_path() -> Path:
    """``$XDG_CONFIG_HOME/dfix/dfix.toml`` (``~/.config`` when unset; ``%APPDATA%`` on Windows)."""
    base = os.environ.get("XDG_CONFIG_HOME")
    if not base and sys.platform == "win32":
        base = os.environ.get("APPDATA")
    if not base:
        base = os.path.join(os.path.expanduser("~"), ".config")
    return Path(base) / "dfix" / "dfix.toml"


@dataclass(frozen=True)
class _Loaded:
    """One config file, validated (its own keys only; ``extend`` not yet followed)."""

    path: Path
    values: dict[str, Any]
    extend: Path | None
    warnings: tuple[str, ...]


_NO_TABLE = object()


class ConfigResolver:
    """Finds and caches the settings of every file of a run.

    ``config_file`` (``--config``): one file for every input, its relative
    paths anchored at ``cwd``. ``isolated`` (``--isolated``): no files at all.
    ``overrides``: command-line settings with the files' keys, dotted or
    nested (``{"lint.select": ["DF2"], "fail-on": "info"}``); they are
    validated here, so a bad one raises :class:`ConfigError` at construction,
    as does a bad ``--config`` file. Discovered files raise when first needed.
    ``boundary``: the search for configuration files stops at this folder
    and the user-level file is not consulted, so a repository the bot fixes
    is checked with its own configuration and nothing of the machine's.

    Every folder is looked at once and every file read once, however many
    Dockerfiles share them.
    """

    def __init__(
        self,
        *,
        config_file: Path | str | None = None,
        isolated: bool = False,
        overrides: Mapping[str, Any] | None = None,
        cwd: Path | str | None = None,
        boundary: Path | str | None = None,
    ) -> None:
        self.cwd = Path(os.path.abspath(cwd if cwd is not None else os.getcwd()))
        self.boundary = os.path.abspath(boundary) if boundary is not None else None
        self.isolated = isolated
        self.config_file = Path(os.path.normpath(self.cwd / config_file)) if config_file is not None else None
        self._override_warnings: list[str] = []
        self._overrides = self._parse_overrides(overrides or {})
        self._closest: dict[str, Path | None] = {}
        self._loaded: dict[tuple[Path, Path | None], Any] = {}
        self._by_source: dict[tuple[Path | None, Path | None], Settings] = {}
        self._by_folder: dict[str, Settings] = {}
        self._used: dict[Path, None] = {}
        self._user: Path | None | object = _NO_TABLE
        self._fixed: Settings | None = None
        if isolated:
            self._fixed = self._settings(None, None)
        elif self.config_file is not None:
            if not self.config_file.is_file():
                raise ConfigError(self.config_file, None, "no such config file", display=self._display(self.config_file))
            self._fixed = self._settings(self.config_file, self.cwd)

    # -- public ------------------------------------------------------------------

    def settings_for(self, path: Path | str) -> Settings:
        """The settings for a Dockerfile (or, given a folder, for files in it)."""
        if self._fixed is not None:
            return self._fixed
        text = os.fspath(path)
        absolute = os.path.normpath(text if os.path.isabs(text) else os.path.join(self.cwd, text))
        folder = absolute if text != "-" and os.path.isdir(absolute) else os.path.dirname(absolute)
        cached = self._by_folder.get(folder)
        if cached is not None:
            return cached
        found = self._closest_config(folder)
        if found is None:
            settings = self._fallback()
        else:
            settings = self._settings(found, None)
        self._by_folder[folder] = settings
        return settings

    def files_used(self) -> list[Path]:
        """Config files read so far that applied to some input (extended files included), in first-use order."""
        return list(self._used)

    def default(self) -> Settings:
        """The settings with no file (defaults plus command-line overrides)."""
        return self._settings(None, None)

    # -- internals -----------------------------------------------------------------

    def _display(self, path: Path) -> str:
        return _display_path(path, self.cwd)

    def _parse_overrides(self, overrides: Mapping[str, Any]) -> dict[str, Any]:
        nested = _nest(overrides)
        if "extend" in nested:
            raise ConfigError(None, "extend", "not allowed on the command line; use --config")
        ctx = _Context(None, "command line", self.cwd, "", self._override_warnings)
        return _parse_document(nested, ctx)

    def _closest_config(self, folder: str) -> Path | None:
        visited: list[str] = []
        current = folder
        while True:
            if current in self._closest:
                found = self._closest[current]
                break
            visited.append(current)
            found = self._config_in(current)
            if found is not None:
                break
            parent = os.path.dirname(current)
            if parent == current or current == self.boundary:
                found = None
                break
            current = parent
        for seen in visited:
            self._closest[seen] = found
        return found

    def _config_in(self, folder: str) -> Path | None:
        for name in CONFIG_FILE_NAMES:
            candidate = os.path.join(folder, name)
            if os.path.isfile(candidate):
                path = Path(candidate)
                if name == "pyproject.toml" and self._load(path, None) is None:
                    continue
                return path
        return None

    def _fallback(self) -> Settings:
        if self._user is _NO_TABLE and self.boundary is not None:
            self._user = None
        if self._user is _NO_TABLE:
            candidate = user_config_path()
            self._user = candidate if candidate.is_file() else None
        if self._user is None:
            return self._settings(None, None)
        return self._settings(self._user, self.cwd)  # type: ignore[arg-type]

    def _load(self, path: Path, anchor: Path | None) -> _Loaded | None:
        """Read and validate one file (cached); None for a pyproject.toml without [tool.dfix]."""
        key = (path, anchor)
        if key in self._loaded:
            return self._loaded[key]
        display = self._display(path)
        data = _read_toml(path, display)
        table, prefix = _settings_table(data, path, display)
        if table is None:
            self._loaded[key] = None
            return None
        ctx = _Context(path, display, anchor or Path(os.path.abspath(path)).parent, prefix)
        values = _parse_document(table, ctx)
        extend = values.pop("extend", None)
        extend_path = None
        if extend is not None:
            extend_path = Path(os.path.normpath(path.parent / os.path.expanduser(extend)))
            if not extend_path.is_file():
                raise ConfigError(path, f"{prefix}extend", f"no such file: {extend}", display=display)
        loaded = _Loaded(path, values, extend_path, tuple(ctx.warnings))
        self._loaded[key] = loaded
        return loaded

    def _chain(self, path: Path, anchor: Path | None) -> tuple[dict[str, Any], tuple[Path, ...], list[str]]:
        """A file's values with its ``extend`` parents merged in; the files, root parent first."""
        chain: list[_Loaded] = []
        seen: list[str] = []
        current: Path | None = path
        while current is not None:
            real = os.path.realpath(current)
            if real in seen:
                cycle = " -> ".join(self._display(item.path) for item in chain) + f" -> {self._display(current)}"
                first = chain[-1]
                raise ConfigError(first.path, f"{'tool.dfix.' if first.path.name == 'pyproject.toml' else ''}extend",
                                  f"extend cycle: {cycle}", display=self._display(first.path))
            seen.append(real)
            loaded = self._load(current, anchor)
            if loaded is None:
                parent = chain[-1]
                raise ConfigError(parent.path, f"{'tool.dfix.' if parent.path.name == 'pyproject.toml' else ''}extend",
                                  f"{self._display(current)} has no [tool.dfix] table", display=self._display(parent.path))
            chain.append(loaded)
            current = loaded.extend
        values: dict[str, Any] = {}
        warnings: list[str] = []
        for loaded in reversed(chain):
            values = _merge(values, loaded.values)
            warnings += loaded.warnings
        return values, tuple(loaded.path for loaded in reversed(chain)), warnings

    def _settings(self, source: Path | None, anchor: Path | None) -> Settings:
        if (source, anchor) in self._by_source:
            return self._by_source[(source, anchor)]
        if source is None:
            values: dict[str, Any] = {}
            files: tuple[Path, ...] = ()
            warnings: list[str] = []
            root = self.cwd
        else:
            loaded = self._load(source, anchor)
            if loaded is None:
                raise ConfigError(source, None, "has no [tool.dfix] table", display=self._display(source))
            values, files, warnings = self._chain(source, anchor)
            root = anchor or source.parent
            for file in reversed(files):
                self._used[file] = None
        settings = _build_settings(
            values, self._overrides, source=source, files=files, root=root, cwd=self.cwd,
            warnings=[*warnings, *self._override_warnings],
        )
        self._by_source[(source, anchor)] = settings
        return settings


def _toml_key(key: str) -> str:
    """A key as TOML spells it: bare when possible, else quoted."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'

