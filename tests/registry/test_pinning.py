"""Base-image pinning against a real registry on loopback (issue 5 part 1).

The catalogue (support.push_catalogue): ``library/python`` is a two-platform
OCI index tagged ``latest``, ``3``, ``3.12``, ``3.12.7``, ``3.12.7-bookworm``
and ``bookworm``, next to other indexes (3.13.0, 3.12.6, 3.11.9, the slim
variants) and the amd64 child of ``latest`` tagged on its own;
``library/alpine`` is a Docker manifest list; ``myorg/app`` single OCI
manifests; ``myorg/legacy`` a Docker v2 manifest; ``library/nover`` has no
version tags at all.
"""

from __future__ import annotations

import time

import pytest

import dfix
from dfix.registry import Cache, RegistryError, Resolver, ResolverSettings, parse_reference
from dfix.registry.auth import CredentialStore
from dfix.registry.client import RegistryClient

from .conftest import auth_entry
from .support import PASSWORD, USER, PagingProxy, free_port


def resolver(server, **overrides) -> Resolver:
    settings = {"insecure_registries": (server.host,), **overrides}
    return Resolver(ResolverSettings(**settings))


def options(server, **overrides) -> dict:
    return {"resolve": True, "insecure-registries": [server.host], **overrides}


# -- resolution ------------------------------------------------------------------------------------


def test_latest_resolves_to_the_most_specific_version_tag(registry):
    found = resolver(registry).resolve(f"{registry.host}/library/python:latest")
    assert found.digest == registry.digests["python"]["index"]
    assert found.tag == "3.12.7-bookworm"
    assert set(found.sharing) == {"3.12.7-bookworm", "3.12.7", "3.12", "3"}
    assert found.multi_platform and found.media_type == "application/vnd.oci.image.index.v1+json"
    assert found.total_tags == 21 and found.checked <= 12
    assert "3.12.7-bookworm-amd64" not in found.sharing  # the platform child has another digest


def test_untagged_means_latest(registry):
    found = resolver(registry).resolve(f"{registry.host}/library/python")
    assert found.reference.tag == "latest" and found.tag == "3.12.7-bookworm"


def test_policies(registry):
    found = resolver(registry).resolve(f"{registry.host}/library/python:latest")
    name, index = f"{registry.host}/library/python", registry.digests["python"]["index"]
    assert found.pinned("tag") == f"{name}:3.12.7-bookworm"
    assert found.pinned("digest") == f"{name}@{index}"
    assert found.pinned("tag+digest") == f"{name}:3.12.7-bookworm@{index}"


def test_multi_platform_pins_the_index_digest_not_a_platform_manifest(registry):
    python = resolver(registry).resolve(f"{registry.host}/library/python:3.12.7-bookworm-amd64", find_tag=False)
    assert python.digest == registry.digests["python"]["amd64"] != registry.digests["python"]["index"]
    assert not python.multi_platform
    alpine = resolver(registry).resolve(f"{registry.host}/library/alpine:latest")
    assert alpine.digest == registry.digests["alpine"]["index"]
    assert alpine.media_type == "application/vnd.docker.distribution.manifest.list.v2+json"
    assert alpine.tag == "3.20.3"


def test_single_manifests_oci_and_docker_v2(registry):
    app = resolver(registry).resolve(f"{registry.host}/myorg/app:latest")
    assert (app.digest, app.tag) == (registry.digests["app"], "1.4.2")
    legacy = resolver(registry).resolve(f"{registry.host}/myorg/legacy")
    assert (legacy.digest, legacy.tag) == (registry.digests["legacy"], "2.0.1")
    assert legacy.media_type == "application/vnd.docker.distribution.manifest.v2+json"


def test_floating_version_tag_walks_down_from_itself(registry):
    found = resolver(registry).resolve(f"{registry.host}/library/python:3")
    assert found.tag == "3.12.7-bookworm"
    slim = resolver(registry).resolve(f"{registry.host}/library/python:slim")
    assert slim.tag == "3.12.7-slim-bookworm"


