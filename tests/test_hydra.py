"""Hydra configurations: a ``_target_`` that builds an MLflow integration sets the tracking
URI its ``tracking_uri:`` gives, read as OmegaConf reads it (``sources.hydra``).

The findings on real-shaped configurations are in ``tests/fixtures/projects/hydra``."""

from __future__ import annotations

import pytest

from mlflow_lint.analysis.integrations import INTEGRATION_TRACKING_URIS
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.audit.deployment import collect_facts
from mlflow_lint.engine import lint_bytes
from mlflow_lint.sources.facts import Position
from mlflow_lint.sources.hydra import InterpolatedWord
from mlflow_lint.sources.prefilter import may_mention_mlflow
from mlflow_lint.sources.yaml_source import parse_yaml

from .conftest import all_rules


def _kinds(text: str) -> list[tuple[UriKind, str]]:
    word = InterpolatedWord(text, Position(1, 1, 1, 1 + len(text)))
    return [(classify(value), value.render()) for value in word.values]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("mlruns", [(UriKind.LOCAL_PATH, "'mlruns'")]),
        ("https://mlflow.example.com", [(UriKind.HTTPS, "'https://mlflow.example.com'")]),
        # A literal path under another node's directory, or Hydra's run directory: a local store.
        ("${paths.log_dir}/mlflow/mlruns", [(UriKind.LOCAL_PATH, "'${paths.log_dir}/mlflow/mlruns'")]),
        ("${hydra:runtime.output_dir}/mlruns", [(UriKind.LOCAL_PATH, "'${hydra:runtime.output_dir}/mlruns'")]),
        ("${oc.env:LOG_DIR}/mlruns", [(UriKind.LOCAL_PATH, "'${oc.env:LOG_DIR}/mlruns'")]),
        ("file:${paths.root_dir}/mlruns", [(UriKind.FILE, "'file:${paths.root_dir}/mlruns'")]),
        # Whatever may hold a URL stays unknown.
        ("${mlflow.server_url}/mlflow", [(UriKind.UNKNOWN, "'${mlflow.server_url}/mlflow'")]),
        ("${oc.env:MLFLOW_TRACKING_URI}/x", [(UriKind.UNKNOWN, "'${oc.env:MLFLOW_TRACKING_URI}/x'")]),
        ("${paths.log_dir}", [(UriKind.UNKNOWN, "'${paths.log_dir}'")]),
        ("${now:%Y-%m-%d}/mlruns", [(UriKind.UNKNOWN, "'${now:%Y-%m-%d}/mlruns'")]),
        ("${oc.env:MLFLOW_TRACKING_URI}", [(UriKind.UNKNOWN, "'${oc.env:MLFLOW_TRACKING_URI}'")]),
        ("${oc.env:MLFLOW_TRACKING_URI,null}", [(UriKind.UNKNOWN, "'${oc.env:MLFLOW_TRACKING_URI}'")]),
        # The default is the value when the variable is unset, quoted or not, nested or not.
        (
            "${oc.env:MLFLOW_TRACKING_URI,mlruns}",
            [(UriKind.UNKNOWN, "'${oc.env:MLFLOW_TRACKING_URI}'"), (UriKind.LOCAL_PATH, "'mlruns' via the default of ${oc.env:MLFLOW_TRACKING_URI}")],
        ),
        (
            "${oc.env:URI, 'sqlite:///mlflow.db'}",
            [(UriKind.UNKNOWN, "'${oc.env:URI}'"), (UriKind.SQLITE, "'sqlite:///mlflow.db' via the default of ${oc.env:URI}")],
        ),
        (
            "${env:URI,http://10.0.0.5:5000}",
            [(UriKind.UNKNOWN, "'${env:URI}'"), (UriKind.HTTP, "'http://10.0.0.5:5000' via the default of ${env:URI}")],
        ),
        (
            "${oc.env:URI,${paths.root}/mlruns}",
            [(UriKind.UNKNOWN, "'${oc.env:URI}'"), (UriKind.LOCAL_PATH, "'${paths.root}/mlruns' via the default of ${oc.env:URI}")],
        ),
        # OmegaConf's escape: the text itself, a placeholder.
        ("\\${MLFLOW_TRACKING_URI}", [(UriKind.UNKNOWN, "'${MLFLOW_TRACKING_URI}'")]),
    ],
)
def test_interpolations_are_read_as_omegaconf_reads_them(text: str, expected: list[tuple[UriKind, str]]) -> None:
    assert _kinds(text) == expected


