"""Fingerprints of everything that is not public at the build clock (ARCHITECTURE §3).

A fingerprint is a run of normalised words: a title, a slug, a field value, a sentence-like segment of a body or
of a members-only part, an offer code, an asset's file name. Fingerprints that also occur in what the public
build is legitimately given (public sources, the theme, the settings) are dropped: text that a public and a
member item share is no evidence of a leak.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from catalog.schema import Kind

MIN_SEGMENT_WORDS = 4  # shorter body segments are too common to prove anything
MIN_VALUE_CHARS = 4
WORD = re.compile(r"\w+")
# Markdown and sentence punctuation: body text is cut into segments at these, so each segment is a run of
# words that survives Markdown rendering unchanged.
SEGMENT_BREAK = re.compile(r"[\n.!?;:()\[\]{}<>*_`#|\"“”„»«]+")
SKIPPED_KINDS = {Kind.MOMENT, Kind.AUDIENCE, Kind.STATUS, Kind.INTEGER, Kind.FLAG, Kind.TIMEZONE, Kind.TEMPLATE, Kind.SLUG,
                 Kind.REFERENCES}


def split_words(text: str) -> list[str]:
    """The case-folded words of a text."""
    return WORD.findall(text.casefold())


def normalise(text: str) -> str:
    """Case-folded words separated by single spaces, padded with spaces so matches are whole words."""
    return " " + " ".join(split_words(text)) + " "


@dataclass(frozen=True)
class Fingerprint:
    words: str  # normalised, e.g. " hochland geisha "
    kind: str  # title, slug, summary, body, members-only part, <field name>, asset
    item: str  # the source path, for the report
    text: str  # as the editor wrote it, for the report


def segments(markdown: str) -> Iterator[str]:
    """Sentence-like runs of at least MIN_SEGMENT_WORDS words."""
    for segment in SEGMENT_BREAK.split(markdown):
        if len(WORD.findall(segment)) >= MIN_SEGMENT_WORDS:
            yield segment.strip()


def item_fingerprints(item, *, whole: bool) -> Iterator[Fingerprint]:
    """Fingerprints of one registry item: all of it (`whole`), or only what the public must not see of it."""
    path = item.path
    member_only = set(item.type.member_only_fields)
    for name, value in item.values.items():
        spec = item.type.fields.get(name)
        if name == "title" or spec is None or spec.kind in SKIPPED_KINDS or spec.kind is Kind.IMAGE:
            continue  # images are fingerprinted by file name, below, unless the public run was given them
        if whole or name in member_only:
            if len(value) >= MIN_VALUE_CHARS:
                yield Fingerprint(normalise(value), name, path, value)
    if whole:
        yield Fingerprint(normalise(item.title), "title", path, item.title)
        yield Fingerprint(normalise(item.slug), "slug", path, item.slug)
        for segment in segments(item.source.body):
            yield Fingerprint(normalise(segment), "body", path, segment)
    elif item.members_part is not None:
        for segment in segments(item.members_part):
            yield Fingerprint(normalise(segment), "members-only part", path, segment)


def secret_fingerprints(all_items: Iterable, public_items: Iterable, public_assets: set[str]) -> list[Fingerprint]:
    """Everything not public: whole non-public items, and the member-only parts and fields of public ones."""
    public_paths = {item.relpath for item in public_items}
    prints: list[Fingerprint] = []
    for item in all_items:
        whole = item.relpath not in public_paths
        prints.extend(item_fingerprints(item, whole=whole))
        # Assets that only non-public text refers to (including in a public item's members-only part).
        for asset in item.assets(body=item.source.body, fields=item.values) - public_assets:
            prints.append(Fingerprint(normalise(posixpath.basename(asset)), "asset", item.path, asset))
    return [p for p in prints if p.words.strip()]

