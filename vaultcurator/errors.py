"""Exception hierarchy.

Every error a user can cause derives from :class:`VaultCuratorError`, so the CLI can turn it
into a one-line message and an exit status instead of a traceback.
"""

from __future__ import annotations


class VaultCuratorError(Exception):
    """Base class for errors that are reported to the user as a message."""

    exit_code = 1


class UsageError(VaultCuratorError):
    """Bad command-line input: a missing vault, a path that is not a folder, bad flags."""

    exit_code = 2


class ConfigError(VaultCuratorError):
    """A configuration file or variable that cannot be used; the message names the key."""

    exit_code = 2


class StoreError(VaultCuratorError):
    """The state store (``.vaultcurator/state.db``) cannot be used: damaged, empty or unreadable.

    Never repaired silently: the message names ``vaultcurator reset-store``, which moves it aside.
    """

    exit_code = 3


class StoreBusyError(VaultCuratorError):
    """Another process held the store's write lock for longer than the lock timeout."""

    exit_code = 4


class ReadOnlyError(VaultCuratorError):
    """The vault (or its ``.vaultcurator`` folder) cannot be written and the command must write."""

    exit_code = 5


class ConflictError(VaultCuratorError):
    """A note changed on disk since it was read; it is left alone rather than overwritten."""

    def __init__(self, path: str, expected_hash: str, actual_hash: str | None) -> None:
        self.path = path
        self.expected_hash = expected_hash
        self.actual_hash = actual_hash
        now = "was deleted" if actual_hash is None else "changed on disk"
        super().__init__(f"{path}: {now} since it was read; left untouched")


class NoteParseError(VaultCuratorError):
    """A note whose frontmatter cannot be parsed; it is reported and never rewritten."""

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: {reason}")
