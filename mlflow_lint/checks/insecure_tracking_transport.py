"""MLF702 insecure-tracking-transport."""

from __future__ import annotations

import ast

from mlflow_lint.analysis.hosts import http_host, is_internal_host, is_loopback
from mlflow_lint.analysis.mlflow_calls import env_assignments, uri_sinks
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.checks.base import FileContext, UriSetterCheck
from mlflow_lint.sources.facts import Setting

_TRUE = frozenset({"true", "1", "yes", "on"})
# The variables that switch TLS certificate verification off (MLflow 3.18.0's
# environment_variables.py): what the finding says, and what to do instead.
_PLAIN_HTTP = "sends tracking traffic unencrypted"
_NO_VERIFICATION = {
    "MLFLOW_TRACKING_INSECURE_TLS": (
        "turns off the TLS certificate verification of tracking traffic",
        "keep verification on and trust the server's CA with MLFLOW_TRACKING_SERVER_CERT_PATH",
    ),
    "MLFLOW_S3_IGNORE_TLS": (
        "turns off the TLS certificate verification of S3 artifact traffic",
        "keep verification on and trust the endpoint's CA with AWS_CA_BUNDLE",
    ),
}


class InsecureTrackingTransport(UriSetterCheck):
    """``http://`` tracking URIs to other hosts, and disabled TLS verification."""

    # Whether ``<service>.<namespace>`` is a Service of the project's manifests: asked only
    # of a host of that form that would otherwise be reported.
    consults_project_facts = True

    def visit_uri_setter(self, node: ast.Call | ast.Assign, ctx: FileContext) -> None:
        """A tracking or registry URI, or an environment variable, the call or assignment sets."""
        module = ctx.python
        for sink in uri_sinks(module, node):
            for value in module.values.evaluate(sink.value):
                if classify(value) is not UriKind.HTTP:
                    continue
                if _leaves_the_network(http_host(value), ctx):
                    ctx.report("MLF702", sink.value, api=sink.api, does=_PLAIN_HTTP, value=value.render(), instead="use https://")
                    break
        for assignment in env_assignments(module, node):
            off = _NO_VERIFICATION.get(assignment.variable)
            if off is None:
                continue
            values = module.values.evaluate(assignment.value)
            on = next((v.render() for v in values if v.complete and v.text.strip().lower() in _TRUE), None)
            if on is not None or _is_true(assignment.value):
                ctx.report("MLF702", assignment.value, api=assignment.api, does=off[0], value=on or "True", instead=off[1])

    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        if setting.value is None:
            return
        value = next((v for v in setting.value.values if classify(v) is UriKind.HTTP), setting.value.value)
        if setting.name in ("MLFLOW_TRACKING_URI", "MLFLOW_REGISTRY_URI") and classify(value) is UriKind.HTTP:
            if _leaves_the_network(http_host(value), ctx):
                ctx.report_at(
                    "MLF702", setting.position, setting.value.text, api=setting.where, does=_PLAIN_HTTP, value=value.render(), instead="use https://"
                )
        elif setting.name in _NO_VERIFICATION and value.complete and value.text.strip().lower() in _TRUE:
            does, instead = _NO_VERIFICATION[setting.name]
            ctx.report_at("MLF702", setting.position, setting.value.text, api=setting.where, does=does, value=value.render(), instead=instead)


def _leaves_the_network(host: str | None, ctx: FileContext) -> bool:
    """A known host that is neither this machine nor a name inside a Compose network or
    the project's cluster (``analysis.hosts.is_internal_host``)."""
    if host is None or is_loopback(host):
        return False
    return not is_internal_host(host, lambda service, namespace: ctx.project_facts().declares_service(service, namespace))


def _is_true(expr: ast.expr) -> bool:
    return isinstance(expr, ast.Constant) and expr.value is True

