"""What the truth reads: the catalogue's typed fields and words, an independent
hard-limit checker, and each simulated person's true utility.

Nothing here imports closer's scoring code (relevance, aggregate, features,
constraints): the truth and the limits are written again, from the
activities' own fields, so closer is judged by code it cannot see. Words are
lower-case runs of letters, with no stemming and no TF-IDF.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from ..schema import (
    Activity,
    Contact,
    Energy,
    IntimacyType,
    Obstacle,
    PairContext,
    PersonProfile,
    Practice,
    Relationship,
    Setting,
)

__all__ = ["CatalogFacts", "LatentPerson", "allowed_items", "true_utility"]

F64 = npt.NDArray[np.float64]
Mask = npt.NDArray[np.bool_]

TYPE_ORDER = tuple(IntimacyType)
PRACTICE_ORDER = tuple(Practice)
CONTACT_RANK = {Contact.none: 0, Contact.casual: 1, Contact.affectionate: 2}
ENERGY_RANK = {Energy.low: 0, Energy.medium: 1, Energy.high: 2}
#: The most touch a relationship allows (the catalogue's content rules).
TOUCH_ALLOWED = {
    Relationship.romantic: 2,
    Relationship.friends: 1,
    Relationship.family: 1,
    Relationship.colleagues: 0,
    Relationship.parent_child: 1,
    Relationship.siblings: 1,
}
#: How deep a pair may go while an obstacle stands in the way.
OBSTACLE_DEPTH = {Obstacle.trust: 2, Obstacle.attachment: 3, Obstacle.mental_health: 3}

_WORD = re.compile(r"[a-z]+")


def words_of(text: str) -> frozenset[str]:
    """Lower-case runs of letters: the truth's own, deliberately plain, words.

    Examples
    --------
    >>> sorted(words_of("Board-games, at Dusk!"))
    ['at', 'board', 'dusk', 'games']
    """
    return frozenset(_WORD.findall(text.lower()))


@dataclass(frozen=True)
class CatalogFacts:
    """The activities' fields as arrays, in the order given (one row per activity)."""

    ids: tuple[str, ...]
    mix: F64  # (n, 5) intimacy weights scaled to sum 1
    strongest: npt.NDArray[np.int64]
    practice: npt.NDArray[np.int64]
    depth: npt.NDArray[np.int64]
    minutes: npt.NDArray[np.int64]
    cost: npt.NDArray[np.int64]
    energy: npt.NDArray[np.int64]
    contact: npt.NDArray[np.int64]
    novelty: npt.NDArray[np.int64]
    accessible: Mask
    remote: Mask
    setting: tuple[Setting, ...]
    relationships: tuple[frozenset[Relationship], ...]
    tags: tuple[frozenset[str], ...]
    words: tuple[frozenset[str], ...]
    joint: Mask  # not a support service: something two people do together
    _masks: dict[str, Mask] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def of(cls, activities: Sequence[Activity]) -> CatalogFacts:
        """Read ``activities`` (keep the order a ranker's rows use).

        Examples
        --------
        >>> import recommender as rc
        >>> facts = CatalogFacts.of(rc.default_catalog().activities)
        >>> facts.mix.shape[1], bool(np.allclose(facts.mix.sum(axis=1), 1.0))
        (5, True)
        """
        mix = np.array([[a.intimacy.get(t, 0.0) for t in TYPE_ORDER] for a in activities])
        mix /= mix.sum(axis=1, keepdims=True)

        def column(values: Sequence[int]) -> npt.NDArray[np.int64]:
            return np.array(values, np.int64)

        return cls(
            ids=tuple(a.id for a in activities),
            mix=mix,
            strongest=column([TYPE_ORDER.index(a.strongest_type) for a in activities]),
            practice=column([PRACTICE_ORDER.index(a.practice) for a in activities]),
            depth=column([a.depth for a in activities]),
            minutes=column([a.minutes for a in activities]),
            cost=column([a.cost for a in activities]),
            energy=column([ENERGY_RANK[a.energy] for a in activities]),
            contact=column([CONTACT_RANK[a.contact] for a in activities]),
            novelty=column([a.novelty for a in activities]),
            accessible=np.array([a.accessible for a in activities], bool),
            remote=np.array([a.remote for a in activities], bool),
            setting=tuple(a.setting for a in activities),
            relationships=tuple(a.relationships for a in activities),
            tags=tuple(frozenset(a.tags) for a in activities),
            words=tuple(
                words_of(f"{a.title} {a.description} {' '.join(a.tags)}") for a in activities
            ),
            joint=np.array([a.practice is not Practice.support for a in activities], bool),
        )

    def __len__(self) -> int:
        return len(self.ids)

    def tagged(self, tag: str) -> Mask:
        """Activities that carry ``tag`` (remembered: the same tags come back)."""
        key = f"tag:{tag}"
        if key not in self._masks:
            self._masks[key] = np.array([tag in tags for tags in self.tags], bool)
        return self._masks[key]

    def worded(self, word: str, every: bool) -> Mask:
        """Activities whose words hold all (``every``) or any of ``word``'s words."""
        key = f"{'all' if every else 'any'}:{word}"
        if key not in self._masks:
            parts = words_of(word)
            self._masks[key] = np.array(
                [
                    bool(parts) and (parts <= text if every else bool(parts & text))
                    for text in self.words
                ],
                bool,
            )
        return self._masks[key]

    def mentions(self, word: str) -> Mask:
        """Activities tagged ``word`` (as a slug) or whose text holds all its words."""
        slug = "-".join(_WORD.findall(word.lower()))
        return self.tagged(slug) | self.worded(word, every=True)

    def suits(self, relationship: Relationship) -> Mask:
        """Activities meant for ``relationship``."""
        key = f"rel:{relationship.value}"
        if key not in self._masks:
            self._masks[key] = np.array([relationship in r for r in self.relationships], bool)
        return self._masks[key]


