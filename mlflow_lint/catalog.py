"""The rule catalog: one YAML file per rule, read once, validated loudly.

The catalog is data (``rules/*.yaml`` at the top of the checkout). The wheel ships it as
``mlflow_lint/_packs``; an editable install falls back to the checkout's ``rules/``.
Every user-facing text about a rule (messages, ``explain``, the rule pages of the
documentation site, SARIF descriptors) is rendered from here, so it is written once.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RULE_ID_PATTERN = re.compile(r"^MLF\d{3}$")
SEVERITIES = ("error", "warning", "note")
PRECISIONS = ("very-high", "high", "medium", "low")  # SARIF's precision property
SECURITY_PILLAR = 7
DOC_SECTIONS = ("what", "why", "example", "use_instead", "references")
FIX_SAFETIES = ("none", "safe", "unsafe")  # what `check --fix` / `--unsafe-fixes` may do
CONTEXT_POLICIES = ("hidden", "reported")  # a rule's findings in test code / CI jobs
# Test code is not a governance target: the governance pillars' findings there are hidden
# by default (counted, shown with --include-tests). Security and engine rules are reported.
_HIDDEN_IN_TESTS_BY_DEFAULT = frozenset({1, 2, 3, 4, 5, 6, 8})

PILLARS: dict[int, str] = {
    0: "analysis",
    1: "centralised tracking",
    2: "SQL metadata backend",
    3: "object-store artifacts",
    4: "registry as promotion boundary",
    5: "tag-driven governance",
    6: "consume via alias/version",
    7: "access control & security",
    8: "data & model lineage",
}


# ---------------------------------------------------------------------------- links
# Where the documentation is comes from [project.urls] in pyproject.toml, read at run time
# from the installed distribution's metadata, so that publishing the site elsewhere is a
# change of one line there. Each rule has a page, ``<Documentation>rules/<ID>/``
# (docs/rules/<ID>.md, generated from the catalog by scripts/update_readme.py).
DISTRIBUTION = "mlflow-lint"
# The last resort, when neither the metadata nor a checkout's pyproject.toml is readable
# (a vendored copy of the package): the repository, whose docs/ GitHub renders.
_FALLBACK_HOMEPAGE = "https://github.com/mlflow-lint/mlflow-lint"


def _url_label(label: str) -> str:
    """A [project.urls] label normalised as PEP 753 compares them (``Documentation`` ->
    ``documentation``, ``Home-Page`` -> ``homepage``)."""
    return "".join(ch for ch in label.lower() if ch.isalnum())


@functools.cache
def project_urls() -> dict[str, str]:
    """``[project.urls]`` by normalised label: the installed distribution's ``Project-URL``
    metadata, completed from the checkout's pyproject.toml when mlflow-lint runs from a
    source tree that is not installed (or was installed before a URL was added)."""
    urls: dict[str, str] = {}
    try:
        from importlib.metadata import PackageNotFoundError, metadata

        entries = metadata(DISTRIBUTION).get_all("Project-URL") or []
    except (PackageNotFoundError, OSError, ValueError):
        entries = []
    for entry in entries:
        label, _, url = str(entry).partition(",")
        if url.strip():
            urls.setdefault(_url_label(label), url.strip())
    for label, url in _checkout_urls().items():
        urls.setdefault(label, url)
    return urls


def _checkout_urls() -> dict[str, str]:
    """``[project.urls]`` of the pyproject.toml beside the package, when it is this project's."""
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    try:
        if sys.version_info >= (3, 11):
            import tomllib
        else:  # pragma: no cover - exercised on 3.10 only
            import tomli as tomllib
        project = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("project", {})
    except (OSError, ValueError, ImportError):
        return {}
    if project.get("name") != DISTRIBUTION or not isinstance(project.get("urls"), dict):
        return {}
    return {_url_label(str(label)): str(url) for label, url in project["urls"].items()}


def homepage_uri() -> str:
    """The project's home page (SARIF ``tool.driver.informationUri``)."""
    return project_urls().get("homepage") or _FALLBACK_HOMEPAGE


