"""Autofixes: before/after fixture pairs, idempotency, refusal of invalid results,
notebooks, configuration and the CLI's --fix / --unsafe-fixes / --diff-fixes contract."""

from __future__ import annotations

import json
import os
from pathlib import Path

import libcst as cst
import pytest

from mlflow_lint.catalog import load_catalog
from mlflow_lint.config import ConfigError, RuleOptions, load_config
from mlflow_lint.engine import lint_bytes
from mlflow_lint.findings import Finding
from mlflow_lint.fixes.apply import ALL_FIXES, NOTES, fix_file
from mlflow_lint.fixes.base import Fix
from mlflow_lint.project import ProjectIndex
from tests.conftest import FIXTURES, all_rules, run_cli, write_files

PAIRS = FIXTURES / "fixes"
CASES = sorted(path.name[: -len(".before.py")] for path in PAIRS.glob("*.before.py"))


def _linter(name: str, kind: str = "python"):  # type: ignore[no-untyped-def]
    path = Path("/nonexistent") / name

    def lint(data: bytes) -> list[Finding]:
        return lint_bytes(data, name, all_rules(), path=path, project=ProjectIndex(None), kind=kind)

    return lint


def _fix(name: str, data: bytes, *, unsafe: bool = True, options: RuleOptions | None = None, **kwargs):  # type: ignore[no-untyped-def]
    kind = "notebook" if name.endswith(".ipynb") else "python"
    return fix_file(name, data, kind, _linter(name, kind), options or RuleOptions(), unsafe=unsafe, **kwargs)


@pytest.mark.parametrize("case", CASES)
def test_before_becomes_after_keeping_formatting_and_comments(case: str) -> None:
    before = (PAIRS / f"{case}.before.py").read_bytes()
    after = (PAIRS / f"{case}.after.py").read_text(encoding="utf-8")
    result = _fix(f"{case}.py", before)
    assert result.fixed.decode("utf-8") == after
    assert result.dropped == []


@pytest.mark.parametrize("case", CASES)
def test_fixing_twice_changes_nothing(case: str) -> None:
    after = (PAIRS / f"{case}.after.py").read_bytes()
    second = _fix(f"{case}.py", after)
    assert second.fixed == after and second.applied == []


@pytest.mark.parametrize("case", CASES)
def test_after_has_no_finding_that_a_fix_handles_by_shape(case: str) -> None:
    """Every finding a fix would rewrite is gone; what remains is what no fix knows."""
    before = (PAIRS / f"{case}.before.py").read_bytes()
    result = _fix(f"{case}.py", before)
    remaining = _linter(f"{case}.py")(result.fixed)
    assert len(remaining) == len(_linter(f"{case}.py")(before)) - len(result.applied)


@pytest.mark.parametrize("case", [case for case in CASES if case.startswith("mlflow3_")])
def test_findings_marked_fixable_are_exactly_those_the_safe_fixes_rewrite(case: str) -> None:
    """``check`` says "N fixable with --fix" from the checks' marks: they must agree with
    what the fixes then do, finding by finding."""
    before = (PAIRS / f"{case}.before.py").read_bytes()
    marked = sorted((f.line, f.column) for f in _linter(f"{case}.py")(before) if f.fix == "safe")
    result = _fix(f"{case}.py", before, unsafe=False)
    assert marked and marked == sorted((f.line, f.column) for f in result.applied)


def test_safe_run_applies_no_unsafe_fix_and_counts_them() -> None:
    before = (PAIRS / "stage_uri.before.py").read_bytes()
    result = _fix("stage_uri.py", before, unsafe=False)
    assert result.fixed == before and result.applied == []
    assert result.more_with_unsafe == 3


def test_configured_stage_aliases_are_used() -> None:
    options = RuleOptions(stage_aliases=(("Production", "champion"), ("Staging", "challenger")))
    source = b'import mlflow\nm = mlflow.pyfunc.load_model("models:/churn/Production")\nc = mlflow.pyfunc.load_model("models:/churn/Staging")\n'
    fixed = _fix("a.py", source, options=options).fixed.decode()
    assert '"models:/churn@champion"' in fixed and '"models:/churn@challenger"' in fixed


class _Breaks(Fix):
    """A fix whose result does not parse: it must be refused and reported."""

    rule = "MLF401"
    safety = "unsafe"

    def rewrite(self, original, updated, finding):  # type: ignore[no-untyped-def]
        return cst.Name("lambda") if isinstance(updated, cst.SimpleString) else None  # a keyword


