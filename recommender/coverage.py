"""How well a catalogue covers what pairs need: counts against minimums.

The minimums are those the bundled catalogue is held to; ``closer catalog
stats`` prints them for any catalogue and marks the cells that fall short.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .schema import Activity, Energy, IntimacyType, Practice, Relationship, Setting

__all__ = ["CoverageRow", "coverage"]


@dataclass(frozen=True)
class CoverageRow:
    """One line of a coverage table: what is counted, how many, and the minimum."""

    what: str
    count: int
    minimum: int

    @property
    def met(self) -> bool:
        """True when ``count`` reaches ``minimum``."""
        return self.count >= self.minimum


_RELATIONSHIP_MINIMUM = {
    Relationship.romantic: 100,
    Relationship.friends: 100,
    Relationship.family: 100,
    Relationship.colleagues: 70,
}


def coverage(activities: Iterable[Activity]) -> list[CoverageRow]:
    """Count a catalogue's coverage of types, relationships, depths, practices and more.

    Examples
    --------
    >>> from recommender import default_catalog
    >>> rows = {r.what: r for r in coverage(default_catalog())}
    >>> rows["activities in all"].met
    True
    """
    items = list(activities)
    strongest = Counter(a.strongest_type for a in items)
    rels = Counter(r for a in items for r in a.relationships)
    cells = Counter((a.strongest_type, r) for a in items for r in a.relationships)
    depths = Counter(a.depth for a in items)
    practices = Counter(a.practice for a in items)
    energies = Counter(a.energy for a in items)
    settings = Counter(a.setting for a in items)
    conversation = [a for a in items if a.practice is Practice.conversation]
    prompts = {p.strip().lower() for a in items for p in a.prompts}

    rows = [CoverageRow("activities in all", len(items), 320)]
    rows += [CoverageRow(f"strongest type {t.value}", strongest[t], 45) for t in IntimacyType]
    rows += [CoverageRow(f"suits {r.value}", rels[r], m) for r, m in _RELATIONSHIP_MINIMUM.items()]
    rows += [
        CoverageRow(f"{t.value} x {r.value}", cells[(t, r)], 6)
        for t in IntimacyType
        for r in Relationship
    ]
    rows += [CoverageRow(f"depth {d}", depths[d], 30) for d in range(1, 6)]
    rows += [CoverageRow(f"practice {p.value}", practices[p], 15) for p in Practice]
    rows += [
        CoverageRow(
            "conversation items with 3+ prompts", sum(len(a.prompts) >= 3 for a in conversation), 60
        ),
        CoverageRow("distinct prompts", len(prompts), 300),
        CoverageRow("remote", sum(a.remote for a in items), 70),
        CoverageRow("free (cost 0)", sum(a.cost == 0 for a in items), 120),
        CoverageRow("accessible", sum(a.accessible for a in items), 150),
    ]
    rows += [CoverageRow(f"energy {e.value}", energies[e], 50) for e in Energy]
    rows += [
        CoverageRow(f"setting {s.value}", settings[s], 80)
        for s in (Setting.indoor, Setting.outdoor)
    ]
    rows.append(CoverageRow("novelty 3 (new and exciting)", sum(a.novelty == 3 for a in items), 60))
    return rows