def test_library_prefix_and_default_registry(registry):
    reference = parse_reference("python:3.12", registry.host)
    assert (reference.host, reference.repository, reference.name) == (registry.host, "library/python", "python")
    hub = parse_reference("python")
    assert (hub.host, hub.repository) == ("registry-1.docker.io", "library/python")
    assert parse_reference("docker.io/library/python").host == "registry-1.docker.io"
    assert parse_reference("index.docker.io/python").repository == "library/python"
    assert parse_reference("ghcr.io/o/app:1").host == "ghcr.io"
    found = resolver(registry, default_registry=registry.host).resolve("python")
    assert found.pinned("tag") == "python:3.12.7-bookworm"


def test_no_version_tag_shares_the_digest(registry):
    found = resolver(registry).resolve(f"{registry.host}/library/nover:latest")
    assert found.tag is None and found.pinned("tag") is None
    assert found.pinned("tag+digest") == f"{registry.host}/library/nover:latest@{registry.digests['nover']}"


def test_unknown_tag_and_repository_are_clear_errors(registry):
    with pytest.raises(RegistryError, match="not found") as caught:
        resolver(registry).resolve(f"{registry.host}/library/python:9.9")
    assert caught.value.kind == "not-found"
    with pytest.raises(RegistryError, match="invalid repository name"):
        resolver(registry).resolve(f"{registry.host}/Library/Python:latest")


def test_lookups_are_bounded(registry):
    small = resolver(registry, max_lookups=2)
    found = small.resolve(f"{registry.host}/library/python:latest")
    assert found.checked == 2 and found.tag in ("3", "3.12")
    # 1 HEAD for latest, 1 tag list, 2 comparisons
    assert small.client.requests == 4


def test_tag_pagination_follows_relative_link_headers(registry):
    proxy = PagingProxy(registry.url).start()
    try:
        client = RegistryClient(insecure=[proxy.host])
        tags = client.list_tags(proxy.host, "library/python", page_size=4)
        assert len(proxy.pages) == 6 and "last=" in proxy.pages[1]
        assert sorted(tags) == sorted(set(tags)) and len(tags) == 21
        found = Resolver(ResolverSettings(insecure_registries=(proxy.host,))).resolve(f"{proxy.host}/library/python")
        assert found.tag == "3.12.7-bookworm"
    finally:
        proxy.stop()


# -- auth ----------------------------------------------------------------------------------------------


def test_basic_auth_from_docker_config(basic_registry, docker_config):
    name = f"{basic_registry.host}/team/app:latest"
    with pytest.raises(RegistryError, match="requires a login") as caught:
        resolver(basic_registry).resolve(name)
    assert caught.value.kind == "auth"
    docker_config({"auths": {basic_registry.host: auth_entry()}})
    found = resolver(basic_registry).resolve(name)
    assert (found.digest, found.tag) == (basic_registry.digests["app"], "2.1.0")


def test_basic_auth_username_password_and_scheme_keys(basic_registry, docker_config):
    docker_config({"auths": {f"http://{basic_registry.host}/v2/": {"username": USER, "password": PASSWORD}}})
    assert resolver(basic_registry).resolve(f"{basic_registry.host}/team/app").tag == "2.1.0"


def test_basic_auth_wrong_password_is_refused(basic_registry, docker_config):
    docker_config({"auths": {basic_registry.host: auth_entry(password="nope")}})
    with pytest.raises(RegistryError, match="refused the credentials from .*config.json"):
        resolver(basic_registry).resolve(f"{basic_registry.host}/team/app")


def test_basic_auth_from_environment(basic_registry, monkeypatch):
    key = basic_registry.host.replace(".", "_").replace(":", "_")
    monkeypatch.setenv(f"DFIX_REGISTRY_{key}_USERNAME", USER)
    monkeypatch.setenv(f"DFIX_REGISTRY_{key}_PASSWORD", PASSWORD)
    assert resolver(basic_registry).resolve(f"{basic_registry.host}/team/app").tag == "2.1.0"


