"""The report writer's JSON text is json.dumps(indent=2, ensure_ascii=False), byte for byte."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mlflow_lint.json_text import dumps_indented

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True, allow_infinity=True) | st.text()
_DOCUMENTS = st.recursive(
    _SCALARS,
    lambda children: st.lists(children, max_size=5) | st.dictionaries(st.text(), children, max_size=5),
    max_leaves=40,
)


@pytest.mark.integration
@settings(max_examples=400, deadline=None)
@given(_DOCUMENTS)
def test_same_text_as_the_standard_library(document: object) -> None:
    assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)


def test_edge_values_and_unusual_keys() -> None:
    for document in (
        {"a": [], "b": {}, "c": [[]], "d": [{}], "é": "\u2028\udce9\x00", "n": -0.0, "big": 10**30},
        [math.inf, -math.inf, math.nan, 1e-320, True, False, None],
        {1: "int key", None: "null key", 2.5: "float key"},  # not strings: left to the library
        (1, (2, 3)),
    ):
        assert dumps_indented(document) == json.dumps(document, indent=2, ensure_ascii=False)
