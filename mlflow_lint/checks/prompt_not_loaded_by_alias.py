"""MLF605 prompt-not-loaded-by-alias."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.prompts import LOADERS, managed_prompts, ungoverned_prompt_load
from mlflow_lint.checks.base import Check, FileContext

# How each kind of load is described in the message.
_WHAT = {
    "version": "a pinned prompt version",
    "latest": "the latest prompt version through the reserved alias @latest",
    "name": "the latest prompt version by bare name",
}


class PromptNotLoadedByAlias(Check):
    """A registered prompt loaded by a pinned version, a bare name or ``@latest``.

    A module that registers the prompt or sets its aliases (a registration, evaluation or
    promotion script) reads back what it manages: not a finding there.
    """

    calls = LOADERS.keys()

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        load = ungoverned_prompt_load(ctx.python, node)
        if load is None or managed_prompts(ctx.python).include(load.name):
            return
        ctx.report("MLF605", load.expr, api=load.api, what=_WHAT[load.kind], prompt=load.prompt)
