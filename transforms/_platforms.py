"""Platform strings as containerd's ``platforms.Parse`` reads them, for the FROM ``--platform`` rules.

BuildKit skips its FromPlatformFlagConstDisallowed check when the stage
name mentions the platform's OS or architecture (``AS build-arm64``), after
normalising the platform (``x86_64`` is ``amd64``, ``aarch64`` is
``arm64``). Only what that comparison needs is modelled: the OS and the
normalised architecture, or None for text containerd would reject.
"""

from __future__ import annotations

__all__ = ["OPERATING_SYSTEMS", "parse_platform"]

#: GOOS values containerd accepts.
OPERATING_SYSTEMS = frozenset({
    "aix", "android", "darwin", "dragonfly", "freebsd", "illumos", "ios", "js", "linux", "netbsd", "openbsd",
    "plan9", "solaris", "wasip1", "windows",
})

#: Spellings containerd normalises, and the GOARCH values it accepts as they are.
_ARCHITECTURES = {
    "i386": "386", "x86": "386", "x86_64": "amd64", "x86-64": "amd64", "aarch64": "arm64", "armhf": "arm",
    "armel": "arm", "386": "386", "amd64": "amd64", "arm": "arm", "arm64": "arm64", "ppc64le": "ppc64le",
    "ppc64": "ppc64", "s390x": "s390x", "riscv64": "riscv64", "mips64le": "mips64le", "mips64": "mips64",
    "mipsle": "mipsle", "mips": "mips", "loong64": "loong64", "wasm": "wasm",
}


def parse_platform(text: str) -> tuple[str, str] | None:
    """``(os, architecture)`` of ``linux/amd64``, ``linux/arm64/v8``, ``arm64`` (OS linux); None when unreadable."""
    parts = text.strip().lower().split("/")
    if not parts or not all(parts) or len(parts) > 3:
        return None
    if len(parts) == 1:
        if parts[0] in OPERATING_SYSTEMS:
            return parts[0], "amd64"
        architecture = _ARCHITECTURES.get(parts[0])
        return ("linux", architecture) if architecture else None
    if parts[0] not in OPERATING_SYSTEMS:
        return None
    architecture = _ARCHITECTURES.get(parts[1])
    return (parts[0], architecture) if architecture else None
