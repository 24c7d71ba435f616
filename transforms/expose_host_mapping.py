"""DF612 expose-host-mapping: ``EXPOSE [ip:]hostPort:containerPort`` (BuildKit's ExposeInvalidFormat)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid

from ._expose import port_specs


class ExposeHostMapping(Rule):
    """``EXPOSE 8080:80``: an image cannot publish ports; only the container port is kept.

    **What** (BuildKit's ExposeInvalidFormat): an EXPOSE port with an IP
    address or a host port (``0.0.0.0:8080:80``, ``8080:80``).

    **Why.** EXPOSE documents the ports the container listens on; which host
    port maps to it is decided by ``docker run -p``. BuildKit checks the
    host part and then throws it away, so it misleads the reader.

    **Fix** (safe): keep ``containerPort[/proto]``. The image configuration
    is unchanged. A spec BuildKit rejects (a bad IP or port) is reported
    only: the build fails on it and the author must say what was meant.
    """

    code = "DF612"
    name = "expose-host-mapping"
    summary = "`EXPOSE` with a host port mapping"
    safety = Safety.SAFE
    aliases = ("ExposeInvalidFormat",)

    valid = (
        Valid("FROM debian\nEXPOSE 80 443/tcp 8000-8010\n"),
        Valid("FROM debian\nEXPOSE ${HOST}:80\n", "a variable: its value is known at build time only"),
    )
    invalid = (
        Invalid(
            "FROM debian\nEXPOSE 8080:80 127.0.0.1:5353:53/udp [::1]:9000:9000\n",
            "FROM debian\nEXPOSE 80 53/udp 9000\n",
            message="EXPOSE instruction should not define an IP address or host port mapping, found '8080:80'",
            line=2,
            column=1,
        ),
        Invalid("FROM debian\nEXPOSE 999999:80\n", None, "BuildKit rejects the host port: reported only"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for spec in port_specs(context):
            if not spec.ip and not spec.host_port:
                continue
            message = f"EXPOSE instruction should not define an IP address or host port mapping, found '{spec.text}'"
            if not spec.valid:
                yield self.diagnostic(spec.instruction, message,
                                      note="not fixed: BuildKit rejects this port spec; say which port is meant")
                continue
            if str.__str__(spec.token) != spec.text:
                yield self.diagnostic(spec.instruction, message, note="not fixed: the port spec spans lines")
                continue
            yield self.diagnostic(spec.instruction, message,
                                  [Edit(spec.token.start_pos, spec.token.end_pos, spec.container_spec)],
                                  title=f"keep `{spec.container_spec}`")
