"""Evaluation of string values: what URI or path can this expression hold?

An expression evaluates to a tuple of alternatives (``x or "./mlruns"``, ``a if c else b``,
``os.environ.get("X", "default")``), each a :class:`StrValue`: literal text interleaved
with :class:`Hole` s for the parts we cannot know (``f"runs:/{rid}/model"`` is
``"runs:/" <rid> "/model"``). An empty tuple means "unknown", and unknown never produces a
finding. Checks classify the alternatives with :mod:`mlflow_lint.analysis.uris`.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mlflow_lint.analysis.annotations import annotated_class
from mlflow_lint.analysis.api import is_mlflow
from mlflow_lint.analysis.caller_candidates import CallerScope
from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.memo import MemoKey, SyntaxKey
from mlflow_lint.analysis.secrets import mask_secrets
from mlflow_lint.analysis.semantic import Binding, SemanticModel, _own_returns

if TYPE_CHECKING:
    from mlflow_lint.analysis.module import AnalysedModule

_MAX_DEPTH = 16
_MAX_ALTERNATIVES = 16
# A dict looked up with a key that cannot be known holds any of its values: read so only up
# to this many entries (an environment's stage, a region's bucket), a bigger one is unknown.
_MAX_CHOICES = 64
# A key of a dict display whose value cannot be known (``{KEYS[0]: ...}``).
_UNKNOWN_KEY = object()
_GET = frozenset({"get"})
_ENV_GETTERS = frozenset({"os.environ.get", "os.getenv", "os.environ.setdefault"})
# Calls whose result is a local filesystem path whatever their arguments. Temporary
# directories are left out on purpose: a throwaway local store in tests is good practice.
_LOCAL_PATH_CALLS = frozenset(
    {
        "os.getcwd",
        "os.path.abspath",
        "os.path.realpath",
        "os.path.expanduser",
        "pathlib.Path.cwd",
        "pathlib.Path.home",
    }
)
_PATH_CLASSES = frozenset({"pathlib.Path", "pathlib.PosixPath", "pathlib.WindowsPath", "pathlib.PurePath"})
# Calls whose result is their one argument's text: ``str(x)``, and pydantic's secret
# wrappers (``SecretStr("...")``, a settings field's default), which only hide it from reprs.
_SAME_TEXT_CALLS = frozenset(
    {"str", "os.fspath", "os.path.normpath", "pydantic.SecretStr", "pydantic.types.SecretStr", "pydantic.v1.SecretStr", "pydantic.v1.types.SecretStr"}
)
# Methods whose result is their receiver's text (``secret.get_secret_value()``: pydantic).
_SAME_TEXT_METHODS = frozenset({"strip", "rstrip", "lstrip", "lower", "get_secret_value"})
_PERCENT_FIELD = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?[diouxXeEfFgGcrsa%]")


@dataclass(frozen=True)
class Hole:
    """A part of a string we cannot know statically; ``expr`` is where it comes from."""

    expr: ast.AST | None
    module: AnalysedModule | None = None

    def render(self) -> str:
        if self.expr is None:
            return "{…}"
        try:
            text = ast.unparse(self.expr)
        except Exception:  # noqa: BLE001 - rendering is best effort
            return "{…}"
        return "{" + (text if len(text) <= 40 else text[:39] + "…") + "}"


Part = str | Hole


@dataclass(frozen=True)
class StrValue:
    """One possible value of a string expression.

    ``local_path`` marks values known to be a local filesystem path although their text
    is unknown (``os.getcwd()``, ``Path(__file__).parent / "mlruns"``). ``path_object``
    marks ``pathlib`` objects whose location is unknown (``Path(download_dir)``): a path,
    but not known to be a raw storage location. ``via`` names the constant the value was
    read from, for messages.
    """

    parts: tuple[Part, ...]
    local_path: bool = False
    via: str | None = None
    path_object: bool = False

    @property
    def complete(self) -> bool:
        return all(isinstance(part, str) for part in self.parts)

    @property
    def text(self) -> str:
        """The literal text, holes removed (only meaningful when ``complete``)."""
        return "".join(part for part in self.parts if isinstance(part, str))

    @property
    def prefix(self) -> str:
        """The literal text before the first hole."""
        out = []
        for part in self.parts:
            if not isinstance(part, str):
                break
            out.append(part)
        return "".join(out)

    def render(self) -> str:
        """The value for messages: holes as ``{expr}``, secrets masked (analysis.secrets)."""
        body = "".join(part if isinstance(part, str) else part.render() for part in self.parts)
        body = mask_secrets(body)
        rendered = repr(body) if len(body) <= 80 else repr(body[:79] + "…")
        return f"{rendered} via {self.via}" if self.via else rendered

    def holes(self) -> list[Hole]:
        return [part for part in self.parts if isinstance(part, Hole)]


def literal(text: str) -> StrValue:
    return StrValue((text,))


def _concat(left: StrValue, right: StrValue) -> StrValue:
    parts: list[Part] = []
    for part in left.parts + right.parts:
        if isinstance(part, str) and parts and isinstance(parts[-1], str):
            parts[-1] = parts[-1] + part
        elif part != "":
            parts.append(part)
    return StrValue(tuple(parts), local_path=left.local_path, via=_join_via(left.via, right.via), path_object=left.path_object)


def _join_via(left: str | None, right: str | None) -> str | None:
    """Both sources of a joined value: ``models:/{name}/{stage}`` with both defaulted comes
    "via the default of name and the default of stage", not via the first alone."""
    if left and right and left != right:
        return f"{left} and {right}"
    return left or right


def _product(chunks: list[tuple[StrValue, ...]]) -> tuple[StrValue, ...]:
    results: list[StrValue] = [StrValue(())]
    for alternatives in chunks:
        results = [_concat(done, alt) for done in results for alt in alternatives][:_MAX_ALTERNATIVES]
    return tuple(results)


class ValueEvaluator:
    """Evaluates string expressions of one module."""

    def __init__(self, module: AnalysedModule) -> None:
        self.module = module
        self.model = module.model

    def evaluate(self, expr: ast.AST | None, _depth: int = 0) -> tuple[StrValue, ...]:
        if expr is None or _depth > _MAX_DEPTH:
            return ()
        try:
            return self._evaluate(expr, _depth)[:_MAX_ALTERNATIVES]
        except RecursionError:
            return ()

    def _hole(self, expr: ast.AST) -> tuple[StrValue, ...]:
        return (StrValue((Hole(expr, self.module),)),)

    def _evaluate(self, expr: ast.AST, depth: int) -> tuple[StrValue, ...]:
        if isinstance(expr, ast.Constant):
            return (literal(expr.value),) if isinstance(expr.value, str) else ()
        if isinstance(expr, ast.JoinedStr):
            return self._fstring(expr, depth)
        if isinstance(expr, ast.BinOp):
            return self._binop(expr, depth)
        if isinstance(expr, ast.BoolOp) and isinstance(expr.op, ast.Or):
            out: list[StrValue] = []
            last = expr.values[-1]
            for value in expr.values:
                alternatives = self.evaluate(value, depth + 1) or self._hole(value)
                if value is not last and all(v.complete and not v.text for v in alternatives):
                    continue  # "" or x is x
                out.extend(alternatives)
                if all(v.complete and v.text for v in alternatives):
                    break  # a non-empty string ends the or: init("http://a") with uri or os.getenv(...)
            return tuple(out) if any(v.parts and not _only_hole(v) for v in out) else ()
        if isinstance(expr, ast.IfExp):
            return self.evaluate(expr.body, depth + 1) + self.evaluate(expr.orelse, depth + 1)
        if isinstance(expr, ast.Name):
            return self._name(expr, depth)
        if isinstance(expr, ast.Attribute):
            return self._attribute(expr, depth)
        if isinstance(expr, ast.Subscript):
            return self._subscript(expr, depth)
        if isinstance(expr, ast.Call):
            return self._call(expr, depth)
        return ()

    # -- composite strings ------------------------------------------------------------
    def _fstring(self, expr: ast.JoinedStr, depth: int) -> tuple[StrValue, ...]:
        chunks: list[tuple[StrValue, ...]] = []
        for value in expr.values:
            if isinstance(value, ast.Constant) and isinstance(value.value, str):
                chunks.append((literal(value.value),))
            elif isinstance(value, ast.FormattedValue):
                chunks.append(self._interpolated(value.value, value.format_spec is None and value.conversion == -1, depth))
            else:
                chunks.append(self._hole(value))
        return _product(chunks)

    def _interpolated(self, inner: ast.AST, plain: bool, depth: int) -> tuple[StrValue, ...]:
        """An interpolated expression: each value it may hold, as a concatenation reads its
        operands (``f"models:/{NAME}/{STAGE}"`` with ``STAGE = os.getenv("STAGE",
        "Production")`` may be ``.../Production``); a hole when none is known."""
        if plain:
            number = self._number(inner, depth)
            if number is not None:
                return (literal(number),)
            known = self.evaluate(inner, depth + 1)
            if known and not all(_only_hole(value) for value in known):
                # f"{root}/MLmodel" with root = f"s3://{bucket}" keeps the known prefix.
                return tuple(replace(value, path_object=False) for value in known)
        return self._hole(inner)

    def number(self, expr: ast.AST) -> str | None:
        """The text of the integer ``expr`` holds (``3``, ``VERSION`` with ``VERSION = 3``,
        a parameter the call under analysis binds to one), or None."""
        return self._number(expr, 0)

    def _number(self, expr: ast.AST, depth: int) -> str | None:
        """The text of an integer constant (``VERSION = 7`` in ``f"models:/m/{VERSION}"``)."""
        value = self.model.assigned_value(expr, _MAX_DEPTH - depth)
        if isinstance(value, ast.Constant) and isinstance(value.value, int) and not isinstance(value.value, bool):
            return str(value.value)
        if isinstance(value, ast.Name) and depth < _MAX_DEPTH:
            # A parameter: the number the call under analysis passes (analysis.flow).
            binding = self.model.lookup(value.id, value)
            if binding is not None and binding.kind == "import" and binding.qualified_name and self.module.project is not None:
                # VERSION imported from a project module that assigns it (as _imported).
                constant = self.module.project.resolve_constant(self.module.path, binding.qualified_name)
                return constant[0].values._number(constant[1], depth + 1) if constant is not None else None
            if binding is not None and binding.kind == "param":
                from mlflow_lint.analysis import flow  # (cycle-free at runtime)

                found = flow.frame_argument(self.module, binding)
                if found is not None:
                    return found[0].caller.values._number(found[1], depth + 1)
        return None

    def _binop(self, expr: ast.BinOp, depth: int) -> tuple[StrValue, ...]:
        if isinstance(expr.op, ast.Add):
            left = self.evaluate(expr.left, depth + 1)
            right = self.evaluate(expr.right, depth + 1)
            if not left and not right:
                return ()
            return _product([left or self._hole(expr.left), right or self._hole(expr.right)])
        if isinstance(expr.op, ast.Div):
            # pathlib: Path("/opt") / "models" is a local path.
            left = self.evaluate(expr.left, depth + 1)
            if left and all(v.local_path or v.path_object for v in left):
                right = self.evaluate(expr.right, depth + 1) or self._hole(expr.right)
                return tuple(
                    replace(_concat(_concat(a, literal("/")), b), local_path=a.local_path, path_object=a.path_object)
                    for a in left
                    for b in right
                )[:_MAX_ALTERNATIVES]
            return ()
        if isinstance(expr.op, ast.Mod):
            templates = self.evaluate(expr.left, depth + 1)
            if len(templates) != 1 or not templates[0].complete:
                return ()
            args = expr.right.elts if isinstance(expr.right, ast.Tuple) else [expr.right]
            return self._fill(_split_percent(templates[0].text), args, {}, depth)
        return ()

    def _fill(
        self,
        pieces: list[str | _Field],
        positional: list[ast.expr],
        keywords: dict[str, ast.expr],
        depth: int,
    ) -> tuple[StrValue, ...]:
        """Substitute template fields (ints: positional index; ``None``: unknown)."""
        chunks: list[tuple[StrValue, ...]] = []
        for piece in pieces:
            if isinstance(piece, _Field):
                arg: ast.expr | None = None
                if isinstance(piece.key, int) and piece.key < len(positional):
                    arg = positional[piece.key]
                elif isinstance(piece.key, str):
                    arg = keywords.get(piece.key)
                chunks.append(self._interpolated(arg, True, depth) if arg is not None else (StrValue((Hole(None),)),))
            else:
                chunks.append((literal(str(piece)),))
        return _product(chunks)

    # -- names and attributes ------------------------------------------------------------
    def _name(self, expr: ast.Name, depth: int) -> tuple[StrValue, ...]:
        values = self._name_values(expr, depth)
        if values and expr.id in self.module.syntax_memo(_PREFIX_TESTED, _prefix_tested_names):
            return self._narrowed(expr, values)
        return values

    def _narrowed(self, name: ast.Name, values: tuple[StrValue, ...]) -> tuple[StrValue, ...]:
        """The values a name may hold where it is read, under the ``if`` tests of its own
        function that check its prefix: in ``if uri.startswith(("runs:/", "models:/")):`` it
        holds only values that may start so, in the ``else`` branch only those that may
        not (``joblib.load(uri)`` there never sees a registry URI). A test on another
        binding of the name (reassigned in between) narrows nothing."""
        child: ast.AST = name
        for ancestor in self.model.ancestors(name):
            if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
                break
            if isinstance(ancestor, ast.If) and child is not ancestor.test:
                found = _prefix_test(ancestor.test, name.id)
                if found is not None and self._same_binding(name, found[1]):
                    prefixes, _, holds = found
                    starts_here = holds if child in ancestor.body else not holds
                    if starts_here:
                        values = tuple(v for v in values if _may_start(v, prefixes))
                    else:
                        values = tuple(v for v in values if not _surely_starts(v, prefixes))
            child = ancestor
        return values

    def _same_binding(self, name: ast.Name, tested: ast.Name) -> bool:
        here = self.model.bindings_reaching(name.id, name)
        return bool(here) and [id(b.node) for b in here] == [id(b.node) for b in self.model.bindings_reaching(tested.id, tested)]

    def _name_values(self, expr: ast.Name, depth: int) -> tuple[StrValue, ...]:
        binding = self.model.lookup(expr.id, expr)
        if binding is None:
            if expr.id == "__file__":
                return (StrValue((Hole(expr, self.module),), local_path=True),)
            return ()
        if binding.kind == "assign" and binding.value is not None:
            values = self.evaluate(binding.value, depth + 1)
            if _is_constant_name(expr.id):
                # Name the constant the user wrote, the outermost one, in messages.
                return tuple(replace(v, via=expr.id) for v in values)
            return values
        if binding.kind == "import" and binding.qualified_name:
            return self._imported(binding.qualified_name, expr.id, depth)
        loop = self.model.loop_of(binding)
        if loop is not None:
            return self._loop_values(loop, depth)
        if binding.kind == "param":
            found = self._parameter(binding, depth)
            if not found and isinstance(binding.node, ast.arg) and self._annotated_path(binding.node):
                # ``out: Path`` whose value is not known is still a path (its ``as_uri()``
                # a file:// URI), not known to be a raw storage location.
                return (StrValue((Hole(expr, self.module),), path_object=True),)
            return found
        if binding.kind == "other" and isinstance(binding.node, ast.Assign) and isinstance(binding.node.value, ast.Call):
            unpacked = _unpacked_position(binding.node, expr.id)
            if unpacked is not None:
                return self._returned(binding.node.value, depth, element=unpacked)
        return ()

    def _parameter(self, binding: Binding, depth: int) -> tuple[StrValue, ...]:
        """A parameter: the argument the call under analysis passes (analysis.flow), else
        its default, else unknown."""
        from mlflow_lint.analysis import flow  # (cycle-free at runtime)

        found = flow.frame_argument(self.module, binding)
        if found is not None:
            frame, argument = found
            return frame.caller.values.evaluate(argument, depth + 1)
        if flow.parameter_unknown(self.module, binding) or not isinstance(binding.node, ast.arg):
            return ()
        function = flow.function_of_parameter(self.module, binding)
        default = flow.parameter_default(function, binding.node) if function is not None else None
        if default is None:
            return ()
        values = self.evaluate(default, depth + 1)
        if values and isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)) and self._default_never_used(function, binding.node):
            return ()  # every call passes its own value: each is judged where it is made
        return tuple(replace(v, via=v.via or f"the default of {binding.name}") for v in values)

    def _annotated_path(self, parameter: ast.arg) -> bool:
        """A parameter annotated ``Path`` (also ``Optional[Path]``, ``Path | None``)."""
        named = annotated_class(parameter.annotation) if parameter.annotation is not None else None
        return named is not None and self.model.qualified_name(named) in _PATH_CLASSES

    def _default_never_used(self, function: ast.FunctionDef | ast.AsyncFunctionDef, parameter: ast.arg) -> bool:
        """Whether no call of the project leaves ``parameter`` out (analysis.callers)."""
        from mlflow_lint.analysis.callers import default_never_used  # (cycle-free at runtime)

        project = self.module.project
        scope = project.caller_scope if project is not None else None
        return default_never_used(self.module, function, parameter, scope or CallerScope())

    def _loop_values(self, loop: ast.For | ast.AsyncFor, depth: int) -> tuple[StrValue, ...]:
        """``for alias in ["staging-champion", "champion"]``: each value the loop variable
        takes, when it iterates over a literal list, tuple or set (directly or through a
        name bound to one). A value that cannot be known makes the whole unknown."""
        items = self.model.assigned_value(loop.iter, _MAX_DEPTH - depth)
        if not isinstance(items, (ast.List, ast.Tuple, ast.Set)) or any(isinstance(e, ast.Starred) for e in items.elts):
            return ()
        out: list[StrValue] = []
        for element in items.elts:
            values = self.evaluate(element, depth + 1)
            if not values:
                return ()
            out.extend(values)
        return tuple(out)

    def _imported(self, qualified_name: str, shown: str, depth: int) -> tuple[StrValue, ...]:
        project = self.module.project
        if project is None:
            return ()
        found = project.resolve_constant(self.module.path, qualified_name)
        if found is None:
            return ()
        other, value = found
        values = other.values.evaluate(value, depth + 1)
        return tuple(replace(v, via=shown) for v in values)

    def _ancestor(self, expr: ast.expr, path: ast.expr, depth: int) -> tuple[StrValue, ...]:
        """``expr``, an ancestor directory of ``path`` (``.parent``, ``.parents[1]``): a local
        path's stays local, at a place not known (shown as written)."""
        receiver = self.evaluate(path, depth + 1)
        if receiver and all(v.local_path or v.path_object for v in receiver):
            return tuple(StrValue((Hole(expr, self.module),), local_path=v.local_path, path_object=v.path_object) for v in receiver)
        return ()

    def _attribute(self, expr: ast.Attribute, depth: int) -> tuple[StrValue, ...]:
        if expr.attr == "parent":  # Path(__file__).parent stays local
            ancestor = self._ancestor(expr, expr.value, depth)
            if ancestor:
                return ancestor
        # settings.TRACKING_URI where ``settings`` is a project module
        raw = self.model._raw_qualified_name(expr, 0)
        if raw is not None and not is_mlflow(raw) and not raw.startswith("os."):
            imported = self._imported(raw, ast.unparse(expr), depth)
            if imported:
                return imported
        # Config.MODEL_URI (class constant) and self.model_uri (set once in the class)
        if isinstance(expr.value, ast.Name):
            cls = self._class_named(expr.value)
            if cls is not None:
                field = self._class_field(cls, expr.attr)
                if field is not None:
                    value, constant = field
                    values = self.evaluate(value, depth + 1)
                    return tuple(replace(v, via=ast.unparse(expr)) for v in values) if constant else values
            else:
                # settings.tracking_uri with settings = Settings() (here or imported), or a
                # parameter annotated Settings
                found = self._instance_field(expr, depth)
                if found:
                    return found
            return self._command_line_option(expr, expr.value, depth)
        if isinstance(expr.value, (ast.Call, ast.Attribute)):
            # Settings().tracking_uri, config.settings.tracking_uri
            return self._instance_field(expr, depth)
        return ()

    def _instance_field(self, expr: ast.Attribute, depth: int) -> tuple[StrValue, ...]:
        """A field of an object of a project class (of each object it may be: the returns of
        a factory): the keyword of the constructor call that sets it, else its class-level
        default (analysis.instances); unknown otherwise."""
        from mlflow_lint.analysis.instances import field_sources, instance_of  # (cycle-free at runtime)

        instance = instance_of(self.module, expr.value, depth + 1)
        sources = field_sources(instance, expr.attr) if instance is not None else None
        found: list[StrValue] = []
        for source in sources or ():
            values = source.module.values.evaluate(source.expr, depth + 1) if not source.made else ()
            if not values:
                return ()  # one object whose field is unknown makes the whole unknown
            if source.environment:
                found.extend(self._hole(expr))  # what the environment sets, else the default
            found.extend(replace(v, via=v.via or source.via) for v in values)
        return tuple(found)

    def _command_line_option(self, expr: ast.Attribute, namespace: ast.Name, depth: int) -> tuple[StrValue, ...]:
        """``args.tracking_uri`` where ``args = parser.parse_args()``: what the command line
        gives (unknown), or the ``default=`` of the ``add_argument`` whose destination it is,
        as ``os.environ.get``'s default is the value when the variable is unset. A required
        option has no default that applies."""
        bindings = self.model.bindings_reaching(namespace.id, namespace)
        parsers = [_parser_parsed(self.model, b.value) if b.kind == "assign" and b.value is not None else None for b in bindings]
        known = [parser for parser in parsers if parser is not None]
        if not bindings or len(known) != len(parsers):
            return ()
        options = self.module.syntax_memo(_OPTIONS, _options_by_parser)
        found: list[StrValue] = []
        for call, written in (entry for parser in dict.fromkeys(known) for entry in options.get(parser, {}).get(expr.attr, ())):
            default = argument(call, None, "default")
            if default is not None and not _keyword_is(call, "required", True):
                found.extend(replace(v, via=v.via or f"the default of {written}") for v in self.evaluate(default, depth + 1))
        return self._hole(expr) + tuple(found) if found else ()

    def _class_field(self, cls: ast.ClassDef, attr: str) -> tuple[ast.expr, bool] | None:
        """The one expression ``cls`` gives ``attr``, and whether it is a class-level constant
        (``MODEL_URI = "..."`` in the class body) rather than set once on ``self``; None when
        it gives none or several."""
        scope = self.model.scopes.get(cls)
        bindings = scope.bindings.get(attr, []) if scope else []
        assigned = [b.value for b in bindings if b.kind == "assign" and b.value is not None]
        if len(assigned) == 1:
            return assigned[0], True
        attributes = self.model.instance_attributes.get(cls, {}).get(attr, [])
        if len(attributes) == 1 and not assigned:
            return attributes[0][0], False
        return None

    def _class_named(self, name: ast.Name) -> ast.ClassDef | None:
        binding = self.model.lookup(name.id, name)
        if binding is None:
            return None
        if binding.kind == "class" and isinstance(binding.node, ast.ClassDef):
            return binding.node
        return self.model._class_of_self(name)

    def _subscript(self, expr: ast.Subscript, depth: int) -> tuple[StrValue, ...]:
        """``CONFIG["tracking_uri"]`` where CONFIG is a dict display (a constant of this module
        or imported from another module of the project, ``config.PARAMS["version"]``, a
        class's attribute, a local): the value its key selects (:meth:`_looked_up`)."""
        if isinstance(expr.slice, ast.Slice):
            return ()
        if isinstance(expr.value, ast.Attribute) and expr.value.attr == "parents":
            # Path(__file__).resolve().parents[1]: an ancestor, as ``.parent.parent`` is.
            return self._ancestor(expr, expr.value.value, depth)
        found = self._dict_constant(expr.value)
        return (self._looked_up(expr, found, expr.slice, None, depth) or ()) if found is not None else ()

    def _looked_up(
        self,
        expr: ast.expr,
        found: tuple[AnalysedModule, ast.Dict],
        key: ast.expr,
        default: ast.expr | None,
        depth: int,
    ) -> tuple[StrValue, ...] | None:
        """What ``expr``, a lookup of ``key`` in the dict display ``found``, may hold: the
        value a known key selects; any of the values when the key is not known
        (``STAGE_FOR_ENV[env]`` is ``"Staging"`` or ``"Production"``, as ``a if c else b`` is
        either); with ``default`` (``mapping.get(key, default)``), also the default where the
        key may be missing. A missing key of a subscript raises, and selects nothing; a
        ``None`` (a value, or ``.get``'s own default) is no string, and adds no alternative,
        as in ``x if c else None``. None when not known: one value that cannot be known, or
        a choice the dict does not offer (:meth:`_selection`)."""
        module, container = found
        selection = self._selection(module, container, key, depth)
        if selection is None:
            return None
        entries, may_miss, choice = selection
        values: list[StrValue] = []
        for entry in entries:
            if _is_none(entry):
                continue
            known = module.values.evaluate(entry, depth + 1)
            if not known:
                return None
            values.extend(known)
        if choice or module is not self.module:
            # Name where the value was chosen or read (``'Production' via STAGES[env]``).
            values = [replace(v, via=v.via or ast.unparse(expr)) for v in values]
        if may_miss and default is not None and not _is_none(default):
            values.extend(self.evaluate(default, depth + 1) or self._hole(default))
        return tuple(dict.fromkeys(values))

    def _selection(
        self, module: AnalysedModule, container: ast.Dict, key: ast.expr, depth: int
    ) -> tuple[list[ast.expr], bool, bool] | None:
        """(the values ``key`` may select from ``container``, whether it may be missing from
        it, whether it is a choice: a key not known); None when that cannot be known: a key
        of the dict or a ``**`` part that might be the one asked for, or a key not known
        where the dict is no table of alternatives (:meth:`_is_table`)."""
        wanted = self._key_options(key, depth)
        if wanted is None:
            return (list(container.values), True, True) if self._is_table(module, container) else None
        # A key written as an expression is evaluated only in a dict of a few entries.
        small = len(container.keys) <= _MAX_CHOICES
        keys = [module.values._key_option(k, depth) if k is not None and (small or isinstance(k, ast.Constant)) else _UNKNOWN_KEY for k in container.keys]
        entries: list[ast.expr] = []
        may_miss = False
        for option in wanted:
            # The last entry of a key is the one the dict keeps; an unknown key after it
            # (or anywhere, when it has none) might be the one asked for.
            index = next((i for i in reversed(range(len(keys))) if keys[i] is _UNKNOWN_KEY or keys[i] == option), None)
            if index is not None and keys[index] is _UNKNOWN_KEY:
                return None
            if index is None:
                may_miss = True
            else:
                entries.append(container.values[index])
        return entries, may_miss, False

    def _is_table(self, module: AnalysedModule, container: ast.Dict) -> bool:
        """Whether a key that is not known selects one of ``container``'s values as one of
        several alternatives for one setting (``{"dev": "Staging", "prod": "Production"}``):
        a dict of at most ``_MAX_CHOICES`` entries with no ``**`` part, that neither its own
        module nor the one looking it up reads or writes by a constant key. A dict read so
        (``JUDGE["prompt"]``, ``JUDGE.get("version")``) is a record of distinct fields (a
        name, a version, an alias): a key not known picks a field the code does not name,
        not an alternative the code chose between (policy)."""
        if not container.keys or len(container.keys) > _MAX_CHOICES or any(k is None for k in container.keys):
            return False
        return all(container not in place.base.memo(_RECORDS, _records) for place in (module, self.module))

    def _key_options(self, key: ast.expr, depth: int) -> list[object] | None:
        """The keys ``key`` may be (a constant of any type, each string it may hold, an
        integer), or None when one of them cannot be known."""
        written = self.model.assigned_value(key, _MAX_DEPTH - depth)
        if isinstance(written, ast.Constant):
            return [written.value]
        texts = self.evaluate(key, depth + 1)
        if texts:
            return [v.text for v in texts] if all(v.complete for v in texts) else None
        number = self._number(key, depth)
        return [int(number)] if number is not None else None

    def _key_option(self, key: ast.expr, depth: int) -> object:
        """The one key a dict display's ``key`` is, or ``_UNKNOWN_KEY``."""
        if isinstance(key, ast.Constant):
            return key.value
        options = self._key_options(key, depth)
        return options[0] if options is not None and len(options) == 1 else _UNKNOWN_KEY

    def _dict_constant(self, container: ast.expr) -> tuple[AnalysedModule, ast.Dict] | None:
        """The dict display a name, a class's attribute or a module attribute denotes, and the
        module it is in."""
        module = self.module
        for _ in range(4):
            if isinstance(container, ast.Dict):
                return module, container
            qualified: str | None = None
            if isinstance(container, ast.Name):
                binding = module.model.lookup(container.id, container)
                if binding is not None and binding.kind == "assign" and binding.value is not None:
                    container = binding.value
                    continue
                if binding is not None and binding.kind == "import":
                    qualified = binding.qualified_name
            elif isinstance(container, ast.Attribute):
                # Config.STAGES (a class constant) and self.stages (set once in the class)
                cls = module.values._class_named(container.value) if isinstance(container.value, ast.Name) else None
                if cls is not None:
                    field = module.values._class_field(cls, container.attr)
                    if field is None:
                        return None
                    container = field[0]
                    continue
                qualified = module.model._raw_qualified_name(container, 0)
            if qualified is None or is_mlflow(qualified) or module.project is None:
                return None
            resolved = module.project.resolve_constant(module.path, qualified)
            if resolved is None:
                return None
            module, container = resolved
        return None

    # -- calls ---------------------------------------------------------------------------
    def _call(self, expr: ast.Call, depth: int) -> tuple[StrValue, ...]:
        name = self.model.qualified_name(expr.func)
        if name in _ENV_GETTERS:
            default = argument(expr, 1, "default")
            environment = self._hole(expr)
            return environment + self.evaluate(default, depth + 1) if default is not None else environment
        operand = same_text_operand(self.model, expr)
        if operand is not None:
            return self.evaluate(operand, depth + 1)
        if name in _LOCAL_PATH_CALLS:
            return (StrValue((Hole(expr, self.module),), local_path=True),)
        if name == "os.path.join" and expr.args:
            first = self.evaluate(expr.args[0], depth + 1)
            chunks: list[tuple[StrValue, ...]] = [first or self._hole(expr.args[0])]
            for arg in expr.args[1:]:
                chunks.append((literal("/"),))
                chunks.append(self.evaluate(arg, depth + 1) or self._hole(arg))
            return tuple(replace(v, local_path=v.local_path or _looks_local(first)) for v in _product(chunks))
        if name in _PATH_CLASSES:
            # Path("mlruns") is a local path; Path(some_download_dir) is a path object whose
            # location is unknown (often a copy MLflow itself just downloaded).
            if not expr.args:
                return (StrValue((Hole(expr, self.module),), local_path=True),)
            inner = self.evaluate(expr.args[0], depth + 1)
            if inner and all(not _only_hole(v) or v.local_path for v in inner):
                return tuple(replace(v, local_path=True) for v in inner)
            return (StrValue((Hole(expr, self.module),), path_object=True),)
        func = expr.func
        if isinstance(func, ast.Attribute):
            if func.attr == "get" and 1 <= len(expr.args) <= 2 and not expr.keywords and not any(isinstance(a, ast.Starred) for a in expr.args):
                # ``STAGE_FOR_ENV.get(env, "Staging")`` on a dict display: as a subscript,
                # with the default (or None) where the key may be missing.
                mapping = self._dict_constant(func.value)
                found = self._looked_up(expr, mapping, expr.args[0], expr.args[1] if len(expr.args) == 2 else None, depth) if mapping else None
                if found is not None:
                    return found
            receiver = self.evaluate(func.value, depth + 1)
            if func.attr == "format" and len(receiver) == 1 and receiver[0].complete:
                keywords = {kw.arg: kw.value for kw in expr.keywords if kw.arg}
                return self._fill(_split_format(receiver[0].text), list(expr.args), keywords, depth)
            if receiver and all(v.local_path or v.path_object for v in receiver):
                if func.attr == "as_uri":  # always a file:// URI
                    return (StrValue(("file://", Hole(func.value, self.module))),)
                if func.attr in ("resolve", "absolute", "expanduser", "joinpath", "with_name", "with_suffix"):
                    return receiver
            if func.attr == "get" and len(expr.args) == 2 and not expr.keywords and self.model.qualified_name(func.value) is None:
                # A mapping's lookup with a fallback (``config.get("tracking_uri", "./mlruns")``):
                # unknown, or the fallback when the key is missing, as os.environ.get is. Not
                # a module's function (``requests.get(url, params)``), whose name resolves.
                fallback = self.evaluate(expr.args[1], depth + 1)
                if fallback:
                    return self._hole(expr) + fallback
        return self._returned(expr, depth)

    def _returned(self, call: ast.Call, depth: int, element: tuple[int, int] | None = None) -> tuple[StrValue, ...]:
        """What a project function returns: its ``return`` values, or a ``-> Path`` annotation.
        ``element``: (index, count) of the name a tuple assignment unpacks from the result
        (``_, uri = paths()``): that item of each returned tuple of ``count`` items."""
        from mlflow_lint.analysis.effects import resolve_called_function  # (cycle-free at runtime)

        target = resolve_called_function(self.module, call)
        if target is None:
            return ()
        module, function = target
        if element is None and function.returns is not None and module.model.qualified_name(function.returns) in _PATH_CLASSES:
            return (StrValue((Hole(call, self.module),), path_object=True),)
        returns = [node.value for node in _own_returns(function) if node.value is not None]
        if not returns or len(returns) > 4:
            return ()
        if element is not None:
            index, count = element
            if not all(isinstance(value, ast.Tuple) and len(value.elts) == count for value in returns):
                return ()  # a tuple built elsewhere, or of another shape: unknown
            returns = [value.elts[index] for value in returns if isinstance(value, ast.Tuple)]
            if any(isinstance(value, ast.Starred) for value in returns):
                return ()
        # The returns read the call's arguments (``normalize(uri)`` returning ``uri``): they
        # are evaluated with the function's parameters bound to them, as a frame binds them.
        evaluator, bound = module.values, None
        if call.args or call.keywords:
            from mlflow_lint.analysis import flow  # (cycle-free at runtime)
            from mlflow_lint.analysis.call_frames import is_method_call

            arguments, opaque = flow.bind_arguments(call, function, is_method_call(function, module, call, self.module))
            bound = flow.bound_module(module, flow.Frame(self.module, call, function, arguments, opaque, self.module.frame))
            evaluator = bound.values
        try:
            values: list[StrValue] = []
            for value in returns:
                found = evaluator.evaluate(value, depth + 1)
                if not found:
                    return ()  # one unknown return makes the whole result unknown
                values.extend(found)
            return tuple(values)
        finally:
            if bound is not None:
                flow.dispose(bound)


