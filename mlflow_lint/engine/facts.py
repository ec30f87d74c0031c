"""The project facts a run needs (MLF102's tracking URIs and the like): computed on first
need, from what the lint already found, the result cache, or a parse in the worker pool."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from mlflow_lint.cache import ResultCache, content_digest
from mlflow_lint.config import RuleOptions
from mlflow_lint.engine.dependencies import dependencies_hold, open_cache
from mlflow_lint.engine.exclusions import ExclusionRule, exclusion_rule_of
from mlflow_lint.engine.session import project_for
from mlflow_lint.engine.tasks import Outcome, Settings, load_analysis
from mlflow_lint.project import DependencyLog, ProjectIndex
from mlflow_lint.project_facts import (
    FileFact,
    ProjectFacts,
    fact_from_row,
    gather_facts,
    read_project_file,
)
from mlflow_lint.sources import read_bounded, read_limit
from mlflow_lint.workers import WorkerPool


@functools.cache
def rules_reading_project_facts() -> frozenset[str]:
    """The rules whose checks may read the project's facts (ctx.project_facts()): declared
    by the checks, so the engine names no rule. Asked only when a file is analysed: a run
    served by the result cache never loads the checks."""
    from mlflow_lint.checks import ALL_CHECKS

    return frozenset(
        rule for check in ALL_CHECKS if check.reads_project_facts or check.consults_project_facts for rule in check.rules
    )


class FactsOnDemand:
    """Each project's facts, computed on first need (once per project and run): from the
    result cache's per-file records, and the worker pool for files that must be parsed."""

    def __init__(
        self,
        options: RuleOptions,
        cache: ResultCache | None,
        workers: WorkerPool,
        walked: dict[str, tuple[ExclusionRule, list[str]]] | None = None,
    ) -> None:
        self.options = options
        self.cache = cache
        self.workers = workers
        self.walked = walked or {}
        self.known: dict[str, ProjectFacts] = {}
        # The tracking/registry-URI rows of files the lint already analysed (absolute path -> rows).
        self.uses_seen: dict[str, list[list[object]]] = {}

    def of(self, index: ProjectIndex) -> ProjectFacts | None:
        if index.root is None:
            return None
        root = str(index.root)
        if root not in self.known:
            rule, files = self.walked.get(root, (None, None))
            known_files = files if rule == exclusion_rule_of(self.options) else None
            self.known[root] = collect_facts(index, self.options, self.cache, self.workers, self.uses_seen, known_files)
        return self.known[root]

    def saw(self, path_text: str, outcome: Outcome) -> None:
        """Keep what the lint learnt of a file's tracking URIs (and put it in the cache)."""
        if outcome.uses is None:
            return
        self.uses_seen[path_text] = outcome.uses
        if self.cache is not None and outcome.digest is not None:
            # A file the text test passed over depends on nothing else; a parsed one on
            # what its analysis read, but never on the facts (facts_for reads none).
            log = replace(outcome.log, facts=None) if outcome.log is not None and outcome.uses_parsed else None
            self.cache.record_uses(path_text, outcome.digest, log, outcome.uses)


def cached_facts_source(cache_dir: Path | None) -> Callable[[ProjectIndex, tuple[str, ...], str], ProjectFacts]:
    """A ``ProjectIndex.facts_source`` that reads each file's tracking URIs from the result
    cache in ``cache_dir`` (the flake8 plugin: every flake8 worker process would otherwise
    parse the project's candidate files again)."""

    def source(index: ProjectIndex, exclude: tuple[str, ...], exclude_root: str) -> ProjectFacts:
        options = RuleOptions(exclude=exclude, root=exclude_root)
        cache = open_cache(cache_dir, ("project-facts", exclude, exclude_root))[0] if cache_dir is not None else None
        facts = collect_facts(index, options, cache, WorkerPool(1))
        if cache is not None:
            cache.save()
        return facts

    return source


def collect_facts(
    index: ProjectIndex,
    options: RuleOptions,
    cache: ResultCache | None,
    workers: WorkerPool,
    seen: dict[str, list[list[object]]] | None = None,
    files: list[str] | None = None,
) -> ProjectFacts:
    """The project's facts: each file's rows from ``seen`` (what this run's lint already
    found), else the result cache, else its own parse (in the worker pool) when its text
    may contribute (project_facts.gather_facts). ``files``: the project's files, when the
    lint's own walk found them (else the project is walked)."""
    seen = seen or {}
    if cache is None and workers.jobs == 1 and not seen and files is None:
        from mlflow_lint.module_facts import collect_project_facts

        return collect_project_facts(index, options.exclude, options.root)

    def known(path_text: str) -> list[FileFact] | None:
        rows = seen.get(path_text)
        if rows is None and cache is not None:
            rows = cache.file_uses(path_text, dependencies_hold(cache, Path(path_text), None))
        return None if rows is None else [fact_from_row(row) for row in rows]

    def parse(paths: list[str]) -> list[tuple[str, list[FileFact]]]:
        settings = Settings((), options, record=cache is not None)
        if paths:
            load_analysis()  # before the pool forks: its workers inherit it
        parsed = []
        for path_text, (file_rows, digest, log) in zip(paths, workers.map(uses_task, paths, settings), strict=True):
            parsed.append((path_text, [fact_from_row(row) for row in file_rows]))
            if cache is not None and digest is not None:
                cache.record_uses(path_text, digest, log, file_rows)
        return parsed

    # A file the text tests pass over is not recorded: whether it calls a function that
    # sets a URI depends on the other files (the names gather_facts looks for).
    paths = files if files is not None else [str(p) for p in index.fact_files(options.exclude, options.root)]
    return gather_facts(paths, known, read_project_file, parse)


def uses_task(path_text: str, settings: Settings) -> tuple[list[list[object]], str | None, DependencyLog | None]:
    """What one project file contributes to the facts (as rows), its content hash and what
    it read."""
    from mlflow_lint.module_facts import file_fact_rows

    path = Path(path_text)
    index = project_for(path)
    try:
        data = read_bounded(path, read_limit(path))[0]
    except OSError:
        return [], None, None
    log = DependencyLog(root=str(index.root) if index.root is not None else None) if settings.record else None
    if log is not None:
        index.start_log(log)
    try:
        rows = file_fact_rows(index, path, data)
    finally:
        index.stop_log()
    return rows, content_digest(data) if settings.record else None, log


