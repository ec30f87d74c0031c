"""Which files to lint: directories recurse; VCS, virtualenv, cache and gitignored paths are skipped.

Inside a git work tree, a file git tracks is linted even when a ``.gitignore`` matches it
(a force-added ``.env`` is exactly where a leaked secret lives): ignore rules decide only
for untracked files. The tracked files are read once, and only when an ignore rule first
matches something. A ``.gitignore`` above a directory named on the command line never
hides that directory (a parent repository's rules are not the named tree's).

The walk works on strings and ``os.scandir`` entries: a tree of a few thousand files is
walked in tens of milliseconds, which matters because every run (and every pre-commit
invocation naming 3 files) walks the whole project once for project-wide facts.
"""

from __future__ import annotations

import functools
import os
import stat as stat_module
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from mlflow_lint.ignore_patterns import MAX_PATTERN_TEXT, IgnorePatterns

# Directories never worth descending into (VCS metadata, tool caches, dependencies).
SKIPPED_DIRECTORIES = frozenset(
    {
        ".git", ".hg", ".svn", ".bzr", "__pycache__", "node_modules", ".tox", ".nox",
        ".mypy_cache", ".pytest_cache", ".ruff_cache", ".mlflow_lint_cache", ".venv",
        "venv", ".eggs", "site-packages", ".ipynb_checkpoints",
    }
)  # fmt: skip


def is_virtualenv(directory: Path | str) -> bool:
    return os.path.isfile(os.path.join(directory, "pyvenv.cfg")) or os.path.isdir(os.path.join(directory, "conda-meta"))


class _GitIgnore:
    """The .gitignore files that apply below a directory, outermost first.

    Each layer is (the directory's resolved path with a trailing slash, its patterns).
    """

    def __init__(self, layers: tuple[tuple[str, IgnorePatterns], ...] = ()) -> None:
        self.layers = layers

    def descend(self, directory: str) -> _GitIgnore:
        """``directory`` is a resolved path; its own .gitignore joins the layers."""
        patterns = _gitignore_at(os.path.join(directory, ".gitignore"))
        if patterns is None:
            return self
        return _GitIgnore(self.layers + ((directory.rstrip("/") + "/", patterns),))

    def ignores(self, path: str, is_dir: bool) -> bool:
        """``path`` is resolved (absolute, no symlinks in its directories)."""
        for base, patterns in self.layers:
            if not path.startswith(base):
                continue
            relative = path[len(base) :]
            if patterns.match(relative + "/" if is_dir else relative):
                return True
        return False


# Compiled .gitignore files by (path, size, mtime): a run walks a project more than once
# (the files named, then each project root for project-wide facts).
_COMPILED_GITIGNORES: dict[tuple[str, int, int], IgnorePatterns | None] = {}


def _gitignore_at(path: str) -> IgnorePatterns | None:
    try:
        stat = os.stat(path)
    except OSError:
        return None
    if not stat_module.S_ISREG(stat.st_mode):  # opening a FIFO would block the walk forever
        return None
    key = (path, stat.st_size, stat.st_mtime_ns)
    if key not in _COMPILED_GITIGNORES:
        _COMPILED_GITIGNORES[key] = _read_gitignore(path)
    return _COMPILED_GITIGNORES[key]


def gitignore_spec(lines: Iterable[str]) -> IgnorePatterns:
    """Patterns with .gitignore semantics (the ``exclude`` setting, ``per-file-ignores``)."""
    return _compiled(tuple(lines))


@functools.lru_cache(maxsize=64)
def _compiled(lines: tuple[str, ...]) -> IgnorePatterns:
    # The same settings are compiled for every file of a run (per-file-ignores, the
    # registry admin modules of MLF403); the objects are immutable but for their caches.
    return IgnorePatterns.from_lines(lines)


def _read_gitignore(path: str) -> IgnorePatterns | None:
    """A .gitignore file's patterns, read up to ``MAX_PATTERN_TEXT`` characters: no line after
    that is honoured anyway, and a file of gigabytes must not be read whole."""
    try:
        # Undecodable bytes stay as the same escapes os.scandir gives file names.
        with open(path, encoding="utf-8", errors="surrogateescape") as handle:
            text = handle.read(MAX_PATTERN_TEXT + 1)
    except OSError:
        return None
    more = len(text) > MAX_PATTERN_TEXT
    return IgnorePatterns.from_text(text[:MAX_PATTERN_TEXT] if more else text, more=more)


