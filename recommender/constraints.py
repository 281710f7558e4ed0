"""Hard constraints: named boolean masks over the catalogue that never bend.

Each constraint is a mask, ``True`` where an activity is allowed, computed on
the compact typed columns of :class:`~recommender.features.ItemTable` for a
batch of pairs at once (shape ``(n_pairs, n_items)``). Keeping them separate
and named is what lets :meth:`Recommender.diagnose` say which constraint
removed how many candidates.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from .features import (
    AUDIENCE_ADULTS_ONLY,
    AUDIENCE_OPT_IN,
    AUDIENCE_SAFETY_GATED,
    FLAG_SUPPORT,
    PRESENCES,
    RELATIONSHIPS,
    SETTING_CODE,
    SITUATIONS,
    ItemTable,
    TextSpace,
)
from .schema import (
    ADULT_AGE,
    CONTACT_LEVEL,
    Contact,
    Obstacle,
    PairContext,
    PersonProfile,
    Presence,
    Relationship,
    Setting,
    slugify,
)
from .text import analyze

__all__ = [
    "CONSTRAINTS",
    "MASK_RULES",
    "MINOR_DEPTH_CAP",
    "OBSTACLE_DEPTH_CAP",
    "PairLimits",
    "constraint_masks",
    "depth_cap",
    "feasible",
    "is_minor_pair",
    "minor_safe_items",
    "reports_concern",
]

Mask = npt.NDArray[np.bool_]
#: A constraint's rule: its ``(n_pairs, n_items)`` mask, or None when it allows everything.
MaskRule = Callable[["PairLimits", ItemTable], "Mask | None"]

#: The deepest level a pair with someone under 18 ever gets.
MINOR_DEPTH_CAP = 3

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
    "minor": "nothing to relax: with someone under 18, depth stays <= 3 and nothing romantic, "
    "affectionate, adults-only or opt-in is shown",
    "situational": "name the life event (situations in a profile or the context) to see "
    "activities written for it",
    "opt_in": "both people opt in to the topic (opt_in in both profiles; never under 18)",
    "safety_gated": "some activities are never shown while trust is an obstacle",
    "presence": "activities done apart over a call need --remote",
    "safety": "individual support only: nothing joint is suggested",
    "misery": "use another strategy or lower the misery threshold",
    "support": "support services are offered with the mental_health obstacle or safety",
}


def is_minor_pair(a: PersonProfile, b: PersonProfile) -> bool:
    """Whether either person is under 18 (an unknown age counts as an adult).

    Examples
    --------
    >>> is_minor_pair(PersonProfile(name="A", age=14), PersonProfile(name="B", age=44))
    True
    """
    return any(p.age is not None and p.age < ADULT_AGE for p in (a, b))


def reports_concern(a: PersonProfile, b: PersonProfile | None, ctx: PairContext) -> bool:
    """Whether someone reports fear, coercion or violence (context or either profile).

    Examples
    --------
    >>> a, b = PersonProfile(name="A"), PersonProfile(name="B", safety_concern=True)
    >>> reports_concern(a, a, PairContext()), reports_concern(a, b, PairContext())
    (False, True)
    """
    return ctx.safety_concern or a.safety_concern or (b is not None and b.safety_concern)


def depth_cap(a: PersonProfile, b: PersonProfile, ctx: PairContext) -> int:
    """The deepest level both people and the situation allow.

    Examples
    --------
    >>> a, b = PersonProfile(name="A", max_depth=5), PersonProfile(name="B", max_depth=4)
    >>> depth_cap(a, b, PairContext()), depth_cap(a, b, PairContext(obstacles={"trust"}))
    (4, 2)
    >>> depth_cap(a, b.model_copy(update={"age": 15}), PairContext())
    3
    """
    caps = [a.max_depth, b.max_depth]
    caps += [OBSTACLE_DEPTH_CAP[o] for o in ctx.obstacles if o in OBSTACLE_DEPTH_CAP]
    if is_minor_pair(a, b):
        caps.append(MINOR_DEPTH_CAP)
    return min(caps)


def _situation_bits(a: PersonProfile, b: PersonProfile, ctx: PairContext) -> int:
    named = a.situations | b.situations | ctx.situations
    return sum(1 << SITUATIONS.index(s) for s in named)


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
    minor: npt.NDArray[np.bool_]  # someone in the pair is under 18
    situations: npt.NDArray[np.uint8]  # bit s: SITUATIONS[s] named by a profile or the context
    # Both opted in and no minor. One topic (desire) today: a second OptIn needs a
    # per-topic item column instead of this single flag.
    opted_in: npt.NDArray[np.bool_]
    gated: npt.NDArray[np.bool_]  # trust is an obstacle or someone reports fear
    concern: npt.NDArray[np.bool_]  # someone reports fear, coercion or violence

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
            avoid=_avoided_lists(pairs, items, text),
            exclude=tuple(excluded(c.exclude) for _, _, c in pairs),
            recent=tuple(recent)
            if recent is not None
            else tuple(np.empty(0, np.int32) for _ in pairs),
            **_audience_limits(pairs),
        )


def _avoided_lists(
    pairs: Sequence[tuple[PersonProfile, PersonProfile, PairContext]],
    items: ItemTable,
    text: TextSpace,
) -> tuple[npt.NDArray[np.int32], ...]:
    """Each pair's rows hit by the two 'avoid' lists (repeats are harmless)."""
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

    return tuple(avoided([*a.avoid, *b.avoid]) for a, b, _ in pairs)


