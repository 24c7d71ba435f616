"""Package words read once, the way each manager reads them (`dfix.shell.package_spec`)."""

from __future__ import annotations

import pytest

from dfix.shell import PackageSpec, package_commands, package_spec


@pytest.mark.parametrize(
    ("family", "text", "name", "version"),
    [
        ("apt", "curl", "curl", None),
        ("apt", "curl=8.5.0-2", "curl", "8.5.0-2"),
        ("apt", "curl/bookworm-backports", "curl", "/bookworm-backports"),
        ("apt", "g++", "g++", None),
        ("apk", "curl=8.5", "curl", "8.5"),
        ("apk", "curl~8.5", "curl", "~8.5"),
        ("apk", "curl@edge", "curl", "edge"),
        ("rpm", "curl-8.5", "curl-8.5", None),
        ("zypper", "curl>=8", "curl", ">=8"),
        ("pip", "Flask_Login==0.6", "flask-login", "0.6"),
        ("pip", "flask[async]>=3", "flask", "[async]>=3"),
        ("pip", "git+https://x/y.git", "git+https://x/y.git", None),
        ("pip", "./src", "./src", None),
        ("npm", "left-pad@1.3.0", "left-pad", "1.3.0"),
        ("npm", "@types/node@20", "@types/node", "20"),
        ("npm", "@types/node", "@types/node", None),
        ("gem", "rails:7.1", "rails", "7.1"),
        ("unknown", "x=1", "x=1", None),
    ],
)
def test_package_spec(family: str, text: str, name: str, version: str | None) -> None:
    assert package_spec(family, text) == PackageSpec(text, name, version)


def test_package_command_specs() -> None:
    (command,) = package_commands("apt-get install -y curl=8.5 $EXTRA git")
    assert [(word.text, spec) for word, spec in command.specs] == [
        ("curl=8.5", PackageSpec("curl=8.5", "curl", "8.5")),
        ("$EXTRA", None),
        ("git", PackageSpec("git", "git")),
    ]
