"""One file's bytes to findings: the file as a Document (``sources.document`` reads it by
its kind), then the checks over what it holds: a Python module, a notebook's cells as one
module (Databricks sources too), or a text source's settings and commands (YAML, .env,
shell, Dockerfile, ...) and the Python it runs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.catalog import Catalog, load_catalog
from mlflow_lint.checks import Check, FileContext
from mlflow_lint.config import RuleOptions
from mlflow_lint.engine.checks_pass import checks_for, run_checks
from mlflow_lint.engine.session import project_for
from mlflow_lint.engine.unanalysed import SkippedFile, honour_selection, internal_error, unanalysable
from mlflow_lint.findings import Finding
from mlflow_lint.positions import LineIndex
from mlflow_lint.project import ProjectIndex
from mlflow_lint.project_facts import FactsDeferred, may_describe_deployment
from mlflow_lint.sources import TEXT_SOURCES, source_kind
from mlflow_lint.sources.dockerfile import through_entrypoint
from mlflow_lint.sources.document import Document, read_document
from mlflow_lint.sources.facts import EmbeddedPython, SourceFacts
from mlflow_lint.sources.notebook import IpynbLines, VirtualSource
from mlflow_lint.sources.python import UnanalysableSource, parse_python, syntax_error_reason
from mlflow_lint.suppressions import apply_suppressions, suppressions_from_comments

if TYPE_CHECKING:
    from mlflow_lint.engine.evidence import EvidenceSink


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
    evidence: EvidenceSink | None = None,
) -> list[Finding]:
    """Lint one file's bytes. ``path`` locates the project for cross-module facts; the
    source kind comes from the file name unless given (an extension-less script is Python).
    ``keep_waived``: also the findings a ``# noqa`` comment waives (``Finding.waiver``).
    ``evidence``: also gather the audit's evidence, from what the checks analysed.

    Never raises for what the file holds (only :class:`SkippedFile`): a failure of the
    analysis itself is an MLF000 finding for this file, so the rest of the run goes on.
    """
    selected = frozenset(selected_ids)
    try:
        found = honour_selection(
            _lint_document(data, shown, selected, path, project, catalog, options, display_root, kind, evidence), selected
        )
        return found if keep_waived else [finding for finding in found if finding.waiver is None]
    except (SkippedFile, FactsDeferred):
        raise
    except RecursionError:  # code that parses, nested too deep for a recursive step of the analysis
        return honour_selection([unanalysable(shown, "nesting too deep to analyse", 1, 1)], selected)
    except Exception as exc:  # noqa: BLE001 - one file's bug must not lose the other files
        return [internal_error(shown, "while analysing the file", exc)]


def _lint_document(
    data: bytes,
    shown: str,
    selected: frozenset[str],
    path: Path | None,
    project: ProjectIndex | None,
    catalog: Catalog | None,
    options: RuleOptions | None,
    display_root: str,
    kind: str | None,
    evidence: EvidenceSink | None = None,
) -> list[Finding]:
    """The file as a Document (sources.document: its kind decides how it is read), then
    the checks over what it holds."""
    real_path = path or Path(shown)
    catalog = catalog or load_catalog()
    options = options or RuleOptions()
    index = project if project is not None else project_for(real_path)
    # A Helm values file is read with the chart beside it: whether its values configure MLflow.
    values = index.helm_values(real_path) if (kind or source_kind(real_path)) == "yaml" else None
    document = read_document(real_path, data, kind=kind, shown=shown, values=values)
    if document.kind == "yaml" and project is not None:  # what it deploys, for the project facts: not parsed again
        facts = document.facts
        project.record_deployment(real_path, facts.deployment if facts is not None and may_describe_deployment(real_path, data) else [])
    failure = document.failure
    if failure is not None:
        return [unanalysable(shown, failure.reason, failure.line, failure.column)]
    if document.kind in TEXT_SOURCES:
        if document.facts is not None:
            document.facts = with_image_entrypoints(document.facts, real_path, index)
        return lint_text_source(document, shown, selected, catalog, options, display_root, real_path, index, evidence)
    error = document.syntax_error
    if error is not None:
        reason = syntax_error_reason(error, index.newer_python_required())
        return [unanalysable(shown, reason, error.line, error.column)]
    if document.virtual is not None:  # a notebook: its code cells
        findings = lint_virtual(document, real_path, shown, selected, index, catalog, options, display_root, evidence)
        file_lines = document.file_lines
        return with_file_lines(findings, file_lines) if findings and file_lines is not None else findings
    assert document.tree is not None  # Python that parsed
    module = AnalysedModule(real_path.resolve(), document.text, document.tree, index)
    index.register(module)
    findings = run_checks(module, shown, selected, catalog, options, display_root, keep_waived=True)
    if evidence is not None:  # after the checks: their analyses (gates, values) are reused
        evidence.of_module(module, shown)
    return findings


def with_image_entrypoints(facts: SourceFacts, path: Path, index: ProjectIndex) -> SourceFacts:
    """A Compose file's facts with each service command that only passes arguments to its
    image's ENTRYPOINT (``Command.entrypoint_of``) completed by that entrypoint, read from
    the Dockerfile the service builds (``ProjectIndex.image_entrypoint``); one that makes
    no mlflow command line is dropped."""
    if not any(command.entrypoint_of is not None for command in facts.commands):
        return facts
    commands = []
    for command in facts.commands:
        if command.entrypoint_of is None:
            commands.append(command)
            continue
        dockerfile, target = command.entrypoint_of
        entrypoint = index.image_entrypoint(path.absolute().parent / dockerfile, target)
        completed = through_entrypoint(command, entrypoint) if entrypoint else None
        commands.extend([completed] if completed is not None else [])
    return replace(facts, commands=commands)


def lint_virtual(
    document: Document,
    path: Path,
    shown: str,
    selected: frozenset[str],
    index: ProjectIndex,
    catalog: Catalog,
    options: RuleOptions,
    display_root: str,
    evidence: EvidenceSink | None = None,
) -> list[Finding]:
    """A notebook as one module (``document.virtual``, its cells): each cell that does not
    parse is reported, the rest analysed. Flow steps into an .ipynb notebook name its
    lines (``document.file_lines``); ``evidence``: where the notebook's evidence goes
    (placed in its cells)."""
    virtual = document.virtual
    assert virtual is not None  # a notebook's Document
    problems: list[Finding] = []
    for error in document.cell_errors:
        cell, line = virtual.origin(error.line)
        subject = f"Cell {cell}" if cell is not None else "File"  # Databricks notebooks: file lines
        reason = f"{syntax_error_reason(error, index.newer_python_required())}; the rest of the notebook was analysed"
        problems.append(replace(unanalysable(shown, reason, line, error.column, subject=subject), cell=cell))
    if document.tree is None:
        return problems
    module = AnalysedModule(path.resolve(), document.text, document.tree, index)
    module.file_lines = document.file_lines
    try:
        findings = run_checks(module, shown, selected, catalog, options, display_root, keep_waived=True)
        if evidence is not None:
            evidence.of_module(module, shown, virtual)
    finally:
        module.release()  # not kept by the index: its derived facts refer back to it (a cycle)
    return [to_cell(finding, virtual) for finding in findings] + problems


def with_file_lines(findings: list[Finding], file_lines: IpynbLines) -> list[Finding]:
    """Each finding in a cell with the line of the .ipynb file that holds it."""
    placed = []
    for finding in findings:
        line = file_lines.of_cell(finding.cell, finding.line) if finding.cell is not None else None
        placed.append(finding if line is None else replace(finding, file_line=line))
    return placed


def to_cell(finding: Finding, virtual: VirtualSource) -> Finding:
    """A finding in the concatenated cells placed in its cell; its columns within the line as
    written where the analysis read a longer one (``!mlflow ui``, notebook.VirtualSource.widths)."""
    cell, line = virtual.origin(finding.line)
    end_cell, end_line = virtual.origin(finding.end_line)
    column, end_column = _within(virtual, finding.line, finding.column), _within(virtual, finding.end_line, finding.end_column)
    if end_cell != cell:
        end_line = line
    return replace(finding, line=line, end_line=end_line, cell=cell, column=column, end_column=end_column)


def _within(virtual: VirtualSource, line: int, column: int) -> int:
    width = virtual.widths.get(line)
    return column if width is None else min(column, width + 1)


def lint_text_source(
    document: Document,
    shown: str,
    selected: frozenset[str],
    catalog: Catalog,
    options: RuleOptions,
    display_root: str,
    path: Path | None = None,
    project: ProjectIndex | None = None,
    evidence: EvidenceSink | None = None,
) -> list[Finding]:
    """YAML, .env, shell, Dockerfile, Makefile, Procfile: settings and commands to the checks,
    and the Python code they run (a heredoc, ``python -c``) to the Python analysis.
    ``evidence``: where the file's settings and commands go as evidence (the Python it
    runs gives none yet: its rows would need placing in the file, as its findings are)."""
    if document.unparsable is not None:
        raise SkippedFile(str(document.unparsable))
    facts = document.facts
    assert facts is not None  # a text source that parsed
    text = document.text
    rules = {rule_id: catalog[rule_id] for rule_id in selected if rule_id in catalog.by_id}
    ctx = FileContext(
        module=None, display_path=shown, rules=rules, lines=LineIndex(text), options=options, display_root=display_root, facts=facts,
        project=project, path=path,
    )  # fmt: skip
    errors: list[Finding] = []
    for check in checks_for(selected):
        try:
            visit_facts(check, facts, ctx)
        except FactsDeferred:
            raise
        except Exception as exc:  # noqa: BLE001 - one check's bug must not lose the file
            errors.append(internal_error(shown, f"in the {'/'.join(check.rules)} check", exc))
    # Suppressions (noqa: MLF703) in the file's own comments; a continued command is one statement.
    statements = [
        (command.argv[0].position.line, max(word.position.end_line for word in command.argv))
        for command in facts.commands
        if command.argv
    ]
    suppressions = suppressions_from_comments(facts.comment_lines, statements)
    found = apply_suppressions(ctx.findings + errors, suppressions, selected, catalog, shown, keep_waived=True)
    if evidence is not None:
        evidence.of_facts(facts, shown, project)
    for embedded in facts.python:
        found.extend(lint_embedded_python(embedded, path or Path(shown), shown, selected, catalog, options, display_root, project))
    return found


def lint_embedded_python(
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
        return [unanalysable(shown, reason, line, column)]
    index = project if project is not None else project_for(path)
    module = AnalysedModule(path.resolve(), embedded.text, tree, index)
    module.line_offset = embedded.line - 1
    try:
        found = run_checks(module, shown, selected, catalog, options, display_root, keep_waived=True)
    finally:
        module.release()  # not kept by the index: its derived facts refer back to it (a cycle)
    shifted = []
    for finding in found:
        line, column = placed(finding.line, finding.column)
        end_line, end_column = placed(finding.end_line, finding.end_column)
        shifted.append(replace(finding, line=line, column=column, end_line=end_line, end_column=end_column))
    return shifted


def visit_facts(check: Check, facts: SourceFacts, ctx: FileContext) -> None:
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
