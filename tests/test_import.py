"""Importing foreign activity lists through a mapping (recommender.importer)."""

from __future__ import annotations

import csv
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, get_args

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import recommender as rc
from recommender.catalog import spreadsheet_safe
from recommender.importer import (
    REVIEW_TAG,
    ActivityField,
    ImportMapping,
    import_catalog,
    load_mapping,
)
from recommender.infer import Inference, IntimacyModel

REPO = Path(__file__).resolve().parent.parent
DATASETS = REPO.parent / "shared" / "datasets"
BORED = DATASETS / "bored-activities.jsonl"
BORED_MAP = REPO / "examples" / "bored-map.yaml"

# Enough to make a valid activity from a record that only has a name.
BASE_DEFAULTS: dict[str, Any] = {
    "description": "Do it together.",
    "intimacy": {"experiential": 0.7},
    "practice": "shared_experience",
    "relationships": ["friends"],
    "depth": 1,
    "minutes": 30,
}


def mapping(fields: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """A mapping dict whose defaults make everything but ``fields`` valid."""
    defaults = {**BASE_DEFAULTS, **extra.pop("defaults", {})}
    return {"fields": {"title": "name", **fields}, "defaults": defaults, **extra}


def write_json(tmp_path: Path, records: Sequence[Any], name: str = "src.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(list(records)), encoding="utf-8")
    return path


def import_records(
    tmp_path: Path, records: Sequence[Any], fields: dict[str, Any], **kwargs: Any
) -> rc.importer.ImportResult:
    extra = {k: kwargs.pop(k) for k in ("defaults", "skip") if k in kwargs}
    return import_catalog(write_json(tmp_path, records), mapping(fields, **extra), **kwargs)


# --------------------------------------------------------------------------- transforms


def test_mapping_keys_are_exactly_the_activity_fields() -> None:
    assert set(get_args(ActivityField)) == set(rc.Activity.model_fields)


def test_a_plain_string_renames_a_source_field(tmp_path: Path) -> None:
    result = import_records(tmp_path, [{"name": "Fly a kite", "mins": 45}], {"minutes": "mins"})
    activity = result.activities["fly-a-kite"]
    assert (activity.title, activity.minutes) == ("Fly a kite", 45)


def test_a_value_table_maps_words_to_minutes(tmp_path: Path) -> None:
    records = [{"name": f"Idea {i}", "duration": d} for i, d in enumerate(["minutes", "Hours "])]
    table = {"from": "duration", "values": {"minutes": 20, "hours": 90, "days": 480}}
    result = import_records(tmp_path, records, {"minutes": table})
    assert [a.minutes for a in result.activities] == [20, 90]


def test_a_value_table_matches_numbers_and_booleans_by_value(tmp_path: Path) -> None:
    records = [
        {"name": "Idea one", "n": "1", "kids": "TRUE"},
        {"name": "Idea two", "n": 2.0, "kids": False},
    ]
    fields = {
        "novelty": {"from": "n", "values": {1: 1, 2: 3}},
        "accessible": {"from": "kids", "values": {True: True, False: False}},
    }
    result = import_records(tmp_path, records, fields)
    assert [(a.novelty, a.accessible) for a in result.activities] == [(1, True), (3, False)]


def test_yes_and_no_cells_match_boolean_table_keys(tmp_path: Path) -> None:
    path = tmp_path / "src.csv"
    path.write_text("name,online\nCall,Yes\nHike,no\n", "utf-8")
    table = {"from": "online", "values": {True: True, False: False}}
    result = import_catalog(path, mapping({"remote": table}))
    assert [a.remote for a in result.activities] == [True, False]


def test_a_value_missing_from_the_table_skips_the_row_naming_row_field_and_value(
    tmp_path: Path,
) -> None:
    records = [{"name": "Idea one", "duration": "hours"}, {"name": "Idea two", "duration": "eons"}]
    table = {"from": "duration", "values": {"minutes": 20, "hours": 90}}
    result = import_records(tmp_path, records, {"minutes": table})
    assert [a.title for a in result.activities] == ["Idea one"]
    (skipped,) = result.skipped
    assert (skipped.row, skipped.field, skipped.value) == (2, "duration", "eons")
    assert "allowed: hours, minutes" in skipped.reason
    assert not skipped.excluded


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        (True, [0, 0, 2, 2, 3]),
        ("nearest", [0, 0, 2, 2, 3]),
        ("up", [0, 1, 2, 2, 3]),
        ("down", [0, 0, 1, 1, 3]),
    ],
)
def test_scaling_maps_price_to_cost_with_each_rounding(
    tmp_path: Path, mode: bool | str, expected: list[int]
) -> None:
    prices = [0.0, 0.1, 0.5, 0.6, 1.0]
    records = [{"name": f"Idea {i}", "price": p} for i, p in enumerate(prices)]
    rule = {"from": "price", "scale": [0, 1, 0, 3], "round": mode}
    result = import_records(tmp_path, records, {"cost": rule})
    assert [a.cost for a in result.activities] == expected


