"""The language of what the tools tell editors: German by default, English on request (gettext, with Babel).

Code writes English source strings and marks them; the German catalogue `translations/de.po` (beside this file)
translates them, compiled in memory once per process:

    from vorab.messages import N_, _, ngettext

    _("{path}: already exists; nothing was written").format(path=path)   # translated here and now
    ngettext("{count} problem", "{count} problems", count).format(count=count)
    EXPECTED = N_("a whole number")   # only marked: translated where it is shown, `_(EXPECTED)`

Placeholders are named, so that a translation may reorder them. tests/test_messages.py fails for a marked
string without a German translation and for a translation of a string no code marks any more.

The language: VORAB_MESSAGES_LANG if it names one (for operators and CI logs), else the project's
MESSAGES_LANG setting once a command has read it (`use`), else German. The choice belongs to the process:
the Pelican runs and the leak gate's scans are forked from the build and inherit it.
"""

from __future__ import annotations

import functools
import gettext
import io
import os
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

SOURCE = "en"  # the language of the strings in the code
DEFAULT = "de"
LANGUAGES = (DEFAULT, SOURCE)
VARIABLE = "VORAB_MESSAGES_LANG"
CATALOGUES = Path(__file__).with_name("translations")

_setting: str | None = None  # the project's MESSAGES_LANG, once a command has read it


def use(setting: object) -> str:
    """Take the project's MESSAGES_LANG setting for this process (a value that is no language is reported by
    the validation, and means the default until fixed); return the language now in use."""
    global _setting
    _setting = setting if isinstance(setting, str) and setting in LANGUAGES else None
    return language()


def language() -> str:
    """The language of messages now: the environment variable, else the setting, else German."""
    chosen = os.environ.get(VARIABLE, "")
    return chosen if chosen in LANGUAGES else _setting or DEFAULT


@functools.cache
def translations(lang: str) -> gettext.NullTranslations:
    """The compiled catalogue of `lang` (none for the source language)."""
    if lang == SOURCE:
        return gettext.NullTranslations()
    with (CATALOGUES / f"{lang}.po").open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def _(message: str) -> str:
    """`message` in the language of messages."""
    return translations(language()).gettext(message)


def ngettext(singular: str, plural: str, count: int) -> str:
    """The singular or plural form for `count`, in the language of messages."""
    return translations(language()).ngettext(singular, plural, count)


def N_(message: str) -> str:  # noqa: N802 — gettext's name for a marker that translates nothing
    """Mark `message` for the catalogue; translate it with `_` where it is shown."""
    return message
