"""Maintainer benchmark: mlflow-lint against ruff, semgrep and a bare ``ast.parse``.

Every measurement is one whole process (start-up included), repeated ``--runs`` times; the
table reports the median and the minimum wall time, and the peak memory. Run it through
``benchmarks/run.sh``, which installs the tools into ``benchmarks/.venv``; see README.md
("Performance") for the numbers and how to read them.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
SEMGREP_RULES = HERE / "semgrep-rules.yaml"
# The venv's bin directory; not resolved, so that a venv's python symlink still finds its tools.
BIN = Path(sys.executable).parent

# The pre-commit case: a handful of files a developer touched.
FIVE_FILES = (
    "mlflow/tracking/fluent.py",
    "mlflow/pyfunc/__init__.py",
    "mlflow/server/handlers.py",
    "mlflow/sklearn/__init__.py",
    "examples/sklearn_elasticnet_wine/train.py",
)

# Directories no linter descends into by default (ruff's and mlflow-lint's defaults agree on
# these); the .py list given to semgrep and ast.parse leaves them out too.
SKIPPED_DIRS = frozenset(
    {".git", ".hg", ".svn", "__pycache__", "node_modules", ".tox", ".nox", ".venv", "venv",
     "build", "dist", "site-packages", ".mypy_cache", ".pytest_cache", ".ruff_cache"}
)

# Reads and parses every file named in argv[1], in one process: the floor any Python
# analyzer built on `ast` pays.
AST_PARSE_SCRIPT = """
import ast, sys
for path in open(sys.argv[1], encoding="utf-8").read().splitlines():
    with open(path, "rb") as f:
        source = f.read()
    try:
        ast.parse(source, path)
    except (SyntaxError, ValueError):
        pass
