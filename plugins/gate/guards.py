"""The gate's guards: member credentials never enter git, and never appear in a built file.

`private/` holds the member export, the htpasswd files and new passwords. The validation refuses a project while
git tracks anything in it, and every member e-mail and credential found there becomes a leak-gate fingerprint.
Fingerprints name the file and entry, never the secret, so a hit does not leak it into a build log.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
from collections.abc import Collection
from pathlib import Path

from leakgate import Fingerprint
from leakgate.text import normalise
from vorab.errors import ContentProblem
from vorab.messages import N_

from .members import CALENDARS, EDGE_ACCOUNTS, HTPASSWD, feed_folders, read_calendars, read_edge_accounts, read_htpasswd

EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")


def tracked_private(root: Path) -> list[ContentProblem]:
    """A problem for every file under `root/private/` that git tracks (none outside a git checkout)."""
    try:
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", "private/"], capture_output=True,
                                text=True, env={**os.environ, "LC_ALL": "C"}, check=False)
    except FileNotFoundError:
        return []  # no git on this machine, so no checkout either
    if listed.returncode != 0:
        if "not a git repository" in listed.stderr:
            return []
        # Any other failure (e.g. git's "dubious ownership") must not silently skip the check.
        return [ContentProblem("private/", 1, "git", "a check that git tracks nothing in private/",
                               f"git failing: {listed.stderr.strip()!r}")]
    return [ContentProblem(name, 1, "git", "member data that git does not track: remove it from git (it stays on "
                           "disk) with `git rm -r --cached private/`, keep /private/ in .gitignore, and treat the "
                           "credentials as exposed", "it tracked") for name in listed.stdout.split("\0") if name]


def private_in_history(root: Path) -> list[ContentProblem]:
    """A warning if any commit of the repository ever held a file in private/ (removing it later does not take
    it out of the history that every clone has)."""
    try:
        logged = subprocess.run(["git", "-C", str(root), "log", "--all", "--format=%h", "-1", "--", "private/"],
                                capture_output=True, text=True, env={**os.environ, "LC_ALL": "C"}, check=False)
    except FileNotFoundError:
        return []
    commit = logged.stdout.strip()
    if logged.returncode != 0 or not commit:
        return []
    return [ContentProblem("private/", 1, "git", "member data in no commit: every clone still has it — treat the "
                           "credentials as exposed (new passwords: delete private/members.htpasswd and run "
                           "members-sync) and purge it from the history (git filter-repo --invert-paths --path "
                           "private/, then force-push and re-clone)", f"it in commit {commit}")]


PUBLISHED_HINT = N_("if this address is published on purpose, list it in GATE_PUBLISHED_MEMBER_EMAILS (pelicanconf.py "
                    "or publishconf.py)")


def credential_fingerprints(private: Path, published: Collection[str] = ()) -> list[Fingerprint]:
    """Every member e-mail in `private/` (except the `published` ones), every htpasswd hash, every password in
    new-credentials-*.csv and every personal calendar token."""
    prints: dict[str, Fingerprint] = {}
    allowed = {address.casefold() for address in published}

    def add(secret: str, kind: str, path: Path, where: str, hint: str = "") -> None:
        words = normalise(secret)
        if words.strip():
            prints.setdefault(words, Fingerprint(words, kind, f"private/{path.relative_to(private)}", where,
                                                 hint=hint))

    if not private.is_dir():
        return []
    # The member export first, so that a hit names the line an operator knows; then the htpasswd file.
    for path in sorted(_member_files(private), key=_export_first):
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for email in EMAIL.findall(line):
                if email.casefold() not in allowed:
                    add(email, "member e-mail", path, f"line {number}", PUBLISHED_HINT)
    # members.htpasswd (everyone) first, then the files of the areas above it (members-gold.htpasswd, …)
    for htpasswd in sorted(private.glob("members*.htpasswd"), key=lambda path: (path.name != HTPASSWD, path.name)):
        for number, hashed in enumerate(read_htpasswd(htpasswd).values(), 1):
            add(hashed, "password hash", htpasswd, f"entry {number}")
    for edge in sorted(private.glob("members*.edge.json"), key=lambda path: (path.name != EDGE_ACCOUNTS, path.name)):
        for number, hashed in enumerate(read_edge_accounts(private, edge.name).values(), 1):
            add(hashed, "password hash", edge, f"entry {number}")
    for path in sorted(private.glob("new-credentials-*.csv")):
        with path.open(encoding="utf-8", newline="") as file:
            for number, row in enumerate(csv.DictReader(file), 2):
                add(row.get("password") or "", "new password", path, f"line {number}")
    for number, token in enumerate(read_calendars(private).values(), 2):
        add(token, "calendar address", private / CALENDARS, f"line {number}")
    return list(prints.values())


def _member_files(private: Path) -> list[Path]:
    """Every file of `private/` but the calendar addresses' (one empty file per member: nothing to read)."""
    found = []
    feeds = feed_folders(private)
    for folder, subfolders, files in os.walk(private):
        subfolders[:] = [name for name in subfolders if Path(folder, name) not in feeds]
        found += [Path(folder, name) for name in files]
    return found


def _export_first(path: Path) -> tuple[int, Path]:
    """The member export (a CSV that members-sync did not write), then the htpasswd file, then the rest."""
    if path.suffix == ".csv" and not path.name.startswith("new-credentials-") and path.name != CALENDARS:
        return 0, path
    return (1 if path.name == HTPASSWD else 2), path

