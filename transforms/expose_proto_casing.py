"""DF611 expose-proto-casing: ``EXPOSE 80/TCP`` (BuildKit's ExposeProtoCasing)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid

from ._expose import port_specs


class ExposeProtoCasing(Rule):
    """``EXPOSE 80/TCP``: write the protocol in lower case.

    **What** (BuildKit's ExposeProtoCasing): an EXPOSE port whose protocol
    (``tcp``, ``udp``, ``sctp``) is not all lower case.

    **Why.** BuildKit lower-cases the protocol when it writes the image
    configuration anyway; the upper-case spelling only suggests a difference
    that does not exist.

    **Fix** (safe): lower-case the protocol. The image configuration is the
    same (``80/tcp`` either way).
    """

    code = "DF611"
    name = "expose-proto-casing"
    summary = "`EXPOSE` protocol in upper case"
    safety = Safety.SAFE
    severity = "style"
    aliases = ("ExposeProtoCasing",)

    valid = (
        Valid("FROM debian\nEXPOSE 80/tcp 53/udp 8080\n"),
        Valid("FROM debian\nEXPOSE $PORT/TCP\n", "a variable: its value is known at build time only"),
    )
    invalid = (
        Invalid(
            "FROM debian\nEXPOSE 80/TCP 53/Udp\n",
            "FROM debian\nEXPOSE 80/tcp 53/udp\n",
            message="Defined protocol '80/TCP' in EXPOSE instruction should be lowercase",
            line=2,
            column=1,
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for spec in port_specs(context):
            if spec.protocol == spec.protocol.lower():
                continue
            message = f"Defined protocol '{spec.text}' in EXPOSE instruction should be lowercase"
            token = spec.token
            if str.__str__(token) != spec.text or spec.protocol.lower() not in ("tcp", "udp", "sctp"):
                yield self.diagnostic(spec.instruction, message, note="not fixed: the port spec is not plain text")
                continue
            end = token.end_pos
            start = end - len(spec.protocol)
            yield self.diagnostic(spec.instruction, message, [Edit(start, end, spec.protocol.lower())],
                                  title="lower-case the protocol")
