"""The MLflow releases a project declares it runs on (MLF901/MLF902's default target).

A project pinned to ``mlflow==2.16.2`` must not be told to write MLflow 3's ``name=``: the
keyword does not exist on the release it installs, and the "safe" fix would break it. The
declared range is read from the first of these files that names ``mlflow`` or
``mlflow-skinny``, in the nearest directory that has one, from the file's own up to the
project root (a subproject of a monorepo declares its own): pyproject.toml (PEP 621
``dependencies``, Poetry's dependencies), requirements.txt, setup.cfg
(``install_requires``), setup.py (an ``install_requires=[...]`` list of strings, read from
its syntax tree), environment.yml / conda.yaml / anaconda-project.yml (conda and pip
entries), Pipfile then Pipfile.lock (Pipenv); when none of a directory's files requires MLflow outright, their optional
requirements (PEP 621 extras, PEP 735 dependency groups, Poetry groups, ``extras_require``).
Nothing is executed.
"""

from __future__ import annotations

import ast
import json
import os
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mlflow_lint.sources.encoding import decode_text

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

Version = tuple[int, int, int]
DECLARING_FILES = (
    "pyproject.toml", "requirements.txt", "setup.cfg", "setup.py", "environment.yml", "conda.yaml", "anaconda-project.yml",
    "Pipfile", "Pipfile.lock",
)  # fmt: skip
_MAX_BYTES = 1_000_000
# ``mlflow``, ``mlflow-skinny`` and ``mlflow[extras]``, then the specifiers up to a marker,
# comment or the end: ``mlflow[databricks]>=2.9,<3; python_version >= "3.9"``.
_REQUIREMENT = re.compile(r"^\s*(mlflow(?:[-_]skinny)?)\s*(?:\[[^\]]*\])?\s*([^;#]*)", re.IGNORECASE)
# A pre-release, post-release or local label (3.0.0rc1, 2.9.0.post1) is read as its release.
_CLAUSE = re.compile(
    r"^(===|==|~=|!=|<=|>=|<|>|=|\^|~)?\s*v?(\d+(?:\.(?:\d+|\*))*)(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview|dev|post)\d*)*(?:\+[\w.]+)?\s*$",
    re.IGNORECASE,
)


def release(text: str) -> Version:
    """``"3.1"`` -> ``(3, 1, 0)``: "3.0" is the 3.0.0 release, not something before it."""
    parts = [int(p) for p in text.split(".") if p.isdigit()][:3]
    return (*parts, *(0,) * (3 - len(parts)))  # type: ignore[return-value]


def _next_release(text: str, keep: int) -> Version:
    """The first release past ``text`` that changes its first ``keep`` parts (``~=2.9`` ->
    ``3.0.0``; ``~=2.9.1`` -> ``2.10.0``)."""
    parts = list(release(text))
    keep = max(1, min(keep, 3))
    parts[keep - 1] += 1
    return tuple(parts[:keep] + [0] * (3 - keep))  # type: ignore[return-value]


@dataclass(frozen=True)
class DeclaredMlflow:
    """The range of MLflow releases a project allows, and where it says so."""

    lowest: Version | None  # inclusive; None: no lower bound
    highest: Version | None  # None: no upper bound
    highest_inclusive: bool
    text: str  # the requirement as written, e.g. "mlflow>=2.9,<3"
    source: str  # the file's name, e.g. "requirements.txt"

    def describe(self) -> str:
        return f"{self.text} in {self.source}" if self.source else self.text

    def may_run_on(self, release: Version) -> bool:
        """Some release the project allows is ``release`` or later (a removal bites)."""
        if self.highest is None:
            return True
        return release <= self.highest if self.highest_inclusive else release < self.highest

    def always_runs_on(self, release: Version) -> bool:
        """Every release the project allows is ``release`` or later (a deprecation and its
        fix apply everywhere the code runs)."""
        return self.lowest is not None and self.lowest >= release


