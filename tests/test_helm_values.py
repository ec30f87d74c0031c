"""MLF701 in Helm values files: which values files configure MLflow, which keys hold a
credential (the MLflow charts' real names: community-charts ``charts/mlflow``, Bitnami
``bitnami/mlflow`` and their subcharts), and what is not the secret itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlflow_lint.analysis.secrets import HOLDS_SECRET, SECRET_OR_NAME, is_literal, secret_key_role
from mlflow_lint.config import Config
from mlflow_lint.engine import lint_bytes, lint_paths
from mlflow_lint.sources.helm_values import HelmChart, ValuesFile, is_values_file, may_configure_mlflow, read_chart
from mlflow_lint.sources.yaml_source import parse_yaml

from .conftest import all_rules, write_files

ROLES = [
    # Credentials, as the MLflow charts and their subcharts name them.
    ("password", HOLDS_SECRET),
    ("awsSecretAccessKey", HOLDS_SECRET),
    ("adminPassword", HOLDS_SECRET),
    ("rootPassword", HOLDS_SECRET),
    ("postgresPassword", HOLDS_SECRET),
    ("apiToken", HOLDS_SECRET),
    # The same words for a credential and for a name: the value decides.
    ("accessKeySecret", SECRET_OR_NAME),  # Bitnami's externalS3 secret key
    ("clientSecret", SECRET_OR_NAME),
    ("cookieSecret", SECRET_OR_NAME),
    ("certificatesSecret", SECRET_OR_NAME),  # a Secret's name
    ("extraEnvVarsSecret", SECRET_OR_NAME),
    ("flaskServerSecretKey", SECRET_OR_NAME),
    ("clientSecretKey", SECRET_OR_NAME),  # Bitnami's externalAzureBlob: the key in the Secret
    ("secretKey", SECRET_OR_NAME),  # MinIO's user secret, or the key beside a secretName
    ("accessKey", SECRET_OR_NAME),  # Azure's storage key, or a MinIO user
    ("credentials", SECRET_OR_NAME),
    # References to a Secret and its keys.
    ("existingSecret", None),
    ("existingSecretPasswordKey", None),
    ("existingDatabaseSecret", None),
    ("smtpExistingSecret", None),
    ("passwordKey", None),
    ("adminPasswordKey", None),
    ("keyOfSecretAccessKey", None),
    ("passwordSecretRef", None),
    # Not credentials at all.
    ("awsAccessKeyId", None),
    ("username", None),
    ("automountServiceAccountToken", HOLDS_SECRET),  # by name; its value is a boolean, never read
    ("secretName", None),
    ("tokenizer", None),
]


@pytest.mark.parametrize(("name", "role"), ROLES)
def test_a_keys_name_says_whether_it_holds_a_credential(name: str, role: str | None) -> None:
    assert secret_key_role(name) == role


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("values.yaml", True),
        ("values-prod.yaml", True),
        ("mlflow_values.yml", True),
        ("values.yaml.example", True),
        ("Chart.yaml", False),
        ("deployment.yaml", False),
        ("values.json", False),
    ],
)
def test_values_files_are_known_by_their_names(name: str, expected: bool) -> None:
    assert is_values_file(name) is expected


def test_a_chart_is_read_with_its_dependencies_aliases(tmp_path: Path) -> None:
    chart = tmp_path / "Chart.yaml"
    chart.write_text(
        "apiVersion: v2\nname: platform\ndependencies:\n  - name: mlflow\n    alias: tracking\n  - name: postgresql\n  - alias: x\n"
    )
    assert read_chart(str(chart)) == HelmChart("platform", (("mlflow", "tracking"), ("postgresql", "postgresql")))
    chart.write_text("name: [unclosed\n")
    assert read_chart(str(chart)) == HelmChart("")  # a chart's directory, whatever its file says
    assert read_chart(str(tmp_path / "missing" / "Chart.yaml")) is None


@pytest.mark.parametrize(
    ("values", "data", "expected"),
    [
        (ValuesFile("values.yaml", "tracking", HelmChart("mlflow")), b"auth:\n  adminPassword: x\n", True),
        (ValuesFile("values.yaml", "platform", HelmChart("platform", (("mlflow", "tracking"),))), b"tracking: {}\n", True),
        (ValuesFile("values.yaml", "mlflow", HelmChart("airflow")), b"auth:\n  password: x\n", False),  # the chart decides
        (ValuesFile("values.yaml", "mlflow"), b"auth:\n  password: x\n", True),  # no chart: the directory
        (ValuesFile("prod-values.yaml", "releases"), b"# x\nbackendStore:\n  postgres: {}\n", True),
        (ValuesFile("prod-values.yaml", "releases"), b"tracking:\n  auth: {}\nrun: {}\n", True),  # Bitnami's components
        (ValuesFile("prod-values.yaml", "releases"), b"tracking:\n  auth: {}\n", False),
        (ValuesFile("prod-values.yaml", "releases"), b"nested:\n  backendStore: {}\n", False),  # top level only
    ],
)
def test_which_values_files_may_configure_mlflow(values: ValuesFile, data: bytes, expected: bool) -> None:
    assert may_configure_mlflow(values, data) is expected


def _credentials(text: str, values: ValuesFile) -> list[tuple[int, str, bool]]:
    return [(s.position.line, s.where, s.secret) for s in parse_yaml(text, "values.yaml", values).settings]


def test_only_the_mlflow_parts_of_an_umbrella_are_read() -> None:
    text = (
        "tracking:\n  auth:\n    adminPassword: Tr0ub4dor-prod\n"
        "airflow:\n  auth:\n    password: Airfl0w-Str0ng\n"
        "mlflowGateway:\n  token: Gw-t0ken-Str0ng\n"
    )
    umbrella = ValuesFile("values.yaml", "platform", HelmChart("platform", (("mlflow", "tracking"), ("airflow", "airflow"))))
    assert _credentials(text, umbrella) == [
        (8, "mlflowGateway.token in values.yaml", True),  # a top-level key named for MLflow
        (3, "tracking.auth.adminPassword in values.yaml", True),
    ]
    assert _credentials(text, ValuesFile("values.yaml", "platform", HelmChart("platform"))) == [
        (8, "mlflowGateway.token in values.yaml", True)
    ]
    assert parse_yaml(text, "values.yaml").settings == []  # no values file: no Helm values read


def test_names_of_secrets_and_generated_secrets_are_told_apart_by_shape() -> None:
    mlflow = ValuesFile("values.yaml", "tracking", HelmChart("mlflow"))
    text = (
        "tls:\n  certificatesSecret: tracking-tls\n"  # 2: a Secret's name
        "auth:\n  clientSecret: 8d7Kq2LmX0pZr5VtY3wNa6Bc\n"  # 4: generated
        "  cookieSecret: 3f9c2a7e5b1d4c8a9e6f0b2d7a1c5e8f\n"  # 5: lower-case hex is no name either
        "  clientSecretKey: client-secret\n"  # 6: the key in the Secret
        "  flaskServerSecretKey: 0d6e4079-e2c5-4ba8-b1f7-9c3d2a6e5f10\n"  # 7: a UUID
        "  secretKey: minioadmin\n"  # 8: shaped like a name: not told from one
        "  privateKey: /var/secrets/tls/key.pem\n"  # 9: a file holding it
        "  password: 'true'\n"  # 10: a string, written out
        "  apiToken: 12345\n"  # 11: no string
    )
    assert [line for line, _, _ in _credentials(text, mlflow)] == [4, 5, 7, 10]


@pytest.mark.parametrize(
    "value",
    [
        "ENC[AES256_GCM,data:q8Zk3wVb2Nc8,iv:Rt5Wy1Ks4Hd6Fg0Jm2Qe7Ua9Io=,tag:Lx9Vb2Nc8Rt5Wy1Ks4Hd6F==,type:str]",  # SOPS
        "ref+vault://secret/data/mlflow#/password",  # vals, helmfile, helm-secrets
        "ref+awssecrets://mlflow/db#/password",
    ],
)
def test_encrypted_values_and_secret_store_references_are_not_literals(value: str) -> None:
    assert not is_literal(value)
    assert is_literal("Tr0ub4dor-prod")


def test_a_sops_encrypted_env_file_holds_no_literal_secret(tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("DATABRICKS_TOKEN=ENC[AES256_GCM,data:q8Zk3wVb2Nc8,iv:Rt5W=,tag:Lx9V==,type:str]\nAWS_SECRET_ACCESS_KEY=Fg0Jm2Qe7Ua9Io3f\n")
    found = lint_bytes(env.read_bytes(), ".env", all_rules(), path=env)
    assert [(f.line, f.rule) for f in found] == [(2, "MLF701")]


def test_a_values_file_that_never_says_mlflow_is_read_for_the_chart_beside_it(tmp_path: Path) -> None:
    """The prefilter lets a values file through for its chart, and the answer follows the
    Chart.yaml: adding it, renaming the chart (the result cache re-checks it)."""
    project = write_files(tmp_path / "project", {".git/HEAD": "", "chart/values-prod.yaml": "auth:\n  adminPassword: Tr0ub4dor-prod\n"})
    cache = tmp_path / "cache"

    served: list[int] = []

    def lint() -> list[tuple[str, int, str]]:
        result = lint_paths([project], Config(root=project), all_rules(), cwd=project, cache_dir=cache, jobs=1)
        served.append(result.cached)
        return [(f.path, f.line, f.rule) for f in result.findings]

    assert lint() == []
    (project / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: mlflow\nversion: 1.0.0\n")
    assert lint() == [("chart/values-prod.yaml", 2, "MLF701")]
    assert lint() == [("chart/values-prod.yaml", 2, "MLF701")] and served[-1] == 2  # warm: both files from the cache
    (project / "chart" / "Chart.yaml").write_text("apiVersion: v2\nname: airflow\nversion: 1.0.0\n")
    assert lint() == []


def test_the_audit_lists_helm_credentials_with_how_they_are_set() -> None:
    from mlflow_lint.audit.deployment import collect_facts

    text = (
        "auth:\n  adminPassword: Tr0ub4dor-prod\n"
        "  postgres:\n    password: ENC[AES256_GCM,data:q8Zk3wVb2Nc8,iv:Rt5W=,tag:Lx9V==,type:str]\n"
        "flaskServerSecretKey: ${FLASK_SECRET_KEY}\n"
    )
    facts = parse_yaml(text, "values.yaml", ValuesFile("values.yaml", "tracking", HelmChart("mlflow")))
    rows = {item.line: dict(item.fields) for item in collect_facts(facts, "values.yaml").items if item.kind == "credential"}
    assert rows == {
        2: {"setting": "adminPassword", "via": "auth.adminPassword in values.yaml", "value": "literal in a file (redacted)"},
        4: {
            "setting": "password",
            "via": "auth.postgres.password in values.yaml",
            "value": "encrypted in the file, or from a secret store (ref+...)",
        },
        5: {"setting": "flaskServerSecretKey", "via": "flaskServerSecretKey in values.yaml", "value": "from the environment (${…})"},
    }