def same_text_operand(model: SemanticModel, call: ast.Call) -> ast.expr | None:
    """The expression whose text ``call`` returns unchanged: ``str(x)``, ``SecretStr(x)``,
    ``x.strip()``, ``x.get_secret_value()``; None for any other call."""
    if model.qualified_name(call.func) in _SAME_TEXT_CALLS:
        return call.args[0] if len(call.args) == 1 and not call.keywords else None
    if isinstance(call.func, ast.Attribute) and call.func.attr in _SAME_TEXT_METHODS and not (call.args or call.keywords):
        return call.func.value
    return None


def _unpacked_position(assignment: ast.Assign, name: str) -> tuple[int, int] | None:
    """(index, count) of ``name`` in a flat tuple target of ``assignment`` (``a, b = f()``);
    None for a starred or nested target, which makes the item's position unknown."""
    for target in assignment.targets:
        if not isinstance(target, (ast.Tuple, ast.List)) or any(not isinstance(e, ast.Name) for e in target.elts):
            continue
        for index, item in enumerate(target.elts):
            if isinstance(item, ast.Name) and item.id == name:
                return index, len(target.elts)
    return None


class _Field:
    """A template field: ``key`` is a positional index, a keyword name, or None."""

    __slots__ = ("key",)

    def __init__(self, key: int | str | None) -> None:
        self.key = key


