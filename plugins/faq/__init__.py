"""The service area's questions inside each audience's run: grouped by category in the editors' order, each group
and question with a stable anchor; and the validation of every `contact:` reference.

Settings: `FAQ_CATEGORY_ORDER` (category names in the order editors want them; categories not named follow
alphabetically), `FAQ_DEFAULT_CONTACT` (slug of the contact person for questions without `contact:`; default
none). Templates get `faq_groups`: (name, anchor, questions) in order, questions by `order`. A contact the run was
not given (e.g. a members-only person in the public run) is simply not shown.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from pelican import signals

from catalog.slugs import slugify
from vorab import hooks
from vorab.context import Validation
from vorab.errors import ContentProblem
from vorab.messages import _
from vorab.options import ListOf, Option, Slug, Text, fill_defaults, setting_lines

UNCATEGORISED = "Allgemein"
FAQ_OPTIONS: dict[str, Option] = {
    "FAQ_CATEGORY_ORDER": ListOf(Text(), ()),
    "FAQ_DEFAULT_CONTACT": Slug(None),
}


class FaqGroup(NamedTuple):
    name: str
    anchor: str  # "thema-<category slug>", stable as long as the category's name is
    items: list[Any]


def set_defaults(pelican: Any) -> None:
    fill_defaults(pelican.settings, FAQ_OPTIONS)


def group_faqs(generators: list[Any]) -> None:
    context, settings = generators[0].context, generators[0].settings
    groups: dict[str, list[Any]] = {}
    for item in context.get("faqs", []):  # already sorted by category, order, title
        groups.setdefault(item.category.name if getattr(item, "category", None) else UNCATEGORISED, []).append(item)
    ranks = {name: rank for rank, name in enumerate(settings["FAQ_CATEGORY_ORDER"])}
    names = sorted(groups, key=lambda name: (ranks.get(name, len(ranks)), name.casefold()))
    context["faq_groups"] = [FaqGroup(name, f"thema-{slugify(name)}", groups[name]) for name in names]


def check_contacts(validation: Validation) -> None:
    """Validator: every `contact:` of a question or seminar, and FAQ_DEFAULT_CONTACT where a question falls back
    on it, names a contact person in contacts/ (a draft is nobody)."""
    registry = validation.registry
    if registry is None:
        return
    known = {item.slug for item in registry.of_type("contacts") if not item.schedule.draft}
    expected = _("the slug of a contact person in contacts/ ({slugs})").format(
        slugs=", ".join(sorted(known)) or _("there is none"))
    for item in [*registry.of_type("faq"), *registry.of_type("seminars")]:
        slug = item.values.get("contact")
        if slug and slug not in known:
            validation.problems.append(ContentProblem(item.path, item.source.line("contact"), "contact", expected,
                                                      repr(slug)))
    default = validation.settings.get("FAQ_DEFAULT_CONTACT")
    if default and default not in known and any("contact" not in item.values for item in registry.of_type("faq")):
        path, line = setting_lines(validation.settings_file).get("FAQ_DEFAULT_CONTACT",
                                                                 (validation.settings_file.name, 1))
        validation.problems.append(ContentProblem(path, line, "FAQ_DEFAULT_CONTACT", expected, repr(default)))


def register() -> None:
    hooks.options(FAQ_OPTIONS)
    hooks.validating.connect(check_contacts)
    signals.initialized.connect(set_defaults)
    signals.all_generators_finalized.connect(group_faqs)
