"""dfix's BuildKit view against BuildKit's own parser, on every corpus file.

The oracle is PyPI's ``dockerfile`` (BuildKit v0.12.5's Go parser). With
``buildkit="0.12.5"``, ``Dockerfile.buildkit_commands()`` must equal the
binding's commands on every file the binding can take (valid UTF-8, no NUL),
after the binding's documented artefacts are applied (syntax.md §6.4, see
``support.binding_shape``), and ``ParseError`` must be raised exactly where
the binding raises ``GoParseError``, with the same message.

With the default dialect (current BuildKit), every difference from the
binding must be one of syntax.md §10's, and the differences the corpora hold
are listed below one by one, so a new or a vanished one fails the test.
"""

from __future__ import annotations

import pytest

from conftest import NO_CORPUS_REASON, corpus_root

from .support import (
    Rejected, corpus_oracle, corpus_text, count, explain_latest, first_difference, group_params, needs_binding, summary,
)

pytestmark = [pytest.mark.corpus, needs_binding]

ROOT = corpus_root()

#: Every place in the corpora where current BuildKit (dfix's default) reads a
#: file differently from v0.12.5 (the binding): ``{path: {line: kind}}``.
#: All are §10's "JSON form" row: v0.12.5 takes the leading JSON array and
#: ignores the text after it (a shell comment, a second array, `|| exit 1`);
#: current BuildKit requires the whole rest to be the array, so it falls back
#: to shell form (a string, or for VOLUME the whitespace-split words).
EXPECTED_LATEST_DIFFERENCES: dict[str, dict[int, str]] = {
    # CMD ["webserver"] # set default arg for entrypoint
    "dockerhub-dev/d/dafrenchyman/docker-airflow/Dockerfile": {108: "json-trailing-text"},
    "dockerhub-dev/j/jedieng/docker-airflow/Dockerfile": {86: "json-trailing-text"},
    "dockerhub-dev/p/puckel/docker-airflow/Dockerfile": {83: "json-trailing-text"},
    "dockerhub-dev/s/smurugadass/airflow-docker-service/Dockerfile": {80: "json-trailing-text"},
    # HEALTHCHECK --interval=3s --timeout=3s CMD ["healthchecker"] || exit 1
    "dockerhub-dev/g/groupbutler/groupbutler/Dockerfile": {9: "json-trailing-text"},
    # CMD ["go-wrapper", "run"] # ["app"]
    "dockerhub-dev/k/keetraxx/go-hello-world/Dockerfile": {13: "json-trailing-text"},
    "dockerhub-dev/s/stevemcquaid/sigterm/Dockerfile": {15: "json-trailing-text"},
    # ENTRYPOINT []  #clear the inherited entrypoint
    "dockerhub-dev/m/mgibio/pindel2vcf-cwl/Dockerfile": {3: "json-trailing-text"},
    # VOLUME \t["/config"] \t["/var/cache/zoneminder"]  (continued over three lines)
    "dockerhub-dev/t/tnds82/zoneminder/Dockerfile": {84: "json-trailing-text"},
}


@pytest.mark.parametrize("group", group_params(ROOT, NO_CORPUS_REASON))
def test_v0_12_5_view_equals_the_binding(corpus, corpus_files, group, corpus_stats):
    title = "binding agreement (buildkit=0.12.5) " + group.split("/")[0]
    problems = []
    for relative in corpus_files[group]:
        expected = corpus_oracle(corpus, relative)
        if expected is None:
            count(corpus_stats, title, "skipped (NUL or invalid UTF-8)")
            continue
        got = summary(corpus, relative, "0.12.5").view
        if isinstance(expected, Rejected):
            count(corpus_stats, title, "both reject")
        else:
            count(corpus_stats, title, "equal")
            count(corpus_stats, title, "commands compared", len(expected))
        if got != expected:
            problems.append(f"{relative}: {first_difference(expected, got)}")
    assert not problems, f"{len(problems)} files differ:\n" + "\n".join(problems[:20])


@pytest.mark.parametrize("group", group_params(ROOT, NO_CORPUS_REASON))
def test_latest_differs_only_as_documented(corpus, corpus_files, group, corpus_stats):
    title = "latest vs binding " + group.split("/")[0]
    found: dict[str, dict[int, str]] = {}
    for relative in corpus_files[group]:
        expected = corpus_oracle(corpus, relative)
        if expected is None:
            continue
        latest = summary(corpus, relative, "latest")
        old = summary(corpus, relative, "0.12.5")
        differences = explain_latest(
            expected,
            latest.view,
            escape=latest.escape or "\\",
            escape_v0_12_5=old.escape or "\\",
            directives_differ=latest.directives != old.directives,
            text=corpus_text(corpus, relative) if latest.view != expected else "",
        )
        if differences:
            found[relative] = dict(differences)
            count(corpus_stats, title, "files with documented differences")
        else:
            count(corpus_stats, title, "identical")
    unexplained = {path: d for path, d in found.items() if any(kind.startswith("UNEXPLAINED") for kind in d.values())}
    assert not unexplained, f"differences syntax.md §10 does not document: {unexplained}"
    expected_here = {path: d for path, d in EXPECTED_LATEST_DIFFERENCES.items() if path in corpus_files[group]}
    assert found == expected_here
