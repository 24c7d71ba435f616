"""What ``docker build`` refuses in a file that parses, before it runs a single step.

BuildKit reads a Dockerfile in two passes. Its parser (what :func:`dfix.parse`
follows, errors included) accepts any keyword, any flag and any number of
arguments; its second pass (``instructions.Parse`` and the conversion to a
build graph, ``dockerfile2llb``) then rejects an unknown instruction, a flag
the instruction does not take, a ``--mount`` it cannot read, a missing
argument, a ``HEALTHCHECK`` without a command, ``ONBUILD ONBUILD``, an
instruction before the first ``FROM``, a file with no ``FROM``, an ``EXPOSE``
port it cannot read. Such a file never builds, so it is an error to report,
not a file to fix. This module finds those refusals with BuildKit's own
messages (syntax.md §6.3, read from BuildKit's source), each at the
instruction BuildKit names (and, where it helps, at the flag or word at fault).

A value BuildKit expands from variables before checking it (``--mount``
options, ``EXPOSE`` ports) is checked only when it holds no ``$``: its value
is known only at build time, and a refusal must never be a guess.
"""

from __future__ import annotations

import enum
import re
import weakref
from typing import Iterator

import msgspec

from ..patterns import lazy_pattern
from .cst import Dockerfile, Flag, From, Instruction, Span, _span_of
from .meaning import KNOWN_INSTRUCTIONS

__all__ = [
    "INSTRUCTION_FLAGS", "Refusal", "RefusalKind", "expose_problem", "first_refusal", "instruction_refusal", "mount_problem", "reference_problem",
    "refusals",
]

# -- what a refusal is ------------------------------------------------------------------------

class RefusalKind(enum.StrEnum):
    """What a refusal is about. The rules that report refusals pick theirs by kind (an ONBUILD
    trigger, an instruction before FROM and an EXPOSE port out of range have rules of their own)."""

    UNKNOWN_INSTRUCTION = "unknown-instruction"
    BEFORE_FROM = "instruction-before-from"
    NO_STAGE = "no-stage"
    ONBUILD_TRIGGER = "onbuild-trigger"
    FLAG = "flag"
    MOUNT = "mount"
    ARGUMENTS = "arguments"
    HEALTHCHECK = "healthcheck"
    PORT = "port"
    PORT_RANGE = "port-range"
    IMAGE_REFERENCE = "image-reference"


UNKNOWN_INSTRUCTION, BEFORE_FROM, NO_STAGE, ONBUILD_TRIGGER = (
    RefusalKind.UNKNOWN_INSTRUCTION, RefusalKind.BEFORE_FROM, RefusalKind.NO_STAGE, RefusalKind.ONBUILD_TRIGGER,
)
FLAG, MOUNT, ARGUMENTS, HEALTHCHECK, PORT, PORT_RANGE, IMAGE_REFERENCE = (
    RefusalKind.FLAG, RefusalKind.MOUNT, RefusalKind.ARGUMENTS, RefusalKind.HEALTHCHECK, RefusalKind.PORT,
    RefusalKind.PORT_RANGE, RefusalKind.IMAGE_REFERENCE,
)


class Refusal(msgspec.Struct, frozen=True):
    """One reason ``docker build`` stops before building: BuildKit's message, and where."""

    kind: RefusalKind
    #: BuildKit's own message (``unknown instruction: FOO (did you mean FROM?)``).
    message: str
    span: Span
    #: The instruction BuildKit names.
    instruction: Instruction


# -- flags each instruction takes ---------------------------------------------------------------

STRING, BOOL, STRINGS = "string", "bool", "strings"

#: The flags each instruction declares before BuildKit reads them, by type (a ``strings`` flag
#: may repeat). Current BuildKit, labs flags included (``--parents``, ``--exclude``, ``--unpack``,
#: ``--device``): a file that uses them builds with the frontend it names, and a false error
#: would be worse than a missed one. ``None``: the flags are never read, so none is refused.
INSTRUCTION_FLAGS: dict[str, dict[str, str] | None] = {
    "add": {"chown": STRING, "chmod": STRING, "link": BOOL, "keep-git-dir": BOOL, "checksum": STRING,
            "unpack": BOOL, "exclude": STRINGS},
    "copy": {"from": STRING, "chown": STRING, "chmod": STRING, "link": BOOL, "parents": BOOL, "exclude": STRINGS},
    "from": {"platform": STRING},
    "run": {"mount": STRINGS, "network": STRING, "security": STRING, "device": STRINGS},
    "healthcheck": {"interval": STRING, "timeout": STRING, "start-period": STRING, "start-interval": STRING,
                    "retries": STRING},
    "arg": None,
    "stopsignal": None,
}

