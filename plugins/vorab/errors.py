"""The errors a build reports to editors. Each names the file, the line, the field, what was expected and found."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from .messages import _, ngettext


class BuildFailed(Exception):
    """Raised by any build stage that must stop the build; `output/` is then left as it was."""


@dataclass(frozen=True, order=True)
class ContentProblem:
    """One problem in one source file, reported as `path:line: field: expected …, found …`."""

    path: str
    line: int
    field: str
    expected: str
    found: str

    def __str__(self) -> str:
        return _("{path}:{line}: {field}: expected {expected}, found {found}").format(
            path=self.path, line=self.line, field=self.field, expected=self.expected, found=self.found)


class ContentErrors(BuildFailed):
    """Raised by the validation with every problem of every file and setting at once."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        heading = ngettext("{count} problem in the content or settings; nothing was built:",
                           "{count} problems in the content or settings; nothing was built:", count)
        super().__init__("\n".join([heading.format(count=count), *(f"  {p}" for p in self.problems)]))


def found(value: str | None) -> str:
    """How a found value is quoted in messages."""
    return _("nothing") if value is None or value == "" else repr(value)


TEMPLATE_SUFFIXES = (".html", ".mjml", ".txt", ".xml", ".ics", ".j2", ".jinja")


class TemplateFailed(BuildFailed):
    """Raised when a template cannot be rendered: where (the template's file and line), what went wrong, and
    which page (and source file, relative to the content) it was rendering."""

    def __init__(self, error: BaseException, page: str, source: str | None = None) -> None:
        self.path, self.line = template_location(error) or (_("(a template)"), 1)
        self.error = f"{type(error).__name__}: {getattr(error, 'message', None) or error}"
        self.page, self.source = page, source
        super().__init__(str(self.problem()))

    def problem(self, root: str | Path | None = None, content: str = "content") -> ContentProblem:
        """The failure as a problem: the template relative to `root` (the project) when inside it, the source
        under `content` (the content folder as shown)."""
        rendering = _("rendering {page} from {source}") if self.source else _("rendering {page}")
        shown = rendering.format(page=self.page, source=f"{content}/{self.source}")
        problem = ContentProblem(self.path, self.line, _("template"), _("a template that renders"),
                                 f"{self.error} ({shown})")
        return shown_from(problem, root) if root is not None else problem


def shown_from(problem: ContentProblem, root: str | Path) -> ContentProblem:
    """The problem with its path relative to `root`, if it lies inside it."""
    if not os.path.isabs(problem.path):
        return problem
    relative = os.path.relpath(problem.path, root)
    return problem if relative.startswith("..") else replace(problem, path=Path(relative).as_posix())


def template_location(error: BaseException) -> tuple[str, int] | None:
    """The template file and line where Jinja failed: a syntax error's own, else the innermost template frame of
    the traceback (Jinja rewrites tracebacks so that their frames point into the templates)."""
    filename, lineno = getattr(error, "filename", None), getattr(error, "lineno", None)
    if isinstance(filename, str) and isinstance(lineno, int):
        return filename, lineno
    found = None
    trace = error.__traceback__
    while trace is not None:
        name = trace.tb_frame.f_code.co_filename
        if name.endswith(TEMPLATE_SUFFIXES):
            found = (name, trace.tb_lineno)
        trace = trace.tb_next
    return found
