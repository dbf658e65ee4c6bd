"""`invoke publish`: a production build at the current clock, then `output/` synchronised to the web server.

The target comes from the environment (VORAB_PUBLISH_TARGET): `user@host:/path` is synchronised with rsync
over ssh (`--delete --checksum`, files put in place only at the end), anything else is a local folder, replaced
as a whole by an atomic swap. Nothing is synchronised unless the build, the leak gate included, passed: a failed
build raises before the sync is reached.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from datetime import datetime
from pathlib import Path
from typing import Callable

from sitebuild import BuildResult, Project, build
from sitebuild.staging import swap_into_place

TARGET_VARIABLE = "VORAB_PUBLISH_TARGET"
REMOTE = re.compile(r"[^/:]+:")  # host:path or user@host:path, as rsync and scp write it


class PublishFailed(Exception):
    """The target is missing or the synchronisation failed."""


def publish(project: Project, target: str | None, *, clock: datetime | None = None,
            progress: Callable[[str], None] = lambda message: None) -> BuildResult:
    """Build (raises BuildFailed, LeakFound: nothing is synchronised), then synchronise output/ to `target`."""
    if not target:
        raise PublishFailed(f"{TARGET_VARIABLE}: expected user@host:/path or a local folder, found nothing")
    result = build(project, clock, progress=progress)
    progress(f"synchronising {result.output}/ to {target}")
    if REMOTE.match(target):
        rsync(result.output, target)
    else:
        replace_folder(result.output, Path(target))
    return result


def rsync(source: Path, target: str) -> None:
    """Mirror `source` to a remote folder; `--delay-updates` moves the new files into place only at the end."""
    command = ["rsync", "--recursive", "--links", "--times", "--compress", "--checksum", "--delete",
               "--delete-delay", "--delay-updates", "-e", "ssh", f"{source}/", target.rstrip("/") + "/"]
    try:
        subprocess.run(command, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise PublishFailed(f"rsync to {target} failed: {error}") from None


def replace_folder(source: Path, target: Path) -> None:
    """Copy `source` into a temporary folder beside `target`, then swap it in: never a partial tree."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        shutil.copytree(source, scratch / "tree")
        swap_into_place(scratch / "tree", target)
    except OSError as error:
        raise PublishFailed(f"copying to {target} failed: {error}") from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
