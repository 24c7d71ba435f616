"""DF613 expose-port-out-of-range: an ``EXPOSE`` port outside 0-65535."""

from __future__ import annotations

from dfix.engine import Invalid, Valid
from dfix.syntax import RefusalKind

from ._refusals import RefusalRule


class ExposePortOutOfRange(RefusalRule):
    """Report an ``EXPOSE`` port (or range end, or host port) outside 0-65535.

    No such port exists, and current BuildKit refuses the file while it
    reads the ``EXPOSE`` ("invalid containerPort: 80800"), before running any
    step; older builders wrote the number into the image and failed at
    ``docker run``. Usually a typo (``80800`` for ``8080``), so there is no
    fix: which port was meant is the author's to say. One finding per
    ``EXPOSE``, at the first port BuildKit stops at, as hadolint reports
    DL3011. Ports from variables (``$PORT``) are known only at build time and
    are not judged. Other unreadable specs (``80/tcpx``, ``abc``) are DF000.
    """

    code = "DF613"
    name = "expose-port-out-of-range"
    summary = "`EXPOSE` of a port outside 0-65535"
    aliases = ("DL3011",)
    kinds = frozenset({RefusalKind.PORT_RANGE})

    valid = (
        Valid("FROM debian\nEXPOSE 80 443/tcp 53/udp 0 65535 8000-8010\n"),
        Valid("FROM debian\nEXPOSE $PORT ${DEBUG_PORT:-5678}\n", "ports from variables are known only at build time"),
    )
    invalid = (
        Invalid("FROM debian\nEXPOSE 80 80800\n", None, message="invalid containerPort: 80800", line=2, column=1),
        Invalid("FROM debian\nEXPOSE 65530-65540/udp\n", None, "the end of a range",
                message="invalid containerPort: 65530-65540"),
        Invalid('FROM debian\nEXPOSE "70000"\n', None, "quotes are read as BuildKit does"),
    )
