"""Conversation prompts (`ask`): light first, rising depth, the pair's limits, no repeats."""

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
from recommender.conversation import MAX_RUN, Prompt, ask, card_key, prompt_key
from recommender.history import HistoryRecord, PairHistory
from tests.conftest import make_activity

TYPES = [t.value for t in rc.IntimacyType]
WORDS = ["cooking", "music", "nature", "art", "faith", "stars", "reading", "family", "work"]

profiles = st.builds(
    rc.PersonProfile,
    name=st.sampled_from(["Ana", "Ben", "Chi"]),
    intimacy=st.dictionaries(st.sampled_from(TYPES), st.floats(0, 1), max_size=5),
    interests=st.lists(st.sampled_from(WORDS), max_size=3).map(tuple),
    avoid=st.lists(st.sampled_from(WORDS), max_size=2).map(tuple),
    max_depth=st.integers(1, 5),
    max_contact=st.sampled_from(["none", "casual", "affectionate"]),
    limited_mobility=st.booleans(),
)
contexts = st.builds(
    rc.PairContext,
    relationship=st.sampled_from([r.value for r in rc.Relationship]),
    minutes=st.one_of(st.none(), st.integers(5, 120)),
    remote=st.booleans(),
    obstacles=st.frozensets(st.sampled_from([o.value for o in rc.Obstacle]), max_size=2),
    goals=st.frozensets(st.sampled_from(TYPES), max_size=2),
)
depths = st.one_of(st.none(), st.integers(1, 5))

HYPOTHESIS = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def talk(activity_id: str, depth: int, prompts: list[str], **overrides: Any) -> rc.Activity:
    """A conversation activity for hand-made catalogues."""
    fields: dict[str, Any] = {
        "practice": "conversation",
        "intimacy": {"emotional": 0.8},
        "depth": depth,
        "prompts": prompts,
        "tags": ["talk"],
        "relationships": ["romantic", "friends", "family"],
    }
    fields.update(overrides)
    return make_activity(activity_id, **fields)


def questions(prefix: str, count: int) -> list[str]:
    return [f"{prefix} question {i}?" for i in range(1, count + 1)]


def fit(*activities: rc.Activity) -> rc.Recommender:
    return rc.Recommender().fit(rc.Catalog(activities=activities))


A = rc.PersonProfile(name="Ana", max_depth=5)
B = rc.PersonProfile(name="Ben", max_depth=5)


# ------------------------------------------------------------------ hard limits


@HYPOTHESIS
@given(a=profiles, b=profiles, ctx=contexts, depth=depths, n=st.integers(1, 40))
def test_prompts_never_exceed_either_persons_max_depth(
    model: rc.Recommender,
    a: rc.PersonProfile,
    b: rc.PersonProfile,
    ctx: rc.PairContext,
    depth: int | None,
    n: int,
) -> None:
    prompts = ask(model, a, b, ctx, n=n, depth=depth)
    ceiling = min(depth_cap(a, b, ctx), 5 if depth is None else depth)
    assert len(prompts) <= n
    assert all(p.depth <= min(a.max_depth, b.max_depth, ceiling) for p in prompts)


@HYPOTHESIS
@given(a=profiles, b=profiles, ctx=contexts, depth=depths)
def test_every_prompt_comes_from_an_allowed_conversation_activity(
    model: rc.Recommender,
    bundled: rc.Catalog,
    a: rc.PersonProfile,
    b: rc.PersonProfile,
    ctx: rc.PairContext,
    depth: int | None,
) -> None:
    for p in ask(model, a, b, ctx, n=30, depth=depth):
        activity = bundled[p.id]
        assert activity.practice is rc.Practice.conversation
        assert ctx.relationship in activity.relationships
        assert p.prompt in activity.prompts
        assert p.depth == activity.depth
        assert p.title == activity.title
        assert activity.remote or not ctx.remote
        assert activity.accessible or not (a.limited_mobility or b.limited_mobility)
        assert ctx.minutes is None or activity.minutes <= ctx.minutes


