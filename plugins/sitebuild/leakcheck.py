"""What the leak gate scans in a build, and for what (docs/architecture.md).

- The public site, and every folder of `dist/` that goes to the public (server configurations, the packages of
  public newsletter issues): for every fingerprint of what is not public at the clock — or, for a folder that
  goes public later (an issue's send date), of what is still not public then.
- The member areas and all of `dist/`: for member data (e-mail addresses, password hashes, new passwords).
- The unlisted folders (vorab/unlisted.py), by their own rules: nothing but PNG and JPEG images named by
  number and without text in them; and no public file may name the token of a members' folder.

Fingerprints that public content shares are excused; the theme and the site's own labels (dates, the search
bundle) excuse phrases too, but never an identity (a title, a slug, an asset name, a member-only field).
Short fingerprints count only where they are distinctive.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import NamedTuple

from leakgate import GateReport, Hit, Matcher, Unread, scan, secret_fingerprints, shared_words
from leakgate.fingerprints import Fingerprint, distinctive, item_fingerprints
from leakgate.formats import text_in_image
from leakgate.memo import Memo
from leakgate.text import words
from vorab import unlisted
from vorab.context import BuildContext, Settings
from vorab.messages import N_, _
from vorab.model import Item, Registry, RunSources
from vorab.unlisted import UnlistedFolder

from .sources import source_copy

PLUGINS = Path(__file__).resolve().parents[1]
TEXT_ASSETS = {".svg", ".txt", ".csv", ".json", ".xml", ".html", ".css", ".js"}
UNLISTED_NAME = re.compile(r"[1-9][0-9]*\.(?:png|jpg)")
UNLISTED_RULE = N_("only PNG and JPEG images, named by number, without text in them")
MARKDOWN_FEATURES = """# Titel

Text[^1] mit *Betonung*, `Code` und HTML.

| a | b |
|---|---|
| 1 | 2 |

Begriff
:   Erklärung

*[HTML]: Hypertext

