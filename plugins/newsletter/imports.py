"""The files a tool imports beyond the e-mail itself, each as that tool documents or its code checks it
(docs/email.md names every source): Mailchimp's zip, Mautic's theme ZIP, listmonk's campaign and template."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import datetime
from typing import Any

from .issues import Issue
from .render import Rendered

COMMENT = re.compile(r"<!--.*?-->", re.S)
# Mautic's ThemeHelper::install() derives the theme's key from the ZIP's file name (lower case, [a-z0-9._-]).
MAUTIC_KEY = re.compile(r"[^a-z0-9._-]")
MAUTIC_MESSAGE = """{#- Mautic shows its own messages (e.g. after an unsubscribe) in this page. -#}
<!DOCTYPE html>
<html lang="%(lang)s">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1.0">
<title>{{ message|striptags }}</title>
</head>
<body style="font-family: %(font)s; color: %(text)s; background: %(background)s; margin: 0; padding: 2rem;">
<main style="max-width: 36rem; margin: 0 auto;">
<h1 style="color: %(brand)s;">{{ message|raw }}</h1>
{%% if content is defined %%}<div>{{ content|raw }}</div>{%% endif %%}
</main>
</body>
</html>
"""
LISTMONK_RAW_TEMPLATE = '{{ template "content" . }}'


def mailchimp_zip(html: str, rendered: Rendered) -> bytes:
    """index.html and its images beside it, referred to by their names: Mailchimp's "Import zip" uploads them
    to its own image hosting."""
    members: dict[str, str | bytes] = {}
    for name, image in sorted(rendered.images.items()):
        html = html.replace(f'src="{rendered.image_base}{name}"', f'src="{name}"')
        members[name] = image.data
    return _zip({"index.html": html, **members})


def mautic_theme(issue: Issue, html: str, rendered: Rendered, settings: dict[str, Any],
                 tokens: dict[str, Any]) -> tuple[str, bytes]:
    """(file name, ZIP) of an e-mail theme Mautic 4 and 5 install: config.json with the GrapesJS builder,
    html/email.html.twig (the e-mail, kept from Twig by `verbatim`), html/message.html.twig (required by the
    installer) and a thumbnail, all at the ZIP's root; the file name is the theme's key, one per issue."""
    key = MAUTIC_KEY.sub("", f"vorab-{issue.slug}".lower())
    config = {"name": f"{settings['SITENAME']}: {issue.value('subject')}", "author": settings["SITENAME"],
              "authorUrl": settings["NEWSLETTER_SITEURL"], "builder": ["legacy", "grapesjsbuilder"],
              "features": ["email"]}
    colors = tokens["color"]
    message = MAUTIC_MESSAGE % {"lang": issue.value("lang", settings["DEFAULT_LANG"]), "font": tokens["font"]["body"],
                                "text": colors["text"], "background": colors["background"], "brand": colors["brand"]}
    logo = rendered.images[rendered.logo]
    members: dict[str, str | bytes] = {
        "config.json": json.dumps(config, ensure_ascii=False, indent=2),
        "html/email.html.twig": "{% verbatim %}" + html + "{% endverbatim %}",
        "html/message.html.twig": message,
        "thumbnail.png": logo.data if logo.extension == "png" else b"",
    }
    return f"{key}.zip", _zip({name: data for name, data in members.items() if data})


def listmonk_campaign(issue: Issue, html: str, text: str, settings: dict[str, Any], clock: datetime) -> bytes:
    """The body of listmonk's POST /api/campaigns (`html` made go_template_safe before the tags went in): its
    handler refuses a send_at in the past, so one is given only while the send date is ahead; the template
    that does not wrap the e-mail, if its ID is set."""
    campaign: dict[str, Any] = {
        "name": issue.value("subject"), "subject": issue.value("subject"),
        "lists": list(settings["NEWSLETTER_LISTMONK_LISTS"]), "type": "regular", "content_type": "html",
        "body": html, "altbody": text, "tags": ["vorab", issue.audience], "headers": []}
    if settings["NEWSLETTER_LISTMONK_TEMPLATE_ID"] is not None:
        campaign["template_id"] = settings["NEWSLETTER_LISTMONK_TEMPLATE_ID"]
    if issue.send_date > clock:
        campaign["send_at"] = issue.send_date.isoformat()
    return json.dumps(campaign, ensure_ascii=False, indent=2).encode()


def listmonk_template() -> bytes:
    """The body of POST /api/templates for a campaign template that only places the campaign's own HTML."""
    template = {"name": "Vorab (ohne Rahmen)", "type": "campaign", "body": LISTMONK_RAW_TEMPLATE}
    return json.dumps(template, ensure_ascii=False, indent=2).encode()


def go_template_safe(html: str) -> str:
    """HTML that Go's html/template (listmonk) gives back as it is: it drops every comment, so each one —
    Outlook's conditional comments above all — goes through listmonk's `Safe`; a literal `{{` is quoted.
    Run before the tool's tags go in."""
    parts = COMMENT.split(html)
    comments = [f"{{{{ Safe {json.dumps(comment, ensure_ascii=False)} }}}}" for comment in COMMENT.findall(html)]
    quoted = [part.replace("{{", '{{ "{{" }}') for part in parts]
    return "".join(part + comment for part, comment in zip(quoted, [*comments, ""], strict=True))


def _zip(members: dict[str, str | bytes]) -> bytes:
    """A deflated ZIP with a fixed time stamp per member, so that the same issue makes the same bytes."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in members.items():
            archive.writestr(zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0)), data,
                             compress_type=zipfile.ZIP_DEFLATED)
    return buffer.getvalue()
