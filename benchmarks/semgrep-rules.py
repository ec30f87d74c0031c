# Annotated cases for `semgrep --test` (benchmarks/semgrep-rules.yaml); read by semgrep only.
import os

import mlflow
import mlflow.pyfunc as pf
from mlflow import MlflowClient

# ruleid: MLF101-local-tracking-uri
mlflow.set_tracking_uri("./mlruns")
# ruleid: MLF101-local-tracking-uri
mlflow.set_tracking_uri(os.environ.get("MLFLOW_TRACKING_URI", "file:///tmp/mlruns"))
# ok: MLF101-local-tracking-uri
mlflow.set_tracking_uri("https://mlflow.example.com")
# ruleid: MLF201-non-sql-backend-store
mlflow.set_tracking_uri("sqlite:///mlflow.db")
# ruleid: MLF201-non-sql-backend-store
client = MlflowClient(tracking_uri="sqlite:///mlflow.db")
# ruleid: MLF301-hardcoded-artifact-location
mlflow.create_experiment("churn", artifact_location="s3://bucket/churn")
# ok: MLF301-hardcoded-artifact-location
mlflow.log_artifact("/tmp/report.html", "reports")
# ruleid: MLF401-deprecated-stage-api
client.transition_model_version_stage("churn", 3, "Staging")
# ruleid: MLF401-deprecated-stage-api
model = pf.load_model("models:/churn/Production")
# ruleid: MLF402-unguarded-promotion
client.set_registered_model_alias("churn", "champion", 3)


def promote(new_auc: float, old_auc: float) -> None:
    if new_auc > old_auc:
        # ok: MLF402-unguarded-promotion
        client.set_registered_model_alias("churn", "champion", 3)


# ruleid: MLF403-destructive-registry-call
client.delete_registered_model("churn")
# ruleid: MLF501-missing-required-tags
with mlflow.start_run():
    mlflow.log_param("a", 1)
# ok: MLF501-missing-required-tags
with mlflow.start_run(tags={"git_commit": "abc"}):
    mlflow.log_param("a", 1)
# ok: MLF501-missing-required-tags
with mlflow.start_run() as run:
    mlflow.set_tag("git_commit", "abc")
# ruleid: MLF502-tag-value-may-be-none
mlflow.set_tag("git_commit", os.environ.get("GIT_COMMIT"))
# ruleid: MLF601-run-uri-model-load
model = mlflow.sklearn.load_model("runs:/abc/model")
run_id = "abc"
df = sig = None
# ruleid: MLF601-run-uri-model-load
model = mlflow.pyfunc.load_model(f"runs:/{run_id}/model")
# ok: MLF601-run-uri-model-load
mlflow.register_model("runs:/abc/model", "churn")
# ruleid: MLF602-storage-path-model-load
model = mlflow.pyfunc.load_model("s3://bucket/model")
# ruleid: MLF603-version-pinned-model-load
model = mlflow.pyfunc.load_model("models:/churn/3")
# ok: MLF603-version-pinned-model-load, MLF601-run-uri-model-load, MLF602-storage-path-model-load, MLF401-deprecated-stage-api
model = mlflow.pyfunc.load_model("models:/churn@champion")
# ruleid: MLF701-hardcoded-credentials
os.environ["MLFLOW_TRACKING_PASSWORD"] = "hunter2"
# ok: MLF701-hardcoded-credentials
os.environ["MLFLOW_TRACKING_USERNAME"] = "alice"
# ruleid: MLF701-password-in-tracking-uri
mlflow.set_tracking_uri("https://alice:hunter2@mlflow.example.com")
# ruleid: MLF702-insecure-tracking-transport
mlflow.set_tracking_uri("http://mlflow.example.com:5000")
# ok: MLF702-insecure-tracking-transport
mlflow.set_tracking_uri("http://localhost:5000")
# ruleid: MLF702-insecure-tracking-transport
os.environ["MLFLOW_TRACKING_INSECURE_TLS"] = "true"
with mlflow.start_run(tags={"a": "b"}) as run:
    # ruleid: MLF801-model-without-signature, MLF802-run-without-input-dataset
    mlflow.sklearn.log_model(model, "model")
with mlflow.start_run(tags={"a": "b"}) as run:
    mlflow.log_input(mlflow.data.from_pandas(df), context="training")
    # ok: MLF801-model-without-signature, MLF802-run-without-input-dataset
    mlflow.sklearn.log_model(model, "model", signature=sig)