def test_scaling_reads_numbers_written_as_text(tmp_path: Path) -> None:
    records = [{"name": "Idea", "price": " 0.8 "}]
    result = import_records(
        tmp_path, records, {"cost": {"from": "price", "scale": [0, 1, 0, 3], "round": True}}
    )
    assert result.activities["idea"].cost == 2


@pytest.mark.parametrize(
    ("price", "reason"),
    [
        (1.5, "outside the scale's input range 0..1"),
        ("cheap", "needs a number to scale"),
        (True, "needs a number to scale"),
    ],
)
def test_a_value_that_cannot_be_scaled_skips_the_row(
    tmp_path: Path, price: Any, reason: str
) -> None:
    records = [{"name": "Good idea", "price": 0.2}, {"name": "Bad idea", "price": price}]
    rule = {"from": "price", "scale": [0, 1, 0, 3], "round": True}
    result = import_records(tmp_path, records, {"cost": rule})
    assert [(s.row, s.field, s.value) for s in result.skipped] == [(2, "price", price)]
    assert reason in result.skipped[0].reason


def test_a_template_fills_text_from_several_fields(tmp_path: Path) -> None:
    records = [{"name": "Bake bread", "type": "cooking", "n": 2}]
    result = import_records(
        tmp_path, records, {"description": "{name}. A {type} idea for {n} {{together}}."}
    )
    assert result.activities["bake-bread"].description == (
        "Bake bread. A cooking idea for 2 {together}."
    )


def test_a_template_needing_a_missing_field_skips_the_row_naming_it(tmp_path: Path) -> None:
    records = [{"name": "Bake bread", "type": "cooking"}, {"name": "Sing", "type": ""}]
    result = import_records(tmp_path, records, {"description": "{name}: {type}."})
    assert [(s.row, s.field) for s in result.skipped] == [(2, "type")]
    assert "template needs this field" in result.skipped[0].reason


def test_ids_are_slugs_of_the_title_made_unique_and_short(tmp_path: Path) -> None:
    long_title = "Walk " + "and talk " * 12
    records = [
        {"name": "Go for a walk!"},
        {"name": "Go for a walk?"},
        {"name": "go FOR a walk"},
        {"name": long_title},
    ]
    result = import_records(tmp_path, records, {})
    ids = [a.id for a in result.activities]
    assert ids[:3] == ["go-for-a-walk", "go-for-a-walk-2", "go-for-a-walk-3"]
    assert len(ids[3]) <= 64 and ids[3].startswith("walk-and-talk") and not ids[3].endswith("-")


def test_an_id_rule_with_slug_uses_a_template(tmp_path: Path) -> None:
    records = [{"name": "Fly a kite", "key": "A17"}, {"name": "Fly a kite", "key": "A17"}]
    result = import_records(tmp_path, records, {"id": {"template": "ext {key}", "slug": True}})
    assert [a.id for a in result.activities] == ["ext-a17", "ext-a17-2"]


def test_defaults_fill_fields_the_source_lacks_and_values_it_leaves_empty(
    tmp_path: Path,
) -> None:
    records = [{"name": "Idea one", "mins": None}, {"name": "Idea two", "mins": 15}]
    result = import_records(tmp_path, records, {"minutes": "mins"}, defaults={"energy": "low"})
    assert [(a.minutes, a.energy.value) for a in result.activities] == [(30, "low"), (15, "low")]


