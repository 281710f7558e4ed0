"""The newer ``closer`` commands as people use them: ask, plan, done / history / forget,
catalog import and infer-report, plain output off a terminal, and ``--help``.

``suggest`` and ``profile`` are covered in test_cli.py, the other catalogue commands
in test_cli_catalog.py. Every test drives ``cli.main`` through click's CliRunner
(or the installed script, where a real terminal matters) and checks exit codes,
messages and the JSON contract of DESIGN.md.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import pty
import re
import select
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st

import cli
import recommender as rc
from recommender.catalog import default_catalog_path
from recommender.constraints import depth_cap
from recommender.conversation import prompt_key
from recommender.history import default_history_path
from tests.conftest import make_activity

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples"
ANA, BEN = str(EXAMPLES / "ana.yaml"), str(EXAMPLES / "ben.yaml")
BORED_MAP = EXAMPLES / "bored-map.yaml"
# The Bored API list is kept outside the repository, next to it (see bored-map.yaml).
BORED = ROOT.parent / "shared" / "datasets" / "bored-activities.jsonl"
needs_bored = pytest.mark.skipif(
    not BORED.is_file(),
    reason=f"the Bored API dataset is not at {BORED} (it lives outside the repository)",
)

SUGGESTION_FIELDS = {
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
}
PROMPT_FIELDS = {"prompt", "depth", "id"}
# Lines and corners rich draws tables with; plain text has none of them.
BOX_DRAWING = set("┃━┏┓┗┛┣┫┳┻╋┡┩╇│─┌┐└┘├┤┬┴┼")
# A combination under which nothing in the bundled catalogue fits Ana and Ben.
NOTHING_FITS = ["--minutes", "1", "--remote", "--setting", "outdoor", "--budget", "0"]
COMMANDS = ["suggest", "ask", "plan", "done", "history", "forget", "profile", "catalog", "schema"]


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def history(tmp_path: Path) -> Path:
    """A history file that does not exist yet."""
    return tmp_path / "closer" / "history.sqlite3"


def invoke(runner: CliRunner, *args: str, input: str | None = None) -> Result:
    # catch_exceptions=False: a crash surfaces as the exception, not as exit code 1.
    return runner.invoke(cli.main, list(args), input=input, catch_exceptions=False)


def ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def failed(result: Result, code: int = 2) -> str:
    """The command exited ``code`` with readable messages, never a traceback; its stderr."""
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.stderr.strip(), "a failure must say why on stderr"
    return result.stderr


def as_json(result: Result) -> Any:
    return json.loads(ok(result).stdout)


def usage_exit_code(argv: Sequence[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    """What the console script hands the shell for ``closer ARGV``, and its stderr."""
    with pytest.raises(SystemExit) as exit_info:
        cli.run(list(argv))
    err = capsys.readouterr().err
    assert "Traceback" not in err
    return int(exit_info.value.code or 0), err


def lookup(ids: Iterable[str], bundled: rc.Catalog) -> list[rc.Activity]:
    """The activities behind ``ids``; the catalogue is re-read if it grew meanwhile."""
    ids = list(ids)
    catalog = bundled
    if any(i not in bundled for i in ids):
        catalog = rc.load_catalog(default_catalog_path())
    return [catalog[i] for i in ids]


def ask_json(runner: CliRunner, *args: str) -> list[dict[str, Any]]:
    prompts: list[dict[str, Any]] = as_json(invoke(runner, "ask", ANA, BEN, "--json", *args))
    return prompts


def plan_json(runner: CliRunner, *args: str) -> list[dict[str, Any]]:
    weeks: list[dict[str, Any]] = as_json(invoke(runner, "plan", ANA, BEN, "--json", *args))
    return weeks


def suggested_ids(runner: CliRunner, *args: str) -> list[str]:
    return [r["id"] for r in as_json(invoke(runner, "suggest", ANA, BEN, "--json", *args))]


def done_argv(
    activity_id: str,
    history: Path,
    *extra: str,
    pair: str = "ana-ben",
    ratings: Sequence[str] = ("4", "4"),
) -> list[str]:
    """``done ID --pair PAIR --ratings A B --history HISTORY EXTRA``."""
    return [
        "done",
        activity_id,
        "--pair",
        pair,
        "--ratings",
        *ratings,
        "--history",
        str(history),
        *extra,
    ]


def record_done(
    runner: CliRunner, activity_id: str, *args: str, ratings: tuple[str, str] = ("5", "4")
) -> Result:
    """``closer done ID --pair ana-ben --ratings 5 4 ARGS``, which must succeed."""
    return ok(
        invoke(runner, "done", activity_id, "--pair", "ana-ben", "--ratings", *ratings, *args)
    )


def assert_a_good_session(prompts: list[dict[str, Any]], deepest: int) -> None:
    """Light first, never deeper than ``deepest``, never the same prompt twice."""
    depths = [p["depth"] for p in prompts]
    assert depths == sorted(depths)
    assert max(depths) <= deepest
    keys = [prompt_key(p["prompt"]) for p in prompts]
    assert len(set(keys)) == len(keys)


# =========================================================================== ask


def test_ask_json_lists_prompts_in_order_with_prompt_depth_and_id(
    runner: CliRunner, bundled: rc.Catalog
) -> None:
    prompts = ask_json(runner, "-n", "8")
    assert len(prompts) == 8
    for p in prompts:
        assert set(p) >= PROMPT_FIELDS
    # Each prompt is one of its conversation activity's own questions, as deep as it.
    for p, activity in zip(prompts, lookup((p["id"] for p in prompts), bundled)):
        assert activity.practice == rc.Practice.conversation
        assert p["prompt"] in activity.prompts
        assert p["depth"] == activity.depth
    assert_a_good_session(prompts, deepest=3)
    assert prompts[0]["depth"] == 1


def test_ask_gives_ten_prompts_by_default(runner: CliRunner) -> None:
    assert len(ask_json(runner)) == 10


def test_ask_never_goes_deeper_than_the_shallower_profile(runner: CliRunner) -> None:
    # Ana allows depth 4, Ben 3: even --depth 5 stays at 3.
    prompts = ask_json(runner, "-n", "100", "--depth", "5")
    assert max(p["depth"] for p in prompts) == 3
    assert_a_good_session(prompts, deepest=3)


@pytest.mark.parametrize("depth", [1, 2, 3])
def test_ask_depth_option_caps_the_session(runner: CliRunner, depth: int) -> None:
    prompts = ask_json(runner, "-n", "40", "--depth", str(depth))
    assert prompts
    assert_a_good_session(prompts, deepest=depth)
    assert prompts[-1]["depth"] == depth  # it does rise to the cap when there is room


def test_ask_with_trust_as_an_obstacle_stays_gentle(runner: CliRunner) -> None:
    ana, ben = rc.load_profile(ANA), rc.load_profile(BEN)
    cap = depth_cap(ana, ben, rc.PairContext(obstacles={"trust"}))
    assert cap < 3
    prompts = ask_json(runner, "-n", "30", "--obstacle", "trust")
    assert_a_good_session(prompts, deepest=cap)


def test_ask_for_colleagues_uses_only_colleague_conversations(
    runner: CliRunner, bundled: rc.Catalog
) -> None:
    prompts = ask_json(runner, "-n", "30", "--relationship", "colleagues")
    assert prompts
    for activity in lookup({p["id"] for p in prompts}, bundled):
        assert rc.Relationship.colleagues in activity.relationships
        assert activity.contact == rc.Contact.none


def test_ask_exclude_drops_that_conversation(runner: CliRunner) -> None:
    first = ask_json(runner, "-n", "5")[0]["id"]
    assert first not in {p["id"] for p in ask_json(runner, "-n", "30", "--exclude", first)}


def test_ask_prints_numbered_questions_by_depth_for_people(runner: CliRunner) -> None:
    # --no-history: the text session is the JSON one (cards shown are not kept).
    prompts = ask_json(runner, "-n", "6", "--no-history")
    result = ok(invoke(runner, "ask", ANA, BEN, "-n", "6", "--no-history"))
    lines = result.stdout.splitlines()
    assert lines[0] == "Questions for Ana and Ben"
    assert "Depth 1: light and playful" in lines
    numbered = [m.groups() for m in map(re.compile(r"^\s+(\d+)\. (.+)$").match, lines) if m]
    assert numbered == [(str(i), p["prompt"]) for i, p in enumerate(prompts, start=1)]
    assert lines[-1] == cli.COMFORT_NOTE
    assert not BOX_DRAWING & set(result.stdout)


def test_ask_with_a_history_skips_a_conversation_done_today(
    runner: CliRunner, history: Path
) -> None:
    first = ask_json(runner, "-n", "5")[0]["id"]
    record_done(runner, first, "--history", str(history))
    after = ask_json(runner, "-n", "30", "--history", str(history))
    assert after and first not in {p["id"] for p in after}
    # Another pair's history leaves Ana and Ben alone.
    other = ask_json(runner, "-n", "5", "--history", str(history), "--pair", "cleo-dev")
    assert other[0]["id"] == first


def test_ask_with_a_safety_concern_gives_no_joint_prompts(runner: CliRunner) -> None:
    # Issue 20 item 5: JSON gets the same support records text mode shows, no scores.
    records = json.loads(ok(invoke(runner, "ask", ANA, BEN, "--safety-concern", "--json")).stdout)
    suggested = json.loads(
        ok(invoke(runner, "suggest", ANA, BEN, "--safety-concern", "--json")).stdout
    )
    assert records and records == suggested
    assert all(r["practice"] == "support" and "prompt" not in r for r in records)
    assert not any("score" in r or "scores" in r for r in records)


def test_ask_with_a_safety_concern_shows_individual_support_to_people(
    runner: CliRunner, bundled: rc.Catalog
) -> None:
    result = ok(invoke(runner, "ask", ANA, BEN, "--safety-concern"))
    assert result.stdout.startswith(cli.SAFETY_NOTE)
    assert "Questions for" not in result.stdout
    shown = re.findall(r"^\d+\. .+  \[([a-z0-9-]+)\]$", result.stdout, flags=re.MULTILINE)
    assert shown
    assert all(a.practice == rc.Practice.support for a in lookup(shown, bundled))


def test_ask_when_nothing_fits_exits_1_with_advice(runner: CliRunner) -> None:
    err = failed(invoke(runner, "ask", ANA, BEN, *NOTHING_FITS), code=1)
    assert "nothing fits: 0 of " in err
    assert "closer: try: " in err


def test_ask_when_no_conversation_fits_says_so_and_what_to_relax(runner: CliRunner) -> None:
    err = failed(invoke(runner, "ask", ANA, BEN, "--minutes", "1"), code=1)
    assert "no conversation prompts fit" in err
    assert "try: more --minutes" in err


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("name: Ana\nmax_depth: 9\n", "field 'max_depth'"),
        ("name: Ana\ncolour: blue\n", "field 'colour'"),
        ("name: [unclosed\n", "not valid YAML"),
    ],
)
def test_ask_with_a_bad_profile_exits_2_naming_the_file(
    runner: CliRunner, tmp_path: Path, content: str, message: str
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(content)
    err = failed(invoke(runner, "ask", str(bad), BEN))
    assert str(bad) in err and message in err


def test_ask_with_a_missing_profile_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    err = failed(invoke(runner, "ask", ANA, str(tmp_path / "nobody.yaml")))
    assert "nobody.yaml: no such file" in err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-n", "0"], "Invalid value for '-n'"),
        (["-n", "101"], "Invalid value for '-n'"),
        (["--depth", "0"], "Invalid value for '--depth'"),
        (["--depth", "6"], "Invalid value for '--depth'"),
        (["--relationship", "neighbours"], "Invalid value for '--relationship'"),
        (["--obstacle", "money"], "Invalid value for '--obstacle'"),
    ],
)
def test_ask_bad_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, err = usage_exit_code(["ask", ANA, BEN, *args], capsys)
    assert code == 2
    assert message in err


def conversation_catalog(path: Path) -> Path:
    """Three conversation activities at depths 1, 2 and 3, three questions each."""
    records = []
    for depth in (1, 2, 3):
        activity = make_activity(
            f"talk-level-{depth}",
            practice="conversation",
            intimacy={"emotional": 0.8},
            depth=depth,
            prompts=[f"Level {depth}, question {i}?" for i in (1, 2, 3)],
        ).model_dump(mode="json")
        activity["relationships"] = sorted(activity["relationships"])
        records.append(activity)
    path.write_text(yaml.safe_dump(records, sort_keys=False), encoding="utf-8")
    return path


def test_ask_reads_another_catalogue(runner: CliRunner, tmp_path: Path) -> None:
    catalog = conversation_catalog(tmp_path / "talks.yaml")
    prompts = ask_json(runner, "--catalog", str(catalog), "--depth", "2", "--strategy", "average")
    assert [p["prompt"] for p in prompts] == [
        f"Level {d}, question {i}?" for d in (1, 2) for i in (1, 2, 3)
    ]


@pytest.fixture(scope="module")
def profiles_by_depth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Profiles ``a1.yaml .. a5.yaml`` and ``b1.yaml .. b5.yaml``, max_depth 1..5."""
    folder = tmp_path_factory.mktemp("profiles")
    for depth in range(1, 6):
        (folder / f"a{depth}.yaml").write_text(
            f"name: Ana\nintimacy: {{emotional: 0.9}}\ninterests: [music]\nmax_depth: {depth}\n"
        )
        (folder / f"b{depth}.yaml").write_text(
            f"name: Ben\nintimacy: {{intellectual: 0.8}}\nmax_depth: {depth}\nbudget: 2\n"
        )
    return folder


