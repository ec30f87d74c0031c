"""The result cache, opened per configuration, and whether what a cached analysis read of
other files (modules, import lookups, caller searches, the project facts) still holds."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlflow_lint.analysis.caller_candidates import candidates_digest
from mlflow_lint.cache import CacheUnavailable, ResultCache, cache_key
from mlflow_lint.engine.session import project_for

if TYPE_CHECKING:
    from mlflow_lint.engine.facts import FactsOnDemand


def open_cache(directory: Path | None, configuration: object) -> tuple[ResultCache | None, str | None]:
    if directory is None:
        return None, None
    try:
        return ResultCache.open(directory, cache_key(configuration)), None
    except CacheUnavailable as problem:
        return None, f"result cache disabled: {problem}"


def dependencies_hold(cache: ResultCache, path: Path, facts: FactsOnDemand | None) -> Callable[[dict[str, Any]], bool]:
    """Whether what a cached analysis of ``path`` read of other files is unchanged. Asked
    of ``path``'s own project index (the one its analysis used), never of the project
    whose facts are being gathered: a nested project resolves imports its own way."""

    def hold(deps: dict[str, Any]) -> bool:  # JSON, as the cache recorded it
        index = project_for(path)
        root = str(index.root) if index.root is not None else None
        if deps.get("root", root) != root:
            return False
        for module_path, digest in deps.get("modules", ()):
            if cache.digest(module_path) != digest:
                return False
        for directory, module, found in deps.get("lookups", ()):
            if index.lookup_text(directory, module) != found:
                return False
        for scope, name, digest in deps.get("callers", ()):
            if candidates_digest(index, scope, name) != digest:
                return False  # a file that may call the function appeared, or stopped calling it
        wanted = deps.get("facts")
        if wanted is not None:
            current = facts.of(index) if facts is not None else None
            if current is None or current.digest != wanted:
                return False
        return True

    return hold
