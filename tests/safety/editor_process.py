"""A second process that edits notes on request, the two ways real editors save.

Reads ``MODE<TAB>PATH<TAB>TEXT`` lines; ``inplace`` appends TEXT to the file through an open
descriptor (as Obsidian writes), ``rename`` writes the file plus TEXT to a temp file and renames
it over the note (as sync tools and many editors do). Answers ``ok`` once the edit is on disk.
"""

from __future__ import annotations

import os
import sys


def edit(mode: str, path: str, text: str) -> None:
    line = (text + "\n").encode()
    if mode == "inplace":
        fd = os.open(path, os.O_WRONLY | os.O_APPEND)
        try:
            os.write(fd, line)
        finally:
            os.close(fd)
        return
    with open(path, "rb") as handle:
        data = handle.read()
    temp = f"{path}.editor-save"
    with open(temp, "wb") as handle:
        handle.write(data + line)
    os.replace(temp, path)


def main() -> int:
    for request in sys.stdin:
        mode, path, text = request.rstrip("\n").split("\t")
        edit(mode, path, text)
        sys.stdout.write("ok\n")
        sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
