"""DF251 curl-and-wget: one stage downloads with both ``curl`` and ``wget`` (hadolint's DL4001)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, RunView, Valid

#: The two download tools; running either one counts, installing them does not.
TOOLS = ("curl", "wget")


class CurlAndWget(Rule):
    """Both ``curl`` and ``wget`` run in one stage: one download tool is enough.

    **What** (hadolint's DL4001): a stage whose RUNs run ``curl`` and also
    ``wget`` (through ``sudo``/``env`` too). Installing the tools
    (``apt-get install curl wget``) or looking for them (``command -v wget``)
    is not running them. Each stage is judged on its own, as in hadolint;
    ONBUILD triggers run in another build and are not counted.

    **Why.** Each tool is a package (and its TLS libraries) in the image,
    and the two fail differently on HTTP errors (``curl`` succeeds on a 404
    unless given ``-f``), so a file that mixes them handles download errors
    unevenly.

    **Fix:** none (report only): rewriting one tool's options into the
    other's is not mechanical, and the package install that brings the
    other tool would have to go too.

    **Counting.** One finding per stage, at the RUN where the second tool
    first runs, naming where each one runs; hadolint reports that RUN and
    every later RUN of the stage that runs either tool. Compare per stage or
    per file: on the 10,005 Docker Hub files of the dev corpus dfix flags
    all 259 files hadolint 2.15.1 flags, plus 10 where a tool runs under
    ``sudo`` or by absolute path, or that hadolint cannot parse.
    """

    code = "DF251"
    name = "curl-and-wget"
    summary = "both `curl` and `wget` used in one stage"
    aliases = ("DL4001",)

    valid = (
        Valid("FROM debian:12\nRUN apt-get update && apt-get install -y curl wget\nRUN curl -fsSLO https://example.com/a\n"),
        Valid("FROM alpine:3.19 AS fetch\nRUN wget -q https://example.com/a\nFROM debian:12\nRUN curl -fsSLO https://example.com/b\n",
              "different stages"),
        Valid("FROM debian:12\nRUN command -v wget || curl -fsSLO https://example.com/a\n", "looking for wget is not running it"),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nRUN curl -fsSL https://example.com/key | gpg --dearmor -o /k.gpg\n"
            "RUN wget -q https://example.com/a.tgz\nRUN curl -fsSLO https://example.com/b\n",
            message="this stage downloads with both `curl` (line 2) and `wget` (line 3): one download tool is enough",
            line=3, column=1,
        ),
        Invalid("FROM debian:12\nRUN sudo wget -q https://example.com/a && curl -fsSLO https://example.com/b\n"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        by_stage: dict[int, list[RunView]] = {}
        for view in context.shell_runs():
            if view.trigger:
                continue
            info = context.stage_of(view.run)
            if info is not None:
                by_stage.setdefault(id(info), []).append(view)
        for views in by_stage.values():
            first: dict[str, int] = {}
            for view in views:
                model = view.model
                assert model is not None
                for tool in TOOLS:
                    if tool not in first and model.commands_named(tool):
                        first[tool] = view.run.span.line
                if len(first) == len(TOOLS):
                    where = ", ".join(f"`{tool}` (line {first[tool]})" for tool in TOOLS)
                    yield self.diagnostic(
                        view.run, f"this stage downloads with both {where.replace(', ', ' and ')}: "
                                  "one download tool is enough",
                    )
                    break
