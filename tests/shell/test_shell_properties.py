"""Properties over arbitrary text: the shell layer never raises and its spans are exact."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from dfix.shell import analyze, package_commands, state_effects

# Shell-significant fragments make the generator reach quoting, substitutions,
# compound commands and errors quickly; single characters add the rest,
# including non-ASCII text and lone surrogates from surrogateescape decoding.
_FRAGMENTS = st.sampled_from([
    " ", "\n", "&&", "||", ";", "|", "&", "(", ")", "{ ", " }", "$(", "`", "'", '"', "\\",
    "#", "$X", "${Y:-z}", "if ", "then ", "fi", "for i in a; do ", "done", "case x in a) ", ";;",
    "esac", "<<EOF\n", "EOF\n", "> f", "2>&1", "sudo ", "env A=1 ", "apt-get ", "install ",
    "-y ", "-o ", "pip3 ", "python -m pip ", "npm ci", "apk add ", "--no-cache ", "curl",
    "é", "日本", "\udce9", "=", "*", "cd /x", "export A=1", "set -e",
])
_SCRIPTS = st.lists(st.one_of(_FRAGMENTS, st.characters()), max_size=40).map("".join)


@settings(max_examples=300, deadline=None)
@given(_SCRIPTS)
def test_never_raises_and_spans_match_text(text):
    script = analyze(text)
    package_commands(script)
    state_effects(script)
    for command in script.commands:
        assert 0 <= command.start <= command.end <= len(text)
        for word in command.words:
            assert text[word.start:word.end] == word.text
        for option in command.options():
            assert option.start <= option.end
    for comment in script.comments:
        assert text[comment.start:comment.end] == comment.text
    starts = [item.start for item in script.items]
    assert starts == sorted(starts)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=80))
def test_undecodable_bytes_keep_spans_exact(data):
    text = data.decode("utf-8", "surrogateescape")
    script = analyze(text)
    state_effects(script)
    for command in script.commands:
        for word in command.words:
            assert text[word.start:word.end] == word.text
        for redirect in command.redirects:
            assert 0 <= redirect.start <= redirect.end <= len(text)
