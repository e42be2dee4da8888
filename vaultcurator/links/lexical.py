"""The sparse lexical channel: field-weighted TF-IDF, or BM25 for terse notes (:mod:`weighting`).

Features are the ones :mod:`~vaultcurator.links.hashed` counts (words and word pairs, title,
aliases, tags, description and headings weighted above the body), but each keeps its own
column, identified by a 64-bit hash: no buckets shared by unrelated words, which cost
.05-.07 recall@5 on real vaults.

Stored in ``<state>/links-sparse.npz`` (rows as CSR plus the vocabulary's document
frequencies), so one changed note is re-tokenised alone: its row is swapped, the frequencies
adjusted, and it is scored against every note with one vectorised pass (tens of ms for
10,000 notes). All-pairs scoring for a full run goes through an inverted index built in
memory; very common terms are left out of the queries (see :meth:`SparseIndex.common`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt

from vaultcurator.links import weighting
from vaultcurator.links.sparse_rows import Inverted, Row, file_stamp, row_terms, runs

__all__ = ["FILE_NAME", "Row", "SparseIndex", "row_terms"]

FILE_NAME = "links-sparse.npz"
FORMAT = "sparse-5"
COMMON_SHARE = 0.05
"""Terms in more notes than this share (and at least ``COMMON_MIN``) are left out of queries:
their postings would dominate the cost of a large vault's all-pairs pass."""
COMMON_MIN = 500
"""Pruning terms in 50+ notes cost .03 recall@5 on Obsidian's help (185 notes)."""
BLOCK = 128

F32 = npt.NDArray[np.float32]
U64 = npt.NDArray[np.uint64]
SAVE_AFTER = 50
"""An incremental run writes the file once this many rows changed since it was written; until
then the changed notes are simply re-read by the next process (rows are keyed by content
hash), and a long-lived process keeps them in memory."""


_CACHE: dict[Path, tuple[tuple[int, int] | None, SparseIndex]] = {}
STALE_LIMIT = 500
"""Changed rows scored directly before the inverted index is rebuilt."""


