"""The docker-clean hook of the official Debian and Ubuntu images: whether a stage still has it.

The official images ship ``/etc/apt/apt.conf.d/docker-clean``, which makes
``apt-get`` delete every ``.deb`` it downloads once it has installed it. Two
rules depend on it: DF203 (``apt`` deletes its downloads itself, so mapping it
to ``apt-get`` is only safe where the hook does the same) and DF106 (a cache
mount on ``/var/cache/apt`` never fills while the hook is in place).
"""

from __future__ import annotations

import re

from dfix.engine import Context
from dfix.patterns import lazy_pattern
from dfix.syntax import Run

from ._base_images import facts_for
from ._packages import code_of, earlier_instructions

#: Text of a RUN that removes the hook or overrides it.
TOUCHES_HOOK = lazy_pattern(r"docker-clean|Keep-Downloaded-Packages", re.IGNORECASE)


def root_image(context: Context, run: Run) -> str | None:
    """The external image the stage of ``run`` is built on (through in-file parent stages)."""
    info = context.stage_of(run)
    image = context.root_stage(info).stage.base if info is not None else None
    return image.text if image is not None else None


def ships_docker_clean(context: Context, run: Run) -> bool:
    """The base is of the official Debian/Ubuntu lineage and no earlier RUN touches the hook."""
    image = root_image(context, run)
    if image is None or facts_for(image).family != "debian":
        return False
    return not any(
        isinstance(other, Run) and TOUCHES_HOOK.search(code_of(context, other))
        for other in earlier_instructions(context, run)
    )
