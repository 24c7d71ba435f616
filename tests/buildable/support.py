"""buildah in a storage of its own, the Debian base image made with debootstrap, and what an image holds.

The build tests never touch the machine's image storage: every buildah call
goes through :class:`Buildah`, which points ``--root``/``--runroot`` at a
folder the session owns. No registry is needed: the base image is a Debian
bookworm ``minbase`` made with debootstrap (as the official ``debian`` image
is) and tagged ``debian:12`` in that storage, so the cases read like the
Dockerfiles dfix meets (``FROM debian:12``).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import stat
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

#: Where debootstrap fetches from, and which release the base image is.
DEBIAN_MIRROR = "http://deb.debian.org/debian"
DEBIAN_SUITE = "bookworm"
#: The names the base image answers to: the Docker Hub name the cases use, and a local one.
BASE_IMAGE_TAGS = ("docker.io/library/debian:12", "localhost/debian:12")
#: Changes when the way the base image is made changes, so a cached archive from before is not reused.
BASE_IMAGE_RECIPE = 3
#: apt settings the official image ships (its ``docker-clean``): downloaded ``.deb`` files and apt's
#: binary caches are deleted after every dpkg run, so no layer keeps them.
APT_DOCKER_CLEAN = (
    "# As in the official image: no downloaded packages or binary caches left in image layers.\n"
    'APT::Keep-Downloaded-Packages "false";\n'
    'DPkg::Post-Invoke { "rm -f /var/cache/apt/archives/*.deb /var/cache/apt/archives/partial/*.deb '
    '/var/cache/apt/*.bin || true"; };\n'
    'Dir::Cache::pkgcache "";\n'
    'Dir::Cache::srcpkgcache "";\n'
)
#: The official image's default command and search path.
BASE_IMAGE_CONFIG = ("--cmd", '["bash"]', "--env", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")

#: Certificate authorities this machine trusts on top of Debian's list (Debian's place for them).
#: Where HTTPS goes through an intercepting proxy, its CA is here, and builds need it as a
#: company's base image would carry it.
LOCAL_CA_FOLDER = Path("/usr/local/share/ca-certificates")
#: In the base image: the local CAs in one file, for the tools that bring their own CA list.
LOCAL_CA_BUNDLE = "/etc/ssl/local-ca.pem"


def local_cas() -> list[Path]:
    """The machine's own trusted CAs (``*.crt`` in :data:`LOCAL_CA_FOLDER`), sorted; often none."""
    return sorted(LOCAL_CA_FOLDER.glob("*.crt")) if LOCAL_CA_FOLDER.is_dir() else []


def local_ca_fingerprint() -> str:
    """A short digest of :func:`local_cas`, so a cached base image follows the machine's CAs."""
    digest = hashlib.sha256()
    for path in local_cas():
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]

#: Generous limits: a build of Debian's npm takes about two minutes on a small machine.
BUILD_TIMEOUT = 900
COMMAND_TIMEOUT = 300


class BuildahError(RuntimeError):
    """A buildah command failed; the message holds its output."""


@dataclass(frozen=True)
class Buildah:
    """buildah with its own storage (vfs: works as root anywhere, no fuse or overlay needed)."""

    root: Path
    runroot: Path

    def command(self, *args: str) -> list[str]:
        return ["buildah", "--root", str(self.root), "--runroot", str(self.runroot), "--storage-driver", "vfs", *args]

    def run(self, *args: str, timeout: float = COMMAND_TIMEOUT, check: bool = True) -> subprocess.CompletedProcess:
        """Run ``buildah ARGS``; on failure (with ``check``) raise with the command's output."""
        result = subprocess.run(
            self.command(*args), capture_output=True, text=True, timeout=timeout, stdin=subprocess.DEVNULL,
            env=_buildah_env(),
        )
        if check and result.returncode != 0:
            raise BuildahError(f"buildah {' '.join(args)} exited {result.returncode}\n{result.stdout}{result.stderr}")
        return result

    def build(self, context: Path, tag: str) -> subprocess.CompletedProcess:
        """``buildah bud`` the Dockerfile in ``context``; the result tells whether it built (never raises)."""
        return self.run(
            "bud", "--isolation", "chroot", "--pull=never", "-q", "-t", tag, str(context),
            timeout=BUILD_TIMEOUT, check=False,
        )

    def config(self, image: str) -> dict:
        """The image's OCI config (User, Cmd, Entrypoint, Env, WorkingDir ...)."""
        answer = json.loads(self.run("inspect", "--type", "image", image).stdout)
        return answer["OCIv1"].get("config", {})

    @contextlib.contextmanager
    def container(self, image: str) -> Iterator[str]:
        """A working container from ``image``, removed afterwards."""
        name = f"dfix-test-{uuid.uuid4().hex[:12]}"
        self.run("from", "--pull=never", "--name", name, image)
        try:
            yield name
        finally:
            self.run("rm", name, check=False)

    @contextlib.contextmanager
    def mounted(self, image: str) -> Iterator[Path]:
        """The image's root file system, mounted read-write in a throwaway container."""
        with self.container(image) as name:
            yield Path(self.run("mount", name).stdout.strip())

    def exec_argv(self, container: str, argv: list[str], user: str) -> list[str]:
        """The command line that runs ``argv`` in ``container`` as ``user`` (for Popen)."""
        return self.command("run", "--isolation", "chroot", "--user", user, container, "--", *argv)


