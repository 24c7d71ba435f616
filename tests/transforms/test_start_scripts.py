"""Finding the start script in the build context, and reading what it needs root for."""

from __future__ import annotations

import pytest

from dfix.engine import BuildContext
from dfix.syntax import Cmd, Entrypoint, parse
from dfix.transforms._start_scripts import StartScript, script_root_need, start_script, unread_start_script

PLAIN = "#!/bin/sh\nset -e\nexec \"$@\"\n"


def _find(dockerfile: str, files: dict[str, str]) -> StartScript | None:
    tree = parse(dockerfile)
    instructions = [i for stage in tree.stages for i in stage.instructions]
    runtime = [i for i in instructions if isinstance(i, (Cmd, Entrypoint))]
    return start_script(BuildContext.of_files(files), instructions, runtime)


@pytest.mark.parametrize("dockerfile, files, context_path", [
    ('FROM debian\nCOPY docker-entrypoint.sh /usr/local/bin/\nENTRYPOINT ["docker-entrypoint.sh"]\n',
     {"docker-entrypoint.sh": PLAIN}, "docker-entrypoint.sh"),
    ('FROM debian\nCOPY scripts/entry.sh /entrypoint.sh\nENTRYPOINT ["/entrypoint.sh"]\n',
     {"scripts/entry.sh": PLAIN}, "scripts/entry.sh"),
    ('FROM debian\nCOPY run.sh /usr/local/bin\nCMD run.sh\n', {"run.sh": PLAIN}, "run.sh"),
    ('FROM debian\nWORKDIR /app\nCOPY . .\nCMD ["./docker/start.sh"]\n', {"docker/start.sh": PLAIN}, "docker/start.sh"),
    ('FROM debian\nCOPY . /app\nCMD ["bash", "/app/bin/run"]\n', {"bin/run": "#!/bin/bash\nexec app\n"}, "bin/run"),
    ('FROM alpine\nCOPY echo.sh /\nENTRYPOINT ["/bin/bash", "-c", "./echo.sh"]\n', {"echo.sh": PLAIN}, "echo.sh"),
    ('FROM debian\nCOPY start.sh /\nCMD ["sh", "-c", "exec /start.sh --fast"]\n', {"start.sh": PLAIN}, "start.sh"),
    # a shell's script operand is looked up in the working directory first
    ('FROM ubuntu\nWORKDIR /btsync\nADD run_btsync.sh run_btsync.sh\nENTRYPOINT ["/bin/bash", "run_btsync.sh"]\n',
     {"run_btsync.sh": PLAIN}, "run_btsync.sh"),
])
def test_the_start_script_is_found(dockerfile: str, files: dict[str, str], context_path: str) -> None:
    found = _find(dockerfile, files)
    assert found is not None and found.context_path == context_path


@pytest.mark.parametrize("dockerfile, files", [
    ('FROM debian\nCOPY entrypoint.sh /usr/local/bin/\nENTRYPOINT ["/entrypoint.sh"]\n', {"entrypoint.sh": PLAIN}),
    ('FROM debian\nCOPY --from=build /entrypoint.sh /\nENTRYPOINT ["/entrypoint.sh"]\n', {"entrypoint.sh": PLAIN}),
    ('FROM debian\nCOPY . /app\nCMD ["/app/start.sh"]\n', {"start.sh": PLAIN, ".dockerignore": "start.sh\n"}),
    ('FROM debian\nCOPY server /usr/local/bin/\nCMD ["server"]\n', {"server": "\x7fELF binary"}),
    ('FROM debian\nCOPY start.sh /\nCMD ["sh", "-c", "/start.sh"]\n', {}),
])
def test_what_is_not_the_start_script(dockerfile: str, files: dict[str, str]) -> None:
    assert _find(dockerfile, files) is None


