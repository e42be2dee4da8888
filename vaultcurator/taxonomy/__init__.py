"""Vault-wide tag plan: spelling variants, synonyms and nesting; local and Claude planners."""
