"""The command model: commands wherever they sit, wrappers, contexts, the top-level list."""

from __future__ import annotations

import pytest

from dfix.shell import Context, analyze, simple_commands

C = Context
TOP = frozenset()


def ctx(*members: Context) -> frozenset[Context]:
    return frozenset(members)

APT_RUN = (
    "set -eux; apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "
    "--no-install-recommends curl ca-certificates=2023* $EXTRA && rm -rf /var/lib/apt/lists/*"
)


def names(script: str) -> list[str | None]:
    return [command.name for command in simple_commands(script)]


def test_everyday_apt_run():
    script = analyze(APT_RUN)
    assert not script.has_error
    assert names(APT_RUN) == ["set", "apt-get", "apt-get", "rm"]
    install = script.commands[2]
    assert [(a.name, a.value) for a in install.assignments] == [("DEBIAN_FRONTEND", "noninteractive")]
    assert install.words[0].text == "apt-get"
    assert [w.value for w in install.args] == [
        "install", "-y", "--no-install-recommends", "curl", "ca-certificates=2023*", None,
    ]
    # the command span covers its prefix assignment
    assert APT_RUN[install.start:install.end].startswith("DEBIAN_FRONTEND=noninteractive apt-get")
    assert APT_RUN[install.start:install.end].endswith("$EXTRA")
    assert all(command.context == TOP for command in script.commands)
    assert all(command.is_top_level for command in script.commands)


def test_top_level_list_and_separators():
    script = analyze(APT_RUN)
    assert [(item.kind, item.separator) for item in script.items] == [
        ("command", ";"), ("command", "&&"), ("command", "&&"), ("command", None),
    ]
    assert [len(item.commands) for item in script.items] == [1, 1, 1, 1]
    assert APT_RUN[script.items[0].separator_start] == ";"
    assert script.code_end == len(APT_RUN)
    assert script.tail_separator == "&&"
    assert script.chaining == "mixed"
    assert script.errexit


def test_appending_after_an_item_lands_after_the_command():
    script = analyze("apt-get update && apt-get install -y curl")
    install_item = script.items[1]
    fixed = script.text[: install_item.end] + " && rm -rf /var/lib/apt/lists/*" + script.text[install_item.end:]
    assert names(fixed) == ["apt-get", "apt-get", "rm"]


@pytest.mark.parametrize(
    ("text", "chaining", "errexit"),
    [
        ("apt-get update", "single", False),
        ("a && b || true", "and", False),
        ("set -e; a; b", "sequence", True),
        ("set -ex\na\nb", "sequence", True),
        ("set -o errexit; a", "sequence", True),
        ("set -e; set +e; a", "sequence", False),
        ("set -eux; a && b", "mixed", True),
        ("(set -e); a", "sequence", False),
        ("set -x; a", "sequence", False),
        ("set -o pipefail; a", "sequence", False),
    ],
)
def test_chaining_and_errexit(text, chaining, errexit):
    script = analyze(text)
    assert script.chaining == chaining
    assert script.errexit is errexit


def test_pipes_are_flattened_with_pipe_separators():
    script = analyze("curl -fsSL https://x | tar -xz -C /opt && echo ok")
    assert [item.separator for item in script.items] == ["|", "&&", None]
    assert [c.context for c in script.commands] == [ctx(C.PIPELINE), ctx(C.PIPELINE), TOP]


def test_newline_separated_script_with_comments():
    text = "set -e\n# refresh\napt-get update\n\napt-get install -y git  # tools\nrm -rf /var/lib/apt/lists/*\n"
    script = analyze(text)
    assert names(text) == ["set", "apt-get", "apt-get", "rm"]
    assert [item.separator for item in script.items] == ["\n", "\n", "\n", None]
    assert all(text[item.separator_start] == "\n" for item in script.items[:-1])
    assert [c.text for c in script.comments] == ["# refresh", "# tools"]
    assert script.trailing_comment is None
    assert script.chaining == "sequence"


def test_trailing_comment_is_reported():
    script = analyze("apt-get install -y curl # we need curl")
    assert script.trailing_comment is not None
    assert script.trailing_comment.text == "# we need curl"
    assert script.code_end == len("apt-get install -y curl")
    assert analyze("echo '# not a comment'").trailing_comment is None
    assert analyze("echo a#b").trailing_comment is None


def test_commands_inside_if_condition_and_branch():
    script = analyze("if [ -f x ]; then apk add --no-cache git; else echo no; fi")
    test, add, echo = script.commands
    assert (test.name, [w.text for w in test.words]) == ("[", ["[", "-f", "x", "]"])
    assert test.context == ctx(C.CONDITION)
    assert (add.name, add.context) == ("apk", ctx(C.BRANCH))
    assert (echo.name, echo.context) == ("echo", ctx(C.BRANCH))
    assert not add.is_top_level
    assert [item.kind for item in script.items] == ["if_statement"]


