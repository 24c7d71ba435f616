"""What the package-pinning rules (DF230-DF237) share: which words are packages, which are pinned.

Every package manager has its own way of writing a version next to a
package name (``curl=8.5.0-2``, ``flask==3.0``, ``left-pad@1.3.0``,
``rails:7.1``, ``golang.org/x/tools/cmd/goimports@v0.20.0``), and its own
spellings that need no version because they name one exact artifact (a
``.deb``/``.rpm``/``.apk``/wheel file, a folder, a VCS URL at a ref). That is
data, one `PinSyntax` per rule; the mechanics are here once:

* the words a command installs come from `dfix.shell.packages` (options and
  their arguments already set aside: ``apt-get -t bookworm-backports``,
  ``apk add --virtual .deps``, ``pip install -i URL``);
* a word that is not a literal is judged by its shape with every expansion
  read as a version-like placeholder (``curl=$CURL_VERSION`` and
  ``nginx-${NGINX_VERSION}`` are pinned, as hadolint reads them); a word that
  is nothing but one variable (``apt-get install -y $PACKAGES``) is resolved
  from the ENV/ARG values the stage gives it, and skipped when it has none
  (dfix cannot know what a ``--build-arg`` will say, rules.md G6);
* one finding per command, naming every unpinned package in it. hadolint
  reports once per RUN; the counts agree wherever a RUN installs with one
  command per manager, which is nearly always (compare per RUN or per file).

The rules report only: an offline fix cannot know which version to write,
and picking today's version freezes today's repository state, which is a
decision for the author (rules.md).

Agreement with hadolint 2.15.1 on the 10,005 Docker Hub files of the dev
corpus, per file (files hadolint flags that dfix flags too; dfix-only files):
DF230/DL3008 3,907 of 3,913 (+225), DF231/DL3018 2,039 of 2,041 (+13),
DF232/DL3033+DL3041 536 of 538 (+10), DF233/DL3037 12 of 12 (+1),
DF234/DL3013 1,056 of 1,064 (+41), DF235/DL3016 483 of 490 (+102),
DF236/DL3028 224 of 225 (+21), DF237/DL3062 208 of 222 (+6). What hadolint
alone reports is a package list computed by a command (``$(cat list)``),
set by the base image or a build argument, a local or standard-library Go
package, the local project (``pip install .[dev]``, ``npm install -g .``), an rpm
group or zypper pattern; what dfix alone reports is seen through
``sudo``/``env``/absolute paths, ``apt install``, ``npm i``/``yarn add``,
files hadolint cannot parse, and names hadolint mistakes for versions
(``java-11-openjdk``). Each rule's docstring says which apply to it.
"""

from __future__ import annotations

from typing import Callable, ClassVar, Iterator

import msgspec

from dfix.engine import Context, Diagnostic, Rule, RunView
from dfix.patterns import lazy_pattern
from dfix.shell import MANAGERS, PackageCommand, ShellScript, SimpleCommand, Word, package_commands

from ._packages import environment_value

__all__ = [
    "PinSyntax",
    "UnpinnedRule",
    "Install",
    "placeholder_text",
    "sole_variable",
    "contains_any",
    "ends_with_any",
]

#: ``$NAME``, ``${...}``, ``$(...)``, backticks: expansions a word's shape is judged without.
_EXPANSION = lazy_pattern(r"\$\{[^}]*\}|\$\([^)]*\)|`[^`]*`|\$[A-Za-z_][A-Za-z0-9_]*|\$[0-9@*#?$!-]")
#: A word that is exactly one variable, quoted or not: ``$PKGS``, ``"${PACKAGES}"``.
_SOLE_VARIABLE = lazy_pattern(r"""(["']?)\$(?:\{(?P<braced>[A-Za-z_][A-Za-z0-9_]*)\}|(?P<plain>[A-Za-z_][A-Za-z0-9_]*))\1""")

#: What an expansion stands for when a word's shape is judged: something a version could start with.
PLACEHOLDER = "0"


