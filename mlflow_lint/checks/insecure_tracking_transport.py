"""MLF702 insecure-tracking-transport."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.hosts import http_host, is_internal_host, is_loopback
from mlflow_lint.analysis.mlflow_calls import env_assignments, uri_sinks
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.checks.base import FileContext, UriSetterCheck
from mlflow_lint.sources.facts import Setting

_TRUE = frozenset({"true", "1", "yes", "on"})


class InsecureTrackingTransport(UriSetterCheck):
    """``http://`` tracking URIs to other hosts, and disabled TLS verification."""

    def visit_uri_setter(self, node: ast.Call | ast.Assign, ctx: FileContext) -> None:
        """A tracking or registry URI, or an environment variable, the call or assignment sets."""
        module = ctx.python
        for sink in uri_sinks(module, node):
            for value in module.values.evaluate(sink.value):
                if classify(value) is not UriKind.HTTP:
                    continue
                host = http_host(value)
                if host is not None and not is_loopback(host) and not is_internal_host(host):
                    ctx.report("MLF702", sink.value, api=sink.api, value=value.render(), instead="use https://")
                    break
        for assignment in env_assignments(module, node):
            if assignment.variable != "MLFLOW_TRACKING_INSECURE_TLS":
                continue
            values = module.values.evaluate(assignment.value)
            if any(v.complete and v.text.strip().lower() in _TRUE for v in values) or _is_true(assignment.value):
                ctx.report(
                    "MLF702",
                    assignment.value,
                    api=assignment.api,
                    value="TLS certificate verification disabled",
                    instead="keep verification on and trust the server's CA with MLFLOW_TRACKING_SERVER_CERT_PATH",
                )

    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        if setting.value is None:
            return
        value = next((v for v in setting.value.values if classify(v) is UriKind.HTTP), setting.value.value)
        if setting.name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI") and classify(value) is UriKind.HTTP:
            host = http_host(value)
            if host is not None and not is_loopback(host) and not is_internal_host(host):
                ctx.report_at("MLF702", setting.position, setting.value.text, api=setting.where, value=value.render(), instead="use https://")
        elif setting.name == "MLFLOW_TRACKING_INSECURE_TLS" and value.complete and value.text.strip().lower() in _TRUE:
            ctx.report_at(
                "MLF702",
                setting.position,
                setting.value.text,
                api=setting.where,
                value="TLS certificate verification disabled",
                instead="keep verification on and trust the server's CA with MLFLOW_TRACKING_SERVER_CERT_PATH",
            )


def _is_true(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True

