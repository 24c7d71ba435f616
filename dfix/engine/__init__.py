"""The rule engine: rules, diagnostics, fixes applied to a verified fixpoint.

This front is the rule API: everything a rule may use from the engine is
exported here (a contract test fails when a rule reaches past it).
"""

from .build_context import BuildContext, DockerIgnore
from .context import DEFAULT_SHELL, Context, StageInfo
from .effects import ACCOUNT_PATHS, ADDS_USER, SAME_IMAGE, ImageEffects
from .model import SEVERITIES, Diagnostic, Edit, FailedFix, Fix, FixPolicy, FixResult, Safety, Severity
from .catalogue import Catalogue, Entry, Resolution
from .registry import (
    RuleSet, SelectorError, all_rules, catalogue, default_rules, describe, owner_of, resolve, rule_by_code, select,
    subcode_filter, unavailable_notes, use_rule_packages,
)
from .subcodes import SubcodeFilter
from .rule import RULE_TAGS, Invalid, Rule, Valid
from .runner import MAX_ROUNDS, Unfinished, check, fix, fix_in_two_steps, make_rules, prepare_rules, run_rules

# What rules read beyond the core protocol: each RUN's view (its form, script, the guard
# that forbids a rewrite, its mounts), a stage's facts, and the file's suppression comments.
from .runs import (
    EMPTY, EXEC_FORM, HEREDOC, NON_POSIX_SHELL, ONBUILD_TRIGGER, POSIX_SHELLS, TRANSIENT_MOUNTS, Form, Guard,
    MountTarget, RunView, normal_path, program_name, under,
)
from .runscript import RunScript
from .suppress import ALL, Suppressions

__all__ = [
    "ACCOUNT_PATHS", "ADDS_USER", "SAME_IMAGE", "ImageEffects",
    "MAX_ROUNDS", "BuildContext", "Catalogue", "Context", "Diagnostic", "Edit", "Entry", "FailedFix", "Fix", "FixPolicy", "FixResult",
    "Invalid", "Resolution", "RULE_TAGS", "Rule", "RuleSet", "SelectorError", "SEVERITIES", "Safety", "Severity",
    "Valid", "all_rules", "catalogue", "check", "default_rules", "describe", "fix", "make_rules", "resolve",
    "owner_of", "prepare_rules", "rule_by_code", "run_rules", "select", "subcode_filter", "SubcodeFilter", "unavailable_notes",
    "use_rule_packages", "Unfinished", "fix_in_two_steps",
    "ALL", "DEFAULT_SHELL", "DockerIgnore", "EMPTY", "EXEC_FORM", "HEREDOC", "NON_POSIX_SHELL", "ONBUILD_TRIGGER", "POSIX_SHELLS", "TRANSIENT_MOUNTS",
    "Form", "Guard", "MountTarget", "RunScript", "RunView", "StageInfo", "Suppressions", "normal_path",
    "program_name", "under",
]