def parse_specifiers(name: str, specifiers: str, source: str, *, poetry: bool = False) -> DeclaredMlflow | None:
    """The range ``specifiers`` (``>=2.9,<3``, ``==2.16.*``, Poetry's ``^2.9``) allow;
    None for one this reader does not understand (then the declaration is ignored)."""
    lowest: Version | None = None
    highest: Version | None = None
    inclusive = False
    clauses = [c.strip() for c in specifiers.split(",") if c.strip()]
    for clause in clauses:
        match = _CLAUSE.match(clause)
        if match is None:
            return None
        operator, text = match.group(1) or ("^" if poetry else "=="), match.group(2)
        wildcard = text.endswith(".*")
        numbers = text.rstrip(".*") if wildcard else text
        given = len(numbers.split("."))
        if operator in ("==", "===", "=") and not wildcard:
            lowest = highest = release(numbers)
            inclusive = True
        elif operator in ("==", "=") and wildcard:
            lowest, highest, inclusive = release(numbers), _next_release(numbers, given), False
        elif operator == ">=":
            lowest = release(numbers)
        elif operator == ">":
            lowest = _next_release(numbers, given)
        elif operator == "<":
            highest, inclusive = release(numbers), False
        elif operator == "<=":
            highest, inclusive = release(numbers), True
        elif operator == "~=":
            lowest, highest, inclusive = release(numbers), _next_release(numbers, max(1, given - 1)), False
        elif operator == "^":  # Poetry: up to the next release of the first non-zero part
            first = next((i for i, p in enumerate(release(numbers)) if p), 0)
            lowest, highest, inclusive = release(numbers), _next_release(numbers, first + 1), False
        elif operator == "~":  # Poetry: the next minor (or major when only a major is given)
            lowest, highest, inclusive = release(numbers), _next_release(numbers, min(2, given)), False
        # "!=" excludes one release: the range is unchanged.
    if lowest is None and highest is None:
        return None  # a bare ``mlflow``: whatever is newest, as if nothing were declared
    return DeclaredMlflow(lowest, highest, inclusive, f"{name}{specifiers.strip()}", source)


def _from_lines(lines: list[str], source: str) -> DeclaredMlflow | None:
    for line in lines:
        match = _REQUIREMENT.match(line)
        if match is not None and not line.strip().startswith(("-", "#")):
            # pip-compile's ``mlflow==3.6.0 \`` continues with ``--hash=...`` options.
            rest = match.group(2).strip().removesuffix("\\").strip()
            if rest and not re.match(r"^[<>=!~^(\d]", rest):
                continue  # "mlflow-export-import", "mlflow_utils": another package
            return parse_specifiers(match.group(1).lower(), rest.strip("()"), source)
    return None


def _from_pyproject(text: str, optional: bool = False) -> DeclaredMlflow | None:
    """PEP 621 ``dependencies`` and Poetry's; ``optional``: PEP 621's
    ``optional-dependencies``, PEP 735 ``dependency-groups`` and Poetry's groups instead."""
    data = tomllib.loads(text)
    project = _table(data.get("project"))
    groups = (
        [*_table(project.get("optional-dependencies")).values(), *_table(data.get("dependency-groups")).values()]
        if optional
        else [project.get("dependencies")]
    )
    for group in groups:
        if isinstance(group, list):
            found = _from_lines([d for d in group if isinstance(d, str)], "pyproject.toml")
            if found is not None:
                return found
    poetry = _table(_table(data.get("tool")).get("poetry"))
    groups_of_poetry = [_table(group).get("dependencies") for group in _table(poetry.get("group")).values()]
    tables = groups_of_poetry if optional else [poetry.get("dependencies")]
    for table in tables:
        for name in ("mlflow", "mlflow-skinny"):
            spec = _table(table).get(name)
            if isinstance(spec, dict):
                spec = spec.get("version")
            if isinstance(spec, str):
                return parse_specifiers(name, "" if spec.strip() == "*" else spec, "pyproject.toml", poetry=True)
    return None


