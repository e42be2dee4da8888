"""An offline curator: tags the evidence supports, a description only when there is a sentence.

For users without an API key, or whose notes must not leave the machine. Nothing is invented:
every proposed tag is one of the candidates (the approved taxonomy when there is one, else the
tags the vault already uses), the author's own tags are always kept, and the description is a
real sentence of the note or nothing (:mod:`.local_describe`).

Evidence per candidate tag:

- ``neighbours``: the similarity-weighted share of the note's 10 nearest tagged notes that
  carry it (TF-IDF over titles and bodies, :class:`~.local_tags.NearestNotes`);
- ``title``, ``heading``, ``body``: its words found whole in the title, the headings, the
  prose (how often), in the note's language without its stopwords, never inside an
  identifier, a ``#tag`` or code;
- ``links``: the share of the notes it links to, or that link to it, that carry it;
- ``folder``: the share of the other tagged notes of its folder that carry it;
- ``path``: its words in the names of the note's folders (``Programming/Python/``).

What that evidence is worth is learned from the vault's own tagged notes
(:mod:`.local_calibrate`: each is a worked example, its evidence gathered as if it had no
tags), which turns it into the probability that the author would pick the tag. A tag is
proposed when that reaches :data:`MIN_PROBABILITY` (:data:`MIN_PROBABILITY_TAGGED` beside
the author's own tags, and there only on the note's own evidence), best first, at most
:data:`MAX_NEW`: so the count follows the evidence (weak evidence proposes nothing).
Measured by hiding a fifth of the tags of 9 vaults
(31 samples, ``benchmarks/tags_quality.py``): recall at or above the 5-tag neighbour vote's
in 27 (at most .011 below in the others), precision above it in 29, never over 5 tags. A
parent is dropped beside a nested tag at least as likely (``a/b`` implies ``a``) unless the
vault's notes usually carry both. Structural tags
(``MOC``, ``index``) never spread from other notes. Deterministic: ties break by how many
notes use the tag, then by name.
"""

from __future__ import annotations

import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from vaultcurator.config import CurationSettings
from vaultcurator.curation.answers import KnownTags
from vaultcurator.curation.prompts import MAX_TAGS
from vaultcurator.domain.requests import CurationAnswer, RequestOutcome
from vaultcurator.engines.base import EngineSetup, PerNoteEngine, PerNoteSink, PreparedNote
from vaultcurator.engines.local_calibrate import Evidence, TagModel, features, fit, popularity
from vaultcurator.engines.local_describe import _INLINE_TAG, _WIKILINK, _prose, describe, explain
from vaultcurator.engines.local_tags import (
    NearestNotes,
    TagPhrases,
    drop_parents,
    parents_carried_too,
)
from vaultcurator.engines.local_text import (
    ALL_STOPWORDS,
    language,
    raw_tokens,
    singular,
    stopwords_for,
    words,
)
from vaultcurator.vault.model import Inventory, Note
from vaultcurator.vault.tags import normalize_tag
from vaultcurator.vault.taxonomy import tag_counts

NeighbourTags = Callable[[Note], list[str]]
BodyOf = Callable[[Note], str | None]

ENGINE_NAME = "local"
NEAREST = 10
MIN_PROBABILITY = 0.04
"""Probability (calibrated on the vault's tagged notes) a tag needs to be proposed: picked on
two generated vaults and the fixture vault (5 sampling seeds), confirmed on six others and
the fixture vault's other seeds."""
MIN_PROBABILITY_TAGGED = 0.2
"""The same for a note that has tags already: the weights learned what an untagged note's
author would pick, and a tag its author left out is less likely than that says (hiding one
tag of notes with several, ``tags_quality.py --one-tag``: twice the old engine's precision
for a little less recall, about one tag added per note)."""
TRAINING_NOTES = 300
"""Tagged notes the evidence weights are learned from (a fixed sample: the cost of a fit
stays bounded on a large vault; a few hundred examples already settle a dozen weights)."""
REFIT_SHARE = 0.1
"""A job reuses the previous job's weights for the same vault while fewer than this share
of its notes changed (watch mode curates one note per save: no refit each time)."""
MAX_NEW = 5
"""At most this many tags are proposed besides the author's own..."""
TARGET_TAGS = 5
"""...and no more than it takes to bring the note to this many (a well-tagged note gets few)."""
CONFIDENT_SIMILARITY = 1.0
"""Total cosine of the nearest notes at which their vote counts in full."""
MIN_FOLDER_NOTES = 3
STRUCTURAL_TAGS = frozenset(
    ["moc", "index", "hub", "home", "map", "maps", "toc", "overview", "dashboard"]
)
"""Tags that say what kind of note it is, not what it is about: never passed on."""


