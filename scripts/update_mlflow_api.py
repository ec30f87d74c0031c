"""Regenerate mlflow_lint/analysis/mlflow_api.json from MLflow's own source.

    python scripts/update_mlflow_api.py                      # the installed mlflow(-skinny)
    python scripts/update_mlflow_api.py --source DIR         # DIR holds the mlflow/ package
    python scripts/update_mlflow_api.py --check              # exit 1 if the table is stale
    python scripts/update_mlflow_api.py --compare OLD_DIR    # print what OLD_DIR had that is gone

MLflow is read, never imported: every public module's file is parsed with ``ast`` and its
re-exports are followed statically, so the table is the same on any machine for the same
MLflow source. The test extra pins the MLflow release (pyproject.toml) and
tests/test_mlflow_api.py proves the committed table is what this script produces from it.

What the table holds, per public callable (``mlflow.start_run``,
``mlflow.MlflowClient.set_registered_model_alias``, ``mlflow.sklearn.log_model``):
its signature (parameter names, kinds and whether they have defaults) and, where MLflow's
source says so, that it is deprecated (``@deprecated(since=..., alternative=...)`` or an
unconditional ``warnings.warn(..., FutureWarning|DeprecationWarning)`` in its body), and
which keywords it still accepts under an old name (``@deprecated_parameter(old, new)``).
Flavors are the public modules that define ``log_model``/``load_model``/``save_model``.
"""

from __future__ import annotations

import argparse
import ast
import fnmatch
import importlib.metadata
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypedDict

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from a checkout
from mlflow_lint.sources.requirements import release

TABLE = Path(__file__).resolve().parent.parent / "mlflow_lint" / "analysis" / "mlflow_api.json"
CURATED = Path(__file__).resolve().with_name("mlflow_deprecations.yaml")
ROLES = Path(__file__).resolve().with_name("mlflow_roles.yaml")
# Deprecations older than this have rules of their own (MLF401 for the stage APIs) or are
# long settled; MLF902 is about what MLflow 3 deprecated.
FIRST_VERSION_OF_INTEREST = (3, 0, 0)

# Modules whose public names the rules ask about, besides every flavor module.
PUBLIC_MODULES = (
    "mlflow",
    "mlflow.artifacts",
    "mlflow.client",
    "mlflow.config",
    "mlflow.data",
    "mlflow.deployments",
    "mlflow.genai",
    "mlflow.models",
    "mlflow.pyfunc",
    "mlflow.sagemaker",
    "mlflow.shap",
    "mlflow.tracing",
)
# Classes whose methods the rules ask about, under their public spelling.
PUBLIC_CLASSES = {
    "mlflow.MlflowClient": "mlflow.tracking.client.MlflowClient",
    "mlflow.deployments.BaseDeploymentClient": "mlflow.deployments.base.BaseDeploymentClient",
    "mlflow.models.Model": "mlflow.models.model.Model",
}
FLAVOR_FUNCTIONS = ("load_model", "log_model", "save_model")
_WARNING_CATEGORIES = {"FutureWarning", "DeprecationWarning"}
_MAX_HOPS = 12


class Entry(TypedDict, total=False):
    """A callable's row of the table."""

    signature: str  # "a, b=, *, c=, **kwargs"; absent when the source has no def to read
    deprecated: dict[str, str]  # what @deprecated says: since, alternative
    deprecated_parameters: dict[str, str]  # what @deprecated_parameter says: old keyword -> new
    kind: str  # "class" for a class (its signature is __init__'s)


class _Table(TypedDict):
    mlflow_version: str
    generated_by: str
    flavors: dict[str, list[str]]
    functions: dict[str, Entry]


class ApiTable(_Table, total=False):
    """mlflow_api.json: what build_table reads from the source, then the curated parts."""

    deprecations: list[dict[str, str | None]]
    roles: dict[str, Any]


# mlflow_roles.yaml as parsed: checked key by key against the source by roles().
Roles = dict[str, Any]


