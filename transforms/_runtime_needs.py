"""What the final image's process needs that a new non-root ``USER`` would take away.

DF400 (no-user) and DF401 (last-user-root) add a ``USER`` after the last
build step. Whether the container still starts then depends on what the
process does at run time, which the Dockerfile only hints at. This module
reads those hints, in two kinds:

* **report, don't fix** (`root_need`): the file is a base image (its CMD is
  a bare interpreter or shell, it ships docker-library helper scripts), or
  its process visibly needs root: paths under ``/root`` (mode 0700), root's
  dotfiles configured at build time, package installs at run time,
  privileged network tools, services started through init scripts, a
  start script in the build context that switches accounts itself or does
  what only root may, or the author's own comment about
  ``USER``/root/permissions;
* **make writable** (`writable_paths`): folders the process writes, which
  the fix gives to the new user in the same edit: the final ``WORKDIR``,
  folders the final stage creates with ``mkdir``, and the known homes of
  servers (`SERVER_HOMES`). A folder that cannot be placed (a variable no
  ``ENV`` defines, a relative ``mkdir`` without a known directory) stops
  the fix instead.

Every check answers with a sentence for the report, or None.
"""

from __future__ import annotations

import posixpath
import re
from typing import Protocol, Sequence

import msgspec

from dfix.engine import Context, StageInfo, program_name
from dfix.patterns import lazy_pattern
from dfix.shell import CONDITIONAL, ShellScript, SimpleCommand, package_commands
from dfix.syntax import Add, Arg, Cmd, Copy, Entrypoint, Env, Expose, Instruction, Run, User, Workdir

from ._base_images import ImageFacts, is_root_user
from ._start_scripts import StartScript, command_words, script_root_need, start_script, unread_start_script


class UserSituation(Protocol):
    """What these checks read of the final image (`transforms._users.UserSituation` provides it)."""

    context: Context
    chain: list[StageInfo]
    facts: ImageFacts

    @property
    def final(self) -> StageInfo: ...

    @property
    def instructions(self) -> list[Instruction]: ...

    @property
    def runtime(self) -> list[Instruction]: ...

    @property
    def runtime_commands(self) -> Sequence[SimpleCommand | tuple[str, ...]]: ...

    @property
    def scripts(self) -> list[ShellScript]: ...

    @property
    def commands(self) -> list[SimpleCommand]: ...

    def defined_variables(self) -> set[str]: ...

__all__ = ["SERVER_HOMES", "ServerHome", "WritablePath", "root_need", "writable_paths"]


# -- base images ------------------------------------------------------------------------------

#: Programs that, run with no operand, are an interactive interpreter or shell: the CMD of a base image
#: (``python:3.12`` runs ``python3``, ``php:cli`` runs ``php -a``, ``erlang`` runs ``erl``).
INTERPRETERS = frozenset({
    "sh", "bash", "ash", "dash", "zsh", "ksh", "mksh", "fish", "busybox",
    "python", "python2", "python3", "ipython", "ipython3", "pypy", "pypy3", "node", "nodejs", "deno", "bun",
    "php", "irb", "ruby", "jshell", "ghci", "iex", "erl", "R", "julia", "perl", "perl5", "lua", "luajit",
    "groovysh", "scala", "clojure", "clj", "swipl", "tclsh", "pwsh", "ocaml", "racket", "guile", "sbcl", "pry",
})
_VERSIONED_INTERPRETER = lazy_pattern(r"^(python|pypy|php|ruby|perl|lua)\d[\d.]*$")
#: Wrappers in front of the real program: init shims and the docker-library entrypoint script.
_SHIMS = lazy_pattern(r"^(tini|tini-static|dumb-init|catatonit|docker-entrypoint(\.sh)?|entrypoint(\.sh)?|--|-g|-s)$")
#: Files only docker-library base images ship (``COPY docker-php-ext-* /usr/local/bin/``).
_LIBRARY_HELPERS = lazy_pattern(r"(^|/)(docker-php-ext-[\w*-]+|docker-php-source|docker-php-entrypoint)$")


def _is_interpreter(name: str) -> bool:
    return name in INTERPRETERS or bool(_VERSIONED_INTERPRETER.match(name))


#: Commands that only print facts about the image (``CMD pwd; whoami; php -v``).
_INFORMATIONAL = frozenset({"pwd", "whoami", "id", "echo", "env", "printenv", "uname", "date", "true", "hostname"})


def _informational(situation: UserSituation) -> str | None:
    """A shell CMD that only prints versions and facts: a base image's smoke test, not an app."""
    commands = [c for c in situation.runtime_commands if not isinstance(c, tuple)]
    if not commands:
        return None
    for command in commands:
        name = command.name or ""
        options_only = all((w.value or "").startswith("-") for w in command.args)
        if not (name in _INFORMATIONAL or _is_interpreter(name) and options_only and command.args):
            return None
    return "its command only prints facts about the image: this is a base image for other builds, whose RUN steps a USER would make unprivileged"


def base_image_reason(situation: UserSituation) -> str | None:
    """Why the file builds a base image rather than an app, if it does.

    A base image is extended with ``FROM``; a ``USER`` in it makes every child's
    ``RUN apt-get install``/``docker-php-ext-install`` fail. Its CMD is a bare
    interpreter or shell (options only: ``php -a``, ``bash -l``), possibly behind
    ``docker-entrypoint.sh`` or an init shim, or it ships docker-library helpers.
    """
    for instruction in situation.instructions:
        if isinstance(instruction, (Copy, Add)) and any(_LIBRARY_HELPERS.search(s) for s in instruction.sources):
            return f"line {instruction.start_line} ships docker-library helper scripts: this is a base image for other builds"
    argv: list[str] = []
    for instruction in situation.runtime:  # ENTRYPOINT first, then CMD
        exec_form = instruction.exec_form
        if exec_form is not None:
            argv.extend(exec_form)
        elif instruction.shell_form is not None:
            if any(c in instruction.shell_form for c in "&|;$`<>"):
                return _informational(situation)
            argv.extend(instruction.shell_form.split())
    while argv and _SHIMS.match(program_name(argv[0])):
        argv.pop(0)
    if not argv:
        return None
    program = program_name(argv[0])
    if _is_interpreter(program) and all(word.startswith("-") for word in argv[1:]):
        shown = " ".join(argv)
        return f"its command is the bare interpreter `{shown}`: this is a base image for other builds, whose RUN steps a USER would make unprivileged"
    if program in APP_SERVERS and len(argv) == 1 and not _copies_from_context(situation):
        return (f"its command is the bare application server `{argv[0]}` and the file copies no application into the "
                "image: this is a base image for the builds that add one, whose RUN steps a USER would make "
                "unprivileged")
    return None


#: Servers that run an application they are given (a module, a config, a rackup file); bare, with no application
#: copied in, they are a platform for child images (``CMD ["uwsgi"]`` configured by the child's files).
APP_SERVERS = frozenset({
    "uwsgi", "gunicorn", "uvicorn", "hypercorn", "daphne", "waitress-serve", "puma", "unicorn", "rackup",
})


def _copies_from_context(situation: UserSituation) -> bool:
    """A COPY/ADD of the final image brings files from the build context (not from a stage, image or URL)."""
    for instruction in situation.instructions:
        if isinstance(instruction, Copy) and instruction.from_stage is None or isinstance(instruction, Add):
            if any("://" not in source and not source.startswith("<<") for source in instruction.sources):
                return True
    return False


# -- root needs -------------------------------------------------------------------------------

