"""A proposal seen as a diff: structured (for the TUI's diff pane) and unified (for ``--print``).

The unified diff is rendered from the note's *current* bytes with the same code that apply
uses (``render_updates``), so what the reviewer reads is what apply would write. When the file
changed since the proposal was built, the diff is still shown, flagged ``stale``: apply would
report that note as a conflict.
"""

from __future__ import annotations

import dataclasses
import difflib
from dataclasses import dataclass
from pathlib import Path

from vaultcurator.errors import VaultCuratorError
from vaultcurator.store.proposals import Proposal
from vaultcurator.vault import frontmatter as fm
from vaultcurator.vault.edit import resolve_note_path
from vaultcurator.vault.frontmatter_edit import render_updates
from vaultcurator.vault.model import sha256_hex


@dataclass(frozen=True, slots=True)
class ListChange:
    """Old and new values of a list property (tags or related links), and the difference."""

    old: tuple[str, ...]
    new: tuple[str, ...]
    added: tuple[str, ...]
    removed: tuple[str, ...]
    kept: tuple[str, ...]
    reasons: tuple[tuple[str, str], ...] = ()
    """``(removed value, why)`` for each removal the proposal explains."""

    @property
    def changed(self) -> bool:
        return self.old != self.new

    @property
    def same_values(self) -> bool:
        """Nothing added or removed (the lists may still differ in order or case)."""
        return not self.added and not self.removed

    @property
    def reordered(self) -> bool:
        """The same values in another order (a rewrite the reviewer should see)."""
        return (
            self.changed
            and self.same_values
            and [v.lower() for v in self.old] != [v.lower() for v in self.new]
        )

    @property
    def respelled(self) -> bool:
        """The same values, some in another case (``Python`` → ``python``)."""
        return (
            self.changed
            and self.same_values
            and [v.lower() for v in self.old] == [v.lower() for v in self.new]
        )

    def reason(self, value: str) -> str | None:
        return dict(self.reasons).get(value)


def list_change(
    old: list[str] | tuple[str, ...] | None,
    new: list[str] | tuple[str, ...],
    *,
    case_insensitive: bool = False,
) -> ListChange:
    """Compare two lists; tags compare case-insensitively (Obsidian does), links exactly."""
    old_t = tuple(old or ())
    new_t = tuple(new)

    def key(value: str) -> str:
        return value.lower() if case_insensitive else value

    old_keys = {key(v) for v in old_t}
    new_keys = {key(v) for v in new_t}
    return ListChange(
        old=old_t,
        new=new_t,
        added=tuple(v for v in new_t if key(v) not in old_keys),
        removed=tuple(v for v in old_t if key(v) not in new_keys),
        kept=tuple(v for v in new_t if key(v) in old_keys),
    )


@dataclass(frozen=True, slots=True)
class ProposalDiff:
    """Everything the diff pane shows for one proposal; ``None`` means "key not touched"."""

    proposal_id: int
    path: str
    state: str
    tags: ListChange | None
    description_old: str | None
    description_new: str | None
    """The proposed description; only meaningful when ``description_touched``."""
    description_touched: bool
    related: ListChange | None
    error: str | None
    """Why the proposal failed or conflicted, when it did."""

    @property
    def description_changed(self) -> bool:
        return self.description_touched and (self.description_new or "") != (
            self.description_old or ""
        )

    @property
    def changes_anything(self) -> bool:
        return bool(
            (self.tags is not None and self.tags.changed)
            or self.description_changed
            or (self.related is not None and self.related.changed)
        )


def proposal_diff(proposal: Proposal) -> ProposalDiff:
    """The structured diff of a proposal, from the store alone (no file access)."""
    tags = (
        None
        if proposal.new_tags is None
        else dataclasses.replace(
            list_change(proposal.old_tags, proposal.new_tags, case_insensitive=True),
            reasons=tuple((proposal.tag_reasons or {}).items()),
        )
    )
    related = (
        None
        if proposal.new_related is None
        else list_change(proposal.old_related, proposal.new_related)
    )
    return ProposalDiff(
        proposal_id=proposal.id,
        path=proposal.path,
        state=proposal.state,
        tags=tags,
        description_old=proposal.old_description,
        description_new=proposal.new_description if proposal.has_description else None,
        description_touched=proposal.has_description,
        related=related,
        error=proposal.error,
    )


