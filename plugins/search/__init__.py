"""Site search with Pagefind, one index per audience (a build step; docs/architecture.md).

The public index is made from the public site's pages only — every page outside the member folders — and written
to `pagefind/` at the site's top, where the leak gate scans it like every other public file (its fragments are
gzip, which the gate opens). Each member area gets its own index in `<folder>/pagefind/`. A site of more than
PAGES_PER_BUNDLE pages is indexed in several bundles (`pagefind/`, `pagefind/part-2/`, …, listed in
`pagefind/bundles.json`), which the results page merges in the browser (Pagefind's `mergeIndex`): Pagefind's memory
grows with the pages of one run, so bundles keep its peak within twice plain Pelican's at 8,000 items. The Pagefind
binary comes with PyPI's `pagefind[bin]`; nothing is downloaded at build time.

Every site gets a results page, `suche/index.html` (the theme's `search.html`, a direct template this plugin adds
in each run), which loads its own site's index only: the public results page can only ever fetch `pagefind/` of the
public site. The results page itself is left out of the index. Umlauts need nothing of ours: Pagefind's German
index matches "muehle" with "Mühle" and "Mühle" with "Muehle" (tests/test_search_ui.py holds it to that).

Settings: `SEARCH_ROOT_SELECTOR` (the part of a page that is indexed; default `main`, so the navigation and the
footer are not).
"""

from __future__ import annotations

import gzip
import hashlib
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pagefind_bin import get_executable
from pelican import signals

from leakgate.formats import texts
from vorab import hooks
from vorab.context import BuildContext, Settings, SiteBuilt, Slot
from vorab.errors import BuildFailed
from vorab.messages import N_, _
from vorab.options import Text

INDEX_FOLDER = "pagefind"
RESULTS_FOLDER = "suche"  # the results page of every site: suche/index.html
SEARCH_OPTIONS = {"SEARCH_ROOT_SELECTOR": Text("main")}  # the part of a page that is indexed
FRAGMENT_KEYS = "pagefind_dcd url content word_count filters meta anchors element text location sort"
NOT_INDEXED = {INDEX_FOLDER, RESULTS_FOLDER}  # top-level folders of a site that the index leaves out
PAGES_PER_BUNDLE = 2500  # Pagefind holds ~60 KB a page: ~150 MB a bundle (README, "Search")
AT_ONCE = 2  # bundles indexed at a time
BUNDLE_PREFIX = "part-"  # pagefind/part-2/, … : the bundles after the first
BUNDLES_FILE = "bundles.json"  # pagefind/bundles.json: the further bundles, for the results page to merge
PEAK_NOTE = "search: Pagefind peak memory {mb:.1f} MB"  # the largest Pagefind process of the build
PEAK_PATTERN = re.compile(r"search: Pagefind peak memory (?P<mb>[0-9.]+) MB")


def site_pages(root: Path, skip: set[str]) -> list[str]:
    """The HTML pages of the site at `root` (relative, sorted), outside its top-level folders `skip` (other
    audiences' sites, which their runs may still be writing), the index and the results page."""
    pages = []
    for folder, subfolders, files in os.walk(root):
        if folder == str(root):
            subfolders[:] = [name for name in subfolders if name not in skip | NOT_INDEXED]
        pages += [Path(folder, name).relative_to(root).as_posix() for name in files if name.endswith(".html")]
    return sorted(pages)


def split(pages: list[str]) -> list[list[str]]:
    """The pages in bundles of about PAGES_PER_BUNDLE, each page by a hash of its path: a page stays in its
    bundle while the site grows (until the number of bundles changes), so an edit re-indexes only the bundles
    whose pages changed."""
    count = max(1, math.ceil(len(pages) / PAGES_PER_BUNDLE))
    bundles: list[list[str]] = [[] for _ in range(count)]
    for page in pages:
        bundles[int.from_bytes(hashlib.blake2b(page.encode(), digest_size=8).digest(), "big") % count].append(page)
    return [bundle for bundle in bundles if bundle] or [[]]  # Pagefind refuses to make an empty bundle


def bundle_folder(number: int) -> str:
    """Where the bundle `number` (from 0) lives in its site: the first at `pagefind/`, the others inside it."""
    return INDEX_FOLDER if number == 0 else f"{INDEX_FOLDER}/{BUNDLE_PREFIX}{number + 1}"


def index_options(settings: Settings) -> list[str]:
    """Pagefind's options for every bundle: what is indexed and in which language."""
    return ["--glob", "**/*.html", "--root-selector", settings["SEARCH_ROOT_SELECTOR"],
            "--force-language", settings["DEFAULT_LANG"], "--silent"]


