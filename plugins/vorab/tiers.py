"""The audiences of a site as a value: tiers, lowest first — the public, then each member tier.

`AUDIENCE_TIERS = ("public", "members")` in the settings; a further tier (e.g. "gold") is one more name there.
Each tier above the public has its site in a folder of output/ (`<TIER>_PATH`, default the tier's name) and a
label for its readers on pages (`<TIER>_LABEL`, defaults in DEFAULT_LABELS); a dash in a tier's name is an
underscore in its settings (`TOP_KUNDEN_PATH`).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

DEFAULT_TIERS: tuple[str, ...] = ("public", "members")
# What pages call a tier's readers (`<TIER>_LABEL` overrides it): "Sie sehen es 3 Wochen vor allen Kunden".
DEFAULT_LABELS = {"public": "Öffentlichkeit", "members": "Kunden", "gold": "Top-Kunden"}


def setting_of(tier: str, what: str) -> str:
    """The name of a tier's setting: `GOLD_PATH`; `TOP_KUNDEN_LABEL` for the tier `top-kunden` (a Python name)."""
    return f"{tier.upper().replace('-', '_')}_{what}"


@dataclass(frozen=True)
class Tiers:
    """The tiers, lowest first, and the folder of each tier's site inside output/ ('' for the public)."""

    names: tuple[str, ...] = DEFAULT_TIERS
    folders: tuple[str, ...] = ("", "members")
    # What pages call each tier's readers (empty: DEFAULT_LABELS, else the name); words, not identity.
    labels: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        if len(self.names) < 2 or len(set(self.names)) != len(self.names) or len(self.folders) != len(self.names) \
                or len(self.labels) not in (0, len(self.names)):
            raise ValueError(f"expected the public and at least one member tier, each once, found {self.names!r}")

    @classmethod
    def from_settings(cls, settings: Mapping[str, Any]) -> Tiers:
        names = tuple(settings.get("AUDIENCE_TIERS", DEFAULT_TIERS))
        return cls(names, ("", *(str(settings.get(setting_of(name, "PATH"), name)) for name in names[1:])),
                   tuple(str(settings.get(setting_of(name, "LABEL"), DEFAULT_LABELS.get(name, name)))
                         for name in names))

    @property
    def public(self) -> str:
        return self.names[0]

    @property
    def members(self) -> str:
        """The first tier above the public (the member area)."""
        return self.names[1]

    @property
    def member_tiers(self) -> tuple[str, ...]:
        """Every tier above the public."""
        return self.names[1:]

    def rank(self, tier: str) -> int:
        """0 for the public, 1 for members, …; ValueError for a name that is no tier."""
        if tier not in self.names:
            raise ValueError(f"unknown audience {tier!r}; expected one of {', '.join(self.names)}")
        return self.names.index(tier)

    def above(self, tier: str) -> tuple[str, ...]:
        """The tiers higher than `tier`."""
        return self.names[self.rank(tier) + 1:]

    def at_least(self, tier: str) -> tuple[str, ...]:
        """`tier` and every tier above it: who sees what `tier` sees."""
        return self.names[self.rank(tier):]

    def folder(self, tier: str) -> str:
        """The folder of a tier's site inside output/: '' for the public, e.g. 'members' for members."""
        return self.folders[self.rank(tier)]

    def label(self, tier: str) -> str:
        """What pages call the readers of a tier: "Kunden", "Top-Kunden"."""
        rank = self.rank(tier)
        return self.labels[rank] if self.labels else DEFAULT_LABELS.get(tier, tier)

    def below(self, tier: str) -> str | None:
        """The next lower tier (None for the public)."""
        rank = self.rank(tier)
        return self.names[rank - 1] if rank else None

    def is_public(self, tier: str) -> bool:
        return tier == self.public

    def __iter__(self) -> Iterator[str]:
        return iter(self.names)

    def __len__(self) -> int:
        return len(self.names)

    def __contains__(self, tier: object) -> bool:
        return tier in self.names

    def __str__(self) -> str:
        return ", ".join(self.names)
