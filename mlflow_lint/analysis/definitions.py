"""The project's own definitions that names in a module denote."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.api import is_mlflow
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.semantic import Binding


def project_definition(module: AnalysedModule, expr: ast.AST) -> tuple[AnalysedModule, Binding] | None:
    """The module-level definition of the project that a name or dotted name denotes: this
    module's own, or one imported from another module of the project (``train``,
    ``pkg.utils.train``, re-exports followed). None for MLflow's names and anything else."""
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        if binding is None:
            return None
        if binding.kind in ("def", "class"):
            return module, binding
        if binding.kind == "import" and binding.qualified_name and module.project is not None:
            if is_mlflow(binding.qualified_name):
                return None
            return module.project.resolve_binding(module.path, binding.qualified_name)
        return None
    if isinstance(expr, ast.Attribute):
        raw = module.model._raw_qualified_name(expr, 0)
        if raw is not None and not is_mlflow(raw) and module.project is not None:
            return module.project.resolve_binding(module.path, raw)
    return None



def project_class(module: AnalysedModule, expr: ast.AST) -> tuple[AnalysedModule, ast.ClassDef] | None:
    """The project class a name or dotted name denotes (``Service`` in ``Service()``, a base
    class, an annotation), with its module; None for anything else."""
    found = project_definition(module, expr)
    if found is None or not isinstance(found[1].node, ast.ClassDef):
        return None
    return found[0], found[1].node


def class_bases(cls: ast.ClassDef) -> list[ast.expr]:
    """A class's base expressions, each branch of a base chosen by a condition counted:
    ``class Model(mlflow.pyfunc.PythonModel if HAS_MLFLOW else object)`` (MLflow an
    optional dependency) is a ``PythonModel`` wherever MLflow is installed, the only place
    its MLflow calls run."""
    bases: list[ast.expr] = []
    pending = list(cls.bases)
    while pending:
        base = pending.pop(0)
        if isinstance(base, ast.IfExp):
            pending[:0] = [base.body, base.orelse]
        else:
            bases.append(base)
    return bases
