"""The leak gate: proves, before anything replaces `output/`, that no byte of the public part of a build holds a
fingerprint of anything not public at the build clock. Run by the build (plugins/sitebuild), not by Pelican.
"""

from __future__ import annotations

from .fingerprints import Fingerprint, secret_fingerprints
from .scanner import GateReport, Hit, Matcher, Unread, scan, shared_words

__all__ = ["Fingerprint", "GateReport", "Hit", "Matcher", "Unread", "scan", "secret_fingerprints", "shared_words"]
