"""Safety and relationship kinds (issue 15): content that fits who the pair is, the
right help for every situation, and a concern that never reaches the other person."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import recommender as rc
from recommender.cli import main
from recommender.cli.support import CONCERN_LABEL, NEUTRAL_NOTE
from recommender.constraints import CONTACT_LEVEL, depth_cap, minor_safe_items
from recommender.conversation import ask
from recommender.history import History
from recommender.planning import plan
from recommender.safety import Concern, default_concern, screen, services, services_for
from tests.conftest import make_activity

MODEL = rc.Recommender().fit(rc.default_catalog())
ROMANTIC_ONLY = frozenset({rc.Relationship.romantic})
WORDS = ["cooking", "music", "walking", "games", "art", "nature"]

people = st.builds(
    rc.PersonProfile,
    name=st.sampled_from(["Ana", "Ben", "Sam"]),
    interests=st.lists(st.sampled_from(WORDS), max_size=3).map(tuple),
    max_depth=st.integers(1, 5),
    budget=st.integers(0, 3),
    max_contact=st.sampled_from(["none", "casual", "affectionate"]),
    age=st.one_of(st.none(), st.integers(0, 120)),
    limited_mobility=st.booleans(),
)
contexts = st.builds(
    rc.PairContext,
    relationship=st.sampled_from(list(rc.Relationship)),
    minutes=st.one_of(st.none(), st.integers(5, 600)),
    budget=st.one_of(st.none(), st.integers(0, 3)),
    remote=st.booleans(),
    setting=st.sampled_from([None, "indoor", "outdoor"]),
    obstacles=st.frozensets(st.sampled_from(list(rc.Obstacle)), max_size=2),
)


def minor(a: rc.PersonProfile, b: rc.PersonProfile) -> bool:
    return any(p.age is not None and p.age < rc.schema.ADULT_AGE for p in (a, b))


def content_violations(act: rc.Activity, a: Any, b: Any, ctx: rc.PairContext) -> list[str]:
    """Every content rule about who the pair is that ``act`` breaks for them."""
    out = []
    if minor(a, b):
        if act.depth > 3:
            out.append("minor depth")
        if act.relationships == ROMANTIC_ONLY:
            out.append("minor romantic-only")
        if act.contact is rc.Contact.affectionate:
            out.append("minor affectionate")
        if act.adults_only or act.opt_in is not None:
            out.append("minor adults_only/opt_in")
    if ctx.relationship is rc.Relationship.parent_child and act.relationships == ROMANTIC_ONLY:
        out.append("parent-child romantic-only")
    if ctx.relationship is rc.Relationship.colleagues and (
        act.depth > 3 or act.contact is not rc.Contact.none
    ):
        out.append("colleagues depth/contact")
    named = a.situations | b.situations | ctx.situations
    if act.situational is not None and act.situational not in named:
        out.append("situational")
    if act.opt_in is not None and not (act.opt_in in a.opt_in and act.opt_in in b.opt_in):
        out.append("opt_in")
    if act.safety_gated and (rc.Obstacle.trust in ctx.obstacles or a.safety_concern):
        out.append("safety_gated")
    if act.presence is rc.Presence.apart and not ctx.remote:
        out.append("presence")
    return out


# ------------------------------------------------------- content rules, whole catalogue


def test_the_minor_mask_keeps_only_gentle_items_of_the_whole_catalogue() -> None:
    safe = minor_safe_items(MODEL.items_)
    assert safe.any()
    for row in np.flatnonzero(safe):
        act = MODEL.activities_[row]
        assert act.depth <= 3 and act.relationships != ROMANTIC_ONLY, act.id
        assert CONTACT_LEVEL[act.contact] < CONTACT_LEVEL[rc.Contact.affectionate], act.id
        assert not act.adults_only and act.opt_in is None, act.id


@pytest.mark.parametrize("relationship", list(rc.Relationship))
def test_minor_pairs_never_get_deep_romantic_affectionate_or_adult_items(relationship) -> None:
    parent = rc.PersonProfile(name="Pat", age=44, max_depth=5, max_contact="affectionate")
    teen = rc.PersonProfile(name="Tess", age=14, max_depth=5, max_contact="affectionate")
    ctx = rc.PairContext(relationship=relationship)
    found = MODEL.recommend(parent, teen, ctx, k=len(MODEL.activity_ids_))
    assert depth_cap(parent, teen, ctx) <= 3
    for s in found:
        assert content_violations(s.activity, parent, teen, ctx) == [], s.activity.id
    for p in ask(MODEL, parent, teen, ctx, n=100):
        assert p.depth <= 3


def test_adult_parent_and_child_may_go_deep_but_never_romantic() -> None:
    mum = rc.PersonProfile(name="Mum", age=60, max_depth=5)
    son = rc.PersonProfile(name="Son", age=30, max_depth=5)
    ctx = rc.PairContext(relationship="parent-child")
    found = MODEL.recommend(mum, son, ctx, k=len(MODEL.activity_ids_))
    assert found and all(s.activity.relationships != ROMANTIC_ONLY for s in found)
    assert depth_cap(mum, son, ctx) == 5


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=people, b=people, ctx=contexts, k=st.integers(1, 15))
def test_no_suggestion_breaks_a_rule_about_who_the_pair_is(a, b, ctx, k) -> None:
    for s in MODEL.recommend(a, b, ctx, k=k):
        assert content_violations(s.activity, a, b, ctx) == []


# ------------------------------------------ the new masks, on items written to test them

GATED = make_activity("read-notes-aloud", safety_gated=True, tags=["writing"])
SITUATIONAL = make_activity("sit-with-them", situational="bereavement", tags=["listening"])
OPT_IN = make_activity(
    "talk-about-wanting",
    opt_in="desire",
    relationships=["romantic"],
    tags=["feelings"],
)
APART = make_activity("call-and-cook", remote=True, presence="apart", tags=["cooking"])
ADULT = make_activity("old-scars", adults_only=True, depth=3, tags=["memories"])
PLAIN = make_activity("walk-together")
SPECIAL_MODEL = rc.Recommender().fit([GATED, SITUATIONAL, OPT_IN, APART, ADULT, PLAIN])

special_people = st.builds(
    rc.PersonProfile,
    name=st.just("Ana"),
    age=st.one_of(st.none(), st.integers(5, 90)),
    situations=st.frozensets(st.sampled_from(list(rc.Situation)), max_size=2),
    opt_in=st.frozensets(st.just(rc.OptIn.desire)),
    max_depth=st.just(5),
)
special_contexts = st.builds(
    rc.PairContext,
    relationship=st.sampled_from([rc.Relationship.romantic, rc.Relationship.friends]),
    remote=st.booleans(),
    obstacles=st.frozensets(st.sampled_from([rc.Obstacle.trust, rc.Obstacle.criticism])),
    situations=st.frozensets(st.sampled_from(list(rc.Situation)), max_size=1),
)


@settings(max_examples=120, deadline=None)
@given(a=special_people, b=special_people, ctx=special_contexts)
def test_situational_opt_in_gated_presence_and_adult_items_obey_their_rules(a, b, ctx) -> None:
    found = SPECIAL_MODEL.recommend(a, b, ctx, k=6)
    for s in found:
        assert content_violations(s.activity, a, b, ctx) == [], s.activity.id
    ids = {s.activity.id for s in found}
    # ... and each comes back as soon as its rule allows it.
    if rc.Situation.bereavement in a.situations | b.situations | ctx.situations:
        assert SITUATIONAL.id in ids or ctx.remote
    if rc.Obstacle.trust not in ctx.obstacles:
        assert GATED.id in ids or ctx.remote


def test_diagnose_names_the_new_constraints() -> None:
    a = rc.PersonProfile(name="A", age=12, max_depth=5)
    d = SPECIAL_MODEL.diagnose(a, rc.PersonProfile(name="B"), rc.PairContext(obstacles={"trust"}))
    for name in ("minor", "situational", "opt_in", "safety_gated", "presence"):
        assert d.removed[name] >= 1, name


# ----------------------------------------------------------------- mental health support


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(a=people, b=people, ctx=contexts, k=st.integers(1, 10))
def test_mental_health_always_adds_exactly_one_low_mood_support_item(a, b, ctx, k) -> None:
    ctx = ctx.model_copy(update={"obstacles": ctx.obstacles | {rc.Obstacle.mental_health}})
    support = [
        s for s in MODEL.recommend(a, b, ctx, k=k) if s.activity.practice is rc.Practice.support
    ]
    assert len(support) == 1
    tags = set(support[0].activity.tags)
    assert "low-mood" in tags and not {"support-group", "crisis"} & tags


def test_mental_health_support_is_there_at_max_depth_one() -> None:
    one = rc.PersonProfile(name="A", max_depth=1)
    found = MODEL.recommend(one, one, rc.PairContext(obstacles={"mental_health"}), k=5)
    assert [s.activity.depth for s in found if s.activity.practice is rc.Practice.support] == [1]


# ----------------------------------------------------------------- the safety screen

FIRST_SERVICE = {
    (Concern.partner_abuse, "uk"): "uk-national-domestic-abuse-helpline",
    (Concern.partner_abuse, "us"): "us-national-domestic-violence-hotline",
    (Concern.sexual_violence, "uk"): "uk-rape-crisis",
    (Concern.sexual_violence, "us"): "us-rainn",
    (Concern.young_person, "uk"): "uk-childline",
    (Concern.young_person, "us"): "us-childhelp",
    (Concern.young_person, "international"): "intl-child-helpline-international",
    (Concern.workplace, "uk"): "uk-acas",
    (Concern.workplace, "us"): "us-eeoc",
    (Concern.elder_abuse, "uk"): "uk-hourglass",
    (Concern.elder_abuse, "us"): "us-eldercare-locator",
    (Concern.own_behaviour, "uk"): "uk-respect-phoneline",
    (Concern.own_behaviour, "us"): "us-national-domestic-violence-hotline",
    (Concern.crisis, "uk"): "uk-999",
    (Concern.crisis, "us"): "us-911",
    (Concern.crisis, "international"): "intl-emergency",
}


def first_service(concern: Concern, region: str) -> str:
    return FIRST_SERVICE.get((concern, region), "intl-find-a-helpline")


@pytest.mark.parametrize("concern", list(Concern))
@pytest.mark.parametrize("region", [r.value for r in rc.Region])
def test_every_situation_and_region_has_services_and_crisis_lines(concern, region) -> None:
    found = services_for(concern, region)
    assert found[0].id == first_service(concern, region)
    crisis = [s for s in found if Concern.crisis in s.concerns]
    assert crisis and any(s.phone for s in crisis)
    assert all(s.region.value in (region, "international") for s in found)


def test_young_people_get_child_helplines_first_never_adult_refuges() -> None:
    for region in rc.Region:
        first = services_for(Concern.young_person, region)[0]
        assert Concern.young_person in first.concerns
        assert not {"refuge", "domestic"} & set(first.name.lower().split())


def test_the_services_file_says_numbers_were_checked_and_gives_only_digits() -> None:
    text = (Path(rc.__file__).parent / "resources.yaml").read_text(encoding="utf-8")
    assert re.search(r"checked on \d{4}-\d{2}-\d{2}", text)
    assert len({s.id for s in services()}) == len(services())
    assert all(re.fullmatch(r"[0-9][0-9 -]+", s.phone) for s in services() if s.phone)


@pytest.mark.parametrize(
    ("relationship", "ages", "expected"),
    [
        ("romantic", (30, 31), Concern.partner_abuse),
        ("parent-child", (45, 13), Concern.young_person),
        ("colleagues", (40, 50), Concern.workplace),
        ("parent-child", (78, 50), Concern.elder_abuse),
        ("siblings", (70, 68), Concern.elder_abuse),
        ("friends", (30, 30), Concern.crisis),
    ],
)
def test_the_default_situation_follows_relationship_and_ages(relationship, ages, expected):
    a, b = (rc.PersonProfile(name=n, age=age) for n, age in zip("AB", ages, strict=True))
    assert default_concern(a, b, rc.PairContext(relationship=relationship)) is expected


def test_screen_gives_individual_support_only() -> None:
    plan_ = screen(MODEL, rc.PersonProfile(name="A", region="uk"), concern="partner_abuse")
    assert plan_.services[0].id == "uk-national-domestic-abuse-helpline"
    assert plan_.activities
    assert all("individual" in a.tags for a in plan_.activities)


# ----------------------------------------------------------------- the CLI, end to end


def run(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def write(path: Path, data: dict[str, Any]) -> str:
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return str(path)


@pytest.fixture
def pair(tmp_path: Path) -> tuple[str, str, Path]:
    """A's profile carries a safety concern (a questionnaire yes); B's does not."""
    a = write(tmp_path / "a.yaml", {"name": "Ana", "safety_concern": True, "region": "uk"})
    b = write(tmp_path / "b.yaml", {"name": "Ben"})
    db = tmp_path / "history.db"
    with History(db) as store:
        store.record("ana-ben", MODEL.activity_ids_[0], {"ana": 4, "ben": 4})
    return a, b, db


@pytest.mark.parametrize("concern", list(Concern))
def test_each_situation_gives_its_service_first_and_nothing_joint(pair, concern) -> None:
    a, b, db = pair
    mine = run("suggest", a, "--concern", concern.value, "--history", str(db), "--json")
    assert mine.exit_code == 0, mine.output
    records = json.loads(mine.stdout)
    assert records[0]["id"] == first_service(concern, "uk")
    joint = [r for r in records if r["kind"] == "activity"]
    assert joint and all("individual" in r["tags"] for r in joint)
    assert not any("score" in r or "scores" in r for r in records)
    # The other person, running a joint command with A's profile, learns nothing.
    for command in (["suggest"], ["ask"], ["plan", "--weeks", "2"]):
        theirs = run(*command, b, a, "--history", str(db))
        assert theirs.exit_code == 1
        assert theirs.stdout == ""
        assert theirs.stderr.strip() == f"closer: {NEUTRAL_NOTE}"
        shown = theirs.output.lower()
        assert CONCERN_LABEL[concern] not in shown and concern.value not in shown
        assert not {"afraid", "abuse", "fear", "safety", "concern"} & set(re.findall(r"\w+", shown))
    stored = db.read_bytes().lower()
    assert concern.value.encode() not in stored
    assert CONCERN_LABEL[concern].encode() not in stored
    assert b"safety" not in stored


def test_a_joint_json_command_with_a_concerned_profile_prints_an_empty_list(pair) -> None:
    a, b, _ = pair
    for command in (["suggest"], ["ask"], ["plan", "--weeks", "2"]):
        result = run(*command, b, a, "--json")
        assert result.exit_code == 1 and json.loads(result.stdout) == []


def test_one_profile_is_enough_for_support_and_every_command_agrees(pair) -> None:
    a, _, _ = pair
    outputs = [
        run(*command, a, "--json") for command in (["suggest"], ["ask"], ["plan", "--weeks", "3"])
    ]
    assert all(r.exit_code == 0 for r in outputs)
    assert outputs[0].stdout == outputs[1].stdout == outputs[2].stdout
    text = run("ask", a)
    assert "Samaritans" in text.stdout and "Questions for" not in text.stdout


def test_one_profile_without_a_concern_is_a_usage_error(tmp_path: Path) -> None:
    lone = write(tmp_path / "b.yaml", {"name": "Ben"})
    result = run("suggest", lone)
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "B.yaml is missing" in result.stderr


def test_a_concerned_profile_gets_nothing_joint_from_the_library() -> None:
    a = rc.PersonProfile(name="A", safety_concern=True)
    b = rc.PersonProfile(name="B")
    assert MODEL.recommend(a, b, rc.PairContext(obstacles={"mental_health"})) == []
    assert MODEL.recommend(b, a) == []
    assert ask(MODEL, a, b, None) == [] and plan(MODEL, b, a, None, weeks=2) == []
    d = MODEL.diagnose(b, a)
    assert d.remaining == 0 and d.removed == {} and d.advice == ()


def test_help_now_needs_no_profile(tmp_path: Path) -> None:
    result = run("help-now", "--region", "us", "--concern", "sexual_violence", "--json")
    assert result.exit_code == 0
    assert json.loads(result.stdout)[0]["id"] == "us-rainn"
    assert "not a crisis service" in run("help-now").stdout


# ----------------------------------------------------------------- aftercare


def test_aftercare_is_shown_in_text_and_json(tmp_path: Path) -> None:
    deep = make_activity(
        "share-a-hard-memory",
        practice="conversation",
        intimacy={"emotional": 0.9},
        relationships=["romantic"],
        depth=4,
        prompts=["What was hard?", "Who helped?", "What do you wish?"],
        aftercare="Either of you can pass. If something hard comes up, see closer help-now.",
    )
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(
        yaml.safe_dump(
            {"activities": [deep.model_dump(mode="json"), PLAIN.model_dump(mode="json")]}
        )
    )
    a = write(tmp_path / "a.yaml", {"name": "Ana", "max_depth": 5})
    b = write(tmp_path / "b.yaml", {"name": "Ben", "max_depth": 5})
    # (romantic: since issue 20 the default kind is friends, and the deep item is romantic)
    common = [a, b, "--catalog", str(catalog), "--relationship", "romantic"]
    records = json.loads(run("suggest", *common, "--json").stdout)
    by_id = {r["id"]: r["aftercare"] for r in records}
    assert by_id == {deep.id: deep.aftercare, PLAIN.id: None}
    assert f"Aftercare: {deep.aftercare}" in run("suggest", *common).stdout
    prompts = json.loads(run("ask", *common, "--depth", "5", "--json").stdout)
    assert {p["aftercare"] for p in prompts} == {deep.aftercare}
    assert deep.aftercare in run("ask", *common, "--depth", "5").stdout
    weeks = json.loads(run("plan", *common, "--weeks", "2", "--json").stdout)
    assert {w["activity"]["aftercare"] for w in weeks} <= {deep.aftercare, None}


# ----------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("field", "value"),
    [("age", -1), ("age", "teen"), ("age", 121), ("region", "mars")],
)
def test_a_bad_profile_field_is_one_line_and_exit_2(tmp_path: Path, field, value) -> None:
    bad = write(tmp_path / "a.yaml", {"name": "Ana", field: value})
    good = write(tmp_path / "b.yaml", {"name": "Ben"})
    result = run("suggest", bad, good)
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("closer: ") and field in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    "option", [["--relationship", "cousins"], ["--region", "mars"], ["--concern", "nope"]]
)
def test_a_bad_option_is_a_usage_error_exit_2(tmp_path: Path, option) -> None:
    a = write(tmp_path / "a.yaml", {"name": "Ana"})
    b = write(tmp_path / "b.yaml", {"name": "Ben"})
    result = run("suggest", a, b, *option)
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert option[1] in result.output


def test_the_command_lines_region_wins_over_the_profiles(pair) -> None:
    a, _, _ = pair  # the profile says uk
    records = json.loads(run("suggest", a, "--region", "us", "--json").stdout)
    assert records[0]["region"] == "us"
    assert json.loads(run("suggest", a, "--json").stdout)[0]["region"] == "uk"


def test_minor_pairs_plans_stay_gentle() -> None:
    parent = rc.PersonProfile(name="Pat", age=40, max_depth=5)
    child = rc.PersonProfile(name="Kit", age=9, max_depth=5)
    ctx = rc.PairContext(relationship="parent-child")
    weeks = plan(MODEL, parent, child, ctx, weeks=6)
    assert weeks
    for week in weeks:
        assert content_violations(week.activity.activity, parent, child, ctx) == []
        assert all(p.depth <= 3 for p in week.conversation)


def test_nothing_about_the_concern_is_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level("DEBUG")
    person = rc.PersonProfile(name="Ana", safety_concern=True, age=15)
    screen(MODEL, person, concern="sexual_violence")
    MODEL.recommend(person, rc.PersonProfile(name="Ben"))
    logged = " ".join(r.getMessage() for r in caplog.records).lower()
    assert "sexual" not in logged and "concern" not in logged and "safety" not in logged


def test_an_unknown_relationship_in_a_catalogue_file_is_one_line_and_exit_2(
    tmp_path: Path,
) -> None:
    record = PLAIN.model_dump(mode="json") | {"relationships": ["cousins"]}
    catalog = tmp_path / "catalog.yaml"
    catalog.write_text(yaml.safe_dump({"activities": [record]}), encoding="utf-8")
    a = write(tmp_path / "a.yaml", {"name": "Ana"})
    result = run("suggest", a, a, "--catalog", str(catalog))
    assert result.exit_code == 2 and "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "relationships" in lines[0] and "cousins" in lines[0]
    with pytest.raises(rc.ProfileError, match="relationship"):
        rc.profiles.load_context({"relationship": "cousins"}, source="context")


def test_old_profiles_and_catalogues_saying_family_keep_loading_as_adult_relatives(
    tmp_path: Path,
) -> None:
    old = make_activity("visit-an-aunt", relationships=["family"])
    model = rc.Recommender().fit([old])
    adults = rc.PersonProfile(name="A"), rc.PersonProfile(name="B")
    assert model.recommend(*adults, rc.PairContext(relationship="family"))
    assert model.recommend(*adults, rc.PairContext(relationship="parent-child")) == []
