"""The service area: questions grouped by category, stable anchors, <details> without JavaScript, and
"Noch Fragen?" to the responsible contact person — only where the run was given that person."""

from __future__ import annotations

import re

import pytest

from conftest import Site
from sitebuild import ContentErrors

CLOCK = "2027-01-15T09:00"


def write_service(site: Site) -> None:
    site.write("contacts/jonas.md", "name: Jonas Berger\nemail: jonas@example.org\n\nText.\n")  # members only
    site.write("faq/lieferung.md", """\
        title: Wie lange dauert die Lieferung?
        audience: public
        category: Lieferung
        contact: jonas

        Zwei Tage.
        """)
    site.write("faq/abo.md", """\
        title: Wie pausiere ich mein Abo?
        category: Abo
        contact: jonas

        Im Kundenkonto.
        """)


def test_questions_grouped_with_anchors_and_contact(site: Site) -> None:
    write_service(site)
    result = site.build(CLOCK)
    assert result.gate.passed
    members = (site.output / "members" / "fragen" / "index.html").read_text(encoding="utf-8")
    assert re.findall(r'<section class="faq-group" id="([^"]+)"', members) == ["thema-abo", "thema-lieferung"]
    assert ('<details class="faq" data-faq>\n    <summary>Wie lange dauert die Lieferung?</summary>\n'
            '    <div class="faq__answer" id="lieferung">') in members  # the anchor inside: a link opens it
    assert members.count("Noch Fragen?") == 2
    assert "mailto:jonas@example.org?subject=Frage%20zu%3A%20Wie%20pausiere%20ich%20mein%20Abo%3F" in members
    assert "data-faq-filter hidden" in members  # the filter box appears only with JavaScript
    public = (site.output / "fragen" / "index.html").read_text(encoding="utf-8")
    assert 'id="lieferung"' in public
    assert "jonas@example.org" not in public and "Noch Fragen?" not in public  # the run never had Jonas


def test_unknown_contact_fails_the_build(site: Site) -> None:
    write_service(site)
    site.write("faq/abo.md", "title: Abo?\ncontact: jonsa\n\nText.\n")
    with pytest.raises(ContentErrors) as caught:
        site.build(CLOCK)
    assert [str(problem) for problem in caught.value.problems] == [
        "content/faq/abo.md:2: contact: erwartet den Slug eines Ansprechpartners in contacts/ (jonas), "
        "gefunden 'jonsa'"]
