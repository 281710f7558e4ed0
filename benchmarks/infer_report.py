"""How well can intimacy types be inferred from an activity's words? (issue 9)

Usage::

    python benchmarks/infer_report.py             # shipped model + candidates, ~30 s
    python benchmarks/infer_report.py --folds 10  # more folds
    python benchmarks/infer_report.py --shipped   # only the shipped model's report

Prints two tables, both from stratified, shuffled k-fold cross-validation on
the bundled catalogue (seeded, so reruns give the same numbers):

1. the shipped :class:`recommender.infer.IntimacyModel` (what ``closer
   catalog import --infer`` uses), next to a nearest-centroid and a
   majority-class baseline: macro-F1 of the strongest type, how often the
   predicted type is among the item's two strongest, weights MAE, practice
   accuracy, depth MAE, and how often confident items are right;
2. the candidates the shipped hyperparameters were picked from, scored by
   macro-F1 of the strongest type (repeated over three seeds) and weights MAE.

Only text is used (title, description, tags): that is all an import has.
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from typing import Any

import numpy as np

import recommender as rc
from recommender.infer import (
    F1_TARGET,
    TYPES,
    _activity_text,
    _one_thread,
    infer_report,
)
from recommender.text import analyze


def shipped_table(folds: int) -> None:
    started = time.perf_counter()
    report = infer_report(rc.default_catalog(), folds=folds)
    seconds = time.perf_counter() - started
    print(f"Shipped model, {report.folds}-fold cross-validation on {report.n_items} activities")
    print(f"{'measure':<34} {'model':>7} {'baseline':>9}  baseline is")
    for what, value, baseline, name in report.rows():
        shown = "" if baseline is None else f"{baseline:9.3f}"
        print(f"{what:<34} {value:7.3f} {shown:>9}  {name}")
    verdict = "met" if report.meets_target else "NOT met"
    print(f"target macro-F1 >= {F1_TARGET}: {verdict} ({report.macro_f1:.3f}); {seconds:.1f} s\n")


def _candidates() -> dict[str, Callable[[], Any]]:
    from sklearn.linear_model import LogisticRegression, RidgeClassifier
    from sklearn.neighbors import NearestCentroid
    from sklearn.svm import LinearSVC

    found: dict[str, Callable[[], Any]] = {"nearest centroid": NearestCentroid}
    for c in (1.0, 3.0, 10.0, 30.0):
        found[f"logistic C={c:g}"] = lambda c=c: LogisticRegression(C=c, max_iter=2000)
        found[f"logistic C={c:g} balanced"] = lambda c=c: LogisticRegression(
            C=c, max_iter=2000, class_weight="balanced"
        )
    for a in (0.3, 1.0, 3.0):
        found[f"ridge classifier alpha={a:g}"] = lambda a=a: RidgeClassifier(alpha=a)
    for c in (0.1, 0.3, 1.0):
        found[f"linear SVM C={c:g} balanced"] = lambda c=c: LinearSVC(C=c, class_weight="balanced")
    return found


def candidates_table(folds: int) -> None:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import Ridge
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    activities = sorted(rc.default_catalog(), key=lambda a: a.id)
    texts = np.array([_activity_text(a) for a in activities], dtype=object)
    weights = np.array([[a.intimacy.get(t, 0.0) for t in TYPES] for a in activities])
    strongest = weights.argmax(axis=1)
    seeds = (0, 1, 2)
    splits = {
        seed: list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, strongest))
        for seed in seeds
    }

    def fold_matrices(train: Any, test: Any) -> tuple[Any, Any]:
        vectorizer = TfidfVectorizer(analyzer=analyze, sublinear_tf=True)
        return vectorizer.fit_transform(texts[train]), vectorizer.transform(texts[test])

    print(f"Candidates for the strongest type ({folds} folds x {len(seeds)} seeds)")
    print(f"{'classifier on TF-IDF':<34} {'macro-F1':>9} {'spread':>7}")
    with _one_thread():
        for name, make in _candidates().items():
            scores = []
            for seed in seeds:
                predicted = np.zeros(len(texts), dtype=int)
                for train, test in splits[seed]:
                    train_matrix, test_matrix = fold_matrices(train, test)
                    predicted[test] = (
                        make().fit(train_matrix, strongest[train]).predict(test_matrix)
                    )
                scores.append(f1_score(strongest, predicted, average="macro"))
            print(f"{name:<34} {statistics.mean(scores):9.3f} {statistics.pstdev(scores):7.3f}")
        print(f"\n{'weights regressor on TF-IDF':<34} {'MAE':>9}")
        for alpha in (0.1, 0.3, 1.0, 3.0):
            errors = np.zeros_like(weights)
            for train, test in splits[0]:
                train_matrix, test_matrix = fold_matrices(train, test)
                model = Ridge(alpha=alpha).fit(train_matrix, weights[train])
                errors[test] = np.abs(np.clip(model.predict(test_matrix), 0, 1) - weights[test])
            print(f"{f'ridge alpha={alpha:g} (clipped)':<34} {errors.mean():9.3f}")
    margins = np.sort(weights, axis=1)
    close = (margins[:, -1] - margins[:, -2]) <= 0.1 + 1e-9
    print(
        f"\n{close.mean():.0%} of activities have their two strongest types within 0.1 of "
        "each other:\nfor them the 'strongest type' is a close call even for the authors."
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds (2..20)")
    parser.add_argument("--shipped", action="store_true", help="only the shipped model's report")
    args = parser.parse_args(argv)
    shipped_table(args.folds)
    if not args.shipped:
        candidates_table(args.folds)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
