"""The kinds of PyYAML nodes, told apart without importing PyYAML (a run that reads no YAML
file never imports it): what the YAML readers (sources.yaml_source, sources.exposure) walk."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeGuard

if TYPE_CHECKING:
    from yaml import MappingNode, Node, ScalarNode, SequenceNode

# The tag of the ``<<`` key of a mapping merged into another.
MERGE_TAG = "tag:yaml.org,2002:merge"


def is_scalar(node: Node) -> TypeGuard[ScalarNode]:
    return node.__class__.__name__ == "ScalarNode"


def is_mapping(node: Node) -> TypeGuard[MappingNode]:
    return node.__class__.__name__ == "MappingNode"


def is_sequence(node: Node) -> TypeGuard[SequenceNode]:
    return node.__class__.__name__ == "SequenceNode"
