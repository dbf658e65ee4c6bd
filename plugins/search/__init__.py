"""Site search with Pagefind, one index per audience (a build step; docs/architecture.md).

The public index is made from the public site's pages only — a glob that names the site's top-level folders
except the member folders — and written to `pagefind/` at the site's top, where the leak gate scans it like every
other public file (its fragments are gzip, which the gate opens). Each member area gets its own index in
`<folder>/pagefind/`. The Pagefind binary comes with PyPI's `pagefind[bin]`; nothing is downloaded at build time.

Settings: `SEARCH_ROOT_SELECTOR` (the part of a page that is indexed; default `main`, so the navigation and the
footer are not).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import subprocess
from collections.abc import Iterable
from pathlib import Path

from pagefind_bin import get_executable

from leakgate.formats import texts
from vorab import hooks
from vorab.context import BuildContext, Settings
from vorab.errors import BuildFailed
from vorab.messages import N_, _
from vorab.options import Text

INDEX_FOLDER = "pagefind"
SEARCH_OPTIONS = {"SEARCH_ROOT_SELECTOR": Text("main")}  # the part of a page that is indexed
FRAGMENT_KEYS = "pagefind_dcd url content word_count filters meta anchors element text location sort"
PEAK_NOTE = "search: Pagefind peak memory {mb:.1f} MB"  # the largest Pagefind process of the build
PEAK_PATTERN = re.compile(r"search: Pagefind peak memory (?P<mb>[0-9.]+) MB")


def pages_glob(root: Path, skip: set[str]) -> str:
    """A Pagefind glob for the HTML pages under `root` outside its top-level folders `skip` (other audiences'
    sites) and earlier indexes: `{*.html,{fragen,seminare}/**/*.html}`."""
    folders = sorted(p.name for p in root.iterdir() if p.is_dir() and p.name not in skip | {INDEX_FOLDER})
    return "{*.html," + "{" + ",".join(folders) + "}/**/*.html}" if folders else "*.html"


def index_command(root: Path, skip: set[str], settings: Settings) -> list[str]:
    """Pagefind's command line for one audience's pages, indexed into `root/pagefind/`."""
    return [str(get_executable()), "--site", str(root), "--glob", pages_glob(root, skip),
            "--output-subdir", INDEX_FOLDER, "--root-selector", settings["SEARCH_ROOT_SELECTOR"],
            "--force-language", settings["DEFAULT_LANG"], "--silent"]


def pages_digest(root: Path, skip: set[str], command: list[str]) -> str:
    """What an index is made of: every page the glob takes (name and bytes) and the command that indexes them."""
    digest = hashlib.blake2b(" ".join(command[1:]).encode(), digest_size=20)
    for path in sorted(root.rglob("*.html")):
        relative = path.relative_to(root)
        if len(relative.parts) == 1 or relative.parts[0] not in skip | {INDEX_FOLDER}:
            digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _index_of(root: Path, cache: Path) -> Path | None:
    """The remembered pages digest of the index already in `root` (the tree this build updates), if any."""
    entry = root / INDEX_FOLDER / "pagefind-entry.json"
    if not entry.is_file():
        return None
    return cache / f"{hashlib.blake2b(entry.read_bytes(), digest_size=20).hexdigest()}.pages"


def index_sites(context: BuildContext) -> None:
    """Build step: a Pagefind index per audience, each over that audience's pages only, all at once (each
    index lives in its own folder, and the public glob leaves the member folders out). An audience whose
    pages are byte for byte those its index was made from keeps that index: Pagefind is a quarter of a warm
    build."""
    tiers = context.tiers
    roots = {audience: context.audience_root(audience) for audience in tiers}
    cache = Path(context.settings["CACHE_PATH"]) / "search"
    running, digests, kept = {}, {}, []
    for audience, root in roots.items():
        nested = {other.relative_to(root).parts[0] for other in roots.values()
                  if other != root and other.is_relative_to(root)}
        command = index_command(root, nested, context.settings)
        digests[audience] = pages_digest(root, nested, command)
        remembered = _index_of(root, cache)
        if remembered and remembered.is_file() and remembered.read_text(encoding="ascii") == digests[audience]:
            kept.append(audience)
            continue
        running[audience] = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    failures, peaks = [], []
    for audience, process in running.items():
        output, peak = _finish(process)
        peaks.append(peak)
        if process.returncode != 0:
            failures.append(_("search: Pagefind failed for the {audience} site:").format(audience=audience) + "\n"
                            + output)
    if failures:
        raise BuildFailed("\n".join(failures))
    for audience, root in roots.items():
        remove_stale_chunks(root / INDEX_FOLDER)
        context.produced.update(str(path) for path in (root / INDEX_FOLDER).rglob("*") if path.is_file())
        if audience in running:
            cache.mkdir(parents=True, exist_ok=True)
            remembered = _index_of(root, cache)
            if remembered:
                remembered.write_text(digests[audience], encoding="ascii")
    # Pagefind's own scripts, styles and WebAssembly are the same in every site and hold no content of ours;
    # its index holds the stems of the pages' words (each page's text is in its fragment).
    public = roots[tiers.public] / INDEX_FOLDER
    context.label_texts += [text for path in sorted(public.iterdir()) if path.suffix in (".js", ".css", ".pagefind")
                            for text in texts(path.read_bytes(), path.name)]
    context.label_texts.append(FRAGMENT_KEYS)
    context.derived_files += [f"{INDEX_FOLDER}/index/*", f"{INDEX_FOLDER}/*.pf_meta"]
    counts = [f"{audience} {len(list((root / INDEX_FOLDER / 'fragment').glob('*.pf_fragment')))}"
              for audience, root in roots.items()]
    unchanged = " " + _("(unchanged, index kept: {audiences})").format(audiences=", ".join(kept)) if kept else ""
    context.notes.append(_("search: Pagefind pages indexed: {counts}").format(counts=", ".join(counts)) + unchanged)
    if peaks:
        context.notes.append(PEAK_NOTE.format(mb=max(peaks)))


def _finish(process: subprocess.Popen[str]) -> tuple[str, float]:
    """Wait for one Pagefind run: its output, and its peak resident memory in MB from the kernel's accounting
    (wait4), which the build's own figure cannot tell apart from its other processes' (benchmark/)."""
    output = ""
    if process.stdout is not None:
        with process.stdout:
            output = process.stdout.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return output, usage.ru_maxrss / 1024


def pagefind_peak_mb(notes: Iterable[str]) -> float | None:
    """The peak memory a build's notes give for Pagefind (PEAK_NOTE); None when Pagefind did not run."""
    found = [float(match["mb"]) for note in notes if (match := PEAK_PATTERN.fullmatch(note))]
    return max(found) if found else None


def remove_stale_chunks(index: Path) -> None:
    """Delete what earlier indexes left in `index`: the build updates the previous tree in place, and Pagefind
    writes only the files it does not find there (their names are hashes of their content), never deleting any.
    A chunk is current if the index's metadata file (gzip'd, named in pagefind-entry.json) names it."""
    entry = json.loads((index / "pagefind-entry.json").read_text(encoding="utf-8"))
    metas = {f"pagefind.{language['hash']}.pf_meta" for language in entry["languages"].values()}
    names = b"".join(gzip.decompress((index / meta).read_bytes()) for meta in metas)
    for path in index.iterdir():
        if path.suffix == ".pf_meta" and path.name not in metas:
            path.unlink()
    for folder in ("fragment", "index", "filter"):
        for path in (index / folder).glob("*") if (index / folder).is_dir() else ():
            if path.stem.encode() not in names:
                path.unlink()


def register() -> None:
    hooks.options(SEARCH_OPTIONS)
    hooks.site_folder(INDEX_FOLDER, N_("the search index"))
    hooks.building.connect(index_sites)
