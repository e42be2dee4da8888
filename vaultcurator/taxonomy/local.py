"""The offline taxonomy planner: deterministic rules, no model, no network.

Spellings are grouped when they are the same tag written differently:

- case (``HUB``/``hub``), accents (``cafe``/``café``), separators (``multi-tenant``,
  ``multi_tenant``, ``multitenant``): equal once case-folded, accents and ``-``/``_``/space
  removed;
- singular/plural, English and Spanish (``agente``/``agentes``, ``papel``/``papeles``,
  ``library``/``libraries``, ``luz``/``luces``): only when the singular is itself a tag of the
  vault, and never for stems shorter than :data:`MIN_STEM` (``new``/``news`` stay apart);
- near-misspellings (one edit or swap: ``javscript``): only for words of at least
  :data:`MIN_TYPO_LEN` characters (so ``css``/``cms``, ``vue``/``vie`` never merge), never
  when the difference is a digit (``python2``/``python3``), never when some note carries both,
  and only into a tag used at least :data:`TYPO_RATIO` times as often.

Each group's canonical spelling is the most used form (lower case and accented forms win
ties). Then, unless the vault is to stay flat, a flat tag is nested: under the nested tag with
the same leaf the vault already uses (``python`` -> ``programming/python``), or under a tag
that carries it (co-occurrence subsumption: ``postgres`` goes under ``databases`` when at
least :data:`SUBSUME_SHARE` of its notes also carry ``databases``, which is used at least
twice as often; a structural tag such as ``inbox`` or ``moc`` is never a parent).
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence

from vaultcurator.curation.tag_policy import obsidian_accepts
from vaultcurator.domain.taxonomy import Rename, TaxonomyPlan
from vaultcurator.taxonomy.stats import TagStat, TagStats, collect
from vaultcurator.vault.model import Note

ENGINE = "local"
MIN_STEM = 4
MIN_TYPO_LEN = 5
TYPO_RATIO = 3
SUBSUME_SHARE = 0.8
SUBSUME_MIN_NOTES = 3
_STRUCTURAL_WORDS = (
    "moc index hub home inbox todo draft drafts archive archived readme daily journal "
    "idea ideas note notes misc status wip review reference references"
)
STRUCTURAL = frozenset(_STRUCTURAL_WORDS.split(" "))


def fold(text: str) -> str:
    """Case-folded, accents removed (``Café`` -> ``cafe``)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def norm_key(tag: str) -> str:
    """The spelling-blind key: folded, ``-``/``_``/space removed in every level."""
    return "/".join("".join(ch for ch in fold(part) if ch not in "-_ ") for part in tag.split("/"))


def singular_stems(word: str) -> set[str]:
    """Possible singulars of an English or Spanish plural (empty for a non-plural)."""
    out: set[str] = set()
    if word.endswith("ies") and len(word) > 4:
        out.add(word[:-3] + "y")
    if word.endswith("ces"):
        out.add(word[:-3] + "z")
    if word.endswith("es"):
        out.add(word[:-2])
    if word.endswith("s") and not word.endswith(("ss", "us", "is")):
        out.add(word[:-1])
    return {stem for stem in out if len(stem) >= MIN_STEM}


class _Groups:
    """Union-find over norm keys (each key stands for all its spellings)."""

    def __init__(self, keys: Iterable[str]) -> None:
        self.parent = {key: key for key in keys}
        self.why: dict[str, str] = {}

    def find(self, key: str) -> str:
        root = key
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[key] != root:
            self.parent[key], key = root, self.parent[key]
        return root

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _edits1(word: str) -> Iterable[str]:
    """Probes shared by words one edit apart (symmetric delete): the word, the word minus
    one character (insertions, deletions, swaps), and with one character blanked
    (substitutions); candidates are then checked with :func:`_one_edit`."""
    yield word
    for i in range(len(word)):
        yield word[:i] + word[i + 1 :]
        yield word[:i] + "\0" + word[i + 1 :]


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one substitution, insertion, deletion or swap of
    neighbours, none of them involving a digit."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) > len(b):
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        if a[i + 1 :] == b[i + 1 :]:
            return not (a[i].isdigit() or b[i].isdigit())
        swapped = i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i]
        return swapped and a[i + 2 :] == b[i + 2 :]
    return a[i:] == b[i + 1 :] and not b[i].isdigit()


