"""DF409 package-signature-check-disabled: packages installed without checking who signed them."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Invalid, Rule, Safety, Valid
from dfix.shell import SimpleCommand, package_command

#: Options of each package manager family that skip the signature check.
_OPTIONS: dict[str, tuple[str, ...]] = {
    "apt": ("--allow-unauthenticated", "--force-yes", "--allow-insecure-repositories"),
    "apk": ("--allow-untrusted",),
    "rpm": ("--nogpgcheck", "--nosignature", "--nodigest", "--noverify", "--nofiledigest"),
    "zypper": ("--no-gpg-checks",),
}
#: A sources line that trusts its repository without a signature (``deb [trusted=yes] http://...``).
_TRUSTED_SOURCE = re.compile(r"\bdeb(?:-src)?\s+\[[^\]]*\btrusted=yes\b", re.IGNORECASE)
#: ``gpgcheck=0`` written into a ``.repo`` file, or set for one command (``--setopt=gpgcheck=0``).
_GPGCHECK_OFF = re.compile(r"(?:(?<![A-Za-z_])|(?<=\\n))(?:repo_)?gpgcheck\s*=\s*(?:0|false|no)\b", re.IGNORECASE)
#: apt options that turn the check off through ``-o``.
_APT_SETTING_OFF = re.compile(r"APT::Get::AllowUnauthenticated\s*=\s*(?:1|true|yes)|Acquire::AllowInsecureRepositories"
                              r"\s*=\s*(?:1|true|yes)", re.IGNORECASE)

_NOTE = (
    "not fixed: without it the install fails wherever the repository or package really is unsigned, or its key is "
    "not in the image; add the signing key (apt-key, /etc/apt/keyrings, apk's /etc/apk/keys, rpm --import) and drop "
    "the option"
)


def _finding(command: SimpleCommand) -> str | None:
    """How ``command`` skips a signature check (the words that do it), or None."""
    words = [word.value if word.value is not None else word.text for word in command.args]
    texts = " ".join(words)
    if command.name in ("echo", "printf", "tee", "cat", "sed"):
        if _TRUSTED_SOURCE.search(texts):
            return "a sources line with `[trusted=yes]`"
        if _GPGCHECK_OFF.search(texts):
            return "`gpgcheck=0` for a repository"
        return None
    invocation = package_command(command)
    if invocation is None:
        if command.name == "rpm":
            flag = next((w for w in words if w in _OPTIONS["rpm"]), None)
            return f"`rpm {flag}`" if flag else None
        return None
    options = _OPTIONS.get(invocation.family, ())
    flag = next((w for w in words if w in options), None)
    if flag is not None:
        return f"`{invocation.manager} {flag}`"
    setting = next((w for w in words if w.startswith("--setopt=") and _GPGCHECK_OFF.search(w)), None)
    if setting is not None:
        return f"`{invocation.manager} {setting}`"
    if invocation.family == "apt":
        setting = next((w for w in words if _APT_SETTING_OFF.search(w)), None)
        if setting is not None:
            return f"`{invocation.manager} -o {setting}`"
    return None


class PackageSignatureCheckDisabled(Rule):
    """Packages installed without checking who signed them.

    **What.** ``apt-get`` with ``--allow-unauthenticated``, ``--force-yes``
    (which also allows it), ``--allow-insecure-repositories`` or ``-o
    APT::Get::AllowUnauthenticated=true``; a sources line written with
    ``[trusted=yes]``; ``apk add --allow-untrusted``; ``yum``/``dnf``/
    ``microdnf`` with ``--nogpgcheck`` or ``--setopt=gpgcheck=0``, and
    ``gpgcheck=0`` written (``echo``, ``printf``, ``sed``) into a ``.repo``
    file or ``yum.conf``; ``rpm --nosignature``
    (and ``--nodigest``, ``--noverify``, ``--nofiledigest``); ``zypper
    --no-gpg-checks``.

    **Why.** A package manager checks each package's signature against the
    keys the image trusts, so a mirror or anyone on the way cannot slip in
    another package. Without the check the image installs whatever it is
    handed, as root.

    **Not fixed** (report only): dropping the option makes the install fail
    where the package or repository really is unsigned or its key is not in
    the image. The repair is to add the signing key, then drop the option.
    """

    code = "DF409"
    name = "package-signature-check-disabled"
    summary = "package signature checks turned off"
    safety = Safety.NONE
    severity = "warning"

    valid = (
        Valid("FROM debian\nRUN apt-get update && apt-get install -y --no-install-recommends curl\n"),
        Valid("FROM alpine\nRUN apk add --no-cache curl\n"),
        Valid("FROM fedora\nRUN dnf install -y git\n"),
        Valid("FROM debian\nRUN echo 'deb [signed-by=/etc/apt/keyrings/x.gpg] https://x/ stable main' > /etc/apt/sources.list.d/x.list\n"),
    )
    invalid = (
        Invalid(
            "FROM debian\nRUN apt-get update && apt-get install -y --allow-unauthenticated curl\n",
            None,
            message="`apt-get --allow-unauthenticated` turns off the package signature check: the image installs "
                    "whatever package it is handed",
            line=2, column=23,
        ),
        Invalid("FROM ubuntu:14.04\nRUN apt-get install -y --force-yes curl\n", None, "--force-yes allows it too"),
        Invalid("FROM alpine\nRUN apk add --allow-untrusted /tmp/glibc-2.35-r0.apk\n"),
        Invalid("FROM centos:7\nRUN yum install -y --nogpgcheck epel-release\n"),
        Invalid("FROM centos:7\nRUN rpm -i --nosignature /tmp/tool.rpm\n"),
        Invalid("FROM debian\nRUN echo 'deb [trusted=yes] http://repo.example.com/ ./' > /etc/apt/sources.list.d/x.list\n"),
        Invalid(
            "FROM fedora\nRUN printf '[x]\\nbaseurl=https://x/\\ngpgcheck=0\\n' > /etc/yum.repos.d/x.repo\n",
            None, "gpgcheck=0 written into a .repo file",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view, command in context.shell_commands():
            spelled = _finding(command)
            if spelled is not None:
                yield self.diagnostic(
                    view.span(command.start, command.end),
                    f"{spelled} turns off the package signature check: the image installs whatever package it is "
                    "handed",
                    note=_NOTE,
                )
