"""An editor's Markdown body as the build reads it: HTML comments taken out, split at its markers.

One reader for every part of the build that looks at a body — the registry (teaser and members-only part), the
validation, the newsletters (editorial and closing) and the leak gate's fingerprints — so that none of them can
disagree with another about where the members-only part starts.

- **Comments reach no output.** Every HTML comment outside code is removed from the text that the Pelican runs
  and the e-mails are given; a comment on lines of its own leaves those lines empty, so that paragraphs stay apart
  as Markdown keeps them, and line numbers stay what the editor sees.
- **Markers are recognised or refused, never ignored.** `<!-- members-only -->` (and `<!-- closing -->` in
  newsletters) is a marker when it stands on a line of its own; other case, other spaces and other dashes
  between its words are accepted. Anything else an editor plausibly meant as a marker — words after it, a broken
  comment, an indented or inline marker, a German phrasing — is a problem to fix, never a comment to drop: a
  misspelt marker that was dropped would publish the members-only part.
- **Code is text.** What Python-Markdown renders as code (fenced blocks, indented blocks, code spans) is left as
  it is: a marker or a comment there is shown, not obeyed. Where it is unclear whether Markdown sees code, the
  text is read as not code, so that a doubtful marker is refused rather than published.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from markdown.extensions.fenced_code import FencedBlockPreprocessor

from vorab.messages import _

MEMBERS_ONLY = "members-only"
CLOSING = "closing"
MARKERS: dict[str, str] = {MEMBERS_ONLY: "<!-- members-only -->", CLOSING: "<!-- closing -->"}

# Python-Markdown's own rule for fenced blocks (extra → fenced_code): a fence at the start of a line, closed by
# the same fence.
FENCED_BLOCK = FencedBlockPreprocessor.FENCED_BLOCK_RE
CODE_SPAN = re.compile(r"(?<!\\)(`+)(.+?)(?<!`)\1(?!`)", re.DOTALL)
BLANK_LINES = re.compile(r"\n[ \t]*\n")
COMMENT_OPEN = "<!--"
COMMENT_CLOSE = re.compile(r"--!?>")  # Python-Markdown's (and the HTML standard's) end of a comment
LIST_ITEM = re.compile(r" {0,3}(?:[*+-]|\d+\.) +\S")
HTML_BLOCK = re.compile(r" {0,3}<(?P<tag>[a-zA-Z][a-zA-Z0-9]*)\b")
# Every dash, and the underscore, that an editor or a word processor may put between the words of a marker.
DASHES = re.compile(r"[\u2010-\u2015\u2212\ufe58\ufe63\uff0d_-]")
WORD = re.compile(r"[^\W\d_]+")
# A broken comment outside a real one: a line that starts like `<!—`, `<--` or ends like `->`, `—>`.
COMMENT_LIKE = re.compile(r"^\s*<\s*[!\u2010-\u2015-]|[\u2010-\u2015-]\s*>\s*$")
EDGES = re.compile(r"^[\W_]+|[\W_]+$")
# Lines that may be a marker outside a comment: starting like a tag, ending like one, or a single token.
CANDIDATE_LINE = re.compile(r"^[ \t]*(?:<.*|.*>[ \t]*|[^\s]+[ \t]*)$", re.MULTILINE)

# German phrasings an editor may use for the members-only marker (at the start of a comment), and for the
# closing marker (a comment of one or two words).
AUDIENCE_WORDS = frozenset({"kunden", "kundinnen", "stammkunden", "mitglieder", "members", "member",
                            "kundenbereich", "mitgliederbereich"})
CLOSING_WORDS = frozenset({"closing", "schluss", "abschluss", "gruss", "grusse", "grussformel", "grusswort"})


@dataclass(frozen=True)
class BodyProblem:
    """A marker or comment the editor must fix; `line` counts from the body's first line (0)."""

    line: int
    field: str
    expected: str
    found: str


@dataclass(frozen=True)
class Body:
    """A body without its HTML comments (`text`, with as many lines as the source) and where its markers are."""

    text: str
    markers: dict[str, int] = field(default_factory=dict)  # marker → line index of its first occurrence
    problems: tuple[BodyProblem, ...] = ()

    def before(self, marker: str) -> str:
        """The text before `marker` (all of it if there is none)."""
        if marker not in self.markers:
            return self.text
        return "\n".join(self.text.split("\n")[:self.markers[marker]])

    def after(self, marker: str) -> str | None:
        """The text after `marker`, or None if there is none."""
        if marker not in self.markers:
            return None
        return "\n".join(self.text.split("\n")[self.markers[marker] + 1:])


