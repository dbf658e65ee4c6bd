"""The theme's shared design: tokens as CSS, German dates, translatable theme strings.

Templates get the filters `day`, `weekday_day`, `time`, `zone_name`, `iso`, the gettext function `_`,
`DESIGN_TOKENS`, and, resolved once per run, `footer_pages` (the pages named by slug in FOOTER_PAGES, in that
order) and `customers_page` (the page with `template: customers`, or None). Each run writes
`theme/css/tokens.css` from `tokens.json`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pelican import signals

from outputs import write_output
from vorab import hooks
from vorab.context import BuildContext, Validation
from vorab.errors import ContentProblem
from vorab.messages import _
from vorab.options import setting_lines

from .locale import Formatter, install_translations, label_texts, languages
from .tokens import css_variables, load_tokens


def install_theme_helpers(generator: Any) -> None:
    settings = generator.settings
    env = generator.env
    install_translations(env, settings["THEME"], settings["DEFAULT_LANG"])
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


def check_languages(validation: Validation) -> None:
    """Validator: the site's language, and every newsletter's `lang`, must be one the theme speaks."""
    settings = validation.settings
    spoken = languages(settings["THEME"])
    if settings["DEFAULT_LANG"] not in spoken:
        path, line = setting_lines(validation.settings_file).get("DEFAULT_LANG", (validation.settings_file.name, 1))
        validation.problems.append(ContentProblem(path, line, "DEFAULT_LANG", _spoken(spoken),
                                                  repr(settings["DEFAULT_LANG"])))
    for item in validation.registry.items if validation.registry else ():
        lang = item.source.value("lang")
        if lang is not None and lang not in spoken:
            validation.problems.append(ContentProblem(item.path, item.source.line("lang"), "lang", _spoken(spoken),
                                                      repr(lang)))


def _spoken(spoken: tuple[str, ...]) -> str:
    return _("a language of the theme ({languages}; another needs translations/<lang>.po)").format(
        languages=", ".join(spoken))


def add_date_labels(context: BuildContext) -> None:
    """Build step: the month, day and time-zone names the date filters write are labels of the site, like the
    theme's own words, for the leak gate."""
    zones = {context.settings["TIMEZONE"], *(item.values["timezone"] for item in context.registry.items
                                             if "timezone" in item.values)}
    for lang in languages(context.settings["THEME"]):  # newsletters may be in any of them
        context.label_texts += label_texts(lang, zones)


def register() -> None:
    hooks.validating.connect(check_languages)
    hooks.building.connect(add_date_labels)
    signals.generator_init.connect(install_theme_helpers)
    signals.page_generator_finalized.connect(resolve_page_links)
    signals.finalized.connect(write_tokens_css)
