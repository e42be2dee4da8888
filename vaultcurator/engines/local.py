"""An offline curator: tags from the vault's own taxonomy, an extractive description.

For users without an API key, or whose notes must not leave the machine. Nothing is invented:
every proposed tag is one the vault already uses (or the note's own tag, normalised), and the
description is the note's first meaningful sentence with the Markdown stripped.

Tag evidence, scored per candidate (the vault's spelling is kept):

- the note's own tags (property and inline ``#tags``);
- existing tag names, or the leaf of a nested tag (``programming/python`` -> "python"), found
  in the title, the headings or the text (a nested tag is preferred to a flat one with the
  same leaf when the vault uses nesting);
- tags of the notes it links to (body and frontmatter wikilinks);
- tags most notes of its folder share;
- optionally ``neighbour_tags(note)``, e.g. tags of the most similar notes from the links
  index.

The best 3-8 are kept (fewer when the vault gives no more evidence), a tag is dropped when a
nested tag under it is kept (``a/b`` implies ``a``). Deterministic: ties break by how many
notes use the tag, then by name.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator
from collections.abc import Set as AbstractSet
from typing import Any

from vaultcurator.config import CurationSettings
from vaultcurator.curation.answers import KnownTags, clean_description, shorten
from vaultcurator.curation.prompts import DESCRIPTION_MAX_CHARS, MAX_TAGS, MIN_TAGS
from vaultcurator.domain.requests import CurationAnswer, RequestOutcome
from vaultcurator.engines.base import EngineSetup, PerNoteEngine, PerNoteSink, PreparedNote
from vaultcurator.vault.model import Inventory, Note
from vaultcurator.vault.tags import normalize_tag
from vaultcurator.vault.taxonomy import tag_counts

NeighbourTags = Callable[[Note], list[str]]

ENGINE_NAME = "local"
OWN_TAG_SCORE = 4.0
TITLE_SCORE = 3.0
HEADING_SCORE = 2.0
TEXT_SCORE = 0.75
TEXT_SCORE_CAP = 3.0
LINKED_SCORE = 0.75
LINKED_SCORE_CAP = 1.5
FOLDER_SCORE = 1.5
FOLDER_MIN_SHARE = 0.5
NEIGHBOUR_SCORE = 1.5
KEEP_SCORE = 1.5
"""Evidence a tag needs to be proposed beyond the minimum of :data:`MIN_TAGS`."""
MAX_PHRASE_WORDS = 4
MIN_WORD_CHARS = 3
SHORT_SENTENCE = 30

_WORD = re.compile(r"\w+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_WIKILINK = re.compile(r"!?\[\[([^\]|#^\n]*)(?:[#^][^\]|\n]*)?(?:\|([^\]\n]*))?\]\]")
_HEADING = re.compile(r"^\s{0,3}#{1,6}\s+(.*?)\s*#*\s*$")
_FENCE_OPEN = re.compile(r"^\s{0,3}(```|~~~)")
# Tags that say what kind of note a note is (a map of content), not what it is about: they are
# never passed on to a note through its links, its folder or its neighbours.
STRUCTURAL_TAGS = frozenset(
    ["moc", "index", "hub", "home", "map", "maps", "toc", "overview", "dashboard"]
)
_STOPWORD_TEXT = (
    "the and for with from that this your you are was not but all any can has have how its "
    "one our out too use via who why new note notes misc other stuff"
)
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())


class _Vocabulary:
    """Existing tags indexed by the words they are written with, for matching in text."""

    def __init__(self, counts: list[tuple[str, int]]) -> None:
        self.count: dict[str, int] = {tag.casefold(): n for tag, n in counts}
        self.nested = any("/" in tag for tag, _ in counts)
        by_phrase: dict[tuple[str, ...], list[str]] = defaultdict(list)
        self.cjk: dict[str, list[str]] = defaultdict(list)
        for tag, _ in counts:
            leaf = tag.rsplit("/", 1)[-1]
            words = tuple(w.casefold() for w in re.split(r"[-_\s]+", leaf) if w)
            if not words or len(words) > MAX_PHRASE_WORDS:
                continue
            if _CJK.search(leaf):
                self.cjk[leaf.casefold()].append(tag)
                continue
            if len(words) == 1 and (
                len(words[0]) < MIN_WORD_CHARS or words[0].isdigit() or words[0] in _STOPWORDS
            ):
                continue
            by_phrase[words].append(tag)
        self.phrases = {p: self._best(tags) for p, tags in by_phrase.items()}
        self.cjk_best = {p: self._best(tags) for p, tags in self.cjk.items()}
        self.longest = max((len(p) for p in self.phrases), default=0)
        self.first_words = frozenset(p[0] for p in self.phrases)

    def _best(self, tags: list[str]) -> str:
        """Of tags sharing a leaf: nested first (when the vault nests), then most used."""
        return min(
            tags,
            key=lambda t: (
                -(t.count("/") if self.nested else 0),
                -self.count.get(t.casefold(), 0),
                t.casefold(),
            ),
        )

    def matches(self, text: str) -> Iterator[str]:
        """Every existing tag whose leaf occurs in ``text`` (once per occurrence)."""
        words = [_singular(w) for w in _WORD.findall(text.casefold())]
        first_words = self.first_words
        for start, word in enumerate(words):
            if word not in first_words:
                continue
            for size in range(1, min(self.longest, len(words) - start) + 1):
                tag = self.phrases.get(tuple(words[start : start + size]))
                if tag is not None:
                    yield tag
        if self.cjk_best:
            folded = text.casefold()
            for phrase, tag in self.cjk_best.items():
                for _ in range(folded.count(phrase)):
                    yield tag


def _singular(word: str) -> str:
    """A crude singular so "recipes" finds ``recipe``; leaves short words alone."""
    if len(word) > 4 and word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word


class LocalCurator:
    """Curate notes offline from what ``inventory`` already says about the vault."""

    engine = ENGINE_NAME

    def __init__(
        self,
        inventory: Inventory,
        settings: CurationSettings | None = None,
        *,
        neighbour_tags: NeighbourTags | None = None,
    ) -> None:
        self.settings = settings or CurationSettings()
        self.neighbour_tags = neighbour_tags
        valid = inventory.valid
        counts = tag_counts(valid)
        self._known = KnownTags(tag for tag, _ in counts)
        self._spelling: dict[str, str | None] = {}
        self._tags_of: dict[str, list[str]] = {}
        self._vocab = _Vocabulary(counts)
        self._by_title: dict[str, Note] = {}
        self._by_stem: dict[str, Note] = {}
        for note in sorted(valid, key=lambda n: (n.path.count("/"), n.path)):
            self._by_title.setdefault(note.title.casefold(), note)
            self._by_stem.setdefault(_stem(note.path).casefold(), note)
        self._folder_notes: Counter[str] = Counter()
        self._folder_tags: dict[str, Counter[str]] = defaultdict(Counter)
        for note in valid:
            folder = _folder(note.path)
            self._folder_notes[folder] += 1
            self._folder_tags[folder].update(self._note_tags(note))

    # ------------------------------------------------------------------ public

    def curate(self, note: Note, body: str) -> CurationAnswer:
        """Tags and a description for ``note`` whose Markdown body is ``body``."""
        return CurationAnswer(tags=self.tags_for(note, body), description=describe(body, note))

    def tags_for(self, note: Note, body: str) -> list[str]:
        scores: dict[str, float] = defaultdict(float)
        for tag in self._note_tags(note):
            scores[tag] += OWN_TAG_SCORE
        for tag in self._vocab.matches(note.title):
            scores[tag] += TITLE_SCORE
        headings, prose = _prose(body)
        for heading in headings:
            for tag in self._vocab.matches(heading):
                scores[tag] += HEADING_SCORE
        text_hits = Counter(self._vocab.matches(prose))
        for tag, hits in text_hits.items():
            scores[tag] += min(TEXT_SCORE_CAP, hits * TEXT_SCORE)
        linked: Counter[str] = Counter()
        for other in self._linked_notes(note, body):
            linked.update(_topical(self._note_tags(other)))
        for tag, n in linked.items():
            scores[tag] += min(LINKED_SCORE_CAP, n * LINKED_SCORE)
        for tag, share in self._folder_shares(note).items():
            if share >= FOLDER_MIN_SHARE:
                scores[tag] += FOLDER_SCORE * share
        if self.neighbour_tags is not None:
            for tag in _topical(self._spelled(self.neighbour_tags(note))):
                scores[tag] += NEIGHBOUR_SCORE
        own = {t.casefold() for t in self._note_tags(note)}
        return self._choose(scores, note, own)

    # ------------------------------------------------------------------ helpers

    def _spell(self, candidate: str) -> str | None:
        """The tag rules applied to ``candidate``, in the vault's spelling (memoised)."""
        if candidate not in self._spelling:
            tag = normalize_tag(candidate)
            self._spelling[candidate] = tag and (self._known.spelling(tag) or tag)
        return self._spelling[candidate]

    def _spelled(self, candidates: Iterable[str]) -> list[str]:
        """Valid tags in the vault's spelling, case-insensitively unique, order kept."""
        out: dict[str, str] = {}
        for candidate in candidates:
            tag = self._spell(candidate)
            if tag is not None:
                out.setdefault(tag.casefold(), tag)
        return list(out.values())

    def _note_tags(self, note: Note) -> list[str]:
        tags = self._tags_of.get(note.path)
        if tags is None:
            tags = self._tags_of[note.path] = self._spelled([*note.tags, *note.inline_tags])
        return tags

    def _folder_shares(self, note: Note) -> dict[str, float]:
        folder = _folder(note.path)
        others = self._folder_notes[folder] - 1
        if others < 2:
            return {}
        counts = self._folder_tags[folder].copy()
        counts.subtract(self._note_tags(note))
        return {tag: n / others for tag, n in counts.items() if n > 0 and _is_topical(tag)}

    def _linked_notes(self, note: Note, body: str) -> list[Note]:
        targets = [*_link_targets(body), *_frontmatter_links(note.frontmatter)]
        found: dict[str, Note] = {}
        for target in targets:
            key = target.strip().removesuffix(".md").casefold()
            other = self._by_stem.get(key) if "/" in key else self._by_title.get(key)
            if other is not None and other.path != note.path:
                found.setdefault(other.path, other)
        return list(found.values())

    def _rank(self, tag: str, score: float) -> tuple[float, int, str]:
        return (-score, -self._vocab.count.get(tag.casefold(), 0), tag.casefold())

    def _choose(self, scores: dict[str, float], note: Note, own: set[str]) -> list[str]:
        ranked = sorted(scores, key=lambda t: self._rank(t, scores[t]))
        chosen = [t for t in ranked if scores[t] >= KEEP_SCORE]
        for tag in ranked:
            if len(chosen) >= MIN_TAGS:
                break
            if tag not in chosen:
                chosen.append(tag)
        if len(chosen) < MIN_TAGS:
            chosen.extend(self._folder_fallback(note, chosen))
        return _drop_parents(chosen, keep=own)[:MAX_TAGS]

    def _folder_fallback(self, note: Note, chosen: list[str]) -> list[str]:
        """Existing tags named like the note's folders (``Cooking/Recipes`` -> ``cooking``)."""
        have = {t.casefold() for t in chosen}
        out: list[str] = []
        for part in _folder(note.path).split("/"):
            tag = normalize_tag(part) if part else None
            spelled = self._known.spelling(tag) if tag else None
            if spelled and spelled.casefold() not in have:
                have.add(spelled.casefold())
                out.append(spelled)
        return out


