"""The installed package is complete: grammar and rules ship inside ``dfix``.

The repository keeps ``grammar/`` and ``transforms/`` at its top level and
maps them into the package with setuptools' ``package-dir``. That mapping is
easy to break silently (a new subpackage missing from ``packages``, the
``*.lark`` file not declared as package data), and the working tree hides
the breakage because imports there resolve from the source folders. So build
the real wheel, look inside it, and import it from a fresh virtualenv; then
check that the editable install resolves the same names.

Slow-ish (an isolated wheel build fetches setuptools from the package index
the first time), but part of the default run: CI must catch a broken package.
"""

from __future__ import annotations

import json
import shutil
import site
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

import dfix

REPO = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow

# Not part of what gets built; copying them would only slow the build down.
NOT_SOURCE = shutil.ignore_patterns(
    ".git", ".venv", "venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis",
    ".benchmarks", ".dfix_cache",
)


def run(*command: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(part) for part in command], cwd=cwd, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, f"{' '.join(map(str, command))} failed:\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the wheel from a copy of the tree, so the build leaves nothing behind in the repository."""
    work = tmp_path_factory.mktemp("wheel")
    source = work / "src"
    shutil.copytree(REPO, source, ignore=NOT_SOURCE, symlinks=True)
    run(sys.executable, "-m", "build", "--wheel", "--outdir", work / "dist", source, cwd=work)
    (built,) = (work / "dist").glob("dfix-*.whl")
    return built


@pytest.fixture(scope="module")
def wheel_names(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as archive:
        return set(archive.namelist())


def source_packages() -> set[str]:
    """Where each package of the source tree lands in the wheel, via the package-dir mapping."""
    found = {"dfix/grammar/__init__.py", "dfix/transforms/__init__.py"}
    for init in (REPO / "dfix").rglob("__init__.py"):
        found.add(init.relative_to(REPO).as_posix())
    for top, installed in (("transforms", "dfix/transforms"), ("grammar", "dfix/grammar")):
        for init in (REPO / top).rglob("__init__.py"):
            found.add(f"{installed}/{init.relative_to(REPO / top).as_posix()}")
    return found


def test_wheel_holds_grammar_and_rules(wheel_names: set[str]) -> None:
    assert "dfix/grammar/dockerfile.lark" in wheel_names
    assert "dfix/transforms/__init__.py" in wheel_names
    assert "dfix/cli.py" in wheel_names
    assert "dfix/__main__.py" in wheel_names


def test_wheel_holds_every_package_of_the_source_tree(wheel_names: set[str]) -> None:
    # a subpackage added under dfix/ but not to [tool.setuptools] packages
    # works in the editable install and vanishes from the wheel
    missing = sorted(source_packages() - wheel_names)
    assert not missing, f"add these packages to [tool.setuptools] packages in pyproject.toml: {missing}"


def test_wheel_holds_no_repository_folders(wheel_names: set[str]) -> None:
    leaked = sorted(name for name in wheel_names if name.split("/")[0] in {"tests", "bench", "corpus", "grammar", "transforms"})
    assert not leaked


def test_wheel_declares_the_console_script(wheel_names: set[str], wheel: Path) -> None:
    (entry_points,) = [name for name in wheel_names if name.endswith(".dist-info/entry_points.txt")]
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(entry_points).decode()
    assert "dfix = dfix.cli:main" in text


# Runs inside the fresh virtualenv, from a folder with no dfix source in it.
INSTALLED_CHECK = """
import json, sys
from importlib import resources
import dfix, dfix.grammar, dfix.transforms
tree = dfix.parse("FROM a\\n")
assert tree.code == "FROM a\\n"
lark = resources.files("dfix.grammar").joinpath("dockerfile.lark")
print(json.dumps({
    "dfix": dfix.__file__,
    "grammar": dfix.grammar.__file__,
    "transforms": dfix.transforms.__file__,
    "lark_is_file": lark.is_file(),
    "prefix": sys.prefix,
}))
"""


def running_site_folders() -> list[str]:
    """The site-packages folders of the interpreter running the tests, where lark, click ... are installed.

    The running interpreter may itself be a virtualenv, whose packages a new
    ``--system-site-packages`` venv would not see (that venv's base is the
    interpreter the running venv was made from), so the folders are named
    directly.
    """
    folders = [*site.getsitepackages(), *([site.getusersitepackages()] if site.ENABLE_USER_SITE else [])]
    return [folder for folder in dict.fromkeys(folders) if Path(folder).is_dir()]


def fresh_venv(where: Path) -> Path:
    """A venv whose own site-packages comes first and which also sees the running interpreter's packages.

    The running interpreter's folders are listed in a ``.pth`` file, which
    appends them to ``sys.path`` after the venv's own site-packages; ``.pth``
    files inside them are not run, so an editable dfix of the running
    environment stays out, and the wheel installed into the venv is the
    ``dfix`` that gets imported. No network install needed.
    """
    run(sys.executable, "-m", "venv", where, cwd=where.parent)
    python = where / "bin" / "python"
    own = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=where.parent).stdout.strip()
    (Path(own) / "running-interpreter.pth").write_text("".join(f"{folder}\n" for folder in running_site_folders()))
    return python