_RUN_NETWORKS = ("default", "none", "host")
_RUN_SECURITY = ("sandbox", "insecure")
_MOUNT_TYPES = ("bind", "cache", "tmpfs", "secret", "ssh")
_MOUNT_SHARING = ("shared", "private", "locked")
_MOUNT_KEYS = (
    "type", "from", "source", "target", "readonly", "id", "sharing", "required", "size", "mode", "uid", "gid",
    "src", "dst", "destination", "ro", "rw", "readwrite", "env",
)
_INSTRUCTION_NAMES = tuple(sorted(name.upper() for name in KNOWN_INSTRUCTIONS))
_STAGE_NAME = lazy_pattern(r"[a-z][a-z0-9-_.]*")
_HEREDOC_WORD = lazy_pattern(r"[0-9]*<<-?.+")


# -- BuildKit's helpers, as it words them -------------------------------------------------------


def _levenshtein(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]


def did_you_mean(message: str, value: str, options: tuple[str, ...], case_sensitive: bool) -> str:
    """BuildKit's ``suggest.WrapError``: the message, plus `` (did you mean X?)`` for an option within two edits."""
    wanted = value if case_sensitive else value.lower()
    best, best_distance = "", 3
    for option in options:
        candidate = option if case_sensitive else option.lower()
        if candidate == wanted:
            return message  # an exact match: the error is about something else
        distance = _levenshtein(wanted, candidate)
        if distance < best_distance:
            best, best_distance = candidate, distance
            if not case_sensitive:
                if value == value.lower():
                    best = candidate.lower()
                elif value == value.upper():
                    best = candidate.upper()
    return f"{message} (did you mean {best}?)" if best else message


def _go_quote(text: str) -> str:
    """Go's ``%q`` for the plain strings BuildKit quotes."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


_DURATION_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "μs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_DURATION_PART = lazy_pattern(r"([0-9]*(?:\.[0-9]*)?)([^0-9.]*)")


def go_duration(text: str) -> tuple[float | None, str | None]:
    """Go's ``time.ParseDuration``: seconds, or its error message."""
    invalid = f"time: invalid duration {_go_quote(text)}"
    rest = text
    sign = 1.0
    if rest[:1] in "+-" and rest:
        sign = -1.0 if rest[0] == "-" else 1.0
        rest = rest[1:]
    if rest == "0":
        return 0.0, None
    if not rest:
        return None, invalid
    total = 0.0
    while rest:
        match = _DURATION_PART.match(rest)
        number, unit = match.group(1), match.group(2)
        if number in ("", "."):
            return None, invalid
        if not unit:
            return None, f"time: missing unit in duration {_go_quote(text)}"
        if unit not in _DURATION_UNITS:
            # Go's unit runs to the next digit or dot; what follows is the next part
            return None, f"time: unknown unit {_go_quote(unit)} in duration {_go_quote(text)}"
        total += float(number) * _DURATION_UNITS[unit]
        rest = rest[match.end():]
    return sign * total, None


def _go_bool(text: str) -> bool | None:
    """Go's ``strconv.ParseBool``."""
    if text in ("1", "t", "T", "TRUE", "true", "True"):
        return True
    if text in ("0", "f", "F", "FALSE", "false", "False"):
        return False
    return None


# -- one instruction ------------------------------------------------------------------------------


def _line_span(instruction: Instruction) -> Span:
    """The instruction's own line(s), heredoc bodies left out (where BuildKit points)."""
    tokens = instruction.line_tokens
    if tokens[-1].type == "END" and len(tokens) > 1:
        tokens = tokens[:-1]
    return _span_of(tokens)


def _token_span(flag: Flag) -> Span:
    return _span_of((flag.token,))


