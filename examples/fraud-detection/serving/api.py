import mlflow
import pandas as pd

from fraud.config import MODEL_NAME, connect

connect()
champion = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}@champion")
shadow = mlflow.pyfunc.load_model(f"models:/{MODEL_NAME}/12")


def score(transactions: pd.DataFrame) -> pd.DataFrame:
    out = transactions[["transaction_id"]].copy()
    out["fraud_probability"] = champion.predict(transactions)
    out["shadow_probability"] = shadow.predict(transactions)
    return out
