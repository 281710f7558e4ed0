"""The :class:`Recommender`: fit on a catalogue, rank activities for a pair.

Data flows one way, each step a module of its own and numpy over the whole
catalogue: features -> per-person relevance (+ feedback from the pair's past)
-> pair aggregation (+ emphasis) -> constraints -> re-ranking -> explanation.

This is the core: it knows nothing of where histories are stored, nor of
conversations or plans. Those are functions over a fitted model
(:func:`recommender.ask`, :func:`recommender.plan`), and a stored history
reaches the ranking as a :class:`~recommender.feedback.PastActivity`.
"""

from __future__ import annotations

import inspect
import io
import json
import os
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from . import aggregate as agg
from ._linalg import GRID
from .constraints import (
    CONSTRAINTS,
    PairLimits,
    constraint_masks,
    feasible,
    reports_concern,
)
from .emphasis import bonus, effect_basis, obstacle_matches
from .errors import CatalogError, ConfigError, ModelFileError, NotFittedError, ProfileError
from .explain import Explainer, ItemFacts
from .features import (
    FLAG_CRISIS,
    FLAG_INDIVIDUAL,
    FLAG_JOINT_THERAPY,
    FLAG_LOW_MOOD,
    FLAG_SUPPORT,
    PRACTICES,
    ItemTable,
    TextSpace,
    activity_text,
    arrays_of,
    fit_features,
    from_arrays,
)
from .feedback import PastActivity, apply_histories, check_past
from .relevance import PersonVector, encode_person, person_basis, relevance
from .schema import (
    Activity,
    Catalog,
    Obstacle,
    PairContext,
    PersonProfile,
    Practice,
    Suggestion,
)

__all__ = ["STRATEGIES", "Diagnosis", "Recommender"]

STRATEGIES = agg.STRATEGIES
#: The strategy ``Recommender()`` and ``closer suggest`` use: chosen by ``closer
#: evaluate`` (the best worse-off person's nDCG@10 over the pair families, with
#: mean nDCG@10 within 2% of the best; see the README's Evaluation section).
DEFAULT_STRATEGY = "product"
MODEL_FORMAT = "closer-model"
MODEL_VERSION = 3  # 2: arrays_sha256 in the metadata; 3: audience, situation, presence columns
#: Pairs scored together in one block of matrix operations.
CHUNK = 128

Triple = tuple[PersonProfile, PersonProfile, PairContext]
F32 = npt.NDArray[np.float32]


@dataclass(frozen=True)
class Diagnosis:
    """Why a pair's candidates were removed: per constraint, how many items.

    ``removed[name]`` counts the items that constraint rules out on its own;
    ``freed[name]`` counts those that *only* it rules out (relaxing it alone
    would bring them back). ``advice`` turns the largest into suggestions.
    """

    total: int
    remaining: int
    removed: Mapping[str, int]
    freed: Mapping[str, int]
    advice: tuple[str, ...] = field(default=())

    def __str__(self) -> str:
        lines = [f"{self.remaining} of {self.total} activities fit"]
        lines += [f"{name} removes {count}" for name, count in self.removed.items() if count]
        return "; ".join(lines)


