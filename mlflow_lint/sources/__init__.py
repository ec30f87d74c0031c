"""Sources turn a file's bytes into something the checks can analyse.

Python files (and notebooks, as one virtual module) go through the ``ast`` analysis;
the other kinds reduce to settings, command lines and copies (``sources.facts``).
``sources.document`` reads a file of any kind into the one form both the engine and the
project index analyse.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from mlflow_lint.sources.facts import SourceFacts
    from mlflow_lint.sources.helm_values import ValuesFile

TEXT_SOURCES = frozenset({"yaml", "dotenv", "shell", "dockerfile", "makefile", "procfile", "auth_ini", "mise"})
# What a template's name may end with, after the name of what it becomes.
TEMPLATE_SUFFIXES = frozenset({".template", ".tmpl", ".tpl", ".j2", ".jinja", ".jinja2", ".example", ".sample", ".dist"})
# The kinds read through a template: text sources whose placeholders read as unknown values.
# Not Python (an ``.py.example`` is sample code to copy, not code that runs) nor notebooks.
_TEMPLATED_KINDS = frozenset({"yaml", "dotenv", "shell", "auth_ini"})
# Larger files are not analysed (an MLF000 finding says so): 10 MB of dense Python takes
# ~30 s and 2 GB to parse and analyse, and 8 MB of shell commands a minute. No hand-written
# source comes near this; generated files that do belong in ``exclude``.
MAX_ANALYSED_BYTES = 2_000_000


# A notebook's outputs (images, tables) do not count against MAX_ANALYSED_BYTES, its code
# cells do; past this size even reading it to find them is not worth it.
MAX_NOTEBOOK_BYTES = 100_000_000


def read_bounded(path: Path, limit: int) -> tuple[bytes, int]:
    """At most ``limit + 1`` bytes of a file, and its size: a file over the limit is
    reported without being read whole (or, for a device, forever)."""
    with open(path, "rb") as handle:
        data = handle.read(limit + 1)
        size = max(os.fstat(handle.fileno()).st_size, len(data))
    return data, size


def read_limit(path: Path) -> int:
    return MAX_NOTEBOOK_BYTES if path.suffix.lower() == ".ipynb" else MAX_ANALYSED_BYTES


def too_large(size: int, what: str = "file") -> str:
    """The MLF000 reason for a file over :data:`MAX_ANALYSED_BYTES`."""
    return f"{what} too large to analyse ({size / 1e6:.1f} MB; the limit is {MAX_ANALYSED_BYTES / 1e6:g} MB): exclude it or split it"


def source_kind(path: Path | str) -> str | None:
    """What kind of file mlflow-lint reads ``path`` as, from its name; None if it does not.

    A string is a bare file name (the directory walk asks before building a Path)."""
    name = path if isinstance(path, str) else path.name
    lower = name.lower()
    stem, suffix = os.path.splitext(lower)
    if not stem:  # ".env": a dot file has no suffix, as pathlib says
        suffix = ""
    if lower in (".mlflow-lint.yaml", ".mlflow-lint.yml"):
        return None  # our own configuration, not a manifest
    if suffix in TEMPLATE_SUFFIXES:
        # A template of a manifest or a script (``start_server.yml.template``,
        # ``entrypoint.sh.j2``) is what gets deployed once its placeholders are filled in:
        # read as what it becomes. One that does not parse (template syntax) is skipped.
        inner = source_kind(name[: len(stem)])
        if inner in _TEMPLATED_KINDS:
            return inner
        if stem == "env":  # env.example, env.template: a .env template without its dot
            return "dotenv"
    if suffix == ".py":
        return "python"
    if suffix == ".ipynb":
        return "notebook"
    if suffix in (".yml", ".yaml") or name == "MLproject":
        return "yaml"
    if _is_dotenv(lower, suffix):
        return "dotenv"
    if suffix in (".sh", ".bash", ".zsh"):
        return "shell"
    if _is_dockerfile(lower):
        return "dockerfile"
    if lower in ("makefile", "gnumakefile") or suffix == ".mk":
        return "makefile"
    if lower == "procfile" or lower.startswith("procfile."):
        return "procfile"
    if suffix == ".ini" and stem.endswith("auth"):  # basic_auth.ini, mlflow_auth.ini
        return "auth_ini"
    if suffix == ".toml" and (stem in ("mise", ".mise") or stem.startswith(("mise.", ".mise."))):
        return "mise"  # mise.toml, .mise.toml, mise.local.toml, mise.production.toml
    return None


def is_template(path: Path | str) -> bool:
    """Whether a file is a template (``start.yml.template``, a Helm chart's
    ``templates/deployment.yaml``): its placeholders are unknown values."""
    name = path if isinstance(path, str) else path.name
    return os.path.splitext(name.lower())[1] in TEMPLATE_SUFFIXES or (not isinstance(path, str) and in_helm_chart(path))


def in_helm_chart(path: Path) -> bool:
    """A file under a Helm chart's ``templates/`` (a ``Chart.yaml`` beside that directory):
    Go templates that are YAML only once rendered."""
    parents = path.parents
    for depth in range(min(len(parents) - 1, 4)):
        directory = parents[depth]
        if directory.name == "templates":
            return (directory.parent / "Chart.yaml").is_file()
    return False


def _is_dotenv(lower: str, suffix: str) -> bool:
    """``.env``, ``.env.local``, ``.env-prod``, ``prod.env`` and the templates teams commit
    (``.env.example``, ``.env.template``, ``settings.env.sample``): a template's
    placeholders are clean, a literal secret in one is still a committed secret."""
    return lower == ".env" or lower.startswith((".env.", ".env-")) or suffix == ".env"


def _is_dockerfile(lower: str) -> bool:
    """``Dockerfile``, ``Dockerfile.gpu``, ``Dockerfile-debian``, ``api.Dockerfile``,
    ``Containerfile`` (and the same variants of it)."""
    return any(
        lower == base or lower.startswith((base + ".", base + "-")) or lower.endswith("." + base) for base in ("dockerfile", "containerfile")
    )


def is_lintable(path: Path | str) -> bool:
    """Whether a file found while walking a directory is one mlflow-lint reads."""
    return source_kind(path) is not None


def is_project_code(path: Path | str) -> bool:
    """Python modules and .ipynb notebooks: the files whose code the project facts (the
    URIs they set) and the caller searches read. A notebook that sets the tracking URI is
    as much the project's configuration as a script that does."""
    return str(path).lower().endswith((".py", ".ipynb"))