def docs_site_uri() -> str | None:
    """The documentation site's address, ending in ``/``; None when none is declared."""
    site = project_urls().get("documentation")
    return site if not site or site.endswith("/") else site + "/"


def rule_docs_uri(rule_id: str) -> str:
    """The documentation page of a rule: ``<Documentation>rules/MLF601/``; without a
    declared site, the page's source in the repository (``docs/rules/MLF601.md``)."""
    rule_id = rule_id.upper()
    site = docs_site_uri()
    if site:
        return f"{site}rules/{rule_id}/"
    return f"{homepage_uri().rstrip('/')}/blob/main/docs/rules/{rule_id}.md"


class CatalogError(Exception):
    """The catalog on disk is malformed (a packaging or development error)."""


@dataclass(frozen=True)
class Reference:
    title: str
    url: str


@dataclass(frozen=True)
class Example:
    """A catalog example: a file name (its kind: .py, docker-compose.yml, .env, ...) and its text."""

    file: str
    code: str


@dataclass(frozen=True)
class RuleDocs:
    what: str
    why: str
    example: str
    use_instead: str
    references: tuple[Reference, ...]


@dataclass(frozen=True)
class Rule:
    """One catalog entry."""

    id: str
    name: str
    pillar: int
    severity: str
    summary: str
    message: str
    docs: RuleDocs
    valid_examples: tuple[Example, ...]
    invalid_examples: tuple[Example, ...]
    enabled_by_default: bool = True
    precision: str = "high"  # how often a finding is right (SARIF properties.precision)
    docs_file: str = "example.py"  # the kind of file docs.example / use_instead show
    security_severity: str | None = None  # GitHub's 0.0-10.0 scale; pillar-7 rules only
    fix_safety: str = "none"  # none | safe (--fix) | unsafe (--unsafe-fixes)
    fix_description: str = ""  # what the fix rewrites, or why there is none
    # A fix by hand that is one edit where the finding is, with no decision outside the
    # code (drop a location, give a default, pass a signature): the audit's quick wins.
    fix_one_line: bool = False
    in_tests: str = "reported"  # hidden | reported: findings in test code (--include-tests shows hidden ones)
    in_ci: str = "reported"  # hidden | reported: findings in CI workflow jobs (a throwaway store)
    # The part of ``message`` that says what to change (its tail, the same fields): the
    # audit's per-site fix. Empty when the message names no remedy (MLF000, MLF001).
    remedy: str = ""

    def hidden_in(self, context: str | None) -> bool:
        """Whether this rule's findings are hidden by default in a file of this context
        (``"test"``: test code, ``"ci"``: a CI workflow)."""
        return (context == "test" and self.in_tests == "hidden") or (context == "ci" and self.in_ci == "hidden")

    @property
    def example_language(self) -> str:
        """The Markdown code-fence language of ``docs.example`` / ``use_instead``."""
        name = self.docs_file.lower()
        if name.endswith(".py"):
            return "python"
        if name.endswith((".yml", ".yaml")) or name == "mlproject":
            return "yaml"
        if name == "dockerfile" or name.startswith("dockerfile.") or name.endswith(".dockerfile"):
            return "dockerfile"
        if name in ("makefile", "gnumakefile") or name.endswith(".mk"):
            return "makefile"
        if name.endswith((".sh", ".bash")):
            return "shell"
        return "text"  # .env, Procfile

    @property
    def docs_uri(self) -> str:
        """The rule's documentation page (SARIF ``helpUri``, the audit's links, issues)."""
        return rule_docs_uri(self.id)

    @property
    def pillar_name(self) -> str:
        return PILLARS[self.pillar]

    def format_remedy(self, fields: dict[str, str]) -> str | None:
        """What to change at this finding's place, or None when the rule names no remedy."""
        if not self.remedy:
            return None
        from mlflow_lint.analysis.secrets import mask_secrets

        try:
            return mask_secrets(self.remedy.format(**fields))
        except (KeyError, IndexError) as exc:
            raise CatalogError(f"{self.id}: remedy field {exc} not supplied") from exc

    def format_message(self, fields: dict[str, str]) -> str:
        """The message with its fields filled in; any secret a field holds is masked."""
        from mlflow_lint.analysis.secrets import mask_secrets

        try:
            return mask_secrets(self.message.format(**fields))
        except (KeyError, IndexError) as exc:  # a check and its catalog entry disagree
            raise CatalogError(f"{self.id}: message field {exc} not supplied") from exc


