"""Drive headless Chromium over the DevTools protocol on a pipe (no port, no websocket
library): load a local page, collect every console message, exception, log entry and
network request it causes, evaluate DOM checks, take a PNG screenshot, print a PDF.

Used by the audit report's render test and by ``scripts/audit_screenshot.py``. Chromium
runs with a throwaway profile and every background service off, so nothing but the page
itself is loaded.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_CANDIDATES = ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome")
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--disable-extensions",
    "--no-first-run",
    "--no-default-browser-check",
    "--hide-scrollbars",
    "--mute-audio",
    "--remote-debugging-pipe",
)


def chromium_or_skip() -> str:
    """The Chromium binary; without one the test is skipped, and fails in CI (CI=true),
    where scripts/test.sh installs it (MLFLOW_LINT_TEST_SYSTEM_DEPS=1)."""
    import pytest

    binary = find_chromium()
    if binary is None:
        message = "headless Chromium is needed to render the audit report (MLFLOW_LINT_TEST_SYSTEM_DEPS=1 bash scripts/test.sh installs it)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message)
        pytest.skip(message)
    return binary


def find_chromium() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        found = (
            shutil.which(candidate)
            if not candidate.startswith("/")
            else (candidate if os.access(candidate, os.X_OK) else None)
        )
        if found:
            return found
    return None


class ChromiumError(RuntimeError):
    pass


@dataclass
class PageReport:
    """What loading the page caused."""

    console: list[dict[str, Any]] = field(default_factory=list)  # Runtime.consoleAPICalled
    exceptions: list[dict[str, Any]] = field(default_factory=list)  # Runtime.exceptionThrown
    log: list[dict[str, Any]] = field(default_factory=list)  # Log.entryAdded (CSP, network errors...)
    requests: list[str] = field(default_factory=list)  # every URL the page requested
    evaluations: dict[str, Any] = field(default_factory=dict)
    screenshot: bytes = b""
    pdf: bytes = b""
    height: int = 0

    def problems(self) -> list[str]:
        """Console errors and warnings, exceptions, error/warning log entries."""
        found = [
            f"console.{m.get('type')}: {_args(m)}"
            for m in self.console
            if m.get("type") in ("error", "warning", "assert")
        ]
        found += [f"exception: {e.get('exceptionDetails', {}).get('text')}" for e in self.exceptions]
        found += [f"log {e.get('level')}: {e.get('text')}" for e in self.log if e.get("level") in ("error", "warning")]
        return found


def _args(message: dict[str, Any]) -> str:
    return " ".join(str(arg.get("value", arg.get("description", ""))) for arg in message.get("args", []))


_TRAMPOLINE = (
    "import fcntl, os, sys\n"
    "high = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]\n"
    "os.dup2(high[0], 3)\n"
    "os.dup2(high[1], 4)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


class _Pipe:
    def __init__(self, binary: str, profile: str, log: Any = subprocess.DEVNULL) -> None:
        to_chrome_read, self._write = os.pipe()
        self._read, from_chrome_write = os.pipe()
        # Chromium reads commands on fd 3 and writes replies on fd 4: a small trampoline
        # moves the pipe ends there (via fds >= 10, so that neither clobbers the other).
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                _TRAMPOLINE,
                str(to_chrome_read),
                str(from_chrome_write),
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                "about:blank",
            ],
            pass_fds=(to_chrome_read, from_chrome_write),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = 30
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._write, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._receive(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise ChromiumError(f"{method}: {reply['error']}")
                result: dict[str, Any] = reply.get("result", {})
                return result
            self.events.append(reply)

    def wait_for(self, method: str, session: str | None = None, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout

        def wanted(event: dict[str, Any]) -> bool:
            return event.get("method") == method and (session is None or event.get("sessionId") == session)

        for event in self.events:
            if wanted(event):
                return event
        while True:
            event = self._receive(deadline)
            self.events.append(event)
            if wanted(event):
                return event

    def drain(self, seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                self.events.append(self._receive(deadline))
            except TimeoutError:
                return

    def _receive(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("no reply from Chromium")
            ready, _, _ = select.select([self._read], [], [], remaining)
            if not ready:
                raise TimeoutError("no reply from Chromium")
            chunk = os.read(self._read, 1 << 20)
            if not chunk:
                raise ChromiumError("Chromium closed the DevTools pipe (crashed or failed to start)")
            self._buffer += chunk
        raw, _, self._buffer = self._buffer.partition(b"\0")
        message: dict[str, Any] = json.loads(raw)
        return message

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.write(self._write, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for fd in (self._write, self._read):
            with contextlib.suppress(OSError):
                os.close(fd)


class Browser:
    """One headless Chromium for several pages: ``with Browser() as browser: browser.render(...)``."""

    def __init__(self, binary: str | None = None, timeout: float = 60) -> None:
        found = binary or find_chromium()
        if found is None:
            raise ChromiumError("Chromium not found (Debian: apt-get install chromium)")
        self.binary = found
        self.timeout = timeout
        self._directory = tempfile.TemporaryDirectory(prefix="mlflow-lint-chromium-")
        self._log = open(Path(self._directory.name) / "chromium.log", "w+b")  # noqa: SIM115 - closed in close()
        self._pipe = _Pipe(self.binary, str(Path(self._directory.name) / "profile"), self._log)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._pipe.close()
        self._log.close()
        self._directory.cleanup()

    def render(
        self,
        page: Path,
        *,
        width: int = 1280,
        height: int = 900,
        color_scheme: str | None = None,
        screenshot: bool = True,
        clip_height: int | None = None,
        clip_top: int = 0,
        evaluate: dict[str, str] | None = None,
        pdf: bool = False,
    ) -> PageReport:
        """Load ``page`` in a new tab and report what happened."""
        try:
            return self._render(
                page, width, height, color_scheme, screenshot, clip_height, clip_top, evaluate or {}, pdf
            )
        except (ChromiumError, TimeoutError, OSError) as error:
            self._log.seek(0)
            tail = self._log.read().decode("utf-8", "replace")[-3000:]
            raise ChromiumError(f"{error}\n--- chromium stderr ---\n{tail}") from None

    def _render(
        self,
        page: Path,
        width: int,
        height: int,
        color_scheme: str | None,
        screenshot: bool,
        clip_height: int | None,
        clip_top: int,
        evaluate: dict[str, str],
        pdf: bool,
    ) -> PageReport:
        pipe, timeout = self._pipe, self.timeout
        report = PageReport()
        first_event = len(pipe.events)
        target = pipe.send("Target.createTarget", {"url": "about:blank"}, timeout=timeout)["targetId"]
        session = pipe.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            pipe.send(f"{domain}.enable", session=session)
        pipe.send(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
            session=session,
        )
        if color_scheme:
            pipe.send(
                "Emulation.setEmulatedMedia",
                {"features": [{"name": "prefers-color-scheme", "value": color_scheme}]},
                session=session,
            )
        pipe.send("Page.navigate", {"url": page.resolve().as_uri()}, session=session, timeout=timeout)
        pipe.wait_for("Page.loadEventFired", session=session, timeout=timeout)
        pipe.drain(0.2)  # late console messages and CSP reports
        for name, expression in evaluate.items():
            result = pipe.send("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
            report.evaluations[name] = result.get("result", {}).get("value")
        metrics = pipe.send("Page.getLayoutMetrics", session=session)
        size = metrics.get("cssContentSize") or metrics["contentSize"]
        report.height = int(size["height"])
        if screenshot:
            shot_height = report.height - clip_top
            if clip_height is not None:
                shot_height = min(shot_height, clip_height)
            clip = {"x": 0, "y": clip_top, "width": width, "height": max(shot_height, 1), "scale": 1}
            shot = pipe.send(
                "Page.captureScreenshot",
                {"format": "png", "captureBeyondViewport": True, "clip": clip},
                session=session,
                timeout=timeout,
            )
            report.screenshot = base64.b64decode(shot["data"])
        if pdf:
            printed = pipe.send("Page.printToPDF", {"printBackground": True}, session=session, timeout=timeout)
            report.pdf = base64.b64decode(printed["data"])
        pipe.send("Target.closeTarget", {"targetId": target})
        for event in pipe.events[first_event:]:
            if event.get("sessionId") != session:
                continue
            method, params = event.get("method"), event.get("params", {})
            if method == "Runtime.consoleAPICalled":
                report.console.append(params)
            elif method == "Runtime.exceptionThrown":
                report.exceptions.append(params)
            elif method == "Log.entryAdded":
                report.log.append(params.get("entry", {}))
            elif method == "Network.requestWillBeSent":
                report.requests.append(params.get("request", {}).get("url", ""))
        return report


def render_page(page: Path, *, binary: str | None = None, **options: Any) -> PageReport:
    """Load ``page`` in a fresh headless Chromium and report what happened."""
    with Browser(binary) as browser:
        return browser.render(page, **options)
