"""The e-mail as phones show it (Debian Chromium) and a real test send to an SMTP server on loopback."""

from __future__ import annotations

import email
import re
import shutil
import socket
from email import policy
from pathlib import Path

import pytest

from conftest import build_sample, needs_program
from newsletter.screenshots import look_at
from newsletter.send import SendFailed, send_test


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("sample")
    build_sample(root, "2027-01-15T09:00")
    return root / "dist" / "newsletters" / "kundenbrief-november-2026"


def output_of(package: Path) -> Path:
    return package.parents[2] / "output"


def test_no_overflow_and_columns_stack_on_phones(package: Path) -> None:
    needs_program("chromium", "chromium")
    looks = {look.width: look for look in look_at(package, output_of(package))}
    assert sorted(looks) == [320, 375, 600]
    for width, look in looks.items():
        assert look.overflow_px <= 0, f"scrolls sideways at {width}px"
        assert look.broken_images == [] and look.ok
        assert look.screenshot.stat().st_size > 10_000
    phone, desktop = looks[320], looks[600]
    # Product sections have an image column (40 %) beside a text column (60 %): side by side at 600 px …
    assert any(abs(w - 240) < 2 for w in desktop.column_widths)
    # … and every column as wide as the e-mail on a phone.
    assert phone.column_widths and all(w == max(phone.column_widths) for w in phone.column_widths)


def test_an_image_the_build_did_not_write_shows_as_broken(package: Path, tmp_path: Path) -> None:
    needs_program("chromium", "chromium")
    output = tmp_path / "output"
    shutil.copytree(output_of(package), output)
    src = re.search(r'src="(https://[^"]+/unlisted/[^"]+/1\.(?:png|jpg))"', (package / "preview.html").read_text())[1]
    (output / src.split("/", 3)[3]).unlink()
    looks = look_at(package, output)
    assert [look.broken_images for look in looks] == [[src]] * 3
    assert not any(look.ok for look in looks)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_test_send_reaches_a_real_smtp_server(package: Path) -> None:
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Sink

    class Inbox(Sink):
        def __init__(self) -> None:
            self.envelopes = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd's hook name)
            self.envelopes.append(envelope)
            return "250 OK"

    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        for _ in range(2):
            send_test(package / "preview.eml", "test@example.org",
                      {"VORAB_SMTP_HOST": "127.0.0.1", "VORAB_SMTP_PORT": str(port), "VORAB_SMTP_TLS": "none"})
    finally:
        controller.stop()
    envelope, again = inbox.envelopes
    assert envelope.rcpt_tos == ["test@example.org"]
    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    second = email.message_from_bytes(again.original_content, policy=policy.default)
    built = email.message_from_bytes((package / "preview.eml").read_bytes(), policy=policy.default)
    # Each send is a new message to the mailbox (a repeated Message-ID is dropped as a duplicate)
    assert len({message["Message-ID"], second["Message-ID"], built["Message-ID"]}) == 3
    assert message["Date"] != built["Date"]
    assert max(len(line) for line in envelope.original_content.split(b"\r\n")) <= 76
    assert message["Subject"] == built["Subject"]
    assert message["To"] == "test@example.org"
    assert [part.get_content_type() for part in message.iter_parts()] == ["text/plain", "text/html"]
    assert "Hallo Anna," in message.get_body(("plain",)).get_content()
    assert "MORGENROT-GEISHA10" in message.get_body(("html",)).get_content()


def test_test_send_explains_missing_settings(package: Path) -> None:
    with pytest.raises(SendFailed, match=r"^VORAB_SMTP_HOST: expected the SMTP server's host name, found nothing$"):
        send_test(package / "preview.eml", "test@example.org", {})
    with pytest.raises(SendFailed, match=r"^VORAB_SMTP_TLS: expected one of starttls, ssl, none, found 'yes'$"):
        send_test(package / "preview.eml", "test@example.org", {"VORAB_SMTP_HOST": "x", "VORAB_SMTP_TLS": "yes"})
