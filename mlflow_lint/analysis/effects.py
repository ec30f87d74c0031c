"""What a block of code does to the active run: tags it sets, inputs and models it logs.

Calls to project functions count transitively, in any module of the project: a helper
``tag_lineage()`` in ``src/utils/mlflow_meta.py`` that calls ``mlflow.set_tags`` gives its
tags to every run that calls it. Effects of a function are computed once and cached on
the module that defines it, so a finding never depends on which files were named.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from mlflow_lint.analysis import api
from mlflow_lint.analysis.annotations import annotated_class
from mlflow_lint.analysis.calls import argument, has_unpacked_keywords
from mlflow_lint.analysis.definitions import class_bases, project_class, project_definition
from mlflow_lint.analysis.genai import logs_code_only_model, logs_genai_model, logs_pretrained_checkpoint
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.module import AnalysedModule

_MAX_DEPTH = 8
SET_TAG = frozenset({"mlflow.set_tag"})
SET_TAGS = frozenset({"mlflow.set_tags"})
CLIENT_SET_TAG = f"{api.MLFLOW_CLIENT}.set_tag"
LOG_INPUT = frozenset(
    {"mlflow.log_input", "mlflow.log_inputs", f"{api.MLFLOW_CLIENT}.log_inputs", f"{api.MLFLOW_CLIENT}.log_input"}
)
START_RUN = "mlflow.start_run"
CREATE_RUN = f"{api.MLFLOW_CLIENT}.create_run"


@dataclass(frozen=True)
class TagKeys:
    """Tag keys a piece of code sets; ``unknown`` when some keys cannot be known."""

    keys: frozenset[str] = frozenset()
    unknown: bool = False

    def __or__(self, other: TagKeys) -> TagKeys:
        return TagKeys(self.keys | other.keys, self.unknown or other.unknown)

    @property
    def any(self) -> bool:
        return bool(self.keys) or self.unknown


# What a piece of code does to the run besides tagging it (members of ``Effects.does``).
LOGS_INPUT = "logs_input"  # logs an input dataset
LOGS_MODEL = "logs_model"  # logs a model of any kind
LOGS_FITTED_MODEL = "logs_fitted_model"  # logs a model fitted on data (not a GenAI model, see genai.py)
REGISTERS_MODEL = "registers_model"  # registers a model version


@dataclass(frozen=True)
class Effects:
    tags: TagKeys = TagKeys()
    does: frozenset[str] = frozenset()

    def __or__(self, other: Effects) -> Effects:
        return Effects(self.tags | other.tags, self.does | other.does)

    @property
    def logs_input(self) -> bool:
        return LOGS_INPUT in self.does

    @property
    def logs_model(self) -> bool:
        return LOGS_MODEL in self.does

    @property
    def logs_fitted_model(self) -> bool:
        return LOGS_FITTED_MODEL in self.does

    @property
    def trains_model(self) -> bool:
        """A training run (MLF501's default mode): it logs or registers a model."""
        return bool(self.does & {LOGS_MODEL, REGISTERS_MODEL})


NO_EFFECTS = Effects()


def _union(parts: Iterable[Effects]) -> Effects:
    """All ``parts`` together, as ``a | b | ...`` gives them. Folding with ``|`` copies
    every key gathered so far into a new frozenset at each step: a run with N
    ``set_tag`` calls cost N² (50k calls: almost a minute); one set is filled instead."""
    keys: set[str] = set()
    does: set[str] = set()
    unknown = False
    for part in parts:
        keys.update(part.tags.keys)
        does.update(part.does)
        unknown = unknown or part.tags.unknown
    return Effects(TagKeys(frozenset(keys), unknown), frozenset(does))


def _tag_keys_union(parts: Iterable[TagKeys]) -> TagKeys:
    """All ``parts`` together (``a | b | ...``), filling one set (see ``_union``)."""
    keys: set[str] = set()
    unknown = False
    for part in parts:
        keys.update(part.keys)
        unknown = unknown or part.unknown
    return TagKeys(frozenset(keys), unknown)


def tag_keys_of(module: AnalysedModule, expr: ast.AST | None, depth: int = 0) -> TagKeys:
    """Keys of a tags mapping: dict literals, ``{**BASE, ...}``, ``dict(...)``, constants."""
    if expr is None:
        return TagKeys()
    if depth > _MAX_DEPTH:
        return TagKeys(unknown=True)
    if isinstance(expr, ast.Constant) and expr.value is None:
        return TagKeys()
    if isinstance(expr, ast.Dict):
        return _tag_keys_union(_dict_keys(module, expr, depth))
    if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.BitOr):
        return tag_keys_of(module, expr.left, depth + 1) | tag_keys_of(module, expr.right, depth + 1)
    if isinstance(expr, ast.Call) and module.model.qualified_name(expr.func) == "dict":
        parts = [TagKeys(unknown=has_unpacked_keywords(expr))]
        parts.extend(tag_keys_of(module, arg, depth + 1) for arg in expr.args)
        parts.append(TagKeys(frozenset(kw.arg for kw in expr.keywords if kw.arg)))
        return _tag_keys_union(parts)
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        if binding is not None and binding.kind == "assign" and binding.value is not None:
            return tag_keys_of(module, binding.value, depth + 1)
        if binding is not None and binding.kind == "import" and binding.qualified_name and module.project:
            found = module.project.resolve_constant(module.path, binding.qualified_name)
            if found is not None:
                return tag_keys_of(found[0], found[1], depth + 1)
        return TagKeys(unknown=True)
    if isinstance(expr, ast.Attribute) and module.project is not None:
        raw = module.model._raw_qualified_name(expr, 0)
        if raw is not None:
            found = module.project.resolve_constant(module.path, raw)
            if found is not None:
                return tag_keys_of(found[0], found[1], depth + 1)
    return TagKeys(unknown=True)