def test_bearer_token_anonymous_pull(token_registry):
    tokens = token_registry.tokens
    tokens.requests.clear()
    found = resolver(token_registry).resolve(f"{token_registry.host}/library/python:latest")
    assert (found.digest, found.tag) == (token_registry.digests["python"], "3.12.7-bookworm")
    assert len(tokens.requests) == 1  # one token for the repository, reused for every lookup
    query, authorization, status = tokens.requests[0]
    assert query == {"scope": ["repository:library/python:pull"], "service": ["registry.dfix.test"]}
    assert authorization is None and status == 200


def test_bearer_token_private_repository_needs_credentials(token_registry, docker_config):
    name = f"{token_registry.host}/private/app:latest"
    with pytest.raises(RegistryError, match="refused anonymous access") as caught:
        resolver(token_registry).resolve(name)
    assert caught.value.kind == "auth" and "insufficient_scope" in str(caught.value)
    docker_config({"auths": {token_registry.host: auth_entry()}})
    token_registry.tokens.requests.clear()
    found = resolver(token_registry).resolve(name)
    assert (found.digest, found.tag) == (token_registry.digests["private"], "5.0.1")
    assert token_registry.tokens.requests[0][1].startswith("Basic ")


def test_token_server_rejects_bad_credentials(token_registry, docker_config):
    docker_config({"auths": {token_registry.host: auth_entry(password="bad")}})
    with pytest.raises(RegistryError, match="token server 127.0.0.1 refused the credentials .*incorrect username or password"):
        resolver(token_registry).resolve(f"{token_registry.host}/library/python")


# -- transport security ---------------------------------------------------------------------------------


def test_plain_http_is_refused_unless_marked_insecure(registry):
    strict = Resolver(ResolverSettings())
    with pytest.raises(RegistryError, match="insecure-registries") as caught:
        strict.resolve(f"{registry.host}/library/python:latest")
    assert caught.value.kind == "tls"
    by_name = Resolver(ResolverSettings(insecure_registries=("127.0.0.1",)))
    assert by_name.resolve(f"{registry.host}/library/python:latest").tag == "3.12.7-bookworm"


def test_rule_reports_refused_plain_http_as_df004_and_leaves_the_file(registry):
    text = f"FROM {registry.host}/library/python:latest\n"
    result = dfix.fix(text, select=["DF301"], unsafe=True, settings={"DF301": {"resolve": True}})
    assert result.text == text and result.failed == ()
    codes = {d.code: d for d in result.diagnostics}
    assert codes["DF004"].severity == "info" and "insecure" in codes["DF004"].message
    assert codes["DF301"].fix is None


# -- cache and offline --------------------------------------------------------------------------------------


def test_second_run_is_answered_from_the_cache_with_the_server_stopped(fresh_registry, tmp_path):
    name = f"{fresh_registry.host}/library/python:latest"
    first = resolver(fresh_registry).resolve(name)
    assert not first.cached
    fresh_registry.stop()
    second = resolver(fresh_registry)
    again = second.resolve(name)
    assert (again.digest, again.tag, again.cached) == (first.digest, first.tag, True)
    assert second._client is None  # no connection was even opened
    text = f"FROM {name}\n"
    fixed = dfix.fix(text, select=["DF301"], unsafe=True, settings={"DF301": options(fresh_registry)})
    assert fixed.text == f"FROM {fresh_registry.host}/library/python:3.12.7-bookworm\n"
    assert "cached" in fixed.applied[0].message


def test_cache_ttl_expires_entries(fresh_registry, tmp_path):
    name = f"{fresh_registry.host}/library/python:latest"
    resolver(fresh_registry).resolve(name)
    fresh_registry.stop()
    with pytest.raises(RegistryError) as caught:
        resolver(fresh_registry, cache_ttl=0).resolve(name)
    assert caught.value.kind == "network"
    # offline mode accepts entries of any age
    assert resolver(fresh_registry, cache_ttl=0, offline=True).resolve(name).tag == "3.12.7-bookworm"


def test_offline_with_an_empty_cache_is_a_df004_notice(registry):
    text = f"FROM {registry.host}/library/python:latest\n"
    result = dfix.fix(text, select=["DF301"], unsafe=True, settings={"DF301": options(registry, offline=True)})
    assert result.text == text
    notice = next(d for d in result.diagnostics if d.code == "DF004")
    assert "offline" in notice.message and "not in the cache" in notice.message


