"""Objects of the project's own classes, and what their fields hold.

``settings = Settings()`` (in this module or another of the project), ``Settings()``
itself, or a parameter annotated ``Settings`` holds an object of the project class
``Settings``; ``settings.tracking_uri`` then holds:

- the keyword of that very constructor call that sets the field
  (``Settings(tracking_uri="http://...")``: dataclasses, pydantic models and settings take
  their fields as keywords);
- else the class-level default (``tracking_uri: str = "./mlruns"``, ``tracking_uri =
  "./mlruns"``, ``field(default="./mlruns")``), looked up through the class's project base
  classes in method resolution order;
- else nothing: unknown, as is a property, a method, a field without a default, and a field
  the class does not define.

A parameter annotated with the class holds its defaults (policy, as for
``os.environ.get("X", default)``: a default is the value when nothing overrides it; a
pydantic ``BaseSettings`` takes its overrides from the environment). Values are evaluated
by analysis.values; this module only finds the expression that gives the field its value.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mlflow_lint.analysis import flow
from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.definitions import class_bases, project_class, project_definition
from mlflow_lint.analysis.effects import annotated_class, resolve_initializer
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.semantic import Binding

_MAX_DEPTH = 16  # as analysis.values: the steps from a name to the call that made its object
_MAX_CLASSES = 8  # a class and its project bases: configuration hierarchies are shallow
# Field declarations that carry a default, with the position it may also be passed at
# (None: by keyword only). ``default_factory=`` is not a default we can read.
_FIELD_DECLARATIONS: dict[str, int | None] = {
    "dataclasses.field": None,
    "pydantic.Field": 0,
    "pydantic.fields.Field": 0,
    "sqlmodel.Field": 0,
    "attr.ib": None,
    "attr.attrib": None,
    "attr.field": None,
    "attrs.field": None,
}
# Methods that run when the object is made: an attribute one of them assigns is the
# constructor's, whatever the class body says.
_INITIALISERS = frozenset({"__init__", "__post_init__", "model_post_init", "__attrs_post_init__"})


@dataclass(frozen=True)
class Instance:
    """An object of the project class ``cls`` (defined in ``module``), made by ``call``
    (written in ``caller``) when that call is known; with no call, the class's defaults."""

    module: AnalysedModule
    cls: ast.ClassDef
    call: ast.Call | None = None
    caller: AnalysedModule | None = None


@dataclass(frozen=True)
class FieldSource:
    """The expression that gives a field its value, the module to evaluate it in, and how
    it was reached (for messages: ``the default of Settings.tracking_uri``)."""

    module: AnalysedModule
    expr: ast.expr
    via: str