class _Checker:
    """BuildKit's second pass over one instruction; the first problem it meets is the refusal."""

    def __init__(self, instruction: Instruction) -> None:
        self.instruction = instruction
        self.meaning = instruction.meaning
        self.args = self.meaning.args

    def refuse(self, kind: RefusalKind, message: str, span: Span | None = None) -> Refusal:
        return Refusal(kind, message, span or _line_span(self.instruction), self.instruction)

    # BuildKit's shared messages
    def at_least_one(self) -> Refusal:
        return self.refuse(ARGUMENTS, f"{self.meaning.name.upper()} requires at least one argument")

    def exactly_one(self) -> Refusal:
        return self.refuse(ARGUMENTS, f"{self.meaning.name.upper()} requires exactly one argument")

    def flags(self) -> Refusal | None:
        """``BFlags.Parse``: every flag declared, none repeated (but a list), values of the right type."""
        declared = INSTRUCTION_FLAGS.get(self.meaning.name, {})
        if declared is None:
            return None
        used: set[str] = set()
        for flag in self.instruction.flags:
            raw = flag.text
            if raw == "--":
                return None
            name, has_value, value = flag.name, flag.value is not None, flag.value or ""
            spelled = "--" + name
            kind = declared.get(name)
            if kind is None:
                message = did_you_mean(f"unknown flag: {spelled}", name, tuple(sorted(declared)), True)
                return self.refuse(FLAG, message, _token_span(flag))
            if name in used and kind != STRINGS:
                return self.refuse(FLAG, f"duplicate flag specified: {spelled}", _token_span(flag))
            used.add(name)
            if kind == BOOL:
                if has_value and not value:
                    return self.refuse(FLAG, f"missing a value on flag: {spelled}", _token_span(flag))
                if value.lower() not in ("", "true", "false"):
                    return self.refuse(
                        FLAG, f"expecting boolean value for flag {spelled}, not: {value}", _token_span(flag)
                    )
            elif not has_value:
                return self.refuse(FLAG, f"missing a value on flag: {spelled}", _token_span(flag))
        return None

    def check(self) -> Refusal | None:
        name = self.meaning.name
        if name not in KNOWN_INSTRUCTIONS:
            keyword = self.meaning.keyword
            message = did_you_mean(f"unknown instruction: {keyword}", keyword, _INSTRUCTION_NAMES, False)
            return self.refuse(UNKNOWN_INSTRUCTION, message, _span_of((self.instruction.keyword_token,)))
        return getattr(self, "check_" + name)()

    # -- per instruction, in BuildKit's order of checks -------------------------------------------

    def _key_values(self) -> Refusal | None:
        refused = self.flags()
        if refused:
            return refused
        if not self.args:
            return self.at_least_one()
        if any(not key for key in self.args[0::2]):
            return self.refuse(ARGUMENTS, f"{self.meaning.name.upper()} names can not be blank")
        return None

    check_env = check_label = _key_values

    def _one_string(self) -> Refusal | None:
        if len(self.args) != 1:
            return self.exactly_one()
        return self.flags()

    check_maintainer = check_workdir = check_user = _one_string

    def check_stopsignal(self) -> Refusal | None:
        if len(self.args) != 1:
            return self.exactly_one()
        signal = _literal_word(self.args[0], self.instruction)
        if signal is not None and not _is_signal(signal):
            return self.refuse(ARGUMENTS, f"Invalid signal: {signal}")
        return None

    def _sources_and_destination(self) -> Refusal | None:
        keyword = self.meaning.name.upper()
        if len(self.args) < 2:
            return self.refuse(
                ARGUMENTS,
                f"{keyword} requires at least two arguments, but only one was provided. Destination could not be determined",
            )
        refused = self.flags()
        if refused:
            return refused
        if self.instruction.heredocs and _HEREDOC_WORD.fullmatch(self.args[-1]) and not self.meaning.json:
            return self.refuse(ARGUMENTS, f"{keyword} cannot accept a heredoc as a destination")
        return None

    check_add = check_copy = _sources_and_destination

    def check_from(self) -> Refusal | None:
        args = self.args
        if len(args) == 3 and args[1].lower() == "as":
            if not _STAGE_NAME.fullmatch(args[2].lower()):
                return self.refuse(
                    ARGUMENTS,
                    f"invalid name for build stage: {_go_quote(args[2])}, name can't start with a number or contain symbols",
                )
        elif len(args) != 1:
            return self.refuse(ARGUMENTS, "FROM requires either one or three arguments")
        return self.flags()

    def check_onbuild(self) -> Refusal | None:
        trigger = self.meaning.trigger
        if trigger is None:
            return self.at_least_one()
        refused = self.flags()
        if refused:
            return refused
        keyword = trigger.keyword.upper()
        if keyword == "ONBUILD":
            return self.refuse(ONBUILD_TRIGGER, "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed")
        if keyword in ("MAINTAINER", "FROM"):
            return self.refuse(ONBUILD_TRIGGER, f"{keyword} isn't allowed as an ONBUILD trigger")
        return None

    def check_run(self) -> Refusal | None:
        refused = self.flags()
        if refused:
            return refused
        for flag in self.instruction.flags:
            value = flag.value or ""
            if flag.name == "mount":
                message = mount_problem(value)
                if message:
                    return self.refuse(MOUNT, message, _token_span(flag))
            elif flag.name == "network" and "$" not in value and value not in _RUN_NETWORKS:
                return self.refuse(FLAG, f"invalid network mode {_go_quote(value)}", _token_span(flag))
            elif flag.name == "security" and "$" not in value and value not in _RUN_SECURITY:
                return self.refuse(FLAG, f"security {_go_quote(value)} is not valid", _token_span(flag))
        return None

    def _flags_only(self) -> Refusal | None:
        return self.flags()

    check_cmd = check_entrypoint = _flags_only

    def check_healthcheck(self) -> Refusal | None:
        if not self.args:
            return self.at_least_one()
        kind = self.args[0].upper()
        if kind == "NONE":
            if len(self.args) != 1:
                return self.refuse(HEALTHCHECK, "HEALTHCHECK NONE takes no arguments")
            return None
        refused = self.flags()
        if refused:
            return refused
        if kind != "CMD":
            return self.refuse(HEALTHCHECK, f"Unknown type {_go_quote(kind)} in HEALTHCHECK (try CMD)")
        command = self.args[1:]
        if not command or (not self.meaning.json and not "".join(command)):
            return self.refuse(HEALTHCHECK, "Missing command after HEALTHCHECK CMD")
        values = {flag.name: flag for flag in self.instruction.flags}  # the last one counts
        for name in ("interval", "timeout", "start-period", "start-interval"):
            flag = values.get(name)
            if flag is None or not flag.value:
                continue
            seconds, error = go_duration(flag.value)
            if error:
                return self.refuse(HEALTHCHECK, error, _token_span(flag))
            if seconds and seconds < 0.001:
                return self.refuse(HEALTHCHECK, f'Interval "{name}" cannot be less than 1ms', _token_span(flag))
        retries = values.get("retries")
        if retries is not None and retries.value:
            value = retries.value
            if not re.fullmatch(r"[+-]?[0-9]+", value) or not -(2**31) <= int(value) < 2**31:
                reason = "invalid syntax" if not re.fullmatch(r"[+-]?[0-9]+", value) else "value out of range"
                return self.refuse(
                    HEALTHCHECK, f"strconv.ParseInt: parsing {_go_quote(value)}: {reason}", _token_span(retries)
                )
            if int(value) < 0:
                return self.refuse(HEALTHCHECK, f"--retries cannot be negative ({int(value)})", _token_span(retries))
        return None

    def check_expose(self) -> Refusal | None:
        if not self.args:
            return self.at_least_one()
        refused = self.flags()
        if refused:
            return refused
        for word in self.args:
            literal = _literal_word(word, self.instruction)
            if literal is None:
                continue
            for port in literal.split():
                problem = expose_problem(port)
                if problem:
                    kind, message = problem
                    return self.refuse(kind, message)
        return None

    def check_volume(self) -> Refusal | None:
        if not self.args:
            return self.at_least_one()
        refused = self.flags()
        if refused:
            return refused
        if any(not value.strip() for value in self.args):
            return self.refuse(ARGUMENTS, "VOLUME specified can not be an empty string")
        return None

    def check_arg(self) -> Refusal | None:
        if not self.args:
            return self.at_least_one()
        if any("=" in word and not word.split("=", 1)[0] for word in self.args):
            return self.refuse(ARGUMENTS, "ARG names can not be blank")
        return None

    def check_shell(self) -> Refusal | None:
        refused = self.flags()
        if refused:
            return refused
        if not self.args or (not self.meaning.json and not "".join(self.args)):
            return self.at_least_one()
        if not self.meaning.json:
            return self.refuse(ARGUMENTS, "SHELL requires the arguments to be in JSON form")
        return None


