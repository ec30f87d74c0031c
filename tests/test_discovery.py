"""File discovery: recursion, exclusions, .gitignore, virtualenvs, symlink loops."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mlflow_lint.discovery import discover, gitignore_spec
from mlflow_lint.sources import is_lintable, is_script, script_kind


def _names(root: Path, **kwargs) -> list[str]:  # type: ignore[no-untyped-def]
    found = discover([root], is_lintable, **kwargs)
    return [p.relative_to(root).as_posix() for p in found.files]


def _touch(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("import mlflow\n")


def test_skips_vcs_caches_venvs_and_node_modules(tmp_path: Path) -> None:
    for name in ("a.py", "pkg/b.py", ".git/hooks/c.py", "node_modules/d.py", "__pycache__/e.py", "env/lib/f.py", "notes.txt"):
        _touch(tmp_path / name)
    (tmp_path / "env" / "pyvenv.cfg").write_text("home = /usr\n")
    assert _names(tmp_path) == ["a.py", "pkg/b.py"]


def test_gitignore_is_honoured_including_nested_and_negations(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / ".gitignore").write_text("build/\n*.gen.py\n!keep.gen.py\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").write_text("local_*.py\n")
    for name in ("a.py", "build/b.py", "x.gen.py", "keep.gen.py", "sub/local_c.py", "sub/d.py"):
        _touch(tmp_path / name)
    assert _names(tmp_path) == ["a.py", "keep.gen.py", "sub/d.py"]
    # Linting a subdirectory still honours the repository's root .gitignore.
    found = discover([tmp_path / "build"], is_lintable)
    assert found.files == []


def test_exclude_patterns_apply_to_walks_and_named_files(tmp_path: Path) -> None:
    for name in ("a.py", "legacy/b.py", "c_test.py"):
        _touch(tmp_path / name)
    spec = gitignore_spec(["legacy/", "*_test.py"])
    assert _names(tmp_path, exclude=spec, exclude_root=tmp_path.resolve()) == ["a.py"]
    named = discover([tmp_path / "c_test.py"], is_lintable, spec, tmp_path.resolve())
    assert named.files == [] and named.skipped


def test_named_files_are_linted_only_when_they_are_python(tmp_path: Path) -> None:
    (tmp_path / "train").write_text("#!/usr/bin/env python3\nimport mlflow\n")
    _touch(tmp_path / "notes")
    (tmp_path / "notes.txt").write_text("mlflow")
    named = [tmp_path / "train", tmp_path / "notes", tmp_path / "notes.txt"]
    found = discover(named, is_lintable, is_named_lintable=is_script)
    assert found.files == [tmp_path / "train"]
    assert found.unsupported == [tmp_path / "notes", tmp_path / "notes.txt"]


def test_a_walk_reads_extension_less_scripts_by_their_shebang(tmp_path: Path) -> None:
    (tmp_path / "bin").mkdir()
    (tmp_path / "bin" / "start").write_text("#!/bin/bash\nmlflow server --host 0.0.0.0\n")
    (tmp_path / "bin" / "train").write_text("#!/usr/bin/env python3\nimport mlflow\n")
    (tmp_path / "bin" / "serve").write_text("#!/usr/bin/env -S bash -e\nmlflow ui\n")
    (tmp_path / "bin" / "node-tool").write_text("#!/usr/bin/env node\nmlflow\n")  # another interpreter
    (tmp_path / "LICENSE").write_text("mlflow\n")  # no shebang
    (tmp_path / ".envrc").write_text("#!/bin/bash\nmlflow\n")  # a dot file is never opened
    (tmp_path / "s2i" / ".s2i" / "bin").mkdir(parents=True)
    (tmp_path / "s2i" / ".s2i" / "bin" / "run").write_text("mlflow server --host 0.0.0.0\n")  # S2I's run: shell, no shebang needed
    (tmp_path / "s2i" / ".s2i" / "bin" / "helper").write_text("mlflow server\n")  # not one of S2I's scripts
    (tmp_path / "ignored").mkdir()
    (tmp_path / "ignored" / "start").write_text("#!/bin/sh\nmlflow\n")
    (tmp_path / ".gitignore").write_text("ignored/\n")
    found = discover([tmp_path], is_lintable, is_named_lintable=is_script)
    assert [path.relative_to(tmp_path).as_posix() for path in found.files] == [
        "bin/serve", "bin/start", "bin/train", "s2i/.s2i/bin/run",
    ]
    # Without the predicate (the project facts' walk), no extension-less file is opened.
    assert discover([tmp_path], is_lintable).files == []
    # An excluded candidate is listed as excluded only when it is a script.
    excluded = discover([tmp_path], is_lintable, gitignore_spec(["start", "LICENSE", "node-tool"]), tmp_path.resolve(), is_script)
    assert [path.relative_to(tmp_path).as_posix() for path in excluded.excluded] == ["bin/start"]


@pytest.mark.parametrize(
    ("first_line", "kind"),
    [
        ("#!/bin/bash", "shell"), ("#!/bin/sh -e", "shell"), ("#! /usr/bin/env dash", "shell"), ("#!/usr/bin/zsh", "shell"),
        ("#!/bin/ksh", "shell"), ("#!/usr/bin/env -S bash -eu", "shell"), ("#!/usr/bin/env -i PATH=/bin sh", "shell"),
        ("#!/usr/bin/env python3", "python"), ("#!/opt/conda/bin/python", "python"), ("#!/usr/bin/env node", None),
        ("#!/usr/bin/env", None), ("# not a shebang: bash", None), ("bash", None),
    ],
)
def test_script_kind_reads_the_shebang(tmp_path: Path, first_line: str, kind: str | None) -> None:
    (tmp_path / "tool").write_text(first_line + "\nmlflow server\n")
    (tmp_path / "tool.txt").write_text(first_line + "\n")
    assert script_kind(tmp_path / "tool") == kind
    assert script_kind(tmp_path / "tool.txt") is None  # a suffix says what a file is


def test_symlink_loops_do_not_hang(tmp_path: Path) -> None:
    _touch(tmp_path / "pkg" / "a.py")
    os.symlink(tmp_path, tmp_path / "pkg" / "loop")
    assert _names(tmp_path) == ["pkg/a.py"]


def test_duplicates_are_linted_once(tmp_path: Path) -> None:
    _touch(tmp_path / "a.py")
    found = discover([tmp_path, tmp_path / "a.py"], is_lintable)
    assert len(found.files) == 1


def test_root_gitignore_applies_at_every_depth_when_walking_dot(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Regression: walking "." once lost the root .gitignore below the first level.
    (tmp_path / ".gitignore").write_text(".env\n*.gen.py\n")
    for name in ("a/b/c/.env", "a/b/c/x.gen.py", "a/b/c/kept.py"):
        _touch(tmp_path / name)
    monkeypatch.chdir(tmp_path)
    found = discover([Path(".")], is_lintable)
    assert [p.as_posix() for p in found.files] == ["a/b/c/kept.py"]


def test_gitignore_prefilter_agrees_with_negations(tmp_path: Path) -> None:
    (tmp_path / ".gitignore").write_text("*.py\n!keep*.py\nbuild/\n!build/keep/\n")
    for name in ("x.py", "keep_me.py", "sub/y.py", "sub/keep2.py", "build/z.py", "build/keep/k.py"):
        _touch(tmp_path / name)
    # build/keep/ cannot come back: git never looks inside the excluded build/.
    assert _names(tmp_path) == ["keep_me.py", "sub/keep2.py"]


def test_gitignore_contents_of_a_directory_can_be_re_included(tmp_path: Path) -> None:
    # "gen/**" ignores what is inside gen/, not gen/ itself (git's reading): the walk goes
    # in, and the negation brings one file back.
    (tmp_path / ".gitignore").write_text("gen/**\n!gen/keep.py\n")
    for name in ("gen/keep.py", "gen/other.py", "gen/sub/keep.py", "a.py"):
        _touch(tmp_path / name)
    assert _names(tmp_path) == ["a.py", "gen/keep.py"]


def test_a_gitignore_that_is_no_regular_file_is_not_read(tmp_path: Path) -> None:
    # Opening a FIFO blocks until a writer comes: the walk must not wait for one.
    os.mkfifo(tmp_path / ".gitignore")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / ".gitignore").mkdir()
    _touch(tmp_path / "a.py")
    _touch(tmp_path / "sub" / "b.py")
    assert _names(tmp_path) == ["a.py", "sub/b.py"]


def test_fifos_devices_and_broken_links_are_skipped_with_a_reason_never_read(tmp_path: Path) -> None:
    # Reading a FIFO blocks forever and /dev/zero never ends: neither may reach the reader.
    _touch(tmp_path / "good.py")
    os.mkfifo(tmp_path / "pipe.py")
    (tmp_path / "zero.py").symlink_to("/dev/zero")
    (tmp_path / "dangling.py").symlink_to(tmp_path / "missing.py")
    (tmp_path / "loop.py").symlink_to(tmp_path / "loop.py")
    found = discover([tmp_path], is_lintable)
    assert [p.name for p in found.files] == ["good.py"]
    assert sorted((p.name, reason) for p, reason in found.skipped) == [
        ("dangling.py", "broken symbolic link"),
        ("loop.py", "broken symbolic link"),
        ("pipe.py", "not a regular file"),
        ("zero.py", "not a regular file"),
    ]
    named = discover([tmp_path / "pipe.py", tmp_path / "zero.py"], is_lintable)
    assert named.files == [] and len(named.skipped) == 2


@pytest.mark.integration
def test_tracked_files_are_linted_even_when_a_gitignore_matches_them(tmp_path: Path) -> None:
    """A force-added .env is exactly where a leaked secret lives; untracked files the
    .gitignore matches stay unread."""
    from .conftest import run_cli
    from .gitrepo import git, init_repo

    repo = init_repo(tmp_path / "repo", {".gitignore": ".env\nsecrets/\nbuild/\n"})
    for name, text in {
        ".env": "MLFLOW_TRACKING_PASSWORD=tracked-secret\n",
        "secrets/prod.env": "MLFLOW_TRACKING_PASSWORD=tracked-too\n",
        "secrets/local.env": "MLFLOW_TRACKING_PASSWORD=never-committed\n",
        "build/serve.py": "import mlflow\nmlflow.pyfunc.load_model('runs:/0a1b2c/model')\n",
    }.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text, encoding="utf-8")
    git(repo, "add", "-f", ".env", "secrets/prod.env")
    git(repo, "commit", "-q", "-m", "force-added")
    result = run_cli("check", "--format", "json", "--no-cache", ".", cwd=repo)
    paths = sorted({f["path"] for f in json.loads(result.stdout)["findings"]})
    assert paths == [".env", "secrets/prod.env"], result.stdout


@pytest.mark.integration
def test_a_parent_repositorys_gitignore_never_hides_a_named_directory(tmp_path: Path) -> None:
    from .conftest import run_cli
    from .gitrepo import init_repo

    outer = init_repo(tmp_path / "dotfiles")
    (outer / ".gitignore").write_text("*\n", encoding="utf-8")  # a dotfiles repository: ignore all
    project = outer / "work" / "proj"
    project.mkdir(parents=True)
    (project / "pyproject.toml").write_text("[project]\nname = 'proj'\n", encoding="utf-8")
    (project / "train.py").write_text("import mlflow\nmlflow.set_tracking_uri('./mlruns')\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", "--no-cache", "work/proj", cwd=outer)
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["work/proj/train.py"], result.stdout
    # Within the named tree, its own .gitignore still applies.
    (project / ".gitignore").write_text("generated/\n", encoding="utf-8")
    (project / "generated").mkdir()
    (project / "generated" / "x.py").write_text("import mlflow\nmlflow.set_tracking_uri('./mlruns')\n", encoding="utf-8")
    result = run_cli("check", "--format", "json", "--no-cache", "work/proj", cwd=outer)
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["work/proj/train.py"], result.stdout
