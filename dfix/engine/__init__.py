"""The rule engine: rules, diagnostics, fixes applied to a verified fixpoint."""

from .context import Context
from .model import Diagnostic, Edit, FailedFix, Fix, FixResult, Safety
from .catalogue import Catalogue, Entry, Resolution
from .registry import (
    RuleSet, SelectorError, all_rules, catalogue, default_rules, describe, resolve, rule_by_code, select,
    use_rule_packages,
)
from .rule import RULE_TAGS, Invalid, Rule, Valid
from .runner import check, fix, make_rules, run_rules

__all__ = [
    "Catalogue", "Context", "Diagnostic", "Edit", "Entry", "FailedFix", "Fix", "FixResult", "Invalid", "Resolution",
    "RULE_TAGS", "Rule", "RuleSet", "SelectorError", "Safety", "Valid", "all_rules", "catalogue", "check", "default_rules",
    "describe", "fix", "make_rules", "resolve", "rule_by_code", "run_rules", "select", "use_rule_packages",
]
