"""Allows ``python -m mlflow_lint``."""

import os
import sys


def _forget_working_directory() -> None:
    """``python -m`` puts the working directory first on sys.path, and mlflow-lint runs
    inside checkouts nobody has reviewed: a ``click.py`` or ``yaml.py`` there would be
    imported in place of the real dependency, and run. This package is imported already,
    so nothing needs that entry (``-P`` / PYTHONSAFEPATH leave it out in the first place)."""
    if not sys.path:
        return
    try:
        here = os.path.realpath(os.getcwd())
    except OSError:
        here = None
    if sys.path[0] in ("", os.curdir) or os.path.realpath(sys.path[0]) == here:
        del sys.path[0]


_forget_working_directory()

from mlflow_lint.cli import main  # noqa: E402 - after sys.path is repaired

if __name__ == "__main__":
    main()
