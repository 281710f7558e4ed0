"""The closer command as people use it: suggest, profiles, help, exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import cli

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ANA, BEN = str(EXAMPLES / "ana.yaml"), str(EXAMPLES / "ben.yaml")
ANSWERS = {
    "name": "Cleo",
    "physical": 3,
    "emotional": 4,
    "experiential": 2,
    "spiritual": 1,
    "intellectual": 2,
    "interests": "music, walking",
    "avoid": "",
    "max_depth": 3,
    "budget": 1,
    "energy": "any",
    "max_contact": "casual",
    "limited_mobility": "no",
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def invoke(runner: CliRunner, *args: str, **kwargs: object):
    return runner.invoke(cli.main, list(args), catch_exceptions=False, **kwargs)


def test_suggest_prints_numbered_suggestions_with_ids_and_no_unordered_numbers(runner):
    # Issue 20: ids to act on; per-person fits do not order the list, so none is shown.
    result = invoke(runner, "suggest", ANA, BEN, "-k", "3")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("1. ")
    assert "3. " in result.output and "4. " not in result.output
    assert "Ben" in result.output and "fit Ana" not in result.output
    records = json.loads(invoke(runner, "suggest", ANA, BEN, "-k", "3", "--json").stdout)
    assert all(f"[{r['id']}]" in result.stdout for r in records)


def test_suggest_json_has_the_contract_fields(runner):
    result = invoke(runner, "suggest", ANA, BEN, "--json", "-k", "4", "--minutes", "60")
    assert result.exit_code == 0
    records = json.loads(result.stdout)
    assert len(records) == 4
    for record in records:
        assert {
            "id",
            "title",
            "score",
            "scores",
            "reasons",
            "intimacy",
            "depth",
            "minutes",
            "cost",
            "practice",
        } <= set(record)
        assert record["minutes"] <= 60 and len(record["scores"]) == 2
    assert [r["score"] for r in records] == sorted((r["score"] for r in records), reverse=True)


def test_suggest_options_reach_the_recommender(runner):
    result = invoke(
        runner,
        "suggest",
        ANA,
        BEN,
        "--json",
        "-k",
        "10",
        "--relationship",
        "colleagues",
        "--remote",
        "--budget",
        "0",
        "--obstacle",
        "trust",
        "--goal",
        "intellectual",
        "--strategy",
        "least_misery",
    )
    records = json.loads(result.stdout)
    assert records
    for r in records:
        assert r["cost"] == 0 and r["depth"] <= 2
    ids = [r["id"] for r in records]
    excluded = invoke(
        runner,
        "suggest",
        ANA,
        BEN,
        "--json",
        "-k",
        "10",
        "--relationship",
        "colleagues",
        "--remote",
        "--budget",
        "0",
        "--obstacle",
        "trust",
        "--goal",
        "intellectual",
        "--strategy",
        "least_misery",
        "--exclude",
        ids[0],
    )
    assert ids[0] not in [r["id"] for r in json.loads(excluded.stdout)]


def test_safety_concern_shows_individual_support_only(runner):
    result = invoke(runner, "suggest", ANA, BEN, "--safety-concern", "--json")
    records = json.loads(result.stdout)
    assert records and all(r["practice"] == "support" for r in records)
    assert all("not a crisis service" in " ".join(r["reasons"]) for r in records)


def test_nothing_fits_exits_1_and_says_what_to_relax(runner):
    result = runner.invoke(
        cli.main,
        [
            "suggest",
            ANA,
            BEN,
            "--minutes",
            "1",
            "--remote",
            "--setting",
            "outdoor",
            "--budget",
            "0",
        ],
    )
    assert result.exit_code == 1
    assert "nothing fits" in result.output
    assert "try: " in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: Ana\nmax_depth: 9\n", r"field 'max_depth'.*got 9"),
        ("name: Ana\ncolour: blue\n", r"field 'colour': unknown field"),
        ("name: [unclosed\n", r"not valid YAML at line \d+, column \d+: "),
        ("- just\n- a list\n", r"expected a mapping"),
        ("id: stargaze\ntitle: x\n", r"field 'id': unknown field"),
    ],
)
def test_bad_profiles_exit_2_with_one_clear_line_each(runner, tmp_path, content, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    result = runner.invoke(cli.main, ["suggest", str(bad), BEN])
    assert result.exit_code == 2
    assert "Traceback" not in result.output
    assert str(bad) in result.output
    import re

    assert re.search(message, result.output)


def test_missing_profile_file_exits_2(runner, tmp_path):
    result = runner.invoke(cli.main, ["suggest", str(tmp_path / "nobody.yaml"), BEN])
    assert result.exit_code == 2
    assert "nobody.yaml: no such file" in result.output


@pytest.mark.parametrize(
    "args",
    [
        ["suggest", ANA, BEN, "--relationship", "neighbours"],
        ["suggest", ANA, BEN, "--minutes", "0"],
        ["suggest", ANA, BEN, "-k", "0"],
        ["suggest", ANA],
        ["suggest", ANA, BEN, "--strategy", "borda"],
    ],
)
def test_bad_options_are_usage_errors_exit_2(args):
    with pytest.raises(SystemExit) as exit_info:
        cli.run(args)
    assert exit_info.value.code == 2


def test_profile_new_from_an_answers_file_writes_a_private_profile(runner, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(ANSWERS))
    out = tmp_path / "cleo.yaml"
    result = invoke(runner, "profile", "new", "--answers", str(answers), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert os.stat(out).st_mode & 0o777 == 0o600
    saved = yaml.safe_load(out.read_text())
    assert saved["name"] == "Cleo" and saved["intimacy"]["emotional"] == 1.0
    assert saved["interests"] == ["music", "walking"] and saved["max_contact"] == "casual"
    assert "Cleo" in result.output and "emotional" in result.output


def test_profile_new_by_keyboard(runner, tmp_path, monkeypatch):
    keys = "Dev\n4\n1\n2\n3\n0\nchess, jazz\n\n2\n0\nlow\nnone\nyes\nno\n"
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "profile", "new", input=keys)
    assert result.exit_code == 0, result.output
    saved = yaml.safe_load((tmp_path / "dev.yaml").read_text())
    assert saved["intimacy"]["physical"] == 1.0 and saved["intimacy"]["intellectual"] == 0.0
    assert saved["limited_mobility"] is True and saved["energy"] == "low"
    assert saved["interests"] == ["chess", "jazz"] and "avoid" not in saved


def test_profile_new_rejects_a_bad_answer_and_asks_again(runner, tmp_path, monkeypatch):
    keys = "Eve\n7\n2\n2\n2\n2\n2\n\n\n3\n1\nany\naffectionate\nno\nno\n"
    monkeypatch.chdir(tmp_path)
    result = invoke(runner, "profile", "new", input=keys)
    assert result.exit_code == 0
    assert "'7' is not one of" in result.output
    assert yaml.safe_load((tmp_path / "eve.yaml").read_text())["intimacy"]["physical"] == 0.5


def test_profile_new_never_overwrites_without_force(runner, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(ANSWERS))
    out = tmp_path / "cleo.yaml"
    out.write_text("name: Keep me\n")
    result = runner.invoke(cli.main, ["profile", "new", "--answers", str(answers), "-o", str(out)])
    assert result.exit_code == 2
    assert "--force" in result.output
    assert out.read_text() == "name: Keep me\n"


def test_bad_answers_file_names_the_question(runner, tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump({**ANSWERS, "max_depth": 8}))
    result = runner.invoke(cli.main, ["profile", "new", "--answers", str(answers)])
    assert result.exit_code == 2
    assert "field 'max_depth': must be one of 1, 2, 3, 4, 5, got 8" in result.output


def test_profile_show_validates_and_prints(runner):
    result = invoke(runner, "profile", "show", ANA)
    assert result.exit_code == 0 and "Ana" in result.output and "interests" in result.output
    data = json.loads(invoke(runner, "profile", "show", ANA, "--json").output)
    assert data["name"] == "Ana"


@pytest.mark.parametrize(
    "command", [["--help"], ["suggest", "--help"], ["profile", "new", "--help"]]
)
def test_help_shows_a_worked_example(runner, command):
    result = invoke(runner, *command)
    assert result.exit_code == 0
    assert "Example:" in result.output


def test_installed_script_runs_as_a_subprocess(tmp_path):
    script = Path(sys.executable).with_name("closer")
    env = {**os.environ, "NO_COLOR": "1"}
    done = subprocess.run(
        [str(script), "suggest", ANA, BEN, "-k", "2"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("1. ")
    bad = subprocess.run(
        [str(script), "suggest", ANA, str(tmp_path / "x.yaml")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 2
    assert "Traceback" not in bad.stderr and "x.yaml: no such file" in bad.stderr