def test_a_rule_default_applies_before_the_mapping_defaults(tmp_path: Path) -> None:
    records = [{"name": "Idea", "mins": ""}]
    result = import_records(tmp_path, records, {"minutes": {"from": "mins", "default": 45}})
    assert result.activities["idea"].minutes == 45


def test_relationships_come_from_the_first_matching_case(tmp_path: Path) -> None:
    rule = {
        "cases": [
            {"when": {"kidFriendly": False}, "value": ["romantic", "friends"]},
            {"when": {"participants": {"min": 3}}, "value": ["friends", "family"]},
            {"when": {"type": ["charity", "education"]}, "value": ["colleagues", "friends"]},
            {"value": ["romantic"]},
        ]
    }
    records = [
        {"name": "Idea a", "kidFriendly": False, "participants": 5, "type": "charity"},
        {"name": "Idea b", "kidFriendly": True, "participants": 4, "type": "charity"},
        {"name": "Idea c", "kidFriendly": True, "participants": 1, "type": "Education"},
        {"name": "Idea d", "kidFriendly": True, "participants": 1, "type": "music"},
    ]
    result = import_records(tmp_path, records, {"relationships": rule})
    assert [sorted(r.value for r in a.relationships) for a in result.activities] == [
        ["friends", "romantic"],
        ["family", "friends"],
        ["colleagues", "friends"],
        ["romantic"],
    ]


def test_a_case_can_give_text_from_a_template(tmp_path: Path) -> None:
    rule = {
        "cases": [{"when": {"n": 1}, "template": "{name}, together."}],
        "default": "A group idea.",
    }
    records = [{"name": "Read", "n": 1}, {"name": "Sing", "n": 4}]
    result = import_records(tmp_path, records, {"description": rule})
    assert [a.description for a in result.activities] == ["Read, together.", "A group idea."]


def test_tags_come_from_a_field_split_slugged_and_expanded_by_a_table(tmp_path: Path) -> None:
    records = [
        {"name": "Idea one", "cats": "Board Games; Outdoor Fun"},
        {"name": "Idea two", "type": "cooking"},
    ]
    fields = {"tags": {"from": "cats", "split": ";", "slug": True}}
    first = import_records(tmp_path, records[:1], fields)
    assert first.activities["idea-one"].tags == ("board-games", "outdoor-fun")
    table = {"from": "type", "values": {"cooking": ["cooking", "food"]}}
    second = import_records(tmp_path, records[1:], {"tags": table})
    assert second.activities["idea-two"].tags == ("cooking", "food")


def test_a_single_source_value_becomes_a_one_item_list(tmp_path: Path) -> None:
    result = import_records(
        tmp_path, [{"name": "Idea", "kind": "Music"}], {"tags": {"from": "kind", "slug": True}}
    )
    assert result.activities["idea"].tags == ("music",)


def test_nested_source_fields_are_reached_with_dots(tmp_path: Path) -> None:
    records = [{"name": "Idea", "meta": {"time": {"minutes": 75}}}]
    result = import_records(tmp_path, records, {"minutes": "meta.time.minutes"})
    assert result.activities["idea"].minutes == 75


def test_skip_rules_leave_rows_out_on_purpose_and_say_why(tmp_path: Path) -> None:
    records = [
        {"name": "Clean the garage", "type": "busywork", "n": 1},
        {"name": "Cook together", "type": "cooking", "n": 2},
    ]
    skip = [{"when": {"type": "busywork", "n": 1}, "reason": "a solo chore"}]
    result = import_records(tmp_path, records, {}, skip=skip, strict=True)
    assert [a.title for a in result.activities] == ["Cook together"]
    (skipped,) = result.skipped
    assert skipped.excluded and skipped.row == 1 and "a solo chore" in skipped.reason


# --------------------------------------------------------------------------- source formats

RECORDS = [
    {"name": "Fly a kite", "mins": "45", "kind": "play"},
    {"name": "Bake bread", "mins": "90", "kind": "cooking"},
]
FIELDS = {"minutes": "mins", "tags": {"from": "kind"}}


