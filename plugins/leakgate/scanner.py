"""The leak gate's scan: every byte of every public file, in one pass per file (ARCHITECTURE §3).

Each file is read as text (gzip and ZIP containers opened), markup is dropped but attribute values are kept
(URLs, alt texts, meta content), entities, JSON `\\u` escapes and %-escapes are decoded, and the words are
matched against all fingerprints at once with an Aho–Corasick automaton. File names are scanned too.
"""

from __future__ import annotations

import gzip
import html
import io
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote

import ahocorasick

from .fingerprints import Fingerprint, normalise

TAG = re.compile(r"<[^>]*>")
# Attribute values, double-quoted (may hold an apostrophe), single-quoted and unquoted: one pattern each, so
# that each pass is a single C-level findall.
ATTRIBUTE_VALUES = (re.compile(r'=\s*"([^"]*)"'), re.compile(r"=\s*'([^']*)'"), re.compile(r"=([^\s\"'=<>`]+)"))
JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"


@dataclass(frozen=True)
class Hit:
    fingerprint: Fingerprint
    file: str  # relative to the scanned root

    def __str__(self) -> str:
        fp = self.fingerprint
        return f"{self.file}: {fp.kind} of {fp.item}: {fp.text!r}"


@dataclass
class GateReport:
    files: int = 0
    bytes: int = 0
    fingerprints: int = 0
    hits: list[Hit] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.hits


class Matcher:
    """All fingerprints in one automaton; `find` returns the fingerprints whose words occur in a text."""

    def __init__(self, fingerprints: Iterable[Fingerprint]) -> None:
        self.by_words: dict[str, list[Fingerprint]] = {}
        for fp in fingerprints:
            self.by_words.setdefault(fp.words, []).append(fp)
        self.automaton = ahocorasick.Automaton()
        for words in self.by_words:
            self.automaton.add_word(words, words)
        if self.by_words:
            self.automaton.make_automaton()

    def find(self, normalised_text: str) -> set[str]:
        if not self.by_words:
            return set()
        return {words for _end, words in self.automaton.iter(normalised_text)}


def drop_shared(fingerprints: list[Fingerprint], public_texts: Iterable[str],
                label_texts: Iterable[str] = ()) -> list[Fingerprint]:
    """Drop fingerprints that occur in text the public build is legitimately given, so text shared by a public
    and a non-public item raises no false alarm. `label_texts` (the theme) excuse single words only — a
    category called "Kundenbereich" — never a title or sentence that a template hard-codes."""
    matcher = Matcher(fingerprints)
    shared = matcher.find("".join(normalise(text) for text in public_texts))
    labels = {words for words in matcher.find("".join(normalise(text) for text in label_texts))
              if words.count(" ") == 2}
    return [fp for fp in fingerprints if fp.words not in shared | labels]


def visible_words(raw: str) -> str:
    """The normalised words of a file as any reader could recover them."""
    # Two C-level passes instead of a callback per tag: the text with markup blanked, then attribute values.
    text = " ".join([TAG.sub(" ", raw), *(" ".join(pattern.findall(raw)) for pattern in ATTRIBUTE_VALUES)])
    text = html.unescape(text)
    if "\\u" in text:
        text = JSON_ESCAPE.sub(lambda match: chr(int(match[1], 16)), text)
    if "%" in text:
        text = unquote(text)
    return normalise(text)


def _texts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    """(name, text) of a file and of everything packed inside it."""
    if data.startswith(GZIP_MAGIC):
        try:
            yield from _texts(name + "!gunzip", gzip.decompress(data))
            return
        except (OSError, EOFError):
            pass
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    yield f"{name}!{member}", member
                    yield from _texts(f"{name}!{member}", archive.read(member))
            return
        except zipfile.BadZipFile:
            pass
    yield name, data.decode("utf-8", errors="replace")


def _files(root: Path, skip_dirs: set[str]) -> Iterator[Path]:
    for directory, subdirectories, files in os.walk(root):
        if directory == str(root):
            subdirectories[:] = [d for d in subdirectories if d not in skip_dirs]
        subdirectories.sort()
        yield from (Path(directory, name) for name in sorted(files))


def scan(root: Path, fingerprints: list[Fingerprint], *, skip_dirs: Iterable[str] = ()) -> GateReport:
    """Scan every file under `root` (except the top-level `skip_dirs`) and its name for every fingerprint."""
    matcher = Matcher(fingerprints)
    report = GateReport(fingerprints=len(matcher.by_words))
    for path in _files(root, set(skip_dirs)):
        relative = path.relative_to(root).as_posix()
        data = path.read_bytes()
        report.files += 1
        report.bytes += len(data)
        found: set[str] = matcher.find(normalise(unquote(relative)))
        for _name, text in _texts(relative, data):
            found |= matcher.find(visible_words(text))
        report.hits.extend(Hit(fp, relative) for words in sorted(found) for fp in matcher.by_words[words])
    return report
