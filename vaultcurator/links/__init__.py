"""Related-note links: embeddings, a Chroma index, and proposals for the ``related`` property.

Entry point: :func:`vaultcurator.links.propose.propose_related_links`.
"""
