"""Words of a note as evidence: prose words only, in the note's language, no function words.

The offline engine matches tags against what a note *says*. Three kinds of token say nothing
and were behind its worst tags: function words (Spanish ``todo`` "all" became a tag on 77
notes of one vault), identifiers (``SupabaseClient``, ``snake_case``, ``535-G1``) and code. So
:func:`words` keeps letters-only tokens of prose (code and links stripped beforehand), drops
identifier-shaped ones and the stopwords of the note's language, guessed from its function
words (:func:`language`). English and Spanish have full lists, a few other European languages
a short one; a note whose language is unclear drops the stopwords of every list.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

_EN = """
a about above after again against all also am an and any are aren't as at be because been
before being below between both but by can cannot could did do does doing don't down during
each either else even ever every few for from further get gets got had has have having he her
here hers herself him himself his how however i if in into is isn't it it's its itself just
let like made make many may me might more most much must my myself never new no nor not now of
off often on once one only or other our ours ourselves out over own per rather same she should
since so some still such than that the their theirs them themselves then there these they this
those though through thus to too under until up upon us use used using very via was we well
were what when where whether which while who whom whose why will with within without would yet
you your yours yourself yourselves also etc e.g i.e ok yes
note notes stuff thing things misc other others something anything everything nothing
"""
_ES = """
a al algo algunas algunos ante antes aquel aquella aquellas aquellos aqui aquí así asi aun aún
bajo bien cada casi como cómo con contra cual cuál cuales cuando cuándo cuanto de del desde
donde dónde dos durante e el él ella ellas ello ellos en entre era eran es esa esas ese eso esos
esta está están estas este esto estos estar fue fueron ha han hasta hay he la las le les lo los
más mas me mi mis mismo mucho muchos muy nada ni no nos nosotros o otra otras otro otros para
pero poco por porque que qué quien quién quienes se según sea ser si sí sido siempre sin sino
sobre solo sólo son su sus también tampoco tan tanto te tener tiene tienen todo toda todas todos
tu tú tus un una unas uno unos usted ustedes vez y ya yo ver hacer hace puede pueden
nota notas cosa cosas
"""
_OTHER = {
    "fr": """le la les un une des du de et est en que qui dans pour pas sur au aux avec ce cette
    ces il elle ils elles nous vous on ne se sont été être avoir mais ou donc car tout tous très
    plus""",
    "de": """der die das den dem des ein eine einer eines und ist nicht mit auf für von zu im in
    es sie er wir ihr ich sich auch als wie aber oder noch nur schon sehr alle wenn dass""",
    "pt": """o a os as um uma uns umas de do da dos das em no na nos nas por para com que não
    se é são foi mas ou como mais muito também todo toda todos todas isso este esta""",
    "it": """il lo la i gli le un una di del della dei delle in con su per tra fra che non è
    sono e ma o anche come più molto tutto tutti questo questa""",
}

STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(_EN.split()),
    "es": frozenset(_ES.split()),
    **{lang: frozenset(text.split()) for lang, text in _OTHER.items()},
}
ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())
_MARKER_TEXT = {
    "en": "the and of to is in that it for with this are was on",
    "es": "el la los las de que y en es por para una con del se",
    "fr": "le les des est et une dans pour pas sur avec",
    "de": "der die das und ist nicht mit auf für von ein eine",
    "pt": "os das não uma com para por que são foi",
    "it": "il gli della che non sono con per una",
}
_MARKER_LANGS: dict[str, list[str]] = {}
for _lang, _text in _MARKER_TEXT.items():
    for _word in _text.split():
        _MARKER_LANGS.setdefault(_word, []).append(_lang)
_MIN_MARKERS = 3
"""Fewer function words than this: the language is not guessed."""

# A token: letters (any script) with inner apostrophes or hyphens; digits and '_' split it.
_TOKEN = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")
# Identifier shapes, dropped whole: an inner capital (``SupabaseClient``, ``getUser``), letters
# glued to digits or joined by '_' or '.' (``snake_case``, ``535-G1``, ``os.path``).
# (Tried only at the start of each whitespace-delimited token: 2.5x faster than anywhere.)
_IDENTIFIER = re.compile(
    r"(?<!\S)(?=\S*?(?:[a-z][A-Z]|[A-Za-z][_.][A-Za-z]|[A-Za-z]\d|\d[A-Za-z]))\S+"
)
_URL = re.compile(r"\b[a-zA-Z][\w+.-]*://\S+|\bwww\.\S+|\S+@\S+\.\w+")
MIN_WORD_CHARS = 3


def language(tokens: Iterable[str]) -> str | None:
    """The language whose function words are most frequent in ``tokens`` (case-folded)."""
    counts: Counter[str] = Counter()
    get = _MARKER_LANGS.get
    for token in tokens:
        langs = get(token)
        if langs is not None:
            counts.update(langs)
    if not counts:
        return None
    (best, hits), *rest = counts.most_common(2)
    if hits < _MIN_MARKERS or (rest and rest[0][1] == hits):
        return None
    return best


def stopwords_for(lang: str | None) -> frozenset[str]:
    """The stopwords to drop for a note in ``lang`` (every list when it is unknown)."""
    return STOPWORDS.get(lang, ALL_STOPWORDS) if lang is not None else ALL_STOPWORDS


def _prose_only(text: str) -> str:
    """``text`` without URLs and identifier-shaped words."""
    if "://" in text or "www." in text or "@" in text:
        text = _URL.sub(" ", text)
    return _IDENTIFIER.sub(" ", text)


def raw_tokens(text: str) -> list[str]:
    """Case-folded prose tokens of ``text``: URLs and identifier-shaped words left out."""
    return _TOKEN.findall(_prose_only(text).casefold())


BREAK = "."
"""Stands between sentences in :func:`words`, so no phrase is matched across two of them."""
_SENTENCE_GAP = re.compile(r"[.!?;:。！？…]+(?=\s|$)|\n")


def words(text: str, stop: frozenset[str]) -> list[str]:
    """The evidence words of ``text``: prose tokens of 3+ letters that are not in ``stop``,
    with :data:`BREAK` between sentences."""
    out: list[str] = []
    findall = _TOKEN.findall
    for part in _SENTENCE_GAP.split(_prose_only(text).casefold()):
        found = [t for t in findall(part) if len(t) >= MIN_WORD_CHARS and t not in stop]
        if found:
            if out:
                out.append(BREAK)
            out.extend(found)
    return out


def singular(word: str) -> str:
    """A crude singular (English/Spanish plurals) so ``recipes`` finds ``recipe``."""
    if len(word) > 4 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        if word.endswith("ies") and len(word) > 5:
            return word[:-3] + "y"
        if word.endswith("oes"):
            return word[:-2]
        return word[:-1]
    return word
