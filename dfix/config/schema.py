"""The configuration's schema: every key, its validator, and reading one document.

Every key is validated: an unknown key or a bad value is a
:class:`ConfigError` naming the file and the key (exit 2), never silently
ignored (hadolint#816). A key dfix knows of but does not act on yet is
refused the same way ("not available yet") rather than accepted and ignored.

Rule selectors (``select``, ``ignore``, ``lint.severity`` keys ...) accept
codes, code prefixes, rule names, aliases (hadolint ``DL3009``, BuildKit
check names) and ``ALL``, read by the engine's catalogue. Codes of
catalogued rules this version does not implement yet (most hadolint codes)
are accepted, so an existing hadolint ignore list keeps loading; they select
nothing runnable and :attr:`Settings.warnings` says so.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping

import msgspec

from ..engine import SEVERITIES, SelectorError, catalogue, rule_by_code
from ..engine.catalogue import specificity, suggest
from ..patterns import lazy_pattern
from .errors import ConfigError
from .globs import anchor_glob, check_glob
from .selection import resolve_selector
from .versions import version_satisfies

__all__ = [
    "CONFIG_KEYS", "FAIL_ON_LEVELS", "FOREIGN_SUPPRESSION_DIALECTS", "NETWORK_MODES",
    "LABEL_TYPES", "NOT_AVAILABLE_YET", "OUTPUT_FORMATS", "SELECTION_KEYS", "SEVERITY_LEVELS", "ParseContext", "available_output_formats",
    "load_config_text",
    "nest", "parse_document", "parse_per_file_ignores", "parse_severity_overrides", "read_toml", "settings_table",
    "toml_key",
]

SEVERITY_LEVELS = SEVERITIES  # the engine's one ordered Severity, most severe first
FAIL_ON_LEVELS = (*SEVERITY_LEVELS, "none")
#: Every output format dfix plans; the reporter renders those of :func:`available_output_formats`.
OUTPUT_FORMATS = (
    "full", "concise", "grouped", "json", "json-lines", "hadolint-json", "sarif", "github", "gitlab", "junit",
    "checkstyle", "gnu", "pylint", "azure", "sonarqube",
)
FOREIGN_SUPPRESSION_DIALECTS = ("hadolint", "buildkit", "tally")
#: ``network = "required"`` (fail when a registry cannot be reached) is not available yet.
NETWORK_MODES = ("auto", "offline")

#: Keys dfix knows of but does not act on yet, refused rather than accepted and ignored: key -> the error.
NOT_AVAILABLE_YET = {
    "preview": "preview rules are not available yet",
    "trusted-registries": "the registry allow-list is an option of DF303 registry-not-allowed: "
    "[lint.rules.DF303] trusted-registries = [...]",
    "packages": "package pinning policy is not available yet",
    "pin": "this table is not available yet; base-image pinning is set with the options of DF300-DF302 "
    "([lint.rules.DF300] resolve, policy ...)",
}


class ParseContext(msgspec.Struct):
    """What a validator needs: where the text came from, how to name keys, and where notes go."""

    path: Path | None
    display: str
    #: Folder relative globs and paths are anchored at.
    base: Path
    #: ``"tool.dfix."`` for pyproject.toml, else ``""``.
    prefix: str
    warnings: list[str] = msgspec.field(default_factory=list)

    def error(self, key: str | None, message: str) -> ConfigError:
        return ConfigError(self.path, f"{self.prefix}{key}" if key else None, message, display=self.display)


_Validator = Callable[[Any, ParseContext, str], Any]


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


def _boolean(value: Any, ctx: ParseContext, key: str) -> bool:
    if not isinstance(value, bool):
        raise ctx.error(key, f"expected true or false, got {_got(value)}")
    return value


def _string(value: Any, ctx: ParseContext, key: str) -> str:
    if not isinstance(value, str):
        raise ctx.error(key, f"expected a string, got {_got(value)}")
    return value


def _choice(*options: str) -> _Validator:
    def check(value: Any, ctx: ParseContext, key: str) -> str:
        if not isinstance(value, str) or value not in options:
            hint = suggest(value, options) if isinstance(value, str) else ""
            raise ctx.error(key, f"expected one of {', '.join(options)}, got {_got(value)}{hint}")
        return value

    return check


def _strings(value: Any, ctx: ParseContext, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        raise ctx.error(key, f"expected an array of strings, got {_got(value)} (write [{json.dumps(value)}])")
    if not isinstance(value, (list, tuple)):
        raise ctx.error(key, f"expected an array of strings, got {_got(value)}")
    for item in value:
        if not isinstance(item, str):
            raise ctx.error(key, f"expected an array of strings, found {_got(item)}")
    return tuple(value)


def _check_selectors(selectors: Iterable[str], ctx: ParseContext, key: str) -> None:
    for selector in selectors:
        try:
            resolution = resolve_selector(selector)
        except SelectorError as error:
            raise ctx.error(key, str(error)) from None
        if resolution.planned and not resolution.implemented and specificity(selector) == 5:
            note = catalogue().unimplemented_note(selector) or f"{selector} is not implemented in this version of dfix"
            ctx.warnings.append(f"{ctx.display}: {ctx.prefix}{key}: {note}")


def _names(codes: Iterable[str]) -> str:
    """``DF230 apt-unpinned, ...``: codes with their catalogue names."""
    return ", ".join(f"{code} {catalogue().describe(code).name}" for code in sorted(codes))  # type: ignore[union-attr]


def _selectors(value: Any, ctx: ParseContext, key: str) -> tuple[str, ...]:
    selectors = _strings(value, ctx, key)
    _check_selectors(selectors, ctx, key)
    return selectors


def _globs(value: Any, ctx: ParseContext, key: str) -> tuple[str, ...]:
    patterns = _strings(value, ctx, key)
    anchored = []
    for pattern in patterns:
        if not pattern.strip():
            raise ctx.error(key, "empty glob")
        try:
            check_glob(pattern)
        except ValueError as error:
            raise ctx.error(key, f"invalid glob {pattern!r}: {error}") from None
        anchored.append(anchor_glob(pattern, ctx.base))
    return tuple(anchored)


def _regexes(value: Any, ctx: ParseContext, key: str) -> tuple[str, ...]:
    patterns = _strings(value, ctx, key)
    for pattern in patterns:
        try:
            re.compile(pattern)
        except re.error as error:
            raise ctx.error(key, f"invalid regular expression {pattern!r}: {error}") from None
    return patterns


def _include(value: Any, ctx: ParseContext, key: str) -> tuple[str, ...] | None:
    globs = _globs(value, ctx, key)
    return globs or None  # an empty list keeps the default names rather than finding nothing


def _foreign(value: Any, ctx: ParseContext, key: str) -> tuple[str, ...]:
    dialects = _strings(value, ctx, key)
    for dialect in dialects:
        if dialect not in FOREIGN_SUPPRESSION_DIALECTS:
            raise ctx.error(
                key, f"unknown suppression dialect {dialect!r}; expected some of "
                f"{', '.join(FOREIGN_SUPPRESSION_DIALECTS)}{suggest(dialect, FOREIGN_SUPPRESSION_DIALECTS)}"
            )
    return dialects


def _table(value: Any, ctx: ParseContext, key: str) -> dict:
    if not isinstance(value, dict):
        raise ctx.error(key, f"expected a table, got {_got(value)}")
    return value


def _severity_table(value: Any, ctx: ParseContext, key: str) -> tuple[tuple[str, str], ...]:
    """``((selector, level), ...)`` as written; resolved to codes when settings are built."""
    entries = []
    for selector, level in _table(value, ctx, key).items():
        entry_key = f"{key}.{toml_key(selector)}"
        if not isinstance(level, str) or level not in SEVERITY_LEVELS:
            hint = suggest(level, SEVERITY_LEVELS) if isinstance(level, str) else ""
            raise ctx.error(entry_key, f"expected one of {', '.join(SEVERITY_LEVELS)}, got {_got(level)}{hint}")
        _check_selectors([selector], ctx, entry_key)
        if "DF000" in resolve_selector(selector).implemented and specificity(selector) == 5 and level != "error":
            raise ctx.error(entry_key, "DF000 parse-error is always an error")
        entries.append((selector, level))
    return tuple(entries)


def _per_file_ignores(value: Any, ctx: ParseContext, key: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    entries = []
    for pattern, codes in _table(value, ctx, key).items():
        entry_key = f"{key}.{toml_key(pattern)}"
        if not pattern.strip():
            raise ctx.error(entry_key, "empty glob")
        try:
            check_glob(pattern)
        except ValueError as error:
            raise ctx.error(entry_key, f"invalid glob: {error}") from None
        entries.append((anchor_glob(pattern, ctx.base), _selectors(codes, ctx, entry_key)))
    return tuple(entries)


def _option_value(value: Any, default: Any, ctx: ParseContext, key: str) -> Any:
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


def _rules(value: Any, ctx: ParseContext, key: str) -> dict[str, dict[str, Any]]:
    result: dict[str, dict[str, Any]] = {}
    for selector, options in _table(value, ctx, key).items():
        entry_key = f"{key}.{toml_key(selector)}"
        try:
            resolution = resolve_selector(selector)
        except SelectorError as error:
            raise ctx.error(entry_key, str(error)) from None
        implemented = resolution.implemented & catalogue().implemented_codes
        planned = resolution.planned
        if len(implemented) != 1 or planned:
            if not implemented and planned:
                raise ctx.error(entry_key, f"{_names(planned)} is not implemented in this version of dfix and has no options")
            raise ctx.error(entry_key, f"names {len(implemented | planned)} rules; options belong to one rule (use its code)")
        code = next(iter(implemented))
        rule = rule_by_code(code)
        assert rule is not None
        table = _table(options, ctx, entry_key)
        checked = {}
        for option, option_value in table.items():
            option_key = f"{entry_key}.{toml_key(option)}"
            if option not in rule.options:
                if rule.options:
                    message = f"unknown option of {code} {rule.name}{suggest(option, rule.options)}; " \
                        f"its options are {', '.join(sorted(rule.options))}"
                else:
                    message = f"{code} {rule.name} has no options"
                raise ctx.error(option_key, message)
            checked[option] = _option_value(option_value, rule.options[option], ctx, option_key)
            problem = rule.option_problem(option, checked[option])
            if problem:
                raise ctx.error(option_key, problem)
        result.setdefault(code, {}).update(checked)
    return result


#: hadolint's label types (``label-schema``): what DF622 checks a label's value against.
LABEL_TYPES = ("text", "url", "semver", "hash", "rfc3339", "spdx", "email")


def _labels(value: Any, ctx: ParseContext, key: str) -> dict[str, Any]:
    """``[lint.labels]``: the label schema (hadolint's ``label-schema`` and ``strict-labels``) for DF620-DF622.

    ``required`` maps each label the final image must carry to its type,
    ``strict`` reports labels outside it, ``values`` gives DF620 the value
    to insert for a missing label.
    """
    table = _table(value, ctx, key)
    _reject_unknown(table, ("required", "strict", "values"), ctx, key)
    out: dict[str, Any] = {}
    if "required" in table:
        required = {}
        for label, kind in _table(table["required"], ctx, f"{key}.required").items():
            entry = f"{key}.required.{toml_key(label)}"
            if not label.strip():
                raise ctx.error(entry, "empty label name")
            if not isinstance(kind, str) or kind not in LABEL_TYPES:
                hint = suggest(kind, LABEL_TYPES) if isinstance(kind, str) else ""
                raise ctx.error(entry, f"expected one of {', '.join(LABEL_TYPES)}, got {_got(kind)}{hint}")
            required[label] = kind
        out["required"] = required
    if "strict" in table:
        out["strict"] = _boolean(table["strict"], ctx, f"{key}.strict")
    if "values" in table:
        values = {}
        required = out.get("required", {})
        for label, text in _table(table["values"], ctx, f"{key}.values").items():
            entry = f"{key}.values.{toml_key(label)}"
            if label not in required:
                raise ctx.error(entry, f"a value for a label that {key}.required does not list")
            values[label] = _string(text, ctx, entry)
        out["values"] = values
    return out


def _required_version(value: Any, ctx: ParseContext, key: str) -> str:
    from .._version import __version__

    text = _string(value, ctx, key)
    try:
        ok = version_satisfies(__version__, text)
    except ValueError as error:
        raise ctx.error(key, str(error)) from None
    if not ok:
        raise ctx.error(key, f"this is dfix {__version__}, which does not satisfy {text!r}")
    return text


def _cache_dir(value: Any, ctx: ParseContext, key: str) -> Path:
    text = _string(value, ctx, key)
    if not text.strip():
        raise ctx.error(key, "empty path")
    return Path(os.path.normpath(ctx.base / os.path.expanduser(text)))


_SIZE = lazy_pattern(r"\s*(\d+(?:\.\d+)?)\s*([kmg]i?b?|b)?\s*", re.IGNORECASE)
_SIZE_UNITS = {"": 1, "b": 1, "k": 1000, "kb": 1000, "kib": 1024, "m": 1000**2, "mb": 1000**2, "mib": 1024**2,
               "g": 1000**3, "gb": 1000**3, "gib": 1024**3}


def _size(value: Any, ctx: ParseContext, key: str) -> int:
    """A size in bytes: a whole number, or text with a unit (``"5 MiB"``, ``"800kB"``)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ctx.error(key, f"expected a size (bytes, or text such as \"5 MiB\"), got {type(value).__name__}")
    if isinstance(value, int):
        number = value
    else:
        match = _SIZE.fullmatch(value)
        if match is None or (match.group(2) or "").lower() not in _SIZE_UNITS:
            raise ctx.error(key, f"expected a size such as \"5 MiB\" or 5000000, got {value!r}")
        number = int(float(match.group(1)) * _SIZE_UNITS[(match.group(2) or "").lower()])
    if number <= 0:
        raise ctx.error(key, "must be more than 0")
    return number


def _seconds(value: Any, ctx: ParseContext, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value <= 0:
        raise ctx.error(key, f"expected a number of seconds above 0, got {value!r}")
    return float(value)


def _network(value: Any, ctx: ParseContext, key: str) -> str:
    if value == "required":
        raise ctx.error(key, '"required" (fail when a registry cannot be reached) is not available yet')
    return _choice(*NETWORK_MODES)(value, ctx, key)


def available_output_formats() -> tuple[str, ...]:
    """The formats the reporter renders (it is imported only when a configuration names a format)."""
    from ..report import FORMATS

    return FORMATS


def _output_format(value: Any, ctx: ParseContext, key: str) -> str:
    """One of the reporter's formats; a format dfix plans but cannot render yet is refused by name."""
    available = available_output_formats()
    if isinstance(value, str) and value in OUTPUT_FORMATS and value not in available:
        raise ctx.error(key, f"output format {value!r} is not available yet; use one of: {', '.join(available)}")
    return _choice(*available)(value, ctx, key)


def _subtable(schema: Mapping[str, _Validator]) -> _Validator:
    def check(value: Any, ctx: ParseContext, key: str) -> dict[str, Any]:
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
    "rules": _rules,
    "labels": _labels,
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
    "output-format": _output_format,
    "fail-on": _choice(*FAIL_ON_LEVELS),
    "unsafe-fixes": _boolean,
    "include-generated": _boolean,
    "max-file-size": _size,
    "fix-time-budget": _seconds,
    "generated-patterns": _regexes,
    "show-fixes": _boolean,
    "cache-dir": _cache_dir,
    "network": _network,
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

SELECTION_KEYS = ("select", "extend-select", "ignore", "extend-ignore", "fixable", "extend-fixable", "unfixable")


def _reject_unknown(table: Mapping[str, Any], known: Iterable[str], ctx: ParseContext, key: str) -> None:
    known = list(known)
    for name in table:
        if name not in known:
            raise ctx.error(f"{key}.{toml_key(name)}", "unknown key" + suggest(name, known, prefix=f"{ctx.prefix}{key}."))


def _not_available(written: str, name: str, ctx: ParseContext) -> ConfigError:
    return ctx.error(written, NOT_AVAILABLE_YET[name])


def _unknown_key(name: str, where: str | None, ctx: ParseContext) -> ConfigError:
    """The error for an unknown key at the top level (``where`` None) or in ``[lint]``."""
    full = f"lint.{name}" if where == "lint" else name
    if where == "lint":
        hint = suggest(name, _LINT_SCHEMA, prefix=f"{ctx.prefix}lint.")
        if not hint and name in _TOP_SCHEMA:
            hint = f" ({ctx.prefix}{name} belongs at the top level, not in the lint table)"
    else:
        candidates = [*_TOP_SCHEMA, "lint"]
        hint = suggest(name, candidates, prefix=ctx.prefix)
        if not hint:
            lint_hint = suggest(name, _LINT_SCHEMA, prefix=f"{ctx.prefix}lint.")
            hint = lint_hint
        if name == "tool" and not ctx.prefix:
            hint = " (in .dfix.toml and dfix.toml the settings sit at the top level, without [tool.dfix])"
    return ctx.error(full, "unknown key" + hint)


def parse_document(data: Mapping[str, Any], ctx: ParseContext) -> dict[str, Any]:
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
                written = f"lint.{toml_key(lint_name)}"
                if lint_name in NOT_AVAILABLE_YET:
                    raise _not_available(written, lint_name, ctx)
                if lint_name not in _LINT_SCHEMA:
                    raise _unknown_key(lint_name, "lint", ctx)
                put(lint_name, written, _LINT_SCHEMA[lint_name](lint_value, ctx, written))
        elif name in NOT_AVAILABLE_YET:
            raise _not_available(toml_key(name), name, ctx)
        elif name in _TOP_SCHEMA:
            put(name, name, _TOP_SCHEMA[name](value, ctx, name))
        elif name in _LINT_SCHEMA:
            put(name, name, _LINT_SCHEMA[name](value, ctx, name))
        else:
            raise _unknown_key(name, None, ctx)
    return values


def read_toml(path: Path, display: str) -> dict[str, Any]:
    import tomllib  # only a run that finds a configuration file reads TOML

    try:
        with open(path, "rb") as handle:
            return tomllib.load(handle)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, None, f"invalid TOML: {error}", display=display) from None
    except UnicodeDecodeError as error:
        raise ConfigError(path, None, f"invalid TOML: not UTF-8 ({error.reason})", display=display) from None
    except OSError as error:
        raise ConfigError(path, None, f"cannot read: {error.strerror or error}", display=display) from None


def settings_table(data: dict[str, Any], path: Path, display: str) -> tuple[dict[str, Any] | None, str]:
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
    import tomllib

    path = Path(path)
    display = str(path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(path, None, f"invalid TOML: {error}", display=display) from None
    table, prefix = settings_table(data, path, display)
    if table is None:
        raise ConfigError(path, None, "has no [tool.dfix] table", display=display)
    ctx = ParseContext(path, display, base or Path(os.path.abspath(path)).parent, prefix)
    return parse_document(table, ctx)


# -- command-line helpers -----------------------------------------------------------


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


def nest(overrides: Mapping[str, Any]) -> dict[str, Any]:
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

def toml_key(key: str) -> str:
    """A key as TOML spells it: bare when possible, else quoted."""
    if re.fullmatch(r"[A-Za-z0-9_-]+", key):
        return key
    return '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'

