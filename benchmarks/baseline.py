"""The baseline to beat: "the usual scikit-learn recipe" from the issue.

Fit a ``TfidfVectorizer`` (default settings) on each activity's title,
description and tags; for each pair, ``transform`` the two profiles' interest
texts, ``cosine_similarity`` against the whole item matrix, combine the two
rows with the minimum (least misery), ``argsort`` and take the top ``k``. No
constraints, no re-ranking, no explanations: it is the floor a hand-rolled
recommender starts from, measured on the same catalogue and pairs as ours.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

import recommender as rc

__all__ = ["SklearnBaseline", "baseline_texts"]


def baseline_texts(activities: Iterable[rc.Activity]) -> list[str]:
    """Title, description and tags of each activity, as one text."""
    return [f"{a.title} {a.description} {' '.join(a.tags)}" for a in activities]


class SklearnBaseline:
    """TF-IDF + cosine + minimum + argsort, per pair.

    Examples
    --------
    >>> import recommender as rc
    >>> base = SklearnBaseline().fit(rc.default_catalog())
    >>> ana = rc.PersonProfile(name="Ana", interests=["cooking", "music"])
    >>> ben = rc.PersonProfile(name="Ben", interests=["cooking"])
    >>> len(base.recommend(ana, ben, k=3))
    3
    """

    def fit(self, catalog: Iterable[rc.Activity]) -> SklearnBaseline:
        """Fit the vectorizer on the catalogue's texts; returns ``self``."""
        activities = list(catalog)
        self.ids_ = [a.id for a in activities]
        return self.fit_texts(baseline_texts(activities))

    def fit_texts(self, texts: Sequence[str]) -> SklearnBaseline:
        """The vectorizer fit alone (what the fit benchmark times)."""
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.vectorizer_ = TfidfVectorizer()
        self.matrix_: Any = self.vectorizer_.fit_transform(texts)
        return self

    def scores(self, a: rc.PersonProfile, b: rc.PersonProfile) -> npt.NDArray[np.float64]:
        """The pair's score for every item: the minimum of the two cosines."""
        from sklearn.metrics.pairwise import cosine_similarity

        queries = self.vectorizer_.transform([" ".join(a.interests), " ".join(b.interests)])
        similarity = cosine_similarity(queries, self.matrix_)
        return np.asarray(np.minimum(similarity[0], similarity[1]))

    def recommend(self, a: rc.PersonProfile, b: rc.PersonProfile, *, k: int = 10) -> list[str]:
        """Ids of the top ``k`` items for the pair."""
        pair = self.scores(a, b)
        top = np.argsort(pair)[::-1][:k]
        return [self.ids_[i] for i in top.tolist()]
