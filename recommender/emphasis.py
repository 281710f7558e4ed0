"""Obstacles and goals shift emphasis: small, named bonuses on the pair score.

Hard limits live in :mod:`recommender.constraints` (trust, attachment and
mental_health also cap depth there). Here each obstacle favours the kind of
activity that research ties to getting past it, and each goal favours the
intimacy types the pair wants to grow:

===============  ==============================================================
trust            gentle, low-risk items (tag ``gentle``, or depth 1-2)
attachment       predictable, low-pressure items (tag ``low-pressure``,
                 or novelty 1)
communication    listening practice and clear-talk items
criticism        appreciation practice (fondness counters contempt)
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

from .features import (
    FLAG_CLEAR_TALK,
    FLAG_GENTLE,
    FLAG_LOW_PRESSURE,
    PRACTICES,
    TYPES,
    ItemTable,
)
from .schema import Obstacle, PairContext, Practice

__all__ = ["GOAL_BONUS", "OBSTACLE_BONUS", "bonus", "obstacle_matches"]

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
    rows = {
        Obstacle.trust: gentle,
        Obstacle.attachment: low_pressure | (items.novelty == 1),
        Obstacle.communication: (practice == PRACTICES.index(Practice.listening))
        | items.has_flag(FLAG_CLEAR_TALK),
        Obstacle.criticism: practice == PRACTICES.index(Practice.appreciation),
        Obstacle.mental_health: low_pressure | (items.energy == 0),
    }
    return np.stack([rows[o] for o in OBSTACLES])


def bonus(
    contexts: Sequence[PairContext],
    items: ItemTable,
    matches: npt.NDArray[np.bool_],
    novelty_weight: float,
) -> F32:
    """Emphasis bonus of every item for each context: ``(len(contexts), n_items)``."""
    obstacle_rows = np.array([[o in c.obstacles for o in OBSTACLES] for c in contexts], np.float32)
    goal_rows = np.array([[t in c.goals for t in TYPES] for c in contexts], np.float32)
    goal_rows /= np.maximum(goal_rows.sum(axis=1, keepdims=True), 1.0)
    out = (obstacle_rows * np.float32(OBSTACLE_BONUS)) @ matches.astype(np.float32)
    out += (goal_rows * np.float32(GOAL_BONUS)) @ items.intimacy.T
    out += np.float32(novelty_weight * 0.5) * (items.novelty - 1).astype(np.float32)[None, :]
    return out.astype(np.float32, copy=False)
