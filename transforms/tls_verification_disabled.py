"""DF410 tls-verification-disabled: a download or a tool told not to check TLS certificates."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.shell import SimpleCommand, package_command
from dfix.syntax import Arg, Env, Instruction, Onbuild

#: curl's short options that take an argument: in a cluster (``-sSLk``) the letters after one are its value.
_CURL_ARGUMENT_LETTERS = frozenset("AbcCdDeEFHKmoPQrtTuUwxXyYz")
#: Values that switch a check off (``GIT_SSL_NO_VERIFY`` is the other way round: any value turns it on).
_OFF = frozenset({"0", "false", "no", "off"})
_ON = frozenset({"1", "true", "yes", "on"})

#: Environment variables that turn TLS checks off, with what decides it: "off" (the value is false, 0 ...),
#: "on" (the value is true, 1 ...) or "set" (any value).
_VARIABLES: dict[str, tuple[str, str]] = {
    "NODE_TLS_REJECT_UNAUTHORIZED": ("off", "every Node.js program"),
    "PYTHONHTTPSVERIFY": ("off", "Python's HTTPS clients"),
    "NPM_CONFIG_STRICT_SSL": ("off", "npm"),
    "YARN_STRICT_SSL": ("off", "Yarn"),
    "GIT_SSL_NO_VERIFY": ("set", "git"),
    "PIP_TRUSTED_HOST": ("set", "pip, for the hosts it names"),
    "GOINSECURE": ("set", "the Go tool, for the modules it names"),
    "GOFLAGS": ("insecure", "the Go tool"),
}
_SSLVERIFY_OFF = re.compile(r"(?:^|[.=])sslverify\s*=\s*(?:0|false|no|off)$", re.IGNORECASE)

_NOTE = (
    "not fixed: the check may fail for a reason the file does not show (a private certificate authority, or no "
    "ca-certificates in the image); install that authority or ca-certificates, and drop the option"
)


def _curl_insecure(word: str) -> bool:
    """``-k``, ``--insecure``, or a cluster of flags that holds ``k`` before any option that takes a value."""
    if word in ("-k", "--insecure"):
        return True
    if not re.fullmatch(r"-[A-Za-z#]+", word):
        return False
    for letter in word[1:]:
        if letter == "k":
            return True
        if letter in _CURL_ARGUMENT_LETTERS:
            return False
    return False


def _command_finding(command: SimpleCommand) -> str | None:
    """How ``command`` turns TLS checks off (the words that do it), or None."""
    words = [word.value if word.value is not None else word.text for word in command.args]
    name = command.name
    if name == "curl":
        flag = next((word for word in words if _curl_insecure(word)), None)
        return f"`curl {flag}`" if flag else None
    if name == "wget":
        return "`wget --no-check-certificate`" if "--no-check-certificate" in words else None
    if name == "git":
        for index, word in enumerate(words):
            if word == "-c" and index + 1 < len(words) and _SSLVERIFY_OFF.search(words[index + 1]):
                return f"`git -c {words[index + 1]}`"
        if words[:1] == ["config"]:
            keys = [word for word in words[1:] if not word.startswith("-")]
            if len(keys) >= 2 and keys[0].lower().endswith("sslverify") and keys[1].lower() in _OFF:
                return f"`git config {keys[0]} {keys[1]}`"
        return None
    if name in ("npm", "yarn", "pnpm"):
        if words[:2] == ["config", "set"] and len(words) >= 4 and words[2] == "strict-ssl" and words[3].lower() in _OFF:
            return f"`{name} config set strict-ssl {words[3]}`"
        if any(word.lower() in ("--strict-ssl=false", "--strict-ssl=0") for word in words):
            return f"`{name} --strict-ssl=false`"
        return None
    invocation = package_command(command)
    if invocation is not None and invocation.manager == "pip":
        if any(word == "--trusted-host" or word.startswith("--trusted-host=") for word in words):
            return "`pip --trusted-host`"
    if invocation is not None and invocation.family == "rpm":
        setting = next((word for word in words if word.startswith("--setopt=") and _SSLVERIFY_OFF.search(word)), None)
        if setting:
            return f"`{invocation.manager} {setting}`"
    return None


def _variable_finding(key: str, value: str | None) -> str | None:
    """The tool a variable assignment turns TLS checks off for, or None."""
    known = _VARIABLES.get(key.upper())
    if known is None or value is None:
        return None
    test, tool = known
    value = value.strip().strip("\"'").strip().lower()
    if test == "off" and value in _OFF:
        return tool
    if test == "on" and value in _ON:
        return tool
    if test == "set" and value and value not in _OFF:
        return tool
    if test == "insecure" and "-insecure" in value:
        return tool
    return None


class TlsVerificationDisabled(Rule):
    """A download or a tool told not to check TLS certificates.

    **What.** In a RUN: ``curl -k``/``--insecure`` (also in a cluster such
    as ``-fsSLk``), ``wget --no-check-certificate``, ``git -c
    http.sslVerify=false`` and ``git config http.sslVerify false``, ``pip
    --trusted-host``, ``npm``/``yarn config set strict-ssl false`` and
    ``--strict-ssl=false``, ``yum``/``dnf --setopt=sslverify=0``. In an
    ``ENV`` or ``ARG`` (or a variable set for one command of a RUN):
    ``NODE_TLS_REJECT_UNAUTHORIZED=0``, ``PYTHONHTTPSVERIFY=0``,
    ``NPM_CONFIG_STRICT_SSL=false``, ``GIT_SSL_NO_VERIFY``,
    ``PIP_TRUSTED_HOST``, ``GOINSECURE`` and ``GOFLAGS=-insecure``.

    **Why.** Without the certificate check anyone on the path between the
    build and the server can hand the build another file: the image then
    runs code nobody checked. An ``ENV`` keeps the check off in every
    container started from the image too.

    **Not fixed** (report only): dropping the option makes the build fail
    wherever the check fails for a reason the file does not show, such as
    a server with a private certificate authority, or an image without
    ``ca-certificates``. The repair is to install the authority (or
    ``ca-certificates``) and then drop the option.
    """

    code = "DF410"
    name = "tls-verification-disabled"
    summary = "TLS verification turned off"
    safety = Safety.NONE
    severity = "warning"

    valid = (
        Valid("FROM debian\nRUN curl -fsSL https://example.com/a.tgz -o /tmp/a.tgz\n"),
        Valid("FROM debian\nRUN curl -fsSL -u key:secret https://example.com/a\n",
              "`k` in the value of `-u`, not a flag"),
        Valid("FROM debian\nRUN git config --global http.sslVerify true\n"),
        Valid("FROM node:20\nENV NODE_TLS_REJECT_UNAUTHORIZED=1\n"),
        Valid("FROM debian\nRUN wget -q https://example.com/a.tgz\n"),
        Valid("FROM python:3.12\nENV PIP_TRUSTED_HOST=\n", "an empty value trusts no host"),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN curl -fsSLk https://example.com/install.sh | sh\n",
            None,
            "a flag in a cluster",
            message="`curl -fsSLk` turns off the TLS certificate check: anyone on the way can hand the build "
                    "another file",
            line=2, column=5,
        ),
        Invalid("FROM debian\nRUN wget --no-check-certificate https://example.com/a.tgz\n"),
        Invalid("FROM debian\nRUN git -c http.sslVerify=false clone https://example.com/a.git\n"),
        Invalid("FROM python:3.12\nRUN pip install --trusted-host pypi.example.com -r requirements.txt\n"),
        Invalid("FROM node:20\nRUN npm config set strict-ssl false && npm ci\n"),
        Invalid("FROM fedora:40\nRUN dnf install -y --setopt=sslverify=0 git\n"),
        Invalid(
            "FROM node:20\nENV NODE_TLS_REJECT_UNAUTHORIZED=0\n",
            None,
            "an ENV keeps the check off in every container too",
            message="`NODE_TLS_REJECT_UNAUTHORIZED=0` turns off the TLS certificate check for every Node.js "
                    "program, in the build and in every container started from the image",
        ),
        Invalid("FROM debian\nARG GIT_SSL_NO_VERIFY=1\nRUN git clone https://example.com/a.git\n"),
        Invalid("FROM debian\nRUN GIT_SSL_NO_VERIFY=true git clone https://example.com/a.git\n",
                None, "a variable set for one command"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view, command in context.shell_commands():
            where = view.span(command.start, command.end)
            spelled = _command_finding(command)
            if spelled is not None:
                yield self.diagnostic(
                    where,
                    f"{spelled} turns off the TLS certificate check: anyone on the way can hand the build another file",
                    note=_NOTE,
                )
            for assignment in command.assignments:
                tool = _variable_finding(assignment.name, assignment.value)
                if tool is not None:
                    yield self.diagnostic(
                        where, f"`{assignment.name}={assignment.value}` turns off the TLS certificate check for {tool}",
                        note=_NOTE,
                    )
        for instruction in context.tree.instructions:
            target = instruction.trigger if isinstance(instruction, Onbuild) else instruction
            if isinstance(target, (Env, Arg)):
                yield from self._variables(instruction, target)

    def _variables(self, instruction: Instruction, target: Env | Arg) -> Iterator[Diagnostic]:
        for key, value in target.pairs:
            tool = _variable_finding(key, value)
            if tool is None:
                continue
            where = (", in the build and in every container started from the image" if isinstance(target, Env)
                     else ", in the RUNs of the build that read it")
            yield self.diagnostic(
                instruction,
                f"`{key}={value}` turns off the TLS certificate check for {tool}{where}",
                note=_NOTE,
            )