def _audience_limits(
    pairs: Sequence[tuple[PersonProfile, PersonProfile, PairContext]],
) -> dict[str, npt.NDArray[Any]]:
    """Who the pair is (ages, situations, opt-ins, trust, concern) as per-pair arrays."""
    minor = [is_minor_pair(a, b) for a, b, _ in pairs]
    return {
        "minor": np.array(minor, bool),
        "situations": np.array([_situation_bits(a, b, c) for a, b, c in pairs], np.uint8),
        "opted_in": np.array(
            [
                bool(a.opt_in & b.opt_in) and not m
                for (a, b, _), m in zip(pairs, minor, strict=True)
            ],
            bool,
        ),
        "gated": np.array(
            [Obstacle.trust in c.obstacles or reports_concern(a, b, c) for a, b, c in pairs], bool
        ),
        "concern": np.array([reports_concern(a, b, c) for a, b, c in pairs], bool),
    }


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
    if len(lists) == 1:  # one pair: its row directly
        if len(lists[0]):
            mask[0, lists[0]] = False
        return mask
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


def _bounded(column: npt.NDArray[Any], limit: npt.NDArray[Any]) -> Mask | None:
    """Items whose ``column`` is at most each pair's ``limit`` (None: all pass)."""
    if limit.min() >= column.max(initial=0):
        return None
    return np.asarray(column[np.newaxis, :] <= limit[:, np.newaxis])


def _unless(pair_rule: npt.NDArray[np.bool_], item_ok: npt.NDArray[np.bool_]) -> Mask | None:
    """Where ``pair_rule`` holds, only ``item_ok`` items pass (None: all pass)."""
    if not pair_rule.any() or item_ok.all():
        return None
    return np.asarray(~pair_rule[:, np.newaxis] | item_ok[np.newaxis, :])


def _relationship(limits: PairLimits, items: ItemTable) -> Mask | None:
    col = np.newaxis
    return np.asarray((items.relationships[col, :] & limits.relationship_bit[:, col]) != 0)


def _depth(limits: PairLimits, items: ItemTable) -> Mask | None:
    return _bounded(items.depth, limits.depth)


def _budget(limits: PairLimits, items: ItemTable) -> Mask | None:
    return _bounded(items.cost, limits.budget)


def _contact(limits: PairLimits, items: ItemTable) -> Mask | None:
    return _bounded(items.contact, limits.contact)


def _minutes(limits: PairLimits, items: ItemTable) -> Mask | None:
    return _bounded(items.minutes, limits.minutes)


def _mobility(limits: PairLimits, items: ItemTable) -> Mask | None:
    if not limits.mobility.any():
        return None
    # accessible >= needs it: the same truth table as "accessible or not needed",
    # as one comparison numpy vectorises (the | of bools is 15x slower).
    return np.asarray(items.accessible[np.newaxis, :] >= limits.mobility[:, np.newaxis])


def _remote(limits: PairLimits, items: ItemTable) -> Mask | None:
    if not limits.remote.any():
        return None
    return np.asarray(items.remote[np.newaxis, :] >= limits.remote[:, np.newaxis])


def _setting(limits: PairLimits, items: ItemTable) -> Mask | None:
    if (limits.setting < 0).all():
        return None
    # Only the opposite setting is left out (an 'any' activity suits both): one
    # comparison per cell against it, or against a code no activity has.
    forbidden = np.array([_OPPOSITE_SETTING.get(int(s), _NO_SETTING) for s in limits.setting])
    return np.asarray(items.setting[np.newaxis, :] != forbidden.astype(np.int8)[:, np.newaxis])


def _listed(name: str) -> MaskRule:
    """The rule for a per-pair list of item rows to leave out (avoid, exclude, recent)."""

    def rule(limits: PairLimits, items: ItemTable) -> Mask | None:
        lists: tuple[npt.NDArray[np.int32], ...] = getattr(limits, name)
        if not any(len(hit) for hit in lists):
            return None
        return _scatter_out(np.ones((len(limits.depth), len(items)), bool), lists)

    return rule


