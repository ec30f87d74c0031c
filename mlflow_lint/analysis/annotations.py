"""What a type annotation names, read from its syntax alone (no scope is needed, so every
layer of the analysis can ask: the semantic model, values, effects)."""

from __future__ import annotations

import ast


def annotated_class(annotation: ast.expr) -> ast.expr | None:
    """The class a parameter annotation names: ``ModelRegistry``, ``pkg.ModelRegistry``,
    ``ModelRegistry | None``, ``Optional[...]`` (a string forward reference is not read)."""
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        sides = [side for side in (annotation.left, annotation.right) if not (isinstance(side, ast.Constant) and side.value is None)]
        return annotated_class(sides[0]) if len(sides) == 1 else None
    if isinstance(annotation, ast.Subscript) and isinstance(annotation.value, (ast.Name, ast.Attribute)):
        named = annotation.value.id if isinstance(annotation.value, ast.Name) else annotation.value.attr
        return annotated_class(annotation.slice) if named == "Optional" else None
    return annotation if isinstance(annotation, (ast.Name, ast.Attribute)) else None
