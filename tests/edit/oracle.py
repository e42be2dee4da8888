"""An independent judge of an edit: did anything change outside the keys that were set?

It locates each property with PyYAML's pure-Python composer (node positions), not with the
editor's own line scanner, so a bug in the scanner cannot hide itself.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import yaml

from vaultcurator.vault.frontmatter import decode, split


def _last_index(node: yaml.Node, text: str) -> tuple[int, bool]:
    """Index just after ``node``'s own text, and whether trailing blank lines are content.

    Only a keep-chomping block scalar (``|+``, ``>+``) owns the blank lines after it.
    """
    if isinstance(node, yaml.ScalarNode):
        header = text[node.start_mark.index :].split("\n", 1)[0]
        keep = node.style in ("|", ">") and "+" in header
        return int(node.end_mark.index), keep
    if node.flow_style:
        return int(node.end_mark.index), False
    if isinstance(node, yaml.SequenceNode):
        return _last_index(node.value[-1], text)
    assert isinstance(node, yaml.MappingNode)
    return _last_index(node.value[-1][1], text)


def extents(yaml_text: str) -> dict[str, tuple[int, int]]:
    """key -> (first line, last line inclusive) of the key and its value, by line number."""
    if not yaml_text.strip():
        return {}
    root = yaml.compose(yaml_text, Loader=yaml.SafeLoader)
    if root is None:
        return {}
    assert isinstance(root, yaml.MappingNode)
    out: dict[str, tuple[int, int]] = {}
    for key_node, value_node in root.value:
        start = int(key_node.start_mark.index)
        end, keep = _last_index(value_node, yaml_text)
        end = max(end, int(key_node.end_mark.index))
        while end > start and yaml_text[end - 1] in (" \t" if keep else " \t\r\n"):
            end -= 1
        first = yaml_text.count("\n", 0, start)
        last = yaml_text.count("\n", 0, max(end - 1, start))
        out[str(key_node.value)] = (first, last)
    return out


def _load(yaml_text: str) -> dict[str, Any]:
    """The full pure-Python PyYAML loader, independent of the scanner's fast path."""
    data = yaml.load(yaml_text, Loader=yaml.SafeLoader) if yaml_text.strip() else None
    assert data is None or isinstance(data, dict)
    return {str(k): v for k, v in (data or {}).items()}


def _strip(lines: list[str], spans: list[tuple[int, int]]) -> list[str]:
    drop: set[int] = set()
    for first, last in spans:
        drop.update(range(first, last + 1))
    return [line for i, line in enumerate(lines) if i not in drop]


def assert_only_keys_changed(
    old: bytes, new: bytes, keys: list[str], expected: Mapping[str, Any] | None = None
) -> None:
    """Body, BOM, newline style and every line outside the set keys are byte-identical.

    ``keys`` are the properties as named in the file (after any ``tags``->``Tags`` mapping).
    """
    old_text, old_bom = decode(old)
    new_text, new_bom = decode(new)
    assert old_bom == new_bom, "BOM changed"
    old_layout = split(old_text, bom=old_bom)
    new_layout = split(new_text, bom=new_bom)
    assert new_layout.has_frontmatter
    assert new_layout.newline == old_layout.newline, "newline style changed"
    assert new_layout.body == old_layout.body, "body changed"
    assert new_text[: new_layout.yaml_start] == (
        old_text[: old_layout.yaml_start]
        if old_layout.has_frontmatter
        else "---" + old_layout.newline
    )
    old_yaml = old_layout.yaml_text if old_layout.has_frontmatter else ""
    new_yaml = new_layout.yaml_text
    if old_layout.has_frontmatter:
        closing_old = old_text[old_layout.yaml_end : old_layout.body_start]
        assert new_text[new_layout.yaml_end : new_layout.body_start] == closing_old
    old_ext = extents(old_yaml)
    new_ext = extents(new_yaml)
    old_rest = _strip(old_yaml.split("\n"), [old_ext[k] for k in keys if k in old_ext])
    new_lines = new_yaml.split("\n")
    old_lines = old_yaml.split("\n")
    new_spans = []
    for key in keys:  # comment lines a set key carried stay with it, right after its value
        first, last = new_ext[key]
        kept = old_lines[old_ext[key][0] : old_ext[key][1] + 1] if key in old_ext else []
        while last + 1 < len(new_lines) and new_lines[last + 1].lstrip().startswith("#"):
            if new_lines[last + 1] not in kept:
                break
            kept.remove(new_lines[last + 1])
            last += 1
        new_spans.append((first, last))
    new_rest = _strip(new_lines, new_spans)
    assert new_rest == old_rest, "lines outside the set keys changed"
    before = _load(old_yaml)
    after = _load(new_yaml)
    others_before = [k for k in before if k not in keys]
    others_after = [k for k in after if k not in keys]
    assert others_after == others_before, "other keys reordered"
    for key in others_before:
        assert repr(after[key]) == repr(before[key]), f"value of {key!r} changed"
    for key in keys:
        assert key in after
        if expected is not None:
            value = after[key]
            tag_list = key.lower() in ("tags", "tag") and isinstance(expected[key], list)
            if tag_list and isinstance(value, str):
                # A string of tags stays a string; Obsidian splits it at blanks and commas.
                assert isinstance(before.get(key), str), f"{key!r} turned into a string"
                value = [p.lstrip("#") for p in re.split(r"[,\s]+", value) if p.lstrip("#")]
            assert repr(value) == repr(expected[key]), f"{key!r} not set as asked"
    # New keys go after all existing ones.
    appended = [k for k in after if k not in before]
    assert list(after)[len(after) - len(appended) :] == appended