#: The signal names Linux knows (moby's ``signal.SignalMap``), without ``SIG``.
_SIGNALS = frozenset(
    "ABRT ALRM BUS CHLD CLD CONT FPE HUP ILL INT IO IOT KILL PIPE POLL PROF PWR QUIT SEGV STKFLT STOP SYS TERM "
    "TRAP TSTP TTIN TTOU URG USR1 USR2 VTALRM WINCH XCPU XFSZ RTMIN RTMAX".split()
    + [f"RTMIN+{n}" for n in range(1, 16)] + [f"RTMAX-{n}" for n in range(1, 15)]
)


def _is_signal(text: str) -> bool:
    """moby's ``signal.ParseSignal``: a number above 0, or a signal name with or without ``SIG``."""
    if text.isdigit():
        return 0 < int(text) < 2**32
    name = text.upper()
    return (name[3:] if name.startswith("SIG") else name) in _SIGNALS


def _literal_word(word: str, instruction: Instruction) -> str | None:
    """A word as BuildKit's word lexer reads it when it holds no variable (quotes and escapes undone); else None."""
    if "$" in word:
        return None
    escape = "\\"
    out: list[str] = []
    quote = ""
    index = 0
    while index < len(word):
        char = word[index]
        if quote:
            if char == quote:
                quote = ""
            elif char == escape and quote == '"' and index + 1 < len(word) and word[index + 1] in '"\\':
                index += 1
                out.append(word[index])
            else:
                out.append(char)
        elif char in "'\"":
            quote = char
        elif char == escape and index + 1 < len(word):
            index += 1
            out.append(word[index])
        else:
            out.append(char)
        index += 1
    return "".join(out)


