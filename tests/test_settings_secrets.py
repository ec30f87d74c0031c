"""MLF701 beyond assignments: the fallbacks of environment reads (settings-class defaults,
``os.getenv`` defaults), and the credential variables of MLflow's hosts and DagsHub.

Which variable a pydantic settings field is read from follows pydantic-settings 2 and
pydantic v1 (``env_prefix``, aliases, ``env=``); each case says what a team commits, and
look-alikes (classes that do not read the environment, placeholders, non-secret variables)
stay clean.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.settings_classes import settings_fields

from .conftest import lint_source

_IMPORTS = (
    "from typing import Annotated, ClassVar\n"
    "from pydantic import AliasChoices, BaseModel, Field, SecretStr\n"
    "from pydantic_settings import BaseSettings, SettingsConfigDict\n"
)


def _variables(source: str) -> dict[str, set[str]]:
    """Each settings field of ``source``'s classes: ``Class.field`` -> the variables it is read from."""
    module = AnalysedModule(Path("/nonexistent/settings.py"), _IMPORTS + source, ast.parse(_IMPORTS + source), None)
    return {f"{field.cls.name}.{field.name}": set(field.variables) for field in settings_fields(module)}


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("class S(BaseSettings):\n    mlflow_tracking_password: str = 'x'\n", {"S.mlflow_tracking_password": {"MLFLOW_TRACKING_PASSWORD"}}),
        (
            "class S(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='mlflow_tracking_')\n    password: str = 'x'\n",
            {"S.password": {"PASSWORD", "MLFLOW_TRACKING_PASSWORD"}},
        ),
        ("class S(BaseSettings):\n    model_config = {'env_prefix': 'AWS_'}\n    secret_access_key: str\n", {"S.secret_access_key": {"SECRET_ACCESS_KEY", "AWS_SECRET_ACCESS_KEY"}}),
        ("class S(BaseSettings, env_prefix='DAGSHUB_'):\n    user_token: str = ''\n", {"S.user_token": {"USER_TOKEN", "DAGSHUB_USER_TOKEN"}}),
        # pydantic v1: a nested Config, unannotated fields, env= naming the variables
        (
            "from pydantic.v1 import BaseSettings as V1, Field as F1\n"
            "class S(V1):\n    token = 'x'\n    refresh = F1('y', env=['DATABRICKS_REFRESH_TOKEN', 'R'])\n"
            "    class Config:\n        env_prefix = 'DATABRICKS_'\n",
            {"S.token": {"TOKEN", "DATABRICKS_TOKEN"}, "S.refresh": {"REFRESH", "DATABRICKS_REFRESH_TOKEN", "R"}},
        ),
        # aliases name the variables, without the prefix
        (
            "class S(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_')\n"
            "    tok: str = Field('x', validation_alias=AliasChoices('DAGSHUB_TOKEN', 'DT'))\n"
            "    pw: Annotated[str, Field(alias='MLFLOW_TRACKING_PASSWORD')] = 'y'\n",
            {"S.tok": {"TOK", "DAGSHUB_TOKEN", "DT"}, "S.pw": {"PW", "MLFLOW_TRACKING_PASSWORD"}},
        ),
        # the nearest prefix of the class's lineage; a subclass's own prefix wins
        (
            "class Base(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='MLFLOW_')\n"
            "class Child(Base):\n    tracking_token: str = 'x'\n"
            "class Other(Base):\n    model_config = SettingsConfigDict(env_prefix='AZURE_')\n    client_secret: str = 'y'\n",
            {"Child.tracking_token": {"TRACKING_TOKEN", "MLFLOW_TRACKING_TOKEN"}, "Other.client_secret": {"CLIENT_SECRET", "AZURE_CLIENT_SECRET"}},
        ),
        # a prefix that is not a known string: the field's own name only
        ("class S(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix=prefix())\n    token: str = 'x'\n", {"S.token": {"TOKEN"}}),
        ("class S(BaseSettings):\n    model_config = SettingsConfigDict(**BASE)\n    token: str = 'x'\n", {"S.token": {"TOKEN"}}),
        # not fields: ClassVar, private attributes, the configuration, methods
        (
            "class S(BaseSettings):\n    a: ClassVar[str] = 'x'\n    _b: str = 'y'\n    model_config = SettingsConfigDict()\n"
            "    def c(self):\n        return 'z'\n",
            {},
        ),
        # classes that do not read the environment
        ("class Plain:\n    password = 'x'\nclass M(BaseModel):\n    mlflow_tracking_password: str = 'y'\n", {}),
    ],
)
def test_the_variables_a_settings_field_is_read_from(source: str, expected: dict[str, set[str]]) -> None:
    assert _variables(source) == expected


