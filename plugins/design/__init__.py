"""The theme's shared design: tokens as CSS, German dates, translatable theme strings.

Templates get the filters `day`, `weekday_day`, `time`, `zone_name`, `iso`, the gettext function `_`,
`DESIGN_TOKENS`, and, resolved once per run, `footer_pages` (the pages named by slug in FOOTER_PAGES, in that
order) and `customers_page` (the page with `template: customers`, or None). Each run writes
`theme/css/tokens.css` from `tokens.json`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from outputs import write_output
from pelican import signals

from .locale import Formatter, translations
from .tokens import css_variables, load_tokens


def install_theme_helpers(generator: Any) -> None:
    settings = generator.settings
    env = generator.env
    env.install_gettext_translations(translations(settings["THEME"], settings["DEFAULT_LANG"]), newstyle=True)
    env.filters.update(Formatter(settings["DEFAULT_LANG"], settings["TIMEZONE"]).filters())
    env.globals["DESIGN_TOKENS"] = load_tokens(settings["THEME"])


def resolve_page_links(generator: Any) -> None:
    """Pages the frame links to on every page, looked up once rather than in every rendered page."""
    by_slug = {page.slug: page for page in generator.pages}
    generator.context["footer_pages"] = [by_slug[slug] for slug in generator.settings.get("FOOTER_PAGES", ())
                                         if slug in by_slug]
    generator.context["customers_page"] = next((p for p in generator.pages if p.template == "customers"), None)


def write_tokens_css(pelican: Any) -> None:
    target = Path(pelican.output_path) / "theme" / "css" / "tokens.css"
    write_output(target, css_variables(load_tokens(pelican.settings["THEME"])))


def register() -> None:
    signals.generator_init.connect(install_theme_helpers)
    signals.page_generator_finalized.connect(resolve_page_links)
    signals.finalized.connect(write_tokens_css)