def _buildah_env() -> dict[str, str]:
    """buildah's environment: ours without the user's registry and storage settings."""
    keep = {key: value for key, value in os.environ.items() if not key.startswith(("BUILDAH_", "CONTAINERS_", "REGISTRY_AUTH"))}
    return keep


def tool_path(name: str) -> str | None:
    """Where a tool is, also in the sbin folders a non-login root shell may leave out of PATH."""
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"]))


def debootstrap(target: Path) -> None:
    """A Debian ``minbase`` root file system in ``target`` (a minute or less with a good mirror)."""
    result = subprocess.run(
        [tool_path("debootstrap") or "debootstrap", "--variant=minbase", DEBIAN_SUITE, str(target), DEBIAN_MIRROR],
        capture_output=True, text=True, timeout=900, stdin=subprocess.DEVNULL,
    )
    if result.returncode != 0:
        raise RuntimeError(f"debootstrap exited {result.returncode}\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def commit_rootfs(buildah: Buildah, rootfs: Path, tag: str) -> None:
    """Make an image ``tag`` from a debootstrap root file system (``FROM scratch`` plus a copy).

    The machine's own CAs go where Debian's ``ca-certificates`` picks them up
    when a build installs it: curl, wget and git then work exactly when that
    package is installed, as anywhere else. pip and npm bring their own CA
    list, independent of that package; they are pointed at the local CAs.
    """
    (rootfs / "etc/apt/apt.conf.d/docker-clean").write_text(APT_DOCKER_CLEAN)
    subprocess.run(["chroot", str(rootfs), "apt-get", "clean"], check=True, capture_output=True)
    config = list(BASE_IMAGE_CONFIG)
    if cas := local_cas():
        folder = rootfs / LOCAL_CA_FOLDER.relative_to("/")
        folder.mkdir(parents=True, exist_ok=True)
        for ca in cas:
            shutil.copyfile(ca, folder / ca.name)
        bundle = rootfs / LOCAL_CA_BUNDLE.lstrip("/")
        bundle.parent.mkdir(parents=True, exist_ok=True)
        bundle.write_bytes(b"".join(ca.read_bytes().rstrip(b"\n") + b"\n" for ca in cas))
        config += ["--env", f"PIP_CERT={LOCAL_CA_BUNDLE}", "--env", f"NODE_EXTRA_CA_CERTS={LOCAL_CA_BUNDLE}"]
    with buildah.container("scratch") as name:
        mount = buildah.run("mount", name).stdout.strip()
        subprocess.run(["cp", "-a", f"{rootfs}/.", f"{mount}/"], check=True)
        buildah.run("umount", name)
        buildah.run("config", *config, name)
        buildah.run("commit", "-q", name, tag)


def load_base_image(buildah: Buildah, archive: Path) -> None:
    """Load the cached base image (an OCI archive) and give it every name in :data:`BASE_IMAGE_TAGS`."""
    image_id = buildah.run("pull", "-q", f"oci-archive:{archive}").stdout.strip().splitlines()[-1]
    for tag in BASE_IMAGE_TAGS:
        buildah.run("tag", image_id, tag)


# -- what an image holds ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    """One path in an image: what it is, its size (files) or target (links), owner and mode."""

    kind: str  # "file", "dir", "link" or "other"
    size: int  # regular files only; 0 otherwise
    target: str  # symbolic links only
    uid: int
    gid: int
    mode: int

    def content(self) -> tuple:
        """What the image's users see of it, apart from who owns it."""
        return (self.kind, self.size, self.target)

    def ownership(self) -> tuple:
        return (self.uid, self.gid, self.mode)


def list_files(root: Path) -> dict[str, Entry]:
    """Every path under a mounted image root, as ``/absolute/path`` -> :class:`Entry`."""
    entries: dict[str, Entry] = {}
    for folder, dirs, files in os.walk(root):
        for name in dirs + files:
            path = Path(folder, name)
            info = path.lstat()
            kind = (
                "link" if stat.S_ISLNK(info.st_mode)
                else "dir" if stat.S_ISDIR(info.st_mode)
                else "file" if stat.S_ISREG(info.st_mode)
                else "other"
            )
            entries["/" + str(path.relative_to(root))] = Entry(
                kind=kind,
                size=info.st_size if kind == "file" else 0,
                target=os.readlink(path) if kind == "link" else "",
                uid=info.st_uid, gid=info.st_gid, mode=stat.S_IMODE(info.st_mode),
            )
    return entries


@dataclass(frozen=True)
class Package:
    """An installed Debian package and the relations that say why it is there."""

    name: str
    version: str
    depends: frozenset[str]  # Depends and Pre-Depends, every alternative
    recommends: frozenset[str]
    provides: frozenset[str]


#: One line per installed package; fields split by tabs (relations never contain one).
DPKG_QUERY = (
    "dpkg-query", "-W", "-f",
    "${db:Status-Abbrev}\t${Package}\t${Version}\t${Pre-Depends}\t${Depends}\t${Recommends}\t${Provides}\n",
)


def parse_packages(listing: str) -> dict[str, Package]:
    """The installed packages in the output of :data:`DPKG_QUERY`."""
    packages: dict[str, Package] = {}
    for line in listing.splitlines():
        status, name, version, pre_depends, depends, recommends, provides = line.split("\t")
        if not status.startswith("ii"):
            continue
        packages[name] = Package(
            name=name, version=version,
            depends=_relation_names(pre_depends) | _relation_names(depends),
            recommends=_relation_names(recommends),
            provides=_relation_names(provides),
        )
    return packages


def _relation_names(field: str) -> frozenset[str]:
    """Package names in a relation field, alternatives included, without versions or architectures."""
    names = set()
    for alternative in field.replace("|", ",").split(","):
        name = alternative.strip().split(" ", 1)[0].split(":", 1)[0]
        if name:
            names.add(name)
    return frozenset(names)


def package_files(root: Path) -> dict[str, frozenset[str]]:
    """Package name -> the paths it installed, from dpkg's own lists in a mounted image root."""
    # Merged /usr: packages list /bin/bzip2, the file is /usr/bin/bzip2 (/bin links to usr/bin).
    merged = {
        f"/{top.name}/": "/" + os.readlink(top).strip("/") + "/"
        for top in root.iterdir() if top.is_symlink() and not os.readlink(top).startswith("/")
    }
    owned: dict[str, frozenset[str]] = {}
    for listing in (root / "var/lib/dpkg/info").glob("*.list"):
        name = listing.name.removesuffix(".list").split(":", 1)[0]
        paths = set()
        for line in listing.read_text(errors="replace").splitlines():
            if not line.startswith("/") or line == "/.":
                continue
            paths.add(line)
            for link, real in merged.items():
                if line.startswith(link):
                    paths.add(real + line[len(link):])
        owned[name] = frozenset(paths)
    return owned


@dataclass(frozen=True)
class ImageFacts:
    """What the build tests compare between the original and the fixed image."""

    config: dict
    size: int  # the bytes of its regular files
    packages: dict[str, Package]
    files: dict[str, Entry]
    package_files: dict[str, frozenset[str]]


def image_facts(buildah: Buildah, image: str) -> ImageFacts:
    """Config, size, installed packages (``dpkg-query -W`` in the image) and every file of ``image``."""
    with buildah.container(image) as name:
        root = Path(buildah.run("mount", name).stdout.strip())
        listing = buildah.run("run", "--isolation", "chroot", "--user", "0:0", name, "--", *DPKG_QUERY).stdout
        files = list_files(root)
        return ImageFacts(
            config=buildah.config(image),
            size=sum(entry.size for entry in files.values()),
            packages=parse_packages(listing),
            files=files,
            package_files=package_files(root),
        )
