"""What DF400 (no-user) and DF401 (last-user-root) share: the final image's user situation and its fix.

Both rules ask the same of a file: the final stage's ``FROM`` chain, the
accounts the file creates, the base image's facts (`transforms._base_images`),
whether anything at run time needs root, and which lines a fix inserts where.
`situation_of` answers once per parse (`UserSituation`), `plan_new_user`
chooses the user to run as, `user_fix_edits` writes the lines. DF400's module
docstring tells where the lines go, what they are, and when no fix is offered.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from functools import cached_property

import msgspec

from dfix.engine import POSIX_SHELLS, Context, Edit, StageInfo, program_name
from dfix.patterns import lazy_pattern
from dfix.shell import CONDITIONAL, Context as ShellContext, Option, OptionGrammar, ShellScript, SimpleCommand, analyze
from dfix.shell import iter_arguments
from dfix.syntax import (
    Add, Cmd, Copy, Entrypoint, Env, Expose, Instruction, Onbuild, Run, Shell, User, Volume, Workdir,
    parse_instruction,
)

from ._base_images import ImageFacts, facts_for, family_from_commands
from ._runtime_needs import SERVER_HOMES, WritablePath, _shorten, base_image_reason, root_need, writable_paths

__all__ = [
    "BUSYBOX_CREATE", "SHADOW_CREATE", "VARIABLE", "Plan", "UserSituation", "plan_new_user", "situation_of",
    "user_fix_edits",
]

#: The account a fix creates when the image has none to reuse.
NEW_UID = "10001"
NEW_NAME = "app"
#: The UID of distroless' ``nonroot``; used for images without account tools.
NUMERIC_ONLY = "65532:65532"

SHADOW_CREATE = (
    f"RUN groupadd --system --gid {NEW_UID} {NEW_NAME} && "
    f"useradd --system --uid {NEW_UID} --gid {NEW_NAME} --no-log-init --create-home {NEW_NAME}"
)
BUSYBOX_CREATE = f"RUN addgroup -S -g {NEW_UID} {NEW_NAME} && adduser -S -D -u {NEW_UID} -G {NEW_NAME} {NEW_NAME}"

#: Minimal inits that reap zombies and forward signals to the program they start, whatever the user.
_INIT_WRAPPERS = frozenset({"tini", "tini-static", "dumb-init", "catatonit"})
#: Programs that start as root and drop privileges, or need root to run at all.
_DAEMONS = frozenset({
    "nginx", "openresty", "apache2", "apache2ctl", "apachectl", "apache2-foreground", "httpd", "httpd-foreground",
    "sshd", "dropbear", "postgres", "postmaster", "pg_ctl", "pg_ctlcluster", "mysqld", "mysqld_safe", "mariadbd",
    "mongod", "redis-server", "rabbitmq-server", "supervisord", "supervisor", "runsvdir", "runit", "s6-svscan",
    "init", "my_init", "systemd", "tini-root", "cron", "crond", "anacron", "rsyslogd", "syslog-ng", "haproxy",
    "squid", "named", "dnsmasq", "vsftpd", "proftpd", "pure-ftpd", "postfix", "dovecot", "exim", "exim4",
    "dockerd", "dockerd-entrypoint.sh", "containerd", "gosu", "su-exec", "su", "sudo", "runuser", "chroot",
    "setpriv", "setuser", "chpst", "s6-setuidgid", "service", "rc-service", "openvpn", "unbound", "xinetd",
    "inetd", "smbd", "nmbd", "slapd", "varnishd", "lighttpd", "caddy", "traefik", "cupsd", "avahi-daemon",
    "dbus-daemon", "udevd", "iptables", "ip", "sysctl", "mount", "modprobe", "xl2tpd", "pppd", "ipsec",
    "charon", "strongswan", "wg-quick", "tailscaled", "zerotier-one", "sockd", "danted", "ntpd", "chronyd",
    "mosquitto", "tor", "privoxy", "polipo", "transmission-daemon", "minidlna", "murmurd", "pgpool", "pgbouncer",
    "keepalived", "snmpd", "nagios", "icinga2", "zabbix_agentd", "zabbix_server", "freeradius", "radiusd",
    "asterisk", "kamailio", "opensips", "coturn", "turnserver", "ejabberdctl", "prosody", "memcached", "hab",
})
#: Daemons recognised anywhere in CMD/ENTRYPOINT (``consul-template -exec nginx``), not only as the program.
_DAEMON_WORDS = frozenset({
    "nginx", "openresty", "apache2", "apache2ctl", "apachectl", "httpd", "sshd", "supervisord", "postgres",
    "mysqld", "mysqld_safe", "mongod", "redis-server", "cron", "crond", "haproxy", "dockerd", "gosu", "su-exec",
})
#: Init systems and supervisors by the name of their start script (``start_runit``, ``my_init``, ``s6-svscan``).
_INIT_SCRIPT = lazy_pattern(r"(^|[_.-])(runit|runsvdir|s6|supervisor|supervisord|my_init|systemd|openrc)([_.-]|$)")
_PHP_FPM = lazy_pattern(r"^php(-fpm|\d[\d.]*-fpm|-fpm\d[\d.]*)$")
_PRIVILEGE_DROP = lazy_pattern(
    r"\b(gosu|su-exec|setpriv|chpst|s6-setuidgid|runuser|setuidgid|chroot\s+--userspec|s6-overlay|s6-svscan)\b"
)
_PORT_KEY = lazy_pattern(r"(PORT|_URLS?|_ADDR(ESS)?|LISTEN|BIND)", re.I)
_LISTEN_OPTION = lazy_pattern(r"^--?[\w.-]*(port|listen|bind|addr|address)[\w.-]*$", re.I)
_LISTEN_ASSIGNED = lazy_pattern(r"^(?:--?)?[\w.-]*(port|listen|bind|addr|address)[\w.-]*=(.+)$", re.I)
#: ``host:port`` as a listen address: ``0.0.0.0:80``, ``:80``, ``http://+:80``, ``[::]:443/x``.
_HOST_PORT = lazy_pattern(r"^(?:[a-z][a-z0-9+.-]*://)?(?:[\w.*+-]*|\[[0-9a-fA-F:]*\]):(\d{1,5})(?:/\S*)?$")
#: ``$NAME`` or ``${NAME}`` in a value (group 1: the name).
VARIABLE = lazy_pattern(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")


# -- the final image's chain --------------------------------------------------------------


class AccountOrigin(msgspec.Struct, frozen=True):
    """The command that creates an account, in a RUN a fix may edit (shell form, no heredoc)."""

    run: Run
    command: SimpleCommand
    #: Whose options it takes: ``useradd`` (shadow's, and RHEL's ``adduser``), ``adduser`` (Debian's), ``busybox``.
    tool: str


class Account(msgspec.Struct, frozen=True):
    """An account a RUN creates: ``name`` and ``uid`` when literal, its primary group."""

    name: str | None
    uid: str | None
    group: str | None
    extra_groups: bool = False
    #: Where it is created, when that command can be edited (to give the account a UID); else None.
    origin: AccountOrigin | None = None

    def __eq__(self, other: object) -> bool:
        # Where an account is created does not make it another account.
        return type(other) is Account and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Account(name={self.name!r}, uid={self.uid!r}, group={self.group!r}, extra_groups={self.extra_groups!r})"

    def _key(self) -> tuple[str | None, str | None, str | None, bool]:
        return (self.name, self.uid, self.group, self.extra_groups)


class UserSituation(msgspec.Struct, dict=True):
    """Everything the user rules need about the final image, computed once per parse."""

    context: Context
    #: The final stage and its in-file ancestors, root-most first.
    chain: list[StageInfo]
    #: The external base image's reference (``python:3.12``), ARG defaults substituted.
    base: str
    facts: ImageFacts

    @property
    def final(self) -> StageInfo:
        return self.chain[-1]

    @cached_property
    def instructions(self) -> list[Instruction]:
        """Every instruction of the chain (FROMs excluded, ONBUILD triggers not expanded)."""
        return [i for info in self.chain for i in info.stage.instructions]

    @cached_property
    def users(self) -> list[User]:
        return [i for i in self.instructions if isinstance(i, User)]

    @property
    def windows(self) -> bool:
        return any(info.windows for info in self.chain) or self.facts.family == "windows"

    @cached_property
    def scripts(self) -> list[ShellScript]:
        """Shell scripts of the chain's RUNs (shell form, POSIX heredocs, ``sh -c`` exec form)."""
        return [script for script, _ in self._script_runs(self.instructions)]

    def _script_runs(self, instructions: list[Instruction]) -> list[tuple[ShellScript, Run | None]]:
        """The scripts of ``instructions``' RUNs, each with its RUN when a fix may edit the script there."""
        out: list[tuple[ShellScript, Run | None]] = []
        for instruction in instructions:
            if isinstance(instruction, Run):
                view = self.context.run_view(instruction)
                if view.model is not None:
                    out.append((view.model, instruction if view.script is not None else None))
        return out

    @cached_property
    def commands(self) -> list[SimpleCommand]:
        return [command for script in self.scripts for command in script.commands]

    @cached_property
    def command_names(self) -> set[str]:
        return {command.name for command in self.commands if command.name}

    @cached_property
    def family(self) -> str:
        """The distro family of the final image (``unknown`` when facts and commands disagree)."""
        from_commands = family_from_commands(self.command_names)
        known = self.facts.family
        if known == "scratch" and any(isinstance(i, Run) for i in self.instructions):
            return from_commands  # a root filesystem was added to scratch: trust the commands
        if known == "unknown":
            return from_commands
        if from_commands not in ("unknown", known) and known not in ("distroless",):
            return "unknown"
        return known

    @cached_property
    def account_tool(self) -> str | None:
        """``shadow``, ``busybox``, or None when the image has no (known) account tools."""
        family = self.family
        if family == "alpine":
            return "busybox"
        if family not in ("debian", "rhel", "suse"):
            return None
        names = self.command_names
        if names & {"useradd", "groupadd"} or self._installs("shadow-utils", "shadow", "passwd"):
            return "shadow"
        if family == "debian":
            return "shadow"
        if self.facts.family == family:
            return self.facts.account_tool or None
        # family from the commands: full RHEL images ship shadow-utils, microdnf ones do not
        if family == "rhel" and names & {"yum", "dnf", "dnf5"}:
            return "shadow"
        return None

    def _installs(self, *packages: str) -> bool:
        from dfix.shell import package_commands

        for script in self.scripts:
            for command in package_commands(script):
                if command.action == "install" and any(word.value in packages for word in command.packages):
                    return True
        return False

    # -- runtime ---------------------------------------------------------------------

    @cached_property
    def runtime(self) -> list[Instruction]:
        """The CMD and ENTRYPOINT in force at the end of the chain."""
        out: list[Instruction] = []
        for kind in (Entrypoint, Cmd):
            found = [i for i in self.instructions if isinstance(i, kind)]
            if found:
                out.append(found[-1])
        return out

    @cached_property
    def runtime_commands(self) -> list[SimpleCommand | tuple[str, ...]]:
        out: list[SimpleCommand | tuple[str, ...]] = []
        for instruction in self.runtime:
            argv = instruction.exec_form
            if argv is not None:
                out.append(tuple(argv))
                if argv and program_name(argv[0]) in POSIX_SHELLS and "-c" in argv[1:-1]:
                    script = argv[argv.index("-c", 1) + 1]
                    out.extend(analyze(script).commands)
            elif instruction.shell_form is not None:
                out.extend(analyze(instruction.shell_form).commands)
        return out

    def runtime_blocker(self) -> str | None:
        """Why the image's process must keep running as root, if it must (the guards)."""
        if any(isinstance(i, Onbuild) for i in self.instructions):
            return "the image has ONBUILD triggers (it is a base for other builds, whose steps would run unprivileged)"
        if not self.runtime and not self.facts.default_non_root:
            if self.facts.needs_root:
                return f"the base image ({self.base}) runs a process that needs root: {self.facts.needs_root}"
            if not self.facts.known:
                return (f"the file sets no CMD or ENTRYPOINT: the container runs what the base image "
                        f"({self.base or 'a build argument'}) starts, which is not known here, or this is a base for "
                        "other images, whose RUN steps a USER would make unprivileged")
            if self.facts.key not in SERVER_HOMES:  # a server image's own command runs the app (`COPY app.war`)
                return "no CMD or ENTRYPOINT: this looks like a base image, and a USER would make the RUN steps of images built from it unprivileged"
        if self.facts.needs_root:
            return f"the base image ({self.base}) runs a process that needs root: {self.facts.needs_root}"
        if not self.facts.default_non_root:
            base_image = base_image_reason(self)
            if base_image:
                return base_image
        if not self.facts.known and not any(isinstance(i, Entrypoint) for i in self.runtime):
            return (f"the base image ({self.base or 'a build argument'}) is unknown, and its ENTRYPOINT, which runs "
                    "the CMD, may need root or drop privileges itself")
        daemon = self._daemon()
        if daemon:
            return f"the container runs `{daemon}`, which needs root or drops privileges itself"
        if _PRIVILEGE_DROP.search(self._all_text()):
            match = _PRIVILEGE_DROP.search(self._all_text())
            return f"the image uses `{match.group(1)}`, so its entrypoint drops privileges itself"
        port = self._low_port()
        if port:
            return f"the process listens on a port below 1024 ({port}), which needs root"
        volume = next((i for i in self.instructions if isinstance(i, Volume)), None)
        if volume is not None:
            paths = " ".join(volume.arguments) or "a folder"
            return (f"line {volume.start_line} declares the VOLUME {paths}, which the app writes and which a volume "
                    "mounts root-owned")
        return root_need(self)

    def _all_text(self) -> str:
        return "".join(i.code for i in self.instructions)

    def _daemon(self) -> str | None:
        for command in self.runtime_commands:
            if isinstance(command, tuple):
                names = [program_name(command[0])] if command else []
                words = [program_name(word) for word in command[1:]]
            else:
                names = [w.name for w in command.wrappers] + ([command.name] if command.name else [])
                words = [program_name(word.value) for word in command.args if word.value]
            programs = [command[0]] if isinstance(command, tuple) and command else (
                [command.name_word.value or ""] if not isinstance(command, tuple) and command.name_word else [])
            for program in programs:
                if program_name(program) in _INIT_WRAPPERS:
                    continue  # tini and its kind run whatever follows them, as the user they are started as
                if program.startswith(("/usr/sbin/", "/sbin/", "/usr/local/sbin/")):
                    return program  # a system daemon: started as root, it drops to its own account
            for name in names:
                if (name in _DAEMONS or _PHP_FPM.match(name or "") or name.endswith(("sshd", "-foreground"))
                        or _INIT_SCRIPT.search(name or "")):
                    return name
            for word in words:
                if word in _DAEMON_WORDS or _PHP_FPM.match(word):
                    return word
        return None

    def _low_port(self) -> str | None:
        facts = self.facts
        if facts.port is not None and not any(
            isinstance(i, Env) and any(key in facts.port_env for key, _ in i.pairs) for i in self.instructions
        ):
            return f"{facts.port}, set by the base image's {facts.port_env[0] if facts.port_env else 'configuration'}"
        for instruction in self.instructions:
            if isinstance(instruction, Expose):
                for spec in instruction.arguments:
                    port = _port_number(spec.split("/", 1)[0].split("-", 1)[0])
                    if port is not None:
                        return spec
            elif isinstance(instruction, Env):
                for key, value in instruction.pairs:
                    if _PORT_KEY.search(key):
                        found = _address_port(value.strip("\"'"))
                        if found:
                            return f"{found} (ENV {key})"
        for command in self.runtime_commands:
            argv = list(command) if isinstance(command, tuple) else [w.value or "" for w in command.words]
            found = _listen_port(argv)
            if found:
                return found
        return None

    # -- accounts ---------------------------------------------------------------------

    @property
    def accounts(self) -> list[Account]:
        """Accounts created in the chain, or in a stage whose ``/etc/passwd`` the final stage copies."""
        return self._accounts[0]

    @property
    def unclear_accounts(self) -> list[str]:
        """Account-creating commands whose account cannot be read (conditional, or no literal name/UID)."""
        return self._accounts[1]

    @cached_property
    def _accounts(self) -> tuple[list[Account], list[str]]:
        pairs = self._script_runs(self.instructions)
        for index in self._passwd_sources():
            for info in _chain(self.context, self.context.stages[index]):
                pairs.extend(self._script_runs(list(info.stage.instructions)))
        return read_accounts([script for script, _ in pairs], self.family, [run for _, run in pairs])

    def _passwd_sources(self) -> list[int]:
        names = {info.stage.name: info.stage.index for info in self.context.stages if info.stage.name}
        out = []
        for instruction in self.final.stage.instructions:
            if isinstance(instruction, Copy) and instruction.from_stage is not None:
                if any(source.rstrip("/").endswith("/etc/passwd") or source.rstrip("/") == "/etc" for source in instruction.sources):
                    source = instruction.from_stage.lower()
                    index = names.get(source)
                    if index is None and source.isdigit() and int(source) < self.final.stage.index:
                        index = int(source)
                    if index is not None and index != self.final.stage.index:
                        out.append(index)
        return out

    # -- where the fix goes -------------------------------------------------------------

    @cached_property
    def anchor(self) -> Instruction:
        """The instruction the new lines follow (see the module docstring)."""
        anchor: Instruction = self.final.stage.from_
        for instruction in self.final.stage.instructions:
            if isinstance(instruction, (Run, Copy, Add, Workdir, User)):
                anchor = instruction
        return anchor

    def shell_is_posix_at_anchor(self) -> bool:
        """A RUN inserted after the anchor would run under a POSIX shell."""
        if self.final.windows:
            return False
        shell = self.final.initial_shell
        for instruction in self.final.stage.instructions if self.anchor is not self.final.stage.from_ else ():
            if isinstance(instruction, Shell) and instruction.is_json and instruction.arguments:
                shell = instruction.arguments
            if instruction is self.anchor:
                break
        program = shell[0].replace("\\", "/").rsplit("/", 1)[-1].lower() if shell else ""
        return program in POSIX_SHELLS

    def defined_variables(self) -> set[str]:
        """Variables a USER written after the anchor can use: ENV of the chain, ARG of the final stage."""
        names: set[str] = set()
        for instruction in self.instructions:
            if isinstance(instruction, Env):
                names.update(key for key, _ in instruction.pairs)
        for instruction in self.final.stage.instructions:
            if instruction.meaning.name == "arg":
                names.update(word.partition("=")[0] for word in instruction.arguments)
            if instruction is self.anchor:
                break
        return names


