"""DF252 curl-without-fail: ``curl`` keeps an HTTP error page as the download (no ``--fail``)."""

from __future__ import annotations

from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Invalid, Rule, RunView, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.shell import Option, ShellScript, SimpleCommand

from ._downloads import CURL, has_any, options_of, pipe_reader, powershell_alias, stdout_redirect

#: Options that make curl fail on an HTTP error status.
_FAIL = ("-f", "--fail", "--fail-with-body")
#: Options that show the author handles the status, or wants headers only.
_STATUS_HANDLED = ("-w", "--write-out", "-I", "--head")
#: Outputs that keep nothing.
_DISCARDED = frozenset({"/dev/null", "-"})

#: Programs that fail on empty input, so the build still stops when ``curl -f`` fails in a pipe without
#: pipefail: decompressors and key importers.
_FAIL_ON_EMPTY = frozenset({
    "gunzip", "zcat", "gzip", "bunzip2", "bzip2", "bzcat", "xz", "unxz", "xzcat", "zstd", "unzstd",
    "gpg", "gpg2", "apt-key",
})
#: Programs that turn what they read into something that lasts: an archive unpacked, a script run, a file.
_CONSUMERS = _FAIL_ON_EMPTY | frozenset({
    "sh", "bash", "ash", "dash", "zsh", "ksh", "tar", "bsdtar", "cpio", "funzip", "perl", "ruby", "node", "php",
    "tee", "dd", "rpm",
})
_PYTHON = lazy_pattern(r"python[\d.]*")
#: ``tar`` reading compressed input fails on an empty stream too.
_TAR_COMPRESSED = lazy_pattern(r"^-?[A-Za-z]*[zjJ][A-Za-z]*$|^--(gzip|gunzip|bzip2|xz|zstd|lzma|auto-compress)$")


def _reader_name(reader: SimpleCommand) -> str | None:
    name = reader.name
    if name is not None and _PYTHON.fullmatch(name):
        return "python"
    return name


def _fails_on_empty(reader: SimpleCommand) -> bool:
    name = _reader_name(reader)
    if name == "tar":
        return any(_TAR_COMPRESSED.match(word.value or "") for word in reader.args)
    return name in _FAIL_ON_EMPTY


def _pipefail(context: Context, view: RunView, model: ShellScript, command: SimpleCommand) -> bool:
    """``pipefail`` is on for ``command``: the SHELL sets it, or ``set -o pipefail`` ran before it."""
    if any("pipefail" in part for part in context.shell_for(view.run)):
        return True
    return any(
        other.name == "set" and other.start < command.start and other.is_top_level
        and any(word.value == "pipefail" for word in other.args)
        for other in model.commands
    )


def _bundle(options: tuple[Option, ...]) -> Option | None:
    """The first bundle of short flags without an argument (``-sSL``), where ``f`` joins best."""
    for option in options:
        word = option.words[0]
        if not option.has_argument and option.letters.isalpha() and word.value == word.text and not word.text.startswith("--"):
            return option
    return None


