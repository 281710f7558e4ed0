"""The domain schema: every field range and catalogue rule in DESIGN.md, and JSON Schema export."""

from __future__ import annotations

import math
import re
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

import recommender as rc
from recommender.schema import SLUG_PATTERN
from tests.conftest import make_activity

ALL_RELATIONSHIPS = ["romantic", "friends", "family", "colleagues"]
SCHEMA_NAMES = ["profile", "activity", "context", "catalog"]
SLUG_BODY = SLUG_PATTERN.removeprefix("^").removesuffix("$")


def romantic_activity(**overrides: Any) -> rc.Activity:
    """A valid activity for romantic partners only (the one audience that allows touch)."""
    return make_activity(**{"relationships": ["romantic"], **overrides})


# --------------------------------------------------------------------------- Activity: fields


@pytest.mark.parametrize("activity_id", ["ab", "0a", "cook-a-new-dish", "a" * 64, "a-" * 32])
def test_slug_ids_are_accepted(activity_id: str) -> None:
    assert make_activity(id=activity_id).id == activity_id


@pytest.mark.parametrize(
    "activity_id",
    ["a", "", "Cook", "cook_dish", "-cook", "cook dish", "a" * 65, "café", "ab\n"],
)
def test_ids_that_are_not_slugs_are_rejected(activity_id: str) -> None:
    with pytest.raises(ValidationError, match=r"id\n.*should match pattern"):
        make_activity(id=activity_id)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=70))
def test_an_id_is_accepted_exactly_when_it_is_a_slug(activity_id: str) -> None:
    if re.fullmatch(SLUG_BODY, activity_id):
        assert make_activity(id=activity_id).id == activity_id
    else:
        with pytest.raises(ValidationError, match="should match pattern"):
            make_activity(id=activity_id)


@pytest.mark.parametrize(("field", "limit"), [("title", 120), ("description", 1000)])
def test_text_fields_accept_up_to_their_length_limit(field: str, limit: int) -> None:
    assert len(getattr(make_activity(**{field: "x" * limit}), field)) == limit


@pytest.mark.parametrize(("field", "limit"), [("title", 120), ("description", 1000)])
def test_text_fields_longer_than_their_limit_are_rejected(field: str, limit: int) -> None:
    with pytest.raises(ValidationError, match=rf"{field}\n.*at most {limit} characters"):
        make_activity(**{field: "x" * (limit + 1)})


@pytest.mark.parametrize("field", ["title", "description"])
@pytest.mark.parametrize("blank", ["", "   ", "\n\t"])
def test_blank_text_fields_are_rejected(field: str, blank: str) -> None:
    with pytest.raises(ValidationError, match=rf"{field}\n.*at least 1 character"):
        make_activity(**{field: blank})


def test_surrounding_whitespace_is_stripped_from_titles() -> None:
    assert make_activity(title="  Walk together \n").title == "Walk together"


@pytest.mark.parametrize("weights", [{}, {"emotional": 0.49}, {"emotional": 0.2, "physical": 0.4}])
def test_intimacy_needs_at_least_one_type_at_half_or_more(weights: dict[str, float]) -> None:
    with pytest.raises(
        ValidationError, match=r"intimacy\n.*at least one intimacy type must be >= 0.5"
    ):
        make_activity(intimacy=weights)


def test_intimacy_of_exactly_one_half_is_strong_enough() -> None:
    assert make_activity(intimacy={"spiritual": 0.5, "physical": 0.0}).intimacy == {
        rc.IntimacyType.spiritual: 0.5,
        rc.IntimacyType.physical: 0.0,
    }


@pytest.mark.parametrize("weight", [-0.01, 1.01, 7])
def test_intimacy_weights_outside_zero_to_one_are_rejected(weight: float) -> None:
    with pytest.raises(
        ValidationError, match=r"intimacy\.emotional\n.*(greater|less) than or equal"
    ):
        make_activity(intimacy={"experiential": 0.8, "emotional": weight})


@pytest.mark.parametrize("weight", [math.nan, math.inf, -math.inf])
def test_intimacy_weights_that_are_not_finite_are_rejected(weight: float) -> None:
    with pytest.raises(ValidationError, match=r"intimacy\.emotional\n.*finite number"):
        make_activity(intimacy={"experiential": 0.8, "emotional": weight})


