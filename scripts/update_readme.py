"""Regenerate everything that is made from the rule catalog (rules/*.yaml):

- docs/rules/index.md, the rules index with the rule table;
- docs/rules/<ID>.md, one page per rule (what / why / example / use instead / fix safety /
  options / test code / references): the pages SARIF ``helpUri`` and the audit's rule links
  point at (``<Documentation>rules/<ID>/``, mlflow_lint/catalog.py);
- the rules part of mkdocs.yml's nav (between ``# rules-nav:start`` and ``# rules-nav:end``).

The compiled catalog, mlflow_lint/catalog.json, is not among them: it is built, never
committed (hatch_build.py for the wheel; a checkout makes its own on first use).

A rule page's "Options" section lists the rows of the option table in
docs/configuration.md whose meaning starts with the rule's id (``MLF402: ...``), so an
option is described once. ``--check`` writes nothing and exits 1 naming the stale files;
tests/test_readme.py and tests/test_docs.py run the same check.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from mlflow_lint.catalog import PILLARS, Catalog, Rule, load_catalog  # noqa: E402
from mlflow_lint.reporters.rules_report import explain  # noqa: E402

DOCS = ROOT / "docs"
RULES_DIR = DOCS / "rules"
MKDOCS = ROOT / "mkdocs.yml"
CONFIGURATION = DOCS / "configuration.md"
NAV_START, NAV_END = "# rules-nav:start", "# rules-nav:end"
GENERATED = "<!-- Generated from {source} by scripts/update_readme.py; do not edit. -->"
# The option table's rows: | `key` | type | MLF402: meaning |  (or "MLF901, MLF902: ...",
# "MLF401 fixes: ...").
_OPTION_ROW = re.compile(r"^\| `(?P<key>[a-z-]+)` \| (?P<type>[^|]+) \| (?P<meaning>.+) \|$")
_OPTION_RULES = re.compile(r"^(?P<ids>MLF\d{3}(?:, MLF\d{3})*)(?P<what> fixes)?: ")


def rule_options(configuration: str) -> dict[str, list[tuple[str, str, str]]]:
    """Rule id -> [(key, type, meaning)] from the option table of docs/configuration.md."""
    options: dict[str, list[tuple[str, str, str]]] = {}
    for line in configuration.splitlines():
        row = _OPTION_ROW.match(line.strip())
        if not row:
            continue
        meaning = row["meaning"].strip()
        ids = _OPTION_RULES.match(meaning)
        if not ids:
            continue
        described = (("Fixes: " if ids["what"] else "") + meaning[ids.end() :]).strip()
        for rule_id in ids["ids"].split(", "):
            options.setdefault(rule_id, []).append((row["key"], row["type"].strip(), described))
    return options


def rule_page(rule: Rule, options: list[tuple[str, str, str]]) -> str:
    """docs/rules/<ID>.md: the text of ``mlflow-lint explain`` as a page, its sections in
    ruff's order, the references as links, and the rule's options."""
    head, *sections = re.split(r"^## ", explain(rule, heading="#"), flags=re.M)
    title, _, intro = head.partition("\n")
    parts = [title, GENERATED.format(source=f"rules/{rule.id}.yaml"), intro.strip()]
    by_name = {section.split("\n", 1)[0]: section.split("\n", 1)[1].strip() for section in sections}
    by_name["Fix safety"] += "\n\nAll the fixes, and how to apply them: [Fixes and migrations](../fixes.md)."
    by_name["Options"] = _options_section(options)
    if "References" in by_name:
        by_name["References"] = "\n".join(
            re.sub(r"^- (.+): (https?://\S+)$", r"- [\1](\2)", line) for line in by_name["References"].splitlines()
        )
    order = ["What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Options", "Test code", "References"]
    order += [name for name in by_name if name not in order]  # a section explain() gains later
    parts += [f"## {name}\n\n{by_name[name]}" for name in order if name in by_name]
    return "\n\n".join(parts) + "\n"


def _options_section(options: list[tuple[str, str, str]]) -> str:
    common = (
        "Like every rule, it is turned on and off with `select`, `extend-select`, `ignore` and "
        "`per-file-ignores`, its level set with `severity`, and it can run in `shadow` mode "
        "([Configuration](../configuration.md))."
    )
    if not options:
        return "No options of its own. " + common
    rows = [f"- `{key}` ({kind}): {_from_rules_dir(meaning)}" for key, kind, meaning in options]
    return "\n".join(rows) + "\n\n" + common.replace("it is turned", "it is also turned")


def _from_rules_dir(markdown: str) -> str:
    """Links of docs/configuration.md made relative to docs/rules/."""
    markdown = re.sub(r"\]\(#", "](../configuration.md#", markdown)
    return re.sub(r"\]\((?!https?:|\.\./)", "](../", markdown)


def rules_index(catalog: Catalog) -> str:
    """docs/rules/index.md."""
    out = [
        "# Rules",
        GENERATED.format(source="rules/*.yaml"),
        "`mlflow-lint rules` lists them; `mlflow-lint explain MLF601` shows a rule's full "
        "documentation (what it does, why it is bad, an example, what to use instead, references), "
        "the text of its page here. Codes are stable: the hundreds digit is the pillar, and ids are "
        "never reused. MLF9xx is the MLflow-version migration family, outside the pillars; MLF000 "
        "and MLF001 are the engine's own.",
        "| id | name | pillar | severity | fix | what it flags |\n|---|---|---|---|---|---|\n"
        + "\n".join(_index_row(rule) for rule in catalog),
        "Fix: `safe` fixes apply with `--fix`, `unsafe` ones with `--unsafe-fixes` "
        "([Fixes and migrations](../fixes.md)). A rule off by default runs only when selected "
        "(`extend-select`).",
    ]
    return "\n\n".join(out) + "\n"


def _index_row(rule: Rule) -> str:
    pillar = f"{rule.pillar} {PILLARS[rule.pillar]}" if rule.pillar else "-"
    fix = "-" if rule.fix_safety == "none" else rule.fix_safety
    off = "" if rule.enabled_by_default else " (off by default)"
    return f"| [{rule.id}]({rule.id}.md) | `{rule.name}` | {pillar} | {rule.severity}{off} | {fix} | {rule.summary} |"


def mkdocs_nav(mkdocs: str, catalog: Catalog) -> str:
    """mkdocs.yml with the rules' nav entries between the markers, indented like them."""
    head, start, rest = mkdocs.partition(NAV_START)
    _, end, tail = rest.partition(NAV_END)
    if not start or not end:
        raise SystemExit(f"mkdocs.yml: the markers {NAV_START!r} and {NAV_END!r} are missing")
    indent = head[head.rfind("\n") + 1 :]
    entries = [f"{indent}- rules/index.md"] + [f"{indent}- {rule.id} {rule.name}: rules/{rule.id}.md" for rule in catalog]
    return f"{head}{NAV_START}\n" + "\n".join(entries) + f"\n{indent}{NAV_END}{tail}"


