"""MLF605 prompt-not-loaded-by-alias: prompt URIs, loaders, and the look-alikes that stay clean."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlflow_lint.analysis.uris import UriKind, classify, parse_prompts_uri
from mlflow_lint.analysis.values import Hole, StrValue, literal

from .conftest import lint_source, run_cli, write_files
from .markers import expected_findings


@pytest.mark.parametrize(
    ("value", "kind", "reference", "name"),
    [
        (literal("prompts:/qa/3"), "version", "3", "qa"),
        (literal("prompts:/qa@production"), "alias", "production", "qa"),
        (literal("prompts:/qa@latest"), "latest", "latest", "qa"),
        (literal("prompts:/qa@Latest"), "latest", "Latest", "qa"),
        (literal("prompts:/qa/latest"), "unknown", None, "qa"),  # MLflow rejects it for prompts
        (literal("prompts:/qa/Production"), "unknown", None, "qa"),  # no stages for prompts
        (literal("prompts:/qa/3/extra"), "unknown", None, "qa"),
        (literal("prompts:/qa@"), "unknown", None, "qa"),
        (literal("prompts:/qa"), "unknown", None, None),
        (literal("prompts:/"), "unknown", None, None),
        (StrValue(("prompts:/", Hole(None), "/3")), "version", "3", None),
        (StrValue(("prompts:/", Hole(None), "@latest")), "latest", "latest", None),
        (StrValue(("prompts:/qa@", Hole(None))), "unknown", None, "qa"),
        (StrValue(("prompts:/qa/", Hole(None))), "unknown", None, "qa"),
        (StrValue((Hole(None), "/3")), "unknown", None, None),
        (literal("models:/qa/3"), "unknown", None, None),
    ],
)
def test_prompts_uri(value: StrValue, kind: str, reference: str | None, name: str | None) -> None:
    parsed = parse_prompts_uri(value)
    assert (parsed.kind, parsed.reference, parsed.name) == (kind, reference, name)


def test_prompts_uris_have_their_own_kind() -> None:
    assert classify(literal("prompts:/qa@production")) is UriKind.PROMPTS
    assert classify(literal("models:/qa@production")) is UriKind.MODELS


# Each case: a module; a ``# error: MLF605`` marker on each line that must be reported.
FLAGGED = [
    # the three ways of not using an alias, through every loader
    'import mlflow\nmlflow.genai.load_prompt("prompts:/qa/3")  # error: MLF605\n',
    'import mlflow\nmlflow.genai.load_prompt("qa", version=3)  # error: MLF605\n',
    'import mlflow\nmlflow.genai.load_prompt("qa", "3")  # error: MLF605\n',
    'import mlflow\nmlflow.genai.load_prompt("qa")  # error: MLF605\n',
    'import mlflow\nmlflow.genai.load_prompt(name_or_uri="qa", version=None)  # error: MLF605\n',
    'import mlflow\nmlflow.genai.load_prompt("prompts:/qa@latest")  # error: MLF605\n',
    'from mlflow.genai.prompts import load_prompt as lp\nlp("prompts:/qa/1")  # error: MLF605\n',
    'from mlflow.genai import load_prompt\nload_prompt(f"prompts:/{NAME}/2")  # error: MLF605\n',
    'import mlflow\nmlflow.load_prompt("qa", version=2)  # error: MLF605\n',
    'from mlflow import MlflowClient\nMlflowClient().load_prompt("prompts:/qa@LATEST")  # error: MLF605\n',
    'from mlflow import MlflowClient\nMlflowClient().get_prompt_version("qa", 4)  # error: MLF605\n',
    'from mlflow import MlflowClient\nMlflowClient().get_prompt_version("qa", "latest")  # error: MLF605\n',
    'from mlflow import MlflowClient\nMlflowClient().get_prompt_version_by_alias("qa", "latest")  # error: MLF605\n',
    # values: constants, concatenation, .format(), a name assigned None
    'import mlflow\nV = 5\nmlflow.genai.load_prompt("qa", version=V)  # error: MLF605\n',
    'import mlflow\nNAME = "qa"\nmlflow.genai.load_prompt("prompts:/" + NAME + "/5")  # error: MLF605\n',
    'import mlflow\nmlflow.genai.load_prompt("prompts:/{}@latest".format(n))  # error: MLF605\n',
    'import mlflow\nversion = None\nmlflow.genai.load_prompt("qa", version=version)  # error: MLF605\n',
    # a name with an unknown end is still a name
    'import mlflow\nmlflow.genai.load_prompt(f"qa-{team}")  # error: MLF605\n',
    # a client annotated as a parameter
    "from mlflow import MlflowClient\n\n\ndef load(client: MlflowClient):\n"
    '    return client.load_prompt("qa", version=2)  # error: MLF605\n',
    # a module that registers another prompt does not manage this one
    'import mlflow\nmlflow.genai.register_prompt(name="summary", template="t")\n'
    'mlflow.genai.load_prompt("prompts:/qa/1")  # error: MLF605\n',
]

CLEAN = [
    # aliases
    'import mlflow\nmlflow.genai.load_prompt("prompts:/qa@production")\n',
    'import mlflow\nmlflow.genai.load_prompt(f"prompts:/qa@{alias}")\n',
    'from mlflow import MlflowClient\nMlflowClient().get_prompt_version("qa", "staging")\n',
    'from mlflow import MlflowClient\nMlflowClient().get_prompt_version_by_alias("qa", "production")\n',
    # unknown values
    "import mlflow\nmlflow.genai.load_prompt(uri)\n",
    'import mlflow\nmlflow.genai.load_prompt("qa", version=args.version)\n',
    'import mlflow\nmlflow.genai.load_prompt(f"prompts:/qa/{version}")\n',
    'import mlflow\nmlflow.genai.load_prompt(f"{prefix}qa")\n',  # could be a URI
    'import mlflow\nmlflow.genai.load_prompt("qa", **options)\n',  # may carry the version
    'import mlflow\nmlflow.genai.load_prompt("qa", *rest)\n',
    'import mlflow\nmlflow.genai.load_prompt("qa", version="production")\n',  # MLflow rejects it
    'import mlflow\nmlflow.genai.load_prompt("prompts:/qa@prod", version=3)\n',  # MLflow rejects it
    'import mlflow\nmlflow.genai.load_prompt("prompts:/qa")\n',  # MLflow rejects it
    "def load(version=None):\n    import mlflow\n    return mlflow.genai.load_prompt('qa', version=version)\n",
    # the version register_prompt returned
    'import mlflow\npv = mlflow.genai.register_prompt(name=n, template="t")\n'
    "mlflow.genai.load_prompt(f'prompts:/{pv.name}/{pv.version}')\nmlflow.genai.load_prompt(pv.uri)\n",
    # a module that manages the prompt: registers it or moves its aliases
    'import mlflow\nmlflow.genai.register_prompt("qa", "t")\nmlflow.genai.load_prompt("qa")\n'
    'mlflow.genai.load_prompt("prompts:/qa/1")\nmlflow.genai.load_prompt("prompts:/qa@latest")\n',
    'from mlflow import MlflowClient\nc = MlflowClient()\nc.load_prompt("qa", version=4)\nc.set_prompt_alias("qa", "staging", 4)\n',
    'import mlflow\nmlflow.genai.register_prompt(name=args.name, template="t")\nmlflow.genai.load_prompt("qa", version=1)\n',
    # not MLflow's loaders, and text that is not code
    'from langchain_core.prompts import load_prompt\nload_prompt("prompts/qa.yaml")\n',
    'import mlflow\n"""mlflow.genai.load_prompt("prompts:/qa/3")"""\n# mlflow.genai.load_prompt("qa")\n',
    'import mlflow\nmlflow.genai.search_prompts(filter_string="name = \'qa\'")\n',
]


@pytest.mark.parametrize("source", FLAGGED)
def test_flagged(source: str) -> None:
    found = {(f.line, f.rule) for f in lint_source(source) if f.rule == "MLF605"}
    assert found == expected_findings(source)


@pytest.mark.parametrize("source", CLEAN)
def test_clean(source: str) -> None:
    assert [(f.line, f.message) for f in lint_source(source) if f.rule == "MLF605"] == []


def test_message_names_the_loader_and_the_reference() -> None:
    (finding,) = [f for f in lint_source('import mlflow\nV = 3\nmlflow.genai.load_prompt("qa", version=V)\n') if f.rule == "MLF605"]
    assert finding.message.startswith("mlflow.genai.load_prompt loads a pinned prompt version ('qa', version 3)")
    (latest,) = [f for f in lint_source('import mlflow\nmlflow.genai.load_prompt("qa")\n') if f.rule == "MLF605"]
    assert "latest prompt version by bare name ('qa')" in latest.message


@pytest.mark.integration
def test_values_across_modules_and_helpers(tmp_path: Path) -> None:
    """A version constant imported from another module, and a helper that receives the
    version from its caller (the finding sits at the call)."""
    write_files(
        tmp_path,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            "app/__init__.py": "",
            "app/config.py": 'PROMPT = "qa"\nPROMPT_VERSION = 3\n',
            "app/prompts.py": "import mlflow\n\n\ndef load(name, version):\n    return mlflow.genai.load_prompt(name, version=version)\n",
            "app/main.py": (
                "import sys\n\nfrom mlflow.genai import load_prompt\n\nfrom app.config import PROMPT, PROMPT_VERSION\n"
                "from app.prompts import load\n\n"
                "pinned = load_prompt(PROMPT, version=PROMPT_VERSION)\n"
                'through = load("qa", 2)\n'
                'unknown = load("qa", sys.argv[1])\n'
            ),
        },
    )
    result = run_cli("check", "--no-cache", "--select", "MLF605", "--format", "json", ".", cwd=tmp_path)
    import json

    findings = json.loads(result.stdout)["findings"]
    assert [(f["path"], f["line"]) for f in findings] == [("app/main.py", 8), ("app/main.py", 9)]


@pytest.mark.integration
def test_test_code_is_hidden_unless_asked(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            ".git/HEAD": "ref: refs/heads/main\n",
            "tests/test_prompts.py": 'import mlflow\n\n\ndef test_it():\n    assert mlflow.genai.load_prompt("prompts:/qa/3")\n',
        },
    )
    hidden = run_cli("check", "--no-cache", "--select", "MLF605", ".", cwd=tmp_path)
    assert hidden.returncode == 0 and "MLF605" not in hidden.stdout
    shown = run_cli("check", "--no-cache", "--select", "MLF605", "--include-tests", ".", cwd=tmp_path)
    assert "tests/test_prompts.py:5" in shown.stdout
