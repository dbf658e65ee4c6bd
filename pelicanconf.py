"""Site settings for local builds. No side effects: this module only assigns names.

Both audience runs read these settings; the build (plugins/sitebuild) overrides PATH, OUTPUT_PATH, SITEURL,
AUDIENCE and AUDIENCE_CLOCK per run. Production overrides live in publishconf.py.
"""

AUTHOR = "Kaffeerösterei Morgenrot"
SITENAME = "Kaffeerösterei Morgenrot"
SITEURL = ""  # empty with RELATIVE_URLS: the local preview works from any folder
RELATIVE_URLS = True
TIMEZONE = "Europe/Berlin"
DEFAULT_LANG = "de"
MESSAGES_LANG = "de"  # what check, build, new, … tell editors: "de" or "en" (VORAB_MESSAGES_LANG overrides it)
POSTAL_ADDRESS = "Kaffeerösterei Morgenrot GmbH · Gerberau 12 · 79098 Freiburg im Breisgau"

PATH = "content"
OUTPUT_PATH = "output"
THEME = "themes/member-area"

PLUGIN_PATHS = ["plugins"]
# Every capability, in order: Pelican calls their register() inside each audience's run, the build around it
# (plugins/sitebuild) calls it too, and runs the build steps they connect in this order (docs/architecture.md).
PLUGINS = ["outputs", "audiences", "catalog", "design", "pictures", "sharing", "seminars", "faq", "gate", "newsletter",
           "search"]

# Audiences, lowest first. A further tier (e.g. "gold") is one more name here.
AUDIENCE_TIERS = ("public", "members")
MEMBERS_PATH = "members"  # the member area's folder inside output/

# Our content types have their own folders and generators (plugins/catalog); Pelican's articles are unused.
ARTICLE_PATHS: list[str] = []
PAGE_PATHS = ["pages"]
STATIC_PATHS = ["images"]
FOOTER_PAGES = ["ueber-uns", "lieferung", "fuer-kunden", "impressum"]  # slugs, in this order
PAGE_URL = "{slug}/"
PAGE_SAVE_AS = "{slug}/index.html"
DIRECT_TEMPLATES = ["index", "401"]  # 401.html: the friendly page the servers answer refused requests with
FILENAME_METADATA = r"(?P<slug>.*)"  # never a date from a file name; the build writes every slug anyway

# Leak channels we do not need are switched off rather than filtered (docs/architecture.md §7).
FEED_ALL_ATOM = None
CATEGORY_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_SAVE_AS = ""
CATEGORY_SAVE_AS = ""
TAG_SAVE_AS = ""
ARCHIVES_SAVE_AS = ""
AUTHORS_SAVE_AS = ""
CATEGORIES_SAVE_AS = ""
TAGS_SAVE_AS = ""
DRAFT_SAVE_AS = ""
DRAFT_PAGE_SAVE_AS = ""

# Newsletters (plugins/newsletter): e-mails always need absolute links, even from a local build.
NEWSLETTER_PATH = "newsletters"
NEWSLETTER_SITEURL = "https://www.morgenrot-kaffee.example"
NEWSLETTER_FROM = "Kaffeerösterei Morgenrot <newsletter@morgenrot-kaffee.example>"
NEWSLETTER_UNSUBSCRIBE_URL = "https://www.morgenrot-kaffee.example/newsletter/abmelden"
NEWSLETTER_ESPS = ["mailchimp", "brevo", "sendgrid", "sendgrid-dynamic", "listmonk", "mautic", "klaviyo"]
NEWSLETTER_MIN_HEAD_START = 1  # days
NEWSLETTER_GREETING = "Hallo {name},"  # {name}: the e-mail tool's first-name tag
NEWSLETTER_GREETING_FALLBACK = "liebe Kundin, lieber Kunde"  # when a subscriber has no first name

# Seminars (plugins/seminars): calendars need absolute URLs and a stable host for UIDs, even from a local build.
SEMINAR_SITEURL = "https://www.morgenrot-kaffee.example"
# Sharing (plugins/sharing): canonical URLs, share tags and the sitemap are absolute, even from a local build.
SHARING_SITEURL = "https://www.morgenrot-kaffee.example"
# Service area (plugins/faq): category order on the FAQ pages; the contact for questions without `contact:`.
FAQ_CATEGORY_ORDER = ["Bestellung & Lieferung", "Abo & Rechnung", "Zubereitung", "Kundenbereich"]
FAQ_DEFAULT_CONTACT = "jonas-berger"
# Search (plugins/search): Pagefind indexes only each page's <main>.
SEARCH_ROOT_SELECTOR = "main"

# The gate (plugins/gate): members-sync hashes new members' passwords with this bcrypt cost (at least 10).
GATE_BCRYPT_COST = 12
# The contact person the public 401 page ("Bitte melden Sie sich an") names for access: a public one of contacts/.
GATE_ACCESS_CONTACT = "jonas-berger"

JINJA_ENVIRONMENT = {
    "autoescape": True,
    "trim_blocks": True,
    "lstrip_blocks": True,
    "extensions": ["jinja2.ext.i18n"],
}
MARKDOWN = {
    "extension_configs": {
        "markdown.extensions.extra": {},
        "markdown.extensions.toc": {"permalink": False},
    },
    "output_format": "html5",
}
