"""Multi-week plans: gentle depth, something new most weeks, rotating types, no repeats."""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import recommender as rc
from recommender.constraints import depth_cap
from recommender.conversation import prompt_key
from recommender.history import HistoryRecord, PairHistory
from recommender.planning import (
    FIT_SLACK,
    MAX_WEEKS,
    POOL,
    RAMP_WEEKS,
    PlanWeek,
    depth_schedule,
    plan,
    shared_types,
)
from recommender.schema import CONTACT_LEVEL
from tests.conftest import make_activity

TYPES = [t.value for t in rc.IntimacyType]
WORDS = ["cooking", "music", "nature", "art", "faith", "stars", "reading", "science"]

profiles = st.builds(
    rc.PersonProfile,
    name=st.sampled_from(["Ana", "Ben", "Chi"]),
    intimacy=st.dictionaries(st.sampled_from(TYPES), st.floats(0, 1), max_size=5),
    interests=st.lists(st.sampled_from(WORDS), max_size=3).map(tuple),
    avoid=st.lists(st.sampled_from(WORDS), max_size=2).map(tuple),
    max_depth=st.integers(1, 5),
    budget=st.integers(0, 3),
    max_contact=st.sampled_from(["none", "casual", "affectionate"]),
    limited_mobility=st.booleans(),
)
contexts = st.builds(
    rc.PairContext,
    relationship=st.sampled_from([r.value for r in rc.Relationship]),
    minutes=st.one_of(st.none(), st.integers(10, 240)),
    budget=st.one_of(st.none(), st.integers(0, 3)),
    remote=st.booleans(),
    obstacles=st.frozensets(st.sampled_from([o.value for o in rc.Obstacle]), max_size=2),
    goals=st.frozensets(st.sampled_from(TYPES), max_size=2),
)

HYPOTHESIS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])

A = rc.PersonProfile(name="Ana")
B = rc.PersonProfile(name="Ben")


def fit(*activities: rc.Activity) -> rc.Recommender:
    return rc.Recommender().fit(rc.Catalog(activities=activities))


def ids_of(weeks: list[PlanWeek]) -> list[str]:
    return [w.activity.activity.id for w in weeks]


def every_prompt(weeks: list[PlanWeek]) -> list[str]:
    """Each prompt a plan asks: its conversations and its activities' own questions."""
    asked = [p.prompt for w in weeks for p in w.conversation]
    return asked + [q for w in weeks for q in w.activity.activity.prompts]


# ------------------------------------------------------------------ shape


@pytest.mark.parametrize("weeks", [1, 4, 13])
def test_a_plan_has_one_numbered_week_per_week_asked(
    model: rc.Recommender, ana: rc.PersonProfile, ben: rc.PersonProfile, weeks: int
) -> None:
    planned = plan(model, ana, ben, weeks=weeks)
    assert [w.week for w in planned] == list(range(1, weeks + 1))
    assert all(len(w.conversation) == 3 for w in planned)


def test_prompts_per_week_sets_the_length_of_each_conversation(model: rc.Recommender) -> None:
    planned = plan(model, A, B, weeks=3, prompts_per_week=5)
    assert [len(w.conversation) for w in planned] == [5, 5, 5]


def test_a_year_long_plan_repeats_no_activity_and_no_prompt(
    model: rc.Recommender, ana: rc.PersonProfile, ben: rc.PersonProfile
) -> None:
    planned = plan(model, ana, ben, rc.PairContext(relationship="friends"), weeks=MAX_WEEKS)
    assert len(planned) == MAX_WEEKS
    assert len(set(ids_of(planned))) == MAX_WEEKS
    keys = [prompt_key(p) for p in every_prompt(planned)]
    assert len(keys) == len(set(keys))


# ------------------------------------------------------------------ depth


@HYPOTHESIS
@given(a=profiles, b=profiles, ctx=contexts, weeks=st.integers(1, 12))
def test_depth_never_passes_the_cap_and_each_weeks_ceiling_never_falls(
    model: rc.Recommender,
    a: rc.PersonProfile,
    b: rc.PersonProfile,
    ctx: rc.PairContext,
    weeks: int,
) -> None:
    planned = plan(model, a, b, ctx, weeks=weeks)
    cap = depth_cap(a, b, ctx)
    ceilings = [w.max_depth for w in planned]
    assert ceilings == sorted(ceilings)
    assert all(c <= min(cap, a.max_depth, b.max_depth) for c in ceilings)
    for w in planned:
        assert w.activity.activity.depth <= w.max_depth
        assert all(p.depth <= w.max_depth for p in w.conversation)
        levels = [p.depth for p in w.conversation]
        assert levels == sorted(levels)


