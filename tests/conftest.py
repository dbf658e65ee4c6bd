"""Fixtures: real Vorab builds of small sites in temporary directories, with the real theme and plugins."""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

from audiences.rules import parse_moment
from sitebuild import BuildResult, Project, build
from vorab import messages

ROOT = Path(__file__).resolve().parents[1]
HOST_URL = "https://www.example.com"  # the site of GATE_SERVER_NAME's default, for members-sync
THEME = ROOT / "themes" / "member-area"
SVG = '<svg xmlns="http://www.w3.org/2000/svg" width="4" height="3" viewBox="0 0 4 3"><rect width="4" height="3"/>' \
      "</svg>"


def needs_program(program: str, package: str) -> None:
    """Skip locally when a system program is missing; fail in CI, where a skipped check is a missing check."""
    if shutil.which(program):
        return
    message = f"needs {program!r}: apt-get install {package}"
    if os.environ.get("CI") == "true":
        pytest.fail(message)
    pytest.skip(message)


def needs_node_module(module: str) -> None:
    """Skip locally when the npm test tools are not installed; fail in CI, which installs them (.ci/run)."""
    needs_program("node", "nodejs")
    if (ROOT / "node_modules" / module / "package.json").is_file():
        return
    message = f"needs the npm module {module!r}: npm ci (package-lock.json)"
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
        shutil.copy(ROOT / ".gitignore", root / ".gitignore")  # as in a real project: private/ never into git
        self.settings_file = root / "pelicanconf.py"
        self.use_theme(theme)

    def use_theme(self, theme: Path) -> None:
        self.settings_file.write_text(
            f"from pathlib import Path\n"
            f"exec(Path({str(ROOT / 'pelicanconf.py')!r}).read_text(encoding='utf-8'))\n"
            f"THEME = {str(theme)!r}\n"
            f"PLUGIN_PATHS = [{str(ROOT / 'plugins')!r}]\n"
            # the sample's contact persons are not in test sites (one line: tests count the lines of this file)
            "FAQ_DEFAULT_CONTACT = GATE_ACCESS_CONTACT = None\n",
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


@pytest.fixture(autouse=True)
def messages_as_editors_read_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts in the default language of messages (German), whatever the shell running the tests sets
    and whatever an earlier test's project chose (vorab/messages.py)."""
    monkeypatch.delenv(messages.VARIABLE, raising=False)
    monkeypatch.setattr(messages, "_setting", None)


@pytest.fixture
def english_messages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Messages in English, the code's own strings: for tests about what a message says rather than its
    language (`pytestmark = pytest.mark.usefixtures("english_messages")`)."""
    monkeypatch.setenv(messages.VARIABLE, "en")


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "site")


# The sample's pictures as plugins/pictures makes them, kept for every test that builds the sample (and for the
# next session): its cache is keyed by the images' bytes, the widths, the formats and the processing's version.
SAMPLE_PICTURES = Path(tempfile.gettempdir()) / f"vorab-test-sample-pictures-{os.getuid()}"


def _share_pictures(source: Path, target: Path) -> None:
    """Hard-link every cached picture of `source` that `target` lacks into `target`."""
    target.mkdir(parents=True, exist_ok=True)
    for path in source.glob("*-*x*.*"):
        if path.is_file() and not path.name.endswith(".partial") and not (target / path.name).exists():
            try:
                os.link(path, target / path.name)
            except OSError:
                shutil.copy2(path, target / path.name)


def build_sample(root: Path, clock: str, **options: object) -> BuildResult:
    """The bundled sample, built at `clock` into `root` (output/, dist/ and the caches): never into the checkout.
    Its pictures come from SAMPLE_PICTURES where they were made before (not the subject of these builds)."""
    overrides = {"CACHE_PATH": str(root / "cache"), "PRIVATE_PATH": str(root / "private")}
    _share_pictures(SAMPLE_PICTURES, root / "cache" / "pictures")
    try:
        return build(Project(ROOT / "pelicanconf.py"), parse_moment(clock, "Europe/Berlin"), output=root / "output",
                     dist=root / "dist", overrides=overrides, **options)  # type: ignore[arg-type]
    finally:
        _share_pictures(root / "cache" / "pictures", SAMPLE_PICTURES)


IGNORED = {".git", ".venv", "node_modules", "__pycache__", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def _checkout() -> dict[str, tuple[int, int]]:
    """Every file of the checkout outside .git, .venv and Python's caches: (size, modification time)."""
    found = {}
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in IGNORED]
        for name in files:
            stat = os.stat(os.path.join(folder, name))
            found[os.path.relpath(os.path.join(folder, name), ROOT)] = (stat.st_size, stat.st_mtime_ns)
    return found


@pytest.fixture(scope="session", autouse=True)
def checkout_untouched() -> Iterator[None]:
    """No test writes into the checkout (its builds go to temporary folders): fails the session otherwise."""
    before = _checkout()
    yield
    after = _checkout()
    changed = sorted(name for name in before.keys() | after.keys() if before.get(name) != after.get(name))
    assert changed == [], f"tests wrote into the checkout: {changed[:20]}"
