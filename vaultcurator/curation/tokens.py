"""Offline token estimate by script: what a prompt costs before any tokenizer is at hand.

Four characters per token is right for English prose only: tag lists (``a/b-c``) and
non-Latin text cost up to twice that, which made estimates up to 2x low and caching
decisions wrong. Here each kind of character has its own price, fitted by least squares
(relative error) against a real BPE tokenizer (cl100k, exact, scaled by 1.15 as an
approximation of Claude's tokenizer) on 748 texts in 101 languages (gettext catalogues of
coreutils and GLib, plus tag lists and Markdown notes made of their words):

- Latin-script words: those in :data:`~.common_words.COMMON_WORDS` cost 0.88 each (one
  token with their space); other letters are priced by how much of the text is made of
  common and short function words (English, Spanish, French, German, Portuguese, Italian:
  languages BPE vocabularies know well, about 3 characters per token) rather than of rarer
  words (Welsh, Czech, Luganda...: about 2); an accented word starts a token of its own;
- tags (``area/topic-name``) are priced as words of the well-known languages, their ``/``
  and ``-`` merged into the next piece as BPE does;
- digit groups of up to three, punctuation and line breaks about one token each;
- every run of non-Latin letters starts a new token; then each character by script:
  Cyrillic 0.51, Greek 1.08, Arabic 0.95, Hebrew 1.46, CJK ideographs 1.10, kana 1.20,
  Hangul 1.12, Indic scripts 1.3-3.2, emoji 4.6.

Mean error per fitting text is 9% (21% of them off by more than 15%: tag lists made of words
of rarer languages, priced here as well-known ones, traditional Chinese, Cyrillic-script
minority languages); on held-out notes and tag lists in the languages vaults are written in
it is within 8% each, 2% overall (``tests/curation_content/test_tokens.py``). Online,
:mod:`.calibration` replaces the guess with the API's own counts.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache

from vaultcurator.curation.common_words import COMMON_WORDS

_SCRIPTS: tuple[tuple[str, float], ...] = (
    ("\u0370-\u03ff\u1f00-\u1fff", 1.076),  # Greek
    ("\u0400-\u045f", 0.510),  # Cyrillic (Russian, Ukrainian, Serbian...)
    ("\u0460-\u052f", 4.487),  # Cyrillic extensions (Kazakh, Abkhaz...)
    ("\u0530-\u058f\u10a0-\u10ff", 2.330),  # Armenian, Georgian
    ("\u0590-\u05ff\ufb1d-\ufb4f", 1.458),  # Hebrew
    ("\u0600-\u06ff\u0750-\u077f\u08a0-\u08ff\ufb50-\ufdff\ufe70-\ufeff", 0.947),  # Arabic
    ("\u0900-\u097f", 1.259),  # Devanagari
    ("\u0980-\u09ff", 1.565),  # Bengali
    ("\u0a00-\u0aff", 2.083),  # Gurmukhi, Gujarati
    ("\u0b00-\u0b7f", 3.198),  # Oriya
    ("\u0b80-\u0bff", 1.707),  # Tamil
    ("\u0c00-\u0cff", 2.123),  # Telugu, Kannada
    ("\u0d00-\u0dff", 2.028),  # Malayalam, Sinhala
    ("\u0e00-\u0eff", 1.067),  # Thai, Lao
    ("\u0f00-\u109f\u1780-\u17ff", 2.352),  # Tibetan, Myanmar, Khmer
    ("\u1100-\u11ff\u3130-\u318f\uac00-\ud7af", 1.123),  # Hangul
    ("\u3040-\u30ff\u31f0-\u31ff", 1.195),  # kana
    ("\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff", 1.095),  # CJK ideographs
    ("\u3000-\u303f\uff00-\uffef", 1.302),  # CJK punctuation, full-width forms
    ("\U00010000-\U0010ffff", 4.567),  # emoji and other astral characters
)
_OTHER = 0.932
"""Any other non-ASCII character (symbols, dashes, quotes...)."""
_COMMON_WORD = 0.875
_LETTER_RARE = 0.466
"""An ASCII letter of a word outside the common list, in text of rarer languages."""
_LETTER_KNOWN = 0.343
"""The same in text of well-known languages (half or more function and common words)."""
_ACCENTED_LETTER_RARE = 0.646
_ACCENTED_LETTER_KNOWN = 0.259
_ACCENTED_WORD = 0.481
_DIGIT_GROUP = 2.249
_PUNCT = 0.823
_NEWLINE = 1.062
_NON_LATIN_RUN = 0.715
_TAG_JOINER = 0.3
"""A ``/`` or ``-`` inside a tag: BPE merges it with the piece after it (``/com``)."""
KNOWN_SHARE = 0.5
"""Share of function and common words at which a text counts as a well-known language."""
_SHORT = "a an as at be by do go he if in is it me my no of on or so to up us we de la el en y o"
_SHORT_WORDS = frozenset(f"{_SHORT} e un se es lo le du et il di da em na os al ha".split())

_LATIN = "A-Za-z\u00c0-\u024f\u1e00-\u1eff"
_WORD = re.compile(f"[{_LATIN}]+")
_TAG = re.compile(f"[{_LATIN}][{_LATIN}0-9_]*(?:[/-][{_LATIN}0-9_]+)+")
_EDGES = ",.;:!?()[]{}\"'`*"
"""Punctuation a tag may be wrapped in (``(area/topic),``): not part of it."""
_ASCII_WORD = re.compile("[a-z]+")
_JOINERS = re.compile("[/-]")
_NEXT_SPACE = re.compile(r"\s")
_DIGIT_RUN = re.compile(r"[0-9]+")
_PUNCTS = re.compile(r"[!-/:-@\[-`{-~]")
_NON_LATIN_RUNS = re.compile("[^\\x00-\\x7f\\s\u00c0-\u024f\u1e00-\u1eff]+")
_SCRIPT_CHARS = tuple((re.compile(f"[{ranges}]"), price) for ranges, price in _SCRIPTS)
_NON_LATIN_CHARS = re.compile("[^\\x00-\\x7f\u00c0-\u024f\u1e00-\u1eff]")


@cache
def _char_price(char: str) -> float:
    """The price of one non-Latin character, by the script it belongs to."""
    for pattern, price in _SCRIPT_CHARS:
        if pattern.match(char):
            return price
    return _OTHER


def _words(words: Counter[str], known: float) -> float:
    """Latin-script words (lower-cased, counted), ``known`` the share (0-1) of the text in
    well-known languages. Distinct words are priced once: text repeats its words."""
    common = ascii_letters = accented_letters = accented = 0
    for word, count in words.items():
        if word.isascii():
            if len(word) > 2 and word in COMMON_WORDS:
                common += count
            else:
                ascii_letters += len(word) * count
        else:
            accented_letters += len(word) * count
            accented += count
    ascii_price = _LETTER_RARE * (1 - known) + _LETTER_KNOWN * known
    accented_price = _ACCENTED_LETTER_RARE * (1 - known) + _ACCENTED_LETTER_KNOWN * known
    return (
        common * _COMMON_WORD
        + ascii_letters * ascii_price
        + accented_letters * accented_price
        + accented * _ACCENTED_WORD
    )


def _digits(text: str) -> float:
    return sum((len(run) + 2) // 3 for run in _DIGIT_RUN.findall(text)) * _DIGIT_GROUP


def _split_tags(text: str) -> tuple[list[str], str]:
    """The tag-shaped words of ``text`` (``area/topic-x``) and the text without them.

    Only the whitespace-separated pieces around a ``/`` or ``-`` are looked at (they are
    few); tags are cut out and replaced by a space, which costs nothing here.
    """
    tags: list[str] = []
    keep: list[str] = []
    done = 0
    for joiner in _JOINERS.finditer(text):
        at = joiner.start()
        if at < done:
            continue
        begin = max(text.rfind(" ", 0, at), text.rfind("\n", 0, at), text.rfind("\t", 0, at)) + 1
        stop = _NEXT_SPACE.search(text, at)
        end = stop.start() if stop is not None else len(text)
        part = text[begin:end]
        core = part.strip(_EDGES)
        if _TAG.fullmatch(core):
            offset = begin + part.find(core)
            tags.append(core)
            keep.append(text[done:offset])
            done = offset + len(core)
    if not tags:
        return tags, text
    keep.append(text[done:])
    return tags, " ".join(keep)


def estimate_tokens(text: str) -> int:
    """Tokens ``text`` is expected to cost (Claude-like BPE), from its characters alone."""
    if not text:
        return 0
    total = text.count("\n") * _NEWLINE
    text = text.lower()  # letters are priced alike in either case; words are looked up lower
    ascii_only = text.isascii()
    word = _ASCII_WORD if ascii_only else _WORD
    if "/" in text or "-" in text:
        tags, text = _split_tags(text)
        if tags:
            joined = " ".join(tags)
            total += _words(Counter(word.findall(joined)), 1.0) + _digits(joined)
            total += (joined.count("/") + joined.count("-")) * _TAG_JOINER
    words = Counter(word.findall(text))
    if words:
        seen = words.total()
        known = sum(n for w, n in words.items() if w in _SHORT_WORDS or w in COMMON_WORDS)
        total += _words(words, min(1.0, known / seen / KNOWN_SHARE))
    total += _digits(text) + len(_PUNCTS.findall(text)) * _PUNCT
    if not ascii_only:
        total += len(_NON_LATIN_RUNS.findall(text)) * _NON_LATIN_RUN
        for char, count in Counter(_NON_LATIN_CHARS.findall(text)).items():
            total += count * _char_price(char)
    return max(1, round(total))


MAX_CHARS_PER_TOKEN = 8
"""More characters than real text spends on one estimated token (English: about 4)."""


def fit_chars(text: str, budget_tokens: int, *, from_end: bool = False) -> int:
    """How many leading (``from_end``: trailing) characters of ``text`` fit in the budget.

    Only the first ``budget * MAX_CHARS_PER_TOKEN`` characters are looked at, and the cut is
    found by a few proportional guesses rather than a bisection, so a long note costs a
    handful of estimates of a few kilobytes each.
    """
    if budget_tokens <= 0 or not text:
        return 0
    limit = budget_tokens * MAX_CHARS_PER_TOKEN
    window = text[-limit:] if from_end else text[:limit]

    def cost(chars: int) -> int:
        return estimate_tokens(window[len(window) - chars :] if from_end else window[:chars])

    chars = min(len(window), budget_tokens * 4)  # English-like first guess
    for _ in range(4):
        spent = cost(chars)
        if spent <= budget_tokens and chars == len(window):
            return chars
        guess = min(len(window), chars * budget_tokens // max(1, spent))
        if abs(guess - chars) <= max(8, chars // 50):
            chars = min(chars, guess)
            break
        chars = guess
    while chars > 0 and cost(chars) > budget_tokens:
        chars = chars * 19 // 20
    return chars
