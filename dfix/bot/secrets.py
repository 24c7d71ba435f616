"""Forge tokens: where they come from, how git gets them, and how they are kept out of every output.

A token passed on the command line shows in process lists and shell
history, so tokens come from the environment only (ux.md §11): GitHub
``DFIX_GITHUB_TOKEN`` > ``GITHUB_TOKEN`` > ``GH_TOKEN``, GitLab
``DFIX_GITLAB_TOKEN`` > ``GITLAB_TOKEN``, or the variable ``--token-env``
names. Git receives the token through a ``GIT_ASKPASS`` helper that reads
it from its own environment, so it never appears in a URL, a remote's
configuration or an argument list. Everything the bot prints, records or
raises goes through :class:`Redactor`.
"""

from __future__ import annotations

import os
import re
import stat
import tempfile
from contextlib import contextmanager
from typing import Iterator, Mapping
from urllib.parse import quote

import msgspec

#: Environment variables searched, in order, per platform.
TOKEN_VARIABLES: Mapping[str, tuple[str, ...]] = {
    "github": ("DFIX_GITHUB_TOKEN", "GITHUB_TOKEN", "GH_TOKEN"),
    "gitlab": ("DFIX_GITLAB_TOKEN", "GITLAB_TOKEN"),
}

#: The user name git sends with a token over HTTPS, per platform.
GIT_USERNAMES: Mapping[str, str] = {"github": "x-access-token", "gitlab": "oauth2"}

#: Environment variables the askpass helper reads (set for git's process only).
_ASKPASS_USER = "DFIX_ASKPASS_USERNAME"
_ASKPASS_TOKEN = "DFIX_ASKPASS_TOKEN"

_ASKPASS_SCRIPT = f"""#!/bin/sh
# dfix bot: answers git's credential prompts from the environment.
case "$1" in
  Username*|username*) printf '%s\\n' "${_ASKPASS_USER}" ;;
  *) printf '%s\\n' "${_ASKPASS_TOKEN}" ;;
esac
"""

#: ``scheme://user:password@host``: credentials some remotes carry in their URL.
_URL_CREDENTIALS = re.compile(r"(?P<scheme>[a-z][a-z0-9+.-]*://)(?P<credentials>[^/@\s]+)@", re.IGNORECASE)


class Token(msgspec.Struct, frozen=True):
    """A secret and the variable it came from (the name may be shown; the value never)."""

    variable: str
    value: str

    def __repr__(self) -> str:
        return f"Token(variable={self.variable!r}, value='***')"


def token_from_environment(
    platform: str, *, variable: str | None = None, environ: Mapping[str, str] | None = None
) -> Token | None:
    """The first non-empty token variable for ``platform`` (or exactly ``variable``), or None."""
    env = os.environ if environ is None else environ
    names = (variable,) if variable else TOKEN_VARIABLES.get(platform, ())
    for name in names:
        value = env.get(name, "").strip()
        if value:
            return Token(name, value)
    return None


class Redactor:
    """Replaces every known secret, and credentials embedded in URLs, with ``***``."""

    MASK = "***"

    def __init__(self, secrets: tuple[str, ...] = ()) -> None:
        self._secrets: list[str] = []
        for secret in secrets:
            self.add(secret)

    def add(self, secret: str | None) -> None:
        """Also hide ``secret`` (and its URL-quoted form, as it would appear in a URL)."""
        if not secret or len(secret) < 4:
            return
        for form in {secret, quote(secret, safe="")}:
            if form not in self._secrets:
                self._secrets.append(form)
        # Longest first, so a secret containing another is hidden whole.
        self._secrets.sort(key=len, reverse=True)

    def __call__(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, self.MASK)
        return _URL_CREDENTIALS.sub(lambda m: f"{m['scheme']}{self.MASK}@", text)


@contextmanager
def askpass_environment(token: Token | None, platform: str) -> Iterator[dict[str, str]]:
    """Environment variables that let git authenticate with ``token``; removed again afterwards.

    The helper script holds no secret: it prints what the environment of the
    git process it is called from says. ``GIT_TERMINAL_PROMPT=0`` makes git
    fail rather than wait for a password no one will type.
    """
    if token is None:
        yield {"GIT_TERMINAL_PROMPT": "0"}
        return
    folder = tempfile.mkdtemp(prefix="dfix-askpass-")
    script = os.path.join(folder, "askpass.sh")
    try:
        with open(script, "w", encoding="utf-8") as handle:
            handle.write(_ASKPASS_SCRIPT)
        os.chmod(script, stat.S_IRWXU)
        yield {
            "GIT_ASKPASS": script,
            "GIT_TERMINAL_PROMPT": "0",
            _ASKPASS_USER: GIT_USERNAMES.get(platform, "x-access-token"),
            _ASKPASS_TOKEN: token.value,
        }
    finally:
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)
