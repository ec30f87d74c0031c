"""Project facts from deployment files: the images a Compose file's services build (and
whether they publish them), the Services, Namespaces and kustomizations of Kubernetes
manifests; and the two questions the checks ask of them (MLF703: does only an unpublished
Compose service run a Dockerfile's image; MLF702: is ``<service>.<namespace>`` a Service of
the project's cluster)."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlflow_lint.analysis.hosts import is_internal_host
from mlflow_lint.config import Config
from mlflow_lint.engine import lint_paths
from mlflow_lint.module_facts import collect_project_facts
from mlflow_lint.project import ProjectIndex
from mlflow_lint.project_facts import ProjectFacts, fact_from_row, fact_row
from mlflow_lint.sources.deployment import ComposeImage, ManifestObject
from mlflow_lint.sources.yaml_source import parse_yaml

from .conftest import TRACKING_URI_MODULE, ipynb, write_files


def _facts(root: Path, files: dict[str, str | bytes]) -> ProjectFacts:
    (root / ".git").mkdir(parents=True)
    write_files(root, files)
    return collect_project_facts(ProjectIndex(root), (), str(root))


def _images(text: str) -> list[ComposeImage]:
    return [fact for fact in parse_yaml(text, "docker-compose.yml").deployment if isinstance(fact, ComposeImage)]


def _objects(text: str, name: str = "manifest.yaml") -> list[ManifestObject]:
    return [fact for fact in parse_yaml(text, name).deployment if isinstance(fact, ManifestObject)]


# ------------------------------------------------------------------------------ Compose builds
def test_a_compose_services_build_is_read_in_every_syntax() -> None:
    text = """\
x-base: &base
  ports: ["80:80"]
services:
  short:
    build: ./mlflow
    expose: ["5000"]
  long:
    build:
      context: ..
      dockerfile: docker/Dockerfile.mlflow
    ports: ["5000:5000"]
  context_only:
    build: {context: "${CONTEXT:-./server}"}
    image: acme-mlflow
  unknown:
    build: ${CONTEXT}
  remote:
    build: https://github.com/acme/mlflow.git#main
  inline:
    build: {dockerfile_inline: "FROM python:3.12"}
  merged:
    <<: *base
    image: nginx
  published_image:
    image: acme-mlflow
    network_mode: host
  unpublished_image:
    image: postgres