def _port_number(text: str) -> tuple[int | None, bool]:
    """A port as BuildKit reads it: (number, out of range); (None, False) when it is not a number."""
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        return None, False
    number = int(text)
    return (number, not 0 <= number <= 65535)


def _port_range(text: str) -> tuple[bool, bool]:
    """(readable, out of range) for ``80`` or ``8000-9000``."""
    if not text:
        return False, False
    start, dash, end = text.partition("-")
    first, first_out = _port_number(start)
    if first is None or first_out:
        return False, first_out
    if not dash or start == end:
        return True, False
    last, last_out = _port_number(end)
    if last is None or last_out:
        return False, last_out
    return last >= first, False


def expose_problem(raw: str) -> tuple[RefusalKind, str] | None:
    """Why BuildKit cannot read one ``EXPOSE`` port spec (``[ip:][host:]port[-port][/proto]``): (kind, message)."""
    parts = raw.split(":")
    if len(parts) == 1:
        host_port, container = "", parts[0]
    else:
        host_port, container = parts[-2], parts[-1]
    port, _, proto = container.partition("/")
    if not port:
        return PORT, f"invalid port: {_go_quote(raw)}: no port specified"
    if proto.lower() not in ("", "tcp", "udp", "sctp"):
        return PORT, f"invalid port: {_go_quote(raw)}: invalid proto: {proto}"
    readable, out_of_range = _port_range(port)
    if not readable:
        return (PORT_RANGE if out_of_range else PORT), f"invalid containerPort: {port}"
    if host_port:
        readable, out_of_range = _port_range(host_port)
        if not readable:
            return (PORT_RANGE if out_of_range else PORT), f"invalid hostPort: {host_port}"
    return None


