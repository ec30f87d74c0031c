"""MLflow-specific facts about calls, shared by several rules.

- where a tracking or registry URI is set (``set_tracking_uri``, ``MlflowClient(...)``,
  ``os.environ["MLFLOW_TRACKING_URI"] = ...``);
- which calls consume a model or artifact, and which argument holds its URI or run id;
- which calls delete registry or tracking objects;
- whether a run id is the one the same code just created (``run.info.run_id`` of an
  enclosing ``start_run``, ``mlflow.active_run()``, the result of ``log_model``), and
  whether a LoggedModel id is one it just logged or one it found elsewhere.
"""

from __future__ import annotations

import ast
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass

from mlflow_lint.analysis import api
from mlflow_lint.analysis.calls import argument, call_names_of, terminal_name
from mlflow_lint.analysis.integrations import INTEGRATION_TRACKING_URI_KEYWORD, INTEGRATION_TRACKING_URIS
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.semantic import SemanticModel, _own_returns
from mlflow_lint.analysis.values import Hole, StrValue

TRACKING_URI_VARIABLE = "MLFLOW_TRACKING_URI"
REGISTRY_URI_VARIABLE = "MLFLOW_REGISTRY_URI"
_URI_VARIABLES = {TRACKING_URI_VARIABLE: "tracking", REGISTRY_URI_VARIABLE: "registry"}


@dataclass(frozen=True)
class UriSink:
    """An expression that becomes MLflow's tracking or registry URI."""

    api: str  # how the user set it, for messages
    role: str  # "tracking" or "registry"
    value: ast.expr


# Every call ``uri_sinks`` understands (a check's ``calls``), and their terminal names;
# other libraries' MLflow integrations that take the tracking URI: analysis.integrations.
URI_SINK_CALLS = frozenset(
    {
        "mlflow.set_tracking_uri", "mlflow.set_registry_uri", api.MLFLOW_CLIENT,
        "os.environ.setdefault", "os.putenv", "os.environ.update", *INTEGRATION_TRACKING_URIS,
    }
)  # fmt: skip
SINK_CALL_NAMES = call_names_of(URI_SINK_CALLS)


def display_api(name: str) -> str:
    """``mlflow.MlflowClient.download_artifacts`` -> ``MlflowClient.download_artifacts``."""
    for prefix in ("mlflow.MlflowClient", "mlflow.deployments.DeploymentClient"):
        if name.startswith(prefix):
            return name[len("mlflow.") :].replace("deployments.DeploymentClient", "DeploymentClient")
    return name


@dataclass(frozen=True)
class EnvAssignment:
    """``os.environ["NAME"] = value`` and its equivalents."""

    variable: str
    value: ast.expr
    api: str


def env_assignments(module: AnalysedModule, node: ast.AST) -> list[EnvAssignment]:
    """Environment variables ``node`` sets: subscript assignment, setdefault, update, putenv."""
    found: list[EnvAssignment] = []
    if isinstance(node, ast.Assign):
        for target in node.targets:
            if isinstance(target, ast.Subscript) and module.model.qualified_name(target.value) == "os.environ":
                name = _variable_name(module, target.slice)
                if name is not None:
                    found.append(EnvAssignment(name, node.value, f"os.environ[{name!r}]"))
        return found
    if not isinstance(node, ast.Call):
        return found
    callee = module.model.callee(node)
    if callee in ("os.environ.setdefault", "os.putenv"):
        key, value = argument(node, 0, None), argument(node, 1, None)
        name = _variable_name(module, key)
        if name is not None and value is not None:
            found.append(EnvAssignment(name, value, f"{callee}({name!r}, ...)"))
    elif callee == "os.environ.update":
        mapping = node.args[0] if node.args else None
        if isinstance(mapping, ast.Dict):
            for key, value in zip(mapping.keys, mapping.values, strict=True):
                name = _variable_name(module, key)
                if name is not None:
                    found.append(EnvAssignment(name, value, f"os.environ.update({{{name!r}: ...}})"))
        for keyword in node.keywords:
            if keyword.arg is not None:
                found.append(EnvAssignment(keyword.arg, keyword.value, f"os.environ.update({keyword.arg}=...)"))
    return found


# Reads of an environment variable with a fallback (``os.environ.setdefault`` sets one).
ENV_READERS = frozenset({"os.environ.get", "os.getenv"})