def minor_safe_items(items: ItemTable) -> npt.NDArray[np.bool_]:
    """Items a pair with someone under 18 may get: depth <= 3, nothing romantic-only,
    affectionate, adults-only or opt-in.

    Examples
    --------
    >>> import recommender as rc
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> safe = minor_safe_items(model.items_)
    >>> bool(safe.any()), bool((model.items_.depth[safe] <= 3).all())
    (True, True)
    """
    romantic_only = items.relationships == np.uint8(1 << RELATIONSHIPS.index(Relationship.romantic))
    return np.asarray(
        (items.depth <= MINOR_DEPTH_CAP)
        & ~romantic_only
        & (items.contact < CONTACT_LEVEL[Contact.affectionate])
        & ((items.audience & np.uint8(AUDIENCE_ADULTS_ONLY | AUDIENCE_OPT_IN)) == 0)
    )


def _minor(limits: PairLimits, items: ItemTable) -> Mask | None:
    return _unless(limits.minor, minor_safe_items(items))


def _situational(limits: PairLimits, items: ItemTable) -> Mask | None:
    situation = items.situation.astype(np.int16)
    if (situation < 0).all():
        return None
    item_bit = np.where(situation >= 0, 1 << np.maximum(situation, 0), 0).astype(np.uint8)
    # A situational item passes only for pairs whose named situations include its own.
    return np.asarray(
        (item_bit[np.newaxis, :] & limits.situations[:, np.newaxis]) == item_bit[np.newaxis, :]
    )


def _opt_in(limits: PairLimits, items: ItemTable) -> Mask | None:
    return _unless(~limits.opted_in, (items.audience & np.uint8(AUDIENCE_OPT_IN)) == 0)


def _safety_gated(limits: PairLimits, items: ItemTable) -> Mask | None:
    return _unless(limits.gated, (items.audience & np.uint8(AUDIENCE_SAFETY_GATED)) == 0)


def _presence(limits: PairLimits, items: ItemTable) -> Mask | None:
    return _unless(~limits.remote, items.presence != PRESENCES.index(Presence.apart))


def _safety(limits: PairLimits, items: ItemTable) -> Mask | None:
    # Someone reports fear, coercion or violence: nothing joint at all (individual
    # support is chosen apart, by recommender.safety).
    return _unless(limits.concern, np.zeros(len(items), bool))


def _support(limits: PairLimits, items: ItemTable) -> Mask | None:
    # Professional help is offered on its own terms (mental_health, safety),
    # never as one more activity in the list.
    shape = (len(limits.depth), len(items))
    return np.broadcast_to(~items.has_flag(FLAG_SUPPORT)[np.newaxis, :], shape)


#: Each constraint's rule: its ``(n_pairs, n_items)`` mask, or None when it allows everything.
MASK_RULES: dict[str, MaskRule] = {
    "relationship": _relationship,
    "depth": _depth,
    "budget": _budget,
    "contact": _contact,
    "mobility": _mobility,
    "minutes": _minutes,
    "remote": _remote,
    "setting": _setting,
    "avoid": _listed("avoid"),
    "exclude": _listed("exclude"),
    "recent": _listed("recent"),
    "minor": _minor,
    "situational": _situational,
    "opt_in": _opt_in,
    "safety_gated": _safety_gated,
    "presence": _presence,
    "safety": _safety,
    "support": _support,
}


