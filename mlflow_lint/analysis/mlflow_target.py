"""The MLflow releases a file's code must run on: the target of every version-dependent rule.

In order: the ``target-mlflow-version`` option; the release a notebook installs for itself
(``%pip install mlflow==2.16.2``); the requirement the project declares
(sources/requirements.py); else the release the API table was generated from. MLF901/MLF902
(what a release removed or deprecated) and the LoggedModel rules (MLF501, MLF601, MLF802:
LoggedModels exist from 3.0.0) all read this one answer.
"""

from __future__ import annotations

import ast

from mlflow_lint.analysis import api
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.sources.requirements import DeclaredMlflow, from_requirement_lines, pinned_in_notebook, release

_MAX_NOTEBOOK_BYTES = 20_000_000
_TARGET: MemoKey[DeclaredMlflow] = MemoKey("mlflow_target")


def mlflow_target(module: AnalysedModule, configured: str) -> DeclaredMlflow:
    """The releases ``module`` runs on (``configured``: the option, empty when unset);
    computed once per module."""
    cached = module.memo_get(_TARGET)
    if cached is not None:
        return cached
    if configured:
        found = exactly(configured)
    else:
        project = module.project
        declared = (
            _notebook_pin(module)
            or _component_pin(module)
            or (project.declared_mlflow(module.path) if project is not None else None)
        )
        found = declared if declared is not None else exactly(api.table().mlflow_version)
    return module.memo_set(_TARGET, found)


def exactly(version: str) -> DeclaredMlflow:
    """One release, named as written (the option, or the table's release)."""
    return DeclaredMlflow(release(version), release(version), True, version, "")


def _notebook_pin(module: AnalysedModule) -> DeclaredMlflow | None:
    """A notebook's own ``%pip install mlflow==X``. The analysed text of a notebook has its
    magics neutralised (``# MAGIC %pip`` of a Databricks source, ``%pip`` cells of an
    .ipynb), so the file is read."""
    try:
        with open(module.path, "rb") as handle:
            text = handle.read(_MAX_NOTEBOOK_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    # The pattern needs "%pip" or "!pip": most files that say "pip" say "pipeline".
    return pinned_in_notebook(text) if "%pip" in text or "!pip" in text else None


def _component_pin(module: AnalysedModule) -> DeclaredMlflow | None:
    """The MLflow release a Kubeflow Pipelines component installs for itself, which wins
    over the project's: ``@dsl.component(packages_to_install=["mlflow~=2.4.1"])`` (also
    ``kfp.v2``'s, and ``create_component_from_func(f, packages_to_install=[...])``), the
    call resolved to KFP through the module's imports."""
    model = module.model
    for call in model.calls_named(_KFP_COMPONENT_MAKERS):
        name = model.qualified_name(call.func) or ""
        if not name.startswith("kfp."):
            continue
        for keyword in call.keywords:
            if keyword.arg == "packages_to_install" and isinstance(keyword.value, (ast.List, ast.Tuple)):
                items = [e.value for e in keyword.value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                found = from_requirement_lines(items, "its component's packages_to_install")
                if found is not None:
                    return found
    return None


_KFP_COMPONENT_MAKERS = frozenset({"component", "create_component_from_func", "func_to_container_op"})