def env_read_default(module: AnalysedModule, node: ast.Call) -> EnvAssignment | None:
    """``os.getenv("NAME", default)`` / ``os.environ.get("NAME", default)``: the value the
    variable is taken to hold when it is unset, as the assignment it stands for."""
    callee = module.model.callee(node)
    if callee not in ENV_READERS:
        return None
    name = _variable_name(module, argument(node, 0, "key"))
    default = argument(node, 1, "default")
    if name is None or default is None:
        return None
    return EnvAssignment(name, default, f"the default of {callee}({name!r})")


def _variable_name(module: AnalysedModule, key: ast.expr | None) -> str | None:
    if key is None:
        return None
    values = module.values.evaluate(key)
    if len(values) == 1 and values[0].complete:
        return values[0].text
    return None


_URI_SINKS: MemoKey[dict[ast.AST, list[UriSink]]] = MemoKey("uri_sinks")
_LOGGED_MODEL_NAMES: MemoKey[frozenset[str]] = MemoKey("logged_model_names")


def uri_sinks(module: AnalysedModule, node: ast.AST) -> list[UriSink]:
    """Tracking/registry URIs set by ``node`` (an ``ast.Call`` or ``ast.Assign``); computed
    once per node (several checks and the project facts ask)."""
    known = module.memo_table(_URI_SINKS)
    found = known.get(node)
    if found is None:
        found = known[node] = _uri_sinks(module, node)
    return found


def _uri_sinks(module: AnalysedModule, node: ast.AST) -> list[UriSink]:
    sinks = [
        UriSink(assignment.api, _URI_VARIABLES[assignment.variable], assignment.value)
        for assignment in env_assignments(module, node)
        if assignment.variable in _URI_VARIABLES
    ]
    if not isinstance(node, ast.Call):
        return sinks
    callee = module.model.callee(node)
    if callee in ("mlflow.set_tracking_uri", "mlflow.set_registry_uri"):
        value = api.argument_of(node, callee, "uri")
        if value is not None:
            sinks.append(UriSink(callee, "tracking" if callee == "mlflow.set_tracking_uri" else "registry", value))
    elif callee == api.MLFLOW_CLIENT:
        tracking = api.argument_of(node, callee, "tracking_uri")
        registry = api.argument_of(node, callee, "registry_uri")
        if tracking is not None:
            sinks.append(UriSink("MlflowClient(tracking_uri=...)", "tracking", tracking))
        if registry is not None:
            sinks.append(UriSink("MlflowClient(registry_uri=...)", "registry", registry))
    elif callee in INTEGRATION_TRACKING_URIS:
        tracking = argument(node, INTEGRATION_TRACKING_URIS[callee], INTEGRATION_TRACKING_URI_KEYWORD)
        if tracking is not None:
            sinks.append(UriSink(f"{callee.rsplit('.', 1)[1]}(tracking_uri=...)", "tracking", tracking))
    return sinks


# Calls that name where artifacts are stored: callee -> (position, keyword, role). Role
# "location" is an experiment's artifact root (any storage value or local path hard-codes
# it); "destination" is a path inside the run's artifact root (only a URI or an absolute
# path is wrong there). Read by MLF301 and by the audit's evidence.
def _placed(callee: str, parameter: str) -> int | None:
    return api.placed(callee, parameter)[0]


def _artifact_argument(callee: str, parameter: str, role: str) -> tuple[int | None, str, str]:
    return (_placed(callee, parameter), parameter, role)


ARTIFACT_ARGUMENTS: dict[str, tuple[int | None, str, str]] = {
    name: _artifact_argument(name, parameter, role)
    for name, parameter, role in (
        ("mlflow.create_experiment", "artifact_location", "location"),
        (f"{api.MLFLOW_CLIENT}.create_experiment", "artifact_location", "location"),
        ("mlflow.log_artifact", "artifact_path", "destination"),
        ("mlflow.log_artifacts", "artifact_path", "destination"),
        (f"{api.MLFLOW_CLIENT}.log_artifact", "artifact_path", "destination"),
        (f"{api.MLFLOW_CLIENT}.log_artifacts", "artifact_path", "destination"),
    )
}


# Calls that delete registry and tracking objects, from the API model's roles
# (scripts/mlflow_roles.yaml): model versions, registered models, runs, experiments,
# LoggedModels, prompts and prompt versions, traces and evaluation datasets.
# ``mlflow.delete_prompt(name, version)`` is there though MLflow 3.18.0 removed it (MLF901's
# concern): code written for 2.22.5 or 3.0.0 still deletes with it. Read by MLF403 and the
# audit's evidence.
DESTRUCTIVE_CALLS = frozenset(api.role("deletes"))


Argument = tuple[int | None, str]  # where a parameter is passed: its position (None: by keyword only), its keyword


