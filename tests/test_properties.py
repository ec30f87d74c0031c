"""Property-based tests: whatever a file holds, the linter answers, the same way every time.

Inputs come from three places:

- hypothesmith: syntactically valid Python generated from the grammar, linted as it is,
  behind an MLflow import prefix, with MLflow calls appended, as a Jupyter notebook and
  as a Databricks source notebook;
- "MLflow-flavoured" programs composed here from MLflow API calls, clients, runs, gates,
  environment assignments and the URIs and secrets the rules look for, so that the
  checks fire (one test asserts that they do); likewise for .env, YAML, shell and
  Dockerfile sources;
- arbitrary bytes and text through every source kind.

Properties: linting never raises; no finding is an internal error (MLF000 "internal
error in the ... check"); valid Python is never MLF000; positions are well formed; the
same input gives the same findings (twice in one process, in a fresh worker process,
and through lint_paths with and without its process pool); the JSON and SARIF reports
of any findings are valid (the SARIF one against the SARIF 2.1.0 schema) and rendering
twice gives the same bytes.

The default run is short and deterministic (``derandomize``). ``MLFLOW_LINT_FUZZ=long``
(see ``scripts/fuzz.sh``) runs each property far longer with random seeds;
``MLFLOW_LINT_FUZZ_SHARD=i/n`` gives this process 1/n of every budget, and
``MLFLOW_LINT_FUZZ_REPORT=FILE`` records how many examples each property ran.
"""

from __future__ import annotations

import contextlib
import json
import math
import multiprocessing
import os
import re
import tempfile
import warnings
from collections import Counter
from collections.abc import Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import astuple
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from mlflow_lint.catalog import load_catalog
from mlflow_lint.config import Config
from mlflow_lint.engine import SkippedFile, lint_bytes, lint_paths
from mlflow_lint.findings import Finding, sort_findings
from mlflow_lint.project import ProjectIndex
from mlflow_lint.reporters.github import render_github
from mlflow_lint.reporters.json_report import render_json
from mlflow_lint.reporters.sarif import render_sarif
from mlflow_lint.reporters.text import render_text

from .markers import expected_findings, strip_markers
from .sarif_tools import schema_errors

CATALOG = load_catalog()
# Every rule, MLF001 (off by default) included: the most code runs on every input.
EVERY_RULE = frozenset(rule.id for rule in CATALOG)

# ---------------------------------------------------------------------------- budgets
PROFILE = os.environ.get("MLFLOW_LINT_FUZZ", "default").strip() or "default"
_HEALTH = [HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much]
settings.register_profile(
    "mlflow-lint-default", deadline=None, derandomize=True, database=None, print_blob=True, suppress_health_check=_HEALTH
)
settings.register_profile(
    "mlflow-lint-long", deadline=None, derandomize=False, database=None, print_blob=True, suppress_health_check=_HEALTH
)
# Examples per property. "default" keeps the whole file well under a minute on two cores;
# hypothesmith's generator costs ~0.1 s per program (grammar) and ~0.4 s (node), the
# linter itself well under 1 ms, so the budgets follow the generators.
BUDGETS: dict[str, dict[str, int]] = {
    "default": {
        "hypothesmith": 60,
        "hypothesmith-node": 12,
        "flavoured": 120,
        "text-sources": 60,
        "bytes": 25,
        "notebooks": 60,
        "reports": 40,
        "synthetic-reports": 40,
        "worker-process": 30,
        "pool": 4,
    },
    "long": {
        "hypothesmith": 10_000,
        "hypothesmith-node": 1_000,
        "flavoured": 20_000,
        "text-sources": 10_000,
        "bytes": 2_000,
        "notebooks": 5_000,
        "reports": 1_000,
        "synthetic-reports": 2_000,
        "worker-process": 1_000,
        "pool": 40,
    },
}
if PROFILE not in BUDGETS:
    raise RuntimeError(f"MLFLOW_LINT_FUZZ={PROFILE!r}: use one of {', '.join(BUDGETS)}")


def _shard() -> tuple[int, int]:
    match = re.fullmatch(r"\s*(\d+)\s*/\s*(\d+)\s*", os.environ.get("MLFLOW_LINT_FUZZ_SHARD", "") or "0/1")
    if match is None or int(match.group(2)) < 1:
        raise RuntimeError("MLFLOW_LINT_FUZZ_SHARD must look like 0/2")
    return int(match.group(1)), int(match.group(2))


def budget(name: str) -> settings:
    """The settings of one property under the selected profile (and shard)."""
    _, shards = _shard()
    examples = max(1, math.ceil(BUDGETS[PROFILE][name] / shards))
    return settings(settings.get_profile(f"mlflow-lint-{PROFILE}"), max_examples=examples)


RUNS: Counter[str] = Counter()  # examples each property ran (shrinking included)
_REPORT = os.environ.get("MLFLOW_LINT_FUZZ_REPORT")


def _write_report() -> None:
    if _REPORT:
        Path(_REPORT).write_text(json.dumps(dict(sorted(RUNS.items())), indent=2) + "\n", encoding="utf-8")


def count(name: str) -> None:
    """One more example of a property; a long run's report file shows the progress."""
    RUNS[name] += 1
    if RUNS[name] % 250 == 0:
        _write_report()


@pytest.fixture(scope="module", autouse=True)
def _report_runs() -> Iterator[None]:
    yield
    _write_report()


@pytest.fixture(autouse=True)
def _quiet_syntax_warnings() -> Iterator[None]:
    # hypothesmith compile()s what it generates: "'int' object is not callable" and the like.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)
        yield


# ---------------------------------------------------------------------------- the checks of every property
INTERNAL_ERROR = "internal error"


def lint(
    data: bytes, shown: str = "example.py", kind: str | None = None, rules: frozenset[str] = EVERY_RULE
) -> list[Finding] | None:
    """Findings of one in-memory file (None: a YAML or TOML file deliberately skipped)."""
    try:
        return lint_bytes(data, shown, rules, path=Path("/nonexistent") / shown, project=ProjectIndex(None), kind=kind)
    except SkippedFile:
        if kind not in ("yaml", "mise"):  # templated or broken configuration: skipped on purpose
            raise
        return None


def line_count(data: bytes) -> int:
    """Lines of a file by any definition a reader might use (Python's, str.splitlines)."""
    text = data.decode("utf-8", errors="replace")
    return max(len(re.split(r"\r\n|\r|\n", text)), len(text.splitlines()) + 1, 1)


def assert_sane(findings: list[Finding], shown: str, rules: frozenset[str], data: bytes | None = None) -> None:
    for finding in findings:
        assert INTERNAL_ERROR not in finding.message, finding
        assert finding.rule in rules or finding.rule == "MLF000", finding
        assert finding.path == shown, finding
        assert finding.message.strip(), finding
        assert finding.line >= 1 and finding.column >= 1, finding
        assert finding.end_line >= finding.line, finding
        if finding.end_line == finding.line:
            assert finding.end_column >= finding.column, finding
        if data is not None and finding.cell is None:
            assert finding.end_line <= line_count(data), finding


def full(findings: list[Finding] | None) -> list[tuple[Any, ...]] | None:
    """Findings with every field (equality of Finding leaves out the message)."""
    return None if findings is None else [astuple(finding) for finding in findings]


def check_file(data: bytes, shown: str, kind: str | None = None, rules: frozenset[str] = EVERY_RULE) -> list[Finding]:
    """Lint twice: no exception, sane findings, the same findings both times."""
    note(f"{shown} ({kind or 'by name'}): {data!r}")
    first = lint(data, shown, kind, rules)
    second = lint(data, shown, kind, rules)
    assert full(first) == full(second), "the same input gave different findings"
    if first is None:
        return []
    assert_sane(first, shown, rules, data if kind not in ("notebook",) else None)
    return first


