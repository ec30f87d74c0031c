"""What mlflow-lint knows about MLflow's public API surface.

Checks never match raw names: the semantic model resolves an expression to a qualified
name through the file's imports, and :func:`canonical` folds MLflow's re-exports onto one
spelling (``mlflow.tracking.client.MlflowClient`` -> ``mlflow.MlflowClient``), so a check
asks one question ("is this ``mlflow.pyfunc.load_model``?") whatever the import style.
"""

from __future__ import annotations

import ast
import functools
import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MLFLOW_CLIENT = "mlflow.MlflowClient"
# The calls that register a model version (from a run's model, a path or a LoggedModel).
REGISTER_MODEL = frozenset({"mlflow.register_model", f"{MLFLOW_CLIENT}.create_model_version"})
DEPLOYMENT_CLIENT = "mlflow.deployments.DeploymentClient"

# The MLflow API table, generated from a pinned MLflow release by
# scripts/update_mlflow_api.py (signatures, flavors, deprecations and removals).
_TABLE_PATH = Path(__file__).with_name("mlflow_api.json")


@dataclass(frozen=True)
class Parameter:
    name: str
    kind: str  # "positional" (also by keyword), "positional-only", "keyword", "*", "**"
    has_default: bool


@dataclass(frozen=True)
class Signature:
    parameters: tuple[Parameter, ...]

    @classmethod
    def parse(cls, text: str) -> Signature:
        """``a, b=, /, *args, c=, **kw`` as the generator writes it."""
        parameters: list[Parameter] = []
        kind = "positional"
        for part in (p.strip() for p in text.split(",") if p.strip()):
            if part == "/":
                parameters = [Parameter(p.name, "positional-only", p.has_default) for p in parameters]
            elif part == "*":
                kind = "keyword"
            elif part.startswith("**"):
                parameters.append(Parameter(part[2:], "**", False))
            elif part.startswith("*"):
                parameters.append(Parameter(part[1:], "*", False))
                kind = "keyword"
            else:
                parameters.append(Parameter(part.rstrip("="), kind, part.endswith("=")))
        return cls(tuple(parameters))

    def position(self, name: str) -> int | None:
        """The index a positional argument must have to fill ``name``; None if it cannot."""
        for index, parameter in enumerate(self.parameters):
            if parameter.kind not in ("positional", "positional-only"):
                return None
            if parameter.name == name:
                return index
        return None

    def accepts_keyword(self, name: str) -> bool:
        return any(
            p.kind == "**" or (p.name == name and p.kind in ("positional", "keyword")) for p in self.parameters
        )

    def names(self) -> tuple[str, ...]:
        return tuple(p.name for p in self.parameters if p.kind not in ("*", "**"))


@dataclass(frozen=True)
class Deprecation:
    """A deprecated or removed MLflow callable, module or keyword (one table row)."""

    name: str  # "mlflow.evaluate", "mlflow.fastai" (a module), "mlflow.sklearn.log_model"
    keyword: str | None  # the deprecated/removed parameter, or None for the name itself
    # "function", "module", "keyword", or "renamed-keyword": an old keyword MLflow's
    # @deprecated_parameter still takes by name (a positional argument is not the old name).
    kind: str
    deprecated_since: str | None
    removed_in: str | None
    replacement: str | None  # a callable, a keyword, or prose
    reference: str | None
    fix: str | None  # "rename-callee", "rename-keyword" or None
    why: str | None


@dataclass(frozen=True)
class ApiTable:
    mlflow_version: str
    signatures: dict[str, str]
    flavors: dict[str, tuple[str, ...]]
    deprecations: tuple[Deprecation, ...]
    # What calls mean for governance (scripts/mlflow_roles.yaml, checked against the source):
    # "consumes-model" callee -> its model URI parameters (the model the call is about
    # first: evaluate's model, then baseline_model); "reads-artifacts" callee -> {uri,
    # run_id, path} parameters; "moves-alias" callee -> "model" | "prompt";
    # "copies-into-model" callee -> destination parameter; "deletes" and
    # "client-only-methods" lists.
    roles: dict[str, Any]