@settings(max_examples=30, deadline=None)
@given(
    depth_a=st.integers(1, 5),
    depth_b=st.integers(1, 5),
    depth=st.none() | st.integers(1, 5),
    n=st.integers(1, 40),
    relationship=st.sampled_from([r.value for r in rc.Relationship]),
    obstacles=st.sets(st.sampled_from([o.value for o in rc.Obstacle]), max_size=2),
)
def test_ask_never_exceeds_either_persons_depth(
    profiles_by_depth: Path,
    depth_a: int,
    depth_b: int,
    depth: int | None,
    n: int,
    relationship: str,
    obstacles: set[str],
) -> None:
    args = ["ask", str(profiles_by_depth / f"a{depth_a}.yaml")]
    args += [str(profiles_by_depth / f"b{depth_b}.yaml"), "--json", "-n", str(n)]
    args += ["--relationship", relationship]
    args += [] if depth is None else ["--depth", str(depth)]
    for obstacle in sorted(obstacles):
        args += ["--obstacle", obstacle]
    result = invoke(CliRunner(), *args)
    if result.exit_code == 1:  # a legitimate "nothing fits", with advice
        assert "try: " in result.stderr
        return
    prompts = json.loads(ok(result).stdout)
    assert 1 <= len(prompts) <= n
    a = rc.PersonProfile(name="Ana", max_depth=depth_a)
    b = rc.PersonProfile(name="Ben", max_depth=depth_b)
    cap = depth_cap(a, b, rc.PairContext(relationship=relationship, obstacles=obstacles))
    assert_a_good_session(prompts, deepest=min(cap, depth or 5))


