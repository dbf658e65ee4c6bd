"""The texts a file holds, in every form the public could read it: the leak gate opens what it scans.

Text in UTF-8 (with or without byte-order mark), UTF-16 and, where UTF-8 fails, Windows-1252; gzip, bzip2, xz,
ZIP and tar containers (with the names of their members), PNG, JPEG and WebP images (the texts of their metadata,
compressed PNG text too; pixels hold none), office documents (DOCX, XLSX, PPTX, ODT, ODS, ODP are
ZIPs of XML, whose text runs are joined as the document shows them), PDF (its text and metadata, with pypdf) and
e-mail messages (every header and part decoded). A container or document that cannot be read completely — a
truncated gzip, a broken ZIP, an encrypted member, a format the gate cannot open — raises `Unreadable`: the gate
fails closed rather than pass bytes it could not read.
"""

from __future__ import annotations

import bz2
import email
import email.policy
import gzip
import io
import lzma
import re
import tarfile
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping

MAX_DEPTH = 8  # containers inside containers; deeper is refused, like a file it cannot read
OFFICE_PARTS = re.compile(r"(?:word|xl|ppt)/.*\.xml|content\.xml|styles\.xml|meta\.xml")
# In office XML, text runs of one paragraph follow each other without a space: only these tags separate words.
OFFICE_BREAKS = re.compile(r"</(?:w:p|w:tc|a:p|si|c|row|text:p|text:h|table:table-cell)>|"
                           r"<(?:w:br|w:tab|w:cr|text:line-break|text:tab|text:s|a:br)\b[^>]*>")
XML_TAG = re.compile(r"<[^>]*>")
HEADER_LINE = re.compile(rb"[A-Za-z][A-Za-z0-9-]*:[ \t]")
UNREADABLE_MAGIC = {b"\x28\xb5\x2f\xfd": "Zstandard", b"7z\xbc\xaf\x27\x1c": "7-Zip", b"Rar!\x1a\x07": "RAR"}


class Unreadable(Exception):
    """A file (or a file inside it) that the gate cannot read completely; the message says why."""


def texts(data: bytes, name: str = "", depth: int = 0) -> Iterator[str]:
    """Every text `data` holds: its own, and the names and texts of everything packed inside it."""
    if depth > MAX_DEPTH:
        raise Unreadable(f"{name}: containers nested more than {MAX_DEPTH} deep")
    head = data[:8]
    if head.startswith(b"\x1f\x8b"):
        yield from texts(_unpack(gzip.decompress, data, "gzip"), name, depth + 1)
    elif head.startswith(b"BZh"):
        yield from texts(_unpack(bz2.decompress, data, "bzip2"), name, depth + 1)
    elif head.startswith(b"\xfd7zXZ\x00"):
        yield from texts(_unpack(lzma.decompress, data, "xz"), name, depth + 1)
    elif head.startswith((b"PK\x03\x04", b"PK\x05\x06")):
        yield from _zip(data, depth)
    elif data[257:262] == b"ustar":
        yield from _tar(data, depth)
    elif head.startswith(b"%PDF-"):
        yield from _pdf(data)
    elif head.startswith((PNG_SIGNATURE, b"\xff\xd8\xff")) or _is_webp(data):
        yield from _image_texts(data)
    elif format_name := next((label for magic, label in UNREADABLE_MAGIC.items() if head.startswith(magic)), None):
        raise Unreadable(f"{format_name} archives cannot be read by the leak gate")
    elif name.endswith(".eml") or _looks_like_email(data):
        yield from _email(data, depth)
    else:
        yield from _decoded(data)


def _looks_like_email(data: bytes) -> bool:
    """A message in RFC 5322 form: header lines, one of them MIME-Version, before the first blank line."""
    head = data[:8192].split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    return HEADER_LINE.match(head) is not None and b"\nmime-version:" in b"\n" + head.lower()


def _unpack(decompress: Callable[[bytes], bytes], data: bytes, label: str) -> bytes:
    try:
        return decompress(data)
    except (OSError, EOFError, ValueError, lzma.LZMAError, zlib.error) as error:
        raise Unreadable(f"{label} data cannot be read completely ({error})") from None