def _from_pipfile(text: str, optional: bool = False) -> DeclaredMlflow | None:
    """Pipenv's ``[packages]`` (``optional``: ``[dev-packages]``): ``mlflow = "==2.21.2"``,
    ``mlflow = {version = ">=2.9"}``; ``"*"`` declares nothing."""
    packages = _table(tomllib.loads(text).get("dev-packages" if optional else "packages"))
    for name in ("mlflow", "mlflow-skinny"):
        spec = packages.get(name)
        if isinstance(spec, dict):
            spec = spec.get("version")
        if isinstance(spec, str):
            return parse_specifiers(name, "" if spec.strip() == "*" else spec, "Pipfile")
    return None


def _from_pipfile_lock(text: str, optional: bool = False) -> DeclaredMlflow | None:
    """The release ``Pipfile.lock`` pins (``"default"``; ``optional``: ``"develop"``)."""
    locked = _table(_table(json.loads(text)).get("develop" if optional else "default"))
    for name in ("mlflow", "mlflow-skinny"):
        version = _table(locked.get(name)).get("version")
        if isinstance(version, str):
            return parse_specifiers(name, version, "Pipfile.lock")
    return None


def _table(value: object) -> dict[str, object]:
    """A TOML table, or an empty one when the key is missing or has another type."""
    return value if isinstance(value, dict) else {}


def _from_setup_cfg(text: str, optional: bool = False) -> DeclaredMlflow | None:
    """``install_requires``; ``optional``: the lists of ``[options.extras_require]``."""
    if not optional:
        block = re.search(r"^install_requires\s*=\s*\n((?:[ \t]+.*\n?)*)", text, re.MULTILINE)
        return _from_lines(block.group(1).splitlines(), "setup.cfg") if block else None
    extras = re.search(r"^\[options\.extras_require\][ \t]*\n((?:(?!\[).*\n?)*)", text, re.MULTILINE)
    if extras is None:
        return None
    # ``ml = mlflow<3`` (a key and its first requirement) or an indented continuation.
    lines = [line if line[:1].isspace() else line.partition("=")[2] for line in extras.group(1).splitlines()]
    return _from_lines(lines, "setup.cfg")


def _from_setup_py(text: str, optional: bool = False) -> DeclaredMlflow | None:
    """``setup(install_requires=[...])``: the string items of the list written there, or of
    a module-level list it names (``install_requires=REQUIREMENTS``); ``optional``: the
    lists of ``extras_require={...}``. Parsed, never run."""
    tree = ast.parse(text)
    lists = {
        target.id: node.value
        for node in tree.body
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.List, ast.Tuple))
        for target in node.targets
        if isinstance(target, ast.Name)
    }
    argument = "extras_require" if optional else "install_requires"
    for call in (node for node in ast.walk(tree) if isinstance(node, ast.Call)):
        for keyword in call.keywords:
            if keyword.arg != argument:
                continue
            value = lists.get(keyword.value.id) if isinstance(keyword.value, ast.Name) else keyword.value
            # extras_require={"ml": [...]}: each extra's list.
            candidates = (value.values if isinstance(value, ast.Dict) else []) if optional else [value]
            for candidate in candidates:
                if isinstance(candidate, ast.Name):
                    candidate = lists.get(candidate.id)
                if isinstance(candidate, (ast.List, ast.Tuple)):
                    items = [e.value for e in candidate.elts if isinstance(e, ast.Constant) and isinstance(e.value, str)]
                    found = _from_lines(items, "setup.py")
                    if found is not None:
                        return found
    return None


def _from_conda(text: str, source: str) -> DeclaredMlflow | None:
    entries = [line.strip().lstrip("-").strip().strip("'\"") for line in text.splitlines() if line.strip().startswith("-")]
    # A channel before the package: conda's ``conda-forge::mlflow``, anaconda-project's ``defaults:mlflow``.
    entries = [re.sub(r"^[\w.-]+::?(?=mlflow)", "", entry, flags=re.IGNORECASE) for entry in entries]
    # conda's ``mlflow=2.9`` means 2.9.*; ``mlflow==2.9.1`` is exact.
    conda_style = [re.sub(r"^(mlflow(?:-skinny)?)=(\d[\d.]*)$", r"\1==\2.*", e, flags=re.IGNORECASE) for e in entries]
    return _from_lines(conda_style, source)