def compiles(data: bytes) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            compile(data, "<fuzz>", "exec", dont_inherit=True)
    except (SyntaxError, ValueError, RecursionError, MemoryError, UnicodeError):
        return False
    return True


def assert_no_unanalysable(findings: list[Finding], why: str) -> None:
    problems = [finding for finding in findings if finding.rule == "MLF000"]
    assert not problems, f"{why}, yet: {problems}"


# ---------------------------------------------------------------------------- MLflow-flavoured Python
PREFIX = "import mlflow\nfrom mlflow import MlflowClient\n"

URIS = [
    "runs:/x/model", "runs:/0a1b2c3d/model", "runs:/", "s3://b/k", "s3://bucket/models/churn", "gs://b/k",
    "wasbs://c@acct.blob.core.windows.net/p", "abfss://c@acct.dfs.core.windows.net/p", "dbfs:/models/x",
    "hdfs://nn/x", "file:///tmp/mlruns", "file:./mlruns", "./mlruns", "mlruns", "/abs/path/mlruns",
    "C:\\mlruns", "sqlite:///m.db", "sqlite:///mlflow.db", "sqlite://", "models:/m/Production",
    "models:/m/Staging", "models:/m/None", "models:/m/3", "models:/m@champion", "models:/m/latest",
    "mlflow-artifacts:/1/abc/artifacts/model", "http://tracking.example.com", "http://127.0.0.1:5000",
    "http://localhost:5000", "https://tracking.example.com", "https://user:pa55word@host",
    "http://admin:s3cr3t@mlflow.internal:5000", "databricks", "databricks://profile", "databricks-uc",
    "postgresql://u:p@db:5432/mlflow", "mysql+pymysql://u:p@db/mlflow", "", " ", "runs:/{}/model",
    "models:/", "s3:/", "file:", "\u00e9\u2028\u00e9", "%s", "{run_id}",
]  # fmt: skip
ALIASES = ["champion", "production", "prod", "challenger", "Production", "Staging", "Archived", "None", "v3", "latest"]
ENV_NAMES = [
    "MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI", "MLFLOW_TRACKING_PASSWORD", "MLFLOW_TRACKING_TOKEN",
    "MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_INSECURE_TLS", "MLFLOW_S3_ENDPOINT_URL", "DATABRICKS_TOKEN",
    "DATABRICKS_HOST", "AWS_SECRET_ACCESS_KEY", "AWS_ACCESS_KEY_ID", "AWS_SESSION_TOKEN", "AZURE_STORAGE_ACCESS_KEY",
    "MLFLOW_SERVER_DISABLE_SECURITY_MIDDLEWARE", "MLFLOW_EXPERIMENT_NAME", "GIT_COMMIT", "DATA_VERSION", "HOME",
]  # fmt: skip
SECRETS = ["hunter2-secret-value", "dapi0123456789abcdef", "AKIAXXXXXXXX", "true", "1", "false", "${PW}", "$PW", "$(cat pw)", ""]
FLAVOURS = ["pyfunc", "sklearn", "pytorch", "tensorflow", "keras", "xgboost", "lightgbm", "transformers", "spark", "onnx"]
NAMES = ["uri", "model_uri", "URI", "TRACKING_URI", "run_id", "rid", "name", "alias", "client", "run", "model", "x"]

# Strategies are built once: building them inside a draw costs more than the linting.
uri = st.sampled_from(URIS)
alias = st.sampled_from(ALIASES)
secret = st.sampled_from(SECRETS)
env_name = st.sampled_from(ENV_NAMES)
identifier = st.sampled_from(NAMES)
literal = st.one_of(uri, uri, uri, alias, secret, st.text(max_size=12))
_atoms = st.one_of(
    literal.map(repr),
    literal.map(repr),
    identifier,
    st.integers(-2, 12).map(str),
    st.sampled_from(["None", "True", "...", "[]", "{}", "run.info.run_id", "mlflow.active_run().info.run_id",
                     "info.model_uri", "mlflow.last_active_run().info.run_id"]),
    st.builds(
        lambda template, name, default: template.format(n=repr(name), d=repr(default)),
        st.sampled_from(["os.environ.get({n})", "os.environ.get({n}, {d})", "os.getenv({n})", "os.getenv({n}, {d})",
                         "os.environ[{n}]", "environ.get({n}, {d})"]),
        env_name,
        literal,
    ),
    st.builds(
        lambda head, inner, tail: f'f"{head}{{{inner}}}{tail}"',
        st.sampled_from(["runs:/", "models:/m/", "models:/m@", "s3://b/", "file://", "http://h/", ""]),
        identifier,
        st.sampled_from(["/model", "", "/artifacts", "@champion"]),
    ),
)  # fmt: skip
expression = st.recursive(
    _atoms,
    lambda inner: st.one_of(
        st.builds(lambda a, b: f"{a} + {b}", inner, inner),
        st.builds(lambda a, b: f"{a!r}.format({b})", literal, inner),
        inner.map(lambda a: f"{a}[0]"),
        st.builds(lambda f, a: f"{f}({a})", identifier, inner),
    ),
    max_leaves=3,
)
# What a positional argument of an API usually is; any expression a quarter of the time.
ARGUMENT_KINDS = {
    "uri": uri.map(repr),
    "name": st.sampled_from(["'churn'", "name", "MODEL_NAME", "'m'"]),
    "alias": alias.map(repr),
    "stage": st.sampled_from(["'Production'", "'Staging'", "'Archived'", "'None'", "stage"]),
    "version": st.sampled_from(["3", "'3'", "mv.version", "version"]),
    "path": st.sampled_from(["'model.pkl'", "'outputs'", "local_path"]),
    "model": st.sampled_from(["model", "clf", "pipeline"]),
    "tags": st.sampled_from(["{'git_commit': sha, 'data_version': dv}", "{}", "{'owner': os.environ.get('USER')}", "tags"]),
    "any": expression,
}
_argument_kinds = {kind: st.one_of(strategy, strategy, strategy, expression) for kind, strategy in ARGUMENT_KINDS.items()}
_KEYWORD_KINDS = {
    "uri": "uri", "model_uri": "uri", "artifact_uri": "uri", "artifact_location": "uri", "tracking_uri": "uri",
    "registry_uri": "uri", "source": "uri", "artifact_path": "path", "name": "name", "alias": "alias", "stage": "stage",
    "stages": "any", "version": "version", "tags": "tags", "model": "uri", "signature": "any", "input_example": "any",
}  # fmt: skip
_optional_keyword = st.booleans()
_double_star = st.integers(0, 9)
_API = st.sampled_from(
    [
        ("{m}.set_tracking_uri", ["uri"], []),
        ("{m}.set_registry_uri", ["uri"], []),
        ("{m}.{f}.load_model", ["uri"], ["dst_path"]),
        ("{m}.pyfunc.load_model", [], ["model_uri"]),
        ("load_model", ["uri"], []),
        ("{m}.pyfunc.spark_udf", ["any", "uri"], ["result_type"]),
        ("{m}.artifacts.download_artifacts", ["uri"], ["run_id", "artifact_path"]),
        ("{c}.download_artifacts", ["any", "path"], []),
        ("{m}.evaluate", [], ["model", "data", "targets"]),
        ("{m}.register_model", ["uri", "name"], []),
        ("{c}.create_model_version", ["name", "uri"], ["run_id"]),
        ("{m}.create_experiment", ["name"], ["artifact_location"]),
        ("{c}.create_experiment", ["name"], ["artifact_location"]),
        ("{m}.log_artifact", ["path", "uri"], []),
        ("{m}.log_artifacts", ["path"], ["artifact_path"]),
        ("{c}.transition_model_version_stage", ["name", "version", "stage"], ["archive_existing_versions"]),
        ("{c}.get_latest_versions", ["name"], ["stages"]),
        ("{c}.set_registered_model_alias", ["name", "alias", "version"], []),
        ("{c}.delete_registered_model_alias", ["name", "alias"], []),
        ("{c}.delete_model_version", ["name", "version"], []),
        ("{c}.delete_registered_model", ["name"], []),
        ("{m}.delete_run", ["any"], []),
        ("{c}.delete_experiment", ["any"], []),
        ("{m}.start_run", [], ["run_id", "run_name", "tags", "nested"]),
        ("{c}.create_run", ["any"], ["tags"]),
        ("{m}.set_tag", ["any", "any"], []),
        ("{m}.set_tags", ["tags"], []),
        ("{m}.log_input", ["any"], ["context"]),
        ("{m}.{f}.log_model", ["model", "path"], ["signature", "input_example", "registered_model_name"]),
        ("{m}.log_param", ["any", "any"], []),
        ("{m}.set_experiment", ["name"], []),
        ("{m}.models.build_docker", [], ["model_uri", "name"]),
        ("{c}.search_model_versions", ["any"], []),
        ("MlflowClient", [], ["tracking_uri", "registry_uri"]),
        ("C", [], ["tracking_uri"]),
    ]
)
_module = st.sampled_from(["mlflow", "mlflow", "mf"])
_client = st.sampled_from(["client", "client", "self._client", "MlflowClient()", "mlflow.MlflowClient()", "mlflow.tracking.MlflowClient()"])
_flavour = st.sampled_from(FLAVOURS)


