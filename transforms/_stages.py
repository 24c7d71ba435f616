"""Where a Dockerfile names a stage or an image besides its base: ``FROM <stage>``, ``COPY --from``, ``RUN --mount=from=``.

The stage rules (DF305-DF311) and the registry allow-list (DF303) ask the
same questions of a file: which words name an earlier stage, a stage index or
an image, which stage a name resolves to, and where exactly the name is
written so a fix can rename it. BuildKit's answers, followed here:

* Stage names are lower-cased at parse time and looked up case-insensitively
  (``AS Builder`` is ``builder``; ``--target Builder`` finds it).
* ``FROM name`` names a stage only when that stage is defined *earlier*
  (BuildKit registers stages one by one while reading FROM lines).
* ``COPY --from=name`` and ``RUN --mount=from=name`` are resolved after every
  stage is registered, so they may name a *later* stage too; a number is a
  stage index; anything else is an image reference BuildKit pulls.
* A value with ``$`` is expanded at build time and is not resolved here.
* ONBUILD triggers run in a downstream build whose stages this file does not
  know: their ``--from`` values are left out.
"""

from __future__ import annotations

import re
from typing import Literal

import msgspec

from dfix.engine import Context, Edit
from dfix.patterns import lazy_pattern
from dfix.syntax import Copy, From, Instruction, Run, Token

__all__ = ["StageReference", "rename_edits", "stage_names", "stage_references", "stage_name_token", "written_value"]

Kind = Literal["from", "copy", "mount"]

#: ``from=value`` inside a ``--mount`` flag's raw text (CSV fields, no quotes).
_MOUNT_FROM = lazy_pattern(r"(?:^|,)\s*from=([^,\"']*)", re.I)


class StageReference(msgspec.Struct, frozen=True):
    """One place a stage or an image is named (other than a FROM's own base image when it is an image)."""

    instruction: Instruction
    kind: Kind
    #: The value as BuildKit reads it (``Builder``, ``0``, ``nginx:1.27``).
    value: str
    #: The index of the stage the value resolves to, or None (an image, an unknown name, a variable).
    stage: int | None
    #: ``value`` is a stage index (``--from=0``).
    is_index: bool
    #: File offsets of the value as written, when an edit can replace it in place; else None.
    where: tuple[int, int] | None

    @property
    def has_variables(self) -> bool:
        return "$" in self.value

    @property
    def is_image(self) -> bool:
        """Names an image: not a stage, not an index, no variables (``scratch`` counts for FROM only)."""
        return self.stage is None and not self.is_index and not self.has_variables


def stage_names(context: Context) -> dict[str, int]:
    """Every stage name (lower-cased) and the index of the *last* stage carrying it, as BuildKit's lookup keeps it."""
    return context.memo(("stages", "names"), lambda: {
        stage.name: stage.index for stage in context.tree.stages if stage.name
    })


def written_value(token: Token, decoded: str, value_start: int, value: str) -> tuple[int, int] | None:
    """File offsets of ``value`` at ``value_start`` of ``decoded`` (the token's meaning), when written as is."""
    raw = str(token)
    if raw != decoded:
        return None  # split across lines, or escaped: not edited in place
    return token.start_pos + value_start, token.start_pos + value_start + len(value)


def stage_name_token(from_: From) -> Token | None:
    """The token of ``FROM … AS <name>``'s name, or None."""
    words = [token for token in from_.line_tokens if token.type == "WORD"]
    if len(words) == 3 and str(words[1]).lower() == "as":
        return words[2]
    return None


def stage_references(context: Context) -> tuple[StageReference, ...]:
    """Every stage/image reference of the file, in file order (see the module docstring)."""
    return context.memo(("stages", "references"), lambda: tuple(_references(context)))


def _references(context: Context):
    names = stage_names(context)
    count = len(context.tree.stages)
    earlier: dict[str, int] = {}
    for stage in context.tree.stages:
        from_ = stage.from_
        image = from_.image
        token = from_.image_token
        if image is not None and token is not None and not image.has_variables:
            index = earlier.get(image.text.lower())
            if index is not None:
                where = (token.start_pos, token.end_pos) if str(token) == image.text else None
                yield StageReference(from_, "from", image.text, index, False, where)
        if stage.name:
            earlier[stage.name] = stage.index
        for instruction in stage.instructions:
            if isinstance(instruction, Copy):
                for flag in instruction.flags:
                    if flag.name == "from" and flag.value is not None:
                        where = written_value(flag.token, flag.text, len("--from="), flag.value)
                        yield _resolved(instruction, "copy", flag.value, names, count, where)
            elif isinstance(instruction, Run):
                for flag in instruction.flags:
                    if flag.name != "mount" or flag.value is None:
                        continue
                    for match in _MOUNT_FROM.finditer(flag.value):
                        value = match.group(1).strip()
                        if not value:
                            continue
                        start = len("--mount=") + match.start(1) + (len(match.group(1)) - len(match.group(1).lstrip()))
                        where = written_value(flag.token, flag.text, start, value)
                        yield _resolved(instruction, "mount", value, names, count, where)


def _resolved(instruction: Instruction, kind: Kind, value: str, names: dict[str, int], count: int,
              where: tuple[int, int] | None) -> StageReference:
    if "$" in value:
        return StageReference(instruction, kind, value, None, False, where)
    if value.isdigit():
        index = int(value)
        return StageReference(instruction, kind, value, index if index < count else None, True, where)
    return StageReference(instruction, kind, value, names.get(value.lower()), False, where)


def rename_edits(context: Context, index: int, new_name: str) -> list[Edit] | None:
    """Edits renaming stage ``index`` to ``new_name`` at its ``AS`` and at every in-file reference to it.

    None when one of them cannot be edited in place (quoted, split across
    lines). References through variables (``--from=$STAGE``) are not seen.
    """
    stage = context.tree.stages[index]
    token = stage_name_token(stage.from_)
    if token is None:
        return None
    edits = [Edit(token.start_pos, token.end_pos, new_name)]
    for reference in stage_references(context):
        if reference.stage != index or reference.is_index:
            continue
        if reference.where is None:
            return None
        start, end = reference.where
        edits.append(Edit(start, end, new_name))
    return edits
