"""The bundled catalogue: coverage minimums, writing quality and content rules."""

from __future__ import annotations

import json
import re
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import recommender as rc
from recommender.coverage import about_the_pair, coverage
from recommender.restatements import MERGED_INTO, current_id, restated_pairs

CATALOG_README = Path(rc.default_catalog_path()) / "README.md"
MERGED_FIXTURE = Path(__file__).parent / "fixtures" / "merged-duplicates.yaml"

# Words that start a title but are not verbs: a title must say what to do.
NOT_VERBS = {
    "a",
    "an",
    "the",
    "your",
    "our",
    "my",
    "this",
    "that",
    "one",
    "two",
    "some",
    "weekly",
    "daily",
    "morning",
    "evening",
    "night",
    "new",
    "quiet",
    "shared",
    "family",
    "how",
    "why",
    "what",
    "when",
    "it",
    "we",
    "you",
}
SEXUAL_WORDS = re.compile(
    r"\b(sex|sexual|sexy|sensual|erotic|naked|nude|undress\w*|aroused?|"
    r"foreplay|kiss\w*|make out|lingerie|seduc\w*|striptease)\b",
    re.I,
)


def tag_vocabulary() -> set[str]:
    """The tags catalog/README.md documents (every comma-separated word under its headings)."""
    text = CATALOG_README.read_text(encoding="utf-8").split("## Tag vocabulary", 1)[1]
    text = text.split("## Contributing", 1)[0]
    words = re.findall(r"(?m)^(?::\s+|\s{2})(.+)$", text)
    vocabulary = set()
    for line in words:
        for part in line.split(","):
            word = part.strip().split(" ")[0]
            if re.fullmatch(r"[a-z][a-z-]+", word):
                vocabulary.add(word)
    return vocabulary


def test_every_coverage_minimum_is_met(bundled):
    short = [f"{r.what}: {r.count} < {r.minimum}" for r in coverage(bundled) if not r.met]
    assert short == []


def test_titles_are_unique_and_start_with_a_verb(bundled):
    titles = Counter(a.title for a in bundled)
    assert [t for t, n in titles.items() if n > 1] == []
    for a in bundled:
        first = a.title.split()[0]
        assert first[0].isupper(), a.id
        assert first.lower() not in NOT_VERBS, f"{a.id}: title starts with {first!r}"


def test_descriptions_are_concrete_and_between_15_and_80_words(bundled):
    lengths = {a.id: len(a.description.split()) for a in bundled}
    assert {i: n for i, n in lengths.items() if not 15 <= n <= 80} == {}


def _fixture_activity(text: dict[str, Any]) -> rc.Activity:
    """An activity carrying one merged item's old words (the metadata does not matter here)."""
    return rc.Activity(
        id=text["id"],
        title=text["title"],
        description=text["description"],
        steps=text["steps"],
        prompts=text["prompts"],
        intimacy={"emotional": 0.8},
        practice="emotions",
        relationships={"friends"},
        depth=1,
        minutes=10,
    )


def merged_clusters() -> list[dict[str, Any]]:
    """The duplicate clusters merged in the content review, with their old texts."""
    data = yaml.safe_load(MERGED_FIXTURE.read_text(encoding="utf-8"))
    clusters: list[dict[str, Any]] = data["clusters"]
    return clusters


def test_the_restatement_check_flags_every_pair_inside_each_merged_cluster():
    clusters = merged_clusters()
    assert len(clusters) >= 25
    items = [_fixture_activity(t) for c in clusters for t in c["items"]]
    found = restated_pairs(items)
    assert found is not None
    flagged = {frozenset((p.first, p.second)) for p in found}
    pairs = [
        frozenset(pair) for c in clusters for pair in combinations([t["id"] for t in c["items"]], 2)
    ]
    assert len(pairs) >= 40
    assert [sorted(p) for p in pairs if p not in flagged] == []


