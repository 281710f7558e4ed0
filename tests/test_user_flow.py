"""Issue 20's reproductions: a pair's whole flow as a user lives it."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import example, given
from hypothesis import strategies as st

import cli
import recommender as rc
from recommender.explain import GOOD_FIT
from recommender.interests import MAX_PHRASE_TERMS, SYNONYMS, interest_phrases, matches_interest
from recommender.text import analyze

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ANA, BEN = str(EXAMPLES / "ana.yaml"), str(EXAMPLES / "ben.yaml")
NOTHING_FITS = ("--minutes", "1", "--setting", "outdoor", "--remote", "--budget", "0")
APART_ONLY = (
    "mirror-each-others-movements-on-video",
    "week-long-step-challenge-apart",
    "co-op-video-game-from-two-homes",
)


def run(*args: str, code: int = 0):
    result = CliRunner().invoke(cli.main, list(args), catch_exceptions=False)
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    return result


def test_the_suggestion_list_shows_ids_that_done_accepts(tmp_path: Path) -> None:
    out = run("suggest", ANA, BEN, "-k", "3").stdout
    first = re.search(r"\[([a-z0-9-]+)\]", out)
    assert first
    history = str(tmp_path / "h.sqlite3")
    done = run(
        "done", first.group(1), "--pair", "ana-ben", "--ratings", "5", "4", "--history", history
    )
    assert "Recorded for ana-ben" in done.stdout


@pytest.mark.parametrize(
    "args",
    [
        ["done", "make-a-deck-of-feeling-card", "--pair", "ana-ben", "--ratings", "5", "4"],
        ["catalog", "show", "make-a-deck-of-feeling-card"],
        ["suggest", ANA, BEN, "--exclude", "make-a-deck-of-feeling-card"],
    ],
)
def test_a_near_id_gets_a_did_you_mean(args: list[str], tmp_path: Path) -> None:
    if args[0] == "done":
        args = [*args, "--history", str(tmp_path / "h.sqlite3")]
    err = run(*args, code=2).stderr
    assert err.startswith("closer: ") and "did you mean 'make-a-deck-of-feeling-cards'" in err
    assert not (tmp_path / "h.sqlite3").exists()


def test_the_done_help_example_is_a_real_id() -> None:
    text = run("done", "--help").stdout
    ids = set(re.findall(r"closer done ([a-z0-9-]+) ", text))
    assert ids and ids <= set(rc.default_catalog().ids)


def test_click_usage_errors_are_one_closer_line() -> None:
    err = run("suggest", ANA, "--minutes", "abc", code=2).stderr
    assert err.startswith("closer: ") and len(err.strip().splitlines()) == 1
    assert "Usage:" not in err


# ------------------------------------------------------------------ true reasons


def _activity(**fields: object) -> rc.Activity:
    base: dict[str, object] = {
        "id": "play-catch",
        "title": "Play catch in the park",
        "description": "Over tea.",
        "intimacy": {"physical": 0.8},
        "practice": "shared_experience",
        "tags": ["games", "play"],
        "relationships": ["friends"],
        "depth": 1,
        "minutes": 20,
    }
    base.update(fields)
    return rc.Activity.model_validate(base)


def test_video_games_is_not_claimed_for_catch_chalk_or_chess() -> None:
    for title in ("Play catch in the park", "Leave chalk messages", "Play park chess"):
        assert not matches_interest(_activity(title=title), "video games")
    assert matches_interest(_activity(title="Team up in a cooperative video game"), "video games")


def test_tea_in_a_description_is_not_an_interest_match() -> None:
    assert not matches_interest(_activity(), "tea")
    assert matches_interest(_activity(steps=["Brew a pot of tea together."]), "tea")


#: Words whose endings every stemming rule cuts, and their relatives.
_WORDS = (
    "stories story storytelling cooking cook cooked cookies bake baked baking cake "
    "dance dancing danced games game gaming video board chess cards glasses tea teas "
    "hiking hike hikes trail walk walked walking garden gardens plants seeds movie "
    "movies film films photo photos reading read aloud books novel music songs"
).split()


@given(
    title=st.lists(st.sampled_from(_WORDS), max_size=6).map(" ".join),
    steps=st.lists(
        st.lists(st.sampled_from(_WORDS), min_size=1, max_size=6).map(" ".join), max_size=3
    ),
    tags=st.lists(
        st.sampled_from(["board-games", "tea", "stories", "hiking", "video-game"]),
        max_size=2,
        unique=True,
    ),
    interest=st.one_of(
        st.sampled_from(sorted(SYNONYMS)),
        st.sampled_from(_WORDS),
        st.lists(st.sampled_from(_WORDS), min_size=2, max_size=3).map(" ".join),
    ),
)
# A match through a synonym alone, which shares no piece with the interest itself.
@example(title="play chess", steps=[], tags=[], interest="board games")
def test_interest_matching_is_a_phrase_within_one_text(
    title: str, steps: list[str], tags: list[str], interest: str
) -> None:
    fields = {"steps": steps} if steps else {}
    activity = _activity(title=title.capitalize() or "Play", tags=tags, **fields)
    # The definition, spelled out: every run of up to MAX_PHRASE_TERMS analysed terms
    # of the title, one tag or one step; the interest or a synonym must be one of them.
    runs = set()
    for text in (activity.title, *(t.replace("-", " ") for t in activity.tags), *activity.steps):
        words = analyze(text)
        for n in range(1, MAX_PHRASE_TERMS + 1):
            runs.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    expected = any(p in runs for p in interest_phrases(interest))
    assert matches_interest(activity, interest) == expected


def test_an_inflected_word_matches_its_interest() -> None:
    assert matches_interest(_activity(title="Tell bedtime stories"), "story")
    assert matches_interest(_activity(title="Bake bread", tags=["baking"]), "baking")
    assert not matches_interest(_activity(title="Walk the dog"), "cooking")


def test_no_suggestion_claims_an_interest_its_activity_lacks(model: rc.Recommender) -> None:
    tom = rc.PersonProfile(name="Tom", interests=["video games"])
    sam = rc.PersonProfile(name="Sam", interests=["tea"])
    for s in model.recommend(tom, sam, rc.PairContext(relationship="friends"), k=20):
        text = " ".join(s.reasons)
        if "enjoys video games" in text or "enjoy video games" in text:
            assert matches_interest(s.activity, "video games")
        if "enjoys tea" in text or "enjoy tea" in text:
            assert matches_interest(s.activity, "tea")


def test_a_neutral_fit_is_never_called_a_good_fit(model: rc.Recommender) -> None:
    assert GOOD_FIT > 0.5
    ana = rc.PersonProfile(name="Ana", intimacy={"emotional": 1.0}, interests=["cooking"])
    ben = rc.PersonProfile(name="Ben")  # no preferences: every fit is a neutral 0.5
    for s in model.recommend(ana, ben, rc.PairContext(relationship="friends"), k=10):
        assert not any("good fit for Ben" in r for r in s.reasons)


def test_reason_codes_align_with_reasons(model: rc.Recommender, ana, ben) -> None:
    for s in model.recommend(ana, ben, rc.PairContext(obstacles={"criticism"}), k=10):
        assert len(s.reason_codes) == len(s.reasons) >= 1
        assert all(re.fullmatch(r"[a-z_]+", c) for c in s.reason_codes)
    records = json.loads(run("suggest", ANA, BEN, "--json").stdout)
    assert all(len(r["reason_codes"]) == len(r["reasons"]) for r in records)


# ------------------------------------------------------------------ apart, defaults, JSON


def test_parent_and_teen_at_home_get_no_apart_only_activities(
    model: rc.Recommender,
) -> None:
    parent = rc.PersonProfile(name="Pat", age=45)
    teen = rc.PersonProfile(name="Teo", age=15)
    home = rc.PairContext(relationship="parent-child")
    ids = {s.activity.id for s in model.recommend(parent, teen, home, k=50)}
    assert not ids & set(APART_ONLY)
    apart = home.model_copy(update={"remote": True})
    assert {s.activity.id for s in model.recommend(parent, teen, apart, k=50)} & set(APART_ONLY)


def test_apart_only_items_need_remote(model: rc.Recommender, ana, ben) -> None:
    home = model.diagnose(ana, ben, rc.PairContext(relationship="friends"))
    assert home.total
    masks_home = {s.activity.id for s in model.recommend(ana, ben, rc.PairContext(), k=50)}
    assert not masks_home & set(APART_ONLY)
    for item in APART_ONLY:
        assert model.catalog_[item].presence is rc.Presence.apart


def test_without_relationship_the_pair_is_friends_and_it_is_said() -> None:
    result = run("suggest", ANA, BEN, "--json")
    assert "as friends (the default" in result.stderr
    assert json.loads(result.stdout)
    text = run("suggest", ANA, BEN, "-k", "2").stdout
    assert text.rstrip().endswith("as friends (the default; choose with --relationship).")
    chosen = run("plan", ANA, BEN, "--weeks", "1", "--relationship", "romantic")
    assert chosen.stdout.rstrip().endswith("For Ana and Ben, as a couple.")
    assert (
        "as a couple" not in run("suggest", ANA, BEN, "--relationship", "romantic", "--json").stderr
    )


@pytest.mark.parametrize("command", ["suggest", "ask", "plan"])
def test_json_when_nothing_fits_is_an_empty_list_with_exit_1(command: str) -> None:
    result = run(command, ANA, BEN, *NOTHING_FITS, "--json", code=1)
    assert json.loads(result.stdout) == []
    assert result.stderr.startswith("closer: n")  # nothing fits / no conversation prompts fit


# ------------------------------------------------------------------ history and pairs


def test_accented_and_dashed_names_are_one_pair_and_pairs_lists_it(tmp_path: Path) -> None:
    history = str(tmp_path / "h.sqlite3")
    some = "make-a-deck-of-feeling-cards"
    run("done", some, "--pair", "josé maría", "--ratings", "5", "4", "--history", history)
    run("done", some, "--pair", "jose-maria", "--skip", "--history", history)
    assert json.loads(run("pairs", "--history", history, "--json").stdout) == ["jose-maria"]
    records = json.loads(
        run("history", "--pair", "JOSE_MARIA", "--history", history, "--json").stdout
    )
    assert [r["skipped"] for r in records] == [True, False]
    assert records[0]["ratings"] == {}


def test_undo_and_delete_remove_one_record_each(tmp_path: Path) -> None:
    history = str(tmp_path / "h.sqlite3")
    for some in ("make-a-deck-of-feeling-cards", "trade-three-good-things-before-bed"):
        run("done", some, "--pair", "ana-ben", "--ratings", "4", "4", "--history", history)
    assert (
        "trade-three-good-things-before-bed"
        in run("undo", "--pair", "ana-ben", "--history", history).stdout
    )
    left = json.loads(run("history", "--pair", "ana-ben", "--history", history, "--json").stdout)
    assert [r["id"] for r in left] == ["make-a-deck-of-feeling-cards"]
    run("history", "--pair", "ana-ben", "--delete", str(left[0]["record"]), "--history", history)
    assert (
        json.loads(run("history", "--pair", "ana-ben", "--history", history, "--json").stdout) == []
    )
    run("history", "--pair", "ana-ben", "--delete", "99", "--history", history, code=2)


def test_ask_daily_is_one_card_that_changes_day_by_day(model: rc.Recommender, ana, ben) -> None:
    import datetime as dt

    from recommender.conversation import daily_prompt

    days = [dt.date(2026, 3, 1) + dt.timedelta(days=i) for i in range(40)]
    cards = [daily_prompt(model, ana, ben, rc.PairContext(), day=d, pair="ana-ben") for d in days]
    assert len({c.prompt for c in cards if c}) == 40
    assert len(json.loads(run("ask", ANA, BEN, "--daily", "--json").stdout)) == 1


# ------------------------------------------------------------------ plans


def test_plan_defaults_to_four_weeks_with_dates_and_exports_a_calendar(tmp_path: Path) -> None:
    import icalendar

    weeks = json.loads(run("plan", ANA, BEN, "--start", "2026-01-05", "--json").stdout)
    assert [w["date"] for w in weeks] == ["2026-01-05", "2026-01-12", "2026-01-19", "2026-01-26"]
    ics = tmp_path / "plan.ics"
    run("plan", ANA, BEN, "--start", "2026-01-05", "--export", str(ics))
    events = list(icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT"))
    assert len(events) == 4
    assert str(events[0].decoded("dtstart")) == "2026-01-05"
    assert ics.stat().st_mode & 0o777 == 0o600
    md = tmp_path / "plan.md"
    run("plan", ANA, BEN, "--export", str(md))
    assert md.read_text().count("## Week ") == 4
    run("plan", ANA, BEN, "--export", str(tmp_path / "plan.pdf"), code=2)


# ------------------------------------------------------------------ on a real terminal


def _on_a_terminal(args: list[str], cwd: Path) -> str:
    import os
    import sys

    import pexpect

    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
    env["TERM"] = "xterm-256color"
    closer = str(Path(sys.executable).parent / "closer")
    child = pexpect.spawn(
        closer, args, cwd=str(cwd), env=env, encoding="utf-8", dimensions=(50, 120), timeout=120
    )
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0, child.before
    return str(child.before)


def test_a_terminal_table_has_an_id_column_and_prompts_are_styled(tmp_path: Path) -> None:
    table = _on_a_terminal(["suggest", ANA, BEN, "-k", "2", "--relationship", "romantic"], tmp_path)
    assert "┃" in table and " ID " in table and "closer done ID" in table
    prompts = _on_a_terminal(["ask", ANA, BEN, "-n", "2", "--relationship", "friends"], tmp_path)
    assert "\x1b[1mDepth 1" in prompts  # bold level headings


def test_an_import_with_inference_shows_progress_on_a_terminal(tmp_path: Path) -> None:
    sample = ["catalog", "import", str(EXAMPLES / "bored-sample.jsonl")]
    mapping = ["--map", str(EXAMPLES / "bored-map.yaml")]
    shown = _on_a_terminal([*sample, *mapping, "-o", "bored.yaml", "--infer"], tmp_path)
    assert "Importing bored-sample.jsonl and inferring types" in shown
    piped = run(*sample, *mapping, "-o", str(tmp_path / "again.yaml"), "--infer")
    assert "Importing" not in piped.output


def test_ask_one_shows_a_card_and_waits_for_enter_q_stops() -> None:
    result = CliRunner().invoke(
        cli.main,
        ["ask", ANA, BEN, "-n", "5", "--one", "--relationship", "friends"],
        input="\nq\n",
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert "1/5" in result.stdout and "2/5" in result.stdout and "3/5" not in result.stdout
    assert result.output.count("Enter: next card") == 2


def test_ask_puts_themes_the_pair_already_did_after_fresh_ones(tmp_path: Path) -> None:
    history = str(tmp_path / "h.sqlite3")
    args = ["ask", ANA, BEN, "-n", "3", "--relationship", "friends", "--json", "--history", history]
    first = json.loads(run(*args).stdout)
    done = first[0]["id"]
    # Done long ago (outside the 90-day window): allowed again, but no longer first.
    run(
        "done",
        done,
        "--pair",
        "ana-ben",
        "--ratings",
        "4",
        "4",
        "--date",
        "2020-01-01",
        "--history",
        history,
    )
    again = json.loads(run(*args).stdout)
    assert again[0]["id"] != done


def test_a_typo_in_pair_is_not_silent(tmp_path: Path) -> None:
    history = str(tmp_path / "h.sqlite3")
    some = "make-a-deck-of-feeling-cards"
    first = run("done", some, "--pair", "ana-ben", "--ratings", "5", "4", "--history", history)
    assert "new pair" not in first.stderr
    typo = run("done", some, "--pair", "ana-bne", "--ratings", "5", "4", "--history", history)
    assert "'ana-bne' is a new pair; did you mean 'ana-ben'?" in typo.stderr


# ------------------------------------------------------------------ cards seen, the kind remembered


def _prompts(*args: str) -> list[str]:
    return [p["prompt"] for p in json.loads(run("ask", ANA, BEN, "--json", *args).stdout)]


def test_two_ask_sessions_for_the_same_pair_give_different_cards(tmp_path: Path) -> None:
    history = tmp_path / "h.sqlite3"
    first = _prompts("--history", str(history))
    second = _prompts("--history", str(history))
    assert len(first) == len(second) == 10 and not set(first) & set(second)
    assert history.stat().st_mode & 0o777 == 0o600
    assert set(_prompts()).isdisjoint(_prompts())  # the default history as well


def test_ask_no_history_neither_reads_nor_keeps_the_cards(tmp_path: Path) -> None:
    history = tmp_path / "h.sqlite3"
    first = _prompts("--history", str(history), "--no-history")
    assert _prompts("--history", str(history), "--no-history") == first
    assert not history.exists()
    assert _prompts("--history", str(history)) == first  # nothing was kept


def test_ask_one_keeps_only_the_cards_it_showed(tmp_path: Path) -> None:
    history = str(tmp_path / "h.sqlite3")
    deck = _prompts("-n", "5", "--no-history")
    result = CliRunner().invoke(
        cli.main, ["ask", ANA, BEN, "-n", "5", "--one", "--history", history], input="\nq\n"
    )
    assert result.exit_code == 0 and deck[1] in result.stdout and deck[2] not in result.stdout
    after = _prompts("-n", "5", "--history", history)
    assert not set(after) & set(deck[:2]) and deck[2] in after


def test_ask_still_shows_its_cards_when_the_history_cannot_be_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recommender.store import History

    def refuse(self: History, pair: str, cards: list[str]) -> int:
        raise rc.StoreError(f"{self.path}: cannot record the cards shown: the disk is full")

    monkeypatch.setattr(History, "mark_shown", refuse)
    result = run("ask", ANA, BEN, "-n", "2", "--history", str(tmp_path / "h.sqlite3"))
    assert "Questions for Ana and Ben" in result.stdout
    assert result.stderr == (
        f"closer: note: {tmp_path / 'h.sqlite3'}: cannot record the cards shown: the disk is "
        "full (not kept; the rest is done)\n"
    )


def test_the_relationship_is_remembered_for_the_pair_and_always_said(tmp_path: Path) -> None:
    history = ["--history", str(tmp_path / "h.sqlite3")]
    first = run("suggest", ANA, BEN, "-k", "1", *history).stdout
    assert first.rstrip().endswith("as friends (the default; choose with --relationship).")
    chosen = run("plan", ANA, BEN, "--weeks", "1", "--relationship", "romantic", *history)
    assert chosen.stdout.rstrip().endswith("For Ana and Ben, as a couple.")
    later = run("suggest", ANA, BEN, "-k", "1", *history).stdout
    assert later.rstrip().endswith(
        "For Ana and Ben, as a couple (from the history of ana-ben; choose with --relationship)."
    )
    asked = run("ask", ANA, BEN, "-n", "1", "--json", *history)
    assert json.loads(asked.stdout)[0]["prompt"]  # stdout stays the document alone
    assert "as a couple (from the history of ana-ben" in asked.stderr
    assert "as friends (the default" in run("suggest", ANA, BEN, "--no-history", *history).stdout
    run("suggest", ANA, BEN, "--relationship", "colleagues", *history)
    run("suggest", ANA, BEN, "--relationship", "romantic", "--no-history", *history)  # not kept
    assert "as colleagues (from the history" in run("ask", ANA, BEN, "-n", "1", *history).stdout
    run("forget", "--pair", "ana-ben", "--yes", *history)
    assert "as friends (the default" in run("suggest", ANA, BEN, *history).stdout


def test_the_remembered_kind_changes_what_is_suggested(
    model: rc.Recommender, tmp_path: Path
) -> None:
    history = ["--history", str(tmp_path / "h.sqlite3")]
    run("suggest", ANA, BEN, "-k", "1", "--relationship", "colleagues", *history)
    ids = [
        s["id"] for s in json.loads(run("suggest", ANA, BEN, "-k", "20", "--json", *history).stdout)
    ]
    assert all(rc.Relationship.colleagues in model.catalog_[i].relationships for i in ids)


def test_an_older_history_that_cannot_be_upgraded_is_still_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from recommender import store

    path = tmp_path / "h.sqlite3"
    top = json.loads(run("suggest", ANA, BEN, "-k", "1", "--json", "--no-history").stdout)
    some = top[0]["id"]
    with monkeypatch.context() as old:  # a history written before cards were kept
        old.setattr(store, "MIGRATIONS", store.MIGRATIONS[:3])
        old.setattr(store, "SCHEMA_VERSION", 3)
        with store.History(path) as written:
            written.record("ana-ben", some, {"ana": 5, "ben": 4})

    def refuse(self: store.History, conn: object) -> None:
        raise rc.StoreError(f"{self.path}: cannot open the history: the file is read-only")

    monkeypatch.setattr(store.History, "_migrate", refuse)  # a read-only file or folder
    listed = run("suggest", ANA, BEN, "-k", "50", "--json", "--history", str(path))
    ids = [s["id"] for s in json.loads(listed.stdout)]
    assert ids and some not in ids  # the record was read: done today, not suggested
