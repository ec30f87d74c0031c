"""What a deployment file tells the project's facts: the ports Compose services publish, the
images they build, the Kubernetes Services and namespaces that name a server inside a
cluster. Plain records, importing nothing heavy: a warm run reads them back from the
result cache without loading any source reader."""

from __future__ import annotations

from dataclasses import dataclass

# The names kustomize reads a directory's kustomization from.
KUSTOMIZATION_FILES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


@dataclass(frozen=True)
class PublishedPort:
    """A Compose service's container port published on a fixed port of the host it runs
    on (``ports: ["5001:5000"]``, ``{target: 5000, published: 5001}``), on the host's
    loopback or every interface: code in the Compose network reaches it as
    ``<name>:<container_port>``, code on the host as ``localhost:<host_port>``."""

    service: str  # the service's key
    # What the containers of its networks call it: the service's name, its ``hostname:``,
    # ``container_name:`` and network ``aliases:``, as written (a name is one DNS label or not).
    names: tuple[str, ...]
    container_port: int
    host_port: int


@dataclass(frozen=True)
class ComposeImage:
    """A Compose service that builds its image from a Dockerfile of the project
    (``build: ./mlflow``, ``build: {context: .., dockerfile: docker/Dockerfile}``) or that
    may publish a port: whether the image a Dockerfile builds runs where the host's network
    reaches it (MLF703 on the Dockerfile's ``CMD``)."""

    service: str  # the service's key
    published: bool | None  # as ``sources.exposure.compose_services``: None when it cannot be read
    builds: bool  # builds an image from a Dockerfile of the project (not a remote context, not ``dockerfile_inline``)
    # That Dockerfile, relative to the Compose file's directory (normalised, POSIX); None
    # when it builds one whose path cannot be read (``build: ${CONTEXT}``), or builds none.
    dockerfile: str | None
    image: str | None  # its ``image:``, as written: the name the built image is tagged with


@dataclass(frozen=True)
class ManifestObject:
    """A Kubernetes object that says which names reach a service inside a cluster: a
    ``Service`` (its name, and its namespace when the manifest writes one), a ``Namespace``,
    or a kustomization (the namespace it puts its resources in, and those resources: files
    and directories, as written)."""

    kind: str  # "Service", "Namespace" or "Kustomization"
    name: str = ""
    namespace: str | None = None
    resources: tuple[str, ...] = ()


DeploymentFact = PublishedPort | ComposeImage | ManifestObject