class Recommender:
    """Rank shared activities for two people, fairly to both, within both people's limits.

    Parameters
    ----------
    strategy : str, default="product"
        How the two people's scores combine; one of :data:`STRATEGIES`
        (:data:`DEFAULT_STRATEGY`, chosen by ``closer evaluate``).
    diversity : float, default=0.3
        0 ranks by pair score alone; higher spreads the list across intimacy
        types and practices (maximal marginal relevance).
    fairness : float, default=1.0
        For ``strategy="fair"``: how strongly every prefix of the list is kept
        balanced between the two people.
    misery_threshold : float, default=0.3
        For ``strategy="average_without_misery"``: items either person scores
        below this are removed.
    interest_weight : float, default=0.35
        Share of a person's fit that comes from their interests.
    energy_weight : float, default=0.1
        Share of a person's fit that comes from matching their energy.
    novelty_weight : float, default=0.05
        Bonus for new and exciting activities (novel shared activities build
        closeness more than familiar ones).
    pool : int, default=60
        Candidates per pair that reach re-ranking.
    rerank : bool or None, default=None
        Whether the re-ranker's fairness term (weight ``fairness``) balances
        every prefix of the list between the two people. None: the strategy's
        own choice, on for ``"fair"`` only; True or False turn it on or off
        for any strategy (``closer evaluate`` compares both).

    Examples
    --------
    >>> import recommender as rc
    >>> model = rc.Recommender(strategy="fair").fit(rc.default_catalog())
    >>> ana = rc.PersonProfile(name="Ana", intimacy={"emotional": 0.9}, interests=["cooking"])
    >>> ben = rc.PersonProfile(name="Ben", intimacy={"intellectual": 0.8}, max_depth=2)
    >>> ctx = rc.PairContext(relationship="romantic", minutes=90)
    >>> top = model.recommend(ana, ben, ctx, k=3)
    >>> len(top), all(s.activity.depth <= 2 and s.activity.minutes <= 90 for s in top)
    (3, True)
    """

    def __init__(
        self,
        *,
        strategy: str = DEFAULT_STRATEGY,
        diversity: float = 0.3,
        fairness: float = 1.0,
        misery_threshold: float = 0.3,
        interest_weight: float = 0.35,
        energy_weight: float = 0.1,
        novelty_weight: float = 0.05,
        pool: int = 60,
        rerank: bool | None = None,
    ) -> None:
        self.strategy = strategy
        self.diversity = diversity
        self.fairness = fairness
        self.misery_threshold = misery_threshold
        self.interest_weight = interest_weight
        self.energy_weight = energy_weight
        self.novelty_weight = novelty_weight
        self.pool = pool
        self.rerank = rerank

    # ------------------------------------------------------------ estimator contract

    @classmethod
    def _param_names(cls) -> list[str]:
        signature = inspect.signature(cls.__init__)
        return sorted(p for p in signature.parameters if p != "self")

    def get_params(self, deep: bool = True) -> dict[str, Any]:
        """Hyperparameters as given to ``__init__`` (scikit-learn's contract)."""
        return {name: getattr(self, name) for name in self._param_names()}

    def set_params(self, **params: Any) -> Recommender:
        """Set hyperparameters; they are validated at the next ``fit``."""
        valid = self._param_names()
        for name, value in params.items():
            if name not in valid:
                raise ConfigError(f"unknown parameter {name!r}; allowed: {', '.join(valid)}")
            setattr(self, name, value)
        return self

    def __repr__(self) -> str:
        defaults = {
            p.name: p.default for p in inspect.signature(type(self).__init__).parameters.values()
        }
        changed = [f"{k}={v!r}" for k, v in self.get_params().items() if v != defaults.get(k)]
        return f"Recommender({', '.join(changed)})"

    def _validate_params(self) -> None:
        if self.strategy not in STRATEGIES:
            raise ConfigError(
                f"strategy must be one of {', '.join(STRATEGIES)}, got {self.strategy!r}"
            )
        for name in (
            "diversity",
            "misery_threshold",
            "interest_weight",
            "energy_weight",
            "novelty_weight",
        ):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, (int, float))
                or not 0.0 <= float(value) <= 1.0
            ):
                raise ConfigError(f"{name} must be a number in [0, 1], got {value!r}")
        if (
            isinstance(self.fairness, bool)
            or not isinstance(self.fairness, (int, float))
            or not 0.0 <= float(self.fairness) <= 10.0
        ):
            raise ConfigError(f"fairness must be a number in [0, 10], got {self.fairness!r}")
        if self.interest_weight + self.energy_weight > 0.9:
            raise ConfigError(
                "interest_weight + energy_weight must be <= 0.9 (the intimacy-type "
                f"fit keeps the rest), got {self.interest_weight + self.energy_weight}"
            )
        if isinstance(self.pool, bool) or not isinstance(self.pool, int) or self.pool < 1:
            raise ConfigError(f"pool must be an integer >= 1, got {self.pool!r}")
        if self.rerank is not None and not isinstance(self.rerank, bool):
            raise ConfigError(f"rerank must be True, False or None, got {self.rerank!r}")

    def _check_fitted(self) -> None:
        if not hasattr(self, "items_"):
            raise NotFittedError("this Recommender is not fitted yet; call fit(catalog) first")

    # ------------------------------------------------------------ fit

    def fit(self, catalog: Catalog | Iterable[Activity]) -> Recommender:
        """Learn the feature space of ``catalog``; returns ``self``.

        Raises
        ------
        ConfigError
            A hyperparameter is out of range (named in the message).
        CatalogError
            The catalogue is empty or holds something that is not an Activity.
        """
        self._validate_params()
        activities = list(catalog)
        if not activities:
            raise CatalogError("cannot fit on an empty catalogue (no activities)")
        for position, activity in enumerate(activities, start=1):
            if not isinstance(activity, Activity):
                raise CatalogError(
                    f"item {position}: expected an Activity, got {type(activity).__name__}"
                )
        if not isinstance(catalog, Catalog):
            catalog = Catalog(activities=tuple(activities))
        # Row order = id order (ties break by id), but the activities are read in
        # the order given: see fit_features.
        ids = [a.id for a in activities]
        order = sorted(range(len(ids)), key=ids.__getitem__)
        self.text_, self.items_ = fit_features(activities, order)
        self._set_catalog(tuple([activities[i] for i in order]), tuple([ids[i] for i in order]))
        import logging  # here, not at import: a program's first use never loads it

        logging.getLogger(__name__).debug(
            "fitted on %d activities, %d terms", len(activities), len(self.text_.terms)
        )
        return self

    def _set_catalog(
        self, activities: tuple[Activity, ...], ids: tuple[str, ...] | None = None
    ) -> None:
        self.activities_ = activities
        self.activity_ids_ = tuple(a.id for a in activities) if ids is None else ids
        self.index_ = {a: i for i, a in enumerate(self.activity_ids_)}
        self.kernel_ = self.text_.kernel  # chosen at fit time from the postings' density
        self.obstacle_matches_ = obstacle_matches(self.items_)
        self.support_rows_ = np.flatnonzero(self.items_.has_flag(FLAG_SUPPORT))
        self.any_low_mood_ = bool(self.items_.has_flag(FLAG_LOW_MOOD).any())
        # Strongest intimacy type per row (ties: IntimacyType order, as Activity has it).
        self.strongest_ = np.argmax(self.items_.intimacy, axis=1).astype(np.int8)
        self.facts_ = ItemFacts(
            self.strongest_,
            self.obstacle_matches_,
            self.items_.intimacy,
            self.items_.novelty,
            self.items_.remote,
            self.items_.practice == PRACTICES.index(Practice.conversation),
        )
        # Derived from items_ (so recomputed on load, never saved): the rows that
        # person fit and emphasis are weighted sums of, laid out for one matmul.
        self.person_basis_ = person_basis(self.items_)
        self.effect_basis_ = effect_basis(self.items_, self.obstacle_matches_)
        # The same, one row per activity (for scoring a pair's few allowed ones:
        # gathering rows of 16-32 bytes reads far less than columns of the above).
        # On the 1/2048 grid in [0, 1], float16 holds every value exactly.
        self.person_items_ = _by_item(self.person_basis_)
        self.effect_items_ = _by_item(self.effect_basis_)

    @property
    def catalog_(self) -> Catalog:
        """The fitted catalogue, in id order."""
        self._check_fitted()
        return Catalog(activities=self.activities_)

    # ------------------------------------------------------------ scoring

    def _people(self, profiles: Sequence[PersonProfile]) -> list[PersonVector]:
        cache: dict[int, PersonVector] = {}
        out = []
        for p in profiles:
            if id(p) not in cache:
                cache[id(p)] = encode_person(p, self.text_)
            out.append(cache[id(p)])
        return out

    def _score_block(
        self,
        triples: Sequence[Triple],
        people: Sequence[PersonVector] | None = None,
        columns: npt.NDArray[np.intp] | None = None,
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """(person (2, P, n), pair (P, n)) before constraints; pair includes emphasis.

        With ``columns`` (ascending rows), only those activities: the same values
        as the full arrays' ``[..., columns]``.
        """
        if people is None:
            people = self._people([t[0] for t in triples] + [t[1] for t in triples])
        fit = self._relevance(people, columns)
        person = fit.reshape(2, len(triples), -1)
        pair = agg.aggregate(self.strategy, person)  # a new array: added to in place
        effects = self.effect_basis_ if columns is None else _basis_at(self.effect_items_, columns)
        pair += bonus([t[2] for t in triples], effects, self.novelty_weight)
        return person, np.clip(pair, 0.0, 1.0, out=pair)

    def _item_vector(self, item: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        """An activity's own TF-IDF vector, re-encoded from its text (only the
        postings are kept; a test checks the encoding equals the fitted one)."""
        return self.text_.encode(activity_text(self.activities_[item]))

    def _relevance(
        self, people: Sequence[PersonVector], columns: npt.NDArray[np.intp] | None = None
    ) -> npt.NDArray[np.float32]:
        """Each person's fit with every activity (or those in ``columns``), ``(len(people), n)``."""
        return relevance(
            people,
            self.person_basis_ if columns is None else _basis_at(self.person_items_, columns),
            self.text_,
            interest_weight=self.interest_weight,
            energy_weight=self.energy_weight,
            columns=columns,
        )

    # ------------------------------------------------------------ feedback interface
    # What recommender.feedback (history -> ranking) may use; kept small and stable so
    # feedback never reaches into the scoring internals above.

    def person_vectors(self, profiles: Sequence[PersonProfile]) -> list[PersonVector]:
        """Encode profiles as the model scores them (one :class:`PersonVector` each).

        Examples
        --------
        >>> import recommender as rc
        >>> model = rc.Recommender().fit(rc.default_catalog())
        >>> [len(v.weights) for v in model.person_vectors([rc.PersonProfile(name="A")])]
        [5]
        """
        self._check_fitted()
        return self._people(profiles)

    def item_vector(self, item: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32]]:
        """Activity row ``item``'s interest vector: (term ids, TF-IDF weights).

        Examples
        --------
        >>> import recommender as rc
        >>> model = rc.Recommender().fit(rc.default_catalog())
        >>> terms, weights = model.item_vector(0)
        >>> len(terms) == len(weights) > 0
        True
        """
        self._check_fitted()
        return self._item_vector(item)

    def person_fit(self, people: Sequence[PersonVector]) -> npt.NDArray[np.float32]:
        """Each encoded person's fit with every activity, shape ``(len(people), n)``.

        Examples
        --------
        >>> import recommender as rc
        >>> model = rc.Recommender().fit(rc.default_catalog())
        >>> fit = model.person_fit(model.person_vectors([rc.PersonProfile(name="A")]))
        >>> fit.shape == (1, len(model.activity_ids_))
        True
        """
        self._check_fitted()
        return self._relevance(people)

    # ------------------------------------------------------------ constraints

    def _masks(
        self,
        triples: Sequence[Triple],
        person: npt.NDArray[np.float32],
        recent: Sequence[npt.NDArray[np.int32]] | None,
    ) -> dict[str, npt.NDArray[np.bool_]]:
        limits = PairLimits.of(triples, self.items_, self.text_, self.index_, recent)
        masks = constraint_masks(limits, self.items_)
        if self.strategy == "average_without_misery":
            masks["misery"] = agg.misery_mask(person, self.misery_threshold)
        return masks

    def limit_masks(
        self,
        a: PersonProfile,
        b: PersonProfile,
        ctx: PairContext | None = None,
        *,
        recent_ids: Collection[str] = (),
    ) -> dict[str, npt.NDArray[np.bool_]]:
        """Each hard limit's verdict on every activity for the pair: True where it allows it.

        The keys are the constraint names :meth:`diagnose` counts (``support``
        among them; ``misery`` too for ``strategy="average_without_misery"``),
        each mask in the order of :attr:`activity_ids_`. ``recent_ids`` are what
        the pair did within its history window (``PairHistory.recent_ids()``),
        left out by the ``recent`` limit. Functions built on the model (such as
        :func:`recommender.ask`) use it so their limits are the model's own.

        Examples
        --------
        >>> import recommender as rc
        >>> model = rc.Recommender().fit(rc.default_catalog())
        >>> done = model.activity_ids_[0]
        >>> masks = model.limit_masks(rc.PersonProfile(name="A"), rc.PersonProfile(name="B"),
        ...                           rc.PairContext(minutes=10), recent_ids={done})
        >>> bool(masks["minutes"].all()), bool(masks["recent"][model.index_[done]])
        (False, False)
        """
        self._check_fitted()
        triple = _check_triple(a, b, ctx)
        person, _ = self._score_block([triple])
        index = self.index_
        recent = [np.array(sorted(index[i] for i in recent_ids if i in index), np.int32)]
        return {name: mask[0] for name, mask in self._masks([triple], person, recent).items()}

    def pair_scores(
        self, a: PersonProfile, b: PersonProfile, ctx: PairContext | None = None
    ) -> tuple[npt.NDArray[np.float32], npt.NDArray[np.float32]]:
        """Every activity's pair score and per-person scores, before constraints.

        Returns ``(pair, person)`` with shapes ``(n,)`` and ``(2, n)``, rows in
        the order of :attr:`activity_ids_`.

        Examples
        --------
        >>> import recommender as rc
        >>> model = rc.Recommender().fit(rc.default_catalog())
        >>> pair, person = model.pair_scores(rc.PersonProfile(name="A"),
        ...                                  rc.PersonProfile(name="B"))
        >>> pair.shape == (len(model.activity_ids_),), float(pair.min()) >= 0.0
        (True, True)
        """
        self._check_fitted()
        a, b, ctx = _check_triple(a, b, ctx)
        person, pair = self._score_block([(a, b, ctx)])
        return pair[0], person[:, 0]

    # ------------------------------------------------------------ recommend

    def recommend(
        self,
        a: PersonProfile,
        b: PersonProfile,
        ctx: PairContext | None = None,
        *,
        k: int = 5,
        history: PastActivity | None = None,
    ) -> list[Suggestion]:
        """The top ``k`` activities for ``a`` and ``b`` in context ``ctx``.

        Hard limits never bend; when nothing fits the list is empty and
        :meth:`diagnose` says why. With ``history`` (what the pair did: a
        :class:`~recommender.feedback.PastActivity`, such as
        :meth:`recommender.History.for_pair` returns), recent activities are
        not repeated, ratings shape each person's fit and the list leans toward
        whoever was served less last time (see :mod:`recommender.feedback`).
        """
        self._check_fitted()
        return self._recommend(
            [_check_triple(a, b, ctx)], k, [history] if history is not None else None
        )[0]

    def recommend_many(
        self,
        triples: Iterable[tuple[PersonProfile, PersonProfile, PairContext | None]],
        *,
        k: int = 10,
        histories: Sequence[PastActivity] | None = None,
    ) -> list[list[Suggestion]]:
        """:meth:`recommend` for many pairs at once, in blocks of matrix operations.

        Gives the same lists as calling :meth:`recommend` for each pair, with
        ``histories[i]`` (one :class:`~recommender.feedback.PastActivity` per
        pair, when given) as that pair's ``history``.
        """
        self._check_fitted()
        checked = [_check_triple(*t) for t in triples]
        if histories is not None and len(histories) != len(checked):
            raise ConfigError(
                f"histories: need one per pair ({len(checked)}), got {len(histories)}"
            )
        return self._recommend(checked, k, list(histories) if histories is not None else None)

    def _recommend(
        self, triples: Sequence[Triple], k: int, histories: Sequence[PastActivity] | None
    ) -> list[list[Suggestion]]:
        if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or k < 1:
            raise ConfigError(f"k must be an integer >= 1, got {k!r}")
        # No list is longer than the catalogue: cap k before anything is sized by it.
        k = min(int(k), len(self.activity_ids_))
        results: list[list[Suggestion]] = [[] for _ in triples]
        joint = [i for i, t in enumerate(triples) if not t[2].safety_concern]
        for i, t in enumerate(triples):
            if t[2].safety_concern:
                results[i] = self._safety(t, k)
        for start in range(0, len(joint), CHUNK):
            block = joint[start : start + CHUNK]
            block_triples = [triples[i] for i in block]
            block_histories = [histories[i] for i in block] if histories else None
            for i, suggestions in zip(
                block, self._rank_block(block_triples, k, block_histories), strict=True
            ):
                results[i] = suggestions
        return results

    def _rank_block(
        self, triples: Sequence[Triple], k: int, histories: Sequence[PastActivity] | None
    ) -> list[list[Suggestion]]:
        people = self._people([t[0] for t in triples] + [t[1] for t in triples])
        notes: list[dict[int, str]] = [{} for _ in triples]
        recent, lean = None, None
        if histories is not None:
            people, recent, notes, lean = apply_histories(self, triples, people, histories)
        limits = PairLimits.of(triples, self.items_, self.text_, self.index_, recent)
        allowed = feasible(limits, self.items_)  # every hard limit except 'support'
        # One pair whose hard limits leave few activities: only those are scored.
        columns = _few_allowed(allowed)
        person, pair = self._score_block(triples, people, columns)
        flags, support_rows = self.items_.flags, self.support_rows_
        if columns is not None:
            allowed, flags = np.ones(pair.shape, bool), flags[columns]
            support_rows = np.flatnonzero(flags & np.uint8(FLAG_SUPPORT))
            lean = None if lean is None else lean[:, columns]
        if lean is not None:
            pair = np.clip(pair + lean, 0.0, 1.0).astype(np.float32)
        if self.strategy == "average_without_misery":
            allowed &= agg.misery_mask(person, self.misery_threshold)
        # mental_health: one support item for low mood, chosen before support is masked out.
        supports = {
            row: self._support_pick(allowed[row], pair[row], flags)
            for row, (_, _, ctx) in enumerate(triples)
            if Obstacle.mental_health in ctx.obstacles
        }
        allowed[:, support_rows] = False  # support is never one more activity
        np.copyto(pair, np.float32(-np.inf), where=~allowed)  # in place: pair is ours
        chosen, capped = _select(pair, person, self, k, columns)
        return self._suggestions(triples, person, (chosen, capped), supports, notes, columns)

    def _suggestions(
        self,
        triples: Sequence[Triple],
        person: npt.NDArray[np.float32],
        selected: tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]],
        supports: Mapping[int, tuple[int, float] | None],
        notes: Sequence[dict[int, str]],
        columns: npt.NDArray[np.intp] | None,
    ) -> list[list[Suggestion]]:
        """The chosen columns of each row as suggestions, with fits and reasons
        (``columns``: the activity row of each column, when only some were scored)."""
        chosen, capped = selected
        k = chosen.shape[1]
        # Gather every row's picks and fits at once; the loop below is plain Python.
        safe = np.maximum(chosen, 0)
        fits_a = np.round(np.take_along_axis(person[0], safe, axis=1).astype(np.float64), 6)
        fits_b = np.round(np.take_along_axis(person[1], safe, axis=1).astype(np.float64), 6)
        if columns is not None:
            chosen = np.where(chosen >= 0, columns[safe], -1)
        chosen_rows, capped_rows = chosen.tolist(), capped.astype(np.float64).tolist()
        fits_a_rows, fits_b_rows = fits_a.tolist(), fits_b.tolist()
        # Values come from validated inputs and clipped arrays: skip re-validation.
        trusted, activities = Suggestion._trusted, self.activities_
        out = []
        for row, (a, b, ctx) in enumerate(triples):
            picks = [i for i in chosen_rows[row] if i >= 0]
            scores = capped_rows[row][: len(picks)]
            fits: list[tuple[float, float]] = list(
                zip(fits_a_rows[row][: len(picks)], fits_b_rows[row][: len(picks)], strict=True)
            )
            column, support_score = supports.get(row) or (None, 0.0)
            support = None
            if column is not None:
                support = column if columns is None else int(columns[column])
                picks, scores, fits = picks[: k - 1], scores[: k - 1], fits[: k - 1]
                scores.append(min([support_score, *scores[-1:]]))
                picks.append(support)
                fit_a, fit_b = np.round(person[:, row, column].astype(np.float64), 6).tolist()
                fits.append((fit_a, fit_b))
            explainer = Explainer(a, b, ctx, self.text_, self.facts_, picks, notes[row], activities)
            reasons = explainer.explain(picks, fits, support)
            out.append(
                [
                    trusted(activities[item], round(score, 6), fit, *why)
                    for item, score, fit, why in zip(picks, scores, fits, reasons, strict=True)
                ]
            )
        return out

    def _support_pick(
        self,
        allowed: npt.NDArray[np.bool_],
        pair: npt.NDArray[np.float32],
        flags: npt.NDArray[np.uint8],
    ) -> tuple[int, float] | None:
        """The allowed support item for a pair facing mental_health, with its pair score:
        help with low mood or anxiety (tag ``low-mood``; in a catalogue without that
        tag, any support that is not crisis help). The bundled catalogue has such
        items at depth 1, free and five minutes long, so every pair gets one.
        ``flags`` are the items' flags, aligned with ``allowed`` and ``pair``; the
        item is returned as a position in them."""
        eligible = allowed & ((flags & FLAG_SUPPORT) != 0) & ((flags & FLAG_CRISIS) == 0)
        low_mood = eligible & ((flags & FLAG_LOW_MOOD) != 0)
        if self.any_low_mood_:
            eligible = low_mood
        if not eligible.any():
            return None
        item = int(np.argmax(np.where(eligible, pair, -np.inf)))
        return item, float(pair[item])

    def _safety(self, triple: Triple, k: int) -> list[Suggestion]:
        """Individual support only: crisis and domestic-violence help first."""
        a, b, ctx = triple
        flags = self.items_.flags
        eligible = (
            ((flags & FLAG_SUPPORT) != 0)
            & ((flags & FLAG_INDIVIDUAL) != 0)
            & ((flags & FLAG_JOINT_THERAPY) == 0)
        )
        excluded = [self.index_[i] for i in ctx.exclude if i in self.index_]
        eligible[excluded] = False
        items = np.flatnonzero(eligible)
        crisis = (flags[items] & FLAG_CRISIS) != 0
        # Crisis and domestic-violence help first, quickest to act on first, then by id.
        order = items[np.lexsort((items, self.items_.minutes[items], ~crisis))][:k]
        explainer = Explainer(a, b, ctx, self.text_, self.facts_, order.tolist())
        person, _ = self._score_block([triple])
        reasons, codes = explainer.safety_reasons()
        fits = np.round(person[:, 0, order].astype(np.float64), 6).T.tolist()
        return [
            self._suggestion(int(item), 1.0, fit, reasons, codes)
            for item, fit in zip(order, fits, strict=True)
        ]

    def _suggestion(
        self,
        item: int,
        score: float,
        fits: Sequence[float],
        reasons: tuple[str, ...],
        codes: tuple[str, ...],
    ) -> Suggestion:
        # Values come from validated inputs and clipped arrays: skip re-validation.
        return Suggestion._trusted(self.activities_[item], round(score, 6), fits, reasons, codes)

    # ------------------------------------------------------------ diagnose

    def diagnose(
        self,
        a: PersonProfile,
        b: PersonProfile,
        ctx: PairContext | None = None,
        *,
        history: PastActivity | None = None,
    ) -> Diagnosis:
        """Which hard constraint removed how many candidates, and what to relax.

        Examples
        --------
        >>> import recommender as rc
        >>> model = rc.Recommender().fit(rc.default_catalog())
        >>> d = model.diagnose(rc.PersonProfile(name="A"), rc.PersonProfile(name="B"),
        ...                    rc.PairContext(minutes=1, remote=True))
        >>> d.remaining, d.removed["minutes"] > 300, d.advice[0].startswith("allow more minutes")
        (0, True, True)
        """
        self._check_fitted()
        triple = _check_triple(a, b, ctx)
        recent: Collection[str] = ()
        if history is not None:  # only what was done recently removes anything
            check_past(history)
            recent = history.recent_ids()
        masks = self.limit_masks(*triple, recent_ids=recent)
        if triple[2].safety_concern:
            masks = {}
        elif reports_concern(*triple):
            # A profile's private concern: say nothing about which limit (or why).
            return Diagnosis(len(self.activity_ids_), 0, {}, {}, ())
        blocked = np.stack([~m for m in masks.values()]) if masks else np.zeros((0, 0), bool)
        total = len(self.activity_ids_)
        removed = {name: int((~m).sum()) for name, m in masks.items()}
        freed = {}
        if masks:
            only = blocked.sum(axis=0) == 1
            freed = {name: int((only & ~m).sum()) for name, m in masks.items()}
            remaining = int((~blocked.any(axis=0)).sum())
        else:
            remaining = total
        advice = tuple(
            f"{CONSTRAINTS.get(name, name)} (would bring back {count})"
            for name, count in sorted(freed.items(), key=lambda kv: (-kv[1], kv[0]))
            if count and name != "support"
        )[:3]
        return Diagnosis(total, remaining, removed, freed, advice)

    # ------------------------------------------------------------ persistence

    @property
    def catalog_hash(self) -> str:
        """SHA-256 of the fitted catalogue's canonical JSON."""
        self._check_fitted()
        return _catalog_digest(self._activity_records())

    def _activity_records(self) -> list[dict[str, Any]]:
        records = []
        for a in self.activities_:
            record = a.model_dump(mode="json")
            record["relationships"] = sorted(record["relationships"])
            records.append(record)
        return records

    def save(self, path: str | os.PathLike[str]) -> Path:
        """Save the fitted model as ``.npz`` arrays plus JSON metadata (no pickle).

        The file holds the catalogue itself, its hash and the hyperparameters,
        and is written atomically.
        """
        from ._io import atomic_write_bytes

        self._check_fitted()
        records = self._activity_records()
        meta = {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "params": self.get_params(),
            "catalog_sha256": _catalog_digest(records),
            "activities": records,
        }
        arrays = {**arrays_of(self.text_, "text"), **arrays_of(self.items_, "items")}
        meta["arrays_sha256"] = _arrays_digest(arrays)
        arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)
        buffer = io.BytesIO()
        # numpy's stub reads **arrays as possibly holding its allow_pickle flag.
        np.savez(buffer, **arrays)  # type: ignore[arg-type]
        target = Path(path)
        atomic_write_bytes(target, buffer.getvalue())
        return target

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> Recommender:
        """Load a model saved by :meth:`save`; never unpickles.

        Raises
        ------
        ModelFileError
            The file is missing, truncated, edited, from another version, or
            its arrays do not match its catalogue.
        """
        source = str(path)
        try:
            with open(path, "rb") as handle, np.load(handle, allow_pickle=False) as archive:
                _check_members(archive, source)
                arrays = {name: archive[name] for name in archive.files}
        except ModelFileError:
            raise
        except FileNotFoundError:
            raise ModelFileError(f"{source}: no such model file") from None
        except (OSError, ValueError, EOFError, KeyError) as exc:
            raise ModelFileError(f"{source}: {_unreadable(path, exc)}") from None
        except Exception as exc:  # zipfile.BadZipFile and friends from a damaged file
            raise ModelFileError(
                f"{source}: not a readable closer model ({type(exc).__name__})"
            ) from None
        try:
            meta = json.loads(arrays.pop("meta").tobytes().decode())
        except (KeyError, UnicodeDecodeError, json.JSONDecodeError):
            raise ModelFileError(f"{source}: model metadata is missing or damaged") from None
        if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
            raise ModelFileError(f"{source}: not a closer model file")
        if meta.get("version") != MODEL_VERSION:
            raise ModelFileError(
                f"{source}: model format version {meta.get('version')!r} is "
                f"not supported (this closer reads {MODEL_VERSION}); refit"
            )
        records = meta.get("activities")
        if not isinstance(records, list) or _catalog_digest(records) != meta.get("catalog_sha256"):
            raise ModelFileError(
                f"{source}: the catalogue inside the model does not match its "
                "hash (the file was edited or damaged)"
            )
        if _arrays_digest(arrays) != meta.get("arrays_sha256"):
            raise ModelFileError(
                f"{source}: the model's arrays do not match its catalogue (the file was "
                "edited, damaged or assembled from another model)"
            )
        try:
            catalog = Catalog(activities=tuple(Activity.model_validate(r) for r in records))
            model = cls(**meta["params"])
            model._validate_params()
            text = from_arrays(TextSpace, "text", arrays)
            items = from_arrays(ItemTable, "items", arrays)
        except (ValueError, TypeError, KeyError, ConfigError) as exc:
            raise ModelFileError(f"{source}: model contents are invalid ({exc})") from None
        n = len(catalog)
        if (
            len(items) != n
            or text.n_items != n
            or len(text.col_ptr) != len(text.terms) + 1
            or (len(text.col_items) and int(text.col_items.max()) >= n)
        ):
            raise ModelFileError(
                f"{source}: model arrays do not match its catalogue ({n} activities)"
            )
        model.text_, model.items_ = text, items
        model._set_catalog(catalog.activities)
        return model


