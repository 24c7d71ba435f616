"""What the download rules (DF250, DF251, DF252) share: reading ``curl`` and ``wget`` commands.

Both programs take options anywhere on the line, bundle short flags
(``curl -fsSL``, ``wget -qO-``) and take option arguments attached or as
the next word; which options take one is program knowledge, kept here as
`OptionGrammar` tables so that ``curl -o -`` is an output to stdout and
not a flag called ``-``. Also here: where a command's output goes (a pipe
into which program, a redirection of stdout or stderr), and which stages a
RUN belongs to.
"""

from __future__ import annotations

import re

import msgspec

from dfix.patterns import lazy_pattern
from dfix.shell import Option, OptionGrammar, ShellScript, SimpleCommand

__all__ = [
    "CURL",
    "WGET",
    "options_of",
    "has_any",
    "Pipe",
    "pipe_reader",
    "stdout_redirect",
    "stderr_redirected",
    "powershell_alias",
]

#: curl's short options that take an argument (``-o FILE``, ``-H HEADER``, ``-w FORMAT`` ...) and the long
#: ones a Dockerfile meets; an unknown long option is read as a flag, whose argument then looks like a URL.
CURL = OptionGrammar(
    frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz"),
    frozenset({
        "--output", "--url", "--header", "--data", "--data-raw", "--data-binary", "--data-urlencode", "--user",
        "--cookie", "--cookie-jar", "--write-out", "--config", "--max-time", "--connect-timeout", "--retry",
        "--retry-delay", "--retry-max-time", "--proxy", "--request", "--cacert", "--capath", "--cert", "--key",
        "--range", "--user-agent", "--referer", "--form", "--upload-file", "--dump-header", "--limit-rate",
        "--output-dir", "--resolve", "--interface", "--proto", "--proto-redir", "--create-file-mode",
        "--continue-at", "--speed-time", "--speed-limit", "--time-cond", "--oauth2-bearer", "--netrc-file",
    }),
)

#: GNU wget's short options that take an argument; ``-n`` takes its letter attached (``-nv``, ``-nc``).
#: BusyBox wget's options are a subset.
WGET = OptionGrammar(
    frozenset("oaiBetOTwQPUlARDIXYn"),
    frozenset({
        "--output-file", "--append-output", "--input-file", "--base", "--execute", "--tries",
        "--output-document", "--timeout", "--wait", "--quota", "--directory-prefix", "--user-agent", "--level",
        "--accept", "--reject", "--domains", "--include-directories", "--exclude-directories", "--header",
        "--user", "--password", "--http-user", "--http-password", "--post-data", "--post-file",
        "--load-cookies", "--save-cookies", "--ca-certificate", "--certificate", "--private-key",
        "--dns-timeout", "--connect-timeout", "--read-timeout", "--limit-rate", "--referer", "--bind-address",
    }),
)


def options_of(command: SimpleCommand, grammar: OptionGrammar) -> tuple[Option, ...]:
    """The options ``command``'s program reads, with their arguments."""
    return command.options(grammar)


def has_any(options: tuple[Option, ...], *names: str) -> bool:
    """Any of ``names`` is given: a short flag also inside a bundle (``-fsSL`` has ``-f``), a long one
    by its name with or without ``=value``, or any option starting with a name ending in ``*``."""
    for option in options:
        for name in names:
            if name.endswith("*"):
                if option.name.startswith(name[:-1]):
                    return True
            elif option.matches(name):
                return True
    return False


class Pipe(msgspec.Struct, frozen=True):
    """The command reading another's stdout through ``|``, and whether stderr goes along (``|&``)."""

    reader: SimpleCommand
    with_stderr: bool


def pipe_reader(model: ShellScript, command: SimpleCommand) -> Pipe | None:
    """The command right after ``command`` in its pipeline, or None when ``command`` writes nowhere else.

    Commands are in source order; the next one is the reader when only a
    ``|`` (or ``|&``) separates them.
    """
    commands = model.commands
    for index, other in enumerate(commands):
        if other is command and index + 1 < len(commands):
            following = commands[index + 1]
            between = model.text[command.end:following.start].strip()
            if between in ("|", "|&"):
                return Pipe(following, between == "|&")
            return None
    return None


def stdout_redirect(command: SimpleCommand) -> str | None:
    """The file ``command``'s stdout is redirected to (``> file``, ``1>>file``, ``&> file``), if any."""
    for redirect in command.redirects:
        if redirect.operator in (">", ">>", ">|", "&>", "&>>") and redirect.descriptor in (None, "1"):
            target = redirect.target
            return target.value if target is not None and target.value is not None else (target.text if target else "")
    return None


def stderr_redirected(model: ShellScript, command: SimpleCommand) -> bool:
    """``command``'s stderr goes somewhere a later command may read (``2>&1``, ``2> file``, ``&>``, ``|&``)."""
    for redirect in command.redirects:
        if redirect.descriptor == "2" or redirect.operator in ("&>", "&>>", ">&"):
            target = redirect.target.value if redirect.target is not None else None
            if target != "/dev/null":
                return True
    pipe = pipe_reader(model, command)
    return pipe is not None and pipe.with_stderr


#: Parameters of PowerShell's ``Invoke-WebRequest``, which Windows PowerShell also answers to as ``wget``
#: and ``curl``.
_POWERSHELL_PARAMETERS = lazy_pattern(r"-(OutFile|Uri|UseBasicParsing|Headers|Method|Proxy|Credential|TimeoutSec)$",
                                    re.IGNORECASE)


def powershell_alias(command: SimpleCommand) -> bool:
    """``wget URL -OutFile x``: PowerShell's Invoke-WebRequest, under a base dfix did not know was Windows."""
    return any(_POWERSHELL_PARAMETERS.match(word.value or "") for word in command.args)