def test_an_unknown_intimacy_type_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"intimacy\.sexual.*\n.*'physical', 'emotional'"):
        make_activity(intimacy={"sexual": 0.9})


def test_relationships_cannot_be_empty() -> None:
    with pytest.raises(ValidationError, match=r"relationships\n.*at least 1 item"):
        make_activity(relationships=[])


def test_an_unknown_relationship_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"relationships\.\d+\n.*'romantic', 'friends'"):
        make_activity(relationships=["strangers"])


@pytest.mark.parametrize(
    ("field", "low", "high"),
    [("depth", 1, 5), ("minutes", 1, 1440), ("cost", 0, 3), ("novelty", 1, 3)],
)
def test_integer_fields_accept_their_whole_range(field: str, low: int, high: int) -> None:
    for value in (low, high):
        assert getattr(romantic_activity(**{field: value}), field) == value


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("depth", 0, "greater than or equal to 1"),
        ("depth", 6, "less than or equal to 5"),
        ("minutes", 0, "greater than or equal to 1"),
        ("minutes", 1441, "less than or equal to 1440"),
        ("cost", -1, "greater than or equal to 0"),
        ("cost", 4, "less than or equal to 3"),
        ("novelty", 0, "greater than or equal to 1"),
        ("novelty", 4, "less than or equal to 3"),
    ],
)
def test_integer_fields_outside_their_range_are_rejected(
    field: str, value: int, message: str
) -> None:
    with pytest.raises(ValidationError, match=rf"{field}\n.*{message}"):
        romantic_activity(**{field: value})


@pytest.mark.parametrize("value", ["deep", 2.5, None])
def test_integer_fields_reject_values_that_are_not_whole_numbers(value: object) -> None:
    with pytest.raises(ValidationError, match=r"depth\n.*valid integer"):
        make_activity(depth=value)


@pytest.mark.parametrize(
    ("field", "value"),
    [("practice", "therapy"), ("energy", "extreme"), ("setting", "space"), ("contact", "hug")],
)
def test_enum_fields_reject_unknown_values(field: str, value: str) -> None:
    with pytest.raises(ValidationError, match=rf"{field}\n.*Input should be"):
        make_activity(**{field: value})


@pytest.mark.parametrize("tag", ["Cooking", "board games", "-music", "x" * 41])
def test_tags_must_be_lowercase_slugs(tag: str) -> None:
    with pytest.raises(ValidationError, match=r"tags\.0\n.*should match pattern"):
        make_activity(tags=[tag])


def test_repeated_tags_are_kept_once_in_first_seen_order() -> None:
    assert make_activity(tags=["music", "cooking", "music"]).tags == ("music", "cooking")


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError, match=r"colour\n.*Extra inputs are not permitted"):
        make_activity(colour="red")


def test_required_fields_are_named_when_missing() -> None:
    with pytest.raises(ValidationError, match=r"minutes\n.*Field required"):
        rc.Activity(  # type: ignore[call-arg]
            id="sit-together",
            title="Sit together",
            description="Sit side by side for a while.",
            intimacy={"physical": 0.7},
            practice="affection",
            relationships={"romantic"},
            depth=1,
        )


def test_activities_are_frozen() -> None:
    activity = make_activity()
    with pytest.raises(ValidationError, match="frozen"):
        activity.depth = 3


def test_defaults_of_optional_activity_fields() -> None:
    activity = rc.Activity(
        id="sit-together",
        title="Sit together",
        description="Sit side by side for a while.",
        intimacy={"physical": 0.7},
        practice="affection",
        relationships={"romantic"},
        depth=1,
        minutes=10,
    )
    assert activity.tags == ()
    assert activity.cost == 0
    assert activity.energy is rc.Energy.medium
    assert activity.setting is rc.Setting.any
    assert activity.remote is False
    assert activity.contact is rc.Contact.none
    assert activity.accessible is False
    assert activity.novelty == 2
    assert activity.steps == ()
    assert activity.prompts == ()


# --------------------------------------------------------------------------- Activity: rules


def test_affectionate_contact_is_allowed_for_romantic_only_items() -> None:
    assert romantic_activity(contact="affectionate").contact is rc.Contact.affectionate