@st.composite
def mlflow_call(draw: st.DrawFn) -> str:
    """One MLflow API call, through the module, an alias, a client or an imported name."""
    name, positional, keywords = draw(_API)
    callee = name.format(m=draw(_module), c=draw(_client), f=draw(_flavour))
    parts = [draw(_argument_kinds[kind]) for kind in positional]
    for keyword in keywords:
        if draw(_optional_keyword):
            parts.append(f"{keyword}={draw(_argument_kinds[_KEYWORD_KINDS.get(keyword, 'any')])}")
    if draw(_double_star) == 0:
        parts.append("**kwargs")
    return f"{callee}({', '.join(parts)})"


IMPORTS = [
    "import mlflow as mf", "import mlflow.pyfunc", "from mlflow import MlflowClient",
    "from mlflow.tracking import MlflowClient", "from mlflow import MlflowClient as C",
    "from mlflow.tracking import MlflowClient as C", "from mlflow.pyfunc import load_model",
    "from mlflow.sklearn import load_model", "from os import environ", "import mlflow.sklearn as sk",
    "from mlflow import *", "from settings import TRACKING_URI", "from .settings import uri",
    "from mlflow.models import infer_signature",
]  # fmt: skip
_import = st.sampled_from(IMPORTS)
_env_statement = st.builds(
    lambda template, name, value: template.format(n=repr(name), v=value),
    st.sampled_from(["os.environ[{n}] = {v}", "os.environ.setdefault({n}, {v})", "os.environ.update({{{n}: {v}}})",
                     "os.putenv({n}, {v})", "environ[{n}] = {v}"]),
    env_name,
    st.one_of(literal.map(repr), literal.map(repr), expression),
)  # fmt: skip
_client_statement = st.builds(
    lambda target, cls, argument: f"{target} = {cls}({argument})",
    st.sampled_from(["client", "client", "self._client", "c"]),
    st.sampled_from(["MlflowClient", "C", "mlflow.MlflowClient", "mf.MlflowClient"]),
    st.sampled_from(["", "", "tracking_uri=TRACKING_URI"]) | uri.map(lambda u: f"tracking_uri={u!r}") | uri.map(repr),
)
_call_target = st.sampled_from(["", "", "", "model = ", "info = ", "run = ", "mv = "])
_simple = st.one_of(
    st.builds(lambda target, call: [target + call], _call_target, mlflow_call()),
    st.builds(lambda target, call: [target + call], _call_target, mlflow_call()),
    st.builds(lambda target, call: [target + call], _call_target, mlflow_call()),
    st.builds(lambda name, value: [f"{name} = {value}"], identifier, expression),
    _env_statement.map(lambda line: [line]),
    _import.map(lambda line: [line]),
    _client_statement.map(lambda line: [line]),
    expression.map(lambda line: [line]),
)
_with_header = st.sampled_from(
    ["with mlflow.start_run() as run:", "with mf.start_run(run_name='x') as run:", "with mlflow.start_run(run_id=rid):",
     "with mlflow.start_run(tags={'git_commit': os.environ.get('GIT_COMMIT')}) as run:", "with client.start_run():"]
)  # fmt: skip
_if_header = st.sampled_from(
    ["if new_metric > best_metric:", "if accuracy >= 0.9:", "if approved(model):", "if True:", "if x:", "if not ok:",
     "if metrics['auc'] < threshold:"]
)  # fmt: skip
_else = st.sampled_from([[], ["else:", "    raise SystemExit(1)"], ["else:", "    pass"]])
_def_header = st.builds(
    lambda name, params: f"def {name}({params}):",
    st.sampled_from(["promote", "load", "train", "tag_lineage", "approved", "main", "gate"]),
    st.sampled_from(["", "client", "client: MlflowClient", "uri, alias='champion'", "*args, **kwargs"]),
)
_return = st.sampled_from([[], ["    return model"], ["    return"]])
_compound_kind = st.sampled_from(["with", "if", "def", "class", "try", "for"])


def _indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