#: ``/root``, ``~`` or ``$HOME`` (root's home at build time) starting a path.
_ROOT_HOME = lazy_pattern(r"(?:(?<![\w/.-])/root(?=/|$|[\s\"':;])|(?:^|(?<=[\s=:\"']))~(?=/|$)|\$\{?HOME\}?(?=/|$))")
#: Commands that only clean up or inspect (a path under /root there configures nothing).
#: (``cd /root`` only picks where a build step works: what it leaves there is what the runtime checks read.)
_HARMLESS_ON_ROOT_PATHS = frozenset({"rm", "ls", "echo", "test", "[", "find", "du", "stat", "cat", "cd", "pushd", "popd"})
#: Installers whose default prefix is the home folder (``bash Miniconda3-latest-Linux-x86_64.sh -b``).
_HOME_INSTALLER = lazy_pattern(r"(?i)(anaconda|miniconda|miniforge|mambaforge)[\w.-]*\.sh$")
#: Commands that write root's dotfiles (``~/.gitconfig``, ``~/.npmrc``, ``~/.condarc``, ``~/.bashrc``).
_DOTFILE_COMMANDS = (
    ("git", "config", "--global"), ("npm", "config", "set"), ("yarn", "config", "set"), ("pip", "config", "set"),
    ("conda", "init"), ("conda", "config"), ("gem", "sources"), ("rustup",), ("nvm",), ("sdk", "install"),
    # tools whose installs go to the home folder (``~/.mix``, ``~/.composer``, ``~/.local``, ``~/.dotnet``); not
    # ``go install`` or ``cargo install``, whose official images put GOPATH and CARGO_HOME outside any home
    ("mix", "local.hex"), ("mix", "local.rebar"), ("mix", "archive.install"), ("composer", "global"),
    ("pipx", "install"), ("dotnet", "tool"),
)
#: Package managers a CMD/ENTRYPOINT must not run as a non-root user (they write root-owned system paths).
_RUNTIME_INSTALLERS = {
    "apt-get": ("install", "update", "upgrade"), "apt": ("install", "update", "upgrade"), "apk": ("add", "update"),
    "yum": ("install", "update"), "dnf": ("install", "update"), "microdnf": ("install",), "zypper": ("install", "in"),
    "pip": ("install",), "pip3": ("install",), "gem": ("install",), "npm": ("install", "i", "ci"),
    "yarn": ("install", "add"), "composer": ("install", "update", "require"), "bundle": ("install",),
}
#: Network tools that need ``CAP_NET_ADMIN``/``CAP_NET_RAW`` (run-time programs or installed packages).
PRIVILEGED_NETWORK_TOOLS = frozenset({
    "iptables", "ip6tables", "iptables-legacy", "nft", "nftables", "ebtables", "ipset", "tcpdump", "tshark",
    "nmap", "masscan", "arping", "iputils-arping", "hping3", "ping", "ping6", "traceroute", "mtr", "tc",
    "wireguard-tools", "wg", "ipvsadm", "nsenter", "conntrack", "bridge",
})
#: Packages whose program is one of those tools (``ping`` alone is not counted: Docker lets any user ping).
_NETWORK_PACKAGES = (PRIVILEGED_NETWORK_TOOLS - {"ping", "ping6", "traceroute", "mtr", "tc", "wg"}) | {
    "libpcap", "libpcap-dev", "libpcap0.8", "libpcap0.8-dev", "libpcap-devel",  # packet capture
}
#: Packages for work only root can do: disks and file systems, chroots, and the Docker CLI (whose socket, when
#: mounted, belongs to root and the host's ``docker`` group).
PRIVILEGED_SYSTEM_PACKAGES = frozenset({
    "parted", "kpartx", "debootstrap", "multistrap", "lvm2", "cryptsetup", "mdadm", "nbd-client", "open-iscsi",
    "nfs-common", "cifs-utils", "sshfs", "fuse", "fuse3", "docker", "docker.io", "docker-ce", "docker-ce-cli",
    "docker-cli", "moby-cli", "podman", "buildah",
    # backup and restore tools keep files' owners, which only root can set or read for every file
    "borgbackup", "borg", "restic", "rsnapshot", "duplicity", "rdiff-backup", "bacula-fd", "duplicati",
})
#: Packages with which the process switches users itself.
_USER_SWITCHERS = frozenset({"sudo", "gosu", "su-exec"})
#: Packages that install a service a start script then launches (as root, through its init script).
SERVICE_PACKAGES = frozenset({
    "mysql-server", "mariadb-server", "postgresql", "redis-server", "redis", "mongodb", "mongodb-org", "nginx",
    "apache2", "httpd", "openssh-server", "supervisor", "cron", "cronie", "rsyslog", "postfix", "dovecot-core",
    "memcached", "rabbitmq-server", "elasticsearch", "php-fpm", "samba", "vsftpd", "bind9", "squid", "xvfb",
    "dbus", "avahi-daemon", "tor", "privoxy", "openvpn", "slapd", "mosquitto", "varnish", "haproxy",
    "pgpool2", "pgbouncer", "keepalived", "snmpd", "ntp", "chrony", "bind", "nagios4", "icinga2", "zabbix-agent",
    "asterisk", "freeradius", "exim4", "sendmail", "opendkim", "spamassassin", "clamav-daemon", "proftpd",
    "pure-ftpd", "lighttpd", "uwsgi-emperor", "shellinabox", "xrdp", "x11vnc", "tigervnc-standalone-server",
})
#: Service packages that come in flavours (``nginx-extras``, ``apache2-bin``, ``postgresql-15``, ``mysql-server-8.0``).
_SERVICE_FAMILIES = frozenset({"nginx", "apache2", "postgresql", "mysql", "mariadb", "redis", "mongodb", "openssh"})
#: A start script by its name: ``start.sh``, ``run``, ``start-pgpool2``, ``boot.sh``, ``entrypoint``.
_START_SCRIPT = lazy_pattern(r"(\.sh$|^(start|run|init|boot|entrypoint|docker-entrypoint)([_.-]|$))")
_SERVICE_START = lazy_pattern(r"(\bservice\s+[\w.@-]+\s+(start|restart)\b|/etc/init\.d/[\w.@-]+|\bsystemctl\s+(start|enable)\b|\brc-service\b)")
#: The author's own words about users, root or permissions, in a comment line.
_AUTHOR_COMMENT = lazy_pattern(
    r"\bUSER\b|(?i:non-?root|unprivileged|\bas\s+root\b|\bas\s+(a|the)\s+(non-?root\s+)?user\b|privileges?\b"
    r"|permission\s+(problem|issue|error|denied)s?|\bsetuid\b)"
)
_COMMENT_LINE = lazy_pattern(r"^[ \t]*#(?![ \t]*(?:escape|syntax|check)[ \t]*=)(.*)$", re.M)


def root_need(situation: UserSituation) -> str | None:
    """Why the process visibly needs root at run time (so the rule reports instead of fixing), or None."""
    for check in (
        _author_comment, _overridden_command, _start_script, _root_home, _runtime_installs, _network_tools,
        _services, _config_renderers, _build_time_database, _system_folder_settings, _named_system_folder,
        _collectors, _app_in_file_system_root, _start_up_writes, _hidden_program, _root_crontab, _docker_cli,
        _runtime_build, _packaged_server, _github_action, _manages_accounts, _unread_start_script,
        _mounted_workspace, _command_line_tool, _ssh_deployer,
    ):
        reason = check(situation)
        if reason:
            return reason
    return None


def _start_script(situation: UserSituation) -> str | None:
    """The start script the build context holds drops privileges itself, or does what only root may."""
    script = _found_start_script(situation)
    return script_root_need(script) if script is not None else None


