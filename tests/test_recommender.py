"""The recommender's behaviour: limits never bend, fairness, obstacles, safety, contract."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recommender as rc
from recommender.constraints import depth_cap
from recommender.features import FLAG_INDIVIDUAL, FLAG_JOINT_THERAPY, FLAG_SUPPORT
from recommender.schema import CONTACT_LEVEL, slugify
from tests.conftest import make_activity

TYPES = [t.value for t in rc.IntimacyType]
WORDS = [
    "cooking",
    "music",
    "nature",
    "hiking",
    "board games",
    "science",
    "art",
    "faith",
    "dance",
    "reading",
    "walking",
    "stars",
    "writing",
    "gardening",
    "movies",
]

profiles = st.builds(
    rc.PersonProfile,
    name=st.sampled_from(["Ana", "Ben", "Chi", "Dee"]),
    intimacy=st.dictionaries(st.sampled_from(TYPES), st.floats(0, 1), max_size=5),
    interests=st.lists(st.sampled_from(WORDS), max_size=4).map(tuple),
    avoid=st.lists(st.sampled_from(WORDS + ["touch", "outdoors"]), max_size=2).map(tuple),
    max_depth=st.integers(1, 5),
    budget=st.integers(0, 3),
    energy=st.sampled_from([None, "low", "medium", "high"]),
    max_contact=st.sampled_from(["none", "casual", "affectionate"]),
    limited_mobility=st.booleans(),
)
contexts = st.builds(
    rc.PairContext,
    relationship=st.sampled_from([r.value for r in rc.Relationship]),
    minutes=st.one_of(st.none(), st.integers(5, 600)),
    budget=st.one_of(st.none(), st.integers(0, 3)),
    remote=st.booleans(),
    setting=st.sampled_from([None, "indoor", "outdoor", "any"]),
    obstacles=st.frozensets(st.sampled_from([o.value for o in rc.Obstacle]), max_size=2),
    goals=st.frozensets(st.sampled_from(TYPES), max_size=2),
    exclude=st.frozensets(st.sampled_from(["slow-dance-in-the-kitchen", "no-such-id"]), max_size=1),
)
strategies = st.sampled_from(rc.STRATEGIES)

MODELS = {s: rc.Recommender(strategy=s).fit(rc.default_catalog()) for s in rc.STRATEGIES}


def violations(
    s: rc.Suggestion, a: rc.PersonProfile, b: rc.PersonProfile, ctx: rc.PairContext
) -> list[str]:
    """Every hard limit the suggestion breaks (empty when it respects them all)."""
    act = s.activity
    out = []
    if ctx.relationship not in act.relationships:
        out.append("relationship")
    if act.depth > depth_cap(a, b, ctx):
        out.append("depth")
    if act.cost > min(a.budget, b.budget, 3 if ctx.budget is None else ctx.budget):
        out.append("budget")
    if CONTACT_LEVEL[act.contact] > min(CONTACT_LEVEL[a.max_contact], CONTACT_LEVEL[b.max_contact]):
        out.append("contact")
    if (a.limited_mobility or b.limited_mobility) and not act.accessible:
        out.append("mobility")
    if ctx.minutes is not None and act.minutes > ctx.minutes:
        out.append("minutes")
    if ctx.remote and not act.remote:
        out.append("remote")
    if ctx.setting not in (None, rc.Setting.any) and act.setting not in (
        ctx.setting,
        rc.Setting.any,
    ):
        out.append("setting")
    if act.id in ctx.exclude:
        out.append("exclude")
    for word in (*a.avoid, *b.avoid):
        if slugify(word) in act.tags:
            out.append(f"avoid {word}")
    return out


# ----------------------------------------------------------------- invariants


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=profiles, b=profiles, ctx=contexts, strategy=strategies, k=st.integers(1, 12))
def test_no_suggestion_ever_breaks_a_hard_limit(a, b, ctx, strategy, k):
    result = MODELS[strategy].recommend(a, b, ctx, k=k)
    assert len(result) <= k
    ids = [s.activity.id for s in result]
    assert len(ids) == len(set(ids))
    support = [s for s in result if s.activity.practice is rc.Practice.support]
    assert len(support) <= 1
    for s in result:
        assert violations(s, a, b, ctx) == []
        assert 0.0 <= s.score <= 1.0
        assert all(0.0 <= x <= 1.0 for x in s.scores)
        assert 1 <= len(s.reasons) <= 3


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=profiles, b=profiles, ctx=contexts, strategy=strategies)
def test_scores_never_rise_down_the_list(a, b, ctx, strategy):
    scores = [s.score for s in MODELS[strategy].recommend(a, b, ctx, k=10)]
    assert scores == sorted(scores, reverse=True)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=profiles, b=profiles, ctx=contexts, strategy=strategies)
def test_same_input_gives_same_output(a, b, ctx, strategy):
    model = MODELS[strategy]
    assert model.recommend(a, b, ctx, k=8) == model.recommend(a, b, ctx, k=8)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=profiles, b=profiles, ctx=contexts, strategy=strategies)
def test_swapping_the_people_swaps_scores_and_nothing_else(a, b, ctx, strategy):
    model = MODELS[strategy]
    forward = model.recommend(a, b, ctx, k=8)
    backward = model.recommend(b, a, ctx, k=8)
    assert [s.activity.id for s in forward] == [s.activity.id for s in backward]
    assert [s.score for s in forward] == [s.score for s in backward]
    assert [s.scores for s in forward] == [s.scores[::-1] for s in backward]
    assert [s.reasons for s in forward] == [s.reasons for s in backward]


@settings(max_examples=40, deadline=None)
@given(
    weight=st.floats(0, 1),
    raise_by=st.floats(0, 1),
    other=profiles,
    kind=st.sampled_from(TYPES),
    strategy=strategies,
)
def test_raising_a_type_weight_never_lowers_a_pure_item_of_that_type(
    weight, raise_by, other, kind, strategy
):
    catalog = [make_activity(f"pure-{t}", intimacy={t: 1.0}) for t in TYPES]
    model = rc.Recommender(strategy=strategy).fit(catalog)
    low = rc.PersonProfile(name="Low", intimacy={kind: weight})
    high = rc.PersonProfile(name="High", intimacy={kind: min(1.0, weight + raise_by)})
    item = model.activity_ids_.index(f"pure-{kind}")
    before = model.pair_scores(low, other)[0][item]
    after = model.pair_scores(high, other)[0][item]
    assert after >= before - 1e-6


def test_batch_gives_the_same_lists_as_one_by_one(ana, ben):
    model = MODELS["fair"]
    rng = np.random.default_rng(7)
    triples = []
    for i in range(300):  # more than one block of pairs
        a = ana.model_copy(update={"max_depth": int(rng.integers(1, 6))})
        b = ben.model_copy(update={"budget": int(rng.integers(0, 4))})
        ctx = rc.PairContext(
            relationship=list(rc.Relationship)[i % 4],
            minutes=int(rng.integers(10, 200)),
            obstacles={"mental_health"} if i % 7 == 0 else set(),
            safety_concern=i % 50 == 0,
        )
        triples.append((a, b, ctx))
    batch = model.recommend_many(triples, k=6)
    assert batch == [model.recommend(a, b, c, k=6) for a, b, c in triples]


# ----------------------------------------------------------------- behaviour


@pytest.mark.parametrize("strategy", rc.STRATEGIES)
def test_colleagues_never_get_touch_activities(strategy, ana, ben):
    ctx = rc.PairContext(relationship="colleagues")
    result = MODELS[strategy].recommend(ana, ben, ctx, k=30)
    assert result
    assert all(s.activity.contact is rc.Contact.none for s in result)
    assert all(s.activity.depth <= 3 for s in result)


@pytest.mark.parametrize("relationship", ["friends", "family"])
def test_family_and_friends_get_no_touch_beyond_casual(relationship, ana, ben):
    result = MODELS["fair"].recommend(ana, ben, rc.PairContext(relationship=relationship), k=50)
    assert all(s.activity.contact is not rc.Contact.affectionate for s in result)


def test_long_distance_pairs_get_only_remote_activities(ana, ben):
    result = MODELS["fair"].recommend(ana, ben, rc.PairContext(remote=True), k=20)
    assert len(result) == 20
    assert all(s.activity.remote for s in result)
    assert any("Works over a call" in r for s in result for r in s.reasons)


def test_low_trust_caps_depth_and_says_so(ana, ben):
    deep = ana.model_copy(update={"max_depth": 5})
    result = MODELS["fair"].recommend(
        deep, ben.model_copy(update={"max_depth": 5}), rc.PairContext(obstacles={"trust"}), k=15
    )
    assert result and max(s.activity.depth for s in result) <= 2
    assert any("trust" in r for s in result for r in s.reasons)


def _share(result: list[rc.Suggestion], practices: set[rc.Practice]) -> int:
    return sum(s.activity.practice in practices for s in result)


@pytest.mark.parametrize(
    ("obstacle", "practices"),
    [  # the practices recommender.emphasis names for each obstacle
        ("criticism", {rc.Practice.appreciation, rc.Practice.repair}),
        ("communication", {rc.Practice.listening, rc.Practice.repair}),
    ],
)
@pytest.mark.parametrize("strategy", ["fair", rc.Recommender().strategy])
def test_obstacles_shift_emphasis_toward_what_helps(obstacle, practices, strategy, ana, ben):
    plain = MODELS[strategy].recommend(ana, ben, rc.PairContext(), k=10)
    shifted = MODELS[strategy].recommend(ana, ben, rc.PairContext(obstacles={obstacle}), k=10)
    assert _share(shifted, practices) > _share(plain, practices)


@pytest.mark.parametrize("obstacle", ["criticism", "communication"])
def test_criticism_and_communication_favour_repair_items(obstacle, ana, ben):
    # Without the diversity pass, so the list shows the emphasis itself.
    model = rc.Recommender(strategy="fair", diversity=0.0).fit(rc.default_catalog())
    plain = model.recommend(ana, ben, rc.PairContext(), k=20)
    shifted = model.recommend(ana, ben, rc.PairContext(obstacles={obstacle}), k=20)
    assert _share(shifted, rc.Practice.repair) > _share(plain, rc.Practice.repair)
    repair = [a.practice is rc.Practice.repair for a in model.activities_]
    assert model.obstacle_matches_[list(rc.Obstacle).index(rc.Obstacle(obstacle))][repair].all()


def test_attachment_favours_predictable_low_pressure_items(ana, ben):
    plain = MODELS["fair"].recommend(ana, ben, rc.PairContext(), k=10)
    shifted = MODELS["fair"].recommend(ana, ben, rc.PairContext(obstacles={"attachment"}), k=10)
    calm = lambda res: sum(
        s.activity.novelty == 1 or "low-pressure" in s.activity.tags for s in res
    )
    assert calm(shifted) > calm(plain)
    assert max(s.activity.depth for s in shifted) <= 3


def test_mental_health_lowers_pressure_and_includes_one_support_item(ana, ben):
    ctx = rc.PairContext(obstacles={"mental_health"})
    result = MODELS["fair"].recommend(ana, ben, ctx, k=6)
    support = [s for s in result if s.activity.practice is rc.Practice.support]
    assert len(support) == 1
    assert "crisis" not in support[0].activity.tags
    assert any("not therapy" in r for r in support[0].reasons)
    low = sum(s.activity.energy is rc.Energy.low for s in result if s not in support)
    assert low >= 3


def test_goals_boost_the_named_types(ana, ben):
    plain = MODELS["fair"].recommend(ana, ben, rc.PairContext(), k=10)
    goal = MODELS["fair"].recommend(ana, ben, rc.PairContext(goals={"spiritual"}), k=10)
    spiritual = lambda res: sum(
        s.activity.intimacy.get(rc.IntimacyType.spiritual, 0) >= 0.5 for s in res
    )
    assert spiritual(goal) > spiritual(plain)
    assert any("spiritual closeness you want" in r for s in goal for r in s.reasons)


@pytest.mark.parametrize("relationship", [r.value for r in rc.Relationship])
def test_safety_concern_returns_only_individual_support(relationship, ana, ben):
    model = MODELS["fair"]
    ctx = rc.PairContext(relationship=relationship, safety_concern=True)
    result = model.recommend(ana, ben, ctx, k=10)
    assert result
    for s in result:
        item = model.index_[s.activity.id]
        flags = int(model.items_.flags[item])
        assert flags & FLAG_SUPPORT and flags & FLAG_INDIVIDUAL
        assert not flags & FLAG_JOINT_THERAPY
        assert "couples-therapy" not in s.activity.tags
        assert any("not a crisis service" in r for r in s.reasons)
    assert {"crisis", "domestic-violence"} & set(result[0].activity.tags)


def test_reasons_name_both_people(ana, ben):
    result = MODELS["fair"].recommend(ana, ben, rc.PairContext(), k=10)
    for s in result:
        text = " ".join(s.reasons)
        assert ("Ana" in text and "Ben" in text) or "Both" in text or "good fit" in text


def test_fair_strategy_balances_every_prefix_better_than_average(ben):
    fond_of_one = rc.PersonProfile(
        name="Ana",
        intimacy={
            "physical": 1.0,
            "emotional": 0.0,
            "intellectual": 0.0,
            "spiritual": 0.0,
            "experiential": 0.0,
        },
    )
    other = rc.PersonProfile(
        name="Ben",
        intimacy={
            "intellectual": 1.0,
            "physical": 0.0,
            "emotional": 0.0,
            "spiritual": 0.0,
            "experiential": 0.0,
        },
    )

    def worst_prefix_gap(result: list[rc.Suggestion]) -> float:
        gaps = np.cumsum([s.scores[0] - s.scores[1] for s in result])
        return float(np.max(np.abs(gaps / np.arange(1, len(gaps) + 1))))

    ctx = rc.PairContext()
    fair = rc.Recommender(strategy="fair", diversity=0.0).fit(rc.default_catalog())
    plain = rc.Recommender(strategy="most_pleasure", diversity=0.0).fit(rc.default_catalog())
    assert worst_prefix_gap(fair.recommend(fond_of_one, other, ctx, k=10)) < worst_prefix_gap(
        plain.recommend(fond_of_one, other, ctx, k=10)
    )


def test_avoid_is_a_hard_filter_on_tags_and_words(ana, ben):
    picky = ana.model_copy(update={"avoid": ("cooking", "walking")})
    result = MODELS["fair"].recommend(picky, ben, rc.PairContext(), k=40)
    for s in result:
        text = f"{s.activity.title} {s.activity.description}".lower()
        assert "cooking" not in s.activity.tags and "walking" not in s.activity.tags
        assert "cook" not in text.split() and "walking" not in text.split()


# ----------------------------------------------------------------- nothing fits


def test_when_nothing_fits_the_list_is_empty_and_diagnose_says_why(ana, ben):
    model = rc.Recommender().fit(
        [make_activity(f"walk-{i}", minutes=30 + i, cost=i % 2) for i in range(6)]
    )
    ctx = rc.PairContext(minutes=20, budget=0)
    assert model.recommend(ana, ben, ctx) == []
    d = model.diagnose(ana, ben, ctx)
    assert d.remaining == 0 and d.total == len(model.activity_ids_)
    assert d.removed == {**dict.fromkeys(d.removed, 0), "minutes": 6, "budget": 3}
    assert d.freed["minutes"] == 3 and d.freed["budget"] == 0
    assert d.advice == ("allow more minutes (would bring back 3)",)


# ----------------------------------------------------------------- contract


def test_estimator_contract_get_params_and_clone_round_trip():
    from sklearn.base import clone

    model = rc.Recommender(strategy="least_misery", diversity=0.1)
    params = model.get_params()
    assert params["strategy"] == "least_misery" and params["diversity"] == 0.1
    twin = clone(model)
    assert twin.get_params() == params and twin is not model
    assert repr(model) == "Recommender(diversity=0.1, strategy='least_misery')"
    assert model.set_params(pool=10) is model and model.pool == 10


def test_init_only_stores_parameters():
    model = rc.Recommender(strategy="no-such-strategy", diversity=7)
    assert vars(model) == {
        **rc.Recommender().get_params(),
        "strategy": "no-such-strategy",
        "diversity": 7,
    }


def test_recommend_before_fit_raises_not_fitted(ana, ben):
    with pytest.raises(rc.NotFittedError, match="not fitted"):
        rc.Recommender().recommend(ana, ben)


def test_fit_returns_self():
    model = rc.Recommender()
    assert model.fit([make_activity()]) is model
    assert model.activity_ids_ == ("walk-together",)


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"strategy": "borda"}, r"strategy must be one of .* got 'borda'"),
        ({"diversity": 1.5}, r"diversity must be a number in \[0, 1\], got 1.5"),
        ({"misery_threshold": -1}, r"misery_threshold must be .* got -1"),
        ({"pool": 0}, r"pool must be an integer >= 1, got 0"),
        ({"interest_weight": 0.9, "energy_weight": 0.1}, r"interest_weight \+ energy_weight"),
    ],
)
def test_bad_hyperparameters_are_named_in_the_error(params, match):
    with pytest.raises(rc.ConfigError, match=match):
        rc.Recommender(**params).fit([make_activity()])


def test_set_params_rejects_unknown_names():
    with pytest.raises(rc.ConfigError, match="unknown parameter 'depth'"):
        rc.Recommender().set_params(depth=3)


@pytest.mark.parametrize("k", [0, -2, 1.5, True])
def test_k_must_be_a_positive_integer(k, ana, ben):
    with pytest.raises(rc.ConfigError, match="k must be an integer >= 1"):
        MODELS["fair"].recommend(ana, ben, k=k)


def test_empty_catalogue_cannot_be_fitted():
    with pytest.raises(rc.CatalogError, match="empty catalogue"):
        rc.Recommender().fit([])


def test_people_must_be_profiles(ana):
    with pytest.raises(rc.ProfileError, match="second person: expected a PersonProfile"):
        MODELS["fair"].recommend(ana, {"name": "Ben"})  # type: ignore[arg-type]


# ----------------------------------------------------------------- persistence


def test_saved_model_loads_without_pickle_and_ranks_the_same(tmp_path, ana, ben):
    path = MODELS["average"].save(tmp_path / "model.closer")
    with np.load(path, allow_pickle=False) as archive:  # would raise on object arrays
        assert "meta" in archive.files
    loaded = rc.Recommender.load(path)
    ctx = rc.PairContext(minutes=60, obstacles={"trust"})
    assert loaded.get_params() == MODELS["average"].get_params()
    assert loaded.recommend(ana, ben, ctx, k=8) == MODELS["average"].recommend(ana, ben, ctx, k=8)


def test_truncated_model_file_is_a_clear_error(tmp_path):
    path = MODELS["fair"].save(tmp_path / "model.closer")
    path.write_bytes(path.read_bytes()[:5000])
    with pytest.raises(rc.ModelFileError, match="not a readable closer model"):
        rc.Recommender.load(path)


def test_edited_catalogue_inside_a_model_is_detected(tmp_path):
    import io
    import json

    path = MODELS["fair"].save(tmp_path / "model.closer")
    with np.load(path, allow_pickle=False) as archive:
        arrays = {k: archive[k] for k in archive.files}
    meta = json.loads(arrays["meta"].tobytes())
    meta["activities"][0]["depth"] = 5
    arrays["meta"] = np.frombuffer(json.dumps(meta).encode(), np.uint8)
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    path.write_bytes(buffer.getvalue())
    with pytest.raises(rc.ModelFileError, match="does not match its hash"):
        rc.Recommender.load(path)


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path):
    path = tmp_path / "model.closer"
    path.write_text("hello")
    with pytest.raises(rc.ModelFileError, match="not a readable closer model"):
        rc.Recommender.load(path)
    with pytest.raises(rc.ModelFileError, match="no such model file"):
        rc.Recommender.load(tmp_path / "missing.closer")


def test_mental_health_offers_support_even_when_no_joint_activity_fits(ana, ben):
    catalog = [
        make_activity("long-walk", minutes=120),
        make_activity(
            "find-a-counsellor",
            practice="support",
            intimacy={"emotional": 0.8},
            tags=["counselling"],
            minutes=30,
        ),
    ]
    model = rc.Recommender().fit(catalog)
    ctx = rc.PairContext(minutes=60, obstacles={"mental_health"})
    result = model.recommend(ana, ben, ctx, k=3)
    assert [s.activity.id for s in result] == ["find-a-counsellor"]
    assert model.recommend(ana, ben, rc.PairContext(minutes=60), k=3) == []


def test_suggestions_built_on_the_fast_path_equal_validated_ones(ana, ben):
    for s in MODELS["fair"].recommend(ana, ben, rc.PairContext(), k=5):
        twin = rc.Suggestion.model_validate(s.model_dump())
        assert twin == s
        assert twin.model_fields_set == s.model_fields_set
        assert hash(s.scores) == hash(twin.scores)


def test_naming_more_interests_does_not_weaken_a_clear_hit_on_one(model: rc.Recommender) -> None:
    # A cooking activity is as much "Ana's interest" whether she named only cooking or
    # cooking beside two interests it does not touch (unscaled, the joined query gave it
    # 1/sqrt(3) of the cosine, and the hit fell to a passing mention).
    only = rc.PersonProfile(name="Ana", interests=["cooking"])
    more = rc.PersonProfile(name="Ana", interests=["cooking", "astronomy", "poetry"])
    other = rc.PersonProfile(name="Ben")
    _, fit_only = model.pair_scores(only, other, rc.PairContext())
    _, fit_more = model.pair_scores(more, other, rc.PairContext())
    cooking = [
        model.index_[a.id]
        for a in model.activities_
        if "cooking" in a.tags and not {"stars", "poetry", "writing"} & set(a.tags)
    ]
    assert len(cooking) >= 3
    neutral = rc.PersonProfile(name="Ana")
    _, fit_none = model.pair_scores(neutral, other, rc.PairContext())
    gain_only = fit_only[0, cooking] - fit_none[0, cooking]
    gain_more = fit_more[0, cooking] - fit_none[0, cooking]
    assert np.median(gain_only) > 0.15  # a clear hit: most of the 0.35 interest share
    # Within the 2/4096 grid the fast path rounds to, the hit counts the same.
    np.testing.assert_allclose(gain_more, gain_only, atol=0.02)
