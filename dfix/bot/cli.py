"""``dfix bot run`` and ``dfix bot plan``: the pull-request bot's command line (ux.md §11).

Tokens come only from the environment (a command-line argument would show
in process lists); the per-repository table goes to stderr, patches of
``--dry-run=diff`` to stdout, and ``--report FILE`` writes the results as
JSON for automation.

Exit codes: 0 done (whatever the outcomes), 1 with
``--exit-non-zero-on-changes`` when a pull request was or would be opened
or updated (or a branch pushed), 2 when nothing could be done (bad usage,
the only repository failed, a refused token), 3 when some repositories
failed and others were processed.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Sequence

import click
from rich.console import Console
from rich.table import Table

from dfix.terminal import emit, split_codes, stream_is_terminal, use_color

from dfix.verify.builders import BUILDER_NAMES, BuilderUnavailable, find_builder

from .gitops import DEFAULT_AUTHOR, Author
from .run import BotOptions, Outcome, run_repositories

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
#: Outcomes that change something remote (or would, in a dry run).
CHANGING = frozenset({"created", "updated", "pushed", "closed"})
_STYLES = {"created": "green", "updated": "cyan", "pushed": "cyan", "closed": "yellow", "unchanged": "dim",
           "skipped": "yellow", "error": "bold red"}


def read_repos_file(path: str) -> list[str]:
    """One repository per line; blank lines and ``#`` comments ignored."""
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().splitlines()
    except OSError as error:
        raise click.BadParameter(f"{path}: {error.strerror or error}", param_hint="--repos") from None
    return [line.split("#", 1)[0].strip() for line in lines if line.split("#", 1)[0].strip()]


def result_table(outcomes: Sequence[Outcome], *, dry_run: bool) -> Table:
    table = Table(title="dfix bot (dry run: nothing pushed or opened)" if dry_run else "dfix bot",
                  title_justify="left", show_lines=False)
    for column in ("repository", "files", "fixes", "pull request", "status"):
        table.add_column(column, justify="right" if column in ("files", "fixes") else "left", overflow="fold")
    for outcome in outcomes:
        status = ("would be " if outcome.dry_run and outcome.status in CHANGING else "") + outcome.status
        table.add_row(outcome.repository, str(outcome.files), str(outcome.fixes), outcome.pull_request or "-",
                      f"[{_STYLES.get(outcome.status, '')}]{status}[/]")
    return table


def exit_code(outcomes: Sequence[Outcome], *, exit_non_zero_on_changes: bool) -> int:
    errors = sum(o.status == "error" for o in outcomes)
    if outcomes and (errors == len(outcomes) or any(o.auth_failed for o in outcomes)):
        return 2
    if errors:
        return 3
    if exit_non_zero_on_changes and any(o.status in CHANGING for o in outcomes):
        return 1
    return 0


