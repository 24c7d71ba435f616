"""Verify one Dockerfile's fixes by building the original and the fixed text and comparing the images.

The original is built first: when it does not build, nothing can be proven
("cannot verify"). The fixed text is built in the same context, so the
builder's layer cache serves every step before the first changed one. A
fixed build that fails, an undeclared difference between the images, or a
smoke run the original passes and the fixed image fails disproves the
fixes; dfix then removes the applied fixes one at a time (a bounded number
of builds) to find the one to blame and the subset that does verify.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import msgspec

from dfix.config import Settings
from dfix.engine import SAME_IMAGE, Diagnostic, ImageEffects, Safety, rule_by_code
from dfix.process import Task, process_text, task_for

from .builders import Builder, BuildOutcome, RunOutcome, image_command
from .compare import Difference, declared, differences
from .facts import ImageFacts

#: At most this many fixes are taken out one at a time to find the one to blame (one build each).
MAX_BLAME_TRIALS = 4
#: How long a smoke run lasts before a still-running service counts as started.
DEFAULT_RUN_SECONDS = 5.0

PROVEN, DISPROVED, CANNOT, NOTHING = "proven", "disproved", "cannot verify", "nothing to verify"

#: Manifests and lockfiles: a source edit is an edit of anything else.
_MANIFESTS = frozenset({
    "package.json", "package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml", "requirements.txt",
    "Pipfile", "Pipfile.lock", "poetry.lock", "pyproject.toml", "setup.py", "setup.cfg", "go.mod", "go.sum", "Gemfile",
    "Gemfile.lock", "composer.json", "composer.lock", "Cargo.toml", "Cargo.lock", "pom.xml", "build.gradle",
    "mix.exs", "mix.lock", ".dockerignore", "case.toml",
})


class FixedText(msgspec.Struct, frozen=True):
    """The fixes one selection applies to a file: the codes in the order first applied, the text, the fixes."""

    codes: tuple[str, ...]
    text: str
    applied: tuple[Diagnostic, ...] = ()


def fixes_for(task: Task, text: str, *, without: frozenset[str] = frozenset()) -> FixedText:
    """Fix ``text`` as ``--diff`` would, with the rules in ``without`` not allowed to fix."""
    if without:
        task = msgspec.structs.replace(task, fixable=tuple(code for code in task.fixable if code not in without))
    result = process_text(task, text).result
    codes = tuple(dict.fromkeys(diagnostic.code for diagnostic in result.applied))
    return FixedText(codes, result.fixed, tuple(result.applied))


def effects_of(codes: tuple[str, ...]) -> ImageEffects:
    """What the rules' fixes declare they may change, together."""
    rules = (rule_by_code(code) for code in codes)
    return declared(rule.declared_effects if rule is not None else SAME_IMAGE for rule in rules)


class Trial(msgspec.Struct):
    """One fixed text built and compared: what it applied and what the build and comparison said."""

    codes: tuple[str, ...]
    text: str
    #: The fixes this text applies (what a commit of it says it changed).
    applied: tuple[Diagnostic, ...] = ()
    build: BuildOutcome | None = None
    facts: ImageFacts | None = None
    differences: list[Difference] = msgspec.field(default_factory=list)
    run: RunOutcome | None = None

    @property
    def builds(self) -> bool:
        return self.build is not None and self.build.ok


class Verdict(msgspec.Struct):
    """Everything ``dfix verify`` found for one Dockerfile."""

    path: str
    status: str
    reason: str = ""
    applied: tuple[str, ...] = ()
    original_build: BuildOutcome | None = None
    original: ImageFacts | None = None
    original_run: RunOutcome | None = None
    fixed: Trial | None = None
    #: The fix whose removal made the rest verify, and the fixes that then verify.
    blamed: str = ""
    verified: Trial | None = None
    rebuild_seconds: tuple[float, float] | None = None
    touched: str = ""
    original_text: str = ""
    #: Wall-clock seconds the whole verification took (every build, comparison and run).
    seconds: float = 0.0

    @property
    def exit_code(self) -> int:
        return {PROVEN: 0, NOTHING: 0, DISPROVED: 1}.get(self.status, 2)

    @property
    def writable_text(self) -> str | None:
        """The fixed text that verified (all fixes, or the subset left after the blamed one), if any."""
        if self.status == PROVEN and self.fixed is not None:
            return self.fixed.text
        if self.verified is not None:
            return self.verified.text
        return None

    @property
    def writable_fixes(self) -> tuple[Diagnostic, ...]:
        """The fixes :attr:`writable_text` applies (none when nothing verified)."""
        if self.status == PROVEN and self.fixed is not None:
            return self.fixed.applied
        return self.verified.applied if self.verified is not None else ()


