"""How a pair's past changes its next suggestions (no refit).

``Recommender.recommend(..., history=...)`` hands what the pair did, any
:class:`PastActivity` (the store's :class:`~recommender.store.PairHistory` is
one), to :func:`apply_histories`. Four things change:

No repeats
    Activities done (or skipped as "not for us") within ``window_days``
    (default 90) of ``today`` are a hard filter (the ``recent`` constraint).
    Repetition is why people abandon today's apps (RESEARCH.md); 90 days is
    roughly a season. A skip carries no ratings, so it moves no profile.
Each person's profile moves (Rocchio)
    ``q' = 1.0 q + 0.75 mean(liked) - 0.15 mean(disliked)`` per person, from
    *their own* ratings (liked: >= 4, disliked: <= 2), with the common values
    of Rocchio's weights. It is applied to the five intimacy weights (the
    items' ``intimacy`` rows; the result keeps the person's former L2 length
    and is clipped to 0..1) and to the interest vector (the items' TF-IDF
    rows; negatives clipped, then scaled back to the interest vector's former
    length, at least 1). Keeping the length matters: the
    type fit is a dot product, so the raw sum would raise the person's fit
    with *everything* after any good rating (in 26 simulated weeks the pair's
    scores ran away to +23%); kept, the update only turns the profile toward
    what they liked. Ratings are matched to people by lower-cased
    ``PersonProfile.name``.
Bad ratings lower an item
    An item either person last rated <= 2 loses :data:`DISLIKED_PENALTY`
    (0.2) of pair score. Top pair scores usually sit within about 0.1 of each
    other, so it drops out of the top of the list but can come back, lower,
    once the window has passed.
Fair across sessions
    When one person's mean rating over the pair's last :data:`FAIRNESS_RECORDS`
    (3) records is lower than the other's, the pair score gains
    ``FAIRNESS_LEAN * (gap / 4) * (fit_low - fit_other)`` (``FAIRNESS_LEAN`` =
    0.1; ``gap / 4`` is 0..1 on the 1-5 scale), so the list leans toward what
    suits whoever was served less (fairness over repeated sessions, see
    RESEARCH.md) without overriding either person's fit.

Reasons mention it: items like something a person rated >= 4 (same strongest
intimacy type and practice, or a shared tag) carry a note such as
"Ben rated Cook a dish from a new country 5".

This module is a step of the ranking core: it knows nothing of where a
history is kept. :class:`PastActivity` and :class:`PastRecord` say what it
reads; :mod:`recommender.store` satisfies them without importing this module,
and an app may pass any object of that shape. It talks to the model only
through its small public feedback interface (:meth:`Recommender.person_vectors`,
:meth:`Recommender.item_vector`, :meth:`Recommender.person_fit`) and its fitted
attributes (``activity_ids_``, ``index_``, ``items_``, ``strongest_``, ``activities_``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple, Protocol, runtime_checkable

from .errors import ConfigError

# numpy loads on first use, so importing recommender.history (which re-exports this
# module) stays as cheap as the store itself.
if TYPE_CHECKING:
    import numpy as np
    import numpy.typing as npt

    from .model import Recommender
    from .relevance import PersonVector
    from .schema import PairContext, PersonProfile

    F32 = npt.NDArray[np.float32]
    I32 = npt.NDArray[np.int32]
    Triple = tuple[PersonProfile, PersonProfile, PairContext]

__all__ = [
    "DISLIKED_PENALTY",
    "FAIRNESS_LEAN",
    "HistoryEffect",
    "PastActivity",
    "PastRecord",
    "apply_histories",
    "check_past",
]


#: Rocchio weights (Rocchio 1971): keep the profile, move toward liked, away from disliked.
ROCCHIO_ALPHA = 1.0
ROCCHIO_BETA = 0.75
ROCCHIO_GAMMA = 0.15
LIKED_MIN = 4
DISLIKED_MAX = 2
#: Pair-score penalty for an item either person last rated <= DISLIKED_MAX.
DISLIKED_PENALTY = 0.2
#: Largest lean toward the person served less, and over how many records it is judged.
FAIRNESS_LEAN = 0.1
FAIRNESS_RECORDS = 3
#: Liked records that seed reasons ("Ben rated ... 5"): the newest few are enough.
MAX_NOTE_SOURCES = 20
MAX_TITLE_CHARS = 48


class PastRecord(Protocol):
    """One thing a pair did, as feedback reads it (:class:`~recommender.store.HistoryRecord`).

    ``ratings`` maps a lower-cased person name to 1..5; a skip has none.

    Examples
    --------
    >>> import datetime as dt, recommender as rc
    >>> record: PastRecord = rc.HistoryRecord("stargaze", dt.date(2026, 1, 1), {"ana": 5})
    >>> record.ratings["ana"]
    5
    """

    @property
    def activity_id(self) -> str: ...

    @property
    def day(self) -> dt.date: ...

    @property
    def ratings(self) -> Mapping[str, int]: ...


@runtime_checkable
class PastActivity(Protocol):
    """What a pair did, as the ranking needs it: the ``history`` of ``recommend``.

    ``records`` hold the pair's ratings; ``recent_ids()`` the activities done
    within the pair's window, never suggested again. The store's
    :class:`~recommender.store.PairHistory` (``History.for_pair``) is one.

    Examples
    --------
    >>> import recommender as rc
    >>> isinstance(rc.PairHistory("ana-ben"), PastActivity), isinstance({"stargaze"}, PastActivity)
    (True, False)
    """

    @property
    def records(self) -> Sequence[PastRecord]: ...

    def recent_ids(self) -> Collection[str]: ...


class HistoryEffect(NamedTuple):
    """What pairs' histories do to their ranking, in the model's terms (:func:`apply_histories`).

    Examples
    --------
    >>> HistoryEffect._fields
    ('people', 'recent', 'notes', 'lean')
    """

    people: list[PersonVector]
    """Each person moved toward what they rated well: every first person, then every second."""
    recent: list[I32]
    """Per pair, the item rows done within its window (a hard filter)."""
    notes: list[dict[int, str]]
    """Per pair, item row -> a short reason naming who liked something similar."""
    lean: F32
    """``(P, n)``, added to the pair score: bad ratings and fairness across sessions."""


@dataclass(frozen=True)
class _Rated:
    """A known catalogue item one person rated, in the order of the pair's records."""

    item: int
    rating: int
    age: int  # 0 for the pair's newest record