def _compound(body: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    indented = body.map(_indent)
    return st.one_of(
        st.builds(lambda header, lines: [header, *lines], _with_header, indented),
        st.builds(lambda header, lines, tail: [header, *lines, *tail], _if_header, indented, _else),
        st.builds(lambda header, lines, tail: [header, *lines, *tail], _def_header, indented, _return),
        indented.map(
            lambda lines: ["class Service:", "    def __init__(self):", "        self._client = MlflowClient()",
                           "    def run(self):", *_indent(lines)]
        ),
        indented.map(lambda lines: ["try:", *lines, "except Exception:", "    raise"]),
        indented.map(lambda lines: ["for v in versions:", *lines]),
    )  # fmt: skip


def _statements(inner: st.SearchStrategy[list[str]]) -> st.SearchStrategy[list[str]]:
    return st.lists(inner, min_size=1, max_size=3).map(lambda groups: [line for group in groups for line in group])


# A statement: simple (mostly) or compound, nested up to three deep.
statement = st.deferred(lambda: st.one_of(_simple, _simple, _compound(_statements(_level2))))
_level2 = st.one_of(_simple, _simple, _compound(_statements(st.deferred(lambda: _level3))))
_level3 = st.one_of(_simple, _compound(_statements(_simple)))
_base_imports = st.lists(_import, max_size=3, unique=True)
_prefix_choice = st.booleans()
_noqa = st.sampled_from(["  # noqa", "  # noqa: MLF601", "  # noqa: MLF999", "  # noqa: MLF1", "  # noqa: MLF402"])


# The way to each rule: every invalid example of the catalog (rules/*.yaml), the rules it
# must reach read from its "# error:" markers. Every program gets two to four, so that in
# the default run each rule the test expects is reached many times over (whatever the
# seed), while the statements around them come from the general strategy above. A new
# rule's examples join without a line here.
def _python_triggers() -> tuple[list[tuple[list[str], set[str]]], list[str]]:
    """(lines, rules they must reach) of every Python invalid example, and test ids."""
    triggers, ids = [], []
    for rule in CATALOG:
        for index, example in enumerate(rule.invalid_examples):
            if example.file.endswith(".py"):
                triggers.append((example.code.rstrip("\n").splitlines(), {code for _, code in expected_findings(example.code)}))
                ids.append(f"{rule.id}-invalid-{index}")
    return triggers, ids


PYTHON_TRIGGERS, PYTHON_TRIGGER_IDS = _python_triggers()
_trigger = st.one_of(
    st.sampled_from([lines for lines, _ in PYTHON_TRIGGERS]),
    st.builds(lambda api, value: [f"mlflow.{api}({value!r})"], st.sampled_from(["set_tracking_uri", "set_registry_uri"]), uri),
    st.builds(lambda api, value: [f"mlflow.{api}.load_model({value!r})"], _flavour, uri),
    st.builds(lambda name, value: [f"os.environ[{name!r}] = {value!r}"], env_name, st.one_of(uri, secret)),
    st.builds(
        lambda verb, value: ["client = MlflowClient()", f"client.{verb}('churn', {value!r}{', 3' if verb.startswith('set') else ''})"],
        st.sampled_from(["set_registered_model_alias", "delete_registered_model_alias"]),
        alias,
    ),
)
_triggers = st.lists(st.sampled_from([lines for lines, _ in PYTHON_TRIGGERS]), min_size=2, max_size=4).flatmap(
    lambda focused: st.lists(_trigger, max_size=1).map(lambda more: focused + more)
)


@st.composite
def mlflow_program(draw: st.DrawFn, min_statements: int = 1, max_statements: int = 8) -> str:
    """A module of MLflow imports, clients, calls, runs and gates: valid Python, often flagged."""
    lines = ["import mlflow", "import os"] if draw(_prefix_choice) else ["import os", PREFIX.rstrip("\n")]
    lines += draw(_base_imports)
    for group in draw(st.lists(statement, min_size=min_statements, max_size=max_statements)) + draw(_triggers):
        lines += group
    if draw(_double_star) == 0:  # a suppression comment on some line
        index = draw(st.integers(0, len(lines) - 1))
        lines[index] += draw(_noqa)
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------- notebooks
def as_notebook(cells: list[str], language: str = "python", list_sources: bool = True) -> bytes:
    document = {
        "cells": [
            {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
             "source": source.splitlines(keepends=True) if list_sources else source}
            for source in cells
        ],
        "metadata": {"kernelspec": {"language": language, "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }  # fmt: skip
    return json.dumps(document).encode("utf-8")


def as_databricks(cells: list[str]) -> bytes:
    body = "\n# COMMAND ----------\n\n".join(cell.rstrip("\n") for cell in cells)
    return ("# Databricks notebook source\n" + body + "\n").encode("utf-8", "surrogatepass")


def _json_containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    _json_containers,
    max_leaves=12,
)
cell_source = mlflow_program(max_statements=4) | st.sampled_from(
    ["%pip install mlflow\n", "!ls\n", "%%bash\nmlflow server --host 0.0.0.0\n", "files = !ls\n", "x?\n", "ls /tmp\n",
     "%%time\nimport mlflow\n", "def f(:\n", "# MAGIC %md\n", "mlflow.pyfunc.load_model('runs:/x/m')\n"]
) | st.text(max_size=40)  # fmt: skip


@st.composite
def notebook_document(draw: st.DrawFn) -> bytes:
    """Notebook-shaped JSON with every field possibly of the wrong type."""
    cells = []
    for _ in range(draw(st.integers(0, 5))):
        source = draw(cell_source)
        cell: Any = {
            "cell_type": draw(st.sampled_from(["code", "code", "markdown", "raw", None, 3])),
            "source": draw(st.one_of(st.just(source), st.just(source.splitlines(keepends=True)), json_values)),
        }
        if draw(st.integers(0, 6)) == 0:
            cell = draw(json_values)
        cells.append(cell)
    metadata: Any = draw(
        st.sampled_from(
            [{}, {"kernelspec": {"language": "python"}}, {"kernelspec": {"language": "R"}}, {"language_info": {"name": "python"}}]
        )
        | json_values
        | st.fixed_dictionaries({"kernelspec": json_values, "language_info": json_values})
    )
    document: Any = {"cells": cells, "metadata": metadata, "nbformat": 4, "nbformat_minor": 5}
    mutation = draw(st.integers(0, 9))
    if mutation == 0:
        document = draw(json_values)
    elif mutation == 1:
        document["cells"] = draw(json_values)
    return json.dumps(document).encode("utf-8")


# ---------------------------------------------------------------------------- text sources
ENV_VALUES = st.sampled_from(URIS) | st.sampled_from(SECRETS) | st.text(max_size=10)
SERVER_OPTIONS = [
    "--host 0.0.0.0", "--host=0.0.0.0", "-h 0.0.0.0", "--host ::", "--host 127.0.0.1", "--port 5000",
    "--backend-store-uri sqlite:///m.db", "--backend-store-uri ./mlruns", "--backend-store-uri postgresql://u:p@db/m",
    "--default-artifact-root ./artifacts", "--default-artifact-root s3://b/a", "--artifacts-destination /data",
    "--app-name basic-auth", "--disable-security-middleware", "--allowed-hosts '*'", "--cors-allowed-origins '*'",
    "--serve-artifacts", "-m runs:/x/model", "-m models:/m/3", "-m s3://b/model", "--env-manager=local", "--workers 4",
]  # fmt: skip
COMMANDS = [
    "mlflow server", "mlflow ui", "mlflow models serve", "mlflow models predict", "mlflow models build-docker",
    "mlflow deployments create", "python -m mlflow server", "uv run mlflow server", "exec mlflow server",
    "mlflow", "echo mlflow server", "gunicorn mlflow.server:app",
]  # fmt: skip


@st.composite
def command_line(draw: st.DrawFn) -> str:
    words = [draw(st.sampled_from(COMMANDS))]
    words += draw(st.lists(st.sampled_from(SERVER_OPTIONS), max_size=5))
    line = draw(command_trigger) if draw(st.booleans()) else " ".join(words)
    if draw(st.integers(0, 4)) == 0:
        line = line.replace(" --", " \\\n  --", draw(st.integers(1, 3)))
    if draw(st.integers(0, 5)) == 0:
        line = f'sh -c "{line}"'
    if draw(st.integers(0, 5)) == 0:
        line += "  # noqa: MLF703"
    return line


# The way to each text-source rule, as a setting or a command line: every marked line of
# the catalog's .env examples and every marked ``mlflow`` command of its shell examples,
# then forms its text examples do not show (its YAML and Dockerfile examples are whole
# files of one shape: the generators below build those from settings and commands).
def _text_triggers() -> tuple[list[tuple[tuple[str, str], set[str]]], list[tuple[str, set[str]]]]:
    settings: list[tuple[tuple[str, str], set[str]]] = []
    commands: list[tuple[str, set[str]]] = []
    for rule in CATALOG:
        for example in rule.invalid_examples:
            marked = expected_findings(example.code)
            lines = example.code.splitlines()
            if example.file.startswith(".env"):
                for number in sorted({number for number, _ in marked}):
                    name, _, value = strip_markers(lines[number - 1]).strip().partition("=")
                    settings.append(((name, value), {code for line, code in marked if line == number}))
            elif example.file.endswith(".sh"):
                start = 0  # the first line of the command being read: a continued one is one line
                for number, line in enumerate(lines, start=1):
                    if line.rstrip().endswith("\\"):
                        continue
                    command = " ".join(strip_markers(text).strip().removesuffix("\\").strip() for text in lines[start:number])
                    rules = {code for at, code in marked if start < at <= number}
                    if rules and command.split()[:1] == ["mlflow"]:
                        commands.append((command, rules))
                    start = number
    return settings, commands


CATALOG_SETTING_TRIGGERS, CATALOG_COMMAND_TRIGGERS = _text_triggers()
SETTING_TRIGGERS: list[tuple[tuple[str, str], set[str]]] = CATALOG_SETTING_TRIGGERS + [  # ((name, value), rules it must reach)
    (("MLFLOW_TRACKING_URI", "./mlruns"), {"MLF101"}),
    (("MLFLOW_TRACKING_URI", "sqlite:///mlflow.db"), {"MLF201"}),
    (("MLFLOW_TRACKING_URI", "http://tracking.example.com:5000"), {"MLF702"}),
    (("MLFLOW_TRACKING_INSECURE_TLS", "true"), {"MLF702"}),
    (("MLFLOW_TRACKING_PASSWORD", "hunter2-secret-value"), {"MLF701"}),
    (("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMIEXAMPLEKEY"), {"MLF701"}),
]
COMMAND_TRIGGERS: list[tuple[str, set[str]]] = CATALOG_COMMAND_TRIGGERS + [
    ("mlflow server --host 0.0.0.0 --backend-store-uri postgresql://db/mlflow", {"MLF703"}),
    ("mlflow server --backend-store-uri sqlite:///mlflow.db", {"MLF201"}),
    ("mlflow server --backend-store-uri ./mlruns --default-artifact-root ./artifacts", {"MLF201", "MLF301"}),
    ("mlflow server --allowed-hosts '*' --backend-store-uri postgresql://db/mlflow", {"MLF704"}),
]
setting_trigger = st.sampled_from([setting for setting, _ in SETTING_TRIGGERS])
command_trigger = st.sampled_from([line for line, _ in COMMAND_TRIGGERS])


@st.composite
def dotenv_text(draw: st.DrawFn) -> str:
    lines = [f"{name}={value}" for name, value in draw(st.lists(setting_trigger, min_size=1, max_size=2))]
    for _ in range(draw(st.integers(0, 8))):
        name = draw(st.sampled_from(ENV_NAMES) | st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,8}", fullmatch=True))
        value = draw(ENV_VALUES)
        quote = draw(st.sampled_from(["", "'", '"', '"\\"']))
        export = draw(st.sampled_from(["", "export ", "  "]))
        comment = draw(st.sampled_from(["", " # comment", "  # noqa: MLF701", "#x"]))
        lines.append(f"{export}{name}={quote}{value}{quote[:1]}{comment}")
    return "\n".join(lines) + draw(st.sampled_from(["\n", "", "\r\n"]))


@st.composite
def shell_text(draw: st.DrawFn) -> str:
    lines = ["#!/bin/sh", "set -e", *(f"export {name}={value}" for name, value in draw(st.lists(setting_trigger, max_size=2)))]
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 3))
        if kind == 0:
            lines.append(f"export {draw(st.sampled_from(ENV_NAMES))}={draw(ENV_VALUES)!r}")
        elif kind == 1:
            lines.append(f"{draw(st.sampled_from(ENV_NAMES))}={draw(st.sampled_from(URIS))!r} {draw(command_line())}")
        else:
            lines.append(draw(command_line()))
    return "\n".join(lines) + "\n"


@st.composite
def dockerfile_text(draw: st.DrawFn) -> str:
    lines = ["FROM python:3.11-slim", *(f"ENV {name}={value}" for name, value in draw(st.lists(setting_trigger, max_size=2)))]
    for _ in range(draw(st.integers(0, 7))):
        kind = draw(st.integers(0, 6))
        name, value = draw(st.sampled_from(ENV_NAMES)), draw(ENV_VALUES)
        if kind == 0:
            lines.append(f"ENV {name}={json.dumps(value)}")
        elif kind == 1:
            lines.append(f"ENV {name} {value}")
        elif kind == 2:
            lines.append(f"ARG {name}={value}")
        elif kind == 3:
            lines.append(draw(st.sampled_from(["COPY mlruns /app/mlruns", "COPY . /app", "ADD mlflow.db /db/", "COPY --chown=1 mlruns/ x"])))
        elif kind == 4:
            lines.append('ENTRYPOINT ["mlflow"]')
            lines.append("CMD " + json.dumps(draw(st.lists(st.sampled_from(["server", "--host", "0.0.0.0", "--port", "5000", "ui"]), max_size=5))))
        elif kind == 5:
            lines.append("RUN " + draw(command_line()))
        else:
            lines.append("CMD " + json.dumps(draw(command_line()).split()))
    return "\n".join(lines) + "\n"


@st.composite
def yaml_text(draw: st.DrawFn) -> str:
    """docker-compose, Kubernetes and CI shapes, dumped by PyYAML then sometimes damaged."""
    import yaml

    env_map = dict(draw(st.lists(setting_trigger, max_size=2))) | draw(st.dictionaries(st.sampled_from(ENV_NAMES), ENV_VALUES, max_size=3))
    env_list = [
        {"name": name, "value": value} if draw(st.booleans()) else {"name": name, "valueFrom": {"secretKeyRef": {"name": "s", "key": "k"}}}
        for name, value in env_map.items()
    ]
    command = draw(command_line())
    shape = draw(st.integers(0, 3))
    document: Any
    if shape == 0:
        document = {
            "services": {
                "mlflow": {
                    "image": "ghcr.io/mlflow/mlflow",
                    "environment": env_map if draw(st.booleans()) else [f"{k}={v}" for k, v in env_map.items()],
                    "command": command if draw(st.booleans()) else command.split(),
                }
            }
        }
    elif shape == 1:
        document = {
            "apiVersion": "apps/v1",
            "kind": "Deployment",
            "spec": {"template": {"spec": {"containers": [{"name": "mlflow", "env": env_list, "args": command.split()[1:], "command": command.split()[:1]}]}}},
        }
    elif shape == 2:
        document = {"jobs": {"train": {"env": env_map, "steps": [{"run": command}, {"run": "python train.py"}]}}}
    else:
        document = {"name": "proj", "entry_points": {"main": {"command": command}}, "mlflow": env_map}
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=True)
    damage = draw(st.integers(0, 7))
    if damage == 0 and text:
        cut = draw(st.integers(0, len(text)))
        text = text[:cut] + draw(st.sampled_from(["{{ .Values.x }}", ": :", "\t", "!!python/object/apply:os.system ['true']", "&a ", "*a", "'", "[", "\x00"])) + text[cut:]
    elif damage == 1:
        text = text + "---\n" + text
    return text