@dataclass(frozen=True, slots=True)
class RenderedDiff:
    """A unified diff of one note's frontmatter, rendered from the file as it is now."""

    proposal_id: int
    path: str
    text: str
    """``--- a/path`` / ``+++ b/path`` hunks; empty when nothing would change or on error."""
    stale: bool
    """The file changed (or vanished) since the proposal was built: apply would conflict."""
    error: str | None
    """Why no diff could be rendered (missing file, unparseable frontmatter, ...)."""
    tag_removals: tuple[tuple[str, str], ...] = ()
    """``(tag, why)`` for every author tag the proposal takes off the note."""
    description_note: str | None = None
    """Why the proposal sets no description, when the engine said."""
    tags_restyled: bool = False
    """The tags block is rewritten although no tag is added or removed (order, case, style)."""

    @property
    def ok(self) -> bool:
        """True when apply would write exactly this diff."""
        return self.error is None and not self.stale


def frontmatter_unified_diff(path: str, old: bytes, new: bytes, *, context: int = 3) -> str:
    """Unified diff of the frontmatter blocks (delimiters included) of two versions of a note.

    Only the frontmatter is compared: the body is never changed by curation, and leaving it
    out keeps the diff about what the reviewer decides on. CRLF notes are shown with LF.
    """
    old_lines = _frontmatter_lines(old)
    new_lines = _frontmatter_lines(new)
    lines = difflib.unified_diff(
        old_lines, new_lines, fromfile=f"a/{path}", tofile=f"b/{path}", n=context, lineterm=""
    )
    return "\n".join(lines)


def _frontmatter_lines(data: bytes) -> list[str]:
    text, bom = fm.decode(data)
    layout = fm.split(text, bom=bom)
    if not layout.has_frontmatter:
        return []
    lines = text[: layout.body_start].replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def render_unified_diff(
    vault_root: Path, proposal: Proposal, *, related_key: str = "related"
) -> RenderedDiff:
    """Render ``proposal`` against the note's current bytes (never writes anything)."""
    try:
        current = resolve_note_path(vault_root, proposal.path).read_bytes()
    except FileNotFoundError:
        return RenderedDiff(proposal.id, proposal.path, "", True, "note no longer exists")
    except (OSError, VaultCuratorError) as exc:
        return RenderedDiff(proposal.id, proposal.path, "", False, f"cannot read: {exc}")
    stale = sha256_hex(current) != proposal.base_hash
    try:
        updated = render_updates(current, proposal.updates(related_key), path=proposal.path)
        text = frontmatter_unified_diff(proposal.path, current, updated)
    except (VaultCuratorError, ValueError) as exc:
        reason = getattr(exc, "reason", None) or str(exc)
        return RenderedDiff(proposal.id, proposal.path, "", stale, reason)
    return RenderedDiff(
        proposal.id,
        proposal.path,
        text,
        stale,
        None,
        tag_removals(proposal),
        None if proposal.has_description else proposal.description_note,
        tags_restyled=proposal.new_tags is not None
        and list_change(proposal.old_tags, proposal.new_tags, case_insensitive=True).same_values
        and block_rewritten(text, "tags"),
    )


def tag_removals(proposal: Proposal) -> tuple[tuple[str, str], ...]:
    """``(tag, why)`` for each author tag ``proposal`` removes; a removal the proposal
    does not explain (an older proposal, a reviewer's edit) still shows, as such."""
    if proposal.new_tags is None:
        return ()
    reasons = proposal.tag_reasons or {}
    kept = {t for t in proposal.new_tags}
    return tuple(
        (tag, reasons.get(tag) or "removed by this proposal")
        for tag in proposal.old_tags or []
        if tag not in kept
    )


def note_preview(vault_root: Path, path: str, *, max_chars: int = 20_000) -> str:
    """The note's body (the Markdown after the frontmatter) for the diff pane, truncated.

    Never raises: an unreadable or unparseable note yields a one-line explanation instead.
    """
    try:
        data = resolve_note_path(vault_root, path).read_bytes()
        text, bom = fm.decode(data)
        body = fm.split(text, bom=bom).body
    except FileNotFoundError:
        return "(note no longer exists)"
    except (OSError, VaultCuratorError) as exc:
        return f"(cannot read the note: {exc})"
    except ValueError as exc:
        return f"(cannot show the note: {exc})"
    if len(body) > max_chars:
        return body[:max_chars] + f"\n… ({len(body) - max_chars} more characters)"
    return body


def block_rewritten(diff_text: str, key: str) -> bool:
    """Whether a unified frontmatter diff changes lines of ``key``'s block (``tags:`` and its
    items): the way to tell "same tags, restyled" from "left as it is"."""
    inside = False
    for line in diff_text.splitlines():
        if line.startswith(("---", "+++", "@@")) or not line:
            continue
        mark, body = line[0], line[1:]
        if body and not body[0].isspace() and not body.startswith("-"):
            inside = body.split(":", 1)[0].strip().strip("'\"") == key
        if inside and mark in "+-":
            return True
    return False
