"""Dockerfile bytes to text and back, so that any byte sequence survives.

The tree is built from ``str``, but a Dockerfile on disk is bytes that need
not be UTF-8. Decoding with ``surrogateescape`` keeps every undecodable byte
as a lone surrogate, which encoding the same way turns back into that byte:
a BOM, CRLF line endings and invalid UTF-8 all round-trip. This belongs to
the syntax layer because the lossless promise starts here, before parsing.
"""

from __future__ import annotations

import os

from .errors import ParseError

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


#: How far into a file :func:`text_problem` looks: a NUL byte in the first 8 KiB is git's test for binary
#: content, and a Dockerfile never holds one.
SNIFF_LENGTH = 8192


def text_problem(text: str) -> ParseError | None:
    """Why ``text`` (read by :func:`read_dockerfile`) is not a Dockerfile at all, or None.

    A binary file named ``Dockerfile`` (an image, an archive, an executable)
    parses as a line or two of unknown instructions, so parsing alone does
    not refuse it; ``docker build`` does. A NUL byte is the test (invalid
    UTF-8 is not: Latin-1 comments are common in real Dockerfiles and build
    fine). A UTF-16 file is named as such, since that is what it usually is
    (saved by a Windows editor) and re-saving it as UTF-8 is the remedy.
    """
    head = text[:SNIFF_LENGTH]
    nul = head.find("\x00")
    if nul == -1:
        return None
    if head.startswith(("\udcff\udcfe", "\udcfe\udcff")):
        return ParseError("the file is UTF-16 text: docker build reads Dockerfiles as UTF-8 (save it as UTF-8)", 1, 1)
    line = head.count("\n", 0, nul) + 1
    column = nul - (head.rfind("\n", 0, nul) + 1) + 1
    return ParseError("the file is not text (it holds NUL bytes): docker build cannot read it as a Dockerfile", line, column)
