"""What a check is, and the per-file context it reports through."""

from __future__ import annotations

import ast
import functools
import os
from dataclasses import dataclass, field
from typing import ClassVar

from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.secrets import mask_literals, mask_secrets
from mlflow_lint.catalog import Rule
from mlflow_lint.config import RuleOptions
from mlflow_lint.context import Context, file_context
from mlflow_lint.findings import Finding, normalise_source
from mlflow_lint.positions import LineIndex
from mlflow_lint.project_facts import ProjectFacts, facts_for, single_file_facts
from mlflow_lint.sources.facts import Command, Copy, Position, Setting


@dataclass
class FileContext:
    """One file under analysis: its shared facts and the findings reported so far.

    ``module`` is the analysed Python module; None for files that are not Python (YAML,
    .env, shell, Dockerfile), whose checks receive settings and commands instead.
    """

    module: AnalysedModule | None
    display_path: str
    rules: dict[str, Rule]  # enabled rules by id
    lines: LineIndex
    options: RuleOptions = field(default_factory=RuleOptions)
    display_root: str = ""  # findings' paths are relative to this directory
    findings: list[Finding] = field(default_factory=list)

    @functools.cached_property
    def context(self) -> Context | None:
        """Whether the file is test code or a CI workflow (mlflow_lint.context)."""
        return file_context(self.relative_path(), self.options.test_paths)

    @property
    def python(self) -> AnalysedModule:
        """The analysed module, in a check's Python ``visit`` (never None there)."""
        assert self.module is not None, "Python facts asked of a non-Python file"
        return self.module

    def project_facts(self) -> ProjectFacts:
        """Facts about the whole project this file belongs to (computed once per project)."""
        assert self.module is not None, "project facts are read from Python modules"
        project = self.module.project
        if project is None or project.root is None:
            return single_file_facts(self.module)  # no project around it: the file is the project
        facts = facts_for(project, self.options.exclude, self.options.root)
        if project.log is not None:
            project.log.facts = facts.digest
        return facts

    def display(self, absolute_path: str) -> str:
        """Another file's path as findings show paths."""
        root = self.display_root or os.getcwd()
        relative = os.path.relpath(absolute_path, root)
        return absolute_path if relative.startswith("..") else relative.replace(os.sep, "/")

    def relative_path(self) -> str:
        """The file's path relative to the configuration directory (for option globs)."""
        root = self.options.root
        path = str(self.module.path) if self.module is not None else os.path.abspath(self.display_path)
        if root and (path == root or path.startswith(root.rstrip(os.sep) + os.sep)):
            return os.path.relpath(path, root).replace(os.sep, "/")
        return self.display_path

    def in_paths(self, patterns: tuple[str, ...]) -> bool:
        """Whether the file matches gitignore-style ``patterns`` of an option (relative to
        the configuration's directory): ``registry-admin-modules``, ``gate-modules``."""
        if not patterns:
            return False
        from mlflow_lint.discovery import gitignore_spec  # compiled once per setting

        return gitignore_spec(patterns).match(self.relative_path())

    def report_at(
        self,
        rule_id: str,
        position: Position,
        snippet: str | None = None,
        *,
        secret: bool = False,
        everywhere: bool = False,
        precision: str | None = None,
        level: str | None = None,
        fix: str | None = None,
        **fields: str,
    ) -> None:
        """Report at a text position (non-Python sources: a setting's value, a flag).

        The snippet (fingerprint and baseline material, kept in the result cache) never
        holds a secret: recognisable ones become their kind and length, and with
        ``secret`` (the flagged value *is* the secret) every string literal in it does.
        In test code, a rule that does not report there marks the finding ``context="test"``
        (hidden unless --include-tests); ``everywhere`` findings never are (a real token).
        ``level``: this finding's severity when it is not the rule's (an escalation the
        message explains); a configured ``[severity]`` override for the rule still wins."""
        rule = self.rules.get(rule_id)
        if rule is None:
            return
        context = "test" if not everywhere and rule.hidden_in(self.context) else None
        self.findings.append(
            Finding(
                path=self.display_path,
                line=position.line,
                column=position.column,
                rule=rule_id,
                end_line=position.end_line,
                end_column=position.end_column,
                message=rule.format_message(fields),
                remedy=rule.format_remedy(fields),
                snippet=self.masked_snippet(snippet, secret=secret),
                context=context,
                precision=precision,
                level=level,
                fix=fix,
            )
        )

    @staticmethod
    def masked_snippet(snippet: str | None, *, secret: bool = False) -> str | None:
        """A finding's snippet as stored: layout removed, secrets as their kind and length."""
        if not snippet:
            return None
        return normalise_source(mask_secrets(mask_literals(snippet) if secret else snippet, style="kind"))

    def report(
        self,
        rule_id: str,
        node: ast.AST,
        *,
        secret: bool = False,
        everywhere: bool = False,
        level: str | None = None,
        fix: str | None = None,
        **fields: str,
    ) -> None:
        """Report at a Python node (characters, not UTF-8 bytes; the node's source as snippet).
        A call resolved only by a method name MLflow alone defines is reported at medium
        precision (its receiver's type is not known)."""
        if rule_id in self.rules:
            untyped = self.module is not None and node in self.module.model.untyped_calls
            self.report_at(
                rule_id,
                self.lines.span(node),
                self.lines.segment(node),
                secret=secret,
                everywhere=everywhere,
                precision="medium" if untyped else None,
                level=level,
                fix=fix,
                **fields,
            )

