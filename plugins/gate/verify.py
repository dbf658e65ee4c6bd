"""`invoke verify-deploy [URL]`: the live site's gate, checked from outside as a stranger (and as a member).

Without credentials, every way to ask for the member area — `/members/`, `/members`, `/MEMBERS/`, `/%6dembers/`,
`//members/`, a member page, a member image, the members' calendar feed — and, with further member tiers, each
tier's area in the same ways (`/gold/`, a gold page, a gold image) must answer anything but 2xx, and no response
may carry member content: no fingerprint of what the public may not see (the leak gate's), no byte of a
member page or image of the build. With a test member's credentials (VORAB_VERIFY_USER, VORAB_VERIFY_PASSWORD),
`/members/` must answer 200 with `Cache-Control: private, no-store` and `X-Robots-Tag: noindex`.

`invoke publish` runs it after every upload; paths are sent exactly as written (http.client), redirects are not
followed (a redirect is no member content, and where it leads is probed on its own).
"""

from __future__ import annotations

import base64
import http.client
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from catalog import item_url
from leakgate.text import words
from sitebuild.leakcheck import public_secrets
from sitebuild.sources import run_sources
from vorab.model import Registry

USER_VARIABLE, PASSWORD_VARIABLE = "VORAB_VERIFY_USER", "VORAB_VERIFY_PASSWORD"
TIMEOUT = 20  # seconds per request
SAMPLE_BYTES = 256  # a member file (an image) counts as served if this much of its middle is in a response
TEXT_PAGES = {".html", ".css", ".js", ".json", ".xml", ".ics", ".txt"}
ITEM_TYPES = ("Product", "Seminar", "Faq", "Contact", "Newsletter")  # whose pages are probed, previews first


@dataclass(frozen=True)
class Probe:
    path: str  # sent as written
    what: str  # for the report


@dataclass
class Verification:
    url: str
    checked: list[str] = field(default_factory=list)  # one line per request: path, status, verdict
    failures: list[str] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return not self.failures


def probes(settings: dict[str, Any], registry: Registry, clock: datetime, output: Path) -> list[Probe]:
    """The requests a stranger must be refused: each member tier's area in every spelling, and a page and image
    of each area and the members' calendar feed of the build."""
    tiers = registry.tiers
    found = []
    public_images = {p.relative_to(output).as_posix() for p in (output / "images").rglob("*") if p.is_file()} \
        if (output / "images").is_dir() else set()
    for tier in tiers.member_tiers:
        folder = tiers.folder(tier)
        area = "the member area" if tier == tiers.members else f"the {tier} area"
        found += [Probe(f"/{folder}/", area), Probe(f"/{folder}", f"{area} without its slash"),
                  Probe(f"/{folder.upper()}/", f"{area} in capitals"),
                  Probe(f"/%{ord(folder[0]):02x}{folder[1:]}/", f"{area}, percent-encoded"),
                  Probe(f"//{folder}/", f"{area} with a double slash")]
        page = "a member page" if tier == tiers.members else f"a {tier} page"
        # What this tier sees before the public does; above the member area, before the tier below it does.
        lower = {item.relpath for item in registry.visible(tiers.names[tiers.rank(tier) - 1], clock)} \
            if tier != tiers.members else set()
        secret = sorted((item for item in registry.visible(tier, clock)
                         if not item.schedule.released(clock, tiers) and item.type.name in ITEM_TYPES
                         and item.relpath not in lower),
                        key=lambda item: (ITEM_TYPES.index(item.type.name), item.relpath))  # a preview first
        if secret:
            found.append(Probe(f"/{folder}/{item_url(settings, secret[0].type.name, secret[0].slug)}",
                               f"{page} ({secret[0].path})"))
        images = sorted(p.relative_to(output / folder).as_posix() for p in (output / folder / "images").rglob("*")
                        if p.is_file()) if (output / folder / "images").is_dir() else []
        own = sorted(secret[0].assets(body=secret[0].body.text, fields=secret[0].values)) if secret else []
        image = next((path for path in [*own, *images] if path in images and path not in public_images), None)
        if image:
            found.append(Probe(f"/{folder}/{image}", f"{page.replace('page', 'image')}"))
    feed = settings.get("SEMINAR_FEED_SAVE_AS", "seminare/kalender.ics")
    found.append(Probe(f"/{tiers.folder(tiers.members)}/{feed}", "the members' calendar feed"))
    return found


