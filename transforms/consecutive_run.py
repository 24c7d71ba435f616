"""DF100 consecutive-run: adjacent RUNs that could be one RUN (one layer, one shell)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.syntax import Run

from ._merge import Refusal, command_count, mergeable_pair, plan_merge, update_then_install


class ConsecutiveRun(Rule):
    """Join consecutive ``RUN`` instructions into one.

    **What.** Two or more shell-form RUNs in a row in one stage (only comment
    and blank lines between them) with the same flags (``--mount`` list,
    ``--network``, ``--security``, ``--device``) and the same SHELL.

    **Why.** Each RUN is a layer and a cache step: a file written by one RUN
    and deleted by the next still ships in the image, and ``apt-get update``
    alone in a RUN is cached forever, so a later ``apt-get install`` may use a
    stale index (S08).

    **When it reports** (hadolint's DL3059, so every DL3059 finding is
    fixed): a RUN whose neighbour above is a RUN as described, when each of
    the two has at most ``max-commands`` commands (default 2, hadolint's
    threshold; counted like hadolint: every simple command with a literal
    name, nested ones included; 0 = any size), and always for an index
    refresh followed by an install from it (``RUN apt-get update`` +
    ``RUN apt-get install ...``), whatever their size. A run of such RUNs is
    one finding with one fix, so a chain of N RUNs becomes one RUN in one
    round. A suppression (``# dfix: ignore=DF100``, ``# hadolint
    ignore=DL3059``) above a RUN keeps it apart from the RUN above it.

    **Fix.** Every line stays as written. The first RUN's last command gets
    `` && \\`` (the file's escape character and line ending; or, when the
    file puts ``&&`` at the start of continuation lines, `` \\`` and the next
    line starts with ``&& ``); the next RUN loses its ``RUN`` keyword and
    flags and becomes continuation lines, its first line indented like the
    lines that start commands in the RUN above (else four spaces). The shell
    then gets ``a &&    b``. A trailing ``;`` of the first RUN is dropped, so
    ``a; && b`` cannot happen. Comment lines between the RUNs become comment
    lines inside the RUN, indented (BuildKit drops them, syntax.md §2), except
    suppression and tool comments (``# dfix:``, ``# hadolint ...``), which
    move above the merged RUN so they keep working (they then cover all of
    it). Blank lines between are removed (inside a continuation they are
    deprecated). A trailing ``# comment`` of a RUN that gets a command
    appended (it would swallow it, G9) moves onto a comment line of its own
    just above the line it was on.

    **Shell state** (the merge's helper ``transforms/_merge.py`` has the
    details). Each RUN runs in a fresh shell. A side that leaks state (``cd``,
    ``pushd``, ``export``, ``unset``, ``set``, ``shopt``, ``umask``,
    ``alias``, ``trap``, ``exec``, ``exit``, ``return``, ``source``/``.``,
    function definitions, ``ulimit``, ``eval``, ``read``, bare assignments,
    ``getopts``, ``${x:=v}`` ...) is wrapped in ``( ... )`` when anything
    follows it: its state stays inside, and its ``exit``/``exec`` ends only
    the subshell, whose status gates the rest just as the RUN's status gated
    the next RUN. Wrapping the earlier side is enough: the last side's state
    reaches nothing (the shell ends there), and its ``exit`` ends the merged
    shell just as it ended its RUN. A later side made of several lists
    (``x; y`` or ``x || y``) is wrapped too, or ``a && x; y`` would run ``y``
    after ``a`` failed and hide the failure.

    **Safety: safe**, with these refusals (reported without a fix): a side
    starts a background job (``&``) or a service (``service x start``,
    ``nginx`` ...) before the end, since a RUN's processes die with it; a side
    before ``&&`` runs with ``set -e`` (from the SHELL or its own ``set -e``)
    in a shape where ``-e`` matters: shells ignore ``-e`` before ``&&``,
    even inside ``( ... )``, so ``( set -e; false; x ) && b`` runs ``x``; a
    trailing comment that looks like a directive; a RUN whose last command
    is followed, on later lines, by more than a ``;``, continuations and
    comment lines (a lone ``;`` line goes, comment lines stay). The merged
    RUN exceeding ``max-merged-commands`` (default 0 = no limit) is
    reported without a fix too. A tmpfs or read-write bind mount on the
    RUNs makes the fix unsafe: it is fresh in each RUN but shared once
    merged. Never merged, and not reported: exec form (G1), heredoc RUNs
    (G2), a non-POSIX SHELL (G3), ONBUILD triggers (G5), scripts that do
    not parse or hold only a comment (hadolint still flags these four
    kinds next to a small RUN), RUNs with different flags or SHELL, or with
    any other instruction between them.
    """

    code = "DF100"
    name = "consecutive-run"
    summary = "Consecutive RUN instructions that could be one"
    safety = Safety.SAFE
    aliases = ("DL3059",)
    options = {"max-commands": 2, "max-merged-commands": 0}

    valid = (
        Valid("FROM debian\nRUN apt-get update && apt-get install -y curl\n"),
        Valid("FROM debian\nRUN a\nWORKDIR /x\nRUN b\n", "another instruction between"),
        Valid("FROM debian\nRUN a\nENV X=1\nRUN b\n", "ENV between"),
        Valid("FROM debian AS one\nRUN a\nFROM debian\nRUN b\n", "different stages"),
        Valid("FROM debian\nRUN --network=none a\nRUN b\n", "different flags"),
        Valid(
            "FROM debian\nRUN --mount=type=cache,target=/root/.cache a\nRUN --mount=type=cache,target=/tmp b\n",
            "different mounts",
        ),
        Valid('FROM debian\nRUN ["a"]\nRUN ["b"]\n', "exec form is never merged (G1)"),
        Valid('FROM debian\nRUN a\nRUN ["b"]\n', "exec form is never merged (G1)"),
        Valid("FROM debian\nRUN <<EOF\na\nEOF\nRUN b\n", "heredoc RUNs are never merged (G2)"),
        Valid("FROM debian\nONBUILD RUN a\nONBUILD RUN b\n", "ONBUILD triggers are never merged (G5)"),
        Valid("FROM debian\nRUN a\nONBUILD RUN b\n", "ONBUILD between"),
        Valid(
            '# escape=`\nFROM mcr.microsoft.com/windows/servercore\nSHELL ["powershell", "-Command"]\nRUN a\nRUN b\n',
            "not a POSIX shell (G3)",
        ),
        Valid("FROM debian\nRUN a && b && c\nRUN d\n", "hadolint's threshold: the first RUN has 3 commands"),
        Valid("FROM debian\nRUN a\nRUN b && c && d\n", "hadolint's threshold: the second RUN has 3 commands"),
        Valid("FROM debian\nRUN a\n# dfix: ignore=DF100\nRUN b\n", "suppressed"),
        Valid("FROM debian\nRUN a\n# hadolint ignore=DL3059\nRUN b\n", "hadolint's suppression"),

        Valid("FROM debian\nRUN if [ -f x ]; then\n", "a script that does not parse"),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN apt-get update\nRUN apt-get install -y curl\n",
            "FROM debian\nRUN apt-get update && \\\n    apt-get install -y curl\n",
            "the classic: a refresh alone in a RUN is cached forever",
        ),
        Invalid(
            "FROM debian\nRUN a\nRUN b\n",
            "FROM debian\nRUN a && \\\n    b\n",
            "simple pair",
        ),
        Invalid(
            "FROM debian\nRUN a\nRUN b\nRUN c\nCMD [\"x\"]\n",
            "FROM debian\nRUN a && \\\n    b && \\\n    c\nCMD [\"x\"]\n",
            "three RUNs, one fix",
        ),
        Invalid(
            "FROM debian\nRUN a\nRUN b\nRUN c\nRUN d\nRUN e\nRUN f\nRUN g\nRUN h\nRUN i\nRUN j\nRUN k\nRUN l\n",
            "FROM debian\nRUN a && \\\n    b && \\\n    c && \\\n    d && \\\n    e && \\\n    f && \\\n    g && \\\n"
            "    h && \\\n    i && \\\n    j && \\\n    k && \\\n    l\n",
            "a long chain is one fix, not one round per pair",
        ),
        Invalid(
            "FROM debian\n# update\nRUN a\n# then install\n#   curl\nRUN b\n",
            "FROM debian\n# update\nRUN a && \\\n    # then install\n    #   curl\n    b\n",
            "comments between become comment lines inside the RUN",
        ),
        Invalid(
            "FROM debian\nRUN a\n\n\nRUN b\n",
            "FROM debian\nRUN a && \\\n    b\n",
            "blank lines between are removed",
        ),
        Invalid(
            "FROM debian\nRUN a\nRUN b\n# dfix: ignore[DF100] -- c stays apart\nRUN c\nRUN d\n",
            "FROM debian\nRUN a && \\\n    b\n# dfix: ignore[DF100] -- c stays apart\nRUN c && \\\n    d\n",
            "a suppression cuts a chain",
        ),
        Invalid(
            "FROM debian\nRUN a\n# hadolint ignore=DL3008\nRUN apt-get install -y curl\n",
            "FROM debian\n# hadolint ignore=DL3008\nRUN a && \\\n    apt-get install -y curl\n",
            "suppression comments move above the merged RUN",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update && \\\n  apt-get install -y \\\n      curl\nRUN rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN apt-get update && \\\n  apt-get install -y \\\n      curl && \\\n  rm -rf /var/lib/apt/lists/*\n",
            "multi-line with trailing `&& \\`: the indent of lines that start commands",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl\nRUN rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN apt-get update \\\n    && apt-get install -y curl \\\n    && rm -rf /var/lib/apt/lists/*\n",
            "leading `&&` style is kept",
        ),
        Invalid(
            "FROM debian\r\nRUN a\r\n# note\r\n\r\nRUN b\r\n",
            "FROM debian\r\nRUN a && \\\r\n    # note\r\n    b\r\n",
            "CRLF kept",
        ),
        Invalid(
            '# escape=`\nFROM alpine\nSHELL ["/bin/sh", "-c"]\nRUN echo a\\b\nRUN echo c\n',
            '# escape=`\nFROM alpine\nSHELL ["/bin/sh", "-c"]\nRUN echo a\\b && `\n    echo c\n',
            "backtick escape under a POSIX SHELL (G4)",
        ),
        Invalid(
            "FROM python\nRUN --mount=type=cache,target=/root/.cache pip install a\n"
            "RUN --mount=type=cache,target=/root/.cache pip install b\n",
            "FROM python\nRUN --mount=type=cache,target=/root/.cache pip install a && \\\n    pip install b\n",
            "equal flags: the second RUN's flags go",
        ),
        Invalid(
            "FROM debian\nRUN --mount=type=tmpfs,target=/t a\nRUN --mount=type=tmpfs,target=/t b\n",
            "FROM debian\nRUN --mount=type=tmpfs,target=/t a && \\\n    b\n",
            "a tmpfs mount is fresh in every RUN but shared once merged: unsafe",
            unsafe=True,
        ),
        Invalid(
            "FROM debian\nRUN cd /src && make\nRUN make install\n",
            "FROM debian\nRUN ( cd /src && make ) && \\\n    make install\n",
            "state effects: the earlier side goes in a subshell",
        ),
        Invalid(
            "FROM debian\nRUN export A=1\nRUN cd /x\nRUN b\n",
            "FROM debian\nRUN ( export A=1 ) && \\\n    ( cd /x ) && \\\n    b\n",
            "every side that leaks and is followed by more is wrapped",
        ),
        Invalid(
            "FROM debian\nRUN set -ex && a\nRUN b\n",
            "FROM debian\nRUN ( set -ex && a ) && \\\n    b\n",
            "`set -e` where ignoring it changes nothing (one AND-OR list)",
        ),
        Invalid(
            "FROM debian\nRUN a\nRUN test -f x || b\n",
            "FROM debian\nRUN a && \\\n    ( test -f x || b )\n",
            "a later side with `||` is wrapped, so it cannot hide a failure of the first",
        ),
        Invalid(
            "FROM debian\nRUN a;\nRUN b\n",
            "FROM debian\nRUN a && \\\n    b\n",
            "a trailing `;` is dropped, never `a; && b`",
        ),
        Invalid(
            "FROM debian\nRUN a # first\nRUN b # second\n",
            "FROM debian\n# first\nRUN a && \\\n    b # second\n",
            "a trailing comment moves onto its own line (G9); the last one stays",
        ),
        Invalid(
            "FROM debian\nRUN a\nRUN b  # second\nRUN c\n",
            "FROM debian\nRUN a && \\\n    # second\n    b && \\\n    c\n",
            "a trailing comment of a middle RUN",
        ),
        Invalid(
            "FROM debian\nRUN apt-get install -y \\\n      a \\\n      b \\\n    && rm -rf /var/lib/apt/lists/*\nRUN c\n",
            "FROM debian\nRUN apt-get install -y \\\n      a \\\n      b \\\n    && rm -rf /var/lib/apt/lists/* \\\n    && c\n",
            "leading `&&` style, told apart from package-list lines",
        ),
        Invalid(
            "FROM debian\nRUN a \\\n  && b \\\n  # done\n  ;\nRUN c\n",
            "FROM debian\nRUN a \\\n  && b \\\n  # done\n  && c\n",
            "a lone `;` line closing the first RUN goes, its comment lines stay",
        ),
        Invalid("FROM debian\nRUN a & b\nRUN c\n", None, "a background job: reported, no fix"),
        Invalid("FROM debian\nRUN service mysql start\nRUN b\n", None, "a service would outlive its RUN: no fix"),
        Invalid(
            "FROM debian\nRUN a # hadolint ignore=DL3008\nRUN b\n", None,
            "a trailing comment that looks like a directive is not moved: no fix",
        ),
        Invalid(
            'FROM debian\nSHELL ["/bin/bash", "-e", "-c"]\nRUN if a; then b; fi\nRUN c\n', None,
            "`-e` is ignored inside a compound command before `&&`: no fix",
        ),
        Invalid(
            "FROM debian\nRUN set -e; for f in *.sh; do sh \"$f\"; done\nRUN b\n", None,
            "`( set -e; for ... ) && b` would ignore `-e` inside the loop: no fix",
        ),
        Invalid(
            "FROM debian\nRUN set -e; cd /x\nRUN b\n",
            "FROM debian\nRUN ( set -e; cd /x ) && \\\n    b\n",
            "`set -e` whose loss cannot matter: only the last command can fail",
        ),
        Invalid(
            "FROM debian\nRUN apt-get update\nRUN apt-get install -y a b c && apt-get clean && rm -rf /var/lib/apt/lists/*\n",
            "FROM debian\nRUN apt-get update && \\\n    apt-get install -y a b c && apt-get clean && rm -rf /var/lib/apt/lists/*\n",
            "refresh then install: reported whatever the size",
        ),
        Invalid(
            "FROM debian\nRUN a\nRUN b\nRUN service x start\nRUN c\n",
            "FROM debian\nRUN a && \\\n    b && \\\n    service x start\nRUN c\n",
            "a blocked boundary splits the chain",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        limit = int(self.settings["max-commands"] or 0)
        cap = int(self.settings["max-merged-commands"] or 0)
        for info in context.stages:
            instructions = info.stage.instructions
            chain: list[Run] = []
            for previous, current in zip((None, *instructions), instructions):
                if previous is not None and self._triggers(context, previous, current, limit):
                    if not context.is_suppressed(self.code, current):
                        if not chain:
                            chain.append(previous)
                        chain.append(current)
                        continue
                    # the suppression keeps the two apart; report for the engine to silence it, so
                    # the comment counts as used (else DF001 would call it unused and delete it)
                    yield self._unfixed(context, previous, current, Refusal("suppressed", current))
                if len(chain) > 1:
                    yield from self._chain(context, chain, cap)
                chain = []
            if len(chain) > 1:
                yield from self._chain(context, chain, cap)

    # -- which neighbours count -------------------------------------------------------------------

    def _triggers(self, context: Context, first, second, limit: int) -> bool:
        """hadolint's DL3059 condition for ``second``, plus refresh-then-install."""
        if mergeable_pair(context, first, second) is not None:
            return False
        if not limit:
            return True
        models = context.run_view(first).model, context.run_view(second).model
        small = all(command_count(model) <= limit for model in models)
        return small or update_then_install(*models)

    # -- findings ---------------------------------------------------------------------------------

    def _chain(self, context: Context, chain: list[Run], cap: int) -> Iterator[Diagnostic]:
        start = 0
        while start < len(chain) - 1:
            plan = plan_merge(context, chain[start : start + 2], max_commands=cap)
            if not plan:
                yield self._unfixed(context, chain[start], chain[start + 1], plan)
                start += 1
                continue
            end = start + 1
            blocked: Refusal | None = None
            while end + 1 < len(chain):
                longer = plan_merge(context, chain[start : end + 2], max_commands=cap)
                if not longer:
                    blocked = longer
                    break
                plan, end = longer, end + 1
            runs = chain[start : end + 1]
            message = (
                f"{len(runs)} consecutive RUN instructions (lines {runs[0].start_line}-{runs[-1].start_line}) can be one RUN"
                if len(runs) > 2
                else f"this RUN can join the RUN on line {runs[0].start_line}"
            )
            yield self.diagnostic(
                context.span(runs[1].span.start, runs[-1].span.end),
                message,
                plan.edits,
                safety=plan.safety,
                title=f"merge {len(runs)} RUNs into one" if len(runs) > 2 else "merge into the RUN above",
                note=plan.note,
            )
            if blocked is not None:
                yield self._unfixed(context, chain[end], chain[end + 1], blocked)
            start = end + 1

    def _unfixed(self, context: Context, first: Run, second: Run, refusal: Refusal) -> Diagnostic:
        where = refusal.run.start_line if refusal.run is not None else second.start_line
        return self.diagnostic(
            second,
            f"this RUN could join the RUN on line {first.start_line}",
            note=f"not merged: line {where}: {refusal.reason}",
        )