def test_no_two_bundled_items_restate_one_idea(bundled):
    assert restated_pairs(bundled) == []


def test_merged_ids_are_gone_and_their_survivors_remain(bundled):
    for cluster in merged_clusters():
        assert cluster["kept"] in bundled
        for text in cluster["items"]:
            if text["id"] != cluster["kept"]:
                assert text["id"] not in bundled, text["id"]
                assert f"`{text['id']}`" in CATALOG_README.read_text(encoding="utf-8")


def test_prompts_are_questions_and_never_repeat(bundled):
    prompts = [p for a in bundled for p in a.prompts]
    repeated = [p for p, n in Counter(p.lower() for p in prompts).items() if n > 1]
    assert repeated == []
    assert all(p.rstrip().endswith("?") for p in prompts)


def test_tags_come_from_the_documented_vocabulary(bundled):
    vocabulary = tag_vocabulary()
    assert len(vocabulary) > 50
    unknown = {t for a in bundled for t in a.tags} - vocabulary
    assert unknown == set()


def test_intimacy_weights_are_graded_not_all_full(bundled):
    weights = [w for a in bundled for w in a.intimacy.values()]
    assert sum(w == 1.0 for w in weights) / len(weights) < 0.1
    assert len({round(w, 1) for w in weights}) >= 5


def test_nothing_is_sexual(bundled):
    for a in bundled:
        text = " ".join([a.title, a.description, *a.steps, *a.prompts])
        assert not SEXUAL_WORDS.search(text), a.id


def test_touch_beyond_casual_is_for_romantic_pairs_only(bundled):
    for a in bundled:
        if a.contact is rc.Contact.affectionate:
            assert a.relationships == {rc.Relationship.romantic}
        if rc.Relationship.colleagues in a.relationships:
            assert a.contact is rc.Contact.none and a.depth <= 3


def test_support_items_say_closer_is_not_therapy_and_work_anywhere(bundled):
    support = [a for a in bundled if a.practice is rc.Practice.support]
    assert len(support) >= 15
    for a in support:
        text = " ".join([a.description, *a.steps]).lower()
        assert "closer is not" in text, a.id
        assert not re.search(r"\b\d{3}[- ]?\d{3,4}\b", text), f"{a.id}: a phone number"
        assert "http" not in text


@pytest.mark.parametrize(
    "need",
    [
        "couples-therapy",
        "family-therapy",
        "counselling",
        "support-group",
        "crisis",
        "domestic-violence",
    ],
)
def test_support_covers_each_kind_of_help(bundled, need):
    assert any(need in a.tags for a in bundled if a.practice is rc.Practice.support)


def test_individual_help_never_suggests_joint_sessions(bundled):
    for a in bundled:
        if "individual" in a.tags:
            assert not {"couples-therapy", "family-therapy"} & set(a.tags), a.id
            assert a.relationships == set(rc.Relationship), a.id


def test_light_items_matter_as_much_as_deep_ones(bundled):
    depths = Counter(a.depth for a in bundled)
    assert depths[1] + depths[2] >= depths[4] + depths[5]


# Tags that say an activity is about the body: presence, movement, touch or rest.
BODY_TAGS = {"movement", "sport", "dance", "walking", "touch", "breathing", "rest", "presence"}
GRATITUDE_TITLE = re.compile(r"\b(thank\w*|gratitude|grateful)\b", re.IGNORECASE)


def test_physical_first_means_the_body_is_involved(bundled):
    for a in bundled:
        if a.strongest_type is rc.IntimacyType.physical:
            assert a.contact is not rc.Contact.none or BODY_TAGS & set(a.tags), a.id


def test_an_activity_done_only_over_a_call_is_never_physical_first(bundled):
    for a in bundled:
        if a.presence is rc.Presence.apart:
            assert a.strongest_type is not rc.IntimacyType.physical, a.id


