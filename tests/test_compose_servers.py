"""MLF102 through the project's Compose files: a service that publishes its port on the
host is one server under two names, ``http://<service>:<container port>`` inside the
Compose network and ``http://localhost:<host port>`` on the host."""

from __future__ import annotations

from pathlib import Path

import pytest

from mlflow_lint.config import Config
from mlflow_lint.engine import lint_paths

from .conftest import TRACKING_URI_MODULE, all_rules, write_files

COMPOSE = """\
services:
  mlflow:
    image: ghcr.io/mlflow/mlflow:v3.1.0
    ports: [{ports}]
    command: mlflow server --host 0.0.0.0 --app-name basic-auth --backend-store-uri postgresql://db/mlflow
"""


def _project(root: Path, compose: str | None, dev_uri: str = "http://127.0.0.1:5000", **more: str) -> Path:
    """The HSE-Courseworks/MLOps_pipeline shape: train.py and serve.py run in the Compose
    network, dev_check.py on the host."""
    (root / ".git").mkdir(parents=True)
    files = {
        "train.py": TRACKING_URI_MODULE.format("http://mlflow:5000"),
        "serve.py": TRACKING_URI_MODULE.format("http://mlflow:5000"),
        "dev_check.py": TRACKING_URI_MODULE.format(dev_uri),
        **more,
    }
    if compose is not None:
        files["docker-compose.yml"] = compose
    return write_files(root, files)


def _mlf102(project: Path, *paths: str, cache: Path | None = None) -> list[tuple[str, int, str]]:
    result = lint_paths([project / p for p in paths] or [project], Config(root=project), frozenset({"MLF102"}), cwd=project, cache_dir=cache)
    return [(f.path, f.line, f.message) for f in result.findings]