@dataclass(frozen=True)
class Consumer:
    """A call that consumes a model or artifact: where its URIs and run id are passed."""

    # The URI parameters, the model the call is about first (``evaluate(model=...)``), then
    # any other model it consumes (``baseline_model=...``); empty for a download by run id only.
    uris: tuple[Argument, ...]
    run_id_position: int | None = None
    run_id_keyword: str | None = None
    loads_model: bool = True  # False for artifact downloads (MLF602/603 only apply to models)
    path_position: int | None = None  # the artifact path inside the run (downloads by run id)
    path_keyword: str | None = None


def _consumer(
    callee: str, uris: tuple[str, ...], run_id: str | None = None, path: str | None = None, loads_model: bool = True
) -> Consumer:
    """A consumer whose argument positions are read from MLflow's signature of ``callee``."""
    return Consumer(
        tuple(api.placed(callee, uri) for uri in uris),
        _placed(callee, run_id) if run_id else None, run_id,
        loads_model,
        _placed(callee, path) if path else None, path,
    )  # fmt: skip


# Model consumers and artifact readers, from the API model's roles (scripts/mlflow_roles.yaml:
# what serves, scores or evaluates the model at a URI; registering a run's model is not
# consuming it).
_CONSUMERS: dict[str, Consumer] = {
    **{name: _consumer(name, tuple(parameters)) for name, parameters in api.role("consumes-model").items()},
    **{
        name: _consumer(name, (places["uri"],) if "uri" in places else (), places.get("run_id"), places.get("path"), loads_model=False)
        for name, places in api.role("reads-artifacts").items()
    },
}
_FLAVOR_LOAD = _consumer("mlflow.pyfunc.load_model", ("model_uri",))
# Every consumer call (a check's ``calls``): ``pyfunc.load_pyfunc`` is an old load_model.
CONSUMER_CALLS = frozenset(_CONSUMERS) | api.flavor_calls("load_model") | {"mlflow.pyfunc.load_pyfunc"}


def consumer(callee: str) -> Consumer | None:
    """How ``callee`` consumes a model or artifact, or None if it does not."""
    found = _CONSUMERS.get(callee)
    if found is not None:
        return found
    if api.flavor_of_load_model(callee) is not None:
        return _FLAVOR_LOAD
    return None


@dataclass(frozen=True)
class ConsumedUri:
    """A URI a consumer call loads (MLF401, MLF602 and MLF603 read it)."""

    api: str  # the call, for messages
    consumer: Consumer
    expr: ast.expr  # the argument holding the URI
    values: tuple[StrValue, ...]


def uri_arguments(call: ast.Call, found: Consumer) -> list[tuple[str, ast.expr]]:
    """``(parameter, argument)`` for each of the consumer's URI parameters ``call`` passes,
    in the parameters' order."""
    passed = ((keyword, argument(call, position, keyword)) for position, keyword in found.uris)
    return [(keyword, expr) for keyword, expr in passed if expr is not None]


def consumed_uris(module: AnalysedModule, call: ast.Call) -> list[ConsumedUri]:
    """The model/artifact URIs a consumer call loads, evaluated, one per URI argument (the
    model it is about first); empty for other calls."""
    callee = module.model.callee(call)
    found = consumer(callee) if callee is not None else None
    if callee is None or found is None:
        return []
    return [ConsumedUri(display_api(callee), found, expr, module.values.evaluate(expr)) for _, expr in uri_arguments(call, found)]


# -- a registry model downloaded to a local directory ------------------------------------------
_REGISTRY_DOWNLOAD = "mlflow.artifacts.download_artifacts"


def registry_download_destination(module: AnalysedModule, expr: ast.expr) -> bool:
    """Whether the local path ``expr`` is where an earlier call of the same function (or
    top-level code) downloaded a registered model: ``download_artifacts(artifact_uri=
    "models:/churn@champion", dst_path=CACHE)`` then ``load_model(CACHE)``, a local cache
    of what the registry served. The same name (bound the same way) or the same complete
    path counts, or a path inside that directory."""
    from mlflow_lint.analysis.uris import UriKind, classify  # (uris imports values, not us)

    model = module.model
    scope = model.enclosing_function(expr)
    loaded = module.values.evaluate(expr)
    for call in model.calls_named(frozenset({"download_artifacts"})):
        if model.enclosing_function(call) is not scope or (call.lineno, call.col_offset) >= (expr.lineno, expr.col_offset):
            continue
        if model.callee(call) != _REGISTRY_DOWNLOAD:
            continue
        source = api.argument_of(call, _REGISTRY_DOWNLOAD, "artifact_uri")
        destination = api.argument_of(call, _REGISTRY_DOWNLOAD, "dst_path")
        if source is None or destination is None:
            continue
        sources = module.values.evaluate(source)
        if not sources or not all(classify(value) is UriKind.MODELS for value in sources):
            continue
        if _same_place(model, expr, destination) or _inside(loaded, module.values.evaluate(destination)):
            return True
    return False


