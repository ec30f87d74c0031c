"""One pipeline: ``mlflow-lint audit`` reads the engine's results.

The audit's findings are exactly ``check``'s on every fixture project; its evidence comes
from the same per-file analysis (``lint_paths(..., evidence=True)``), is cached with the
findings, and never states a verdict a check contradicts (the gate of a registry operation
against MLF402, a transport against MLF702, a credential against MLF701, a model load
against MLF601-603).
"""

from __future__ import annotations

import functools
import json
import shutil
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from mlflow_lint.audit import AuditInput, build_audit
from mlflow_lint.audit.evidence import EvidenceItem, ModuleEvidence, NameUse
from mlflow_lint.audit.html import render_html
from mlflow_lint.audit.markdown import render_markdown
from mlflow_lint.audit.register import all_gaps
from mlflow_lint.audit.verdicts import NOT_FLAGGED, UNGATED, agree_with_findings
from mlflow_lint.cache import CachedResult, ResultCache
from mlflow_lint.catalog import load_catalog
from mlflow_lint.config import Config, ConfigResolver, resolve_selection
from mlflow_lint.engine import lint_paths
from mlflow_lint.findings import Finding

from .conftest import FIXTURES, run_cli, write_files

ROOTS = [FIXTURES / "python", *sorted(p for p in (FIXTURES / "projects").iterdir() if p.is_dir())]
DATE = datetime(2025, 1, 1, tzinfo=timezone.utc)
Site = tuple[str, str, int, int, int | None]  # rule, path, line, column, cell


def _selection(config: Config) -> frozenset[str]:
    return resolve_selection(load_catalog(), config.select, config.extend_select, config.ignore)


def _request(root: Path, cache_dir: Path | None = None, jobs: int = 1) -> AuditInput:
    """The audit of ``root`` as the CLI asks for it: each file with its nearest configuration."""
    catalog = load_catalog()
    resolver = ConfigResolver(catalog)
    config = resolver.for_file(root, root)
    return AuditInput(
        [root], config, _selection(config), catalog, DATE, root, jobs, ["."], cache_dir, resolver=resolver, selection=_selection
    )


def _check_sites(root: Path) -> set[Site]:
    """What ``mlflow-lint check`` reports on ``root`` (tests/test_fixtures.py lints the same way)."""
    result = lint_paths([root], ConfigResolver(load_catalog()), _selection, cwd=root, jobs=1)
    return {(f.rule, f.path, f.line, f.column, f.cell) for f in result.findings}


def _audit_sites(document: dict[str, Any]) -> set[Site]:
    """The audit's findings: its register without the waived entries (check never shows those)."""
    return {(g["rule"], g["path"], g["line"], g["column"], g.get("cell")) for g in all_gaps(document) if "waiver" not in g}


