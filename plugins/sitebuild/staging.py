"""The staging tree, the atomic swap into `output/`, and the removal of what a build did not produce
(docs/architecture.md §3).

Staging lives beside `output/` (same file system), so the swap is a rename: on Linux one `renameat2` call
exchanges the two trees atomically; elsewhere renames leave `output/` missing for an instant at most. The swap
leaves the replaced tree in staging as the spare that the next build updates in place (plugins/outputs): a build
neither creates every file afresh nor deletes a whole old tree, and it deletes every file it did not produce.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from vorab.errors import BuildFailed
from vorab.messages import _

RENAME_EXCHANGE = 2
AT_FDCWD = -100
SPARE = "site"


@contextmanager
def staging_for(output: Path) -> Iterator[Path]:
    """`.staging/<output name>/` for the length of a build, holding `site/` (the spare tree, empty the first
    time) and an empty `dist/`. Locked: a second build of the same `output` fails at once instead of writing
    into the same tree."""
    staging = output.parent / ".staging" / output.name
    staging.mkdir(parents=True, exist_ok=True)
    with open(staging.with_name(f"{output.name}.lock"), "w") as lock:
        try:
            # A record lock, not flock(): processes forked during the build (the live preview's resident runs)
            # must not hold it after the build.
            fcntl.lockf(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except (BlockingIOError, PermissionError):
            raise BuildFailed(_("another build of {output} is running; try again when it has finished").format(
                output=output)) from None
        for leftover in staging.iterdir():  # a crashed build's dist/ and the like
            if leftover.name == SPARE:
                continue
            if leftover.is_dir():
                shutil.rmtree(leftover)
            else:
                leftover.unlink()
        (staging / SPARE).mkdir(exist_ok=True)
        (staging / "dist").mkdir()
        try:
            yield staging
        finally:
            shutil.rmtree(staging / "dist", ignore_errors=True)


def remove_unproduced(root: Path, produced: set[str], *, except_in: frozenset[str] = frozenset()) -> int:
    """Delete every file under `root` that is not in `produced` (absolute paths), except in folders named in
    `except_in`, and folders left empty; return how many files went."""
    keep = {os.path.normpath(path) for path in produced}
    removed = 0
    for folder, _subfolders, files in os.walk(root, topdown=False):
        if except_in.intersection(Path(folder).relative_to(root).parts):
            continue
        for name in files:
            path = os.path.join(folder, name)
            if path not in keep:
                os.unlink(path)
                removed += 1
        if folder != str(root) and not os.listdir(folder):
            os.rmdir(folder)
    return removed


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two paths with renameat2(RENAME_EXCHANGE); False if the system cannot."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result: int = renameat2(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE)
    return result == 0


def swap_into_place(new_tree: Path, target: Path, *, keep_previous: bool = False) -> None:
    """Replace `target` by `new_tree`. The previous tree is left at `new_tree`'s path if `keep_previous` (the
    spare for the next build), else deleted."""
    if not target.exists():
        os.rename(new_tree, target)
        return
    if not _exchange(new_tree, target):
        previous = new_tree.with_name(new_tree.name + ".previous")
        os.rename(target, previous)
        os.rename(new_tree, target)
        os.rename(previous, new_tree)
    if not keep_previous:
        shutil.rmtree(new_tree)