def _chain(context: Context, info: StageInfo) -> list[StageInfo]:
    chain = [info]
    while chain[-1].parent is not None and len(chain) <= len(context.stages):
        chain.append(context.stages[chain[-1].parent])
    return chain[::-1]


def situation_of(context: Context) -> UserSituation | None:
    """The final image's situation, cached on the context; None for a file without stages."""
    cached = getattr(context, "_dfix_user_situation", None)
    if cached is not None:
        return cached
    final = context.final_stage
    if final is None:
        return None
    chain = _chain(context, final)
    image = chain[0].stage.from_.image
    base = _substitute_args(context, image.text if image is not None else "")
    situation = UserSituation(context, chain, base, facts_for(base) if base else facts_for(""))
    context._dfix_user_situation = situation  # type: ignore[attr-defined] - a per-parse cache
    return situation


def _substitute_args(context: Context, text: str) -> str:
    """``text`` with ``$NAME``/``${NAME}``/``${NAME:-x}`` of global ARGs replaced by their defaults."""
    if "$" not in text:
        return text
    defaults: dict[str, str | None] = {}
    for arg in context.tree.global_args:
        for name, default in arg.pairs:
            defaults[name] = default

    def value(match: re.Match) -> str:
        name, fallback = match.group(1) or match.group(4), match.group(3)
        found = defaults.get(name)
        if found:
            return found
        if fallback is not None:
            return fallback
        return match.group(0)

    return re.sub(r"\$\{(\w+)(:?-([^}]*))?\}|\$(\w+)", value, text)