@pytest.mark.parametrize(
    "relationships", [["romantic", "friends"], ["friends"], ["family"], ["romantic", "family"]]
)
def test_affectionate_contact_is_only_for_romantic_only_items(relationships: list[str]) -> None:
    with pytest.raises(ValidationError, match=r"contact 'affectionate' is only allowed when"):
        make_activity(contact="affectionate", relationships=relationships)


@settings(max_examples=60, deadline=None)
@given(st.sets(st.sampled_from(ALL_RELATIONSHIPS), min_size=1))
def test_affectionate_contact_is_accepted_exactly_for_the_romantic_only_audience(
    relationships: set[str],
) -> None:
    if relationships == {"romantic"}:
        assert (
            make_activity(contact="affectionate", relationships=relationships).contact
            == "affectionate"
        )
    else:
        with pytest.raises(ValidationError, match="affectionate"):
            make_activity(contact="affectionate", relationships=relationships)


@pytest.mark.parametrize("contact", ["casual", "affectionate"])
def test_colleague_activities_involve_no_touch(contact: str) -> None:
    with pytest.raises(
        ValidationError, match=r"(colleagues must have contact 'none'|affectionate)"
    ):
        make_activity(relationships=["colleagues", "friends"], contact=contact)


def test_casual_contact_is_fine_for_friends() -> None:
    assert make_activity(relationships=["friends"], contact="casual").contact is rc.Contact.casual


def test_colleague_activities_go_no_deeper_than_three() -> None:
    assert make_activity(relationships=["colleagues"], depth=3).depth == 3
    with pytest.raises(ValidationError, match=r"colleagues must have depth <= 3, got 4"):
        make_activity(relationships=["colleagues"], depth=4)


def test_activities_not_for_colleagues_may_reach_depth_five() -> None:
    assert make_activity(relationships=["friends", "family"], depth=5).depth == 5


def test_conversation_items_need_at_least_three_prompts() -> None:
    with pytest.raises(
        ValidationError, match=r"conversation activities need at least 3 prompts, got 2"
    ):
        make_activity(practice="conversation", prompts=["What made you laugh?", "Why?"])


def test_conversation_items_with_three_prompts_are_valid() -> None:
    prompts = ["What made you laugh today?", "What surprised you?", "What are you proud of?"]
    assert make_activity(practice="conversation", prompts=prompts).prompts == tuple(prompts)


def test_other_practices_need_no_prompts() -> None:
    assert make_activity(practice="listening", prompts=[]).prompts == ()


def test_blank_prompts_do_not_count() -> None:
    with pytest.raises(ValidationError, match=r"prompts\.1\n.*at least 1 character"):
        make_activity(practice="conversation", prompts=["One?", "  ", "Three?"])


def test_the_strongest_type_is_the_heaviest_weight() -> None:
    activity = make_activity(intimacy={"emotional": 0.6, "spiritual": 0.9, "physical": 0.1})
    assert activity.strongest_type is rc.IntimacyType.spiritual


# --------------------------------------------------------------------------- Activity: round trip

_ids = st.from_regex(SLUG_BODY, fullmatch=True)
_tags = st.from_regex(r"[a-z0-9][a-z0-9-]{0,39}", fullmatch=True)
_weights = st.floats(min_value=0.0, max_value=1.0)


def _non_blank(max_size: int) -> st.SearchStrategy[str]:
    # Any text but control characters, which the schema refuses (see the test below).
    printable = st.characters(blacklist_categories=["Cc", "Cs"])
    return st.text(printable, min_size=1, max_size=max_size).filter(lambda s: s.strip() != "")


@pytest.mark.parametrize("field", ["title", "description"])
@pytest.mark.parametrize("control", ["\x1b]0;pwned\x07", "a\rb", "\x00", "x\x85y"])
def test_text_with_control_characters_is_rejected(field: str, control: str) -> None:
    with pytest.raises(ValidationError, match="must not contain control characters"):
        make_activity(**{field: f"Walk {control} together"})


def test_a_profile_name_with_a_terminal_escape_is_rejected() -> None:
    with pytest.raises(ValidationError, match="must not contain control characters"):
        rc.PersonProfile(name="Ana\x1b]0;pwned\x07")


