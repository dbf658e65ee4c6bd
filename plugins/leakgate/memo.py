"""What the leak gate computes from text that has not changed since the last build: the words of a text and the
fingerprints of an item, kept in the build's cache folder.

Both are pure functions of their input and of the gate's code, so the memo holds only for the same code (any
change to how the gate reads text voids it) and is keyed by a digest of the input. Like the memory of clean
files, it lives in the project's own cache/: whoever can write there could also change the build itself.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

from .fingerprints import Fingerprint
from .scanner import READER_CODE, Matcher
from .text import words

MAX_ENTRIES = 200_000  # a memo that grows past this (texts that never come back) starts afresh


class Memo:
    """Words of texts and fingerprints of items, remembered between builds in `path` (None: nowhere)."""

    def __init__(self, path: Path | None) -> None:
        self.path = path
        self.entries: dict[bytes, Any] = {}  # plain values (strings, tuples): quick to load
        self.used: set[bytes] = set()
        self.changed = False
        if path is not None and path.is_file():
            try:
                code, entries = pickle.loads(path.read_bytes())  # noqa: S301 — the project's own cache/
            except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError, ImportError):
                code, entries = None, {}
            if code == READER_CODE:
                self.entries = entries

    def words(self, text: str) -> list[str]:
        """text.words(text), remembered."""
        return self.remembered(text, lambda: words(text))

    def fingerprints(self, item: Any, whole: bool, compute: Callable[[], Iterator[Fingerprint]]) -> list[Fingerprint]:
        """An item's fingerprints (`compute`), remembered for the same source, values and `whole`."""
        key = repr((item.path, whole, item.source.body, sorted(item.values.items()), item.title, item.slug))
        stored = self._remembered(b"f" + key.encode("utf-8", errors="surrogatepass"),
                                  lambda: [(fp.words, fp.kind, fp.item, fp.text, fp.identity, fp.short, fp.hint)
                                           for fp in compute()])
        return [Fingerprint(*fields) for fields in stored]

    def strings(self, key: Callable[[], str], compute: Callable[[], Iterable[str]]) -> set[str]:
        """`compute()`, strings that depend on nothing but what `key()` names (and the gate's code), remembered."""
        return set(self._remembered(b"s" + key().encode("utf-8", errors="surrogatepass"), lambda: tuple(compute())))

    def matcher(self, fingerprints: list[Fingerprint]) -> Matcher:
        """A Matcher of `fingerprints` (a memo that stays in memory may give the last one again while they are
        the same: its automaton is made once)."""
        return Matcher(fingerprints)

    def found_in(self, matcher: Matcher, word_lists: list[list[str]]) -> set[str]:
        """matcher.find_in(word_lists) (a memo that stays in memory may keep what each text held)."""
        return matcher.find_in(word_lists)

    def remembered(self, text: str, compute: Callable[[], list[str]]) -> list[str]:
        """`compute()`, a list of words that depends on nothing but `text`, remembered."""
        stored = self._remembered(b"w" + text.encode("utf-8", errors="surrogatepass"), lambda: " ".join(compute()))
        return stored.split(" ") if stored else []

    def _remembered(self, data: bytes, compute: Callable[[], Any]) -> Any:
        key = hashlib.blake2b(data, digest_size=16).digest()
        self.used.add(key)
        if key not in self.entries:
            self.entries[key] = compute()
            self.changed = True
        return self.entries[key]

    def save(self) -> None:
        """Keep what this build used (the rest belongs to texts that are gone); write only if that changed."""
        if self.path is None or not (self.changed or len(self.used) < len(self.entries)):
            return
        kept = {key: value for key, value in self.entries.items() if key in self.used}
        if len(kept) > MAX_ENTRIES:
            kept = {}
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(self.path.name + ".tmp")
        temporary.write_bytes(pickle.dumps((READER_CODE, kept), protocol=pickle.HIGHEST_PROTOCOL))
        temporary.replace(self.path)
