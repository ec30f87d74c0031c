"""The MLflow API table: generated from the pinned MLflow, consistent, and read by the rules."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from mlflow_lint.analysis import api

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "update_mlflow_api.py"
sys.path.insert(0, str(SCRIPT.parent))
import update_mlflow_api  # noqa: E402  (the generator, a script)


def _pinned_source() -> Path:
    try:
        return update_mlflow_api.installed_source()
    except SystemExit:
        if os.environ.get("CI"):
            raise
        pytest.skip("mlflow-skinny (the test extra) is not installed")


@pytest.mark.integration
def test_committed_table_is_what_the_generator_writes_from_the_pinned_mlflow() -> None:
    source = _pinned_source()
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--source", str(source), "--check"], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert api.table().mlflow_version == "3.18.0"


@pytest.mark.integration
def test_the_generator_reads_mlflow_without_importing_it() -> None:
    source = _pinned_source()
    code = (
        f"import sys; sys.path.insert(0, {str(SCRIPT.parent)!r}); import update_mlflow_api as u; "
        f"u.build_table(u.Source(__import__('pathlib').Path({str(source)!r}))); print('mlflow' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


def _fake_mlflow(root: Path, *, evaluate_signature: str, extra: str = "") -> Path:
    package = root / "mlflow"
    (package / "models").mkdir(parents=True)
    (package / "sklearn").mkdir()
    (package / "version.py").write_text('VERSION = "9.1.0"\n')
    (package / "__init__.py").write_text("from mlflow.models.evaluation import evaluate\n" + extra)
    (package / "models" / "__init__.py").write_text("from mlflow.models.evaluation import evaluate\n__all__ = ['evaluate']\n")
    (package / "models" / "evaluation.py").write_text(f"def evaluate({evaluate_signature}):\n    pass\n")
    (package / "sklearn" / "__init__.py").write_text(
        "def log_model(sk_model, artifact_path=None, *, name=None, **kwargs):\n    pass\n"
        "def load_model(model_uri, dst_path=None):\n    pass\n"
    )
    return root


def test_a_curated_removal_the_source_still_has_is_refused(tmp_path: Path) -> None:
    source = update_mlflow_api.Source(_fake_mlflow(tmp_path, evaluate_signature="model=None, validation_thresholds=None"))
    table = update_mlflow_api.build_table(source)
    with pytest.raises(SystemExit, match="still accepted"):
        update_mlflow_api.deprecations(table, [{"name": "mlflow.models.evaluate", "keyword": "validation_thresholds", "removed-in": "3.0.0"}])


def test_an_undated_deprecation_warning_must_be_curated(tmp_path: Path) -> None:
    warns = "import warnings\ndef log_trace(x):\n    warnings.warn('gone soon', FutureWarning)\n__all__ = ['log_trace', 'evaluate']\n"
    source = update_mlflow_api.Source(_fake_mlflow(tmp_path, evaluate_signature="model=None", extra=warns))
    table = update_mlflow_api.build_table(source)
    with pytest.raises(SystemExit, match="log_trace warns of its deprecation"):
        update_mlflow_api.deprecations(table, [])


def test_glob_rows_expand_over_the_flavors_that_accept_the_new_keyword(tmp_path: Path) -> None:
    source = update_mlflow_api.Source(_fake_mlflow(tmp_path, evaluate_signature="model=None"))
    table = update_mlflow_api.build_table(source)
    assert table["flavors"] == {"sklearn": ["load_model", "log_model"]}
    rows = update_mlflow_api.deprecations(
        table, [{"name": "mlflow.*.log_model", "keyword": "artifact_path", "deprecated-since": "3.0.0", "replacement": "name", "fix": "rename-keyword"}]
    )
    assert [(row["name"], row["keyword"]) for row in rows] == [("mlflow.sklearn.log_model", "artifact_path")]


_RENAMING = """
from mlflow.utils.annotations import deprecated_parameter
__all__ = ["get_trace", "search_runs", "search_traces", "evaluate"]

@deprecated_parameter("request_id", "trace_id", version="3.0.0")
def get_trace(trace_id, silent=False):
    pass

