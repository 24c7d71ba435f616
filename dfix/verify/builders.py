"""Image builders behind one small interface: build, read an image's facts, run it, remove it.

``buildah bud --isolation chroot --storage-driver vfs`` comes first: it needs
no daemon, no fuse and no overlay, only root, so it works on CI machines and
in containers. ``podman`` and ``docker buildx`` sit behind the same
interface; :func:`find_builder` says plainly why one is unavailable.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import msgspec

from .facts import ImageFacts, facts_of, list_tree, read_archive, tree_reader

#: Generous limits: installing Debian's npm takes minutes on a small machine.
BUILD_TIMEOUT = 1800
COMMAND_TIMEOUT = 300

#: The order builders are tried in when none is named.
BUILDER_NAMES = ("buildah", "podman", "docker")


class BuilderUnavailable(Exception):
    """No builder can be used here; the message says why (each one tried)."""


class BuilderError(RuntimeError):
    """A builder command failed; the message holds its output."""


class BuildOutcome(msgspec.Struct, frozen=True):
    """One build: did it work, how long it took, its log, and the step it failed at."""

    ok: bool
    seconds: float
    log: str
    failed_step: str = ""

    @property
    def tail(self) -> str:
        """The end of the log: where a failure explains itself."""
        return "\n".join(self.log.rstrip().splitlines()[-15:])


class RunOutcome(msgspec.Struct, frozen=True):
    """A smoke run: the command, as whom, and whether it still ran or how it exited."""

    command: tuple[str, ...]
    user: str
    still_running: bool
    exit_code: int | None
    output: str

    @property
    def ok(self) -> bool:
        return self.still_running or self.exit_code == 0

    @property
    def summary(self) -> str:
        return "still running" if self.still_running else f"exited {self.exit_code}"


#: Lines that name a build step: buildah/podman ``STEP 3/7: RUN ...``, BuildKit ``#8 [3/7] RUN ...``.
_STEP_LINE = re.compile(r"^(?:STEP \d+(?:/\d+)?: (?P<buildah>.+)|#\d+ \[(?:[\w.-]+ )?\d+/\d+\] (?P<buildkit>.+))$")


def failed_step(log: str) -> str:
    """The last step a failed build's log started: the one that failed."""
    step = ""
    for line in log.splitlines():
        match = _STEP_LINE.match(line.strip())
        if match:
            step = (match.group("buildah") or match.group("buildkit")).strip()
    return step


def _tool_path(name: str) -> str | None:
    """Where a tool is, also in the sbin folders a non-login root shell may leave out of PATH."""
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))


def _run(argv: list[str], timeout: float = COMMAND_TIMEOUT, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL, errors="replace")
    if check and result.returncode != 0:
        raise BuilderError(f"{' '.join(argv[:4])} ... exited {result.returncode}\n{result.stdout}{result.stderr}")
    return result


def _smoke(argv: list[str], command: tuple[str, ...], user: str, seconds: float) -> RunOutcome:
    """Start ``argv`` (which runs ``command`` in a container), wait ``seconds``, stop it if it still runs."""
    process = subprocess.Popen(
        argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        errors="replace", start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=seconds)
        return RunOutcome(command, user, False, process.returncode, output[-2000:])
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            output, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
        return RunOutcome(command, user, True, None, (output or "")[-2000:])


