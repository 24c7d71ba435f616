"""``Settings``: the effective settings for one file, and how a file chain's values become them."""

from __future__ import annotations

import os
import posixpath
from pathlib import Path
from typing import Any, Iterable, Mapping

import msgspec

from ..dockerfile_names import is_dockerfile_name
from ..engine import Safety, all_rules, catalogue, owner_of
from ..engine.subcodes import remove_codes
from .globs import GlobSet
from .schema import FOREIGN_SUPPRESSION_DIALECTS, SELECTION_KEYS
from .selection import Selection, apply_layer, fix_safety_overrides, resolve_selectors, resolve_severity

__all__ = ["DEFAULT_BOT", "Settings", "build_settings", "default_settings", "merge"]

DEFAULT_BOT: dict[str, Any] = {
    "enabled": True, "branch": "dfix/autofix", "commit-message": None, "title": None, "labels": ("dfix",),
    "draft": False, "reviewers": (), "recreate-closed": False,
}

#: The largest real Dockerfiles are a few hundred kB; this only stops a runaway input (a log, a dump).
DEFAULT_MAX_FILE_SIZE = 10 * 1024 * 1024
#: Real files fix in milliseconds; a file still fixing after this many CPU seconds is left alone.
DEFAULT_FIX_TIME_BUDGET = 60.0

#: Keys whose values accumulate along an ``extend`` chain instead of replacing.
_ACCUMULATE = frozenset({
    "extend-select", "extend-ignore", "extend-fixable", "extend-include", "extend-exclude",
    "extend-per-file-ignores", "extend-safe-fixes", "extend-unsafe-fixes",
})
#: Tables merged key by key along an ``extend`` chain.
_MERGE = frozenset({"severity", "bot", "labels"})

#: The label schema (``[lint.labels]``) reaches the label rules as their options.
_LABEL_RULE_OPTIONS = {"DF620": ("required", "values"), "DF621": ("required", "strict"), "DF622": ("required",)}


