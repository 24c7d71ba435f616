"""Image labels as BuildKit sets them, and the value types of a label schema (hadolint's ``label-schema``).

The schema comes from configuration (``[lint.labels]``: ``required`` maps a
label to its type, ``strict`` forbids the others, ``values`` gives the
value DF620 may insert). The types are hadolint's:

* ``text``: anything but empty;
* ``url``: an absolute URI (a scheme, then URI characters);
* ``semver``: Semantic Versioning 2.0.0 (``1.4.2``, ``2.0.0-rc.1+build.5``; no ``v``);
* ``hash``: a git commit hash, 7 or 40 lower-case hex digits;
* ``rfc3339``: a timestamp (``2024-05-01T12:00:00Z``);
* ``spdx``: one SPDX license identifier (``MIT``, ``Apache-2.0``);
* ``email``: an RFC 5322 address (``team@example.com``, no display name).

A value that holds a variable (``version=$VERSION``) is only known at build
time and is never judged (hadolint judges the literal text).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Iterator

import msgspec

from dfix.engine import Context, StageInfo
from dfix.patterns import lazy_pattern
from dfix.syntax import Label, Maintainer

from ._variables import expand, references


class LabelPair(msgspec.Struct, frozen=True):
    """One ``key=value`` of a LABEL: as written, and as BuildKit reads it (quotes removed) when no variable is involved."""

    instruction: Label
    key: str
    raw_value: str
    #: The value with quotes and escapes resolved; None when it holds a variable (known only at build time).
    value: str | None


def label_pairs(label: Label, escape: str) -> Iterator[LabelPair]:
    for raw_key, raw_value in label.pairs:
        key = expand(raw_key, {}, escape) if not references(raw_key, escape) else None
        if key is None:
            continue
        value = expand(raw_value, {}, escape) if not references(raw_value, escape) else None
        yield LabelPair(label, key, raw_value, value)


def labels_of_final_image(context: Context) -> dict[str, LabelPair]:
    """Labels the final stage and the in-file stages it is built FROM set, by key (the last one wins)."""
    final = context.final_stage
    if final is None:
        return {}
    chain: list[StageInfo] = []
    info: StageInfo | None = final
    while info is not None:
        chain.append(info)
        info = context.stages[info.parent] if info.parent is not None else None
    labels: dict[str, LabelPair] = {}
    escape = context.tree.escape
    for info in reversed(chain):
        for instruction in info.stage.instructions:
            if isinstance(instruction, Label):
                for pair in label_pairs(instruction, escape):
                    labels[pair.key] = pair
    return labels


def every_label(context: Context) -> Iterator[Label]:
    """Every LABEL of the file (ONBUILD triggers label other images, and hadolint skips them too)."""
    return (node for node in context.tree.instructions if isinstance(node, Label))


def maintainers_of_final_image(context: Context) -> list[Maintainer]:
    final = context.final_stage
    return [i for i in final.stage.instructions if isinstance(i, Maintainer)] if final is not None else []


# -- value types ------------------------------------------------------------------------------------

_URI = lazy_pattern(r"[A-Za-z][A-Za-z0-9+.-]*:(?:[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=]|%[0-9A-Fa-f]{2})*")
#: SemVer 2.0.0's shape; leading zeros (``2019.08.14``) are accepted, as hadolint's parser does.
_SEMVER = lazy_pattern(r"\d+\.\d+\.\d+(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?")
_GIT_HASH = lazy_pattern(r"[0-9a-f]{7}|[0-9a-f]{40}")
_RFC3339 = lazy_pattern(r"\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:[Zz]|[+-]\d{2}:\d{2})")
_ATOM = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+"
_EMAIL = lazy_pattern(
    rf"(?:{_ATOM}(?:\.{_ATOM})*|\"(?:[^\"\\\\]|\\\\.)*\")@(?:{_ATOM}(?:\.{_ATOM})*|\[[^\[\]\\\\]*\])"
)


def _rfc3339(value: str) -> bool:
    if not _RFC3339.fullmatch(value):
        return False
    try:
        datetime.fromisoformat(value.replace("z", "Z").replace("t", "T").replace(" ", "T"))
    except ValueError:
        return False
    return True


def _spdx(value: str) -> bool | None:
    try:
        from packaging.licenses._spdx import LICENSES
    except ImportError:  # packaging before 24.2 ships no license list: the type is not checked
        return None
    return value.lower() in LICENSES


#: Type -> (check, what a valid value is). A check returning None cannot tell.
TYPE_CHECKS = {
    "url": (lambda v: bool(_URI.fullmatch(v)), "a valid URL"),
    "semver": (lambda v: bool(_SEMVER.fullmatch(v)), "a semantic version (such as 1.4.2)"),
    "hash": (lambda v: bool(_GIT_HASH.fullmatch(v)), "a git hash (7 or 40 hex digits)"),
    "rfc3339": (_rfc3339, "an RFC 3339 time (such as 2024-05-01T12:00:00Z)"),
    "spdx": (_spdx, "an SPDX license identifier (such as MIT or Apache-2.0)"),
    "email": (lambda v: bool(_EMAIL.fullmatch(v)), "an e-mail address (RFC 5322)"),
}

def value_problem(kind: str, value: str) -> str | None:
    """Why ``value`` is not of ``kind``, or None when it is (or dfix cannot tell)."""
    check = TYPE_CHECKS.get(kind)
    if check is None:
        return None
    verdict = check[0](value)
    return None if verdict is None or verdict else f"is not {check[1]}"


# -- keys ---------------------------------------------------------------------------------------------

_RESERVED_NAMESPACES = ("com.docker.", "io.docker.", "org.dockerproject.")


def key_problem(key: str) -> str | None:
    """Why ``key`` breaks Docker's label-key recommendations as hadolint 2.15 applies them (DL3048), or None.

    Docker's guide names only ``.`` and ``-`` as separators; hadolint also
    accepts ``_`` and ``/`` (``build_version``, common in real files), and so
    does dfix: a team migrating from hadolint gets no new findings on them.
    """
    if not key:
        return "is empty"
    if key.startswith(_RESERVED_NAMESPACES):
        return "uses a namespace Docker reserves (com.docker., io.docker., org.dockerproject.)"
    if not re.fullmatch(r"[a-z0-9._/-]+", key):
        return "must use only lower-case letters, digits, `.`, `-`, `_` and `/`"
    if not key[0].isalpha():
        return "must start with a lower-case letter"
    if not key[-1].isalnum():
        return "must end with a lower-case letter or digit"
    if ".." in key or "--" in key:
        return "must not repeat a separator (`..`, `--`)"
    return None
