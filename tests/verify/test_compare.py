"""The image comparison of ``dfix verify``, on made-up images: it must catch what it is there to catch."""

from __future__ import annotations

from dfix.engine import ADDS_USER, ImageEffects
from dfix.verify.compare import config_differences, declared, differences, file_differences, package_differences
from dfix.verify.facts import Entry, ImageFacts, Package
from dfix.verify.verifier import effects_of

NO_RECOMMENDS = effects_of(("DF202",))
JOIN_RUNS = effects_of(("DF100",))


def package(name: str, depends=(), recommends=(), provides=()) -> Package:
    return Package(name, "1.0", frozenset(depends), frozenset(recommends), frozenset(provides))


def file(size: int = 1, uid: int = 0) -> Entry:
    return Entry("file", size, "", uid, 0, 0o644)


def image(packages=(), files=None, owned=None, config=None) -> ImageFacts:
    return ImageFacts(
        config=config or {}, files=files or {}, packages={item.name: item for item in packages},
        package_files=owned or {},
    )


def texts(found) -> list[str]:
    return [str(item) for item in found]


CURL = package("curl", depends=["libcurl4"], recommends=["ca-certificates"])
LIBCURL = package("libcurl4")
CA = package("ca-certificates", depends=["openssl"])
OPENSSL = package("openssl")


def test_recommends_and_what_only_they_need_may_go_with_no_install_recommends():
    assert package_differences(image([CURL, LIBCURL, CA, OPENSSL]), image([CURL, LIBCURL]), NO_RECOMMENDS) == []


def test_a_package_nothing_recommends_may_not_go():
    found = package_differences(image([CURL, LIBCURL, CA, OPENSSL]), image([CURL, CA, OPENSSL]), NO_RECOMMENDS)
    assert texts(found) == ["package libcurl4: gone (only recommends may go)"]


def test_recommends_may_not_go_without_a_fix_that_declares_it():
    found = package_differences(image([CURL, LIBCURL, CA, OPENSSL]), image([CURL, LIBCURL]), JOIN_RUNS)
    assert texts(found) == [
        "package ca-certificates: gone (no applied fix removes packages)",
        "package openssl: gone (no applied fix removes packages)",
    ]


def test_an_added_package_needs_a_declaration_and_brings_its_dependencies():
    before, after = image([CURL, LIBCURL]), image([CURL, LIBCURL, CA, OPENSSL])
    assert package_differences(before, after, NO_RECOMMENDS) == []  # DF202 may add ca-certificates (and openssl with it)
    assert texts(package_differences(before, after, effects_of(("DF624",)))) == [
        "package ca-certificates: added, and no applied fix declares it",
        "package openssl: added, and no applied fix declares it",
    ]


def test_a_virtual_dependency_is_resolved_through_what_provides_it():
    mailer = package("exim4", provides=["mail-transport-agent"])
    tool = package("bsd-mailx", recommends=["mail-transport-agent"])
    assert package_differences(image([tool, mailer]), image([tool]), NO_RECOMMENDS) == []


def test_a_version_change_is_always_a_difference():
    newer = Package("curl", "2.0", CURL.depends, CURL.recommends)
    assert texts(package_differences(image([CURL]), image([newer]), NO_RECOMMENDS)) == ["package curl: 1.0 -> 2.0"]


def test_files_of_dropped_packages_and_declared_caches_may_go_nothing_else():
    before = image(
        [CURL, LIBCURL, CA, OPENSSL],
        files={"/usr/bin/curl": file(), "/usr/bin/openssl": file(), "/var/lib/apt/lists/x_Packages": file(),
               "/app/main.py": file(), "/var/log/dpkg.log": file(5)},
        owned={"openssl": frozenset({"/usr/bin/openssl"})},
    )
    after = image([CURL, LIBCURL], files={"/usr/bin/curl": file(), "/var/log/dpkg.log": file(7)})
    found = file_differences(before, after, effects_of(("DF200", "DF202")))
    assert texts(found) == ["file /app/main.py: gone (file)"]


def test_a_changed_file_names_its_sizes():
    found = file_differences(image(files={"/app/x": file(3)}), image(files={"/app/x": file(4)}), JOIN_RUNS)
    assert texts(found) == ["file /app/x: 3 -> 4 bytes"]


def test_ownership_may_change_only_with_a_user_fix():
    before, after = image(files={"/srv/data": file(uid=0)}), image(files={"/srv/data": file(uid=10001)})
    assert file_differences(before, after, effects_of(("DF400",))) == []
    assert texts(file_differences(before, after, JOIN_RUNS)) == ["file /srv/data: owner and mode 0:0 644 -> 10001:0 644"]


def test_config_changes_only_where_declared():
    before = image(config={"Cmd": ["python3"]})
    after = image(config={"Cmd": ["python3"], "User": "10001:10001"})
    assert config_differences(before, after, ADDS_USER) == []
    assert texts(config_differences(before, after, NO_RECOMMENDS)) == ["config User: None -> '10001:10001'"]
    assert texts(differences(before, image(config={"Cmd": ["sh"]}), ADDS_USER)) == ["config Cmd: ['python3'] -> ['sh']"]


def test_declarations_add_up():
    total = declared([ImageEffects(removes_paths=("/a/*",)), ADDS_USER, ImageEffects(drops_recommends=True)])
    assert total.drops_recommends and total.adds_account and "User" in total.config and "/a/*" in total.removes_paths


def test_the_rules_that_change_images_declare_it():
    assert effects_of(("DF200",)).removes_paths == ("/var/lib/apt/lists/*",)
    assert "ca-certificates" in NO_RECOMMENDS.adds_packages and NO_RECOMMENDS.drops_recommends
    assert effects_of(("DF401",)) == ADDS_USER
    assert effects_of(("DF102",)).cache_order
    assert effects_of(("DF100",)) == ImageEffects()
