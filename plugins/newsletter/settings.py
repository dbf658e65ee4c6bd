"""Newsletter settings: defaults, and a check that reports every bad value at once (MkDocs style)."""

from __future__ import annotations

from typing import Any

from .esps import ESPS

DEFAULTS: dict[str, Any] = {
    "NEWSLETTER_PATH": "newsletters",
    "NEWSLETTER_ESPS": list(ESPS),
    "NEWSLETTER_MIN_HEAD_START": 1,  # days a members' issue must precede a featured item's public release
    "NEWSLETTER_GREETING": "Hallo {name},",
    "NEWSLETTER_GREETING_FALLBACK": "liebe Kundin, lieber Kunde",
    "NEWSLETTER_SAMPLE_FIRST_NAME": "Anna",
    "NEWSLETTER_LISTMONK_LISTS": [1],
}
REQUIRED = ("NEWSLETTER_SITEURL", "NEWSLETTER_FROM", "NEWSLETTER_UNSUBSCRIBE_URL", "POSTAL_ADDRESS")


def newsletter_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings with newsletter defaults filled in; raise ValueError naming every bad value."""
    merged = {**DEFAULTS, **settings}
    problems = [f"Config value '{name}': expected a value, found nothing" for name in REQUIRED
                if not merged.get(name)]
    unknown = [name for name in merged["NEWSLETTER_ESPS"] if name not in ESPS]
    if unknown:
        problems.append(f"Config value 'NEWSLETTER_ESPS': expected some of {', '.join(ESPS)}, "
                        f"found {', '.join(repr(u) for u in unknown)}")
    if not str(merged.get("NEWSLETTER_SITEURL", "")).startswith("https://"):
        problems.append(f"Config value 'NEWSLETTER_SITEURL': expected an absolute https:// URL, "
                        f"found {merged.get('NEWSLETTER_SITEURL')!r}")
    if problems:
        raise ValueError("\n".join(problems))
    return merged
