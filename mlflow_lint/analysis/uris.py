"""Classification of tracking, model and storage URIs (one place, shared by all rules)."""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass

from mlflow_lint.analysis.values import Hole, StrValue

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_WINDOWS_DRIVE = re.compile(r"^[A-Za-z]:[\\/]")
_PLACEHOLDER = re.compile(r"\{\{|\}\}|^<.*>$|\$\{|^\$[A-Z_]")


class UriKind(enum.Enum):
    RUNS = "runs"
    MODELS = "models"
    FILE = "file"
    LOCAL_PATH = "local path"
    SQLITE = "sqlite"
    SQL_DATABASE = "sql database"
    HTTP = "http"
    HTTPS = "https"
    DATABRICKS = "databricks"
    OBJECT_STORE = "object store"
    MLFLOW_ARTIFACTS = "mlflow-artifacts"
    OTHER = "other"
    UNKNOWN = "unknown"


OBJECT_STORE_SCHEMES = frozenset(
    {"s3", "s3a", "s3n", "gs", "gcs", "wasb", "wasbs", "abfs", "abfss", "adl", "hdfs", "viewfs",
     "dbfs", "oss", "cos", "obs", "r2", "ftp", "sftp"}
)  # fmt: skip
_SQL_SCHEMES = frozenset({"postgresql", "postgres", "mysql", "mssql", "oracle", "mariadb"})
_DATABRICKS_SCHEMES = frozenset({"databricks", "databricks-uc", "uc"})
_BARE_DATABRICKS = frozenset({"databricks", "databricks-uc", "uc"})


def scheme_of(value: StrValue) -> str | None:
    match = _SCHEME.match(value.prefix)
    if match is None or _WINDOWS_DRIVE.match(value.prefix):
        return None
    return match.group(1).lower()


def classify(value: StrValue) -> UriKind:
    """What kind of location a (possibly partial) string value names."""
    prefix = value.prefix
    if _WINDOWS_DRIVE.match(prefix):
        return UriKind.LOCAL_PATH
    scheme = scheme_of(value)
    if scheme is not None:
        base = scheme.split("+", 1)[0]
        if base == "runs":
            return UriKind.RUNS
        if base == "models":
            return UriKind.MODELS
        if base == "file":
            return UriKind.FILE
        if base == "sqlite":
            return UriKind.SQLITE
        if base in _SQL_SCHEMES:
            return UriKind.SQL_DATABASE
        if base == "http":
            return UriKind.HTTP
        if base == "https":
            return UriKind.HTTPS
        if base in _DATABRICKS_SCHEMES:
            return UriKind.DATABRICKS
        if base in OBJECT_STORE_SCHEMES:
            return UriKind.OBJECT_STORE
        if base == "mlflow-artifacts":
            return UriKind.MLFLOW_ARTIFACTS
        return UriKind.OTHER
    if value.local_path:
        return UriKind.LOCAL_PATH
    if prefix.startswith(("/", "./", "../", "~", "\\\\", ".\\", "..\\")):
        return UriKind.LOCAL_PATH
    if value.complete:
        text = value.text.strip()
        if not text or _PLACEHOLDER.search(text):
            return UriKind.UNKNOWN  # "{{modelUri}}", "<model-uri>", "${MODEL_URI}"
        if text.lower() in _BARE_DATABRICKS:
            return UriKind.DATABRICKS
        if text in (".", ".."):
            return UriKind.LOCAL_PATH
        # A complete string without a scheme is a relative filesystem path to MLflow.
        return UriKind.LOCAL_PATH if " " not in text else UriKind.UNKNOWN
    return UriKind.UNKNOWN


def is_path_like(value: StrValue) -> bool:
    """A local path that looks like one (``./model``, ``/opt/m``, ``dir/model``, a local
    path object), not a bare word such as ``"fake_model_uri"``. MLflow would read a bare
    word as a relative path, but in code it is far more often a placeholder."""
    if value.local_path:
        return True
    text = value.text if value.complete else value.prefix
    return text.startswith((".", "/", "~", "\\")) or bool(_WINDOWS_DRIVE.match(text)) or "/" in text or "\\" in text


@dataclass(frozen=True)
class ModelsUri:
    """``models:/<name>/<version|stage|latest>`` or ``models:/<name>@<alias>``.

    ``reference`` is the literal text after the name, or None when it is not known.
    """

    kind: str  # "version", "alias", "stage", "latest", "model-id", "unknown"
    reference: str | None


_STAGES = frozenset({"production", "staging", "archived", "none"})
_LOGGED_MODEL_ID = re.compile(r"^m-[0-9a-f]{32}$")


def parse_models_uri(value: StrValue) -> ModelsUri:
    """Read the version/alias/stage of a ``models:/`` URI from its known literal tail."""
    tail: list[str] = []
    for part in reversed(value.parts):
        if isinstance(part, Hole):
            break
        tail.insert(0, part)
    suffix = "".join(tail)
    full = value.text if value.complete else None
    body = full[len("models:") :].lstrip("/") if full is not None else None
    if body is not None and "/" not in body and "@" not in body:
        return ModelsUri("model-id" if _LOGGED_MODEL_ID.match(body) else "unknown", body)
    if "@" in suffix and "/" not in suffix.rpartition("@")[2]:
        return ModelsUri("alias", suffix.rpartition("@")[2] or None)
    if "/" in suffix:
        reference = suffix.rpartition("/")[2]
        if not reference:
            return ModelsUri("unknown", None)
        if reference.isdigit():
            return ModelsUri("version", reference)
        if reference.lower() in _STAGES:
            return ModelsUri("stage", reference)
        if reference.lower() == "latest":
            return ModelsUri("latest", reference)
    return ModelsUri("unknown", None)


def runs_uri_run_id(value: StrValue) -> Hole | str | None:
    """The run id segment of a ``runs:/<run_id>/path`` value: literal text or a hole."""
    rest: list = []
    seen_prefix = False
    for part in value.parts:
        if not seen_prefix:
            if isinstance(part, str) and part.lower().startswith("runs:"):
                remainder = part[len("runs:") :].lstrip("/")
                seen_prefix = True
                if remainder:
                    rest.append(remainder)
                continue
            return None
        rest.append(part)
    if not rest:
        return None
    first = rest[0]
    if isinstance(first, Hole):
        return first
    return first.split("/", 1)[0] or None