# -- shell helpers --------------------------------------------------------------------


_USERADD = OptionGrammar(
    frozenset("bcdefgGkKpsuRPZ"),
    frozenset({"--base-dir", "--comment", "--home-dir", "--home", "--expiredate", "--inactive", "--gid",
               "--groups", "--skel", "--key", "--password", "--shell", "--uid", "--root", "--prefix",
               "--selinux-user", "--selinux-range", "--btrfs-subvolume-home"}),
)
#: BusyBox and Debian adduser (Debian's takes only long options; BusyBox's ``-g`` is the GECOS).
_ADDUSER = OptionGrammar(
    frozenset("hgsGukK"),
    frozenset({"--home", "--shell", "--gecos", "--comment", "--uid", "--gid", "--ingroup", "--firstuid",
               "--lastuid", "--firstgid", "--lastgid", "--conf"}),
)
_GROUPADD = OptionGrammar(frozenset("gKpPR"), frozenset({"--gid", "--key", "--password", "--root", "--prefix"}))
_ADDGROUP = OptionGrammar(frozenset("g"), frozenset({"--gid", "--conf", "--firstgid", "--lastgid"}))
_USERMOD = OptionGrammar(
    frozenset("cdeEfgGlpsuRPZL"),
    frozenset({"--comment", "--home", "--expiredate", "--inactive", "--gid", "--groups", "--login", "--password",
               "--shell", "--uid", "--root", "--prefix", "--selinux-user"}),
)


