"""The command a container engine's command line runs in a container.

``docker run [OPTIONS] IMAGE [COMMAND] [ARG...]`` (also ``docker container run``,
``podman run``, ``nerdctl run``), ``docker exec [OPTIONS] CONTAINER COMMAND``, and
``docker compose run|exec [OPTIONS] SERVICE [COMMAND]`` (``docker-compose``,
``podman-compose``): the words after the image, container or service are the command
line that runs in the container (after ``--entrypoint``'s program), its environment the
``-e``/``--env`` options. Options are read as the Docker CLI (pflag) reads them: a known
option that takes a value takes the next word unless glued to it (``-p5000:5000``,
``--publish=5000:5000``, the last of a group ``-dp 5000:5000``); any other is a flag, so
an option this table lacks makes the image a word later, never an mlflow command line
that is not there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from mlflow_lint.sources.exposure import port_beyond_loopback
from mlflow_lint.sources.facts import Word, word_after

_ENGINES = frozenset({"docker", "podman", "nerdctl"})
_COMPOSE_PROGRAMS = frozenset({"docker-compose", "podman-compose"})

# The engine's own options before its subcommand (``docker -H tcp://host run``,
# ``podman --remote run``) that take a value.
_GLOBAL_VALUES = frozenset(
    {"--config", "-c", "--context", "-H", "--host", "-l", "--log-level", "--tlscacert", "--tlscert", "--tlskey",
     "--url", "--connection", "--identity", "--root", "--runroot", "--storage-driver", "--storage-opt",
     "--cgroup-manager", "--events-backend", "--network-cmd-path", "--runtime", "--tmpdir", "--namespace",
     "--address", "--snapshotter", "--data-root"}
)  # fmt: skip
# ``docker compose``'s options before its subcommand that take a value.
_COMPOSE_GLOBAL_VALUES = frozenset(
    {"-f", "--file", "-p", "--project-name", "--profile", "--env-file", "--project-directory", "--ansi",
     "--progress", "--parallel"}
)  # fmt: skip
# ``run``'s options that take a value (Docker 27's ``docker run --help``, and podman's own).
_RUN_VALUES = frozenset(
    {"--add-host", "--annotation", "-a", "--attach", "--blkio-weight", "--blkio-weight-device", "--cap-add",
     "--cap-drop", "--cgroup-parent", "--cgroupns", "--cidfile", "--cpu-count", "--cpu-percent", "--cpu-period",
     "--cpu-quota", "--cpu-rt-period", "--cpu-rt-runtime", "-c", "--cpu-shares", "--cpus", "--cpuset-cpus",
     "--cpuset-mems", "--detach-keys", "--device", "--device-cgroup-rule", "--device-read-bps",
     "--device-read-iops", "--device-write-bps", "--device-write-iops", "--dns", "--dns-option", "--dns-opt",
     "--dns-search", "--domainname", "--entrypoint", "-e", "--env", "--env-file", "--expose", "--gpus",
     "--group-add", "--health-cmd", "--health-interval", "--health-retries", "--health-start-interval",
     "--health-start-period", "--health-timeout", "-h", "--hostname", "--io-maxbandwidth", "--io-maxiops",
     "--ip", "--ip6", "--ipc", "--isolation", "--kernel-memory", "-l", "--label", "--label-file", "--link",
     "--link-local-ip", "--log-driver", "--log-opt", "--mac-address", "-m", "--memory", "--memory-reservation",
     "--memory-swap", "--memory-swappiness", "--mount", "--name", "--network", "--net", "--network-alias",
     "--net-alias", "--oom-score-adj", "--pid", "--pids-limit", "--platform", "-p", "--publish", "--pull",
     "--restart", "--runtime", "--security-opt", "--shm-size", "--stop-signal", "--stop-timeout",
     "--storage-opt", "--sysctl", "--tmpfs", "--ulimit", "-u", "--user", "--userns", "--uts", "-v", "--volume",
     "--volume-driver", "--volumes-from", "-w", "--workdir",
     # podman's
     "--arch", "--os", "--variant", "--pod", "--pod-id-file", "--secret", "--uidmap", "--gidmap",
     "--subuidname", "--subgidname", "--umask", "--timezone", "--tz", "--systemd", "--sdnotify",
     "--seccomp-policy", "--requires", "--preserve-fds", "--personality", "--pidfile", "--conmon-pidfile",
     "--cgroups", "--cgroup-conf", "--chrootdirs", "--decryption-key", "--image-volume", "--init-path",
     "--log-level", "--passwd-entry", "--group-entry", "--retry", "--retry-delay", "--health-on-failure",
     "--health-log-destination", "--health-max-log-count", "--health-max-log-size", "--hostuser",
     "--env-merge", "--unsetenv", "--shm-size-systemd"}
)  # fmt: skip
_EXEC_VALUES = frozenset({"-e", "--env", "--env-file", "-u", "--user", "-w", "--workdir", "--detach-keys", "--index", "--preserve-fds"})
_COMPOSE_RUN_VALUES = frozenset(
    {"--cap-add", "--cap-drop", "--entrypoint", "-e", "--env", "--env-from-file", "-l", "--label", "--name", "-p",
     "--publish", "--pull", "-u", "--user", "-v", "--volume", "-w", "--workdir"}
)  # fmt: skip
_ENV = frozenset({"-e", "--env"})
# What a subcommand's options say of the ports it publishes.
_Publishing = Callable[[list[tuple[str, "Word | None"]]], "bool | None"]
_ENV_FILES = frozenset({"--env-file", "--env-from-file"})
_PUBLISH = frozenset({"-p", "--publish"})
_NETWORK = frozenset({"--network", "--net"})


@dataclass
class ContainerCommand:
    """What a container engine's command line starts in a container."""

    # The container's command line: ``--entrypoint``'s program, then the words after the
    # image (container, service). Empty: the image's own command.
    words: list[Word] = field(default_factory=list)
    environment: list[Word] = field(default_factory=list)  # each ``-e`` value: ``NAME=value`` or ``NAME``
    # More variables arrive from elsewhere: an ``--env-file``, a Compose service's
    # ``environment:``, a running container's (``exec``).
    open_environment: bool = False
    # Whether the container's ports are published on the host beyond its loopback (MLF703's
    # policy); None when another command decided it (``exec``, ``compose run --service-ports``).
    published: bool | None = None


