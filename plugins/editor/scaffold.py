"""`invoke new`: a new content file with every field of its type present, explained, and safe to commit.

The fields and their kinds come from catalog/schema.py. Pelican's front matter cannot hold comments, so the
explanation is an HTML comment at the top of the body (the site and the e-mail render it as nothing), in the
language of messages (vorab/messages.py); empty values mean "not set". A new file starts as `status: draft`, so
a half-written file never goes out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from catalog.schema import CONTENT_TYPES, STATUSES, ContentType, Field, Kind
from catalog.slugs import slugify
from vorab.messages import N_, _

LIFECYCLE = N_("""\
Release: members see the item from members_from (empty: at once), the public from public_from
(empty: never, unless audience is public) until public_until (empty: for good; afterwards members only,
in their archive); nobody after expires.""")
NEWSLETTER_LIFECYCLE = N_("""\
Release: the issue goes to its audience at send_date and then appears in that audience's archive.""")
DRAFT = N_("""\
status draft keeps it off every site and out of every mailing: set published (or empty) when it is ready.
Then: invoke check, invoke schedule, invoke preview.""")


class ScaffoldError(Exception):
    """An unknown type, an empty title or an existing file."""


def content_type(name: str) -> ContentType:
    """A type by folder (`products`) or by singular name (`product`)."""
    for candidate in CONTENT_TYPES:
        if name.lower() in (candidate.folder, candidate.name.lower()):
            return candidate
    names = ", ".join(t.folder for t in CONTENT_TYPES)
    raise ScaffoldError(_("type: expected one of {choices}, found {found}").format(choices=names, found=repr(name)))


def target_path(settings: dict[str, Any], kind: ContentType, title: str) -> Path:
    """content/<folder>/<slug>.md, or <NEWSLETTER_PATH>/<slug>.md for a newsletter."""
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(_("title: expected words to make a file name of, found {found}").format(
            found=repr(title)))
    content = Path(settings["PATH"])
    if kind.release_field:  # newsletters live beside content/
        return content.parent / str(settings["NEWSLETTER_PATH"]) / f"{slug}.md"
    return content / kind.folder / f"{slug}.md"


def scaffold(path: Path, kind: ContentType, title: str, today: date, tiers: Iterable[str]) -> Path:
    """Write the new file; refuse to overwrite anything."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        with path.open("x", encoding="utf-8") as file:
            file.write(render(kind, title, today, tiers))
    except FileExistsError:
        raise ScaffoldError(_("{path}: already exists; nothing was written").format(path=path)) from None
    return path


def render(kind: ContentType, title: str, today: date, tiers: Iterable[str]) -> str:
    """The file's text: the title field first, then every other field of the type, then the explanation."""
    values = {**suggested_values(kind, today), kind.title_field: title}
    names = sorted(kind.fields, key=lambda name: name != kind.title_field)
    header = "\n".join(f"{name}: {values.get(name, '')}".rstrip() for name in names)
    width = max(map(len, names))
    notes = "\n".join(f"{name:<{width}}  {explain(kind.fields[name], tiers)}" for name in names)
    lifecycle = NEWSLETTER_LIFECYCLE if kind.release_field else LIFECYCLE
    fields = _("The fields of {folder} (an empty value means not set; delete this note when you like):").format(
        folder=kind.folder)
    note = "\n".join([fields, notes, "", _(lifecycle), _(DRAFT)])
    return "\n".join([header, "", "<!--", note, "-->", "", _("Write the text here."), ""])


def explain(spec: Field, tiers: Iterable[str]) -> str:
    """One line from the schema: the kind of value and what is special about the field."""
    choices = {Kind.AUDIENCE: _(" or ").join(tiers), Kind.STATUS: _(" or ").join(STATUSES)}
    parts = [_("required") if spec.required else "", choices.get(spec.kind, _(spec.kind.value)),
             _("member-only: never shown on the public site") if spec.member_only else "",
             _("needs alternative text in {field}").format(field=spec.alt) if spec.alt else ""]
    return "; ".join(part for part in parts if part)


def _german(day: date) -> str:
    """A date the way the editors write it (15.01.2027); the build reads ISO dates as well."""
    return day.strftime("%d.%m.%Y")


def suggested_values(kind: ContentType, today: date) -> dict[str, str]:
    """Sensible starting values: a draft in the type's default audience, with dates a few weeks ahead."""
    values = {"audience": kind.default_audience, "status": "draft"}
    if kind.folder == "products":  # a preview: members first, the public four weeks later
        values["public_from"] = _german(today + timedelta(weeks=4))
    if kind.folder == "seminars":
        day = today + timedelta(weeks=6)
        values |= {"start": f"{_german(day)} 18:00", "end": f"{_german(day)} 20:00",
                   "expires": _german(day + timedelta(days=1))}
    if kind.release_field:
        values |= {kind.release_field: f"{_german(today + timedelta(days=1))} 09:00", "products": "auto"}
    return {name: value for name, value in values.items() if name in kind.fields}

