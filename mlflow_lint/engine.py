"""The lint engine: files in, findings out. Pure: it never prints and never imports the CLI,
the reporters or flake8 (a test enforces the layering).

Per file: read bytes, a cheap text prefilter (a file that never mentions MLflow is not
parsed), one ``ast`` parse, one semantic model (one traversal that also buckets nodes by
type), then every enabled check over the nodes it asked for.
"""

from __future__ import annotations

import ast
import functools
import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence


from mlflow_lint.analysis.callers import candidates_digest
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.cache import CachedResult, CacheUnavailable, ResultCache, cache_key, content_digest
from mlflow_lint.catalog import Catalog, load_catalog
from mlflow_lint.checks.through_calls import report_through_calls
from mlflow_lint.checks import ALL_CHECKS, Check, FileContext
from mlflow_lint.config import Config, ConfigResolver, RuleOptions
from mlflow_lint.discovery import discover, gitignore_spec
from mlflow_lint.findings import Finding, Waiver, configured, sort_findings
from mlflow_lint.paths import display_path
from mlflow_lint.positions import LineIndex
from mlflow_lint.safe_io import leaves
from mlflow_lint.project import DependencyLog, ProjectIndex, _project_root_of_directory, find_project_root
from mlflow_lint.project_facts import (
    FactsDeferred,
    FileFact,
    ProjectFacts,
    collect_project_facts,
    fact_from_row,
    fact_row,
    file_uses,
    gather_facts,
    may_hold_project_facts,
    read_project_file,
)
from mlflow_lint.workers import WorkerPool
from mlflow_lint.suppressions import (
    UNUSED_SUPPRESSION,
    Suppressions,
    apply_suppressions,
    suppressions_from_comments,
    suppressions_from_python,
)
from mlflow_lint.sources import (
    MAX_ANALYSED_BYTES,
    TEXT_SOURCES,
    is_lintable,
    is_python_script,
    read_bounded,
    read_limit,
    read_text_source,
    source_kind,
    too_large,
)
from mlflow_lint.sources.facts import EmbeddedPython, SourceFacts, UnparsableText
from mlflow_lint.sources.prefilter import may_hold_noqa, may_mention_mlflow
from mlflow_lint.sources.notebook import (
    CorruptNotebook,
    IpynbLines,
    VirtualSource,
    is_databricks_source,
    read_databricks,
    read_ipynb,
    virtual_source,
)
from mlflow_lint.sources.python import UnanalysableSource, decode_python, parse_python, syntax_error_reason




@dataclass
class LintResult:
    findings: list[Finding]
    files_checked: int  # files discovered and read
    files_analysed: int  # files that passed the prefilter and were parsed (this run or cached)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    unsupported: list[str] = field(default_factory=list)  # named explicitly, but not a type we read
    cache_note: str | None = None  # why the result cache was not used, when it was asked for
    cache_detail: str | None = None  # for --verbose: an existing cache file that was not trusted
    # Findings in test code that the rules' context policy does not report by default and
    # the report leaves out (--include-tests shows them): counted, never dropped silently.
    in_tests: list[Finding] = field(default_factory=list)
    # Findings a waiver hides: a "# noqa" comment (always kept), and with ``waivers=True``
    # the findings of rules that per-file-ignores turns off for a file. Each carries its
    # ``Finding.waiver``; the audit shows them as deviations, nothing else reports them.
    waived: list[Finding] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)  # paths an exclude setting left out
    cached: int = 0  # files whose results came from the cache
    configurations: list[Config] = field(default_factory=list)  # the configurations the files used

    @property
    def hidden_in_tests(self) -> int:
        """How many findings in test code the report leaves out (--include-tests shows them)."""
        return len(self.in_tests)