def _split(command: SimpleCommand, grammar: OptionGrammar) -> tuple[list[Option], list[str | None]]:
    options: list[Option] = []
    operands: list[str | None] = []
    if command.name_index is None:
        return options, operands
    for _, item in iter_arguments(command.words, grammar, command.name_index + 1):
        if isinstance(item, Option):
            options.append(item)
        else:
            operands.append(item.value)
    return options, operands


def _argument(options: list[Option], *names: str) -> str | None | bool:
    """The argument of the last option named ``names`` (``-u`` also inside ``-ru``); False when absent."""
    found: str | None | bool = False
    for option in options:
        for name in names:
            if name.startswith("--"):
                if option.name == name:
                    found = option.argument
            elif option.letters and option.has_argument and option.letters[-1] == name[1]:
                found = option.argument
    return found


def _flag(options: list[Option], *names: str) -> bool:
    return any(option.matches(name) for option in options for name in names)


def _literal_id(value: str | None | bool) -> str | None:
    return value if isinstance(value, str) and value.isdigit() else None


def read_accounts(
    scripts: list[ShellScript], family: str, runs: list[Run | None] | None = None
) -> tuple[list[Account], list[str]]:
    """Accounts the scripts create (unconditional, literal name or UID), and the creating commands it cannot read.

    Those are ``useradd``/``adduser`` inside ``if``/loops/functions or with
    neither a literal name nor a literal UID (``useradd -m "$USER"``).
    ``runs`` (aligned with ``scripts``) names the RUN a fix may edit each
    script in; an account created there once, by a tool whose options are
    known for the family, gets an ``origin``.
    """
    accounts: dict[str, Account] = {}
    anonymous: list[Account] = []
    unclear: list[str] = []
    groups: dict[str, str | None] = {}
    extra: set[str] = set()
    created: Counter[str] = Counter()
    uid_changed: set[str] = set()
    for index, script in enumerate(scripts):
        run = runs[index] if runs is not None else None
        for command in script.commands:
            if command.name is None:
                continue
            name = command.name
            if not command.context.isdisjoint(CONDITIONAL | {ShellContext.BACKGROUND}):
                if name in ("useradd", "adduser"):
                    unclear.append(script.text[command.start : command.end])
                continue
            if name == "useradd" or (name == "adduser" and family == "rhel"):
                options, operands = _split(command, _USERADD)
                if _flag(options, "-D", "--defaults") or len(operands) != 1:
                    continue
                group = _argument(options, "-g", "--gid")
                account = Account(operands[0], _literal_id(_argument(options, "-u", "--uid")),
                                  group if isinstance(group, str) else None,
                                  _argument(options, "-G", "--groups") is not False,
                                  AccountOrigin(run, command, "useradd") if run is not None else None)
            elif name == "adduser":
                options, operands = _split(command, _ADDUSER)
                if len(operands) == 2 and operands[0]:
                    extra.add(operands[0])  # `adduser user group`: add to a group
                    continue
                if len(operands) != 1:
                    continue
                group = _argument(options, "-G", "--ingroup")
                gid = _literal_id(_argument(options, "--gid"))
                tool = {"alpine": "busybox", "debian": "adduser"}.get(family)
                account = Account(operands[0], _literal_id(_argument(options, "-u", "--uid")),
                                  gid or (group if isinstance(group, str) else None), False,
                                  AccountOrigin(run, command, tool) if run is not None and tool else None)
                if _flag(options, "--group") and operands[0]:
                    groups.setdefault(operands[0], None)
            elif name in ("groupadd", "addgroup"):
                options, operands = _split(command, _GROUPADD if name == "groupadd" else _ADDGROUP)
                if name == "addgroup" and len(operands) == 2 and operands[0]:
                    extra.add(operands[0])  # `addgroup user group`
                    continue
                if len(operands) == 1 and operands[0]:
                    groups[operands[0]] = _literal_id(_argument(options, "-g", "--gid"))
                continue
            elif name in ("usermod", "gpasswd"):
                options, operands = _split(command, _USERMOD if name == "usermod" else OptionGrammar(frozenset("adAM")))
                if name == "usermod" and _argument(options, "-u", "--uid") is not False and operands and operands[-1]:
                    uid_changed.add(operands[-1])
                if name == "usermod" and _argument(options, "-G", "--groups") is not False and operands and operands[-1]:
                    extra.add(operands[-1])
                elif name == "gpasswd":
                    added = _argument(options, "-a")
                    if isinstance(added, str):
                        extra.add(added)
                continue
            else:
                continue
            if account.name is None and account.uid is None:
                unclear.append(script.text[command.start : command.end])
                continue
            if account.name is None:
                anonymous.append(account)
            else:
                accounts[account.name] = account
                created[account.name] += 1
    out = []
    for account in [*accounts.values(), *anonymous]:
        group = account.group
        if group is not None and not group.isdigit():
            group = groups.get(group)
        origin = account.origin
        if account.name is None or created[account.name] != 1 or account.name in uid_changed:
            origin = None  # created twice, or its UID changed later: which UID it ends up with is not this command's
        out.append(Account(account.name, account.uid, group, account.extra_groups or account.name in extra, origin))
    return out, unclear