def _split_format(template: str) -> list[str | _Field]:
    pieces: list[str | _Field] = []
    auto = 0
    try:
        import string

        for text, field_name, _spec, _conv in string.Formatter().parse(template):
            if text:
                pieces.append(text)
            if field_name is None:
                continue
            if field_name == "":
                pieces.append(_Field(auto))
                auto += 1
            elif field_name.isdigit():
                pieces.append(_Field(int(field_name)))
            elif field_name.isidentifier():
                pieces.append(_Field(field_name))
            else:
                pieces.append(_Field(None))
    except ValueError:
        return [template]
    return pieces


def _split_percent(template: str) -> list[str | _Field]:
    pieces: list[str | _Field] = []
    index = 0
    position = 0
    for match in _PERCENT_FIELD.finditer(template):
        pieces.append(template[position : match.start()])
        if match.group() == "%%":
            pieces.append("%")
        else:
            pieces.append(_Field(index))
            index += 1
        position = match.end()
    pieces.append(template[position:])
    return [p for p in pieces if p != ""]


# Per module: the dict displays it reads or writes by a constant key (records, not tables:
# ValueEvaluator._is_table). Asked only for a lookup by a key that is not known.
_RECORDS: MemoKey[frozenset[ast.Dict]] = MemoKey("dicts_keyed_by_constants")


