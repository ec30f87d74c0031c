"""The hard-coded tracking and registry URIs one module sets, directly or through calls of
project functions: what MLF102 compares, MLF401 reads for a Unity Catalog registry, and
the project facts gather."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.hosts import normalise_uri
from mlflow_lint.analysis.memo import MemoKey
from mlflow_lint.analysis.mlflow_calls import SINK_CALL_NAMES, uri_sinks
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.secrets import mask_secrets
from mlflow_lint.analysis.uri_flow import switched_nodes, uris_through_calls
from mlflow_lint.analysis.uris import UriKind, classify


def tracking_uri_uses(module: AnalysedModule) -> list[tuple[ast.expr, str, str]]:
    """(value node, normalised URI, rendered) for every hard-coded tracking URI in a module.

    Only a URI that is *the* value counts. A value chosen by an explicit switch (both
    branches of an ``if`` on a setting, ``x or "./mlruns"``, the default of
    ``os.environ.get("MLFLOW_TRACKING_URI", ...)``) is one configuration with its
    alternatives, not two hard-coded URIs, and takes no part in the comparison.
    Computed once per module (MLF102 and the project facts both ask)."""
    return _cached_uses(module, "tracking")


def registry_uri_uses(module: AnalysedModule) -> list[tuple[ast.expr, str, str]]:
    """(value node, normalised URI, rendered) for every hard-coded registry URI in a module
    (``set_registry_uri``, ``MlflowClient(registry_uri=...)``, ``MLFLOW_REGISTRY_URI``),
    by the same policy as ``tracking_uri_uses``."""
    return _cached_uses(module, "registry")


_URI_USES: dict[str, MemoKey[list[tuple[ast.expr, str, str]]]] = {role: MemoKey(f"{role}_uri_uses") for role in ("tracking", "registry")}


def _cached_uses(module: AnalysedModule, role: str) -> list[tuple[ast.expr, str, str]]:
    key = _URI_USES[role]
    cached = module.memo_get(key)
    if cached is None:
        cached = module.memo_set(key, _uri_uses(module, role))
    return cached


def _uri_uses(module: AnalysedModule, role: str) -> list[tuple[ast.expr, str, str]]:
    model = module.model
    assignments = [n for n in model.nodes_of(ast.Assign) if isinstance(n.targets[0], ast.Subscript)]
    sinks = [
        (node, sink)
        for nodes in (model.calls_named(SINK_CALL_NAMES), assignments)
        for node in nodes
        for sink in uri_sinks(module, node)
        if sink.role == role and not sink.api.startswith("os.environ.setdefault")  # a default too
    ]
    through = [use for use in uris_through_calls(module) if use.role == role]
    # One switch may choose between a setter and a helper's call: judged together.
    switched = switched_nodes(module, [*(node for node, _ in sinks), *(use.call for use in through)])
    found: list[tuple[ast.expr, str, str, ast.expr | ast.stmt]] = []  # (value, uri, shown, setter or call)
    for node, sink in sinks:
        if node in switched:
            continue
        values = module.values.evaluate(sink.value)
        if len(values) != 1 or not values[0].complete or classify(values[0]) is UriKind.UNKNOWN:
            continue  # not one known URI: a placeholder ("${TRACKING_URI}", "<uri>") says no server
        value = values[0]
        # Masked: the facts go to the result cache, which never holds a secret
        # (two URIs that differ only in their password are one server).
        found.append((sink.value, normalise_uri(mask_secrets(value.text)), value.render(), node))
    for use in through:
        if use.call not in switched and classify(use.value) is not UriKind.UNKNOWN:
            head, _, alias = use.function.partition(" (as ")
            shown = f"{use.value.render()} via {head}()" + (f" (as {alias}" if alias else "")
            found.append((use.node, normalise_uri(mask_secrets(use.value.text)), shown, use.call))
    # In source order, setters and calls alike (a helper's use sits at its call).
    found.sort(key=lambda entry: (entry[3].lineno, entry[3].col_offset))
    return [(node, uri, shown) for node, uri, shown, _ in found]