def _same_place(model: SemanticModel, loaded: ast.expr, destination: ast.expr) -> bool:
    """The same variable, read where the same assignment reaches both."""
    if not (isinstance(loaded, ast.Name) and isinstance(destination, ast.Name) and loaded.id == destination.id):
        return False
    return model.bindings_reaching(loaded.id, loaded) == model.bindings_reaching(destination.id, destination)


def _inside(loaded: tuple[StrValue, ...], destinations: tuple[StrValue, ...]) -> bool:
    """Every complete path loaded is one of the complete destinations, or lies in one."""
    roots = [posixpath.normpath(value.text) for value in destinations if value.complete and value.text]
    paths = [posixpath.normpath(value.text) for value in loaded if value.complete and value.text]
    return bool(roots) and bool(paths) and len(paths) == len(loaded) and all(
        any(path == root or path.startswith(root.rstrip("/") + "/") for root in roots) for path in paths
    )


# -- "the run this code just created" ---------------------------------------------------------
_RUN_FACTORIES = frozenset(
    {"mlflow.start_run", "mlflow.active_run", "mlflow.last_active_run", f"{api.MLFLOW_CLIENT}.create_run"}
)
_RUN_GETTERS = frozenset({"mlflow.get_run", f"{api.MLFLOW_CLIENT}.get_run"})
_MAX_DEPTH = 8


def is_current_run_id(module: AnalysedModule, expr: ast.AST, depth: int = 0) -> bool:
    """``expr`` is the id of a run the same code created or is running.

    ``run.info.run_id`` where ``run`` comes from ``start_run``/``active_run``/``create_run``
    (also re-read with ``get_run``), the same through a local variable or a same-module
    helper that returns it, ``model_info.run_id`` of a ``log_model`` result, and the run an
    enclosing ``with mlflow.start_run(run_id=<the same expression>)`` re-opened (evaluating
    the model of the run it logs the results to).
    """
    if depth > _MAX_DEPTH:
        return False
    if depth == 0 and _reopened_around(module, expr):
        return True
    model = module.model
    if isinstance(expr, ast.Attribute) and expr.attr in ("run_id", "run_uuid"):
        owner = expr.value
        if isinstance(owner, ast.Attribute) and owner.attr == "info":
            return _is_current_run(module, owner.value, depth + 1)
        return _is_logged_model_info(module, owner, depth + 1)
    if isinstance(expr, ast.Name):
        binding = model.lookup(expr.id, expr)
        if binding is not None and binding.kind == "assign" and binding.value is not None:
            return is_current_run_id(module, binding.value, depth + 1)
    if isinstance(expr, ast.Call):
        return _helper_returns_all(module, expr, depth, is_current_run_id)
    return False


def _reopened_around(module: AnalysedModule, expr: ast.AST) -> bool:
    """An enclosing ``with mlflow.start_run(run_id=...)`` re-opens the run ``expr`` names
    (the same expression, or the same name)."""
    shape: str | None = None
    for ancestor in module.model.ancestors(expr):
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            return False
        if not isinstance(ancestor, (ast.With, ast.AsyncWith)):
            continue
        for item in ancestor.items:
            call = item.context_expr
            if isinstance(call, ast.Call) and module.model.callee(call) == "mlflow.start_run":
                run_id = api.argument_of(call, "mlflow.start_run", "run_id")
                if run_id is not None:
                    shape = shape or ast.dump(expr, annotate_fields=False)
                    if ast.dump(run_id, annotate_fields=False) == shape:
                        return True
    return False


def _is_current_run(module: AnalysedModule, expr: ast.AST, depth: int) -> bool:
    model = module.model
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, ast.Call):
        callee = model.callee(expr)
        if callee in _RUN_FACTORIES:
            return True
        unknown_method = expr.func.attr if callee is None and isinstance(expr.func, ast.Attribute) else None
        if callee in _RUN_GETTERS or unknown_method == "get_run":  # client.get_run(run.info.run_id)
            # An unknown receiver's get_run is read as MLflow's (run_id first, as both have it).
            run_id = api.argument_of(expr, callee or "mlflow.get_run", "run_id")
            return run_id is not None and is_current_run_id(module, run_id, depth + 1)
        if unknown_method in ("create_run", "start_run"):
            return True  # a client we cannot identify (a fixture, a parameter) creating a run
        return _helper_returns_all(module, expr, depth, _is_current_run)
    if isinstance(expr, ast.Name):
        binding = model.lookup(expr.id, expr)
        if binding is not None and binding.kind in ("assign", "with") and binding.value is not None:
            return _is_current_run(module, binding.value, depth + 1)
    return False


