"""The progress line: on a terminal, after two seconds; never in pipes or CI logs."""

from __future__ import annotations

import io
import os
import pty
import subprocess
import sys

import pytest

from mlflow_lint import cli

_ENABLED = "from mlflow_lint.cli import _Progress; print(_Progress.on_terminal().enabled)"


def _enabled_with_stderr_on_a_terminal(env: dict[str, str]) -> bool:
    leader, follower = pty.openpty()
    try:
        result = subprocess.run(
            [sys.executable, "-c", _ENABLED], stderr=follower, stdout=subprocess.PIPE, env=env, text=True, timeout=60
        )
    finally:
        os.close(follower)
        os.close(leader)
    return result.stdout.strip() == "True"


@pytest.mark.integration
def test_shown_on_a_terminal_but_not_in_ci_or_a_pipe() -> None:
    base = {k: v for k, v in os.environ.items() if k not in ("CI", "TERM")}
    assert _enabled_with_stderr_on_a_terminal(base)
    assert not _enabled_with_stderr_on_a_terminal({**base, "CI": "true"})
    assert not _enabled_with_stderr_on_a_terminal({**base, "TERM": "dumb"})
    piped = subprocess.run([sys.executable, "-c", _ENABLED], capture_output=True, text=True, env=base, timeout=60)
    assert piped.stdout.strip() == "False"


def test_waits_two_seconds_then_redraws_in_place_and_erases_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    clock = iter([100.0, 101.0, 102.5, 102.9, 103.5])
    monkeypatch.setattr("time.monotonic", lambda: next(clock))
    progress = cli._Progress(enabled=True)  # started at 100.0
    progress(1, 10)  # 101.0: too early
    assert stream.getvalue() == ""
    progress(5, 10)  # 102.5
    progress(6, 10)  # 102.9: within 0.1 s of the last redraw? no, 0.4 s later
    progress(10, 10)  # 103.5
    progress.finish()
    assert stream.getvalue() == (
        "\rmlflow-lint: checked 5/10 files\rmlflow-lint: checked 6/10 files\rmlflow-lint: checked 10/10 files\r\x1b[K"
    )


def test_disabled_progress_writes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    progress = cli._Progress(enabled=False)
    progress(5, 10)
    progress.finish()
    assert stream.getvalue() == ""
