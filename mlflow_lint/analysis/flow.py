"""Values that cross a function boundary: a call's arguments bound to the callee's parameters.

A :class:`Frame` is one call of a project function, seen from the code that makes it:
which argument expression each parameter receives. Analysing the callee *under* a frame
(:func:`bound_module`) makes its parameters hold the caller's values — a string the
caller wrote, an ``MlflowClient()`` it built — so the same checks that read a function's
own literals read the values its callers pass, through several call levels (a frame's
caller may itself be analysed under a frame). Unknown stays unknown: a parameter no frame
binds is its default when it has one, else unknown.

Which parts of a function are worth analysing again under a frame is the function's
*summary* (:func:`parameter_dependent_nodes`): the nodes that mention a parameter, directly
or through a local variable computed from one. It is computed once per function.
"""

from __future__ import annotations

import ast
import copy
import functools
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlflow_lint.analysis.memo import SyntaxKey
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.semantic import Binding, SemanticModel

FunctionNode = ast.FunctionDef | ast.AsyncFunctionDef
_MAX_TAINT_ROUNDS = 8


@dataclass(eq=False)
class Frame:
    """One call of ``function`` made by ``call`` in ``caller``.

    ``arguments`` maps each parameter the call passes to the expression passed. ``opaque``:
    the call unpacks ``*args`` or ``**kwargs``, so a parameter not in ``arguments`` may
    still receive something (its default is not known to apply). ``reads`` collects the
    parameters whose argument an analysis under this frame read: what a finding owes to
    the call.
    """

    caller: AnalysedModule
    call: ast.Call
    function: FunctionNode
    arguments: dict[str, ast.expr]
    opaque: bool = False
    parent: Frame | None = None
    reads: set[str] = field(default_factory=set)

    @property
    def level(self) -> int:
        return 1 if self.parent is None else self.parent.level + 1

    @property
    def top(self) -> Frame:
        return self if self.parent is None else self.parent.top

    def chain(self) -> list[Frame]:
        """The frames from the outermost call to this one."""
        return ([] if self.parent is None else self.parent.chain()) + [self]


