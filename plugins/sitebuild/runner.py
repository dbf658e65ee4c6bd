"""Runs Pelican once per audience, each in its own process, in parallel (docs/architecture.md §3).

Each run reports the files it produced (plugins/outputs), so the build can delete the rest. Any warning Pelican
logs (a template error, a broken `{filename}` link, a file it skipped) fails the run: Pelican itself would only
log it and exit 0.
"""

from __future__ import annotations

import contextlib
import io
import logging
import multiprocessing
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vorab.errors import BuildFailed, ContentProblem, TemplateFailed, template_location
from vorab.messages import _


@dataclass(frozen=True)
class Run:
    audience: str
    settings_file: Path
    overrides: dict[str, Any]
    content: str = "content"  # the content folder as editors see it, for messages about a source file


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(f"{record.levelname.lower()}: {record.getMessage()}")


@dataclass(frozen=True)
class RunResult:
    problems: list[str]  # the warnings and errors Pelican logged (empty = success)
    produced: set[str]  # absolute paths of every file the run wrote or found already up to date
    templates: list[ContentProblem] = field(default_factory=list)  # templates that failed, at their file and line

    @property
    def succeeded(self) -> bool:
        return not self.problems and not self.templates


Ended = Callable[[Run, set[str]], None]  # told of each run that succeeded, with its files, as soon as it ends
# Runs every audience's build, tells `ended` of each as it ends, and returns the files they produced.
Runner = Callable[[list[Run], Ended], set[str]]


@contextlib.contextmanager
def collected(run: Run) -> Iterator[RunResult]:
    """Collect what Pelican logs and the templates that fail inside the block into the RunResult it yields."""
    collector = _Collect()
    root = logging.getLogger()
    root.addHandler(collector)
    result = RunResult(collector.messages, set())
    project = run.settings_file.parent
    try:
        with contextlib.redirect_stdout(io.StringIO()):  # Pelican's own "Done: …" line; our summary says more
            yield result
    except TemplateFailed as failed:
        result.templates.append(failed.problem(project, run.content))
    except Exception as error:  # noqa: BLE001 — reported to the editor with the audience it happened in
        if template_location(error):  # e.g. a syntax error, found when Pelican loads the template
            result.templates.append(TemplateFailed(error, _("the site")).problem(project, run.content))
        else:
            collector.messages.append(f"error: {type(error).__name__}: {error}")
    finally:
        root.removeHandler(collector)


def run_pelican(run: Run, execute: Callable[[Any], None] = lambda pelican: pelican.run()) -> RunResult:
    """Build one audience's site into its OUTPUT_PATH (`execute` runs the Pelican instance)."""
    from pelican import Pelican
    from pelican.settings import read_settings

    import outputs

    outputs.produced.clear()
    with collected(run) as result:
        execute(Pelican(read_settings(str(run.settings_file), override=run.overrides)))
    result.produced.update(outputs.produced)
    return result


def checked(runs: list[Run], results: list[RunResult]) -> set[str]:
    """The files the runs produced; BuildFailed with every problem of every run if any had one."""
    problems = ["  " + _("{audience} site: {message}").format(audience=run.audience, message=message)
                for run, result in zip(runs, results, strict=True) for message in result.problems]
    failed: dict[str, list[str]] = {}  # a template that fails in several runs is reported once, naming them
    for run, result in zip(runs, results, strict=True):
        for problem in result.templates:
            failed.setdefault(str(problem), []).append(run.audience)
    problems = ["  " + _("{problem} [{audiences} site]").format(problem=problem, audiences=", ".join(audiences))
                for problem, audiences in failed.items()] + problems
    if problems:
        raise BuildFailed("\n".join([_("Pelican reported problems; nothing was published:"), *problems]))
    return set().union(*(result.produced for result in results))


def run_all(runs: list[Run], ended: Ended = lambda run, produced: None) -> set[str]:
    """Run every audience's build in parallel processes, telling `ended` of each that succeeded as soon as it
    ends; return the files they produced, or raise BuildFailed with every problem of every run."""
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=len(runs), mp_context=context) as pool:
        futures = {pool.submit(run_pelican, run): run for run in runs}
        for future in as_completed(futures):
            if future.result().succeeded:
                ended(futures[future], future.result().produced)
        results = [future.result() for future in futures]
    return checked(runs, results)
