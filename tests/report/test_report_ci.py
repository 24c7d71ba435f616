"""``github`` workflow commands and the ``gitlab`` Code Quality report."""

from __future__ import annotations

import json
import re

from dfix.report import GITHUB_ANNOTATION_CAP, render
from dfix.report.ci import escape_data, escape_property, render_github
from dfix.results import FileResult

from .support import TWO_FINDINGS, checked, report_results, synthetic

COMMAND = re.compile(r"^::(?P<kind>error|warning|notice) (?P<props>[^:]*)::(?P<data>.*)$")


def parse_command(line: str) -> tuple[str, dict[str, str], str]:
    match = COMMAND.match(line)
    assert match, line
    props = dict(item.split("=", 1) for item in match["props"].split(","))
    return match["kind"], props, match["data"]


# -- GitHub ------------------------------------------------------------------------


def test_github_one_command_per_finding() -> None:
    lines = render(report_results(), "github").splitlines()
    assert len(lines) == 6
    kind, props, data = parse_command(lines[0])
    assert kind == "warning"
    assert props == {
        "file": "Dockerfile", "line": "2", "col": "23", "endLine": "2", "endColumn": "43", "title": "dfix (DF201)",
    }
    assert data.startswith("`apt-get install` without `-y` waits for a confirmation no build can give")
    assert "%0AFixable with `dfix --write`: add `-y`" in data
    kind, props, data = parse_command(lines[4])
    assert kind == "error" and props["title"] == "dfix (DF000)" and props["file"] == "broken/Dockerfile"
    assert data.startswith("unterminated heredoc <<EOF")
    kind, props, _ = parse_command(lines[5])
    assert kind == "error" and props["file"] == "locked/Dockerfile" and props["line"] == "1"


def test_github_severity_mapping() -> None:
    text = "FROM debian\nRUN echo e\nRUN echo w\nRUN echo i\nRUN echo s\n"
    diagnostics = tuple(
        synthetic(text, needle, severity=severity, safety=None)
        for needle, severity in (("echo e", "error"), ("echo w", "warning"), ("echo i", "info"), ("echo s", "style"))
    )
    lines = render([FileResult("Dockerfile", text, text, diagnostics)], "github").splitlines()
    assert [parse_command(line)[0] for line in lines] == ["error", "warning", "notice", "notice"]


def test_github_escaping() -> None:
    assert escape_data("100% done\r\nnext") == "100%25 done%0D%0Anext"
    assert escape_property("a,b:c%\n") == "a%2Cb%3Ac%25%0A"
    text = "FROM debian\nRUN echo hi\n"
    diagnostic = synthetic(text, "echo hi", safety=None, message="50% of a\nb, c: d", note="more")
    out = render([FileResult("dir,x:y/Dockerfile", text, text, (diagnostic,))], "github")
    assert out.count("\n") == 1
    kind, props, data = parse_command(out.rstrip("\n"))
    assert props["file"] == "dir%2Cx%3Ay/Dockerfile"
    assert data == "50%25 of a%0Ab, c: d (synthetic-rule)%0Amore"


def test_github_paths_relative_to_root(tmp_path) -> None:
    path = str(tmp_path / "svc" / "Dockerfile")
    out = render([checked(path, TWO_FINDINGS)], "github", root=tmp_path)
    assert parse_command(out.splitlines()[0])[1]["file"] == "svc/Dockerfile"


def test_github_caps_annotations_and_counts_the_rest() -> None:
    text = "FROM debian\n" + "".join(f"RUN apt-get install pkg{i}\n" for i in range(60))
    result = checked("Dockerfile", text)
    assert len(result.diagnostics) == 60
    error_text = "FROM debian\nRUN <<EOF\n"
    broken = checked("z/Dockerfile", error_text)  # listed last, but an error: it must not be cut
    lines = render([result, broken], "github").splitlines()
    assert len(lines) == GITHUB_ANNOTATION_CAP + 1
    assert sum(line.startswith("::error ") for line in lines) == 1
    kind, props, data = parse_command(lines[-1])
    assert kind == "notice" and props == {"title": "dfix"}
    assert data.startswith(f"11 more dfix findings not annotated (annotation cap {GITHUB_ANNOTATION_CAP})")
    # annotations keep file order
    numbers = [int(parse_command(line)[1]["line"]) for line in lines[:-2]]
    assert numbers == sorted(numbers)
    small = render_github([result], cap=3).splitlines()
    assert len(small) == 4 and "57 more dfix findings" in small[-1]


