"""preview.eml: an issue as a real mailing would carry it, for test sends and for opening in a mail program.

multipart/alternative in UTF-8, both parts quoted-printable and every line within 76 characters (RFC 2045), the
subject RFC 2047-encoded where it needs to be, List-Unsubscribe with the mailbox the sender names and an https
one-click address only where one really works (RFC 8058). The file is the same for the same issue; each test
send gets a fresh Date and Message-ID (`fresh`), so that no mailbox drops a second one as a duplicate.
"""

from __future__ import annotations

import hashlib
from email.header import Header
from email.message import EmailMessage, Message
from email.policy import EmailPolicy
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

from .issues import Issue

LINE = 76


class _Folding(EmailPolicy):
    """SMTP's policy, folding every line within LINE. Python folds a subject that holds a colon right after
    "Subject:", which leaves a leading space in what its own parser and some clients show: such a subject is
    folded between its words instead."""

    def fold_binary(self, name: str, value: str) -> bytes:
        folded = super().fold_binary(name, value)
        if name.lower() == "subject" and folded.startswith(f"{name}:{self.linesep}".encode()):
            words = Header(str(value), header_name=name, maxlinelen=self.max_line_length).encode(
                linesep=self.linesep)
            folded = f"{name}: {words}{self.linesep}".encode("ascii")
        return folded


POLICY = _Folding(linesep="\r\n", max_line_length=LINE)


def preview_eml(issue: Issue, html: str, text: str, settings: dict[str, Any]) -> bytes:
    message = EmailMessage(policy=POLICY)
    message["Subject"] = issue.value("subject")
    message["From"] = settings["NEWSLETTER_FROM"]
    message["To"] = settings["NEWSLETTER_SAMPLE_TO"]
    message["Date"] = format_datetime(issue.send_date)
    # Same issue, same file: the Message-ID and the MIME boundary follow from the issue, short enough for one line
    name = hashlib.sha256(issue.slug.encode()).hexdigest()[:16]
    message["Message-ID"] = f"<{issue.send_date:%Y%m%d%H%M}.{name}.preview@{_domain(settings)}>"
    unsubscribe = []
    if settings["NEWSLETTER_UNSUBSCRIBE_MAILTO"]:
        unsubscribe.append(f"<mailto:{settings['NEWSLETTER_UNSUBSCRIBE_MAILTO']}?subject=unsubscribe>")
    if settings["NEWSLETTER_ONE_CLICK_URL"]:
        unsubscribe.append(f"<{settings['NEWSLETTER_ONE_CLICK_URL']}>")
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    if unsubscribe:
        message["List-Unsubscribe"] = ", ".join(unsubscribe)
    message.set_content(text, charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    message.set_boundary(f"vorab-{name}")
    return message.as_bytes()


def fresh(message: Message, now: Any) -> None:
    """A new Date and Message-ID for one more send of the same message."""
    domain = parseaddr(str(message["From"]))[1].rpartition("@")[2] or None
    del message["Date"], message["Message-ID"]
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid("vorab", domain=domain)


def _domain(settings: dict[str, Any]) -> str:
    return parseaddr(settings["NEWSLETTER_FROM"])[1].rpartition("@")[2]
