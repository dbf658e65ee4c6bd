"""`invoke schedule`: the release calendar (audiences/transitions.py) as a table or JSON, with warnings for what an
editor most likely did not mean. The table and the warnings are in the language of messages; the JSON's `what`
stays English, for the programs that read it."""

from __future__ import annotations

import json
from datetime import datetime

from audiences.transitions import Transition, next_transition, transitions
from vorab.messages import _, ngettext

__all__ = ["Transition", "as_json", "as_table", "next_transition", "transitions", "warnings"]


def warnings(coming: list[Transition]) -> list[str]:
    """What an editor most likely did not mean."""
    return [_("{path}: members see it from {moment}, but it will never be public (no public_from, or public_from "
              "not before expires)").format(path=t.path, moment=t.moment.isoformat(timespec="minutes"))
            for t in coming if t.never_public]


def as_json(coming: list[Transition], start: datetime, end: datetime) -> str:
    rows = [{"moment": t.moment.isoformat(), "what": t.what, "path": t.path, "title": t.title,
             "head_start_days": t.head_start_days, "never_public": t.never_public} for t in coming]
    return json.dumps({"from": start.isoformat(), "until": end.isoformat(), "transitions": rows,
                       "warnings": warnings(coming)}, ensure_ascii=False, indent=2)


def as_table(coming: list[Transition]) -> str:
    """One line per transition: moment, what, path, title, and the members' head start."""
    lines = []
    width = max((len(t.shown) for t in coming), default=0)
    for t in coming:
        head_start = " " + _("(never public)") if t.never_public else ""
        if t.head_start_days is not None:
            head_start = " " + ngettext("(members' head start: {count} day)", "(members' head start: {count} days)",
                                        t.head_start_days).format(count=t.head_start_days)
        lines.append(f"{t.moment.isoformat(timespec='minutes')}  {t.shown:<{width}}  {t.path}  {t.title}{head_start}")
    return "\n".join(lines) if lines else _("No transitions in this period.")
