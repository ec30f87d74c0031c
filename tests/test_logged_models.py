"""MLflow 3 LoggedModels: consumed by id (MLF601), and logged with no run (MLF501, MLF802).

Facts from MLflow 3.18.0: ``models:/<x>`` with no version or alias is a LoggedModel id
(mlflow/store/artifact/utils/models.py ``_parse_model_uri``); ``log_model`` with no active
run creates a LoggedModel no run holds (mlflow/models/model.py ``Model.log``); the fluent
logging APIs start a run when none is active (mlflow/tracking/fluent.py ``_get_or_start_run``).
"""

from __future__ import annotations

import json
from pathlib import Path
from textwrap import dedent

import pytest

from mlflow_lint.analysis.uris import logged_model_id, parse_models_uri
from mlflow_lint.analysis.values import Hole, StrValue, literal

from .conftest import lint_source, run_cli

MODEL_ID = "m-0f4b6a2c9d8e4f1a7b3c5d6e2f1a0b9c"


def _rules(source: str, *rules: str) -> list[tuple[int, str]]:
    return sorted((f.line, f.rule) for f in lint_source(dedent(source)) if f.rule in rules)


# -- models:/ URIs ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "kind", "reference"),
    [
        (f"models:/{MODEL_ID}", "model-id", MODEL_ID),
        ("models:/churn-classifier", "model-id", "churn-classifier"),  # MLflow 3 reads any bare name as an id
        ("models:/churn@champion", "alias", "champion"),
        ("models:/churn/3", "version", "3"),
        ("models://prod@databricks/churn/3", "version", "3"),
        ("models://prod@databricks/churn", "model-id", "churn"),  # urlparse: the netloc is not the name
        ("models:/", "unknown", None),
    ],
)
def test_models_uri_kinds_follow_mlflow_3(text: str, kind: str, reference: str | None) -> None:
    parsed = parse_models_uri(literal(text))
    assert (parsed.kind, parsed.reference) == (kind, reference)


def test_logged_model_id_of_partial_values() -> None:
    hole = Hole(None)
    assert logged_model_id(StrValue(("models:/", hole))) is hole
    assert logged_model_id(StrValue(("models:/", hole, "/3"))) is None
    assert logged_model_id(StrValue(("models:/", hole, "@champion"))) is None
    assert logged_model_id(StrValue(("models:/churn/", hole))) is None
    assert logged_model_id(literal("models:/churn@champion")) is None
    assert logged_model_id(literal(f"models:/{MODEL_ID}")) == MODEL_ID


# -- MLF601: a LoggedModel consumed by id -----------------------------------------------------
def test_literal_and_known_model_ids_are_reported() -> None:
    source = f"""\
    import mlflow
    from mlflow import MlflowClient

    CANDIDATE = "{MODEL_ID}"
    a = mlflow.pyfunc.load_model("models:/{MODEL_ID}")
    b = mlflow.sklearn.load_model("models:/" + CANDIDATE)
    c = mlflow.pyfunc.load_model("models:/churn-classifier")
    path = mlflow.artifacts.download_artifacts("models:/{MODEL_ID}")


    def best(experiment_id: str):
        found = MlflowClient().search_logged_models([experiment_id])
        for model in found:
            return mlflow.pyfunc.load_model(f"models:/{{model.model_id}}")


    def fetched(model_id: str):
        logged = mlflow.get_logged_model(model_id)
        return mlflow.pyfunc.load_model(f"models:/{{logged.model_id}}")


    def newest():
        frame = mlflow.search_logged_models(max_results=1)
        return mlflow.pyfunc.load_model(f"models:/{{frame.iloc[0]['model_id']}}")
    """
    assert _rules(source, "MLF601") == [(5, "MLF601"), (6, "MLF601"), (7, "MLF601"), (8, "MLF601"), (14, "MLF601"), (19, "MLF601"), (24, "MLF601")]


