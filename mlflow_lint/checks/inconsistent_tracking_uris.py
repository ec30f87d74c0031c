"""MLF102 inconsistent-tracking-uris (project-level)."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.hosts import normalise_uri
from mlflow_lint.analysis.secrets import mask_secrets
from mlflow_lint.analysis.uri_uses import tracking_uri_uses
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.project_facts import TrackingUriUse, deployable_package


class InconsistentTrackingUris(Check):
    """More than one hard-coded tracking URI in a project: each use of a non-primary URI.

    The primary URI is the most used one in the whole project (ties: the first by path
    and line); ``allowed-tracking-uris`` never count. URIs are compared as the servers they
    name (``ProjectFacts.server``): ``http://mlflow:5000`` and ``http://localhost:5000`` are
    one when a Compose file of the project publishes service ``mlflow``'s port 5000 so.
    """

    reads_project_facts = True

    def visit_module(self, node: ast.Module, ctx: FileContext) -> None:
        # Compared as the facts hold them: normalised, secrets masked.
        allowed = frozenset(normalise_uri(mask_secrets(uri)) for uri in ctx.options.allowed_tracking_uris)
        own = [(value_node, uri, shown) for value_node, uri, shown in tracking_uri_uses(ctx.python) if uri not in allowed]
        if not own:
            return  # nothing to compare: the project's facts are not needed (nor computed)
        # Test code's URIs are compared with the project's but never make its primary one.
        project = ctx.python.project
        root = ctx.options.root or (str(project.root) if project is not None and project.root is not None else "")
        facts = ctx.project_facts().outside_tests(ctx.options.test_paths, root)
        path = ctx.python.path.resolve()
        package = deployable_package(path)
        for value_node, uri, shown in own:
            cell, line = ctx.python.shown_line(value_node.lineno + ctx.python.line_offset)
            this = TrackingUriUse(path.as_posix(), line, value_node.col_offset, uri, shown, package, cell=cell)
            primary = facts.primary_tracking_uri(allowed, seen_from=this)
            if primary is None or primary[0] == facts.server(uri):
                continue
            _, primary_uses = primary
            first = primary_uses[0]
            where = first.location(ctx.display(first.path))
            if len(primary_uses) > 1:
                where += f" and {len(primary_uses) - 1} more"
            shown_primary = first.shown.split(" via ", 1)[0]
            ctx.report("MLF102", value_node, value=shown, primary=shown_primary, where=where)
