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
_TAG = re.compile(f"(?<![^\\s,(\\[])[{_LATIN}][{_LATIN}0-9_]*(?:[/-][{_LATIN}0-9_]+)+")
_DIGIT_RUN = re.compile(r"[0-9]+")
_PUNCTS = re.compile(r"[!-/:-@\[-`{-~]")
_NON_LATIN_RUNS = re.compile("[^\\x00-\\x7f\\s\u00c0-\u024f\u1e00-\u1eff]+")
_SCRIPT_CHARS = tuple((re.compile(f"[{ranges}]"), price) for ranges, price in _SCRIPTS)
_OTHER_CHARS = re.compile(
    "[^\\x00-\\x7f\u00c0-\u024f\u1e00-\u1eff" + "".join(r for r, _ in _SCRIPTS) + "]"
)


def _words(words: list[str], known: float) -> float:
    """Latin-script words, ``known`` the share (0-1) of the text in well-known languages."""
    common = ascii_letters = accented_letters = accented = 0
    for word in words:
        if word.isascii():
            if len(word) > 2 and word.lower() in COMMON_WORDS:
                common += 1
            else:
                ascii_letters += len(word)
        else:
            accented_letters += len(word)
            accented += 1
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


def estimate_tokens(text: str) -> int:
    """Tokens ``text`` is expected to cost (Claude-like BPE), from its characters alone."""
    if not text:
        return 0
    total = 0.0
    tags = _TAG.findall(text)
    if tags:
        for tag in tags:
            total += _words(_WORD.findall(tag), 1.0) + _digits(tag)
            total += (tag.count("/") + tag.count("-")) * _TAG_JOINER
        text = _TAG.sub(" ", text)
    words = _WORD.findall(text)
    if words:
        lowered = [w.lower() for w in words]
        known = sum(1 for w in lowered if w in _SHORT_WORDS or w in COMMON_WORDS)
        total += _words(words, min(1.0, known / len(words) / KNOWN_SHARE))
    total += _digits(text) + len(_PUNCTS.findall(text)) * _PUNCT + text.count("\n") * _NEWLINE
    if not text.isascii():
        total += len(_NON_LATIN_RUNS.findall(text)) * _NON_LATIN_RUN
        for pattern, price in _SCRIPT_CHARS:
            total += len(pattern.findall(text)) * price
        total += len(_OTHER_CHARS.findall(text)) * _OTHER
    return max(1, round(total))


def fit_chars(text: str, budget_tokens: int) -> int:
    """How many leading characters of ``text`` fit in ``budget_tokens`` (binary search)."""
    if budget_tokens <= 0:
        return 0
    if estimate_tokens(text) <= budget_tokens:
        return len(text)
    low, high = 0, len(text)
    while low < high:
        mid = (low + high + 1) // 2
        if estimate_tokens(text[:mid]) <= budget_tokens:
            low = mid
        else:
            high = mid - 1
    return low
