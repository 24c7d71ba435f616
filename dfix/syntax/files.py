"""Dockerfile bytes to text and back, so that any byte sequence survives.

The tree is built from ``str``, but a Dockerfile on disk is bytes that need
not be UTF-8. Decoding with ``surrogateescape`` keeps every undecodable byte
as a lone surrogate, which encoding the same way turns back into that byte:
a BOM, CRLF line endings and invalid UTF-8 all round-trip. This belongs to
the syntax layer because the lossless promise starts here, before parsing.
"""

from __future__ import annotations

import os

#: The codec pair that round-trips every byte sequence.
ENCODING = "utf-8"
ERRORS = "surrogateescape"


def read_dockerfile(path: str | os.PathLike[str]) -> str:
    """Read a Dockerfile as text that round-trips every byte.

    Bytes are decoded as UTF-8 with ``surrogateescape``, so invalid UTF-8,
    a BOM and CRLF line endings all survive; turn the text back into the
    same bytes with :func:`encode_dockerfile`.
    """
    with open(path, "rb") as handle:
        return handle.read().decode(ENCODING, ERRORS)


def encode_dockerfile(text: str) -> bytes:
    """The bytes of text read by :func:`read_dockerfile`."""
    return text.encode(ENCODING, ERRORS)
