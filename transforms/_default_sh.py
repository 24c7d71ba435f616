"""What ``/bin/sh`` is on the image a stage is built on, where its name tells: BusyBox ash, bash, or unknown.

A RUN without a ``SHELL`` runs under ``/bin/sh -c``. On Alpine and BusyBox
images that is BusyBox ash; on RHEL, CentOS, Fedora, Amazon Linux and SUSE
images it is bash; on Debian and Ubuntu it is dash. Both ash and bash know
``set -o pipefail``, ``[[`` and ``echo -e``, which dash and POSIX sh do not:
DF628 adds pipefail only where the shell takes it, and ShellCheck (DF629)
reads the script in the shell's own dialect.
"""

from __future__ import annotations

from dfix.engine import Context
from dfix.syntax import Instruction

from ._alpine import base_release
from ._base_images import facts_for

__all__ = ["default_sh_dialect"]

#: ShellCheck's dialect for the ``/bin/sh`` of each family whose ``/bin/sh`` is not dash.
_FAMILY_SH = {"alpine": "busybox", "rhel": "bash", "suse": "bash"}


def default_sh_dialect(context: Context, instruction: Instruction) -> str | None:
    """``busybox`` or ``bash`` when the base image's name shows what its ``/bin/sh`` is; None otherwise."""
    release = base_release(context, instruction)
    if release.version is not None or release.newest:
        return "busybox"
    info = context.stage_of(instruction)
    if info is None:
        return None
    base = context.root_stage(info).stage.base
    return _FAMILY_SH.get(facts_for(base.text).family) if base is not None else None
