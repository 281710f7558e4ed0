"""What a pair has done: records, ratings, and their effect on the next suggestions.

(The SQLite store lands with the history issue; the snapshot types below are
the contract the recommender reads.)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

__all__ = ["HistoryRecord", "PairHistory", "pair_name"]

#: Days within which an activity a pair has done is not suggested again.
DEFAULT_WINDOW_DAYS = 90


def pair_name(a: str, b: str) -> str:
    """The default name of a pair: both names lower-cased, sorted, joined by '-'.

    Examples
    --------
    >>> pair_name("Ben", "Ana")
    'ana-ben'
    """
    return "-".join(sorted(n.strip().lower() for n in (a, b)))


@dataclass(frozen=True)
class HistoryRecord:
    """One thing a pair did: which activity, when, and how each person rated it (1-5)."""

    activity_id: str
    day: dt.date
    ratings: Mapping[str, int] = field(default_factory=dict)  # lower-cased person name -> 1..5


@dataclass(frozen=True)
class PairHistory:
    """A read-only snapshot of one pair's history, handed to ``Recommender.recommend``."""

    pair: str
    records: tuple[HistoryRecord, ...] = ()
    today: dt.date = field(default_factory=dt.date.today)
    window_days: int = DEFAULT_WINDOW_DAYS

    def recent_ids(self) -> set[str]:
        """Activity ids done within ``window_days`` of ``today``."""
        start = self.today - dt.timedelta(days=self.window_days)
        return {r.activity_id for r in self.records if r.day > start}
