"""The rule engine: rules, diagnostics, fixes applied to a verified fixpoint."""

from .context import Context
from .model import Diagnostic, Edit, FailedFix, Fix, FixResult, Safety
from .registry import SelectorError, all_rules, rule_by_code, select
from .rule import Invalid, Rule, Valid
from .runner import MAX_ROUNDS, check, fix, make_rules, run_rules

__all__ = [
    "MAX_ROUNDS", "Context", "Diagnostic", "Edit", "FailedFix", "Fix", "FixResult", "Invalid", "Rule", "SelectorError",
    "Safety", "Valid", "all_rules", "check", "fix", "make_rules", "rule_by_code", "run_rules", "select",
]