def test_unknown_ids_and_models_this_code_logged_are_clean() -> None:
    source = """\
    import os

    import mlflow
    from mlflow import MlflowClient


    def from_caller(model_id: str):
        return mlflow.pyfunc.load_model(f"models:/{model_id}")


    def from_environment():
        return mlflow.pyfunc.load_model("models:/" + os.environ["MODEL_ID"])


    def log_and_check(model, X):
        with mlflow.start_run(tags={"data_version": "v1"}):
            mlflow.log_input(mlflow.data.from_numpy(X), context="training")
            info = mlflow.sklearn.log_model(model, name="model", input_example=X[:2])
            mlflow.pyfunc.load_model(info.model_uri)
            mlflow.pyfunc.load_model(f"models:/{info.model_id}")
            mlflow.pyfunc.load_model(f"models:/{mlflow.last_logged_model().model_id}")
            again = mlflow.get_logged_model(info.model_id)
            mlflow.pyfunc.load_model(f"models:/{again.model_id}")
            mlflow.models.evaluate(model=f"models:/{info.model_id}", data=X, model_type="regressor")
            return info.model_id


    def register(model, X):
        model_id = log_and_check(model, X)
        mlflow.pyfunc.load_model(f"models:/{model_id}")
        mlflow.register_model(f"models:/{model_id}", "churn")
        version = MlflowClient().get_model_version_by_alias("churn", "champion")
        return mlflow.pyfunc.load_model(f"models:/churn/{version.version}")
    """
    assert _rules(source, "MLF601") == []


def test_run_uri_messages_are_unchanged() -> None:
    [finding] = [f for f in lint_source('import mlflow\nmlflow.pyfunc.load_model("runs:/abc/model")\n') if f.rule == "MLF601"]
    assert finding.message.startswith("mlflow.pyfunc.load_model consumes a model from a run ('runs:/abc/model')")


def test_logged_model_message_names_the_id() -> None:
    [finding] = [f for f in lint_source(f'import mlflow\nmlflow.pyfunc.load_model("models:/{MODEL_ID}")\n') if f.rule == "MLF601"]
    assert "a LoggedModel by id" in finding.message and MODEL_ID in finding.message


# -- MLF501 / MLF802: a model logged with no run ---------------------------------------------
RUNLESS = """\
import mlflow
from sklearn.linear_model import Ridge

model = Ridge().fit(X, y)
info = mlflow.sklearn.log_model(model, name="model", input_example=X[:2]{extra})
{after}
"""


@pytest.mark.parametrize(
    ("extra", "after", "expected"),
    [
        ("", "", ["MLF501", "MLF802"]),
        (', tags={"data_version": "v1"}', "", ["MLF802"]),
        ("", 'mlflow.set_logged_model_tags(info.model_id, {"data_version": "v1"})', ["MLF802"]),
        ("", 'mlflow.MlflowClient().set_logged_model_tags(info.model_id, {"data_version": "v1"})', ["MLF802"]),
        ("", 'mlflow.log_metric("r2", 0.9, dataset=mlflow.data.from_numpy(X), model_id=info.model_id)', ["MLF501"]),
        ("", 'mlflow.models.evaluate(model=info.model_uri, data=X, targets=y, model_type="regressor")', ["MLF501"]),
        (
            "",
            "mlflow.log_input(mlflow.data.from_numpy(X), model=mlflow.entities.LoggedModelInput(info.model_id))",
            ["MLF501"],
        ),
        # log_input has no model_id: it starts a run the model is not part of.
        ("", "mlflow.log_input(mlflow.data.from_numpy(X), context='training')", ["MLF501", "MLF802"]),
        # a metric with a dataset but no model_id is the implicit run's, not the model's
        ("", 'mlflow.log_metric("r2", 0.9, dataset=mlflow.data.from_numpy(X))', ["MLF501", "MLF802"]),
        ("", 'mlflow.set_logged_model_tags(other.model_id, {"data_version": "v1"})', ["MLF802"]),  # may be ours
        (", run_id=run_id", "", []),  # attached to a run: that run is checked
        (", **extra", "", ["MLF802"]),  # tags may be in **extra
    ],
)
def test_runless_model(extra: str, after: str, expected: list[str]) -> None:
    source = RUNLESS.format(extra=extra, after=after)
    assert [rule for _, rule in _rules(source, "MLF501", "MLF802")] == expected