class _AddsFinding(Fix):
    """A fix that trades one finding for another: refused too."""

    rule = "MLF401"
    safety = "unsafe"

    def rewrite(self, original, updated, finding):  # type: ignore[no-untyped-def]
        return cst.SimpleString('"runs:/abc/model"') if isinstance(updated, cst.SimpleString) else None


@pytest.mark.parametrize(("fix", "reason"), [(_Breaks, "not valid Python"), (_AddsFinding, "new findings (MLF601)")])
def test_a_fix_with_a_bad_result_is_dropped_and_reported(fix: type[Fix], reason: str) -> None:
    before = (PAIRS / "stage_uri.before.py").read_bytes()
    result = _fix("stage_uri.py", before, fixes=(fix, *ALL_FIXES))
    assert len(result.dropped) == 1 and reason in result.dropped[0] and fix.__name__ in result.dropped[0]
    assert result.fixed.decode("utf-8") == (PAIRS / "stage_uri.after.py").read_text(encoding="utf-8")


def test_catalog_fix_safety_matches_the_fixes() -> None:
    catalog = load_catalog()
    for rule in catalog:
        fixes = [fix for fix in ALL_FIXES if fix.rule == rule.id]
        if rule.fix_safety == "none":
            assert fixes == [], rule.id
        else:
            assert fixes and {fix.safety for fix in fixes} == {rule.fix_safety}, rule.id
    # Every unsafe fix says what it asks of the user; a safe one asks nothing.
    assert set(NOTES) == {fix.__name__ for fix in ALL_FIXES if fix.safety == "unsafe"}