def verify_deploy(url: str, settings: dict[str, Any], registry: Registry, clock: datetime, output: Path,
                  environ: Mapping[str, str]) -> Verification:
    """Check the live site at `url` from outside; `output` is the build that was published (for its member
    files)."""
    result = Verification(url)
    tiers = registry.tiers
    matcher = public_secrets(settings, registry, run_sources(registry, tiers.public, clock)).public
    members = tiers.folder(tiers.members)
    member_files = {name: sample for tier in tiers.member_tiers
                    for name, sample in _member_samples(output / tiers.folder(tier), output).items()}
    for probe in probes(settings, registry, clock, output):
        try:
            status, _headers, body = _get(url, probe.path)
        except OSError as error:
            result.failures.append(f"{probe.path} ({probe.what}): no answer ({error})")
            continue
        verdict = "refused"
        if 200 <= status < 300:
            verdict = "ANSWERED"
            result.failures.append(f"{probe.path} ({probe.what}): expected a refusal (401), found {status}")
        leaked = sorted(matcher.find_in([words(body.decode("utf-8", errors="replace"))]))
        served = [name for name, sample in member_files.items() if sample in body]
        if leaked or served:
            verdict = "MEMBER CONTENT"
            found = [f"{fp.kind} of {fp.item}" for words_ in leaked for fp in matcher.by_words[words_]]
            what = ", ".join([*(f"member file {name}" for name in served), *dict.fromkeys(found)][:3])
            result.failures.append(f"{probe.path} ({probe.what}): expected no member content, found {what}")
        result.checked.append(f"{probe.path}: {status} {verdict}")
    user, password = environ.get(USER_VARIABLE), environ.get(PASSWORD_VARIABLE)
    if user:
        _check_member(url, f"/{members}/", user, password or "", result)
    return result


def _check_member(url: str, path: str, user: str, password: str, result: Verification) -> None:
    """A member gets in, and the answer is marked private and not for indexing."""
    try:
        status, headers, _body = _get(url, path, (user, password))
    except OSError as error:
        result.failures.append(f"{path} as the test member: no answer ({error})")
        return
    cache = {part.strip() for part in headers.get("Cache-Control", "").split(",")}
    if status != 200:
        result.failures.append(f"{path} as the test member ({USER_VARIABLE}): expected 200, found {status}")
    elif not {"private", "no-store"} <= cache:
        result.failures.append(f"{path} as the test member: expected Cache-Control: private, no-store, found "
                               f"{headers.get('Cache-Control')!r}")
    elif "noindex" not in headers.get("X-Robots-Tag", ""):
        result.failures.append(f"{path} as the test member: expected X-Robots-Tag: noindex, found "
                               f"{headers.get('X-Robots-Tag')!r}")
    result.checked.append(f"{path} as the test member: {status}")


def _get(url: str, path: str,
         credentials: tuple[str, str] | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    parts = urlsplit(url)
    base = parts.path.rstrip("/")
    connection: http.client.HTTPConnection
    if parts.scheme == "https":
        connection = http.client.HTTPSConnection(parts.hostname or "", parts.port, timeout=TIMEOUT,
                                                 context=ssl.create_default_context())
    else:
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=TIMEOUT)
    headers = {"User-Agent": "vorab-verify-deploy"}
    if credentials:
        headers["Authorization"] = "Basic " + base64.b64encode(":".join(credentials).encode()).decode()
    try:
        connection.request("GET", base + path, headers=headers)
        response = connection.getresponse()
        return response.status, response.headers, response.read()
    finally:
        connection.close()


def _member_samples(area: Path, output: Path) -> dict[str, bytes]:
    """A piece of every file only the member area has (a page, an image), to recognise it in an answer."""
    if not area.is_dir():
        return {}
    public = {path.relative_to(output).as_posix(): path for path in output.rglob("*")
              if path.is_file() and not path.is_relative_to(area)}
    samples = {}
    for path in sorted(area.rglob("*")):
        relative = path.relative_to(area).as_posix()
        if not path.is_file() or path.stat().st_size < SAMPLE_BYTES or path.suffix in TEXT_PAGES \
                or path.name.startswith(".") or relative.startswith("pagefind/"):
            continue  # pages are recognised by their fingerprints; their markup is the theme's
        data = path.read_bytes()
        twin = public.get(relative)
        if twin is not None and twin.read_bytes() == data:
            continue  # the same file is public
        middle = len(data) // 2
        samples[f"{area.name}/{relative}"] = data[middle - SAMPLE_BYTES // 2:middle + SAMPLE_BYTES // 2]
    return samples
