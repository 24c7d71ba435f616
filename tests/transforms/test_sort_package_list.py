"""DF624 sort-package-list: its options, and the layout promises checked over generated lists.

The rule's own examples cover the default behaviour; these tests cover what
examples cannot say: the two options (``sort-within-lines``,
``sort-one-line``), and, for any one-package-a-line list with comment lines,
blank continuation lines and duplicates, that the fix sorts each section on
its own, removes exactly the later copies, and moves no line ending.
"""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

import dfix
from dfix.engine import all_rules


def fix(text: str, **options: object) -> str:
    result = dfix.fix(text, select=["DF624"], settings={"DF624": dict(options)} if options else None)
    assert result.failed == ()
    again = dfix.fix(result.text, select=["DF624"], settings={"DF624": dict(options)} if options else None)
    assert again.text == result.text, "a second pass must change nothing"
    return result.text


def reported(text: str, **options: object) -> list[str]:
    settings = {"DF624": dict(options)} if options else None
    return [d.message for d in dfix.check(text, select=["DF624"], settings=settings) if d.code == "DF624"]


GROUPED = (
    "FROM debian\nRUN apt-get install -y \\\n"
    "    python3-pip python3-dev python3 \\\n"
    "    libxslt1-dev libxml2-dev \\\n"
    "    zlib1g \\\n"
    "    curl\n"
)
ONE_LINE = "FROM debian\nRUN apt-get install -y dpkg-dev dpkg curl\n"


def test_both_options_are_off_by_default() -> None:
    (rule,) = [r for r in all_rules() if r.code == "DF624"]
    assert rule.options == {"sort-within-lines": False, "sort-one-line": False, "min-in-order-percent": 75}
    assert fix(GROUPED) == GROUPED and reported(GROUPED) == []
    assert fix(ONE_LINE) == ONE_LINE and reported(ONE_LINE) == []


def test_sort_within_lines_sorts_each_grouped_line_in_place() -> None:
    assert fix(GROUPED, **{"sort-within-lines": True}) == (
        "FROM debian\nRUN apt-get install -y \\\n"
        "    python3 python3-dev python3-pip \\\n"
        "    libxml2-dev libxslt1-dev \\\n"
        "    zlib1g \\\n"
        "    curl\n"
    ), "the single lines of a mixed section keep their order: only the words inside each line move"


def test_sort_within_lines_leaves_one_line_lists_to_the_other_option() -> None:
    assert fix(ONE_LINE, **{"sort-within-lines": True}) == ONE_LINE


def test_sort_one_line_sorts_a_list_on_one_line_between_its_anchors() -> None:
    text = "FROM debian\nRUN apt-get install -y wget curl $EXTRA unzip git && true\n"
    assert fix(text, **{"sort-one-line": True}) == (
        "FROM debian\nRUN apt-get install -y curl wget $EXTRA git unzip && true\n"
    )
    assert fix(ONE_LINE, **{"sort-one-line": True}) == "FROM debian\nRUN apt-get install -y curl dpkg dpkg-dev\n"


def test_sort_one_line_does_not_touch_grouped_lines_of_a_longer_list() -> None:
    assert fix(GROUPED, **{"sort-one-line": True}) == GROUPED


def test_duplicates_are_removed_whatever_the_options() -> None:
    text = "FROM debian\nRUN apt-get install -y \\\n    git make git \\\n    curl \\\n    make\n"
    expected = "FROM debian\nRUN apt-get install -y \\\n    git make \\\n    curl\n"
    assert fix(text) == expected
    assert fix(text, **{"sort-within-lines": True}) == expected


def test_a_duplicate_after_a_comment_line_that_ends_the_list_is_reported_only() -> None:
    text = "FROM debian\nRUN apt-get install -y \\\n    curl \\\n    # again\n    curl\n"
    assert fix(text) == text
    (message,) = reported(text)
    assert "duplicate `curl`" in message


# -- generated one-package-a-line lists ------------------------------------------------------------

NAMES = st.sampled_from(["curl", "git", "make", "gcc", "zlib1g", "ca-certificates", "libssl-dev", "g++", "wget"])
ENDINGS = st.sampled_from([" \\", "\\", " \\ ", "\t\\"])  # padding to a column is tested in the examples
SEPARATORS = st.sampled_from(["    # a comment", "", "    \\"])


@st.composite
def sectioned_lists(draw: st.DrawFn) -> list[list[tuple[str, str]]]:
    """Sections of (package, line ending) pairs; the caller joins them with separator lines."""
    return draw(st.lists(st.lists(st.tuples(NAMES, ENDINGS), min_size=1, max_size=6), min_size=1, max_size=3))


@settings(max_examples=150, deadline=None)
@given(sections=sectioned_lists(), separator=SEPARATORS)
def test_each_section_is_sorted_apart_and_lines_keep_their_endings(
    sections: list[list[tuple[str, str]]], separator: str
) -> None:
    lines: list[str] = []
    for index, section in enumerate(sections):
        if index:
            lines.append(separator)
        lines += [f"    {name}{ending}" for name, ending in section]
    text = "FROM debian\nRUN apt-get install -y \\\n" + "\n".join(lines) + "\n    && true\n"
    fixed = fix(text, **{"min-in-order-percent": 0})  # every section sorted, whatever its share in order
    dfix.parse(fixed)

    seen: set[str] = set()
    wanted: list[list[str]] = []
    for section in sections:
        kept = [name for name, _ in section if name not in seen]
        seen.update(kept)
        wanted.append(sorted(dict.fromkeys(kept)))
    body = fixed.split("\n")[2:-2]
    got: list[list[str]] = [[]]
    endings: list[str] = []
    for line in body:
        if line == separator:
            got.append([])
            continue
        word = line.strip().rstrip("\\").strip()
        got[-1].append(word)
        endings.append(line[len("    ") + len(word):])
    assert [g for g in got if g] == [w for w in wanted if w], "each section sorted on its own, later copies gone"
    original_endings = [ending for section in sections for _, ending in section]
    if original_endings and len(endings) == len(original_endings):
        assert endings == original_endings, "without duplicates, every line keeps its own ending"


#: Seven packages, five of the six neighbours in order: one slipped out of a sorted list.
SLIPPED = "FROM debian\nRUN apt-get install -y \\\n    bzip2 \\\n    curl \\\n    git \\\n    jq \\\n    less \\\n    unzip \\\n    file\n"
#: Seven packages, tools then libraries: half of the neighbours in order.
IN_GROUPS = "FROM debian\nRUN apt-get install -y \\\n    curl \\\n    git \\\n    unzip \\\n    wget \\\n    libxext6 \\\n    libc6 \\\n    libssl3\n"


def test_a_long_list_nearly_in_order_is_sorted() -> None:
    assert fix(SLIPPED) == SLIPPED.replace("    bzip2 \\\n    curl \\\n", "    bzip2 \\\n    curl \\\n    file \\\n").replace(
        "    unzip \\\n    file\n", "    unzip\n"
    )


def test_a_long_list_in_the_authors_groups_is_left_alone_and_not_reported() -> None:
    assert fix(IN_GROUPS) == IN_GROUPS and reported(IN_GROUPS) == []


def test_the_share_in_order_is_an_option() -> None:
    assert fix(IN_GROUPS, **{"min-in-order-percent": 0}) != IN_GROUPS
    assert fix(SLIPPED, **{"min-in-order-percent": 100}) == SLIPPED