def mount_problem(value: str) -> str | None:
    """Why BuildKit refuses one ``RUN --mount`` value, or None (values with variables are not judged)."""
    import csv  # only a RUN with mounts needs it

    try:
        fields = next(csv.reader([value]), [])
    except csv.Error as error:
        return f"failed to parse csv mounts: {error}"
    mount_type = "bind"
    seen: dict[str, str] = {}
    for field in fields:
        key, equals, item = field.partition("=")
        key = key.lower()
        if not equals:
            if key in ("readonly", "ro", "readwrite", "rw"):
                continue
            if key == "required":
                if mount_type in ("secret", "ssh"):
                    continue
                return f"unexpected key '{key}' for mount type '{mount_type}'"
            return f"invalid field '{field}' must be a key=value pair"
        if key == "from":
            dollar = item.find("$")
            if dollar != -1 and dollar != len(item) - 1:
                return f"'{key}' doesn't support variable expansion, define alias stage instead"
        if "$" in item:
            if key == "type":
                return None  # the type decides what the rest may be: unknown until the build
            continue
        problem = _mount_option_problem(key, item, field, mount_type)
        if problem:
            return problem
        if key == "type":
            mount_type = item.lower()
        seen[key] = item
    return _mount_combination_problem(mount_type, seen)


def _mount_option_problem(key: str, item: str, field: str, mount_type: str) -> str | None:
    if key == "type":
        if item.lower() not in _MOUNT_TYPES:
            return did_you_mean(f"unsupported mount type {_go_quote(item)}", item, _MOUNT_TYPES, True)
    elif key in ("readonly", "ro", "readwrite", "rw"):
        if _go_bool(item) is None:
            return f"invalid value for {key}: {item}"
    elif key == "required":
        if mount_type not in ("secret", "ssh"):
            return f"unexpected key '{key}' for mount type '{mount_type}'"
        if _go_bool(item) is None:
            return f"invalid value for {key}: {item}"
    elif key == "size":
        if mount_type != "tmpfs":
            return f"unexpected key '{key}' for mount type '{mount_type}'"
        if not re.fullmatch(r"[0-9]+(?:\.[0-9]+)?\s*(?:[kKmMgGtTpP](?:i?[bB])?|[bB])?", item.strip()):
            return f"invalid value for {key}: {item}"
    elif key == "sharing":
        if item.lower() not in _MOUNT_SHARING:
            return did_you_mean(f"unsupported sharing value {_go_quote(item)}", item, _MOUNT_SHARING, True)
    elif key == "mode":
        if not re.fullmatch(r"\+?[0-7]+", item) or int(item, 8) >= 2**32:
            return f"invalid value {item} for mode"
    elif key in ("uid", "gid"):
        if not re.fullmatch(r"\+?[0-9]+", item) or int(item) >= 2**32:
            return f"invalid value {item} for {key}"
    elif key not in ("from", "source", "src", "target", "dst", "destination", "id", "env"):
        return did_you_mean(f"unexpected key '{key}' in '{field}'", key, _MOUNT_KEYS, True)
    return None


def _mount_combination_problem(mount_type: str, seen: dict[str, str]) -> str | None:
    if mount_type not in ("secret", "ssh", "cache"):
        for key in ("mode", "uid", "gid"):
            if key in seen:
                return f"{key} not allowed for {_go_quote(mount_type)} type mounts"
    if mount_type == "secret":
        if seen.get("from"):
            return "secret mount should not have a from"
        if seen.get("sharing"):
            return "secret mount should not define sharing"
        source = seen.get("source") or seen.get("src")
        target = seen.get("target") or seen.get("dst") or seen.get("destination")
        if not source and not target and not seen.get("id") and "env" not in seen:
            return "invalid secret mount. one of source, target required"
        if source and seen.get("id"):
            return "both source and id can't be set"
    if seen.get("sharing") and mount_type != "cache":
        return f"invalid cache sharing set for {mount_type} mount"
    return None


# -- image references (the distribution/reference grammar BuildKit parses FROM with) ---------------

