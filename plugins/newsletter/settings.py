"""The newsletter's settings (vorab/options.py): checked by every check and build, defaults filled in."""

from __future__ import annotations

from vorab.options import Email, Integer, ListOf, Number, Option, Pattern, Text, Url

from .esps import ESPS

NEWSLETTER_OPTIONS: dict[str, Option] = {
    "NEWSLETTER_SITEURL": Url(required=True),  # e-mails need absolute links, even from a local build
    "NEWSLETTER_FROM": Pattern(r".*<[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+>|[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+",
                               "a sender, e.g. Name <newsletter@example.com>", required=True),
    "NEWSLETTER_UNSUBSCRIBE_URL": Url(required=True),
    "POSTAL_ADDRESS": Text(required=True),  # every e-mail must carry it (CAN-SPAM, the German Impressum)
    "NEWSLETTER_ESPS": ListOf(Text(), list(ESPS), subset_of=ESPS),
    "NEWSLETTER_MIN_HEAD_START": Number(1),  # days a members' issue must precede a featured item's public release
    "NEWSLETTER_GREETING": Pattern(r".*\{name\}.*", "a greeting with {name} where the first name goes",
                                   "Hallo {name},"),
    "NEWSLETTER_GREETING_FALLBACK": Text("liebe Kundin, lieber Kunde"),  # for subscribers without a first name
    "NEWSLETTER_SAMPLE_FIRST_NAME": Text("Anna"),
    "NEWSLETTER_SAMPLE_TO": Email("kundin@example.com"),  # the preview's recipient
    "NEWSLETTER_LISTMONK_LISTS": ListOf(Integer(minimum=1), [1]),
}