@dataclass
class Source:
    """The mlflow package's files under ``root`` (the directory holding ``mlflow/``)."""

    root: Path
    _trees: dict[str, ast.Module | None] = field(default_factory=dict)

    def path_of(self, module: str) -> Path | None:
        base = self.root.joinpath(*module.split("."))
        for candidate in (base / "__init__.py", base.with_suffix(".py")):
            if candidate.is_file():
                return candidate
        return None

    def tree(self, module: str) -> ast.Module | None:
        if module not in self._trees:
            path = self.path_of(module)
            self._trees[module] = ast.parse(path.read_text(encoding="utf-8")) if path else None
        return self._trees[module]

    def is_package(self, module: str) -> bool:
        path = self.path_of(module)
        return path is not None and path.name == "__init__.py"


def _module_statements(tree: ast.Module) -> list[ast.stmt]:
    """Top-level statements, including those inside ``if``/``try`` blocks (optional imports)."""
    found: list[ast.stmt] = []
    pending = list(tree.body)
    while pending:
        statement = pending.pop(0)
        found.append(statement)
        if isinstance(statement, ast.If):
            pending[:0] = statement.body + statement.orelse
        elif isinstance(statement, ast.Try):
            pending[:0] = statement.body + statement.orelse + [s for h in statement.handlers for s in h.body]
    return found


