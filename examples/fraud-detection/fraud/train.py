import lightgbm as lgb
import mlflow
import mlflow.lightgbm
import pandas as pd
from mlflow.models import infer_signature

from fraud.config import MODEL_NAME, connect
from fraud.lineage import git_commit, log_training_data


def train(path: str, data_version: str) -> str:
    connect()
    frame = pd.read_parquet(path)
    features, label = frame.drop(columns=["is_fraud"]), frame["is_fraud"]
    tags = {"git_commit": git_commit(), "data_version": data_version}
    with mlflow.start_run(run_name="train", tags=tags) as run:
        log_training_data(frame, "transactions-train")
        model = lgb.LGBMClassifier(n_estimators=400, learning_rate=0.05).fit(features, label)
        mlflow.lightgbm.log_model(
            model,
            name="model",
            signature=infer_signature(features, model.predict_proba(features)[:, 1]),
            registered_model_name=MODEL_NAME,
        )
        mlflow.log_artifact("reports/confusion_matrix.png", artifact_path="evaluation")
        return run.info.run_id