def apply_histories(
    model: Recommender,
    triples: Sequence[Triple],
    people: Sequence[PersonVector],
    histories: Sequence[PastActivity],
) -> HistoryEffect:
    """Fold each pair's history into its people and scores (no refit).

    Parameters
    ----------
    model : Recommender
        The fitted recommender.
    triples : sequence of (PersonProfile, PersonProfile, PairContext)
        ``P`` pairs.
    people : sequence of PersonVector
        The encoded people, ``2P`` long: every first person, then every second.
    histories : sequence of PastActivity
        One per pair (:meth:`recommender.History.for_pair` gives one).

    Returns
    -------
    HistoryEffect
        A named tuple of:
    people : list of PersonVector
        Each person moved toward what they rated well (Rocchio).
    recent : list of int32 arrays
        Per pair, the items done within its window (a hard filter).
    notes : list of dict
        Per pair, item -> a short reason naming the person who liked something similar.
    lean : (P, n) float32
        Added to the pair score: bad ratings and fairness across sessions.

    Examples
    --------
    >>> import datetime as dt
    >>> import recommender as rc
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> ana, ben = rc.PersonProfile(name="Ana"), rc.PersonProfile(name="Ben")
    >>> done = model.activity_ids_[0]
    >>> snap = rc.PairHistory("ana-ben", (rc.HistoryRecord(done, dt.date(2025, 3, 1), {"ana": 1}),),
    ...                       today=dt.date(2025, 3, 8))
    >>> people, recent, notes, lean = apply_histories(
    ...     model, [(ana, ben, rc.PairContext())], model.person_vectors([ana, ben]), [snap])
    >>> recent[0].tolist(), round(float(lean[0, 0]), 2)
    ([0], -0.2)
    """
    import numpy as np

    n_pairs = len(triples)
    if len(people) != 2 * n_pairs or len(histories) != n_pairs:
        raise ConfigError(
            f"apply_histories needs 2 people and 1 history per pair: {n_pairs} pairs, "
            f"got {len(people)} people and {len(histories)} histories"
        )
    n_items = len(model.activity_ids_)
    index = model.index_
    strongest = model.strongest_  # fitted once (ties: IntimacyType order)
    out_people = list(people)
    recent: list[I32] = []
    notes: list[dict[int, str]] = []
    lean = np.zeros((n_pairs, n_items), np.float32)
    lower: list[tuple[int, int, float]] = []  # (pair, side served less, rating gap)
    for row, ((a, b, _), history) in enumerate(zip(triples, histories, strict=True)):
        check_past(history, row + 1)
        records = sorted(history.records, key=lambda r: r.day, reverse=True)
        ids = history.recent_ids()
        recent.append(np.array(sorted(index[i] for i in ids if i in index), np.int32))
        names = (a.name.strip().lower(), b.name.strip().lower())
        rated = [
            [
                _Rated(index[r.activity_id], r.ratings[name], age)
                for age, r in enumerate(records)
                if r.activity_id in index and name in r.ratings
            ]
            for name in names
        ]
        for side in (0, 1):
            slot = side * n_pairs + row
            out_people[slot] = _rocchio(model, people[slot], rated[side])
        lean[row, _disliked(rated)] -= np.float32(DISLIKED_PENALTY)
        gap = _rating_gap(records[:FAIRNESS_RECORDS], names)
        if gap is not None:
            lower.append((row, *gap))
        notes.append(_notes(model, (a, b), rated, strongest))
    if lower:
        rows = np.array([r for r, _, _ in lower])
        low = np.array([s for _, s, _ in lower])
        gaps = np.array([g for _, _, g in lower], np.float32)
        chosen = [out_people[s * n_pairs + r] for r, s in zip(rows, low, strict=True)]
        others = [out_people[(1 - s) * n_pairs + r] for r, s in zip(rows, low, strict=True)]
        fit = model.person_fit(chosen + others).reshape(2, len(lower), n_items)
        lean[rows] += (FAIRNESS_LEAN * gaps / 4.0)[:, None] * (fit[0] - fit[1])
    import logging  # here, not at import: a program's first use never loads it

    logging.getLogger(__name__).debug("applied %d pair histories", n_pairs)
    return HistoryEffect(out_people, recent, notes, lean)


