"""``dfix init [--from-hadolint]``: write ``.dfix.toml``, converting a ``.hadolint.yaml`` (ux.md §5).

Mapping:

* ``ignored`` -> ``lint.ignore`` (DL and SC codes are accepted aliases, kept as written);
* ``override.error|warning|info|style`` -> ``lint.severity``;
* ``failure-threshold`` -> ``fail-on`` (hadolint's ``ignore``, its lowest level, -> ``style``);
* ``format`` -> ``output-format`` (``tty`` -> ``full``, ``gitlab_codeclimate`` -> ``gitlab``,
  others by name when dfix has that format);
* ``disable-ignore-pragma`` -> ``lint.honor-suppressions = false``;
* ``trustedRegistries`` -> ``[lint.rules.DF303] trusted-registries`` (registry-not-allowed's allow-list);
* ``label-schema`` -> ``lint.labels.required`` (the same label types), ``strict-labels`` ->
  ``lint.labels.strict`` (DF620-DF622);
* ``no-color`` / ``no-fail`` -> comments (colour and exit-zero are command-line choices);
* anything else -> a comment saying it was not converted.

The text produced always loads with dfix's own loader; codes dfix does not
know are left out with a comment rather than written and rejected later.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from .config import FAIL_ON_LEVELS, SEVERITY_LEVELS, ConfigError, available_output_formats, load_config_text
from .config.schema import LABEL_TYPES
from .engine import SelectorError, catalogue

__all__ = ["HADOLINT_CONFIG_NAMES", "convert_hadolint", "find_hadolint_config", "write_init"]

#: Looked for, in this order, next to where ``.dfix.toml`` is written.
HADOLINT_CONFIG_NAMES = (".hadolint.yaml", ".hadolint.yml", "hadolint.yaml", "hadolint.yml")

_FORMATS = {"tty": "full", "gitlab_codeclimate": "gitlab"}
_FORMAT_HINTS = {
    "codeclimate": "dfix writes GitLab's Code Climate subset as \"gitlab\"",
    "codacy": "dfix has no Codacy format; \"json\" carries the same fields",
}

_STARTER = """\
# dfix configuration. `dfix config --show-settings PATH` prints what applies to a file.
# Every key is validated: an unknown key or a bad value is an error.

fail-on = "warning"          # error | warning | info | style | none
# output-format = "full"
# extend-exclude = ["third_party/**"]

[lint]
# select = ["ALL"]           # codes, prefixes, rule names, hadolint codes (DL3009), BuildKit names
# ignore = []
# unfixable = []

# [lint.severity]
# DL3059 = "info"

# [lint.per-file-ignores]
# "**/Dockerfile.dev" = ["DF202"]