@st.composite
def valid_activities(draw: st.DrawFn) -> rc.Activity:
    """Any activity that obeys every field range and catalogue rule."""
    relationships = draw(st.sets(st.sampled_from(list(rc.Relationship)), min_size=1))
    for_colleagues = rc.Relationship.colleagues in relationships
    if for_colleagues:
        contacts = [rc.Contact.none]
    elif relationships == {rc.Relationship.romantic}:
        contacts = list(rc.Contact)
    else:
        contacts = [rc.Contact.none, rc.Contact.casual]
    practice = draw(st.sampled_from(list(rc.Practice)))
    min_prompts = 3 if practice is rc.Practice.conversation else 0
    intimacy = draw(st.dictionaries(st.sampled_from(list(rc.IntimacyType)), _weights))
    intimacy[draw(st.sampled_from(list(rc.IntimacyType)))] = draw(st.floats(0.5, 1.0))
    return rc.Activity(
        id=draw(_ids),
        title=draw(_non_blank(120)),
        description=draw(_non_blank(300)),
        intimacy=intimacy,
        practice=practice,
        tags=tuple(draw(st.lists(_tags, max_size=4))),
        relationships=frozenset(relationships),
        depth=draw(st.integers(1, 3 if for_colleagues else 5)),
        minutes=draw(st.integers(1, 1440)),
        cost=draw(st.integers(0, 3)),
        energy=draw(st.sampled_from(list(rc.Energy))),
        setting=draw(st.sampled_from(list(rc.Setting))),
        remote=draw(st.booleans()),
        contact=draw(st.sampled_from(contacts)),
        accessible=draw(st.booleans()),
        novelty=draw(st.integers(1, 3)),
        steps=tuple(draw(st.lists(_non_blank(80), max_size=3))),
        prompts=tuple(draw(st.lists(_non_blank(80), min_size=min_prompts, max_size=5))),
    )


@settings(max_examples=150, deadline=None)
@given(valid_activities())
def test_any_valid_activity_survives_a_json_round_trip(activity: rc.Activity) -> None:
    assert rc.Activity.model_validate_json(activity.model_dump_json()) == activity


@settings(max_examples=50, deadline=None)
@given(valid_activities())
def test_any_valid_activity_validates_again_from_its_python_dump(activity: rc.Activity) -> None:
    assert rc.Activity.model_validate(activity.model_dump()) == activity


# --------------------------------------------------------------------------- Catalog


def _three() -> list[rc.Activity]:
    return [
        make_activity("walk-together"),
        make_activity("cook-dinner"),
        make_activity("read-aloud"),
    ]


def test_a_catalog_keeps_the_order_it_was_given() -> None:
    catalog = rc.Catalog(activities=_three())
    assert len(catalog) == 3
    assert [a.id for a in catalog] == ["walk-together", "cook-dinner", "read-aloud"]
    assert catalog.ids == ("walk-together", "cook-dinner", "read-aloud")


def test_a_catalog_answers_membership_by_id() -> None:
    catalog = rc.Catalog(activities=_three())
    assert "cook-dinner" in catalog
    assert "bake-bread" not in catalog
    assert 3 not in catalog


def test_a_catalog_looks_activities_up_by_id() -> None:
    activities = _three()
    catalog = rc.Catalog(activities=activities)
    assert catalog["read-aloud"] is catalog.activities[2]
    assert catalog["read-aloud"] == activities[2]


def test_a_missing_id_raises_unknown_activity_error() -> None:
    catalog = rc.Catalog(activities=_three())
    with pytest.raises(
        rc.UnknownActivityError, match=r"no activity with id 'bake-bread'.*3 activities"
    ):
        catalog["bake-bread"]


def test_an_unknown_activity_error_is_also_a_key_error() -> None:
    catalog = rc.Catalog(activities=_three())
    with pytest.raises(KeyError, match="bake-bread"):
        catalog["bake-bread"]
    assert issubclass(rc.UnknownActivityError, rc.RecommenderError)


def test_a_catalog_rejects_duplicate_ids() -> None:
    activities = [*_three(), make_activity("cook-dinner", minutes=90)]
    with pytest.raises(
        ValidationError, match=r"activity ids must be unique, repeated: cook-dinner"
    ):
        rc.Catalog(activities=activities)


