"""DF622 label-value-invalid: a label key Docker advises against, or a value that breaks the label schema's type."""

from __future__ import annotations

from typing import Iterator

import msgspec

from dfix.engine import Context, Diagnostic, Invalid, Rule, Valid

from ._labels import every_label, key_problem, label_pairs, value_problem


class LabelValueInvalid(Rule):
    """A LABEL key outside Docker's key format, or a schema label whose value is empty or not of its type.

    **What.** Two checks, hadolint's DL3048 and DL3051-DL3058:

    * every LABEL key (no configuration needed): lower-case letters, digits,
      ``.``, ``-``, ``_`` and ``/`` (hadolint 2.15 accepts the last two, though
      Docker's guide names only ``.`` and ``-``), starting with a letter and ending with a letter or
      digit, no ``..``/``--``, and not in the namespaces Docker reserves
      (``com.docker.``, ``io.docker.``, ``org.dockerproject.``); reported at
      ``style`` severity, as hadolint does;
    * a label the schema (``[lint.labels] required``) lists: not empty
      (DL3051), and of its type: ``url`` (DL3052), ``rfc3339`` (DL3053),
      ``spdx`` (DL3054), ``hash`` (DL3055), ``semver`` (DL3056, the
      founding guide's version label), ``email`` (DL3058).

    A value that holds a variable (``version=$VERSION``) is known only at
    build time and is not judged (hadolint judges the text ``$VERSION`` and
    reports it); a key with a variable likewise.

    **Why.** Tools that read labels (registries, OCI annotation readers,
    license scanners) expect these formats; a malformed one is silently
    ignored or misread.

    **Fix**: none; the right value is the author's.
    """

    code = "DF622"
    name = "label-value-invalid"
    summary = "A label key outside Docker's format, or a value that breaks the label schema"
    aliases = ("DL3048", "DL3051", "DL3052", "DL3053", "DL3054", "DL3055", "DL3056", "DL3058")
    options = {"required": {}}

    _SCHEMA = {"required": {"version": "semver", "org.opencontainers.image.source": "url",
                            "org.opencontainers.image.created": "rfc3339", "org.opencontainers.image.licenses": "spdx",
                            "org.opencontainers.image.revision": "hash", "maintainer": "email", "description": "text"}}

    valid = (
        Valid('FROM debian\nLABEL org.opencontainers.image.title="app" maintainer=ops@example.com\n'),
        Valid('FROM debian\nLABEL version=1.4.2 org.opencontainers.image.source=https://github.com/org/app '
              'org.opencontainers.image.created=2024-05-01T12:00:00Z org.opencontainers.image.licenses=Apache-2.0 '
              'org.opencontainers.image.revision=0f3a9c1 maintainer="ops@example.com" description="An app"\n',
              options=_SCHEMA),
        Valid("FROM debian\nARG VERSION\nLABEL version=$VERSION\n", "known only at build time", options=_SCHEMA),
        Valid("FROM debian\nLABEL version=v1\n", "no schema: values are not judged"),
    )
    invalid = (
        Invalid("FROM debian\nLABEL Maintainer=ops@example.com\n",
                message="Label key `Maintainer` must use only lower-case letters, digits, `.`, `-`, `_` and `/`",
                line=2, column=1),
        Invalid("FROM debian\nLABEL com.docker.extension=1\n", None, "a reserved namespace"),
        Invalid("FROM debian\nLABEL version=v1.2\n", options=_SCHEMA,
                message="Label `version` (v1.2) is not a semantic version (such as 1.4.2)"),
        Invalid('FROM debian\nLABEL description=""\n', None, "empty", options=_SCHEMA),
        Invalid("FROM debian\nLABEL org.opencontainers.image.source=github.com/org/app\n", None, "no scheme",
                options=_SCHEMA),
        Invalid("FROM debian\nLABEL org.opencontainers.image.created=yesterday\n", None, options=_SCHEMA),
        Invalid("FROM debian\nLABEL org.opencontainers.image.licenses=Apache2\n", None, options=_SCHEMA),
        Invalid("FROM debian\nLABEL org.opencontainers.image.revision=main\n", None, options=_SCHEMA),
        Invalid('FROM debian\nLABEL maintainer="Ops Team <ops@example.com>"\n', None, "a display name",
                options=_SCHEMA),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        required: dict[str, str] = self.settings["required"]
        escape = context.tree.escape
        for label in every_label(context):
            for pair in label_pairs(label, escape):
                problem = key_problem(pair.key)
                if problem is not None:
                    finding = self.diagnostic(label, f"Label key `{pair.key}` {problem}")
                    yield msgspec.structs.replace(finding, severity="style")
                kind = required.get(pair.key)
                if kind is None or pair.value is None:
                    continue
                if pair.value == "":
                    yield self.diagnostic(label, f"Label `{pair.key}` is empty")
                    continue
                problem = value_problem(kind, pair.value)
                if problem is not None:
                    yield self.diagnostic(label, f"Label `{pair.key}` ({pair.value}) {problem}")

