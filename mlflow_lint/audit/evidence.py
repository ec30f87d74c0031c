"""Evidence: what the code does with MLflow, gathered from the analysis layer.

Per Python module, one pass over its calls (and ``os.environ[...] =`` assignments) asks
the same questions the checks ask — ``uri_sinks``, ``consumer``, ``new_runs`` and their
effects, ``GateAnalysis`` — and records the answers as rows: every tracking URI and where
it is set, every model load and how it is addressed, every run and the tags it receives,
every registry operation and its gate, artifact locations, credential settings (never
their values), logged models. Nothing is executed and nothing is fetched; the analysis
layer's behaviour is not changed, only read.
"""

from __future__ import annotations

import ast
from collections import Counter
from dataclasses import dataclass, field

from mlflow_lint.analysis import api
from mlflow_lint.analysis.calls import argument
from mlflow_lint.analysis.flow import passed_keyword
from mlflow_lint.analysis.gates import GateAnalysis
from mlflow_lint.analysis.genai import SELF_INFERRING_FLAVORS
from mlflow_lint.analysis.hosts import DeclaresService, http_host, is_internal_host, is_loopback
from mlflow_lint.analysis.mlflow_calls import (
    ARTIFACT_ARGUMENTS,
    DESTRUCTIVE_CALLS,
    consumer,
    display_api,
    env_assignments,
    is_current_run_id,
    uri_arguments,
    uri_sinks,
)
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.promotion_gates import exemption, gates_of, promotion
from mlflow_lint.analysis.promotions import ALIAS_CALLS, MODEL_COPIES, STAGE_TRANSITION
from mlflow_lint.analysis.prompts import LOADERS, UNGOVERNED, PromptLoad, managed_prompts, prompt_loads
from mlflow_lint.analysis.runs import RunScope, enables_autolog, new_runs, trains_model
from mlflow_lint.analysis.secrets import SECRET_VARIABLES, has_literal_password, is_literal_secret, mask_secrets
from mlflow_lint.analysis.uri_uses import tracking_uri_uses
from mlflow_lint.analysis.uris import UriKind, classify, is_path_like, parse_models_uri, runs_uri_run_id, scheme_of
from mlflow_lint.analysis.values import Hole, StrValue, literal
from mlflow_lint.config import RuleOptions
from mlflow_lint.context import relative_to_configuration
from mlflow_lint.positions import LineIndex
from mlflow_lint.sources.notebook import VirtualSource

CLIENT = api.MLFLOW_CLIENT
_MAX_SHOWN = 100  # characters of a rendered value in a table cell
NEW_VERSION = "new version from"  # the target of a registry operation that registers a model version


@dataclass(frozen=True)
class EvidenceItem:
    """One row of evidence: where, and what was found there (``fields`` by column)."""

    kind: str
    path: str
    line: int
    column: int
    end_line: int
    end_column: int
    fields: tuple[tuple[str, str], ...]
    cell: int | None = None  # notebooks: 0-based cell index, lines counted inside the cell

    def get(self, key: str) -> str:
        return dict(self.fields).get(key, "")


@dataclass(frozen=True)
class NameUse:
    """A registered model or experiment named in code (``name`` is rendered, holes as {expr})."""

    name: str
    path: str
    line: int
    api: str
    alias: str | None = None
    version: str | None = None
    cell: int | None = None  # notebooks


@dataclass
class ModuleEvidence:
    path: str
    items: list[EvidenceItem] = field(default_factory=list)
    api_calls: Counter[str] = field(default_factory=Counter)
    models: list[NameUse] = field(default_factory=list)
    experiments: list[NameUse] = field(default_factory=list)
    in_tests: bool = False  # test code: its sites are shown only where its findings are
    # A notebook's cells (an .ipynb, or a Databricks source whose findings name file lines):
    # the register's risk counts it as a notebook.
    notebook: bool = False

    # The result cache keeps each file's evidence beside its findings, as JSON (never
    # pickle: the cache may come from a checkout). Every value is a str, int, bool or None.
    def to_rows(self) -> list[object]:
        """The evidence as JSON rows (``from_rows`` reads them back to an equal value)."""
        return [
            self.path,
            self.in_tests,
            self.notebook,
            [[i.kind, i.path, i.line, i.column, i.end_line, i.end_column, [list(f) for f in i.fields], i.cell] for i in self.items],
            sorted([api_name, count] for api_name, count in self.api_calls.items()),
            [_use_row(use) for use in self.models],
            [_use_row(use) for use in self.experiments],
        ]

    @classmethod
    def from_rows(cls, rows: list[object]) -> ModuleEvidence:
        """The evidence ``to_rows`` wrote; TypeError or ValueError when the rows are not that."""
        path, in_tests, notebook, items, calls, models, experiments = rows
        return cls(
            str(path),
            [
                EvidenceItem(kind, shown, line, column, end_line, end_column, tuple((key, value) for key, value in fields), cell)
                for kind, shown, line, column, end_line, end_column, fields, cell in items  # type: ignore[attr-defined]
            ],
            Counter({str(api_name): int(count) for api_name, count in calls}),  # type: ignore[attr-defined]
            [NameUse(*use) for use in models],  # type: ignore[attr-defined]
            [NameUse(*use) for use in experiments],  # type: ignore[attr-defined]
            bool(in_tests),
            bool(notebook),
        )


