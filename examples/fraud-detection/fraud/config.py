"""One tracking server, one registered model, for every pipeline of the project."""

import os

import mlflow

TRACKING_URI = "https://mlflow.risk.example.com"
EXPERIMENT = "fraud-detection"
MODEL_NAME = "fraud-detector"


def connect() -> None:
    # Injected by the scheduler from the secret store.
    os.environ["MLFLOW_TRACKING_TOKEN"] = os.environ["RISK_MLFLOW_TOKEN"]
    mlflow.set_tracking_uri(TRACKING_URI)
    mlflow.set_experiment(EXPERIMENT)
