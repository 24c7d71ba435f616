"""Reporters: findings documents, diffs, the run summary and ``--statistics``.

What goes where (``ux.md`` §8): :func:`render` makes the findings document
for stdout or ``-o FILE``; :func:`render_diff` one file's patch for
``--diff``/``--show-diff`` (stdout); :func:`summary` the table, closing line
and hints for stderr; :func:`statistics` the table alone.

Strings returned by :func:`render`, :func:`summary` and :func:`statistics`
are always encodable as strict UTF-8 (invalid bytes of a file show as
``\\xNN`` in human formats and U+FFFD in machine formats). :func:`render_diff`
is the exception: it carries the file's bytes as surrogate escapes and must
be written with ``encode("utf-8", "surrogateescape")``.

Each name is loaded from its module when first used, so a run imports only
the formats it prints (a JSON report never loads the text or SARIF writers).
"""

from __future__ import annotations

import importlib
import os
from typing import TYPE_CHECKING, Sequence

if TYPE_CHECKING:  # pragma: no cover
    from pathlib import Path

    from ..results import FileResult
    from ._model import RULE_URL, Finding, all_findings, file_findings, fingerprints, rule_url
    from .ci import GITHUB_ANNOTATION_CAP, gitlab_report, render_github, render_gitlab
    from .diff import render_diff
    from .json_format import render_json, report_schema
    from .sarif import render_sarif, sarif_log
    from .stream import DocumentWriter, writer
    from .summary import Mode, Tally, infer_mode, rows, statistics, statistics_of, summary, summary_of
    from .text import render_caveats, render_concise, render_full

FORMATS = ("full", "concise", "json", "sarif", "github", "gitlab")

#: Where each public name lives: loaded on first use (module ``__getattr__``).
_LAZY = {
    **dict.fromkeys(["RULE_URL", "Finding", "all_findings", "file_findings", "fingerprints", "rule_url"], "._model"),
    **dict.fromkeys(["GITHUB_ANNOTATION_CAP", "gitlab_report", "render_github", "render_gitlab"], ".ci"),
    "render_diff": ".diff",
    **dict.fromkeys(["render_json", "report_schema"], ".json_format"),
    **dict.fromkeys(["render_sarif", "sarif_log"], ".sarif"),
    **dict.fromkeys(["DocumentWriter", "writer"], ".stream"),
    **dict.fromkeys(
        ["Mode", "Tally", "infer_mode", "rows", "statistics", "statistics_of", "summary", "summary_of"], ".summary"
    ),
    **dict.fromkeys(["render_caveats", "render_concise", "render_full"], ".text"),
}


def __getattr__(name: str):
    module_name = _LAZY.get(name)
    if module_name is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(module_name, __name__)
    # Bind every name of that module now: importing ``.summary`` also set this
    # package's ``summary`` to the submodule, which must stay the function.
    for other, where in _LAZY.items():
        if where == module_name:
            globals()[other] = getattr(module, other)
    return globals()[name]


def __dir__() -> list[str]:
    return sorted({*globals(), *_LAZY})


def render(
    results: Sequence[FileResult],
    fmt: str,
    *,
    show_fixes: bool = False,
    root: "Path | str | os.PathLike[str] | None" = None,
    color: bool = False,
) -> str:
    """The findings document of ``results`` in format ``fmt`` (one of :data:`FORMATS`).

    Each result contributes its remaining diagnostics, its parse error and its
    I/O error (both as ``DF000`` errors), in the order given, positions in the
    file's fixed text. Each result's own fix policy decides which fixes count
    as applicable (``[*]``).
    ``show_fixes`` appends the list of applied fixes to the text formats.
    ``root`` makes paths relative to it in ``sarif`` (``%SRCROOT%``),
    ``github`` and ``gitlab``; the other formats print paths as given.
    ``color`` adds ANSI colour to ``full``/``concise``. Empty text formats give
    ``""``; ``json``/``gitlab`` give ``[]``; ``sarif`` is always a full log.
    """
    if fmt not in FORMATS:
        raise ValueError(f"unknown output format {fmt!r}; use one of: {', '.join(FORMATS)}")
    from .stream import writer

    document = writer(fmt, show_fixes=show_fixes, root=root, color=color)
    return "".join(document.add(result) for result in results) + document.close()



__all__ = [
    "FORMATS", "GITHUB_ANNOTATION_CAP", "RULE_URL", "Finding", "Mode", "all_findings", "file_findings", "render_caveats",
    "fingerprints", "gitlab_report", "infer_mode", "render", "render_diff", "report_schema", "rows", "rule_url",
    "sarif_log", "statistics", "summary", "DocumentWriter", "Tally", "statistics_of", "summary_of", "writer",
    "render_concise", "render_full", "render_github", "render_gitlab", "render_json", "render_sarif",
]
