"""The gate reads text as a reader sees it (leakgate/text.py) and opens every form a file can take
(leakgate/formats.py); a file it cannot read completely fails the scan (fail closed).

Every fixture is checked not to hold the secret as plain bytes, so a hit proves the decoding, not a lucky match.
"""

from __future__ import annotations

import base64
import bz2
import gzip
import io
import lzma
import struct
import tarfile
import zipfile
import zlib
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from leakgate import Fingerprint, scan, shared_words
from leakgate.scanner import Matcher
from leakgate.text import normalise, words

SECRET = "Geheime Röstung"  # an embargoed product's title
ASCII_SECRET = "Kanariengeheim Sache"  # for formats whose test data are easiest written in ASCII


def fingerprint(text: str, kind: str = "title") -> Fingerprint:
    return Fingerprint(normalise(text), kind, "content/products/geheim.md", text, identity=kind == "title")


# Every way a page, a script, a feed or a calendar may spell the secret, as a browser or app shows it.
RENDERINGS = {
    "nbsp.html": "<p>Geheime&nbsp;Röstung</p>",
    "nbsp-char.html": "<p>Geheime\u00a0Röstung</p>",
    "soft-hyphen-entity.html": "<p>Gehei&shy;me Röstung</p>",
    "soft-hyphen.html": "<p>Gehei\u00adme Rös\u00adtung</p>",
    "zero-width.html": "<p>Ge\u200bheime Rö\u200cstung\u200d</p>",
    "word-joiner.html": "<p>Gehei\u2060me Röstung\ufeff</p>",
    "inline-tags.html": "<p>Ge<em>heime</em> R<strong>ö</strong>stung</p>",
    "wbr.html": "<p>Gehei<wbr>me Rös<wbr/>tung</p>",
    "drop-cap.html": '<p><span class="drop-cap">G</span>eheime Röstung</p>',
    "link-inside.html": '<p>Geheime <a href="/x">Rö</a>stung</p>',
    "decomposed.html": "<p>Geheime Ro\u0308stung</p>",  # NFD: o + combining diaeresis
    "fullwidth.html": "<p>Ｇｅｈｅｉｍｅ Röstung</p>",  # NFKC
    "named-entity.html": "<p>Geheime R&ouml;stung</p>",
    "numeric-entities.html": "<p>&#71;eheime R&#xF6;stung</p>",
    "upper-case.html": "<h2>GEHEIME RÖSTUNG</h2>",
    "comment.html": "<!-- Demnächst: Geheime Röstung -->",
    "attribute.html": '<img alt="Geheime Röstung" src="x.png">',
    "cdata.xml": "<x><![CDATA[Geheime Röstung]]></x>",
    "json.json": '{"title": "Geheime R\\u00f6stung"}',
    "script.js": 'var t = "\\x47eheime R\\u{f6}stung";',
    "json-newline.json": '{"t": "Neu:\\nGeheime R\\u00f6stung"}',
    "percent.html": '<a href="/suche?q=Geheime%20R%C3%B6stung">x</a>',
    "data-url.html": '<img src="data:image/svg+xml;base64,' + base64.b64encode(
        "<svg><title>Geheime Röstung</title></svg>".encode()).decode() + '">',
    "calendar.ics": "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Geheime Rö\r\n stung\r\nEND:VEVENT\r\n"
                    "END:VCALENDAR\r\n",
    "ics-escapes.ics": "BEGIN:VEVENT\r\nDESCRIPTION:Neu\\nGeheime Röstung\\, bald\r\nEND:VEVENT\r\n",
}

# Plain text, but where tags, comments or an escape glued to the first word (`\nGeheime`) would hide it.
READ_AS_WRITTEN = {"comment.html", "attribute.html", "cdata.xml", "ics-escapes.ics"}


def write(root: Path, files: dict[str, bytes | str]) -> Path:
    for name, data in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode() if isinstance(data, str) else data)
    return root


def test_every_rendering_of_an_embargoed_title_is_caught(tmp_path: Path) -> None:
    prints = [fingerprint(SECRET)]
    root = write(tmp_path / "public", {**RENDERINGS, "clean.html": "<p>Geheime Pläne</p><p>Röstung</p>"})
    for name, text in RENDERINGS.items():
        if name not in READ_AS_WRITTEN:
            assert SECRET not in text, f"{name} holds the plain text: it proves nothing"
    assert sorted(hit.file for hit in scan(root, prints).hits) == sorted(RENDERINGS)


def test_block_tags_still_separate_words() -> None:
    assert words("<p>Geheime</p><p>Röstung</p>") == ["geheime", "röstung"]
    assert words("<td>Ge</td><td>heim</td><br>x<img alt=''>y") == ["ge", "heim", "x", "y"]
    assert words("<li>Kaffee</li><li>Bohne</li>Ge<em>heim</em>") == ["kaffee", "bohne", "geheim"]