def test_gratitude_is_emotional_first_unless_it_is_about_faith(bundled):
    grateful = [
        a
        for a in bundled
        if {"gratitude", "appreciation"} & set(a.tags) or GRATITUDE_TITLE.search(a.title)
    ]
    assert len(grateful) >= 20
    for a in grateful:
        if "faith" not in a.tags:
            assert a.strongest_type is rc.IntimacyType.emotional, a.id


# Words that mean an item is written for a life event, by the event they name.
LIFE_EVENTS = {
    rc.Situation.loved_one_dying: r"bedside|vigil|is dying|near the end of life",
    rc.Situation.bereavement: (
        r"graves?|grieve|grieving|bereave\w*|funeral|who has died"
        r"|someone (you|they) (have )?lost|people you have lost"
    ),
    rc.Situation.new_baby: r"newborn|new baby",
    rc.Situation.job_loss: r"redundan\w*|lost (your|their) job",
}


def _life_events(activity: rc.Activity) -> set[rc.Situation]:
    text = " ".join([activity.title, activity.description, *activity.steps, *activity.prompts])
    return {
        situation
        for situation, words in LIFE_EVENTS.items()
        if re.search(rf"\b({words})\b", text, re.IGNORECASE)
    }


def test_items_written_for_a_life_event_are_situational(bundled):
    for a in bundled:
        if a.practice is rc.Practice.support:
            continue  # help services may name any event; they are not activities
        events = _life_events(a)
        if events:
            assert a.situational is not None, f"{a.id} names {sorted(e.value for e in events)}"


def test_each_situational_item_names_its_own_event(bundled):
    situational = [a for a in bundled if a.situational is not None]
    assert len(situational) >= 5
    for a in situational:
        if a.situational in LIFE_EVENTS:
            assert a.situational in _life_events(a), a.id


UNEVEN_GROUND = re.compile(
    r"\b(hills?|hike\w*|hiking|beach\w*|sand|sandy|dunes?|trails?|rock pools?|rocks|climb\w*"
    r"|snow|woodland|forest|quarry|mud|muddy|riverbank|clamber\w*|scrambl\w*|uneven|shore)\b",
    re.IGNORECASE,
)
WALK_TITLE = re.compile(r"^(walk|take a walk|go for a walk)\b", re.IGNORECASE)
FOOD_TITLE = re.compile(
    r"\b(cook|bake|bake-off|eat|meal|snacks?|picnic|dinner|lunch|recipe|taste test|dish"
    r"|cuisine|food)\b",
    re.IGNORECASE,
)
# Words with a more widely understood equivalent (outdoor pool, sweater, cemetery ...).
UK_ONLY_WORDS = re.compile(
    r"\b(lido|jumpers?|churchyards?|pudding|torch\w*|fortnight|car park|bin bag|allotments?"
    r"|wellies|trainers)\b",
    re.IGNORECASE,
)


def _doing(activity: rc.Activity) -> str:
    return " ".join([activity.title, activity.description, *activity.steps])


def test_accessible_items_need_no_long_walk_dancing_or_rough_ground(bundled):
    for a in bundled:
        if not a.accessible:
            continue
        assert "dance" not in a.tags, a.id
        walking = "walking" in a.tags or WALK_TITLE.match(a.title)
        assert not (walking and a.minutes > 20), f"{a.id}: {a.minutes} minutes of walking"
        rough = UNEVEN_GROUND.search(_doing(a))
        assert rough is None, f"{a.id}: {rough.group(0) if rough else ''}"


def test_food_items_say_how_to_adapt_for_allergies_and_diets(bundled):
    food = [a for a in bundled if {"food", "cooking"} & set(a.tags) or FOOD_TITLE.search(a.title)]
    assert len(food) >= 15
    for a in food:
        assert re.search(r"allerg|diet", _doing(a), re.IGNORECASE), a.id