# =========================================================================== plan


def test_plan_json_is_a_list_of_weeks_with_activity_and_conversation(
    runner: CliRunner, bundled: rc.Catalog
) -> None:
    weeks = plan_json(runner, "--weeks", "6")
    assert [w["week"] for w in weeks] == [1, 2, 3, 4, 5, 6]
    for w in weeks:
        assert {"week", "activity", "conversation"} <= set(w)
        assert set(w["activity"]) >= SUGGESTION_FIELDS
        assert len(w["activity"]["scores"]) == 2
        assert 0.0 <= w["activity"]["score"] <= 1.0
        assert w["conversation"] and all(set(p) >= PROMPT_FIELDS for p in w["conversation"])
    ids = [w["activity"]["id"] for w in weeks]
    assert len(set(ids)) == len(ids)
    lookup(ids, bundled)  # every planned activity is in the catalogue


def test_plan_never_repeats_a_prompt_and_rises_in_depth_within_both_limits(
    runner: CliRunner,
) -> None:
    weeks = plan_json(runner, "--weeks", "10")
    assert len(weeks) == 10
    ceilings = [w["max_depth"] for w in weeks]
    assert ceilings == sorted(ceilings) and ceilings[0] == 1 and max(ceilings) <= 3
    for w in weeks:
        assert w["activity"]["depth"] <= w["max_depth"]
        assert all(p["depth"] <= w["max_depth"] for p in w["conversation"])
    keys = [prompt_key(p["prompt"]) for w in weeks for p in w["conversation"]]
    assert len(set(keys)) == len(keys)


def test_plan_respects_minutes_and_relationship(runner: CliRunner, bundled: rc.Catalog) -> None:
    weeks = plan_json(runner, "--weeks", "5", "--minutes", "45", "--relationship", "friends")
    assert len(weeks) == 5
    assert all(w["activity"]["minutes"] <= 45 for w in weeks)
    for activity in lookup((w["activity"]["id"] for w in weeks), bundled):
        assert rc.Relationship.friends in activity.relationships
        assert activity.contact != rc.Contact.affectionate


def test_plan_prompts_option_sets_the_conversation_length(runner: CliRunner) -> None:
    weeks = plan_json(runner, "--weeks", "3", "--prompts", "1")
    assert [len(w["conversation"]) for w in weeks] == [1, 1, 1]