def account_user_spec(account: Account) -> str | None:
    """How ``USER`` names an account: numeric when its UID (and GID) are literal, else its name.

    An account with supplementary groups (``-G``, ``usermod -aG``) gets its
    UID alone: with no group in ``USER``, the runtime (runc's
    ``GetExecUser``) takes the primary group from ``/etc/passwd`` and the
    supplementary groups from ``/etc/group`` for the name that UID has, just
    as for ``USER <name>``; ``USER <uid>:<gid>`` would drop them.
    """
    if account.uid is not None:
        if account.extra_groups and account.name:
            return account.uid
        return f"{account.uid}:{account.group}" if account.group else account.uid
    return account.name


_NEW_UID_USED = lazy_pattern(rf"(?<![0-9]){NEW_UID}(?![0-9])")


def uid_edit(situation: UserSituation, account: Account) -> Edit | None:
    """An edit giving ``account`` the UID ``NEW_UID`` where the file creates it, or None when that is not safe.

    Only for an account created once, unconditionally, with a literal name and
    no UID, by ``useradd`` (``--uid``, with ``--no-log-init`` unless it has
    ``-l`` already), Debian's ``adduser`` (``--uid``) or BusyBox's (``-u``) in
    a shell-form RUN; not when the file already
    mentions the number (another account may have it) or changes the
    account's UID later (``usermod -u``).
    """
    origin = account.origin
    if origin is None or account.uid is not None or not account.name or origin.command.name_word is None:
        return None
    if _NEW_UID_USED.search(situation.context.tree.code):
        return None
    view = situation.context.run_view(origin.run)
    script = view.script
    if script is None or view.trigger:  # ONBUILD triggers are never edited
        return None
    option = f"-u {NEW_UID}" if origin.tool == "busybox" else f"--uid {NEW_UID}"
    if origin.tool == "useradd" and not _flag(_split(origin.command, _USERADD)[0], "-l", "--no-log-init"):
        # without it, useradd writes the UID's lastlog/faillog records: a ~3 MB sparse file for 10001,
        # stored in full in the layer (Docker's best practices ask for it with an explicit UID)
        option = f"--no-log-init {option}"
    return script.insert(origin.command.name_word.end, f" {option}")


