"""What DF300, DF301 and DF302 share: finding base images, ARG defaults, resolving, rewriting.

Which ``FROM`` lines count: not ``scratch``, not an earlier stage's name
(compared case-insensitively, as BuildKit does), not a reference with
variables that cannot be evaluated. ``$NAME``/``${NAME}`` is evaluated when a
global ARG (before the first FROM) gives ``NAME`` a literal default (letters,
digits and ``._:/@+-`` only, no quotes, no other variables); ``${NAME:-x}``
forms, build-time ARGs without a default and BuildKit's platform ARGs are left
alone.

Options (the same for the three rules; each rule reads its own table):

``resolve`` (false)
    Ask the registry; without it the rules only report.
``policy`` ("tag")
    ``tag``: the most specific version tag sharing the floating tag's digest;
    ``digest``: ``image@sha256:…``; ``tag+digest``: ``image:tag@sha256:…``
    (keeping the written tag when no version tag shares the digest). DF302
    always keeps the written tag and adds the digest, unless ``digest``.
``floating-tags`` (["latest"])
    Tags DF301 treats as floating (``["latest", "lts", "stable"]``).
``insecure-registries`` ([])
    Hosts (``host`` or ``host:port``) reached over plain HTTP; every other
    registry is HTTPS only.
``offline`` (false; also ``DFIX_OFFLINE=1``)
    Answer from the on-disk cache only.
``cache-ttl`` (21600 s), ``cache-dir`` (``$DFIX_CACHE_DIR`` or the user cache folder)
    How long, and where, registry answers are kept.
``default-registry`` (Docker Hub)
    The host unqualified names (``python``) are looked up on (a mirror, a test registry).
``max-lookups`` (40), ``timeout`` (10 s)
    Digest comparisons spent looking for a version tag; seconds per request.

The fix replaces the image reference in the FROM line. When the reference
comes from an ARG default, the fix edits that default instead, and only when
doing so changes nothing else: exactly one global ARG declares the name, the
FROM uses exactly one variable, the name is referenced nowhere else in the
file and no stage re-declares it (a re-declared ARG reaches RUN scripts as an
environment variable). Otherwise the finding reports the evaluated reference
without a fix.

Registry problems never fail a run: the rule reports what it found without a
fix and adds a DF004 registry-unreachable notice saying what went wrong.
"""

from __future__ import annotations

import os
import re
from typing import TYPE_CHECKING, ClassVar, Iterator

import msgspec

from dfix.engine import Context, Diagnostic, Edit, Rule, Safety
from dfix.patterns import lazy_pattern
from dfix.registry import POLICIES, RegistryError
from dfix.syntax import Arg, From, ImageRef

from ._registry import unreachable_notice

if TYPE_CHECKING:  # the resolver is loaded only by a rule told to ask a registry
    from dfix.registry import Resolution, Resolver, ResolverSettings

