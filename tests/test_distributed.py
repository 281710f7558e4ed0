"""Batch suggestions on a real Dask LocalCluster: same lists as one process, bad rows
set aside, a killed worker's blocks redone, every pair in the output exactly once."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import recommender as rc
from benchmarks.synth import random_pairs

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

from recommender.distributed import (  # noqa: E402 - after the optional imports
    DaskMissingError,
    errors_path,
    plan_blocks,
    read_block,
    recommend_pairs,
    write_batch,
)

K = 5
N_PAIRS = 2_000
TODAY = dt.date(2026, 11, 30)

Triple = tuple[rc.PersonProfile, rc.PersonProfile, rc.PairContext]


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """One real two-process cluster for the module (starting one takes 2-3 s)."""
    with (
        distributed.LocalCluster(
            n_workers=2,
            processes=True,
            threads_per_worker=1,
            host="127.0.0.1",
            dashboard_address=None,
            # The scheduler's health-check HTTP server takes a free port, not 8787,
            # which another cluster on the machine may hold (a UserWarning, an error here).
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
        ) as cluster,
        distributed.Client(cluster) as connected,
    ):
        yield connected


@pytest.fixture(scope="module")
def triples(model: rc.Recommender) -> list[Triple]:
    return random_pairs(model.catalog_, N_PAIRS, seed=18, safety_rate=0.02)


def row_of(triple: Triple, **extra: Any) -> dict[str, Any]:
    a, b, ctx = triple
    return {
        "a": a.model_dump(mode="json"),
        "b": b.model_dump(mode="json"),
        "context": ctx.model_dump(mode="json"),
        **extra,
    }


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    return path


def as_lists(frame: Any) -> dict[int, list[tuple[Any, ...]]]:
    """row -> [(rank, id, score, fit_a, fit_b, reasons), ...] in rank order."""
    out: dict[int, list[tuple[Any, ...]]] = {}
    ordered = frame.sort_values(["row", "rank"])
    for row, rank, id_, score, fit_a, fit_b, reasons in ordered[
        ["row", "rank", "id", "score", "fit_a", "fit_b", "reasons"]
    ].itertuples(index=False, name=None):
        out.setdefault(int(row), []).append((int(rank), id_, score, fit_a, fit_b, tuple(reasons)))
    return out


def expected_lists(lists: list[list[rc.Suggestion]]) -> dict[int, list[tuple[Any, ...]]]:
    return {
        row: [
            (rank, s.activity.id, s.score, s.scores[0], s.scores[1], tuple(s.reasons))
            for rank, s in enumerate(suggestions, start=1)
        ]
        for row, suggestions in enumerate(lists)
        if suggestions
    }


def test_distributed_results_equal_recommend_many_on_2000_pairs(
    client: Any, model: rc.Recommender, triples: list[Triple], tmp_path: Path
) -> None:
    pairs = write_jsonl(tmp_path / "pairs.jsonl", [row_of(t) for t in triples])
    frame = recommend_pairs(
        model, pairs, k=K, client=client, partition_size=250, model_dir=tmp_path
    )
    assert frame.npartitions == 8
    got = frame.compute()
    assert list(got.columns) == ["row", "pair", "rank", "id", "score", "fit_a", "fit_b", "reasons"]
    assert as_lists(got) == expected_lists(model.recommend_many(triples, k=K))
    names = dict(zip(got["row"], got["pair"], strict=True))
    assert names[0] == rc.pair_name(triples[0][0].name, triples[0][1].name)


def test_the_model_reaches_each_worker_as_a_file_not_a_pickle(
    client: Any, model: rc.Recommender, tmp_path: Path
) -> None:
    from recommender import distributed as rd

    handle = rd.model_file(model, "fair", tmp_path)
    assert Path(handle.path).parent == tmp_path.resolve() and handle.path.endswith(".npz")
    # Each worker process loads it once and keeps it; a task carries only path and digest.
    sizes = client.run(rd._preload, handle)
    assert sorted(sizes.values()) == [len(model.activity_ids_)] * 2
    cached = client.run(lambda: [h.path for h in rd._LOADED])
    assert all(handle.path in paths for paths in cached.values())
    import pickle

    assert len(pickle.dumps(handle)) < 1_000


def test_parquet_input_with_json_text_or_struct_profiles_gives_the_same_lists(
    client: Any, model: rc.Recommender, triples: list[Triple], tmp_path: Path
) -> None:
    chosen = triples[:120]
    rows = [row_of(t) for t in chosen]
    as_text = pd.DataFrame({c: [json.dumps(r[c]) for r in rows] for c in ("a", "b", "context")})
    as_text.to_parquet(tmp_path / "text.parquet")
    structs = pd.DataFrame({c: [r[c] for r in rows] for c in ("a", "b", "context")})
    structs.to_parquet(tmp_path / "structs.parquet")
    want = expected_lists(model.recommend_many(chosen, k=K))
    for name in ("text.parquet", "structs.parquet"):
        got = recommend_pairs(
            model, tmp_path / name, k=K, partition_size=50, model_dir=tmp_path
        ).compute()
        assert as_lists(got) == want, name


def test_a_dask_dataframe_of_pairs_keeps_its_row_numbers(
    client: Any, model: rc.Recommender, triples: list[Triple], tmp_path: Path
) -> None:
    chosen = triples[:60]
    rows = [row_of(t) for t in chosen]
    table = pd.DataFrame({c: [json.dumps(r[c]) for r in rows] for c in ("a", "b", "context")})
    frame = dd.from_pandas(table, npartitions=3)
    got = recommend_pairs(model, frame, k=K, model_dir=tmp_path).compute()
    assert as_lists(got) == expected_lists(model.recommend_many(chosen, k=K))


def test_history_in_batch_matches_recommend_with_the_same_history(
    client: Any, model: rc.Recommender, triples: list[Triple], tmp_path: Path
) -> None:
    chosen = triples[:80]
    path = tmp_path / "history.sqlite3"
    with rc.History(path) as store:
        for number, (a, b, _) in enumerate(chosen[:40]):
            pair = f"pair-{number}"
            done = model.recommend_many([chosen[number]], k=3)[0]
            for rank, s in enumerate(done):
                ratings = {a.name: 5 - 2 * rank, b.name: 1 + rank} if a.name != b.name else {}
                store.record(pair, s.activity.id, ratings, day=TODAY - dt.timedelta(days=rank + 1))
        snapshots = [store.for_pair(f"pair-{i}", TODAY) for i in range(len(chosen))]
    rows = [row_of(t, pair=f"pair-{i}") for i, t in enumerate(chosen)]
    pairs = write_jsonl(tmp_path / "pairs.jsonl", rows)
    got = recommend_pairs(
        model, pairs, k=K, history=path, today=TODAY, partition_size=30, model_dir=tmp_path
    ).compute()
    one_at_a_time = [
        model.recommend(*t, k=K, history=snap) for t, snap in zip(chosen, snapshots, strict=True)
    ]
    assert as_lists(got) == expected_lists(one_at_a_time)
    # The history changed something, or this test would prove nothing.
    assert expected_lists(one_at_a_time) != expected_lists(model.recommend_many(chosen, k=K))


def test_a_history_per_shard_applies_each_files_own_history(
    client: Any, model: rc.Recommender, triples: list[Triple], tmp_path: Path
) -> None:
    chosen = triples[:40]
    (tmp_path / "in").mkdir()
    (tmp_path / "h").mkdir()
    for shard in (0, 1):
        part = chosen[shard * 20 : (shard + 1) * 20]
        write_jsonl(tmp_path / "in" / f"p-{shard}.jsonl", [row_of(t, pair="same") for t in part])
    # Only shard 0 has a history; shard 1's pairs have none yet.
    with rc.History(tmp_path / "h" / "p-0.sqlite3") as store:
        for s in model.recommend_many(chosen[:1], k=3)[0]:
            store.record("same", s.activity.id, {}, day=TODAY - dt.timedelta(days=2))
        snapshot = store.for_pair("same", TODAY)
    got = recommend_pairs(
        model,
        str(tmp_path / "in" / "p-*.jsonl"),
        k=K,
        history=str(tmp_path / "h" / "{stem}.sqlite3"),
        today=TODAY,
        partition_size=8,
        model_dir=tmp_path,
    ).compute()
    want = [model.recommend(*t, k=K, history=snapshot) for t in chosen[:20]]
    want += [model.recommend(*t, k=K) for t in chosen[20:]]
    assert as_lists(got) == expected_lists(want)


def test_a_bad_row_goes_to_the_errors_and_every_good_pair_is_written_once(
    client: Any, model: rc.Recommender, triples: list[Triple], tmp_path: Path
) -> None:
    chosen = triples[:300]
    rows: list[Any] = [row_of(t) for t in chosen]
    rows[7]["a"]["max_depth"] = 9
    rows[150] = {"a": {"name": "Cy"}}  # no b
    lines = [json.dumps(r) for r in rows]
    lines[222] = "{not json"
    (tmp_path / "pairs.jsonl").write_text("\n".join(lines) + "\n")
    summary = write_batch(
        model,
        tmp_path / "pairs.jsonl",
        tmp_path / "out.parquet",
        client=client,
        k=K,
        partition_size=64,
    )
    bad = {7, 150, 222}
    assert [e.row for e in summary.errors] == sorted(bad)
    reasons = {e.row: e.error for e in summary.errors}
    assert reasons[7] == (
        f"{tmp_path / 'pairs.jsonl'}: line 8: a: field 'max_depth': "
        "Input should be less than or equal to 5, got 9"
    )
    assert "line 151: b: missing" in reasons[150]
    assert "line 223: not valid JSON" in reasons[222]
    assert all("\n" not in reason for reason in reasons.values())
    good = [t for i, t in enumerate(chosen) if i not in bad]
    got = pd.read_parquet(tmp_path / "out.parquet")
    assert not got.duplicated(["row", "rank"]).any()
    want = expected_lists(model.recommend_many(good, k=K))
    good_rows = [i for i in range(len(chosen)) if i not in bad]
    assert as_lists(got) == {good_rows[i]: v for i, v in want.items()}
    assert summary.pairs == len(good) and summary.rows == len(chosen)


def test_the_output_is_owner_only_and_replaces_the_old_one_whole(
    client: Any, model: rc.Recommender, triples: list[Triple], tmp_path: Path
) -> None:
    out = tmp_path / "out.parquet"
    out.mkdir()
    (out / "part-09999.parquet").write_text("stale")
    pairs = write_jsonl(tmp_path / "pairs.jsonl", [row_of(t) for t in triples[:50]])
    write_batch(model, pairs, out, client=client, k=K, partition_size=20)
    # A part file per block (the last ones shrink for the two workers), the stale one gone.
    parts = len(plan_blocks([str(pairs)], 20, workers=2))
    assert sorted(p.name for p in out.iterdir()) == [f"part-{i:05d}.parquet" for i in range(parts)]
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    assert {stat.S_IMODE(p.stat().st_mode) for p in out.iterdir()} == {0o600}
    # Nothing is left beside it: no staging folder, no saved model.
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.parquet", "pairs.jsonl"]


def slow_block(block: tuple[int, list[str]]) -> Any:
    """A block of input that takes a while to read, so a worker can die holding it."""
    first_row, rows = block
    time.sleep(0.4)
    records = [json.loads(r) for r in rows]
    columns = {c: [json.dumps(r[c]) for r in records] for c in ("a", "b", "context")}
    return pd.DataFrame({"row": range(first_row, first_row + len(rows)), **columns})


def test_a_worker_killed_mid_job_is_retried_and_every_pair_is_written_once(
    client: Any, model: rc.Recommender, triples: list[Triple], tmp_path: Path
) -> None:
    import cloudpickle

    cloudpickle.register_pickle_by_value(sys.modules[__name__])  # workers may not import tests
    chosen = triples[:400]
    lines = [json.dumps(row_of(t)) for t in chosen]
    blocks = [(i, lines[i : i + 40]) for i in range(0, len(lines), 40)]
    meta = pd.DataFrame(
        {"row": pd.Series([], dtype="int64")}
        | {c: pd.Series([], dtype=object) for c in ("a", "b", "context")}
    )
    frame = dd.from_map(slow_block, blocks, meta=meta)
    before = client.run(os.getpid)
    killed: list[int] = []

    def kill_one(done: int, total: int) -> None:
        if done >= 1 and not killed:
            pid = next(iter(before.values()))
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)

    summary = write_batch(
        model, frame, tmp_path / "out.parquet", client=client, k=K, progress=kill_one
    )
    assert killed and summary.errors == ()
    after = client.run(os.getpid)
    assert killed[0] not in after.values()  # the nanny started a new process
    got = pd.read_parquet(tmp_path / "out.parquet")
    assert not got.duplicated(["row", "rank"]).any()
    assert as_lists(got) == expected_lists(model.recommend_many(chosen, k=K))


@settings(max_examples=40, deadline=None)
@given(
    lengths=st.lists(st.integers(0, 30), max_size=60),
    size=st.integers(1, 9),
    ends_with_newline=st.booleans(),
    workers=st.integers(1, 3),
)
def test_blocks_cover_every_line_once_and_number_rows_across_files(
    tmp_path_factory: pytest.TempPathFactory,
    lengths: list[int],
    size: int,
    ends_with_newline: bool,
    workers: int,
) -> None:
    folder = tmp_path_factory.mktemp("blocks")
    texts = [json.dumps({"pair": "p" * n}) if n else "" for n in lengths]
    first = folder / "a.jsonl"
    content = "\n".join(texts) + ("\n" if ends_with_newline and texts else "")
    first.write_text(content)
    texts = content.removesuffix("\n").split("\n") if content else []  # the file's lines
    second = write_jsonl(folder / "b.jsonl", [{"pair": "second"}])
    blocks = plan_blocks([str(first), str(second)], size, workers)
    assert all(0 < b.rows <= size for b in blocks)
    frames = [read_block(b) for b in blocks]
    rows = [r for f in frames for r in f["row"].tolist()]
    lines = [line for f in frames for line in f["line"].tolist()]
    expected = [i for i, t in enumerate(texts) if t]
    assert rows == [*expected, len(texts)]
    assert lines == [texts[i] for i in expected] + [json.dumps({"pair": "second"})]


def test_without_dask_the_batch_names_the_extra_to_install(
    monkeypatch: pytest.MonkeyPatch, model: rc.Recommender, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(DaskMissingError, match=r'pip install "closer-recommender\[dask\]"'):
        recommend_pairs(model, tmp_path / "pairs.jsonl", k=K)


def test_a_missing_pairs_file_is_bad_input_before_any_work(
    model: rc.Recommender, tmp_path: Path
) -> None:
    with pytest.raises(rc.ConfigError, match=r"nowhere\.jsonl: no such file of pairs"):
        recommend_pairs(model, tmp_path / "nowhere.jsonl", k=K)


def run_cli(args: list[str]) -> Any:
    from click.testing import CliRunner

    import cli

    return CliRunner().invoke(cli.main, args, catch_exceptions=False)


def test_closer_batch_on_an_existing_scheduler_writes_parquet_and_counts_failed_rows(
    client: Any, triples: list[Triple], tmp_path: Path
) -> None:
    rows: list[Any] = [row_of(t) for t in triples[:100]]
    rows[3]["b"]["budget"] = 7
    pairs = write_jsonl(tmp_path / "pairs.jsonl", rows)
    out = tmp_path / "out.parquet"
    address = client.scheduler.address
    result = run_cli(["batch", str(pairs), "--out", str(out), "--scheduler", address, "-k", "3"])
    assert result.exit_code == 1
    assert "closer: 1 of 100 rows failed" in result.stderr
    failed = [json.loads(line) for line in errors_path(out).read_text().splitlines()]
    assert failed == [
        {
            "row": 3,
            "pair": None,
            "error": f"{pairs}: line 4: b: field 'budget': "
            "Input should be less than or equal to 3, got 7",
        }
    ]
    assert stat.S_IMODE(errors_path(out).stat().st_mode) == 0o600
    got = pd.read_parquet(out)
    assert set(got["row"]) <= set(range(100)) - {3} and got["rank"].max() == 3
    rows[3]["b"]["budget"] = 2
    write_jsonl(pairs, rows)
    again = run_cli(["batch", str(pairs), "--out", str(out), "--scheduler", address])
    assert again.exit_code == 0, again.stderr
    assert errors_path(out).read_text() == ""


def test_closer_batch_without_a_scheduler_starts_a_local_cluster(
    triples: list[Triple], tmp_path: Path
) -> None:
    pairs = write_jsonl(tmp_path / "pairs.jsonl", [row_of(t) for t in triples[:6]])
    out = tmp_path / "out.parquet"
    result = run_cli(["batch", str(pairs), "--out", str(out), "--workers", "1", "-k", "2"])
    assert result.exit_code == 0, result.stderr
    assert sorted(set(pd.read_parquet(out)["row"])) == list(range(6))
    assert f"for 6 pairs to {out}" in result.stdout


def test_closer_batch_refuses_both_a_scheduler_and_workers(tmp_path: Path) -> None:
    result = run_cli(
        ["batch", "p.jsonl", "--out", "o.parquet", "--scheduler", "tcp://x:1", "--workers", "2"]
    )
    assert result.exit_code == 2 and "not both" in result.output