@HYPOTHESIS
@given(a=profiles, b=profiles, ctx=contexts, depth=depths, n=st.integers(1, 60))
def test_depth_never_decreases_and_no_prompt_repeats(
    model: rc.Recommender,
    a: rc.PersonProfile,
    b: rc.PersonProfile,
    ctx: rc.PairContext,
    depth: int | None,
    n: int,
) -> None:
    prompts = ask(model, a, b, ctx, n=n, depth=depth)
    levels = [p.depth for p in prompts]
    assert levels == sorted(levels)
    keys = [prompt_key(p.prompt) for p in prompts]
    assert len(keys) == len(set(keys))


def test_the_whole_bundled_session_never_repeats_a_prompt(model: rc.Recommender) -> None:
    prompts = ask(model, A, B, n=10_000)
    assert len(prompts) > 50
    assert len({prompt_key(p.prompt) for p in prompts}) == len(prompts)


@pytest.mark.parametrize("depth", [None, 3, 1])
def test_colleagues_only_get_prompts_from_activities_marked_for_colleagues(
    model: rc.Recommender, bundled: rc.Catalog, depth: int | None
) -> None:
    ctx = rc.PairContext(relationship="colleagues")
    prompts = ask(model, A, B, ctx, n=200, depth=depth)
    assert prompts, "the bundled catalogue has conversation activities for colleagues"
    assert all(rc.Relationship.colleagues in bundled[p.id].relationships for p in prompts)
    assert all(p.depth <= 3 for p in prompts)


def test_trust_obstacle_keeps_the_session_gentle(model: rc.Recommender) -> None:
    prompts = ask(model, A, B, rc.PairContext(obstacles={"trust"}), n=50)
    assert prompts
    assert max(p.depth for p in prompts) <= 2


def test_a_persons_avoid_list_removes_matching_conversations() -> None:
    model = fit(
        talk("talk-about-family", 1, questions("family", 3), tags=["family"]),
        talk("talk-about-travel", 1, questions("travel", 3), tags=["travel"]),
    )
    avoider = rc.PersonProfile(name="Ana", avoid=["family"])
    prompts = ask(model, avoider, B, n=10)
    assert {p.id for p in prompts} == {"talk-about-travel"}


def test_excluded_activities_supply_no_prompts(model: rc.Recommender) -> None:
    first = ask(model, A, B, n=1)[0]
    again = ask(model, A, B, rc.PairContext(exclude={first.id}), n=100)
    assert first.id not in {p.id for p in again}


def test_depth_option_caps_the_session_but_never_raises_a_persons_limit(
    model: rc.Recommender,
) -> None:
    shy = rc.PersonProfile(name="Ben", max_depth=2)
    assert max(p.depth for p in ask(model, A, shy, n=100, depth=5)) <= 2
    assert max(p.depth for p in ask(model, A, B, n=100, depth=1)) == 1


def test_safety_concern_gives_no_prompts(model: rc.Recommender) -> None:
    assert ask(model, A, B, rc.PairContext(safety_concern=True)) == []


def test_no_conversation_activity_gives_an_empty_session() -> None:
    model = fit(make_activity("walk-together"), make_activity("cook-together"))
    assert ask(model, A, B) == []


# ------------------------------------------------------------------ order


def test_the_session_starts_light_and_rises_one_level_at_a_time(model: rc.Recommender) -> None:
    levels = [p.depth for p in ask(model, A, B, n=3, depth=3)]
    assert levels == [1, 2, 3]
    levels = [p.depth for p in ask(model, A, B, n=10)]
    assert levels[0] == 1
    assert len(set(levels)) == 5
    assert all(later - earlier <= 1 for earlier, later in itertools.pairwise(levels))


def test_extra_prompts_go_to_the_lighter_levels() -> None:
    model = fit(*(talk(f"level-{d}", d, questions(f"level {d}", 6)) for d in (1, 2, 3)))
    levels = [p.depth for p in ask(model, A, B, n=8)]
    assert levels == [1, 1, 1, 2, 2, 2, 3, 3]


def test_a_level_that_runs_out_hands_its_share_to_deeper_levels() -> None:
    model = fit(talk("light", 1, questions("light", 3)), talk("deep", 4, questions("deep", 9)))
    levels = [p.depth for p in ask(model, A, B, n=10)]
    assert levels == [1, 1, 1, 4, 4, 4, 4, 4, 4, 4]


