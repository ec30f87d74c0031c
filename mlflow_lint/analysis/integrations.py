"""Other libraries' MLflow integrations that take the tracking URI: one table, read by the
Python analysis (a call of one of them sets the tracking URI: ``analysis.mlflow_calls``)
and by the YAML source (a Hydra ``_target_`` naming one of them builds that call:
``sources.hydra``). Data only, so that reading a YAML file loads no Python analysis.
"""

from __future__ import annotations

# Callee -> the position of ``tracking_uri`` in its signature, from their sources: PyTorch
# Lightning's logger (``MLFlowLogger(experiment_name, run_name, tracking_uri, ...)``),
# Optuna's callback and Ray's logger callback (``tracking_uri`` first), and Ray's
# ``setup_mlflow(config, tracking_uri, ...)``. Every one names the keyword ``tracking_uri``.
INTEGRATION_TRACKING_URIS: dict[str, int] = {
    **{f"{package}.loggers{module}.MLFlowLogger": 2 for package in ("pytorch_lightning", "lightning.pytorch") for module in ("", ".mlflow")},
    **{f"{package}.MLflowCallback": 0 for package in ("optuna.integration", "optuna.integration.mlflow", "optuna_integration", "optuna_integration.mlflow")},
    **{f"{package}.MLflowLoggerCallback": 0 for package in ("ray.air.integrations.mlflow", "ray.tune.integration.mlflow")},
    "ray.air.integrations.mlflow.setup_mlflow": 1,
}
INTEGRATION_TRACKING_URI_KEYWORD = "tracking_uri"
