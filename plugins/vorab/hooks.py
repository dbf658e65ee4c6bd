"""Where capabilities plug into a build, Pelican-signal style: a capability's `register()` connects its
validators and build steps and declares its settings and the site folders it writes; the build (sitebuild)
calls them and never imports a capability.

    from vorab import hooks

    def register() -> None:
        hooks.validating.connect(check_newsletters)   # called with a vorab.context.Validation
        hooks.building.connect(package_newsletters)   # called with a vorab.context.BuildContext
        hooks.site_built.connect(start_index, step=index_sites)  # with a SiteBuilt, as each run ends
        hooks.options(NEWSLETTER_OPTIONS)             # {"NEWSLETTER_SITEURL": options.Url(), …}

Receivers are called in the order they connected, which is the order of PLUGINS in pelicanconf.py. (Unlike
blinker's signals, whose order is undefined: build steps depend on theirs.)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Generic, TypeVar

from .context import BuildContext, SiteBuilt, Step, Validation
from .options import Option

T = TypeVar("T")


class Hook(Generic[T]):
    """Receivers of one kind, in the order they connected; connecting one twice keeps the first place."""

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc
        self.receivers: list[Callable[[T], None]] = []

    def connect(self, receiver: Callable[[T], None]) -> Callable[[T], None]:
        if receiver not in self.receivers:
            self.receivers.append(receiver)
        return receiver


class StepStart:
    """What build steps start as soon as one audience's Pelican run has ended, while the others still run (a
    search index of that audience's pages): each receiver belongs to its step, and is called only in builds
    that run that step. What a receiver starts in the background it adds to `BuildContext.background`; its step
    waits for it."""

    def __init__(self) -> None:
        self.receivers: list[tuple[Callable[[SiteBuilt], None], Step]] = []

    def connect(self, receiver: Callable[[SiteBuilt], None], *, step: Step) -> None:
        if (receiver, step) not in self.receivers:
            self.receivers.append((receiver, step))

    def of(self, steps: Sequence[Step]) -> list[Callable[[SiteBuilt], None]]:
        """The receivers whose step is among `steps`, in the order they connected."""
        return [receiver for receiver, step in self.receivers if step in steps]


validating: Hook[Validation] = Hook("validators: each adds its problems and warnings to the Validation")
building: Hook[BuildContext] = Hook("build steps, after the Pelican runs and before the leak gate")
site_built = StepStart()

OPTIONS: dict[str, Option] = {}  # every capability's settings → how each is checked, and its default
SITE_FOLDERS: dict[str, str] = {}  # a folder a step writes into every site → what it holds (no page may take it)


def options(schema: Mapping[str, Option]) -> None:
    """Declare a capability's settings: each is validated by every check and build, its default filled in."""
    OPTIONS.update(schema)


def site_folder(name: str, what: str) -> None:
    """Declare a top-level folder that a step writes into every site itself (a search index); `what`, marked
    with vorab.messages.N_, names it in messages."""
    SITE_FOLDERS[name] = what
