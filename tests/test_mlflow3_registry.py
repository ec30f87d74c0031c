"""MLF402 and MLF403 on MLflow 3 registries: prompt aliases, GenAI evaluation gates, Unity
Catalog copies into protected models, prompt deletion. Each gap found, each look-alike clean."""

from __future__ import annotations

import ast
import importlib.metadata
import importlib.util
import json
import textwrap
from pathlib import Path

import pytest

from mlflow_lint.analysis.promotions import ALIAS_CALLS, protected_model
from mlflow_lint.analysis.values import Hole, StrValue, literal
from mlflow_lint.config import DEFAULT_PROTECTED_MODELS, RuleOptions
from mlflow_lint.engine import lint_bytes
from mlflow_lint.project import ProjectIndex

from .conftest import all_rules, run_cli


def _installed_mlflow_3_18() -> Path | None:
    """The source of the mlflow-skinny 3.18.0 the test extras pin (found, never imported)."""
    spec = importlib.util.find_spec("mlflow")
    if spec is None or not spec.submodule_search_locations:
        return None
    try:
        version = importlib.metadata.version("mlflow-skinny")
    except importlib.metadata.PackageNotFoundError:
        return None
    return Path(next(iter(spec.submodule_search_locations))) if version == "3.18.0" else None


def _lint(source: str, rule: str, options: RuleOptions | None = None) -> list[tuple[int, str | None]]:
    """(line, precision) of ``rule``'s findings in ``source``."""
    findings = lint_bytes(
        textwrap.dedent(source).encode(),
        "job.py",
        all_rules(),
        path=Path("/nonexistent/job.py"),
        project=ProjectIndex(None),
        options=options,
    )
    return [(finding.line, finding.precision) for finding in findings if finding.rule == rule]


def _lines(source: str, rule: str, options: RuleOptions | None = None) -> list[int]:
    return [line for line, _ in _lint(source, rule, options)]


# -- MLF402: prompt aliases ------------------------------------------------------------------


@pytest.mark.parametrize(
    "call",
    [
        'mlflow.genai.set_prompt_alias("support-answer", "production", 3)',
        'mlflow.genai.set_prompt_alias(name="support-answer", version=3, alias="Production")',
        'mlflow.genai.delete_prompt_alias("support-answer", alias="champion")',
        'mlflow.set_prompt_alias("support-answer", "prod", 3)',
        'mlflow.MlflowClient().set_prompt_alias("support-answer", "production", 3)',
        'mlflow.MlflowClient().delete_prompt_alias("support-answer", "production")',
    ],
)
def test_protected_prompt_alias_moves_are_promotions(call: str) -> None:
    assert _lines(f"import mlflow\n{call}\n", "MLF402") == [2]


def test_prompt_alias_functions_under_every_import_style() -> None:
    source = """\
    from mlflow.genai import set_prompt_alias
    from mlflow.genai.prompts import delete_prompt_alias as drop_alias

    set_prompt_alias("support-answer", "production", 3)
    drop_alias("support-answer", "production")
    set_prompt_alias("support-answer", "challenger", 3)
    drop_alias("support-answer", "staging")
    """
    assert _lines(source, "MLF402") == [4, 5]


def test_prompt_alias_on_an_untyped_receiver_is_medium_precision() -> None:
    source = """\
    def release(client, version):
        client.set_prompt_alias("support-answer", "production", version)
        client.delete_prompt_alias("support-answer", "champion")
    """
    assert _lint(source, "MLF402") == [(2, "medium"), (3, "medium")]


def test_the_alias_table_matches_mlflow_signatures() -> None:
    """Every row's argument places are those of MLflow 3.18.0's own signature."""
    mlflow_source = _installed_mlflow_3_18()
    if mlflow_source is None:
        pytest.skip("mlflow-skinny 3.18.0 (the test extras' pin) is not installed")
    sources = {
        "mlflow.MlflowClient": mlflow_source / "tracking/client.py",
        "mlflow.genai": mlflow_source / "genai/prompts/__init__.py",
        "mlflow.genai.prompts": mlflow_source / "genai/prompts/__init__.py",
        "mlflow": mlflow_source / "tracking/_model_registry/fluent.py",
    }
    for callee, row in ALIAS_CALLS.items():
        owner, _, function = callee.rpartition(".")
        tree = ast.parse(sources[owner].read_text(encoding="utf-8"))
        defs = [node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef) and node.name == function]
        assert defs, callee
        names = [arg.arg for arg in defs[0].args.args if arg.arg != "self"]
        for place in (row.name, row.alias, *([row.version] if row.version else [])):
            assert names[place[0]] == place[1], (callee, place)
        assert (row.version is None) == (len(names) == 2), callee


# -- MLF402: GenAI evaluation gates ----------------------------------------------------------


