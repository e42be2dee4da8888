from __future__ import annotations

from vaultcurator.vault.model import Note
from vaultcurator.vault.taxonomy import tag_counts


def note(tags: list[str], inline: list[str] | None = None) -> Note:
    return Note(
        index=0, path="n.md", hash="h", mtime_ns=0, size=0, tags=tags, inline_tags=inline or []
    )


def test_counts_notes_per_tag_case_insensitively() -> None:
    notes = [
        note(["python", "Python"]),  # one note, one tag
        note(["Python"], ["python"]),
        note(["Python", "rust"]),
        note([], ["rust", "todo"]),
        note(["books"]),
    ]
    assert tag_counts(notes) == [("Python", 3), ("rust", 2), ("books", 1), ("todo", 1)]


def test_ties_keep_the_casing_seen_first() -> None:
    assert tag_counts([note(["MOC"]), note(["moc"])]) == [("MOC", 2)]


def test_empty() -> None:
    assert tag_counts([]) == []