def _found_start_script(situation: UserSituation) -> StartScript | None:
    """The start script in the build context, looked for once per file (it may walk the context's folders)."""
    return situation.context.memo(
        ("start script", situation.final.stage.index),
        lambda: start_script(situation.context.build_context, situation.instructions, situation.runtime),
    )


def _unread_start_script(situation: UserSituation) -> str | None:
    """The container starts through a script the build copies but that cannot be read here.

    Asked after every reason the file itself shows, which is the better one to give (only the guess
    that the WORKDIR is a mounted workspace comes after it).
    """
    build = situation.context.build_context
    if _found_start_script(situation) is not None:
        return None
    unread = unread_start_script(build, situation.instructions, situation.runtime)
    if unread is not None:
        where = "is not in the build context" if build is not None else "comes from the build context, not given here"
        return (f"the container starts through `{unread}`, a script that {where}; what it needs (root, files it "
                "writes) cannot be read (check the Dockerfile in its build context, or pass --context)")
    return None


_OVERRIDE = lazy_pattern(r"(?i)\boverrid(e|es|den|ing)\b")
_COMMAND_WORD = lazy_pattern(r"(?i)\b(cmd|command|entrypoint|fig|compose|docker-compose)\b")


def _overridden_command(situation: UserSituation) -> str | None:
    """The author says the CMD is overridden: the container also runs commands the file does not show."""
    code = situation.context.tree.code
    for match in _COMMENT_LINE.finditer(code):
        text = match.group(1)
        if _OVERRIDE.search(text) and _COMMAND_WORD.search(text):
            line = code.count("\n", 0, match.start()) + 1
            return (f"the comment on line {line} ('{_shorten(text.strip()).replace('`', '')}') says the command is "
                    "overridden: the container also runs commands the file does not show")
    return None


def _author_comment(situation: UserSituation) -> str | None:
    code = situation.context.tree.code
    for match in _COMMENT_LINE.finditer(code):
        if _AUTHOR_COMMENT.search(match.group(1)) or re.search(r":/root(/|\b)", match.group(1)):
            line = code.count("\n", 0, match.start()) + 1
            return f"the comment on line {line} ('{_shorten(match.group(1).strip()).replace('`', '')}') speaks about users or root; its author knows what the process needs"
    return None


def _root_home(situation: UserSituation) -> str | None:
    """``/root`` is mode 0700: a non-root process can neither run nor read anything under it."""
    home_moved = any(isinstance(i, Env) and any(key == "HOME" and not _under_root(value.strip("\"'")) for key, value in i.pairs)
                     for i in situation.instructions)
    for instruction in situation.instructions:
        where = f"line {instruction.start_line}"
        if isinstance(instruction, Workdir) and instruction.value and _under_root(instruction.value):
            return f"{where}: the WORKDIR `{instruction.value}` is under /root, which only root may enter"
        if isinstance(instruction, (Copy, Add)) and instruction.destination and _under_root(instruction.destination):
            return f"{where}: files are copied to `{instruction.destination}`, under /root, which only root may enter"
        if isinstance(instruction, (Copy, Add)) and instruction.destination and _HOME_DOTFOLDER.match(instruction.destination):
            return (f"{where}: configuration is copied to `{instruction.destination}`, a dot-folder a program finds "
                    "through its HOME; the new user's home is elsewhere")
        if isinstance(instruction, Env):
            for key, value in instruction.pairs:
                if re.search(r"(^|[:=\s\"'])/root(/|$|[:\s\"'])", value):
                    return f"{where}: `ENV {key}` points under /root, which only root may enter"
        if isinstance(instruction, (Cmd, Entrypoint)):
            text = " ".join(instruction.exec_form) if instruction.exec_form is not None else (instruction.shell_form or "")
            if _ROOT_HOME.search(text):
                return f"{where}: the command reads from root's home (`{_shorten(text)}`), which only root may enter"
    for script in _scripts_run_as_root(situation):
        for command in script.commands:
            reason = _configures_root_home(command, home_moved)
            if reason:
                return reason
    return None


def _scripts_run_as_root(situation: UserSituation) -> list:
    """The scripts of the chain's RUNs that run as root (no non-root ``USER`` in force): those write root's home."""
    root = not situation.facts.default_non_root
    out = []
    for instruction in situation.instructions:
        if isinstance(instruction, User) and instruction.value:
            root = is_root_user(instruction.value)
        elif root and isinstance(instruction, Run):
            model = situation.context.run_view(instruction).model
            if model is not None:
                out.append(model)
    return out


#: A dot-folder at the top of the file system (``/.znc``, ``/.config``): where a program run with ``HOME=/`` looks.
_HOME_DOTFOLDER = lazy_pattern(r"^/\.[\w-]")


def _under_root(path: str) -> bool:
    return path == "/root" or path.startswith(("/root/", "~/")) or path == "~"


def _configures_root_home(command: SimpleCommand, home_moved: bool) -> str | None:
    name = command.name
    if not name or name in _HARMLESS_ON_ROOT_PATHS:
        return None
    values = [word.text for word in command.args] + [r.target.text for r in command.redirects if r.target is not None]
    for prefix in _DOTFILE_COMMANDS:
        if (name,) + tuple(v for v in values[: len(prefix) - 1]) == prefix:
            return f"`{' '.join(prefix)}` configures root's home, which the new user could not read"
    if name in ("bash", "sh") and values and _HOME_INSTALLER.search(values[0]) and "-p" not in values:
        return f"`{_shorten(values[0])}` installs into root's home (no -p), which the new user could not read"
    if name.startswith("pip") and "install" in values and "--user" in values:
        return "`pip install --user` installs into root's home, which the new user could not read"
    for value in values:
        if _ROOT_HOME.search(value) and not (home_moved and "HOME" in value):
            return f"`{name}` works in root's home (`{_shorten(value)}`), which the new user could not read"
    return None


def _runtime_installs(situation: UserSituation) -> str | None:
    for command in situation.runtime_commands:
        argv = list(command) if isinstance(command, tuple) else [w.value or "" for w in command.words]
        while argv and "=" in argv[0] and not argv[0].startswith("-"):
            argv.pop(0)  # VAR=value prefixes
        if not argv:
            continue
        name = program_name(argv[0])
        key = "pip" if re.match(r"^pip\d[\d.]*$", name) else name
        if key == "python" or _VERSIONED_INTERPRETER.match(key) and key.startswith("python"):
            if argv[1:3] == ["-m", "pip"]:
                key, argv = "pip", argv[2:]
        verbs = _RUNTIME_INSTALLERS.get(key)
        if verbs and any(word in verbs for word in argv[1:3]):
            return f"the container runs `{_shorten(' '.join(argv))}` at start-up, which writes root-owned system paths"
    return None


def _network_tools(situation: UserSituation) -> str | None:
    for command in situation.runtime_commands:
        name = program_name(command[0]) if isinstance(command, tuple) and command else getattr(command, "name", None)
        if name in PRIVILEGED_NETWORK_TOOLS:
            return f"the container runs `{name}`, which needs network capabilities a non-root user does not have"
    for script in situation.scripts:
        for invocation in package_commands(script):
            if invocation.action != "install":
                continue
            for word in invocation.packages:
                if word.value in _NETWORK_PACKAGES:
                    return f"the image installs `{word.value}`, which needs network capabilities a non-root user does not have"
                if word.value in _USER_SWITCHERS:
                    return f"the image installs `{word.value}`, with which the process switches users itself"
                if word.value in PRIVILEGED_SYSTEM_PACKAGES:
                    return f"the image installs `{word.value}`, a tool for work only root can do (devices, mounts, file owners)"
    # a package list kept in a variable (`ENV PACKAGES="... ipvsadm ..."` then `apk add $PACKAGES`)
    for instruction in situation.instructions:
        if isinstance(instruction, (Env, Arg)):
            words = set(re.findall(r"[\w.+-]+", instruction.code))
            for name in sorted(words & _NETWORK_PACKAGES):
                return (f"line {instruction.start_line} lists `{name}` (installed through a variable), which needs "
                        "network capabilities a non-root user does not have")
    return None