def test_offline_from_the_environment(registry, monkeypatch):
    monkeypatch.setenv("DFIX_OFFLINE", "1")
    text = f"FROM {registry.host}/library/python:latest\n"
    result = dfix.fix(text, select=["DF301"], unsafe=True, settings={"DF301": options(registry)})
    assert result.text == text and any(d.code == "DF004" for d in result.diagnostics)


def test_network_error_is_a_notice_and_the_file_is_untouched(tmp_path):
    dead = f"127.0.0.1:{free_port()}"
    text = f"FROM {dead}/library/python:latest AS base\nRUN true\n"
    started = time.monotonic()
    result = dfix.fix(text, select=["DF301"], unsafe=True, settings={"DF301": {"resolve": True, "insecure-registries": [dead]}})
    assert time.monotonic() - started < 5
    assert result.text == text and result.applied == () and result.failed == ()
    notice = next(d for d in result.diagnostics if d.code == "DF004")
    assert "cannot connect" in notice.message and notice.line == 1
    assert any(d.code == "DF301" for d in result.diagnostics)


def test_cache_writes_are_atomic_and_survive_garbage(tmp_path):
    cache = Cache(tmp_path / "c", ttl=60)
    cache.put("k", {"a": 1})
    assert cache.get("k").value == {"a": 1}
    path = cache._path("k")
    assert not [p for p in path.parent.iterdir() if p.name.startswith(".tmp-")]
    path.write_text("{not json")
    assert cache.get("k") is None


def test_credentials_store_reads_base64_auth(tmp_path):
    config = tmp_path / "config.json"
    config.write_text('{"auths": {"https://index.docker.io/v1/": {"auth": "dXNlcjpwYXNz"}}}')
    store = CredentialStore(config)
    found = store.get("registry-1.docker.io")
    assert (found.username, found.password) == ("user", "pass")
    assert store.get("ghcr.io") is None


# -- the rules, end to end -----------------------------------------------------------------------------------


def test_df301_pins_latest_end_to_end(registry):
    host = registry.host
    text = (
        "# syntax=docker/dockerfile:1\n"
        f"FROM --platform=$BUILDPLATFORM {host}/library/python:latest AS build\n"
        "RUN pip install wheel\n"
        "FROM build AS test\n"
        f"FROM {host}/myorg/app:latest\n"
        "COPY --from=build /x /x\n"
        "FROM scratch\n"
    )
    settings = {"DF301": options(registry)}
    result = dfix.fix(text, select=["DF301"], unsafe=True, settings=settings)
    assert result.text == text.replace("python:latest", "python:3.12.7-bookworm").replace("app:latest", "app:1.4.2")
    assert result.failed == () and result.diagnostics == ()
    message = result.applied[0].message
    assert "python:latest is 3.12.7-bookworm today" in message
    assert f"same multi-platform index digest {registry.digests['python']['index'][:19]}" in message
    assert "the most specific of 4 version tags" in message
    assert result.applied[0].fix.title == f"pin to `{host}/library/python:3.12.7-bookworm`"
    # unsafe: nothing without --unsafe-fixes; stable once fixed
    assert dfix.fix(text, select=["DF301"], settings=settings).text == text
    assert dfix.fix(result.text, select=["DF301"], unsafe=True, settings=settings).text == result.text


@pytest.mark.parametrize(
    "policy, expected",
    [
        ("tag", "python:3.12.7-bookworm"),
        ("digest", "python@{index}"),
        ("tag+digest", "python:3.12.7-bookworm@{index}"),
    ],
)
def test_df300_untagged_library_name_with_default_registry(registry, policy, expected):
    settings = {"DF300": options(registry, policy=policy, **{"default-registry": registry.host})}
    result = dfix.fix("FROM python\n", select=["DF300"], unsafe=True, settings=settings)
    assert result.text == "FROM " + expected.format(index=registry.digests["python"]["index"]) + "\n"


def test_df300_then_df302_pin_tag_and_digest(registry):
    host = registry.host
    settings = {code: options(registry) for code in ("DF300", "DF302")}
    result = dfix.fix(f"FROM {host}/myorg/app\n", select=["DF300", "DF302"], unsafe=True, settings=settings)
    assert result.text == f"FROM {host}/myorg/app:1.4.2@{registry.digests['app']}\n"
    assert [d.code for d in result.applied] == ["DF300", "DF302"]