def index_command(site: Path, output: Path, settings: Settings) -> list[str]:
    """Pagefind's command line: every page under `site` indexed into the bundle `output`."""
    return [str(get_executable()), "--site", str(site), "--output-path", str(output), *index_options(settings)]


@dataclass(frozen=True)
class Bundle:
    """One Pagefind bundle of an audience's site: its pages (relative to `root`) and its folder."""

    audience: str
    root: Path
    folder: Path
    pages: list[str]

    def digest(self, settings: Settings) -> str:
        """What the bundle is made of: its pages (names and bytes) and how Pagefind indexes them."""
        digest = hashlib.blake2b(" ".join([str(get_executable()), *index_options(settings)]).encode(),
                                 digest_size=20)
        for page in self.pages:
            digest.update(page.encode() + b"\0" + (self.root / page).read_bytes() + b"\0")
        return digest.hexdigest()

    def link_pages(self, scratch: Path) -> Path:
        """A tree of only this bundle's pages, as in the site (hard links where the file system allows), for
        Pagefind to index: the URLs it records are the pages' own."""
        tree = Path(tempfile.mkdtemp(dir=scratch))
        for page in self.pages:
            (tree / page).parent.mkdir(parents=True, exist_ok=True)
            try:
                os.link(self.root / page, tree / page)
            except OSError:
                shutil.copyfile(self.root / page, tree / page)
        return tree


def _remembered(folder: Path, cache: Path) -> Path | None:
    """Where the pages digest of the bundle already in `folder` (the tree this build updates) is remembered."""
    entry = folder / "pagefind-entry.json"
    if not entry.is_file():
        return None
    return cache / f"{hashlib.blake2b(entry.read_bytes(), digest_size=20).hexdigest()}.pages"


def plan(context: BuildContext, audience: str) -> list[Bundle]:
    """One audience's pages in bundles; the list of them its results page merges (pagefind/bundles.json) made
    to match, stale bundles of a larger site removed."""
    root = context.audience_root(audience)
    parts = split(site_pages(root, context.nested_sites(audience)))
    index = root / INDEX_FOLDER
    current = {Path(bundle_folder(number)).name for number in range(1, len(parts))}
    for stale in index.glob(f"{BUNDLE_PREFIX}*") if index.is_dir() else ():
        if stale.name not in current:
            shutil.rmtree(stale)
    index.mkdir(parents=True, exist_ok=True)
    listing = json.dumps({"merge": [f"{Path(bundle_folder(n)).name}/" for n in range(1, len(parts))]}) + "\n"
    if not (index / BUNDLES_FILE).is_file() or (index / BUNDLES_FILE).read_text(encoding="utf-8") != listing:
        (index / BUNDLES_FILE).write_text(listing, encoding="utf-8")
    return [Bundle(audience, root, root / bundle_folder(number), pages) for number, pages in enumerate(parts)]


@dataclass
class _Indexing:
    """The build's Pagefind runs: every audience's bundles as planned, the digests of their pages, those
    waiting to be indexed and those running (AT_ONCE at a time), each in its tree of hard links in `scratch`."""

    scratch: Path
    bundles: dict[str, list[Bundle]] = field(default_factory=dict)  # audience → its bundles
    digests: dict[Path, str] = field(default_factory=dict)  # bundle folder → digest of its pages
    waiting: list[Bundle] = field(default_factory=list)
    running: list[tuple[Bundle, subprocess.Popen[str]]] = field(default_factory=list)

    def start(self, context: BuildContext) -> None:
        while self.waiting and len(self.running) < AT_ONCE:
            bundle = self.waiting.pop(0)
            command = index_command(bundle.link_pages(self.scratch), bundle.folder, context.settings)
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            context.background.append(process)  # stopped by the build if it fails before index_sites waits
            self.running.append((bundle, process))


INDEXING: Slot[_Indexing | None] = Slot("search: the Pagefind runs of the build")


def _indexing(context: BuildContext) -> _Indexing:
    """The build's Pagefind runs, begun with a fresh scratch folder beside the staged site."""
    indexing = context.results.get(INDEXING, None)
    if indexing is None:
        scratch = context.site.parent / "search-scratch"
        shutil.rmtree(scratch, ignore_errors=True)
        scratch.mkdir()
        indexing = _Indexing(scratch)
        context.results.put(INDEXING, indexing)
    return indexing


def start_index(built: SiteBuilt) -> None:
    """As soon as one audience's run has ended: plan its bundles and start Pagefind on those whose pages
    changed (the public pages leave the member folders out, so their runs may still write)."""
    context = built.context
    indexing = _indexing(context)
    cache = Path(context.settings["CACHE_PATH"]) / "search"
    indexing.bundles[built.audience] = plan(context, built.audience)
    for bundle in indexing.bundles[built.audience]:
        indexing.digests[bundle.folder] = bundle.digest(context.settings)
        if not _kept(bundle.folder, cache, indexing.digests[bundle.folder]):
            indexing.waiting.append(bundle)
    indexing.start(context)


