"""Run the evaluation: every ranker on every family, bootstrap intervals, feedback rounds.

:func:`evaluate` draws each family's pairs, computes both people's true
utility and the independent limits, asks every ranker for a list of 10 (the
first 5 are the list of 5: closer's re-ranker picks position by position),
and turns the per-pair values into :class:`EvaluationRecord` s with a
bootstrap 95% interval (percentiles of the mean over ``resamples`` resamples
of the pairs, the same resamples for every ranker of a family).

Envy asks each ranker twice more, once per person with the other's tastes
gone but their limits kept (a profile of the first person carrying the
second's limits): envy is how much more nDCG the more envious person would
get from that list, 0 when neither would.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from ..catalog import default_catalog
from ..history import History
from ..model import STRATEGIES, Recommender
from ..schema import Catalog, PersonProfile
from . import metrics
from .families import SimulatedPair, make_pairs
from .people import ReportNoise, draw_person
from .rankers import (
    CloserRanker,
    PopularRanker,
    RandomRanker,
    Ranker,
    TfidfRanker,
    closer_rankers,
    ranker_name,
)
from .report import FAMILY_NAMES, EvaluationRecord, FamilyName, measured
from .truth import CatalogFacts, allowed_items, true_utility

__all__ = [
    "BASELINES",
    "DefaultChoice",
    "Evaluation",
    "EvaluationConfig",
    "Margin",
    "choose_default",
    "evaluate",
    "feedback_rounds",
    "measure_ranker",
]

F64 = npt.NDArray[np.float64]
Progress = Callable[[int, int], None]
Values = dict[tuple[str, int], F64]

KS = (5, 10)
#: Simulated people whose mean true utility is the popularity baseline's order.
CROWD = 500
#: Day of the first feedback round (any fixed date: rounds are a week apart).
FIRST_ROUND = dt.date(2026, 1, 5)


class EvaluationConfig(BaseModel):
    """What to run (the defaults are the full run the README reports).

    Examples
    --------
    >>> EvaluationConfig(pairs=20, rounds=2, round_pairs=10).families[0]
    'similar'
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    families: tuple[FamilyName, ...] = FAMILY_NAMES  # type: ignore[assignment]
    """Pair families to run."""
    pairs: int = Field(default=300, ge=2, le=100_000)
    """Pairs per family."""
    rounds: int = Field(default=10, ge=0, le=52)
    """Feedback rounds (0: none)."""
    round_pairs: int = Field(default=100, ge=1, le=100_000)
    """Pairs in the feedback rounds, taken in turn from each family's first pairs."""
    seed: int = Field(default=0, ge=0)
    """Seeds the pairs, the random baseline, the crowd and the bootstrap."""
    resamples: int = Field(default=1000, ge=10, le=100_000)
    """Bootstrap resamples per figure."""
    noise: ReportNoise = ReportNoise()
    """How far the written profiles are from the truth."""


@dataclass(frozen=True)
class DefaultChoice:
    """The strategy the evidence picks, and what it was picked on."""

    chosen: str
    current: str
    min_ndcg: dict[str, float]  # ranker -> mean over families of min_ndcg@10
    ndcg: dict[str, float]  # ranker -> mean over families of ndcg@10
    eligible: tuple[str, ...]  # mean ndcg@10 within 2% of the best


@dataclass(frozen=True)
class Margin:
    """How much the default beats a baseline on the worse-off person's nDCG@10.

    ``low`` and ``high`` bound the paired bootstrap 95% interval of the mean
    difference: each resample takes the same pairs for both rankers, so the
    interval is much tighter than the two rankers' own intervals side by side.
    """

    family: str
    baseline: str
    value: float
    low: float
    high: float


#: The baselines the default is compared with, pair by pair.
BASELINES = ("random", "popular", "tfidf")


@dataclass(frozen=True)
class Evaluation:
    """Every record of a run, the default the evidence picks, and its margins."""

    records: tuple[EvaluationRecord, ...]
    choice: DefaultChoice | None
    margins: tuple[Margin, ...] = ()


def _margins(
    family: str, worse_off: dict[str, F64], resample: npt.NDArray[np.int64]
) -> list[Margin]:
    """The default's paired margin over each baseline on ``worse_off`` (per-pair values)."""
    mine = worse_off[default_ranker_name()]
    out = []
    for baseline in BASELINES:
        gain = mine - worse_off[baseline]
        low, high = _interval(gain[resample].mean(axis=1))
        out.append(Margin(family, baseline, float(gain.mean()), low, high))
    return out


def default_ranker_name() -> str:
    """The ranker name of ``Recommender()`` with its default hyperparameters."""
    model = Recommender()
    reranks = model.strategy == "fair" if model.rerank is None else model.rerank
    return ranker_name(model.strategy, bool(reranks))