def test_a_catalog_is_frozen() -> None:
    catalog = rc.Catalog(activities=_three())
    with pytest.raises(ValidationError, match="frozen"):
        catalog.activities = ()


def test_a_catalog_validates_plain_mappings_as_activities() -> None:
    record = make_activity("stretch-together").model_dump(mode="json")
    catalog = rc.Catalog.model_validate({"activities": [record]})
    assert catalog["stretch-together"] == make_activity("stretch-together")


def test_a_catalog_rejects_unknown_fields() -> None:
    with pytest.raises(ValidationError, match=r"version\n.*Extra inputs are not permitted"):
        rc.Catalog.model_validate({"activities": [], "version": 2})


# --------------------------------------------------------------------------- PersonProfile


def test_a_profile_needs_only_a_name_and_has_the_documented_defaults() -> None:
    profile = rc.PersonProfile(name="Ana")
    assert profile.intimacy == {}
    assert profile.interests == ()
    assert profile.avoid == ()
    assert profile.max_depth == 3
    assert profile.budget == 1
    assert profile.energy is None
    assert profile.max_contact is rc.Contact.affectionate
    assert profile.limited_mobility is False


def test_a_missing_intimacy_type_weighs_one_half() -> None:
    profile = rc.PersonProfile(name="Ana", intimacy={"emotional": 0.9, "physical": 0.0})
    assert profile.weight("emotional") == 0.9
    assert profile.weight(rc.IntimacyType.physical) == 0.0
    assert [profile.weight(t) for t in ("spiritual", "experiential", "intellectual")] == [0.5] * 3


def test_asking_the_weight_of_an_unknown_type_is_an_error() -> None:
    with pytest.raises(ValueError, match="'sexual' is not a valid IntimacyType"):
        rc.PersonProfile(name="Ana").weight("sexual")


@pytest.mark.parametrize("name", ["", "   ", "x" * 61])
def test_a_profile_name_is_one_to_sixty_characters(name: str) -> None:
    with pytest.raises(ValidationError, match=r"name\n.*at (least 1|most 60) character"):
        rc.PersonProfile(name=name)


def test_a_profile_without_a_name_is_rejected() -> None:
    with pytest.raises(ValidationError, match=r"name\n.*Field required"):
        rc.PersonProfile()  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("max_depth", 0, "greater than or equal to 1"),
        ("max_depth", 6, "less than or equal to 5"),
        ("budget", -1, "greater than or equal to 0"),
        ("budget", 4, "less than or equal to 3"),
        ("energy", "frantic", "Input should be 'low', 'medium' or 'high'"),
        ("max_contact", "hugs", "Input should be 'none', 'casual' or 'affectionate'"),
        ("limited_mobility", "sometimes", "valid boolean"),
        ("interests", ["  "], "at least 1 character"),
        ("avoid", ["x" * 61], "at most 60 characters"),
        ("mood", "happy", "Extra inputs are not permitted"),
    ],
)
def test_profile_fields_outside_their_range_are_rejected(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ValidationError, match=rf"{field}(\.0)?\n.*{re.escape(message)}"):
        rc.PersonProfile(name="Ana", **{field: value})


@pytest.mark.parametrize(
    ("weights", "message"),
    [
        ({"emotional": 1.5}, "less than or equal to 1"),
        ({"emotional": -0.5}, "greater than or equal to 0"),
        ({"emotional": math.nan}, "finite number"),
        ({"emotional": math.inf}, "finite number"),
        ({"sexual": 0.5}, "Input should be 'physical'"),
    ],
)
def test_profile_intimacy_weights_are_finite_known_and_within_zero_to_one(
    weights: dict[str, float], message: str
) -> None:
    with pytest.raises(ValidationError, match=rf"intimacy\.\w+.*\n.*{message}"):
        rc.PersonProfile(name="Ana", intimacy=weights)


def test_profiles_are_frozen() -> None:
    profile = rc.PersonProfile(name="Ana")
    with pytest.raises(ValidationError, match="frozen"):
        profile.max_depth = 5


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from([t.value for t in rc.IntimacyType]), _weights))
def test_a_profile_weight_is_the_stated_one_or_one_half(weights: dict[str, float]) -> None:
    profile = rc.PersonProfile(name="Ana", intimacy=weights)
    for intimacy_type in rc.IntimacyType:
        assert profile.weight(intimacy_type) == weights.get(intimacy_type.value, 0.5)


