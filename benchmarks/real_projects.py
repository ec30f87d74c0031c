"""Crash check on real MLflow projects: the installed mlflow-lint over every project at once,
then over each one separately. Zero crashes is the requirement.

A crash is any of: an exit code other than 0 (the runs use --exit-zero), a Python traceback
on stderr, output that is not the JSON report, or an MLF000 finding whose message says
"internal error" (a check that raised). MLF000 for a file that does not parse is not a crash
and is listed apart.

    benchmarks/.venv/bin/python benchmarks/real_projects.py [DIR ...] [--json PATH]

Without DIRs: every subdirectory of /work/realprojects (or $MLFLOW_LINT_REAL_PROJECTS).
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path

DEFAULT_ROOT = Path(os.environ.get("MLFLOW_LINT_REAL_PROJECTS", "/work/realprojects"))


@dataclass
class Outcome:
    label: str
    exit_code: int
    seconds: float
    files_checked: int | None = None
    findings: int | None = None
    by_rule: dict[str, int] = field(default_factory=dict)
    internal_errors: list[str] = field(default_factory=list)  # MLF000 "internal error"
    unparsable: list[str] = field(default_factory=list)  # other MLF000: bad input, not a crash
    problems: list[str] = field(default_factory=list)  # why this run counts as a crash

    @property
    def crashed(self) -> bool:
        return bool(self.problems or self.internal_errors)


def lint(mlflow_lint: str, dirs: list[Path], label: str, extra: list[str]) -> Outcome:
    command = [mlflow_lint, "check", "--format", "json", "--exit-zero", *extra, *map(str, dirs)]
    start = time.perf_counter()
    proc = subprocess.run(command, check=False, capture_output=True, text=True, errors="replace")
    outcome = Outcome(label, proc.returncode, time.perf_counter() - start)
    if proc.returncode != 0:
        outcome.problems.append(f"exit code {proc.returncode}")
    if "Traceback (most recent call last)" in proc.stderr:
        outcome.problems.append("traceback on stderr:\n" + proc.stderr[-3000:])
    try:
        report = json.loads(proc.stdout)
    except json.JSONDecodeError:
        outcome.problems.append(f"stdout is not JSON: {proc.stdout[:300]!r}; stderr: {proc.stderr[-500:]!r}")
        return outcome
    outcome.files_checked = report["summary"]["files_checked"]
    outcome.findings = len(report["findings"])
    outcome.by_rule = dict(collections.Counter(f["rule"] for f in report["findings"]))
    for finding in report["findings"]:
        if finding["rule"] != "MLF000":
            continue
        where = f"{finding['path']}:{finding['line']}: {finding['message']}"
        if re.search(r"internal error", finding["message"], re.IGNORECASE):
            outcome.internal_errors.append(where)
        else:
            outcome.unparsable.append(where)
    return outcome


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dirs", nargs="*", type=Path, help=f"project directories (default: those in {DEFAULT_ROOT})")
    default_lint = Path(sys.executable).parent / "mlflow-lint"
    parser.add_argument("--mlflow-lint", default=str(default_lint) if default_lint.exists() else "mlflow-lint")
    parser.add_argument("--json", type=Path, help="also write every outcome to this file")
    args = parser.parse_args()

    dirs = args.dirs or sorted(p for p in DEFAULT_ROOT.iterdir() if p.is_dir() and not p.name.startswith("."))
    if not dirs or not all(d.is_dir() for d in dirs):
        print(f"not directories: {[str(d) for d in dirs if not d.is_dir()] or 'none given'}", file=sys.stderr)
        return 2
    if not shutil.which(args.mlflow_lint):
        print(f"{args.mlflow_lint} not found", file=sys.stderr)
        return 2
    # Keep the result cache out of the projects' directories, where it would land by default.
    help_run = subprocess.run([args.mlflow_lint, "check", "--help"], check=False, capture_output=True, text=True)
    extra = ["--no-cache"] if "--no-cache" in help_run.stdout else []

    together = lint(args.mlflow_lint, dirs, f"all {len(dirs)} at once", extra)
    separate = [lint(args.mlflow_lint, [d], d.name, extra) for d in dirs]

    print("| run | exit | seconds | files checked | findings | MLF000 internal | MLF000 unparsable | crash |")
    print("|---|---|---|---|---|---|---|---|")
    for o in [together, *separate]:
        print(f"| {o.label} | {o.exit_code} | {o.seconds:.1f} | {o.files_checked} | {o.findings} | "
              f"{len(o.internal_errors)} | {len(o.unparsable)} | {'CRASH' if o.crashed else 'no'} |")
    print()
    per_rule = ", ".join(f"{rule} {n}" for rule, n in sorted(together.by_rule.items()))
    print(f"findings per rule (all at once): {per_rule}")
    sum_files = sum(o.files_checked or 0 for o in separate)
    sum_findings = sum(o.findings or 0 for o in separate)
    print(f"separately: {sum_files} files, {sum_findings} findings; at once: "
          f"{together.files_checked} files, {together.findings} findings")
    for o in [together, *separate]:
        for line in o.problems + o.internal_errors:
            print(f"{o.label}: {line}")
        for line in o.unparsable:
            print(f"{o.label}: unparsable (not a crash): {line}")
    crashes = sum(o.crashed for o in [together, *separate])
    print(f"crashes: {crashes}")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps([asdict(o) for o in [together, *separate]], indent=2) + "\n", encoding="utf-8")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
