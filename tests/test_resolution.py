"""The resolution layer on its own: qualified names, instances, values, URI kinds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlflow_lint.analysis import api
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.uris import UriKind, classify, parse_models_uri, runs_uri_run_id
from mlflow_lint.analysis.values import Hole, StrValue, literal
from mlflow_lint.project import ProjectIndex


def _module(source: str, path: Path = Path("/nonexistent/m.py"), project: ProjectIndex | None = None) -> AnalysedModule:
    return AnalysedModule(path, source, ast.parse(source), project)


def _last_call(module: AnalysedModule) -> ast.Call:
    return module.model.nodes_by_type[ast.Call][-1]  # type: ignore[return-value]


def _last_expr_value(module: AnalysedModule) -> ast.expr:
    statement = module.tree.body[-1]
    assert isinstance(statement, ast.Expr)
    return statement.value


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("mlflow.tracking.client.MlflowClient", "mlflow.MlflowClient"),
        ("mlflow.client.MlflowClient", "mlflow.MlflowClient"),
        ("mlflow.tracking.MlflowClient", "mlflow.MlflowClient"),
        ("mlflow.tracking.fluent.start_run", "mlflow.start_run"),
        ("mlflow.tracking.set_tracking_uri", "mlflow.set_tracking_uri"),
        ("mlflow.config.set_tracking_uri", "mlflow.set_tracking_uri"),
        ("mlflow.tracking._model_registry.fluent.register_model", "mlflow.register_model"),
        ("mlflow.models.evaluation.base.evaluate", "mlflow.models.evaluate"),
        ("mlflow.models.evaluation.deprecated.evaluate", "mlflow.evaluate"),
        ("mlflow.pyfunc.load_pyfunc", "mlflow.pyfunc.load_model"),
        ("mlflow.pyfunc.load_model", "mlflow.pyfunc.load_model"),
        ("keras.models.load_model", "keras.models.load_model"),
    ],
)
def test_canonical_names(name: str, expected: str) -> None:
    assert api.canonical(name) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("import mlflow\nmlflow.pyfunc.load_model(u)", "mlflow.pyfunc.load_model"),
        ("import mlflow as mf\nmf.sklearn.load_model(u)", "mlflow.sklearn.load_model"),
        ("import mlflow.pyfunc\nmlflow.pyfunc.load_model(u)", "mlflow.pyfunc.load_model"),
        ("from mlflow import pyfunc\npyfunc.load_model(u)", "mlflow.pyfunc.load_model"),
        ("from mlflow.pyfunc import load_model as lm\nlm(u)", "mlflow.pyfunc.load_model"),
        ("from mlflow import *\nset_tracking_uri(u)", "mlflow.set_tracking_uri"),
        ("import mlflow\nf = mlflow.pyfunc.load_model\nf(u)", "mlflow.pyfunc.load_model"),
        ("from keras.models import load_model\nload_model(u)", "keras.models.load_model"),
        ("from mlflow.pyfunc import load_model\ndef load_model(u): pass\nload_model(u)", None),
        ("load_model(u)", None),
        ("import mlflow\ndef f(mlflow):\n    mlflow.pyfunc.load_model(u)", None),
    ],
)
def test_callee_resolution(source: str, expected: str | None) -> None:
    module = _module(source)
    assert module.model.callee(_last_call(module)) == expected


def test_function_level_import_is_scoped() -> None:
    module = _module("def f():\n    import mlflow as m\n    m.pyfunc.load_model(u)\nm.pyfunc.load_model(u)\n")
    inner, outer = module.model.nodes_by_type[ast.Call]
    assert module.model.callee(inner) == "mlflow.pyfunc.load_model"
    assert module.model.callee(outer) is None


@pytest.mark.parametrize(
    "source",
    [
        "from mlflow import MlflowClient\nc = MlflowClient()\nc.get_run(r)",
        "import mlflow\nmlflow.MlflowClient().get_run(r)",
        "from mlflow.tracking import MlflowClient as C\ndef f(c: C):\n    c.get_run(r)",
        "from typing import Optional\nfrom mlflow import MlflowClient\ndef f(c: Optional[MlflowClient] = None):\n    c.get_run(r)",
        "import mlflow\nclass S:\n    def __init__(self):\n        self._c = mlflow.MlflowClient()\n    def g(self):\n        self._c.get_run(r)",
        "import mlflow\ndef make():\n    return mlflow.MlflowClient()\nmake().get_run(r)",
    ],
)
def test_client_instances(source: str) -> None:
    module = _module(source)
    call = module.model.nodes_by_type[ast.Call]
    outermost = [c for c in call if isinstance(module.model.parent(c), ast.Expr)][-1]
    assert module.model.callee(outermost) == "mlflow.MlflowClient.get_run"


def test_non_client_instances() -> None:
    module = _module("class MlflowClient:\n    pass\nc = MlflowClient()\nc.get_run(r)\n")
    assert module.model.callee(_last_call(module)) is None


def _value(source: str) -> list[str]:
    module = _module(source)
    return [v.render() for v in module.values.evaluate(_last_expr_value(module))]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("'runs:/abc/model'", ["'runs:/abc/model'"]),
        ("f'runs:/{rid}/model'", ["'runs:/{rid}/model'"]),
        ("'runs:/' + rid + '/model'", ["'runs:/{rid}/model'"]),
        ("'runs:/{}/{}'.format(rid, 'model')", ["'runs:/{rid}/model'"]),
        ("'runs:/%s/model' % rid", ["'runs:/{rid}/model'"]),
        ("URI = 'models:/m/1'\nURI", ["'models:/m/1' via URI"]),
        ("V = 7\nf'models:/m/{V}'", ["'models:/m/7'"]),
        ("import os\nos.environ.get('X', './mlruns')", [repr("{os.environ.get('X', './mlruns')}"), "'./mlruns'"]),
        ("import os\nos.getenv('X') or 'sqlite:///a.db'", [repr("{os.getenv('X')}"), "'sqlite:///a.db'"]),
        ("'a' if c else 'b'", ["'a'", "'b'"]),
        ("D = {'k': 's3://b/m'}\nD['k']", ["'s3://b/m'"]),
        ("os.environ['X']", []),
        ("some_call()", []),
        ("1 + 2", []),
    ],
)
def test_values(source: str, expected: list[str]) -> None:
    assert _value(source) == expected


def test_values_do_not_overflow_on_deep_nesting() -> None:
    source = "x = " + " + ".join(["'a'"] * 800) + "\nx\n"
    module = _module(source)
    module.values.evaluate(_last_expr_value(module))  # must return, not raise


def test_imported_constants_resolve_across_modules(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "settings.py").write_text("BASE = 's3://bucket'\nURI = BASE + '/model'\n")
    main = tmp_path / "pkg" / "main.py"
    source = "from pkg.settings import URI\nfrom .settings import BASE\nURI\nBASE\n"
    module = _module(source, main, ProjectIndex(tmp_path))
    first, second = module.tree.body[2].value, module.tree.body[3].value  # type: ignore[attr-defined]
    assert [v.render() for v in module.values.evaluate(first)] == ["'s3://bucket/model' via URI"]
    assert [v.render() for v in module.values.evaluate(second)] == ["'s3://bucket' via BASE"]


@pytest.mark.parametrize(
    ("value", "kind"),
    [
        (literal("./mlruns"), UriKind.LOCAL_PATH),
        (literal("mlruns"), UriKind.LOCAL_PATH),
        (literal("/var/mlflow"), UriKind.LOCAL_PATH),
        (literal("C:\\mlruns"), UriKind.LOCAL_PATH),
        (literal("~/mlruns"), UriKind.LOCAL_PATH),
        (literal("file:///tmp/m"), UriKind.FILE),
        (literal("sqlite:///mlflow.db"), UriKind.SQLITE),
        (literal("postgresql+psycopg2://u@h/db"), UriKind.SQL_DATABASE),
        (literal("http://localhost:5000"), UriKind.HTTP),
        (literal("https://mlflow.example.com"), UriKind.HTTPS),
        (literal("databricks"), UriKind.DATABRICKS),
        (literal("databricks://profile"), UriKind.DATABRICKS),
        (literal("s3://bucket/m"), UriKind.OBJECT_STORE),
        (literal("dbfs:/models/m"), UriKind.OBJECT_STORE),
        (literal("mlflow-artifacts:/1/abc"), UriKind.MLFLOW_ARTIFACTS),
        (literal("runs:/abc/model"), UriKind.RUNS),
        (literal("models:/m@champion"), UriKind.MODELS),
        (literal(""), UriKind.UNKNOWN),
        (StrValue((Hole(None), "/mlruns")), UriKind.UNKNOWN),
        (StrValue(("file://", Hole(None))), UriKind.FILE),
        (StrValue((Hole(None),), local_path=True), UriKind.LOCAL_PATH),
    ],
)
def test_uri_classification(value: StrValue, kind: UriKind) -> None:
    assert classify(value) is kind


@pytest.mark.parametrize(
    ("value", "kind", "reference"),
    [
        (literal("models:/churn/3"), "version", "3"),
        (StrValue(("models:/", Hole(None), "/3")), "version", "3"),
        (literal("models:/churn@champion"), "alias", "champion"),
        (literal("models:/churn/Production"), "stage", "Production"),
        (literal("models:/churn/latest"), "latest", "latest"),
        (StrValue(("models:/churn/", Hole(None))), "unknown", None),
        (literal("models:/m-0123456789abcdef0123456789abcdef"), "model-id", "m-0123456789abcdef0123456789abcdef"),
    ],
)
def test_models_uri(value: StrValue, kind: str, reference: str | None) -> None:
    parsed = parse_models_uri(value)
    assert (parsed.kind, parsed.reference) == (kind, reference)


def test_runs_uri_run_id() -> None:
    hole = Hole(None)
    assert runs_uri_run_id(literal("runs:/abc/model")) == "abc"
    assert runs_uri_run_id(StrValue(("runs:/", hole, "/model"))) is hole
    assert runs_uri_run_id(literal("models:/x/1")) is None


def test_positions_count_lines_like_python() -> None:
    from mlflow_lint.positions import LineIndex

    source = 'import mlflow\x0c\n# \u2028 and \x1c are not line breaks\r\nx = "é"; mlflow.set_tracking_uri("./mlruns")\n'
    tree = ast.parse(source)
    call = [n for n in ast.walk(tree) if isinstance(n, ast.Call)][0]
    index = LineIndex(source)
    assert index.span(call.args[0]).line == 3
    assert index.span(call.args[0]).column == len('x = "é"; mlflow.set_tracking_uri(') + 1
    for node in ast.walk(tree):
        if hasattr(node, "lineno"):
            assert index.segment(node) == ast.get_source_segment(source, node)
