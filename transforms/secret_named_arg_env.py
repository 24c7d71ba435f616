"""DF500 secret-named-arg-env: an ARG or ENV whose name says it holds a secret, which the image keeps."""

from __future__ import annotations

import re
from typing import Iterator

from dfix.engine import Context, Diagnostic, Edit, Form, Invalid, Rule, Safety, Valid
from dfix.patterns import lazy_pattern
from dfix.syntax import Arg, Env, Instruction, Onbuild, Run

from ._frontend import frontend_at_least

#: BuildKit's words (matched between underscores or at the ends of the name, in any case).
SECRET_WORDS = frozenset({
    "apikey", "auth", "credential", "credentials", "key", "password", "pword", "passwd", "secret", "token",
})
#: Parts that say "secret" wherever they stand in the name (hadolint's substrings: ``DBPASSWORD``, ``APP_SECRETKEY``).
SECRET_PARTS = ("password", "passwd", "secret", "api_key", "apikey", "client_key", "private_key", "access_token")
#: Names hadolint knows to hold credentials, flagged whatever other words they hold.
KNOWN_SECRET_NAMES = frozenset({
    "ACCESS_TOKEN", "APPLICATION_KEY", "APP_SECRET", "AUTH_TOKEN", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY",
    "BITTREX_API_KEY", "BITTREX_API_SECRET", "CF_PASSWORD", "CIRCLE_TOKEN", "CI_DEPLOY_PASSWORD",
    "DOCKERHUB_PASSWORD", "DOCKER_PASSWORD", "FACEBOOK_ACCESS_TOKEN", "FACEBOOK_APP_SECRET", "FIREBASE_API_TOKEN",
    "FIREBASE_TOKEN", "FOSSA_API_KEY", "GH_ENTERPRISE_TOKEN", "GH_TOKEN", "GITHUB_ENTERPRISE_TOKEN", "GITHUB_TOKEN",
    "HEROKU_API_KEY", "NPM_AUTH_TOKEN", "NPM_TOKEN", "OKTA_CLIENT_TOKEN", "OKTA_OAUTH2_CLIENTSECRET",
    "OPENAI_API_KEY", "OS_PASSWORD", "POSTGRES_PASSWORD", "SLACK_TOKEN", "STRIPE_API_KEY", "VAULT_CLIENT_KEY",
    "VAULT_TOKEN", "HF_TOKEN", "AZURE_CLIENT_SECRET",
})
#: Words that make a secret-looking name something else: a public key or its fingerprint (``GPG_KEY`` in the
#: official images), where a secret is kept (``_FILE``, ``_PATH``, ``_DIR``, ``_URL``), or a setting about one
#: (``AUTH_ENABLED``, ``TOKEN_TTL``, ``KEY_SIZE``, ``PASSWORD_LENGTH``).
BENIGN_WORDS = frozenset({
    "public", "pub", "gpg", "pgp", "gnupg", "apt", "keyserver", "keyring", "fingerprint", "file", "files", "path", "dir",
    "version", "url", "uri", "name", "enabled", "enable", "disabled", "disable", "mode", "method", "type",
    "provider", "backend", "host", "port", "realm", "ttl", "expiry", "expire", "expires", "timeout", "length",
    "size", "len", "header", "policy", "algorithm", "alg",
})


def secret_name(name: str) -> bool:
    """Whether an ARG/ENV name says it holds a credential (BuildKit's words, hadolint's names and parts)."""
    upper = name.upper()
    if upper in KNOWN_SECRET_NAMES:
        return True
    words = [word for word in name.lower().split("_") if word]
    if any(word in BENIGN_WORDS for word in words):
        return False
    lower = name.lower()
    return any(word in SECRET_WORDS for word in words) or any(part in lower for part in SECRET_PARTS)


