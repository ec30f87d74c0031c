"""Typed keys for the facts an ``AnalysedModule`` memoises (``AnalysedModule.memo``).

Each analysis declares its keys at module level, with the type of what they hold::

    _NEW_RUNS: MemoKey[list[RunScope]] = MemoKey("new_runs")

so that mypy checks every read and write of a memoised fact, and this module (like
``analysis.module``) needs none of the analyses' types. A key is its own identity: two keys
with one name are two facts (the name is for ``repr`` only).

Two kinds, which cannot be mixed up: a ``MemoKey`` holds a derived fact, dropped by
``release()``/``forget_derived()`` and computed afresh in a bound copy of the module (it may
rest on other modules or on the frame); a ``SyntaxKey`` holds a fact of the module's own text
alone, never dropped and shared by the bound copies (the same text).
"""

from __future__ import annotations

from typing import Generic, TypeVar

T = TypeVar("T")


class MemoKey(Generic[T]):
    """The key of a derived fact of type ``T`` (``AnalysedModule.memo``, ``memo_table``)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"MemoKey({self.name!r})"


class SyntaxKey(Generic[T]):
    """The key of a fact of type ``T`` of the module's own text (``AnalysedModule.syntax_memo``,
    ``syntax_table``)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"SyntaxKey({self.name!r})"
