"""Hosts in URIs and server addresses: which stay on this machine or a private network.

Read by MLF702 (insecure-tracking-transport), MLF703 (unauthenticated-server) and the
audit's evidence, so that a check and the report it feeds agree on what is loopback.
"""

from __future__ import annotations

import ipaddress
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow_lint.analysis.values import StrValue

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "0.0.0.0"})
# Addresses a server binds to that accept connections from other machines.
ALL_INTERFACES = frozenset({"0.0.0.0", "::", "[::]", "*", "0"})


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
    """``localhost``, a loopback address, or the unspecified address (``0.0.0.0`` as a
    client's target means this machine)."""
    if host.lower() in _LOOPBACK_NAMES:
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified


def normalise_uri(text: str) -> str:
    """Case-insensitive scheme and host, no trailing slash."""
    text = text.strip().rstrip("/")
    scheme, separator, rest = text.partition("://")
    if not separator:
        return text
    authority, slash, path = rest.partition("/")
    return f"{scheme.lower()}://{authority.lower()}{slash}{path}"