@dataclass(frozen=True)
class LatentPerson:
    """A simulated person's hidden truth; closer only ever sees their report.

    ``weights`` are the true values of the five intimacy types (in
    :class:`~recommender.schema.IntimacyType` order); ``interests`` and
    ``dislikes`` are catalogue tags; ``depth_comfort`` 1..5, ``energy`` 0..2
    (low..high), ``novelty_appetite`` 0 (the familiar) .. 1 (the new).
    """

    name: str
    weights: tuple[float, float, float, float, float]
    interests: tuple[str, ...]
    dislikes: tuple[str, ...]
    depth_comfort: int
    energy: int
    novelty_appetite: float
    max_contact: Contact = Contact.affectionate
    limited_mobility: bool = False
    budget: int = 1


#: Shares of the true utility (they sum to 1 before the dislike penalty).
TRUTH_SHARES = {"type": 0.45, "interest": 0.25, "energy": 0.1, "depth": 0.1, "novelty": 0.1}
#: What an activity with a disliked tag loses.
DISLIKE_PENALTY = 0.6


def true_utility(person: LatentPerson, facts: CatalogFacts) -> F64:
    """How much ``person`` would really enjoy each activity, in [0, 1].

    A blend of: the type fit (the activity's mix weighted by the true values,
    plus the value of its strongest type: people notice what an activity is
    mostly about), the interest fit (a tag hit counts 1, a word in its text
    0.5, a second interest adds a quarter), energy and depth closeness (depth
    past the comfort costs more than depth below it) and novelty appetite;
    a disliked tag costs :data:`DISLIKE_PENALTY`.

    Examples
    --------
    >>> import recommender as rc
    >>> facts = CatalogFacts.of(rc.default_catalog().activities)
    >>> p = LatentPerson("p", (0.2, 0.9, 0.5, 0.1, 0.4), ("cooking",), ("sport",), 3, 1, 0.5)
    >>> u = true_utility(p, facts)
    >>> bool(u.min() >= 0.0 and u.max() <= 1.0)
    True
    """
    weights = np.asarray(person.weights, np.float64)
    type_fit = 0.6 * (facts.mix @ weights) + 0.4 * weights[facts.strongest]
    interest = np.zeros(len(facts))
    for tag in person.interests:
        interest += np.maximum(facts.tagged(tag), 0.5 * facts.worded(tag, every=False))
    interest_fit = np.clip(np.where(interest > 0, 0.75 + 0.25 * interest, 0.0) - 0.25, 0, 1)
    energy_fit = 1.0 - 0.5 * np.abs(facts.energy - person.energy)
    over = np.maximum(facts.depth - person.depth_comfort, 0)
    under = np.maximum(person.depth_comfort - facts.depth, 0)
    depth_fit = np.clip(1.0 - 0.4 * over - 0.15 * under, 0.0, 1.0)
    novelty_fit = 1.0 - np.abs(person.novelty_appetite - (facts.novelty - 1) / 2.0)
    shares = TRUTH_SHARES
    utility = (
        shares["type"] * type_fit
        + shares["interest"] * interest_fit
        + shares["energy"] * energy_fit
        + shares["depth"] * depth_fit
        + shares["novelty"] * novelty_fit
    )
    for tag in person.dislikes:
        utility -= DISLIKE_PENALTY * facts.tagged(tag)
    return np.asarray(np.clip(utility, 0.0, 1.0))


def allowed_items(
    a: PersonProfile,
    b: PersonProfile,
    ctx: PairContext,
    facts: CatalogFacts,
    done: frozenset[str] = frozenset(),
) -> Mask:
    """Joint activities within both people's stated limits and the context.

    The independent checker: written from the profiles' and activities'
    fields, not closer's constraint masks. ``done`` holds activity ids the
    pair did recently (never repeated).

    Examples
    --------
    >>> import recommender as rc
    >>> facts = CatalogFacts.of(rc.default_catalog().activities)
    >>> a = rc.PersonProfile(name="A", max_depth=1, max_contact="none")
    >>> ok = allowed_items(a, rc.PersonProfile(name="B"), rc.PairContext(), facts)
    >>> bool((facts.depth[ok] <= 1).all() and (facts.contact[ok] == 0).all())
    True
    """
    depth = min([a.max_depth, b.max_depth] + [OBSTACLE_DEPTH.get(o, 5) for o in ctx.obstacles])
    budget = min(a.budget, b.budget, 3 if ctx.budget is None else ctx.budget)
    touch = min(
        CONTACT_RANK[a.max_contact], CONTACT_RANK[b.max_contact], TOUCH_ALLOWED[ctx.relationship]
    )
    ok = facts.joint & (facts.depth <= depth) & (facts.cost <= budget) & (facts.contact <= touch)
    ok &= facts.suits(ctx.relationship)
    if a.limited_mobility or b.limited_mobility:
        ok &= facts.accessible
    if ctx.minutes is not None:
        ok &= facts.minutes <= ctx.minutes
    if ctx.remote:
        ok &= facts.remote
    if ctx.setting in (Setting.indoor, Setting.outdoor):
        ok &= np.array([s in (ctx.setting, Setting.any) for s in facts.setting], bool)
    for word in (*a.avoid, *b.avoid):
        ok &= ~facts.mentions(word)
    gone = ctx.exclude | done
    if gone:
        ok &= np.array([i not in gone for i in facts.ids], bool)
    return np.asarray(ok)
