"""The ``closer`` command's catalogue and schema commands: output, exit codes, messages."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result

import cli
import recommender as rc
from tests.conftest import make_activity

SCHEMA_NAMES = ["profile", "activity", "context", "catalog"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def record(activity_id: str, **overrides: Any) -> dict[str, Any]:
    """A valid activity as a mapping, with raw (unvalidated) ``overrides``."""
    fields = make_activity(activity_id).model_dump(mode="json")
    fields["relationships"] = sorted(fields["relationships"])
    fields.update(overrides)
    return fields


def write_catalog(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text(yaml.safe_dump(records, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture
def small_catalog(tmp_path: Path) -> Path:
    """Three valid activities; the second has steps and prompts to show."""
    talk = record(
        "ask-three-questions",
        title="Ask each other three questions",
        practice="conversation",
        steps=["Sit somewhere quiet.", "Take turns."],
        prompts=["What made you laugh?", "What worried you?", "Who helped you this week?"],
        intimacy={"emotional": 0.9, "intellectual": 0.6},
    )
    return write_catalog(
        tmp_path / "small.yaml", [record("walk-together"), talk, record("cook-dinner")]
    )


def exit_code_of_run(argv: Sequence[str]) -> int:
    """What the console script hands the shell for ``closer ARGV``."""
    try:
        cli.run(argv)
    except SystemExit as exc:
        return 0 if exc.code is None else int(exc.code)
    return 0


def assert_clean_failure(result: Result, code: int = 2) -> list[str]:
    """The command failed with ``code`` and readable ``closer:`` lines, never a traceback."""
    assert result.exit_code == code, result.output
    assert isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    return [line for line in result.output.splitlines() if line]


# --------------------------------------------------------------------------- version and help


def test_version_prints_the_package_version(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["--version"])
    assert result.exit_code == 0
    assert result.output == f"closer, version {rc.__version__}\n"


def test_version_through_the_console_script_entry_exits_zero(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert exit_code_of_run(["--version"]) == 0
    assert capsys.readouterr().out == f"closer, version {rc.__version__}\n"


def test_catalog_help_lists_its_commands(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["catalog", "--help"])
    assert result.exit_code == 0
    for command in ("validate", "list", "show", "stats"):
        assert command in result.output


def test_an_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code_of_run(["catalogue"]) == 2
    err = capsys.readouterr().err
    assert "No such command 'catalogue'" in err
    assert "Traceback" not in err


# --------------------------------------------------------------------------- catalog validate


def test_validate_accepts_a_valid_file_and_counts_it(
    runner: CliRunner, small_catalog: Path
) -> None:
    result = runner.invoke(cli.main, ["catalog", "validate", str(small_catalog)])
    assert result.exit_code == 0
    assert result.output == f"{small_catalog}: valid, 3 activities\n"


def test_validate_accepts_a_relative_path_to_a_folder(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # click's isolated_filesystem() is deprecated (a warning is an error here).
    monkeypatch.chdir(tmp_path)
    Path("mine").mkdir()
    write_catalog(Path("mine/a.yaml"), [record("walk-together")])
    write_catalog(Path("mine/b.yaml"), [record("cook-dinner")])
    result = runner.invoke(cli.main, ["catalog", "validate", "mine"])
    assert result.exit_code == 0
    assert result.output == "mine: valid, 2 activities\n"


def test_validate_lists_every_problem_and_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    path = write_catalog(
        tmp_path / "bad.yaml",
        [record("first"), record("second"), record("third"), record("fine")],
    )
    text = path.read_text().replace("depth: 1", "depth: 9", 1).replace("minutes: 30", "minutes: 0")
    path.write_text(text.replace("cost: 0", "cost: lots", 1))
    result = runner.invoke(cli.main, ["catalog", "validate", str(path)])
    lines = assert_clean_failure(result)
    assert len(lines) == 6
    assert all(line.startswith(f"closer: {path}: activity '") for line in lines)
    assert f"closer: {path}: activity 'first' (item 1): field 'depth': " in result.output
    assert "field 'cost': Input should be a valid integer" in result.output
    assert "activity 'fine' (item 4): field 'minutes'" in result.output


def test_validate_caps_a_long_list_of_problems(runner: CliRunner, tmp_path: Path) -> None:
    records = [record(f"bad-{i:02d}") for i in range(30)]
    path = write_catalog(tmp_path / "bad.yaml", records)
    path.write_text(path.read_text().replace("depth: 1", "depth: 9"))
    result = runner.invoke(cli.main, ["catalog", "validate", str(path)])
    lines = assert_clean_failure(result)
    assert len(lines) == cli.MAX_PROBLEM_LINES + 1
    assert lines[-1] == f"closer: ... and {30 - cli.MAX_PROBLEM_LINES} more problems"


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("broken.yaml", "- id: x\n  title: [unclosed\n", "not valid YAML at line 3"),
        ("broken.json", "[{", "not valid JSON at line 1"),
        ("empty.yaml", "", "the catalogue is empty"),
        ("notes.txt", "hello", "unsupported catalogue format '.txt'"),
    ],
)
def test_validate_reports_unreadable_files_in_one_line(
    runner: CliRunner, tmp_path: Path, name: str, content: str, message: str
) -> None:
    path = tmp_path / name
    path.write_text(content)
    result = runner.invoke(cli.main, ["catalog", "validate", str(path)])
    (line,) = assert_clean_failure(result)
    assert line.startswith(f"closer: {path}: {message}")


def test_validate_reports_a_missing_file(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    result = runner.invoke(cli.main, ["catalog", "validate", str(path)])
    assert assert_clean_failure(result) == [f"closer: {path}: no such file or folder"]


def test_validate_reports_non_utf8_bytes(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes("- id: café\n".encode("latin-1"))
    result = runner.invoke(cli.main, ["catalog", "validate", str(path)])
    assert assert_clean_failure(result) == [
        f"closer: {path}: is not UTF-8 text (bad byte at offset 9)"
    ]


def test_validate_without_a_path_is_a_usage_error(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["catalog", "validate"])
    assert_clean_failure(result)
    assert "Missing argument 'PATH'" in result.output


def test_validate_through_the_console_script_entry(
    small_catalog: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert exit_code_of_run(["catalog", "validate", str(small_catalog)]) == 0
    assert capsys.readouterr().out == f"{small_catalog}: valid, 3 activities\n"
    bad = write_catalog(tmp_path / "bad.yaml", [record("walk-together", colour="red")])
    with pytest.raises(SystemExit) as exc:
        cli.run(["catalog", "validate", str(bad)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err == (
        f"closer: {bad}: activity 'walk-together' (item 1): field 'colour': "
        "unknown field (not part of the schema), got 'red'\n"
    )


# --------------------------------------------------------------------------- catalog list


def test_list_shows_every_bundled_activity_in_order(runner: CliRunner, bundled: rc.Catalog) -> None:
    result = runner.invoke(cli.main, ["catalog", "list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert [line.split()[0] for line in lines] == list(bundled.ids)


def test_list_reads_another_catalogue_and_shows_type_and_title(
    runner: CliRunner, small_catalog: Path
) -> None:
    result = runner.invoke(cli.main, ["catalog", "list", "--catalog", str(small_catalog)])
    assert result.exit_code == 0
    rows = [line.split(maxsplit=2) for line in result.output.splitlines()]
    assert rows == [
        ["walk-together", "experiential", "Try walk together"],
        ["ask-three-questions", "emotional", "Ask each other three questions"],
        ["cook-dinner", "experiential", "Try cook dinner"],
    ]


def test_list_json_is_a_list_of_objects_programs_can_read(
    runner: CliRunner, small_catalog: Path
) -> None:
    result = runner.invoke(cli.main, ["catalog", "list", "--json", "--catalog", str(small_catalog)])
    assert result.exit_code == 0
    items = json.loads(result.output)
    assert [item["id"] for item in items] == ["walk-together", "ask-three-questions", "cook-dinner"]
    assert items[1] == {
        "id": "ask-three-questions",
        "title": "Ask each other three questions",
        "type": "emotional",
        "depth": 1,
        "minutes": 30,
    }


def test_list_json_of_the_bundled_catalogue_has_every_id(
    runner: CliRunner, bundled: rc.Catalog
) -> None:
    result = runner.invoke(cli.main, ["catalog", "list", "--json"])
    assert result.exit_code == 0
    assert [item["id"] for item in json.loads(result.output)] == list(bundled.ids)


def test_list_with_a_bad_catalogue_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    path = tmp_path / "nowhere.yaml"
    result = runner.invoke(cli.main, ["catalog", "list", "--catalog", str(path)])
    assert assert_clean_failure(result) == [f"closer: {path}: no such file or folder"]


# --------------------------------------------------------------------------- catalog show


def test_show_prints_one_activity_in_full(runner: CliRunner, small_catalog: Path) -> None:
    result = runner.invoke(
        cli.main, ["catalog", "show", "ask-three-questions", "--catalog", str(small_catalog)]
    )
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[:3] == [
        "Ask each other three questions",
        "=" * len("Ask each other three questions"),
        "A small shared activity called ask three questions.",
    ]
    assert "practice: conversation" in result.output
    assert "intimacy: emotional 0.9, intellectual 0.6" in result.output
    assert "  1. Sit somewhere quiet." in lines
    assert "  3. Who helped you this week?" in lines


def test_show_json_is_the_whole_activity(runner: CliRunner, small_catalog: Path) -> None:
    result = runner.invoke(
        cli.main,
        ["catalog", "show", "ask-three-questions", "--json", "--catalog", str(small_catalog)],
    )
    assert result.exit_code == 0
    shown = json.loads(result.output)
    catalog = rc.load_catalog(small_catalog)
    assert rc.Activity.model_validate(shown) == catalog["ask-three-questions"]
    assert shown["relationships"] == sorted(shown["relationships"])


def test_show_finds_a_bundled_activity(runner: CliRunner, bundled: rc.Catalog) -> None:
    activity = bundled.activities[0]
    result = runner.invoke(cli.main, ["catalog", "show", activity.id, "--json"])
    assert result.exit_code == 0
    assert rc.Activity.model_validate(json.loads(result.output)) == activity


def test_show_an_unknown_id_exits_2_with_a_clear_message(
    runner: CliRunner, small_catalog: Path
) -> None:
    result = runner.invoke(
        cli.main, ["catalog", "show", "fly-to-the-moon", "--catalog", str(small_catalog)]
    )
    assert assert_clean_failure(result) == [
        "closer: no activity with id 'fly-to-the-moon' in the catalogue (3 activities)"
    ]


def test_show_an_unknown_id_through_the_console_script_entry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.run(["catalog", "show", "fly-to-the-moon"])
    assert exc.value.code == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("closer: no activity with id 'fly-to-the-moon'")


# --------------------------------------------------------------------------- catalog stats


def test_stats_of_the_bundled_catalogue_counts_it(runner: CliRunner, bundled: rc.Catalog) -> None:
    result = runner.invoke(cli.main, ["catalog", "stats"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert lines[0].split() == ["what", "count", "min"]
    total = next(line for line in lines if line.startswith("activities in all"))
    assert int(total.split()[3]) == len(bundled)
    assert lines[-1].endswith("minimums met")


def test_stats_of_a_file_marks_what_falls_short(runner: CliRunner, small_catalog: Path) -> None:
    result = runner.invoke(cli.main, ["catalog", "stats", str(small_catalog)])
    assert result.exit_code == 0
    total = next(line for line in result.output.splitlines() if line.startswith("activities"))
    assert total.split()[3:] == ["3", "320", "<<", "under", "minimum"]


def test_stats_json_reports_each_row(runner: CliRunner, small_catalog: Path) -> None:
    result = runner.invoke(cli.main, ["catalog", "stats", str(small_catalog), "--json"])
    assert result.exit_code == 0
    rows = {row["what"]: row for row in json.loads(result.output)}
    assert rows["activities in all"] == {
        "what": "activities in all",
        "count": 3,
        "minimum": 320,
        "met": False,
    }


def test_stats_of_a_missing_file_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(cli.main, ["catalog", "stats", str(tmp_path / "nowhere.csv")])
    assert assert_clean_failure(result) == [
        f"closer: {tmp_path / 'nowhere.csv'}: no such file or folder"
    ]


# --------------------------------------------------------------------------- schema


@pytest.mark.parametrize("name", SCHEMA_NAMES)
def test_schema_prints_the_json_schema(runner: CliRunner, name: str) -> None:
    result = runner.invoke(cli.main, ["schema", name])
    assert result.exit_code == 0
    printed = json.loads(result.output)
    assert printed == rc.json_schema(name)
    assert printed["additionalProperties"] is False


def test_an_unknown_schema_name_exits_2(runner: CliRunner) -> None:
    result = runner.invoke(cli.main, ["schema", "person"])
    assert_clean_failure(result)
    assert "'person' is not one of 'profile', 'activity', 'context', 'catalog'" in result.output


def test_an_unknown_schema_name_through_the_console_script_entry(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exc:
        cli.run(["schema", "person"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    # Issue 20: one error style, click's usage errors included.
    assert err.startswith("closer: ") and "'closer schema --help'" in err
    assert "'person' is not one of" in err
    assert "Traceback" not in err


def test_schema_through_the_console_script_entry_prints_json(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert exit_code_of_run(["schema", "profile"]) == 0
    assert json.loads(capsys.readouterr().out) == rc.json_schema("profile")
