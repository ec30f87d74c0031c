"""The lint engine: files in, findings out. Pure: it never prints and never imports the CLI,
the reporters or flake8 (a test enforces the layering).

Per file: read bytes, a cheap text prefilter (a file that never mentions MLflow is not
parsed), one ``ast`` parse, one semantic model (one traversal that also buckets nodes by
type), then every enabled check over the nodes it asked for.
"""

from __future__ import annotations

import ast
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable, Iterable, Sequence

import pathspec

from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.catalog import Catalog, load_catalog
from mlflow_lint.checks import ALL_CHECKS, Check, FileContext
from mlflow_lint.config import Config, RuleOptions
from mlflow_lint.discovery import discover
from mlflow_lint.findings import Finding, sort_findings
from mlflow_lint.positions import LineIndex
from mlflow_lint.project import ProjectIndex, find_project_root
from mlflow_lint.project_facts import ProjectFacts, facts_for
from mlflow_lint.suppressions import (
    UNUSED_SUPPRESSION,
    Suppressions,
    apply_suppressions,
    suppressions_from_comments,
    suppressions_from_python,
)
from mlflow_lint.sources import TEXT_SOURCES, is_lintable, is_python_script, read_text_source, source_kind
from mlflow_lint.sources.facts import SourceFacts
from mlflow_lint.sources.notebook import (
    CorruptNotebook,
    VirtualSource,
    blank_cell,
    is_databricks_source,
    read_databricks,
    read_ipynb,
    virtual_source,
)
from mlflow_lint.sources.yaml_source import UnparsableYaml
from mlflow_lint.sources.python import UnanalysableSource, decode_python, parse_python

# Every rule reads MLflow APIs or MLflow environment variables: a file whose bytes never
# say "mlflow" (any case) cannot produce a finding and is not parsed.
_PREFILTER = re.compile(rb"mlflow", re.IGNORECASE)
_POOL_THRESHOLD = 24  # below this many files a process pool costs more than it saves
# With MLF001 on, a suppression comment is worth reading even in a file without MLflow.
_NOQA_MLF = re.compile(rb"noqa.*MLF", re.IGNORECASE)


@dataclass
class LintResult:
    findings: list[Finding]
    files_checked: int  # files discovered and read
    files_analysed: int  # files that passed the prefilter and were parsed
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (path, reason)
    unsupported: list[str] = field(default_factory=list)  # named explicitly, but not a type we read