def git_root(start: Path) -> Path | None:
    """The enclosing git work tree, if any."""
    for directory in (start, *start.parents):
        if (directory / ".git").exists():
            return directory
    return None


class _Tracked:
    """The files git tracks in one work tree, read once (``git ls-files -z``) and only when
    an ignore rule first matches something: a tracked file is linted even when a
    ``.gitignore`` matches it, because that is exactly where committed secrets hide (a
    ``.env`` force-added, or committed before the rule was written)."""

    def __init__(self, root: str) -> None:
        self.root = root.rstrip("/") + "/"
        self._files: frozenset[str] | None = None
        self._directories: frozenset[str] = frozenset()

    def _load(self) -> None:
        import subprocess

        files: set[str] = set()
        try:
            listed = subprocess.run(
                ["git", "-c", "core.quotePath=false", "ls-files", "-z", "--cached"],
                cwd=self.root, capture_output=True, timeout=60, check=False,
            )  # fmt: skip
            if listed.returncode == 0:
                files = {self.root + os.fsdecode(name) for name in listed.stdout.split(b"\0") if name}
        except (OSError, subprocess.SubprocessError):
            pass  # no git: ignore rules decide, as without a repository
        directories = {parent for name in files for parent in _parents(name, self.root)}
        self._files, self._directories = frozenset(files), frozenset(directories)

    def file(self, resolved: str) -> bool:
        if self._files is None:
            self._load()
        assert self._files is not None
        return resolved in self._files

    def holds(self, resolved_directory: str) -> bool:
        """Whether git tracks a file somewhere below this directory."""
        if self._files is None:
            self._load()
        return resolved_directory.rstrip("/") in self._directories


def _parents(name: str, root: str) -> Iterable[str]:
    directory = os.path.dirname(name)
    while len(directory) >= len(root.rstrip("/")) and directory.startswith(root.rstrip("/")):
        yield directory
        parent = os.path.dirname(directory)
        if parent == directory:
            break
        directory = parent


_TRACKED: dict[tuple[str, int], _Tracked] = {}


def _tracked_in(root: Path | None) -> _Tracked | None:
    """The tracked files of the work tree at ``root`` (memoised while its index is unchanged)."""
    if root is None:
        return None
    try:
        index_time = os.stat(root / ".git" / "index").st_mtime_ns
    except OSError:
        index_time = 0  # a worktree or submodule (.git is a file), or no index yet
    key = (str(root), index_time)
    if key not in _TRACKED:
        _TRACKED[key] = _Tracked(str(root))
    return _TRACKED[key]


def _ancestor_gitignores(directory: Path) -> _GitIgnore:
    """The .gitignore files between the repository root and ``directory`` (exclusive)."""
    root = git_root(directory)
    ignore = _GitIgnore()
    if root is None:
        return ignore
    chain = [root, *[p for p in reversed(directory.parents) if root in p.parents]]
    for ancestor in chain:
        if ancestor != directory:
            ignore = ignore.descend(str(ancestor))
    return ignore


@dataclass
class Discovery:
    """Files found, and paths skipped with a reason (for ``--verbose`` and notifications)."""

    files: list[Path] = field(default_factory=list)
    skipped: list[tuple[Path, str]] = field(default_factory=list)
    unsupported: list[Path] = field(default_factory=list)  # named explicitly, but not a type we read
    stores: list[Path] = field(default_factory=list)  # local tracking stores not ignored (MLF103)
    origins: dict[Path, Path] = field(default_factory=dict)  # file or store -> the path named that led to it
    # Files and directories an ``exclude`` setting left out (not .gitignore): the audit
    # lists them as not audited.
    excluded: list[Path] = field(default_factory=list)


class Exclusions(Protocol):
    """What ``exclude`` settings say of a path (resolved, absolute)."""

    def excludes(self, resolved: str, is_dir: bool) -> bool: ...


