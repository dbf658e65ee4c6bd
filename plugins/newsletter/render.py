"""Rendering one issue: Jinja renders the theme's MJML template with the featured items as the audience sees
them → mjml-python compiles it → premailer inlines the CSS → each e-mail tool's tags replace our placeholders
(docs/architecture.md §5). The plain-text part is rendered from the same data with the theme's text template.

Every image of an issue becomes a raster image sized for its slot (images.py), published in the issue's
unlisted folder (vorab/unlisted.py), where mail clients fetch it without a login, under a name by number."""

from __future__ import annotations

import functools
import hashlib
import html as html_lib
import logging
import os
import posixpath
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import jinja2
import markdown
from markupsafe import Markup
from mjml import mjml2html

from audiences.rules import is_visible
from catalog import item_url
from catalog.body import CLOSING, MEMBERS_ONLY, Body
from design.locale import Formatter, install_translations
from design.tokens import load_tokens
from seminars import Event, calendar_links, uid_for
from vorab.errors import BuildFailed, ContentProblem, TemplateFailed, shown_from
from vorab.messages import _
from vorab.model import Item, Registry
from vorab.unlisted import Key, UnlistedFolder

from . import esps
from .images import EmailImage, ImageProcessor
from .issues import Issue
from .plaintext import html_to_text, plain_text

TEMPLATE_FOLDER = "newsletter"
LINK = re.compile(r'href="(?P<url>[^"]*)"')
SOURCE = re.compile(r'<img\b(?P<attributes>[^>]*?)\ssrc="(?P<url>[^"]*)"(?P<rest>[^>]*?)\s*/?>')
IMG = re.compile(r"<img\b[^>]*>")
# The widths, in CSS pixels, that the theme's template gives images (email.mjml): a product's picture in its
# 40 % column less padding, the logo, and a picture in running text across the content.
PRODUCT_SLOT, LOGO_SLOT, TEXT_SLOT = 192, 48, 552


@dataclass
class Rendered:
    """An issue rendered once, with our placeholders in place of any tool's tags."""

    html: str
    text: str
    web_version_url: str  # the issue's page in the audience's archive
    site: str  # absolute URL of the audience's site
    links: list[str]  # every link into our site (without the UTM query)
    images: dict[str, EmailImage]  # file name in the issue's unlisted folder → the image
    folder: UnlistedFolder  # where its images are published
    image_base: str  # the absolute URL of that folder, ending in "/"
    logo: str  # the logo's file name in `images`
    mjml: str  # the MJML the theme's template made, before compiling


