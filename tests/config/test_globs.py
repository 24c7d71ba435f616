"""``exclude``, ``include`` and ``per-file-ignores`` globs, anchored at their file and matched as gitignore does."""

from __future__ import annotations

from pathlib import Path

from dfix.config import anchor_glob

from .helpers import ALL_CODES, dockerfile, error_of, resolver, write

# -- per-file-ignores, exclude, include -----------------------------------------------------------


def test_per_file_ignores(tmp_path):
    write(tmp_path / ".dfix.toml", """
[lint.per-file-ignores]
"**/Dockerfile.dev" = ["DL3059", "DF202"]
"ci/**" = ["DF2"]
"Containerfile" = ["DF624"]
""")
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    codes = lambda *parts: settings.rule_codes_for(tmp_path.joinpath(*parts))[0]  # noqa: E731
    assert codes("Dockerfile") == ALL_CODES
    assert codes("Dockerfile.dev") == ALL_CODES - {"DF100", "DF202"}
    assert codes("a", "b", "Dockerfile.dev") == ALL_CODES - {"DF100", "DF202"}
    assert codes("ci", "deep", "Dockerfile") == frozenset(c for c in ALL_CODES if not c.startswith("DF2"))
    assert codes("other", "ci", "Dockerfile") == ALL_CODES  # "ci/**" is anchored at the config's folder
    assert codes("x", "Containerfile") == ALL_CODES - {"DF624"}  # no slash: any depth
    run, fix = settings.rule_codes_for(tmp_path / "Dockerfile.dev")
    assert fix <= run
    # globs are stored anchored
    assert settings.per_file_ignores[1] == (f"{tmp_path.as_posix()}/ci/**", ("DF2",))


def test_per_file_ignores_of_a_parent_config_stay_anchored_at_the_parent(tmp_path):
    write(tmp_path / "base.toml", '[lint.per-file-ignores]\n"ci/**" = ["DF100"]\n')
    write(tmp_path / "svc" / ".dfix.toml", 'extend = "../base.toml"\n[lint.extend-per-file-ignores]\n"ci/**" = ["DF200"]\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path / "svc"))
    assert "DF100" not in settings.rule_codes_for(tmp_path / "ci" / "Dockerfile")[0]
    assert "DF100" in settings.rule_codes_for(tmp_path / "svc" / "ci" / "Dockerfile")[0]
    assert "DF200" not in settings.rule_codes_for(tmp_path / "svc" / "ci" / "Dockerfile")[0]


def test_per_file_ignores_bad_codes_and_types(tmp_path):
    write(tmp_path / ".dfix.toml", '[lint.per-file-ignores]\n"ci/**" = ["DF999"]\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert str(error).startswith('.dfix.toml: lint.per-file-ignores."ci/**": unknown rule selector')
    write(tmp_path / ".dfix.toml", '[lint.per-file-ignores]\n"ci/**" = "DF100"\n')
    error = error_of(resolver(tmp_path).settings_for, dockerfile(tmp_path))
    assert "expected an array of strings" in str(error)


def test_exclude_and_include(tmp_path):
    write(tmp_path / ".dfix.toml", """
exclude = ["third_party", "/build/**"]
extend-exclude = ["*.generated.Dockerfile"]
extend-include = ["docker/*.df"]
""")
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.is_excluded(tmp_path / "third_party")
    assert settings.is_excluded(tmp_path / "x" / "third_party" / "y" / "Dockerfile")
    assert settings.is_excluded(tmp_path / "build" / "Dockerfile")
    assert not settings.is_excluded(tmp_path / "x" / "build" / "Dockerfile")
    assert settings.is_excluded(tmp_path / "a" / "api.generated.Dockerfile")
    assert not settings.is_excluded(tmp_path / "Dockerfile")
    assert not settings.is_excluded(tmp_path.parent / "third_party" / "Dockerfile")  # outside the project
    assert settings.is_included(tmp_path / "docker" / "api.df")
    assert settings.is_included(tmp_path / "sub" / "dockerfile")  # default names, case-insensitive
    assert settings.is_included(tmp_path / "app.Dockerfile")
    assert not settings.is_included(tmp_path / "Dockerfile.j2")
    assert not settings.is_included(tmp_path / "README.md")


def test_include_replaces_default_names(tmp_path):
    write(tmp_path / ".dfix.toml", 'include = ["images/*/Buildfile"]\n')
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.is_included(tmp_path / "images" / "api" / "Buildfile")
    assert not settings.is_included(tmp_path / "Dockerfile")


def test_globs_match_as_gitignore_does(tmp_path):
    """pathspec's gitignore matching: ``*`` stays in one folder, classes and escapes work, and a glob that
    matches a folder covers the files inside it, for ``include`` too (the hand-written matcher dfix had
    before applied that last rule to ``exclude`` and ``per-file-ignores`` only)."""
    write(tmp_path / ".dfix.toml", """
include = ["images/*.df", "svc-[0-9]/Dockerfile", "weird\\\\[x]"]
exclude = ["a*b"]
""")
    settings = resolver(tmp_path).settings_for(dockerfile(tmp_path))
    assert settings.is_included(tmp_path / "images" / "API.DF")  # include is case-insensitive
    assert not settings.is_included(tmp_path / "images" / "sub" / "api.df")
    assert settings.is_included(tmp_path / "images" / "api.df" / "Dockerfile")  # inside a matching folder
    assert settings.is_included(tmp_path / "svc-1" / "Dockerfile")
    assert not settings.is_included(tmp_path / "svc-x" / "Dockerfile")
    assert settings.is_included(tmp_path / "deep" / "weird[x]")
    assert settings.is_excluded(tmp_path / "ab") and settings.is_excluded(tmp_path / "axxb" / "Dockerfile")
    assert not settings.is_excluded(tmp_path / "a" / "b")  # "*" does not cross folders


def test_anchor_glob():
    base = Path("/repo")
    assert anchor_glob("ci/**", base) == "/repo/ci/**"
    assert anchor_glob("./ci/", base) == "/repo/ci"
    assert anchor_glob("Dockerfile.dev", base) == "/repo/**/Dockerfile.dev"
    assert anchor_glob("/top", base) == "/repo/top"
    assert anchor_glob("../shared/**", base) == "/shared/**"
    assert anchor_glob("x", Path("/we[ird]")) == "/we\\[ird\\]/**/x"


def test_glob_with_special_characters_in_the_folder(tmp_path):
    folder = tmp_path / "we[ird] *"
    write(folder / ".dfix.toml", '[lint.per-file-ignores]\n"ci/*" = ["DF100"]\n')
    settings = resolver(tmp_path).settings_for(dockerfile(folder))
    assert "DF100" not in settings.rule_codes_for(folder / "ci" / "Dockerfile")[0]
    assert "DF100" in settings.rule_codes_for(tmp_path / "weird" / "ci" / "Dockerfile")[0]



def test_exclude_prunes_the_folder_itself_and_settings_group_files(tmp_path):
    write(tmp_path / ".dfix.toml", 'extend-exclude = ["vendor/**"]\n')
    r = resolver(tmp_path)
    settings = r.settings_for(dockerfile(tmp_path))
    assert settings.is_excluded(tmp_path / "vendor")  # a walker can skip the whole folder
    assert settings.is_excluded("vendor/a/Dockerfile")  # relative to the resolver's cwd
    assert not settings.is_excluded(tmp_path / "vendored")
    groups = {settings: ["Dockerfile"]}  # hashable by identity
    assert groups[r.settings_for(tmp_path / "x" / "Dockerfile")] == ["Dockerfile"]