class _Exclusions:
    """The ``exclude`` setting, matched against paths relative to the configuration's root."""

    def __init__(self, patterns: IgnorePatterns | None, root: Path | None) -> None:
        self.patterns = patterns if root is not None else None
        self.root = str(root).rstrip("/") + "/" if root is not None else ""

    def excludes(self, resolved: str, is_dir: bool) -> bool:
        if self.patterns is None or not resolved.startswith(self.root):
            return False
        relative = resolved[len(self.root) :]
        return self.patterns.match(relative + "/" if is_dir else relative)


def discover(
    paths: Iterable[Path],
    is_lintable: Callable[[Path | str], bool],
    exclude: IgnorePatterns | None = None,
    exclude_root: Path | None = None,
    is_named_lintable: Callable[[Path], bool] | None = None,
    exclusions_for: Callable[[Path], Exclusions] | None = None,
) -> Discovery:
    """Expand ``paths`` into the sorted, de-duplicated list of files to lint.

    A file named explicitly is linted if ``is_lintable`` or ``is_named_lintable`` accepts
    it (an extension-less script, say); otherwise it is reported as unsupported rather
    than silently passing. A walk asks ``is_named_lintable`` too, of a regular file whose
    name has no suffix and no leading dot (``bin/start``) once .gitignore keeps it: it
    may open the file, so no other is asked. The ``exclude`` patterns apply to named
    files too (so pre-commit, which names files, honours them). ``exclusions_for`` gives the exclusions
    for the paths found from a named path (each file's own configuration's ``exclude``);
    without it, ``exclude`` (relative to ``exclude_root``) applies to every path.
    """
    result = Discovery()
    # resolved path -> the path to lint it by: the file itself rather than a link to it
    # (a fix is never written through a link, and a finding belongs where the file is).
    chosen: dict[str, Path] = {}
    linked: set[str] = set()
    single: Exclusions = _Exclusions(exclude, exclude_root)
    if exclude is not None and exclude.limit_note is not None:
        result.skipped.append((exclude_root or Path("."), f"exclude setting: {exclude.limit_note}"))
    given_now: list[Path] = []

    def add(path: Path, key: str, is_link: bool = False) -> None:
        if key not in chosen or (key in linked and not is_link):
            chosen[key] = path
            (linked.add if is_link else linked.discard)(key)
            result.origins[path] = given_now[-1]

    for given in paths:
        given_now.append(given)
        exclusions = exclusions_for(given) if exclusions_for is not None else single
        stores_before = len(result.stores)
        if given.is_dir():
            _walk(given, is_lintable, exclusions, add, result, is_named_lintable)
            for store in result.stores[stores_before:]:
                result.origins[store] = given
            continue
        key = str(given.resolve())
        if exclusions.excludes(key, False):
            result.skipped.append((given, "excluded by configuration"))
            result.excluded.append(given)
        elif not given.is_file():
            result.skipped.append((given, "not a regular file"))
        elif is_lintable(given) or (is_named_lintable is not None and is_named_lintable(given)):
            add(given, key, given.is_symlink())
        else:
            result.unsupported.append(given)
    result.files = sorted(chosen.values(), key=lambda p: p.as_posix())
    result.excluded.sort(key=lambda p: p.as_posix())
    result.stores.sort(key=lambda p: p.as_posix())
    return result


