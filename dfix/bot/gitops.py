"""Every git operation of the bot, through GitPython.

The bot never edits the user's own working tree: it fetches the base
branch, adds a detached worktree at the base commit (``git worktree``) in a
temporary folder, fixes and commits there, pushes the commit to the bot's
branch and removes the worktree. A local checkout therefore stays exactly as
it was (branch, index, files), and a temporary clone is simply deleted.

Clones are shallow: the bot needs the base commit, a few commits of history
to see whether the project writes Conventional Commits, and the tip of its
own branch to see who wrote it. Pushing a commit whose parent the remote
already has works from a shallow clone.

Pushes to the bot's branch use ``--force-with-lease`` with the exact commit
the bot last saw, so a push that races a human's push fails instead of
overwriting it; no other branch is ever pushed.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, Mapping, Sequence

import git
import msgspec

from dfix.errors import DfixError

#: The trailer the bot writes in its commits: it marks the bot's own commits and carries the change fingerprint.
FINGERPRINT_TRAILER = "Dfix-Fingerprint"
REMOTE = "origin"
#: History read to guess the project's commit style.
HISTORY_DEPTH = 20

_CONVENTIONAL = re.compile(r"^(feat|fix|chore|docs|refactor|test|tests|ci|build|perf|style|revert)(\([^)]*\))?!?: \S")


class BotGitError(DfixError):
    """A git problem the user can act on (a refusal or a failed command); the message is already redacted."""


class Author(msgspec.Struct, frozen=True):
    name: str
    email: str

    @classmethod
    def parse(cls, text: str) -> "Author":
        """``Name <email>``, as git writes it; anything else is a usage error."""
        match = re.fullmatch(r"\s*(?P<name>[^<>]*?)\s*<(?P<email>[^<>\s]+@[^<>\s]+)>\s*", text)
        if not match or not match["name"]:
            raise ValueError(f"--author must look like 'Name <email>', got {text!r}")
        return cls(match["name"], match["email"])

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def actor(self) -> git.Actor:
        return git.Actor(self.name, self.email)


DEFAULT_AUTHOR = Author("dfix-bot", "dfix-bot@users.noreply.github.com")


class Git:
    """One repository (a local checkout or a fresh clone) with the bot's operations on it.

    ``environment`` is added to every git command (the askpass variables);
    ``redact`` cleans every message that leaves this class.
    """

    def __init__(self, repo: git.Repo, *, environment: Mapping[str, str], redact: Callable[[str], str]) -> None:
        self.repo = repo
        self.environment = dict(environment)
        self.redact = redact

    # -- opening ------------------------------------------------------------------------------------

    @classmethod
    def open_checkout(cls, path: str | os.PathLike[str], **kwargs) -> "Git":
        """A local checkout; a folder that is not one is a clear error."""
        try:
            repo = git.Repo(path, search_parent_directories=False)
        except git.NoSuchPathError:
            raise BotGitError(f"{path}: no such folder") from None
        except git.InvalidGitRepositoryError:
            raise BotGitError(f"{path}: not a git repository (the top folder of a checkout is needed)") from None
        if repo.bare:
            raise BotGitError(f"{path}: a bare repository has no files to fix; give its clone URL instead")
        return cls(repo, **kwargs)

    @classmethod
    def clone(cls, url: str, folder: str | os.PathLike[str], *, branch: str | None, **kwargs) -> "Git":
        """A shallow clone of ``url``'s ``branch`` (its default branch when None) into ``folder``."""
        environment = kwargs.get("environment", {})
        options: dict[str, object] = {"depth": HISTORY_DEPTH}
        if branch:
            options["branch"] = branch
        try:
            repo = git.Repo.clone_from(url, folder, env={**os.environ, **environment}, **options)
        except git.GitCommandError as error:
            raise BotGitError(f"cannot clone {kwargs['redact'](url)}: {kwargs['redact'](_git_reason(error))}") from None
        return cls(repo, **kwargs)

    # -- running git --------------------------------------------------------------------------------

    def run(self, *args: str) -> str:
        """``git ARGS`` in this repository, with the bot's environment; errors become :class:`BotGitError`."""
        try:
            with self.repo.git.custom_environment(**self.environment):
                return self.repo.git.execute(["git", *args])
        except git.GitCommandError as error:
            raise BotGitError(self.redact(f"git {args[0]} failed: {_git_reason(error)}")) from None

    # -- state checks -------------------------------------------------------------------------------

    @property
    def top(self) -> Path:
        return Path(self.repo.working_tree_dir or ".")

    def remote_url(self) -> str:
        try:
            return self.repo.remote(REMOTE).url
        except ValueError:
            raise BotGitError(f"{self.top}: no remote named {REMOTE!r} to push to") from None

    def refuse_dirty(self) -> None:
        """A checkout with uncommitted changes may be mid-edit: the bot does not guess what belongs in its PR."""
        if self.repo.is_dirty(index=True, working_tree=True, untracked_files=True):
            changed = [item.a_path for item in self.repo.index.diff(None)] + list(self.repo.untracked_files)
            staged = [item.a_path for item in self.repo.index.diff("HEAD")] if self.repo.head.is_valid() else []
            names = ", ".join(sorted(set(changed + staged))[:5]) or "changes"
            raise BotGitError(f"{self.top}: the work tree has uncommitted changes ({names}); commit or stash them first")

    def current_branch(self) -> str | None:
        """The checked-out branch, or None when HEAD is detached."""
        return None if self.repo.head.is_detached else self.repo.active_branch.name

    def default_branch(self) -> str:
        """The remote's default branch (what its HEAD points at)."""
        output = self.run("ls-remote", "--symref", REMOTE, "HEAD")
        for line in output.splitlines():
            match = re.match(r"ref: refs/heads/(\S+)\s+HEAD", line)
            if match:
                return match[1]
        raise BotGitError(f"cannot tell the default branch of {self.redact(self.remote_url())}; pass --base")

    def remote_branch(self, branch: str) -> str | None:
        """The commit ``branch`` is at on the remote, or None when it does not exist there."""
        output = self.run("ls-remote", "--heads", REMOTE, f"refs/heads/{branch}")
        for line in output.splitlines():
            sha, _, ref = line.partition("\t")
            if ref == f"refs/heads/{branch}":
                return sha
        return None

    def fetch(self, branch: str, *, depth: int = HISTORY_DEPTH) -> str:
        """Fetch ``branch`` into ``refs/remotes/origin/<branch>`` and return its commit."""
        ref = f"refs/remotes/{REMOTE}/{branch}"
        args = ["fetch", "--no-tags", REMOTE, f"+refs/heads/{branch}:{ref}"]
        if self.repo.git.rev_parse("--is-shallow-repository").strip() == "true":
            args.insert(1, f"--depth={depth}")
        self.run(*args)
        return self.repo.commit(ref).hexsha

    def commit(self, sha: str) -> git.Commit:
        return self.repo.commit(sha)

    def conventional_history(self, sha: str) -> bool:
        """Whether most of the recent commits on the base are Conventional Commits."""
        subjects = [c.summary for c in self.repo.iter_commits(sha, max_count=HISTORY_DEPTH)]
        subjects = [str(s) for s in subjects if not str(s).startswith("Merge ")]
        return bool(subjects) and sum(bool(_CONVENTIONAL.match(s)) for s in subjects) * 2 >= len(subjects)

    def written_by_bot(self, sha: str, author: Author) -> bool:
        """Whether the commit at ``sha`` is one of the bot's (its trailer, and committed as the bot).

        Someone who amends or adds a commit becomes its committer, so the
        bot then leaves the branch alone (Dependabot's rule).
        """
        return self.fingerprint_of(sha) is not None and self.repo.commit(sha).committer.email == author.email

    def fingerprint_of(self, sha: str) -> str | None:
        """The change fingerprint in the commit's ``Dfix-Fingerprint`` trailer, if it has one."""
        for line in str(self.repo.commit(sha).message).splitlines():
            if line.startswith(f"{FINGERPRINT_TRAILER}: "):
                return line.split(": ", 1)[1].strip()
        return None

    # -- the work tree the fixes run in ----------------------------------------------------------------

    @contextmanager
    def worktree(self, sha: str) -> Iterator[tuple[Path, git.Repo]]:
        """A detached worktree at ``sha`` in a temporary folder, removed afterwards whatever happens."""
        parent = tempfile.mkdtemp(prefix="dfix-bot-")
        folder = os.path.join(parent, "tree")
        try:
            self.run("worktree", "add", "--detach", folder, sha)
            yield Path(folder), git.Repo(folder)
        finally:
            try:
                self.run("worktree", "remove", "--force", folder)
            except BotGitError:
                pass
            shutil.rmtree(parent, ignore_errors=True)
            try:
                self.run("worktree", "prune")
            except BotGitError:
                pass

    @staticmethod
    def commit_files(tree: git.Repo, paths: Sequence[str], message: str, author: Author) -> str:
        """Commit exactly ``paths`` (relative, already written) on the worktree's HEAD; the new commit."""
        tree.index.add(list(paths))
        actor = author.actor()
        commit = tree.index.commit(message, author=actor, committer=actor)
        return commit.hexsha

    # -- publishing ---------------------------------------------------------------------------------

    def set_local_branch(self, branch: str, sha: str) -> None:
        """Point the local ``branch`` at ``sha`` (created or reset), so the user can look at what was pushed."""
        if self.current_branch() == branch:
            raise BotGitError(f"the bot's branch {branch!r} is checked out in {self.top}; switch to another branch")
        self.run("branch", "--force", branch, sha)

    def push(self, branch: str, sha: str, *, expected: str | None) -> None:
        """Force-push ``sha`` to the bot's ``branch``, only if the remote still has ``expected`` there."""
        lease = f"--force-with-lease=refs/heads/{branch}:{expected or ''}"
        self.run("push", "--porcelain", lease, REMOTE, f"{sha}:refs/heads/{branch}")

    def delete_remote_branch(self, branch: str, *, expected: str) -> None:
        """Delete the bot's ``branch`` on the remote, only if it is still at ``expected``."""
        self.run("push", "--porcelain", f"--force-with-lease=refs/heads/{branch}:{expected}", REMOTE, f":refs/heads/{branch}")


def _git_reason(error: git.GitCommandError) -> str:
    """The useful part of a failed git command: refused refs (``push --porcelain``) and stderr, unframed."""
    stdout = re.sub(r"^\s*stdout: '?", "", str(error.stdout or "")).rstrip("'")
    refused = []
    for line in stdout.splitlines():
        flag, _, rest = line.partition("\t")
        if flag == "!":
            refs, _, summary = rest.partition("\t")
            refused.append(f"{refs.rpartition(':')[2]} {summary.strip()}")
    stderr = re.sub(r"^\s*stderr: '?", "", str(error.stderr or "")).rstrip("'").strip()
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    reasons = [f"the remote refused {ref}" for ref in refused] + lines[-3:]
    return "; ".join(reasons) if reasons else f"exit status {error.status}"
