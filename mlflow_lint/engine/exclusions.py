"""Which configuration's ``exclude`` applies to each path the walk meets, and the walked
project roots the project facts may reuse."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from mlflow_lint.config import Config, ConfigResolver, RuleOptions
from mlflow_lint.discovery import gitignore_spec
from mlflow_lint.project_facts import is_fact_source


class ConfigExclusions:
    """The ``exclude`` setting of the configuration each path belongs to (the nearest one
    above it), matched relative to that configuration's directory."""

    def __init__(self, resolver: ConfigResolver, named: Path) -> None:
        self.resolver = resolver
        self.named = named
        # A resolved directory -> its configuration's exclusion rule: asked for every path
        # the walk meets, it changes only per directory.
        self.rules: dict[str, ExclusionRule] = {}

    def excludes(self, resolved: str, is_dir: bool) -> bool:
        directory = os.path.dirname(resolved) or "/"
        rule = self.rules.get(directory)
        if rule is None:
            rule = self.rules[directory] = exclusion_rule(self.resolver.for_file(Path(directory), self.named))
        patterns, root = rule
        if not patterns or not resolved.startswith(root.rstrip("/") + "/"):
            return False
        relative = resolved[len(root.rstrip("/")) + 1 :]
        return gitignore_spec(patterns).match(relative + "/" if is_dir else relative)


# A configuration's exclude patterns and the directory they are relative to: ((), "") for
# none. The same pair as RuleOptions(exclude, root), so a walk can be compared with it.
ExclusionRule = tuple[tuple[str, ...], str]


def exclusion_rule_of(options: RuleOptions) -> ExclusionRule:
    return (tuple(options.exclude), options.root) if options.exclude else ((), "")


def exclusion_rule(config: Config) -> ExclusionRule:
    return (tuple(config.exclude), str(config.root.resolve())) if config.exclude else ((), "")


def walked_roots(paths: Sequence[Path], files: list[Path], rules: set[ExclusionRule]) -> dict[str, tuple[ExclusionRule, list[str]]]:
    """The directories named on the command line, resolved, with the files the project facts
    read (Python files, notebooks and YAML files, ``project_facts.is_fact_source``) the walk
    found under them, when one exclusion rule applied everywhere: the project facts of a
    project rooted there need not walk it again (``ProjectIndex.fact_files`` would
    find exactly these files with that rule)."""
    if len(rules) > 1:
        return {}
    rule = next(iter(rules), ((), ""))
    walked: dict[str, tuple[ExclusionRule, list[str]]] = {}
    for named in paths:
        if not named.is_dir():
            continue
        given, top = os.path.abspath(named), os.path.realpath(named)
        prefix = given.rstrip(os.sep) + os.sep
        under = []
        for path in files:
            absolute = os.path.abspath(path)
            if absolute.startswith(prefix) and is_fact_source(absolute):
                under.append(os.path.join(top, absolute[len(prefix) :]))
        walked[top] = (rule, sorted(under))
    return walked
