"""DF902: a COPY/ADD source the build context's .dockerignore leaves out, judged as BuildKit judges it."""

from __future__ import annotations

import pytest

import dfix
from dfix.engine import BuildContext


def _found(dockerfile: str, files: dict[str, str]) -> list[str]:
    context = BuildContext.of_files(files)
    return [d.message for d in dfix.check(dockerfile, select=["DF902"], build_context=context)]


@pytest.mark.parametrize("dockerfile, ignore, expected", [
    ("FROM a\nCOPY secrets.env /app/\n", "*.env\n", ['Attempting to Copy file "secrets.env" that is excluded by .dockerignore']),
    ("FROM a\nADD ./dist/app.tar /srv/\n", "dist\n", ['Attempting to Add file "dist/app.tar" that is excluded by .dockerignore']),
    ("FROM a\nCOPY node_modules /app/node_modules\n", "node_modules\n", ['Attempting to Copy file "node_modules" that is excluded by .dockerignore']),
])
def test_excluded_sources_are_reported(dockerfile: str, ignore: str, expected: list[str]) -> None:
    files = {".dockerignore": ignore, "secrets.env": "x", "dist/app.tar": "x", "node_modules/a/index.js": "x"}
    assert _found(dockerfile, files) == expected


@pytest.mark.parametrize("dockerfile, ignore", [
    ("FROM a\nCOPY app.py /srv/\n", "*.env\n"),  # not excluded
    ("FROM a\nCOPY --from=build /out/secrets.env /app/\n", "*.env\n"),  # another stage, not the context
    ("FROM a\nCOPY secrets.env /app/\n", "*.env\n!secrets.env\n"),  # exceptions: BuildKit does not judge
    ("FROM a\nCOPY $FILE /app/\n", "*\n"),  # a variable
    ("FROM a\nADD https://example.com/a.env /app/\n", "*.env\n"),  # a URL
    ("FROM a\nCOPY secrets.env /app/\n", ""),  # no .dockerignore lines
])
def test_what_is_not_reported(dockerfile: str, ignore: str) -> None:
    assert _found(dockerfile, {".dockerignore": ignore, "app.py": "x", "secrets.env": "x"}) == []


def test_without_a_build_context_nothing_is_judged() -> None:
    assert dfix.check("FROM a\nCOPY secrets.env /app/\n", select=["DF902"]) == []
