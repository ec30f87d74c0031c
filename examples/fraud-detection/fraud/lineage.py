import subprocess

import mlflow


def git_commit() -> str:
    return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True).stdout.strip()


def log_training_data(frame, name: str) -> None:
    mlflow.log_input(mlflow.data.from_pandas(frame, name=name, targets="is_fraud"), context="training")