def test_elif_conditions_and_double_bracket_tests():
    script = analyze('if [[ "$A" == b ]]; then x; elif command -v apk; then apk add y; fi')
    assert [(c.name, c.context) for c in script.commands] == [
        ("[[", ctx(C.CONDITION)), ("x", ctx(C.BRANCH)),
        ("command", ctx(C.CONDITION)), ("apk", ctx(C.BRANCH)),
    ]


def test_loops_case_and_functions():
    text = (
        "for p in a b; do pip install $p; done; "
        "while read l; do echo $l; done < list.txt; "
        "case $ARCH in amd64) apt-get install -y x;; *) exit 1;; esac; "
        "f() { cd /tmp; }"
    )
    script = analyze(text)
    contexts = {(c.name, c.context) for c in script.commands}
    assert ("pip", ctx(C.LOOP)) in contexts
    assert ("read", ctx(C.CONDITION)) in contexts
    assert ("echo", ctx(C.LOOP)) in contexts
    assert ("apt-get", ctx(C.BRANCH)) in contexts
    assert ("exit", ctx(C.BRANCH)) in contexts
    assert ("cd", ctx(C.FUNCTION, C.BRACE_GROUP)) in contexts
    while_command = next(c for c in script.commands if c.name == "read")
    assert script.items[while_command.item_index].kind == "redirected_statement"


def test_subshell_brace_group_background_and_negation():
    script = analyze("(cd /src && npm ci) & { make; make install; } && ! grep -q x f")
    assert [(c.name, c.context) for c in script.commands] == [
        ("cd", ctx(C.SUBSHELL, C.BACKGROUND)),
        ("npm", ctx(C.SUBSHELL, C.BACKGROUND)),
        ("make", ctx(C.BRACE_GROUP)),
        ("make", ctx(C.BRACE_GROUP)),
        ("grep", ctx(C.NEGATED)),
    ]
    assert [item.separator for item in script.items] == ["&", "&&", None]


def test_background_applies_to_the_whole_and_or_list():
    script = analyze("a && b & c")
    assert [c.context for c in script.commands] == [ctx(C.BACKGROUND), ctx(C.BACKGROUND), TOP]


def test_command_substitutions_are_walked():
    script = analyze('pip install $(cat requirements.txt) && echo "arch: `uname -m`"')
    assert [(c.name, c.context) for c in script.commands] == [
        ("pip", TOP), ("cat", ctx(C.SUBSTITUTION)),
        ("echo", TOP), ("uname", ctx(C.SUBSTITUTION)),
    ]
    assert [c.item_index for c in script.commands] == [0, 0, 1, 1]
    assert [len(item.commands) for item in script.items] == [2, 2]


def test_assignment_substitution_and_bare_assignment():
    script = analyze('VERSION=$(curl -s https://x/latest) && echo "$VERSION"')
    assignment, curl, echo = script.commands
    assert assignment.name is None and assignment.name_index is None
    assert [(a.name, a.value) for a in assignment.assignments] == [("VERSION", None)]
    assert curl.context == ctx(C.SUBSTITUTION)


@pytest.mark.parametrize(
    ("text", "name", "wrapper_names"),
    [
        ("sudo -E pip3 install -r requirements.txt", "pip3", ["sudo"]),
        ("sudo -u www-data -H composer install", "composer", ["sudo"]),
        ("sudo apt-get update", "apt-get", ["sudo"]),
        ("env -i PATH=/bin DEBIAN_FRONTEND=noninteractive apt-get install -y x", "apt-get", ["env"]),
        ("env X=1", "env", []),
        ("command -v apt-get", "command", []),
        ("command apt-get update", "apt-get", ["command"]),
        ("exec gosu app node server.js", "node", ["exec", "gosu"]),
        ("nice -n 10 make -j4", "make", ["nice"]),
        ("time make", "make", ["time"]),
        ("timeout -s KILL 60 ./test.sh", "test.sh", ["timeout"]),
        ("xargs -r -n 1 apt-get install -y", "apt-get", ["xargs"]),
        ("eatmydata apt-get install -y x", "apt-get", ["eatmydata"]),
        ("nohup sudo -E env A=1 /usr/bin/apt-get update", "apt-get", ["nohup", "sudo", "env"]),
        ("sudo -l", "sudo", []),
        ("sudo $TOOL install", None, ["sudo"]),
        ("/usr/local/bin/pip install x", "pip", []),
    ],
)
def test_wrappers_are_seen_through(text, name, wrapper_names):
    (command,) = simple_commands(text)
    assert command.name == name
    assert [w.name for w in command.wrappers] == wrapper_names


