"""The engine is pure: it never imports the CLI, the reporters, click, flake8 or the
language server (pygls, lsprotocol, ``mlflow_lint.lsp``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

import mlflow_lint

PACKAGE = Path(mlflow_lint.__file__).resolve().parent
FRONT_ENDS = {"cli.py", "__main__.py"}
FRONT_END_PACKAGES = {"reporters", "lsp"}  # the language server renders `explain` as the CLI does
FORBIDDEN = ("mlflow_lint.cli", "mlflow_lint.reporters", "click", "flake8", "mlflow_lint.lsp", "pygls", "lsprotocol")
LANGUAGE_SERVER = ("pygls", "lsprotocol")


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


def test_engine_modules_do_not_import_front_ends() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.name in FRONT_ENDS or relative.parts[0] in FRONT_END_PACKAGES:
            continue
        for name in _imports(path):
            if name.startswith(FORBIDDEN):
                offenders.append(f"{relative}: {name}")
    assert offenders == []


@pytest.mark.integration
def test_importing_the_engine_loads_no_front_end_and_no_libcst() -> None:
    code = (
        "import sys, mlflow_lint.engine\n"
        "bad = [m for m in sys.modules if m.startswith(('mlflow_lint.cli', 'mlflow_lint.reporters', 'click', 'flake8', 'libcst',"
        " 'mlflow_lint.lsp', 'pygls', 'lsprotocol'))]\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_only_the_language_server_imports_pygls() -> None:
    """pygls and lsprotocol are an optional extra: only ``mlflow_lint/lsp/`` imports them
    (the CLI's ``server`` command imports ``mlflow_lint.lsp``, whose ``__init__`` checks they
    are there), so every other command works without them."""
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.parts[0] == "lsp" and relative.name != "__init__.py":
            continue
        for name in _imports(path):
            if name.startswith(LANGUAGE_SERVER):
                offenders.append(f"{relative}: {name}")
    assert sorted(offenders) == ["lsp/__init__.py: lsprotocol.types", "lsp/__init__.py: pygls.lsp.server"]


@pytest.mark.integration
def test_importing_the_language_server_package_loads_neither_pygls_nor_libcst() -> None:
    code = (
        "import sys, mlflow_lint.lsp, mlflow_lint.cli\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('pygls', 'lsprotocol', 'libcst'))}))\n"
        "import mlflow_lint.lsp.server\n"
        "print(sorted({m.split('.')[0] for m in sys.modules if m.startswith(('pygls', 'lsprotocol', 'libcst'))}))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    # The package alone: nothing; the server: pygls and lsprotocol, and libcst only for a fix.
    assert result.stdout.splitlines() == ["[]", "['lsprotocol', 'pygls']"]


def test_engine_never_prints() -> None:
    """Nor does the language server: its standard output is the LSP channel."""
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE)
        if relative.name in FRONT_ENDS or relative.parts[0] == "reporters":
            continue
        calls = [
            node
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "print"
        ]
        assert calls == [], relative


# ---------------------------------------------------------------------------- layers below the engine
# Shared predicates live in mlflow_lint/analysis/; a check reads them there, never from
# another check, so a check can be read, moved or deleted on its own.
PACKAGE_NAME = "mlflow_lint"
CHECKS_INFRASTRUCTURE = {"base"}  # what a check module may import from its own package
# What the analysis must not know about: everything built on it. Type-only imports (under
# ``if TYPE_CHECKING:``) count too: they cost nothing at run time, but an annotation
# naming a checks, engine or audit type is still a dependency on that layer. Type-only
# imports of the modules that hand the analysis its inputs (mlflow_lint.project's
# ProjectIndex, mlflow_lint.config's RuleOptions) are allowed: they are not listed here.
ABOVE_THE_ANALYSIS = ("checks", "engine", "audit", "fixes", "reporters", "lsp", "cli", "project_facts", "module_facts")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _imported_module(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The module ``from X import ...`` names, relative imports resolved."""
    if not node.level:
        return node.module or ""
    base = importer.split(".") if is_package else importer.split(".")[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _targets(node: ast.Import | ast.ImportFrom, importer: str, is_package: bool) -> set[str]:
    """The modules an import statement loads: ``import a.b``: ``a.b``; ``from a import b``:
    ``a.b`` when that is a module, else ``a`` (a name defined in ``a``)."""
    if isinstance(node, ast.Import):
        return {alias.name for alias in node.names}
    module = _imported_module(node, importer, is_package)
    found = {f"{module}.{alias.name}" for alias in node.names if f"{module}.{alias.name}" in MODULES}
    if len(found) < len(node.names):
        found.add(module)
    return found


def _every_import(name: str) -> set[str]:
    """Every module ``name`` imports anywhere: at import time, in functions, type-only."""
    path = MODULES[name]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found |= _targets(node, name, path.name == "__init__.py")
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _import_time_imports(name: str) -> set[str]:
    """The package's modules ``name`` imports when it is imported: its module-level (and
    class-level) statements, ``if``/``try``/``with`` blocks included, ``if TYPE_CHECKING:``
    and function bodies left out."""
    path = MODULES[name]
    found: set[str] = set()

    def walk(statements: list[ast.stmt]) -> None:
        for statement in statements:
            if isinstance(statement, (ast.Import, ast.ImportFrom)):
                found.update(_targets(statement, name, path.name == "__init__.py"))
            elif isinstance(statement, ast.If):
                if not _is_type_checking(statement.test):
                    walk(statement.body)
                walk(statement.orelse)
            elif isinstance(statement, ast.Try):
                walk(statement.body)
                for handler in statement.handlers:
                    walk(handler.body)
                walk(statement.orelse)
                walk(statement.finalbody)
            elif isinstance(statement, (ast.With, ast.ClassDef)):
                walk(statement.body)

    walk(ast.parse(path.read_text(encoding="utf-8")).body)
    return {module for module in found if module in MODULES and module != name}


def test_no_check_imports_another_check() -> None:
    """A check module imports, from its own package, only ``checks.base`` (a predicate two
    checks share belongs in mlflow_lint/analysis/); nor may it import the package itself,
    which imports every check."""
    offenders = []
    for name in MODULES:
        if not name.startswith(f"{PACKAGE_NAME}.checks.") or name.endswith("__init__"):
            continue
        for module in _every_import(name):
            inside = module == f"{PACKAGE_NAME}.checks" or module.startswith(f"{PACKAGE_NAME}.checks.")
            if inside and module.rpartition(".")[2] not in CHECKS_INFRASTRUCTURE:
                offenders.append(f"{name} imports {module}")
    assert offenders == []


def test_the_analysis_imports_nothing_built_on_it() -> None:
    forbidden = tuple(f"{PACKAGE_NAME}.{layer}" for layer in ABOVE_THE_ANALYSIS)
    offenders = []
    for name in MODULES:
        if not name.startswith(f"{PACKAGE_NAME}.analysis"):
            continue
        for module in _every_import(name):
            if module in forbidden or module.startswith(tuple(f"{layer}." for layer in forbidden)):
                offenders.append(f"{name} imports {module}")
    assert offenders == []


# Import cycles between the package's modules at import time, each as its sorted members.
# Edges are the modules an import statement names (``from a.b import c``: ``a.b.c`` when
# it is a module, else ``a.b``); the package ``__init__`` a submodule import runs first is
# not an edge, since a package importing its own submodules is how packages work. Empty:
# a cycle found here is a layering mistake to fix (move the shared part down), not to list.
KNOWN_IMPORT_CYCLES: set[tuple[str, ...]] = set()


def _cycles(graph: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """The strongly connected components of more than one module (Tarjan), or of one
    module that imports itself."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: set[tuple[str, ...]] = set()

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for successor in sorted(graph[node]):
            if successor not in index:
                visit(successor)
                low[node] = min(low[node], low[successor])
            elif successor in on_stack:
                low[node] = min(low[node], index[successor])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1 or node in graph[node]:
                found.add(tuple(sorted(component)))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_cycle_finder_finds_cycles() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": {"e"}, "f": set()}
    assert _cycles(graph) == {("a", "b", "c"), ("e",)}


def test_no_import_cycles_between_modules() -> None:
    graph = {name: _import_time_imports(name) for name in MODULES}
    assert _cycles(graph) == KNOWN_IMPORT_CYCLES


# ---------------------------------------------------------------------------- what a warm run loads
def test_the_engine_package_exports_what_it_lists() -> None:
    import mlflow_lint.engine as engine

    assert sorted(engine.__all__) == sorted(engine._EXPORTS)
    for name in engine.__all__:
        assert getattr(engine, name) is not None


def test_the_facts_follow_calls_as_deep_as_the_analysis() -> None:
    """One depth for every walk through calls: the project facts' and the value flow's
    read ``analysis.limits``, and no module sets a depth of its own (a copy would drift)."""
    from mlflow_lint import project_facts
    from mlflow_lint.analysis import call_frames

    assert project_facts.MAX_CALL_LEVELS == call_frames.MAX_CALL_LEVELS
    setters = []
    for name, path in MODULES.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(node, ast.AnnAssign) else []
            if any(isinstance(t, ast.Name) and t.id == "MAX_CALL_LEVELS" for t in targets):
                setters.append(name)
    assert setters == ["mlflow_lint.analysis.limits"]


@pytest.mark.integration
def test_a_run_served_by_the_result_cache_loads_neither_the_checks_nor_the_analysis(tmp_path: Path) -> None:
    """Start-up is most of a warm run: the checks and the analysis load only when a file
    must be analysed (engine.tasks.load_analysis)."""
    project = tmp_path / "project"
    project.mkdir()
    (project / ".git").mkdir()
    (project / "train.py").write_text('import mlflow\nmlflow.set_tracking_uri("./mlruns")\nmlflow.set_tag("a", "b")\n')
    (project / "other.py").write_text('import mlflow\nmlflow.set_tracking_uri("http://a.example.com")\n')
    (project / "mlflow.db").write_bytes(b"SQLite format 3\x00")  # a committed local store: MLF103, from the cache too
    code = (
        "import sys\n"
        "from mlflow_lint.cli import main\n"
        "try:\n"
        "    main(['check', '--exit-zero', '--cache-dir', sys.argv[1], sys.argv[2]])\n"
        "except SystemExit:\n"
        "    pass\n"
        "loaded = sorted(m for m in sys.modules if m.startswith(('mlflow_lint.checks', 'mlflow_lint.analysis.module', 'mlflow_lint.engine.documents')))\n"
        "print(loaded, file=sys.stderr)\n"
    )
    runs = [
        subprocess.run([sys.executable, "-c", code, str(tmp_path / "cache"), str(project)], capture_output=True, text=True, check=True)
        for _ in range(2)
    ]
    assert runs[0].stdout == runs[1].stdout and "MLF103" in runs[0].stdout  # the same findings, the store's too
    assert "mlflow_lint.checks" in runs[0].stderr  # the cold run analysed the files
    assert runs[1].stderr.strip() == "[]"
