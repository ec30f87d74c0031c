"""Scaffold a new rule: its catalog entry and its check, the two files a rule is made of.

    python scripts/new_rule.py MLF606 model-loaded-from-cache

writes ``rules/MLF606.yaml`` (every field the catalog requires, each one still to write
saying TODO) and ``mlflow_lint/checks/model_loaded_from_cache.py`` (the check, named after
the rule; ``mlflow_lint/checks/__init__.py`` finds it, its rule id comes from the catalog).
The catalog refuses a rule file that still says TODO, so every run and every test fails
until the entry is written: a half-made rule cannot ship. CONTRIBUTING.md says what next.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RULE_ID = re.compile(r"MLF(?P<pillar>\d)\d\d")
RULE_NAME = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
SECURITY_PILLAR = 7

RULE_TEMPLATE = """\
id: {rule_id}
name: {name}
pillar: {pillar}
severity: TODO  # error | warning | note: the default SARIF level
summary: "TODO: what is flagged, in one line under 100 characters, no final period"
# The finding's text; {{fields}} are filled from the check's ctx.report(..., field=value).
message: "{{api}} TODO (what is wrong here); TODO (what to do instead)"
# The end of message that says what to change (the audit's per-site fix); or delete it.
remedy: "TODO (what to do instead)"
precision: high  # very-high | high | medium | low: how often a finding is right
{security}fix:
  safety: none  # none | safe (--fix) | unsafe (--unsafe-fixes)
  description: "TODO: what the fix rewrites, or why there is none"
docs:
  what: |
    TODO: what the rule flags, precisely: which calls and values, through what
    resolution; what it does not flag.
  why: |
    TODO: what goes wrong in production, for governance, for an audit.
  example: |
    import mlflow

    TODO
  use_instead: |
    import mlflow

    TODO
  references:
    - title: "TODO: the MLflow documentation page behind the rule"
      url: https://mlflow.org/docs/latest/
# Every example is a test (tests/test_catalog.py): at least two of each. An invalid example
# marks each finding's line with a trailing "# error: {rule_id}"; every unmarked line must
# stay clean under all rules. A non-Python example is {{file: docker-compose.yml, code: ...}}.
examples:
  valid:
    - |
      import mlflow

      TODO  # code the rule must leave alone
    - |
      import mlflow

      TODO
  invalid:
    - |
      import mlflow

      TODO  # error: {rule_id}
    - |
      import mlflow

      TODO  # error: {rule_id}
"""

CHECK_TEMPLATE = '''"""{rule_id} {name}."""

from __future__ import annotations

import ast

from mlflow_lint.checks.base import Check, FileContext


class {class_name}(Check):
    """TODO: what the check flags (one line), then what it does not."""

    # The qualified names of the MLflow calls visit_call handles; the engine hands it only
    # calls with their terminal names. A table two checks share belongs in
    # mlflow_lint/analysis/ (mlflow_calls.py, api.py): a check never imports another check.
    calls = frozenset({{"mlflow.TODO"}})

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        callee = ctx.python.model.callee(node)  # resolved: import aliases, clients, re-exports
        if callee not in self.calls:
            return
        # TODO: decide from resolved values (ctx.python.values.evaluate(expr)); unknown is
        # never a finding. Other hooks: visit_assign, visit_compare, visit_function,
        # visit_module; visit_setting and visit_command for YAML, .env, shell, Dockerfile.
        ctx.report("{rule_id}", node, api=callee)
'''


class ScaffoldError(Exception):
    """The rule cannot be scaffolded as asked (a bad id or name, or one already taken)."""


def class_name(name: str) -> str:
    """``run-uri-model-load`` -> ``RunUriModelLoad``."""
    return "".join(part[:1].upper() + part[1:] for part in name.split("-"))


def _existing_names(rules: Path) -> dict[str, str]:
    """Rule names already in the catalog, by file: read as text, so that a catalog that
    does not load yet (another rule still being written) does not stop a new one."""
    found = {}
    for path in sorted(rules.glob("*.yaml")):
        match = re.search(r"^name:\s*[\"']?([^\"'\s#]+)", path.read_text(encoding="utf-8"), re.MULTILINE)
        if match:
            found[match.group(1)] = path.name
    return found


def scaffold(root: Path, rule_id: str, name: str) -> list[Path]:
    """Write the catalog entry and the check module of a new rule; the paths written."""
    rule_id = rule_id.upper()
    id_match = RULE_ID.fullmatch(rule_id)
    if id_match is None:
        raise ScaffoldError(f"{rule_id!r} is not a rule id: MLF and three digits, the first the pillar (MLF606)")
    if id_match.group("pillar") == "0":
        raise ScaffoldError("MLF0xx are the engine's own rules (MLF000, MLF001): a rule's first digit is its pillar, 1-9")
    if RULE_NAME.fullmatch(name) is None:
        raise ScaffoldError(f"{name!r} is not a rule name: lower-case words joined by hyphens, naming the flagged pattern")
    rules = root / "rules"
    entry = rules / f"{rule_id}.yaml"
    module = root / "mlflow_lint" / "checks" / f"{name.replace('-', '_')}.py"
    if entry.exists():
        raise ScaffoldError(f"{entry.relative_to(root)} exists: rule ids are never reused")
    taken = _existing_names(rules)
    if name in taken:
        raise ScaffoldError(f"the name {name!r} is taken by {taken[name]}")
    if module.exists():
        raise ScaffoldError(f"{module.relative_to(root)} exists")
    digit = int(id_match.group("pillar"))
    pillar = 0 if digit == 9 else digit  # MLF9xx: the MLflow-version migration family, outside the pillars
    security = "security-severity: TODO  # 0.0-10.0, GitHub's scale (pillar-7 rules only)\n" if pillar == SECURITY_PILLAR else ""
    entry.write_text(RULE_TEMPLATE.format(rule_id=rule_id, name=name, pillar=pillar, security=security), encoding="utf-8")
    module.write_text(CHECK_TEMPLATE.format(rule_id=rule_id, name=name, class_name=class_name(name)), encoding="utf-8")
    return [entry, module]


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python scripts/new_rule.py MLFnnn rule-name", file=sys.stderr)
        return 2
    try:
        written = scaffold(ROOT, argv[0], argv[1])
    except ScaffoldError as error:
        print(f"new_rule: {error}", file=sys.stderr)
        return 2
    for path in written:
        print(f"wrote {path.relative_to(ROOT)}")
    print("next: replace every TODO in both (the catalog refuses the rule until then), then see CONTRIBUTING.md")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