def _records(module: AnalysedModule) -> frozenset[ast.Dict]:
    containers = [node.value for node in module.model.nodes_of(ast.Subscript) if isinstance(node.slice, ast.Constant)]
    containers += [
        call.func.value
        for call in module.model.calls_named(_GET)
        if isinstance(call.func, ast.Attribute) and call.args and isinstance(call.args[0], ast.Constant)
    ]
    found = (module.values._dict_constant(container) for container in containers)
    return frozenset(pair[1] for pair in found if pair is not None)


def _is_none(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _only_hole(value: StrValue) -> bool:
    return len(value.parts) == 1 and isinstance(value.parts[0], Hole) and not value.local_path and not value.path_object


def _looks_local(values: Iterable[StrValue]) -> bool:
    return any(v.local_path or v.prefix.startswith(("/", "./", "../", "~")) for v in values)


# The names some ``if`` of the module tests with ``.startswith(...)``: only their reads are
# narrowed (a climb through the enclosing ifs of every read would be quadratic in an elif chain).
_PREFIX_TESTED: SyntaxKey[frozenset[str]] = SyntaxKey("prefix_tested_names")


def _prefix_tested_names(module: AnalysedModule) -> frozenset[str]:
    return frozenset(
        node.func.value.id
        for if_node in module.model.nodes_of(ast.If)
        for node in ast.walk(if_node.test)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Attribute)
        and node.func.attr == "startswith"
        and isinstance(node.func.value, ast.Name)
    )


