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
- ``session``: the process's project indexes; ``results``: what a run returns.
"""

from mlflow_lint.engine.checks_pass import SkippedFile, run_checks
from mlflow_lint.engine.documents import lint_bytes
from mlflow_lint.engine.facts import cached_facts_source
from mlflow_lint.engine.ignores import per_file_ignores
from mlflow_lint.engine.results import LintResult, Progress
from mlflow_lint.engine.run import lint_paths
from mlflow_lint.engine.session import forget_projects, project_for
from mlflow_lint.engine.tasks import worth_analysing
from mlflow_lint.paths import display_path

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
