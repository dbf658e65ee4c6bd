"""The SEQUENCE of a seminar's calendar entry: the editor raises `sequence:` whenever start, end, time zone or
location change; the validation refuses a change that calendars would ignore.

Why an editor's field checked against git, rather than a number computed from git: the value travels with the
file (into every audience's run, a shallow CI clone, a copy outside git) and never goes down when history is
rewritten; the check only needs the history where it exists. Outside git, or for a file git does not know, there
is nothing to compare and nothing is refused.

Rule, for the working copy of each seminar against every committed version of its file (following renames):
its sequence must be at least every earlier version's, and greater than that of every earlier version whose
time or place differs. So a change, and a change back, each need a raise.
"""

from __future__ import annotations

import functools
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

from audiences.rules import parse_moment
from sitebuild.frontmatter import parse_source
from vorab.errors import ContentProblem, found
from vorab.history import read_history
from vorab.messages import _
from vorab.model import Registry

TIME_AND_PLACE = ("start", "end", "timezone", "location")


@functools.lru_cache(maxsize=4096)  # the committed versions come back at every validation of a live preview
def time_and_place(text: str, default_zone: str) -> tuple[Any, ...]:
    """What a calendar must be told about: start, end, zone, location — moments compared as instants, so
    rewriting `18:00` as `18:00:00` is no change."""
    source = parse_source(text, "")
    zone = source.value("timezone") or default_zone
    values: list[Any] = [zone, (source.value("location") or "").strip()]
    for name in ("start", "end"):
        raw = source.value(name) or ""
        try:
            values.append(parse_moment(raw, zone))
        except (ValueError, KeyError):
            values.append(raw)
    return tuple(values)


@functools.lru_cache(maxsize=4096)
def sequence_of(text: str) -> int:
    raw = parse_source(text, "").value("sequence") or "0"
    return int(raw) if raw.strip().lstrip("-").isdigit() else 0


def committed_versions(folder: Path, relpaths: list[str]) -> dict[str, list[str]]:
    """The texts of each file (relative to `folder`, e.g. content/) in every commit that changed it, following
    renames inside `folder`, oldest first: one `git log` (vorab.history) and one `git cat-file` for the versions
    not read before (a committed version never changes)."""
    history = read_history(folder, ["."], dirty=False)
    specs = {relpath: history.versions.get(relpath, []) for relpath in relpaths}
    place = str(folder.resolve())  # "./<path>" is relative to it
    wanted = [spec for relpath in relpaths for spec in specs[relpath] if (place, spec) not in _BLOBS]
    if wanted:
        blobs = subprocess.run(["git", "cat-file", "--batch"], cwd=folder,
                               input="\n".join(wanted).encode() + b"\n", capture_output=True, check=True).stdout
        at = 0
        for spec in wanted:  # "<sha> blob <size>\n<content>\n" per version, or "<spec> missing\n"
            end = blobs.index(b"\n", at)
            header, at = blobs[at:end], end + 1
            if header.endswith(b"missing"):
                _BLOBS[place, spec] = None
                continue
            size = int(header.rsplit(b" ", 1)[1])
            _BLOBS[place, spec] = blobs[at:at + size].decode("utf-8", errors="replace")
            at += size + 1
    return {relpath: [text for spec in specs[relpath] if (text := _BLOBS[place, spec]) is not None]
            for relpath in relpaths}


# (folder, "<commit>:./<path>") → that version's text (None: not in that commit)
_BLOBS: dict[tuple[str, str], str | None] = {}


def required_sequence(history: list[str], current: str, default_zone: str) -> int:
    """The least sequence `current` may have after the versions in `history` (oldest first)."""
    now = time_and_place(current, default_zone)
    need = 0
    for text in history:
        earlier = sequence_of(text)
        need = max(need, earlier + 1 if time_and_place(text, default_zone) != now else earlier)
    return need


def sequence_problems(registry: Registry, settings: dict[str, Any],
                      read: Callable[[Path], str]) -> list[ContentProblem]:
    """Every seminar's `sequence` must be high enough for calendars to take its current time and place
    (part of the validation every build and `invoke check` run). `read`: a file's current text."""
    problems = []
    zone = settings["TIMEZONE"]
    seminars = [item for item in registry.items if item.type.folder == "seminars"]
    if not seminars:
        return []
    histories = committed_versions(registry.content_dir, [item.relpath for item in seminars])
    for item in seminars:
        current = read(registry.content_dir / item.relpath)
        need = required_sequence(histories[item.relpath], current, zone)
        have = sequence_of(current)
        if have < need:
            line = item.source.line("sequence") if item.source.value("sequence") else item.source.line("start")
            problems.append(ContentProblem(
                item.path, line, "sequence",
                _("at least {need}: start, end, timezone or location differ from an earlier version, so calendars "
                  "that accepted it need a higher sequence").format(need=need), found(str(have))))
    return problems
