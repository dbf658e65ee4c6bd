"""The service area's questions inside each audience's run: grouped by category in the editors' order, each group
and question with a stable anchor, and every `contact:` reference checked.

Settings (defaults set here): `FAQ_CATEGORY_ORDER` (category names in the order editors want them; categories
not named follow alphabetically), `FAQ_DEFAULT_CONTACT` (slug of the contact person for questions without
`contact:`; default none). Templates get `faq_groups`: (name, anchor, questions) in order, questions by `order`.
A contact the run was not given (e.g. a members-only person in the public run) is simply not shown.
"""

from __future__ import annotations

import logging
from typing import Any, NamedTuple

from pelican import signals

from catalog.slugs import slugify

log = logging.getLogger(__name__)
UNCATEGORISED = "Allgemein"


class FaqGroup(NamedTuple):
    name: str
    anchor: str  # "thema-<category slug>", stable as long as the category's name is
    items: list[Any]


def set_defaults(pelican: Any) -> None:
    pelican.settings.setdefault("FAQ_CATEGORY_ORDER", ())
    pelican.settings.setdefault("FAQ_DEFAULT_CONTACT", None)


def group_faqs(generators: list[Any]) -> None:
    context, settings = generators[0].context, generators[0].settings
    groups: dict[str, list[Any]] = {}
    for item in context.get("faqs", []):  # already sorted by category, order, title
        groups.setdefault(item.category.name if getattr(item, "category", None) else UNCATEGORISED, []).append(item)
    ranks = {name: rank for rank, name in enumerate(settings["FAQ_CATEGORY_ORDER"])}
    names = sorted(groups, key=lambda name: (ranks.get(name, len(ranks)), name.casefold()))
    context["faq_groups"] = [FaqGroup(name, f"thema-{slugify(name)}", groups[name]) for name in names]
    check_contacts(context, settings)


def check_contacts(context: dict[str, Any], settings: dict[str, Any]) -> None:
    """In the highest tier's run every contact is given: a `contact:` naming nobody is a typo. Logged as a
    warning, which fails the build (plugins/sitebuild/runner.py)."""
    if settings["AUDIENCE"] != settings["AUDIENCE_TIERS"][-1]:
        return
    known = {contact.slug for contact in context.get("contacts", [])}
    default = settings["FAQ_DEFAULT_CONTACT"]
    references = [(item, item.contact) for item in [*context.get("faqs", []), *context.get("seminars", [])]
                  if getattr(item, "contact", None)]
    if default and any(not getattr(item, "contact", None) for item in context.get("faqs", [])):
        references.append((None, default))  # only where a question falls back on it
    for item, slug in references:
        if slug not in known:
            where = item.relative_source_path if item else "FAQ_DEFAULT_CONTACT"
            log.warning("%s: contact: expected the slug of a contact person in contacts/ that members see, "
                        "found %r", where, slug)


def register() -> None:
    signals.initialized.connect(set_defaults)
    signals.all_generators_finalized.connect(group_faqs)
