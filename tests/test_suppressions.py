"""Inline suppressions (``# noqa: MLF601``), MLF001 unused-suppression, and per-file-ignores."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mlflow_lint.catalog import load_catalog
from mlflow_lint.engine import lint_bytes
from mlflow_lint.findings import Finding
from mlflow_lint.project import ProjectIndex
from mlflow_lint.suppressions import (
    apply_suppressions,
    parse_noqa,
    suppressions_from_comments,
    suppressions_from_lines,
    suppressions_from_python,
)

from .conftest import all_rules, run_cli

CATALOG = load_catalog()
WITH_MLF001 = all_rules() | {"MLF001"}


def lint(source: str, selected: frozenset[str] = WITH_MLF001) -> list[tuple[int, str]]:
    findings = lint_bytes(source.encode(), "example.py", selected, path=Path("/nonexistent/example.py"), project=ProjectIndex(None))
    return sorted((f.line, f.rule) for f in findings)


def messages(source: str) -> list[str]:
    findings = lint_bytes(source.encode(), "example.py", WITH_MLF001, path=Path("/nonexistent/example.py"), project=ProjectIndex(None))
    return [f.message for f in findings if f.rule == "MLF001"]


HEADER = "import mlflow\n\n"
LOAD = 'mlflow.pyfunc.load_model("runs:/0a1b2c/model")'


# ---------------------------------------------------------------------------- parsing
@pytest.mark.parametrize(
    ("comment", "codes", "bare"),
    [
        ("# noqa: MLF601", ("MLF601",), False),
        ("# noqa:MLF601,MLF7", ("MLF601", "MLF7"), False),
        ("# NOQA: mlf601 MLF702", ("MLF601", "MLF702"), False),
        ("#noqa: MLF601", ("MLF601",), False),
        ("# noqa: E501, MLF601 -- reviewed in #123", ("MLF601",), False),
        ("# noqa: MLF601, MLF601", ("MLF601",), False),
        ("# noqa", (), True),
        ("# type: ignore # noqa", (), True),
        ("# noqa : MLF601", (), True),  # as flake8 reads it: a bare noqa
    ],
)
def test_noqa_comment_syntax_is_flake8s(comment: str, codes: tuple[str, ...], bare: bool) -> None:
    parsed = parse_noqa(comment, line=3)
    assert parsed is not None and (parsed.codes, parsed.bare) == (codes, bare)


@pytest.mark.parametrize("comment", ["# noqa: E501", "# a comment about noqa-free code", "# see MLF601"])
def test_comments_that_suppress_nothing_of_ours(comment: str) -> None:
    assert parse_noqa(comment, line=1) is None


# ---------------------------------------------------------------------------- where a comment applies
def test_code_or_prefix_on_the_reported_line_suppresses() -> None:
    source = HEADER + f"a = {LOAD}  # noqa: MLF601\nb = {LOAD}  # noqa: MLF6\nc = {LOAD}  # noqa: MLF7\n"
    assert lint(source) == [(5, "MLF001"), (5, "MLF601")]


def test_first_or_last_line_of_a_multi_line_statement_suppresses() -> None:
    source = HEADER + (
        "a = mlflow.pyfunc.load_model(  # noqa: MLF601\n"
        '    "runs:/0a1b2c/model"\n'
        ")\n"
        "b = mlflow.pyfunc.load_model(\n"
        '    "runs:/0a1b2c/model"\n'
        ")  # noqa: MLF601\n"
        "c = mlflow.pyfunc.load_model(\n"
        '    "runs:/0a1b2c/model",\n'
        "    dst_path=None,  # noqa: MLF601\n"  # neither the finding's line nor an end of the statement
        ")\n"
    )
    assert lint(source) == [(10, "MLF601"), (11, "MLF001")]


def test_a_comment_above_the_statement_does_not_suppress() -> None:
    source = HEADER + f"# noqa: MLF601\na = {LOAD}\n"
    assert lint(source, all_rules()) == [(4, "MLF601")]


def test_compound_statement_header_is_the_statement() -> None:
    source = HEADER + (
        "with mlflow.start_run(  # noqa: MLF501\n"
        '    run_name="nightly",\n'
        "):\n"
        "    mlflow.register_model('runs:/0a1b2c/model', 'churn')\n"
        f"    model = {LOAD}  # noqa: MLF601\n"
    )
    assert lint(source) == []


def test_noqa_inside_a_string_is_not_a_comment() -> None:
    source = HEADER + 'a = mlflow.pyfunc.load_model("runs:/0a1b2c/model  # noqa: MLF601")\n'
    assert lint(source) == [(3, "MLF601")]
    docstring = HEADER + f'def f():\n    """# noqa: MLF601"""\n    return {LOAD}\n'
    assert lint(docstring) == [(5, "MLF601")]


