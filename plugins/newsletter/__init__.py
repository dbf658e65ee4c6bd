"""Newsletters: one Markdown file per issue in newsletters/ becomes responsive, inlined HTML e-mails with a
plain-text part, packaged for Mailchimp, Brevo, SendGrid, listmonk, Mautic and Klaviyo (docs/architecture.md).

Each issue is also a page of its audience's site (the archive, plugins/catalog). This capability validates
the issues (what they feature, their head start) with every check, and its build step packages every issue
into dist/newsletters/<slug>/.
"""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from audiences.rules import is_visible
from leakgate import Fingerprint
from outputs import write_output
from vorab import hooks, unlisted
from vorab.context import BuildContext, PublicFolder, Slot, Validation
from vorab.errors import BuildFailed
from vorab.history import read_history
from vorab.messages import N_, _, ngettext
from vorab.options import OptionError
from vorab.unlisted import KEY_FILE, load_key

from .issues import AUTO, FEATURE_FIELDS, NO_HISTORY, Issue, resolve_issues
from .settings import NEWSLETTER_OPTIONS

DIST_FOLDER = "newsletters"
ISSUES: Slot[list[Issue]] = Slot("newsletter issues")  # resolved once by the validation, packaged by the step


def check_newsletters(validation: Validation) -> None:
    """Validator: every issue features only what its audience may see at its send date, with the head start;
    a sent issue keeps what it featured (issues.py)."""
    if validation.registry is None:
        return
    try:
        option = NEWSLETTER_OPTIONS["NEWSLETTER_MIN_HEAD_START"]
        days = option.validate(validation.settings["NEWSLETTER_MIN_HEAD_START"])
    except OptionError:
        return  # reported with the settings
    content = Path(validation.settings["PATH"])
    folders = [validation.settings["NEWSLETTER_PATH"], *(f"{content.name}/{f}" for f in FEATURE_FIELDS.values())]
    history = read_history(content.parent, folders) if _sent_auto_issues(validation) else NO_HISTORY
    resolved = resolve_issues(validation.registry, timedelta(days=float(days)), validation.clock, history)
    validation.problems += resolved.problems
    validation.warnings += resolved.warnings
    validation.results.put(ISSUES, resolved.issues)


def _sent_auto_issues(validation: Validation) -> bool:
    """Whether any sent issue picks `auto`: only then does git's history matter (and cost a `git log`)."""
    clock = validation.clock
    return any(item.type.folder == "newsletters" and (item.schedule.members_from or clock) <= clock
               and AUTO in (item.values.get(name) for name in FEATURE_FIELDS) for item in validation.items.items)


def package_newsletters(context: BuildContext) -> None:
    """Build step: render and package every issue (resolved by the validation); any problem fails the build."""
    from .package import write_package  # imported here: `invoke check` needs only .issues, and quickly
    from .render import Renderer, skeleton

    settings = context.settings
    issues = context.results.get(ISSUES, [])
    key = load_key(context.private, os.environ)
    if key.new:  # kept in private/ only if the build succeeds
        context.private_files[KEY_FILE] = key.file_text().encode()
    context.fingerprints.append(Fingerprint(f" {key.secret.hex()} ", "key", key.source, "the unlisted key",
                                            identity=True))
    renderer = Renderer(settings, context.registry, key)
    target = context.dist / DIST_FOLDER
    target.mkdir()
    public = context.tiers.public
    for issue in issues:
        rendered = renderer.render(issue)
        for name, image in rendered.images.items():  # where mail clients fetch them, without a login
            path = context.site / rendered.folder.path / name
            write_output(path, image.data)
            context.produced.add(str(path))
        context.unlisted.append(rendered.folder)
        site = renderer.site_url(issue.audience)
        if issue.send_date <= context.clock:  # sent: history; what went out cannot be fixed, so only noted
            _check_links(issue, rendered.links, site, context)
        else:  # not yet sent: they must work when it goes out (its items may not be online yet)
            _check_links_at_send_date(issue, rendered.links, site, renderer.urls_by_source, context)
        write_package(issue, rendered, settings, target / issue.slug, context.clock)
        if issue.audience == public:  # the leak gate reads it as the public will, from its send date on
            context.public_dist.append(PublicFolder(f"{DIST_FOLDER}/{issue.slug}", issue.send_date))
    context.label_texts.append(skeleton())  # what MJML and premailer add to every e-mail
    context.notes.append(ngettext("newsletters: {count} issue packaged into {folder}",
                                  "newsletters: {count} issues packaged into {folder}", len(issues)).format(
        count=len(issues), folder=f"dist/{DIST_FOLDER}/"))


def _check_links_at_send_date(issue: Issue, links: list[str], site: str, urls: dict[str, str],
                              context: BuildContext) -> None:
    """Every link into our site that names an item must name one the issue's audience may see at send_date; any
    other link (a listing, the home page) must name a page of the build."""
    by_url = {url: relpath for relpath, url in urls.items()}
    items = {item.relpath: item for item in context.registry.items}
    root = context.audience_root(issue.audience)
    missing = []
    for link in dict.fromkeys(links):
        path = urlsplit(link).path.removeprefix(urlsplit(site).path).lstrip("/")
        item = items.get(by_url.get(path, ""))
        if item is not None:
            if not is_visible(item.schedule, issue.audience, issue.send_date, context.registry.tiers):
                missing.append(link)
        elif not (root / path / "index.html" if path.endswith("/") or not path else root / path).is_file():
            missing.append(link)
    if missing:
        lines = ["  " + _("{path}: link: expected a page the {audience} may see at send_date {moment}, found "
                          "{found}").format(path=issue.item.path, audience=issue.audience,
                                            moment=issue.send_date.isoformat(), found=repr(link)) for link in missing]
        raise BuildFailed("\n".join([_("Newsletter links that will go nowhere; nothing was published:"), *lines]))


def _check_links(issue: Issue, links: list[str], site: str, context: BuildContext) -> None:
    """A sent issue's links into our site that no longer resolve (an item expired since) become warnings."""
    root = context.audience_root(issue.audience)
    for link in dict.fromkeys(links):
        path = urlsplit(link).path.removeprefix(urlsplit(site).path).lstrip("/")
        file = root / path / "index.html" if path.endswith("/") or not path else root / path
        if not file.is_file():
            context.notes.append(_("warning: {path}: link: expected a page of the {audience} site, found {found} "
                                   "(the issue was sent; the link in it goes nowhere now)").format(
                path=issue.item.path, audience=issue.audience, found=repr(link)))


def register() -> None:
    hooks.options(NEWSLETTER_OPTIONS)
    hooks.site_folder(unlisted.FOLDER,
                      N_("the images of newsletter issues, at unguessable paths (vorab/unlisted.py)"))
    hooks.validating.connect(check_newsletters)
    hooks.building.connect(package_newsletters)


__all__ = ["DIST_FOLDER", "ISSUES", "check_newsletters", "package_newsletters", "register"]