def _use_row(use: NameUse) -> list[object]:
    return [use.name, use.path, use.line, use.api, use.alias, use.version, use.cell]


# -- what each call means --------------------------------------------------------------------
# callee -> (name position, name keyword, target position, target keyword, what the target is).
# Places come from MLflow's signatures (the generated API table), by parameter name.
def _operation(callee: str, name: str, target: str | None, kind: str) -> tuple[int, str, int | None, str | None, str]:
    name_position, name_keyword = api.placed(callee, name)
    if name_position is None:
        raise LookupError(f"{callee}({name}=) is keyword-only: the evidence table expects a positional name")
    target_position, target_keyword = api.placed(callee, target) if target is not None else (None, None)
    return (name_position, name_keyword, target_position, target_keyword, kind)


# Where a run's artifacts go when no call places them, by the tracking URI the module sets.
_REMOTE_STORES = frozenset({UriKind.HTTP, UriKind.HTTPS, UriKind.DATABRICKS})
_LOCAL_STORES = frozenset({UriKind.FILE, UriKind.LOCAL_PATH, UriKind.SQLITE, UriKind.SQL_DATABASE})
_SERVER_ROOT = "server-managed"
_LOCAL_ROOT = "local directory (a local tracking store's artifact root)"
_RUN_TIME_ROOT = "decided at run time"

_REGISTRY_OPERATIONS: dict[str, tuple[int, str, int | None, str | None, str]] = {
    # Alias moves of models and prompts: MLF402's table (analysis.promotions).
    **{callee: (*row.name, *row.alias, "alias") for callee, row in ALIAS_CALLS.items()},
    # copy_model_version(src_model_uri, dst_name): a new version of dst_name.
    **{callee: (*destination, *api.placed(callee, "src_model_uri"), "source") for callee, destination in MODEL_COPIES.items()},
    **{
        callee: _operation(callee, name, target, kind)
        for callee, name, target, kind in (
            (f"{CLIENT}.get_model_version_by_alias", "name", "alias", "alias"),
            (f"{CLIENT}.transition_model_version_stage", "name", "stage", "stage"),
            (f"{CLIENT}.get_latest_versions", "name", "stages", "stages"),
            ("mlflow.register_model", "name", "model_uri", "source"),
            (f"{CLIENT}.create_model_version", "name", "source", "source"),
            (f"{CLIENT}.create_registered_model", "name", None, "none"),
            (f"{CLIENT}.delete_model_version", "name", "version", "version"),
            (f"{CLIENT}.delete_registered_model", "name", None, "none"),
        )
    },
}
_VERSION_ARGUMENT = {
    **{callee: row.version for callee, row in ALIAS_CALLS.items() if row.version is not None},
    STAGE_TRANSITION: api.placed(STAGE_TRANSITION, "version"),
}


_EXPERIMENT_CALLS: dict[str, tuple[int | None, str]] = {
    callee: api.placed(callee, parameter)
    for callee, parameter in (
        ("mlflow.set_experiment", "experiment_name"),
        ("mlflow.create_experiment", "name"),
        ("mlflow.get_experiment_by_name", "name"),
        (f"{CLIENT}.create_experiment", "name"),
        (f"{CLIENT}.get_experiment_by_name", "name"),
    )
}

CREDENTIAL_VARIABLES = SECRET_VARIABLES | {
    "MLFLOW_TRACKING_USERNAME",
    "MLFLOW_TRACKING_INSECURE_TLS",
    "MLFLOW_TRACKING_SERVER_CERT_PATH",
    "MLFLOW_TRACKING_CLIENT_CERT_PATH",
    "MLFLOW_TRACKING_AUTH",
    "AWS_ACCESS_KEY_ID",
    "GOOGLE_APPLICATION_CREDENTIALS",
}
PLAIN_VALUE_VARIABLES = frozenset({"MLFLOW_TRACKING_INSECURE_TLS"})  # a flag, not a secret: shown
_ENV_READERS = frozenset({"os.environ.get", "os.getenv"})
_HOST_CREDS = "mlflow.utils.rest_utils.MlflowHostCreds"
_START_RUN_NAME = (2, "run_name")
_CREATE_RUN_NAME = (3, "run_name")


