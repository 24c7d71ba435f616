"""Findings documents written one file at a time, so a run's memory does not grow with its files.

Each format has a :class:`DocumentWriter`: ``add(result)`` gives the text of
one file's findings as soon as its result is known (the result can then be
dropped), ``close()`` the rest of the document. :func:`dfix.report.render`
goes through the same writers, so a streamed document and one rendered from
a list are the same bytes.

What a format needs of the whole run is kept small: the ``--show-fixes``
section keeps the applied fixes of changed files (no texts), GitHub's
annotation cap keeps the most severe lines only, and SARIF's results go to a
spooled temporary file until the rule table that precedes them is known.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:  # pragma: no cover
    from ..results import FileResult


class DocumentWriter(Protocol):
    def add(self, result: FileResult) -> str: ...

    def close(self) -> str: ...


def writer(
    fmt: str, *, show_fixes: bool = False, root: "str | os.PathLike[str] | None" = None, color: bool = False
) -> DocumentWriter:
    """The document writer of format ``fmt`` (one of ``FORMATS``); only that format's module is imported."""
    if fmt in ("full", "concise"):
        from .text import TextWriter

        return TextWriter(fmt, show_fixes=show_fixes, color=color)
    if fmt == "json":
        from ._model import file_findings
        from .json_format import finding_object
        from .jsonarray import JsonArrayWriter

        return JsonArrayWriter(lambda result: (finding_object(f) for f in file_findings(result)))
    if fmt == "gitlab":
        from .ci import gitlab_report
        from .jsonarray import JsonArrayWriter

        return JsonArrayWriter(lambda result: gitlab_report([result], root=root))
    if fmt == "sarif":
        from .sarif import SarifWriter

        return SarifWriter(root=root)
    if fmt == "github":
        from .ci import GITHUB_ANNOTATION_CAP, GithubWriter

        return GithubWriter(root=root, cap=GITHUB_ANNOTATION_CAP)
    raise ValueError(f"unknown output format {fmt!r}")


__all__ = ["DocumentWriter", "writer"]
