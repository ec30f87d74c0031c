"""The documentation site: it builds with ``mkdocs build --strict`` (offline), every catalog
rule has its page where SARIF ``helpUri`` points, and the generated pages are current."""

from __future__ import annotations

import os
import runpy
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import yaml

from mlflow_lint.catalog import docs_site_uri, homepage_uri, load_catalog

from .conftest import ROOT

DOCS = ROOT / "docs"
GENERATOR = runpy.run_path(str(ROOT / "scripts" / "update_readme.py"))


def _mkdocs() -> dict:
    return yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))


def _nav_pages(nav: object) -> list[str]:
    """Every page file named in the nav, in order."""
    if isinstance(nav, str):
        return [nav]
    if isinstance(nav, list):
        return [page for item in nav for page in _nav_pages(item)]
    if isinstance(nav, dict):
        return [page for value in nav.values() for page in _nav_pages(value)]
    return []


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The site, built with --strict: a broken link or anchor, or a page outside the nav, fails."""
    try:
        import material  # noqa: F401 - mkdocs-material, from the test extra
    except ImportError:
        if os.environ.get("CI") == "true":
            pytest.fail("mkdocs-material is not installed (pip install -e '.[test]')")
        pytest.skip("mkdocs-material is not installed (pip install -e '.[test]')")
    out = tmp_path_factory.mktemp("site")
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "--config-file", str(ROOT / "mkdocs.yml"), "--site-dir", str(out)],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return out


@pytest.mark.integration
def test_site_builds_strict(site: Path) -> None:
    assert (site / "index.html").is_file()
    assert (site / "audit-example.png").is_file()


@pytest.mark.integration
def test_every_rule_has_the_page_its_help_uri_names(site: Path) -> None:
    base = docs_site_uri()
    assert base == "https://mlflow-lint.github.io/mlflow-lint/"  # pyproject.toml [project.urls] Documentation
    for rule in load_catalog():
        assert (DOCS / "rules" / f"{rule.id}.md").is_file(), rule.id
        assert rule.docs_uri == f"{base}rules/{rule.id}/"
        page = site / rule.docs_uri.removeprefix(base) / "index.html"
        assert page.is_file(), f"{rule.docs_uri} is not a page of the site"
        text = page.read_text(encoding="utf-8")
        for heading in ("What it does", "Why is this bad?", "Example", "Use instead", "Fix safety", "Options"):
            assert f">{heading}<" in text, (rule.id, heading)


def test_generated_pages_are_current() -> None:
    assert GENERATOR["stale"]() == [], "run python scripts/update_readme.py"
    pages = {path.stem for path in (DOCS / "rules").glob("*.md")}
    assert pages == {rule.id for rule in load_catalog()} | {"index"}


def test_rule_options_come_from_the_configuration_page() -> None:
    options = GENERATOR["rule_options"]((DOCS / "configuration.md").read_text(encoding="utf-8"))
    keys = {rule_id: [key for key, _, _ in rows] for rule_id, rows in options.items()}
    assert keys["MLF402"] == ["protected-aliases", "protected-models", "gate-functions", "gate-modules"]
    assert keys["MLF501"] == ["required-tags"]
    assert keys["MLF401"] == ["stage-aliases"]
    assert keys["MLF901"] == keys["MLF902"] == ["target-mlflow-version"]
    assert "`protected-models`" in (DOCS / "rules" / "MLF402.md").read_text(encoding="utf-8")
    assert "No options of its own." in (DOCS / "rules" / "MLF601.md").read_text(encoding="utf-8")


def test_nav_has_every_page_and_the_pages_others_write() -> None:
    config = _mkdocs()
    pages = _nav_pages(config["nav"])
    assert "github-action.md" in pages and "editors.md" in pages
    on_disk = sorted(str(path.relative_to(DOCS)) for path in DOCS.rglob("*.md"))
    assert sorted(pages) == on_disk


def test_site_is_offline_and_points_where_the_package_says() -> None:
    config = _mkdocs()
    plugins = [next(iter(p)) if isinstance(p, dict) else p for p in config.get("plugins", [])]
    assert plugins == ["search"]  # nothing that fetches at build time (social cards, git dates)
    assert config["theme"]["name"] == "material" and config["theme"].get("font") is False
    # SARIF helpUri and the audit's links are <Documentation>rules/<ID>/: the site must be there.
    assert config["site_url"] == docs_site_uri()
    assert config["repo_url"] == homepage_uri()
    assert urlsplit(config["site_url"]).scheme == "https"


# ---------------------------------------------------------------------------- where links point
@pytest.fixture
def fresh_urls():  # type: ignore[no-untyped-def]
    from mlflow_lint import catalog

    catalog.project_urls.cache_clear()
    yield catalog
    catalog.project_urls.cache_clear()


def _metadata(entries: list[str] | None):  # type: ignore[no-untyped-def]
    """A stand-in for importlib.metadata.metadata: these Project-URL entries, or not installed."""
    from email.message import Message
    from importlib.metadata import PackageNotFoundError

    def metadata(name: str) -> Message:
        if entries is None:
            raise PackageNotFoundError(name)
        message = Message()
        for entry in entries:
            message["Project-URL"] = entry
        return message

    return metadata


def test_rule_pages_are_read_from_the_installed_metadata(fresh_urls, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import importlib.metadata

    monkeypatch.setattr(
        importlib.metadata, "metadata", _metadata(["Homepage, https://example.org/repo", "documentation, https://docs.example.org/lint"])
    )
    assert fresh_urls.rule_docs_uri("mlf601") == "https://docs.example.org/lint/rules/MLF601/"
    assert fresh_urls.homepage_uri() == "https://example.org/repo"
    assert fresh_urls.load_catalog()["MLF402"].docs_uri == "https://docs.example.org/lint/rules/MLF402/"


def test_without_metadata_the_checkout_pyproject_is_read(fresh_urls, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "metadata", _metadata(None))
    assert fresh_urls.rule_docs_uri("MLF601") == "https://mlflow-lint.github.io/mlflow-lint/rules/MLF601/"
    assert fresh_urls.homepage_uri() == "https://github.com/mlflow-lint/mlflow-lint"


def test_without_any_declared_site_the_page_source_in_the_repository(fresh_urls, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    import importlib.metadata

    monkeypatch.setattr(importlib.metadata, "metadata", _metadata(None))
    monkeypatch.setattr(fresh_urls, "_checkout_urls", dict)
    assert fresh_urls.docs_site_uri() is None
    assert fresh_urls.rule_docs_uri("MLF601") == "https://github.com/mlflow-lint/mlflow-lint/blob/main/docs/rules/MLF601.md"
    assert (ROOT / "docs" / "rules" / "MLF601.md").is_file()