Progress = Callable[[int, int], None]  # (files done, files in all)


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
    """
    cwd = (cwd or Path.cwd()).resolve()
    forget_projects()  # files may have changed since an earlier run in this process (--fix)
    resolver = config if isinstance(config, ConfigResolver) else ConfigResolver(load_catalog(), fixed=config)
    selection: Callable[[Config], frozenset[str]] = selected if callable(selected) else (lambda _config: selected)  # type: ignore[assignment,return-value]
    exclusions: list[_ConfigExclusions] = []
    if resolver.fixed is not None:
        fixed = resolver.fixed
        exclude = gitignore_spec(fixed.exclude) if fixed.exclude else None
        found = discover(paths, is_lintable, exclude, fixed.root.resolve(), is_python_script)
        rules = {_exclusion_rule(fixed)}
    else:

        def exclusions_for(named: Path) -> _ConfigExclusions:
            exclusions.append(_ConfigExclusions(resolver, named))
            return exclusions[-1]

        found = discover(paths, is_lintable, None, None, is_python_script, exclusions_for=exclusions_for)
        rules = {rule for named in exclusions for rule in named.rules.values()}
    walked = _walked_roots(paths, found.files, rules)
    if only is not None:
        found.files = [path for path in found.files if only(path)]
    groups: dict[int, tuple[Config, list[tuple[str, str]]]] = {}
    for path in found.files:
        file_config = resolver.for_file(path, found.origins.get(path))
        groups.setdefault(id(file_config), (file_config, []))[1].append((os.path.abspath(path), display_path(path, cwd)))
    roots = tuple(sorted({str(cwd), *(os.path.realpath(p if os.path.isdir(p) else os.path.dirname(os.path.abspath(p))) for p in paths)}))
    total = sum(len(tasks) for _, tasks in groups.values())
    workers = WorkerPool(jobs)
    interrupted = False
    findings: list[Finding] = []
    hidden: list[Finding] = []
    waived: list[Finding] = []
    notes: list[tuple[str, str]] = []
    analysed = cached = done_before = 0
    cache_notes: list[str] = []
    cache_details: list[str] = []
    try:
        # In the order of the configurations' roots: never the order the paths were named in.
        for file_config, tasks in sorted(groups.values(), key=lambda group: str(group[0].root)):
            enabled = selection(file_config)
            options = file_config.rule_options()
            ignores = _PerFileIgnores(file_config, cwd)
            cache_key = (tuple(sorted(enabled)), options, file_config.per_file_ignores, str(cwd))
            if waivers:
                cache_key += ("waivers", file_config.per_file_reasons, str(file_config.path))
            cache, cache_note = _open_cache(cache_dir, cache_key)
            if cache_note is not None and cache_note not in cache_notes:
                cache_notes.append(cache_note)
            # Project facts (MLF102; MLF401 on a Unity Catalog registry) are computed only if
            # a file turns out to need them.
            facts = _FactsOnDemand(options, cache, workers, walked)
            settings = _Settings(
                tuple(sorted(enabled)), options, str(cwd), None, ignores,
                record=cache is not None, defer_facts=not _READ_PROJECT_FACTS.isdisjoint(enabled), roots=roots,
                waivers=waivers,
            )  # fmt: skip
            report: Progress | None = None
            if progress is not None:
                report = functools.partial(_offset_progress, progress, done_before, total)
            outcomes = _lint_all(tasks, settings, cache, workers, report, facts)
            done_before += len(tasks)
            if cache is not None:
                cache.save()
                cached += cache.hits
                if cache.ignored is not None:
                    cache_details.append(cache.ignored)
            group_findings: list[Finding] = []
            group_waived: list[Finding] = []
            for (path_text, shown), outcome in zip(tasks, outcomes):
                analysed += outcome.analysed
                if outcome.note is not None:
                    notes.append((shown, outcome.note))
                codes = ignores.codes_for(Path(path_text))
                for finding in outcome.findings:
                    if finding.waiver is not None:
                        group_waived.append(finding)
                    elif not any(finding.rule.startswith(code) for code in codes):
                        group_findings.append(finding)
            _show_or_hide(group_findings, file_config, include_tests, findings, hidden)
            _show_or_hide(group_waived, file_config, include_tests, waived, [])  # test code: no waiver needed
    except KeyboardInterrupt:
        interrupted = True
        raise
    finally:
        workers.close(interrupted)
    for store in found.stores:
        store_config = resolver.for_file(store, found.origins.get(store))
        stored = _store_findings([store], cwd, selection(store_config), store_config, _PerFileIgnores(store_config, cwd))
        _show_or_hide(stored, store_config, include_tests, findings, hidden)
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
    )


def _offset_progress(progress: Progress, before: int, total: int, done: int, _group_total: int) -> None:
    progress(before + done, total)


def _show_or_hide(
    found: list[Finding], config: Config, include_tests: bool | None, shown: list[Finding], hidden: list[Finding]
) -> None:
    """Test code is not a governance target: its findings are counted, shown on request
    (``--include-tests``, else the file's configuration's ``include-tests``)."""
    showing_tests = config.include_tests if include_tests is None else include_tests
    for finding in configured(found, config.severity, config.shadow):
        (hidden if finding.context == "test" and not showing_tests else shown).append(finding)


class _ConfigExclusions:
    """The ``exclude`` setting of the configuration each path belongs to (the nearest one
    above it), matched relative to that configuration's directory."""

    def __init__(self, resolver: ConfigResolver, named: Path) -> None:
        self.resolver = resolver
        self.named = named
        # A resolved directory -> its configuration's exclusion rule: asked for every path
        # the walk meets, it changes only per directory.
        self.rules: dict[str, _ExclusionRule] = {}

    def excludes(self, resolved: str, is_dir: bool) -> bool:
        directory = os.path.dirname(resolved) or "/"
        rule = self.rules.get(directory)
        if rule is None:
            rule = self.rules[directory] = _exclusion_rule(self.resolver.for_file(Path(directory), self.named))
        patterns, root = rule
        if not patterns or not resolved.startswith(root.rstrip("/") + "/"):
            return False
        relative = resolved[len(root.rstrip("/")) + 1 :]
        return gitignore_spec(patterns).match(relative + "/" if is_dir else relative)


# A configuration's exclude patterns and the directory they are relative to: ((), "") for
# none. The same pair as RuleOptions(exclude, root), so a walk can be compared with it.
_ExclusionRule = tuple[tuple[str, ...], str]


def _exclusion_rule_of(options: RuleOptions) -> _ExclusionRule:
    return (tuple(options.exclude), options.root) if options.exclude else ((), "")


def _exclusion_rule(config: Config) -> _ExclusionRule:
    return (tuple(config.exclude), str(config.root.resolve())) if config.exclude else ((), "")