def test_plan_never_plans_what_the_pair_did_recently(runner: CliRunner, history: Path) -> None:
    before = [w["activity"]["id"] for w in plan_json(runner, "--weeks", "4")]
    for activity_id in before[:2]:
        record_done(runner, activity_id, "--history", str(history))
    weeks = plan_json(runner, "--weeks", "4", "--history", str(history))
    assert len(weeks) == 4
    assert not set(before[:2]) & {w["activity"]["id"] for w in weeks}
    # Done long ago (past the 90-day window) counts as fresh again. Middling
    # ratings (3) move neither profile, so the plan is the same as without history.
    old = history.with_name("old.sqlite3")
    long_ago = (dt.date.today() - dt.timedelta(days=365)).isoformat()
    record_done(runner, before[0], "--history", str(old), "--date", long_ago, ratings=("3", "3"))
    assert (
        plan_json(runner, "--weeks", "1", "--history", str(old))[0]["activity"]["id"] == (before[0])
    )


def test_plan_prints_each_week_for_people(runner: CliRunner) -> None:
    weeks = plan_json(runner, "--weeks", "2")
    out = ok(invoke(runner, "plan", ANA, BEN, "--weeks", "2")).stdout
    assert out.startswith("A 2-week plan for Ana and Ben\n")
    assert "Week 1 (depth up to 1)" in out and "Week 2 (depth up to " in out
    done = re.findall(r"^  Do:   .+  \[([a-z0-9-]+)\]$", out, flags=re.MULTILINE)
    assert done == [w["activity"]["id"] for w in weeks]
    assert "  Talk:" in out and cli.COMFORT_NOTE in out


@pytest.mark.parametrize("weeks", ["0", "53", "many"])
def test_plan_weeks_out_of_1_to_52_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], weeks: str
) -> None:
    code, err = usage_exit_code(["plan", ANA, BEN, "--weeks", weeks], capsys)
    assert code == 2
    assert "Invalid value for '--weeks'" in err


