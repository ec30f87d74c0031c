"""The result cache: a warm run re-analyses only what changed, and is still exactly right.

One JSON file per effective configuration (``<cache dir>/results-<key>.json``). The key
covers everything that changes a file's findings besides the files themselves: the
mlflow-lint version and code, the Python version, the enabled rules, the rule options,
per-file ignores, exclusions and the working directory (findings show paths relative to it).

Per file the cache keeps its content hash, its findings and what its analysis read of other
files (``project.DependencyLog``): the modules it resolved names in (with their content
hashes), the import lookups it made (a new ``utils.py`` that now shadows a module changes
the lookup), its project root, and the digest of the project-wide facts its findings used.
A cached result is reused only when all of them still hold.

Hashing every file on every run would cost as much as a small lint, so a file whose size,
modification time and inode are unchanged keeps its recorded hash, the way git's index
does, except when it was modified so close to the cache write that a later change within
the file system's timestamp granularity could go unseen ("racily clean": re-hashed).

JSON, never pickle: the cache directory may come from a checkout, and loading it must not
be able to execute anything. A corrupt, foreign or truncated file is ignored and rewritten.

Nor is a cache file trusted because it parses: a committed ``.mlflow_lint_cache/`` (or one
restored from a shared image) could say "no findings" for a file full of them, and the
cache key is predictable. Each file is signed with an HMAC whose key is a random secret of
this user on this machine, kept outside every repository (``cache_key_file``); a file it
does not verify is ignored. A cache directory that git tracks, or a default one that is
a symbolic link, is not used at all.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import hmac
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from stat import S_ISREG
from typing import Any

from mlflow_lint import __version__
from mlflow_lint.findings import Finding, FlowStep, Waiver
from mlflow_lint.project import DependencyLog
from mlflow_lint.safe_io import create_exclusively

CACHE_DIRECTORY_NAME = ".mlflow_lint_cache"
_FORMAT = 2  # 2: signed (a MAC line before the JSON)
_RACY_WINDOW_NS = 2_000_000_000
_MAX_HASHED_BYTES = 200_000_000  # coarser than any file system's timestamp granularity
_FINDING_FIELDS = tuple(f.name for f in fields(Finding))


def _finding_row(finding: Finding) -> list[Any]:
    row: list[Any] = [getattr(finding, name) for name in _FINDING_FIELDS]
    row[_FINDING_FIELDS.index("flow")] = [[s.path, s.line, s.column, s.message] for s in finding.flow]
    waiver = finding.waiver
    row[_FINDING_FIELDS.index("waiver")] = None if waiver is None else [waiver.kind, waiver.reason, waiver.source, waiver.line]
    return row


def _finding_from_row(row: list[Any]) -> Finding:
    values = dict(zip(_FINDING_FIELDS, row, strict=False))
    values["flow"] = tuple(FlowStep(*step) for step in values.get("flow") or ())
    waiver = values.get("waiver")
    values["waiver"] = Waiver(*waiver) if waiver else None
    return Finding(**values)


class CacheUnavailable(Exception):
    """The cache directory cannot be created or written: the run goes on without it."""


def cache_key_file() -> Path:
    """Where this user's cache-signing secret lives: the user's cache directory
    (``$XDG_CACHE_HOME``, ``~/Library/Caches``, ``%LOCALAPPDATA%``), never a repository."""
    override = os.environ.get("MLFLOW_LINT_CACHE_KEY_FILE")
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData" / "Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "mlflow-lint" / "cache-signing-key"


def _signing_key() -> bytes:
    """The secret that signs cache files, made on first use (32 random bytes, mode 0600)."""
    path = cache_key_file()
    try:
        key = path.read_bytes()
    except FileNotFoundError:
        key = b""
    except OSError as error:
        raise CacheUnavailable(f"cannot read the cache signing key {path}: {error.strerror or error}") from None
    if key:
        if len(key) < 32:
            raise CacheUnavailable(f"the cache signing key {path} is too short; delete it to make a new one")
        return key
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}")
        handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        with os.fdopen(handle, "wb") as stream:
            stream.write(os.urandom(32))
        try:
            os.link(temporary, path)  # all or nothing; a concurrent first run's key wins
        except FileExistsError:
            pass
        finally:
            os.unlink(temporary)
        return path.read_bytes()
    except OSError as error:
        raise CacheUnavailable(f"cannot create the cache signing key {path}: {error.strerror or error}") from None


def _tracked_by_git(directory: Path) -> bool:
    """Whether git tracks anything in ``directory`` (no git, or not a work tree: False)."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--", "."], cwd=directory, capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return listed.returncode == 0 and bool(listed.stdout.strip(b"\0"))


