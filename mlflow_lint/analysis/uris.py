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
    PROMPTS = "prompts"
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
        if base == "prompts":
            return UriKind.PROMPTS
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


def models_uri_kind(value: StrValue) -> str | None:
    """What a registry URI addresses (``ModelsUri.kind``: "version", "stage", ...); None
    when the value is no ``models:/`` URI."""
    return parse_models_uri(value).kind if classify(value) is UriKind.MODELS else None


def parse_models_uri(value: StrValue) -> ModelsUri:
    """Read the version/alias/stage of a ``models:/`` URI from its known literal tail.

    A complete ``models:/<x>`` with one path segment and no ``@`` is a LoggedModel id
    whatever ``x`` looks like: MLflow 3 (3.0.0 to 3.18.0, ``_parse_model_uri`` in
    mlflow/store/artifact/utils/models.py) returns ``ParsedModelUri(model_id=x)`` for it
    and ``ModelsArtifactRepository`` then reads ``get_logged_model(x)``, never the
    registry; MLflow 2 rejected it as an improper URI.
    """
    tail: list[str] = []
    for part in reversed(value.parts):
        if isinstance(part, Hole):
            break
        tail.insert(0, part)
    suffix = "".join(tail)
    body = _models_uri_path(value.text) if value.complete else None
    if body is not None and "/" not in body and "@" not in body:
        return ModelsUri("model-id" if body.strip() else "unknown", body or None)
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


@dataclass(frozen=True)
class PromptsUri:
    """``prompts:/<name>/<version>`` or ``prompts:/<name>@<alias>``.

    ``kind`` is "version", "alias", "latest" (the reserved alias ``@latest``: the highest
    version) or "unknown" (not known statically, or a URI MLflow rejects). ``reference`` is
    the version or alias text; ``name`` the prompt's name when it is literal text.
    """

    kind: str
    reference: str | None
    name: str | None


PROMPTS_URI_PREFIX = "prompts:/"  # MLflow tests the exact text (prompt/registry_utils.py)
LATEST_ALIAS = "latest"


def parse_prompts_uri(value: StrValue) -> PromptsUri:
    """Read the version or alias of a ``prompts:/`` URI from its known text.

    MLflow 3.18.0 (``store/artifact/utils/models.py::_parse_model_uri`` with
    ``scheme="prompts"``) accepts ``<name>/<digits>`` and ``<name>@<alias>`` only: no stage,
    no ``/latest``; ``@latest`` (any case) is the reserved alias of the highest version."""
    if not value.prefix.startswith(PROMPTS_URI_PREFIX):
        return PromptsUri("unknown", None, None)
    known = value.prefix[len(PROMPTS_URI_PREFIX) :].lstrip("/")
    name = _prompt_name(known)
    tail: list[str] = []
    for part in reversed(value.parts):
        if isinstance(part, Hole):
            break
        tail.insert(0, part)
    suffix = "".join(tail) if not value.complete else known
    if "/" in suffix:
        head, _, reference = suffix.rpartition("/")
        if reference.isdigit() and (not value.complete or ("/" not in head and "@" not in head and head)):
            return PromptsUri("version", reference, name)
        return PromptsUri("unknown", None, name)
    if "@" in suffix:
        head, _, alias = suffix.rpartition("@")
        if not alias.strip() or (value.complete and not head):
            return PromptsUri("unknown", None, name)
        return PromptsUri("latest" if alias.lower() == LATEST_ALIAS else "alias", alias, name)
    return PromptsUri("unknown", None, name)


def _prompt_name(known: str) -> str | None:
    """The name in the literal start of a URI body (``qa`` in ``qa/3``, ``qa@{alias}``):
    known only when a separator follows it in the same literal text."""
    for index, character in enumerate(known):
        if character in "/@":
            return known[:index] or None
    return None


def _models_uri_path(text: str) -> str | None:
    """The path of a ``models:`` URI without its leading slash, as ``urllib.parse`` splits
    it for MLflow: ``models://<profile>@databricks/name/1`` has a netloc before the path."""
    if not text.lower().startswith("models:"):
        return None
    rest = text[len("models:") :]
    if rest.startswith("//"):
        netloc_end = rest.find("/", 2)
        rest = rest[netloc_end:] if netloc_end != -1 else ""
    return rest.lstrip("/") if rest.startswith("/") else None


def is_logged_model_id(text: str) -> bool:
    """Whether ``text`` has the shape of the ids MLflow's stores give LoggedModels:
    ``m-`` and 32 hex digits (``f"m-{uuid.uuid4().hex}"`` spelled out in MLflow 3.18.0's
    mlflow/store/tracking/sqlalchemy_store.py and file_store.py ``create_logged_model``)."""
    return bool(_LOGGED_MODEL_ID.match(text))


def logged_model_id(value: StrValue) -> str | Hole | None:
    """The LoggedModel id a ``models:/<model_id>`` value names: its literal text, or the
    hole that holds the whole id (``f"models:/{model_id}"``, ``"models:/" + model_id``).
    None for registry URIs (``models:/name/1``, ``models:/name@alias``) and for values
    whose shape is not known (``f"models:/{name}/{version}"``, ``f"models:/{ref}"`` where
    ``ref`` is a literal-free hole followed by more text)."""
    if value.complete:
        parsed = parse_models_uri(value)
        return parsed.reference if parsed.kind == "model-id" else None
    if len(value.parts) != 2:
        return None
    head, hole = value.parts
    if not isinstance(head, str) or not isinstance(hole, Hole):
        return None
    path = _models_uri_path(head)
    return hole if path == "" else None


def runs_uri_run_id(value: StrValue) -> Hole | str | None:
    """The run id segment of a ``runs:/<run_id>/path`` value: literal text or a hole."""
    rest: list[str | Hole] = []
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
