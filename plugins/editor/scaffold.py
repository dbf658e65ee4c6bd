"""`invoke new`: a new content file with every field of its type present, explained, and safe to commit.

The fields and their kinds come from catalog/schema.py. Pelican's front matter cannot hold comments, so the
explanation is an HTML comment at the top of the body (the site and the e-mail render it as nothing); empty
values mean "not set". A new file starts as `status: draft`, so a half-written file never goes out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from catalog.schema import CONTENT_TYPES, STATUSES, ContentType, Field, Kind
from catalog.slugs import slugify

LIFECYCLE = """\
Release: members see the item from members_from (empty: at once), the public from public_from
(empty: never, unless audience is public); nobody after expires."""
NEWSLETTER_LIFECYCLE = """\
Release: the issue goes to its audience at send_date and then appears in that audience's archive."""
DRAFT = """\
status draft keeps it off every site and out of every mailing: set published (or empty) when it is ready.
Then: invoke check, invoke schedule, invoke preview."""


class ScaffoldError(Exception):
    """An unknown type, an empty title or an existing file."""


def content_type(name: str) -> ContentType:
    """A type by folder (`products`) or by singular name (`product`)."""
    for candidate in CONTENT_TYPES:
        if name.lower() in (candidate.folder, candidate.name.lower()):
            return candidate
    names = ", ".join(t.folder for t in CONTENT_TYPES)
    raise ScaffoldError(f"type: expected one of {names}, found {name!r}")


def target_path(settings: dict[str, Any], kind: ContentType, title: str) -> Path:
    """content/<folder>/<slug>.md, or <NEWSLETTER_PATH>/<slug>.md for a newsletter."""
    slug = slugify(title)
    if not slug:
        raise ScaffoldError(f"title: expected words to make a file name of, found {title!r}")
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
        raise ScaffoldError(f"{path}: already exists; nothing was written") from None
    return path


def render(kind: ContentType, title: str, today: date, tiers: Iterable[str]) -> str:
    """The file's text: the title field first, then every other field of the type, then the explanation."""
    values = {**suggested_values(kind, today), kind.title_field: title}
    names = sorted(kind.fields, key=lambda name: name != kind.title_field)
    header = "\n".join(f"{name}: {values.get(name, '')}".rstrip() for name in names)
    width = max(map(len, names))
    notes = "\n".join(f"{name:<{width}}  {explain(kind.fields[name], tiers)}" for name in names)
    lifecycle = NEWSLETTER_LIFECYCLE if kind.release_field else LIFECYCLE
    return (f"{header}\n\n<!--\nThe fields of {kind.folder} (an empty value means not set; delete this note when "
            f"you like):\n{notes}\n\n{lifecycle}\n{DRAFT}\n-->\n\nWrite the text here.\n")


def explain(spec: Field, tiers: Iterable[str]) -> str:
    """One line from the schema: the kind of value and what is special about the field."""
    choices = {Kind.AUDIENCE: " or ".join(tiers), Kind.STATUS: " or ".join(STATUSES), Kind.TEXT: "text"}
    parts = ["required" if spec.required else "", choices.get(spec.kind, spec.kind.value),
             "member-only: never shown on the public site" if spec.member_only else "",
             f"needs alternative text in {spec.alt}" if spec.alt else ""]
    return "; ".join(part for part in parts if part)


def suggested_values(kind: ContentType, today: date) -> dict[str, str]:
    """Sensible starting values: a draft in the type's default audience, with dates a few weeks ahead."""
    values = {"audience": kind.default_audience, "status": "draft"}
    if kind.folder == "products":  # a preview: members first, the public four weeks later
        values["public_from"] = (today + timedelta(weeks=4)).isoformat()
    if kind.folder == "seminars":
        day = today + timedelta(weeks=6)
        values |= {"start": f"{day}T18:00", "end": f"{day}T20:00", "expires": (day + timedelta(days=1)).isoformat()}
    if kind.release_field:
        values |= {kind.release_field: f"{today + timedelta(days=1)}T09:00", "products": "auto"}
    return {name: value for name, value in values.items() if name in kind.fields}

