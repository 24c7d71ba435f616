"""Package-manager invocations: manager, action, options with arguments, package words."""

from __future__ import annotations

import pytest

from dfix.shell import (
    analyze,
    flag_count,
    has_option,
    is_clean,
    is_install,
    is_refresh,
    is_remove,
    is_upgrade,
    option_values,
    package_command,
    package_commands,
    simple_commands,
)

APT_RUN = (
    "set -eux; apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "
    "--no-install-recommends curl ca-certificates=2023* $EXTRA && rm -rf /var/lib/apt/lists/*"
)


def only(script: str):
    (invocation,) = package_commands(script)
    return invocation


def test_apt_run_body():
    update, install = package_commands(APT_RUN)
    assert (update.manager, update.family, update.subcommand, update.action) == ("apt-get", "apt", "update", "refresh")
    assert (install.subcommand, install.action) == ("install", "install")
    assert [o.name for o in install.options] == ["-y", "--no-install-recommends"]
    assert [p.text for p in install.packages] == ["curl", "ca-certificates=2023*", "$EXTRA"]
    assert [p.value for p in install.packages] == ["curl", "ca-certificates=2023*", None]
    assert install.packages[2].has_expansion
    assert [APT_RUN[p.start:p.end] for p in install.packages] == ["curl", "ca-certificates=2023*", "$EXTRA"]
    assert APT_RUN[: install.insert_offset].endswith("apt-get install")
    assert has_option(install, "-y", "--yes", "--assume-yes")
    assert not has_option(update, "-y")
    assert is_refresh(update, manager="apt-get") and is_install(install, family="apt")
    assert not is_install(install, manager="apt")


def test_apt_option_arguments_stay_with_their_option():
    invocation = only(
        "apt-get -qqy -o Dpkg::Options::=--force-confold install -t buster-backports "
        "--option=APT::Install-Recommends=false nginx/buster-backports libssl1.1"
    )
    assert [(o.name, o.argument) for o in invocation.options] == [
        ("-qqy", None),
        ("-o", "Dpkg::Options::=--force-confold"),
        ("-t", "buster-backports"),
        ("--option", "APT::Install-Recommends=false"),
    ]
    assert [p.value for p in invocation.packages] == ["nginx/buster-backports", "libssl1.1"]
    assert has_option(invocation, "-y")
    assert flag_count(invocation, "q") == 2
    assert option_values(invocation, "-o", "--option") == (
        "Dpkg::Options::=--force-confold", "APT::Install-Recommends=false",
    )
    target = invocation.options[2]
    assert [w.text for w in target.words] == ["-t", "buster-backports"]
    assert target.argument_word is not None and target.argument_word.text == "buster-backports"
    assert invocation.options_before_subcommand() == invocation.options[:2]


def test_apt_attached_and_equals_forms():
    invocation = only("apt-get install -q=2 -oAPT::Get::Assume-Yes=true --target-release=bookworm x")
    assert [(o.name, o.argument) for o in invocation.options] == [
        ("-q", "2"), ("-o", "APT::Get::Assume-Yes=true"), ("--target-release", "bookworm"),
    ]
    assert [p.value for p in invocation.packages] == ["x"]


@pytest.mark.parametrize(
    ("script", "subcommand", "action"),
    [
        ("apt-get purge -y x", "purge", "remove"),
        ("apt-get remove x", "remove", "remove"),
        ("apt-get upgrade -y", "upgrade", "upgrade"),
        ("apt-get dist-upgrade -y", "dist-upgrade", "dist-upgrade"),
        ("apt full-upgrade", "full-upgrade", "dist-upgrade"),
        ("apt-get clean", "clean", "clean"),
        ("apt-get autoremove -y", "autoremove", "autoremove"),
        ("apt-get build-dep -y python3", "build-dep", "install"),
        ("apt-cache policy x", None, None),
    ],
)
def test_apt_actions(script, subcommand, action):
    invocation = package_command(simple_commands(script)[0])
    if action is None:
        assert invocation is None
        return
    assert (invocation.subcommand, invocation.action) == (subcommand, action)


def test_apk_inside_if():
    invocation = only("if [ -f x ]; then apk add --no-cache git; fi")
    assert (invocation.manager, invocation.subcommand, invocation.action) == ("apk", "add", "install")
    assert has_option(invocation, "--no-cache")
    assert [p.value for p in invocation.packages] == ["git"]
    assert not invocation.command.is_top_level


def test_apk_virtual_and_repository_take_arguments():
    invocation, delete = package_commands(
        "apk add --no-cache --virtual .build-deps -X http://x/edge gcc 'musl-dev>1.2' && apk del .build-deps"
    )
    assert [(o.name, o.argument) for o in invocation.options] == [
        ("--no-cache", None), ("--virtual", ".build-deps"), ("-X", "http://x/edge"),
    ]
    assert [p.value for p in invocation.packages] == ["gcc", "musl-dev>1.2"]
    assert is_remove(delete, manager="apk")
    assert [p.value for p in delete.packages] == [".build-deps"]


