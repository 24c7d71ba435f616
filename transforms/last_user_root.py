"""DF401 last-user-root: the last ``USER`` the final image gets is root."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import ADDS_USER, Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.syntax import User

from ._base_images import FACTS_VERSION, is_root_user
from ._users import BUSYBOX_CREATE, SHADOW_CREATE, VARIABLE, UserSituation, plan_new_user, situation_of, user_fix_edits


def previous_user(situation: UserSituation, last: User) -> tuple[str | None, str | None]:
    """The non-root USER value to switch back to, or why an earlier one cannot be reused.

    The most recent non-root ``USER`` before ``last`` in the final stage's
    chain; a value with variables only when each is an ENV of the chain or
    an ARG of the final stage declared before the insertion point (an
    ancestor stage's ARG is not in scope there).
    """
    earlier = situation.users[: situation.users.index(last)]
    for user in reversed(earlier):
        value = user.value
        if not value or is_root_user(value):
            continue
        if "$" in value:
            missing = set(VARIABLE.findall(value)) - situation.defined_variables()
            if missing:
                names = ", ".join(f"${name}" for name in sorted(missing))
                return None, f"the earlier `USER {value}` uses {names}, which is not in scope at the end of the final stage"
        return value, None
    return None, None


class LastUserRoot(Rule):
    """Switch back to a non-root user when the final image's last ``USER`` is root.

    Files often switch to ``USER root`` to install something and forget to
    switch back, so the container runs as root after all. This checks the
    final stage and the in-file stages it is built from (hadolint's DL3002
    checks every stage; only the final image's user matters at run time).

    The fix (unsafe: the process runs as someone else) inserts ``USER`` with
    the most recent non-root user the file already used, after the last
    build step (so everything after ``USER root`` still runs as root); by its
    UID when that is known (the file creates the account with a literal UID,
    or the base image ships it), since ``USER 1500`` means what ``USER app``
    means, groups included, and only a numeric user can be verified by
    Kubernetes' ``runAsNonRoot`` (hadolint DL3066). When the file never used
    one, it falls back to the base image's own non-root user (``jenkins``,
    written ``USER 1000``), then to what DF400 does (an account the file creates,
    one the base ships, or a new ``app`` account). With an *unknown* base and
    no earlier non-root USER, only an account the file creates is used: the
    ``USER root`` suggests the base runs as a user dfix cannot name, and a new
    ``app`` account would not be the one the image was made for. The same guards as DF400
    apply: no fix when the process needs root (ports below 1024, root-dropping
    daemons and entrypoints, gosu/su-exec), with ONBUILD triggers or a VOLUME.
    """

    code = "DF401"
    name = "last-user-root"
    summary = "the last `USER` of the final image is root"
    safety = Safety.UNSAFE
    declared_effects = ADDS_USER
    aliases = ("DL3002",)

    valid = (
        Valid("FROM debian\nUSER root\nRUN apt-get update\nUSER app\nCMD [\"app\"]\n"),
        Valid("FROM debian AS build\nUSER root\nFROM debian\nUSER 1000\nCMD [\"x\"]\n", "root only in a stage the final image does not use"),
        Valid("FROM debian\nCMD [\"x\"]\n", "no USER at all is DF400's"),
        Valid("FROM debian\nUSER ${RUN_AS}\nCMD [\"x\"]\n", "a variable user is not known to be root"),
        Valid(
            "# escape=`\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\nUSER ContainerAdministrator\nCMD [\"app.exe\"]\n",
            "Windows",
        ),
    )

    invalid = (
        Invalid(
            "FROM python:3.12\nRUN useradd -m app\nUSER app\nRUN pip install --user flask\nUSER root\nRUN apt-get update && apt-get install -y libpq5\nCMD [\"flask\", \"run\"]\n",
            "FROM python:3.12\nRUN useradd -m app\nUSER app\nRUN pip install --user flask\nUSER root\nRUN apt-get update && apt-get install -y libpq5\nUSER app\nCMD [\"flask\", \"run\"]\n",
            "switch back to the earlier user after the last root step",
            unsafe=True,
        ),
        Invalid(
            "FROM jenkins/jenkins:lts\nUSER root\nRUN apt-get update && apt-get install -y python3\nCMD [\"jenkins\"]\n",
            "FROM jenkins/jenkins:lts\nUSER root\nRUN apt-get update && apt-get install -y python3\nUSER 1000\nCMD [\"jenkins\"]\n",
            "the base image's own non-root user, by its UID (`USER 1000` is `USER jenkins`, groups included)",
            unsafe=True,
        ),
        Invalid(
            "FROM jenkins/jenkins:lts\nUSER root\nRUN apt-get update && apt-get install -y make\n",
            "FROM jenkins/jenkins:lts\nUSER root\nRUN apt-get update && apt-get install -y make\nUSER 1000\n",
            "extending an image whose default process runs non-root: no CMD needed",
            unsafe=True,
        ),
        Invalid(
            "FROM python:3.12\nRUN useradd -u 1500 -m app\nUSER app\nRUN pip install --user flask\nUSER root\nRUN apt-get update\nCMD [\"flask\", \"run\"]\n",
            "FROM python:3.12\nRUN useradd -u 1500 -m app\nUSER app\nRUN pip install --user flask\nUSER root\nRUN apt-get update\nUSER 1500\nCMD [\"flask\", \"run\"]\n",
            "the earlier user's UID is literal: switch back to it numerically",
            unsafe=True,
        ),
        Invalid(
            "FROM debian AS base\nUSER 1001:1001\nFROM base\nUSER 0\nCOPY x /x\nENTRYPOINT [\"/x\"]\n",
            "FROM debian AS base\nUSER 1001:1001\nFROM base\nUSER 0\nCOPY x /x\nUSER 1001:1001\nENTRYPOINT [\"/x\"]\n",
            "the earlier user is in an ancestor stage",
            unsafe=True,
        ),
        Invalid(
            "FROM node:20\nENV APP_USER=node\nUSER ${APP_USER}\nRUN npm ci\nUSER root:root\nCMD [\"node\", \"app.js\"]\n",
            "FROM node:20\nENV APP_USER=node\nUSER ${APP_USER}\nRUN npm ci\nUSER root:root\nUSER ${APP_USER}\nCMD [\"node\", \"app.js\"]\n",
            "a variable user whose ENV is still in scope",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu:22.04\nUSER root\nRUN apt-get update && apt-get install -y python3\nCMD [\"python3\", \"-m\", \"http.server\", \"8080\"]\n",
            f"FROM ubuntu:22.04\nUSER root\nRUN apt-get update && apt-get install -y python3\n{SHADOW_CREATE}\nUSER 10001:10001\nCMD [\"python3\", \"-m\", \"http.server\", \"8080\"]\n",
            "no earlier non-root user: as DF400",
            unsafe=True,
        ),
        Invalid(
            "FROM alpine\nUSER root\r\nCMD [\"app\"]\r\n",
            f"FROM alpine\nUSER root\r\n{BUSYBOX_CREATE}\r\nUSER 10001:10001\r\nCMD [\"app\"]\r\n",
            "right after the USER root itself; the anchor's line ending",
            unsafe=True,
        ),
        Invalid(
            "FROM company/base\nUSER root\nRUN useradd -u 2000 svc\nENTRYPOINT [\"svc\"]\n",
            "FROM company/base\nUSER root\nRUN useradd -u 2000 svc\nUSER 2000\nENTRYPOINT [\"svc\"]\n",
            "unknown base: an account the file creates is still fine",
            unsafe=True,
        ),
        Invalid(
            "FROM ubuntu:22.04\nUSER root\nRUN useradd -m svc\nCMD [\"svc\"]\n",
            "FROM ubuntu:22.04\nUSER root\nRUN useradd --no-log-init --uid 10001 -m svc\nUSER 10001\nCMD [\"svc\"]\n",
            "no earlier non-root user, an account created without a UID: as DF400",
            unsafe=True,
        ),
        # must-not-apply: report only
        Invalid("FROM debian\nUSER app\nUSER root\nCMD [\"/usr/sbin/sshd\", \"-D\"]\n", why="sshd"),
        Invalid(
            "FROM debian\nRUN useradd app && apt-get install -y gosu\nUSER root\nENTRYPOINT [\"/entrypoint.sh\"]\n",
            why="gosu: the entrypoint drops privileges",
        ),
        Invalid("FROM postgres:16\nUSER postgres\nUSER root\n", why="postgres' entrypoint"),
        Invalid(
            "FROM jenkins/jenkins:lts\nUSER root\nRUN apt-get update && apt-get install -y docker.io\nCMD [\"jenkins\"]\n",
            why="the Docker CLI: the socket it talks to belongs to root",
        ),
        Invalid("FROM ubuntu:22.04\nUSER root\nRUN apt-get update && apt-get install -y git\nCMD [\"bash\"]\n", why="a bare shell: a base image"),
        Invalid("FROM debian\nUSER app\nUSER root\nEXPOSE 443\nCMD [\"app\"]\n", why="port 443"),
        Invalid("FROM debian AS base\nARG U=app\nUSER ${U}\nFROM base\nUSER root\nCMD [\"x\"]\n", why="the earlier USER's ARG is out of scope"),
        Invalid(
            "FROM company/base\nUSER root\nCOPY x /x\nENTRYPOINT [\"x\"]\n",
            why="unknown base, no earlier user: `USER root` says the base's user is not root, and it has no name here",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        situation = situation_of(context)
        if situation is None or situation.windows or not situation.users:
            return
        last = situation.users[-1]
        value = last.value
        if value is None or "$" in value or not is_root_user(value):
            return
        message = f"the final image runs as root: its last `USER` is `{value}`"
        reason = situation.runtime_blocker()
        if reason is None:
            previous, reason = previous_user(situation, last)
        if reason is not None:
            yield self.diagnostic(last, message, note=f"not fixed: {reason}")
            return
        plan = plan_new_user(situation, previous, may_create=situation.facts.default_user is not None)
        if plan.lines is None:
            yield self.diagnostic(last, message, note=f"not fixed: {plan.title}")
            return
        yield self.diagnostic(last, message, [*plan.edits, *user_fix_edits(situation, plan.lines)], title=plan.title,
                              note=f"base-image facts {FACTS_VERSION}", assumes=plan.assumes)