def _helper_returns_all(
    module: AnalysedModule, call: ast.Call, depth: int, predicate: Callable[[AnalysedModule, ast.expr, int], bool]
) -> bool:
    """A project function (this module's, an imported one, a method of ``self``) every
    ``return`` of which satisfies ``predicate``: a training function that returns its run,
    or the run's id, to the code that then loads the model."""
    from mlflow_lint.analysis.effects import resolve_called_function  # (effects does not import us)

    target = resolve_called_function(module, call)
    if target is None:
        return False
    defining, function = target
    returns = [node.value for node in _own_returns(function) if node.value is not None]
    return bool(returns) and all(predicate(defining, value, depth + 1) for value in returns)


def _is_logged_model_info(module: AnalysedModule, expr: ast.AST, depth: int) -> bool:
    model = module.model
    if isinstance(expr, ast.Call):
        callee = model.callee(expr)
        return callee is not None and api.flavor_of_log_model(callee) is not None
    if isinstance(expr, ast.Name) and depth <= _MAX_DEPTH:
        binding = model.lookup(expr.id, expr)
        if binding is not None and binding.kind == "assign" and binding.value is not None:
            return _is_logged_model_info(module, binding.value, depth + 1)
    return False


# -- LoggedModel ids: "the model this code just logged" vs "a model id found elsewhere" ------
# MLflow 3.18.0 mlflow/tracking/fluent.py: each of these returns the LoggedModel the call
# just created (``initialize_logged_model``, ``create_external_model``,
# ``MlflowClient.create_logged_model``) or the one this process logged last
# (``last_logged_model``, read from ``_last_logged_model_id``).
_MODEL_FACTORIES = frozenset(
    {
        "mlflow.initialize_logged_model",
        "mlflow.create_external_model",
        "mlflow.last_logged_model",
        f"{api.MLFLOW_CLIENT}.create_logged_model",
    }
)
# Calls that return the LoggedModel whose id is their first argument.
_MODEL_GETTERS = frozenset(
    {
        "mlflow.get_logged_model",
        "mlflow.finalize_logged_model",
        f"{api.MLFLOW_CLIENT}.get_logged_model",
        f"{api.MLFLOW_CLIENT}.finalize_logged_model",
    }
)
# Searches whose results hold LoggedModels (or a DataFrame with a ``model_id`` column:
# the fluent search's default ``output_format="pandas"``).
_MODEL_SEARCHES = frozenset({"mlflow.search_logged_models", f"{api.MLFLOW_CLIENT}.search_logged_models"})


def is_current_model_id(module: AnalysedModule, expr: ast.AST, depth: int = 0) -> bool:
    """``expr`` is the id of a LoggedModel the same code logged or created:
    ``model_info.model_id`` of a ``log_model`` result, ``.model_id`` of
    ``initialize_logged_model()``/``create_external_model()``/``create_logged_model()``/
    ``last_logged_model()`` (also re-read with ``get_logged_model``), through local names
    and project helpers that return one."""
    if depth > _MAX_DEPTH:
        return False
    if isinstance(expr, ast.Attribute) and expr.attr == "model_id":
        return _is_current_model(module, expr.value, depth + 1)
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        if binding is not None and binding.kind == "assign" and binding.value is not None:
            return is_current_model_id(module, binding.value, depth + 1)
    if isinstance(expr, ast.Call):
        return _helper_returns_all(module, expr, depth, is_current_model_id)
    return False


def _is_current_model(module: AnalysedModule, expr: ast.AST, depth: int) -> bool:
    """``expr`` is a ``ModelInfo``/``LoggedModel`` of a model the same code logged."""
    if depth > _MAX_DEPTH:
        return False
    if _is_logged_model_info(module, expr, depth):
        return True
    if isinstance(expr, ast.Call):
        callee = module.model.callee(expr)
        if callee in _MODEL_FACTORIES:
            return True
        if callee in _MODEL_GETTERS:
            model_id = api.argument_of(expr, callee, "model_id")
            return model_id is not None and is_current_model_id(module, model_id, depth + 1)
        return _helper_returns_all(module, expr, depth, _is_current_model)
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        if binding is not None and binding.kind in ("assign", "with") and binding.value is not None:
            return _is_current_model(module, binding.value, depth + 1)
    return False


