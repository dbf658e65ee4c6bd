"""A newsletter issue resolved against the registry: what it features, as its audience sees it at send_date.

An issue for audience A may feature only what A may see at its send_date (the one visibility rule). A members'
issue must reach members before the public: every featured item that has a `public_from` must still be
embargoed at send_date, by at least NEWSLETTER_MIN_HEAD_START days.

An issue whose send_date has passed is history (README, "Sent issues are history"): `auto` picks only what was
in the project when it went out (history.py), and what it featured that is gone since (expired, a draft
again, deleted) is left out with a warning instead of failing the build.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from audiences.rules import NEVER, head_start_days, is_visible, lead_days, seen_from
from vorab.errors import ContentProblem, found
from vorab.history import History
from vorab.messages import _, ngettext
from vorab.model import Item, Registry
from vorab.tiers import Tiers

FEATURE_FIELDS = {"products": "products", "seminars": "seminars", "faq": "faq"}  # field → content folder
FORBIDDEN_HTML = re.compile(r"<\s*(script|iframe|form)\b", re.IGNORECASE)
AUTO = "auto"


@dataclass
class Issue:
    item: Item
    featured: dict[str, list[Item]] = field(default_factory=dict)  # field → items, in the editor's order
    # item slug → days before public release (for a tier above members: before the tier below it sees it)
    head_start_days: dict[str, int] = field(default_factory=dict)

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


@dataclass
class Resolution:
    """What resolving the issues found: problems stop a build, warnings (a sent issue's lost items) do not."""

    issues: list[Issue] = field(default_factory=list)
    problems: list[ContentProblem] = field(default_factory=list)
    warnings: list[ContentProblem] = field(default_factory=list)


@dataclass(frozen=True)
class _Moment:
    """Where an issue stands at the build's clock, and what `auto` may pick for it."""

    sent: bool
    cutoff: datetime | None  # a sent issue: only what arrived by then (None: no history to tell)
    clock: datetime  # when files git does not know yet arrive


NO_HISTORY = History(known=False)


def resolve_issues(registry: Registry, min_head_start: timedelta, clock: datetime,
                   history: History = NO_HISTORY) -> Resolution:
    """Every non-draft issue, oldest first, with its featured items, as of `clock`."""
    newsletters = sorted((Issue(item) for item in registry.items
                          if item.type.folder == "newsletters" and not item.schedule.draft),
                         key=lambda issue: issue.send_date)
    resolved = Resolution()
    featured_before: set[str] = set()
    for issue in newsletters:
        item = issue.item
        _check_body(item, resolved.problems)
        moment = _moment_of(issue, clock, history, resolved.problems)
        for name, folder in FEATURE_FIELDS.items():
            issue.featured[name] = _select(issue, name, folder, registry, featured_before, moment, history,
                                           resolved)
            if issue.featured[name]:  # "auto" becomes the chosen slugs: the archive page shows what was sent
                item.values[name] = ", ".join(featured.slug for featured in issue.featured[name])
        if not registry.tiers.is_public(issue.audience):  # a sent issue's head start was checked before it went
            _check_head_start(issue, min_head_start, [] if moment.sent else resolved.problems,  # out
                              registry.tiers)
        featured_before |= {i.relpath for i in issue.featured["products"]}
        resolved.issues.append(issue)
    return resolved


def _moment_of(issue: Issue, clock: datetime, history: History, problems: list[ContentProblem]) -> _Moment:
    """A sent issue picks what arrived by its send_date — or by the issue's own arrival, if it was committed
    after it went out (an archive brought in later): what came later never joins it."""
    if issue.send_date > clock:
        return _Moment(sent=False, cutoff=None, clock=clock)
    uses_auto = [name for name in FEATURE_FIELDS if issue.value(name) == AUTO]
    if uses_auto and history.shallow:
        problems.append(_problem(
            issue.item, uses_auto[0], _("the project's whole git history, which tells what this sent issue featured "
                                        "(a full clone: fetch-depth: 0 for actions/checkout, or git fetch "
                                        "--unshallow)"), _("a shallow clone")))
    own = history.arrival(issue.item.path, clock)
    return _Moment(sent=True, cutoff=None if own is None else max(issue.send_date, own), clock=clock)


def _problem(item: Item, name: str, expected: str, found_value: str | None) -> ContentProblem:
    return ContentProblem(item.path, item.source.line(name), name, expected, found(found_value))


def _check_body(item: Item, problems: list[ContentProblem]) -> None:
    for offset, line in enumerate(item.source.body.splitlines()):
        if match := FORBIDDEN_HTML.search(line):
            problems.append(ContentProblem(item.path, item.source.body_line + offset, _("body"),
                                           _("Markdown without <script>, <iframe> or <form>"), found(match[0])))


def _select(issue: Issue, name: str, folder: str, registry: Registry, featured_before: set[str],
            moment: _Moment, history: History, resolved: Resolution) -> list[Item]:
    raw = issue.value(name)
    send = issue.send_date
    candidates = [item for item in registry.items if item.type.folder == folder]
    if not raw:
        return []
    if raw == AUTO:
        if moment.cutoff is not None:  # a sent issue: nothing that came later
            cutoff = moment.cutoff
            candidates = [i for i in candidates if (history.arrival(i.path, moment.clock) or cutoff) <= cutoff]
        if folder == "products":  # the members' previews at send_date that no earlier issue featured
            return [i for i in candidates if is_visible(i.schedule, registry.tiers.members, send, registry.tiers)
                    and not i.schedule.released(send, registry.tiers) and i.relpath not in featured_before
                    and is_visible(i.schedule, issue.audience, send, registry.tiers)]
        if folder == "seminars":  # upcoming at send_date
            return sorted((i for i in candidates if is_visible(i.schedule, issue.audience, send, registry.tiers)
                           and datetime.fromisoformat(i.values["start"]) > send),
                          key=lambda i: i.values["start"])
        resolved.problems.append(_problem(issue.item, name, _("a comma-separated list of slugs"), raw))
        return []
    by_slug = {item.slug: item for item in candidates}
    # What a sent issue featured and is gone since is history, not a mistake to fix: a warning.
    report = resolved.warnings if moment.sent else resolved.problems
    gone = " " + _("(the issue was sent: its archive page leaves out what is gone)") if moment.sent else ""
    selected = []
    for slug in (part.strip() for part in raw.split(",")):
        item = by_slug.get(slug)
        if item is None:
            close = difflib.get_close_matches(slug, by_slug, n=1)
            expected = _("slugs of {folder} (did you mean '{close}'?)") if close else _("slugs of {folder}")
            report.append(_problem(issue.item, name, expected.format(folder=f"content/{folder}/",
                                                                     close=close[0] if close else "") + gone, slug))
        elif not is_visible(item.schedule, issue.audience, send, registry.tiers):
            report.append(_problem(
                issue.item, name, _("{folder} that {audience} may see at send_date {moment}").format(
                    folder=folder, audience=issue.audience, moment=send.isoformat()) + gone, slug))
        else:
            selected.append(item)
    return selected


def _check_head_start(issue: Issue, minimum: timedelta, problems: list[ContentProblem], tiers: Tiers) -> None:
    """The product's promise: a members' issue reaches members before the public sees what it features; the
    issue of a higher tier reaches it before the tier below it sees what it features."""
    if tiers.rank(issue.audience) > 1:
        _check_lead(issue, minimum, problems, tiers)
        return
    send = issue.send_date
    for name, items in issue.featured.items():
        for item in items:
            public_from = item.schedule.public_from
            if public_from is None:
                continue
            if public_from <= send:
                problems.append(_problem(
                    issue.item, name, _("items not yet public at send_date {moment} (it is public since "
                                        "{public_from})").format(moment=send.isoformat(),
                                                                 public_from=public_from.isoformat()), item.slug))
            elif public_from - send < minimum:
                problems.append(_problem(
                    issue.item, name,
                    _("a head start of at least {minimum} before the public release (public_from {public_from} is "
                      "only {span} after send_date)").format(
                        minimum=_span(minimum), public_from=public_from.isoformat(), span=_span(public_from - send)),
                    item.slug))
            elif (days := head_start_days(item.schedule, send)) is not None:
                issue.head_start_days[item.slug] = days


def _check_lead(issue: Issue, minimum: timedelta, problems: list[ContentProblem], tiers: Tiers) -> None:
    """_check_head_start for a tier above members, against the tier below it."""
    send, lower = issue.send_date, tiers.below(issue.audience) or tiers.public
    for name, items in issue.featured.items():
        for item in items:
            theirs = seen_from(item.schedule, lower, tiers)
            if theirs == NEVER:
                continue
            if theirs is None or theirs <= send:
                problems.append(_problem(issue.item, name, _("items {lower} do not see yet at send_date {moment}")
                                         .format(lower=lower, moment=send.isoformat()), item.slug))
            elif theirs - send < minimum:
                problems.append(_problem(
                    issue.item, name, _("a head start of at least {minimum} before {lower} see it ({moment} is only "
                                        "{span} after send_date)").format(
                        minimum=_span(minimum), lower=lower, moment=theirs.isoformat(), span=_span(theirs - send)),
                    item.slug))
            elif (days := lead_days(item.schedule, issue.audience, send, tiers)) is not None:
                issue.head_start_days[item.slug] = days


def _span(span: timedelta) -> str:
    hours = span.total_seconds() / 3600
    if hours >= 24:
        return ngettext("{count:g} day", "{count:g} days", 1 if hours == 24 else 2).format(count=hours / 24)
    return ngettext("{count:g} hour", "{count:g} hours", 1 if hours == 1 else 2).format(count=hours)