def search_runs(experiment_ids=None):
    pass

@deprecated_parameter("experiment_ids", "locations")
def search_traces(experiment_ids=None, locations=None):
    pass
"""


def test_deprecated_parameters_are_read_from_the_source_and_must_be_dated(tmp_path: Path) -> None:
    source = update_mlflow_api.Source(_fake_mlflow(tmp_path, evaluate_signature="model=None", extra=_RENAMING))
    table = update_mlflow_api.build_table(source)
    assert table["functions"]["mlflow.get_trace"]["deprecated_parameters"] == {"request_id": "trace_id"}
    assert "deprecated_parameters" not in table["functions"]["mlflow.search_runs"]
    with pytest.raises(SystemExit, match=r"mlflow.get_trace\(request_id=\) is an @deprecated_parameter: date it"):
        update_mlflow_api.deprecations(table, [])
    dated = [
        {"name": "mlflow.*", "keyword": "request_id", "declared-by": "deprecated_parameter", "deprecated-since": "3.0.0"},
        {"name": "mlflow.*", "keyword": "experiment_ids", "declared-by": "deprecated_parameter", "deprecated-since": "3.5.0"},
    ]
    rows = update_mlflow_api.deprecations(table, dated)
    # search_runs(experiment_ids=) is an ordinary parameter: the glob matches only what the source renames.
    assert [(r["name"], r["keyword"], r["kind"], r["replacement"], r["fix"], r["deprecated_since"]) for r in rows] == [
        ("mlflow.get_trace", "request_id", "renamed-keyword", "trace_id", "rename-keyword", "3.0.0"),
        ("mlflow.search_traces", "experiment_ids", "renamed-keyword", "locations", "rename-keyword", "3.5.0"),
    ]
    with pytest.raises(SystemExit, match="the source renames it to trace_id"):
        update_mlflow_api.deprecations(table, [{**dated[0], "replacement": "span_id"}, dated[1]])
    with pytest.raises(SystemExit, match="no @deprecated_parameter"):
        update_mlflow_api.deprecations(table, [*dated, {**dated[0], "keyword": "run_uuid"}])


def test_an_old_name_mlflow_still_takes_is_not_a_removed_keyword(tmp_path: Path) -> None:
    before = "def get_trace(request_id):\n    pass\n__all__ = ['get_trace', 'evaluate']\n"
    old = update_mlflow_api.Source(_fake_mlflow(tmp_path / "old", evaluate_signature="model=None", extra=before))
    new = update_mlflow_api.Source(_fake_mlflow(tmp_path / "new", evaluate_signature="model=None", extra=_RENAMING))
    gone = update_mlflow_api._removed(update_mlflow_api.build_table(old), update_mlflow_api.build_table(new))
    assert not any("request_id" in line for line in gone)


def test_signatures_bind_arguments_as_python_does() -> None:
    import ast

    call = ast.parse('mlflow.MlflowClient().set_registered_model_alias("m", version="3", alias="champion")').body[0].value  # type: ignore[attr-defined]
    assert isinstance(call, ast.Call)
    alias = api.argument_of(call, "mlflow.MlflowClient.set_registered_model_alias", "alias")
    name = api.argument_of(call, "mlflow.MlflowClient.set_registered_model_alias", "name")
    assert isinstance(alias, ast.Constant) and alias.value == "champion"
    assert isinstance(name, ast.Constant) and name.value == "m"
    positional = ast.parse("f(model, 'path')").body[0].value  # type: ignore[attr-defined]
    path = api.argument_of(positional, "mlflow.sklearn.log_model", "artifact_path")
    assert isinstance(path, ast.Constant) and path.value == "path"
    assert api.signature("mlflow.deployments.DeploymentClient.create_deployment") is not None


def test_flavors_come_from_the_table_and_keep_removed_ones() -> None:
    assert api.flavor_of_load_model("mlflow.diffusers.load_model") == "diffusers"  # new in MLflow 3
    assert api.flavor_of_load_model("mlflow.fastai.load_model") == "fastai"  # removed: old code still loads with it
    assert api.flavor_of_load_model("mlflow.anthropic.load_model") is None  # autolog only
    assert api.flavor_of_log_model("mlflow.sklearn.log_model") == "sklearn"


def test_a_role_naming_a_parameter_the_source_lacks_is_refused(tmp_path: Path) -> None:
    source = update_mlflow_api.Source(_fake_mlflow(tmp_path, evaluate_signature="model=None"))
    table = update_mlflow_api.build_table(source)
    table["deprecations"] = []
    with pytest.raises(SystemExit, match="no parameter model_uri"):
        update_mlflow_api.roles(table, {"consumes-model": {"mlflow.models.evaluate": "model_uri"}})
    with pytest.raises(SystemExit, match="not in MLflow"):
        update_mlflow_api.roles(table, {"deletes": ["mlflow.MlflowClient.delete_everything"]})
    found = update_mlflow_api.roles(table, {"consumes-model": {"mlflow.models.evaluate": "model"}})
    # Every flavor's load_model is a consumer without a curated row.
    assert found["consumes-model"] == {"mlflow.models.evaluate": ["model"], "mlflow.sklearn.load_model": ["model_uri"]}


def test_a_consumer_may_keep_a_model_parameter_mlflow_removed(tmp_path: Path) -> None:
    # evaluate(baseline_model=) is gone from MLflow 3; code written for 2.x still consumes a model with it.
    source = update_mlflow_api.Source(_fake_mlflow(tmp_path, evaluate_signature="model=None"))
    table = update_mlflow_api.build_table(source)
    table["deprecations"] = []
    roles = {"consumes-model": {"mlflow.models.evaluate": ["model", "baseline_model"]}}
    with pytest.raises(SystemExit, match="no parameter baseline_model"):
        update_mlflow_api.roles(table, roles)
    removal = {"name": "mlflow.models.evaluate", "keyword": "baseline_model", "removed-in": "3.0.0"}
    table["deprecations"] = update_mlflow_api.deprecations(table, [removal])
    assert update_mlflow_api.roles(table, roles)["consumes-model"]["mlflow.models.evaluate"] == ["model", "baseline_model"]


def test_every_model_uri_parameter_is_a_consumer_or_says_why_not(tmp_path: Path) -> None:
    extra = "def register_model(model_uri, name):\n    pass\n"
    source = update_mlflow_api.Source(_fake_mlflow(tmp_path, evaluate_signature="model=None", extra=extra))
    table = update_mlflow_api.build_table(source)
    table["deprecations"] = []
    with pytest.raises(SystemExit, match=r"mlflow\.register_model takes a model_uri"):
        update_mlflow_api.roles(table, {})
    found = update_mlflow_api.roles(table, {"takes-model-uri-without-consuming": {"mlflow.register_model": "registers it"}})
    assert "mlflow.register_model" not in found["consumes-model"]


def test_the_rules_read_their_calls_from_the_roles() -> None:
    from mlflow_lint.analysis.mlflow_calls import DESTRUCTIVE_CALLS, consumer
    from mlflow_lint.analysis.promotions import ALIAS_CALLS

    assert consumer("mlflow.diffusers.load_model") is not None  # a flavor new in MLflow 3
    assert consumer("mlflow.deployments.DeploymentClient.create_deployment") is not None
    assert consumer("mlflow.register_model") is None  # how a model reaches the registry
    # The model evaluated, then the baseline (removed in MLflow 3, keyword-only in 2.x: no position).
    assert consumer("mlflow.models.evaluate").uris == ((0, "model"), (None, "baseline_model"))  # type: ignore[union-attr]
    assert consumer("mlflow.models.validate_serving_input") is not None
    assert ALIAS_CALLS["mlflow.genai.set_prompt_alias"].registry == "prompt"
    assert ALIAS_CALLS["mlflow.MlflowClient.delete_registered_model_alias"].version is None
    assert "mlflow.MlflowClient.delete_traces" in DESTRUCTIVE_CALLS and "mlflow.delete_prompt" in DESTRUCTIVE_CALLS
    assert "copy_model_version" in api.CLIENT_ONLY_METHODS