def _walk(
    top: Path,
    is_lintable: Callable[[Path | str], bool],
    exclusions: Exclusions,
    add: Callable[[Path, str, bool], None],
    result: Discovery,
    is_script: Callable[[Path], bool] | None = None,
) -> None:
    """Depth-first, in name order. Directory symlinks are reported and not followed, so a
    symlink loop cannot trap the walk; a directory seen twice (bind mounts) is skipped."""
    resolved_top = top.resolve()
    visited: set[tuple[int, int]] = set()
    tracked = _tracked_in(git_root(resolved_top))
    ancestors = _without_foreign_rules(_ancestor_gitignores(resolved_top), resolved_top, tracked)
    for base, patterns in ancestors.layers:
        _note_limit(Path(base, ".gitignore"), patterns, result)
    ignored = _Ignored(tracked)
    # (path as given, resolved path, the .gitignore layers of its parent)
    stack: list[tuple[Path, str, _GitIgnore]] = [(top, str(resolved_top), ancestors)]
    while stack:
        here, resolved, parent_ignore = stack.pop()
        try:
            stat = os.stat(resolved)
            with os.scandir(resolved) as listing:
                entries = sorted(listing, key=lambda entry: entry.name)
        except OSError:
            continue
        identity = (stat.st_dev, stat.st_ino)
        if identity in visited:
            continue
        visited.add(identity)
        ignore = parent_ignore.descend(resolved)
        if ignore is not parent_ignore:
            _note_limit(here / ".gitignore", ignore.layers[-1][1], result)
        subdirectories: list[tuple[Path, str, _GitIgnore]] = []
        for entry in entries:
            name = entry.name
            child_resolved = f"{resolved.rstrip('/')}/{name}"
            try:
                is_dir = entry.is_dir()  # follows symlinks, as os.walk did
            except OSError:  # a symlink loop: not a directory to descend into
                is_dir = False
            if is_dir:
                _directory(entry, here / name, child_resolved, ignore, exclusions, result, subdirectories, ignored)
                continue
            if name == "mlflow.db" or (name.lower().endswith(_SQLITE_SUFFIXES) and is_sqlite_tracking_store(child_resolved)):
                if not ignored(ignore, child_resolved, False) and not exclusions.excludes(child_resolved, False):
                    result.stores.append(here / name)
                continue
            script = False  # known only once the file is opened
            if not is_lintable(name):
                if is_script is None or "." in name:
                    continue
                script = True
            path = here / name
            if ignored(ignore, child_resolved, False):
                continue
            # An extension-less file is a candidate only: opened (a regular file) to see
            # whether it is a script, and otherwise neither excluded nor skipped.
            if script and (_not_a_regular_file(entry) is not None or is_script is None or not is_script(path)):
                continue
            if exclusions.excludes(child_resolved, False):
                result.excluded.append(path)
                continue
            unreadable = _not_a_regular_file(entry)
            if unreadable is not None:
                result.skipped.append((path, unreadable))
                continue
            is_link = entry.is_symlink()
            add(path, str(path.resolve()) if is_link else child_resolved, is_link)
        stack.extend(reversed(subdirectories))


def _without_foreign_rules(ancestors: _GitIgnore, top: Path, tracked: _Tracked | None) -> _GitIgnore:
    """The .gitignore layers above a named directory, less those above its project root
    when they would hide it: a parent repository's rules (a dotfiles repository ignoring
    ``*``) never hide a project the user named, as ruff lints such a directory. Rules of
    the project itself (at or below its root) still apply."""
    from mlflow_lint.project import find_project_root  # not needed by most walks

    if not ancestors.ignores(str(top), True) or (tracked is not None and tracked.holds(str(top))):
        return ancestors
    root = find_project_root(top)
    if root is None:
        return ancestors
    inside = str(root.resolve()).rstrip("/") + "/"
    return _GitIgnore(tuple(layer for layer in ancestors.layers if layer[0].startswith(inside)))


class _Ignored:
    """Whether a .gitignore hides a path: only when git does not track it (or below it)."""

    def __init__(self, tracked: _Tracked | None) -> None:
        self.tracked = tracked

    def __call__(self, ignore: _GitIgnore, resolved: str, is_dir: bool) -> bool:
        if not ignore.ignores(resolved, is_dir):
            return False
        if self.tracked is None:
            return True
        return not (self.tracked.holds(resolved) if is_dir else self.tracked.file(resolved))


def _note_limit(path: Path, patterns: IgnorePatterns, result: Discovery) -> None:
    """A .gitignore longer than the limits: say which of it is not honoured (once)."""
    if patterns.limit_note is not None and (path, patterns.limit_note) not in result.skipped:
        result.skipped.append((path, patterns.limit_note))


def _not_a_regular_file(entry: os.DirEntry[str]) -> str | None:
    """Why a directory entry is no file to read (a FIFO would block the read forever, a
    device never end it), or None for a regular file or a symlink to one."""
    try:
        if entry.is_file():
            return None
    except OSError:  # a symlink loop
        return "broken symbolic link"
    if entry.is_symlink() and not os.path.exists(entry.path):
        return "broken symbolic link"
    return "not a regular file"