def test_df302_keeps_the_tag_and_adds_the_index_digest(registry):
    host = registry.host
    text = f"FROM {host}/library/alpine:3.20\n"
    result = dfix.fix(text, select=["DF302"], unsafe=True, settings={"DF302": options(registry)})
    assert result.text == f"FROM {host}/library/alpine:3.20@{registry.digests['alpine']['index']}\n"
    assert "multi-platform index digest" in result.applied[0].message
    assert dfix.check(text) == [] or all(d.code != "DF302" for d in dfix.check(text))  # off by default


def test_df301_no_version_tag(registry):
    text = f"FROM {registry.host}/library/nover:latest\n"
    only_tag = dfix.fix(text, select=["DF301"], unsafe=True, settings={"DF301": options(registry)})
    assert only_tag.text == text
    assert "no version tag shares the digest" in only_tag.diagnostics[0].message
    both = dfix.fix(text, select=["DF301"], unsafe=True, settings={"DF301": options(registry, policy="tag+digest")})
    assert both.text == f"FROM {registry.host}/library/nover:latest@{registry.digests['nover']}\n"


def test_df301_floating_tags_option(registry):
    text = f"FROM {registry.host}/library/python:3\n"
    assert dfix.fix(text, select=["DF301"], unsafe=True, settings={"DF301": options(registry)}).text == text
    settings = {"DF301": options(registry, **{"floating-tags": ["latest", "3"]})}
    assert dfix.fix(text, select=["DF301"], unsafe=True, settings=settings).text == text.replace("python:3", "python:3.12.7-bookworm")


def test_arg_default_is_edited_when_it_feeds_only_this_from(registry):
    host = registry.host
    text = f"ARG TAG=latest\nFROM {host}/library/python:${{TAG}}\nRUN true\n"
    result = dfix.fix(text, select=["DF301"], unsafe=True, settings={"DF301": options(registry)})
    assert result.text == text.replace("TAG=latest", "TAG=3.12.7-bookworm")
    assert "with the default of ARG TAG" in result.applied[0].message
    whole = f"ARG BASE={host}/myorg/app\nFROM $BASE\n"
    fixed = dfix.fix(whole, select=["DF300"], unsafe=True, settings={"DF300": options(registry)})
    assert fixed.text == f"ARG BASE={host}/myorg/app:1.4.2\nFROM $BASE\n"


@pytest.mark.parametrize(
    "text, reason",
    [
        ("ARG TAG=latest\nFROM {host}/library/python:${{TAG}}\nLABEL tag=$TAG\n", "used elsewhere"),
        ("ARG TAG=latest\nFROM {host}/library/python:$TAG\nARG TAG\nRUN echo \"$TAG\"\n", "used elsewhere"),
        ("ARG TAG=latest\nFROM {host}/library/python:$TAG\nARG TAG\n", "re-declares"),
        ("ARG TAG=latest\nARG TAG=latest\nFROM {host}/library/python:$TAG\n", "more than once"),
        ("ARG TAG=latest\nFROM {host}/library/python:${{TAG}} AS a\nFROM {host}/library/python:${{TAG}} AS b\n", "used elsewhere"),
    ],
)
def test_arg_default_shared_with_other_uses_is_reported_only(registry, text, reason):
    text = text.format(host=registry.host)
    result = dfix.fix(text, select=["DF301"], unsafe=True, settings={"DF301": options(registry)})
    assert result.text == text
    found = [d for d in result.diagnostics if d.code == "DF301"]
    assert found and "3.12.7-bookworm" in found[0].message and reason in (found[0].note or "")


def test_digest_policy_through_a_tag_variable_cannot_fit(registry):
    text = f"ARG TAG=latest\nFROM {registry.host}/library/python:$TAG\n"
    result = dfix.fix(text, select=["DF301"], unsafe=True, settings={"DF301": options(registry, policy="digest")})
    assert result.text == text and "does not fit" in result.diagnostics[0].note