def check_past(history: object, pair: int = 1) -> None:
    """Raise :class:`ConfigError` unless ``history`` (of pair number ``pair``) is a
    :class:`PastActivity`.

    Examples
    --------
    >>> import recommender as rc
    >>> check_past(rc.PairHistory("ana-ben"))
    >>> check_past({"stargaze"}, 2)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    recommender.errors.ConfigError: history for pair 2: expected a PairHistory (...), got set
    """
    if not isinstance(history, PastActivity):
        raise ConfigError(
            f"history for pair {pair}: expected a PairHistory (History.for_pair), "
            f"got {type(history).__name__}"
        )


def _rocchio(model: Recommender, person: PersonVector, rated: Sequence[_Rated]) -> PersonVector:
    """q' = alpha q + beta mean(liked) - gamma mean(disliked), on weights and interests."""
    import numpy as np

    from .relevance import PersonVector

    liked = [r.item for r in rated if r.rating >= LIKED_MIN]
    disliked = [r.item for r in rated if r.rating <= DISLIKED_MAX]
    if not liked and not disliked:
        return person
    intimacy = model.items_.intimacy
    weights = ROCCHIO_ALPHA * person.weights.astype(np.float64)
    # Rocchio turns the unit interest vector; the result keeps the vector's length
    # (sqrt of the interests named, see relevance.encode_person), at least 1.
    own = person.term_weights.astype(np.float64)
    length = float(np.sqrt(np.dot(own, own)))
    term_parts: list[I32] = [person.terms]
    weight_parts: list[npt.NDArray[np.float64]] = [
        ROCCHIO_ALPHA * (own / length if length > 0 else own)
    ]
    for items, factor in ((liked, ROCCHIO_BETA), (disliked, -ROCCHIO_GAMMA)):
        if not items:
            continue
        weights = weights + factor * intimacy[items].mean(axis=0)
        for item in items:
            row_terms, row_weights = model.item_vector(item)
            term_parts.append(row_terms)
            weight_parts.append(row_weights.astype(np.float64) * (factor / len(items)))
    all_terms = np.concatenate(term_parts)
    uniq, where = np.unique(all_terms, return_inverse=True)
    summed = np.bincount(where, weights=np.concatenate(weight_parts), minlength=len(uniq)).astype(
        np.float64
    )
    keep = summed > 1e-9  # Rocchio's negative part may cancel a term: drop it, never negative
    terms, summed = uniq[keep], summed[keep]
    norm = float(np.linalg.norm(summed))
    if norm > 0:
        summed = summed * (max(length, 1.0) / norm)
    return PersonVector(
        weights=_keep_level(weights, person.weights),
        terms=terms.astype(np.int32),
        term_weights=summed.astype(np.float32),
        energy=person.energy,
    )


