"""MLflow 3 tracking-server settings: its secrets (MLF701) and its protections (MLF704).

Names, values and meanings were read from MLflow 3.18.0's source; each case says what a
team commits, and look-alikes (other MLflow variables, references, values MLflow rejects)
stay clean.
"""

from __future__ import annotations

import pytest

from .conftest import lint_source


def _found(text: str, filename: str, rule: str) -> list[int]:
    return sorted(f.line for f in lint_source(text, filename) if f.rule == rule)


# --------------------------------------------------------------------- MLF701: server secrets
SERVER_SECRETS = [
    "MLFLOW_AUTH_ADMIN_PASSWORD",
    "MLFLOW_FLASK_SERVER_SECRET_KEY",
    "MLFLOW_CRYPTO_KEK_PASSPHRASE",
    "MLFLOW_WEBHOOK_SECRET_ENCRYPTION_KEY",
    "MLFLOW_UC_OSS_TOKEN",
]


@pytest.mark.parametrize("name", SERVER_SECRETS)
@pytest.mark.parametrize(
    ("filename", "template"),
    [
        (".env", "{name}=s3cr3t-team-value-2024\n"),
        ("docker-compose.yml", "services:\n  mlflow:\n    environment:\n      {name}: s3cr3t-team-value-2024\n"),
        ("start.sh", "export {name}='s3cr3t-team-value-2024'\nmlflow server --app-name basic-auth\n"),
        ("Dockerfile", "FROM ghcr.io/mlflow/mlflow:v3.18.0\nENV {name}=s3cr3t-team-value-2024\n"),
        ("serve.py", "import os\nimport mlflow\n\nos.environ['{name}'] = 's3cr3t-team-value-2024'\n"),
    ],
)
def test_a_literal_server_secret_is_found_and_never_echoed(name: str, filename: str, template: str) -> None:
    findings = [f for f in lint_source(template.format(name=name), filename) if f.rule == "MLF701"]
    assert len(findings) == 1
    assert "s3cr3t" not in findings[0].message
    assert "s3cr3t" not in (findings[0].snippet or "")


@pytest.mark.parametrize(
    "line",
    [
        "MLFLOW_AUTH_ADMIN_PASSWORD=",
        "MLFLOW_AUTH_ADMIN_PASSWORD=${ADMIN_PASSWORD}",
        "MLFLOW_FLASK_SERVER_SECRET_KEY=<64-hex-characters>",
        "MLFLOW_CRYPTO_KEK_PASSPHRASE=changeme",
        "DATABRICKS_TOKEN=databricks_token_here",  # a template's "<what>_here"
        "MLFLOW_TRACKING_PASSWORD=insert-password",
        # Other MLflow settings whose names look secret but hold no secret.
        "MLFLOW_AUTH_ADMIN_USERNAME=admin",
        "MLFLOW_CRYPTO_KEK_VERSION=2",
        "MLFLOW_MYSQL_SSL_KEY=/etc/mysql/client-key.pem",
        "MLFLOW_SERVER_SECRETS_CACHE_TTL=60",
        "MLFLOW_GATEWAY_RESOLVE_API_KEY_FROM_ENV=true",
        "MLFLOW_OPENAI_SECRET_SCOPE=openai-scope",
    ],
)
def test_references_placeholders_and_look_alikes_are_not_secrets(line: str) -> None:
    assert _found(line + "\n", ".env", "MLF701") == []


@pytest.mark.parametrize(
    ("filename", "text"),
    [
        (".env.example", "MLFLOW_AUTH_ADMIN_PASSWORD=password1234\n"),
        ("tests/docker-compose.yml", "services:\n  mlflow:\n    environment:\n      MLFLOW_AUTH_ADMIN_PASSWORD: password1234\n"),
        ("tests/test_server.py", "import os\nimport mlflow\n\nos.environ['MLFLOW_AUTH_ADMIN_PASSWORD'] = 'password1234'\n"),
        ("tests/basic_auth.ini", "[mlflow]\nadmin_password = password1234\n"),
        ("ci/start.sh", 'export MLFLOW_AUTH_ADMIN_PASSWORD="${ADMIN_PASSWORD:-password1234}"\n'),
        ("tests/.env", "MLFLOW_CRYPTO_KEK_PASSPHRASE=mlflow-default-kek-passphrase-for-development-only\n"),
    ],
)
def test_mlflow_known_defaults_are_reported_everywhere_without_the_value(filename: str, text: str) -> None:
    (finding,) = [f for f in lint_source(text, filename) if f.rule == "MLF701"]
    assert finding.context is None  # shown in test code too: anyone can try a public default
    assert "default" in finding.message
    assert "password1234" not in finding.message and "for-development-only" not in finding.message


