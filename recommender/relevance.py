"""Per-person relevance: how well every activity fits one person, in [0, 1].

A person's fit with an activity blends three parts, each in [0, 1]:

``type``      the person's weights for the five intimacy types, averaged over
              the activity's own mix (``sum_t w_t * share_t``). It is the core
              promise, how each person likes to connect, so it always counts
              and carries the rest of the weight.
``interest``  cosine between the person's interests and the activity's text
              (TF-IDF), saturating at :data:`INTEREST_SATURATION`: a handful
              of words rarely reaches a high cosine with a paragraph, and one
              clear hit ("cooking" in a cooking class) should count fully.
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
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .features import TYPES, ItemTable, TextSpace
from .schema import ENERGY_LEVEL, PersonProfile
from .text import related_words

__all__ = ["INTEREST_SATURATION", "PersonVector", "encode_person", "relevance"]

F32 = npt.NDArray[np.float32]

#: Interest cosine at which the interest part reaches 1.
INTEREST_SATURATION = 0.25


@dataclass(frozen=True)
class PersonVector:
    """A profile in the fitted space: intimacy weights, interest terms, energy."""

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
    weights = np.array([profile.weight(t) for t in TYPES], np.float32)
    terms, term_weights = text.encode(" ".join(related_words(w) for w in profile.interests))
    energy = -1 if profile.energy is None else ENERGY_LEVEL[profile.energy]
    return PersonVector(weights, terms, term_weights, energy)


def relevance(
    people: Sequence[PersonVector],
    items: ItemTable,
    text: TextSpace,
    *,
    interest_weight: float,
    energy_weight: float,
) -> F32:
    """Fit of each person with every activity: a ``(len(people), n_items)`` array in [0, 1]."""
    weights = np.stack([p.weights for p in people])
    type_fit = weights @ items.share.T  # (P, n): the share rows sum to 1
    has_interest = np.array([len(p.terms) > 0 for p in people])
    has_energy = np.array([p.energy >= 0 for p in people])
    w_interest = np.where(has_interest, interest_weight, 0.0).astype(np.float32)
    w_energy = np.where(has_energy, energy_weight, 0.0).astype(np.float32)
    w_type = np.float32(1.0) - np.float32(interest_weight) - np.float32(energy_weight)
    total = w_type + w_interest + w_energy
    fit = type_fit * (w_type / total)[:, None]
    if has_interest.any():
        cosine = text.cosine([(p.terms, p.term_weights) for p in people])
        interest_fit = np.minimum(cosine * np.float32(1.0 / INTEREST_SATURATION), 1.0)
        fit += interest_fit * (w_interest / total)[:, None]
    if has_energy.any():
        energy = np.array([max(p.energy, 0) for p in people], np.float32)
        gap = np.abs(energy[:, None] - items.energy[None, :].astype(np.float32))
        fit += (1.0 - gap * np.float32(0.5)) * (w_energy / total)[:, None]
    return np.clip(fit, 0.0, 1.0).astype(np.float32, copy=False)
