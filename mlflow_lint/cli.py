"""The ``mlflow-lint`` command line. Exit codes: 0 clean, 1 findings, 2 usage/config error."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from mlflow_lint import __version__

if TYPE_CHECKING:
    from mlflow_lint.baseline import Baseline
    from mlflow_lint.catalog import Catalog
    from mlflow_lint.config import Config, ConfigResolver
    from mlflow_lint.diff_mode import ChangedLines
    from mlflow_lint.findings import Finding

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


class ConfigurationProblem(click.ClickException):
    """A bad configuration file, key, rule code or output path: exit 2, no usage banner."""

    exit_code = EXIT_ERROR


def _split_codes(values: Sequence[str]) -> tuple[str, ...]:
    """``--select MLF6,MLF101 --select MLF2`` -> ("MLF6", "MLF101", "MLF2")."""
    return tuple(code.strip() for value in values for code in value.split(",") if code.strip())


def _use_colour(output_is_file: bool) -> bool | None:
    if output_is_file or os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return None  # click decides: colour only on a TTY


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mlflow-lint")
def cli() -> None:
    """Static analysis for MLflow governance: tracking stores, registry aliases, lineage, secrets."""


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["text", "json", "sarif", "github"]), default="text", show_default=True, help="Report format: text, json, sarif (SARIF 2.1.0 for GitHub code scanning) or github (workflow-command annotations).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file instead of standard output.")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the configured selection), e.g. MLF6,MLF101.")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable in addition to the selection.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Configuration file (pyproject.toml or .mlflow-lint.yaml); default: found from the first path upward.")
@click.option("--diff", "diff_ref", metavar="REF", help="Report only findings on lines added or changed since the merge base of REF and the working tree (e.g. origin/main).")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False, path_type=Path), help="Report only findings that are not in this baseline file.")
@click.option("--write-baseline", "write_baseline_path", type=click.Path(dir_okay=False, path_type=Path), help="Record every current finding in this baseline file, and exit 0.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when there are findings.")
@click.option("--statistics", is_flag=True, help="Show the number of findings per rule.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes for the lint and the fixes (default: CPU count; small runs use one).")
@click.option("--no-cache", is_flag=True, help="Analyse every file afresh; neither read nor write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), envvar="MLFLOW_LINT_CACHE_DIR", help="Where the result cache lives (default: .mlflow_lint_cache in the configuration's directory; env MLFLOW_LINT_CACHE_DIR).")
@click.option("--include-tests", is_flag=True, default=None, help="Also show findings in test code (counted but not shown by default; config include-tests).")
@click.option("--verbose", "-v", is_flag=True, help="Also list skipped paths and the configuration used, on standard error.")
@click.option("--fix", "apply_fixes", is_flag=True, help="Apply the safe fixes to the files, then report what remains.")
@click.option("--unsafe-fixes", is_flag=True, help="Also apply the unsafe fixes (implies --fix); review the result, e.g. with --diff-fixes first.")
@click.option("--diff-fixes", is_flag=True, help="Print the fixes as a unified diff and write nothing (implies --fix).")
@click.option("--dry-run", is_flag=True, help="With --fix or --unsafe-fixes: write nothing, print the diff (same as --diff-fixes).")
def check(
    paths: tuple[Path, ...],
    output_format: str,
    output: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: Path | None,
    diff_ref: str | None,
    baseline_path: Path | None,
    write_baseline_path: Path | None,
    exit_zero: bool,
    statistics: bool,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    include_tests: bool | None,
    verbose: bool,
    apply_fixes: bool,
    unsafe_fixes: bool,
    diff_fixes: bool,
    dry_run: bool,
) -> None:
    """Lint PATHS (files or directories; default: the current directory)."""
    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.config import ConfigError

    targets = list(paths) or [Path(".")]
    catalog = load_catalog()
    resolver, config, selection = _configuration(catalog, targets, config_path, select, extend_select, ignore)
    selection(config)  # a bad rule code in the first configuration exits 2 before any work
    if write_baseline_path is not None and (baseline_path is not None or diff_ref is not None):
        raise click.UsageError("--write-baseline records every current finding; it cannot be combined with --baseline or --diff")
    if dry_run and not (apply_fixes or unsafe_fixes):
        raise click.UsageError("--dry-run applies to --fix or --unsafe-fixes")
    fixing = apply_fixes or unsafe_fixes or diff_fixes
    if fixing and (diff_ref is not None or baseline_path is not None or write_baseline_path is not None):
        raise click.UsageError("--fix, --unsafe-fixes and --diff-fixes fix every finding; they cannot be combined with --diff, --baseline or --write-baseline")
    changes = _changes_since(diff_ref, targets[0], verbose) if diff_ref is not None else None
    baseline = _read_baseline(baseline_path) if baseline_path is not None else None

    _tune_garbage_collection()
    from mlflow_lint.cache import CACHE_DIRECTORY_NAME
    from mlflow_lint.engine import lint_paths  # after the configuration is known good: exit 2 stays fast

    cache_directory = None if no_cache else (cache_dir or config.root / CACHE_DIRECTORY_NAME)
    progress = _Progress.on_terminal()
    try:
        result = lint_paths(
            targets,
            resolver,
            selection,
            jobs=jobs,
            only=changes.touches if changes is not None else None,
            cache_dir=cache_directory,
            progress=progress,
            include_tests=include_tests or None,
        )
    except ConfigError as error:  # a sub-project's configuration file
        raise ConfigurationProblem(str(error)) from None
    progress.finish()
    if verbose:
        _describe_configurations(result.configurations, selection)
    if result.cache_note is not None:
        click.echo(f"mlflow-lint: note: {result.cache_note}", err=True)
    fix_summary = None
    if fixing:
        fix_summary = _run_fixes(result.findings, resolver, selection, unsafe_fixes, diff_fixes or dry_run, output, jobs)
        # what remains, with fresh positions
        result = lint_paths(targets, resolver, selection, jobs=jobs, cache_dir=cache_directory, include_tests=include_tests or None)
    if verbose and cache_directory is not None and result.cache_note is None:
        click.echo(f"result cache: {cache_directory} ({result.cached} of {result.files_checked} files unchanged)", err=True)
        if result.cache_detail is not None:
            click.echo(f"result cache: {result.cache_detail}", err=True)
    if write_baseline_path is not None:
        _write_baseline(result.findings, write_baseline_path)
    every_finding = result.findings  # SARIF fingerprints count identical findings among all of them
    result.findings = _not_yet_accepted(result.findings, changes, baseline)

    from mlflow_lint.findings import in_shadow
    from mlflow_lint.reporters.text import printable  # a file name must not drive the terminal or the CI log

    for path in result.unsupported:
        click.echo(f"mlflow-lint: warning: {printable(path)} was not checked: not a file type mlflow-lint reads", err=True)
    if verbose:
        for path, reason in result.skipped:
            click.echo(f"skipped {printable(path)}: {printable(reason)}", err=True)
    colour: bool | None = False
    # Reports show the configured severities ([tool.mlflow-lint.severity]); shadow-mode
    # rules are reported and marked, and never fail the run. Each finding carries both from
    # its own file's configuration (lint_paths marks them), whatever order paths came in.
    hidden = result.hidden_in_tests
    if output_format == "json":
        from mlflow_lint.reporters.json_report import render_json

        report = render_json(
            result.findings, catalog, result.files_checked, result.files_analysed, hidden_in_tests=hidden,
            context=[*every_finding, *result.waived],
        )  # fmt: skip
    elif output_format == "sarif":
        from mlflow_lint.reporters.sarif import render_sarif

        cwd = Path.cwd()
        report = render_sarif(
            result.findings, catalog, source_root=_repository_root(cwd), cwd=cwd, skipped=result.skipped,
            context=every_finding, hidden_in_tests=hidden,
        )  # fmt: skip
    elif output_format == "github":
        from mlflow_lint.reporters.github import render_github

        cwd = Path.cwd()
        report = render_github(result.findings, catalog, source_root=_repository_root(cwd), cwd=cwd)
    else:
        from mlflow_lint.reporters.text import render_text

        colour = _use_colour(output is not None)
        report = render_text(
            result.findings, catalog, result.files_checked, statistics=statistics, style=click.style,
            hidden_in_tests=hidden,
        )  # fmt: skip

    if output is not None:
        from mlflow_lint.safe_io import write_atomically

        try:
            output.parent.mkdir(parents=True, exist_ok=True)
            write_atomically(output, click.unstyle(report))  # never through a committed link
        except OSError as exc:
            raise ConfigurationProblem(f"cannot write report to {output}: {exc.strerror or exc}") from None
    else:
        click.echo(report, nl=False, color=colour)
    if fix_summary is not None:
        click.echo(fix_summary, err=output_format != "text" or output is not None)
    failing = [finding for finding in result.findings if not in_shadow(finding)]
    sys.exit(EXIT_FINDINGS if failing and not exit_zero else EXIT_CLEAN)


class _Progress:
    """A "checked N/M files" line on standard error, redrawn in place: only on a terminal
    (never in pipes or CI logs), and only once a run has taken longer than two seconds."""

    DELAY = 2.0

    def __init__(self, enabled: bool) -> None:
        import time

        self.enabled = enabled
        self.started = time.monotonic()
        self.shown = False
        self.last = 0.0

    @classmethod
    def on_terminal(cls) -> _Progress:
        stream = sys.stderr
        interactive = stream is not None and stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"
        return cls(interactive)

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        import time

        now = time.monotonic()
        if now - self.started < self.DELAY or (now - self.last < 0.1 and done < total):
            return
        self.last = now
        self.shown = True
        sys.stderr.write(f"\rmlflow-lint: checked {done}/{total} files")
        sys.stderr.flush()

    def finish(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")  # erase the line: the report follows
            sys.stderr.flush()
            self.shown = False


def _changes_since(ref: str, start: Path, verbose: bool) -> ChangedLines:
    from mlflow_lint.diff_mode import DiffError, changed_lines

    try:
        changes = changed_lines(ref, start.resolve())
    except DiffError as error:
        raise ConfigurationProblem(str(error)) from None
    if verbose:
        click.echo(f"--diff {ref}: merge base {changes.base[:12]}, {len(changes.files)} changed files", err=True)
    return changes


def _read_baseline(path: Path) -> Baseline:
    from mlflow_lint.baseline import BaselineError, load_baseline

    try:
        return load_baseline(path)
    except BaselineError as error:
        raise ConfigurationProblem(str(error)) from None


def _write_baseline(findings: list[Finding], path: Path) -> NoReturn:
    from mlflow_lint.baseline import BaselineError, write_baseline

    try:
        write_baseline(findings, path, Path.cwd())
    except BaselineError as error:
        raise ConfigurationProblem(str(error)) from None
    noun = "finding" if len(findings) == 1 else "findings"
    click.echo(f"mlflow-lint: recorded {len(findings)} {noun} in the baseline {path}", err=True)
    sys.exit(EXIT_CLEAN)


def _not_yet_accepted(findings: list[Finding], changes: ChangedLines | None, baseline: Baseline | None) -> list[Finding]:
    """Findings on changed lines (``--diff``) that the baseline does not hold."""
    cwd = Path.cwd()
    if changes is not None:
        findings = [finding for finding in findings if changes.covers(finding, cwd)]
    if baseline is not None:
        if baseline.outdated:
            click.echo(
                "mlflow-lint: note: the baseline was written by an older mlflow-lint, which hashed flagged code "
                "unmasked; rewrite it with --write-baseline (its unmatched entries match by rule and path meanwhile)",
                err=True,
            )
        findings, accepted = baseline.split(findings, cwd)
        if accepted:
            noun = "finding" if len(accepted) == 1 else "findings"
            click.echo(f"mlflow-lint: {len(accepted)} {noun} in the baseline not reported", err=True)
    return findings


def _configuration(
    catalog: Catalog,
    targets: list[Path],
    config_path: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
) -> tuple[ConfigResolver, Config, Callable[[Config], frozenset[str]]]:
    """Each file's configuration (the nearest one above it, within its project; or the one
    ``--config`` names for every file), the configuration of the run (the first path's:
    where the cache lives and how reports are rendered), and the rules a configuration
    enables once the command line's ``--select``/``--extend-select``/``--ignore`` apply."""
    from mlflow_lint.config import ConfigError, ConfigResolver, check_selectors, load_config, resolve_selection

    try:
        cli_select, cli_extend, cli_ignore = _split_codes(select), _split_codes(extend_select), _split_codes(ignore)
        for flag, codes in (("--select", cli_select), ("--extend-select", cli_extend), ("--ignore", cli_ignore)):
            check_selectors(codes, catalog, f"option {flag}")
        fixed = load_config(config_path, catalog) if config_path is not None else None
        resolver = ConfigResolver(catalog, fixed=fixed)
        run_config = resolver.for_file(targets[0], targets[0])
    except ConfigError as error:
        raise ConfigurationProblem(str(error)) from None

    def selection(config: Config) -> frozenset[str]:
        return resolve_selection(
            catalog, cli_select if cli_select else config.select, config.extend_select + cli_extend, config.ignore + cli_ignore
        )

    return resolver, run_config, selection


