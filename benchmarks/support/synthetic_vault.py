"""A generated, topic-clustered vault for tests and benchmarks (deterministic per seed).

Notes belong to a topic and a subtopic, each with its own vocabulary of made-up words; the
text mixes subtopic, topic, neighbouring-topic and common words. Folders follow topics, but
some notes sit in ``Inbox/`` so folder is a good but imperfect signal. Authors' wikilinks
mostly join notes of the same subtopic, sometimes of the same topic, rarely across topics:
the ground truth that ``benchmarks/links_quality.py`` tries to recover.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from pathlib import Path

_SYLLABLE_TEXT = """
ka lo mi ra te su no vi de pa zo ri me tu la go fe bi sa ne ko ru di ma po ti ve ho ja ce fu ly
qa wo xe yu
"""
_COMMON_TEXT = """
today note idea think week plan read write work start finish check review simple good better
problem question answer example list first next last small large quick
"""
_SYLLABLES = _SYLLABLE_TEXT.split()
_COMMON = _COMMON_TEXT.split()


def _word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_SYLLABLES) for _ in range(syllables))


@dataclass(frozen=True, slots=True)
class SyntheticNote:
    path: str
    topic: int
    subtopic: int
    links: tuple[str, ...]
    """Paths this note links to (written as ``[[name]]`` in the body)."""


def _vocab(rng: random.Random, size: int, used: set[str]) -> list[str]:
    words: list[str] = []
    while len(words) < size:
        word = _word(rng, rng.choice((2, 3, 3, 4)))
        if word not in used:
            used.add(word)
            words.append(word)
    return words


def generate_vault(
    root: Path,
    n_notes: int,
    *,
    topics: int = 12,
    subtopics: int = 6,
    seed: int = 7,
    links_per_note: tuple[int, int] = (1, 3),
    body_words: tuple[int, int] = (60, 220),
) -> list[SyntheticNote]:
    """Write ``n_notes`` Markdown notes under ``root``; returns them with their links."""
    rng = random.Random(seed)
    used: set[str] = set()
    topic_words = [_vocab(rng, 40, used) for _ in range(topics)]
    sub_words = [[_vocab(rng, 15, used) for _ in range(subtopics)] for _ in range(topics)]
    topic_names = [f"{w[0].capitalize()}" for w in topic_words]
    plan: list[tuple[str, int, int, list[str]]] = []
    names: set[str] = set()
    for i in range(n_notes):
        topic = rng.randrange(topics)
        sub = rng.randrange(subtopics)
        title_words = [*rng.sample(sub_words[topic][sub], 2), rng.choice(topic_words[topic])]
        title = " ".join(w.capitalize() for w in title_words)
        while title.lower() in names:
            title = f"{title} {i}"
        names.add(title.lower())
        folder = "Inbox" if rng.random() < 0.15 else f"{topic_names[topic]}/Sub {sub}"
        plan.append((f"{folder}/{title}.md", topic, sub, title_words))
    by_sub: dict[tuple[int, int], list[int]] = {}
    by_topic: dict[int, list[int]] = {}
    for i, (_, topic, sub, _) in enumerate(plan):
        by_sub.setdefault((topic, sub), []).append(i)
        by_topic.setdefault(topic, []).append(i)
    notes: list[SyntheticNote] = []
    for i, (path, topic, sub, _) in enumerate(plan):
        count = rng.randint(*links_per_note)
        targets: list[int] = []
        for _ in range(count):
            roll = rng.random()
            pool = (
                by_sub[(topic, sub)]
                if roll < 0.75
                else by_topic[topic]
                if roll < 0.93
                else range(n_notes)
            )
            choice = rng.choice(list(pool))
            if choice != i and choice not in targets:
                targets.append(choice)
        words: list[str] = []
        for _ in range(rng.randint(*body_words)):
            roll = rng.random()
            if roll < 0.35:
                words.append(rng.choice(sub_words[topic][sub]))
            elif roll < 0.6:
                words.append(rng.choice(topic_words[topic]))
            elif roll < 0.68:
                words.append(rng.choice(topic_words[(topic + 1) % topics]))
            else:
                words.append(rng.choice(_COMMON))
        lines = [" ".join(words[j : j + 12]) + "." for j in range(0, len(words), 12)]
        link_line = " ".join(f"See [[{plan[t][0].rsplit('/', 1)[1][:-3]}]]." for t in targets)
        if link_line:
            lines.insert(rng.randrange(len(lines) + 1), link_line)
        frontmatter = ""
        if rng.random() < 0.5:
            frontmatter = (
                f"---\ntags:\n  - {topic_names[topic].lower()}\n"
                f"  - {topic_names[topic].lower()}/sub{sub}\n---\n"
            )
        heading = f"# {' '.join(rng.sample(topic_words[topic], 2))}\n\n"
        file = root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(frontmatter + heading + "\n".join(lines) + "\n", encoding="utf-8")
        notes.append(SyntheticNote(path, topic, sub, tuple(plan[t][0] for t in targets)))
    return notes
