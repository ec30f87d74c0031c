"""One file's analysis in a worker: read, prefilter, lint, and what the result cache and
the project facts need from it."""

from __future__ import annotations

import gc
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.cache import content_digest
from mlflow_lint.config import RuleOptions
from mlflow_lint.engine.ignores import PerFileIgnores
from mlflow_lint.engine.session import project_for
from mlflow_lint.engine.unanalysed import SkippedFile, honour_selection, internal_error, unanalysable
from mlflow_lint.findings import Finding
from mlflow_lint.project import DependencyLog, ProjectIndex
from mlflow_lint.project_facts import FactsDeferred, ProjectFacts, is_fact_source, may_contribute, may_hold_project_facts
from mlflow_lint.safe_io import leaves
from mlflow_lint.sources import read_bounded, read_limit, source_kind, too_large
from mlflow_lint.sources.prefilter import file_may_mention_mlflow, may_hold_noqa, may_mention_mlflow, searched_text
from mlflow_lint.suppressions import UNUSED_SUPPRESSION

if TYPE_CHECKING:
    from mlflow_lint.audit.evidence import ModuleEvidence


@dataclass(frozen=True)
class Settings:
    """What every worker needs besides the file: picklable."""

    selected: tuple[str, ...]
    options: RuleOptions
    display_root: str = ""
    facts: dict[str, ProjectFacts] | None = None  # project root -> facts, computed once up front
    # per-file-ignores: a rule ignored for a file does not run on it, so MLF001 does not
    # call a noqa comment for that rule unused
    per_file_ignores: PerFileIgnores | None = None
    record: bool = False  # record what each analysis reads, for the result cache
    defer_facts: bool = False  # a file that needs project facts not given here says so
    # Where files outside any project may be read from: the paths named, the working directory.
    roots: tuple[str, ...] = ()
    # Also run the rules per-file-ignores turns off for a file, their findings marked waived.
    waivers: bool = False
    # Also gather the audit's evidence of each file, from the same analysis (engine.evidence).
    evidence: bool = False


@dataclass
class Outcome:
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
    # The audit's evidence of the file (Settings.evidence): one entry per analysed module;
    # empty when the file was not analysed (the prefilter passed over it, it did not parse).
    evidence: list[ModuleEvidence] = field(default_factory=list)


