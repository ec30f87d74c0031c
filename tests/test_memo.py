"""The typed memo of an analysed module (analysis.memo): what ``release()`` drops, what a
bound copy shares."""

from __future__ import annotations

import ast
from pathlib import Path

from mlflow_lint.analysis.flow import Frame, bound_module, dispose
from mlflow_lint.analysis.memo import MemoKey, SyntaxKey
from mlflow_lint.analysis.module import AnalysedModule

_DERIVED: MemoKey[list[str]] = MemoKey("derived")
_TABLE: MemoKey[dict[str, int]] = MemoKey("table")
_TEXT: SyntaxKey[list[str]] = SyntaxKey("text")
_TEXT_TABLE: SyntaxKey[dict[str, int]] = SyntaxKey("text_table")

SOURCE = "def f(x):\n    return x\n\nf(1)\n"


def _module() -> AnalysedModule:
    return AnalysedModule(Path("/nonexistent/m.py"), SOURCE, ast.parse(SOURCE), None)


def test_a_fact_is_computed_once_and_dropped_by_release() -> None:
    module = _module()
    calls: list[AnalysedModule] = []

    def compute(module: AnalysedModule) -> list[str]:
        calls.append(module)
        return [f"computed {len(calls)}"]

    first = module.memo(_DERIVED, compute)
    assert module.memo(_DERIVED, compute) is first
    assert calls == [module]
    assert module.memo_get(_DERIVED) is first
    module.memo_table(_TABLE)["a"] = 1
    module.release()
    assert module.memo_get(_DERIVED) is None
    assert module.memo_table(_TABLE) == {}
    assert module.memo(_DERIVED, compute) == ["computed 2"]


def test_an_empty_or_false_fact_is_known() -> None:
    module = _module()
    calls: list[AnalysedModule] = []

    def empty(module: AnalysedModule) -> list[str]:
        calls.append(module)
        return []

    assert module.memo(_DERIVED, empty) == []
    assert module.memo(_DERIVED, empty) == []
    assert len(calls) == 1


def test_syntax_facts_outlive_release_and_forget_derived() -> None:
    module = _module()
    text = module.syntax_memo(_TEXT, lambda m: [m.source])
    module.syntax_table(_TEXT_TABLE)["a"] = 1
    module.release()
    module.forget_derived()
    assert module.syntax_memo(_TEXT, lambda m: ["again"]) is text
    assert module.syntax_table(_TEXT_TABLE) == {"a": 1}


def test_keys_are_identities_not_names() -> None:
    module = _module()
    other: MemoKey[list[str]] = MemoKey("derived")
    module.memo_set(_DERIVED, ["one"])
    assert module.memo_get(other) is None
    assert repr(_DERIVED) == "MemoKey('derived')"
    assert repr(_TEXT) == "SyntaxKey('text')"


def test_a_bound_copy_derives_afresh_and_shares_the_syntax_facts() -> None:
    module = _module()
    function = module.tree.body[0]
    call = module.model.nodes_by_type[ast.Call][-1]
    assert isinstance(function, ast.FunctionDef)
    assert isinstance(call, ast.Call)
    module.memo_set(_DERIVED, ["original"])
    text = module.syntax_memo(_TEXT, lambda m: ["text"])
    bound = bound_module(module, Frame(module, call, function, {"x": call.args[0]}))
    assert bound.base is module
    assert bound.memo_get(_DERIVED) is None
    bound.memo_set(_DERIVED, ["bound"])
    assert module.memo_get(_DERIVED) == ["original"]
    assert bound.syntax_memo(_TEXT, lambda m: ["other"]) is text
    bound.syntax_table(_TEXT_TABLE)["seen"] = 1
    assert module.syntax_table(_TEXT_TABLE) == {"seen": 1}
    dispose(bound)
    assert bound.memo_get(_DERIVED) is None
    assert module.memo_get(_DERIVED) == ["original"]
