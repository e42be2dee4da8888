"""The review TUI (Textual): the only package that imports ``textual``.

Everything it does goes through the headless core (``vaultcurator.review``,
``vaultcurator.curation``, ``vaultcurator.store``); widgets only show what workers report.
Entry points: :func:`vaultcurator.tui.app.create_app` and :func:`vaultcurator.tui.app.run_app`.
"""
