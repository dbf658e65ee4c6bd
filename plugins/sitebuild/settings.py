"""The core's own settings (vorab/options.py): the tiers and their folders, the site's zone, where the
newsletters are. Each capability declares its own with vorab.hooks.options."""

from __future__ import annotations

from vorab.options import SLUG, ListOf, Option, Pattern, TimeZone

CORE_OPTIONS: dict[str, Option] = {
    "AUDIENCE_TIERS": ListOf(SLUG, ("public", "members")),
    "MEMBERS_PATH": Pattern(r"[\w-]+", "a folder name (letters, digits, _ -)", "members"),  # the members' area
    "TIMEZONE": TimeZone("Europe/Berlin"),
    "NEWSLETTER_PATH": Pattern(r"[\w.-]+", "a folder name beside content/", "newsletters"),
    # Member data and keys, never in git or output/: a folder beside content/, or an absolute path.
    "PRIVATE_PATH": Pattern(r"/?[\w./-]+", "a folder beside content/ or an absolute path", "private"),
}
