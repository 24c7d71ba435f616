"""DF234 pip-unpinned: ``pip install`` of packages without a version (hadolint's DL3013)."""

from __future__ import annotations

import re

from dfix.engine import Invalid, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import PackageCommand, Word, has_option

from ._unpinned import PinSyntax, UnpinnedRule

#: PEP 440 comparison operators (``flask==3.0``, ``'flask>=3,<4'``, ``flask~=3.0``).
_OPERATORS = ("==", ">=", "<=", "~=", "!=", "<", ">", "===")
#: VCS requirements (``git+https://...``): pinned only at a ref (``@v1.2``, ``@<commit>``).
_VCS = lazy_pattern(r"(?:git|hg|svn|bzr)(?:\+[a-z-]+)?[:+]", re.IGNORECASE)
#: Distribution files a path or URL names: one exact artifact.
_ARCHIVES = (".whl", ".tar.gz", ".tgz", ".tar.bz2", ".tar.xz", ".zip")


def _exact(text: str) -> bool:
    """A local archive, a folder, or a non-VCS path/URL: the word names one exact artifact."""
    if _VCS.match(text):
        return "@" in text.split("://", 1)[-1].split("/", 1)[-1]  # `@ref` after the host
    return text.lower().endswith(_ARCHIVES) or "/" in text or text.startswith((".", "~"))


PIP = PinSyntax(
    how="`package==<version>`, or a requirements file",
    pinned=lambda text: any(operator in text for operator in _OPERATORS),
    exact=_exact,
)


class PipUnpinned(UnpinnedRule):
    """``pip install`` of packages without a version: each rebuild may install something else.

    **What** (hadolint's DL3013): ``pip install`` (``pip3``, ``pip3.11``,
    ``python -m pip``, a virtualenv's ``/opt/venv/bin/pip``, ``uv pip
    install``) naming a package without a version specifier. Not reported:
    commands that install from ``-r``/``--requirement``, ``-c``/``--constraint``
    or the current folder (``.``), as in hadolint; paths, URLs and local
    archives (one exact artifact), and VCS URLs at a ref (``git+https://...@v1.2``).
    Arguments of ``-i``, ``--find-links``, ``-e`` ... are not packages.

    **Why.** PyPI serves the newest release on the day of the build, and a
    new major version of a dependency breaks the image without a change to
    the Dockerfile. ``pip install --upgrade pip`` is reported too: the
    pip that builds the image then changes with every rebuild.

    **Fix:** none (report only): the version is the author's choice (a
    requirements file with hashes is the thorough way).

    **Where dfix and hadolint differ:** dfix reads virtualenv paths
    (``/opt/venv/bin/pip``), ``uv pip install`` and ``sudo``; a local
    ``.zip`` archive is an exact artifact (hadolint reports it); a package
    list in a variable is judged by the value ENV/ARG give it.
    One finding per command, naming its unpinned packages (hadolint: one per RUN).
    """

    code = "DF234"
    name = "pip-unpinned"
    summary = "`pip install` without package versions"
    aliases = ("DL3013",)
    syntax = PIP

    valid = (
        Valid("FROM python:3.12\nRUN pip install --no-cache-dir flask==3.0.3 'gunicorn>=22,<23'\n"),
        Valid("FROM python:3.12\nRUN pip install --no-cache-dir -r requirements.txt\n"),
        Valid("FROM python:3.12\nRUN pip install --no-cache-dir -e .\n", "the project itself"),
        Valid("FROM python:3.12\nRUN pip install --no-cache-dir /wheels/*.whl ./dist/app-1.0.tar.gz\n"),
        Valid("FROM python:3.12\nRUN pip install --no-cache-dir git+https://github.com/psf/black@24.4.2\n"),
        Valid("FROM python:3.12\nRUN pip install --no-cache-dir -i https://pypi.example.com/simple app==2.1\n"),
    )
    invalid = (
        Invalid(
            "FROM python:3.12\nRUN python3 -m pip install --no-cache-dir --upgrade pip setuptools==70.0.0 wheel\n",
            message="`pip install` of unpinned packages `pip`, `wheel`: pin each version "
                    "(`package==<version>`, or a requirements file)",
            line=2, column=5,
        ),
        Invalid("FROM python:3.12\nRUN /opt/venv/bin/pip install --no-cache-dir gunicorn\n"),
        Invalid("FROM python:3.12\nRUN pip install --no-cache-dir git+https://github.com/psf/black\n",
                why="a VCS URL without a ref follows the default branch"),
        Invalid("FROM python:3.12\nRUN uv pip install --system httpx\n"),
    )

    def package_words(self, invocation: PackageCommand) -> tuple[Word, ...] | None:
        if invocation.family not in ("pip", "uv") or invocation.subcommand not in ("install", "pip install"):
            return None
        if has_option(invocation, "-r", "--requirement", "-c", "--constraint"):
            return ()
        if any(word.value == "." for word in invocation.packages):
            return ()
        return invocation.packages
