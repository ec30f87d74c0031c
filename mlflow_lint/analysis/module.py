"""One analysed Python module: source, tree, semantic model, value evaluator."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import TYPE_CHECKING

from mlflow_lint.analysis.api import is_mlflow
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
            self.model.star_resolver = self._star_name
            self.model.imported_instance = self._imported_instance
        self._star_names: dict[tuple[str, str], str | None] = {}
        self._values: ValueEvaluator | None = None
        # Facts derived once per module by the analyses that need them (runs, effects).
        self.cache: dict[str, object] = {}
        # The call whose arguments the parameters hold (analysis.flow.bound_module); None
        # for the module analysed on its own.
        self.frame: Frame | None = None
        # The module as written, for facts that do not depend on a frame (gates).
        self.base: AnalysedModule = self

    def _star_name(self, module: str, name: str) -> str | None:
        """What ``name`` denotes through ``from module import *`` of a project module: an
        outside name it re-exports (``mlflow``), else the module's own definition."""
        key = (module, name)
        if key not in self._star_names:
            assert self.project is not None
            qualified = f"{module}{'' if module.endswith('.') else '.'}{name}"
            found = self.project.external_name(self.path, qualified)
            if found is None and self.project.resolve_binding(self.path, qualified) is not None:
                found = qualified
            self._star_names[key] = found
        return self._star_names[key]

    def _imported_instance(self, qualified_name: str) -> str | None:
        """The MLflow class of what a project module assigns to ``qualified_name``
        (``client = MlflowClient()`` in ``setup``), "" when not known; None when the name is
        not a variable of a project module."""
        if is_mlflow(qualified_name):
            return None
        key = ("instance", qualified_name)
        if key not in self._star_names:
            assert self.project is not None
            found = self.project.resolve_binding(self.path, qualified_name)
            if found is None or found[1].kind != "assign" or found[1].value is None:
                self._star_names[key] = None
            else:
                other, binding = found
                self._star_names[key] = other.model.instance_class(binding.value) or ""
        return self._star_names[key]

    def release(self) -> None:
        """Drop derived facts that refer back to this module (evaluator, gate analysis), so
        that reference counting frees an evicted module without waiting for the cycle
        collector."""
        self._values = None
        self.cache.clear()
        self._star_names.clear()

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
