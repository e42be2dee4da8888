"""List a vault's note files: what :func:`vaultcurator.vault.scan.scan_vault` reads.

Every ``.md`` file (any case of the suffix) under the root, except what
:mod:`vaultcurator.vault.ignore` skips, sorted by NFC path, each real file once; symlinks are
followed only while they stay inside the vault. Listed with ``os.scandir``: the entries'
types come with the listing, so nearly every file costs one ``stat`` and nothing more.
"""

from __future__ import annotations

import os
import stat as stat_mod
from operator import itemgetter
from pathlib import Path

from vaultcurator.vault.ignore import EXCALIDRAW_SUFFIX, IgnoreRules
from vaultcurator.vault.special_files import text_name

Candidate = tuple[str, str, os.stat_result | None]
"""(relative POSIX path in NFC, path to open as the file system spells it, stat or None:
not taken, see :func:`walk`)."""
_BY_REL = itemgetter(0)


def walk(
    root: Path, rules: IgnoreRules, skipped: list[tuple[str, str]], *, stat: bool = True
) -> list[Candidate]:
    """Every note file, sorted by NFC path; each real file once (see ``_drop_aliases``).

    What Obsidian's settings or a plugin rule leave out goes to ``skipped`` with the reason.
    Names that are not valid UTF-8 get a displayable ``rel`` (see :func:`text_name`).
    ``stat=False`` (a scan with nothing cached to compare with) leaves the stat of regular
    files to whoever reads them (an ``fstat`` of the open file, which a scan takes anyway):
    two thirds of the listing's time on 10,000 notes.
    """
    root_real = os.path.realpath(root)
    visited = {root_real}
    files: list[Candidate] = []
    linked: list[Candidate] = []  # reached through a symlink: deduplicated at the end
    skips_file = rules.skips_file if rules.patterns else None
    reported = rules.reported_reason if rules.obsidian else None
    drawings = rules.plugin_files  # ``*.excalidraw.md``: tested on the name, cheaply, first
    # Real folders first, symlinked ones afterwards, so a file reachable both ways is listed
    # under its real path and a symlink back into the vault is never walked twice.
    stack: list[tuple[str, str, str, bool]] = [(str(root), root_real, "", False)]
    deferred: list[tuple[str, str, str, bool]] = []
    while stack or deferred:
        os_dir, real_dir, rel_dir, via_link = stack.pop() if stack else deferred.pop()
        try:
            with os.scandir(os_dir) as entries:
                listing = list(entries)
        except OSError:
            continue
        out = linked if via_link else files
        for entry in listing:
            name = entry.name
            if name[0] == ".":
                continue
            try:
                # Regular files first: nearly every entry is one (d_type: no system call).
                if entry.is_file(follow_symlinks=False):
                    if name[-3:].lower() != ".md":
                        continue
                    rel = rel_dir + (name if name.isascii() else text_name(name))
                    if skips_file is not None and skips_file(rel):
                        continue
                    if (drawings and name[-14:].lower() == EXCALIDRAW_SUFFIX) or (
                        reported is not None and reported(rel)
                    ):
                        skipped.append((rel, rules.reported_reason(rel) or ""))
                        continue
                    st = entry.stat(follow_symlinks=False) if stat else None
                    out.append((rel, entry.path, st))
                    continue
                rel = rel_dir + (name if name.isascii() else text_name(name))
                if entry.is_dir(follow_symlinks=False):
                    target = os.path.join(real_dir, name)  # noqa: PTH118
                    if reported is not None and (why := reported(rel, is_dir=True)):
                        skipped.append((rel + "/", why))
                        continue
                    if target not in visited and not rules.skips_dir(rel):
                        visited.add(target)
                        (deferred if via_link else stack).append(
                            (entry.path, target, rel + "/", via_link)
                        )
                elif entry.is_symlink():
                    _follow_link(entry, rel, root_real, visited, rules, deferred, linked)
                # Anything else (FIFOs, sockets, devices) is not a note.
            except OSError:
                continue
    if linked:
        files = _drop_aliases(files, linked)
    files.sort(key=_BY_REL)  # plain string keys sort twice as fast as the tuples
    return _drop_spelling_twins(files)


def _follow_link(
    entry: os.DirEntry[str],
    rel: str,
    root_real: str,
    visited: set[str],
    rules: IgnoreRules,
    deferred: list[tuple[str, str, str, bool]],
    linked: list[Candidate],
) -> None:
    """A symlink: followed only if it stays in the vault; folders are walked once, later."""
    target = os.path.realpath(entry.path)
    if not (target == root_real or target.startswith(root_real.rstrip(os.sep) + os.sep)):
        return
    if os.path.isdir(target):  # noqa: PTH112
        if (
            target not in visited
            and not rules.skips_dir(rel)
            and not rules.reported_reason(rel, is_dir=True)
        ):
            visited.add(target)
            deferred.append((entry.path, target, rel + "/", True))
        return
    if entry.name[-3:].lower() != ".md" or rules.skips_file(rel) or rules.reported_reason(rel):
        return
    st = os.stat(target)  # noqa: PTH116
    if stat_mod.S_ISREG(st.st_mode):
        linked.append((rel, entry.path, st))


def _drop_aliases(files: list[Candidate], linked: list[Candidate]) -> list[Candidate]:
    """Keep a file reached through a symlink only if its real file is not listed already."""
    seen = {_identity(os_path, st) for _, os_path, st in files}
    for cand in sorted(linked, key=lambda c: c[0]):
        key = _identity(cand[1], cand[2])
        if key not in seen:
            seen.add(key)
            files.append(cand)
    return files


def _identity(os_path: str, st: os.stat_result | None) -> tuple[int, int]:
    """(device, inode) of a listed file, stat'ed now if the listing did not."""
    if st is None:
        try:
            st = os.lstat(os_path)
        except OSError:  # gone meanwhile: like no other file
            return -1, id(os_path)
    return st.st_dev, st.st_ino


def _drop_spelling_twins(files: list[Candidate]) -> list[Candidate]:
    """Two names that are equal once NFC-normalised (possible on Linux): keep the one whose
    OS spelling sorts first (whatever order the folder listed them in)."""
    out: list[Candidate] = []
    previous = None
    for cand in files:
        if cand[0] != previous:
            out.append(cand)
        elif cand[1] < out[-1][1]:
            out[-1] = cand
        previous = cand[0]
    return out