TEXT_KINDS = {
    "dotenv": (".env", dotenv_text()),
    "shell": ("run.sh", shell_text()),
    "dockerfile": ("Dockerfile", dockerfile_text()),
    "yaml": ("docker-compose.yaml", yaml_text()),
    "makefile": ("Makefile", shell_text().map(lambda text: "serve:\n" + "".join(f"\t{line}\n" for line in text.splitlines()))),
    "procfile": ("Procfile", command_line().map(lambda line: "web: " + line.replace("\\\n", "") + "\n")),
    # A JSON string is a TOML basic string: the generated script as one task's run.
    "mise": ("mise.toml", shell_text().map(lambda text: "[tasks.serve]\nrun = " + json.dumps(text) + "\n")),
}

# ---------------------------------------------------------------------------- 1. hypothesmith programs
def hypothesmith() -> Any:
    """Imported when a property first draws from it: the import and its grammar take seconds."""
    import hypothesmith as module

    return module


SUFFIX = (
    "client = MlflowClient()\n"
    "model = mlflow.pyfunc.load_model('runs:/0a1b2c/model')\n"
    "client.set_registered_model_alias('m', 'champion', 3)\n"
    "os.environ['MLFLOW_TRACKING_PASSWORD'] = 'hunter2-secret-value'\n"
)


