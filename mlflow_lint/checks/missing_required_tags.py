"""MLF501 missing-required-tags."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.runs import new_runs, trains_model
from mlflow_lint.checks.base import Check, FileContext


class MissingRequiredTags(Check):
    """A new run that does not receive every ``required-tags`` key; unconfigured, a training
    run (one that logs or registers a model, or fits one under autologging) with no tag.

    Evaluation, tracing, LLM-call and bookkeeping runs are left to ``required-tags``: a
    project that wants them tagged says which keys. Tags count from ``tags=``, ``set_tag``/``set_tags`` in the run body, and project helpers
    called in the run (transitively, across modules). Keys that cannot be known (a tags
    parameter, ``**kwargs``) are taken to satisfy the rule: unknown is never a finding.
    """

    rules = ("MLF501",)
    node_types = (ast.Module,)

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        required = ctx.options.required_tags
        for run in new_runs(ctx.python):
            tags = run.effects(ctx.python).tags
            if tags.unknown:
                continue
            if required:
                missing = [key for key in required if key not in tags.keys]
                if missing:
                    ctx.report("MLF501", run.call, run=run.label, missing=", ".join(repr(k) for k in missing))
            elif not tags.keys and trains_model(ctx.python, run):
                ctx.report("MLF501", run.call, run=run.label, missing="(any tag)")
