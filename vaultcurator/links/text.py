"""What is embedded for a note, chosen so similar *topics* land close together.

A note is reduced to its title (the file name), folder, description, tags, headings and the
head of its body. Markdown noise is removed: code blocks are kept as text but fences dropped, link
syntax is replaced by the text a reader sees, URLs, HTML and embeds are dropped. The related
property is never part of the text, so applying related links does not move a note's vector
(and cannot feed back into the next run).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from vaultcurator.links.wikilinks import linkpath

TEXT_VERSION = "4"
"""Bump when the extraction changes: every note's text hash changes and it is re-embedded."""

_HEADING = re.compile(r"^[ \t]{0,3}#{1,6}[ \t]+(.+?)[ \t#]*$", re.MULTILINE)
_EMBED = re.compile(r"!\[\[[^\]\n]*\]\]|!\[[^\]\n]*\]\([^)\n]*\)")
_WIKILINK = re.compile(r"\[\[([^\[\]\n]+?)\]\]")
_MD_LINK = re.compile(r"\[([^\]\n]*)\]\([^)\n]*\)")
_URL = re.compile(r"\b[a-zA-Z][a-zA-Z0-9+.-]*://\S+")
_HTML = re.compile(r"<[^>\n]{1,200}>")
_COMMENT = re.compile(r"%%.*?%%|<!--.*?-->", re.DOTALL)
_FENCE_LINE = re.compile(r"^[ \t]*(```|~~~).*$", re.MULTILINE)
_MARKUP = re.compile(r"[*_=~>|`]+")
_SPACES = re.compile(r"[ \t]+")
_BLANKS = re.compile(r"\n{3,}")

PROPERTY_CHARS = 200
"""Other text properties up to this long are part of what a note says (short notes live on
them: a book note's author, a person's company)."""
_NOT_TEXT = frozenset({"tags", "tag", "description", "cssclasses", "cssclass", "publish"})
_DATE_LIKE = re.compile(r"^[\d\s:./TZ+-]+$")

BODY_CHARS = 20_000
"""At most this much of the body is looked at (the head carries the topic)."""


@dataclass(frozen=True, slots=True)
class NoteDoc:
    """The parts of a note an embedder sees."""

    path: str
    title: str
    folder: str = ""
    """The folder path as words (``Cooking/Recipes`` -> ``Cooking Recipes``): a topic hint."""
    description: str = ""
    tags: tuple[str, ...] = ()
    headings: tuple[str, ...] = ()
    body: str = ""
    extra: tuple[str, ...] = field(default=())
    """Other short text properties worth weighting like the description (e.g. aliases)."""

    @property
    def empty(self) -> bool:
        """Nothing but a title: too little to say what the note is about."""
        return not (self.description or self.tags or self.headings or self.body.strip())

    def as_text(self, max_chars: int = 2000) -> str:
        """One string for sentence encoders, most telling parts first, within ``max_chars``."""
        parts = [self.title]
        if self.folder:
            parts.append(f"({self.folder})")
        if self.description:
            parts.append(self.description)
        if self.tags:
            parts.append("Tags: " + ", ".join(t.replace("/", " ") for t in self.tags))
        if self.extra:
            parts.append(". ".join(self.extra))
        if self.headings:
            parts.append("; ".join(self.headings))
        parts.append(self.body)
        return "\n".join(p for p in parts if p)[:max_chars]

    def text_hash(self) -> str:
        """Identity of what is embedded: equal hashes mean an equal vector can be reused."""
        digest = hashlib.sha256(TEXT_VERSION.encode())
        for part in (
            self.title,
            self.folder,
            self.description,
            *self.tags,
            "\0",
            *self.extra,
            "\0",
            *self.headings,
            "\0",
            self.body,
        ):
            digest.update(part.encode("utf-8", "surrogatepass"))
            digest.update(b"\x1f")
        return digest.hexdigest()


def _link_label(match: re.Match[str]) -> str:
    raw = match.group(1)
    if "|" in raw:
        return raw.split("|", 1)[1].strip()
    target = linkpath(raw)
    return target.rsplit("/", 1)[-1]


def clean_body(body: str, *, keep_links: bool = True) -> str:
    """Readable text of a Markdown body (see module docstring).

    ``keep_links=False`` drops wikilinks entirely, for evaluations that hold links out.
    """
    # each pattern only where the text holds what it must start with: a substring test is
    # far cheaper than a regex scan that finds nothing (called for every heading too)
    text = body[:BODY_CHARS]
    if "%%" in text or "<!--" in text:
        text = _COMMENT.sub(" ", text)
    if "![" in text:
        text = _EMBED.sub(" ", text)
    if "[[" in text:
        text = _WIKILINK.sub(_link_label if keep_links else (lambda _m: " "), text)
    if "](" in text:
        text = _MD_LINK.sub(r"\1", text)
    if "://" in text:
        text = _URL.sub(" ", text)
    if "<" in text:
        text = _HTML.sub(" ", text)
    if "```" in text or "~~~" in text:
        text = _FENCE_LINE.sub("", text)
    text = _MARKUP.sub(" ", text)
    text = _SPACES.sub(" ", text)
    return (_BLANKS.sub("\n\n", text) if "\n\n\n" in text else text).strip()


def _short_text(value: Any) -> str:
    if isinstance(value, str):
        return " ".join(value.split())
    if isinstance(value, (list, tuple)):
        return ", ".join(" ".join(str(v).split()) for v in value if isinstance(v, str))
    return ""


def note_doc(
    path: str,
    title: str,
    frontmatter: Mapping[str, Any],
    tags: list[str],
    description: str | None,
    body: str,
    *,
    related_key: str = "related",
    keep_links: bool = True,
) -> NoteDoc:
    """Build the embedded view of one note (the related property is ignored on purpose)."""
    headings = tuple(
        clean_body(h, keep_links=keep_links) for h in _HEADING.findall(body[:BODY_CHARS])
    )
    named = ("aliases", "alias", "title", "summary")
    extra = tuple(
        text for key in named if key != related_key and (text := _short_text(frontmatter.get(key)))
    ) + tuple(
        text
        for key, value in frontmatter.items()
        if key not in named
        and key not in _NOT_TEXT
        and key != related_key
        and (text := _short_text(value))
        and "[[" not in text
        and len(text) <= PROPERTY_CHARS
        and not _DATE_LIKE.match(text)
    )
    return NoteDoc(
        path=path,
        title=title,
        folder=" ".join(path.split("/")[:-1]),
        description=" ".join((description or "").split()),
        tags=tuple(tags),
        headings=tuple(h for h in headings if h),
        body=clean_body(_HEADING.sub("", body), keep_links=keep_links),
        extra=extra,
    )
