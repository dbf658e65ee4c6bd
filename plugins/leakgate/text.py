"""The one normalisation of text for the leak gate: the words a reader sees.

Fingerprints (made from what editors wrote) and every scanned file go through `words()`, so that a secret is
found however a file spells it: HTML comments and attribute values are read, tags inside a word are dropped
(`Ge<em>heim</em>`, `<wbr>`, a drop-cap `<span>`), other tags separate words, every HTML entity (`&nbsp;`,
`&shy;`) and JSON, JavaScript, ICS and %-escape is decoded, base64 `data:` URLs are opened, Unicode is NFKC
normalised, soft hyphens, zero-width characters and word joiners are removed, and case is folded.
"""

from __future__ import annotations

import base64
import binascii
import html
import re
import unicodedata
from collections.abc import Iterator

WORD = re.compile(r"\w+")
# Comments and CDATA are read as text: only their delimiters go (a comment naming a secret is a leak too).
DELIMITERS = re.compile(r"<!--|--!?>|<!\[CDATA\[|\]\]>")
# Inline elements, whose tags do not separate words: `Ge<em>heim</em>` reads "Geheim".
INLINE_ELEMENTS = ("a", "abbr", "b", "bdi", "bdo", "cite", "code", "data", "del", "dfn", "em", "font", "i", "ins",
                   "kbd", "mark", "q", "s", "samp", "small", "span", "strong", "sub", "sup", "time", "tt", "u", "var",
                   "wbr")
# Those names as a tree, behind a look at the first letter: the plain alternation tried every name at every tag
# (a fifth of words() on a page). tests/test_leakgate_reading.py holds it to the plain alternation.
INLINE_TAG = re.compile(r"<(?=/?[" + "".join(sorted({name[0] for name in INLINE_ELEMENTS})) + r"])/?"
                        r"(?:a(?:bbr)?|b(?:d[io])?|c(?:ite|ode)|d(?:ata|el|fn)|em|font|i(?:ns)?|kbd|mark|q|"
                        r"s(?:amp|mall|pan|trong|u[bp])?|t(?:ime|t)|u|var|wbr)(?:\s[^>]*)?/?>", re.IGNORECASE)
TAG = re.compile(r"<[^>]*>")
# Attribute values, double-quoted (may hold an apostrophe), single-quoted and unquoted: one C-level pass each.
ATTRIBUTE_VALUES = (re.compile(r'=\s*"([^"]*)"'), re.compile(r"=\s*'([^']*)'"), re.compile(r"=([^\s\"'=<>`]+)"))
ESCAPE = re.compile(r"\\(?:u\{([0-9a-fA-F]{1,6})\}|u([0-9a-fA-F]{4})|x([0-9a-fA-F]{2})|([nrtbf,;\\/\"']))")
SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", "b": " ", "f": " "}
# Runs of %-escapes, decoded together (a UTF-8 character spans several). Spelt with a literal "%" first, which
# the regex engine then looks for quickly: `(?:%..)+` tried a match at every character (a fifth of words()).
PERCENT_ESCAPES = re.compile(r"%[0-9a-fA-F]{2}(?:%[0-9a-fA-F]{2})*")
DATA_URL = re.compile(r"data:[\w/+.-]*(?:;[\w-]+=[\w-]+)*;base64,([A-Za-z0-9+/=\s]+)")
# RFC 5545 folds long lines with CRLF and one space or tab; a calendar app reads them unfolded.
FOLDED_LINE = re.compile(r"\r?\n[ \t]")
# What a reader never sees: soft hyphen, zero-width space, non-joiner, joiner, direction marks, word joiner,
# invisible operators, byte-order mark, Mongolian vowel separator, combining grapheme joiner.
INVISIBLE_CHARACTERS = "\u00ad\u200b\u200c\u200d\u200e\u200f\u2060\u2061\u2062\u2063\u2064\ufeff\u180e\u034f"
INVISIBLE = re.compile(f"[{INVISIBLE_CHARACTERS}]+")


def words(text: str) -> list[str]:
    """The case-folded words of `text` as a reader of the page, file or e-mail sees them."""
    if "<" in text:
        text = DELIMITERS.sub(" ", text)
        values = [value for pattern in ATTRIBUTE_VALUES for value in pattern.findall(text)]
        text = " ".join([TAG.sub(" ", INLINE_TAG.sub("", text)), *values])
    if "&" in text:
        text = html.unescape(text)
    if "BEGIN:V" in text:  # iCalendar
        text = FOLDED_LINE.sub("", text)
    if "\\" in text:
        text = ESCAPE.sub(_unescape, text)
    if "%" in text:
        text = PERCENT_ESCAPES.sub(lambda run: bytes.fromhex(run[0].replace("%", "")).decode(errors="replace"), text)
    if "base64," in text:
        text = " ".join([text, *_data_urls(text)])
    if not text.isascii():
        if not unicodedata.is_normalized("NFKC", text):
            text = unicodedata.normalize("NFKC", text)
        if any(character in text for character in INVISIBLE_CHARACTERS):  # fourteen C-level searches: quicker
            text = INVISIBLE.sub("", text)
    return casefolded_words(text)


# Every ASCII character that is no word character (`WORD`'s \w), as a space: for casefolded_words
_ASCII_SEPARATORS = bytes.maketrans(bytes(code for code in range(128) if not WORD.fullmatch(chr(code))),
                                    b" " * sum(1 for code in range(128) if not WORD.fullmatch(chr(code))))


def casefolded_words(text: str) -> list[str]:
    """WORD.findall(text.casefold()), twice as quick on a large page: the ASCII is lowered and split at its
    separators in C (for ASCII, casefold is lower), and only the runs that hold other characters are folded and
    split by WORD. Exact: a run between two ASCII separators or Unicode spaces (never word characters) holds
    whole words only. tests/test_leakgate_reading.py holds it to the plain expression."""
    runs = text.encode("utf-8", errors="surrogatepass").lower().translate(_ASCII_SEPARATORS).decode(
        "utf-8", errors="surrogatepass").split()
    if text.isascii():
        return runs
    found: list[str] = []
    for run in runs:
        if run.isascii():
            found.append(run)
        else:
            found += WORD.findall(run.casefold())
    return found


def normalise(text: str) -> str:
    """The words of `text` separated by single spaces and padded with spaces, so that matches are whole words."""
    return " " + " ".join(words(text)) + " "


def _unescape(match: re.Match[str]) -> str:
    code = match[1] or match[2] or match[3]
    if code:
        number = int(code, 16)
        return chr(number) if number < 0x110000 and not 0xD800 <= number < 0xE000 else " "
    return SIMPLE_ESCAPES.get(match[4], match[4])


def _data_urls(text: str) -> Iterator[str]:
    """The decoded text of every base64 `data:` URL (an inline SVG, say)."""
    for match in DATA_URL.finditer(text):
        try:
            data = base64.b64decode(re.sub(r"\s", "", match[1]), validate=False)
        except (binascii.Error, ValueError):
            continue
        yield data.decode("utf-8", errors="replace")