@functools.cache
def table() -> ApiTable:
    data = json.loads(_TABLE_PATH.read_text(encoding="utf-8"))
    return ApiTable(
        mlflow_version=data["mlflow_version"],
        signatures={name: entry.get("signature", "") for name, entry in data["functions"].items()},
        flavors={name: tuple(functions) for name, functions in data["flavors"].items()},
        deprecations=tuple(Deprecation(**row) for row in data.get("deprecations", ())),
        roles={key: _public_spelling(value) for key, value in data.get("roles", {}).items()},
    )


def _public_spelling(value: Any) -> Any:
    """The table names deployment clients by their base class; the semantic model by the
    spelling users write (``get_deploy_client(...)`` returns a ``DeploymentClient``)."""
    base = "mlflow.deployments.BaseDeploymentClient."
    if isinstance(value, dict):
        return {(DEPLOYMENT_CLIENT + "." + k[len(base) :] if k.startswith(base) else k): v for k, v in value.items()}
    return value


def role(name: str) -> Any:
    """One role table of the API model (see :class:`ApiTable`)."""
    return table().roles.get(name, {} if name not in ("deletes", "client-only-methods") else [])


@functools.lru_cache(maxsize=1024)
def signature(callee: str) -> Signature | None:
    """The signature of a canonical MLflow callee (``mlflow.sklearn.log_model``,
    ``mlflow.MlflowClient.set_registered_model_alias``), or None if the table lacks it."""
    if callee.startswith(DEPLOYMENT_CLIENT + "."):
        callee = "mlflow.deployments.BaseDeploymentClient." + callee[len(DEPLOYMENT_CLIENT) + 1 :]
    text = table().signatures.get(callee)
    return Signature.parse(text) if text is not None else None


def argument_of(call: ast.Call, callee: str, parameter: str) -> ast.expr | None:
    """The expression ``call`` passes for ``parameter`` of ``callee``, positionally or by
    keyword, read from MLflow's signature; None when not passed or not knowable."""
    for keyword in call.keywords:
        if keyword.arg == parameter:
            return keyword.value
    found = signature(callee)
    position = found.position(parameter) if found is not None else None
    if position is None or any(isinstance(a, ast.Starred) for a in call.args[: position + 1]):
        return None
    return call.args[position] if position < len(call.args) else None


def placed(callee: str, parameter: str) -> tuple[int | None, str]:
    """``(position, keyword)`` of ``parameter`` in MLflow's signature of ``callee``, the
    position None when it can only be passed by keyword. A parameter MLflow has removed
    (a removal row names it: ``evaluate(baseline_model=)``, which code written for 2.x
    still passes) has no position in the pinned signature and is read by keyword. A table
    that lacks it otherwise is a bug (tests/test_mlflow_api.py loads every table built
    this way), not an unknown."""
    found = signature(callee)
    if found is not None and parameter in found.names():
        return found.position(parameter), parameter
    if any(row.name == callee and row.keyword == parameter and row.removed_in for row in table().deprecations):
        return None, parameter
    raise LookupError(f"the MLflow API table has no {callee}({parameter}=)")


def accepts_same_call(old: str, new: str, positional: int, keywords: Iterable[str]) -> bool:
    """Whether ``new`` binds a call of ``old`` (``positional`` arguments, then ``keywords``)
    to the same parameters: the condition for renaming the callee safely."""
    before, after = signature(old), signature(new)
    if before is None or after is None:
        return False
    if before.names()[:positional] != after.names()[:positional] or len(after.names()) < positional:
        return False
    return all(after.accepts_keyword(keyword) for keyword in keywords)


def _removed_flavors() -> frozenset[str]:
    """Flavor modules MLflow has removed: old code still loads models through them."""
    return frozenset(
        row.name[len("mlflow.") :] for row in table().deprecations if row.kind == "module" and row.removed_in is not None
    )


@functools.cache
def _flavors_providing(function: str) -> frozenset[str]:
    current = {name for name, functions in table().flavors.items() if function in functions}
    return frozenset(current | _removed_flavors())


def flavor_calls(function: str) -> frozenset[str]:
    """``mlflow.<flavor>.<function>`` for every flavor module that has ``function``
    (``log_model``), removed flavors included."""
    return frozenset(f"mlflow.{flavor}.{function}" for flavor in _flavors_providing(function))