def collect(
    module: AnalysedModule, shown: str, options: RuleOptions, virtual: VirtualSource | None = None
) -> ModuleEvidence:
    """Every piece of evidence in one analysed module (``virtual``: a notebook's cells)."""
    return _Collector(module, shown, options, virtual).run()


class _Collector:
    def __init__(self, module: AnalysedModule, shown: str, options: RuleOptions, virtual: VirtualSource | None) -> None:
        self.virtual = virtual
        self.module = module
        self.model = module.model
        self.shown = shown
        self.options = options
        self.lines = LineIndex(module.source)
        self.out = ModuleEvidence(shown, notebook=virtual is not None)
        self._artifact_root: str | None = None

    # -- helpers ----------------------------------------------------------------------------
    def add(self, table: str, node: ast.AST, /, **fields: str) -> None:
        span = self.lines.span(node)
        line, end_line, cell = span.line, span.end_line, None
        if self.virtual is not None:  # back to the notebook's cells (or the file's own lines)
            cell, line = self.virtual.origin(span.line)
            end_cell, end_line = self.virtual.origin(span.end_line)
            if end_cell != cell:
                end_line = line
        self.out.items.append(
            EvidenceItem(table, self.shown, line, span.column, end_line, span.end_column, tuple(fields.items()), cell)
        )

    def values(self, expr: ast.AST | None) -> tuple[StrValue, ...]:
        return self.module.values.evaluate(expr) if expr is not None else ()

    def shown_value(self, expr: ast.AST | None) -> str:
        """The value(s) an expression may hold, for a table cell (passwords masked)."""
        if expr is None:
            return ""
        if isinstance(expr, (ast.List, ast.Tuple, ast.Set)):
            return clip("[" + ", ".join(self.shown_value(element) for element in expr.elts) + "]")
        values = self.values(expr)
        if not values:
            return clip("{" + _unparse(expr) + "}")
        return clip(" or ".join(dict.fromkeys(v.render() for v in values)))

    def literal(self, expr: ast.AST | None) -> str | None:
        values = self.values(expr)
        if len(values) == 1 and values[0].complete:
            return values[0].text
        return None

    def name_of(self, expr: ast.AST | None) -> str | None:
        """A model or experiment name: its literal text, else the expression in braces."""
        if expr is None:
            return None
        text = self.literal(expr)
        if text is not None:
            return text
        values = self.values(expr)
        if len(values) == 1:
            return clip("".join(p if isinstance(p, str) else p.render() for p in values[0].parts))
        return clip("{" + _unparse(expr) + "}")

    def line_of(self, node: ast.AST) -> int:
        line = getattr(node, "lineno", 1)
        return self.virtual.origin(line)[1] if self.virtual is not None else line

    def model_named(self, name: str, call: ast.Call, api: str, alias: str | None, version: str | None) -> None:
        """A registered model ``call`` names (the register's inventory of models)."""
        self.out.models.append(NameUse(name, self.shown, self.line_of(call), api, alias=alias, version=version, cell=self.cell_of(call)))

    def cell_of(self, node: ast.AST) -> int | None:
        return self.virtual.origin(getattr(node, "lineno", 1))[0] if self.virtual is not None else None

    def declares_service(self, service: str, namespace: str) -> bool:
        """Whether the project's manifests declare that Service (MLF702's question of a
        ``<service>.<namespace>`` host: module_facts.facts_of_file, as the check asks it)."""
        from mlflow_lint.module_facts import facts_of_file

        return facts_of_file(self.module.project, self.options, self.module).declares_service(service, namespace)

    @property
    def gates(self) -> GateAnalysis:
        """The analysis MLF402 asks (callers in other modules included): the same verdict."""
        return gates_of(self.module, self.options)

    # -- the pass -----------------------------------------------------------------------------
    def run(self) -> ModuleEvidence:
        model = self.model
        for node in model.nodes_by_type.get(ast.Assign, ()):
            assert isinstance(node, ast.Assign)
            if any(isinstance(target, ast.Subscript) for target in node.targets):
                self.settings(node)
        for call in model.nodes_by_type.get(ast.Call, ()):
            assert isinstance(call, ast.Call)
            callee = model.callee(call)
            if callee is None or not (api.is_mlflow(callee) or callee.startswith("os.")):
                continue
            if api.is_mlflow(callee):
                self.out.api_calls[display_api(callee)] += 1
            self.settings(call)
            if not api.is_mlflow(callee):
                continue
            self.model_load(call, callee)
            if callee in LOADERS:
                self.prompt_load(call)
            self.registry_operation(call, callee)
            self.artifact_location(call, callee)
            self.model_log(call, callee)
            self.experiment(call, callee)
            if callee == _HOST_CREDS:
                self.host_creds(call)
        self.runs()
        return self.out

    # -- pillars 1, 2, 7: URIs and environment settings ------------------------------------
    def settings(self, node: ast.AST) -> None:
        for sink in uri_sinks(self.module, node):
            values = self.values(sink.value)
            shown = self.shown_value(sink.value)
            self.add("tracking_uri", node, api=sink.api, role=sink.role, value=shown, kind=uri_kind(values))
            self.add("backend_store", node, role=sink.role, value=shown, backend=backend_label(values))
            if sink.role == "tracking":
                self.add("transport", node, value=shown, transport=transport_label(values, self.declares_service))
            if any(has_literal_password(v) for v in values):
                self.add(
                    "credential",
                    node,
                    setting=f"password in the {sink.role} URI",
                    via=sink.api,
                    value="literal in code (redacted)",
                )
        for assignment in env_assignments(self.module, node):
            variable = assignment.variable
            if variable in CREDENTIAL_VARIABLES:
                self.add(
                    "credential",
                    node,
                    setting=variable,
                    via=assignment.api,
                    value=self.secret_value(variable, assignment.value),
                )
            elif variable == "MLFLOW_EXPERIMENT_NAME":
                name = self.name_of(assignment.value)
                if name is not None:
                    self.out.experiments.append(
                        NameUse(name, self.shown, self.line_of(node), assignment.api, cell=self.cell_of(node))
                    )

    def secret_value(self, variable: str, expr: ast.expr) -> str:
        """How a credential is set, never what it is."""
        values = self.values(expr)
        if variable in PLAIN_VALUE_VARIABLES:
            if isinstance(expr, ast.Constant) and isinstance(expr.value, bool):
                return str(expr.value).lower()
            text = self.literal(expr)
            if text is not None:
                return clip(repr(text))
        if isinstance(expr, ast.Call) and self.model.qualified_name(expr.func) in _ENV_READERS:
            source = self.literal(argument(expr, 0, "key"))
            shown = f"from the environment ({source})" if source else "from the environment"
            fallback = argument(expr, 1, "default")
            if fallback is not None and any(is_literal_secret(v) for v in self.values(fallback)):
                shown += ", else a literal in code (redacted)"  # the fallback applies wherever it is unset
            return shown
        if isinstance(expr, ast.Subscript) and self.model.qualified_name(expr.value) == "os.environ":
            source = self.literal(expr.slice)
            return f"from the environment ({source})" if source else "from the environment"
        if any(is_literal_secret(v) for v in values):
            return "literal in code (redacted)"
        if values and all(v.complete for v in values):
            return "empty or a ${VAR} reference"
        return "computed at run time"

    def host_creds(self, call: ast.Call) -> None:
        for position, keyword in ((1, "username"), (2, "password"), (3, "token")):
            expr = argument(call, position, keyword)
            if expr is not None:
                self.add(
                    "credential",
                    call,
                    setting=f"MlflowHostCreds({keyword}=...)",
                    via="MlflowHostCreds",
                    value=self.secret_value(keyword, expr),
                )

    # -- pillar 6: consumption ----------------------------------------------------------------
    def model_load(self, call: ast.Call, callee: str) -> None:
        found = consumer(callee)
        if found is None:
            return
        shown_api = display_api(callee)
        # One row per call: its span holds every URI argument's findings, so a second model
        # (a baseline) is named in the same row, after the model the call is about.
        uris = [(keyword, expr, self.values(expr)) for keyword, expr in uri_arguments(call, found)]
        if uris:
            self.add(
                "model_load",
                call,
                api=shown_api,
                source=_by_argument([(keyword, self.shown_value(expr)) for keyword, expr, _ in uris]),
                how=_by_argument([(keyword, consumed_how(values, found.loads_model)) for keyword, _, values in uris]),
                model=", ".join(sorted({name for _, _, values in uris for v in values if (name := models_uri_name(v))})) or "-",
            )
            for value in (value for _, _, values in uris for value in values):
                name = models_uri_name(value)
                if name is not None:
                    reference = parse_models_uri(value)
                    alias = reference.reference if reference.kind == "alias" else None
                    version = reference.reference if reference.kind == "version" else None
                    self.model_named(name, call, shown_api, alias, version)
            return
        run_id = (
            argument(call, found.run_id_position, found.run_id_keyword) if found.run_id_position is not None else None
        )
        if run_id is None or (isinstance(run_id, ast.Constant) and run_id.value is None):
            return
        how = "the run this code just created" if is_current_run_id(self.module, run_id) else "a run (run_id=)"
        self.add("model_load", call, api=shown_api, source=clip("run_id=" + _unparse(run_id)), how=how, model="-")

    def prompt_load(self, call: ast.Call) -> None:
        """A prompt loaded from the registry, and how it is addressed (MLF605's reading)."""
        loads = prompt_loads(self.module, call)
        if not loads:
            return
        managed = managed_prompts(self.module)
        self.add(
            "prompt_load",
            call,
            api=loads[0].api,
            source=clip(" or ".join(dict.fromkeys(load.prompt for load in loads))),
            how=" or ".join(dict.fromkeys(_prompt_how(load, managed.include(load.name)) for load in loads)),
            prompt=", ".join(sorted({load.name for load in loads if load.name})) or "-",
        )

    # -- pillar 4: the registry -------------------------------------------------------------------
    def registry_operation(self, call: ast.Call, callee: str) -> None:
        spec = _REGISTRY_OPERATIONS.get(callee)
        if spec is None and callee not in DESTRUCTIVE_CALLS:
            return
        shown_api = display_api(callee)
        if spec is None:  # delete_run, delete_experiment
            first = argument(call, 0, None)
            target = f"deletes {self.shown_value(first)}" if first is not None else "deletes"
            self.add("registry_operation", call, api=shown_api, model="-", target=target, gate="-")
            return
        name_position, name_keyword, target_position, target_keyword, what = spec
        name = self.name_of(argument(call, name_position, name_keyword))
        target_expr = argument(call, target_position, target_keyword) if target_keyword is not None else None
        target = self._target(callee, what, target_expr, call)
        gate = self._gate(call, callee)
        self.add("registry_operation", call, api=shown_api, model=name or "-", target=target, gate=gate)
        alias_call = ALIAS_CALLS.get(callee)
        if name is not None and (alias_call is None or alias_call.registry == "model"):  # prompts are not models
            alias = self.literal(target_expr) if what == "alias" else None
            version_spec = _VERSION_ARGUMENT.get(callee)
            version = self.literal(argument(call, *version_spec)) if version_spec else None
            self.model_named(name, call, shown_api, alias, version)

    def _target(self, callee: str, what: str, expr: ast.expr | None, call: ast.Call) -> str:
        if what == "none":
            return "deletes the model" if callee.endswith("delete_registered_model") else "creates the model"
        if expr is None:
            return "-"
        shown = self.shown_value(expr)
        if what == "alias":
            text = f"alias {shown}"
            version_spec = _VERSION_ARGUMENT.get(callee)
            version = argument(call, *version_spec) if version_spec else None
            if version is not None:
                text += f" → version {self.shown_value(version) if not isinstance(version, ast.Constant) else version.value!s}"
            if callee in ALIAS_CALLS and ALIAS_CALLS[callee].version is None:
                text = f"removes alias {shown}"
            elif callee.endswith("get_model_version_by_alias"):
                text = f"reads alias {shown}"
            return text
        if what == "stage":
            return f"stage {shown} (deprecated)"
        if what == "stages":
            return f"latest versions in stages {shown}"
        if what == "version":
            return f"deletes version {shown}"
        return f"{NEW_VERSION} {shown}"

    def _gate(self, call: ast.Call, callee: str) -> str:
        """The gate column: what MLF402 accepted the promotion for (``promotion_gates``, the
        check's own predicates), named: a gate on the way, a gated choice of the target, the
        first-model branch, a gate module, a job task that runs after a validation task.
        The audit still lets MLF402's finding at the site decide (``audit.verdicts``)."""
        found = promotion(call, callee, self.values, self.options)
        if found is None:
            return "-"
        target = "model" if found.kind == "model" else "alias"
        # MLF402 judges protected targets only, searching the project for the callers of the
        # function around them; another target's gate is named from its own module (that
        # search, with no verdict behind it, cost more than the rest of the evidence).
        described = describe_gate(self.gates, call, found.target, target, project_wide=found.protected is not None)
        if described is not None:
            return described
        if found.protected is None:
            return f"none (not a protected {target})"
        relative = relative_to_configuration(str(self.module.path), self.options.root, self.shown)
        return exemption(self.module, call, relative, self.options) or "none"

    # -- pillar 3: artifacts ---------------------------------------------------------------------
    def artifact_location(self, call: ast.Call, callee: str) -> None:
        spec = ARTIFACT_ARGUMENTS.get(callee)
        if spec is None:
            return
        position, keyword, role = spec
        expr = argument(call, position, keyword)
        if expr is None:
            if callee.endswith("set_experiment"):
                return  # selecting an experiment is not an artifact decision
            where = "the tracking store's default artifact root" if role == "location" else "the run's artifact root"
            self.add("artifact_location", call, api=display_api(callee), target=where, kind=self.artifact_root())
            return
        values = self.values(expr)
        self.add(
            "artifact_location",
            call,
            api=display_api(callee),
            target=self.shown_value(expr),
            kind=_artifact_kind(values, role),
        )

    def artifact_root(self) -> str:
        """Where artifacts go that no call places: the artifact root of the tracking store
        the module's tracking URIs name (a server manages it; a local store keeps it beside
        itself), else where the tracking URI at run time puts them."""
        if self._artifact_root is None:
            kinds = [classify(literal(uri)) for _, uri, _ in tracking_uri_uses(self.module)]
            labels = [_SERVER_ROOT if kind in _REMOTE_STORES else _LOCAL_ROOT if kind in _LOCAL_STORES else _RUN_TIME_ROOT for kind in kinds]
            self._artifact_root = " or ".join(dict.fromkeys(labels)) or _RUN_TIME_ROOT
        return self._artifact_root

    # -- pillar 8: logged models ------------------------------------------------------------------
    def model_log(self, call: ast.Call, callee: str) -> None:
        flavor = api.flavor_of_log_model(callee)
        if flavor is None:
            return
        keywords = {kw.arg for kw in call.keywords}
        unpacked = None in keywords or len(call.args) > 2
        if "signature" in keywords:
            signature = "yes"
        elif flavor in SELF_INFERRING_FLAVORS:
            signature = "inferred by the flavor"
        elif unpacked:
            signature = "unknown (**kwargs)"
        elif "input_example" in keywords:
            signature = "inferred from the input example"
        else:
            signature = "no"
        example = "yes" if "input_example" in keywords else ("unknown (**kwargs)" if unpacked else "no")
        # A mapping unpacked into the call may name it (``**dict(registered_model_name=...)``).
        registered = passed_keyword(self.model, call, "registered_model_name")
        name = None if _is_none(registered) else self.name_of(registered)
        self.add("model_log", call, api=callee, signature=signature, input_example=example, registers_as=name or "-")
        if name is not None:
            self.out.models.append(NameUse(name, self.shown, self.line_of(call), callee, cell=self.cell_of(call)))
            # A registration (a new version of ``name``), not a promotion: MLF402 has nothing to gate.
            self.add("registry_operation", call, api=display_api(callee), model=name, target=f"{NEW_VERSION} the model it logs", gate="-")

    def experiment(self, call: ast.Call, callee: str) -> None:
        spec = _EXPERIMENT_CALLS.get(callee)
        if spec is None:
            return
        name = self.name_of(argument(call, *spec))
        if name is not None:
            self.out.experiments.append(
                NameUse(name, self.shown, self.line_of(call), display_api(callee), cell=self.cell_of(call))
            )

    # -- pillars 5 and 8: runs ---------------------------------------------------------------------
    def runs(self) -> None:
        required = self.options.required_tags
        autolog: bool | None = None  # asked only of a run that logs no input itself
        for run in new_runs(self.module):
            effects = run.effects(self.module)
            tags = effects.tags
            keys = ", ".join(sorted(tags.keys))
            if tags.unknown:
                keys = f"{keys} + keys decided at run time" if keys else "keys decided at run time"
            if tags.unknown:
                missing = "unknown"
            elif required:
                missing = ", ".join(key for key in required if key not in tags.keys) or "none"
            else:
                missing = "none" if tags.keys else "(any tag)"
            label = self._run_label(run)
            trains = trains_model(self.module, run)
            if required or trains:  # without required-tags, MLF501 judges training runs only (policy)
                self.add("run", run.call, run=label, tags=keys or "none", missing=missing)
            if not (effects.logs_input or trains):
                continue  # no model and no data: nothing of lineage to judge (a metrics-only run)
            if not effects.logs_input and autolog is None:
                autolog = enables_autolog(self.module)
            logs_input = "yes" if effects.logs_input else ("autolog" if autolog else "no")
            self.add(
                "run_lineage",
                run.call,
                run=label,
                logs_model="yes" if effects.trains_model else ("autolog" if trains else "no"),
                logs_input=logs_input,
            )

    def _run_label(self, run: RunScope) -> str:
        position, keyword = _CREATE_RUN_NAME if run.label.startswith("MlflowClient") else _START_RUN_NAME
        name = argument(run.call, position, keyword)
        if name is None:
            return run.label
        return f"{run.label[:-1]}run_name={self.shown_value(name)})"