def read_body(source: str, markers: Iterable[str] = (MEMBERS_ONLY,)) -> Body:
    """Read a Markdown body: remove its comments, find the `markers`, collect what the editor must fix."""
    wanted = tuple(markers)
    blocks, spans = _code(source) if COMMENT_OPEN in source else ([], [])
    problems: list[BodyProblem] = []
    found: dict[str, int] = {}
    kept: list[str] = []
    position = 0
    for start, end in _comments(source, blocks, spans, wanted, problems):
        line = source.count("\n", 0, start)
        alone = _whole_lines(source, start, end)
        inner = COMMENT_CLOSE.sub("", source[start + len(COMMENT_OPEN):end])
        if marker := _marker_of(inner, wanted):
            indent = start - source.rfind("\n", 0, start) - 1
            if alone and indent <= 3 and "\n" not in source[start:end] and _is_exact(inner, marker):
                found.setdefault(marker, line)
            else:
                problems.append(_marker_problem(line, marker, _lines_of(source, start, end)))
        cut_from, cut_to = alone or (start, end)
        kept += [source[position:cut_from], "\n" * source.count("\n", cut_from, cut_to)]
        position = cut_to
    text = "".join([*kept, source[position:]])
    if wanted:
        problems += _broken_markers(text, wanted, found)
    return Body(text, found, tuple(sorted(problems, key=lambda problem: problem.line)))


def _marker_problem(line: int, marker: str, shown: str) -> BodyProblem:
    return BodyProblem(line, _("{marker} marker").format(marker=marker), MARKERS[marker], repr(shown))


# --- what an editor meant --------------------------------------------------------------------------------------------

def _words(text: str) -> list[str]:
    """The letter-only words of `text` as an eye reads them: any case, width or accent (`Grüße` → `grusse`)."""
    folded = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text).casefold())
    return WORD.findall("".join(char for char in folded if not unicodedata.combining(char)))


def _is_exact(inner: str, marker: str) -> bool:
    """The marker's own words and nothing else: any case, any spaces, any dash (or none) between the words."""
    spaced = re.sub(r"\s+", " ", DASHES.sub("-", unicodedata.normalize("NFKC", inner))).strip().casefold()
    words = marker.split("-")
    return spaced in {"-".join(words), " ".join(words), "".join(words), " - ".join(words)}


def _marker_of(text: str, wanted: tuple[str, ...], *, german: bool = True) -> str | None:
    """Which of the `wanted` markers an editor most likely meant by a comment with this text, if any."""
    words = _words(text)
    return next((marker for marker in wanted if words and _means(words, marker, german)), None)


def _means(words: list[str], marker: str, german: bool) -> bool:
    if marker == MEMBERS_ONLY:
        if any(_close("".join(words[:k]), target) for k in (1, 2, 3) for target in ("membersonly", "memberonly")):
            return True
        if not german:
            return False
        if len(words) == 1 and (_close(words[0], "members") or words[0] in AUDIENCE_WORDS):
            return True
        if words[0] == "nur" and AUDIENCE_WORDS.intersection(words[1:3]):
            return True
        return words[:2] == ["ab", "hier"] and bool(AUDIENCE_WORDS.intersection(words[2:5]))
    if marker == CLOSING:
        return _close(words[0], "closing") if not german else \
            len(words) <= 2 and (_close(words[0], "closing") or words[0] in CLOSING_WORDS)
    return False


def _close(word: str, target: str) -> bool:
    """The same word, or a typo of it (a letter or two swapped, missing or extra)."""
    return word == target or (abs(len(word) - len(target)) <= 2
                              and difflib.SequenceMatcher(None, word, target).ratio() >= 0.85)


def _broken_markers(text: str, wanted: tuple[str, ...], found: dict[str, int]) -> list[BodyProblem]:
    """Lines outside code and comments that look like a marker whose comment syntax broke: `<!— members-only —>`,
    `<-- members-only -->`, `<!-- members-only` without its end, or `members-only` alone on a line."""
    lines = text.split("\n")
    candidates = {}
    for match in CANDIDATE_LINE.finditer(text):  # one C-level pass; most lines are prose
        index = text.count("\n", 0, match.start())
        if index not in found.values() and (marker := _looks_like_marker(match[0], wanted)):
            candidates[index] = marker
    if not candidates:
        return []
    outside = dict(_lines_outside_code(text))  # only now: most bodies have no candidate at all
    return [_marker_problem(index, marker, lines[index].rstrip()) for index, marker in candidates.items()
            if index in outside and _looks_like_marker(outside[index], wanted) == marker]


def _looks_like_marker(line: str, wanted: tuple[str, ...]) -> str | None:
    if not line.strip():
        return None
    core = EDGES.sub("", line)
    if COMMENT_LIKE.search(line):
        return _marker_of(core, wanted)
    if core and not re.search(r"\s", core):  # one token, e.g. "members-only" or "MEMBERS_ONLY"
        return _marker_of(core, wanted, german=False)
    return None