def _typo_pairs(keys: dict[str, int]) -> Iterable[tuple[str, str]]:
    """``(rare, common)`` key pairs one edit apart (see the module rules, minus co-use)."""
    index: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        if "/" in key or len(key) < MIN_TYPO_LEN:
            continue
        for probe in _edits1(key):
            index[probe].append(key)
    seen: set[tuple[str, str]] = set()
    for bucket in index.values():
        if len(bucket) < 2:
            continue
        for a in bucket:
            for b in bucket:
                if a >= b or (a, b) in seen:
                    continue
                seen.add((a, b))
                rare, common = (a, b) if keys[a] < keys[b] else (b, a)
                if keys[common] >= TYPO_RATIO * keys[rare] and _one_edit(a, b):
                    yield rare, common


def _preference(stat: TagStat) -> tuple[int, int, bool, bool, int, str]:
    """Most notes carrying it in their tags property first (what a plan can rename), then
    inline uses; lower case and accented spellings win ties."""
    tag = stat.tag
    has_upper = tag != tag.lower()
    plain = fold(tag) == tag.casefold()
    return (-stat.notes, -stat.inline, has_upper, plain, len(tag), tag)


def _reason(old: str, canon: str) -> str:
    if old.casefold() == canon.casefold():
        return "case"
    if fold(old) == fold(canon):
        return "accents"
    if norm_key(old) == norm_key(canon):
        return "separators"
    a, b = norm_key(old), norm_key(canon)
    if b in singular_stems(a) or a in singular_stems(b):
        return "singular/plural"
    return "misspelling"


def group_variants(stats: TagStats) -> dict[str, str]:
    """``{spelling: canonical spelling}`` for every tag of the vault."""
    by_key: dict[str, list[str]] = defaultdict(list)
    key_uses: Counter[str] = Counter()
    for stat in stats.tags.values():
        key = norm_key(stat.tag)
        by_key[key].append(stat.tag)
        key_uses[key] += stat.uses
    rank = {
        key: (sum(stats.tags[s].notes for s in spellings), key_uses[key])
        for key, spellings in by_key.items()
    }
    groups = _Groups(sorted(by_key))
    for key in sorted(by_key):
        head, _, leaf = key.rpartition("/")
        for stem in sorted(singular_stems(leaf)):
            other = f"{head}/{stem}" if head else stem
            if other in by_key:
                groups.union(key, other)
    for rare, common in _typo_pairs(dict(key_uses)):
        if not any(stats.co(a, b) for a in by_key[rare] for b in by_key[common]):
            groups.union(rare, common)
    members: dict[str, list[str]] = defaultdict(list)
    for key in by_key:
        members[groups.find(key)].append(key)
    canonical: dict[str, str] = {}
    for keys in members.values():
        best_key = min(keys, key=lambda k: (-rank[k][0], -rank[k][1], k))
        canon = min(by_key[best_key], key=lambda s: _preference(stats.tags[s]))
        if not obsidian_accepts(canon):
            valid = [s for k in keys for s in by_key[k] if obsidian_accepts(s)]
            if valid:
                canon = min(valid, key=lambda s: _preference(stats.tags[s]))
        for key in keys:
            for spelling in by_key[key]:
                canonical[spelling] = canon
    return canonical


