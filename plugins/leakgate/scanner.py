"""The leak gate's scan: every byte of every public file, in one pass per file (docs/architecture.md §3).

Each file is opened in every form a reader could read it (formats.py: containers, documents, encodings), its
text is read as a reader sees it (text.py), and the words are matched against all fingerprints at once with an
Aho–Corasick automaton over words. File names are scanned too. A file the gate cannot read completely fails the
scan: it is reported, never passed.
"""

from __future__ import annotations

import copy
import fnmatch
import hashlib
import math
import multiprocessing
import os
from collections.abc import Callable, Collection, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from urllib.parse import unquote

import ahocorasick

from .fingerprints import Fingerprint
from .formats import Unreadable, texts
from .text import words as reader_words

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
        return f"{self.file}: {fp.kind} of {fp.item}: {fp.text!r}" + (f" — {fp.hint}" if fp.hint else "")


@dataclass(frozen=True)
class Unread:
    """A file the gate could not read completely: it fails the build like a hit (fail closed)."""

    file: str  # relative to the scanned root
    reason: str

    def __str__(self) -> str:
        return f"{self.file}: cannot be read completely, so it cannot be proved clean: {self.reason}"


@dataclass
class GateReport:
    files: int = 0
    bytes: int = 0
    fingerprints: int = 0
    hits: list[Hit] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.hits and not self.unread


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
        self.digest = _digest(self.by_words)
        self._all = self.by_words
        self._compiled: list[tuple[dict[str, str], ahocorasick.Automaton]] = []  # shared with every view

    def compile(self) -> tuple[dict[str, str], ahocorasick.Automaton]:
        """The word codes and the automaton of all fingerprints, made at the first search: a rebuild whose files
        are all remembered clean, and whose excused fingerprints the memo remembers, needs neither."""
        if not self._compiled:
            vocabulary = dict.fromkeys(word for words in self._all for word in words.split())
            width = math.isqrt(len(vocabulary)) + 1
            codes = {word: chr(HIGH_CODES + i // width) + chr(LOW_CODES + i % width)
                     for i, word in enumerate(vocabulary)}
            automaton = ahocorasick.Automaton()
            for words in self._all:
                if words.strip():
                    automaton.add_word("".join(map(codes.__getitem__, words.split())), words)
            if len(automaton):
                automaton.make_automaton()
            self._compiled.append((codes, automaton))
        return self._compiled[0]

    def excusing(self, words: Iterable[str]) -> Matcher:
        """This matcher, blind to the fingerprints with these `words`: one automaton serves every scan of a
        build (building it is most of the gate's time on a large site)."""
        view = copy.copy(self)
        excused = {fingerprint for fingerprint in words if fingerprint in self.by_words}
        view.excused = self.excused | excused
        view.by_words = {words: fps for words, fps in self.by_words.items() if words not in excused}
        view.digest = hashlib.blake2b("\n".join([self.digest, *sorted(excused)]).encode(), digest_size=16).hexdigest()
        return view

    def encode(self, words: Iterable[str]) -> str:
        """The codes of `words`, UNKNOWN for each word in no fingerprint."""
        return "".join(map(self.compile()[0].get, words, repeat(UNKNOWN)))

    def search(self, encoded: str) -> set[str]:
        """The fingerprints (by their `words`) in an encoded text; join encoded texts with UNKNOWN."""
        automaton = self.compile()[1]
        if not len(automaton):
            return set()
        return {words for _end, words in automaton.iter(encoded)} - self.excused

    def find(self, normalised_text: str) -> set[str]:
        """The fingerprints (by their `words`) in a normalised text, or in several normalised texts joined."""
        # Split at single spaces: the empty word between two joined texts becomes UNKNOWN and breaks a run.
        return self.search(self.encode(normalised_text.split(" ")))

    def find_in(self, word_lists: Iterable[list[str]]) -> set[str]:
        """The fingerprints in any of the texts whose words (text.words) are `word_lists`."""
        return self.search(UNKNOWN.join(map(self.encode, word_lists)))


def _digest(fingerprint_words: Iterable[str]) -> str:
    """What a scan's memory of clean files is valid for: these fingerprints, this way of reading files."""
    return hashlib.blake2b("\n".join([READER_CODE, *sorted(fingerprint_words)]).encode(), digest_size=16).hexdigest()


def shared_words(matcher: Matcher, public_words: list[list[str]], label_words: list[list[str]] | None = None,
                 identities: Collection[str] = frozenset(),
                 find_in: Callable[[Matcher, list[list[str]]], set[str]] = Matcher.find_in) -> set[str]:
    """The fingerprints (by their `words`) that occur in what the public build is legitimately given, so that
    text shared by a public and a non-public item raises no false alarm. `public_words` are the words of public
    content; `label_words` those of the theme and the site's own labels, which excuse every phrase and single
    word except `identities` of more than one word (a title that a template hard-codes leaks that title).
    `find_in`: Matcher.find_in, or what remembers it per text (a match never crosses two texts)."""
    labels = {words for words in find_in(matcher, label_words or []) if words.count(" ") == 2
              or words not in identities}
    return find_in(matcher, public_words) | labels


def _files(root: Path, skip_dirs: set[str]) -> Iterator[tuple[str, str]]:
    """(path, path relative to `root` in POSIX form) of every file outside the folders `skip_dirs` (relative
    to `root`), in sorted order."""
    top = os.fspath(root)
    for directory, subdirectories, files in os.walk(top):
        folder = directory[len(top):].strip(os.sep).replace(os.sep, "/")
        prefix = folder + "/" if folder else ""
        subdirectories[:] = sorted(d for d in subdirectories if prefix + d not in skip_dirs)
        yield from ((os.path.join(directory, name), prefix + name) for name in sorted(files))


Scanned = tuple[int, list[str], str, str | None]  # size, fingerprints found (by `words`), digest, why unreadable


def _scan_file(matcher: Matcher, clean: frozenset[str], path: str, relative: str) -> Scanned:
    """The size of a file, the fingerprints (by their `words`, sorted) in its name and content, the digest of
    both, and why it could not be read (None if it could). A name and content that were clean under the same
    fingerprints (`clean`) need no second look."""
    with open(path, "rb") as file:
        data = file.read()
    digest = hashlib.blake2b(relative.encode() + b"\0" + data, digest_size=16).hexdigest()
    if digest in clean:
        return len(data), [], digest, None
    encoded = [matcher.encode(reader_words(unquote(relative)))]
    unreadable = None
    try:
        encoded += (matcher.encode(reader_words(text)) for text in texts(data, relative))
    except Unreadable as error:
        unreadable = str(error)
    return len(data), sorted(matcher.search(UNKNOWN.join(encoded))), digest, unreadable


_inherited: tuple[Matcher, frozenset[str]] | None = None  # the forked scanner's: an automaton pickles slowly


def _inherit(matcher: Matcher, clean: frozenset[str]) -> None:
    global _inherited
    _inherited = matcher, clean


def _scan_files(files: list[tuple[str, str]], matcher: Matcher | None = None,
                clean: frozenset[str] = frozenset()) -> list[Scanned]:
    if matcher is None:
        if _inherited is None:
            raise RuntimeError("a forked scanner without its matcher")
        matcher, clean = _inherited
    return [_scan_file(matcher, clean, path, relative) for path, relative in files]


def scan(root: Path, fingerprints: list[Fingerprint] | Matcher, *, skip_dirs: Iterable[str] = (),
         only: Iterable[str] | None = None, skip: Iterable[str] = (), memory: Path | None = None) -> GateReport:
    """Scan every file under `root` and its name for every fingerprint (or with a Matcher built once for several
    scans) — except in the folders `skip_dirs`, and if given, only the files matching a glob pattern of `only`
    and none of `skip` (patterns relative to `root`). A large tree is scanned by two processes, every other file
    by a forked one.

    `memory` is a file that remembers the digests of the files found clean, with the fingerprints they were
    scanned for: the next scan with the same fingerprints, or fewer, still reads and hashes every byte, but scans
    only names and contents it has not seen clean (an unchanged site is most of a rebuild, and of a release)."""
    matcher = fingerprints if isinstance(fingerprints, Matcher) else Matcher(fingerprints)
    clean = _recall(memory, matcher)
    files = [(path, relative) for path, relative in _files(root, set(skip_dirs))
             if (only is None or any(fnmatch.fnmatchcase(relative, pattern) for pattern in only))
             and not any(fnmatch.fnmatchcase(relative, pattern) for pattern in skip)]
    results: list[Scanned] = []
    if len(files) < PARALLEL_MIN_FILES or (os.cpu_count() or 1) < 2:
        results = _scan_files(files, matcher, clean)
    else:
        if not clean:
            matcher.compile()  # once, for both processes
        fork = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(1, mp_context=fork, initializer=_inherit, initargs=(matcher, clean)) as pool:
            odd = pool.submit(_scan_files, files[1::2])
            even = _scan_files(files[0::2], matcher, clean)
            for pair in zip(even, odd.result(), strict=False):  # `even` may have one more
                results += pair
            results += even[len(files) // 2:]  # the last file, when there is an odd number
    report = GateReport(fingerprints=len(matcher.by_words), files=len(files))
    for (_path, relative), (size, found, _digest, unreadable) in zip(files, results, strict=True):
        report.bytes += size
        report.hits.extend(Hit(fp, relative) for words in found for fp in matcher.by_words[words])
        if unreadable:
            report.unread.append(Unread(relative, unreadable))
    if memory is not None:
        scanned_for = _scanned_for(memory)
        if _first_line(scanned_for) != matcher.digest:  # written before the memory, so never newer than it
            scanned_for.write_text("\n".join([matcher.digest, READER_CODE, *matcher.by_words]))
        clean_files = (digest for _size, found, digest, unreadable in results if not found and not unreadable)
        memory.write_text("\n".join([matcher.digest, *clean_files]))
    return report


def _recall(memory: Path | None, matcher: Matcher) -> frozenset[str]:
    """The digests `memory` holds, if it was written for these fingerprints or, by the same code, for more of
    them: a file without any of them has none of fewer. A release only takes fingerprints away, so it needs no
    second look at the files that did not change."""
    if memory is None:
        return frozenset()
    try:
        lines = memory.read_text().split("\n")
        if lines[0] != matcher.digest:
            digest, code, *fingerprints = _scanned_for(memory).read_text().split("\n")
            if digest != lines[0] or code != READER_CODE or not matcher.by_words.keys() <= set(fingerprints):
                return frozenset()
    except (FileNotFoundError, ValueError):  # no memory, or no record of what it was scanned for
        return frozenset()
    return frozenset(lines[1:])


def _scanned_for(memory: Path) -> Path:
    """Beside a memory: the digest it is for, the code that read the files, and the fingerprints they lacked."""
    return memory.with_name(memory.name + ".fingerprints")


def _first_line(path: Path) -> str:
    try:
        with path.open(encoding="utf-8") as file:
            return file.readline().rstrip("\n")
    except FileNotFoundError:
        return ""
