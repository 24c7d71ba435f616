"""DF102 with a build context: it copies what the install reads, and refuses when the install needs more.

Each case is a Dockerfile, the files of its build context, and the exact
text ``dfix.fix(..., unsafe=True)`` must leave (None: reported, not fixed,
with the note naming the reason). The same Dockerfiles without a context are
reported only (the last tests).
"""

from __future__ import annotations

import json

import pytest

import dfix
from dfix.engine import BuildContext

IGNORE_NODE = {".dockerignore": "node_modules\n"}
PACKAGE = '{"name": "app", "dependencies": {"express": "^4"}}'


def _fix(text: str, files: dict[str, str]):
    return dfix.fix(text, select=["DF102"], unsafe=True, build_context=BuildContext.of_files(files))


def _note(text: str, files: dict[str, str] | None) -> str:
    context = BuildContext.of_files(files) if files is not None else None
    (finding,) = [d for d in dfix.check(text, select=["DF102"], build_context=context)]
    assert finding.fix is None, "expected a report without a fix"
    return finding.note or ""


FIXED = [
    pytest.param(
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install --no-cache-dir -r requirements.txt\nCMD [\"python\", \"app.py\"]\n",
        {"requirements.txt": "flask==3.0\n"},
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n"
        "CMD [\"python\", \"app.py\"]\n",
        id="pip",
    ),
    pytest.param(
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n",
        {"requirements.txt": "-r requirements/base.txt\n-c constraints.txt\ngunicorn\n",
         "requirements/base.txt": "django>=5  # web\n", "constraints.txt": "django<6\n"},
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt constraints.txt ./\nCOPY requirements/base.txt ./requirements/\n"
        "RUN pip install -r requirements.txt\nCOPY . .\n",
        id="pip-includes-and-constraints",
    ),
    pytest.param(
        "FROM python:3.12\nCOPY . /app\nWORKDIR /app\nRUN apt-get update && apt-get install -y gcc\n"
        "RUN pip install -r requirements/prod.txt\nRUN python manage.py collectstatic\n",
        {"requirements/prod.txt": "-r base.txt\npsycopg[binary]\n", "requirements/base.txt": "django\n"},
        "FROM python:3.12\nWORKDIR /app\nRUN apt-get update && apt-get install -y gcc\n"
        "COPY requirements/prod.txt requirements/base.txt ./requirements/\nRUN pip install -r requirements/prod.txt\n"
        "COPY . /app\nRUN python manage.py collectstatic\n",
        id="pip-absolute-destination",
    ),
    pytest.param(
        "FROM node:20\nWORKDIR /usr/src/app\nCOPY --chown=node:node --link . .\nRUN npm ci --omit=dev\nUSER node\nCMD [\"node\", \"index.js\"]\n",
        {"package.json": PACKAGE, "package-lock.json": "{}", ".dockerignore": "node_modules\nnpm-debug.log\n"},
        "FROM node:20\nWORKDIR /usr/src/app\nCOPY --chown=node:node --link package.json package-lock.json ./\nRUN npm ci --omit=dev\n"
        "COPY --chown=node:node --link . .\nUSER node\nCMD [\"node\", \"index.js\"]\n",
        id="npm",
    ),
    pytest.param(
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci --ignore-scripts\n",
        {"package.json": '{"scripts": {"postinstall": "node build.js"}}', ".npmrc": "fund=false\n",
         ".dockerignore": "**/node_modules\n"},
        "FROM node:20\nWORKDIR /app\nCOPY package.json .npmrc ./\nRUN npm ci --ignore-scripts\nCOPY . .\n",
        id="npm-scripts-ignored",
    ),
    pytest.param(
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n",
        {"package.json": '{"private": true, "workspaces": ["packages/*"]}', "package-lock.json": "{}",
         "packages/api/package.json": PACKAGE, "packages/web/package.json": PACKAGE, "packages/notes.md": "",
         ".dockerignore": "node_modules\n**/node_modules\n"},
        "FROM node:20\nWORKDIR /app\nCOPY package.json package-lock.json ./\nCOPY packages/api/package.json ./packages/api/\n"
        "COPY packages/web/package.json ./packages/web/\nRUN npm ci\nCOPY . .\n",
        id="npm-workspaces",
    ),
    pytest.param(
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN yarn install --frozen-lockfile\n",
        {"package.json": PACKAGE, "yarn.lock": "", **IGNORE_NODE},
        "FROM node:20\nWORKDIR /app\nCOPY package.json yarn.lock ./\nRUN yarn install --frozen-lockfile\nCOPY . .\n",
        id="yarn",
    ),
    pytest.param(
        "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm install -g pnpm && pnpm install --frozen-lockfile\n",
        {"package.json": PACKAGE, "pnpm-lock.yaml": "", ".npmrc": "", **IGNORE_NODE},
        "FROM node:20\nWORKDIR /app\nCOPY package.json pnpm-lock.yaml .npmrc ./\n"
        "RUN npm install -g pnpm && pnpm install --frozen-lockfile\nCOPY . .\n",
        id="pnpm",
    ),
    pytest.param(
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY . .\nRUN go mod download\nRUN go build -o /out/app .\n"
        "FROM gcr.io/distroless/static\nCOPY --from=build /out/app /app\n",
        {"go.mod": "module example.com/app\n\ngo 1.22\n\nreplace example.com/x => example.com/y v1.0.0\n", "go.sum": ""},
        "FROM golang:1.22 AS build\nWORKDIR /src\nCOPY go.mod go.sum ./\nRUN go mod download\nCOPY . .\nRUN go build -o /out/app .\n"
        "FROM gcr.io/distroless/static\nCOPY --from=build /out/app /app\n",
        id="go-remote-replace",
    ),
    pytest.param(
        "FROM ruby:3.3\nWORKDIR /app\nCOPY . .\nRUN bundle config set without development && bundle install --jobs 4\n",
        {"Gemfile": "source 'https://rubygems.org'\ngem 'rails'\n", "Gemfile.lock": "", ".ruby-version": "3.3.0\n"},
        "FROM ruby:3.3\nWORKDIR /app\nCOPY Gemfile Gemfile.lock .ruby-version ./\n"
        "RUN bundle config set without development && bundle install --jobs 4\nCOPY . .\n",
        id="bundler",
    ),
    pytest.param(
        "FROM composer:2\nWORKDIR /app\nCOPY . .\nRUN composer install --no-dev --no-scripts --no-autoloader\nRUN composer dump-autoload -o\n",
        {"composer.json": '{"require": {"monolog/monolog": "^3"}}', "composer.lock": "{}", ".dockerignore": "/vendor\n"},
        "FROM composer:2\nWORKDIR /app\nCOPY composer.json composer.lock ./\nRUN composer install --no-dev --no-scripts --no-autoloader\n"
        "COPY . .\nRUN composer dump-autoload -o\n",
        id="composer",
    ),
    pytest.param(
        "FROM maven:3-eclipse-temurin-21\nWORKDIR /build\nCOPY . .\nRUN mvn -B dependency:go-offline\nRUN mvn -B package\n",
        {"pom.xml": "<project><artifactId>app</artifactId></project>"},
        "FROM maven:3-eclipse-temurin-21\nWORKDIR /build\nCOPY pom.xml ./\nRUN mvn -B dependency:go-offline\nCOPY . .\nRUN mvn -B package\n",
        id="maven",
    ),
    pytest.param(
        "FROM python:3.12\r\nWORKDIR /app\r\nCOPY src /app\r\nRUN pip install -r requirements.txt\r\n",
        {"src/requirements.txt": "flask\n"},
        "FROM python:3.12\r\nWORKDIR /app\r\nCOPY src/requirements.txt ./\r\nRUN pip install -r requirements.txt\r\nCOPY src /app\r\n",
        id="source-folder-crlf",
    ),
    pytest.param(
        "FROM python:3.12\nWORKDIR /app\nCOPY . .\nENV PIP_INDEX_URL=https://mirror\nRUN pip install -r requirements.txt\n",
        {"requirements.txt": "--index-url https://mirror/simple\nrequests==2.32.0 --hash=sha256:abc\n"},
        "FROM python:3.12\nWORKDIR /app\nENV PIP_INDEX_URL=https://mirror\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n",
        id="env-between",
    ),
    pytest.param(
        "FROM python:3.12\nWORKDIR /app\nADD . .\nRUN pip install -r requirements.txt\n",
        {"requirements.txt": "flask\n-e git+https://github.com/org/lib.git#egg=lib\n"},
        "FROM python:3.12\nWORKDIR /app\nCOPY requirements.txt ./\nRUN pip install -r requirements.txt\nADD . .\n",
        id="add-folder-vcs-editable",
    ),
]


@pytest.mark.parametrize("text,files,expected", FIXED)
def test_the_split_copies_what_the_install_reads(text: str, files: dict[str, str], expected: str) -> None:
    result = _fix(text, files)
    assert result.failed == ()
    assert result.text == expected
    (applied,) = result.applied
    assert applied.fix.assumes.startswith("assumes ")
    assert _fix(result.text, files).text == result.text, "a second pass changes nothing"


REFUSED = [
    pytest.param("pip install -r requirements.txt", {"requirements.txt": "-e .\n"}, "needs the sources", id="pip-editable"),
    pytest.param("pip install -r requirements.txt", {"requirements.txt": "./libs/common\nflask\n"}, "local path", id="pip-local"),
    pytest.param("pip install -r requirements.txt", {"requirements.txt": "-r ../shared.txt\n"}, "outside the copied folder",
                 id="pip-include-outside"),
    pytest.param("pip install -r requirements.txt", {"requirements.txt": "-r dev.txt\n"}, "`dev.txt` is not in the build context",
                 id="pip-include-missing"),
    pytest.param("pip install -r requirements.txt", {"requirements.txt": "x\n", ".dockerignore": "*.txt\n"},
                 "excluded by .dockerignore", id="pip-excluded"),
    pytest.param("pip install -r requirements.txt", {"app.py": ""}, "`requirements.txt` is not in the build context",
                 id="no-manifest"),
    pytest.param("npm ci", {"package.json": '{"scripts": {"postinstall": "prisma generate"}}', **IGNORE_NODE},
                 "`postinstall` script", id="npm-postinstall"),
    pytest.param("npm ci", {"package.json": '{"scripts": {"prepare": "tsc"}}', **IGNORE_NODE}, "`prepare` script",
                 id="npm-prepare"),
    pytest.param("npm ci", {"package.json": PACKAGE}, ".dockerignore does not exclude `node_modules`", id="npm-no-ignore"),
    pytest.param("npm ci", {"package.json": PACKAGE, ".dockerignore": "app/node_modules\n"}, "does not exclude",
                 id="npm-ignore-elsewhere"),
    pytest.param("npm ci", {"package.json": '{"dependencies": {"ui": "file:./ui"}}', **IGNORE_NODE}, "local path",
                 id="npm-file-dependency"),
    pytest.param("npm ci", {"package.json": '{"workspaces": ["pkgs/*"]}', "pkgs/a/package.json": '{"scripts": {"install": "node-gyp rebuild"}}',
                            ".dockerignore": "**/node_modules\n"}, "`install` script", id="npm-workspace-script"),
    pytest.param("npm ci", {"package.json": '{"workspaces": ["pkgs/*"]}', "pkgs/a/package.json": "{}",
                            ".dockerignore": "node_modules\n"}, "pkgs/a/node_modules", id="npm-workspace-node-modules"),
    pytest.param("npm ci", {"package.json": PACKAGE, "binding.gyp": "{}", **IGNORE_NODE}, "native code", id="npm-gyp"),
    pytest.param("yarn install", {"package.json": PACKAGE, ".yarnrc.yml": "nodeLinker: node-modules\n", **IGNORE_NODE},
                 "Yarn ≥ 2", id="yarn-berry"),
    pytest.param("go mod download", {"go.mod": "module a\nreplace example.com/lib => ../lib\n"}, "local folder",
                 id="go-local-replace"),
    pytest.param("go mod download", {"go.mod": "module a\n", "go.work": "go 1.22\nuse ./a\n"}, "go.work", id="go-work"),
    pytest.param("bundle install", {"Gemfile": "source 'https://rubygems.org'\ngemspec\n"}, "gemspec", id="bundler-gemspec"),
    pytest.param("composer install --no-scripts --no-autoloader", {"composer.json": "{}"}, "does not exclude `vendor`",
                 id="composer-vendor"),
    pytest.param("mvn dependency:go-offline", {"pom.xml": "<project><modules><module>core</module></modules></project>"},
                 "multi-module", id="maven-modules"),
]


@pytest.mark.parametrize("command,files,reason", REFUSED)
def test_the_split_is_refused_when_the_install_needs_more(command: str, files: dict[str, str], reason: str) -> None:
    text = f"FROM base:1\nWORKDIR /app\nCOPY . .\nRUN {command}\n"
    assert _fix(text, files).text == text
    note = _note(text, files)
    assert note.startswith("not fixed: ") and reason in note, note


@pytest.mark.parametrize("text,files,expected", FIXED)
def test_without_a_context_a_split_is_only_reported(text: str, files: dict[str, str], expected: str) -> None:
    assert dfix.fix(text, select=["DF102"], unsafe=True).text == text
    assert "needs the build context" in _note(text, None)


def test_a_move_needs_no_context_and_states_its_caveat() -> None:
    text = "FROM debian\nWORKDIR /app\nCOPY . .\nRUN apt-get update && apt-get install -y curl\n"
    result = dfix.fix(text, select=["DF102"], unsafe=True)
    assert result.text == "FROM debian\nWORKDIR /app\nRUN apt-get update && apt-get install -y curl\nCOPY . .\n"
    assert "write nothing under" in result.applied[0].fix.assumes


def test_the_context_defaults_to_the_dockerfile_folder(tmp_path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    dockerfile = tmp_path / "Dockerfile"
    text = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
    dockerfile.write_text(text)
    result = dfix.fix(text, select=["DF102"], unsafe=True, path=str(dockerfile))
    assert "COPY requirements.txt ./\n" in result.text


# -- the command line: the Dockerfile's folder by default, --context, stdin -------------------------

PIP_TEXT = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN pip install -r requirements.txt\n"
PIP_SPLIT = "COPY requirements.txt ./\n"


def _cli(*args: str, input: str | None = None):
    from click.testing import CliRunner

    from dfix.cli import main

    return CliRunner().invoke(main, ["--isolated", "--select", "DF102", "--unsafe-fixes", "--diff", "-j", "1", *args],
                              input=input, catch_exceptions=False)


def test_cli_reads_the_dockerfile_folder(tmp_path) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    (tmp_path / "Dockerfile").write_text(PIP_TEXT)
    assert "+" + PIP_SPLIT in _cli(str(tmp_path / "Dockerfile")).output


def test_cli_context_option_names_another_folder(tmp_path) -> None:
    (tmp_path / "docker").mkdir()
    (tmp_path / "docker" / "Dockerfile").write_text(PIP_TEXT)
    assert PIP_SPLIT not in _cli(str(tmp_path / "docker" / "Dockerfile")).output  # no requirements.txt there
    (tmp_path / "requirements.txt").write_text("flask\n")
    assert "+" + PIP_SPLIT in _cli("--context", str(tmp_path), str(tmp_path / "docker" / "Dockerfile")).output


def test_cli_stdin_has_no_context_unless_named(tmp_path, monkeypatch) -> None:
    (tmp_path / "requirements.txt").write_text("flask\n")
    monkeypatch.chdir(tmp_path)
    assert PIP_SPLIT not in _cli("-", input=PIP_TEXT).output
    assert PIP_SPLIT in _cli("--stdin-filename", str(tmp_path / "Dockerfile"), "-", input=PIP_TEXT).output
    assert PIP_SPLIT in _cli("--context", str(tmp_path), "-", input=PIP_TEXT).output


VENV_TEXT = (
    "FROM python:3.12\nWORKDIR /app\nRUN python -m venv .venv\nENV PATH=/app/.venv/bin:$PATH\nCOPY . .\n"
    "RUN pip install -r requirements.txt\n"
)


def test_a_virtualenv_inside_the_destination_must_be_excluded() -> None:
    files = {"requirements.txt": "flask\n"}
    assert "does not exclude `.venv`" in _note(VENV_TEXT, files)
    fixed = _fix(VENV_TEXT, {**files, ".dockerignore": ".venv\n"}).text
    assert fixed.endswith("COPY requirements.txt ./\nRUN pip install -r requirements.txt\nCOPY . .\n")


def test_a_poetry_virtualenv_kept_in_the_project_must_be_excluded() -> None:
    text = "FROM python:3.12\nWORKDIR /app\nCOPY . .\nRUN poetry install --no-root\n"
    files = {"pyproject.toml": "[tool.poetry]\nname = 'x'\n", "poetry.toml": "[virtualenvs]\nin-project = true\n"}
    assert "does not exclude `.venv`" in _note(text, files)
    fixed = _fix(text, {**files, ".dockerignore": ".venv\n"}).text
    assert "COPY pyproject.toml poetry.toml ./\n" in fixed


@pytest.mark.parametrize("install", ["bundle install --deployment", "bundle config set path vendor/gems && bundle install",
                                     "bundle install --path=.gems"])
def test_gems_installed_inside_the_project_must_be_excluded(install: str) -> None:
    text = f"FROM ruby:3.3\nWORKDIR /app\nCOPY . .\nRUN {install}\n"
    files = {"Gemfile": "source 'https://rubygems.org'\ngem 'rack'\n"}
    assert "does not exclude" in _note(text, files)
    ignore = {".dockerignore": "vendor\n.gems\n"}
    assert "COPY Gemfile ./\n" in _fix(text, {**files, **ignore}).text


@pytest.mark.parametrize("script", ["husky", "husky install", "is-ci || husky install", "npx only-allow pnpm"])
def test_install_scripts_that_read_no_sources_do_not_stop_a_split(script: str) -> None:
    text = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"
    files = {"package.json": json.dumps({"scripts": {"prepare": script}}), **IGNORE_NODE}
    assert "COPY package.json ./\nRUN npm ci\nCOPY . .\n" in _fix(text, files).text


def test_a_husky_script_doing_more_stops_a_split() -> None:
    text = "FROM node:20\nWORKDIR /app\nCOPY . .\nRUN npm ci\n"
    files = {"package.json": json.dumps({"scripts": {"prepare": "husky install && tsc -p ."}}), **IGNORE_NODE}
    assert "`prepare` script" in _note(text, files)
