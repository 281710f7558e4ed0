"""Seeded families of simulated pairs, each a kind of pair closer must serve well.

==================  ==========================================================
``similar``         close true weights, shared interests
``divergent``       opposite strongest types: each values little what the
                    other values most; no shared interests
``asymmetric``      one person with strong, narrow tastes and dislikes; the
                    other easy-going (flat weights, many interests)
``tight_limits``    one person allows no touch, depth 1 and needs activities
                    doable with limited mobility
``remote``          apart, over a call
``colleagues``      colleagues: no touch, depth at most 3
``parent_child``    a parent and a child: the child light, lively, playful
==================  ==========================================================

Pairs are a pure function of ``(family, seed, index)``, so a family's first
100 pairs are the same whether 100 or 300 are drawn.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..schema import Contact, PairContext, PersonProfile
from .people import INTEREST_TAGS, ReportNoise, draw_person, reported_profile
from .truth import LatentPerson

__all__ = ["FAMILIES", "PARENT_CHILD_RELATIONSHIP", "SimulatedPair", "make_pairs"]

Rng = np.random.Generator
Draw = Callable[[Rng, str], tuple[LatentPerson, LatentPerson, PairContext]]

#: The relationship of the parent_child family.
PARENT_CHILD_RELATIONSHIP = "parent-child"

MINUTES = (None, 45, 60, 90, 120, 180)
PLAYFUL_TAGS = ("play", "games", "animals", "crafts", "stars", "nature", "humor", "surprise")


@dataclass(frozen=True)
class SimulatedPair:
    """Two latent people, the profiles they wrote, and their situation."""

    name: str
    truth: tuple[LatentPerson, LatentPerson]
    profiles: tuple[PersonProfile, PersonProfile]
    context: PairContext


def _context(rng: Rng, **fixed: object) -> PairContext:
    values: dict[str, object] = {
        "relationship": str(rng.choice(["romantic", "romantic", "friends"])),
        "minutes": MINUTES[int(rng.integers(len(MINUTES)))],
    }
    values.update(fixed)
    return PairContext.model_validate(values)


def _similar(rng: Rng, name: str) -> tuple[LatentPerson, LatentPerson, PairContext]:
    a = draw_person(rng, f"{name}a")
    blur = rng.normal(0.0, 0.08, 5)
    weights = tuple(float(w) for w in np.clip(np.asarray(a.weights) + blur, 0.0, 1.0))
    spare = [t for t in INTEREST_TAGS if t not in a.interests + a.dislikes]
    interests = (*a.interests[:2], str(rng.choice(spare)))
    b = draw_person(
        rng, f"{name}b", weights=weights, interests=interests, dislikes=a.dislikes[:1],
        energy=a.energy, depth_comfort=a.depth_comfort,
    )  # fmt: skip
    return a, b, _context(rng)


def _opposed(rng: Rng, strong: int, weak: int) -> tuple[float, float, float, float, float]:
    weights = rng.uniform(0.2, 0.6, 5)
    weights[strong] = rng.uniform(0.85, 1.0)
    weights[weak] = rng.uniform(0.0, 0.15)
    return tuple(float(w) for w in weights)  # type: ignore[return-value]


def _divergent(rng: Rng, name: str) -> tuple[LatentPerson, LatentPerson, PairContext]:
    first, second = (int(t) for t in rng.choice(5, 2, replace=False))
    picked = [str(t) for t in rng.choice(INTEREST_TAGS, 6, replace=False)]
    a = draw_person(
        rng, f"{name}a", weights=_opposed(rng, first, second), interests=tuple(picked[:3])
    )
    b = draw_person(
        rng, f"{name}b", weights=_opposed(rng, second, first), interests=tuple(picked[3:]),
        dislikes=(), energy=2 - a.energy,
    )  # fmt: skip
    return a, b, _context(rng)


def _asymmetric(rng: Rng, name: str) -> tuple[LatentPerson, LatentPerson, PairContext]:
    weights = rng.uniform(0.0, 0.2, 5)
    weights[int(rng.integers(5))] = rng.uniform(0.9, 1.0)
    picked = [str(t) for t in rng.choice(INTEREST_TAGS, 10, replace=False)]
    narrow = draw_person(
        rng, f"{name}a", weights=tuple(float(w) for w in weights), interests=tuple(picked[:1]),
        dislikes=tuple(picked[1:4]), novelty_appetite=float(rng.uniform(0.0, 0.3)),
    )  # fmt: skip
    easy = draw_person(
        rng, f"{name}b", weights=tuple(float(w) for w in rng.uniform(0.55, 0.75, 5)),
        interests=tuple(picked[4:]), dislikes=(), energy=1, novelty_appetite=0.5,
        depth_comfort=4,
    )  # fmt: skip
    return narrow, easy, _context(rng)


def _tight_limits(rng: Rng, name: str) -> tuple[LatentPerson, LatentPerson, PairContext]:
    tight = draw_person(
        rng, f"{name}a", max_contact=Contact.none, depth_comfort=1, limited_mobility=True,
    )  # fmt: skip
    return tight, draw_person(rng, f"{name}b"), _context(rng)


def _remote(rng: Rng, name: str) -> tuple[LatentPerson, LatentPerson, PairContext]:
    a, b = draw_person(rng, f"{name}a"), draw_person(rng, f"{name}b")
    return a, b, _context(rng, remote=True)


def _colleagues(rng: Rng, name: str) -> tuple[LatentPerson, LatentPerson, PairContext]:
    work = {"max_contact": Contact.none, "depth_comfort": int(rng.integers(1, 4))}
    a, b = draw_person(rng, f"{name}a", **work), draw_person(rng, f"{name}b", **work)
    return a, b, _context(rng, relationship="colleagues", minutes=int(rng.choice([30, 60, 90])))


def _parent_child(rng: Rng, name: str) -> tuple[LatentPerson, LatentPerson, PairContext]:
    parent = draw_person(rng, f"{name}a", max_contact=Contact.casual)
    playful = tuple(str(t) for t in rng.choice(PLAYFUL_TAGS, 3, replace=False))
    child = draw_person(
        rng, f"{name}b", interests=playful, energy=2, depth_comfort=int(rng.integers(1, 3)),
        novelty_appetite=float(rng.uniform(0.6, 1.0)), budget=0, max_contact=Contact.casual,
    )  # fmt: skip
    return parent, child, _context(rng, relationship=PARENT_CHILD_RELATIONSHIP)


#: Family name -> how one of its pairs is drawn.
FAMILIES: dict[str, Draw] = {
    "similar": _similar,
    "divergent": _divergent,
    "asymmetric": _asymmetric,
    "tight_limits": _tight_limits,
    "remote": _remote,
    "colleagues": _colleagues,
    "parent_child": _parent_child,
}


def make_pairs(
    family: str, n: int, seed: int, noise: ReportNoise | None = None
) -> list[SimulatedPair]:
    """The first ``n`` pairs of ``family`` for ``seed``; the truth, then the reports.

    Examples
    --------
    >>> pairs = make_pairs("tight_limits", 3, seed=7)
    >>> [p.profiles[0].max_depth for p in pairs], pairs == make_pairs("tight_limits", 3, 7)
    ([1, 1, 1], True)
    """
    draw, noise = FAMILIES[family], noise or ReportNoise()
    family_key = zlib.crc32(family.encode())
    pairs = []
    for index in range(n):
        rng = np.random.default_rng([seed, family_key, index])
        name = f"{family.replace('_', '-')}-{index}"
        a, b, ctx = draw(rng, name)
        reports = [reported_profile(p, noise, rng) for p in (a, b)]
        if family == "tight_limits":  # a tight limit is stated exactly, never loosened
            reports[0] = reports[0].model_copy(update={"max_depth": 1})
        pairs.append(SimulatedPair(name, (a, b), (reports[0], reports[1]), ctx))
    return pairs
