"""The verification flow with a made-up builder: proven, disproved with the fix to blame, cannot verify."""

from __future__ import annotations

from pathlib import Path

from dfix.config import ConfigResolver
from dfix.process import task_for
from dfix.verify.facts import Entry, ImageFacts
from dfix.verify.verifier import CANNOT, DISPROVED, NOTHING, PROVEN, Verifier, verify_file

from .doubles import MadeUpBuilder

ORIGINAL = "FROM debian:12\nRUN apt-get update && apt-get install -y zip\nRUN unzip -v\n"


def verify(tmp_path: Path, text: str, builder: MadeUpBuilder, *codes: str):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(text)
    overrides = {"lint.select": list(codes), "unsafe-fixes": True}
    settings = ConfigResolver(isolated=True, overrides=overrides, cwd=tmp_path).settings_for(str(dockerfile))
    task = task_for(str(dockerfile), "diff", settings)
    return Verifier(builder, run=True).verify(str(dockerfile), text, task, tmp_path)


def test_a_fix_whose_file_does_not_build_is_disproved_and_the_rest_verify(tmp_path: Path):
    verdict = verify(tmp_path, ORIGINAL, MadeUpBuilder(), "DF200", "DF202")
    assert verdict.status == DISPROVED and verdict.exit_code == 1
    assert verdict.reason == "the fixed file does not build (at RUN unzip -v)"
    assert verdict.blamed == "DF202" and verdict.verified.codes == ("DF200",)
    assert "--no-install-recommends" not in verdict.writable_text and "rm -rf /var/lib/apt/lists" in verdict.writable_text


def test_declared_effects_prove_a_cleanup(tmp_path: Path):
    verdict = verify(tmp_path, ORIGINAL, MadeUpBuilder(), "DF200")
    assert verdict.status == PROVEN and verdict.exit_code == 0
    assert verdict.fixed.differences == [] and verdict.original.size > verdict.fixed.facts.size


def test_an_undeclared_change_disproves(tmp_path: Path, monkeypatch):
    # DF100 declares the same image: the lists going away (the made-up builder's doing) is undeclared.
    builder = MadeUpBuilder()
    monkeypatch.setattr(builder, "facts", lambda tag, real=builder.facts: real(tag) if "original" in tag else ImageFacts(
        config={}, files={"/usr/bin/zip": Entry("file", 10, "", 0, 0, 0o755)}, packages={}))
    text = "FROM debian:12\nRUN apt-get update\nRUN apt-get install -y --no-install-recommends zip\n"
    verdict = verify(tmp_path, text, builder, "DF100")
    assert verdict.status == DISPROVED
    assert [str(item) for item in verdict.fixed.differences] == ["file /var/lib/apt/lists/deb.debian.org_Packages: gone (file)"]


def test_an_original_that_does_not_build_cannot_be_verified(tmp_path: Path):
    verdict = verify(tmp_path, ORIGINAL, MadeUpBuilder(fail_original=True), "DF200")
    assert verdict.status == CANNOT and verdict.exit_code == 2
    assert verdict.reason == "the original does not build (at RUN apt-get update)"


def test_nothing_to_fix_builds_nothing(tmp_path: Path):
    builder = MadeUpBuilder()
    verdict = verify(tmp_path, "FROM debian:12\n", builder, "DF200")
    assert verdict.status == NOTHING and verdict.exit_code == 0 and builder.built == {}


def test_images_are_removed_after_verification_unless_kept(tmp_path: Path):
    dockerfile = tmp_path / "Dockerfile"
    dockerfile.write_text(ORIGINAL)
    settings = ConfigResolver(isolated=True, overrides={"lint.select": ["DF200"]}, cwd=tmp_path).settings_for(str(dockerfile))
    for keep, left in ((False, 0), (True, 2)):
        builder = MadeUpBuilder()
        verifier = Verifier(builder, keep_images=keep)
        assert verify_file(verifier, str(dockerfile), ORIGINAL, settings).status == PROVEN
        verifier.cleanup()
        assert len(builder.built) == left  # kept: the original and the fixed image, and so their layer cache
