"""The resident preview behind `invoke livereload`: a build that stays in memory and, after an edit, renders
again only the pages that depend on it.

The first build, and every build after a change it cannot follow page by page, is a full one (the validation,
one Pelican run per audience, the leak gate, the swap into `.preview/site/`), but each audience's Pelican run
stays alive in its own process afterwards, holding its content objects, its templates and the list of files it
wrote. After an edit of Markdown files that were there before:

1. the validation runs again, reading only the files that changed (sitebuild.registry.FileMemo);
2. each audience's sources are made again; if an audience now sees other items or assets than before, the
   build is a full one;
3. each run reads the changed sources again, replaces their content objects, lets the plugins finalize the
   context again, and renders again every page that shows a changed object or whose templates name a part of
   the context that changed — into memory, not onto the disk;
4. the leak gate scans the preview with the rewritten files in it (its memory of clean files lets it read
   only those); only then do they stay, and the browser reloads.

A change of the theme, the settings, a newsletter or an asset, a file added or deleted, a slug or status that
changes, and a clock more than CLOCK_LAG old, all mean a full build. tests/test_editor_resident.py compares the
tree after a series of edits with a full build, byte for byte.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import posixpath
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import jinja2.runtime
from pelican import signals
from pelican.contents import Page
from pelican.generators import PagesGenerator
from pelican.utils import order_content

import outputs
from leakgate import Matcher, scan
from leakgate.fingerprints import Fingerprint
from leakgate.memo import Memo
from sitebuild import BuildFailed, BuildResult, LeakFound, Project, parse_clock
from sitebuild.check import validate
from sitebuild.leakcheck import public_secrets
from sitebuild.registry import FileMemo
from sitebuild.runner import Ended, Run, RunResult, checked, collected, run_pelican
from sitebuild.sources import Copies, run_sources, write_if_changed
from vorab.context import Step
from vorab.messages import _
from vorab.model import RunSources

from .preview import build_preview, preview_paths

CLOCK_LAG = timedelta(minutes=5)  # an edit later than this after the last full build builds fully, at a new clock


# --- In each audience's process: its Pelican run, kept -------------------------------------------------------


@dataclass
class _Render:
    """One call of the writer in the full run, to be made again when what it shows changes."""

    name: str
    template: Any
    context: dict[str, Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    names: set[str]  # every name of the context the render looked up: its output depends on nothing else


class _Session:
    """One audience's Pelican run, alive after it built the site: its generators, its context, its writer and
    every page it rendered."""

    def __init__(self, run: Run) -> None:
        self.run = run
        self.generators: list[Any] = []
        self.writer: Any = None
        self.pelican: Any = None
        self.renders: list[_Render] = []
        self.shapes: tuple[dict[str, Any], list[Any]] | None = None  # the context's, after the last update

    def full(self) -> RunResult:
        outputs.digests = {}
        return run_pelican(self.run, self._execute)

    def _execute(self, pelican: Any) -> None:
        """Pelican.run(), keeping the generators and recording the writer's calls."""
        self.pelican = pelican
        context = pelican.settings.copy()
        context.update(generated_content={}, static_links=set(), static_content={},
                       localsiteurl=pelican.settings["SITEURL"])
        self.generators = [cls(context=context, settings=pelican.settings, path=pelican.path, theme=pelican.theme,
                               output_path=pelican.output_path) for cls in pelican._get_generator_classes()]
        for generator in self.generators:
            if hasattr(generator, "generate_context"):
                generator.generate_context()
            if hasattr(generator, "check_disabled_readers"):
                generator.check_disabled_readers()
        signals.all_generators_finalized.send(self.generators)
        for generator in self.generators:
            if hasattr(generator, "refresh_metadata_intersite_links"):
                generator.refresh_metadata_intersite_links()
        self.writer = pelican._get_writer()
        write_file = self.writer.write_file

        def recording(name: str, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
            render = _Render(name, template, context, args, kwargs, set())
            self.renders.append(render)
            return self._write(render, write_file)

        self.writer.write_file = recording
        for generator in self.generators:
            if hasattr(generator, "env"):
                generator.env.context_class = _Recording
            if hasattr(generator, "generate_output"):
                generator.generate_output(self.writer)
        self.writer.write_file = write_file
        signals.finalized.send(pelican)

    @staticmethod
    def _write(render: _Render, write_file: Any) -> Any:
        """Render (and write) through Pelican's writer, noting the names the templates look up."""
        _Recording.names = render.names = set()
        try:
            return write_file(render.name, render.template, render.context, *render.args, **render.kwargs)
        finally:
            _Recording.names = None

    def update(self, relpaths: list[str]) -> tuple[RunResult, dict[str, bytes] | None]:
        """Read `relpaths` (relative to the run's sources) again and render what depends on them; the files, by
        path relative to the run's output, or None when only a full run can follow the change."""
        outputs.produced.clear()
        outputs.diverted = {}
        files: dict[str, bytes] | None = None
        try:
            with collected(self.run) as result:
                if self._rerender(relpaths):
                    root = Path(self.pelican.output_path)
                    files = {Path(path).relative_to(root).as_posix(): data for path, data in outputs.diverted.items()}
        finally:
            outputs.diverted = None
        return result, files

    def _rerender(self, relpaths: list[str]) -> bool:
        context = self.generators[0].context
        looked_up = set().union(*(render.names for render in self.renders))  # what no template reads cannot matter
        before, _alive = self.shapes or _shapes(context, looked_up)
        replaced: dict[int, Any] = {}
        for relpath in relpaths:
            found = self._replace(relpath)
            if found is None:
                return False
            old, new = found
            replaced[id(old)] = new
        for generator in self.generators:
            if isinstance(generator, PagesGenerator):
                signals.page_generator_finalized.send(generator)
        signals.all_generators_finalized.send(self.generators)
        for new in replaced.values():
            if hasattr(new, "refresh_metadata_intersite_links"):
                new.refresh_metadata_intersite_links()
        self.shapes = after, _alive_after = _shapes(context, looked_up)
        changed = {name for name, shape in after.items() if before.get(name) != shape}
        for render in self.renders:
            swapped = {key: replaced.get(id(value), value) for key, value in render.kwargs.items()}
            if swapped == render.kwargs and not changed & render.names:
                continue
            self.writer._written_files = set()
            if swapped.get("override_output"):
                self.writer._overridden_files.discard(os.path.join(self.pelican.output_path, render.name))
            render.kwargs = swapped
            self._write(render, self.writer.write_file)
        return True

    def _replace(self, relpath: str) -> tuple[Any, Any] | None:
        """Read the source again and put its new content object where the old one was; None if the change is
        more than that (a source no generator holds, a new slug, status or template)."""
        path = os.path.join(self.generators[0].path, relpath)
        for generator in self.generators:
            for attribute in ("items", "pages", "hidden_pages", "draft_pages"):
                objects: list[Any] = getattr(generator, attribute, None) or []
                old = next((obj for obj in objects if obj.source_path == path), None)
                if old is None:
                    continue
                if attribute == "items":
                    new = generator.readers.read_file(base_path=generator.path, path=relpath,
                                                      content_class=generator.content_class,
                                                      context=generator.context)
                else:
                    new = generator.readers.read_file(
                        base_path=generator.path, path=relpath, content_class=Page, context=generator.context,
                        preread_signal=signals.page_generator_preread, preread_sender=generator,
                        context_signal=signals.page_generator_context, context_sender=generator)
                same = ("save_as", "url", "template", "status", "slug")
                if not new.is_valid() or any(getattr(new, key, None) != getattr(old, key, None) for key in same):
                    return None
                objects[objects.index(old)] = new
                if attribute == "items":
                    objects.sort(key=generator.sort_key)
                    generator.context[f"{generator.context_name}_by_slug"] = {item.slug: item for item in objects}
                else:
                    setattr(generator, attribute, order_content(objects, generator.settings["PAGE_ORDER_BY"]))
                    generator._update_context((attribute,))
                generator.add_source_path(new)
                return old, new
        return None


class _Recording(jinja2.runtime.Context):
    """A template context that notes every name a render looks up (into `_Recording.names`, when set)."""

    names: set[str] | None = None

    def resolve_or_missing(self, key: str) -> Any:
        if _Recording.names is not None:
            _Recording.names.add(key)
        return super().resolve_or_missing(key)


def _shapes(context: dict[str, Any], names: set[str]) -> tuple[dict[str, Any], list[Any]]:
    """The shape of the values of `context` under `names` (see _shape), and the objects they name by identity,
    to be kept alive as long as the shapes are compared: an id must not be reused."""
    alive: list[Any] = []
    return {name: _shape(value, alive) for name, value in context.items() if name in names}, alive


def _shape(value: Any, alive: list[Any], depth: int = 0) -> Any:
    """What a context value is made of, comparable before and after an edit: containers by their elements,
    plain values by value, every other object by identity."""
    if isinstance(value, str | int | float | bool | type(None)):
        return value
    if depth < 4 and isinstance(value, list | tuple):
        return (type(value), tuple([_shape(element, alive, depth + 1) for element in value]))
    if depth < 4 and isinstance(value, dict):
        return (dict, tuple([(key, _shape(element, alive, depth + 1)) for key, element in value.items()]))
    alive.append(value)
    return id(value)


def _serve(connection: Connection, run: Run) -> None:
    """The audience's process: one full run, then the updates it is sent, until it is sent None."""
    session = _Session(run)
    connection.send(session.full())
    while (relpaths := connection.recv()) is not None:
        connection.send(session.update(relpaths))


@dataclass
class _Worker:
    run: Run
    process: multiprocessing.process.BaseProcess
    connection: Connection

    def stop(self) -> None:
        with contextlib.suppress(OSError):
            self.connection.send(None)
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
            self.process.join()
        self.connection.close()


# --- In the preview's own process -----------------------------------------------------------------------------


@dataclass
class _Built:
    """What the last good build was made of."""

    clock: datetime
    sources: dict[str, RunSources]
    since: float = field(default_factory=time.monotonic)


class ResidentPreview:
    """The preview of one project in `.preview/site/`: full builds when needed, page by page otherwise."""

    def __init__(self, project: Project, root: Path, *, as_of: str | None = None,
                 overrides: dict[str, Any] | None = None, steps: Sequence[Step] | None = ()) -> None:
        """`steps`: the build steps of a full build (None: every registered one; by default none). A page by
        page update runs none: what they made stays as the last full build made it."""
        self.project, self.root, self.as_of, self.overrides, self.steps = project, root, as_of, overrides, steps
        self.site = preview_paths(root)[0]
        self.workers: dict[str, _Worker] = {}
        self.memo = FileMemo()
        self.texts = _KeptTexts()
        self.copies: Copies = {}
        self.built: _Built | None = None

    def build(self) -> BuildResult:
        """A full build; the audiences' runs stay alive. Raises BuildFailed (the last good preview stays)."""
        self.built = None
        self.memo.clear()
        self.copies.clear()
        settings = self.project.settings(self.overrides)
        clock = parse_clock(self.as_of, settings)
        result = build_preview(self.project, clock, self.root, overrides=self.overrides, steps=self.steps,
                               runner=self._start, memo=self.memo)
        self.built = _Built(clock, result.sources)
        with contextlib.suppress(BuildFailed):  # a file changed since: the update it brings says what is wrong
            self._prepare(settings, clock)
        return result

    def _prepare(self, settings: dict[str, Any], clock: datetime) -> None:
        """What an update reads of the last full build, remembered now: the first save is as quick as the next."""
        validation = validate(settings, self.project.settings_file, clock, self.memo)
        for audience in validation.tiers:
            sources = run_sources(validation.items, audience, clock, self.copies)
            if audience == validation.tiers.public:
                public_secrets(settings, validation.items, sources, memo=self.texts)

    def update(self, changes: Iterable[tuple[str, Path]]) -> tuple[str, list[str]]:
        """Follow `changes` (watchfiles' kind name, path): page by page if it can, else by a full build. Returns
        how ("pages" or "full") and the files it rewrote (site-relative; all for a full build: ["*"]). Raises
        BuildFailed (the last good preview stays)."""
        settings = self.project.settings(self.overrides)
        relpaths = self._followable(list(changes), Path(settings["PATH"]).resolve())
        if relpaths is None:
            self.build()
            return "full", ["*"]
        try:
            rewritten = self._update_pages(relpaths, settings)
        except BuildFailed:
            self.built = None  # the runs may be half way through the change: the next one builds fully
            raise
        if rewritten is None:
            self.build()
            return "full", ["*"]
        return "pages", rewritten

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()
        self.workers.clear()

    def _start(self, runs: list[Run], ended: Ended) -> set[str]:
        """The build's runner: a new process per audience that stays alive after its run."""
        self.close()
        context = multiprocessing.get_context("fork")
        for run in runs:
            ours, theirs = context.Pipe()
            process = context.Process(target=_serve, args=(theirs, run), daemon=True)
            process.start()
            theirs.close()
            self.workers[run.audience] = _Worker(run, process, ours)
        try:
            results = [self.workers[run.audience].connection.recv() for run in runs]
        except EOFError:
            self.close()
            raise BuildFailed(_("a Pelican run ended without a result")) from None
        for run, result in zip(runs, results, strict=True):
            if result.succeeded:
                ended(run, result.produced)
        return checked(runs, results)

    def _followable(self, changes: list[tuple[str, Path]], content: Path) -> list[str] | None:
        """The content-relative paths of the edited Markdown files, or None if a full build is needed."""
        if self.built is None or not self.workers or self._clock_moved():
            return None
        relpaths = set()
        for kind, path in changes:
            path = Path(path).resolve()
            if kind != "modified" or path.suffix != ".md" or not path.is_relative_to(content):
                return None
            relpaths.add(path.relative_to(content).as_posix())
        return sorted(relpaths)

    def _clock_moved(self) -> bool:
        return self.as_of is None and self.built is not None and time.monotonic() - self.built.since > \
            CLOCK_LAG.total_seconds()

    def _update_pages(self, relpaths: list[str], settings: dict[str, Any]) -> list[str] | None:
        """Validate, renew the sources, let each run render what changed, gate, write. None: needs a full build."""
        built = self.built
        if built is None:
            return None
        clock = built.clock
        content = Path(settings["PATH"])
        self.memo.changed(content / relpath for relpath in relpaths)
        validation = validate(settings, self.project.settings_file, clock, self.memo)
        tiers = validation.tiers
        sources: dict[str, RunSources] = {}
        changed: dict[str, list[str]] = {}
        for audience, old in built.sources.items():
            new = run_sources(validation.items, audience, clock, self.copies)
            if old.path is None or set(new.texts) != set(old.texts) or new.assets != old.assets:
                return None
            new.path = old.path
            sources[audience] = new
            changed[audience] = [r for r in relpaths if r in new.texts and new.texts[r] != old.texts[r]]
            for relpath in changed[audience]:
                write_if_changed(old.path / relpath, new.texts[relpath])
        asked = sorted((audience for audience, paths in changed.items() if paths), key=lambda a: a != tiers.public)
        for audience in asked:
            self.workers[audience].connection.send(changed[audience])
        # While the runs render: what the public may not see, now.
        secrets = public_secrets(settings, validation.items, sources[tiers.public], memo=self.texts).public
        answers: dict[str, tuple[RunResult, dict[str, bytes] | None]] = {}
        files: dict[str, bytes] = {}
        leak: LeakFound | None = None
        for audience in asked:  # the public's first: its pages are gated while the other runs still render
            answers[audience] = _result, rendered = self.workers[audience].connection.recv()
            folder = tiers.folder(audience)
            rewritten = {relpath: data for relpath, data in ((posixpath.join(folder, path), data)
                                                             for path, data in (rendered or {}).items())
                         if _differs(self.site / relpath, data)}
            files.update(rewritten)
            if audience == tiers.public:  # the member areas' pages are not the public's
                try:
                    _gate(rewritten, secrets)
                except LeakFound as found:
                    leak = found  # once every run has answered
        checked([self.workers[audience].run for audience in asked], [result for result, _ in answers.values()])
        if any(rendered is None for _result, rendered in answers.values()):
            return None
        if leak is not None:
            raise leak
        for relpath, data in files.items():
            (self.site / relpath).write_bytes(data)
        self.built = _Built(clock, sources, built.since)
        return sorted(files)


class _KeptTexts(Memo):
    """The gate's memo, in memory: words and fingerprints by identity first (the preview asks again and again
    about the same item objects and copies: the validation keeps those of unchanged files), the words of a text
    as the same list while its text is the same, the last Matcher while its fingerprints are the same, and what
    each text held of them — so an edit costs the gate the edited texts, not the site."""

    def __init__(self) -> None:
        super().__init__(None)
        self.items: dict[tuple[int, bool], tuple[Any, list[Fingerprint]]] = {}
        self.texts: dict[int, tuple[str, list[str]]] = {}
        self.lists: dict[str, list[str]] = {}  # text → its words, one list object per text
        self.last: Matcher | None = None
        self.last_prints: list[Fingerprint] = []
        self.found: dict[int, tuple[list[str], set[str]]] = {}  # id(words) → (words, what `last` finds in them)

    def matcher(self, fingerprints: list[Fingerprint]) -> Matcher:
        if self.last is None or self.last_prints != fingerprints:  # the hints too, not the words only
            self.last, self.last_prints, self.found = Matcher(fingerprints), fingerprints, {}
        return self.last

    def strings(self, key: Callable[[], str], compute: Callable[[], Iterable[str]]) -> set[str]:
        return set(compute())  # what they are computed from is remembered: no key to digest

    def found_in(self, matcher: Matcher, word_lists: list[list[str]]) -> set[str]:
        if matcher is not self.last:
            return matcher.find_in(word_lists)
        unknown = [words for words in word_lists if (known := self.found.get(id(words))) is None
                   or known[0] is not words]
        for words in unknown:
            self.found[id(words)] = (words, matcher.find_in([words]))
        return set().union(*(self.found[id(words)][1] for words in word_lists))

    def fingerprints(self, item: Any, whole: bool, compute: Callable[[], Iterator[Fingerprint]]) -> list[Fingerprint]:
        known = self.items.get((id(item), whole))
        if known is None or known[0] is not item:
            known = self.items[(id(item), whole)] = (item, super().fingerprints(item, whole, compute))
        return known[1]

    def remembered(self, text: str, compute: Callable[[], list[str]]) -> list[str]:
        known = self.texts.get(id(text))
        if known is None or known[0] is not text:
            if text not in self.lists:
                self.lists[text] = super().remembered(text, compute)
            known = self.texts[id(text)] = (text, self.lists[text])
        return known[1]


def _differs(path: Path, data: bytes) -> bool:
    try:
        return path.read_bytes() != data
    except FileNotFoundError:
        return True


def _gate(files: dict[str, bytes], secrets: Matcher) -> None:
    """The leak gate over the public's files about to be written: they must hold nothing the public may not see.
    (Unchanged pages were gated when they were written; a full build gates every page again.)"""
    with tempfile.TemporaryDirectory(prefix="vorab-gate-") as folder:
        for relpath, data in files.items():
            target = Path(folder) / relpath
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
        report = scan(Path(folder), secrets)
    if not report.passed:
        raise LeakFound(report)
