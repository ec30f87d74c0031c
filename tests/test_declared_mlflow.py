"""The MLflow releases a project declares: the default target of MLF901/MLF902."""

from __future__ import annotations

import codecs
import json
from pathlib import Path

import pytest

from mlflow_lint.sources.requirements import declared_mlflow, parse_specifiers, pinned_in_notebook

from .conftest import run_cli


@pytest.mark.parametrize(
    ("specifiers", "lowest", "highest", "inclusive"),
    [
        ("==2.16.2", (2, 16, 2), (2, 16, 2), True),
        (">=2.9,<3", (2, 9, 0), (3, 0, 0), False),
        (">=2.9", (2, 9, 0), None, False),
        ("<=2.22.1", None, (2, 22, 1), True),
        ("~=2.9", (2, 9, 0), (3, 0, 0), False),
        ("~=2.9.1", (2, 9, 1), (2, 10, 0), False),
        ("==2.*", (2, 0, 0), (3, 0, 0), False),
        (">2.9,!=3.0.0", (2, 10, 0), None, False),
        ("==3.0.0rc1", (3, 0, 0), (3, 0, 0), True),  # a pre-release is read as its release
        (">=2.9.0.post1", (2, 9, 0), None, False),
    ],
)
def test_pep440_specifiers_give_the_allowed_range(specifiers, lowest, highest, inclusive) -> None:  # type: ignore[no-untyped-def]
    found = parse_specifiers("mlflow", specifiers, "requirements.txt")
    assert found is not None and (found.lowest, found.highest, found.highest_inclusive) == (lowest, highest, inclusive)


@pytest.mark.parametrize(("spec", "lowest", "highest"), [("^2.9", (2, 9, 0), (3, 0, 0)), ("~2.9", (2, 9, 0), (2, 10, 0)), ("2.16.2", (2, 16, 2), (3, 0, 0))])
def test_poetry_constraints(spec: str, lowest: tuple, highest: tuple) -> None:
    found = parse_specifiers("mlflow", spec, "pyproject.toml", poetry=True)
    assert found is not None and (found.lowest, found.highest) == (lowest, highest)


