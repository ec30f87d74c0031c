"""Each rule option changes findings the way the docs say, through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .conftest import run_cli

# Every test here runs the installed console script (run_cli): the integration tier (docs/development.md).
pytestmark = pytest.mark.integration

PROMOTE = """\
from mlflow import MlflowClient

client = MlflowClient()
client.set_registered_model_alias("churn", "gold", 3)
client.set_registered_model_alias("churn", "champion", 3)
"""
GATED = """\
from mlflow import MlflowClient
from qa.gates import approve

client = MlflowClient()
if approve("churn", 3):
    client.set_registered_model_alias("churn", "champion", 3)
"""
TAGS = """\
import mlflow

with mlflow.start_run(tags={"git_commit": "abc"}):
    mlflow.log_metric("auc", 0.9)
"""


def _findings(project: Path, config: str, source: str, *extra: str) -> list[dict]:
    (project / ".mlflow-lint.yaml").write_text(config)
    (project / "job.py").write_text(source)
    result = run_cli("check", ".", "--format", "json", *extra, cwd=project)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)["findings"]


def test_protected_aliases_replace_the_defaults(tmp_path: Path) -> None:
    default = _findings(tmp_path, "", PROMOTE, "--select", "MLF402")
    assert [f["line"] for f in default] == [5]
    custom = _findings(tmp_path, "protected-aliases: [Gold]\n", PROMOTE, "--select", "MLF402")
    assert [f["line"] for f in custom] == [4]
    assert "'gold'" in custom[0]["message"]


def test_gate_functions_by_dotted_name(tmp_path: Path) -> None:
    assert [f["line"] for f in _findings(tmp_path, "", GATED, "--select", "MLF402")] == [6]
    assert _findings(tmp_path, "gate-functions: [qa.gates.approve]\n", GATED, "--select", "MLF402") == []
    assert _findings(tmp_path, "gate-functions: [approve]\n", GATED, "--select", "MLF402") == []
    assert len(_findings(tmp_path, "gate-functions: [other.approve]\n", GATED, "--select", "MLF402")) == 1


VERDICT = """\
from mlflow import MlflowClient
from qa import evaluation


def promote(name, version):
    verdict = evaluation.gate(name, version)
    if verdict["verdict"] == "blocked":
        return None
    MlflowClient().set_registered_model_alias(name, "champion", version)


def promote_if_passed(name, version):
    result = evaluation.gate(name, version)
    if result.status != "pass":
        raise RuntimeError(result.status)
    MlflowClient().set_registered_model_alias(name, "champion", version)
"""


def test_a_configured_gate_functions_answer_is_its_verdict(tmp_path: Path) -> None:
    """``verdict = gate(...)`` then a test of a part of it: the project's gate decided."""
    assert [f["line"] for f in _findings(tmp_path, "", VERDICT, "--select", "MLF402")] == [9, 16]
    assert _findings(tmp_path, "gate-functions: [gate]\n", VERDICT, "--select", "MLF402") == []


def test_required_tags_lists_the_missing_keys(tmp_path: Path) -> None:
    assert _findings(tmp_path, "", TAGS, "--select", "MLF501") == []  # some tag is enough by default
    found = _findings(tmp_path, "required-tags: [git_commit, data_version, owner]\n", TAGS, "--select", "MLF501")
    assert len(found) == 1 and found[0]["line"] == 3
    assert "'data_version', 'owner'" in found[0]["message"] and "git_commit" not in found[0]["message"]


def test_registry_admin_modules(tmp_path: Path) -> None:
    (tmp_path / "admin").mkdir()
    (tmp_path / "admin" / "purge.py").write_text("from mlflow import MlflowClient\nMlflowClient().delete_registered_model('m')\n")
    source = "from mlflow import MlflowClient\nMlflowClient().delete_model_version('m', 1)\n"
    flagged = _findings(tmp_path, "", source, "--select", "MLF403")
    assert sorted(f["path"] for f in flagged) == ["admin/purge.py", "job.py"]
    allowed = _findings(tmp_path, "registry-admin-modules: ['admin/**']\n", source, "--select", "MLF403")
    assert [f["path"] for f in allowed] == ["job.py"]