"""
    found = {image.service: image for image in _images(text)}
    assert found["short"] == ComposeImage("short", False, True, "mlflow/Dockerfile", None)
    assert found["long"] == ComposeImage("long", True, True, "../docker/Dockerfile.mlflow", None)
    assert found["context_only"] == ComposeImage("context_only", False, True, "server/Dockerfile", "acme-mlflow")
    assert found["unknown"] == ComposeImage("unknown", False, True, None, None)  # builds, from a path not known
    assert found["published_image"] == ComposeImage("published_image", True, False, None, "acme-mlflow")
    assert found["merged"].published is None  # a merge: its ports are not known here
    # Built from nothing of the project's, publishing nothing: no row.
    assert {"remote", "inline", "unpublished_image"}.isdisjoint(found)


def test_a_dockerfile_built_only_by_unpublished_services_runs_unpublished(tmp_path: Path) -> None:
    facts = _facts(
        tmp_path / "project",
        {
            "deploy/docker-compose.yml": (
                "services:\n"
                "  mlflow:\n    build: {context: .., dockerfile: server/Dockerfile}\n    expose: ['5000']\n"
                "  proxy:\n    image: nginx\n    ports: ['443:443']\n"
            ),
            "server/Dockerfile": "FROM python:3.12\n",
        },
    )
    root = (tmp_path / "project").resolve()
    assert facts.image_runs_unpublished((root / "server" / "Dockerfile").as_posix())
    assert not facts.image_runs_unpublished((root / "other" / "Dockerfile").as_posix())  # nothing builds it: it may run anywhere


@pytest.mark.parametrize(
    ("compose", "more"),
    [
        # The building service publishes the port.
        ("services:\n  mlflow:\n    build: ./server\n    ports: ['5000:5000']\n", {}),
        # An unpublished service and a published one build it.
        ("services:\n  a:\n    build: ./server\n  b:\n    build: {context: server}\n    ports: ['5000:5000']\n", {}),
        # An override file of the same directory publishes the same service.
        ("services:\n  mlflow:\n    build: ./server\n", {"docker-compose.override.yml": "services:\n  mlflow:\n    ports: ['5000:5000']\n"}),
        # Another service runs the image by the name the build tags it with.
        ("services:\n  build-only:\n    build: ./server\n    image: acme-mlflow\n  run:\n    image: acme-mlflow\n    ports: ['5000:5000']\n", {}),
        # Tagged for a registry: pushed, it may run anywhere.
        ("services:\n  mlflow:\n    build: ./server\n    image: ghcr.io/acme/mlflow:1.0\n", {}),
        ("services:\n  mlflow:\n    build: ./server\n    image: ${IMAGE}\n", {}),
        # A published service builds from a path that cannot be read: it may be this one.
        ("services:\n  mlflow:\n    build: ./server\n  other:\n    build: ${CONTEXT}\n    ports: ['8000:8000']\n", {}),
        # Ports that cannot be read count as published.
        ("services:\n  mlflow:\n    build: ./server\n    extends: {file: base.yml, service: web}\n", {}),
    ],
)
def test_a_dockerfile_some_published_service_may_run_may_run_anywhere(tmp_path: Path, compose: str, more: dict[str, str]) -> None:
    facts = _facts(tmp_path / "project", {"docker-compose.yml": compose, "server/Dockerfile": "FROM python:3.12\n", **more})
    assert not facts.image_runs_unpublished((tmp_path / "project" / "server" / "Dockerfile").resolve().as_posix())


def test_a_namesake_in_another_directory_is_another_stack(tmp_path: Path) -> None:
    facts = _facts(
        tmp_path / "project",
        {
            "docker-compose.yml": "services:\n  mlflow:\n    build: ./server\n    expose: ['5000']\n",
            "examples/docker-compose.yml": "services:\n  mlflow:\n    image: ghcr.io/mlflow/mlflow\n    ports: ['5000:5000']\n",
        },
    )
    assert facts.image_runs_unpublished((tmp_path / "project" / "server" / "Dockerfile").resolve().as_posix())


# ------------------------------------------------------------------------ Kubernetes manifests
def test_services_namespaces_and_kustomizations_are_read() -> None:
    text = """\
