from mlflow import MlflowClient

from fraud.config import MODEL_NAME, connect


def beats_champion(candidate: dict, champion: dict) -> bool:
    return candidate["pr_auc"] >= champion["pr_auc"] and candidate["recall_at_1pct_fpr"] >= champion["recall_at_1pct_fpr"]


def promote(version: str, candidate: dict, champion: dict) -> None:
    connect()
    client = MlflowClient()
    client.set_registered_model_alias(MODEL_NAME, "challenger", version)
    if beats_champion(candidate, champion):
        client.set_registered_model_alias(MODEL_NAME, "champion", version)


def hotfix(version: str) -> None:
    """Emergency release, run by hand."""
    connect()
    MlflowClient().set_registered_model_alias(MODEL_NAME, "production", version)