def _dict_keys(module: AnalysedModule, expr: ast.Dict, depth: int) -> Iterator[TagKeys]:
    for key, value in zip(expr.keys, expr.values, strict=True):
        if key is None:  # {**other}
            yield tag_keys_of(module, value, depth + 1)
            continue
        values = module.values.evaluate(key)
        if len(values) == 1 and values[0].complete:
            yield TagKeys(frozenset({values[0].text}))
        else:
            yield TagKeys(unknown=True)


def calls_in(nodes: Iterable[ast.AST], module: AnalysedModule) -> Iterator[ast.Call]:
    """Calls executed by ``nodes``, not descending into nested definitions or nested runs."""
    stack = list(nodes)[::-1]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        if isinstance(node, (ast.With, ast.AsyncWith)) and _opens_run(module, node):
            continue
        if isinstance(node, ast.Call):
            yield node
        stack.extend(reversed(list(ast.iter_child_nodes(node))))


def _opens_run(module: AnalysedModule, node: ast.With | ast.AsyncWith) -> bool:
    return any(
        isinstance(item.context_expr, ast.Call) and module.model.callee(item.context_expr) == START_RUN
        for item in node.items
    )


def effects_of(module: AnalysedModule, nodes: Iterable[ast.AST], depth: int = 0) -> Effects:
    """Effects of executing ``nodes`` (statements of a run body), nested runs excluded."""
    return _union(_call_effects(module, call, depth) for call in calls_in(nodes, module))


def _call_effects(module: AnalysedModule, call: ast.Call, depth: int) -> Effects:
    callee = module.model.callee(call)
    if callee is not None:
        if callee in SET_TAG or callee == CLIENT_SET_TAG:
            return Effects(tags=_single_key(module, api.argument_of(call, callee, "key")))
        if callee in SET_TAGS:
            return Effects(tags=tag_keys_of(module, api.argument_of(call, callee, "tags")))
        if callee in LOG_INPUT:
            return Effects(does=frozenset({LOGS_INPUT}))
        if callee in ("mlflow.evaluate", "mlflow.models.evaluate") and api.argument_of(call, callee, "data") is not None:
            return Effects(does=frozenset({LOGS_INPUT}))  # evaluate logs its evaluation dataset as an input
        if callee in ("mlflow.log_metric", "mlflow.log_metrics") and api.argument_of(call, callee, "dataset") is not None:
            # MLflow 3 logs a metric's dataset as an input of the active run
            # (fluent._log_inputs_for_metrics_if_necessary).
            return Effects(does=frozenset({LOGS_INPUT}))
        flavor = api.flavor_of_log_model(callee)
        if flavor is not None:
            return Effects(does=_model_logging(module, call, flavor))
        if callee in api.REGISTER_MODEL:
            return Effects(does=frozenset({REGISTERS_MODEL}))
        if callee.startswith("mlflow."):
            return NO_EFFECTS
    target = resolve_called_function(module, call)
    if target is None:
        return NO_EFFECTS
    return function_effects(*target, depth=depth + 1)


def _model_logging(module: AnalysedModule, call: ast.Call, flavor: str) -> frozenset[str]:
    does = {LOGS_MODEL}
    if not (logs_genai_model(module, call, flavor) or logs_pretrained_checkpoint(module, call, flavor) or logs_code_only_model(module, call, flavor)):
        does.add(LOGS_FITTED_MODEL)
    registered = argument(call, None, "registered_model_name")
    if registered is not None and not (isinstance(registered, ast.Constant) and registered.value is None):
        does.add(REGISTERS_MODEL)
    return frozenset(does)


def _single_key(module: AnalysedModule, key: ast.expr | None) -> TagKeys:
    values = module.values.evaluate(key) if key is not None else ()
    if len(values) == 1 and values[0].complete:
        return TagKeys(frozenset({values[0].text}))
    return TagKeys(unknown=True)


_FUNCTION_EFFECTS: MemoKey[dict[ast.AST, Effects]] = MemoKey("function_effects")


