"""New lines follow the file's own style where the RUN being edited shows none."""

from __future__ import annotations

import dfix
from dfix.engine import Context

TABBED = (
    "FROM debian:12\n"
    "RUN set -eux; \\\n"
    "\tapt-get update; \\\n"
    "\tapt-get install -y --no-install-recommends ca-certificates; \\\n"
    "\trm -rf /var/lib/apt/lists/*\n"
)


def views(text: str):
    context = Context(dfix.parse(text))
    return context, [view for view in context.runs() if view.script is not None]


def test_the_file_style_is_its_runs_command_indent_and_operator_placement() -> None:
    context, _ = views(TABBED + "RUN echo one\n")
    assert (context.house_style.indent, context.house_style.operator_first) == ("\t", False)
    leading = "FROM alpine\nRUN apk add curl \\\n  && echo done\n"
    context, _ = views(leading)
    assert (context.house_style.indent, context.house_style.operator_first) == ("  ", True)
    context, _ = views("FROM alpine\nRUN echo one\n")
    assert context.house_style.indent is None  # nothing to go by: the RUN's own lines, or four spaces


def test_a_one_line_run_takes_the_file_style() -> None:
    _, found = views(TABBED + "RUN echo one\n")
    assert found[-1].script.indent == "\t"
    _, found = views("FROM alpine\nRUN apk add curl \\\n  && echo done\nRUN echo one\n")
    assert found[-1].script.operator_first and found[-1].script.indent == "  "


def test_a_command_appended_after_a_package_list_goes_at_the_command_indent() -> None:
    text = TABBED + "RUN apt-get update && apt-get install -y --no-install-recommends \\\n\t\tgit\n"
    fixed = dfix.fix(text, select=["DF200"]).text
    assert fixed.endswith("\t\tgit && \\\n\trm -rf /var/lib/apt/lists/*\n")


def test_without_evidence_the_runs_own_lines_decide_as_before() -> None:
    text = "FROM debian:12\nRUN apt-get update && apt-get install -y --no-install-recommends \\\n        git\n"
    fixed = dfix.fix(text, select=["DF200"]).text
    assert fixed.endswith("        git && \\\n        rm -rf /var/lib/apt/lists/*\n")