def strategy_defaults() -> tuple[str, ...]:
    """Each strategy as ``Recommender(strategy=...)`` runs it (re-ranker: its own choice)."""
    return tuple(ranker_name(s, s == "fair") for s in STRATEGIES)


def _with_limits_of(person: PersonProfile, other: PersonProfile) -> PersonProfile:
    """``person``'s tastes carrying ``other``'s limits (for the envy lists)."""
    limits = ("max_depth", "budget", "max_contact", "limited_mobility", "avoid")
    return person.model_copy(update={name: getattr(other, name) for name in limits})


def _truth(
    pairs: Sequence[SimulatedPair], facts: CatalogFacts
) -> tuple[F64, F64, npt.NDArray[np.bool_]]:
    first = np.stack([true_utility(p.truth[0], facts) for p in pairs])
    second = np.stack([true_utility(p.truth[1], facts) for p in pairs])
    allowed = np.stack([allowed_items(*p.profiles, p.context, facts) for p in pairs])
    return first, second, allowed


def _measure(
    ranker: Ranker,
    pairs: Sequence[SimulatedPair],
    facts: CatalogFacts,
    truth: tuple[F64, F64, npt.NDArray[np.bool_]],
) -> tuple[Values, dict[int, npt.NDArray[np.int64]]]:
    """Per-pair values of every metric but coverage, and the lists (for coverage)."""
    first, second, allowed = truth
    k_max = max(KS)
    triples = [(*p.profiles, p.context) for p in pairs]
    lists = metrics.padded(ranker.rank(triples, k_max), k_max)
    solo_first = [(a, _with_limits_of(a, b), ctx) for a, b, ctx in triples]
    solo_second = [(_with_limits_of(b, a), b, ctx) for a, b, ctx in triples]
    alone_first = metrics.padded(ranker.rank(solo_first, k_max), k_max)
    alone_second = metrics.padded(ranker.rank(solo_second, k_max), k_max)
    values: Values = {}
    ok = allowed.astype(bool)
    for k in KS:
        mine = metrics.ndcg(lists, first, ok, k), metrics.ndcg(lists, second, ok, k)
        solo = metrics.ndcg(alone_first, first, ok, k), metrics.ndcg(alone_second, second, ok, k)
        values["ndcg", k] = (mine[0] + mine[1]) / 2.0
        values["min_ndcg", k] = np.minimum(*mine)
        values["jain", k] = metrics.jain(*mine)
        values["envy", k] = np.maximum(np.maximum(solo[0] - mine[0], solo[1] - mine[1]), 0.0)
        values["ild", k] = metrics.ild(lists[:, :k], facts.strongest, facts.practice)
        values["violations", k] = metrics.violations(lists[:, :k], ok)
    return values, {k: lists[:, :k] for k in KS}


def measure_ranker(ranker: Ranker, pairs: Sequence[SimulatedPair], facts: CatalogFacts) -> Values:
    """Per-pair values of ``ranker`` on ``pairs``: ``{(metric, k): (P,) array}`` (no coverage).

    Examples
    --------
    >>> import recommender as rc
    >>> from recommender.evaluation.rankers import CloserRanker
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> values = measure_ranker(CloserRanker(model), make_pairs("remote", 4, 0),
    ...                         CatalogFacts.of(model.activities_))
    >>> values["min_ndcg", 10].shape, float(values["violations", 10].sum())
    ((4,), 0.0)
    """
    return _measure(ranker, pairs, facts, _truth(pairs, facts))[0]


def _interval(samples: F64) -> tuple[float, float]:
    low, high = np.percentile(samples, [2.5, 97.5])
    return float(low), float(high)


def _family_records(
    family: str,
    ranker: str,
    values: Values,
    lists: dict[int, npt.NDArray[np.int64]],
    facts: CatalogFacts,
    resample: npt.NDArray[np.int64],
) -> list[EvaluationRecord]:
    records = []
    for (metric, k), per_pair in values.items():
        interval = _interval(per_pair[resample].mean(axis=1))
        records.append(measured(family, ranker, metric, k, float(per_pair.mean()), interval))
    for k, top in lists.items():
        shown = metrics.listed(top, len(facts)).astype(np.float64)
        # Per resample, how often each activity is listed: one matrix product.
        weights = np.stack([np.bincount(row, minlength=len(top)) for row in resample])
        counts = weights.astype(np.float64) @ shown
        share = (counts[:, facts.joint] > 0).mean(axis=1)
        value = metrics.coverage(top, facts.joint)
        # A resample holds fewer distinct pairs than the family, so its coverage
        # runs low: the interval is the resamples' spread around the family's value.
        interval = _interval(share - share.mean() + value)
        records.append(measured(family, ranker, "coverage", k, value, interval))
    return records


