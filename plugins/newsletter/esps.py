"""What each e-mail tool calls its merge tags, and how it imports a newsletter (docs/email.md).

Tags marked "to confirm" come from third-party sources; where a tool's web-version tag is not certain, the
newsletter's own archive page in the audience's site is the web version.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Esp:
    name: str
    first_name: str  # the first-name tag with a fallback; `{fallback}` is replaced by the greeting's fallback
    unsubscribe_url: str
    web_version_url: str | None  # None: the archive page of the issue in the audience's site
    postal_address: str | None  # None: the POSTAL_ADDRESS setting, as text
    imports_zip: bool = False


ESPS: dict[str, Esp] = {esp.name: esp for esp in (
    Esp("mailchimp", "*|IF:FNAME|**|FNAME|**|ELSE:|*{fallback}*|END:IF|*", "*|UNSUB|*", "*|ARCHIVE|*",
        "*|HTML:LIST_ADDRESS_HTML|*", imports_zip=True),
    Esp("brevo", '{{ contact.FIRSTNAME | default : "{fallback}" }}', "{{ unsubscribe }}", "{{ mirror }}", None),
    Esp("sendgrid", "{{#if first_name}}{{first_name}}{{else}}{fallback}{{/if}}", "{{{unsubscribe}}}", None, None),
    Esp("listmonk", '{{ or .Subscriber.FirstName "{fallback}" }}', "{{ UnsubscribeURL }}", "{{ MessageURL }}", None),
    Esp("mautic", "{contactfield=firstname|{fallback}}", "{unsubscribe_url}", "{webview_url}", None,
        imports_zip=True),
    Esp("klaviyo", "{{ first_name|default:'{fallback}' }}", "{% unsubscribe_url %}", None, None),  # to confirm
)}

# Placeholders the templates write; replaced per tool after CSS inlining (premailer would %-encode `{{ … }}`).
GREETING_NAME = "VORAB-PLACEHOLDER-FIRST-NAME"
UNSUBSCRIBE_URL = "https://vorab.invalid/unsubscribe"
WEB_VERSION_URL = "https://vorab.invalid/web-version"
POSTAL_ADDRESS = "VORAB-PLACEHOLDER-POSTAL-ADDRESS"