_VARIABLE = lazy_pattern(r"\$(?:\{(?P<braced>[^}]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))")
_NAME = lazy_pattern(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_LITERAL = lazy_pattern(r"[A-Za-z0-9._:/@+-]+\Z")

PINNING_OPTIONS: dict[str, object] = {
    "resolve": False,
    "policy": "tag",
    "floating-tags": ["latest"],
    "insecure-registries": [],
    "offline": False,
    "cache-ttl": 21600,
    "cache-dir": None,
    "default-registry": None,
    "max-lookups": 40,
    "timeout": 10.0,
}


class BaseImage(msgspec.Struct, frozen=True):
    """A FROM line's base image, with variables evaluated."""

    from_: From
    #: The reference as evaluated (``python:latest``).
    text: str
    ref: ImageRef
    #: The ARG whose default supplied the reference's variable part, if any.
    variable: str | None = None
    #: Why a fix cannot be offered no matter what the registry says (None: it can).
    blocked: str | None = None
    #: The edit target: (start, end, prefix, suffix) — the replacement is prefix + X + suffix == pinned text.
    target: tuple[int, int, str, str] | None = None


def _global_args(context: Context) -> dict[str, list[tuple[Arg, str | None]]]:
    declared: dict[str, list[tuple[Arg, str | None]]] = {}
    for arg in context.tree.global_args:
        for name, default in arg.pairs:
            declared.setdefault(name, []).append((arg, default))
    return declared


def _stage_declares(context: Context, name: str) -> bool:
    for stage in context.tree.stages:
        for instruction in stage.instructions:
            if isinstance(instruction, Arg) and any(n == name for n, _ in instruction.pairs):
                return True
    return False


def base_images(context: Context) -> Iterator[BaseImage]:
    """Every FROM naming an image dfix can reason about (see the module docstring)."""
    declared = _global_args(context)
    stages: set[str] = set()
    for stage in context.tree.stages:
        from_ = stage.from_
        try:
            found = _base_image(context, from_, declared, stages)
            if found is not None:
                yield found
        finally:
            if stage.name:
                stages.add(stage.name.lower())


def _base_image(context: Context, from_: From, declared, stages: set[str]) -> BaseImage | None:
    image = from_.image
    if image is None or image.is_scratch:
        return None
    token = from_.image_token
    plain_token = token is not None and str(token) == image.text
    if not image.has_variables:
        if image.text.lower() in stages:
            return None
        target = (token.start_pos, token.end_pos, "", "") if plain_token else None
        blocked = None if plain_token else "the reference is quoted or split across lines"
        return BaseImage(from_, image.text, image, blocked=blocked, target=target)
    # evaluate $NAME / ${NAME} with global ARG defaults
    uses = list(_VARIABLE.finditer(image.text))
    names: list[str] = []
    for use in uses:
        name = use.group("plain") or use.group("braced") or ""
        if not _NAME.match(name):
            return None  # ${X:-default} and friends: not evaluated (G6)
        names.append(name)
    values: dict[str, str] = {}
    for name in names:
        entries = declared.get(name)
        if not entries or entries[-1][1] is None or not _LITERAL.match(entries[-1][1]):
            return None  # no literal default: only known at build time
        values[name] = entries[-1][1]
    text = _VARIABLE.sub(lambda m: values[m.group("plain") or m.group("braced")], image.text)
    if "$" in text or "\\" in text:
        return None
    if text.lower() in stages or text.lower() == "scratch":
        return None
    ref = ImageRef.parse(text)
    variable = names[0] if len(set(names)) == 1 else None
    blocked, target = None, None
    if len(uses) != 1:
        blocked = "the reference is built from several variables"
    elif not plain_token:
        blocked = "the reference is quoted or split across lines"
    else:
        name = names[0]
        entries = declared[name]
        mentions = len(re.findall(rf"\$(?:{name}(?![A-Za-z0-9_])|\{{{name}(?=[}}:]))", context.tree.code))
        arg, default = entries[-1]
        arg_token = next((t for t in arg.line_tokens if t.type == "WORD" and str(t) == f"{name}={default}"), None)
        if len(entries) != 1:
            blocked = f"ARG {name} is declared more than once"
        elif mentions != 1:
            blocked = f"ARG {name} is used elsewhere in the file, so changing its default would change more than this FROM"
        elif _stage_declares(context, name):
            blocked = f"a stage re-declares ARG {name}, so its default also reaches that stage's RUN commands"
        elif arg_token is None:
            blocked = f"ARG {name}'s default is not written as a plain NAME=value word"
        else:
            use = uses[0]
            start = arg_token.start_pos + len(name) + 1
            target = (start, arg_token.end_pos, image.text[: use.start()], image.text[use.end() :])
    return BaseImage(from_, text, ref, variable, blocked, target)


class PinningRule(Rule):
    """Base of DF300–DF302 (no code: not a rule by itself)."""

    safety = Safety.UNSAFE
    options: ClassVar[dict[str, object]] = dict(PINNING_OPTIONS)
    #: DF302 needs only the digest; DF300/DF301 also look for a version tag.
    finds_tag: ClassVar[bool] = True
    tags: ClassVar[frozenset[str]] = frozenset({"registry"})

    def __init_subclass__(cls, **kwargs: object) -> None:
        """A pinning rule that does not look for a tag only pins digests: tag it so."""
        super().__init_subclass__(**kwargs)
        if not cls.finds_tag:
            cls.tags = cls.tags | {"digest-pin"}

    def __init__(self, **options: object) -> None:
        super().__init__(**options)
        policy = self.settings["policy"]
        if policy not in POLICIES:
            raise ValueError(f"{self.code} option policy must be one of {', '.join(POLICIES)}, not {policy!r}")
        self._resolver: Resolver | None = None

    # -- what each rule says -------------------------------------------------------------

    def applies(self, ref: ImageRef) -> bool:  # pragma: no cover - abstract
        raise NotImplementedError

    def problem(self, image: BaseImage) -> str:  # pragma: no cover - abstract
        raise NotImplementedError

    def pinned(self, resolution: Resolution, image: BaseImage) -> tuple[str | None, str]:
        """The new reference (None: no fix) and the clause explaining it."""
        policy = str(self.settings["policy"])
        floating = resolution.reference.with_tag(resolution.reference.tag)
        new = resolution.pinned(policy)
        if new is None:
            return None, (
                f"no version tag shares the digest of {floating} ({resolution.digest[:19]}…, "
                f"{resolution.checked} of {resolution.total_tags} tags compared); policy `tag` has nothing to pin to "
                f"(policy `tag+digest` or `digest` would pin the digest)"
            )
        if resolution.tag and policy != "digest":
            return new, f"{floating} is {resolution.tag} today ({resolution.explain()})"
        if policy == "tag+digest":
            return new, f"no version tag shares the digest of {floating}, so the tag stays and the digest is added ({resolution.explain()})"
        return new, f"{floating} is {resolution.digest} today ({resolution.explain()})"

    # -- the shared machinery ----------------------------------------------------------------

    def resolver_settings(self) -> ResolverSettings:
        """The rule's options as resolver settings (``DFIX_OFFLINE=1`` also turns ``offline`` on)."""
        from dfix.registry import ResolverSettings

        s = self.settings
        offline = bool(s["offline"]) or os.environ.get("DFIX_OFFLINE", "").lower() in ("1", "true", "yes", "on")
        return ResolverSettings(
            offline=offline,
            insecure_registries=tuple(str(h) for h in s["insecure-registries"] or ()),
            cache_ttl=float(s["cache-ttl"]),  # type: ignore[arg-type]
            cache_dir=None if s["cache-dir"] is None else str(s["cache-dir"]),
            default_registry=None if s["default-registry"] is None else str(s["default-registry"]),
            max_lookups=int(s["max-lookups"]),  # type: ignore[arg-type]
            timeout=float(s["timeout"]),  # type: ignore[arg-type]
        )

    def resolver(self) -> Resolver:
        if self._resolver is None:
            from dfix.registry import Resolver

            self._resolver = Resolver(self.resolver_settings())
        return self._resolver

    def lookups(self, context: Context) -> Iterator[str]:
        """What ``check`` would ask the registry about in this file (whatever ``resolve`` says)."""
        for image in base_images(context):
            if self.applies(image.ref):
                yield self.lookup_text(image)

    def lookup_text(self, image: BaseImage) -> str:
        """What to resolve: the reference without a digest (the tag it floats on)."""
        ref = image.ref
        return ref.name + (f":{ref.tag}" if ref.tag else "")

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for image in base_images(context):
            if not self.applies(image.ref):
                continue
            token = image.from_.image_token
            where = context.span(token.start_pos, token.end_pos) if token is not None else image.from_.span
            message = self.problem(image)
            if image.variable:
                message += f" (with the default of ARG {image.variable})"
            if not self.settings["resolve"]:
                yield self.diagnostic(
                    where, message,
                    note=f"report only: with the option resolve = true, {self.code} looks the image up and pins it (an unsafe fix)",
                )
                continue
            try:
                resolution = self.resolver().resolve(self.lookup_text(image), find_tag=self.finds_tag)
            except RegistryError as error:
                yield self.diagnostic(where, message, note=f"not pinned: {error}")
                yield unreachable_notice(self.code, image.text, error, where)
                continue
            new, why = self.pinned(resolution, image)
            if new is None:
                yield self.diagnostic(where, f"{message}; {why}")
                continue
            if image.blocked or image.target is None:
                yield self.diagnostic(where, f"{message}; {why}", note=f"not fixed: {image.blocked}")
                continue
            start, end, prefix, suffix = image.target
            if not (new.startswith(prefix) and new.endswith(suffix) and len(new) > len(prefix) + len(suffix)):
                yield self.diagnostic(
                    where, f"{message}; {why}",
                    note=f"not fixed: `{new}` does not fit the FROM line's pattern around ARG {image.variable}",
                )
                continue
            replacement = new[len(prefix) : len(new) - len(suffix)]
            where_text = f"ARG {image.variable}'s default" if image.variable else "the FROM line"
            yield self.diagnostic(
                where,
                f"{message}; {why}",
                [Edit(start, end, replacement)],
                safety=Safety.UNSAFE,
                title=f"pin to `{new}`" + (f" (in {where_text})" if image.variable else ""),
                note="unsafe: the pinned image is the same today, but the build no longer follows the floating tag",
            )