@dataclass(slots=True)
class SparseIndex:
    """Rows of every indexed note, in a stable order, with vocabulary statistics."""

    rows: list[Row] = field(default_factory=list)
    hub: dict[str, float] = field(default_factory=dict)
    unsaved: int = 0
    """Rows changed since the file was written (see :meth:`save`)."""
    version: int = 0
    """Bumped by every change of rows, so derived tables know when to refresh."""
    derived: dict[object, object] = field(default_factory=dict)
    """Tables other modules derive from this index, kept with it (see ``retrieve``); ``hub``:
    down-weighting factor (<= 1) of notes that are everyone's neighbour (last full run)."""
    _slot: dict[str, int] = field(default_factory=dict)
    _vocab: U64 = field(default_factory=lambda: np.zeros(0, dtype=np.uint64))
    _df: npt.NDArray[np.int64] = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    _csr: tuple[npt.NDArray[np.int64], U64, F32, F32] | None = None
    _length: float = 0.0
    """Every row's weighted term count summed (BM25's mean length), kept in step by updates."""
    _inv: Inverted | None = None
    _stale: set[str] = field(default_factory=set)
    """Paths changed since the inverted index was built (scored directly instead)."""

    def __post_init__(self) -> None:
        self._slot = {r.path: i for i, r in enumerate(self.rows)}
        self._length = float(sum(r.weights.sum(dtype=np.float64) for r in self.rows))
        if not len(self._vocab):
            self._refresh_vocab()

    # ------------------------------------------------------------------ contents
    def __len__(self) -> int:
        return len(self.rows)

    def __contains__(self, path: str) -> bool:
        return path in self._slot

    def row(self, path: str) -> Row | None:
        slot = self._slot.get(path)
        return None if slot is None else self.rows[slot]

    def paths(self) -> list[str]:
        return [r.path for r in self.rows]

    def by_path(self) -> Mapping[str, Row]:
        """Every row by its path (read-only; built once per version of the index)."""
        kept = self.derived.get("by_path")
        if isinstance(kept, tuple) and kept[0] == self.version:
            found: Mapping[str, Row] = kept[1]
            return found
        rows = dict(zip(self._slot, self.rows, strict=True))  # _slot is in row order
        self.derived["by_path"] = (self.version, rows)
        return rows

    def position(self, path: str) -> int:
        """Where ``path``'s row stands in the index order (it must be indexed)."""
        return self._slot[path]

    def _refresh_vocab(self) -> None:
        if not self.rows:
            self._vocab = np.zeros(0, dtype=np.uint64)
            self._df = np.zeros(0, dtype=np.int64)
            return
        everything = np.concatenate([r.terms for r in self.rows])
        vocab, df = np.unique(everything, return_counts=True)
        self._vocab, self._df = vocab, df.astype(np.int64)
        self._csr = None

    def update(self, upserts: Sequence[Row], deletes: Iterable[str]) -> None:
        """Swap, add and remove rows; document frequencies follow exactly."""
        gone = set(deletes) | {r.path for r in upserts}
        old = [self.rows[self._slot[p]] for p in gone if p in self._slot]
        minus = np.concatenate([r.terms for r in old]) if old else np.zeros(0, np.uint64)
        plus = np.concatenate([r.terms for r in upserts]) if upserts else np.zeros(0, np.uint64)
        known = np.zeros(len(plus), dtype=bool)
        if len(self._vocab) and len(plus):
            pos = np.minimum(np.searchsorted(self._vocab, plus), len(self._vocab) - 1)
            known = self._vocab[pos] == plus
        new_terms = np.unique(plus[~known])
        if len(new_terms):  # inserted in place: a copy, not a sort of the whole vocabulary
            at = np.searchsorted(self._vocab, new_terms)
            self._vocab = np.insert(self._vocab, at, new_terms)
            self._df = np.insert(self._df, at, 0)
        np.add.at(self._df, np.searchsorted(self._vocab, plus), 1)
        if len(minus):
            np.subtract.at(self._df, np.searchsorted(self._vocab, minus), 1)
        replaced = {r.path: r for r in upserts}
        if len(old) == len(gone) == len(replaced):  # rows swapped in place (a watch cycle)
            self.rows = list(self.rows)
            for path, row in replaced.items():
                self.rows[self._slot[path]] = row
        else:
            kept = [
                replaced.pop(r.path, r)
                for r in self.rows
                if r.path not in gone or r.path in replaced
            ]
            kept.extend(replaced.values())
            self.rows = kept
            self._slot = {r.path: i for i, r in enumerate(self.rows)}
        self._csr = None
        self._length += sum(float(r.weights.sum(dtype=np.float64)) for r in upserts)
        self._length -= sum(float(r.weights.sum(dtype=np.float64)) for r in old)
        self.unsaved += len(upserts) + len(old)
        self.version += 1
        if self._inv is not None:
            self._stale |= gone
            if len(self._stale) > STALE_LIMIT:
                self._inv = None

    # ------------------------------------------------------------------ scoring
    def _df_of(self, terms: U64) -> npt.NDArray[np.int64]:
        if not len(self._vocab):
            return np.zeros(len(terms), dtype=np.int64)
        pos = np.minimum(np.searchsorted(self._vocab, terms), len(self._vocab) - 1)
        return np.where(self._vocab[pos] == terms, self._df[pos], 0)

    def idf(self, terms: U64) -> F32:
        """Smoothed IDF of ``terms`` in the vault as it is now."""
        return weighting.idf(len(self.rows), self._df_of(terms)).astype(np.float32)

    def common(self) -> int:
        """Terms in more notes than this are left out of queries: in more than half of them
        (the vault's own stop words, worth next to nothing; not in a handful of notes), or in
        many notes of a large vault (``COMMON_SHARE``, for speed)."""
        n = len(self.rows)
        return min(n // 2 if n >= 20 else n, max(COMMON_MIN, int(COMMON_SHARE * n)))

    def query(self, row: Row) -> tuple[U64, F32]:
        """The terms ``row`` searches with and their weights (see :mod:`weighting`): a terse
        row's meet the targets' BM25 weights, any other's their unit TF-IDF weights."""
        df = self._df_of(row.terms)
        common = self.common()
        keep = (df > (row.path in self._slot)) & (df <= common)
        if row.terse:
            target = row.bm25 if row.bm25 is not None else self._target_weights([row])[0][1]
            idfs = weighting.bm25_idf(len(self.rows), df)
            own = weighting.bm25_query(row.weights.astype(np.float64), idfs)
            at, weights = weighting.query(own, keep, target.astype(np.float64))
            return row.terms[at], weights
        unit = row.scored if row.scored is not None else self._target_weights([row])[0][0]
        at, weights = weighting.query(unit.astype(np.float64), keep)
        return row.terms[at], weights

    def _target_weights(self, rows: Sequence[Row]) -> list[tuple[F32, F32]]:
        """Unit TF-IDF and BM25 weights of ``rows``, with the IDF and mean length as now."""
        if not rows:
            return []
        terms = np.concatenate([r.terms for r in rows])
        df = self._df_of(terms)
        idfs = weighting.idf(len(self.rows), df)
        bm25_idfs = weighting.bm25_idf(len(self.rows), df)
        sizes = np.cumsum([len(r.terms) for r in rows])[:-1]
        mean = self._length / max(len(self.rows), 1)
        out = []
        for r, part, bm_part in zip(
            rows, np.split(idfs, sizes), np.split(bm25_idfs, sizes), strict=True
        ):
            tf = r.weights.astype(np.float64)
            bm25 = weighting.bm25_target(tf, bm_part, float(tf.sum()), mean)
            out.append((weighting.unit(tf, part).astype(np.float32), bm25.astype(np.float32)))
        return out

    def renormalise(self) -> None:
        """Recompute every row's weights with today's IDF (full runs)."""
        for row in self.rows:
            row.scored = row.bm25 = None
        self._csr = None
        self._inv = None

    def _weigh(self, rows: Sequence[Row]) -> None:
        """Give ``rows`` without them their target weights, as the vault is now."""
        stale = [r for r in rows if r.scored is None or r.bm25 is None]
        for row, (unit, bm25) in zip(stale, self._target_weights(stale), strict=True):
            row.scored, row.bm25 = unit, bm25

    def csr(self) -> tuple[npt.NDArray[np.int64], U64, F32, F32]:
        """(row pointers, terms, each row's unit TF-IDF weights, its BM25 weights)."""
        if self._csr is None:
            self._weigh(self.rows)
            lengths = np.fromiter((len(r.terms) for r in self.rows), np.int64, len(self.rows))
            ptr = np.zeros(len(self.rows) + 1, dtype=np.int64)
            np.cumsum(lengths, out=ptr[1:])
            if self.rows:
                all_terms = np.concatenate([r.terms for r in self.rows])
                scored = np.concatenate([r.scored for r in self.rows if r.scored is not None])
                bm25 = np.concatenate([r.bm25 for r in self.rows if r.bm25 is not None])
            else:
                all_terms, scored = np.zeros(0, np.uint64), np.zeros(0, np.float32)
                bm25 = scored
            self._csr = (ptr, all_terms, scored.astype(np.float32), bm25.astype(np.float32))
        return self._csr

    def query_one(self, row: Row) -> F32:
        """Score of ``row`` against every row (its own slot included, if indexed)."""
        ptr, terms, unit, bm25 = self.csr()
        weights = bm25 if row.terse else unit
        out = np.zeros(len(self.rows), dtype=np.float32)
        q_terms, q = self.query(row)
        if not len(q_terms) or not len(terms):
            return out
        pos = np.minimum(np.searchsorted(q_terms, terms), len(q_terms) - 1)
        hit = q_terms[pos] == terms
        doc = np.repeat(np.arange(len(self.rows)), np.diff(ptr))
        np.add.at(out, doc[hit], weights[hit] * q[pos[hit]])
        return out

    def _inverted(self) -> Inverted:
        if self._inv is None:
            ptr, terms, unit, bm25 = self.csr()
            doc = np.repeat(np.arange(len(self.rows), dtype=np.int32), np.diff(ptr))
            order = np.argsort(terms, kind="stable")
            uniq, starts, lens = runs(terms[order])
            self._inv = Inverted(
                self.paths(), uniq, starts, lens, doc[order], unit[order], bm25[order]
            )
            self._stale = set()
        return self._inv

    def nearest(self, row: Row, n: int) -> list[tuple[str, float]]:
        """The ``n`` best (path, score) for one note, through the inverted index.

        Rows changed since the index was built are scored directly, so one changed note is
        re-linked without touching every row (the inverted index is kept for the process).
        """
        inv = self._inverted()
        q_terms, q = self.query(row)
        if not len(q_terms) or not len(inv.terms):
            return []
        pos = np.minimum(np.searchsorted(inv.terms, q_terms), len(inv.terms) - 1)
        ok = inv.terms[pos] == q_terms
        p, qw = pos[ok], q[ok]
        target = inv.bm25 if row.terse else inv.weights
        span = inv.lens[p]
        total = int(span.sum())
        found: dict[str, float] = {}
        if total:
            idx = np.arange(total, dtype=np.int64) + np.repeat(
                inv.starts[p] - (np.cumsum(span) - span), span
            )
            scores = np.bincount(
                inv.docs[idx],
                weights=target[idx] * np.repeat(qw, span),
                minlength=len(inv.paths),
            )
            take = min(n + len(self._stale) + 1, len(inv.paths))
            best = np.argpartition(-scores, take - 1)[:take]
            for j in best:
                path = inv.paths[j]
                if scores[j] > 0 and path not in self._stale:
                    found[path] = float(scores[j])
        fresh = [r for path in self._stale if (r := self.row(path)) is not None]
        self._weigh(fresh)
        for other in fresh:
            common, a, b = np.intersect1d(q_terms, other.terms, return_indices=True)
            weights = other.bm25 if row.terse else other.scored
            if len(common) and weights is not None:
                found[other.path] = float(np.dot(q[a], weights[b]))
        found.pop(row.path, None)
        ranked = sorted(((p_, s) for p_, s in found.items() if s > 0), key=lambda c: (-c[1], c[0]))
        return ranked[:n]

    def top_all(self, sources: Sequence[str], n: int) -> dict[str, list[tuple[str, float]]]:
        """The ``n`` best (path, score) per source, all-pairs through an inverted index."""
        ptr, terms, unit, bm25 = self.csr()
        count = len(self.rows)
        out: dict[str, list[tuple[str, float]]] = {}
        if not count or not len(terms):
            return {s: [] for s in sources}
        common = self.common()
        doc_of = np.repeat(np.arange(count, dtype=np.int64), np.diff(ptr))
        keep = self._df[np.searchsorted(self._vocab, terms)] <= common
        order = np.argsort(terms[keep], kind="stable")
        post_terms = terms[keep][order]
        post_docs = doc_of[keep][order]
        post = {False: unit[keep][order], True: bm25[keep][order]}
        uniq, starts, lens = runs(post_terms)
        paths = self.paths()
        slots = [self._slot[s] for s in sources if s in self._slot]
        terse = {slot: self.rows[slot].terse for slot in slots}
        blocks = [  # a block's sources all meet the same target weights
            (group[first : first + BLOCK], post[kind])
            for kind in (False, True)
            if (group := [slot for slot in slots if terse[slot] == kind])
            for first in range(0, len(group), BLOCK)
        ]
        n = min(n, count)
        for block, post_w in blocks:
            q_rows, q_pos, q_w = [], [], []
            for b, slot in enumerate(block):
                t, w = self.query(self.rows[slot])
                pos = np.minimum(np.searchsorted(uniq, t), max(len(uniq) - 1, 0))
                ok = uniq[pos] == t if len(uniq) else np.zeros(len(t), dtype=bool)
                q_rows.append(np.full(int(ok.sum()), b, dtype=np.int64))
                q_pos.append(pos[ok])
                q_w.append(w[ok])
            rows_ = np.concatenate(q_rows)
            pos_ = np.concatenate(q_pos)
            w_ = np.concatenate(q_w)
            span = lens[pos_]
            total = int(span.sum())
            scores: npt.NDArray[np.float64] = np.zeros(len(block) * count, dtype=np.float64)
            if total:
                base = np.repeat(starts[pos_] - (np.cumsum(span) - span), span)
                idx = np.arange(total, dtype=np.int64) + base
                flat = np.repeat(rows_ * count, span) + post_docs[idx]
                weighted = post_w[idx] * np.repeat(w_, span)
                scores = np.bincount(flat, weights=weighted, minlength=len(block) * count).astype(
                    np.float64
                )
            matrix = scores.reshape(len(block), count)
            for b, slot in enumerate(block):
                matrix[b, slot] = -1.0
            take = min(n, count - 1) if count > 1 else 0
            if take <= 0:
                for slot in block:
                    out[paths[slot]] = []
                continue
            part = np.argpartition(-matrix, take - 1, axis=1)[:, :take]
            for b, slot in enumerate(block):
                cands = [(paths[j], float(matrix[b, j])) for j in part[b] if matrix[b, j] > 0]
                cands.sort(key=lambda c: (-c[1], c[0]))
                out[paths[slot]] = cands
        return out

    # ------------------------------------------------------------------ storage
    def save(self, state_dir: Path) -> None:
        """Write atomically (temp file + replace): a killed run leaves the old index."""
        ptr = np.zeros(len(self.rows) + 1, dtype=np.int64)
        np.cumsum([len(r.terms) for r in self.rows], out=ptr[1:])
        empty_u = np.zeros(0, np.uint64)
        empty_f = np.zeros(0, np.float32)
        target = state_dir / FILE_NAME
        tmp = state_dir / f".{FILE_NAME}.{os.getpid()}.tmp"
        with tmp.open("wb") as fh:
            np.savez(
                fh,
                format=np.array(FORMAT),
                paths=np.array([r.path for r in self.rows], dtype=str),
                hashes=np.array([r.hash for r in self.rows], dtype=str),
                langs=np.array([r.lang for r in self.rows], dtype=str),
                short=np.array([r.short for r in self.rows], dtype=bool),
                mentions=np.array(["\x1f".join(r.mentions) for r in self.rows], dtype=str),
                aliases=np.array(["\x1f".join(r.aliases) for r in self.rows], dtype=str),
                template=np.array([r.template for r in self.rows], dtype=bool),
                scored=self.csr()[2],
                bm25=self.csr()[3],
                ptr=ptr,
                terms=np.concatenate([r.terms for r in self.rows]) if self.rows else empty_u,
                weights=np.concatenate([r.weights for r in self.rows]) if self.rows else empty_f,
                vocab=self._vocab,
                df=self._df,
                hub=np.array([self.hub.get(r.path, 1.0) for r in self.rows], dtype=np.float32),
            )
        tmp.replace(target)
        self.unsaved = 0
        _CACHE[target] = (file_stamp(target), self)

    @classmethod
    def load(cls, state_dir: Path) -> SparseIndex:
        """The stored index; an empty one when missing, damaged or of another format.

        A long-lived process (watch mode, the TUI) keeps the index it last loaded or saved
        and reuses it while the file is the one it knows, with any rows updated since.
        """
        target = state_dir / FILE_NAME
        cached = _CACHE.get(target)
        if cached is not None and cached[0] == file_stamp(target):
            return cached[1]
        index = cls._read(state_dir)
        _CACHE[target] = (file_stamp(target), index)
        return index

    @classmethod
    def _read(cls, state_dir: Path) -> SparseIndex:
        try:
            with np.load(state_dir / FILE_NAME, allow_pickle=False) as data:
                if str(data["format"]) != FORMAT:
                    return cls()
                ptr = data["ptr"]
                terms, weights, scored = data["terms"], data["weights"], data["scored"]
                bm25 = data["bm25"]
                rows = [
                    Row(
                        path=str(path),
                        hash=str(digest),
                        lang=str(lang),
                        short=bool(short),
                        terms=terms[ptr[i] : ptr[i + 1]],
                        weights=weights[ptr[i] : ptr[i + 1]],
                        mentions=tuple(m for m in str(mentioned).split("\x1f") if m),
                        aliases=tuple(a for a in str(named).split("\x1f") if a),
                        template=bool(template),
                        scored=scored[ptr[i] : ptr[i + 1]],
                        bm25=bm25[ptr[i] : ptr[i + 1]],
                    )
                    for i, (path, digest, lang, short, mentioned, named, template) in enumerate(
                        zip(
                            data["paths"],
                            data["hashes"],
                            data["langs"],
                            data["short"],
                            data["mentions"],
                            data["aliases"],
                            data["template"],
                            strict=True,
                        )
                    )
                ]
                index = cls(
                    rows=rows,
                    _vocab=data["vocab"],
                    _df=data["df"].astype(np.int64),
                )
                index.hub = {
                    r.path: float(h) for r, h in zip(rows, data["hub"], strict=True) if h < 1.0
                }
                return index
        except (OSError, KeyError, ValueError):
            return cls()
