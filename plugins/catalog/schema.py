"""What editors may write: the content types, their folders, default audiences and front-matter fields.

This table is the single description of the front matter. The registry validates every file against it; the
Pelican content classes and generators are built from it; member-only fields are stripped from public sources
by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from vorab.messages import N_

from .body import CLOSING, MEMBERS_ONLY


class Kind(Enum):
    """How a field's value is read and checked; the value says what it expects (marked for the catalogue:
    shown as `_(kind.value)`)."""

    TEXT = N_("text")
    MOMENT = N_("a date or date-time (e.g. 15.01.2027, 15.01.2027 09:00, 2027-01-15 or 2027-01-15T09:00)")
    AUDIENCE = N_("an audience")
    STATUS = N_("a status")
    SLUG = N_("a slug of lower-case letters, digits and hyphens")
    INTEGER = N_("a whole number")
    FLAG = N_("yes or no")
    LIST = N_("a comma-separated list")
    URL = N_("an absolute https:// or mailto: URL")
    EMAIL = N_("an e-mail address")
    IMAGE = N_("the path of an image under content/ (e.g. images/products/bohne.svg)")
    TIMEZONE = N_("an IANA time zone (e.g. Europe/Berlin)")
    TEMPLATE = N_("a template name")
    REFERENCES = N_("a comma-separated list of slugs, or auto")  # resolved by the newsletter plugin


@dataclass(frozen=True)
class Field:
    name: str
    kind: Kind = Kind.TEXT
    required: bool = False
    member_only: bool = False  # never given to the public build, not even for a released item
    alt: str | None = None  # for images: the field that must hold the alternative text
    whole_day: bool = False  # a date without a time means the end of that day ("valid until 28 February")
    own_zone: bool = False  # a moment in the item's own `timezone` field; every other moment is in the site's
    markdown: bool = False  # rendered as Markdown (Pelican's FORMATTED_FIELDS): its HTML comments are removed


COMMON_FIELDS: tuple[Field, ...] = (
    Field("title", required=True),
    Field("slug", Kind.SLUG),
    Field("summary", markdown=True),
    Field("audience", Kind.AUDIENCE),
    Field("members_from", Kind.MOMENT),
    Field("public_from", Kind.MOMENT),
    Field("public_until", Kind.MOMENT),
    Field("expires", Kind.MOMENT),
    Field("status", Kind.STATUS),
    Field("tags", Kind.LIST),
    Field("category"),
)

STATUSES: tuple[str, ...] = ("published", "draft")


@dataclass(frozen=True)
class ContentType:
    """One folder of `content/` and what its files may say."""

    name: str  # Pelican content class name, e.g. "Product" → settings PRODUCT_URL, template product.html
    folder: str
    default_audience: str
    extra_fields: tuple[Field, ...] = ()
    title_field: str = "title"
    omit: tuple[str, ...] = ()  # common fields this type does not have
    release_field: str | None = None  # a moment that replaces members_from/public_from (a newsletter's send_date)
    markers: tuple[str, ...] = (MEMBERS_ONLY,)  # the markers its bodies may hold (catalog/body.py)
    fields: dict[str, Field] = field(init=False, repr=False)
    image_fields: tuple[str, ...] = field(init=False, repr=False)  # the names of its fields of Kind.IMAGE

    def __post_init__(self) -> None:
        omitted = set(self.omit) | ({"title"} if self.title_field != "title" else set())
        merged = {f.name: f for f in COMMON_FIELDS if f.name not in omitted}
        merged.update({f.name: f for f in self.extra_fields})
        object.__setattr__(self, "fields", merged)
        object.__setattr__(self, "image_fields", tuple(f.name for f in merged.values() if f.kind is Kind.IMAGE))

    @property
    def member_only_fields(self) -> tuple[str, ...]:
        return tuple(name for name, f in self.fields.items() if f.member_only)


PRODUCT = ContentType(
    "Product",
    "products",
    "members",
    (
        Field("image", Kind.IMAGE, alt="image_alt"),
        Field("image_alt"),
        Field("price"),
        Field("offer", member_only=True),
        Field("offer_code", member_only=True),
        Field("offer_until", Kind.MOMENT, whole_day=True),
        Field("order_url", Kind.URL),
    ),
)
SEMINAR = ContentType(
    "Seminar",
    "seminars",
    "members",
    (
        Field("start", Kind.MOMENT, required=True, own_zone=True),
        Field("end", Kind.MOMENT, required=True, own_zone=True),
        Field("timezone", Kind.TIMEZONE),
        Field("location"),
        Field("register_url", Kind.URL),
        Field("contact", Kind.SLUG),  # the contact person who takes registrations (a slug in contacts/)
        Field("capacity", Kind.INTEGER),
        Field("booked_out", Kind.FLAG),
        Field("online_url", Kind.URL, member_only=True),  # the meeting link
        Field("sequence", Kind.INTEGER),  # raised by the editor whenever time or place change (iCalendar)
    ),
)
FAQ = ContentType("Faq", "faq", "members", (Field("order", Kind.INTEGER), Field("contact", Kind.SLUG)))
CONTACT = ContentType(
    "Contact",
    "contacts",
    "members",
    (
        Field("name", required=True),
        Field("role"),
        Field("photo", Kind.IMAGE, alt="photo_alt"),
        Field("photo_alt"),
        Field("phone"),
        Field("email", Kind.EMAIL),
        Field("topics", Kind.LIST),
    ),
    title_field="name",
)
PAGE = ContentType("Page", "pages", "public", (Field("template", Kind.TEMPLATE),))
# Newsletter issues live in newsletters/ beside content/; each is released to its audience at its send_date.
NEWSLETTER = ContentType(
    "Newsletter",
    "newsletters",
    "members",
    (
        Field("subject", required=True),
        Field("preheader"),
        Field("send_date", Kind.MOMENT, required=True),
        Field("lang"),
        Field("products", Kind.REFERENCES),
        Field("seminars", Kind.REFERENCES),
        Field("faq", Kind.REFERENCES),
    ),
    title_field="subject",
    omit=("members_from", "public_from", "public_until", "expires", "tags", "category"),
    release_field="send_date",
    markers=(MEMBERS_ONLY, CLOSING),  # the closing marker separates the editorial from the sign-off
)

CONTENT_TYPES: tuple[ContentType, ...] = (PRODUCT, SEMINAR, FAQ, CONTACT, PAGE, NEWSLETTER)
BY_FOLDER: dict[str, ContentType] = {t.folder: t for t in CONTENT_TYPES}

ASSET_FOLDER = "images"