def _drop_parents(tags: list[str], keep: AbstractSet[str] = frozenset()) -> list[str]:
    """Without tags implied by a nested one (``a`` beside ``a/b``), unless in ``keep``."""
    folded = [t.casefold() for t in tags]
    return [
        tag
        for tag, key in zip(tags, folded, strict=True)
        if key in keep or not any(other.startswith(key + "/") for other in folded)
    ]


def _is_topical(tag: str) -> bool:
    return tag.casefold() not in STRUCTURAL_TAGS


def _topical(tags: Iterable[str]) -> list[str]:
    return [t for t in tags if _is_topical(t)]


def _folder(path: str) -> str:
    return path.rsplit("/", 1)[0] if "/" in path else ""


def _stem(path: str) -> str:
    return path[:-3] if path.lower().endswith(".md") else path


def _link_targets(text: str) -> list[str]:
    return [m.group(1) for m in _WIKILINK.finditer(text) if m.group(1).strip()]


def _frontmatter_links(value: Any) -> list[str]:
    if isinstance(value, str):
        return _link_targets(value)
    if isinstance(value, dict):
        return [t for v in value.values() for t in _frontmatter_links(v)]
    if isinstance(value, list):
        return [t for v in value for t in _frontmatter_links(v)]
    return []


# ---------------------------------------------------------------------- descriptions