# --------------------------------------------------------------------------- PairContext


def test_a_context_has_the_documented_defaults() -> None:
    context = rc.PairContext()
    assert context.relationship is rc.Relationship.romantic
    assert context.minutes is None
    assert context.budget is None
    assert context.remote is False
    assert context.setting is None
    assert context.obstacles == frozenset()
    assert context.goals == frozenset()
    assert context.safety_concern is False
    assert context.exclude == frozenset()


def test_a_context_parses_enum_sets_from_strings() -> None:
    context = rc.PairContext(
        relationship="family",
        obstacles=["trust", "criticism"],
        goals={"emotional"},
        setting="outdoor",
    )
    assert context.relationship is rc.Relationship.family
    assert context.obstacles == {rc.Obstacle.trust, rc.Obstacle.criticism}
    assert context.goals == {rc.IntimacyType.emotional}
    assert context.setting is rc.Setting.outdoor


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("minutes", 0, "greater than or equal to 1"),
        ("minutes", 1441, "less than or equal to 1440"),
        ("budget", -1, "greater than or equal to 0"),
        ("budget", 4, "less than or equal to 3"),
        ("relationship", "neighbours", "Input should be 'romantic'"),
        ("setting", "space", "Input should be 'indoor'"),
        ("obstacles", ["jealousy"], "Input should be 'trust'"),
        ("goals", ["sexual"], "Input should be 'physical'"),
        ("weather", "rain", "Extra inputs are not permitted"),
    ],
)
def test_context_fields_outside_their_range_are_rejected(
    field: str, value: object, message: str
) -> None:
    with pytest.raises(ValidationError, match=rf"{field}(\.\d+)?\n.*{re.escape(message)}"):
        rc.PairContext(**{field: value})


def test_contexts_are_frozen() -> None:
    context = rc.PairContext()
    with pytest.raises(ValidationError, match="frozen"):
        context.remote = True


# --------------------------------------------------------------------------- Suggestion


def test_a_suggestion_keeps_each_persons_score_in_order() -> None:
    suggestion = rc.Suggestion(
        activity=make_activity(), score=0.7, scores=(0.9, 0.4), reasons=["x"]
    )
    assert suggestion.scores == (0.9, 0.4)
    assert suggestion.reasons == ("x",)


@pytest.mark.parametrize(
    ("fields", "pattern"),
    [
        ({"score": 1.2}, r"score\n.*less than or equal to 1"),
        ({"score": -0.1}, r"score\n.*greater than or equal to 0"),
        ({"score": math.nan}, r"score\n.*finite number"),
        ({"scores": (0.5,)}, r"scores\.1\n.*Field required"),
        ({"scores": (0.5, 0.5, 0.5)}, r"scores\n.*2 items"),
        ({"scores": (0.5, 1.5)}, r"scores\.1\n.*less than or equal to 1"),
        ({"rank": 1}, r"rank\n.*Extra inputs are not permitted"),
    ],
)
def test_suggestion_scores_are_two_finite_numbers_within_zero_to_one(
    fields: dict[str, object], pattern: str
) -> None:
    values: dict[str, object] = {"activity": make_activity(), "score": 0.5, "scores": (0.5, 0.5)}
    values.update(fields)
    with pytest.raises(ValidationError, match=pattern):
        rc.Suggestion(**values)


def test_suggestions_are_frozen() -> None:
    suggestion = rc.Suggestion(activity=make_activity(), score=0.5, scores=(0.5, 0.5))
    with pytest.raises(ValidationError, match="frozen"):
        suggestion.score = 1.0


# --------------------------------------------------------------------------- JSON Schema