# -- gates -------------------------------------------------------------------------------------
def describe_gate(
    gates: GateAnalysis, call: ast.Call, target_expr: ast.expr | None, target: str = "alias", *, project_wide: bool = True
) -> str | None:
    """How a promotion is gated, for the evidence table; None when it is not.

    ``GateAnalysis.is_gated`` and ``choosing_test`` decide (the answers MLF402 gets); this
    only finds the statement to name, best effort. ``target``: what ``target_expr`` is;
    ``project_wide=False``: callers in other modules are not searched.
    """
    chosen = gates.choosing_test(target_expr) if target_expr is not None else None
    if chosen is not None:
        return f"{target} chosen by: {_short(chosen)}"
    if not gates.is_gated(call, project_wide=project_wide):
        return None
    model = gates.model
    child: ast.AST = call
    for ancestor in model.ancestors(call):
        if (
            isinstance(ancestor, (ast.If, ast.IfExp))
            and child is not ancestor.test
            and gates.is_gate_test(ancestor.test)
        ):
            return f"if {_short(ancestor.test)}"
        if isinstance(child, ast.stmt) or isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Module)):
            earlier = _earlier_guard(gates, child, ancestor)
            if earlier is not None:
                return earlier
        if isinstance(ancestor, (ast.FunctionDef, ast.AsyncFunctionDef)):
            return f"every call of {ancestor.name}() is gated"
        child = ancestor
    return "gated"


