"""Design tokens: one source for site CSS and e-mail, with WCAG 2.1 AA contrast in light and dark."""

from __future__ import annotations

import re

import pytest

from conftest import THEME
from design.tokens import css_variables, load_tokens

TOKENS = load_tokens(THEME)
# (text, background) pairs the theme uses; AA needs 4.5:1 for body text.
PAIRS = [("text", "background"), ("text", "surface"), ("muted", "background"), ("muted", "surface"),
         ("brand", "background"), ("brand", "surface"), ("on-brand", "brand"), ("on-preview", "preview"),
         ("on-members", "members"), ("accent", "surface"),
         ("on-members-band", "members-band"), ("members", "background"), ("on-hero", "hero")]


def luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("palette", ["color", "color-dark"])
@pytest.mark.parametrize(("text", "background"), PAIRS)
def test_token_pairs_meet_aa(palette: str, text: str, background: str) -> None:
    colours = TOKENS[palette]
    assert contrast(colours[text], colours[background]) >= 4.5


@pytest.mark.parametrize("palette", ["color", "color-dark"])
def test_the_member_header_is_a_dark_band_in_the_dark_scheme_too(palette: str) -> None:
    """The member area's header band is never brighter than its text: no bright mint band in the dark scheme."""
    colours = TOKENS[palette]
    assert luminance(colours["members-band"]) < luminance(colours["on-members-band"])
    assert luminance(colours["members-band"]) < 0.1


def test_css_variables_come_from_tokens_only() -> None:
    css = css_variables(TOKENS)
    assert f"--color-brand: {TOKENS['color']['brand']};" in css
    assert "@media (prefers-color-scheme: dark)" in css
    site_css = (THEME / "static" / "css" / "site.css").read_text()
    assert re.findall(r"#[0-9a-fA-F]{3,8}\b", site_css) == [], "site.css must use var(--color-…) tokens"


def test_every_theme_string_has_a_translation_in_every_catalogue() -> None:
    """Site and e-mail templates alike: a newsletter with `lang: en` reads English throughout."""
    from babel.messages.pofile import read_po

    strings = {match[2] for path in THEME.rglob("*") if path.is_file() and path.suffix in (".html", ".mjml", ".txt")
               for match in re.finditer(r"""(?:\b_|ngettext)\(\s*(["'])(.+?)\1""", path.read_text(encoding="utf-8"))}
    assert len(strings) > 50
    for catalogue in sorted((THEME / "translations").glob("*.po")):
        with catalogue.open("rb") as file:
            translated = {message.id if isinstance(message.id, str) else message.id[0]  # plurals: (one, many)
                          for message in read_po(file) if message.id and all(message.string)}
        assert sorted(strings - translated) == [], catalogue.name


I18N_SNIPPETS = """{{ _("Kundenbereich") }}|{{ _("<b>fett</b> & mehr") }}|{{ _("100 %% sicher") }}|{{ gettext("x") }}|
{{ _("gültig bis %(date)s", date=value) }}|{{ _("Seite %(n)d von %(m)s", n=3, m=value) }}|
{% for n in (0, 1, 2) %}{{ ngettext("%(num)d Platz", "%(num)d Plätze", n) }} {{ ngettext("ein %(x)s", "%(num)d %(x)s",
n, x=value) }}|{% endfor %}{{ pgettext("Menü", "Wort %(context)s") }}|{{ npgettext("Menü", "%(num)d Ding",
"%(num)d Dinge", 2) }}|{% trans %}Hallo {{ value }}{% endtrans %}|{% trans count=2 %}Ein Platz{% pluralize %}{{ count }}
Plätze für {{ value }}{% endtrans %}|{% autoescape false %}{{ _("<b>%(v)s</b>", v=value) }}{% endautoescape %}|
{{ _("Kundenbereich") ~ "!" }}|{{ _("Kundenbereich")|upper }}"""


def _i18n_env(autoescape: bool, source_path: bool) -> object:
    import gettext

    import jinja2

    from design.locale import install_translations

    env = jinja2.Environment(autoescape=autoescape, extensions=["jinja2.ext.i18n"])
    if source_path:
        install_translations(env, THEME, "de")
    else:  # how the theme was rendered before: Jinja's wrappers around a catalogue that has no entries
        env.install_gettext_translations(gettext.NullTranslations(), newstyle=True)  # type: ignore[attr-defined]
    return env


