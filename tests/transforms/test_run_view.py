"""The engine's one view of each RUN (`Context.runs`), as the rules read it."""

from __future__ import annotations

import pytest

from dfix.engine import (
    EMPTY, EXEC_FORM, HEREDOC, NON_POSIX_SHELL, Context, Form, MountTarget, RunView, normal_path,
)
from dfix.syntax import parse


def views(text: str) -> tuple[RunView, ...]:
    return Context(parse(text)).runs()


def names(view: RunView) -> list[str | None]:
    assert view.model is not None
    return [command.name for command in view.model.commands]


def test_shell_form_is_editable() -> None:
    (view,) = views("FROM debian\nRUN apt-get update && apt-get install -y curl\n")
    assert view.form is Form.SHELL and view.guard is None and not view.trigger
    assert view.script is not None and view.script.text == view.text
    assert view.model is view.script.model
    assert names(view) == ["apt-get", "apt-get"]


def test_exec_form_reads_sh_c_operand_and_is_guarded() -> None:
    first, second = views('FROM debian\nRUN ["sh", "-ec", "apk add x && pip install y"]\nRUN ["apt-get", "install", "a b"]\n')
    assert first.form is Form.EXEC and first.guard is EXEC_FORM and first.script is None
    assert names(first) == ["apk", "pip"]
    assert second.text == "apt-get install 'a b'"


def test_heredoc_fed_to_a_shell_reads_the_body() -> None:
    (view,) = views("# syntax=docker/dockerfile:1\nFROM debian\nRUN bash -e <<EOF\nset -x\napt-get update\nEOF\n")
    assert view.form is Form.HEREDOC and view.guard is HEREDOC
    assert names(view) == ["set", "apt-get"]


def test_heredoc_with_another_interpreter_has_no_model() -> None:
    (view,) = views("FROM debian\nRUN <<EOF\n#!/usr/bin/env python3\nprint('apt-get update')\nEOF\n")
    assert view.model is None


def test_heredoc_as_redirect_keeps_the_command_line() -> None:
    (view,) = views("FROM debian\nRUN cat <<EOF > /etc/x\napt-get update\nEOF\n")
    assert names(view) == ["cat"]


def test_non_posix_shell_has_no_model() -> None:
    text = 'FROM debian\nSHELL ["powershell", "-Command"]\nRUN apt-get update\nRUN ["apt-get", "update"]\n'
    context = Context(parse(text))
    view, exec_form = context.runs()
    assert view.guard is NON_POSIX_SHELL and view.model is None and view.text == "RUN apt-get update\n"
    assert list(context.shell_runs()) == [exec_form]  # exec form runs without the SHELL


def test_onbuild_triggers_come_once_in_file_order() -> None:
    context = Context(parse("FROM debian\nRUN a\nONBUILD RUN b\nRUN c\n"))
    runs = context.runs()
    assert [names(view) for view in runs] == [["a"], ["b"], ["c"]]
    assert [view.trigger for view in runs] == [False, True, False]
    assert runs[1].parent is not None and runs[1].parent.trigger is runs[1].run
    assert context.runs() is runs  # cached per parse
    assert context.run_view(runs[1].run) is runs[1]


def test_empty_run_is_guarded() -> None:
    (view,) = views("FROM debian\nRUN --mount=type=cache,target=/x\n")
    assert view.guard is EMPTY and view.model is None


@pytest.mark.parametrize(
    ("flag", "path", "types", "covered"),
    [
        ("--mount=type=cache,target=/var//cache/apt/", "/var/cache/apt/archives", ("cache",), True),
        ("--mount=type=cache,dst=/var/cache/apt", "/var/cache/aptitude", ("cache",), False),
        ("--mount=type=tmpfs,destination=/var/lib/apt/lists", "/var/lib/apt/lists", ("cache", "tmpfs"), True),
        ("--mount=target=/var/lib/apt", "/var/lib/apt/lists", ("cache", "tmpfs"), False),  # bind by default
        ("--mount=target=/var/lib/apt", "/var/lib/apt/lists", None, True),
        ("--mount=type=cache,target=$HOME/.cache", "/root/.cache", None, False),
    ],
)
def test_mount_targets_are_normalised_once(flag: str, path: str, types, covered: bool) -> None:
    (view,) = views(f"FROM debian\nRUN {flag} true\n")
    assert view.mount_covers(path, types=types) is covered


def test_mount_target_covers() -> None:
    mount = MountTarget("cache", "/root/./.cache/../.cache", normal_path("/root/./.cache/../.cache"))
    assert mount.path == "/root/.cache"
    assert mount.covers("/root/.cache/pip") and not mount.covers("/root/.cachex")
    assert not MountTarget("cache", "$X", None).covers("/")


def test_span_is_exact_only_when_editable() -> None:
    context = Context(parse('FROM debian\nRUN a && \\\n    b\nRUN ["b"]\n'))
    shell, exec_form = context.runs()
    start = shell.text.index("b")
    span = shell.span(start, start + 1)
    assert (span.line, span.column) == (3, 5)
    assert exec_form.span(0, 1) == exec_form.run.span


def test_is_suppressed_reads_the_files_suppressions() -> None:
    context = Context(parse("FROM debian\nRUN a\n# dfix: ignore[DF100]\nRUN b\n"))
    first, second = (view.run for view in context.runs())
    assert context.is_suppressed("DF100", second)
    assert not context.is_suppressed("DF100", first)
    assert not context.is_suppressed("DF200", second)