@HYPOTHESIS
@given(a=profiles, b=profiles, ctx=contexts, weeks=st.integers(1, 12))
def test_planned_activities_keep_every_hard_limit_and_never_repeat(
    model: rc.Recommender,
    a: rc.PersonProfile,
    b: rc.PersonProfile,
    ctx: rc.PairContext,
    weeks: int,
) -> None:
    planned = plan(model, a, b, ctx, weeks=weeks)
    for w in planned:
        activity = w.activity.activity
        assert ctx.relationship in activity.relationships
        assert activity.cost <= min(a.budget, b.budget, 3 if ctx.budget is None else ctx.budget)
        assert ctx.minutes is None or activity.minutes <= ctx.minutes
        assert activity.remote or not ctx.remote
        assert activity.accessible or not (a.limited_mobility or b.limited_mobility)
        contact = CONTACT_LEVEL[activity.contact]
        assert contact <= min(CONTACT_LEVEL[a.max_contact], CONTACT_LEVEL[b.max_contact])
        assert activity.practice is not rc.Practice.support
    assert len(set(ids_of(planned))) == len(planned)
    keys = [prompt_key(p) for p in every_prompt(planned)]
    assert len(keys) == len(set(keys))


@given(weeks=st.integers(1, MAX_WEEKS), cap=st.integers(1, 5))
def test_the_depth_schedule_starts_light_rises_gently_and_reaches_the_cap(
    weeks: int, cap: int
) -> None:
    schedule = depth_schedule(weeks, cap)
    assert len(schedule) == weeks
    assert schedule[0] == 1
    assert all(0 <= later - earlier <= 1 for earlier, later in itertools.pairwise(schedule))
    assert max(schedule) <= cap
    if weeks >= cap:
        assert schedule[-1] == cap
    if weeks >= RAMP_WEEKS:
        assert schedule[RAMP_WEEKS - 1] == cap


def test_depth_rises_toward_both_peoples_comfort(model: rc.Recommender) -> None:
    deep = rc.PersonProfile(name="Ana", max_depth=5)
    planned = plan(model, deep, rc.PersonProfile(name="Ben", max_depth=4), weeks=10)
    ceilings = [w.max_depth for w in planned]
    assert ceilings == [1, 1, 2, 2, 3, 3, 4, 4, 4, 4]
    assert max(p.depth for w in planned for p in w.conversation) == 4


def test_an_obstacle_that_caps_depth_caps_the_whole_plan(model: rc.Recommender) -> None:
    deep = rc.PersonProfile(name="Ana", max_depth=5)
    planned = plan(
        model,
        deep,
        deep.model_copy(update={"name": "Ben"}),
        rc.PairContext(obstacles={"trust"}),
        weeks=8,
    )
    assert max(w.max_depth for w in planned) == 2


# ------------------------------------------------------------------ novelty and types


@pytest.mark.parametrize("relationship", [r.value for r in rc.Relationship])
def test_most_weeks_bring_something_new_and_exciting(
    model: rc.Recommender, relationship: str
) -> None:
    planned = plan(model, A, B, rc.PairContext(relationship=relationship), weeks=12)
    novel = [w for w in planned if w.activity.activity.novelty == 3]
    assert len(planned) == 12
    assert len(novel) > len(planned) / 2


def test_novel_activities_that_fit_the_time_budget_come_first() -> None:
    model = fit(
        make_activity("long-adventure", novelty=3, minutes=240),
        make_activity("short-adventure", novelty=3, minutes=60),
        make_activity("old-favourite", novelty=1, minutes=30),
    )
    assert ids_of(plan(model, A, B, weeks=3)) == [
        "short-adventure",
        "long-adventure",
        "old-favourite",
    ]
    roomy = rc.PairContext(minutes=300)
    assert ids_of(plan(model, A, B, roomy, weeks=1)) == ["long-adventure"]