def _decoded(data: bytes) -> Iterator[str]:
    """The text of a file in whatever encoding a reader's program would pick."""
    if data.startswith(b"\xef\xbb\xbf"):
        yield data[3:].decode("utf-8", errors="replace")
        return
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        yield data.decode("utf-16", errors="replace")
        return
    if (order := _utf16_without_mark(data)) is not None:
        yield data.decode(order, errors="replace")
    try:
        yield data.decode("utf-8")
    except UnicodeDecodeError:
        yield data.decode("utf-8", errors="replace")
        if b"\x00" not in data[:4096]:  # text in a legacy encoding rather than binary data
            yield data.decode("cp1252", errors="replace")


def _utf16_without_mark(data: bytes) -> str | None:
    """"utf-16-le" or "utf-16-be" when every other byte of the start is a zero, as in UTF-16 text of Latin script."""
    sample = data[:1024]
    if len(sample) < 8:
        return None
    even, odd = sample[0::2].count(0) / len(sample[0::2]), sample[1::2].count(0) / len(sample[1::2])
    if odd > 0.4 and even < 0.05:
        return "utf-16-le"
    if even > 0.4 and odd < 0.05:
        return "utf-16-be"
    return None


def _zip(data: bytes, depth: int) -> Iterator[str]:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in archive.infolist():
                if member.flag_bits & 0x1:
                    raise Unreadable(f"{member.filename}: encrypted")
                yield member.filename
                content = archive.read(member)
                if OFFICE_PARTS.fullmatch(member.filename) and content.lstrip().startswith(b"<"):
                    yield _office_text(content.decode("utf-8", errors="replace"))
                yield from texts(content, member.filename, depth + 1)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError) as error:
        raise Unreadable(f"ZIP archive cannot be read completely ({error})") from None


def _office_text(xml: str) -> str:
    """The text of an office document's XML as the document shows it: runs of one paragraph joined."""
    return XML_TAG.sub("", OFFICE_BREAKS.sub(" ", xml))


def _tar(data: bytes, depth: int) -> Iterator[str]:
    try:
        with tarfile.open(fileobj=io.BytesIO(data)) as archive:
            for member in archive.getmembers():
                yield member.name
                if member.isfile():
                    extracted = archive.extractfile(member)
                    yield from texts(extracted.read() if extracted else b"", member.name, depth + 1)
    except (tarfile.TarError, EOFError, OSError) as error:
        raise Unreadable(f"tar archive cannot be read completely ({error})") from None


def _pdf(data: bytes) -> Iterator[str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise Unreadable("encrypted PDF")
        metadata: Mapping[str, object] = reader.metadata or {}
        pages = [page.extract_text() or "" for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, zlib.error) as error:
        raise Unreadable(f"PDF cannot be read completely ({error})") from None
    yield " ".join(str(value) for value in metadata.values())
    yield from pages
    yield from _decoded(data)  # uncompressed text objects, and names


def _email(data: bytes, depth: int) -> Iterator[str]:
    """Every header and part of an e-mail message, decoded (quoted-printable, base64, RFC 2047 words)."""
    message = email.message_from_bytes(data, policy=email.policy.default)
    for part in message.walk():
        for header, value in part.items():
            yield f"{header} {value}"
        if part.is_multipart():
            continue
        payload = part.get_payload(decode=True)
        if any("Base64" in type(defect).__name__ for defect in part.defects):
            raise Unreadable("an e-mail part's base64 cannot be decoded")
        if isinstance(payload, bytes):
            yield from texts(payload, part.get_filename() or "", depth + 1)



PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What an image in an unlisted folder may hold: pixels, and the chunks or segments that only describe them.
PNG_PLAIN = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"pHYs", b"bKGD", b"sBIT"}
JPEG_PLAIN = {0xC0, 0xC1, 0xC2, 0xC4, 0xDA, 0xDB, 0xDD, 0xE0}  # frames, tables, scans, restarts, JFIF
JPEG_EOI = 0xD9
WEBP_PIXELS = {b"VP8 ", b"VP8L", b"VP8X", b"ALPH", b"ANIM", b"ANMF"}  # WebP chunks of pixels and their layout


def text_in_image(data: bytes) -> str | None:
    """None for a PNG or JPEG of pixels only; else what else it holds (a text chunk, Exif, XMP, a comment) or
    why it is no such image. An image's metadata can name what it shows, so unlisted images carry none."""
    try:
        if data.startswith(PNG_SIGNATURE):
            extra = next((kind for kind, _ in _png_chunks(data) if kind not in PNG_PLAIN), None)
            return None if extra is None else f"a PNG {extra.decode('latin-1')!r} chunk"
        if data.startswith(b"\xff\xd8"):
            marker = next((marker for marker, _ in _jpeg_segments(data) if marker not in JPEG_PLAIN), None)
            return None if marker is None else "a JPEG comment" if marker == 0xFE else \
                f"a JPEG APP{marker - 0xE0} segment" if 0xE0 <= marker <= 0xEF else f"a JPEG marker 0x{marker:02X}"
    except ValueError as error:
        return str(error)
    return "no PNG or JPEG image"


