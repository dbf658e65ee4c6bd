"""`invoke publish`: a production build at the current clock, then `output/` synchronised to the web server.

The target comes from the environment (VORAB_PUBLISH_TARGET): `user@host:/path` is synchronised with rsync
over ssh (`--delete --checksum`, files put in place only at the end), anything else is a local folder, replaced
as a whole by an atomic swap. Nothing is synchronised unless the build, the leak gate included, passed: a failed
build raises before the sync is reached.

A publish never removes a gate file of the target (`.htaccess` in any folder, `_redirects` and
`_headers`): the build writes the ones its GATE_HOSTING needs into `output/`, and one the build does not write
but the target has (copied there by hand) is protected — kept by rsync, carried over into the new local tree.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Mapping
from datetime import datetime
from pathlib import Path

from gate.verify import verify_deploy
from sitebuild import BuildResult, Project, build
from sitebuild.staging import swap_into_place
from vorab.messages import _
from vorab.unlisted import KEY_BYTES, KEY_VARIABLE

TARGET_VARIABLE = "VORAB_PUBLISH_TARGET"
REMOTE = re.compile(r"[^/:]+:")  # host:path or user@host:path, as rsync and scp write it
# The files a web server or host reads its gate from, inside the site: rsync filter rules and their meaning.
GATE_FILES = ("protect .htaccess", "protect /_redirects", "protect /_headers")


class PublishFailed(Exception):
    """The target is missing or the synchronisation failed."""


class GateCheckFailed(PublishFailed):
    """The site was published, but its gate failed the check from outside (gate.verify)."""


def publish(project: Project, target: str | None, *, clock: datetime | None = None, verify_url: str | None = None,
            environ: Mapping[str, str] | None = None,
            progress: Callable[[str], None] = lambda message: None) -> BuildResult:
    """Build (raises BuildFailed, LeakFound: nothing is synchronised), synchronise output/ to `target`, then
    check the live gate at `verify_url` (raises GateCheckFailed)."""
    if not target:
        raise PublishFailed(_("{variable}: expected user@host:/path or a local folder, found nothing").format(
            variable=TARGET_VARIABLE))
    if environ is not None and environ.get("CI") == "true" and not environ.get(KEY_VARIABLE):
        # A fresh machine has no private/: its new key would move the images of every e-mail already sent.
        raise PublishFailed(_(
            "{variable}: expected the key of the e-mail images as a secret of the CI (private/unlisted.key of the "
            "machine that published so far, or once: {command}), found nothing").format(
                variable=KEY_VARIABLE, command=f"python3 -c 'import secrets; print(secrets.token_hex({KEY_BYTES}))'"))
    result = build(project, clock, progress=progress)
    progress(_("synchronising {output}/ to {target}").format(output=result.output, target=target))
    if REMOTE.match(target):
        rsync(result.output, target)
    else:
        replace_folder(result.output, Path(target))
    if verify_url and result.registry is not None:
        progress(_("checking the gate of {url} from outside").format(url=verify_url))
        check = verify_deploy(verify_url, project.settings(), result.registry, result.clock, result.output,
                              environ if environ is not None else {})
        if not check.passed:
            heading = _("published to {target}, but the gate of {url} failed its check; the member area may be open "
                        "to anyone — fix the server now:").format(target=target, url=verify_url)
            raise GateCheckFailed("\n".join([heading, *(f"  {failure}" for failure in check.failures)]))
    return result


def rsync_command(source: Path, target: str) -> list[str]:
    """Mirror `source` to a remote folder; `--delay-updates` moves the new files into place only at the end, and
    the gate files of the target are protected from `--delete`."""
    return ["rsync", "--recursive", "--links", "--times", "--compress", "--checksum", "--delete", "--delete-delay",
            "--delay-updates", *(f"--filter={rule}" for rule in GATE_FILES), "-e", "ssh", f"{source}/",
            target.rstrip("/") + "/"]


def rsync(source: Path, target: str) -> None:
    command = rsync_command(source, target)
    try:
        subprocess.run(command, check=True)
    except (OSError, subprocess.CalledProcessError) as error:
        raise PublishFailed(_("rsync to {target} failed: {error}").format(target=target, error=error)) from None


def gate_files(tree: Path) -> set[str]:
    """The gate files in `tree` (GATE_FILES), relative to it."""
    if not tree.is_dir():
        return set()
    found = {path.relative_to(tree).as_posix() for path in tree.rglob(".htaccess") if path.is_file()}
    return found | {name for name in ("_redirects", "_headers") if (tree / name).is_file()}


def replace_folder(source: Path, target: Path) -> None:
    """Copy `source` into a temporary folder beside `target`, then swap it in: never a partial tree."""
    target.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    try:
        shutil.copytree(source, scratch / "tree")
        for kept in gate_files(target) - gate_files(scratch / "tree"):  # as rsync's "protect" keeps them
            (scratch / "tree" / kept).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target / kept, scratch / "tree" / kept)
        swap_into_place(scratch / "tree", target)
    except OSError as error:
        raise PublishFailed(_("copying to {target} failed: {error}").format(target=target, error=error)) from None
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