def _directory(
    entry: os.DirEntry[str],
    path: Path,
    resolved: str,
    ignore: _GitIgnore,
    exclusions: Exclusions,
    result: Discovery,
    subdirectories: list[tuple[Path, str, _GitIgnore]],
    ignored: _Ignored,
) -> None:
    """Decide about one subdirectory: descend, skip, or record it as a tracking store."""
    name = entry.name
    if name in SKIPPED_DIRECTORIES or is_virtualenv(resolved):
        return
    if name in _STORE_DIRECTORIES:  # MLflow's own files: a store to report, never code or manifests to lint
        found = _STORE_DIRECTORIES[name](path) if not ignored(ignore, resolved, True) else None
        if found is not None and not exclusions.excludes(resolved, True):
            result.stores.append(found)
        return
    if name.startswith("mlruns") and not ignored(ignore, resolved, True):
        # A store kept under another name (mlruns_test/, mlruns-backup/): one only when its
        # experiments' metadata is MLflow's; else a directory like any other.
        found = _run_metadata(path)
        if found is not None and _is_experiment_metadata(found):
            if not exclusions.excludes(resolved, True):
                result.stores.append(found)
            return
    if entry.is_symlink():
        result.skipped.append((path, "symbolic link to a directory"))
        return
    if ignored(ignore, resolved, True):
        return
    if exclusions.excludes(resolved, True):
        result.excluded.append(path)
        return
    subdirectories.append((path, resolved, ignore))


def _first_artifact(directory: Path, under_artifacts: bool = False) -> Path | None:
    """The first file of an ``mlartifacts`` store (``mlflow server``'s default artifact
    destination: copies of what runs logged, scripts included, never the project's code),
    or None for an empty directory; ``under_artifacts``: the first inside an ``artifacts``
    directory at least two levels below (``<experiment>/<run>/artifacts/...``). A bounded
    look: a store may hold thousands of files."""
    for seen, (current, subdirectories, files) in enumerate(os.walk(directory)):
        subdirectories.sort()
        if files and (not under_artifacts or "artifacts" in Path(current).relative_to(directory).parts[2:]):
            return Path(current) / sorted(files)[0]
        if seen > 200:
            break
    return None


def _run_metadata(directory: Path) -> Path | None:
    """The first ``<experiment>/meta.yaml`` of an ``mlruns`` store (a file findings can
    point at); else, for the artifact root of a store whose metadata is elsewhere (a
    SQLite backend's default ``./mlruns``), the first file under an ``artifacts``
    directory (``<experiment>/<run>/artifacts/...``, ``<experiment>/models/m-.../artifacts/...``);
    None for an empty placeholder directory."""
    try:
        for index, child in enumerate(sorted(directory.iterdir())):
            if index > 200:
                break
            if child.is_dir() and (child / "meta.yaml").is_file():
                return child / "meta.yaml"
    except OSError:
        return None
    return _first_artifact(directory, under_artifacts=True)


def _is_experiment_metadata(path: Path) -> bool:
    """An MLflow experiment's ``meta.yaml`` (its id and artifact location), by its text."""
    try:
        with open(path, "rb") as handle:
            text = handle.read(_MAX_METADATA_BYTES)
    except OSError:
        return False
    return b"experiment_id" in text and b"artifact_location" in text


_MAX_METADATA_BYTES = 64_000
# SQLite files under any name: an MLflow tracking store when its schema says so.
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")
_SQLITE_HEADER = b"SQLite format 3\x00"
# The schema (sqlite_master) is written when MLflow's migrations create the tables, in the
# first pages of the file; how much of it is searched for their names.
_SCHEMA_BYTES = 2_000_000


def is_sqlite_tracking_store(path: str) -> bool:
    """A SQLite database whose schema names MLflow's tables (``alembic_version``, which
    every migrated MLflow store has, and ``experiment_tags`` or ``registered_models``):
    ``mlruns.db``, ``tracking.sqlite``. Read as bytes; the database is never opened."""
    try:
        with open(path, "rb") as handle:
            data = handle.read(_SCHEMA_BYTES)
    except OSError:
        return False
    return data.startswith(_SQLITE_HEADER) and b"alembic_version" in data and (b"experiment_tags" in data or b"registered_models" in data)


# Directories MLflow writes, by name: where the store's finding points (None: an empty
# placeholder, no store). Never descended: their files are MLflow's, not the project's.
_STORE_DIRECTORIES: dict[str, Callable[[Path], Path | None]] = {"mlruns": _run_metadata, "mlartifacts": _first_artifact}
