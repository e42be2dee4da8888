"""A generated English/Spanish vault with real words, for measuring offline tagging.

Eight topics, each with subtopics, a vocabulary in both languages and tags (English notes use
English tags, Spanish notes mostly Spanish ones). An author tags most notes with the topic and
subtopic, sometimes a cross-cutting tag (``todo``, ``idea``, ``client``, ``project/...``) and
now and then an odd one. The traps that made the old engine's tags noise are built in:
Spanish prose is full of ``todo`` ("all"), programming notes mention ``SupabaseClient`` and
``get_client_id`` while ``client`` is a tag, heading links ``[[#Setup]]`` and URL fragments
sit in the text, and many notes are hard-wrapped lists without a sentence. Deterministic.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

_TOPICS: dict[str, dict[str, object]] = {
    "cooking": {
        "tags": ("cooking", "cocina"),
        "subs": {
            "baking": (
                "baking",
                "horneado",
                "bread dough oven flour yeast crust loaf",
                "pan masa horno harina levadura corteza",
            ),
            "fermentation": (
                "fermentation",
                "fermentacion",
                "kimchi brine jar cabbage sour culture",
                "salmuera frasco repollo agrio cultivo",
            ),
            "pasta": (
                "pasta",
                "pasta",
                "noodles sauce boil durum semolina parmesan",
                "salsa hervir sémola parmesano fideos",
            ),
        },
        "words": "kitchen recipe taste salt pan heat dinner stir minutes spoon",
        "palabras": "cocina receta sabor sal sartén fuego cena remover minutos cuchara",
    },
    "gardening": {
        "tags": ("gardening", "jardin"),
        "subs": {
            "tomatoes": (
                "tomatoes",
                "tomates",
                "tomato vine seedling stake truss blight",
                "tomate mata plántula tutor racimo",
            ),
            "compost": (
                "compost",
                "compost",
                "compost heap worms nitrogen carbon leaves",
                "montón lombrices nitrógeno carbono hojas",
            ),
            "pests": (
                "pests",
                "plagas",
                "aphids slugs beetles ladybirds spray",
                "pulgones babosas escarabajos mariquitas",
            ),
        },
        "words": "garden soil water seeds sun bed grow plant spring harvest",
        "palabras": "huerto tierra riego semillas sol bancal crecer planta primavera cosecha",
    },
    "finance": {
        "tags": ("finance", "finanzas"),
        "subs": {
            "budget": (
                "budget",
                "presupuesto",
                "budget expenses rent groceries savings month",
                "gastos alquiler compra ahorro mes",
            ),
            "investing": (
                "investing",
                "inversion",
                "index funds stocks bonds portfolio dividends",
                "fondos acciones bonos cartera dividendos",
            ),
            "taxes": (
                "taxes",
                "impuestos",
                "tax return deduction income receipts declaration",
                "declaración deducción ingresos recibos hacienda",
            ),
        },
        "words": "money account bank interest pay cost year plan percent cash",
        "palabras": "dinero cuenta banco interés pagar coste año plan porcentaje efectivo",
    },
    "programming": {
        "tags": ("programming", "programacion"),
        "subs": {
            "python": (
                "python",
                "python",
                "python asyncio generators pip virtualenv typing",
                "python asyncio generadores pip entorno tipado",
            ),
            "javascript": (
                "javascript",
                "javascript",
                "javascript promises node npm browser react",
                "javascript promesas node npm navegador react",
            ),
            "databases": (
                "databases",
                "bases-de-datos",
                "database postgres index query schema migration",
                "postgres índice consulta esquema migración tabla",
            ),
        },
        "words": "code function error test deploy server library bug version release",
        "palabras": "código función error prueba desplegar servidor librería fallo versión",
    },
    "travel": {
        "tags": ("travel", "viajes"),
        "subs": {
            "japan": (
                "japan",
                "japon",
                "tokyo kyoto train temple ramen shinkansen",
                "tokio kioto tren templo ramen",
            ),
            "spain": (
                "spain",
                "espana",
                "madrid seville tapas beach flamenco",
                "madrid sevilla tapas playa flamenco",
            ),
            "packing": (
                "packing",
                "equipaje",
                "backpack luggage passport checklist charger",
                "mochila maleta pasaporte cargador",
            ),
        },
        "words": "trip flight hotel city days booking map walk museum ticket",
        "palabras": "viaje vuelo hotel ciudad días reserva mapa paseo museo billete",
    },
    "health": {
        "tags": ("health", "salud"),
        "subs": {
            "running": (
                "running",
                "correr",
                "running pace marathon shoes intervals",
                "ritmo maratón zapatillas series",
            ),
            "sleep": (
                "sleep",
                "sueno",
                "sleep bedtime insomnia caffeine naps",
                "dormir insomnio cafeína siesta",
            ),
            "nutrition": (
                "nutrition",
                "nutricion",
                "protein vegetables calories fiber vitamins",
                "proteína verduras calorías fibra vitaminas",
            ),
        },
        "words": "body habit doctor week energy routine rest track feel goal",
        "palabras": "cuerpo hábito médico semana energía rutina descanso objetivo",
    },
    "music": {
        "tags": ("music", "musica"),
        "subs": {
            "guitar": (
                "guitar",
                "guitarra",
                "guitar chords strings frets capo strumming",
                "acordes cuerdas trastes cejilla rasgueo",
            ),
            "piano": (
                "piano",
                "piano",
                "piano scales keys pedal sonata fingering",
                "escalas teclas pedal sonata digitación",
            ),
            "theory": (
                "theory",
                "teoria",
                "harmony intervals modes cadence rhythm",
                "armonía intervalos modos cadencia ritmo",
            ),
        },
        "words": "song practice play note tempo sound lesson band melody ear",
        "palabras": "canción práctica tocar tempo sonido clase grupo melodía oído",
    },
    "reading": {
        "tags": ("books", "libros"),
        "subs": {
            "fiction": (
                "fiction",
                "ficcion",
                "novel characters plot author chapter",
                "novela personajes trama autor capítulo",
            ),
            "history": (
                "history",
                "historia",
                "empire war century revolution archive",
                "imperio guerra siglo revolución archivo",
            ),
            "philosophy": (
                "philosophy",
                "filosofia",
                "ethics stoicism virtue argument reason",
                "ética estoicismo virtud argumento razón",
            ),
        },
        "words": "book read pages quote review library shelf summary idea edition",
        "palabras": "libro leer páginas cita reseña biblioteca estante resumen edición",
    },
}
_CROSS = {
    "en": ["todo", "idea", "client", "project/alpha", "draft"],
    "es": ["todo", "idea", "proyecto/alfa", "borrador"],
}
_EN_GLUE = [
    "the",
    "a",
    "of",
    "and",
    "to",
    "in",
    "is",
    "it",
    "for",
    "with",
    "this",
    "that",
    "on",
    "was",
    "we",
    "should",
]
_ES_GLUE = [
    "el",
    "la",
    "de",
    "y",
    "a",
    "en",
    "es",
    "que",
    "para",
    "con",
    "todo",
    "todos",
    "por",
    "una",
    "lo",
    "se",
    "del",
]
_TRAPS_EN = [
    "The `SupabaseClient` and get_client_id() helpers live in utils.",
    "See [[#Setup]] and [[#Open questions]] below.",
    "Docs: https://example.com/guide#install-notes for details.",
]
_TRAPS_ES = [
    "Todo esto queda para después, todo el resto ya está.",
    "Ver [[#Resumen]] y https://ejemplo.es/pagina#seccion para todo lo demás.",
]


@dataclass(frozen=True, slots=True)
class GeneratedNote:
    path: str
    tags: tuple[str, ...]
    lang: str


_EVERYDAY_TEXT = """
time people year way day man thing woman life child world school state family student group
country problem hand part place case week company system program question work government
number night point home water room mother area money story fact month lot right study book eye
job word business issue side kind head house service friend father power hour game line end
member law car city community name president team minute idea kid body information back parent
face others level office door health person art war history party result change morning reason
research girl guy moment air teacher force education tiempo persona año día hombre cosa mujer
vida mundo escuela estado familia estudiante grupo país problema mano parte lugar caso semana
empresa sistema programa pregunta trabajo gobierno número noche punto casa agua cuarto madre
"""
_EVERYDAY = _EVERYDAY_TEXT.split()
_NAMES_TEXT = "ana maria lucas sofia mateo elena david laura pablo irene tomas clara"
_PLACES_TEXT = "berlin lisbon porto valencia bilbao oslo lyon milan quito lima"
_NAMES = _NAMES_TEXT.split()
_PLACES = _PLACES_TEXT.split()


def _sentence(
    rng: random.Random, pool: list[str], glue: list[str], n: int, share: float = 0.55
) -> str:
    words = [rng.choice(pool) if rng.random() < share else rng.choice(glue) for _ in range(n)]
    return " ".join(words).capitalize() + "."


def generate_multilingual_vault(
    root: Path, n_notes: int = 400, seed: int = 11, *, hard: bool = False
) -> list[GeneratedNote]:
    """Write ``n_notes`` notes (about a third in Spanish) under ``root``; returns their tags.

    ``hard``: closer to a real vault: a quarter of the words are topical (the rest everyday
    words shared by every topic), and 40% of notes carry tags of a long tail (people, places,
    years) that the text names only half the time.
    """
    rng = random.Random(seed)
    share = 0.25 if hard else 0.55
    (root / ".obsidian").mkdir(parents=True, exist_ok=True)
    notes: list[GeneratedNote] = []
    titles: set[str] = set()
    plan = []
    for i in range(n_notes):
        topic = rng.choice(sorted(_TOPICS))
        spec = _TOPICS[topic]
        subs: dict[str, tuple[str, str, str, str]] = spec["subs"]  # type: ignore[assignment]
        sub = rng.choice(sorted(subs))
        lang = "es" if rng.random() < 0.35 else "en"
        plan.append((i, topic, sub, lang))
    by_sub: dict[tuple[str, str], list[str]] = {}
    for i, topic, sub, lang in plan:
        spec = _TOPICS[topic]
        subs = spec["subs"]  # type: ignore[assignment]
        en_tag, es_tag, en_words, es_words = subs[sub]
        topic_tag = spec["tags"][0 if lang == "en" else 1]  # type: ignore[index]
        sub_tag = en_tag if lang == "en" or rng.random() < 0.3 else es_tag
        pool = (en_words if lang == "en" else es_words).split()
        pool += str(spec["words" if lang == "en" else "palabras"]).split()
        glue = _EN_GLUE if lang == "en" else _ES_GLUE
        if hard:
            glue = glue + _EVERYDAY
        title_words = rng.sample(pool, 2)
        title = " ".join(w.capitalize() for w in title_words)
        while title.casefold() in titles:
            title = f"{title} {i}"
        titles.add(title.casefold())
        folder_name = topic.capitalize() if lang == "en" else str(spec["tags"][1]).capitalize()  # type: ignore[index]
        folder = "Inbox" if rng.random() < 0.2 else f"{folder_name}/{sub.capitalize()}"
        path = f"{folder}/{title}.md"
        tags: list[str] = []
        if rng.random() < 0.85:
            tags.append(topic_tag)
        if rng.random() < 0.8:
            tags.append(sub_tag)
        if rng.random() < 0.25:
            tags.append(rng.choice(_CROSS[lang]))
        if rng.random() < 0.08:
            other = _TOPICS[rng.choice(sorted(_TOPICS))]
            tags.append(str(other["tags"][0 if lang == "en" else 1]))  # type: ignore[index]
        tail_words: list[str] = []
        if hard and rng.random() < 0.4:
            for _ in range(rng.randint(1, 2)):
                kind = rng.choice(["person", "place", "year"])
                value = (
                    rng.choice(_NAMES)
                    if kind == "person"
                    else rng.choice(_PLACES)
                    if kind == "place"
                    else str(rng.randint(2018, 2026))
                )
                tags.append(f"{kind}/{value}")
                if rng.random() < 0.5:
                    tail_words.append(value.capitalize())
        tags = list(dict.fromkeys(tags))
        if rng.random() < 0.2:
            tags = []  # an untagged note
        # words of the tags in the text, sometimes
        extra = []
        if rng.random() < 0.6:
            extra.append(sub_tag.replace("-", " "))
        if rng.random() < 0.3:
            extra.append(topic_tag)
        paragraphs = []
        for _ in range(rng.randint(1, 4)):
            sentences = [
                _sentence(rng, pool + extra, glue, rng.randint(6, 16), share)
                for _ in range(rng.randint(1, 4))
            ]
            if tail_words:
                sentences.append(f"With {' and '.join(tail_words)}.")
                tail_words = []
            text = " ".join(sentences)
            if rng.random() < 0.4:  # hard-wrapped at ~60 columns
                wrapped, line = [], ""
                for word in text.split():
                    if len(line) + len(word) > 60:
                        wrapped.append(line)
                        line = word
                    else:
                        line = f"{line} {word}".strip()
                wrapped.append(line)
                text = "\n".join(wrapped)
            paragraphs.append(text)
        if rng.random() < 0.3:
            paragraphs.insert(
                0, "\n".join(f"- {rng.choice(pool)} {rng.choice(pool)}" for _ in range(4))
            )
        if rng.random() < 0.15:
            paragraphs = [p for p in paragraphs if p.startswith("- ")] or ["- " + rng.choice(pool)]
        traps = _TRAPS_EN if lang == "en" else _TRAPS_ES
        if rng.random() < 0.35:
            paragraphs.append(rng.choice(traps))
        if topic == "programming" and lang == "en" and rng.random() < 0.6:
            paragraphs.append("```python\nclient = SupabaseClient(url)  # todo: retry\n```")
        by_sub.setdefault((topic, sub), []).append(title)
        if len(by_sub[(topic, sub)]) > 1 and rng.random() < 0.6:
            paragraphs.append(f"Related: [[{rng.choice(by_sub[(topic, sub)][:-1])}]]")
        front = ""
        if tags:
            front = "---\ntags:\n" + "".join(f"  - {t}\n" for t in tags) + "---\n"
        heading = f"# {title}\n\n" if rng.random() < 0.5 else ""
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(front + heading + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
        notes.append(GeneratedNote(path, tuple(tags), lang))
    return notes