def _mask(name: str, limits: PairLimits, items: ItemTable) -> Mask | None:
    """One constraint's ``(n_pairs, n_items)`` mask, or None when it allows everything."""
    return MASK_RULES[name](limits, items)


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

    The hot path's version of :func:`constraint_masks`: the rules that compare
    an item's typed columns with the pair's limits are packed at first use into
    one 32- or 64-bit code per item (:class:`_PackedRules`), so a pair's mask is one
    AND and one comparison; minutes and the per-pair lists are applied after.
    """
    packed = _PackedRules.of(items)
    allowed = np.empty((len(limits.depth), len(items)), bool)
    scratch = np.empty(len(items), packed.codes.dtype)
    for row, bits in enumerate(packed.forbidden(limits)):
        np.bitwise_and(packed.codes, packed.codes.dtype.type(bits), out=scratch)
        np.equal(scratch, 0, out=allowed[row])
    minutes = _minutes(limits, items)
    if minutes is not None:
        allowed &= minutes
    for name in ("avoid", "exclude", "recent"):
        _scatter_out(allowed, getattr(limits, name))
    return allowed


#: The item columns that :class:`_PackedRules` packs as "value >= v" bits, one per v >= 1.
_LEVELS = ("depth", "cost", "contact")


@dataclass(frozen=True)
class _PackedRules:
    """The typed-column rules of :func:`feasible` as one code per item (32 or 64 bits).

    Bit ``b`` set means "this item falls foul of rule bit ``b``"; a pair's
    limits name the bits it forbids (:meth:`forbidden`), so an item passes
    exactly when ``code & forbidden == 0``. Each bit is defined to say what
    the named rule of :data:`MASK_RULES` says (a test compares the two).
    """

    codes: npt.NDArray[np.uint32] | npt.NDArray[np.uint64]
    start: dict[str, int]  # first bit of each group
    size: dict[str, int]  # bits in each group

    @classmethod
    def of(cls, items: ItemTable) -> _PackedRules:
        """The codes of ``items``, built once and remembered with them."""
        found: _PackedRules | None = items.__dict__.get("_packed_rules")
        if found is None:
            found = cls._build(items)
            items.__dict__["_packed_rules"] = found  # the same value from any thread
        return found

    @classmethod
    def _build(cls, items: ItemTable) -> _PackedRules:
        n_rel = len(RELATIONSHIPS)
        gated = np.uint8(AUDIENCE_SAFETY_GATED)
        groups: list[tuple[str, list[npt.NDArray[np.bool_]]]] = [
            ("relationship", [(items.relationships & np.uint8(1 << r)) == 0 for r in range(n_rel)]),
            *[
                (name, [getattr(items, name) >= v for v in range(1, _top(items, name) + 1)])
                for name in _LEVELS
            ],
            ("mobility", [~items.accessible]),
            ("remote", [~items.remote]),
            (
                "setting",
                [items.setting == SETTING_CODE[x] for x in (Setting.indoor, Setting.outdoor)],
            ),
            ("minor", [~minor_safe_items(items)]),
            ("situational", [items.situation == s for s in range(len(SITUATIONS))]),
            ("opt_in", [(items.audience & np.uint8(AUDIENCE_OPT_IN)) != 0]),
            ("safety_gated", [(items.audience & gated) != 0]),
            ("presence", [items.presence == PRESENCES.index(Presence.apart)]),
            ("safety", [np.ones(len(items), bool)]),
        ]
        codes = np.zeros(len(items), np.uint64)
        start: dict[str, int] = {}
        bit = 0
        for name, columns in groups:
            start[name] = bit
            for column in columns:
                codes |= column.astype(np.uint64) << np.uint64(bit)
                bit += 1
        if bit > 64:
            raise ValueError(f"{bit} rule bits do not fit one 64-bit code")
        narrow = codes.astype(np.uint32) if bit <= 32 else codes  # half the bytes to read
        return cls(narrow, start, {name: len(columns) for name, columns in groups})

    def forbidden(self, limits: PairLimits) -> list[int]:
        """Per pair, the rule bits its limits forbid (plain Python: a few pairs)."""
        start, size = self.start, self.size
        every_situation = (1 << len(SITUATIONS)) - 1
        columns = zip(
            limits.relationship_bit.tolist(),
            limits.depth.tolist(),
            limits.budget.tolist(),
            limits.contact.tolist(),
            limits.mobility.tolist(),
            limits.remote.tolist(),
            limits.setting.tolist(),
            limits.minor.tolist(),
            limits.situations.tolist(),
            limits.opted_in.tolist(),
            limits.gated.tolist(),
            limits.concern.tolist(),
            strict=True,
        )
        out = []
        for relationship, depth, budget, contact, mobility, remote, setting, *rest in columns:
            minor, situations, opted_in, gated, concern = rest
            bits = relationship << start["relationship"]  # "not for r" at r's bit
            bits |= concern << start["safety"]  # nothing passes
            for name, limit in zip(_LEVELS, (depth, budget, contact), strict=True):
                if limit < 0:
                    bits |= 1 << start["safety"]
                elif limit < size[name]:  # forbids value >= limit + 1
                    bits |= 1 << (start[name] + limit)
            bits |= mobility << start["mobility"]
            bits |= remote << start["remote"]
            if setting == SETTING_CODE[Setting.outdoor]:
                bits |= 1 << start["setting"]  # indoor items out
            elif setting == SETTING_CODE[Setting.indoor]:
                bits |= 1 << (start["setting"] + 1)  # outdoor items out
            bits |= minor << start["minor"]
            bits |= (every_situation & ~situations) << start["situational"]
            bits |= (not opted_in) << start["opt_in"]
            bits |= gated << start["safety_gated"]
            bits |= (not remote) << start["presence"]
            out.append(bits)
        return out


def _top(items: ItemTable, name: str) -> int:
    """The largest value of a level column (0 for none)."""
    column = getattr(items, name)
    return max(int(column.max(initial=0)), 0)
