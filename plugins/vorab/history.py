"""When each content file came into the project and when it last changed, read from git: moments that never
move, so that an issue that went out keeps what it featured (README, "Sent issues are history") and a calendar
file keeps its bytes until its seminar changes.

A file's arrival is the time of the commit that added it, followed through renames; a file git does not know
yet (written locally, not committed) arrives at the build's clock. Its last change is the time of the last commit
that touched it, unless it has uncommitted changes. Without git, or outside a repository, nothing is known and
every file counts as always there. A shallow clone knows only its last commits, so its answers would be wrong:
`shallow` says so, and the newsletter validator refuses to resolve a sent issue with it. `versions` names every
committed version of each file, through its renames, for `git cat-file` (the seminars' SEQUENCE check).
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path


@dataclass(frozen=True)
class History:
    known: bool  # False: no git, or not a repository
    shallow: bool = False
    added: dict[str, datetime] = field(default_factory=dict)  # project-relative posix path → first commit
    changed: dict[str, datetime] = field(default_factory=dict)  # → the last commit that touched it
    dirty: frozenset[str] = frozenset()  # changed or new since the last commit
    # → "<commit>:./<path then>" of each committed version, oldest first (relative to the root read from)
    versions: dict[str, list[str]] = field(default_factory=dict)

    def arrival(self, path: str, clock: datetime) -> datetime | None:
        """When `path` came into the project; None when there is no history to tell."""
        if not self.known:
            return None
        return self.added.get(path, clock)

    def last_change(self, path: str) -> datetime | None:
        """When `path` last changed in git; None when git cannot tell (no history, uncommitted changes)."""
        return None if path in self.dirty else self.changed.get(path)


def read_history(root: Path, folders: list[str], *, dirty: bool = True) -> History:
    """One `git log` over `folders` (relative to `root`, which its paths are relative to), oldest commit first.
    `dirty`: ask git which files have uncommitted changes (without, `dirty` is empty and `last_change` trusts
    the last commit)."""
    git = shutil.which("git")
    if git is None:
        return History(known=False)

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([git, "-C", str(root), *args], capture_output=True, text=True, check=False)

    # One question for all four answers ("--": HEAD is a revision even beside a file of that name)
    inside = run("-c", "core.quotePath=false", "rev-parse", "--is-inside-work-tree", "--is-shallow-repository",
                 "--show-prefix", "HEAD", "--")
    answers = inside.stdout.split("\n")
    if answers[0] != "true":
        return History(known=False)
    shallow, prefix = answers[1] == "true", answers[2]  # status names paths from the repository's root
    if inside.returncode != 0:  # a repository without any commit yet
        return History(known=True, shallow=shallow)
    key = (str(root.resolve()), tuple(folders), answers[3], shallow)
    if key not in _LOGS:
        log = run("log", "--reverse", "--relative", "--find-renames", "--name-status", "-z",
                  "--format=%x01%H %ct", "--", *folders)
        if log.returncode != 0:
            return History(known=True, shallow=shallow)
        if len(_LOGS) >= 8:
            _LOGS.clear()
        _LOGS[key] = _parse_log(log.stdout)
    added, changed, versions = _LOGS[key]
    changes: frozenset[str] = frozenset()
    if dirty:
        status = run("status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", "--", *folders)
        changes = frozenset(entry[3:].removeprefix(prefix) for entry in status.stdout.split("\x00") if entry[3:])
    return History(known=True, shallow=shallow, added=added, changed=changed, dirty=changes, versions=versions)


# What `git log` said, by (root, folders, HEAD commit, shallow): the same history as long as HEAD stays (a live
# preview asks after every save). Read only: History's dictionaries are shared.
_LOGS: dict[tuple[str, tuple[str, ...], str, bool], tuple[dict[str, datetime], dict[str, datetime],
                                                          dict[str, list[str]]]] = {}


def _parse_log(log: str) -> tuple[dict[str, datetime], dict[str, datetime], dict[str, list[str]]]:
    """The first commit, the last commit and every committed version of each file, from `git log --reverse
    --name-status -z --format=%x01%H %ct`."""
    added: dict[str, datetime] = {}
    changed: dict[str, datetime] = {}
    versions: dict[str, list[str]] = {}
    for commit in log.split("\x01")[1:]:
        header, _, changes = commit.partition("\n")
        sha, _, moment = header.strip("\x00").partition(" ")
        when = datetime.fromtimestamp(int(moment), UTC)
        fields = changes.strip("\x00\n").split("\x00") if changes.strip("\x00\n") else []
        while fields:
            kind = fields.pop(0)
            if kind.startswith(("R", "C")):  # a renamed file keeps the arrival and the versions of its old name
                old, new = fields.pop(0), fields.pop(0)
                added[new] = added.get(old, when)
                earlier = versions.pop(old, []) if kind.startswith("R") else list(versions.get(old, []))
                versions[new] = earlier
            else:
                new = fields.pop(0)
                if kind == "D":  # a file of the same name later is a new one
                    versions.pop(new, None)
                    continue
                if kind == "A":
                    added.setdefault(new, when)
                versions.setdefault(new, [])
            changed[new] = when
            versions[new].append(f"{sha}:./{new}")
    return added, changed, versions