class Settings(msgspec.Struct, frozen=True, eq=False, dict=True):
    """The effective settings for one file.

    Globs (``exclude``, ``include``, ``per_file_ignores`` ...) are already
    anchored: absolute ``/``-separated globs (see :func:`~dfix.config.globs.anchor_glob`).
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
    #: Rules whose unsafe fixes apply without ``--unsafe-fixes`` (see :meth:`fix_safety_overrides_for`).
    extend_safe_fixes: tuple[str, ...] = ()
    #: Rules whose safe fixes need ``--unsafe-fixes``.
    extend_unsafe_fixes: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    severity: dict[str, str] = msgspec.field(default_factory=dict)
    rule_options: dict[str, dict] = msgspec.field(default_factory=dict)
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    #: None: the default Dockerfile names of discovery (:func:`dfix.dockerfile_names.is_dockerfile_name`).
    include: tuple[str, ...] | None = None
    extend_include: tuple[str, ...] = ()
    respect_gitignore: bool = True
    force_exclude: bool = False
    output_format: str | None = None
    fail_on: str = "warning"
    unsafe_fixes: bool = False
    #: Write fixes into generated files and test fixtures (``include-generated``).
    include_generated: bool = False
    #: More regular expressions that mark a header line as "this file is generated".
    generated_patterns: tuple[str, ...] = ()
    #: Files larger than this (bytes) are reported and skipped, not read into a tree.
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    #: CPU seconds the fixes of one file may take; past that the file is left as it was.
    fix_time_budget: float = DEFAULT_FIX_TIME_BUDGET
    show_fixes: bool = False
    honor_suppressions: bool = True
    foreign_suppressions: tuple[str, ...] = FOREIGN_SUPPRESSION_DIALECTS
    cache_dir: Path | None = None
    network: str = "auto"
    bot: dict[str, Any] = msgspec.field(default_factory=lambda: dict(DEFAULT_BOT))
    #: Every config file that contributed, the ``extend`` chain from the root parent to ``source``.
    files: tuple[Path, ...] = ()
    #: The folder the settings' relative paths are anchored at (source's folder, or the CWD).
    root: Path = msgspec.field(default_factory=lambda: Path(os.path.abspath(os.getcwd())))
    #: The folder relative input paths resolve against.
    cwd: Path = msgspec.field(default_factory=lambda: Path(os.path.abspath(os.getcwd())))
    #: Notes worth showing with ``--verbose`` (e.g. selectors naming rules this version lacks).
    warnings: tuple[str, ...] = ()
    selection: tuple[Selection, ...] = ()

    def __post_init__(self) -> None:
        layers = self.selection or (Selection(
            self.select, self.extend_select, self.ignore, self.fixable, self.extend_fixable, self.unfixable,
        ),)
        # A layer with its own ``select`` starts afresh: the layers before it and the
        # default set do not matter, so ``--select DF200`` loads only DF200's rule.
        fresh = max((index for index, layer in enumerate(layers) if layer.select is not None), default=None)
        enabled: set[str] = set() if fresh is not None else {rule.code for rule in all_rules() if rule.default_enabled}
        fixable: set[str] = set(catalogue().implemented_codes)
        for index, layer in enumerate(layers):
            if fresh is None or index >= fresh:
                enabled = apply_layer(enabled, layer.select, layer.extend_select, layer.ignore)
            else:  # still refuse a selector that names nothing, as applying the layer would
                resolve_selectors((*(layer.select or ()), *layer.extend_select, *layer.ignore))
            fixable = apply_layer(fixable, layer.fixable, layer.extend_fixable, layer.unfixable)
        run = frozenset(enabled)
        # Derived once, beside the fields: frozen settings take no new attributes otherwise.
        self.__dict__.update(
            _run=run,
            _fix=frozenset(fixable) & run,
            _pfi=tuple((GlobSet((glob,)), resolve_selectors(codes)) for glob, codes in self.per_file_ignores),
            _exclude=GlobSet((*self.exclude, *self.extend_exclude)),
            _include=GlobSet(self.include or (), ignore_case=True),
            _extend_include=GlobSet(self.extend_include, ignore_case=True),
            _safety=fix_safety_overrides(self.extend_safe_fixes, self.extend_unsafe_fixes),
        )

    # -- per file -------------------------------------------------------------

    def _posix(self, path: Path | str) -> str:
        text = os.fspath(path)
        if not os.path.isabs(text):
            text = os.path.join(self.cwd, text)
        text = os.path.normpath(text)
        return text if os.sep == "/" else Path(text).as_posix()

    def rule_codes_for(self, path: Path | str) -> tuple[frozenset[str], frozenset[str]]:
        """``(codes to run, codes allowed to fix)`` for ``path``, after select/ignore/per-file-ignores/fixable.

        The sets hold codes of implemented rules (plus ShellCheck codes when
        selected by code); relative paths resolve against the current folder.
        A per-file-ignores glob that matches a folder covers the files inside it.
        """
        if not self._pfi:  # type: ignore[attr-defined]
            return self._run, self._fix  # type: ignore[attr-defined]
        posix = self._posix(path)
        ignored = frozenset().union(*(codes for globs, codes in self._pfi if globs.match(posix)))  # type: ignore[attr-defined]
        if not ignored:
            return self._run, self._fix  # type: ignore[attr-defined]
        remaining = set(self._run)  # type: ignore[attr-defined]
        remove_codes(remaining, ignored, owner_of)
        run = frozenset(remaining)
        return run, self._fix & run  # type: ignore[attr-defined]

    def fix_safety_overrides_for(self, path: Path | str) -> Mapping[str, Safety]:
        """``{code: safety}`` for the rules run on ``path`` whose fixes ``extend-safe-fixes``/``extend-unsafe-fixes`` re-rate.

        A fix of a rule mapped to ``Safety.SAFE`` applies without
        ``--unsafe-fixes``; one mapped to ``Safety.UNSAFE`` needs it. Rules
        not in the mapping keep their fixes' own safety, and a finding
        without a fix stays without one.
        """
        overrides: dict[str, Safety] = self._safety  # type: ignore[attr-defined]
        if not overrides:
            return {}
        run = self.rule_codes_for(path)[0]
        return {code: safety for code, safety in overrides.items() if code in run}

    def is_excluded(self, path: Path | str) -> bool:
        """Whether ``exclude``/``extend-exclude`` match ``path`` or a folder it lies in (gitignore semantics)."""
        return self._exclude.match(self._posix(path))  # type: ignore[attr-defined]

    def is_included(self, path: Path | str) -> bool:
        """Whether a file found while walking a folder is a Dockerfile to check (``include``/``extend-include``).

        Without ``include`` the default names of discovery apply
        (case-insensitive, templates/backups/docs skipped); ``extend-include``
        globs add to them.
        """
        posix = self._posix(path)
        if self._extend_include.match(posix):  # type: ignore[attr-defined]
            return True
        if self.include is None:
            return is_dockerfile_name(posixpath.basename(posix))
        return self._include.match(posix)  # type: ignore[attr-defined]

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
                return {f.name: plain(getattr(value, f.name)) for f in msgspec.structs.fields(value)}
            return value

        data = {f.name: plain(getattr(self, f.name)) for f in msgspec.structs.fields(self)}
        data["enabled"] = sorted(self._run)  # type: ignore[attr-defined]
        data["fixable_enabled"] = sorted(self._fix)  # type: ignore[attr-defined]
        return data


def _with_label_schema(rules: Mapping[str, Mapping[str, Any]], labels: Mapping[str, Any]) -> dict[str, dict]:
    """Per-rule options with the label schema given to DF620-DF622 (a rule's own option table wins)."""
    options = {code: dict(values) for code, values in rules.items()}
    for code, keys in _LABEL_RULE_OPTIONS.items():
        given = {key: labels[key] for key in keys if key in labels}
        if given:
            options[code] = {**given, **options.get(code, {})}
    return options


def default_settings(*, cwd: Path | None = None) -> Settings:
    """The settings when no configuration file applies."""
    folder = Path(os.path.abspath(cwd or os.getcwd()))
    return Settings(root=folder, cwd=folder)


def merge(parent: Mapping[str, Any], child: Mapping[str, Any]) -> dict[str, Any]:
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


def build_settings(
    file_values: Mapping[str, Any],
    override_values: Mapping[str, Any],
    *,
    source: Path | None,
    files: tuple[Path, ...],
    root: Path,
    cwd: Path,
    warnings: Iterable[str],
) -> Settings:
    """Settings from a file chain's merged values and the command line's (a second selection layer)."""
    layers = []
    file_selection = Selection.from_values(file_values)
    if file_values:
        layers.append(file_selection)
    override_selection = Selection.from_values(override_values)
    if any(key in override_values for key in SELECTION_KEYS):
        layers.append(override_selection)
    values = merge(
        {key: value for key, value in file_values.items() if key not in SELECTION_KEYS},
        {key: value for key, value in override_values.items() if key not in SELECTION_KEYS},
    )
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
        severity=resolve_severity(values.get("severity", ())),
        rule_options=_with_label_schema(values.get("rules", {}), values.get("labels", {})),
        exclude=values.get("exclude", ()),
        extend_exclude=values.get("extend-exclude", ()),
        include=values.get("include"),
        extend_include=values.get("extend-include", ()),
        respect_gitignore=values.get("respect-gitignore", True),
        force_exclude=values.get("force-exclude", False),
        output_format=values.get("output-format"),
        fail_on=values.get("fail-on", "warning"),
        unsafe_fixes=values.get("unsafe-fixes", False),
        include_generated=values.get("include-generated", False),
        generated_patterns=values.get("generated-patterns", ()),
        max_file_size=values.get("max-file-size", DEFAULT_MAX_FILE_SIZE),
        fix_time_budget=values.get("fix-time-budget", DEFAULT_FIX_TIME_BUDGET),
        show_fixes=values.get("show-fixes", False),
        honor_suppressions=values.get("honor-suppressions", True),
        foreign_suppressions=values.get("foreign-suppressions", FOREIGN_SUPPRESSION_DIALECTS),
        cache_dir=values.get("cache-dir"),
        network=values.get("network", "auto"),
        bot={**DEFAULT_BOT, **values.get("bot", {})},
        files=files,
        root=root,
        cwd=cwd,
        warnings=tuple(dict.fromkeys(warnings)),
        selection=tuple(layers),
    )
