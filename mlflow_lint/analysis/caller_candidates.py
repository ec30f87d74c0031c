"""Which of a project's files may call a function, by their text alone: the first look of
the caller search (``analysis.callers``) and what the result cache re-checks of a search a
cached analysis made (``candidates_digest``). Reads no module and loads no analysis, so a
warm run re-checks searches without it."""

from __future__ import annotations

import hashlib
import json
import os
import re
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from mlflow_lint.context import is_test_file
from mlflow_lint.safe_io import within
from mlflow_lint.sources import read_limit

if TYPE_CHECKING:
    from mlflow_lint.config import RuleOptions
    from mlflow_lint.project import ProjectIndex

_MAX_FILE_BYTES = 2_000_000  # as the project facts and ProjectIndex.module_at read Python files


@dataclass(frozen=True)
class CallerScope:
    """Which files are searched for callers: the configuration's excludes (relative to its
    directory, ``root``) and test paths. Part of a logged search, as its ``key``."""

    exclude: tuple[str, ...] = ()
    root: str = ""
    test_paths: tuple[str, ...] = ()

    @classmethod
    def of(cls, options: RuleOptions) -> CallerScope:
        return cls(options.exclude, options.root, options.test_paths)

    @property
    def key(self) -> str:
        return json.dumps([list(self.exclude), self.root, list(self.test_paths)], separators=(",", ":"))

    @classmethod
    def from_key(cls, key: str) -> CallerScope:
        exclude, root, test_paths = json.loads(key)
        return cls(tuple(exclude), root, tuple(test_paths))

    def is_test(self, path: str, project_root: str) -> bool:
        """Whether ``path`` (absolute) is test code, as ``FileContext.context`` decides."""
        return is_test_file(path, self.root or project_root, path, self.test_paths)


@dataclass
class _ProjectText:
    """The bytes of the project's non-test Python files and notebooks in one scope, read
    once, and the files that may call each name asked so far."""

    files: list[tuple[str, bytes]]
    candidates: dict[str, tuple[str, ...]] = field(default_factory=dict)


# Per project index (one per root and process; ``engine.forget_projects`` drops it when
# files may have changed, and these go with it), per scope.
_TEXTS: weakref.WeakKeyDictionary[ProjectIndex, dict[CallerScope, _ProjectText]] = weakref.WeakKeyDictionary()


# How a logged search of subclasses names its class (``"class Service"``), and one of
# every file naming a function (``"mention train"``), beside the searches of callers,
# which log a bare function name.
SUBCLASS_SEARCH = "class "
MENTION_SEARCH = "mention "


def candidates_digest(project: ProjectIndex, scope_key: str, name: str) -> str:
    """The digest a search of ``name``'s callers (or, named ``"class X"``, of ``X``'s
    subclasses) logs now (the result cache compares it)."""
    scope = CallerScope.from_key(scope_key)
    if name.startswith(SUBCLASS_SEARCH):
        return candidates_digest_of(subclass_candidates(project, scope, name[len(SUBCLASS_SEARCH) :]))
    if name.startswith(MENTION_SEARCH):
        return candidates_digest_of(mention_candidates(project, scope, name[len(MENTION_SEARCH) :]))
    return candidates_digest_of(candidates(project, scope, name))


def candidates(project: ProjectIndex, scope: CallerScope, name: str) -> tuple[str, ...]:
    """The project's non-test files whose text may call ``name``: ``name(`` (also
    ``x.name(``), or ``name as`` (imported under another name). Memoised per process."""
    return _search(project, scope, name, name, rb"\b" + re.escape(name.encode()) + rb"(?:\s*\(|\s+as\b)")


def mention_candidates(project: ProjectIndex, scope: CallerScope, name: str) -> tuple[str, ...]:
    """The project's non-test files whose text names ``name`` as a word: its callers, and
    the files that may pass it on as a value (``typer.run(main)``). Memoised per process."""
    return _search(project, scope, MENTION_SEARCH + name, name, rb"\b" + re.escape(name.encode()) + rb"\b")


def subclass_candidates(project: ProjectIndex, scope: CallerScope, name: str) -> tuple[str, ...]:
    """The project's non-test files whose text may define a subclass of the class ``name``
    (``class Child(Base):``, ``class Child(models.Base, Mixin):``). Memoised per process."""
    pattern = rb"\bclass\s+\w+\s*\([^)]*\b" + re.escape(name.encode()) + rb"\b"
    return _search(project, scope, SUBCLASS_SEARCH + name, name, pattern)


def _search(project: ProjectIndex, scope: CallerScope, key: str, name: str, pattern: bytes) -> tuple[str, ...]:
    """The files whose text holds ``name`` and matches ``pattern``, memoised under ``key``
    (a bare name for a call search, beside the prefixed mention and subclass searches)."""
    text = _text(project, scope)
    found = text.candidates.get(key)
    if found is None:
        word = name.encode()
        compiled = re.compile(pattern)
        # The plain substring test first: most files never hold the name, and ``in`` is
        # several times faster than the pattern over a large tree.
        found = text.candidates[key] = tuple(path for path, data in text.files if word in data and compiled.search(data))
    return found


def _text(project: ProjectIndex, scope: CallerScope) -> _ProjectText:
    texts = _TEXTS.setdefault(project, {})
    text = texts.get(scope)
    if text is None:
        text = texts[scope] = _ProjectText(_read_files(project, scope))
    return text


def _read_files(project: ProjectIndex, scope: CallerScope) -> list[tuple[str, bytes]]:
    root = str(project.root)
    files = []
    for path in project.code_files(scope.exclude, scope.root):
        text = str(path)
        if scope.is_test(text, root):
            continue  # test code calls no production function in a way that gates it
        try:
            if project.boundary is not None and not within(os.path.realpath(text), project.boundary):
                continue  # a link to a file outside the project: not the project's code
            if os.stat(text).st_size > read_limit(path):
                continue
            with open(text, "rb") as handle:
                data = handle.read()
        except OSError:
            continue
        if len(data) > _MAX_FILE_BYTES and path.suffix.lower() == ".ipynb":
            # Its code cells: its outputs (images, tables) are not kept meanwhile; nothing
            # when corrupt (``ProjectIndex.module_at`` reads no module from it either).
            from mlflow_lint.sources.prefilter import notebook_code  # only for such a notebook

            data = notebook_code(data) or b""
        files.append((text, data))
    return files


def candidates_digest_of(candidates: tuple[str, ...]) -> str:
    return hashlib.sha256("\n".join(candidates).encode("utf-8", "surrogateescape")).hexdigest()[:16]
