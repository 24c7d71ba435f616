"""``required-version``: whether this dfix meets a PEP 440 specifier set (``packaging`` reads it)."""

from __future__ import annotations

__all__ = ["version_satisfies"]


def version_satisfies(version: str, specifiers: str) -> bool:
    """Whether ``version`` meets a specifier set (``>=0.4,<1``, ``~=0.3``, ``==0.1.*``; a bare ``0.2`` means ``==0.2``).

    Pre-releases count (a development build may require itself). Raises
    ValueError for a malformed specifier or version.
    """
    # imported here: only a configuration with required-version pays for packaging
    from packaging.specifiers import InvalidSpecifier, SpecifierSet
    from packaging.version import InvalidVersion, Version

    parts = [part.strip() for part in specifiers.split(",")]
    if not any(parts):
        raise ValueError("empty version specifier")
    normalised = []
    for part in parts:
        if not part:
            raise ValueError(f"invalid version specifier {specifiers.strip()!r}")
        normalised.append(part if part[0] in "<>=!~" else f"=={part}")
    try:
        return SpecifierSet(",".join(normalised)).contains(Version(version), prereleases=True)
    except InvalidSpecifier:
        raise ValueError(f"invalid version specifier {specifiers.strip()!r}") from None
    except InvalidVersion:
        raise ValueError(f"invalid version {version!r}") from None
