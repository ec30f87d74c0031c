"""Whether a registry promotion is gated: the questions MLF402 asks, asked in one place.

A promotion (``analysis.promotions``) of a protected target is accepted when a metric gate
is on its way (``GateAnalysis``, which also asks the callers of the function around it in
the project's other modules), when a gated comparison chose the target, in the first-model
branch, in a gate module, or in a Databricks bundle task that runs only after a validation
task. MLF402 reports what none of these accepts; the audit's gate column names which one
did. Both read this module, so the finding and the column cannot tell different stories.
"""

from __future__ import annotations

import ast
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from mlflow_lint.analysis import api
from mlflow_lint.analysis.callers import CallerScope, callers_elsewhere
from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.flow import function_of_parameter
from mlflow_lint.analysis.gates import GateAnalysis, gate_analysis
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.promotions import (
    ALIAS_CALLS,
    MODEL_COPIES,
    STAGE_ARGUMENT,
    STAGE_TRANSITION,
    STAGE_VERSION_ARGUMENT,
    protected_model,
)
from mlflow_lint.analysis.uris import parse_prompts_uri
from mlflow_lint.analysis.values import StrValue

if TYPE_CHECKING:
    from mlflow_lint.config import RuleOptions

Values = Callable[[ast.expr], Iterable[StrValue]]


@dataclass(frozen=True)
class Promotion:
    """A call that moves or removes an alias, enters a stage or copies a version into a model."""

    target: ast.expr  # the argument that names the alias, the stage or the destination model
    kind: Literal["alias", "stage", "model"]
    protected: str | None  # the protected alias or model, as written; None: not a protected one
    verb: str  # "moves", "removes", "copies"

    @property
    def action(self) -> str:
        """What the call does to production, for MLF402's message."""
        if self.kind == "model":
            return f"copies a model version into the protected model '{self.protected}'"
        what = "a version into the stage" if self.kind == "stage" else "the protected alias"
        return f"{self.verb} {what} '{self.protected}'"


def promotion(call: ast.Call, callee: str, values: Values, options: RuleOptions) -> Promotion | None:
    """``call`` (to ``callee``) as a promotion, protected or not; None when it is none or its
    target argument is not given. ``values``: what an expression may hold (the evaluator
    of the module, or of the call of the value flow it is analysed under)."""
    alias_call = ALIAS_CALLS.get(callee)
    if alias_call is not None:
        expr = argument(call, *alias_call.alias)
        verb = "moves" if alias_call.version is not None else "removes"
        return _alias(expr, values, set(options.protected_aliases), "alias", verb)
    if callee == STAGE_TRANSITION:
        return _alias(argument(call, *STAGE_ARGUMENT), values, {"production"}, "stage", "moves")
    destination = MODEL_COPIES.get(callee)
    if destination is not None:
        expr = argument(call, *destination)
        if expr is None:
            return None
        return Promotion(expr, "model", protected_model(values(expr), options.protected_models), "copies")
    return None


def _alias(expr: ast.expr | None, values: Values, protected: set[str], kind: Literal["alias", "stage"], verb: str) -> Promotion | None:
    if expr is None:
        return None
    found = next((v.text.strip() for v in values(expr) if v.complete and v.text.strip().lower() in protected), None)
    return Promotion(expr, kind, found, verb)


def gates_of(module: AnalysedModule, options: RuleOptions) -> GateAnalysis:
    """The module's gate analysis (one for the module as written, whatever call of its
    functions the value flow binds), which also asks a function's callers in the project's
    other modules (``analysis.callers``), in the configuration's scope."""
    return gate_analysis(module, options.gate_functions, functools.partial(callers_elsewhere, scope=CallerScope.of(options)))


