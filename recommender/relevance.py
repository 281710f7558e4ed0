"""Per-person relevance: how well every activity fits one person, in [0, 1].

A person's fit with an activity blends three parts, each in [0, 1]:

``type``      the person's weights for the five intimacy types, averaged over
              the activity's own mix (``sum_t w_t * share_t``). It is the core
              promise, how each person likes to connect, so it always counts
              and carries the rest of the weight.
``interest``  cosine between the person's interests and the activity's text
              (TF-IDF), rescaled from :data:`INTEREST_FLOOR` (0) to
              :data:`INTEREST_SATURATION` (1): a handful of words rarely
              reaches a high cosine with a paragraph, one clear hit ("cooking"
              in a cooking class) should count fully, and a passing mention
              ("how to cook rice" in a story prompt) only a little.
              The query is the sum of each interest's own unit TF-IDF vector,
              so the cosine is the sum of the per-interest cosines: a clear
              hit on one of three interests counts as much as the same hit for
              a person who named only that one, and a second hit adds. (One
              joined query gave the hit a fraction of its cosine, the smaller
              the more or the rarer the other words, so naming more interests
              made each count less; ``closer evaluate`` measured the fix, see
              README "Evaluation".)
              Weight ``interest_weight`` (default 0.35), only when the
              person's interests use words the catalogue knows.
``energy``    1 for the person's energy level, 0.5 one step away, 0 two away.
              Weight ``energy_weight`` (default 0.10), only when set.

The weights of the parts a person has are rescaled to sum to 1, so a profile
with intimacy weights only is scored on them alone rather than capped low.
Raising a person's weight for a type never lowers their fit with any activity.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import numpy.typing as npt

from ._linalg import exact_matmul, on_grid
from .features import TYPES, ItemTable, TextSpace
from .schema import ENERGY_LEVEL, PersonProfile
from .text import related_words

__all__ = [
    "INTEREST_SATURATION",
    "PersonVector",
    "encode_person",
    "person_basis",
    "relevance",
]

F32 = npt.NDArray[np.float32]

#: Interest cosine at which the interest part reaches 1 (an activity tagged with
#: the interest scores about 0.22-0.37 on the bundled catalogue).
INTEREST_SATURATION = 0.28
#: From this many people at once, interests are scored on sparse cells.
SPARSE_PEOPLE = 16
#: Interest cosine below which it counts for nothing (a passing mention of the
#: word in a description scores about 0.13-0.18).
INTEREST_FLOOR = 0.08


class PersonVector(NamedTuple):
    """A profile in the fitted space: intimacy weights, interest terms, energy.

    A named tuple: made for every person of every pair, and about six times
    cheaper to build than a frozen dataclass.
    """

    weights: F32  # (5,)
    terms: npt.NDArray[np.int32]
    term_weights: F32
    energy: int  # -1 when unstated


def encode_person(profile: PersonProfile, text: TextSpace) -> PersonVector:
    """Map a profile into the fitted space (no scikit-learn needed).

    Examples
    --------
    >>> import recommender as rc
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> v = encode_person(rc.PersonProfile(name="A", interests=["cooking"]), model.text_)
    >>> v.weights.tolist(), len(v.terms) > 0
    ([0.5, 0.5, 0.5, 0.5, 0.5], True)
    """
    stated = profile.intimacy  # keyed by IntimacyType; unstated types count 0.5
    weights = np.array([stated.get(t, 0.5) for t in TYPES], np.float32)
    terms, term_weights = _interest_query(profile.interests, text)
    energy = -1 if profile.energy is None else ENERGY_LEVEL[profile.energy]
    return PersonVector(weights, terms, term_weights, energy)


def _interest_query(interests: Sequence[str], text: TextSpace) -> tuple[npt.NDArray[np.int32], F32]:
    """The sum of each interest's own unit TF-IDF vector (see the module docstring)."""
    parts = [text.unit_vector(w) for w in dict.fromkeys(map(related_words, interests))]
    parts = [p for p in parts if len(p[0])]
    if not parts:
        return np.empty(0, np.int32), np.empty(0, np.float32)
    if len(parts) == 1:
        return parts[0][0], parts[0][1]
    summed: dict[int, float] = {}
    for _, _, pairs in parts:  # a handful of terms: plain Python beats np.unique
        for term, weight in pairs:
            summed[term] = summed.get(term, 0.0) + weight
    ordered = sorted(summed)
    return np.array(ordered, np.int32), np.array([summed[t] for t in ordered], np.float32)


def person_basis(items: ItemTable) -> F32:
    """``(8, n_items)`` rows a person's fit is a weighted sum of (fitted once).

    Rows 0-4: each activity's intimacy share per type; rows 5-7: its energy fit
    for a person of low, medium and high energy (1, 0.5 one step away, 0 two).
    """
    levels = np.arange(3, dtype=np.float32)[:, None]
    energy_fit = 1.0 - np.abs(levels - items.energy[None, :]) * 0.5
    return np.ascontiguousarray(on_grid(np.vstack([items.share.T, energy_fit])))


def relevance(
    people: Sequence[PersonVector],
    basis: F32,
    text: TextSpace,
    *,
    interest_weight: float,
    energy_weight: float,
    columns: npt.NDArray[np.intp] | None = None,
) -> F32:
    """Fit of each person with every activity: a ``(len(people), n_items)`` array in [0, 1].

    ``basis`` is :func:`person_basis` of the fitted items: the intimacy and
    energy parts are one small matrix product; interests walk the postings.
    With ``columns`` (ascending item rows), only those activities are scored,
    ``basis`` holds only their columns, and the result equals the full one's
    ``[:, columns]``.
    """
    n_people = len(people)
    has_interest = np.array([len(p.terms) > 0 for p in people])
    energy = np.array([p.energy for p in people])
    w_interest = np.where(has_interest, interest_weight, 0.0)
    w_energy = np.where(energy >= 0, energy_weight, 0.0)
    w_type = 1.0 - interest_weight - energy_weight
    total = w_type + w_interest + w_energy
    mix = np.zeros((n_people, basis.shape[0]), np.float32)
    mix[:, :5] = np.stack([p.weights for p in people]) * (w_type / total)[:, None]
    rated = np.flatnonzero(energy >= 0)
    mix[rated, 5 + energy[rated]] = (w_energy / total)[rated]
    fit = exact_matmul(on_grid(mix), basis)
    if has_interest.any():
        queries = [(p.terms, p.term_weights) for p in people]
        # Per person: (cos - floor) / (saturation - floor), clipped to [0, 1], times
        # the interest share. A block of people works on the non-zero cells only.
        scale = (w_interest / total).astype(np.float32) * np.float32(
            1.0 / (INTEREST_SATURATION - INTEREST_FLOOR)
        )
        ceiling = np.float32(INTEREST_SATURATION - INTEREST_FLOOR)
        if n_people >= SPARSE_PEOPLE and columns is None:
            # Most cells are passing mentions under the floor, worth 0: left out.
            rows, items, cosine = text.cosine_cells(queries, above=INTEREST_FLOOR)
            cosine -= np.float32(INTEREST_FLOOR)
            np.minimum(cosine, ceiling, out=cosine)
            cosine *= scale[rows]
            # unique cells: add.at is ``flat[cells] += cosine``, several times faster
            np.add.at(fit.reshape(-1), rows * fit.shape[1] + items, cosine)
        else:
            dense = text.cosine(queries, columns)
            dense -= np.float32(INTEREST_FLOOR)
            np.clip(dense, 0.0, ceiling, out=dense)
            dense *= scale[:, None]
            fit += dense
    return np.clip(fit, 0.0, 1.0, out=fit)