@pytest.mark.parametrize(
    ("args", "message"),
    # (--weeks defaults to 4 since issue 20; a bad --start is the missing-value case now)
    [(["--start", "someday"], "'--start'"), (["--weeks", "2", "--prompts", "0"], "'--prompts'")],
)
def test_plan_missing_or_bad_options_exit_2(
    capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code, err = usage_exit_code(["plan", ANA, BEN, *args], capsys)
    assert code == 2
    assert message in err


def test_plan_with_a_safety_concern_plans_nothing_together(runner: CliRunner) -> None:
    result = ok(invoke(runner, "plan", ANA, BEN, "--weeks", "4", "--safety-concern", "--json"))
    records = json.loads(result.stdout)
    assert records and all(r["practice"] == "support" and "week" not in r for r in records)
    people = ok(invoke(runner, "plan", ANA, BEN, "--weeks", "4", "--safety-concern"))
    assert people.stdout.startswith(cli.SAFETY_NOTE)
    assert "Week 1" not in people.stdout


def test_plan_when_nothing_fits_exits_1_with_advice(runner: CliRunner) -> None:
    err = failed(invoke(runner, "plan", ANA, BEN, "--weeks", "3", *NOTHING_FITS), code=1)
    assert "nothing fits: 0 of " in err and "closer: try: " in err


def test_a_plan_that_runs_out_says_where_it_stops(runner: CliRunner) -> None:
    args = ["--weeks", "52", "--minutes", "10", "--relationship", "colleagues"]
    result = ok(invoke(runner, "plan", ANA, BEN, "--json", *args))
    weeks = json.loads(result.stdout)
    assert 0 < len(weeks) < 52
    assert f"the plan stops after week {len(weeks)} of 52" in result.stderr
    assert "closer: try: " in result.stderr


def test_plan_with_a_bad_profile_exits_2(runner: CliRunner, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: Ben\nbudget: 7\n")
    err = failed(invoke(runner, "plan", ANA, str(bad), "--weeks", "2"))
    assert f"{bad}: field 'budget'" in err


# =========================================================================== done, history, forget


def test_done_history_round_trip_through_a_private_file(
    runner: CliRunner, history: Path, bundled: rc.Catalog
) -> None:
    top = suggested_ids(runner, "-k", "1")[0]
    earlier = next(a.id for a in bundled if a.id != top)
    out = record_done(runner, top, "--history", str(history)).stdout
    assert out.startswith("Recorded for ana-ben: ") and "(ana 5, ben 4)" in out
    assert history.stat().st_mode & 0o777 == 0o600
    assert history.parent.stat().st_mode & 0o777 == 0o700
    record_done(runner, earlier, "--history", str(history), "--date", "2024-02-29")
    records = as_json(
        invoke(runner, "history", "--pair", "ana-ben", "--history", str(history), "--json")
    )
    assert [(r["id"], r["date"], r["ratings"]) for r in records] == [
        (top, dt.date.today().isoformat(), {"ana": 5, "ben": 4}),
        (earlier, "2024-02-29", {"ana": 5, "ben": 4}),
    ]
    assert all(r["title"] for r in records)
    text = ok(invoke(runner, "history", "--pair", "Ana-Ben", "--history", str(history))).stdout
    lines = text.splitlines()
    assert len(lines) == 2 and lines[1].startswith("2024-02-29  ")
    assert lines[0].endswith(f"[{top}]  ana 5, ben 4")


def test_history_of_a_pair_with_no_file_creates_nothing(runner: CliRunner, history: Path) -> None:
    result = ok(invoke(runner, "history", "--pair", "ana-ben", "--history", str(history)))
    assert result.stdout == "No history for ana-ben yet.\n"
    assert (
        as_json(invoke(runner, "history", "--pair", "ana-ben", "--history", str(history), "--json"))
        == []
    )
    assert not history.exists() and not history.parent.exists()


def test_history_names_ids_a_catalogue_does_not_know(
    runner: CliRunner, history: Path, tmp_path: Path
) -> None:
    talks = conversation_catalog(tmp_path / "talks.yaml")
    ok(invoke(runner, *done_argv("talk-level-2", history, "--catalog", str(talks))))
    base = ["history", "--pair", "ana-ben", "--history", str(history)]
    assert "Try talk level 2" in ok(invoke(runner, *base, "--catalog", str(talks))).stdout
    assert "(not in this catalogue)  [talk-level-2]" in ok(invoke(runner, *base)).stdout
    assert as_json(invoke(runner, *base, "--json"))[0]["title"] is None


@pytest.mark.parametrize("ratings", [("0", "3"), ("5", "6"), ("five", "3")])
def test_done_ratings_outside_1_to_5_exit_2(
    runner: CliRunner, history: Path, bundled: rc.Catalog, ratings: tuple[str, str]
) -> None:
    result = invoke(runner, *done_argv(bundled.activities[0].id, history, ratings=ratings))
    assert "Invalid value for '--ratings'" in failed(result)
    assert not history.exists()


def test_done_an_unknown_activity_exits_2_naming_it(runner: CliRunner, history: Path) -> None:
    result = invoke(runner, *done_argv("fly-to-the-moon", history))
    assert "no activity with id 'fly-to-the-moon'" in failed(result)
    assert not history.exists()


def test_done_in_the_far_future_exits_2_and_records_nothing(
    runner: CliRunner, history: Path, bundled: rc.Catalog
) -> None:
    activity_id = bundled.activities[0].id
    result = invoke(runner, *done_argv(activity_id, history, "--date", "2999-01-01"))
    err = failed(result)
    assert "must not be in the future" in err and "2999-01-01" in err
    base = ["history", "--pair", "ana-ben", "--history", str(history), "--json"]
    assert as_json(invoke(runner, *base)) == []


def test_done_in_the_far_future_creates_no_history_file(
    runner: CliRunner, history: Path, bundled: rc.Catalog
) -> None:
    argv = done_argv(bundled.activities[0].id, history, "--date", "2999-01-01")
    failed(invoke(runner, *argv))
    assert not history.exists()


def test_done_date_must_be_iso(runner: CliRunner, history: Path, bundled: rc.Catalog) -> None:
    result = invoke(runner, *done_argv(bundled.activities[0].id, history, "--date", "29/02/2024"))
    assert "Invalid value for '--date'" in failed(result)


@pytest.mark.parametrize("pair", ["ben-mary-jo", "cleo", "ana-"])
def test_done_needs_people_when_the_pair_name_does_not_split(
    runner: CliRunner, history: Path, bundled: rc.Catalog, pair: str
) -> None:
    err = failed(invoke(runner, *done_argv(bundled.activities[0].id, history, pair=pair)))
    assert f"the pair name {pair!r} does not split" in err and "--people NAME NAME" in err
    assert not history.exists()


def test_done_with_people_rates_names_that_contain_a_dash(
    runner: CliRunner, history: Path, bundled: rc.Catalog
) -> None:
    argv = done_argv(
        bundled.activities[0].id,
        history,
        *("--people", "Mary-Jo", "Ben"),
        pair="ben-mary-jo",
        ratings=("4", "5"),
    )
    assert "(mary-jo 4, ben 5)" in ok(invoke(runner, *argv)).stdout
    history_argv = ["history", "--pair", "ben-mary-jo", "--history", str(history), "--json"]
    records = as_json(invoke(runner, *history_argv))
    assert records[0]["ratings"] == {"ben": 5, "mary-jo": 4}


def test_done_refuses_the_same_name_twice(
    runner: CliRunner, history: Path, bundled: rc.Catalog
) -> None:
    result = invoke(runner, *done_argv(bundled.activities[0].id, history, pair="ana-ana"))
    assert "the two names are the same ('ana')" in failed(result)


def test_done_without_pair_or_ratings_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], bundled: rc.Catalog
) -> None:
    activity_id = bundled.activities[0].id
    code, err = usage_exit_code(["done", activity_id, "--ratings", "4", "5"], capsys)
    assert code == 2 and "Missing option '--pair'" in err
    code, err = usage_exit_code(["done", activity_id, "--pair", "ana-ben"], capsys)
    assert code == 2 and "Missing option '--ratings'" in err


def test_a_file_that_is_not_a_history_is_refused_and_left_alone(
    runner: CliRunner, tmp_path: Path, bundled: rc.Catalog
) -> None:
    notes = tmp_path / "notes.sqlite3"
    notes.write_text("my notes\n")
    for args in (
        ["history", "--pair", "ana-ben"],
        ["done", bundled.activities[0].id, "--pair", "ana-ben", "--ratings", "4", "4"],
        ["forget", "--pair", "ana-ben", "--yes"],
    ):
        err = failed(invoke(runner, *args, "--history", str(notes)))
        assert f"{notes}: is not a closer history" in err
    assert notes.read_text() == "my notes\n"


@pytest.mark.parametrize("answer", ["n\n", "\n"])
def test_forget_without_yes_asks_and_keeps_everything_on_no(
    runner: CliRunner, history: Path, bundled: rc.Catalog, answer: str
) -> None:
    record_done(runner, bundled.activities[0].id, "--history", str(history))
    result = ok(
        invoke(runner, "forget", "--pair", "ana-ben", "--history", str(history), input=answer)
    )
    assert "This cannot be undone [y/N]" in result.stdout
    assert result.stdout.endswith("Nothing deleted.\n")
    base = ["history", "--pair", "ana-ben", "--history", str(history), "--json"]
    assert len(as_json(invoke(runner, *base))) == 1


