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

A call of a project function or method (a factory: ``get_settings()``, ``Config.from_env()``,
found as analysis.effects resolves any call; decorators such as ``functools.lru_cache`` do
not change what it returns) holds what its ``return`` statements make, when each of them
makes an object of one project class: ``return Settings()``, ``return cls()`` in a class
method (the class it is called on), a name assigned one; several returns are alternatives.
An object built from what the analysis does not read has no known field: ``Settings(**kw)``,
``Settings.model_validate(data)`` (a method the project does not define, called on the class
or an object of it), a local object the factory changes (``s.uri = ...``, ``setattr(s,
...)``). When some returns cannot be read at all (``return _CACHE["settings"]``), the return
annotation decides: the class it names, with its defaults, as for an annotated parameter.
Unknown: returns of different classes, a ``return None``, more than four returns, a
generator, a coroutine, a recursive call. The factory's arguments are bound to its
parameters (analysis.flow), as for a string it returns.

``self.settings`` holds what the class (or a project base class) assigns it, when that is
one value (``self.settings = get_settings()`` in ``__init__``, or a class-level default;
``None`` placeholders aside), and ``obj.sub`` the object the field ``sub`` of ``obj`` holds
(its keyword, its default, or ``Field(default_factory=Sub)``: ``Sub``'s defaults).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, replace

from mlflow_lint.analysis import flow
from mlflow_lint.analysis.annotations import annotated_class
from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.definitions import class_bases, project_class, project_definition
from mlflow_lint.analysis.effects import class_initializer, resolve_called_function
from mlflow_lint.analysis.limits import MAX_CALL_LEVELS
from mlflow_lint.analysis.memo import MemoKey, SyntaxKey
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.semantic import Binding

_MAX_DEPTH = 16  # as analysis.values: the steps from a name to the call that made its object
_MAX_CLASSES = 8  # a class and its project bases: configuration hierarchies are shallow
_MAX_RETURNS = 4  # as analysis.values reads a function's returns
_MAX_ALTERNATIVES = 8  # objects a value may be (a factory's returns, through nested factories)
# Field declarations that carry a default, with the position it may also be passed at
# (None: by keyword only). ``default_factory=`` is not a value we can read, only, when it is
# a project class, the object it makes (``Field(default_factory=Sub)``).
_FIELD_DECLARATIONS: dict[str, int | None] = {
    "dataclasses.field": None,
    "pydantic.Field": 0,
    "pydantic.fields.Field": 0,
    "pydantic.v1.Field": 0,
    "pydantic.v1.fields.Field": 0,
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
    (written in ``caller``) when that call is known; with no call, the class's defaults.
    ``opaque``: made from what the analysis does not read (no field is known).
    ``alternatives``: the other objects of the same class it may be (a factory's returns)."""

    module: AnalysedModule
    cls: ast.ClassDef
    call: ast.Call | None = None
    caller: AnalysedModule | None = None
    opaque: bool = False
    alternatives: tuple[Instance, ...] = ()


@dataclass(frozen=True)
class FieldSource:
    """The expression that gives a field its value, the module to evaluate it in, and how
    it was reached (for messages: ``the default of Settings.tracking_uri``). ``made``: the
    field holds what calling ``expr`` makes (``Field(default_factory=Sub)``), not ``expr``."""

    module: AnalysedModule
    expr: ast.expr
    via: str
    made: bool = False
    # A class-level default of a settings class that reads the environment first (pydantic's
    # BaseSettings): the default holds only when no variable sets the field, as the default
    # of ``os.environ.get("X", default)`` does.
    environment: bool = False


def instance_of(module: AnalysedModule, expr: ast.AST, depth: int = 0) -> Instance | None:
    """The object of a project class ``expr`` holds: a call of the class, a call of a
    project function that returns one, a name assigned one (here, or a variable of another
    project module), a parameter that a frame binds to one or that is annotated with the
    class, ``self.<attr>`` or ``obj.<field>`` holding one. None for anything else (MLflow's
    classes and other libraries' are not project classes)."""
    if depth > _MAX_DEPTH:
        return None
    if isinstance(expr, ast.Call):
        found = project_class(module, expr.func) or _class_of_cls(module, expr.func)
        if found is not None:
            return Instance(found[0].base, found[1], expr, module)
        return _returned_instance(module, expr, depth + 1)
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
    if isinstance(expr, ast.Attribute):
        # ``config.settings`` (a variable of a project module), ``self.settings``, ``cfg.sub``
        return (
            _variable_instance(module, expr, depth + 1)
            or _self_attribute_instance(module, expr, depth + 1)
            or _field_instance(module, expr, depth + 1)
        )
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
    return Instance(annotated[0].base, annotated[1])


def _class_of_cls(module: AnalysedModule, func: ast.expr) -> tuple[AnalysedModule, ast.ClassDef] | None:
    """The class ``cls`` denotes in a class method of a project class (``cls()``): the
    class that defines the method (analysis of the call may know a subclass instead)."""
    method = _classmethod_of(module, func)
    owner = module.model.parents.get(method) if method is not None else None
    return (module, owner) if isinstance(owner, ast.ClassDef) else None


def _classmethod_of(module: AnalysedModule, func: ast.expr) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
    """The class method whose first parameter (``cls``) the name ``func`` is."""
    if not isinstance(func, ast.Name):
        return None
    binding = module.model.lookup(func.id, func)
    if binding is None or binding.kind != "param":
        return None
    function = flow.function_of_parameter(module, binding)
    if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return None
    positional = [*function.args.posonlyargs, *function.args.args]
    decorators = {d.id if isinstance(d, ast.Name) else getattr(d, "attr", None) for d in function.decorator_list}
    return function if "classmethod" in decorators and positional and positional[0] is binding.node else None


@dataclass(frozen=True)
class _Returns:
    """What a function's own body says of its result: its ``return`` statements, whether
    it is a generator, and the local names it changes an attribute of (``s.uri = ...``,
    ``setattr(s, ...)``)."""

    returns: tuple[ast.Return, ...]
    generator: bool
    changed: frozenset[str]


_RETURNS: SyntaxKey[dict[ast.AST, _Returns]] = SyntaxKey("instance_returns")


def _function_returns(module: AnalysedModule, function: ast.FunctionDef | ast.AsyncFunctionDef) -> _Returns:
    table = module.syntax_table(_RETURNS)
    found = table.get(function)
    if found is None:
        returns: list[ast.Return] = []
        generator = False
        changed: set[str] = set()
        stack: list[ast.AST] = list(function.body)
        while stack:
            node = stack.pop()
            if isinstance(node, ast.Return):
                returns.append(node)
            elif isinstance(node, (ast.Yield, ast.YieldFrom)):
                generator = True
            elif isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                changed.update(t.value.id for t in targets if isinstance(t, ast.Attribute) and isinstance(t.value, ast.Name))
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "setattr":
                changed.update(a.id for a in node.args[:1] if isinstance(a, ast.Name))
            if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                stack.extend(ast.iter_child_nodes(node))
        found = table[function] = _Returns(tuple(sorted(returns, key=lambda r: (r.lineno, r.col_offset))), generator, frozenset(changed))
    return found


# (function, class it is called on, depth): the depth is part of the key, so that what is
# found never rests on which call asked first (as SemanticModel's return classes).
_RETURNED: MemoKey[dict[tuple[ast.AST, ast.ClassDef | None, int], Instance | None]] = MemoKey("returned_instances")


def _returned_instance(module: AnalysedModule, call: ast.Call, depth: int) -> Instance | None:
    """The object a call of a project function or method returns (see the module
    docstring); None when unknown. A call without arguments is read once per function
    (and class it is called on, and depth); a call with arguments is
    read with them bound to the function's parameters, through at most as many calls as
    the analysis follows values (analysis.limits), a recursive one not followed."""
    target = resolve_called_function(module, call)
    if target is None:
        return None
    defining, function = target
    if isinstance(function, ast.AsyncFunctionDef):
        return None  # a coroutine
    receiver = project_class(module, call.func.value) if isinstance(call.func, ast.Attribute) else None
    if not (call.args or call.keywords):
        # What it returns does not rest on the call: read in the module as written, once.
        table = defining.base.memo_table(_RETURNED)
        key = (function, receiver[1] if receiver is not None else None, depth)
        if key not in table:
            table[key] = _read_returns(defining.base, function, receiver, depth)
        return table[key]
    frame = module.frame
    if frame is not None and (frame.level >= MAX_CALL_LEVELS or any(f.function is function for f in frame.chain())):
        return None
    from mlflow_lint.analysis.call_frames import is_method_call  # (cycle-free at runtime)

    arguments, opaque = flow.bind_arguments(call, function, is_method_call(function, defining, call, module))
    bound = flow.bound_module(defining, flow.Frame(module, call, function, arguments, opaque, frame))
    return _read_returns(bound, function, receiver, depth)


def _read_returns(
    reading: AnalysedModule,
    function: ast.FunctionDef,
    receiver: tuple[AnalysedModule, ast.ClassDef] | None,
    depth: int,
) -> Instance | None:
    """The object every ``return`` of ``function`` makes, read in ``reading`` (its module,
    bound to a call's arguments or as written); ``receiver``: the class a class method is
    called on."""
    facts = _function_returns(reading, function)
    if facts.generator or not facts.returns or len(facts.returns) > _MAX_RETURNS:
        return None
    made: list[Instance] = []
    unread = False
    for node in facts.returns:
        value = node.value
        if value is None or (isinstance(value, ast.Constant) and value.value is None):
            return None  # it may return None
        found = instance_of(reading, value, depth + 1) or _library_made(reading, value, depth + 1)
        if found is None:
            unread = True
            continue
        if isinstance(value, ast.Name) and value.id in facts.changed:
            found = replace(found, opaque=True, alternatives=())
        if receiver is not None and found.call is not None and found.caller is reading and _classmethod_of(reading, found.call.func) is function:
            found = replace(found, module=receiver[0].base, cls=receiver[1])  # ``cls`` is the class it is called on
        made.append(found)
    if unread:
        named = annotated_class(function.returns) if function.returns is not None else None
        annotated = project_class(reading, named) if named is not None else None
        if annotated is None:
            return None
        made.append(Instance(annotated[0].base, annotated[1]))  # what the annotation names: its defaults
    return _together(made)


def _library_made(module: AnalysedModule, value: ast.expr, depth: int) -> Instance | None:
    """An object built by a method the project does not define, called on a project class
    or an object of one (pydantic's ``Settings.model_validate(data)``, ``cls.parse_obj(data)``,
    ``settings.model_copy(update=...)``): of that class, its fields unknown."""
    if not isinstance(value, ast.Call) or not isinstance(value.func, ast.Attribute):
        return None
    receiver = value.func.value
    found = project_class(module, receiver) or _class_of_cls(module, receiver)
    if found is None:
        instance = instance_of(module, receiver, depth + 1)
        found = (instance.module, instance.cls) if instance is not None else None
    if found is None or resolve_called_function(module, value) is not None:
        return None
    return Instance(found[0].base, found[1], opaque=True)


def _together(made: list[Instance]) -> Instance | None:
    """One object that may be any of ``made`` (each with its alternatives), when they are of
    one class; None for objects of different classes or too many to follow."""
    if not made or any(each.cls is not made[0].cls for each in made):
        return None
    distinct: list[Instance] = []
    for each in (one for instance in made for one in (instance, *instance.alternatives)):
        if not any(_same_object(each, known) for known in distinct):
            distinct.append(replace(each, alternatives=()))
    if len(distinct) > _MAX_ALTERNATIVES:
        return None
    return replace(distinct[0], alternatives=tuple(distinct[1:]))


def _same_object(one: Instance, other: Instance) -> bool:
    """Whether two objects are made alike: the same class, call and opacity, and, for a call
    with arguments, the same module reading them (a frame binds what they say)."""
    if one.cls is not other.cls or one.call is not other.call or one.opaque != other.opaque:
        return False
    return one.call is None or not (one.call.args or one.call.keywords) or one.caller is other.caller


def _self_attribute_instance(module: AnalysedModule, expr: ast.Attribute, depth: int) -> Instance | None:
    """``self.settings`` in a method of a class that gives the attribute one value, itself or
    through its project base classes: one ``self.settings = ...`` in their methods, or a
    class-level default (``None`` aside: a placeholder until the value is set)."""
    if not isinstance(expr.value, ast.Name):
        return None
    cls = module.model._class_of_self(expr.value)
    if cls is None:
        return None
    table = module.base.memo_table(_ATTRIBUTE_VALUES)
    key = (cls, expr.attr)
    if key not in table:
        table[key] = _attribute_value(module.base, cls, expr.attr)
    found = table[key]
    if found is None:
        return None
    # Read where it is written, under the frame being analysed when that is this module's.
    return instance_of(module if found[0] is module.base else found[0], found[1], depth + 1)


# (class, attribute) -> the one value the class and its project bases give the attribute:
# once per class, as every use of ``self.<attr>`` asks.
_ATTRIBUTE_VALUES: MemoKey[dict[tuple[ast.ClassDef, str], tuple[AnalysedModule, ast.expr] | None]] = MemoKey("attribute_values")


def _attribute_value(module: AnalysedModule, cls: ast.ClassDef, attr: str) -> tuple[AnalysedModule, ast.expr] | None:
    """The one value ``cls`` and its project bases give ``self.<attr>``, and its module."""
    found: tuple[AnalysedModule, ast.expr] | None = None
    for owner_module, owner in class_lineage(module, cls):
        scope = owner_module.model.scopes.get(owner)
        bindings = scope.bindings.get(attr, []) if scope is not None else []
        if any(b.kind not in ("assign", "annotation") for b in bindings):
            return None  # a method, a property
        assigned = [b.value for b in bindings if b.kind == "assign" and b.value is not None]
        for value in [*owner_module.model.attribute_values(owner, attr), *assigned]:
            if isinstance(value, ast.Constant) and value.value is None:
                continue
            if found is not None:
                return None  # two values
            found = (owner_module, value)
    return found


def _field_instance(module: AnalysedModule, expr: ast.Attribute, depth: int) -> Instance | None:
    """``cfg.sub`` where ``cfg`` holds an object of a project class: the object its field
    ``sub`` holds (the constructor's keyword, the class default, ``default_factory=Sub``)."""
    outer = instance_of(module, expr.value, depth + 1)
    sources = field_sources(outer, expr.attr) if outer is not None else None
    if sources is None:
        return None
    made: list[Instance] = []
    for source in sources:
        if source.made:
            named = project_class(source.module, source.expr)
            inner = Instance(named[0].base, named[1]) if named is not None else None
        else:
            inner = instance_of(source.module, source.expr, depth + 1)
        if inner is None:
            return None
        made.append(inner)
    return _together(made)


def field_sources(instance: Instance, attr: str) -> list[FieldSource] | None:
    """Where the field ``attr`` gets its value in each object ``instance`` may be (one
    source per distinct expression); None when it cannot be known for one of them."""
    sources: list[FieldSource] = []
    for each in (instance, *instance.alternatives):
        source = field_source(each, attr)
        if source is None:
            return None
        if not any(source.expr is known.expr and source.module is known.module for known in sources):
            sources.append(source)
    return sources


def field_source(instance: Instance, attr: str) -> FieldSource | None:
    """Where the field ``attr`` of ``instance`` (that one object, not its alternatives) gets
    its value (see the module docstring); None when it cannot be known."""
    if instance.opaque:
        return None
    lineage = class_lineage(instance.module, instance.cls)
    call = instance.call
    if call is not None and (call.args or call.keywords):
        if instance.caller is None or class_initializer(instance.module, instance.cls) is not None:
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
            found = class_default(module, cls, attr, bindings)
            if found is not None and reads_environment(lineage):
                found = replace(found, environment=True)
            return found
    return None


def class_default(module: AnalysedModule, cls: ast.ClassDef, attr: str, bindings: list[Binding]) -> FieldSource | None:
    """The default the class body that binds ``attr`` gives it: one assignment (annotated
    or not, a field declaration's ``default``). A method, a property, a nested class, an
    annotation alone (a required field) or several assignments: unknown."""
    if any(b.kind not in ("assign", "annotation") for b in bindings):
        return None
    assigned = [b.value for b in bindings if b.kind == "assign" and b.value is not None]
    if len(assigned) != 1:
        return None
    value: ast.expr | None = assigned[0]
    via = f"the default of {cls.name}.{attr}"
    declaration = field_declaration(module, value)
    if declaration is not None:
        value = argument(declaration, _FIELD_DECLARATIONS[module.model.qualified_name(declaration.func) or ""], "default")
        factory = argument(declaration, None, "default_factory")
        if value is None and factory is not None:
            return FieldSource(module, factory, via, made=True)
    if value is None:
        return None
    return FieldSource(module, value, via)


def field_declaration(module: AnalysedModule, value: ast.expr | None) -> ast.Call | None:
    """The field declaration a class-level value is (``Field(default=..., alias=...)``,
    ``dataclasses.field(...)``), else None."""
    if isinstance(value, ast.Call) and module.model.qualified_name(value.func) in _FIELD_DECLARATIONS:
        return value
    return None


# Settings classes whose fields the environment sets before their defaults apply.
_ENVIRONMENT_SETTINGS = frozenset(
    {"pydantic_settings.BaseSettings", "pydantic_settings.main.BaseSettings", "pydantic.BaseSettings", "pydantic.v1.BaseSettings"}
)


def reads_environment(lineage: list[tuple[AnalysedModule, ast.ClassDef]]) -> bool:
    """Whether a class of ``lineage`` derives from pydantic's ``BaseSettings``."""
    return any(
        module.model.qualified_name(base) in _ENVIRONMENT_SETTINGS for module, cls in lineage for base in class_bases(cls)
    )


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
