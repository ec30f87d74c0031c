"""Context: is a file a governance target, or test code?

Test code is not a governance target (issue policy, documented per rule): a local tracking
store in a unit test, a pinned model version in a fixture or a run without tags in a test
of a training helper are what tests are for. Findings of the governance rules (pillars 1-6
and 8) in test code are therefore hidden by default; they are counted, never silently
dropped, and ``--include-tests`` shows them. CI workflow jobs are test context for one
thing only: the local or SQLite tracking store a job throws away (the rules whose catalog
entry says ``ci: hidden``).

Test code is: a file under a test directory, named ``test``, ``tests`` or ``smoke``, alone
or with words that say which tests (``integration_tests/``, ``e2e-tests/``, ``k8s/smoke/``;
not ``latest/``, nor ``rf_test/``, an example named after what it tries);
``test_*.py``, ``*_test.py`` and ``conftest.py``, and notebooks named alike (``test_*.ipynb``,
``*_test.ipynb``: nbval and testbook run them as tests); a YAML file (a compose file or manifest,
typically) whose name has one of those words (``docker-compose.test.yml``,
``mlflow-smoke.yaml``, not ``latest.yaml``); and whatever the ``test-paths`` globs name
(relative to the configuration's directory, gitignore syntax). A smoke test's throwaway
server (SQLite under /tmp, no authentication) is what a smoke test is for.
"""

from __future__ import annotations

import os
import re
from typing import Literal

from mlflow_lint.safe_io import within

Context = Literal["test", "ci"]

_TEST_WORDS = frozenset({"tests", "test", "smoke"})
# Words that say which tests a directory holds (integration_tests/, e2e-tests/).
_TEST_KINDS = frozenset(
    {"unit", "integration", "e2e", "end2end", "functional", "system", "acceptance", "regression", "load", "perf", "performance", "smoke"}
)
_NAME_WORDS = re.compile(r"[A-Za-z0-9]+")
_CI_FILES = re.compile(r"(?:^|/)(?:\.github/workflows/[^/]+\.ya?ml|\.gitlab-ci\.ya?ml)$")


def file_context(relative: str, test_paths: tuple[str, ...] = ()) -> Context | None:
    """The context of a file, given its POSIX path relative to the configuration root."""
    if _CI_FILES.search(relative):
        return "ci"
    *directories, name = relative.split("/")
    if any(_is_test_directory(directory) for directory in directories):
        return "test"
    lower = name.lower()
    stem, suffix = os.path.splitext(lower)
    if suffix in (".py", ".ipynb") and (stem.startswith("test_") or stem.endswith("_test") or lower == "conftest.py"):
        return "test"
    if lower.endswith((".yml", ".yaml")) and _has_test_word(name):
        return "test"
    if test_paths:
        from mlflow_lint.discovery import gitignore_spec  # compiled once per setting

        if gitignore_spec(test_paths).match(relative):
            return "test"
    return None


def relative_to_configuration(path: str, root: str, outside: str) -> str:
    """The path option globs and the test-code patterns read: ``path`` (absolute) relative
    to the configuration's directory ``root`` (resolved), in POSIX form; ``outside`` when the
    file does not lie in it (or there is no ``root``). A file reached through a symbolic
    link is judged where it is reached first, else where the link leads."""
    if root:
        if within(path, root):
            return os.path.relpath(path, root).replace(os.sep, "/")
        real = os.path.realpath(path)  # an lstat per component: only for a file outside
        if within(real, root):
            return os.path.relpath(real, root).replace(os.sep, "/")
    return outside


def is_test_file(path: str, root: str, outside: str, test_paths: tuple[str, ...] = ()) -> bool:
    """Whether the file at ``path`` is test code: the one test the checks' findings, the
    audit's evidence and the caller search all make (see ``relative_to_configuration``)."""
    return file_context(relative_to_configuration(path, root, outside), test_paths) == "test"


def _has_test_word(name: str) -> bool:
    return not _TEST_WORDS.isdisjoint(word.lower() for word in _NAME_WORDS.findall(name))


def _is_test_directory(name: str) -> bool:
    words = {word.lower() for word in _NAME_WORDS.findall(name)}
    return not _TEST_WORDS.isdisjoint(words) and words <= _TEST_WORDS | _TEST_KINDS


# Directories of code a person runs by hand, not a deployed job or service: the audit
# weighs their gaps lower (scripts/, examples/, notebooks/, demo/, sandbox/...).
_SCRIPT_DIRECTORIES = frozenset(
    {
        "script", "scripts", "bin", "tools", "example", "examples", "demo", "demos", "sandbox",
        "playground", "scratch", "tutorial", "tutorials", "sample", "samples",
    }
)  # fmt: skip
_NOTEBOOK_DIRECTORIES = frozenset({"notebook", "notebooks"})
CodeContext = Literal["production", "script", "notebook"]


def code_context(relative: str, notebook: bool = False) -> CodeContext:
    """What kind of code a (non-test) file is, for the audit's risk score: a notebook (a
    ``.ipynb``, a Databricks notebook source — ``notebook`` — or a file under
    ``notebooks/``), a script (under ``scripts/``, ``examples/``, ``demo/``...), or
    production code (everything else, deployment files included)."""
    *directories, name = relative.split("/")
    lowered = [directory.lower() for directory in directories]
    if notebook or name.lower().endswith(".ipynb") or not _NOTEBOOK_DIRECTORIES.isdisjoint(lowered):
        return "notebook"
    if not _SCRIPT_DIRECTORIES.isdisjoint(lowered):
        return "script"
    return "production"

