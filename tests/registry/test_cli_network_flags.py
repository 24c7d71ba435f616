"""``--cache-dir`` and ``--offline`` on the command line, against a real registry that is then stopped."""

from __future__ import annotations

import os
import subprocess
import sys


def dfix_run(*args: str) -> tuple[int, str, str]:
    """``python -m dfix ARGS``: each run a process of its own, as a user runs it."""
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "dfix", *args], capture_output=True, text=True, env=env)
    return done.returncode, done.stdout, done.stderr


def test_offline_answers_from_the_cache_dir_filled_by_an_online_run(fresh_registry, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("DFIX_CACHE_DIR")
    (tmp_path / ".dfix.toml").write_text(
        '[lint]\nselect = ["DF301"]\n'
        f'[lint.rules.DF301]\nresolve = true\ninsecure-registries = ["{fresh_registry.host}"]\n'
    )
    dockerfile = tmp_path / "Dockerfile"
    original = f"FROM {fresh_registry.host}/library/python:latest\nCMD [\"python\"]\n"
    dockerfile.write_text(original)
    cache = tmp_path / "my-cache"

    # Offline with an empty cache: a notice naming the folder, the file untouched.
    code, out, _ = dfix_run("--offline", "--cache-dir", str(cache), "--unsafe-fixes", "Dockerfile")
    assert "DF004" in out and "offline" in out and str(cache / "registry") in out
    assert dockerfile.read_text() == original

    # Online: the answer is fetched and kept under --cache-dir.
    code, out, err = dfix_run("--cache-dir", str(cache), "--diff", "--unsafe-fixes", "Dockerfile")
    assert f"+FROM {fresh_registry.host}/library/python:3.12.7-bookworm" in out, err
    assert any((cache / "registry").rglob("*.json"))

    # The registry is gone: --offline still pins, from that cache.
    fresh_registry.stop()
    code, out, err = dfix_run("--offline", "--cache-dir", str(cache), "--write", "--unsafe-fixes", "Dockerfile")
    assert code == 0, out + err
    assert dockerfile.read_text() == f"FROM {fresh_registry.host}/library/python:3.12.7-bookworm\nCMD [\"python\"]\n"
