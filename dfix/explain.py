"""``dfix rule``: a rule explained from its own class (docstring and examples), or the table of all rules.

The rule's docstring and its valid/invalid examples are the documentation
(Fixit's manners, style.md), so this module only lays them out: rich on a
terminal, plain text when piped, JSON for tools.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from typing import IO, Callable

from rich.console import Console, Group
from rich.markdown import Markdown
from rich.panel import Panel
from rich.syntax import Syntax
from rich.table import Table
from rich.text import Text

from .engine import Rule, all_rules, catalogue, owner_of, rule_by_code

SAFETY_WORDS = {
    "safe": "safe: applied by --write; the built image behaves the same",
    "unsafe": "unsafe: applied only with --unsafe-fixes; may change what is installed or how it runs",
    "none": "none: reported only, no automatic fix",
}


def find_rule(key: str) -> type[Rule] | None:
    """The rule named exactly by code, name, alias or sub-code (``DF200``, ``apt-lists-not-removed``, ``SC2086``).

    None for a key that names no rule, or only one this version does not implement yet.
    """
    entry = catalogue().find(key)
    if entry is None and (owner := owner_of(key)) is not None:
        return rule_by_code(owner)  # a sub-code (SC2086) is explained by its rule (DF629)
    return rule_by_code(entry.code) if entry is not None and entry.implemented else None


def rule_as_dict(rule: type[Rule]) -> dict[str, object]:
    """Everything ``dfix rule`` shows, for ``--output-format json``."""
    return {
        "code": rule.code,
        "name": rule.name,
        "summary": rule.summary,
        "safety": str(rule.safety),
        "severity": rule.severity,
        "aliases": list(rule.aliases),
        "explanation": rule.explanation(),
        "options": {key: value for key, value in rule.options.items()},
        "valid": [{"code": example.code, "why": example.why, "options": dict(example.options)} for example in rule.valid],
        "invalid": [
            {"code": example.code, "expected": example.expected, "why": example.why, "unsafe": example.unsafe,
             "options": dict(example.options)}
            for example in rule.invalid
        ],
    }


def _dockerfile(code: str) -> Syntax:
    # Wrapped, never cropped: an example cut short would show a wrong fix.
    return Syntax(code.rstrip("\n") or " ", "docker", theme="ansi_dark", background_color="default", word_wrap=True)


def _title(example) -> str | None:
    """The example's note, with the options it runs under (a rule driven by configuration shows them)."""
    options = ", ".join(f"{key} = {value!r}" for key, value in example.options.items())
    parts = [part for part in (example.why, f"with {options}" if options else "") if part]
    return "; ".join(parts) or None


def _invalid_example(example) -> Panel:
    parts: list = [Text("before", style="bold red"), _dockerfile(example.code)]
    if example.expected is None:
        parts.append(Text("reported; no automatic fix here", style="dim"))
    else:
        label = "after (--unsafe-fixes)" if example.unsafe else "after"
        parts += [Text(label, style="bold green"), _dockerfile(example.expected)]
    return Panel(Group(*parts), title=_title(example), title_align="left", expand=True)


def print_rule(rule: type[Rule], console: Console) -> None:
    """What it finds, why, the fix and its safety, then its examples."""
    console.print(Text(f"{rule.code} {rule.name}", style="bold"))
    console.print(Text(rule.summary, style="italic"))
    console.print()
    console.print(Markdown(rule.explanation()))
    console.print()
    console.print(Text.assemble(("Fix safety: ", "bold"), SAFETY_WORDS.get(str(rule.safety), str(rule.safety))))
    console.print(Text.assemble(("Severity: ", "bold"), rule.severity))
    if rule.aliases:
        console.print(Text.assemble(("Aliases: ", "bold"), ", ".join(rule.aliases)))
    if rule.options:
        options = ", ".join(f"{key} = {value!r}" for key, value in rule.options.items())
        console.print(Text.assemble(("Options: ", "bold"), options))
    if rule.invalid:
        console.print()
        console.print(Text("Reported", style="bold underline"))
        for example in rule.invalid:
            console.print(_invalid_example(example))
    if rule.valid:
        console.print()
        console.print(Text("Left alone", style="bold underline"))
        for example in rule.valid:
            console.print(Panel(_dockerfile(example.code), title=_title(example), title_align="left"))


def print_rule_table(console: Console) -> None:
    """One row per rule: code, name, fix safety, aliases, summary."""
    table = Table(show_lines=False, header_style="bold")
    for column in ("Code", "Name", "Safety"):
        table.add_column(column, no_wrap=True)
    table.add_column("Aliases")
    table.add_column("Summary", overflow="fold", ratio=1)
    for rule in all_rules():
        table.add_row(rule.code, rule.name, str(rule.safety), ", ".join(rule.aliases), rule.summary)
    console.print(table)


_TRAILING_SPACE = re.compile(r"[ \t]+$", re.MULTILINE)


def render(draw: Callable[[Console], None], *, color: bool) -> str:
    """What ``draw`` prints, as text: ANSI-coloured or plain, at the terminal's width (100 when piped).

    Plain text loses the padding rich adds to fill the width, so piped
    output has no trailing blanks.
    """
    buffer = io.StringIO()
    width = shutil.get_terminal_size((100, 24)).columns if color else 100
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    draw(console)
    text = buffer.getvalue()
    return text if color else _TRAILING_SPACE.sub("", text)


def write_json(data: object, stream: IO[str]) -> None:
    stream.write(json.dumps(data, indent=2) + "\n")