def _services(situation: UserSituation) -> str | None:
    for instruction in situation.instructions:
        if isinstance(instruction, (Run, Cmd, Entrypoint)):
            match = _SERVICE_START.search(instruction.code)
            if match:
                return (f"line {instruction.start_line} starts a service through its init script (`{match.group(0)}`), "
                        "which runs as root")
    scripted = any(_is_start_script(i) for i in situation.runtime)
    if not scripted:
        return None
    for script in situation.scripts:
        for invocation in package_commands(script):
            if invocation.action != "install":
                continue
            for word in invocation.packages:
                if word.value and _service_package(word.value):
                    return (f"the image installs the service `{word.value}` and starts through a script, which likely "
                            "launches it as root")
    return None


#: Parts of a service family that run no service: its clients, tools, shared files, headers, documentation.
_NOT_A_SERVICE = lazy_pattern(r"client|-(common|tools|utils|doc|dev)\b")


def _service_package(name: str) -> bool:
    """``postgresql-15`` or ``openssh-server`` installs a service; ``openssh-client`` and ``postgresql-client`` do not."""
    if name in SERVICE_PACKAGES:
        return True
    return name.split("-", 1)[0] in _SERVICE_FAMILIES and not _NOT_A_SERVICE.search(name)


#: Programs that render configuration files into system folders (``/etc/nginx/...``) while the container runs.
_CONFIG_RENDERERS = lazy_pattern(r"^(confd|consul-template)([_.-]|$)")
#: Build steps that create a database file in the image (only an embedded one, SQLite, can be created without a
#: server): the process later writes that root-owned file.
_DATABASE_SETUP = lazy_pattern(
    r"\b(rake|rails)\s+db:(setup|create|migrate|schema:load|seed)\b|\bmanage\.py\s+(migrate|syncdb)\b"
    r"|\bflask\s+db\s+upgrade\b|\bsqlite3\s+\S+\.(db|sqlite3?)\b"
)


def _config_renderers(situation: UserSituation) -> str | None:
    for word in _runtime_words(situation):
        name = program_name(word)
        if _CONFIG_RENDERERS.match(name):
            return f"the container runs `{name}`, which writes configuration files into root-owned system folders"
    for instruction in situation.instructions:
        if isinstance(instruction, (Run, Copy, Add)) and re.search(r"/(confd|consul-template)(\s|$)", instruction.code):
            return "the image ships confd or consul-template, which write configuration files into root-owned system folders"
    return None


#: Servers unpacked from a release archive: they write logs and data under their own home folder. Not the
#: tools named after them (``elasticsearch_exporter``, ``kafka-monitor``); ``kafka_2.13-3.7.0.tgz`` is Kafka.
_PACKAGED_SERVERS = lazy_pattern(
    r"(?<![A-Za-z0-9])(kafka|zookeeper|artifactory|nexus|elasticsearch|solr|cassandra|hadoop|hbase|spark|activemq"
    r"|artemis|wildfly|jboss|jetty|sonarqube|storm|flink|nifi|keycloak|neo4j|couchdb|rabbitmq|ignite|druid|presto"
    r"|trino)(?![A-Za-z0-9])"
    # `NAME_word` is the server only in its own settings (`KAFKA_HOME`, `NEXUS_DATA`): not `elasticsearch_exporter`
    r"(?!_(?!(?:version|home|url|dir|path|data|opts|conf|logs?|sha\d*|major|minor|release)(?![A-Za-z0-9]))"
    r"[A-Za-z])"
    # nor a tool named after it
    r"(?![-_](?:exporter|monitor|client|cli|operator|ui|proxy|dump|tools?|manager|connect|beat)(?![A-Za-z0-9]))",
    re.I,
)


def _packaged_server(situation: UserSituation) -> str | None:
    """A server the build unpacks from its release archive writes logs and data under its root-owned home."""
    if situation.facts.key in SERVER_HOMES:
        return None
    for instruction in situation.instructions:
        if isinstance(instruction, (Run, Add, Env)):
            match = _PACKAGED_SERVERS.search(instruction.code)
            if match and (isinstance(instruction, Add) or re.search(r"\b(tar|unzip|wget|curl)\b|_VERSION|_HOME", instruction.code)):
                return (f"the image installs {match.group(1).lower()}, which writes logs and data under its home folder, "
                        "root-owned")
    return None


def _manages_accounts(situation: UserSituation) -> str | None:
    """Account tools installed but no account created in the build: the process creates accounts itself."""
    names = {c.name for c in situation.commands}
    if names & {"useradd", "adduser", "groupadd", "addgroup"}:
        return None
    for script in situation.scripts:
        for invocation in package_commands(script):
            if invocation.action == "install" and any(w.value in ("shadow-utils", "shadow") for w in invocation.packages):
                return "the image installs account tools without creating an account: the process manages accounts"
    return None


def _github_action(situation: UserSituation) -> str | None:
    """GitHub runs Docker container actions as root and mounts the workspace for root: a USER breaks them."""
    why = "this is a GitHub Action, which GitHub runs as root with the workspace it mounts"
    for instruction in situation.instructions:
        if instruction.code.lstrip().upper().startswith("LABEL") and "com.github.actions." in instruction.code:
            return why
    if _ACTION_TEMPLATE.search(situation.context.tree.code):
        return why + " (its first comment is GitHub's template for one)"
    build = situation.context.build_context
    if build is not None and any(build.exists(name) for name in ("action.yml", "action.yaml")):
        return why + " (`action.yml` sits next to the Dockerfile)"
    return None


#: The first line of GitHub's Docker container action template.
_ACTION_TEMPLATE = lazy_pattern(r"^[ \t]*#[ \t]*Container image that runs your code", re.MULTILINE | re.IGNORECASE)


def _build_time_database(situation: UserSituation) -> str | None:
    for instruction in situation.instructions:
        if isinstance(instruction, Run):
            match = _DATABASE_SETUP.search(instruction.code)
            if match:
                return (f"line {instruction.start_line} creates a database file at build time (`{match.group(0)}`), "
                        "root-owned, which the process writes")
    return None


#: An ENV naming a folder the process uses (``CONF_DIR``, ``INSTALL_DIR``, ``DATA_DIR``).
_FOLDER_SETTING = lazy_pattern(r"(^|_)(DIR(ECTORY)?|LOG_?(PATH|FILE)|PID_?FILE)$")
#: What such a folder is for, when the process writes it (``SSL_CERT_DIR`` or ``PHP_INI_DIR`` it only reads).
_WRITTEN_SETTING = lazy_pattern(r"LOG|DATA|PID|RUN|CACHE|STATE|STORAGE|UPLOAD|TMP|TEMP|OUTPUT|INSTALL|CONF|SPOOL|DB|WORK")
#: System trees a process configured to use them writes as root (``/etc/cni/net.d``, ``/opt/cni/bin``).
_ROOT_ONLY_TREES = ("/etc/", "/usr/", "/opt/", "/var/lib/", "/var/log/", "/var/run/", "/run/", "/lib/", "/bin/", "/sbin/")


