"""Unlisted folders: what must work without a login — the images of a members' newsletter, which mail clients
and their image proxies fetch without credentials — is published at a capability URL (W3C TAG, "Good Practices
for Capability URLs"): `/unlisted/<token>/`, the token 160 bits derived from a secret key, one per purpose.

The key lives in the environment (VORAB_UNLISTED_KEY) or in private/unlisted.key, never in git or output/; a
build without either makes a new key and keeps it in private/ only if it succeeds. The same key gives the same
tokens in every build, so an e-mail that went out keeps its images; a new key moves every folder (rotation).
The servers send these folders with `X-Robots-Tag: noindex` and `Referrer-Policy: no-referrer` and list no
directory (plugins/gate); the leak gate proves on every build that no public page names a members' token and
that the folders hold nothing but images without text (sitebuild/leakcheck.py).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildFailed
from .messages import _

FOLDER = "unlisted"  # the top-level folder of the site that holds every unlisted folder
KEY_VARIABLE = "VORAB_UNLISTED_KEY"
KEY_FILE = "unlisted.key"  # in private/
KEY_BYTES = 32
TOKEN_BYTES = 20  # 160 bits, 32 characters of base32


@dataclass(frozen=True)
class Key:
    secret: bytes
    source: str  # where it came from, for messages: the variable, the file, or "new"

    @property
    def new(self) -> bool:
        return self.source == "new"

    def token(self, purpose: str) -> str:
        """The unguessable, stable name of one unlisted folder, e.g. for purpose "newsletter/januar"."""
        digest = hmac.new(self.secret, purpose.encode(), hashlib.sha256).digest()[:TOKEN_BYTES]
        return base64.b32encode(digest).decode().lower()

    def file_text(self) -> str:
        return self.secret.hex() + "\n"


def load_key(private: Path, environ: Mapping[str, str]) -> Key:
    """The key from VORAB_UNLISTED_KEY, else from private/unlisted.key, else a new one (not yet written)."""
    for source, text in ((KEY_VARIABLE, environ.get(KEY_VARIABLE)), (f"private/{KEY_FILE}", _read(private))):
        if text is None:
            continue
        try:
            secret = bytes.fromhex(text.strip())
        except ValueError:
            secret = b""
        if len(secret) < KEY_BYTES:
            raise BuildFailed(_("{source}: expected a key of {digits} hexadecimal digits ({command}), found "
                                "{count} characters").format(
                source=source, digits=KEY_BYTES * 2, count=len(text.strip()),
                command=f"python3 -c 'import secrets; print(secrets.token_hex({KEY_BYTES}))'"))
        return Key(secret, source)
    return Key(secrets.token_bytes(KEY_BYTES), "new")


def _read(private: Path) -> str | None:
    try:
        return (private / KEY_FILE).read_text(encoding="ascii")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise BuildFailed(_("{path}: expected a readable key file, found {error}").format(
            path=f"private/{KEY_FILE}", error=error)) from None


@dataclass(frozen=True)
class UnlistedFolder:
    """One folder under /unlisted/ that a build step wrote into the site."""

    token: str
    public: bool  # its files show only what the public may see anyway (a public issue's images)
    owner: str  # what it belongs to, for messages, e.g. newsletters/januar.md

    @property
    def path(self) -> str:
        """Relative to the site root, e.g. unlisted/abcd…/"""
        return f"{FOLDER}/{self.token}"
