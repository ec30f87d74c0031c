"""MLF701: the credential variables of MLflow's hosts and DagsHub; user names, paths and
plugins stay clean."""

from __future__ import annotations

import pytest

from .conftest import lint_source


def _mlf701(text: str, filename: str = "settings.py") -> list[tuple[int, str]]:
    return sorted((f.line, f.message) for f in lint_source(text, filename) if f.rule == "MLF701")


# DagsHub's, Databricks' and Azure's credentials MLflow or its hosts read.
ADDED = ["DAGSHUB_TOKEN", "DAGSHUB_USER_TOKEN", "DAGSHUB_PASSWORD", "DATABRICKS_PASSWORD", "DATABRICKS_REFRESH_TOKEN", "ARM_CLIENT_SECRET", "AZURE_STORAGE_SAS_TOKEN"]
_FORMS = [
    (".env", "MLFLOW_TRACKING_URI=https://dagshub.com/acme/churn.mlflow\n{name}={value}\n", 2),
    ("docker-compose.yml", "services:\n  train:\n    image: ghcr.io/acme/mlflow-train:1\n    environment:\n      {name}: {value}\n", 5),
    ("train.sh", "export {name}='{value}'\nmlflow run .\n", 1),
    ("Dockerfile", "FROM ghcr.io/mlflow/mlflow:v3.18.0\nENV {name}={value}\n", 2),
    ("train.py", "import os\nimport mlflow\n\nos.environ['{name}'] = '{value}'\n", 4),
]


@pytest.mark.parametrize("name", ADDED)
@pytest.mark.parametrize(("filename", "template", "line"), _FORMS)
def test_the_credentials_of_mlflows_hosts_are_found_and_never_echoed(name: str, filename: str, template: str, line: int) -> None:
    found = _mlf701(template.format(name=name, value="s3cr3t-team-value-2024"), filename)
    assert [number for number, _ in found] == [line]
    assert "s3cr3t" not in found[0][1]
    assert _mlf701(template.format(name=name, value="your-token-here"), filename) == []


@pytest.mark.parametrize(
    "name",
    ["DAGSHUB_USERNAME", "DATABRICKS_USERNAME", "DATABRICKS_CLIENT_ID", "ARM_CLIENT_ID", "MLFLOW_TRACKING_AUTH", "MLFLOW_MYSQL_SSL_KEY", "GOOGLE_CREDENTIALS"],
)
def test_names_paths_and_plugins_are_no_credentials(name: str) -> None:
    assert _mlf701(f"MLFLOW_TRACKING_URI=https://dagshub.com/acme/churn.mlflow\n{name}=acme-value-2024\n", ".env") == []
