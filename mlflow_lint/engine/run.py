"""``lint_paths``: discovery, configuration groups, the cache and the worker pool, then
the findings shown, hidden in test code, or waived."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.cache import CachedResult, ResultCache
from mlflow_lint.catalog import load_catalog
from mlflow_lint.config import Config, ConfigResolver
from mlflow_lint.discovery import discover, gitignore_spec
from mlflow_lint.engine.dependencies import dependencies_hold, open_cache
from mlflow_lint.engine.exclusions import ConfigExclusions, exclusion_rule, walked_roots
from mlflow_lint.engine.facts import FactsOnDemand, rules_reading_project_facts
from mlflow_lint.engine.ignores import PerFileIgnores
from mlflow_lint.engine.results import LintResult, Progress
from mlflow_lint.engine.session import forget_projects, project_for
from mlflow_lint.engine.tasks import Outcome, Settings, lint_task, load_analysis
from mlflow_lint.findings import Finding, configured, sort_findings
from mlflow_lint.paths import display_path
from mlflow_lint.sources import is_lintable, is_script
from mlflow_lint.workers import WorkerPool

if TYPE_CHECKING:
    from mlflow_lint.audit.evidence import ModuleEvidence


def lint_paths(
    paths: Sequence[Path],
    config: Config | ConfigResolver,
    selected: frozenset[str] | Callable[[Config], frozenset[str]],
    *,
    jobs: int | None = None,
    cwd: Path | None = None,
    only: Callable[[Path], bool] | None = None,
    cache_dir: Path | None = None,
    progress: Progress | None = None,
    include_tests: bool | None = None,
    waivers: bool = False,
    evidence: bool = False,
) -> LintResult:
    """Lint files and directories with their configurations and enabled rules.

    ``config`` is one configuration for every file, or a :class:`ConfigResolver` that gives
    each file the nearest configuration above it (within its project); ``selected`` is the
    enabled rules, or how a configuration's selection gives them (the command line's
    ``--select``/``--ignore`` applied to it). Files are linted in groups that share a
    configuration, so the result does not depend on the order the paths were named in.

    Findings in test code for rules that do not report there (``Finding.context``) are left
    out of ``findings`` and kept in ``in_tests``, unless ``include_tests`` (default: each
    file's configuration's ``include-tests``) says to show them.

    ``only`` narrows the files found to those it accepts (``--diff``: the changed files).
    ``cache_dir`` turns the result cache on (``mlflow_lint.cache``); ``progress`` is told
    how many files are done as results arrive.

    Findings a ``# noqa`` comment waives are kept in ``waived``; with ``waivers`` (the
    audit), so are those of the rules ``per-file-ignores`` turns off for a file, found by
    running just those rules on it afterwards (the reported findings stay exactly those of
    a run without ``waivers``).

    ``evidence`` (the audit): each analysed file's evidence is gathered in the same pass,
    from the module the checks analysed (``LintResult.evidence``, in file order); the
    cache keeps it with the findings.
    """
    cwd = (cwd or Path.cwd()).resolve()
    forget_projects()  # files may have changed since an earlier run in this process (--fix)
    resolver = config if isinstance(config, ConfigResolver) else ConfigResolver(load_catalog(), fixed=config)
    selection: Callable[[Config], frozenset[str]] = selected if callable(selected) else (lambda _config: selected)
    exclusions: list[ConfigExclusions] = []
    if resolver.fixed is not None:
        fixed = resolver.fixed
        exclude = gitignore_spec(fixed.exclude) if fixed.exclude else None
        found = discover(paths, is_lintable, exclude, fixed.root.resolve(), is_script)
        rules = {exclusion_rule(fixed)}
    else:

        def exclusions_for(named: Path) -> ConfigExclusions:
            exclusions.append(ConfigExclusions(resolver, named))
            return exclusions[-1]

        found = discover(paths, is_lintable, None, None, is_script, exclusions_for=exclusions_for)
        rules = {rule for named in exclusions for rule in named.rules.values()}
    walked = walked_roots(paths, found.files, rules)
    if only is not None:
        found.files = [path for path in found.files if only(path)]
    groups: dict[int, tuple[Config, list[tuple[str, str]]]] = {}
    for path in found.files:
        file_config = resolver.for_file(path, found.origins.get(path))
        groups.setdefault(id(file_config), (file_config, []))[1].append((os.path.abspath(path), display_path(path, cwd)))
    # Local tracking stores go with their configuration's files (and its result cache).
    stores_of: dict[int, list[Path]] = {}
    for store in found.stores:
        stores_of.setdefault(id(resolver.for_file(store, found.origins.get(store))), []).append(store)
    roots = tuple(sorted({str(cwd), *(os.path.realpath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))) for p in paths)}))
    total = sum(len(tasks) for _, tasks in groups.values())
    workers = WorkerPool(jobs)
    interrupted = False
    findings: list[Finding] = []
    hidden: list[Finding] = []
    waived: list[Finding] = []
    notes: list[tuple[str, str]] = []
    gathered: list[ModuleEvidence] = []
    analysed = cached = done_before = 0
    cache_notes: list[str] = []
    cache_details: list[str] = []
    try:
        # In the order of the configurations' roots: never the order the paths were named in.
        for file_config, tasks in sorted(groups.values(), key=lambda group: str(group[0].root)):
            enabled = selection(file_config)
            options = file_config.rule_options()
            ignores = PerFileIgnores(file_config, cwd)
            cache_key: tuple[object, ...] = (tuple(sorted(enabled)), options, file_config.per_file_ignores, str(cwd))
            if waivers:
                cache_key += ("waivers", file_config.per_file_reasons, str(file_config.path))
            if evidence:  # a check's entries have no evidence: never served to an audit
                cache_key += ("evidence",)
            cache, cache_note = open_cache(cache_dir, cache_key)
            if cache_note is not None and cache_note not in cache_notes:
                cache_notes.append(cache_note)
            # Project facts (MLF102; MLF401 on a Unity Catalog registry) are computed only if
            # a file turns out to need them.
            facts = FactsOnDemand(options, cache, workers, walked)
            settings = Settings(
                tuple(sorted(enabled)), options, str(cwd), None, ignores,
                record=cache is not None, roots=roots,
                waivers=waivers, evidence=evidence,
            )  # fmt: skip
            report: Progress | None = None
            if progress is not None:
                report = functools.partial(offset_progress, progress, done_before, total)
            outcomes = lint_all(tasks, settings, cache, workers, report, facts)
            stored = local_store_findings(stores_of.pop(id(file_config), []), cache, cwd, enabled, file_config, ignores)
            show_or_hide(stored, file_config, include_tests, findings, hidden)
            done_before += len(tasks)
            if cache is not None:
                cache.save()
                cached += cache.hits
                if cache.ignored is not None:
                    cache_details.append(cache.ignored)
            group_findings: list[Finding] = []
            group_waived: list[Finding] = []
            for (path_text, shown), outcome in zip(tasks, outcomes, strict=True):
                analysed += outcome.analysed
                gathered.extend(outcome.evidence)
                if outcome.note is not None:
                    notes.append((shown, outcome.note))
                codes = ignores.codes_for(Path(path_text))
                for finding in outcome.findings:
                    if finding.waiver is not None:
                        group_waived.append(finding)
                    elif not any(finding.rule.startswith(code) for code in codes):
                        group_findings.append(finding)
            show_or_hide(group_findings, file_config, include_tests, findings, hidden)
            show_or_hide(group_waived, file_config, include_tests, waived, [])  # test code: no waiver needed
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        workers.close(interrupted)
    for store in [store for stores in stores_of.values() for store in stores]:  # a configuration with no file linted
        store_config = resolver.for_file(store, found.origins.get(store))
        stored = local_store_findings([store], None, cwd, selection(store_config), store_config, PerFileIgnores(store_config, cwd))
        show_or_hide(stored, store_config, include_tests, findings, hidden)
    return LintResult(
        findings=sort_findings(findings),
        in_tests=sort_findings(hidden),
        waived=sort_findings(waived),
        files_checked=total,
        files_analysed=analysed,
        skipped=[(display_path(p, cwd), reason) for p, reason in found.skipped] + notes,
        unsupported=[display_path(p, cwd) for p in found.unsupported],
        excluded=[display_path(p, cwd) for p in found.excluded],
        cache_note="; ".join(cache_notes) or None,
        cache_detail="; ".join(cache_details) or None,
        cached=cached,
        configurations=resolver.configurations,
        evidence=gathered,
    )


def local_store_findings(
    stores: list[Path], cache: ResultCache | None, cwd: Path, enabled: frozenset[str], config: Config, ignores: PerFileIgnores
) -> list[Finding]:
    """The findings of the local tracking stores of one configuration (MLF103): from its
    result cache when recorded, as they depend on the store's path alone; else from the
    checks that read stores, which are loaded only then."""
    found: list[Finding] = []
    for store in stores:
        stored = cache.store_findings(str(store)) if cache is not None else None
        if stored is None:
            from mlflow_lint.engine.checks_pass import store_findings

            stored = store_findings([store], cwd, enabled, config, ignores)
            if cache is not None:
                cache.record_store(str(store), stored)
        found.extend(stored)
    return found


def offset_progress(progress: Progress, before: int, total: int, done: int, _group_total: int) -> None:
    progress(before + done, total)


def show_or_hide(
    found: list[Finding], config: Config, include_tests: bool | None, shown: list[Finding], hidden: list[Finding]
) -> None:
    """Test code is not a governance target: its findings are counted, shown on request
    (``--include-tests``, else the file's configuration's ``include-tests``)."""
    showing_tests = config.include_tests if include_tests is None else include_tests
    for finding in configured(found, config.severity, config.shadow):
        (hidden if finding.context == "test" and not showing_tests else shown).append(finding)


def lint_all(
    tasks: list[tuple[str, str]],
    settings: Settings,
    cache: ResultCache | None,
    workers: WorkerPool,
    progress: Progress | None,
    facts: FactsOnDemand,
) -> list[Outcome]:
    """Every file's outcome, in task order: from the cache when it still holds, else
    analysed. A file whose MLF102 check needs the project's facts is analysed again once
    they are known (most files set no tracking URI, and then no project is scanned)."""
    total = len(tasks)
    outcomes: list[Outcome | None] = [None] * total
    pending: list[int] = []
    for position, (path_text, _) in enumerate(tasks):
        cached = cache.result(path_text, dependencies_hold(cache, Path(path_text), facts), settings.evidence) if cache else None
        outcome = outcome_of(cached) if cached is not None else None
        if outcome is None:
            pending.append(position)
        else:
            outcomes[position] = outcome
    done = total - len(pending)
    if progress is not None:
        progress(done, total)
    if pending:  # files to analyse: load the analysis (before the pool forks) and decide on the facts
        load_analysis()
        settings = replace(settings, defer_facts=not rules_reading_project_facts().isdisjoint(settings.selected))
    again: list[int] = []
    for round_settings in (settings, None):
        if round_settings is None:  # the second round: files that needed the facts
            if not again:
                break
            known = {str(project_for(Path(tasks[p][0])).root): facts.of(project_for(Path(tasks[p][0]))) for p in again}
            round_settings = replace(settings, facts={root: f for root, f in known.items() if f is not None}, defer_facts=False)
            pending, again = again, []
        for position, outcome in zip(pending, workers.map(lint_task, [tasks[p] for p in pending], round_settings), strict=True):
            facts.saw(tasks[position][0], outcome)
            if outcome.needs_facts:
                again.append(position)
                continue
            outcomes[position] = outcome
            if cache is not None and outcome.digest is not None:
                rows = None
                if settings.evidence:
                    from mlflow_lint.engine.evidence import evidence_rows

                    rows = evidence_rows(outcome.evidence)
                result = CachedResult(outcome.findings, outcome.analysed, outcome.note, rows)
                cache.record_result(tasks[position][0], outcome.digest, outcome.log, result)
            done += 1
            if progress is not None:
                progress(done, total)
    return [outcome for outcome in outcomes if outcome is not None]


def outcome_of(cached: CachedResult) -> Outcome | None:
    """A file's outcome from its cache entry; None when its evidence does not read back
    (the file is analysed again)."""
    if cached.evidence is None:
        return Outcome(cached.findings, cached.analysed, cached.note)
    from mlflow_lint.engine.evidence import evidence_from_rows

    evidence = evidence_from_rows(cached.evidence)
    return Outcome(cached.findings, cached.analysed, cached.note, evidence=evidence) if evidence is not None else None