def display_path(path: Path, cwd: Path) -> str:
    """POSIX path relative to ``cwd`` when below it, else absolute; always valid text
    (a file name that is not valid UTF-8 shows its undecodable bytes as ``\\xff``)."""
    absolute = path if path.is_absolute() else cwd / path
    try:
        shown = Path(os.path.normpath(absolute)).relative_to(cwd).as_posix()
    except ValueError:
        shown = Path(os.path.normpath(absolute)).as_posix()
    return shown.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def lint_paths(
    paths: Sequence[Path],
    config: Config,
    selected: frozenset[str],
    *,
    jobs: int | None = None,
    cwd: Path | None = None,
    only: Callable[[Path], bool] | None = None,
) -> LintResult:
    """Lint files and directories with the given configuration and enabled rules.

    ``only`` narrows the files found to those it accepts (``--diff``: the changed files).
    """
    cwd = (cwd or Path.cwd()).resolve()
    exclude = pathspec.GitIgnoreSpec.from_lines(config.exclude) if config.exclude else None
    found = discover(paths, is_lintable, exclude, config.root.resolve(), is_python_script)
    if only is not None:
        found.files = [path for path in found.files if only(path)]
    tasks = [(str(path), display_path(path, cwd)) for path in found.files]
    options = config.rule_options()
    ignores = _PerFileIgnores(config)
    settings = _Settings(tuple(sorted(selected)), options, str(cwd), _project_facts(found.files, selected, options), ignores)

    results: list[tuple[list[Finding], bool, str | None]]
    workers = _worker_count(jobs, len(tasks))
    if workers > 1:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            chunk = max(1, len(tasks) // (workers * 8))
            results = list(pool.map(_lint_task, tasks, [settings] * len(tasks), chunksize=chunk))
    else:
        results = [_lint_task(task, settings) for task in tasks]

    findings: list[Finding] = []
    analysed = 0
    notes: list[tuple[str, str]] = []
    for (path_text, shown), (file_findings, parsed, note) in zip(tasks, results):
        analysed += parsed
        if note is not None:
            notes.append((shown, note))
        codes = ignores.codes_for(Path(path_text))
        findings.extend(f for f in file_findings if not any(f.rule.startswith(code) for code in codes))
    findings.extend(_store_findings(found.stores, cwd, selected, config, ignores))
    return LintResult(
        findings=sort_findings(findings),
        files_checked=len(tasks),
        files_analysed=analysed,
        skipped=[(display_path(p, cwd), reason) for p, reason in found.skipped] + notes,
        unsupported=[display_path(p, cwd) for p in found.unsupported],
    )


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


def _worker_count(jobs: int | None, task_count: int) -> int:
    if task_count < _POOL_THRESHOLD:
        return 1
    wanted = jobs if jobs and jobs > 0 else (os.cpu_count() or 1)
    return max(1, min(wanted, task_count))


class _PerFileIgnores:
    def __init__(self, config: Config) -> None:
        self.root = config.root.resolve()
        self.entries = [
            (pathspec.GitIgnoreSpec.from_lines([pattern]), tuple(c.upper() for c in codes))
            for pattern, codes in config.per_file_ignores
        ]

    def codes_for(self, path: Path) -> tuple[str, ...]:
        """The codes and prefixes ``per-file-ignores`` turns off for a path ("" for ALL)."""
        if not self.entries:
            return ()
        try:
            relative = path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return ()
        codes: list[str] = []
        for spec, entry_codes in self.entries:
            if spec.match_file(relative):
                codes.extend("" if code == "ALL" else code for code in entry_codes)
        return tuple(codes)


def per_file_ignores(config: Config) -> Callable[[Path], tuple[str, ...]]:
    """``per-file-ignores`` of a configuration: path -> the codes and prefixes it turns off."""
    return _PerFileIgnores(config).codes_for


# ---------------------------------------------------------------------------- per file
_PROJECTS: dict[Path | None, ProjectIndex] = {}  # per process: one index per project root


def project_for(path: Path) -> ProjectIndex:
    root = find_project_root(path.resolve())
    index = _PROJECTS.get(root)
    if index is None:
        index = _PROJECTS[root] = ProjectIndex(root)
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


def _lint_task(task: tuple[str, str], settings: _Settings) -> tuple[list[Finding], bool, str | None]:
    """Findings of one file, whether it was analysed, and why it was skipped (if it was)."""
    path_text, shown = task
    selected_ids = settings.selected
    path = Path(path_text)
    if settings.per_file_ignores is not None:
        ignored = settings.per_file_ignores.codes_for(path)
        selected_ids = tuple(rule for rule in selected_ids if not rule.startswith(ignored)) if ignored else selected_ids
    try:
        data = path.read_bytes()
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return [_unanalysable(shown, f"cannot read file: {reason}", 1, 1, selected_ids)], False, None
    if not _PREFILTER.search(data) and not (UNUSED_SUPPRESSION in selected_ids and _NOQA_MLF.search(data)):
        return [], False, None
    index = project_for(path)
    if settings.facts and index.root is not None and str(index.root) in settings.facts:
        index.facts.setdefault((settings.options.exclude, settings.options.root), settings.facts[str(index.root)])
    try:
        findings = lint_bytes(
            data, shown, selected_ids, path=path, project=index, options=settings.options, display_root=settings.display_root
        )
    except SkippedFile as skipped:
        return [], False, str(skipped)
    return findings, True, None


def _project_facts(files: list[Path], selected: frozenset[str], options: RuleOptions) -> dict[str, ProjectFacts] | None:
    """Project-wide facts for every project the files belong to, when a rule needs them."""
    if "MLF102" not in selected:
        return None
    facts: dict[str, ProjectFacts] = {}
    for path in files:
        index = project_for(path)
        if index.root is not None and str(index.root) not in facts:
            facts[str(index.root)] = facts_for(index, options.exclude, options.root)
    return facts


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
) -> list[Finding]:
    """Lint one file's bytes. ``path`` locates the project for cross-module facts; the
    source kind comes from the file name unless given (an extension-less script is Python)."""
    selected = frozenset(selected_ids)
    real_path = path or Path(shown)
    kind = kind or source_kind(real_path) or "python"
    catalog = catalog or load_catalog()
    options = options or RuleOptions()
    if kind in TEXT_SOURCES:
        return _lint_text_source(kind, data, shown, selected, catalog, options, display_root)
    index = project if project is not None else project_for(real_path)
    if kind == "notebook":
        try:
            cells = read_ipynb(data)
        except CorruptNotebook as error:
            return [_unanalysable(shown, str(error), 1, 1, selected)]
        return _lint_virtual(virtual_source(cells), real_path, shown, selected, index, catalog, options, display_root)
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
        return [_unanalysable(shown, error.reason, error.line, error.column, selected)]
    module = AnalysedModule(real_path.resolve(), source, tree, index)
    index.register(module)
    return run_checks(module, shown, selected, catalog, options, display_root)


