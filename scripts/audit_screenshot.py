#!/usr/bin/env python3
"""Regenerate docs/audit-example.png: the HTML audit report of examples/fraud-detection.

The example is copied to a temporary directory and committed there with a fixed author
and date, so the report (commit, date, paths) and therefore the picture are the same on
every run. The page is rendered by headless Chromium (Debian package ``chromium``) and
the top of it (header and headline, top risks, quick wins, scorecard, the start of the backlog) is saved as a PNG.

    python scripts/audit_screenshot.py [--output docs/audit-example.png] [--height 2000]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = ROOT / "examples" / "fraud-detection"
DATE = "2025-06-02T09:00:00Z"
sys.path.insert(0, str(ROOT))

from tests.chromium import find_chromium, render_page  # noqa: E402 - after the path is set


def _commit(project: Path) -> None:
    """A one-commit repository with a fixed author and date (a stable commit id)."""
    if shutil.which("git") is None:
        return
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "Risk ML",
        "GIT_AUTHOR_EMAIL": "risk-ml@example.com",
        "GIT_COMMITTER_NAME": "Risk ML",
        "GIT_COMMITTER_EMAIL": "risk-ml@example.com",
        "GIT_AUTHOR_DATE": DATE,
        "GIT_COMMITTER_DATE": DATE,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
    }
    for command in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-q", "-m", "Nightly fraud pipeline"]):
        subprocess.run(["git", *command], cwd=project, env=env, check=True, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--output", type=Path, default=ROOT / "docs" / "audit-example.png")
    parser.add_argument("--html", type=Path, help="also keep the HTML report here")
    parser.add_argument("--height", type=int, default=2050, help="pixels of the page to keep (the page is longer)")
    parser.add_argument("--width", type=int, default=1280)
    parser.add_argument("--dark", action="store_true", help="render with prefers-color-scheme: dark")
    args = parser.parse_args()
    if find_chromium() is None:
        print("audit_screenshot: Chromium not found (Debian: apt-get install chromium)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="mlflow-lint-audit-") as temporary:
        project = Path(temporary) / "fraud-detection"
        shutil.copytree(EXAMPLE, project, ignore=shutil.ignore_patterns("__pycache__", "README.md"))
        _commit(project)
        report = Path(temporary) / "report.html"
        subprocess.run(
            [sys.executable, "-m", "mlflow_lint", "audit", ".", "--output", str(report), "--date", DATE],
            cwd=project,
            check=True,
        )
        page = render_page(
            report, width=args.width, clip_height=args.height, color_scheme="dark" if args.dark else "light"
        )
        if page.problems():
            print("audit_screenshot: the page logged problems:\n  " + "\n  ".join(page.problems()), file=sys.stderr)
            return 1
        args.output.parent.mkdir(parents=True, exist_ok=True)
        args.output.write_bytes(page.screenshot)
        if args.html:
            shutil.copyfile(report, args.html)
    print(f"wrote {args.output} ({len(page.screenshot) // 1024} KiB, page {page.height}px tall)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
