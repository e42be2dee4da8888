"""Where a top-level property starts in a YAML block, read line by line (no YAML parse).

:mod:`.frontmatter_edit` replaces a property's lines in place, so it must find the line that
starts each key exactly as written (quoted keys included), or refuse the note.
"""

from __future__ import annotations

import re

import yaml


def _quoted_key(line: str) -> tuple[str, str] | None:
    quote = line[0]
    pos = 1
    while True:
        end = line.find(quote, pos)
        if end < 0:
            return None
        if quote == '"' and _escaped(line, end):
            pos = end + 1
            continue
        if quote == "'" and line.startswith("''", end):
            pos = end + 2
            continue
        break
    token = line[: end + 1]
    rest = line[end + 1 :].lstrip(" \t")
    if not rest.startswith(":") or (len(rest) > 1 and rest[1] not in " \t"):
        return None
    try:
        key = yaml.load(token, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return None
    return str(key), token


def _escaped(line: str, index: int) -> bool:
    backslashes = 0
    while index - backslashes - 1 >= 0 and line[index - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1


_KEY_COLON = re.compile(r":(?=[ \t]|$)")


def key_of_line(line: str) -> tuple[str, str] | None:
    """(key, key as written) when ``line`` starts a top-level property, else None."""
    if not line or line[0] in " \t#" or line.startswith("- ") or line == "-":
        return None
    if line[0] in "\"'":
        return _quoted_key(line)
    match = _KEY_COLON.search(line)
    if match is None:
        return None
    token = line[: match.start()].rstrip(" \t")
    if " #" in token or "\t#" in token:
        return None
    # Tokens with YAML indicators (&anchor, !tag, ? key, [flow]) stay as written: they then
    # fail to match the parsed keys and the note is refused rather than edited by guesswork.
    return token, token
