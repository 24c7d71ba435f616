"""What docker build refuses in a file that parses: BuildKit's messages, at BuildKit's places."""

from __future__ import annotations

import pytest

import dfix
from dfix.syntax import RefusalKind, first_refusal, instruction_refusal, refusals, text_problem
from dfix.syntax.build_checks import did_you_mean, expose_problem, go_duration, mount_problem


def messages(text: str) -> list[tuple[str, str, int]]:
    return [(str(r.kind), r.message, r.span.line) for r in refusals(dfix.parse(text))]


@pytest.mark.parametrize(
    "text, message",
    [
        ("FROM a\nENV\n", "ENV requires at least one argument"),
        ("FROM a\nLABEL =x\n", "LABEL names can not be blank"),
        ("FROM a\nARG =v\n", "ARG names can not be blank"),
        ("FROM a\nUSER\n", "USER requires exactly one argument"),
        ("FROM a\nCOPY app\n", "COPY requires at least two arguments, but only one was provided. Destination could not be determined"),
        ("FROM a\nCOPY a <<EOF\nx\nEOF\n", "COPY cannot accept a heredoc as a destination"),
        ("FROM a b\n", "FROM requires either one or three arguments"),
        ("FROM a AS 1x\n", 'invalid name for build stage: "1x", name can\'t start with a number or contain symbols'),
        ("FROM a\nSHELL sh -c\n", "SHELL requires the arguments to be in JSON form"),
        ('FROM a\nVOLUME [" "]\n', "VOLUME specified can not be an empty string"),
        ("FROM a\nHEALTHCHECK CMD\n", "Missing command after HEALTHCHECK CMD"),
        ("FROM a\nHEALTHCHECK NONE x\n", "HEALTHCHECK NONE takes no arguments"),
        ("FROM a\nHEALTHCHECK CONNECT TCP 7000\n", 'Unknown type "CONNECT" in HEALTHCHECK (try CMD)'),
        ("FROM a\nHEALTHCHECK --interval=5 CMD x\n", 'time: missing unit in duration "5"'),
        ("FROM a\nHEALTHCHECK --timeout=1us CMD x\n", 'Interval "timeout" cannot be less than 1ms'),
        ("FROM a\nHEALTHCHECK --retries=-2 CMD x\n", "--retries cannot be negative (-2)"),
        ("FROM a\nADD --link=yes a b\n", "expecting boolean value for flag --link, not: yes"),
        ("FROM a\nCOPY --chown a b\n", "missing a value on flag: --chown"),
        ("FROM a\nCOPY --from=x --from=y a b\n", "duplicate flag specified: --from"),
        ("FROM a\nWORKDIR --x=1 /app\n", "unknown flag: --x"),
        ("FROM a\nRUN --network=hots make\n", 'invalid network mode "hots"'),
        ("FROM a\nrunn make\n", "unknown instruction: runn (did you mean run?)"),
        ("FROM a\nEXPOSE 80/tcpx\n", 'invalid port: "80/tcpx": invalid proto: tcpx'),
        ("FROM a\nEXPOSE 90-80\n", "invalid containerPort: 90-80"),
    ],
)
def test_buildkit_messages(text, message):
    found = messages(text)
    assert found and found[0][1] == message, found


@pytest.mark.parametrize(
    "text",
    [
        "FROM a\nRUN\n",
        "FROM a\nCMD\n",
        "FROM a\nHEALTHCHECK NONE\n",
        "FROM a\nSTOPSIGNAL --anything SIGTERM\n",  # BuildKit never reads STOPSIGNAL's flags
        "ARG --anything=1 X\nFROM a\n",  # nor ARG's
        "FROM a\nONBUILD FOO bar\n",  # a trigger is read by the builds FROM this image, not by this one
        "FROM a\nCOPY --parents --exclude=a --exclude=b x /y/\nADD --unpack --checksum=sha256:00 x /y\n",
        "FROM a\nRUN --device=nvidia.com/gpu=all --security=insecure --network=none make\n",
        "FROM a\nRUN --mount=type=secret,id=token,env=TOKEN,required make\n",
        "FROM a\nRUN --mount=type=tmpfs,target=/t,size=64m make\n",
        "FROM a\nRUN --mount=type=cache,target=/c,sharing=locked,mode=0755,uid=1000 make\n",
        "FROM a\nRUN --mount=type=$KIND,target=/c,uid=1 make\n",
        "FROM a\nRUN --mount=from=builder,source=/out,target=/in make\n",
        'FROM a\nEXPOSE 80 443/tcp 53/udp 9000-9010 0 65535 "8080" $PORT ${P:-1}\n',
        "FROM a\nEXPOSE 127.0.0.1:8080:80 8080:80/udp\n",  # host parts: BuildKit warns (DF612), it does not refuse
    ],
)
def test_what_builds_is_not_refused(text):
    assert messages(text) == []


