"""The lint engine: files in, findings out. Pure: it never prints and never imports the CLI,
the reporters or flake8 (a test enforces the layering).

Per file: read bytes, a cheap text prefilter (a file that never mentions MLflow is not
parsed), one ``ast`` parse, one semantic model (one traversal that also buckets nodes by
type), then every enabled check over the nodes it asked for.

One job per module:

- ``run``: ``lint_paths``: discovery, configuration groups, the cache and the worker pool,
  then the findings shown, hidden in test code, or waived;
- ``tasks``: one file's analysis in a worker (read, prefilter, lint, what the cache and the
  project facts need from it);
- ``documents``: one file's bytes to findings: the file as a Document
  (``sources.document``, which reads each kind, as the project index reads the modules
  files import), then the checks over its Python, its notebook cells (Databricks sources
  too), or its text source's settings and commands and the Python they run;
- ``checks_pass``: the checks over one analysed module, the value flow through its calls,
  then its suppression comments; the project-level hooks (local stores);
- ``facts``: the project facts, computed on first need;
- ``dependencies``: the result cache per configuration, and whether a cached analysis
  still holds;
- ``ignores``: ``per-file-ignores``; ``exclusions``: ``exclude`` per configuration;
- ``session``: the process's project indexes; ``results``: what a run returns;
- ``unanalysed``: what a file the checks did not analyse yields (MLF000, a skip note).

The checks and the analysis are loaded when a file must be analysed
(``tasks.load_analysis``): a run that the result cache serves whole never loads them.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow_lint.engine.checks_pass import run_checks
    from mlflow_lint.engine.documents import lint_bytes
    from mlflow_lint.engine.facts import cached_facts_source
    from mlflow_lint.engine.ignores import per_file_ignores
    from mlflow_lint.engine.results import LintResult, Progress
    from mlflow_lint.engine.run import lint_paths
    from mlflow_lint.engine.session import forget_projects, project_for
    from mlflow_lint.engine.tasks import worth_analysing
    from mlflow_lint.engine.unanalysed import SkippedFile
    from mlflow_lint.paths import display_path

# Each name is imported from its module on first use (PEP 562): a warm run that finds
# every file in the result cache never loads the checks or the analysis, and start-up is
# most of such a run.
_EXPORTS = {
    "LintResult": "mlflow_lint.engine.results",
    "Progress": "mlflow_lint.engine.results",
    "SkippedFile": "mlflow_lint.engine.unanalysed",
    "cached_facts_source": "mlflow_lint.engine.facts",
    "display_path": "mlflow_lint.paths",
    "forget_projects": "mlflow_lint.engine.session",
    "lint_bytes": "mlflow_lint.engine.documents",
    "lint_paths": "mlflow_lint.engine.run",
    "per_file_ignores": "mlflow_lint.engine.ignores",
    "project_for": "mlflow_lint.engine.session",
    "run_checks": "mlflow_lint.engine.checks_pass",
    "worth_analysing": "mlflow_lint.engine.tasks",
}

__all__ = [
    "LintResult",
    "Progress",
    "SkippedFile",
    "cached_facts_source",
    "display_path",
    "forget_projects",
    "lint_bytes",
    "lint_paths",
    "per_file_ignores",
    "project_for",
    "run_checks",
    "worth_analysing",
]


def __getattr__(name: str) -> object:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # the next use is a plain global
    return value
