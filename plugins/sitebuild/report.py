"""The short summary every build prints: clock, items per audience, leak gate result, where the output is, and
the next scheduled transition (when the next build will show something new)."""

from __future__ import annotations

from audiences.transitions import next_transition
from vorab.messages import _

from .pipeline import BuildResult


def summary(result: BuildResult) -> str:
    audiences = ", ".join(f"{audience} {count}" for audience, count in result.items.items())
    gate = result.gate
    timings = ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in result.seconds.items())
    return "\n".join([
        _("Built at clock {clock}").format(clock=result.clock.isoformat(timespec="minutes")),
        "  " + _("items: {count} in content/; visible to {audiences}").format(count=result.total_items,
                                                                           audiences=audiences),
        "  " + _("leak gate: passed ({files} public files, {kib:.0f} KiB, {fingerprints} fingerprints of non-public "
                 "content, 0 hits)").format(files=gate.files, kib=gate.bytes / 1024, fingerprints=gate.fingerprints),
        "  " + _("output: {folders}").format(folders=_outputs(result)),
        "  " + _("next transition: {transition}").format(transition=_next_transition(result)),
        *(f"  {note}" for note in result.notes),
        "  " + _("time: {timings}").format(timings=timings),
    ])


def _outputs(result: BuildResult) -> str:
    """`output/ (public) and output/members/ (members)`, one folder per tier."""
    if result.registry is None:
        return f"{result.output}/"
    tiers = result.registry.tiers
    areas = ", ".join(f"{result.output}/{tiers.folder(tier)}/ ({tier})" for tier in tiers.member_tiers)
    return _("{public} and {areas}").format(public=f"{result.output}/ ({tiers.public})", areas=areas)


def _next_transition(result: BuildResult) -> str:
    coming = next_transition(result.registry, result.clock) if result.registry else None
    if coming is None:
        return _("none scheduled")
    return f"{coming.moment.isoformat(timespec='minutes')} {coming.shown}: {coming.path} ({coming.title})"