def container_command(words: list[Word], launched: bool) -> ContainerCommand | None:
    """The command ``words`` start in a container, when they are a container engine's
    ``run``/``exec`` (``launched``: the words before the engine's name may run it, ``sudo``);
    None for any other command line (``docker build``, ``docker run --help``)."""
    names = [word.text.rsplit("/", 1)[-1] for word in words]
    at = next((index for index, name in enumerate(names) if name in _ENGINES or name in _COMPOSE_PROGRAMS), None)
    if at is None or (at and not launched):
        return None
    rest = words[at + 1 :]
    if names[at] in _COMPOSE_PROGRAMS:
        return _compose(rest)
    _, rest = _options(rest, _GLOBAL_VALUES)
    if rest and rest[0].text == "container":
        rest = rest[1:]
    if not rest:
        return None
    subcommand, rest = rest[0].text, rest[1:]
    if subcommand == "compose":
        return _compose(rest)
    if subcommand == "run":
        return _started(rest, _RUN_VALUES, _run_published)
    if subcommand == "exec":
        return _started(rest, _EXEC_VALUES, lambda _: None, inherited=True)
    return None


def _compose(words: list[Word]) -> ContainerCommand | None:
    """``docker compose [OPTIONS] run|exec [OPTIONS] SERVICE [COMMAND]``: the service's
    environment comes with it (open); ``run`` publishes the service's ports only with
    ``--service-ports`` (unknown here), or those its ``-p`` names."""
    _, rest = _options(words, _COMPOSE_GLOBAL_VALUES)
    if not rest or rest[0].text not in ("run", "exec"):
        return None
    if rest[0].text == "exec":
        return _started(rest[1:], _EXEC_VALUES, lambda _: None, inherited=True)
    return _started(rest[1:], _COMPOSE_RUN_VALUES, _compose_run_published, inherited=True)


def _started(
    words: list[Word], values: frozenset[str], published: _Publishing, inherited: bool = False
) -> ContainerCommand | None:
    """The options, then the image (container, service), then its command line."""
    options, rest = _options(words, values)
    if not rest or any(name == "--help" for name, _ in options):
        return None
    found = ContainerCommand(list(rest[1:]), published=published(options), open_environment=inherited)
    for name, value in options:
        if name in _ENV and value is not None:
            found.environment.append(value)
        elif name in _ENV_FILES:
            found.open_environment = True
        elif name == "--entrypoint" and value is not None:
            # ``--entrypoint ""`` resets the image's entrypoint: the command alone runs.
            found.words = ([value] if value.text else []) + found.words
    return found


def _run_published(options: list[tuple[str, Word | None]]) -> bool:
    """``docker run`` publishes beyond the host's loopback with a ``-p`` that is not bound
    to it (``-p 5000:5000``, ``-p 5000``: a random host port on every interface), ``-P``
    (every exposed port), or ``--network host`` (the host's own interfaces). Not with
    ``-p 127.0.0.1:5000:5000``, nor with no ``-p`` at all (reached from its networks'
    containers only, as an ``expose:``-only Compose service is)."""
    for name, value in options:
        if name in ("-P", "--publish-all"):
            return True
        if name in _PUBLISH and value is not None and port_beyond_loopback(value.text):
            return True
        if name in _NETWORK and value is not None and value.text.strip() == "host":
            return True
    return False


def _compose_run_published(options: list[tuple[str, Word | None]]) -> bool | None:
    """``docker compose run`` publishes a ``-p`` it is given, and the service's own ports
    with ``--service-ports`` (``-P``; the Compose file says which: unknown here); else none."""
    if any(name in ("-P", "--service-ports") for name, _ in options):
        return None
    return any(name in _PUBLISH and value is not None and port_beyond_loopback(value.text) for name, value in options)


def _options(words: list[Word], values: frozenset[str]) -> tuple[list[tuple[str, Word | None]], list[Word]]:
    """The leading options of ``words`` (name, value) and the words after them."""
    found: list[tuple[str, Word | None]] = []
    index = 0
    while index < len(words):
        text = words[index].text
        if text == "--":
            return found, words[index + 1 :]
        if not text.startswith("-") or text == "-":
            break
        index += 1
        if text.startswith("--"):
            name, equals, _ = text.partition("=")
            if equals:
                found.append((name, word_after(words[index - 1], len(name) + 1)))
            elif name in values and index < len(words):
                found.append((name, words[index]))
                index += 1
            else:
                found.append((name, None))
            continue
        for offset in range(1, len(text)):  # -it, -dp 5000:5000, -p5000:5000
            name = "-" + text[offset]
            if name not in values:
                found.append((name, None))
                continue
            if offset + 1 < len(text):
                found.append((name, word_after(words[index - 1], offset + 1)))
            elif index < len(words):
                found.append((name, words[index]))
                index += 1
            else:
                found.append((name, None))
            break
    return found, words[index:]
