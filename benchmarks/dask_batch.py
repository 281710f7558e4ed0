"""Throughput of batch suggestions on Dask against ``recommend_many`` in one process (issue 18).

Usage::

    python benchmarks/dask_batch.py           # 100k items, k = 10, 8,192 pairs (~5 minutes)
    python benchmarks/dask_batch.py --quick   # 10k items, 2,048 pairs (~2 minutes)

Prints one table of pairs per second and the targets, and the projection
for 10^7 pairs on 64 cores; writes it as JSON to
``benchmarks/results/dask_batch.json``.

How it measures, all in one run on the same synthetic catalogue and pairs
(:mod:`benchmarks.synth`), so that every row sees the same machine:

* **one process**: ``Recommender.recommend_many`` on the pairs, already
  parsed (the issue's baseline), and, as a second baseline, reading the same
  JSON Lines file and validating every profile first (the work a worker does);
* **LocalCluster, 1 worker / 2 workers** (processes, one thread each):
  :func:`recommender.distributed.write_batch` from the JSON Lines file to a
  Parquet folder, end to end: reading, validating, scoring and writing.
  Cluster start-up and each worker's one-off model load are outside the
  timing (a warm-up batch loads the model), as they are paid once per job;
* each case is timed ``--repeats`` times, interleaved (baseline, 1 worker,
  2 workers, baseline, ...), and the median is reported, as wall-clock pairs
  per second and as pairs per CPU-second (this process's CPU time; for a
  batch, the CPU time of its tasks' threads, ``BatchSummary.cpu_seconds``),
  which a shared machine inflates far less than wall-clock time;
* for each batch, where the cores' time went: the tasks' own CPU time, the
  rest of the worker processes' CPU time (Dask's event loop, heartbeats,
  monitors), and this process's CPU time, which in a LocalCluster is the
  scheduler's, the nannies' and the client's (they share its event loop).
  From these, the **CPU-bound ceiling** of the 2-worker speedup: the speedup
  an otherwise idle machine with ``cores`` cores would give if the only losses
  were the ones measured (tasks slower when two run at once, Dask's own CPU,
  which goes with time, as a share ``d`` of the cores),
  ``1w tasks / (2w tasks / (cores - d))`` (see :func:`ceiling`).

Run it as ``nice -n -5 python benchmarks/dask_batch.py`` on a shared machine
(the workers inherit the priority); the load average before each repeat is
printed and kept in the JSON.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import json
import os
import platform
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

try:
    from .synth import Triple, random_pairs, synthetic_catalog
except ImportError:  # run as a script: python benchmarks/dask_batch.py
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from benchmarks.synth import Triple, random_pairs, synthetic_catalog

import recommender as rc
from recommender.distributed import (
    DEFAULT_PARTITION_SIZE,
    BatchSummary,
    local_cluster,
    write_batch,
)

K = 10
#: The issue's projection: this many pairs on this many cores.
PROJECT_PAIRS = 10_000_000
PROJECT_CORES = 64


def write_pairs(triples: Sequence[Triple], path: Path) -> Path:
    """The pairs as JSON Lines, one ``{"a", "b", "context"}`` row a line."""
    with path.open("w") as handle:
        for a, b, ctx in triples:
            row = {
                "a": a.model_dump(mode="json", exclude_defaults=True) | {"name": a.name},
                "b": b.model_dump(mode="json", exclude_defaults=True) | {"name": b.name},
                "context": ctx.model_dump(mode="json", exclude_defaults=True),
            }
            handle.write(json.dumps(row) + "\n")
    return path


def parse_pairs(path: Path) -> list[Triple]:
    """Read and validate the file in one process, as a worker does for its block."""
    from recommender.profiles import load_context, parse_model

    triples = []
    with path.open() as handle:
        for number, line in enumerate(handle, start=1):
            row = json.loads(line)
            where = f"{path}: line {number}"
            triples.append(
                (
                    parse_model(rc.PersonProfile, row["a"], f"{where}: a"),
                    parse_model(rc.PersonProfile, row["b"], f"{where}: b"),
                    load_context(row.get("context") or {}, f"{where}: context"),
                )
            )
    return triples


def timed(action: Callable[[], Any]) -> tuple[float, float]:
    """(wall seconds, CPU seconds): this process's CPU time, or the batch's tasks' own."""
    started, cpu = time.perf_counter(), time.process_time()
    outcome = action()
    wall = time.perf_counter() - started
    if isinstance(outcome, BatchSummary):
        return wall, outcome.cpu_seconds
    return wall, time.process_time() - cpu