def _timed_build(argv: list[str]) -> BuildOutcome:
    start = time.monotonic()
    try:
        result = _run(argv, timeout=BUILD_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        return BuildOutcome(False, time.monotonic() - start, f"the build took over {BUILD_TIMEOUT} s", "")
    seconds = time.monotonic() - start
    log = result.stdout + result.stderr
    return BuildOutcome(result.returncode == 0, seconds, log, "" if result.returncode == 0 else failed_step(log))


def image_command(config: dict) -> tuple[str, ...]:
    """What the image runs when started: its Entrypoint, then its Cmd."""
    return (*(config.get("Entrypoint") or []), *(config.get("Cmd") or []))


# -- buildah ---------------------------------------------------------------------------------------------


#: Storage drivers dfix drives buildah with. vfs copies the whole root file system for every
#: layer and container, but works as root anywhere (in a container, on any file system);
#: overlay shares layers and is much faster where the kernel can mount it on the storage.
STORAGE_DRIVERS = ("vfs", "overlay")
#: Where root's buildah (and podman) keep images unless storage.conf says otherwise.
DEFAULT_BUILDAH_STORAGE = Path("/var/lib/containers/storage")


class Buildah(msgspec.Struct, frozen=True):
    """buildah; ``storage`` gives it a storage folder of its own.

    The storage driver is ``driver`` when given; otherwise the one the
    storage was made with (a storage keeps its driver for life: asking for
    another fails), and vfs for a new one: it works as root anywhere.
    """

    storage: Path | None = None
    name: str = "buildah"
    driver: str | None = None
    #: Image -> the working container its facts were read from, kept for its smoke run: with
    #: vfs every container is a full copy of the image's root, so one is made per image, not two.
    _containers: dict[str, str] = msgspec.field(default_factory=dict)

    def __eq__(self, other: object) -> bool:
        # The containers kept are a cache, not part of which builder this is.
        return type(other) is Buildah and self._key() == other._key()

    def __hash__(self) -> int:
        return hash(self._key())

    def __repr__(self) -> str:
        return f"Buildah(storage={self.storage!r}, name={self.name!r}, driver={self.driver!r})"

    def _key(self) -> tuple[Path | None, str, str | None]:
        return (self.storage, self.name, self.driver)

    @property
    def storage_driver(self) -> str:
        if self.driver is not None:
            return self.driver
        root = self.storage / "storage" if self.storage is not None else DEFAULT_BUILDAH_STORAGE
        for driver in STORAGE_DRIVERS:
            if (root / f"{driver}-images").is_dir():
                return driver
        return "vfs"

    def command(self, *args: str) -> list[str]:
        where = ["--root", str(self.storage / "storage"), "--runroot", str(self.storage / "run")] if self.storage else []
        return [_tool_path("buildah") or "buildah", *where, "--storage-driver", self.storage_driver, *args]

    def run(self, *args: str, timeout: float = COMMAND_TIMEOUT, check: bool = True) -> subprocess.CompletedProcess:
        return _run(self.command(*args), timeout=timeout, check=check)

    @staticmethod
    def unavailable() -> str | None:
        if _tool_path("buildah") is None:
            return "buildah is not installed (apt-get install buildah)"
        if os.geteuid() != 0:
            return "buildah's chroot isolation with vfs storage needs root here"
        return None

    def build(self, context: Path, dockerfile: Path, tag: str) -> BuildOutcome:
        return _timed_build(self.command(
            "bud", "--isolation", "chroot", "--layers", "-f", str(dockerfile), "-t", tag, str(context),
        ))

    def inspect(self, image: str) -> dict:
        return json.loads(self.run("inspect", "--type", "image", image).stdout)["OCIv1"]

    @contextlib.contextmanager
    def container(self, image: str) -> Iterator[str]:
        """A working container from ``image``, removed afterwards."""
        name = f"dfix-verify-{uuid.uuid4().hex[:12]}"
        self.run("from", "--pull=never", "--name", name, image)
        try:
            yield name
        finally:
            self.run("rm", name, check=False)

    def _container_for(self, image: str) -> str:
        """The image's kept working container, made on first use (removed by :meth:`smoke` or :meth:`remove`)."""
        if image not in self._containers:
            name = f"dfix-verify-{uuid.uuid4().hex[:12]}"
            self.run("from", "--pull=never", "--name", name, image)
            self._containers[image] = name
        return self._containers[image]

    def _drop_container(self, image: str) -> None:
        name = self._containers.pop(image, None)
        if name is not None:
            self.run("rm", name, check=False)

    def facts(self, image: str) -> ImageFacts:
        """The image's facts, read from a working container before anything runs in it."""
        oci = self.inspect(image)
        name = self._container_for(image)
        root = Path(self.run("mount", name).stdout.strip())
        try:
            return facts_of(list_tree(root), tree_reader(root), oci.get("config", {}), len(oci.get("rootfs", {}).get("diff_ids", [])))
        finally:
            self.run("umount", name, check=False)

    def smoke(self, image: str, command: tuple[str, ...], user: str, seconds: float) -> RunOutcome:
        """Run ``command`` in the container the facts were read from (the run comes last), then remove it."""
        name = self._container_for(image)
        try:
            argv = self.command("run", "--isolation", "chroot", "--user", user, name, "--", *command)
            return _smoke(argv, command, user, seconds)
        finally:
            self._drop_container(image)

    def release(self, image: str) -> None:
        """Let go of what verification holds of a kept image (its working container)."""
        self._drop_container(image)

    def remove(self, image: str) -> None:
        self._drop_container(image)
        self.run("rmi", "--force", image, check=False)


# -- podman and docker -------------------------------------------------------------------------------------


class EngineCli(msgspec.Struct, frozen=True):
    """podman or ``docker buildx``: build, inspect, export a container's file system, run."""

    name: str  # "podman" or "docker"

    def command(self, *args: str) -> list[str]:
        return [_tool_path(self.name) or self.name, *args]

    def unavailable(self) -> str | None:
        if _tool_path(self.name) is None:
            return f"{self.name} is not installed"
        probe = ["buildx", "version"] if self.name == "docker" else ["version"]
        if _run(self.command(*probe), check=False).returncode != 0:
            return f"{self.name} {' '.join(probe)} failed: buildx missing" if self.name == "docker" else f"{self.name} does not run"
        info = _run(self.command("info"), check=False)
        if info.returncode != 0:
            reason = (info.stderr.strip().splitlines() or ["no answer"])[-1]
            return f"{self.name} cannot reach its engine ({reason})"
        return None

    def build(self, context: Path, dockerfile: Path, tag: str) -> BuildOutcome:
        if self.name == "docker":
            return _timed_build(self.command("buildx", "build", "--load", "--progress", "plain", "-f", str(dockerfile), "-t", tag, str(context)))
        return _timed_build(self.command("build", "--layers", "-f", str(dockerfile), "-t", tag, str(context)))

    def facts(self, image: str) -> ImageFacts:
        answer = json.loads(_run(self.command("image", "inspect", image)).stdout)[0]
        config = answer.get("Config") or {}
        layers = len((answer.get("RootFS") or {}).get("Layers") or [])
        container = _run(self.command("create", image, "true")).stdout.strip().splitlines()[-1]  # a command: images may have none
        try:
            with tempfile.TemporaryDirectory(prefix="dfix-verify-") as folder:
                archive = Path(folder, "rootfs.tar")
                _run(self.command("export", "-o", str(archive), container), timeout=BUILD_TIMEOUT)
                entries, read = read_archive(archive)
        finally:
            _run(self.command("rm", "-f", container), check=False)
        return facts_of(entries, read, {key: value for key, value in config.items() if value not in (None, "", [], {})}, layers)

    def smoke(self, image: str, command: tuple[str, ...], user: str, seconds: float) -> RunOutcome:
        name = f"dfix-verify-{uuid.uuid4().hex[:12]}"
        entry, *rest = command or ("true",)
        argv = self.command("run", "--rm", "--name", name, "--user", user, "--entrypoint", entry, image, *rest)
        try:
            return _smoke(argv, command, user, seconds)
        finally:
            _run(self.command("rm", "-f", name), check=False)

    def release(self, image: str) -> None:
        """Nothing is held of an image between calls."""

    def remove(self, image: str) -> None:
        _run(self.command("rmi", "-f", image), check=False)


Builder = Buildah | EngineCli


def builder_named(name: str, storage: Path | None = None) -> Builder:
    return Buildah(storage) if name == "buildah" else EngineCli(name)


def find_builder(choice: str = "auto", storage: Path | None = None) -> Builder:
    """The builder to use: the one named, or the first of :data:`BUILDER_NAMES` that works here."""
    names = BUILDER_NAMES if choice == "auto" else (choice,)
    reasons = []
    for name in names:
        builder = builder_named(name, storage)
        reason = builder.unavailable()
        if reason is None:
            return builder
        reasons.append(reason)
    raise BuilderUnavailable("; ".join(reasons))
