"""The newsletter's settings (vorab/options.py): checked by every check and build, defaults filled in."""

from __future__ import annotations

import re

from vorab.messages import N_
from vorab.options import Email, Integer, ListOf, Number, Option, Pattern, Text, Url

from .esps import ESPS, FALLBACK_FORBIDDEN

SENDER = r"[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+"

NEWSLETTER_OPTIONS: dict[str, Option] = {
    "NEWSLETTER_SITEURL": Url(required=True),  # e-mails need absolute links, even from a local build
    "NEWSLETTER_FROM": Pattern(rf".*<{SENDER}>|{SENDER}", N_("a sender, e.g. Name <newsletter@example.com>"),
                               required=True),
    "NEWSLETTER_UNSUBSCRIBE_URL": Url(required=True),  # the page the e-mails' unsubscribe link opens
    # List-Unsubscribe of test sends: a mailbox that acts on "unsubscribe" mails (default: the sender's), and
    # an https endpoint only if it really unsubscribes on a POST (RFC 8058 one-click).
    "NEWSLETTER_UNSUBSCRIBE_MAILTO": Email(lambda s: (re.findall(SENDER, str(s.get("NEWSLETTER_FROM"))) or [None])[-1]),
    "NEWSLETTER_ONE_CLICK_URL": Url(),
    "POSTAL_ADDRESS": Text(required=True),  # every e-mail must carry it (CAN-SPAM, the German Impressum)
    "NEWSLETTER_ESPS": ListOf(Text(), list(ESPS), subset_of=ESPS),
    "NEWSLETTER_MIN_HEAD_START": Number(1),  # days a members' issue must precede a featured item's public release
    "NEWSLETTER_GREETING": Pattern(r".*\{name\}.*", N_("a greeting with {name} where the first name goes"),
                                   "Hallo {name},"),
    "NEWSLETTER_GREETING_FALLBACK": Pattern(  # for subscribers without a first name; goes into every tool's tag
        rf"[^{re.escape(FALLBACK_FORBIDDEN)}]+", N_("words without quotes, braces, pipes, asterisks, <, > or %"),
        "liebe Kundin, lieber Kunde"),
    "NEWSLETTER_SAMPLE_FIRST_NAME": Text("Anna"),
    "NEWSLETTER_SAMPLE_TO": Email("kundin@example.com"),  # the preview's recipient
    "NEWSLETTER_LISTMONK_LISTS": ListOf(Integer(minimum=1), [1]),
    # The listmonk template that does not wrap the e-mail (created once from a package's listmonk/template.json).
    "NEWSLETTER_LISTMONK_TEMPLATE_ID": Integer(minimum=1),
}
