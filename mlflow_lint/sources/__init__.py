"""Sources turn a file's bytes into something the checks can analyse."""

from __future__ import annotations

from pathlib import Path

PYTHON_SUFFIXES = frozenset({".py"})


def is_lintable(path: Path) -> bool:
    """Whether a file found while walking a directory is one mlflow-lint reads."""
    return path.suffix in PYTHON_SUFFIXES
