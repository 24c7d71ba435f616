"""Who a RUN runs as: the last ``USER`` before it in its stage and the stages it is built ``FROM``, else the base image's user.

DF402 and DF403 ask it: a ``sudo`` can only be dropped where the build
already runs as root, and a ``USER`` name can only be made numeric from the
accounts created before it. Triggers (ONBUILD) run in another build and have
no answer here.
"""

from __future__ import annotations

from dfix.engine import Context, StageInfo
from dfix.syntax import Instruction, User

from ._base_images import facts_for, is_root_user

__all__ = ["chain_before", "user_before"]


def _chain(context: Context, info: StageInfo) -> list[StageInfo]:
    chain = [info]
    while chain[-1].parent is not None and len(chain) <= len(context.stages):
        chain.append(context.stages[chain[-1].parent])
    return chain[::-1]


def chain_before(context: Context, instruction: Instruction) -> tuple[list[Instruction], StageInfo] | None:
    """The instructions that run before ``instruction`` in its image (ancestor stages first), and the root-most stage."""
    info = context.stage_of(instruction)
    if info is None:
        return None
    chain = _chain(context, info)
    before: list[Instruction] = []
    for stage in chain[:-1]:
        before.extend(stage.stage.instructions)
    for other in info.stage.instructions:
        if other is instruction:
            break
        before.append(other)
    return before, chain[0]


def user_before(context: Context, instruction: Instruction) -> str | None:
    """The user ``instruction`` runs as (``"root"`` when provably root); None when unknown."""
    found = chain_before(context, instruction)
    if found is None:
        return None
    before, root = found
    users = [other for other in before if isinstance(other, User)]
    if users:
        value = users[-1].arguments[0] if users[-1].arguments else ""
        return "root" if is_root_user(value) else value or None
    image = root.stage.from_.image
    if image is None or image.has_variables:
        return None
    if image.is_scratch:
        return "root"
    facts = facts_for(image.text)
    if facts.known and facts.default_user is not None:
        return "root" if is_root_user(facts.default_user) else facts.default_user
    return None