def index_sites(context: BuildContext) -> None:
    """Build step: a Pagefind index per audience, each over that audience's pages only, in bundles of about
    PAGES_PER_BUNDLE pages that the results page merges: Pagefind holds every page it indexes in memory, so a
    bundle's size bounds its peak. Each audience's bundles were started when its run ended (start_index; here,
    for a run that told no one), AT_ONCE at a time; a bundle whose pages are byte for byte those it was made
    from is kept: Pagefind is a quarter of a warm build. Waits for them all."""
    indexing = _indexing(context)
    for audience in context.tiers:
        if audience not in indexing.bundles:
            start_index(SiteBuilt(context, audience))
    cache = Path(context.settings["CACHE_PATH"]) / "search"
    indexed = {bundle.audience for bundle in indexing.waiting} | {bundle.audience for bundle, _ in indexing.running}
    failures, peaks = [], []
    try:
        while indexing.running:
            bundle, process = indexing.running.pop(0)
            output, peak = _finish(process)
            peaks.append(peak)
            indexing.start(context)
            indexed.add(bundle.audience)
            if process.returncode != 0:
                failures.append(_("search: Pagefind failed for the {audience} site:").format(
                    audience=bundle.audience) + "\n" + output)
                continue
            cache.mkdir(parents=True, exist_ok=True)
            remembered = _remembered(bundle.folder, cache)
            if remembered:
                remembered.write_text(indexing.digests[bundle.folder], encoding="ascii")
    finally:
        shutil.rmtree(indexing.scratch, ignore_errors=True)
    if failures:
        raise BuildFailed("\n".join(failures))
    roots = {audience: context.audience_root(audience) for audience in context.tiers}
    for bundles in indexing.bundles.values():
        for bundle in bundles:
            remove_stale_chunks(bundle.folder)
    for root in roots.values():
        context.produced.update(str(path) for path in (root / INDEX_FOLDER).rglob("*") if path.is_file())
    # Pagefind's own scripts, styles and WebAssembly are the same in every bundle and hold no content of ours;
    # its index holds the stems of the pages' words (each page's text is in its fragment).
    public = roots[context.tiers.public] / INDEX_FOLDER
    context.label_texts += [text for path in sorted(public.iterdir()) if path.suffix in (".js", ".css", ".pagefind")
                            for text in texts(path.read_bytes(), path.name)]
    context.label_texts.append(FRAGMENT_KEYS)
    context.derived_files += [f"{INDEX_FOLDER}/index/*", f"{INDEX_FOLDER}/*.pf_meta",
                              f"{INDEX_FOLDER}/{BUNDLE_PREFIX}*/index/*", f"{INDEX_FOLDER}/{BUNDLE_PREFIX}*/*.pf_meta"]
    counts = [f"{audience} {len(list((root / INDEX_FOLDER).rglob('*.pf_fragment')))}"
              for audience, root in roots.items()]
    kept = [audience for audience in roots if audience not in indexed]
    unchanged = " " + _("(unchanged, index kept: {audiences})").format(audiences=", ".join(kept)) if kept else ""
    context.notes.append(_("search: Pagefind pages indexed: {counts}").format(counts=", ".join(counts)) + unchanged)
    if peaks:
        context.notes.append(PEAK_NOTE.format(mb=max(peaks)))


def _kept(folder: Path, cache: Path, digest: str) -> bool:
    """Whether the bundle in `folder` was made from exactly the pages of `digest`."""
    remembered = _remembered(folder, cache)
    return bool(remembered and remembered.is_file() and remembered.read_text(encoding="ascii") == digest)


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


def add_results_page(pelican: Any) -> None:
    """In each Pelican run: the results page as a direct template (Pelican renders `search.html` to
    `SEARCH_SAVE_AS` and gives every template `SEARCH_URL`)."""
    settings = pelican.settings
    if "search" not in settings["DIRECT_TEMPLATES"]:
        settings["DIRECT_TEMPLATES"] = [*settings["DIRECT_TEMPLATES"], "search"]
    settings["SEARCH_URL"] = f"{RESULTS_FOLDER}/"
    settings["SEARCH_SAVE_AS"] = f"{RESULTS_FOLDER}/index.html"


def register() -> None:
    hooks.options(SEARCH_OPTIONS)
    hooks.site_folder(INDEX_FOLDER, N_("the search index"))
    hooks.site_folder(RESULTS_FOLDER, N_("the search results page"))
    hooks.building.connect(index_sites)
    hooks.site_built.connect(start_index, step=index_sites)
    signals.initialized.connect(add_results_page)
