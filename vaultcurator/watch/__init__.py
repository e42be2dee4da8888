"""Watch mode: the same pipeline as ``curate``, fed by filesystem events instead of a full scan."""
