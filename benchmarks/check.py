"""Fast paths against the straightforward computation (for a test to call).

The recommender scores through postings, typed columns, ``argpartition`` and
batched blocks; each of those has a plain reference here, written from the
public contract (DESIGN.md) and the documented formulas, one activity at a
time, with no shared code beyond the tokenizer:

:func:`reference_person_scores`
    relevance.py's formula over a TF-IDF matrix fitted from scratch with
    scikit-learn and multiplied densely (vs. the postings walk).
:func:`reference_feasible`
    every hard constraint checked on the pydantic fields of each activity
    (vs. the masks over typed columns).
:func:`reference_top_k`
    a full sort of the feasible items by ``(-score, id)`` (vs. argpartition,
    lexsort and the greedy re-ranker with diversity and fairness at zero).
:func:`check_model`
    runs all of them, plus ``recommend_many`` == ``recommend`` one pair at a
    time across block boundaries, and returns the mismatches.

``python benchmarks/check.py --size 2000 --pairs 300`` runs it on a synthetic
catalogue and prints the mismatches (exit 1 when there are any).
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

import recommender as rc
from recommender import relevance as _relevance
from recommender.constraints import OBSTACLE_DEPTH_CAP
from recommender.features import activity_text
from recommender.schema import CONTACT_LEVEL, ENERGY_LEVEL, slugify
from recommender.text import analyze, related_words

try:
    from .synth import Triple, random_pairs, synthetic_catalog
except ImportError:  # run as a script: python benchmarks/check.py
    from synth import Triple, random_pairs, synthetic_catalog  # type: ignore[no-redef, import-not-found]

__all__ = [
    "ReferenceSpace",
    "check_model",
    "reference_feasible",
    "reference_pair_scores",
    "reference_person_scores",
    "reference_top_k",
]

F64 = npt.NDArray[np.float64]
TYPES = tuple(rc.IntimacyType)
#: Interest cosine at which the interest part of a person's fit reaches 1, and
#: below which it counts for nothing (relevance.py's documented constants).
INTEREST_SATURATION: float = _relevance.INTEREST_SATURATION
INTEREST_FLOOR: float = getattr(_relevance, "INTEREST_FLOOR", 0.0)
#: How far scores may differ: the model rounds weights to a 1/4096 grid so that
#: batch and single scoring agree bit for bit (_linalg.py).
SCORE_TOLERANCE = 2e-3
#: The most touch each relationship allows (RESEARCH.md: nothing beyond casual
#: outside romantic pairs; colleague items have contact none by catalogue rule).
RELATIONSHIP_CONTACT = {
    rc.Relationship.romantic: 2,
    rc.Relationship.friends: 1,
    rc.Relationship.family: 1,
    rc.Relationship.colleagues: 0,
    rc.Relationship.parent_child: 1,
    rc.Relationship.siblings: 1,
}


class ReferenceSpace:
    """A TF-IDF space fitted from scratch, rows in id order like the model's.

    Examples
    --------
    >>> acts = synthetic_catalog(50)
    >>> space = ReferenceSpace(acts)
    >>> space.matrix.shape[0], [a.id for a in space.activities] == sorted(a.id for a in acts)
    (50, True)
    """

    def __init__(self, activities: Sequence[rc.Activity]) -> None:
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.activities = sorted(activities, key=lambda a: a.id)
        self.vectorizer = TfidfVectorizer(analyzer=analyze, sublinear_tf=True)
        self.matrix: Any = self.vectorizer.fit_transform(
            [activity_text(a) for a in self.activities]
        )
        self.words = [set(analyze(activity_text(a))) for a in self.activities]

    def interest_cosine(self, profile: rc.PersonProfile) -> F64 | None:
        """Cosine of the profile's interests with every item; None when no word is known."""
        words = dict.fromkeys(related_words(w) for w in profile.interests)
        queries = [self.vectorizer.transform([w]) for w in words]  # each L2-normalised
        known = [q for q in queries if q.nnz]
        if not known:
            return None
        query = sum(known[1:], known[0])  # relevance.py: the sum of per-interest unit vectors
        return np.asarray((self.matrix @ query.T).toarray()).ravel()


