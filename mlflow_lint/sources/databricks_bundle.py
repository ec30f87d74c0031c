"""Databricks Asset Bundle jobs: which project file each task runs, after which tasks.

A bundle (a ``databricks.yml``, plus the files its ``include`` globs name) declares jobs as task graphs: ``promotion`` ``depends_on`` ``validation``, which
``depends_on`` ``training``. A task's file runs only after every task upstream of it
succeeded, so a promotion task downstream of a task that fails when the candidate is worse
is gated by the job itself (MLF402). Read with ``yaml.safe_load`` only; a bundle that is
not valid YAML, or templated beyond it, declares nothing.
"""

from __future__ import annotations

import glob
import os
from dataclasses import dataclass
from pathlib import Path

BUNDLE_FILES = ("databricks.yml", "databricks.yaml")
_MAX_BUNDLE_BYTES = 1_000_000
_MAX_INCLUDED_FILES = 200
# Where a workspace path puts the bundle's files: "${workspace.file_path}/src/x",
# "/Workspace/Users/me/.bundle/name/prod/files/src/x".
_FILE_PATH_VARIABLES = ("${workspace.file_path}/", "${workspace.root_path}/files/")
_FILES_SEGMENT = "/files/"


@dataclass(frozen=True)
class BundleTask:
    job: str
    key: str
    file: str | None  # the project file the task runs (resolved), when it is one
    upstream: tuple[str, ...]  # the task keys it depends on


@dataclass(frozen=True)
class Bundle:
    tasks: tuple[BundleTask, ...] = ()
    files_read: tuple[str, ...] = ()  # the bundle's YAML files: what an answer rests on

    def upstream_files(self, path: str) -> list[str]:
        """The files of every task that runs before a task running ``path`` (transitively),
        per job: a file that several tasks run is after validation only if each of them
        is; the answer is the files common to all of them."""
        runs = [task for task in self.tasks if task.file == path]
        if not runs:
            return []
        common: set[str] | None = None
        for task in runs:
            found = self._upstream_of(task)
            common = found if common is None else common & found
        return sorted(common or ())

    def _upstream_of(self, task: BundleTask) -> set[str]:
        by_key = {t.key: t for t in self.tasks if t.job == task.job}
        seen: set[str] = set()
        files: set[str] = set()
        pending = list(task.upstream)
        while pending:
            key = pending.pop()
            if key in seen or key not in by_key:
                continue
            seen.add(key)
            upstream = by_key[key]
            if upstream.file is not None:
                files.add(upstream.file)
            pending.extend(upstream.upstream)
        return files


def read_bundle(root: Path, boundary: Path | None = None) -> Bundle:
    """The jobs of the bundle at ``root`` (an empty bundle when there is none); only files
    inside ``boundary`` (the project, by default the bundle itself) count."""
    boundary = boundary or root
    main = next((root / name for name in BUNDLE_FILES if (root / name).is_file()), None)
    if main is None or not main.resolve().is_relative_to(boundary):
        return Bundle()
    documents: list[tuple[Path, object]] = []
    main_document = _load(main)
    documents.append((main, main_document))
    includes = main_document.get("include") if isinstance(main_document, dict) else None
    if isinstance(includes, list):
        included: list[str] = []
        for pattern in includes:
            if isinstance(pattern, str) and not os.path.isabs(pattern) and ".." not in Path(pattern).parts:
                # Relative to the bundle (root_dir): a "[" in the project's path is no pattern.
                included.extend(glob.glob(pattern, root_dir=root, recursive=True))
        for name in sorted(dict.fromkeys(included))[:_MAX_INCLUDED_FILES]:
            path = root / name
            if path.is_file() and path.resolve().is_relative_to(boundary):
                documents.append((path, _load(path)))
    tasks: list[BundleTask] = []
    for path, document in documents:
        tasks.extend(_tasks(document, path.parent, root, boundary))
    return Bundle(tuple(tasks), tuple(str(path.resolve()) for path, _ in documents))


def _load(path: Path) -> object:
    import yaml

    try:
        with open(path, "rb") as handle:
            text = handle.read(_MAX_BUNDLE_BYTES).decode("utf-8", "replace")
        return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loaders only
    except (OSError, yaml.YAMLError, RecursionError):
        return None


def _tasks(document: object, directory: Path, root: Path, boundary: Path) -> list[BundleTask]:
    resources = document.get("resources") if isinstance(document, dict) else None
    jobs = resources.get("jobs") if isinstance(resources, dict) else None
    if not isinstance(jobs, dict):
        return []
    found = []
    for job_name, job in jobs.items():
        tasks = job.get("tasks") if isinstance(job, dict) else None
        for task in tasks if isinstance(tasks, list) else ():
            if not isinstance(task, dict) or not isinstance(task.get("task_key"), str):
                continue
            depends = task.get("depends_on")
            upstream = tuple(
                entry["task_key"]
                for entry in (depends if isinstance(depends, list) else ())
                if isinstance(entry, dict) and isinstance(entry.get("task_key"), str)
            )
            found.append(BundleTask(str(job_name), task["task_key"], _task_file(task, directory, root, boundary), upstream))
    return found


def _task_file(task: dict[str, object], directory: Path, root: Path, boundary: Path) -> str | None:
    notebook = task.get("notebook_task")
    python = task.get("spark_python_task")
    written = None
    if isinstance(notebook, dict):
        written = notebook.get("notebook_path")
    elif isinstance(python, dict):
        written = python.get("python_file")
    if not isinstance(written, str) or not written.strip():
        return None
    written = written.strip()
    base = directory
    for variable in _FILE_PATH_VARIABLES:
        if written.startswith(variable):
            written, base = written[len(variable) :], root
            break
    else:
        if written.startswith("/"):  # a workspace path: the bundle's files are under .../files/
            if _FILES_SEGMENT not in written:
                return None
            written, base = written.rpartition(_FILES_SEGMENT)[2], root
    if "${" in written:
        return None
    candidate = (base / written).resolve()
    for path in (candidate, candidate.with_name(candidate.name + ".py"), candidate.with_name(candidate.name + ".ipynb")):
        if path.is_file() and path.is_relative_to(boundary):
            return str(path)
    return None
