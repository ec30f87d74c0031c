"""Replays a day of scoring against a developer's local MLflow server."""

import mlflow

from fraud.config import EXPERIMENT

mlflow.set_tracking_uri("http://localhost:5000")
mlflow.set_experiment(EXPERIMENT)