class CurlWithoutFail(Rule):
    """``curl`` that saves or pipes a download without ``--fail``: an HTTP error page becomes the artifact.

    **What:** ``curl`` that writes the response to a file (``-o FILE``,
    ``-O``, ``> FILE``) or pipes it into a program that keeps or runs it
    (``| tar``, ``| sh``, ``| gpg --dearmor``, ``| tee``), without ``-f``,
    ``--fail`` or ``--fail-with-body``. Not reported: ``-w``/``--write-out``
    or ``-I`` (the author reads the status), output to ``/dev/null``, and
    output read by a filter (``| grep``, ``| jq``), and a ``curl`` given
    PowerShell parameters (``-OutFile``, ``-Uri``: PowerShell's alias).

    **Why.** Without ``-f`` curl exits 0 on a 404 or 500 and writes the
    error page: the build goes on with an HTML page saved as a binary,
    installed as a key, or unpacked, and fails later (or at run time) far
    from the cause.

    **Fix** (unsafe): add ``f`` to the first flag bundle (``-sSL`` →
    ``-fsSL``), else `` -f`` after ``curl``. The build then fails where the
    download fails, which is the point, but it changes the outcome of a
    build that "worked" on an error page.

    **Not fixed:** a pipe into a program that accepts empty input (a shell,
    an interpreter, ``tee``, plain ``tar``) while ``pipefail`` is off: with
    ``-f`` curl would write nothing, the pipe's status would be the reader's
    and the build would go on silently without the install, worse than
    today's loud failure on an HTML page. Set ``pipefail`` (DF628), or
    download to a file first. A pipe into a program that fails on an error
    page anyway (``tar -z``, ``gpg``) while ``pipefail`` is off and ``-s``
    (without ``-S``) silences curl: ``-f`` would change nothing the build log
    shows. Exec-form and heredoc RUNs are reported only.
    """

    code = "DF252"
    name = "curl-without-fail"
    summary = "`curl` without `--fail` keeps an HTTP error page as the download"
    safety = Safety.UNSAFE

    valid = (
        Valid("FROM debian:12\nRUN curl -fsSLo /tmp/a.tgz https://example.com/a.tgz\n"),
        Valid("FROM debian:12\nRUN curl --fail-with-body -sS https://example.com/a.sh | sh\n"),
        Valid('FROM debian:12\nRUN curl -s -o /dev/null -w "%{http_code}" https://example.com/ | grep -q 200\n',
              "the status is read"),
        Valid("FROM debian:12\nRUN curl -s https://api.github.com/repos/a/b/releases/latest | jq -r .tag_name\n",
              "a filter reads it"),
        Valid("FROM debian:12\nRUN curl -sSL https://example.com/health\n", "printed, not kept"),
    )
    invalid = (
        Invalid(
            "FROM debian:12\nRUN curl -sSL https://example.com/tool -o /usr/local/bin/tool && chmod +x /usr/local/bin/tool\n",
            "FROM debian:12\nRUN curl -fsSL https://example.com/tool -o /usr/local/bin/tool && chmod +x /usr/local/bin/tool\n",
            "the flag joins the bundle",
            unsafe=True,
            message="`curl` without `--fail` saves an HTTP error page (404, 500) as the download",
            line=2, column=5,
        ),
        Invalid(
            "FROM debian:12\nRUN curl https://example.com/a.tar.gz | tar -xz -C /opt\n",
            "FROM debian:12\nRUN curl -f https://example.com/a.tar.gz | tar -xz -C /opt\n",
            "tar -z fails on empty input, so the build still stops",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN curl -sL https://example.com/a.tar.gz | tar -xz -C /opt\n",
            None,
            "tar fails on the error page already, and -s would hide curl's message: -f changes nothing",
        ),
        Invalid(
            "FROM debian:12\nRUN curl -sSL https://example.com/a.tar.gz | tar -xz -C /opt\n",
            "FROM debian:12\nRUN curl -fsSL https://example.com/a.tar.gz | tar -xz -C /opt\n",
            "-S shows curl's own message: the log says the download failed, not that the archive is broken",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN curl -L https://example.com/key.asc > /etc/apt/trusted.gpg.d/example.asc\n",
            "FROM debian:12\nRUN curl -fL https://example.com/key.asc > /etc/apt/trusted.gpg.d/example.asc\n",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN curl -sSL https://get.example.com/install.sh | bash -s -- --yes\n",
            None,
            "without pipefail, -f would let bash run an empty script and succeed: reported only",
        ),
        Invalid(
            'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
            "RUN curl -sSL https://get.example.com/install.sh | bash\n",
            'FROM debian:12\nSHELL ["/bin/bash", "-o", "pipefail", "-c"]\n'
            "RUN curl -fsSL https://get.example.com/install.sh | bash\n",
            "pipefail makes curl's failure the pipe's",
            unsafe=True,
        ),
        Invalid(
            "FROM debian:12\nRUN curl --silent --location --output /tmp/a.zip https://example.com/a.zip\n",
            "FROM debian:12\nRUN curl -f --silent --location --output /tmp/a.zip https://example.com/a.zip\n",
            "no flag bundle to join",
            unsafe=True,
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        for view in context.shell_runs():
            model = view.model
            assert model is not None
            for command in model.commands_named("curl"):
                diagnostic = self._check_command(context, view, model, command)
                if diagnostic is not None:
                    yield diagnostic

    def _check_command(self, context: Context, view: RunView, model: ShellScript,
                       command: SimpleCommand) -> Diagnostic | None:
        options = options_of(command, CURL)
        if has_any(options, *_FAIL) or has_any(options, *_STATUS_HANDLED) or powershell_alias(command):
            return None
        where = view.span(command.start, command.end)
        pipe = pipe_reader(model, command)
        reader = pipe.reader if pipe is not None else None
        saved = self._saves(options, command)
        if not saved and (reader is None or _reader_name(reader) not in _CONSUMERS
                          and _reader_name(reader) != "python"):
            return None
        if saved:
            message = "`curl` without `--fail` saves an HTTP error page (404, 500) as the download"
        else:
            message = f"`curl` without `--fail` pipes an HTTP error page (404, 500) into `{reader.name}`"
        why_not = None
        if view.script is None:
            why_not = view.guard.note if view.guard is not None else "the RUN cannot be edited"
        elif command.name_word is None or command.name_word.value is None:
            why_not = "the program is not a literal word"
        elif not saved and not _fails_on_empty(reader) and not _pipefail(context, view, model, command):
            why_not = (f"without pipefail, a failing `curl -f` would leave `{reader.name}` an empty input and the "
                       "build would go on without the download; set pipefail (DF628) or save to a file first")
        elif (not saved and has_any(options, "-s", "--silent") and not has_any(options, "-S", "--show-error")
              and not _pipefail(context, view, model, command)):
            # the reader fails on the error page as on empty input, and curl would fail silently
            why_not = (f"`{reader.name}` already fails on an error page, and `-s` would hide curl's own message, "
                       "so `-f` would change nothing; set pipefail (DF628) to stop the build at curl")
        if why_not is not None:
            return self.diagnostic(where, message, note=f"not fixed: {why_not}")
        bundle = _bundle(options)
        script = view.script
        assert script is not None and command.name_word is not None
        edit: Edit = (script.insert(bundle.words[0].start + 1, "f") if bundle is not None
                      else script.insert(command.name_word.end, " -f"))
        return self.diagnostic(
            where, message, [edit], title="add `-f`",
            assumes="the download is meant to succeed: an HTTP error now fails the build instead of being kept",
        )

    @staticmethod
    def _saves(options: tuple[Option, ...], command: SimpleCommand) -> bool:
        """The response goes to a file: ``-O``, ``-o FILE``, ``--output FILE`` or a stdout redirection."""
        if has_any(options, "-O", "--remote-name", "--remote-name-all"):
            return True
        for option in options:
            if option.matches("-o") or option.matches("--output"):
                if option.argument not in _DISCARDED:
                    return True
        target = stdout_redirect(command)
        return target is not None and target not in _DISCARDED