def test_allowed_tracking_uris(tmp_path: Path) -> None:
    (tmp_path / "dev.py").write_text("import mlflow\nmlflow.set_tracking_uri('http://localhost:5000')\n")
    source = "import mlflow\nmlflow.set_tracking_uri('https://mlflow.example.com')\nmlflow.set_tracking_uri('https://mlflow.example.com/')\n"
    flagged = _findings(tmp_path, "", source, "--select", "MLF102")
    assert [(f["path"], f["line"]) for f in flagged] == [("dev.py", 2)]
    assert _findings(tmp_path, "allowed-tracking-uris: ['http://localhost:5000']\n", source, "--select", "MLF102") == []


def test_project_level_rule_does_not_depend_on_named_files(tmp_path: Path) -> None:
    (tmp_path / "dev.py").write_text("import mlflow\nmlflow.set_tracking_uri('http://localhost:5000')\n")
    source = "import mlflow\nmlflow.set_tracking_uri('https://mlflow.example.com')\nmlflow.set_tracking_uri('https://mlflow.example.com')\n"
    whole = _findings(tmp_path, "", source, "--select", "MLF102")
    alone = json.loads(run_cli("check", "dev.py", "--format", "json", "--select", "MLF102", cwd=tmp_path).stdout)["findings"]
    assert whole == alone and len(alone) == 1


def test_helper_in_another_module_counts_and_changing_it_changes_the_finding(tmp_path: Path) -> None:
    (tmp_path / "meta.py").write_text("import mlflow\n\ndef tag_run():\n    mlflow.set_tags({'git_commit': 'x', 'data_version': 'y'})\n")
    source = "import mlflow\nfrom meta import tag_run\n\nwith mlflow.start_run():\n    tag_run()\n"
    config = "required-tags: [git_commit, data_version]\n"
    assert _findings(tmp_path, config, source, "--select", "MLF501") == []
    (tmp_path / "meta.py").write_text("import mlflow\n\ndef tag_run():\n    mlflow.set_tag('git_commit', 'x')\n")
    found = _findings(tmp_path, config, source, "--select", "MLF501")
    assert len(found) == 1 and "'data_version'" in found[0]["message"]


@pytest.mark.parametrize(
    ("config", "needle"),
    [
        ("required-tags: git_commit\n", None),  # a single string is accepted as a one-item list
        ("required-tags: [1, 2]\n", "'required-tags'"),
        ("gate-functions: ['']\n", "'gate-functions'"),
        ("protected-aliases: {a: b}\n", "'protected-aliases'"),
        ("protected-models: ['models:/prod.ml.churn']\n", "'protected-models'"),
        ("registry-admin-module: ['x']\n", "registry-admin-module"),
        ("target-mlflow-version: 3.1\n", "'target-mlflow-version'"),  # a float: 3.1 or 3.10?
        ("target-mlflow-version: 'three'\n", "'target-mlflow-version'"),
        ("target-mlflow-version: '3.13'\n", None),
    ],
)
def test_option_validation(tmp_path: Path, config: str, needle: str | None) -> None:
    (tmp_path / ".mlflow-lint.yaml").write_text(config)
    (tmp_path / "job.py").write_text(TAGS)
    result = run_cli("check", ".", cwd=tmp_path)
    if needle is None:
        assert result.returncode in (0, 1), result.stderr
    else:
        assert result.returncode == 2 and needle in result.stderr


MIGRATION = (
    "import mlflow\n\n\n"
    "def publish(template):\n"
    "    mlflow.register_prompt(name='qa', template=template)\n"
    "    mlflow.models.evaluate('models:/churn@champion', data=None, custom_metrics=[])\n"
)


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("", {"MLF901", "MLF902"}),  # the table's release (3.18.0)
        ("target-mlflow-version: '3.0'\n", {"MLF901"}),  # prompts moved in 3.1.0
        ("target-mlflow-version: '3.1.0'\n", {"MLF901", "MLF902"}),
        ("target-mlflow-version: '2.22'\n", set()),  # still on MLflow 2: nothing applies yet
    ],
)
def test_target_mlflow_version_decides_which_rows_apply(tmp_path: Path, target: str, expected: set[str]) -> None:
    found = _findings(tmp_path, target, MIGRATION, "--select", "MLF9")
    assert {finding["rule"] for finding in found} == expected
    assert all(("target " + (target.split("'")[1] if target else "3.18.0")) in f["message"] for f in found)
