"""How well can intimacy types be inferred from an activity's words? (issue 9)

Usage::

    python benchmarks/infer_report.py             # shipped model + candidates, ~1 min
    python benchmarks/infer_report.py --folds 10  # more folds
    python benchmarks/infer_report.py --shipped   # only the shipped model's report

Prints two tables, both from stratified, shuffled k-fold cross-validation on
the bundled catalogue (seeded, so reruns give the same numbers):

1. the shipped :class:`recommender.infer.IntimacyModel` (what ``closer
   catalog import --infer`` uses), next to a nearest-centroid and a
   majority-class baseline: macro-F1 of the strongest type, how often the
   predicted type is among the item's two strongest, weights MAE, practice
   accuracy, depth MAE, and how often confident items are right;
2. the candidates the shipped model was picked from, scored by macro-F1 of
   the strongest type (the same folds repeated over seeds 0, 1, 2: mean and
   population spread) and weights MAE. Features: TF-IDF (or counts) of the
   words, optionally with the five cue-word counts of ``recommender/cues.yaml``
   (``+ cues xS``: ``log1p`` of the counts times S).

Only text is used (title, description, tags): that is all an import has.
Prompts, where a candidate says so, join only the training items' text.
"""

from __future__ import annotations

import argparse
import itertools
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import numpy as np