def is_foreign_model_id(module: AnalysedModule, expr: ast.AST, depth: int = 0) -> bool:
    """``expr`` is known to hold the id of a LoggedModel this code did not just log: a
    literal ``m-<32 hex>`` (also through constants), the ``model_id`` of a LoggedModel
    found by ``search_logged_models()`` or fetched by ``get_logged_model(<other id>)``.
    Anything else (a parameter, an environment variable, a name) is unknown, and unknown
    is never a finding."""
    from mlflow_lint.analysis.uris import is_logged_model_id  # (uris imports values, not us)

    if depth > _MAX_DEPTH or is_current_model_id(module, expr):
        return False
    values = module.values.evaluate(expr)
    if values and all(value.complete and is_logged_model_id(value.text.strip()) for value in values):
        return True
    if isinstance(expr, ast.Attribute) and expr.attr == "model_id":
        return _is_found_model(module, expr.value, depth + 1)
    if isinstance(expr, ast.Subscript) and _subscript_key(expr) == "model_id":
        return _is_found_model(module, expr.value, depth + 1)  # a DataFrame row or column
    if isinstance(expr, ast.Subscript | ast.Attribute) and _reads_model_id_column(expr):
        return _is_found_model(module, expr, depth + 1)  # df["model_id"].iloc[0], df.model_id[0]
    if isinstance(expr, ast.Name):
        binding = module.model.lookup(expr.id, expr)
        if binding is not None and binding.kind == "assign" and binding.value is not None:
            return is_foreign_model_id(module, binding.value, depth + 1)
    if isinstance(expr, ast.Call):
        return _helper_returns_all(module, expr, depth, is_foreign_model_id)
    return False


def _subscript_key(expr: ast.Subscript) -> str | None:
    key = expr.slice
    return key.value if isinstance(key, ast.Constant) and isinstance(key.value, str) else None


def _reads_model_id_column(expr: ast.AST) -> bool:
    """``df["model_id"]`` or ``df.model_id`` somewhere inside ``expr`` (``.iloc[0]`` after it)."""
    return any(
        (isinstance(node, ast.Subscript) and _subscript_key(node) == "model_id")
        or (isinstance(node, ast.Attribute) and node.attr == "model_id")
        for node in ast.walk(expr)
    )


def _is_found_model(module: AnalysedModule, expr: ast.AST, depth: int) -> bool:
    """``expr`` is (part of) what ``search_logged_models`` returned, or a LoggedModel
    fetched by an id this code did not create: an element (``models[0]``, a loop variable,
    ``next(iter(models))``), a row or column of its DataFrame (``df.iloc[0]``)."""
    if depth > _MAX_DEPTH:
        return False
    model = module.model
    if isinstance(expr, ast.Call):
        callee = model.callee(expr)
        if callee in _MODEL_SEARCHES:
            return True
        if callee in _MODEL_GETTERS:
            model_id = api.argument_of(expr, callee, "model_id")
            return model_id is not None and not is_current_model_id(module, model_id)
        if callee in ("next", "iter", "list", "sorted", "max", "min") and expr.args:
            return _is_found_model(module, expr.args[0], depth + 1)
        return _helper_returns_all(module, expr, depth, _is_found_model)
    if isinstance(expr, ast.Subscript | ast.Attribute):
        return _is_found_model(module, expr.value, depth + 1)  # models[0], df.iloc[0], row.model_id
    if isinstance(expr, ast.Name):
        binding = model.lookup(expr.id, expr)
        if binding is None:
            return False
        if binding.kind in ("assign", "with") and binding.value is not None:
            return _is_found_model(module, binding.value, depth + 1)
        loop = binding.node
        if isinstance(loop, (ast.For, ast.AsyncFor)) and isinstance(loop.target, ast.Name):
            return _is_found_model(module, loop.iter, depth + 1)
    return False


# -- models and other artifacts read from a run (MLF601, MLF604) -----------------------------
# A downloaded path names a model when it is a model directory ("model", "sk_model",
# "registered-models/churn"), a model file, or the name a log_model of the module used;
# anything else (a config, metrics, a plot, the whole run) is another artifact.
_MODEL_FILE = re.compile(r"\.(pkl|pickle|joblib|onnx|pt|pth|h5|keras|pb|safetensors|cbm|ubj|mlmodel)$", re.IGNORECASE)
_ANY_EXTENSION = re.compile(r"\.[A-Za-z0-9]{1,10}$")