@pytest.mark.parametrize(
    ("script", "manager", "subcommand", "action", "packages"),
    [
        ("apk update", "apk", "update", "refresh", []),
        ("apk upgrade --no-cache", "apk", "upgrade", "upgrade", []),
        ("apk -U add curl", "apk", "add", "install", ["curl"]),
        ("yum install -y httpd-2.4.6", "yum", "install", "install", ["httpd-2.4.6"]),
        ("yum update -y", "yum", "update", "upgrade", []),
        ("yum clean all", "yum", "clean", "clean", []),
        ("dnf makecache", "dnf", "makecache", "refresh", []),
        ("dnf -y --setopt=install_weak_deps=False install gcc", "dnf", "install", "install", ["gcc"]),
        ("yum groupinstall -y 'Development Tools'", "yum", "groupinstall", "install", ["Development Tools"]),
        ("dnf group install -y 'Development Tools'", "dnf", "group install", "install", ["Development Tools"]),
        ("dnf module install nodejs:18", "dnf", "module install", "install", ["nodejs:18"]),
        ("microdnf install -y --nodocs java-17", "microdnf", "install", "install", ["java-17"]),
        ("microdnf clean all", "microdnf", "clean", "clean", []),
        ("zypper --non-interactive in curl", "zypper", "install", "install", ["curl"]),
        ("zypper install -y --no-recommends curl", "zypper", "install", "install", ["curl"]),
        ("zypper ref", "zypper", "refresh", "refresh", []),
        ("zypper refresh", "zypper", "refresh", "refresh", []),
        ("zypper cc -a", "zypper", "clean", "clean", []),
        ("zypper clean", "zypper", "clean", "clean", []),
        ("gem install bundler -v 2.4.0 --no-document", "gem", "install", "install", ["bundler"]),
        ("gem install rails:7.0", "gem", "install", "install", ["rails:7.0"]),
    ],
)
def test_os_and_gem_managers(script, manager, subcommand, action, packages):
    invocation = only(script)
    assert (invocation.manager, invocation.subcommand, invocation.action) == (manager, subcommand, action)
    assert [p.value for p in invocation.packages] == packages


def test_yum_clean_all_keeps_all_as_operand():
    invocation = only("yum clean all")
    assert [w.value for w in invocation.operands] == ["all"]
    assert invocation.packages == ()
    assert is_clean(invocation, family="rpm")


def test_gem_version_option():
    invocation = only("gem install bundler -v 2.4.0 --no-document")
    assert option_values(invocation, "-v", "--version") == ("2.4.0",)
    assert has_option(invocation, "--no-document", "-N")


@pytest.mark.parametrize(
    ("script", "program"),
    [
        ("pip install flask", ["pip"]),
        ("pip3 install flask", ["pip3"]),
        ("pip3.11 install flask", ["pip3.11"]),
        ("/opt/venv/bin/pip install flask", ["/opt/venv/bin/pip"]),
        ("python -m pip install flask", ["python", "-m", "pip"]),
        ("python3 -m pip install flask", ["python3", "-m", "pip"]),
        ("python3.12 -u -m pip install flask", ["python3.12", "-u", "-m", "pip"]),
        ("sudo -E pip3 install flask", ["pip3"]),
    ],
)
def test_pip_spellings(script, program):
    invocation = only(script)
    assert (invocation.manager, invocation.subcommand, invocation.action) == ("pip", "install", "install")
    assert [w.text for w in invocation.program_words] == program
    assert [p.value for p in invocation.packages] == ["flask"]


def test_pip_requirements_and_editable_are_option_arguments():
    invocation = only("sudo -E pip3 install --no-cache-dir -r requirements.txt -e . -c constraints.txt")
    assert invocation.command.has_wrapper("sudo")
    assert [(o.name, o.argument) for o in invocation.options] == [
        ("--no-cache-dir", None), ("-r", "requirements.txt"), ("-e", "."), ("-c", "constraints.txt"),
    ]
    assert invocation.packages == ()
    assert has_option(invocation, "--no-cache-dir")


def test_python_m_pip_upgrade_pinned():
    invocation = only("python -m pip install --upgrade pip==23.0")
    assert [p.value for p in invocation.packages] == ["pip==23.0"]
    assert has_option(invocation, "--upgrade", "-U")
    text = "python -m pip install --upgrade pip==23.0"
    assert text[: invocation.insert_offset] == "python -m pip install"


@pytest.mark.parametrize(
    "script",
    ["python setup.py install", "python -c 'import pip'", "python -m venv /opt/venv", "python3 -m pipx install x"],
)
def test_python_without_pip_is_not_a_package_command(script):
    assert package_commands(script) == ()


def test_pip_global_option_and_quoted_specifiers():
    invocation = only("pip --no-cache-dir install 'django>=4.2,<5' \"requests[socks]==2.31\" $EXTRA_PKGS")
    assert has_option(invocation, "--no-cache-dir")
    assert invocation.options_before_subcommand() == invocation.options
    assert [p.value for p in invocation.packages] == ["django>=4.2,<5", "requests[socks]==2.31", None]