def bot_options(function):
    """The options ``run`` and ``plan`` share."""
    options = [
        click.argument("repositories", nargs=-1),
        click.option("--repos", "--repos-file", "repos_file", type=click.Path(dir_okay=False),
                     help="A file listing repositories (checkouts or clone URLs), one per line."),
        click.option("--here", is_flag=True, help="The checkout in the current folder (CI cron jobs)."),
        click.option("--base", help="Branch to fix and target [default: a checkout's branch, else the remote's default]."),
        click.option("--branch", help="The bot's branch [default: [bot] branch, else dfix/autofix]."),
        click.option("--author", "author_text", metavar="'NAME <EMAIL>'", help=f"Commit author [default: {DEFAULT_AUTHOR}]."),
        click.option("--commit-message", metavar="TEMPLATE", help="Commit subject; {files} and {fixes} are filled in."),
        click.option("--title", metavar="TEMPLATE", help="Pull-request title [default: the commit subject]."),
        click.option("--semantic-commits", type=click.Choice(["auto", "on", "off"]), default="auto", show_default=True,
                     help="Conventional-Commits subject; auto follows the repository's history."),
        click.option("--label", "labels", multiple=True, help="Label for the pull request (repeatable)."),
        click.option("--reviewer", "reviewers", multiple=True, help="Reviewer to request (repeatable)."),
        click.option("--assignee", "assignees", multiple=True, help="Assignee of the pull request (repeatable)."),
        click.option("--draft", is_flag=True, default=None, help="Open the pull request as a draft."),
        click.option("--signoff", is_flag=True, help="Add a Signed-off-by trailer (DCO repositories)."),
        click.option("--recreate-closed", is_flag=True, default=None,
                     help="Propose again a change whose pull request was closed unmerged."),
        click.option("--no-pr", is_flag=True, help="Only push the branch; open no pull request."),
        click.option("--platform", type=click.Choice(["github", "gitlab"]), help="The forge [default: from the URL]."),
        click.option("--api-url", help="API base (GitHub Enterprise, self-hosted GitLab) [default: from the URL]."),
        click.option("--project", help="owner/name on the forge, when the remote URL does not say (file:// remotes)."),
        click.option("--token-env", metavar="NAME",
                     help="Environment variable holding the token [default: DFIX_GITHUB_TOKEN, GITHUB_TOKEN, GH_TOKEN "
                          "or DFIX_GITLAB_TOKEN, GITLAB_TOKEN]."),
        click.option("--select", multiple=True, metavar="CODES", help="Rules to run in addition to the repository's."),
        click.option("--ignore", multiple=True, metavar="CODES", help="Rules not to run, in addition to the repository's."),
        click.option("--unsafe-fixes", is_flag=True, default=None, help="Also apply fixes that may change the image."),
        click.option("--verify", is_flag=True,
                     help="Build each changed Dockerfile before and after; commit only the fixes that verify (see dfix verify)."),
        click.option("--builder", type=click.Choice(["auto", *BUILDER_NAMES]), default="auto", show_default=True,
                     help="With --verify: which builder builds the images (auto: the first that works here)."),
        click.option("--builder-storage", type=click.Path(file_okay=False), default=None, metavar="DIR",
                     help="With --verify and buildah: a storage folder of its own (kept with its driver) [default: buildah's]."),
        click.option("--offline", is_flag=True, default=None, help="Answer base-image lookups from the cache only."),
        click.option("--cache-dir", type=click.Path(file_okay=False), help="Where registry answers and ShellCheck's findings are kept between runs."),
        click.option("--override-repo-config", is_flag=True,
                     help="Ignore the repositories' configuration: only these flags apply."),
        click.option("--max-prs", type=click.IntRange(min=0), help="Open at most N new pull requests in this run."),
        click.option("--jobs", "-j", type=click.IntRange(min=1), default=1, show_default=True,
                     help="Worker processes per repository."),
        click.option("--workdir", type=click.Path(file_okay=False), help="Where clones go [default: a temporary folder]."),
        click.option("--keep-clones", is_flag=True, help="Keep the clones after the run."),
        click.option("--report", "report_file", type=click.Path(dir_okay=False), help="Write per-repository results as JSON."),
        click.option("--exit-non-zero-on-changes", is_flag=True,
                     help="Exit 1 when a pull request was (or would be) opened, updated or closed."),
        click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True),
    ]
    for option in reversed(options):
        function = option(function)
    return function


@click.group("bot", context_settings=CONTEXT_SETTINGS)
def bot_group() -> None:
    """Fix repositories and open or update one pull request each.

    \b
    dfix bot run  [REPO ...] [--repos FILE] [--here] [options]
    dfix bot plan [same]            # run --dry-run: nothing pushed, nothing opened

    REPO is a checkout folder or a clone URL. Tokens come from the environment:
    DFIX_GITHUB_TOKEN, GITHUB_TOKEN or GH_TOKEN; DFIX_GITLAB_TOKEN or GITLAB_TOKEN.
    """


@bot_group.command("run", context_settings=CONTEXT_SETTINGS)
@bot_options
@click.option("--dry-run", type=click.Choice(["plan", "diff"]), is_flag=False, flag_value="plan", default=None,
              help="Show what would happen; push and open nothing (=diff also prints each patch).")
def run_command(dry_run: str | None, **values) -> None:
    """Fix each repository, push the bot's branch and open or update its pull request."""
    _run(dry_run, **values)