@pytest.mark.parametrize("body, reason", [
    ('if [ "$(id -u)" = 0 ]; then exec gosu app "$@"; fi\nexec "$@"\n', "switches accounts itself (`gosu` on line 2)"),
    ("exec su-exec node:node node server.js\n", "`su-exec`"),
    ("chown -R app:app /data\nexec app\n", "runs `chown` (line 2)"),
    ("service nginx start\nexec app\n", "runs `service`"),
    ("/etc/init.d/cron start\nexec app\n", "runs `/etc/init.d/cron`"),
    ("envsubst < /t.conf > /etc/nginx/conf.d/default.conf\nexec nginx\n", "writes `/etc/nginx/conf.d/default.conf`"),
    ("sed -i \"s/PORT/$PORT/\" /etc/app.conf\nexec app\n", "edits `/etc/app.conf` in place"),
    ("apt-get update && apt-get install -y curl\nexec app\n", "runs `apt-get install` (line 2)"),
    ("sh -c 'chown app /data'\nexec app\n", "runs `chown`"),
    ("cat /root/.config/app.yml\nexec app\n", "reads root's home"),
])
def test_what_needs_root(body: str, reason: str) -> None:
    found = script_root_need(StartScript("/entrypoint.sh", "entrypoint.sh", "#!/bin/sh\n" + body))
    assert found is not None and reason in found


@pytest.mark.parametrize("body", [
    'exec "$@"\n',
    'echo "starting $*" > /dev/stderr\nexec node server.js\n',
    "envsubst < /app/config.tmpl > /tmp/config.json\nexec app --config /tmp/config.json\n",
    "python manage.py migrate && exec gunicorn app:app\n",
])
def test_what_needs_no_root(body: str) -> None:
    assert script_root_need(StartScript("/entrypoint.sh", "entrypoint.sh", "#!/bin/sh\n" + body)) is None


@pytest.mark.parametrize("dockerfile, image_path", [
    # whatever its name, the file a shell runs is a script: `sh /Start`
    ('FROM alpine:3.4\nCOPY Start /Start\nCMD ["sh", "/Start"]\n', "/Start"),
    ('FROM ubuntu\nWORKDIR /btsync\nADD run_btsync.sh run_btsync.sh\nENTRYPOINT ["/bin/bash", "run_btsync.sh"]\n',
     "/btsync/run_btsync.sh"),
    ('FROM debian\nCOPY Start-Server /usr/local/bin/\nCMD ["Start-Server"]\n', "/usr/local/bin/Start-Server"),
])
def test_a_start_script_missing_from_the_context_is_named(dockerfile: str, image_path: str) -> None:
    tree = parse(dockerfile)
    instructions = [i for stage in tree.stages for i in stage.instructions]
    runtime = [i for i in instructions if isinstance(i, (Cmd, Entrypoint))]
    assert unread_start_script(None, instructions, runtime) == image_path


# -- DF600: exec form starts a script only through its `#!` line ------------------------------------

SCRIPT_CMD = "FROM debian:12\nCOPY test.sh /app/test.sh\nWORKDIR /app\nCMD ./test.sh\n"


def _df600(files: dict[str, str] | None):
    import dfix

    context = BuildContext.of_files(files) if files is not None else None
    return dfix.fix(SCRIPT_CMD, select=["DF600"], unsafe=True, build_context=context)


def test_a_script_with_its_shebang_in_the_context_gets_exec_form() -> None:
    assert _df600({"test.sh": "#!/bin/sh\necho hi\n"}).text.endswith('CMD ["./test.sh"]\n')


@pytest.mark.parametrize(
    ("files", "note"),
    [
        ({"test.sh": "echo hi\n"}, "has no `#!` line"),
        (None, "not here to read"),
    ],
)
def test_a_script_without_a_shebang_or_out_of_sight_keeps_shell_form(files, note) -> None:
    result = _df600(files)
    assert result.text == SCRIPT_CMD
    (finding,) = [d for d in result.diagnostics if d.code == "DF600"]
    assert note in (finding.note or "")