def test_forget_deletes_one_pair_and_only_that_pair(
    runner: CliRunner, history: Path, bundled: rc.Catalog
) -> None:
    first, second = bundled.activities[0].id, bundled.activities[1].id
    record_done(runner, first, "--history", str(history))
    record_done(runner, second, "--history", str(history))
    ok(invoke(runner, *done_argv(first, history, pair="cleo-dev", ratings=("2", "3"))))
    result = ok(invoke(runner, "forget", "--pair", "ana-ben", "--history", str(history), "--yes"))
    assert result.stdout == "Forgot ana-ben: 2 records deleted.\n"
    assert (
        as_json(invoke(runner, "history", "--pair", "ana-ben", "--history", str(history), "--json"))
        == []
    )
    kept = as_json(
        invoke(runner, "history", "--pair", "cleo-dev", "--history", str(history), "--json")
    )
    assert [r["id"] for r in kept] == [first]
    # Saying yes at the prompt deletes as well.
    result = ok(
        invoke(runner, "forget", "--pair", "cleo-dev", "--history", str(history), input="y\n")
    )
    assert result.stdout.endswith("Forgot cleo-dev: 1 record deleted.\n")


def test_forget_with_no_history_file_creates_nothing(runner: CliRunner, history: Path) -> None:
    result = ok(invoke(runner, "forget", "--pair", "ana-ben", "--history", str(history), "--yes"))
    assert result.stdout.startswith("Nothing to forget")
    assert not history.exists()


def test_suggest_with_a_history_never_returns_what_the_pair_did_today(
    runner: CliRunner, history: Path
) -> None:
    top = suggested_ids(runner, "-k", "1")[0]
    assert not history.exists()
    assert suggested_ids(runner, "-k", "1", "--history", str(history))[0] == top
    assert not history.exists()  # reading a missing history creates nothing
    record_done(runner, top, "--history", str(history))
    # The pair name comes from the two profiles: Ana + Ben -> ana-ben.
    assert top not in suggested_ids(runner, "-k", "50", "--history", str(history))
    assert top not in suggested_ids(
        runner, "-k", "50", "--history", str(history), "--pair", "ana-ben"
    )
    # Another pair name in the same file is another pair.
    assert suggested_ids(runner, "-k", "1", "--history", str(history), "--pair", "x-y")[0] == top


def test_done_then_plain_suggest_uses_the_default_history(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A data folder of this test's own, so no other test sees the record.
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = default_history_path()
    assert default.is_relative_to(tmp_path)
    top = suggested_ids(runner, "-k", "1")[0]
    record_done(runner, top)
    assert default.is_file() and default.stat().st_mode & 0o777 == 0o600
    assert top not in suggested_ids(runner, "-k", "50")
    assert top not in {w["activity"]["id"] for w in plan_json(runner, "--weeks", "3")}
    assert [r["id"] for r in as_json(invoke(runner, "history", "--pair", "ana-ben", "--json"))] == [
        top
    ]
    ok(invoke(runner, "forget", "--pair", "ana-ben", "--yes"))
    assert suggested_ids(runner, "-k", "1")[0] == top


# =========================================================================== catalog import

IDEAS_CSV = "name,time,price\nFly a kite,hours,0\nBake bread,months,0.5\nPlay chess,minutes,0\n"
IDEAS_MAP: dict[str, Any] = {
    "fields": {
        "title": "name",
        "description": "{name}, together.",
        "minutes": {"from": "time", "values": {"minutes": 20, "hours": 90}},
        "cost": {"from": "price", "scale": [0, 1, 0, 3], "round": "up"},
    },
    "defaults": {
        "intimacy": {"experiential": 0.7},
        "practice": "shared_experience",
        "relationships": ["friends", "romantic"],
        "depth": 1,
    },
}
BAD_ROW = "row 2: field 'time': value is not in the 'minutes' table; allowed: hours, minutes"


@pytest.fixture
def ideas(tmp_path: Path) -> tuple[Path, Path]:
    """A tiny CSV (row 2 has a duration the mapping does not know) and its mapping."""
    source, mapping = tmp_path / "ideas.csv", tmp_path / "ideas-map.yaml"
    source.write_text(IDEAS_CSV, encoding="utf-8")
    mapping.write_text(yaml.safe_dump(IDEAS_MAP), encoding="utf-8")
    return source, mapping


def import_args(source: Path, mapping: Path, output: Path, *extra: str) -> list[str]:
    return ["catalog", "import", str(source), "--map", str(mapping), "-o", str(output), *extra]


def test_import_lists_the_rows_it_left_out(
    runner: CliRunner, ideas: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "ideas.yaml"
    result = ok(invoke(runner, *import_args(*ideas, out)))
    assert result.stdout.startswith(f"Imported 2 of 3 rows into {out}.\n")
    assert f"  {BAD_ROW}, got 'months'" in result.stdout
    imported = rc.load_catalog(out)
    assert [(a.id, a.minutes, a.cost) for a in imported] == [
        ("fly-a-kite", 90, 0),
        ("play-chess", 20, 0),
    ]


def test_import_json_reports_counts_and_skipped_rows(
    runner: CliRunner, ideas: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "ideas.json"
    report = as_json(invoke(runner, *import_args(*ideas, out, "--json")))
    assert report == {
        "output": str(out),
        "rows": 3,
        "imported": 2,
        "left_out": 1,
        "inferred": 0,
        "skipped": [
            {
                "row": 2,
                "field": "time",
                "value": "months",
                "reason": "value is not in the 'minutes' table; allowed: hours, minutes",
                "excluded": False,
            }
        ],
        "review": [],
    }


@pytest.mark.parametrize("suffix", [".yaml", ".json", ".jsonl", ".csv"])
def test_suggest_works_on_an_imported_catalogue_of_each_format(
    runner: CliRunner, ideas: tuple[Path, Path], tmp_path: Path, suffix: str
) -> None:
    out = tmp_path / f"ideas{suffix}"
    ok(invoke(runner, *import_args(*ideas, out)))
    ids = suggested_ids(runner, "--catalog", str(out))
    assert sorted(ids) == ["fly-a-kite", "play-chess"]


def test_import_strict_fails_listing_the_bad_row_and_writes_nothing(
    runner: CliRunner, ideas: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "ideas.yaml"
    err = failed(invoke(runner, *import_args(*ideas, out, "--strict")))
    assert err == f"closer: {ideas[0]}: {BAD_ROW}, got 'months'\n"
    assert not out.exists()


@pytest.mark.parametrize("section", ["fields", "defaults"])
def test_import_with_an_unknown_mapping_key_exits_2_naming_it(
    runner: CliRunner, ideas: tuple[Path, Path], tmp_path: Path, section: str
) -> None:
    source, mapping = ideas
    bad = {**IDEAS_MAP, section: {**IDEAS_MAP[section], "colour": "name"}}
    mapping.write_text(yaml.safe_dump(bad), encoding="utf-8")
    out = tmp_path / "ideas.yaml"
    err = failed(invoke(runner, *import_args(source, mapping, out)))
    assert err.startswith(f"closer: {mapping}: field '{section}.colour': ")
    assert "got 'colour'" in err
    assert not out.exists()


def test_import_with_a_source_field_no_row_has_exits_2(
    runner: CliRunner, ideas: tuple[Path, Path], tmp_path: Path
) -> None:
    source, mapping = ideas
    mapping.write_text(yaml.safe_dump({**IDEAS_MAP, "fields": {"title": "nome"}}))
    err = failed(invoke(runner, *import_args(source, mapping, tmp_path / "x.yaml")))
    assert "field 'fields.title': source field 'nome' is in no row" in err
    assert "fields there: name, price, time" in err


def test_import_to_a_file_with_a_bad_extension_exits_2(
    runner: CliRunner, ideas: tuple[Path, Path], tmp_path: Path
) -> None:
    out = tmp_path / "ideas.txt"
    err = failed(invoke(runner, *import_args(*ideas, out)))
    assert "Invalid value for '-o' / '--output'" in err
    assert "must end in one of .yaml, .yml, .json, .jsonl, .csv, got 'ideas.txt'" in err
    assert not out.exists()


def test_import_where_no_row_maps_exits_2_listing_them(
    runner: CliRunner, ideas: tuple[Path, Path], tmp_path: Path
) -> None:
    source, mapping = ideas
    source.write_text("name,time,price\nA,months,0\nB,years,0\n")
    err = failed(invoke(runner, *import_args(source, mapping, tmp_path / "x.yaml")))
    assert err.splitlines()[0] == f"closer: {source}: no activity could be imported from 2 rows"
    assert "row 2: field 'time'" in err and "got 'years'" in err


@pytest.mark.parametrize(
    ("source_name", "message"),
    [("missing.csv", "missing.csv: no such file"), ("ideas.txt", "unsupported source format")],
)
def test_import_from_an_unreadable_source_exits_2(
    runner: CliRunner, ideas: tuple[Path, Path], tmp_path: Path, source_name: str, message: str
) -> None:
    source = tmp_path / source_name
    if source_name.endswith(".txt"):
        source.write_text(IDEAS_CSV)
    err = failed(invoke(runner, *import_args(source, ideas[1], tmp_path / "x.yaml")))
    assert message in err


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--threshold", "1.5"], "Invalid value for '--threshold'"),
        (["--bogus"], "No such option '--bogus'"),
    ],
)
def test_import_bad_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str],
    ideas: tuple[Path, Path],
    tmp_path: Path,
    extra: list[str],
    message: str,
) -> None:
    code, err = usage_exit_code(import_args(*ideas, tmp_path / "x.yaml", *extra), capsys)
    assert code == 2 and message in err