def _system_folder_settings(situation: UserSituation) -> str | None:
    """An ENV that points the process at a system folder the file does not create: an installer, or a service."""
    created = _created_folders(situation)
    for instruction in situation.instructions:
        if not isinstance(instruction, Env):
            continue
        for key, value in instruction.pairs:
            value = value.strip("\"'")
            if not (_FOLDER_SETTING.search(key) and _WRITTEN_SETTING.search(key)) or "$" in value:
                continue
            if not (value.rstrip("/") + "/").startswith(_ROOT_ONLY_TREES) or key.endswith("INI_DIR"):
                continue
            folder = posixpath.normpath(value)
            if not any(folder == c or folder.startswith(c + "/") for c in created):
                return (f"line {instruction.start_line}: `ENV {key}` points the process at {value}, a root-owned "
                        "system folder")
    return None


def _created_folders(situation: UserSituation) -> set[str]:
    found: list[WritablePath] = []
    for instruction in situation.final.stage.instructions:
        if isinstance(instruction, Run):
            _mkdir_targets(situation, instruction, None, situation.defined_variables(), found)
    return {p.path.rstrip("/") for p in found}


def _named_system_folder(situation: UserSituation) -> str | None:
    """The command names a file in a folder the build creates, empty, where only root may write (``/etc/app``).

    ``RUN mkdir -p /etc/myapp`` and ``CMD ["/app/server", "-c",
    "/etc/myapp/config.yml"]``: the folder was made for the process to fill
    (a server that writes its default configuration on first start), and a
    fix does not give folders of system trees to the new user.
    """
    created = {folder for folder in _created_folders(situation) if not _ownable(folder)}
    if not created:
        return None
    filled = [_unquoted(i.destination or "") for i in situation.final.stage.instructions
              if isinstance(i, (Copy, Add)) and i.destination]
    for instruction in situation.runtime:
        if not isinstance(instruction, (Cmd, Entrypoint)):
            continue
        words = command_words(instruction)
        for word in words[1:]:
            value = word.split("=", 1)[1] if word.startswith("-") and "=" in word else word
            if not value.startswith("/") or "$" in value:
                continue
            path = posixpath.normpath(value)
            for folder in created:
                inside = path == folder or path.startswith(folder + "/")
                if inside and not any(d.startswith(folder) for d in filled):
                    return (f"the command names `{value}`, in `{folder}`, a folder the build creates empty "
                            "in a root-owned system tree: the process is likely to write there")
    return None


#: Log and metrics collectors: they read the host's root-owned logs, sockets and /proc entries.
_COLLECTORS = lazy_pattern(
    r"\b(filebeat|metricbeat|packetbeat|auditbeat|journalbeat|fluent-bit|td-agent-bit|promtail|cadvisor"
    r"|datadog-agent|telegraf|logstash-forwarder)\b"
)
#: Base images whose own WORKDIR is not ``/`` (a relative COPY lands there).
_BASE_WORKDIRS = frozenset({"tomcat", "golang", "jenkins", "jenkins/jenkins", "maven", "gradle"})


def _collectors(situation: UserSituation) -> str | None:
    for instruction in situation.instructions:
        if isinstance(instruction, (Run, Cmd, Entrypoint, Copy, Add, Env)):
            match = _COLLECTORS.search(instruction.code)
            if match:
                return f"the image runs `{match.group(1)}`, a collector that reads the host's root-owned logs and sockets"
    return None


#: A source that brings a whole app, not one script: the context (``.``), a folder, an archive or a URL.
_APP_TREE = lazy_pattern(r"(^\.$|^\./?$|/$|\.(zip|tar|tgz|tar\.\w+)$|^https?://)")


def _app_in_file_system_root(situation: UserSituation) -> str | None:
    """No WORKDIR: files copied or cloned to relative paths land in ``/``, where the process runs and writes."""
    workdir: str | None = None
    for instruction in situation.instructions:
        if isinstance(instruction, Workdir) and instruction.value:
            workdir = _join(workdir or "/", _unquoted(instruction.value))
    if (workdir is not None and workdir != "/") or situation.facts.key in _BASE_WORKDIRS:
        return None
    if not situation.facts.known:
        return None
    for instruction in situation.final.stage.instructions:
        destination = instruction.destination if isinstance(instruction, (Copy, Add)) else None
        into_root = destination in ("/", "/.") and any(_APP_TREE.search(source) for source in instruction.sources)
        if destination and (not destination.startswith(("/", "$")) or into_root):
            return (f"line {instruction.start_line} copies the app to `{destination}` and the working directory is /, "
                    "where the new user cannot create files")
        if isinstance(instruction, Run):
            model = situation.context.run_view(instruction).model
            for command in model.commands if model is not None else ():
                if command.name == "cd":
                    break
                values = [w.value or "" for w in command.args]
                if command.name == "git" and values[:1] == ["clone"]:
                    operands = [v for v in values[1:] if not v.startswith("-")]
                    target = operands[1] if len(operands) > 1 else ""
                    if not target.startswith("/"):
                        return (f"line {instruction.start_line} clones the app into /, the working directory, where "
                                "the new user cannot create files")
    return None


#: Commands that may name the working directory without putting files in it.
_FOLDER_ONLY = frozenset({"mkdir", "chmod", "chown", "chgrp"})


def _mounted_workspace(situation: UserSituation) -> str | None:
    """The working directory is a folder the build leaves empty: the process works on files mounted there.

    A linter, formatter, build tool or CI image sets ``WORKDIR /src`` and
    copies nothing there: users run it with their checkout mounted on it.
    Giving the empty folder to a new user does nothing for a bind mount,
    whose files keep the host's owners, and a tool that writes there (an
    autofix, a build output, a cache) would fail as that user.
    """
    workdir, line = None, 0
    for info in situation.chain:
        for instruction in info.stage.instructions:
            if isinstance(instruction, Workdir) and instruction.value:
                workdir, line = _join(workdir, _unquoted(instruction.value)), instruction.start_line
    if workdir is None or "$" in workdir or not _ownable(workdir) or situation.facts.key in _BASE_WORKDIRS:
        return None
    current: str | None = None
    for info in situation.chain:
        for instruction in info.stage.instructions:
            if isinstance(instruction, Workdir) and instruction.value:
                current = _join(current, _unquoted(instruction.value))
            elif isinstance(instruction, (Copy, Add)) and _copy_may_fill(situation, instruction, current, workdir):
                return None
            elif isinstance(instruction, Run) and _may_fill(situation, instruction, current or "/", workdir):
                return None
    return (f"`{workdir}`, the working directory (line {line}), gets no files from the build: the container works "
            "on files mounted there when it runs (a tool run on a checkout), which keep their owners on the host, so "
            "a new user may not be able to write them; set USER yourself if the process only reads them")


def _command_line_tool(situation: UserSituation) -> str | None:
    """The image is a command-line tool: the files it works on are mounted from the host when it runs.

    An ENTRYPOINT takes the arguments of ``docker run`` (as does a program whose
    CMD only asks for its help, ``CMD ["lynx", "-h"]``); with no port
    exposed, no working directory of its own (``/``, ``/tmp``, or a source
    checkout under ``/tmp`` the build installs from) and a
    program the build installs rather than copies in (``apk add lynx``,
    ``npm install -g aglio``), the image is a tool run on the user's files,
    mounted from the host with the host's owners. A new user may not be
    able to write its output there; whether the tool only reads cannot be
    told from the file.
    """
    entrypoint = next((i for i in reversed(situation.runtime) if isinstance(i, Entrypoint)), None)
    if entrypoint is None:
        # `CMD ["lynx", "-h"]`: a help text for a default, so every real use gives its own arguments
        cmd = next((i for i in reversed(situation.runtime) if isinstance(i, Cmd)), None)
        if cmd is not None and any(word in _HELP_WORDS for word in command_words(cmd)[1:]):
            entrypoint = cmd
    if entrypoint is None or situation.facts.key in _BASE_WORKDIRS or situation.users or situation.accounts:
        return None  # (an author who set up users has thought about who runs the tool)
    if any(isinstance(i, Expose) for i in situation.instructions):
        return None
    workdirs = [_unquoted(i.value) for i in situation.instructions if isinstance(i, Workdir) and i.value]
    if workdirs and not _scratch(posixpath.normpath(workdirs[-1])):
        return None  # a folder of its own: an app's, or a workspace (`_mounted_workspace` reads that one)
    if "onbuild" in (situation.base or "").lower():
        return None  # an ONBUILD base sets the app's folder and copies the build context into it
    words = command_words(entrypoint)
    if not words:
        return None
    names, folders = _copied(situation)
    if any(
        program_name(word) in names or any(word.startswith(folder + "/") for folder in folders)
        for word in words[:3] if not word.startswith("-")
    ):
        return None  # the build's own program (or the script or archive an interpreter runs): an app
    program = program_name(words[0])
    return (f"the container runs `{program}` on the arguments given to `docker run`, with no port exposed and no "
            "folder of its own to work in: a "
            "command-line tool, whose input and output are files mounted from the host, which keep their owners "
            "there, so a new user may not be able to write them; set USER yourself if it only reads them")


