"""DF235 js-unpinned: ``npm install``/``yarn add``/``pnpm add`` of packages without a version (hadolint's DL3016)."""

from __future__ import annotations


from dfix.engine import Invalid, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import PackageCommand, Word

from ._unpinned import PinSyntax, UnpinnedRule

#: Git sources: ``git+https://...``, ``git://``, ``github:user/repo``, ``user/repo``; pinned only at ``#ref``.
_GIT = lazy_pattern(r"(?:git(?:\+[a-z]+)?://|git@|(?:github|gitlab|bitbucket|gist):|[A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_.-]+(?:#.*)?$)")
_TARBALLS = (".tgz", ".tar.gz", ".tar")
_FOLDERS = ("/", "./", "../", "~/", "file:")
#: A tag that says in words that it floats.
_FLOATING_TAGS = frozenset({"latest"})


def _pinned(text: str) -> bool:
    """``name@version`` or ``name@tag`` (scoped names too: ``@types/node@20``); ``@latest`` floats."""
    if _GIT.match(text) and not text.startswith("@"):
        return "#" in text
    at = text.find("@", 1)
    if at < 0:
        return False
    version = text[at + 1:]
    return bool(version) and version not in _FLOATING_TAGS


def _exact(text: str) -> bool:
    """A tarball (file or URL) or a folder names one exact package."""
    if text.lower().endswith(_TARBALLS) or text.startswith(_FOLDERS) or text in (".", ".."):
        return True
    return text.startswith(("http://", "https://")) and not _GIT.match(text)


JS = PinSyntax(how="`package@<version>`", pinned=_pinned, exact=_exact)

#: The installs that name packages: ``npm install <pkg>`` (``i``, ``add`` ...), ``yarn add``,
#: ``yarn global add``, ``pnpm add``. Bare ``npm install``/``npm ci``/``yarn`` install the lockfile.
_INSTALLS = {"npm": frozenset({"install"}), "yarn": frozenset({"add", "global add"}), "pnpm": frozenset({"add"})}


class JsUnpinned(UnpinnedRule):
    """``npm install <pkg>``, ``yarn add``, ``pnpm add`` without a version: each rebuild may differ.

    **What** (hadolint's DL3016): a package named without ``@version`` or
    ``@tag`` (scoped names read right: ``@types/node`` has no version,
    ``@types/node@20`` has one); git sources without ``#ref``
    (``github:user/repo``, ``user/repo``, ``git+https://...``). Tarballs and
    folders count as pinned. ``npm install``/``npm ci``/``yarn install``
    without package names install the lockfile and are fine.

    **Why.** The registry serves the newest release on the day of the
    build; global tools (``npm i -g typescript``) change under the image.

    **Fix:** none (report only): the version is the author's choice.

    **Where dfix and hadolint differ:** hadolint reads only ``npm install``
    spelled out; dfix also reads ``npm i``/``npm add``, ``yarn add``,
    ``yarn global add`` and ``pnpm add``, and ``sudo``. ``@latest`` is
    reported: it names the floating tag, the opposite of a pin (hadolint
    accepts any ``@``). ``npm install -g .`` installs the project in the
    current folder and is not reported (hadolint reports it); a git source
    at any ``#ref`` counts as pinned, as in hadolint. One finding per
    command, naming its unpinned packages (hadolint: one per RUN).
    """

    code = "DF235"
    name = "js-unpinned"
    summary = "`npm`/`yarn`/`pnpm` install without package versions"
    aliases = ("DL3016",)
    syntax = JS

    valid = (
        Valid("FROM node:20\nRUN npm ci && npm install\n", "the lockfile"),
        Valid("FROM node:20\nRUN npm install -g typescript@5.4.5 @angular/cli@17 pm2@next\n"),
        Valid("FROM node:20\nRUN npm install ./vendor/lib ./pkg-1.0.0.tgz github:user/repo#v1.2.0\n"),
        Valid("FROM node:20\nRUN yarn install --frozen-lockfile\n"),
        Valid("FROM node:20\nRUN npm install -g .\n", "the project in the current folder"),
    )
    invalid = (
        Invalid(
            "FROM node:20\nRUN npm i -g @angular/cli pm2@5.3.1 npm@latest\n",
            message="`npm i` of unpinned packages `@angular/cli`, `npm@latest`: pin each version (`package@<version>`)",
            line=2, column=5,
        ),
        Invalid("FROM node:20\nRUN yarn global add serve\n"),
        Invalid("FROM node:20\nRUN npm install user/repo\n", why="a GitHub shorthand without a ref"),
    )

    def package_words(self, invocation: PackageCommand) -> tuple[Word, ...] | None:
        if invocation.subcommand in _INSTALLS.get(invocation.manager, ()):
            return invocation.packages
        return None