def reference_person_scores(
    space: ReferenceSpace,
    profile: rc.PersonProfile,
    *,
    interest_weight: float = 0.35,
    energy_weight: float = 0.1,
) -> F64:
    """One person's fit with every activity, by relevance.py's documented formula."""
    cosine = space.interest_cosine(profile)
    w_type = 1.0 - interest_weight - energy_weight
    w_interest = interest_weight if cosine is not None else 0.0
    w_energy = energy_weight if profile.energy is not None else 0.0
    total = w_type + w_interest + w_energy
    out = np.empty(len(space.activities))
    for i, activity in enumerate(space.activities):
        weights = sum(activity.intimacy.values())
        type_fit = sum(profile.weight(t) * w / weights for t, w in activity.intimacy.items())
        fit = w_type * type_fit
        if cosine is not None:
            share = (cosine[i] - INTEREST_FLOOR) / (INTEREST_SATURATION - INTEREST_FLOOR)
            fit += w_interest * min(max(share, 0.0), 1.0)
        if profile.energy is not None:
            gap = abs(ENERGY_LEVEL[profile.energy] - ENERGY_LEVEL[activity.energy])
            fit += w_energy * (1.0 - 0.5 * gap)
        out[i] = min(max(fit / total, 0.0), 1.0)
    return out


def reference_pair_scores(strategy: str, person: F64) -> F64:
    """Masthoff's aggregation of a ``(2, n)`` array (no emphasis bonus)."""
    a, b = person
    rules: dict[str, F64] = {
        "least_misery": np.minimum(a, b),
        "most_pleasure": np.maximum(a, b),
        "product": np.sqrt(a * b),
    }
    mean: F64 = (a + b) / 2  # average, fair, average_without_misery
    return rules.get(strategy, mean)


def reference_feasible(
    space: ReferenceSpace, a: rc.PersonProfile, b: rc.PersonProfile, ctx: rc.PairContext
) -> npt.NDArray[np.bool_]:
    """Which activities every hard limit of the contract allows (support items excluded)."""
    depth = min(
        [
            a.max_depth,
            b.max_depth,
            *(OBSTACLE_DEPTH_CAP[o] for o in ctx.obstacles if o in OBSTACLE_DEPTH_CAP),
        ]
    )
    budget = min(a.budget, b.budget, 3 if ctx.budget is None else ctx.budget)
    contact = min(
        CONTACT_LEVEL[a.max_contact],
        CONTACT_LEVEL[b.max_contact],
        RELATIONSHIP_CONTACT[ctx.relationship],
    )
    mobility = a.limited_mobility or b.limited_mobility
    avoid = [*a.avoid, *b.avoid]
    out = np.zeros(len(space.activities), bool)
    for i, act in enumerate(space.activities):
        avoided = any(
            slugify(w) in act.tags or (analyze(w) and set(analyze(w)) <= space.words[i])
            for w in avoid
        )
        out[i] = (
            ctx.relationship in act.relationships
            and act.depth <= depth
            and act.cost <= budget
            and CONTACT_LEVEL[act.contact] <= contact
            and (act.accessible or not mobility)
            and (ctx.minutes is None or act.minutes <= ctx.minutes)
            and (act.remote or not ctx.remote)
            and (ctx.remote or act.presence is not rc.Presence.apart)
            and (
                ctx.setting in (None, rc.Setting.any)
                or act.setting in (ctx.setting, rc.Setting.any)
            )
            and not avoided
            and act.id not in ctx.exclude
            and act.practice is not rc.Practice.support
        )
    return out


def reference_top_k(
    scores: npt.NDArray[np.floating[Any]],
    feasible: npt.NDArray[np.bool_],
    ids: Sequence[str],
    k: int,
) -> list[str]:
    """The ``k`` best feasible ids by ``(-score, id)``, by a full sort."""
    order = sorted(
        (i for i in range(len(ids)) if feasible[i]), key=lambda i: (-float(scores[i]), ids[i])
    )
    return [ids[i] for i in order[:k]]


