"""Throwaway git repositories for the diff, baseline and pre-commit tests."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

# Commits must not depend on the machine's git configuration (signing, hooks, names).
GIT_ENV = {
    "GIT_AUTHOR_NAME": "mlflow-lint tests",
    "GIT_AUTHOR_EMAIL": "tests@example.invalid",
    "GIT_COMMITTER_NAME": "mlflow-lint tests",
    "GIT_COMMITTER_EMAIL": "tests@example.invalid",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}


def git_env() -> dict[str, str]:
    return {**os.environ, **GIT_ENV}


def git(repo: Path, *args: str) -> str:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    result = subprocess.run(["git", *args], cwd=repo, env=git_env(), capture_output=True, text=True, timeout=60)
    if result.returncode != 0:
        raise AssertionError(f"git {' '.join(args)} failed: {result.stderr}")
    return result.stdout


def init_repo(path: Path, files: dict[str, str] | None = None, message: str = "initial") -> Path:
    """A repository on branch main, with ``files`` committed (if any)."""
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q", "-b", "main")
    if files:
        commit(path, files, message)
    return path


def write(repo: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        target = repo / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")


def commit(repo: Path, files: dict[str, str] | None = None, message: str = "change") -> str:
    if files:
        write(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "--no-verify", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()