def _write_source(tmp_path: Path, fmt: str) -> Path:
    path = tmp_path / f"src.{fmt}"
    if fmt == "csv":
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.DictWriter(handle, fieldnames=["name", "mins", "kind"])
            writer.writeheader()
            writer.writerows(RECORDS)
    elif fmt == "json":
        path.write_text(json.dumps({"activities": RECORDS}), encoding="utf-8")
    elif fmt == "jsonl":
        path.write_text("\n".join(json.dumps(r) for r in RECORDS) + "\n\n", encoding="utf-8")
    else:
        path.write_text(yaml.safe_dump(RECORDS), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["csv", "json", "jsonl", "yaml", "yml"])
def test_every_source_format_imports_the_same_activities(tmp_path: Path, fmt: str) -> None:
    result = import_catalog(_write_source(tmp_path, fmt), mapping(FIELDS))
    assert [(a.id, a.minutes, a.tags) for a in result.activities] == [
        ("fly-a-kite", 45, ("play",)),
        ("bake-bread", 90, ("cooking",)),
    ]
    assert result.rows == (1, 2) and result.n_rows == 2


def test_a_broken_json_line_is_a_skipped_row(tmp_path: Path) -> None:
    path = tmp_path / "src.jsonl"
    path.write_text('{"name": "Fly a kite"}\n{"name": oops}\n{"name": "Sing"}\n', "utf-8")
    result = import_catalog(path, mapping({}))
    assert [a.title for a in result.activities] == ["Fly a kite", "Sing"]
    assert result.skipped_rows == (2,) and result.n_rows == 3
    assert "not valid JSON" in result.skipped[0].reason


def test_a_csv_row_with_extra_cells_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "src.csv"
    path.write_text("name,mins\nFly a kite,45\nSing,20,surprise\n", "utf-8")
    result = import_catalog(path, mapping({"minutes": "mins"}))
    assert [a.title for a in result.activities] == ["Fly a kite"]
    assert [(s.row, s.value) for s in result.skipped] == [(2, ["surprise"])]


def test_a_record_that_is_not_a_mapping_is_skipped(tmp_path: Path) -> None:
    result = import_records(tmp_path, [{"name": "Sing"}, ["not", "a", "record"]], {})
    assert result.skipped_rows == (2,)
    assert "must be a mapping" in result.skipped[0].reason


def test_an_unsupported_source_format_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "ideas.txt"
    path.write_text("Fly a kite\n", "utf-8")
    with pytest.raises(rc.CatalogError, match=r"ideas\.txt.*unsupported source format '\.txt'"):
        import_catalog(path, mapping({}))


def test_a_source_that_is_not_a_list_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "src.json"
    path.write_text('{"name": "Fly a kite"}', "utf-8")
    with pytest.raises(rc.CatalogError, match="must hold a list of records"):
        import_catalog(path, mapping({}))


def test_a_missing_source_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(rc.CatalogError, match=r"nowhere\.json: no such file"):
        import_catalog(tmp_path / "nowhere.json", mapping({}))


# --------------------------------------------------------------------------- bad mappings


