"""Re-score last quarter's transactions with the model of a given training run."""

import sys

import mlflow
import pandas as pd

from fraud.config import connect


def backfill(run_id: str, source: str, target: str) -> None:
    connect()
    model = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
    frame = pd.read_parquet(source)
    frame["fraud_probability"] = model.predict(frame)
    frame.to_parquet(target)


if __name__ == "__main__":
    backfill(*sys.argv[1:4])