def crowd_popularity(facts: CatalogFacts, seed: int) -> F64:
    """Mean true utility of each activity over a crowd the pairs are not drawn from.

    Examples
    --------
    >>> import recommender as rc
    >>> facts = CatalogFacts.of(rc.default_catalog().activities)
    >>> crowd_popularity(facts, seed=0).shape == (len(facts),)
    True
    """
    rng = np.random.default_rng([seed, 0xC0D])
    crowd = [draw_person(rng, f"crowd{i}") for i in range(CROWD)]
    return np.asarray(np.mean([true_utility(p, facts) for p in crowd], axis=0))


def _rankers(catalog: Catalog, facts: CatalogFacts, seed: int) -> tuple[list[Ranker], Recommender]:
    closer = closer_rankers(catalog)
    model = closer[0].model
    baselines: list[Ranker] = [
        RandomRanker(model, seed),
        PopularRanker(model, crowd_popularity(facts, seed)),
        TfidfRanker(model),
    ]
    return [*closer, *baselines], model


def _resamples(n_pairs: int, config: EvaluationConfig, family: str) -> npt.NDArray[np.int64]:
    rng = np.random.default_rng([config.seed, 0xB007, FAMILY_NAMES.index(family)])
    return rng.integers(0, n_pairs, (config.resamples, n_pairs))


def evaluate(
    config: EvaluationConfig | None = None,
    catalog: Catalog | None = None,
    progress: Progress | None = None,
) -> Evaluation:
    """Run every ranker on every family of ``config``, then the feedback rounds.

    ``progress(done, total)`` is called after each step (for a progress bar).

    Examples
    --------
    >>> run = evaluate(EvaluationConfig(families=("remote",), pairs=6, rounds=1,
    ...                                 round_pairs=2, resamples=20))
    >>> {r.metric for r in run.records if r.ranker == "tfidf"} >= {"ndcg", "coverage"}
    True
    """
    config = config or EvaluationConfig()
    catalog = catalog or default_catalog()
    rankers, model = _rankers(catalog, CatalogFacts.of(catalog.activities), config.seed)
    facts = CatalogFacts.of(model.activities_)  # rows in the model's order
    closer_by_name = {r.name: r for r in rankers if isinstance(r, CloserRanker)}
    total = len(config.families) * len(rankers) + config.rounds * len(STRATEGIES)
    done = 0
    records: list[EvaluationRecord] = []
    drawn: dict[str, list[SimulatedPair]] = {}
    margins: list[Margin] = []
    for family in config.families:
        pairs = drawn[family] = make_pairs(family, config.pairs, config.seed, config.noise)
        truth = _truth(pairs, facts)
        resample = _resamples(len(pairs), config, family)
        worse_off: dict[str, F64] = {}
        for ranker in rankers:
            values, lists = _measure(ranker, pairs, facts, truth)
            records += _family_records(family, ranker.name, values, lists, facts, resample)
            worse_off[ranker.name] = values["min_ndcg", 10]
            done += 1
            if progress:
                progress(done, total)
        margins += _margins(family, worse_off, resample)
    if config.rounds:
        round_pairs = _round_pairs(drawn, config.round_pairs)
        for name in strategy_defaults():

            def step() -> None:
                nonlocal done
                done += 1
                if progress:
                    progress(done, total)

            records += feedback_rounds(
                closer_by_name[name], round_pairs, facts, config, on_round=step
            )
    records = _mark_default(records)
    choice = choose_default(records) if config.families else None
    return Evaluation(tuple(records), choice, tuple(margins))


def _mark_default(records: list[EvaluationRecord]) -> list[EvaluationRecord]:
    name = default_ranker_name()
    return [r.model_copy(update={"default": True}) if r.ranker == name else r for r in records]


def _round_pairs(drawn: dict[str, list[SimulatedPair]], n: int) -> list[SimulatedPair]:
    """``n`` pairs taken in turn from each family's first pairs."""
    longest = max(len(p) for p in drawn.values())
    mixed = [pairs[i] for i in range(longest) for pairs in drawn.values() if i < len(pairs)]
    return mixed[:n]


