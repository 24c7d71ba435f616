"""What a rule's fix may change in the built image: stated next to the fix, checked by ``dfix verify``.

A fix that reads as harmless can still change what a build produces. Each
rule says, as data, what its fix is allowed to change; ``dfix verify`` builds
the original and the fixed file and fails on any difference no applied fix
declares. A rule that declares nothing promises the same image.

Path patterns are :mod:`fnmatch` patterns on absolute paths, where ``*`` also
matches ``/``: ``/var/lib/apt/lists/*`` is everything below it.
"""

from __future__ import annotations

import msgspec


class ImageEffects(msgspec.Struct, frozen=True):
    """What a rule's fix may change in the image; any other difference disproves the fix."""

    #: Packages that were there only because something recommended them may go.
    drops_recommends: bool = False
    #: Packages the fix may install explicitly (with what they depend on).
    adds_packages: frozenset[str] = frozenset()
    #: Paths the fix may remove (a cache it cleans).
    removes_paths: tuple[str, ...] = ()
    #: Paths the fix may create.
    adds_paths: tuple[str, ...] = ()
    #: The fix adds an account: files may change owner (the folders the account must write).
    adds_account: bool = False
    #: Image config fields the fix may change (``User``, ``Cmd`` ...).
    config: frozenset[str] = frozenset()
    #: The fix reorders steps so that a source edit rebuilds less: verify times a rebuild after one.
    cache_order: bool = False

    def __or__(self, other: ImageEffects) -> ImageEffects:
        """Both declarations at once: what the fixes of a file, taken together, may change."""
        return ImageEffects(
            drops_recommends=self.drops_recommends or other.drops_recommends,
            adds_packages=self.adds_packages | other.adds_packages,
            removes_paths=self.removes_paths + other.removes_paths,
            adds_paths=self.adds_paths + other.adds_paths,
            adds_account=self.adds_account or other.adds_account,
            config=self.config | other.config,
            cache_order=self.cache_order or other.cache_order,
        )


#: The fix changes nothing in the image (the default): fewer layers or a better cache order only.
SAME_IMAGE = ImageEffects()

#: The account database and home an added user changes.
ACCOUNT_PATHS = (
    "/etc/passwd", "/etc/passwd-", "/etc/group", "/etc/group-", "/etc/shadow", "/etc/shadow-",
    "/etc/gshadow", "/etc/gshadow-", "/etc/subuid", "/etc/subuid-", "/etc/subgid", "/etc/subgid-",
    "/home/*", "/var/mail/*", "/var/spool/mail/*",
)

#: A fix that adds an account and switches to it.
ADDS_USER = ImageEffects(adds_account=True, adds_paths=ACCOUNT_PATHS, removes_paths=ACCOUNT_PATHS, config=frozenset({"User"}))