def test_import_without_a_map_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], ideas: tuple[Path, Path], tmp_path: Path
) -> None:
    argv = ["catalog", "import", str(ideas[0]), "-o", str(tmp_path / "x.yaml")]
    code, err = usage_exit_code(argv, capsys)
    assert code == 2 and "Missing option '--map'" in err


@needs_bored
def test_import_the_bored_list_then_suggest_from_it(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "bored.yaml"
    report = as_json(invoke(runner, *import_args(BORED, BORED_MAP, out, "--json")))
    imported = rc.load_catalog(out)
    assert report["imported"] == len(imported) > 100
    assert report["rows"] == report["imported"] + report["left_out"]
    assert report["inferred"] == 0 and report["review"] == []
    # The mapping leaves rows out on purpose, each with its reason; none fails.
    assert report["skipped"] and all(s["excluded"] and s["reason"] for s in report["skipped"])
    ids = suggested_ids(runner, "--catalog", str(out), "-k", "5")
    assert len(ids) == 5 and set(ids) <= set(imported.ids)


@needs_bored
def test_import_the_bored_list_with_inference_strictly(runner: CliRunner, tmp_path: Path) -> None:
    out = tmp_path / "bored.csv"
    report = as_json(
        invoke(runner, *import_args(BORED, BORED_MAP, out, "--infer", "--strict", "--json"))
    )
    imported = rc.load_catalog(out)
    assert report["inferred"] == report["imported"] == len(imported)
    review = {r["id"] for r in report["review"]}
    assert review == {a.id for a in imported if "needs-review" in a.tags}
    assert all(a.contact != rc.Contact.affectionate for a in imported)
    assert all(a.practice != rc.Practice.support for a in imported)
    people = ok(invoke(runner, "suggest", ANA, BEN, "--catalog", str(out), "-k", "3")).stdout
    assert people.startswith("1. ") and "3. " in people
    shown = re.findall(r"^\d+\. .+  \[([a-z0-9-]+)\]$", people, flags=re.MULTILINE)
    assert set(shown) <= set(imported.ids)


# =========================================================================== catalog infer-report


def test_infer_report_json_cross_validates_the_bundled_catalogue(
    runner: CliRunner, bundled: rc.Catalog
) -> None:
    report = as_json(invoke(runner, "catalog", "infer-report", "--json"))
    assert report["n_items"] == len(bundled) and report["folds"] == 5
    assert report["threshold"] == 0.5
    for key in ("macro_f1", "macro_f1_majority", "top2_accuracy", "practice_accuracy"):
        assert 0.0 <= report[key] <= 1.0
    # The model must beat guessing the most common type.
    assert report["macro_f1"] > report["macro_f1_majority"]
    assert report["meets_target"] == (report["macro_f1"] >= report["target_macro_f1"])


def test_infer_report_prints_a_table_for_people(runner: CliRunner, bundled: rc.Catalog) -> None:
    out = ok(invoke(runner, "catalog", "infer-report", "--folds", "2", "--threshold", "0.7")).stdout
    lines = out.splitlines()
    assert lines[0] == f"2-fold cross-validation on {len(bundled)} activities"
    assert lines[1].split() == ["measure", "model", "baseline", "baseline", "is"]
    assert "share with confidence >= 0.7" in out
    assert re.search(r"^Target macro-F1 >= [\d.]+: (met|not met) \(\d\.\d{3}\)\.$", lines[-1])


def test_infer_report_on_a_catalogue_too_small_to_fold_exits_2(
    runner: CliRunner, tmp_path: Path
) -> None:
    talks = conversation_catalog(tmp_path / "talks.yaml")
    err = failed(invoke(runner, "catalog", "infer-report", "--catalog", str(talks)))
    assert "folds=5 needs at least 5 activities of each strongest type" in err


@pytest.mark.parametrize("args", [["--folds", "1"], ["--folds", "21"], ["--threshold", "2"]])
def test_infer_report_bad_options_are_usage_errors(
    capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    code, err = usage_exit_code(["catalog", "infer-report", *args], capsys)
    assert code == 2 and "Invalid value for" in err


# =========================================================================== output people like


@pytest.mark.parametrize("env", [{"NO_COLOR": "1"}, {}])
def test_suggestions_off_a_terminal_are_plain_text(runner: CliRunner, env: dict[str, str]) -> None:
    result = runner.invoke(cli.main, ["suggest", ANA, BEN, "-k", "3"], env=env)
    out = ok(result).stdout
    assert out.startswith("1. ") and "\n3. " in out
    assert not BOX_DRAWING & set(out)
    assert "\x1b[" not in out  # no colour codes either


def run_on_a_terminal(
    args: Sequence[str], env: dict[str, str], tmp_path: Path
) -> tuple[int, str, str]:
    """Run the installed ``closer`` with stdout on a pseudo-terminal: (exit code, out, err)."""
    script = Path(sys.executable).with_name("closer")
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"NO_COLOR", "FORCE_COLOR", "TERM", "COLUMNS", "TTY_COMPATIBLE"}
    }
    primary, secondary = pty.openpty()
    err_path = tmp_path / "stderr.txt"
    with err_path.open("wb") as err:
        process = subprocess.Popen(
            [str(script), *args],
            stdin=subprocess.DEVNULL,
            stdout=secondary,
            stderr=err,
            env={**clean, "TERM": "xterm-256color", "COLUMNS": "160", **env},
            cwd=tmp_path,
        )
    os.close(secondary)
    chunks: list[bytes] = []
    try:
        while select.select([primary], [], [], 60)[0]:
            try:
                chunk = os.read(primary, 65536)
            except OSError:  # EIO: the program closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
        else:
            process.kill()  # stuck for a minute: fail below rather than hang the suite
    finally:
        os.close(primary)
        code = process.wait(timeout=60)
    out = b"".join(chunks).decode("utf-8", "replace").replace("\r\n", "\n")
    return code, out, err_path.read_text()


