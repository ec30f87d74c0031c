"""Security properties of running mlflow-lint on code nobody has reviewed (a pull request).

(a) Linted code is never imported or executed: module-level code, ``__init__.py``,
    ``setup.py``, ``conftest.py``, ``sitecustomize.py``, ``.pth`` files, modules named like
    mlflow-lint's own dependencies, notebook cells and their shell magics, shell scripts,
    Makefiles and Dockerfiles all try to write a marker file or exit; none may.
(b) YAML is only ever composed with the safe loader: Python tags execute nothing and give a
    clean result; a billion-laughs file is cheap. No source file of the package loads YAML
    unsafely or evaluates, unpickles or imports data.
(c) No network: with every way to open a connection or resolve a name patched to fail,
    every report format and the audit still work on a project full of remote URIs.
(d) Secrets it finds are reported, never echoed: not in any format, the audit, stderr,
    a baseline or any other file written.
(e) File names cannot forge log lines (a workflow command) or drive the terminal.
(f) A file that never ends (a symlink to /dev/zero) is not read forever.
"""

from __future__ import annotations

import ast
import contextlib
import gc
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from mlflow_lint.catalog import load_catalog
from mlflow_lint.config import Config
from mlflow_lint.engine import SkippedFile, lint_bytes, lint_paths
from mlflow_lint.project import ProjectIndex

from .conftest import ROOT, console_script, run_cli, write_files

CATALOG = load_catalog()
EVERY_RULE = frozenset(rule.id for rule in CATALOG)
FORMATS = ("text", "json", "sarif", "github")
AUDIT_OUTPUTS = ("report.html", "report.md", "report.json")


write = write_files


def notebook(*cells: str) -> str:
    return json.dumps(
        {
            "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": c} for c in cells],
            "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
            "nbformat": 4,
            "nbformat_minor": 5,
        }
    )


