"""``--format github``: GitHub Actions workflow commands that become annotations."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

import pytest

from mlflow_lint.catalog import Catalog, load_catalog
from mlflow_lint.findings import Finding
from mlflow_lint.reporters.github import escape_data, escape_property, render_github

from .conftest import run_cli

CATALOG = load_catalog()
BAD = 'import mlflow\nmodel = mlflow.pyfunc.load_model("runs:/0a1b2c/model")\n'
PINNED = 'import mlflow\nmodel = mlflow.pyfunc.load_model(\n    "models:/churn/3",\n)\n'
GOOD = 'import mlflow\nmodel = mlflow.pyfunc.load_model("models:/churn@champion")\n'

# The runner's grammar: ::command key=value,key=value::message (values escaped).
_COMMAND = re.compile(r"^::(?P<command>[a-z]+) (?P<properties>[^:]*)::(?P<message>.*)$")


def _unescape(text: str) -> str:
    return text.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",").replace("%25", "%")


def parse(line: str) -> tuple[str, dict[str, str], str]:
    """A workflow command as the runner reads it (the inverse of the escaping)."""
    match = _COMMAND.match(line)
    assert match, line
    properties = dict(item.split("=", 1) for item in match["properties"].split(","))
    return match["command"], {key: _unescape(value) for key, value in properties.items()}, _unescape(match["message"])


@pytest.mark.integration
def test_cli_prints_one_annotation_per_finding(tmp_path: Path) -> None:
    (tmp_path / "serve.py").write_text(BAD)
    (tmp_path / "batch.py").write_text(PINNED)
    (tmp_path / "good.py").write_text(GOOD)
    result = run_cli("check", "--format", "github", cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2
    assert lines[1].startswith(
        "::error file=serve.py,line=2,col=34,endLine=2,endColumn=54,title=MLF601 run-uri-model-load::"
        "mlflow.pyfunc.load_model consumes a model from a run"
    )
    command, properties, _ = parse(lines[0])
    assert command == "notice"  # MLF603 is a note
    assert properties == {"file": "batch.py", "line": "3", "col": "5", "endLine": "3", "endColumn": "22", "title": "MLF603 version-pinned-model-load"}


def test_multi_line_finding_has_no_columns(tmp_path: Path) -> None:
    """GitHub accepts columns only on an annotation that stays on one line."""
    finding = Finding("serve.py", 3, 13, "MLF601", 6, 6, "spans lines")
    (line,) = render_github([finding], CATALOG, source_root=tmp_path, cwd=tmp_path).splitlines()
    assert parse(line)[1] == {"file": "serve.py", "line": "3", "endLine": "6", "title": "MLF601 run-uri-model-load"}


@pytest.mark.integration
def test_clean_run_prints_nothing(tmp_path: Path) -> None:
    (tmp_path / "good.py").write_text(GOOD)
    result = run_cli("check", "--format", "github", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "")


@pytest.mark.integration
def test_output_file(tmp_path: Path) -> None:
    (tmp_path / "serve.py").write_text(BAD)
    target = tmp_path / "annotations.txt"
    result = run_cli("check", "--format", "github", "--output", str(target), cwd=tmp_path)
    assert result.returncode == 1 and result.stdout == ""
    assert target.read_text().startswith("::error file=serve.py,line=2,")


@pytest.mark.integration
def test_paths_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    service = tmp_path / "services" / "scoring"
    service.mkdir(parents=True)
    (service / "serve.py").write_text(BAD)
    result = run_cli("check", "--format", "github", ".", cwd=service)
    assert parse(result.stdout.splitlines()[0])[1]["file"] == "services/scoring/serve.py"


def test_severity_maps_to_error_warning_notice(tmp_path: Path) -> None:
    base = CATALOG["MLF601"]
    rules = tuple(replace(base, id=f"MLF60{i}", name=f"rule-{s}", severity=s) for i, s in enumerate(("error", "warning", "note"), 7))
    catalog = Catalog(rules=rules, source=CATALOG.source)
    findings = [Finding("a.py", i, 1, rule.id, i, 2, "m") for i, rule in enumerate(rules, 1)]
    commands = [parse(line)[0] for line in render_github(findings, catalog, source_root=tmp_path, cwd=tmp_path).splitlines()]
    assert commands == ["error", "warning", "notice"]


def test_messages_and_properties_are_escaped(tmp_path: Path) -> None:
    message = "100% wrong:\nsecond line, with a comma\r"
    finding = Finding("dir, with: odd%name.py", 1, 1, "MLF601", 1, 5, message)
    (line,) = render_github([finding], CATALOG, source_root=tmp_path, cwd=tmp_path).splitlines()
    assert line.endswith("::100%25 wrong:%0Asecond line, with a comma%0D")
    assert "file=dir%2C with%3A odd%25name.py," in line
    _, properties, parsed_message = parse(line)
    assert properties["file"] == "dir, with: odd%name.py"
    assert parsed_message == message


@pytest.mark.parametrize(
    ("raw", "data", "prop"),
    [("a%b", "a%25b", "a%25b"), ("a\r\nb", "a%0D%0Ab", "a%0D%0Ab"), ("a:b,c", "a:b,c", "a%3Ab%2Cc"), ("%0A", "%250A", "%250A")],
)
def test_escaping_follows_actions_toolkit(raw: str, data: str, prop: str) -> None:
    assert escape_data(raw) == data
    assert escape_property(raw) == prop


def test_notebook_finding_annotates_the_file_with_the_cell_in_the_message(tmp_path: Path) -> None:
    finding = Finding("notebooks/explore.ipynb", 3, 9, "MLF601", 3, 29, "loads from a run", cell=2)
    (line,) = render_github([finding], CATALOG, source_root=tmp_path, cwd=tmp_path).splitlines()
    _command, properties, message = parse(line)
    assert properties == {"file": "notebooks/explore.ipynb", "title": "MLF601 run-uri-model-load"}
    assert message == "cell 2, line 3, column 9: loads from a run"
