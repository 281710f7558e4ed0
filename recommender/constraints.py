"""Hard constraints: named boolean masks over the catalogue that never bend.

Each constraint is a mask, ``True`` where an activity is allowed, computed on
the compact typed columns of :class:`~recommender.features.ItemTable` for a
batch of pairs at once (shape ``(n_pairs, n_items)``). Keeping them separate
and named is what lets :meth:`Recommender.diagnose` say which constraint
removed how many candidates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .features import (
    FLAG_APART,
    FLAG_SUPPORT,
    RELATIONSHIPS,
    SETTING_CODE,
    ItemTable,
    TextSpace,
)
from .schema import (
    CONTACT_LEVEL,
    Obstacle,
    PairContext,
    PersonProfile,
    Relationship,
    Setting,
    slugify,
)
from .text import analyze

__all__ = [
    "CONSTRAINTS",
    "OBSTACLE_DEPTH_CAP",
    "PairLimits",
    "constraint_masks",
    "depth_cap",
    "feasible",
]

Mask = npt.NDArray[np.bool_]

#: Obstacles that lower how deep suggestions may go (vulnerability is risky
#: while trust is low or attachment feels unsafe; low mood needs low pressure).
OBSTACLE_DEPTH_CAP = {Obstacle.trust: 2, Obstacle.attachment: 3, Obstacle.mental_health: 3}

#: The most touch each relationship allows, whatever the profiles say.
RELATIONSHIP_CONTACT_CAP = {
    Relationship.romantic: 2,
    Relationship.friends: 1,
    Relationship.parent_child: 1,
    Relationship.siblings: 1,
    Relationship.family: 1,
    Relationship.colleagues: 0,
}

#: Constraint names, in the order diagnostics report them, with what to relax.
CONSTRAINTS: dict[str, str] = {
    "relationship": "choose activities for another relationship type",
    "depth": "raise max_depth in both profiles (obstacles such as trust also cap depth)",
    "budget": "raise the budget (in both profiles and the context)",
    "contact": "raise max_contact in the profiles",
    "mobility": "drop limited_mobility if it no longer applies",
    "minutes": "allow more minutes",
    "remote": "meet in person rather than remotely",
    "setting": "allow any setting, indoor or outdoor",
    "avoid": "shorten the 'avoid' lists in the profiles",
    "exclude": "exclude fewer activities",
    "recent": "allow repeats of activities done recently (history window)",
    "misery": "use another strategy or lower the misery threshold",
    "support": "support services are offered with the mental_health obstacle or safety",
}


def depth_cap(a: PersonProfile, b: PersonProfile, ctx: PairContext) -> int:
    """The deepest level both people and the situation allow.

    Examples
    --------
    >>> a, b = PersonProfile(name="A", max_depth=5), PersonProfile(name="B", max_depth=4)
    >>> depth_cap(a, b, PairContext()), depth_cap(a, b, PairContext(obstacles={"trust"}))
    (4, 2)
    """
    caps = [a.max_depth, b.max_depth]
    caps += [OBSTACLE_DEPTH_CAP[o] for o in ctx.obstacles if o in OBSTACLE_DEPTH_CAP]
    return min(caps)


@dataclass(frozen=True)
class PairLimits:
    """The hard limits of a batch of pairs as arrays (one entry per pair)."""

    relationship_bit: npt.NDArray[np.uint8]
    depth: npt.NDArray[np.int8]
    budget: npt.NDArray[np.int8]
    contact: npt.NDArray[np.int8]
    mobility: npt.NDArray[np.bool_]
    minutes: npt.NDArray[np.int16]
    remote: npt.NDArray[np.bool_]
    setting: npt.NDArray[np.int8]  # -1: any
    avoid: tuple[npt.NDArray[np.int32], ...]  # items each pair's 'avoid' lists hit
    exclude: tuple[npt.NDArray[np.int32], ...]  # items excluded by id
    recent: tuple[npt.NDArray[np.int32], ...]  # items done within the history window

    @classmethod
    def of(
        cls,
        pairs: Sequence[tuple[PersonProfile, PersonProfile, PairContext]],
        items: ItemTable,
        text: TextSpace,
        index_of: dict[str, int],
        recent: Sequence[npt.NDArray[np.int32]] | None = None,
    ) -> PairLimits:
        """Collect the limits of ``pairs`` (profiles and contexts) into arrays."""
        # Remembered with the fitted text space (like interest mentions): the same
        # 'avoid' words come back pair after pair, block after block.
        avoid_cache: dict[str, npt.NDArray[np.int32]] = text.__dict__.setdefault("_avoided", {})

        def avoided(words: Sequence[str]) -> npt.NDArray[np.int32]:
            hits = []
            for word in words:
                found = avoid_cache.get(word)
                if found is None:
                    if len(avoid_cache) >= 10_000:
                        avoid_cache.clear()
                    found = avoid_cache[word] = avoided_items(word, items, text)
                    found.flags.writeable = False  # shared: never changed in place
                hits.append(found)
            # Repeats are harmless (they are scattered into a mask): no sort needed.
            return np.concatenate(hits) if hits else np.empty(0, np.int32)

        def excluded(ids: frozenset[str]) -> npt.NDArray[np.int32]:
            return np.array(sorted(index_of[i] for i in ids if i in index_of), np.int32)

        return cls(
            relationship_bit=np.array(
                [1 << RELATIONSHIPS.index(c.relationship) for _, _, c in pairs], np.uint8
            ),
            depth=np.array([depth_cap(a, b, c) for a, b, c in pairs], np.int8),
            budget=np.array(
                [min(a.budget, b.budget, 3 if c.budget is None else c.budget) for a, b, c in pairs],
                np.int8,
            ),
            contact=np.array(
                [
                    min(
                        CONTACT_LEVEL[a.max_contact],
                        CONTACT_LEVEL[b.max_contact],
                        RELATIONSHIP_CONTACT_CAP[c.relationship],
                    )
                    for a, b, c in pairs
                ],
                np.int8,
            ),
            mobility=np.array(
                [a.limited_mobility or b.limited_mobility for a, b, _ in pairs], bool
            ),
            minutes=np.array(
                [1440 if c.minutes is None else c.minutes for _, _, c in pairs], np.int16
            ),
            remote=np.array([c.remote for _, _, c in pairs], bool),
            setting=np.array(
                [
                    -1 if c.setting in (None, Setting.any) else SETTING_CODE[c.setting]
                    for _, _, c in pairs
                ],
                np.int8,
            ),
            avoid=tuple(avoided([*a.avoid, *b.avoid]) for a, b, _ in pairs),
            exclude=tuple(excluded(c.exclude) for _, _, c in pairs),
            recent=tuple(recent)
            if recent is not None
            else tuple(np.empty(0, np.int32) for _ in pairs),
        )


def avoided_items(word: str, items: ItemTable, text: TextSpace) -> npt.NDArray[np.int32]:
    """Items a person's 'avoid' entry rules out: its tag, or text with all its words.

    Examples
    --------
    >>> import recommender as rc
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> len(avoided_items("cooking", model.items_, model.text_)) > 0
    True
    """
    tagged = items.items_tagged(slugify(word))
    terms = [text.vocabulary[t] for t in analyze(word) if t in text.vocabulary]
    n_words = len(analyze(word))
    worded = (
        text.items_with_all(np.array(terms, np.int32))
        if terms and len(terms) == n_words
        else np.empty(0, np.int32)
    )
    return np.concatenate([tagged, worded]).astype(np.int32, copy=False)


def _scatter_out(mask: Mask, lists: tuple[npt.NDArray[np.int32], ...]) -> Mask:
    """Set ``mask[row, lists[row]]`` to False for every row, in one flat assignment."""
    sizes = np.fromiter((len(hit) for hit in lists), np.int64, len(lists))
    if sizes.any():
        starts = np.repeat(np.arange(len(lists), dtype=np.int64) * mask.shape[1], sizes)
        # Flat indices into a view (2-D fancy assignment is twice as slow); only a
        # C-ordered mask reshapes to a view rather than a copy.
        assert mask.flags.c_contiguous
        mask.reshape(-1)[starts + np.concatenate(lists)] = False
    return mask


#: The setting code a wanted setting rules out, and a code no activity has.
_OPPOSITE_SETTING = {
    SETTING_CODE[Setting.indoor]: SETTING_CODE[Setting.outdoor],
    SETTING_CODE[Setting.outdoor]: SETTING_CODE[Setting.indoor],
}
_NO_SETTING = max(SETTING_CODE.values()) + 1


def _mask(name: str, limits: PairLimits, items: ItemTable) -> Mask | None:
    """One constraint's ``(n_pairs, n_items)`` mask, or None when it allows everything."""
    col = np.newaxis
    n_pairs, n_items = len(limits.depth), len(items)
    if name == "relationship":
        return np.asarray((items.relationships[col, :] & limits.relationship_bit[:, col]) != 0)
    if name == "depth":
        return (
            None
            if limits.depth.min() >= items.depth.max(initial=0)
            else np.asarray(items.depth[col, :] <= limits.depth[:, col])
        )
    if name == "budget":
        return (
            None
            if limits.budget.min() >= items.cost.max(initial=0)
            else np.asarray(items.cost[col, :] <= limits.budget[:, col])
        )
    if name == "contact":
        return (
            None
            if limits.contact.min() >= items.contact.max(initial=0)
            else np.asarray(items.contact[col, :] <= limits.contact[:, col])
        )
    if name == "minutes":
        return (
            None
            if limits.minutes.min() >= items.minutes.max(initial=0)
            else np.asarray(items.minutes[col, :] <= limits.minutes[:, col])
        )
    if name == "mobility":
        return (
            None
            if not limits.mobility.any()
            # accessible >= needs it: the same truth table as "accessible or not
            # needed", as one comparison numpy vectorises (the | of bools is 15x slower).
            else np.asarray(items.accessible[col, :] >= limits.mobility[:, col])
        )
    if name == "remote":
        return _presence_mask(limits, items, col)
    if name == "setting":
        if (limits.setting < 0).all():
            return None
        # Only the opposite setting is left out (an 'any' activity suits both): one
        # comparison per cell against it, or against a code no activity has.
        forbidden = np.array([_OPPOSITE_SETTING.get(int(s), _NO_SETTING) for s in limits.setting])
        return np.asarray(items.setting[col, :] != forbidden.astype(np.int8)[:, col])
    if name in ("avoid", "exclude", "recent"):
        lists: tuple[npt.NDArray[np.int32], ...] = getattr(limits, name)
        if not any(len(hit) for hit in lists):
            return None
        return _scatter_out(np.ones((n_pairs, n_items), bool), lists)
    if name == "support":
        # Professional help is offered on its own terms (mental_health, safety),
        # never as one more activity in the list.
        return np.broadcast_to(~items.has_flag(FLAG_SUPPORT)[col, :], (n_pairs, n_items))
    raise KeyError(name)


