"""Reads Pelican's `Key: value` front matter with line numbers, strictly, so that a typo can never turn a
header line into body text (Python-Markdown would silently end the header there)."""

from __future__ import annotations

import re

from vorab.errors import ContentProblem, found
from vorab.messages import _
from vorab.model import Entry, SourceFile

HEADER_LINE = re.compile(r"(?P<key>[A-Za-z][A-Za-z0-9_-]*)[ \t]*:(?P<value>.*)")
CONTINUATION = re.compile(r"(?: {4,}|\t)(?P<value>.*)")


def parse_source(text: str, path: str) -> SourceFile:
    """Split `text` into front matter entries and body; malformed header lines become problems."""
    source = SourceFile(path)
    lines = text.lstrip("\ufeff").splitlines()
    if not lines or not HEADER_LINE.fullmatch(lines[0]):
        source.body = "\n".join(lines)
        return source
    current: Entry | None = None
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            source.body = "\n".join(lines[number:])
            source.body_line = number + 1
            break
        if (more := CONTINUATION.fullmatch(line)) and current is not None:
            current.value = f"{current.value} {more['value'].strip()}".strip()
            continue
        if not (match := HEADER_LINE.fullmatch(line)):
            source.problems.append(
                ContentProblem(path, number, _("front matter"), _("'key: value' or an indented continuation"),
                               found(line))
            )
            current = None
            continue
        key = match["key"].lower()
        if key in source.entries:
            source.problems.append(
                ContentProblem(path, number, key, _("one '{field}' line (first on line {line})").format(
                    field=key, line=source.entries[key].line), _("a second one"))
            )
            continue
        current = source.entries[key] = Entry(key, match["value"].strip(), number)
    return source