def function_effects(
    module: AnalysedModule, function: ast.FunctionDef | ast.AsyncFunctionDef, depth: int = 0
) -> Effects:
    """Effects of calling a project function (cached per function; recursion-safe)."""
    if depth > _MAX_DEPTH:
        return NO_EFFECTS
    cache = module.memo_table(_FUNCTION_EFFECTS)
    cached = cache.get(function)
    if cached is not None:
        return cached
    cache[function] = NO_EFFECTS  # while it is computed: recursion adds nothing
    # A run the function opens itself (``with mlflow.start_run():``) is its own: inside the
    # caller's run MLflow refuses it, or opens a child run with nested=True; what is logged
    # there is not the caller's run's (that run is judged on its own).
    result = _union(_call_effects(module, call, depth) for call in calls_in(function.body, module))
    cache[function] = result
    return result


def resolve_called_function(
    module: AnalysedModule, call: ast.Call
) -> tuple[AnalysedModule, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """The project function ``call`` calls: same module, imported, a method of ``self``, a
    method of an instance of a project class (``Service().run(...)``, ``svc.run(...)``
    with ``svc = Service(...)``), or one called on the class (``Builder.build(...)``)."""
    func = call.func
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name):
        cls = module.model._class_of_self(func.value)
        if cls is not None:
            return _method(module, cls, func.attr)
    if isinstance(func, ast.Attribute):
        instance = func.value
        cls_expr: ast.expr | None = None
        if isinstance(instance, ast.Attribute) and isinstance(instance.value, ast.Name):
            owner = module.model._class_of_self(instance.value)
            if owner is not None:  # self.registry.promote(...) with self.registry = Registry(...)
                cls_expr = _attribute_class(module, owner, instance.attr)
        if isinstance(instance, ast.Name):
            binding = module.model.lookup(instance.id, instance)
            if binding is not None and binding.kind == "assign" and isinstance(binding.value, ast.Call):
                instance = binding.value
            elif binding is not None and binding.kind == "param" and binding.annotation is not None:
                cls_expr = annotated_class(binding.annotation)  # def run(registry: ModelRegistry)
        if isinstance(instance, ast.Call):
            cls_expr = instance.func
        if cls_expr is not None:
            instantiated = project_class(module, cls_expr)
            if instantiated is not None:
                return _method(*instantiated, func.attr)
        defining = project_class(module, func.value)  # Builder.log_model(...): a static or class method
        if defining is not None:
            return _method(*defining, func.attr)
    found = project_definition(module, func)
    if found is None or not isinstance(found[1].node, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    return found[0], found[1].node


def resolve_initializer(
    module: AnalysedModule, call: ast.Call
) -> tuple[AnalysedModule, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """The ``__init__`` a call of a project class runs (``Selector(uri)``: its own, else
    the one a project base class defines); None for any other call."""
    found = project_class(module, call.func)
    return class_initializer(*found) if found is not None else None


def class_initializer(
    module: AnalysedModule, cls: ast.ClassDef
) -> tuple[AnalysedModule, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """The ``__init__`` an object of the project class ``cls`` runs when it is made: its
    own, else the one a project base class defines."""
    return _method(module, cls, "__init__")


_ATTRIBUTE_CLASSES: MemoKey[dict[tuple[ast.ClassDef, str], ast.expr | None]] = MemoKey("attribute_classes")


def _attribute_class(module: AnalysedModule, cls: ast.ClassDef, attr: str) -> ast.expr | None:
    """The class every ``self.<attr> = ...`` of ``cls``'s methods constructs (``None`` values
    aside: an attribute set in ``__init__`` before it is known), or that an annotation of
    the attribute names (``registry: Registry``); None when they disagree or are not known.
    Once per class and attribute: each call through it asks."""
    known = module.memo_table(_ATTRIBUTE_CLASSES)
    key = (cls, attr)
    if key not in known:
        known[key] = _find_attribute_class(module, cls, attr)
    return known[key]


def _find_attribute_class(module: AnalysedModule, cls: ast.ClassDef, attr: str) -> ast.expr | None:
    constructed: list[ast.expr] = []
    for value in module.model.attribute_values(cls, attr):
        if not isinstance(value, ast.Call):
            return None
        constructed.append(value.func)
    scope = module.model.scopes.get(cls)
    for binding in scope.bindings.get(attr, []) if scope else []:
        if binding.annotation is not None:
            annotated = annotated_class(binding.annotation)
            if annotated is not None:
                constructed.append(annotated)
    names = {ast.dump(expr) for expr in constructed}
    return constructed[0] if len(names) == 1 else None


_MAX_BASES = 4  # levels of project base classes followed for an inherited method


def _method(
    module: AnalysedModule, cls: ast.ClassDef, name: str, depth: int = 0
) -> tuple[AnalysedModule, ast.FunctionDef | ast.AsyncFunctionDef] | None:
    """The method ``name`` of a project class: its own, else the first a project base class
    defines (in base order, as Python's MRO finds it for single inheritance chains)."""
    scope = module.model.scopes.get(cls)
    for binding in scope.bindings.get(name, []) if scope else []:
        if binding.kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return module, binding.node
    if depth >= _MAX_BASES:
        return None
    for base in class_bases(cls):
        found = project_class(module, base)
        if found is not None and found[1] is not cls:
            inherited = _method(*found, name, depth + 1)
            if inherited is not None:
                return inherited
    return None