def placeholder_text(word: Word) -> str:
    """The word's text, quotes dropped and every expansion read as a version (``curl=$V`` → ``curl=0``)."""
    if word.value is not None:
        return word.value
    return _EXPANSION.sub(PLACEHOLDER, word.text).replace('"', "").replace("'", "")


def sole_variable(word: Word) -> str | None:
    """The variable's name when the word is nothing but one variable (``"${PACKAGES}"`` → ``PACKAGES``)."""
    match = _SOLE_VARIABLE.fullmatch(word.text)
    if match is None:
        return None
    return match.group("braced") or match.group("plain")


def contains_any(*markers: str) -> Callable[[str], bool]:
    """A pin test: the word holds one of ``markers`` (``=`` for apt)."""
    return lambda text: any(marker in text for marker in markers)


def ends_with_any(*suffixes: str) -> Callable[[str], bool]:
    """An artifact test: the word names a file by one of ``suffixes`` (``.deb``)."""
    return lambda text: text.lower().endswith(suffixes)


class PinSyntax(msgspec.Struct, frozen=True):
    """How one manager writes a version next to a package, as data.

    ``pinned`` says a package word carries a version (or a release, a
    range, a ref); ``exact`` says the word names one exact artifact that
    needs none (a package file, a folder, a URL); ``skip`` says the word is
    not a package at all (an rpm group ``@base``, ``--``). ``how`` is the
    advice in the message (``curl=<version>``).
    """

    how: str
    pinned: Callable[[str], bool]
    exact: Callable[[str], bool] = lambda text: False
    skip: Callable[[str], bool] = lambda text: False

    def unpinned(self, text: str) -> bool:
        """The package word ``text`` (a literal, or shaped by `placeholder_text`) has no version."""
        return not (self.skip(text) or self.pinned(text) or self.exact(text))


class Install(msgspec.Struct, frozen=True):
    """One install command a pinning rule reads: its package words and how they pin."""

    command: SimpleCommand
    #: How the command is spelled in the message (``apt-get install``, ``dnf module install``).
    label: str
    words: tuple[Word, ...]
    syntax: PinSyntax


class UnpinnedRule(Rule):
    """A pinning rule: report install commands of one manager whose packages carry no version.

    A subclass says which commands it reads (`package_words`: the package
    words of one package command, or None when it is not one of its
    installs; or `installs` itself for a tool the package layer does not
    read, such as ``go``) and how its manager pins (`syntax`, or
    `pin_syntax` per command); this base finds them in every RUN a
    POSIX shell reads (ONBUILD triggers and exec-form RUNs too: hadolint
    reads them as well), resolves variables and writes the message.
    """

    #: How this rule's manager writes a pinned package.
    syntax: ClassVar[PinSyntax]

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            model = view.model
            assert model is not None
            for install in self.installs(model, package_commands(model)):
                names = tuple(self._unpinned_names(context, view, model, install))
                if names:
                    command = install.command
                    yield self.diagnostic(view.span(command.start, command.end), self.message(install, names))

    def installs(self, model: ShellScript, commands: tuple[PackageCommand, ...]) -> Iterator["Install"]:
        """Each install command of this rule's manager among ``commands``, the package commands of ``model``."""
        for invocation in commands:
            invocation = _past_variable_options(invocation)
            words = self.package_words(invocation)
            if words is not None:
                yield Install(invocation.command, self.label(invocation), words, self.pin_syntax(invocation))

    def pin_syntax(self, invocation: PackageCommand) -> PinSyntax:
        """How ``invocation`` pins (``dnf module install`` pins streams, not versions)."""
        return self.syntax

    def package_words(self, invocation: PackageCommand) -> tuple[Word, ...] | None:
        """The package words of ``invocation`` when it is one of this rule's installs, else None."""
        raise NotImplementedError

    @staticmethod
    def label(invocation: PackageCommand) -> str:
        """``apt-get install``, ``dnf module install``, ``yarn global add`` (the program's basename)."""
        program = invocation.command.name or invocation.manager
        if invocation.manager == "pip" and program != invocation.manager and not program.startswith("pip"):
            program = "pip"  # `python3 -m pip install`
        words = [program] + [word.value or word.text for word in invocation.subcommand_words]
        return " ".join(words)

    def message(self, install: "Install", names: tuple[str, ...]) -> str:
        shown = ", ".join(f"`{name}`" for name in names[:6])
        if len(names) > 6:
            shown += f" and {len(names) - 6} more"
        noun = "package" if len(names) == 1 else "packages"
        return f"`{install.label}` of unpinned {noun} {shown}: pin each version ({install.syntax.how})"

    @staticmethod
    def _unpinned_names(context: Context, view: RunView, model: ShellScript, install: "Install") -> Iterator[str]:
        syntax, command = install.syntax, install.command
        for word in install.words:
            if word.value is not None:
                if syntax.unpinned(word.value):
                    yield word.value
                continue
            variable = sole_variable(word)
            if variable is not None:
                held = _variable_value(context, view, model, command, variable)
                if held is None:
                    continue  # set by a build argument or the base image: unknown (G6)
                for piece in held.split():
                    if "$" not in piece and not piece.startswith("-") and syntax.unpinned(piece):
                        yield f"{piece} (from ${variable})"
                continue
            if "$(" in word.text or "`" in word.text:
                continue  # a command's output: unknown (G6)
            shaped = placeholder_text(word)
            if syntax.unpinned(shaped):
                yield word.text