def _mlf701(text: str, filename: str = "settings.py") -> list[tuple[int, str]]:
    return sorted((f.line, f.message) for f in lint_source(text, filename) if f.rule == "MLF701")


_SETTINGS = "import mlflow\n" + _IMPORTS + "\n\n"


@pytest.mark.parametrize(
    "declaration",
    [
        "class S(BaseSettings):\n    mlflow_tracking_password: str = 'hunter2-prod'\n",
        "class S(BaseSettings):\n    mlflow_tracking_password: SecretStr = SecretStr('hunter2-prod')\n",
        "class S(BaseSettings):\n    mlflow_tracking_password: str = Field(default='hunter2-prod', description='pw')\n",
        "class S(BaseSettings):\n    mlflow_tracking_password: str = Field('hunter2-prod')\n",
        "PASSWORD = 'hunter2-prod'\nclass S(BaseSettings):\n    mlflow_tracking_password: str = PASSWORD\n",
        "class S(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='MLFLOW_TRACKING_')\n    password: str = 'hunter2-prod'\n",
        "class S(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='APP_')\n    mlflow_tracking_password: str = 'hunter2-prod'\n",
        "class S(BaseSettings):\n    pw: str = Field('hunter2-prod', validation_alias='MLFLOW_TRACKING_PASSWORD')\n",
    ],
)
def test_a_settings_default_of_a_credential_is_found_and_never_echoed(declaration: str) -> None:
    found = _mlf701(_SETTINGS + declaration)
    assert len(found) == 1, found
    line, message = found[0]
    assert "hunter2" not in message
    assert "the default of settings field S." in message and "(MLFLOW_TRACKING_PASSWORD)" in message
    assert line == len((_SETTINGS + declaration).splitlines())  # the field's default, where the secret is written or named


@pytest.mark.parametrize(
    "declaration",
    [
        # placeholders, references, empty and no defaults
        "class S(BaseSettings):\n    mlflow_tracking_password: str = ''\n",
        "class S(BaseSettings):\n    mlflow_tracking_password: str = 'changeme'\n",
        "class S(BaseSettings):\n    mlflow_tracking_password: str = '<your-password>'\n",
        "class S(BaseSettings):\n    mlflow_tracking_password: str = '${MLFLOW_PASSWORD}'\n",
        "class S(BaseSettings):\n    mlflow_tracking_password: SecretStr | None = None\n",
        "class S(BaseSettings):\n    mlflow_tracking_password: SecretStr\n",
        "class S(BaseSettings):\n    mlflow_tracking_password: str = Field(default_factory=read_vault)\n",
        # not credentials: user names, other secrets of the application, a prefix that makes no MLflow credential
        "class S(BaseSettings):\n    mlflow_tracking_username: str = 'svc-training'\n",
        "class S(BaseSettings):\n    password: str = 'app-db-password'\n    openai_api_key: str = 'not-mlflows'\n",
        "class S(BaseSettings):\n    model_config = SettingsConfigDict(env_prefix='POSTGRES_')\n    password: str = 'app-db-password'\n",
        # classes that do not read the environment: their defaults count where they reach one
        "class Plain:\n    password = 'hunter2-prod'\n    mlflow_tracking_password = 'hunter2-prod'\n",
        "from dataclasses import dataclass\n@dataclass\nclass D:\n    mlflow_tracking_password: str = 'hunter2-prod'\n",
        "class M(BaseModel):\n    mlflow_tracking_password: str = 'hunter2-prod'\n",
    ],
)
def test_what_is_no_committed_credential_of_a_settings_class(declaration: str) -> None:
    assert _mlf701(_SETTINGS + declaration) == []