# -- GitLab ------------------------------------------------------------------------


def gitlab(results, **options) -> list[dict]:
    return json.loads(render(results, "gitlab", **options))


def test_gitlab_fields() -> None:
    report = gitlab(report_results())
    assert len(report) == 6
    first = report[0]
    assert first["check_name"] == "DF201"
    assert first["description"] == (
        "DF201 apt-get-missing-yes: `apt-get install` without `-y` waits for a confirmation no build can give"
    )
    assert first["severity"] == "major"
    assert first["location"] == {"path": "Dockerfile", "lines": {"begin": 2, "end": 2}}
    assert re.fullmatch(r"[0-9a-f]{64}", first["fingerprint"])
    assert [item["severity"] for item in report[4:]] == ["critical", "critical"]
    assert len({item["fingerprint"] for item in report}) == len(report)


def test_gitlab_severity_mapping() -> None:
    text = "FROM debian\nRUN echo e\nRUN echo w\nRUN echo i\nRUN echo s\n"
    diagnostics = tuple(
        synthetic(text, needle, severity=severity, safety=None)
        for needle, severity in (("echo e", "error"), ("echo w", "warning"), ("echo i", "info"), ("echo s", "style"))
    )
    report = gitlab([FileResult("Dockerfile", text, text, diagnostics)])
    assert [item["severity"] for item in report] == ["critical", "major", "minor", "info"]


def test_gitlab_fingerprints_survive_line_shifts() -> None:
    before = gitlab([checked("Dockerfile", TWO_FINDINGS)])
    shifted = TWO_FINDINGS.replace("FROM debian:12\n", "FROM debian:12\n\n\n\n# apt\n", 1)
    after = gitlab([checked("Dockerfile", "\n\n" + shifted)])
    assert [item["location"]["lines"]["begin"] for item in before] == [2, 4]
    assert [item["location"]["lines"]["begin"] for item in after] == [8, 10]
    assert [item["fingerprint"] for item in after] == [item["fingerprint"] for item in before]


def test_gitlab_fingerprints_change_with_path_code_or_instruction() -> None:
    base = gitlab([checked("Dockerfile", TWO_FINDINGS)])[0]["fingerprint"]
    assert gitlab([checked("other/Dockerfile", TWO_FINDINGS)])[0]["fingerprint"] != base
    changed = TWO_FINDINGS.replace("install curl", "install wget")
    assert gitlab([checked("Dockerfile", changed)])[0]["fingerprint"] != base
    # only whitespace inside the instruction changed: same fingerprint
    spaced = TWO_FINDINGS.replace("RUN apt-get update && apt-get install curl", "RUN  apt-get update &&   apt-get install curl")
    assert gitlab([checked("Dockerfile", spaced)])[0]["fingerprint"] == base


def test_gitlab_identical_findings_get_distinct_stable_fingerprints() -> None:
    text = "FROM debian\nRUN apt-get install curl\nRUN apt-get install curl\n"
    report = gitlab([checked("Dockerfile", text)])
    assert len(report) == 2 and report[0]["fingerprint"] != report[1]["fingerprint"]
    again = gitlab([checked("Dockerfile", "\n" + text)])
    assert [item["fingerprint"] for item in again] == [item["fingerprint"] for item in report]


def test_gitlab_paths_relative_to_root(tmp_path) -> None:
    path = str(tmp_path / "svc" / "Dockerfile")
    assert gitlab([checked(path, TWO_FINDINGS)], root=tmp_path)[0]["location"]["path"] == "svc/Dockerfile"
    assert gitlab([checked("./svc/Dockerfile", TWO_FINDINGS)])[0]["location"]["path"] == "svc/Dockerfile"


def test_gitlab_fingerprint_equals_sarif_partial_fingerprint() -> None:
    from dfix.report import sarif_log

    results = report_results()
    sarif = [r["partialFingerprints"]["dfix/v1"] for r in sarif_log(results)["runs"][0]["results"]]
    assert [item["fingerprint"] for item in gitlab(results)] == sarif
