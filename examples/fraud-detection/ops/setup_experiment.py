import mlflow

from fraud.config import EXPERIMENT, TRACKING_URI

mlflow.set_tracking_uri(TRACKING_URI)
mlflow.create_experiment(f"{EXPERIMENT}-backfill", artifact_location="s3://risk-ml-artifacts/fraud-backfill")
