"""Pelican content classes for our content types: small `Content` subclasses configured by class attributes."""

from __future__ import annotations

from datetime import datetime
from functools import cached_property
from typing import Any

from pelican.contents import Content

from .schema import CONTACT, FAQ, NEWSLETTER, PRODUCT, SEMINAR, ContentType, Kind


class Item(Content):
    """An item of one of our content types, read from the copy of its source that the build gave this run.

    The build has already validated and normalised the front matter (docs/architecture.md §3), so values are converted
    here without further checks: moments are ISO 8601 with offset, lists are comma-separated.
    """

    content_type: ContentType
    mandatory_properties = ("title",)
    allowed_statuses = ("published",)
    default_status = "published"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, spec in self.content_type.fields.items():
            value = self.metadata.get(name)
            if not isinstance(value, str):
                continue
            if spec.kind is Kind.MOMENT:
                setattr(self, name, datetime.fromisoformat(value))
            elif spec.kind is Kind.INTEGER:
                setattr(self, name, int(value))
            elif spec.kind is Kind.FLAG:
                setattr(self, name, value == "yes")
            elif spec.kind in (Kind.LIST, Kind.REFERENCES) and name != "tags":
                setattr(self, name, [part.strip() for part in value.split(",")])

    # Pelican recomputes these on every access; templates ask for them many times per page.
    @cached_property
    def url(self) -> str:
        return str(self.get_url_setting("url"))

    @cached_property
    def save_as(self) -> str:
        return str(self.get_url_setting("save_as"))


class Product(Item):
    content_type = PRODUCT
    default_template = "product"


class Seminar(Item):
    content_type = SEMINAR
    default_template = "seminar"


class Faq(Item):
    content_type = FAQ
    default_template = "faq"


class Contact(Item):
    content_type = CONTACT
    default_template = "contact"


class Newsletter(Item):
    """A newsletter issue's page in its audience's archive ("view in browser")."""

    content_type = NEWSLETTER
    default_template = "newsletter"