def _presence_mask(limits: PairLimits, items: ItemTable, col: Any) -> Mask | None:
    """Apart: only items that work remotely. Together: no apart-only items (a step
    challenge "from different places" is not for two people under one roof)."""
    apart_only = items.has_flag(FLAG_APART)
    if not limits.remote.any() and not apart_only.any():
        return None
    works = np.asarray(items.remote[col, :] >= limits.remote[:, col])
    return works & ~(apart_only[col, :] & ~limits.remote[:, col])


#: The constraints every joint suggestion passes (``support`` is handled apart).
HARD = tuple(name for name in CONSTRAINTS if name not in ("misery", "support"))


def constraint_masks(limits: PairLimits, items: ItemTable) -> dict[str, Mask]:
    """Every hard constraint as a named ``(n_pairs, n_items)`` mask; True = allowed."""
    shape = (len(limits.depth), len(items))
    masks = {}
    for name in (*HARD, "support"):
        mask = _mask(name, limits, items)
        masks[name] = np.ones(shape, bool) if mask is None else mask
    return masks


def feasible(limits: PairLimits, items: ItemTable) -> Mask:
    """Items that pass every hard constraint but ``support``: ``(n_pairs, n_items)``.

    The hot path's version of :func:`constraint_masks`: one array, ANDed in
    place, skipping constraints that allow everything for this block of pairs.
    """
    allowed = np.ones((len(limits.depth), len(items)), bool)
    for name in HARD:
        if name in ("avoid", "exclude", "recent"):
            _scatter_out(allowed, getattr(limits, name))
            continue
        mask = _mask(name, limits, items)
        if mask is not None:
            allowed &= mask
    return allowed