def _notebook(cells: list[dict]) -> bytes:
    document = {"cells": cells, "metadata": {"kernelspec": {"language": "python", "name": "python3"}}, "nbformat": 4, "nbformat_minor": 5}
    return (json.dumps(document, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def test_notebook_cells_are_rewritten_and_outputs_kept() -> None:
    output = {"output_type": "stream", "name": "stdout", "text": ["models:/churn/Production\n"]}
    cells = [
        {"cell_type": "markdown", "metadata": {}, "source": ["Load `models:/churn/Production`"]},
        {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [], "source": ["import mlflow\n", "%pip install x\n", 'a = mlflow.pyfunc.load_model("models:/churn/Production")']},
        {"cell_type": "code", "execution_count": 2, "metadata": {"tags": ["score"]}, "outputs": [output], "source": ["# scoring ✓\n", 'model = mlflow.pyfunc.load_model("models:/churn/Production")  # keep\n', "print(model)"]},
    ]
    before = _notebook(cells)
    result = _fix("explore.ipynb", before)
    document = json.loads(result.fixed)
    assert document["cells"][2]["source"] == ["# scoring ✓\n", 'model = mlflow.pyfunc.load_model("models:/churn@production")  # keep\n', "print(model)"]
    assert document["cells"][2]["outputs"] == [output] and document["cells"][2]["metadata"] == {"tags": ["score"]}
    assert document["cells"][1] == cells[1]  # a cell with a magic is not rewritten
    assert document["cells"][0] == cells[0]
    expected = json.loads(before)
    expected["cells"][2]["source"][1] = 'model = mlflow.pyfunc.load_model("models:/churn@production")  # keep\n'
    assert result.fixed == _notebook(expected["cells"])
    assert _fix("explore.ipynb", result.fixed).applied == []


def test_stage_aliases_config_is_validated(tmp_path: Path) -> None:
    good = tmp_path / ".mlflow-lint.yaml"
    good.write_text("stage-aliases:\n  production: champion\n", encoding="utf-8")
    options = load_config(good, load_catalog()).options
    assert options.alias_for_stage("Production") == "champion" and options.alias_for_stage("staging") == "staging"
    # None (versions never staged) and Archived name no one version: no alias unless mapped.
    assert options.alias_for_stage("None") is None and options.alias_for_stage("Archived") is None
    good.write_text("stage-aliases:\n  Archived: retired\n", encoding="utf-8")
    assert load_config(good, load_catalog()).options.alias_for_stage("archived") == "retired"
    for bad, problem in (("{Prod: champion}", "not a registry stage"), ("{Production: latest}", "alias name"), ("[champion]", "must map")):
        good.write_text(f"stage-aliases: {bad}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match=problem) as raised:
            load_config(good, load_catalog())
        assert "stage-aliases" in str(raised.value)


# ---------------------------------------------------------------------------- the name os
# MLF701's fix writes ``os.environ[...]`` and adds ``import os``: only right where nothing
# binds ``os`` to anything else. The secret below is flagged whatever ``os`` is.
CREDS_IMPORT = "from mlflow.utils.rest_utils import MlflowHostCreds\n"
CREDS = 'creds = MlflowHostCreds("https://mlflow.internal.example.com", "svc", "example-password-0000")\n'
CREDS_FIXED = 'creds = MlflowHostCreds("https://mlflow.internal.example.com", "svc", os.environ["MLFLOW_TRACKING_PASSWORD"])\n'

OS_BINDINGS = {
    "import-submodule-as": "import os.path as os\n",
    "from-import": "from compat import os\n",
    "relative-import": "from . import os\n",
    "assignment": "os = 'linux'\n",
    "annotated": "os: str = 'linux'\n",
    "augmented": "import os\nos += ''\n",
    "unpacking": "first, *os = ['a', 'b']\n",
    "delete": "import os\ndel os\n",
    "except-as": "try:\n    import ujson\nexcept ImportError as os:\n    pass\n",
    "parameter": "def configure(os):\n    return os\n",
    "keyword-only-parameter": "def configure(*, os=None):\n    return os\n",
    "lambda-parameter": "configure = lambda os: os\n",
    "for": "for os in ('linux', 'darwin'):\n    pass\n",
    "with-as": "with open('platform.txt') as os:\n    pass\n",
    "walrus": "if (os := 'linux'):\n    pass\n",
    "comprehension": "names = [os for os in ('linux',)]\n",
    "global": "def configure():\n    global os\n    os = 'linux'\n",
    "global-only": "def configure():\n    global os\n",
    "def": "def os():\n    return 'linux'\n",
    "class": "class os:\n    pass\n",
    "match-capture": "match 'linux':\n    case os:\n        pass\n",
    "match-star": "match ['linux']:\n    case [*os]:\n        pass\n",
    "match-rest": "match {}:\n    case {**os}:\n        pass\n",
}
OS_NOT_REBOUND = {
    "import": "import os\n",
    "import-submodule": "import os.path\n",
    "import-as-itself": "import os as os\n",
    "from-os-import": "from os import path\n",
    "attribute": "import types\nsettings = types.SimpleNamespace()\nsettings.os = 'linux'\n",
    "keyword-argument": "config = dict(os='linux')\n",
    "string": "name = 'os'\n",
}


@pytest.mark.parametrize("binding", list(OS_BINDINGS.values()), ids=list(OS_BINDINGS))
def test_secret_fix_refuses_a_module_where_os_is_bound_otherwise(binding: str) -> None:
    before = (CREDS_IMPORT + binding + CREDS).encode()
    assert [f.rule for f in _linter("creds.py")(before)] == ["MLF701"]
    result = _fix("creds.py", before)
    assert result.fixed == before and result.applied == []


@pytest.mark.parametrize("binding", list(OS_NOT_REBOUND.values()), ids=list(OS_NOT_REBOUND))
def test_secret_fix_applies_where_os_can_only_be_the_module(binding: str) -> None:
    before = CREDS_IMPORT + binding + CREDS
    result = _fix("creds.py", before.encode())
    fixed = result.fixed.decode()
    assert CREDS_FIXED in fixed and len(result.applied) == 1
    assert all(line in fixed.splitlines() for line in binding.splitlines())
    imports_os = binding.startswith("import os")  # import os, import os.path, import os as os
    assert fixed.count("import os\n") - before.count("import os\n") == (0 if imports_os else 1)
    assert _fix("creds.py", result.fixed).fixed == result.fixed


def _code(*sources: str) -> list[dict]:
    return [{"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": source} for source in sources]


# (cells before, cells after): a notebook is one module whose cells run in order.
NOTEBOOK_OS_CASES = {
    "import-in-an-earlier-cell-is-used": (
        ["import os\n" + CREDS_IMPORT, CREDS],
        ["import os\n" + CREDS_IMPORT, CREDS_FIXED],
    ),
    "import-in-a-later-cell-does-not-count": (
        [CREDS_IMPORT + CREDS, "import os\nprint(os.getcwd())\n"],
        [CREDS_IMPORT + "import os\n\n" + CREDS_FIXED, "import os\nprint(os.getcwd())\n"],
    ),
    "import-inside-an-if-does-not-count": (
        ["import sys\nif sys.platform == 'linux':\n    import os\n" + CREDS_IMPORT, CREDS],
        ["import sys\nif sys.platform == 'linux':\n    import os\n" + CREDS_IMPORT, "import os\n\n" + CREDS_FIXED],
    ),
    # Adding ``import os`` to the secret's cell would break the cell that uses the other os.
    "os-bound-in-an-earlier-cell": (
        [CREDS_IMPORT + "os = 'linux'  # the target platform\n", CREDS, "print(os.upper())\n"],
        None,
    ),
    "os-bound-in-a-later-cell": (
        [CREDS_IMPORT + CREDS, "try:\n    import ujson\nexcept ImportError as os:\n    print(os)\n"],
        None,
    ),
    "os-bound-in-a-cell-with-a-magic": (
        ["%pip install ujson\nos = 'linux'\n", CREDS_IMPORT + CREDS],
        None,
    ),
}


@pytest.mark.parametrize("case", list(NOTEBOOK_OS_CASES), ids=list(NOTEBOOK_OS_CASES))
def test_notebook_cells_are_one_module_for_the_name_os(case: str) -> None:
    before_cells, after_cells = NOTEBOOK_OS_CASES[case]
    before = _notebook(_code(*before_cells))
    assert "MLF701" in [f.rule for f in _linter("secrets.ipynb", "notebook")(before)]
    result = _fix("secrets.ipynb", before)
    assert result.dropped == []
    if after_cells is None:
        assert result.fixed == before and result.applied == []
    else:
        assert [cell["source"] for cell in json.loads(result.fixed)["cells"]] == after_cells
        assert _fix("secrets.ipynb", result.fixed).fixed == result.fixed


# ---------------------------------------------------------------------------- CLI
def _project(tmp_path: Path) -> Path:
    (tmp_path / "serve.py").write_bytes((PAIRS / "stage_uri.before.py").read_bytes())
    (tmp_path / "clean.py").write_text("import mlflow\nmlflow.pyfunc.load_model('models:/churn@champion')\n", encoding="utf-8")
    return tmp_path


@pytest.mark.integration
def test_cli_fix_without_unsafe_changes_nothing_and_says_what_unsafe_would(tmp_path: Path) -> None:
    project = _project(tmp_path)
    result = run_cli("check", "--fix", ".", cwd=project)
    assert result.returncode == 1, result.stderr
    assert "Fixed 0 findings (3 more with --unsafe-fixes)." in result.stdout
    assert (project / "serve.py").read_bytes() == (PAIRS / "stage_uri.before.py").read_bytes()


@pytest.mark.integration
def test_cli_unsafe_fixes_then_nothing_remains_exit_0_and_a_second_run_is_a_no_op(tmp_path: Path) -> None:
    project = _project(tmp_path)
    first = run_cli("check", "--unsafe-fixes", ".", cwd=project)
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Fixed 3 findings." in first.stdout
    assert "alias exists" in first.stderr  # the note on what the unsafe fix needs
    fixed = (project / "serve.py").read_text(encoding="utf-8")
    assert fixed == (PAIRS / "stage_uri.after.py").read_text(encoding="utf-8")
    second = run_cli("check", "--fix", "--unsafe-fixes", ".", cwd=project)
    assert second.returncode == 0 and "Fixed 0 findings." in second.stdout
    assert (project / "serve.py").read_text(encoding="utf-8") == fixed


@pytest.mark.integration
def test_cli_unsafe_fixes_exit_1_when_findings_remain(tmp_path: Path) -> None:
    project = _project(tmp_path)
    (project / "train.py").write_text("import mlflow\n\nmlflow.sklearn.log_model(model, 'model')\n", encoding="utf-8")
    result = run_cli("check", "--unsafe-fixes", "--format", "json", ".", cwd=project)
    assert result.returncode == 1
    report = json.loads(result.stdout)  # the summary goes to stderr with machine formats
    # A run-less model (MLflow 3 LoggedModel) with no tags, signature or dataset: no fix knows
    # those; its positional artifact path was rewritten to name= (MLF902, safe).
    assert [(f["path"], f["rule"]) for f in report["findings"]] == [("train.py", "MLF501"), ("train.py", "MLF801"), ("train.py", "MLF802")]
    assert "Fixed 4 findings." in result.stderr
    assert (project / "train.py").read_text(encoding="utf-8") == "import mlflow\n\nmlflow.sklearn.log_model(model, name='model')\n"


@pytest.mark.integration
@pytest.mark.parametrize("flags", [("--diff-fixes", "--unsafe-fixes"), ("--unsafe-fixes", "--dry-run")])
def test_cli_diff_prints_a_unified_diff_and_writes_nothing(tmp_path: Path, flags: tuple[str, ...]) -> None:
    project = _project(tmp_path)
    result = run_cli("check", *flags, ".", cwd=project)
    assert result.returncode == 1, result.stderr
    assert result.stdout.startswith("--- a/serve.py\n+++ b/serve.py\n@@ ")
    assert '+model = mlflow.pyfunc.load_model("models:/churn@production")  # nightly scoring\n' in result.stdout
    assert "would fix 3 findings" in result.stderr
    assert (project / "serve.py").read_bytes() == (PAIRS / "stage_uri.before.py").read_bytes()


@pytest.mark.integration
def test_cli_diff_with_nothing_to_fix_exits_0(tmp_path: Path) -> None:
    (tmp_path / "clean.py").write_text("import mlflow\n", encoding="utf-8")
    result = run_cli("check", "--diff-fixes", "--unsafe-fixes", ".", cwd=tmp_path)
    assert result.returncode == 0 and result.stdout == ""


@pytest.mark.integration
@pytest.mark.parametrize("flags", [("--dry-run",), ("--fix", "--baseline", "b.json"), ("--fix", "--diff", "HEAD")])
def test_cli_fix_usage_errors(tmp_path: Path, flags: tuple[str, ...]) -> None:
    result = run_cli("check", *flags, ".", cwd=_project(tmp_path))
    assert result.returncode == 2
    assert "--" in result.stderr


@pytest.mark.integration
def test_cli_fixes_a_notebook(tmp_path: Path) -> None:
    cells = [{"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [{"output_type": "stream", "name": "stdout", "text": ["ok\n"]}], "source": ["import mlflow\n", 'm = mlflow.pyfunc.load_model("models:/churn/Staging")']}]
    (tmp_path / "explore.ipynb").write_bytes(_notebook(cells))
    result = run_cli("check", "--unsafe-fixes", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    document = json.loads((tmp_path / "explore.ipynb").read_bytes())
    assert document["cells"][0]["source"][1] == 'm = mlflow.pyfunc.load_model("models:/churn@staging")'
    assert document["cells"][0]["outputs"] == cells[0]["outputs"]


@pytest.mark.integration
def test_check_without_fix_never_imports_libcst(tmp_path: Path) -> None:
    project = _project(tmp_path)
    plain = run_cli("check", ".", cwd=project, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert plain.returncode == 1 and "import time" in plain.stderr
    assert "libcst" not in plain.stderr
    fixing = run_cli("check", "--fix", ".", cwd=project, env={"PYTHONPROFILEIMPORTTIME": "1"})
    assert "libcst" in fixing.stderr  # the probe sees libcst when it is imported


@pytest.mark.integration
def test_explain_shows_fix_safety() -> None:
    result = run_cli("explain", "MLF401")
    assert "Fix safety" in result.stdout and "Unsafe fix" in result.stdout
    assert "No fix." in run_cli("explain", "MLF801").stdout


# ---------------------------------------------------------------------------- file names and unreadable files
TAG_FROM_ENV = 'import os\n\nimport mlflow\n\nmlflow.set_tag("git_commit", os.environ.get("GIT_COMMIT"))\n'
TAG_FIXED = TAG_FROM_ENV.replace('"GIT_COMMIT")', '"GIT_COMMIT", "unknown")')


@pytest.mark.integration
def test_cli_fixes_files_whose_names_are_not_utf8(tmp_path: Path) -> None:
    """Findings show such a name with escapes (``train_\\xff.py``); the fix must still find
    the file, and tell it from a file named with those very characters."""
    names = [os.fsdecode(b"train_\xff.py"), os.fsdecode(b"data\xfe/prep.py"), "literal_\\xff.py", "caf\u00e9.py"]
    write_files(tmp_path, dict.fromkeys(names, TAG_FROM_ENV))
    result = run_cli("check", "--unsafe-fixes", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"Fixed {len(names)} findings." in result.stdout
    assert [name for name in names if (tmp_path / name).read_text(encoding="utf-8") != TAG_FIXED] == []
    assert sorted(os.listdir(os.fsencode(tmp_path))) == sorted([b"train_\xff.py", b"data\xfe", b"literal_\\xff.py", "caf\u00e9.py".encode()])


@pytest.mark.integration
def test_cli_says_why_a_file_with_a_finding_is_not_fixed(tmp_path: Path) -> None:
    """Never silently: a file the fixes cannot rewrite is named on stderr with the reason."""
    latin = "# -*- coding: latin-1 -*-\n# Café\n" + TAG_FROM_ENV
    write_files(tmp_path, {"latin.py": latin.encode("latin-1"), "ok.py": TAG_FROM_ENV})
    result = run_cli("check", "--unsafe-fixes", ".", cwd=tmp_path)
    assert result.returncode == 1 and "Fixed 1 finding." in result.stdout
    assert "mlflow-lint: latin.py: not fixed: the file is not UTF-8" in result.stderr
    assert (tmp_path / "latin.py").read_bytes() == latin.encode("latin-1")


def test_a_file_gone_since_linting_is_reported_not_skipped(tmp_path: Path) -> None:
    from mlflow_lint.config import Config
    from mlflow_lint.fixes.apply import fix_paths

    finding = Finding("gone.py", 5, 30, "MLF502", 5, 58, "tag from the environment")
    (result,) = fix_paths([finding], Config(root=tmp_path), all_rules(), unsafe=True, cwd=tmp_path)
    assert result.dropped == ["not fixed: the file is not there any more"] and not result.changed


@pytest.mark.parametrize(("requirement", "fixed"), [("mlflow==2.1.1\n", False), ("mlflow>=2.0\n", False), ("mlflow>=2.3\n", True)])
def test_no_alias_fix_where_the_target_release_has_no_aliases(tmp_path: Path, requirement: str, fixed: bool) -> None:
    """MLflow added aliases in 2.3.0: on an older pin the stages are still reported (with
    the upgrade in the advice) but never rewritten into APIs that release would reject."""
    from mlflow_lint.config import ConfigResolver
    from mlflow_lint.engine import lint_paths
    from mlflow_lint.fixes.apply import fix_paths

    write_files(tmp_path, {
        ".git/HEAD": "",
        "requirements.txt": requirement,
        "promote.py": (
            "import mlflow\nfrom mlflow import MlflowClient\n\nclient = MlflowClient()\n"
            'client.transition_model_version_stage("churn", "3", "Staging")\n'
            'model = mlflow.pyfunc.load_model("models:/churn/Staging")\n'
        ),
    })
    resolver = ConfigResolver(load_catalog())
    findings = [f for f in lint_paths([tmp_path], resolver, all_rules(), cwd=tmp_path, jobs=1).findings if f.rule == "MLF401"]
    assert [f.line for f in findings] == [5, 6]
    assert all(("after upgrading MLflow to 2.3.0" in f.message) != fixed for f in findings)
    (result,) = fix_paths(findings, resolver, all_rules(), unsafe=True, cwd=tmp_path, jobs=1)
    assert result.changed == fixed and (b"@staging" in result.fixed) == fixed


# ------------------------------------------------------------------ fixes visit pieces of a unit
# A fix parses and visits the top-level statements that hold its targets, not the whole
# module (libcst's positions cost a code generation of every node visited). These layouts
# are where a piece could be cut wrong: statements sharing a line, decorators, a secret
# deep in a module whose import must go to the top, CRLF line ends, a form feed (not a
# line end for Python, one for str.splitlines), two pieces in one unit.
_LAYOUTS = {
    "shared_line.py": 'import mlflow\nx = 1; mlflow.sklearn.log_model(x, artifact_path="m")\ny = 2\n',
    "decorated.py": (
        "import functools\nimport mlflow\n\n\n@functools.cache\ndef train(model):\n"
        '    mlflow.sklearn.log_model(model, artifact_path="model")\n\n\ndef other():\n    return 1\n'
    ),
    "secret_deep.py": (
        '"""Doc."""\nimport mlflow\n\n\ndef before():\n    return 1\n\n\n'
        'def configure():\n    import os as _os\n\n    _os.environ["MLFLOW_TRACKING_TOKEN"] = "example-token-0123456789"\n'
    ),
    "crlf.py": 'import mlflow\r\n\r\ndef train(m):\r\n    mlflow.sklearn.log_model(m, artifact_path="m")\r\n',
    "form_feed.py": 'import mlflow\n\x0c\ndef train(m):\n    x = "a\x0cb"\n    mlflow.sklearn.log_model(m, artifact_path="m")\n',
    "two_pieces.py": (
        'import mlflow\n\n\ndef a(m):\n    mlflow.sklearn.log_model(m, artifact_path="a")\n\n\n'
        "def middle():\n    return 2\n\n\n"
        'def b(m):\n    mlflow.pyfunc.load_model("models:/churn/Production")\n'
        '    mlflow.sklearn.log_model(m, artifact_path="b")\n'
    ),
}
# Inside a long compound statement the pieces are its inner statements, dedented while
# they are fixed: methods of a class, a block in a function, a decorated method, tabs, a
# multi-line string indented less than its statement (the class is then one piece), a
# blank line that keeps its indentation, a target in an ``if`` test (the ``if`` is one
# piece), a statement after its header on one line, CRLF.
_FILLER = "".join(f"    def helper_{n}(self):\n        return {n}\n\n" for n in range(16))
_LAYOUTS.update(
    {
        "long_class.py": (
            "import mlflow\n\n\nclass Trainer:\n" + _FILLER
            + '    def log(self, m):\n        mlflow.sklearn.log_model(m, artifact_path="m")\n\n'
            + _FILLER.replace("helper_", "more_")
            + '    def load(self):\n        return mlflow.pyfunc.load_model("models:/churn/Production")\n'
        ),
        "deep_block.py": (
            "import os\nimport mlflow\n\n\ndef main(m):\n" + "".join(f"    x{n} = {n}\n" for n in range(30))
            + "    with mlflow.start_run():\n        if m:\n"
            + '            mlflow.sklearn.log_model(m, artifact_path="m")\n'
            + '            os.environ["MLFLOW_TRACKING_TOKEN"] = "example-token-0123456789"\n    return m\n'
        ),
        "decorated_method.py": (
            "import functools\nimport mlflow\n\n\nclass Trainer:\n" + _FILLER
            + '    @functools.cache\n    def log(self, m):\n        mlflow.sklearn.log_model(m, artifact_path="m")\n'
        ),
        "tabs.py": "import mlflow\n\n\nclass Trainer:\n" + _FILLER.replace("    ", "\t")
        + '\tdef log(self, m):\n\t\tmlflow.sklearn.log_model(m, artifact_path="m")\n',
        "string_indented_less.py": (
            "import mlflow\n\n\nclass Trainer:\n" + _FILLER
            + '    def log(self, m):\n        """Log it.\n\nWith a line indented less."""\n'
            + '        mlflow.sklearn.log_model(m, artifact_path="m")\n'
        ),
        "indented_blank_line.py": (
            "import mlflow\n\n\nclass Trainer:\n" + _FILLER
            + '    def log(self, m):\n        x = 1\n        \n        mlflow.sklearn.log_model(m, artifact_path="m")\n'
        ),
        "target_in_header.py": (
            "import mlflow\n\n\ndef main(m):\n"
            + '    if mlflow.pyfunc.load_model("models:/churn/Production"):\n'
            + "".join(f"        x{n} = {n}\n" for n in range(30))
            + '        mlflow.sklearn.log_model(m, artifact_path="m")\n'
        ),
        "one_line_body.py": (
            "import mlflow\n\n\ndef main(m):\n" + "".join(f"    x{n} = {n}\n" for n in range(30))
            + '    if m: mlflow.sklearn.log_model(m, artifact_path="m")\n'
            + '    x = 1; mlflow.sklearn.log_model(m, artifact_path="n")\n'
        ),
        "elif_branch.py": (
            "import mlflow\n\n\ndef main(m, kind):\n    if kind == 'a':\n"
            + "".join(f"        x{n} = {n}\n" for n in range(30))
            + "    elif kind == 'b':\n"
            + '        mlflow.sklearn.log_model(m, artifact_path="b")\n'
            + "    else:\n"
            + '        mlflow.sklearn.log_model(m, artifact_path="c")\n'
        ),
        "long_class_crlf.py": (
            "import mlflow\n\n\nclass Trainer:\n" + _FILLER
            + '    def log(self, m):\n        mlflow.sklearn.log_model(m, artifact_path="m")\n'
        ).replace("\n", "\r\n"),
    }
)
_WHOLE_CASES = [*(f"fixture:{case}" for case in CASES), *_LAYOUTS]


def _case_text(case: str) -> tuple[str, bytes]:
    if case.startswith("fixture:"):
        name = case.removeprefix("fixture:")
        return f"{name}.py", (PAIRS / f"{name}.before.py").read_bytes()
    return case, _LAYOUTS[case].encode("utf-8")


@pytest.mark.parametrize("case", _WHOLE_CASES)
def test_fixing_pieces_gives_what_fixing_the_whole_unit_gives(case: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from mlflow_lint.fixes import base

    name, data = _case_text(case)
    pieces = _fix(name, data)
    monkeypatch.setattr(base.Parses, "pieces", lambda self, source, spans: None)  # the unit whole
    whole = _fix(name, data)
    assert pieces.applied or case.startswith("fixture:")  # each layout has something to fix
    assert pieces.fixed == whole.fixed
    assert [(f.rule, f.line) for f in pieces.applied] == [(f.rule, f.line) for f in whole.applied]
    assert pieces.dropped == whole.dropped


@pytest.fixture
def parsed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text the fixes give libcst to parse, in order."""
    from mlflow_lint.fixes import base

    texts: list[str] = []
    real_parse = cst.parse_module

    def recording(source: str, *args: object, **kwargs: object) -> cst.Module:
        texts.append(source)
        return real_parse(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(base.cst, "parse_module", recording)
    return texts


def test_a_fix_parses_only_the_statements_that_hold_its_targets(parsed: list[str]) -> None:
    name, data = _case_text("two_pieces.py")
    result = _fix(name, data)
    assert {f.rule for f in result.applied} == {"MLF401", "MLF902"}
    assert parsed and all("def middle" not in text for text in parsed)
    # The secret's import goes to the top of the module, not of the piece it was in.
    name, data = _case_text("secret_deep.py")
    fixed = _fix(name, data).fixed.decode("utf-8")
    assert fixed.index("\nimport os\n") < fixed.index("def before"), fixed
    assert '_os.environ["MLFLOW_TRACKING_TOKEN"] = os.environ["MLFLOW_TRACKING_TOKEN"]' in fixed


def test_inside_a_long_class_a_fix_parses_only_the_statements_that_hold_its_targets(parsed: list[str]) -> None:
    name, data = _case_text("long_class.py")
    result = _fix(name, data)
    assert {(f.rule, f.line) for f in result.applied} == {("MLF902", 54), ("MLF401", 105)}
    assert parsed and all("helper_" not in text and "class Trainer" not in text for text in parsed), parsed
    assert "def log(self, m):\n    mlflow.sklearn.log_model(" in "".join(parsed)  # dedented
    # A multi-line string indented less than its statement: the class is fixed as one piece.
    parsed.clear()
    name, data = _case_text("string_indented_less.py")
    assert _fix(name, data).applied
    assert any("class Trainer" in text for text in parsed)
    # An ``elif`` line is no piece's: the statements of its branch are (and the ``else``'s).
    parsed.clear()
    name, data = _case_text("elif_branch.py")
    assert [f.line for f in _fix(name, data).applied] == [37, 39]
    assert parsed == ['mlflow.sklearn.log_model(m, artifact_path="b")\n', 'mlflow.sklearn.log_model(m, artifact_path="c")\n']


@pytest.mark.integration
def test_files_fixed_in_worker_processes_give_what_one_process_gives(tmp_path: Path) -> None:
    """``fix_paths`` spreads files over a pool (``check --fix -j``, the audit's autofix
    column): the same results, in the same order, as fixing them one after the other."""
    from mlflow_lint.fixes.apply import fix_paths

    files = {f"src/{case}.py": (PAIRS / f"{case}.before.py").read_text(encoding="utf-8") for case in CASES}
    files["src/gone.py"] = "import mlflow\n"
    project = write_files(tmp_path / "project", files)
    config = load_config(None, load_catalog())
    findings: list[Finding] = []
    for shown in sorted(files):
        path = project / shown
        findings += lint_bytes(path.read_bytes(), shown, all_rules(), path=path, options=config.options, display_root=str(project))
    (project / "src/gone.py").unlink()
    findings.append(Finding("src/gone.py", 1, 1, "MLF902", 1, 2, "gone"))  # a file removed since the lint
    serial = fix_paths(findings, config, all_rules(), unsafe=True, cwd=project, jobs=1)
    pooled = fix_paths(findings, config, all_rules(), unsafe=True, cwd=project, jobs=2)
    assert len(serial) >= 5 and sum(len(result.applied) for result in serial) >= 5
    assert [(r.shown, r.fixed, r.dropped, [(f.rule, f.line) for f in r.applied]) for r in pooled] == [
        (r.shown, r.fixed, r.dropped, [(f.rule, f.line) for f in r.applied]) for r in serial
    ]
    assert serial[0].shown == "src/gone.py" and serial[0].dropped == ["not fixed: the file is not there any more"]


def test_a_piece_that_is_no_code_alone_falls_back_to_its_statement(monkeypatch: pytest.MonkeyPatch) -> None:
    """A piece libcst cannot parse once cut out would lose its fix (the unit is left as it
    is): such a piece is refused and its whole statement fixed instead. Here the ``elif``
    line, if it were not recognised, would start a piece of its own."""
    from mlflow_lint.fixes import base

    monkeypatch.setattr(base, "_is_elif", lambda statement, orelse: False)
    name, data = _case_text("elif_branch.py")
    assert [f.line for f in _fix(name, data).applied] == [37, 39]