def test_a_default_reaching_the_environment_is_reported_once_where_it_is_written() -> None:
    source = (
        _SETTINGS
        + "import os\n"
        + "class S(BaseSettings):\n    mlflow_tracking_password: SecretStr = SecretStr('hunter2-prod')\n    databricks_token: str = 'dapi-dev-1'\n"
        + "    def apply(self):\n        os.environ['DATABRICKS_TOKEN'] = self.databricks_token\n"
        + "settings = S()\n"
        + "os.environ['MLFLOW_TRACKING_PASSWORD'] = settings.mlflow_tracking_password.get_secret_value()\n"
        + "def configure(s: S):\n    os.environ['MLFLOW_TRACKING_PASSWORD'] = str(s.mlflow_tracking_password)\n"
        + "pw = os.getenv('MLFLOW_TRACKING_PASSWORD', 'hunter3-prod')\n"
        + "os.environ['MLFLOW_TRACKING_PASSWORD'] = pw\n"
        + "os.environ.setdefault('DATABRICKS_TOKEN', os.environ.get('DATABRICKS_TOKEN', 'dapi-dev-2'))\n"
        + "from mlflow.utils.rest_utils import MlflowHostCreds\n"
        + "creds = MlflowHostCreds('https://mlflow.example.com', password=settings.mlflow_tracking_password.get_secret_value())\n"
    )
    lines = source.splitlines()
    found = [line for line, _ in _mlf701(source)]
    written = [number for number, text in enumerate(lines, start=1) if any(v in text for v in ("hunter2-prod", "hunter3-prod", "dapi-dev-"))]
    assert found == written


def test_a_settings_default_given_by_the_constructor_is_reported_where_it_reaches_the_environment() -> None:
    # Not the class's default: the keyword of the call that makes the object. A dataclass
    # field is no read of the environment either: both are judged where they are assigned.
    source = (
        _SETTINGS
        + "import os\nfrom dataclasses import dataclass\n"
        + "class S(BaseSettings):\n    mlflow_tracking_password: str = ''\n"
        + "@dataclass\nclass D:\n    mlflow_tracking_password: str = 'hunter2-prod'\n"
        + "os.environ['MLFLOW_TRACKING_PASSWORD'] = S(mlflow_tracking_password='hunter2-prod').mlflow_tracking_password\n"
        + "os.environ['MLFLOW_TRACKING_PASSWORD'] = D().mlflow_tracking_password\n"
    )
    assert [line for line, _ in _mlf701(source)] == [len(source.splitlines()) - 1, len(source.splitlines())]


@pytest.mark.parametrize(
    ("read", "found"),
    [
        ("os.getenv('DATABRICKS_TOKEN', 'local-pat-value')", True),
        ("os.environ.get('AWS_SECRET_ACCESS_KEY', 'minioadmin123')", True),
        ("os.getenv(key='DAGSHUB_TOKEN', default='dh-fallback-token')", True),
        ("os.getenv('DATABRICKS_TOKEN', '')", False),
        ("os.getenv('DATABRICKS_TOKEN', 'your-databricks-token')", False),
        ("os.getenv('DATABRICKS_TOKEN')", False),
        ("os.getenv('MLFLOW_TRACKING_USERNAME', 'svc-training')", False),
        ("os.getenv('GOOGLE_APPLICATION_CREDENTIALS', '/secrets/sa.json')", False),
        ("os.getenv('MY_APP_PASSWORD', 'hunter2-prod')", False),
    ],
)
def test_the_fallback_of_reading_a_credential_is_its_committed_value(read: str, found: bool) -> None:
    source = f"import os\nimport mlflow\n\ntoken = {read}\n"
    assert [line for line, _ in _mlf701(source, "train.py")] == ([4] if found else [])


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