def _absolute(module: str, is_package: bool, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = module.split(".")
    base = parts if is_package else parts[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _definition(source: Source, module: str, name: str, hops: int = 0) -> tuple[str, ast.AST] | None:
    """Where ``module.name`` is defined: (defining module, its def/class node), following
    ``from X import name`` re-exports; a submodule of that name is not a definition."""
    tree = source.tree(module)
    if tree is None or hops > _MAX_HOPS:
        return None
    found: tuple[str, ast.AST] | None = None
    for statement in _module_statements(tree):
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and statement.name == name:
            found = (module, statement)
        elif isinstance(statement, ast.ImportFrom):
            origin = _absolute(module, source.is_package(module), statement)
            for alias in statement.names:
                if (alias.asname or alias.name) == name and origin.split(".")[0] == "mlflow":
                    if source.path_of(f"{origin}.{alias.name}") is not None:
                        continue  # a submodule, not a callable
                    resolved = _definition(source, origin, alias.name, hops + 1)
                    if resolved is not None:
                        found = resolved
        elif (
            isinstance(statement, ast.Assign)
            and found is None
            and any(isinstance(t, ast.Name) and t.id == name for t in statement.targets)
            and isinstance(statement.value, ast.Name)
            and statement.value.id != name
        ):
            # ``evaluate = _evaluate`` and similar module-level aliases of a callable.
            found = _definition(source, module, statement.value.id, hops + 1)
    return found


def _exported_names(source: Source, module: str) -> list[str]:
    """``__all__`` (every list literal assigned or added to it), or else the module's own
    public defs plus the names it imports from its own submodules."""
    tree = source.tree(module)
    if tree is None:
        return []
    listed: list[str] = []
    statements = _module_statements(tree)
    for statement in statements:
        value: ast.expr | None = None
        if isinstance(statement, (ast.Assign, ast.AugAssign)):
            targets = statement.targets if isinstance(statement, ast.Assign) else [statement.target]
            if any(isinstance(t, ast.Name) and t.id == "__all__" for t in targets):
                value = statement.value
        elif isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            call = statement.value
            if isinstance(call.func, ast.Attribute) and isinstance(call.func.value, ast.Name) and call.func.value.id == "__all__":
                value = ast.List(elts=list(call.args), ctx=ast.Load())
        if isinstance(value, (ast.List, ast.Tuple)):
            listed.extend(e.value for e in value.elts if isinstance(e, ast.Constant) and isinstance(e.value, str))
    if listed:
        return sorted(set(listed))
    names: set[str] = set()
    for statement in statements:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(statement.name)
        elif isinstance(statement, ast.ImportFrom):
            origin = _absolute(module, source.is_package(module), statement)
            if origin.startswith(module + "."):
                names.update(alias.asname or alias.name for alias in statement.names)
    return sorted(name for name in names if not name.startswith("_"))


def _signature(function: ast.FunctionDef | ast.AsyncFunctionDef, drop_first: bool) -> str:
    """``a, b=, *, c=, **kwargs`` -- names, kinds and defaults; no annotations or values."""
    args = function.args
    positional = args.posonlyargs + args.args
    defaults_from = len(positional) - len(args.defaults)
    parts: list[str] = []
    for index, arg in enumerate(positional):
        if drop_first and index == 0:
            continue
        parts.append(arg.arg + ("=" if index >= defaults_from else ""))
        if args.posonlyargs and arg is args.posonlyargs[-1]:
            parts.append("/")
    if args.vararg is not None:
        parts.append("*" + args.vararg.arg)
    elif args.kwonlyargs:
        parts.append("*")
    for arg, default in zip(args.kwonlyargs, args.kw_defaults, strict=True):
        parts.append(arg.arg + ("=" if default is not None else ""))
    if args.kwarg is not None:
        parts.append("**" + args.kwarg.arg)
    if parts and parts[0] == "/":
        parts.pop(0)  # the dropped self was the only positional-only parameter
    return ", ".join(parts)


def _decorator_name(decorator: ast.expr) -> str:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return target.attr if isinstance(target, ast.Attribute) else target.id if isinstance(target, ast.Name) else ""


def _deprecation(node: ast.AST) -> dict[str, str] | None:
    """What MLflow's source says about a callable's deprecation, or None."""
    for decorator in getattr(node, "decorator_list", ()):
        if _decorator_name(decorator) != "deprecated":
            continue
        facts: dict[str, str] = {}
        if isinstance(decorator, ast.Call):
            for key, argument in zip(("alternative", "since"), decorator.args, strict=False):  # the first two, if given
                if isinstance(argument, ast.Constant):
                    facts[key] = str(argument.value)
            for keyword in decorator.keywords:
                if keyword.arg in ("alternative", "since") and isinstance(keyword.value, ast.Constant):
                    facts[keyword.arg] = str(keyword.value.value)
                elif keyword.arg == "impact" and isinstance(keyword.value, ast.Constant) and isinstance(keyword.value.value, str):
                    # What to do instead, in MLflow's words: its first sentence.
                    facts["impact"] = keyword.value.value.split(". ")[0].strip().rstrip(".")
        return facts
    body = getattr(node, "body", ())
    for statement in body if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else ():
        call = statement.value if isinstance(statement, ast.Expr) else None
        if not isinstance(call, ast.Call) or _decorator_name(call) != "warn":
            continue
        categories = call.args[1:2] + [k.value for k in call.keywords if k.arg == "category"]
        if any(isinstance(c, ast.Name) and c.id in _WARNING_CATEGORIES for c in categories):
            return {"warns": "true"}
    return None


def _deprecated_parameters(node: ast.AST) -> dict[str, str]:
    """``@deprecated_parameter("request_id", "trace_id")``: old keyword -> new keyword.

    MLflow's decorator (mlflow/utils/annotations.py) takes the old name out of the keyword
    arguments, warns (FutureWarning) and passes the value on as the new one; it looks at
    keyword arguments only. Its optional third argument, ``version``, is documented as the
    release that will remove the old name, and MLflow 3.18.0 passes "3.0.0" to methods that
    still accept it: it dates nothing, and is not read. When the old name was deprecated is
    a curated row's (mlflow_deprecations.yaml)."""
    renamed: dict[str, str] = {}
    for decorator in getattr(node, "decorator_list", ()):
        if not isinstance(decorator, ast.Call) or _decorator_name(decorator) != "deprecated_parameter":
            continue
        given = dict(zip(("old_param", "new_param"), decorator.args, strict=False))
        given.update((k.arg, k.value) for k in decorator.keywords if k.arg in ("old_param", "new_param"))
        old, new = given.get("old_param"), given.get("new_param")
        if isinstance(old, ast.Constant) and isinstance(new, ast.Constant) and isinstance(old.value, str) and isinstance(new.value, str):
            renamed[old.value] = new.value
    return renamed


def _wrapped(source: Source, module: str, node: ast.AST) -> ast.AST:
    """A ``@functools.wraps(f)`` wrapper taking ``*args, **kwargs`` accepts what ``f`` does
    (``mlflow.evaluate`` wraps ``mlflow.models.evaluate`` to warn first)."""
    for decorator in getattr(node, "decorator_list", ()):
        if isinstance(decorator, ast.Call) and _decorator_name(decorator) == "wraps" and decorator.args:
            target = decorator.args[0]
            takes_anything = isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
                node.args.vararg is not None and node.args.kwarg is not None and not node.args.args
            )
            if isinstance(target, ast.Name) and takes_anything:
                resolved = _definition(source, module, target.id)
                if resolved is not None:
                    return resolved[1]
    return node


def _entry(node: ast.AST, drop_first: bool, source: Source | None = None, module: str = "") -> Entry:
    entry: Entry = {}
    signed = _wrapped(source, module, node) if source is not None else node
    if isinstance(signed, (ast.FunctionDef, ast.AsyncFunctionDef)):
        entry["signature"] = _signature(signed, drop_first)
    deprecation = _deprecation(node)
    if deprecation is not None:
        entry["deprecated"] = deprecation
    renamed = _deprecated_parameters(node)
    if renamed:
        entry["deprecated_parameters"] = renamed
    return entry


def _class_methods(source: Source, module: str, node: ast.ClassDef, hops: int = 0) -> dict[str, ast.AST]:
    """Public methods of a class, its bases' (resolved inside MLflow) first."""
    methods: dict[str, ast.AST] = {}
    for base in node.bases if hops < _MAX_HOPS else ():
        if isinstance(base, ast.Name):
            resolved = _definition(source, module, base.id)
            if resolved is not None and isinstance(resolved[1], ast.ClassDef):
                methods.update(_class_methods(source, resolved[0], resolved[1], hops + 1))
    for statement in node.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and (
            not statement.name.startswith("_") or statement.name == "__init__"
        ):
            if any(_decorator_name(d) in ("property", "setter") for d in statement.decorator_list):
                continue
            methods[statement.name] = statement
    return methods


def _flavor_modules(source: Source) -> list[str]:
    """``mlflow.<x>`` and ``mlflow.<x>.<y>`` modules that define a flavor function."""
    found: list[str] = []
    for init in sorted(source.root.joinpath("mlflow").glob("*/__init__.py")) + sorted(
        source.root.joinpath("mlflow").glob("*/*/__init__.py")
    ):
        module = ".".join(init.parent.relative_to(source.root).parts)
        if any(_definition(source, module, name) for name in FLAVOR_FUNCTIONS):
            found.append(module)
    return found


def build_table(source: Source) -> ApiTable:
    functions: dict[str, Entry] = {}
    flavors: dict[str, list[str]] = {}

    def add(public: str, module: str, node: ast.AST) -> None:
        if isinstance(node, ast.ClassDef):
            init = next((s for s in node.body if isinstance(s, ast.FunctionDef) and s.name == "__init__"), None)
            entry: Entry = _entry(init, True) if init is not None else {"signature": ""}
            entry.update(_entry(node, False))
            functions[public] = {**entry, "kind": "class"}
        else:
            functions[public] = _entry(node, False, source, module)

    for module in PUBLIC_MODULES:
        for name in _exported_names(source, module):
            resolved = _definition(source, module, name)
            if resolved is not None:
                add(f"{module}.{name}", *resolved)
    for module in _flavor_modules(source):
        provided = []
        for name in _exported_names(source, module):
            resolved = _definition(source, module, name)
            if resolved is not None and isinstance(resolved[1], (ast.FunctionDef, ast.AsyncFunctionDef)):
                add(f"{module}.{name}", *resolved)
                if name in FLAVOR_FUNCTIONS:
                    provided.append(name)
        if provided:
            flavors[module[len("mlflow.") :]] = sorted(provided)
    for public, defined in PUBLIC_CLASSES.items():
        module, _, name = defined.rpartition(".")
        resolved = _definition(source, module, name)
        if resolved is None or not isinstance(resolved[1], ast.ClassDef):
            continue
        add(public, *resolved)
        for method, node in _class_methods(source, resolved[0], resolved[1]).items():
            if method == "__init__":
                continue
            static = any(_decorator_name(d) == "staticmethod" for d in getattr(node, "decorator_list", ()))
            functions[f"{public}.{method}"] = _entry(node, drop_first=not static)
    return {
        "mlflow_version": _version(source),
        "generated_by": "scripts/update_mlflow_api.py",
        "flavors": dict(sorted(flavors.items())),
        "functions": dict(sorted(functions.items())),
    }


def _parameters(entry: Entry) -> set[str]:
    """The keywords a callable accepts: its signature's, and the old names it still takes."""
    text = entry.get("signature", "")
    return ({part.strip().lstrip("*").rstrip("=") for part in text.split(",")} - {"", "/"}) | set(entry.get("deprecated_parameters", {}))


def deprecations(table: ApiTable, curated: list[dict[str, str]]) -> list[dict[str, str | None]]:
    """The curated rows checked against the pinned source and expanded, plus every
    ``@deprecated(since >= 3.0)`` the source declares. Raises SystemExit on a row the
    source contradicts, or on a deprecation warning nobody has dated."""
    functions = table["functions"]
    flavors = table["flavors"]
    rows: list[dict[str, str | None]] = []
    problems: list[str] = []
    covered: set[str] = set()
    for item in curated:
        if item.get("declared-by") == "deprecated_parameter":
            rows.extend(_renamed_keywords(table, item, problems, covered))
            continue
        name, keyword, removed = item["name"], item.get("keyword"), item.get("removed-in")
        module_row = keyword is None and "*" not in name and name[len("mlflow.") :] not in flavors and any(
            f.startswith(name + ".") for f in functions
        )
        if keyword is None and "*" not in name and name not in functions and removed and not any(
            f.startswith(name + ".") for f in functions
        ):
            kind = item.get("kind", "function")
            names = [name]
        elif module_row:
            problems.append(f"{name}: a module still in MLflow {table['mlflow_version']}")
            continue
        else:
            kind = "keyword" if keyword else "function"
            names = sorted(f for f in functions if fnmatch.fnmatchcase(f, name))
            if not names:
                problems.append(f"{name}: matches nothing in MLflow {table['mlflow_version']}")
        for matched in names:
            entry = functions.get(matched, {})
            if keyword is not None:
                present = keyword in _parameters(entry)
                if removed and present:
                    problems.append(f"{matched}({keyword}=) is removed-in {removed} but still accepted")
                if not removed and not present:
                    continue  # a glob row: this flavor never had the keyword
            elif removed and matched in functions:
                problems.append(f"{matched} is removed-in {removed} but still defined")
            elif not removed and matched not in functions:
                problems.append(f"{matched} is deprecated but not defined")
            if item.get("fix") == "rename-keyword" and item.get("replacement") not in _parameters(entry):
                if "*" in name:
                    continue  # a flavor not migrated yet (mlflow.spark.log_model still needs artifact_path)
                problems.append(f"{matched}: rename-keyword to {item.get('replacement')}, which it does not accept")
            if item.get("fix") == "rename-callee" and item.get("replacement") not in functions:
                problems.append(f"{matched}: rename-callee to {item.get('replacement')}, which is not in the table")
            covered.add(matched if keyword is None else f"{matched}({keyword}=)")
            rows.append(
                {
                    "name": matched,
                    "keyword": keyword,
                    "kind": kind,
                    "deprecated_since": item.get("deprecated-since"),
                    "removed_in": removed,
                    "replacement": item.get("replacement"),
                    "reference": item.get("reference"),
                    "fix": item.get("fix"),
                    "why": item.get("why"),
                }
            )
    for name, entry in functions.items():
        deprecated = entry.get("deprecated")
        if deprecated is None or name in covered:
            continue
        since = deprecated.get("since")
        if since is None:
            problems.append(f"{name} warns of its deprecation: date it in {CURATED.name}")
        elif release(since) >= FIRST_VERSION_OF_INTEREST:
            rows.append(
                {
                    "name": name,
                    "keyword": None,
                    "kind": "function",
                    "deprecated_since": since,
                    "removed_in": None,
                    "replacement": deprecated.get("alternative") or deprecated.get("impact"),
                    "reference": None,
                    "fix": None,
                    "why": None,
                }
            )
    for name, entry in functions.items():
        for old in sorted(entry.get("deprecated_parameters", {})):
            if f"{name}({old}=)" not in covered:
                problems.append(f"{name}({old}=) is an @deprecated_parameter: date it in {CURATED.name}")
    if problems:
        raise SystemExit("error: the deprecation table disagrees with MLflow's source:\n  " + "\n  ".join(problems))
    return sorted(rows, key=lambda row: (str(row["name"]), str(row["keyword"] or "")))


def _renamed_keywords(table: ApiTable, item: dict[str, str], problems: list[str], covered: set[str]) -> list[dict[str, str | None]]:
    """The rows of a curated row that dates an ``@deprecated_parameter``: one per callable
    ``name`` matches whose source declares ``keyword`` an old name (a callable where it is
    an ordinary parameter, such as ``search_runs(experiment_ids=)``, is not matched). The
    replacement is the decorator's new name; the fix renames the keyword, which is what
    MLflow does with it at run time."""
    name, keyword = item["name"], item.get("keyword")
    if keyword is None or item.get("removed-in") or item.get("fix"):
        problems.append(f"{name}: a row dating an @deprecated_parameter names its keyword, no removal and no fix")
        return []
    rows: list[dict[str, str | None]] = []
    for matched, entry in sorted(table["functions"].items()):
        new = entry.get("deprecated_parameters", {}).get(keyword)
        if new is None or not fnmatch.fnmatchcase(matched, name):
            continue
        if item.get("replacement") not in (None, new):
            problems.append(f"{matched}({keyword}=): the source renames it to {new}, not {item.get('replacement')}")
        covered.add(f"{matched}({keyword}=)")
        rows.append(
            {
                "name": matched,
                "keyword": keyword,
                "kind": "renamed-keyword",
                "deprecated_since": item.get("deprecated-since"),
                "removed_in": None,
                "replacement": new,
                "reference": item.get("reference"),
                "fix": "rename-keyword",
                "why": item.get("why"),
            }
        )
    if not rows:
        problems.append(f"{name}({keyword}=): no @deprecated_parameter in MLflow {table['mlflow_version']} matches")
    return rows


def roles(table: ApiTable, curated: Roles) -> dict[str, Any]:
    """The curated roles, each name and parameter checked against the pinned source (a
    name or keyword MLflow removed may stay, for code written for the release that had
    it), plus every flavor's ``load_model(model_uri)`` as a model consumer. Every public
    callable with a ``model_uri`` parameter must be a consumer or say why it is not."""
    functions = table["functions"]
    rows = table.get("deprecations", ())
    removed = {row["name"] for row in rows if row.get("removed_in") and not row.get("keyword")}
    removed_keywords = {(row["name"], row["keyword"]) for row in rows if row.get("removed_in") and row.get("keyword")}
    problems: list[str] = []

    def check(name: str, *parameters: str) -> None:
        if name not in functions:
            if name not in removed:
                problems.append(f"{name}: not in MLflow {table['mlflow_version']}")
            return
        missing = [p for p in parameters if p not in _parameters(functions[name]) and (name, p) not in removed_keywords]
        if missing:
            problems.append(f"{name}: no parameter {', '.join(missing)}")

    consumes = {name: [given] if isinstance(given, str) else list(given) for name, given in curated.get("consumes-model", {}).items()}
    for flavor, provided in table["flavors"].items():
        if "load_model" in provided:
            consumes.setdefault(f"mlflow.{flavor}.load_model", ["model_uri"])
    for name, parameters in consumes.items():
        check(name, *parameters)
    not_consuming = curated.get("takes-model-uri-without-consuming", {})
    for name in not_consuming:
        check(name, "model_uri")
    for name, entry in functions.items():
        if "model_uri" in _parameters(entry) and name not in consumes and name not in not_consuming:
            problems.append(f"{name} takes a model_uri: list it under consumes-model or takes-model-uri-without-consuming")
    for name, places in curated.get("reads-artifacts", {}).items():
        check(name, *places.values())
    for name, registry in curated.get("moves-alias", {}).items():
        check(name, "name", "alias")
        if registry not in ("model", "prompt"):
            problems.append(f"{name}: moves-alias names the registry, model or prompt, not {registry!r}")
    for name, parameter in curated.get("copies-into-model", {}).items():
        check(name, parameter)
    for name in curated.get("deletes", []):
        check(name)
    client = "mlflow.MlflowClient."
    for method in curated.get("client-only-methods", []):
        check(client + method)
    if problems:
        raise SystemExit(f"error: {ROLES.name} disagrees with MLflow's source:\n  " + "\n  ".join(problems))
    return {
        "consumes-model": dict(sorted(consumes.items())),
        **{key: curated[key] for key in ("reads-artifacts", "moves-alias", "copies-into-model") if key in curated},
        "deletes": sorted(curated.get("deletes", [])),
        "client-only-methods": sorted(curated.get("client-only-methods", [])),
    }


def load_roles() -> Roles:
    import yaml  # the generator's own input; the linter never reads this file

    data = yaml.safe_load(ROLES.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise SystemExit(f"error: {ROLES} must hold a mapping of roles")
    return data


def load_curated() -> list[dict[str, str]]:
    import yaml  # the generator's own input; the linter never reads this file

    rows = yaml.safe_load(CURATED.read_text(encoding="utf-8"))
    if not isinstance(rows, list):
        raise SystemExit(f"error: {CURATED} must hold a list of rows")
    return rows


def _version(source: Source) -> str:
    tree = source.tree("mlflow.version")
    for statement in tree.body if tree else ():
        if (
            isinstance(statement, ast.Assign)
            and isinstance(statement.value, ast.Constant)
            and any(isinstance(t, ast.Name) and t.id == "VERSION" for t in statement.targets)
        ):
            return str(statement.value.value)
    raise SystemExit("error: mlflow/version.py has no VERSION")


def render(table: ApiTable) -> str:
    """One callable a line, keys sorted: a new MLflow release reads as a small diff."""
    lines = ["{"]
    items = list(table.items())
    for index, (key, value) in enumerate(items):
        comma = "," if index < len(items) - 1 else ""
        if isinstance(value, list):
            lines.append(f"  {json.dumps(key)}: [")
            for position, row in enumerate(value):
                tail = "," if position < len(value) - 1 else ""
                lines.append(f"    {json.dumps(row, sort_keys=True)}{tail}")
            lines.append("  ]" + comma)
        elif isinstance(value, dict) and value:
            lines.append(f"  {json.dumps(key)}: {{")
            inner = list(value.items())
            for position, (name, entry) in enumerate(inner):
                tail = "," if position < len(inner) - 1 else ""
                lines.append(f"    {json.dumps(name)}: {json.dumps(entry, sort_keys=True)}{tail}")
            lines.append("  }" + comma)
        else:
            lines.append(f"  {json.dumps(key)}: {json.dumps(value)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def installed_source() -> Path:
    """The directory holding the installed ``mlflow`` package, found without importing it."""
    for distribution in ("mlflow-skinny", "mlflow"):
        try:
            found = importlib.metadata.distribution(distribution)
        except importlib.metadata.PackageNotFoundError:
            continue
        root = Path(str(found.locate_file("")))
        if (root / "mlflow" / "version.py").is_file():
            return root
    raise SystemExit("error: no installed mlflow-skinny or mlflow; pass --source DIR")


def _removed(old: ApiTable, new: ApiTable) -> list[str]:
    old_functions = old["functions"]
    new_functions = new["functions"]
    lines = []
    for name, entry in old_functions.items():
        if name not in new_functions:
            lines.append(f"removed: {name}")
            continue
        # An old name MLflow still takes (@deprecated_parameter) is deprecated, not removed.
        lines.extend(f"removed keyword: {name}({p}=)" for p in sorted(_parameters(entry) - _parameters(new_functions[name])))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", type=Path, help="directory holding the mlflow/ package")
    parser.add_argument("--check", action="store_true", help="exit 1 if the committed table differs")
    parser.add_argument("--compare", type=Path, help="an older MLflow source: print what it had that is gone")
    options = parser.parse_args(argv)
    table = build_table(Source(options.source or installed_source()))
    table["deprecations"] = deprecations(table, load_curated())
    table["roles"] = roles(table, load_roles())
    if options.compare is not None:
        print("\n".join(_removed(build_table(Source(options.compare)), table)))
        return 0
    text = render(table)
    if options.check:
        if TABLE.read_text(encoding="utf-8") != text:
            print(f"{TABLE} is stale: run scripts/update_mlflow_api.py", file=sys.stderr)
            return 1
        return 0
    TABLE.write_text(text, encoding="utf-8")
    print(f"wrote {TABLE} (MLflow {table['mlflow_version']}, {len(table['functions'])} callables)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