@dataclass(frozen=True)
class RunRead:
    """A model or another artifact consumed from a run: what the finding points at
    (the URI or run-id argument), the API, what is read, and whether it is a model."""

    api: str
    expr: ast.expr
    source: str  # for messages: the URI as rendered, or "run_id=..."
    model: bool
    logged_model: bool = False  # a LoggedModel by id (``models:/<model_id>``), not a run


def run_reads(module: AnalysedModule, call: ast.Call) -> list[RunRead]:
    """What ``call`` consumes from a run other than the one the same code created.

    A loader (``load_model``, ``spark_udf``, ``evaluate``, a deployment) consumes a model;
    a download (``download_artifacts``, ``load_text``/``load_dict``/``load_image``) reads a
    model only when its path names one (:func:`names_model_path`)."""
    callee = module.model.callee(call)
    found = consumer(callee) if callee is not None else None
    if callee is None or found is None:
        return []
    api = display_api(callee)
    reads = [read for _, uri_expr in uri_arguments(call, found) if (read := _uri_read(module, call, api, found, uri_expr)) is not None]
    if reads or found.run_id_position is None:
        return reads
    run_id_expr = argument(call, found.run_id_position, found.run_id_keyword)
    if run_id_expr is None or (isinstance(run_id_expr, ast.Constant) and run_id_expr.value is None):
        return reads
    if is_current_run_id(module, run_id_expr) or _registered_with(module, call, run_id_expr):
        return reads
    path_expr = argument(call, found.path_position, found.path_keyword)
    paths = module.values.evaluate(path_expr) if path_expr is not None else ()
    # The run of a registered version (``mv.run_id`` after ``mv = get_model_version_by_alias``):
    # the registry chose it, so no model is consumed around the registry; what is read
    # there beside the model is still an artifact to publish with it (MLF604).
    model = bool(paths) and all(names_model_path(module, value) for value in paths) and not _registered_version_run(module, run_id_expr)
    text = ast.unparse(run_id_expr)
    reads.append(RunRead(api, run_id_expr, f"run_id={text if len(text) <= 40 else text[:39] + '…'}", model))
    return reads


def names_current_run(value: StrValue) -> bool:
    """A ``runs:/`` URI of the run the same code created: its run id is ``run.info.run_id``
    of the enclosing ``start_run``, ``mlflow.active_run()``'s, ... (:func:`is_current_run_id`)."""
    from mlflow_lint.analysis.uris import runs_uri_run_id  # (uris imports values, not us)

    run_id = runs_uri_run_id(value)
    return isinstance(run_id, Hole) and run_id.expr is not None and run_id.module is not None and is_current_run_id(run_id.module, run_id.expr)


def _uri_read(module: AnalysedModule, call: ast.Call, shown: str, found: Consumer, uri_expr: ast.expr) -> RunRead | None:
    """What one URI argument of ``call`` consumes from a run (or a LoggedModel by id), if anything."""
    from mlflow_lint.analysis.uris import UriKind, classify, runs_uri_run_id  # (uris imports values, not us)

    for value in module.values.evaluate(uri_expr):
        if classify(value) is UriKind.MODELS and _names_foreign_logged_model(value):
            return RunRead(shown, uri_expr, value.render(), True, logged_model=True)
        if classify(value) is not UriKind.RUNS:
            continue
        if names_current_run(value):
            continue
        run_id = runs_uri_run_id(value)
        if isinstance(run_id, Hole) and run_id.module is module and isinstance(run_id.expr, ast.expr) and _registered_with(module, call, run_id.expr):
            continue
        # ``runs:/<id>`` alone (the whole run) ends in its id: not a model path.
        return RunRead(shown, uri_expr, value.render(), found.loads_model or names_model_path(module, value))
    return None


# Reads of a version the registry chose: by alias, by number, or by stage (the newest
# version in it; MLF401 reports the stage itself).
_VERSION_LOOKUPS = frozenset({"get_model_version_by_alias", "get_model_version", "get_latest_versions"})


def _registered_version_run(module: AnalysedModule, run_id: ast.expr) -> bool:
    """``mv.run_id`` (or ``get_model_version_by_alias(...).run_id``) of a version read from
    the registry, by alias, number or stage (``get_latest_versions(name, stages=[...])[0]``);
    also through a name assigned it (``run_id = mv.run_id``)."""
    value = module.model.assigned_value(run_id)
    return isinstance(value, ast.Attribute) and value.attr == "run_id" and returned_by(module.model, value.value, _VERSION_LOOKUPS)


_MAX_RETURNED_DEPTH = 4  # as the gate analysis followed them