class Renderer:
    """Renders issues with one theme; create once per build (the Jinja environment is reused)."""

    def __init__(self, settings: dict[str, Any], registry: Registry, key: Key) -> None:
        self.settings = settings
        self.key = key
        self.pictures = ImageProcessor(Path(settings["CACHE_PATH"]) / "email-images")
        self.inlined = Path(settings["CACHE_PATH"]) / "email-inlined"  # premailer's results, by their input
        self.registry = registry
        self.tiers = registry.tiers
        self.urls_by_source = {item.relpath: item_url(settings, item.type.name, item.slug) for item in registry.items}
        self.theme = Path(settings["THEME"])
        self.tokens = load_tokens(self.theme)
        self.markdown = markdown.Markdown(extensions=["extra"], output_format="xhtml")
        compiled = Path(settings["CACHE_PATH"]) / "jinja-email"  # compiled templates, kept between builds
        compiled.mkdir(parents=True, exist_ok=True)
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self.theme / TEMPLATE_FOLDER),
            autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
            extensions=["jinja2.ext.i18n"], bytecode_cache=jinja2.FileSystemBytecodeCache(str(compiled)))
        self.env.filters["text"] = html_to_text
        self.language = ""

    def speak(self, lang: str) -> None:
        """Theme strings and dates in `lang` (an issue's own language, or the site's) for what is rendered next."""
        if lang != self.language:
            install_translations(self.env, self.theme, lang)
            self.env.filters.update(Formatter(lang, self.settings["TIMEZONE"]).filters())
            self.language = lang

    def site_url(self, audience: str) -> str:
        """Absolute URL of the audience's site: e-mails need absolute links even from a local build."""
        root = self.settings["NEWSLETTER_SITEURL"].rstrip("/")
        return f"{root}/{self.tiers.folder(audience)}".rstrip("/")

    def render(self, issue: Issue) -> Rendered:
        public = self.tiers.is_public(issue.audience)
        site = self.site_url(issue.audience)
        self.speak(issue.value("lang", self.settings["DEFAULT_LANG"]))
        links: list[str] = []
        folder = UnlistedFolder(self.key.token(f"newsletter/{issue.slug}"), public, issue.item.path)
        image_base = f"{self.settings['NEWSLETTER_SITEURL'].rstrip('/')}/{folder.path}/"
        images: dict[str, EmailImage] = {}  # file name → image
        names: dict[tuple[Path, int], str] = {}

        def picture(source: Path, slot: int, shown_as: str) -> dict[str, Any]:
            """A source image as the e-mail shows it: its URL in the unlisted folder and its size."""
            image = self.pictures.image(source, slot, shown_as)
            name = names.setdefault((source, slot), f"{len(names) + 1}.{image.extension}")
            images[name] = image
            return {"url": image_base + name, "width": image.width, "height": image.height}

        utm = urlencode({"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": issue.slug})

        def link(path: str) -> str:
            """A page of the audience's site: tagged, and checked against the build."""
            url = f"{site}/{path}"
            links.append(url)
            return f"{url}?{utm}"

        def track(url: str) -> str:
            """Any other URL: tagged when it is on our domain (a shop page, a registration form)."""
            if not url.startswith(self.settings["NEWSLETTER_SITEURL"]):
                return url
            return f"{url}{'&' if '?' in url else '?'}{utm}"

        def html(markdown_text: str, source: Item) -> str:
            return self.html(markdown_text, source, link, picture)

        def view(item: Item) -> dict[str, Any]:
            view = self.item_view(item, public=public, html=html, link=link, track=track,
                                  head_start=issue.head_start_days.get(item.slug))
            image = item.values.get("image")
            view["image"] = picture(Path(self.settings["PATH"]) / image, PRODUCT_SLOT,
                                    f"{Path(self.settings['PATH']).name}/{image}") if image else None
            return view

        def seminar(item: Item) -> dict[str, Any]:
            return view(item) | self.seminar_view(item, issue.audience, issue.send_date, link)

        web_version = f"{site}/{item_url(self.settings, 'Newsletter', issue.slug)}"
        editorial, closing = _editorial_and_closing(issue.item.body, public=public)
        context = {
            "issue": {"subject": issue.value("subject"), "preheader": issue.value("preheader"),
                      "lang": issue.value("lang", self.settings["DEFAULT_LANG"]), "audience": issue.audience,
                      "send_date": issue.send_date, "slug": issue.slug,
                      "editorial": html(editorial, issue.item), "closing": html(closing, issue.item)},
            "products": [view(i) for i in issue.featured["products"]],
            "seminars": [seminar(i) for i in issue.featured["seminars"]],
            "faqs": [view(i) for i in issue.featured["faq"]],
            "site": {"name": self.settings["SITENAME"], "home": link(""),
                     "logo": picture(self.theme / "static" / self.tokens["logo"], LOGO_SLOT,
                                     f"{self.theme}/static/{self.tokens['logo']}"),
                     "archive": link(item_url(self.settings, "Newsletter", issue.slug))},
            "tokens": self.tokens,
            "link": link,
            "greeting": self.settings["NEWSLETTER_GREETING"].format(name=esps.GREETING_NAME),
            "placeholders": {"unsubscribe": esps.UNSUBSCRIBE_URL, "web_version": esps.WEB_VERSION_URL,
                             "postal_address": esps.POSTAL_ADDRESS},
        }
        root = Path(self.settings["PATH"]).parent  # the project, for messages
        try:
            mjml_source = self.env.get_template("email.mjml").render(context)
            text = self.env.get_template("email.txt").render(context)
        except Exception as error:  # noqa: BLE001 — any error a template raises, reported at its file and line
            problem = TemplateFailed(error, _("the e-mail of {path}").format(path=issue.item.path)).problem(root)
            raise BuildFailed(_("A newsletter template failed; nothing was published:") + f"\n  {problem}") from None
        try:
            compiled = mjml2html(mjml_source)
        except ValueError as error:
            rendering = _("rendering {page}").format(page=_("the e-mail of {path}").format(path=issue.item.path))
            template = shown_from(ContentProblem(str(self.theme / TEMPLATE_FOLDER / "email.mjml"), 1, "MJML",
                                                 _("well-formed MJML"), f"{error} ({rendering})"), root)
            raise BuildFailed(_("A newsletter template failed; nothing was published:") + f"\n  {template}") from None
        sizes = {image_base + name: (image.width, image.height) for name, image in images.items()}
        return Rendered(with_image_sizes(self.inline_css(compiled), sizes), plain_text(text.strip()), web_version, site,
                        links, images, folder, image_base, logo=context["site"]["logo"]["url"].removeprefix(image_base),
                        mjml=mjml_source)

    def inline_css(self, html: str) -> str:
        """inline_css, remembered by the HTML it was given (and premailer's version, and INLINING): premailer is
        most of a warm issue's time."""
        key = hashlib.blake2b(f"{INLINING}:{PREMAILER}:{html}".encode(), digest_size=20).hexdigest()
        cached = self.inlined / f"{key}.html"
        try:
            return cached.read_text(encoding="utf-8")
        except FileNotFoundError:
            pass
        inlined = inline_css(html)
        self.inlined.mkdir(parents=True, exist_ok=True)
        temporary = cached.with_suffix(f".{os.getpid()}.tmp")
        temporary.write_text(inlined, encoding="utf-8")
        temporary.replace(cached)
        return inlined

    def html(self, markdown_text: str, source: Item, link: Callable[[str], str],
             picture: Callable[[Path, int, str], dict[str, Any]]) -> str:
        """Markdown as XHTML (MJML needs well-formed markup) with every link into our site made absolute and
        tagged: Pelican's {filename} and {static} links, and absolute links to the site; pictures of the
        content become e-mail images."""
        self.markdown.reset()
        rendered = self.markdown.convert(markdown_text.strip())
        base = posixpath.dirname(source.relpath)
        site_root = self.settings["NEWSLETTER_SITEURL"].rstrip("/") + "/"
        content = Path(self.settings["PATH"])

        def image(match: re.Match[str]) -> str:
            target = html_lib.unescape(match["url"])
            if target.startswith(("{static}", "{attach}")):
                path = target.split("}", 1)[1]
                target = path.lstrip("/") if path.startswith("/") else posixpath.join(base, path)
            elif target.startswith(site_root):
                target = target.removeprefix(site_root)
            elif "://" in target or target.startswith("data:"):
                return match[0]  # someone else's image: left as it is (the checks want https)
            target = posixpath.normpath(target)
            shown = picture(content / target, TEXT_SLOT, f"{content.name}/{target}")
            return (f'<img{match["attributes"]} src="{html_lib.escape(shown["url"])}"{match["rest"]} '
                    f'width="{shown["width"]}" height="{shown["height"]}" '
                    f'style="display:block;max-width:100%;height:auto;border:0" />')

        rendered = SOURCE.sub(image, rendered)

        def absolute(match: re.Match[str]) -> str:
            target = html_lib.unescape(match["url"])
            if target.startswith(("{filename}", "{static}", "{attach}")):
                kind, path = target.split("}", 1)
                path = posixpath.normpath(path.lstrip("/") if path.startswith("/") else posixpath.join(base, path))
                target = self.urls_by_source.get(path, path) if kind == "{filename" else path
            elif target.startswith(site_root):
                target = target.removeprefix(site_root)
            else:
                return match[0]
            return f'href="{html_lib.escape(link(target))}"'

        return LINK.sub(absolute, rendered)

    def item_view(self, item: Item, *, public: bool, html: Callable[[str, Item], str], link: Callable[[str], str],
                  track: Callable[[str], str], head_start: int | None) -> dict[str, Any]:
        """An item as the issue's audience sees it: never a member-only field or part in a public issue."""
        values = item.values
        body = item.teaser if public else item.body.text
        view: dict[str, Any] = {
            "title": item.title, "url": link(item_url(self.settings, item.type.name, item.slug)),
            "summary": html(values.get("summary", ""), item), "body": html(body, item),
            "head_start_days": head_start, "public_from": item.schedule.public_from,
        }
        for name in ("price", "image_alt", "location", "timezone"):
            view[name] = values.get(name, "")
        for name in ("register_url", "order_url"):
            view[name] = track(values[name]) if values.get(name) else ""
        if not public:
            view.update(offer=values.get("offer", ""), offer_code=values.get("offer_code", ""))
        else:
            view.update(offer="", offer_code="")
        for name in ("start", "end", "offer_until"):
            view[name] = datetime.fromisoformat(values[name]) if values.get(name) else None
        return view

    def seminar_view(self, item: Item, audience: str, moment: datetime,
                     link: Callable[[str], str]) -> dict[str, Any]:
        """What the seminar's page says about registration and calendars, for the issue's audience: the same
        .ics, Google and Outlook links, the contact person's address only if that audience may see the person,
        the meeting link only for members."""
        values, settings = item.values, self.settings
        public = self.tiers.is_public(audience)
        site = self.site_url(audience)
        description = Markup(markdown.markdown(values.get("summary", ""))).striptags()  # noqa: S704 — tags stripped
        online_url = "" if public else values.get("online_url", "")
        if online_url:
            description = f"{description}\n\nOnline: {online_url}".strip()
        event = Event(slug=item.slug, title=item.title, start=datetime.fromisoformat(values["start"]),
                      end=datetime.fromisoformat(values["end"]),
                      zone=values.get("timezone", self.settings["TIMEZONE"]), location=values.get("location", ""),
                      description=description, url=f"{site}/{item_url(self.settings, 'Seminar', item.slug)}",
                      uid=uid_for(item.slug, settings["SEMINAR_SITEURL"]), sequence=int(values.get("sequence", 0)))
        contact = next((c for c in self.registry.items if c.type.folder == "contacts"
                        and c.slug == values.get("contact")
                        and is_visible(c.schedule, audience, moment, self.registry.tiers)), None)
        return {
            "calendar": calendar_links(event, link(settings["SEMINAR_ICS_SAVE_AS"].format(slug=item.slug))),
            "register_email": contact.values.get("email", "") if contact else "",
            "contact_name": contact.title if contact else "",
            "capacity": int(values["capacity"]) if values.get("capacity") else None,
            "booked_out": values.get("booked_out") == "yes",
            "online_url": online_url,
        }