def known_uid(situation: UserSituation, name: str) -> str | None:
    """The literal UID of the account ``name``: one the file creates with a literal UID, or one the base ships.

    None for anything but a plain account name, an account whose UID is not
    literal or that the file changes (``usermod -u``), and a shipped account
    the file re-creates or whose image family the file's commands contradict.
    """
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_.-]*", name):
        return None
    for command in situation.commands:
        if command.name == "usermod":
            options, operands = _split(command, _USERMOD)
            if operands and operands[-1] == name and _argument(options, "-u", "--uid") is not False:
                return None
    created = [account for account in situation.accounts if account.name == name]
    if created:
        return created[0].uid
    facts = situation.facts
    ids = facts.users.get(name)
    if ids and situation.family == facts.family:
        return ids.split(":", 1)[0]
    return None


# -- ports ----------------------------------------------------------------------------------


def _port_number(text: str) -> int | None:
    """A privileged port (1-1023) written as ``text``, or None."""
    text = text.strip()
    if text.isdigit() and 0 < int(text) < 1024:
        return int(text)
    return None


def _address_port(value: str) -> str | None:
    """A privileged port in ``80``, ``:80``, ``0.0.0.0:80``, ``http://+:80`` (``;``/``,`` lists too)."""
    for part in re.split(r"[;,\s]+", value):
        if _port_number(part):
            return part
        match = _HOST_PORT.match(part)
        if match and _port_number(match.group(1)):
            return part
    return None


#: X and VNC servers, whose bare ``:1`` argument is a display number, not a port (VNC display 1 is port 5901).
_X_SERVERS = frozenset({
    "vncserver", "tightvncserver", "tigervncserver", "vnc4server", "Xvnc", "Xtightvnc", "Xvfb", "Xorg", "X", "Xephyr",
    "x11vnc", "startx", "xinit",
})


def _listen_port(argv: list[str]) -> str | None:
    """A privileged port a command line listens on (``--port 80``, ``-b 0.0.0.0:80``, ``PORT=80``)."""
    x_server = bool(argv) and posixpath.basename(argv[0] or "") in _X_SERVERS
    for index, word in enumerate(argv):
        if not word:
            continue
        assigned = _LISTEN_ASSIGNED.match(word)
        if assigned and _address_port(assigned.group(2)):
            return word
        if (_LISTEN_OPTION.match(word) or word in ("-p", "-b", "-l")) and index + 1 < len(argv):
            following = argv[index + 1] or ""
            if _address_port(following):
                return f"{word} {following}"
        if ":" in word and not word.startswith("-") and not (x_server and word.startswith(":")):
            match = _HOST_PORT.match(word)
            if match and _port_number(match.group(1)):
                return word
    return None


# -- building the fix -----------------------------------------------------------------------


def _newline(context: Context, anchor: Instruction) -> tuple[str, bool]:
    """The line ending to write, and whether the anchor lacks one (it ends the file)."""
    code = anchor.code
    if code.endswith("\r\n"):
        return "\r\n", False
    if code.endswith("\n"):
        return "\n", False
    text = context.tree.code
    first = text.find("\n")
    return ("\r\n" if first > 0 and text[first - 1] == "\r" else "\n"), True


def user_fix_edits(situation: UserSituation, lines: list[str]) -> list[Edit]:
    """An edit inserting ``lines`` (instruction texts) after the anchor, in the file's style."""
    context = situation.context
    tree = context.tree
    anchor = situation.anchor
    newline, missing = _newline(context, anchor)
    end = anchor.span.end
    lines = [line.replace(CONTINUATION, f" {tree.escape}{newline} ") for line in lines]
    for line in lines:
        parse_instruction(line + newline, escape=tree.escape, buildkit=tree.dialect)  # valid by construction
    body = newline.join(lines)
    text = newline + body if missing else body + newline
    return [Edit(end, end, text)]


class Plan(msgspec.Struct, frozen=True):
    """What a user fix writes: instructions inserted after the anchor, other edits, and a title.

    ``lines`` is None when there is no fix; ``title`` then says why.
    """

    lines: list[str] | None
    title: str
    #: Edits elsewhere (``--uid`` given to the account the file creates).
    edits: tuple[Edit, ...] = ()
    #: What the fix takes for granted about the process (the caveat shown with it).
    assumes: str = ""