def process_cpu() -> float:
    """This process's CPU seconds, all threads (run on a worker, or on the client)."""
    import psutil  # type: ignore[import-untyped]  # a dependency of distributed

    times = psutil.Process().cpu_times()
    return float(times.user + times.system)


def timed_batch(client: Any, action: Callable[[], BatchSummary]) -> dict[str, float]:
    """One batch's wall time and CPU seconds: its tasks, the rest of the worker processes,
    and this process (in a LocalCluster: the scheduler, the nannies and the client)."""
    workers_before, here_before = client.run(process_cpu), process_cpu()
    started = time.perf_counter()
    summary = action()
    wall = time.perf_counter() - started
    here = process_cpu() - here_before
    workers = sum(after - workers_before[w] for w, after in client.run(process_cpu).items())
    return {
        "wall": wall,
        "tasks": summary.cpu_seconds,
        "worker_rest": workers - summary.cpu_seconds,
        "client_scheduler": here,
    }


@contextlib.contextmanager
def warm_cluster(workers: int, saved: Path, warm: Path, folder: Path) -> Iterator[Any]:
    """A client of a new LocalCluster of ``workers``, the model loaded on each (a warm-up
    batch), closed afterwards: only the cluster being timed is running."""
    from distributed import Client

    with local_cluster(workers) as cluster, Client(cluster) as client:  # type: ignore[no-untyped-call]
        write_batch(saved, warm, folder / "warm.parquet", client=client, k=K)
        yield client


def time_clusters(
    saved: Path, pairs: Path, warm: Path, folder: Path, partition_size: int
) -> dict[str, dict[str, float]]:
    """One timed ``write_batch`` on 1 and on 2 workers, each on its own fresh cluster."""
    split = {}
    for workers in (1, 2):
        out = folder / f"out-{workers}.parquet"
        with warm_cluster(workers, saved, warm, folder) as client:
            batch = functools.partial(
                write_batch, saved, pairs, out, client=client, k=K, partition_size=partition_size
            )
            split[_label(workers)] = timed_batch(client, batch)
    return split


def _label(workers: int) -> str:
    return f"{workers} worker{'s' if workers > 1 else ''}"


def run(items: int, n_pairs: int, repeats: int, partition_size: int, seed: int) -> dict[str, Any]:
    """Build, fit, then time every case ``repeats`` times, interleaved."""
    folder = Path(tempfile.mkdtemp(prefix="closer-bench-"))
    started = time.perf_counter()
    catalog = rc.Catalog(activities=synthetic_catalog(items, seed=seed))
    model = rc.Recommender().fit(catalog)
    saved = model.save(folder / "model.npz")
    triples = random_pairs(catalog, n_pairs, seed=seed + 1)
    pairs = write_pairs(triples, folder / "pairs.jsonl")
    warm = write_pairs(triples[:256], folder / "warm.jsonl")
    print(f"built and fitted {items:,} items in {time.perf_counter() - started:.1f} s", flush=True)
    model.recommend_many(triples[:200], k=K)  # warm-up: lazy imports, caches
    times: dict[str, list[tuple[float, float]]] = {
        name: [] for name in ("many", "parse+many", "1 worker", "2 workers")
    }
    splits: dict[str, list[dict[str, float]]] = {"1 worker": [], "2 workers": []}
    loads = []
    for repeat in range(repeats):
        loads.append(os.getloadavg()[0])
        times["many"].append(timed(lambda: model.recommend_many(triples, k=K)))
        times["parse+many"].append(timed(lambda: model.recommend_many(parse_pairs(pairs), k=K)))
        for label, split in time_clusters(saved, pairs, warm, folder, partition_size).items():
            times[label].append((split["wall"], split["tasks"]))
            splits[label].append(split)
        print(f"repeat {repeat + 1}/{repeats} (load average {loads[-1]:.2f} before): " + ", ".join(
            f"{name} {values[-1][0]:.2f} s ({values[-1][1]:.2f} s CPU)"
            for name, values in times.items()
        ), flush=True)  # fmt: skip
    result = summarise(times, splits, n_pairs)
    result |= {
        "output_bytes": sum(p.stat().st_size for p in (folder / "out-1.parquet").iterdir()),
        "model_bytes": saved.stat().st_size,
        "items": items,
        "k": K,
        "partition_size": partition_size,
        "repeats": repeats,
        "load_average_before": loads,
    }
    shutil.rmtree(folder, ignore_errors=True)
    return result