def _mapping_file(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "map.yaml"
    text = document if isinstance(document, str) else yaml.safe_dump(document)
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    ("document", "pattern"),
    [
        ({"fields": {"title": "name"}, "colour": 1}, r"field 'colour': unknown field"),
        ({"fields": {"title": "name", "colour": "c"}}, r"field 'fields\.colour'.*'title'"),
        (
            {"fields": {"title": {"from": "a", "template": "{b}"}}},
            r"field 'fields\.title'.*exactly one of 'from', 'template' or 'cases'",
        ),
        (
            {"fields": {"title": "name", "cost": {"from": "p", "scale": [1, 1, 0, 3]}}},
            r"field 'fields\.cost\.scale'.*in_lo and in_hi must differ",
        ),
        (
            {"fields": {"title": "name", "cost": {"from": "p", "scale": [0, 1]}}},
            r"field 'fields\.cost\.scale'.*must be \[in_lo, in_hi, out_lo, out_hi\]",
        ),
        (
            {"fields": {"title": "name", "cost": {"from": "p", "round": "sideways"}}},
            r"field 'fields\.cost\.round'",
        ),
        (
            {"fields": {"title": "name", "cost": {"from": "p", "rounding": True}}},
            r"field 'fields\.cost\.rounding': unknown field",
        ),
        (
            {"fields": {"title": "name", "cost": {"template": "{p}", "round": True}}},
            r"field 'fields\.cost'.*'round' only apply with 'from'",
        ),
        (
            {"fields": {"title": "name", "description": "{name"}},
            r"field 'fields\.description\.template'.*unmatched '\{'",
        ),
        (
            {"fields": {"title": "name", "minutes": {"from": "d", "values": {1: 5, "1": 6}}}},
            r"field 'fields\.minutes\.values'.*same value",
        ),
        (
            {"fields": {"title": "name"}, "defaults": {"depth": 9}},
            r"field 'defaults\.depth'.*less than or equal to 5, got 9",
        ),
        (
            {"fields": {"title": "name"}, "defaults": {"contact": "affectionate"}},
            r"field 'defaults\.contact'.*never claims affectionate contact",
        ),
        (
            {"fields": {"title": "name", "practice": {"from": "p", "values": {"x": "support"}}}},
            r"field 'fields\.practice'.*never claims practice 'support'",
        ),
        ({"fields": {"title": "name"}, "skip": [{"when": {"t": 1}}]}, r"field 'skip\.0\.reason'"),
        ({"fields": {"minutes": "m"}}, r"field 'fields\.title'.*where 'title' comes from"),
        (
            {"fields": {"title": "name", "relationships": {"cases": [{"when": {"n": {}}}]}}},
            r"field 'fields\.relationships\.cases\.0",
        ),
        (["title", "name"], r"must hold a mapping with 'fields'.*got list"),
        ("fields: [unclosed\n", r"not valid YAML at line"),
    ],
)
def test_a_bad_mapping_file_is_refused_naming_the_file_and_key(
    tmp_path: Path, document: Any, pattern: str
) -> None:
    path = _mapping_file(tmp_path, document)
    with pytest.raises(rc.CatalogError, match=rf"map\.yaml: (.|\n)*{pattern}"):
        load_mapping(path)


def test_a_mapping_naming_a_field_no_row_has_is_refused(tmp_path: Path) -> None:
    source = write_json(tmp_path, [{"name": "Fly a kite", "duration": "hours"}])
    path = _mapping_file(tmp_path, mapping({"minutes": {"from": "duraton"}}))
    with pytest.raises(
        rc.CatalogError,
        match=r"map\.yaml: field 'fields\.minutes': source field 'duraton' is in no row",
    ):
        import_catalog(source, path)


def test_a_mapping_given_as_a_dict_is_validated_too(tmp_path: Path) -> None:
    source = write_json(tmp_path, [{"name": "Fly a kite"}])
    with pytest.raises(rc.CatalogError, match=r"mapping: field 'fields\.colour'"):
        import_catalog(source, {"fields": {"title": "name", "colour": "c"}})


def test_a_threshold_outside_zero_to_one_is_refused(tmp_path: Path) -> None:
    source = write_json(tmp_path, [{"name": "Fly a kite"}])
    with pytest.raises(rc.ConfigError, match=r"threshold must be a number 0\.\.1, got 1\.5"):
        import_catalog(source, mapping({}), threshold=1.5)


# --------------------------------------------------------------------------- faults and strict


BAD_ROWS = [
    {"name": "Fly a kite", "mins": 45},
    {"name": "Nap", "mins": "forever"},
    {"name": "", "mins": 20},
    {"name": "Sing", "mins": 3000},
]


def test_unmappable_rows_are_reported_with_row_field_and_value_and_skipped(
    tmp_path: Path,
) -> None:
    result = import_records(tmp_path, BAD_ROWS, {"minutes": "mins"})
    assert [a.title for a in result.activities] == ["Fly a kite"]
    assert result.skipped_rows == (2, 3, 4)
    located = {(s.row, s.field, s.value) for s in result.skipped}
    assert (2, "minutes", "forever") in located
    assert (4, "minutes", 3000) in located
    assert any(s.row == 3 and s.field == "title" for s in result.skipped)
    assert "(from 'mins')" in next(s.reason for s in result.skipped if s.row == 4)


def test_strict_raises_one_error_listing_every_unmappable_row(tmp_path: Path) -> None:
    with pytest.raises(rc.CatalogError) as caught:
        import_records(tmp_path, BAD_ROWS, {"minutes": "mins"}, strict=True)
    message = str(caught.value)
    assert "src.json: row 2: field 'minutes'" in message
    assert "src.json: row 3: field 'title'" in message
    assert "src.json: row 4: field 'minutes'" in message
    assert len(caught.value.problems) >= 3


