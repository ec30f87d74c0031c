"""``per-file-ignores``: the codes a configuration turns off per path, and the waiver each
entry gives (the audit shows them as deviations)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mlflow_lint.config import Config
from mlflow_lint.discovery import gitignore_spec
from mlflow_lint.findings import Waiver
from mlflow_lint.paths import display_path


class PerFileIgnores:
    def __init__(self, config: Config, cwd: Path | None = None) -> None:
        self.root = config.root.resolve()
        self.entries = [
            (gitignore_spec([pattern]), tuple(c.upper() for c in codes))
            for pattern, codes in config.per_file_ignores
        ]
        reasons = dict(config.per_file_reasons)
        where = display_path(config.path, (cwd or Path.cwd()).resolve()) if config.path is not None else "the configuration"
        self.waivers = [
            Waiver("per-file-ignore", reasons.get(pattern), f"per-file-ignores '{pattern}' = {', '.join(codes)} in {where}")
            for pattern, codes in config.per_file_ignores
        ]

    def waiver_for(self, path: Path, rule: str) -> Waiver | None:
        """The first per-file-ignores entry that turns ``rule`` off for ``path``."""
        relative = self._relative(path)
        if relative is None:
            return None
        for (spec, codes), waiver in zip(self.entries, self.waivers, strict=True):
            if spec.match(relative) and any(code == "ALL" or rule.startswith(code) for code in codes):
                return waiver
        return None

    def _relative(self, path: Path) -> str | None:
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return None

    def codes_for(self, path: Path) -> tuple[str, ...]:
        """The codes and prefixes ``per-file-ignores`` turns off for a path ("" for ALL)."""
        if not self.entries:
            return ()
        relative = self._relative(path)
        if relative is None:
            return ()
        codes: list[str] = []
        for spec, entry_codes in self.entries:
            if spec.match(relative):
                codes.extend("" if code == "ALL" else code for code in entry_codes)
        return tuple(codes)


def per_file_ignores(config: Config) -> Callable[[Path], tuple[str, ...]]:
    """``per-file-ignores`` of a configuration: path -> the codes and prefixes it turns off."""
    return PerFileIgnores(config).codes_for