_COMMENT_BLOCK = re.compile(r"%%.*?%%|<!--.*?-->|\$\$.*?\$\$", re.DOTALL)
_EMBED = re.compile(r"!\[\[[^\]]*\]\]|!\[[^\]]*\]\([^)]*\)")
_MD_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_AUTOLINK = re.compile(r"<(https?://[^>\s]+)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][^>]*>")
_FOOTNOTE_REF = re.compile(r"\[\^[^\]]*\]")
_EMPHASIS = (
    re.compile(r"(\*\*|__)(.+?)\1"),
    re.compile(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])"),
    re.compile(r"(?<![\w_])_(?!\s)(.+?)(?<!\s)_(?![\w_])"),
    re.compile(r"~~(.+?)~~"),
    re.compile(r"==(.+?)=="),
)
_INLINE_CODE = re.compile(r"`+([^`]*)`+")
_TRAILING_TAGS = re.compile(r"(?:\s+#[\w/-]*[^\W\d][\w/-]*)+\s*$")
_INLINE_TAG = re.compile(r"(?<![\w/#&])#([\w/-]*[^\W\d][\w/-]*)")
_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|~=<>])")
_LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+(?:\[.\]\s+)?")
_SKIP_LINE = re.compile(
    r"^\s*(?:>|\||#{1,6}(?:\s|$)|(?:-{3,}|\*{3,}|_{3,})\s*$|\[\^[^\]]*\]:|[\w-]+::|<)"
)
_SENTENCE_END = re.compile(r"[.!?…](?=\s|$)|[。！？]")
_ABBREVIATIONS = frozenset("e.g i.e vs etc cf dr mr mrs ms st no approx fig".split())  # noqa: SIM905


