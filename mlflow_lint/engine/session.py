"""The session: what one process knows of the projects it lints.

One project index per project root (parsed modules, import lookups, project facts, caller
searches), found from a file's directory. The engine's front ends (the CLI's run, flake8,
the language server) share the process's session; each worker process of the pool has its
own, forked or spawned with it. ``forget`` drops everything when files may have changed
(before a run, after ``--fix`` edits, when the language server sees a save).
"""

from __future__ import annotations

import os
from pathlib import Path

from mlflow_lint.project import ModuleBudget, ProjectIndex, find_project_root, forget_project_roots


class Session:
    """The project indexes of one process, by root and by the directories asked about."""

    def __init__(self) -> None:
        self._by_root: dict[Path | None, ProjectIndex] = {}
        # A directory -> its index: asked for every file, the root search runs once per directory.
        self._by_directory: dict[str, ProjectIndex] = {}
        self._budget = ModuleBudget()  # the parsed modules all the indexes keep, together

    def project_for(self, path: Path) -> ProjectIndex:
        """The index of the project ``path`` belongs to (its nearest marked ancestor)."""
        directory = os.path.dirname(os.path.abspath(path))
        index = self._by_directory.get(directory)
        if index is None:
            root = find_project_root(Path(directory).resolve())
            index = self._by_root.get(root)
            if index is None:
                index = self._by_root[root] = ProjectIndex(root, self._budget)
            self._by_directory[directory] = index
        return index

    def forget(self) -> None:
        """Drop every project index and the project roots found."""
        for index in self._by_root.values():
            index.release_modules()
        self._by_root.clear()
        self._by_directory.clear()
        self._budget = ModuleBudget()
        forget_project_roots()


_SESSION = Session()  # this process's


def project_for(path: Path) -> ProjectIndex:
    """The index of the project ``path`` belongs to, in this process's session."""
    return _SESSION.project_for(path)


def forget_projects() -> None:
    """Drop every project index of this process's session (parsed modules, import lookups,
    project facts)."""
    _SESSION.forget()