def test_within_a_level_better_fitting_activities_come_first() -> None:
    model = fit(
        talk("big-ideas", 1, questions("ideas", 3), intimacy={"intellectual": 0.9}),
        talk("feelings", 1, questions("feelings", 3), intimacy={"emotional": 0.9}),
    )
    heart = rc.PersonProfile(name="Ana", intimacy={"emotional": 1.0, "intellectual": 0.0})
    prompts = ask(model, heart, heart.model_copy(update={"name": "Ben"}), n=6)
    assert [p.id for p in prompts] == ["feelings"] * 3 + ["big-ideas"] * 3


@pytest.mark.parametrize(
    "outing", [{"minutes": 120}, {"cost": 1}, {"setting": "outdoor"}], ids=["long", "paid", "out"]
)
def test_questions_that_need_no_outing_come_first_within_a_level(outing: dict[str, Any]) -> None:
    model = fit(
        talk("at-the-museum", 1, questions("museum", 3), intimacy={"emotional": 0.9}, **outing),
        talk("at-home", 1, questions("home", 3), intimacy={"intellectual": 0.9}),
    )
    heart = rc.PersonProfile(name="Ana", intimacy={"emotional": 1.0, "intellectual": 0.0})
    prompts = ask(model, heart, heart.model_copy(update={"name": "Ben"}), n=6)
    assert [p.id for p in prompts] == ["at-home"] * 3 + ["at-the-museum"] * 3


def test_at_most_three_prompts_in_a_row_from_one_activity_while_others_remain() -> None:
    model = fit(
        talk("aaa-talk", 1, questions("a", 7)),
        talk("bbb-talk", 1, questions("b", 4)),
        talk("ccc-talk", 1, questions("c", 3)),
    )
    ids = [p.id for p in ask(model, A, B, n=14)]
    runs = [(key, len(list(group))) for key, group in itertools.groupby(ids)]
    assert runs == [
        ("aaa-talk", 3),
        ("bbb-talk", 3),
        ("ccc-talk", 3),
        ("aaa-talk", 3),
        ("bbb-talk", 1),
        ("aaa-talk", 1),
    ]
    assert max(length for _, length in runs) == MAX_RUN


def test_ties_break_by_id_then_prompt_order() -> None:
    model = fit(talk("zeta-talk", 1, questions("z", 3)), talk("alpha-talk", 1, questions("a", 3)))
    prompts = ask(model, A, B, n=4)
    assert [(p.id, p.prompt) for p in prompts] == [
        ("alpha-talk", "a question 1?"),
        ("alpha-talk", "a question 2?"),
        ("alpha-talk", "a question 3?"),
        ("zeta-talk", "z question 1?"),
    ]


def test_the_same_prompt_in_two_activities_is_asked_once() -> None:
    model = fit(
        talk("first-talk", 1, ["What made you smile today?", "one?", "two?"]),
        talk("second-talk", 2, ["  what made you SMILE today? ", "three?", "four?"]),
    )
    prompts = ask(model, A, B, n=10)
    assert len(prompts) == 5
    assert sum(prompt_key(p.prompt) == "what made you smile today?" for p in prompts) == 1


def test_same_inputs_give_the_same_session(
    model: rc.Recommender, bundled: rc.Catalog, ana: rc.PersonProfile, ben: rc.PersonProfile
) -> None:
    ctx = rc.PairContext(relationship="friends", goals={"emotional"})
    first = ask(model, ana, ben, ctx, n=15)
    assert ask(model, ana, ben, ctx, n=15) == first
    assert ask(rc.Recommender().fit(bundled), ana, ben, ctx, n=15) == first


def test_fewer_prompts_than_asked_when_the_catalogue_runs_out() -> None:
    model = fit(talk("only-talk", 1, questions("only", 4)))
    assert len(ask(model, A, B, n=100)) == 4


# ------------------------------------------------------------------ history


def test_history_leaves_out_conversations_done_within_the_window(model: rc.Recommender) -> None:
    first = ask(model, A, B, n=1)[0]
    today = dt.date(2025, 6, 1)
    done = HistoryRecord(first.id, today - dt.timedelta(days=3), {"ana": 5, "ben": 4})
    history = PairHistory("ana-ben", (done,), today=today)
    assert first.id not in {p.id for p in ask(model, A, B, n=200, history=history)}


