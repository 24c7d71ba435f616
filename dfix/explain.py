"""``dfix rule``: a rule explained from its own class (docstring and examples), or the table of all rules.

The rule's docstring and its valid/invalid examples are the documentation
(Fixit's manners, style.md), so this module only lays them out: rich on a
terminal, plain text when piped or without colour, JSON for tools. Plain
text is laid out here, without rich: importing rich and rendering Markdown
and highlighted examples costs about ten times what the rest of ``dfix rule``
does, for colours nobody sees.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import textwrap
from typing import IO, TYPE_CHECKING, Callable

from .engine import Rule, all_rules, catalogue, owner_of, rule_by_code

if TYPE_CHECKING:
    from rich.console import Console
    from rich.panel import Panel
    from rich.syntax import Syntax

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
    from rich.syntax import Syntax

    # Wrapped, never cropped: an example cut short would show a wrong fix.
    return Syntax(code.rstrip("\n") or " ", "docker", theme="ansi_dark", background_color="default", word_wrap=True)


def _title(example) -> str | None:
    """The example's note, with the options it runs under (a rule driven by configuration shows them)."""
    options = ", ".join(f"{key} = {value!r}" for key, value in example.options.items())
    parts = [part for part in (example.why, f"with {options}" if options else "") if part]
    return "; ".join(parts) or None


def _invalid_example(example) -> Panel:
    from rich.console import Group
    from rich.panel import Panel
    from rich.text import Text

    parts: list = [Text("before", style="bold red"), _dockerfile(example.code)]
    if example.expected is None:
        parts.append(Text("reported; no automatic fix here", style="dim"))
    else:
        label = "after (--unsafe-fixes)" if example.unsafe else "after"
        parts += [Text(label, style="bold green"), _dockerfile(example.expected)]
    return Panel(Group(*parts), title=_title(example), title_align="left", expand=True)


def print_rule(rule: type[Rule], console: Console) -> None:
    """What it finds, why, the fix and its safety, then its examples."""
    from rich.markdown import Markdown
    from rich.panel import Panel
    from rich.text import Text

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
    from rich.table import Table

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
    from rich.console import Console

    buffer = io.StringIO()
    width = shutil.get_terminal_size((100, 24)).columns if color else 100
    console = Console(file=buffer, force_terminal=color, no_color=not color, width=width, highlight=False)
    draw(console)
    text = buffer.getvalue()
    return text if color else _TRAILING_SPACE.sub("", text)


#: Inline code and strong emphasis in a docstring (``apt-get``, `apt-get`, **Fix.**): plain text shows the words alone.
_INLINE_MARKUP = re.compile(r"(`+|\*\*)(.+?)\1", re.DOTALL)
#: A docstring line that starts a list item or a block: kept as written, never joined to the line before.
_BLOCK_LINE = re.compile(r"\s|[-*+] |\d+[.)] |#|>|\|")
#: The width plain text is wrapped at, as rich's piped output.
_PLAIN_WIDTH = 100


def _plain_paragraph(paragraph: str) -> str:
    """A docstring paragraph as plain text: prose re-wrapped, lists and blocks kept line for line."""
    paragraph = _INLINE_MARKUP.sub(lambda match: match.group(2), paragraph)
    if any(_BLOCK_LINE.match(line) for line in paragraph.splitlines()):
        return "\n".join(line.rstrip() for line in paragraph.splitlines())
    return textwrap.fill(" ".join(paragraph.split()), _PLAIN_WIDTH, break_on_hyphens=False, break_long_words=False)


def _plain_example(code: str) -> list[str]:
    return ["    " + line if line.strip() else "" for line in code.rstrip("\n").splitlines()] or [""]


def plain_rule(rule: type[Rule]) -> str:
    """What :func:`print_rule` shows, as plain text (no colour, no boxes), with no trailing blanks."""
    lines = [f"{rule.code} {rule.name}", rule.summary, ""]
    for paragraph in re.split(r"\n\s*\n", rule.explanation()):
        lines += [_plain_paragraph(paragraph), ""]
    lines.append(f"Fix safety: {SAFETY_WORDS.get(str(rule.safety), str(rule.safety))}")
    lines.append(f"Severity: {rule.severity}")
    if rule.aliases:
        lines.append(f"Aliases: {', '.join(rule.aliases)}")
    if rule.options:
        lines.append("Options: " + ", ".join(f"{key} = {value!r}" for key, value in rule.options.items()))
    if rule.invalid:
        lines += ["", "Reported"]
        for example in rule.invalid:
            lines += ["", *([f"  {title}"] if (title := _title(example)) else []), "  before", *_plain_example(example.code)]
            if example.expected is None:
                lines.append("  reported; no automatic fix here")
            else:
                lines += ["  after (--unsafe-fixes)" if example.unsafe else "  after", *_plain_example(example.expected)]
    if rule.valid:
        lines += ["", "Left alone"]
        for example in rule.valid:
            lines += ["", *([f"  {title}"] if (title := _title(example)) else []), *_plain_example(example.code)]
    return "\n".join(line.rstrip() for line in lines) + "\n"


def write_json(data: object, stream: IO[str]) -> None:
    stream.write(json.dumps(data, indent=2) + "\n")
