"""The behavioural rules, one class each. A test proves this tuple and the catalog agree."""

from __future__ import annotations

from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.checks.local_tracking_uri import LocalTrackingUri
from mlflow_lint.checks.non_sql_backend_store import NonSqlBackendStore
from mlflow_lint.checks.run_uri_model_load import RunUriModelLoad
from mlflow_lint.checks.storage_path_model_load import StoragePathModelLoad
from mlflow_lint.checks.version_pinned_model_load import VersionPinnedModelLoad

ALL_CHECKS: tuple[type[Check], ...] = (
    LocalTrackingUri,
    NonSqlBackendStore,
    RunUriModelLoad,
    StoragePathModelLoad,
    VersionPinnedModelLoad,
)

# Rules the engine itself reports, not a check class.
ENGINE_RULES = frozenset({"MLF000"})

__all__ = ["ALL_CHECKS", "ENGINE_RULES", "Check", "FileContext"]
