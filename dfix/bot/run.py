"""One repository, start to end: check out, fix, commit, push, open or update the pull request.

Each step's decision follows ux.md §11 and is recorded as an
:class:`Outcome` (``created | updated | unchanged | closed | pushed |
skipped | error``). Nothing remote is touched in a dry run: no push, no API
write (reading the existing pull request is allowed, so the plan can say
what would happen). Every message is redacted, so a token in the environment
never reaches the output, the commit, or the pull request.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from contextlib import ExitStack
from typing import Any, Callable, Mapping

import msgspec

from dfix.engine import all_rules
from dfix.process import internal_error_message
from dfix.verify.builders import Builder, BuilderError
from dfix.verify.verifier import Verifier

from .changes import ChangeSet, bot_settings, fix_tree, repository_settings
from .forge import Forge, ForgeAuthError, ForgeError, PullRequest, RepoLocation, locate, open_forge
from .gitops import DEFAULT_AUTHOR, Author, BotGitError, Git
from .message import (
    body,
    closing_comment,
    commit_message,
    read_marker,
    rebase_requested,
    subject,
    summary_comment,
)
from .secrets import TOKEN_VARIABLES, Redactor, Token, askpass_environment, token_from_environment
from .verified import Verification, keep_verified

STATUSES = ("created", "updated", "unchanged", "closed", "pushed", "skipped", "error")


class BotOptions(msgspec.Struct, frozen=True):
    """What the command line asked for; ``None`` means "what the repository's ``[bot]`` table says"."""

    base: str | None = None
    branch: str | None = None
    author: Author = DEFAULT_AUTHOR
    #: Templates (``{files}``, ``{fixes}``); None: the repository's ``[bot]`` table, then the default.
    title: str | None = None
    commit_message: str | None = None
    semantic_commits: str = "auto"
    labels: tuple[str, ...] = ()
    reviewers: tuple[str, ...] = ()
    assignees: tuple[str, ...] = ()
    draft: bool | None = None
    signoff: bool = False
    recreate_closed: bool | None = None
    #: None (act), "plan" or "diff" (act on nothing remote; "diff" also keeps the patch).
    dry_run: str | None = None
    no_pr: bool = False
    platform: str | None = None
    api_url: str | None = None
    project: str | None = None
    token_env: str | None = None
    #: Command-line settings, keyed as in a config file (``lint.extend-select`` …).
    overrides: Mapping[str, Any] = msgspec.field(default_factory=dict)
    override_repo_config: bool = False
    jobs: int = 1
    workdir: str | None = None
    keep_clones: bool = False
    max_prs: int | None = None
    #: ``--verify``: the builder that proves the fixes before they are committed (None: no builds).
    verify_with: Builder | None = None


class Outcome(msgspec.Struct):
    """What happened to one repository (the row of the result table and of ``--report``)."""

    repository: str
    status: str
    detail: str = ""
    files: int = 0
    fixes: int = 0
    pull_request: str | None = None
    branch: str | None = None
    base: str | None = None
    commit: str | None = None
    rules: dict[str, int] = msgspec.field(default_factory=dict)
    dry_run: bool = False
    diff: str | None = None
    #: The token was refused: a bulk run stops here.
    auth_failed: bool = False
    #: ``--verify``: one ``dfix verify`` JSON record per changed file.
    verification: list[dict[str, Any]] | None = None

    def as_json(self) -> dict[str, Any]:
        data = {key: value for key, value in msgspec.structs.asdict(self).items() if key not in ("diff", "auth_failed", "verification")}
        if self.diff is not None:
            data["diff"] = self.diff
        if self.verification is not None:
            data["verification"] = self.verification
        return data


class Budget(msgspec.Struct):
    """``--max-prs``: pull requests this run may still open (None: no limit)."""

    remaining: int | None = None

    def allows(self) -> bool:
        return self.remaining is None or self.remaining > 0

    def spend(self) -> None:
        if self.remaining is not None:
            self.remaining -= 1


ForgeFactory = Callable[[RepoLocation, "str | None"], Forge]


def _default_forge(location: RepoLocation, token: str | None) -> Forge:
    return open_forge(location, token)


def is_local_target(target: str) -> bool:
    """A folder on this machine (a checkout) rather than something to clone."""
    return "://" not in target and os.path.isdir(target) and not target.endswith(".git")


def clone_url(target: str) -> str:
    """What to clone for a target: ``github.com/owner/name`` (ux.md §11's short form) becomes an HTTPS URL."""
    if "://" in target or os.path.exists(target) or re.match(r"^[^@/\s]+@[^:/\s]+:", target):
        return target
    host, _, path = target.partition("/")
    if "." in host and path:
        return f"https://{host}/{path.removesuffix('/')}" + ("" if path.endswith(".git") else ".git")
    return target


DEFAULT_BRANCH = "dfix/autofix"
#: The branch for a change that only pins base-image digests (ux.md §11), so teams can merge pins on their own.
DIGEST_BRANCH = "dfix/pin-digests"


def digest_rules() -> frozenset[str]:
    """Codes of the rules whose fixes only pin base-image digests."""
    return frozenset(rule.code for rule in all_rules() if "digest-pin" in rule.tags)


def bot_branch(requested: str | None, config: Mapping[str, Any], changes: ChangeSet) -> str:
    """``--branch``, else the repository's ``[bot] branch``, else the default for this kind of change."""
    if requested:
        return requested
    configured = config.get("branch")
    if configured and configured != DEFAULT_BRANCH:
        return str(configured)
    rules = {code for code, _, _ in changes.rule_counts()}
    return DIGEST_BRANCH if rules and rules <= digest_rules() else DEFAULT_BRANCH


class RepositoryRun:
    """The state of one repository's run; :meth:`run` is the whole procedure."""

    def __init__(
        self, target: str, options: BotOptions, *, budget: Budget, forge_factory: ForgeFactory = _default_forge,
        environ: Mapping[str, str] | None = None,
    ) -> None:
        self.target = target
        self.options = options
        self.budget = budget
        self.forge_factory = forge_factory
        self.environ = os.environ if environ is None else environ
        self.redact = Redactor()
        for names in TOKEN_VARIABLES.values():
            for name in names:
                self.redact.add(self.environ.get(name))
        if options.token_env:
            self.redact.add(self.environ.get(options.token_env))
        self.outcome = Outcome(self.redact(target), "error", dry_run=options.dry_run is not None)
        self.verification: Verification | None = None

    # -- the procedure ----------------------------------------------------------------------------------

    def run(self) -> Outcome:
        try:
            with ExitStack() as stack:
                self._run(stack)
        except BotGitError as error:
            self._finish("error", str(error))
        except ForgeAuthError as error:
            self.outcome.auth_failed = True
            self._finish("error", f"the forge refused the token: {error}")
        except ForgeError as error:
            self._finish("error", str(error))
        except ValueError as error:
            self._finish("error", str(error))
        except OSError as error:
            self._finish("error", f"{error.strerror or error}: {error.filename or ''}".rstrip(": "))
        except BuilderError as error:
            self._finish("error", f"cannot verify: the builder failed: {error}")
        except Exception as error:  # noqa: BLE001 - one repository's bug must not end a bulk run
            self._finish("error", internal_error_message(error))
        if self.verification is not None and self.outcome.status != "error":
            self.outcome.detail += f"; {self.verification.summary()}"
        self.outcome.detail = self.redact(self.outcome.detail)
        return self.outcome

    def _finish(self, status: str, detail: str) -> None:
        self.outcome.status = status
        self.outcome.detail = detail

    def _location(self, remote: str) -> RepoLocation | None:
        """The forge of ``remote``; None when it cannot be told and no API call is needed."""
        o = self.options
        try:
            return locate(remote, platform=o.platform, api_url=o.api_url, project=o.project)
        except ValueError:
            if o.no_pr:
                return None
            raise

    def _token(self, location: RepoLocation | None) -> Token | None:
        platform = location.platform if location is not None else (self.options.platform or "")
        token = token_from_environment(platform, variable=self.options.token_env, environ=self.environ)
        if token is not None:
            self.redact.add(token.value)
        return token

    def _open(self, stack: ExitStack) -> tuple[Git, RepoLocation | None, Token | None, bool]:
        """The repository to work in, its forge and token; whether it is the user's own checkout."""
        local = is_local_target(self.target)
        if local:
            probe = Git.open_checkout(self.target, environment={}, redact=self.redact)
            remote = probe.remote_url()
        else:
            remote = clone_url(self.target)
        location = self._location(remote)
        token = self._token(location)
        environment = stack.enter_context(askpass_environment(token, location.platform if location else "github"))
        if local:
            return Git(probe.repo, environment=environment, redact=self.redact), location, token, True
        folder = self._clone_folder(stack)
        return Git.clone(remote, folder, branch=None, environment=environment, redact=self.redact), location, token, False

    def _clone_folder(self, stack: ExitStack) -> str:
        parent = tempfile.mkdtemp(prefix="dfix-bot-clone-", dir=self.options.workdir)
        if not self.options.keep_clones:
            stack.callback(shutil.rmtree, parent, True)
        return os.path.join(parent, "repo")

    def _base(self, repo: Git, local: bool) -> str:
        """The base branch: ``--base``, else the checked-out branch (a checkout) or the remote's default branch."""
        if self.options.base:
            base = self.options.base
        elif local:
            current = repo.current_branch()
            if current is None:
                raise BotGitError(f"{repo.top}: HEAD is detached, so there is no branch to fix; pass --base BRANCH")
            base = current
        else:
            base = repo.default_branch()
        if repo.remote_branch(base) is None:
            raise BotGitError(f"the base branch {base!r} does not exist on {self.redact(repo.remote_url())}")
        return base

    def _run(self, stack: ExitStack) -> None:
        o = self.options
        repo, location, token, local = self._open(stack)
        if local:
            repo.refuse_dirty()
        base = self._base(repo, local)
        base_sha = repo.fetch(base)
        self.outcome.base = base
        tree, tree_repo = stack.enter_context(repo.worktree(base_sha))
        resolver = repository_settings(tree, o.overrides, isolated=o.override_repo_config)
        # The repository's [bot] table (its opt-out above all) counts even with --override-repo-config.
        config = bot_settings(repository_settings(tree, {}) if o.override_repo_config else resolver, tree)
        if not config.get("enabled", True):
            return self._finish("skipped", "the repository opts out of the bot ([bot] enabled = false)")
        changes = fix_tree(tree, resolver, jobs=o.jobs)
        if o.verify_with is not None and changes.changed:
            changes, self.verification = keep_verified(tree, changes, resolver, Verifier(o.verify_with))
            self.outcome.verification = self.verification.rows()
            if not changes.changed:
                self._record(changes)
                return self._finish("skipped", "no fix verified, so nothing is committed")
        branch = bot_branch(o.branch, config, changes)
        if branch == base:
            raise BotGitError(f"the bot's branch and the base are both {branch!r}; pass another --branch")
        self.outcome.branch = branch
        self._record(changes)
        forge = None
        if location is not None and not o.no_pr:
            forge = stack.enter_context(self.forge_factory(location, token.value if token else None))
        pr = forge.find_pull_request(branch, base) if forge is not None else None
        if pr is not None:
            self.outcome.pull_request = pr.url
        remote_sha = repo.remote_branch(branch)
        if remote_sha is not None:
            repo.fetch(branch, depth=1)
        if not changes.changed:
            return self._nothing_to_fix(repo, forge, pr, branch, remote_sha)
        self._propose(repo, tree_repo, forge, pr, changes, config, base, base_sha, branch, remote_sha)

    # -- decisions ------------------------------------------------------------------------------------------

    def _record(self, changes: ChangeSet) -> None:
        self.outcome.files = len(changes.files)
        self.outcome.fixes = changes.fix_count
        self.outcome.rules = {code: count for code, _, count in changes.rule_counts()}
        if self.options.dry_run == "diff":
            self.outcome.diff = changes.diff()

    def _nothing_to_fix(self, repo: Git, forge: Forge | None, pr: PullRequest | None, branch: str,
                        remote_sha: str | None) -> None:
        """No changes: no branch, no commit, no PR; an open dfix PR that is no longer needed is closed."""
        dry = self.options.dry_run is not None
        if pr is not None and pr.state == "open" and forge is not None:
            if dry:
                return self._finish("closed", f"would close #{pr.number}: nothing left to fix")
            forge.close_pull_request(pr, closing_comment())
            if remote_sha is not None and repo.written_by_bot(remote_sha, self.options.author):
                repo.delete_remote_branch(branch, expected=remote_sha)
            return self._finish("closed", f"closed #{pr.number}: nothing left to fix")
        self._finish("unchanged", "nothing to fix: no branch, commit or pull request made")

    def _propose(self, repo: Git, tree_repo, forge: Forge | None, pr: PullRequest | None, changes: ChangeSet,
                 config: Mapping[str, Any], base: str, base_sha: str, branch: str, remote_sha: str | None) -> None:
        o = self.options
        dry = o.dry_run is not None
        would = "would " if dry else ""
        fingerprint = changes.fingerprint
        marker = read_marker(pr.body) if pr is not None else None
        recreate = o.recreate_closed if o.recreate_closed is not None else bool(config.get("recreate-closed"))
        if pr is not None and pr.state == "closed" and marker is not None and marker.fingerprint == fingerprint \
                and not recreate:
            return self._finish("skipped", f"#{pr.number} proposed exactly these changes and was closed unmerged "
                                           "(--recreate-closed proposes them again)")
        is_open = pr is not None and pr.state == "open"
        regenerate = is_open and rebase_requested(pr.body)
        bots_branch = remote_sha is not None and repo.written_by_bot(remote_sha, o.author)
        branch_current = (
            bots_branch
            and repo.fingerprint_of(remote_sha) == fingerprint
            and [p.hexsha for p in repo.commit(remote_sha).parents] == [base_sha]
        )
        if branch_current and not regenerate and (forge is None or (
                is_open and marker is not None and marker.fingerprint == fingerprint and marker.base == base_sha)):
            self.outcome.commit = remote_sha
            return self._finish("unchanged", f"#{pr.number} is up to date" if is_open else f"{branch} is up to date")
        if remote_sha is not None and not bots_branch:
            if is_open and forge is not None and not dry:
                forge.comment(pr, summary_comment(changes))
            return self._finish("skipped", f"{branch} has commits that are not dfix's; {would}not push over them"
                                + (f" ({would}comment on #{pr.number} instead)" if is_open else ""))
        creating = forge is not None and not is_open
        if creating and not self.budget.allows():
            return self._finish("skipped", "--max-prs reached: not opening another pull request in this run")
        semantic = self._semantic(repo, base_sha)
        commit_subject = subject(changes, semantic=semantic, template=o.commit_message or config.get("commit-message"))
        title = subject(changes, semantic=semantic, template=o.title or config.get("title")) \
            if (o.title or config.get("title")) else commit_subject
        message = commit_message(changes, commit_subject, signoff=o.author if o.signoff else None)
        pr_body = body(changes, base=base_sha, verification=self.verification)
        if dry:
            action = "push" if forge is None else ("update #%d" % pr.number if is_open else "open a pull request")
            return self._finish("updated" if is_open else ("pushed" if forge is None else "created"),
                                f"would commit {len(changes.files)} file(s) on {base} and {action}")
        if branch_current:
            sha = remote_sha
        else:
            sha = repo.commit_files(tree_repo, [c.path for c in changes.files], message, o.author)
            if is_local_target(self.target):
                repo.set_local_branch(branch, sha)
            repo.push(branch, sha, expected=remote_sha)
        self.outcome.commit = sha
        if forge is None:
            return self._finish("pushed", f"pushed {branch} ({sha[:12]}); no pull request (--no-pr)")
        if is_open:
            updated = forge.update_pull_request(pr, title=title, body=pr_body, base=base)
            self.outcome.pull_request = updated.url
            return self._finish("updated", f"updated #{updated.number}")
        labels = tuple(dict.fromkeys((*tuple(config.get("labels") or ()), *o.labels)))
        reviewers = tuple(dict.fromkeys((*tuple(config.get("reviewers") or ()), *o.reviewers)))
        draft = o.draft if o.draft is not None else bool(config.get("draft"))
        created = forge.create_pull_request(head=branch, base=base, title=title, body=pr_body, draft=draft,
                                            labels=labels, reviewers=reviewers, assignees=o.assignees)
        self.budget.spend()
        self.outcome.pull_request = created.url
        warnings = "; ".join(getattr(forge, "warnings", ()))
        return self._finish("created", f"opened #{created.number}" + (f" (not applied: {warnings})" if warnings else ""))

    def _semantic(self, repo: Git, base_sha: str) -> bool:
        choice = self.options.semantic_commits
        return choice == "on" or (choice == "auto" and repo.conventional_history(base_sha))


def run_repository(target: str, options: BotOptions, *, budget: Budget | None = None,
                   forge_factory: ForgeFactory = _default_forge, environ: Mapping[str, str] | None = None) -> Outcome:
    """Run the bot on one repository (a checkout folder or a clone URL)."""
    return RepositoryRun(target, options, budget=budget or Budget(options.max_prs), forge_factory=forge_factory,
                         environ=environ).run()


def run_repositories(targets: list[str], options: BotOptions, *, forge_factory: ForgeFactory = _default_forge,
                     environ: Mapping[str, str] | None = None,
                     on_outcome: Callable[[Outcome], None] | None = None) -> list[Outcome]:
    """Every target, one after another; one repository's failure does not stop the others.

    A refused token stops the run early (the rest would fail the same way);
    the repositories not reached are reported as skipped.
    """
    budget = Budget(options.max_prs)
    outcomes: list[Outcome] = []
    stopped = False
    for target in targets:
        if stopped:
            outcome = Outcome(target, "skipped", "not reached: the forge refused the token earlier in this run",
                              dry_run=options.dry_run is not None)
        else:
            outcome = run_repository(target, options, budget=budget, forge_factory=forge_factory, environ=environ)
            stopped = outcome.auth_failed
        outcomes.append(outcome)
        if on_outcome is not None:
            on_outcome(outcome)
    return outcomes