def _lint_virtual(
    virtual: VirtualSource,
    path: Path,
    shown: str,
    selected: frozenset[str],
    index: ProjectIndex,
    catalog: Catalog,
    options: RuleOptions,
    display_root: str,
) -> list[Finding]:
    """A notebook as one module; a cell that does not parse is reported and left out."""
    problems: list[Finding] = []
    for _ in range(len(virtual.cells) + 1):
        try:
            tree = parse_python(virtual.text, shown)
            break
        except UnanalysableSource as error:
            cell, line = virtual.origin(error.line)
            problems.append(replace(_unanalysable(shown, error.reason, line, error.column, selected), cell=cell))
            position = virtual.cell_of(error.line)
            if position is None:
                return problems
            virtual = blank_cell(virtual, position)
    else:
        return problems
    module = AnalysedModule(path.resolve(), virtual.text, tree, index)
    findings = run_checks(module, shown, selected, catalog, options, display_root)
    return [_to_cell(finding, virtual) for finding in findings] + problems


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
) -> list[Finding]:
    """YAML, .env, shell, Dockerfile, Makefile, Procfile: settings and commands to the checks."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [_unanalysable(shown, "cannot decode file as UTF-8", 1, 1, selected)]
    try:
        facts = read_text_source(kind, text, shown)
    except UnparsableYaml as error:
        raise SkippedFile(str(error)) from None
    rules = {rule_id: catalog[rule_id] for rule_id in selected if rule_id in catalog.by_id}
    ctx = FileContext(module=None, display_path=shown, rules=rules, lines=LineIndex(text), options=options, display_root=display_root)
    errors: list[Finding] = []
    for check in _checks_for(selected):
        try:
            _visit_facts(check, facts, ctx)
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
    return apply_suppressions(ctx.findings + errors, suppressions, selected, catalog, shown)


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
) -> list[Finding]:
    """Every enabled check over the nodes it asked for; a crashing check becomes a finding.

    Then the file's suppression comments apply (by default read from the module's source).
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
        except Exception as exc:  # noqa: BLE001 - one check's bug must not lose the file
            reason = f"internal error in the {'/'.join(check.rules)} check ({exc.__class__.__name__}: {exc}); please report it"
            internal_errors.append(_unanalysable(shown, reason, 1, 1, selected, force=True))
    # Suppression comments apply after every check ran, so MLF001 can tell which were used.
    if suppressions is None:
        suppressions = suppressions_from_python(module.source)
    return apply_suppressions(ctx.findings + internal_errors, suppressions, selected, catalog, shown)


_CHECK_INSTANCES: dict[type[Check], Check] = {}


def _checks_for(selected: frozenset[str]) -> list[Check]:
    checks = []
    for check_class in ALL_CHECKS:
        if selected.intersection(check_class.rules):
            instance = _CHECK_INSTANCES.get(check_class)
            if instance is None:
                instance = _CHECK_INSTANCES[check_class] = check_class()
            checks.append(instance)
    return checks


def _unanalysable(
    shown: str, reason: str, line: int, column: int, selected: Iterable[str], force: bool = False
) -> Finding:
    catalog = load_catalog()
    message = catalog["MLF000"].format_message({"reason": reason})
    return Finding(path=shown, line=line, column=column, rule="MLF000", end_line=line, end_column=column, message=message)
