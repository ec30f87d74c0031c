"""What one analysed module contributes to the project facts (``project_facts``): the URIs
it sets, its span processor configurations, its functions that set a URI from a
parameter (and what a Compose file or Kubernetes manifest contributes: what it deploys);
and the project's facts read in this process when no cache or pool gives them."""

from __future__ import annotations

from pathlib import Path

from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.tracing import span_processor_configurations
from mlflow_lint.analysis.uri_flow import uri_setting_functions
from mlflow_lint.analysis.uri_uses import registry_uri_uses, tracking_uri_uses
from mlflow_lint.config import RuleOptions
from mlflow_lint.project import ProjectIndex
from mlflow_lint.project_facts import (
    ComposePort,
    ComposeService,
    FactsDeferred,
    FileFact,
    ManifestDeclaration,
    ProjectFacts,
    SpanProcessorConfiguration,
    TrackingUriUse,
    UriSettingFunction,
    assemble,
    deployable_package,
    fact_row,
    gather_facts,
    is_deployment_candidate,
    read_project_file,
)
from mlflow_lint.sources.deployment import ComposeImage, PublishedPort


def _resolved(module: AnalysedModule) -> Path:
    return module.project.resolved(module.path) if module.project is not None else module.path.resolve()


def _uses(module: AnalysedModule) -> list[TrackingUriUse]:
    found = [(role, use) for role, uses in (("tracking", tracking_uri_uses(module)), ("registry", registry_uri_uses(module))) for use in uses]
    if not found:
        return []  # most modules set no URI: their package (a stat per directory) is not asked
    path = _resolved(module)
    package = deployable_package(path)
    uses = []
    for role, (node, uri, shown) in found:
        cell, line = module.shown_line(node.lineno + module.line_offset)
        uses.append(TrackingUriUse(path.as_posix(), line, node.col_offset, uri, shown, package, role, cell))
    return uses


def _configurations(module: AnalysedModule) -> list[SpanProcessorConfiguration]:
    path = _resolved(module).as_posix()
    return [SpanProcessorConfiguration(path, call.lineno, call.col_offset) for call in span_processor_configurations(module)]


def single_file_facts(module: AnalysedModule) -> ProjectFacts:
    """Facts of a file that belongs to no project (no pyproject.toml, .git, ... above it)."""
    return assemble([*_uses(module), *_configurations(module)])


def file_uses(index: ProjectIndex, path: Path, data: bytes | None = None) -> list[FileFact]:
    """What one file of the project contributes to its facts: the tracking and registry
    URIs it sets (directly or through project functions), its span processor
    configurations, and its functions that set a URI from a parameter; a YAML file, what
    it deploys (``data``: its bytes, when already read). None when the
    analysis fails: the facts leave the file out, as they do an unreadable one (its own
    lint reports the failure as MLF000)."""
    if is_deployment_candidate(path):
        return deployment_facts(index, path, data)
    try:
        module = index.module_at(path)
        if module is None:
            return []
        resolved = _resolved(module).as_posix()
        setters = [UriSettingFunction(resolved, name) for name in uri_setting_functions(module)]
        return [*_uses(module), *_configurations(module), *setters]
    except Exception:  # noqa: BLE001 - RecursionError included: code nested too deep
        return []


def deployment_facts(index: ProjectIndex, path: Path, data: bytes | None = None) -> list[FileFact]:
    """What a Compose file or a Kubernetes manifest deploys, as the project's rows (nothing
    for another YAML file, or one that does not parse: as the lint reads it,
    ``ProjectIndex.deployment``)."""
    try:
        deployed = index.deployment(path, data)
    except Exception:  # noqa: BLE001 - RecursionError included; its own lint reports a failure
        return []
    if not deployed:
        return []
    resolved = index.resolved(path).as_posix()
    rows: list[FileFact] = []
    for fact in deployed:
        if isinstance(fact, PublishedPort):
            rows.append(ComposePort(resolved, fact.service, fact.names, fact.container_port, fact.host_port))
        elif isinstance(fact, ComposeImage):
            rows.append(ComposeService(resolved, fact))
        else:
            rows.append(ManifestDeclaration(resolved, fact))
    return rows


def file_fact_rows(index: ProjectIndex, path: Path, data: bytes | None = None) -> list[list[object]]:
    """``file_uses`` as rows for the result cache."""
    return [fact_row(fact) for fact in file_uses(index, path, data)]


def collect_project_facts(index: ProjectIndex, exclude: tuple[str, ...], exclude_root: str) -> ProjectFacts:
    """The project's facts, read in this process (no cache, no workers)."""

    def parse(paths: list[str]) -> list[tuple[str, list[FileFact]]]:
        return [(path, file_uses(index, Path(path))) for path in paths]

    return gather_facts([str(p) for p in index.fact_files(exclude, exclude_root)], lambda _: None, read_project_file, parse)


def facts_of_file(project: ProjectIndex | None, options: RuleOptions, module: AnalysedModule | None = None) -> ProjectFacts:
    """The facts of the project a file (``module``, or a text source of ``project``)
    belongs to, computed once per project; their digest goes to the file's dependency log,
    so the result cache judges the file again when they change. A file in no project
    (no pyproject.toml, .git, ... above it) is its own project: a module's facts are its
    own, a text source contributes none."""
    if project is None or project.root is None:
        return single_file_facts(module) if module is not None else ProjectFacts()
    facts = facts_for(project, options.exclude, options.root)
    if project.log is not None:
        project.log.facts = facts.digest
    return facts


def facts_for(index: ProjectIndex, exclude: tuple[str, ...], exclude_root: str) -> ProjectFacts:
    """The project's facts, computed once per index and configuration: by the index's
    ``facts_source`` when it has one (the result cache), else by reading the project."""
    key = (exclude, exclude_root)
    found = index.facts.get(key)
    if found is None:
        if index.defer_facts:
            raise FactsDeferred(str(index.root))
        log, index.log = index.log, None  # what the scan reads is not the file's dependency
        try:
            source = index.facts_source or collect_project_facts
            found = index.facts[key] = source(index, exclude, exclude_root)
        finally:
            index.log = log
    return found  # type: ignore[return-value]
