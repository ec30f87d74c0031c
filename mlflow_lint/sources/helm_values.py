"""Helm values files that deploy MLflow, and the credentials written into them.

A Helm chart takes its configuration from values files (``values.yaml``, and the
``values-prod.yaml`` or ``mlflow_values.yaml`` given to ``helm install -f``). The MLflow
charts read the tracking server's credentials from there: the community chart
(community-charts/helm-charts ``charts/mlflow``) ``backendStore.postgres.password``,
``artifactRoot.s3.awsSecretAccessKey``, ``auth.adminPassword``, ``flaskServerSecretKey``...;
Bitnami's (bitnami/charts ``bitnami/mlflow``) ``tracking.auth.password``,
``externalDatabase.password``, ``externalS3.accessKeySecret``...; and the values of their
subcharts (``postgresql.auth.password``, ``minio.auth.rootPassword``). Umbrella charts nest
all of them under the subchart's key (``mlflow:``).

So no table of key paths: in the values that configure MLflow, a key named like a
credential (``analysis.secrets.secret_key_role``) holds one, wherever it sits. Which values
configure MLflow (:func:`mlflow_scopes`): the whole file when the chart beside it (its
``Chart.yaml``, in the file's directory or the one above) is named for MLflow, or when no
chart is there and the file or its directory is, or when its top-level keys are an MLflow
chart's (MLflow's own server vocabulary, ``backendStore`` / ``artifactRoot`` /
``defaultArtifactRoot``, or Bitnami's ``tracking`` with ``run``); only the key of a
dependency named for MLflow (its alias, else its name) in an umbrella chart's values, and
only a top-level key named for MLflow (``mlflow:``) in any other values file. A chart that
deploys something else is not read: its passwords are not the tracking server's.

Not credentials: a key that names a Secret or a key in one (``existingSecret``,
``existingSecretPasswordKey``, ``passwordKey``, a mapping under ``existingSecret:``), a
value shaped like such a name where the key name may mean either (``passwordSecret:
mlflow-db``, ``clientSecretKey: client-secret``), environment and command blocks (read as
such, ``sources.yaml_source``), and non-string values (``automountServiceAccountToken:
false``). An inline credential is reported even beside a set ``existingSecret``: both charts
then leave it out of what they render, but it is committed all the same.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlflow_lint.analysis.secrets import HOLDS_SECRET, SECRET_OR_NAME, is_connection_string, secret_key_role
from mlflow_lint.sources import TEMPLATE_SUFFIXES
from mlflow_lint.sources.facts import Setting
from mlflow_lint.sources.yaml_nodes import is_mapping, is_scalar

if TYPE_CHECKING:  # PyYAML is imported when a YAML file is read, not before
    from yaml import Node

    from mlflow_lint.sources.facts import Word

CHART_FILE = "Chart.yaml"
_MAX_CHART_BYTES = 1_000_000
_YAML_SUFFIXES = (".yaml", ".yml")
_MLFLOW = "mlflow"


def is_values_file(name: str) -> bool:
    """A Helm values file, by its name: a YAML file whose name says "values"
    (``values.yaml``, ``values-prod.yaml``, ``mlflow_values.yaml``, ``values.yaml.example``)."""
    lower = name.lower()
    stem, suffix = os.path.splitext(lower)
    if suffix in TEMPLATE_SUFFIXES:
        lower = stem
    return lower.endswith(_YAML_SUFFIXES) and "values" in lower


@dataclass(frozen=True)
class HelmChart:
    """A chart's ``Chart.yaml``: its name, and its dependencies' as (chart name, the key
    its values sit under in the chart's values: the ``alias``, else the name)."""

    name: str
    dependencies: tuple[tuple[str, str], ...] = ()


def read_chart(path: str) -> HelmChart | None:
    """The chart described by the ``Chart.yaml`` at ``path``; None when there is no such
    file. One that does not parse is a chart with no name (the directory is a chart's)."""
    import yaml

    try:
        with open(path, "rb") as handle:
            text = handle.read(_MAX_CHART_BYTES).decode("utf-8", "replace")
    except OSError:
        return None
    try:
        document = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506 - safe loaders only
    except (yaml.YAMLError, RecursionError):
        return HelmChart("")
    if not isinstance(document, dict):
        return HelmChart("")
    name = document.get("name")
    dependencies = document.get("dependencies")
    found = []
    for dependency in dependencies if isinstance(dependencies, list) else ():
        chart, alias = (dependency.get("name"), dependency.get("alias")) if isinstance(dependency, dict) else (None, None)
        if isinstance(chart, str):
            found.append((chart, alias if isinstance(alias, str) and alias else chart))
    return HelmChart(name if isinstance(name, str) else "", tuple(found))


@dataclass(frozen=True)
class ValuesFile:
    """A Helm values file (:func:`is_values_file`): its name, its directory's, and the chart
    beside it (None when there is none)."""

    name: str
    directory: str
    chart: HelmChart | None = None

    @property
    def named_for_mlflow(self) -> bool:
        """The chart is MLflow's (``mlflow``, ``recsys-mlflow-stack``), or, with no chart, the
        file or its directory says so (``mlflow_values.yaml``, ``k8s/mlflow/values.yaml``)."""
        if self.chart is not None:
            return _MLFLOW in self.chart.name.lower()
        return _MLFLOW in self.name.lower() or _MLFLOW in self.directory.lower()

    def mlflow_subcharts(self) -> frozenset[str]:
        """Where the values of the chart's dependencies named for MLflow sit (an umbrella's
        ``mlflow:``, or the alias it gives the MLflow chart)."""
        dependencies = self.chart.dependencies if self.chart is not None else ()
        return frozenset(key for chart, key in dependencies if _MLFLOW in chart.lower())


# An MLflow chart's top-level keys: MLflow's own server vocabulary (``--backend-store-uri``,
# ``--default-artifact-root``, ``--artifacts-destination``), which the community chart
# (``backendStore``, ``artifactRoot``) and others (``defaultArtifactRoot``) name their
# values after; Bitnami's chart has a ``tracking`` and a ``run`` component.
_SERVER_VOCABULARY = re.compile(r"backend[-_]?store|artifacts?[-_]?(?:root|destination)", re.IGNORECASE)
_BITNAMI_COMPONENTS = frozenset({"tracking", "run"})
_TOP_LEVEL_KEY = re.compile(rb"^([A-Za-z][\w-]*)[ \t]*:", re.MULTILINE)


def _configures_mlflow(keys: set[str]) -> bool:
    return any(_SERVER_VOCABULARY.search(key) for key in keys) or keys >= _BITNAMI_COMPONENTS


def may_configure_mlflow(values: ValuesFile, data: bytes) -> bool:
    """Whether a values file may configure MLflow (:func:`mlflow_scopes`), from its bytes:
    the prefilter's question for a file that never says "mlflow"."""
    if values.named_for_mlflow or values.mlflow_subcharts():
        return True
    return _configures_mlflow({key.decode("ascii") for key in _TOP_LEVEL_KEY.findall(data)})


def mlflow_scopes(values: ValuesFile, document: Node) -> list[tuple[str, Node]]:
    """The parts of a values document that configure MLflow, each with its key path: the
    whole document, or the mappings under the keys named for MLflow."""
    if not is_mapping(document):
        return []
    top = {str(key.value): value for key, value in document.value if is_scalar(key)}
    if values.named_for_mlflow or _configures_mlflow(set(top)):
        return [("", document)]
    keys = values.mlflow_subcharts() | {key for key in top if _MLFLOW in key.lower()}
    return [(key, top[key]) for key in sorted(keys) if key in top and is_mapping(top[key])]


# A Kubernetes object's name or a key of a Secret: lower-case words joined by "-", "." or
# "_" (``mlflow-db``, ``client-secret``, ``db_password``).
_RESOURCE_NAME = re.compile(r"^[a-z0-9]+(?:[-._][a-z0-9]+)*$")
# A value that names a file holding the key, not the key itself (as MLflow's gateway reads them).
_FILE_PATH = re.compile(r"^(?:/|\.\.?/)\S*$")


def _names_a_resource(text: str) -> bool:
    """Shaped like the name of a Secret or of a key in one, not like a generated secret:
    no part of it mixes eight or more letters and digits (``a1b2c3d4…``, a UUID's)."""
    if len(text) > 253 or _RESOURCE_NAME.match(text) is None:
        return False
    return not any(len(part) >= 8 and not part.isalpha() and not part.isdigit() for part in re.split(r"[-._]", text))


def credential_setting(path: str, key: str, word: Word, where: str) -> Setting | None:
    """The setting a string value of MLflow's values makes when it may hold a credential
    (``path`` its key path, ``key`` its key, or its list's): a key named like a credential
    (a secret wherever it is), a connection string (its key field is the secret), any
    value that may be a URI with a password; else None. An upper-case key is an environment
    variable (``extraEnvVars: {POSTGRES_PASSWORD: ...}``), judged as every environment block
    is: by the variables MLflow reads (sources.yaml_source) and URIs, not by its name."""
    text = word.text.strip()
    named = f"{path} in {where}"
    if not key.isupper():
        role = secret_key_role(key)
        if role == HOLDS_SECRET or (role == SECRET_OR_NAME and not _names_a_resource(text)):
            return None if _FILE_PATH.match(text) else Setting(key, word, word.position, named, secret=True)
        if is_connection_string(text):
            return Setting(key, word, word.position, named, secret=True)
    if "://" in text and "@" in text:
        return Setting(key, word, word.position, named)
    return None


def points_at_secret(key: str) -> bool:
    """A key whose mapping names a Secret and keys in it, not credentials
    (``existingSecret: {name: ..., passwordKey: ...}``, ``existingDatabaseSecret``,
    ``secretKeyRef``, ``secretKeys``)."""
    lower = key.lower()
    return secret_key_role(key) is None and (
        lower.startswith("existing") or "secretkey" in lower or lower.endswith(("secretref", "keyref", "secretname"))
    )