def test_wording_travels_beyond_the_uk(bundled):
    for a in bundled:
        text = " ".join([_doing(a), *a.prompts])
        found = UK_ONLY_WORDS.search(text)
        assert found is None, f"{a.id}: {found.group(0) if found else ''}"


CONFESSION = re.compile(
    r"\b(never told anyone|ashamed|shame|trauma\w*|scars?|sexual\w*|abus\w*|keep private"
    r"|lowest point|hardest year|loneliest)\b",
    re.IGNORECASE,
)
# Items a controlling partner could turn into surveillance or pressure.
MISUSABLE = {
    "send-a-mood-number-every-evening",
    "read-pages-from-each-others-idea-notebooks",
    "shadow-each-other-through-a-day",
    "long-quiet-hold-after-an-argument",
    "share-your-place-to-be-alone",
}


def test_every_deep_item_carries_aftercare_with_a_way_out_and_a_way_to_help(bundled):
    deep = [a for a in bundled if a.depth >= 4]  # support items too
    assert len(deep) >= 60
    for a in deep:
        assert a.aftercare, a.id
        text = a.aftercare.lower()
        assert re.search(r"\b(stop|pass|pause)\b", text), f"{a.id}: no way to pause or pass"
        for words in ("self-harm", "abuse", "suicide"):
            assert words in text, f"{a.id}: aftercare does not name {words}"
        assert "closer suggest --safety-concern" in text, a.id
        assert "local emergency number" in text, a.id
        assert not re.search(r"\d{3}", text), f"{a.id}: aftercare must not give a number"


def test_items_open_to_misuse_ask_consent_or_are_safety_gated(bundled):
    for item in MISUSABLE:
        a = bundled[item]
        assert a.safety_gated, item
        text = " ".join([a.description, *a.steps]).lower()
        assert re.search(r"\b(if you (both )?want|only if|say yes|a no\b|never ask)", text), item


def test_items_inviting_confession_of_secrets_shame_or_scars_are_adults_only(bundled):
    confessing = [
        a
        for a in bundled
        if a.practice is not rc.Practice.support
        and CONFESSION.search(" ".join([a.title, a.description, *a.prompts]))
    ]
    assert len(confessing) >= 8
    assert [a.id for a in confessing if not a.adults_only] == []


APART_TITLE = re.compile(
    r"\b(on a (video )?call|on video|from your own homes|from two homes|from different places"
    r"|from two different places|post them to each other)\b|^Post\b",
    re.IGNORECASE,
)
ROMANTIC_HISTORY = re.compile(
    r"\b(in-laws?|your partner's (family|parents)|first met|first date|date night|exes|an ex"
    r"|past relationships?|fell in love)\b",
    re.IGNORECASE,
)


def test_items_that_only_work_over_a_call_are_apart(bundled):
    apart = [a for a in bundled if a.presence is rc.Presence.apart]
    assert len(apart) >= 15
    for a in bundled:
        if APART_TITLE.search(a.title) and " or on a call" not in a.title:
            assert a.presence is rc.Presence.apart, a.id
        if a.presence is not rc.Presence.together:
            assert a.remote, a.id


def test_items_about_romantic_history_or_in_laws_never_suit_parent_and_child(bundled):
    for a in bundled:
        text = " ".join([a.title, a.description, *a.steps, *a.prompts])
        if ROMANTIC_HISTORY.search(text):
            assert rc.Relationship.parent_child not in a.relationships, a.id


def test_every_relationship_kind_has_items_at_light_depths(bundled):
    for kind in rc.Relationship:
        light = [a for a in bundled if kind in a.relationships and a.depth <= 2]
        assert len(light) >= 40, kind.value