_ALPHANUMERIC = r"[a-z0-9]+"
_SEPARATOR = r"(?:[._]|__|[-]+)"
_PATH_COMPONENT = f"{_ALPHANUMERIC}(?:{_SEPARATOR}{_ALPHANUMERIC})*"
_DOMAIN_COMPONENT = r"(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])"
_HOST = rf"(?:{_DOMAIN_COMPONENT}(?:\.{_DOMAIN_COMPONENT})*|\[[a-fA-F0-9:]+\])"
_NAME = rf"(?:{_HOST}(?::[0-9]+)?/)?{_PATH_COMPONENT}(?:/{_PATH_COMPONENT})*"
_REFERENCE = lazy_pattern(
    rf"({_NAME})(?::([\w][\w.-]{{0,127}}))?(?:@([A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{{32,}}))?"
)
_HEX_IDENTIFIER = lazy_pattern(r"[a-f0-9]{64}")


def reference_problem(name: str) -> str | None:
    """Why ``reference.ParseNormalizedNamed`` refuses an image name (Docker's grammar), or None."""
    if _HEX_IDENTIFIER.fullmatch(name):
        return f"invalid repository name ({name}), cannot specify 64-byte hexadecimal strings"
    slash = name.find("/")
    first = name[:slash]
    if slash == -1 or (not any(c in first for c in ".:") and first != "localhost" and first.lower() == first):
        domain, remainder = "docker.io", name
    else:
        domain, remainder = first, name[slash + 1:]
    if domain == "index.docker.io":
        domain = "docker.io"
    if domain == "docker.io" and "/" not in remainder:
        remainder = "library/" + remainder
    remote = remainder.split(":", 1)[0]
    if remote.lower() != remote:
        return f"invalid reference format: repository name ({remote}) must be lowercase"
    full = f"{domain}/{remainder}"
    match = _REFERENCE.fullmatch(full)
    if match is None:
        if _REFERENCE.fullmatch(full.lower()):
            return "invalid reference format: repository name must be lowercase"
        return "invalid reference format"
    if len(match.group(1)) > 255:
        return "invalid reference format: repository name must not be more than 255 characters"
    return None


def _base_image_refusal(instruction: From, stages: set[str]) -> Refusal | None:
    """A literal ``FROM`` image name BuildKit cannot parse (names from ARGs are known only at build time)."""
    args = instruction.meaning.args
    base = _literal_word(args[0], instruction) if args else None  # BuildKit's word lexer reads it first
    if not base:
        return None
    if base.lower() in stages or base == "scratch":
        return None
    problem = reference_problem(base)
    if problem is None:
        return None
    token = instruction.image_token
    span = _span_of((token,)) if token is not None else _line_span(instruction)
    return Refusal(IMAGE_REFERENCE, f"failed to parse stage name {_go_quote(base)}: {problem}", span, instruction)


def instruction_refusal(instruction: Instruction) -> Refusal | None:
    """Why BuildKit refuses this instruction on its own (its ONBUILD trigger is read only by later builds)."""
    return _Checker(instruction).check()


# -- the whole file -------------------------------------------------------------------------------

_cache: "weakref.WeakKeyDictionary[Dockerfile, tuple[Refusal, ...]]" = weakref.WeakKeyDictionary()


def _find(tree: Dockerfile) -> Iterator[Refusal]:
    seen_from = False
    stages: set[str] = set()
    for instruction in tree.instructions:
        refusal = instruction_refusal(instruction)
        if refusal is not None:
            yield refusal
        if isinstance(instruction, From):
            seen_from = True
            if refusal is None:
                refusal = _base_image_refusal(instruction, stages)
                if refusal is not None:
                    yield refusal
            if instruction.stage_name:
                stages.add(instruction.stage_name)
        elif not seen_from and instruction.meaning.name != "arg" and instruction.meaning.name in KNOWN_INSTRUCTIONS:
            yield Refusal(BEFORE_FROM, "no build stage in current context", _line_span(instruction), instruction)
    if not seen_from and tree.instructions:
        first = tree.instructions[0]
        yield Refusal(NO_STAGE, "dockerfile contains no stages to build", _line_span(first), first)


def refusals(tree: Dockerfile) -> tuple[Refusal, ...]:
    """Every refusal in the file, in file order (computed once per tree)."""
    found = _cache.get(tree)
    if found is None:
        found = _cache[tree] = tuple(_find(tree))
    return found


def first_refusal(tree: Dockerfile) -> Refusal | None:
    """The refusal a build would stop at first, or None when the build gets past reading the file."""
    found = refusals(tree)
    return found[0] if found else None