def flavors() -> frozenset[str]:
    """Flavor modules that load models (``sklearn``, ``pyfunc``, ``pyspark.ml``...)."""
    return _flavors_providing("load_model")


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

# What ``mlflow.genai`` re-exports from its subpackages (MLflow 3.18.0,
# mlflow/genai/__init__.py), documented as ``mlflow.genai.<name>``: MLflow's own examples
# import ``from mlflow.genai.datasets import delete_dataset``, the same function.
_GENAI_REEXPORTS: dict[str, frozenset[str]] = {
    "mlflow.genai.datasets": frozenset(
        {"create_dataset", "delete_dataset", "delete_dataset_tag", "get_dataset", "search_datasets", "set_dataset_tags"}
    ),
    "mlflow.genai.evaluation": frozenset({"evaluate", "to_predict_fn"}),
    "mlflow.genai.labeling": frozenset(
        {
            "create_labeling_session",
            "delete_labeling_session",
            "get_labeling_session",
            "get_labeling_sessions",
            "get_review_app",
        }
    ),
    "mlflow.genai.optimize": frozenset({"optimize_prompt", "optimize_prompts"}),
}

_EXPLICIT_ALIASES: dict[str, str] = {
    # MLflow 3 keeps ``mlflow.models.evaluate`` and deprecates the top-level wrapper
    # (mlflow/models/evaluation/deprecated.py): two callees, one behaviour.
    "mlflow.models.evaluation.evaluate": "mlflow.models.evaluate",
    "mlflow.models.evaluation.base.evaluate": "mlflow.models.evaluate",
    "mlflow.models.evaluation.deprecated.evaluate": "mlflow.evaluate",
    "mlflow.models.model.Model": "mlflow.models.Model",
    "mlflow.deployments.base.BaseDeploymentClient": DEPLOYMENT_CLIENT,
    "mlflow.deployments.BaseDeploymentClient": DEPLOYMENT_CLIENT,
    "mlflow.deployments.interface.get_deploy_client": "mlflow.deployments.get_deploy_client",
    "mlflow.sagemaker.SageMakerDeploymentClient": DEPLOYMENT_CLIENT,
    "mlflow.artifacts.download_artifacts": "mlflow.artifacts.download_artifacts",
    "mlflow.pyfunc.load_pyfunc": "mlflow.pyfunc.load_model",
    "mlflow.models.build_docker": "mlflow.models.build_docker",
    # ``mlflow.tracing`` re-exported it (2.20.0 to 3.1.x) from its defining module, which
    # integrations and users import it from too; 3.2.0 removed it (no table entry to fold by).
    "mlflow.tracing.utils.set_span_chat_messages": "mlflow.tracing.set_span_chat_messages",
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
    if qualified_name.startswith("mlflow.genai.prompts."):
        # The prompt registry's defining module; MLflow documents mlflow.genai.<name>.
        return "mlflow.genai." + qualified_name[len("mlflow.genai.prompts.") :]
    module, _, name = qualified_name.rpartition(".")
    if name in _GENAI_REEXPORTS.get(module, ()):
        return "mlflow.genai." + name
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
CLIENT_ONLY_METHODS: frozenset[str] = frozenset(role("client-only-methods"))

# Classes an annotation may name (``client: MlflowClient``).
KNOWN_CLASSES = frozenset({MLFLOW_CLIENT, DEPLOYMENT_CLIENT})


def flavor_of_load_model(name: str) -> str | None:
    """``mlflow.sklearn.load_model`` -> ``sklearn``; None for anything else."""
    if not name.startswith("mlflow.") or not name.endswith(".load_model"):
        return None
    flavor = name[len("mlflow.") : -len(".load_model")]
    return flavor if flavor in _flavors_providing("load_model") else None


def flavor_of_log_model(name: str) -> str | None:
    """``mlflow.sklearn.log_model`` -> ``sklearn``; None for anything else."""
    if not name.startswith("mlflow.") or not name.endswith(".log_model"):
        return None
    flavor = name[len("mlflow.") : -len(".log_model")]
    return flavor if flavor in _flavors_providing("log_model") else None