def _prefix_test(test: ast.expr, name: str) -> tuple[tuple[str, ...], ast.Name, bool] | None:
    """``name.startswith("p")`` (a tuple of prefixes too), ``a or b`` of such tests on the
    same name, or ``not`` one: (the prefixes, the name as tested, whether the test holding
    means it starts so); None for any other test."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        found = _prefix_test(test.operand, name)
        return None if found is None else (found[0], found[1], not found[2])
    if isinstance(test, ast.BoolOp) and isinstance(test.op, ast.Or):
        parts = [_prefix_test(value, name) for value in test.values]
        if not all(part is not None and part[2] for part in parts):
            return None
        known = [part for part in parts if part is not None]
        return tuple(p for part in known for p in part[0]), known[0][1], True
    if not (
        isinstance(test, ast.Call)
        and isinstance(test.func, ast.Attribute)
        and test.func.attr == "startswith"
        and isinstance(test.func.value, ast.Name)
        and test.func.value.id == name
        and len(test.args) == 1
        and not test.keywords
    ):
        return None
    argument_node = test.args[0]
    elements = argument_node.elts if isinstance(argument_node, ast.Tuple) else [argument_node]
    prefixes = [e.value for e in elements if isinstance(e, ast.Constant) and isinstance(e.value, str)]
    if len(prefixes) != len(elements) or not prefixes:
        return None
    return tuple(prefixes), test.func.value, True


def _may_start(value: StrValue, prefixes: tuple[str, ...]) -> bool:
    """Whether the value may start with one of ``prefixes``: its known beginning agrees."""
    known = value.prefix
    return any(known.startswith(p) or (not value.complete and p.startswith(known)) for p in prefixes)


def _surely_starts(value: StrValue, prefixes: tuple[str, ...]) -> bool:
    return any(value.prefix.startswith(p) for p in prefixes)


_ADD_ARGUMENT = frozenset({"add_argument"})
_ARGUMENT_PARSER = "argparse.ArgumentParser"
_GROUP_MAKERS = frozenset({"add_argument_group", "add_mutually_exclusive_group"})
# Per module: each ``argparse.ArgumentParser()`` (by the statement that makes it), its
# add_argument calls (also those of its argument groups) by the attribute each fills. Once
# per module: every ``args.x`` asks, and a script may declare hundreds of options.
_OPTIONS: SyntaxKey[dict[ast.AST, dict[str, list[tuple[ast.Call, str]]]]] = SyntaxKey("command_line_options")


def _options_by_parser(module: AnalysedModule) -> dict[ast.AST, dict[str, list[tuple[ast.Call, str]]]]:
    model = module.model
    found: dict[ast.AST, dict[str, list[tuple[ast.Call, str]]]] = {}
    for call in model.calls_named(_ADD_ARGUMENT):
        option = _destination(call)
        receiver = call.func.value if isinstance(call.func, ast.Attribute) else None
        parser = _parser_named(model, receiver, groups=True) if isinstance(receiver, ast.Name) else None
        if option is not None and parser is not None:
            found.setdefault(parser, {}).setdefault(option[0], []).append((call, option[1]))
    return found


def _parser_named(model: SemanticModel, name: ast.Name, groups: bool = False) -> ast.AST | None:
    """The statement that makes the ``argparse.ArgumentParser`` ``name`` holds, when every
    binding that reaches it gives it the same one (``groups``: or an argument group of it)."""
    made: set[ast.AST] = set()
    for binding in model.bindings_reaching(name.id, name):
        value = binding.value
        if binding.kind != "assign" or not isinstance(value, ast.Call):
            return None
        if model.qualified_name(value.func) == _ARGUMENT_PARSER:
            made.add(binding.node)
        elif groups and isinstance(value.func, ast.Attribute) and value.func.attr in _GROUP_MAKERS and isinstance(value.func.value, ast.Name):
            parent = _parser_named(model, value.func.value)
            if parent is None:
                return None
            made.add(parent)
        else:
            return None
    return made.pop() if len(made) == 1 else None


def _parser_parsed(model: SemanticModel, value: ast.expr) -> ast.AST | None:
    """The parser ``parser.parse_args()`` (or ``parser.parse_known_args()[0]``) reads, also
    through a function of the module that returns it (``args = parse_args()``)."""
    if isinstance(value, ast.Call) and isinstance(value.func, ast.Name):
        binding = model.lookup(value.func.id, value.func)
        if binding is not None and binding.kind == "def" and isinstance(binding.node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            returned = {_parser_parsed(model, ret.value) if ret.value is not None else None for ret in _own_returns(binding.node)}
            return returned.pop() if len(returned) == 1 else None
    method = "parse_args"
    if isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Constant) and value.slice.value == 0:
        value, method = value.value, "parse_known_args"
    if not (isinstance(value, ast.Call) and isinstance(value.func, ast.Attribute) and value.func.attr == method):
        return None
    receiver = value.func.value
    return _parser_named(model, receiver) if isinstance(receiver, ast.Name) else None


def _destination(call: ast.Call) -> tuple[str, str] | None:
    """(the attribute an ``add_argument`` call fills, the option as written): ``dest=``, else
    the first long option (``--tracking-uri`` -> ``tracking_uri``), else the first name."""
    flags = [a.value for a in call.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
    if not flags:
        return None
    dest = next((k.value.value for k in call.keywords if k.arg == "dest" and isinstance(k.value, ast.Constant)), None)
    written = next((f for f in flags if f.startswith("--")), flags[0])
    name = dest if isinstance(dest, str) else written.lstrip("-").replace("-", "_")
    return name, written


def _keyword_is(call: ast.Call, name: str, value: object) -> bool:
    return any(k.arg == name and isinstance(k.value, ast.Constant) and k.value.value is value for k in call.keywords)


def _is_constant_name(name: str) -> bool:
    return name.isupper() or (name.upper() == name and "_" in name)