@pytest.mark.parametrize(
    ("novel_weight", "expected"),
    [
        (0.65, ["think-new", "feel-a", "feel-b", "feel-c"]),  # 0.15 behind the best: worth it
        (0.5, ["feel-a", "feel-b", "feel-c", "think-new"]),  # 0.3 behind: fit comes first
    ],
)
def test_a_novel_activity_may_trail_the_best_a_little_but_not_far(
    novel_weight: float, expected: list[str]
) -> None:
    familiar = [make_activity(f"feel-{c}", intimacy={"emotional": 0.9}) for c in "abc"]
    novel = make_activity("think-new", intimacy={"intellectual": 0.9}, novelty=3)
    catalog = rc.Catalog(activities=[*familiar, novel])
    model = rc.Recommender(novelty_weight=0.0).fit(catalog)
    person = rc.PersonProfile(name="Ana", intimacy={"emotional": 0.8, "intellectual": novel_weight})
    assert ids_of(plan(model, person, person.model_copy(update={"name": "Ben"}), weeks=4)) == (
        expected
    )


def test_the_strongest_type_changes_from_week_to_week_where_possible(
    model: rc.Recommender, ana: rc.PersonProfile, ben: rc.PersonProfile
) -> None:
    planned = plan(model, ana, ben, weeks=16)
    types = [w.activity.activity.strongest_type for w in planned]
    repeats = [i for i in range(1, len(types)) if types[i] == types[i - 1]]
    assert len(repeats) <= len(types) // 4  # rotation is the rule, a repeat the exception
    for i in repeats:
        # Where the type repeats, no other type was among that week's near-best: the
        # same candidates the plan had (its depth, nothing already planned).
        week = planned[i]
        a_week, b_week = (
            p.model_copy(update={"max_depth": min(p.max_depth, week.max_depth)}) for p in (ana, ben)
        )
        used = frozenset(
            {w.activity.activity.id for w in planned[:i]}
            | {p.id for w in planned[:i] for p in w.conversation}
        )
        pool = [
            s
            for s in model.recommend(a_week, b_week, rc.PairContext(exclude=used), k=POOL)
            if s.activity.practice is not rc.Practice.support
        ]
        best = max(s.score for s in pool)
        others = [
            s.activity.id
            for s in pool
            if s.activity.strongest_type != types[i - 1] and s.score >= best - FIT_SLACK
        ]
        assert others == [], (week.week, others)


def test_type_rotation_prefers_a_nearly_as_good_activity_of_another_type() -> None:
    catalog = rc.Catalog(
        activities=[
            make_activity("feel-one", intimacy={"emotional": 0.9}),
            make_activity("feel-two", intimacy={"emotional": 0.9}),
            make_activity("think-one", intimacy={"intellectual": 0.9}),
        ]
    )
    model = rc.Recommender(diversity=0.0).fit(catalog)
    person = rc.PersonProfile(name="Ana", intimacy={"emotional": 0.7, "intellectual": 0.65})
    other = person.model_copy(update={"name": "Ben"})
    ranked = [s.activity.id for s in model.recommend(person, other, k=3)]
    assert ranked.index("think-one") == 2  # the plan, not the ranking, rotates the type
    assert ids_of(plan(model, person, other, weeks=3)) == ["feel-one", "think-one", "feel-two"]


# ------------------------------------------------------------------ history and limits


def test_activities_done_recently_are_not_planned_again(model: rc.Recommender) -> None:
    first = plan(model, A, B, weeks=4)
    today = dt.date(2025, 6, 1)
    records = tuple(
        HistoryRecord(w.activity.activity.id, today - dt.timedelta(days=7 * i), {"ana": 4})
        for i, w in enumerate(first, start=1)
    )
    history = PairHistory("ana-ben", records, today=today)
    again = plan(model, A, B, weeks=4, history=history)
    assert len(again) == 4
    assert not set(ids_of(again)) & set(ids_of(first))


def test_conversations_done_recently_are_not_asked_again(model: rc.Recommender) -> None:
    first = plan(model, A, B, weeks=2)
    asked = {p.id for w in first for p in w.conversation}
    today = dt.date(2025, 6, 1)
    history = PairHistory(
        "ana-ben", tuple(HistoryRecord(i, today, {}) for i in sorted(asked)), today=today
    )
    again = plan(model, A, B, weeks=2, history=history)
    assert not {p.id for w in again for p in w.conversation} & asked


def test_the_context_exclude_list_is_kept(model: rc.Recommender) -> None:
    first = ids_of(plan(model, A, B, weeks=3))
    again = plan(model, A, B, rc.PairContext(exclude=frozenset(first)), weeks=3)
    assert not set(ids_of(again)) & set(first)


def test_the_plan_stops_at_the_first_week_with_nothing_left_that_fits() -> None:
    model = fit(*(make_activity(f"idea-{i}") for i in range(3)))
    planned = plan(model, A, B, weeks=5)
    assert [w.week for w in planned] == [1, 2, 3]
    assert all(w.conversation == () for w in planned)  # no conversation activities at all