import recommender as rc
from recommender.infer import (
    F1_TARGET,
    TYPES,
    _activity_text,
    _one_thread,
    infer_report,
    load_cues,
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


@dataclass(frozen=True)
class Candidate:
    """One line of the candidates table: features, a classifier factory, a target.

    ``target="weights"`` fits a regressor on the five weights and takes the
    argmax; otherwise the classifier learns the strongest type directly.
    """

    features: str
    make: Callable[[], Any]
    target: str = "strongest"


class LexiconArgmax:
    """No training: the type with the most cue words (the lexicon on its own)."""

    def fit(self, matrix: Any, target: Any) -> LexiconArgmax:
        return self

    def predict(self, matrix: Any) -> Any:
        # "cues" features are the five counts alone; ties go to the first type.
        return np.asarray(matrix.toarray()).argmax(axis=1)


def _candidates() -> dict[str, Candidate]:
    from sklearn.ensemble import VotingClassifier
    from sklearn.linear_model import LogisticRegression, Ridge, RidgeClassifier
    from sklearn.naive_bayes import ComplementNB, MultinomialNB
    from sklearn.neighbors import NearestCentroid
    from sklearn.svm import LinearSVC

    def logistic(c: float, balanced: bool = True) -> Callable[[], Any]:
        weight = "balanced" if balanced else None
        return lambda: LogisticRegression(C=c, max_iter=3000, class_weight=weight)

    found: dict[str, Candidate] = {
        "nearest centroid": Candidate("tfidf", NearestCentroid),
        "cue lexicon alone (argmax)": Candidate("cues", LexiconArgmax),
    }
    for c in (1.0, 3.0, 10.0, 30.0):
        found[f"logistic C={c:g}"] = Candidate("tfidf", logistic(c, balanced=False))
        found[f"logistic C={c:g} balanced"] = Candidate("tfidf", logistic(c))
    for a in (0.3, 1.0, 3.0):
        found[f"ridge classifier alpha={a:g}"] = Candidate(
            "tfidf", partial(RidgeClassifier, alpha=a)
        )
    for c in (0.1, 0.3, 1.0):
        found[f"linear SVM C={c:g} balanced"] = Candidate(
            "tfidf", partial(LinearSVC, C=c, class_weight="balanced")
        )
    for a in (0.3, 1.0):
        found[f"complement NB alpha={a:g} (counts)"] = Candidate(
            "counts", partial(ComplementNB, alpha=a)
        )
        found[f"multinomial NB alpha={a:g} (counts)"] = Candidate(
            "counts", partial(MultinomialNB, alpha=a)
        )
    found["complement NB alpha=1 (counts + cues)"] = Candidate(
        "counts+cues", lambda: ComplementNB(alpha=1.0)
    )
    for c in (1.0, 3.0, 10.0, 30.0):
        for scale in (0.5, 1.0):
            found[f"logistic C={c:g} balanced + cues x{scale:g}"] = Candidate(
                f"tfidf+cues x{scale:g}", logistic(c)
            )
    found["logistic C=3 balanced + cue shares x1"] = Candidate("tfidf+cue shares", logistic(3.0))
    found["logistic C=3 balanced + cues, 1-2 grams"] = Candidate("bigrams+cues x0.5", logistic(3.0))
    found["logistic C=3 balanced + cues, prompts in train"] = Candidate(
        "prompts+cues x0.5", logistic(3.0)
    )
    found["soft vote: logistic + complement NB, + cues"] = Candidate(
        "tfidf+cues x0.5",
        lambda: VotingClassifier(
            [("lr", logistic(3.0)()), ("nb", ComplementNB(alpha=1.0))], voting="soft"
        ),
    )
    found["ridge on 5 weights, argmax, + cues"] = Candidate(
        "tfidf+cues x0.5", lambda: Ridge(alpha=0.3), target="weights"
    )
    return found


def _cue_counts(texts: Any) -> Any:
    """Per text, how many words of each type's cue lexicon it has (n x 5)."""
    cues = load_cues()
    counts = np.zeros((len(texts), len(TYPES)))
    for row, text in enumerate(texts):
        terms = analyze(text)
        counts[row] = [sum(term in cues[t] for term in terms) for t in TYPES]
    return counts


def candidates_table(folds: int) -> None:
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    from sklearn.linear_model import Ridge
    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    activities = sorted(rc.default_catalog(), key=lambda a: a.id)
    texts = np.array([_activity_text(a) for a in activities], dtype=object)
    # Prompts only ever join the TRAINING text: an import rarely has them.
    with_prompts = np.array(
        [" ".join([_activity_text(a), *a.prompts]) for a in activities], dtype=object
    )
    weights = np.array([[a.intimacy.get(t, 0.0) for t in TYPES] for a in activities])
    strongest = weights.argmax(axis=1)
    cue_counts = _cue_counts(texts)
    seeds = (0, 1, 2)
    splits = {
        seed: list(StratifiedKFold(folds, shuffle=True, random_state=seed).split(texts, strongest))
        for seed in seeds
    }

    def bigrams(text: str) -> list[str]:
        terms = analyze(text)
        return terms + [f"{a} {b}" for a, b in itertools.pairwise(terms)]

    def fold_matrices(features: str, train: Any, test: Any) -> tuple[Any, Any]:
        """Vectorizers are fitted inside the fold, on its training items only."""
        words, _, cue_part = features.partition("+")
        if words == "cues":
            return sparse.csr_matrix(cue_counts[train]), sparse.csr_matrix(cue_counts[test])
        if words == "counts":
            vectorizer: Any = CountVectorizer(analyzer=analyze)
        else:
            analyzer = bigrams if words == "bigrams" else analyze
            vectorizer = TfidfVectorizer(analyzer=analyzer, sublinear_tf=True)
        train_texts = with_prompts[train] if words == "prompts" else texts[train]
        train_matrix = vectorizer.fit_transform(train_texts)
        test_matrix = vectorizer.transform(texts[test])
        if not cue_part:
            return train_matrix, test_matrix
        if cue_part == "cue shares":
            smoothed = cue_counts + 0.5
            cue_columns = smoothed / smoothed.sum(axis=1, keepdims=True)
        else:
            scale = float(cue_part.partition(" x")[2] or 1.0)
            cue_columns = np.log1p(cue_counts) * scale
        return (
            sparse.hstack([train_matrix, cue_columns[train]], format="csr"),
            sparse.hstack([test_matrix, cue_columns[test]], format="csr"),
        )

    print(f"Candidates for the strongest type ({folds} folds x {len(seeds)} seeds)")
    print(f"{'candidate':<48} {'macro-F1':>9} {'spread':>7}")
    with _one_thread():
        for name, candidate in _candidates().items():
            scores = []
            for seed in seeds:
                predicted = np.zeros(len(texts), dtype=int)
                for train, test in splits[seed]:
                    train_matrix, test_matrix = fold_matrices(candidate.features, train, test)
                    if candidate.target == "weights":
                        model = candidate.make().fit(train_matrix, weights[train])
                        predicted[test] = np.asarray(model.predict(test_matrix)).argmax(axis=1)
                    else:
                        model = candidate.make().fit(train_matrix, strongest[train])
                        predicted[test] = model.predict(test_matrix)
                scores.append(f1_score(strongest, predicted, average="macro"))
            print(f"{name:<48} {statistics.mean(scores):9.3f} {statistics.pstdev(scores):7.3f}")
        print(f"\n{'weights regressor':<48} {'MAE':>9}")
        for features in ("tfidf", "tfidf+cues x0.5"):
            for alpha in (0.1, 0.3, 1.0, 3.0):
                errors = np.zeros_like(weights)
                for train, test in splits[0]:
                    train_matrix, test_matrix = fold_matrices(features, train, test)
                    model = Ridge(alpha=alpha).fit(train_matrix, weights[train])
                    errors[test] = np.abs(np.clip(model.predict(test_matrix), 0, 1) - weights[test])
                label = f"ridge alpha={alpha:g} on {features} (clipped)"
                print(f"{label:<48} {errors.mean():9.3f}")
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
