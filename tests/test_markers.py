"""The members-only and closing markers, recognised or refused, never ignored; HTML comments reach no output;
code is text (catalog/body.py). Checked against Python-Markdown itself, and through `invoke check` and real
builds."""

from __future__ import annotations

import re
from html.parser import HTMLParser

import markdown
import pytest
from invoke import Context, Exit

from catalog.body import CLOSING, MEMBERS_ONLY, read_body
from conftest import Site
from sitebuild import ContentErrors
from test_editor_check import load_tasks

MESSAGE = "members-only-Markierung: erwartet <!-- members-only -->, gefunden "

# Spellings that are the marker: they cut.
ACCEPTED = [
    "<!-- members-only -->",
    "<!--members-only-->",
    "<!--   members-only   -->",
    "<!-- Members-Only -->",
    "<!-- MEMBERS-ONLY -->",
    "<!-- members only -->",
    "<!-- membersonly -->",
    "<!-- members_only -->",
    "<!-- members – only -->",
    "<!-- members\u2013only -->",  # en dash
    "<!-- members\u2014only -->",  # em dash
    "<!-- members\u2011only -->",  # non-breaking hyphen
    "<!--\u00a0members-only\u00a0-->",  # no-break spaces
    "<!--\tmembers-only\t-->",
    "   <!-- members-only -->",  # up to three spaces: still not code
    "<!-- members-only -->   ",
]
# Spellings an editor plausibly meant as the marker: each is refused, naming the line.
REFUSED = [
    "<!-- members-only: ab hier Preise -->",  # words after the keyword
    "<!-- members-only Teil -->",
    "<!-- member-only -->",
    "<!-- memebers-only -->",  # typo
    "<!-- members-onyl -->",
    "<!-- members -->",
    "<!-- nur für Kunden -->",  # German
    "<!-- Nur für Mitglieder -->",
    "<!-- ab hier nur für Kunden -->",
    "<!-- Kundenbereich -->",
    "<!-- members-only ->",  # a broken end
    "<!-- members-only -- >",
    "<!-- members-only >",
    "<!-- members-only",
    "<!-- members-only —>",
    "<!— members-only —>",  # a word processor's dashes
    "<!–– members-only ––>",
    "<-- members-only -->",  # no "!"
    "<! -- members-only -- >",
    "members-only",  # no comment at all
    "[members-only]",
    "**MEMBERS_ONLY**",
    "Text davor <!-- members-only -->",  # not on a line of its own
    "<!-- members-only --> und Text danach",
    "> <!-- members-only -->",  # in a quote
]
MULTILINE_REFUSED = ["<!--\nmembers-only\n-->", "<!-- members-only\n-->", "<!--\n  members only  -->"]
# Comments that are notes, not markers: dropped, never refused.
NOTES = ["<!-- TODO: Bild austauschen -->", "<!-- Kunden fragen, ob das passt -->",
         "<!-- offer: member-only, never shown on the public site -->", "<!-- Notiz -->"]


def body_with(marker: str) -> str:
    return f"Für alle.\n\n{marker}\n\nNur für Kunden: kanarienteil."


@pytest.mark.parametrize("marker", ACCEPTED)
def test_accepted_spellings_cut(marker: str) -> None:
    body = read_body(body_with(marker))
    assert body.problems == ()
    assert body.before(MEMBERS_ONLY) == "Für alle.\n"
    assert body.after(MEMBERS_ONLY) == "\nNur für Kunden: kanarienteil."


@pytest.mark.parametrize("marker", REFUSED + MULTILINE_REFUSED)
def test_refused_spellings_name_the_line_and_never_cut(marker: str) -> None:
    body = read_body(body_with(marker))
    assert [(p.line, p.field, p.expected) for p in body.problems] == [
        (2, "members-only-Markierung", "<!-- members-only -->")]
    assert body.problems[0].found == repr(marker.rstrip())
    assert MEMBERS_ONLY not in body.markers


@pytest.mark.parametrize("note", NOTES)
def test_notes_are_dropped_not_refused(note: str) -> None:
    body = read_body(f"Text.\n\n{note}\n\nMehr.")
    assert body.problems == () and body.markers == {}
    assert body.text == "Text.\n\n\n\nMehr."


CODE = {
    "fenced": "Für alle.\n\n```\n<!-- members-only -->\n```\n\nAuch für alle.",
    "fenced with a language": "Für alle.\n\n~~~markdown\n<!-- members-only -->\n~~~\n\nAuch für alle.",
    "indented": "Für alle.\n\n    <!-- members-only -->\n\nAuch für alle.",
    "code span": "Schreiben Sie `<!-- members-only -->` in eine eigene Zeile.\n\nAuch für alle.",
    "double code span": "Der Marker ``<!-- members-only -->`` teilt.\n\nAuch für alle.",
}


