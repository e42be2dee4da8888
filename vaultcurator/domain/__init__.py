"""The types every layer shares: requests, answers, outcomes, usage, jobs, progress, limits.

Pure data and constants, no I/O and no imports from the rest of vaultcurator but ``errors``:
it sits at the bottom of the layers so engines, the store and the UIs agree on one
definition of each thing.
"""
