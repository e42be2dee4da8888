"""The one place where a note's new tag list is decided: author tags, engine tags, policy.

Every engine's answer passes through :func:`decide` on its way to a proposal (the job ledger
calls it, see :func:`policy_for`), so no engine can drop an author's tag silently. Policies
(``curation.tag_policy``):

- ``merge`` (default): every author tag is kept, in its order, after the approved taxonomy's
  renames; the engine's tags not already there are appended while the note has fewer than
  ``max_tags``. An author tag leaves only when the plan renames it, when it is not a tag
  Obsidian accepts, or when it repeats another one (case-insensitively).
- ``add``: the author's list is left exactly as it is; new tags are appended.
- ``replace``: the engine's list wins (capped at ``max_tags``).

Whatever leaves is returned with its reason, stored with the proposal and shown in the diff.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from vaultcurator.config import CurationSettings, TagPolicyName

RENAMED = "renamed to {target} by the taxonomy plan"
INVALID = "not a tag Obsidian accepts (letters, digits, _ - / and emoji; not all digits)"
DUPLICATE = "same tag as {other} (tags are case-insensitive)"
REPLACED = "replaced by the engine's tags (tag_policy = replace)"

TagPolicyFn = Callable[[Sequence[str], Sequence[str]], tuple[list[str], dict[str, str]]]
"""``(author tags, engine tags) -> (new tags, {removed author tag: reason})``."""


@dataclass(frozen=True, slots=True)
class TagDecision:
    tags: list[str]
    """The note's tags after curation, in order: kept author tags first, additions after."""
    removed: dict[str, str] = field(default_factory=dict)
    """Author tags that are not in ``tags`` any more, each with why."""
    added: list[str] = field(default_factory=list)
    """Tags the engine (or a rename) brought that the note did not have."""


def _char_ok(ch: str) -> bool:
    if ch in "_-/" or ch == "\u200d":  # ZWJ joins emoji sequences
        return True
    category = unicodedata.category(ch)
    return category[0] in "LMN" or category in ("So", "Sk")


def obsidian_accepts(tag: str) -> bool:
    """Whether Obsidian reads ``tag`` as a tag: letters, digits, ``_-/``, emoji (``0🌲``);
    no empty nesting level; not only digits."""
    if not tag or not all(_char_ok(ch) for ch in tag):
        return False
    if any(not part for part in tag.split("/")):
        return False
    return not all(ch.isdigit() or ch == "/" for ch in tag)


def _renamed(tag: str, renames: Mapping[str, str]) -> str:
    """The plan's target for this very spelling (``#tag`` as ``tag``), else the tag."""
    return renames.get(tag) or renames.get(tag.lstrip("#")) or tag


def decide(
    old: Sequence[str] | None,
    proposed: Sequence[str],
    *,
    policy: TagPolicyName = "merge",
    max_tags: int = 8,
    renames: Mapping[str, str] | None = None,
) -> TagDecision:
    """The new tag list of a note under ``policy`` (see the module docstring)."""
    author = [t for t in old or [] if isinstance(t, str)]
    plan = renames or {}
    if policy == "add":
        kept = list(author)
        removed: dict[str, str] = {}
        # The plan's spelling of an author tag counts as present: no synonym is appended.
        seen = {t.casefold() for t in kept} | {_renamed(t, plan).casefold() for t in kept}
    else:
        kept, removed, seen = _kept_author_tags(author, plan)
    if policy == "replace":
        return _replace(author, proposed, plan, max_tags, removed)
    added: list[str] = []
    for tag in proposed:
        if len(kept) >= max_tags:
            break
        target = _renamed(tag, plan)
        if target.casefold() in seen or not obsidian_accepts(target):
            continue
        seen.add(target.casefold())
        kept.append(target)
        added.append(target)
    renamed_in = [t for t in kept if t not in author and t not in added]
    return TagDecision(kept, removed, [*renamed_in, *added])


def _kept_author_tags(
    author: list[str], plan: Mapping[str, str]
) -> tuple[list[str], dict[str, str], set[str]]:
    kept: list[str] = []
    removed: dict[str, str] = {}
    seen: dict[str, str] = {}
    for tag in author:
        if not obsidian_accepts(tag):
            removed[tag] = INVALID
            continue
        target = _renamed(tag, plan)
        if target != tag:
            removed[tag] = RENAMED.format(target=target)
        key = target.casefold()
        if key in seen:
            if target == tag:
                removed[tag] = DUPLICATE.format(other=seen[key])
            continue
        seen[key] = target
        kept.append(target)
    # A rename target the author also wrote by hand: the tag is kept, so it was not removed.
    for tag in list(removed):
        if tag in kept:
            del removed[tag]
    return kept, removed, set(seen)


