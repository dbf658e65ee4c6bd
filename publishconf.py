"""Production settings: `invoke build --production` reads pelicanconf.py through this file."""

import os
import sys
from urllib.parse import urlsplit

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("VORAB_SITEURL", "https://www.morgenrot-kaffee.example")
RELATIVE_URLS = False
SHARING_SITEURL = SITEURL  # canonical URLs, share tags and the sitemap (plugins/sharing)

# The member area's gate: every build writes dist/deploy/ (nginx, Apache, Caddy, Cloudflare) from these (plugins/gate).
GATE_SERVER_NAME = urlsplit(SITEURL).hostname  # the public host name
GATE_DOCUMENT_ROOT = "/var/www/vorab"  # where output/ is uploaded on the server
GATE_HTPASSWD_PATH = "/etc/vorab/members.htpasswd"  # private/members.htpasswd on the server; members.caddy beside it
# GATE_HOSTING = "apache"  # nginx, nginx-sso, apache, caddy or cloudflare: apache gets its gate files in output/
# GATE_PUBLISHED_MEMBER_EMAILS = ["info@partnercafe.example"]  # member addresses that pages show on purpose
# GATE_TLS_CERTIFICATE / GATE_TLS_KEY = …  # nginx/Apache certificate; default: Let's Encrypt's paths for the host
# GATE_AUTH_REQUEST_URL = "http://127.0.0.1:4180/oauth2/auth"  # nginx/vorab-sso.conf only: the sign-on proxy's check
# GATE_SIGN_IN_URL = "/oauth2/start?rd=/members/"  # with single sign-on: where the 401 page's "Anmelden" button goes