def test_genai_evaluation_results_gate_a_prompt_promotion() -> None:
    source = """\
    import mlflow
    from mlflow.genai.scorers import Correctness


    def by_metric(data, predict, version):
        results = mlflow.genai.evaluate(data=data, predict_fn=predict, scorers=[Correctness()])
        if results.metrics["correctness/mean"] >= 0.8:
            mlflow.genai.set_prompt_alias("support-answer", "production", version)


    def by_verdict(data, predict, version):
        results = mlflow.genai.evaluate(data=data, predict_fn=predict, scorers=[Correctness()])
        if not results.passed:
            raise RuntimeError(results.reason)
        mlflow.genai.set_prompt_alias("support-answer", "production", version)


    def by_comparison(candidate_run_id, baseline_run_id, version):
        comparison = mlflow.genai.compare_evaluations(candidate_run_id, baseline_run_id)
        comparison.assert_improved()
        mlflow.genai.set_prompt_alias("support-answer", "production", version)
    """
    assert _lines(source, "MLF402") == []


def test_look_alike_verdicts_are_not_gates() -> None:
    source = """\
    import mlflow
    from qa import run_smoke_checks


    def by_smoke_checks(version):
        report = run_smoke_checks()
        if report.passed:
            mlflow.genai.set_prompt_alias("support-answer", "production", version)


    def by_classic_evaluation(model_uri, data, version):
        # mlflow.models.evaluate's EvaluationResult has no verdict: .passed is not MLflow's.
        result = mlflow.models.evaluate(model_uri, data, targets="y", model_type="classifier")
        if result.passed:
            mlflow.genai.set_prompt_alias("support-answer", "production", version)


    def by_someone_elses_assertion(checker, version):
        checker.assert_improved()
        mlflow.genai.set_prompt_alias("support-answer", "production", version)
    """
    assert _lines(source, "MLF402") == [8, 15, 20]


# -- MLF402: copies into protected models ----------------------------------------------------


def test_copy_into_a_protected_unity_catalog_model() -> None:
    source = """\
    from mlflow import MlflowClient

    PROD = "prod.ml.churn"
    client = MlflowClient()
    client.copy_model_version("models:/dev.ml.churn@challenger", PROD)
    client.copy_model_version("models:/dev.ml.churn@challenger", dst_name="main.PROD.churn")
    client.copy_model_version("models:/dev.ml.churn@challenger", "analytics.ml.churn")
    client.copy_model_version("models:/dev.ml.churn@challenger", "dev.prod_candidates.churn")
    client.copy_model_version("models:/dev.ml.churn@challenger", "churn-prod")


    def copy_model(model, catalog, name):
        client.copy_model_version(f"models:/dev.ml.{model}@challenger", f"prod.ml.{model}")
        client.copy_model_version(f"models:/dev.ml.{model}@challenger", f"{catalog}.ml.{model}")
        client.copy_model_version(f"models:/dev.ml.{model}@challenger", name)


    def copy_if_better(new_auc, old_auc):
        if new_auc > old_auc:
            client.copy_model_version("models:/dev.ml.churn@challenger", PROD)
    """
    assert _lines(source, "MLF402") == [5, 6, 13]


def test_copy_on_an_untyped_receiver_is_medium_precision() -> None:
    source = """\
    def publish(registry_client, uri):
        registry_client.copy_model_version(uri, "prod.ml.churn")
    """
    assert _lint(source, "MLF402") == [(2, "medium")]


def test_protected_models_option_replaces_the_defaults() -> None:
    source = """\
    from mlflow import MlflowClient

    client = MlflowClient()
    client.copy_model_version("models:/churn@challenger", "prod.ml.churn")
    client.copy_model_version("models:/churn@challenger", "churn-production")
    """
    assert _lines(source, "MLF402") == [4]
    assert _lines(source, "MLF402", RuleOptions(protected_models=("*-production",))) == [5]
    assert _lines(source, "MLF402", RuleOptions(protected_models=())) == []


@pytest.mark.parametrize(
    ("parts", "patterns", "expected"),
    [
        (("prod.ml.churn",), DEFAULT_PROTECTED_MODELS, "prod.ml.churn"),
        (("Main.Prod.Churn",), DEFAULT_PROTECTED_MODELS, "Main.Prod.Churn"),
        (("production.ml.churn",), DEFAULT_PROTECTED_MODELS, None),
        (("prod.ml.", Hole(None)), DEFAULT_PROTECTED_MODELS, "prod.ml.{…}"),
        ((Hole(None), ".prod.churn"), DEFAULT_PROTECTED_MODELS, "{…}.prod.churn"),
        ((Hole(None), ".ml.churn"), DEFAULT_PROTECTED_MODELS, None),
        (("prod.", Hole(None)), DEFAULT_PROTECTED_MODELS, None),  # one dot: maybe no schema
        (("prod.ml.", Hole(None)), ("prod.ml.?*",), None),  # '?' needs one character there
        ((Hole(None),), DEFAULT_PROTECTED_MODELS, None),
    ],
)
def test_protected_model_names(parts: tuple, patterns: tuple[str, ...], expected: str | None) -> None:
    assert protected_model([StrValue(parts)], patterns) == expected


def test_a_value_without_text_is_never_protected() -> None:
    assert protected_model([literal("")], ("*",)) is None


# -- MLF403: prompt deletion -----------------------------------------------------------------


