"""Dates, times and theme strings in the site's language (Babel), for templates and e-mails alike.

Theme strings are written in German in the templates (`{{ _("Kundenbereich") }}`); another language is a
gettext catalogue `themes/member-area/translations/<lang>.po`, selected by DEFAULT_LANG.
"""

from __future__ import annotations

import functools
import gettext
import io
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2
from babel import Locale, dates
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from jinja2.nodes import EvalContext
from markupsafe import Markup

SOURCE_LANG = "de"


def languages(theme_path: str | Path) -> tuple[str, ...]:
    """The languages the theme speaks: its source language and one per catalogue."""
    catalogues = sorted(path.stem for path in (Path(theme_path) / "translations").glob("*.po"))
    return (SOURCE_LANG, *(lang for lang in catalogues if lang != SOURCE_LANG))


def translations(theme_path: str | Path, lang: str) -> gettext.NullTranslations:
    """The theme's catalogue for `lang`; the German source strings when `lang` is German or has none."""
    po_file = Path(theme_path) / "translations" / f"{lang}.po"
    if lang == SOURCE_LANG or not po_file.is_file():
        return gettext.NullTranslations()
    with po_file.open("rb") as handle:
        catalog = read_po(handle, locale=lang)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return gettext.GNUTranslations(compiled)


def install_translations(env: jinja2.Environment, theme_path: str | Path, lang: str) -> None:
    """Theme strings in `lang` for `env` (with jinja2.ext.i18n), new style: autoescaped and `%(name)s`-formatted.
    In the source language a string is its own translation, so it needs neither a catalogue nor Jinja's
    wrappers around one (two more context calls per string): plain callables with the same result."""
    catalogue = translations(theme_path, lang)
    if type(catalogue) is not gettext.NullTranslations:
        env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]  # jinja2.ext.i18n
        env.globals["_"] = env.globals["gettext"]
        return
    env.newstyle_gettext = True  # type: ignore[attr-defined]  # how jinja2.ext.i18n compiles {% trans %}
    env.globals.update(_=_source_gettext, gettext=_source_gettext, ngettext=_source_ngettext,
                       pgettext=_source_pgettext, npgettext=_source_npgettext)


@functools.lru_cache(maxsize=4096)
def _constant(string: str, autoescape: bool) -> str:
    """A string without variables, as Jinja's new-style gettext returns it (formatted even so: `%%` is `%`)."""
    return _formatted(string, autoescape, {})


def _formatted(string: str, autoescape: bool, variables: dict[str, Any]) -> str:
    return (Markup(string) if autoescape else string) % variables  # noqa: S704 — a theme string, as Jinja trusts it


@jinja2.pass_eval_context
def _source_gettext(eval_ctx: EvalContext, string: str, /, **variables: Any) -> str:
    if variables:
        return _formatted(string, eval_ctx.autoescape, variables)
    return _constant(string, eval_ctx.autoescape)


@jinja2.pass_eval_context
def _source_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    variables.setdefault("num", num)
    return _formatted(singular if num == 1 else plural, eval_ctx.autoescape, variables)


@jinja2.pass_eval_context
def _source_pgettext(eval_ctx: EvalContext, context: str, string: str, /, **variables: Any) -> str:
    variables.setdefault("context", context)
    return _formatted(string, eval_ctx.autoescape, variables)


@jinja2.pass_eval_context
def _source_npgettext(eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int, /,
                      **variables: Any) -> str:
    variables.setdefault("context", context)
    variables.setdefault("num", num)
    return _formatted(singular if num == 1 else plural, eval_ctx.autoescape, variables)


class Formatter:
    """Locale-aware date filters for one language and one site time zone."""

    def __init__(self, lang: str, timezone: str) -> None:
        self.lang = lang
        self.zone = ZoneInfo(timezone)
        # What babel said, by (filter, local time, zone): a listing shows the same days again and again, and babel
        # reads its pattern anew at every call (a tenth of a run's rendering). Keyed by the local time, the
        # zone and its offset (an hour that occurs twice), not the moment: equal moments in two zones differ.
        self._said: dict[tuple[str, datetime, str, timedelta | None], str] = {}

    def _local(self, moment: datetime, zone: str | None) -> datetime:
        return moment.astimezone(ZoneInfo(zone) if zone else self.zone)

    def _say(self, what: str, moment: datetime, zone: str | None, say: Callable[[datetime], str]) -> str:
        local = self._local(moment, zone)
        key = (what, local.replace(tzinfo=None), str(local.tzinfo), local.utcoffset())
        if key not in self._said:
            self._said[key] = say(local)
        return self._said[key]

    def day(self, moment: datetime, zone: str | None = None) -> str:
        """`15. Januar 2027`"""
        return self._say("day", moment, zone, lambda local: dates.format_date(local, "long", locale=self.lang))

    def weekday_day(self, moment: datetime, zone: str | None = None) -> str:
        """`Freitag, 15. Januar 2027`"""
        return self._say("weekday_day", moment, zone,
                         lambda local: dates.format_date(local, "full", locale=self.lang))

    def time(self, moment: datetime, zone: str | None = None) -> str:
        """`18:00`"""
        return self._say("time", moment, zone, lambda local: dates.format_time(local, "short", locale=self.lang))

    def zone_name(self, moment: datetime, zone: str | None = None) -> str:
        """`Mitteleuropäische Normalzeit` (the zone's name at that moment, summer or winter)."""
        return self._say("zone_name", moment, zone,
                         lambda local: dates.get_timezone_name(local, width="long", locale=self.lang))

    def iso(self, moment: datetime) -> str:
        """For `<time datetime>`."""
        return moment.isoformat()

    def filters(self) -> dict[str, object]:
        return {"day": self.day, "weekday_day": self.weekday_day, "time": self.time,
                "zone_name": self.zone_name, "iso": self.iso, "head_start": head_start}


@dataclass(frozen=True)
class Span:
    """A length of time as people say it: `count` of `unit` ("day", "week", "month" or "year")."""

    count: int
    unit: str


def head_start(days: int) -> Span:
    """The members' head start in the largest unit that still reads exactly enough, rounded down: up to 13 days in
    days, up to 59 in weeks (2–8), up to 364 in months of 30 days (the commercial month, so that 1 November to
    1 February reads "3 Monate"; 2–11), then in years of 365 days. The templates word it through ngettext, one
    message per unit."""
    if days < 14:
        return Span(days, "day")
    if days < 60:
        return Span(days // 7, "week")
    if days < 365:
        return Span(min(days // 30, 11), "month")
    return Span(days // 365, "year")


def label_texts(lang: str, zones: Iterable[str]) -> list[str]:
    """The words the date filters write besides numbers — month and day names, the names of the `zones` in
    summer and winter — in the site's language: labels of the site, like the theme's own strings (the leak gate
    excuses them as such)."""
    locale = Locale.parse(lang)
    names = [*locale.months["format"]["wide"].values(), *locale.months["format"]["abbreviated"].values(),
             *locale.days["format"]["wide"].values(), *locale.days["format"]["abbreviated"].values()]
    for zone in sorted(set(zones)):
        for month in (1, 7):
            moment = datetime(2026, month, 15, 12, tzinfo=ZoneInfo(zone))
            names += [dates.get_timezone_name(moment, width=width, locale=locale) for width in ("long", "short")]
            names.append(moment.tzname() or "")  # what calendars write (CET, CEST)
    return [" ".join(names)]
