"""Fusing the channels into one related list per note: scores, hubs, language, cut-offs.

Each channel's scores are divided by the best score that channel gave *this* note (row
normalisation): cosines of different embedders, and of long and short notes, are not on one
scale, so an absolute threshold either cuts good lists or keeps noise. The fused score is

    lexical / best lexical  +  DENSE * dense / best dense  +  MENTION * (named in the text)

then multiplied by the target's hub factor, and a candidate is kept while it scores at least
``ratio`` times the note's best remaining candidate (a cut-off relative to the note's own
distribution). Candidates in another language (see :mod:`language`) are dropped by default.

Hubs are notes that would be everyone's neighbour (category stubs, index pages, generic
titles): a note found in more than ``HUB_ALLOW`` times the average number of top-3 lists
(lexical and mentions fused, within the cut-off), and in more than ``HUB_SHARE`` of all
lists, gets its scores scaled by ``limit / count``, so it stays in about as many lists as
that limit (the square root of it left a generic note named in every note's text in every
list).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass

Candidate = tuple[str, float]

HUB_POOL = 3
"""How much of each lexical top list counts towards a note's hub count: being among everyone's
first three is what makes a hub (a top-10 count cannot tell one apart in a small vault)."""
HUB_ALLOW = 3.0
HUB_SHARE = 0.01
"""A note in at most this share of the lists is not a hub, however far above the average:
in a large work vault the project that a hundred meetings name is popular because it is
the right answer (scaled to 3x the average, it cost .027-.045 recall@5 on generated terse
work vaults of 1,800 notes; Obsidian's help and the fixtures are too small to be affected;
a generated 2,000-note vault of made-up words lost .005)."""
HUB_POWER = 1.0


@dataclass(frozen=True, slots=True)
class FusionWeights:
    """How the channels add up (measured on the vaults in ``benchmarks/links_quality.py``)."""

    dense: float = 0.1
    mention: float = 0.4
    """A note named in the text was an author's link as often as the third lexical candidate
    (29% on Obsidian's help, 24-28% on npm's and Node's docs): more than 0.3 gave it (0.4:
    +.02 recall@5 on Obsidian's and Node's docs, the same within noise elsewhere)."""
    ratio: float = 0.1
    """Relative cut-off: keep candidates scoring at least this share of the note's best (0.15
    cut authors' links on the fixture vault, where a note's tail can score a tenth of its best)."""

    def without_dense(self) -> FusionWeights:
        """The weights for the hashed embedder: its vectors are the lexical channel's own
        features in buckets, so fusing them counts the same evidence twice, blurred (with the
        authors' links hidden it cost .03 recall@5 on Obsidian's help and gained nothing on
        average over seven other vaults); a model embedder brings meaning, and keeps its weight."""
        return FusionWeights(dense=0.0, mention=self.mention, ratio=self.ratio)


def hub_factors(
    tops: Mapping[str, Sequence[Candidate]],
    pool: int = HUB_POOL,
    allow: float = HUB_ALLOW,
    ratio: float = 0.0,
    power: float = HUB_POWER,
    share: float | None = None,
) -> dict[str, float]:
    """Per over-popular target, a factor below 1 (see module docstring); others absent.

    ``tops``: each note's candidates, best first; only those within ``ratio`` of its best
    count (a tail of near-zero ties would otherwise make hubs of whoever sorts first).
    ``share``: ``HUB_SHARE`` when not given (read at call time).
    """
    counts: Counter[str] = Counter(
        p
        for cands in tops.values()
        if cands
        for p, score in cands[:pool]
        if score > 0 and score >= ratio * cands[0][1]
    )
    if not counts:
        return {}
    mean = sum(counts.values()) / max(len(counts), 1)
    limit = max(allow * mean, (HUB_SHARE if share is None else share) * len(tops))
    return {p: (limit / c) ** power for p, c in counts.items() if c > limit}


def _normalised(cands: Sequence[Candidate]) -> dict[str, float]:
    best = max((s for _, s in cands), default=0.0)
    if best <= 0:
        return {}
    return {p: s / best for p, s in cands if s > 0}


def fuse(
    lexical: Sequence[Candidate],
    dense: Sequence[Candidate] = (),
    mentioned: Collection[str] = (),
    weights: FusionWeights = FusionWeights(),
) -> dict[str, float]:
    """Fused score per candidate path (row-normalised channels, see module docstring)."""
    out = _normalised(lexical)
    for path, score in _normalised(dense).items():
        out[path] = out.get(path, 0.0) + weights.dense * score
    for path in mentioned:
        out[path] = out.get(path, 0.0) + weights.mention
    return out


def ranked(fused: Mapping[str, float]) -> list[Candidate]:
    """Fused candidates best first (ties by path)."""
    return sorted(fused.items(), key=lambda c: (-c[1], c[0]))


def select(
    source: str,
    fused: Mapping[str, float],
    *,
    k: int,
    ratio: float,
    hub: Mapping[str, float] | None = None,
    keep: Callable[[str], bool] | None = None,
    exclude: Collection[str] = (),
) -> list[Candidate]:
    """The best ``k`` after hub weighting and filters, cut relative to the best one kept.

    ``keep(path)`` says whether a target may be proposed at all (indexed, same language);
    ties are broken by path so results do not depend on the order candidates came in.
    """
    hub = hub or {}
    scored = [
        (path, score * hub.get(path, 1.0))
        for path, score in fused.items()
        if path != source and path not in exclude and (keep is None or keep(path))
    ]
    scored.sort(key=lambda c: (-c[1], c[0]))
    if not scored or scored[0][1] <= 0:
        return []
    floor = scored[0][1] * ratio
    return [c for c in scored[:k] if c[1] >= floor]