SKELETON = """<mjml><mj-head><mj-title>-</mj-title><mj-preview>-</mj-preview><mj-attributes><mj-all padding="0"/>
<mj-class name="c" color="#000"/></mj-attributes><mj-style>.c{color:#000}</mj-style></mj-head><mj-body>
<mj-raw><p>-</p></mj-raw><mj-section><mj-column width="40%"><mj-image src="https://x.invalid/i.png" alt="-"/>
</mj-column><mj-column width="60%"><mj-text>-</mj-text><mj-button href="https://x.invalid/">-</mj-button>
</mj-column></mj-section></mj-body></mjml>"""


def skeleton() -> str:
    """An e-mail with every element the theme's template uses and no content: what MJML writes (premailer only
    copies its style rules into attributes)."""
    return mjml2html(SKELETON)


def _editorial_and_closing(body: Body, *, public: bool) -> tuple[str, str]:
    """An issue's text before and after its closing marker; a public issue's only up to its members-only marker,
    exactly as its archive page on the public site."""
    lines = body.text.split("\n")
    end = body.markers.get(MEMBERS_ONLY, len(lines)) if public else len(lines)
    closing = body.markers.get(CLOSING, end)
    return "\n".join(lines[:min(closing, end)]), "\n".join(lines[closing + 1:end])


