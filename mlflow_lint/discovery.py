"""Which files to lint: directories recurse; VCS, virtualenv, cache and gitignored paths are skipped."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

import pathspec

# Directories never worth descending into (VCS metadata, tool caches, dependencies).
SKIPPED_DIRECTORIES = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", "__pycache__", "node_modules", ".tox", ".nox",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".mlflow_lint_cache", ".venv",
        "venv", ".eggs", "site-packages", ".ipynb_checkpoints",
    }
)  # fmt: skip


def is_virtualenv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file() or (directory / "conda-meta").is_dir()


class _GitIgnore:
    """The .gitignore files that apply below a directory, outermost first."""

    def __init__(self, layers: tuple[tuple[Path, pathspec.PathSpec], ...] = ()) -> None:
        self.layers = layers

    def descend(self, directory: Path) -> _GitIgnore:
        spec = _read_gitignore(directory / ".gitignore")
        return _GitIgnore(self.layers + ((directory, spec),)) if spec is not None else self

    def ignores(self, path: Path, is_dir: bool) -> bool:
        for base, spec in self.layers:
            try:
                relative = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if is_dir:
                relative += "/"
            if spec.match_file(relative):
                return True
        return False


def _read_gitignore(path: Path) -> pathspec.PathSpec | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


def git_root(start: Path) -> Path | None:
    """The enclosing git work tree, if any."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


def _ancestor_gitignores(directory: Path) -> _GitIgnore:
    """The .gitignore files between the repository root and ``directory`` (exclusive)."""
    root = git_root(directory)
    ignore = _GitIgnore()
    if root is None:
        return ignore
    chain = [root, *[p for p in reversed(directory.parents) if root in p.parents]]
    for ancestor in chain:
        if ancestor != directory:
            ignore = ignore.descend(ancestor)
    return ignore


@dataclass
class Discovery:
    """Files found, and paths skipped with a reason (for ``--verbose`` and notifications)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    unsupported: list[Path] = field(default_factory=list)  # named explicitly, but not a type we read
    stores: list[Path] = field(default_factory=list)  # local tracking stores not ignored (MLF103)


def discover(
    paths: Iterable[Path],
    is_lintable: Callable[[Path], bool],
    exclude: pathspec.PathSpec | None = None,
    exclude_root: Path | None = None,
    is_named_lintable: Callable[[Path], bool] | None = None,
) -> Discovery:
    """Expand ``paths`` into the sorted, de-duplicated list of files to lint.

    A file named explicitly is linted if ``is_lintable`` or ``is_named_lintable`` accepts
    it (an extension-less script, say); otherwise it is reported as unsupported rather
    than silently passing. The ``exclude`` patterns apply to named files too (so
    pre-commit, which names files, honours them).
    """
    result = Discovery()
    seen: set[Path] = set()

    def excluded(path: Path, is_dir: bool) -> bool:
        if exclude is None or exclude_root is None:
            return False
        try:
            relative = path.resolve().relative_to(exclude_root).as_posix()
        except ValueError:
            return False
        return exclude.match_file(relative + ("/" if is_dir else ""))

    def add(path: Path) -> None:
        key = path.resolve()
        if key not in seen:
            seen.add(key)
            result.files.append(path)

    for given in paths:
        if given.is_dir():
            _walk(given, is_lintable, excluded, add, result)
        elif excluded(given, False):
            result.skipped.append((given, "excluded by configuration"))
        elif is_lintable(given) or (is_named_lintable is not None and is_named_lintable(given)):
            add(given)
        else:
            result.unsupported.append(given)
    result.files.sort(key=lambda p: p.as_posix())
    return result


def _walk(
    top: Path,
    is_lintable: Callable[[Path], bool],
    excluded: Callable[[Path, bool], bool],
    add: Callable[[Path], None],
    result: Discovery,
) -> None:
    top_ignore = _ancestor_gitignores(top.resolve())
    ignores: dict[str, _GitIgnore] = {}
    visited: set[tuple[int, int]] = set()
    for directory, dirnames, filenames in os.walk(top, followlinks=False):
        here = Path(directory)
        try:
            stat = here.stat()
            identity = (stat.st_dev, stat.st_ino)
        except OSError:
            continue
        if identity in visited:
            dirnames[:] = []
            continue
        visited.add(identity)
        parent_ignore = ignores.get(str(here.parent), top_ignore) if here != top else top_ignore
        ignore = parent_ignore.descend(here.resolve())
        ignores[directory] = ignore
        kept = []
        for name in sorted(dirnames):
            child = here / name
            if name in SKIPPED_DIRECTORIES or is_virtualenv(child):
                continue
            if name == "mlruns":  # MLflow's own files: a store to report, never manifests to lint
                metadata = _run_metadata(child) if not ignore.ignores(child.resolve(), True) else None
                if metadata is not None and not excluded(child, True):
                    result.stores.append(metadata)
                continue
            if child.is_symlink():
                result.skipped.append((child, "symbolic link to a directory"))
                continue
            if ignore.ignores(child.resolve(), True) or excluded(child, True):
                continue
            kept.append(name)
        dirnames[:] = kept
        for name in sorted(filenames):
            path = here / name
            if name == "mlflow.db" and not ignore.ignores(path.resolve(), False) and not excluded(path, False):
                result.stores.append(path)
                continue
            if not is_lintable(path):
                continue
            if ignore.ignores(path.resolve(), False) or excluded(path, False):
                continue
            add(path)


def _run_metadata(directory: Path) -> Path | None:
    """The first ``<experiment>/meta.yaml`` of an ``mlruns`` store (a file findings can
    point at), or None for an empty placeholder directory."""
    try:
        for index, child in enumerate(sorted(directory.iterdir())):
            if index > 200:
                break
            if child.is_dir() and (child / "meta.yaml").is_file():
                return child / "meta.yaml"
    except OSError:
        return None
    return None