def _variants(source: str, snippet: str) -> Iterator[tuple[str, str, bytes]]:
    """(file name, kind, bytes): one generated program, linted several ways."""
    encoded = source.encode("utf-8", "surrogatepass")
    yield "plain.py", "python", encoded
    yield "prefixed.py", "python", (PREFIX + source).encode("utf-8", "surrogatepass")
    yield "suffixed.py", "python", (PREFIX + "import os\n" + source.rstrip("\\") + "\n" + SUFFIX + snippet).encode("utf-8", "surrogatepass")
    with contextlib.suppress(UnicodeEncodeError):
        yield "notebook.ipynb", "notebook", as_notebook([PREFIX, source, snippet])
    yield "databricks.py", "python", as_databricks([PREFIX, source, snippet])


def _lint_generated(source: str, snippet: str) -> None:
    for shown, kind, data in _variants(source, snippet):
        findings = check_file(data, shown, kind)
        if kind == "python" and compiles(data):
            assert_no_unanalysable(findings, f"{shown} is valid Python")
        if shown == "notebook.ipynb":
            cells_compile = all(compiles(cell.encode("utf-8", "surrogatepass")) for cell in (PREFIX, source, snippet))
            if cells_compile and compiles((PREFIX + "\n" + source + "\n" + snippet).encode("utf-8", "surrogatepass")):
                assert_no_unanalysable(findings, "every cell is valid Python")


@pytest.mark.integration
@budget("hypothesmith")
@given(source=st.deferred(lambda: hypothesmith().from_grammar()), snippet=mlflow_program(max_statements=3))
def test_hypothesmith_programs(source: str, snippet: str) -> None:
    """The main fuzz property: generated Python, linted five ways, never breaks the linter."""
    count("hypothesmith")
    _lint_generated(source, snippet)


@pytest.mark.integration
@budget("hypothesmith-node")
@given(source=st.deferred(lambda: hypothesmith().from_node()), snippet=mlflow_program(max_statements=3))
def test_hypothesmith_node_programs(source: str, snippet: str) -> None:
    """libcst-generated programs: deeper nesting, decorators, comprehensions, f-strings."""
    count("hypothesmith-node")
    _lint_generated(source, snippet)


# ---------------------------------------------------------------------------- 2. MLflow-flavoured programs
# Rules the flavoured programs must reach in the default run: if a rule never fires the
# strategy no longer exercises its check (MLF001: a noqa comment that suppresses nothing).
# Every rule a flavoured file can reach (MLF102, MLF103 need a project: test_project_pool).
EXPECTED_PYTHON_RULES = set().union(*(rules for _, rules in PYTHON_TRIGGERS)) | {"MLF001"}
EXPECTED_TEXT_RULES = set().union(*(rules for _, rules in SETTING_TRIGGERS + COMMAND_TRIGGERS))


@pytest.mark.parametrize(("lines", "rules"), PYTHON_TRIGGERS, ids=PYTHON_TRIGGER_IDS)
def test_each_python_trigger_reaches_its_rules(lines: list[str], rules: set[str]) -> None:
    """The programs below always hold two to four of these: each must reach its rules."""
    findings = lint(("import os\n" + PREFIX + "\n".join(lines) + "\n").encode(), "train.py", "python") or []
    assert rules <= {finding.rule for finding in findings}, findings


@pytest.mark.parametrize(("setting", "rules"), SETTING_TRIGGERS, ids=[f"{n}={v}" for (n, v), _ in SETTING_TRIGGERS])
def test_each_setting_trigger_reaches_its_rules(setting: tuple[str, str], rules: set[str]) -> None:
    findings = lint(f"{setting[0]}={setting[1]}\n".encode(), ".env", "dotenv") or []
    assert rules <= {finding.rule for finding in findings}, findings


@pytest.mark.parametrize(("line", "rules"), COMMAND_TRIGGERS, ids=[line for line, _ in COMMAND_TRIGGERS])
def test_each_command_trigger_reaches_its_rules(line: str, rules: set[str]) -> None:
    findings = lint(f"#!/bin/sh\n{line}\n".encode(), "serve.sh", "shell") or []
    assert rules <= {finding.rule for finding in findings}, findings


def _reached(fired: Counter[str], expected: set[str], what: str) -> None:
    """Most of the expected rules fire in a short run (which ones depends on the draws);
    a strategy that stops reaching them is broken."""
    missing = expected - set(fired)
    assert len(missing) <= len(expected) // 4, f"{what} never trigger {sorted(missing)}; fired: {dict(fired)}"


@pytest.mark.integration
def test_flavoured_programs() -> None:
    fired: Counter[str] = Counter()

    @budget("flavoured")
    @given(program=mlflow_program(), shown=st.sampled_from(["train.py", "serve/batch.py", "bin/promote"]))
    def lint_program(program: str, shown: str) -> None:
        count("flavoured")
        data = program.encode("utf-8", "surrogatepass")
        findings = check_file(data, shown, "python")
        if compiles(data):
            assert_no_unanalysable(findings, "the program is valid Python")
        fired.update(finding.rule for finding in findings)
        check_file(as_notebook([program]), "nb.ipynb", "notebook")

    lint_program()
    _reached(fired, EXPECTED_PYTHON_RULES, "the flavoured programs")


TEXT_FIRED: Counter[str] = Counter()


@pytest.mark.parametrize("kind", sorted(TEXT_KINDS))
def test_flavoured_text_sources(kind: str) -> None:
    shown, strategy = TEXT_KINDS[kind]
    fired: Counter[str] = Counter()

    @budget("text-sources")
    @given(text=strategy)
    def lint_text(text: str) -> None:
        count(f"text-sources:{kind}")
        findings = check_file(text.encode("utf-8", "surrogatepass"), shown, kind)
        fired.update(finding.rule for finding in findings)

    lint_text()
    assert fired, f"no rule ever fired on the generated {kind} files"
    TEXT_FIRED.update(fired)
    if len(TEXT_FIRED) and kind == max(TEXT_KINDS):  # the last kind: all of them together
        _reached(TEXT_FIRED, EXPECTED_TEXT_RULES, "the generated text sources")


# ---------------------------------------------------------------------------- 3. arbitrary input, every kind
KINDS = {
    "python": "x.py", "notebook": "x.ipynb", "yaml": "x.yaml", "dotenv": ".env", "shell": "x.sh",
    "dockerfile": "Dockerfile", "makefile": "Makefile", "procfile": "Procfile", "auth_ini": "basic_auth.ini", "mise": "mise.toml",
}  # fmt: skip
MLFLOW_BYTES = st.sampled_from([b"", b"mlflow ", b"import mlflow\n", b"MLFLOW_TRACKING_URI=", b"# Databricks notebook source\n", b"\xef\xbb\xbf"])


@pytest.mark.parametrize("kind", sorted(KINDS))
@budget("bytes")
@given(head=MLFLOW_BYTES, data=st.binary(max_size=400))
def test_arbitrary_bytes(kind: str, head: bytes, data: bytes) -> None:
    count(f"bytes:{kind}")
    check_file(head + data, KINDS[kind], kind)