INLINING = "1"  # change when inline_css changes: the remembered results then miss
PREMAILER = "3.10.0"  # premailer's version, pinned in requirements.lock (a test holds them equal)


@functools.cache
def _premailer() -> type[Any]:
    """premailer, imported when an e-mail is not yet remembered inlined (its import, with cssutils and requests,
    was a quarter second of every build)."""
    import cssutils
    from premailer import Premailer

    # premailer checks every merged inline style against cssutils' CSS profiles even with disable_validation
    # (its merge_styles does not pass the flag on). The check only logs warnings, which we silence, and compiling
    # the profiles' patterns was a third of a build's newsletter time; without profiles the e-mails are the same.
    cssutils.profile.removeProfile(all=True)
    return Premailer  # type: ignore[no-any-return]


def inline_css(html: str) -> str:
    """premailer with the options of docs/architecture.md §5; the lowercase doctype MJML wrote is restored."""
    inlined: str = _premailer()(html, keep_style_tags=True, strip_important=False, allow_network=False,
                                disable_validation=True, cssutils_logging_level=logging.CRITICAL).transform()
    if not inlined.lstrip().lower().startswith("<!doctype"):
        inlined = "<!doctype html>\n" + inlined
    return inlined


def with_image_sizes(html: str, sizes: dict[str, tuple[int, int]]) -> str:
    """Each of our images with the width and height attributes of its size: premailer turns MJML's `width`
    into the `100%` of its style, and Outlook for Windows sizes an image by these attributes alone."""

    def sized(match: re.Match[str]) -> str:
        tag = match[0]
        src = re.search(r'\ssrc="([^"]*)"', tag)
        size = sizes.get(html_lib.unescape(src[1])) if src else None
        if size is None:
            return tag
        tag = re.sub(r'\s(?:width|height)="[^"]*"', "", tag)
        return f'{tag[:4]} width="{size[0]}" height="{size[1]}"{tag[4:]}'

    return IMG.sub(sized, html)