[^1]: Fußnote.
"""


@dataclass(frozen=True)
class Vocabulary:
    """The words of what the public build is legitimately given: public content, and labels (the theme, our
    code and templates, the tools' skeletons, the site's date and zone names)."""

    public: list[list[str]]  # per public text
    labels: list[list[str]]  # per label text
    known: frozenset[str]  # every word of both


@dataclass(frozen=True)
class Secrets:
    """What the public may not see, as matchers over one automaton."""

    everything: Matcher  # every fingerprint, member data included
    public: Matcher  # what no public file may hold: `everything` less what public content and labels share
    items: list[Fingerprint]  # the content fingerprints (without member data)


def vocabulary(settings: Settings, registry: Registry, public: RunSources, steps_labels: Iterable[str] = (),
               memo: Memo | None = None) -> Vocabulary:
    memo = memo or Memo(None)
    content = Path(settings["PATH"])
    public_texts = _public_texts(public.texts.values(), public.assets, content, settings)
    public_words = [memo.words(text) for text in public_texts]
    labels = [*_theme_texts(settings), *_code_texts(), *steps_labels]
    label_words = [*map(memo.words, labels), _markdown_skeleton(settings, memo)]
    return Vocabulary(public_words, label_words, frozenset().union(*public_words, *label_words))


def public_secrets(settings: Settings, registry: Registry, public: RunSources,
                   member_data: Iterable[Fingerprint] = (), steps_labels: Iterable[str] = (),
                   memo: Memo | None = None) -> Secrets:
    """The fingerprints of everything `public` (the public's sources at a clock, or a member tier's, which
    reads its items whole) does not hold, with the text it and the labels share excused, and the short ones
    only where distinctive. `memo`: what earlier builds computed from the same texts."""
    memo = memo or Memo(None)
    given = vocabulary(settings, registry, public, steps_labels, memo)

    def prints_of(item: Item, whole: bool) -> list[Fingerprint]:
        return memo.fingerprints(item, whole, lambda: item_fingerprints(item, whole=whole))

    parts = registry.tiers.is_public(public.audience)
    items = [fp for fp in secret_fingerprints(registry.items, public.items, public.assets, prints_of, parts=parts)
             if not fp.short or distinctive(fp, given.known)]
    member_data = list(member_data)
    everything = memo.matcher(items + member_data)
    identities = sorted({fp.words for fp in items if fp.identity})
    shared = memo.strings(lambda: _shared_by(everything, identities, given),
                          lambda: shared_words(everything, given.public, given.labels, set(identities),
                                               memo.found_in))
    excused = shared - {fp.words for fp in member_data}
    return Secrets(everything, everything.excusing(excused), items)


def _shared_by(matcher: Matcher, identities: list[str], given: Vocabulary) -> str:
    """A digest of everything `shared_words` reads: the fingerprints, the identities, the words of every public
    text and label (one text a line)."""
    digest = hashlib.blake2b(f"{matcher.digest} {len(identities)} {len(given.public)} {len(given.labels)}".encode())
    for line in (*identities, *map(" ".join, given.public), *map(" ".join, given.labels)):
        digest.update(b"\n" + line.encode("utf-8", errors="surrogatepass"))
    return digest.hexdigest()


def gate_build(context: BuildContext, memory: Path | None = None, memo: Path | None = None) -> GateReport:
    """Scan what the public gets for every fingerprint of what it may not see, and everything for member data.
    `memory`: a folder where each scan remembers the files it found clean (leakgate.scan), void whenever the
    fingerprints grow; `memo`: a file that keeps the words and fingerprints of unchanged texts (leakgate.memo),
    which hold across releases."""
    with _cycle_collector_paused():
        return _gate_build(context, memory, memo)


@contextlib.contextmanager
def _cycle_collector_paused() -> Iterator[None]:
    """The gate makes millions of small objects without cycles (word lists, fingerprints, what the memo keeps);
    Python's cycle collector walked them and the whole build's objects again and again, a quarter of a warm gate
    at 8,000 items and growing faster than the site. The few cycles a PDF or e-mail reader leaves are collected
    once the gate is done."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _gate_build(context: BuildContext, memory: Path | None, memo: Path | None) -> GateReport:
    tiers = context.tiers
    memo_of_texts = Memo(memo)
    tokens = [Fingerprint(f" {folder.token} ", "unlisted folder", folder.owner, f"/{unlisted.FOLDER}/…/",
                          identity=True, hint=_("its address is only for its e-mails: no public file may name it"))
              for folder in context.unlisted if not folder.public]
    found = public_secrets(context.settings, context.registry, context.sources[tiers.public],
                           [*context.fingerprints, *tokens], context.label_texts, memo_of_texts)
    everything, secrets = found.everything, found.public
    member_data = {fp.words for fp in context.fingerprints}  # never excused: it belongs in no page at all

    member_folders = [tiers.folder(tier) for tier in tiers.member_tiers]
    derived = context.derived_files
    phrases = secrets.excusing({fp.words for fp in found.items if fp.short})
    apart = [*member_folders, unlisted.FOLDER]  # scanned for member data, and held to their own rules
    scans = [_Scan("", context.site, secrets, apart, skip=derived),
             _Scan("", context.site, phrases, apart, only=derived)]
    for folder in context.public_dist:
        later = _released_by(context, folder.public_at, everything) - member_data if folder.public_at else set()
        scans.append(_Scan(f"dist/{folder.name}", context.dist / folder.name, secrets.excusing(later)))
    # Every member area but the highest tier's holds nothing of a higher tier before that area's tier sees it
    # (and no member data), proved like the public site; the highest tier's area only holds no member data.
    for tier in tiers.member_tiers[:-1]:
        held = public_secrets(context.settings, context.registry, context.sources[tier], context.fingerprints,
                              context.label_texts, memo_of_texts)
        area = tiers.folder(tier)
        short = held.public.excusing({fp.words for fp in held.items if fp.short})
        scans += [_Scan(area, context.site / area, held.public, skip=derived),
                  _Scan(area, context.site / area, short, only=derived)]
    memo_of_texts.save()
    if member_data:  # the highest member area and every package
        only_member_data = everything.excusing(set(everything.by_words) - member_data)
        highest = tiers.folder(tiers.member_tiers[-1])
        scans.append(_Scan(highest, context.site / highest, only_member_data))
        scans.append(_Scan("dist", context.dist, only_member_data))
    report = GateReport(fingerprints=len(secrets.by_words), hits=_unlisted_hits(context.site, context.unlisted))
    for label, root, matcher, skip_dirs, only, skip in scans:
        if not root.is_dir():
            continue
        name = (label.replace("/", "-") or "site") + ("-derived" if only else "")
        part = scan(root, matcher, skip_dirs=skip_dirs, only=only, skip=skip, memory=memory / name if memory else None)
        report.files += part.files
        report.bytes += part.bytes
        report.hits += [Hit(hit.fingerprint, f"{label}/{hit.file}" if label else hit.file) for hit in part.hits]
        report.unread += [Unread(f"{label}/{unread.file}" if label else unread.file, unread.reason)
                          for unread in part.unread]
    return report