def test_safety_concern_gives_no_plan(model: rc.Recommender) -> None:
    assert plan(model, A, B, rc.PairContext(safety_concern=True), weeks=4) == []


def test_same_inputs_give_the_same_plan(
    model: rc.Recommender, bundled: rc.Catalog, ana: rc.PersonProfile, ben: rc.PersonProfile
) -> None:
    ctx = rc.PairContext(minutes=120, goals={"spiritual"})
    first = plan(model, ana, ben, ctx, weeks=6)
    assert plan(model, ana, ben, ctx, weeks=6) == first
    assert plan(rc.Recommender().fit(bundled), ana, ben, ctx, weeks=6) == first


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("weeks", [0, -3, MAX_WEEKS + 1, True, 4.0, "4"])
def test_weeks_must_be_1_to_52(model: rc.Recommender, weeks: Any) -> None:
    with pytest.raises(rc.ConfigError, match=r"weeks must be an integer 1\.\.52, got"):
        plan(model, A, B, weeks=weeks)


@pytest.mark.parametrize("count", [0, 21, False, "3"])
def test_prompts_per_week_must_be_1_to_20(model: rc.Recommender, count: Any) -> None:
    with pytest.raises(rc.ConfigError, match=r"prompts_per_week must be an integer 1\.\.20, got"):
        plan(model, A, B, weeks=2, prompts_per_week=count)


def test_history_must_be_a_pair_history(model: rc.Recommender) -> None:
    with pytest.raises(rc.ConfigError, match="history must be a PairHistory or None, got list"):
        plan(model, A, B, weeks=2, history=[])  # type: ignore[arg-type]


def test_the_context_must_be_a_pair_context(model: rc.Recommender) -> None:
    with pytest.raises(rc.ProfileError, match="context: expected a PairContext, got dict"):
        plan(model, A, B, {"relationship": "friends"}, weeks=2)  # type: ignore[arg-type]


def test_an_unfitted_model_is_refused() -> None:
    with pytest.raises(rc.NotFittedError, match="not fitted yet"):
        plan(rc.Recommender(), A, B, weeks=2)


def test_plan_weeks_are_frozen_and_reject_unknown_fields(model: rc.Recommender) -> None:
    week = plan(model, A, B, weeks=1)[0]
    with pytest.raises(ValidationError, match="frozen"):
        week.week = 2  # type: ignore[misc]
    fields = week.model_dump()
    assert PlanWeek.model_validate(fields) == week
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        PlanWeek.model_validate({**fields, "mood": "sunny"})
    with pytest.raises(ValidationError, match="less than or equal to 52"):
        PlanWeek.model_validate({**fields, "week": 53})


def test_a_week_with_nothing_light_enough_goes_one_level_deeper_and_stays_there() -> None:
    model = fit(
        make_activity("deeper-one", depth=2),
        make_activity("deeper-two", depth=2),
        make_activity("deepest", depth=3),
    )
    deep = rc.PersonProfile(name="Ana", max_depth=3)
    planned = plan(model, deep, deep.model_copy(update={"name": "Ben"}), weeks=3)
    assert [w.max_depth for w in planned] == [2, 2, 3]
    assert [w.activity.activity.depth for w in planned] == [2, 2, 3]
    shy = rc.PersonProfile(name="Ben", max_depth=1)
    assert plan(model, deep, shy, weeks=3) == []


def test_ana_and_ben_six_weeks_rotate_through_at_least_three_types(
    model: rc.Recommender,
) -> None:
    ana = rc.load_profile("examples/ana.yaml")
    ben = rc.load_profile("examples/ben.yaml")
    planned = plan(model, ana, ben, weeks=6)
    assert len(planned) == 6
    assert len({w.activity.activity.strongest_type for w in planned}) >= 3


@pytest.mark.parametrize("family", ["similar", "divergent", "asymmetric", "remote", "colleagues"])
def test_plans_cover_three_types_when_both_people_value_three(
    model: rc.Recommender, family: str
) -> None:
    from recommender.evaluation.families import make_pairs

    checked = 0
    for pair in make_pairs(family, 6, seed=5):
        a, b = pair.profiles
        if len(shared_types(a, b)) < 3:
            continue
        planned = plan(model, a, b, pair.context, weeks=6)
        if len(planned) == 6:
            checked += 1
            assert len({w.activity.activity.strongest_type for w in planned}) >= 3
    assert checked >= 1  # the family holds such pairs: the check ran
