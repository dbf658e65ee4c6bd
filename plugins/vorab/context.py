"""What validators and build steps are given, and what they give back (vorab/hooks.py registers them).

A validator sees the project — settings, registry — and adds problems and warnings, every one at once; a build
step sees the staged build — the sites the Pelican runs wrote, the staged dist/ — and adds files, notes and what
the leak gate must know. What a capability works out once (a newsletter's featured items) it keeps in a `Slot`
of `results`, which both see.
"""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from leakgate.fingerprints import Fingerprint

from .errors import BuildFailed, ContentProblem
from .model import Registry, RunSources
from .tiers import Tiers
from .unlisted import UnlistedFolder

Settings = dict[str, Any]  # Pelican's settings dictionary, with ours in it
T = TypeVar("T")


@dataclass(frozen=True)
class Slot(Generic[T]):
    """A typed place in a build's `results`: the capability that fills it names it once."""

    name: str


class Results:
    """What capabilities work out during validation, for their steps: one value per Slot."""

    def __init__(self) -> None:
        self._values: dict[str, Any] = {}

    def put(self, slot: Slot[T], value: T) -> None:
        self._values[slot.name] = value

    def get(self, slot: Slot[T], default: T) -> T:
        value: T = self._values.get(slot.name, default)
        return value


class FileFindings(Protocol):
    """What a validation found in each file, kept between validations (sitebuild.registry.FileMemo)."""

    def get(self, kind: str, path: Path, compute: Callable[[], T]) -> T: ...


@dataclass
class Validation:
    """What validators see and add to. `registry` is None when the content itself could not be read; validators
    of settings still run then, so that every problem is reported at once."""

    settings: Settings
    settings_file: Path
    registry: Registry | None
    clock: datetime  # the moment the build is for: what has been sent, what is released
    problems: list[ContentProblem] = field(default_factory=list)
    warnings: list[ContentProblem] = field(default_factory=list)
    results: Results = field(default_factory=Results)
    memo: FileFindings | None = None  # what earlier validations in this process found in unchanged files

    def remembered(self, kind: str, path: Path, compute: Callable[[], T]) -> T:
        """What `compute` finds in the file `path`: from `memo` while the file is unchanged."""
        return self.memo.get(kind, path, compute) if self.memo else compute()

    def text(self, path: Path) -> str:
        """The file's text, as the registry read it (once per validation)."""
        return self.remembered("text", path, lambda: path.read_text(encoding="utf-8"))

    @property
    def tiers(self) -> Tiers:
        return Tiers.from_settings(self.settings)

    @property
    def items(self) -> Registry:
        """The registry of a validation that passed (it read the content)."""
        if self.registry is None:
            raise BuildFailed("the content could not be read")
        return self.registry


@dataclass(frozen=True)
class PublicFolder:
    """A folder of the staged `dist/` that goes to the public; `public_at`: when (None: with the site). What is
    public by then is no leak in it: a newsletter issue may feature what is released at its send date."""

    name: str  # relative to dist/, e.g. "deploy" or "newsletters/neues-aus-der-roesterei"
    public_at: datetime | None = None


@dataclass
class BuildContext:
    """What a build step sees. Steps run after the Pelican runs and before the leak gate; they may write into
    `site` (e.g. a search index per audience; every file written there must be added to `produced`, or the
    build deletes it) or into `dist / <name>` (e.g. newsletters, server configurations), add `fingerprints` that
    must appear nowhere (member data: the gate looks for them in the member areas and all of dist/ too), name
    the `dist` folders that go to the public (the gate scans them like the public site), add `label_texts`:
    the words a step writes that are no content (a search bundle's scripts, an e-mail skeleton), which the gate
    treats like the theme's, and name `derived_files` of the site (glob patterns) that hold only words cut from
    the site's own pages (a search index's stems), where the gate looks for phrases but not single words. A step
    that publishes files for use without a login names their `unlisted` folders (vorab/unlisted.py): the gate
    holds them to their own rules. `private_files` are files for private/ (a new key), written only when the
    build succeeds."""

    settings: Settings
    registry: Registry
    clock: datetime
    site: Path  # the staged output/: public site at the top, member areas in their folders
    dist: Path  # the staged dist/: each step writes only its own dist/<name>/
    sources: dict[str, RunSources]
    results: Results = field(default_factory=Results)  # what the validation worked out
    produced: set[str] = field(default_factory=set)  # absolute paths of the files this build wrote into `site`
    fingerprints: list[Fingerprint] = field(default_factory=list)
    public_dist: list[PublicFolder] = field(default_factory=list)  # folders of dist/ that go to the public
    label_texts: list[str] = field(default_factory=list)
    derived_files: list[str] = field(default_factory=list)  # relative to `site`, e.g. "pagefind/index/*"
    unlisted: list[UnlistedFolder] = field(default_factory=list)
    private_files: dict[str, bytes] = field(default_factory=dict)  # name in private/ → its bytes
    notes: list[str] = field(default_factory=list)
    background: list[subprocess.Popen[str]] = field(default_factory=list)  # stopped if the build fails

    @property
    def tiers(self) -> Tiers:
        return self.registry.tiers

    @property
    def private(self) -> Path:
        return private_folder(self.settings)

    def audience_root(self, audience: str) -> Path:
        return self.site / self.tiers.folder(audience)

    def nested_sites(self, audience: str) -> set[str]:
        """The top-level folders of an audience's site that hold other audiences' sites (the public site's
        `members/`): its pages, its search index and its stale files are what lies outside them."""
        root = self.audience_root(audience)
        return {other.relative_to(root).parts[0] for other in map(self.audience_root, self.tiers)
                if other != root and other.is_relative_to(root)}


def private_folder(settings: Settings) -> Path:
    """Where member data and keys live (PRIVATE_PATH): git-ignored, never published."""
    return Path(settings["PATH"]).parent / str(settings["PRIVATE_PATH"])  # an absolute PRIVATE_PATH wins


@dataclass(frozen=True)
class SiteBuilt:
    """One audience's Pelican run has ended and its stale pages are gone (vorab.hooks.site_built); the other
    audiences' runs may still go on."""

    context: BuildContext
    audience: str

    @property
    def root(self) -> Path:
        return self.context.audience_root(self.audience)


Step = Callable[[BuildContext], None]
Validator = Callable[[Validation], None]
