"""A check on a few files imports only what it uses: pre-commit pays the start-up on every
commit. Each case runs the real CLI entry point in a fresh interpreter and lists which of
the heavy modules ended up imported."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

# Every test here starts a fresh interpreter to see what it imports: the integration tier (docs/development.md).
pytestmark = pytest.mark.integration

HEAVY = (
    "libcst",
    "git",
    "sarif_om",
    "mlflow_lint.reporters.sarif",
    "mlflow_lint.fixes",
    "mlflow_lint.diff_mode",
    "mlflow_lint.audit",
    "mlflow_lint.engine.evidence",  # the audit's evidence, gathered in the lint's pass
    "yaml",
    "multiprocessing",
    "concurrent.futures.process",
    "jsonschema",
    "pathspec",
    "pygls",  # the language server's (mlflow_lint.lsp), never the CLI's
    "lsprotocol",
    "mlflow_lint.lsp",
)

_PROBE = """
import json, sys
from mlflow_lint.cli import cli
try:
    cli.main(sys.argv[2:], standalone_mode=False)
except SystemExit:
    pass
heavy = json.loads(sys.argv[1])
sys.stderr.write("IMPORTED=" + json.dumps(sorted(m for m in heavy if m in sys.modules)) + "\\n")
"""


def _imported(cwd: Path, *args: str, watched: tuple[str, ...] = HEAVY) -> set[str]:
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, json.dumps(watched), *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )
    line = [text for text in result.stderr.splitlines() if text.startswith("IMPORTED=")]
    assert line, result.stderr
    return set(json.loads(line[0].removeprefix("IMPORTED=")))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    # A checkout compiles its rule catalog on first use (a wheel ships it compiled): done
    # here, so that what the runs below import is what an installed package's would.
    from mlflow_lint.catalog import load_catalog

    load_catalog()
    (tmp_path / ".git").mkdir()
    (tmp_path / "train.py").write_text('import mlflow\n\nmlflow.set_tracking_uri("./mlruns")\n')
    (tmp_path / "serve.py").write_text('import mlflow\n\nmodel = mlflow.pyfunc.load_model("runs:/abc/model")\n')
    (tmp_path / "util.py").write_text("def f():\n    return 1\n")
    (tmp_path / "deploy.yaml").write_text("env:\n  MLFLOW_TRACKING_URI: http://mlflow:5000\n")
    return tmp_path


@pytest.mark.parametrize("cache", [["--no-cache"], []], ids=["uncached", "cached"])
def test_a_check_on_a_few_python_files_imports_nothing_heavy(project: Path, cache: list[str]) -> None:
    for _ in range(2):  # cold, then warm
        assert _imported(project, "check", *cache, "train.py", "serve.py", "util.py") == set()


# What reading a source takes: a warm run, every file served by the result cache, reads none.
SOURCE_READERS = (
    "mlflow_lint.analysis.api",
    "mlflow_lint.analysis.module",
    "mlflow_lint.sources.document",
    "mlflow_lint.sources.notebook",
    "mlflow_lint.sources.databricks_bundle",
    "mlflow_lint.sources.requirements",
)


def test_a_warm_run_imports_no_source_reader(project: Path) -> None:
    files = ("train.py", "serve.py", "util.py")
    cold = _imported(project, "check", *files, watched=SOURCE_READERS)
    assert {"mlflow_lint.analysis.module", "mlflow_lint.sources.document"} <= cold  # the probe sees them when used
    assert _imported(project, "check", *files, watched=SOURCE_READERS) == set()


def test_sarif_output_imports_the_sarif_code_and_nothing_else_heavy(project: Path) -> None:
    assert _imported(project, "check", "--format", "sarif", "train.py") == {"sarif_om", "mlflow_lint.reporters.sarif"}


def test_yaml_is_imported_when_a_yaml_file_is_linted(project: Path) -> None:
    assert _imported(project, "check", "--no-cache", "deploy.yaml") == {"yaml"}


def test_ignore_patterns_never_import_pathspec(project: Path) -> None:
    """pathspec is a test dependency only (the reference for mlflow_lint.ignore_patterns): a
    walk that reads a .gitignore and the ``exclude`` setting must not import it."""
    (project / ".gitignore").write_text("build/\n*.gen.py\n!keep.gen.py\n")
    (project / "pyproject.toml").write_text(
        '[tool.mlflow-lint]\nexclude = ["legacy/", "*_test.py"]\n[tool.mlflow-lint.per-file-ignores]\n"tests/**" = ["MLF101"]\n'
    )
    assert "pathspec" not in _imported(project, "check", "--no-cache", "train.py", "serve.py")
    assert "pathspec" not in _imported(project, "check", "--no-cache", ".")


_SERVER_PROBE = """
import sys
from pathlib import Path
from mlflow_lint.lsp.documents import Snapshot
from mlflow_lint.lsp.linting import DocumentLinter
import mlflow_lint.lsp.server  # noqa: F401 - the whole server, as `mlflow-lint server` loads it
path = Path(sys.argv[1])
outcome = DocumentLinter(lambda: [path.parent]).lint(Snapshot(path.as_uri(), 1, path, "python", path.read_text()))
sys.stderr.write("FOUND=" + ",".join(sorted(f.rule for f in outcome.findings)) + "\\n")
sys.stderr.write("LIBCST=" + str("libcst" in sys.modules) + "\\n")
"""


def test_the_language_server_imports_libcst_only_for_a_fix(project: Path) -> None:
    """Diagnostics are the engine's (ast); libcst is loaded when a code action asks for a fix."""
    result = subprocess.run(
        [sys.executable, "-c", _SERVER_PROBE, str(project / "serve.py")], cwd=project, capture_output=True, text=True, timeout=120
    )
    assert "FOUND=MLF601" in result.stderr.splitlines(), result.stderr
    assert "LIBCST=False" in result.stderr.splitlines(), result.stderr
