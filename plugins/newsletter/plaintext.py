"""The plain-text part, made from the article HTML (Markdown output), never from the e-mail's layout tables:
headings stand on their own lines, list items get dashes, and every link's URL is written out — at the end, as
a numbered reference, with every line wrapped (plain_text)."""

from __future__ import annotations

import re
import textwrap
from html.parser import HTMLParser

BLOCKS = {"p", "div", "ul", "ol", "table", "tr", "blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "hr"}


class _TextWriter(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.links: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in BLOCKS:
            self.parts.append("\n\n")
        elif tag == "br":
            self.parts.append("\n")
        elif tag == "li":
            self.parts.append("\n- ")
        elif tag == "a":
            self.links.append(dict(attrs).get("href"))

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self.links:
            href = self.links.pop()
            if href and not href.startswith("#"):
                self.parts.append(f" ({href.removeprefix('mailto:')})")
        elif tag in BLOCKS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    writer = _TextWriter()
    writer.feed(html)
    writer.close()
    text = "".join(writer.parts)
    text = re.sub(r"[ \t]*\n[ \t]*", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


URL = re.compile(r"\(?(?P<url>(?:https?://|mailto:)[^\s()<>]+)\)?")
WIDTH = 78  # RFC 5322's recommended line length
REFERENCE = re.compile(r"\[\d+\] \S+")  # a link's line in the list: one URL, which cannot be wrapped
BULLET = re.compile(r"(?P<indent>\s*(?:- |\d+\. )?)")


def plain_text(text: str, width: int = WIDTH) -> str:
    """The plain-text part as mail programs show it best: every link replaced by a reference [n] and listed at
    the end (a long URL cannot be wrapped), and every other line wrapped at `width`, lists hanging."""
    references: dict[str, int] = {}

    def reference(match: re.Match[str]) -> str:
        number = references.setdefault(match["url"], len(references) + 1)
        return f"[{number}]"

    lines = []
    for line in URL.sub(reference, text).split("\n"):
        indent = " " * len(BULLET.match(line)["indent"])  # type: ignore[index]  # the pattern always matches
        lines.append(textwrap.fill(line, width, subsequent_indent=indent, break_long_words=False,
                                   break_on_hyphens=False) if len(line) > width else line)
    listed = [f"[{number}] {url}" for url, number in references.items()]
    return "\n".join(lines).rstrip() + ("\n\nLinks:\n" + "\n".join(listed) if listed else "") + "\n"
