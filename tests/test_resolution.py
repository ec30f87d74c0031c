"""The resolution layer on its own: qualified names, instances, values, URI kinds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from mlflow_lint.analysis import api
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.uris import UriKind, classify, parse_models_uri, runs_uri_run_id
from mlflow_lint.analysis.values import Hole, StrValue, literal
from mlflow_lint.config import Config
from mlflow_lint.engine import lint_paths
from mlflow_lint.project import ProjectIndex

from .conftest import all_rules, file_line, ipynb, write_files


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
        # pydantic's secret wrappers hide a value from reprs, not from the code
        ("from pydantic import SecretStr\nSecretStr('s3://b/m')", ["'s3://b/m'"]),
        ("from pydantic import SecretStr\nS = SecretStr('s3://b/m')\nS.get_secret_value()", ["'s3://b/m' via S"]),
        ("os.environ['X']", []),
        ("some_call()", []),
        ("1 + 2", []),
    ],
)
def test_values(source: str, expected: list[str]) -> None:
    assert _value(source) == expected


_STAGES = "STAGES = {'dev': 'Staging', 'staging': 'Staging', 'prod': 'Production'}\n"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # A key that is not known: any of the values, once each, as a if c else b is either.
        (_STAGES + "STAGES[env]", ["'Staging' via STAGES[env]", "'Production' via STAGES[env]"]),
        ("def stage(env):\n    table = {'dev': 'Staging', 'prod': 'Production'}\n    return table[env]\nstage(e)",
         ["'Staging' via table[env]", "'Production' via table[env]"]),
        ("class C:\n    S = {'dev': 'Staging', 'prod': 'Production'}\nC.S[env]", ["'Staging' via C.S[env]", "'Production' via C.S[env]"]),
        ("class C:\n    def __init__(self):\n        self.s = {'dev': 'Staging'}\n    def f(self, env):\n        return self.s[env]\nC().f(e)",
         ["'Staging' via self.s[env]"]),
        # A key that is known picks its value, or nothing when the dict lacks it (KeyError).
        (_STAGES + "STAGES['prod']", ["'Production'"]),
        (_STAGES + "ENV = 'dev'\nSTAGES[ENV]", ["'Staging'"]),
        (_STAGES + "STAGES['dev' if c else 'prod']", ["'Staging'", "'Production'"]),
        (_STAGES + "STAGES['qa']", []),
        ("D = {1: 'Staging', 2: 'Production'}\nLEVEL = 2\nD[LEVEL]", ["'Production'"]),
        ("DEV = 'dev'\nD = {DEV: 'Staging', 'prod': 'Production'}\nD['dev']", ["'Staging'"]),
        ("D = {'prod': 'Staging', 'prod': 'Production'}\nD['prod']", ["'Production'"]),  # the last entry is kept
        # .get: the default too where the key may be missing; None adds nothing.
        (_STAGES + "STAGES.get(env)", ["'Staging' via STAGES.get(env)", "'Production' via STAGES.get(env)"]),
        (_STAGES + "STAGES.get(env, 'None')", ["'Staging' via STAGES.get(env, 'None')", "'Production' via STAGES.get(env, 'None')", "'None'"]),
        (_STAGES + "STAGES.get(env, None)", ["'Staging' via STAGES.get(env, None)", "'Production' via STAGES.get(env, None)"]),
        (_STAGES + "STAGES.get('prod', 'None')", ["'Production'"]),
        (_STAGES + "STAGES.get('qa', 'Archived')", ["'Archived'"]),
        (_STAGES + "STAGES.get('qa')", []),
        # Unknown: a value that is not known, a ** part, a key that may be any, an empty dict.
        ("D = {'dev': 'Staging', 'prod': stage()}\nD[env]", []),
        ("D = {'dev': 'Staging', **OTHER}\nD[env]", []),
        ("D = {'dev': 'Staging', **OTHER}\nD['prod']", []),
        ("D = {'prod': 'Production', **OTHER}\nD['prod']", []),
        ("D = {KEYS[0]: 'Staging', 'prod': 'Production'}\nD['dev']", []),
        ("D = {}\nD[env]", []),
        ("D = {'dev': 'Staging', 'x': 3}\nD[env]", []),
        ("D = {'dev': 'Staging', 'x': None}\nD[env]", ["'Staging' via D[env]"]),
        # A record, read by a constant key here: a key not known names none of its fields.
        ("D = {'name': 'churn', 'stage': 'Production'}\nD['name']\nD[field]", []),
        ("D = {'name': 'churn', 'stage': 'Production'}\nD.get('name')\nD[field]", []),
        ("D = {'name': 'churn', 'stage': 'Production'}\nD['stage'] = 'Staging'\nD[field]", []),
    ],
)
def test_dict_lookups(source: str, expected: list[str]) -> None:
    assert _value(source) == expected


def test_a_choice_among_many_entries_is_unknown() -> None:
    table = "D = {" + ", ".join(f"'k{i}': 'v{i}'" for i in range(200)) + "}\n"
    assert _value(table + "D[key]") == []
    assert _value(table + "D['k199']") == ["'v199'"]  # a known key still selects


_SETTINGS = "class Settings:\n    uri: str = './mlruns'\n"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (_SETTINGS + "settings = Settings()\nsettings.uri", ["'./mlruns' via the default of Settings.uri"]),
        (_SETTINGS + "Settings().uri", ["'./mlruns' via the default of Settings.uri"]),
        (_SETTINGS + "Settings(uri='https://mlflow.example.com').uri", ["'https://mlflow.example.com' via Settings(uri=...)"]),
        ("URI = 'databricks'\n" + _SETTINGS + "Settings(uri=URI).uri", ["'databricks' via URI"]),
        (_SETTINGS + "Settings(experiment='x').uri", ["'./mlruns' via the default of Settings.uri"]),
        (_SETTINGS + "Settings('https://mlflow.example.com').uri", []),  # positional: unknown
        (_SETTINGS + "Settings(**overrides).uri", []),
        (_SETTINGS + "Settings().experiment", []),  # not defined on the class
        (_SETTINGS + "class Child(Settings):\n    pass\nChild().uri", ["'./mlruns' via the default of Settings.uri"]),
        (_SETTINGS + "class Child(Settings):\n    uri = 'databricks'\nChild().uri", ["'databricks' via the default of Child.uri"]),
        (_SETTINGS + "class Child(Settings):\n    @property\n    def uri(self):\n        return 'mlruns'\nChild().uri", []),
        ("class Settings:\n    def uri(self):\n        return 'mlruns'\nSettings().uri", []),
        ("class Settings:\n    uri: str\nSettings().uri", []),  # a required field
        ("from dataclasses import dataclass, field\n@dataclass\nclass C:\n    uri: str = field(default='mlruns')\nC().uri", ["'mlruns' via the default of C.uri"]),
        ("from dataclasses import dataclass, field\n@dataclass\nclass C:\n    uri: str = field(default_factory=str)\nC().uri", []),
        ("from pydantic import Field\nclass C:\n    uri: str = Field('mlruns', description='store')\nC().uri", ["'mlruns' via the default of C.uri"]),
        ("from pydantic.v1 import Field\nclass C:\n    uri: str = Field('mlruns')\nC().uri", ["'mlruns' via the default of C.uri"]),
        ("DEFAULT_URI = 'mlruns'\nclass C:\n    uri = DEFAULT_URI\nC().uri", ["'mlruns' via DEFAULT_URI"]),
        # What runs when the object is made decides: its __init__ with arguments, or an
        # initialiser that assigns the attribute.
        (_SETTINGS + "    def __init__(self, uri=None):\n        pass\nSettings(uri='https://mlflow.example.com').uri", []),
        (_SETTINGS + "    def __init__(self):\n        self.uri = 'https://mlflow.example.com'\nSettings().uri", []),
        (_SETTINGS + "    def connect(self):\n        self.uri = 'https://mlflow.example.com'\nSettings().uri", ["'./mlruns' via the default of Settings.uri"]),
        ("class NotSettings:\n    pass\nobj = NotSettings\nobj.uri", []),  # the class itself, not an object
    ],
)
def test_fields_of_objects_of_project_classes(source: str, expected: list[str]) -> None:
    assert _value(source) == expected


@pytest.mark.parametrize(
    "signature",
    ["cfg: Settings", "cfg: Settings = settings", "cfg: Optional[Settings] = None", "cfg: Settings | None = None", "cfg: 'Settings' = settings"],
)
def test_a_parameter_annotated_with_a_project_class_holds_its_defaults(signature: str) -> None:
    source = f"from typing import Optional\n{_SETTINGS}settings = Settings()\ndef f({signature}):\n    return cfg.uri\n"
    module = _module(source)
    function = module.tree.body[-1]
    assert isinstance(function, ast.FunctionDef) and isinstance(function.body[0], ast.Return)
    expected = [] if signature.startswith("cfg: '") else ["'./mlruns' via the default of Settings.uri"]  # a string annotation is not read
    assert [v.render() for v in module.values.evaluate(function.body[0].value)] == expected


def test_a_parameter_defaulting_to_an_object_of_its_class_holds_that_objects_fields() -> None:
    source = f"{_SETTINGS}def f(cfg: Settings = Settings(uri='databricks')):\n    return cfg.uri\n"
    module = _module(source)
    function = module.tree.body[-1]
    assert isinstance(function, ast.FunctionDef) and isinstance(function.body[0], ast.Return)
    assert [v.render() for v in module.values.evaluate(function.body[0].value)] == ["'databricks' via Settings(uri=...)"]


_DEFAULT = ["'./mlruns' via the default of Settings.uri"]


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        # A factory: every return makes an object of one project class.
        (_SETTINGS + "def get():\n    return Settings()\nget().uri", _DEFAULT),
        (_SETTINGS + "import functools\n@functools.lru_cache\ndef get():\n    return Settings()\nsettings = get()\nsettings.uri", _DEFAULT),
        (_SETTINGS + "def get():\n    settings = Settings()\n    return settings\nget().uri", _DEFAULT),
        (_SETTINGS + "def get():\n    return Settings(uri='databricks')\nget().uri", ["'databricks' via Settings(uri=...)"]),
        (_SETTINGS + "def get(uri):\n    return Settings(uri=uri)\nget('databricks').uri", ["'databricks' via Settings(uri=...)"]),  # its argument
        (_SETTINGS + "def get(uri='./mlruns'):\n    return Settings(uri=uri)\nget(uri='databricks').uri", ["'databricks' via Settings(uri=...)"]),
        (_SETTINGS + "def outer():\n    return get()\ndef get():\n    return Settings()\nouter().uri", _DEFAULT),
        (_SETTINGS + "_settings = None\ndef get():\n    global _settings\n    if _settings is None:\n        _settings = Settings()\n    return _settings\nget().uri", _DEFAULT),
        (_SETTINGS + "def get(n):\n    if n:\n        return get(n - 1)\n    return Settings()\nget(3).uri", []),  # recursive: not followed
        (_SETTINGS + "def get():\n    if flag:\n        return get()\n    return Settings()\nget().uri", []),
        (_SETTINGS + "def get(p):\n    if p:\n        return Settings(uri='databricks')\n    return Settings()\nget(x).uri",
         ["'databricks' via Settings(uri=...)", "'./mlruns' via the default of Settings.uri"]),  # alternatives
        # A class method: ``cls`` is the class it is called on.
        (_SETTINGS + "    @classmethod\n    def load(cls):\n        return cls()\nSettings.load().uri", _DEFAULT),
        (_SETTINGS + "    @classmethod\n    def load(cls):\n        return cls()\nclass Child(Settings):\n    uri = 'databricks'\nChild.load().uri",
         ["'databricks' via the default of Child.uri"]),
        (_SETTINGS + "    @classmethod\n    def load(cls, **kw):\n        return cls(**kw)\nSettings.load().uri", []),
        (_SETTINGS + "    def __init__(self, uri=None):\n        pass\n    @classmethod\n    def load(cls):\n        return cls(uri='databricks')\nSettings.load().uri", []),
        # When the returns cannot be read, the return annotation's class, with its defaults.
        (_SETTINGS + "def get() -> Settings:\n    return CACHE['settings']\nget().uri", _DEFAULT),
        (_SETTINGS + "def get() -> Optional[Settings]:\n    return CACHE['settings']\nget().uri", _DEFAULT),
        (_SETTINGS + "def get():\n    return CACHE['settings']\nget().uri", []),
        (_SETTINGS + "def get() -> Settings:\n    ...\nget().uri", []),  # a stub: nothing returned
        # Unknown: returns of different classes, None, an object built from data or changed.
        (_SETTINGS + "class Other:\n    uri = './mlruns'\ndef get(p):\n    if p:\n        return Other()\n    return Settings()\nget(x).uri", []),
        (_SETTINGS + "def get(p) -> Settings:\n    if p:\n        return None\n    return Settings()\nget(x).uri", []),
        (_SETTINGS + "def get(**overrides):\n    return Settings(**overrides)\nget().uri", []),
        (_SETTINGS + "def get(data) -> Settings:\n    return Settings.model_validate(data)\nget(d).uri", []),
        (_SETTINGS + "BASE = Settings()\ndef get(u) -> Settings:\n    return BASE.model_copy(update={'uri': u})\nget(u).uri", []),
        (_SETTINGS + "def get(u) -> Settings:\n    s = Settings()\n    s.uri = u\n    return s\nget(u).uri", []),
        (_SETTINGS + "def get(kw) -> Settings:\n    s = Settings()\n    for k, v in kw.items():\n        setattr(s, k, v)\n    return s\nget(kw).uri", []),
        (_SETTINGS + "def get():\n    yield Settings()\n    return Settings()\nget().uri", []),  # a generator
        (_SETTINGS + "async def get():\n    return Settings()\nget().uri", []),  # a coroutine
        ("class S:\n    @property\n    def uri(self):\n        return './mlruns'\ndef get():\n    return S()\nget().uri", []),
        # A field that holds an object of a project class: its own fields.
        (_SETTINGS + "class App:\n    store: Settings = Settings()\nApp().store.uri", _DEFAULT),
        (_SETTINGS + "from pydantic import Field\nclass App:\n    store: Settings = Field(default_factory=Settings)\nApp().store.uri", _DEFAULT),
        (_SETTINGS + "class App:\n    store: Settings = Settings()\nApp(store=Settings(uri='databricks')).store.uri", ["'databricks' via Settings(uri=...)"]),
        (_SETTINGS + "class App:\n    store: Settings\nApp().store.uri", []),  # a required field
        (_SETTINGS + "from pydantic import Field\nclass App:\n    uri: str = Field(default_factory=lambda: './mlruns')\nApp().uri", []),
    ],
)
def test_what_a_project_function_returns_is_an_object_of_a_project_class(source: str, expected: list[str]) -> None:
    assert _value("from typing import Optional\n" + source) == expected


def _returned_value(source: str) -> list[str]:
    """The value of what the last method of the last class returns."""
    module = _module(source)
    cls = module.tree.body[-1]
    assert isinstance(cls, ast.ClassDef)
    method = cls.body[-1]
    assert isinstance(method, ast.FunctionDef) and isinstance(method.body[-1], ast.Return)
    return [v.render() for v in module.values.evaluate(method.body[-1].value)]


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("    def __init__(self):\n        self.settings = get()\n", _DEFAULT),
        ("    def __init__(self):\n        self.settings = None\n    def start(self):\n        self.settings = Settings()\n", _DEFAULT),
        ("    settings = Settings()\n", _DEFAULT),
        ("    pass\nclass Base:\n    def __init__(self):\n        self.settings = get()\nclass Trainer(Base):\n", _DEFAULT),  # a base class's
        ("    settings: Optional[Settings] = None\n    def __init__(self):\n        self.settings = Settings()\n", _DEFAULT),
        ("    def __init__(self, settings: Settings):\n        self.settings = settings\n", _DEFAULT),  # an annotated parameter's policy
        ("    def __init__(self, settings):\n        self.settings = settings\n", []),
        ("    def __init__(self, remote):\n        self.settings = Settings(uri='databricks') if remote else Settings()\n", []),
        ("    def __init__(self):\n        self.settings = get()\n    def reset(self):\n        self.settings = Settings(uri='databricks')\n", []),
        ("    @property\n    def settings(self):\n        return Settings()\n", []),
    ],
)
def test_an_attribute_of_self_holds_the_object_the_class_assigns_it(body: str, expected: list[str]) -> None:
    source = f"from typing import Optional\n{_SETTINGS}def get():\n    return Settings()\nclass Trainer:\n{body}    def run(self):\n        return self.settings.uri\n"
    assert _returned_value(source) == expected


def test_a_factory_of_another_module_imported_under_an_alias_resolves(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "config.py").write_text(
        "import functools\n" + _SETTINGS + "@functools.cache\ndef get_settings() -> Settings:\n    return Settings()\n"
        "def remote() -> Settings:\n    return Settings(uri='databricks')\n"
    )
    main = tmp_path / "pkg" / "main.py"
    source = "from pkg import config as cfg\nfrom pkg.config import get_settings as load\nload().uri\ncfg.remote().uri\ns = cfg.get_settings()\ns.uri\n"
    module = _module(source, main, ProjectIndex(tmp_path))
    found = [[v.render() for v in module.values.evaluate(module.tree.body[i].value)] for i in (2, 3, 5)]  # type: ignore[attr-defined]
    assert found == [_DEFAULT, ["'databricks' via Settings(uri=...)"], _DEFAULT]


def test_an_object_of_a_project_class_made_in_another_module_resolves(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("")
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "__init__.py").write_text("")
    (tmp_path / "pkg" / "config.py").write_text(_SETTINGS + "settings = Settings()\nremote = Settings(uri='databricks')\n")
    main = tmp_path / "pkg" / "main.py"
    source = "from pkg import config\nfrom pkg.config import remote, settings\nsettings.uri\nconfig.settings.uri\nremote.uri\n"
    module = _module(source, main, ProjectIndex(tmp_path))
    found = [[v.render() for v in module.values.evaluate(statement.value)] for statement in module.tree.body[2:]]  # type: ignore[attr-defined]
    assert found == [
        ["'./mlruns' via the default of Settings.uri"],
        ["'./mlruns' via the default of Settings.uri"],
        ["'databricks' via Settings(uri=...)"],
    ]


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
    call = next(n for n in ast.walk(tree) if isinstance(n, ast.Call))
    index = LineIndex(source)
    assert index.span(call.args[0]).line == 3
    assert index.span(call.args[0]).column == len('x = "é"; mlflow.set_tracking_uri(') + 1
    for node in ast.walk(tree):
        if hasattr(node, "lineno"):
            assert index.segment(node) == ast.get_source_segment(source, node)


# -- %run of a Jupyter notebook (sources.notebook reads it as ``from .setup import *``) ------
SETUP_NOTEBOOK = ipynb(
    "%pip install mlflow\nimport mlflow\nfrom mlflow import MlflowClient\n\nclient = MlflowClient()\n",
    "def load(uri):\n    return mlflow.pyfunc.load_model(uri)\n",
    "def serve(uri):\n    return load(uri)\n",
)


def test_a_relative_name_finds_a_jupyter_notebook_and_an_absolute_one_never(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "pyproject.toml": "",
            "jobs/setup.ipynb": SETUP_NOTEBOOK,
            "jobs/shared/helpers.ipynb": SETUP_NOTEBOOK,
            "jobs/both.py": "",
            "jobs/both.ipynb": SETUP_NOTEBOOK,
        },
    )
    index = ProjectIndex(tmp_path)
    jobs = (tmp_path / "jobs").resolve()
    assert index.module_file_from(jobs, ".setup") == jobs / "setup.ipynb"  # %run ./setup, %run ./setup.ipynb
    assert index.module_file_from(jobs, ".shared.helpers") == jobs / "shared" / "helpers.ipynb"
    assert index.module_file_from(jobs / "shared", "..setup") == jobs / "setup.ipynb"  # %run ../setup
    assert index.module_file_from(jobs, ".both") == jobs / "both.py"  # a Python module first
    # ``import setup``: no Python import loads an .ipynb, whatever sits beside it.
    assert index.module_file_from(jobs, "setup") is None
    assert index.module_file_from(jobs, "shared.helpers") is None


def test_an_included_notebook_is_read_as_the_engine_reads_it(tmp_path: Path) -> None:
    r_notebook = '{"cells": [{"cell_type": "code", "source": "x <- 1"}], "metadata": {"kernelspec": {"language": "R"}}}'
    write_files(
        tmp_path,
        {
            "pyproject.toml": "",
            "setup.ipynb": ipynb("%pip install mlflow\nimport mlflow\n", "def broken(:\n", "URI = 'sqlite:///x.db'\n"),
            "corrupt.ipynb": '{"cells": [',
            "no_code.ipynb": ipynb(),
            "all_broken.ipynb": ipynb("def broken(:\n"),
            "r.ipynb": r_notebook,
            "common.py": "# Databricks notebook source\nimport mlflow\n\n# COMMAND ----------\n\n# MAGIC %run ./setup\n",
        },
    )
    index = ProjectIndex(tmp_path)
    setup = index.module_at(tmp_path / "setup.ipynb")
    assert setup is not None and setup.file_lines is not None  # the broken cell left out, the rest read
    assert {"mlflow", "URI"} <= set(setup.model.scopes[setup.tree].bindings)
    # A Databricks source notebook's own %run lines include further notebooks.
    common = index.module_at(tmp_path / "common.py")
    assert common is not None and common.model.scopes[common.tree].star_imports == [".setup"]
    assert index.resolve_constant(tmp_path / "job.py", ".common.URI") is not None  # through both
    for name in ("corrupt.ipynb", "no_code.ipynb", "all_broken.ipynb", "r.ipynb"):
        assert index.module_at(tmp_path / name) is None, name  # not a module, and no exception


def test_a_notebook_that_never_names_mlflow_is_analysed_when_it_runs_one_that_does(tmp_path: Path) -> None:
    project = write_files(
        tmp_path,
        {
            "pyproject.toml": "",
            "includes/setup.ipynb": SETUP_NOTEBOOK,
            # Databricks: a setup notebook that includes the Jupyter one (a nested %run).
            "includes/common.py": "# Databricks notebook source\n# MAGIC %run ./setup\n",
            # A finding only on a receiver known to be a client: the one the setup made.
            "job.ipynb": ipynb("%run ./includes/setup\n", "client.download_artifacts('0123456789abcdef', 'model')\n"),
            "job.py": "# Databricks notebook source\n# MAGIC %run ./includes/common\n\nclient.download_artifacts('0123456789abcdef', 'model')\n",
        },
    )
    result = lint_paths([project], Config(root=project), all_rules(), cwd=project)
    assert {(f.path, f.cell, f.line, f.rule) for f in result.findings} == {("job.ipynb", 1, 1, "MLF601"), ("job.py", None, 4, "MLF601")}


def test_flow_steps_into_an_included_notebook_name_lines_of_its_file(tmp_path: Path) -> None:
    """The MLflow call a finding reaches through a helper of a %run notebook, and the calls
    on the way, are places in the .ipynb file (SARIF codeFlows, JSON flow), not lines of
    its cells concatenated; so is a helper in the linted notebook itself."""
    project = write_files(
        tmp_path,
        {
            "pyproject.toml": "",
            "setup.ipynb": SETUP_NOTEBOOK,
            "job.ipynb": ipynb("%run ./setup\n", "\nmodel = serve('runs:/0123456789abcdef/model')\n"),
            "job.py": "# Databricks notebook source\n# MAGIC %run ./setup.ipynb\n\nmodel = serve('runs:/0123456789abcdef/model')\n",
            "own.ipynb": ipynb("import mlflow\n", "def load(uri):\n    return mlflow.pyfunc.load_model(uri)\n", "load('runs:/0123456789abcdef/model')\n"),
        },
    )
    result = lint_paths([project], Config(root=project), all_rules(), cwd=project)
    found = {f.path: f for f in result.findings if f.rule == "MLF601"}
    assert sorted(found) == ["job.ipynb", "job.py", "own.ipynb"]
    setup = project / "setup.ipynb"
    passed_on, sink = file_line(setup, "return load(uri)"), file_line(setup, "return mlflow.pyfunc.load_model(uri)")
    for path in ("job.ipynb", "job.py"):
        finding = found[path]
        assert [(step.path, step.line, step.column) for step in finding.flow] == [("setup.ipynb", passed_on, 1), ("setup.ipynb", sink, 1)]
        assert finding.message.endswith(f"(through serve() at setup.ipynb:{sink})")
        # Columns inside a cell are not columns of the file: the message says where in the cell.
        assert finding.flow[-1].message.endswith("(cell 1, line 2, column 37)")
    own = found["own.ipynb"]
    assert (own.cell, own.line) == (2, 1)
    assert [(step.path, step.line) for step in own.flow] == [("own.ipynb", file_line(project / "own.ipynb", "return mlflow"))]



def test_a_partial_is_named_by_the_function_it_wraps_and_the_name_it_is_called_by(tmp_path: Path) -> None:
    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "helpers.py": "import mlflow\n\n\ndef setup(uri):\n    mlflow.set_tracking_uri(uri)\n",
            "a.py": "import functools\n\nfrom helpers import setup\n\nlocal = functools.partial(setup, './mlruns')\nlocal()\n",
            "b.py": "from helpers import setup\n\nsetup('https://b.example.com')\n",
            "c.py": "from helpers import setup\n\nsetup('https://b.example.com')\n",
        },
    )
    result = lint_paths([project], Config(root=project), all_rules(), cwd=project)
    messages = {(f.path, f.rule): f.message for f in result.findings}
    assert messages[("a.py", "MLF101")].endswith("(through setup() (as local) at helpers.py:5)")
    assert "tracking URI './mlruns' via setup() (as local) differs from 'https://b.example.com'" in messages[("a.py", "MLF102")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_notebooks_count_in_the_projects_tracking_uris(tmp_path: Path, jobs: int) -> None:
    """Two notebooks that agree make the primary URI against one script: the script is
    reported, named against the notebook's cell (as findings are shown). A notebook that
    sets a URI through a project function, or through ``MlflowClient("...")`` (its quote
    escaped in the JSON), counts too; a notebook's call that leaves an argument out is a
    caller that uses the default (MLF201 on it)."""
    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "pkg/__init__.py": "",
            "pkg/helpers.py": "import mlflow\n\n\ndef init(uri='sqlite:///local.db'):\n    mlflow.set_tracking_uri(uri)\n",
            "a.ipynb": ipynb("import mlflow\n", "mlflow.set_experiment('x')\nmlflow.set_tracking_uri('https://nb.example.com')\n"),
            "b.ipynb": ipynb("from mlflow import MlflowClient\n", "client = MlflowClient(\"https://nb.example.com\")\n"),
            "c.ipynb": ipynb("from pkg.helpers import init\n", "init('https://nb.example.com')\n", "init()\n"),
            "train.py": "from pkg.helpers import init\n\ninit('https://py.example.com')\n",
        },
    )
    result = lint_paths([project], Config(root=project), all_rules(), jobs=jobs, cwd=project)
    found = sorted((f.path, f.cell, f.line, f.rule) for f in result.findings if f.rule in ("MLF102", "MLF201"))
    helper = file_line(project / "pkg/helpers.py", "set_tracking_uri")
    assert found == [
        ("pkg/helpers.py", None, helper, "MLF102"),  # the default, used by c.ipynb's init()
        ("pkg/helpers.py", None, helper, "MLF201"),
        ("train.py", None, 3, "MLF102"),
    ]
    [script] = [f for f in result.findings if f.path == "train.py" and f.rule == "MLF102"]
    assert "differs from 'https://nb.example.com' used elsewhere in the project (a.ipynb:cell 1:2 and 2 more)" in script.message


@pytest.mark.parametrize(
    ("same", "other", "primary"),
    [
        # 127.0.0.1, localhost and [::1] on one port are one local server; another port is another.
        (["http://127.0.0.1:5000", "http://LOCALHOST:5000/", "http://[::1]:5000"], "http://localhost:8080", "http://127.0.0.1:5000"),
        # mlruns, ./mlruns, file:./mlruns and file:mlruns/ are one directory; another is another.
        (["./mlruns", "mlruns", "file:./mlruns", "file:mlruns/"], "file:///srv/mlruns", "./mlruns"),
    ],
)
def test_spellings_of_one_tracking_uri_are_one(tmp_path: Path, same: list[str], other: str, primary: str) -> None:
    """MLF102 compares what the URIs name, not how they are written."""
    files = {f"{chr(97 + index)}.py": f"import mlflow\n\nmlflow.set_tracking_uri({uri!r})\n" for index, uri in enumerate([*same, other])}
    project = write_files(tmp_path / "project", {"pyproject.toml": "[project]\nname = 'p'\n", **files})
    result = lint_paths([project], Config(root=project), frozenset({"MLF102"}), cwd=project)
    [finding] = result.findings
    assert finding.path == f"{chr(97 + len(same))}.py"
    assert f"differs from {primary!r} used elsewhere in the project (a.py:3 and {len(same) - 1} more)" in finding.message


def test_a_class_call_is_followed_into_its_initializer(tmp_path: Path) -> None:
    """``Selector(mlflow_uri=args.mlflow_uri)`` runs ``Selector.__init__`` (its own, or a
    base class's) with the call's arguments: the argparse default reaches the setter."""
    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "selector.py": (
                "import mlflow\n\n\nclass Selector:\n    def __init__(self, mlflow_uri: str = 'https://mlflow.example.com'):\n"
                "        mlflow.set_tracking_uri(mlflow_uri)\n\n\nclass Child(Selector):\n    pass\n"
            ),
            "main.py": (
                "import argparse\n\nfrom selector import Child, Selector\n\nparser = argparse.ArgumentParser()\n"
                "parser.add_argument('--mlflow-uri', default='mlruns')\nargs = parser.parse_args()\n"
                "Selector(mlflow_uri=args.mlflow_uri)\nChild('./other')\n"
            ),
        },
    )
    result = lint_paths([project], Config(root=project), frozenset({"MLF101"}), cwd=project)
    found = sorted((f.path, f.line, f.message.rsplit("(through ", 1)[-1]) for f in result.findings)
    assert found == [("main.py", 8, "Selector() at selector.py:6)"), ("main.py", 9, "Child() at selector.py:6)")]


def test_the_scope_a_name_is_read_in_is_the_one_its_parents_say() -> None:
    """The build records each name's scope (``scope_of`` then climbs no parents): the same
    scope the climb finds, for names in decorators, defaults, annotations, class bases,
    lambdas and comprehensions too."""
    from mlflow_lint.analysis.semantic import SemanticModel

    source = (
        "import functools\n"
        "x = 1\n"
        "@functools.cache\n"
        "def f(a: int = x, *, b=lambda y=x: y + x) -> type(x):\n"
        "    z = [x + w for w in range(a) if w > x]\n"
        "    class C(dict, metaclass=type):\n"
        "        attribute = x\n"
        "        def method(self, q=attribute):\n"
        "            return {k: q for k in z}\n"
        "    return C\n"
    )
    model = SemanticModel(ast.parse(source))
    names = [node for node in ast.walk(model.tree) if isinstance(node, ast.Name)]
    assert len(names) > 20
    recorded = {node: model.scope_of(node) for node in names}
    model._name_scopes.clear()
    assert {node: model.scope_of(node) for node in names} == recorded


def test_project_indexes_of_one_session_share_one_budget_of_parsed_modules(tmp_path: Path) -> None:
    """Nested projects are indexes of their own that import the same sources: one budget
    for all of them, the least recently used module out first, whichever index holds it."""
    from mlflow_lint.project import ModuleBudget

    for name in ("a", "b", "c"):
        (tmp_path / "outer" / f"{name}.py").parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "outer" / f"{name}.py").write_text(f"NAME = {name!r}\n")
    budget = ModuleBudget(limit=2)
    outer, inner = ProjectIndex(tmp_path / "outer", budget), ProjectIndex(tmp_path / "outer", budget)
    first = outer.module_at(tmp_path / "outer" / "a.py")
    inner.module_at(tmp_path / "outer" / "b.py")
    assert outer.module_at(tmp_path / "outer" / "a.py") is first  # kept, and now the most recent
    inner.module_at(tmp_path / "outer" / "c.py")  # over the budget: b.py (inner's) goes, not a.py
    assert set(outer._modules) == {(tmp_path / "outer" / "a.py").resolve()}
    assert set(inner._modules) == {(tmp_path / "outer" / "c.py").resolve()}


def test_an_artifact_store_is_reported_and_never_linted_as_the_projects_code(tmp_path: Path) -> None:
    """``mlartifacts/`` is what ``mlflow server`` writes by default: the copies of scripts a
    run logged are MLflow's files, not the project's code; the committed store is MLF103."""
    project = tmp_path / "p"
    write_files(
        project,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            "train.py": 'import mlflow\nmlflow.set_tracking_uri("https://tracking.example.com")\n',
            "serve.py": 'import mlflow\nmlflow.set_tracking_uri("https://tracking.example.com")\n',
            "mlartifacts/1/0a1b/artifacts/train.py": 'import mlflow\nmlflow.set_tracking_uri("http://127.0.0.1:5000")\nmlflow.set_tracking_uri("./mlruns")\n',
            "mlartifacts/1/0a1b/artifacts/other.py": 'import mlflow\nmlflow.set_tracking_uri("http://127.0.0.1:5000")\n',
        },
    )
    result = lint_paths([project], Config(root=project), all_rules(), jobs=1, cwd=project)
    assert [(f.path, f.rule) for f in result.findings] == [("mlartifacts/1/0a1b/artifacts/other.py", "MLF103")]
    assert "the local artifact store mlartifacts/" in result.findings[0].message


@pytest.mark.parametrize("first", ["deep", "near"])
def test_whether_a_file_imports_mlflow_users_does_not_depend_on_what_was_asked_first(tmp_path: Path, first: str) -> None:
    """A worker's files come in any order. ``near.py`` imports ``r``, which imports ``s``,
    which says mlflow: worth parsing, whether or not ``deep.py`` reached ``r`` first at the
    last import level followed (where ``r``'s own imports are no longer looked at)."""
    files = {
        "pyproject.toml": "[project]\nname = 'p'\n",
        "deep.py": "import z1\n", "z1.py": "import z2\n", "z2.py": "import z3\n", "z3.py": "import r\n",
        "near.py": "import r\n", "r.py": "import s\n", "s.py": "import mlflow\n",
    }  # fmt: skip
    for name, text in files.items():
        (tmp_path / name).write_text(text)
    index = ProjectIndex(tmp_path)
    answers = {}
    for name in (["deep", "near"] if first == "deep" else ["near", "deep"]):
        path = tmp_path / f"{name}.py"
        answers[name] = index.imports_mlflow_users(path, path.read_bytes())
    assert answers == {"deep": False, "near": True}


@pytest.mark.parametrize("first", ["start_a", "start_b"])
def test_how_far_a_sink_is_does_not_depend_on_what_was_asked_first(first: str) -> None:
    """``b`` reaches the URI setter only through ``a``, which calls ``b`` before ``c``: asked
    first, ``a`` finds ``b`` while ``a`` itself is being measured. That must not leave ``b``
    'unreachable' for later askers (a worker's files come in any order)."""
    from mlflow_lint.analysis.call_frames import sink_distance
    from mlflow_lint.analysis.uri_flow import URI_SETTERS

    source = (
        "import mlflow\n\n\n"
        "def a(uri):\n    b(uri)\n    c(uri)\n\n\n"
        "def b(uri):\n    a(uri)\n\n\n"
        "def c(uri):\n    mlflow.set_tracking_uri(uri)\n"
    )
    module = AnalysedModule(Path("/nonexistent/flow.py"), source, ast.parse(source), ProjectIndex(None))
    functions = {node.name: node for node in module.tree.body if isinstance(node, ast.FunctionDef)}
    order = ["a", "b"] if first == "start_a" else ["b", "a"]
    distances = {name: sink_distance(module, functions[name], URI_SETTERS) for name in order}
    assert distances == {"a": 1, "b": 2}
    assert sink_distance(module, functions["c"], URI_SETTERS) == 0


def test_linting_leaves_no_analysed_module_to_the_cycle_collector(tmp_path: Path) -> None:
    """A module's derived facts refer back to it (its value evaluator), so a module the
    engine drops must be released, or it waits for a full collection, which the CLI's
    tuned collector rarely makes. The cases that were not: a notebook (never kept by the
    project index), Python a script embeds, and a module first imported by another file
    and then linted itself (its imported copy replaced)."""
    import gc

    project = write_files(
        tmp_path / "project",
        {
            "pyproject.toml": "[project]\nname = 'p'\n",
            "helpers.py": "import mlflow\n\n\ndef setup(uri):\n    mlflow.set_tracking_uri(uri)\n",
            "a_train.py": "from helpers import setup\n\nsetup('./mlruns')\n",
            "notebook.ipynb": ipynb("import mlflow\n", "mlflow.set_tracking_uri('./mlruns')\n"),
            "run.sh": "python - <<'EOF'\nimport mlflow\nmlflow.set_tracking_uri('./mlruns')\nEOF\n",
        },
    )
    gc.collect()
    gc.disable()
    try:
        result = lint_paths([project], Config(root=project), all_rules(), cwd=project, jobs=1)
        assert {finding.path for finding in result.findings} >= {"a_train.py", "notebook.ipynb", "run.sh"}
        del result
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        leaked = [str(o.path.name) for o in gc.garbage if isinstance(o, AnalysedModule)]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert leaked == []


def test_a_uri_the_python_of_a_script_sets_is_named_at_its_line_in_the_script(tmp_path: Path) -> None:
    """A lone script (no project around it) whose here-document sets two tracking URIs: the
    first is named where it is in the script, not at its line in the embedded code."""
    script = write_files(
        tmp_path / "lone",
        {
            "run.sh": "#!/bin/sh\necho start\npython3 - <<'PY'\nimport mlflow\n"
            "mlflow.set_tracking_uri('https://a.example.com')\nmlflow.set_tracking_uri('https://a.example.com')\n"
            "mlflow.set_tracking_uri('https://b.example.com')\nPY\n",
        },
    ) / "run.sh"
    result = lint_paths([script], Config(), all_rules(), cwd=script.parent)
    [finding] = [f for f in result.findings if f.rule == "MLF102"]
    assert finding.line == 7
    assert "used elsewhere in the project (run.sh:5 and 1 more)" in finding.message
