"""Content types of Vorab — products, seminars, FAQ, contacts — as real Pelican content types.

Settings, per type NAME in PRODUCT, SEMINAR, FAQ, CONTACT: `NAME_PATHS`, `NAME_EXCLUDES`, `NAME_URL`,
`NAME_SAVE_AS` (the item page) and `NAMES_URL`, `NAMES_SAVE_AS` (the listing page).
"""

from __future__ import annotations

from typing import Any

from pelican import signals

from .generators import GENERATORS, get_generators
from .schema import BY_FOLDER

URL_FOLDERS = {"Product": "produkte", "Seminar": "seminare", "Faq": "fragen", "Contact": "ansprechpartner"}


def set_defaults(pelican: Any) -> None:
    settings = pelican.settings
    for generator in GENERATORS:
        name = generator.content_class.__name__
        setting = name.upper()
        folder = next(t.folder for t in BY_FOLDER.values() if t.name == name)
        url_folder = URL_FOLDERS[name]
        settings.setdefault(f"{setting}_PATHS", [folder])
        settings.setdefault(f"{setting}_EXCLUDES", [])
        settings.setdefault(f"{setting}_URL", f"{url_folder}/{{slug}}/")
        settings.setdefault(f"{setting}_SAVE_AS", f"{url_folder}/{{slug}}/index.html")
        settings.setdefault(f"{setting}S_URL", f"{url_folder}/")
        settings.setdefault(f"{setting}S_SAVE_AS", f"{url_folder}/index.html")


def register() -> None:
    signals.initialized.connect(set_defaults)
    signals.get_generators.connect(get_generators)
