"""The rule engine: rules, diagnostics, fixes applied to a verified fixpoint."""

from .context import Context
from .model import SEVERITIES, Diagnostic, Edit, FailedFix, Fix, FixPolicy, FixResult, Safety, Severity
from .registry import SelectorError, all_rules, rule_by_code, select
from .rule import Invalid, Rule, Valid
from .runner import MAX_ROUNDS, check, fix, make_rules, run_rules

__all__ = [
    "MAX_ROUNDS", "Context", "Diagnostic", "Edit", "FailedFix", "Fix", "FixPolicy", "FixResult", "Invalid", "Rule", "SelectorError",
    "SEVERITIES", "Safety", "Severity", "Valid", "all_rules", "check", "fix", "make_rules", "rule_by_code", "run_rules", "select",
]