def test_a_throwaway_password_in_test_code_stays_hidden_but_the_legacy_default_does_not() -> None:
    text = "services:\n  mlflow:\n    environment:\n      MLFLOW_AUTH_ADMIN_PASSWORD: {}\n"
    (throwaway,) = [f for f in lint_source(text.format("ci-only-admin-pw"), "tests/docker-compose.yml") if f.rule == "MLF701"]
    (legacy,) = [f for f in lint_source(text.format("password1234"), "tests/docker-compose.yml") if f.rule == "MLF701"]
    assert (throwaway.context, legacy.context) == ("test", None)


def test_password1234_is_only_a_known_default_for_the_admin_password() -> None:
    """Under another secret name it is an ordinary literal secret (hidden in tests), and
    under a name that is no secret it is nothing."""
    (other,) = [f for f in lint_source("MLFLOW_TRACKING_PASSWORD=password1234\n", "tests/.env") if f.rule == "MLF701"]
    assert other.context == "test" and "default" not in other.message
    assert _found("services:\n  app:\n    environment:\n      admin_password: password1234\n", "docker-compose.yml", "MLF701") == []


# ------------------------------------------------------------------ MLF701: basic_auth.ini
AUTH_INI = """[mlflow]
default_permission = READ
database_uri = {database}
read_database_uri = {replica}
admin_username = admin
admin_password = {password}

[other]
admin_password = not-mlflow-settings
database_uri = postgresql://u:not-mlflow@db/x
"""


def test_auth_ini_secrets_are_found() -> None:
    text = AUTH_INI.format(
        database="postgresql://auth:Adm1n-db-pw@db:5432/auth", replica="postgresql://auth:Adm1n-db-pw@replica/auth", password="S3cure-admin-pw"
    )
    findings = [f for f in lint_source(text, "basic_auth.ini") if f.rule == "MLF701"]
    assert [f.line for f in findings] == [3, 4, 6]
    assert not any("Adm1n" in f.message or "S3cure" in f.message for f in findings)


def test_auth_ini_without_secrets_is_clean() -> None:
    text = AUTH_INI.format(database="postgresql://auth@db:5432/auth", replica="postgresql://auth_ro@replica/auth", password="")
    assert lint_source(text, "basic_auth.ini") == []


# ------------------------------------------------------------- MLF701: AI-gateway config
GATEWAY = """endpoints:
  - name: chat
    endpoint_type: llm/v1/chat
    model:
      provider: {provider}
      name: some-model
      config:
{config}
"""


def _gateway(provider: str, config: str) -> list[int]:
    indented = "\n".join("        " + line for line in config.splitlines())
    return _found(GATEWAY.format(provider=provider, config=indented), "gateway.yaml", "MLF701")


@pytest.mark.parametrize(
    ("provider", "config", "lines"),
    [
        ("openai", "openai_api_key: team-openai-key-2024", [8]),
        ("openai", "openai_api_key: $OPENAI_API_KEY", []),
        # A path: MLflow's gateway reads the key from that file (_resolve_api_key_from_input).
        ("openai", "openai_api_key: /run/secrets/openai_api_key", []),
        ("mistral", "mistral_api_key: ./keys/mistral.txt", []),
        ("mistral", "mistral_api_key: ~/mistral-key", [8]),  # "~" is not expanded: the key itself
        ("bedrock", "aws_config:\n  aws_region: us-east-1\n  aws_access_key_id: AKIAEXAMPLEKEYID0000\n  aws_secret_access_key: team-bedrock-2024", [11]),
        ("bedrock", "aws_config:\n  aws_bearer_token: team-bedrock-bearer-2024", [9]),
        ("bedrock", "aws_config:\n  aws_role_arn: arn:aws:iam::123456789012:role/gateway", []),
        # Only api keys are read from files: an AWS secret written as a path is still a secret.
        ("bedrock", "aws_config:\n  aws_secret_access_key: /K7MDENG/bPxRfiCYteamsecret", [9]),
        ("litellm", "litellm_provider: mistral\nlitellm_auth_config:\n  api_key: team-mistral-2024\n  api_base: https://api.mistral.ai", [10]),
    ],
)
def test_gateway_provider_credentials(provider: str, config: str, lines: list[int]) -> None:
    assert _gateway(provider, config) == lines