class SecretNamedArgEnv(Rule):
    """An ARG or ENV whose name says it holds a credential: its value stays in the image.

    **What** (BuildKit's SecretsUsedInArgOrEnv, hadolint's DL3064): an
    ``ARG`` or ``ENV`` key made of BuildKit's words (``key``, ``token``,
    ``secret``, ``password``, ``auth``, ``apikey``, ``credential(s)``,
    ``pword``, ``passwd``, between underscores: ``API_KEY``, ``GITHUB_TOKEN``),
    holding one of hadolint's parts anywhere (``DBPASSWORD``,
    ``APP_SECRETKEY``), or one of hadolint's known names
    (``AWS_SECRET_ACCESS_KEY``, ``NPM_TOKEN`` ...).

    Real files disagree with both tools in places, and real files win:
    ``GPG_KEY``/``GPG_KEYS`` in the official images is a release key's
    public fingerprint; ``POSTGRES_PASSWORD_FILE`` names where a secret is
    mounted; ``AUTH_ENABLED``, ``TOKEN_TTL``, ``KEY_SIZE`` are settings about
    one, and a value that is an absolute path (``SSL_CERT_KEY=/etc/ssl/x.pem``)
    says where a secret is kept, as a boolean or a number is a setting
    (``SECRET_VAULT_VERIFY=false``; but ``PASSWORD=123456`` is the password)
    and an empty ``ENV`` keeps nothing;
    ``USERNAME`` (hadolint flags it; devcontainers set
    ``ARG USERNAME=vscode``) is no secret. Names with such a word are not
    reported.

    **Why.** ``ENV`` values are in the image's config for anyone who pulls
    it; an ``ARG``'s value passed with ``--build-arg`` is recorded in the
    image history of every RUN that sees it. A secret mount
    (``RUN --mount=type=secret``) gives the step the value and keeps it out.

    **Fix** (unsafe), for an ``ARG`` without a default that only shell-form
    RUNs of its own stage read: the ARG goes, and each of those RUNs gets
    ``--mount=type=secret,id=<name in lower case>,env=<NAME>``, so ``$NAME``
    reads the same value there. It changes how the image is built: the
    value must be passed with ``docker build --secret id=<id>,env=<NAME>``
    instead of ``--build-arg``, and the mount's ``env=`` needs the
    Dockerfile frontend 1.10 or later, so the fix applies only to a file
    whose ``# syntax=`` line asks for such a frontend (dfix never adds or
    changes that line). Reported only: ``ENV`` (the running container may
    need the value: give it at run time instead), an ARG with a default (a
    secret written in the file: rotate it), an ARG read by anything but
    such RUNs (another instruction, exec form, an ONBUILD trigger, a global
    ARG read in FROM), ONBUILD triggers.
    """

    code = "DF500"
    name = "secret-named-arg-env"
    summary = "an ARG or ENV named like a secret, whose value the image keeps"
    safety = Safety.UNSAFE
    severity = "warning"
    aliases = ("DL3064", "SecretsUsedInArgOrEnv")

    valid = (
        Valid("FROM debian\nARG APP_VERSION=1.2\nENV PUBLIC_KEY_URL=https://example.com/key.pub\n"),
        Valid("FROM python:3.12\nENV GPG_KEY=A035C8C19219BA821ECEA86B64E628F8D684696D\n", "a public key's fingerprint"),
        Valid("FROM postgres:16\nENV POSTGRES_PASSWORD_FILE=/run/secrets/db_password\n", "where a secret is mounted"),
        Valid("FROM debian\nARG USERNAME=vscode\nENV TOKENIZERS_PARALLELISM=false\nENV MONKEY=1\n",
              "a user name, and words that only contain a secret word"),
        Valid("FROM debian\nENV AUTH_ENABLED=true KEY_SIZE=4096\n", "settings about a secret"),
        Valid("FROM debian\nENV SSL_CERT_KEY=/etc/ssl/private/server.key\n", "where a key is kept"),
        Valid("FROM debian\nENV SECRET_VAULT_VERIFY=false TOKEN_REFRESH=3600 API_TOKEN=\"\"\n",
              "settings, and an empty placeholder"),
        Valid("FROM debian\nENV APT_KEY_DONT_WARN_ON_DANGEROUS_USAGE=DontWarn\n", "a setting of apt-key"),
    )
    invalid = (
        Invalid(
            "FROM debian\nENV API_KEY=abc123\n",
            None,
            "ENV: the container may need it; reported only",
            message='Do not use ARG or ENV instructions for sensitive data (ENV "API_KEY")',
            line=2,
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\nFROM node:20\nARG NPM_TOKEN\nRUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc \\\n"
            " && npm ci && rm .npmrc\n",
            "# syntax=docker/dockerfile:1\nFROM node:20\nRUN --mount=type=secret,id=npm_token,env=NPM_TOKEN "
            "echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc \\\n"
            " && npm ci && rm .npmrc\n",
            "an ARG only a RUN reads becomes a secret mount there",
            unsafe=True,
        ),
        Invalid(
            "# syntax=docker/dockerfile:1.10\nFROM alpine\nARG GITHUB_TOKEN\nRUN apk add --no-cache git\n"
            "RUN git clone https://$GITHUB_TOKEN@github.com/acme/private.git\nRUN ls\n",
            "# syntax=docker/dockerfile:1.10\nFROM alpine\nRUN apk add --no-cache git\n"
            "RUN --mount=type=secret,id=github_token,env=GITHUB_TOKEN git clone https://$GITHUB_TOKEN@github.com/acme/private.git\n"
            "RUN ls\n",
            "only the RUNs that read it get the mount",
            unsafe=True,
        ),
        Invalid(
            "FROM node:20\nARG NPM_TOKEN\nRUN echo \"//registry.npmjs.org/:_authToken=${NPM_TOKEN}\" > .npmrc\n",
            None,
            "no `# syntax=` asking for frontend 1.10 or later: secret mounts with env= may not exist; reported only",
        ),
        Invalid("FROM debian\nENV PROXY_PASSWORD=123456\n", None, "a number named as the password is the password"),
        Invalid(
            "# syntax=docker/dockerfile:1\nFROM debian\nARG DB_PASSWORD=changeme\nRUN setup-db \"$DB_PASSWORD\"\n",
            None,
            "a default: the secret is written in the file",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\nFROM debian\nARG AWS_SECRET_ACCESS_KEY\nENV AWS_SECRET_ACCESS_KEY=$AWS_SECRET_ACCESS_KEY\n",
            None,
            "another instruction reads it",
        ),
        Invalid(
            "# syntax=docker/dockerfile:1\nFROM debian\nARG SECRET_TOKEN\nRUN [\"sh\", \"-c\", \"use $SECRET_TOKEN\"]\n",
            None,
            "an exec-form RUN",
        ),
    )

    def check(self, context: Context) -> Iterator[Diagnostic]:
        syntax_ok = frontend_at_least(context.tree.directive("syntax"), 10)  # secret mounts with env=
        for instruction in context.tree.instructions:
            target, trigger = instruction, False
            if isinstance(instruction, Onbuild):
                inner = getattr(instruction, "trigger", None)
                if not isinstance(inner, (Arg, Env)):
                    continue
                target, trigger = inner, True
            if not isinstance(target, (Arg, Env)):
                continue
            keyword = "ARG" if isinstance(target, Arg) else "ENV"
            for key, value in target.pairs:
                if not secret_name(key) or _names_a_path(value) or _a_setting(key, value):
                    continue
                if isinstance(target, Env) and not (value or "").strip("\"' "):
                    continue  # an empty placeholder keeps nothing
                message = f'Do not use ARG or ENV instructions for sensitive data ({keyword} "{key}")'
                if isinstance(target, Env) or trigger:
                    why = ("an ONBUILD trigger runs in another build" if trigger else
                           "ENV is the running container's: give the value at run time (`docker run -e`, a secret "
                           "of the orchestrator), or use a secret mount in the RUNs that need it")
                    yield self.diagnostic(instruction, message, note=f"not fixed: {why}")
                    continue
                yield self._arg_finding(context, instruction, key, value, message, syntax_ok)

    def _arg_finding(self, context: Context, arg: Instruction, key: str, value: str | None, message: str,
                     syntax_ok: bool) -> Diagnostic:
        why = None
        if value is not None:
            why = "the ARG has a default, a secret written in the file (rotate it, and drop the default)"
        elif len(arg.pairs) != 1:
            why = "the ARG declares several names"
        elif context.stage_of(arg) is None:
            why = "a global ARG (it may be read in FROM)"
        runs: list[Run] = []
        if why is None:
            why, runs = _readers(context, arg, key)
        if why is None and not runs:
            why = "no RUN of its stage reads it"
        if why is None and not syntax_ok:
            why = ("a secret mount's env= needs the Dockerfile frontend 1.10 or later; add "
                   "`# syntax=docker/dockerfile:1` as the file's first line to let dfix move it there")
        if why is not None:
            return self.diagnostic(arg, message, note=f"not fixed: {why}")
        mount = f" --mount=type=secret,id={key.lower()},env={key}"
        edits = [Edit(arg.span.start, arg.span.end, "")]
        edits += [Edit(run.keyword_token.end_pos, run.keyword_token.end_pos, mount) for run in runs]
        return self.diagnostic(
            arg, message, edits,
            title="read it from a secret mount",
            assumes=f"the build passes the value with `--secret id={key.lower()},env={key}` (from an environment "
                    f"variable {key}) instead of `--build-arg {key}=...`",
        )


