"""The audit's evidence of one file, gathered in the lint's own pass (``lint_paths(...,
evidence=True)``): from the very module, notebook source or text-source facts the checks
just read, so the audit never discovers, reads or parses a file a second time.

What a file's evidence is (the tables of tracking URIs, model loads, registry operations,
...) is the audit's business (``mlflow_lint.audit.evidence`` and ``.deployment``): those
modules are imported only when evidence is asked for, so a plain ``check`` never loads them.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.config import RuleOptions
from mlflow_lint.context import is_test_file
from mlflow_lint.project_facts import FactsDeferred

if TYPE_CHECKING:
    from mlflow_lint.analysis.module import AnalysedModule
    from mlflow_lint.audit.evidence import ModuleEvidence
    from mlflow_lint.findings import Finding
    from mlflow_lint.project import ProjectIndex
    from mlflow_lint.sources.facts import Setting, SourceFacts
    from mlflow_lint.sources.notebook import VirtualSource


@dataclass
class EvidenceSink:
    """Where one file's analysis leaves its evidence. A failure to gather it is kept as a
    reason (the task reports it as an internal error), never raised: the file's findings
    are the same whether evidence was asked for or not."""

    path: Path
    options: RuleOptions
    found: list[ModuleEvidence] = field(default_factory=list)
    failure: str | None = None

    def of_module(self, module: AnalysedModule, shown: str, virtual: VirtualSource | None = None) -> None:
        """A Python module or a notebook's cells (``virtual``), as the checks analysed it."""
        from mlflow_lint.audit.evidence import collect

        self._keep(lambda: collect(module, shown, self.options, virtual), shown)

    def of_facts(self, facts: SourceFacts, shown: str, project: ProjectIndex | None = None) -> None:
        """A text source (YAML, .env, shell, Dockerfile, ...) of ``project``: its settings
        and commands."""
        from mlflow_lint.analysis.variable_reads import LiteralRead, literal_read
        from mlflow_lint.audit.deployment import collect_facts
        from mlflow_lint.module_facts import facts_of_file

        def declares_service(service: str, namespace: str) -> bool:  # as MLF702 asks it
            return facts_of_file(project, self.options).declares_service(service, namespace)

        def read_through(setting: Setting, secret: bool) -> LiteralRead | None:  # as MLF701 reads it
            return literal_read(setting, secret, facts, self.path, project, self.options)

        self._keep(lambda: collect_facts(facts, shown, declares_service, read_through), shown)

    def settle(self, findings: Iterable[Finding], judged: Iterable[str]) -> None:
        """Let the checks' verdicts decide where the evidence states one too (audit.verdicts):
        ``findings`` are all of the file's, ``judged`` the rules that ran on it."""
        if not self.found:
            return
        from mlflow_lint.audit.verdicts import agree_with_findings

        findings, rules = list(findings), frozenset(judged)
        for evidence in self.found:
            agree_with_findings(evidence, findings, rules)

    def _keep(self, gather: Callable[[], ModuleEvidence], shown: str) -> None:
        try:
            evidence = gather()
        except FactsDeferred:  # the project's facts are computed first, then the file analysed again
            raise
        except Exception as exc:  # noqa: BLE001 - a bug in the evidence must not lose the findings
            self.failure = f"{exc.__class__.__name__}: {exc}"
            return
        evidence.in_tests = is_test_file(str(self.path.absolute()), self.options.root, shown, self.options.test_paths)
        self.found.append(evidence)


def evidence_rows(found: list[ModuleEvidence]) -> list[list[object]]:
    """A file's evidence as the result cache stores it (JSON rows, one per module)."""
    return [evidence.to_rows() for evidence in found]


def evidence_from_rows(rows: list[list[object]]) -> list[ModuleEvidence] | None:
    """The evidence ``evidence_rows`` stored; None when the rows do not read back."""
    from mlflow_lint.audit.evidence import ModuleEvidence

    try:
        return [ModuleEvidence.from_rows(row) for row in rows]
    except (TypeError, ValueError):
        return None