def test_a_public_sentence_written_with_nbsp_is_excused() -> None:
    """Public sources are excused after the same normalisation, so `&nbsp;` or a soft hyphen in a public page
    never makes a shared sentence a false alarm."""
    sentence = fingerprint("Unsere neue Röstung aus Panama", "body")
    matcher = Matcher([sentence, fingerprint(SECRET)])
    public = ["Unsere&nbsp;neue Rös&shy;tung aus Panama ist da.", "Unsere neue\u00a0Rö\u200bstung aus Panama"]
    for text in public:
        assert shared_words(matcher, [words(text)]) == {sentence.words}, text


# --- formats ------------------------------------------------------------------------------------------------------

def zipped(members: dict[str, str | bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


def tarred(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def pdf(text: str) -> bytes:
    """A one-page PDF whose text sits in a compressed content stream, with the text as its title too."""
    content = zlib.compress(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode())
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def eml(text: str) -> bytes:
    """A message whose subject is RFC 2047-encoded and whose parts are base64, as e-mail tools send them."""
    message = EmailMessage(policy=SMTP)
    message["From"] = "news@example.com"
    message.set_content(f"Hallo,\n\nüberraschend: {text}.\n", cte="base64")
    message.add_alternative(f"<p>Überraschend: <b>{text}</b></p>", subtype="html", cte="base64")
    subject = f"=?utf-8?b?{base64.b64encode(f'Neu: {text} – jetzt'.encode()).decode()}?="  # RFC 2047
    return f"Subject: {subject}\r\n".encode() + message.as_bytes()


PAGE = f"<p>Unsere Röstungen.</p><p>{ASCII_SECRET}</p>".encode() * 20  # long enough to be compressed, not stored
OFFICE = {
    "brief.docx": zipped({"[Content_Types].xml": "<Types/>", "word/document.xml":
                          '<w:document><w:body><w:p><w:r><w:t>Kanarien</w:t></w:r><w:r><w:t>geheim</w:t></w:r>'
                          '<w:r><w:t xml:space="preserve"> Sache</w:t></w:r></w:p></w:body></w:document>'}),
    "liste.xlsx": zipped({"xl/sharedStrings.xml": "<sst><si><r><t>Kanarien</t></r><r><t>geheim Sache</t></r></si>"
                                                  "</sst>"}),
    "brief.odt": zipped({"mimetype": "application/vnd.oasis.opendocument.text", "content.xml":
                         "<office:text><text:p>Kanarien<text:span>geheim</text:span> Sache</text:p></office:text>"}),
}
FORMATS = {
    "utf16-le-bom.txt": ASCII_SECRET.encode("utf-16"),
    "utf16-be-bom.txt": b"\xfe\xff" + ASCII_SECRET.encode("utf-16-be"),
    "utf16-le.txt": f"Hinweis: {ASCII_SECRET} ist neu".encode("utf-16-le"),
    "utf16-be.txt": f"Hinweis: {ASCII_SECRET} ist neu".encode("utf-16-be"),

    "flyer.pdf": pdf(ASCII_SECRET),
    "mail.eml": eml(ASCII_SECRET),
    "mail-without-name": eml(ASCII_SECRET),
    "page.html.gz": gzip.compress(PAGE),
    "page.html.bz2": bz2.compress(PAGE),
    "page.html.xz": lzma.compress(PAGE),
    "bundle.tar.gz": tarred({"inner/page.html": PAGE}),
    "nested.zip": zipped({"inner.zip": zipped({"page.html": f"<p>{ASCII_SECRET}</p>"})}),
    **OFFICE,
}


def test_text_in_any_encoding_is_read(tmp_path: Path) -> None:
    quoted = EmailMessage(policy=SMTP)
    quoted.set_content(f"Neu: {SECRET}\n", cte="quoted-printable")
    encoded = {"bom.txt": b"\xef\xbb\xbf" + SECRET.encode(), "utf16.txt": SECRET.encode("utf-16"),
               "quoted-printable.eml": quoted.as_bytes(),
               "latin1.txt": f"Neu: {SECRET}".encode("cp1252"), "utf16-le.txt": f"Neu: {SECRET}".encode("utf-16-le")}
    root = write(tmp_path / "public", encoded)
    assert sorted(hit.file for hit in scan(root, [fingerprint(SECRET)]).hits) == sorted(encoded)


def png(width: int = 64, height: int = 48) -> bytes:
    """A real PNG: signature, header, compressed noise, end — binary data as images are."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + bytes((x * 7 + y * 13) % 256 for x in range(width * 3)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def test_every_format_is_opened(tmp_path: Path) -> None:
    root = write(tmp_path / "public", {**FORMATS, "clean.pdf": pdf("Nichts zu sehen"), "photo.png": png(),
                                       "clean.docx": zipped({"word/document.xml": "<w:t>Kaffee</w:t>"})})
    for name, data in FORMATS.items():
        assert ASCII_SECRET.encode() not in data and b"Kanariengeheim" not in data, f"{name} proves nothing"
    report = scan(root, [fingerprint(ASCII_SECRET)])
    assert sorted(hit.file for hit in report.hits) == sorted(FORMATS)
    assert report.unread == []


def encrypted_zip() -> bytes:
    """A ZIP whose member claims to be encrypted (general-purpose flag bit 0), as a password-protected ZIP does."""
    data = bytearray(zipped({"secret.html": "x"}))
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        position = data.find(signature)
        data[position + offset] |= 0x01
    return bytes(data)


LONG_TEXT = " ".join(f"Kaffee{number}" for number in range(3000)).encode()  # too varied to compress to nothing
BROKEN = {
    "truncated.html.gz": (gzip.compress(LONG_TEXT)[:-40], "gzip data cannot be read completely"),
    "truncated.zip": (zipped({"a.html": LONG_TEXT})[:-60], "ZIP archive cannot be read completely"),
    "encrypted.zip": (encrypted_zip(), "secret.html: encrypted"),
    "page.zst": (b"\x28\xb5\x2f\xfd" + b"\x00" * 20, "Zstandard archives cannot be read by the leak gate"),
    "broken.pdf": (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 9 0 R >> endobj\ntrailer << /Root 1 0 R >>\n",
                   "PDF cannot be read completely"),
}


def test_a_file_it_cannot_read_completely_fails_the_scan(tmp_path: Path) -> None:
    root = write(tmp_path / "public", {name: data for name, (data, _) in BROKEN.items()} | {"ok.html": "<p>x</p>"})
    memory = tmp_path / "memory"
    report = scan(root, [fingerprint(ASCII_SECRET)], memory=memory)
    assert not report.passed and report.hits == []
    reasons = {unread.file: unread.reason for unread in report.unread}
    assert sorted(reasons) == sorted(BROKEN)
    for name, (_data, reason) in BROKEN.items():
        assert reasons[name].startswith(reason), (name, reasons[name])
    assert str(report.unread[0]).endswith(f"cannot be read completely, so it cannot be proved clean: "
                                          f"{report.unread[0].reason}")
    # A file that could not be read is never remembered as clean: the next scan reports it again.
    assert len(scan(root, [fingerprint(ASCII_SECRET)], memory=memory).unread) == len(BROKEN)



def test_the_inline_tag_pattern_is_the_plain_alternation_of_the_inline_elements() -> None:
    """INLINE_TAG is spelt as a tree of names for speed; it must remove exactly what the alternation of
    INLINE_ELEMENTS removes, in any case (Unicode's too: ſ is s, K is k, İ and ı are i) and with any tail."""
    import itertools
    import random
    import re
    import string

    from leakgate.text import INLINE_ELEMENTS, INLINE_TAG

    plain = re.compile(r"</?(?:" + "|".join(INLINE_ELEMENTS) + r")(?:\s[^>]*)?/?>", re.IGNORECASE)
    variants = {"s": "sSſ", "k": "kKK", "i": "iIİı"}
    names = {name[:length] + extra for name in [*INLINE_ELEMENTS, "br", "div", "li", "img", "summary", "input"]
             for length in range(1, len(name) + 1) for extra in ["", *string.ascii_lowercase]}
    spellings = {"".join(letters) for name in names if len(name) <= 4
                 for letters in itertools.product(*(variants.get(c, c + c.upper()) for c in name))}
    spellings |= {spelling for name in names for spelling in (name, name.upper(), name.title())}
    tails = [">", "/>", " class='x'>", "\n title=\"a>b\">", "-x>", ""]
    cases = [f"a<{slash}{spelling}{tail}b" for spelling in sorted(spellings) for slash in ("", "/") for tail in tails]
    rng = random.Random(16)
    pieces = ["<", ">", "/", " ", "a", "b", "i", "s", "u", "ins", "span", "sup", "q", "=", '"', "ſ", "K", "x"]
    cases += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 14))) for _ in range(20_000)]
    assert len(cases) > 200_000
    assert [INLINE_TAG.sub("", case) for case in cases] == [plain.sub("", case) for case in cases]


def test_the_quick_word_split_is_the_plain_expression() -> None:
    """casefolded_words splits ASCII in C and only the runs with other characters by the expression; it must
    give exactly WORD.findall(text.casefold()): umlauts, ß, ligatures, the Kelvin sign and İ (whose folds hold a
    combining dot, no word character), non-breaking and other Unicode spaces, dashes, digits of other scripts,
    underscores, emoji, lone surrogates, in any mix."""
    import random

    from leakgate.text import WORD, casefolded_words

    pieces = ["a", "Z", "0", "_", " ", "\t", "\n", "-", ".", "<", "&", "\x1f", "\x7f", "ä", "Ö", "ß", "ẞ", "ﬁ",
              "\u212a", "İ", "ı", "ſ", "Σ", "\u00a0", "\u2009", "\u3000", "\u0085", "\u2013", "€", "→", "٣", "\u0301",
              "😀", "日本", "\ud800", "Straße", "Röstung", "x_y", "MAẞ"]
    rng = random.Random(18)
    cases = ["", " ", "ascii only words_1 2", *pieces]
    cases += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 30))) for _ in range(50_000)]
    assert [casefolded_words(case) for case in cases] == [WORD.findall(case.casefold()) for case in cases]
