"""vaultcurator: curate an Obsidian vault's tags, descriptions and related links with Claude."""

__version__ = "0.1.0"
