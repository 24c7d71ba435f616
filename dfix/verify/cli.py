"""``dfix verify``: build each Dockerfile before and after its fixes and prove or disprove them.

Exit codes: 0 every file proven (or nothing to fix), 1 a fix is disproved,
2 cannot verify (no builder here, or an original that does not build).
"""

from __future__ import annotations

import sys
from pathlib import Path

import click
from rich.console import Console

from dfix.config import ConfigError, ConfigResolver
from dfix.discover import collect_configured
from dfix.errors import DfixError
from dfix.syntax import read_dockerfile
from dfix.terminal import emit, split_codes, use_color
from dfix.writer import ChangedOnDiskError, write_fixed

from . import report
from .builders import BUILDER_NAMES, BuilderError, BuilderUnavailable, find_builder
from .verifier import CANNOT, Verdict, Verifier, verify_file

OUTPUT_FORMATS = ("table", "json", "sarif", "markdown")


def _fail(message: str, code: int = 2) -> None:
    emit(f"dfix: {message}\n", err=True)
    sys.exit(code)


def _overrides(select, extend_select, ignore, extend_ignore, fixable, unfixable, unsafe_fixes, extend_safe_fixes,
               extend_unsafe_fixes, offline, cache_dir) -> dict[str, object]:
    """The command line's settings, keyed as in a config file (as ``dfix check`` takes them)."""
    values = {
        "lint.select": split_codes(select) or None,
        "lint.extend-select": split_codes(extend_select),
        "lint.ignore": split_codes(ignore),
        "lint.extend-ignore": split_codes(extend_ignore),
        "lint.fixable": split_codes(fixable) or None,
        "lint.unfixable": split_codes(unfixable),
        "lint.extend-safe-fixes": split_codes(extend_safe_fixes),
        "lint.extend-unsafe-fixes": split_codes(extend_unsafe_fixes),
        "unsafe-fixes": unsafe_fixes,
        "network": "offline" if offline else None,
        "cache-dir": cache_dir,
    }
    return {key: value for key, value in values.items() if value not in (None, [], {}, ())}