def test_bare_noqa_is_not_honoured_and_mlf001_says_what_to_write() -> None:
    source = HEADER + f"a = {LOAD}  # noqa\n"
    assert lint(source, all_rules()) == [(3, "MLF601")]
    assert messages(source) == [
        "Suppression comment is a bare `# noqa`, which does not suppress MLF601: write `# noqa: MLF601`"
    ]


def test_other_tools_codes_are_left_alone() -> None:
    source = HEADER + f"a = {LOAD}  # noqa: E501\nb = 1  # noqa: E501\n"
    assert lint(source) == [(3, "MLF601")]


# ---------------------------------------------------------------------------- MLF001
def test_mlf001_is_off_by_default() -> None:
    assert not CATALOG["MLF001"].enabled_by_default
    assert "MLF001" not in all_rules()
    assert lint('import mlflow\nx = mlflow.get_tracking_uri()  # noqa: MLF601\n', all_rules()) == []


def test_mlf001_reports_unused_and_unknown_codes() -> None:
    source = HEADER + (
        'a = mlflow.pyfunc.load_model("models:/churn@champion")  # noqa: MLF601\n'
        f"b = {LOAD}  # noqa: MLF601, MLF999\n"
        f"c = {LOAD}  # noqa: MLF6, MLF8\n"
    )
    assert messages(source) == [
        "Suppression comment names MLF601, but no MLF601 finding is reported here",
        "Suppression comment names unknown rule code MLF999 (see `mlflow-lint rules`)",
        "Suppression comment names MLF8, but no MLF8 finding is reported here",
    ]


def test_mlf001_position_is_the_comment() -> None:
    code = 'a = mlflow.pyfunc.load_model("models:/churn@champion")  '
    source = HEADER + code + "# noqa: MLF601\n"
    findings = lint_bytes(source.encode(), "x.py", WITH_MLF001, path=Path("/nonexistent/x.py"), project=ProjectIndex(None))
    (finding,) = findings
    column = len(code) + 1
    assert (finding.line, finding.column, finding.end_column) == (3, column, column + len("# noqa: MLF601"))


def test_mlf001_is_silent_about_rules_that_did_not_run_and_about_itself() -> None:
    source = HEADER + (
        'a = mlflow.pyfunc.load_model("models:/churn@champion")  # noqa: MLF601\n'
        'b = mlflow.pyfunc.load_model("models:/churn@champion")  # noqa: MLF601, MLF001\n'
    )
    assert lint(source, frozenset({"MLF001", "MLF101"})) == []
    assert lint(source) == [(3, "MLF001")]


def test_mlf001_docs_example_is_flagged_and_use_instead_is_clean() -> None:
    rule = CATALOG["MLF001"]
    assert "MLF001" in {rule for _, rule in lint(rule.docs.example)}
    assert lint(rule.docs.use_instead) == []


# ---------------------------------------------------------------------------- reuse by other sources
def test_comment_maps_from_other_sources() -> None:
    finding = Finding("compose.yml", 7, 30, "MLF703", 7, 37, "unauthenticated server")
    suppressions = suppressions_from_comments({7: "# noqa: MLF703", 9: "# noqa: MLF701"})
    kept = apply_suppressions([finding], suppressions, {"MLF703", "MLF701", "MLF001"}, CATALOG, "compose.yml")
    assert [(f.line, f.rule) for f in kept] == [(9, "MLF001")]


def test_comment_lines_are_found_outside_quotes() -> None:
    lines = [
        'MLFLOW_TRACKING_URI="http://mlflow:5000 # noqa: MLF702"',
        "MLFLOW_TRACKING_URI=http://mlflow:5000  # noqa: MLF702",
        "command: mlflow server --host 0.0.0.0 # noqa: MLF703",
        "# noqa: MLF703",
        "url: http://x#noqa: MLF702",  # '#' inside a word is not a comment
    ]
    suppressions = suppressions_from_lines(lines)
    assert {line: c.codes for line, c in suppressions.comments.items()} == {2: ("MLF702",), 3: ("MLF703",), 4: ("MLF703",)}
    assert suppressions.comments[3].column == 39


