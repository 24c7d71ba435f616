"""DF403 sudo-in-run: ``sudo`` in a RUN, where the build already decides the user."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.shell import SimpleCommand

from ._build_user import user_before

#: sudo options that change nothing when root runs the command: keep the environment, set HOME, never prompt.
_HARMLESS_LONG = frozenset({"--preserve-env", "--set-home", "--non-interactive", "--"})
_HARMLESS_LETTERS = frozenset("EHn")


class SudoInRun(Rule):
    """Do not use ``sudo`` in a RUN.

    A build step runs as the stage's ``USER``; ``sudo`` there either does
    nothing useful (the build is root already) or hides a user switch that
    belongs in ``USER`` (or ``gosu``/``su-exec`` at run time). It also
    needs the ``sudo`` package and a sudoers entry, and resets the
    environment, so ``ENV`` values and ``PATH`` silently differ under it.

    Fix (unsafe): remove ``sudo`` and its harmless options (``-E``, ``-H``,
    ``-n``, ``--``) when the RUN provably runs as root: the last ``USER``
    before it (in its stage or the stages it is built from) is root, or
    there is none and the base image is known to run as root. Unsafe, not
    safe: sudo's environment reset (``env_reset``, ``secure_path``) means
    the command saw a different ``PATH`` and none of the image's ``ENV``
    under sudo; without it, it sees them (``DEBIAN_FRONTEND`` from ``ENV``
    starts to apply, a ``PATH`` entry may pick another binary). Not fixed:
    ``sudo -u``/``-g``/``-i``/``-s`` and other options (a user switch the
    author has to move to ``USER``), a user that is not root or not known,
    exec form, heredocs, ONBUILD triggers. Like hadolint, only commands run
    by the RUN's own shell are seen (not ``su -c "sudo …"``), and a RUN is
    reported once (at its first ``sudo``), its fix removing every one.
    """

    code = "DF403"
    name = "sudo-in-run"
    summary = "`sudo` used in a RUN"
    safety = Safety.UNSAFE
    severity = "error"
    aliases = ("DL3004",)

    valid = (
        Valid("FROM debian:12\nRUN apt-get update && apt-get install -y sudo\n", "installing sudo is not using it"),
        Valid("FROM debian:12\nRUN echo sudo\n"),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nRUN sudo apt-get update && sudo -E apt-get install -y curl\n",
            "FROM debian:12\nRUN apt-get update && apt-get install -y curl\n",
            "debian runs as root",
            unsafe=True,
            message="`sudo` in a RUN: the build runs as root already, so sudo only resets the environment",
            line=2, column=5,
        ),
        Invalid(
            "FROM jenkins/jenkins:lts\nUSER root\nRUN sudo -- DEBIAN_FRONTEND=noninteractive apt-get update\nUSER jenkins\n",
            "FROM jenkins/jenkins:lts\nUSER root\nRUN DEBIAN_FRONTEND=noninteractive apt-get update\nUSER jenkins\n",
            "an explicit USER root; the assignment stays",
            unsafe=True,
        ),
        Invalid("FROM jenkins/jenkins:lts\nRUN sudo apt-get update\n", None, "the base runs as jenkins"),
        Invalid("FROM debian:12\nRUN sudo -u www-data make\n", None, "a user switch"),
        Invalid("FROM myorg/base:1\nRUN sudo make install\n", None, "the base image's user is unknown"),
        Invalid('FROM debian:12\nRUN ["sudo", "make", "install"]\n', None, "exec form"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.runs():
            model = view.model
            if model is None:
                continue
            uses = [(command, index) for command in model.commands
                    if (index := _sudo_word(command)) is not None]
            if not uses:
                continue
            first, first_index = uses[0]
            where = view.span(first.words[first_index].start, first.words[first_index].end)
            user = None if view.trigger else user_before(context, view.parent or view.run)
            edits, note = None, None
            if view.script is None or view.trigger:
                note = f"not fixed: {view.guard.note if view.guard else 'ONBUILD trigger'}"
            elif user != "root":
                note = ("not fixed: the RUN runs as `" + user + "`, so removing sudo would change who runs it"
                        if user else "not fixed: the user the RUN runs as is not known (the base image's user)")
            else:
                ends = [_harmless_end(command, index) for command, index in uses]
                if None in ends:
                    note = "not fixed: sudo switches user or shell here; move that to `USER` (or gosu at run time)"
                else:
                    edits = [view.script.replace(command.words[index].start, end, "")
                             for (command, index), end in zip(uses, ends)]
            message = ("`sudo` in a RUN: the build runs as root already, so sudo only resets the environment"
                       if user == "root" else "`sudo` in a RUN: set the build user with `USER` instead")
            yield self.diagnostic(
                where, message, edits, title="remove `sudo`", note=note,
                assumes="the commands do not depend on sudo's reset environment (PATH, ENV values)",
            )


def _sudo_word(command: SimpleCommand) -> int | None:
    """The index in ``command.words`` of a ``sudo`` the command runs under (or is), else None."""
    for index, word in enumerate(command.words):
        if word.value is not None and word.value.rsplit("/", 1)[-1] == "sudo":
            if command.name_index is not None and index > command.name_index:
                return None
            return index
        if command.name_index is not None and index >= command.name_index:
            return None
    return None


def _harmless_end(command: SimpleCommand, sudo: int) -> int | None:
    """Where the words to delete with ``sudo`` end (the next word's start), or None when an option matters."""
    words = command.words
    index = sudo + 1
    while index < len(words):
        value = words[index].value or ""
        if value == "--":
            index += 1
            break
        if value.startswith("--"):
            if value.split("=", 1)[0] not in _HARMLESS_LONG:
                return None
        elif value.startswith("-") and len(value) > 1:
            if not set(value[1:]) <= _HARMLESS_LETTERS:
                return None
        else:
            break
        index += 1
    if index >= len(words) or command.name_index is None:
        return None
    return words[index].start