"""

# Semgrep must neither phone home nor look for updates; the rules are a local file.
SEMGREP_ENV = {"SEMGREP_ENABLE_VERSION_CHECK": "0", "SEMGREP_SEND_METRICS": "off"}

TIME_BIN = "/usr/bin/time"
MIB = 1024 * 1024
SAMPLE_INTERVAL = 0.05  # seconds between two samples of the process tree's memory


@dataclass
class Target:
    key: str  # "mlflow-tree", "small-project", "5-files"
    label: str
    cwd: Path
    paths: list[str]  # what the linters are given, relative to cwd
    py_files: list[str]  # the .py files semgrep and ast.parse are given, relative to cwd


@dataclass
class Result:
    tool: str
    target: str
    command: list[str]
    walls: list[float] = field(default_factory=list)
    max_rss_mib: list[float] = field(default_factory=list)  # largest single process (%M)
    tree_pss_mib: list[float] = field(default_factory=list)  # sampled sum over the tree
    error: str | None = None

    @property
    def median(self) -> float:
        return statistics.median(self.walls)


# ---------------------------------------------------------------- measuring one process


def _children_of(pid: int) -> list[int]:
    """Direct children of pid, from /proc (no /proc/<pid>/task/*/children on every kernel)."""
    children = []
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", encoding="ascii", errors="replace") as f:
                stat = f.read()
        except OSError:
            continue
        # The command name is in parentheses and may contain spaces: split after the last ')'.
        fields = stat[stat.rfind(")") + 2 :].split()
        if len(fields) > 1 and int(fields[1]) == pid:
            children.append(int(entry.name))
    return children


def _pss_kib(pid: int) -> int:
    # PSS, not RSS: forked workers share their parent's pages, and RSS would count them twice.
    try:
        with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pss:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class TreeSampler(threading.Thread):
    """Samples the summed PSS of a process and all its descendants until stopped."""

    def __init__(self, root: int) -> None:
        super().__init__(daemon=True)
        self.root = root
        self.peak_kib = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while not self._stop_event.is_set():
            pids, frontier = [], [self.root]
            while frontier:
                pid = frontier.pop()
                pids.append(pid)
                frontier.extend(_children_of(pid))
            self.peak_kib = max(self.peak_kib, sum(_pss_kib(pid) for pid in pids))
            self._stop_event.wait(SAMPLE_INTERVAL)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


def run_once(command: list[str], cwd: Path, env: dict[str, str]) -> tuple[float, float, float]:
    """Wall seconds, peak RSS of the largest process (MiB), peak PSS of the tree (MiB).

    Each run gets its own /usr/bin/time, so its %M (the kernel's maxrss of the child and of
    everything the child waited for) belongs to this run only.
    """
    with tempfile.TemporaryDirectory(prefix="mlflow-lint-bench-") as tmp:
        rss_file, err_file = Path(tmp, "rss"), Path(tmp, "stderr")
        with err_file.open("wb") as stderr:
            start = time.perf_counter()
            proc = subprocess.Popen(
                [TIME_BIN, "-f", "%M", "-o", str(rss_file), *command],
                cwd=cwd, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=stderr,
            )
            sampler = TreeSampler(proc.pid)
            sampler.start()
            returncode = proc.wait()
            wall = time.perf_counter() - start
            sampler.stop()
        if returncode != 0:
            tail = err_file.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"exit code {returncode}: {' '.join(command[:6])} ...\n{tail}")
        max_rss_kib = int(rss_file.read_text().split()[-1])
    return wall, max_rss_kib / 1024, sampler.peak_kib / 1024


# ---------------------------------------------------------------- targets and tools


def python_files(root: Path) -> list[str]:
    found = []
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in SKIPPED_DIRS and not d.startswith("."))
        found.extend(
            os.path.relpath(os.path.join(dirpath, name), root)
            for name in sorted(filenames)
            if name.endswith(".py")
        )
    return found


def warm_page_cache(root: Path) -> None:
    """Read every file once, so no tool pays for the disk and the first one is not penalised."""
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            with contextlib.suppress(OSError):
                Path(dirpath, name).read_bytes()


def cache_options(mlflow_lint: str) -> set[str]:
    """Which of --cache-dir / --no-cache this mlflow-lint's `check` accepts, and "audit" when it has that command."""
    help_text = subprocess.run(
        [mlflow_lint, "check", "--help"], capture_output=True, text=True, check=True
    ).stdout
    found = {option for option in ("--cache-dir", "--no-cache") if re.search(rf"{option}\b", help_text)}
    commands = subprocess.run([mlflow_lint, "--help"], capture_output=True, text=True, check=True).stdout
    return found | ({"audit"} if re.search(r"^\s+audit\b", commands, re.MULTILINE) else set())


def version_of(command: list[str]) -> str:
    try:
        env = {**os.environ, **SEMGREP_ENV}
        out = subprocess.run(command, check=False, capture_output=True, text=True, timeout=120, env=env)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.TimeoutExpired):
        return "unknown"


@dataclass
class Tool:
    name: str
    build: Callable[[Target, Path], list[str]]  # (target, scratch dir of the run) -> command
    env: dict[str, str] = field(default_factory=dict)
    # Called once per target before the timed runs (the warm run's priming run).
    prepare: Callable[[Target, Path], None] | None = None


def make_tools(args: argparse.Namespace, options: set[str], scratch: Path) -> tuple[list[Tool], str]:
    lint = [args.mlflow_lint, "check", "--exit-zero"]

    # Cold: a fresh, empty cache directory per run (what a first run pays, cache writes
    # included); else --no-cache; else whatever the installed version does.
    def cold(target: Target, run_dir: Path) -> list[str]:
        if "--cache-dir" in options:
            return [*lint, "--cache-dir", str(run_dir / "lint-cache"), *target.paths]
        if "--no-cache" in options:
            return [*lint, "--no-cache", *target.paths]
        return [*lint, *target.paths]

    def warm_dir(target: Target) -> Path:
        return scratch / f"warm-cache-{target.key}"

    def warm(target: Target, _run_dir: Path) -> list[str]:
        return [*lint, "--cache-dir", str(warm_dir(target)), *target.paths]

    def prime(target: Target, _run_dir: Path) -> None:
        run_once(warm(target, _run_dir), target.cwd, dict(os.environ))

    def py_list_file(target: Target, run_dir: Path) -> str:
        list_file = run_dir / "files.txt"
        list_file.write_text("\n".join(target.py_files) + "\n", encoding="utf-8")
        return str(list_file)

    cold_how = (
        "fresh empty --cache-dir per run" if "--cache-dir" in options
        else "--no-cache" if "--no-cache" in options
        else "no cache options in this version (plain run)"
    )
    tools = [
        Tool("mlflow-lint cold", cold),
        Tool("ruff", lambda t, _d: [args.ruff, "check", "--no-cache", "--exit-zero", "--isolated", *t.paths]),
        Tool(
            "semgrep",
            # Files are named one by one: semgrep's default ignore list skips tests/, and the
            # other tools do read them.
            lambda t, _d: [args.semgrep, "scan", "--config", str(SEMGREP_RULES), "--metrics=off",
                           "--disable-version-check", "--quiet", *t.py_files],
            env=SEMGREP_ENV,
        ),
        Tool("ast.parse", lambda t, d: [sys.executable, "-c", AST_PARSE_SCRIPT, py_list_file(t, d)]),
    ]
    if "--cache-dir" in options:
        tools.insert(1, Tool("mlflow-lint warm", warm, prepare=prime))
    if "audit" in options:
        # The pillar audit, cold as `check` is: it takes its evidence from the lint's own
        # pass, so its cost over `check` is the evidence and the autofix column.
        def audit(target: Target, run_dir: Path) -> list[str]:
            cache = ["--cache-dir", str(run_dir / "audit-cache")] if "--cache-dir" in options else ["--no-cache"]
            return [args.mlflow_lint, "audit", *cache, "-o", str(run_dir / "audit.json"), *target.paths]

        tools.insert(2 if "--cache-dir" in options else 1, Tool("mlflow-lint audit cold", audit))
    return tools, cold_how


def make_targets(args: argparse.Namespace) -> list[Target]:
    tree, small = args.mlflow_tree.resolve(), args.small_project.resolve()
    missing = [name for name in FIVE_FILES if not (tree / name).is_file()]
    if missing:
        sys.exit(f"{tree} lacks {', '.join(missing)}: is it the opendatahub-io/mlflow tree?")
    return [
        Target("mlflow-tree", f"MLflow tree ({tree.name})", tree, ["."], python_files(tree)),
        Target("small-project", f"small project ({small.name})", small, ["."], python_files(small)),
        Target("5-files", "5 files in the MLflow tree", tree, list(FIVE_FILES), list(FIVE_FILES)),
    ]


# ---------------------------------------------------------------- running and reporting


def measure(tools: list[Tool], targets: list[Target], runs: int, scratch: Path) -> list[Result]:
    results: list[Result] = []
    for target in targets:
        warm_page_cache(target.cwd)
        per_tool = {}
        for tool in tools:
            per_tool[tool.name] = Result(tool.name, target.key, tool.build(target, scratch))
            if tool.prepare:
                try:
                    tool.prepare(target, scratch)
                except RuntimeError as error:
                    per_tool[tool.name].error = str(error)
        # Runs are interleaved (run 1 of every tool, then run 2, ...) so that a slow spell of
        # a noisy machine lands on every tool rather than on one.
        for i in range(runs):
            for tool in tools:
                result = per_tool[tool.name]
                if result.error:
                    continue
                with tempfile.TemporaryDirectory(prefix="run-", dir=scratch) as run_dir:
                    command = tool.build(target, Path(run_dir))
                    try:
                        wall, rss, pss = run_once(command, target.cwd, {**os.environ, **tool.env})
                    except RuntimeError as error:
                        result.error = str(error)
                        print(f"  {tool.name} on {target.key}: FAILED {error}", file=sys.stderr)
                        continue
                result.walls.append(wall)
                result.max_rss_mib.append(rss)
                result.tree_pss_mib.append(pss)
                print(f"  [{i + 1}/{runs}] {target.key:13} {tool.name:17} {wall:7.2f} s {rss:6.0f} MiB",
                      file=sys.stderr)
        results.extend(per_tool.values())
    return results


def _ratio(value: float, base: Result | None) -> str:
    if base is None or not base.walls:
        return "n/a"
    return f"{value / base.median:.2f}×"


def print_table(results: list[Result], targets: list[Target], cold_how: str) -> None:
    by_key = {(r.tool, r.target): r for r in results}
    header = ("tool", "target", "median s", "min s", "vs ruff", "vs semgrep", "peak RSS MiB", "tree PSS MiB")
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for target in targets:
        for result in (r for r in results if r.target == target.key):
            if not result.walls:
                cells = [result.tool, target.key, "n/a", "n/a", "n/a", "n/a", "n/a", "n/a"]
            else:
                cells = [
                    result.tool, target.key, f"{result.median:.2f}", f"{min(result.walls):.2f}",
                    _ratio(result.median, by_key.get(("ruff", target.key))),
                    _ratio(result.median, by_key.get(("semgrep", target.key))),
                    f"{statistics.median(result.max_rss_mib):.0f}",
                    f"{statistics.median(result.tree_pss_mib):.0f}",
                ]
            print("| " + " | ".join(cells) + " |")
    print()
    for target in targets:
        print(f"- {target.key}: {target.label}, {len(target.py_files)} .py files")
    print(f"- mlflow-lint cold: {cold_how}; warm: second and later runs on one --cache-dir")
    print("- peak RSS: the largest single process (GNU time %M); tree PSS: the sampled peak of "
          f"the summed PSS of the whole process tree (every {SAMPLE_INTERVAL * 1000:.0f} ms)")


def check_targets(results: list[Result]) -> list[dict[str, object]]:
    def median(tool: str, target: str) -> float | None:
        result = next((r for r in results if r.tool == tool and r.target == target), None)
        return result.median if result and result.walls else None

    checks: list[dict[str, object]] = []

    def check(name: str, value: float | None, limit: float | None, unit: str = "s") -> None:
        met = None if value is None or limit is None else value <= limit
        shown = "n/a" if value is None else f"{value:.2f} {unit}"
        bound = "n/a" if limit is None else f"{limit:.2f} {unit}"
        checks.append({"target": name, "value": value, "limit": limit, "met": met,
                       "text": f"{shown} (limit {bound})"})

    cold = median("mlflow-lint cold", "mlflow-tree")
    semgrep, ruff = median("semgrep", "mlflow-tree"), median("ruff", "mlflow-tree")
    check("cold on the MLflow tree ≤ 1/4 of semgrep", cold, semgrep / 4 if semgrep else None)
    check("cold on the MLflow tree ≤ 5× ruff", cold, ruff * 5 if ruff else None)
    for key, label in (("mlflow-tree", "the MLflow tree"), ("small-project", "the small project"), ("5-files", "5 files")):
        check(f"warm on {label} ≤ ruff cold", median("mlflow-lint warm", key), median("ruff", key))
    check("5 files, cold ≤ 0.3 s", median("mlflow-lint cold", "5-files"), 0.3)
    check("5 files, warm ≤ 0.3 s", median("mlflow-lint warm", "5-files"), 0.3)
    audit = median("mlflow-lint audit cold", "mlflow-tree")
    check("audit on the MLflow tree ≤ check + 10%", audit, cold * 1.1 if cold and audit else None)
    lint_runs = [r for r in results if r.tool.startswith("mlflow-lint") and r.walls]
    peak_rss = max((max(r.max_rss_mib) for r in lint_runs), default=None)
    peak_tree = max((max(r.tree_pss_mib) for r in lint_runs), default=None)
    check("peak memory ≤ 200 MiB (largest process)", peak_rss, 200.0, "MiB")
    check("peak memory ≤ 200 MiB (whole process tree, PSS)", peak_tree, 200.0, "MiB")
    return checks


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mlflow-tree", type=Path, default=Path("/work/realprojects/opendatahub-io__mlflow"),
                        help="an extracted opendatahub-io/mlflow tree")
    parser.add_argument("--small-project", type=Path,
                        default=Path("/work/realprojects/DataTalksClub__mlops-zoomcamp"),
                        help="a small real MLOps project (default: DataTalksClub/mlops-zoomcamp)")
    parser.add_argument("--runs", type=int, default=5, help="timed runs per tool and target (default 5)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers to this file")
    parser.add_argument("--targets", default="mlflow-tree,small-project,5-files",
                        help="comma-separated subset of: mlflow-tree, small-project, 5-files")
    parser.add_argument("--mlflow-lint", default=str(BIN / "mlflow-lint"))
    parser.add_argument("--ruff", default=str(BIN / "ruff"))
    parser.add_argument("--semgrep", default=str(BIN / "semgrep"))
    args = parser.parse_args()

    for name, path, how in (
        ("--mlflow-tree", args.mlflow_tree, "git clone --depth 1 https://github.com/opendatahub-io/mlflow"),
        ("--small-project", args.small_project, "git clone --depth 1 https://github.com/DataTalksClub/mlops-zoomcamp"),
    ):
        if not path.is_dir():
            print(f"{name} {path}: not a directory. Obtain it with\n  {how}\n"
                  f"and pass its path as {name} PATH (never commit it).", file=sys.stderr)
            return 2
    for tool in (args.mlflow_lint, args.ruff, args.semgrep, TIME_BIN):
        if not shutil.which(tool):
            print(f"{tool} not found; run benchmarks/run.sh, which installs the tools", file=sys.stderr)
            return 2
    if args.runs < 1:
        parser.error("--runs must be at least 1")

    wanted = set(args.targets.split(","))
    targets = [t for t in make_targets(args) if t.key in wanted]
    if not targets:
        parser.error(f"--targets {args.targets}: none of mlflow-tree, small-project, 5-files")
    options = cache_options(args.mlflow_lint)
    with tempfile.TemporaryDirectory(prefix="mlflow-lint-bench-") as scratch_name:
        tools, cold_how = make_tools(args, options, Path(scratch_name))
        versions = {
            "mlflow-lint": version_of([args.mlflow_lint, "--version"]),
            "ruff": version_of([args.ruff, "--version"]),
            "semgrep": version_of([args.semgrep, "--version", "--disable-version-check"]),
            "python": platform.python_version(),
        }
        print(f"versions: {versions}; {os.cpu_count()} CPUs; {args.runs} runs", file=sys.stderr)
        load_before = os.getloadavg()
        results = measure(tools, targets, args.runs, Path(scratch_name))
        load_after = os.getloadavg()

    print_table(results, targets, cold_how)
    # Other work on the machine skews everything; the load average says how much there was.
    print(f"- {os.cpu_count()} CPUs, {args.runs} runs; load average (1 min) {load_before[0]:.1f} "
          f"before, {load_after[0]:.1f} after; {versions}")
    if "--cache-dir" not in options:
        print("- mlflow-lint warm: n/a, this mlflow-lint has no --cache-dir")
    print()
    checks = check_targets(results)
    for item in checks:
        verdict = {True: "met", False: "NOT met", None: "n/a"}[item["met"]]
        print(f"- {item['target']}: {verdict}: {item['text']}")
    failures = [r for r in results if r.error]
    for result in failures:
        print(f"- FAILED {result.tool} on {result.target}: {result.error.splitlines()[0]}")

    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({
            "versions": versions, "cpus": os.cpu_count(), "runs": args.runs, "cold": cold_how,
            "loadavg_before": load_before, "loadavg_after": load_after,
            "targets": [{"key": t.key, "label": t.label, "cwd": str(t.cwd), "py_files": len(t.py_files)}
                        for t in targets],
            "results": [{**asdict(r), "command": r.command[:12]} for r in results],
            "checks": checks,
        }, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