def test_mount_option_checks():
    assert mount_problem("type=cache,target=/c") is None
    assert mount_problem("type=foo") == 'unsupported mount type "foo"'
    assert mount_problem("type=cahce") == 'unsupported mount type "cahce" (did you mean cache?)'
    assert mount_problem("target=/c,required") == "unexpected key 'required' for mount type 'bind'"
    assert mount_problem("type=bind,uid=1") == 'uid not allowed for "bind" type mounts'
    assert mount_problem("type=secret,from=x,id=a") == "secret mount should not have a from"
    assert mount_problem("type=secret") == "invalid secret mount. one of source, target required"
    assert mount_problem("type=bind,sharing=locked") == "invalid cache sharing set for bind mount"
    assert mount_problem("from=$STAGE,target=/x") == "'from' doesn't support variable expansion, define alias stage instead"
    assert mount_problem("target") == "invalid field 'target' must be a key=value pair"
    assert mount_problem("type=cache,target=/c,rw=maybe") == "invalid value for rw: maybe"


def test_expose_ports():
    assert expose_problem("80") is None
    assert expose_problem("65536") == (RefusalKind.PORT_RANGE, "invalid containerPort: 65536")
    assert expose_problem("70000:80") == (RefusalKind.PORT_RANGE, "invalid hostPort: 70000")
    assert expose_problem("abc") == (RefusalKind.PORT, "invalid containerPort: abc")
    assert expose_problem("/tcp") == (RefusalKind.PORT, 'invalid port: "/tcp": no port specified')


def test_go_durations():
    assert go_duration("1m30s") == (90.0, None)
    assert go_duration("0") == (0.0, None)
    assert go_duration("1.5h")[0] == 5400.0
    assert go_duration("5")[1] == 'time: missing unit in duration "5"'
    assert go_duration("")[1] == 'time: invalid duration ""'


def test_did_you_mean_keeps_the_writers_case():
    names = ("FROM", "RUN", "WORKDIR")
    assert did_you_mean("m", "WORDIR", names, False) == "m (did you mean WORKDIR?)"
    assert did_you_mean("m", "wordir", names, False) == "m (did you mean workdir?)"
    assert did_you_mean("m", "TOTALLYDIFFERENT", names, False) == "m"


def test_file_level_refusals():
    assert messages("LABEL a=b\nRUN x\nFROM a\nRUN y\n") == [
        ("instruction-before-from", "no build stage in current context", 1),
        ("instruction-before-from", "no build stage in current context", 2),
    ]
    assert messages("ARG A=1\n") == [("no-stage", "dockerfile contains no stages to build", 1)]
    assert messages("# syntax=docker/dockerfile:1\nARG A\nFROM a\n") == []


def test_onbuild_triggers():
    assert messages("FROM a\nONBUILD ONBUILD RUN x\n")[0][:2] == (
        "onbuild-trigger", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"
    )
    assert messages("FROM a\nONBUILD from b\n")[0][1] == "FROM isn't allowed as an ONBUILD trigger"
    assert messages("FROM a\nONBUILD\n")[0][1] == "ONBUILD requires at least one argument"


def test_positions_point_at_the_flag():
    refusal = first_refusal(dfix.parse("FROM a\nCOPY --link --form=b a b\n"))
    assert refusal is not None and (refusal.span.line, refusal.span.column) == (2, 13)


def test_a_trigger_checked_on_its_own():
    tree = dfix.parse("FROM a\nONBUILD RUN --mount=type=nope make\n")
    onbuild = tree.instructions[1]
    assert instruction_refusal(onbuild) is None
    assert instruction_refusal(onbuild.trigger).message == 'unsupported mount type "nope"'


def test_binary_and_utf16_files_are_not_text():
    assert text_problem("FROM a\nRUN x\n") is None
    assert text_problem("FROM a\n# caf\udce9\n") is None  # invalid UTF-8 (Latin-1) builds fine
    elf = b"\x7fELF\x02\x01\x01\x00\x00".decode("utf-8", "surrogateescape")
    problem = text_problem(elf)
    assert problem is not None and "not text" in problem.message and (problem.line, problem.column) == (1, 8)
    utf16 = b"\xff\xfe".decode("utf-8", "surrogateescape") + "FROM a\n".encode("utf-16-le").decode("utf-8", "surrogateescape")
    assert "UTF-16" in text_problem(utf16).message
    with pytest.raises(dfix.ParseError, match="not text"):
        dfix.check(elf)