# A notebook's own install line: ``%pip install "mlflow-skinny[databricks]==2.16.2"``,
# ``!pip install -q mlflow==2.9``, ``# MAGIC %pip ...`` (Databricks source), also inside an
# .ipynb's JSON strings.
_PIP_INSTALL = re.compile(r"""(?:^|["'\s])(?:#\s*MAGIC\s+)?[%!]pip3?\s+install\s+([^\n]+)""", re.MULTILINE)
# One requirement among the install arguments, whatever quotes or JSON escapes surround it.
_MLFLOW_ARGUMENT = re.compile(r"""(?<![\w-])mlflow(?:[-_]skinny)?(?:\[[^\]]*\])?[^\s"'\\]*""", re.IGNORECASE)


def pinned_in_notebook(text: str) -> DeclaredMlflow | None:
    """The MLflow release a notebook installs for itself, which wins over the project's."""
    for line in _PIP_INSTALL.finditer(text):
        for requirement in _MLFLOW_ARGUMENT.findall(line.group(1)):
            found = _from_lines([requirement.rstrip(",")], "this notebook's %pip install")
            if found is not None:
                return found
    return None


def from_requirement_lines(lines: list[str], source: str) -> DeclaredMlflow | None:
    """The MLflow requirement among requirement strings (``["pandas", "mlflow~=2.4.1"]``)."""
    return _from_lines(lines, source)


def _requirement_files(directory: Path) -> list[str]:
    """``requirements-tests.txt``, ``requirements_dev.txt``: read after the files named in
    :data:`DECLARING_FILES`, in the order of their names."""
    try:
        names = os.listdir(directory)
    except OSError:
        return []
    return sorted(n for n in names if _EXTRA_REQUIREMENTS.match(n))


_EXTRA_REQUIREMENTS = re.compile(r"^requirements[-_.][\w.-]*\.txt$", re.IGNORECASE)


# The files whose optional requirements (extras, dependency groups) are read when no file
# of the directory requires MLflow outright: a pinned requirements.txt (often a lock file)
# says more of what runs than an extra's loose ``mlflow>=2.0``.
_OPTIONAL_READERS: dict[str, Callable[[str, bool], DeclaredMlflow | None]] = {
    "pyproject.toml": _from_pyproject,
    "setup.cfg": _from_setup_cfg,
    "setup.py": _from_setup_py,
    "Pipfile": _from_pipfile,
    "Pipfile.lock": _from_pipfile_lock,
}


def declared_mlflow(directory: Path) -> DeclaredMlflow | None:
    """The first MLflow requirement among the declaring files of one directory (module
    docstring), then the first among their optional requirements."""
    texts: dict[str, str] = {}
    for name in (*DECLARING_FILES, *_requirement_files(directory)):
        try:
            with open(directory / name, "rb") as handle:
                text = texts[name] = decode_text(handle.read(_MAX_BYTES), "replace")
        except OSError:
            continue
        found = _read(name, text, optional=False)
        if found is not None:
            return found
    for name, text in texts.items():
        found = _read(name, text, optional=True) if name in _OPTIONAL_READERS else None
        if found is not None:
            return found
    return None


def _read(name: str, text: str, optional: bool) -> DeclaredMlflow | None:
    """One declaring file's MLflow requirement (None also when the file does not parse)."""
    try:
        if name in _OPTIONAL_READERS:
            return _OPTIONAL_READERS[name](text, optional)
        if name.endswith((".yml", ".yaml")):
            return _from_conda(text, name)
        return _from_lines(text.splitlines(), name)
    except (tomllib.TOMLDecodeError, SyntaxError, RecursionError, MemoryError, AttributeError, ValueError):  # JSONDecodeError too
        return None