def ratings_of(utility: F64, joint: npt.NDArray[np.bool_]) -> npt.NDArray[np.int64]:
    """1..5 stars from where each value of a person's utility ranks among the joint
    activities (fifths: the top fifth of what they could do rates 5).

    Examples
    --------
    >>> ratings_of(np.array([[0.1, 0.5, 0.9, 0.3, 0.7]]), np.ones(5, bool)).tolist()
    [[1, 3, 5, 2, 4]]
    """
    pool = np.sort(utility[:, joint], axis=1)
    below = np.stack(
        [np.searchsorted(row, u, side="left") for row, u in zip(pool, utility, strict=True)]
    )
    return np.asarray(1 + np.minimum(4, (5 * below) // pool.shape[1]), np.int64)


def feedback_rounds(
    ranker: CloserRanker,
    pairs: Sequence[SimulatedPair],
    facts: CatalogFacts,
    config: EvaluationConfig,
    on_round: Callable[[], None] | None = None,
) -> list[EvaluationRecord]:
    """``config.rounds`` weeks: each pair does its first suggestion, both rate it from
    their true utility, and the ratings go through a :class:`~recommender.History`.

    Each round's list is measured at k = 10 against what is left to do (done
    activities are not repeated, so they leave the ideal list too), and
    ``cumulative_jain`` is Jain's index over the two people's summed true
    utility of everything done so far.
    """
    model = ranker.model
    utility = np.stack([np.stack([true_utility(p.truth[i], facts) for p in pairs]) for i in (0, 1)])
    stars = np.stack([ratings_of(utility[i], facts.joint) for i in (0, 1)])
    enjoyed = np.zeros((2, len(pairs)))
    resample = np.random.default_rng([config.seed, 0x50D]).integers(
        0, len(pairs), (config.resamples, len(pairs))
    )
    records: list[EvaluationRecord] = []
    with tempfile.TemporaryDirectory() as folder, History(Path(folder) / "rounds.db") as store:
        for week in range(1, config.rounds + 1):
            today = FIRST_ROUND + dt.timedelta(days=7 * (week - 1))
            lists, allowed = _one_week(model, pairs, facts, store, today)
            for i, (pair, top) in enumerate(zip(pairs, lists.tolist(), strict=True)):
                if top[0] >= 0:  # the pair does the first suggestion, both rate it
                    names = [person.name for person in pair.profiles]
                    rating = {n: int(stars[j, i, top[0]]) for j, n in enumerate(names)}
                    store.record(pair.name, facts.ids[top[0]], rating, day=today)
                    enjoyed[:, i] += utility[:, i, top[0]]
            values = _round_values(lists, utility, allowed, facts)
            values["cumulative_jain", max(KS)] = metrics.jain(enjoyed[0], enjoyed[1])
            for (metric, k), per_pair in values.items():
                interval = _interval(per_pair[resample].mean(axis=1))
                value = float(per_pair.mean())
                records.append(measured("all", ranker.name, metric, k, value, interval, week))
            if on_round:
                on_round()
    return records


def _one_week(
    model: Recommender,
    pairs: Sequence[SimulatedPair],
    facts: CatalogFacts,
    store: History,
    today: dt.date,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.bool_]]:
    """Each pair's list of the week (with its history), and what it could have done."""
    rows, allowed = [], []
    for pair in pairs:
        snapshot = store.for_pair(pair.name, today=today)
        ranked = model.recommend(*pair.profiles, pair.context, k=max(KS), history=snapshot)
        rows.append([model.index_[s.activity.id] for s in ranked])
        done = frozenset(snapshot.recent_ids())
        allowed.append(allowed_items(*pair.profiles, pair.context, facts, done))
    return metrics.padded(rows, max(KS)), np.stack(allowed)


def _round_values(
    lists: npt.NDArray[np.int64], utility: F64, allowed: npt.NDArray[np.bool_], facts: CatalogFacts
) -> Values:
    k = lists.shape[1]
    ok = allowed.astype(bool)
    mine = metrics.ndcg(lists, utility[0], ok, k), metrics.ndcg(lists, utility[1], ok, k)
    return {
        ("ndcg", k): (mine[0] + mine[1]) / 2.0,
        ("min_ndcg", k): np.minimum(*mine),
        ("jain", k): metrics.jain(*mine),
        ("ild", k): metrics.ild(lists, facts.strongest, facts.practice),
        ("violations", k): metrics.violations(lists, ok),
    }


def choose_default(records: Sequence[EvaluationRecord]) -> DefaultChoice:
    """The strategy with the best worse-off nDCG@10 averaged over families, among
    those whose mean nDCG@10 is within 2% of the best strategy's.

    Each strategy runs as ``Recommender(strategy=...)`` would (the re-ranker
    as that strategy has it by default).
    """
    candidates = strategy_defaults()
    means: dict[str, dict[str, float]] = {"min_ndcg": {}, "ndcg": {}}
    for metric, by_ranker in means.items():
        for name in candidates:
            values = [
                r.value
                for r in records
                if r.ranker == name and r.metric == metric and r.k == 10 and r.round is None
            ]
            by_ranker[name] = float(np.mean(values))
    best_ndcg = max(means["ndcg"].values())
    eligible = tuple(n for n in candidates if means["ndcg"][n] >= 0.98 * best_ndcg)
    chosen = max(eligible, key=lambda n: (means["min_ndcg"][n], n == default_ranker_name()))
    return DefaultChoice(chosen, default_ranker_name(), means["min_ndcg"], means["ndcg"], eligible)
