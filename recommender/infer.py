"""Infer the intimacy weights, practice and depth of activities from their words.

Foreign catalogues (spreadsheets, JSON APIs) list activities without closer's
tags. :class:`IntimacyModel` learns them from the bundled catalogue's text
(title, description and tags, the same words an import has) with
scikit-learn:

- the **strongest type**: multinomial logistic regression on TF-IDF plus
  five cue-word counts (``cues.yaml``, a small general lexicon per type; see
  :func:`load_cues`); its probability is the item's ``confidence``;
- the **five weights**: multi-output ridge regression, made to agree with the
  classifier and to satisfy the schema (0..1, the strongest >= 0.5);
- **practice**: logistic regression, never ``support`` (professional help is
  curated by hand) and ``conversation`` only where the item has prompts;
- **depth**: ridge regression, rounded to 1..5.

The hyperparameters were picked by 5-fold cross-validation on the bundled
catalogue (``benchmarks/infer_report.py`` prints the comparison). The cue
lexicon lifts macro-F1 of the strongest type from about 0.59 to 0.65: with
405 training items, TF-IDF alone only knows words the catalogue happens to
use, while the lexicon carries what each type means in common words.
:func:`infer_report` measures the shipped model the same way, next to simple
baselines. scikit-learn is imported inside functions only, so ``import
recommender`` stays quick.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from types import MappingProxyType
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict

from ._linalg import single_threaded_blas
from .errors import CatalogError, ConfigError, NotFittedError
from .schema import Activity, Catalog, IntimacyType, Practice

__all__ = [
    "F1_TARGET",
    "INFERRED_PRACTICES",
    "InferReport",
    "Inference",
    "IntimacyModel",
    "drop_common_words",
    "infer_report",
    "inference_text",
    "load_cues",
    "parse_cues",
]

logger = logging.getLogger(__name__)

TYPES = tuple(IntimacyType)
#: Practices the model may assign. ``support`` means professional help (therapy,
#: crisis lines) and feeds the safety path of the recommender: never guessed.
INFERRED_PRACTICES = tuple(p for p in Practice if p is not Practice.support)
_CONVERSATION = INFERRED_PRACTICES.index(Practice.conversation)
_SHARED = INFERRED_PRACTICES.index(Practice.shared_experience)
#: Macro-F1 of the strongest type that issue 9 asks for.
F1_TARGET = 0.75
#: Fewest activities the model trains on; below this the classes are too thin.
MIN_TRAINING_ITEMS = 10

F64 = npt.NDArray[np.float64]
_WORD = re.compile(r"[a-z0-9]+")


def inference_text(title: str, description: str = "", tags: Iterable[str] = ()) -> str:
    """The words a prediction is made from: title, description and tags (twice).

    Tags are repeated because, like in the recommender's text space, a tag is
    a deliberate label and says more than a word in passing.

    Examples
    --------
    >>> inference_text("Go stargazing", "Lie back and look up.", ["stars", "awe"])
    'Go stargazing Lie back and look up. stars awe stars awe'
    """
    tag_words = " ".join(tags)
    return " ".join(part for part in (title, description, tag_words, tag_words) if part)


def drop_common_words(texts: Sequence[str], max_share: float = 0.5) -> list[str]:
    """Remove words found in more than ``max_share`` of ``texts`` (from 10 texts on).

    An import often wraps every row in the same template ("..., together. A
    {type} idea from the Bored API."). Words that every row shares say
    nothing about any one row, yet would pull every prediction the same way.

    Examples
    --------
    >>> texts = [f"{w}: an idea from the list" for w in ["Cook", "Walk", "Sing"] * 4]
    >>> drop_common_words(texts)[:3]
    ['cook', 'walk', 'sing']
    """
    from .text import STOP_WORDS, analyze, stem

    if len(texts) < MIN_TRAINING_ITEMS:
        return list(texts)
    shares = Counter(term for text in texts for term in set(analyze(text)))
    common = {term for term, count in shares.items() if count > max_share * len(texts)}
    kept = [
        (w for w in _WORD.findall(t.lower()) if w not in STOP_WORDS and stem(w) not in common)
        for t in texts
    ]
    return [" ".join(words) for words in kept]


#: Where the bundled cue lexicon lives, for messages.
CUES_FILE = "recommender/cues.yaml"


def parse_cues(document: Any, source: str = CUES_FILE) -> dict[IntimacyType, frozenset[str]]:
    """Check a parsed cue lexicon and stem its words: ``{type: [word, ...]}``.

    Every one of the five types needs at least one word; words go through
    :func:`recommender.text.analyze`, so "touching" and "touch" are one cue.

    Raises
    ------
    ConfigError
        Naming ``source`` and the type when a type is missing or unknown, or
        its words are not a non-empty list of strings.

    Examples
    --------
    >>> cues = parse_cues({t.value: ["Hugging"] for t in IntimacyType})
    >>> sorted(cues[IntimacyType.physical])
    ['hugg']
    """
    from .text import analyze

    if not isinstance(document, dict):
        raise ConfigError(
            f"{source}: must map each intimacy type to a list of words, "
            f"got {type(document).__name__}"
        )
    allowed = ", ".join(t.value for t in TYPES)
    unknown = sorted(str(k) for k in document if k not in {t.value for t in TYPES})
    if unknown:
        raise ConfigError(f"{source}: unknown intimacy type {unknown[0]!r}; allowed: {allowed}")
    cues: dict[IntimacyType, frozenset[str]] = {}
    for kind in TYPES:
        words = document.get(kind.value)
        if not isinstance(words, list) or not words or not all(isinstance(w, str) for w in words):
            raise ConfigError(
                f"{source}: type {kind.value!r} needs a non-empty list of words, got {words!r}"
            )
        terms = frozenset(term for word in words for term in analyze(word))
        if not terms:
            raise ConfigError(
                f"{source}: type {kind.value!r} has only stop words or single letters, "
                f"got {words!r}"
            )
        cues[kind] = terms
    return cues


@lru_cache(maxsize=1)
def load_cues() -> Mapping[IntimacyType, frozenset[str]]:
    """The bundled cue lexicon (``recommender/cues.yaml``), stemmed, per type.

    Written from the definitions of the five types, not tuned against the
    catalogue (see the file's header).

    Examples
    --------
    >>> cues = load_cues()
    >>> "massag" in cues[IntimacyType.physical] and "debat" in cues[IntimacyType.intellectual]
    True
    """
    import yaml

    text = (resources.files("recommender") / "cues.yaml").read_text(encoding="utf-8")
    # Read-only: the cached mapping is shared by every model in the process.
    return MappingProxyType(parse_cues(yaml.safe_load(text)))


def _activity_text(activity: Activity) -> str:
    return inference_text(activity.title, activity.description, activity.tags)


def _one_thread() -> AbstractContextManager[None]:
    # These problems are tiny (hundreds of rows); BLAS/OpenMP threads only fight
    # over the cores, and made one fit 50x slower on a busy 2-core machine.
    return single_threaded_blas()


@dataclass(frozen=True)
class Inference:
    """What the model predicts for one activity.

    ``confidence`` is the probability of the strongest type (0..1); below
    the import threshold an item is listed for human review.
    """

    intimacy: dict[IntimacyType, float]
    practice: Practice
    depth: int
    confidence: float

    @property
    def strongest_type(self) -> IntimacyType:
        """The type with the highest weight."""
        return max(self.intimacy, key=lambda t: self.intimacy[t])


class IntimacyModel:
    """Predict intimacy weights, practice and depth from an activity's words.

    Parameters
    ----------
    C : float, default=3.0
        Inverse regularisation of the two logistic regressions (strongest
        type, practice); classes are weighted to balance them. With the cue
        features, 3 matches 10 on macro-F1 and its confidences are better
        calibrated (cross-validated: mean confidence 0.64 for accuracy 0.66,
        against 0.71 at C=10).
    alpha : float, default=0.3
        Regularisation of the two ridge regressions (weights, depth).
    cue_weight : float, default=0.5
        Scale of the five cue-word features (``log1p`` of each type's cue
        count, see :func:`load_cues`) next to the TF-IDF columns of the
        strongest-type classifier and the weights regression; 0 leaves the
        lexicon out.

    Examples
    --------
    >>> import recommender as rc
    >>> model = IntimacyModel().fit(rc.default_catalog())
    >>> guess = model.predict([inference_text("Look up at the night sky together",
    ...                                       "Name the stars and feel small.", ["awe"])])[0]
    >>> max(guess.intimacy.values()) >= 0.5 and 0.0 <= guess.confidence <= 1.0
    True
    """

    def __init__(self, *, C: float = 3.0, alpha: float = 0.3, cue_weight: float = 0.5) -> None:
        self.C = C
        self.alpha = alpha
        self.cue_weight = cue_weight

    def __repr__(self) -> str:
        return f"IntimacyModel(C={self.C!r}, alpha={self.alpha!r}, cue_weight={self.cue_weight!r})"

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """The hyperparameters, as given."""
        return {"C": self.C, "alpha": self.alpha, "cue_weight": self.cue_weight}

    def _validate_params(self) -> None:
        for name in ("C", "alpha", "cue_weight"):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not (0 < value < float("inf") or (name == "cue_weight" and value == 0))
            ):
                least = ">= 0" if name == "cue_weight" else "> 0"
                raise ConfigError(f"IntimacyModel: {name} must be a number {least}, got {value!r}")

    def fit(self, catalog: Catalog | Iterable[Activity]) -> IntimacyModel:
        """Learn from ``catalog`` (for imports: ``rc.default_catalog()``); returns self.

        Raises
        ------
        ConfigError
            When a hyperparameter is out of range.
        CatalogError
            When the catalogue has fewer than 10 activities or only one strongest type.
        """
        self._validate_params()
        activities = sorted(catalog, key=lambda a: a.id)
        if len(activities) < MIN_TRAINING_ITEMS:
            raise CatalogError(
                f"the inference model needs at least {MIN_TRAINING_ITEMS} activities to learn "
                f"from, got {len(activities)}"
            )
        strongest = np.array([TYPES.index(a.strongest_type) for a in activities])
        if len(np.unique(strongest)) < 2:
            raise CatalogError(
                "the inference model needs activities of at least 2 strongest intimacy types, "
                f"got only {TYPES[int(strongest[0])].value!r}"
            )
        from sklearn.dummy import DummyClassifier
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression, Ridge

        from .text import analyze

        weights = np.array([[a.intimacy.get(t, 0.0) for t in TYPES] for a in activities])
        practice = np.array([Practice(a.practice).value for a in activities])
        depth = np.array([a.depth for a in activities], dtype=np.float64)
        with _one_thread():
            vectorizer = TfidfVectorizer(analyzer=analyze, sublinear_tf=True)
            texts = [_activity_text(a) for a in activities]
            vectorizer.fit(texts)
            self.vectorizer_ = vectorizer
            self.cue_vectorizer_, self.cue_types_ = _cue_counter()
            # The cue columns speak to the intimacy types only; practice and
            # depth learn from the words alone (with cues both got worse in CV).
            words = vectorizer.transform(texts)
            matrix = self._features(texts, words)
            type_clf = LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
            type_clf.fit(matrix, strongest)
            # A catalogue of one practice has nothing to learn: predict that one.
            practice_clf = (
                LogisticRegression(C=self.C, class_weight="balanced", max_iter=2000)
                if len(np.unique(practice)) > 1
                else DummyClassifier(strategy="most_frequent")
            )
            practice_clf.fit(words, practice)
            weight_reg = Ridge(alpha=self.alpha).fit(matrix, weights)
            depth_reg = Ridge(alpha=self.alpha).fit(words, depth)
        self.type_clf_ = type_clf
        self.practice_clf_ = practice_clf
        self.weight_reg_ = weight_reg
        self.depth_reg_ = depth_reg
        self.n_items_ = len(activities)
        logger.debug("inference model fitted on %d activities", len(activities))
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "type_clf_"):
            raise NotFittedError(
                "this IntimacyModel is not fitted yet; call fit(catalog) before predict"
            )

    def predict(
        self, texts: Sequence[str], *, can_converse: Sequence[bool] | None = None
    ) -> list[Inference]:
        """Predict for each text (see :func:`inference_text`), in order.

        Parameters
        ----------
        texts : sequence of str
            One text per activity.
        can_converse : sequence of bool, optional
            Per text, whether the item has the 3+ prompts a ``conversation``
            practice needs; by default no item does.

        Returns
        -------
        list of Inference
        """
        self._check_fitted()
        n = len(texts)
        if n == 0:
            return []
        if can_converse is None:
            can_converse = [False] * n
        if len(can_converse) != n:
            raise ConfigError(
                f"can_converse must have one entry per text ({n}), got {len(can_converse)}"
            )
        with _one_thread():
            words = self.vectorizer_.transform(list(texts))
            matrix = self._features(texts, words)
            type_proba = np.zeros((n, len(TYPES)))
            type_proba[:, self.type_clf_.classes_] = self.type_clf_.predict_proba(matrix)
            raw_weights = np.asarray(self.weight_reg_.predict(matrix), dtype=np.float64)
            practice_proba = self._practice_proba(words)
            raw_depth = np.asarray(self.depth_reg_.predict(words), dtype=np.float64)
        strongest = type_proba.argmax(axis=1)
        confidence = type_proba[np.arange(n), strongest]
        weights = schema_weights(raw_weights, strongest)
        practice_proba[~np.asarray(can_converse, dtype=bool), _CONVERSATION] = -1.0
        # Only support or conversation was likely: shared_experience is the
        # plainest claim to make about an activity for two.
        practice_proba[practice_proba.max(axis=1) <= 0, _SHARED] = 1.0
        practice = practice_proba.argmax(axis=1)
        depth = np.clip(np.rint(raw_depth), 1, 5).astype(int)
        return [
            Inference(
                intimacy={t: float(w) for t, w in zip(TYPES, row, strict=True) if w > 0},
                practice=INFERRED_PRACTICES[int(p)],
                depth=int(d),
                confidence=round(float(c), 4),
            )
            for row, p, d, c in zip(weights, practice, depth, confidence, strict=True)
        ]

    def _features(self, texts: Sequence[str], words: Any) -> Any:
        """``words`` (the texts' TF-IDF rows), then five scaled cue-count columns."""
        from scipy import sparse

        if self.cue_weight == 0:
            return words
        # log1p: the first cue of a type says most; ten cues are not ten times the evidence.
        counts = (self.cue_vectorizer_.transform(list(texts)) @ self.cue_types_).toarray()
        cues = sparse.csr_matrix(np.log1p(counts) * self.cue_weight)
        return sparse.hstack([words, cues], format="csr")

    def _practice_proba(self, matrix: Any) -> F64:
        """Probabilities over :data:`INFERRED_PRACTICES` (support left out, unseen 0)."""
        proba = np.asarray(self.practice_clf_.predict_proba(matrix), dtype=np.float64)
        out = np.zeros((proba.shape[0], len(INFERRED_PRACTICES)))
        for column, name in enumerate(self.practice_clf_.classes_):
            practice = Practice(name)
            if practice in INFERRED_PRACTICES:
                out[:, INFERRED_PRACTICES.index(practice)] = proba[:, column]
        return out


def _cue_counter() -> tuple[Any, Any]:
    """A term counter over the cue words and its (cue term x type) 0/1 matrix."""
    from scipy import sparse
    from sklearn.feature_extraction.text import CountVectorizer

    from .text import analyze

    cues = load_cues()
    vocabulary = sorted(set().union(*cues.values()))
    membership = sparse.csr_matrix(
        np.array([[term in cues[t] for t in TYPES] for term in vocabulary], dtype=np.float64)
    )
    counter = CountVectorizer(analyzer=analyze, vocabulary=vocabulary).fit([])
    return counter, membership


def schema_weights(raw: F64, strongest: npt.NDArray[np.int64]) -> F64:
    """Turn raw predicted weights into schema-valid ones led by ``strongest``.

    Weights are clipped to 0..1 and rounded to one decimal like the catalogue;
    the strongest type gets at least 0.5 and at least 0.1 more than any other
    (lowering the others when it is already 1.0), so the classifier and the
    weights agree; weights under 0.1 are dropped (0).

    Examples
    --------
    >>> schema_weights(np.array([[0.2, 0.3, 0.44, -0.1, 1.2]]), np.array([2]))
    array([[0.2, 0.3, 1. , 0. , 0.9]])
    """
    weights = np.round(np.clip(raw, 0.0, 1.0), 1)
    rows = np.arange(len(weights))
    others = weights.copy()
    others[rows, strongest] = -1.0
    floor = np.maximum(others.max(axis=1) + 0.1, 0.5)
    top = np.minimum(np.maximum(weights[rows, strongest], floor), 1.0)
    weights = np.minimum(weights, (top - 0.1)[:, None])
    weights[rows, strongest] = top
    result: F64 = np.round(weights, 1)
    result[result < 0.1] = 0.0
    return result


# --------------------------------------------------------------------------- quality


class InferReport(BaseModel):
    """Cross-validated quality of :class:`IntimacyModel` next to simple baselines.

    Macro-F1 is over the strongest type; MAE is the mean absolute error of the
    five weights (a missing type counts as 0). ``confident_share`` is the
    share of items at or above ``threshold`` and ``confident_accuracy`` how
    often their strongest type is right.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    n_items: int
    folds: int
    threshold: float
    macro_f1: float
    macro_f1_centroid: float
    macro_f1_majority: float
    top2_accuracy: float
    weights_mae: float
    weights_mae_mean: float
    practice_accuracy: float
    practice_accuracy_majority: float
    depth_mae: float
    depth_mae_median: float
    confident_share: float
    confident_accuracy: float

    @property
    def meets_target(self) -> bool:
        """Whether macro-F1 reaches :data:`F1_TARGET`."""
        return self.macro_f1 >= F1_TARGET

    def rows(self) -> list[tuple[str, float, float | None, str]]:
        """(what, model, baseline or None, baseline name) lines for a table."""
        return [
            ("strongest type macro-F1", self.macro_f1, self.macro_f1_centroid, "nearest centroid"),
            ("strongest type macro-F1", self.macro_f1, self.macro_f1_majority, "majority class"),
            ("strongest type in true top 2", self.top2_accuracy, None, ""),
            ("weights MAE", self.weights_mae, self.weights_mae_mean, "mean weights"),
            (
                "practice accuracy",
                self.practice_accuracy,
                self.practice_accuracy_majority,
                "majority class",
            ),
            ("depth MAE", self.depth_mae, self.depth_mae_median, "median depth"),
            (f"share with confidence >= {self.threshold:g}", self.confident_share, None, ""),
            ("accuracy of those", self.confident_accuracy, None, ""),
        ]


def infer_report(
    catalog: Catalog | Iterable[Activity],
    folds: int = 5,
    *,
    threshold: float = 0.5,
    model: IntimacyModel | None = None,
    seed: int = 0,
) -> InferReport:
    """Cross-validate the inference model on ``catalog``; baselines alongside.

    Folds are stratified by strongest type and shuffled with ``seed``, so the
    numbers are reproducible.

    Raises
    ------
    ConfigError
        When ``folds`` is not 2..20, ``threshold`` not 0..1, or a strongest
        type has fewer activities than ``folds``.

    Examples
    --------
    >>> import recommender as rc
    >>> report = infer_report(rc.default_catalog(), folds=3)
    >>> 0.0 <= report.macro_f1 <= 1.0 and report.macro_f1 > report.macro_f1_majority
    True
    """
    if isinstance(folds, bool) or not isinstance(folds, int) or not 2 <= folds <= 20:
        raise ConfigError(f"folds must be an integer 2..20, got {folds!r}")
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(f"threshold must be 0..1, got {threshold!r}")
    template = model if model is not None else IntimacyModel()
    activities = sorted(catalog, key=lambda a: a.id)
    strongest = np.array([TYPES.index(a.strongest_type) for a in activities])
    counts = np.bincount(strongest, minlength=len(TYPES))
    thin = [f"{TYPES[i].value} ({c})" for i, c in enumerate(counts) if 0 < c < folds]
    if thin:
        raise ConfigError(
            f"folds={folds} needs at least {folds} activities of each strongest type; "
            f"too few: {', '.join(thin)}"
        )

    from sklearn.metrics import f1_score
    from sklearn.model_selection import StratifiedKFold

    splits = list(
        StratifiedKFold(n_splits=folds, shuffle=True, random_state=seed).split(
            activities, strongest
        )
    )
    weights = np.array([[a.intimacy.get(t, 0.0) for t in TYPES] for a in activities])
    practice = np.array([a.practice.value for a in activities])
    depth = np.array([a.depth for a in activities], dtype=np.float64)
    predicted = _cross_validated_guesses(template, activities, splits)
    pred_type = predicted["weights"].argmax(axis=1)
    baselines = _cross_validated_baselines(activities, strongest, weights, practice, depth, splits)

    def macro_f1(guess: npt.NDArray[Any]) -> float:
        return float(f1_score(strongest, guess, average="macro", zero_division=0.0))

    order = np.argsort(-weights, axis=1, kind="stable")[:, :2]
    confident = predicted["confidence"] >= threshold
    report = InferReport(
        n_items=len(activities),
        folds=folds,
        threshold=threshold,
        macro_f1=macro_f1(pred_type),
        macro_f1_centroid=macro_f1(baselines["centroid_type"]),
        macro_f1_majority=macro_f1(baselines["majority_type"]),
        top2_accuracy=float((order == pred_type[:, None]).any(axis=1).mean()),
        weights_mae=float(np.abs(predicted["weights"] - weights).mean()),
        weights_mae_mean=float(np.abs(baselines["mean_weights"] - weights).mean()),
        practice_accuracy=float((predicted["practice"] == practice).mean()),
        practice_accuracy_majority=float((baselines["majority_practice"] == practice).mean()),
        depth_mae=float(np.abs(predicted["depth"] - depth).mean()),
        depth_mae_median=float(np.abs(baselines["median_depth"] - depth).mean()),
        confident_share=float(confident.mean()),
        confident_accuracy=(
            float((pred_type[confident] == strongest[confident]).mean()) if confident.any() else 0.0
        ),
    )
    logger.debug("infer report on %d activities: macro-F1 %.3f", len(activities), report.macro_f1)
    return report


Splits = list[tuple[npt.NDArray[np.int_], npt.NDArray[np.int_]]]


def _cross_validated_guesses(
    template: IntimacyModel, activities: Sequence[Activity], splits: Splits
) -> dict[str, npt.NDArray[Any]]:
    """Out-of-fold guesses of the inference model: weights, practice, depth, confidence.

    A loop rather than ``cross_val_predict``: one fit predicts four things at
    once, as structured guesses, and the baselines below reuse the same folds.
    """
    texts = [_activity_text(a) for a in activities]
    can_converse = [len(a.prompts) >= 3 for a in activities]
    n = len(activities)
    out: dict[str, npt.NDArray[Any]] = {
        "weights": np.zeros((n, len(TYPES))),
        "practice": np.empty(n, dtype=object),
        "depth": np.zeros(n),
        "confidence": np.zeros(n),
    }
    for train, test in splits:
        fold_model = IntimacyModel(**template.get_params()).fit([activities[i] for i in train])
        guesses = fold_model.predict(
            [texts[i] for i in test], can_converse=[can_converse[i] for i in test]
        )
        out["weights"][test] = [[g.intimacy.get(t, 0.0) for t in TYPES] for g in guesses]
        out["practice"][test] = [g.practice.value for g in guesses]
        out["depth"][test] = [g.depth for g in guesses]
        out["confidence"][test] = [g.confidence for g in guesses]
    return out


def _cross_validated_baselines(
    activities: Sequence[Activity],
    strongest: npt.NDArray[np.int_],
    weights: npt.NDArray[np.float64],
    practice: npt.NDArray[Any],
    depth: npt.NDArray[np.float64],
    splits: Splits,
) -> dict[str, npt.NDArray[Any]]:
    """The same folds through scikit-learn's own baselines, with ``cross_val_predict``.

    Majority class, mean weights and median depth are its Dummy estimators; the
    nearest-centroid baseline reads the same TF-IDF words the model reads.
    """
    from sklearn.dummy import DummyClassifier, DummyRegressor
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.model_selection import cross_val_predict
    from sklearn.neighbors import NearestCentroid
    from sklearn.pipeline import make_pipeline

    from .text import analyze

    texts = np.array([_activity_text(a) for a in activities], dtype=object)
    blank = np.zeros((len(activities), 1))  # the Dummy estimators ignore their input
    centroid = make_pipeline(
        TfidfVectorizer(analyzer=analyze, sublinear_tf=True), NearestCentroid()
    )
    with _one_thread():
        return {
            "centroid_type": cross_val_predict(centroid, texts, strongest, cv=splits),
            "majority_type": cross_val_predict(
                DummyClassifier(strategy="most_frequent"), blank, strongest, cv=splits
            ),
            "majority_practice": cross_val_predict(
                DummyClassifier(strategy="most_frequent"), blank, practice, cv=splits
            ),
            "mean_weights": cross_val_predict(
                DummyRegressor(strategy="mean"), blank, weights, cv=splits
            ),
            "median_depth": cross_val_predict(
                DummyRegressor(strategy="median"), blank, depth, cv=splits
            ),
        }