def _unreadable(path: str | os.PathLike[str], exc: Exception) -> str:
    """Why numpy could not read a model file, in closer's words."""
    text = str(exc)
    if "Object arrays" in text:
        return "not a readable closer model (it holds object arrays, which closer never unpickles)"
    if "pickled data" in text:
        try:
            with open(path, "rb") as handle:
                pickled = handle.read(1) == b"\x80"  # the pickle protocol marker
        except OSError:
            pickled = False
        reason = (
            "it holds pickled data, which closer never loads" if pickled else "not an .npz file"
        )
        return f"not a readable closer model ({reason})"
    return f"not a readable closer model ({text})"


def _arrays_digest(arrays: Mapping[str, npt.NDArray[Any]]) -> str:
    """SHA-256 over every array's name, dtype, shape and bytes, in name order."""
    import hashlib  # (only model files and catalogue hashes need it: not the first use)

    digest = hashlib.sha256()
    for name in sorted(arrays):
        if name == "meta":
            continue
        array = np.ascontiguousarray(arrays[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


def _check_members(archive: Any, source: str) -> None:
    """Refuse, before reading them, arrays that would be larger than the file holds.

    closer writes its arrays uncompressed, so a member that inflates (a zip bomb)
    or whose header declares more data than it stores is not a closer model.
    """
    for info in archive.zip.infolist():
        if info.file_size > info.compress_size + 1024:
            raise ModelFileError(
                f"{source}: member {info.filename!r} is compressed "
                f"({info.compress_size} bytes inflating to {info.file_size}); "
                "closer models are not, so this is not one"
            )
        with archive.zip.open(info) as member:
            version = np.lib.format.read_magic(member)
            read_header = (
                np.lib.format.read_array_header_1_0
                if version == (1, 0)
                else np.lib.format.read_array_header_2_0
            )
            shape, _, dtype = read_header(member)
        declared = int(np.prod(shape, dtype=np.int64)) * dtype.itemsize
        if declared > info.file_size:
            raise ModelFileError(
                f"{source}: member {info.filename!r} declares {declared} bytes of data "
                f"but holds {info.file_size}"
            )


def _catalog_digest(records: list[dict[str, Any]]) -> str:
    import hashlib

    canonical = json.dumps(records, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


#: One pair is scored on its allowed activities alone when they are at most this
#: share of the catalogue (gathering their columns then costs less than scoring all).
SUBSET_SHARE = 0.4


def _by_item(basis: npt.NDArray[np.float32]) -> npt.NDArray[np.uint16]:
    """A ``(rows, n)`` basis on the 1/2048 grid in [0, 1] as ``(n, rows)`` whole
    numbers (x 2048, exactly): one activity's row is 16-22 bytes to gather."""
    # Every basis value is on_grid() in [0, 1], so this is exact.
    return np.ascontiguousarray(np.round(basis.T * GRID), dtype=np.uint16)


def _basis_at(by_item: npt.NDArray[np.uint16], columns: npt.NDArray[np.intp]) -> F32:
    """Columns ``columns`` of the basis :func:`_by_item` laid out by item: a
    ``(rows, len(columns))`` view of an item-major array (the exact values)."""
    gathered = by_item.take(columns, axis=0).astype(np.float32)
    gathered *= np.float32(1.0 / GRID)  # a power of two: exact
    return gathered.T


def _few_allowed(allowed: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp] | None:
    """The allowed columns of a one-pair block when they are few, else None."""
    if allowed.shape[0] != 1:
        return None
    count = np.count_nonzero(allowed)
    if count == 0 or count > SUBSET_SHARE * allowed.shape[1]:
        return None
    return np.flatnonzero(allowed[0])


def _select(
    ranked: npt.NDArray[np.float32],
    person: npt.NDArray[np.float32],
    model: Recommender,
    k: int,
    items: npt.NDArray[np.intp] | None = None,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]:
    from .rerank import select

    return select(
        ranked,
        person,
        model.items_.structure,
        k=k,
        diversity=float(model.diversity),
        fairness=float(model.fairness) if _reranks(model) else 0.0,
        pool=max(model.pool, k),
        items=items,
    )


def _reranks(model: Recommender) -> bool:
    """Whether the re-ranker's fairness term applies (None: only for ``fair``)."""
    return model.strategy == "fair" if model.rerank is None else bool(model.rerank)


def _check_triple(a: Any, b: Any, ctx: Any) -> Triple:
    for label, person in (("first person", a), ("second person", b)):
        if not isinstance(person, PersonProfile):
            raise ProfileError(f"{label}: expected a PersonProfile, got {type(person).__name__}")
    if ctx is None:
        ctx = PairContext()
    elif not isinstance(ctx, PairContext):
        raise ProfileError(f"context: expected a PairContext, got {type(ctx).__name__}")
    return a, b, ctx
