"""The image comparison of the build tests, on made-up images: it must catch what it is there to catch."""

from __future__ import annotations

from .support import Entry, ImageFacts, Package
from .test_buildable import Allowance, Case, Smoke, config_problems, file_problems, package_problems


def package(name: str, depends=(), recommends=(), provides=()) -> Package:
    return Package(name, "1.0", frozenset(depends), frozenset(recommends), frozenset(provides))


def file(size: int = 1, uid: int = 0) -> Entry:
    return Entry("file", size, "", uid, 0, 0o644)


def image(packages=(), files=None, owned=None, config=None) -> ImageFacts:
    files = files or {}
    return ImageFacts(
        config=config or {}, size=sum(entry.size for entry in files.values()),
        packages={item.name: item for item in packages}, files=files, package_files=owned or {},
    )


CURL = package("curl", depends=["libcurl4"], recommends=["ca-certificates"])
LIBCURL = package("libcurl4")
CA = package("ca-certificates", depends=["openssl"])
OPENSSL = package("openssl")


def test_recommends_and_what_only_they_need_may_go_with_no_install_recommends():
    before = image([CURL, LIBCURL, CA, OPENSSL])
    after = image([CURL, LIBCURL])
    assert package_problems(before, after, Allowance(("DF202",))) == []


def test_a_package_nothing_recommends_may_not_go():
    before = image([CURL, LIBCURL, CA, OPENSSL])
    after = image([CURL, CA, OPENSSL])
    assert package_problems(before, after, Allowance(("DF202",))) == [
        "package libcurl4 is gone, and no applied fix drops it (only recommends may go)"
    ]


def test_recommends_may_not_go_without_a_fix_that_declares_it():
    problems = package_problems(image([CURL, LIBCURL, CA, OPENSSL]), image([CURL, LIBCURL]), Allowance(("DF100",)))
    assert len(problems) == 2


def test_an_added_package_needs_a_declaration():
    before, after = image([CURL, LIBCURL]), image([CURL, LIBCURL, CA, OPENSSL])
    assert package_problems(before, after, Allowance(("DF202",))) == []
    assert package_problems(before, after, Allowance(("DF624",))) == [
        "package ca-certificates was added, and no applied fix declares it",
        "package openssl was added, and no applied fix declares it",
    ]


def test_files_of_dropped_packages_and_declared_caches_may_go_nothing_else():
    before = image(
        [CURL, LIBCURL, CA, OPENSSL],
        files={"/usr/bin/curl": file(), "/usr/bin/openssl": file(), "/var/lib/apt/lists/x_Packages": file(),
               "/app/main.py": file(), "/var/log/dpkg.log": file(5)},
        owned={"openssl": frozenset({"/usr/bin/openssl"})},
    )
    after = image([CURL, LIBCURL], files={"/usr/bin/curl": file(), "/var/log/dpkg.log": file(7)})
    assert file_problems(before, after, Allowance(("DF200", "DF202"))) == ["/app/main.py: gone (file)"]


def test_ownership_may_change_only_with_a_user_fix():
    before = image(files={"/srv/data": file(uid=0)})
    after = image(files={"/srv/data": file(uid=10001)})
    assert file_problems(before, after, Allowance(("DF400",))) == []
    assert file_problems(before, after, Allowance(("DF100",))) == [
        "/srv/data: owner and mode (0, 0, 420) -> (10001, 0, 420)"
    ]


def test_config_changes_only_where_declared_and_as_the_case_expects():
    case = Case("base", None, "why", Smoke(), expect_user="")
    before = image(config={"Cmd": ["python3"]})
    after = image(config={"Cmd": ["python3"], "User": "10001:10001"})
    assert config_problems(before, after, Allowance(("DF400",)), case) == [
        "config User: expected '', the fixed image has '10001:10001'"
    ]
    assert config_problems(before, after, Allowance(("DF202",)), Case("app", None, "why", Smoke())) == [
        "config User: None -> '10001:10001'"
    ]