def returned_by(model: SemanticModel, expr: ast.AST, methods: frozenset[str], depth: int = 0) -> bool:
    """``expr`` holds what one of MLflow's ``methods`` returned (``mv`` after ``mv =
    client.get_model_version(...)``), or an element of it (``versions[0]``, ``for mv in
    client.search_model_versions(...)``)."""
    if depth > _MAX_RETURNED_DEPTH:
        return False
    if isinstance(expr, ast.Subscript):
        return returned_by(model, expr.value, methods, depth + 1)
    if isinstance(expr, ast.Call):
        return calls_mlflow(model, expr, methods)
    if isinstance(expr, ast.Name):
        binding = model.lookup(expr.id, expr)
        if binding is None:
            return False
        if isinstance(binding.node, (ast.For, ast.AsyncFor)):
            return returned_by(model, binding.node.iter, methods, depth + 1)
        if binding.kind == "assign" and binding.value is not None:
            return returned_by(model, binding.value, methods, depth + 1)
    return False


def calls_mlflow(model: SemanticModel, call: ast.Call, methods: frozenset[str]) -> bool:
    """A call of one of MLflow's ``methods`` (by terminal name): resolved to MLflow, or, on
    a client that cannot be resolved (a parameter, a fixture), by its name."""
    callee = model.callee(call)
    if callee is not None:
        return callee.startswith("mlflow.") and callee.rpartition(".")[2] in methods
    return terminal_name(call.func) in methods


_REGISTER_NAMES = frozenset(name.rsplit(".", 1)[1] for name in api.REGISTER_MODEL)


def _registered_with(module: AnalysedModule, read: ast.Call, run_id: ast.expr) -> bool:
    """The function holding ``read`` registers the run it reads after reading it (``run_id``
    a name that a later ``register_model``/``create_model_version`` call of the same
    function also uses): the read is part of registering the run's model (checking it has
    one, validating it), which the registry rules judge, not a consumer reading around the
    registry. A read after the registration could read the registered version instead."""
    if not isinstance(run_id, ast.Name):
        return False
    scope = module.model.enclosing_function(read)
    if scope is None:
        return False
    binding = module.model.lookup(run_id.id, run_id)
    for call in module.model.calls_named(_REGISTER_NAMES):
        if (call.lineno, call.col_offset) <= (read.lineno, read.col_offset) or scope not in module.model.ancestors(call):
            continue
        if module.model.callee(call) in api.REGISTER_MODEL and any(
            isinstance(node, ast.Name) and node.id == run_id.id and module.model.lookup(node.id, node) is binding
            for argument_node in (*call.args, *(keyword.value for keyword in call.keywords))
            for node in ast.walk(argument_node)
        ):
            return True
    return False


def _names_foreign_logged_model(value: StrValue) -> bool:
    """``models:/<model_id>`` naming a LoggedModel by id: any literal id (MLflow 3 reads
    every ``models:/<x>`` without version or alias as one), or a hole known to hold the id
    of a model this code did not just log."""
    from mlflow_lint.analysis.uris import logged_model_id  # (uris imports values, not us)

    reference = logged_model_id(value)
    if isinstance(reference, str):
        return True
    if isinstance(reference, Hole) and reference.expr is not None and reference.module is not None:
        return is_foreign_model_id(reference.module, reference.expr)
    return False


def names_model_path(module: AnalysedModule, value: StrValue) -> bool:
    """Whether an artifact path inside a run names a model: a directory whose name says
    "model", a model file, or the ``name``/``artifact_path`` a ``log_model`` of the module
    gave. An unknown path, a data file or a config is another artifact."""
    tail = value.parts[-1] if value.parts else ""
    if not isinstance(tail, str):
        return False
    last = tail.rstrip("/").rpartition("/")[2]
    if not last:
        return False
    if _MODEL_FILE.search(last):
        return True
    if _ANY_EXTENSION.search(last) or last == "MLmodel":
        return False  # MLmodel: the model's metadata (flavors, signature), not the model
    return "model" in last.lower() or last in logged_model_names(module)


def logged_model_names(module: AnalysedModule) -> frozenset[str]:
    """The literal ``name=`` / ``artifact_path=`` of every ``log_model`` in the module."""
    return module.memo(_LOGGED_MODEL_NAMES, _logged_model_names)


def _logged_model_names(module: AnalysedModule) -> frozenset[str]:
    names: set[str] = set()
    for call in module.model.calls_named(frozenset({"log_model"})):
        callee = module.model.callee(call)
        if callee is None or api.flavor_of_log_model(callee) is None:
            continue
        for keyword in ("name", "artifact_path"):
            expr = argument(call, None, keyword)
            for value in module.values.evaluate(expr) if expr is not None else ():
                if value.complete:
                    names.add(value.text.strip("/"))
    return frozenset(names)