def chosen_by_a_gate(module: AnalysedModule, expr: ast.expr, options: RuleOptions) -> bool:
    """The protected value is picked by a gated conditional (``alias = "champion" if new >
    old else "challenger"``): here, or, for a parameter under a call of the value flow, where
    that call passes it (``register(..., alias=alias)`` after such a choice)."""
    if gates_of(module, options).choosing_test(expr) is not None:
        return True
    frame = module.frame
    written = module.model.assigned_value(expr, 4)
    if frame is None or not isinstance(written, ast.Name):
        return False
    binding = module.model.lookup(written.id, written)
    if binding is None or binding.kind != "param" or function_of_parameter(module, binding) is not frame.function:
        return False
    passed = frame.arguments.get(written.id)
    return passed is not None and chosen_by_a_gate(frame.caller, passed, options)


def in_gate_module(relative_path: str, options: RuleOptions) -> bool:
    """The file (its path relative to the configuration's directory) matches ``gate-modules``:
    code that runs only after validation (a job's deploy task, say)."""
    if not options.gate_modules:
        return False
    from mlflow_lint.discovery import gitignore_spec  # compiled once per setting

    return gitignore_spec(options.gate_modules).match(relative_path)


def validation_upstream(module: AnalysedModule, options: RuleOptions) -> str | None:
    """When the file is a task of a Databricks bundle job that runs only after a task whose
    file fails unless the candidate passes a gate (``promotion`` depends on ``validation``,
    which asserts ``new_accuracy >= champion_accuracy``): that file's name; else None."""
    project = module.project
    if project is None or project.root is None:
        return None
    for path in project.bundle_of(module.path).upstream_files(str(module.path)):
        upstream = project.module_at(Path(path))
        if upstream is not None and gates_of(upstream, options).validates():
            return Path(path).name
    return None


# A rollback says so in its name: ``rollback_release``, ``execute_rollback``, ``RollbackManager``,
# ``revert_champion``, ``rollback_executor.py``.
_ROLLBACK_NAME = re.compile(r"roll_?back|(?:^|_)revert", re.IGNORECASE)