def test_nothing_importable_is_an_error_that_shows_why(tmp_path: Path) -> None:
    with pytest.raises(rc.CatalogError, match=r"no activity could be imported from 2 rows"):
        import_records(tmp_path, BAD_ROWS[1:3], {"minutes": "mins"})


def test_an_import_never_emits_affectionate_contact_or_support(tmp_path: Path) -> None:
    records = [
        {"name": "Hold hands", "contact": "affectionate", "practice": "affection"},
        {"name": "Call a helpline", "contact": "none", "practice": "support"},
        {"name": "Walk", "contact": "casual", "practice": "shared_experience"},
    ]
    fields = {
        "contact": "contact",
        "practice": "practice",
        "relationships": {"cases": [{"value": ["romantic"]}]},
    }
    result = import_records(tmp_path, records, fields)
    assert [a.title for a in result.activities] == ["Walk"]
    assert [(s.row, s.field) for s in result.skipped] == [(1, "contact"), (2, "practice")]


def test_colleague_items_deeper_than_three_from_the_source_are_skipped(tmp_path: Path) -> None:
    records = [{"name": "Share a fear", "depth": 4}]
    fields = {"depth": "depth", "relationships": {"cases": [{"value": ["colleagues"]}]}}
    with pytest.raises(rc.CatalogError, match="colleagues must have depth <= 3, got 4"):
        import_records(tmp_path, records, fields, strict=True)


# --------------------------------------------------------------------------- inference


class FixedModel:
    """Stands in for a fitted IntimacyModel: the same guess for every text."""

    def __init__(self, confidence: float, depth: int = 2, practice: str = "listening") -> None:
        self.guess = Inference(
            intimacy={rc.IntimacyType.emotional: 0.8, rc.IntimacyType.physical: 0.2},
            practice=rc.Practice(practice),
            depth=depth,
            confidence=confidence,
        )
        self.texts: list[str] = []

    def predict(
        self, texts: Sequence[str], *, can_converse: Sequence[bool] | None = None
    ) -> list[Inference]:
        self.texts.extend(texts)
        return [self.guess] * len(texts)


def test_inference_replaces_defaults_but_never_what_the_source_gives(tmp_path: Path) -> None:
    records = [{"name": "Talk", "weights": {"intellectual": 0.9}}, {"name": "Walk"}]
    result = import_records(
        tmp_path, records, {"intimacy": "weights"}, infer=True, model=FixedModel(0.9)
    )
    talk, walk = result.activities
    assert talk.intimacy == {rc.IntimacyType.intellectual: 0.9}
    assert talk.practice is rc.Practice.listening  # not mapped, so inferred over the default
    assert walk.intimacy == FixedModel(0.9).guess.intimacy
    assert (walk.depth, result.inferred) == (2, 1)


def test_low_confidence_items_are_listed_for_review_and_tagged(tmp_path: Path) -> None:
    records = [{"name": "Walk", "kind": "play"}]
    result = import_records(
        tmp_path,
        records,
        {"tags": {"from": "kind"}},
        infer=True,
        threshold=0.6,
        model=FixedModel(0.4),
    )
    (item,) = result.review
    assert (item.id, item.row, item.confidence) == ("walk", 1, 0.4)
    assert item.strongest_type is rc.IntimacyType.emotional
    assert result.activities["walk"].tags == ("play", REVIEW_TAG)


def test_confident_items_are_not_listed_for_review(tmp_path: Path) -> None:
    result = import_records(
        tmp_path, [{"name": "Walk"}], {}, infer=True, threshold=0.6, model=FixedModel(0.6)
    )
    assert result.review == ()
    assert REVIEW_TAG not in result.activities["walk"].tags


def test_inferred_depth_is_capped_at_three_for_colleagues(tmp_path: Path) -> None:
    relationships = {
        "cases": [
            {"when": {"team": True}, "value": ["colleagues", "friends"]},
            {"value": ["friends"]},
        ]
    }
    records = [{"name": "Share", "team": True}, {"name": "Open up", "team": False}]
    result = import_records(
        tmp_path,
        records,
        {"relationships": relationships},
        infer=True,
        model=FixedModel(0.9, depth=5),
    )
    assert [a.depth for a in result.activities] == [3, 5]