def _walked_roots(paths: Sequence[Path], files: list[Path], rules: set[_ExclusionRule]) -> dict[str, tuple[_ExclusionRule, list[str]]]:
    """The directories named on the command line, resolved, with the .py files the walk
    found under them, when one exclusion rule applied everywhere: the project facts of a
    project rooted there need not walk it again (``ProjectIndex.python_files`` would
    find exactly these files with that rule)."""
    if len(rules) > 1:
        return {}
    rule = next(iter(rules), ((), ""))
    walked: dict[str, tuple[_ExclusionRule, list[str]]] = {}
    for named in paths:
        if not named.is_dir():
            continue
        given, top = os.path.abspath(named), os.path.realpath(named)
        prefix = given.rstrip(os.sep) + os.sep
        under = []
        for path in files:
            absolute = os.path.abspath(path)
            if absolute.startswith(prefix) and absolute.endswith(".py"):
                under.append(os.path.join(top, absolute[len(prefix) :]))
        walked[top] = (rule, sorted(under))
    return walked


def _open_cache(directory: Path | None, configuration: object) -> tuple[ResultCache | None, str | None]:
    if directory is None:
        return None, None
    try:
        return ResultCache.open(directory, cache_key(configuration)), None
    except CacheUnavailable as problem:
        return None, f"result cache disabled: {problem}"


# Rules whose checks may read the project's facts (ctx.project_facts()): declared by the
# checks, so the engine names no rule.
_READ_PROJECT_FACTS = frozenset(
    rule
    for check in ALL_CHECKS
    if check.reads_project_facts or check.consults_project_facts
    for rule in check.rules
)


