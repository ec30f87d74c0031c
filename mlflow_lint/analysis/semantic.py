"""A small semantic model over ``ast``: scopes, bindings, qualified names, instances.

Modelled on ruff's semantic model, reduced to what MLflow rules need. One pass over the
tree records every binding per scope (imports, assignments, parameters, ``with ... as``,
definitions) and links every node to its parent. Checks then ask questions of the model:
"what qualified name does this expression denote?", "is this an ``MlflowClient``?".

Lookups are flow-approximate, like most linters: a use sees the last binding of its
name that precedes it in the same scope (or, from a nested function, which runs later,
the last binding in the enclosing scope). A name that is also bound to something we do
not understand resolves to nothing, so unknown code never produces a finding.
"""

from __future__ import annotations

import ast
import builtins
import copy
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar, cast

from mlflow_lint.analysis import api
from mlflow_lint.analysis.annotations import annotated_class
from mlflow_lint.analysis.calls import terminal_name

_FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)
_COMPREHENSIONS = (ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)
_MAX_DEPTH = 12
_BUILTINS = frozenset(dir(builtins))
# Names worth following through a project module's re-export (cheap: a file lookup each).
_REEXPORTED_MLFLOW_NAMES = frozenset({"mlflow", "MlflowClient"})


@dataclass(frozen=True)
class Binding:
    """One binding of a name in a scope.

    ``kind`` is one of: import, assign, param, def, class, with, other.
    ``value`` is the bound expression for assign/with (the context manager expression),
    the annotation for an annotated parameter. ``position`` orders bindings.
    """

    name: str
    kind: str
    node: ast.AST
    position: tuple[int, int]
    value: ast.expr | None = None
    qualified_name: str | None = None  # imports: what the name denotes
    annotation: ast.expr | None = None


@dataclass
class Scope:
    node: ast.AST
    parent: Scope | None
    bindings: dict[str, list[Binding]] = field(default_factory=dict)
    global_names: set[str] = field(default_factory=set)
    star_imports: list[str] = field(default_factory=list)
    # name -> the bindings a use may pick (see ``pick``), sorted by position, and their
    # positions; built on the first lookup of the name, dropped when the name is bound again.
    _ordered: dict[str, tuple[list[tuple[int, int]], list[Binding]]] = field(default_factory=dict, repr=False, compare=False)

    @property
    def is_class(self) -> bool:
        return isinstance(self.node, ast.ClassDef)

    @property
    def is_function(self) -> bool:
        return isinstance(self.node, _FUNCTION_NODES)

    def add(self, binding: Binding) -> None:
        self.bindings.setdefault(binding.name, []).append(binding)
        self._ordered.pop(binding.name, None)

    def pick(self, name: str, use: tuple[int, int] | None) -> Binding | None:
        """The binding of ``name`` a use at ``use`` sees: the last one at or before it, else
        (or with no position: a use from a nested function, which runs later) the last one.
        ``x = None`` placeholders and bare annotations count only when nothing else binds it.

        A bisection over the bindings sorted once per name: filtering and scanning them
        all on every use made a name bound N times and used N times cost N² (20k
        ``import mlflow`` + ``mlflow.set_tag`` pairs: over a minute)."""
        ordered = self._ordered.get(name)
        if ordered is None:
            candidates = self.bindings.get(name)
            if not candidates:
                return None
            meaningful = [b for b in candidates if not _is_none_placeholder(b)] or candidates
            meaningful = [b for b in meaningful if b.kind != "annotation"] or meaningful
            meaningful = sorted(meaningful, key=lambda b: b.position)  # stable: ties keep binding order
            ordered = self._ordered[name] = ([b.position for b in meaningful], meaningful)
        positions, meaningful = ordered
        # As ``max(..., key=position)`` over the list in binding order did: of equal
        # positions, the first bound wins.
        after = bisect_right(positions, use) if use is not None else 0
        last = after - 1 if after else len(positions) - 1
        return meaningful[bisect_left(positions, positions[last])]


def _position(node: ast.AST) -> tuple[int, int]:
    return (getattr(node, "lineno", 0), getattr(node, "col_offset", 0))


def _end_position(node: ast.AST) -> tuple[int, int]:
    end_line = getattr(node, "end_lineno", None)
    if end_line is None:
        return _position(node)
    return (end_line, getattr(node, "end_col_offset", 0) or 0)


# Load/Store contexts and operators are shared singletons that no check asks for (they
# are read through their parent, ``node.op``): a third of all nodes, not worth a visit.
_UNWALKED_FIELDS = frozenset({"ctx", "op", "ops"})
# Fields that never hold a node (names, numbers, flags), not worth a getattr per node.
_SCALAR_FIELDS = frozenset({"id", "attr", "name", "arg", "module", "level", "asname", "kind", "type_comment", "conversion", "is_async"})
_LEAF_TYPES = (ast.Constant, ast.Global, ast.Nonlocal)  # Constant.value is data, names are strings
_Node = TypeVar("_Node", bound=ast.AST)
_NO_NODES: list[Any] = []  # never appended to: what nodes_of() answers for a type not in the module
_WALKED_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}