def test_wheel_installs_and_works_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    python = fresh_venv(venv)
    # --ignore-installed: the running environment may have dfix installed (its
    # metadata is visible through the .pth); the wheel must go into the venv regardless
    run(python, "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed", "--quiet", wheel, cwd=tmp_path)

    found = json.loads(run(python, "-c", INSTALLED_CHECK, cwd=tmp_path).stdout)
    for name in ("dfix", "grammar", "transforms"):
        assert Path(found[name]).is_relative_to(venv), f"{name} imported from {found[name]}, not the venv"
    assert found["lark_is_file"]

    demo = REPO / "corpus" / "demo" / "clean.Dockerfile"
    done = subprocess.run([venv / "bin" / "dfix", demo], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "1 file scanned" in done.stderr


def editable_root() -> Path | None:
    """The folder the installed dfix is an editable install of, or None.

    Looks at every ``dfix`` distribution: run from the repository, the
    current folder's ``dfix.egg-info`` (build metadata, no install record) is
    found first.
    """
    for distribution in metadata.distributions(name="dfix"):
        direct_url = distribution.read_text("direct_url.json")
        if direct_url:
            info = json.loads(direct_url)
            if info.get("dir_info", {}).get("editable"):
                return Path(url2pathname(urlparse(info["url"]).path))
    return None


def test_editable_install_resolves_grammar_and_rules(tmp_path: Path) -> None:
    root = editable_root()
    if root is None or root.resolve() != REPO:
        pytest.skip("dfix is not installed editable from this checkout (pip install -e .)")
    # from an unrelated folder, so imports go through the editable finder and
    # not through the current directory
    found = json.loads(run(sys.executable, "-c", INSTALLED_CHECK, cwd=tmp_path).stdout)
    assert Path(found["dfix"]) == REPO / "dfix" / "__init__.py"
    assert Path(found["grammar"]) == REPO / "grammar" / "__init__.py"
    assert Path(found["transforms"]) == REPO / "transforms" / "__init__.py"
    assert found["lark_is_file"]


def test_the_version_is_the_one_in_pyproject() -> None:
    # dfix/_version.py and [project] version are written by hand: keep them equal
    import tomllib

    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert dfix.__version__ == project["version"]


# -- the README is part of the package (its long description): keep it true ------

README = REPO / "README.md"
INSTALL_AND_RUN_COMMAND = "pip install . && dfix --diff corpus/demo/"
TEST_COMMAND = "pip install -e '.[test]' && python -m pytest"


def readme_blocks(language: str) -> list[str]:
    import re

    return re.findall(rf"```{language}\n(.*?)```", README.read_text(encoding="utf-8"), re.S)


def test_readme_gives_the_two_setup_commands() -> None:
    commands = [block.strip() for block in readme_blocks("sh")]
    assert INSTALL_AND_RUN_COMMAND in commands
    assert TEST_COMMAND in commands


def test_ci_runs_the_readme_test_command() -> None:
    assert f'README_TEST_COMMAND="{TEST_COMMAND}"' in (REPO / ".ci" / "run").read_text(encoding="utf-8")


def test_readme_python_example_runs() -> None:
    (example,) = readme_blocks("python")
    exec(compile(example, str(README), "exec"), {})


def test_readme_configuration_sample_loads(tmp_path) -> None:
    from dfix.config import ConfigResolver

    (sample,) = readme_blocks("toml")
    (tmp_path / ".dfix.toml").write_text(sample, encoding="utf-8")
    settings = ConfigResolver(cwd=tmp_path).settings_for(tmp_path / "Dockerfile")
    assert settings.source == tmp_path / ".dfix.toml"
    assert settings.rule_options["DF100"] == {"max-commands": 0}