#: Arguments of a CMD that only shows how to use the program.
_HELP_WORDS = frozenset({"-h", "--help", "help", "-help", "--usage"})
#: Working directories that are no folder of the image's own.
_SCRATCH_FOLDERS = frozenset({"/", "/tmp", "/var/tmp"})


def _scratch(folder: str) -> bool:
    """``/``, ``/tmp``, or a folder under ``/tmp`` (a source checkout the build installs from): no app's own."""
    return folder in _SCRATCH_FOLDERS or folder.startswith(("/tmp/", "/var/tmp/"))


def _copied(situation: UserSituation) -> tuple[set[str], set[str]]:
    """What COPY and ADD bring in: file names (each source's, a destination's), and absolute destination folders."""
    names: set[str] = set()
    folders: set[str] = set()
    for info in situation.chain:
        for instruction in info.stage.instructions:
            if isinstance(instruction, (Copy, Add)):
                names.update(program_name(source.rstrip("/")) for source in instruction.sources)
                destination = instruction.destination or ""
                if destination.startswith("/") and destination.rstrip("/"):
                    folders.add(destination.rstrip("/"))
                if destination and not destination.endswith("/"):
                    names.add(program_name(destination))
    return names, folders


def _copy_may_fill(situation: UserSituation, copy: Copy | Add, current: str | None, workdir: str) -> bool:
    """The COPY or ADD may put files in ``workdir``: into it, or a folder holding it into a folder above it."""
    destination = _join(current or "/", copy.destination or ".")
    if destination is None or "$" in destination:
        return True
    inside, target = workdir.rstrip("/") + "/", destination.rstrip("/") + "/"
    if target.startswith(inside):
        return True
    if not inside.startswith(target):
        return False
    # copied to a folder above it (`COPY rootfs/ /`): only a source folder holding the rest of the path fills it
    rest = inside[len(target):].rstrip("/")
    build = situation.context.build_context
    for source in copy.sources:
        if copy.flag("from") is not None or re.search(r"[*?\[$]", source):
            return True
        if isinstance(copy, Add) and ("://" in source or _ARCHIVE.search(source)):
            return True  # ADD fetches URLs and unpacks archives
        if build is not None and build.exists(source):
            if build.is_dir(source) and build.exists(posixpath.join(source, rest)):
                return True
        elif not _named_like_file(source):
            return True
    return False


_ARCHIVE = lazy_pattern(r"\.(tar|tgz|tbz2?|txz|gz|bz2|xz|zst|zip)$")


def _named_like_file(source: str) -> bool:
    """A source named as a single file is (``provision.sh``), where the build context cannot say."""
    name = source.rstrip("/").rsplit("/", 1)[-1]
    return not source.endswith("/") and "." in name.strip(".")


def _may_fill(situation: UserSituation, run: Run, current: str, workdir: str) -> bool:
    """The RUN may put files in ``workdir``: it runs there, or names it outside a mkdir, chmod or chown.

    A RUN that runs there but only links, makes or changes files by absolute
    path (``ln -s /tool-linux-amd64 /usr/local/bin/tool``) puts nothing in it.
    """
    inside = workdir.rstrip("/") + "/"
    if (current.rstrip("/") + "/").startswith(inside):
        return not _absolute_paths_only(situation, run)
    names = [workdir]
    parent = current.rstrip("/") + "/"
    if inside.startswith(parent):
        names.append(workdir[len(parent):])  # `git clone x src`, run in `/`
    pattern = re.compile("|".join(rf"(?<![\w.-]){re.escape(name)}(?![\w.-])" for name in names))
    if not pattern.search(run.code):
        return False
    view = situation.context.run_view(run)
    if view.model is None:
        return True
    text = view.text
    for command in view.model.commands:
        if command.name in _FOLDER_ONLY and not command.redirects:
            text = text[: command.start] + " " * (command.end - command.start) + text[command.end :]
    return pattern.search(text) is not None


#: Commands that touch only the paths they are given; for chmod, chown and chgrp the first word is not a path.
_PATH_COMMANDS = frozenset({"ln", "mkdir", "rm", "chmod", "chown", "chgrp"})


def _absolute_paths_only(situation: UserSituation, run: Run) -> bool:
    """Every command of ``run`` is a link, folder or mode command that names only absolute paths."""
    model = situation.context.run_view(run).model
    if model is None or not model.commands:
        return False
    for command in model.commands:
        if command.name not in _PATH_COMMANDS or command.redirects:
            return False
        operands = [word.value for word in command.args if not (word.value or "").startswith("-")]
        if command.name in ("chmod", "chown", "chgrp"):
            operands = operands[1:]
        if not operands or any(value is None or not value.startswith("/") for value in operands):
            return False
    return True


def _start_up_writes(situation: UserSituation) -> str | None:
    """The command itself writes files as it starts (``envsubst < t > app/config.js``, ``sed -i``)."""
    for command in situation.runtime_commands:
        if isinstance(command, tuple):
            continue
        for redirect in command.redirects:
            target = redirect.target.value if redirect.target is not None else None
            if redirect.operator in (">", ">>", ">|", "&>", "&>>") and target and not target.startswith(("/dev/", "/tmp/", "&")):
                return f"the command writes `{target}` as it starts, a file the new user may not own"
        if command.name == "sed" and any((w.value or "").startswith("-i") for w in command.args):
            return "the command edits files in place (`sed -i`) as it starts, files the new user does not own"
    return None


def _hidden_program(situation: UserSituation) -> str | None:
    """An entrypoint script whose CMD is only options (``-a ldap``): it runs a program the file does not name."""
    entrypoints = [i for i in situation.runtime if isinstance(i, Entrypoint)]
    commands = [i for i in situation.runtime if isinstance(i, Cmd)]
    if not entrypoints or not commands or not _is_start_script(entrypoints[0]):
        return None
    words = command_words(commands[0])
    if words and words[0].startswith("-"):
        return ("the entrypoint script runs a program the file does not name (the CMD holds only its options), "
                "which may need root")
    return None


def _root_crontab(situation: UserSituation) -> str | None:
    for instruction in situation.instructions:
        if "/etc/cron" in instruction.code or "/var/spool/cron" in instruction.code:
            return f"line {instruction.start_line} sets up cron jobs, which cron runs as root"
    for script in _scripts_run_as_root(situation):
        for command in script.commands:
            if command.name == "crontab" and not any((w.value or "").startswith(("-l", "-u")) for w in command.args):
                return "`crontab` installs root's crontab, which cron runs as root"
    return None