#: Values that are settings, not secrets (``GLUU_SECRET_VAULT_VERIFY=false``, ``JWT_TOKEN_TTL=3600``).
_SETTING = lazy_pattern(r"^[\"']?(?:true|false|yes|no|on|off|none|null|\d{1,6})[\"']?$", re.IGNORECASE)


#: Names whose value is the password itself, so a number there is one (``PASSWORD=123456``), not a setting.
_PASSWORD_NAME = lazy_pattern(r"(^|_)(PASSWORD|PASSWD|PWORD|PASS|PIN)$", re.IGNORECASE)


def _a_setting(key: str, value: str | None) -> bool:
    if value is None or _SETTING.match(value.strip()) is None:
        return False
    return not (_PASSWORD_NAME.search(key) and value.strip("\"' ").isdigit())


def _names_a_path(value: str | None) -> bool:
    """A value that is an absolute path (``/etc/ssl/private/key.pem``): where a secret is, not the secret."""
    return value is not None and re.match(r"^[\"']?<?/[\w.@/-]*[\"']?$", value.strip()) is not None


def _reads(instruction: Instruction, key: str) -> bool:
    return re.search(r"\$\{?" + re.escape(key) + r"(?![A-Za-z0-9_])", instruction.code) is not None


def _readers(context: Context, arg: Instruction, key: str) -> tuple[str | None, list[Run]]:
    """Why the ARG cannot move into secret mounts, or None with the RUNs that read it."""
    runs: list[Run] = []
    for other in context.later_in_stage(arg):
        if isinstance(other, Arg) and any(name == key for name, _ in other.pairs):
            return f"line {other.start_line} declares it again", []
        if not _reads(other, key):
            continue
        if not isinstance(other, Run):
            return f"line {other.start_line} ({other.keyword_token.upper()}) reads it, not a RUN", []
        view = context.run_view(other)
        if view.form is Form.EXEC or not view.posix or view.trigger:
            return f"the RUN on line {other.start_line} is not a shell-form RUN dfix may edit", []
        runs.append(other)
    info = context.stage_of(arg)
    if info is not None and context.children_of(info):
        for child in context.children_of(info):
            if any(_reads(i, key) for i in child.stage.instructions):
                return "a stage built from this one reads it", []
    return None, runs