@pytest.mark.parametrize(
    ("env", "table"),
    [({}, True), ({"NO_COLOR": "1"}, False), ({"TERM": "dumb"}, False)],
)
def test_a_terminal_gets_a_table_unless_colour_is_off(
    tmp_path: Path, env: dict[str, str], table: bool
) -> None:
    code, out, err = run_on_a_terminal(["suggest", ANA, BEN, "-k", "2"], env, tmp_path)
    assert code == 0, err
    assert ("┃" in out and "━" in out) is table
    assert out.startswith("1. ") is not table


def test_a_name_with_brackets_is_shown_as_written_in_the_table(tmp_path: Path) -> None:
    odd = tmp_path / "odd.yaml"
    odd.write_text("name: '[/b]'\n")
    code, out, err = run_on_a_terminal(["suggest", str(odd), BEN, "-k", "2"], {}, tmp_path)
    assert "Traceback" not in err
    assert code == 0 and "[/b]" in out


# =========================================================================== help


def test_help_lists_every_command_of_the_contract(runner: CliRunner) -> None:
    out = ok(invoke(runner, "--help")).stdout
    listed = out.split("Commands:", 1)[1].split()
    for command in COMMANDS:
        assert command in listed


def test_catalog_help_lists_import_and_infer_report(runner: CliRunner) -> None:
    out = ok(invoke(runner, "catalog", "--help")).stdout
    assert "import" in out and "infer-report" in out


@pytest.mark.parametrize(
    "command",
    [
        ["ask"],
        ["plan"],
        ["done"],
        ["history"],
        ["forget"],
        ["catalog", "import"],
        ["catalog", "infer-report"],
    ],
)
def test_each_newer_command_has_help_with_a_worked_example(
    runner: CliRunner, command: list[str]
) -> None:
    out = ok(invoke(runner, *command, "--help")).stdout
    assert "Example:" in out
    assert "closer " + " ".join(command) in out.split("Example:", 1)[1]


def test_pair_names_in_either_order_are_the_same_pair(
    runner: CliRunner, history: Path, bundled: rc.Catalog
) -> None:
    activity = bundled.activities[0].id
    result = invoke(
        runner,
        "done",
        activity,
        "--pair",
        "Ben-Ana",
        "--ratings",
        "2",
        "5",
        "--history",
        str(history),
    )
    assert result.exit_code == 0
    assert "Recorded for ana-ben" in result.output and "ben 2, ana 5" in result.output
    listed = as_json(
        invoke(runner, "history", "--pair", "ana-ben", "--history", str(history), "--json")
    )
    assert [r["ratings"] for r in listed] == [{"ben": 2, "ana": 5}]