@pytest.mark.parametrize(
    ("name", "content", "text"),
    [
        ("requirements.txt", "# serving\nmlflow-export-import==1.2\nmlflow[databricks]>=2.9,<3 ; python_version >= '3.9'\n", "mlflow>=2.9,<3"),
        ("pyproject.toml", '[project]\nname = "x"\ndependencies = ["pandas", "mlflow-skinny==2.22.1"]\n', "mlflow-skinny==2.22.1"),
        ("pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.10"\nmlflow = {version = "^2.12", extras = ["genai"]}\n', "mlflow^2.12"),
        ("setup.cfg", "[options]\ninstall_requires =\n    numpy\n    mlflow==2.3.0\n", "mlflow==2.3.0"),
        ("environment.yml", "dependencies:\n  - python=3.10\n  - mlflow=2.9\n  - pip:\n    - shap\n", "mlflow==2.9.*"),
        ("setup.py", "from setuptools import setup\n\nsetup(name='x', install_requires=['pandas', 'mlflow>=2.10.0'])\n", "mlflow>=2.10.0"),
        ("setup.py", "import setuptools\nREQUIRES = ['mlflow==2.19.0']\nsetuptools.setup(install_requires=REQUIRES)\n", "mlflow==2.19.0"),
        # An extra or a group is what the code importing MLflow runs on; the main list first.
        ("pyproject.toml", '[project]\nname = "x"\ndependencies = ["numpy"]\n[project.optional-dependencies]\nml = ["mlflow>=2.17"]\n', "mlflow>=2.17"),
        ("pyproject.toml", '[project]\ndependencies = ["mlflow==3.1.0"]\n[project.optional-dependencies]\nold = ["mlflow==2.9.0"]\n', "mlflow==3.1.0"),
        ("pyproject.toml", '[dependency-groups]\ndev = [{include-group = "x"}, "mlflow~=2.20"]\n', "mlflow~=2.20"),
        ("pyproject.toml", '[tool.poetry.dependencies]\npython = "^3.10"\n[tool.poetry.group.ml.dependencies]\nmlflow = "2.16.2"\n', "mlflow2.16.2"),
        ("setup.cfg", "[options]\ninstall_requires =\n    numpy\n[options.extras_require]\nml =\n    mlflow==2.3.0\ntest = pytest\n", "mlflow==2.3.0"),
        ("setup.py", "from setuptools import setup\n\nsetup(install_requires=['numpy'], extras_require={'ml': ['mlflow<3']})\n", "mlflow<3"),
        ("anaconda-project.yml", "name: x\npackages:\n- python=3.10\n- mlflow=2.9\n", "mlflow==2.9.*"),
        ("anaconda-project.yml", "env_specs:\n  default:\n    packages:\n      - defaults:mlflow>=2.8\n", "mlflow>=2.8"),
        ("environment.yml", "dependencies:\n  - conda-forge::mlflow=2.9\n", "mlflow==2.9.*"),
        ("Pipfile", '[packages]\nmlflow = ">=2.9,<3"\n', "mlflow>=2.9,<3"),
        ("Pipfile", '[packages]\nmlflow = {version = "==2.16.2", extras = ["genai"]}\n', "mlflow==2.16.2"),
        ("Pipfile.lock", '{"default": {"mlflow": {"version": "==2.21.2"}}, "develop": {}}', "mlflow==2.21.2"),
    ],
)
def test_each_declaring_file(tmp_path: Path, name: str, content: str, text: str) -> None:
    (tmp_path / name).write_text(content)
    found = declared_mlflow(tmp_path)
    assert found is not None and found.text == text and found.source == name


def test_a_pipfile_that_allows_any_release_defers_to_its_lock(tmp_path: Path) -> None:
    (tmp_path / "Pipfile").write_text('[packages]\nmlflow = "*"\n')
    (tmp_path / "Pipfile.lock").write_text('{"default": {"mlflow": {"version": "==2.21.2"}}}')
    found = declared_mlflow(tmp_path)
    assert found is not None and (found.text, found.source) == ("mlflow==2.21.2", "Pipfile.lock")
    (tmp_path / "Pipfile.lock").write_text("{not json")
    assert declared_mlflow(tmp_path) is None  # a lock that does not parse declares nothing


def test_an_extra_is_read_only_when_no_file_requires_mlflow(tmp_path: Path) -> None:
    """A lock file's pin says more of what runs than an extra's loose range."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\n[project.optional-dependencies]\nml = ["mlflow>=2.0"]\n')
    (tmp_path / "requirements.txt").write_text("mlflow==3.6.0 \\\n    --hash=sha256:0\n")
    found = declared_mlflow(tmp_path)
    assert found is not None and (found.text, found.source) == ("mlflow==3.6.0", "requirements.txt")
    (tmp_path / "requirements.txt").unlink()
    found = declared_mlflow(tmp_path)
    assert found is not None and (found.text, found.source) == ("mlflow>=2.0", "pyproject.toml")


@pytest.mark.parametrize("content", ["mlflow\n", "mlflow-export-import>=1\n", "mlflow @ git+https://example.com/mlflow\n", "numpy\n"])
def test_no_range_is_no_declaration(tmp_path: Path, content: str) -> None:
    (tmp_path / "requirements.txt").write_text(content)
    assert declared_mlflow(tmp_path) is None


MIGRATION = (
    "import mlflow\n\n\n"
    "def train(model, eval_data):\n"
    "    mlflow.sklearn.log_model(model, artifact_path='model')\n"
    "    mlflow.models.evaluate('models:/churn@champion', eval_data, custom_metrics=[])\n"
)


@pytest.mark.integration
@pytest.mark.parametrize(
    ("requirement", "expected"),
    [
        ("mlflow==2.16.2\n", set()),  # pinned to 2.x: neither applies, and no fix breaks it
        ("mlflow>=2.9\n", {"MLF901"}),  # pip may install 3.x, where the keyword is gone; 2.9 has no name=
        ("mlflow>=3.0,<4\n", {"MLF901", "MLF902"}),
        ("mlflow<3\n", set()),
    ],
)
def test_the_declared_range_decides_which_rows_apply(tmp_path: Path, requirement: str, expected: set[str]) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text(requirement)
    (tmp_path / "train.py").write_text(MIGRATION)
    result = run_cli("check", ".", "--select", "MLF9", "--format", "json", cwd=tmp_path)
    found = json.loads(result.stdout)["findings"]
    assert {f["rule"] for f in found} == expected
    assert all(f"target {requirement.strip()} in requirements.txt" in f["message"] for f in found)


@pytest.mark.integration
def test_the_option_wins_over_the_declaration(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("mlflow==2.16.2\n")
    (tmp_path / ".mlflow-lint.yaml").write_text("target-mlflow-version: '3.18'\n")
    (tmp_path / "train.py").write_text(MIGRATION)
    result = run_cli("check", ".", "--select", "MLF9", "--format", "json", cwd=tmp_path)
    assert {f["rule"] for f in json.loads(result.stdout)["findings"]} == {"MLF901", "MLF902"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('# MAGIC %pip install -q "mlflow-skinny[databricks]==2.16.2" scikit-learn==1.5.1\n', "mlflow-skinny==2.16.2"),
        ('{"cells": [{"source": ["%pip install -q \\"mlflow>=2.9,<3\\" pandas\\n"]}]}', "mlflow>=2.9,<3"),
        ("!pip install mlflow-export-import mlflow==3.1.0\n", "mlflow==3.1.0"),
        ("%pip install --upgrade mlflow\n", None),  # the newest: nothing declared
        ("import mlflow  # pip install elsewhere\n", None),
    ],
)
def test_a_notebooks_own_install_line(text: str, expected: str | None) -> None:
    found = pinned_in_notebook(text)
    assert (found.text if found is not None else None) == expected


@pytest.mark.integration
def test_a_notebook_pin_wins_over_the_project(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("mlflow>=3.1\n")
    (tmp_path / "train.py").write_text(
        "# Databricks notebook source\n# MAGIC %pip install mlflow==2.16.2\n\n# COMMAND ----------\n\n" + MIGRATION
    )
    (tmp_path / "job.py").write_text(MIGRATION)
    result = run_cli("check", ".", "--select", "MLF902", "--format", "json", cwd=tmp_path)
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["job.py"]


@pytest.mark.integration
def test_the_logged_model_rules_read_the_same_target(tmp_path: Path) -> None:
    # A run-less log_model creates a LoggedModel only from MLflow 3 on: a project pinned to
    # 2.x logs it in a run MLflow starts (its tags then come from that run, not checked here).
    (tmp_path / ".git").mkdir()
    (tmp_path / "train.py").write_text("import mlflow\n\nmlflow.sklearn.log_model(model, name='model', input_example=x)\n")
    for requirement, expected in (("mlflow>=3.1\n", ["MLF501"]), ("mlflow==2.9.2\n", [])):
        (tmp_path / "requirements.txt").write_text(requirement)
        result = run_cli("check", ".", "--select", "MLF501", "--format", "json", "--no-cache", cwd=tmp_path)
        assert [f["rule"] for f in json.loads(result.stdout)["findings"]] == expected, requirement


def test_a_setup_py_is_parsed_never_run(tmp_path: Path) -> None:
    """Only a literal list is read: a computed one, or a file that does not parse, declares nothing."""
    (tmp_path / "setup.py").write_text("import os\nos.system('touch ran')\nsetup(install_requires=open('r.txt').read().split())\n")
    assert declared_mlflow(tmp_path) is None and not (tmp_path / "ran").exists()
    (tmp_path / "setup.py").write_text("setup(install_requires=['mlflow==2.9.0'\n")
    assert declared_mlflow(tmp_path) is None


@pytest.mark.integration
def test_a_subproject_declares_its_own_mlflow(tmp_path: Path) -> None:
    """A monorepo: the nearest directory that declares MLflow, up to the project root, gives
    a file's target (a subproject pinned to 2.x is not told to write 3.x's name=)."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_text("mlflow>=3.1\n")
    for directory, requirement in (("legacy", "mlflow==2.21.0\n"), ("service/src", None), ("service", "pandas\n")):
        (tmp_path / directory).mkdir(parents=True, exist_ok=True)
        if requirement is not None:
            (tmp_path / directory / "requirements.txt").write_text(requirement)
        (tmp_path / directory / "train.py").write_text(MIGRATION)
    (tmp_path / "train.py").write_text(MIGRATION)
    result = run_cli("check", ".", "--select", "MLF902", "--format", "json", "--no-cache", cwd=tmp_path)
    assert sorted(f["path"] for f in json.loads(result.stdout)["findings"]) == ["service/src/train.py", "service/train.py", "train.py"]


