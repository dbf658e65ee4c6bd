"""Writing a site into the tree it replaced the time before (docs/architecture.md §3).

A build does not start from an empty folder: it updates the spare tree that the previous swap left in
`.staging/`. Files whose bytes are unchanged are not rewritten (creating files is the slow part of a build on
most disks), and every file the run produces is remembered, so that the build can delete everything it did not
produce: no stale page survives, and the leak gate scans whatever is left.

Pelican's pages and feeds go through `OutputWriter`; plugins that write files of their own call `write_output`;
static files are recorded from the static generator.
"""

from __future__ import annotations

import filecmp
import fnmatch
import hashlib
import io
import os
from pathlib import Path
from typing import Any

from pelican import signals
from pelican.writers import FileOverwriteFailedError, Writer

from vorab.errors import TemplateFailed

produced: set[str] = set()  # absolute paths of the files this process's run produced
# When set, files are kept here (absolute path → bytes) instead of written: the live preview's re-renders,
# which are gated before they replace anything.
diverted: dict[str, bytes] | None = None
# When set, the digest of what each file (absolute path) last held: the live preview's runs divert only the files
# whose bytes differ from what they wrote before (after an edit, most of what a plugin writes again is the same).
digests: dict[str, bytes] | None = None


def write_output(path: Path | str, data: bytes | str) -> None:
    """Write `data` to `path` unless the file already holds exactly these bytes; remember it as produced."""
    path = Path(path)
    content = data.encode("utf-8") if isinstance(data, str) else data
    produced.add(str(path))
    if digests is not None:
        digest = hashlib.blake2b(content, digest_size=16).digest()
        if diverted is not None and digests.get(str(path)) == digest:
            return
        digests[str(path)] = digest
    if diverted is not None:
        diverted[str(path)] = content
        return
    try:
        if path.stat().st_size == len(content) and path.read_bytes() == content:
            return
    except FileNotFoundError:
        path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(content)


class _Buffer(io.StringIO):
    """What Pelican writes a page into; handed to `write_output` when Pelican closes it."""

    def __init__(self, path: str, encoding: str) -> None:
        super().__init__()
        self.path, self.encoding_name = path, encoding

    def close(self) -> None:
        if not self.closed:
            write_output(self.path, self.getvalue().encode(self.encoding_name))
        super().close()


class OutputWriter(Writer):
    """Pelican's writer, keeping its guard against two pages written to one path, but writing through
    `write_output`, and telling where a template failed: its file and line, and the page it was rendering."""

    def write_file(self, name: str, template: Any, context: dict[str, Any], *args: Any, **kwargs: Any) -> Any:
        try:
            return super().write_file(name, template, context, *args, **kwargs)
        except Exception as error:
            source = next((getattr(kwargs[key], "relative_source_path", None) for key in ("item", "page", "article")
                           if key in kwargs), None)
            raise TemplateFailed(error, name, source) from error

    def _open_w(self, filename: str, encoding: str, override: bool = False) -> Any:
        if filename in self._overridden_files:
            if override:
                raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" a second time '
                                               "(was previously overwritten)")
            return open(os.devnull, "w", encoding=encoding)
        if filename in self._written_files and not override:
            raise FileOverwriteFailedError(f'Failed to overwrite "{filename}" as Pelican has already written '
                                           "to it previously (set `override=True` if intended)")
        if override:
            self._overridden_files.add(filename)
        self._written_files.add(filename)
        return _Buffer(filename, encoding)


def record_static_files(generator: Any) -> None:
    """The content's static files and the theme's (which Pelican copies into THEME_STATIC_DIR) are produced too.

    Pelican copies a static file only if the copy is missing or older than its source (STATIC_CHECK_IF_MODIFIED,
    which the build sets); a copy whose bytes differ is removed first, so that a file replaced by an older one
    is copied too, and one with the same bytes gets its source's time."""
    output = Path(generator.output_path)
    for static in generator.staticfiles:
        copy = output / static.save_as
        produced.add(str(copy))
        try:
            copied, source = copy.stat(), os.stat(os.path.join(generator.path, static.source_path))
        except FileNotFoundError:
            continue
        if copied.st_mtime_ns == source.st_mtime_ns and copied.st_size == source.st_size:
            continue
        # Pelican's copy takes the time of copying: a copy with the same bytes takes its source's time instead,
        # so that neither Pelican nor the next build copies it again.
        if copied.st_size == source.st_size and filecmp.cmp(copy, os.path.join(generator.path, static.source_path),
                                                            shallow=False):
            os.utime(copy, ns=(copied.st_atime_ns, source.st_mtime_ns))
        else:
            copy.unlink()
    settings = generator.settings
    ignores = settings["IGNORE_FILES"]
    target = output / settings["THEME_STATIC_DIR"]
    for name in settings["THEME_STATIC_PATHS"]:
        source = Path(generator.theme) / name
        if source.is_file():
            produced.add(str(target / source.name))
        for folder, subfolders, files in os.walk(source):
            subfolders[:] = [d for d in subfolders if not any(fnmatch.fnmatch(d, i) for i in ignores)]
            relative = Path(folder).relative_to(source)
            produced.update(str(target / relative / f) for f in files
                            if not any(fnmatch.fnmatch(f, i) for i in ignores))


def writer_class(pelican: Any) -> type[Writer]:
    return OutputWriter


def register() -> None:
    signals.get_writer.connect(writer_class)
    signals.static_generator_finalized.connect(record_static_files)
