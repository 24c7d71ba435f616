"""DF902 copy-ignored-file: a COPY/ADD source that ``.dockerignore`` leaves out of the build context."""

from __future__ import annotations

import posixpath
from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.syntax import Add, Copy

#: Sources that are not files of the build context.
_REMOTE = ("http://", "https://", "git@", "git://")


class CopyIgnoredFile(Rule):
    """A COPY or ADD names a path that ``.dockerignore`` excludes, so the build will not find it.

    **What** (BuildKit's CopyIgnoredFile): a literal source of a COPY/ADD
    from the build context (not ``--from``, not a URL, no variable) that the
    context's ``.dockerignore`` excludes, itself or through a parent folder.
    As in BuildKit, nothing is judged when ``.dockerignore`` has exception
    lines (``!pattern``): a folder may be excluded and a file in it included
    again, which only the files can tell. Sources with wildcards are judged
    as written, as BuildKit does.

    **Why.** The build fails at that step ("not found"), or, for a folder
    whose contents are partly excluded, copies less than the author thinks.

    **No fix**: whether the ``.dockerignore`` line or the COPY is wrong is the
    author's call. Needs the build context (the Dockerfile's folder, or
    ``--context``); without one the rule finds nothing.
    """

    code = "DF902"
    name = "copy-ignored-file"
    summary = "a COPY/ADD source that `.dockerignore` excludes"
    safety = Safety.NONE
    severity = "warning"
    aliases = ("CopyIgnoredFile",)

    valid = (
        Valid("FROM debian\nCOPY app.py /srv/\n", "no build context: nothing to judge"),
        Valid("FROM debian\nCOPY app.py /srv/\n", "not excluded", context={".dockerignore": "*.env\n", "app.py": ""}),
        Valid("FROM debian\nCOPY .env /srv/\n", "an exception line: only the files can tell (as in BuildKit)",
              context={".dockerignore": "*.env\n!.env\n", ".env": ""}),
    )
    invalid = (
        Invalid(
            "FROM debian\nCOPY .env /srv/\n", None, "excluded by a pattern",
            message='Attempting to Copy file ".env" that is excluded by .dockerignore',
            context={".dockerignore": ".env\n", ".env": "A=1"},
        ),
        Invalid(
            "FROM debian\nADD build/app.tar /srv/\n", None, "inside an excluded folder",
            context={".dockerignore": "build\n", "build/app.tar": ""},
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        build = context.build_context
        if build is None:
            return
        ignore = build.dockerignore
        if not ignore or ignore.has_exceptions:
            return
        for instruction in context.tree.instructions:
            if not isinstance(instruction, (Copy, Add)):
                continue
            if isinstance(instruction, Copy) and instruction.from_stage is not None:
                continue
            if instruction.flag("from") is not None:
                continue
            keyword = "Add" if isinstance(instruction, Add) else "Copy"
            for source in instruction.sources:
                if source.startswith("<<") or source.startswith(_REMOTE) or "$" in source:
                    continue
                cleaned = posixpath.normpath(source).lstrip("/")
                if cleaned in ("", ".") or cleaned.startswith(".."):
                    continue
                if ignore.excludes(cleaned):
                    yield self.diagnostic(
                        instruction,
                        f'Attempting to {keyword} file "{cleaned}" that is excluded by .dockerignore',
                        note="the build will not find it: remove the `.dockerignore` line, or the source",
                    )
