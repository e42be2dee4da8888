"""How much each kind of evidence is worth, learned from the vault's own tagged notes.

The offline engine has several channels of evidence for a candidate tag (the tags of the
note's nearest notes, the tag's words in its title, headings or prose, its links, its folder),
and how far each can be trusted differs from vault to vault: in one the titles name the topic,
in another the folders do, in a third the words are everyday ones and only similar notes tell.
Fixed weights were right for none of them (measured by hiding a fifth of several vaults' tags:
a 5-tag neighbour vote beat them). So every tagged note is a worked example: its evidence is
gathered as for a note without tags (its own tags never count: neighbours, links and folder
are other notes', text is prose without ``#tags``), and a logistic regression learns from
"which of these candidates did the author pick". Its output is a probability, so one cut-off
means the same in every vault and the number of tags follows the evidence (many strong
candidates: several tags; weak ones: none).

A vault with few tagged notes learns little: the fit is pulled towards :data:`PRIOR_WEIGHTS`
(ridge towards a prior, :data:`PRIOR_STRENGTH`), so a tiny vault behaves like the prior.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

Evidence = Mapping[str, float]
"""One candidate's evidence by kind: ``neighbours``, ``links``, ``folder`` (shares 0..1),
``closeness`` (of the neighbours that voted, 0..1),
``title``, ``heading``, ``path`` (1.0 when its words are in the title, a heading, a folder
name) and ``body`` (occurrences)."""

FEATURES = (
    "bias",
    "neighbours",
    "neighbours_vs_best",
    "any_neighbour",
    "title",
    "heading",
    "body",
    "in_body",
    "links",
    "any_link",
    "folder",
    "path",
    "popularity",
)
PRIOR_WEIGHTS = (-4.6, 1.6, 3.1, 0.8, 1.0, 0.5, 0.0, 1.7, 0.3, 0.3, 1.2, 0.5, 0.0)
"""Weights a vault without enough tagged notes gets: the order of :data:`FEATURES`; a
rounded average of those learned on generated English/Spanish vaults, with a title or
heading that names a tag counted as real evidence."""
PRIOR_STRENGTH = 10.0
"""Ridge penalty towards :data:`PRIOR_WEIGHTS`: worth a few dozen examples, so a vault of
hundreds of tagged notes speaks for itself."""
BODY_CAP = 4
NEWTON_STEPS = 25


def features(evidence: Evidence, best_neighbours: float, popularity: float) -> list[float]:
    """The feature vector (:data:`FEATURES`) of one candidate.

    ``best_neighbours``: the highest neighbour share among the note's candidates (a tag
    voted as strongly as the best is likelier than its absolute share says, when the
    neighbours are close: ``closeness``);
    ``popularity``: log of the share of tagged notes that carry the tag."""
    share = evidence.get("neighbours", 0.0)
    hits = evidence.get("body", 0.0)
    return [
        1.0,
        share,
        share / best_neighbours * evidence.get("closeness", 0.0) if best_neighbours > 0 else 0.0,
        1.0 if share > 0 else 0.0,
        evidence.get("title", 0.0),
        evidence.get("heading", 0.0),
        min(hits, BODY_CAP) / BODY_CAP,
        1.0 if hits > 0 else 0.0,
        evidence.get("links", 0.0),
        1.0 if "links" in evidence else 0.0,
        evidence.get("folder", 0.0),
        evidence.get("path", 0.0),
        popularity,
    ]


def popularity(uses: int, tagged_notes: int) -> float:
    """Log share of the tagged notes that carry a tag used on ``uses`` notes."""
    return math.log((uses + 1) / (tagged_notes + 1))


@dataclass(frozen=True, slots=True)
class TagModel:
    """A fitted logistic regression over :data:`FEATURES`."""

    weights: tuple[float, ...] = PRIOR_WEIGHTS
    examples: int = 0
    """How many tagged notes it learned from (0: the prior alone)."""

    def probabilities(self, rows: Sequence[Sequence[float]]) -> list[float]:
        """The probability that the author would pick each candidate (one row each)."""
        if not rows:
            return []
        logits = np.asarray(rows, dtype=float) @ np.asarray(self.weights)
        return [float(p) for p in 1.0 / (1.0 + np.exp(-np.clip(logits, -30, 30)))]


def fit(examples: Sequence[tuple[Sequence[Sequence[float]], Sequence[bool]]]) -> TagModel:
    """A :class:`TagModel` from worked examples: per tagged note, its candidates' feature
    rows and whether the author picked each (ridge-regularised towards the prior, Newton)."""
    rows = [row for candidates, _ in examples for row in candidates]
    if not rows:
        return TagModel()
    x = np.asarray(rows, dtype=float)
    y = np.asarray([float(picked) for _, labels in examples for picked in labels])
    prior = np.asarray(PRIOR_WEIGHTS)
    ridge = PRIOR_STRENGTH * np.eye(len(prior))
    w = prior.copy()
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ w, -30, 30)))
        gradient = x.T @ (p - y) + PRIOR_STRENGTH * (w - prior)
        hessian = (x * (p * (1.0 - p))[:, None]).T @ x + ridge
        step = np.linalg.solve(hessian, gradient)
        w -= step
        if float(np.max(np.abs(step))) < 1e-6:
            break
    return TagModel(tuple(float(v) for v in w), len(examples))