def _code_free_lines(body: str) -> Iterator[str]:
    fence: str | None = None
    for line in _COMMENT_BLOCK.sub("\n", body).splitlines():
        opened = _FENCE_OPEN.match(line)
        if fence is not None:
            if opened and opened.group(1) == fence:
                fence = None
            continue
        if opened:
            fence = opened.group(1)
            continue
        yield line


def _prose(body: str) -> tuple[list[str], str]:
    """The headings, and the rest of the text, to match tags in.

    Code, comments and wikilinks are left out: a link is evidence through the linked note's
    tags, not through its name (which would count it twice).
    """
    headings: list[str] = []
    lines: list[str] = []
    for line in _code_free_lines(body):
        heading = _HEADING.match(line)
        if heading:
            headings.append(strip_markdown(heading.group(1)))
        else:
            lines.append(line)
    return headings, _WIKILINK.sub(" ", "\n".join(lines))


def strip_markdown(text: str) -> str:
    """Plain text of one line of Markdown: links to their text, no emphasis or code marks."""
    text = _EMBED.sub("", text)
    text = _WIKILINK.sub(lambda m: (m.group(2) or m.group(1).rsplit("/", 1)[-1]).strip(), text)
    text = _MD_LINK.sub(r"\1", text)
    text = _AUTOLINK.sub(r"\1", text)
    text = _FOOTNOTE_REF.sub("", text)
    text = _HTML_TAG.sub("", text)
    text = _INLINE_CODE.sub(r"\1", text)
    for pattern in _EMPHASIS:
        text = pattern.sub(lambda m: m.group(m.lastindex or 1), text)
    text = _TRAILING_TAGS.sub("", text)
    text = _INLINE_TAG.sub(r"\1", text)
    text = _ESCAPE.sub(r"\1", text)
    return " ".join(text.split())


