"""The errors a build reports to editors. Each names the file, the line, the field, what was expected and found."""

from __future__ import annotations

from dataclasses import dataclass


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
        return f"{self.path}:{self.line}: {self.field}: expected {self.expected}, found {self.found}"


class ContentErrors(BuildFailed):
    """Raised by the registry with every problem of every file at once."""

    def __init__(self, problems: list[ContentProblem]) -> None:
        self.problems = sorted(problems)
        count = len(self.problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"{count} problem{'s' if count != 1 else ''} in the content; nothing was built:\n{lines}")


def found(value: str | None) -> str:
    """How a found value is quoted in messages."""
    return "nothing" if value is None or value == "" else repr(value)
