"""What makes two RUNs worth one, and what keeps them apart (the tables behind DF100's judgment)."""

from __future__ import annotations

import pytest

import dfix
from dfix.shell import analyze
from dfix.transforms._merge_purpose import (
    cleanup_only,
    creates_what_it_deletes,
    deletion_targets,
    dependency_fetch,
    installs_from_refreshed_index,
    long_step,
    same_manager_installs,
)


@pytest.mark.parametrize("script", [
    "go mod download",
    "npm ci --omit=dev",
    "npm install",
    "npm install --production",
    "yarn",
    "yarn install --frozen-lockfile",
    "pnpm install",
    "pip install -r requirements.txt",
    "pip3 install --no-cache-dir -r requirements/prod.txt",
    "python3 -m pip install --requirement requirements.txt",
    "bundle install --jobs 4",
    "composer install --no-dev",
    "mvn -B dependency:go-offline",
    "cargo fetch",
    "dotnet restore",
    "poetry install --no-root",
])
def test_dependency_fetches(script):
    assert dependency_fetch(analyze(script)) is not None


@pytest.mark.parametrize("script", [
    "npm install -g pm2",
    "npm run build",
    "pip install flask",
    "yarn build",
    "go build ./...",
    "echo npm ci",
])
def test_not_dependency_fetches(script):
    assert dependency_fetch(analyze(script)) is None


@pytest.mark.parametrize("script,step", [
    ("make -j4", "make -j4"),
    ("./configure --prefix=/usr", "./configure --prefix=/usr"),
    ("cmake --build build", "cmake --build build"),
    ("gcc -O2 -o app main.c", "gcc -O2 -o"),
    ("CGO_ENABLED=0 go build -o /out/app", "go build -o"),
    ("mvn -B clean package", "mvn -B clean"),
    ("./setup-toolchain.sh stage1", "./setup-toolchain.sh stage1"),
    ("./build.sh", "./build.sh"),
    ("/opt/scripts/bootstrap.sh --fast", "/opt/scripts/bootstrap.sh"),
])
def test_long_steps(script, step):
    assert long_step(analyze(script)) == step


@pytest.mark.parametrize("script", [
    "apt-get install -y make cmake gcc",
    "./setup-toolchain.sh download",
    "npm run start",
    "echo make",
    "./entrypoint.sh",
])
def test_not_long_steps(script):
    assert long_step(analyze(script)) is None


def test_cleanup_only():
    assert cleanup_only(analyze("npm cache clean --force && rm -rf /tmp/*"))
    assert cleanup_only(analyze("apt-get purge -y gcc && apt-get autoremove -y"))
    assert not cleanup_only(analyze("rm -rf node_modules/.cache && npm run build"))


@pytest.mark.parametrize("creator,deleter,expected", [
    ("wget -q https://example.com/x/tool-1.2.tar.gz", "rm tool-1.2.tar.gz", True),
    ("curl -fsSLo /tmp/get.sh https://example.com/get.sh", "rm /tmp/get.sh", True),
    ("apt-get install -y curl", "rm -rf /var/lib/apt/lists/*", True),
    ("apk add --virtual .deps gcc", "apk del .deps", True),
    ("dpkg -i /tmp/app.deb", "rm -f /tmp/app.deb", False),  # reads it, did not create it
    ("cp -f rootCA.pem client/ca.pem", "rm -f rootCA.pem", False),  # a copy's source is only read
    ("cp /src/app.tar.gz /tmp/", "rm /tmp/app.tar.gz", True),
    ("echo 'x' > /tmp/flag", "rm /tmp/flag", True),
    ("unzip /opt/tool.iar -d /opt/tool", "rm /opt/tool.iar", False),  # an extractor only reads the archive
    ("tar -xzf /tmp/node.tgz -C /opt/node-v18", "rm -rf /opt/node-v18/include", True),
    ("mkdir -p /usr/src", "rm -rf /usr/src/app", False),  # made the folder, not what is in it
    ("mv /tmp/moodle/* /var/www/html", "rm /var/www/html/index.html", False),  # may be the base image's file
    ("echo hello", "rm -rf /var/lib/apt/lists/*", False),
    ("wget -q https://example.com/a.tgz", "rm -rf /tmp/*", False),  # too vague to say
])
def test_creates_what_it_deletes(creator, deleter, expected):
    assert creates_what_it_deletes(analyze(creator), deletion_targets(analyze(deleter))) is expected


def test_purposes_between_neighbours():
    assert installs_from_refreshed_index(analyze("apt-get update && apt-get upgrade -y"), analyze("apt-get install -y x"))
    assert not installs_from_refreshed_index(analyze("apk update"), analyze("apt-get install -y x"))
    assert not installs_from_refreshed_index(analyze("apt-get update"), analyze("apt-get update && apt-get install -y x"))
    assert same_manager_installs(analyze("pip install a"), analyze("pip install b")) == "pip"
    assert same_manager_installs(analyze("pip install a"), analyze("pip install b && python -c 'import b'")) is None
    assert same_manager_installs(analyze("yum install -y a && yum clean all"), analyze("yum install -y b")) is None
    # a second RUN that refreshes its own index is a complete install step of its own
    assert same_manager_installs(
        analyze("apt-get update && apt-get install -y a"), analyze("apt-get update && apt-get install -y b")
    ) is None


def test_every_boundary_kind_is_explained():
    notes = {
        "FROM debian\nRUN apt-get update\n\nRUN apt-get install -y x\n": "new section",
        "FROM golang\nRUN go mod download\nRUN go vet ./...\n": "fetches dependencies (`go mod download`)",
        "FROM debian\nRUN apt-get update && apt-get install -y make\nRUN make\n": "long build step (`make`)",
        "FROM debian\nRUN mkdir /data\nRUN chmod 0775 /data\n": "merging would buy nothing",
        "FROM debian\nRUN apt-get update && export X=1\nRUN apt-get install -y x\n": "shell's state (export)",
    }
    for text, note in notes.items():
        (found,) = dfix.check(text, select=["DF100"])
        assert found.fix is None and note in found.note, (text, found.note)
