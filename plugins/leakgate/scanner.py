"""The leak gate's scan: every byte of every public file, in one pass per file (ARCHITECTURE §3).

Each file is read as text (gzip and ZIP containers opened), markup is dropped but attribute values are kept
(URLs, alt texts, meta content), entities, JSON `\\u` escapes and %-escapes are decoded, and the words are
matched against all fingerprints at once with an Aho–Corasick automaton over words. File names are scanned too.
"""

from __future__ import annotations

import copy
import gzip
import hashlib
import html
import io
import math
import multiprocessing
import os
import re
import zipfile
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from urllib.parse import unquote

import ahocorasick

from .fingerprints import Fingerprint, split_words

TAG = re.compile(r"<[^>]*>")
# Attribute values, double-quoted (may hold an apostrophe), single-quoted and unquoted: one pattern each, so
# that each pass is a single C-level findall.
ATTRIBUTE_VALUES = (re.compile(r'=\s*"([^"]*)"'), re.compile(r"=\s*'([^']*)'"), re.compile(r"=([^\s\"'=<>`]+)"))
JSON_ESCAPE = re.compile(r"\\u([0-9a-fA-F]{4})")
# Runs of %-escapes, decoded together (a UTF-8 character spans several) as `unquote` would; `unquote` itself
# walks every stretch between two non-ASCII characters in Python.
PERCENT_ESCAPES = re.compile(r"(?:%[0-9a-fA-F]{2})+")
GZIP_MAGIC = b"\x1f\x8b"
ZIP_MAGIC = b"PK\x03\x04"
UNKNOWN = "\0"  # the code of every word that is in no fingerprint: in no key, so it breaks every run
# Word codes lie above the BMP, clear of the surrogates (pyahocorasick's Linux wheels key on UCS-4).
HIGH_CODES, LOW_CODES = 0x10000, 0x100000
PARALLEL_MIN_FILES = 500  # below this, forking a second scanner costs more than it saves
# A memory of clean files holds only for the code that found them clean: any change to how files are read voids it.
READER_CODE = hashlib.blake2b(b"".join(path.read_bytes()
                                       for path in sorted(Path(__file__).parent.glob("*.py")))).hexdigest()


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
    """All fingerprints in one Aho–Corasick automaton over words rather than letters (a quarter of the nodes):
    each distinct fingerprint word has a code, a text becomes the codes of its words (UNKNOWN for words in no
    fingerprint), and every match is an exact run of whole words.

    A code is two characters, a "high" and a "low" one from disjoint ranges (so a match can only start at a
    word), each from about √(vocabulary) values: pyahocorasick looks a letter up among a node's children one by
    one, and with one character per word the root would have a child for every word that starts a fingerprint."""

    def __init__(self, fingerprints: Iterable[Fingerprint]) -> None:
        self.by_words: dict[str, list[Fingerprint]] = {}
        for fp in fingerprints:
            self.by_words.setdefault(fp.words, []).append(fp)
        self.excused: frozenset[str] = frozenset()
        vocabulary = dict.fromkeys(word for words in self.by_words for word in words.split())
        width = math.isqrt(len(vocabulary)) + 1
        self.codes = {word: chr(HIGH_CODES + i // width) + chr(LOW_CODES + i % width)
                      for i, word in enumerate(vocabulary)}
        self.digest = _digest(self.by_words)
        self.automaton = ahocorasick.Automaton()
        for words in self.by_words:
            if words.strip():
                self.automaton.add_word(self.encode(words.split()), words)
        if len(self.automaton):
            self.automaton.make_automaton()

    def excusing(self, words: Iterable[str]) -> Matcher:
        """This matcher, blind to the fingerprints with these `words`: one automaton serves every scan of a
        build (building it is most of the gate's time on a large site)."""
        view = copy.copy(self)
        view.excused = self.excused | frozenset(words)
        view.by_words = {words: fps for words, fps in self.by_words.items() if words not in view.excused}
        view.digest = _digest(view.by_words)
        return view

    def encode(self, words: Iterable[str]) -> str:
        """The codes of `words`, UNKNOWN for each word in no fingerprint."""
        return "".join(map(self.codes.get, words, repeat(UNKNOWN)))

    def search(self, encoded: str) -> set[str]:
        """The fingerprints (by their `words`) in an encoded text; join encoded texts with UNKNOWN."""
        if not len(self.automaton):
            return set()
        return {words for _end, words in self.automaton.iter(encoded)} - self.excused

    def find(self, normalised_text: str) -> set[str]:
        """The fingerprints (by their `words`) in a normalised text, or in several normalised texts joined."""
        # Split at single spaces: the empty word between two joined texts becomes UNKNOWN and breaks a run.
        return self.search(self.encode(normalised_text.split(" ")))

    def find_in(self, texts: Iterable[str]) -> set[str]:
        """The fingerprints in any of `texts`, each read as plain text."""
        return self.search(UNKNOWN.join(self.encode(split_words(text)) for text in texts))


def _digest(fingerprint_words: Iterable[str]) -> str:
    """What a scan's memory of clean files is valid for: these fingerprints, this way of reading files."""
    return hashlib.blake2b("\n".join([READER_CODE, *sorted(fingerprint_words)]).encode(), digest_size=16).hexdigest()


def shared_words(matcher: Matcher, public_texts: Iterable[str], label_texts: Iterable[str] = ()) -> set[str]:
    """The fingerprints (by their `words`) that occur in text the public build is legitimately given, so text
    shared by a public and a non-public item raises no false alarm. `label_texts` (the theme) excuse single
    words only — a category called "Kundenbereich" — never a title or sentence that a template hard-codes."""
    labels = {words for words in matcher.find_in(label_texts) if words.count(" ") == 2}
    return matcher.find_in(public_texts) | labels


def visible_words(raw: str) -> list[str]:
    """The case-folded words of a file as any reader could recover them."""
    # C-level passes instead of a callback per tag: the text with markup blanked, then attribute values.
    text = " ".join([TAG.sub(" ", raw), *(value for pattern in ATTRIBUTE_VALUES for value in pattern.findall(raw))])
    text = html.unescape(text)
    if "\\u" in text:
        text = JSON_ESCAPE.sub(lambda match: chr(int(match[1], 16)), text)
    if "%" in text:
        text = PERCENT_ESCAPES.sub(lambda run: bytes.fromhex(run[0].replace("%", "")).decode(errors="replace"), text)
    return split_words(text)


def _texts(data: bytes) -> Iterator[str]:
    """The text of a file, and the names and texts of everything packed inside it."""
    if data.startswith(GZIP_MAGIC):
        try:
            yield from _texts(gzip.decompress(data))
            return
        except (OSError, EOFError):
            pass
    if data.startswith(ZIP_MAGIC):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                for member in archive.namelist():
                    yield member
                    yield from _texts(archive.read(member))
            return
        except zipfile.BadZipFile:
            pass
    yield data.decode("utf-8", errors="replace")


def _files(root: Path, skip_dirs: set[str]) -> Iterator[tuple[str, str]]:
    """(path, path relative to `root` in POSIX form) of every file, in sorted order."""
    top = os.fspath(root)
    for directory, subdirectories, files in os.walk(top):
        folder = directory[len(top):].strip(os.sep).replace(os.sep, "/")
        if not folder:
            subdirectories[:] = [d for d in subdirectories if d not in skip_dirs]
        subdirectories.sort()
        prefix = folder + "/" if folder else ""
        yield from ((os.path.join(directory, name), prefix + name) for name in sorted(files))


def _scan_file(matcher: Matcher, clean: frozenset[str], path: str,
               relative: str) -> tuple[int, list[str], str]:
    """The size of a file, the fingerprints (by their `words`, sorted) in its name and content, and the digest
    of both. A name and content that were clean under the same fingerprints (`clean`) need no second look."""
    with open(path, "rb") as file:
        data = file.read()
    digest = hashlib.blake2b(relative.encode() + b"\0" + data, digest_size=16).hexdigest()
    if digest in clean:
        return len(data), [], digest
    encoded = [matcher.encode(split_words(unquote(relative)))]
    encoded += (matcher.encode(visible_words(text)) for text in _texts(data))
    return len(data), sorted(matcher.search(UNKNOWN.join(encoded))), digest


_inherited: tuple[Matcher, frozenset[str]] | None = None  # the forked scanner's: an automaton pickles slowly


def _inherit(matcher: Matcher, clean: frozenset[str]) -> None:
    global _inherited
    _inherited = matcher, clean


def _scan_files(files: list[tuple[str, str]], matcher: Matcher | None = None,
                clean: frozenset[str] = frozenset()) -> list[tuple[int, list[str], str]]:
    if matcher is None:
        matcher, clean = _inherited
    return [_scan_file(matcher, clean, path, relative) for path, relative in files]


def scan(root: Path, fingerprints: list[Fingerprint] | Matcher, *, skip_dirs: Iterable[str] = (),
         memory: Path | None = None) -> GateReport:
    """Scan every file under `root` (except the top-level `skip_dirs`) and its name for every fingerprint (or
    with a Matcher built once for several scans). A large tree is scanned by two processes, every other file
    by a forked one.

    `memory` is a file that remembers the digests of the files found clean, with the fingerprints they were
    scanned for: the next scan with the same fingerprints still reads and hashes every byte, but scans only
    names and contents it has not seen clean (an unchanged site is most of a rebuild)."""
    matcher = fingerprints if isinstance(fingerprints, Matcher) else Matcher(fingerprints)
    clean = _recall(memory, matcher)
    files = list(_files(root, set(skip_dirs)))
    results: list[tuple[int, list[str], str]] = []
    if len(files) < PARALLEL_MIN_FILES or (os.cpu_count() or 1) < 2:
        results = _scan_files(files, matcher, clean)
    else:
        fork = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(1, mp_context=fork, initializer=_inherit, initargs=(matcher, clean)) as pool:
            odd = pool.submit(_scan_files, files[1::2])
            even = _scan_files(files[0::2], matcher, clean)
            for pair in zip(even, odd.result()):
                results += pair
            results += even[len(files) // 2:]  # the last file, when there is an odd number
    report = GateReport(fingerprints=len(matcher.by_words), files=len(files))
    for (_path, relative), (size, found, _digest) in zip(files, results):
        report.bytes += size
        report.hits.extend(Hit(fp, relative) for words in found for fp in matcher.by_words[words])
    if memory is not None:
        memory.write_text("\n".join([matcher.digest, *(digest for _size, found, digest in results if not found)]))
    return report


def _recall(memory: Path | None, matcher: Matcher) -> frozenset[str]:
    """The digests `memory` holds, if it was written for exactly these fingerprints."""
    try:
        lines = memory.read_text().split("\n") if memory else []
    except FileNotFoundError:
        return frozenset()
    return frozenset(lines[1:]) if lines and lines[0] == matcher.digest else frozenset()
