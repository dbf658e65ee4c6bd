"""Fresh staging directories and the atomic swap into `output/` (ARCHITECTURE §3).

Staging lives beside `output/` (same file system), so the swap is a rename: on Linux one `renameat2` call
exchanges the two trees atomically; elsewhere two renames leave `output/` missing for an instant at most.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import shutil
from pathlib import Path

RENAME_EXCHANGE = 2
AT_FDCWD = -100


def new_staging(output: Path) -> Path:
    """A fresh, empty staging directory beside `output`; leftovers of crashed builds are removed first.

    Its path is the same in every build of `output`, so Pelican's content cache (keyed by absolute source
    paths) can recognise the sources it was given last time."""
    parent = output.parent / ".staging"
    if parent.exists():
        for leftover in parent.iterdir():
            shutil.rmtree(leftover, ignore_errors=True)
    staging = parent / output.name
    staging.mkdir(parents=True)
    return staging


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with renameat2(RENAME_EXCHANGE); False if the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return result == 0


def swap_into_place(new_tree: Path, target: Path) -> None:
    """Replace `target` by `new_tree`; the previous tree is deleted afterwards, so no stale file survives."""
    if not target.exists():
        os.rename(new_tree, target)
        return
    if _exchange(new_tree, target):
        shutil.rmtree(new_tree)  # now holds the previous output
        return
    previous = new_tree.with_name(new_tree.name + ".previous")
    os.rename(target, previous)
    os.rename(new_tree, target)
    shutil.rmtree(previous)