def test_wrapper_words_and_options_are_kept_for_fixes():
    text = "sudo -E -u root apt-get install -y curl"
    (command,) = simple_commands(text)
    (sudo,) = command.wrappers
    assert [w.text for w in sudo.words] == ["sudo", "-E", "-u", "root"]
    assert [(o.name, o.argument) for o in sudo.options] == [("-E", None), ("-u", "root")]
    assert text[sudo.start:sudo.end] == "sudo -E -u root"
    assert command.name_word.text == "apt-get"
    assert [w.text for w in command.args] == ["install", "-y", "curl"]
    assert command.has_wrapper("sudo")


def test_env_assignments_are_collected():
    (command,) = simple_commands("A=1 env B=2 C=$D make")
    assert [(a.name, a.value) for a in command.assignments] == [("A", "1"), ("B", "2"), ("C", None)]


def test_redirects_belong_to_their_command():
    text = "curl -s https://x > /tmp/x.tgz 2>&1 && tar -xzf /tmp/x.tgz < /dev/null"
    curl, tar = simple_commands(text)
    assert [(r.operator, r.descriptor, r.target.text) for r in curl.redirects] == [
        (">", None, "/tmp/x.tgz"), (">&", "2", "1"),
    ]
    assert text[curl.start:curl.end] == "curl -s https://x > /tmp/x.tgz 2>&1"
    assert [r.operator for r in tar.redirects] == ["<"]


def test_heredoc_redirect_and_body_substitutions():
    text = "cat <<EOF > /etc/app.conf\nbuilt $(date)\nEOF\necho done"
    cat, date, echo = simple_commands(text)
    assert [(r.operator, r.target.value) for r in cat.redirects] == [("<<", "EOF"), (">", "/etc/app.conf")]
    assert date.context == ctx(C.SUBSTITUTION)
    assert echo.name == "echo"


def test_builtins_with_their_own_grammar():
    export, unset, test = simple_commands('export PATH="/opt/bin:$PATH" LANG=C.UTF-8; unset X; [ -n "$A" ]')
    assert export.name == "export"
    assert [w.value for w in export.words] == ["export", None, "LANG=C.UTF-8"]
    assert [w.text for w in unset.words] == ["unset", "X"]
    assert test.name == "["


def test_quoted_and_non_ascii_words():
    text = 'echo "foo bar" \'baz qux\' ünïcode && touch "/tmp/ü ß"'
    echo, touch = simple_commands(text)
    assert [w.value for w in echo.args] == ["foo bar", "baz qux", "ünïcode"]
    assert touch.args[0].value == "/tmp/ü ß"
    assert text[touch.args[0].start:touch.args[0].end] == '"/tmp/ü ß"'


def test_commands_named_and_argv():
    script = analyze("apt-get update && /usr/bin/apt-get install -y x && echo hi")
    assert [c.program for c in script.commands_named("apt-get")] == ["apt-get", "/usr/bin/apt-get"]
    assert script.commands[1].argv == ("/usr/bin/apt-get", "install", "-y", "x")


def test_syntax_error_still_yields_recoverable_commands():
    script = analyze("apt-get update && && apt-get install -y curl")
    assert script.has_error
    assert names(script.text) == ["apt-get", "apt-get"]


def test_empty_and_comment_only_scripts():
    assert analyze("").commands == ()
    assert analyze("").items == ()
    only_comment = analyze("# nothing")
    assert only_comment.commands == ()
    assert only_comment.trailing_comment is not None


def test_model_is_immutable_and_cached():
    first = analyze(APT_RUN)
    assert analyze(APT_RUN) is first
    with pytest.raises(AttributeError):
        first.commands[0].name = "x"  # type: ignore[misc]


def test_long_and_chains_do_not_recurse_per_operator():
    text = " && ".join(f"echo {index}" for index in range(5000))
    script = analyze(text)
    assert not script.has_error
    assert len(script.commands) == len(script.items) == 5000
    assert script.items[-2].separator == "&&"


def test_absurd_nesting_degrades_to_an_error_flag():
    script = analyze("( " * 3000 + "a" + " )" * 3000)
    assert script.has_error
    assert script.items == ()


def test_redirect_after_a_list_belongs_to_its_last_command():
    text = "a && tar -xzf x.tgz < /dev/null && b"
    script = analyze(text)
    _, tar, _ = script.commands
    assert [r.target.value for r in tar.redirects] == ["/dev/null"]
    assert text[tar.start:tar.end] == "tar -xzf x.tgz < /dev/null"
    assert [text[i.start:i.end] for i in script.items] == ["a", "tar -xzf x.tgz < /dev/null", "b"]
    assert [i.separator for i in script.items] == ["&&", "&&", None]
