"""Production settings: `invoke build --production` reads pelicanconf.py through this file."""

import os
import sys

sys.path.append(os.curdir)
from pelicanconf import *  # noqa: E402,F403

SITEURL = os.environ.get("VORAB_SITEURL", "https://www.morgenrot-kaffee.example")
RELATIVE_URLS = False
