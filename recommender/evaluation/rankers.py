"""What is compared: closer's strategies and three baselines, behind one protocol.

A :class:`Ranker` turns a batch of ``(a, b, context)`` triples into lists of
row numbers of the fitted model's activities (``model.activity_ids_`` order),
best first, at most ``k`` long.

The baselines get the same hard limits as closer, through closer's own
feasibility masks (:func:`recommender.constraints.feasible`, support services
left out as closer leaves them out); the harness then checks every list,
closer's and the baselines', with its independent checker.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from ..constraints import PairLimits, feasible
from ..model import STRATEGIES, Recommender
from ..schema import Catalog, PairContext, PersonProfile

__all__ = [
    "CloserRanker",
    "PopularRanker",
    "RandomRanker",
    "Ranker",
    "TfidfRanker",
    "closer_rankers",
    "ranker_name",
]

Triple = tuple[PersonProfile, PersonProfile, PairContext]
Lists = list[list[int]]


class Ranker(Protocol):
    """Anything that ranks activities for pairs."""

    name: str

    def rank(self, triples: Sequence[Triple], k: int) -> Lists:
        """Per triple, up to ``k`` activity rows, best first."""
        ...


def ranker_name(strategy: str, rerank: bool) -> str:
    """``fair+rerank``, ``least_misery``, ...: the strategy, and whether it re-ranks.

    Examples
    --------
    >>> ranker_name("fair", True), ranker_name("product", False)
    ('fair+rerank', 'product')
    """
    return f"{strategy}+rerank" if rerank else strategy


class CloserRanker:
    """A fitted :class:`Recommender`, asked with ``recommend_many``."""

    def __init__(self, model: Recommender) -> None:
        self.model = model
        reranks = model.strategy == "fair" if model.rerank is None else model.rerank
        self.name = ranker_name(model.strategy, bool(reranks))

    def rank(self, triples: Sequence[Triple], k: int) -> Lists:
        rows = self.model.index_
        lists = self.model.recommend_many(triples, k=k)
        return [[rows[s.activity.id] for s in suggestions] for suggestions in lists]


def closer_rankers(catalog: Catalog) -> list[CloserRanker]:
    """Every strategy with the fairness re-ranker off and on, fitted on ``catalog``.

    Examples
    --------
    >>> import recommender as rc
    >>> names = [r.name for r in closer_rankers(rc.default_catalog())]
    >>> len(names), "fair+rerank" in names, "least_misery+rerank" in names
    (12, True, True)
    """
    return [
        CloserRanker(Recommender(strategy=strategy, rerank=rerank).fit(catalog))
        for strategy in STRATEGIES
        for rerank in (False, True)
    ]


def closer_feasible(model: Recommender, triples: Sequence[Triple]) -> npt.NDArray[np.bool_]:
    """closer's own hard limits for each triple, support services left out: ``(P, n)``."""
    limits = PairLimits.of(triples, model.items_, model.text_, model.index_)
    allowed = feasible(limits, model.items_)
    allowed[:, model.support_rows_] = False
    return allowed


def _best_first(scores: npt.NDArray[Any], allowed: npt.NDArray[np.bool_], k: int) -> Lists:
    """The ``k`` highest allowed scores per row; ties by row number."""
    out = []
    for row_scores, row_allowed in zip(scores, allowed, strict=True):
        rows = np.flatnonzero(row_allowed)
        order = np.lexsort((rows, -row_scores[rows]))[:k]
        out.append(rows[order].tolist())
    return out


class RandomRanker:
    """Random activities among those closer's limits allow (seeded)."""

    name = "random"

    def __init__(self, model: Recommender, seed: int) -> None:
        self.model = model
        self.rng = np.random.default_rng(seed)

    def rank(self, triples: Sequence[Triple], k: int) -> Lists:
        allowed = closer_feasible(self.model, triples)
        return _best_first(self.rng.random(allowed.shape), allowed, k)


class PopularRanker:
    """One fixed order for everyone (the crowd's favourites), within the limits.

    ``popularity`` is a score per activity row, e.g. the mean true utility
    of a separate crowd of simulated people (as a popularity baseline learns
    from other users' ratings).
    """

    name = "popular"

    def __init__(self, model: Recommender, popularity: npt.NDArray[np.float64]) -> None:
        self.model = model
        self.popularity = popularity

    def rank(self, triples: Sequence[Triple], k: int) -> Lists:
        allowed = closer_feasible(self.model, triples)
        return _best_first(np.broadcast_to(self.popularity, allowed.shape), allowed, k)


class TfidfRanker:
    """scikit-learn's ``TfidfVectorizer``: cosine between each activity's words and
    the two profiles' interests joined, within the limits."""

    name = "tfidf"

    def __init__(self, model: Recommender) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.model = model
        texts = [f"{a.title} {a.description} {' '.join(a.tags)}" for a in model.activities_]
        self.vectorizer = TfidfVectorizer()
        self.matrix = self.vectorizer.fit_transform(texts)

    def rank(self, triples: Sequence[Triple], k: int) -> Lists:
        from sklearn.metrics.pairwise import cosine_similarity

        queries = [" ".join([*a.interests, *b.interests]) for a, b, _ in triples]
        scores = cosine_similarity(self.vectorizer.transform(queries), self.matrix)
        return _best_first(scores, closer_feasible(self.model, triples), k)