@dataclass(slots=True)
class _Doc:
    """A note's evidence words (singular, stopwords and identifiers left out) and links."""

    title: list[str]
    headings: list[str]
    body: list[str]
    links: list[str]


_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_LINK_TARGET = re.compile(r"\]\([^)\s]*(?:\s+\"[^\"]*\")?\)")


def read_doc(note: Note, body: str) -> _Doc:
    """The evidence of ``note`` whose Markdown body is ``body`` (code, links, URLs left out)."""
    headings, prose = _prose(body)
    prose = _INLINE_TAG.sub(" ", _LINK_TARGET.sub("] ", _CODE_SPAN.sub(" ", prose)))
    headings = [_CODE_SPAN.sub(" ", h) for h in headings]
    stop = stopwords_for(language(raw_tokens(prose[:20_000])))

    def evidence(text: str) -> list[str]:
        return [singular(w) for w in words(text, stop)]

    return _Doc(
        title=evidence(note.title),
        headings=evidence("\n".join(headings)),
        body=evidence(prose),
        links=[*_link_targets(body), *_frontmatter_links(note.frontmatter)],
    )


class LocalCurator:
    """Curate notes offline from what ``inventory`` already says about the vault."""

    engine = ENGINE_NAME

    def __init__(
        self,
        inventory: Inventory,
        settings: CurationSettings | None = None,
        *,
        vocabulary: Iterable[str] | None = None,
        renames: Mapping[str, str] | None = None,
        body_of: BodyOf | None = None,
        neighbour_tags: NeighbourTags | None = None,
        known_docs: Mapping[str, tuple[str, _Doc]] | None = None,
        known_model: TagModel | None = None,
    ) -> None:
        """``vocabulary``: the approved taxonomy's tags (None: the tags the vault uses), and
        ``renames`` its ``{case-folded old: canonical}`` map (other notes' tags are read
        through it, so their votes go to the canonical tag);
        ``body_of``: a note's body when the scan did not keep it (None: empty);
        ``neighbour_tags``: extra neighbours' tags per note (e.g. from the links index);
        ``known_docs``: path -> (hash, evidence) from an earlier curator of the same vault,
        reused where the hash still matches (watch mode curates one note per save), and
        ``known_model`` that curator's weights, reused unless much of the vault changed."""
        self.settings = settings or CurationSettings()
        self.neighbour_tags = neighbour_tags
        self._renames = {k.casefold(): v for k, v in (renames or {}).items()}
        valid = inventory.valid
        counts = tag_counts(valid)
        self._uses = {tag.casefold(): n for tag, n in counts}
        vocab = list(vocabulary) if vocabulary is not None else [t for t, _ in counts]
        self._known = KnownTags([*vocab, *(t for t, _ in counts)])
        self._candidates = {t.casefold(): t for t in vocab if _is_topical(t)}
        self._spelling: dict[str, str | None] = {}
        self._tags_of: dict[str, list[str]] = {}
        self._phrases = TagPhrases(self._candidates.values(), self._uses)
        self._docs: dict[str, _Doc] = {}
        self._doc_hash: dict[str, str] = {}
        known = known_docs or {}
        reused = 0
        for note in valid:
            hashed = known.get(note.path)
            if hashed is not None and hashed[0] == note.hash:
                self._docs[note.path] = hashed[1]
                reused += 1
            else:
                body = note.body if note.body is not None else (body_of(note) if body_of else None)
                self._docs[note.path] = read_doc(note, body or "")
            self._doc_hash[note.path] = note.hash
        self._nearest = NearestNotes(
            {p: (d.title, [*d.headings, *d.body]) for p, d in self._docs.items()}
        )
        self._tagged = {n.path: tags for n in valid if (tags := self._topical_tags(n))}
        self._resolve_links(valid)
        self._folder_notes: Counter[str] = Counter()
        self._folder_tags: dict[str, Counter[str]] = defaultdict(Counter)
        for note in valid:
            if note.path in self._tagged:
                folder = _folder(note.path)
                self._folder_notes[folder] += 1
                self._folder_tags[folder].update(self._tagged[note.path])
        self._parents_too = parents_carried_too(self._tagged.values())
        self._folder_named: dict[str, frozenset[str]] = {}
        changed = len(valid) - reused
        self._model = known_model if changed < REFIT_SHARE * len(valid) else None

    # ------------------------------------------------------------------ public

    def curate(self, note: Note, body: str) -> CurationAnswer:
        """Tags and a description for ``note`` whose Markdown body is ``body``."""
        description = describe(body, note)
        return CurationAnswer(
            tags=self.tags_for(note, body),
            description=description,
            description_note=None if description else explain(body, note),
        )

    def tags_for(self, note: Note, body: str) -> list[str]:
        """The author's tags, then the candidates the evidence supports (best first)."""
        own = self._note_tags(note)
        evidence = self._note_evidence(note, body)
        scores = self._probabilities(self.model(), evidence)
        have = {t.casefold() for t in own}
        floor = MIN_PROBABILITY_TAGGED if have else MIN_PROBABILITY
        ranked = sorted(
            (
                t
                for t in scores
                if t.casefold() not in have
                and scores[t] >= floor
                and (not have or _own_evidence(evidence.get(t, {})))
            ),
            key=lambda t: (-scores[t], -self._uses.get(t.casefold(), 0), t.casefold()),
        )
        limit = max(0, min(MAX_NEW, TARGET_TAGS - len(own), MAX_TAGS - len(own)))
        sure = {t: 1.0 for t in have} | {
            t.casefold(): p for t, p in scores.items() if t not in have
        }
        keep = have | self._parents_too
        return drop_parents([*own, *ranked[:limit]], sure, keep=keep)

    def scores(self, note: Note, body: str) -> dict[str, float]:
        """Each candidate with any evidence for ``note``: the probability that the author
        would pick it (see module docstring)."""
        return self._probabilities(self.model(), self._note_evidence(note, body))

    def _note_evidence(self, note: Note, body: str) -> dict[str, dict[str, float]]:
        doc = self._docs.get(note.path)
        if doc is None or self._doc_hash.get(note.path) != note.hash:
            doc = read_doc(note, body)
        return self._evidence(note.path, doc, note)

    def model(self) -> TagModel:
        """The evidence weights, learned on first use from a sample of the tagged notes."""
        if self._model is None:
            sample = sorted(self._tagged, key=lambda p: (zlib.crc32(p.encode()), p))
            examples = []
            for path in sample[:TRAINING_NOTES]:
                picked = {t.casefold() for t in self._tagged[path]}
                evidence = self._evidence(path, self._docs[path], None)
                tags = sorted(evidence)
                examples.append(
                    (self._rows(evidence, tags), [t.casefold() in picked for t in tags])
                )
            self._model = fit(examples)
        return self._model

    def evidence_by_path(self) -> dict[str, tuple[str, _Doc]]:
        """Every indexed note's (hash, evidence): ``known_docs`` for the next curator."""
        return {path: (self._doc_hash[path], doc) for path, doc in self._docs.items()}

    # ------------------------------------------------------------------ evidence

    def _evidence(self, path: str, doc: _Doc, note: Note | None) -> dict[str, dict[str, float]]:
        """Each candidate's evidence by kind (see :data:`~.local_calibrate.Evidence`); the
        ``neighbour_tags`` hook is asked too when ``note`` is given (not for worked examples)."""
        evidence: dict[str, dict[str, float]] = defaultdict(dict)
        voted, closeness = self._neighbour_shares(path, note)
        for tag in voted:
            evidence[tag]["closeness"] = closeness
        for kind, shares in (
            ("neighbours", voted),
            ("links", self._link_shares(path, doc)),
            ("folder", self._folder_shares(path)),
        ):
            for tag, share in shares.items():
                evidence[tag][kind] = share
        for kind, found in (("title", doc.title), ("heading", doc.headings)):
            for tag in set(self._phrases.matches(found)):
                evidence[tag][kind] = 1.0
        for tag, hits in Counter(self._phrases.matches(doc.body)).items():
            evidence[tag]["body"] = float(hits)
        for tag in self._path_tags(path):
            evidence[tag]["path"] = 1.0
        return evidence

    def _path_tags(self, path: str) -> frozenset[str]:
        """Candidates named by the note's folders (``Programming/Python/``: ``python``)."""
        folder = _folder(path)
        found = self._folder_named.get(folder)
        if found is None:
            text = "\n".join(folder.split("/"))
            found = frozenset(
                self._phrases.matches([singular(w) for w in words(text, ALL_STOPWORDS)])
            )
            self._folder_named[folder] = found
        return found

    def _rows(self, evidence: Mapping[str, Evidence], tags: list[str]) -> list[list[float]]:
        best = max((e.get("neighbours", 0.0) for e in evidence.values()), default=0.0)
        tagged = len(self._tagged)
        return [
            features(evidence[t], best, popularity(self._uses.get(t.casefold(), 0), tagged))
            for t in tags
        ]

    def _probabilities(self, model: TagModel, evidence: Mapping[str, Evidence]) -> dict[str, float]:
        tags = sorted(evidence)
        return dict(zip(tags, model.probabilities(self._rows(evidence, tags)), strict=True))

    def _neighbour_shares(self, path: str, note: Note | None) -> tuple[dict[str, float], float]:
        """Each tag's share of the neighbours' votes, and how close the neighbourhood is
        (0..1: a few faintly similar notes are no majority worth following)."""
        votes: dict[str, float] = defaultdict(float)
        total = 0.0
        for other, similarity in self._nearest.nearest(path, NEAREST, self._tagged):
            total += similarity
            for tag in self._tagged[other]:
                votes[tag] += similarity
        # Shares of a weak neighbourhood (a few faintly similar notes) are not as sure as
        # those of a close one: below CONFIDENT_SIMILARITY in total they are scaled down.
        scale = min(total, CONFIDENT_SIMILARITY) / (total * CONFIDENT_SIMILARITY) if total else 0
        shares = {tag: v * scale for tag, v in votes.items()}
        if note is not None and self.neighbour_tags is not None:
            for tag in self._topical(self._spelled(self.neighbour_tags(note))):
                shares[tag] = max(shares.get(tag, 0.0), 1.0)
        closeness = min(total, CONFIDENT_SIMILARITY) / CONFIDENT_SIMILARITY
        return shares, 1.0 if note is not None and self.neighbour_tags is not None else closeness

    def _link_shares(self, path: str, doc: _Doc) -> dict[str, float]:
        linked = set(self._resolve(doc.links, path)) | self._backlinks.get(path, set())
        tagged = [self._tagged[p] for p in sorted(linked) if p in self._tagged]
        if not tagged:
            return {}
        counts = Counter(t for tags in tagged for t in tags)
        return {tag: n / len(tagged) for tag, n in counts.items()}

    def _folder_shares(self, path: str) -> dict[str, float]:
        folder = _folder(path)
        counts = self._folder_tags.get(folder)
        if counts is None or not folder:  # the vault's root holds anything: no evidence
            return {}
        counts = counts.copy()
        others = self._folder_notes[folder]
        if path in self._tagged:
            others -= 1
            counts.subtract(self._tagged[path])
        if others < MIN_FOLDER_NOTES:
            return {}
        return {tag: n / others for tag, n in counts.items() if n > 0}

    # ------------------------------------------------------------------ helpers

    def _resolve_links(self, valid: list[Note]) -> None:
        self._by_title: dict[str, str] = {}
        self._by_stem: dict[str, str] = {}
        for note in sorted(valid, key=lambda n: (n.path.count("/"), n.path)):
            self._by_title.setdefault(note.title.casefold(), note.path)
            self._by_stem.setdefault(_stem(note.path).casefold(), note.path)
        self._backlinks: dict[str, set[str]] = defaultdict(set)
        for path, doc in self._docs.items():
            for target in self._resolve(doc.links, path):
                self._backlinks[target].add(path)

    def _resolve(self, targets: list[str], source: str) -> list[str]:
        found: list[str] = []
        for target in targets:
            key = target.strip().removesuffix(".md").casefold()
            path = self._by_stem.get(key) if "/" in key else self._by_title.get(key)
            if path is not None and path != source and path not in found:
                found.append(path)
        return found

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
        """The author's tags (property and inline), as written: never dropped or respelled."""
        tags = self._tags_of.get(note.path)
        if tags is None:
            out: dict[str, str] = {}
            for tag in [*note.tags, *note.inline_tags]:
                out.setdefault(tag.casefold(), tag)
            tags = self._tags_of[note.path] = list(out.values())
        return tags

    def _topical(self, tags: Iterable[str]) -> list[str]:
        """Those of ``tags`` that are candidates, in the candidates' spelling."""
        renamed = (self._renames.get(t.casefold(), t) for t in tags)
        return [c for t in renamed if (c := self._candidates.get(t.casefold())) is not None]

    def _topical_tags(self, note: Note) -> list[str]:
        return list(dict.fromkeys(self._topical(self._spelled(self._note_tags(note)))))