def test_every_integration_target_passes_the_prefilter() -> None:
    """A Hydra file that names an integration is read: its ``_target_`` says "mlflow"."""
    for target in INTEGRATION_TRACKING_URIS:
        assert may_mention_mlflow(f"_target_: {target}\ntracking_uri: mlruns\n".encode())


def test_the_tracking_uri_is_a_setting_at_its_value() -> None:
    text = (
        "logger:\n"
        "  _target_: lightning.pytorch.loggers.MLFlowLogger\n"
        "  experiment_name: x\n"
        "  tracking_uri: 'file:./mlruns'\n"
        "other:\n"
        "  _target_: my_project.Logger\n"
        "  tracking_uri: mlruns\n"
        "plain:\n"
        "  tracking_uri: mlruns\n"
    )
    (setting,) = parse_yaml(text, "mlflow.yaml").settings
    assert setting.name == "MLFLOW_TRACKING_URI" and setting.where == "MLFlowLogger(tracking_uri=...) in mlflow.yaml"
    assert setting.value is not None and setting.value.text == "file:./mlruns"
    assert (setting.position.line, setting.position.column, setting.position.end_column) == (4, 18, 31)


@pytest.mark.parametrize("value", ["null", "~", "", "???", "5000", "[a, b]"])
def test_no_string_passes_nothing(value: str) -> None:
    text = f"_target_: pytorch_lightning.loggers.MLFlowLogger\ntracking_uri: {value}\n"
    assert parse_yaml(text, "mlflow.yaml").settings == []


def test_positional_arguments_at_the_keywords_position() -> None:
    text = "_target_: ray.air.integrations.mlflow.setup_mlflow\n_args_: [{}, ./mlruns]\n"
    (setting,) = parse_yaml(text, "ray.yaml").settings
    assert setting.value is not None and setting.value.text == "./mlruns" and setting.position.line == 2
    short = "_target_: pytorch_lightning.loggers.MLFlowLogger\n_args_: [experiment]\n"
    assert parse_yaml(short, "mlflow.yaml").settings == []


def test_findings_sit_at_the_value_and_name_the_integration() -> None:
    text = b"_target_: optuna.integration.mlflow.MLflowCallback\ntracking_uri: mlruns  # a local store\n"
    (finding,) = lint_bytes(text, "configs/callbacks/optuna.yaml", all_rules())
    assert (finding.rule, finding.line, finding.column, finding.end_column) == ("MLF101", 2, 15, 21)
    assert finding.message.startswith("MLflowCallback(tracking_uri=...) in optuna.yaml sets a local tracking store ('mlruns')")
    suppressed = b"_target_: optuna.integration.mlflow.MLflowCallback\ntracking_uri: mlruns  # noqa: MLF101\n"
    assert lint_bytes(suppressed, "optuna.yaml", all_rules()) == []


def test_the_audit_lists_it_with_the_tracking_uris() -> None:
    text = "_target_: lightning.pytorch.loggers.MLFlowLogger\ntracking_uri: ${oc.env:MLFLOW_TRACKING_URI,mlruns}\n"
    evidence = collect_facts(parse_yaml(text, "mlflow.yaml"), "configs/logger/mlflow.yaml")
    rows = {item.kind: dict(item.fields) for item in evidence.items if item.line == 2}
    assert rows["tracking_uri"]["api"] == "MLFlowLogger(tracking_uri=...) in mlflow.yaml"
    assert rows["tracking_uri"]["kind"] == "decided at run time or local path"  # as ${MLFLOW_TRACKING_URI:-mlruns} in compose
    assert set(rows) == {"tracking_uri", "backend_store", "transport"}