def _rows(document: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [row for pillar in document["pillars"] for row in pillar["evidence"].get(kind, [])]


@functools.cache
def _audit_of(root: Path) -> dict[str, Any]:
    """Each fixture root's audit, made once (each test reads it, none changes it)."""
    return build_audit(_request(root))


def _id(root: Path) -> str:
    return root.name


# ---------------------------------------------------------------------------- the same findings
@pytest.mark.parametrize("root", ROOTS, ids=_id)
def test_audit_and_check_report_the_same_findings(root: Path) -> None:
    check, audit = _check_sites(root), _audit_sites(_audit_of(root))
    assert sorted(check - audit, key=str) == [], "found by check, missing from the audit"
    assert sorted(audit - check, key=str) == [], "in the audit, not found by check"
    assert check, "a fixture project without findings proves nothing here"


@pytest.mark.parametrize("root", ROOTS, ids=_id)
def test_the_evidence_agrees_with_mlf402_before_the_findings_settle_it(root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The audit's verdicts (audit.verdicts) overwrite a registry operation's gate with
    MLF402's: the test below would pass whatever gate the evidence named. Here the rows are
    compared as the evidence made them: settling them changes none."""
    from mlflow_lint.audit import verdicts

    changed: list[tuple[str, int, str | None, str | None]] = []
    agreed = verdicts._agreed

    def recording(item: Any, flagged: Any, judged: Any) -> Any:
        result = agreed(item, flagged, judged)
        if result is not item:
            changed.append((item.path, item.line, dict(item.fields).get("gate"), dict(result.fields).get("gate")))
        return result

    monkeypatch.setattr(verdicts, "_agreed", recording)
    build_audit(_request(root))
    assert changed == []


@pytest.mark.parametrize("root", ROOTS, ids=_id)
def test_no_evidence_row_contradicts_a_finding(root: Path) -> None:
    document = _audit_of(root)
    for row in _rows(document, "registry_operation"):
        if row["gate"] == "-":
            continue
        # MLF402 at the operation <=> the evidence shows no gate (every exemption named).
        assert ("MLF402" in row["rules"]) == (row["gate"] == UNGATED), row
        assert row["gate"] != NOT_FLAGGED, f"the evidence could not name why MLF402 accepts {row}"
    for row in _rows(document, "transport"):
        assert ("MLF702" in row["rules"]) == ("remote host (unencrypted)" in row["transport"]), row
    for row in _rows(document, "credential"):
        if "MLF701" in row["rules"]:
            assert "literal" in row["value"], row
    for row in _rows(document, "prompt_load"):
        # MLF605 at a load <=> the row names a pinned or latest version MLF605 does not exempt.
        ungoverned = ("pinned" in row["how"] or "latest" in row["how"]) and "read back" not in row["how"]
        assert ("MLF605" in row["rules"]) == ungoverned, row
    for row in _rows(document, "model_load"):
        expected = {"MLF601": ("run", "logged model"), "MLF602": ("raw", "path"), "MLF603": ("pinned",)}
        for rule, words in expected.items():
            if rule in row["rules"]:
                assert any(word in row["how"] for word in words), row


@pytest.mark.integration
def test_the_console_script_audit_reports_what_check_reports() -> None:
    root = FIXTURES / "projects" / "deploy"  # Python, notebooks' neighbours, YAML, .env, shell, Dockerfiles
    checked = run_cli("check", "--format", "json", "--no-cache", ".", cwd=root)
    audited = run_cli("audit", "--format", "json", "--no-cache", ".", cwd=root, env={"SOURCE_DATE_EPOCH": "1735689600"})
    assert checked.returncode == 1 and audited.returncode == 0, checked.stderr + audited.stderr
    check = {(f["rule"], f["path"], f["line"], f["column"], f.get("cell")) for f in json.loads(checked.stdout)["findings"]}
    assert check and check == _audit_sites(json.loads(audited.stdout))
    assert not (root / ".mlflow_lint_cache").exists()



@pytest.mark.integration
def test_the_console_script_audit_keeps_a_cache_and_a_warm_report_is_the_same(tmp_path: Path) -> None:
    root, cache = _copy("gaps", tmp_path), tmp_path / "cache"
    env = {"SOURCE_DATE_EPOCH": "1735689600"}
    reports = [run_cli("audit", "--format", "json", "--cache-dir", str(cache), ".", cwd=root, env=env) for _ in range(2)]
    assert [r.returncode for r in reports] == [0, 0], reports[0].stderr
    assert reports[0].stdout == reports[1].stdout and list(cache.glob("results-*.json"))
    bare = run_cli("audit", "--format", "json", "--no-cache", ".", cwd=root, env={**env, "MLFLOW_LINT_CACHE_DIR": str(tmp_path / "unused")})
    assert bare.stdout == reports[0].stdout and not (tmp_path / "unused").exists()


# ---------------------------------------------------------------------------- one pass, cached
def test_evidence_comes_from_the_lint_pass_in_file_order(tmp_path: Path) -> None:
    root = _copy("gaps", tmp_path)
    request = _request(root)
    config, selected = request.configurations()
    result = lint_paths([root], config, selected, cwd=root, jobs=1, waivers=True, evidence=True)
    plain = lint_paths([root], config, selected, cwd=root, jobs=1)
    assert result.findings == plain.findings  # gathering evidence changes no finding
    assert [e.path for e in result.evidence] == sorted(e.path for e in result.evidence)
    assert {e.path for e in result.evidence} >= {"pipelines/promote.py", "notebooks/explore.ipynb", "deploy/docker-compose.yml"}
    assert plain.evidence == []


def test_the_evidence_reads_back_from_its_rows_unchanged() -> None:
    for root in ROOTS:
        request = _request(root)
        config, selected = request.configurations()
        result = lint_paths([root], config, selected, cwd=root, jobs=1, waivers=True, evidence=True)
        for evidence in result.evidence:
            rows = json.loads(json.dumps(evidence.to_rows()))  # as the cache file holds them
            assert ModuleEvidence.from_rows(rows) == evidence


def test_the_worker_pool_gives_the_same_evidence_in_the_same_order(tmp_path: Path) -> None:
    module = 'import mlflow\n\nmlflow.set_tracking_uri("https://tracking{0}.example.com")\nmlflow.register_model("runs:/r/m", "m{0}")\n'
    root = write_files(tmp_path, {".git/HEAD": "", **{f"pkg/m{i:02}.py": module.format(i) for i in range(30)}})  # one pool's worth
    config, selected = _request(root).configurations()
    alone = lint_paths([root], config, selected, cwd=root, jobs=1, evidence=True)
    pooled = lint_paths([root], config, selected, cwd=root, jobs=2, evidence=True)
    assert len(alone.evidence) == 30 and [e.path for e in alone.evidence] == sorted(e.path for e in alone.evidence)
    assert [e.to_rows() for e in pooled.evidence] == [e.to_rows() for e in alone.evidence]


def test_a_warm_audit_is_served_from_the_cache_and_an_edit_flips_its_evidence(tmp_path: Path) -> None:
    root, cache = _copy("gaps", tmp_path), tmp_path / "cache"
    config, selected = _request(root).configurations()

    def audit_run() -> Any:  # the audit's lint, to read how many files the cache served
        return lint_paths([root], config, selected, cwd=root, jobs=1, cache_dir=cache, waivers=True, evidence=True)

    def gate(document: dict[str, Any]) -> str:
        (row,) = [r for r in _rows(document, "registry_operation") if r["path"] == "pipelines/promote.py" and r["line"] == 9]
        return row["gate"]

    # A check's entries (no evidence) are never served to the audit: its key differs.
    lint_paths([root], config, selected, cwd=root, jobs=1, cache_dir=cache, waivers=True)
    cold = audit_run()
    assert cold.cached == 0 and cold.evidence
    warm = audit_run()
    assert warm.cached == warm.files_checked > 0
    assert [e.to_rows() for e in warm.evidence] == [e.to_rows() for e in cold.evidence]
    warm_document = build_audit(_request(root, cache))
    assert warm_document == build_audit(_request(root)) and gate(warm_document) == UNGATED  # as a fresh audit

    promote = root / "pipelines" / "promote.py"
    promote.write_text(promote.read_text(encoding="utf-8").replace("if promote_now:", "if float(version) > 0.9:"), encoding="utf-8")
    edited = audit_run()
    assert 0 < edited.cached < edited.files_checked  # only what the edit touches is analysed again
    document = build_audit(_request(root, cache))
    assert gate(document) == "if float(version) > 0.9"
    assert not any(g["rule"] == "MLF402" and (g["path"], g["line"]) == ("pipelines/promote.py", 9) for g in all_gaps(document))


def test_the_cache_serves_an_evidence_run_only_entries_with_evidence(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("import mlflow\n", encoding="utf-8")
    path = str(tmp_path / "a.py")
    cache = ResultCache.open(tmp_path / "cache", "key")
    digest = cache.digest(path)
    assert digest is not None
    cache.record_result(path, digest, None, CachedResult([], True, None))
    assert cache.result(path, lambda deps: True) is not None
    assert cache.result(path, lambda deps: True, evidence=True) is None
    cache.record_result(path, digest, None, CachedResult([], True, None, []))
    served = cache.result(path, lambda deps: True, evidence=True)
    assert served is not None and served.evidence == []


def test_a_failure_to_gather_evidence_is_an_internal_error_and_keeps_the_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow_lint.audit.evidence

    def broken(*args: object, **kwargs: object) -> ModuleEvidence:
        raise KeyError("boom")

    root = write_files(tmp_path, {".git/HEAD": "", "train.py": 'import mlflow\n\nmlflow.set_tracking_uri("./mlruns")\n'})
    monkeypatch.setattr(mlflow_lint.audit.evidence, "collect", broken)
    result = lint_paths([root], Config(root=root), _selection(Config(root=root)), cwd=root, jobs=1, evidence=True)
    assert [(f.rule, f.line) for f in result.findings if f.rule != "MLF000"] == [("MLF101", 3)]
    (problem,) = [f for f in result.findings if f.rule == "MLF000"]
    assert "internal error while gathering the audit's evidence (KeyError: 'boom')" in problem.message
    assert result.evidence == []


# ---------------------------------------------------------------------------- verdicts
def _operation(line: int, gate: str, cell: int | None = None) -> EvidenceItem:
    fields = (("api", "MlflowClient.set_registered_model_alias"), ("model", "m"), ("target", "alias 'champion'"), ("gate", gate))
    return EvidenceItem("registry_operation", "job.py", line, 5, line, 60, fields, cell)


def _finding(rule: str, line: int, column: int = 5, cell: int | None = None) -> Finding:
    return Finding("job.py", line, column, rule, line, 60, "message", cell=cell)


def test_the_finding_at_a_site_decides_the_gate_column() -> None:
    evidence = ModuleEvidence("job.py", [_operation(3, "if auc > 0.9"), _operation(4, UNGATED), _operation(5, "none (not a protected alias)")])
    agree_with_findings(evidence, [_finding("MLF402", 3), _finding("MLF401", 5)], frozenset({"MLF402", "MLF401"}))
    # MLF402 flagged line 3: no gate is shown there; it accepted line 4: no "none" either.
    assert [item.get("gate") for item in evidence.items] == [UNGATED, NOT_FLAGGED, "none (not a protected alias)"]


def test_without_mlf402_the_evidence_keeps_its_own_description() -> None:
    evidence = ModuleEvidence("job.py", [_operation(4, UNGATED), _operation(1, "if x > y", cell=2)])
    agree_with_findings(evidence, [_finding("MLF402", 1, cell=3)], frozenset({"MLF401"}))  # another cell
    assert [item.get("gate") for item in evidence.items] == [UNGATED, "if x > y"]


def test_the_evidence_names_the_exemptions_mlf402_makes() -> None:
    gates = {row["gate"] for root in ROOTS for row in _rows(_audit_of(root), "registry_operation")}
    assert "first model (no current champion to compare with)" in gates
    assert "gate module (gate-modules: runs only after validation)" in gates
    assert "job task after the validation in validate.py" in gates


def test_transport_credentials_and_test_code_follow_the_checks(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            ".git/HEAD": "",
            ".env": "MLFLOW_TRACKING_PASSWORD=${PG_PASSWORD:-mlflow}\n",
            "serve.py": 'import mlflow\n\nmlflow.set_tracking_uri("http://mlflow:5000")\n',
            "tests/test_client.py": 'import os\n\nos.environ["MLFLOW_TRACKING_PASSWORD"] = "throwaway-pass"\n',
        },
    )
    document = build_audit(_request(root))
    (transport,) = _rows(document, "transport")
    assert transport["transport"] == "plain HTTP to a cluster or compose service" and transport["status"] == "ok"  # MLF702's view
    credentials = {row["path"]: row for row in _rows(document, "credential")}
    assert credentials[".env"]["value"] == "from the environment, else a literal default in the file (redacted)"
    assert credentials[".env"]["rules"] == ["MLF701"]
    # MLF701 hides a throwaway password in test code: the audit shows no "ok" row there.
    assert "tests/test_client.py" not in credentials and document["summary"]["hidden_in_tests"] == 1


def test_server_rows_say_what_mlf201_mlf703_and_mlf704_judge(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            ".git/HEAD": "",
            # `mlflow ui` runs a server as `mlflow server` does (MLF201, MLF703 read it so).
            "Makefile": "ui:\n\tmlflow ui --backend-store-uri sqlite:///mlruns.db --port 5000\n",
            "start.sh": "mlflow server --host $MLFLOW_VIRTUAL_HOST --backend-store-uri postgresql://db/mlflow\n",
            "docker-compose.yml": (
                "services:\n  mlflow:\n    image: ghcr.io/mlflow/mlflow:v3.18.0\n    ports: ['5000:5000']\n"
                "    command: mlflow server --backend-store-uri postgresql://db/m --host 0.0.0.0 --app-name basic-auth"
                ' --allowed-hosts="*" --cors-allowed-origins="*"\n'
            ),
            "Dockerfile": 'FROM python:3.12\nENTRYPOINT ["mlflow", "server", "--host=127.0.0.1"]\nCMD ["--workers=1"]\n',
        },
    )
    document = build_audit(_request(root))
    servers = {row["path"]: row for row in _rows(document, "server")}
    assert len(_rows(document, "server")) == len(servers) == 4  # the Dockerfile's ENTRYPOINT + CMD is one server
    assert (servers["Makefile"]["command"], servers["Makefile"]["auth"]) == ("mlflow ui", "none (local only)")
    # A host not known here is no local host: the row is decided at run time, as MLF703 leaves it.
    unknown = servers["start.sh"]
    assert unknown["host"] == "$MLFLOW_VIRTUAL_HOST" and unknown["auth"].startswith("decided at run time") and unknown["runtime"]
    # MLF704 flags the wildcards at this command: the row says the middleware lets anyone in.
    compose = servers["docker-compose.yml"]
    assert compose["rules"] == ["MLF704"]
    assert compose["security"] == "any host (--allowed-hosts), any CORS origin (--cors-allowed-origins)"
    # An image's server given no backend store: its container's environment may give one, MLF201 does not judge it.
    stores = {row["path"]: row for row in _rows(document, "backend_store")}
    assert stores["Dockerfile"]["backend"].startswith("decided at run time") and stores["Dockerfile"]["runtime"]
    assert [row["path"] for row in _rows(document, "backend_store")].count("Dockerfile") == 1


def test_a_server_on_a_host_not_known_here_leaves_access_control_not_assessed(tmp_path: Path) -> None:
    root = write_files(tmp_path, {".git/HEAD": "", "start.sh": "mlflow server --host $MLFLOW_HOST_VAR --backend-store-uri postgresql://db/m\n"})
    access = next(p for p in build_audit(_request(root))["pillars"] if p["pillar"] == 7)
    assert (access["verdict"], access["not_assessed"]) == ("not assessed", "every site is decided at run time")


def test_logging_a_model_under_a_registered_name_is_a_registration_and_registering_is_no_promotion(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            ".git/HEAD": "",
            "train.py": (
                "import mlflow\n\nwith mlflow.start_run(tags={'git_sha': 'abc'}):\n"
                "    mlflow.sklearn.log_model(m, name='model', registered_model_name='churn', input_example=x)\n"
                "    mlflow.sklearn.log_model(m, name='plain', registered_model_name=None, input_example=x)\n"
            ),
            # Keywords a local dict display gives, as the value analysis reads kwargs["..."].
            "reg.py": (
                "import mlflow\n\ndef log(model):\n"
                "    kwargs = dict(python_model=model, input_example=[1], registered_model_name='rag-qa')\n"
                "    mlflow.pyfunc.log_model(name='rag', **kwargs)\n"
                "    changed = {'registered_model_name': 'x'}\n    changed['registered_model_name'] = model.name\n"
                "    mlflow.pyfunc.log_model(name='other', **changed)\n"
            ),
        },
    )
    document = build_audit(_request(root))
    operations = [(row["path"], row["api"], row["model"], row["target"], row["gate"]) for row in _rows(document, "registry_operation")]
    assert operations == [
        ("reg.py", "mlflow.pyfunc.log_model", "rag-qa", "new version from the model it logs", "-"),
        ("train.py", "mlflow.sklearn.log_model", "churn", "new version from the model it logs", "-"),
    ]
    assert [row["registers_as"] for row in _rows(document, "model_log")] == ["rag-qa", "-", "churn", "-"]
    registry = next(p for p in document["pillars"] if p["pillar"] == 4)
    assert (registry["verdict"], registry["scope"]) == ("compliant", "2 registrations, no promotion")
    assert "| ✅ compliant: 2 registrations, no promotion |" in render_markdown(document)  # the scorecard says what it is about
    assert '<span class="why">2 registrations, no promotion</span>' in render_html(document)
    (root / "promote.py").write_text("from mlflow import MlflowClient\n\nMlflowClient().set_registered_model_alias('churn', 'challenger', '3')\n")
    registry = next(p for p in build_audit(_request(root))["pillars"] if p["pillar"] == 4)
    assert (registry["verdict"], registry["scope"]) == ("compliant", None)  # a promotion, not gated: not a protected alias


def test_a_run_mlf501_does_not_judge_is_no_tag_site(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        ".git/HEAD": "",
        "train.py": "import mlflow\n\nwith mlflow.start_run():\n    mlflow.sklearn.log_model(m, name='model', input_example=x)\n",
        "evaluate.py": "import mlflow\n\nwith mlflow.start_run():\n    mlflow.log_metric('auc', 0.9)\n",
    }
    # Without required-tags, MLF501 judges training runs only: an evaluation run is no site.
    root = write_files(tmp_path / "plain", files)
    runs = [(row["path"], row["missing"], row["status"]) for row in _rows(build_audit(_request(root)), "run")]
    assert runs == [("train.py", "(any tag)", "warning")]
    root = write_files(tmp_path / "configured", {**files, "pyproject.toml": '[tool.mlflow-lint]\nrequired-tags = ["git_sha"]\n'})
    runs = [(row["path"], row["missing"], row["status"]) for row in _rows(build_audit(_request(root)), "run")]
    assert runs == [("evaluate.py", "git_sha", "warning"), ("train.py", "git_sha", "warning")]


def test_prompt_loads_are_consumption_sites(tmp_path: Path) -> None:
    root = write_files(
        tmp_path,
        {
            ".git/HEAD": "",
            "app.py": (
                "import mlflow\n\nlatest = mlflow.genai.load_prompt('prompts:/qa@latest')\n"
                "served = mlflow.genai.load_prompt('prompts:/qa@production')\n"
                "pinned = mlflow.genai.load_prompt('qa', version=2)\n"
                "either = mlflow.genai.load_prompt(os.environ['PROMPT_URI'])\n"
            ),
            "release.py": (
                "import mlflow\n\nmlflow.genai.register_prompt(name='qa', template='{{q}}')\n"
                "check = mlflow.genai.load_prompt('prompts:/qa/3')\n"
            ),
        },
    )
    document = build_audit(_request(root))
    rows = [(row["path"], row["line"], row["how"], row["prompt"], row["rules"]) for row in _rows(document, "prompt_load")]
    assert rows == [
        ("app.py", 3, "latest version (@latest)", "qa", ["MLF605"]),
        ("app.py", 4, "registry alias @production", "qa", []),
        ("app.py", 5, "pinned version 2", "qa", ["MLF605"]),
        ("app.py", 6, "decided at run time", "-", []),
        ("release.py", 4, "pinned version 3, read back where it is registered", "qa", []),  # MLF605 exempts it there
    ]
    consumption = next(p for p in document["pillars"] if p["pillar"] == 6)
    assert consumption["sites"] == 5 and consumption["runtime_sites"] == 1


def test_where_unplaced_artifacts_go_is_read_from_the_tracking_uri_the_module_sets(tmp_path: Path) -> None:
    body = "\nwith mlflow.start_run():\n    mlflow.log_artifact('report.html')\n"
    root = write_files(
        tmp_path,
        {
            ".git/HEAD": "",
            "remote.py": "import mlflow\n\nmlflow.set_tracking_uri('https://mlflow.example.org')" + body,
            "local.py": "import mlflow\n\nmlflow.set_tracking_uri('sqlite:///mlflow.db')" + body,
            "anywhere.py": "import mlflow\n" + body,  # no server in sight: MLFLOW_TRACKING_URI decides
        },
    )
    kinds = {row["path"]: row["kind"] for row in _rows(build_audit(_request(root)), "artifact_location")}
    assert kinds == {
        "anywhere.py": "decided at run time",
        "local.py": "local directory (a local tracking store's artifact root)",
        "remote.py": "server-managed",
    }


# ---------------------------------------------------------------------------- helpers
def _copy(name: str, destination: Path) -> Path:
    target = destination / name
    shutil.copytree(FIXTURES / "audit" / name, target, ignore=shutil.ignore_patterns("__pycache__", ".mlflow_lint_cache"))
    (target / ".git").mkdir()  # a project of its own, as in a checkout
    return target


def test_name_uses_keep_every_field_through_rows() -> None:
    use = NameUse("churn", "a.py", 3, "mlflow.pyfunc.load_model", alias="champion", version=None, cell=2)
    evidence = ModuleEvidence("a.py", models=[use], experiments=[NameUse("exp", "a.py", 1, "mlflow.set_experiment")], in_tests=True)
    evidence.api_calls["mlflow.set_experiment"] += 2
    assert ModuleEvidence.from_rows(json.loads(json.dumps(evidence.to_rows()))) == evidence

