"""Fingerprints of everything that is not public at the build clock (docs/architecture.md §3).

A fingerprint is a run of normalised words (text.py): a title and the starts of a title, a slug, a field
value, a sentence-like segment of a body or of a members-only part, an offer code, an asset's file name — and,
where they are distinctive, the single words of a title (a one-word product name, a title a template cut short)
and the short lines of secret text (a code, a price line).

Fingerprints that also occur in what the public build is legitimately given are excused by the build: text that
a public and a member item share is no evidence of a leak. Identities (titles, slugs, asset names, member-only
fields) are excused only by public content, never by the theme: a template that names an embargoed product leaks
it. Short fingerprints are kept only when distinctive — holding a word that no public text, the theme or the
site's dates use — so that a common word never fails a build.
"""

from __future__ import annotations

import functools
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from catalog.schema import Kind

from .text import normalise

MIN_SEGMENT_WORDS = 4  # shorter segments prove something only when distinctive (SHORT)
MIN_VALUE_CHARS = 4
MIN_DISTINCTIVE_CHARS = 4  # a shorter word (a unit, an abbreviation) never makes a fingerprint distinctive
WORD = re.compile(r"\w+")  # counting a segment's words; normalising them is text.words's
# Markdown and sentence punctuation: body text is cut into segments at these, so each segment is a run of
# words that survives Markdown rendering unchanged.
SEGMENT_BREAK = re.compile(r"[\n.!?;:()\[\]{}<>*_`#|\"“”„»«]+")
SKIPPED_KINDS = {Kind.MOMENT, Kind.AUDIENCE, Kind.STATUS, Kind.INTEGER, Kind.FLAG, Kind.TIMEZONE, Kind.TEMPLATE,
                 Kind.SLUG, Kind.REFERENCES}


@dataclass(frozen=True)
class Fingerprint:
    words: str  # normalised, e.g. " hochland geisha "
    kind: str  # title, title word, title start, slug, summary, body, members-only part, short line, <field>, asset
    item: str  # the source path, for the report
    text: str  # as the editor wrote it, for the report
    identity: bool = False  # names the item (title, slug, asset, member-only field): the theme never excuses it
    short: bool = False  # counts only where distinctive (see `distinctive`)
    hint: str = ""  # what to do about a hit, for the report


def distinctive(fingerprint: Fingerprint, known: frozenset[str] | set[str]) -> bool:
    """A short fingerprint proves a leak only if one of its words is in no public text (`known`)."""
    return not known.issuperset(_distinctive_words(fingerprint.words))


@functools.lru_cache(maxsize=1 << 16)  # a live preview asks about the same fingerprints after every save
def _distinctive_words(words: str) -> tuple[str, ...]:
    """The words of a fingerprint that could make it distinctive: long enough, not a number."""
    return tuple(word for word in words.split() if len(word) >= MIN_DISTINCTIVE_CHARS and not word.isdigit())


def segments(markdown: str) -> Iterator[str]:
    """Sentence-like runs of at least MIN_SEGMENT_WORDS words."""
    for segment in SEGMENT_BREAK.split(markdown):
        if len(WORD.findall(segment)) >= MIN_SEGMENT_WORDS:
            yield segment.strip()


def short_segments(markdown: str) -> Iterator[str]:
    """The runs of one to three words between punctuation: a code, a name, a price line."""
    for segment in SEGMENT_BREAK.split(markdown):
        if 0 < len(WORD.findall(segment)) < MIN_SEGMENT_WORDS:
            yield segment.strip()


def item_fingerprints(item: Any, *, whole: bool) -> Iterator[Fingerprint]:
    """Fingerprints of one registry item: all of it (`whole`), or only what the public must not see of it."""
    return (fingerprint for fingerprint in _item_fingerprints(item, whole) if fingerprint.words.strip())


def _item_fingerprints(item: Any, whole: bool) -> Iterator[Fingerprint]:
    path = item.path
    member_only = set(item.type.member_only_fields)
    for name, value in item.values.items():
        spec = item.type.fields.get(name)
        if name == "title" or spec is None or spec.kind in SKIPPED_KINDS or spec.kind is Kind.IMAGE:
            continue  # images are fingerprinted by file name, below, unless the public run was given them
        if (whole or name in member_only) and len(value) >= MIN_VALUE_CHARS:
            yield Fingerprint(normalise(value), name, path, value, identity=name in member_only)
    secret = item.body.text if whole else item.members_part
    if whole:
        yield Fingerprint(normalise(item.title), "title", path, item.title, identity=True)
        yield Fingerprint(normalise(item.slug), "slug", path, item.slug, identity=True)
        title = normalise(item.title).split()
        for word in dict.fromkeys(title):
            yield Fingerprint(f" {word} ", "title word", path, item.title, short=True)
        for length in range(2, len(title)):  # as a template cuts a title short (`truncate`)
            yield Fingerprint(" " + " ".join(title[:length]) + " ", "title start", path, item.title)
    if secret is not None:
        kind = "body" if whole else "members-only part"
        for segment in segments(secret):
            yield Fingerprint(normalise(segment), kind, path, segment)
        for segment in short_segments(secret):
            yield Fingerprint(normalise(segment), "short line", path, segment, short=True)


ItemPrints = Callable[[Any, bool], Iterable[Fingerprint]]


def secret_fingerprints(all_items: Iterable[Any], public_items: Iterable[Any], public_assets: set[str],
                        prints_of: ItemPrints | None = None, *, parts: bool = True) -> list[Fingerprint]:
    """Everything not public: whole non-public items, and (`parts`) the member-only parts and fields of public
    ones. For a member tier's area, `public_items` are that tier's and `parts` is False: it reads them whole.
    `prints_of(item, whole)`: item_fingerprints, or a memo of it."""
    public_paths = {item.relpath for item in public_items}
    prints: list[Fingerprint] = []
    for item in all_items:
        whole = item.relpath not in public_paths
        if whole or parts:
            prints.extend(prints_of(item, whole) if prints_of else item_fingerprints(item, whole=whole))
        # Assets that only non-public text refers to (including in a public item's members-only part).
        for asset in item.assets(body=item.body.text, fields=item.values) - public_assets:
            if (words := normalise(posixpath.basename(asset))).strip():
                prints.append(Fingerprint(words, "asset", item.path, asset, identity=True))
    return prints