@pytest.fixture(autouse=True)
def _cache_outside_the_project(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    # The result cache would otherwise live in (and be read back from) the linted project.
    monkeypatch.setenv("MLFLOW_LINT_CACHE_DIR", str(tmp_path_factory.mktemp("cache")))


def run(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {"MLFLOW_LINT_CACHE_DIR": os.environ["MLFLOW_LINT_CACHE_DIR"], **(env or {})}
    result = run_cli(*args, cwd=cwd, env=environment)
    assert "Traceback" not in result.stderr, result.stderr
    return result


# ============================================================================ (a) never executed
def payload(markers: Path, name: str) -> str:
    """Python that, if it ever ran, would leave ``markers/name`` behind."""
    return f"import pathlib; pathlib.Path({str(markers / name)!r}).write_text('executed')"


def hostile_project(root: Path, markers: Path) -> Path:
    markers.mkdir(exist_ok=True)

    def code(name: str, *tail: str) -> str:
        return "\n".join(["import mlflow", payload(markers, name), *tail]) + "\n"

    shell = f"touch {markers / 'shell'}"
    files: dict[str, str | bytes] = {
        "pkg/__init__.py": code("pkg-init", "raise SystemExit(3)"),
        "pkg/settings.py": code("pkg-settings", "TRACKING_URI = './mlruns'", "MODEL_URI = 'runs:/0a1b2c/model'"),
        "pkg/train.py": code(
            "pkg-train",
            "from pkg.settings import TRACKING_URI, MODEL_URI",
            "from . import settings",
            "from .helpers import tag_lineage",
            "mlflow.set_tracking_uri(TRACKING_URI)",
            "mlflow.pyfunc.load_model(MODEL_URI)",
            "with mlflow.start_run():",
            "    tag_lineage()",
            "raise SystemExit(4)",
        ),
        "pkg/helpers.py": code("pkg-helpers", "def tag_lineage():", "    mlflow.set_tags({'git_commit': 'x'})", "raise SystemExit(5)"),
        "setup.py": code("setup", "from setuptools import setup", "setup(name='hostile')", "raise SystemExit(6)"),
        "conftest.py": code("conftest", "raise SystemExit(7)"),
        "sitecustomize.py": code("sitecustomize"),
        "usercustomize.py": code("usercustomize"),
        "hostile.pth": f"import os; os.system({shell!r})  # mlflow\n",
        # Named like mlflow-lint's own imports: found first if the project were on sys.path.
        **{f"{name}.py": code(f"shadow-{name}") for name in ("mlflow", "yaml", "click", "pathspec", "sarif_om", "attr", "libcst", "git", "json", "tomllib", "tomli")},
        "explore.ipynb": notebook(
            code("notebook-cell"),
            f"!{shell}-magic\n%run setup.py\nmlflow.pyfunc.load_model('runs:/0a1b2c/model')\n",
            f"%%bash\n{shell}-cell-magic\n",
        ),
        "job.py": "# Databricks notebook source\n" + code("databricks") + f"# COMMAND ----------\n# MAGIC %sh {shell}-databricks\n",
        "bin/train": "#!/usr/bin/env python\n" + code("script"),
        "run.sh": f"#!/bin/sh\n{shell}-sh\nmlflow server --host 0.0.0.0 --backend-store-uri sqlite:///m.db\n",
        "Makefile": f"serve:\n\t{shell}-make && mlflow ui\n",
        "Dockerfile": f"FROM python:3.11\nRUN {shell}-docker && pip install mlflow\nCMD mlflow server --host 0.0.0.0\n",
        "Procfile": f"web: {shell}-procfile; mlflow server --host 0.0.0.0\n",
        "pyproject.toml": "[project]\nname = 'hostile'\n[build-system]\nrequires = ['hostile-backend']\nbuild-backend = 'hostile'\n",
    }
    write(root, files)
    (root / "bin" / "train").chmod(0o755)
    return root


def assert_nothing_ran(markers: Path) -> None:
    ran = sorted(path.name for path in markers.iterdir())
    assert not ran, f"linted code was executed: {ran}"


@pytest.fixture()
def hostile(tmp_path: Path) -> tuple[Path, Path]:
    markers = tmp_path / "markers"
    return hostile_project(tmp_path / "project", markers), markers


def test_linting_never_imports_or_runs_the_code_in_process(hostile: tuple[Path, Path]) -> None:
    project, markers = hostile
    before = set(sys.modules)
    config = Config(root=project)
    # A pool (fork) and a serial run: a SystemExit from linted code would end either.
    for jobs in (1, 2):
        result = lint_paths([project], config, EVERY_RULE, jobs=jobs, cwd=project)
        assert result.files_analysed >= 20, result
        assert {f.rule for f in result.findings} >= {"MLF101", "MLF601", "MLF703"}
        assert not [f for f in result.findings if "internal error" in f.message]
    for path in sorted(project.rglob("*")):
        if path.is_file():
            with contextlib.suppress(SkippedFile):
                lint_bytes(path.read_bytes(), path.name, EVERY_RULE, path=path, project=ProjectIndex(project))
    assert_nothing_ran(markers)
    loaded = {
        name: getattr(module, "__file__", None)
        for name, module in list(sys.modules.items())
        if str(getattr(module, "__file__", None) or "").startswith(str(project))
    }
    assert not loaded, f"linted modules were imported: {loaded}"
    assert not {"pkg", "pkg.train", "pkg.settings", "pkg.helpers", "setup", "conftest", "hostile"} & (set(sys.modules) - before)


@pytest.mark.integration
def test_the_console_script_never_imports_or_runs_the_code(hostile: tuple[Path, Path], tmp_path: Path) -> None:
    project, markers = hostile
    reports = tmp_path / "reports"
    for output_format in FORMATS:
        result = run("check", "--format", output_format, "--output", str(reports / f"report.{output_format}"), cwd=project)
        assert result.returncode == 1, result.stderr
    result = run("check", "-j", "2", "--statistics", "--verbose", ".", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "MLF601" in result.stdout and "MLF703" in result.stdout
    outputs = [arg for name in AUDIT_OUTPUTS for arg in ("-o", str(reports / name))]
    assert run("audit", *outputs, cwd=project).returncode == 0
    assert run("check", "--diff-fixes", "--unsafe-fixes", cwd=project).returncode in (0, 1)
    assert_nothing_ran(markers)


@pytest.mark.integration
def test_python_m_does_not_import_modules_from_the_linted_directory(hostile: tuple[Path, Path]) -> None:
    """``python -m`` puts the working directory first on sys.path, where a checkout's own
    ``click.py`` or ``yaml.py`` would be imported in place of mlflow-lint's dependencies."""
    project, markers = hostile
    environment = {**os.environ, "NO_COLOR": "1"}
    environment.pop("PYTHONSAFEPATH", None)
    result = subprocess.run(
        [sys.executable, "-m", "mlflow_lint", "check", "."], cwd=project, env=environment, capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode == 1, result.stderr
    assert_nothing_ran(markers)


@pytest.mark.integration
def test_flake8_plugin_never_imports_or_runs_the_code(hostile: tuple[Path, Path]) -> None:
    project, markers = hostile
    flake8 = Path(console_script()).parent / "flake8"
    if not flake8.exists():
        pytest.skip("flake8 is not installed next to mlflow-lint")
    # --isolated: flake8's own configuration could load local plugins; that is flake8's business.
    result = subprocess.run(
        [str(flake8), "--isolated", "--select", "MLF", "."], cwd=project, capture_output=True, text=True, timeout=120, check=False
    )
    assert "Traceback" not in result.stderr, result.stderr
    assert "MLF601" in result.stdout
    assert_nothing_ran(markers)


@pytest.mark.integration
def test_audit_in_a_git_repository_runs_none_of_its_configured_commands(tmp_path: Path) -> None:
    """The audit asks git for HEAD; a repository's own config (fsmonitor, aliases, hooks)
    must not get to run anything."""
    project, markers = tmp_path / "repo", tmp_path / "markers"
    markers.mkdir()
    write(project, {"train.py": "import mlflow\nmlflow.set_tracking_uri('./mlruns')\n"})
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"]
    try:
        subprocess.run([*git, "init", "-q"], cwd=project, check=True, timeout=60)
        subprocess.run([*git, "add", "-A"], cwd=project, check=True, timeout=60)
        subprocess.run([*git, "commit", "-q", "-m", "x"], cwd=project, check=True, timeout=60)
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("git is not available")
    hook = f"#!/bin/sh\ntouch {markers}/$(basename $0)\n"
    for name in ("fsmonitor", "post-checkout", "pre-commit", "post-index-change", "reference-transaction"):
        script = project / ".git" / "hooks" / name
        script.write_text(hook)
        script.chmod(0o755)
    with (project / ".git" / "config").open("a") as config:
        config.write(f"[core]\n\tfsmonitor = {project / '.git' / 'hooks' / 'fsmonitor'}\n\tpager = touch {markers}/pager\n")
    result = run("audit", "-o", str(tmp_path / "report.md"), cwd=project)
    assert result.returncode == 0, result.stderr
    result = run("check", "--format", "sarif", cwd=project)
    assert result.returncode == 1, result.stderr
    assert_nothing_ran(markers)


# ============================================================================ (b) YAML, and no code from data
PYTHON_TAGS = """\
services:
  mlflow:
    image: ghcr.io/mlflow/mlflow
    environment:
      MLFLOW_TRACKING_URI: !!python/object/apply:os.system ["touch {m}/apply"]
      MLFLOW_S3_ENDPOINT_URL: !!python/object/new:subprocess.check_call [["touch", "{m}/new"]]
      MLFLOW_TRACKING_PASSWORD: !!python/object:__main__.Exploit {{cmd: "touch {m}/object"}}
    command: mlflow server --host 0.0.0.0
    ports: ["5000:5000"]
exploit: !!python/object/apply:os.system ["touch {m}/top-level"]
name: !!python/name:os.system
module: !!python/module:os
tuple: !!python/tuple [1, 2]
state: !!python/object/apply:subprocess.Popen
  args: [["touch", "{m}/popen"]]
"""


@pytest.mark.integration
def test_yaml_python_tags_execute_nothing(tmp_path: Path) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    text = PYTHON_TAGS.format(m=markers)
    project = write(
        tmp_path / "project",
        {"docker-compose.yaml": text, "MLproject": text, "k8s/deploy.yml": text, "explore.ipynb": notebook("import mlflow\n")},
    )
    for name in ("docker-compose.yaml", "MLproject", "k8s/deploy.yml"):
        try:
            findings = lint_bytes(text.encode(), name, EVERY_RULE, path=project / name, kind="yaml")
        except SkippedFile:
            findings = []
        assert not [f for f in findings if "internal error" in f.message]
    # A clean outcome: the manifests are read as data (the open server is still found) or
    # skipped with a note; never a crash.
    result = run("check", "--verbose", cwd=project)
    assert result.returncode in (0, 1), result.stderr
    assert "MLF703" in result.stdout or "skipped" in result.stderr
    result = run("check", "--format", "sarif", cwd=project)
    assert result.returncode in (0, 1) and json.loads(result.stdout)["runs"], result.stderr
    assert run("audit", "-o", str(tmp_path / "report.html"), cwd=project).returncode == 0
    assert_nothing_ran(markers)


@pytest.mark.integration
@pytest.mark.parametrize("name", [".mlflow-lint.yaml", "custom.yaml"])
def test_configuration_with_python_tags_is_an_error_not_an_execution(tmp_path: Path, name: str) -> None:
    markers = tmp_path / "markers"
    markers.mkdir()
    project = write(
        tmp_path / "project",
        {
            name: f'select: !!python/object/apply:os.system ["touch {markers}/config"]\n',
            "train.py": "import mlflow\nmlflow.set_tracking_uri('./mlruns')\n",
        },
    )
    args = ("--config", name) if name == "custom.yaml" else ()
    for command in ("check", "audit"):
        result = run(command, *args, cwd=project)
        assert result.returncode == 2, (result.stdout, result.stderr)
        assert name in result.stderr
    assert_nothing_ran(markers)


@pytest.mark.integration
def test_yaml_alias_bomb_is_cheap(tmp_path: Path) -> None:
    """A billion-laughs manifest: 9**12 strings if expanded. Composed nodes are shared, and
    each is visited once."""
    lines = ["a: &a [" + ", ".join(["mlflow server --host 0.0.0.0"] * 9) + "]"]
    for previous, name in zip("abcdefghijkl", "bcdefghijklm", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{previous}"] * 9) + "]")
    lines += ["services:", "  x:", "    environment: *m", "    command: *m", "    args: *m"]
    project = write(tmp_path, {"docker-compose.yaml": "\n".join(lines) + "\n"})
    started = time.monotonic()
    result = run("check", "--format", "json", cwd=project)
    assert result.returncode in (0, 1), result.stderr
    assert time.monotonic() - started < 30


# Every way the package could turn data into code. Allowed: the rule catalog is the
# package's own data, read with the safe loader.
SAFE_LOADERS = frozenset({"SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader"})
_YAML_LOADING = frozenset({"load", "load_all", "compose", "compose_all", "parse", "scan", "full_load", "full_load_all", "unsafe_load", "unsafe_load_all"})
_YAML_LOADERS = frozenset({"Loader", "FullLoader", "UnsafeLoader", "CLoader", "CFullLoader", "CUnsafeLoader"})
_FORBIDDEN_CALLS = {
    "eval", "exec", "__import__", "compile_command", "pickle.load", "pickle.loads", "pickle.Unpickler", "marshal.load",
    "marshal.loads", "shelve.open", "dill.load", "dill.loads", "jsonpickle.decode", "importlib.import_module",
    "importlib.util.spec_from_file_location", "runpy.run_path", "runpy.run_module", "os.system", "os.popen",
    "os.execv", "os.execvp", "os.spawnv", "code.interact", "yaml.unsafe_load", "yaml.full_load", "yaml.unsafe_load_all",
    "yaml.full_load_all",
}  # fmt: skip
# (module path, call). The check registry imports the check modules of its own package
# directory (pkgutil over the package's __path__), never a name read from data: adding a
# rule is then its catalog entry and its module, with no list to edit. The engine package
# imports its own modules on first use of a name, from a constant table (PEP 562).
ALLOWED_CALLS: set[tuple[str, str]] = {
    ("mlflow_lint/checks/__init__.py", "importlib.import_module"),
    ("mlflow_lint/engine/__init__.py", "importlib.import_module"),
}


def _dotted(node: ast.AST) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _package_modules() -> list[Path]:
    return sorted((ROOT / "mlflow_lint").rglob("*.py"))


def _own_nodes(function: ast.AST) -> Iterator[ast.AST]:
    """The nodes of a function's own body, not of the functions and classes inside it."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))


def _loader_names(tree: ast.Module, expression: ast.expr, depth: int = 0) -> set[str]:
    """The loader classes an expression can name, followed through the module: an attribute
    (``yaml.SafeLoader``), ``getattr(yaml, "CSafeLoader", yaml.SafeLoader)``, a variable
    assigned one of those, a class (its bases) and a function returning one of those."""
    if depth > 8:
        return {"too deep to follow"}
    if isinstance(expression, ast.Attribute):
        return {expression.attr}
    if isinstance(expression, ast.Name):
        classes = [n for n in ast.walk(tree) if isinstance(n, ast.ClassDef) and n.name == expression.id]
        if classes:
            bases = [base for cls in classes for base in cls.bases]
            return set().union(*(_loader_names(tree, base, depth + 1) for base in bases)) if bases else {f"class {expression.id}"}
        values = [
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == expression.id for t in node.targets)
        ]
        if not values:
            return {f"unknown name {expression.id}"}
        return set().union(*(_loader_names(tree, value, depth + 1) for value in values))
    if isinstance(expression, ast.Call):
        callee = _dotted(expression.func)
        if callee == "getattr" and len(expression.args) == 3:
            name = expression.args[1]
            named = {name.value} if isinstance(name, ast.Constant) and isinstance(name.value, str) else {"dynamic"}
            return named | _loader_names(tree, expression.args[2], depth + 1)
        functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef)) and n.name == callee]
        returns = [r.value for f in functions for r in _own_nodes(f) if isinstance(r, ast.Return) and r.value is not None]
        if returns:
            return set().union(*(_loader_names(tree, value, depth + 1) for value in returns))
    return {ast.unparse(expression)}


def test_package_source_never_loads_yaml_unsafely_or_runs_data() -> None:
    problems: list[str] = []
    yaml_calls = 0
    for path in _package_modules():
        relative = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        # The plain-text check the review asked for, then the exact one on the syntax tree.
        for pattern in (r"yaml\.unsafe_load", r"yaml\.full_load", r"Loader\s*=\s*yaml\.(Full|Unsafe)?Loader\b", r"\bFullLoader\b", r"\bUnsafeLoader\b"):
            for match in re.finditer(pattern, text):
                problems.append(f"{relative}: {match.group(0)}")
        tree = ast.parse(text, filename=relative)
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in _YAML_LOADERS and _dotted(node.value) == "yaml":
                problems.append(f"{relative}:{node.lineno}: yaml.{node.attr}")
            if not isinstance(node, ast.Call):
                continue
            name = _dotted(node.func) or ""
            if name in _FORBIDDEN_CALLS and (relative, name) not in ALLOWED_CALLS:
                problems.append(f"{relative}:{node.lineno}: {name}(...)")
            if name.startswith("subprocess.") and any(k.arg == "shell" and not (isinstance(k.value, ast.Constant) and k.value.value is False) for k in node.keywords):
                problems.append(f"{relative}:{node.lineno}: {name}(shell=...)")
            if name.startswith("yaml.") and name.split(".", 1)[1] in _YAML_LOADING:
                yaml_calls += 1
                loader = next((k.value for k in node.keywords if k.arg == "Loader"), node.args[1] if len(node.args) > 1 else None)
                if loader is None:
                    problems.append(f"{relative}:{node.lineno}: {name}(...) without an explicit Loader")
                    continue
                unsafe = _loader_names(tree, loader) - SAFE_LOADERS
                if unsafe:
                    problems.append(f"{relative}:{node.lineno}: {name}(...) with Loader {sorted(unsafe)}")
    assert yaml_calls >= 2, "the scan found none of the package's YAML reading: is it still looking at the right code?"
    assert not problems, "\n".join(problems)


def test_the_source_scan_catches_what_it_must() -> None:
    """The scan above, on code that does every forbidden thing once."""
    bad = (
        "import yaml, pickle, importlib\n"
        "loader = yaml.FullLoader\n"
        "yaml.load(text, Loader=loader)\n"
        "yaml.load(text)\n"
        "yaml.compose_all(text, Loader=getattr(yaml, 'CLoader', yaml.Loader))\n"
        "pickle.loads(data)\n"
        "eval(text)\n"
        "importlib.import_module(name)\n"
        "def loader():\n"
        "    class Mine(yaml.FullLoader):\n"
        "        pass\n"
        "    return Mine\n"
        "def safe():\n"
        "    class Strict(yaml.SafeLoader):\n"
        "        pass\n"
        "    return Strict\n"
        "yaml.load(text, Loader=loader())\n"
        "yaml.load(text, Loader=safe())\n"
    )
    tree = ast.parse(bad)
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    forbidden = {(_dotted(call.func) or "") for call in calls} & _FORBIDDEN_CALLS
    assert forbidden == {"pickle.loads", "eval", "importlib.import_module"}
    loads = [call for call in calls if (_dotted(call.func) or "").startswith("yaml.")]
    loaders = [next((k.value for k in call.keywords if k.arg == "Loader"), None) for call in loads]
    assert loaders[1] is None
    assert _loader_names(tree, loaders[0]) - SAFE_LOADERS == {"FullLoader"}  # type: ignore[arg-type]
    assert _loader_names(tree, loaders[2]) - SAFE_LOADERS == {"CLoader", "Loader"}  # type: ignore[arg-type]
    assert _loader_names(tree, loaders[3]) - SAFE_LOADERS == {"FullLoader"}  # type: ignore[arg-type]
    assert _loader_names(tree, loaders[4]) - SAFE_LOADERS == set()  # type: ignore[arg-type]


# ============================================================================ (c) no network
REMOTE_PROJECT: dict[str, str] = {
    "train.py": (
        "import mlflow\nfrom mlflow import MlflowClient\n"
        "mlflow.set_tracking_uri('http://tracking.example.com:5000')\n"
        "client = MlflowClient(tracking_uri='https://mlflow.example.com', registry_uri='databricks://prod-profile')\n"
        "mlflow.set_registry_uri('databricks-uc://workspace')\n"
        "model = mlflow.pyfunc.load_model('s3://bucket/models/churn')\n"
        "champion = mlflow.pyfunc.load_model('models:/churn@champion')\n"
        "mlflow.artifacts.download_artifacts('https://example.com/artifacts/model.pkl')\n"
        "mlflow.create_experiment('e', artifact_location='gs://bucket/artifacts')\n"
    ),
    "serve/batch.py": "import mlflow\nfrom train import client\nmlflow.pyfunc.load_model('runs:/0a1b2c/model')\n",
    "requirements.txt": "--index-url https://pypi.example.com/simple\nmlflow==2.9.2\n-e git+https://github.com/example/lib.git#egg=lib\n",
    "pyproject.toml": "[project]\nname = 'remote'\ndependencies = ['mlflow>=2.9']\n[project.urls]\nHome = 'https://example.com'\n",
    ".env": "MLFLOW_TRACKING_URI=https://tracking.example.com\nMLFLOW_S3_ENDPOINT_URL=http://minio.example.com:9000\n",
    "docker-compose.yaml": "services:\n  mlflow:\n    image: registry.example.com/mlflow:2.9\n    command: mlflow server --host 0.0.0.0 --backend-store-uri postgresql://db.example.com/mlflow --default-artifact-root s3://bucket/a\n",
    "Dockerfile": "FROM registry.example.com/python:3.11\nRUN pip install mlflow --index-url https://pypi.example.com/simple\nCMD mlflow server --host 0.0.0.0\n",
    "explore.ipynb": notebook("%pip install mlflow\nimport mlflow\nmlflow.set_tracking_uri('databricks')\n", "mlflow.pyfunc.load_model('models:/m/3')\n"),
}


class NetworkAttempt(AssertionError):
    pass


@pytest.fixture()
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    attempts: list[str] = []

    def refuse(what: str) -> Any:
        def refused(*args: Any, **kwargs: Any) -> Any:
            attempts.append(f"{what}{args[1:] if what.startswith('socket.socket') else args}")
            raise NetworkAttempt(f"network access in a test: {what}")

        return refused

    for name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo"):
        monkeypatch.setattr(socket, name, refuse(f"socket.{name}"))
    for name in ("connect", "connect_ex", "sendto"):
        monkeypatch.setattr(socket.socket, name, refuse(f"socket.socket.{name}"))
    yield attempts
    assert not attempts, f"mlflow-lint tried to use the network: {attempts}"


def _invoke(args: list[str]) -> tuple[int, str, str]:
    """The CLI in this process (click's test runner), restoring what it tunes."""
    from click.testing import CliRunner

    from mlflow_lint.cli import cli

    try:
        runner = CliRunner(mix_stderr=False)  # click < 8.2: stderr apart only when asked
    except TypeError:
        runner = CliRunner()  # click >= 8.2: always apart
    thresholds = gc.get_threshold()
    try:
        result = runner.invoke(cli, args, catch_exceptions=True)
    finally:
        gc.unfreeze()
        gc.set_threshold(*thresholds)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.stdout, result.stderr


def test_no_network_in_process(no_network: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    project = write(tmp_path / "project", REMOTE_PROJECT)
    monkeypatch.chdir(project)
    monkeypatch.setenv("NO_COLOR", "1")
    result = lint_paths([project], Config(root=project), EVERY_RULE, jobs=1, cwd=project)
    assert {"MLF602", "MLF702", "MLF703"} <= {f.rule for f in result.findings}
    for output_format in FORMATS:
        code, stdout, stderr = _invoke(["check", "--format", output_format, "--verbose", "."])
        assert code == 1, stderr
        assert stdout
    for name in AUDIT_OUTPUTS:
        code, _, stderr = _invoke(["audit", "-o", str(tmp_path / name), "."])
        assert code == 0, stderr
        assert (tmp_path / name).stat().st_size > 0
    code, stdout, _ = _invoke(["audit", "."])  # markdown on standard output
    assert code == 0 and "MLF" in stdout
    for args in (["rules", "--format", "json"], ["explain", "MLF601"], ["--version"]):
        code, _, stderr = _invoke(args)
        assert code == 0, stderr


NETWORK_BLOCKER = """\
import socket


def _refuse(*args, **kwargs):
    with open({log!r}, "a") as log:
        log.write(repr(args) + "\\n")
    raise OSError("network access blocked by the mlflow-lint security test")


for _name in ("create_connection", "getaddrinfo", "gethostbyname", "gethostbyname_ex", "gethostbyaddr", "getnameinfo"):
    setattr(socket, _name, _refuse)
for _name in ("connect", "connect_ex", "sendto"):
    setattr(socket.socket, _name, _refuse)
"""


@pytest.mark.integration
def test_no_network_from_the_console_script(tmp_path: Path) -> None:
    """The real entry point and its worker processes, with the network blocked from start-up."""
    blocker, log = tmp_path / "blocker", tmp_path / "network.log"
    write(blocker, {"sitecustomize.py": NETWORK_BLOCKER.format(log=str(log))})
    project = write(tmp_path / "project", REMOTE_PROJECT)
    for index in range(30):  # enough files for the process pool
        write(project, {f"pkg/m{index}.py": f"import mlflow\nmlflow.set_tracking_uri('https://tracking{index}.example.com')\n"})
    env = {"PYTHONPATH": str(blocker)}
    for output_format in FORMATS:
        result = run("check", "-j", "2", "--format", output_format, cwd=project, env=env)
        assert result.returncode == 1, result.stderr
    outputs = [arg for name in AUDIT_OUTPUTS for arg in ("-o", str(tmp_path / name))]
    assert run("audit", "-j", "2", *outputs, cwd=project, env=env).returncode == 0
    probe = [sys.executable, "-c", "import socket; socket.getaddrinfo('example.com', 80)"]
    check = subprocess.run(probe, env={**os.environ, **env}, capture_output=True, text=True, timeout=60, check=False)
    assert check.returncode != 0 and log.is_file(), "the network blocker is not active in child interpreters"
    log.unlink()
    run("check", cwd=project, env=env)
    assert not log.exists(), f"mlflow-lint tried to use the network: {log.read_text()}"


# ============================================================================ (d) secrets never echoed
SECRETS = {
    "dotenv": "hunter2-secret-value",
    "dotenv-uri": "env-uri-pa55",
    "yaml-k8s": "yaml-manifest-pa55",
    "yaml-compose": "compose-aws-SECRET-key",
    "yaml-backend": "pg/back#end?pa55",
    "python-token": "dapiXXXXSECRET0123456789abcdef",
    "python-uri": "pa55word-in-uri",
    "python-client-uri": "client-uri-pa55",
    "python-host-creds": "host-creds-pa55",
    "python-storage-uri": "s3-userinfo-pa55",
    "python-at-in-password": "p@ss-AT-pa55",
    "python-email-user": "email-user-pa55",
    "notebook": "dapi-notebook-SECRET-5e6f",
    "shell": "sh-export-SECRET-7d6c",
    "shell-uri": "sh-uri-pa55",
    "dockerfile": "docker-env-SECRET-1a2b",
    "dockerfile-space": "dapi-docker-SECRET-3c4d",
    "makefile": "make-SECRET-token-99",
    "python-token-user": "t0kenUserSECRET0123456789abcdefXYZ",
    "python-query-token": "qTokenSECRET42",
    "python-query-password": "qPasswordSECRET43",
    "python-sqlalchemy": "sq/la#ch?emy-SECRET-pa55",
    "dotenv-sqlalchemy": "env/sq#l?SECRET-pa55",
    "dotenv-flask-key": "flask-key-SECRET-8e9f",
    "auth-ini-admin": "ini-admin-SECRET-pa55",
    "auth-ini-replica": "ini-replica-SECRET-pa55",
    "gateway-bedrock": "bedrock-aws-SECRET-key",
    "settings-default": "settings-field-SECRET-pa55",
    "settings-secretstr": "settings-secretstr-SECRET-tok",
    "getenv-default": "getenv-fallback-SECRET-tok",
    "helm-values": "helm-values-SECRET-pa55",
}
S = SECRETS
SECRET_PROJECT: dict[str, str] = {
    ".env": (
        f"MLFLOW_TRACKING_PASSWORD={S['dotenv']}\nMLFLOW_TRACKING_URI=https://eve:{S['dotenv-uri']}@tracking.example.com\n"
        f"MLFLOW_BACKEND_STORE_URI=postgresql://mlflow:{S['dotenv-sqlalchemy']}@db/mlflow\n"
        f"MLFLOW_FLASK_SERVER_SECRET_KEY={S['dotenv-flask-key']}\n"
    ),
    "basic_auth.ini": (
        f"[mlflow]\nadmin_password = {S['auth-ini-admin']}\n"
        f"read_database_uri = postgresql://auth:{S['auth-ini-replica']}@replica/auth\n"
    ),
    "gateway.yaml": (
        "endpoints:\n- name: chat\n  endpoint_type: llm/v1/chat\n  model:\n    provider: bedrock\n    name: m\n"
        f"    config:\n      aws_config:\n        aws_secret_access_key: {S['gateway-bedrock']}\n"
    ),
    "helm/Chart.yaml": "apiVersion: v2\nname: mlflow\nversion: 1.0.0\n",
    "helm/values-prod.yaml": f"backendStore:\n  postgres:\n    password: {S['helm-values']}\n",
    "k8s/deploy.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n      - name: train\n        image: train:1\n"
        f"        env:\n        - name: MLFLOW_TRACKING_PASSWORD\n          value: {S['yaml-k8s']}\n"
        "        - name: MLFLOW_TRACKING_USERNAME\n          value: bot\n"
    ),
    "docker-compose.yaml": (
        "services:\n  mlflow:\n    image: ghcr.io/mlflow/mlflow\n    environment:\n"
        f"      AWS_SECRET_ACCESS_KEY: {S['yaml-compose']}\n"
        f"    command: mlflow server --backend-store-uri postgresql://mlflow:{S['yaml-backend']}@db/mlflow --app-name basic-auth\n"
    ),
    "train.py": (
        "import os\nimport mlflow\nfrom mlflow import MlflowClient\nfrom mlflow.utils.rest_utils import MlflowHostCreds\n"
        f"os.environ['MLFLOW_TRACKING_TOKEN'] = '{S['python-token']}'\n"
        f"mlflow.set_tracking_uri('https://user:{S['python-uri']}@tracking.example.com')\n"
        f"client = MlflowClient(tracking_uri='http://carol:{S['python-client-uri']}@10.0.0.1:5000')\n"
        f"creds = MlflowHostCreds('https://tracking.example.com', username='bot', password='{S['python-host-creds']}')\n"
        f"model = mlflow.pyfunc.load_model('s3://dave:{S['python-storage-uri']}@bucket/model')\n"
        f"mlflow.set_registry_uri('http://user:{S['python-at-in-password']}@registry.example.com')\n"
        f"mlflow.set_tracking_uri('http://first.last@corp.example.com:{S['python-email-user']}@mlflow.corp.example.com')\n"
        f"mlflow.set_tracking_uri('https://{S['python-token-user']}@mlflow.example.com')\n"
        f"mlflow.set_registry_uri('https://mlflow.example.com/api?token={S['python-query-token']}&password={S['python-query-password']}')\n"
        f"client = MlflowClient(registry_uri='postgresql://mlflow:{S['python-sqlalchemy']}@db:5432/mlflow')\n"
    ),
    "settings.py": (
        "import os\nimport mlflow\nfrom pydantic import SecretStr\nfrom pydantic_settings import BaseSettings\n"
        f"class Settings(BaseSettings):\n    mlflow_tracking_password: str = '{S['settings-default']}'\n"
        f"    dagshub_token: SecretStr = SecretStr('{S['settings-secretstr']}')\n"
        f"token = os.getenv('DATABRICKS_TOKEN', '{S['getenv-default']}')\n"
    ),
    "explore.ipynb": notebook(f"import os\nimport mlflow\nos.environ['DATABRICKS_TOKEN'] = '{S['notebook']}'\n"),
    "serve.sh": (
        f"#!/bin/sh\nexport MLFLOW_TRACKING_PASSWORD={S['shell']}\n"
        f"MLFLOW_TRACKING_URI=http://gina:{S['shell-uri']}@h.example.com:5000 mlflow runs list\n"
    ),
    "Dockerfile": f"FROM python:3.11\nENV MLFLOW_TRACKING_PASSWORD={S['dockerfile']}\nENV DATABRICKS_TOKEN {S['dockerfile-space']}\nRUN pip install mlflow\n",
    "Makefile": f"export MLFLOW_TRACKING_TOKEN={S['makefile']}\nserve:\n\tmlflow ui\n",
}
# Where MLF701 must be reported: (path, line), one per secret.
EXPECTED_CREDENTIALS = {
    (".env", 1), (".env", 2), (".env", 3), (".env", 4), ("basic_auth.ini", 2), ("basic_auth.ini", 3), ("gateway.yaml", 9),
    ("helm/values-prod.yaml", 3), ("k8s/deploy.yaml", 11), ("docker-compose.yaml", 5), ("docker-compose.yaml", 6),
    ("train.py", 5), ("train.py", 6), ("train.py", 7), ("train.py", 8), ("train.py", 10), ("train.py", 11),
    ("train.py", 12), ("train.py", 13), ("train.py", 14), ("settings.py", 6), ("settings.py", 7), ("settings.py", 8),
    ("explore.ipynb", 3), ("serve.sh", 2), ("serve.sh", 3), ("Dockerfile", 2), ("Dockerfile", 3), ("Makefile", 1),
}  # fmt: skip


def _fragments(secret: str) -> list[str]:
    """The secret, and its parts either side of an '@' (a mask cut at the first '@' shows the rest)."""
    return [secret, *[part for part in secret.split("@") if len(part) >= 4]]


def assert_no_secret(where: str, text: str) -> None:
    leaked = sorted({name for name, secret in SECRETS.items() for fragment in _fragments(secret) if fragment in text})
    if leaked:
        lines = [line for line in text.splitlines() if any(f in line for name in leaked for f in _fragments(SECRETS[name]))]
        pytest.fail(f"{where} echoes secrets {leaked}:\n" + "\n".join(lines[:10]))


@pytest.fixture()
def secret_project(tmp_path: Path) -> Path:
    return write(tmp_path / "project", SECRET_PROJECT)


@pytest.mark.integration
def test_the_secrets_are_found(secret_project: Path) -> None:
    result = run("check", "--format", "json", cwd=secret_project)
    findings = json.loads(result.stdout)["findings"]
    found = {(f["path"], f["line"]) for f in findings if f["rule"] == "MLF701"}
    assert found >= EXPECTED_CREDENTIALS, f"not reported: {sorted(EXPECTED_CREDENTIALS - found)}"


@pytest.mark.integration
def test_no_report_echoes_a_secret(secret_project: Path, tmp_path: Path) -> None:
    reports = tmp_path / "reports"
    for output_format in FORMATS:
        result = run("check", "--format", output_format, "--statistics", "--verbose", cwd=secret_project)
        assert result.returncode == 1, result.stderr
        assert "MLF701" in result.stdout
        assert_no_secret(f"check --format {output_format} (stdout)", result.stdout)
        assert_no_secret(f"check --format {output_format} (stderr)", result.stderr)
        target = reports / f"report.{output_format}"
        result = run("check", "--format", output_format, "--output", str(target), cwd=secret_project)
        assert_no_secret(f"check --format {output_format} --output", target.read_text(encoding="utf-8") + result.stdout + result.stderr)
    outputs = [arg for name in AUDIT_OUTPUTS for arg in ("-o", str(reports / name))]
    result = run("audit", *outputs, cwd=secret_project)
    assert result.returncode == 0, result.stderr
    assert_no_secret("audit (standard streams)", result.stdout + result.stderr)
    for name in AUDIT_OUTPUTS:
        text = (reports / name).read_text(encoding="utf-8")
        assert "MLF701" in text
        assert_no_secret(f"audit -o {name}", text)
    result = run("audit", cwd=secret_project)  # markdown on standard output
    assert "MLF701" in result.stdout
    assert_no_secret("audit (stdout)", result.stdout + result.stderr)


# (text, the password found in it, the text as messages and reports show it)
USERINFO_CASES = [
    ("http://user:pw@host:5000/x", "pw", "http://user:***@host:5000/x"),
    ("https://user:p@ss@host", "p@ss", "https://user:***@host"),
    ("http://first.last@corp.com:secret@mlflow.corp.com", "secret", "http://first.last@corp.com:***@mlflow.corp.com"),
    ("http://:only-password@host", "only-password", "http://:***@host"),
    ("postgresql://u:pa:ss@db/mlflow?sslmode=require", "pa:ss", "postgresql://u:***@db/mlflow?sslmode=require"),
    ("http://user@host", None, "http://user@host"),
    ("http://host:5000/a@b", None, "http://host:5000/a@b"),
    ("http://user:@host", None, "http://user:***@host"),
    ("models:/m@champion", None, "models:/m@champion"),
    ("'http://a:b@h', 'https://c:d@i'", "b", "'http://a:***@h', 'https://c:***@i'"),
    # A database URL's password runs to the last "@" (SQLAlchemy): "/", "#", "?" included.
    ("postgresql://mlflow:pa/ss#w?rd@db:5432/mlflow", "pa/ss#w?rd", "postgresql://mlflow:***@db:5432/mlflow"),
    ("mysql+pymysql://u:s/e#c?r@db/x?charset=utf8", "s/e#c?r", "mysql+pymysql://u:***@db/x?charset=utf8"),
    # An unencoded "/" in any password: the tail is not left showing.
    ("https://user:pa/ss@mlflow.example.com", "pa/ss", "https://user:***@mlflow.example.com"),
]


@pytest.mark.parametrize(("text", "password", "shown"), USERINFO_CASES)
def test_uri_passwords_are_found_and_masked(text: str, password: str | None, shown: str) -> None:
    from mlflow_lint.analysis.secrets import has_literal_password, mask_secrets, uri_secret_kinds
    from mlflow_lint.analysis.values import literal
    from mlflow_lint.audit.evidence import clip

    assert ("password" in uri_secret_kinds(text)) is (password is not None)
    assert has_literal_password(literal(text)) is (password is not None)
    assert mask_secrets(text) == shown
    assert clip(text) == shown
    assert literal(text).render() == repr(shown)


@pytest.mark.integration
def test_comparing_audits_echoes_no_secret(secret_project: Path, tmp_path: Path) -> None:
    previous = tmp_path / "previous.json"
    run("check", "--format", "json", "--output", str(previous), cwd=secret_project)
    (secret_project / "train.py").write_text(SECRET_PROJECT["train.py"] + "mlflow.set_tracking_uri('./mlruns')\n")
    result = run("audit", "--compare", str(previous), "-o", str(tmp_path / "report.md"), cwd=secret_project)
    assert result.returncode == 0, result.stderr
    assert_no_secret("audit --compare", (tmp_path / "report.md").read_text(encoding="utf-8") + result.stderr)


@pytest.mark.integration
def test_a_baseline_records_no_secret(secret_project: Path, tmp_path: Path) -> None:
    baseline = tmp_path / "baseline.json"
    result = run("check", "--write-baseline", str(baseline), cwd=secret_project)
    assert result.returncode == 0, result.stderr
    assert_no_secret("check --write-baseline (stderr)", result.stdout + result.stderr)
    assert_no_secret("the baseline file", baseline.read_text(encoding="utf-8"))


def _same_shape(secret: str) -> str:
    """Another secret of the same length and character classes (a dictionary's next guess)."""
    shifted = {**{c: chr((ord(c) - 48 + 3) % 10 + 48) for c in "0123456789"}}
    shifted.update({c: chr((ord(c) - 97 + 7) % 26 + 97) for c in "abcdefghijklmnopqrstuvwxyz"})
    shifted.update({c: chr((ord(c) - 65 + 7) % 26 + 65) for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ"})
    return "".join(shifted.get(c, c) for c in secret)


def _hashes(project: Path, tmp_path: Path) -> tuple[list[object], list[object]]:
    sarif = json.loads(run("check", "--format", "sarif", "--no-cache", cwd=project).stdout)
    prints = sorted((r["ruleId"], json.dumps(r["partialFingerprints"], sort_keys=True)) for r in sarif["runs"][0]["results"])
    baseline = project / "baseline.json"  # entry paths are relative to it
    run("check", "--no-cache", "--write-baseline", str(baseline), cwd=project)
    entries = sorted(json.dumps(entry, sort_keys=True) for entry in json.loads(baseline.read_text(encoding="utf-8"))["findings"])
    return prints, entries


@pytest.mark.integration
def test_fingerprints_and_baseline_hashes_reveal_nothing_of_a_secret(tmp_path: Path) -> None:
    """A hash over the flagged code as written lets a dictionary run recover the secret;
    over the masked code (the secret's kind and length), every secret of the same shape
    hashes alike: the hashes carry nothing a guess could be checked against."""
    variant = dict(SECRET_PROJECT)
    for secret in SECRETS.values():
        variant = {name: text.replace(secret, _same_shape(secret)) for name, text in variant.items()}
    assert variant != SECRET_PROJECT
    original = _hashes(write(tmp_path / "original", SECRET_PROJECT), tmp_path)
    guessed = _hashes(write(tmp_path / "guessed", variant), tmp_path)
    assert original == guessed


@pytest.mark.integration
def test_the_result_cache_holds_no_secret(secret_project: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    for _ in range(2):  # cold, then warm from the cache
        result = run("check", "--format", "json", "--cache-dir", str(cache), cwd=secret_project)
        assert "MLF701" in result.stdout
    files = [path for path in cache.rglob("*") if path.is_file()]
    assert any(path.name.startswith("results-") for path in files)
    for path in files:
        assert_no_secret(f"the cache file {path.name}", path.read_text(encoding="utf-8", errors="replace"))


@pytest.mark.integration
def test_a_baseline_written_before_masking_still_accepts_its_findings(secret_project: Path, tmp_path: Path) -> None:
    """Version 2 files hashed the flagged code unmasked: those entries match by rule and
    path now, and the run says to rewrite the file."""
    current = tmp_path / "current.json"
    run("check", "--no-cache", "--write-baseline", str(current), cwd=secret_project)
    document = json.loads(current.read_text(encoding="utf-8"))
    document["version"] = 2
    for entry in document["findings"]:
        if "code" in entry and entry["rule"] == "MLF701":
            entry["code"] = "0" * 32  # what an unmasked hash is to the masked findings: no match
    legacy = tmp_path / "legacy.json"
    legacy.write_text(json.dumps(document), encoding="utf-8")
    result = run("check", "--no-cache", "--format", "json", "--baseline", str(legacy), cwd=secret_project)
    assert json.loads(result.stdout)["findings"] == [], result.stdout
    assert "rewrite it with --write-baseline" in result.stderr


# ============================================================================ (e) no forged log lines
HOSTILE_NAMES = [
    "title\x1b]0;pwned\x07.py",  # an OSC sequence: sets the terminal title
    "clear\x1b[2J\x1b[H.py",  # clears the screen
    "forged\n::error file=evil.py,line=1::injected by a file name\n.py",  # a workflow command on a line of its own
    "cr\rcarriage.py",
    "sep\u2028line.py",
]


@pytest.mark.integration
def test_file_names_cannot_forge_log_lines_or_drive_the_terminal(tmp_path: Path) -> None:
    body = "import mlflow\nmlflow.pyfunc.load_model('runs:/0a1b2c/model')\n"
    project = write(tmp_path / "project", dict.fromkeys(HOSTILE_NAMES, body))
    write(project, {"deploy/.env": "MLFLOW_TRACKING_URI=./mlruns\n", "deploy/\x1b[31mred.env": "MLFLOW_TRACKING_URI=./mlruns\n"})
    for output_format in FORMATS:
        result = run("check", "--format", output_format, cwd=project)
        assert result.returncode == 1, result.stderr
        assert "\r" not in result.stdout, output_format
        if output_format != "github":  # file= must name the file exactly; the runner consumes the line
            assert "\x1b" not in result.stdout and "\x07" not in result.stdout, output_format
        if output_format in ("json", "sarif"):
            json.loads(result.stdout)  # JSON escapes the controls (U+2028 may stay: it is valid JSON)
        elif output_format == "text":
            assert "\u2028" not in result.stdout
        forged = [line for line in result.stdout.split("\n") if line.startswith("::") and "injected" in line and not line.startswith("::error file=forged")]
        assert not forged, f"{output_format}: a file name forged a workflow command: {forged}"
    text = run("check", cwd=project).stdout.split("\n")
    assert len([line for line in text if "MLF601" in line]) == len(HOSTILE_NAMES)
    assert all(line.startswith(("forged\\n", "title\\x1b", "clear\\x1b", "cr\\r", "sep\\u2028", "deploy/", "Found", "")) for line in text), text


# ============================================================================ (f) files that never end
def _limit_memory() -> None:  # runs in the child before exec
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


@pytest.mark.integration
@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_symlink_to_a_device_is_not_read_forever(tmp_path: Path) -> None:
    """git stores symlinks: a pull request can add ``model.py -> /dev/zero``. Reading it to
    the end exhausts the runner's memory (here capped at 1 GiB, so it fails fast)."""
    project = write(tmp_path / "project", {"serve.py": "import mlflow\nmlflow.pyfunc.load_model('runs:/0a1b2c/model')\n"})
    (project / "model.py").symlink_to("/dev/zero")
    environment = {**os.environ, "NO_COLOR": "1", "MLFLOW_LINT_CACHE_DIR": os.environ["MLFLOW_LINT_CACHE_DIR"]}
    result = subprocess.run(
        [console_script(), "check", "."], cwd=project, env=environment, capture_output=True, text=True,
        timeout=120, check=False, preexec_fn=_limit_memory,
    )  # fmt: skip
    assert result.returncode == 1, result.stderr
    assert "serve.py:2:26: MLF601" in result.stdout
    assert "model.py" not in result.stdout  # skipped as not a regular file (--verbose says so)


@pytest.mark.integration
def test_skipped_and_unsupported_file_names_on_stderr_are_printed_as_escapes(tmp_path: Path) -> None:
    project = write(tmp_path / "project", {"ok.py": "import mlflow\n", "notes\x1b]0;pwned\x07.txt": "mlflow\n"})
    os.mkfifo(project / "pipe\n::error file=x::forged.py")
    result = run("check", "--verbose", ".", "notes\x1b]0;pwned\x07.txt", cwd=project)
    assert "\x1b" not in result.stderr and "\x07" not in result.stderr
    assert not [line for line in result.stderr.splitlines() if line.startswith("::")]
    assert "skipped pipe\\n::error file=x::forged.py: not a regular file" in result.stderr


# ============================================================================ (g) gates that cannot be bypassed
LOAD_FROM_RUN = 'import mlflow\nmlflow.pyfunc.load_model("runs:/0a1b2c/model")\n'
# Committed names a change set must not lose: a space (git ends its "+++ b/…" header with a
# TAB), a tab, a double quote and a newline (git quotes those), bytes that are not UTF-8,
# and a rename into a name with a space.
AWKWARD_NAMES = ["Untitled 1.py", "tab\there.py", 'we"ird.py', "new\nline.py", os.fsdecode(b"bad\xff.py")]


@pytest.mark.integration
def test_diff_mode_keeps_every_committed_file_whatever_its_name(tmp_path: Path) -> None:
    from .gitrepo import commit, git, init_repo

    repo = init_repo(tmp_path / "repo", {"pyproject.toml": "[project]\nname = 'demo'\n", "old name.py": "x = 1\n"})
    git(repo, "switch", "-q", "-c", "feature")
    for name in AWKWARD_NAMES:
        (repo / name).write_bytes(LOAD_FROM_RUN.encode())
    git(repo, "mv", "old name.py", "new name.py")
    (repo / "new name.py").write_text("x = 1\n" + LOAD_FROM_RUN, encoding="utf-8")
    commit(repo, message="awkward names")
    result = run("check", "--format", "json", "--diff", "main", cwd=repo)
    found = sorted((f["path"], f["line"]) for f in json.loads(result.stdout)["findings"])
    shown = sorted(name.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace") for name in AWKWARD_NAMES)
    assert found == sorted([(name, 2) for name in shown] + [("new name.py", 3)]), result.stderr


def test_diff_mode_attributes_hunks_without_reading_names_from_headers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """If no patch section can be matched to a known file, each file gets a diff of its own."""
    from mlflow_lint import diff_mode

    from .gitrepo import commit, git, init_repo

    repo = init_repo(tmp_path / "repo", {"a b.py": "x = 1\n", "c.py": "y = 1\n"})
    git(repo, "switch", "-q", "-c", "feature")
    commit(repo, {"a b.py": "x = 1\nx = 2\n", "c.py": "y = 0\ny = 1\n"})
    expected = {(repo / "a b.py").resolve(): frozenset({2}), (repo / "c.py").resolve(): frozenset({1})}
    assert diff_mode.changed_lines("main", repo).files == expected
    monkeypatch.setattr(diff_mode._Entry, "header", property(lambda self: b"diff --git no match"))
    assert diff_mode.changed_lines("main", repo).files == expected


# What a file means, not its bytes: each of these spells "mlflow" only once decoded, and
# each has a finding the analysis makes once it reads the file. (name, bytes, rule)
_TRACKING_BODY = 'import os\nos.environ["MLFLOW_TRACKING_URI"] = "./mlruns"\n'
_NOTEBOOK_ESCAPED = json.dumps(
    {
        "cells": [{"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None, "source": "import mlflow\nmlflow.set_tracking_uri('./mlruns')\n"}],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
).replace("mlflow", "\\u006dlflow")
ENCODED_FILES: list[tuple[str, bytes, str]] = [
    ("utf7.py", b"# coding: utf-7\n" + _TRACKING_BODY.replace("MLFLOW", "+AE0ATABGAEwATwBX-").encode(), "MLF101"),
    ("escape_codec.py", b"# coding: unicode_escape\n" + _TRACKING_BODY.replace("MLFLOW", "\\x4dLFLOW").encode(), "MLF101"),
    ("string_escape.py", _TRACKING_BODY.replace("MLFLOW", "\\N{LATIN CAPITAL LETTER M}LFLOW").encode(), "MLF101"),
    ("fullwidth.py", 'import \uff4dlflow\n\uff4dlflow.set_tracking_uri("./mlruns")\n'.encode(), "MLF101"),
    ("escaped.ipynb", _NOTEBOOK_ESCAPED.encode(), "MLF101"),
    ("compose.yaml", b'services:\n  app:\n    image: x\n    environment:\n      "\\x4dLFLOW_TRACKING_URI": "./mlruns"\n', "MLF101"),
    ("Dockerfile", b'FROM python:3.11\nCMD ["\\u006dlflow", "server", "--host", "0.0.0.0"]\n', "MLF703"),
    ("quoted.sh", b'#!/bin/sh\nml""flow server --host 0.0.0.0\n', "MLF703"),
    ("continued.sh", b"#!/bin/sh\nml\\\nflow server --host 0.0.0.0\n", "MLF703"),
]


@pytest.mark.integration
def test_encoded_code_is_analysed_like_plain_code(tmp_path: Path) -> None:
    for name, data, _ in ENCODED_FILES:
        assert b"mlflow" not in data.lower(), name  # the raw bytes never say it
    project = write(tmp_path / "project", {name: data for name, data, _ in ENCODED_FILES})
    result = run("check", "--format", "json", "--no-cache", cwd=project)
    found = {(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]}
    missing = [(name, rule) for name, _, rule in ENCODED_FILES if (name, rule) not in found]
    assert not missing, f"reported clean: {missing}"


@pytest.mark.integration
def test_flake8_and_the_cli_agree_on_encoded_python(tmp_path: Path) -> None:
    python = {name: data for name, data, _ in ENCODED_FILES if name.endswith(".py")}
    project = write(tmp_path / "project", python)
    cli = json.loads(run("check", "--format", "json", "--no-cache", *sorted(python), cwd=project).stdout)["findings"]
    flake8 = subprocess.run(
        [sys.executable, "-m", "flake8", "--select", "MLF", "--format", "%(path)s:%(row)d:%(code)s", *sorted(python)],
        cwd=project, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    from_flake8 = sorted(flake8.stdout.splitlines())
    from_cli = sorted(f"{f['path']}:{f['line']}:{f['rule']}" for f in cli)
    assert from_cli == from_flake8 and len(from_cli) == len(python), (from_cli, flake8.stdout, flake8.stderr)


# ============================================================================ (h) nothing read or written outside the project
OUTSIDE_ENV = "MLFLOW_TRACKING_URI=./outside-mlruns\nMLFLOW_TRACKING_PASSWORD=outside-SECRET-4242\n"


def linked_project(tmp_path: Path) -> tuple[Path, Path]:
    """A git project with committed links that leave it: a .env, a module its code imports
    a constant from, and report/baseline/cache files; the targets sit beside the project."""
    outside = tmp_path / "outside"
    write(outside, {"secrets.env": OUTSIDE_ENV, "settings.py": "TRACKING_URI = './outside-mlruns'\n", "bashrc": "# theirs\n"})
    project = write(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'demo'\n",
            "serve.py": "import mlflow\nfrom settings import TRACKING_URI\nmlflow.set_tracking_uri(TRACKING_URI)\nmlflow.pyfunc.load_model('runs:/0a1b2c/model')\n",
        },
    )
    (project / ".git").mkdir()
    (project / "x.env").symlink_to(outside / "secrets.env")
    (project / "settings.py").symlink_to(outside / "settings.py")
    for name in ("report.sarif", "report.md", "baseline.json"):
        (project / name).symlink_to(outside / "bashrc")
    (project / ".mlflow_lint_cache").mkdir()
    (project / ".mlflow_lint_cache" / ".gitignore").symlink_to(outside / "created-through-a-link")
    return project, outside


@pytest.mark.integration
def test_links_out_of_the_project_are_never_read(tmp_path: Path) -> None:
    project, _ = linked_project(tmp_path)
    for args in (("check", "--verbose", "--format", "json", "."), ("check", "--verbose", "--format", "json", "x.env", "serve.py")):
        result = run(*args, "--no-cache", cwd=project)
        findings = json.loads(result.stdout)["findings"]
        assert [(f["path"], f["rule"]) for f in findings] == [("serve.py", "MLF601")], result.stdout
        assert "skipped x.env: symbolic link to a file outside the project" in result.stderr
        assert "outside-SECRET" not in result.stdout + result.stderr and "outside-mlruns" not in result.stdout


@pytest.mark.integration
def test_reports_baselines_and_the_cache_never_write_through_a_link(tmp_path: Path) -> None:
    project, outside = linked_project(tmp_path)
    env = {"MLFLOW_LINT_CACHE_DIR": ""}  # the default location, beside the configuration
    run("check", "--format", "sarif", "--output", "report.sarif", cwd=project, env=env)
    run("check", "--write-baseline", "baseline.json", cwd=project, env=env)
    run("audit", "-o", "report.md", cwd=project, env=env)
    assert (outside / "bashrc").read_text(encoding="utf-8") == "# theirs\n"
    assert not (outside / "created-through-a-link").exists()
    for name in ("report.sarif", "report.md", "baseline.json"):
        assert not (project / name).is_symlink() and (project / name).stat().st_size > 0, name


def _limit_file_size() -> None:  # runs in the child before exec: a disk that is full past 4 KB
    import resource
    import signal

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write past the limit fails with EFBIG instead
    resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))


@pytest.mark.integration
def test_a_full_disk_never_destroys_a_file(tmp_path: Path) -> None:
    """Every write goes to a temporary file that is renamed into place: a failed write
    leaves the previous baseline and report whole."""
    loads = "".join(f"m{i} = mlflow.pyfunc.load_model('runs:/0a1b2c{i:04d}/model')\n" for i in range(80))
    project = write(tmp_path / "project", {"pyproject.toml": "[project]\nname = 'demo'\n", "serve.py": "import mlflow\n" + loads})
    previous = {"baseline.json": '{"tool": "mlflow-lint", "version": 3, "findings": []}\n', "report.json": '{"old": "report"}\n'}
    write(project, previous)
    environment = {**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    for args in (("--write-baseline", "baseline.json"), ("--format", "json", "--output", "report.json")):
        result = subprocess.run(
            [console_script(), "check", "--no-cache", *args], cwd=project, env=environment, capture_output=True,
            text=True, timeout=120, check=False, preexec_fn=_limit_file_size,
        )  # fmt: skip
        assert result.returncode == 2 and "cannot write" in result.stderr, (args, result.returncode, result.stderr)
        assert "Traceback" not in result.stderr
    for name, text in previous.items():
        assert (project / name).read_text(encoding="utf-8") == text, name
    assert sorted(p.name for p in project.iterdir()) == ["baseline.json", "pyproject.toml", "report.json", "serve.py"]


# ============================================================================ (g, continued) a cache is no way around the gate
@pytest.mark.integration
def test_a_cache_file_not_written_here_is_never_trusted(tmp_path: Path) -> None:
    """A committed (or image-restored) cache file that says "no findings" for a bad file:
    the key is predictable, so only a signature with this machine's secret can vouch."""
    project = write(tmp_path / "project", {"pyproject.toml": "[project]\nname = 'demo'\n", "serve.py": LOAD_FROM_RUN})
    cache = tmp_path / "cache"
    assert run("check", "--cache-dir", str(cache), cwd=project).returncode == 1
    (cache_file,) = cache.glob("results-*.json")
    mac, _, body = cache_file.read_bytes().partition(b"\n")
    data = json.loads(body)
    for entry in data["results"].values():
        entry["findings"] = []  # what the forger wants CI to believe
    cache_file.write_bytes(mac + b"\n" + json.dumps(data).encode())  # the old MAC: no key to make a new one
    result = run("check", "--verbose", "--cache-dir", str(cache), cwd=project)
    assert result.returncode == 1 and "serve.py:2:26: MLF601" in result.stdout
    assert "not written by mlflow-lint for this user on this machine" in result.stderr
    # Another machine's key signs nothing this one accepts.
    other_key = tmp_path / "other-key"
    other = run("check", "--verbose", "--cache-dir", str(cache), cwd=project, env={"MLFLOW_LINT_CACHE_KEY_FILE": str(other_key)})
    assert other.returncode == 1 and "not written by mlflow-lint" in other.stderr


@pytest.mark.integration
def test_a_cache_directory_that_git_tracks_or_a_linked_one_is_not_used(tmp_path: Path) -> None:
    from .gitrepo import commit, init_repo

    project = init_repo(tmp_path / "project", {"pyproject.toml": "[project]\nname = 'demo'\n", "serve.py": LOAD_FROM_RUN})
    env = {"MLFLOW_LINT_CACHE_DIR": ""}  # the default location, beside the configuration
    commit(project, {".mlflow_lint_cache/results-0.json": "{}\n"}, message="commit the cache")
    result = run("check", cwd=project, env=env)
    assert result.returncode == 1 and "is tracked by git" in result.stderr
    assert (project / ".mlflow_lint_cache" / "results-0.json").read_text(encoding="utf-8") == "{}\n"
    linked = write(tmp_path / "linked", {"pyproject.toml": "[project]\nname = 'demo'\n", "serve.py": LOAD_FROM_RUN})
    (tmp_path / "elsewhere").mkdir()
    (linked / ".mlflow_lint_cache").symlink_to(tmp_path / "elsewhere")
    result = run("check", cwd=linked, env=env)
    assert result.returncode == 1 and "is a symbolic link" in result.stderr
    assert not list((tmp_path / "elsewhere").iterdir())


@pytest.mark.integration
def test_an_unsaved_buffer_never_stands_in_for_the_file_on_disk(tmp_path: Path) -> None:
    """flake8 on an editor's buffer (standard input) must not record the buffer's tracking
    URIs as the on-disk file's project facts: later runs would compare against them."""
    uri = 'import mlflow\nmlflow.set_tracking_uri("{}")\n'
    project = write(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'demo'\n",
            "a.py": uri.format("https://mlflow.example.com"),
            "b.py": uri.format("https://mlflow.example.com"),
            "c.py": uri.format("https://other.example.com"),
        },
    )
    env = {**os.environ, "MLFLOW_LINT_CACHE_DIR": str(tmp_path / "cache")}

    def flake8(*args: str, stdin: str | None = None) -> list[str]:
        command = [sys.executable, "-m", "flake8", "--select", "MLF", "--format", "%(path)s:%(row)d:%(code)s", *args]
        done = subprocess.run(command, cwd=project, env=env, input=stdin, capture_output=True, text=True, timeout=120)
        assert "Traceback" not in done.stderr, done.stderr
        return done.stdout.splitlines()

    # The buffer first, on an empty cache: it is the run that computes the project facts.
    assert flake8("--stdin-display-name", "a.py", "-", stdin=uri.format("https://other.example.com")) == ["a.py:2:MLF102"]
    assert flake8("a.py", "b.py", "c.py") == ["c.py:2:MLF102"]


# ============================================================================ (i) processes
def _busy_project(root: Path) -> Path:
    """Enough files for the process pool, each worth analysing."""
    body = "import mlflow\n" + "".join(f"m{i} = mlflow.pyfunc.load_model('runs:/0a1b{i:04d}/model')\n" for i in range(300))
    return write(root, {"pyproject.toml": "[project]\nname = 'busy'\n", **{f"pkg/m{n:03d}.py": body for n in range(400)}})


def _children(pid: int) -> list[int]:
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found.extend(int(child) for child in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _start(project: Path, **popen: Any) -> tuple[subprocess.Popen[str], list[int]]:
    environment = {**os.environ, "NO_COLOR": "1"}
    process = subprocess.Popen(
        [console_script(), "check", "--no-cache", "--jobs", "2", "."], cwd=project, env=environment,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and process.poll() is None:
        workers = _children(process.pid)
        if len(workers) >= 2:
            return process, workers
        time.sleep(0.05)
    process.kill()
    pytest.fail("the pool never started")


def _alive(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.integration
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads process children from /proc")
@pytest.mark.parametrize("signal_name", ["SIGKILL", "SIGTERM"])
def test_pool_workers_die_with_the_main_process(tmp_path: Path, signal_name: str) -> None:
    import signal

    process, workers = _start(_busy_project(tmp_path / "project"))
    process.send_signal(getattr(signal, signal_name))
    try:
        process.communicate(timeout=20)  # the workers held the pipes open: this hung forever
    except subprocess.TimeoutExpired:
        for pid in workers:
            os.kill(pid, signal.SIGKILL)
        pytest.fail(f"pool workers outlived the main process ({signal_name})")
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not any(_alive(pid) for pid in workers)


@pytest.mark.integration
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="reads process children from /proc")
@pytest.mark.parametrize("to_group", [False, True], ids=["main-process", "process-group"])
def test_an_interrupt_exits_130_not_1(tmp_path: Path, to_group: bool) -> None:
    """Ctrl-C reaches the whole process group; ``kill -INT`` only the main process.
    Exit 1 would read as "findings" in a CI script."""
    import signal

    process, _workers = _start(_busy_project(tmp_path / "project"), start_new_session=True)
    if to_group:
        os.killpg(process.pid, signal.SIGINT)
    else:
        process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "mlflow-lint: interrupted" in stderr and "Traceback" not in stderr


@pytest.mark.integration
def test_fixes_never_write_through_a_link_nor_truncate_on_a_full_disk(tmp_path: Path) -> None:
    secret = "import os\nimport mlflow\n" + "".join(f"os.environ['MLFLOW_TRACKING_PASSWORD'] = 'pa55word-{i:03d}'\n" for i in range(120))
    outside = write(tmp_path / "outside", {"theirs.py": secret})
    project = write(tmp_path / "project", {"pyproject.toml": "[project]\nname = 'demo'\n", "train.py": secret, "lib/shared.py": secret})
    (project / ".git").mkdir()
    (project / "outside.py").symlink_to(outside / "theirs.py")  # never read (see above)
    (project / "inside.py").symlink_to(project / "lib" / "shared.py")  # linted as lib/shared.py
    named = run("check", "--unsafe-fixes", "inside.py", cwd=project)  # pre-commit names the link alone
    assert "inside.py: not fixed: a symbolic link" in named.stderr
    assert (project / "lib" / "shared.py").read_text(encoding="utf-8") == secret and (project / "inside.py").is_symlink()
    result = run("check", "--unsafe-fixes", cwd=project)
    assert "Traceback" not in result.stderr
    assert (outside / "theirs.py").read_text(encoding="utf-8") == secret
    assert (project / "outside.py").is_symlink() and (project / "inside.py").is_symlink()
    for fixed in ("train.py", "lib/shared.py"):
        assert (project / fixed).read_text(encoding="utf-8") != secret, fixed
    # A full disk in the middle of writing the fixed file leaves the original whole.
    (project / "train.py").write_text(secret, encoding="utf-8")
    environment = {**os.environ, "NO_COLOR": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    failed = subprocess.run(
        [console_script(), "check", "--no-cache", "--unsafe-fixes", "train.py"], cwd=project, env=environment,
        capture_output=True, text=True, timeout=120, check=False, preexec_fn=_limit_file_size,
    )  # fmt: skip
    assert failed.returncode == 2 and "cannot write the fixed train.py" in failed.stderr, failed.stderr
    assert (project / "train.py").read_text(encoding="utf-8") == secret


@pytest.mark.integration
def test_an_output_that_is_a_device_or_a_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    """Atomic writes rename a temporary file over the output: over /dev/null (as root) that
    replaced the device by a regular file and broke every program after it."""
    import stat
    import threading

    project = write_files(tmp_path / "p", {"pyproject.toml": "", "train.py": "import mlflow\nmlflow.set_tracking_uri('./mlruns')\n"})
    result = run_cli("check", ".", "--no-cache", "-o", os.devnull, cwd=project)
    assert result.returncode == 1, result.stderr
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)

    pipe = tmp_path / "findings.pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()))
    reader.start()
    result = run_cli("check", ".", "--no-cache", "--format", "json", "-o", str(pipe), cwd=project)
    reader.join(timeout=60)
    assert result.returncode == 1, result.stderr
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
    assert json.loads(received[0])["summary"]["findings"] == 1
