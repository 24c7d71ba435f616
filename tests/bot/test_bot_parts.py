"""The bot's pieces on their own: tokens and redaction, the askpass helper, the words it writes."""

from __future__ import annotations

import subprocess

import pytest

from dfix.bot.changes import ChangeSet, FileChange, Leftover
from dfix.bot.gitops import Author
from dfix.bot.message import REBASE_BOX, body, commit_message, read_marker, rebase_requested, subject
from dfix.bot.secrets import Redactor, Token, askpass_environment, token_from_environment
from dfix.engine import Diagnostic, Edit, Fix, Safety
from dfix.syntax.cst import Span

# -- tokens ----------------------------------------------------------------------------------------


def test_token_precedence_per_platform() -> None:
    env = {"GITHUB_TOKEN": "b", "GH_TOKEN": "c", "DFIX_GITHUB_TOKEN": "a", "GITLAB_TOKEN": "g"}
    assert token_from_environment("github", environ=env) == Token("DFIX_GITHUB_TOKEN", "a")
    assert token_from_environment("github", environ={"GH_TOKEN": "c", "GITHUB_TOKEN": " "}) == Token("GH_TOKEN", "c")
    assert token_from_environment("gitlab", environ=env) == Token("GITLAB_TOKEN", "g")
    assert token_from_environment("gitlab", environ={"GITHUB_TOKEN": "b"}) is None
    assert token_from_environment("github", variable="MY_TOKEN", environ={"MY_TOKEN": "m", **env}) == Token("MY_TOKEN", "m")


def test_a_token_never_shows_in_its_repr() -> None:
    token = Token("GITHUB_TOKEN", "ghp_abcdefgh")
    assert "ghp_abcdefgh" not in repr(token) and "GITHUB_TOKEN" in repr(token)


def test_redactor_hides_secrets_their_url_forms_and_url_credentials() -> None:
    redact = Redactor(("s3cr/t+token",))
    assert redact("bad s3cr/t+token here") == "bad *** here"
    assert redact("https://x:s3cr%2Ft%2Btoken@host/r.git") == "https://***@host/r.git"
    assert redact("push to https://user:other@github.com/o/n.git failed") == "push to https://***@github.com/o/n.git failed"
    assert redact("git@github.com:o/n.git") == "git@github.com:o/n.git"  # an SSH user name is no secret
    redact.add("ab")  # too short to hide without mangling ordinary words
    assert redact("about") == "about"


@pytest.mark.parametrize("prompt, expected", [
    ("Username for 'https://github.com': ", "x-access-token"),
    ("Password for 'https://x-access-token@github.com': ", "ghp_fromtheenvironment"),
])
def test_the_askpass_helper_answers_from_its_environment(prompt: str, expected: str) -> None:
    with askpass_environment(Token("GITHUB_TOKEN", "ghp_fromtheenvironment"), "github") as env:
        script = env["GIT_ASKPASS"]
        assert "ghp_fromtheenvironment" not in open(script).read()  # the script holds no secret
        answer = subprocess.run([script, prompt], capture_output=True, text=True, env=env, check=True).stdout
    assert answer == expected + "\n"
    import os
    assert not os.path.exists(script)  # removed afterwards


def test_without_a_token_git_is_told_not_to_prompt() -> None:
    with askpass_environment(None, "github") as env:
        assert env == {"GIT_TERMINAL_PROMPT": "0"}


def test_author_parsing() -> None:
    assert Author.parse("Fixer Bot <fixer@example.com>") == Author("Fixer Bot", "fixer@example.com")
    for bad in ("fixer@example.com", "<fixer@example.com>", "Fixer <nope>"):
        with pytest.raises(ValueError, match="Name <email>"):
            Author.parse(bad)


# -- words ------------------------------------------------------------------------------------------


def _diagnostic(code: str, name: str, title: str = "") -> Diagnostic:
    span = Span(0, 1, 1, 1, 1, 2)
    return Diagnostic(code, name, f"{name} message", span, Fix((Edit(0, 1, "x"),), Safety.SAFE, title))