def _earlier_guard(gates: GateAnalysis, statement: ast.AST, parent: ast.AST) -> str | None:
    for field_name in ("body", "orelse", "finalbody"):
        block = getattr(parent, field_name, None)
        if not isinstance(block, list) or statement not in block:
            continue
        for earlier in reversed(block[: block.index(statement)]):
            if isinstance(earlier, ast.Assert) and gates.is_gate_test(earlier.test):
                return f"assert {_short(earlier.test)}"
            if isinstance(earlier, ast.If) and gates.is_gate_test(earlier.test):
                return f"guard: if {_short(earlier.test)}: ..."
            if gates.is_raising_gate(earlier):
                return _short(earlier.value)
    return None


# -- classification ------------------------------------------------------------------------------
_KIND_LABELS = {
    UriKind.HTTPS: "remote server (https)",
    UriKind.HTTP: "remote server (http)",
    UriKind.DATABRICKS: "Databricks",
    UriKind.LOCAL_PATH: "local path",
    UriKind.FILE: "file: URI (local)",
    UriKind.SQLITE: "SQLite file",
    UriKind.SQL_DATABASE: "SQL database",
    UriKind.OBJECT_STORE: "object store",
    UriKind.MLFLOW_ARTIFACTS: "mlflow-artifacts",
    UriKind.RUNS: "runs: URI",
    UriKind.MODELS: "models: URI",
    UriKind.OTHER: "other scheme",
}