def bind_arguments(call: ast.Call, function: FunctionNode | ast.Lambda, method: bool) -> tuple[dict[str, ast.expr], bool]:
    """Which expression of ``call`` each parameter of ``function`` receives, and whether
    the call unpacks ``*args``/``**kwargs`` (then the rest is unknown). ``method``: the
    call goes through an instance (``self.helper(x)``), so the first parameter is skipped."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    if method and positional:
        positional = positional[1:]
    bound: dict[str, ast.expr] = {}
    opaque = False
    for index, value in enumerate(call.args):
        if isinstance(value, ast.Starred):
            opaque = True
            break
        if index < len(positional):
            bound[positional[index].arg] = value
    keyword_names = {a.arg for a in arguments.args + arguments.kwonlyargs}
    for keyword in call.keywords:
        if keyword.arg is None:
            unpacked = literal_keywords(keyword.value)
            if unpacked is None:
                opaque = True
                continue
            bound.update((name, value) for name, value in unpacked if name in keyword_names)
        elif keyword.arg in keyword_names:
            bound[keyword.arg] = keyword.value
    return bound, opaque


def literal_keywords(value: ast.expr) -> list[tuple[str, ast.expr]] | None:
    """``**{"alias": "champion"}`` / ``**dict(alias="champion")`` written at the call: the
    keywords it passes; None for anything else (a variable's contents are not followed)."""
    if isinstance(value, ast.Dict) and all(isinstance(k, ast.Constant) and isinstance(k.value, str) for k in value.keys):
        return [(k.value, v) for k, v in zip(value.keys, value.values, strict=True)]  # type: ignore[union-attr]
    if (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id == "dict"
        and not value.args
        and all(k.arg is not None for k in value.keywords)
    ):
        return [(k.arg, k.value) for k in value.keywords]  # type: ignore[misc]
    return None


# Methods that change a dict in place: a mapping written into after it is built is not its display.
_DICT_WRITERS = frozenset({"update", "pop", "popitem", "setdefault", "clear", "__setitem__", "__delitem__"})


def passed_keyword(model: SemanticModel, call: ast.Call, keyword: str) -> ast.expr | None:
    """The expression ``call`` passes for ``keyword``: written at the call, or in a ``**``
    mapping whose keys are known (:func:`literal_keywords`): a dict display at the call, or
    the one a local name holds, as the value analysis reads ``kwargs["key"]``
    (``kwargs = dict(registered_model_name="churn")`` then ``log_model(**kwargs)``), when
    nothing writes into it (``kwargs["key"] = ...``, ``kwargs.update(...)``). None when it
    is not passed, or not known to be."""
    for given in call.keywords:
        if given.arg == keyword:
            return given.value
    for given in call.keywords:
        if given.arg is not None:
            continue
        mapping: ast.AST = given.value
        if isinstance(mapping, ast.Name):
            if _written_into(model, mapping):
                continue
            mapping = model.assigned_value(mapping)
        for name, value in (literal_keywords(mapping) if isinstance(mapping, ast.expr) else None) or ():
            if name == keyword:
                return value
    return None


def _written_into(model: SemanticModel, name: ast.Name) -> bool:
    """Whether the dict ``name`` holds may be changed after it is built: an item assigned or
    deleted, or a method that changes it called, on the same binding."""
    binding = model.lookup(name.id, name)
    receivers = [
        node.value for node in model.nodes_of(ast.Subscript) if isinstance(node.ctx, (ast.Store, ast.Del))
    ] + [
        call.func.value for call in model.nodes_of(ast.Call) if isinstance(call.func, ast.Attribute) and call.func.attr in _DICT_WRITERS
    ]
    return any(
        isinstance(receiver, ast.Name) and receiver.id == name.id and model.lookup(receiver.id, receiver) is binding
        for receiver in receivers
    )


def parameter_default(function: FunctionNode | ast.Lambda, parameter: ast.arg) -> ast.expr | None:
    """The default value of ``parameter`` in ``function``'s signature, if any."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    if parameter in positional:
        offset = len(positional) - len(arguments.defaults)
        index = positional.index(parameter)
        return arguments.defaults[index - offset] if index >= offset else None
    if parameter in arguments.kwonlyargs:
        return arguments.kw_defaults[arguments.kwonlyargs.index(parameter)]
    return None


def function_of_parameter(module: AnalysedModule, binding: Binding) -> FunctionNode | ast.Lambda | None:
    """The function whose signature declares the parameter ``binding`` binds."""
    signature = module.model.parents.get(binding.node)
    function = module.model.parents.get(signature) if signature is not None else None
    return function if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)) else None


def bound_module(module: AnalysedModule, frame: Frame) -> AnalysedModule:
    """``module`` analysed under ``frame``: the same source, tree and scopes, its
    parameters bound to the frame's arguments, every derived fact computed afresh."""
    bound = copy.copy(module)
    bound.frame = frame
    bound._base = module.base
    # A partial over the frame, not a closure over ``bound``: no reference cycle keeps a
    # bound module (and through it an evicted module's tree) alive until the cycle collector.
    bound.model = module.model.bound(functools.partial(_frame_parameter_class, frame, module.base))
    bound._memo = {}  # its own derived facts (the copy shares the original's dict)
    bound._values = None
    return bound  # the syntax facts are shared: the same text


def dispose(bound: AnalysedModule) -> None:
    """Drop what a bound module derived (its evaluator refers back to it): freed at once."""
    bound._values = None
    bound._memo = {}


def frame_argument(module: AnalysedModule, binding: Binding) -> tuple[Frame, ast.expr] | None:
    """The argument the call being analysed passes for a parameter, if a frame binds it
    (and records the read: the finding owes it to that argument)."""
    return _bound_argument(module.frame, module, binding) if module.frame is not None else None


def _bound_argument(frame: Frame, module: AnalysedModule, binding: Binding) -> tuple[Frame, ast.expr] | None:
    if function_of_parameter(module, binding) is not frame.function:
        return None
    argument = frame.arguments.get(binding.name)
    if argument is None:
        return None
    frame.reads.add(binding.name)
    return frame, argument


def parameter_unknown(module: AnalysedModule, binding: Binding) -> bool:
    """Whether a parameter's value cannot be known under the current frame: the call
    unpacks ``*args``/``**kwargs``, so its default is not known to apply."""
    frame = module.frame
    return frame is not None and frame.opaque and function_of_parameter(module, binding) is frame.function


def _frame_parameter_class(frame: Frame, module: AnalysedModule, binding: Binding, depth: int) -> str | None:
    """The MLflow class a parameter holds under ``frame`` (``promote(client)`` called with
    ``MlflowClient()``), or None."""
    found = _bound_argument(frame, module, binding)
    return frame.caller.model.instance_class(found[1], depth) if found is not None else None


# -- summaries --------------------------------------------------------------------------
_SUMMARY_TYPES = (ast.Call, ast.Assign, ast.Compare)
_PARAMETER_DEPENDENT_NODES: SyntaxKey[dict[ast.AST, list[ast.AST]]] = SyntaxKey("parameter_dependent_nodes")


def parameter_dependent_nodes(module: AnalysedModule, function: FunctionNode) -> list[ast.AST]:
    """The calls, assignments and comparisons of ``function``'s own body (nested
    definitions excluded) that mention a parameter, directly or through a local variable
    assigned from one, in source order. Computed once per function: each mention marks the
    nodes that hold it, up to the function (a walk per node was quadratic in nesting)."""
    cache = module.syntax_table(_PARAMETER_DEPENDENT_NODES)
    found = cache.get(function)
    if found is None:
        found = cache[function] = _dependent_nodes(module, function)
    return found


def _dependent_nodes(module: AnalysedModule, function: FunctionNode) -> list[ast.AST]:
    tainted = _parameter_dependent_names(module, function)
    if not tainted:
        return []
    own = list(_own_nodes(function))
    marked: set[ast.AST] = set()
    parents = module.model.parents
    for node in own:
        if isinstance(node, ast.Name) and node.id in tainted:
            holder = parents.get(node)
            while holder is not None and holder is not function and holder not in marked:
                marked.add(holder)
                holder = parents.get(holder)
    return [node for node in own if node in marked and isinstance(node, _SUMMARY_TYPES)]


def _parameter_dependent_names(module: AnalysedModule, function: FunctionNode) -> set[str]:
    """The parameters, and the local names assigned from one (transitively)."""
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    tainted = {a.arg for a in every if a.arg not in ("self", "cls")}
    scope = module.model.scopes.get(function)
    if scope is None or not tainted:
        return tainted
    # The names each local's assigned values read, gathered once; then a fixpoint on sets.
    reads: dict[str, set[str]] = {}
    for name, bindings in scope.bindings.items():
        if name in tainted:
            continue
        values = [b.value for b in bindings if b.kind in ("assign", "with") and b.value is not None]
        if values:
            reads[name] = {n.id for value in values for n in ast.walk(value) if isinstance(n, ast.Name)}
    for _ in range(_MAX_TAINT_ROUNDS):
        grown = {name for name, read in reads.items() if name not in tainted and not read.isdisjoint(tainted)}
        if not grown:
            break
        tainted |= grown
    return tainted


def _own_nodes(function: FunctionNode) -> Iterator[ast.AST]:
    """Every node of the function's body, not descending into nested functions or classes."""
    stack: list[ast.AST] = list(reversed(function.body))
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        stack.extend(reversed(list(ast.iter_child_nodes(node))))
