"""The Debian base image the build tests build on, made with debootstrap into a buildah storage of their own.

The build tests never touch the machine's image storage: every buildah call
goes through dfix's own :class:`dfix.verify.builders.Buildah` with a storage
folder the session owns. No registry is needed: the base image is a Debian
bookworm ``minbase`` made with debootstrap (as the official ``debian`` image
is) and tagged ``debian:12`` in that storage, so the cases read like the
Dockerfiles dfix meets (``FROM debian:12``).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
from pathlib import Path

from dfix.verify.builders import Buildah, BuilderError

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


def storage_with_base_image(folder: Path, archive: Path, driver: str | None = None) -> Buildah:
    """A buildah storage in ``folder`` holding the base image: overlay when it mounts here, else vfs (or ``driver``)."""
    candidates = (driver,) if driver else ("overlay", "vfs")
    for candidate in candidates:
        store = Buildah(folder, driver=candidate)
        try:
            load_base_image(store, archive)
            with store.container(BASE_IMAGE_TAGS[1]) as name:  # the kernel must mount it on this file system
                store.run("mount", name)
                store.run("umount", name)
            return store
        except BuilderError:
            if candidate == candidates[-1]:
                raise
            store.run("rmi", "--all", "--force", check=False)
            shutil.rmtree(folder / "storage", ignore_errors=True)
            shutil.rmtree(folder / "run", ignore_errors=True)
    raise AssertionError(f"no storage driver tried: {candidates}")