@bot_group.command("plan", context_settings=CONTEXT_SETTINGS)
@bot_options
@click.option("--diff", "show_diff", is_flag=True, help="Also print each repository's patch.")
def plan_command(show_diff: bool, **values) -> None:
    """What ``run`` would do, touching nothing remote (``run --dry-run``)."""
    _run("diff" if show_diff else "plan", **values)


def _targets(repositories: Sequence[str], repos_file: str | None, here: bool) -> list[str]:
    targets = list(repositories)
    if repos_file:
        targets += read_repos_file(repos_file)
    if here:
        targets.append(os.getcwd())
    if not targets:
        raise click.UsageError("name a repository (a checkout or a clone URL), --repos FILE, or --here")
    return targets


def _run(dry_run: str | None, *, repositories, repos_file, here, base, branch, author_text, commit_message, title,
         semantic_commits, labels, reviewers, assignees, draft, signoff, recreate_closed, no_pr, platform, api_url, project,
         token_env, select, ignore, unsafe_fixes, verify, builder, builder_storage, offline, cache_dir, override_repo_config,
         max_prs, jobs, workdir, keep_clones, report_file, exit_non_zero_on_changes, color) -> None:
    targets = _targets(repositories, repos_file, here)
    if (builder != "auto" or builder_storage) and not verify:
        raise click.UsageError("--builder and --builder-storage need --verify")
    verify_with = None
    if verify:
        try:
            verify_with = find_builder(builder, Path(builder_storage).resolve() if builder_storage else None)
        except BuilderUnavailable as error:
            emit(f"dfix: cannot verify: no builder available: {error}\n", err=True)
            sys.exit(2)
    try:
        author = Author.parse(author_text) if author_text else DEFAULT_AUTHOR
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--author") from None
    selection = "lint.select" if override_repo_config else "lint.extend-select"
    rejection = "lint.ignore" if override_repo_config else "lint.extend-ignore"
    overrides = {key: value for key, value in {
        selection: split_codes(select),
        rejection: split_codes(ignore),
        "unsafe-fixes": unsafe_fixes,
        "network": "offline" if offline else None,
        "cache-dir": os.path.abspath(cache_dir) if cache_dir else None,
    }.items() if value not in (None, [])}
    options = BotOptions(
        base=base, branch=branch, author=author, title=title, commit_message=commit_message,
        semantic_commits=semantic_commits, labels=tuple(labels), reviewers=tuple(reviewers), assignees=tuple(assignees), draft=draft,
        signoff=signoff, recreate_closed=recreate_closed, dry_run=dry_run, no_pr=no_pr, platform=platform,
        api_url=api_url, project=project, token_env=token_env, overrides=overrides,
        override_repo_config=override_repo_config, jobs=jobs, workdir=workdir, keep_clones=keep_clones,
        max_prs=max_prs, verify_with=verify_with,
    )
    if workdir:
        Path(workdir).mkdir(parents=True, exist_ok=True)
    colored = use_color(color, sys.stderr)
    # Logs and pipes get a wide table: a wrapped row is hard to grep.
    width = None if stream_is_terminal(sys.stderr) else 240
    console = Console(stderr=True, no_color=not colored, force_terminal=colored, highlight=False, width=width)

    def progress(outcome: Outcome) -> None:
        if outcome.diff:
            emit(outcome.diff)
        # One line per repository as it finishes: the table's details, greppable, never wrapped.
        console.print(f"{outcome.repository}: {outcome.status}: {outcome.detail}", markup=False, soft_wrap=True)

    from dfix.config import ConfigError
    from dfix.engine import SelectorError

    try:
        outcomes = run_repositories(targets, options, on_outcome=progress)
    except (ConfigError, SelectorError) as error:
        emit(f"dfix: error: {error}\n", err=True)
        sys.exit(2)
    console.print(result_table(outcomes, dry_run=dry_run is not None))
    if report_file:
        document = {"dry_run": dry_run is not None, "repositories": [o.as_json() for o in outcomes]}
        with open(report_file, "w", encoding="utf-8") as handle:
            json.dump(document, handle, indent=2)
            handle.write("\n")
    sys.exit(exit_code(outcomes, exit_non_zero_on_changes=exit_non_zero_on_changes))