#: Programs that drive Docker (and so need its root-owned socket): ``sam local`` runs functions in containers.
_DOCKER_DRIVERS = frozenset({"docker", "docker-compose", "sam", "localstack", "kind", "act"})
#: Build tools that keep their caches in the home folder and their outputs in the project: run again at start-up,
#: they find the build's caches in root's home and its outputs root-owned.
_BUILD_TOOLS = frozenset({"gradle", "gradlew", "mvn", "mvnw", "sbt", "lein", "activator", "ant", "make", "cargo", "bazel"})


def _runtime_build(situation: UserSituation) -> str | None:
    names = {program_name(word) for word in _runtime_words(situation)[:1]}
    for command in situation.runtime_commands:
        names.add(program_name(command[0]) if isinstance(command, tuple) and command else getattr(command, "name", None) or "")
    built = {c.name for c in situation.commands}
    for name in sorted(names & _BUILD_TOOLS):
        if name in built or name.rstrip("w") in built or "./" + name in built:
            return (f"the container runs `{name}`, which the build ran too: its caches are in root's home and its "
                    "outputs root-owned")
    return None


def _docker_cli(situation: UserSituation) -> str | None:
    for word in _runtime_words(situation)[:1]:
        if program_name(word) in _DOCKER_DRIVERS:
            return f"the container runs `{program_name(word)}`, which drives Docker through its root-owned socket"
    for command in situation.commands:
        if command.name in ("docker", "docker-compose"):
            return (f"the image has the Docker CLI (`{command.name}` runs in the build): the socket it talks to "
                    "belongs to root")
    for instruction in situation.instructions:
        if _DOCKER_SOCKET in instruction.code:
            return f"line {instruction.start_line} names the Docker socket, which belongs to root"
    return None


_DOCKER_SOCKET = "/var/run/docker.sock"


def _ssh_deployer(situation: UserSituation) -> str | None:
    """The image installs an SSH client or Ansible: it connects with the keys and settings of the user it runs as.

    Such an image (a git mirror, a deploy step, an Ansible runner) is run
    with the operator's keys mounted, usually into ``/root/.ssh``
    (``-v ~/.ssh:/root/.ssh``); as a new user it looks in another home, and
    a mounted key of mode 0600 is not its to read.
    """
    for script in situation.scripts:
        for invocation in package_commands(script):
            if invocation.action != "install":
                continue
            for word in invocation.packages:
                name = re.split(r"[=<>~]", word.value or "", maxsplit=1)[0]
                if name in _SSH_USERS:
                    return (f"the image installs `{name}`, which connects with the SSH keys and settings of the user "
                            "it runs as, usually mounted into /root/.ssh")
    return None


#: Packages whose programs connect over SSH with the running user's keys.
_SSH_USERS = frozenset({"ansible", "ansible-core", "ansible-base", "openssh", "openssh-client", "openssh-clients"})


def _is_start_script(instruction: Cmd | Entrypoint) -> bool:
    return any(_START_SCRIPT.search(program_name(word)) for word in command_words(instruction)[:3])