def _fields_to_walk(node_type: type[ast.AST]) -> tuple[str, ...]:
    """The fields of a node type that can hold child nodes, in reverse order (children
    are pushed on a stack, so the last field's are pushed first)."""
    if issubclass(node_type, _LEAF_TYPES):
        return ()
    scalar = _SCALAR_FIELDS - {"name"} if node_type.__name__ == "TypeAlias" else _SCALAR_FIELDS  # 3.12: a Name
    return tuple(reversed([f for f in node_type._fields if f not in _UNWALKED_FIELDS and f not in scalar]))


class SemanticModel:
    """Bindings and parent links of one module, built in one pass."""

    def __init__(self, tree: ast.Module) -> None:
        self.tree = tree
        self.parents: dict[ast.AST, ast.AST] = {}
        # The scope each name is used in, as the build walked it (``scope_of`` without
        # climbing the parents: resolving a name is the analysis's most frequent question).
        self._name_scopes: dict[ast.AST, Scope] = {}
        self.scopes: dict[ast.AST, Scope] = {}
        # class node -> attribute name -> assigned values (``self.x = ...`` in methods)
        self.instance_attributes: dict[ast.ClassDef, dict[str, list[tuple[ast.expr, ast.AST]]]] = {}
        self.nodes_by_type: dict[type[ast.AST], list[ast.AST]] = {}  # typed access: nodes_of()
        # local name -> names it may stand for (``import X as Y``, ``f = mod.load_model``);
        # lets the engine pre-select calls by their terminal name before resolving them.
        self.name_aliases: dict[str, set[str]] = {}
        self._callees: dict[ast.Call, str | None] = {}
        self._calls_by_name: dict[str, list[ast.Call]] | None = None
        # id(statement list) -> (that list, kept alive so that its id stays its own; statement -> index)
        self._block_positions: dict[int, tuple[list[ast.stmt], dict[ast.AST, int]]] = {}
        # Set by the owner when a project is known: the name a project module re-exports
        # (``from madewithml.config import mlflow`` -> ``mlflow``), or None.
        self.reexport_resolver: Callable[[str], str | None] | None = None
        # Set by the owner when a project is known: what ``name`` denotes when ``from module
        # import *`` (or a notebook's ``%run``) brings it from a project module, or None.
        self.star_resolver: Callable[[str, str], str | None] | None = None
        # Set by the owner when a project is known: for a qualified name a project module
        # assigns (``setup.client``), the MLflow class of its value, "" if unknown; else None.
        self.imported_instance: Callable[[str], str | None] | None = None
        # Set by the owner: the MLflow name a call of a project function returns
        # (``def setup(): import mlflow; ...; return mlflow``), or None.
        self.returned_name: Callable[[ast.Call], str | None] | None = None
        # Set by the owner when a project is known: the MLflow class a function of another
        # project module returns (``client = registry.get_client()``), or None.
        self.returned_class: Callable[[ast.Call, int], str | None] | None = None
        # What the resolver said per imported name: asking it per use read the other
        # module's bindings of the name per use, N uses × N bindings.
        self._reexports: dict[str, str | None] = {}
        # The class an attribute of a class holds, and a function returns, per depth: they
        # do not depend on where they are asked, and asking per use read every assignment
        # of the attribute (or the whole function) per use: N ``self.x = ...`` and N
        # ``self.x.f()`` cost N² class lookups.
        self._attribute_classes: dict[tuple[ast.ClassDef, str, int], str | None] = {}
        self._return_classes: dict[tuple[ast.AST, int], str | None] = {}
        # The class a parameter without annotation holds, when the analysis knows the call
        # that bound it (mlflow_lint.analysis.flow); None: parameters are untyped.
        self.parameter_class: Callable[[Binding, int], str | None] | None = None
        # Calls resolved by a method name only MLflow defines on a receiver of unknown type
        # (``client.transition_model_version_stage(...)`` with ``client`` a parameter).
        self.untyped_calls: set[ast.Call] = set()
        # Set by the owner: whether a call reaches a function of the project's own code
        # (``c.get_latest_versions()`` with ``c = RestClient()``, a project class that
        # defines it): such a call is that function's, whatever MLflow names alike.
        self.calls_project_function: Callable[[ast.Call], bool] | None = None
        # Set by the owner for a module of MLflow's own package (mlflow/...): MLflow-only
        # method names there are its stores' and registry client's, not a use of MLflow.
        self.implements_mlflow = False
        self._build()

    def bound(self, parameter_class: Callable[[Binding, int], str | None]) -> SemanticModel:
        """This model for one call of a function: the same scopes and bindings, parameters
        typed by ``parameter_class``, and resolutions memoised apart (they may differ)."""
        other = copy.copy(self)
        other.parameter_class = parameter_class
        other._callees = {}  # never filled: see ``callee``
        other._attribute_classes = {}
        other._return_classes = {}
        other.untyped_calls = set()
        return other

    def forget_callees(self) -> None:
        """Forget resolved callees (they may rest on other modules' re-exports)."""
        self._callees.clear()
        self._reexports.clear()
        self._attribute_classes.clear()
        self._return_classes.clear()

    # ------------------------------------------------------------------ building
    def _build(self) -> None:
        module_scope = Scope(self.tree, None)
        self.scopes[self.tree] = module_scope
        # Iterative walk: deeply nested expressions must not exhaust the Python stack.
        stack: list[tuple[ast.AST, Scope]] = [(self.tree, module_scope)]
        nodes_by_type = self.nodes_by_type
        parents = self.parents
        binders = _BINDERS
        walked_fields = _WALKED_FIELDS
        name_scopes, name_type = self._name_scopes, ast.Name
        ast_type, list_type = ast.AST, list
        push = stack.append
        while stack:
            node, scope = stack.pop()
            node_type = type(node)
            if node_type is name_type:
                name_scopes[node] = scope
            bucket = nodes_by_type.get(node_type)
            if bucket is None:
                nodes_by_type[node_type] = [node]
            else:
                bucket.append(node)
            binder = binders.get(node_type)
            inner = binder(self, node, scope) if binder is not None else None
            fields = walked_fields.get(node_type)
            if fields is None:
                fields = walked_fields[node_type] = _fields_to_walk(node_type)
            # Children are pushed last-first, so that they are visited (and bucketed) in
            # source order.
            for name in fields:
                value = getattr(node, name, None)
                if value is None:
                    continue
                if type(value) is list_type:
                    for child in reversed(value):
                        if isinstance(child, ast_type):
                            parents[child] = node
                            push((child, scope if inner is None else self._child_scope(node, child, scope, inner)))
                elif isinstance(value, ast_type):
                    parents[value] = node
                    push((value, scope if inner is None else self._child_scope(node, value, scope, inner)))

    def _child_scope(self, node: ast.AST, child: ast.AST, scope: Scope, inner: Scope | None) -> Scope:
        if inner is None:
            return scope
        # Decorators, defaults, bases and annotations are evaluated in the outer scope.
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            if child in node.decorator_list or child is node.returns:
                return scope
            if child is node.args:
                return inner
        if isinstance(node, ast.ClassDef) and (child in node.bases or child in node.decorator_list):
            return scope
        return inner

    def _new_scope(self, node: ast.AST, parent: Scope) -> Scope:
        scope = Scope(node, parent)
        self.scopes[node] = scope
        return scope

    def _binding_scope(self, scope: Scope, name: str) -> Scope:
        if name in scope.global_names:
            while scope.parent is not None:
                scope = scope.parent
        return scope

    def _bind_import(self, node: ast.Import, scope: Scope) -> None:
        end = _end_position(node)
        for alias in node.names:
            if alias.asname:
                name, target = alias.asname, alias.name
            else:
                name = target = alias.name.partition(".")[0]
            self._binding_scope(scope, name).add(Binding(name, "import", node, end, qualified_name=target))
            self._note_alias(name, alias.name.rpartition(".")[2])

    def _bind_import_from(self, node: ast.ImportFrom, scope: Scope) -> None:
        module = "." * (node.level or 0) + (node.module or "")
        end = _end_position(node)
        for alias in node.names:
            if alias.name == "*":
                scope.star_imports.append(module)
                continue
            name = alias.asname or alias.name
            separator = "" if module.endswith(".") else "."
            self._binding_scope(scope, name).add(
                Binding(name, "import", node, end, qualified_name=f"{module}{separator}{alias.name}")
            )
            self._note_alias(name, alias.name)

    def _note_alias(self, local: str, original: str) -> None:
        if local != original:
            self.name_aliases.setdefault(local, set()).add(original)

    def _bind_assign(self, node: ast.Assign, scope: Scope) -> None:
        end = _end_position(node)
        for target in node.targets:
            self._bind_target(target, node.value, node, scope, end)
            if isinstance(target, ast.Name):
                if isinstance(node.value, ast.Attribute):
                    self._note_alias(target.id, node.value.attr)
                elif isinstance(node.value, ast.Name):
                    self._note_alias(target.id, node.value.id)

    def _bind_ann_assign(self, node: ast.AnnAssign, scope: Scope) -> None:
        if isinstance(node.target, ast.Name):
            self._binding_scope(scope, node.target.id).add(
                Binding(
                    node.target.id,
                    "assign" if node.value is not None else "annotation",
                    node,
                    _end_position(node),
                    value=node.value,
                    annotation=node.annotation,
                )
            )
        elif node.value is not None:
            self._bind_target(node.target, node.value, node, scope, _end_position(node))

    def _bind_aug_assign(self, node: ast.AugAssign, scope: Scope) -> None:
        self._bind_target(node.target, None, node, scope, _end_position(node))

    def _bind_named_expr(self, node: ast.NamedExpr, scope: Scope) -> None:
        target_scope = scope
        while isinstance(target_scope.node, _COMPREHENSIONS) and target_scope.parent is not None:
            target_scope = target_scope.parent
        target_scope.add(Binding(node.target.id, "assign", node, _end_position(node), value=node.value))

    def _bind_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, scope: Scope) -> Scope:
        self._binding_scope(scope, node.name).add(Binding(node.name, "def", node, _position(node)))
        inner = self._new_scope(node, scope)
        self._bind_arguments(node.args, inner, _position(node))
        return inner

    def _bind_lambda(self, node: ast.Lambda, scope: Scope) -> Scope:
        inner = self._new_scope(node, scope)
        self._bind_arguments(node.args, inner, _position(node))
        return inner

    def _bind_class(self, node: ast.ClassDef, scope: Scope) -> Scope:
        self._binding_scope(scope, node.name).add(Binding(node.name, "class", node, _position(node)))
        return self._new_scope(node, scope)

    def _bind_comprehension(self, node: ast.AST, scope: Scope) -> Scope:
        inner = self._new_scope(node, scope)
        for generator in node.generators:  # type: ignore[attr-defined]
            self._bind_target(generator.target, None, generator, inner, _position(node))
        return inner

    def _bind_with(self, node: ast.With | ast.AsyncWith, scope: Scope) -> None:
        for item in node.items:
            if item.optional_vars is None:
                continue
            position = _end_position(item.context_expr)
            if isinstance(item.optional_vars, ast.Name):
                name = item.optional_vars.id
                self._binding_scope(scope, name).add(Binding(name, "with", node, position, value=item.context_expr))
            else:
                self._bind_target(item.optional_vars, None, node, scope, position)

    def _bind_for(self, node: ast.For | ast.AsyncFor, scope: Scope) -> None:
        self._bind_target(node.target, None, node, scope, _end_position(node.iter))

    def _bind_except(self, node: ast.ExceptHandler, scope: Scope) -> None:
        if node.name:
            scope.add(Binding(node.name, "other", node, _position(node)))

    def _bind_global(self, node: ast.Global, scope: Scope) -> None:
        scope.global_names.update(node.names)

    def _bind_match_name(self, node: ast.MatchAs | ast.MatchStar, scope: Scope) -> None:
        if node.name:
            scope.add(Binding(node.name, "other", node, _position(node)))

    def _bind_match_mapping(self, node: ast.MatchMapping, scope: Scope) -> None:
        if node.rest:
            scope.add(Binding(node.rest, "other", node, _position(node)))

    def _bind_target(
        self,
        target: ast.AST,
        value: ast.expr | None,
        node: ast.AST,
        scope: Scope,
        position: tuple[int, int],
    ) -> None:
        if isinstance(target, ast.Name):
            kind = "assign" if value is not None else "other"
            self._binding_scope(scope, target.id).add(Binding(target.id, kind, node, position, value=value))
        elif isinstance(target, (ast.Tuple, ast.List)):
            values: list[ast.expr | None]
            if isinstance(value, (ast.Tuple, ast.List)) and len(value.elts) == len(target.elts):
                values = list(value.elts)
            else:
                values = [None] * len(target.elts)
            for element, element_value in zip(target.elts, values, strict=True):
                if isinstance(element, ast.Starred):
                    element, element_value = element.value, None
                self._bind_target(element, element_value, node, scope, position)
        elif isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and value is not None:
            # ``self.x = value`` inside a method: remember it on the class.
            function = self._enclosing_function_scope(scope)
            if function is not None and self._is_self_parameter(function, target.value.id):
                cls = function.parent.node if function.parent else None
                if isinstance(cls, ast.ClassDef):
                    attrs = self.instance_attributes.setdefault(cls, {})
                    attrs.setdefault(target.attr, []).append((value, function.node))

    @staticmethod
    def _enclosing_function_scope(scope: Scope) -> Scope | None:
        return scope if scope.is_function else None

    @staticmethod
    def _is_self_parameter(function_scope: Scope, name: str) -> bool:
        node = function_scope.node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return False
        positional = node.args.posonlyargs + node.args.args
        return bool(positional) and positional[0].arg == name and name in ("self", "cls")

    def _bind_arguments(self, args: ast.arguments, scope: Scope, position: tuple[int, int]) -> None:
        every = args.posonlyargs + args.args + args.kwonlyargs
        if args.vararg:
            every.append(args.vararg)
        if args.kwarg:
            every.append(args.kwarg)
        for arg in every:
            scope.add(Binding(arg.arg, "param", arg, position, annotation=arg.annotation))

    # ------------------------------------------------------------------ queries
    def nodes_of(self, kind: type[_Node]) -> Sequence[_Node]:
        """Every node of exactly the type ``kind``, in walk order."""
        # The buckets are keyed by type(node): the one of ``kind`` holds ``kind`` nodes only.
        return cast("list[_Node]", self.nodes_by_type.get(kind, _NO_NODES))

    def calls_named(self, names: frozenset[str]) -> list[ast.Call]:
        """Calls whose terminal name (``load_model`` in ``a.b.load_model()``) is in
        ``names``, or is a local alias of one: a syntactic pre-selection, before resolution."""
        grouped = self._calls_by_name
        if grouped is None:
            grouped = self._calls_by_name = {}
            for call in self.nodes_of(ast.Call):
                name = terminal_name(call.func)
                if name is not None:
                    grouped.setdefault(name, []).append(call)
        wanted = set(names)
        wanted.update(local for local, originals in self.name_aliases.items() if not originals.isdisjoint(names))
        found = [call for name in wanted for call in grouped.get(name, ())]
        found.sort(key=_position)
        return found

    def is_call_named(self, call: ast.Call, names: frozenset[str]) -> bool:
        """Whether ``calls_named(names)`` selects ``call``: its terminal name is one of
        ``names`` or a local alias of one."""
        name = terminal_name(call.func)
        return name is not None and (name in names or not names.isdisjoint(self.name_aliases.get(name, ())))

    def block_of(self, statement: ast.AST) -> tuple[list[ast.stmt], int] | None:
        """The statement list of its parent that holds ``statement`` (``body``, ``orelse``,
        ``finalbody`` or ``handlers``, in that order) and its index there; None elsewhere.

        Indexed once per block: ``statement in block`` and ``block.index(statement)`` per
        statement scanned the block each time, N statements cost N² (a run started or a
        promotion made N times in one block)."""
        parent = self.parents.get(statement)
        if parent is None:
            return None
        for name in ("body", "orelse", "finalbody", "handlers"):
            block = getattr(parent, name, None)
            if type(block) is not list or not block:
                continue
            known = self._block_positions.get(id(block))
            if known is None:
                positions: dict[ast.AST, int] = {}
                for index, node in enumerate(block):
                    positions.setdefault(node, index)  # a node listed twice: its first index, as list.index
                known = self._block_positions[id(block)] = (block, positions)
            position = known[1].get(statement)
            if position is not None:
                return block, position
        return None

    def parent(self, node: ast.AST) -> ast.AST | None:
        return self.parents.get(node)

    def ancestors(self, node: ast.AST) -> Iterator[ast.AST]:
        current = self.parents.get(node)
        while current is not None:
            yield current
            current = self.parents.get(current)

    def scope_of(self, node: ast.AST) -> Scope:
        """The innermost scope whose code contains ``node``."""
        known = self._name_scopes.get(node)
        if known is not None:
            return known
        current: ast.AST | None = node
        previous: ast.AST | None = None
        while current is not None:
            scope = self.scopes.get(current)
            if scope is not None and current is not node:
                # Decorators/defaults/bases/annotations belong to the outer scope.
                if isinstance(current, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                    previous in current.decorator_list or previous is current.returns
                ):
                    previous, current = current, self.parents.get(current)
                    continue
                if isinstance(current, ast.ClassDef) and (
                    previous in current.bases or previous in current.decorator_list
                ):
                    previous, current = current, self.parents.get(current)
                    continue
                return scope
            previous, current = current, self.parents.get(current)
        return self.scopes[self.tree]

    def attribute_values(self, cls: ast.ClassDef, attr: str) -> list[ast.expr]:
        """What the methods of ``cls`` assign to ``self.<attr>``, ``None`` left out (an
        attribute set to None in ``__init__`` and to its value later)."""
        return [
            value
            for value, _method in self.instance_attributes.get(cls, {}).get(attr, [])
            if not (isinstance(value, ast.Constant) and value.value is None)
        ]

    def enclosing_function(self, node: ast.AST) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        for ancestor in self.ancestors(node):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
                return ancestor
        return None

    def lookup(self, name: str, at: ast.AST) -> Binding | None:
        """The binding ``name`` refers to at node ``at`` (LEGB, skipping class scopes)."""
        scope: Scope | None = self.scope_of(at)
        use = _position(at)
        own = True
        while scope is not None:
            if scope.is_class and not own:
                scope = scope.parent
                continue
            if scope.bindings.get(name):
                return scope.pick(name, use if own else None)
            if scope.star_imports:
                for module in scope.star_imports:
                    if api.is_mlflow(module):
                        return Binding(name, "import", scope.node, (0, 0), qualified_name=f"{module}.{name}")
                    found = self.star_resolver(module, name) if self.star_resolver is not None else None
                    if found is not None:
                        return Binding(name, "import", scope.node, (0, 0), qualified_name=found)
            scope = scope.parent
            own = False
        return None

    def bindings_of(self, name: str, at: ast.AST) -> list[Binding]:
        """Every binding, in its scope, of the ``name`` used at ``at`` (the scope
        :meth:`lookup` finds it in), in binding order; empty if it is bound nowhere."""
        scope: Scope | None = self.scope_of(at)
        own = True
        while scope is not None:
            if scope.is_class and not own:
                scope = scope.parent
                continue
            found = scope.bindings.get(name)
            if found:
                return list(found)
            scope = scope.parent
            own = False
        return []

    @staticmethod
    def loop_of(binding: Binding) -> ast.For | ast.AsyncFor | None:
        """The ``for`` loop whose variable ``binding`` is (``for mv in versions:``), when the
        name is the loop's whole target; None for any other binding."""
        loop = binding.node
        if isinstance(loop, (ast.For, ast.AsyncFor)) and isinstance(loop.target, ast.Name) and loop.target.id == binding.name:
            return loop
        return None

    def bindings_reaching(self, name: str, at: ast.AST) -> list[Binding]:
        """The bindings of :meth:`bindings_of` that a use at ``at`` may see: those written
        before it, and those after it inside a loop that also holds the use (the next
        iteration sees them). A use in a nested function (not the bindings' scope) runs
        later: every binding may reach it."""
        found = self.bindings_of(name, at)
        if not found or self.scope_of(at).bindings.get(name) is None:
            return found
        use = _position(at)
        loops = [node for node in self.ancestors(at) if isinstance(node, (ast.For, ast.AsyncFor, ast.While))]
        return [
            binding
            for binding in found
            if binding.position <= use
            or any(_position(loop) <= binding.position <= _end_position(loop) for loop in loops)
        ]

    def assigned_value(self, expr: ast.AST, limit: int = 8) -> ast.AST:
        """Follow a name to the expression last assigned to it (``alias = "x" if c else "y"``
        then ``alias`` -> the ternary), through up to ``limit`` plain assignments; anything
        else (a parameter, an import, a non-name) is returned as it is."""
        for _ in range(limit):
            if not isinstance(expr, ast.Name):
                return expr
            binding = self.lookup(expr.id, expr)
            if binding is None or binding.kind != "assign" or binding.value is None:
                return expr
            expr = binding.value
        return expr

    def qualified_name(self, expr: ast.AST, _depth: int = 0) -> str | None:
        """The canonical qualified name ``expr`` denotes (``mlflow.pyfunc.load_model``)."""
        raw = self._raw_qualified_name(expr, _depth)
        return api.canonical(raw) if raw is not None else None

    def _raw_qualified_name(self, expr: ast.AST, depth: int) -> str | None:
        if depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id, expr)
            if binding is None:
                # An unshadowed builtin denotes itself (``all``, ``str``, ``dict``).
                return expr.id if expr.id in _BUILTINS else None
            if binding.kind == "import":
                target = binding.qualified_name
                if (
                    self.reexport_resolver is not None
                    and target is not None
                    and not api.is_mlflow(target)
                    and target.rpartition(".")[2] in _REEXPORTED_MLFLOW_NAMES
                ):
                    try:
                        reexported = self._reexports[target]
                    except KeyError:
                        reexported = self._reexports[target] = self.reexport_resolver(target)
                    return reexported or target
                return target
            if binding.kind == "assign" and isinstance(binding.value, (ast.Name, ast.Attribute)):
                return self._raw_qualified_name(binding.value, depth + 1)
            if binding.kind == "assign" and isinstance(binding.value, ast.Call) and self.returned_name is not None:
                return self.returned_name(binding.value)  # mlflow = setup_mlflow()
            return None
        if isinstance(expr, ast.Attribute):
            base = self._raw_qualified_name(expr.value, depth + 1)
            return f"{base}.{expr.attr}" if base is not None else None
        return None

    def callee(self, call: ast.Call) -> str | None:
        if self.parameter_class is not None:
            # Under a call (analysis.flow) resolving may read the call's arguments, and
            # which arguments each finding reads is recorded on every use: not memoised.
            return self._resolve_callee(call)
        try:
            return self._callees[call]
        except KeyError:
            found = self._callees[call] = self._resolve_callee(call)
            return found

    def _resolve_callee(self, call: ast.Call) -> str | None:
        """Canonical name of what ``call`` calls, including methods of known instances.

        ``mlflow.pyfunc.load_model(...)`` -> ``mlflow.pyfunc.load_model``;
        ``client.download_artifacts(...)`` with ``client = MlflowClient()`` ->
        ``mlflow.MlflowClient.download_artifacts``.
        """
        name = self.qualified_name(call.func)
        func = call.func
        if name is not None:
            # ``client.f()`` with ``client`` imported from a project module: a method of
            # what that module assigned to it, when that is known; else the name itself.
            if not isinstance(func, ast.Attribute) or api.is_mlflow(name):
                return name
            variable = self._imported_variable(func.value)
            if variable is None:
                return name
            if variable:
                return f"{variable}.{func.attr}"
            if func.attr not in api.CLIENT_ONLY_METHODS:
                return name
        if isinstance(func, ast.Attribute):
            cls = self.instance_class(func.value)
            if cls is not None:
                return f"{cls}.{func.attr}"
            if (
                func.attr in api.CLIENT_ONLY_METHODS
                and not self._own_method(func)
                and not self._delegates(call, func)
                and not (self.calls_project_function is not None and self.calls_project_function(call))
            ):
                # Only an MLflow client has this method: found whatever the receiver, as
                # ``$C.transition_model_version_stage(...)`` finds it (precision medium).
                self.untyped_calls.add(call)
                return f"{api.MLFLOW_CLIENT}.{func.attr}"
        return None

    def _imported_variable(self, expr: ast.expr) -> str | None:
        """For a name imported from a project module that assigns it: the MLflow class of
        the value, or "" when its class is not known; None for anything else."""
        if not isinstance(expr, ast.Name) or self.imported_instance is None:
            return None
        binding = self.lookup(expr.id, expr)
        if binding is None or binding.kind != "import" or not binding.qualified_name or api.is_mlflow(binding.qualified_name):
            return None
        return self.imported_instance(binding.qualified_name)

    def _delegates(self, call: ast.Call, func: ast.Attribute) -> bool:
        """Where a method name only MLflow's client has is not a use of MLflow: a wrapper
        passing its own method on (``def delete_model_version(self, ...):
        self._impl.delete_model_version(...)``), MLflow's own implementation (its stores and
        registry client define the same names), and a store plugin (a class deriving from
        one of MLflow's stores). Their callers are where MLflow is used."""
        if self.implements_mlflow:
            return True
        function = self.enclosing_function(call)
        if function is not None and function.name.lstrip("_") == func.attr:
            return True
        cls = self.parents.get(function) if function is not None else None
        return isinstance(cls, ast.ClassDef) and any(
            (base := self.qualified_name(expr)) is not None and base.startswith("mlflow.store.") for expr in cls.bases
        )

    def _own_method(self, func: ast.Attribute) -> bool:
        """``self.get_latest_versions()`` where the enclosing class defines the method: a
        project wrapper's own method, not MLflow's."""
        if not isinstance(func.value, ast.Name):
            return False
        cls = self._class_of_self(func.value)
        if cls is None:
            return False
        scope = self.scopes.get(cls)
        return scope is not None and any(b.kind == "def" for b in scope.bindings.get(func.attr, []))

    def instance_class(self, expr: ast.AST, _depth: int = 0) -> str | None:
        """The known MLflow class ``expr`` is an instance of (``mlflow.MlflowClient``)."""
        if _depth > _MAX_DEPTH:
            return None
        if isinstance(expr, ast.Call):
            name = self.qualified_name(expr.func)
            if name is not None:
                known = api.INSTANCE_FACTORIES.get(name)
                if known is None and self.returned_class is not None and not api.is_mlflow(name):
                    return self.returned_class(expr, _depth + 1)  # a project function elsewhere
                return known
            return self._returned_class(expr, _depth + 1)
        if isinstance(expr, ast.Name):
            binding = self.lookup(expr.id, expr)
            if binding is None:
                return None
            if binding.kind == "assign" and binding.value is not None:
                found = self.instance_class(binding.value, _depth + 1)
                if found is None and binding.annotation is not None:
                    return self.annotation_class(binding.annotation, binding.node)
                return found
            if binding.kind in ("param", "annotation") and binding.annotation is not None and not self._says_nothing(binding.annotation, binding.node):
                return self.annotation_class(binding.annotation, binding.node)
            if binding.kind == "param" and self.parameter_class is not None:
                return self.parameter_class(binding, _depth + 1)
            if binding.kind == "import" and binding.qualified_name and self.imported_instance is not None:
                return self.imported_instance(binding.qualified_name) or None
            return None
        if isinstance(expr, ast.Attribute) and isinstance(expr.value, ast.Name):
            cls = self._class_of_self(expr.value)
            if cls is not None:
                return self._attribute_class(cls, expr.attr, _depth + 1)
        return None

    def _says_nothing(self, annotation: ast.expr, at: ast.AST) -> bool:
        """``Any``, ``object`` (also optional, or as a string): an annotation that names no
        class, so a parameter's class is still what its callers pass (``client: Any``)."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return False
            self.parents.setdefault(parsed, at)  # its names are looked up where it is written
            return self._says_nothing(parsed, parsed)
        named = annotated_class(annotation)
        return named is not None and self.qualified_name(named) in ("typing.Any", "typing_extensions.Any", "object")

    def annotation_class(self, annotation: ast.expr, at: ast.AST) -> str | None:
        """The known class an annotation names (``MlflowClient``, ``Optional[C]``, ``C | None``)."""
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                parsed = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return None
            # A string annotation's names are resolved as if written at the annotation.
            self.parents.setdefault(parsed, at)
            return self.annotation_class(parsed, parsed)
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return self.annotation_class(annotation.left, at) or self.annotation_class(annotation.right, at)
        if isinstance(annotation, ast.Subscript):
            outer = self.qualified_name(annotation.value)
            if outer in ("typing.Optional", "typing.Union", "typing_extensions.Optional"):
                inner = annotation.slice
                elements = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                for element in elements:
                    found = self.annotation_class(element, at)
                    if found is not None:
                        return found
            return None
        name = self.qualified_name(annotation)
        return name if name in api.KNOWN_CLASSES else None

    def _class_of_self(self, name: ast.Name) -> ast.ClassDef | None:
        binding = self.lookup(name.id, name)
        if binding is None or binding.kind != "param" or name.id not in ("self", "cls"):
            return None
        function = self.parents.get(self.parents.get(binding.node, binding.node), None)
        # binding.node is the ast.arg; its parent is ast.arguments, then the function.
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            cls = self.parents.get(function)
            if isinstance(cls, ast.ClassDef):
                return cls
        return None

    def _attribute_class(self, cls: ast.ClassDef, attr: str, depth: int) -> str | None:
        key = (cls, attr, depth)
        if key not in self._attribute_classes:
            self._attribute_classes[key] = self._find_attribute_class(cls, attr, depth)
        return self._attribute_classes[key]

    def _find_attribute_class(self, cls: ast.ClassDef, attr: str, depth: int) -> str | None:
        for value, _method in self.instance_attributes.get(cls, {}).get(attr, []):
            found = self.instance_class(value, depth)
            if found is not None:
                return found
        class_scope = self.scopes.get(cls)
        if class_scope is not None:
            for binding in class_scope.bindings.get(attr, []):
                if binding.annotation is not None:
                    found = self.annotation_class(binding.annotation, binding.node)
                    if found is not None:
                        return found
                if binding.kind == "assign" and binding.value is not None:
                    found = self.instance_class(binding.value, depth)
                    if found is not None:
                        return found
                if binding.kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)) and _is_property(binding.node):
                    found = self.function_return_class(binding.node, depth)
                    if found is not None:
                        return found
        return None

    def _returned_class(self, call: ast.Call, depth: int) -> str | None:
        """Instances returned by a function of this module (``get_client()``, ``self._client()``)."""
        function: ast.AST | None = None
        if isinstance(call.func, ast.Name):
            binding = self.lookup(call.func.id, call.func)
            if binding is not None and binding.kind == "def":
                function = binding.node
        elif isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name):
            cls = self._class_of_self(call.func.value)
            if cls is not None:
                scope = self.scopes.get(cls)
                for binding in (scope.bindings.get(call.func.attr, []) if scope else []):
                    if binding.kind == "def":
                        function = binding.node
        if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return self.function_return_class(function, depth)
        return None

    def function_return_class(self, function: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> str | None:
        key = (function, depth)
        if key not in self._return_classes:
            self._return_classes[key] = self._find_return_class(function, depth)
        return self._return_classes[key]

    def _find_return_class(self, function: ast.FunctionDef | ast.AsyncFunctionDef, depth: int) -> str | None:
        if function.returns is not None:
            found = self.annotation_class(function.returns, function)
            if found is not None:
                return found
        found_classes = set()
        for node in _own_returns(function):
            if node.value is None:
                continue
            found_classes.add(self.instance_class(node.value, depth + 1))
        found_classes.discard(None)
        return found_classes.pop() if len(found_classes) == 1 else None


def _is_none_placeholder(binding: Binding) -> bool:
    """``x = None`` (typically an ``except ImportError`` fallback) does not hide an import."""
    return (
        binding.kind == "assign"
        and isinstance(binding.value, ast.Constant)
        and binding.value.value is None
    )


def _is_property(function: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in function.decorator_list:
        name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", None)
        if name in ("property", "cached_property"):
            return True
    return False


def _own_returns(function: ast.AST) -> Iterator[ast.Return]:
    """Return statements of ``function`` itself, not of nested functions or classes."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Return):
            yield node
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        stack.extend(ast.iter_child_nodes(node))


