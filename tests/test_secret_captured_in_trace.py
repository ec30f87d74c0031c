"""MLF705 secret-captured-in-trace: what a trace records, what redacts it, and look-alikes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlflow_lint.analysis.secrets import is_secret_name
from mlflow_lint.config import Config
from mlflow_lint.engine import lint_paths

from .conftest import lint_source, write_files
from .markers import expected_findings


def _mlf705(source: str) -> list[int]:
    return sorted(f.line for f in lint_source(source) if f.rule == "MLF705")


@pytest.mark.parametrize(
    "name",
    ["api_key", "openai_api_key", "apiKey", "OPENAI_API_KEY", "token", "hf_token", "password", "db_password",
     "passwd", "secret", "client_secret", "credentials", "access_key", "aws_secret_access_key", "private_key"],
)  # fmt: skip
def test_secret_names(name: str) -> None:
    assert is_secret_name(name)


@pytest.mark.parametrize(
    "name",
    ["token_count", "max_tokens", "tokenizer", "tokens", "secret_name", "api_key_env", "key", "cache_key",
     "signature", "pwd", "page_token", "next_page_token", "eos_token", "pad_token", "client", "prompt", "_"],
)  # fmt: skip
def test_names_that_only_look_like_secrets(name: str) -> None:
    assert not is_secret_name(name)


@pytest.mark.parametrize(
    "source",
    [
        # Every import style and function kind: the argument is recorded.
        "import mlflow as mf\n\n\n@mf.trace\ndef f(q, api_key):  # error: MLF705\n    return q\n",
        "from mlflow.tracing.fluent import trace\n\n\n@trace(name='s')\nasync def f(q, *, token: str | None = None):  # error: MLF705\n    return q\n",
        "import mlflow\n\n\n@mlflow.trace\ndef f(q, **credentials):  # error: MLF705\n    return q\n",
        "from typing import Optional\n\nimport mlflow\n\n\n@mlflow.trace\ndef f(q, password: Optional[str] = None):  # error: MLF705\n    yield q\n",
        "import mlflow\n\n\nclass T:\n    @mlflow.trace\n    @classmethod\n    def f(cls, q, secret: 'str'):  # error: MLF705\n        return q\n",
        # Spans given inputs by hand.
        "import mlflow\n\n\ndef f(key):\n    span = mlflow.get_current_active_span()\n    span.set_inputs({'api_key': key})  # error: MLF705\n",
        # (on the entry: that is what to take out)
        "import mlflow\n\n\ndef f(q, api_key):\n    inputs = {'q': q, 'auth': api_key}  # error: MLF705\n    with mlflow.start_span() as span:\n        span.set_inputs(inputs)\n",
        "import mlflow\n\n\ndef f(q, pw):\n    span = mlflow.start_span_no_context('s')\n    span.set_inputs(dict(q=q, password=pw))  # error: MLF705\n    span.end()\n",
        # A cleared or absent configuration redacts nothing.
        "import mlflow\n\nmlflow.tracing.configure(span_processors=None)\nmlflow.tracing.configure(span_processors=[])\n\n\n"
        "@mlflow.trace\ndef f(q, api_key):  # error: MLF705\n    return q\n",
    ],
)
def test_secrets_recorded_in_traces_are_found(source: str) -> None:
    assert _mlf705(source) == [line for line, rule in expected_findings(source) if rule == "MLF705"]


@pytest.mark.parametrize(
    "source",
    [
        # Not traced, not secret-named, or not text.
        "import mlflow\n\n\ndef f(q, api_key):\n    return q\n",
        "import mlflow\n\n\n@mlflow.trace\ndef f(q, max_tokens=5, token_count=0, tokenizer=None, page_token=None):\n    return q\n",
        "import mlflow\nfrom openai import OpenAI\n\n\n@mlflow.trace\ndef f(client: OpenAI, q: str):\n    return q\n",
        "import mlflow\nfrom pydantic import SecretStr\n\n\n@mlflow.trace\ndef f(q, api_key: SecretStr, token: int = 0):\n    return q\n",
        # Another library's trace decorator, and a set_inputs on something else.
        "import mlflow\nfrom langsmith import traceable as trace\n\n\n@trace\ndef f(q, api_key):\n    return q\n",
        "import mlflow\n\n\ndef f(run, api_key):\n    run.set_inputs({'api_key': api_key})\n",
        # Literal values are no capture.
        "import mlflow\n\nwith mlflow.start_span() as span:\n    span.set_inputs({'api_key': '[REDACTED]', 'token': None})\n",
        # The body replaces the inputs the decorator recorded.
        "import mlflow\n\n\n@mlflow.trace\ndef f(q, api_key):\n    mlflow.get_current_active_span().set_inputs({'q': q})\n    return q\n",
        # Span processors configured: positionally, under another name, as a context manager.
        "import mlflow\n\nmlflow.tracing.configure([lambda span: None])\n\n\n@mlflow.trace\ndef f(q, api_key):\n    return q\n",
        "from mlflow.tracing.config import configure as cfg\n\nimport mlflow\n\ncfg(span_processors=[print])\n\n\n@mlflow.trace\ndef f(q, api_key):\n    return q\n",
        "import mlflow\n\n\n@mlflow.trace\ndef f(q, api_key):\n    return q\n\n\nwith mlflow.tracing.configure(span_processors=[print]):\n    f('q', 'k')\n",
    ],
)
def test_look_alikes_and_redacted_projects_are_clean(source: str) -> None:
    assert _mlf705(source) == []


def _project_findings(root: Path) -> list[tuple[str, int]]:
    result = lint_paths([root], Config(root=root), frozenset({"MLF705"}), cwd=root, jobs=1, include_tests=True)
    return sorted((f.path, f.line) for f in result.findings)


AGENT = "import mlflow\n\n\n@mlflow.trace\ndef search(query: str, api_key: str) -> list:\n    return []\n"
CONFIGURE = "import mlflow\n\nmlflow.tracing.configure(span_processors=[lambda span: None])\n"


def test_a_configuration_anywhere_in_the_project_redacts_every_module(tmp_path: Path) -> None:
    project = write_files(tmp_path / "p", {"pyproject.toml": "", "app/agent.py": AGENT, "serving/setup_tracing.py": CONFIGURE})
    assert _project_findings(project) == []
    # Linting the agent alone reads the same project fact.
    result = lint_paths([project / "app" / "agent.py"], Config(root=project), frozenset({"MLF705"}), cwd=project, jobs=1)
    assert result.findings == []


def test_a_configuration_in_test_code_redacts_nothing_in_production(tmp_path: Path) -> None:
    project = write_files(tmp_path / "p", {"pyproject.toml": "", "agent.py": AGENT, "tests/conftest.py": CONFIGURE})
    assert _project_findings(project) == [("agent.py", 5)]


def test_another_project_s_configuration_does_not_count(tmp_path: Path) -> None:
    root = write_files(
        tmp_path / "repo",
        {"a/pyproject.toml": "", "a/agent.py": AGENT, "b/pyproject.toml": "", "b/agent.py": AGENT, "b/setup_tracing.py": CONFIGURE},
    )
    assert _project_findings(root) == [("a/agent.py", 5)]


def test_the_message_names_the_parameter_and_function_never_a_value() -> None:
    source = 'import mlflow\n\n\n@mlflow.trace\ndef search(query, api_key="sk-proj-abcdefghijklmnopqrstuvwxyz012345"):\n    return query\n'
    (finding,) = [f for f in lint_source(source) if f.rule == "MLF705"]
    assert "'api_key'" in finding.message and "'search'" in finding.message
    assert "sk-proj" not in finding.message and (finding.line, finding.column) == (5, 19)
