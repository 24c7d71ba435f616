"""The one error of the registry package."""

from __future__ import annotations


class RegistryError(Exception):
    """A lookup that could not be answered; ``str()`` is a one-line, user-facing reason.

    ``kind`` says what went wrong, for callers that word it differently:
    ``offline`` (not cached and network use is off), ``network`` (no answer),
    ``tls`` (HTTPS failed, e.g. a plain-HTTP registry not marked insecure),
    ``auth`` (401/403), ``not-found`` (404), ``rate-limit`` (429), ``protocol``
    (an answer dfix cannot use), ``reference`` (an image name no registry serves).
    """

    def __init__(self, message: str, kind: str = "network") -> None:
        super().__init__(message)
        self.kind = kind

    @property
    def message(self) -> str:
        return str(self)