def _nest(
    stats: TagStats, canonical: dict[str, str], notes_of: Counter[str]
) -> dict[str, tuple[str, str]]:
    """``{flat canonical: (nested target, reason)}``."""
    canon_tags = sorted(set(canonical.values()))
    by_leaf: dict[str, list[str]] = defaultdict(list)
    for tag in canon_tags:
        if "/" in tag:
            by_leaf[norm_key(tag.rsplit("/", 1)[1])].append(tag)
    co: Counter[tuple[str, str]] = Counter()
    fold_to_canon = {s.casefold(): c for s, c in canonical.items()}
    for (a, b), n in stats.pairs.items():
        ca, cb = fold_to_canon.get(a), fold_to_canon.get(b)
        if ca is not None and cb is not None and ca != cb:
            co[(ca, cb)] += n
            co[(cb, ca)] += n
    partners: dict[str, list[tuple[str, int]]] = defaultdict(list)
    for (a, b), n in co.items():
        partners[a].append((b, n))
    parent: dict[str, tuple[str, str]] = {}
    for tag in canon_tags:
        if "/" in tag:
            continue
        homes = sorted(by_leaf.get(norm_key(tag), []), key=lambda t: (-notes_of[t], t))
        if homes and (len(homes) == 1 or notes_of[homes[0]] >= 2 * notes_of[homes[1]]):
            parent[tag] = (homes[0], f"nesting: the vault files it as {homes[0]}")
            continue
        own = notes_of[tag]
        if own < SUBSUME_MIN_NOTES:
            continue
        best = [
            (n, p)
            for p, n in partners.get(tag, [])
            if n >= SUBSUME_SHARE * own
            and notes_of[p] >= 2 * own
            and norm_key(p.rsplit("/", 1)[-1]) not in STRUCTURAL
        ]
        if best:
            _, home = max(best, key=lambda item: (item[0], notes_of[item[1]], item[1]))
            parent[tag] = (home, f"nesting: {home} carries it on most of its notes")
    resolved: dict[str, tuple[str, str]] = {}

    def path(tag: str, depth: int = 0) -> str:
        if tag not in parent or depth > 8:
            return tag
        home, _ = parent[tag]
        if home.rsplit("/", 1)[-1].casefold() == tag.casefold():
            return home  # the leaf-match case: the nested tag itself
        return f"{path(home, depth + 1)}/{tag}"

    for tag, (_, reason) in parent.items():
        target = path(tag)
        if target != tag and obsidian_accepts(target):
            resolved[tag] = (target, reason)
    return resolved


def plan_local(notes: Sequence[Note], *, flat: bool = False) -> TaxonomyPlan:
    """The deterministic plan for ``notes`` (``flat``: no nesting, only variants)."""
    valid = [n for n in notes if n.error is None]
    stats = collect(valid)
    canonical = group_variants(stats)
    notes_of: Counter[str] = Counter()
    for stat in stats.tags.values():
        notes_of[canonical[stat.tag]] += stat.notes
    nested = {} if flat else _nest(stats, canonical, notes_of)
    renames: list[Rename] = []
    final: dict[str, str] = {}
    for stat in stats.tags.values():
        canon = canonical[stat.tag]
        target, why = canon, _reason(stat.tag, canon) if canon != stat.tag else ""
        if canon in nested:
            target, nest_why = nested[canon]
            why = f"{why}; {nest_why}" if why else nest_why
        final[stat.tag] = target
        if target != stat.tag:
            renames.append(Rename(stat.tag, target, why, stat.notes, stat.inline))
    renames.sort(key=lambda r: (-r.notes - r.inline_uses, r.old))
    return TaxonomyPlan(renames=renames, tags=canonical_counts(valid, final), engine=ENGINE)


def canonical_counts(notes: Iterable[Note], final: dict[str, str]) -> list[tuple[str, int]]:
    """Notes carrying each canonical tag once ``final`` is applied (property or inline)."""
    counts: Counter[str] = Counter()
    for note in notes:
        counts.update({final.get(t, t) for t in (*note.tags, *note.inline_tags) if t})
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))
