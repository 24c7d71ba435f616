"""The shell layer: what a RUN body does, read with tree-sitter-bash.

RUN bodies are shell, and everyday ones are full of quotes, ``$(...)``,
``if``/``for``, subshells, ``sudo``, ``env X=1``, ``set -eux;`` prefixes and
trailing comments, so dfix never splits them on ``&&``.  This package turns
the logical script text (what BuildKit hands to ``/bin/sh -c``) into:

* `analyze` → `ShellScript`: every `SimpleCommand` wherever it sits (with
  wrappers like ``sudo``/``env`` seen through, its words with spans and
  values, its `Context`), the flattened top-level list (`ListItem` with
  separators) for fixes that append to a RUN, comments, ``errexit`` and
  chaining style;
* `package_commands` → `PackageCommand`: apt/apk/rpm/zypper/pip/npm/yarn/
  pnpm/gem invocations with action, options (and their arguments) and
  package words, plus matchers (`is_install`, `has_option` ...);
* `state_effects`: the shell state a script leaks (``cd``, ``export``,
  ``set``, ``exit``, background jobs, a trailing comment ...), which RUN
  merges must isolate or refuse.

Modules: `parse` (tree-sitter, byte→str offsets), `words`, `options`,
`wrappers`, `commands` (the model types), `analysis` (tree → model),
`packages`, `effects`, and `shellcheck` (running the optional ShellCheck
binary over many scripts at once).  All offsets are `str` offsets into the script;
mapping them to the Dockerfile's physical lines is the syntax layer's job.
Nothing here imports from above ``dfix.shell``.
"""

from dfix.shell.analysis import analyze, read_once, scripts_kept, simple_commands
from dfix.shell.commands import (
    CHILD_SHELL,
    CONDITIONAL,
    TOP_LEVEL,
    Assignment,
    Comment,
    Context,
    ListItem,
    Redirect,
    Separator,
    ShellScript,
    SimpleCommand,
)
from dfix.shell.effects import ISOLATABLE_EFFECTS, Effect, state_effects
from dfix.shell.options import Option, OptionGrammar, find_option, iter_arguments
from dfix.shell.packages import (
    MANAGERS,
    Action,
    PackageCommand,
    PackageSpec,
    flag_count,
    has_option,
    is_clean,
    is_install,
    is_refresh,
    is_remove,
    is_upgrade,
    option_values,
    package_command,
    package_commands,
    package_spec,
)
from dfix.shell.parse import ShellTree, parse_shell
from dfix.shell.shellcheck import (
    SHELLCHECK_DIALECTS,
    DiskResults,
    ShellCheckComment,
    ShellCheckError,
    find_shellcheck,
    run_shellcheck,
)
from dfix.shell.words import Word
from dfix.shell.wrappers import Wrapper

__all__ = [
    "Action",
    "Assignment",
    "CHILD_SHELL",
    "CONDITIONAL",
    "Comment",
    "Context",
    "Effect",
    "ISOLATABLE_EFFECTS",
    "ListItem",
    "MANAGERS",
    "Option",
    "OptionGrammar",
    "PackageCommand",
    "PackageSpec",
    "Redirect",
    "Separator",
    "ShellScript",
    "ShellTree",
    "SHELLCHECK_DIALECTS",
    "ShellCheckComment",
    "ShellCheckError",
    "SimpleCommand",
    "TOP_LEVEL",
    "Word",
    "Wrapper",
    "analyze",
    "read_once",
    "scripts_kept",
    "find_option",
    "flag_count",
    "has_option",
    "is_clean",
    "is_install",
    "is_refresh",
    "is_remove",
    "is_upgrade",
    "iter_arguments",
    "option_values",
    "package_command",
    "package_commands",
    "package_spec",
    "parse_shell",
    "find_shellcheck",
    "run_shellcheck",
    "DiskResults",
    "simple_commands",
    "state_effects",
]