# Each binder takes the node type it is listed under (Any: the key says which).
_BINDERS: dict[type[ast.AST], Callable[[SemanticModel, Any, Scope], Scope | None]] = {
    ast.Import: SemanticModel._bind_import,
    ast.ImportFrom: SemanticModel._bind_import_from,
    ast.Assign: SemanticModel._bind_assign,
    ast.AnnAssign: SemanticModel._bind_ann_assign,
    ast.AugAssign: SemanticModel._bind_aug_assign,
    ast.NamedExpr: SemanticModel._bind_named_expr,
    ast.FunctionDef: SemanticModel._bind_function,
    ast.AsyncFunctionDef: SemanticModel._bind_function,
    ast.Lambda: SemanticModel._bind_lambda,
    ast.ClassDef: SemanticModel._bind_class,
    ast.ListComp: SemanticModel._bind_comprehension,
    ast.SetComp: SemanticModel._bind_comprehension,
    ast.DictComp: SemanticModel._bind_comprehension,
    ast.GeneratorExp: SemanticModel._bind_comprehension,
    ast.With: SemanticModel._bind_with,
    ast.AsyncWith: SemanticModel._bind_with,
    ast.For: SemanticModel._bind_for,
    ast.AsyncFor: SemanticModel._bind_for,
    ast.ExceptHandler: SemanticModel._bind_except,
    ast.Global: SemanticModel._bind_global,
    ast.MatchAs: SemanticModel._bind_match_name,
    ast.MatchStar: SemanticModel._bind_match_name,
    ast.MatchMapping: SemanticModel._bind_match_mapping,
}