def test_catalog_stats_reports_the_counts_the_content_review_names():
    from click.testing import CliRunner

    import cli

    result = CliRunner().invoke(cli.main, ["catalog", "stats", "--json"])
    assert result.exit_code == 0
    rows = {row["what"]: row for row in json.loads(result.output)}
    for what in (
        "activities in all",
        "distinct prompts",
        "depth-1 prompts",
        "prompts about the pair or the other person",
        "suits parent-child",
        "suits siblings",
        "situational (life events)",
        "deep items (depth 4+) with aftercare",
        "restated ideas flagged",
        "presence apart",
    ):
        assert what in rows, what
    assert rows["restated ideas flagged"] == {
        "what": "restated ideas flagged",
        "count": 0,
        "minimum": 0,
        "met": True,
        "maximum": 0,
    }
    text = CliRunner().invoke(cli.main, ["catalog", "stats"]).output
    targets = text.split("\ntarget ", 1)[1]
    assert re.search(r"activities in all\s+\d+\s+520", targets)
    assert re.search(r"distinct prompts\s+\d+\s+700", targets)
    aftercare = rows["deep items (depth 4+) with aftercare"]
    assert aftercare["count"] == aftercare["minimum"] > 0


def test_a_restated_idea_counts_against_the_catalogue(activity):
    twins = [
        activity("visit-a-grave", title="Visit a grave together"),
        activity("tend-a-grave", title="Tend the grave of someone you miss"),
    ]
    rows = {r.what: r for r in coverage(twins)}
    assert rows["restated ideas flagged"].count == 1
    assert not rows["restated ideas flagged"].met


def test_prompts_about_the_pair_are_told_from_general_topics():
    assert about_the_pair("What do you wish I understood about your work?")
    assert about_the_pair("Which habit of ours would you keep forever?")
    assert not about_the_pair("What would you change about how streets work?")


def test_the_readme_gives_a_real_example_for_each_depth(bundled):
    text = CATALOG_README.read_text(encoding="utf-8").split("## Depth", 1)[1]
    rows = re.findall(r"(?m)^\| ([1-5]) \|[^|]+\| `([a-z0-9-]+)`", text)
    assert sorted(int(d) for d, _ in rows) == [1, 2, 3, 4, 5]
    for depth, item in rows:
        assert bundled[item].depth == int(depth), item


def test_the_readme_documents_every_field_an_item_can_have():
    text = CATALOG_README.read_text(encoding="utf-8")
    for field in rc.Activity.model_fields:
        assert f"`{field}`" in text, field


def test_items_open_to_monitoring_are_never_offered_to_a_parent_and_child(bundled):
    # A parent already holds power over a child; an item that can become monitoring
    # (a nightly mood number, shadowing a day, learning a refuge) is not closeness there.
    for a in bundled:
        if a.safety_gated or a.id in MISUSABLE:
            assert rc.Relationship.parent_child not in a.relationships, a.id


def test_every_item_with_prompts_asks_at_least_one_about_the_two_of_you(bundled):
    for a in bundled:
        if len(a.prompts) >= 3:
            assert any(about_the_pair(p) for p in a.prompts), a.id


def test_merged_ids_map_forward_to_an_item_that_exists(bundled):
    readme = CATALOG_README.read_text(encoding="utf-8")
    table = dict(re.findall(r"(?m)^\| `([a-z0-9-]+)` \| `([a-z0-9-]+)` \|$", readme))
    assert table == MERGED_INTO
    for old, new in MERGED_INTO.items():
        assert old not in bundled
        assert current_id(old) == new in bundled


@given(st.permutations(range(12)))
@settings(max_examples=15, deadline=None)
def test_restated_pairs_do_not_depend_on_the_order_of_the_items(order):
    texts = [t for c in merged_clusters()[:5] for t in c["items"]][:12]
    items = [_fixture_activity(texts[i]) for i in order]
    found = restated_pairs(items)
    expected = restated_pairs([_fixture_activity(t) for t in texts])
    assert found is not None and expected is not None
    assert {frozenset((p.first, p.second)) for p in found} == {
        frozenset((p.first, p.second)) for p in expected
    }