@dataclass(frozen=True)
class Catalog:
    """All rules, sorted by id."""

    rules: tuple[Rule, ...]
    source: Path

    @functools.cached_property
    def by_id(self) -> dict[str, Rule]:
        return {rule.id: rule for rule in self.rules}

    def get(self, rule_id: str) -> Rule | None:
        return self.by_id.get(rule_id.upper())

    def __getitem__(self, rule_id: str) -> Rule:
        return self.by_id[rule_id]

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def matching(self, code_or_prefix: str) -> list[Rule]:
        """Rules whose id starts with ``code_or_prefix`` (``MLF6`` selects MLF601..MLF699)."""
        prefix = code_or_prefix.strip().upper()
        return [rule for rule in self.rules if rule.id.startswith(prefix)]


def catalog_dir() -> Path:
    """Where the catalog is: the wheel's package data, else the checkout's ``rules/``."""
    package_dir = Path(__file__).resolve().parent
    packed = package_dir / "_packs"
    if packed.is_dir():
        return packed
    checkout = package_dir.parent / "rules"
    if checkout.is_dir():
        return checkout
    raise CatalogError(f"rule catalog not found (looked in {packed} and {checkout})")


# The catalog compiled to JSON, with the hash of every rule file it was made from: reading
# it costs no YAML import and no YAML parse, which is a tenth of a pre-commit run on a few
# files. Used only while every hash still matches. It is built, never committed: the wheel
# build makes it (hatch_build.py), so an installed package, read-only or not, never writes;
# a source checkout makes it on first use, as Python keeps bytecode in __pycache__ (and,
# like Python, reads the sources every time when it cannot write there).
COMPILED_CATALOG = Path(__file__).with_name("catalog.json")
_CHECKOUT_RULES = Path(__file__).resolve().parent.parent / "rules"


def _source_digests(root: Path) -> dict[str, str]:
    return {path.name: hashlib.sha256(path.read_bytes()).hexdigest() for path in sorted(root.glob("*.yaml"))}