def summarise(
    times: dict[str, list[tuple[float, float]]],
    splits: dict[str, list[dict[str, float]]],
    n_pairs: int,
) -> dict[str, Any]:
    """Medians of every case's times and of each cluster's CPU split, and the rates."""
    wall = {name: statistics.median(w for w, _ in values) for name, values in times.items()}
    cpu = {name: statistics.median(c for _, c in values) for name, values in times.items()}
    split = {
        label: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
        for label, runs in splits.items()
    }
    return {
        "pairs": n_pairs,
        "seconds": times,
        "cpu_split_s": splits,
        "median_s": wall,
        "median_cpu_s": cpu,
        "median_cpu_split_s": split,
        "pairs_per_s": {name: n_pairs / s for name, s in wall.items()},
        "pairs_per_cpu_s": {name: n_pairs / s for name, s in cpu.items()},
    }


def table(result: dict[str, Any]) -> str:
    """The measured rows and the two targets, as a Markdown table."""
    rate, cpu = result["pairs_per_s"], result["pairs_per_cpu_s"]
    one, two, many = rate["1 worker"], rate["2 workers"], rate["many"]
    within = f"wall {_met(one >= 0.85 * many)}, CPU {_met(cpu['1 worker'] >= 0.85 * cpu['many'])}"
    rows = [
        ("`recommend_many`, one process, pairs already parsed", "many", "baseline", ""),
        ("one process: read the file, validate, `recommend_many`", "parse+many",
         _ratios(result, "parse+many", "many"), ""),
        ("`write_batch`, LocalCluster, 1 worker", "1 worker", _ratios(result, "1 worker", "many"),
         f"within 15% of baseline: {within}"),
        ("`write_batch`, LocalCluster, 2 workers", "2 workers",
         f"{two / one:.2f}x 1 worker (wall)", f">= 1.7x 1 worker: {_met(two >= 1.7 * one)}"),
    ]  # fmt: skip
    lines = [
        f"{result['items']:,} items, k = {result['k']}, {result['pairs']:,} pairs, "
        f"{result['partition_size']} pairs a task, median of {result['repeats']}",
        "",
        "| case | pairs/s (wall) | pairs per CPU-second | ratio (wall, CPU) | target |",
        "|---|---|---|---|---|",
    ]
    lines += [
        f"| {label} | {rate[name]:,.0f} | {cpu[name]:,.0f} | {ratio} | {goal} |"
        for label, name, ratio, goal in rows
    ]
    return "\n".join(lines)


def cpu_table(result: dict[str, Any]) -> str:
    """Where each cluster's cores went during its batch, and the 2-worker speedup's ceiling."""
    cores = result["machine"]["cpus"]
    lines = [
        f"| cluster | wall s | {cores} cores x wall, core-s | tasks' CPU s | worker processes' "
        "other CPU s | client + scheduler + nannies CPU s | idle or other processes, core-s |",
        "|---|---|---|---|---|---|---|",
    ]
    for label, split in result["median_cpu_split_s"].items():
        used = split["tasks"] + split["worker_rest"] + split["client_scheduler"]
        lines.append(
            f"| {label} | {split['wall']:.2f} | {cores * split['wall']:.2f} | "
            f"{split['tasks']:.2f} | {split['worker_rest']:.2f} | "
            f"{split['client_scheduler']:.2f} | {cores * split['wall'] - used:.2f} |"
        )
    return "\n".join(lines) + "\n\n" + ceiling(result)