def check_model(
    activities: Sequence[rc.Activity],
    triples: Sequence[Triple],
    *,
    k: int = 10,
    tolerance: float = SCORE_TOLERANCE,
) -> list[str]:
    """Compare the recommender's fast paths with the references; returns the mismatches.

    Contexts with ``safety_concern`` are skipped (they return support resources
    only). Ranking is checked with diversity, fairness and the novelty bonus
    at zero, and only for contexts without obstacles or goals (their emphasis
    bonus is a ranking choice, not a hard rule); feasibility for every context.

    Examples
    --------
    >>> acts = synthetic_catalog(400, seed=2)
    >>> check_model(acts, random_pairs(acts, 20, seed=3), k=5)
    []
    """
    space = ReferenceSpace(activities)
    ids = [a.id for a in space.activities]
    problems: list[str] = []
    triples = [t for t in triples if not t[2].safety_concern]
    plain = rc.Recommender().fit(space.activities)
    if list(plain.activity_ids_) != ids:
        return ["the fitted model's rows are not in id order"]

    for number, (a, b, ctx) in enumerate(triples):
        where = f"pair {number}"
        feasible = reference_feasible(space, a, b, ctx)
        for s in plain.recommend(a, b, ctx, k=k):
            index = ids.index(s.activity.id)
            support_slot = (
                s.activity.practice is rc.Practice.support
                and rc.Obstacle.mental_health in ctx.obstacles
            )
            if not feasible[index] and not support_slot:
                problems.append(f"{where}: {s.activity.id} breaks a hard limit")
        remaining = plain.diagnose(a, b, ctx).remaining
        if remaining != int(feasible.sum()):
            problems.append(f"{where}: diagnose says {remaining} fit, reference {feasible.sum()}")

    expected_people = [
        np.stack([reference_person_scores(space, p) for p in (a, b)]) for a, b, _ in triples
    ]
    for strategy in rc.STRATEGIES:
        model = rc.Recommender(
            strategy=strategy, diversity=0.0, fairness=0.0, novelty_weight=0.0
        ).fit(space.activities)
        for number, ((a, b, ctx), expected) in enumerate(
            zip(triples, expected_people, strict=True)
        ):
            where = f"{strategy}, pair {number}"
            pair, person = model.pair_scores(a, b, ctx)
            if np.abs(person - expected).max() > tolerance:
                problems.append(
                    f"{where}: person scores differ by {np.abs(person - expected).max():.2g}"
                )
            if ctx.obstacles or ctx.goals:
                continue
            plain_pair = reference_pair_scores(strategy, expected)
            if np.abs(pair - plain_pair).max() > tolerance:
                problems.append(
                    f"{where}: pair scores differ by {np.abs(pair - plain_pair).max():.2g}"
                )
            feasible = reference_feasible(space, a, b, ctx)
            if strategy == "average_without_misery":
                feasible &= np.minimum(person[0], person[1]) >= model.misery_threshold
            got = [s.activity.id for s in model.recommend(a, b, ctx, k=k)]
            want = reference_top_k(pair, feasible, ids, k)
            if got != want:
                problems.append(f"{where}: top {k} {got[:3]}... != full sort {want[:3]}...")

    batch = plain.recommend_many(triples, k=k)
    for number, (suggestions, triple) in enumerate(zip(batch, triples, strict=True)):
        single = plain.recommend(*triple, k=k)
        if [(s.activity.id, s.score, s.scores) for s in suggestions] != [
            (s.activity.id, s.score, s.scores) for s in single
        ]:
            problems.append(f"pair {number}: recommend_many differs from recommend")
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """Run :func:`check_model` on a synthetic catalogue and print what differs."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument(
        "--pairs",
        type=int,
        default=300,
        help="more than 256 crosses a recommend_many block boundary",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    activities = synthetic_catalog(args.size, seed=args.seed)
    triples = random_pairs(activities, args.pairs, seed=args.seed + 1)
    problems = check_model(activities, triples)
    print(
        f"{args.size} items, {args.pairs} pairs: "
        f"{'all fast paths match' if not problems else f'{len(problems)} mismatches'}"
    )
    for line in problems[:40]:
        print("  ", line)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
