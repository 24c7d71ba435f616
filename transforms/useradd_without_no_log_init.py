"""DF104 useradd-without-no-log-init: a large UID makes ``useradd`` write huge sparse log files."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import OptionGrammar, SimpleCommand

from ._packages import environment_value, inline_value

#: ``useradd``'s options that take an argument (shadow-utils 4.x), so their values are not read as flags.
_USERADD = OptionGrammar(
    frozenset("bcdefgGkKpsuRPZF"),
    frozenset({"--base-dir", "--comment", "--home-dir", "--expiredate", "--inactive", "--gid", "--groups",
               "--skel", "--key", "--password", "--shell", "--uid", "--root", "--prefix", "--selinux-user",
               "--selinux-range", "--btrfs-subvolume-home"}),
)
_VARIABLE = lazy_pattern(r"^\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?$")


class UseraddWithoutNoLogInit(Rule):
    """Add ``--no-log-init`` to ``useradd`` with a large UID.

    **What** (hadolint's DL3046): ``useradd`` given a UID of more than
    ``max-uid-digits`` digits (default 5, hadolint's threshold) without
    ``-l``/``--no-log-init``.

    **Why.** ``useradd`` records the new user in ``/var/log/lastlog`` and
    ``/var/log/faillog``, files indexed by UID: for UID 123456789 they become
    sparse files of tens of gigabytes, and a layer stores them densely, so
    the build fills the disk or the image balloons.

    **Fix** (safe): insert `` --no-log-init`` right after ``useradd``; the
    user only misses its empty lastlog/faillog entries. A UID written as a
    variable counts with the default its ``ARG``/``ENV`` gives it in the
    file; with no default its size is unknown, so nothing is reported
    (hadolint measures the variable's *name*: ``-u $USER_ID`` has more than
    five characters, and ``ARG USER_ID=1000`` makes that a false finding;
    it also misses the long ``--uid``).
    ``adduser`` is another tool, without this option.
    """

    code = "DF104"
    name = "useradd-without-no-log-init"
    summary = "`useradd` with a large UID and without `--no-log-init`"
    safety = Safety.SAFE
    aliases = ("DL3046",)
    options = {"max-uid-digits": 5}

    valid = (
        Valid("FROM debian\nRUN useradd -u 1000 app\n", "a small UID"),
        Valid("FROM debian\nRUN useradd -l -u 100000000 app\n"),
        Valid("FROM debian\nRUN useradd --no-log-init --uid 100000000 app\n"),
        Valid("FROM debian\nRUN useradd -lu 100000000 app\n", "combined short flags"),
        Valid("FROM debian\nARG USER_ID=1000\nRUN useradd -u $USER_ID app\n", "the variable's default is small"),
        Valid("FROM debian\nARG USER_ID\nRUN useradd -u ${USER_ID} app\n", "no default: the size is unknown"),
        Valid("FROM alpine\nRUN adduser -D -u 100000000 app\n", "`adduser` has no such option"),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN useradd -u 123456789 -m app\n",
            "FROM debian\nRUN useradd --no-log-init -u 123456789 -m app\n",
            message="`useradd` with a UID of 9 digits and without `--no-log-init` writes lastlog/faillog files of "
                    "gigabytes into the layer",
            line=2, column=5,
        ),
        Invalid(
            "FROM debian\nRUN groupadd -g 1000001 app && \\\n    useradd --uid=1000001 -g app app\n",
            "FROM debian\nRUN groupadd -g 1000001 app && \\\n    useradd --no-log-init --uid=1000001 -g app app\n",
            "`--uid=` and a continuation",
        ),
        Invalid(
            "FROM debian\nARG UID=1000001\nRUN useradd -u \"${UID}\" app\n",
            "FROM debian\nARG UID=1000001\nRUN useradd --no-log-init -u \"${UID}\" app\n",
            "the variable's default is large",
        ),
        Invalid(
            "FROM debian\nRUN sudo /usr/sbin/useradd -u 1000001 app\n",
            "FROM debian\nRUN sudo /usr/sbin/useradd --no-log-init -u 1000001 app\n",
            "through sudo, a full path",
        ),
        Invalid('FROM debian\nRUN ["useradd", "-u", "1000001", "app"]\n', None, "exec form: reported, never rewritten"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        limit = int(self.settings["max-uid-digits"])
        for view in context.shell_runs():
            for command in view.model.commands:
                if command.name != "useradd":
                    continue
                options = command.options(_USERADD)
                if any(option.matches("-l") or option.name == "--no-log-init" for option in options):
                    continue
                uid = next((option for option in options if option.matches("-u") or option.name == "--uid"), None)
                if uid is None:
                    continue
                digits = self._uid(context, view, command, uid)
                if digits is None or len(digits) <= limit:
                    continue
                message = (f"`useradd` with a UID of {len(digits)} digits and without `--no-log-init` writes "
                           "lastlog/faillog files of gigabytes into the layer")
                where = view.span(command.start, command.end)
                if view.script is None:
                    yield self.diagnostic(where, message, note=f"not fixed: {view.guard.note}")
                    continue
                yield self.diagnostic(
                    where, message, [view.script.insert(command.name_word.end, " --no-log-init")],
                    title="add `--no-log-init`",
                )

    @staticmethod
    def _uid(context: Context, view, command: SimpleCommand, option) -> str | None:
        """The UID's digits: written, or the default of the variable it names; None when unknown."""
        if option.argument is not None:
            value = option.argument
        else:
            word = option.words[-1]
            text = word.text.strip("\"'")
            if option.argument_word is None:
                text = text.split("=", 1)[1] if "=" in text else text[2:]
            match = _VARIABLE.match(text)
            if match is None:
                return None
            name = match.group(1)
            inline = inline_value(view.model, command, name)
            value = inline if inline not in (None, "$") else environment_value(context, view.parent or view.run, name)
        if value is None or not value.isdigit():
            return None
        return value
