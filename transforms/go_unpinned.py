"""DF237 go-unpinned: ``go install``/``go get`` of a remote package without a version (hadolint's DL3062)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Invalid, Valid
from dfix.shell import PackageCommand, ShellScript, SimpleCommand, Word

from ._unpinned import Install, PinSyntax, UnpinnedRule

#: Versions that float: the newest release, the newest patch, a branch.
_FLOATING = frozenset({"latest", "upgrade", "patch", "master", "main", "HEAD"})


def _pinned(text: str) -> bool:
    path, at, version = text.partition("@")
    return bool(at) and bool(version) and version not in _FLOATING


GO = PinSyntax(how="`module/path@<version>`", pinned=_pinned)

#: go build flags that take the next word as their value (``-ldflags "-s -w"``); ``-flag=value`` needs no table.
_FLAGS_WITH_VALUE = frozenset({
    "o", "p", "C", "mod", "modfile", "tags", "ldflags", "gcflags", "asmflags", "buildmode", "compiler",
    "gccgoflags", "installsuffix", "pkgdir", "toolexec", "overlay", "pgo", "exec", "covermode", "coverpkg",
})
_SUBCOMMANDS = ("install", "get", "run")


def remote_package(text: str) -> bool:
    """A package fetched from elsewhere: its path's first element is a host (``github.com/x/y``).

    Standard-library and current-module paths (``cmd/vet``, ``./...``,
    ``.``), and ``.go`` files, are built from what is already there.
    """
    if text.startswith((".", "/", "-")) or text.endswith(".go"):
        return False
    return "." in text.split("/", 1)[0].split("@", 1)[0]


def go_operands(command: SimpleCommand) -> tuple[str, tuple[Word, ...]] | None:
    """``go install|get|run``'s subcommand and its package operands, or None for any other command."""
    if command.name != "go" or command.name_index is None:
        return None
    words = command.words[command.name_index + 1:]
    if not words or words[0].value not in _SUBCOMMANDS:
        return None
    subcommand = words[0].value
    operands: list[Word] = []
    skip_next = False
    for word in words[1:]:
        if skip_next:
            skip_next = False
            continue
        text = word.value if word.value is not None else word.text
        if text.startswith("-") and not operands:
            name = text.lstrip("-")
            skip_next = "=" not in name and name in _FLAGS_WITH_VALUE
            continue
        if text == "--":
            continue
        operands.append(word)
        if subcommand == "run":
            break  # the rest are the program's own arguments
    return subcommand, tuple(operands)


class GoUnpinned(UnpinnedRule):
    """``go install``/``go get`` of a remote package without ``@version``: each rebuild may differ.

    **What** (hadolint's DL3062): ``go install``, ``go get`` or ``go run``
    of a remote package (a path starting with a host, ``github.com/...``)
    without ``@version``, or at a floating one (``@latest``, ``@upgrade``,
    ``@patch``, a branch such as ``@master``/``@main``).

    **Why.** ``go install tool@latest`` builds whatever was released last;
    ``go get pkg`` adds its newest version.

    **Fix:** none (report only): the version is the author's choice.

    **Where dfix and hadolint differ**, on purpose: local and standard
    library packages (``./...``, ``.``, ``cmd/vet``) and ``.go`` files are
    what the build already has, and ``go run pkg`` without ``@`` runs the
    version the module's go.mod pins: not reported (hadolint reports them).
    ``go get pkg@none`` removes a requirement and installs nothing: not
    reported. A branch (``@master``) floats like ``@latest``: reported
    (hadolint accepts any ``@``). One finding per command, naming its
    unpinned packages (hadolint: one per RUN).
    """

    code = "DF237"
    name = "go-unpinned"
    summary = "`go install` without a version"
    aliases = ("DL3062",)
    syntax = GO

    valid = (
        Valid("FROM golang:1.22\nRUN go install golang.org/x/tools/cmd/goimports@v0.20.0\n"),
        Valid("FROM golang:1.22\nRUN go mod download && go install ./cmd/... && go build -o /app .\n"),
        Valid("FROM golang:1.22\nRUN go get -d -v ./... && go run main.go\n"),
        Valid("FROM golang:1.22\nRUN go run github.com/99designs/gqlgen generate\n", "go.mod pins it"),
        Valid("FROM golang:1.22\nRUN go install -ldflags '-s -w' github.com/x/tool@v1.2.3\n"),
    )
    invalid = (
        Invalid(
            "FROM golang:1.22\nRUN CGO_ENABLED=0 go install github.com/go-delve/delve/cmd/dlv@latest\n",
            message="`go install` of unpinned package `github.com/go-delve/delve/cmd/dlv@latest`: pin each version "
                    "(`module/path@<version>`)",
            line=2, column=5,
        ),
        Invalid("FROM golang:1.11\nRUN go get -u github.com/golang/dep/cmd/dep\n"),
        Invalid("FROM golang:1.22\nRUN go run github.com/x/tool@main\n"),
    )

    def installs(self, model: ShellScript, commands: tuple[PackageCommand, ...]) -> Iterator[Install]:
        for command in model.commands:  # go is no package manager of the shell layer: read its words here
            found = go_operands(command)
            if found is None:
                continue
            subcommand, operands = found
            packages = tuple(
                word for word in operands
                if remote_package(word.value if word.value is not None else word.text)
                and not (subcommand == "run" and "@" not in word.text)
                and not (word.value or "").endswith("@none")
            )
            yield Install(command, f"go {subcommand}", packages, self.syntax)

    def package_words(self, invocation: PackageCommand) -> tuple[Word, ...] | None:
        return None  # go is read by `installs` above, not by the package-manager layer
