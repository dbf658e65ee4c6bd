"""The gate's guards: member credentials never enter git, and never appear in a built file.

`private/` holds the member export, the htpasswd files and new passwords. The build refuses to run while git
tracks anything in it, and every member e-mail and credential found there becomes a leak-gate fingerprint.
Fingerprints name the file and entry, never the secret, so a hit does not leak it into a build log.
"""

from __future__ import annotations

import csv
import os
import re
import subprocess
from pathlib import Path

from leakgate import Fingerprint
from leakgate.fingerprints import normalise
from sitebuild.errors import BuildFailed

from .members import HTPASSWD, read_htpasswd

EMAIL = re.compile(r"[\w.%+-]+@[\w-]+(?:\.[\w-]+)+")


def refuse_tracked_private(root: Path) -> None:
    """BuildFailed if git tracks anything under `root/private/`. Outside a git checkout there is nothing to check."""
    try:
        listed = subprocess.run(["git", "-C", str(root), "ls-files", "-z", "--", "private/"], capture_output=True,
                                text=True, env={**os.environ, "LC_ALL": "C"}, check=False)
    except FileNotFoundError:
        return  # no git on this machine, so no checkout either
    if listed.returncode != 0:
        if "not a git repository" in listed.stderr:
            return
        # Any other failure (e.g. git's "dubious ownership") must not silently skip the check.
        raise BuildFailed(f"Could not check that git tracks nothing in private/: {listed.stderr.strip()}")
    tracked = [name for name in listed.stdout.split("\0") if name]
    if tracked:
        names = "\n".join(f"  {name}" for name in tracked)
        raise BuildFailed(f"git tracks member data in private/; nothing was built. Remove it from git (it stays on "
                          f"disk) with `git rm -r --cached private/`, keep /private/ in .gitignore, and treat "
                          f"the credentials as exposed:\n{names}")


def credential_fingerprints(private: Path) -> list[Fingerprint]:
    """Every member e-mail in `private/`, every htpasswd hash and every password in new-credentials-*.csv."""
    prints: dict[str, Fingerprint] = {}

    def add(secret: str, kind: str, path: Path, where: str) -> None:
        words = normalise(secret)
        if words.strip():
            prints.setdefault(words, Fingerprint(words, kind, f"private/{path.relative_to(private)}", where))

    if not private.is_dir():
        return []
    # The htpasswd file first, so that a hit names the member's entry there rather than a copy elsewhere.
    for path in sorted((p for p in private.rglob("*") if p.is_file()), key=lambda p: (p.name != HTPASSWD, p)):
        for number, line in enumerate(path.read_text(encoding="utf-8", errors="replace").splitlines(), 1):
            for email in EMAIL.findall(line):
                add(email, "member e-mail", path, f"line {number}")
    htpasswd = private / HTPASSWD
    for number, hashed in enumerate(read_htpasswd(htpasswd).values(), 1):
        add(hashed, "password hash", htpasswd, f"entry {number}")
    for path in sorted(private.glob("new-credentials-*.csv")):
        with path.open(encoding="utf-8", newline="") as file:
            for number, row in enumerate(csv.DictReader(file), 2):
                add(row.get("password") or "", "new password", path, f"line {number}")
    return list(prints.values())