def _unlisted_hits(site: Path, folders: Iterable[UnlistedFolder]) -> list[Hit]:
    """Every file under /unlisted/ that is not a plain image of a folder a step named. Shown without the token,
    which belongs in no log."""
    root = site / unlisted.FOLDER
    declared = {folder.token: folder for folder in folders}
    hits = []
    for path in sorted(p for p in root.rglob("*") if not p.is_dir()) if root.is_dir() else ():
        token, name = path.relative_to(root).as_posix().partition("/")[::2]
        folder = declared.get(token)
        if folder is None or not UNLISTED_NAME.fullmatch(name):
            found = _("a file in no folder a build step named") if folder is None else \
                _("the name {name}").format(name=repr(name))
        else:
            found = text_in_image(path.read_bytes()) or ""
        if found:
            owner = folder.owner if folder else "?"
            hits.append(Hit(Fingerprint("", "file of an unlisted folder", owner, name,
                                        hint=_("expected {expected}, found {found}").format(
                                            expected=_(UNLISTED_RULE), found=found)),
                            f"{unlisted.FOLDER}/…/{name}"))
    return hits


def report_lines(report: GateReport) -> list[str]:
    """The files the gate cannot read, then its hits, one line each, in the language of messages."""
    lines = [_("{file}: cannot be read completely, so it cannot be proved clean: {reason}").format(
        file=unread.file, reason=unread.reason) for unread in report.unread]
    for hit in report.hits:
        fingerprint = hit.fingerprint
        line = _("{file}: {kind} of {item}: {text}").format(file=hit.file, kind=fingerprint.kind,
                                                            item=fingerprint.item, text=repr(fingerprint.text))
        lines.append(f"{line} — {_(fingerprint.hint)}" if fingerprint.hint else line)  # marked with N_, or translated
    return lines


class _Scan(NamedTuple):
    """One scan of the gate: a tree (shown as `label`), what it is scanned for, and which of its files."""

    label: str
    root: Path
    matcher: Matcher
    skip_dirs: Sequence[str] = ()  # folders to leave out
    only: Sequence[str] | None = None  # glob patterns of the files to scan (None: all)
    skip: Sequence[str] = ()  # glob patterns of the files another scan reads


def _released_by(context: BuildContext, moment: datetime, matcher: Matcher) -> set[str]:
    """The fingerprints (by `words`) of what the public sees at `moment` but not at the clock: a package that
    goes public then may hold them. Never their members-only parts or member-only fields."""
    public = context.tiers.public
    now = {item.relpath for item in context.sources[public].items}
    released = [item for item in context.registry.visible(public, moment) if item.relpath not in now]
    whole = {fp.words for item in released for fp in item_fingerprints(item, whole=True)}
    still_secret = {fp.words for item in released for fp in item_fingerprints(item, whole=False)}
    copies = [words(source_copy(item, public=True)[0]) for item in released]
    return (whole - still_secret) | (matcher.find_in(copies) - still_secret)


def _public_texts(copies: Iterable[str], assets: Iterable[str], content: Path, settings: Settings) -> list[str]:
    """What the public build is given: its sources, its assets (their names, and the text of text files such as
    SVG images) and the settings' text."""
    assets = sorted(assets)
    texts = [(content / asset).read_bytes().decode("utf-8", errors="ignore") for asset in assets
             if Path(asset).suffix.lower() in TEXT_ASSETS]
    return [*copies, *assets, *texts, *(value for value in settings.values() if isinstance(value, str))]


@functools.cache
def _code_texts() -> tuple[str, ...]:
    """Our plugins' code and templates: every word they write into a file besides content (calendar names, the
    e-mail tools' tags, package keys, server configurations) stands in them."""
    files = [path for path in sorted(PLUGINS.rglob("*"))
             if path.is_file() and (path.suffix == ".py" or "templates" in path.parts)]
    return (*(path.read_text(encoding="utf-8") for path in files), " ".join(path.name for path in files))


def _markdown_skeleton(settings: Settings, memo: Memo) -> list[str]:
    """The words Python-Markdown itself adds to a page (footnote links, table markup), with the site's
    extensions: remembered by those settings (a Markdown instance costs more than the rest of the gate's set-up)."""
    import markdown

    options = settings.get("MARKDOWN", {})

    def render() -> str:
        extensions = [*options.get("extensions", []), *options.get("extension_configs", {})]
        return markdown.Markdown(extensions=extensions,
                                 extension_configs=options.get("extension_configs", {})).convert(MARKDOWN_FEATURES)

    return memo.remembered(f"Python-Markdown {markdown.__version__} with {options!r}", lambda: words(render()))


def _theme_texts(settings: Settings) -> list[str]:
    """Every file of the theme: templates, translation catalogues, styles, scripts, images."""
    return [path.read_text(encoding="utf-8", errors="replace")
            for path in sorted(Path(settings["THEME"]).rglob("*")) if path.is_file()]


__all__ = ["Secrets", "Vocabulary", "gate_build", "public_secrets", "report_lines", "vocabulary"]
