"""The rule engine: rules, diagnostics, fixes applied to a verified fixpoint."""

from .context import Context
from .model import SEVERITIES, Diagnostic, Edit, FailedFix, Fix, FixPolicy, FixResult, Safety, Severity
from .registry import SelectorError, all_rules, rule_by_code, select
from .rule import Invalid, Rule, Valid
from .runner import MAX_ROUNDS, check, fix, make_rules, run_rules

# What rules use beyond the core protocol: the shells a RUN can be edited under,
# a stage's facts, a RUN's editable script, and the file's suppression comments.
from .context import POSIX_SHELLS, StageInfo
from .runscript import RunScript
from .suppress import ALL, Suppressions

__all__ = [
    "MAX_ROUNDS", "Context", "Diagnostic", "Edit", "FailedFix", "Fix", "FixPolicy", "FixResult", "Invalid", "Rule",
    "SelectorError", "SEVERITIES", "Safety", "Severity", "Valid", "all_rules", "check", "fix", "make_rules",
    "rule_by_code", "run_rules", "select",
    "ALL", "POSIX_SHELLS", "RunScript", "StageInfo", "Suppressions",
]
