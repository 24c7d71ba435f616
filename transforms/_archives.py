"""Whether a build-context file is an archive that ``ADD`` would unpack.

BuildKit's ``ADD`` unpacks a local source file when its *content*, once
decompressed (gzip, bzip2, xz, zstd, or none), starts with a valid tar
header; the file's name plays no part. So ``ADD`` and ``COPY`` only agree on
files that are not such archives. :func:`may_unpack` errs on the side of
"archive": any compressed stream counts, since its tar header cannot be
seen without decompressing it all.
"""

from __future__ import annotations

__all__ = ["ARCHIVE_SUFFIXES", "may_unpack", "named_like_archive"]

#: Compression formats BuildKit's ``DecompressStream`` recognises, by their magic bytes.
_COMPRESSED = (b"\x1f\x8b", b"BZh", b"\xfd7zXZ\x00", b"\x28\xb5\x2f\xfd")
_TAR_BLOCK = 512

#: File names hadolint takes for archives (a name ``ADD`` is presumably meant to unpack).
ARCHIVE_SUFFIXES = (".tar", ".Z", ".bz2", ".gz", ".lz", ".lzma", ".tZ", ".tb2", ".tbz", ".tbz2", ".tgz", ".tlz",
                    ".tpz", ".txz", ".xz")


def named_like_archive(path: str) -> bool:
    return path.endswith(ARCHIVE_SUFFIXES)


def may_unpack(head: bytes) -> bool:
    """Whether a file starting with ``head`` (its first 512 bytes or more) may be unpacked by ``ADD``."""
    if head.startswith(_COMPRESSED):
        return True
    return len(head) >= _TAR_BLOCK and _valid_tar_header(head[:_TAR_BLOCK])


def _valid_tar_header(block: bytes) -> bool:
    """Go's ``tar.Reader.Next`` accepts the block: its checksum field matches (unsigned or signed sum)."""
    if not block.strip(b"\x00"):
        return False
    field = block[148:156].strip(b" \x00")
    try:
        recorded = int(field, 8)
    except ValueError:
        return False
    summed = block[:148] + b" " * 8 + block[156:]
    unsigned = sum(summed)
    signed = sum(byte - 256 if byte > 127 else byte for byte in summed)
    return recorded in (unsigned, signed)
