import itertools

import lightgbm as lgb
import mlflow
import mlflow.lightgbm

from fraud.config import connect

GRID = {"num_leaves": [31, 63], "learning_rate": [0.03, 0.1]}


def sweep(features, label) -> None:
    connect()
    with mlflow.start_run(run_name="sweep", tags={"git_commit": "HEAD"}):
        for leaves, rate in itertools.product(GRID["num_leaves"], GRID["learning_rate"]):
            with mlflow.start_run(run_name=f"leaves={leaves},lr={rate}", nested=True):
                model = lgb.LGBMClassifier(num_leaves=leaves, learning_rate=rate).fit(features, label)
                mlflow.log_params({"num_leaves": leaves, "learning_rate": rate})
                mlflow.lightgbm.log_model(model, name="model")
