"""DF618 onbuild-invalid-trigger: ``ONBUILD ONBUILD``, ``ONBUILD FROM``, ``ONBUILD MAINTAINER``."""

from __future__ import annotations

from dfix.engine import Invalid, Valid
from dfix.syntax import RefusalKind

from ._refusals import RefusalRule


class OnbuildInvalidTrigger(RefusalRule):
    """Report ONBUILD triggers BuildKit refuses: another ``ONBUILD``, ``FROM`` or ``MAINTAINER``.

    A trigger runs at the start of a later build that uses this image as its
    base; BuildKit does not allow a trigger that would chain further
    triggers or start a stage there, and refuses the file itself with
    "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed" or "FROM isn't
    allowed as an ONBUILD trigger". An error, reported at the ONBUILD line with
    BuildKit's message; no fix (what the trigger was meant to do is the
    author's to say), and like every refusal the file is not fixed otherwise.
    """

    code = "DF618"
    name = "onbuild-invalid-trigger"
    summary = "an `ONBUILD` trigger BuildKit refuses (`ONBUILD`, `FROM`, `MAINTAINER`)"
    aliases = ("DL3043",)
    kinds = frozenset({RefusalKind.ONBUILD_TRIGGER})

    valid = (
        Valid("FROM debian\nONBUILD RUN make\nONBUILD COPY . /src\n"),
        Valid("FROM debian\nonbuild run make\n"),
    )
    invalid = (
        Invalid("FROM debian\nONBUILD ONBUILD RUN make\n", None, message="Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed",
                line=2, column=1),
        Invalid("FROM debian\nONBUILD FROM alpine\n", None, message="FROM isn't allowed as an ONBUILD trigger"),
        Invalid("FROM debian\nonbuild maintainer me\n", None, message="MAINTAINER isn't allowed as an ONBUILD trigger"),
    )