def _changes(*files: tuple[str, tuple[Diagnostic, ...]], leftovers: tuple[Leftover, ...] = ()) -> ChangeSet:
    return ChangeSet(tuple(FileChange(path, "a\n", "b\n", applied) for path, applied in files), leftovers)


def test_fingerprint_depends_on_the_exact_change_only() -> None:
    one = _changes(("Dockerfile", (_diagnostic("DF100", "consecutive-run"),)))
    same = _changes(("Dockerfile", (_diagnostic("DF200", "other"),)))
    other = ChangeSet((FileChange("Dockerfile", "a\n", "c\n", ()),))
    moved = ChangeSet((FileChange("api/Dockerfile", "a\n", "b\n", ()),))
    assert one.fingerprint == same.fingerprint  # the bytes, not how they were found
    assert len({one.fingerprint, other.fingerprint, moved.fingerprint}) == 3
    assert one.fingerprint.startswith("sha256:") and len(one.fingerprint) == 71


def test_subjects_and_commit_message() -> None:
    changes = _changes(("a/Dockerfile", (_diagnostic("DF200", "apt"), _diagnostic("DF100", "run"))),
                       ("Dockerfile", (_diagnostic("DF100", "run"),)))
    assert subject(changes, semantic=False) == "Apply dfix fixes to 2 Dockerfiles"
    assert subject(changes, semantic=True) == "chore(docker): apply dfix fixes (2 files)"
    assert subject(changes, semantic=True, template="fix: {fixes} fixes in {files}") == "fix: 3 fixes in 2"
    message = commit_message(changes, "Subject", signoff=Author("A", "a@example.com"))
    assert message.splitlines() == [
        "Subject", "", "- DF100 run: 2 fixes", "- DF200 apt: 1 fix", "",
        f"Dfix-Fingerprint: {changes.fingerprint}", "Signed-off-by: A <a@example.com>",
    ]


def test_body_tables_fixes_and_leftovers_and_carries_the_marker() -> None:
    changes = _changes(
        ("Dockerfile", (_diagnostic("DF201", "apt-get-missing-yes", "add `-y` | now"),)),
        leftovers=(Leftover("ci/Dockerfile", "DF204", "update-without-install", "apt-get update alone", 3),),
    )
    text = body(changes, base="abc123")
    assert "| `Dockerfile` | [DF201](https://dfix.dev/rules/DF201) apt-get-missing-yes | add `-y` \\| now |" in text
    assert "<details><summary>1 finding dfix did not fix</summary>" in text
    assert "| `ci/Dockerfile` | 3 | [DF204](https://dfix.dev/rules/DF204) update-without-install |" in text
    assert "`dfix rule DF201`" in text and "enabled = false" in text
    marker = read_marker(text)
    assert marker is not None and (marker.fingerprint, marker.base) == (changes.fingerprint, "abc123")
    assert not rebase_requested(text)
    assert rebase_requested(text.replace(f"- [ ] {REBASE_BOX}", f"- [x] {REBASE_BOX}"))
    assert read_marker("no marker here") is None


def test_a_huge_change_keeps_the_body_bounded() -> None:
    many = tuple((f"svc{i}/Dockerfile", (_diagnostic("DF100", "run"),)) for i in range(450))
    text = body(_changes(*many), base="abc")
    assert "250 more fixes in the diff" in text and len(text) < 65_536


def test_the_branch_follows_the_command_line_then_the_config_then_the_kind_of_change() -> None:
    from dfix.bot.run import bot_branch

    pins = _changes(("Dockerfile", (_diagnostic("DF302", "base-image-not-digest-pinned"),)))
    mixed = _changes(("Dockerfile", (_diagnostic("DF302", "pin"), _diagnostic("DF100", "run"))))
    assert bot_branch(None, {"branch": "dfix/autofix"}, pins) == "dfix/pin-digests"
    assert bot_branch(None, {}, mixed) == "dfix/autofix"
    assert bot_branch(None, {}, _changes()) == "dfix/autofix"
    assert bot_branch(None, {"branch": "bots/docker"}, pins) == "bots/docker"
    assert bot_branch("mine", {"branch": "bots/docker"}, pins) == "mine"
