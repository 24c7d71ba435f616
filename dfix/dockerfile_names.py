"""Which file names are Dockerfiles: one list for discovery and for configuration's default ``include``.

Both need the answer and discovery also needs configuration, so the list lives
here, below both.
"""

from __future__ import annotations

import fnmatch

__all__ = ["DOCKERFILE_PATTERNS", "SKIPPED_SUFFIXES", "is_dockerfile_name"]

# Matched case-insensitively against the file name.
DOCKERFILE_PATTERNS = (
    "dockerfile", "dockerfile.*", "*.dockerfile", "containerfile", "containerfile.*", "*.containerfile",
)

# Names that match a pattern above but are templates, backups, ignore files or
# documentation next to a Dockerfile rather than a Dockerfile.
SKIPPED_SUFFIXES = (
    ".dockerignore", ".containerignore",
    ".in", ".j2", ".jinja", ".jinja2", ".tmpl", ".tpl", ".template", ".erb", ".orig", ".rej", ".bak", ".swp", "~",
    ".md", ".txt", ".rst", ".json", ".yaml", ".yml", ".sh", ".py", ".lock",
)


def is_dockerfile_name(name: str) -> bool:
    """Whether a file found while walking a folder should be checked, by its name alone."""
    lowered = name.lower()
    if not any(fnmatch.fnmatchcase(lowered, pattern) for pattern in DOCKERFILE_PATTERNS):
        return False
    return not lowered.endswith(SKIPPED_SUFFIXES)
