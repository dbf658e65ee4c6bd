"""What each e-mail tool calls its merge tags, as its own documentation or source code gives them (docs/email.md
names the source of every tag), and which of its products a package is for.

A tool without a tag for the postal address gets the POSTAL_ADDRESS setting as text; a tool without a
web-version tag gets the issue's own archive page in the audience's site.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Esp:
    name: str
    product: str  # which product of the tool the package is for
    first_name: str  # the first-name tag with a fallback; `{fallback}` is replaced by the greeting's fallback
    unsubscribe_url: str
    web_version_url: str | None  # None: the archive page of the issue in the audience's site
    postal_address_html: str | None = None  # None: the POSTAL_ADDRESS setting, as text (always so in the text part)


ESPS: dict[str, Esp] = {esp.name: esp for esp in (
    Esp("mailchimp", "Mailchimp (campaigns; Import HTML or Import zip)",
        "*|IF:FNAME|**|FNAME|**|ELSE:|*{fallback}*|END:IF|*", "*|UNSUB|*", "*|ARCHIVE|*",
        "*|HTML:LIST_ADDRESS_HTML|*"),
    Esp("brevo", "Brevo (e-mail campaigns)", "{{ contact.FIRSTNAME|default:'{fallback}' }}", "{{ unsubscribe }}",
        "{{ mirror }}"),
    Esp("sendgrid", "SendGrid Marketing Campaigns (Single Sends)", '{{insert first_name "default={fallback}"}}',
        "{{{unsubscribe}}}", "{{Weblink}}"),
    Esp("sendgrid-dynamic", "SendGrid Dynamic Transactional Templates (Mail Send v3, with an asm.group_id)",
        "{{#if first_name}}{{first_name}}{{else}}{fallback}{{/if}}", "<%asm_group_unsubscribe_raw_url%>", None),
    Esp("listmonk", "listmonk (POST /api/campaigns)", '{{ or .Subscriber.FirstName "{fallback}" }}',
        "{{ UnsubscribeURL }}", "{{ MessageURL }}"),
    Esp("mautic", "Mautic 4 and 5 (e-mail theme)", "{contactfield=firstname|{fallback}}", "{unsubscribe_url}",
        "{webview_url}"),
    Esp("klaviyo", "Klaviyo (campaign template, HTML editor)", "{{ first_name|default:'{fallback}' }}",
        "{% unsubscribe_link %}", "{% web_view_link %}"),
)}

# What a fallback may not contain: it goes inside every tool's tag (quotes, braces, pipes, asterisks, markup).
FALLBACK_FORBIDDEN = "'\"{}|*<>%\\"

# Placeholders the templates write; replaced per tool after CSS inlining (premailer would %-encode `{{ … }}`).
GREETING_NAME = "VORAB-PLACEHOLDER-FIRST-NAME"
UNSUBSCRIBE_URL = "https://vorab.invalid/unsubscribe"
WEB_VERSION_URL = "https://vorab.invalid/web-version"
POSTAL_ADDRESS = "VORAB-PLACEHOLDER-POSTAL-ADDRESS"