# --------------------------------------------------------- MLF704: disabled protections
@pytest.mark.parametrize(
    ("name", "value", "flagged"),
    [
        ("MLFLOW_BASIC_AUTH_FAIL_CLOSED", "false", True),
        ("MLFLOW_BASIC_AUTH_FAIL_CLOSED", "FALSE", True),
        ("MLFLOW_BASIC_AUTH_FAIL_CLOSED", "0", True),
        ("MLFLOW_BASIC_AUTH_FAIL_CLOSED", "true", False),
        ("MLFLOW_BASIC_AUTH_FAIL_CLOSED", "no", False),  # MLflow raises on it: nothing switched off
        ("MLFLOW_BASIC_AUTH_FAIL_CLOSED", "${FAIL_CLOSED}", False),
        ("MLFLOW_SERVER_ENABLE_GRAPHQL_AUTH", "false", True),
        ("MLFLOW_SERVER_ENABLE_GRAPHQL_AUTH", "1", False),
        ("MLFLOW_SERVER_X_FRAME_OPTIONS", "NONE", True),
        ("MLFLOW_SERVER_X_FRAME_OPTIONS", "none", True),
        ("MLFLOW_SERVER_X_FRAME_OPTIONS", "DENY", False),
        ("MLFLOW_SERVER_X_FRAME_OPTIONS", "SAMEORIGIN", False),
        ("MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE", "true", True),
        ("MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE", "false", False),
    ],
)
@pytest.mark.parametrize(
    ("filename", "template"),
    [
        (".env", "{name}={value}\n"),
        ("docker-compose.yml", 'services:\n  mlflow:\n    environment:\n      {name}: "{value}"\n'),
        ("Dockerfile", "FROM ghcr.io/mlflow/mlflow:v3.18.0\nENV {name}={value}\n"),
        ("serve.sh", "export {name}={value}\n"),
    ],
)
def test_server_switches(name: str, value: str, flagged: bool, filename: str, template: str) -> None:
    findings = [f for f in lint_source(template.format(name=name, value=value), filename) if f.rule == "MLF704"]
    assert len(findings) == int(flagged)
    assert all(name in f.message for f in findings)


@pytest.mark.parametrize(
    ("command", "flagged"),
    [
        ("mlflow server --app-name basic-auth --x-frame-options NONE", True),
        ("mlflow server --app-name basic-auth --x-frame-options=none", True),
        ("mlflow ui --x-frame-options NONE", True),
        ("mlflow server --app-name basic-auth --x-frame-options DENY", False),
        ("mlflow server --app-name basic-auth --x-frame-options SAMEORIGIN", False),
        ('mlflow server --app-name basic-auth --x-frame-options "$FRAME_OPTIONS"', False),
        ("mlflow models serve -m models:/churn@champion --x-frame-options NONE", False),  # not the tracking server
    ],
)
def test_x_frame_options_flag(command: str, flagged: bool) -> None:
    assert _found(f"{command}\n", "serve.sh", "MLF704") == ([1] if flagged else [])


@pytest.mark.parametrize(
    ("permission", "flagged"),
    [
        ("USE", True),
        ("EDIT", True),
        ("MANAGE", True),
        ("READ", False),
        ("NO_PERMISSIONS", False),
        ("edit", False),  # not a permission name: MLflow's get_permission fails on it
        ("EDIT  # widened for the demo", False),  # configparser keeps the comment: not EDIT either
    ],
)
def test_default_permission_above_read(permission: str, flagged: bool) -> None:
    text = f"[mlflow]\ndefault_permission = {permission}\ndatabase_uri = sqlite:///basic_auth.db\n"
    findings = [f for f in lint_source(text, "basic_auth.ini") if f.rule == "MLF704"]
    assert [f.line for f in findings] == ([2] if flagged else [])


def test_default_permission_counts_only_in_the_mlflow_section_of_an_auth_ini() -> None:
    assert _found("[other]\ndefault_permission = MANAGE\n", "basic_auth.ini", "MLF704") == []
    assert _found("default_permission=MANAGE\nMLFLOW_TRACKING_URI=https://mlflow.example.com\n", ".env", "MLF704") == []
