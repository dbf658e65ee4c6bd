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
         ("on-members", "members"), ("accent", "surface")]


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