def ceiling(result: dict[str, Any]) -> str:
    """The 2-worker speedup an otherwise idle machine allows, given the CPU time measured.

    Dask's own CPU (heartbeats, monitors, event loops) goes with time, not pairs,
    so it is taken as a share of the cores, ``d = its CPU s / wall s``. One worker
    cannot beat its tasks' CPU time (its Dask share fits on a spare core); two
    need ``tasks2 / 2`` each and ``tasks2 + d * T2 <= cores * T2`` together.
    """
    one, two = result["median_cpu_split_s"]["1 worker"], result["median_cpu_split_s"]["2 workers"]
    cores = result["machine"]["cpus"]
    share = (two["worker_rest"] + two["client_scheduler"]) / two["wall"]
    best_two = max(two["tasks"] / 2, two["tasks"] / (cores - share))
    measured = result["pairs_per_s"]["2 workers"] / result["pairs_per_s"]["1 worker"]
    walls = zip(result["seconds"]["1 worker"], result["seconds"]["2 workers"], strict=True)
    each = ", ".join(f"{w1 / w2:.2f}x" for (w1, _), (w2, _) in walls)
    return (
        f"2-worker speedup: measured {measured:.2f}x (wall; per repeat {each}); CPU-bound "
        f"ceiling on an otherwise idle {cores}-core machine {one['tasks'] / best_two:.2f}x = "
        f"{one['tasks']:.2f} / "
        f"({two['tasks']:.2f} / ({cores} - {share:.3f})): with two workers at once a pair's "
        f"scoring takes {two['tasks'] / one['tasks'] - 1:+.0%} CPU, and Dask's own CPU (worker "
        f"processes' rest, client, scheduler, nannies) takes {share:.3f} of a core while it runs"
    )


def _ratios(result: dict[str, Any], name: str, base: str) -> str:
    rate, cpu = result["pairs_per_s"], result["pairs_per_cpu_s"]
    return f"{rate[name] / rate[base]:.2f}x, {cpu[name] / cpu[base]:.2f}x baseline"


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def projection(result: dict[str, Any]) -> str:
    """T = N / (c * r * e): r pairs per task CPU-second with two workers scoring at once,
    e the share of a worker's core its tasks get (the rest is its Dask event loop)."""
    split = result["median_cpu_split_s"]["2 workers"]
    per_core = result["pairs"] / split["tasks"]
    efficiency = 1 - split["worker_rest"] / (2 * split["wall"])
    seconds = PROJECT_PAIRS / (PROJECT_CORES * per_core * efficiency)
    out_bytes = _output_bytes_per_pair(result)
    return (
        f"T = N / (c * r * e) = {PROJECT_PAIRS:.0e} / ({PROJECT_CORES} * {per_core:,.0f} * "
        f"{efficiency:.3f}) = {seconds:,.0f} s ({seconds / 60:.1f} min), r = pairs per task "
        "CPU-second with two workers scoring at once, e = 1 - a worker process's other CPU "
        "share; the scheduler and client on their own machine; plus start-up (each worker "
        f"reads the {result['model_bytes'] / 1e6:.0f} MB model once); output about "
        f"{out_bytes:,.0f} bytes a pair, {out_bytes * PROJECT_PAIRS / seconds / 1e6:,.1f} MB/s "
        "to shared storage"
    )


def _output_bytes_per_pair(result: dict[str, Any]) -> float:
    return float(result.get("output_bytes", 0)) / max(1, int(result["pairs"]))


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="10k items, 2,048 pairs")
    parser.add_argument("--items", type=int, default=None)
    parser.add_argument("--pairs", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=None)
    parser.add_argument("--partition-size", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    items = args.items or (10_000 if args.quick else 100_000)
    n_pairs = args.pairs or (2_048 if args.quick else 8_192)
    repeats = args.repeats or (2 if args.quick else 3)
    partition_size = args.partition_size or DEFAULT_PARTITION_SIZE
    result = run(items, n_pairs, repeats, partition_size, args.seed)
    result["machine"] = {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "load_average": os.getloadavg(),
    }
    print()
    print(table(result))
    print()
    print(cpu_table(result))
    print()
    print(projection(result))
    results = Path(__file__).resolve().parent / "results"
    results.mkdir(exist_ok=True)
    (results / "dask_batch.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