def test_a_refused_file_is_not_fixed():
    text = "FROM debian\nRUN apt-get install curl\nCOPY --form=x a b\n"
    result = dfix.fix(text, select=["DF201", "DF000"])
    assert result.text == text
    assert {d.code for d in result.diagnostics} == {"DF000", "DF201"}
    fine = dfix.fix(text.replace("--form=x ", ""), select=["DF201"])
    assert "apt-get install -y curl" in fine.text


#: BuildKit's own tests of instruction-level errors (``instructions/parse_test.go``: TestErrorCases,
#: TestCommandsExactlyOneArgument, TestCommandsAtLeastOneArgument, TestCommandsNoDestinationArgument,
#: TestParseOptInterval): the first instruction of each snippet, and the text its error contains.
BUILDKIT_TEST_CASES = [
    ("COPY\t\n\t\tquux \\\n      bar", "COPY requires at least two arguments"),
    ("ONBUILD FROM scratch", "FROM isn't allowed as an ONBUILD trigger"),
    ("MAINTAINER --boo joe@example.com", "unknown flag: --boo"),
    ("ONBUILD ONBUILD RUN touch foobar", "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed"),
    ("FOO bar", "unknown instruction: FOO"),
    ("foo bar", "unknown instruction: foo"),
    *[(command, f"{command} requires exactly one argument") for command in ("MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL")],
    *[(command, f"{command} requires at least one argument")
      for command in ("ENV", "LABEL", "ONBUILD", "HEALTHCHECK", "EXPOSE", "VOLUME")],
    *[(f"{command} arg1", f"{command} requires at least two arguments, but only one was provided. Destination could not be determined")
      for command in ("ADD", "COPY")],
    ("HEALTHCHECK --interval=50ns CMD true", "cannot be less than 1ms"),
]


@pytest.mark.parametrize("text, expected", BUILDKIT_TEST_CASES)
def test_buildkit_own_error_cases(text, expected):
    refusal = instruction_refusal(dfix.parse(text).instructions[0])
    assert refusal is not None and expected in refusal.message


@pytest.mark.parametrize("text", ["HEALTHCHECK --interval=0ms CMD true", "HEALTHCHECK --interval=1ms CMD true",
                                  "RUN --mount=type=tmpfs,target=/foo/ echo hello"])
def test_buildkit_own_accepted_cases(text):
    assert instruction_refusal(dfix.parse(text).instructions[0]) is None


@pytest.mark.parametrize(
    "text, message",
    [
        ("FROM Ubuntu:14.04\n", 'failed to parse stage name "Ubuntu:14.04": invalid reference format: repository name (library/Ubuntu) must be lowercase'),
        ("FROM ubuntu:\n", 'failed to parse stage name "ubuntu:": invalid reference format'),
        ("FROM registry.example.com:443/Team/app\n", 'failed to parse stage name "registry.example.com:443/Team/app": invalid reference format: repository name (Team/app) must be lowercase'),
    ],
)
def test_base_images_buildkit_cannot_name(text, message):
    assert messages(text) == [("image-reference", message, 1)]


@pytest.mark.parametrize(
    "text",
    [
        "FROM MyOrg/app:1\n",  # an upper-case first part is a registry host to Docker
        "FROM 'nginx:1.12.2-alpine'\n",  # quotes are the word lexer's
        "FROM golang:1.22 AS Build\nFROM BUILD\n",  # a stage, by any case
        "ARG IMAGE=Ubuntu\nFROM ${IMAGE}\n",  # known only at build time (with the default, DF313's)
        "FROM scratch\n",
        "FROM localhost:5000/team/app@sha256:" + "0" * 64 + "\n",
    ],
)
def test_base_images_buildkit_can_name(text):
    assert messages(text) == []


def test_stop_signals():
    assert messages("FROM a\nSTOPSIGNAL SIGTERM\nSTOPSIGNAL 9\nSTOPSIGNAL quit\nSTOPSIGNAL SIGRTMIN+3\nSTOPSIGNAL $SIG\n") == []
    assert messages("FROM a\nSTOPSIGNAL SIGTREM\n") == [("arguments", "Invalid signal: SIGTREM", 2)]
    assert messages("FROM a\nSTOPSIGNAL 0\n") == [("arguments", "Invalid signal: 0", 2)]
