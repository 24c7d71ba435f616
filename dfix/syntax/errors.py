"""The one exception the parser raises: where BuildKit refuses a Dockerfile."""

from __future__ import annotations


class ParseError(ValueError):
    """BuildKit would refuse this file: ``path:line:col: message``.

    ``message`` is BuildKit's own error text (for an unterminated heredoc the
    marker is named after it); ``line`` and ``column`` are 1-based and point at
    the place to look.
    """

    def __init__(self, message: str, line: int, column: int = 1, path: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column
        self.path = path

    def with_path(self, path: str | None) -> "ParseError":
        """The same error, reported against ``path``."""
        return ParseError(self.message, self.line, self.column, path)

    def __str__(self) -> str:
        return f"{self.path or 'Dockerfile'}:{self.line}:{self.column}: {self.message}"

    def __reduce__(self):
        return (ParseError, (self.message, self.line, self.column, self.path))
