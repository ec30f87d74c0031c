"""``--format sarif``: the SARIF 2.1.0 contract GitHub code scanning relies on.

Every SARIF file this module produces (a clean project, each catalog rule's invalid
examples, a parse error, skipped paths, a notebook finding, a security rule, a file
outside the repository, file names that are not UTF-8, the snapshot project) is checked against the SARIF JSON schema
and, in one run, by Microsoft's SARIF Multitool with the GitHub and SARIF rule sets.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest
import sarif_om as om

from mlflow_lint import __version__
from mlflow_lint.catalog import Catalog, load_catalog
from mlflow_lint.findings import Finding
from mlflow_lint.reporters import sarif
from mlflow_lint.reporters.sarif import FINGERPRINT_KEY, render_sarif, semantic_version, to_json

from .conftest import ROOT, lint_source, run_cli, write_files
from .markers import expected_findings
from .sarif_tools import in_ci, run_multitool, schema_errors

CATALOG = load_catalog()
EXAMPLE_RULES = [rule for rule in CATALOG if rule.invalid_examples]
SNAPSHOT = ROOT / "tests" / "snapshots" / "report.sarif"
UPDATE_SNAPSHOTS = os.environ.get("MLFLOW_LINT_UPDATE_SNAPSHOTS") == "1"

BAD = 'import mlflow\nmodel = mlflow.pyfunc.load_model("runs:/0a1b2c/model")\n'
GOOD = 'import mlflow\nmodel = mlflow.pyfunc.load_model("models:/churn@champion")\n'
PINNED = 'import mlflow\nmodel = mlflow.pyfunc.load_model("models:/churn/3")\n'
BROKEN = "import mlflow\ndef f(:\n    pass\n"

# Multitool warnings that are understood and kept; anything else fails the test. (None:
# a notebook finding has a region too, the .ipynb line that holds the cell's line.)
EXPLAINED_WARNINGS: set[tuple[str, str]] = set()

CASES = [
    "clean", "parse-error", "skipped", "notebook", "security", "outside-root", "file-names", "snapshot", "flow",
    *[f"rule-{rule.id}" for rule in EXAMPLE_RULES],
]  # fmt: skip


# ---------------------------------------------------------------------------- the corpus
_write = write_files


def _cli_sarif(project: Path, target: Path, *args: str, expect: int | None = None) -> Path:
    result = run_cli("check", *args, "--format", "sarif", "--output", str(target), cwd=project)
    assert result.returncode in (0, 1), result.stderr
    if expect is not None:
        assert result.returncode == expect, result.stderr
    assert result.stdout == ""
    return target


def _notebook(cells: list[str]) -> str:
    """A notebook as Jupyter writes it (indent=1), each source line a string on its line."""
    document = {
        "cells": [
            {"cell_type": "code", "execution_count": None, "metadata": {}, "outputs": [], "source": cell.splitlines(keepends=True)}
            for cell in cells
        ],
        "metadata": {"kernelspec": {"language": "python", "name": "python3"}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    return json.dumps(document, indent=1) + "\n"


NOTEBOOK = _notebook([
    "import mlflow\n%pip install -U \\\n  mlflow",
    "x = 1",
    "# load the candidate\n\nmodel = mlflow.pyfunc.load_model('runs:/0a1b2c/model')",
    "def broken(:\n    pass",
])  # fmt: skip


def security_catalog() -> Catalog:
    """The real catalog plus an access-control (pillar 7) rule of each severity."""
    base = CATALOG["MLF601"]
    extra = tuple(
        replace(
            base, id=f"MLF79{index}", name=f"synthetic-security-{severity}", pillar=7, severity=severity, security_severity=score
        )
        for index, (severity, score) in enumerate((("error", "8.0"), ("warning", "5.0"), ("note", "3.0")), start=7)
    )
    return Catalog(rules=tuple(sorted(CATALOG.rules + extra, key=lambda r: r.id)), source=CATALOG.source)


def _snapshot_project(root: Path) -> Path:
    return _write(
        root,
        {
            "serve.py": 'import mlflow\n\nMODEL_URI = "runs:/4f1c2a9be0d84c6b9a7e3b5d2c1f0e9a/model"\nmodel = mlflow.pyfunc.load_model(MODEL_URI)\n',
            "batch/score.py": 'import mlflow\n\nmodel = mlflow.sklearn.load_model(\n    "models:/churn/3",\n)\n',
            "broken.py": BROKEN,
            "legacy.py": BAD,
            ".mlflow-lint.yaml": "exclude: ['legacy.py']\n",
        },
    )


# File names as Linux stores them: bytes. One that is not UTF-8 reaches Python with surrogate
# escapes; a report shows it with printable escapes (``train_\\xff.py``), a URI must carry the
# byte itself (``%FF``), and a name that holds those four characters is another file.
FILE_NAMES = {
    os.fsdecode(b"train_\xff.py"): "train_%FF.py",
    os.fsdecode(b"data\xfe/serve.py"): "data%FE/serve.py",
    "caf\u00e9.py": "caf%C3%A9.py",
    "lit\\xff.py": "lit%5Cxff.py",  # a backslash and "xff"
}
EXCLUDED_NOT_UTF8 = os.fsdecode(b"legacy_\xff.py")
OUTSIDE_NOT_UTF8 = os.fsdecode(b"outside_\xff.py")


def _file_names_project(root: Path) -> Path:
    """``root/repo``: a git work tree with the names above and an excluded one; beside it,
    a file outside the repository."""
    (root / "repo" / ".git").mkdir(parents=True)
    _write(root / "repo", {**dict.fromkeys(FILE_NAMES, BAD), EXCLUDED_NOT_UTF8: BAD, ".mlflow-lint.yaml": "exclude: ['legacy_*']\n"})
    _write(root, {OUTSIDE_NOT_UTF8: BAD})
    return root


FILE_NAMES_ARGS = (".", EXCLUDED_NOT_UTF8, f"../{OUTSIDE_NOT_UTF8}")
SNAPSHOT_ARGS = ("serve.py", "batch", "broken.py", "legacy.py", "--select", "MLF000,MLF601,MLF603")


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("sarif-corpus")
    projects = tmp_path_factory.mktemp("projects")
    files: dict[str, Path] = {}

    clean = _write(projects / "clean", {"good.py": GOOD, "unrelated.py": "print('hello')\n"})
    files["clean"] = _cli_sarif(clean, out / "clean.sarif", expect=0)

    parse = _write(
        projects / "parse",
        {"broken.py": BROKEN, "latin.py": b"import mlflow\nx = '\xff\xfe'\n", "data prep/scoring \u00e9.py": BAD},
    )
    files["parse-error"] = _cli_sarif(parse, out / "parse-error.sarif", expect=1)

    skipped = _write(projects / "skipped", {"serve.py": BAD, "legacy.py": BAD, "real/model.py": GOOD})
    (skipped / ".mlflow-lint.yaml").write_text("exclude: ['legacy.py']\n")
    (skipped / "linked").symlink_to(skipped / "real", target_is_directory=True)
    files["skipped"] = _cli_sarif(skipped, out / "skipped.sarif", ".", "legacy.py", expect=1)

    for rule in EXAMPLE_RULES:
        project = projects / f"rule-{rule.id}"
        for index, example in enumerate(rule.invalid_examples):
            # One project per example, so project-wide rules see one example at a time.
            _write(project / f"example{index}", {"pyproject.toml": "[project]\nname = 'example'\n", example.file: example.code})
        files[f"rule-{rule.id}"] = _cli_sarif(project, out / f"rule-{rule.id}.sarif", expect=1)

    notebook = _write(projects / "notebook", {"notebooks/explore.ipynb": NOTEBOOK, "serve.py": BAD})
    files["notebook"] = _cli_sarif(notebook, out / "notebook.sarif", expect=1)

    catalog = security_catalog()
    security = [
        Finding("app/settings.py", 4, 1, rule.id, 4, 20, f"{rule.name} finding", snippet=f"X{index}")
        for index, rule in enumerate(r for r in catalog if r.pillar == 7)
    ]
    (out / "security.sarif").write_text(render_sarif(security, catalog, source_root=projects, cwd=projects), encoding="utf-8")
    files["security"] = out / "security.sarif"

    inside = projects / "inside"
    inside.mkdir()
    elsewhere = (projects / "elsewhere" / "serve.py").as_posix()
    findings = [Finding(elsewhere, 2, 34, "MLF601", 2, 54, "outside", snippet="x"), Finding("in.py", 1, 1, "MLF601", 1, 5, "inside")]
    (out / "outside-root.sarif").write_text(render_sarif(findings, CATALOG, source_root=inside, cwd=inside), encoding="utf-8")
    files["outside-root"] = out / "outside-root.sarif"

    names = _file_names_project(projects / "file-names")
    files["file-names"] = _cli_sarif(names / "repo", out / "file-names.sarif", *FILE_NAMES_ARGS, expect=1)

    snapshot = _snapshot_project(projects / "snapshot")
    files["snapshot"] = _cli_sarif(snapshot, out / "snapshot.sarif", *SNAPSHOT_ARGS, expect=1)
    flow = _write(projects / "flow", FLOW_PROJECT)
    files["flow"] = _cli_sarif(flow, out / "flow.sarif", ".", expect=1)
    assert sorted(files) == sorted(CASES)
    return files


# A value passed to a project helper that hands it to MLflow two calls down (issue 13).
FLOW_PROJECT = {
    "pyproject.toml": "[project]\nname = 'flow'\n",
    "tools/tracking.py": "import mlflow\n\n\ndef setup(uri):\n    mlflow.set_tracking_uri(uri)\n\n\ndef configure(uri):\n    setup(uri)\n",
    "train.py": "from tools.tracking import configure\n\nconfigure('./mlruns')\n",
}


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))


def _results(path: Path) -> list[dict[str, Any]]:
    return _load(path)["runs"][0]["results"]


# ---------------------------------------------------------------------------- validators
@pytest.mark.integration
@pytest.mark.parametrize("case", CASES)
def test_sarif_matches_the_json_schema(corpus: dict[str, Path], case: str) -> None:
    assert schema_errors(_load(corpus[case])) == []


@pytest.mark.integration
def test_schema_validation_catches_a_broken_log(corpus: dict[str, Path]) -> None:
    document = _load(corpus["parse-error"])
    document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    del document["version"]
    errors = schema_errors(document)
    assert any("version" in error for error in errors) and any("startLine" in error for error in errors)


@pytest.mark.integration
def test_sarif_multitool_reports_no_errors(corpus: dict[str, Path], tmp_path: Path) -> None:
    report = run_multitool([corpus[case] for case in CASES], tmp_path)
    print(f"\nSARIF Multitool ({', '.join(CASES)}): {report.describe()}")
    for rule, validated, where in report.warnings:
        print(f"  warning {rule} in {validated}: {where}")
    assert report.summary.startswith(f"Done. {len(CASES)} files scanned."), report.console
    assert report.errors == [], report.console
    unexplained = sorted({(rule, validated) for rule, validated, _ in report.warnings} - EXPLAINED_WARNINGS)
    assert unexplained == [], report.console


@pytest.mark.integration
def test_sarif_multitool_errors_are_caught(corpus: dict[str, Path], tmp_path: Path) -> None:
    """The zero above means something: a region starting on line 0 is reported as an error."""
    document = _load(corpus["parse-error"])
    document["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    broken = tmp_path / "broken.sarif"
    broken.write_text(json.dumps(document), encoding="utf-8")
    report = run_multitool([broken], tmp_path)
    assert any("startLine" in error or "SARIF1007" in error for error in report.errors), report.console


@pytest.mark.integration
def test_validators_are_required_in_ci() -> None:
    """CI must not pass by skipping: the helpers fail there when a validator is missing."""
    env = {**os.environ, "CI": "true", "SARIF_MULTITOOL": "", "PATH": os.environ.get("PATH", "")}
    code = (
        "import sys, pathlib\n"
        "sys.path.insert(0, str(pathlib.Path.cwd()))\n"
        "import tests.sarif_tools as t\n"
        "t.MULTITOOL_PACKAGES = pathlib.Path('/nonexistent')\n"
        "t.run_multitool([], pathlib.Path('.'))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True)
    assert result.returncode != 0
    assert "Failed" in result.stdout + result.stderr and "required when CI=true" in result.stdout + result.stderr
    assert in_ci() == (os.environ.get("CI", "").lower() in {"true", "1", "yes"})


# ---------------------------------------------------------------------------- log and run
@pytest.mark.integration
def test_clean_project_has_one_run_and_an_empty_results_array(corpus: dict[str, Path]) -> None:
    document = _load(corpus["clean"])
    assert document["version"] == "2.1.0"
    assert document["$schema"] == sarif.SCHEMA_URI
    (run,) = document["runs"]
    assert run["results"] == []
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["invocations"] == [{"executionSuccessful": True}]
    root = run["originalUriBaseIds"]["%SRCROOT%"]["uri"]
    assert root.startswith("file:///") and root.endswith("/")
    assert "language" not in run and "newlineSequences" not in run  # sarif-om defaults left out


@pytest.mark.integration
def test_driver_describes_every_catalog_rule(corpus: dict[str, Path]) -> None:
    driver = _load(corpus["clean"])["runs"][0]["tool"]["driver"]
    assert driver["name"] == "mlflow-lint"
    assert driver["version"] == __version__
    assert driver["semanticVersion"] == semantic_version(__version__)
    assert driver["informationUri"] == "https://github.com/mlflow-lint/mlflow-lint"  # [project.urls] Homepage
    assert [rule["id"] for rule in driver["rules"]] == [rule.id for rule in CATALOG]
    for descriptor, rule in zip(driver["rules"], CATALOG, strict=True):
        assert descriptor["name"] == rule.name
        assert descriptor["shortDescription"]["text"] == rule.summary + "."
        assert descriptor["fullDescription"]["text"].startswith(" ".join(rule.docs.what.split())[:60])
        assert descriptor["defaultConfiguration"] == {"enabled": rule.enabled_by_default, "level": rule.severity}
        # pyproject.toml [project.urls] Documentation + the rule's page (docs/rules/<ID>.md).
        assert descriptor["helpUri"] == f"https://mlflow-lint.github.io/mlflow-lint/rules/{rule.id}/" == rule.docs_uri
        properties = descriptor["properties"]
        assert properties["tags"][:2] == ["mlflow", re.sub(r"[^a-z0-9]+", "-", rule.pillar_name.lower()).strip("-")]
        assert 2 <= len(properties["tags"]) <= 10
        assert properties["precision"] in {"very-high", "high", "medium", "low"}
        assert ("security-severity" in properties) == (rule.pillar == 7) == ("security" in properties["tags"])
        help_ = descriptor["help"]
        for heading in ("## What it does", "## Why is this bad?", "## Example", "## Use instead"):
            assert heading in help_["markdown"]
        assert f"```{rule.example_language}\n" + rule.docs.example in help_["markdown"]
        for heading in ("What it does:", "Why is this bad?", "Example:", "Use instead:"):
            assert heading in help_["text"]
        assert "```" not in help_["text"]


@pytest.mark.integration
def test_security_rules_carry_security_severity_as_a_string(corpus: dict[str, Path]) -> None:
    rules = {rule["id"]: rule for rule in _load(corpus["security"])["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["MLF797"]["properties"]["security-severity"] == "8.0"
    assert rules["MLF798"]["properties"]["security-severity"] == "5.0"
    assert rules["MLF799"]["properties"]["security-severity"] == "3.0"
    assert rules["MLF797"]["properties"]["tags"] == ["mlflow", "access-control-security", "security"]
    assert all("security-severity" not in rule["properties"] for rule in rules.values() if not rule["id"].startswith("MLF7"))
    assert rules["MLF701"]["properties"]["security-severity"] == "9.0"  # from the catalog


@pytest.mark.integration
def test_results_point_at_their_descriptor(corpus: dict[str, Path]) -> None:
    for case in CASES:
        run = _load(corpus[case])["runs"][0]
        rules = run["tool"]["driver"]["rules"]
        for result in run["results"]:
            descriptor = rules[result["ruleIndex"]]
            assert descriptor["id"] == result["ruleId"], case
            if result["level"] != descriptor["defaultConfiguration"]["level"]:
                # A check's escalation of one finding (MLF401 where stage APIs raise), said in the message.
                assert (result["ruleId"], result["level"]) == ("MLF401", "error") and "Unity Catalog" in result["message"]["text"], case
            assert result["message"]["text"].endswith("."), case
            assert list(result["partialFingerprints"]) == [FINGERPRINT_KEY]
            assert re.fullmatch(r"[0-9a-f]{32}", result["partialFingerprints"][FINGERPRINT_KEY])
            assert len(result["locations"]) == 1, case


@pytest.mark.integration
def test_warning_and_note_levels_are_written_explicitly(corpus: dict[str, Path]) -> None:
    levels = {result["ruleId"]: result["level"] for result in _results(corpus["snapshot"])}
    assert levels == {"MLF000": "error", "MLF601": "error", "MLF603": "note"}
    security = {result["ruleId"]: result["level"] for result in _results(corpus["security"])}
    assert security["MLF798"] == "warning"  # equal to SARIF's default, written anyway


@pytest.mark.integration
@pytest.mark.parametrize("rule", EXAMPLE_RULES, ids=lambda rule: rule.id)
def test_rule_example_regions_are_on_the_marked_lines(corpus: dict[str, Path], rule) -> None:  # type: ignore[no-untyped-def]
    expected = {
        (f"example{index}/{example.file}", line)
        for index, example in enumerate(rule.invalid_examples)
        for line, code in expected_findings(example.code)
        if code == rule.id
    }
    actual = set()
    for result in _results(corpus[f"rule-{rule.id}"]):
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = location["region"]
        assert 1 <= region["startLine"] <= region["endLine"]
        assert region["startColumn"] >= 1 and region["endColumn"] >= 1
        if result["ruleId"] == rule.id:
            actual.add((location["artifactLocation"]["uri"], region["startLine"]))
    assert actual == expected


@pytest.mark.integration
def test_parse_errors_are_results_with_a_region(corpus: dict[str, Path]) -> None:
    results = _results(corpus["parse-error"])
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in results}
    assert by_uri["broken.py"]["ruleId"] == "MLF000"
    assert by_uri["broken.py"]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2
    assert by_uri["latin.py"]["ruleId"] == "MLF000"
    assert by_uri["data%20prep/scoring%20%C3%A9.py"]["ruleId"] == "MLF601"  # a valid URI reference


@pytest.mark.integration
def test_skipped_paths_become_tool_notifications(corpus: dict[str, Path]) -> None:
    (invocation,) = _load(corpus["skipped"])["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is True
    notes = invocation["toolExecutionNotifications"]
    assert [n["message"]["text"] for n in notes] == [
        "Skipped legacy.py: excluded by configuration.",
        "Skipped linked: symbolic link to a directory.",
    ]
    assert all(n["level"] == "note" for n in notes)
    assert notes[0]["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "legacy.py", "uriBaseId": "%SRCROOT%"}


@pytest.mark.integration
def test_notebook_finding_names_the_cell_and_points_at_the_ipynb_line(corpus: dict[str, Path]) -> None:
    results = _results(corpus["notebook"])
    by_rule = {(r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]): r for r in results}
    assert sorted(by_rule) == [("MLF000", "notebooks/explore.ipynb"), ("MLF601", "notebooks/explore.ipynb"), ("MLF601", "serve.py")]
    ipynb_lines = NOTEBOOK.splitlines()
    load = by_rule[("MLF601", "notebooks/explore.ipynb")]
    region = load["locations"][0]["physicalLocation"]["region"]
    assert "load_model('runs:/0a1b2c/model')" in ipynb_lines[region["startLine"] - 1]
    assert set(region) == {"startLine"}  # the columns are inside a JSON string
    assert load["message"]["text"].endswith("(cell 2, line 3, column 34).")
    broken = by_rule[("MLF000", "notebooks/explore.ipynb")]
    assert broken["message"]["text"].startswith("Cell 3 could not be analysed: syntax error")
    assert "the rest of the notebook was analysed" in broken["message"]["text"]
    assert "def broken(:" in ipynb_lines[broken["locations"][0]["physicalLocation"]["region"]["startLine"] - 1]
    assert by_rule[("MLF601", "serve.py")]["locations"][0]["physicalLocation"]["region"]["startLine"] == 2


@pytest.mark.integration
def test_a_file_outside_the_repository_gets_an_absolute_uri(corpus: dict[str, Path]) -> None:
    outside, inside = _results(corpus["outside-root"])
    artifact = outside["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact["uri"].startswith("file:///") and artifact["uri"].endswith("/elsewhere/serve.py")
    assert "uriBaseId" not in artifact
    assert inside["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "in.py", "uriBaseId": "%SRCROOT%"}


# RFC 3986 URI reference: unreserved, sub-delims, ":", "@", "/" and percent-encoded octets.
_URI_REFERENCE = re.compile(r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-F]{2})*")


@pytest.mark.integration
def test_uris_percent_encode_the_bytes_of_file_names(corpus: dict[str, Path]) -> None:
    """Results, notifications and the file outside the repository: every URI is an RFC 3986
    reference to the very file (its name's bytes, percent-encoded), while messages keep the
    printable form the text and JSON reports show."""
    document = _load(corpus["file-names"])
    run = document["runs"][0]
    root = Path(os.fsdecode(unquote_to_bytes(run["originalUriBaseIds"]["%SRCROOT%"]["uri"].removeprefix("file://"))))
    by_uri = {r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]: r for r in run["results"]}
    outside = [uri for uri in by_uri if uri.startswith("file:///")]
    assert sorted(set(by_uri) - set(outside)) == sorted(FILE_NAMES.values())
    assert len(outside) == 1 and outside[0].endswith("/outside_%FF.py")
    (note,) = run["invocations"][0]["toolExecutionNotifications"]
    assert note["locations"][0]["physicalLocation"]["artifactLocation"] == {"uri": "legacy_%FF.py", "uriBaseId": "%SRCROOT%"}
    assert note["message"]["text"] == "Skipped legacy_\\xff.py: excluded by configuration."
    uris = [*by_uri, note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]]
    for uri in uris:
        assert _URI_REFERENCE.fullmatch(uri.removeprefix("file://")), uri
        named = os.fsdecode(unquote_to_bytes(uri.removeprefix("file://")))
        assert (Path(named) if uri.startswith("file:") else root / named).is_file(), uri


@pytest.mark.integration
def test_uris_are_relative_to_the_repository_root(tmp_path: Path) -> None:
    """Run from a subdirectory of a git work tree: URIs still start at the repository root."""
    (tmp_path / ".git").mkdir()
    _write(tmp_path / "services" / "scoring", {"serve.py": BAD})
    target = tmp_path / "report.sarif"
    _cli_sarif(tmp_path / "services" / "scoring", target, ".", expect=1)
    run = _load(target)["runs"][0]
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == tmp_path.resolve().as_uri() + "/"
    (result,) = run["results"]
    assert result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "services/scoring/serve.py"


# ---------------------------------------------------------------------------- snapshot
def _normalise_for_snapshot(document: dict[str, Any]) -> dict[str, Any]:
    """Version and machine path replaced; only the rules the results use (indices remapped),
    so that adding a rule to the catalog does not change the snapshot."""
    run = document["runs"][0]
    driver = run["tool"]["driver"]
    driver["version"] = driver["semanticVersion"] = "<version>"
    run["originalUriBaseIds"]["%SRCROOT%"]["uri"] = "file:///<root>/"
    used = sorted({result["ruleId"] for result in run["results"]})
    driver["rules"] = [rule for rule in driver["rules"] if rule["id"] in used]
    for result in run["results"]:
        result["ruleIndex"] = used.index(result["ruleId"])
    return document


@pytest.mark.integration
def test_snapshot(corpus: dict[str, Path]) -> None:
    text = json.dumps(_normalise_for_snapshot(_load(corpus["snapshot"])), indent=2, ensure_ascii=False) + "\n"
    if UPDATE_SNAPSHOTS or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(parents=True, exist_ok=True)
        SNAPSHOT.write_text(text, encoding="utf-8")
        if not UPDATE_SNAPSHOTS:
            pytest.fail(f"snapshot {SNAPSHOT.name} was missing and has been written; review and commit it")
    assert text == SNAPSHOT.read_text(encoding="utf-8"), (
        "SARIF output changed; if intended, run MLFLOW_LINT_UPDATE_SNAPSHOTS=1 bash scripts/test.sh -k snapshot"
    )


# ---------------------------------------------------------------------------- fingerprints
def _fingerprints(source: str, tmp_path: Path, name: str = "serve.py") -> list[tuple[int, str, str]]:
    findings = lint_source(source, name, tmp_path)
    document = json.loads(render_sarif(findings, CATALOG, source_root=tmp_path, cwd=tmp_path))
    return [
        (
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
            result["ruleId"],
            result["partialFingerprints"][FINGERPRINT_KEY],
        )
        for result in document["runs"][0]["results"]
    ]


SERVE = """\
import mlflow

RUN_URI = "runs:/0a1b2c/model"


def load():
    first = mlflow.pyfunc.load_model(RUN_URI)
    second = mlflow.pyfunc.load_model(RUN_URI)
    pinned = mlflow.pyfunc.load_model("models:/churn/3")
    return first, second, pinned
"""


def test_fingerprints_survive_lines_inserted_above(tmp_path: Path) -> None:
    before = _fingerprints(SERVE, tmp_path)
    shifted = SERVE.replace("import mlflow\n", '"""Batch scoring."""\n\nimport logging\nimport mlflow\n\nLOG = logging.getLogger(__name__)\n', 1)
    after = _fingerprints(shifted, tmp_path)
    assert [line + 5 for line, _, _ in before] == [line for line, _, _ in after]
    assert [(rule, fp) for _, rule, fp in before] == [(rule, fp) for _, rule, fp in after]
    assert len({fp for _, _, fp in before}) == len(before) == 3  # identical loads stay apart


def test_fingerprints_survive_reformatting(tmp_path: Path) -> None:
    before = _fingerprints(SERVE, tmp_path)
    reformatted = SERVE.replace(
        'pinned = mlflow.pyfunc.load_model("models:/churn/3")',
        'pinned = mlflow.pyfunc.load_model(\n        "models:/churn/3",  # pinned for the audit\n    )',
    )
    after = _fingerprints(reformatted, tmp_path)
    assert [fp for _, _, fp in before] == [fp for _, _, fp in after]


def test_fingerprints_change_with_the_flagged_code_rule_or_path(tmp_path: Path) -> None:
    before = {fp for _, _, fp in _fingerprints(SERVE, tmp_path)}
    edited = {fp for _, _, fp in _fingerprints(SERVE.replace("models:/churn/3", "models:/churn/4"), tmp_path)}
    assert len(before - edited) == 1
    moved = {fp for _, _, fp in _fingerprints(SERVE, tmp_path, name="batch.py")}
    assert before.isdisjoint(moved)


@pytest.mark.integration
def test_fingerprints_do_not_depend_on_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    _write(tmp_path / "pkg", {"serve.py": BAD})
    from_root, from_pkg = tmp_path / "a.sarif", tmp_path / "b.sarif"
    _cli_sarif(tmp_path, from_root, "pkg", expect=1)
    _cli_sarif(tmp_path / "pkg", from_pkg, ".", expect=1)
    assert _results(from_root) == _results(from_pkg)


@pytest.mark.integration
def test_fingerprints_survive_inserted_lines_end_to_end(tmp_path: Path) -> None:
    _write(tmp_path, {"serve.py": SERVE})
    first = _cli_sarif(tmp_path, tmp_path.parent / f"{tmp_path.name}-1.sarif", "serve.py")
    (tmp_path / "serve.py").write_text("# Copyright\n\n" + SERVE, encoding="utf-8")
    second = _cli_sarif(tmp_path, tmp_path.parent / f"{tmp_path.name}-2.sarif", "serve.py")

    def keyed(path: Path) -> list[tuple[str, int]]:
        return [
            (r["partialFingerprints"][FINGERPRINT_KEY], r["locations"][0]["physicalLocation"]["region"]["startLine"])
            for r in _results(path)
        ]

    assert [(fp, line + 2) for fp, line in keyed(first)] == keyed(second)


# ---------------------------------------------------------------------------- determinism
@pytest.mark.integration
def test_same_input_gives_the_same_bytes(tmp_path: Path) -> None:
    for index in range(30):
        (tmp_path / f"m{index:02d}.py").write_text([BAD, PINNED, GOOD][index % 3])
    (tmp_path / "broken.py").write_text(BROKEN)
    outputs = []
    for seed, jobs in (("1", "1"), ("2", "2"), ("3", "1")):
        target = tmp_path.parent / f"{tmp_path.name}-{seed}.sarif"
        result = run_cli("check", ".", "--format", "sarif", "-o", str(target), "--jobs", jobs, cwd=tmp_path, env={"PYTHONHASHSEED": seed})
        assert result.returncode == 1, result.stderr
        outputs.append(target.read_bytes())
    assert outputs[0] == outputs[1] == outputs[2]
    # No timestamps (startTimeUtc, endTimeUtc) and no GUIDs (guid, automationDetails.guid): keys, not words.
    assert not re.search(rb"\"\w*Time\w*\"\s*:", outputs[0]) and not re.search(rb"\"\w*guid\"\s*:", outputs[0].lower())


@pytest.mark.integration
def test_stdout_and_output_file_agree(tmp_path: Path) -> None:
    _write(tmp_path, {"serve.py": BAD})
    printed = run_cli("check", "--format", "sarif", cwd=tmp_path)
    assert printed.returncode == 1
    target = tmp_path / "out" / "mlflow-lint.sarif"
    written = run_cli("check", "--format", "sarif", "--output", str(target), "serve.py", cwd=tmp_path)
    assert written.returncode == 1 and written.stdout == ""
    assert json.loads(printed.stdout)["runs"][0]["results"] == _results(target)


# ---------------------------------------------------------------------------- serializer
def test_serializer_writes_set_values_under_sarif_names() -> None:
    result = om.Result(
        message=om.Message(text="m."),
        rule_id="MLF601",
        rule_index=0,
        level="warning",  # equal to sarif-om's default: jschema-to-python would drop it
        locations=[om.Location(physical_location=om.PhysicalLocation(region=om.Region(start_line=1)))],
    )
    assert to_json(result) == {
        "kind": "fail",
        "level": "warning",
        "ruleId": "MLF601",
        "ruleIndex": 0,
        "message": {"text": "m."},
        "locations": [{"physicalLocation": {"region": {"startLine": 1}}}],
    }  # rank, charOffset, byteOffset, location id: -1 means "not set" and is left out


def test_serializer_writes_property_bag_entries() -> None:
    bag = om.PropertyBag(tags=["mlflow"])
    setattr(bag, "security-severity", "8.0")
    assert to_json(om.ReportingDescriptor(id="MLF701", properties=bag)) == {
        "id": "MLF701",
        "properties": {"tags": ["mlflow"], "security-severity": "8.0"},
    }
    assert to_json(om.ReportingConfiguration(enabled=False, level="note")) == {"enabled": False, "level": "note"}


@pytest.mark.parametrize(
    ("version", "expected"),
    [("0.1.0", "0.1.0"), ("1.2", "1.2.0"), ("1.2.0rc1", "1.2.0-rc1"), ("2.0.0.dev3", "2.0.0-dev3"), ("1.0.0+abc.1", "1.0.0+abc.1")],
)
def test_semantic_version(version: str, expected: str) -> None:
    assert semantic_version(version) == expected


@pytest.mark.integration
def test_sarif_om_is_imported_only_for_the_sarif_format(tmp_path: Path) -> None:
    _write(tmp_path, {"serve.py": BAD})
    code = (
        "import sys\n"
        "from mlflow_lint.cli import main\n"
        "try:\n"
        "    main(sys.argv[1:])\n"
        "except SystemExit:\n"
        "    pass\n"
        "sys.stderr.write(str('sarif_om' in sys.modules))\n"
    )

    def loads_sarif_om(*args: str) -> bool:
        result = subprocess.run([sys.executable, "-c", code, "check", *args], cwd=tmp_path, capture_output=True, text=True)
        return result.stderr.endswith("True")

    assert not loads_sarif_om(".")
    assert not loads_sarif_om(".", "--format", "github")
    assert loads_sarif_om(".", "--format", "sarif")


@pytest.mark.integration
def test_a_finding_through_calls_carries_its_path_as_a_code_flow(corpus: dict[str, Path]) -> None:
    (result,) = _results(corpus["flow"])
    assert result["ruleId"] == "MLF101"
    assert "through configure() at tools/tracking.py:5" in result["message"]["text"]
    (flow,) = result["codeFlows"]
    (thread,) = flow["threadFlows"]
    steps = [
        (step["location"]["physicalLocation"]["artifactLocation"]["uri"], step["location"]["physicalLocation"]["region"]["startLine"])
        for step in thread["locations"]
    ]
    # The literal, the call that passes it on, the MLflow call it reaches.
    assert steps == [("train.py", 3), ("tools/tracking.py", 9), ("tools/tracking.py", 5)]
