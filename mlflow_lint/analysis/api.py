"""What mlflow-lint knows about MLflow's public API surface.

Checks never match raw names: the semantic model resolves an expression to a qualified
name through the file's imports, and :func:`canonical` folds MLflow's re-exports onto one
spelling (``mlflow.tracking.client.MlflowClient`` -> ``mlflow.MlflowClient``), so a check
asks one question ("is this ``mlflow.pyfunc.load_model``?") whatever the import style.
"""

from __future__ import annotations

MLFLOW_CLIENT = "mlflow.MlflowClient"
DEPLOYMENT_CLIENT = "mlflow.deployments.DeploymentClient"

# Flavor modules that expose ``load_model`` (mlflow/__init__.py lazy loaders and the
# long-standing flavors). ``mlflow.<flavor>.load_model`` consumes a model URI.
FLAVORS: frozenset[str] = frozenset(
    {
        "anthropic", "autogen", "bedrock", "catboost", "crewai", "diviner", "dspy",
        "fastai", "gemini", "gluon", "groq", "h2o", "johnsnowlabs", "keras", "langchain",
        "lightgbm", "litellm", "llama_index", "mistral", "mleap", "onnx", "openai",
        "paddle", "pmdarima", "promptflow", "prophet", "pyfunc", "pyspark.ml", "pytorch",
        "sentence_transformers", "shap", "sklearn", "spacy", "spark", "statsmodels",
        "tensorflow", "transformers", "txtai", "xgboost",
    }
)  # fmt: skip

# Modules whose names MLflow re-exports at the top level (``mlflow.<name>``).
_TOP_LEVEL_REEXPORTERS = (
    "mlflow.tracking.fluent",
    "mlflow.tracking._model_registry.fluent",
    "mlflow.config",
    "mlflow.client",
    "mlflow.tracking.client",
    "mlflow.tracking._tracking_service.utils",
    "mlflow.tracking._model_registry.utils",
)

# Names ``mlflow.tracking`` re-exports from its submodules.
_TRACKING_PACKAGE_NAMES = frozenset(
    {
        "MlflowClient",
        "get_tracking_uri",
        "set_tracking_uri",
        "is_tracking_uri_set",
        "get_registry_uri",
        "set_registry_uri",
    }
)

_EXPLICIT_ALIASES: dict[str, str] = {
    "mlflow.models.evaluate": "mlflow.evaluate",
    "mlflow.models.evaluation.evaluate": "mlflow.evaluate",
    "mlflow.models.evaluation.base.evaluate": "mlflow.evaluate",
    "mlflow.models.model.Model": "mlflow.models.Model",
    "mlflow.deployments.base.BaseDeploymentClient": DEPLOYMENT_CLIENT,
    "mlflow.deployments.BaseDeploymentClient": DEPLOYMENT_CLIENT,
    "mlflow.deployments.interface.get_deploy_client": "mlflow.deployments.get_deploy_client",
    "mlflow.sagemaker.SageMakerDeploymentClient": DEPLOYMENT_CLIENT,
    "mlflow.artifacts.download_artifacts": "mlflow.artifacts.download_artifacts",
    "mlflow.pyfunc.load_pyfunc": "mlflow.pyfunc.load_model",
    "mlflow.models.build_docker": "mlflow.models.build_docker",
}


def is_mlflow(name: str) -> bool:
    """Whether a qualified name is MLflow's own (``mlflow``, ``mlflow.x``). A project
    package that merely starts with the word (``mlflow_utils``, ``mlflow_for_ml_dev``) is
    not: its imports are resolved like any other project module's."""
    return name == "mlflow" or name.startswith("mlflow.")


def canonical(qualified_name: str) -> str:
    """Fold MLflow re-exports onto the public spelling; other names pass through."""
    if not is_mlflow(qualified_name):
        return qualified_name
    explicit = _EXPLICIT_ALIASES.get(qualified_name)
    if explicit is not None:
        return explicit
    for module in _TOP_LEVEL_REEXPORTERS:
        if qualified_name.startswith(module + "."):
            rest = qualified_name[len(module) + 1 :]
            return "mlflow." + rest
    if qualified_name.startswith("mlflow.tracking."):
        head, _, rest = qualified_name[len("mlflow.tracking.") :].partition(".")
        if head in _TRACKING_PACKAGE_NAMES:
            return "mlflow." + head + ("." + rest if rest else "")
    return qualified_name


# Calls that produce an instance of a known MLflow class: callee -> class.
INSTANCE_FACTORIES: dict[str, str] = {
    MLFLOW_CLIENT: MLFLOW_CLIENT,
    "mlflow.deployments.get_deploy_client": DEPLOYMENT_CLIENT,
    DEPLOYMENT_CLIENT: DEPLOYMENT_CLIENT,
}

# Methods no other widely used class defines: a call of one is taken for MLflow's on a
# receiver whose type cannot be known (a parameter, a fixture, a wrapper's attribute).
CLIENT_ONLY_METHODS = frozenset(
    {
        "transition_model_version_stage",
        "get_latest_versions",
        "set_registered_model_alias",
        "delete_registered_model_alias",
        "get_model_version_by_alias",
        "delete_registered_model",
        "delete_model_version",
        "create_model_version",
        "create_registered_model",
        "rename_registered_model",
        "set_model_version_tag",
        "set_registered_model_tag",
        "get_model_version_download_uri",
        "set_prompt_alias",
    }
)

# Classes an annotation may name (``client: MlflowClient``).
KNOWN_CLASSES = frozenset({MLFLOW_CLIENT, DEPLOYMENT_CLIENT})


def flavor_of_load_model(name: str) -> str | None:
    """``mlflow.sklearn.load_model`` -> ``sklearn``; None for anything else."""
    if not name.startswith("mlflow.") or not name.endswith(".load_model"):
        return None
    flavor = name[len("mlflow.") : -len(".load_model")]
    return flavor if flavor in FLAVORS else None


def flavor_of_log_model(name: str) -> str | None:
    """``mlflow.sklearn.log_model`` -> ``sklearn``; None for anything else."""
    if not name.startswith("mlflow.") or not name.endswith(".log_model"):
        return None
    flavor = name[len("mlflow.") : -len(".log_model")]
    return flavor if flavor in FLAVORS else None