def _keep_level(moved: npt.NDArray[np.float64], before: F32) -> F32:
    """Rescale moved weights to the person's former L2 norm, then clip to 0..1.

    Rocchio assumes cosine scoring, where a query's length does not matter; the
    type fit here is a dot product, so the raw sum would raise every activity's
    fit after any good rating (a few liked records push every weight to 1 and
    the types stop telling activities apart). Keeping the length makes the
    update what Rocchio means: a turn toward what the person liked.
    """
    import numpy as np

    moved = np.clip(moved, 0.0, None)
    size = float(np.linalg.norm(moved))
    if size > 0:
        moved = moved * (float(np.linalg.norm(before.astype(np.float64))) / size)
    return np.clip(moved, 0.0, 1.0).astype(np.float32)


def _disliked(rated: Sequence[Sequence[_Rated]]) -> I32:
    """Items either person last rated <= DISLIKED_MAX (a later good rating lifts it)."""
    import numpy as np

    bad: set[int] = set()
    for person in rated:
        latest: dict[int, int] = {}
        for r in person:  # newest first: keep the first rating seen per item
            latest.setdefault(r.item, r.rating)
        bad.update(item for item, rating in latest.items() if rating <= DISLIKED_MAX)
    return np.array(sorted(bad), np.int32)


def _rating_gap(records: Sequence[PastRecord], names: tuple[str, str]) -> tuple[int, float] | None:
    """(side rated lower, gap) over ``records``, or None when even or unknown."""
    means = []
    for name in names:
        scores = [r.ratings[name] for r in records if name in r.ratings]
        if not scores:
            return None
        means.append(sum(scores) / len(scores))
    if means[0] == means[1]:
        return None
    side = 0 if means[0] < means[1] else 1
    return side, abs(means[0] - means[1])


def _short_title(title: str) -> str:
    if len(title) <= MAX_TITLE_CHARS:
        return title
    cut = title[:MAX_TITLE_CHARS].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "…"


def _notes(
    model: Recommender,
    profiles: tuple[PersonProfile, PersonProfile],
    rated: Sequence[Sequence[_Rated]],
    strongest: npt.NDArray[np.int8],
) -> dict[int, str]:
    """Item -> "Ben rated <title> 5" for items like something a person rated well."""
    import numpy as np

    items = model.items_
    liked: dict[tuple[int, int], list[tuple[int, int]]] = {}  # (age, item) -> [(side, rating)]
    for side, person in enumerate(rated):
        for r in person:
            if r.rating >= LIKED_MIN:
                liked.setdefault((r.age, r.item), []).append((side, r.rating))
    if not liked:
        return {}
    # Weakest first, so the best (highest rated, then newest) source is written last.
    sources = sorted(liked.items(), key=lambda kv: (max(s[1] for s in kv[1]), -kv[0][0]))
    sources = sources[-MAX_NOTE_SOURCES:]
    source_of = np.full(len(items), -1, np.int32)
    texts: list[str] = []
    same_texts: list[str] = []
    for number, ((_, item), who) in enumerate(sources):
        similar = (strongest == strongest[item]) & (items.practice == items.practice[item])
        for tag in model.activities_[item].tags:
            similar[items.items_tagged(tag)] = True
        source_of[similar] = number
        names = " and ".join(profiles[side].name for side, _ in who)
        scores = " and ".join(str(rating) for _, rating in who)
        title = _short_title(model.activities_[item].title)
        texts.append(f"{names} rated {title} {scores}")
        same_texts.append(f"{names} rated it {scores} last time")
    # The liked items themselves (back after the window) get their own wording.
    same = {item: number for number, ((_, item), _) in enumerate(sources)}
    return {
        int(i): same_texts[same[i]] if same.get(i) == source_of[i] else texts[source_of[i]]
        for i in np.flatnonzero(source_of >= 0).tolist()
    }