class Check:
    """A behavioural rule: one class per catalog entry.

    ``rules`` names the catalog ids the check reports (usually one). ``node_types`` are
    the ``ast`` node classes it wants to see; the engine hands it those nodes of the file
    from the single traversal the semantic model already made.
    """

    rules: ClassVar[tuple[str, ...]]
    node_types: ClassVar[tuple[type[ast.AST], ...]] = (ast.Call,)
    # Terminal names of the calls the check handles (``load_model`` for
    # ``mlflow.pyfunc.load_model(...)``); the engine hands it only calls whose name, or an
    # import alias of it, is listed, before any resolution. None: every call.
    call_names: ClassVar[frozenset[str] | None] = None
    # Reads the project's facts (ctx.project_facts()). A worker that may not compute them
    # stops the file there and the engine analyses it again once they are known, so such
    # checks run first: the work before the stop is lost.
    reads_project_facts: ClassVar[bool] = False
    # Consults the project's facts only for findings the file's own text does not decide
    # (MLF401 on a Unity Catalog registry): the engine gathers them for it, but the check
    # is not run first and still follows values through calls.
    consults_project_facts: ClassVar[bool] = False

    def visit(self, node: ast.AST, ctx: FileContext) -> None:
        """A Python node of one of ``node_types``."""

    # Non-Python sources (YAML, .env, shell, Dockerfile, repository files): a check
    # overrides the hooks for the facts it reads; the engine calls only overridden ones.
    def visit_setting(self, setting: Setting, ctx: FileContext) -> None:
        """An environment variable set in a file (``MLFLOW_TRACKING_URI=...``)."""

    def visit_command(self, command: Command, ctx: FileContext) -> None:
        """A command line that runs ``mlflow`` (``mlflow server ...``)."""

    def visit_copy(self, copy: Copy, ctx: FileContext) -> None:
        """A path copied into a container image."""

    def visit_store(self, ctx: FileContext) -> None:
        """A local tracking store in the repository (``ctx.display_path`` names it)."""

    def may_report(self, node: ast.AST) -> bool:
        """A cheap test, before any resolution, that ``node`` (of ``node_types``, its call
        name listed) can be a finding at all: the value flow asks it of every node that
        mentions a parameter."""
        return True

    def guards_call(self, module: AnalysedModule, call: ast.Call, ctx: FileContext) -> bool:
        """Whether ``call`` of a project function, in ``module``, is guarded so that what
        the check finds in the function does not apply (MLF402: a metric gate around
        ``promote(...)``). ``ctx`` is the file being linted."""
        return False