TEXT_ALPHABET = st.characters(codec="utf-8") | st.sampled_from(list("\n\r\t\x0c\x0b\x1c\x85\u2028\ufeff\\'\"#:=$`{}[]-%!"))


@pytest.mark.parametrize("kind", sorted(KINDS))
@budget("bytes")
@given(head=MLFLOW_BYTES, text=st.text(TEXT_ALPHABET, max_size=300))
def test_arbitrary_text(kind: str, head: bytes, text: str) -> None:
    count(f"text:{kind}")
    check_file(head + text.encode("utf-8"), KINDS[kind], kind)


@budget("notebooks")
@given(data=notebook_document())
def test_notebook_documents(data: bytes) -> None:
    """Notebook JSON whose cells, sources and metadata may be anything JSON can hold."""
    count("notebooks")
    check_file(data, "explore.ipynb", "notebook")


# ---------------------------------------------------------------------------- 4. same findings in another process
def _lint_in_worker(data: bytes, shown: str, kind: str) -> list[tuple[Any, ...]] | None:
    """Runs in a freshly spawned interpreter: nothing shared with the test process."""
    return full(lint(data, shown, kind))


@pytest.fixture(scope="module")
def worker() -> Iterator[ProcessPoolExecutor]:
    # spawn, not fork: the worker starts from nothing (no caches inherited from this process).
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


@pytest.mark.integration
def test_fresh_process_gives_the_same_findings(worker: ProcessPoolExecutor) -> None:
    @budget("worker-process")
    @given(
        case=st.one_of(
            mlflow_program().map(lambda p: (p.encode("utf-8", "surrogatepass"), "train.py", "python")),
            *[strategy.map(lambda t, s=shown, k=kind: (t.encode("utf-8", "surrogatepass"), s, k)) for kind, (shown, strategy) in TEXT_KINDS.items()],
            notebook_document().map(lambda d: (d, "nb.ipynb", "notebook")),
        )
    )
    def same(case: tuple[bytes, str, str]) -> None:
        count("worker-process")
        data, shown, kind = case
        here = full(lint(data, shown, kind))
        there = worker.submit(_lint_in_worker, data, shown, kind).result(timeout=120)
        assert here == there, "a fresh process gave other findings"

    same()


@st.composite
def project(draw: st.DrawFn) -> dict[str, bytes]:
    """A project big enough for lint_paths' process pool, with cross-module constants."""
    files: dict[str, bytes] = {
        "pyproject.toml": b"[project]\nname = 'fuzzed'\n",
        "settings.py": f"TRACKING_URI = {draw(st.sampled_from(URIS))!r}\nuri = {draw(st.sampled_from(URIS))!r}\n".encode(),
    }
    count = draw(st.integers(24, 32))
    for index in range(count):
        folder = draw(st.sampled_from(["", "pkg/", "serve/", "notebooks/"]))
        kind = draw(st.sampled_from(["py", "py", "py", "ipynb", "env", "sh", "yaml", "Dockerfile"]))
        if kind == "py":
            files[f"{folder}m{index}.py"] = draw(mlflow_program(max_statements=6)).encode("utf-8", "surrogatepass")
        elif kind == "ipynb":
            files[f"{folder}n{index}.ipynb"] = as_notebook(draw(st.lists(mlflow_program(max_statements=3), max_size=3)))
        elif kind == "env":
            files[f"{folder}e{index}.env"] = draw(dotenv_text()).encode("utf-8", "surrogatepass") + b"\n# mlflow\n"
        elif kind == "sh":
            files[f"{folder}s{index}.sh"] = draw(shell_text()).encode("utf-8", "surrogatepass")
        elif kind == "yaml":
            files[f"{folder}y{index}.yaml"] = draw(yaml_text()).encode("utf-8", "surrogatepass")
        else:
            files[f"{folder}d{index}/Dockerfile"] = draw(dockerfile_text()).encode("utf-8", "surrogatepass")
    if draw(st.booleans()):
        files["mlruns/0/meta.yaml"] = b"name: Default\n"
        files["mlruns/0/abc/meta.yaml"] = b"run_id: abc\n"
    if draw(st.booleans()):
        files["mlflow.db"] = b"SQLite format 3\x00"
    return files


@pytest.mark.integration
def test_project_pool() -> None:
    """lint_paths with its process pool (fork) and without: the same findings."""
    fired: set[str] = set()

    @budget("pool")
    @given(files=project())
    def same(files: dict[str, bytes]) -> None:
        count("pool")
        with tempfile.TemporaryDirectory(prefix="mlflow-lint-fuzz-") as directory:
            root = Path(directory).resolve()
            for name, data in files.items():
                (root / name).parent.mkdir(parents=True, exist_ok=True)
                (root / name).write_bytes(data)
            config = Config(root=root)
            # The pool first: forked workers must not inherit what a serial run cached.
            pooled = lint_paths([root], config, EVERY_RULE, jobs=2, cwd=root)
            serial = lint_paths([root], config, EVERY_RULE, jobs=1, cwd=root)
            assert full(pooled.findings) == full(serial.findings), "the process pool changed the findings"
            assert serial.findings == sort_findings(list(serial.findings)), "lint_paths findings are not in report order"
            assert (pooled.files_checked, pooled.files_analysed) == (serial.files_checked, serial.files_analysed)
            assert sorted(pooled.skipped) == sorted(serial.skipped)
            for finding in serial.findings:
                assert INTERNAL_ERROR not in finding.message, finding
            fired.update(finding.rule for finding in serial.findings)
            check_reports(serial.findings, root, serial.skipped, serial.files_checked, serial.files_analysed)

    same()
    if PROFILE == "default":
        assert {"MLF102", "MLF103"} & fired, f"project-wide rules never fired: {sorted(fired)}"


# ---------------------------------------------------------------------------- 5. reports
def check_reports(
    findings: list[Finding], root: Path, skipped: Sequence[tuple[str, str]] = (), checked: int = 0, analysed: int = 0
) -> None:
    """JSON parses and counts right, SARIF is schema-valid; each report renders the same bytes twice."""
    renders = {
        "json": lambda: render_json(findings, CATALOG, checked, analysed),
        "sarif": lambda: render_sarif(findings, CATALOG, source_root=root, cwd=root, skipped=skipped, context=findings),
        "text": lambda: render_text(findings, CATALOG, checked, statistics=True),
        "github": lambda: render_github(findings, CATALOG, source_root=root, cwd=root),
    }
    reports = {}
    for name, render in renders.items():
        first, second = render(), render()
        assert first == second, f"the {name} report is not the same twice"
        first.encode("utf-8")  # no lone surrogates: the report can be written
        reports[name] = first
    document = json.loads(reports["json"])
    assert document["summary"]["findings"] == len(findings) == len(document["findings"])
    assert [row["rule"] for row in document["findings"]] == [finding.rule for finding in findings]
    sarif = json.loads(reports["sarif"])
    errors = schema_errors(sarif)
    assert not errors, "\n".join(errors[:20])
    (run,) = sarif["runs"]
    assert len(run["results"]) == len(findings)
    for result in run["results"]:
        region = result["locations"][0]["physicalLocation"].get("region")
        if region is not None:
            assert region["startLine"] >= 1 and region.get("startColumn", 1) >= 1  # notebooks: a line of the .ipynb
    text_lines = reports["text"].split("\n")[:-1]
    assert not [line for line in text_lines if re.search("[\x00-\x1f\x7f-\x9f\u2028\u2029]", line)], "control characters in the text report"
    assert len([line for line in text_lines if line and not line.startswith(" ")]) >= len(findings), "one text line per finding"
    github = reports["github"].split("\n")[:-1] if reports["github"] else []  # the runner splits at \n only
    assert len(github) == len(findings), "one workflow command per finding, each on one line"
    assert all(line.startswith(("::error ", "::warning ", "::notice ")) for line in github)


