"""The build context rules read: never outside its root, and .dockerignore as BuildKit reads it."""

from __future__ import annotations

import os

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from dfix.engine import BuildContext, DockerIgnore
from dfix.engine.build_context import MAX_BYTES, _real_under, clean_relative


@pytest.fixture
def context(tmp_path):
    root = tmp_path / "ctx"
    (root / "packages" / "a").mkdir(parents=True)
    (root / "packages" / "b" / "deep").mkdir(parents=True)
    (root / "package.json").write_text('{"name": "x"}')
    (root / "packages" / "a" / "package.json").write_text("{}")
    (root / "packages" / "b" / "deep" / "package.json").write_text("{}")
    (tmp_path / "secret.txt").write_text("outside")
    return BuildContext.of_folder(root)


def test_reads_files_inside_the_root(context):
    assert context.read_text("package.json") == '{"name": "x"}'
    assert context.read_text("./packages/a/package.json") == "{}"
    assert context.exists("packages/a") and context.is_dir("packages/a")
    assert context.read_text("packages/a") is None  # a folder is not a file
    assert context.read_text("missing.txt") is None and not context.exists("missing.txt")


@pytest.mark.parametrize("path", ["../secret.txt", "packages/../../secret.txt", "/etc/passwd", "", "."])
def test_never_reads_outside_the_root(context, path):
    assert context.read_text(path) is None


def test_a_symlink_out_of_the_root_reads_as_absent(context, tmp_path):
    os.symlink(tmp_path / "secret.txt", context.root / "link.txt")
    os.symlink(tmp_path, context.root / "up")
    assert context.read_text("link.txt") is None
    assert not context.exists("up/secret.txt")
    os.symlink(context.root / "package.json", context.root / "inside.json")
    assert context.read_text("inside.json") == '{"name": "x"}'


def test_special_and_huge_files_are_not_read(context):
    os.mkfifo(context.root / "pipe")
    assert context.read_text("pipe") is None  # would block forever
    (context.root / "big.txt").write_bytes(b"x" * (MAX_BYTES + 1))
    assert context.read_text("big.txt") is None


def test_glob(context):
    assert context.glob("packages/*") == ["packages/a", "packages/b"]
    assert context.glob("packages/*/package.json") == ["packages/a/package.json"]
    assert context.glob("packages/**/package.json") == ["packages/a/package.json", "packages/b/deep/package.json"]
    assert context.glob("../*") == []


def test_in_memory_context():
    memory = BuildContext.of_files({"package.json": "{}", "apps/web/package.json": "{}", ".dockerignore": "node_modules\n"})
    assert memory.read_text("package.json") == "{}"
    assert memory.is_dir("apps") and memory.glob("apps/*") == ["apps/web"]
    assert memory.excluded("node_modules") and not memory.excluded("apps")
    assert memory.read_text("../package.json") is None


@pytest.mark.parametrize(
    "patterns,path,excluded",
    [
        ("node_modules", "node_modules", True),
        ("node_modules", "node_modules/x/index.js", True),  # a parent folder matches
        ("node_modules", "app/node_modules", False),  # anchored at the root, unlike git
        ("**/node_modules", "app/node_modules", True),
        ("**/node_modules", "node_modules", True),
        ("/node_modules/", "node_modules/a", True),  # leading and trailing slash are cleaned away
        ("./build", "build", True),
        ("*/temp*", "somedir/temporary.txt", True),
        ("*/temp*", "a/b/temp", False),  # * stops at /
        ("temp?", "tempa", True),
        ("*.md\n!README.md", "README.md", False),
        ("*.md\n!README*.md\nREADME-secret.md", "README-secret.md", True),  # the last match decides
        ("*.md\nREADME-secret.md\n!README*.md", "README-secret.md", False),
        ("vendor\n!vendor/keep.txt", "vendor/keep.txt", False),  # an exception re-includes inside an excluded folder
        ("# node_modules\n\n", "node_modules", False),
        ("*\n!src", "src/main.py", False),
        ("*\n!src", "package.json", True),
    ],
)
def test_dockerignore_semantics(patterns, path, excluded):
    assert DockerIgnore(patterns).excludes(path) is excluded


def test_a_dockerfile_specific_ignore_file_wins(tmp_path):
    (tmp_path / ".dockerignore").write_text("node_modules\n")
    (tmp_path / "app.Dockerfile").write_text("FROM x\n")
    (tmp_path / "app.Dockerfile.dockerignore").write_text("dist\n")
    specific = BuildContext.of_dockerfile(tmp_path / "app.Dockerfile")
    assert specific.excluded("dist") and not specific.excluded("node_modules")
    (tmp_path / "Dockerfile").write_text("FROM x\n")
    assert BuildContext.of_dockerfile(tmp_path / "Dockerfile").excluded("node_modules")


def test_a_dockerfile_specific_ignore_file_is_found_from_any_context_folder(tmp_path):
    """The Dockerfile's own ignore file counts whether the context is its folder (given by any spelling) or another."""
    (tmp_path / "ctx" / "build").mkdir(parents=True)
    dockerfile = tmp_path / "ctx" / "build" / "app.Dockerfile"
    dockerfile.write_text("FROM x\n")
    (tmp_path / "ctx" / "build" / "app.Dockerfile.dockerignore").write_text("dist\n")
    os.symlink(tmp_path / "ctx", tmp_path / "alias")
    for folder in (tmp_path / "ctx" / "build", tmp_path / "alias" / "build", tmp_path / "ctx"):
        assert BuildContext.of_folder(folder, dockerfile).excluded("dist"), folder


def test_a_dockerfile_specific_ignore_file_that_links_elsewhere_is_not_read(tmp_path):
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere" / "rules").write_text("dist\n")
    (tmp_path / "app.Dockerfile").write_text("FROM x\n")
    os.symlink(tmp_path / "elsewhere" / "rules", tmp_path / "app.Dockerfile.dockerignore")
    assert not BuildContext.of_dockerfile(tmp_path / "app.Dockerfile").excluded("dist")


def test_the_disk_is_asked_once_per_path(context):
    """A run sees the context as it first found it: the fix loop asks the same questions after every round."""
    assert context.exists("package.json") and not context.is_dir("package.json")
    assert not context.exists("later.txt")
    (context.root / "package.json").unlink()
    (context.root / "later.txt").write_text("x")
    assert context.exists("package.json") and not context.exists("later.txt")


_PARTS = ["a", "b", "f", "inward", "outward", "dangling", "up", "loop", "missing", ".", ".."]


@pytest.fixture(scope="module")
def linked_tree(tmp_path_factory):
    root = tmp_path_factory.mktemp("linked")
    (root / "a" / "b").mkdir(parents=True)
    (root / "a" / "b" / "f").write_text("")
    os.symlink("a/b", root / "inward")
    os.symlink("/etc", root / "a" / "outward")
    os.symlink("nowhere", root / "dangling")
    os.symlink("..", root / "a" / "up")
    os.symlink("loop", root / "a" / "loop")
    return os.path.realpath(root)


@given(st.lists(st.sampled_from(_PARTS), min_size=1, max_size=6))
@settings(max_examples=300, deadline=None)
def test_resolving_inside_the_root_agrees_with_realpath(linked_tree, parts):
    """Context paths are resolved looking only at their own components, to the same result as ``realpath``."""
    relative = clean_relative("/".join(parts))
    assume(relative is not None)
    assert _real_under(linked_tree, relative) == os.path.realpath(os.path.join(linked_tree, relative))