def _is_topical(tag: str) -> bool:
    return tag.casefold() not in STRUCTURAL_TAGS


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


_KNOWN_DOCS: dict[str, dict[str, tuple[str, _Doc]]] = {}
"""Per vault root, the last curator's evidence: a new job (each watch cycle is one) reads and
analyses only the notes that changed, not the whole vault again."""
_KNOWN_MODELS: dict[str, TagModel] = {}
"""Per vault root, the last curator's evidence weights (refitted once much has changed)."""


class LocalEngine(PerNoteEngine):
    """The engine protocol over :class:`LocalCurator`: offline, one note after another."""

    def __init__(self, setup: EngineSetup) -> None:
        super().__init__(setup)
        self._curator: LocalCurator | None = None

    def run(self, notes: Iterable[PreparedNote], attempt: int, total: int) -> None:
        if self._curator is None:
            from vaultcurator.curation.requests import load_body
            from vaultcurator.store.taxonomy import approved_plan

            root = self.setup.vault_root
            plan = approved_plan(self.setup.ledger.store)
            self._curator = LocalCurator(
                self.setup.inventory,
                self.setup.settings,
                vocabulary=None if plan is None else [tag for tag, _ in plan.tags],
                renames=None if plan is None else plan.rename_map(),
                body_of=lambda n: load_body(root, n),
                known_docs=_KNOWN_DOCS.get(str(root)),
                known_model=_KNOWN_MODELS.get(str(root)),
            )
            _KNOWN_DOCS.clear()  # one vault's evidence at a time: memory stays bounded
            _KNOWN_DOCS[str(root)] = self._curator.evidence_by_path()
            _KNOWN_MODELS.clear()
            _KNOWN_MODELS[str(root)] = self._curator.model()
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


_OWN_EVIDENCE = ("links", "folder", "title", "heading", "path", "body")


def _own_evidence(evidence: Mapping[str, float]) -> bool:
    """Whether the note itself supports a tag: its words, folder or links, not only the tags of
    similar notes. A note the author tagged gets additions only on such evidence: notes alike
    in form (maps of content linking to one another) would otherwise lend each other topics."""
    return any(evidence.get(kind, 0.0) > 0 for kind in _OWN_EVIDENCE)