def _describe_configurations(configurations: list[Config], selection: Callable[[Config], frozenset[str]]) -> None:
    """``--verbose``: the configuration file each project root used, and its rules."""
    from mlflow_lint.reporters.text import printable

    for config in sorted(configurations, key=lambda c: str(c.path or "")):
        where = printable(str(config.path)) if config.path is not None else "defaults (no configuration file found)"
        click.echo(f"configuration: {where}", err=True)
        click.echo(f"  rules enabled: {', '.join(sorted(selection(config))) or 'none'}", err=True)


def _run_fixes(
    findings: list[Finding],
    config: ConfigResolver,
    enabled: Callable[[Config], frozenset[str]],
    unsafe: bool,
    diff_only: bool,
    output: Path | None,
    jobs: int | None,
) -> str:
    """Apply (or, with ``diff_only``, print as a diff and exit) the fixes; the summary line.

    ``--diff-fixes`` exits 1 when there is something to fix, 0 otherwise."""
    from mlflow_lint.fixes.apply import NOTES, fix_paths
    from mlflow_lint.reporters.text import printable  # a file name must not drive the terminal
    from mlflow_lint.safe_io import write_atomically

    fixed = fix_paths(findings, config, enabled, unsafe=unsafe, jobs=jobs)
    count = sum(len(result.applied) for result in fixed)
    more = sum(result.more_with_unsafe for result in fixed)
    for result in fixed:
        for problem in result.dropped:
            click.echo(f"mlflow-lint: {printable(result.shown)}: {problem}", err=True)
    noun = "finding" if count == 1 else "findings"
    extra = f" ({more} more with --unsafe-fixes)" if more else ""
    if diff_only:
        diff = "".join(result.diff() for result in fixed if result.changed)
        if output is not None:
            try:
                write_atomically(output, diff)
            except OSError as exc:
                raise ConfigurationProblem(f"cannot write the fixes to {output}: {exc.strerror or exc}") from None
        else:
            click.echo(diff, nl=False)
        click.echo(f"mlflow-lint: would fix {count} {noun}{extra}", err=True)
        sys.exit(EXIT_FINDINGS if diff else EXIT_CLEAN)
    for result in fixed:
        if result.changed and result.path is not None:
            try:
                # The file read (also when its name is not UTF-8), all or nothing: a full disk
                # must not truncate a source file.
                write_atomically(result.path, result.fixed)
            except OSError as exc:
                raise ConfigurationProblem(f"cannot write the fixed {printable(result.shown)}: {exc.strerror or exc}") from None
    for name in sorted({name for result in fixed for name in result.fixes_used if name in NOTES}):
        click.echo(f"mlflow-lint: note: {NOTES[name]}", err=True)  # a safe fix asks nothing of the user
    return f"Fixed {count} {noun}{extra}."


