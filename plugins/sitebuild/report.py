"""The short summary every build prints: clock, items per audience, leak gate result, where the output is, and
the next scheduled transition (when the next build will show something new)."""

from __future__ import annotations

from audiences.transitions import next_transition

from .pipeline import BuildResult


def summary(result: BuildResult) -> str:
    audiences = ", ".join(f"{audience} {count}" for audience, count in result.items.items())
    gate = result.gate
    timings = ", ".join(f"{stage} {seconds:.2f} s" for stage, seconds in result.seconds.items())
    return "\n".join([
        f"Built at clock {result.clock.isoformat(timespec='minutes')}",
        f"  items: {result.total_items} in content/; visible to {audiences}",
        f"  leak gate: passed ({gate.files} public files, {gate.bytes / 1024:.0f} KiB, "
        f"{gate.fingerprints} fingerprints of non-public content, 0 hits)",
        f"  output: {_outputs(result)}",
        f"  next transition: {_next_transition(result)}",
        *(f"  {note}" for note in result.notes),
        f"  time: {timings}",
    ])


def _outputs(result: BuildResult) -> str:
    """`output/ (public) and output/members/ (members)`, one folder per tier."""
    if result.registry is None:
        return f"{result.output}/"
    tiers = result.registry.tiers
    areas = ", ".join(f"{result.output}/{tiers.folder(tier)}/ ({tier})" for tier in tiers.member_tiers)
    return f"{result.output}/ ({tiers.public}) and {areas}"


def _next_transition(result: BuildResult) -> str:
    coming = next_transition(result.registry, result.clock) if result.registry else None
    if coming is None:
        return "none scheduled"
    return f"{coming.moment.isoformat(timespec='minutes')} {coming.what}: {coming.path} ({coming.title})"