def _label(value: StrValue) -> str:
    if value.path_object:
        return "local path"
    kind = classify(value)
    if kind is UriKind.UNKNOWN:
        return "decided at run time" if value.holes() else "unknown"
    if kind is UriKind.HTTP:
        host = http_host(value)
        if host is not None and is_loopback(host):
            return "local server (http, loopback)"
    label: str = _KIND_LABELS.get(kind, kind.value)  # mypy: Any, once kind is narrowed
    return label


def uri_kind(values: tuple[StrValue, ...]) -> str:
    if not values:
        return "decided at run time"
    return " or ".join(dict.fromkeys(_label(v) for v in values))


def backend_label(values: tuple[StrValue, ...]) -> str:
    labels = []
    for value in values or (StrValue(()),):
        kind = classify(value) if value.parts else UriKind.UNKNOWN
        if value.path_object or kind in (UriKind.LOCAL_PATH, UriKind.FILE):
            labels.append("file store (local ./mlruns-style directory)")
        elif kind is UriKind.SQLITE:
            labels.append("SQLite file")
        elif kind is UriKind.SQL_DATABASE:
            labels.append(f"SQL database ({scheme_of(value) or 'sql'}), accessed directly")
        elif kind in (UriKind.HTTP, UriKind.HTTPS):
            labels.append("tracking server (its backend store is configured on the server)")
        elif kind is UriKind.DATABRICKS:
            labels.append("Databricks-managed")
        else:
            labels.append("decided at run time")
    return " or ".join(dict.fromkeys(labels))