# How much of a file's first line is read for its shebang: enough for any interpreter path.
_SHEBANG_BYTES = 200
# Interpreters whose scripts are shell scripts (``#!/bin/bash``, ``#!/usr/bin/env sh``).
_SHELL_INTERPRETERS = frozenset({"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash"})
# OpenShift source-to-image's scripts (``.s2i/bin/run``): the builder image runs them
# (``run`` is the container's command), commonly with no shebang; shell unless one says otherwise.
_S2I_SCRIPTS = frozenset({"assemble", "run", "save-artifacts", "usage"})


def shebang_kind(data: bytes) -> str | None:
    """The kind of script a file's first line says runs it: ``python`` (an interpreter
    named python: ``#!/usr/bin/env python3``, ``#!/opt/conda/bin/python``) or ``shell``
    (``#!/bin/bash``, ``#!/bin/sh -e``, ``#!/usr/bin/env zsh``, ``#!/usr/bin/env -S bash -e``);
    None without a shebang, or for another interpreter."""
    first = data[:_SHEBANG_BYTES].split(b"\n", 1)[0]
    if not first.startswith(b"#!"):
        return None
    if _interpreter(first[2:].decode("utf-8", "replace").split()) in _SHELL_INTERPRETERS:
        return "shell"
    return "python" if b"python" in first else None


def _interpreter(words: list[str]) -> str | None:
    """The program a shebang's words run: the first, or the one ``env`` runs after its
    options and assignments (``env -S bash -e``, ``env -i PATH=/bin sh``)."""
    name = words[0].rsplit("/", 1)[-1] if words else None
    if name != "env":
        return name
    rest = iter(words[1:])
    for word in rest:
        if word in ("-u", "--unset", "-C", "--chdir", "-P"):  # env's options that take a value
            next(rest, None)
        elif not (word.startswith("-") or "=" in word):
            return word.rsplit("/", 1)[-1]
    return None


