"""DF703 pointless-command: a RUN runs a tool that only makes sense in a running container or at a terminal."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid
from dfix.shell import Context as ShellContext
from dfix.shell import SimpleCommand

from ._windows import on_windows

#: The commands hadolint's DL3001 names (plus ``nano`` and ``ifconfig``, which its message lists), and
#: what each amounts to in a RUN: a build step has no terminal, no services and no container to inspect.
POINTLESS = {
    "ssh": "opens a remote session; a build step has no terminal, and its credentials would stay in the layer",
    "vim": "is an interactive editor; a build step has no terminal (edit files with sed or COPY them)",
    "nano": "is an interactive editor; a build step has no terminal (edit files with sed or COPY them)",
    "shutdown": "cannot shut a build step down; the step ends when its command does",
    "service": "controls a service in the build container, which stops when this RUN ends; start services "
               "from CMD or ENTRYPOINT",
    "ps": "shows the build container's processes, which end with this RUN",
    "top": "shows the build container's processes, which end with this RUN",
    "free": "shows the build machine's memory, not the memory the container will have",
    "kill": "stops a process, but every process of an earlier step ended with that step",
    "mount": "mounts nothing lasting: a build step cannot mount filesystems, and mounts are not part of the image",
    "ifconfig": "shows the build container's network, not the network the container will have",
}

#: ``service`` verbs that start something the rest of the RUN may use (``service mysql start && mysql < x``).
_STARTING = frozenset({"start", "restart", "reload", "force-reload"})
#: Commands after a ``service X start`` that do not use the service: installs, file tidying, PHP and Apache
#: module switches. A start followed only by these serves nothing in the RUN.
_NOT_CLIENTS = frozenset({
    "rm", "apt-get", "apt", "apk", "yum", "dnf", "microdnf", "zypper", "echo", "printf", "chmod", "chown", "chgrp",
    "ln", "mkdir", "cp", "mv", "touch", "sed", "a2enmod", "a2ensite", "a2dismod", "a2dissite", "a2enconf", "phpenmod",
    "docker-php-ext-install", "docker-php-ext-enable", "docker-php-ext-configure", "pecl", "pip", "pip3", "npm",
    "update-rc.d", "true", ":", "cd", "export", "service", "set",
})
#: Commands that may start a daemon a later ``service X stop``, ``kill`` or ``ps`` acts on: a service start, and
#: package installs (a package's install script may start its daemon where the image allows it).
_STARTERS = frozenset({"service", "apt-get", "apt", "yum", "dnf", "apk", "zypper", "dpkg", "rpm"})
#: Commands that act on processes an earlier command of the same RUN may have started.
_ACT_ON_EARLIER = frozenset({"kill", "ps"})
#: vim arguments that make it a script rather than an editor (``vim +PlugInstall +qall``, ``vim -es -c ...``).
_SCRIPTED_VIM = ("+", "-c", "-e", "-E", "-s", "-es", "-Es", "--cmd", "-S", "--not-a-term", "-u")


class PointlessCommand(Rule):
    """A RUN that runs ``ssh``, ``vim``, ``service``, ``ps``, ``kill`` ... where they do nothing lasting.

    **What** (hadolint's DL3001): a command in a RUN that belongs in a
    running container or at a terminal: ``ssh``, ``vim``, ``nano``,
    ``shutdown``, ``service``, ``ps``, ``top``, ``free``, ``kill``, ``mount``,
    ``ifconfig`` (seen through ``sudo``, ``env`` and friends).

    **Why.** A build step has no terminal and runs no services: a service it
    starts stops when the RUN ends, what ``ps`` or ``free`` show is the build
    machine, and an editor waits for keys that never come.

    Not reported, because the RUN uses them for something (real files do
    this, and hadolint reports them): ``service X start`` followed by a
    command of the same RUN that may use it (``service mysql start && mysql <
    schema.sql``; installs, file tidying and module switches do not);
    ``service X stop``, ``kill`` and ``ps`` after an earlier command of the
    RUN that may have started what they act on (a service start, a package
    install, a background job); ``vim`` run as a script
    (``vim +PlugInstall +qall``, ``vim -es -c ...``).

    **Fix**: none; what the author meant (a CMD, a COPY, a script) needs them.
    """

    code = "DF703"
    name = "pointless-command"
    summary = "a RUN runs a tool that only makes sense in a running container"
    severity = "info"
    aliases = ("DL3001",)

    valid = (
        Valid("FROM debian:12\nRUN apt-get install -y vim procps\n", "installing is not running"),
        Valid("FROM mysql:8\nRUN service mysql start && mysql -e 'CREATE DATABASE app'\n",
              "a service started for the rest of the RUN"),
        Valid("FROM debian:12\nRUN ./server & sleep 2 && ./load-data && kill %1\n", "stops what the RUN started"),
        Valid("FROM debian:12\nRUN vim +PlugInstall +qall\n", "vim as a script"),
        Valid("FROM debian:12\nRUN echo ps top\n", "words, not commands"),
        Valid('FROM debian:12\nCMD ["service", "nginx", "start"]\n', "CMD runs in the container"),
        Valid("FROM postgres:9\nRUN service postgresql start && psql -c 'SELECT 1' && service postgresql stop\n",
              "a stop after the RUN's own start"),
    )
    invalid = (
        Invalid("FROM nginx:1.25\nRUN service nginx start\n", message="`service` controls a service in the build "
                "container, which stops when this RUN ends; start services from CMD or ENTRYPOINT", line=2, column=5),
        Invalid("FROM debian:12\nRUN apt-get install -y mysql-server && service mysql start\n",
                why="nothing after the start uses it"),
        Invalid("FROM php:8-apache\nRUN a2enmod rewrite && service apache2 restart && rm -rf /tmp/*\n",
                why="what follows the restart does not use apache"),
        Invalid("FROM debian:12\nRUN sudo vim /etc/hosts\n", why="through sudo"),
        Invalid('FROM debian:12\nRUN ["service", "postgresql", "start"]\n', why="exec form runs it just the same"),
        Invalid("FROM httpd:2.4\nRUN a2enmod cgi && service apache2 stop\n", why="nothing in the RUN started it"),
        Invalid("FROM debian:12\nRUN free -m && ps aux\n", line=2, column=5),
        Invalid("FROM debian:12\nRUN ssh-keygen -A && ssh git@example.com\n", why="`ssh` itself, not `ssh-keygen`"),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            if view.model is None:
                continue
            if on_windows(context, view.parent or view.run):
                continue
            commands = view.model.commands
            for index, command in enumerate(commands):
                name = command.name
                if name not in POINTLESS or self._used_for_something(command, commands, index):
                    continue
                yield self.diagnostic(view.span(command.start, command.end), f"`{name}` {POINTLESS[name]}")

    @staticmethod
    def _used_for_something(command: SimpleCommand, commands: tuple[SimpleCommand, ...], index: int) -> bool:
        args = [word.value or "" for word in command.args]
        if command.name == "service":
            verb = next((arg for arg in args[1:2]), "")
            if verb in _STARTING:
                return any(later.name not in _NOT_CLIENTS for later in commands[index + 1:])
            return _may_have_started_something(commands[:index])
        if command.name in _ACT_ON_EARLIER:
            return _may_have_started_something(commands[:index])
        if command.name == "vim":
            return any(arg.startswith("+") or arg in _SCRIPTED_VIM for arg in args)
        return False


def _may_have_started_something(earlier: tuple[SimpleCommand, ...]) -> bool:
    """An earlier command of the RUN started a service, installed packages, or runs in the background."""
    return any(command.name in _STARTERS or ShellContext.BACKGROUND in command.context for command in earlier)