def _blocks(body: str) -> Iterator[tuple[str, bool]]:
    """Paragraphs (joined lines) and list items of prose, flagged True for list items.

    Lines that are mostly links (``Recipes: [[A]], [[B]]``) end a paragraph like a blank line.
    """
    paragraph: list[str] = []
    for line in _code_free_lines(body):
        if not line.strip() or _SKIP_LINE.match(line) or _is_link_line(line):
            if paragraph:
                yield " ".join(paragraph), False
                paragraph = []
            continue
        if _LIST_MARK.match(line):
            if paragraph:
                yield " ".join(paragraph), False
                paragraph = []
            yield _LIST_MARK.sub("", line), True
            continue
        paragraph.append(line.strip())
    if paragraph:
        yield " ".join(paragraph), False


def _prose_outside_links(text: str) -> str:
    return strip_markdown(_WIKILINK.sub("", _MD_LINK.sub("", _EMBED.sub("", text))))


def _has_prose(plain: str) -> bool:
    return len(_WORD.findall(plain)) >= 3 or bool(_CJK.search(plain) and len(plain) >= 6)


def _is_link_line(line: str) -> bool:
    links = _WIKILINK.search(line) or _MD_LINK.search(line) or _EMBED.search(line)
    return links is not None and not _has_prose(_prose_outside_links(line))


def _meaningful(text: str) -> bool:
    """Prose: three words or a CJK phrase besides links and embeds."""
    return _has_prose(_prose_outside_links(text))


def _sentences(text: str) -> Iterator[str]:
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        word = text[start : match.start()].rsplit(" ", 1)[-1].casefold()
        if match.group() == "." and (word in _ABBREVIATIONS or len(word) == 1):
            continue
        sentence = text[start:end].strip()
        if sentence:
            yield sentence
        start = end
    rest = text[start:].strip()
    if rest:
        yield rest


def _lead(block: str) -> str:
    """The first sentence of a block, joined with the next ones while it is very short.

    A sentence ending with ``:`` introduces what follows (a list, code): never a description.
    """
    text = ""
    for sentence in _sentences(strip_markdown(block)):
        if sentence.endswith((":", "：")):
            break
        glue = "" if text.endswith(("。", "！", "？")) else " "
        joined = f"{text}{glue}{sentence}".strip()
        if text and len(joined) > DESCRIPTION_MAX_CHARS:
            break
        text = joined
        if len(text) >= SHORT_SENTENCE:
            break
    return text


def describe(body: str, note: Note | None = None) -> str:
    """The note's first meaningful sentence(s) as plain text, within 200 characters.

    A description the note already has is kept (cleaned to one line): a human wrote it.
    Headings, quotes and callouts, tables, code, comments, embeds and lists of links are
    skipped; a paragraph is preferred to a list item. Falls back to the note's title.
    """
    if note is not None and note.description and note.description.strip():
        return clean_description(note.description)
    first_item = ""
    for block, is_item in _blocks(body):
        lead = _lead(block) if _meaningful(block) else ""
        if not lead:
            continue
        if not is_item:
            return shorten(lead)
        first_item = first_item or lead
    if first_item:
        return shorten(first_item)
    return shorten(note.title) if note is not None else ""


class LocalEngine(PerNoteEngine):
    """The engine protocol over :class:`LocalCurator`: offline, one note after another."""

    def __init__(self, setup: EngineSetup) -> None:
        super().__init__(setup)
        self._curator: LocalCurator | None = None

    def run(self, notes: Iterable[PreparedNote], attempt: int, total: int) -> None:
        if self._curator is None:
            self._curator = LocalCurator(self.setup.inventory, self.setup.settings)
        sink = PerNoteSink(self.setup, total)
        for item in notes:
            try:
                answer = self._curator.curate(item.note, item.body)
            except Exception as exc:  # the local curator must never stop the whole job
                outcome = RequestOutcome(
                    item.custom_id, "errored", error_type="local_error", error=str(exc)
                )
            else:
                outcome = RequestOutcome(item.custom_id, "succeeded", answer=answer)
            sink(item.note.path, outcome)
