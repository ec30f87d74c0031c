"""Sources turn a file's bytes into something the checks can analyse."""

from __future__ import annotations

from pathlib import Path

PYTHON_SUFFIXES = frozenset({".py"})


def is_lintable(path: Path) -> bool:
    """Whether a file found while walking a directory is one mlflow-lint reads."""
    return path.suffix in PYTHON_SUFFIXES


def is_python_script(path: Path) -> bool:
    """An extension-less file whose first line is a Python shebang (``bin/train``)."""
    if path.suffix:
        return False
    try:
        with path.open("rb") as handle:
            first = handle.readline(200)
    except OSError:
        return False
    return first.startswith(b"#!") and b"python" in first
