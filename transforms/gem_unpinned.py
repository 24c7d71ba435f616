"""DF236 gem-unpinned: ``gem install`` without a version (hadolint's DL3028)."""

from __future__ import annotations

from dfix.engine import Invalid, Valid
from dfix.shell import PackageCommand, Word, has_option

from ._unpinned import PinSyntax, UnpinnedRule, contains_any, ends_with_any

#: ``rails:7.1.3`` (or ``-v``/``--version`` for the whole command); a ``.gem`` file is exact.
GEM = PinSyntax(how="`gem:<version>` or `-v <version>`", pinned=contains_any(":"), exact=ends_with_any(".gem"))


class GemUnpinned(UnpinnedRule):
    """``gem install`` without a version: each rebuild may install a newer gem.

    **What** (hadolint's DL3028): ``gem install``/``gem i`` naming a gem
    without ``:version``, in a command without ``-v``/``--version``. A
    local ``.gem`` file counts as pinned (hadolint reports it).

    **Why.** ``gem install bundler`` installs the newest Bundler, which can
    refuse the Gemfile.lock the image was built for.

    **Fix:** none (report only): the version is the author's choice.

    One finding per command, naming its unpinned gems (hadolint: one per RUN).
    """

    code = "DF236"
    name = "gem-unpinned"
    summary = "`gem install` without a version"
    aliases = ("DL3028",)
    syntax = GEM

    valid = (
        Valid("FROM ruby:3.3\nRUN gem install bundler:2.5.9 rake:13.2.1\n"),
        Valid("FROM ruby:3.3\nRUN gem install bundler -v 2.5.9 --no-document\n"),
        Valid("FROM ruby:3.3\nRUN gem install --version '~> 2.5' bundler\n"),
        Valid("FROM ruby:3.3\nRUN gem install ./pkg/app-1.0.0.gem && gem update --system\n"),
    )
    invalid = (
        Invalid(
            "FROM ruby:3.3\nRUN gem install bundler --no-document\n",
            message="`gem install` of unpinned package `bundler`: pin each version (`gem:<version>` or `-v <version>`)",
            line=2, column=5,
        ),
        Invalid("FROM ruby:3.3\nRUN gem i rails foreman:0.87.2\n"),
    )

    def package_words(self, invocation: PackageCommand) -> tuple[Word, ...] | None:
        if invocation.manager != "gem" or invocation.subcommand not in ("install", "i"):
            return None
        if has_option(invocation, "-v", "--version"):
            return ()
        return tuple(word for word in invocation.operands if word.value != "--")  # `gem i` is no known action
