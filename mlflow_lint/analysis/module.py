"""One analysed Python module: source, tree, semantic model, value evaluator."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.analysis.semantic import SemanticModel
from mlflow_lint.analysis.values import ValueEvaluator

if TYPE_CHECKING:
    from mlflow_lint.analysis.flow import Frame
    from mlflow_lint.project import ProjectIndex


class AnalysedModule:
    """Everything computed once per module and shared by all checks."""

    def __init__(self, path: Path, source: str, tree: ast.Module, project: ProjectIndex | None) -> None:
        self.path = path
        self.source = source
        self.tree = tree
        self.project = project
        self.model = SemanticModel(tree)
        if project is not None:
            self.model.reexport_resolver = lambda name: project.external_name(path, name)
        self._values: ValueEvaluator | None = None
        # Facts derived once per module by the analyses that need them (runs, effects).
        self.cache: dict[str, object] = {}
        # The call whose arguments the parameters hold (analysis.flow.bound_module); None
        # for the module analysed on its own.
        self.frame: Frame | None = None
        # The module as written, for facts that do not depend on a frame (gates).
        self.base: AnalysedModule = self

    def release(self) -> None:
        """Drop derived facts that refer back to this module (evaluator, gate analysis), so
        that reference counting frees an evicted module without waiting for the cycle
        collector."""
        self._values = None
        self.cache.clear()

    def forget_derived(self) -> None:
        """Drop every memoised result, including resolved callees: they may rest on other
        modules, and the result cache must see every module a file's analysis reads."""
        self.release()
        self.model.forget_callees()

    @property
    def values(self) -> ValueEvaluator:
        if self._values is None:
            self._values = ValueEvaluator(self)
        return self._values
