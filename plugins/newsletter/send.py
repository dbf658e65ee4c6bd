"""Test sends of a package's preview.eml over SMTP. Server and credentials come from the environment only:
VORAB_SMTP_HOST, VORAB_SMTP_PORT (587), VORAB_SMTP_TLS (starttls | ssl | none), VORAB_SMTP_USER,
VORAB_SMTP_PASSWORD, VORAB_SMTP_FROM (default: the preview's From)."""

from __future__ import annotations

import email
import smtplib
import ssl
from collections.abc import Mapping
from datetime import UTC, datetime
from email.message import EmailMessage
from pathlib import Path

from .eml import POLICY, fresh

TLS_MODES = ("starttls", "ssl", "none")


class SendFailed(Exception):
    """Raised with a message for the editor when the test send cannot be made."""


def send_test(eml: Path, to: str, environ: Mapping[str, str]) -> None:
    host = environ.get("VORAB_SMTP_HOST", "")
    tls = environ.get("VORAB_SMTP_TLS", "starttls")
    port = environ.get("VORAB_SMTP_PORT", "465" if tls == "ssl" else "587")
    if not host:
        raise SendFailed("VORAB_SMTP_HOST: expected the SMTP server's host name, found nothing")
    if tls not in TLS_MODES:
        raise SendFailed(f"VORAB_SMTP_TLS: expected one of {', '.join(TLS_MODES)}, found {tls!r}")
    if not port.isdigit():
        raise SendFailed(f"VORAB_SMTP_PORT: expected a port number, found {port!r}")
    if not eml.is_file():
        raise SendFailed(f"{eml}: expected a built preview.eml (run the build first), found nothing")
    message = email.message_from_bytes(eml.read_bytes(), _class=EmailMessage, policy=POLICY)
    del message["To"]
    message["To"] = to
    fresh(message, datetime.now(UTC))  # a second test send is no duplicate
    sender = environ.get("VORAB_SMTP_FROM") or message["From"]
    context = ssl.create_default_context()
    connect = smtplib.SMTP_SSL(host, int(port), context=context, timeout=30) if tls == "ssl" \
        else smtplib.SMTP(host, int(port), timeout=30)
    with connect as smtp:
        if tls == "starttls":
            smtp.starttls(context=context)
        if environ.get("VORAB_SMTP_USER"):
            smtp.login(environ["VORAB_SMTP_USER"], environ.get("VORAB_SMTP_PASSWORD", ""))
        smtp.send_message(message, from_addr=sender, to_addrs=[to])
