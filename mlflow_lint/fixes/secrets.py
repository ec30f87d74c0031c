"""MLF701 fix (Python): a literal secret becomes a read of its environment variable."""

from __future__ import annotations

import libcst as cst

from mlflow_lint.analysis.secrets import SECRET_VARIABLES
from mlflow_lint.findings import Finding
from mlflow_lint.fixes.base import Fix, code_of, plain_string_value, string_literal

# MlflowHostCreds(host, username, password, token): where MLflow itself reads them from.
_HOST_CREDS = {"password": (2, "MLFLOW_TRACKING_PASSWORD"), "token": (3, "MLFLOW_TRACKING_TOKEN")}


class SecretFromEnvironment(Fix):
    """``os.environ["DATABRICKS_TOKEN"] = "dapi..."`` -> ``... = os.environ["DATABRICKS_TOKEN"]``
    (and ``setdefault``, ``update``, ``putenv``, ``MlflowHostCreds(password=/token=)``).

    The literal is replaced where it is written, by a read of the variable it was meant for,
    so the variable must be provided at run time; ``import os`` is added when missing (in a
    notebook: when no earlier cell imports it). Not rewritten: a secret reached through a
    constant, a password inside a URI, and any module (any notebook) where the name ``os``
    is bound to something else than the ``os`` module."""

    rule = "MLF701"
    safety = "unsafe"

    def visit_Module(self, node: cst.Module) -> None:
        self.os_is_taken = not self.names_module(node, "os")
        self.needs_os = False

    def rewrite(self, original: cst.CSTNode, updated: cst.CSTNode, finding: Finding) -> cst.CSTNode | None:
        if self.os_is_taken or plain_string_value(updated) is None:
            return None
        if isinstance(updated, (cst.SimpleString, cst.ConcatenatedString)) and (updated.lpar or updated.rpar):
            return None
        name = self._variable(original)
        if name is None:
            return None
        self.needs_os = True
        like = updated if isinstance(updated, cst.SimpleString) else None
        return cst.Subscript(
            value=cst.Attribute(value=cst.Name("os"), attr=cst.Name("environ")),
            slice=[cst.SubscriptElement(cst.Index(string_literal(name, like)))],
        )

    def _variable(self, literal: cst.CSTNode) -> str | None:
        """The secret variable the literal is assigned to, from where it is written."""
        parent = self.parent(literal)
        if isinstance(parent, cst.Assign) and parent.value is literal and len(parent.targets) == 1:
            target = parent.targets[0].target
            if isinstance(target, cst.Subscript) and code_of(target.value).endswith("environ") and len(target.slice) == 1:
                index = target.slice[0].slice
                key = plain_string_value(index.value) if isinstance(index, cst.Index) else None
                return key if key in SECRET_VARIABLES else None
            return None
        if isinstance(parent, cst.DictElement) and parent.value is literal:
            key = plain_string_value(parent.key)
            holder = self.parent(self.parent(parent) or parent)
            call = self.parent(holder) if isinstance(holder, cst.Arg) else None
            if isinstance(call, cst.Call) and code_of(call.func).endswith("environ.update") and key in SECRET_VARIABLES:
                return key
            return None
        if not isinstance(parent, cst.Arg) or parent.star:
            return None
        call = self.parent(parent)
        if not isinstance(call, cst.Call):
            return None
        func = code_of(call.func)
        position = next(index for index, arg in enumerate(call.args) if arg is parent)
        if func.endswith(("environ.setdefault", "putenv")) and position == 1 and parent.keyword is None:
            key = plain_string_value(call.args[0].value) if not call.args[0].keyword else None
            return key if key in SECRET_VARIABLES else None
        if func.endswith("environ.update") and parent.keyword is not None:
            return parent.keyword.value if parent.keyword.value in SECRET_VARIABLES else None
        if func.split(".")[-1] == "MlflowHostCreds":
            for keyword, (place, variable) in _HOST_CREDS.items():
                if (parent.keyword is not None and parent.keyword.value == keyword) or (
                    parent.keyword is None and position == place
                ):
                    return variable
        return None

    def finish(self, module: cst.Module) -> cst.Module:
        return self.with_import(module, "os") if self.needs_os else module