@functools.lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """The installed mlflow-lint's code and rule catalog.

    The version alone would let an edited development checkout reuse stale results. An
    installed wheel is named by the content hashes its RECORD lists, so a fresh install of
    the same wheel (a CI job restoring its cache) keeps the cache; a checkout (an editable
    install lists no module in its RECORD) by file name, size and modification time.
    """
    package = Path(__file__).resolve().parent
    digest = hashlib.sha256(__version__.encode())
    recorded = _recorded_hashes(package)
    if recorded:
        for line in recorded:
            digest.update(f"{line}\n".encode())
        return digest.hexdigest()[:16]
    for root in (package, package.parent / "rules"):
        if root != package and not (root / "MLF000.yaml").is_file():
            continue  # not a checkout: the wheel's catalog is inside the package
        for directory, subdirectories, files in os.walk(root):
            subdirectories[:] = sorted(d for d in subdirectories if d != "__pycache__")
            for name in sorted(files):
                if name.endswith((".py", ".yaml", ".json")):
                    stat = os.stat(os.path.join(directory, name))
                    relative = os.path.relpath(os.path.join(directory, name), root)
                    digest.update(f"{relative}:{stat.st_size}:{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()[:16]


def _recorded_hashes(package: Path) -> list[str]:
    """``path:hash`` of every file of this package in its wheel's RECORD, when this package
    is the installed wheel's (empty for a checkout or an editable install). The RECORD
    beside the package is read directly: importing ``importlib.metadata`` to find it cost
    more than the rest of a warm run's start-up together."""
    beside = package.parent / f"mlflow_lint-{__version__}.dist-info" / "RECORD"
    try:
        text = beside.read_text(encoding="utf-8")
    except OSError:
        return _recorded_hashes_from_metadata(package)  # installed elsewhere, or by another tool
    found = []
    for line in text.splitlines():
        path, _, rest = line.partition(",")
        digest = rest.partition(",")[0]
        if path.startswith("mlflow_lint/") and "=" in digest:
            found.append(f"{path}:{digest.partition('=')[2]}")
    return sorted(found)


def _recorded_hashes_from_metadata(package: Path) -> list[str]:
    from importlib import metadata

    try:
        distribution = metadata.distribution("mlflow-lint")
    except metadata.PackageNotFoundError:
        return []
    try:
        if Path(str(distribution.locate_file("mlflow_lint"))).resolve() != package:
            return []  # another copy is installed; this code runs from elsewhere
    except OSError:
        return []
    files = distribution.files or []
    return sorted(
        f"{file}:{file.hash.value}" for file in files if file.hash is not None and str(file).startswith("mlflow_lint/")
    )


def cache_key(parts: object) -> str:
    """A short, stable key for the given configuration (anything with a stable repr)."""
    text = json.dumps([_FORMAT, __version__, code_fingerprint(), list(sys.version_info[:2]), repr(parts)])
    return hashlib.sha256(text.encode()).hexdigest()[:20]


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


@dataclass(frozen=True)
class CachedResult:
    findings: list[Finding]
    analysed: bool
    note: str | None
    # The audit's evidence of the file as JSON rows (engine.evidence), when the run
    # gathered it; None otherwise. The cache stores the rows without reading them.
    evidence: list[Any] | None = None


def _log_to_json(log: DependencyLog | None, modules: dict[str, str | None]) -> dict[str, Any]:
    if log is None:
        return {}
    return {
        "modules": sorted([path, modules.get(path)] for path in log.modules),
        "lookups": sorted([d, m, f] for d, m, f in log.lookups),
        "callers": sorted([scope, name, digest] for scope, name, digest in log.callers),
        "facts": log.facts,
    }


class ResultCache:
    """The cache file of one configuration: load, look up, record, save."""

    def __init__(self, directory: Path, key: str) -> None:
        self.directory = directory
        self.path = directory / f"results-{key}.json"
        self.key = key
        self.files: dict[str, list[Any]] = {}  # path -> [size, mtime_ns, inode, digest]
        self.results: dict[str, dict[str, Any]] = {}
        self.uses: dict[str, dict[str, Any]] = {}
        # A local tracking store's findings (MLF103): they depend on its path alone (and on
        # the configuration and code, which key this file), so a warm run need not load
        # the checks to say them again.
        self.stores: dict[str, list[Any]] = {}
        self._written_at = 0
        self._hashes: dict[str, str | None] = {}  # this run: path -> digest (None: unreadable)
        self.hits = 0
        self.misses = 0
        self.dirty = False  # something was recorded that the file on disk does not have
        self.key_bytes = b""  # the signing secret
        self.ignored: str | None = None  # why an existing cache file was not trusted (--verbose)

    # ----------------------------------------------------------------- load and save
    @classmethod
    def open(cls, directory: Path, key: str) -> ResultCache:
        """Load the cache (or start empty); CacheUnavailable when it cannot be written or
        must not be trusted (tracked by git; a default location that is a symbolic link)."""
        cache = cls(directory, key)
        if directory.name == CACHE_DIRECTORY_NAME and directory.is_symlink():
            raise CacheUnavailable(f"{directory} is a symbolic link; not used (name a directory with --cache-dir)")
        if directory.is_dir() and _tracked_by_git(directory):
            raise CacheUnavailable(f"{directory} is tracked by git, so its results cannot be trusted; not used")
        cache.key_bytes = _signing_key()
        try:
            directory.mkdir(parents=True, exist_ok=True)
            if not os.access(directory, os.W_OK | os.X_OK):
                raise CacheUnavailable(f"cannot write to {directory}")
            _mark_cache_directory(directory)
        except OSError as error:
            raise CacheUnavailable(f"cannot create {directory}: {error.strerror or error}") from None
        cache._load()
        return cache

    def _mac(self, body: bytes) -> bytes:
        return hmac.new(self.key_bytes, body, hashlib.sha256).hexdigest().encode("ascii")

    def _load(self) -> None:
        try:
            with open(self.path, "rb") as handle:
                mac, _, body = handle.read().partition(b"\n")
        except OSError:
            return  # absent: start empty
        if not hmac.compare_digest(mac, self._mac(body)):
            self.ignored = f"ignored {self.path.name}: not written by mlflow-lint for this user on this machine"
            return
        try:
            data = json.loads(body)
            if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("key") != self.key:
                return
            files, results, uses = data["files"], data["results"], data["uses"]
            stores = data.get("stores", {})
            written_at = data["written_at"]
            tables = (files, results, uses, stores)
            if not (all(isinstance(table, dict) for table in tables) and isinstance(written_at, int)):
                return
        except (ValueError, KeyError, TypeError, RecursionError):
            return  # corrupt or foreign: start empty, and the save rewrites it
        self.files, self.results, self.uses, self.stores, self._written_at = files, results, uses, stores, written_at

    def save(self) -> None:
        """Write atomically (a concurrent run sees the old file or the new one, never half);
        entries of files that no longer exist are dropped. A run that learnt nothing new
        writes nothing."""
        if not self.dirty:
            return
        for table in (self.files, self.results, self.uses, self.stores):
            for path in [p for p in table if p not in self._hashes and not os.path.exists(p)]:
                del table[path]
        data = {
            "format": _FORMAT,
            "key": self.key,
            "written_at": time.time_ns(),
            "files": self.files,
            "results": self.results,
            "uses": self.uses,
            "stores": self.stores,
        }
        # A name no concurrent run uses; O_EXCL never follows a planted symlink.
        temporary = self.directory / f".results-{os.getpid()}-{os.urandom(6).hex()}.tmp"
        try:
            handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            # dumps, not dump: dump streams through the pure-Python encoder, 10x slower
            body = json.dumps(data, separators=(",", ":"), sort_keys=True).encode("utf-8")
            with os.fdopen(handle, "wb") as stream:
                stream.write(self._mac(body) + b"\n" + body)
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)

    # ----------------------------------------------------------------- content hashes
    def digest(self, path: str) -> str | None:
        """The file's content hash (None when it cannot be read), from the recorded one
        when its size, mtime and inode are unchanged and not racily recent."""
        if path in self._hashes:
            return self._hashes[path]
        try:
            stat = os.stat(path)
        except OSError:
            self._hashes[path] = None
            return None
        if not S_ISREG(stat.st_mode) or stat.st_size > _MAX_HASHED_BYTES:
            self._hashes[path] = None  # a device, a FIFO, a huge file: never cached
            return None
        recorded = self.files.get(path)
        if (
            isinstance(recorded, list)
            and len(recorded) == 4
            and recorded[:3] == [stat.st_size, stat.st_mtime_ns, stat.st_ino]
            and stat.st_mtime_ns < self._written_at - _RACY_WINDOW_NS
        ):
            digest: str = recorded[3]
            self._hashes[path] = digest
            return digest
        try:
            with open(path, "rb") as handle:
                digest = content_digest(handle.read())
        except OSError:
            self._hashes[path] = None
            return None
        if recorded != [stat.st_size, stat.st_mtime_ns, stat.st_ino, digest]:
            self.files[path] = [stat.st_size, stat.st_mtime_ns, stat.st_ino, digest]
            self.dirty = True
        self._hashes[path] = digest
        return digest

    def analysed_content(self, path: str, digest: str) -> None:
        """The digest of the bytes a worker actually analysed; if the file changed since
        this run hashed it, forget its stat so the next run re-reads it."""
        if self._hashes.get(path) != digest:
            self.files.pop(path, None)
            self._hashes[path] = digest
        self.dirty = True

    # ----------------------------------------------------------------- results
    def result(self, path: str, still_holds: Callable[[dict[str, Any]], bool], evidence: bool = False) -> CachedResult | None:
        """The cached outcome of linting ``path``, if its content and dependencies hold;
        with ``evidence``, only an entry that holds the file's evidence."""
        entry = self.results.get(path)
        digest = self.digest(path)
        if not isinstance(entry, dict) or digest is None or entry.get("digest") != digest:
            self.misses += 1
            return None
        try:
            rows = entry.get("evidence")
            if not still_holds(entry.get("deps") or {}) or (evidence and not isinstance(rows, list)):
                self.misses += 1
                return None
            findings = [_finding_from_row(row) for row in entry["findings"]]
            cached = CachedResult(findings, bool(entry["analysed"]), entry["note"], rows if evidence else None)
        except (KeyError, TypeError, ValueError):
            self.misses += 1
            return None
        self.hits += 1
        return cached

    def record_result(self, path: str, digest: str, log: DependencyLog | None, result: CachedResult) -> None:
        self.analysed_content(path, digest)
        self.results[path] = {
            "digest": digest,
            "deps": _log_to_json(log, self._module_digests(log)),
            "findings": [_finding_row(f) for f in result.findings],
            "analysed": result.analysed,
            "note": result.note,
        }
        if result.evidence is not None:
            self.results[path]["evidence"] = result.evidence

    # ----------------------------------------------------------------- local stores
    def store_findings(self, path: str) -> list[Finding] | None:
        """The findings recorded for the local tracking store at ``path``, if any."""
        rows = self.stores.get(path)
        if not isinstance(rows, list):
            return None
        try:
            return [_finding_from_row(row) for row in rows]
        except (KeyError, TypeError, ValueError):
            return None

    def record_store(self, path: str, findings: list[Finding]) -> None:
        self.stores[path] = [_finding_row(finding) for finding in findings]
        self.dirty = True

    # ----------------------------------------------------------------- project-fact uses
    def file_uses(self, path: str, still_holds: Callable[[dict[str, Any]], bool]) -> list[list[Any]] | None:
        """The tracking-URI uses recorded for ``path`` (rows), if still valid."""
        entry = self.uses.get(path)
        digest = self.digest(path)
        if not isinstance(entry, dict) or digest is None or entry.get("digest") != digest:
            return None
        rows = entry.get("uses")
        if not isinstance(rows, list) or not still_holds(entry.get("deps") or {}):
            return None
        return rows

    def record_uses(self, path: str, digest: str, log: DependencyLog | None, rows: list[list[Any]]) -> None:
        self.analysed_content(path, digest)
        self.uses[path] = {"digest": digest, "deps": _log_to_json(log, self._module_digests(log)), "uses": rows}

    def _module_digests(self, log: DependencyLog | None) -> dict[str, str | None]:
        return {path: self.digest(path) for path in log.modules} if log is not None else {}


def _mark_cache_directory(directory: Path) -> None:
    """A ``.gitignore`` so the cache is never committed, and a CACHEDIR.TAG for backup tools."""
    # Created only where nothing is: never through a committed (dangling) link.
    create_exclusively(directory / ".gitignore", "# Created by mlflow-lint automatically.\n*\n")
    create_exclusively(
        directory / "CACHEDIR.TAG",
        "Signature: 8a477f597d28d172789f06886806bc55\n# This file is a cache directory tag created by mlflow-lint.\n",
    )
