"""EXPOSE port specs as BuildKit reads them: ``[ip:][hostPort:]containerPort[/proto]``.

BuildKit splits each word at ``:`` (the last two parts are host and
container port, anything before is the IP), then the container part at
``/`` (the protocol, lower-cased when the config is written). Only the
container port and the protocol reach the image; the IP and host port are
checked and then dropped (``convert_expose.go``).
"""

from __future__ import annotations

import ipaddress
from typing import Iterator

import msgspec

from dfix.engine import Context
from dfix.syntax import Expose, Token

from ._form import literal_value

__all__ = ["PortSpec", "port_specs"]

_PROTOCOLS = frozenset({"tcp", "udp", "sctp"})


class PortSpec(msgspec.Struct, frozen=True):
    """One EXPOSE word whose text is its value (no quotes, escapes or variables)."""

    instruction: Expose
    token: Token
    text: str
    ip: str
    host_port: str
    container: str
    protocol: str
    #: Whether ``protocol`` comes after a ``/`` (``80/`` has an empty one).
    has_protocol: bool

    @property
    def valid(self) -> bool:
        """Whether BuildKit accepts the spec (otherwise the build fails on it)."""
        if self.protocol.lower() not in _PROTOCOLS | {""}:
            return False
        if self.ip and not _valid_ip(self.ip):
            return False
        container = _port_range(self.container)
        if container is None:
            return False
        if self.host_port:
            host = _port_range(self.host_port)
            if host is None:
                return False
            if container[1] - container[0] != host[1] - host[0] and container[0] != container[1]:
                return False
        return True

    @property
    def container_spec(self) -> str:
        """``containerPort[/proto]`` as written."""
        return self.container + ("/" + self.protocol if self.has_protocol else "")


def port_specs(context: Context) -> Iterator[PortSpec]:
    """Every literal EXPOSE word of the file's stages, split."""
    escape = context.tree.escape
    for instruction in context.tree.instructions:
        if not isinstance(instruction, Expose):
            continue
        for token in instruction.line_tokens:
            if token.type != "WORD":
                continue
            text = instruction.logical_text(token)
            if literal_value(text, escape) != text:
                continue
            parts = text.split(":")
            container = parts[-1]
            host = parts[-2] if len(parts) >= 2 else ""
            ip = ":".join(parts[:-2]) if len(parts) >= 3 else ""
            port, slash, protocol = container.partition("/")
            yield PortSpec(instruction, token, text, ip, host, port, protocol, bool(slash))


def _valid_ip(text: str) -> bool:
    if text.startswith("["):
        if not text.endswith("]"):
            return False
        text = text[1:-1]
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def _port_range(text: str) -> tuple[int, int] | None:
    """``(start, end)`` of a port or range BuildKit accepts, else None."""
    first, dash, last = text.partition("-")
    if dash and "-" in last:
        return None
    try:
        start = _port(first)
        end = _port(last) if dash else start
    except ValueError:
        return None
    return (start, end) if end >= start else None


def _port(text: str) -> int:
    if not text.isdigit() or not text.isascii():
        raise ValueError(text)
    value = int(text)
    if value > 65535:
        raise ValueError(text)
    return value
