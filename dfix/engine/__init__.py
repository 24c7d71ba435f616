"""The rule engine: rules, diagnostics, fixes applied to a verified fixpoint."""

from .context import Context, StageInfo
from .model import Diagnostic, Edit, FailedFix, Fix, FixResult, Safety
from .registry import SelectorError, all_rules, rule_by_code, select
from .rule import Invalid, Rule, Valid
from .runner import check, fix, make_rules, run_rules
from .runs import (
    EMPTY, EXEC_FORM, HEREDOC, NON_POSIX_SHELL, ONBUILD_TRIGGER, POSIX_SHELLS, TRANSIENT_MOUNTS, Form, Guard,
    MountTarget, RunView, normal_path, program_name, under,
)
from .runscript import RunScript
from .suppress import ALL, Suppressions

__all__ = [
    "Context", "Diagnostic", "Edit", "FailedFix", "Fix", "FixResult", "Invalid", "Rule", "SelectorError",
    "Safety", "Valid", "all_rules", "check", "fix", "make_rules", "rule_by_code", "run_rules", "select",
    "ALL", "EMPTY", "EXEC_FORM", "HEREDOC", "NON_POSIX_SHELL", "ONBUILD_TRIGGER", "POSIX_SHELLS", "TRANSIENT_MOUNTS",
    "Form", "Guard", "MountTarget", "RunScript", "RunView", "StageInfo", "Suppressions", "normal_path",
    "program_name", "under",
]