# --- comments --------------------------------------------------------------------------------------------------------

def _comments(source: str, blocks: list[tuple[int, int]], spans: list[tuple[int, int]], wanted: tuple[str, ...],
              problems: list[BodyProblem]) -> list[tuple[int, int]]:
    """(start, end) of every HTML comment that Python-Markdown passes on as raw HTML: not in a code block, and
    not in a code span unless it starts a line (Markdown takes those as raw HTML before it looks for code). A
    `<!--` that is never closed is a problem (Markdown shows it as text)."""
    comments: list[tuple[int, int]] = []
    position = 0
    while (start := source.find(COMMENT_OPEN, position)) != -1:
        position = start + 1
        if _inside(start, blocks) or (_inside(start, spans) and not _at_line_start(source, start)):
            continue
        close = COMMENT_CLOSE.search(source, start + len(COMMENT_OPEN))
        if close is None:
            shown = _lines_of(source, start, start)
            if not _marker_of(shown, wanted):  # a marker's broken end is reported as the marker's
                problems.append(BodyProblem(source.count("\n", 0, start), _("comment"),
                                            _("an HTML comment closed by -->"),
                                            repr(shown if len(shown) <= 60 else shown[:60] + "…")))
            continue
        comments.append((start, close.end()))
        position = close.end()
    return comments


def _inside(position: int, spans: list[tuple[int, int]]) -> bool:
    return any(start <= position < end for start, end in spans)


def _at_line_start(source: str, position: int) -> bool:
    first = source.rfind("\n", 0, position) + 1
    return position - first <= 3 and not source[first:position].strip()


def _lines_of(source: str, start: int, end: int) -> str:
    """The whole lines from `start` to `end`, as the editor wrote them."""
    first = source.rfind("\n", 0, start) + 1
    last = source.find("\n", end)
    return source[first:len(source) if last == -1 else last].rstrip()


def _whole_lines(source: str, start: int, end: int) -> tuple[int, int] | None:
    """(start of the first line, end of the last line) if the comment is alone on its lines, else None."""
    first = source.rfind("\n", 0, start) + 1
    last = source.find("\n", end)
    last = len(source) if last == -1 else last
    if source[first:start].strip() or source[end:last].strip():
        return None
    return first, last


# --- code ------------------------------------------------------------------------------------------------------------

def _code(source: str) -> tuple[list[tuple[int, int]], list[tuple[int, int]]]:
    """(start, end) of what Markdown renders as code: blocks (fenced and indented) and code spans."""
    blocks = [(match.start(), match.end()) for match in FENCED_BLOCK.finditer(source)]
    blocks += _indented_blocks(source, blocks)
    spans = []
    for start, end in _paragraphs(source):
        if not _inside(start, blocks):
            spans += [(start + m.start(), start + m.end()) for m in CODE_SPAN.finditer(source, start, end)]
    return sorted(blocks), spans


def _lines_outside_code(text: str) -> list[tuple[int, str]]:
    """(index, line) of each non-blank line of `text` outside code blocks, with code spans blanked out."""
    blocks, spans = _code(text)
    masked = list(text)
    for start, end in [*blocks, *spans]:
        masked[start:end] = [char if char == "\n" else " " for char in text[start:end]]
    return [(index, line) for index, line in enumerate("".join(masked).split("\n")) if line.strip()]


def _paragraphs(source: str) -> list[tuple[int, int]]:
    """(start, end) of the blocks of `source` between blank lines, as Python-Markdown's block parser cuts it."""
    blocks, start = [], 0
    for match in BLANK_LINES.finditer(source):
        if source[start:match.start()].strip():
            blocks.append((start, match.start()))
        start = match.end()
    if source[start:].strip():
        blocks.append((start, len(source)))
    return blocks


def _indented_blocks(source: str, fenced: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Blocks indented by four spaces (or a tab) that Markdown renders as code: not a list's continuation, not
    inside a raw HTML block. When in doubt, not code."""
    code: list[tuple[int, int]] = []
    context = None  # what an indented block would belong to: "list", "html" or nothing (then it is code)
    open_tag = ""
    for start, end in _paragraphs(source):
        if _inside(start, fenced):
            context = None
            continue
        block = source[start:end].lstrip("\n").expandtabs(4)
        if context == "html":
            if f"</{open_tag}" in block.lower():
                context = None
            continue
        first = block.split("\n", 1)[0]
        if first.startswith("    "):
            if context is None:
                code.append((start, end))
            continue  # a list's continuation stays the list's; code goes on being code
        if html := HTML_BLOCK.match(first):
            open_tag = html["tag"].lower()
            context = None if f"</{open_tag}" in block.lower() else "html"
        else:
            context = "list" if LIST_ITEM.match(first) else None
    return code
