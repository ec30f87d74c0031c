"""MLF702 insecure-tracking-transport."""

from __future__ import annotations

import ast
import ipaddress

from mlflow_lint.analysis.mlflow_calls import SINK_CALL_NAMES, env_assignments, uri_sinks
from mlflow_lint.analysis.uris import UriKind, classify
from mlflow_lint.analysis.values import StrValue
from mlflow_lint.checks.base import Check, FileContext
from mlflow_lint.sources.facts import Setting

_TRUE = frozenset({"true", "1", "yes", "on"})
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "0.0.0.0"})


def http_host(value: StrValue) -> str | None:
    """The host of an ``http://`` value when its text is fully known, else None."""
    prefix = value.prefix
    rest = prefix[len("http://") :] if prefix.lower().startswith("http://") else None
    if rest is None:
        return None
    authority = rest.split("/", 1)[0].rsplit("@", 1)[-1]
    ends = "/" in rest or value.complete or ":" in authority.lstrip("[").split("]")[-1]
    if not ends or not authority:
        return None  # the host continues into an unknown part: f"http://{host}:5000"
    if authority.startswith("["):
        return authority[1:].split("]", 1)[0]
    return authority.split(":", 1)[0]


def is_internal_host(host: str) -> bool:
    """A host that only resolves inside a cluster or a compose network: a single-label name
    (a compose or Kubernetes service, ``http://mlflow:5000``) or a Kubernetes service name
    (``*.svc``, ``*.svc.cluster.local``). Plain HTTP there stays on the private network,
    usually behind the mesh's own mutual TLS; a public or dotted host name is reported."""
    name = host.lower().rstrip(".")
    if not name or _is_ip_address(name):
        return False
    return "." not in name or name.endswith((".svc", ".svc.cluster.local"))


def _is_ip_address(text: str) -> bool:
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True


def is_loopback(host: str) -> bool:
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


class InsecureTrackingTransport(Check):
    """``http://`` tracking URIs to other hosts, and disabled TLS verification."""

    rules = ("MLF702",)
    node_types = (ast.Call, ast.Assign)
    call_names = SINK_CALL_NAMES

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
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