def transport_label(values: tuple[StrValue, ...], declares_service: DeclaresService | None = None) -> str:
    """How a tracking URI's traffic travels, as MLF702 judges its host (``declares_service``:
    the Services of the project's manifests)."""
    labels = []
    for value in values or (StrValue(()),):
        kind = classify(value) if value.parts else UriKind.UNKNOWN
        if kind is UriKind.HTTPS:
            labels.append("HTTPS")
        elif kind is UriKind.HTTP:
            host = http_host(value)
            if host is None:
                labels.append("plain HTTP (host decided at run time)")
            elif is_loopback(host):
                labels.append("plain HTTP to a loopback address")
            elif is_internal_host(host, declares_service):  # MLF702's judgement: the traffic stays on a private network
                labels.append("plain HTTP to a cluster or compose service")
            else:
                labels.append("plain HTTP to a remote host (unencrypted)")
        elif kind is UriKind.DATABRICKS:
            labels.append("HTTPS (Databricks)")
        elif value.path_object or kind in (UriKind.LOCAL_PATH, UriKind.FILE, UriKind.SQLITE):
            labels.append("none (local store)")
        elif kind is UriKind.SQL_DATABASE:
            labels.append("direct database connection")
        else:
            labels.append("decided at run time")
    return " or ".join(dict.fromkeys(labels))