def in_rollback(module: AnalysedModule, call: ast.Call) -> bool:
    """``call`` restores a version promoted before: it is in a function, method or class
    whose name says rollback, or it is a script's own code (outside any function) in a file
    whose name does; and it does not remove the alias (which leaves production with no
    version at all: no way back). A function in a file named so is judged by its own name:
    a helper of ``rollback_utils.py`` may be called to promote too."""
    row = ALIAS_CALLS.get(module.model.callee(call) or "")
    if row is not None and row.version is None:
        return False
    names = [node.name for node in module.model.ancestors(call) if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    return any(_ROLLBACK_NAME.search(name) for name in names or [module.path.stem])


# What reads the version an alias or a stage holds now, and where it takes the alias or stages.
_ALIAS_READ = f"{api.MLFLOW_CLIENT}.get_model_version_by_alias"
_PROMPT_ALIAS_READ = f"{api.MLFLOW_CLIENT}.get_prompt_version_by_alias"
# A prompt loaded by its alias URI (``load_prompt("prompts:/support@production")``) is the
# version the alias holds, as MLflow resolves it (mlflow/genai/prompts/__init__.py).
_PROMPT_LOADS = frozenset({"mlflow.genai.load_prompt", "mlflow.load_prompt", f"{api.MLFLOW_CLIENT}.load_prompt"})
_STAGE_READ = f"{api.MLFLOW_CLIENT}.get_latest_versions"
_READ_DEPTH = 4


def reasserts_current(module: AnalysedModule, call: ast.Call, values: Values) -> bool:
    """The version the call sets is the one its alias or stage holds now, read from that
    very alias or stage (``current = get_model_version_by_alias(name, "champion")`` then
    ``set_registered_model_alias(name, "champion", current.version)``; ``get_latest_versions(
    name, stages=["Production"])[0].version`` back into Production): nothing new reaches
    production. A version found any other way (``search_model_versions``) is not."""
    callee = module.model.callee(call) or ""
    row = ALIAS_CALLS.get(callee)
    if row is not None and row.version is not None:
        read, target = (_PROMPT_ALIAS_READ if row.registry == "prompt" else _ALIAS_READ), argument(call, *row.alias)
        version = argument(call, *row.version)
    elif callee == STAGE_TRANSITION:
        read, target = _STAGE_READ, argument(call, *STAGE_ARGUMENT)
        version = argument(call, *STAGE_VERSION_ARGUMENT)
    else:
        return False
    if target is None or not isinstance(version, ast.Attribute) or version.attr != "version":
        return False
    wanted = {v.text.strip().lower() for v in values(target) if v.complete}
    if len(wanted) != 1:
        return False
    holders = [
        inner
        for held in _values_of(module, version.value, _READ_DEPTH)
        for inner in (_values_of(module, held.value, _READ_DEPTH) if isinstance(held, ast.Subscript) else [held])
    ]  # a version, or an item of a list of them: get_latest_versions(...)[0]
    return bool(holders) and all(_reads_from(module, holder, read, values) == wanted for holder in holders)


def _values_of(module: AnalysedModule, expr: ast.expr, depth: int) -> list[ast.expr]:
    """What ``expr`` may hold: for a name, the value of every assignment that reaches it
    (none when one of them is not a plain assignment), followed ``depth`` names deep."""
    if not isinstance(expr, ast.Name) or depth <= 0:
        return [expr]
    bindings = module.model.bindings_reaching(expr.id, expr)
    if not bindings or any(b.kind != "assign" or b.value is None for b in bindings):
        return []
    return [found for b in bindings if b.value is not None for found in _values_of(module, b.value, depth - 1)]


def _reads_from(module: AnalysedModule, holder: ast.expr, read: str, values: Values) -> set[str]:
    """The alias (or the stages) ``holder``, a call of ``read``, reads the version from."""
    if not isinstance(holder, ast.Call):
        return set()
    callee = module.model.callee(holder)
    if read == _PROMPT_ALIAS_READ and callee in _PROMPT_LOADS:
        uri = api.argument_of(holder, callee, "name_or_uri")
        if uri is None or api.argument_of(holder, callee, "version") is not None:
            return set()
        # As MLflow reads the URI (analysis.uris): an alias only, never a version.
        parsed = [parse_prompts_uri(value) for value in values(uri)]
        aliases = {found.reference.lower() for found in parsed if found.kind == "alias" and found.reference}
        return aliases if parsed and all(found.kind == "alias" for found in parsed) else set()
    if callee != read:
        return set()
    if read in (_ALIAS_READ, _PROMPT_ALIAS_READ):
        where = api.argument_of(holder, read, "alias")
        return {v.text.strip().lower() for v in values(where) if v.complete} if where is not None else set()
    stages = api.argument_of(holder, read, "stages")
    elements = stages.elts if isinstance(stages, (ast.List, ast.Tuple)) else []
    found = [{v.text.strip().lower() for v in values(element) if v.complete} for element in elements]
    return set().union(*found) if found and all(len(each) == 1 for each in found) else set()


def exemption(module: AnalysedModule, call: ast.Call, relative_path: str, options: RuleOptions) -> str | None:
    """Why MLF402 accepts a promotion with no gate on its way, if it does: the first model
    (no current champion to compare with), a rollback, the version already there, a gate
    module, or a job task after validation."""
    if gates_of(module, options).is_bootstrap(call):
        return "first model (no current champion to compare with)"
    if in_rollback(module, call):
        return "rollback (restores a version promoted before)"
    if reasserts_current(module, call, module.values.evaluate):
        return "the version it already holds (read from the same alias or stage)"
    if in_gate_module(relative_path, options):
        return "gate module (gate-modules: runs only after validation)"
    validation = validation_upstream(module, options)
    if validation is not None:
        return f"job task after the validation in {validation}"
    return None
