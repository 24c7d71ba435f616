"""The rule catalogue: every rule dfix has or plans, and the one reading of a rule selector.

A configuration may name a rule this version does not implement yet (most
hadolint codes, BuildKit check names): an existing hadolint ignore list must
keep loading. So the catalogue lists the planned rules next to the
implemented ones, as data. For an implemented rule the rule class is the
authority; its row here must agree with it (name, aliases), which
``tests/engine/test_catalogue.py`` checks, so the two cannot drift apart.

Selectors (``select``, ``ignore``, suppression comments, ``dfix rule``) are
codes, code prefixes (``DF2``), rule names, aliases (hadolint ``DL3009``,
BuildKit ``JSONArgsRecommended``) and ``ALL``; :meth:`Catalogue.resolve`
is the one place that reads them.
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import TYPE_CHECKING, Callable, Iterable, Sequence

import msgspec

from ..errors import DfixError
from ..patterns import lazy_pattern

if TYPE_CHECKING:  # pragma: no cover
    from .rule import Rule

__all__ = [
    "ENTRIES", "NO_RULE", "SHELLCHECK_CODE", "Catalogue", "Entry", "Resolution", "SelectorError", "disagreements",
    "specificity", "suggest",
]


class SelectorError(DfixError, ValueError):
    """A ``--select``/``--ignore`` entry (or a configuration's) that names no rule."""


class Entry(msgspec.Struct, frozen=True):
    """One catalogued rule."""

    code: str
    name: str
    #: Other tools' codes for the same finding (hadolint ``DL3009``, BuildKit check names ...).
    aliases: tuple[str, ...] = ()
    #: Whether this version has the rule (a class in the rule packages).
    implemented: bool = False
    #: One line: what the rule finds (for an implemented rule, its class's own summary).
    summary: str = ""

    def matches(self, selector: str) -> bool:
        """Named by ``selector``: its code or a code prefix (``DF2``), its name, or an alias (``ALL`` is the caller's)."""
        key = selector.strip()
        upper = key.upper()
        if _DF_PREFIX.fullmatch(key) and self.code.startswith(upper):
            return True
        return key.lower() == self.name or any(upper == alias.upper() for alias in self.aliases)

    def named_by(self, key: str) -> bool:
        """Named exactly: its code, its name or an alias (no prefix)."""
        key = key.strip()
        return key.upper() == self.code or key.lower() == self.name or any(key.upper() == a.upper() for a in self.aliases)


IMPLEMENTED, PLANNED = True, False

#: Every catalogued rule, by code: the meta codes (DF000-DF004) and the design catalogue's rules.
#: Aliases are hadolint codes and BuildKit check names (and, where a rule names them, other tools' ids).
ENTRIES: tuple[Entry, ...] = (
    Entry("DF000", "parse-error", ("DL1000",), IMPLEMENTED),
    Entry("DF001", "unused-suppression", (), IMPLEMENTED),
    Entry("DF002", "blanket-suppression", (), IMPLEMENTED),
    Entry("DF003", "unknown-suppression-code", (), IMPLEMENTED),
    Entry("DF004", "registry-unreachable", (), IMPLEMENTED),
    Entry("DF100", "consecutive-run", ("DL3059",), IMPLEMENTED),
    Entry("DF101", "cleanup-in-later-layer", (), IMPLEMENTED),
    Entry("DF102", "copy-context-before-deps", (), IMPLEMENTED),
    Entry("DF103", "permission-change-in-separate-layer", (), IMPLEMENTED),
    Entry("DF104", "useradd-without-no-log-init", ("DL3046",), IMPLEMENTED),
    Entry("DF105", "copy-then-extract", ("DL3010",), IMPLEMENTED),
    Entry("DF106", "cleanup-inside-cache-mount", (), IMPLEMENTED),
    Entry("DF107", "run-without-lasting-effect", (), IMPLEMENTED),
    Entry("DF200", "apt-lists-not-removed", ("DL3009",), IMPLEMENTED),
    Entry("DF201", "apt-get-missing-yes", ("DL3014",), IMPLEMENTED),
    Entry("DF202", "apt-no-install-recommends", ("DL3015",), IMPLEMENTED),
    Entry("DF203", "apt-instead-of-apt-get", ("DL3027",), IMPLEMENTED),
    Entry("DF204", "update-without-install", ("CKV_DOCKER_5", "DS-0017"), IMPLEMENTED),
    Entry("DF205", "install-without-update", (), IMPLEMENTED),
    Entry("DF206", "package-upgrade", ("DL3005", "DL3017", "DL3031", "DL3039"), IMPLEMENTED),
    Entry("DF207", "dist-upgrade", ("DL3035",), IMPLEMENTED),
    Entry("DF208", "unnecessary-packages", (), PLANNED,
          "tools an image rarely needs installed (editors, debuggers, sudo, ssh)"),
    Entry("DF209", "weak-deps-installed", (), PLANNED, "dnf/microdnf installs weak dependencies"),
    Entry("DF210", "apk-no-cache", ("DL3019",), IMPLEMENTED),
    Entry("DF211", "rpm-missing-assume-yes", ("DL3030", "DL3038"), IMPLEMENTED),
    Entry("DF212", "rpm-cache-not-cleaned", ("DL3032", "DL3040"), IMPLEMENTED),
    Entry("DF213", "zypper-non-interactive", ("DL3034",), IMPLEMENTED),
    Entry("DF214", "zypper-cache-not-cleaned", ("DL3036",), IMPLEMENTED),
    Entry("DF220", "pip-no-cache-dir", ("DL3042",), IMPLEMENTED),
    Entry("DF221", "js-package-cache-left", ("DL3060",), IMPLEMENTED),
    Entry("DF222", "gem-docs-generated", (), PLANNED, "`gem install` also installs documentation"),
    Entry("DF230", "apt-unpinned", ("DL3008",), IMPLEMENTED),
    Entry("DF231", "apk-unpinned", ("DL3018",), IMPLEMENTED),
    Entry("DF232", "rpm-unpinned", ("DL3033", "DL3041"), IMPLEMENTED),
    Entry("DF233", "zypper-unpinned", ("DL3037",), IMPLEMENTED),
    Entry("DF234", "pip-unpinned", ("DL3013",), IMPLEMENTED),
    Entry("DF235", "js-unpinned", ("DL3016",), IMPLEMENTED),
    Entry("DF236", "gem-unpinned", ("DL3028",), IMPLEMENTED),
    Entry("DF237", "go-unpinned", ("DL3062",), IMPLEMENTED),
    Entry("DF250", "wget-progress-noise", ("DL3047",), IMPLEMENTED),
    Entry("DF251", "curl-and-wget", ("DL4001",), IMPLEMENTED),
    Entry("DF252", "curl-without-fail", (), IMPLEMENTED),
    Entry("DF300", "base-image-untagged", ("DL3006",), IMPLEMENTED),
    Entry("DF301", "base-image-latest", ("DL3007",), IMPLEMENTED),
    Entry("DF302", "base-image-not-digest-pinned", (), IMPLEMENTED),
    Entry("DF303", "registry-not-allowed", ("DL3026",), IMPLEMENTED),
    Entry("DF304", "from-platform-constant", ("DL3029", "FromPlatformFlagConstDisallowed"), IMPLEMENTED),
    Entry("DF305", "redundant-target-platform", ("DL3065", "RedundantTargetPlatform"), IMPLEMENTED),
    Entry("DF306", "duplicate-stage-name", ("DL3024", "DuplicateStageName"), IMPLEMENTED),
    Entry("DF307", "reserved-stage-name", ("DL3063", "ReservedStageName"), IMPLEMENTED),
    Entry("DF308", "stage-name-casing", ("StageNameCasing",), IMPLEMENTED),
    Entry("DF309", "copy-from-undefined-stage", ("DL3022",), IMPLEMENTED),
    Entry("DF310", "copy-from-current-stage", ("DL3023",), IMPLEMENTED),
    Entry("DF311", "copy-whole-filesystem", ("DL3067",), IMPLEMENTED),
    Entry("DF312", "undefined-arg-in-from", ("UndefinedArgInFrom",), IMPLEMENTED),
    Entry("DF313", "invalid-default-arg-in-from", ("InvalidDefaultArgInFrom",), IMPLEMENTED),
    Entry("DF314", "build-toolchain-in-final-stage", (), PLANNED, "compilers or build steps left in the final image"),
    Entry("DF315", "unused-stage", (), PLANNED, "a stage no other stage uses"),
    Entry("DF316", "alpine-musl-caution", (), PLANNED, "an Alpine base where musl may behave differently from glibc"),
    Entry("DF400", "no-user", (), IMPLEMENTED),
    Entry("DF401", "last-user-root", ("DL3002",), IMPLEMENTED),
    Entry("DF402", "user-not-numeric", ("DL3066",), IMPLEMENTED),
    Entry("DF403", "sudo-in-run", ("DL3004",), IMPLEMENTED),
    Entry("DF404", "ssh-server-in-image", (), PLANNED, "an SSH server installed or started in the image"),
    Entry("DF405", "default-password", (), PLANNED, "a password set in the image"),
    Entry("DF406", "docker-socket-exposed", (), PLANNED, "the Docker socket exposed to the container"),
    Entry("DF407", "insecure-build-entitlement", (), PLANNED, "`RUN --security=insecure` turns the build sandbox off"),
    Entry("DF408", "workdir-in-system-dir", (), PLANNED, "`WORKDIR` in a system folder"),
    Entry("DF409", "package-signature-check-disabled", (), IMPLEMENTED),
    Entry("DF410", "tls-verification-disabled", (), IMPLEMENTED),
    Entry("DF411", "pip-extra-index-url", (), PLANNED, "`pip --extra-index-url` lets another index supply packages"),
    Entry("DF412", "remote-script-piped-to-shell", (), PLANNED, "a remote script piped into a shell"),
    Entry("DF413", "add-remote-without-checksum", (), PLANNED, "`ADD` from a URL without `--checksum`"),
    Entry("DF414", "world-writable-permissions", (), PLANNED, "world-writable permissions"),
    Entry("DF500", "secret-named-arg-env", ("DL3064", "SecretsUsedInArgOrEnv"), IMPLEMENTED),
    Entry("DF501", "hardcoded-secret-value", (), PLANNED, "a secret value written into the Dockerfile"),
    Entry("DF502", "secret-file-in-image", (), PLANNED, "a key or credentials file copied into the image"),
    Entry("DF503", "credentials-in-command", (), PLANNED, "credentials written in a RUN command"),
    Entry("DF600", "shell-form-cmd-entrypoint", ("DL3025", "JSONArgsRecommended"), IMPLEMENTED),
    Entry("DF601", "maintainer-deprecated", ("DL4000", "MaintainerDeprecated"), IMPLEMENTED),
    Entry("DF602", "legacy-key-value", ("LegacyKeyValueFormat",), IMPLEMENTED),
    Entry("DF603", "workdir-relative", ("DL3000", "WorkdirRelativePath"), IMPLEMENTED),
    Entry("DF604", "copy-relative-dest-no-workdir", ("DL3045",), IMPLEMENTED),
    Entry("DF605", "cd-in-run", ("DL3003",), IMPLEMENTED),
    Entry("DF606", "add-instead-of-copy", ("DL3020",), IMPLEMENTED),
    Entry("DF607", "copy-multi-source-dest-slash", ("DL3021",), IMPLEMENTED),
    Entry("DF608", "instruction-casing", ("ConsistentInstructionCasing",), IMPLEMENTED),
    Entry("DF609", "from-as-casing", ("FromAsCasing",), IMPLEMENTED),
    Entry("DF610", "empty-continuation-line", ("NoEmptyContinuation",), IMPLEMENTED),
    Entry("DF611", "expose-proto-casing", ("ExposeProtoCasing",), IMPLEMENTED),
    Entry("DF612", "expose-host-mapping", ("ExposeInvalidFormat",), IMPLEMENTED),
    Entry("DF613", "expose-port-out-of-range", ("DL3011",), IMPLEMENTED),
    Entry("DF614", "duplicate-singleton-instruction", ("DL3012", "DL4003", "DL4004", "MultipleInstructionsDisallowed"), IMPLEMENTED),
    Entry("DF615", "env-self-reference", ("DL3044",), IMPLEMENTED),
    Entry("DF616", "undefined-variable", ("UndefinedVar",), IMPLEMENTED),
    Entry("DF617", "global-arg-not-redeclared", (), IMPLEMENTED),
    Entry("DF618", "onbuild-invalid-trigger", ("DL3043",), IMPLEMENTED),
    Entry("DF619", "instruction-before-from", ("DL3061",), IMPLEMENTED),
    Entry("DF620", "label-missing", ("DL3049",), IMPLEMENTED),
    Entry("DF621", "label-superfluous", ("DL3050",), IMPLEMENTED),
    Entry("DF622", "label-value-invalid", ("DL3048", "DL3051", "DL3052", "DL3053", "DL3054", "DL3055", "DL3056", "DL3058"),
          IMPLEMENTED),
    Entry("DF623", "variable-in-exec-form", (), IMPLEMENTED),
    Entry("DF624", "sort-package-list", (), IMPLEMENTED),
    Entry("DF625", "continuation-style", (), IMPLEMENTED),
    Entry("DF626", "misleading-description-comment", ("InvalidDefinitionDescription",), IMPLEMENTED),
    Entry("DF627", "bin-sh-replaced", ("DL4005",), IMPLEMENTED),
    Entry("DF628", "pipe-without-pipefail", ("DL4006",), IMPLEMENTED),
    Entry("DF629", "shellcheck", (), IMPLEMENTED),
    Entry("DF630", "misplaced-parser-directive", (), IMPLEMENTED),
    Entry("DF631", "instruction-in-continuation", (), IMPLEMENTED),
    Entry("DF700", "multiple-services", (), PLANNED, "one container runs several services"),
    Entry("DF701", "wrapper-without-exec", (), PLANNED, "a wrapper script that does not `exec` its command"),
    Entry("DF702", "missing-healthcheck", ("DL3057",), IMPLEMENTED),
    Entry("DF703", "pointless-command", ("DL3001",), IMPLEMENTED),
    Entry("DF704", "expose-missing", (), PLANNED, "a port the command listens on is not exposed"),
    Entry("DF705", "state-without-volume", (), PLANNED, "state written outside a declared volume"),
    Entry("DF706", "persistent-debian-frontend", (), PLANNED, "`DEBIAN_FRONTEND=noninteractive` left set in the image"),
    Entry("DF800", "jvm-fixed-heap", (), PLANNED, "a fixed JVM heap size ignores the container's memory limit"),
    Entry("DF801", "jvm-obsolete-cgroup-flag", (), PLANNED, "an obsolete JVM cgroup flag"),
    Entry("DF802", "jvm-container-support-disabled", (), PLANNED, "JVM container support turned off"),
    Entry("DF803", "jvm-legacy-container-blind", (), PLANNED, "a JDK 8 too old to see the container's limits"),
    Entry("DF804", "jvm-exit-on-oom", (), PLANNED, "the JVM keeps running after running out of memory"),
    Entry("DF805", "jvm-heapdump-ephemeral", (), PLANNED, "JVM heap dumps written inside the container"),
    Entry("DF830", "python-unbuffered", (), PLANNED, "Python output buffered in the container"),
    Entry("DF831", "python-bytecode-writes", (), PLANNED, "Python writes bytecode files at run time"),
    Entry("DF832", "gunicorn-worker-tmp-dir", (), PLANNED, "gunicorn's worker heartbeat files on a disk-backed folder"),
    Entry("DF833", "build-deps-not-removed", (), PLANNED, "build-only packages left after `pip install`"),
    Entry("DF860", "npm-install-with-lockfile", (), PLANNED, "`npm install` where `npm ci` keeps to the lock file"),
    Entry("DF861", "dev-deps-in-final-image", (), PLANNED, "development dependencies in the final image"),
    Entry("DF862", "package-manager-as-pid1", (), PLANNED, "a package manager runs as the container's main process"),
    Entry("DF880", "nginx-worker-processes-auto", (), PLANNED, "nginx `worker_processes auto` counts the host's CPUs"),
    Entry("DF881", "nginx-daemon-mode", (), PLANNED, "nginx started without `daemon off`"),
    Entry("DF900", "missing-dockerignore", (), PLANNED, "no `.dockerignore` next to a Dockerfile that copies broadly"),
    Entry("DF901", "dockerignore-gaps", (), PLANNED,
          "`.dockerignore` lets VCS folders, secrets or dependencies into the context"),
    Entry("DF902", "copy-ignored-file", ("CopyIgnoredFile",), IMPLEMENTED),
    Entry("DF903", "copy-missing-source", (), PLANNED, "a COPY/ADD source missing from the build context"),
)

_DF_PREFIX = lazy_pattern(r"DF\d{0,3}", re.IGNORECASE)
_SHELLCHECK = lazy_pattern(r"SC\d{4}", re.IGNORECASE)
#: The shape of a ShellCheck code a suppression may name (ShellCheck numbers its checks SC1000-SC3999).
SHELLCHECK_CODE = lazy_pattern(r"SC[1-3]\d{3}", re.IGNORECASE)
#: hadolint codes that name no rule, and why (dfix honours hadolint's pragmas rather than flag them).
NO_RULE: dict[str, str] = {
    "DL1001": "hadolint's check against its own ignore comments; dfix honours those comments instead, so no rule has it",
}
_NO_RULE = frozenset(NO_RULE)


def specificity(selector: str) -> int:
    """``ALL`` 0, ``DF`` 2 ... ``DF1`` 3 ... a full code, name or alias 5 (ruff's order of applying selectors)."""
    key = selector.strip()
    if key.upper() == "ALL":
        return 0
    if _DF_PREFIX.fullmatch(key):
        return len(key)
    return 5


def suggest(word: str, candidates: Iterable[str], *, prefix: str = "") -> str:
    """`` (did you mean X?)`` for the closest candidate, or nothing."""
    import difflib  # only a mistyped name needs it

    lowered = {candidate.lower(): candidate for candidate in candidates}
    found = difflib.get_close_matches(word.lower(), list(lowered), n=1, cutoff=0.6)
    return f" (did you mean {prefix}{lowered[found[0]]}?)" if found else ""


class Resolution(msgspec.Struct, frozen=True):
    """What one selector names."""

    #: Codes of rules this version runs; ShellCheck codes (``SC2086``) resolve to themselves here.
    implemented: frozenset[str]
    #: Codes of catalogued rules this version does not implement yet.
    planned: frozenset[str]


class Catalogue:
    """The catalogue as one run sees it: the implemented rules' classes, and the planned rules' rows."""

    def __init__(
        self,
        rules: Sequence[type[Rule]],
        entries: Sequence[Entry] = ENTRIES,
        *,
        implemented_rows: Iterable[str] = (),
        rule_by_code: "Callable[[str], type[Rule] | None] | None" = None,
    ) -> None:
        """``rules``: the implemented rules' classes; or, for rules not imported yet, ``implemented_rows``.

        ``implemented_rows`` names codes whose rows (name, aliases) stand for
        their classes until :meth:`describe` asks for a summary, which
        ``rule_by_code`` then loads. The rows and the classes agree
        (``tests/engine/test_catalogue.py``), so selectors resolve the same.
        """
        self.rules = tuple(rules)
        self._rule_by_code = rule_by_code
        implemented = {
            rule.code: Entry(rule.code, rule.name, tuple(rule.aliases), IMPLEMENTED, rule.summary) for rule in self.rules
        }
        rows = {entry.code: entry for entry in entries}
        for code in implemented_rows:
            if code not in implemented:
                implemented[code] = msgspec.structs.replace(rows[code], implemented=IMPLEMENTED)
        planned = {entry.code: msgspec.structs.replace(entry, implemented=PLANNED) for entry in entries if entry.code not in implemented}
        merged = {**planned, **implemented}
        self.entries: tuple[Entry, ...] = tuple(merged[code] for code in sorted(merged))
        self._by_code = {entry.code: entry for entry in self.entries}
        self._resolved: dict[str, Resolution] = {}
        #: Codes whose entry already holds its class's own summary.
        self._summarised: set[str] = set()

    @cached_property
    def implemented_codes(self) -> frozenset[str]:
        return frozenset(entry.code for entry in self.entries if entry.implemented)

    def describe(self, code: str) -> Entry | None:
        """The entry of a code (``DF200``), implemented or planned; None when no rule has it."""
        key = code.strip().upper()
        entry = self._by_code.get(key)
        if entry is not None and entry.implemented and self._rule_by_code is not None and key not in self._summarised:
            rule = self._rule_by_code(key)
            if rule is not None:  # the class's own summary, as for classes given up front
                entry = self._by_code[key] = Entry(rule.code, rule.name, tuple(rule.aliases), IMPLEMENTED, rule.summary)
                self._summarised.add(key)
        return entry

    def find(self, key: str) -> Entry | None:
        """The entry named exactly by a code, name or alias (``DF200``, ``apt-lists-not-removed``, ``DL3009``)."""
        return next((entry for entry in self.entries if entry.named_by(key)), None)

    def matching(self, selector: str) -> frozenset[str]:
        """Codes of the implemented rules a code, prefix, name or alias names (no ``ALL``); empty when none."""
        return frozenset(entry.code for entry in self.entries if entry.implemented and entry.matches(selector))

    def resolve_one(self, selector: str) -> Resolution:
        """What one selector names; raises :class:`SelectorError` for one that names no catalogued rule."""
        cached = self._resolved.get(selector)
        if cached is None:
            cached = self._resolved[selector] = self._resolve(selector)
        return cached

    def resolve(self, selectors: Iterable[str]) -> Resolution:
        """What selectors name together; raises :class:`SelectorError` at the first that names nothing."""
        implemented: set[str] = set()
        planned: set[str] = set()
        for selector in selectors:
            resolution = self.resolve_one(selector)
            implemented |= resolution.implemented
            planned |= resolution.planned
        return Resolution(frozenset(implemented), frozenset(planned))

    def _resolve(self, selector: str) -> Resolution:
        key = selector.strip()
        if not key:
            raise SelectorError("empty rule selector")
        upper = key.upper()
        if upper == "ALL":
            return Resolution(self.implemented_codes, frozenset())
        if _SHELLCHECK.fullmatch(key):  # the ShellCheck extra filters its findings by them
            return Resolution(frozenset({upper}), frozenset())
        if upper in _NO_RULE:
            return Resolution(frozenset(), frozenset())
        named = self._named(key, upper)
        if not named:
            raise SelectorError(f"unknown rule selector {selector!r}{suggest(key, self.vocabulary)}")
        return Resolution(
            frozenset(entry.code for entry in named if entry.implemented),
            frozenset(entry.code for entry in named if not entry.implemented),
        )

    def suppressed_by(self, code: str) -> frozenset[str]:
        """What a code written in a suppression comment silences; empty when it names nothing dfix knows.

        Codes, prefixes, names and aliases of implemented *and* planned rules
        (a ``# hadolint ignore=DL3008`` written for hadolint silences DF230 the
        day dfix has it, and is no typo today), ShellCheck codes (themselves:
        ShellCheck's findings carry them), and hadolint codes that name no rule.
        """
        key = code.strip()
        upper = key.upper()
        if SHELLCHECK_CODE.fullmatch(key) or upper in _NO_RULE:
            return frozenset({upper})
        return frozenset(entry.code for entry in self.entries if entry.matches(key))

    def unimplemented_note(self, key: str) -> str | None:
        """What a selector names when it names no rule this version runs, in one sentence; None otherwise.

        ``dfix rule`` and ``--select`` both say it, so they cannot disagree
        about a hadolint code whose rule is planned.
        """
        key = key.strip()
        upper = key.upper()
        if upper in NO_RULE:
            return f"{upper} is {NO_RULE[upper]}"
        if SHELLCHECK_CODE.fullmatch(key):
            entry = self.find("DF629")
            if entry is None or entry.implemented:
                return None
            return f"{upper} (a ShellCheck code, reported by DF629 {entry.name}) is planned, not implemented in this version of dfix"
        try:
            resolution = self.resolve_one(key)
        except SelectorError:
            return None
        if resolution.implemented or not resolution.planned:
            return None
        rules = "; ".join(
            f"{code} {self._by_code[code].name}: {self._by_code[code].summary}" for code in sorted(resolution.planned)
        )
        return f"{key} ({rules}) is planned, not implemented in this version of dfix"
    def _named(self, key: str, upper: str) -> list[Entry]:
        """The entries :meth:`Entry.matches` ``key``, found through indexes rather than a scan of every entry."""
        codes: set[str] = set(self._by_name.get(key.lower(), ())) | set(self._by_alias.get(upper, ()))
        if _DF_PREFIX.fullmatch(key):
            codes |= {entry.code for entry in self.entries if entry.code.startswith(upper)}
        return [entry for entry in self.entries if entry.code in codes]

    @cached_property
    def _by_name(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for entry in self.entries:
            index.setdefault(entry.name, []).append(entry.code)
        return index

    @cached_property
    def _by_alias(self) -> dict[str, list[str]]:
        index: dict[str, list[str]] = {}
        for entry in self.entries:
            for alias in entry.aliases:
                index.setdefault(alias.upper(), []).append(entry.code)
        return index

    @cached_property
    def vocabulary(self) -> tuple[str, ...]:
        """Every word a selector may be: ``ALL``, codes, names, aliases (for "did you mean")."""
        words: list[str] = ["ALL"]
        for entry in self.entries:
            words += [entry.code, entry.name, *entry.aliases]
        return tuple(dict.fromkeys(words))


def disagreements(rules: Sequence[type[Rule]], entries: Sequence[Entry] = ENTRIES) -> list[str]:
    """Where the catalogue's rows and the rule classes disagree; empty when they agree.

    A rule class without a row, a row marked implemented without a class (or
    planned with one), and a name or aliases that differ between the two.
    """
    problems: list[str] = []
    rows = {entry.code: entry for entry in entries}
    if len(rows) != len(entries):
        duplicated = sorted({entry.code for entry in entries if sum(e.code == entry.code for e in entries) > 1})
        problems.append(f"codes listed twice: {', '.join(duplicated)}")
    classes = {rule.code: rule for rule in rules}
    for code in sorted(set(rows) | set(classes)):
        row, rule = rows.get(code), classes.get(code)
        if row is None:
            problems.append(f"{code} is implemented but not in the catalogue")
        elif rule is None:
            if row.implemented:
                problems.append(f"{code} is marked implemented but no rule class has that code")
        elif not row.implemented:
            problems.append(f"{code} is implemented but marked planned")
        else:
            if row.name != rule.name:
                problems.append(f"{code}: the catalogue names it {row.name!r}, its class {rule.name!r}")
            if tuple(row.aliases) != tuple(rule.aliases):
                problems.append(f"{code}: the catalogue's aliases {row.aliases} differ from its class's {tuple(rule.aliases)}")
            if row.summary and row.summary != rule.summary:
                problems.append(f"{code}: the catalogue's summary differs from its class's (leave it to the class)")
    return problems