def test_pip_packages_from_command_substitution():
    invocation = only("pip install $(cat requirements.txt | grep -v '#')")
    (word,) = invocation.packages
    assert word.value is None and word.has_expansion


def test_pip_cache_purge_and_uv():
    assert is_clean(only("pip cache purge"), manager="pip")
    uv = only("uv pip install --system --no-cache ruff")
    assert (uv.manager, uv.family, uv.subcommand, uv.action) == ("uv", "uv", "pip install", "install")
    assert [p.value for p in uv.packages] == ["ruff"]


@pytest.mark.parametrize(
    ("script", "manager", "subcommand", "action", "packages"),
    [
        ("npm install", "npm", "install", "install", []),
        ("npm i -g yarn@1.22.19", "npm", "install", "install", ["yarn@1.22.19"]),
        ("npm ci --omit=dev", "npm", "ci", "install", []),
        ("npm install --omit dev express", "npm", "install", "install", ["express"]),
        ("npm cache clean --force", "npm", "cache clean", "clean", []),
        ("npm run build", "npm", "run", "other", []),
        ("yarn", "yarn", "install", "install", []),
        ("yarn --frozen-lockfile --production", "yarn", "install", "install", []),
        ("yarn install --frozen-lockfile", "yarn", "install", "install", []),
        ("yarn add react@18", "yarn", "add", "install", ["react@18"]),
        ("yarn global add @angular/cli", "yarn", "global add", "install", ["@angular/cli"]),
        ("yarn cache clean", "yarn", "cache clean", "clean", []),
        ("yarn build", "yarn", "build", "other", []),
        ("pnpm install --frozen-lockfile", "pnpm", "install", "install", []),
        ("pnpm i", "pnpm", "install", "install", []),
        ("pnpm add -D typescript", "pnpm", "add", "install", ["typescript"]),
        ("pnpm store prune", "pnpm", "store prune", "clean", []),
    ],
)
def test_js_managers(script, manager, subcommand, action, packages):
    invocation = only(script)
    assert (invocation.manager, invocation.subcommand, invocation.action) == (manager, subcommand, action)
    assert [p.value for p in invocation.packages] == packages


def test_npm_ci_in_subshell():
    text = "(cd /src && npm ci)"
    invocation = only(text)
    assert invocation.subcommand == "ci"
    assert text[invocation.start:invocation.end] == "npm ci"
    assert not invocation.command.is_top_level


def test_dynamic_subcommand_is_unknown():
    invocation = only("apt-get $ACTION -y curl")
    assert invocation.subcommand is None
    assert invocation.action == "unknown"
    assert [p.value for p in invocation.operands] == ["curl"]


def test_dynamic_manager_is_not_recognised():
    assert package_commands("$PM install -y curl") == ()


def test_matchers_accept_simple_commands():
    command = simple_commands("DEBIAN_FRONTEND=noninteractive apt-get install -yq curl")[0]
    assert is_install(command, manager="apt-get")
    assert has_option(command, "-y")
    assert not is_upgrade(command)
    echo = simple_commands("echo -y")[0]
    assert not is_install(echo)
    assert has_option(echo, "-y")  # generic reading of any command


def test_upgrade_matcher_covers_dist_upgrade():
    assert is_upgrade(only("apt-get dist-upgrade -y"))
    assert is_upgrade(only("yum update"))
    assert not is_upgrade(only("apt-get update"))


def test_long_option_is_not_a_short_cluster():
    invocation = only("apt-get install --yes x")
    assert has_option(invocation, "--yes")
    assert not has_option(invocation, "-y", "-e", "-s")


def test_package_commands_accepts_a_model_and_keeps_source_order():
    script = analyze("apt-get update; pip install x; npm ci; apt-get clean")
    assert [p.manager for p in package_commands(script)] == ["apt-get", "pip", "npm", "apt-get"]


def test_unquoted_version_comparison_is_a_redirect_as_in_sh():
    # `pip install flask>=2.0` installs unpinned flask and writes a file named "=2.0".
    invocation = only("pip install flask>=2.0 requests")
    assert [p.value for p in invocation.packages] == ["flask", "requests"]
    (redirect,) = invocation.command.redirects
    assert (redirect.operator, redirect.target.value) == (">", "=2.0")


def test_package_commands_are_read_once_per_script_in_a_kept_block(monkeypatch):
    """About forty rules ask for the package commands of each RUN in every lint; a kept block reads them once."""
    from dfix.shell import analyze, packages, read_once, scripts_kept

    reads = []
    original = packages._read_package_commands
    monkeypatch.setattr(packages, "_read_package_commands", lambda model: reads.append(model) or original(model))
    script = "apt-get update && apt-get install -y curl"
    with scripts_kept():
        first = package_commands(script)
        assert package_commands(analyze(script)) is first
        assert package_commands("apk add git")[0].manager == "apk"
        assert len(reads) == 2
        assert read_once("test", first, lambda: 1) == 1 and read_once("test", first, lambda: 2) == 1
    assert read_once("test", first, lambda: 2) == 2  # outside a block nothing is kept
    package_commands(script)
    package_commands(script)
    assert len(reads) == 4