@click.command("verify", context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.argument("paths", nargs=-1, type=click.Path())
@click.option("--unsafe-fixes", is_flag=True, default=None, help="Also apply (and verify) fixes that may change the image.")
@click.option("--select", multiple=True, metavar="CODES", help="Rules to run: codes, prefixes, names, aliases or ALL.")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Rules to run in addition to the selected ones.")
@click.option("--ignore", multiple=True, metavar="CODES", help="Rules not to run.")
@click.option("--extend-ignore", multiple=True, metavar="CODES", help="More rules not to run.")
@click.option("--fixable", multiple=True, metavar="CODES", help="Rules allowed to fix (default ALL).")
@click.option("--unfixable", multiple=True, metavar="CODES", help="Rules never allowed to fix.")
@click.option("--extend-safe-fixes", multiple=True, metavar="CODES", help="Rules whose unsafe fixes apply without --unsafe-fixes.")
@click.option("--extend-unsafe-fixes", multiple=True, metavar="CODES", help="Rules whose safe fixes need --unsafe-fixes.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False), envvar="DFIX_CONFIG", help="Use this config file for every input.")
@click.option("--isolated", is_flag=True, help="Ignore every configuration file.")
@click.option("--offline", is_flag=True, default=None, envvar="DFIX_OFFLINE", help="Answer base-image lookups from the cache only.")
@click.option("--cache-dir", type=click.Path(file_okay=False), envvar="DFIX_CACHE_DIR", help="Where registry answers and ShellCheck's findings are kept between runs.")
@click.option("--builder", type=click.Choice(["auto", *BUILDER_NAMES]), default="auto", show_default=True,
              help="Which builder builds the images (auto: the first that works here, buildah first).")
@click.option("--builder-storage", type=click.Path(file_okay=False), default=None, metavar="DIR",
              help="buildah: a storage folder of its own, used with the driver it was made with [default: buildah's].")
@click.option("--context", "build_context", type=click.Path(exists=True, file_okay=False), default=None, metavar="DIR",
              help="The build context [default: each Dockerfile's folder].")
@click.option("--run", "smoke", is_flag=True, help="Also start both images with their command as their user and compare.")
@click.option("--run-seconds", type=click.FloatRange(min=0.5), default=5.0, show_default=True,
              help="How long a started container must keep running (or exit 0 within).")
@click.option("--run-command", default=None, metavar="'CMD ARGS'", help="Run this instead of the image's own command.")
@click.option("--rebuild-time/--no-rebuild-time", default=True, show_default=True,
              help="When a fix reorders COPY for the cache: time a rebuild after a source edit, before and after.")
@click.option("--keep-images", is_flag=True,
              help="Keep the images built (localhost/dfix-verify-*) and so their layer cache, for a next build or a look inside.")
@click.option("--write", "-w", is_flag=True, help="Write the fixes that verify (all of them, or all but the one to blame).")
@click.option("--output-format", type=click.Choice(OUTPUT_FORMATS), default="table", show_default=True)
@click.option("--output-file", "-o", type=click.Path(dir_okay=False), help="Write the report here.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
@click.option("--quiet", "-q", is_flag=True, help="No progress lines.")
def verify_command(paths, builder, builder_storage, build_context, smoke, run_seconds, run_command, rebuild_time, keep_images, write, output_format,
                   output_file, color, quiet, config_file, isolated, **options) -> None:
    """Prove the fixes: build each Dockerfile before and after them and compare the images.

    The same fixes as `dfix --diff` with the same options. A fix is proven
    when the fixed file builds and the images differ only where the applied
    fixes declare (packages, files, config); the table shows size and layers
    before and after. Exit 0 proven, 1 disproved, 2 cannot verify.
    """
    try:
        resolver = ConfigResolver(config_file=config_file, isolated=isolated, overrides=_overrides(**options), cwd=Path.cwd())
        inputs = collect_configured(paths or (".",), resolver, Path.cwd())
    except (ConfigError, DfixError) as error:
        _fail(f"error: {error}", getattr(error, "exit_code", 2))
    for missing in inputs.missing:
        _fail(f"{missing}: no such file or folder")
    if not inputs.files:
        _fail("error: no Dockerfile found")
    try:
        chosen = find_builder(builder, Path(builder_storage) if builder_storage else None)
    except BuilderUnavailable as error:
        _fail(f"cannot verify: no builder available: {error}")
    progress = Console(stderr=True, force_terminal=use_color(color, sys.stderr), no_color=not use_color(color, sys.stderr))
    verifier = Verifier(
        chosen, run=smoke, run_seconds=run_seconds, rebuild_time=rebuild_time, keep_images=keep_images, run_command=tuple(run_command.split()) if run_command else (),
        log=(lambda message: None) if quiet else (lambda message: progress.print(f"[dim]{message}[/]", highlight=False)),
    )
    verdicts: list[Verdict] = []
    try:
        for path in inputs.files:
            verdicts.append(_verify_one(verifier, path, resolver, build_context, quiet, progress))
    except BuilderError as error:
        _fail(f"cannot verify: {chosen.name} failed: {error}")
    finally:
        verifier.cleanup()
    _print(verdicts, output_format, output_file, color)
    if write:
        _write(verdicts)
    sys.exit(max(verdict.exit_code for verdict in verdicts))


def _verify_one(verifier: Verifier, path: str, resolver: ConfigResolver, build_context: str | None, quiet: bool,
                progress: Console) -> Verdict:
    try:
        text = read_dockerfile(path)
    except OSError as error:
        return Verdict(path, CANNOT, reason=f"cannot read: {error.strerror or error}")
    if not quiet:
        progress.print(f"[bold]{path}[/]", highlight=False)
    return verify_file(verifier, path, text, resolver.settings_for(path), build_context)


def _print(verdicts: list[Verdict], output_format: str, output_file: str | None, color: str) -> None:
    if output_format == "table" and output_file is None:
        report.print_terminal(verdicts, Console(force_terminal=use_color(color, sys.stdout), no_color=not use_color(color, sys.stdout), width=160))
        return
    if output_format == "table":
        console = Console(record=True, file=open(output_file, "w", encoding="utf-8"), width=160, no_color=True)  # noqa: SIM115
        report.print_terminal(verdicts, console)
        console.file.close()
        return
    render = {"json": report.to_json, "sarif": report.to_sarif, "markdown": report.to_markdown}[output_format]
    text = render(verdicts)
    if output_file is None:
        emit(text)
    else:
        Path(output_file).write_text(text, encoding="utf-8")


def _write(verdicts: list[Verdict]) -> None:
    for verdict in verdicts:
        text = verdict.writable_text
        if text is None:
            if verdict.applied:
                emit(f"{verdict.path}: not written: {verdict.status}\n", err=True)
            continue
        try:
            if write_fixed(verdict.path, verdict.original_text, text):
                codes = verdict.verified.codes if verdict.verified else verdict.applied
                emit(f"{verdict.path}: wrote the fixes that verify ({', '.join(codes)})\n", err=True)
            if verdict.blamed:
                emit(f"{verdict.path}: {verdict.blamed} not written: {verdict.reason}\n", err=True)
        except (ChangedOnDiskError, OSError) as error:
            emit(f"{verdict.path}: not written: {error}\n", err=True)