class _FactsOnDemand:
    """Each project's facts, computed on first need (once per project and run): from the
    result cache's per-file records, and the worker pool for files that must be parsed."""

    def __init__(
        self,
        options: RuleOptions,
        cache: ResultCache | None,
        workers: WorkerPool,
        walked: dict[str, tuple[_ExclusionRule, list[str]]] | None = None,
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
            known_files = files if rule == _exclusion_rule_of(self.options) else None
            self.known[root] = _collect_facts(index, self.options, self.cache, self.workers, self.uses_seen, known_files)
        return self.known[root]

    def saw(self, path_text: str, outcome: _Outcome) -> None:
        """Keep what the lint learnt of a file's tracking URIs (and put it in the cache)."""
        if outcome.uses is None:
            return
        self.uses_seen[path_text] = outcome.uses
        if self.cache is not None and outcome.digest is not None:
            # A file the text test passed over depends on nothing else; a parsed one on
            # what its analysis read, but never on the facts (facts_for reads none).
            log = replace(outcome.log, facts=None) if outcome.log is not None and outcome.uses_parsed else None
            self.cache.record_uses(path_text, outcome.digest, log, outcome.uses)


def _lint_all(
    tasks: list[tuple[str, str]],
    settings: _Settings,
    cache: ResultCache | None,
    workers: WorkerPool,
    progress: Progress | None,
    facts: _FactsOnDemand,
) -> list[_Outcome]:
    """Every file's outcome, in task order: from the cache when it still holds, else
    analysed. A file whose MLF102 check needs the project's facts is analysed again once
    they are known (most files set no tracking URI, and then no project is scanned)."""
    total = len(tasks)
    outcomes: list[_Outcome | None] = [None] * total
    pending: list[int] = []
    for position, (path_text, _) in enumerate(tasks):
        cached = cache.result(path_text, _dependencies_hold(cache, Path(path_text), facts)) if cache else None
        if cached is None:
            pending.append(position)
        else:
            outcomes[position] = _Outcome(cached.findings, cached.analysed, cached.note)
    done = total - len(pending)
    if progress is not None:
        progress(done, total)
    again: list[int] = []
    for round_settings in (settings, None):
        if round_settings is None:  # the second round: files that needed the facts
            if not again:
                break
            known = {str(project_for(Path(tasks[p][0])).root): facts.of(project_for(Path(tasks[p][0]))) for p in again}
            round_settings = replace(settings, facts={root: f for root, f in known.items() if f is not None}, defer_facts=False)
            pending, again = again, []
        for position, outcome in zip(pending, workers.map(_lint_task, [tasks[p] for p in pending], round_settings)):
            facts.saw(tasks[position][0], outcome)
            if outcome.needs_facts:
                again.append(position)
                continue
            outcomes[position] = outcome
            if cache is not None and outcome.digest is not None:
                result = CachedResult(outcome.findings, outcome.analysed, outcome.note)
                cache.record_result(tasks[position][0], outcome.digest, outcome.log, result)
            done += 1
            if progress is not None:
                progress(done, total)
    return [outcome for outcome in outcomes if outcome is not None]


def _dependencies_hold(
    cache: ResultCache, path: Path, facts: _FactsOnDemand | None, index: ProjectIndex | None = None
) -> Callable[[dict[str, object]], bool]:
    """Whether what a cached analysis of ``path`` read of other files is unchanged."""

    def hold(deps: dict[str, object]) -> bool:
        nonlocal index
        index = index or project_for(path)
        root = str(index.root) if index.root is not None else None
        if deps.get("root", root) != root:
            return False
        for module_path, digest in deps.get("modules", ()):  # type: ignore[union-attr]
            if cache.digest(module_path) != digest:
                return False
        for directory, module, found in deps.get("lookups", ()):  # type: ignore[union-attr]
            if index.lookup_text(directory, module) != found:
                return False
        for scope, name, digest in deps.get("callers", ()):  # type: ignore[union-attr]
            if candidates_digest(index, scope, name) != digest:
                return False  # a file that may call the function appeared, or stopped calling it
        wanted = deps.get("facts")
        if wanted is not None:
            current = facts.of(index) if facts is not None else None
            if current is None or current.digest != wanted:
                return False
        return True

    return hold


def _store_findings(
    stores: list[Path], cwd: Path, selected: frozenset[str], config: Config, ignores: _PerFileIgnores
) -> list[Finding]:
    """MLF103 for local tracking stores found in the tree (mlruns/ with runs, mlflow.db)."""
    if "MLF103" not in selected or not stores:
        return []
    catalog = load_catalog()
    rules = {"MLF103": catalog["MLF103"]}
    findings: list[Finding] = []
    for store in stores:
        shown = display_path(store, cwd)
        ctx = FileContext(module=None, display_path=shown, rules=rules, lines=LineIndex(""), options=config.rule_options())
        for check in _checks_for(frozenset({"MLF103"})):
            check.visit_store(ctx)
        codes = ignores.codes_for(store)
        findings.extend(f for f in ctx.findings if not any(f.rule.startswith(code) for code in codes))
    return findings


class _PerFileIgnores:
    def __init__(self, config: Config, cwd: Path | None = None) -> None:
        self.root = config.root.resolve()
        self.entries = [
            (gitignore_spec([pattern]), tuple(c.upper() for c in codes))
            for pattern, codes in config.per_file_ignores
        ]
        reasons = dict(config.per_file_reasons)
        where = display_path(config.path, (cwd or Path.cwd()).resolve()) if config.path is not None else "the configuration"
        self.waivers = [
            Waiver("per-file-ignore", reasons.get(pattern), f"per-file-ignores '{pattern}' = {', '.join(codes)} in {where}")
            for pattern, codes in config.per_file_ignores
        ]

    def waiver_for(self, path: Path, rule: str) -> Waiver | None:
        """The first per-file-ignores entry that turns ``rule`` off for ``path``."""
        relative = self._relative(path)
        if relative is None:
            return None
        for (spec, codes), waiver in zip(self.entries, self.waivers):
            if spec.match(relative) and any(code == "ALL" or rule.startswith(code) for code in codes):
                return waiver
        return None

    def _relative(self, path: Path) -> str | None:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def codes_for(self, path: Path) -> tuple[str, ...]:
        """The codes and prefixes ``per-file-ignores`` turns off for a path ("" for ALL)."""
        if not self.entries:
            return ()
        relative = self._relative(path)
        if relative is None:
            return ()
        codes: list[str] = []
        for spec, entry_codes in self.entries:
            if spec.match(relative):
                codes.extend("" if code == "ALL" else code for code in entry_codes)
        return tuple(codes)


def per_file_ignores(config: Config) -> Callable[[Path], tuple[str, ...]]:
    """``per-file-ignores`` of a configuration: path -> the codes and prefixes it turns off."""
    return _PerFileIgnores(config).codes_for


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


@dataclass(frozen=True)
class _Settings:
    """What every worker needs besides the file: picklable."""

    selected: tuple[str, ...]
    options: RuleOptions
    display_root: str = ""
    facts: dict[str, ProjectFacts] | None = None  # project root -> facts, computed once up front
    # per-file-ignores: a rule ignored for a file does not run on it, so MLF001 does not
    # call a "# noqa" for that rule unused
    per_file_ignores: _PerFileIgnores | None = None
    record: bool = False  # record what each analysis reads, for the result cache
    defer_facts: bool = False  # a file that needs project facts not given here says so
    # Where files outside any project may be read from: the paths named, the working directory.
    roots: tuple[str, ...] = ()
    # Also run the rules per-file-ignores turns off for a file, their findings marked waived.
    waivers: bool = False


@dataclass
class _Outcome:
    """One file's findings, whether it was parsed, why it was skipped (if it was), and
    for the result cache the hash of the bytes analysed and what the analysis read."""

    findings: list[Finding]
    analysed: bool
    note: str | None = None
    digest: str | None = None
    log: DependencyLog | None = None
    needs_facts: bool = False  # analyse again once the project's facts are known
    # The tracking URIs the file sets, as project-fact rows (None: not known from this
    # analysis). The facts then need not read or parse the file again (one pass).
    uses: list[list[object]] | None = None
    uses_parsed: bool = False  # the rows came from the parse, not from the text test alone


def _lint_task(task: tuple[str, str], settings: _Settings) -> _Outcome:
    path_text, shown = task
    selected_ids = settings.selected
    path = Path(path_text)
    ignored_ids: tuple[str, ...] = ()
    if settings.per_file_ignores is not None:
        ignored = settings.per_file_ignores.codes_for(path)
        if ignored:
            ignored_ids = tuple(rule for rule in selected_ids if rule.startswith(ignored))
            selected_ids = tuple(rule for rule in selected_ids if not rule.startswith(ignored))
    if _leaves_project(path, settings):
        return _Outcome([], False, "symbolic link to a file outside the project: not read")
    try:
        data, size = read_bounded(path, read_limit(path))
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return _Outcome(_honour_selection([_unanalysable(shown, f"cannot read file: {reason}", 1, 1, selected_ids)], selected_ids), False)
    if len(data) > read_limit(path):
        return _Outcome(_honour_selection([_unanalysable(shown, too_large(size), 1, 1, selected_ids)], selected_ids), False)
    digest = content_digest(data) if settings.record else None
    index = project_for(path)
    log = DependencyLog(root=str(index.root) if index.root is not None else None) if settings.record else None
    # A file that never says "mlflow" (sources.prefilter) can produce a finding only by
    # passing values to a project module that does (analysis.flow); with MLF001 on, a
    # suppression comment is worth reading even in a file without MLflow.
    # The first round of a run with MLF102 on also gathers the file's tracking URIs for the
    # project facts (their one pass over the files); None: not gathered here.
    gathers_uses = settings.defer_facts and index.root is not None and path.suffix == ".py"
    sets_uri = gathers_uses and may_hold_project_facts(data)
    no_uses: list[list[object]] | None = [] if gathers_uses else None
    if not worth_analysing(index, path, data, selected_ids, log):
        return _Outcome([], False, None, digest, log, uses=None if sets_uri else no_uses)
    if settings.facts and index.root is not None and str(index.root) in settings.facts:
        index.facts.setdefault((settings.options.exclude, settings.options.root), settings.facts[str(index.root)])
    index.defer_facts = settings.defer_facts
    if log is not None:
        index.start_log(log)
    try:
        try:
            findings = lint_bytes(
                data, shown, selected_ids, path=path, project=index, options=settings.options,
                display_root=settings.display_root, keep_waived=True,
            )  # fmt: skip
            if settings.waivers and ignored_ids and settings.per_file_ignores is not None:
                findings += _waived_by_configuration(data, shown, path, index, ignored_ids, settings, settings.per_file_ignores)
        finally:
            # The file was parsed: its rows are whatever it sets, directly or through calls.
            uses = _uses_rows(index, path) if gathers_uses else None
    except SkippedFile as skipped:
        return _Outcome([], False, str(skipped), digest, log, uses=uses, uses_parsed=True)
    except FactsDeferred:
        return _Outcome([], False, needs_facts=True, digest=digest, log=log, uses=uses, uses_parsed=True)
    finally:
        index.stop_log()
        index.defer_facts = False
    return _Outcome(findings, True, None, digest, log, uses=uses, uses_parsed=True)


def _waived_by_configuration(
    data: bytes,
    shown: str,
    path: Path,
    index: ProjectIndex,
    ignored_ids: tuple[str, ...],
    settings: _Settings,
    ignores: _PerFileIgnores,
) -> list[Finding]:
    """The findings of the rules per-file-ignores turns off for this file, each marked with
    the entry that waives it (a "# noqa" there still counts first). Run apart from the
    file's enabled rules, so those rules' findings and MLF001 are exactly a check's."""
    rules = tuple(rule for rule in ignored_ids if rule not in (UNUSED_SUPPRESSION, "MLF000"))
    if not rules:
        return []
    found = lint_bytes(
        data, shown, rules, path=path, project=index, options=settings.options, display_root=settings.display_root, keep_waived=True
    )
    waived = []
    for finding in found:
        waiver = finding.waiver or ignores.waiver_for(path, finding.rule)
        if waiver is not None and finding.rule in rules:
            waived.append(replace(finding, waiver=waiver))
    return waived


def worth_analysing(
    index: ProjectIndex, path: Path, data: bytes, selected: Iterable[str], log: DependencyLog | None = None
) -> bool:
    """The prefilter every front end applies before parsing: a file is read when it may
    mention MLflow, when it may hold a suppression comment and MLF001 is on, or when it
    imports a project module that uses MLflow (its values reach MLflow through calls)."""
    if may_mention_mlflow(data) or (UNUSED_SUPPRESSION in selected and may_hold_noqa(data)):
        return True
    return _calls_into_mlflow_users(index, path, data, log)


def _calls_into_mlflow_users(index: ProjectIndex, path: Path, data: bytes, log: DependencyLog | None) -> bool:
    """Whether a Python file that never says "mlflow" imports a project module that uses
    MLflow (ProjectIndex.imports_mlflow_users); what the answer read goes to ``log``."""
    if index.root is None or source_kind(path) not in ("python", "notebook"):
        return False
    index.log = log
    try:
        return index.imports_mlflow_users(path, data)
    finally:
        index.log = None


def _leaves_project(path: Path, settings: _Settings) -> bool:
    """A file (a committed symbolic link, typically) whose resolved path leaves its project:
    the git work tree or project root around it, else the paths named and the working
    directory. Such a file is never read: its content is not the project's."""
    boundary = project_for(path).boundary
    return leaves(path, (boundary,) if boundary is not None else settings.roots)


def cached_facts_source(cache_dir: Path | None) -> Callable[[ProjectIndex, tuple[str, ...], str], ProjectFacts]:
    """A ``ProjectIndex.facts_source`` that reads each file's tracking URIs from the result
    cache in ``cache_dir`` (the flake8 plugin: every flake8 worker process would otherwise
    parse the project's candidate files again)."""

    def source(index: ProjectIndex, exclude: tuple[str, ...], exclude_root: str) -> ProjectFacts:
        options = RuleOptions(exclude=exclude, root=exclude_root)
        cache = _open_cache(cache_dir, ("project-facts", exclude, exclude_root))[0] if cache_dir is not None else None
        facts = _collect_facts(index, options, cache, WorkerPool(1))
        if cache is not None:
            cache.save()
        return facts

    return source


def _collect_facts(
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
        return collect_project_facts(index, options.exclude, options.root)

    def known(path_text: str) -> list[FileFact] | None:
        rows = seen.get(path_text)
        if rows is None and cache is not None:
            rows = cache.file_uses(path_text, _dependencies_hold(cache, Path(path_text), None, index))
        return None if rows is None else [fact_from_row(row) for row in rows]

    def parse(paths: list[str]) -> list[tuple[str, list[FileFact]]]:
        settings = _Settings((), options, record=cache is not None)
        parsed = []
        for path_text, (file_rows, digest, log) in zip(paths, workers.map(_uses_task, paths, settings)):
            parsed.append((path_text, [fact_from_row(row) for row in file_rows]))
            if cache is not None and digest is not None:
                cache.record_uses(path_text, digest, log, file_rows)
        return parsed

    # A file the text tests pass over is not recorded: whether it calls a function that
    # sets a URI depends on the other files (the names gather_facts looks for).
    paths = files if files is not None else [str(p) for p in index.python_files(options.exclude, options.root)]
    return gather_facts(paths, known, read_project_file, parse)


def _uses_task(path_text: str, settings: _Settings) -> tuple[list[list[object]], str | None, DependencyLog | None]:
    """What one project file contributes to the facts (as rows), its content hash and what
    it read."""
    path = Path(path_text)
    index = project_for(path)
    try:
        data = read_bounded(path, MAX_ANALYSED_BYTES)[0]
    except OSError:
        return [], None, None
    log = DependencyLog(root=str(index.root) if index.root is not None else None) if settings.record else None
    if log is not None:
        index.start_log(log)
    try:
        rows = _uses_rows(index, path)
    finally:
        index.stop_log()
    return rows, content_digest(data) if settings.record else None, log


def _uses_rows(index: ProjectIndex, path: Path) -> list[list[object]]:
    """What a project file contributes to the facts, as rows for the result cache."""
    return [fact_row(fact) for fact in file_uses(index, path)]


def lint_bytes(
    data: bytes,
    shown: str,
    selected_ids: Iterable[str],
    *,
    path: Path | None = None,
    project: ProjectIndex | None = None,
    catalog: Catalog | None = None,
    options: RuleOptions | None = None,
    display_root: str = "",
    kind: str | None = None,
    keep_waived: bool = False,
) -> list[Finding]:
    """Lint one file's bytes. ``path`` locates the project for cross-module facts; the
    source kind comes from the file name unless given (an extension-less script is Python).
    ``keep_waived``: also the findings a ``# noqa`` comment waives (``Finding.waiver``).

    Never raises for what the file holds (only :class:`SkippedFile`): a failure of the
    analysis itself is an MLF000 finding for this file, so the rest of the run goes on.
    """
    selected = frozenset(selected_ids)
    try:
        found = _honour_selection(_lint_bytes(data, shown, selected, path, project, catalog, options, display_root, kind), selected)
        return found if keep_waived else [finding for finding in found if finding.waiver is None]
    except (SkippedFile, FactsDeferred):
        raise
    except RecursionError:  # code that parses, nested too deep for a recursive step of the analysis
        return _honour_selection([_unanalysable(shown, "nesting too deep to analyse", 1, 1, selected)], selected)
    except Exception as exc:  # noqa: BLE001 - one file's bug must not lose the other files
        reason = f"internal error while analysing the file ({exc.__class__.__name__}: {exc}); please report it"
        return [_unanalysable(shown, reason, 1, 1, selected, force=True)]


def _lint_bytes(
    data: bytes,
    shown: str,
    selected: frozenset[str],
    path: Path | None,
    project: ProjectIndex | None,
    catalog: Catalog | None,
    options: RuleOptions | None,
    display_root: str,
    kind: str | None,
) -> list[Finding]:
    real_path = path or Path(shown)
    kind = kind or source_kind(real_path) or "python"
    catalog = catalog or load_catalog()
    options = options or RuleOptions()
    if kind != "notebook" and len(data) > MAX_ANALYSED_BYTES:  # a notebook's outputs do not count
        return [_unanalysable(shown, too_large(len(data)), 1, 1, selected)]
    if kind in TEXT_SOURCES:
        return _lint_text_source(kind, data, shown, selected, catalog, options, display_root, real_path, project)
    index = project if project is not None else project_for(real_path)
    if kind == "notebook":
        try:
            cells = read_ipynb(data)
        except CorruptNotebook as error:
            return [_unanalysable(shown, str(error), error.line, error.column, selected)]
        virtual = virtual_source(cells)
        if len(virtual.text) > MAX_ANALYSED_BYTES:
            return [_unanalysable(shown, too_large(len(virtual.text), "code cells"), 1, 1, selected)]
        file_lines = IpynbLines(lambda: data, virtual.origins)
        findings = _lint_virtual(virtual, real_path, shown, selected, index, catalog, options, display_root, file_lines)
        return _with_file_lines(findings, file_lines) if findings else findings
    try:
        source = decode_python(data)
    except UnanalysableSource as error:
        return [_unanalysable(shown, error.reason, error.line, error.column, selected)]
    if is_databricks_source(source):
        virtual = virtual_source(read_databricks(source), file_lines=True)
        return _lint_virtual(virtual, real_path, shown, selected, index, catalog, options, display_root)
    try:
        tree = parse_python(source, shown)
    except UnanalysableSource as error:
        reason = syntax_error_reason(error, index.newer_python_required())
        return [_unanalysable(shown, reason, error.line, error.column, selected)]
    module = AnalysedModule(real_path.resolve(), source, tree, index)
    index.register(module)
    return run_checks(module, shown, selected, catalog, options, display_root, keep_waived=True)


def _lint_virtual(
    virtual: VirtualSource,
    path: Path,
    shown: str,
    selected: frozenset[str],
    index: ProjectIndex,
    catalog: Catalog,
    options: RuleOptions,
    display_root: str,
    file_lines: IpynbLines | None = None,
) -> list[Finding]:
    """A notebook as one module; a cell that does not parse is reported and left out.
    ``file_lines``: an .ipynb file's (flow steps into the notebook name its lines)."""
    # Not a loop that parses the whole notebook again per bad cell: that was quadratic.
    from mlflow_lint.sources.notebook import parse_cells

    parsed = parse_cells(virtual, shown)
    virtual = parsed.virtual
    problems: list[Finding] = []
    for error in parsed.errors:
        cell, line = virtual.origin(error.line)
        subject = f"Cell {cell}" if cell is not None else "File"  # Databricks notebooks: file lines
        reason = f"{syntax_error_reason(error, index.newer_python_required())}; the rest of the notebook was analysed"
        problems.append(replace(_unanalysable(shown, reason, line, error.column, selected, subject=subject), cell=cell))
    if parsed.tree is None:
        return problems
    module = AnalysedModule(path.resolve(), virtual.text, parsed.tree, index)
    module.file_lines = file_lines
    findings = run_checks(module, shown, selected, catalog, options, display_root, keep_waived=True)
    return [_to_cell(finding, virtual) for finding in findings] + problems


def _with_file_lines(findings: list[Finding], file_lines: IpynbLines) -> list[Finding]:
    """Each finding in a cell with the line of the .ipynb file that holds it."""
    placed = []
    for finding in findings:
        line = file_lines.of_cell(finding.cell, finding.line) if finding.cell is not None else None
        placed.append(finding if line is None else replace(finding, file_line=line))
    return placed


def _to_cell(finding: Finding, virtual: VirtualSource) -> Finding:
    cell, line = virtual.origin(finding.line)
    end_cell, end_line = virtual.origin(finding.end_line)
    if end_cell != cell:
        end_line = line
    return replace(finding, line=line, end_line=end_line, cell=cell)


def _lint_text_source(
    kind: str,
    data: bytes,
    shown: str,
    selected: frozenset[str],
    catalog: Catalog,
    options: RuleOptions,
    display_root: str,
    path: Path | None = None,
    project: ProjectIndex | None = None,
) -> list[Finding]:
    """YAML, .env, shell, Dockerfile, Makefile, Procfile: settings and commands to the checks,
    and the Python code they run (a heredoc, ``python -c``) to the Python analysis."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [_unanalysable(shown, "cannot decode file as UTF-8", 1, 1, selected)]
    try:
        facts = read_text_source(kind, text, shown)
    except UnparsableText as error:
        raise SkippedFile(str(error)) from None
    rules = {rule_id: catalog[rule_id] for rule_id in selected if rule_id in catalog.by_id}
    ctx = FileContext(module=None, display_path=shown, rules=rules, lines=LineIndex(text), options=options, display_root=display_root)
    errors: list[Finding] = []
    for check in _checks_for(selected):
        try:
            _visit_facts(check, facts, ctx)
        except FactsDeferred:
            raise
        except Exception as exc:  # noqa: BLE001 - one check's bug must not lose the file
            reason = f"internal error in the {'/'.join(check.rules)} check ({exc.__class__.__name__}: {exc}); please report it"
            errors.append(_unanalysable(shown, reason, 1, 1, selected, force=True))
    # "# noqa: MLF703" in the file's own comments; a continued command is one statement.
    statements = [
        (command.argv[0].position.line, max(word.position.end_line for word in command.argv))
        for command in facts.commands
        if command.argv
    ]
    suppressions = suppressions_from_comments(facts.comment_lines, statements)
    found = apply_suppressions(ctx.findings + errors, suppressions, selected, catalog, shown, keep_waived=True)
    for embedded in facts.python:
        found.extend(_lint_embedded_python(embedded, path or Path(shown), shown, selected, catalog, options, display_root, project))
    return found


def _lint_embedded_python(
    embedded: EmbeddedPython,
    path: Path,
    shown: str,
    selected: frozenset[str],
    catalog: Catalog,
    options: RuleOptions,
    display_root: str,
    project: ProjectIndex | None,
) -> list[Finding]:
    """Python a script runs (``python - <<'EOF'``, ``python -c "..."``): analysed as a
    module of its own, findings at their places in the file."""

    def placed(line: int, column: int) -> tuple[int, int]:
        return embedded.line + line - 1, column + (embedded.column - 1 if line == 1 else embedded.column_offset)

    try:
        tree = parse_python(embedded.text, shown)
    except UnanalysableSource as error:
        line, column = placed(error.line, error.column)
        reason = f"the Python code this file runs (from line {embedded.line}) could not be analysed: {error.reason}"
        return [_unanalysable(shown, reason, line, column, selected)]
    index = project if project is not None else project_for(path)
    module = AnalysedModule(path.resolve(), embedded.text, tree, index)
    shifted = []
    for finding in run_checks(module, shown, selected, catalog, options, display_root, keep_waived=True):
        line, column = placed(finding.line, finding.column)
        end_line, end_column = placed(finding.end_line, finding.end_column)
        shifted.append(replace(finding, line=line, column=column, end_line=end_line, end_column=end_column))
    return shifted


def _visit_facts(check: Check, facts: SourceFacts, ctx: FileContext) -> None:
    kind = type(check)
    if kind.visit_setting is not Check.visit_setting:
        for setting in facts.settings:
            check.visit_setting(setting, ctx)
    if kind.visit_command is not Check.visit_command:
        for command in facts.commands:
            check.visit_command(command, ctx)
    if kind.visit_copy is not Check.visit_copy:
        for copy in facts.copies:
            check.visit_copy(copy, ctx)


class SkippedFile(Exception):
    """A file deliberately not analysed (templated YAML): a note for --verbose, not a finding."""


def run_checks(
    module: AnalysedModule,
    shown: str,
    selected: frozenset[str],
    catalog: Catalog,
    options: RuleOptions,
    display_root: str = "",
    suppressions: Suppressions | None = None,
    *,
    keep_waived: bool = False,
) -> list[Finding]:
    """Every enabled check over the nodes it asked for; a crashing check becomes a finding.

    Then the file's suppression comments apply (by default read from the module's source);
    ``keep_waived`` keeps the findings they waive, marked (``Finding.waiver``).
    """
    rules = {rule_id: catalog[rule_id] for rule_id in selected if rule_id in catalog.by_id}
    ctx = FileContext(
        module=module, display_path=shown, rules=rules, lines=LineIndex(module.source), options=options, display_root=display_root
    )
    internal_errors: list[Finding] = []
    model = module.model
    for check in _checks_for(selected):
        try:
            for node_type in check.node_types:
                if node_type is ast.Call and check.call_names is not None:
                    nodes: Iterable[ast.AST] = model.calls_named(check.call_names)
                else:
                    nodes = model.nodes_by_type.get(node_type, ())
                for node in nodes:
                    check.visit(node, ctx)
        except FactsDeferred:
            raise
        except Exception as exc:  # noqa: BLE001 - one check's bug must not lose the file
            reason = f"internal error in the {'/'.join(check.rules)} check ({exc.__class__.__name__}: {exc}); please report it"
            internal_errors.append(_unanalysable(shown, reason, 1, 1, selected, force=True))
    try:
        report_through_calls(ctx, _checks_for(selected))
    except FactsDeferred:
        raise
    except Exception as exc:  # noqa: BLE001 - a bug in the value flow must not lose the file
        reason = f"internal error while following values through calls ({exc.__class__.__name__}: {exc}); please report it"
        internal_errors.append(_unanalysable(shown, reason, 1, 1, selected, force=True))
    # Suppression comments apply after every check ran, so MLF001 can tell which were used.
    found = ctx.findings + internal_errors
    if not found and UNUSED_SUPPRESSION not in selected:
        return []  # nothing to suppress: the file need not be tokenized for its comments
    if suppressions is None:
        suppressions = suppressions_from_python(module.source)
    return apply_suppressions(found, suppressions, selected, catalog, shown, keep_waived=keep_waived)


_CHECK_INSTANCES: dict[type[Check], Check] = {}


def _checks_for(selected: frozenset[str]) -> list[Check]:
    checks = []
    for check_class in ALL_CHECKS:
        if selected.intersection(check_class.rules):
            instance = _CHECK_INSTANCES.get(check_class)
            if instance is None:
                instance = _CHECK_INSTANCES[check_class] = check_class()
            checks.append(instance)
    # Checks that may stop the file for the project's facts first (a stable sort: the
    # order is otherwise the catalog's, and findings are sorted in the end anyway).
    checks.sort(key=lambda check: not check.reads_project_facts)
    return checks


def _honour_selection(findings: list[Finding], selected: Iterable[str]) -> list[Finding]:
    """MLF000 ("could not be analysed") is a rule like any other: --ignore MLF000, or a
    --select without it, hides it. A failure of mlflow-lint itself ("internal error ...
    please report it") is shown whatever the selection: it is a bug, not a finding."""
    if "MLF000" in selected:
        return findings
    return [f for f in findings if f.rule != "MLF000" or _INTERNAL_ERROR in f.message]


_INTERNAL_ERROR = "internal error"


def _unanalysable(
    shown: str, reason: str, line: int, column: int, selected: Iterable[str], force: bool = False, subject: str = "File"
) -> Finding:
    catalog = load_catalog()
    message = catalog["MLF000"].format_message({"subject": subject, "reason": reason})
    return Finding(path=shown, line=line, column=column, rule="MLF000", end_line=line, end_column=column, message=message)
