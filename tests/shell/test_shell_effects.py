"""state_effects: what a RUN body leaks into the shell that runs after it."""

from __future__ import annotations

import pytest

from dfix.shell import ISOLATABLE_EFFECTS, Effect, analyze, state_effects


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("apt-get update && apt-get install -y curl", set()),
        ("cd /src && make", {"cd"}),
        ("pushd /src && make && popd", {"pushd", "popd"}),
        ("export PATH=/opt/bin:$PATH && make", {"export"}),
        ("set -eux; make", {"set"}),
        ("umask 022 && touch f", {"umask"}),
        (". /etc/os-release && echo $ID", {"source"}),
        ("source /opt/venv/bin/activate && pip install x", {"source"}),
        ("test -f x || exit 1", {"exit"}),
        ("unset http_proxy; curl x", {"unset"}),
        ("alias ll='ls -l'", {"alias"}),
        ("shopt -s globstar", {"shopt"}),
        ("trap 'rm -f /tmp/x' EXIT; make", {"trap"}),
        ("ulimit -n 4096 && make", {"ulimit"}),
        ("VERSION=1.2; echo $VERSION", {"assignment"}),
        ("read -r v < VERSION", {"assignment"}),
        ("declare -x A=1", {"declare"}),
        ("eval \"$(ssh-agent)\"", {"eval"}),
        ("exec > /var/log/build.log 2>&1; make", {"exec"}),
        ("exec gosu app true", {"exec"}),
        ("f() { echo hi; }; f", {"function"}),
        ("make # build it", {"trailing-comment"}),
        ("dockerd & sleep 5", {"background"}),
        ("if [ -d /src ]; then cd /src; fi", {"cd"}),
        ("command cd /src", {"cd"}),
    ],
)
def test_effects(script, expected):
    assert state_effects(script) == expected


@pytest.mark.parametrize(
    "script",
    [
        "(cd /src && npm ci)",
        "X=$(cd /src && pwd) make",
        "echo $(export A=1)",
        "cd /tmp | cat",
        "DEBIAN_FRONTEND=noninteractive apt-get install -y x",
        "echo '# not a comment'",
        "echo a#b",
    ],
)
def test_effects_contained_in_child_shells_or_not_effects_at_all(script):
    assert state_effects(script) == frozenset()


def test_background_job_in_a_subshell_is_still_reported():
    assert state_effects("(sleep 100 &) && make") == {Effect.BACKGROUND}


def test_cd_in_a_background_job_does_not_leak():
    assert state_effects("cd /x & wait") == {"background"}


def test_syntax_error_is_an_effect():
    assert Effect.SYNTAX_ERROR in state_effects("echo 'unterminated")


def test_effects_are_strings_and_accept_a_model():
    effects = state_effects(analyze("cd /src && make"))
    assert "cd" in effects
    assert str(Effect.CD) == "cd"


def test_subshell_isolates_everything_but_jobs_comments_and_errors():
    for effect in (Effect.BACKGROUND, Effect.TRAILING_COMMENT, Effect.SYNTAX_ERROR):
        assert effect not in ISOLATABLE_EFFECTS
    isolated = state_effects("(" + "cd /x && export A=1 && set -e && exit 0" + ")")
    assert isolated == frozenset()
    assert state_effects("cd /x && export A=1 && set -e && exit 0") <= ISOLATABLE_EFFECTS