def _repository_root(cwd: Path) -> Path:
    """The enclosing git work tree (what GitHub resolves report paths against), else ``cwd``."""
    from mlflow_lint.discovery import git_root

    resolved = cwd.resolve()
    return git_root(resolved) or resolved


@cli.group()
def config() -> None:
    """Inspect the configuration mlflow-lint uses."""


@config.command("show")
@click.argument("path", type=click.Path(exists=True, path_type=Path), default=Path("."))
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Show this configuration file's settings instead of the one PATH would use.")
def config_show(path: Path, config_path: Path | None) -> None:
    """Print the effective configuration of PATH (a file or directory): which configuration
    file applies to it (the nearest one above it, within its project), and every setting,
    defaults included."""
    import dataclasses
    import json

    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.config import resolve_selection

    catalog = load_catalog()
    _, config, _ = _configuration(catalog, [path], config_path, (), (), ())
    options = config.rule_options()
    settings = {
        "configuration": str(config.path) if config.path is not None else None,
        "root": str(config.root.resolve()),
        "rules-enabled": sorted(resolve_selection(catalog, config.select, config.extend_select, config.ignore)),
        "select": list(config.select) if config.select is not None else None,
        "extend-select": list(config.extend_select),
        "ignore": list(config.ignore),
        "exclude": list(config.exclude),
        "per-file-ignores": {pattern: list(codes) for pattern, codes in config.per_file_ignores},
        # Every rule option, as the configuration key spells it.
        **{
            name.replace("_", "-"): dict(value) if name == "stage_aliases" else list(value)
            for name, value in ((f.name, getattr(options, f.name)) for f in dataclasses.fields(options))
            if name not in ("root", "exclude")
        },
        "include-tests": config.include_tests,
        "severity": dict(config.severity),
        "shadow": list(config.shadow),
    }
    click.echo(json.dumps(settings, indent=2, ensure_ascii=False))


