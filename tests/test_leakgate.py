"""The leak gate's word-level matching and scan: whole words in order, every decoding, a stable report."""

from __future__ import annotations

import gzip
import io
import json
import random
import zipfile
from pathlib import Path

import pytest

import leakgate.scanner
from leakgate import Fingerprint, scan, shared_words
from leakgate.scanner import Matcher
from leakgate.text import normalise, words


def fingerprint(text: str, kind: str = "title", item: str = "content/products/geheim.md") -> Fingerprint:
    return Fingerprint(normalise(text), kind, item, text)


KAFFEE_BOHNE = fingerprint("Kaffee Bohne")
# Known words (in some fingerprint) that are not part of the one under test.
OTHERS = [fingerprint("Ernte Zeit"), fingerprint("Bohne Kaffee Ernte Tasse")]


def found(text: str) -> set[str]:
    return Matcher([KAFFEE_BOHNE, *OTHERS]).find(normalise(text))


def write(root: Path, files: dict[str, bytes | str]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


@pytest.mark.parametrize("text", ["Kaffee, Bohne!", "eine Kaffee Bohne hier", "KAFFEE\nbohne"])
def test_the_words_in_order_match(text: str) -> None:
    assert found(text) == {KAFFEE_BOHNE.words}


@pytest.mark.parametrize("text", ["kaffeebohne", "kaffee bohnen", "mokkakaffee bohne", "kaffees bohne",
                                  "ein kaffee_bohne"])
def test_only_whole_words_match(text: str) -> None:
    assert found(text) == set()


def test_known_words_in_another_order_do_not_match() -> None:
    assert found("bohne kaffee ernte zeit") == {fingerprint("Ernte Zeit").words}


@pytest.mark.parametrize("between", ["frische", "ernte", "42"])
def test_a_word_between_the_fingerprint_words_breaks_the_match(between: str) -> None:
    assert found(f"kaffee {between} bohne") == set()


@pytest.mark.parametrize("text", ["Kaffee Bohne und mehr", "mehr und Kaffee Bohne", "Kaffee Bohne"])
def test_a_match_at_the_very_start_or_end(text: str) -> None:
    assert found(text) == {KAFFEE_BOHNE.words}


def test_joined_normalised_texts_do_not_match_across_their_boundary() -> None:
    matcher = Matcher([KAFFEE_BOHNE])
    assert matcher.find(normalise("ein Kaffee") + normalise("Bohne")) == set()
    assert matcher.find(normalise("Tee") + normalise("Kaffee Bohne")) == {KAFFEE_BOHNE.words}


def test_shared_words_are_what_public_text_holds_and_what_the_theme_holds_but_no_identity() -> None:
    """Public content excuses whatever it shares; the theme excuses single words and phrases, but not a title it
    hard-codes (that is a leak)."""
    word, sentence = fingerprint("Kundenbereich", "category"), fingerprint("Ernte Zeit", "body")
    phrase = fingerprint("Jetzt vorbestellen", "members-only part")
    title = Fingerprint(normalise("Kaffee Bohne"), "title", "content/products/geheim.md", "Kaffee Bohne",
                        identity=True)
    matcher = Matcher([title, word, sentence, phrase])
    excused = shared_words(matcher, [words("Ein Kaffee."), words("Bohne und Ernte Zeit")],
                           [words("<h1>Kundenbereich</h1> <!-- Kaffee Bohne --> <a>Jetzt vorbestellen</a>")],
                           identities={title.words})
    assert excused == {word.words, sentence.words, phrase.words}


def test_matches_equal_a_plain_search_for_word_runs_over_a_large_vocabulary() -> None:
    """Codes of a large vocabulary span many "high" characters; no match may start or end inside a word."""
    rng = random.Random(7)
    vocabulary = [f"wort{i}" for i in range(3000)]
    prints = [fingerprint(" ".join(rng.choices(vocabulary, k=rng.randint(1, 3)))) for _ in range(2000)]
    matcher = Matcher(prints)
    for _ in range(200):
        words = [rng.choice(vocabulary) if rng.random() < 0.9 else "fremd" for _ in range(40)]
        expected = {fp.words for fp in prints if fp.words in " " + " ".join(words) + " "}
        assert matcher.find(" " + " ".join(words) + " ") == expected


def test_the_same_fingerprint_is_found_in_every_encoding(tmp_path: Path) -> None:
    prints = [fingerprint("Mia's Röstung Panama"), *OTHERS]
    planted = {
        "fragment.pf_fragment": gzip.compress(json.dumps({"content": "Mia's Röstung Panama"}).encode()),
        "escaped.json": json.dumps({"t": "Mia's Röstung Panama"}, ensure_ascii=True),
        "double.html": "<meta content=\"Mia's Röstung Panama\">",
        "single.html": "<img alt='Mia&#39;s R&ouml;stung Panama'>",
        "unquoted.html": "<a href=/mia-s/röstung-panama/>x</a>",
        "percent.html": '<a href="/mia%27s%20r%C3%B6stung%20panama">x</a>',
        "mia-s-r%C3%B6stung-panama.svg": "<svg/>",
        "member-name.zip": _zip({"mia-s-röstung-panama.txt": "x"}),
        "member-text.zip": _zip({"inner.html": "<p>Mia’s <b>Röstung</b> Panama</p>"}),
        "clean.html": "<p>Mia's Röstung</p><p>aus Panama</p><i title='Mia%zz'>röstung</i>",
        "broken.html": '<a href="/r%C3stung%C3%B6%C3">x</a>',
    }
    root = write(tmp_path / "public", planted)
    hits = scan(root, prints).hits
    assert sorted(hit.file for hit in hits) == sorted(set(planted) - {"clean.html", "broken.html"})


def _zip(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


REPORT_TREE = {
    "z.html": "<p>Kaffee Bohne</p><p>Ernte Zeit</p><p>Zucker, Milch, Aroma Note, Tasse Crema</p>",
    "b.txt": "kaffee bohne",
    "a/x.html": "<p>Ernte Zeit</p>",
    "a/b/y.html": "<img alt='Ernte Zeit' title='Kaffee Bohne'>",
    "a/clean.html": "<p>Kaffee</p>",
    "members/geheim.html": "Kaffee Bohne",
}


@pytest.mark.parametrize("parallel_from", [10**9, 1], ids=["one process", "forked"])
def test_the_report_lists_hits_by_file_in_walk_order_then_by_fingerprint_words(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, parallel_from: int) -> None:
    monkeypatch.setattr(leakgate.scanner, "PARALLEL_MIN_FILES", parallel_from)
    ernte = fingerprint("Ernte Zeit", "body", "content/a.md")
    slug = fingerprint("kaffee-bohne", "slug", "content/c.md")
    zucker, aroma, tasse = (fingerprint(text, "body", "content/d.md") for text in ("Zucker Milch", "Aroma Note",
                                                                                    "Tasse Crema"))
    prints = [zucker, KAFFEE_BOHNE, aroma, ernte, slug, tasse]
    report = scan(write(tmp_path / "public", REPORT_TREE), prints, skip_dirs=["members"])
    assert [(hit.file, hit.fingerprint) for hit in report.hits] == [
        ("b.txt", KAFFEE_BOHNE), ("b.txt", slug),
        ("z.html", aroma), ("z.html", ernte), ("z.html", KAFFEE_BOHNE), ("z.html", slug), ("z.html", tasse),
        ("z.html", zucker),
        ("a/x.html", ernte),
        ("a/b/y.html", ernte), ("a/b/y.html", KAFFEE_BOHNE), ("a/b/y.html", slug),
    ]
    assert scan(tmp_path / "public", Matcher(prints), skip_dirs=["members"]) == report
    assert (report.files, report.fingerprints) == (len(REPORT_TREE) - 1, 5)
    assert report.bytes == sum(len(text.encode()) for name, text in REPORT_TREE.items()
                               if not name.startswith("members/"))


def test_the_memory_of_clean_files_spares_only_unchanged_bytes_under_the_same_fingerprints(tmp_path: Path) -> None:
    """A rebuild scans only what changed; a changed file, or other fingerprints, are scanned in full."""
    site = write(tmp_path / "site", {"a.html": "<p>Frische Ernte</p>", "b/c.html": "<p>Ernte Zeit</p>"})
    memory = tmp_path / "memory"
    assert scan(site, [KAFFEE_BOHNE], memory=memory).passed
    assert len(memory.read_text().split("\n")) == 3  # the fingerprints' digest, then one line per clean file

    (site / "a.html").write_text("<p>Frische Kaffee-Bohne</p>")  # changed bytes: scanned again
    assert [hit.file for hit in scan(site, [KAFFEE_BOHNE], memory=memory).hits] == ["a.html"]

    # Unchanged bytes, other fingerprints (as after a release): the memory does not hold.
    assert [hit.file for hit in scan(site, [fingerprint("Ernte Zeit")], memory=memory).hits] == ["b/c.html"]
    # Nor for the same automaton made blind to some fingerprints, nor back again.
    both = Matcher([KAFFEE_BOHNE, fingerprint("Ernte Zeit")])
    assert [hit.file for hit in scan(site, both.excusing({KAFFEE_BOHNE.words}), memory=memory).hits] == ["b/c.html"]
    assert [hit.file for hit in scan(site, both, memory=memory).hits] == ["a.html", "b/c.html"]


def test_the_memory_is_what_spares_a_file(tmp_path: Path) -> None:
    """Proof that the memory is consulted: a forged memory that lists a leaking file as clean hides it (which is
    why it lives in the project's own cache/ and is void for any other fingerprints or scanner code)."""
    site = write(tmp_path / "site", {"a.html": "<p>Kaffee Bohne</p>"})
    memory = tmp_path / "memory"
    assert not scan(site, [KAFFEE_BOHNE], memory=memory).passed
    assert memory.read_text().split("\n")[1:] == []  # a file with hits is never remembered as clean
    digest = leakgate.scanner.hashlib.blake2b(b"a.html\0<p>Kaffee Bohne</p>", digest_size=16).hexdigest()
    memory.write_text(f"{Matcher([KAFFEE_BOHNE]).digest}\n{digest}")
    assert scan(site, [KAFFEE_BOHNE], memory=memory).passed


def _reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The names of the files the scan opens from now on (those the memory does not spare)."""
    opened: list[str] = []
    original = leakgate.scanner.texts

    def texts(data: bytes, name: str = "", depth: int = 0) -> object:
        opened.append(name)
        return original(data, name, depth)

    monkeypatch.setattr(leakgate.scanner, "texts", texts)
    return opened


def test_the_memory_holds_for_fewer_fingerprints_and_never_for_one_more(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    """A release only takes fingerprints away, and a file clean of some fingerprints is clean of fewer: no file is
    read again. Canaries: an unchanged file remembered clean holds a fingerprint the memory was not scanned for —
    one that public content no longer excuses, then a new secret — and each is caught."""
    ernte, frische = fingerprint("Ernte Zeit"), fingerprint("Frische Ernte")
    site = write(tmp_path / "site", {"a.html": "<p>Frische Ernte</p>", "b.html": "<p>Ernte Zeit</p>"})
    memory = tmp_path / "memory"
    both = Matcher([KAFFEE_BOHNE, ernte])
    assert scan(site, both.excusing({ernte.words}), memory=memory).passed  # public content shares "Ernte Zeit"
    opened = _reads(monkeypatch)
    assert scan(site, [KAFFEE_BOHNE], memory=memory).passed  # another automaton, fewer fingerprints
    assert opened == []

    assert [hit.file for hit in scan(site, both, memory=memory).hits] == ["b.html"]  # no longer excused
    assert opened == ["a.html", "b.html"]
    opened.clear()
    assert [hit.file for hit in scan(site, [KAFFEE_BOHNE, ernte, frische], memory=memory).hits] == \
        ["a.html", "b.html"]  # a new secret in a file remembered clean
    assert opened == ["a.html", "b.html"]


def test_a_memory_of_fewer_fingerprints_or_by_other_code_spares_nothing(tmp_path: Path) -> None:
    """The memory is consulted for fewer fingerprints (a forged one that lists a leaking file as clean hides it),
    but only if the same code read the files and it was written for every fingerprint scanned for now."""
    site = write(tmp_path / "site", {"b.html": "<p>Ernte Zeit</p>"})
    memory = tmp_path / "memory"
    ernte = fingerprint("Ernte Zeit")
    digest = leakgate.scanner.hashlib.blake2b(b"b.html\0<p>Ernte Zeit</p>", digest_size=16).hexdigest()

    def forge(code: str, fingerprints: list[Fingerprint]) -> None:
        memory.write_text(f"earlier\n{digest}")
        (tmp_path / "memory.fingerprints").write_text("\n".join(["earlier", code, *(fp.words for fp in fingerprints)]))

    forge(leakgate.scanner.READER_CODE, [ernte, KAFFEE_BOHNE])
    assert scan(site, [ernte], memory=memory).passed  # proof that the memory is what spares the file
    for code, fingerprints in ((leakgate.scanner.READER_CODE, [KAFFEE_BOHNE]), ("an older gate", [ernte])):
        forge(code, fingerprints)
        assert [hit.file for hit in scan(site, [ernte], memory=memory).hits] == ["b.html"]
    forge(leakgate.scanner.READER_CODE, [ernte])
    (tmp_path / "memory.fingerprints").write_text(f"another memory's\n{leakgate.scanner.READER_CODE}\n{ernte.words}")
    assert [hit.file for hit in scan(site, [ernte], memory=memory).hits] == ["b.html"]


def test_the_automaton_is_made_at_the_first_search_for_every_fingerprint_of_every_view(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Made by whichever view searches first, in whichever process. Canaries: a fingerprint that view excuses is
    still found by the matcher it was cut from; a changed file that only the forked scanner reads, with a memory
    that spares the rest (so nothing was made before the fork), is caught."""
    ernte = fingerprint("Ernte Zeit")
    both = Matcher([KAFFEE_BOHNE, ernte])
    assert both.excusing({KAFFEE_BOHNE.words}).find(normalise("Kaffee Bohne, Ernte Zeit")) == {ernte.words}
    assert both.find(normalise("Kaffee Bohne, Ernte Zeit")) == {KAFFEE_BOHNE.words, ernte.words}

    monkeypatch.setattr(leakgate.scanner, "PARALLEL_MIN_FILES", 1)
    site = write(tmp_path / "site", {"a.html": "<p>Frische Ernte</p>", "b.html": "<p>Tee</p>"})
    memory = tmp_path / "memory"
    assert scan(site, [KAFFEE_BOHNE], memory=memory).passed
    (site / "b.html").write_text("<p>Kaffee Bohne</p>")  # the second file: the forked scanner's
    assert [hit.file for hit in scan(site, Matcher([KAFFEE_BOHNE]), memory=memory).hits] == ["b.html"]
