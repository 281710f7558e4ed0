"""Catalogue and profile files: every format, folders, round trips and every kind of bad input."""

from __future__ import annotations

import json
import os
import re
import stat
import tempfile
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

import recommender as rc
from tests.conftest import make_activity

FORMATS = ["yaml", "yml", "json", "jsonl", "csv"]


def record(activity_id: str = "walk-together", **overrides: Any) -> dict[str, Any]:
    """A valid activity as a plain JSON-ready mapping (what a catalogue file holds)."""
    fields = make_activity(activity_id).model_dump(mode="json")
    fields["relationships"] = sorted(fields["relationships"])
    fields.update(overrides)
    return fields


def write_yaml(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump(records, sort_keys=False), encoding="utf-8")
    return path


def write_json(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(json.dumps(records), encoding="utf-8")
    return path


#: The columns every CSV catalogue needs, and one valid row for them.
CSV_COLUMNS = "id,title,description,practice,relationships,depth,minutes"
CSV_CELLS = "run-a-lap,Run a lap,Run around the park.,shared_experience,friends,1,10"


def write_csv(path: Path, *lines: str) -> Path:
    """Write CSV ``lines`` (the header first) as a file."""
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


def problem_lines(exc: pytest.ExceptionInfo[rc.CatalogError]) -> list[str]:
    return str(exc.value).splitlines()


# --------------------------------------------------------------------------- formats


def test_yaml_list_of_activities_loads(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "mine.yaml", [record("walk-together"), record("cook-dinner")])
    catalog = rc.load_catalog(path)
    assert catalog.ids == ("walk-together", "cook-dinner")
    assert catalog["cook-dinner"] == make_activity("cook-dinner")


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".YAML"])
def test_yaml_mapping_with_an_activities_list_loads(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"mine{suffix}"
    path.write_text(yaml.safe_dump({"version": 1, "activities": [record("cook-dinner")]}))
    assert rc.load_catalog(path).ids == ("cook-dinner",)


def test_yaml_is_read_with_the_safe_loader(tmp_path: Path) -> None:
    path = tmp_path / "evil.yaml"
    path.write_text("- !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(rc.CatalogError, match=r"evil\.yaml: not valid YAML.*python/object"):
        rc.load_catalog(path)


def test_json_list_and_json_mapping_both_load(tmp_path: Path) -> None:
    as_list = write_json(tmp_path / "list.json", [record("cook-dinner")])
    as_mapping = tmp_path / "mapping.json"
    as_mapping.write_text(json.dumps({"activities": [record("cook-dinner")]}))
    assert rc.load_catalog(as_list) == rc.load_catalog(as_mapping)


def test_json_lines_load_one_activity_per_line_skipping_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "mine.jsonl"
    lines = [json.dumps(record("walk-together")), "", "   ", json.dumps(record("cook-dinner"))]
    path.write_text("\n".join(lines) + "\n")
    assert rc.load_catalog(path).ids == ("walk-together", "cook-dinner")


def test_csv_rows_load_with_lists_intimacy_columns_and_booleans(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "mine.csv",
        f"{CSV_COLUMNS},tags,remote,accessible,prompts,intimacy.emotional,intimacy.physical",
        "ask-three,Ask three questions,Take turns asking.,conversation,friends; family,2,20,"
        "talk;questions,yes,TRUE,What made you laugh?;What worried you?;Who helped you?,0.9,0.1",
    )
    activity = rc.load_catalog(path)["ask-three"]
    assert activity.relationships == {rc.Relationship.friends, rc.Relationship.family}
    assert activity.tags == ("talk", "questions")
    assert activity.prompts == ("What made you laugh?", "What worried you?", "Who helped you?")
    assert activity.intimacy == {rc.IntimacyType.emotional: 0.9, rc.IntimacyType.physical: 0.1}
    assert (activity.depth, activity.minutes) == (2, 20)
    assert activity.remote is True
    assert activity.accessible is True


@pytest.mark.parametrize(
    ("cell", "expected"),
    [("true", True), ("yes", True), ("1", True), ("False", False), ("no", False), ("0", False)],
)
def test_csv_booleans_accept_true_false_yes_no_one_zero(
    tmp_path: Path, cell: str, expected: bool
) -> None:
    path = write_csv(
        tmp_path / "mine.csv",
        f"{CSV_COLUMNS},remote,intimacy.experiential",
        f"{CSV_CELLS},{cell},0.8",
    )
    assert rc.load_catalog(path)["run-a-lap"].remote is expected


def test_empty_csv_cells_mean_the_value_is_not_given(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "mine.csv",
        f"{CSV_COLUMNS},cost,energy,tags,intimacy.experiential,intimacy.physical",
        f"{CSV_CELLS},, ,,0.8,",
    )
    activity = rc.load_catalog(path)["run-a-lap"]
    assert activity.cost == 0
    assert activity.energy is rc.Energy.medium
    assert activity.tags == ()
    assert activity.intimacy == {rc.IntimacyType.experiential: 0.8}


def test_a_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    text = f"{CSV_COLUMNS},intimacy.experiential\n{CSV_CELLS},0.8\n"
    (tmp_path / "bom.csv").write_bytes(b"\xef\xbb\xbf" + text.encode())
    (tmp_path / "bom.json").write_bytes(b"\xef\xbb\xbf" + json.dumps([record()]).encode())
    (tmp_path / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + yaml.safe_dump([record()]).encode())
    assert rc.load_catalog(tmp_path / "bom.csv").ids == ("run-a-lap",)
    assert rc.load_catalog(tmp_path / "bom.json").ids == ("walk-together",)
    assert rc.load_catalog(tmp_path / "bom.yaml").ids == ("walk-together",)


def test_the_loader_accepts_str_paths(tmp_path: Path) -> None:
    path = write_json(tmp_path / "mine.json", [record()])
    assert rc.load_catalog(str(path)).ids == ("walk-together",)


# --------------------------------------------------------------------------- folders


def test_a_folder_loads_every_catalogue_file_in_sorted_path_order(tmp_path: Path) -> None:
    write_json(tmp_path / "b.json", [record("b-first")])
    write_yaml(tmp_path / "a.yaml", [record("a-first"), record("a-second")])
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.jsonl").write_text(json.dumps(record("c-first")) + "\n")
    write_csv(
        tmp_path / "d.csv",
        f"{CSV_COLUMNS},intimacy.physical",
        "d-first,Dance in the kitchen,Put on a song and dance.,affection,romantic,1,5,0.9",
    )
    (tmp_path / "README.md").write_text("# not a catalogue\n")
    assert rc.load_catalog(tmp_path).ids == ("a-first", "a-second", "b-first", "d-first", "c-first")


def test_hidden_files_and_folders_are_skipped(tmp_path: Path) -> None:
    write_yaml(tmp_path / "visible.yaml", [record("visible")])
    write_yaml(tmp_path / ".hidden.yaml", [record("hidden-file")])
    (tmp_path / ".drafts").mkdir()
    write_yaml(tmp_path / ".drafts" / "draft.yaml", [record("hidden-folder")])
    (tmp_path / ".broken.json").write_text("{not json")
    assert rc.load_catalog(tmp_path).ids == ("visible",)


def test_a_symlinked_folder_is_not_followed(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    write_yaml(elsewhere / "linked.yaml", [record("linked")])
    folder = tmp_path / "catalogue"
    folder.mkdir()
    write_yaml(folder / "own.yaml", [record("own")])
    (folder / "link").symlink_to(elsewhere, target_is_directory=True)
    assert rc.load_catalog(folder).ids == ("own",)


def test_duplicate_ids_across_two_files_name_both_places(tmp_path: Path) -> None:
    first = write_yaml(tmp_path / "a.yaml", [record("walk-together")])
    second = write_yaml(tmp_path / "b.yaml", [record("cook-dinner"), record("walk-together")])
    with pytest.raises(rc.CatalogError, match="duplicate id") as exc:
        rc.load_catalog(tmp_path)
    (line,) = problem_lines(exc)
    assert line.startswith(f"{second}: activity 'walk-together' (item 2): field 'id'")
    assert f"first used by {first} activity 'walk-together' (item 1)" in line
    assert line.endswith("got 'walk-together'")


def test_a_folder_without_catalogue_files_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello")
    write_yaml(tmp_path / ".hidden.yaml", [record()])
    with pytest.raises(
        rc.CatalogError, match=rf"{re.escape(str(tmp_path))}: folder holds no catalogue files"
    ):
        rc.load_catalog(tmp_path)


def test_problems_in_several_files_of_a_folder_are_all_reported(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("[{")
    write_yaml(tmp_path / "b.yaml", [record(depth=9)])
    (tmp_path / "c.yaml").write_bytes(b"- id: caf\xe9\n")
    with pytest.raises(rc.CatalogError, match="not valid JSON") as exc:
        rc.load_catalog(tmp_path)
    lines = problem_lines(exc)
    assert len(lines) == 3
    assert sorted(line.split(":")[0] for line in lines) == [
        str(tmp_path / name) for name in ("a.json", "b.yaml", "c.yaml")
    ]


# --------------------------------------------------------------------------- bad input


def test_malformed_yaml_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- id: walk\n  title: [unclosed\n")
    with pytest.raises(rc.CatalogError, match=rf"{re.escape(str(path))}: not valid YAML at line 3"):
        rc.load_catalog(path)


def test_malformed_json_names_the_file_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"id": "walk",}\n]')
    with pytest.raises(
        rc.CatalogError, match=rf"{re.escape(str(path))}: not valid JSON at line 2, column 17"
    ):
        rc.load_catalog(path)


def test_malformed_json_lines_are_each_reported(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(json.dumps(record()) + "\nnot json\n{\n")
    with pytest.raises(rc.CatalogError, match="line 2 is not valid JSON") as exc:
        rc.load_catalog(path)
    assert problem_lines(exc) == [
        f"{path}: line 2 is not valid JSON: Expecting value",
        f"{path}: line 3 is not valid JSON: Expecting property name enclosed in double quotes",
    ]


def test_malformed_csv_names_the_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("id,title\nwalk,a bare\rcarriage return\n")
    with pytest.raises(rc.CatalogError, match=rf"{re.escape(str(path))}: not valid CSV at line \d"):
        rc.load_catalog(path)


def test_a_csv_row_with_more_cells_than_the_header_is_reported(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bad.csv", f"{CSV_COLUMNS},intimacy.experiential", f"{CSV_CELLS},0.8,stray"
    )
    with pytest.raises(rc.CatalogError, match=r"unknown field") as exc:
        rc.load_catalog(path)
    assert problem_lines(exc) == [
        f"{path}: activity 'run-a-lap' (item 1): field '(extra cells)': "
        "unknown field (not part of the schema), got ['stray']"
    ]


def test_a_csv_boolean_that_is_not_one_names_field_and_value(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        f"{CSV_COLUMNS},remote,intimacy.experiential",
        f"{CSV_CELLS},maybe,0.8",
    )
    with pytest.raises(
        rc.CatalogError, match=r"activity 'run-a-lap' \(item 1\): field 'remote': .*got 'maybe'"
    ):
        rc.load_catalog(path)


def test_an_unknown_csv_intimacy_column_names_the_type(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "bad.csv", f"{CSV_COLUMNS},intimacy.sexual", f"{CSV_CELLS},0.9")
    with pytest.raises(
        rc.CatalogError, match=r"field 'intimacy.sexual': Input should be 'physical'.*got 'sexual'"
    ):
        rc.load_catalog(path)


def test_csv_rows_report_each_bad_row_by_position(tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "bad.csv",
        f"{CSV_COLUMNS},intimacy.experiential",
        f"{CSV_CELLS},0.8",
        "second-row,Second,Row two.,shared_experience,friends,9,10,0.8",
        ",Third,Row three.,shared_experience,friends,1,10,0.8",
    )
    with pytest.raises(rc.CatalogError, match="second-row") as exc:
        rc.load_catalog(path)
    assert problem_lines(exc) == [
        f"{path}: activity 'second-row' (item 2): field 'depth': "
        "Input should be less than or equal to 5, got 9",
        f"{path}: item 3: field 'id': Field required",
    ]


def test_an_unknown_field_names_file_item_field_and_value(tmp_path: Path) -> None:
    path = write_json(tmp_path / "bad.json", [record(colour="red")])
    with pytest.raises(rc.CatalogError) as exc:
        rc.load_catalog(path)
    assert problem_lines(exc) == [
        f"{path}: activity 'walk-together' (item 1): field 'colour': "
        "unknown field (not part of the schema), got 'red'"
    ]


def test_a_wrong_type_names_file_item_field_and_value(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "bad.yaml", [record(), record("cook-dinner", minutes="an hour")])
    with pytest.raises(
        rc.CatalogError,
        match=rf"^{re.escape(str(path))}: activity 'cook-dinner' \(item 2\): field 'minutes': "
        r"Input should be a valid integer.*got 'an hour'$",
    ):
        rc.load_catalog(path)


def test_an_out_of_range_value_names_file_item_field_and_value(tmp_path: Path) -> None:
    path = write_json(tmp_path / "bad.json", [record(depth=7, relationships=["friends"])])
    with pytest.raises(
        rc.CatalogError,
        match=rf"^{re.escape(str(path))}: activity 'walk-together' \(item 1\): field 'depth': "
        r"Input should be less than or equal to 5, got 7$",
    ):
        rc.load_catalog(path)


def test_a_broken_catalogue_rule_names_the_item(tmp_path: Path) -> None:
    path = write_yaml(tmp_path / "bad.yaml", [record(contact="affectionate")])
    with pytest.raises(
        rc.CatalogError,
        match=rf"{re.escape(str(path))}: activity 'walk-together' \(item 1\): "
        r"contact 'affectionate' is only allowed",
    ):
        rc.load_catalog(path)


def test_an_item_without_an_id_is_named_by_position(tmp_path: Path) -> None:
    nameless = record()
    del nameless["id"]
    path = write_json(tmp_path / "bad.json", [record(), nameless])
    with pytest.raises(rc.CatalogError, match=r"bad\.json: item 2: field 'id': Field required$"):
        rc.load_catalog(path)


def test_items_that_are_not_mappings_are_named_by_position(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("- 3\n- just words\n")
    with pytest.raises(rc.CatalogError, match="must be a mapping") as exc:
        rc.load_catalog(path)
    assert problem_lines(exc) == [
        f"{path}: item 1: an activity must be a mapping, got int",
        f"{path}: item 2: an activity must be a mapping, got str",
    ]


@pytest.mark.parametrize("document", ["just a sentence", "{title: no list here}", "42"])
def test_a_document_that_is_not_a_list_of_activities_is_rejected(
    tmp_path: Path, document: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(document + "\n")
    with pytest.raises(
        rc.CatalogError, match=rf"{re.escape(str(path))}: a catalogue file must hold a list"
    ):
        rc.load_catalog(path)


def test_all_problems_of_a_file_are_reported_at_once(tmp_path: Path) -> None:
    records = [
        record("first", depth=9),
        record("fine"),
        record("second", minutes=0),
        record("third", cost=-1),
    ]
    path = write_json(tmp_path / "bad.json", records)
    with pytest.raises(rc.CatalogError) as exc:
        rc.load_catalog(path)
    lines = problem_lines(exc)
    assert len(lines) == len(exc.value.problems) == 3
    assert [(p.item, p.field, p.value) for p in exc.value.problems] == [
        ("activity 'first' (item 1)", "depth", 9),
        ("activity 'second' (item 3)", "minutes", 0),
        ("activity 'third' (item 4)", "cost", -1),
    ]
    assert all(line.startswith(f"{path}: activity '") for line in lines)


def test_several_problems_in_one_item_are_all_reported(tmp_path: Path) -> None:
    path = write_json(tmp_path / "bad.json", [record(depth=0, minutes=2000, colour="red")])
    with pytest.raises(rc.CatalogError) as exc:
        rc.load_catalog(path)
    assert sorted(p.field or "" for p in exc.value.problems) == ["colour", "depth", "minutes"]


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("empty.yaml", ""),
        ("blank.json", "  \n\n"),
        ("list.yaml", "[]\n"),
        ("mapping.json", '{"activities": []}'),
        ("header-only.csv", "id,title\n"),
        ("comment.yaml", "# nothing yet\n"),
    ],
)
def test_an_empty_catalogue_is_an_error(tmp_path: Path, name: str, content: str) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(rc.CatalogError, match=rf"{re.escape(str(path))}: the catalogue is empty"):
        rc.load_catalog(path)


def test_a_missing_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    with pytest.raises(rc.CatalogError, match=rf"{re.escape(str(path))}: no such file or folder"):
        rc.load_catalog(path)


def test_non_utf8_bytes_are_an_error(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("- id: café\n".encode("latin-1"))
    with pytest.raises(
        rc.CatalogError,
        match=rf"{re.escape(str(path))}: is not UTF-8 text \(bad byte at offset 9\)",
    ):
        rc.load_catalog(path)


def test_a_binary_file_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "picture.json"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
    with pytest.raises(rc.CatalogError, match=rf"{re.escape(str(path))}: is a binary file"):
        rc.load_catalog(path)


@pytest.mark.parametrize("name", ["activities.txt", "activities.xml", "activities"])
def test_an_unsupported_extension_is_an_error(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_text("hello")
    with pytest.raises(
        rc.CatalogError, match=r"unsupported catalogue format .*use one of .yaml, .yml, .json"
    ):
        rc.load_catalog(path)


def test_catalog_errors_are_value_errors_and_recommender_errors(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no such file") as exc:
        rc.load_catalog(tmp_path / "nowhere.json")
    assert isinstance(exc.value, rc.RecommenderError)


# --------------------------------------------------------------------------- saving


def _catalog_with_every_field() -> rc.Catalog:
    return rc.Catalog(
        activities=[
            make_activity(
                "ask-three-questions",
                title="Ask each other three questions, then swap",
                description='Sit down, "take turns", and listen.\nNo phones, please — café talk.',
                intimacy={"emotional": 0.9, "intellectual": 0.6, "physical": 0.0},
                practice="conversation",
                tags=["talk", "questions"],
                relationships=["friends", "family"],
                depth=3,
                minutes=45,
                cost=1,
                energy="low",
                setting="indoor",
                remote=True,
                contact="casual",
                accessible=True,
                novelty=3,
                steps=["Pick a quiet spot.", "Take turns, slowly."],
                prompts=["What made you laugh?", "What worried you?", "What are you proud of?"],
            ),
            make_activity(
                "hold-hands-on-a-walk",
                relationships=["romantic"],
                contact="affectionate",
                intimacy={"physical": 1.0},
                energy="high",
                setting="outdoor",
            ),
            make_activity("plan-a-volunteer-day", relationships=["colleagues"], cost=3),
        ]
    )


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_saved_catalogue_loads_back_equal(tmp_path: Path, fmt: str) -> None:
    catalog = _catalog_with_every_field()
    path = rc.save_catalog(catalog, tmp_path / f"saved.{fmt}")
    assert path == tmp_path / f"saved.{fmt}"
    assert rc.load_catalog(path) == catalog


@pytest.mark.parametrize("fmt", ["yaml", "json", "jsonl"])
def test_the_bundled_catalogue_survives_a_round_trip(
    bundled: rc.Catalog, tmp_path: Path, fmt: str
) -> None:
    path = rc.save_catalog(bundled, tmp_path / f"bundled.{fmt}")
    assert rc.load_catalog(path) == bundled


def test_save_accepts_any_iterable_of_activities(tmp_path: Path) -> None:
    activities = [make_activity("walk-together"), make_activity("cook-dinner")]
    path = rc.save_catalog(iter(activities), tmp_path / "two.json")
    assert list(rc.load_catalog(path)) == activities


@pytest.mark.parametrize("fmt", FORMATS)
def test_saving_leaves_no_temporary_files_behind(tmp_path: Path, fmt: str) -> None:
    target = tmp_path / f"saved.{fmt}"
    target.write_text("old content")
    rc.save_catalog(_catalog_with_every_field(), target)
    assert [p.name for p in tmp_path.iterdir()] == [target.name]
    assert target.read_text() != "old content"


def test_a_failed_save_keeps_the_old_file_and_cleans_up(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = write_json(tmp_path / "saved.json", [record()])
    before = target.read_bytes()

    def refuse(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", refuse)
    with pytest.raises(OSError, match="No space left"):
        rc.save_catalog(_catalog_with_every_field(), target)
    monkeypatch.undo()
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["saved.json"]


def test_saving_creates_missing_parent_folders(tmp_path: Path) -> None:
    path = rc.save_catalog(_catalog_with_every_field(), tmp_path / "new" / "folder" / "c.yaml")
    assert rc.load_catalog(path) == _catalog_with_every_field()


def test_saving_to_an_unsupported_extension_is_an_error_and_writes_nothing(tmp_path: Path) -> None:
    with pytest.raises(rc.CatalogError, match=r"saved\.txt: unsupported catalogue format '\.txt'"):
        rc.save_catalog(_catalog_with_every_field(), tmp_path / "saved.txt")
    assert list(tmp_path.iterdir()) == []


def test_a_saved_folder_of_mixed_formats_loads_back_in_order(tmp_path: Path) -> None:
    activities = list(_catalog_with_every_field())
    for activity, fmt in zip(activities, ["csv", "jsonl", "yaml"]):
        rc.save_catalog([activity], tmp_path / f"{activity.id}.{fmt}")
    assert list(rc.load_catalog(tmp_path)) == sorted(activities, key=lambda a: a.id)


# Text for the round trips: any letters, marks, numbers, punctuation and symbols,
# including the CSV list separator and characters spreadsheets treat as formulas.
_file_safe_text = st.characters(codec="utf-8", categories=["L", "M", "N", "P", "S", "Zs"])


def _text(alphabet: st.SearchStrategy[str], max_size: int) -> st.SearchStrategy[str]:
    return st.text(alphabet, min_size=1, max_size=max_size).map(str.strip).filter(lambda s: s != "")


@st.composite
def file_activities(draw: st.DrawFn, alphabet: st.SearchStrategy[str]) -> rc.Activity:
    """A valid activity whose text the given alphabet draws."""
    practice = draw(st.sampled_from(list(rc.Practice)))
    intimacy = draw(
        st.dictionaries(st.sampled_from(list(rc.IntimacyType)), st.floats(0.0, 1.0), max_size=5)
    )
    intimacy[draw(st.sampled_from(list(rc.IntimacyType)))] = draw(st.floats(0.5, 1.0))
    min_prompts = 3 if practice is rc.Practice.conversation else 0
    return make_activity(
        draw(st.from_regex(r"[a-z0-9][a-z0-9-]{1,30}", fullmatch=True)),
        title=draw(_text(alphabet, 120)),
        description=draw(_text(alphabet, 200)),
        intimacy=intimacy,
        practice=practice,
        tags=draw(st.lists(st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True), max_size=3)),
        relationships=draw(st.sets(st.sampled_from(["romantic", "friends", "family"]), min_size=1)),
        depth=draw(st.integers(1, 5)),
        minutes=draw(st.integers(1, 1440)),
        cost=draw(st.integers(0, 3)),
        energy=draw(st.sampled_from(list(rc.Energy))),
        setting=draw(st.sampled_from(list(rc.Setting))),
        remote=draw(st.booleans()),
        contact=draw(st.sampled_from(["none", "casual"])),
        accessible=draw(st.booleans()),
        novelty=draw(st.integers(1, 3)),
        steps=draw(st.lists(_text(alphabet, 60), max_size=3)),
        prompts=draw(st.lists(_text(alphabet, 60), min_size=min_prompts, max_size=4)),
    )


def _unique_ids(activities: list[rc.Activity]) -> bool:
    return len({a.id for a in activities}) == len(activities)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(file_activities(_file_safe_text), min_size=1, max_size=4).filter(_unique_ids),
    st.sampled_from(["yaml", "json", "jsonl"]),
)
def test_any_catalogue_survives_a_yaml_json_or_jsonl_round_trip(
    activities: list[rc.Activity], fmt: str
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = rc.save_catalog(activities, Path(folder) / f"c.{fmt}")
        assert list(rc.load_catalog(path)) == activities


@settings(max_examples=40, deadline=None)
@given(st.lists(file_activities(_file_safe_text), min_size=1, max_size=4).filter(_unique_ids))
def test_any_catalogue_survives_a_csv_round_trip(
    activities: list[rc.Activity],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = rc.save_catalog(activities, Path(folder) / "c.csv")
        assert list(rc.load_catalog(path)) == activities


def test_csv_round_trip_keeps_semicolons_inside_steps(tmp_path: Path) -> None:
    activity = make_activity(steps=["Take turns; skip anything you want to."])
    path = rc.save_catalog([activity], tmp_path / "c.csv")
    assert rc.load_catalog(path)["walk-together"].steps == activity.steps


def test_csv_round_trip_keeps_text_that_starts_like_a_formula(tmp_path: Path) -> None:
    activity = make_activity(description="-5 degrees outside? Walk anyway.")
    path = rc.save_catalog([activity], tmp_path / "c.csv")
    assert rc.load_catalog(path)["walk-together"].description == activity.description


def test_csv_round_trip_keeps_a_line_break(tmp_path: Path) -> None:
    activity = make_activity(description="First line\nsecond line")
    path = rc.save_catalog([activity], tmp_path / "c.csv")
    assert rc.load_catalog(path)["walk-together"].description == activity.description


def test_json_lines_round_trip_keeps_a_unicode_line_separator(tmp_path: Path) -> None:
    activity = make_activity(description="First line\u2028second line")
    path = rc.save_catalog([activity], tmp_path / "c.jsonl")
    assert rc.load_catalog(path)["walk-together"].description == activity.description


# --------------------------------------------------------------------------- bundled catalogue


def test_the_bundled_catalogue_path_exists_and_holds_catalogue_files() -> None:
    path = rc.default_catalog_path()
    assert path.is_dir()
    assert any(p.suffix in {".yaml", ".yml"} for p in path.iterdir())


def test_the_bundled_catalogue_loads_once_per_process(bundled: rc.Catalog) -> None:
    assert rc.default_catalog() is bundled
    assert len(bundled) > 0
    assert len(set(bundled.ids)) == len(bundled)


# --------------------------------------------------------------------------- profiles


def _full_profile() -> rc.PersonProfile:
    return rc.PersonProfile(
        name="Zoë",
        intimacy={"emotional": 0.9, "physical": 0.0},
        interests=["cooking", "board games"],
        avoid=["heights"],
        max_depth=4,
        budget=0,
        energy="low",
        max_contact="casual",
        limited_mobility=True,
    )


@pytest.mark.parametrize("suffix", [".yaml", ".yml", ".json"])
def test_a_saved_profile_loads_back_equal(tmp_path: Path, suffix: str) -> None:
    for profile in (_full_profile(), rc.PersonProfile(name="Ben")):
        path = rc.save_profile(profile, tmp_path / f"person{suffix}")
        assert rc.load_profile(path) == profile


def test_a_json_profile_is_written_as_json(tmp_path: Path) -> None:
    path = rc.save_profile(_full_profile(), tmp_path / "zoe.json")
    assert json.loads(path.read_text(encoding="utf-8"))["name"] == "Zoë"


def test_a_profile_file_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = rc.save_profile(_full_profile(), tmp_path / "zoe.yaml")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_overwriting_a_world_readable_profile_makes_it_private(tmp_path: Path) -> None:
    path = tmp_path / "zoe.yaml"
    path.write_text("name: old\n")
    path.chmod(0o644)
    rc.save_profile(_full_profile(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["zoe.yaml"]


@pytest.mark.parametrize("name", ["ana.yaml", "ben.yaml"])
def test_the_example_profiles_the_readme_uses_load(name: str) -> None:
    path = Path(__file__).resolve().parent.parent / "examples" / name
    assert rc.load_profile(path).name.lower() == name.removesuffix(".yaml")


@pytest.mark.parametrize(
    ("name", "content", "pattern"),
    [
        (
            "deep.yaml",
            "name: Ana\nmax_depth: 9\n",
            r"field 'max_depth': .*less than or equal to 5, got 9",
        ),
        (
            "extra.yaml",
            "name: Ana\nfavourite: red\n",
            r"field 'favourite': unknown field .*got 'red'",
        ),
        (
            "type.yaml",
            "name: Ana\nbudget: lots\n",
            r"field 'budget': Input should be a valid integer.*got 'lots'",
        ),
        (
            "nan.yaml",
            "name: Ana\nintimacy: {emotional: .nan}\n",
            r"field 'intimacy.emotional': .*finite",
        ),
        (
            "kind.yaml",
            "name: Ana\nintimacy: {sexual: 0.9}\n",
            r"field 'intimacy.sexual': Input should be",
        ),
        ("noname.yaml", "max_depth: 2\n", r"field 'name': Field required"),
        ("list.yaml", "- Ana\n", r"expected a mapping of PersonProfile fields, got list"),
        ("empty.yaml", "  \n", r"the profile file is empty"),
        ("broken.yaml", "name: [Ana\n", r"not valid YAML at line 2"),
        ("broken.json", '{"name": "Ana",}', r"not valid JSON at line 1, column 16"),
    ],
)
def test_a_bad_profile_names_the_file_and_field(
    tmp_path: Path, name: str, content: str, pattern: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(rc.ProfileError, match=rf"^{re.escape(str(path))}: {pattern}"):
        rc.load_profile(path)


def test_a_missing_profile_is_a_profile_error(tmp_path: Path) -> None:
    path = tmp_path / "nobody.yaml"
    with pytest.raises(rc.ProfileError, match=rf"{re.escape(str(path))}: no such file"):
        rc.load_profile(path)


def test_a_profile_with_non_utf8_bytes_is_a_profile_error(tmp_path: Path) -> None:
    path = tmp_path / "ana.yaml"
    path.write_bytes("name: Zoë\n".encode("latin-1"))
    with pytest.raises(rc.ProfileError, match=rf"{re.escape(str(path))}: is not UTF-8 text"):
        rc.load_profile(path)


def test_every_profile_problem_is_reported_at_once(tmp_path: Path) -> None:
    path = tmp_path / "ana.yaml"
    path.write_text("name: Ana\nmax_depth: 0\nbudget: 9\nmood: calm\n")
    with pytest.raises(rc.ProfileError, match="max_depth") as exc:
        rc.load_profile(path)
    assert sorted(p.field or "" for p in exc.value.problems) == ["budget", "max_depth", "mood"]


def test_a_large_catalogue_loads_from_a_folder_of_files(tmp_path: Path) -> None:
    # 30k activities (well past the first limits hardening chose): a folder of JSONL files.
    base = make_activity().model_dump(mode="json")
    base["relationships"] = sorted(base["relationships"])
    for part in range(3):
        lines = [json.dumps({**base, "id": f"walk-{part}-{i}"}) + "\n" for i in range(10_000)]
        (tmp_path / f"part-{part}.jsonl").write_text("".join(lines))
    assert len(rc.load_catalog(tmp_path)) == 30_000
