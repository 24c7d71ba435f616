"""The tree's accessors: spans, tokens, stages, images, flags, pairs, heredocs, ONBUILD ...

Every expectation here is written out by hand from syntax.md.
"""

from __future__ import annotations

import msgspec
import re

import pytest

import dfix
from dfix import ImageRef

# -- helpers ---------------------------------------------------------------------------


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based (line, column) of ``offset``; columns on line 1 do not count a BOM."""
    line = text.count("\n", 0, offset) + 1
    line_start = text.rfind("\n", 0, offset) + 1
    if line == 1 and text.startswith("\ufeff"):
        line_start = 1
    return line, offset - line_start + 1


def check_span(text: str, node) -> None:
    span = node.span
    assert text[span.start : span.end] == node.code
    assert (span.line, span.column) == position(text, span.start)
    assert (span.end_line, span.end_column) == position(text, span.end)


def kinds(node) -> list[tuple[str, str]]:
    return [(t.type, str(t)) for t in node.tokens]


SAMPLE = (
    "# syntax=docker/dockerfile:1\n"  # 1
    "ARG BASE=alpine:3.19\n"  # 2
    "\n"  # 3
    "# the build stage\n"  # 4
    "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n"  # 5
    "  RUN --mount=type=cache,target=/root/.cache \\\n"  # 6
    "# a note\n"  # 7
    "      go build \\\n"  # 8
    "\n"  # 9
    "      -o /out/app .\n"  # 10
    "COPY <<EOF /etc/app.conf\n"  # 11
    "port=80\n"  # 12
    "EOF\n"  # 13
    "FROM ${BASE}\n"  # 14
    "COPY --from=build --chown=app:app /out/app /usr/bin/\n"  # 15
    'CMD ["app"]'  # 16, no final newline
)


@pytest.fixture(scope="module")
def sample() -> dfix.Dockerfile:
    return dfix.parse(SAMPLE, "Dockerfile")


# -- spans and tokens ----------------------------------------------------------------------


def test_every_node_and_token_knows_its_place(sample):
    assert sample.code == SAMPLE
    for item in sample.items:
        check_span(SAMPLE, item)
        for heredoc in getattr(item, "heredocs", ()):
            check_span(SAMPLE, heredoc)
    for token in sample.tokens:
        assert SAMPLE[token.start_pos : token.end_pos] == token
        if token:
            assert (token.line, token.column) == position(SAMPLE, token.start_pos)


def test_instruction_spans(sample):
    spans = [(i.instruction, *msgspec.structs.astuple(i.span)[2:]) for i in sample.instructions]
    assert spans == [
        ("ARG", 2, 1, 3, 1),  # the span includes the line end, so it ends at the start of the next line
        ("FROM", 5, 1, 6, 1),
        ("RUN", 6, 1, 11, 1),  # leading blanks, an inner comment and an empty line included
        ("COPY", 11, 1, 14, 1),  # the heredoc body and terminator included
        ("FROM", 14, 1, 15, 1),
        ("COPY", 15, 1, 16, 1),
        ("CMD", 16, 1, 16, 12),
    ]
    assert [(i.start_line, i.end_line) for i in sample.instructions] == [
        (2, 2), (5, 5), (6, 10), (11, 13), (14, 14), (15, 15), (16, 16),
    ]


def test_run_tokens_keep_trivia(sample):
    run = sample.instructions[2]
    assert kinds(run) == [
        ("LEAD", "  "),
        ("KW_RUN", "RUN"),
        ("FWS", " "),
        ("FLAG", "--mount=type=cache,target=/root/.cache"),
        ("AWS", " \\\n# a note\n      "),
        ("SHELL", "go build \\\n\n      -o /out/app ."),
        ("END", "\n"),
    ]
    assert run.keyword_token.column == 3
    script = run.script_token
    assert (script.line, script.column) == (8, 7)
    assert run.logical_text(script) == "go build       -o /out/app ."
    assert run.shell == "go build       -o /out/app ."
    assert run.original == "RUN --mount=type=cache,target=/root/.cache       go build       -o /out/app ."
    assert run.comment_lines == (7,)
    assert run.line_tokens == run.tokens


def test_multiline_token_span():
    text = "RUN a \\\n  b\\\n\nc  \n"
    run = dfix.parse(text).instructions[0]
    script = run.script_token
    assert str(script) == "a \\\n  b\\\n\nc"
    assert (script.line, script.column) == (1, 5)
    assert script.end_pos == text.index("c") + 1
    assert run.shell == "a   bc"
    assert run.span == dfix.Span(0, len(text), 1, 1, 5, 1)


def test_heredoc_tokens(sample):
    copy = sample.instructions[3]
    assert kinds(copy) == [
        ("KW_COPY", "COPY"), ("AWS", " "), ("WORD", "<<EOF"), ("WS", " "), ("WORD", "/etc/app.conf"), ("END", "\n"),
        ("HEREDOC_BODY", "port=80\n"), ("HEREDOC_END", "EOF\n"),
    ]
    assert copy.line_tokens == copy.tokens[:6]


def test_final_line_without_newline(sample):
    cmd = sample.instructions[-1]
    assert kinds(cmd) == [("KW_CMD", "CMD"), ("AWS", " "), ("JSON", '["app"]'), ("END", "")]


def test_crlf_and_bom_positions():
    text = "\ufeffFROM a\r\nRUN b \\\r\n  c\r\n"
    tree = dfix.parse(text)
    assert tree.bom == "\ufeff"
    assert [(i.span.line, i.span.column) for i in tree.instructions] == [(1, 1), (2, 1)]
    assert kinds(tree.instructions[1]) == [("KW_RUN", "RUN"), ("AWS", " "), ("SHELL", "b \\\r\n  c"), ("END", "\r\n")]
    for instruction in tree.instructions:
        check_span(text, instruction)


def test_comment_blank_directive_nodes(sample):
    directive, arg, blank, comment = sample.items[:4]
    assert isinstance(directive, dfix.Directive)
    assert (directive.key, directive.value) == ("syntax", "docker/dockerfile:1")
    assert isinstance(arg, dfix.Arg)
    assert isinstance(blank, dfix.BlankLine) and blank.code == "\n"
    assert isinstance(comment, dfix.Comment)
    assert (comment.text, comment.code) == ("the build stage", "# the build stage\n")


# -- the file's views ----------------------------------------------------------------------------


def test_directives():
    tree = dfix.parse("  # Syntax = docker/dockerfile:1.7 \n#escape=`\n# check=skip=all;error=true\nFROM a\n")
    assert [(d.key, d.value) for d in tree.directives] == [
        ("syntax", "docker/dockerfile:1.7"), ("escape", "`"), ("check", "skip=all;error=true"),
    ]
    assert tree.directive("syntax") == "docker/dockerfile:1.7"
    assert tree.directive("escape") == "`" == tree.escape
    assert tree.directive("check") == "skip=all;error=true"
    assert tree.directive("nope") is None
    old = dfix.parse("# escape=`\n# check=skip=all\nFROM a\n", buildkit="0.12.5")
    assert [d.key for d in old.directives] == ["escape"]  # v0.12.5 does not know `check`
    assert isinstance(old.items[1], dfix.Comment)


def test_escape_default():
    assert dfix.parse("FROM a\n").escape == "\\"
    assert dfix.parse("\ufeff# escape=`\nFROM a\n").escape == "`"
    assert dfix.parse("\n# escape=`\nFROM a\n").escape == "\\"


def test_stages(sample):
    stages = sample.stages
    assert [(s.index, s.name, s.from_.code) for s in stages] == [
        (0, "build", "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n"),  # names are lower-cased
        (1, None, "FROM ${BASE}\n"),
    ]
    assert [i.instruction for i in stages[0].instructions] == ["RUN", "COPY"]
    assert [i.instruction for i in stages[1].instructions] == ["COPY", "CMD"]
    assert stages[0].base.repository == "golang" and stages[0].base.tag == "1.22"
    assert stages[1].base.has_variables
    assert [a.pairs for a in sample.global_args] == [(("BASE", "alpine:3.19"),)]


def test_instructions_before_the_first_from_are_in_no_stage():
    tree = dfix.parse("ARG A\nRUN x\nFROM b\nARG B\n")
    assert [a.code for a in tree.global_args] == ["ARG A\n"]
    assert len(tree.stages) == 1 and [i.code for i in tree.stages[0].instructions] == ["ARG B\n"]
    assert dfix.parse("RUN x\n").stages == ()


def test_comments_before():
    text = "# one\n\n# two\nFROM a\n#\n# three\nRUN b\nRUN c\n   # four  \nRUN d\n"
    tree = dfix.parse(text)
    assert [tree.comments_before(i) for i in tree.instructions] == [
        ("one", "two"),  # a blank line does not clear the list
        ("three",),  # a bare `#` does
        (),
        ("# four",),  # BuildKit drops the line's first byte, not the `#`: an indented comment keeps it
    ]
    with pytest.raises(ValueError):
        tree.comments_before(dfix.parse_instruction("RUN b"))


def test_comments_before_and_directives():
    text = "# escape=`\n# about a\nFROM a\n"
    old = dfix.parse(text, buildkit="0.12.5")
    assert old.comments_before(old.instructions[0]) == ("escape=`", "about a")  # v0.12.5 keeps directive lines
    latest = dfix.parse(text)
    assert latest.comments_before(latest.instructions[0]) == ("about a",)


def test_warnings():
    tree = dfix.parse("FROM a\nRUN a \\\n\n \\\n\t\n  b\n")
    assert tree.warnings == (dfix.ParseWarning(3, 1, "Empty continuation line found in: RUN a    b"),)
    assert dfix.parse("RUN a \\\n# c\n  b\n").warnings == ()


def test_walk_includes_triggers():
    tree = dfix.parse("FROM a\nONBUILD RUN b\n")
    assert [type(i).__name__ for i in tree.walk()] == ["From", "Onbuild", "Run"]


def test_walk_includes_nested_triggers():
    tree = dfix.parse("FROM a\nONBUILD ONBUILD RUN b\n")  # parses; BuildKit rejects it at instruction level
    assert [type(i).__name__ for i in tree.walk()] == ["From", "Onbuild", "Onbuild", "Run"]


def test_dump():
    tree = dfix.parse('FROM a AS b\nENV x=1 y=2\nENV k v w\nONBUILD COPY --chown=1 a b\nCMD ["c", "d"]\nfoo\n')
    assert tree.dump() == (
        '(from "a" "AS" "b")\n(env "x" "1" "=" "y" "2" "=")\n(env "k" "v w" "")\n'
        '(onbuild (copy ["--chown=1"] "a" "b"))\n(cmd "c" "d")\n(foo "")\n'
    )
    assert dfix.parse("ENV a=1 b=2\n", buildkit="0.12.5").dump() == '(env "a" "1" "b" "2")\n'
    assert dfix.parse("ENV a=1 b=2\n").dump() == '(env "a" "1" "=" "b" "2" "=")\n'


# -- typed instructions ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "cls"),
    [
        ("FROM a", dfix.From), ("RUN a", dfix.Run), ("CMD a", dfix.Cmd), ("ENTRYPOINT a", dfix.Entrypoint),
        ('SHELL ["a"]', dfix.Shell), ("ADD a b", dfix.Add), ("COPY a b", dfix.Copy), ("VOLUME a", dfix.Volume),
        ("EXPOSE 80", dfix.Expose), ("ENV a=b", dfix.Env), ("LABEL a=b", dfix.Label), ("ARG a", dfix.Arg),
        ("MAINTAINER me", dfix.Maintainer), ("STOPSIGNAL 9", dfix.Stopsignal), ("USER u", dfix.User),
        ("WORKDIR /", dfix.Workdir), ("HEALTHCHECK NONE", dfix.Healthcheck), ("ONBUILD RUN a", dfix.Onbuild),
        ("FOO a", dfix.Unknown), ("rUn a", dfix.Run), ("WORKDİR /a", dfix.Workdir), ("RUN\xa0a", dfix.Unknown),
    ],
)
def test_instruction_classes(line, cls):
    node = dfix.parse_instruction(line)
    assert type(node) is cls
    assert isinstance(node, dfix.Instruction)


def test_keyword_split_by_a_continuation():
    run = dfix.parse("RU\\\nN a\n").instructions[0]
    assert run.instruction == "RUN" and run.meaning.keyword == "RUN"
    assert run.keyword == "RUN"


def test_keyword_spelling_and_instruction_name():
    run = dfix.parse_instruction("rUn a")
    assert (run.keyword, run.instruction, run.meaning.name) == ("rUn", "RUN", "run")
    workdir = dfix.parse_instruction("WORKDİR /a")  # U+0130 lower-cases to i, as in Go
    assert (workdir.keyword, workdir.instruction) == ("WORKDİR", "WORKDIR")
    kelvin = dfix.parse_instruction("\u212aEEP a")  # KELVIN SIGN: an unknown "KEEP"
    assert kelvin.instruction == "KEEP"
    unknown = dfix.parse_instruction("foo --x=1 bar")
    assert (unknown.instruction, unknown.arguments, unknown.flag("x")) == ("FOO", ("",), "1")


@pytest.mark.parametrize(
    ("text", "registry", "repository", "tag", "digest"),
    [
        ("python", None, "python", None, None),
        ("python:3.12-slim", None, "python", "3.12-slim", None),
        ("library/python:3", None, "library/python", "3", None),
        ("user/app", None, "user/app", None, None),
        ("docker.io/library/python:3", "docker.io", "library/python", "3", None),
        ("ghcr.io/owner/team/app:v1", "ghcr.io", "owner/team/app", "v1", None),
        ("localhost/app", "localhost", "app", None, None),
        ("localhost:5000/app:1.0", "localhost:5000", "app", "1.0", None),
        ("registry:5000/app", "registry:5000", "app", None, None),  # a port makes it a host
        ("my.registry.example:443/team/app:tag", "my.registry.example:443", "team/app", "tag", None),
        ("Registry/app", "Registry", "app", None, None),  # upper case: a host, as Docker decides
        ("alpine@sha256:" + "a" * 64, None, "alpine", None, "sha256:" + "a" * 64),
        ("alpine:3.19@sha256:" + "b" * 64, None, "alpine", "3.19", "sha256:" + "b" * 64),
        ("reg.io:5000/a/b:c@sha256:" + "c" * 64, "reg.io:5000", "a/b", "c", "sha256:" + "c" * 64),
        ("scratch", None, "scratch", None, None),
    ],
)
def test_image_reference_splitting(text, registry, repository, tag, digest):
    image = dfix.parse_instruction(f"FROM {text} AS x").image
    assert (image.registry, image.repository, image.tag, image.digest) == (registry, repository, tag, digest)
    assert image.text == text and not image.has_variables
    assert image.name == (f"{registry}/{repository}" if registry else repository)
    assert image == ImageRef.parse(text)


@pytest.mark.parametrize("text", ["$BASE", "${BASE}", "${REGISTRY}/app:${TAG}", "python:$VERSION", "a@$DIGEST"])
def test_image_with_variables_is_left_alone(text):
    image = dfix.parse_instruction(f"FROM {text}").image
    assert image.has_variables
    assert (image.registry, image.tag, image.digest) == (None, None, None)
    assert image.text == text


def test_from_accessors():
    node = dfix.parse_instruction("FROM --platform=linux/arm64 alpine:3 as Builder")
    assert (node.platform, node.stage_name, node.image.tag) == ("linux/arm64", "builder", "3")
    assert node.image_token == "alpine:3"
    assert dfix.parse_instruction("FROM a").stage_name is None
    assert dfix.parse_instruction("FROM a # base").stage_name is None  # three words, but not AS
    assert dfix.parse_instruction("FROM").image is None
    assert dfix.parse_instruction("FROM scratch").image.is_scratch


def test_flags():
    node = dfix.parse_instruction('COPY --link --chmod=755 --from=b --from="c d" --chown=\'x\\\'y\' -- --src /dst')
    assert [(f.name, f.value, str(f.token)) for f in node.flags] == [
        ("link", None, "--link"),
        ("chmod", "755", "--chmod=755"),
        ("from", "b", "--from=b"),
        ("from", "c d", '--from="c d"'),  # decoded value, raw token
        ("chown", "x'y", "--chown='x\\'y'"),
    ]
    assert node.flag("from") == "c d"  # the last one wins
    assert node.flag_values("from") == ("b", "c d")
    assert node.flag("link") == ""  # present without a value
    assert node.flag("missing") is None
    assert (node.from_stage, node.chown) == ("c d", "x'y")
    assert (node.sources, node.destination) == (("--src",), "/dst")  # `--` ended the flags


def test_flags_are_bytes_wise():
    node = dfix.parse_instruction("COPY --chown=é a b")
    assert node.flags[0].value == "Ã©"  # Latin-1 mojibake, as BuildKit
    assert str(node.flags[0].token) == "--chown=é"


def test_run_accessors():
    node = dfix.parse_instruction("RUN --mount=type=cache,target=/a --mount=type=secret,id=b --network=none make")
    assert node.mounts == ("type=cache,target=/a", "type=secret,id=b")
    assert node.flag("network") == "none"
    assert (node.shell, node.shell_form, node.exec_form, node.is_json) == ("make", "make", None, False)
    exec_node = dfix.parse_instruction('RUN ["make", "all"]')
    assert (exec_node.shell, exec_node.exec_form, exec_node.is_json) == (None, ("make", "all"), True)
    assert dfix.parse_instruction("RUN").shell is None


def test_exec_and_shell_forms():
    cmd = dfix.parse_instruction('CMD ["a", "b c"]')
    assert (cmd.exec_form, cmd.shell_form, cmd.arguments) == (("a", "b c"), None, ("a", "b c"))
    entrypoint = dfix.parse_instruction("ENTRYPOINT exec app --flag")
    assert (entrypoint.exec_form, entrypoint.shell_form) == (None, "exec app --flag")
    shell = dfix.parse_instruction('SHELL ["pwsh", "-Command"]')
    assert shell.exec_form == ("pwsh", "-Command")
    health = dfix.parse_instruction('HEALTHCHECK --interval=5s CMD ["curl", "-f", "x"]')
    assert (health.type, health.exec_form, health.flag("interval")) == ("CMD", ("curl", "-f", "x"), "5s")
    health = dfix.parse_instruction("HEALTHCHECK cmd curl -f x || exit 1")
    assert (health.type, health.shell_form) == ("CMD", "curl -f x || exit 1")


@pytest.mark.parametrize("line", ["HEALTHCHECK NONE", "HEALTHCHECK CMD", "HEALTHCHECK cmd   "])
def test_healthcheck_without_command_has_no_shell_form(line):
    node = dfix.parse_instruction(line)
    assert node.shell_form is None


def test_copy_add_paths():
    node = dfix.parse_instruction('ADD --checksum=sha256:abc ["a b", "c", "/d/"]')
    assert (node.sources, node.destination, node.is_json) == (("a b", "c"), "/d/", True)
    assert node.flag("checksum") == "sha256:abc"
    node = dfix.parse_instruction("COPY a\tb  c")
    assert (node.paths, node.sources, node.destination) == (("a", "b", "c"), ("a", "b"), "c")
    assert dfix.parse_instruction("COPY").destination is None


def test_string_instructions():
    assert dfix.parse_instruction("USER app:staff").value == "app:staff"
    assert dfix.parse_instruction("USER app:staff").user == "app"
    assert dfix.parse_instruction("WORKDIR  /a b  ").value == "/a b"
    assert dfix.parse_instruction('WORKDIR ["a"]').value == '["a"]'  # no JSON form here
    assert dfix.parse_instruction("MAINTAINER A <a@b.c>").value == "A <a@b.c>"
    assert dfix.parse_instruction("STOPSIGNAL SIGKILL").value == "SIGKILL"
    assert dfix.parse_instruction("USER").value is None
    assert dfix.parse_instruction("EXPOSE 80/tcp\t443 ").arguments == ("80/tcp", "443")
    assert dfix.parse_instruction("VOLUME /a /b").arguments == ("/a", "/b")


def test_env_and_label_pairs():
    env = dfix.parse_instruction('ENV A=1 B="two words" C=x\\ y D= \\\n    E=\'s\'')
    assert env.pairs == (("A", "1"), ("B", '"two words"'), ("C", "x\\ y"), ("D", ""), ("E", "'s'"))  # quotes kept
    assert not env.legacy_form
    assert [t.type for t in env.argument_tokens] == ["PAIR"] * 5
    legacy = dfix.parse_instruction("ENV PATH  /usr/local/bin:$PATH  more ")
    assert legacy.pairs == (("PATH", "/usr/local/bin:$PATH  more"),)
    assert legacy.legacy_form
    assert [(t.type, str(t)) for t in legacy.argument_tokens] == [
        ("LEGACY_KEY", "PATH"), ("LEGACY_VALUE", "/usr/local/bin:$PATH  more"),
    ]
    quoted = dfix.parse_instruction('ENV "a b" c')  # legacy form splits the raw text
    assert quoted.pairs == (('"a', 'b" c'),)
    label = dfix.parse_instruction('LABEL org.opencontainers.image.title="My app" version=1')
    assert label.pairs == (("org.opencontainers.image.title", '"My app"'), ("version", "1"))
    assert dfix.parse_instruction("LABEL maintainer me@x").pairs == (("maintainer", "me@x"),)
    assert dfix.parse_instruction("ENV").pairs == ()


def test_arg_pairs():
    node = dfix.parse_instruction('ARG A B=1 C= "D E"=2 F=a=b')
    assert node.pairs == (("A", None), ("B", "1"), ("C", ""), ('"D E"', "2"), ("F", "a=b"))
    assert node.arguments == ("A", "B=1", "C=", '"D E"=2', "F=a=b")
    assert dfix.parse_instruction("ARG").pairs == ()


def test_heredocs():
    text = "FROM a\nRUN <<EOF <<-'X' 3<<\"Y\" cat\nbody $A\nEOF\n\tz\n\tX\nY\nRUN b\n"
    tree = dfix.parse(text)
    run = tree.instructions[1]
    assert [(h.name, h.content, h.chomp, h.expand, h.file_descriptor) for h in run.heredocs] == [
        ("EOF", "body $A\n", False, True, 0),
        ("X", "\tz\n", True, False, 0),  # stored unchomped
        ("Y", "", False, False, 3),
    ]
    assert [h.code for h in run.heredocs] == ["body $A\nEOF\n", "\tz\n\tX\n", "Y\n"]
    assert [(h.span.line, h.span.end_line) for h in run.heredocs] == [(3, 5), (5, 7), (7, 8)]
    assert (run.start_line, run.end_line) == (2, 7)
    assert run.shell == "<<EOF <<-'X' 3<<\"Y\" cat"
    for heredoc in run.heredocs:
        check_span(text, heredoc)
    assert tree.instructions[2].start_line == 8
    assert [(h.name, h.file_descriptor, h.content) for h in tree.buildkit_commands()[1].heredocs] == [
        ("EOF", 0, "body $A\n"), ("X", 0, "\tz\n"), ("Y", 3, ""),
    ]


def test_heredoc_crlf_body():
    tree = dfix.parse("COPY <<EOF /x\r\na\r\n\r\nEOF\r\n")
    heredoc = tree.instructions[0].heredocs[0]
    assert heredoc.content == "a\r\n\r\n"
    assert heredoc.terminator == "EOF\r\n"


def test_onbuild_trigger():
    tree = dfix.parse("FROM a\nONBUILD --x=1 RUN --mount=type=cache,target=/c <<EOF\nmake\nEOF\n")
    onbuild = tree.instructions[1]
    trigger = onbuild.trigger
    assert isinstance(onbuild, dfix.Onbuild) and isinstance(trigger, dfix.Run)
    assert onbuild.meaning.flags == ("--x=1",)
    assert [f.text for f in trigger.flags] == ["--mount=type=cache,target=/c"]
    assert trigger.mounts == ("type=cache,target=/c",)
    assert trigger.arguments == ("<<EOF",) and trigger.shell == "<<EOF"
    assert trigger.heredocs == () and [h.content for h in onbuild.heredocs] == ["make\n"]  # ONBUILD owns them
    assert trigger.code == "RUN --mount=type=cache,target=/c <<EOF"
    assert (trigger.span.line, trigger.span.column) == (2, 15)
    assert (trigger.start_line, trigger.end_line) == (2, 2)
    assert (onbuild.start_line, onbuild.end_line) == (2, 4)
    assert onbuild.arguments == ("",)
    command = tree.buildkit_commands()[1]
    assert (command.cmd, command.sub_cmd, command.value, command.flags) == ("ONBUILD", "RUN", ("<<EOF",), ("--x=1",))
    assert dfix.parse_instruction("ONBUILD").trigger is None


def test_onbuild_flags_are_its_own():
    onbuild = dfix.parse_instruction("ONBUILD --x=1 RUN --mount=type=cache,target=/c make")
    assert [f.text for f in onbuild.flags] == ["--x=1"]
    assert onbuild.flag("mount") is None
    assert [f.text for f in onbuild.trigger.flags] == ["--mount=type=cache,target=/c"]


def test_onbuild_nests():
    node = dfix.parse_instruction("ONBUILD ONBUILD RUN a")
    assert isinstance(node.trigger, dfix.Onbuild) and isinstance(node.trigger.trigger, dfix.Run)
    assert node.trigger.trigger.shell == "a"


# -- parse_instruction -------------------------------------------------------------------------


def test_parse_instruction():
    node = dfix.parse_instruction("RUN apt-get update")
    assert isinstance(node, dfix.Run) and node.code == "RUN apt-get update" and node.span.start == 0
    assert dfix.parse_instruction("RUN a\n").code == "RUN a\n"
    multi = dfix.parse_instruction("RUN a \\\n  b\n")
    assert multi.shell == "a   b"
    heredoc = dfix.parse_instruction("COPY <<EOF /a\nx\nEOF\n")
    assert heredoc.heredocs[0].content == "x\n"
    old = dfix.parse_instruction('CMD ["a"] b', buildkit="0.12.5")
    assert old.is_json and not dfix.parse_instruction('CMD ["a"] b').is_json


def test_parse_instruction_with_backtick_escape():
    node = dfix.parse_instruction("RUN dir c:\\ `\n  && echo", escape="`")
    assert node.shell == "dir c:\\   && echo"
    assert node.code == "RUN dir c:\\ `\n  && echo"
    assert (node.span.start, node.span.line) == (0, 1)  # offsets of the text itself, not of a directive
    assert dfix.parse_instruction("RUN dir c:\\\n", escape="`").shell == "dir c:\\"  # `\` is plain text
    assert dfix.parse_instruction("RUN dir c:\\\n").shell == "dir c:"  # ... but a continuation by default


@pytest.mark.parametrize("text", ["RUN a\nRUN b", "", "# c\n", "RUN <<EOF\nx\n", 'RUN ["a", 1]'])
def test_parse_instruction_refuses_anything_but_one_instruction(text):
    with pytest.raises(dfix.ParseError):
        dfix.parse_instruction(text)


@pytest.mark.parametrize("text", ["# c\nRUN a", "RUN a\n\n"])
def test_parse_instruction_error_names_the_extra_line(text):
    with pytest.raises(dfix.ParseError) as caught:
        dfix.parse_instruction(text)
    assert "found 1" not in caught.value.message


# -- immutability ---------------------------------------------------------------------------------


def test_nodes_are_frozen(sample):
    run = sample.instructions[2]
    copy = sample.instructions[3]
    frozen = [
        (sample, "items"), (run, "line_tokens"), (run, "heredocs"), (copy.heredocs[0], "body"),
        (run.flags[0], "value"), (sample.stages[0], "instructions"), (sample.items[0], "token"),
        (sample.items[2], "token"), (sample.items[3], "token"), (run.span, "start"),
        (sample.instructions[1].image, "tag"), (run.meaning, "args"),
        (dfix.ParseWarning(1, 1, "m"), "line"),
    ]
    for node, attribute in frozen:
        assert isinstance(node, msgspec.Struct) and node.__struct_config__.frozen
        with pytest.raises(AttributeError):
            setattr(node, attribute, None)
    assert isinstance(sample.items, tuple) and isinstance(sample.instructions, tuple)
    assert isinstance(run.tokens, tuple) and isinstance(run.flags, tuple) and isinstance(sample.stages, tuple)


def test_parsing_twice_gives_equal_text_and_meaning(sample):
    again = dfix.parse(SAMPLE)
    assert [i.meaning for i in again.instructions] == [i.meaning for i in sample.instructions]
    assert [i.code for i in again.instructions] == [i.code for i in sample.instructions]


def test_public_api():
    for name in ["parse", "parse_instruction", "read_dockerfile", "encode_dockerfile", "ParseError", "Dockerfile"]:
        assert name in dfix.__all__
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", dfix.__version__)