def instance_of(module: AnalysedModule, expr: ast.AST, depth: int = 0) -> Instance | None:
    """The object of a project class ``expr`` holds: a call of the class, a name assigned
    one (here, or a variable of another project module), or a parameter that a frame binds
    to one or that is annotated with the class. None for anything else (MLflow's classes
    and other libraries' are not project classes)."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, ast.Call):
        found = project_class(module, expr.func)
        return Instance(found[0], found[1], expr, module) if found is not None else None
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        if binding is None:
            return None
        if binding.kind == "assign" and binding.value is not None:
            return instance_of(module, binding.value, depth + 1)
        if binding.kind == "param":
            return _parameter_instance(module, binding, depth + 1)
        if binding.kind == "import":
            return _variable_instance(module, expr, depth + 1)
        return None
    if isinstance(expr, ast.Attribute):  # ``config.settings``: a variable of a project module
        return _variable_instance(module, expr, depth + 1)
    return None


def _variable_instance(module: AnalysedModule, expr: ast.Name | ast.Attribute, depth: int) -> Instance | None:
    """What a module-level variable of another project module holds (``from churn.config
    import settings`` where ``config.py`` does ``settings = Settings()``)."""
    found = project_definition(module, expr)
    if found is None or found[1].kind != "assign" or found[1].value is None:
        return None
    return instance_of(found[0], found[1].value, depth + 1)


def _parameter_instance(module: AnalysedModule, binding: Binding, depth: int) -> Instance | None:
    """A parameter: the object the call under analysis passes (analysis.flow); else, when
    it is annotated with a project class, that class's defaults, or the object its default
    makes when that is of the same class (``cfg: Settings = Settings(uri=...)``)."""
    found = flow.frame_argument(module, binding)
    if found is not None:
        frame, passed = found
        return instance_of(frame.caller, passed, depth + 1)
    parameter = binding.node
    if flow.parameter_unknown(module, binding) or not isinstance(parameter, ast.arg) or parameter.annotation is None:
        return None
    named = annotated_class(parameter.annotation)
    annotated = project_class(module, named) if named is not None else None
    if annotated is None:
        return None
    function = flow.function_of_parameter(module, binding)
    default = flow.parameter_default(function, parameter) if function is not None else None
    made = instance_of(module, default, depth + 1) if default is not None else None
    if made is not None and made.cls is annotated[1]:
        return made
    return Instance(annotated[0], annotated[1])


def field_source(instance: Instance, attr: str) -> FieldSource | None:
    """Where the field ``attr`` of ``instance`` gets its value (see the module docstring);
    None when it cannot be known."""
    lineage = class_lineage(instance.module, instance.cls)
    call = instance.call
    if call is not None and (call.args or call.keywords):
        if instance.caller is None or resolve_initializer(instance.caller, call) is not None:
            return None  # the project's own __init__ decides what its arguments set
        keyword = next((k for k in call.keywords if k.arg == attr), None)
        if keyword is not None:
            return FieldSource(instance.caller, keyword.value, f"{ast.unparse(call.func)}({attr}=...)")
        if call.args or any(k.arg is None for k in call.keywords):
            return None  # set positionally, or by an unpacked mapping: unknown
    if any(_initialised(module, cls, attr) for module, cls in lineage):
        return None
    for module, cls in lineage:
        scope = module.model.scopes.get(cls)
        bindings = scope.bindings.get(attr, []) if scope is not None else []
        if bindings:
            return _class_default(module, cls, attr, bindings)
    return None


def _class_default(module: AnalysedModule, cls: ast.ClassDef, attr: str, bindings: list[Binding]) -> FieldSource | None:
    """The default the class body that binds ``attr`` gives it: one assignment (annotated
    or not, a field declaration's ``default``). A method, a property, a nested class, an
    annotation alone (a required field) or several assignments: unknown."""
    if any(b.kind not in ("assign", "annotation") for b in bindings):
        return None
    assigned = [b.value for b in bindings if b.kind == "assign" and b.value is not None]
    if len(assigned) != 1:
        return None
    value: ast.expr | None = assigned[0]
    if isinstance(value, ast.Call):
        name = module.model.qualified_name(value.func)
        if name in _FIELD_DECLARATIONS:
            value = argument(value, _FIELD_DECLARATIONS[name], "default")
    if value is None:
        return None
    return FieldSource(module, value, f"the default of {cls.name}.{attr}")


def class_lineage(module: AnalysedModule, cls: ast.ClassDef) -> list[tuple[AnalysedModule, ast.ClassDef]]:
    """The class and its project base classes in method resolution order, depth first and
    left to right (exact for the single and simple multiple inheritance of configuration
    classes), each once. Bases outside the project (``BaseSettings``) are not followed."""
    lineage: list[tuple[AnalysedModule, ast.ClassDef]] = []
    pending = [(module, cls)]
    while pending and len(lineage) < _MAX_CLASSES:
        current = pending.pop(0)
        if any(current[1] is known for _, known in lineage):
            continue
        lineage.append(current)
        bases = [project_class(current[0], base) for base in class_bases(current[1])]
        pending[:0] = [base for base in bases if base is not None]
    return lineage


def _initialised(module: AnalysedModule, cls: ast.ClassDef, attr: str) -> bool:
    """Whether a method that runs when the object is made assigns ``self.<attr>``."""
    return any(
        isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)) and method.name in _INITIALISERS
        for _value, method in module.model.instance_attributes.get(cls, {}).get(attr, [])
    )
