"""The server's own settings, from the client's ``initializationOptions``.

Linting settings (rules, options, exclusions) come from the project's configuration
files, as for the CLI; these only say how the server behaves in an editor. An unknown key
or a value of the wrong type is reported (a warning naming it) and its default used:
validated loudly, never fatal to the session.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

DEFAULT_DEBOUNCE_MS = 250
_MAX_DEBOUNCE_MS = 10_000


@dataclass(frozen=True)
class ServerSettings:
    """How the server behaves in the editor."""

    # Wait this long after the last change before linting: typing a word is one lint.
    debounce_ms: int = DEFAULT_DEBOUNCE_MS
    # Lint on every change (the unsaved buffer); False: only on open and save.
    lint_on_change: bool = True

    @property
    def debounce_seconds(self) -> float:
        return self.debounce_ms / 1000


def read_settings(options: Any) -> tuple[ServerSettings, list[str]]:
    """The settings in ``initializationOptions`` (None or an object), and a problem per
    key that was not understood."""
    if options is None:
        return ServerSettings(), []
    if not isinstance(options, dict):
        return ServerSettings(), [f"initializationOptions must be an object, got {type(options).__name__}: ignored"]
    problems: list[str] = []
    debounce = DEFAULT_DEBOUNCE_MS
    lint_on_change = True
    for key, value in options.items():
        if key == "debounceMs":
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= _MAX_DEBOUNCE_MS:
                problems.append(f"initializationOptions.debounceMs must be a number of milliseconds from 0 to {_MAX_DEBOUNCE_MS}, got {value!r}: using {DEFAULT_DEBOUNCE_MS}")
            else:
                debounce = int(value)
        elif key == "lintOnChange":
            if not isinstance(value, bool):
                problems.append(f"initializationOptions.lintOnChange must be true or false, got {value!r}: using true")
            else:
                lint_on_change = value
        else:
            problems.append(f"unknown initializationOptions key {key!r} (known: debounceMs, lintOnChange): ignored")
    return ServerSettings(debounce_ms=debounce, lint_on_change=lint_on_change), problems