def _artifact_kind(values: tuple[StrValue, ...], role: str) -> str:
    labels = []
    for value in values or (StrValue(()),):
        kind = classify(value) if value.parts else UriKind.UNKNOWN
        if kind is UriKind.OBJECT_STORE:
            labels.append(f"object store ({scheme_of(value)}) hard-coded")
        elif kind in (UriKind.FILE, UriKind.MLFLOW_ARTIFACTS):
            labels.append(f"{kind.value} URI hard-coded")
        elif kind is UriKind.LOCAL_PATH or value.path_object:
            absolute = value.local_path or value.prefix.startswith(("/", "~", "\\\\"))
            if role == "location":
                labels.append("local path hard-coded")
            else:
                labels.append("absolute local path" if absolute else "relative path in the run's artifact root")
        elif role == "destination":
            labels.append("path in the run's artifact root")
        else:
            labels.append("decided at run time")
    return " or ".join(dict.fromkeys(labels))


def _by_argument(parts: list[tuple[str, str]]) -> str:
    """``text`` of the first argument, then ``parameter: text`` of each other one."""
    return "; ".join(text if index == 0 else f"{keyword}: {text}" for index, (keyword, text) in enumerate(parts))


def consumed_how(values: tuple[StrValue, ...], loads_model: bool) -> str:
    if not values:
        return "decided at run time"
    labels = []
    for value in values:
        kind = classify(value)
        if kind is UriKind.MODELS:
            reference = parse_models_uri(value)
            labels.append(
                {
                    "alias": f"registry alias @{reference.reference}" if reference.reference else "registry alias",
                    "version": f"pinned registry version {reference.reference}",
                    "stage": f"registry stage {reference.reference} (deprecated)",
                    "latest": "latest registry version",
                    "model-id": "logged model id",
                }.get(reference.kind, "registry (reference decided at run time)")
            )
        elif kind is UriKind.RUNS:
            run_id = runs_uri_run_id(value)
            current = (
                isinstance(run_id, Hole)
                and run_id.expr is not None
                and run_id.module is not None
                and is_current_run_id(run_id.module, run_id.expr)
            )
            labels.append("the run this code just created" if current else "a run (runs:/)")
        elif kind in (UriKind.OBJECT_STORE, UriKind.FILE, UriKind.MLFLOW_ARTIFACTS):
            labels.append(f"raw storage path ({scheme_of(value) or kind.value})")
        elif kind is UriKind.LOCAL_PATH and (is_path_like(value) or not loads_model):
            labels.append("raw local path")
        elif value.path_object:
            labels.append("local path object")
        else:
            labels.append("decided at run time")
    return " or ".join(dict.fromkeys(labels))


_PROMPT_HOW = {"latest": "latest version (@latest)", "name": "latest version (a bare name)"}


def _prompt_how(load: PromptLoad, managed: bool) -> str:
    """How a prompt is addressed, as consumed_how says it of a model."""
    if load.kind == "alias":
        return f"registry alias @{load.reference}"
    if load.kind == "version":
        how = f"pinned version {load.reference}"
    elif load.kind in _PROMPT_HOW:
        how = _PROMPT_HOW[load.kind]
    else:
        return "decided at run time"
    # MLF605 leaves a module that registers the prompt or moves its aliases reading it back.
    return f"{how}, read back where it is registered" if managed and load.kind in UNGOVERNED else how


def models_uri_name(value: StrValue) -> str | None:
    """``churn`` in ``models:/churn@champion`` when the name is literal text."""
    if classify(value) is not UriKind.MODELS:
        return None
    prefix = value.prefix
    body = prefix[len("models:") :].lstrip("/")
    for separator in ("@", "/"):
        if separator in body:
            return body.split(separator, 1)[0] or None
    return body if value.complete and body and not body.startswith("m-") else None


def _is_none(expr: ast.expr | None) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is None


def _unparse(node: ast.AST) -> str:
    try:
        return ast.unparse(node)
    except Exception:  # noqa: BLE001 - display only
        return "…"


def _short(node: ast.AST) -> str:
    return clip(_unparse(node), 70)


def clip(text: str, limit: int = _MAX_SHOWN) -> str:
    """Shortened for a table cell, with any ``user:password@`` in a URI masked."""
    text = mask_secrets(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"