def lint_task(task: tuple[str, str], settings: Settings) -> Outcome:
    """One file's outcome. The cycle collector waits until the file is done: an analysis
    allocates many small objects and frees them by reference counting (its structures
    hold no cycles: see AnalysedModule), so collections during it only cost time, about
    14% of a cold run on the MLflow tree; the counts it leaves trigger one collection after."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _lint_task(task, settings)
    finally:
        if collecting:
            gc.enable()


def load_analysis() -> None:
    """Import the analysis and the checks. The engine's modules load them on first need: a
    run whose every file is served by the result cache never does (start-up is most of
    such a run). The engine calls this before its worker pool forks, so that the workers
    inherit them instead of each importing them."""
    import mlflow_lint.engine.documents
    import mlflow_lint.module_facts  # noqa: F401


def _lint_task(task: tuple[str, str], settings: Settings) -> Outcome:
    from mlflow_lint.engine.documents import lint_bytes
    from mlflow_lint.module_facts import file_fact_rows

    path_text, shown = task
    selected_ids = settings.selected
    path = Path(path_text)
    ignored_ids: tuple[str, ...] = ()
    if settings.per_file_ignores is not None:
        ignored = settings.per_file_ignores.codes_for(path)
        if ignored:
            ignored_ids = tuple(rule for rule in selected_ids if rule.startswith(ignored))
            selected_ids = tuple(rule for rule in selected_ids if not rule.startswith(ignored))
    if leaves_project(path, settings):
        return Outcome([], False, "symbolic link to a file outside the project: not read")
    try:
        data, size = read_bounded(path, read_limit(path))
    except OSError as exc:
        reason = exc.strerror or exc.__class__.__name__
        return Outcome(honour_selection([unanalysable(shown, f"cannot read file: {reason}", 1, 1)], selected_ids), False)
    if len(data) > read_limit(path):
        if not file_may_mention_mlflow(path_text, data):
            return Outcome([], False)  # no rule could fire in it, as in any file that never says "mlflow"
        return Outcome(honour_selection([unanalysable(shown, too_large(size), 1, 1)], selected_ids), False)
    digest = content_digest(data) if settings.record else None
    index = project_for(path)
    log = DependencyLog(root=str(index.root) if index.root is not None else None) if settings.record else None
    # A file that never says "mlflow" (sources.prefilter) can produce a finding only by
    # passing values to a project module that does (analysis.flow); with MLF001 on, a
    # suppression comment is worth reading even in a file without MLflow.
    # The first round of a run with MLF102 on also gathers the file's tracking URIs (a YAML
    # file's published ports) for the project facts (their one pass over the files); None:
    # not gathered here.
    # A notebook's module is not kept for the facts to read again (engine.documents.
    # lint_virtual): it is parsed for them only when its text may set a URI; else the
    # facts' own pass decides (it parses a notebook that calls a URI-setting function).
    # (``data`` is within the file's read limit: the facts' own size test is passed.)
    gathers_uses = settings.defer_facts and index.root is not None and is_fact_source(path)
    if gathers_uses and path.suffix.lower() == ".ipynb":
        gathers_uses = may_hold_project_facts(data, len(data), path)
    if not worth_analysing(index, path, data, selected_ids, log):
        # Not parsed here: its rows are known to be none only when its text cannot set a URI
        # (or publish a port).
        no_uses: list[list[object]] | None = None if not gathers_uses or may_contribute(path, data) else []
        return Outcome([], False, None, digest, log, uses=no_uses)
    sink = None
    if settings.evidence:  # the audit's: a check never loads the evidence code
        from mlflow_lint.engine.evidence import EvidenceSink

        sink = EvidenceSink(path, settings.options)
    if settings.facts and index.root is not None and str(index.root) in settings.facts:
        index.facts.setdefault((settings.options.exclude, settings.options.root), settings.facts[str(index.root)])
    index.defer_facts = settings.defer_facts
    if log is not None:
        index.start_log(log)
    try:
        try:
            findings = lint_bytes(
                data, shown, selected_ids, path=path, project=index, options=settings.options,
                display_root=settings.display_root, keep_waived=True, evidence=sink,
            )  # fmt: skip
            if sink is not None and sink.failure is not None:  # a bug of ours: shown whatever the selection
                findings.append(internal_error(shown, "while gathering the audit's evidence", sink.failure))
            if settings.waivers and ignored_ids and settings.per_file_ignores is not None:
                findings += waived_by_configuration(data, shown, path, index, ignored_ids, settings, settings.per_file_ignores)
            if sink is not None:
                sink.settle(findings, selected_ids + (ignored_ids if settings.waivers else ()))
        finally:
            # The file was parsed: its rows are whatever it sets, directly or through calls.
            uses = file_fact_rows(index, path) if gathers_uses else None
    except SkippedFile as skipped:
        return Outcome([], False, str(skipped), digest, log, uses=uses, uses_parsed=True)
    except FactsDeferred:
        return Outcome([], False, needs_facts=True, digest=digest, log=log, uses=uses, uses_parsed=True)
    finally:
        index.stop_log()
        index.defer_facts = False
    evidence = sink.found if sink is not None else []
    return Outcome(findings, True, None, digest, log, uses=uses, uses_parsed=True, evidence=evidence)


def waived_by_configuration(
    data: bytes,
    shown: str,
    path: Path,
    index: ProjectIndex,
    ignored_ids: tuple[str, ...],
    settings: Settings,
    ignores: PerFileIgnores,
) -> list[Finding]:
    """The findings of the rules per-file-ignores turns off for this file, each marked with
    the entry that waives it (a "# noqa" there still counts first). Run apart from the
    file's enabled rules, so those rules' findings and MLF001 are exactly a check's."""
    from mlflow_lint.engine.documents import lint_bytes

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
    mention MLflow, when it may set one of the credentials MLflow and its stores read
    (``DATABRICKS_TOKEN`` in a ``.env`` file), when it may hold a suppression comment and
    MLF001 is on, when it is a Helm values file that may configure MLflow, or when it
    imports a project module that uses MLflow (its values reach MLflow through calls)."""
    if UNUSED_SUPPRESSION in selected and may_hold_noqa(data):
        return True
    searched = searched_text(path, data)
    if may_mention_mlflow(searched):
        return True
    from mlflow_lint.analysis.secrets import may_name_secret_variable  # a warm run never needs it

    if may_name_secret_variable(searched):
        return True
    return configures_mlflow_chart(index, path, searched, log) or calls_into_mlflow_users(index, path, searched, log)


def configures_mlflow_chart(index: ProjectIndex, path: Path, data: bytes, log: DependencyLog | None) -> bool:
    """Whether a Helm values file that never says "mlflow" may configure it (a
    ``values-prod.yaml`` beside the Chart.yaml of an MLflow chart, a file with the MLflow
    chart's top-level keys: sources.helm_values); the Chart.yaml asked for goes to ``log``."""
    if source_kind(path) != "yaml":
        return False
    from mlflow_lint.sources.helm_values import may_configure_mlflow

    index.log = log
    try:
        values = index.helm_values(path)
    finally:
        index.log = None
    return values is not None and may_configure_mlflow(values, data)


def calls_into_mlflow_users(index: ProjectIndex, path: Path, data: bytes, log: DependencyLog | None) -> bool:
    """Whether a Python file that never says "mlflow" imports a project module that uses
    MLflow (ProjectIndex.imports_mlflow_users); what the answer read goes to ``log``."""
    if index.root is None or source_kind(path) not in ("python", "notebook"):
        return False
    index.log = log
    try:
        return index.imports_mlflow_users(path, data)
    finally:
        index.log = None


def leaves_project(path: Path, settings: Settings) -> bool:
    """A file (a committed symbolic link, typically) whose resolved path leaves its project:
    the git work tree or project root around it, else the paths named and the working
    directory. Such a file is never read: its content is not the project's."""
    boundary = project_for(path).boundary
    return leaves(path, (boundary,) if boundary is not None else settings.roots)
