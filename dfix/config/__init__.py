"""Configuration: finding, reading and validating dfix's settings.

* :mod:`.resolver`: which file applies to a Dockerfile (closest file,
  ``extend`` chains, the user-level file, ``--config``/``--isolated``);
* :mod:`.schema`: every key and its validation, one document at a time;
* :mod:`.settings`: :class:`Settings`, the effective settings of one file;
* :mod:`.selection`: which rules run and may fix, read through the engine's
  catalogue;
* :mod:`.globs` and :mod:`.versions`: gitignore-style globs (pathspec) and
  ``required-version`` (packaging).
"""

from __future__ import annotations

from .errors import ConfigError
from .globs import anchor_glob
from .resolver import CONFIG_FILE_NAMES, ConfigResolver, user_config_path
from .schema import (
    CONFIG_KEYS, FAIL_ON_LEVELS, FOREIGN_SUPPRESSION_DIALECTS, NETWORK_MODES,
    NOT_AVAILABLE_YET, OUTPUT_FORMATS, SEVERITY_LEVELS, available_output_formats, load_config_text, parse_per_file_ignores,
    parse_severity_overrides,
)
from .selection import Selection, resolve_selector, resolve_selectors
from .settings import DEFAULT_FIX_TIME_BUDGET, DEFAULT_MAX_FILE_SIZE, Settings, default_settings
from .versions import version_satisfies

__all__ = [
    "CONFIG_FILE_NAMES", "CONFIG_KEYS", "DEFAULT_FIX_TIME_BUDGET", "DEFAULT_MAX_FILE_SIZE", "ConfigError", "ConfigResolver", "FAIL_ON_LEVELS",
    "FOREIGN_SUPPRESSION_DIALECTS", "NETWORK_MODES", "NOT_AVAILABLE_YET", "OUTPUT_FORMATS", "SEVERITY_LEVELS",
    "Selection", "Settings", "anchor_glob", "available_output_formats", "default_settings", "load_config_text", "parse_per_file_ignores",
    "parse_severity_overrides", "resolve_selector", "resolve_selectors", "user_config_path", "version_satisfies",
]
