"""The behavioural rules, one class each. A test proves this tuple and the catalog agree."""

from __future__ import annotations

from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.checks.committed_local_store import CommittedLocalStore
from mlflow_lint.checks.disabled_server_security import DisabledServerSecurity
from mlflow_lint.checks.deprecated_stage_api import DeprecatedStageApi
from mlflow_lint.checks.destructive_registry_call import DestructiveRegistryCall
from mlflow_lint.checks.hardcoded_artifact_location import HardcodedArtifactLocation
from mlflow_lint.checks.hardcoded_credentials import HardcodedCredentials
from mlflow_lint.checks.inconsistent_tracking_uris import InconsistentTrackingUris
from mlflow_lint.checks.insecure_tracking_transport import InsecureTrackingTransport
from mlflow_lint.checks.local_tracking_uri import LocalTrackingUri
from mlflow_lint.checks.missing_required_tags import MissingRequiredTags
from mlflow_lint.checks.mlflow3_migration import Mlflow3Migration
from mlflow_lint.checks.model_without_signature import ModelWithoutSignature
from mlflow_lint.checks.non_sql_backend_store import NonSqlBackendStore
from mlflow_lint.checks.prompt_not_loaded_by_alias import PromptNotLoadedByAlias
from mlflow_lint.checks.run_artifact_download import RunArtifactDownload
from mlflow_lint.checks.run_uri_model_load import RunUriModelLoad
from mlflow_lint.checks.run_without_input_dataset import RunWithoutInputDataset
from mlflow_lint.checks.secret_captured_in_trace import SecretCapturedInTrace
from mlflow_lint.checks.storage_path_model_load import StoragePathModelLoad
from mlflow_lint.checks.tag_value_may_be_none import TagValueMayBeNone
from mlflow_lint.checks.unauthenticated_server import UnauthenticatedServer
from mlflow_lint.checks.unguarded_promotion import UnguardedPromotion
from mlflow_lint.checks.version_pinned_model_load import VersionPinnedModelLoad

ALL_CHECKS: tuple[type[Check], ...] = (
    LocalTrackingUri,
    InconsistentTrackingUris,
    CommittedLocalStore,
    NonSqlBackendStore,
    HardcodedArtifactLocation,
    DeprecatedStageApi,
    UnguardedPromotion,
    DestructiveRegistryCall,
    MissingRequiredTags,
    TagValueMayBeNone,
    RunUriModelLoad,
    StoragePathModelLoad,
    VersionPinnedModelLoad,
    RunArtifactDownload,
    PromptNotLoadedByAlias,
    HardcodedCredentials,
    InsecureTrackingTransport,
    UnauthenticatedServer,
    DisabledServerSecurity,
    SecretCapturedInTrace,
    ModelWithoutSignature,
    RunWithoutInputDataset,
    Mlflow3Migration,
)

# Rules the engine itself reports, not a check class.
ENGINE_RULES = frozenset({"MLF000", "MLF001"})

__all__ = ["ALL_CHECKS", "ENGINE_RULES", "Check", "FileContext"]