def _refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        own = [node["$ref"]] if isinstance(node.get("$ref"), str) else []
        return own + [ref for value in node.values() for ref in _refs(value)]
    if isinstance(node, list):
        return [ref for value in node for ref in _refs(value)]
    return []


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_json_schema_is_a_closed_object_schema(name: str) -> None:
    schema = rc.json_schema(name)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert schema["properties"]
    assert set(schema.get("required", [])) <= set(schema["properties"])


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_json_schema_references_resolve_and_nested_models_are_closed(name: str) -> None:
    schema = rc.json_schema(name)
    definitions = schema.get("$defs", {})
    for ref in _refs(schema):
        assert ref.startswith("#/$defs/"), ref
        assert ref.removeprefix("#/$defs/") in definitions, ref
    for definition in definitions.values():
        if definition.get("type") == "object":
            assert definition["additionalProperties"] is False


@pytest.mark.parametrize(
    ("name", "model"),
    [
        ("profile", rc.PersonProfile),
        ("activity", rc.Activity),
        ("context", rc.PairContext),
        ("catalog", rc.Catalog),
    ],
)
def test_json_schema_lists_every_field_of_its_model(name: str, model: type[Any]) -> None:
    assert set(rc.json_schema(name)["properties"]) == set(model.model_fields)


def test_json_schema_carries_field_ranges_and_docstrings() -> None:
    depth = rc.json_schema("activity")["properties"]["depth"]
    assert (depth["minimum"], depth["maximum"]) == (1, 5)
    assert "Vulnerability" in depth["description"]


@settings(max_examples=40, deadline=None)
@given(valid_activities())
def test_a_dumped_activity_fits_the_activity_schema(activity: rc.Activity) -> None:
    schema = rc.json_schema("activity")
    record = activity.model_dump(mode="json")
    assert set(record) <= set(schema["properties"])
    assert set(schema["required"]) <= set(record)


@pytest.mark.parametrize("name", ["person", "", "Profile", "catalogue"])
def test_an_unknown_schema_name_is_a_config_error(name: str) -> None:
    with pytest.raises(
        rc.ConfigError, match=rf"schema name must be one of profile, .*got {name!r}"
    ):
        rc.json_schema(name)


# --------------------------------------------------------------------------- shared values


def test_changing_one_activitys_intimacy_never_changes_another() -> None:
    # Activities with the same mix share one mapping (memory at a million items);
    # it must be read-only, or one activity's change would leak into the other.
    first, second = (make_activity(activity_id) for activity_id in ("first-one", "second-one"))
    assert first.intimacy == second.intimacy
    with pytest.raises(TypeError, match="read-only"):
        first.intimacy[rc.IntimacyType.physical] = 0.1  # type: ignore[index]
    assert second.intimacy == first.intimacy
    assert rc.IntimacyType.physical not in second.intimacy


def test_a_shared_intimacy_mix_dumps_copies_and_round_trips_like_a_dict() -> None:
    import copy

    activity = make_activity()
    dumped = activity.model_dump()
    assert type(dumped["intimacy"]) is dict
    dumped["intimacy"][rc.IntimacyType.physical] = 0.2  # the dump is the caller's to change
    assert rc.IntimacyType.physical not in activity.intimacy
    assert rc.Activity.model_validate(activity.model_dump()) == activity
    assert copy.deepcopy(activity) == activity
    assert activity.model_copy(update={"depth": 2}).intimacy == activity.intimacy


def test_trusted_suggestions_equal_validated_ones() -> None:
    activity = make_activity()
    built = rc.Suggestion._trusted(activity, 0.5, [0.25, 0.75], ("both like it",))
    validated = rc.Suggestion(
        activity=activity, score=0.5, scores=(0.25, 0.75), reasons=("both like it",)
    )
    assert built == validated
    assert built.model_fields_set == validated.model_fields_set
    assert built.model_dump() == validated.model_dump()
    # the state pydantic's own trusted constructor leaves, attribute for attribute
    for codes in ((), ("interest_match",)):
        fast = rc.Suggestion._trusted(activity, 0.5, [0.25, 0.75], ("both like it",), codes)
        constructed = rc.Suggestion.model_construct(
            activity=activity,
            score=0.5,
            scores=(0.25, 0.75),
            reasons=("both like it",),
            **({"reason_codes": codes} if codes else {}),
        )
        for name in (
            "__dict__",
            "__pydantic_fields_set__",
            "__pydantic_extra__",
            "__pydantic_private__",
        ):
            assert getattr(fast, name) == getattr(constructed, name), name
        assert fast.model_dump_json() == constructed.model_dump_json()
