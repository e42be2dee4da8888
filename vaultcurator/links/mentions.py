"""Unlinked mentions: a note's text naming another note (its title or an alias) without a link.

A strong signal of relatedness (the author thought of that note by name), and the one a
lexical score misses when the name is made of common words. Names are matched as whole word
sequences, in the case they are written in, except the first letter (a sentence may start
with it, or a sentence-case title be written in lower case): ``Graph view`` is found in "open
the graph view", but ``Minutes Taste`` is not found in "cook it minutes, taste it". With the
authors' links hidden, case-blind matches were right 2% of the time on generated vaults,
whose titles are pairs of topic words; on real docs vaults few mentions differ in case
(4%), so the rule costs nothing there. A name several notes share (``Overview``,
``README``) resolves to the note nearest by path, as Obsidian's link resolution would.
Names in Chinese, Japanese or Korean script are found inside runs of text (no spaces there),
from two characters up (on the first 20 notes of Obsidian's Chinese help: +.02 recall@5).

Mentions are found when a note's text is read (and stored with the sparse index, so an
unchanged note is not read again); they are kept as the name's key and resolved to paths at
query time, so a renamed or deleted note simply stops matching.
"""

from __future__ import annotations

import posixpath
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

_WORD = re.compile(r"[^\W_]+")
_CJK_NAME = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]{2,}")
"""A name written in a script without spaces (Chinese, Japanese, Korean): found inside runs."""
MAX_NAME_WORDS = 6
MIN_NAME_CHARS = 3
"""Shorter names (``Go``, ``AI``) match too much prose to mean anything."""


@lru_cache(maxsize=1 << 17)
def name_key(name: str) -> str:
    """Case-, accent-form- and punctuation-insensitive key of a name (its words, space-joined)."""
    return " ".join(_WORD.findall(unicodedata.normalize("NFC", name).casefold()))


def aliases_of(frontmatter: Mapping[str, Any]) -> list[str]:
    """The note's aliases (``aliases`` or ``alias``, a list or one string)."""
    out: list[str] = []
    for key in ("aliases", "alias"):
        value = frontmatter.get(key)
        if isinstance(value, str):
            out.extend(v.strip() for v in value.split(",") if v.strip())
        elif isinstance(value, list):
            out.extend(
                str(v).strip() for v in value if isinstance(v, (str, int)) and str(v).strip()
            )
    return out


def stem(path: str) -> str:
    name = path.rsplit("/", 1)[-1]
    return name[:-3] if name.lower().endswith(".md") else name


class NameIndex:
    """Every note's names (file name and aliases) for mention matching and resolution."""

    def __init__(self, names: Iterable[tuple[str, str]], stop: frozenset[str] = frozenset()):
        """``names``: (path, name) pairs; ``stop``: single words never matched as names."""
        self.paths: dict[str, list[str]] = defaultdict(list)
        self.spellings: dict[str, set[tuple[str, ...]]] = defaultdict(set)
        """Key -> the names' words as written, first letter lower-cased."""
        self.first: dict[str, int] = {}
        """First word of a name -> the most words a name starting with it has."""
        self.cjk: dict[str, set[str]] = defaultdict(set)
        """First character -> names written without spaces (matched inside runs of text)."""
        for path, name in names:
            key = name_key(name)
            words = key.split(" ")
            if _CJK_NAME.fullmatch(key):  # two characters are a word in these scripts
                if path not in self.paths[key]:
                    self.paths[key].append(path)
                self.cjk[key[0]].add(key)
                continue
            if len(key) < MIN_NAME_CHARS or len(words) > MAX_NAME_WORDS:
                continue
            if len(words) == 1 and (key in stop or key.isdigit()):
                continue
            if path not in self.paths[key]:
                self.paths[key].append(path)
            self.spellings[key].add(_written(_WORD.findall(unicodedata.normalize("NFC", name))))
            self.first[words[0]] = max(self.first.get(words[0], 0), len(words))

    def find(self, text: str) -> list[str]:
        """Keys of the names ``text`` mentions as written, longest first at each place, in order."""
        written = _WORD.findall(unicodedata.normalize("NFC", text))
        words = [w.casefold() for w in written]
        first = self.first
        starts = first.keys() & set(words)
        found: list[str] = []
        i = 0 if starts else len(words)
        while i < len(words):
            if words[i] not in starts:
                i += 1
                continue
            longest = first[words[i]]
            step = 1
            for n in range(min(longest, len(words) - i), 0, -1):
                key = " ".join(words[i : i + n])
                if key in self.paths and _written(written[i : i + n]) in self.spellings[key]:
                    found.append(key)
                    step = n
                    break
            i += step
        if self.cjk:
            found.extend(self._inside_runs(words))
        return found

    def _inside_runs(self, words: list[str]) -> list[str]:
        """Spaceless names found inside runs of CJK text, longest first at each place."""
        found: list[str] = []
        for word in words:
            if word.isascii():
                continue
            i = 0
            while i < len(word):
                keys = self.cjk.get(word[i])
                hit = max((k for k in keys or () if word.startswith(k, i)), key=len, default="")
                if hit:
                    found.append(hit)
                i += len(hit) or 1
        return found

    def resolve(self, key: str, source: str) -> str | None:
        """The note a mentioned name means from ``source``: the nearest by path when shared."""
        paths = self.paths.get(key)
        if not paths:
            return None
        if len(paths) == 1:
            return paths[0]
        folder = posixpath.dirname(source)
        return min(paths, key=lambda p: (-_shared_depth(folder, p), p.count("/"), len(p), p))


def _written(words: list[str]) -> tuple[str, ...]:
    """Words as written, but the first letter's case (sentence starts, sentence case)."""
    if not words:
        return ()
    return (words[0][:1].casefold() + words[0][1:], *words[1:])


def _shared_depth(folder: str, path: str) -> int:
    """How many leading folders ``path`` shares with ``folder``."""
    a = folder.split("/") if folder else []
    b = posixpath.dirname(path).split("/") if "/" in path else []
    depth = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        depth += 1
    return depth
