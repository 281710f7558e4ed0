"""How well a catalogue covers what pairs need: counts against minimums and targets.

The minimums are those the bundled catalogue is held to; ``closer catalog
stats`` prints them for any catalogue and marks the cells that fall short. A
few rows also carry a *target*: where the content review (issue 16) wants the
bundled catalogue to be once its new items land (520 activities, 700 prompts,
100 depth-1 prompts, 40% of prompts about the pair or the other person). A
target is reported, not enforced.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from .schema import Activity, Energy, IntimacyType, Practice, Relationship, Setting

__all__ = ["CoverageRow", "about_the_pair", "coverage"]


@dataclass(frozen=True)
class CoverageRow:
    """One line of a coverage table: what is counted, how many, and the bounds.

    ``maximum`` is set for counts that must stay low (restated ideas);
    ``target`` is where the bundled catalogue is heading, shown but not enforced.
    """

    what: str
    count: int
    minimum: int
    maximum: int | None = None
    target: int | None = None

    @property
    def met(self) -> bool:
        """True when ``count`` reaches ``minimum`` and stays within ``maximum``."""
        return self.count >= self.minimum and (self.maximum is None or self.count <= self.maximum)


_RELATIONSHIP_MINIMUM = {
    Relationship.romantic: 100,
    Relationship.friends: 100,
    Relationship.family: 100,
    Relationship.colleagues: 70,
    Relationship.parent_child: 100,
    Relationship.siblings: 100,
}

# A prompt is about the pair when it names the asker or both of you (me, us, each other).
_ABOUT_THE_PAIR = re.compile(
    r"\b(me|us|we|our|ours|ourselves|each other|i|i'm|i've|i'd|my|mine|the other)\b", re.IGNORECASE
)


def about_the_pair(prompt: str) -> bool:
    """Whether a prompt is about the two people rather than a general topic.

    Examples
    --------
    >>> about_the_pair("What small habit of mine do you miss most?")
    True
    >>> about_the_pair("Which invention seems finished but could still improve?")
    False
    """
    return _ABOUT_THE_PAIR.search(prompt) is not None


def coverage(activities: Iterable[Activity]) -> list[CoverageRow]:
    """Count a catalogue's coverage of types, relationships, depths, practices and more.

    Examples
    --------
    >>> from recommender import default_catalog
    >>> rows = {r.what: r for r in coverage(default_catalog())}
    >>> rows["activities in all"].met, rows["restated ideas flagged"].count
    (True, 0)
    """
    items = list(activities)
    rows = [CoverageRow("activities in all", len(items), 320, target=520)]
    rows += _kind_rows(items)
    rows += _prompt_rows(items)
    rows += _care_rows(items)
    rows += _logistics_rows(items)
    return rows


def _kind_rows(items: list[Activity]) -> list[CoverageRow]:
    strongest = Counter(a.strongest_type for a in items)
    rels = Counter(r for a in items for r in a.relationships)
    cells = Counter((a.strongest_type, r) for a in items for r in a.relationships)
    depths = Counter(a.depth for a in items)
    practices = Counter(a.practice for a in items)
    rows = [CoverageRow(f"strongest type {t.value}", strongest[t], 45) for t in IntimacyType]
    rows += [CoverageRow(f"suits {r.value}", rels[r], m) for r, m in _RELATIONSHIP_MINIMUM.items()]
    rows += [
        CoverageRow(f"{t.value} x {r.value}", cells[(t, r)], 6)
        for t in IntimacyType
        for r in Relationship
    ]
    rows += [CoverageRow(f"depth {d}", depths[d], 30) for d in range(1, 6)]
    rows += [CoverageRow(f"practice {p.value}", practices[p], 15) for p in Practice]
    return rows


def _prompt_rows(items: list[Activity]) -> list[CoverageRow]:
    conversation = [a for a in items if a.practice is Practice.conversation]
    prompts = {p.strip().lower(): a.depth for a in items for p in a.prompts}
    about = sum(about_the_pair(p) for p in prompts)
    return [
        CoverageRow(
            "conversation items with 3+ prompts", sum(len(a.prompts) >= 3 for a in conversation), 60
        ),
        CoverageRow("distinct prompts", len(prompts), 300, target=700),
        CoverageRow("depth-1 prompts", sum(d == 1 for d in prompts.values()), 25, target=100),
        CoverageRow(
            "prompts about the pair or the other person",
            about,
            math.ceil(0.15 * len(prompts)),
            target=math.ceil(0.40 * len(prompts)),
        ),
    ]


def _care_rows(items: list[Activity]) -> list[CoverageRow]:
    from .restatements import restated_pairs

    deep = [a for a in items if a.depth >= 4 and a.practice is not Practice.support]
    situational = Counter(a.situational for a in items if a.situational is not None)
    rows = [
        CoverageRow(
            "deep items (depth 4+) with aftercare", sum(bool(a.aftercare) for a in deep), len(deep)
        ),
        CoverageRow("situational (life events)", sum(situational.values()), 5),
    ]
    rows += [CoverageRow(f"situational {s.value}", n, 1) for s, n in sorted(situational.items())]
    rows += [
        CoverageRow("safety gated", sum(a.safety_gated for a in items), 0),
        CoverageRow("adults only", sum(a.adults_only for a in items), 0),
    ]
    restated = restated_pairs(items)
    if restated is not None:
        rows.append(CoverageRow("restated ideas flagged", len(restated), 0, maximum=0))
    return rows


def _logistics_rows(items: list[Activity]) -> list[CoverageRow]:
    energies = Counter(a.energy for a in items)
    settings = Counter(a.setting for a in items)
    presence = Counter(a.presence for a in items)
    rows = [
        CoverageRow("remote", sum(a.remote for a in items), 70),
        *(CoverageRow(f"presence {p.value}", n, 0) for p, n in sorted(presence.items()) if p),
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