def _replace(
    author: list[str],
    proposed: Sequence[str],
    plan: Mapping[str, str],
    max_tags: int,
    removed: dict[str, str],
) -> TagDecision:
    tags: list[str] = []
    seen: set[str] = set()
    for tag in proposed:
        target = _renamed(tag, plan)
        if target.casefold() in seen or not obsidian_accepts(target):
            continue
        seen.add(target.casefold())
        tags.append(target)
        if len(tags) >= max_tags:
            break
    out_removed = {}
    for tag in author:
        if tag in tags:
            continue
        target = _renamed(tag, plan)
        if tag in removed and (removed[tag] != RENAMED.format(target=target) or target in tags):
            out_removed[tag] = removed[tag]
        else:
            out_removed[tag] = REPLACED
    author_keys = {t.casefold() for t in author}
    return TagDecision(tags, out_removed, [t for t in tags if t.casefold() not in author_keys])


class PolicyRun:
    """The settings' policy for one job, as the function the job ledger calls per answer.

    With an approved taxonomy: the engine's tags are mapped through its renames, and a tag
    outside its vocabulary is kept only when it is nested under one of the vocabulary's
    areas (``programming/zig`` when ``programming/...`` exists); such new tags and the
    refused ones are counted for the run's report. Author tags are never checked against
    the vocabulary (the plan's renames are the only way they change).
    """

    def __init__(
        self,
        settings: CurationSettings,
        renames: Mapping[str, str] | None = None,
        vocabulary: Iterable[str] | None = None,
    ) -> None:
        self.policy: TagPolicyName = settings.tag_policy
        self.max_tags = settings.max_tags
        self.renames = dict(renames or {})
        # An engine's spelling is its own: any casing of a renamed tag takes the rename.
        self.folded = {old.casefold(): new for old, new in self.renames.items()}
        words = None if vocabulary is None else list(vocabulary)
        self.vocabulary = None if words is None else {t.casefold() for t in words}
        self.areas = {t.split("/", 1)[0].casefold() for t in words or [] if "/" in t}
        self.new_tags: Counter[str] = Counter()
        self.refused: Counter[str] = Counter()

    def allowed(self, proposed: Sequence[str]) -> list[str]:
        out = []
        for tag in proposed:
            target = self.renames.get(tag) or self.folded.get(tag.lstrip("#").casefold(), tag)
            if self.vocabulary is None or target.casefold() in self.vocabulary:
                out.append(target)
            elif "/" in target and target.split("/", 1)[0].casefold() in self.areas:
                out.append(target)
                self.new_tags[target] += 1
            else:
                self.refused[target] += 1
        return out

    def __call__(
        self, old: Sequence[str], proposed: Sequence[str]
    ) -> tuple[list[str], dict[str, str]]:
        decision = decide(
            old,
            self.allowed(proposed),
            policy=self.policy,
            max_tags=self.max_tags,
            renames=self.renames,
        )
        return decision.tags, decision.removed

    def summary(self) -> dict[str, Any] | None:
        """New tags under existing areas and refused ones (None without a vocabulary)."""
        if self.vocabulary is None:
            return None
        return {
            "vocabulary": len(self.vocabulary),
            "new_tags": dict(sorted(self.new_tags.items())),
            "refused": dict(sorted(self.refused.items())),
        }


def policy_for(
    settings: CurationSettings,
    renames: Mapping[str, str] | None = None,
    vocabulary: Iterable[str] | None = None,
) -> PolicyRun:
    """The settings' policy (and the approved taxonomy, if any) for one job."""
    return PolicyRun(settings, renames, vocabulary)


def rename_only(old: Sequence[str], renames: Mapping[str, str]) -> TagDecision:
    """A taxonomy plan applied to a note's tags: each renamed tag takes its target in place
    (dropped, with the reason, when the target is already on the note); nothing else moves."""
    tags: list[str] = []
    removed: dict[str, str] = {}
    # The author's own unrenamed items stay where they are; a renamed item whose target is
    # already on the note (written by hand or by an earlier rename) is dropped instead.
    seen = {t.casefold() for t in old if _renamed(t, renames) == t}
    for tag in old:
        target = _renamed(tag, renames)
        if target == tag:
            tags.append(tag)
            continue
        removed[tag] = RENAMED.format(target=target)
        if target.casefold() not in seen:
            seen.add(target.casefold())
            tags.append(target)
    for tag in list(removed):
        if tag in tags:
            del removed[tag]
    added = [t for t in tags if t not in old]
    return TagDecision(tags, removed, added)
