"""The engine is pure: it never imports the CLI, the reporters, click or flake8."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import mlflow_lint

PACKAGE = Path(mlflow_lint.__file__).resolve().parent
FRONT_ENDS = {"cli.py", "__main__.py"}
FORBIDDEN = ("mlflow_lint.cli", "mlflow_lint.reporters", "click", "flake8")


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
        if relative.name in FRONT_ENDS or relative.parts[0] == "reporters":
            continue
        for name in _imports(path):
            if name.startswith(FORBIDDEN):
                offenders.append(f"{relative}: {name}")
    assert offenders == []


def test_importing_the_engine_loads_no_front_end_and_no_libcst() -> None:
    code = (
        "import sys, mlflow_lint.engine\n"
        "bad = [m for m in sys.modules if m.startswith(('mlflow_lint.cli', 'mlflow_lint.reporters', 'click', 'flake8', 'libcst'))]\n"
        "print(bad)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


def test_engine_never_prints() -> None:
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
