"""Hosts in URIs and server addresses: which stay on this machine or a private network.

Read by MLF702 (insecure-tracking-transport), MLF703 (unauthenticated-server) and the
audit's evidence, so that a check and the report it feeds agree on what is loopback.
"""

from __future__ import annotations

import ipaddress
import posixpath
from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow_lint.analysis.values import StrValue

# Whether the project's manifests declare Service <name> in namespace <namespace>
# (project_facts.ProjectFacts.declares_service): asked only of a host of that form.
DeclaresService = Callable[[str, str], bool]

_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain", "ip6-localhost", "0.0.0.0"})
# What a container calls the machine it runs on (Docker Desktop, Docker's host-gateway,
# Podman, minikube): its traffic to the host never leaves that machine.
_HOST_GATEWAY_NAMES = frozenset({"host.docker.internal", "gateway.docker.internal", "host.containers.internal", "host.minikube.internal"})
_PRIVATE_SUFFIXES = (".svc", ".svc.cluster.local", ".test", ".example", ".invalid", ".localhost")
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


def is_internal_host(host: str, declares_service: DeclaresService | None = None) -> bool:
    """A host that only resolves inside a cluster, a compose network or this machine: a
    single-label name (a compose or Kubernetes service, ``http://mlflow:5000``), a
    Kubernetes service name (``*.svc``, ``*.svc.cluster.local``), the name a container
    reaches its own host by (``host.docker.internal``), or a name under a top-level domain
    reserved never to resolve publicly (RFC 6761: ``.test``, ``.example``, ``.invalid``,
    ``.localhost``; a test double's ``http://mlflow.test``). With ``declares_service`` (the
    project's manifests), also ``<service>.<namespace>`` of a Service they declare in that
    namespace: a pod's DNS search path resolves it inside the cluster. Plain HTTP there
    stays on the private network or the machine, usually behind the mesh's own mutual
    TLS; a public or other dotted host name is reported (a last label that is no public
    top-level domain is no proof: ``mlflow.corp`` is a corporate network's)."""
    name = host.lower().rstrip(".")
    if not name or _is_ip_address(name):
        return False
    if "." not in name or name in _HOST_GATEWAY_NAMES or name.endswith(_PRIVATE_SUFFIXES):
        return True
    service = _cluster_service(name)
    return service is not None and declares_service is not None and declares_service(*service)


def _cluster_service(host: str) -> tuple[str, str] | None:
    """(service, namespace) of a host written as Kubernetes' short in-cluster name
    ``<service>.<namespace>`` (two labels): a pod's resolver tries it under
    ``svc.cluster.local`` first. None for another host."""
    service, dot, namespace = host.lower().rstrip(".").partition(".")
    if not dot or not service or not namespace or "." in namespace:
        return None
    return service, namespace


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
    """Case-insensitive scheme and host, no trailing slash; every name of this machine
    (``127.0.0.1``, ``[::1]``, ``0.0.0.0``) as ``localhost``: ``http://127.0.0.1:5000`` and
    ``http://localhost:5000`` are one local server (MLF102 compares them). A local store
    is its path: ``mlruns``, ``./mlruns``, ``file:./mlruns`` and ``file:mlruns/`` are one
    directory, as MLflow resolves them (``file:`` and ``file://`` taken off, the path
    normalised)."""
    text = text.strip().rstrip("/")
    local = _local_path(text)
    if local is not None:
        return local
    scheme, separator, rest = text.partition("://")
    if not separator:
        return text
    authority, slash, path = rest.partition("/")
    authority = authority.lower()
    credentials, at, address = authority.rpartition("@")
    host, port = _split_port(address)
    if is_loopback(host):
        authority = f"{credentials}{at}localhost{port}"
    return f"{scheme.lower()}://{authority}{slash}{path}"


def _local_path(text: str) -> str | None:
    """The normalised path of a local file store URI (``file:./mlruns``, ``file:///srv/m``,
    ``./mlruns``); None for anything else (a scheme, a bare word such as ``databricks``)."""
    if text[:5].lower() == "file:":
        path = text[5:]
        if path.startswith("//"):  # file://<host>/path: only an empty host is this machine
            host, slash, rest = path[2:].partition("/")
            if host not in ("", "localhost"):
                return None
            path = slash + rest
    elif text.startswith(("./", "../", "/")):
        path = text
    else:
        return None
    return posixpath.normpath(path) if path else None


def _split_port(address: str) -> tuple[str, str]:
    """``host:5000`` as (``host``, ``:5000``); an IPv6 literal loses its brackets."""
    if address.startswith("["):
        host, _, rest = address[1:].partition("]")
        return host, rest
    host, colon, port = address.partition(":")
    return host, colon + port