def plan_new_user(situation: UserSituation, previous: str | None = None, *, may_create: bool = True) -> Plan:
    """The user a fix runs the final image as, with the folders it writes given to that user (see `_choose_user`).

    The folders the process writes (`writable_paths`) are given to the user
    in the same edit: a ``chown`` at the end of the RUN that creates the
    account, or a ``RUN chown`` right before the new ``USER``. Not fixed when
    they cannot be placed, when the image has no shell to run ``chown``, or
    when the file gives files to an account other than the one chosen.
    """
    plan = _choose_user(situation, previous, may_create=may_create)
    if plan.lines is None:
        return plan
    spec = plan.lines[-1].split(None, 1)[1]
    foreign = _foreign_owner(situation, _names_of(situation, spec))
    if foreign:
        return Plan(None, foreign)
    paths, problem = writable_paths(situation)
    if problem:
        return Plan(None, problem)
    lines = list(plan.lines)
    if paths:
        if situation.family in ("scratch", "distroless"):
            shown = ", ".join(f"`{p.path}`" for p in paths)
            return Plan(None, f"the process likely writes {shown}, and the image has no shell to give it to the new user")
        if not situation.shell_is_posix_at_anchor():
            return Plan(None, "the SHELL in force is not a POSIX shell")
        chown = _chown_command(spec, paths)
        if len(lines) == 2 and lines[0].startswith("RUN "):
            lines[0] = f"{lines[0]}{CONTINUATION}&& {chown}"
        else:
            lines.insert(len(lines) - 1, f"RUN {chown}")
    copies = _copies_into(situation, spec, paths)
    return Plan(lines, plan.title, (*plan.edits, *copies), _assumes(spec, paths, bool(copies)))


#: A user given by number (``10001:10001``): ``COPY --chown`` takes it before any account exists.
_NUMERIC_SPEC = lazy_pattern(r"\d+(:\d+)?")


def _copies_into(situation: UserSituation, spec: str, paths: list[WritablePath]) -> tuple[Edit, ...]:
    """``--chown=SPEC`` for every COPY/ADD that fills a folder the fix gives without ``-R``.

    ``chown`` of the folder gives the folder; what ``COPY . /app`` put in it
    (a ``data/`` or ``conf/`` the app writes) stays root's. Owning it from the
    COPY costs no second copy of the files, as ``chown -R`` would. Only for
    a user given by number, which needs no account when the COPY runs.
    """
    if not _NUMERIC_SPEC.fullmatch(spec):
        return ()
    folders = [p.path for p in paths if not p.recursive and p.path != "/"]
    if not folders:
        return ()
    edits = []
    workdir = "/"
    for instruction in situation.instructions:
        if isinstance(instruction, Workdir) and instruction.value:
            value = instruction.value.strip("\"'")
            workdir = posixpath.normpath(value if value.startswith(("/", "$")) else posixpath.join(workdir, value))
        if not isinstance(instruction, (Copy, Add)) or instruction.destination is None or instruction.heredocs:
            continue
        if instruction.flag("chown") is not None or instruction.keyword_token is None:
            continue
        destination = instruction.destination.strip("\"'")
        target = posixpath.normpath(destination if destination.startswith("/") else posixpath.join(workdir, destination))
        if any(target == folder or target.startswith(folder.rstrip("/") + "/") for folder in folders):
            # before the first flag or source, after the blanks that follow the keyword: an author who aligns
            # the sources of every instruction in a column (`COPY          ./app /app`) keeps the keyword's
            position = instruction.keyword_token.end_pos
            text = situation.context.tree.code
            first = position
            while first < len(text) and text[first] in " \t":
                first += 1
            if first == position or text[first] in "\r\n\\`":
                edits.append(Edit(position, position, f" --chown={spec}"))
            else:
                edits.append(Edit(first, first, f"--chown={spec} "))
    return tuple(edits)


def _assumes(spec: str, paths: list[WritablePath], copies: bool = False) -> str:
    """The caveat of a user fix, in the user's words."""
    if paths:
        where = ", ".join(p.path for p in paths)
        writes = f"writes only to {where} (now owned by {spec}), its home and /tmp"
        if copies:
            writes = (f"writes only to {where} (now owned by {spec}, with what the build copies into it), its home "
                      "and /tmp")
        elif any(not p.recursive for p in paths):
            # a non-recursive chown gives the folder, not what the build put in it
            folders, them = ("folders", "them") if len(paths) > 1 else ("folder", "it")
            writes = (f"writes only to {where} (the {folders} now owned by {spec}; what the build put in {them} "
                      "stays root's), its home and /tmp")
    else:
        writes = "writes only to its home and /tmp"
    return f"the process {writes}, and needs no root at run time (no port below 1024, no root-owned file to change)"


#: Where a line the fix writes continues on the next (the file's escape character and line ending go there).
CONTINUATION = "\x00"

_SAFE_PATH = lazy_pattern(r"[\w./@%+=:,${}-]+")


def _chown_command(spec: str, paths: list[WritablePath]) -> str:
    def shown(path: str) -> str:
        return path if _SAFE_PATH.fullmatch(path) else '"' + path.replace('"', '\\"') + '"'

    parts = []
    plain = [shown(p.path) for p in paths if not p.recursive]
    recursive = [shown(p.path) for p in paths if p.recursive]
    missing = [shown(p.path) for p in paths if p.create]
    if missing:
        parts.append(f"mkdir -p {' '.join(missing)}")
    if plain:
        parts.append(f"chown {spec} {' '.join(plain)}")
    if recursive:
        parts.append(f"chown -R {spec} {' '.join(recursive)}")
    return " && ".join(parts)


