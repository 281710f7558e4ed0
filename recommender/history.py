"""Old home of the history store and its effect on ranking; kept so imports keep working.

The store is :mod:`recommender.store` (:class:`History`, :class:`PairHistory`,
:class:`HistoryRecord`, :func:`normalize_pair`, :func:`pair_name`,
:func:`default_history_path`); what a history does to suggestions is
:mod:`recommender.feedback` (:func:`apply_histories`). New code imports from
those; this module only re-exports them.

Examples
--------
>>> from recommender.history import History
>>> from recommender.store import History as StoreHistory
>>> History is StoreHistory
True
"""

from __future__ import annotations

from .feedback import (
    DISLIKED_MAX,
    DISLIKED_PENALTY,
    FAIRNESS_LEAN,
    FAIRNESS_RECORDS,
    LIKED_MIN,
    ROCCHIO_ALPHA,
    ROCCHIO_BETA,
    ROCCHIO_GAMMA,
    apply_histories,
)
from .store import (
    APPLICATION_ID,
    DEFAULT_TIMEOUT,
    DEFAULT_WINDOW_DAYS,
    MAX_DAYS_AHEAD,
    MAX_SNAPSHOT_RECORDS,
    MIGRATIONS,
    SCHEMA_VERSION,
    History,
    HistoryRecord,
    PairHistory,
    default_history_path,
    normalize_pair,
    pair_name,
)

__all__ = [
    "APPLICATION_ID",
    "DEFAULT_TIMEOUT",
    "DEFAULT_WINDOW_DAYS",
    "DISLIKED_MAX",
    "DISLIKED_PENALTY",
    "FAIRNESS_LEAN",
    "FAIRNESS_RECORDS",
    "LIKED_MIN",
    "MAX_DAYS_AHEAD",
    "MAX_SNAPSHOT_RECORDS",
    "MIGRATIONS",
    "ROCCHIO_ALPHA",
    "ROCCHIO_BETA",
    "ROCCHIO_GAMMA",
    "SCHEMA_VERSION",
    "History",
    "HistoryRecord",
    "PairHistory",
    "apply_histories",
    "default_history_path",
    "normalize_pair",
    "pair_name",
]