def test_multi_line_findings_of_statement_less_sources_use_their_own_lines() -> None:
    finding = Finding("run.sh", 3, 1, "MLF703", 5, 20, "unauthenticated server")
    for line in (3, 5):
        suppressions = suppressions_from_comments({line: "# noqa: MLF703"})
        assert apply_suppressions([finding], suppressions, {"MLF703"}, CATALOG) == []
    assert apply_suppressions([finding], suppressions_from_comments({4: "# noqa: MLF703"}), {"MLF703"}, CATALOG) == [finding]


def test_text_without_noqa_is_not_tokenized() -> None:
    assert not suppressions_from_python("x = (\n")  # would be a tokenize error
    partial = suppressions_from_python("x = 1  # noqa: MLF601\ny = (\n")
    assert list(partial.comments) == [1]


# ---------------------------------------------------------------------------- the CLI
@pytest.mark.integration
def test_cli_honours_noqa_and_extend_select_mlf001(tmp_path: Path) -> None:
    (tmp_path / "serve.py").write_text(
        HEADER + f"a = {LOAD}  # noqa: MLF601\nb = mlflow.pyfunc.load_model('models:/m@champion')  # noqa: MLF601\n",
        encoding="utf-8",
    )
    clean = run_cli("check", "serve.py", cwd=tmp_path)
    assert clean.returncode == 0, clean.stdout
    strict = run_cli("check", "serve.py", "--extend-select", "MLF001", "--format", "json", cwd=tmp_path)
    assert strict.returncode == 1
    rows = [(f["rule"], f["line"], f["severity"]) for f in json.loads(strict.stdout)["findings"]]
    assert rows == [("MLF001", 4, "warning")]


PER_FILE_PROJECT = {
    "pyproject.toml": '[tool.mlflow-lint]\nextend-select = ["MLF001"]\n\n'
    '[tool.mlflow-lint.per-file-ignores]\n"tests/**" = ["MLF101"]\n"notebooks/scratch_*.py" = ["MLF6"]\n',
    "tests/test_train.py": 'import mlflow\n\nmlflow.set_tracking_uri("./mlruns")  # noqa: MLF101\n',
    "notebooks/scratch_1.py": f"{HEADER}m = {LOAD}\n",
    "train.py": 'import mlflow\n\nmlflow.set_tracking_uri("./mlruns")\n',
}


