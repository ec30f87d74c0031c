"""The process's session: one project index per project root (parsed modules, import
lookups, project facts), found from a file's directory. Each worker process has its own."""

from __future__ import annotations

import os
from pathlib import Path

from mlflow_lint.project import ProjectIndex, _project_root_of_directory, find_project_root

# ---------------------------------------------------------------------------- per file
_PROJECTS: dict[Path | None, ProjectIndex] = {}  # per process: one index per project root


_PROJECT_OF_DIRECTORY: dict[str, ProjectIndex] = {}


def forget_projects() -> None:
    """Drop every project index (parsed modules, import lookups, project facts)."""
    _PROJECTS.clear()
    _PROJECT_OF_DIRECTORY.clear()
    _project_root_of_directory.cache_clear()


def project_for(path: Path) -> ProjectIndex:
    directory = os.path.dirname(os.path.abspath(path))
    index = _PROJECT_OF_DIRECTORY.get(directory)
    if index is None:
        root = find_project_root(Path(directory).resolve())
        index = _PROJECTS.get(root)
        if index is None:
            index = _PROJECTS[root] = ProjectIndex(root)
        _PROJECT_OF_DIRECTORY[directory] = index
    return index
