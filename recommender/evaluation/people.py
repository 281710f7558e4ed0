"""Simulated people: a hidden truth, and the noisy, partial profile each would write.

A :class:`~recommender.evaluation.truth.LatentPerson` is drawn from latent
preferences (true type weights, a few true interests taken from the
catalogue's own tags, a depth comfort, an energy level, dislikes). closer
only ever receives :func:`reported_profile`: what that person would write in
the questionnaire, with the noise of :class:`ReportNoise` (weights blurred and
rounded to the questionnaire's steps, types and interests left out, a stray
interest, a depth limit off by one, energy or dislikes not mentioned).
Hard limits the person states as limits (touch, mobility, budget) are
reported as they are.
"""

from __future__ import annotations

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ..schema import Energy, PersonProfile
from .truth import TYPE_ORDER, LatentPerson

__all__ = ["INTEREST_TAGS", "ReportNoise", "draw_person", "reported_profile"]

Rng = np.random.Generator

#: Catalogue tags a person may enjoy or dislike (tags about how an activity is
#: run, or about support services, are left out).
INTEREST_TAGS: tuple[str, ...] = (
    "adventure", "animals", "art", "awe", "board-games", "challenge", "cooking", "crafts",
    "dance", "dreams", "faith", "family-history", "food", "future", "games", "gardening",
    "history", "humor", "learning", "letters", "memories", "mindfulness", "movement",
    "movies", "music", "nature", "photography", "planning", "play", "puzzles", "reading",
    "ritual", "science", "sport", "stars", "surprise", "travel", "volunteering", "walking",
    "water", "writing",
)  # fmt: skip

ENERGY_NAMES = (Energy.low, Energy.medium, Energy.high)


class ReportNoise(BaseModel):
    """How far what people write is from what they are (all probabilities 0..1).

    Examples
    --------
    >>> ReportNoise().weight_step, ReportNoise(depth_off=0.0).depth_off
    (0.25, 0.0)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    weight_sd: float = Field(default=0.12, ge=0.0, le=1.0)
    """Standard deviation of the blur on each stated type weight."""
    weight_step: float = Field(default=0.25, gt=0.0, le=1.0)
    """Stated weights are rounded to this step (the questionnaire's 0..4 scale)."""
    type_missing: float = Field(default=0.2, ge=0.0, le=1.0)
    """Chance a type is left out (closer then assumes 0.5)."""
    interest_missing: float = Field(default=0.35, ge=0.0, le=1.0)
    """Chance a true interest is not written down."""
    interest_extra: float = Field(default=0.25, ge=0.0, le=1.0)
    """Chance of one stray interest the person does not really care about."""
    depth_off: float = Field(default=0.3, ge=0.0, le=1.0)
    """Chance the stated max_depth is one off the true comfort."""
    energy_missing: float = Field(default=0.3, ge=0.0, le=1.0)
    """Chance the energy level is not stated."""
    dislike_missing: float = Field(default=0.3, ge=0.0, le=1.0)
    """Chance a dislike is not listed under 'avoid'."""


def _as_words(tag: str) -> str:
    return tag.replace("-", " ")


def reported_profile(person: LatentPerson, noise: ReportNoise, rng: Rng) -> PersonProfile:
    """The profile ``person`` would write, drawn with ``noise``.

    Examples
    --------
    >>> p = LatentPerson("p1", (0.2, 0.9, 0.5, 0.1, 0.4), ("cooking",), ("sport",), 3, 1, 0.5)
    >>> exact = ReportNoise(weight_sd=0, type_missing=0, interest_missing=0,
    ...                     interest_extra=0, depth_off=0, energy_missing=0, dislike_missing=0)
    >>> profile = reported_profile(p, exact, np.random.default_rng(0))
    >>> profile.interests, profile.avoid, profile.max_depth, profile.weight("emotional")
    (('cooking',), ('sport',), 3, 1.0)
    """
    intimacy = {}
    for t, true in zip(TYPE_ORDER, person.weights, strict=True):
        if rng.random() < noise.type_missing:
            continue
        blurred = float(np.clip(true + rng.normal(0.0, noise.weight_sd), 0.0, 1.0))
        intimacy[t] = round(round(blurred / noise.weight_step) * noise.weight_step, 4)
    interests = [_as_words(i) for i in person.interests if rng.random() >= noise.interest_missing]
    if rng.random() < noise.interest_extra:
        spare = [t for t in INTEREST_TAGS if t not in person.interests + person.dislikes]
        interests.append(_as_words(str(rng.choice(spare))))
    depth = person.depth_comfort
    if rng.random() < noise.depth_off:
        depth = int(np.clip(depth + rng.choice([-1, 1]), 1, 5))
    energy = None if rng.random() < noise.energy_missing else ENERGY_NAMES[person.energy]
    avoid = [_as_words(d) for d in person.dislikes if rng.random() >= noise.dislike_missing]
    return PersonProfile(
        name=person.name,
        intimacy=intimacy,
        interests=tuple(interests),
        avoid=tuple(avoid),
        max_depth=depth,
        budget=person.budget,
        energy=energy,
        max_contact=person.max_contact,
        limited_mobility=person.limited_mobility,
    )


def draw_person(rng: Rng, name: str, **fixed: object) -> LatentPerson:
    """An everyday simulated person; ``fixed`` pins any :class:`LatentPerson` field.

    Examples
    --------
    >>> p = draw_person(np.random.default_rng(1), "p1", depth_comfort=2)
    >>> p.depth_comfort, len(p.weights), 2 <= len(p.interests) <= 4
    (2, 5, True)
    """
    interests = tuple(str(t) for t in rng.choice(INTEREST_TAGS, rng.integers(2, 5), replace=False))
    spare = [t for t in INTEREST_TAGS if t not in interests]
    dislikes = tuple(str(t) for t in rng.choice(spare, rng.integers(0, 3), replace=False))
    drawn: dict[str, object] = {
        "name": name,
        "weights": tuple(float(w) for w in rng.beta(2.0, 2.0, 5)),
        "interests": interests,
        "dislikes": dislikes,
        "depth_comfort": int(rng.integers(2, 6)),
        "energy": int(rng.integers(0, 3)),
        "novelty_appetite": float(rng.random()),
        "budget": int(rng.choice([0, 1, 1, 2, 3])),
    }
    drawn.update(fixed)
    return LatentPerson(**drawn)  # type: ignore[arg-type]