def _shorten(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- what the process writes -------------------------------------------------------------------


class ServerHome(msgspec.Struct, frozen=True):
    """Folders a server writes under its home: ``$env`` when the file sets it, else ``default``.

    ``folders`` are given to the user with everything in them (small work
    folders); ``entries`` only themselves, so the server can add to them
    without the layer copying what the file put there (Tomcat unpacks
    ``webapps/ROOT.war`` next to it).
    """

    env: str | None
    default: str | None
    folders: tuple[str, ...]
    entries: tuple[str, ...] = ()
    #: The home is the app's WORKDIR (a Rails app writes ``tmp/`` and ``log/`` there); folders may be missing.
    in_workdir: bool = False


#: Servers and the folders they write at start-up, by base image (table key) or program name.
#: ``default`` is where the official image puts the home; None when only the file's ENV can place it.
SERVER_HOMES: dict[str, ServerHome] = {
    "tomcat": ServerHome("CATALINA_HOME", "/usr/local/tomcat", ("work", "temp", "logs"), ("webapps",)),
    "catalina.sh": ServerHome("CATALINA_HOME", None, ("work", "temp", "logs"), ("webapps",)),
    "jenkins.war": ServerHome("JENKINS_HOME", "/var/jenkins_home", ("",)),
    "nginx": ServerHome(None, "/", ("var/cache/nginx", "var/run", "var/log/nginx")),
    "httpd": ServerHome("HTTPD_PREFIX", "/usr/local/apache2", ("logs",)),
    "grafana-server": ServerHome("GF_PATHS_DATA", "/var/lib/grafana", ("",)),
    "prometheus": ServerHome(None, "/prometheus", ("",)),
    "influxd": ServerHome(None, "/var/lib/influxdb", ("",)),
    "rails": ServerHome(None, None, ("tmp", "log"), in_workdir=True),
    "puma": ServerHome(None, None, ("tmp", "log"), in_workdir=True),
    "unicorn": ServerHome(None, None, ("tmp", "log"), in_workdir=True),
    "cake": ServerHome(None, None, ("tmp", "logs"), in_workdir=True),
    "artisan": ServerHome(None, None, ("storage", "bootstrap/cache"), in_workdir=True),
}
#: A Play Framework app started from its staged folder writes ``RUNNING_PID`` there (group 1: that folder).
_PLAY_STAGE = lazy_pattern(r"^(.*target/universal/stage)/bin/[^/]+$")

#: Folders whose ownership a fix never changes: shared system folders (everyone's), or writable already.
_SYSTEM_FOLDERS = frozenset({
    "/", "/tmp", "/var/tmp", "/usr", "/usr/local", "/usr/src", "/bin", "/sbin", "/lib", "/lib64", "/etc", "/var",
    "/opt", "/home", "/srv", "/mnt", "/media", "/run", "/var/run", "/var/lib", "/var/log", "/var/cache", "/dev",
    "/proc", "/sys", "/boot",
})
#: System folders an app may run in (``WORKDIR /opt``), unlike ``/`` (a tool on mounted files) and ``/tmp``
#: (writable by everyone): the fix cannot give them, and the app may write there.
_SHARED_WORKDIRS = _SYSTEM_FOLDERS - {"/", "/tmp", "/var/tmp"}
#: Trees of system files: a folder created there is for the system (``mkdir -p /usr/share/man/man1``).
_SYSTEM_TREES = (
    "/usr/bin/", "/usr/sbin/", "/usr/lib/", "/usr/lib64/", "/usr/share/", "/usr/include/", "/usr/local/bin/",
    "/usr/local/sbin/", "/usr/local/lib/", "/usr/local/share/", "/usr/local/include/", "/etc/", "/bin/", "/sbin/",
    "/lib/", "/lib64/", "/proc/", "/sys/", "/dev/", "/boot/", "/var/lib/apt/",
    "/var/cache/apt/", "/var/lib/dpkg/", "/var/cache/apk/",
)


class WritablePath(msgspec.Struct, frozen=True):
    """A folder the process is expected to write, and why (for the fix's ``assumes``)."""

    path: str
    why: str
    #: Give the whole tree (a server's work folders), not only the folder.
    recursive: bool = False
    #: A known server folder: given even where system folders are not (under ``/usr/local``).
    system: bool = False
    #: It may not exist yet: the fix creates it (``mkdir -p``) before giving it away.
    create: bool = False


def writable_paths(situation: UserSituation) -> tuple[list[WritablePath], str | None]:
    """The folders the new user must own, or why they cannot be known (then the rule only reports)."""
    defined = situation.defined_variables()
    found: list[WritablePath] = []
    removed: set[str] = set()
    workdir: str | None = None
    for info in situation.chain:
        final_stage = info is situation.final
        for instruction in info.stage.instructions:
            if isinstance(instruction, Workdir) and instruction.value:
                workdir = _join(workdir, _unquoted(instruction.value))
            elif final_stage and isinstance(instruction, Run):
                problem = _mkdir_targets(situation, instruction, workdir, defined, found, removed)
                if problem:
                    return [], problem
    if workdir is not None:
        if _unresolved(workdir, defined):
            return [], f"the WORKDIR `{workdir}` uses a variable no ENV defines, so the fix cannot give it to the new user"
        if workdir in _SHARED_WORKDIRS:
            return [], (f"the WORKDIR `{workdir}` is a shared system folder, which the fix does not give away: an app "
                        "that writes where it runs (a `tmp/` or `output/` next to it) could not")
        found.insert(0, WritablePath(workdir, "the WORKDIR"))
    problem = _server_homes(situation, found, workdir)
    if problem:
        return [], problem
    # a folder deleted or moved away later is not there to give (a chown of it would fail the build)
    found = [item for item in found if not any(_gone(item.path, r) for r in removed)]
    out: list[WritablePath] = []
    seen: set[str] = set()
    env = _literal_env(situation)
    for item in found:
        if item.path in seen or not (item.system or _ownable(_expanded(item.path, env))):
            continue  # (`$APP_HOME` that holds `/opt` is a system folder too)
        seen.add(item.path)
        out.append(item)
    return out, None


#: Folders for data, given with what the build put in them (``mv solr /var/lib/app/``, ``COPY seed/ /data/``);
#: other created folders (``/opt/toolchain``) are given as folders only, so the layer does not copy their content.
_DATA_FOLDER = lazy_pattern(r"^/(var/(lib|log|cache|spool|www)|run|data|srv|home|mnt)/|(^|/|\$\{?)(data|logs?|cache|tmp|uploads?|storage|db|state|media|output|backups?|certs|conf(ig)?)(/|\}|$)", re.I)


def _is_data_folder(path: str) -> bool:
    return bool(_DATA_FOLDER.search(path.strip("\"'") + "/"))


def _unquoted(value: str) -> str:
    """``"/app"`` → ``/app`` (BuildKit removes the quotes of a WORKDIR)."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _gone(path: str, removed: str) -> bool:
    """``path`` is ``removed`` or under it (``removed`` ending in ``/``: under it only, from a wildcard)."""
    if removed.endswith("/"):
        return path.startswith(removed)
    return path == removed or path.startswith(removed + "/")


def _join(base: str | None, path: str) -> str | None:
    if path.startswith(("/", "$")):
        return posixpath.normpath(path) if "$" not in path else path
    if base is None or "$" in base:
        return None
    return posixpath.normpath(posixpath.join(base, path))


def _unresolved(path: str, defined: set[str]) -> bool:
    names = re.findall(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)", path)
    return any(name not in defined for name in names) or bool(re.search(r"\$\{[^}]*[:?+-]", path))


def _ownable(path: str) -> bool:
    path = path.rstrip("/") or "/"
    if path in _SYSTEM_FOLDERS or "$" not in path and (path + "/").startswith(_SYSTEM_TREES):
        return False
    return True


def _mkdir_targets(situation: UserSituation, run: Run, workdir: str | None, defined: set[str],
                   found: list[WritablePath], removed: set[str] | None = None) -> str | None:
    """Add the folders ``run`` creates with ``mkdir`` (and to ``removed`` those it deletes); why not, when one
    cannot be placed."""
    removed = set() if removed is None else removed
    view = situation.context.run_view(run)
    script = view.model
    if script is None:
        return None
    cwd = workdir
    for command in script.commands:
        if not command.context.isdisjoint(CONDITIONAL):
            continue
        if command.name == "cd":
            target = [w for w in command.args if not (w.value or "").startswith("-")]
            cwd = _join(cwd, target[0].value) if target and target[0].value else None
            continue
        if command.name in ("rm", "rmdir", "mv"):
            operands = [w for w in command.args if not (w.value or w.text).startswith("-")]
            for word in operands[:-1] if command.name == "mv" else operands:
                text = word.value if word.value is not None else word.text.strip("\"'")
                gone = text if text.startswith("$") else _join(cwd, text)
                if gone and "*" in gone:
                    # `rm -rf /tmp/*`: everything under the folder before the first wildcard
                    prefix = gone.split("*", 1)[0]
                    removed.add(prefix if prefix.endswith("/") else posixpath.dirname(prefix) + "/")
                elif gone:
                    removed.add(posixpath.normpath(gone) if not gone.startswith("$") else gone)
            continue
        if command.name != "mkdir":
            continue
        for word in command.args:
            text = word.value if word.value is not None else word.text
            if text.startswith("-") or text in ("0755", "755", "777", "0777"):
                continue
            if word.has_glob:
                continue
            if "$" in word.text and word.value is None:
                text = word.text.strip("\"'")
                if _unresolved(text, defined):
                    return (f"line {run.start_line} creates `{text}`, which uses a variable no ENV defines, so the fix "
                            "cannot give it to the new user")
                if _ownable(text):
                    found.append(WritablePath(text, f"created on line {run.start_line}", recursive=_is_data_folder(text)))
                continue
            path = _join(cwd, text)
            if path is None:
                if _ownable("/" + text) and not text.startswith("/"):
                    return (f"line {run.start_line} creates `{text}` in a folder dfix cannot place, so the fix cannot "
                            "give it to the new user")
                continue
            if _under_root(path):
                continue  # reported by the /root check
            found.append(WritablePath(path, f"created on line {run.start_line}", recursive=_is_data_folder(path)))
    return None


def _server_homes(situation: UserSituation, found: list[WritablePath], workdir: str | None) -> str | None:
    for word in _runtime_words(situation):
        play = _PLAY_STAGE.match(word)
        if play:
            home = _join(workdir, play.group(1))
            if home is None:
                return "the container runs a Play app, which writes RUNNING_PID in a folder the file does not place"
            found.append(WritablePath(home, "a Play app writes RUNNING_PID there", system=True))
    env = _literal_env(situation)
    keys = [situation.facts.key] + [program_name(word) for word in _runtime_words(situation)]
    for key in keys:
        home = SERVER_HOMES.get(key)
        if home is None:
            continue
        root = env.get(home.env) if home.env else None
        root = workdir if home.in_workdir else root or home.default
        if root is None or "$" in root or home.in_workdir and not _ownable(root):
            place = "WORKDIR" if home.in_workdir else f"`{home.env}`"
            return f"the container runs {key}, whose folders ({place}) the file does not place"
        for folder in home.folders:
            path = posixpath.normpath(posixpath.join(root, folder))
            found.append(WritablePath(path, f"{key} writes there", recursive=True, system=True, create=home.in_workdir))
        for folder in home.entries:
            path = posixpath.normpath(posixpath.join(root, folder))
            found.append(WritablePath(path, f"{key} writes there", system=True))
        break
    return None


def _expanded(path: str, env: dict[str, str]) -> str:
    """``path`` with the ``$NAME``/``${NAME}`` the file's ENV sets to a literal replaced (others left as they are)."""
    return re.sub(r"\$\{?(\w+)\}?", lambda m: env.get(m.group(1), m.group(0)), path)


def _literal_env(situation: UserSituation) -> dict[str, str]:
    values: dict[str, str] = {}
    for instruction in situation.instructions:
        if isinstance(instruction, Env):
            for key, value in instruction.pairs:
                values[key] = value.strip("\"'")
    return values


def _runtime_words(situation: UserSituation) -> list[str]:
    words: list[str] = []
    for instruction in situation.runtime:
        words.extend(command_words(instruction))
    return words