@pytest.mark.parametrize("name", CODE)
def test_a_marker_in_code_is_text(name: str) -> None:
    body = read_body(CODE[name])
    assert body.problems == () and body.markers == {}
    assert body.text == CODE[name]  # shown as written: neither a cut nor a dropped comment
    assert "&lt;!-- members-only --&gt;" in markdown.markdown(body.text, extensions=["extra"])


def test_not_a_fence_is_not_code() -> None:
    """An indented fence is no fence for Python-Markdown: the marker inside is a marker."""
    body = read_body("Für alle.\n\n  ```\n<!-- members-only -->\n  ```\n\nNur für Kunden.")
    assert body.markers == {MEMBERS_ONLY: 3}


def test_an_indented_marker_after_a_list_is_refused() -> None:
    """After a list, four spaces make no code block but the list's continuation, where Markdown keeps the
    comment as raw HTML (it would not cut): refused."""
    body = read_body("- eins\n- zwei\n\n    <!-- members-only -->\n\nNur für Kunden.")
    assert [(p.line, p.found) for p in body.problems] == [(3, repr("    <!-- members-only -->"))]


@pytest.mark.parametrize(("marker", "accepted"), [
    ("<!-- closing -->", True), ("<!--closing-->", True), ("<!-- CLOSING -->", True),
    ("<!-- closing: Gruß -->", False), ("<!-- closnig -->", False), ("<!-- Schluss -->", False),
    ("<!-- Grußformel -->", False), ("<!— closing —>", False), ("<!-- closing ->", False), ("closing", False)])
def test_the_closing_marker_of_newsletters(marker: str, accepted: bool) -> None:
    body = read_body(f"Editorial.\n\n{marker}\n\nGrüße", (MEMBERS_ONLY, CLOSING))
    if accepted:
        assert body.problems == () and body.markers == {CLOSING: 2}
    else:
        assert [(p.line, p.field, p.expected, p.found) for p in body.problems] == [
            (2, "closing-Markierung", "<!-- closing -->", repr(marker))]


def test_an_unclosed_comment_is_refused() -> None:
    body = read_body("Text.\n\n<!-- Notiz: das kommt noch\n\nMehr Text.")
    assert [(p.line, p.field, p.expected, p.found) for p in body.problems] == [
        (2, "Kommentar", "einen HTML-Kommentar, der mit --> endet", repr("<!-- Notiz: das kommt noch"))]


# --- against Python-Markdown ----------------------------------------------------------------------------------------

TRICKY = [
    "Para one.\n<!-- note -->\nPara two.",
    "Text <!-- inline --> more.",
    "a <!-- spans\ntwo lines --> b",
    "<!--\nmulti\nline\n-->\n\nText.",
    "- item\n\n    <!-- in a list's continuation -->\n\nText.",
    "> quote <!-- in a quote -->",
    "<div>\n\n    <!-- in raw HTML -->\n\n</div>",
    "Para\n<!-- x --> Text after.",
    "`<!-- code span -->` and <!-- real -->",
    "```\n<!-- fenced -->\n```\n<!-- after the fence -->",
    "    <!-- indented code -->\n\n<!-- real -->",
    "Text\n\n<!-- one --><!-- two -->\n\nText",
    "| a | b |\n|---|---|\n| <!-- cell --> | x |",
]


class _Visible(HTMLParser):
    """The text a browser shows, and whether the HTML holds a comment."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.comments: list[str] = []

    def handle_data(self, data: str) -> None:
        self.text.append(data)

    def handle_comment(self, data: str) -> None:
        self.comments.append(data)


def rendered(text: str) -> _Visible:
    page = _Visible()
    page.feed(markdown.markdown(text, extensions=["extra"], output_format="html5"))
    return page


@pytest.mark.parametrize("source", TRICKY)
def test_what_markdown_renders_holds_no_comment_and_reads_the_same(source: str) -> None:
    """Python-Markdown, given the body without its comments, renders no comment, and the visible text is the
    same as with them."""
    before, after = rendered(source), rendered(read_body(source, ()).text)
    assert after.comments == []
    assert re.sub(r"\s+", " ", "".join(after.text)).strip() == re.sub(r"\s+", " ", "".join(before.text)).strip()


# --- through check and build ----------------------------------------------------------------------------------------

def test_check_and_build_refuse_every_misspelling_with_the_same_message(site: Site, monkeypatch) -> None:
    for number, marker in enumerate(REFUSED[:6]):
        site.write(f"products/p{number}.md", f"title: P{number}\n\n{body_with(marker)}\n")
    expected = [f"content/products/p{number}.md:5: {MESSAGE}{marker!r}" for number, marker in enumerate(REFUSED[:6])]
    with pytest.raises(ContentErrors) as caught:
        site.build("2027-01-15T09:00")
    assert [str(problem) for problem in caught.value.problems] == expected
    with pytest.raises(Exit) as check:
        load_tasks(monkeypatch, site.root).check(Context())
    assert check.value.message.splitlines()[1:7] == [f"  {line}" for line in expected]
    assert not site.output.exists()