apiVersion: v1
kind: Service
metadata: {name: mlflowserver, namespace: kubeflow}
spec: {selector: {app: mlflow}, ports: [{port: 5000}]}
---
apiVersion: v1
kind: Service
metadata: {name: tracking}
---
apiVersion: v1
kind: Service
metadata: {name: remote, namespace: kubeflow}
spec: {type: ExternalName, externalName: mlflow.example.com}
---
apiVersion: v1
kind: Service
metadata: {name: "${SERVICE}", namespace: "${NAMESPACE}"}
---
apiVersion: v1
kind: ServiceAccount
metadata: {name: mlflow}
---
apiVersion: v1
kind: Namespace
metadata: {name: mlops}
"""
    assert _objects(text) == [
        ManifestObject("Service", "mlflowserver", "kubeflow"),
        ManifestObject("Service", "tracking"),
        ManifestObject("Namespace", "mlops"),
    ]
    kustomization = "namespace: mlops\nresources:\n  - service.yaml\n  - ../base\nbases: [../legacy]\n"
    assert _objects(kustomization, "kustomization.yaml") == [ManifestObject("Kustomization", namespace="mlops", resources=("service.yaml", "../base", "../legacy"))]
    assert _objects(kustomization, "values.yaml") == []  # no kind, no kustomization's name
    assert _objects("kind: Kustomization\nresources: [a.yaml]\n", "overlay.yaml") == [ManifestObject("Kustomization", resources=("a.yaml",))]


def test_a_helm_templates_service_names_nothing(tmp_path: Path) -> None:
    service = 'apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ include "mlflow.fullname" . }}\n  namespace: {{ .Release.Namespace }}\n'
    facts = _facts(tmp_path / "project", {"chart/Chart.yaml": "name: mlflow\n", "chart/templates/service.yaml": service})
    assert facts.manifest_objects == ()


def test_a_services_namespace_is_its_own_or_its_kustomizations(tmp_path: Path) -> None:
    facts = _facts(
        tmp_path / "project",
        {
            "k8s/server.yaml": "kind: Service\nmetadata: {name: mlflowserver, namespace: kubeflow}\n",
            "kustomize/base/kustomization.yaml": "resources: [tracking.yaml]\n",
            "kustomize/base/tracking.yaml": "kind: Service\nmetadata: {name: tracking}\n",
            "kustomize/overlays/prod/kustomization.yaml": "namespace: mlops\nresources: [../../base]\n",
            "kustomize/overlays/dev/kustomization.yaml": "namespace: mlops-dev\nresources:\n  - ../../base/tracking.yaml\n",
        },
    )
    assert facts.declares_service("mlflowserver", "kubeflow")
    assert not facts.declares_service("mlflowserver", "mlops")  # another namespace
    assert not facts.declares_service("mlflowserver", "default")  # its metadata names one
    assert facts.declares_service("tracking", "mlops")  # through the base directory
    assert facts.declares_service("tracking", "mlops-dev")  # the file itself
    assert not facts.declares_service("tracking", "kubeflow")  # its kustomizations say where it goes
    assert not facts.declares_service("registry", "kubeflow")  # no such Service


def test_a_service_with_no_namespace_goes_where_it_is_applied(tmp_path: Path) -> None:
    # No namespace of its own, no kustomization: `kubectl apply -n <namespace>` decides,
    # any namespace the project declares, or default.
    facts = _facts(
        tmp_path / "project",
        {
            "k8s/namespace.yaml": "apiVersion: v1\nkind: Namespace\nmetadata: {name: kubeflow}\n",
            "k8s/server.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: mlflowserver}\n",
        },
    )
    assert facts.declares_service("mlflowserver", "kubeflow")
    assert facts.declares_service("mlflowserver", "default")
    assert not facts.declares_service("mlflowserver", "dev")


def test_the_rows_read_back_and_count_in_the_digest(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "docker-compose.yml": "services:\n  mlflow:\n    build: ./server\n",
        "k8s/server.yaml": "kind: Service\nmetadata: {name: mlflowserver, namespace: kubeflow}\n",
        "k8s/kustomization.yaml": "namespace: mlops\nresources: [server.yaml]\n",
    }
    facts = _facts(tmp_path / "one", files)
    rows = [*facts.compose_services, *facts.manifest_objects]
    assert len(rows) == 3
    assert [fact_from_row(fact_row(row)) for row in rows] == rows
    root = tmp_path / "one"
    assert collect_project_facts(ProjectIndex(root), (), str(root)).digest == facts.digest
    (root / "k8s" / "server.yaml").write_text("kind: Service\nmetadata: {name: mlflowserver, namespace: mlops}\n")
    assert collect_project_facts(ProjectIndex(root), (), str(root)).digest != facts.digest


# ------------------------------------------------------------------- MLF702: names in the cluster
_SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: mlflowserver\n  namespace: {}\n"
_KUBEFLOW_URI = "http://mlflowserver.kubeflow:5000"


def _cluster_project(root: Path) -> Path:
    """A Kubeflow notebook, a pipeline module and the .env of a project whose manifest
    declares Service mlflowserver in namespace kubeflow."""
    return write_files(
        root,
        {
            ".git/HEAD": "",
            "k8s/mlflow.yaml": _SERVICE.format("kubeflow"),
            "pipeline.py": TRACKING_URI_MODULE.format(_KUBEFLOW_URI),
            "explore.ipynb": ipynb(TRACKING_URI_MODULE.format(_KUBEFLOW_URI)),
            ".env": f"MLFLOW_TRACKING_URI={_KUBEFLOW_URI}\n",
        },
    )


def _flagged(project: Path, rule: str, *paths: str, cache: Path | None = None, jobs: int = 1) -> list[str]:
    targets = [project / path for path in paths] or [project]
    result = lint_paths(targets, Config(root=project), frozenset({rule}), cwd=project, cache_dir=cache, jobs=jobs)
    return sorted(finding.path for finding in result.findings)


def test_the_host_predicate_asks_the_manifests_only_of_a_two_label_name() -> None:
    asked: list[tuple[str, str]] = []

    def declares(service: str, namespace: str) -> bool:
        asked.append((service, namespace))
        return (service, namespace) == ("mlflowserver", "kubeflow")

    assert is_internal_host("mlflowserver.kubeflow", declares)
    assert is_internal_host("MLflowServer.Kubeflow.", declares)  # DNS names are case-insensitive; a trailing dot is the root
    assert not is_internal_host("mlflowserver.mlops", declares)
    assert not is_internal_host("mlflowserver.kubeflow")  # no manifests asked: a public-looking name
    assert not is_internal_host("registry.dev", declares)
    for host in ("mlflow", "mlflow.mlops.svc.cluster.local", "mlflow.internal.example.com", "10.0.0.7", "host.docker.internal"):
        is_internal_host(host, declares)
    assert asked == [("mlflowserver", "kubeflow"), ("mlflowserver", "kubeflow"), ("mlflowserver", "mlops"), ("registry", "dev")]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_warm_run_judges_a_cluster_name_again_when_the_manifest_changes(tmp_path: Path, jobs: int) -> None:
    project = _cluster_project(tmp_path / "project")
    cache = tmp_path / "cache"
    every = [".env", "explore.ipynb", "pipeline.py"]
    for _ in range(2):  # cold, then warm
        assert _flagged(project, "MLF702", cache=cache, jobs=jobs) == []
    manifest = project / "k8s" / "mlflow.yaml"
    manifest.write_text(_SERVICE.format("mlops"))  # no file that sets the URI changed
    assert _flagged(project, "MLF702", cache=cache, jobs=jobs) == every
    manifest.write_text(_SERVICE.format("kubeflow"))
    assert _flagged(project, "MLF702", cache=cache, jobs=jobs) == []
    manifest.unlink()
    assert _flagged(project, "MLF702", cache=cache, jobs=jobs) == every
    # The namespace from a kustomization instead of the Service's own metadata.
    write_files(
        project,
        {
            "k8s/mlflow.yaml": "apiVersion: v1\nkind: Service\nmetadata: {name: mlflowserver}\n",
            "k8s/kustomization.yaml": "namespace: kubeflow\nresources: [mlflow.yaml]\n",
        },
    )
    assert _flagged(project, "MLF702", cache=cache, jobs=jobs) == []
    (project / "k8s" / "kustomization.yaml").write_text("namespace: mlops\nresources: [mlflow.yaml]\n")
    assert _flagged(project, "MLF702", cache=cache, jobs=jobs) == every


def test_one_file_named_reads_the_manifests_it_does_not_lint(tmp_path: Path) -> None:
    # pre-commit and editors name one file: the facts still read the project's manifests.
    project = _cluster_project(tmp_path / "project")
    cache = tmp_path / "cache"
    for name in (".env", "explore.ipynb", "pipeline.py"):
        assert _flagged(project, "MLF702", name, cache=cache) == []
    (project / "k8s" / "mlflow.yaml").write_text(_SERVICE.format("mlops"))
    for name in (".env", "explore.ipynb", "pipeline.py"):
        assert _flagged(project, "MLF702", name, cache=cache) == [name]


def test_a_public_looking_name_needs_the_manifest(tmp_path: Path) -> None:
    # .dev is a public top-level domain, and as good a namespace name as any: only a
    # manifest that declares the Service there makes registry.dev a name in the cluster.
    project = write_files(tmp_path / "project", {".git/HEAD": "", "train.py": TRACKING_URI_MODULE.format("http://registry.dev:5000")})
    assert _flagged(project, "MLF702") == ["train.py"]
    (project / "k8s").mkdir()
    (project / "k8s" / "registry.yaml").write_text("apiVersion: v1\nkind: Service\nmetadata: {name: registry, namespace: dev}\n")
    assert _flagged(project, "MLF702") == []


# ------------------------------------------------------------- MLF703: a Dockerfile's image
_SERVER_IMAGE = "FROM python:3.12-slim\nCMD mlflow server --host 0.0.0.0 --backend-store-uri postgresql://mlflow@db/mlflow\n"
_BUILT = "services:\n  mlflow:\n    build: {{context: ., dockerfile: {dockerfile}}}\n    {reach}\n"


def _image_project(root: Path) -> Path:
    return write_files(
        root,
        {".git/HEAD": "", "server/Dockerfile": _SERVER_IMAGE, "docker-compose.yml": _BUILT.format(dockerfile="server/Dockerfile", reach="expose: ['5000']")},
    )


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_warm_run_judges_a_dockerfile_again_when_the_compose_file_changes(tmp_path: Path, jobs: int) -> None:
    project = _image_project(tmp_path / "project")
    cache = tmp_path / "cache"
    compose = project / "docker-compose.yml"
    for _ in range(2):  # cold, then warm
        assert _flagged(project, "MLF703", cache=cache, jobs=jobs) == []
    compose.write_text(_BUILT.format(dockerfile="server/Dockerfile", reach="ports: ['5000:5000']"))  # the Dockerfile did not change
    assert _flagged(project, "MLF703", cache=cache, jobs=jobs) == ["server/Dockerfile"]
    compose.write_text(_BUILT.format(dockerfile="server/Dockerfile", reach="expose: ['5000']"))
    assert _flagged(project, "MLF703", cache=cache, jobs=jobs) == []
    compose.write_text(_BUILT.format(dockerfile="other/Dockerfile", reach="expose: ['5000']"))  # builds another one
    assert _flagged(project, "MLF703", cache=cache, jobs=jobs) == ["server/Dockerfile"]
    compose.write_text(_BUILT.format(dockerfile="server/Dockerfile", reach="expose: ['5000']"))
    (project / "docker-compose.override.yml").write_text("services:\n  mlflow:\n    ports: ['5000:5000']\n")
    assert _flagged(project, "MLF703", cache=cache, jobs=jobs) == ["server/Dockerfile"]
    (project / "docker-compose.override.yml").unlink()
    compose.unlink()
    assert _flagged(project, "MLF703", cache=cache, jobs=jobs) == ["server/Dockerfile"]  # nothing builds it: it may run anywhere


def test_the_dockerfile_named_alone_reads_the_compose_file(tmp_path: Path) -> None:
    project = _image_project(tmp_path / "project")
    cache = tmp_path / "cache"
    assert _flagged(project, "MLF703", "server/Dockerfile", cache=cache) == []
    (project / "docker-compose.yml").write_text(_BUILT.format(dockerfile="server/Dockerfile", reach="ports: ['5000:5000']"))
    assert _flagged(project, "MLF703", "server/Dockerfile", cache=cache) == ["server/Dockerfile"]


def test_only_what_a_container_of_the_image_runs_is_judged_by_its_runners(tmp_path: Path) -> None:
    # A RUN line runs while the image is built, wherever that is: not the image's command.
    from mlflow_lint.sources.dockerfile import parse_dockerfile

    text = (
        "FROM python:3.12\n"
        "RUN mlflow server --host 0.0.0.0 & sleep 5\n"
        'CMD ["sh", "-c", "mlflow server --host 0.0.0.0"]\n'
        "CMD mlflow server --host 0.0.0.0\n"
        'ENTRYPOINT ["mlflow"]\n'
        'CMD ["server", "--host", "0.0.0.0"]\n'
    )
    assert [(command.position.line, command.in_image) for command in parse_dockerfile(text, "Dockerfile").commands] == [
        (2, False), (3, True), (4, True), (5, True),  # ENTRYPOINT ["mlflow"] + CMD: where the command starts
    ]  # fmt: skip
    project = _image_project(tmp_path / "project")
    (project / "server" / "Dockerfile").write_text(text.replace("CMD mlflow server", "CMD mlflow server --backend-store-uri postgresql://db/m"))
    result = lint_paths([project], Config(root=project), frozenset({"MLF703"}), cwd=project)
    assert [(finding.path, finding.line) for finding in result.findings] == [("server/Dockerfile", 2)]
