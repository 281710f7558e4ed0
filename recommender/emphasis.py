"""Obstacles and goals shift emphasis: small, named bonuses on the pair score.

Hard limits live in :mod:`recommender.constraints` (trust, attachment and
mental_health also cap depth there). Here each obstacle favours the kind of
activity that research ties to getting past it, and each goal favours the
intimacy types the pair wants to grow:

===============  ==============================================================
trust            gentle, low-risk items (tag ``gentle``, or depth 1-2)
attachment       predictable, low-pressure items (tag ``low-pressure``,
                 or novelty 1)
communication    listening and repair practice, and clear-talk items
criticism        appreciation practice (fondness counters contempt) and
                 repair practice (a soft start-up counters criticism)
mental_health    low-energy or low-pressure items; one support item is
                 added to the list by the recommender
goals            + ``GOAL_BONUS`` x the item's mean weight on the goal types
novelty          + ``novelty_weight`` x how new and exciting the item is
===============  ==============================================================
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ._linalg import exact_matmul, on_grid
from .features import (
    FLAG_CLEAR_TALK,
    FLAG_GENTLE,
    FLAG_LOW_PRESSURE,
    PRACTICES,
    TYPES,
    ItemTable,
)
from .schema import Obstacle, PairContext, Practice

__all__ = [
    "GOAL_BONUS",
    "OBSTACLE_BONUS",
    "bonus",
    "effect_basis",
    "obstacle_matches",
]

F32 = npt.NDArray[np.float32]
OBSTACLES = tuple(Obstacle)

#: How much an item that suits an obstacle gains on the pair score.
OBSTACLE_BONUS = 0.12
#: How much an item purely of a goal type gains.
GOAL_BONUS = 0.15


def obstacle_matches(items: ItemTable) -> npt.NDArray[np.bool_]:
    """``(5, n_items)``: which items suit each obstacle (rows in ``Obstacle`` order)."""
    gentle = items.has_flag(FLAG_GENTLE) | (items.depth <= 2)
    low_pressure = items.has_flag(FLAG_LOW_PRESSURE)
    practice = items.practice
    repair = practice == PRACTICES.index(Practice.repair)
    rows = {
        Obstacle.trust: gentle,
        Obstacle.attachment: low_pressure | (items.novelty == 1),
        Obstacle.communication: (practice == PRACTICES.index(Practice.listening))
        | repair
        | items.has_flag(FLAG_CLEAR_TALK),
        Obstacle.criticism: (practice == PRACTICES.index(Practice.appreciation)) | repair,
        Obstacle.mental_health: low_pressure | (items.energy == 0),
    }
    return np.stack([rows[o] for o in OBSTACLES])


def effect_basis(items: ItemTable, matches: npt.NDArray[np.bool_]) -> F32:
    """``(11, n_items)`` rows the emphasis bonus is a weighted sum of (fitted once).

    Rows 0-4: which items suit each obstacle; rows 5-9: intimacy weight per type
    (for goals); row 10: novelty, 0 for everyday to 1 for new and exciting.
    """
    novelty = ((items.novelty - 1) * 0.5)[None, :]
    rows = [matches, items.intimacy.T, novelty]
    return np.ascontiguousarray(on_grid(np.vstack(rows)))


def bonus(contexts: Sequence[PairContext], basis: F32, novelty_weight: float) -> F32:
    """Emphasis bonus of every item for each context: ``(len(contexts), n_items)``.

    ``basis`` is :func:`effect_basis` of the fitted items.
    """
    mix = np.zeros((len(contexts), basis.shape[0]), np.float32)
    for row, ctx in enumerate(contexts):
        for col, obstacle in enumerate(OBSTACLES):
            if obstacle in ctx.obstacles:
                mix[row, col] = OBSTACLE_BONUS
        goals = [col for col, t in enumerate(TYPES) if t in ctx.goals]
        for col in goals:
            mix[row, 5 + col] = GOAL_BONUS / len(goals)
    mix[:, 10] = novelty_weight
    return exact_matmul(on_grid(mix), basis)
