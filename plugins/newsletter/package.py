"""One package per issue in dist/newsletters/<slug>/, ready for every e-mail tool (docs/email.md): for each
tool its e-mail (HTML and text with its tags) and what it imports; a preview with sample values."""

from __future__ import annotations

import dataclasses
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from catalog import item_url
from design.tokens import load_tokens
from vorab.errors import BuildFailed
from vorab.messages import _
from vorab.tiers import Tiers

from .eml import preview_eml
from .esps import ESPS
from .imports import go_template_safe, listmonk_campaign, listmonk_template, mailchimp_zip, mautic_theme
from .issues import Issue
from .lint import delivery_problems, email_problems
from .render import Rendered, for_esp, with_sample_values


def write_package(issue: Issue, rendered: Rendered, settings: dict[str, Any], target: Path,
                  clock: datetime) -> dict[str, Any]:
    """Check `issue` (its structure once, on the preview; each tool's variant for its tags), write its package
    into `target` as of `clock` and return its manifest."""
    target.mkdir(parents=True)
    files: dict[str, list[str]] = {}
    problems: list[str] = []

    def check(variant: str, found: list[str]) -> None:
        problems.extend(f"  {issue.item.path} ({variant}): {problem}" for problem in found)

    for name in settings["NEWSLETTER_ESPS"]:
        esp = ESPS[name]
        if name == "listmonk":  # Go's html/template reads the body: its comments must survive it
            html, text = for_esp(dataclasses.replace(rendered, html=go_template_safe(rendered.html)), esp, settings)
        else:
            html, text = for_esp(rendered, esp, settings)
        check(name, delivery_problems(html, text, unsubscribe=esp.unsubscribe_url,
                                      postal_address=settings["POSTAL_ADDRESS"],
                                      postal_address_html=esp.postal_address_html))
        written = {"email.html": html.encode(), "email.txt": text.encode()}
        if name == "mailchimp":  # "Import zip": Mailchimp hosts the bundled images itself
            written["email.zip"] = mailchimp_zip(html, rendered)
        elif name == "mautic":
            theme, data = mautic_theme(issue, html, rendered, settings, load_tokens(settings["THEME"]))
            written[theme] = data
        elif name == "listmonk":
            written["campaign.json"] = listmonk_campaign(issue, html, text, settings, clock)
            written["template.json"] = listmonk_template()
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
        raise BuildFailed("\n".join([_("Newsletter e-mails failed their checks; nothing was published:"), *problems]))
    (target / "preview.html").write_text(preview_html, encoding="utf-8")
    (target / "preview.eml").write_bytes(preview_eml(issue, preview_html, preview_text, settings))

    manifest = {
        "subject": issue.value("subject"),
        "preheader": issue.value("preheader"),
        "audience": issue.audience,
        "head_start_over": Tiers.from_settings(settings).below(issue.audience),  # whom head_start_days beat
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
        "tools": {name: ESPS[name].product for name in settings["NEWSLETTER_ESPS"]},
        "files": files,
        "bytes": {str(p.relative_to(target)): p.stat().st_size for p in sorted(target.rglob("*")) if p.is_file()},
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest

