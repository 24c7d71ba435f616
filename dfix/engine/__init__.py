"""The rule engine: rules, diagnostics, fixes applied to a verified fixpoint."""

from .context import Context
from .model import SEVERITIES, Diagnostic, Edit, FailedFix, Fix, FixPolicy, FixResult, Safety, Severity
from .catalogue import Catalogue, Entry, Resolution
from .registry import (
    RuleSet, SelectorError, all_rules, catalogue, default_rules, describe, resolve, rule_by_code, select,
    use_rule_packages,
)
from .rule import RULE_TAGS, Invalid, Rule, Valid
from .runner import MAX_ROUNDS, check, fix, make_rules, run_rules

# What rules use beyond the core protocol: the shells a RUN can be edited under,
# a stage's facts, a RUN's editable script, and the file's suppression comments.
from .context import POSIX_SHELLS, StageInfo
from .runscript import RunScript
from .suppress import ALL, Suppressions

__all__ = [
    "MAX_ROUNDS", "Catalogue", "Context", "Diagnostic", "Edit", "Entry", "FailedFix", "Fix", "FixPolicy", "FixResult",
    "Invalid", "Resolution", "RULE_TAGS", "Rule", "RuleSet", "SelectorError", "SEVERITIES", "Safety", "Severity",
    "Valid", "all_rules", "catalogue", "check", "default_rules", "describe", "fix", "make_rules", "resolve",
    "rule_by_code", "run_rules", "select", "use_rule_packages",
    "ALL", "POSIX_SHELLS", "RunScript", "StageInfo", "Suppressions",
]
