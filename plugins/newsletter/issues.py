"""A newsletter issue resolved against the registry: what it features, as its audience sees it at send_date.

An issue for audience A may feature only what A may see at its send_date (the one visibility rule). A members'
issue must reach members before the public: every featured item that has a `public_from` must still be
embargoed at send_date, by at least NEWSLETTER_MIN_HEAD_START days.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from audiences.rules import head_start_days, is_visible
from vorab.errors import ContentErrors, ContentProblem, found
from vorab.model import Item, Registry

FEATURE_FIELDS = {"products": "products", "seminars": "seminars", "faq": "faq"}  # field → content folder
FORBIDDEN_HTML = re.compile(r"<\s*(script|iframe|form)\b", re.IGNORECASE)
AUTO = "auto"


@dataclass
class Issue:
    item: Item
    featured: dict[str, list[Item]] = field(default_factory=dict)  # field → items, in the editor's order
    head_start_days: dict[str, int] = field(default_factory=dict)  # item slug → days before public release

    @property
    def slug(self) -> str:
        return self.item.slug

    @property
    def audience(self) -> str:
        return self.item.schedule.audience

    @property
    def send_date(self) -> datetime:
        sent = self.item.schedule.members_from  # the registry sets it from send_date, a required field
        if sent is None:
            raise ValueError(f"{self.item.path}: a newsletter without send_date")
        return sent

    def value(self, name: str, default: str = "") -> str:
        return self.item.values.get(name, default)


def resolve_issues(registry: Registry, min_head_start: timedelta) -> list[Issue]:
    """Every non-draft issue, oldest first, with its featured items; raise ContentErrors with every problem."""
    newsletters = sorted((Issue(item) for item in registry.items
                          if item.type.folder == "newsletters" and not item.schedule.draft),
                         key=lambda issue: issue.send_date)
    problems: list[ContentProblem] = []
    issues: list[Issue] = []
    featured_before: set[str] = set()
    for issue in newsletters:
        item = issue.item
        _check_body(item, problems)
        for name, folder in FEATURE_FIELDS.items():
            issue.featured[name] = _select(issue, name, folder, registry, featured_before, problems)
            if issue.featured[name]:  # "auto" becomes the chosen slugs: the archive page shows what was sent
                item.values[name] = ", ".join(featured.slug for featured in issue.featured[name])
        if not registry.tiers.is_public(issue.audience):
            _check_head_start(issue, min_head_start, problems)
        featured_before |= {i.relpath for i in issue.featured["products"]}
        issues.append(issue)
    if problems:
        raise ContentErrors(problems)
    return issues


def _problem(item: Item, name: str, expected: str, found_value: str | None) -> ContentProblem:
    return ContentProblem(item.path, item.source.line(name), name, expected, found(found_value))


def _check_body(item: Item, problems: list[ContentProblem]) -> None:
    for offset, line in enumerate(item.source.body.splitlines()):
        if match := FORBIDDEN_HTML.search(line):
            problems.append(ContentProblem(item.path, item.source.body_line + offset, "body",
                                           "Markdown without <script>, <iframe> or <form>", found(match[0])))


def _select(issue: Issue, name: str, folder: str, registry: Registry, featured_before: set[str],
            problems: list[ContentProblem]) -> list[Item]:
    raw = issue.value(name)
    send = issue.send_date
    candidates = [item for item in registry.items if item.type.folder == folder]
    if not raw:
        return []
    if raw == AUTO:
        if folder == "products":  # the members' previews at send_date that no earlier issue featured
            return [i for i in candidates if is_visible(i.schedule, registry.tiers.members, send, registry.tiers)
                    and not i.schedule.released(send, registry.tiers) and i.relpath not in featured_before
                    and is_visible(i.schedule, issue.audience, send, registry.tiers)]
        if folder == "seminars":  # upcoming at send_date
            return sorted((i for i in candidates if is_visible(i.schedule, issue.audience, send, registry.tiers)
                           and datetime.fromisoformat(i.values["start"]) > send),
                          key=lambda i: i.values["start"])
        problems.append(_problem(issue.item, name, "a comma-separated list of slugs", raw))
        return []
    by_slug = {item.slug: item for item in candidates}
    selected = []
    for slug in (part.strip() for part in raw.split(",")):
        item = by_slug.get(slug)
        if item is None:
            close = difflib.get_close_matches(slug, by_slug, n=1)
            hint = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(_problem(issue.item, name, f"slugs of content/{folder}/{hint}", slug))
        elif not is_visible(item.schedule, issue.audience, send, registry.tiers):
            problems.append(_problem(
                issue.item, name,
                f"{folder} that {issue.audience} may see at send_date {send.isoformat()}", slug))
        else:
            selected.append(item)
    return selected


def _check_head_start(issue: Issue, minimum: timedelta, problems: list[ContentProblem]) -> None:
    """The product's promise: a members' issue reaches members before the public sees what it features."""
    send = issue.send_date
    for name, items in issue.featured.items():
        for item in items:
            public_from = item.schedule.public_from
            if public_from is None:
                continue
            if public_from <= send:
                problems.append(_problem(
                    issue.item, name,
                    f"items not yet public at send_date {send.isoformat()} "
                    f"(it is public since {public_from.isoformat()})", item.slug))
            elif public_from - send < minimum:
                problems.append(_problem(
                    issue.item, name,
                    f"a head start of at least {_span(minimum)} before the public release "
                    f"(public_from {public_from.isoformat()} is only {_span(public_from - send)} after send_date)",
                    item.slug))
            elif (days := head_start_days(item.schedule, send)) is not None:
                issue.head_start_days[item.slug] = days


def _span(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    value, unit = (hours / 24, "day") if hours >= 24 else (hours, "hour")
    return f"{value:g} {unit}{'' if value == 1 else 's'}"
