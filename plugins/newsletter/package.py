"""One package per issue in dist/newsletters/<slug>/, ready for every e-mail tool (docs/email.md)."""

from __future__ import annotations

import io
import json
import zipfile
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from pathlib import Path
from typing import Any

from catalog import item_url
from vorab.errors import BuildFailed

from .esps import ESPS
from .issues import Issue
from .lint import delivery_problems, email_problems
from .render import Rendered, for_esp, with_sample_values


def write_package(issue: Issue, rendered: Rendered, settings: dict[str, Any], target: Path) -> dict[str, Any]:
    """Check `issue` (its structure once, on the preview; each tool's variant for its tags), write its package
    into `target` and return its manifest."""
    target.mkdir(parents=True)
    files: dict[str, list[str]] = {}
    problems: list[str] = []

    def check(variant: str, found: list[str]) -> None:
        problems.extend(f"  {issue.item.path} ({variant}): {problem}" for problem in found)

    for name in settings["NEWSLETTER_ESPS"]:
        esp = ESPS[name]
        html, text = for_esp(rendered, esp, settings)
        check(name, delivery_problems(html, text, unsubscribe=esp.unsubscribe_url,
                                      postal_address=esp.postal_address or settings["POSTAL_ADDRESS"]))
        written = {"email.html": html.encode(), "email.txt": text.encode()}
        if name == "mailchimp":  # "Import zip": Mailchimp hosts the bundled images itself
            written["email.zip"] = _zip_with_images(html, rendered)
        elif name == "mautic":  # a Mautic e-mail theme
            config = {"name": f"{settings['SITENAME']}: {issue.value('subject')}", "author": settings["SITENAME"],
                      "authorUrl": settings["NEWSLETTER_SITEURL"], "features": ["email"]}
            written["theme.zip"] = _zip({"config.json": json.dumps(config, indent=2), "html/email.html.twig": html})
        elif name == "listmonk":  # the body of POST /api/campaigns
            campaign = {"name": issue.value("subject"), "subject": issue.value("subject"),
                        "lists": settings["NEWSLETTER_LISTMONK_LISTS"], "type": "regular", "content_type": "html",
                        "body": html, "altbody": text, "send_at": issue.send_date.isoformat(),
                        "tags": ["vorab", issue.audience], "headers": []}
            written["campaign.json"] = json.dumps(campaign, ensure_ascii=False, indent=2).encode()
        (target / name).mkdir()
        for filename, data in written.items():
            (target / name / filename).write_bytes(data)
        files[name] = [f"{name}/{filename}" for filename in written]

    preview_html, preview_text = with_sample_values(rendered, settings)
    unsubscribe = settings["NEWSLETTER_UNSUBSCRIBE_URL"]
    check("preview", email_problems(
        preview_html, preview_text, subject=issue.value("subject"), preheader=issue.value("preheader"),
        lang=issue.value("lang", settings["DEFAULT_LANG"]), site_url=settings["NEWSLETTER_SITEURL"],
        unsubscribe=unsubscribe, exempt_urls={unsubscribe, rendered.web_version_url},
        postal_address=settings["POSTAL_ADDRESS"]))
    if problems:
        raise BuildFailed("Newsletter e-mails failed their checks; nothing was published:\n" + "\n".join(problems))
    (target / "preview.html").write_text(preview_html, encoding="utf-8")
    (target / "preview.eml").write_bytes(preview_eml(issue, preview_html, preview_text, settings))

    manifest = {
        "subject": issue.value("subject"),
        "preheader": issue.value("preheader"),
        "audience": issue.audience,
        "send_date": issue.send_date.isoformat(),
        "lang": issue.value("lang", settings["DEFAULT_LANG"]),
        "web_version": rendered.web_version_url,
        "featured": [
            {"type": item.type.folder, "slug": item.slug, "title": item.title,
             "url": f"{rendered.site}/{item_url(settings, item.type.name, item.slug)}",
             "public_from": item.schedule.public_from.isoformat() if item.schedule.public_from else None,
             "head_start_days": issue.head_start_days.get(item.slug)}
            for items in issue.featured.values() for item in items
        ],
        "files": files,
        "bytes": {str(p.relative_to(target)): p.stat().st_size for p in sorted(target.rglob("*")) if p.is_file()},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def preview_eml(issue: Issue, html: str, text: str, settings: dict[str, Any]) -> bytes:
    """multipart/alternative, UTF-8, RFC 2047 subject, with one-click List-Unsubscribe (RFC 8058)."""
    # Long lines instead of Python's folding, which may break right after "Subject:" (legal, but parsers then
    # keep a leading space); RFC 5322 allows 998 characters.
    message = EmailMessage(policy=SMTP.clone(max_line_length=998))
    message["Subject"] = issue.value("subject")
    message["From"] = settings["NEWSLETTER_FROM"]
    message["To"] = settings["NEWSLETTER_SAMPLE_TO"]
    message["Date"] = format_datetime(issue.send_date)
    domain = settings["NEWSLETTER_FROM"].rsplit("@", 1)[-1].rstrip(">")
    message["Message-ID"] = f"<{issue.slug}.{issue.send_date:%Y%m%d%H%M}.preview@{domain}>"  # reproducible
    message["List-Unsubscribe"] = f"<{settings['NEWSLETTER_UNSUBSCRIBE_URL']}>"
    message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text, charset="utf-8")
    message.add_alternative(html, subtype="html", charset="utf-8")
    return message.as_bytes()


def _zip(members: dict[str, str | bytes]) -> bytes:
    """A deflated ZIP with a fixed time stamp per member, so that the same issue makes the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def _zip_with_images(html: str, rendered: Rendered) -> bytes:
    """index.html and its images beside it, referred to by their names: Mailchimp's "Import zip" uploads them
    to its own image hosting (docs/email.md)."""
    members: dict[str, str | bytes] = {}
    for name, image in sorted(rendered.images.items()):
        html = html.replace(f'src="{rendered.image_base}{name}"', f'src="{name}"')
        members[name] = image.data
    return _zip({"index.html": html, **members})
