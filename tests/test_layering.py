"""The engine is pure: it never imports the CLI, the reporters, click, flake8 or the
language server (pygls, lsprotocol, ``mlflow_lint.lsp``)."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

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