@pytest.fixture(scope="module")
def report_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("reports").resolve()


PATH_PARTS = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="/\x00") | st.sampled_from(list(" %#?&;:,\\\u00e9\u2028")),
    min_size=1,
    max_size=10,
).filter(lambda part: part not in (".", ".."))
display_path = st.lists(PATH_PARTS, min_size=1, max_size=3).map("/".join)


@pytest.mark.integration
def test_reports_of_real_findings(report_root: Path) -> None:
    @budget("reports")
    @given(
        programs=st.lists(st.tuples(display_path, mlflow_program(max_statements=6)), min_size=1, max_size=4),
        skipped=st.lists(st.tuples(display_path, st.text(max_size=30)), max_size=2),
    )
    def reports(programs: list[tuple[str, str]], skipped: list[tuple[str, str]]) -> None:
        count("reports")
        findings: list[Finding] = []
        for shown, program in programs:
            findings += check_file(program.encode("utf-8", "surrogatepass"), shown + ".py", "python")
        check_reports(sort_findings(findings), report_root, skipped, len(programs), len(programs))

    reports()


RULE_IDS = sorted(rule.id for rule in CATALOG) + ["MLF999"]


MESSAGE = st.lists(st.text(TEXT_ALPHABET, min_size=1, max_size=20) | st.sampled_from(["%", "%0A", "::", "\x1b[31m", "\r\n", "'runs:/x'"]), min_size=1, max_size=6).map("".join)


@st.composite
def synthetic_finding(draw: st.DrawFn) -> Finding:
    line = draw(st.integers(1, 10**6))
    column = draw(st.integers(1, 500))
    end_line = line + draw(st.integers(0, 3))
    end_column = draw(st.integers(column if end_line == line else 1, column + 200))
    path = draw(display_path | display_path.map(lambda p: "/" + p) | st.sampled_from(["../outside.py", "a/../b.py", "./x.py"]))
    return Finding(
        path=path,
        line=line,
        column=column,
        rule=draw(st.sampled_from(RULE_IDS)),
        end_line=end_line,
        end_column=end_column,
        message=draw(MESSAGE),
        cell=draw(st.none() | st.integers(0, 50)),
        snippet=draw(st.none() | st.text(max_size=30)),
    )


@pytest.mark.integration
def test_reports_of_any_findings(report_root: Path) -> None:
    """Any text in messages and paths (control characters, %, ::, newlines): still valid reports."""

    @budget("synthetic-reports")
    @given(findings=st.lists(synthetic_finding(), max_size=6), skipped=st.lists(st.tuples(display_path, st.text(max_size=30)), max_size=3))
    def reports(findings: list[Finding], skipped: list[tuple[str, str]]) -> None:
        count("synthetic-reports")
        check_reports(sort_findings(findings), report_root, skipped, len(findings), len(findings))

    reports()


# ---------------------------------------------------------------------------- regressions found by the properties
# A line break for str.splitlines is not one for Python: \x0b, \x0c, \x1c-\x1e, \x85,
# \u2028 and \u2029 inside a string or a comment are part of the line. Notebook cells and
# Databricks sources were split with str.splitlines, so a valid cell with one of them did
# not parse (MLF000) and its findings were lost (found by test_hypothesmith_programs:
# a cell "#\x85\x1b").
NOT_PYTHON_LINE_BREAKS = ["\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029"]
LOAD = 'mlflow.pyfunc.load_model("runs:/0a1b2c/model")'


@pytest.mark.parametrize("char", NOT_PYTHON_LINE_BREAKS, ids=[f"U+{ord(c):04X}" for c in NOT_PYTHON_LINE_BREAKS])
def test_notebook_cell_with_a_unicode_line_separator(char: str) -> None:
    cells = [f"import mlflow\nx = 'a{char}b'  # c{char}d\n{LOAD}\n", f"#{char}\x1b\n{LOAD}\n"]
    findings = lint(as_notebook(cells), "explore.ipynb", "notebook")
    assert findings is not None
    assert [(f.rule, f.cell, f.line, f.column) for f in findings] == [("MLF601", 0, 3, 26), ("MLF601", 1, 2, 26)]


@pytest.mark.parametrize("char", NOT_PYTHON_LINE_BREAKS, ids=[f"U+{ord(c):04X}" for c in NOT_PYTHON_LINE_BREAKS])
def test_databricks_source_with_a_unicode_line_separator(char: str) -> None:
    source = f"# Databricks notebook source\nimport mlflow\nx = 'a{char}b'\n\n# COMMAND ----------\n\n{LOAD}  # {char}\n{LOAD}\n"
    findings = lint(source.encode("utf-8"), "job.py", "python")
    assert findings is not None
    assert [(f.rule, f.cell, f.line, f.column) for f in findings] == [("MLF601", None, 7, 26), ("MLF601", None, 8, 26)]


# A YAML scalar whose text is not the file's (escapes decoded in a double-quoted string, a
# plain or quoted scalar folded over several lines) was parsed as if it were: positions
# counted the decoded "\n" as file lines, so findings landed on other lines, and past the
# end of the file (found by test_flavoured_text_sources[yaml]). Each service publishes a port
# (an unpublished one is not MLF703's).
YAML_SCALARS = {  # text, and the lines of the scalar holding the command
    "escaped newlines": ('services:\n  mlflow:\n    command: "mlflow server \\\\\\n  --host 0.0.0.0"\n    ports: [5000]\nx: 1\n', (3, 3)),
    "double-quoted, two lines": ('services:\n  mlflow:\n    command: "mlflow server\n      --host 0.0.0.0"\n    ports: [5000]\nx: 1\n', (3, 4)),
    "plain, two lines": ("jobs:\n  serve:\n    steps:\n      - run: mlflow server\n          --host 0.0.0.0\nx: 1\n", (4, 5)),
    "escaped tab": ('services:\n  mlflow:\n    command: "mlflow\\tserver --host 0.0.0.0"\n    ports: [5000]\nx: 1\n', (3, 3)),
}


@pytest.mark.parametrize(("text", "scalar_lines"), list(YAML_SCALARS.values()), ids=list(YAML_SCALARS))
def test_findings_in_a_rewritten_yaml_scalar_point_at_the_scalar(text: str, scalar_lines: tuple[int, int]) -> None:
    findings = lint(text.encode(), "docker-compose.yaml", "yaml", frozenset({"MLF703"}))
    assert findings is not None
    (finding,) = findings
    lines = text.split("\n")
    # The whole scalar, from its first character to its last: never a line outside it.
    assert (finding.line, finding.end_line) == scalar_lines
    assert lines[finding.line - 1][finding.column - 1 :].lstrip('"').startswith("mlflow")
    assert lines[finding.end_line - 1][: finding.end_column - 1].rstrip('"').endswith("0.0.0.0")


def test_findings_in_a_verbatim_yaml_scalar_point_at_the_word() -> None:
    text = 'services:\n  mlflow:\n    command: "mlflow server --host 0.0.0.0"\n    ports: [5000]\n'
    (finding,) = lint(text.encode(), "docker-compose.yaml", "yaml", frozenset({"MLF703"})) or []
    assert (finding.line, finding.column, finding.end_line, finding.end_column) == (3, 36, 3, 43)