def for_esp(rendered: Rendered, esp: esps.Esp, settings: dict[str, Any]) -> tuple[str, str]:
    """The HTML and text of an issue with one e-mail tool's tags in place of our placeholders. Tags go in as
    the tool writes them (never HTML-escaped: `<%asm_…%>` must stay itself); our own texts are escaped."""
    fallback = html_lib.escape(settings["NEWSLETTER_GREETING_FALLBACK"], quote=False)
    address = settings["POSTAL_ADDRESS"]
    tags = {esps.GREETING_NAME: esp.first_name.replace("{fallback}", fallback),
            esps.UNSUBSCRIBE_URL: esp.unsubscribe_url,
            esps.WEB_VERSION_URL: esp.web_version_url or rendered.web_version_url}
    html = _replace(rendered.html, {**tags, esps.POSTAL_ADDRESS: esp.postal_address_html
                                    or html_lib.escape(address, quote=False)})
    text_tags = {**tags, esps.GREETING_NAME: esp.first_name.replace("{fallback}",
                                                                  settings["NEWSLETTER_GREETING_FALLBACK"])}
    return html, _replace(rendered.text, {**text_tags, esps.POSTAL_ADDRESS: address})


def with_sample_values(rendered: Rendered, settings: dict[str, Any]) -> tuple[str, str]:
    """The HTML and text for previews: sample values instead of any tool's tags."""
    values = {
        esps.GREETING_NAME: settings["NEWSLETTER_SAMPLE_FIRST_NAME"],
        esps.UNSUBSCRIBE_URL: settings["NEWSLETTER_UNSUBSCRIBE_URL"],
        esps.WEB_VERSION_URL: rendered.web_version_url,
        esps.POSTAL_ADDRESS: settings["POSTAL_ADDRESS"],
    }
    escaped = {placeholder: html_lib.escape(value, quote=False) for placeholder, value in values.items()}
    return _replace(rendered.html, escaped), _replace(rendered.text, values)


def _replace(text: str, values: dict[str, str]) -> str:
    for placeholder, value in values.items():
        text = text.replace(placeholder, value)
    return text