# [lint.labels]              # a label schema: DF620 label-missing, DF621 label-superfluous, DF622 label-value-invalid
# strict = false
# required = { "org.opencontainers.image.source" = "url", version = "semver" }
"""


# -- YAML -------------------------------------------------------------------------


def _load_yaml(text: str) -> Any:
    """The parsed document (PyYAML's safe loader); unreadable YAML is a ValueError with PyYAML's message."""
    import yaml

    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark, problem = getattr(error, "problem_mark", None), getattr(error, "problem", None)
        if mark is not None and problem:
            raise ValueError(f"line {mark.line + 1}, column {mark.column + 1}: {problem}") from None
        raise ValueError(" ".join(str(error).split())) from None


# -- TOML writing -------------------------------------------------------------------


def _toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def _toml_key(key: str) -> str:
    return key if re.fullmatch(r"[A-Za-z0-9_-]+", key) else _toml_string(key)


def _toml_array(values: list[str]) -> str:
    return "[" + ", ".join(_toml_string(value) for value in values) + "]"


def _comment(text: str) -> str:
    return "# " + " ".join(str(text).split())


def _shown(value: Any) -> str:
    try:
        return json.dumps(value, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return repr(value)


def _code_list(value: Any, key: str, notes: list[str]) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        notes.append(_comment(f"{key}: {_shown(value)} not converted: expected a list of rule codes"))
        return []
    codes = []
    for item in value:
        code = str(item).strip()
        try:
            catalogue().resolve_one(code)
        except SelectorError:
            notes.append(_comment(f"{key}: {code} not converted: dfix knows no rule with that code"))
            continue
        if code not in codes:
            codes.append(code)
    return codes


def _registry_list(value: Any, key: str, notes: list[str]) -> list[str] | None:
    """hadolint's ``trustedRegistries`` (a list of hosts, or one host) as DF303's ``trusted-registries``."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(item, (str, int, float)) for item in value):
        notes.append(_comment(f"{key}: {_shown(value)} not converted: expected a list of registries"))
        return None
    registries = []
    for item in value:
        entry = str(item).strip()
        if entry and entry not in registries:
            registries.append(entry)
    return registries


def convert_hadolint(yaml_text: str) -> str:
    """``.dfix.toml`` text equivalent to a hadolint configuration. Raises ValueError for unreadable YAML."""
    data = _load_yaml(yaml_text)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ValueError(f"a hadolint configuration is a mapping, got {type(data).__name__}")

    top: list[str] = []
    lint: list[str] = []
    notes: list[str] = []
    lint_notes: list[str] = []
    severity: dict[str, str] = {}
    trusted: list[str] | None = None
    labels: dict[str, str] = {}
    strict: bool | None = None

    for key, value in data.items():
        if key == "ignored":
            codes = _code_list(value, "ignored", lint_notes)
            if codes:
                lint.append(f"ignore = {_toml_array(codes)}")
        elif key == "override":
            if not isinstance(value, dict):
                notes.append(_comment(f"override: {_shown(value)} not converted: expected a mapping of levels"))
                continue
            for level, codes in value.items():
                if level not in SEVERITY_LEVELS:
                    lint_notes.append(_comment(f"override.{level} not converted: dfix levels are {', '.join(SEVERITY_LEVELS)}"))
                    continue
                for code in _code_list(codes, f"override.{level}", lint_notes):
                    if code in severity and severity[code] != level:
                        lint_notes.append(_comment(
                            f"override: {code} is listed as {severity[code]} and {level}; {level} (listed later) kept"
                        ))
                    severity[code] = level
        elif key == "failure-threshold":
            level = str(value).strip().lower() if value is not None else ""
            if level == "ignore":
                top.append('fail-on = "style"  # hadolint "ignore": fail on findings of every level')
            elif level in FAIL_ON_LEVELS:
                top.append(f"fail-on = {_toml_string(level)}")
            else:
                notes.append(_comment(f"failure-threshold: {_shown(value)} not converted: expected one of {', '.join(FAIL_ON_LEVELS)}"))
        elif key == "format":
            name = str(value).strip().lower() if value is not None else ""
            converted = _FORMATS.get(name, name)
            if converted in available_output_formats():
                top.append(f"output-format = {_toml_string(converted)}")
            else:
                hint = _FORMAT_HINTS.get(name, f"dfix formats are {', '.join(available_output_formats())}")
                notes.append(_comment(f"format: {_shown(value)} not converted: {hint}"))
        elif key == "no-color":
            if value:
                notes.append("# no-color: true -> colour is a command-line choice: `dfix --color never` (or NO_COLOR=1)")
        elif key == "no-fail":
            if value:
                notes.append("# no-fail: true -> use `dfix --exit-zero` where findings must not fail the run")
        elif key == "label-schema":
            labels.update(_label_schema(value, lint_notes))
        elif key == "strict-labels":
            if isinstance(value, bool):
                strict = value
            elif value is not None:
                lint_notes.append(_comment(f"strict-labels: {_shown(value)} not converted: expected true or false"))
        elif key == "disable-ignore-pragma":
            if value is True:
                lint.append("honor-suppressions = false")
            elif value is not False and value is not None:
                lint_notes.append(_comment(f"disable-ignore-pragma: {_shown(value)} not converted: expected true or false"))
        elif key in ("trustedRegistries", "trusted-registries"):
            trusted = _registry_list(value, key, lint_notes)
        else:
            notes.append(_comment(f"hadolint key {key!r} not converted (dfix has no equivalent): {_shown(value)}"))

    out = ["# Converted from a hadolint configuration by `dfix init --from-hadolint`.", ""]
    out += top
    if notes:
        out += ([""] if top else []) + notes
    out += ["", "[lint]", *lint, *lint_notes]
    if severity:
        out += ["", "[lint.severity]"] + [f"{_toml_key(code)} = {_toml_string(level)}" for code, level in severity.items()]
    if trusted:
        out += ["", "[lint.rules.DF303]  # registry-not-allowed (hadolint DL3026)", f"trusted-registries = {_toml_array(trusted)}"]
    if labels or strict:
        out += ["", "[lint.labels]                # DF620 label-missing, DF621 label-superfluous, DF622 label-value-invalid"]
        if strict is not None:
            out.append(f"strict = {'true' if strict else 'false'}")
        if labels:
            out += ["", "[lint.labels.required]"] + [f"{_toml_key(label)} = {_toml_string(kind)}" for label, kind in labels.items()]
    return "\n".join(out).rstrip() + "\n"


def _label_schema(value: Any, notes: list[str]) -> dict[str, str]:
    """hadolint's ``label-schema`` (label -> type) as dfix's ``lint.labels.required``; bad entries become comments."""
    if not isinstance(value, dict):
        notes.append(_comment(f"label-schema: {_shown(value)} not converted: expected a mapping of labels to types"))
        return {}
    schema = {}
    for label, kind in value.items():
        name, kind_text = str(label).strip(), str(kind).strip().lower() if kind is not None else ""
        if not name:
            notes.append(_comment("label-schema: an empty label name is not converted"))
        elif kind_text not in LABEL_TYPES:
            notes.append(_comment(
                f"label-schema: {name}: {_shown(kind)} not converted: label types are {', '.join(LABEL_TYPES)}"
            ))
        else:
            schema[name] = kind_text
    return schema


# -- dfix init -------------------------------------------------------------------------


def find_hadolint_config(folder: Path) -> Path | None:
    """The hadolint configuration next to ``folder``'s files, if any (``.hadolint.yaml`` first)."""
    for name in HADOLINT_CONFIG_NAMES:
        candidate = folder / name
        if candidate.is_file():
            return candidate
    return None


def write_init(path: Path, *, from_hadolint: Path | None = None) -> Path:
    """Write ``.dfix.toml`` (``path`` is its folder, or the file itself); the path written.

    With ``from_hadolint`` the content is converted from that hadolint file,
    else a commented starter. Refuses to overwrite an existing file and
    checks the text with the loader before writing (both :class:`ConfigError`).
    """
    path = Path(path)
    target = path if path.suffix == ".toml" else path / ".dfix.toml"
    if target.name == "pyproject.toml":
        raise ConfigError(target, None, "dfix init writes .dfix.toml or dfix.toml; add a [tool.dfix] table by hand")
    if target.exists():
        raise ConfigError(target, None, "already exists; not overwritten (remove it first)")
    if from_hadolint is not None:
        try:
            yaml_text = Path(from_hadolint).read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(Path(from_hadolint), None, f"cannot read: {error.strerror or error}") from None
        try:
            text = convert_hadolint(yaml_text)
        except ValueError as error:
            raise ConfigError(Path(from_hadolint), None, f"not a hadolint configuration: {error}") from None
    else:
        text = _STARTER
    load_config_text(text, target)  # the file must load as written
    target.parent.mkdir(parents=True, exist_ok=True)
    with open(target, "x", encoding="utf-8") as handle:  # "x": never clobber a file created meanwhile
        handle.write(text)
    return target

