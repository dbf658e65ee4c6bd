"""Pages worth sharing, on the public site only: a meta description, the canonical URL, Open Graph and Twitter
card tags, schema.org JSON-LD (Product with its Offer, Event, FAQPage, Organization), `sitemap.xml` and its
line in robots.txt.

Everything here is made inside the public Pelican run from what that run was given — public sources without
member-only fields — so it can name nothing else; the leak gate reads it like every other public byte. Member
areas get none of it (their pages carry `noindex`; the theme's `_head_meta.html` asks `m.members`).

Setting: `SHARING_SITEURL`, the public site's absolute address (share tags, canonical URLs and the sitemap need
absolute URLs, even from a local build; publishconf.py sets it to SITEURL).

Templates get the filter `meta_description` and the functions `canonical_url()` and `structured_data()`.
"""

from __future__ import annotations

import html
import json
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import jinja2
from markupsafe import Markup
from pelican import signals

from outputs import produced, write_output
from vorab import hooks
from vorab.history import read_history
from vorab.options import Url
from vorab.tiers import Tiers

SHARING_OPTIONS = {"SHARING_SITEURL": Url(required=True)}
DESCRIPTION_LENGTH = 155  # what search engines show of a description
BLOCK = re.compile(r"<(?:br|/?(?:p|li|ul|ol|dl|dt|dd|h[1-6]|div|blockquote|table|tr|td|th|figure|section))\b[^>]*>",
                   re.I)  # a tag between words
TAG = re.compile(r"<[^>]+>")  # any other tag: inside a word or phrase
PRICE = re.compile(r"(?P<amount>\d+(?:[.,]\d{1,2})?)\s*(?:€|EUR)")
SITEMAP = "sitemap.xml"
UNLISTED_PAGES = {"401.html"}  # pages no search engine should list


def plain(text: str | None) -> str:
    """HTML as one line of plain text."""
    return " ".join(html.unescape(TAG.sub("", BLOCK.sub(" ", text or ""))).split())


def meta_description(text: str | None, length: int = DESCRIPTION_LENGTH) -> str:
    """A summary as a meta description: plain text of at most `length` characters, cut at a word."""
    words = plain(text)
    if len(words) <= length:
        return words
    cut = words[:length - 1]  # room for the ellipsis
    if words[length - 1] != " ":  # the cut fell inside a word: without it
        cut = cut.rsplit(" ", 1)[0]
    cut = cut.rstrip(" ,;:–-")
    return f"{cut}…"


def _public(settings: dict[str, Any]) -> bool:
    return Tiers.from_settings(settings).is_public(settings["AUDIENCE"])


def absolute(settings: dict[str, Any], path: str) -> str:
    """The public site's absolute URL of a path relative to its root ("" for the home page)."""
    return f"{settings['SHARING_SITEURL'].rstrip('/')}/{path.lstrip('/')}"


def page_url(output_file: str) -> str:
    """The URL path of a page from the file Pelican writes it to: `produkte/x/index.html` → `produkte/x/`."""
    return output_file.removesuffix("index.html")


@jinja2.pass_context
def canonical_url(context: Any) -> str:
    return absolute(context, page_url(context.get("output_file", "")))


@jinja2.pass_context
def structured_data(context: Any, share_image: str | None = None) -> Markup:
    """The page's schema.org data as JSON (safe inside <script>), or nothing: only on the public site."""
    if not _public(context):
        return Markup("")
    data = _data(context, share_image)
    if data is None:
        return Markup("")
    text = json.dumps({"@context": "https://schema.org", **data}, ensure_ascii=False, indent=None)
    safe = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(safe)  # noqa: S704 — JSON with no <, > or & left: it cannot end the <script>


def _organization(context: Any) -> dict[str, Any]:
    return {"@type": "Organization", "name": context["SITENAME"], "url": absolute(context, ""),
            "logo": absolute(context, "theme/img/apple-touch-icon.png"),
            "address": context.get("POSTAL_ADDRESS") or None}