def _past_variable_options(invocation: PackageCommand) -> PackageCommand:
    """``apt-get $APT_OPTS install x``: a variable where the subcommand goes is read as options
    when a literal subcommand follows it (a variable subcommand itself stays unknown, G6)."""
    if invocation.action != "unknown" or not invocation.operands or invocation.operands[0].value is None:
        return invocation
    manager = MANAGERS.get(invocation.manager)
    first = invocation.operands[0]
    if manager is None or first.value is None:
        return invocation
    subcommand = manager.aliases.get(first.value, first.value)
    if subcommand not in manager.actions:
        return invocation
    return msgspec.structs.replace(invocation, subcommand=subcommand, action=manager.actions[subcommand],
                   subcommand_words=(first,), operands=invocation.operands[1:])


#: Builtins that set a variable from their ``NAME=value`` arguments.
_DECLARING = frozenset({"export", "readonly", "declare", "typeset", "local"})
#: POSIX special builtins: an assignment before one lasts in the shell (``deps='a b' set -x``, a
#: pattern of the official images' Dockerfiles).
_SPECIAL_BUILTINS = frozenset({"set", ":", "export", "readonly", "eval", "exec", "shift", "trap", "unset", "."})


def _assigned_text(text: str) -> str:
    """The value part of ``NAME=value`` as written, outer quotes dropped; empty when a command computes it."""
    value = text.partition("=")[2]
    if "$(" in value or "`" in value:
        return ""  # `deps="$(scanelf ...)"`: only the build knows, so there is nothing to judge
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        value = value[1:-1]
    return value


def _script_value(model: ShellScript, command: SimpleCommand, name: str) -> str | None:
    """What the script itself last set ``name`` to before ``command`` (``PKGS="a b" && ... $PKGS``).

    A value with expansions in it is kept with them (``"$EXTRA gcc make"``);
    the caller drops the pieces it cannot read.
    """
    found = None
    for other in model.commands:
        if other.start >= command.start:
            break
        if other.name is None or other.name in _SPECIAL_BUILTINS:
            for assignment in other.assignments:
                if assignment.name == name:
                    found = assignment.value if assignment.value is not None else _assigned_text(assignment.text)
        if other.name in _DECLARING:
            for word in other.args:
                key, equals, _ = word.text.partition("=")
                if equals and key == name:
                    found = word.value.partition("=")[2] if word.value is not None else _assigned_text(word.text)
    for assignment in command.assignments:
        if assignment.name == name:
            found = assignment.value if assignment.value is not None else _assigned_text(assignment.text)
    return found


def _variable_value(context: Context, view: RunView, model: ShellScript, command: SimpleCommand, name: str) -> str | None:
    """What ``$name`` holds for ``command``: set in the script itself, or by ENV/ARG before the RUN."""
    in_script = _script_value(model, command, name)
    if in_script is not None:
        return in_script
    return environment_value(context, view.parent or view.run, name)