@pytest.mark.integration
def test_per_file_ignores_from_the_configuration(tmp_path: Path) -> None:
    for name, text in PER_FILE_PROJECT.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    result = run_cli("check", "--format", "json", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    # tests/ may use a local store, scratch notebooks may load from runs, and the noqa for
    # a rule that is off for the file is not reported as unused.
    assert [(f["path"], f["rule"]) for f in json.loads(result.stdout)["findings"]] == [("train.py", "MLF101")]
    named = run_cli("check", "--format", "json", "tests/test_train.py", "notebooks/scratch_1.py", cwd=tmp_path)
    assert named.returncode == 0 and json.loads(named.stdout)["findings"] == []


# ---------------------------------------------------------------------------- waivers
@pytest.mark.parametrize(
    ("comment", "reason"),
    [
        ("# noqa: MLF601 -- offline evaluation of a candidate run", "offline evaluation of a candidate run"),
        ("# noqa: MLF601: offline evaluation", "offline evaluation"),
        ("# noqa:MLF601,MLF7 -- reviewed in #123", "reviewed in #123"),
        ("# noqa: MLF601 -- reviewed  # type: ignore", "reviewed"),
        ("# noqa: MLF601", None),
        ("# noqa: MLF601 offline evaluation", None),  # no "--" or ":": not a reason
        ("# noqa: MLF601 --", None),
    ],
)
def test_a_suppression_may_say_why(comment: str, reason: str | None) -> None:
    parsed = parse_noqa(comment, line=1)
    assert parsed is not None and parsed.codes[0] == "MLF601" and parsed.reason == reason


def test_waived_findings_are_kept_marked_only_when_asked() -> None:
    source = HEADER + f"a = {LOAD}  # noqa: MLF601 -- offline evaluation\nb = {LOAD}\n"
    path = Path("/nonexistent/example.py")
    shown = lint_bytes(source.encode(), "example.py", all_rules(), path=path, project=ProjectIndex(None))
    kept = lint_bytes(source.encode(), "example.py", all_rules(), path=path, project=ProjectIndex(None), keep_waived=True)
    assert [(f.line, f.waiver) for f in shown] == [(4, None)]
    waived = [f for f in kept if f.waiver is not None]
    assert [(f.line, f.rule, f.waiver.kind, f.waiver.reason) for f in waived] == [(3, "MLF601", "noqa", "offline evaluation")]
    assert (waived[0].waiver.source, waived[0].waiver.line) == ("# noqa: MLF601 -- offline evaluation", 3)


def test_lint_paths_keeps_per_file_waivers_apart_and_reports_the_same(tmp_path: Path) -> None:
    from mlflow_lint.config import load_config
    from mlflow_lint.engine import lint_paths

    files = dict(PER_FILE_PROJECT)
    files["pyproject.toml"] = files["pyproject.toml"].replace(
        '"notebooks/scratch_*.py" = ["MLF6"]', '"notebooks/scratch_*.py" = {codes = ["MLF6"], reason = "exploration only"}'
    )
    files["serve.py"] = HEADER + f"m = {LOAD}  # noqa: MLF601\n"
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text, encoding="utf-8")
    config = load_config(tmp_path / "pyproject.toml", CATALOG)
    selected = all_rules() | {"MLF001"}
    plain = lint_paths([tmp_path], config, selected, cwd=tmp_path, jobs=1)
    audited = lint_paths([tmp_path], config, selected, cwd=tmp_path, jobs=1, waivers=True)
    assert plain.findings == audited.findings and [f.rule for f in audited.findings] == ["MLF101"]
    assert [(f.path, f.rule, f.waiver.kind) for f in plain.waived] == [("serve.py", "MLF601", "noqa")]
    rows = sorted((f.path, f.rule, f.waiver.kind, f.waiver.reason) for f in audited.waived)
    assert rows == [
        ("notebooks/scratch_1.py", "MLF601", "per-file-ignore", "exploration only"),
        ("serve.py", "MLF601", "noqa", None),
    ]  # tests/ is test code: its waiver waives nothing a governance report shows
    assert "per-file-ignores 'notebooks/scratch_*.py' = MLF6 in pyproject.toml" in audited.waived[0].waiver.source


@pytest.mark.integration
def test_per_file_ignore_reasons_are_validated(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.mlflow-lint.per-file-ignores]\n"a/*" = {codes = ["MLF6"], why = "x"}\n', encoding="utf-8"
    )
    (tmp_path / "a.py").write_text("import mlflow\n", encoding="utf-8")
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.returncode == 2 and "unknown key 'why'" in result.stderr and "Traceback" not in result.stderr


# ---------------------------------------------------------------------------- tokenizing only when it can matter
@pytest.mark.parametrize(
    ("comment", "ours"),
    [
        ("# noqa: E501", False),
        ("# noqa:E501,W291", False),
        ("# NOQA: F401 - re-exported", False),
        ("# noqa", True),
        ("# noqa : E501", True),  # the parser reads a space before the colon as a bare noqa
        ("# noqa: E501,MLF101", True),
        ("# noqa: mlf101", True),
        ("# noqa: E501 # noqa", True),
    ],
)
def test_a_source_is_tokenized_for_its_noqa_only_when_one_may_be_ours(comment: str, ours: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    import mlflow_lint.suppressions
    from mlflow_lint.suppressions import may_hold_our_noqa, suppressions_from_tokens

    source = f'import mlflow\nmlflow.set_tracking_uri("./mlruns")  {comment}\n'
    assert may_hold_our_noqa(source) is ours
    # Never a suppression the shortcut would miss: what tokenizing finds, it says may be there.
    import io
    import tokenize

    tokenized = suppressions_from_tokens(tokenize.generate_tokens(io.StringIO(source).readline))
    assert bool(tokenized) <= ours
    assert bool(suppressions_from_python(source)) == bool(tokenized)
    # The findings are those of a run that tokenizes every source.
    findings = lint_bytes(source.encode(), "train.py", all_rules())
    monkeypatch.setattr(mlflow_lint.suppressions, "may_hold_our_noqa", lambda text: True)
    assert lint_bytes(source.encode(), "train.py", all_rules()) == findings
