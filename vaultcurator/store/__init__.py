"""The SQLite state store at ``<vault>/.vaultcurator/state.db``."""

from vaultcurator.store.db import Store, open_store

__all__ = ["Store", "open_store"]
