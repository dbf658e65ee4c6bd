"""The core's own settings (vorab/options.py): the tiers and their folders, the site's zone, where the
newsletters are, the language of the tools' messages. Each capability declares its own with vorab.hooks.options."""

from __future__ import annotations

from vorab import messages
from vorab.messages import N_
from vorab.options import SLUG, Choice, ListOf, Option, Pattern, TimeZone

CORE_OPTIONS: dict[str, Option] = {
    "AUDIENCE_TIERS": ListOf(SLUG, ("public", "members")),
    "MEMBERS_PATH": Pattern(r"[\w-]+", N_("a folder name (letters, digits, _ -)"), "members"),  # the members' area
    "TIMEZONE": TimeZone("Europe/Berlin"),
    "NEWSLETTER_PATH": Pattern(r"[\w.-]+", N_("a folder name beside content/"), "newsletters"),
    # Member data and keys, never in git or output/: a folder beside content/, or an absolute path.
    "PRIVATE_PATH": Pattern(r"/?[\w./-]+", N_("a folder beside content/ or an absolute path"), "private"),
    # What check, build, new, schedule, publish and the previews tell editors (VORAB_MESSAGES_LANG overrides it).
    "MESSAGES_LANG": Choice(messages.LANGUAGES, messages.DEFAULT),
}
