"""Each file uses the nearest configuration above it, never above its project.

A monorepo with two sub-projects, each with a configuration of its own, inside a git
repository whose parent directory holds a stranger's configuration: the CLI, pre-commit
and the flake8 plugin agree, and the result never depends on the order of the paths.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import run_cli, write_files
from .gitrepo import init_repo

# Every test here runs the installed console script, flake8 and pre-commit: the integration tier (docs/development.md).
pytestmark = pytest.mark.integration

SERVE = 'import mlflow\nmlflow.set_tracking_uri("./mlruns")\nmlflow.pyfunc.load_model("runs:/0a1b2c/model")\n'


def monorepo(tmp_path: Path) -> Path:
    # A directory above the checkout with a configuration that would turn everything off.
    write_files(tmp_path / "outer", {".mlflow-lint.yaml": "ignore: [ALL]\n"})
    repo = init_repo(
        tmp_path / "outer" / "repo",
        {
            "pyproject.toml": "[project]\nname = 'mono'\n[tool.mlflow-lint]\nselect = ['MLF1', 'MLF6']\n",
            "services/a/.mlflow-lint.yaml": "ignore: [MLF601]\nexclude: ['legacy/']\n",
            "services/a/serve.py": SERVE,
            "services/a/legacy/serve.py": SERVE,
            "services/b/serve.py": SERVE,
            "tools/serve.py": SERVE,
        },
    )
    return repo


def findings(repo: Path, *args: str) -> list[tuple[str, int, str]]:
    result = run_cli("check", "--format", "json", "--no-cache", *args, cwd=repo)
    assert result.returncode in (0, 1), result.stderr
    return [(f["path"], f["line"], f["rule"]) for f in json.loads(result.stdout)["findings"]]


EXPECTED = [
    ("services/a/serve.py", 2, "MLF101"),  # services/a ignores MLF601 and excludes legacy/
    ("services/b/serve.py", 2, "MLF101"),  # the repository's configuration: MLF1 and MLF6
    ("services/b/serve.py", 3, "MLF601"),
    ("tools/serve.py", 2, "MLF101"),
    ("tools/serve.py", 3, "MLF601"),
]


def test_each_file_uses_the_nearest_configuration(tmp_path: Path) -> None:
    repo = monorepo(tmp_path)
    assert findings(repo) == EXPECTED


def test_results_never_depend_on_the_order_of_the_paths(tmp_path: Path) -> None:
    repo = monorepo(tmp_path)
    every = findings(repo, ".")
    assert findings(repo, "services/a", "services/b", "tools") == every
    assert findings(repo, "tools", "services/b", "services/a") == every
    assert findings(repo, "services/b/serve.py", "services/a/serve.py", "tools/serve.py") == every
    # A sub-project named alone still uses its own configuration.
    assert findings(repo, "services/a") == [("services/a/serve.py", 2, "MLF101")]


def test_a_configuration_above_the_checkout_never_applies(tmp_path: Path) -> None:
    repo = monorepo(tmp_path)
    (repo / "pyproject.toml").write_text("[project]\nname = 'mono'\n", encoding="utf-8")  # no table: defaults
    rules = {rule for _, _, rule in findings(repo, "tools")}
    assert rules == {"MLF101", "MLF601"}  # outer/.mlflow-lint.yaml would have ignored ALL


def test_verbose_names_each_configuration_and_config_show_explains_one(tmp_path: Path) -> None:
    repo = monorepo(tmp_path)
    result = run_cli("check", "--no-cache", "--verbose", ".", cwd=repo)
    assert f"configuration: {(repo / 'pyproject.toml').resolve()}" in result.stderr
    assert f"configuration: {(repo / 'services/a/.mlflow-lint.yaml').resolve()}" in result.stderr
    shown = json.loads(run_cli("config", "show", "services/a/serve.py", cwd=repo).stdout)
    assert shown["configuration"] == str((repo / "services/a/.mlflow-lint.yaml").resolve())
    assert shown["ignore"] == ["MLF601"] and shown["exclude"] == ["legacy/"] and "MLF601" not in shown["rules-enabled"]
    top = json.loads(run_cli("config", "show", "tools/serve.py", cwd=repo).stdout)
    assert top["configuration"] == str((repo / "pyproject.toml").resolve()) and top["select"] == ["MLF1", "MLF6"]


def test_a_bad_sub_project_configuration_names_its_file(tmp_path: Path) -> None:
    repo = monorepo(tmp_path)
    (repo / "services" / "b" / ".mlflow-lint.yaml").write_text("unknown-key: 1\n", encoding="utf-8")
    result = run_cli("check", ".", cwd=repo)
    assert result.returncode == 2 and "services/b/.mlflow-lint.yaml" in result.stderr and "unknown-key" in result.stderr


def test_flake8_agrees_with_the_cli(tmp_path: Path) -> None:
    repo = monorepo(tmp_path)
    command = [sys.executable, "-m", "flake8", "--select", "MLF", "--format", "%(path)s:%(row)d:%(code)s", "services", "tools"]
    done = subprocess.run(command, cwd=repo, capture_output=True, text=True, timeout=120)
    got = sorted(tuple(int(part) if part.isdigit() else part for part in line.replace("./", "").split(":")) for line in done.stdout.splitlines())
    # flake8 walks what it is given itself (legacy/ is mlflow-lint's exclude: honoured too).
    assert got == EXPECTED, done.stdout + done.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="pre-commit try-repo on POSIX")
def test_pre_commit_agrees_with_the_cli(tmp_path: Path) -> None:
    pytest.importorskip("pre_commit")
    from .gitrepo import git_env
    from .test_precommit_hook import snapshot_of_working_tree

    repo = monorepo(tmp_path)
    hook_repo = snapshot_of_working_tree(tmp_path / "hook")
    command = [sys.executable, "-m", "pre_commit", "try-repo", str(hook_repo), "mlflow-lint", "--all-files"]
    done = subprocess.run(command, cwd=repo, env={**git_env(), "NO_COLOR": "1", "PRE_COMMIT_COLOR": "never"}, capture_output=True, text=True, timeout=600)
    reported = sorted(
        (path, int(line), rest.split()[0])
        for path, line, _, rest in (entry.split(":", 3) for entry in done.stdout.splitlines() if ": MLF" in entry)
    )
    assert reported == EXPECTED, done.stdout


def test_severity_and_shadow_come_from_each_files_own_configuration(tmp_path: Path) -> None:
    """A sub-project's [severity] and shadow apply to its findings only, and in every
    report, whichever path is named first (they came from the first path's configuration)."""
    repo = monorepo(tmp_path)
    (repo / "services/b/.mlflow-lint.yaml").write_text("shadow: ['MLF601']\nseverity: {MLF101: note}\n", encoding="utf-8")

    def levels(*args: str) -> tuple[list[tuple[str, int, str, str, bool]], int]:
        result = run_cli("check", "--format", "json", "--no-cache", *args, cwd=repo)
        rows = json.loads(result.stdout)["findings"]
        return [(f["path"], f["line"], f["rule"], f["severity"], f.get("shadow", False)) for f in rows], result.returncode

    every = levels(".")
    assert every == levels("tools", "services/b", "services/a") == levels("services/b", "services/a", "tools")
    rows, _ = every
    assert ("services/b/serve.py", 2, "MLF101", "note", False) in rows
    assert ("services/b/serve.py", 3, "MLF601", "error", True) in rows
    assert ("tools/serve.py", 2, "MLF101", "error", False) in rows and ("tools/serve.py", 3, "MLF601", "error", False) in rows
    # services/b named alone: MLF101, a note there, still fails the run; its MLF601 does not.
    assert levels("services/b")[1] == 1
    (repo / "services/b/.mlflow-lint.yaml").write_text("shadow: ['MLF']\n", encoding="utf-8")
    assert levels("services/b")[1] == 0  # every finding in shadow mode: the run passes
    assert levels(".")[1] == 1  # tools/ is not in shadow mode