def test_conversations_done_before_the_window_come_back(model: rc.Recommender) -> None:
    first = ask(model, A, B, n=1)[0]
    today = dt.date(2025, 6, 1)
    done = HistoryRecord(first.id, today - dt.timedelta(days=200), {"ana": 5, "ben": 4})
    history = PairHistory("ana-ben", (done,), today=today)
    assert ask(model, A, B, n=1, history=history) == [first]


def _seen(history: PairHistory | None, prompts: list[Prompt]) -> PairHistory:
    """The history after a session: its cards are the most recently shown."""
    before = () if history is None else history.shown
    newest = tuple(card_key(p.prompt) for p in reversed(prompts))
    return PairHistory("ana-ben", shown=newest + tuple(k for k in before if k not in newest))


def test_cards_the_pair_was_shown_come_after_fresh_ones(model: rc.Recommender) -> None:
    first = ask(model, A, B, n=10)
    second = ask(model, A, B, n=10, history=_seen(None, first))
    assert len(second) == 10 and not {p.prompt for p in first} & {p.prompt for p in second}
    depths = [p.depth for p in second]
    assert depths == sorted(depths)  # still light first, rising


def test_when_every_card_was_seen_the_longest_ago_come_back_first() -> None:
    model = fit(talk("talk-one", 1, questions("One", 3)))
    history = None
    sessions = []
    for _ in range(3):
        prompts = ask(model, A, B, n=2, history=history)
        sessions.append([p.prompt for p in prompts])
        history = _seen(history, prompts)
    q1, q2, q3 = questions("One", 3)
    assert sessions == [[q1, q2], [q3, q1], [q2, q3]]  # a full session every time


@HYPOTHESIS
@given(shown=st.lists(st.integers(0, 40), unique=True, max_size=41), n=st.integers(1, 41))
def test_shown_cards_come_last_in_their_level_and_never_shorten_a_session(
    model: rc.Recommender, shown: list[int], n: int
) -> None:
    deck = ask(model, A, B, n=41)
    keys = {card_key(deck[i].prompt) for i in shown}
    again = ask(model, A, B, n=n, history=PairHistory("ana-ben", shown=tuple(keys)))
    assert len(again) == min(n, len(deck)) and len({p.prompt for p in again}) == len(again)
    for level in {p.depth for p in again}:
        fresh = [card_key(p.prompt) not in keys for p in again if p.depth == level]
        assert fresh == sorted(fresh, reverse=True)


# ------------------------------------------------------------------ errors


@pytest.mark.parametrize("n", [0, -1, True, 2.5, "3"])
def test_n_must_be_a_positive_integer(model: rc.Recommender, n: Any) -> None:
    with pytest.raises(rc.ConfigError, match=r"n must be an integer >= 1, got"):
        ask(model, A, B, n=n)


@pytest.mark.parametrize("depth", [0, 6, True, 2.0, "3"])
def test_depth_must_be_1_to_5(model: rc.Recommender, depth: Any) -> None:
    with pytest.raises(rc.ConfigError, match=r"depth must be an integer 1\.\.5 or None, got"):
        ask(model, A, B, depth=depth)


def test_history_must_be_a_pair_history(model: rc.Recommender) -> None:
    with pytest.raises(rc.ConfigError, match="history must be a PairHistory or None, got set"):
        ask(model, A, B, history={"some-id"})  # type: ignore[arg-type]


def test_people_must_be_profiles(model: rc.Recommender) -> None:
    with pytest.raises(rc.ProfileError, match="second person: expected a PersonProfile, got dict"):
        ask(model, A, {"name": "Ben"})  # type: ignore[arg-type]


def test_an_unfitted_model_is_refused() -> None:
    with pytest.raises(rc.NotFittedError, match="not fitted yet"):
        ask(rc.Recommender(), A, B)


def test_prompts_are_frozen_and_reject_unknown_fields() -> None:
    prompt = Prompt(prompt="Why?", depth=1, id="why-talk", title="Ask why")
    with pytest.raises(ValidationError, match="frozen"):
        prompt.depth = 2  # type: ignore[misc]
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        Prompt(prompt="Why?", depth=1, id="why-talk", title="Ask why", colour="red")  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match="less than or equal to 5"):
        Prompt(prompt="Why?", depth=6, id="why-talk", title="Ask why")