def _image_texts(data: bytes) -> Iterator[str]:
    """The texts of an image's metadata: PNG text chunks (compressed ones too), Exif, XMP and comments; the
    pixels hold none. An image whose structure is broken is read as bytes, like any file."""
    found: list[str] = []
    try:
        if data.startswith(PNG_SIGNATURE):
            for kind, payload in _png_chunks(data):
                if kind in (b"tEXt", b"zTXt", b"iTXt", b"iCCP"):
                    found.extend(_png_text(kind, payload))
                elif kind == b"eXIf":
                    found.extend(_decoded(payload))
        elif _is_webp(data):
            for kind, payload in _webp_chunks(data):
                if kind not in WEBP_PIXELS:  # EXIF, XMP, ICCP and any other chunk
                    found.extend(_decoded(payload))
        else:
            for marker, payload in _jpeg_segments(data):
                if marker == 0xFE or 0xE1 <= marker <= 0xEF:  # comments, Exif, XMP, IPTC …
                    found.extend(_decoded(payload))
    except (ValueError, zlib.error, IndexError, UnicodeDecodeError):
        yield from _decoded(data)
        return
    yield from found


def _png_text(kind: bytes, payload: bytes) -> list[str]:
    key, _, rest = payload.partition(b"\0")
    if kind == b"tEXt":
        return [key.decode("latin-1"), rest.decode("latin-1")]
    if kind in (b"zTXt", b"iCCP"):  # a compression method byte, then zlib data (iCCP: a colour profile)
        return [key.decode("latin-1")] if kind == b"iCCP" else [key.decode("latin-1"),
                                                                zlib.decompress(rest[1:]).decode("latin-1")]
    compressed, language_and_more = rest[0], rest[2:]
    language, _, more = language_and_more.partition(b"\0")
    translated, _, text = more.partition(b"\0")
    text = zlib.decompress(text) if compressed else text
    return [key.decode("latin-1"), language.decode("latin-1"), translated.decode("utf-8"), text.decode("utf-8")]


def _png_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    position = len(PNG_SIGNATURE)
    while position + 12 <= len(data):
        length = int.from_bytes(data[position:position + 4], "big")
        kind = data[position + 4:position + 8]
        if position + 12 + length > len(data):
            break
        yield kind, data[position + 8:position + 8 + length]
        position += 12 + length
        if kind == b"IEND":
            if position != len(data):
                raise ValueError("bytes after the PNG's end")
            return
    raise ValueError("a truncated PNG")


def _is_webp(data: bytes) -> bool:
    return data[:4] == b"RIFF" and data[8:12] == b"WEBP"


def _webp_chunks(data: bytes) -> Iterator[tuple[bytes, bytes]]:
    """The chunks of a WebP file (RIFF: a four-letter kind, a little-endian length, the payload padded to even)."""
    if int.from_bytes(data[4:8], "little") + 8 != len(data):
        raise ValueError("a truncated WebP")
    position = 12
    while position < len(data):
        if position + 8 > len(data):
            raise ValueError("a truncated WebP")
        kind = data[position:position + 4]
        length = int.from_bytes(data[position + 4:position + 8], "little")
        if position + 8 + length > len(data):
            raise ValueError("a truncated WebP")
        yield kind, data[position + 8:position + 8 + length]
        position += 8 + length + (length & 1)


def _jpeg_segments(data: bytes) -> Iterator[tuple[int, bytes]]:
    position = 2
    while position + 2 <= len(data):
        if data[position] != 0xFF:
            raise ValueError("a broken JPEG")
        marker = data[position + 1]
        if marker == JPEG_EOI:
            if position + 2 != len(data):
                raise ValueError("bytes after the JPEG's end")
            return
        length = int.from_bytes(data[position + 2:position + 4], "big")
        yield marker, data[position + 4:position + 2 + length]
        position += 2 + length
        if marker == 0xDA:  # entropy-coded data up to the next marker (FF00 is a stuffed byte, FFD0–D7 restarts)
            while position + 1 < len(data) and not (data[position] == 0xFF and data[position + 1] != 0
                                                   and not 0xD0 <= data[position + 1] <= 0xD7):
                position += 1
    raise ValueError("a truncated JPEG")