@pytest.mark.integration
def test_a_pipeline_component_and_a_named_requirements_file_declare_mlflow(tmp_path: Path) -> None:
    """A Kubeflow component pins the MLflow it installs (packages_to_install); a directory's
    requirements-tests.txt declares it when no requirements.txt does."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "pipeline.py").write_text(
        MIGRATION.replace(
            "\n\ndef train", "from kfp.dsl import component\n\n\n@component(packages_to_install=['pandas', 'mlflow~=2.4.1'])\ndef train", 1
        )
    )
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "requirements-tests.txt").write_text("pytest\nmlflow~=2.4.1\n")
    (tmp_path / "tests" / "test_train.py").write_text(MIGRATION)
    (tmp_path / "job.py").write_text(MIGRATION)
    result = run_cli("check", ".", "--select", "MLF902", "--format", "json", "--no-cache", "--include-tests", cwd=tmp_path)
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["job.py"]


@pytest.mark.integration
def test_only_a_kubeflow_component_pins_mlflow(tmp_path: Path) -> None:
    """A decorator of another library that happens to take packages_to_install is not KFP's:
    its list says nothing about the MLflow the code runs on."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "job.py").write_text(
        MIGRATION.replace(
            "\n\ndef train", "from tools.deploy import component\n\n\n@component(packages_to_install=['mlflow~=2.4.1'])\ndef train", 1
        )
    )
    result = run_cli("check", ".", "--select", "MLF902", "--format", "json", "--no-cache", cwd=tmp_path)
    assert [f["path"] for f in json.loads(result.stdout)["findings"]] == ["job.py"]


