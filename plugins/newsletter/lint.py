"""The checks every e-mail of every issue must pass (docs/email.md, "Checks worth automating").

The build checks each issue's structure once (the tools' variants differ only in substituted tags) and each
variant's delivery details; a failing check fails the build, naming the issue, variant and check.
"""

from __future__ import annotations

import html as html_lib
import re
from functools import reduce
from html.parser import HTMLParser
from urllib.parse import parse_qs, urlsplit

from vorab.messages import _

from .plaintext import REFERENCE, WIDTH

MAX_BYTES = 90 * 1024  # Gmail clips at about 102 KB
MIN_PREHEADER_PADDING = 40


class _Elements(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.title = ""
        self._in_title = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {k: v or "" for k, v in attrs}))
        self._in_title = tag == "title"

    def handle_endtag(self, tag: str) -> None:
        self._in_title = False

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data


def email_problems(html: str, text: str, *, subject: str, preheader: str, lang: str, site_url: str,
                   unsubscribe: str, exempt_urls: set[str], postal_address: str,
                   postal_address_html: str | None = None) -> list[str]:
    """Every problem of one e-mail; [] when it passes. `exempt_urls` are a tool's tags and the web version: no
    https or UTM rules for them, and no line length; `postal_address_html` a tool's tag for the address in the
    HTML part."""
    return (structure_problems(html, text, subject=subject, preheader=preheader, lang=lang, site_url=site_url,
                               exempt_urls=exempt_urls)
            + delivery_problems(html, text, unsubscribe=unsubscribe, postal_address=postal_address,
                                postal_address_html=postal_address_html))


def delivery_problems(html: str, text: str, *, unsubscribe: str, postal_address: str,
                      postal_address_html: str | None = None) -> list[str]:
    """What differs between the tools' variants of one issue: their tags, the postal address (in the HTML
    part as the tool's tag, if it has one), the size."""
    postal_address_html = postal_address_html or postal_address
    problems = []
    if len(html.encode()) > MAX_BYTES:
        problems.append(_("size: expected at most {maximum} bytes, found {size}").format(maximum=MAX_BYTES,
                                                                                         size=len(html.encode())))
    if not (unsubscribe in html and unsubscribe in text):
        problems.append(_("unsubscribe: expected {link} in HTML and text").format(link=repr(unsubscribe)))
    if not (html_lib.escape(postal_address_html, quote=False) in html or postal_address_html in html) \
            or postal_address not in text:
        problems.append(_("postal address: expected it in HTML and text"))
    return problems


def structure_problems(html: str, text: str, *, subject: str, preheader: str, lang: str, site_url: str,
                       exempt_urls: set[str]) -> list[str]:
    """What every variant shares (they differ only in substituted tags): checked once per issue."""
    parser = _Elements()
    parser.feed(html)
    tags = parser.elements
    problems = []

    def need(condition: bool, message: str) -> None:
        if not condition:
            problems.append(message)

    need(html.lstrip().lower().startswith("<!doctype html>"), _("doctype: expected <!doctype html> first"))
    need(any(t == "html" and a.get("lang") == lang for t, a in tags),
         _("lang: expected <html lang=\"{lang}\">").format(lang=lang))
    need(parser.title.strip() == subject, _("title: expected the subject {subject}, found {found}").format(
        subject=repr(subject), found=repr(parser.title.strip())))
    hidden = re.search(r"<div[^>]*display:\s*none[^>]*>(.*?)</div>", html, re.S)
    need(hidden is not None and preheader in hidden[1] and hidden[1].count("\u200c") >= MIN_PREHEADER_PADDING,
         _("preheader: expected the preheader in a hidden block, padded against snippet bleed"))
    need(any(t == "meta" and a.get("name") == "viewport" for t, a in tags), _("viewport: expected a viewport meta"))
    need(any(t == "meta" and a.get("name") == "color-scheme" for t, a in tags)
         and "prefers-color-scheme: dark" in html, _("dark mode: expected color-scheme meta and dark @media rules"))
    need(all(a.get("role") == "presentation" for t, a in tags if t == "table"),
         _("tables: expected role=\"presentation\" on every layout table"))
    need(all("alt" in a for t, a in tags if t == "img"), _("images: expected alt on every <img>"))
    for tag, attrs in tags:
        for name in ("href", "src"):
            url = attrs.get(name)
            if url is None or url in exempt_urls or url.startswith("mailto:"):
                continue
            need(url.startswith("https://"), _("links: expected absolute https:// URLs, found {found}").format(
                found=repr(url)))
            if url.startswith(site_url):
                query = parse_qs(urlsplit(url).query)
                need(tag != "a" or query.get("utm_medium") == ["email"],
                     _("UTM: expected utm_source/utm_medium/utm_campaign on {link}").format(link=repr(url)))
    for url in sorted(exempt_urls):
        need(url in html and f"{url}?utm_" not in html,
             _("placeholders: expected {link} without UTM parameters").format(link=repr(url)))
    need(bool(re.search(r"@media[^{]*\{[^@]*!important", html)), _("@media: expected !important kept in media rules"))
    need("<mj-" not in html, _("MJML: expected no mj-* element left in the HTML"))
    need(not re.search(r"<(script|form|iframe)\b", html, re.I), _("HTML: expected no <script>, <form> or <iframe>"))
    links = {a["href"] for t, a in tags if t == "a" and a.get("href", "").startswith("https://")} - exempt_urls
    need(bool(text.strip()), _("text: expected a plain-text part"))
    long = [line for line in text.splitlines()  # a tool's tags do not count: the tool replaces them
            if len(reduce(lambda line, tag: line.replace(tag, ""), exempt_urls, line)) > WIDTH
            and not REFERENCE.fullmatch(line)]
    need(not long, _("text: expected lines of at most {width} characters, found {found}").format(width=WIDTH,
                                                                                                found=long[:1]))
    for url in sorted(links):
        need(url in text, _("text: expected every link written out, missing {link}").format(link=repr(url)))
    return problems
