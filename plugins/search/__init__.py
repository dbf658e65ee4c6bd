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
from dataclasses import dataclass
from pathlib import Path

from pagefind_bin import get_executable

from leakgate.formats import texts
from vorab import hooks
from vorab.context import BuildContext, Settings, SiteBuilt, Slot
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
    pages = []
    for folder, subfolders, files in os.walk(root):
        if folder == str(root):
            subfolders[:] = [name for name in subfolders if name not in skip | {INDEX_FOLDER}]
        pages += [Path(folder, name) for name in files if name.endswith(".html")]
    for path in sorted(pages):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def _index_of(root: Path, cache: Path) -> Path | None:
    """The remembered pages digest of the index already in `root` (the tree this build updates), if any."""
    entry = root / INDEX_FOLDER / "pagefind-entry.json"
    if not entry.is_file():
        return None
    return cache / f"{hashlib.blake2b(entry.read_bytes(), digest_size=20).hexdigest()}.pages"


@dataclass(frozen=True)
class _Indexing:
    """One audience's index, started: the digest of its pages, and Pagefind's process (None: the index in the
    tree was made from these very pages and is kept)."""

    digest: str
    process: subprocess.Popen[str] | None


INDEXING: Slot[dict[str, _Indexing]] = Slot("search: the indexes started, by audience")


def start_index(built: SiteBuilt) -> None:
    """As soon as one audience's run has ended: start Pagefind on that audience's pages (its glob leaves the
    other audiences' folders out, so their runs may still write), unless its index was made from these very
    pages — Pagefind is a quarter of a warm build."""
    context, root = built.context, built.root
    nested = {other.relative_to(root).parts[0] for other in map(context.audience_root, context.tiers)
              if other != root and other.is_relative_to(root)}
    command = index_command(root, nested, context.settings)
    digest = pages_digest(root, nested, command)
    remembered = _index_of(root, Path(context.settings["CACHE_PATH"]) / "search")
    process = None
    if not (remembered and remembered.is_file() and remembered.read_text(encoding="ascii") == digest):
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        context.background.append(process)
    started = context.results.get(INDEXING, {})
    started[built.audience] = _Indexing(digest, process)
    context.results.put(INDEXING, started)


def index_sites(context: BuildContext) -> None:
    """Build step: a Pagefind index per audience, each over that audience's pages only, each started when its
    run ended (start_index; here, for a run that told no one); wait for them all."""
    tiers = context.tiers
    roots = {audience: context.audience_root(audience) for audience in tiers}
    cache = Path(context.settings["CACHE_PATH"]) / "search"
    for audience in tiers:
        if audience not in context.results.get(INDEXING, {}):
            start_index(SiteBuilt(context, audience))
    started = context.results.get(INDEXING, {})
    failures, peaks = [], []
    for audience, indexing in started.items():
        if indexing.process is None:
            continue
        output, peak = _finish(indexing.process)
        peaks.append(peak)
        if indexing.process.returncode != 0:
            failures.append(_("search: Pagefind failed for the {audience} site:").format(audience=audience) + "\n"
                            + output)
    if failures:
        raise BuildFailed("\n".join(failures))
    for audience, root in roots.items():
        remove_stale_chunks(root / INDEX_FOLDER)
        context.produced.update(str(path) for path in (root / INDEX_FOLDER).rglob("*") if path.is_file())
        if started[audience].process is not None:
            cache.mkdir(parents=True, exist_ok=True)
            remembered = _index_of(root, cache)
            if remembered:
                remembered.write_text(started[audience].digest, encoding="ascii")
    kept = [audience for audience in tiers if started[audience].process is None]
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
    hooks.site_built.connect(start_index, step=index_sites)