def test_prompt_deletion_is_destructive() -> None:
    source = """\
    import mlflow
    from mlflow import MlflowClient

    client = MlflowClient()
    client.delete_prompt_version("support-answer", "2")
    client.delete_prompt("support-answer")
    mlflow.delete_prompt("support-answer", 2)
    client.delete_prompt_alias("support-answer", "challenger")
    client.delete_prompt_tag("support-answer", "review")
    client.delete_prompt_version_tag("support-answer", "2", "review")
    """
    assert _lines(source, "MLF403") == [5, 6, 7]


def test_prompt_deletion_look_alikes_stay_clean() -> None:
    """``delete_prompt`` is a common name in prompt-library applications (their own
    databases): only MLflow's client, resolved, is reported."""
    source = """\
    from prompt_store import PromptDB


    def remove(db: PromptDB, store, prompt_id):
        db.delete_prompt(prompt_id)
        store.delete_prompt_version(prompt_id, 3)


    def delete_prompt(prompt_id):
        return prompt_id
    """
    assert _lines(source, "MLF403") == []


# -- configuration ---------------------------------------------------------------------------


@pytest.mark.integration
@pytest.mark.parametrize(
    "config",
    [
        "protected-models: {prod: yes}\n",
        "protected-models: ['']\n",
        "protected-models: ['models:/prod.ml.churn']\n",
    ],
)
def test_bad_protected_models_name_the_key(tmp_path: Path, config: str) -> None:
    (tmp_path / ".mlflow-lint.yaml").write_text(config)
    (tmp_path / "job.py").write_text("import mlflow\n")
    result = run_cli("check", ".", cwd=tmp_path)
    assert result.returncode == 2 and "'protected-models'" in result.stderr


@pytest.mark.integration
def test_protected_models_through_the_cli(tmp_path: Path) -> None:
    (tmp_path / ".mlflow-lint.yaml").write_text("protected-models: ['Gold.*']\n")
    (tmp_path / "job.py").write_text(
        "from mlflow import MlflowClient\n"
        "client = MlflowClient()\n"
        "client.copy_model_version('models:/dev.ml.churn@challenger', 'prod.ml.churn')\n"
        "client.copy_model_version('models:/dev.ml.churn@challenger', 'gold.ml.churn')\n"
    )
    result = run_cli("check", ".", "--format", "json", "--select", "MLF402", cwd=tmp_path)
    findings = json.loads(result.stdout)["findings"]
    assert [(f["line"], "'gold.ml.churn'" in f["message"]) for f in findings] == [(4, True)]


# -- the audit's evidence reads the same table -----------------------------------------------


def test_audit_evidence_shows_prompt_alias_moves_and_copies_with_their_gates() -> None:
    from mlflow_lint.analysis.module import AnalysedModule
    from mlflow_lint.audit.evidence import collect

    source = textwrap.dedent(
        """\
        import mlflow
        from mlflow import MlflowClient

        client = MlflowClient()
        mlflow.genai.set_prompt_alias("support-answer", "production", 3)
        mlflow.genai.delete_prompt_alias("support-answer", "challenger")
        client.copy_model_version("models:/dev.ml.churn@challenger", "prod.ml.churn")
        client.copy_model_version("models:/dev.ml.churn@challenger", "analytics.ml.churn")


        def promote(new_auc, old_auc):
            if new_auc > old_auc:
                client.copy_model_version("models:/dev.ml.churn@challenger", "prod.ml.churn")
        """
    )
    module = AnalysedModule(Path("/nonexistent/job.py"), source, ast.parse(source), ProjectIndex(None))
    evidence = collect(module, "job.py", RuleOptions())
    rows = [(item.line, item.get("model"), item.get("target"), item.get("gate")) for item in evidence.items if item.kind == "registry_operation"]
    assert rows == [
        (5, "support-answer", "alias 'production' → version 3", "none"),
        (6, "support-answer", "removes alias 'challenger'", "none (not a protected alias)"),
        (7, "prod.ml.churn", "new version from 'models:/dev.ml.churn@challenger'", "none"),
        (8, "analytics.ml.churn", "new version from 'models:/dev.ml.churn@challenger'", "none (not a protected model)"),
        (13, "prod.ml.churn", "new version from 'models:/dev.ml.churn@challenger'", "if new_auc > old_auc"),
    ]
    assert [use.name for use in evidence.models] == ["prod.ml.churn", "analytics.ml.churn", "prod.ml.churn"]  # prompts are not models


def test_a_helper_is_judged_at_the_call_that_passes_the_protected_target() -> None:
    source = """\
    import mlflow
    from mlflow import MlflowClient

    client = MlflowClient()


    def publish(destination, alias):
        client.copy_model_version("models:/dev.ml.churn@challenger", destination)
        mlflow.genai.set_prompt_alias("support-answer", alias, 3)


    publish("prod.ml.churn", "production")
    publish("dev.ml.churn", "staging")


    def gated(new, old):
        if new > old:
            publish("prod.ml.churn", "production")
    """
    assert _lines(source, "MLF402") == [12, 12]