def test_template_words_every_row_shares_are_not_shown_to_the_model(tmp_path: Path) -> None:
    records = [{"name": f"Idea number {i}"} for i in range(12)]
    model = FixedModel(0.9)
    import_records(
        tmp_path, records, {"description": "{name}, from the Bored list."}, infer=True, model=model
    )
    assert model.texts and not any("bored" in t for t in model.texts)


def test_an_unfitted_model_is_refused(tmp_path: Path) -> None:
    with pytest.raises(rc.NotFittedError, match="not fitted yet"):
        import_records(tmp_path, [{"name": "Walk"}], {}, infer=True, model=IntimacyModel())


# --------------------------------------------------------------------------- invariants

_cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 3000),
    st.floats(-1, 2, allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["minutes", "hours", "days", "Fly a kite", "affectionate", "casual"]),
)
_records = st.lists(
    st.fixed_dictionaries(
        {"name": _cells, "price": _cells, "duration": _cells, "touch": _cells, "kids": _cells}
    ),
    min_size=1,
    max_size=8,
)
FUZZ_MAPPING = mapping(
    {
        "cost": {"from": "price", "scale": [0, 1, 0, 3], "round": True},
        "minutes": {"from": "duration", "values": {"minutes": 20, "hours": 90, "days": 480}},
        "contact": "touch",
        "relationships": {
            "cases": [
                {"when": {"kids": True}, "value": ["family", "colleagues"]},
                {"value": ["romantic"]},
            ]
        },
    },
    defaults={"depth": 3},
)


@settings(max_examples=60, deadline=None)
@given(_records)
def test_every_row_is_imported_or_reported_and_every_import_is_valid(
    tmp_path_factory: pytest.TempPathFactory, records: list[dict[str, Any]]
) -> None:
    source = write_json(tmp_path_factory.mktemp("fuzz"), records)
    try:
        result = import_catalog(source, FUZZ_MAPPING)
    except rc.CatalogError as exc:
        failure = str(exc)
    else:
        failure = ""
    if failure:
        # Only when every row failed, and then it says so.
        assert "no activity could be imported" in failure
        return
    assert set(result.rows).isdisjoint(result.skipped_rows)
    assert sorted({*result.rows, *result.skipped_rows}) == list(range(1, len(records) + 1))
    assert len({a.id for a in result.activities}) == len(result.activities)
    for activity in result.activities:
        assert rc.Activity.model_validate(activity.model_dump()) == activity
        assert activity.contact is not rc.Contact.affectionate
        assert activity.practice is not rc.Practice.support


# --------------------------------------------------------------------------- CSV export


def test_csv_export_escapes_formula_cells_and_round_trips(tmp_path: Path) -> None:
    risky = rc.Activity(
        id="formula-like",
        title='=HYPERLINK("http://example.invalid")',
        description="+1 idea for a rainy day",
        intimacy={"experiential": 0.7},
        practice="shared_experience",
        relationships={"friends"},
        depth=1,
        minutes=30,
        steps=("-5 minutes of warm-up", "@home: set the table", "plain step"),
    )
    plain = risky.model_copy(
        update={"id": "plain-one", "title": "Walk", "description": "Walk.", "steps": ("Walk",)}
    )
    path = rc.save_catalog([risky, plain], tmp_path / "out.csv")
    with path.open(newline="", encoding="utf-8") as handle:
        rows = {row["id"]: row for row in csv.DictReader(handle)}
    escaped = rows["formula-like"]
    assert escaped["title"] == '\'=HYPERLINK("http://example.invalid")'
    assert escaped["description"] == "'+1 idea for a rainy day"
    assert escaped["steps"].startswith("'-5 minutes")
    for row in rows.values():
        assert all(not cell or cell[0] not in "=+-@" for cell in row.values())
    assert spreadsheet_safe("@x") == "'@x" and spreadsheet_safe("plain") == "plain"

    loaded = rc.load_catalog(path)
    assert loaded["plain-one"] == plain
    back = loaded["formula-like"]
    # The quote is for spreadsheets; the text behind it must come back intact.
    assert back.title.removeprefix("'") == risky.title
    assert back.description.removeprefix("'") == risky.description
    assert [s.removeprefix("'") for s in back.steps] == list(risky.steps)
    assert (
        back.model_copy(
            update={"title": risky.title, "description": risky.description, "steps": risky.steps}
        )
        == risky
    )


