"""Reading and writing files of a repository nobody has reviewed.

A pull request may commit symbolic links: ``x.env -> /proc/self/environ`` would have the
linter read (and echo) its own environment; ``report.sarif -> ~/.bashrc`` would have the
report overwrite a file outside the project. And a disk may fill up in the middle of a
write. So:

- a file is read only when its resolved path stays inside the project it belongs to
  (:func:`within`);
- every file mlflow-lint writes (reports, baselines, fixes, the cache) is written to a
  temporary file beside it and renamed into place (:func:`write_atomically`): a failed
  write leaves the old file whole, and a symbolic link at the destination is replaced,
  never written through.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

# O_NOFOLLOW where the platform has it: creating the temporary file never follows a link.
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def within(path: str | Path, root: str | Path) -> bool:
    """Whether ``path`` (resolved, absolute) lies in ``root`` (resolved, absolute)."""
    path_text, root_text = str(path), str(root).rstrip(os.sep) or os.sep
    return path_text == root_text or path_text.startswith(root_text if root_text.endswith(os.sep) else root_text + os.sep)


def leaves(path: str | Path, roots: tuple[str, ...]) -> bool:
    """Whether the file ``path`` names resolves (through symbolic links) outside every root."""
    resolved = os.path.realpath(path)
    return not any(within(resolved, root) for root in roots)


def write_atomically(path: Path, data: bytes | str) -> None:
    """Write ``data`` to ``path`` all or nothing: a temporary file in the same directory,
    flushed to disk, then renamed over ``path``. Raises OSError (the old file is intact).

    A symbolic link at ``path`` is replaced by the file, never written through; an existing
    file keeps its permission bits. A device, pipe or socket (``-o /dev/null``,
    ``-o /dev/stdout``, a named pipe) is written to as it is: replacing it by a file would
    break it for every other program (as root, /dev/null itself)."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    if _is_stream(path):
        with open(path, "wb") as stream:
            stream.write(payload)
        return
    directory = path.parent
    try:
        mode = os.lstat(path).st_mode & 0o7777 if not path.is_symlink() else 0o644
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    temporary = directory / f".{path.name}.{os.getpid()}-{os.urandom(4).hex()}.tmp"
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o600)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(payload)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise


def _is_stream(path: Path) -> bool:
    """A path that names a stream, not a file: anything under /dev or /proc (which are
    never a project's files), or a character device, pipe or socket named directly."""
    absolute = os.path.abspath(path)
    if absolute.startswith(("/dev/", "/proc/")):
        return True
    try:
        status = os.lstat(path)
    except OSError:
        return False
    return stat.S_ISCHR(status.st_mode) or stat.S_ISFIFO(status.st_mode) or stat.S_ISSOCK(status.st_mode)


def create_exclusively(path: Path, text: str) -> None:
    """Create a small file that must not exist yet; never through a (dangling) link.
    Does nothing when something is already at ``path``."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW, 0o644)
    except FileExistsError:
        return
    with os.fdopen(handle, "w", encoding="utf-8") as stream:
        stream.write(text)


def _umask() -> int:
    current = os.umask(0o022)
    os.umask(current)
    return current