@pytest.mark.parametrize("autoescape", [True, False], ids=["autoescape", "no autoescape"])
def test_source_language_strings_render_byte_identical_to_jinjas_gettext(autoescape: bool) -> None:
    """The source language's plain callables: autoescaping, `%(name)s` and `%%` exactly as Jinja's new-style
    gettext over a catalogue, for every theme string and for the forms templates could use."""
    import jinja2

    messages: set[tuple[str, ...]] = set()  # (singular,) or (singular, plural)
    for path in sorted((THEME / "templates").rglob("*.html")):
        probe = _i18n_env(False, False)
        assert isinstance(probe, jinja2.Environment)
        for _line, function, message in probe.extract_translations(  # type: ignore[attr-defined]
                path.read_text(encoding="utf-8")):
            strings = (message,) if isinstance(message, str) else message
            messages.add(tuple(strings[:2] if function == "ngettext" else strings[:1]))
    names = sorted(set(re.findall(r"%\((\w+)\)", repr(messages))) - {"num"})
    variables = ", ".join(f"{name}=value" for name in names)
    calls = [f"{{{{ ngettext({message[0]!r}, {message[1]!r}, {num}, {variables}) }}}}" if len(message) == 2
             else f"{{{{ _({message[0]!r}, num={num}, {variables}) }}}}|{{{{ _({message[0]!r}) if '%(' not in "
                  f"{message[0]!r} }}}}" for message in sorted(messages) for num in (1, 2)]
    assert len(calls) > 100
    source = I18N_SNIPPETS + "\n" + "\n".join(calls)
    rendered = []
    for source_path in (False, True):
        env = _i18n_env(autoescape, source_path)
        assert isinstance(env, jinja2.Environment)
        template = env.from_string(source)
        rendered += [template.render(value="<i>A & B</i>").encode() for _ in range(2)]  # twice: remembered strings
    assert rendered[0] == rendered[1] == rendered[2] == rendered[3]
    assert ("&lt;i&gt;A &amp; B&lt;/i&gt;" in rendered[0].decode()) is autoescape
    assert "|<b>fett</b> & mehr|" in rendered[0].decode()  # a theme string is trusted markup, as in Jinja


def test_switching_languages_switches_every_gettext_callable() -> None:
    """A newsletter in another language after one in the source language, and back (render.py's `speak`)."""
    import jinja2

    from design.locale import install_translations

    env = jinja2.Environment(autoescape=True, extensions=["jinja2.ext.i18n"])
    template = '{{ _("Kundenbereich") }}|{{ gettext("Kundenbereich") }}|{% trans %}Kundenbereich{% endtrans %}'
    install_translations(env, THEME, "de")
    assert env.from_string(template).render() == "Kundenbereich|Kundenbereich|Kundenbereich"
    install_translations(env, THEME, "en")
    english = env.from_string(template).render()
    assert "Kundenbereich" not in english and len(set(english.split("|"))) == 1
    install_translations(env, THEME, "de")
    assert env.from_string(template).render() == "Kundenbereich|Kundenbereich|Kundenbereich"


# --- The members' head start in human units ---------------------------------------------------------------------

@pytest.mark.parametrize(("days", "count", "unit"), [
    (1, 1, "day"), (13, 13, "day"),            # days up to 13
    (14, 2, "week"), (20, 2, "week"), (21, 3, "week"), (59, 8, "week"),  # then weeks, rounded down
    (60, 2, "month"), (89, 2, "month"), (90, 3, "month"), (91, 3, "month"),  # then months of 30 days
    (329, 10, "month"), (330, 11, "month"), (364, 11, "month"),
    (365, 1, "year"), (729, 1, "year"), (730, 2, "year"), (1186, 3, "year")])
def test_the_head_start_reads_in_the_largest_exact_unit(days: int, count: int, unit: str) -> None:
    from design.locale import Span, head_start

    assert head_start(days) == Span(count, unit)


@pytest.mark.parametrize(("public_from", "words"), [
    ("2027-01-16T09:00", "Sie sind 1 Tag früher dran"), ("2027-01-20T09:00", "Sie sind 5 Tage früher dran"),
    ("2027-02-05T09:00", "Sie sind 3 Wochen früher dran"), ("2027-03-18T09:00", "Sie sind 2 Monate früher dran"),
    ("2028-01-15T09:00", "Sie sind 1 Jahr früher dran"), ("2029-02-15T09:00", "Sie sind 2 Jahre früher dran")])
def test_the_preview_badge_says_the_head_start_in_words(site, public_from: str, words: str) -> None:
    """The badge's plural forms come from the theme's ngettext, one message per unit."""
    site.write("products/bohne.md", f"title: Bohne\npublic_from: {public_from}\n\nText.\n")
    site.build("2027-01-15T09:00")
    page = (site.output / "members" / "produkte" / "bohne" / "index.html").read_text(encoding="utf-8")
    badge = " ".join(re.search(r'<p class="badge badge--preview">(.*?)</p>', page, re.S)[1].split())
    assert badge.endswith(f"— {words}")


def test_the_date_filters_remember_by_local_time_zone_and_offset() -> None:
    """The filters remember what babel said (a listing asks for the same days again and again) — by the local
    time, the zone and its offset, never by the moment: the same moment reads differently in two zones, and the
    hour the clocks go back occurs twice, in summer time and in winter time."""
    from datetime import UTC, datetime

    from design.locale import Formatter

    say = Formatter("de", "Europe/Berlin")
    moment = datetime(2027, 1, 15, 23, 30, tzinfo=UTC)
    assert say.weekday_day(moment) == "Samstag, 16. Januar 2027"
    assert say.weekday_day(moment, "America/New_York") == "Freitag, 15. Januar 2027"
    assert say.time(moment) == "00:30" and say.time(moment, "America/New_York") == "18:30"
    summer, winter = datetime(2027, 10, 31, 0, 30, tzinfo=UTC), datetime(2027, 10, 31, 1, 30, tzinfo=UTC)
    assert say.time(summer) == say.time(winter) == "02:30"  # the same wall time, twice
    assert (say.zone_name(summer), say.zone_name(winter)) == ("Mitteleuropäische Sommerzeit",
                                                              "Mitteleuropäische Normalzeit")
    assert (say.zone_name(winter), say.zone_name(summer)) == ("Mitteleuropäische Normalzeit",
                                                              "Mitteleuropäische Sommerzeit")
