"""Content types of Vorab — products, seminars, FAQ, contacts, newsletter issues — as real Pelican content types.

Settings, per type NAME in PRODUCT, SEMINAR, FAQ, CONTACT, NEWSLETTER: `NAME_PATHS`, `NAME_EXCLUDES`, `NAME_URL`,
`NAME_SAVE_AS` (the item page) and `NAMES_URL`, `NAMES_SAVE_AS` (the listing page).
"""

from __future__ import annotations

from typing import Any

from pelican import signals

from .generators import GENERATORS, get_generators

URL_FOLDERS = {"Product": "produkte", "Seminar": "seminare", "Faq": "fragen", "Contact": "ansprechpartner",
               "Newsletter": "newsletter"}


def default_settings() -> dict[str, Any]:
    """Paths and URLs of every content type; pelicanconf.py may override any of them."""
    defaults: dict[str, Any] = {}
    for generator in GENERATORS:
        name = generator.content_class.__name__
        setting = name.upper()
        url_folder = URL_FOLDERS[name]
        defaults[f"{setting}_PATHS"] = [generator.content_class.content_type.folder]
        defaults[f"{setting}_EXCLUDES"] = []
        defaults[f"{setting}_URL"] = f"{url_folder}/{{slug}}/"
        defaults[f"{setting}_SAVE_AS"] = f"{url_folder}/{{slug}}/index.html"
        # An item in another language (a newsletter with `lang: en`) is no translation of another: same place.
        defaults[f"{setting}_LANG_URL"] = defaults[f"{setting}_URL"]
        defaults[f"{setting}_LANG_SAVE_AS"] = defaults[f"{setting}_SAVE_AS"]
        defaults[f"{setting}S_URL"] = f"{url_folder}/"
        defaults[f"{setting}S_SAVE_AS"] = f"{url_folder}/index.html"
    return defaults


def item_url(settings: dict[str, Any], type_name: str, slug: str) -> str:
    """The site-relative URL of an item, e.g. `produkte/hochland-geisha/` (used outside Pelican runs)."""
    pattern = str(settings.get(f"{type_name.upper()}_URL") or default_settings()[f"{type_name.upper()}_URL"])
    return pattern.format(slug=slug)


def set_defaults(pelican: Any) -> None:
    for key, value in default_settings().items():
        pelican.settings.setdefault(key, value)


def register() -> None:
    signals.initialized.connect(set_defaults)
    signals.get_generators.connect(get_generators)
