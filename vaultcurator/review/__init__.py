"""Review, headless: proposal diffs, approve / reject / edit, apply and undo.

The TUI (``vaultcurator.tui``) and the CLI (``review --print``, ``apply``, ``undo``) both sit
on these modules; nothing here prints or imports a UI toolkit.

- :mod:`vaultcurator.review.diff`: a proposal as a structured diff, and as a unified diff of
  the frontmatter text rendered from the note's current bytes.
- :mod:`vaultcurator.review.actions`: approve, reject, edit (tag rules), approve-all, and the
  filtering / sorting / row view model the proposal table uses.
- :mod:`vaultcurator.review.apply`: write approved proposals through the conflict-safe edit path
  in one journaled apply run.
- :mod:`vaultcurator.review.undo`: restore the exact previous bytes of an apply run.
"""