def test_a_published_service_and_localhost_are_one_server(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", COMPOSE.format(ports='"5000:5000"'))
    assert _mlf102(project) == []
    assert _mlf102(project, "dev_check.py") == []  # one file named (pre-commit): the facts read the Compose file
    # Every rule: the Compose file and the scripts say nothing else either.
    result = lint_paths([project], Config(root=project), all_rules(), cwd=project)
    assert [(f.path, f.rule) for f in result.findings] == []


def test_without_the_compose_file_the_host_script_differs(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", None)
    [(path, line, message)] = _mlf102(project)
    assert (path, line) == ("dev_check.py", 3)
    assert "'http://127.0.0.1:5000' differs from 'http://mlflow:5000'" in message


@pytest.mark.parametrize(
    "ports",
    [
        '"5001:5000"',
        '"127.0.0.1:5001:5000"',
        '"0.0.0.0:5001:5000/tcp"',
        '"${MLFLOW_PORT:-5001}:5000"',
        "{target: 5000, published: 5001}",
        '{target: 5000, published: "5001", host_ip: 127.0.0.1, protocol: tcp}',
    ],
)
def test_the_host_port_is_the_published_one(tmp_path: Path, ports: str) -> None:
    compose = COMPOSE.format(ports=ports)
    same = _project(tmp_path / "same", compose, "http://localhost:5001")
    assert _mlf102(same) == []
    other = _project(tmp_path / "other", compose, "http://localhost:5000")  # the container port is not the host's
    [(path, _, message)] = _mlf102(other)
    assert path == "dev_check.py"
    assert "'http://localhost:5000' differs from 'http://mlflow:5000'" in message


@pytest.mark.parametrize(
    "ports",
    [
        None,  # no ports: reachable from the Compose network only
        '"5000"',  # a container port alone: a random host port
        '"5000-5001:5000-5001"',  # a range
        '"${MLFLOW_PORT}:5000"',  # no default
        '"5000:5000/udp"',
        '"10.0.0.5:5000:5000"',  # another address of the host
    ],
)
def test_a_port_not_published_on_a_fixed_host_port_names_no_second_server(tmp_path: Path, ports: str | None) -> None:
    compose = COMPOSE.format(ports=ports) if ports is not None else COMPOSE.replace("    ports: [{ports}]\n", "")
    project = _project(tmp_path / "project", compose)
    assert [path for path, _, _ in _mlf102(project)] == ["dev_check.py"]


def test_a_host_port_two_services_publish_names_neither(tmp_path: Path) -> None:
    # Two Compose files (two stacks) publish 5000 for different services: which one
    # localhost:5000 reaches depends on the stack running.
    compose = COMPOSE.format(ports='"5000:5000"')
    other = "services:\n  tracking:\n    image: ghcr.io/mlflow/mlflow\n    ports:\n      - 5000:5000\n"
    project = _project(tmp_path / "project", compose, **{"deploy/docker-compose.yml": other})
    assert [path for path, _, _ in _mlf102(project)] == ["dev_check.py"]


def test_the_same_service_in_two_compose_files_is_one_server(tmp_path: Path) -> None:
    # docker-compose.yml and its override: the same service, one more host port.
    override = "services:\n  mlflow:\n    ports: ['5001:5000']\n"
    project = _project(tmp_path / "project", COMPOSE.format(ports='"5000:5000"'), **{"compose.override.yaml": override})
    assert _mlf102(project) == []
    project = _project(tmp_path / "other", COMPOSE.format(ports='"5000:5000"'), "http://localhost:5001", **{"compose.override.yaml": override})
    assert _mlf102(project) == []


def test_a_service_name_with_a_dot_is_a_dns_name(tmp_path: Path) -> None:
    compose = "services:\n  mlflow.example.com:\n    image: ghcr.io/mlflow/mlflow\n    ports: ['5000:5000']\n"
    project = _project(tmp_path / "project", compose, "http://localhost:5000")
    for name in ("train.py", "serve.py"):
        (project / name).write_text(TRACKING_URI_MODULE.format("http://mlflow.example.com:5000"))
    assert [path for path, _, _ in _mlf102(project)] == ["dev_check.py"]


def test_hostname_container_name_and_network_aliases_name_the_service(tmp_path: Path) -> None:
    compose = (
        "services:\n  server:\n    image: ghcr.io/mlflow/mlflow\n    hostname: tracking\n    container_name: mlflow_server\n"
        "    networks:\n      backend:\n        aliases: [mlflow]\n    ports: ['5000:5000']\n"
    )
    project = _project(tmp_path / "project", compose)
    (project / "api.py").write_text(TRACKING_URI_MODULE.format("http://tracking:5000"))
    (project / "batch.py").write_text(TRACKING_URI_MODULE.format("http://mlflow_server:5000/"))
    assert _mlf102(project) == []


def test_a_test_compose_file_names_no_server_of_the_project(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", None, **{"tests/docker-compose.yml": COMPOSE.format(ports='"5000:5000"')})
    assert [path for path, _, _ in _mlf102(project)] == ["dev_check.py"]


def test_uris_are_tallied_by_server_and_shown_as_written(tmp_path: Path) -> None:
    # Two names of one server outnumber a third URI used twice: the primary is that server,
    # shown as its first use writes it.
    project = _project(
        tmp_path / "project",
        COMPOSE.format(ports='"5001:5000"'),
        "http://127.0.0.1:5001",
        **{"a.py": TRACKING_URI_MODULE.format("https://mlflow.example.com"), "b.py": TRACKING_URI_MODULE.format("https://mlflow.example.com")},
    )
    found = _mlf102(project)
    assert [(path, line) for path, line, _ in found] == [("a.py", 3), ("b.py", 3)]
    assert "'https://mlflow.example.com' differs from 'http://127.0.0.1:5001' used elsewhere in the project (dev_check.py:3 and 2 more)" in found[0][2]


def test_a_warm_run_judges_again_when_the_compose_file_changes(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", COMPOSE.format(ports='"5000:5000"'))
    cache = tmp_path / "cache"
    for _ in range(2):  # cold, then warm
        assert _mlf102(project, cache=cache) == []
    (project / "docker-compose.yml").write_text(COMPOSE.format(ports='"5001:5000"'))  # no Python file changed
    assert [path for path, _, _ in _mlf102(project, cache=cache)] == ["dev_check.py"]
    assert [path for path, _, _ in _mlf102(project, "dev_check.py", cache=tmp_path / "cache-one")] == ["dev_check.py"]
    (project / "docker-compose.yml").write_text(COMPOSE.format(ports='"5000:5000"'))
    assert _mlf102(project, cache=cache) == []
    assert _mlf102(project, "dev_check.py", cache=tmp_path / "cache-one") == []
    (project / "docker-compose.yml").unlink()
    assert [path for path, _, _ in _mlf102(project, cache=cache)] == ["dev_check.py"]



def test_only_a_yaml_file_with_the_keys_of_a_deployment_is_read_for_it() -> None:
    from mlflow_lint.project_facts import may_describe_deployment

    assert may_describe_deployment("compose.yml", b"services:\n  mlflow:\n    ports: ['5000:5000']\n")
    assert may_describe_deployment("compose.yml", b'{"services": {"mlflow": {"ports" : ["5000:5000"]}}}')
    assert may_describe_deployment("compose.yml", b"services:\n  mlflow:\n    build: ./mlflow\n")
    assert not may_describe_deployment("compose.yml", b"services:\n  mlflow:\n    image: x\n")
    assert not may_describe_deployment("ci.yml", b"reports:\n  services: []\n  imports: {}\n")  # a word that ends in ports is no key
    assert may_describe_deployment("svc.yaml", b"apiVersion: v1\nkind: Service\nmetadata: {name: mlflow}\n")
    assert may_describe_deployment("ns.yaml", b'{"kind": "Namespace", "metadata": {"name": "ml"}}')
    assert not may_describe_deployment("sa.yaml", b"apiVersion: v1\nkind: ServiceAccount\nmetadata: {name: mlflow}\n")
    assert may_describe_deployment("kustomization.yaml", b"resources: [service.yaml]\n")  # kustomize's own file: no kind needed


@pytest.mark.parametrize(
    ("target", "entrypoint"),
    [(None, ["mlflow"]), ("base", ["uv", "run", "mlflow"]), ("debug", None), ("shell", None), ("reset", []), ("missing", None)],
)
def test_an_images_entrypoint_is_its_stages_exec_form(target: str | None, entrypoint: list[str] | None) -> None:
    """A stage built FROM an earlier one inherits its ENTRYPOINT; one on a registry's image
    has none known; a shell form ignores the command's arguments (none either)."""
    from mlflow_lint.sources.dockerfile import image_entrypoint

    dockerfile = (
        "FROM python:3.12 AS base\nENTRYPOINT [\"uv\", \"run\", \"mlflow\"]\n"
        "FROM python:3.12 AS debug\nRUN pip install mlflow\n"
        "FROM base AS shell\nENTRYPOINT mlflow\n"
        "FROM base AS reset\nENTRYPOINT []\n"
        "FROM base\n# the last stage\nENTRYPOINT [\"mlflow\"]\n"
    )
    assert image_entrypoint(dockerfile, target) == entrypoint


def test_a_compose_services_arguments_follow_the_dockerfile_it_builds(tmp_path: Path) -> None:
    """``command: ["server", ...]`` runs through the built image's ENTRYPOINT: the Compose
    file's findings follow the Dockerfile, and the result cache re-checks it."""
    project = write_files(
        tmp_path / "project",
        {
            ".git/HEAD": "",
            "docker/Dockerfile": 'FROM python:3.12\nENTRYPOINT ["mlflow"]\n',
            "compose/docker-compose.yml": (
                "services:\n  mlflow:\n    build: ../docker\n    ports: ['5000:5000']\n"
                "    command: ['server', '--host', '0.0.0.0', '--backend-store-uri', 'postgresql://db/mlflow']\n"
            ),
        },
    )
    cache = tmp_path / "cache"
    served: list[int] = []

    def lint(*paths: str) -> list[tuple[str, int, str]]:
        named = [project / path for path in paths] or [project]
        result = lint_paths(named, Config(root=project), all_rules(), cwd=project, cache_dir=cache, jobs=1)
        served.append(result.cached)
        return [(f.path, f.line, f.rule) for f in result.findings]

    flagged = [("compose/docker-compose.yml", 5, "MLF703")]
    assert lint() == flagged
    assert lint("compose/docker-compose.yml") == flagged and served[-1] == 1  # named alone, from the cache
    (project / "docker" / "Dockerfile").write_text('FROM python:3.12\nENTRYPOINT ["/docker-entrypoint.sh"]\n')
    assert lint("compose/docker-compose.yml") == []