# --------------------------------------------------------------------------- the Bored dataset

needs_datasets = pytest.mark.skipif(
    not BORED.is_file(), reason=f"the shared datasets folder is absent ({DATASETS})"
)


@pytest.fixture(scope="module")
def bored_model() -> IntimacyModel:
    return IntimacyModel().fit(rc.default_catalog())


@pytest.fixture(scope="module")
def bored_import(bored_model: IntimacyModel) -> rc.importer.ImportResult:
    return import_catalog(BORED, BORED_MAP, infer=True, model=bored_model)


def test_the_bored_mapping_is_valid() -> None:
    loaded = load_mapping(BORED_MAP)
    assert {"title", "minutes", "cost", "relationships"} <= set(loaded.fields)


@needs_datasets
def test_the_bored_dataset_imports_into_a_valid_catalogue_a_recommender_uses(
    bored_import: rc.importer.ImportResult, tmp_path: Path
) -> None:
    result = bored_import
    assert result.n_rows == 196
    # Every row is accounted for: imported, or left out with a reason.
    assert sorted({*result.rows, *result.skipped_rows}) == list(range(1, 197))
    assert all(s.excluded for s in result.skipped), [str(s) for s in result.skipped]
    assert len(result.activities) >= 150
    out = rc.save_catalog(result.activities, tmp_path / "bored.yaml")
    catalog = rc.load_catalog(out)
    assert list(catalog) == list(result.activities)

    model = rc.Recommender().fit(catalog)
    ana = rc.load_profile(REPO / "examples" / "ana.yaml")
    ben = rc.load_profile(REPO / "examples" / "ben.yaml")
    for relationship in rc.Relationship:
        ctx = rc.PairContext(relationship=relationship, minutes=120)
        top = model.recommend(ana, ben, ctx, k=5)
        assert top, relationship
        assert all(relationship in s.activity.relationships for s in top)


@needs_datasets
def test_the_bored_import_keeps_the_content_rules(bored_import: rc.importer.ImportResult) -> None:
    for activity in bored_import.activities:
        assert activity.contact is not rc.Contact.affectionate
        assert activity.practice is not rc.Practice.support
        if rc.Relationship.colleagues in activity.relationships:
            assert activity.depth <= 3 and activity.contact is rc.Contact.none


@needs_datasets
def test_the_bored_import_turns_solo_ideas_into_shared_ones_and_leaves_out_chores(
    bored_import: rc.importer.ImportResult,
) -> None:
    records = [json.loads(line) for line in BORED.read_text("utf-8").splitlines() if line.strip()]
    by_row = dict(zip(bored_import.rows, bored_import.activities, strict=True))
    for row, record in enumerate(records, start=1):
        if record["participants"] == 1 and row in by_row:
            assert "together rather than alone" in by_row[row].description
        if record["type"] == "busywork" and record["participants"] == 1:
            assert row in bored_import.skipped_rows
    express = next(a for a in bored_import.activities if a.title == "Learn Express.js")
    assert express.minutes == 90 and express.cost == 1 and express.accessible


@needs_datasets
def test_the_bored_import_lists_low_confidence_items_for_review(
    bored_import: rc.importer.ImportResult,
) -> None:
    assert bored_import.inferred == len(bored_import.activities)
    flagged = {item.id for item in bored_import.review}
    for activity in bored_import.activities:
        assert (REVIEW_TAG in activity.tags) == (activity.id in flagged)
    assert all(item.confidence < 0.5 for item in bored_import.review)


@needs_datasets
def test_the_imported_bored_catalogue_survives_a_csv_round_trip(
    bored_import: rc.importer.ImportResult, tmp_path: Path
) -> None:
    path = rc.save_catalog(bored_import.activities, tmp_path / "bored.csv")
    assert list(rc.load_catalog(path)) == list(bored_import.activities)


def test_import_mapping_models_refuse_unknown_keys() -> None:
    with pytest.raises(ValueError, match="Extra inputs are not permitted"):
        ImportMapping.model_validate({"fields": {}, "colour": 1})