def test_tags_on_another_logged_model_do_not_count() -> None:
    source = """\
    import mlflow

    first = mlflow.sklearn.log_model(a, name="a", input_example=X[:2], tags={"team": "x"})
    second = mlflow.sklearn.log_model(b, name="b", input_example=X[:2])
    mlflow.set_logged_model_tags(first.model_id, {"data_version": "v1"})
    mlflow.set_logged_model_tags(mlflow.last_logged_model().model_id, {"team": "x"})
    third = mlflow.sklearn.log_model(c, name="c", input_example=X[:2])
    mlflow.set_logged_model_tags(first.model_id, {"data_version": "v1"})
    """
    assert _rules(source, "MLF501") == [(7, "MLF501")]


def test_initialized_model_tags_count() -> None:
    source = """\
    import mlflow

    pending = mlflow.initialize_logged_model(name="churn", tags={"data_version": "v1"})
    mlflow.sklearn.log_model(model, name="churn", model_id=pending.model_id, input_example=X[:2])
    """
    assert _rules(source, "MLF501") == []


@pytest.mark.parametrize(
    "source",
    [
        # inside a run: the run is checked, not the model
        'with mlflow.start_run(tags={"t": "1"}):\n    mlflow.log_input(ds)\n    mlflow.sklearn.log_model(m, name="m", input_example=X)\n',
        # an earlier fluent call started a run and left it active
        'mlflow.log_param("alpha", 1)\nmlflow.sklearn.log_model(m, name="m", input_example=X)\n',
        'mlflow.start_run(tags={"t": "1"})\nmlflow.log_input(ds)\nmlflow.sklearn.log_model(m, name="m", input_example=X)\n',
        # spark's log_model still starts a run (MLflow 3.18.0 mlflow/spark/__init__.py)
        'mlflow.spark.log_model(m, name="m", input_example=X)\n',
        # a function nobody in this module calls may run inside a caller's run
        'def log(m, X):\n    mlflow.sklearn.log_model(m, name="m", input_example=X)\n',
        # autologging starts runs itself
        'mlflow.sklearn.autolog()\nmlflow.sklearn.log_model(m, name="m", input_example=X)\n',
    ],
)
def test_not_runless(source: str) -> None:
    assert _rules("import mlflow\n" + source, "MLF501", "MLF802") == []


def test_runless_through_the_main_function_and_after_a_finished_run() -> None:
    source = """\
    import mlflow


    def train(m, X):
        return mlflow.sklearn.log_model(m, name="m", input_example=X)


    def main():
        with mlflow.start_run(run_name="prepare", tags={"t": "1"}):
            mlflow.log_input(ds)
        train(m, X)


    if __name__ == "__main__":
        main()
    """
    assert _rules(source, "MLF501", "MLF802") == [(5, "MLF501"), (5, "MLF802")]


def test_genai_model_needs_tags_but_no_dataset() -> None:
    source = 'import mlflow\n\nmlflow.pyfunc.log_model(name="agent", python_model="agents/support.py")\n'
    assert _rules(source, "MLF501", "MLF802") == [(3, "MLF501")]


@pytest.mark.integration
def test_required_tags_name_what_the_model_lacks(tmp_path: Path) -> None:
    (tmp_path / ".mlflow-lint.yaml").write_text("required-tags: [git_commit, data_version]\n")
    (tmp_path / "train.py").write_text(
        "import mlflow\n\n"
        'mlflow.sklearn.log_model(m, name="m", input_example=X, tags={"git_commit": "abc"})\n'
    )
    result = run_cli("check", ".", "--format", "json", "--select", "MLF501", cwd=tmp_path)
    [finding] = json.loads(result.stdout)["findings"]
    assert finding["line"] == 3
    assert finding["message"].startswith(
        "mlflow.sklearn.log_model() outside any run does not receive the required tag(s) 'data_version'"
    )


@pytest.mark.integration
def test_projects_on_mlflow_2_have_no_logged_models(tmp_path: Path) -> None:
    (tmp_path / ".mlflow-lint.yaml").write_text('target-mlflow-version: "2.22"\n')
    (tmp_path / "train.py").write_text(
        "import mlflow\n\n"
        'mlflow.sklearn.log_model(m, name="m", input_example=X)\n'
        f'mlflow.pyfunc.load_model("models:/{MODEL_ID}")\n'
    )
    result = run_cli("check", ".", "--format", "json", "--select", "MLF501,MLF601,MLF802", cwd=tmp_path)
    assert json.loads(result.stdout)["findings"] == []