def _names_of(situation: UserSituation, spec: str) -> set[str]:
    """Every way the file may name the user ``spec`` (its name, UID, group, GID)."""
    names = set(spec.split(":"))
    for account in situation.accounts:
        if {account.name, account.uid} & names:
            names.update(x for x in (account.name, account.uid, account.group) if x)
    for name, ids in situation.facts.users.items():
        if name in names or set(ids.split(":")) & names:
            names.add(name)
            names.update(ids.split(":"))
    if NEW_UID in names:
        names.add(NEW_NAME)
    return names


def _foreign_owner(situation: UserSituation, names: set[str]) -> str | None:
    """Why not: the file gives files to an account other than the one the fix runs as (``chown www-data``)."""
    allowed = names | {"root", "0", ""}
    for command in situation.commands:
        if command.name != "chown":
            continue
        operands = [w for w in command.args if not (w.text or "").startswith("-")]
        if not operands or operands[0].value is None:
            continue
        owner = operands[0].value
        user, _, group = owner.partition(":") if ":" in owner else owner.partition(".")
        if user not in allowed or (group and group not in allowed):
            return (f"the file gives files to `{owner}` (`{_shorten(' '.join(w.text for w in command.words))}`); "
                    "which account runs the app is the author's choice")
    for instruction in situation.instructions:
        if isinstance(instruction, Copy | Add) and instruction.flag("chown"):
            owner = instruction.flag("chown") or ""
            if "$" in owner:
                continue
            user, _, group = owner.partition(":")
            if user not in allowed or (group and group not in allowed):
                return (f"line {instruction.start_line} copies files owned by `{owner}`; which account runs the app "
                        "is the author's choice")
    return None


def _choose_user(situation: UserSituation, previous: str | None = None, *, may_create: bool = True) -> Plan:
    """The instructions that make the final image run as a non-root user, or None and why not.

    ``previous`` is a non-root USER value the file already uses (DF401).
    ``may_create`` false allows only existing accounts (the file's or the
    base image's).

    ``USER`` is numeric whenever the UID is known (Kubernetes'
    ``runAsNonRoot`` can only verify a numeric user; hadolint DL3066): a
    UID alone (``USER 1000``) means exactly what the account's name means,
    primary and supplementary groups included. An account the file creates
    without a UID is given ``NEW_UID`` where it is created, when that is safe
    (`uid_edit`); else ``USER`` names it.
    """
    if previous is not None:
        uid = known_uid(situation, previous)
        if uid is not None:
            return Plan([f"USER {uid}"], f"switch back to `{previous}` (UID {uid})")
        return Plan([f"USER {previous}"], f"switch back to `{previous}`")
    facts = situation.facts
    if facts.default_non_root and facts.family not in ("scratch",):
        default = str(facts.default_user)
        uid = known_uid(situation, default)
        if uid is not None:
            return Plan([f"USER {uid}"], f"switch back to the base image's user `{default}` (UID {uid})")
        return Plan([f"USER {default}"], f"switch back to the base image's user `{default}`")
    accounts = situation.accounts
    if situation.unclear_accounts:
        return Plan(None, f"the file creates an account dfix cannot name (`{_shorten(situation.unclear_accounts[0])}`)")
    if len({a.name or a.uid for a in accounts}) > 1:
        names = ", ".join(f"`{a.name or a.uid}`" for a in accounts)
        return Plan(None, f"the file creates several accounts ({names}); which one runs the app is a human's choice")
    for account in accounts:
        edit = uid_edit(situation, account)
        if edit is not None:
            return Plan([f"USER {NEW_UID}"], f"give `{account.name}`, the account the file creates, the UID {NEW_UID} and run as it", (edit,))
        spec = account_user_spec(account)
        if spec:
            return Plan([f"USER {spec}"], f"run as the account the file creates (`{spec}`)")
    if facts.app_user and facts.app_user in facts.users and situation.family == facts.family:
        ids = facts.users[facts.app_user]
        # numeric, so Kubernetes' runAsNonRoot can verify it (hadolint DL3066)
        return Plan([f"USER {ids}"], f"run as `{facts.app_user}` ({ids}), which the base image ships")
    if not may_create:
        return Plan(None, "no earlier non-root USER, and the base image is unknown: its own user (why else `USER root`?) cannot be named")
    family = situation.family
    if family in ("scratch", "distroless"):
        return Plan([f"USER {NUMERIC_ONLY}"], f"run as UID {NUMERIC_ONLY.split(':')[0]} (no account tools in the image)")
    if family == "unknown":
        if facts.known and facts.family != "unknown":
            return Plan(None, f"the package managers the file runs do not fit the base image {situation.base} ({facts.family})")
        return Plan(None, "the base image's distro family is unknown, so is the way to create an account")
    tool = situation.account_tool
    if tool is None:
        return Plan(None, f"the image ({family}, {situation.base or 'unknown base'}) has no known `useradd`; install `shadow-utils` first")
    if not situation.shell_is_posix_at_anchor():
        return Plan(None, "the SHELL in force is not a POSIX shell")
    create = BUSYBOX_CREATE if tool == "busybox" or family == "alpine" else SHADOW_CREATE
    return Plan([create, f"USER {NEW_UID}:{NEW_UID}"], f"create `{NEW_NAME}` ({NEW_UID}) and run as it")
