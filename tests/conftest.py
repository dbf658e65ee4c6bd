"""Fixtures: real Vorab builds of small sites in temporary directories, with the real theme and plugins."""

from __future__ import annotations

import hashlib
import os
import shutil
import textwrap
from pathlib import Path

import pytest

from audiences.rules import parse_moment
from sitebuild import BuildResult, Project, build

ROOT = Path(__file__).resolve().parents[1]
THEME = ROOT / "themes" / "member-area"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3" viewBox="0 0 4 3"><rect width="4" height="3"/></svg>'


def needs_program(program: str, package: str) -> None:
    """Skip locally when a system program is missing; fail in CI, where a skipped check is a missing check."""
    if shutil.which(program):
        return
    message = f"needs {program!r}: apt-get install {package}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def tree_digest(root: Path) -> dict[str, str]:
    """Every file under root with the SHA-256 of its bytes: equal digests mean a byte-identical tree."""
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


class Site:
    """A throw-away Vorab project: content written by the test, settings and theme from the repository."""

    def __init__(self, root: Path, theme: Path = THEME) -> None:
        self.root = root
        (root / "content").mkdir(parents=True)
        self.settings_file = root / "pelicanconf.py"
        self.use_theme(theme)

    def use_theme(self, theme: Path) -> None:
        self.settings_file.write_text(
            f"from pathlib import Path\n"
            f"exec(Path({str(ROOT / 'pelicanconf.py')!r}).read_text(encoding='utf-8'))\n"
            f"THEME = {str(theme)!r}\n"
            f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
            "FAQ_DEFAULT_CONTACT = None  # the sample's contact person is not in test sites\n",
            encoding="utf-8")

    def write(self, relpath: str, text: str) -> Path:
        path = self.root / "content" / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
        return path

    def image(self, relpath: str) -> None:
        self.write(relpath, SVG)

    def remove(self, relpath: str) -> None:
        (self.root / "content" / relpath).unlink()

    def build(self, as_of: str) -> BuildResult:
        return build(Project(self.settings_file), parse_moment(as_of, "Europe/Berlin"))

    @property
    def output(self) -> Path:
        return self.root / "output"

    def files(self, *, members: bool) -> dict[str, bytes]:
        """Public files (members=False, everything outside members/) or the member area's files."""
        members_root = self.output / "members"
        files = {}
        for path in self.output.rglob("*"):
            if path.is_file() and path.is_relative_to(members_root) == members:
                files[path.relative_to(self.output).as_posix()] = path.read_bytes()
        return files


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "site")
