"""German-aware slugs: `Röstung für Büros` → `roestung-fuer-bueros`."""

from __future__ import annotations

import re
import unicodedata

GERMAN = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "Ä": "ae", "Ö": "oe", "Ü": "ue", "ẞ": "ss"})


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text.translate(GERMAN)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
