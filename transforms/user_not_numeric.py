"""DF402 user-not-numeric: ``USER name`` where a numeric UID says the same and more."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.syntax import Arg, Env, Run, User

from ._base_images import facts_for, family_from_commands
from ._build_user import chain_before
from ._users import read_accounts

_VARIABLE = lazy_pattern(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)")
_ROOT = frozenset({"root", "0"})
_NAME = lazy_pattern(r"[A-Za-z_][A-Za-z0-9_.-]*\Z")
#: ``groupadd -g 1000 app``, ``addgroup -g 1000 -S app``, ``--gid 1000``.
_GID_OPTIONS = ("-g", "--gid")
#: Variables base images set to a number, which BuildKit puts in the image's ``USER``: the Jupyter images'
#: ``NB_UID``/``NB_GID`` (``USER $NB_UID`` is their documented way back from root).
_BASE_IMAGE_UIDS = frozenset({"NB_UID", "NB_GID"})


class UserNotNumeric(Rule):
    """Name the runtime user by UID: ``USER 10001`` rather than ``USER app``.

    Kubernetes' ``runAsNonRoot`` can only verify a numeric user (a name is
    refused, since the kubelet cannot read the image's ``/etc/passwd``), and
    tools outside the image (volume permissions, security scanners) cannot
    resolve image-local names. Reported: every ``USER`` whose user part is a
    name. Accepted: numbers, ``root`` (UID 0 in every image, so nothing is
    left to resolve; hadolint reports it, though ``USER root`` mid-file is
    how files switch back to install packages), and variables the file
    declares as ARG or ENV only with numbers or without a value (passed at
    build time, often a UID), and the Jupyter images' ``NB_UID``/``NB_GID``;
    a variable declared with a name is reported, as is any other the file
    never declares (it comes from the base image).

    Fix (unsafe): when the stage (or a stage it is built from) creates that
    account before the ``USER`` with a literal UID (``useradd -u 10001``,
    ``adduser -u``), replace the name with the UID; a group part becomes its
    GID when it is numeric or created with a literal GID (``groupadd -g``).
    Unsafe because a numeric ``USER`` is only the same user while nothing
    else changes that UID, and ``USER uid`` finds its groups through
    ``/etc/passwd`` by number where ``USER name`` did by name. Never fixed
    from a guess: an account the file does not create (the base image's
    ``node``, ``www-data``), or whose number it changes later (``usermod
    -u``, ``groupmod -g``), is reported only.
    """

    code = "DF402"
    name = "user-not-numeric"
    summary = "`USER` by name rather than numeric UID"
    safety = Safety.UNSAFE
    severity = "info"
    aliases = ("DL3066",)

    valid = (
        Valid("FROM jupyter/base-notebook\nUSER root\nRUN apt-get update\nUSER $NB_UID\n",
              "the Jupyter images set NB_UID to a number"),
        Valid("FROM alpine:3\nUSER 10001\n"),
        Valid("FROM alpine:3\nUSER 10001:10001\n"),
        Valid("FROM debian:12\nUSER root\nRUN apt-get update\n", "root is UID 0 everywhere"),
        Valid("FROM alpine:3\nARG UID=10001\nUSER $UID\n", "a declared variable with a numeric value"),
        Valid("FROM alpine:3\nARG APP_UID\nUSER ${APP_UID}\n", "passed at build time"),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nRUN groupadd -g 10001 app && useradd -u 10001 -g app app\nUSER app:app\nCMD [\"/app\"]\n",
            "FROM debian:12\nRUN groupadd -g 10001 app && useradd -u 10001 -g app app\nUSER 10001:10001\nCMD [\"/app\"]\n",
            unsafe=True,
            message="`USER app:app` names the user; use its UID (`USER 10001:10001`) so runtimes can tell it is not root",
            line=3, column=1,
        ),
        Invalid(
            "FROM alpine:3\nRUN adduser -D -u 1000 app\nUSER app\n",
            "FROM alpine:3\nRUN adduser -D -u 1000 app\nUSER 1000\n",
            "no group: the UID alone keeps the account's groups",
            unsafe=True,
        ),
        Invalid("FROM node:20\nUSER node\n", None, "an account of the base image: reported only"),
        Invalid("FROM debian:12\nRUN useradd -m app\nUSER app\n", None, "created without a literal UID"),
        Invalid("FROM debian:12\nUSER app\nRUN useradd -u 1000 app\n", None, "created after the USER"),
        Invalid("FROM debian:12\nRUN useradd -u 1000 app && usermod -u 2000 app\nUSER app\n", None,
                "its UID changes later"),
        Invalid(
            "FROM debian:12\nENV APP_USER=app\nRUN useradd -u 1000 $APP_USER\nUSER $APP_USER\n", None,
            "a variable holding a name",
            message="`USER $APP_USER` names the user `app` through `$APP_USER`; give the user as a numeric UID",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        declared = _declared_variables(context)
        for stage in context.tree.stages:
            for instruction in stage.instructions:
                if not isinstance(instruction, User) or not instruction.arguments:
                    continue
                value = instruction.arguments[0]
                user, _, group = value.partition(":")
                if user.isdigit() or user in _ROOT:
                    continue
                if "$" in value:
                    problem = _variable_problem(user, declared)
                    if problem:
                        yield self.diagnostic(instruction, f"`USER {value}` {problem}; give the user as a numeric UID")
                    continue
                numeric = _numeric(context, instruction, user, group) if _NAME.match(user) else None
                suggestion = f" (`USER {numeric}`)" if numeric else ""
                edits, note = None, None
                token = next((t for t in instruction.line_tokens if t.type == "TEXT"), None)
                if numeric and token is not None and str(token) == value:
                    edits = [Edit(token.start_pos, token.end_pos, numeric)]
                else:
                    note = "not fixed: the file does not create this account with a literal UID before this line"
                yield self.diagnostic(
                    instruction,
                    f"`USER {value}` names the user; use its UID{suggestion} so runtimes can tell it is not root",
                    edits, title=f"use `USER {numeric}`" if numeric else "", note=note,
                    assumes="nothing else changes the account's UID, and its groups resolve the same by number",
                )


def _declared_variables(context: Context) -> dict[str, set[str | None]]:
    """Every ARG/ENV name of the file and the values it is given (None: an ARG without a default)."""
    values: dict[str, set[str | None]] = {}
    for instruction in context.tree.walk():
        if isinstance(instruction, (Arg, Env)):
            for name, value in instruction.pairs:
                values.setdefault(name, set()).add(value)
    return values


def _variable_problem(user: str, declared: dict[str, set[str | None]]) -> str | None:
    """What is wrong with a user part built from variables, or None when it may well be a UID.

    A variable the file never declares comes from the base image or is
    empty; one the file declares only with numbers (or without a value, so
    the build passes it) is accepted; one declared with a name is a name.
    """
    for name in _VARIABLE.findall(user):
        values = declared.get(name)
        if values is None and name in _BASE_IMAGE_UIDS:
            continue  # the Jupyter images' `ENV NB_UID=1000`: the image's config gets the number
        if values is None:
            return f"takes the user from `${name}`, which the file never declares"
        names = sorted(v for v in values if v and "$" not in v and not v.isdigit() and v not in _ROOT)
        if names:
            return f"names the user `{names[0]}` through `${name}`"
    return None


def _numeric(context: Context, user_instruction: User, user: str, group: str) -> str | None:
    """``uid[:gid]`` for the account ``user`` the file creates before ``user_instruction``, or None."""
    found = chain_before(context, user_instruction)
    if found is None:
        return None
    before, root = found
    runs = [instruction for instruction in before if isinstance(instruction, Run)]
    views = [context.run_view(run) for run in runs]
    scripts = [view.model for view in views if view.model is not None]
    image = root.stage.from_.image
    facts = facts_for(image.text) if image is not None and not image.has_variables else None
    family = facts.family if facts is not None and facts.known else family_from_commands(
        {command.name for script in scripts for command in script.commands if command.name})
    accounts, _ = read_accounts(scripts, family)
    account = next((a for a in accounts if a.name == user), None)
    if account is None or account.uid is None or _renumbered(scripts, "usermod", user):
        return None
    if not group:
        return account.uid
    if group.isdigit():
        return f"{account.uid}:{group}"
    gid = None if _renumbered(scripts, "groupmod", group) else _group_ids(scripts).get(group)
    return f"{account.uid}:{gid}" if gid else None


def _renumbered(scripts, tool: str, name: str) -> bool:
    """Whether ``usermod -u``/``groupmod -g`` (any spelling) gives ``name`` another number somewhere."""
    option = ("-u", "--uid") if tool == "usermod" else ("-g", "--gid")
    for script in scripts:
        for command in script.commands:
            if command.name != tool:
                continue
            values = [word.value for word in command.args]
            if values and values[-1] in (name, None) and any(
                value is not None and (value in option or value.startswith(f"{option[1]}=")
                                       or (value.startswith(option[0]) and value[2:].isdigit()))
                for value in values
            ):
                return True
    return False


def _group_ids(scripts) -> dict[str, str]:
    """Groups created with a literal GID (``groupadd -g 1000 app``, ``addgroup -g 1000 app``), by name."""
    out: dict[str, str] = {}
    for script in scripts:
        for command in script.commands:
            if command.name not in ("groupadd", "addgroup") or not command.is_top_level:
                continue
            values = [word.value for word in command.args]
            gid, name = None, None
            index = 0
            while index < len(values):
                value = values[index]
                if value is None:
                    return out
                if value in _GID_OPTIONS and index + 1 < len(values):
                    gid = values[index + 1]
                    index += 2
                    continue
                if value.startswith("--gid="):
                    gid = value.split("=", 1)[1]
                elif not value.startswith("-"):
                    name = value
                index += 1
            if name and gid and gid.isdigit():
                out[name] = gid
    return out
