"""Secrets come only from the environment: none is written in the repository.

Reads every file git tracks (or, outside a git checkout, every file below the project but
the virtualenv) and looks for what a leaked secret looks like: private keys, cloud and
forge tokens, a SECRET_KEY or password given a literal value, a `.env` file. The keys the
tests, the benchmarks and the image build make up for themselves are named and allowed.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SKIPPED_DIRS = {".venv", ".git", "node_modules", "media", "staticfiles", "artifacts", "out"}

LEAKS = {
    "a private key": re.compile(r"-----BEGIN (?:RSA |EC |OPENSSH |DSA )?PRIVATE KEY-----"),
    "an AWS access key": re.compile(r"\bAKIA[0-9A-Z]{16}\b"),
    "a GitHub token": re.compile(r"\bgh[pousr]_[A-Za-z0-9]{36,}\b"),
    "a Slack token": re.compile(r"\bxox[abpors]-[A-Za-z0-9-]{10,}"),
    "a SECRET_KEY with a value": re.compile(
        r"""SECRET_KEY\s*[:=]\s*["']?(?!\$\{)([A-Za-z0-9!@#%^&*()_+\-=]{20,})"""
    ),
    "a password in a URL": re.compile(
        r"\b[a-z][a-z0-9+]*://[^/\s:@\"']+:(?!\$\{)(?!(?:pass|password|secret)@)[^@\s/\"']+@"
    ),
}
# Made-up keys that never leave their process: the image build's collectstatic, CI's (each
# says so in its own name); and any key the tests and benchmarks make up for themselves.
ALLOWED = re.compile(r"(?i)(ci-only|collectstatic-only|not-used|insecure)")
MADE_UP_KEYS_IN = ("tests/", "bench/")


def _tracked_files() -> list[Path]:
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True
        ).stdout
        return [ROOT / name for name in listed.decode().split("\0") if name]
    except (OSError, subprocess.CalledProcessError):
        return [
            path
            for path in ROOT.rglob("*")
            if path.is_file() and not SKIPPED_DIRS & set(path.relative_to(ROOT).parts)
        ]


def test_no_env_file_is_in_the_repository():
    names = {path.name for path in _tracked_files()}
    assert ".env" not in names
    assert ".env.example" in names


def test_the_example_environment_leaves_every_secret_empty():
    values = dict(
        line.split("=", 1)
        for line in (ROOT / ".env.example").read_text().splitlines()
        if "=" in line and not line.lstrip().startswith("#")
    )
    for name in ("SECRET_KEY", "POSTGRES_PASSWORD"):
        assert values[name].strip() == "", name


@pytest.mark.parametrize("kind", sorted(LEAKS))
def test_no_secret_is_written_in_a_tracked_file(kind):
    pattern = LEAKS[kind]
    found = []
    for path in _tracked_files():
        if path == Path(__file__) or not path.is_file():
            continue
        try:
            text = path.read_text(encoding="utf-8")
        except (UnicodeDecodeError, OSError):
            continue  # binary: the samples' odd encodings, images
        for number, line in enumerate(text.splitlines(), start=1):
            match = pattern.search(line)
            if not match or ALLOWED.search(match.group(0)):
                continue
            made_up = str(path.relative_to(ROOT)).startswith(MADE_UP_KEYS_IN)
            if kind == "a SECRET_KEY with a value" and made_up:
                continue
            found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, f"{kind} in the repository:\n" + "\n".join(found)