def _data(context: Any, share_image: str | None) -> dict[str, Any] | None:
    item = context.get("item")
    url = canonical_url(context)
    kind = type(item).__name__ if item is not None else None
    if kind == "Product" and not item.in_preview:
        product: dict[str, Any] = {"@type": "Product", "name": item.title, "url": url,
                                   "description": meta_description(item.summary, 5000),
                                   "brand": {"@type": "Brand", "name": context["SITENAME"]}}
        if share_image:
            product["image"] = [share_image]
        price = PRICE.search(getattr(item, "price", "") or "")
        if price:
            product["offers"] = {"@type": "Offer", "price": price["amount"].replace(",", "."),
                                 "priceCurrency": "EUR", "availability": "https://schema.org/InStock",
                                 "url": getattr(item, "order_url", None) or url}
        return product
    if kind == "Seminar":
        event: dict[str, Any] = {
            "@type": "Event", "name": item.title, "url": url, "description": meta_description(item.summary, 5000),
            "startDate": item.start.isoformat(), "endDate": item.end.isoformat(),
            "eventStatus": "https://schema.org/EventScheduled",
            "organizer": {"@type": "Organization", "name": context["SITENAME"], "url": absolute(context, "")}}
        location = getattr(item, "location", None)
        if location:
            event["eventAttendanceMode"] = "https://schema.org/OfflineEventAttendanceMode"
            event["location"] = {"@type": "Place", "name": location.split(",")[0].strip(), "address": location}
        else:  # the meeting link is member-only: the public learns of the page, not of the link
            event["eventAttendanceMode"] = "https://schema.org/OnlineEventAttendanceMode"
            event["location"] = {"@type": "VirtualLocation", "url": url}
        if share_image:
            event["image"] = [share_image]
        return event
    if context.get("output_file") == context.get("FAQS_SAVE_AS") and context.get("faq_groups"):
        questions = [{"@type": "Question", "name": faq.title,
                      "acceptedAnswer": {"@type": "Answer", "text": plain(faq.content)}}
                     for group in context["faq_groups"] for faq in group.items]
        return {"@type": "FAQPage", "mainEntity": questions}
    if context.get("output_file") == "index.html":
        return {key: value for key, value in _organization(context).items() if value}
    return None


# --- the sitemap --------------------------------------------------------------------------------------------------

_generators: list[Any] = []  # this run's


def remember_generators(generators: list[Any]) -> None:
    _generators[:] = generators


def _sources() -> dict[str, Any]:
    """save_as → the content object written there (asked once, at the end of the run: the live preview
    finalizes the context again after every edit, and a `save_as` is formatted anew at every call)."""
    return {content.save_as: content for generator in _generators for name in ("items", "pages", "hidden_pages")
            for content in getattr(generator, name, None) or () if getattr(content, "save_as", "")}


def add_sitemap_to_robots(pelican: Any) -> None:
    """robots.txt (plugins/audiences) names the sitemap."""
    settings = pelican.settings
    if _public(settings):
        lines = settings.setdefault("AUDIENCE_ROBOTS_LINES", [])
        line = f"Sitemap: {absolute(settings, SITEMAP)}"
        if line not in lines:
            lines.append(line)


def write_sitemap(pelican: Any) -> None:
    """sitemap.xml of the public site: every page this run wrote (so: only public pages), with the time it last
    changed — the last commit of its source, or its release if that came later (neither known: no lastmod); a
    list page: its newest item."""
    settings = pelican.settings
    if not _public(settings):
        return
    output = Path(pelican.output_path)
    source_root = Path(settings.get("CONTENT_SOURCE_PATH", settings["PATH"]))
    history = read_history(source_root, ["."], dirty=False)
    clock: datetime = settings["AUDIENCE_CLOCK"]

    def changed(content: Any) -> datetime | None:
        # The last commit, even while the file has edits on top: what is not committed has no date the live
        # preview's re-renders (which write no sitemap) and a full build would agree on.
        moment = history.changed.get(content.relative_source_path)
        released = getattr(content, "public_from", None)
        if released is not None and released <= clock:
            moment = max(moment, released) if moment else released
        return moment

    sources = _sources()
    moments = {save_as: moment for save_as, content in sources.items() if (moment := changed(content))}
    newest = max(moments.values(), default=None)
    pages = sorted(Path(path).relative_to(output).as_posix() for path in produced
                   if path.endswith(".html") and Path(path).is_relative_to(output))

    def entry(page: str) -> str:
        moment = moments.get(page, newest if page not in sources else None)  # a list page: its newest item
        lastmod = f"<lastmod>{moment.astimezone(clock.tzinfo).isoformat(timespec='seconds')}</lastmod>" \
            if moment else ""
        return f"  <url><loc>{escape(absolute(settings, page_url(page)))}</loc>{lastmod}</url>\n"

    entries = "".join(entry(page) for page in pages if page not in UNLISTED_PAGES)
    write_output(output / SITEMAP, '<?xml version="1.0" encoding="UTF-8"?>\n'
                 '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n' + entries + "</urlset>\n")


def install(generator: Any) -> None:
    generator.env.filters["meta_description"] = meta_description
    generator.env.globals.update(canonical_url=canonical_url, structured_data=structured_data)


def register() -> None:
    hooks.options(SHARING_OPTIONS)
    signals.initialized.connect(add_sitemap_to_robots)
    signals.generator_init.connect(install)
    signals.all_generators_finalized.connect(remember_generators)
    signals.finalized.connect(write_sitemap)
