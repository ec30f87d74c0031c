"""What a check is, and the per-file context it reports through."""

from __future__ import annotations

import ast
import functools
import os
from collections.abc import Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from mlflow_lint.analysis.calls import call_names_of
from mlflow_lint.analysis.mlflow_calls import URI_SINK_CALLS
from mlflow_lint.analysis.module import AnalysedModule
from mlflow_lint.analysis.secrets import mask_literals, mask_secrets
from mlflow_lint.analysis.started_commands import STARTER_NAMES, started_commands
from mlflow_lint.catalog import CatalogError, Rule, load_catalog
from mlflow_lint.config import RuleOptions
from mlflow_lint.context import Context, file_context, relative_to_configuration
from mlflow_lint.findings import Finding, normalise_source
from mlflow_lint.module_facts import facts_of_file
from mlflow_lint.positions import LineIndex
from mlflow_lint.project import ProjectIndex
from mlflow_lint.project_facts import ProjectFacts
from mlflow_lint.sources.facts import Command, Copy, Position, Setting, SourceFacts


@dataclass
class FileContext:
    """One file under analysis: its shared facts and the findings reported so far.

    ``module`` is the analysed Python module; None for files that are not Python (YAML,
    .env, shell, Dockerfile), whose checks receive settings and commands instead, and whose
    ``project`` and ``path`` say where the file is (a module knows its own).
    """

    module: AnalysedModule | None
    display_path: str
    rules: dict[str, Rule]  # enabled rules by id
    lines: LineIndex
    options: RuleOptions = field(default_factory=RuleOptions)
    display_root: str = ""  # findings' paths are relative to this directory
    facts: SourceFacts | None = None  # a non-Python file's settings and commands, all of them
    project: ProjectIndex | None = None  # a non-Python file's project (the project facts read it)
    path: Path | None = None  # a non-Python file's path
    findings: list[Finding] = field(default_factory=list)
    # (rule, span, message) of every finding reported: the same gap reached twice (a YAML
    # mapping merged into several services by an alias, ``<<: *env``) is one finding.
    _reported: set[tuple[str, int, int, int, int, str]] = field(default_factory=set, repr=False)

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
        project = self.module.project if self.module is not None else self.project
        return facts_of_file(project, self.options, self.module)

    def resolved_path(self) -> str:
        """The file's absolute path, links resolved (POSIX), as the project facts name files."""
        path = self.module.path if self.module is not None else self.path or Path(self.display_path)
        project = self.module.project if self.module is not None else self.project
        return (project.resolved(path) if project is not None else path.resolve()).as_posix()

    def display(self, absolute_path: str) -> str:
        """Another file's path as findings show paths."""
        root = self.display_root or os.getcwd()
        relative = os.path.relpath(absolute_path, root)
        return absolute_path if relative.startswith("..") else relative.replace(os.sep, "/")

    def relative_path(self) -> str:
        """The file's path relative to the configuration directory (for option globs)."""
        path = str(self.module.path) if self.module is not None else os.path.abspath(self.display_path)
        return relative_to_configuration(path, self.options.root, self.display_path)

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
        message = rule.format_message(fields)
        key = (rule_id, position.line, position.column, position.end_line, position.end_column, message)
        if key in self._reported:
            return
        self._reported.add(key)
        context = "test" if not everywhere and rule.hidden_in(self.context) else None
        self.findings.append(
            Finding(
                path=self.display_path,
                line=position.line,
                column=position.column,
                rule=rule_id,
                end_line=position.end_line,
                end_column=position.end_column,
                message=message,
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


# The hooks a check overrides for Python nodes, with the ``ast`` classes each receives, in
# the order the engine calls them on a module: fixed, so that the order of a check's
# findings does not depend on how its hooks are written.
PYTHON_HOOKS: tuple[tuple[str, tuple[type[ast.AST], ...]], ...] = (
    ("visit_module", (ast.Module,)),
    ("visit_function", (ast.FunctionDef, ast.AsyncFunctionDef)),
    ("visit_call", (ast.Call,)),
    ("visit_compare", (ast.Compare,)),
    ("visit_assign", (ast.Assign,)),
)


class _RuleIds:
    """``Check.rules``: the catalog ids of the rules named by ``rule_names``, looked up in
    the catalog on first use and kept on the class (a catalog entry the check names that
    does not exist is a development error, raised where the rules are first read)."""

    def __get__(self, instance: Check | None, owner: type[Check]) -> tuple[str, ...]:
        if owner is Check:
            return ()
        ids = {rule.name: rule.id for rule in load_catalog()}
        missing = [name for name in owner.rule_names if name not in ids]
        if missing:
            raise CatalogError(
                f"{owner.__module__}.{owner.__qualname__} reports {', '.join(missing)}, which no rules/*.yaml entry names "
                "(a check module is named after its rule: checks/<name with underscores>.py)"
            )
        found = tuple(ids[name] for name in owner.rule_names)
        owner.rules = found  # the descriptor's answer, kept on the class
        return found


class Check:
    """A behavioural rule: one class per catalog entry, in a module of its own.

    Its rule is the catalog entry whose ``name`` is the module's name: the check in
    ``checks/local_tracking_uri.py`` reports ``local-tracking-uri`` (MLF101), and
    ``rules``, the ids, come from the catalog. A check overrides the typed hooks for what
    it reads:
    ``visit_call``, ``visit_compare``, ``visit_assign``, ``visit_function``,
    ``visit_module`` for Python (the engine hands it those nodes of the file from the
    single traversal the semantic model already made; the node classes it receives,
    ``node_types``, follow from the hooks it overrides), and ``visit_setting``,
    ``visit_command``, ``visit_copy``, ``visit_store`` for other sources. ``visit_command``
    also receives the ``mlflow`` command lines Python code starts (``subprocess.run([...])``,
    ``os.system(...)``: analysis.started_commands), at the call that starts them.
    """

    # Catalog names of the rules the check reports; by default the module's name
    # (underscores as hyphens). A check of several rules names them.
    rule_names: ClassVar[tuple[str, ...]] = ()
    rules: ClassVar[tuple[str, ...]] = _RuleIds()  # type: ignore[assignment]
    # Derived from the overridden Python hooks, once per class (__init_subclass__).
    node_types: ClassVar[tuple[type[ast.AST], ...]] = ()
    _hook_names: ClassVar[dict[type[ast.AST], str]] = {}
    # Qualified names of the calls ``visit_call`` handles (``mlflow.pyfunc.load_model``,
    # ``mlflow.MlflowClient.delete_model_version``): usually the table the hook looks the
    # callee up in. A check with ``visit_call`` must name them.
    calls: ClassVar[Collection[str]] = ()
    # Their terminal names (``load_model``), derived once per class: the engine hands the
    # check only calls whose name, or an import alias of it, is listed, before any
    # resolution. None for a check without ``visit_call``.
    call_names: ClassVar[frozenset[str] | None] = None
    # The terminal names of its own ``calls`` (``call_names`` adds those of the calls that
    # start a process, for a check of command lines); None when it has no ``visit_call``.
    _own_call_names: ClassVar[frozenset[str] | None] = None
    # Reads the project's facts (ctx.project_facts()). A worker that may not compute them
    # stops the file there and the engine analyses it again once they are known, so such
    # checks run first: the work before the stop is lost.
    reads_project_facts: ClassVar[bool] = False
    # Consults the project's facts only for findings the file's own text does not decide
    # (MLF401 on a Unity Catalog registry): the engine gathers them for it, but the check
    # is not run first and still follows values through calls.
    consults_project_facts: ClassVar[bool] = False
    # Its findings are operations (MLF402's promotion), which a caller may guard
    # (``guards_call``): found through a call, they stay on the call, where the guard goes;
    # a value's finding moves to the argument it owes to.
    reports_operations: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: object) -> None:
        super().__init_subclass__(**kwargs)
        derived = {
            "visit": "override the typed hooks (visit_call, visit_module, ...)",
            "node_types": "override the typed hooks (visit_call, visit_module, ...)",
            "rules": "name the module after the rule's catalog name, or set rule_names",
            "call_names": "list the qualified names of the calls in calls",
        }
        for name, instead in derived.items():
            if name in cls.__dict__:
                raise TypeError(f"{cls.__qualname__}.{name} is derived: {instead}")
        if "rule_names" not in cls.__dict__:
            cls.rule_names = (cls.__module__.rpartition(".")[2].replace("_", "-"),)
        cls._hook_names = {
            node_type: name
            for name, node_types in PYTHON_HOOKS
            if getattr(cls, name) is not getattr(Check, name)
            for node_type in node_types
        }
        if ast.Call in cls._hook_names and not cls.calls:
            raise TypeError(f"{cls.__qualname__} has visit_call: list the calls it handles in calls")
        cls._own_call_names = cls.call_names = call_names_of(cls.calls) if cls.calls else None
        if cls.visit_command is not Check.visit_command:
            # Commands Python starts come with the calls that start them.
            cls._hook_names[ast.Call] = "_visit_call_or_started_command"
            cls.call_names = (cls._own_call_names or frozenset()) | STARTER_NAMES
        cls.node_types = tuple(cls._hook_names)

    def dispatch(self, node: ast.AST, ctx: FileContext) -> None:
        """Hand a Python node to the hook for its class (nothing when the check has none).
        The engine's pass over a module and the value flow through calls (through_calls)
        both come through here."""
        name = self._hook_names.get(type(node))
        if name is not None:
            getattr(self, name)(node, ctx)

    # Python: a check overrides the hooks for the nodes it reads.
    def visit_module(self, node: ast.Module, ctx: FileContext) -> None:
        """The module as a whole, once (rules about runs, or the project)."""

    def visit_function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, ctx: FileContext) -> None:
        """A function definition (``def`` or ``async def``)."""

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        """A call whose terminal name is in ``call_names`` (every call when that is None)."""

    def visit_compare(self, node: ast.Compare, ctx: FileContext) -> None:
        """A comparison (``version.current_stage == "Production"``)."""

    def _visit_call_or_started_command(self, node: ast.Call, ctx: FileContext) -> None:
        """A check of command lines: the ``mlflow`` commands a call that starts a process
        runs, to ``visit_command``; any other call of its own ``calls`` to ``visit_call``."""
        commands = started_commands(ctx.python, node, ctx.lines)
        if commands is not None:
            for command in commands:
                self.visit_command(command, ctx)
            return
        own = self._own_call_names
        if own is not None and type(self).visit_call is not Check.visit_call and ctx.python.model.is_call_named(node, own):
            self.visit_call(node, ctx)

    def visit_assign(self, node: ast.Assign, ctx: FileContext) -> None:
        """An assignment (``os.environ["MLFLOW_TRACKING_URI"] = ...``)."""

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


class UriSetterCheck(Check):
    """A check of what code sets as MLflow's tracking or registry URI, or an MLflow
    environment variable: the calls that set one (``mlflow.set_tracking_uri``,
    ``MlflowClient(tracking_uri=...)``, ``os.environ.update(...)``) and ``os.environ[...] =``
    assignments all come to ``visit_uri_setter``."""

    calls = URI_SINK_CALLS

    def visit_call(self, node: ast.Call, ctx: FileContext) -> None:
        self.visit_uri_setter(node, ctx)

    def visit_assign(self, node: ast.Assign, ctx: FileContext) -> None:
        self.visit_uri_setter(node, ctx)

    def visit_uri_setter(self, node: ast.Call | ast.Assign, ctx: FileContext) -> None:
        """A call or assignment that may set a URI or variable (``uri_sinks`` says which)."""