@pytest.mark.parametrize(
    "encoded",
    [
        "mlflow==2.5.0\r\n".encode("utf-16"),  # PowerShell 5's `pip freeze > requirements.txt`
        codecs.BOM_UTF16_BE + "mlflow==2.5.0\n".encode("utf-16-be"),
        b"\xef\xbb\xbfmlflow==2.5.0\n",  # UTF-8 with a byte-order mark, MLflow on its first line
        "mlflow==2.5.0\n".encode("utf-32"),
        codecs.BOM_UTF16_LE + "\ufeffmlflow==2.5.0\r\n".encode("utf-16-le"),  # marked twice (a real project's)
    ],
)
def test_a_byte_order_mark_names_the_encoding(tmp_path: Path, encoded: bytes) -> None:
    (tmp_path / "requirements.txt").write_bytes(encoded)
    found = declared_mlflow(tmp_path)
    assert found is not None and found.describe() == "mlflow==2.5.0 in requirements.txt"


@pytest.mark.integration
def test_a_utf16_pin_keeps_mlf902_and_its_fix_away(tmp_path: Path) -> None:
    """The pin is read, so `name=` (MLflow 3) is neither demanded nor written."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "requirements.txt").write_bytes("mlflow==2.5.0\r\n".encode("utf-16"))
    (tmp_path / "train.py").write_text(
        "import mlflow\n\ndef train(model):\n    mlflow.sklearn.log_model(model, artifact_path='model', input_example=[[0]])\n"
    )
    result = run_cli("check", "--no-cache", "--select", "MLF902", "--diff-fixes", ".", cwd=tmp_path)
    assert "MLF902" not in result.stdout and "name=" not in result.stdout, result.stdout
    (tmp_path / "requirements.txt").write_bytes(b"mlflow>=3.1\n")
    assert "MLF902" in run_cli("check", "--no-cache", "--select", "MLF902", ".", cwd=tmp_path).stdout


def test_without_a_project_root_the_files_own_directory_declares(tmp_path: Path) -> None:
    """A zip download or a Docker build context: no .git, no pyproject.toml. The pin beside
    the code still declares the release (MLF901 would otherwise target 3.18.0)."""
    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.config import ConfigResolver
    from mlflow_lint.engine import lint_paths

    (tmp_path / "requirements.txt").write_text("mlflow==2.9.2\n")
    (tmp_path / "train.py").write_text("import mlflow\n\nmlflow.models.evaluate(model='m', data=None, custom_metrics=[])\n")
    result = lint_paths([tmp_path], ConfigResolver(load_catalog()), frozenset({"MLF901"}), cwd=tmp_path, jobs=1)
    assert result.findings == []
    (tmp_path / "requirements.txt").write_text("mlflow>=3.0\n")
    result = lint_paths([tmp_path], ConfigResolver(load_catalog()), frozenset({"MLF901"}), cwd=tmp_path, jobs=1)
    assert [f.rule for f in result.findings] == ["MLF901"]