@cli.command()
@click.option("--format", "output_format", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True)
def rules(output_format: str) -> None:
    """List every rule of the catalog."""
    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.reporters import rules_report

    catalog = load_catalog()
    render = {"text": rules_report.rules_text, "json": rules_report.rules_json, "markdown": rules_report.rules_markdown}
    click.echo(render[output_format](catalog), nl=False)


@cli.command()
@click.argument("rule_id")
def explain(rule_id: str) -> None:
    """Show the documentation of one rule (by id, e.g. MLF601, or by name)."""
    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.reporters.rules_report import explain as render_explanation

    catalog = load_catalog()
    rule = catalog.get(rule_id) or next((r for r in catalog if r.name == rule_id.lower()), None)
    if rule is None:
        raise click.UsageError(f"unknown rule '{rule_id}' (see `mlflow-lint rules`)")
    click.echo(render_explanation(rule), nl=False)


@cli.command()
@click.option("--stdio", is_flag=True, help="Talk LSP over standard input and output (the default and only transport; accepted because editors pass it).")
def server(stdio: bool) -> None:
    """Run the language server (LSP over standard input and output) for editors:
    diagnostics on the unsaved buffer, quick fixes, reasoned noqa suppressions, and each
    rule's documentation on hover. Needs the lsp extra: pip install 'mlflow-lint[lsp]'."""
    from mlflow_lint.lsp import missing_dependency

    problem = missing_dependency()
    if problem is not None:
        click.echo(f"mlflow-lint: error: {problem}", err=True)
        sys.exit(EXIT_ERROR)
    from mlflow_lint.lsp.server import serve

    serve()


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option("--output", "-o", "outputs", multiple=True, type=click.Path(dir_okay=False, path_type=Path), help="Write the report to this file: report.html, report.md or report.json (the suffix picks the format); repeat for several formats from one analysis.")
@click.option("--format", "output_format", type=click.Choice(["html", "markdown", "json"]), default=None, help="Report format (default: from the --output suffix, else markdown on standard output).")
@click.option("--compare", "compare_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="A previous audit's JSON report (or a `check --format json` report): show what changed since.")
@click.option("--baseline", "audit_baseline", type=click.Path(dir_okay=False, path_type=Path), help="A `check --write-baseline` file: show which gaps are new since it and how many it accepted.")
@click.option("--select", multiple=True, help="Rule codes or prefixes to enable (replaces the configured selection).")
@click.option("--extend-select", multiple=True, help="Rule codes or prefixes to enable in addition to the selection.")
@click.option("--ignore", multiple=True, help="Rule codes or prefixes to disable.")
@click.option("--config", "config_path", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="Configuration file (pyproject.toml or .mlflow-lint.yaml); default: found from the first path upward.")
@click.option("--date", "date_option", default=None, help="Report date (ISO 8601) instead of now; SOURCE_DATE_EPOCH is honoured too.")
@click.option("--fail-under", type=click.IntRange(0, 100), default=None, help="Exit 1 when the overall score is below this (0-100).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, help="Worker processes for the lint and the autofix column (default: CPU count).")
@click.option("--no-cache", is_flag=True, help="Analyse every file afresh; neither read nor write the result cache.")
@click.option("--cache-dir", type=click.Path(file_okay=False, path_type=Path), envvar="MLFLOW_LINT_CACHE_DIR", help="Where the result cache lives (default: .mlflow_lint_cache in the configuration's directory; env MLFLOW_LINT_CACHE_DIR). The audit keeps its own entries beside check's.")
@click.option("--summary", "summary_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write a Markdown summary that fits a pull-request comment or a job summary (at most 60,000 characters): verdict, scorecard, top risks, quick wins, what changed.")
@click.option("--issues", "issues_path", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Also write one issue per backlog group, to create in a tracker: issues.json (for a script) or issues.md (the suffix picks the format).")
def audit(
    paths: tuple[Path, ...],
    outputs: tuple[Path, ...],
    output_format: str | None,
    compare_path: Path | None,
    audit_baseline: Path | None,
    select: tuple[str, ...],
    extend_select: tuple[str, ...],
    ignore: tuple[str, ...],
    config_path: Path | None,
    date_option: str | None,
    fail_under: int | None,
    jobs: int | None,
    no_cache: bool,
    cache_dir: Path | None,
    summary_path: Path | None,
    issues_path: Path | None,
) -> None:
    """Write the pillar audit of PATHS: scorecard, evidence per pillar, gaps, inventory.

    Exit 0 when the report is written (gaps are the report's content, not a failure),
    1 with --fail-under when the score is lower, 2 on a usage or configuration error.
    """
    from mlflow_lint.audit import AuditInput, build_audit, format_for_suffix, render
    from mlflow_lint.audit.compare import PreviousReportError, load_previous
    from mlflow_lint.audit.header import DateError, report_date
    from mlflow_lint.audit.issues import format_for_suffix as issues_format_for_suffix
    from mlflow_lint.baseline import BaselineError, load_baseline
    from mlflow_lint.catalog import load_catalog
    from mlflow_lint.config import ConfigError

    if output_format is not None and len(outputs) > 1:
        raise click.UsageError("--format applies to one --output; with several, each file's suffix picks its format")
    destinations: list[tuple[Path | None, str]] = []
    for output_path in outputs:
        found = output_format or format_for_suffix(output_path.suffix)
        if found is None:
            raise click.UsageError(f"cannot tell the report format from '{output_path.name}': use .html, .md or .json, or --format")
        destinations.append((output_path, found))
    issues_format = None
    if issues_path is not None:
        issues_format = issues_format_for_suffix(issues_path.suffix)
        if issues_format is None:
            suffix = f"the suffix '{issues_path.suffix}'" if issues_path.suffix else "a name without a suffix"
            raise click.UsageError(f"cannot tell the issues format from {suffix} ('{issues_path.name}'): use .json or .md")
    _refuse_one_file_twice(outputs, summary_path, issues_path)
    if not destinations:
        destinations.append((None, output_format or "markdown"))
    targets = list(paths) or [Path(".")]
    catalog = load_catalog()
    # Each file is linted with its nearest configuration, as `check` lints it (one pipeline:
    # the same findings); the first path's configuration is the report's (header, scoring).
    resolver, config, selection = _configuration(catalog, targets, config_path, select, extend_select, ignore)
    try:
        date = report_date(date_option)
        previous = load_previous(compare_path) if compare_path is not None else None
        baseline = (audit_baseline, load_baseline(audit_baseline)) if audit_baseline is not None else None
    except (DateError, PreviousReportError, BaselineError) as error:
        raise ConfigurationProblem(str(error)) from None
    enabled = selection(config)
    _tune_garbage_collection()
    from mlflow_lint.cache import CACHE_DIRECTORY_NAME

    cache_directory = None if no_cache else (cache_dir or config.root / CACHE_DIRECTORY_NAME)
    request = AuditInput(
        targets, config, enabled, catalog, date, Path.cwd(), jobs, [str(p) for p in paths] or ["."], cache_directory,
        resolver=resolver, selection=selection,
    )  # fmt: skip
    try:
        document = build_audit(request, previous, baseline)
    except ConfigError as error:  # a sub-project's configuration file
        raise ConfigurationProblem(str(error)) from None
    summary = document["summary"]
    for output, chosen in destinations:
        report = render(document, chosen)
        if output is None:
            click.echo(report, nl=False)
            continue
        _write_audit_file(output, report, "report", summary)
    if summary_path is not None:
        from mlflow_lint.audit.summary import render_summary

        _write_audit_file(summary_path, render_summary(document, [str(output) for output in outputs]), "summary", summary)
    if issues_path is not None and issues_format is not None:
        from mlflow_lint.audit.issues import render_issues

        _write_audit_file(issues_path, render_issues(document, issues_format), "issues", summary)
    score = summary["score"]
    sys.exit(EXIT_FINDINGS if fail_under is not None and score is not None and score < fail_under else EXIT_CLEAN)


def _refuse_one_file_twice(outputs: Sequence[Path], summary_path: Path | None, issues_path: Path | None) -> None:
    """--summary and --issues write files of their own: naming a report file (or each
    other) would have one output silently replace another."""
    taken = {os.path.abspath(output): "--output" for output in outputs}
    for option, path in (("--summary", summary_path), ("--issues", issues_path)):
        if path is None:
            continue
        other = taken.get(os.path.abspath(path))
        if other is not None:
            raise click.UsageError(f"{option} {path} names the same file as {other}")
        taken[os.path.abspath(path)] = option


def _write_audit_file(path: Path, content: str, what: str, summary: dict[str, Any]) -> None:
    """Write one of the audit's files atomically (never through a committed link) and say
    so on standard error, with the verdict; a failure is a clear error, exit 2."""
    from mlflow_lint.safe_io import write_atomically

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomically(path, content)
    except OSError as exc:
        raise ConfigurationProblem(f"cannot write {what} to {path}: {exc.strerror or exc}") from None
    shown = "n/a" if summary["score"] is None else f"{summary['score']}/100"
    found = f"{summary['findings']} finding{'' if summary['findings'] == 1 else 's'}"
    click.echo(f"mlflow-lint audit: {shown}, {summary['verdict']} ({found}); wrote {path}", err=True)


def _tune_garbage_collection() -> None:
    """Linting allocates millions of short-lived AST objects and few cycles (analysed
    modules release theirs when evicted), so the default generation-0 threshold makes
    the collector rescan the heap constantly: measured 32 s -> 21 s on a 2,000-file tree.
    The CLI owns its process, so it may tune this; the engine, a library, does not."""
    import gc

    gc.freeze()
    gc.set_threshold(100_000, 20, 100)


def _refuse_file_names_as_options(args: Sequence[str]) -> None:
    """Under pre-commit (which sets PRE_COMMIT=1), file names follow the hook's args on the
    command line: without a "--" before them, a committed file named ``--exit-zero`` or
    ``--output=serve.py`` would be read as an option and silently pass the gate or
    overwrite a file. The hook's default args are ["--"]; args of the user's own must end
    with it too, and a command line without it is refused rather than misread."""
    if os.environ.get("PRE_COMMIT") == "1" and args[:1] in (["check"], ["audit"]) and "--" not in args:
        click.echo(
            "mlflow-lint: error: under pre-commit the hook's args must end with \"--\" (file names follow them, "
            "and a file named like an option must not be read as one); e.g. args: [--baseline, baseline.json, --]",
            err=True,
        )
        sys.exit(EXIT_ERROR)


def _exit_on_interrupt(signum: int, frame: object) -> None:
    """Ctrl-C: end the pool's workers and exit 130 at once. A KeyboardInterrupt raised
    wherever the main thread happens to be (a fork handler, a pool's bookkeeping) can be
    swallowed or turn into another error; the console script owns its process, so it stops
    it here (every file it writes is written atomically, so nothing is left half-written)."""
    from mlflow_lint.workers import terminate_all

    terminate_all()
    try:
        sys.stderr.write("\nmlflow-lint: interrupted\n")
        sys.stderr.flush()
    finally:
        os._exit(130)


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entry point: no traceback ever reaches the user."""
    import signal

    args = list(argv) if argv is not None else sys.argv[1:]
    if argv is None and signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _exit_on_interrupt)  # not when embedded (argv given, or a handler of the host's)
    _refuse_file_names_as_options(args)
    try:
        # Not click's standalone mode: it turns Ctrl-C into "Aborted!" and exit 1, which a
        # CI script would read as "findings". An interruption is 130, as shells report it.
        code = cli.main(args=args, prog_name="mlflow-lint", standalone_mode=False)
    except SystemExit:
        raise
    except (KeyboardInterrupt, click.exceptions.Abort):
        click.echo("mlflow-lint: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as problem:
        problem.show()
        sys.exit(problem.exit_code)
    except Exception as exc:  # noqa: BLE001 - last line of defence for the user
        click.echo(
            f"mlflow-lint: internal error: {exc.__class__.__name__}: {exc}\n"
            "Please report this at https://github.com/mlflow-lint/mlflow-lint/issues",
            err=True,
        )
        sys.exit(EXIT_ERROR)
    sys.exit(code if isinstance(code, int) else EXIT_CLEAN)  # --help, --version


if __name__ == "__main__":
    main()