def _compiled_text(digests: dict[str, str], rules: list[Any]) -> str:
    return json.dumps({"sources": digests, "rules": rules}, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def compile_catalog(root: Path | None = None) -> str:
    """The JSON form of the catalog's rule files (what ``COMPILED_CATALOG`` holds)."""
    root = root or catalog_dir()
    digests = _source_digests(root)
    return _compiled_text(digests, [_read_yaml(root / name) for name in digests])


def _read_yaml(path: Path) -> Any:
    import yaml  # deferred: the compiled catalog usually spares it

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with path.open(encoding="utf-8") as handle:
        return yaml.load(handle, Loader=loader)  # noqa: S506 - SafeLoader/CSafeLoader only


def _rule_files(root: Path) -> list[tuple[Any, Path]]:
    """(parsed rule file, its path) for every ``*.yaml`` in ``root``, from the compiled
    catalog when it was made from exactly these files."""
    digests = _source_digests(root)
    try:
        compiled = json.loads(COMPILED_CATALOG.read_text(encoding="utf-8"))
        if compiled["sources"] == digests and len(compiled["rules"]) == len(digests):
            return [(data, root / name) for name, data in zip(digests, compiled["rules"], strict=True)]
    except (OSError, ValueError, KeyError, TypeError):
        pass
    rules = [_read_yaml(root / name) for name in digests]
    if root.resolve() == _CHECKOUT_RULES:  # never for another catalog, nor an installed one
        _keep_compiled(COMPILED_CATALOG, _compiled_text(digests, rules))
    return [(data, root / name) for name, data in zip(digests, rules, strict=True)]


def _keep_compiled(path: Path, text: str) -> None:
    """Write the compiled catalog for the next run, atomically (a concurrent run reads the
    old file or the new one, never half of one); a directory that cannot be written is
    no error: the rule files are read instead."""
    import os
    import tempfile

    try:
        handle, temporary = tempfile.mkstemp(prefix=".catalog-", suffix=".json", dir=path.parent)
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
            os.chmod(temporary, 0o644)  # as a file the checkout holds (mkstemp makes it private)
            os.replace(temporary, path)
        except BaseException:
            os.unlink(temporary)
            raise
    except OSError:
        pass


@functools.cache
def load_catalog(directory: Path | None = None) -> Catalog:
    """Load and validate every ``*.yaml`` rule file in ``directory``."""
    root = directory or catalog_dir()
    rules = [_rule_from_data(data, path) for data, path in _rule_files(root)]
    ids = [rule.id for rule in rules]
    duplicates = sorted({rule_id for rule_id in ids if ids.count(rule_id) > 1})
    if duplicates:
        raise CatalogError(f"duplicate rule ids in catalog: {', '.join(duplicates)}")
    names = [rule.name for rule in rules]
    dup_names = sorted({name for name in names if names.count(name) > 1})
    if dup_names:
        raise CatalogError(f"duplicate rule names in catalog: {', '.join(dup_names)}")
    return Catalog(rules=tuple(sorted(rules, key=lambda rule: rule.id)), source=root)


def _example(data: Any, fail: Any) -> Example:
    """``"code"`` (a Python module) or ``{file: docker-compose.yml, code: ...}``."""
    if isinstance(data, str):
        return Example("example.py", data)
    if isinstance(data, dict) and isinstance(data.get("file"), str) and isinstance(data.get("code"), str):
        return Example(data["file"], data["code"])
    raise fail("an example is a string of Python or a mapping with 'file' and 'code'")


# What scripts/new_rule.py writes in every field it cannot fill: a rule file that still
# holds it is refused, so a half-written rule cannot ship.
PLACEHOLDER = "TODO"
_PLACEHOLDER = re.compile(rf"\b{PLACEHOLDER}\b")


def _placeholders(data: Any, where: str = "") -> list[str]:
    """The fields (``docs.why``, ``examples.invalid[0]``) whose text still holds the
    placeholder."""
    if not where and not _may_hold_placeholder(data):
        return []  # every run loads the catalog: naming the fields is for the rare rule that has one
    if isinstance(data, str):
        return [where] if _PLACEHOLDER.search(data) else []
    if isinstance(data, dict):
        return [found for key, value in data.items() for found in _placeholders(value, f"{where}.{key}" if where else str(key))]
    if isinstance(data, list):
        return [found for index, value in enumerate(data) for found in _placeholders(value, f"{where}[{index}]")]
    return []


def _may_hold_placeholder(data: Any) -> bool:
    if isinstance(data, str):
        return PLACEHOLDER in data
    if isinstance(data, dict):
        return any(_may_hold_placeholder(key) or _may_hold_placeholder(value) for key, value in data.items())
    if isinstance(data, list):
        return any(_may_hold_placeholder(value) for value in data)
    return False


def _rule_from_data(data: Any, path: Path) -> Rule:
    def fail(problem: str) -> CatalogError:
        return CatalogError(f"{path.name}: {problem}")

    if not isinstance(data, dict):
        raise fail("a rule file must be a mapping")
    unfinished = _placeholders(data)
    if unfinished:
        raise fail(f"{PLACEHOLDER} left in {', '.join(unfinished)}: write them (scripts/new_rule.py's placeholders)")
    for key in ("id", "name", "pillar", "severity", "summary", "message", "docs", "examples", "fix"):
        if key not in data:
            raise fail(f"missing key '{key}'")
    rule_id = str(data["id"])
    if not RULE_ID_PATTERN.match(rule_id):
        raise fail(f"id '{rule_id}' does not match MLF + three digits")
    if path.stem != rule_id:
        raise fail(f"file name must be {rule_id}.yaml")
    pillar = data["pillar"]
    if not isinstance(pillar, int) or pillar not in PILLARS:
        raise fail(f"pillar must be an integer 0-8, got {pillar!r}")
    if rule_id != "MLF000" and int(rule_id[3]) != pillar and pillar != 0:
        raise fail(f"the hundreds digit of {rule_id} must be its pillar ({pillar})")
    if rule_id[3] == "9" and pillar != 0:
        raise fail(f"{rule_id} is in the MLflow-version migration family (MLF9xx), outside the pillars: pillar must be 0")
    if data["severity"] not in SEVERITIES:
        raise fail(f"severity must be one of {', '.join(SEVERITIES)}")
    docs = data["docs"]
    if not isinstance(docs, dict):
        raise fail("docs must be a mapping")
    missing = [section for section in DOC_SECTIONS if not docs.get(section)]
    if missing:
        raise fail(f"docs section(s) missing: {', '.join(missing)}")
    references = tuple(
        Reference(title=str(ref["title"]), url=str(ref["url"])) for ref in docs["references"]
    )
    precision = str(data.get("precision", "high"))
    if precision not in PRECISIONS:
        raise fail(f"precision must be one of {', '.join(PRECISIONS)}")
    security_severity = data.get("security-severity")
    if (security_severity is None) != (pillar != SECURITY_PILLAR):
        raise fail("security-severity is required for pillar-7 rules and only for them")
    if security_severity is not None:
        if not isinstance(security_severity, (int, float)) or not 0 <= security_severity <= 10:
            raise fail("security-severity must be a number from 0.0 to 10.0")
        security_severity = f"{float(security_severity):.1f}"
    fix = data["fix"]
    if not isinstance(fix, dict) or fix.get("safety") not in FIX_SAFETIES:
        raise fail(f"fix must be a mapping whose safety is one of {', '.join(FIX_SAFETIES)}")
    if not isinstance(fix.get("description"), str) or not fix["description"].strip():
        raise fail("fix.description must say what the fix rewrites (or why there is none)")
    unknown_fix_keys = sorted(set(fix) - {"safety", "description", "one-line"})
    if unknown_fix_keys:
        raise fail(f"unknown fix key(s): {', '.join(unknown_fix_keys)}")
    if not isinstance(fix.get("one-line", False), bool):
        raise fail("fix.one-line must be true or false")
    context = data.get("context") or {}
    if not isinstance(context, dict) or set(context) - {"tests", "ci"}:
        raise fail("context must be a mapping with 'tests' and/or 'ci'")
    in_tests = context.get("tests", "hidden" if pillar in _HIDDEN_IN_TESTS_BY_DEFAULT else "reported")
    in_ci = context.get("ci", "reported")
    if in_tests not in CONTEXT_POLICIES or in_ci not in CONTEXT_POLICIES:
        raise fail(f"context values must be one of {', '.join(CONTEXT_POLICIES)}")
    message = str(data["message"]).strip()
    remedy = str(data.get("remedy") or "").strip()
    if remedy and not message.endswith(remedy):
        raise fail("remedy must be the end of message (the part that says what to change)")
    examples = data["examples"] or {}
    return Rule(
        remedy=remedy,
        in_tests=in_tests,
        in_ci=in_ci,
        fix_safety=str(fix["safety"]),
        fix_description=" ".join(fix["description"].split()),
        fix_one_line=bool(fix.get("one-line", False)),
        docs_file=str(docs.get("file", "example.py")),
        precision=precision,
        security_severity=security_severity,
        id=rule_id,
        name=str(data["name"]),
        pillar=pillar,
        severity=str(data["severity"]),
        summary=str(data["summary"]).strip(),
        message=message,
        docs=RuleDocs(
            what=str(docs["what"]).strip(),
            why=str(docs["why"]).strip(),
            example=str(docs["example"]).rstrip(),
            use_instead=str(docs["use_instead"]).rstrip(),
            references=references,
        ),
        valid_examples=tuple(_example(e, fail) for e in examples.get("valid") or ()),
        invalid_examples=tuple(_example(e, fail) for e in examples.get("invalid") or ()),
        enabled_by_default=bool(data.get("default", True)),
    )
