"""Orchestration: curate, resume, cancel and the watch service, above every engine.

The only layer that knows the whole flow (scan → select → map → engine rounds → proposals
→ links → apply); the CLI and the TUI call it, it calls the layers below.
"""
