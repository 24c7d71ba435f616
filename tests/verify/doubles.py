"""A builder double at the builder interface, for the verification flow's decisions without builds."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from dfix.verify.builders import BuildOutcome, RunOutcome
from dfix.verify.facts import Entry, ImageFacts


@dataclass
class MadeUpBuilder:
    """Builds a text by rules of thumb: a RUN ``unzip`` fails without recommends; lists stay unless removed."""

    name: str = "made-up"
    fail_original: bool = False
    built: dict[str, str] = field(default_factory=dict)
    #: Every text built, in order (``built`` forgets an image when it is removed).
    history: list[str] = field(default_factory=list)

    def build(self, context: Path, dockerfile: Path, tag: str) -> BuildOutcome:
        text = dockerfile.read_text()
        self.built[tag] = text
        self.history.append(text)
        if self.fail_original and "original" in tag:
            return BuildOutcome(False, 1.0, "STEP 2/3: RUN apt-get update\nE: no network", "RUN apt-get update")
        if "--no-install-recommends" in text and "unzip" in text:
            return BuildOutcome(False, 1.0, "STEP 3/3: RUN unzip -v\nunzip: not found", "RUN unzip -v")
        return BuildOutcome(True, 1.0, "")

    def facts(self, tag: str) -> ImageFacts:
        text = self.built[tag]
        files = {"/usr/bin/zip": Entry("file", 10, "", 0, 0, 0o755)}
        if "rm -rf /var/lib/apt/lists" not in text:
            files["/var/lib/apt/lists/deb.debian.org_Packages"] = Entry("file", 100, "", 0, 0, 0o644)
        user = "10001:10001" if "USER" in text else ""
        return ImageFacts(config={"User": user} if user else {}, files=files, packages={}, layers=text.count("RUN") + 1)

    def smoke(self, tag: str, command, user: str, seconds: float) -> RunOutcome:
        return RunOutcome(tuple(command), user, False, 0, "")

    def release(self, tag: str) -> None:
        """Nothing is held of an image."""

    def remove(self, tag: str) -> None:
        self.built.pop(tag, None)