class Verifier(msgspec.Struct):
    """Builds and compares with one builder; ``run`` adds a smoke run of both images."""

    builder: Builder
    run: bool = False
    run_seconds: float = DEFAULT_RUN_SECONDS
    run_command: tuple[str, ...] = ()
    rebuild_time: bool = True
    #: Keep the images built (and so their layer cache) instead of removing them at the end.
    keep_images: bool = False
    log: Callable[[str], None] = lambda message: None
    _tags: list[str] = msgspec.field(default_factory=list)

    def _tag(self, what: str) -> str:
        tag = f"localhost/dfix-verify-{uuid.uuid4().hex[:10]}:{what}"
        self._tags.append(tag)
        return tag

    def cleanup(self) -> None:
        """Remove the images built (with buildah, their intermediate layers go too), or only what holds them."""
        for tag in self._tags:
            if self.keep_images:
                self.builder.release(tag)
            else:
                self.builder.remove(tag)
        self._tags.clear()

    def _build(self, context: Path, dockerfile_name: str, text: str, what: str, folder: Path) -> tuple[BuildOutcome, str]:
        """Build ``text`` as a Dockerfile in ``context`` (written outside it, so the context is untouched)."""
        dockerfile = folder / f"{what}.{dockerfile_name}"
        dockerfile.write_text(text, encoding="utf-8", errors="surrogateescape")
        ignore = context / f"{dockerfile_name}.dockerignore"
        if ignore.is_file():
            shutil.copyfile(ignore, folder / f"{dockerfile.name}.dockerignore")
        tag = self._tag(what)
        self.log(f"building: {what}")
        return self.builder.build(context, dockerfile, tag), tag

    def _smoke(self, tag: str, config: dict) -> RunOutcome:
        command = self.run_command or image_command(config)
        return self.builder.smoke(tag, command, config.get("User") or "0:0", self.run_seconds)

    def _trial(self, fixed: FixedText, context: Path, name: str, folder: Path, what: str, original: ImageFacts) -> Trial:
        trial = Trial(fixed.codes, fixed.text, fixed.applied)
        trial.build, tag = self._build(context, name, fixed.text, what, folder)
        if not trial.builds:
            return trial
        trial.facts = self.builder.facts(tag)
        trial.differences = differences(original, trial.facts, effects_of(fixed.codes))
        if self.run:
            trial.run = self._smoke(tag, trial.facts.config)
        return trial

    @staticmethod
    def _holds(trial: Trial, original_run: RunOutcome | None) -> bool:
        regressed = original_run is not None and trial.run is not None and original_run.ok and not trial.run.ok
        return trial.builds and not trial.differences and not regressed

    def verify(self, path: str, text: str, task: Task, context: Path) -> Verdict:
        start = time.monotonic()
        verdict = self._verify(path, text, task, context)
        verdict.seconds = time.monotonic() - start
        return verdict

    def _verify(self, path: str, text: str, task: Task, context: Path) -> Verdict:
        fixed = fixes_for(task, text)
        verdict = Verdict(path, NOTHING, applied=fixed.codes, original_text=text)
        if not fixed.codes or fixed.text == text:
            verdict.reason = "no fix applies with this selection"
            return verdict
        name = Path(path).name
        with tempfile.TemporaryDirectory(prefix="dfix-verify-") as scratch:
            folder = Path(scratch)
            verdict.original_build, tag = self._build(context, name, text, "original", folder)
            if not verdict.original_build.ok:
                verdict.status = CANNOT
                step = verdict.original_build.failed_step
                verdict.reason = f"the original does not build{f' (at {step})' if step else ''}"
                return verdict
            verdict.original = self.builder.facts(tag)
            if self.run:
                verdict.original_run = self._smoke(tag, verdict.original.config)
            verdict.fixed = self._trial(fixed, context, name, folder, "fixed", verdict.original)
            if self._holds(verdict.fixed, verdict.original_run):
                verdict.status = PROVEN
                if self.rebuild_time and effects_of(fixed.codes).cache_order:
                    verdict.rebuild_seconds, verdict.touched = self._rebuild_times(context, name, text, fixed.text)
                return verdict
            verdict.status = DISPROVED
            verdict.reason = self._why(verdict.fixed, verdict.original_run)
            self._blame(verdict, task, text, context, name, folder)
        return verdict

    @staticmethod
    def _why(trial: Trial, original_run: RunOutcome | None) -> str:
        if not trial.builds:
            step = trial.build.failed_step if trial.build else ""
            return f"the fixed file does not build{f' (at {step})' if step else ''}"
        if trial.differences:
            return f"{len(trial.differences)} undeclared difference{'s' if len(trial.differences) != 1 else ''}"
        return f"the fixed image does not start ({trial.run.summary}; the original: {original_run.summary})"

    def _blame(self, verdict: Verdict, task: Task, text: str, context: Path, name: str, folder: Path) -> None:
        """Take the applied fixes out one at a time (the unsafe ones first) until the rest verify."""
        codes = sorted(verdict.applied, key=lambda code: (getattr(rule_by_code(code), "safety", None) != Safety.UNSAFE, code))
        for code in codes[:MAX_BLAME_TRIALS]:
            reduced = fixes_for(task, text, without=frozenset({code}))
            if reduced.text == text:
                continue
            trial = self._trial(reduced, context, name, folder, f"without-{code.lower()}", verdict.original)
            if self._holds(trial, verdict.original_run):
                verdict.blamed, verdict.verified = code, trial
                return

    def _rebuild_times(self, context: Path, name: str, original: str, fixed: str) -> tuple[tuple[float, float] | None, str]:
        """Seconds to rebuild the original and the fixed file after one source file changes (in a copy of the context)."""
        with tempfile.TemporaryDirectory(prefix="dfix-verify-rebuild-") as scratch:
            copy = Path(scratch, "context")
            shutil.copytree(context, copy, symlinks=True, ignore=shutil.ignore_patterns(".git"))
            source = _source_file(copy, name)
            if source is None:
                return None, ""
            folder = Path(scratch)
            # The cache is warm: both files were just built from the same contents.
            with source.open("a", encoding="utf-8") as handle:
                handle.write("\n")
            self.log(f"rebuilding after an edit of {source.relative_to(copy)}")
            before, _ = self._build(copy, name, original, "rebuild-original", folder)
            after, _ = self._build(copy, name, fixed, "rebuild-fixed", folder)
            if not (before.ok and after.ok):
                return None, ""
            return (before.seconds, after.seconds), str(source.relative_to(copy))


def verify_file(verifier: Verifier, path: str, text: str, settings: Settings, build_context: str | None = None) -> Verdict:
    """Verify the fixes ``dfix --diff`` makes to ``text`` (the file at ``path``, with its settings).

    The one place that turns a Dockerfile into a verdict, for ``dfix verify``,
    ``dfix --write --verify`` and ``dfix bot --verify`` alike: the rules read
    the build context the builder gets (``build_context``, or the file's folder).
    """
    task = task_for(path, "diff", settings)
    if build_context:
        task = msgspec.structs.replace(task, context=build_context)
    context = Path(build_context) if build_context else Path(path).resolve().parent
    return verifier.verify(path, text, task, context)


def _source_file(context: Path, dockerfile_name: str) -> Path | None:
    """A file of the context a developer edits often: not a manifest, lockfile or Dockerfile."""
    candidates = sorted(
        path for path in context.rglob("*")
        if path.is_file() and not path.is_symlink() and path.name not in _MANIFESTS
        and not path.name.startswith(dockerfile_name) and "node_modules" not in path.parts
        and not path.name.lower().startswith(("dockerfile", "containerfile")) and not path.name.startswith(".")
    )
    return candidates[0] if candidates else None