def script_kind(path: Path, data: bytes | None = None) -> str | None:
    """The kind of an extension-less script (``bin/train``, ``bin/start``): what its
    shebang says (``shebang_kind``), or shell for an OpenShift S2I script without one
    (``.s2i/bin/run``). None for a file with a suffix, and any other. ``data``: the file's
    bytes, when read already; else only the start of its first line is read."""
    if path.suffix:
        return None
    if data is None:
        try:
            with path.open("rb") as handle:
                data = handle.readline(_SHEBANG_BYTES)
        except OSError:
            return None
    kind = shebang_kind(data)
    if kind is None and path.name in _S2I_SCRIPTS and path.parent.name == "bin" and path.parent.parent.name == ".s2i":
        return "shell"
    return kind


def is_script(path: Path) -> bool:
    """An extension-less file read as a script (``script_kind``): the directory walk asks
    only of a regular file whose name has no suffix, and a file named explicitly."""
    return script_kind(path) is not None


def read_text_source(kind: str, text: str, shown: str, template: bool = False, values: ValuesFile | None = None) -> SourceFacts:
    """Settings and commands of a non-Python file (one that does not parse raises
    UnparsableText); a ``template``'s as it reads filled in (``sources.templates``);
    ``values``: a YAML file is a Helm values file (``sources.helm_values``)."""
    if template:
        from mlflow_lint.sources.templates import filled_in

        text = filled_in(text)
    where = shown.rsplit("/", 1)[-1]
    if kind == "yaml":
        from mlflow_lint.sources.yaml_source import parse_yaml

        return parse_yaml(text, where, values)
    if kind == "dotenv":
        from mlflow_lint.sources.dotenv import parse_dotenv

        return parse_dotenv(text, where)
    if kind == "dockerfile":
        from mlflow_lint.sources.dockerfile import parse_dockerfile

        return parse_dockerfile(text, where)
    if kind == "mise":
        from mlflow_lint.sources.mise import parse_mise

        return parse_mise(text, where)
    if kind == "auth_ini":
        from mlflow_lint.sources.auth_ini import parse_auth_ini

        return parse_auth_ini(text, where)
    from mlflow_lint.sources.shell import parse_shell

    if kind == "makefile":
        return parse_shell(_makefile_as_shell(text), where)
    if kind == "procfile":
        return parse_shell(_procfile_as_shell(text), where)
    return parse_shell(text, where)


def _makefile_as_shell(text: str) -> str:
    """Recipe lines (tab-indented, maybe '@'/'-' prefixed) and assignments, line for line.
    A recipe line ended by a backslash goes on on the next line whatever that line starts
    with (``python -c "\\`` then the code, unindented): make passes both to the shell."""
    out = []
    continued = False  # the line before is a recipe line ended by a backslash
    for line in text.splitlines():
        if line.startswith("\t"):
            body = line[1:]
            stripped = body.lstrip("@-+") if not continued else body
            out.append(" " * (len(body) - len(stripped) + 1) + stripped)
        elif continued:
            out.append(line)
        elif "=" in line and not line.startswith((" ", "#")) and ":" not in line.split("=", 1)[0].rstrip(" :?+!"):
            name, _, value = line.partition("=")
            name = name.rstrip(" :?+!").replace("export ", "").strip()
            out.append(f"{name}={value.strip()}" if name.isidentifier() else "")
        else:
            out.append("")
        continued = (line.startswith("\t") or continued) and (len(line) - len(line.rstrip("\\"))) % 2 == 1
    return "\n".join(out)


def _procfile_as_shell(text: str) -> str:
    """``web: mlflow server ...``: keep the command, at its own column."""
    out = []
    for line in text.splitlines():
        name, colon, command = line.partition(":")
        out.append(" " * (len(name) + 1) + command if colon and name.strip().isidentifier() else "")
    return "\n".join(out)
