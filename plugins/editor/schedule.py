"""`invoke schedule`: the release calendar (audiences/transitions.py) as a table or JSON, with warnings for what an
editor most likely did not mean."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime

from audiences.transitions import Transition, next_transition, transitions

__all__ = ["Transition", "as_json", "as_table", "next_transition", "transitions", "warnings"]


def warnings(coming: list[Transition]) -> list[str]:
    """What an editor most likely did not mean."""
    return [f"{t.path}: members see it from {t.moment.isoformat(timespec='minutes')}, but it will never be public "
            f"(no public_from, or public_from not before expires)" for t in coming if t.never_public]


def as_json(coming: list[Transition], start: datetime, end: datetime) -> str:
    rows = [{**asdict(t), "moment": t.moment.isoformat()} for t in coming]
    return json.dumps({"from": start.isoformat(), "until": end.isoformat(), "transitions": rows,
                       "warnings": warnings(coming)}, ensure_ascii=False, indent=2)


def as_table(coming: list[Transition]) -> str:
    """One line per transition: moment, what, path, title, and the members' head start."""
    lines = []
    for t in coming:
        head_start = " (never public)" if t.never_public else ""
        if t.head_start_days is not None:
            head_start = f" (members' head start: {t.head_start_days} day{'s' if t.head_start_days != 1 else ''})"
        lines.append(f"{t.moment.isoformat(timespec='minutes')}  {t.what:<28} {t.path}  {t.title}{head_start}")
    return "\n".join(lines) if lines else "No transitions in this period."