def generated() -> dict[Path, str]:
    """Every generated file and the text it must hold."""
    catalog = load_catalog()
    options = rule_options(CONFIGURATION.read_text(encoding="utf-8"))
    files = {RULES_DIR / "index.md": rules_index(catalog)}
    files.update({RULES_DIR / f"{rule.id}.md": rule_page(rule, options.get(rule.id, [])) for rule in catalog})
    files[MKDOCS] = mkdocs_nav(MKDOCS.read_text(encoding="utf-8"), catalog)
    return files


def stale() -> list[str]:
    """The generated files that differ from what they must hold, and rule pages of no rule."""
    files = generated()
    out = [str(path.relative_to(ROOT)) for path, text in files.items() if not path.is_file() or path.read_text(encoding="utf-8") != text]
    out += [str(path.relative_to(ROOT)) for path in sorted(RULES_DIR.glob("*.md")) if path not in files]
    return out


def main(argv: list[str]) -> int:
    if argv == ["--check"]:
        problems = stale()
        for name in problems:
            print(f"stale: {name} (run python scripts/update_readme.py)", file=sys.stderr)
        return 1 if problems else 0
    if argv:
        print("usage: python scripts/update_readme.py [--check]", file=sys.stderr)
        return 2
    files = generated()
    RULES_DIR.mkdir(parents=True, exist_ok=True)
    for path in RULES_DIR.glob("*.md"):
        if path not in files:
            path.unlink()  # the page of a rule that no longer exists
    for path, text in files.items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
