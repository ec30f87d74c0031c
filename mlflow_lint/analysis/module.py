"""One analysed Python module: source, tree, semantic model, value evaluator."""

from __future__ import annotations

import ast
import functools
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from mlflow_lint.analysis.api import is_mlflow
from mlflow_lint.analysis.memo import MemoKey, SyntaxKey
from mlflow_lint.analysis.semantic import SemanticModel, _own_returns
from mlflow_lint.analysis.values import ValueEvaluator

if TYPE_CHECKING:
    from mlflow_lint.analysis.flow import Frame
    from mlflow_lint.project import ProjectIndex
    from mlflow_lint.sources.notebook import IpynbLines

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")
_MISSING: Any = object()


class AnalysedModule:
    """Everything computed once per module and shared by all checks."""

    def __init__(self, path: Path, source: str, tree: ast.Module, project: ProjectIndex | None) -> None:
        self.path = path
        self.source = source
        self.tree = tree
        self.project = project
        # Lines of the file before the module's first: the Python a shell script runs
        # (``python - <<EOF``) starts on a later line of its file. For what names a place
        # in the file outside a finding (findings are moved by the engine).
        self.line_offset = 0
        self.model = SemanticModel(tree)
        # The model asks the module back through a weak reference: a bound method would make
        # a reference cycle, and a module dropped from the project's cache (with its whole
        # tree) would wait for the cycle collector instead of being freed at once.
        me = weakref.ref(self)
        if project is not None:
            self.model.reexport_resolver = lambda name: project.external_name(path, name)
            self.model.star_resolver = lambda module, name: _alive(me)._star_name(module, name)
            self.model.imported_instance = lambda name: _alive(me)._imported_instance(name)
        self.model.returned_name = lambda call: _alive(me)._returned_name(call)
        if project is not None:
            self.model.returned_class = lambda call, depth: _alive(me)._returned_class(call, depth)
        self.model.implements_mlflow = _in_mlflow_package(path.parent)
        self.model.calls_project_function = lambda call: _alive(me)._calls_project_function(call)
        self._returned_names: dict[ast.Call, str | None] = {}
        self._returned_classes: dict[ast.Call, str | None] = {}
        self._star_names: dict[tuple[str, str], str | None] = {}
        self._values: ValueEvaluator | None = None
        # Facts derived once per module by the analyses that need them (runs, effects), by
        # typed key (analysis.memo): ``memo``, ``memo_table``, ``memo_get``/``memo_set``.
        self._memo: dict[MemoKey[Any], Any] = {}
        # Facts of this module's own text alone (which nodes mention a parameter, bindings
        # by name): never dropped with ``_memo``, as they read no other module.
        # ``syntax_memo``, ``syntax_table``.
        self._syntax: dict[SyntaxKey[Any], Any] = {}
        # The call whose arguments the parameters hold (analysis.flow.bound_module); None
        # for the module analysed on its own.
        self.frame: Frame | None = None
        # The module as written, for a bound copy (see ``base``); None for the module itself
        # (a reference to itself would be a cycle that keeps its tree alive).
        self._base: AnalysedModule | None = None
        # An .ipynb notebook's source is its code cells, concatenated: where each line sits
        # in the file (flow steps into it name file lines). None: the lines are the file's.
        self.file_lines: IpynbLines | None = None

    def shown_line(self, line: int) -> tuple[int | None, int]:
        """A line of the module as findings show it: (cell index, line in the cell) in an
        .ipynb notebook, (None, the line) elsewhere."""
        origin = self.file_lines.origin(line) if self.file_lines is not None else None
        return (None, line) if origin is None else origin

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
            value = found[1].value if found is not None and found[1].kind == "assign" else None
            if found is None or value is None:
                self._star_names[key] = None
            else:
                self._star_names[key] = found[0].model.instance_class(value) or ""
        return self._star_names[key]

    def _returned_name(self, call: ast.Call) -> str | None:
        """The MLflow name every ``return`` of the project function ``call`` calls gives
        (``return mlflow`` after ``import mlflow``): ``mlflow = setup_mlflow()`` is MLflow."""
        if call in self._returned_names:
            return self._returned_names[call]
        self._returned_names[call] = None  # recursion adds nothing
        from mlflow_lint.analysis.effects import resolve_called_function  # (cycle-free at runtime)

        found: str | None = None
        target = resolve_called_function(self, call)
        if target is not None:
            module, function = target
            returns = [node.value for node in _own_returns(function) if node.value is not None]
            names = {module.model._raw_qualified_name(value, 0) for value in returns}
            if len(names) == 1:
                name = names.pop()
                found = name if name is not None and is_mlflow(name) else None
        self._returned_names[call] = found
        return found

    def _calls_project_function(self, call: ast.Call) -> bool:
        """Whether ``call`` resolves to a function of the project (this module's or another's)."""
        from mlflow_lint.analysis.effects import resolve_called_function  # (cycle-free at runtime)

        return resolve_called_function(self, call) is not None

    def _returned_class(self, call: ast.Call, depth: int) -> str | None:
        """The MLflow class a function of another project module that ``call`` calls
        returns (its annotation, else what each of its ``return``s gives): ``client =
        mlflow_client.get_client()`` with ``def get_client() -> MlflowClient | None``."""
        if call in self._returned_classes:
            return self._returned_classes[call]
        self._returned_classes[call] = None  # recursion adds nothing
        from mlflow_lint.analysis.effects import resolve_called_function  # (cycle-free at runtime)

        target = resolve_called_function(self, call)
        found = target[0].model.function_return_class(target[1], depth) if target is not None and target[0] is not self else None
        self._returned_classes[call] = found
        return found

    def memo(self, key: MemoKey[T], compute: Callable[[AnalysedModule], T]) -> T:
        """The derived fact ``key``, ``compute(self)`` the first time it is asked for (a
        function of the module, not a closure: nothing is made when the fact is known)."""
        found: T = self._memo.get(key, _MISSING)
        if found is _MISSING:
            found = self._memo[key] = compute(self)
        return found

    def memo_get(self, key: MemoKey[T]) -> T | None:
        """The derived fact ``key`` if it is known (for facts computed from more than the
        module, with ``memo_set``)."""
        found: T | None = self._memo.get(key)
        return found

    def memo_set(self, key: MemoKey[T], value: T) -> T:
        """Record the derived fact ``key``; returns ``value``."""
        self._memo[key] = value
        return value

    def memo_table(self, key: MemoKey[dict[K, V]]) -> dict[K, V]:
        """The derived table ``key`` (a fact per node, per call...), empty the first time:
        its user fills it, and may store a placeholder before computing an entry (a
        recursion guard)."""
        try:
            table: dict[K, V] = self._memo[key]
        except KeyError:
            table = self._memo[key] = {}
        return table

    def syntax_memo(self, key: SyntaxKey[T], compute: Callable[[AnalysedModule], T]) -> T:
        """``memo`` for a fact of the module's own text: kept by ``release()`` and shared
        with the module's bound copies."""
        found: T = self._syntax.get(key, _MISSING)
        if found is _MISSING:
            found = self._syntax[key] = compute(self)
        return found

    def syntax_table(self, key: SyntaxKey[dict[K, V]]) -> dict[K, V]:
        """``memo_table`` for facts of the module's own text (kept, shared with bound copies)."""
        try:
            table: dict[K, V] = self._syntax[key]
        except KeyError:
            table = self._syntax[key] = {}
        return table

    def release(self) -> None:
        """Drop derived facts that refer back to this module (evaluator, gate analysis), so
        that reference counting frees an evicted module without waiting for the cycle
        collector."""
        self._values = None
        self._memo.clear()
        self._star_names.clear()
        self._returned_names.clear()

    def forget_derived(self) -> None:
        """Drop every memoised result, including resolved callees: they may rest on other
        modules, and the result cache must see every module a file's analysis reads."""
        self.release()
        self.model.forget_callees()

    @property
    def base(self) -> AnalysedModule:
        """The module as written, for facts that do not depend on a frame (gates)."""
        return self._base if self._base is not None else self

    @property
    def values(self) -> ValueEvaluator:
        if self._values is None:
            self._values = ValueEvaluator(self)
        return self._values


def _alive(reference: weakref.ref[AnalysedModule]) -> AnalysedModule:
    module = reference()
    assert module is not None, "a semantic model outlived its module"
    return module


@functools.lru_cache(maxsize=4096)
def _in_mlflow_package(directory: Path) -> bool:
    """Whether ``directory`` is inside MLflow's own package: its chain of ``__init__.py``
    directories ends at one named ``mlflow`` (a checkout of MLflow, not a project using it)."""
    top = None
    while (directory / "__init__.py").is_file():
        top = directory
        if directory.parent == directory:
            break
        directory = directory.parent
    return top is not None and top.name == "mlflow"
