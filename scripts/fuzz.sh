#!/usr/bin/env bash
# The long property-based run of tests/test_properties.py: hypothesmith programs (at least
# 10,000 for the main property), MLflow-flavoured programs and manifests, arbitrary bytes,
# reports. The default test suite runs the same properties with small, fixed budgets.
#
#   bash scripts/fuzz.sh                    # the "long" profile, one shard per CPU
#   MLFLOW_LINT_FUZZ_SHARDS=1 bash scripts/fuzz.sh -k hypothesmith_programs
#
# Environment: MLFLOW_LINT_TEST_VENV (default .venv-test, set up as scripts/test.sh does),
# MLFLOW_LINT_FUZZ (profile, default long), MLFLOW_LINT_FUZZ_SHARDS (parallel pytest
# processes, each with 1/n of every budget and its own seed; default: CPU count),
# MLFLOW_LINT_FUZZ_SEED (first seed; default random, printed so a run can be repeated),
# MLFLOW_LINT_FUZZ_SKIP_INSTALL=1 (use the venv as it is). Extra arguments go to pytest.
# Exit status: 0 when every shard passed. Logs stay in the printed directory; while it runs,
# runs-<shard>.json there counts the examples so far (every 250 per property).
set -euo pipefail
cd "$(dirname "$0")/.."

PROFILE="${MLFLOW_LINT_FUZZ:-long}"
SHARDS="${MLFLOW_LINT_FUZZ_SHARDS:-$(getconf _NPROCESSORS_ONLN 2>/dev/null || echo 1)}"
SEED="${MLFLOW_LINT_FUZZ_SEED:-$(( (RANDOM << 15) | RANDOM ))}"

MLFLOW_LINT_SKIP_INSTALL="${MLFLOW_LINT_FUZZ_SKIP_INSTALL:-0}"  # the variable this script documents
source scripts/test_venv.sh

OUT="$(mktemp -d "${TMPDIR:-/tmp}/mlflow-lint-fuzz.XXXXXX")"
# Hypothesis writes a failing example's patch under its storage directory: keep it out of the checkout.
export HYPOTHESIS_STORAGE_DIRECTORY="$OUT/hypothesis"
export PYTHONUNBUFFERED=1  # the logs show progress as it happens
echo "fuzz: profile $PROFILE, $SHARDS shard(s), seeds $SEED..$((SEED + SHARDS - 1)), logs in $OUT" >&2

START="$(date +%s)"
PIDS=()
for ((shard = 0; shard < SHARDS; shard++)); do
  MLFLOW_LINT_FUZZ="$PROFILE" \
  MLFLOW_LINT_FUZZ_SHARD="$shard/$SHARDS" \
  MLFLOW_LINT_FUZZ_REPORT="$OUT/runs-$shard.json" \
    "$VENV/bin/python" -m pytest tests/test_properties.py -p no:cacheprovider -q -rf \
      --hypothesis-seed="$((SEED + shard))" --hypothesis-show-statistics "$@" \
      >"$OUT/shard-$shard.log" 2>&1 &
  PIDS+=("$!")
done
STATUS=0
for ((shard = 0; shard < SHARDS; shard++)); do
  if ! wait "${PIDS[$shard]}"; then
    STATUS=1
  fi
done
END="$(date +%s)"

"$VENV/bin/python" - "$OUT" "$SHARDS" "$((END - START))" "$SEED" <<'PY'
import json, re, sys
from collections import Counter
from pathlib import Path

out, shards, seconds, seed = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
runs: Counter[str] = Counter()
failed: list[str] = []
for shard in range(shards):
    report = out / f"runs-{shard}.json"
    if report.is_file():
        runs.update(json.loads(report.read_text(encoding="utf-8")))
    log = (out / f"shard-{shard}.log").read_text(encoding="utf-8", errors="replace")
    failed += [f"shard {shard} (seed {seed + shard}): {line[7:]}" for line in log.splitlines() if line.startswith("FAILED ")]
    if not report.is_file() or re.search(r"^(ERROR|INTERNALERROR)", log, re.M):
        failed.append(f"shard {shard} (seed {seed + shard}): did not finish, see {out}/shard-{shard}.log")
print("examples run per property (all shards):")
for name, count in sorted(runs.items()):
    print(f"  {name:32} {count:>9,}")
print(f"  {'total':32} {sum(runs.values()):>9,}")
print(f"failures: {len(failed)}")
for line in failed:
    print(f"  {line}")
print(f"wall time: {seconds // 60} min {seconds % 60} s; logs: {out}")
PY
exit "$STATUS"
