"""Benchmark closer against the usual scikit-learn recipe (issues 7 and 21).

Usage::

    python benchmarks/run.py            # full run: 1k .. 1M items, ~8 minutes on 2 cores
    python benchmarks/run.py --quick    # smaller sizes and fewer repeats, about a minute

Prints one table (case | ours | recipe | tuned recipe | ratio | target | met?)
with a row per target of the issues, a scaling table (time and memory per
catalogue size), a table of the catalogue family (``synth.STYLES``: Zipf-like
large vocabulary, dense small vocabulary, imported short titles) with the
kernel fit chose for each and the physical limit of one pair, and the machine;
writes everything as JSON to ``benchmarks/results/latest.json``.

How it measures:

* every catalogue size runs in a fresh child process (same conditions for
  every size, and its memory is its own): generate the synthetic catalogue
  (:mod:`benchmarks.synth`), fit ours and the baseline
  (:mod:`benchmarks.baseline`), then time one pair at a time, ours and the
  baseline interleaved pair by pair on the same pairs so that both see the
  same machine load; ratios, not absolute times, are the result;
* the other catalogues of the family run the one-pair case the same way, each
  in its own process, at the size of the main one-pair row; "the tuned
  recipe" is the recipe with ``linear_kernel`` (no re-normalising of the item
  matrix) and ``argpartition``, timed interleaved with the other two;
* the physical limit of one pair is what it cannot avoid reading (the postings
  of its interest terms, 8 bytes each, plus every item's typed block: the
  person-fit and emphasis bases and the columns the hard limits compare) at
  the memory bandwidth measured in the same process (a 64 MB copy);
* times are ``time.perf_counter`` medians after a warm-up;
* peak memory is the kernel's high-water mark (``VmHWM``) read inside the
  child before the baseline builds its texts or runs, and ``os.wait4``'s ``ru_maxrss`` for the
  whole child;
* a control repeats the 100k catalogue ten times (1M activities with the
  words of 100k, ``synth.repeated_catalog``): the synthetic catalogues grow
  their vocabulary with their size as real text does, and the control shows
  how fit grows when only the number of activities does;
* command-line cases start a new process each time, interleaved, with a
  private data and cache folder (the first run, not timed, builds any cache),
  after byte-compiling closer's sources as pip does for scikit-learn's (so
  ``PYTHONDONTWRITEBYTECODE`` does not make closer alone recompile each run).
"""

from __future__ import annotations

import argparse
import compileall
import contextlib
import gc
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field, fields
from itertools import pairwise
from pathlib import Path
from typing import Any

import numpy as np

try:
    from .baseline import SklearnBaseline, baseline_texts
    from .synth import STYLES, Triple, random_pairs, repeated_catalog, synthetic_catalog
except ImportError:  # run as a script: python benchmarks/run.py
    from baseline import SklearnBaseline, baseline_texts  # type: ignore[no-redef, import-not-found]
    from synth import (  # type: ignore[no-redef, import-not-found]
        STYLES,
        Triple,
        random_pairs,
        repeated_catalog,
        synthetic_catalog,
    )

import recommender as rc

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results" / "latest.json"
K = 10
SEED = 7
GB = 2**30


@dataclass(frozen=True)
class Task:
    """What one child process measures on one catalogue size."""

    items: int
    fit_repeats: int = 3
    pairs: int = 60  # one pair at a time, ours
    baseline_pairs: int = 60  # of those, also timed with the baseline (interleaved)
    many_pairs: int = 0  # recommend_many batch, 0 for none
    many_repeats: int = 3
    seed: int = SEED
    #: > 1: the catalogue is the ``items // repeat`` one, ``repeat`` times over (a
    #: control with the smaller catalogue's words; see ``synth.repeated_catalog``)
    repeat: int = 1
    #: how the catalogue's texts are written: a key of ``synth.STYLES``
    style: str = "zipf"


@dataclass(frozen=True)
class Plan:
    """The sizes of one run: which size answers which row of the table."""

    mode: str
    tasks: tuple[Task, ...]
    pair_items: int  # one pair + fit rows
    many_items: int  # recommend_many row
    huge_items: int  # memory + one pair at the largest size
    process_runs: int  # new-process cases
    controls: tuple[Task, ...] = ()  # repeated catalogues, for the scaling table
    #: the other catalogues of the family, at ``pair_items`` (zipf is in ``tasks``)
    family: tuple[Task, ...] = ()


def family_tasks(items: int, seed: int, pairs: int, fit_repeats: int = 1) -> tuple[Task, ...]:
    """One task per catalogue style besides zipf, for the one-pair rows."""
    return tuple(
        Task(items, fit_repeats=fit_repeats, pairs=pairs, baseline_pairs=pairs, seed=seed, style=s)
        for s in STYLES
        if s != "zipf"
    )


def full_plan(seed: int) -> Plan:
    """1k, 10k, 100k and 1M items, as the issue asks."""
    return Plan(
        "full",
        (
            Task(1_000, seed=seed),
            Task(10_000, many_pairs=10_000, seed=seed),
            Task(100_000, seed=seed),
            # At 1M each baseline call takes about a second: ten pairs give its median.
            Task(1_000_000, fit_repeats=1, pairs=50, baseline_pairs=10, seed=seed),
        ),
        pair_items=100_000,
        many_items=10_000,
        huge_items=1_000_000,
        process_runs=15,
        # 1M activities with the words of 100k: is fit linear when only the
        # number of activities grows? (The pairs are there to check it works.)
        controls=(Task(1_000_000, fit_repeats=1, pairs=10, baseline_pairs=0, repeat=10),),
        family=family_tasks(100_000, seed, pairs=60),
    )


def quick_plan(seed: int) -> Plan:
    """The same cases on smaller sizes, for a run of about a minute."""
    return Plan(
        "quick",
        (
            Task(1_000, pairs=20, baseline_pairs=20, seed=seed),
            Task(
                5_000,
                fit_repeats=1,
                pairs=20,
                baseline_pairs=20,
                many_pairs=1_000,
                many_repeats=1,
                seed=seed,
            ),
            Task(20_000, fit_repeats=1, pairs=20, baseline_pairs=20, seed=seed),
            Task(50_000, fit_repeats=1, pairs=20, baseline_pairs=5, seed=seed),
        ),
        pair_items=20_000,
        many_items=5_000,
        huge_items=50_000,
        process_runs=5,
        controls=(Task(40_000, fit_repeats=1, pairs=10, baseline_pairs=0, repeat=2),),
        family=family_tasks(20_000, seed, pairs=20),
    )


# ------------------------------------------------------------------ measuring helpers


def proc_status(key: str) -> int:
    """A ``/proc/self/status`` memory line in bytes (0 where there is no /proc)."""
    with contextlib.suppress(OSError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) * 1024
    return 0


def reset_peak_rss() -> bool:
    """Restart the kernel's peak-RSS count of this process (Linux >= 4.0)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return False
    return True


def median(values: Sequence[float]) -> float:
    """Median, or nan for no values."""
    return statistics.median(values) if values else math.nan


def pair_times(
    model: rc.Recommender,
    base: SklearnBaseline | None,
    triples: Sequence[Triple],
    baseline_pairs: int,
    warmup: int = 5,
) -> dict[str, list[float]]:
    """Seconds per pair for ours, the baseline, and the baseline with ``linear_kernel``.

    Interleaved pair by pair over the first ``baseline_pairs`` pairs; ours
    alone over the rest. The ``linear_kernel`` variant is the same recipe
    without re-normalising the whole item matrix on every call (TF-IDF rows
    are unit length already) and with ``argpartition``: a fairer floor.
    """
    from sklearn.metrics.pairwise import linear_kernel

    def tuned(a: rc.PersonProfile, b: rc.PersonProfile) -> list[int]:
        assert base is not None
        queries = base.vectorizer_.transform([" ".join(a.interests), " ".join(b.interests)])
        sims = linear_kernel(queries, base.matrix_)
        pair = np.minimum(sims[0], sims[1])
        top = np.argpartition(-pair, K)[:K]
        return [int(i) for i in top[np.argsort(-pair[top])]]

    out: dict[str, list[float]] = {"ours": [], "baseline": [], "linear_kernel": [], "found": []}
    for a, b, ctx in triples[:warmup]:
        model.recommend(a, b, ctx, k=K)
        if base is not None and baseline_pairs:
            base.recommend(a, b, k=K)
            tuned(a, b)
    for index, (a, b, ctx) in enumerate(triples):
        started = time.perf_counter()
        out["found"].append(len(model.recommend(a, b, ctx, k=K)))
        out["ours"].append(time.perf_counter() - started)
        if base is None or index >= baseline_pairs:
            continue
        started = time.perf_counter()
        base.recommend(a, b, k=K)
        out["baseline"].append(time.perf_counter() - started)
        started = time.perf_counter()
        tuned(a, b)
        out["linear_kernel"].append(time.perf_counter() - started)
    return out


def measure_many(
    model: rc.Recommender, base: SklearnBaseline, catalog: rc.Catalog, task: Task
) -> dict[str, Any]:
    """``recommend_many`` on varied pairs vs the baseline in a loop."""
    triples = random_pairs(catalog, task.many_pairs, seed=task.seed + 2)
    model.recommend_many(triples[:100], k=K)
    for a, b, _ in triples[:5]:
        base.recommend(a, b, k=K)
    ours = []
    for _ in range(task.many_repeats):
        gc.collect()
        started = time.perf_counter()
        model.recommend_many(triples, k=K)
        ours.append(time.perf_counter() - started)
    gc.collect()
    started = time.perf_counter()
    for a, b, _ in triples:
        base.recommend(a, b, k=K)
    theirs = time.perf_counter() - started
    # Spot check: the batch gives the same lists as one pair at a time.
    batch = model.recommend_many(triples[:50], k=K)
    single = [model.recommend(*t, k=K) for t in triples[:50]]
    same = all(
        [s.activity.id for s in x] == [s.activity.id for s in y]
        for x, y in zip(batch, single, strict=True)
    )
    return {
        "items": task.items,
        "pairs": task.many_pairs,
        "ours_s": median(ours),
        "ours_all_s": ours,
        "baseline_s": theirs,
        "batch_equals_single": same,
    }


# ------------------------------------------------------------------ the child process


def child(task: Task) -> dict[str, Any]:
    """Measure one catalogue size in this (fresh) process."""
    started = time.perf_counter()
    if task.repeat > 1:
        activities = repeated_catalog(task.items // task.repeat, task.repeat, seed=task.seed)
    else:
        activities = synthetic_catalog(task.items, seed=task.seed, style=task.style)
    catalog = rc.Catalog(activities=tuple(activities))
    del activities
    generate_s = time.perf_counter() - started
    gc.collect()
    memory = {"rss_catalog": proc_status("VmRSS"), "peak_generate": proc_status("VmHWM")}
    peak_was_reset = reset_peak_rss()
    triples = random_pairs(
        catalog,
        task.pairs,
        seed=task.seed + 1,
        constrained=True,
        interests=STYLES[task.style].interests,
    )
    # Warm-up fits on a few items: the first fit of each pays for lazy imports
    # (scikit-learn, about a second), which the import rows measure on their own.
    rc.Recommender().fit(catalog.activities[:200])
    SklearnBaseline().fit_texts(baseline_texts(catalog.activities[:200]))

    fit_ours: list[float] = []
    model = rc.Recommender()
    for _ in range(task.fit_repeats):
        del model
        gc.collect()
        started = time.perf_counter()
        model = rc.Recommender().fit(catalog)
        fit_ours.append(time.perf_counter() - started)
    memory["rss_fitted"] = proc_status("VmRSS")
    ours_only = pair_times(model, None, triples, 0)
    memory["peak_fit_query"] = proc_status("VmHWM") if peak_was_reset else 0
    memory["peak_ours"] = max(memory["peak_generate"], memory["peak_fit_query"])
    # The baseline's texts only now: a third of a gigabyte at 1M that is not ours.
    texts = baseline_texts(catalog)

    fit_base: list[float] = []
    base = SklearnBaseline()
    for _ in range(task.fit_repeats):
        gc.collect()
        started = time.perf_counter()
        base = SklearnBaseline().fit_texts(texts)
        fit_base.append(time.perf_counter() - started)
    base.ids_ = list(catalog.ids)
    both = pair_times(model, base, triples[: task.baseline_pairs], task.baseline_pairs)
    out: dict[str, Any] = {
        "task": asdict(task),
        "items": task.items,
        "terms": len(model.text_.terms),
        "text_cells": len(model.text_.col_items),  # distinct (activity, term) pairs
        "generate_s": generate_s,
        "fit_ours_s": median(fit_ours),
        "fit_ours_all_s": fit_ours,
        "fit_baseline_s": median(fit_base),
        "fit_baseline_all_s": fit_base,
        # ours over all pairs before the baseline touched memory; the ratio uses
        # the interleaved runs, where both saw the same load
        "pair_ours_s": median(ours_only["ours"]),
        "pair_ours_max_s": max(ours_only["ours"]),
        "pair_ours_interleaved_s": median(both["ours"]),
        "pair_baseline_s": median(both["baseline"]),
        "pair_linear_kernel_s": median(both["linear_kernel"]),
        "suggestions_median": median(ours_only["found"]),
        "memory_bytes": memory,
        "style": task.style,
        "kernel": model.kernel_,
        "limit": physical_limit(model, triples),
    }
    if task.many_pairs:
        out["many"] = measure_many(model, base, catalog, task)
    return out


def stream_bandwidth(megabytes: int = 64, repeats: int = 5) -> float:
    """Bytes a second this process moves through memory: the best of a few
    copies of a buffer larger than the caches (read plus write)."""
    source = np.ones(megabytes * 2**20 // 8)
    target = np.empty_like(source)
    best = math.inf
    for _ in range(repeats):
        started = time.perf_counter()
        np.copyto(target, source)
        best = min(best, time.perf_counter() - started)
    return 2 * source.nbytes / best


def physical_limit(model: rc.Recommender, triples: Sequence[Triple]) -> dict[str, Any]:
    """What one pair cannot avoid reading, and how long that takes at memory speed.

    The postings its people's interest terms touch (item id and weight, 8 bytes
    each), plus every item's typed block: the person-fit and emphasis bases and
    the one-byte-or-wider columns the hard limits compare (the structure block
    and tag postings are read for a few candidates only, so they are left out).
    """
    text, items, n = model.text_, model.items_, len(model.activity_ids_)
    lengths = np.diff(text.col_ptr)
    people = model._people([t[0] for t in triples] + [t[1] for t in triples])
    per_person = [int(lengths[p.terms].sum()) for p in people]
    half = len(per_person) // 2
    postings = median([a + b for a, b in zip(per_person[:half], per_person[half:], strict=True)])
    columns = [
        getattr(items, f.name)
        for f in fields(items)
        if getattr(items, f.name).shape[:1] == (n,)
        and f.name not in ("structure", "intimacy", "share")  # the bases hold these
    ]
    typed = (model.person_basis_.nbytes + model.effect_basis_.nbytes) / n
    typed += sum(c.nbytes for c in columns) / n
    limit_bytes = postings * 8 + n * typed
    bandwidth = stream_bandwidth()
    return {
        "postings_touched": postings,
        "typed_bytes_per_item": typed,
        "bytes": limit_bytes,
        "bandwidth_bytes_s": bandwidth,
        "seconds": limit_bytes / bandwidth,
    }


def run_child(task: Task) -> dict[str, Any]:
    """Run :func:`child` in a new process; add its peak RSS as the kernel counted it."""
    command = [sys.executable, str(Path(__file__).resolve()), "--child", json.dumps(asdict(task))]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, cwd=ROOT)
    assert process.stdout is not None
    output = process.stdout.read()
    process.stdout.close()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0:
        return {"items": task.items, "error": f"child exited with {process.returncode}"}
    result: dict[str, Any] = json.loads(output.decode().strip().splitlines()[-1])
    result["memory_bytes"]["peak_child_incl_baseline"] = usage.ru_maxrss * 1024
    return result


# ------------------------------------------------------------------ new processes


def process_times(
    commands: dict[str, list[str]], runs: int, env: dict[str, str] | None = None
) -> dict[str, dict[str, Any]]:
    """Median wall time of each command as a new process, interleaved run by run."""
    out: dict[str, dict[str, Any]] = {}
    for name, command in commands.items():  # warm-up: disk caches, the model cache
        out[name] = {"command": " ".join(command), "times": [], "exit": 0, "error": ""}
        try:
            done = subprocess.run(
                command, cwd=ROOT, env=env, capture_output=True, text=True, check=False
            )
        except OSError as exc:
            out[name].update(exit=127, error=str(exc))
            continue
        if done.returncode:
            lines = done.stderr.strip().splitlines() or [""]
            out[name].update(exit=done.returncode, error=lines[-1])
    for _ in range(runs):
        for name, command in commands.items():
            if out[name]["exit"]:
                continue
            started = time.perf_counter()
            subprocess.run(
                command,
                cwd=ROOT,
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                check=False,
            )
            out[name]["times"].append(time.perf_counter() - started)
    for entry in out.values():
        entry["median_s"] = median(entry["times"])
    return out


#: ``import recommender`` and a first use of the names a program starts with.
FIRST_USE = (
    "import recommender as rc; rc.Recommender(); "
    "rc.PersonProfile(name='A', interests=['cooking']); rc.PairContext(minutes=60)"
)


def measure_processes(runs: int) -> dict[str, dict[str, Any]]:
    """``closer suggest``, ``import recommender``, ``import sklearn`` and a bare interpreter."""
    python = sys.executable
    closer = str(Path(sys.executable).with_name("closer"))
    commands = {
        "closer suggest": [closer, "suggest", "examples/ana.yaml", "examples/ben.yaml"],
        "import recommender": [python, "-c", FIRST_USE],
        "import sklearn": [python, "-c", "import sklearn"],
        # What the first use cannot avoid: the array and the profile-model libraries.
        "import numpy, pydantic": [python, "-c", "import numpy, pydantic; pydantic.BaseModel"],
        "bare python": [python, "-c", "pass"],
    }
    # Like for like: scikit-learn was byte-compiled when pip installed it, and an
    # editable install of closer writes its own bytecode on first import - unless
    # PYTHONDONTWRITEBYTECODE is set (as on some CI machines), when every process
    # would compile closer's sources again. Compile them once, as pip would.
    compiled = compileall.compile_dir(ROOT / "recommender", quiet=1)  # the CLI is in there too
    if not compiled:
        print("warning: could not byte-compile closer's sources", file=sys.stderr)
    with tempfile.TemporaryDirectory(prefix="closer-bench-") as home:
        # A private data and cache folder: the real user's history is never
        # read or written, and every run sees the same (warm) cache.
        env = {
            **os.environ,
            "XDG_DATA_HOME": f"{home}/data",
            "XDG_CACHE_HOME": f"{home}/cache",
            "XDG_CONFIG_HOME": f"{home}/config",
        }
        return process_times(commands, runs, env)


# ------------------------------------------------------------------ the report


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    import pydantic
    import scipy
    import sklearn

    cpu = platform.processor() or platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0))
        if hasattr(os, "sched_getaffinity")
        else os.cpu_count(),
        "memory_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / GB, 1),
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "python": platform.python_version(),
        "numpy": np.__version__,
        "scikit-learn": sklearn.__version__,
        "scipy": scipy.__version__,
        "pydantic": pydantic.__version__,
        "platform": platform.platform(),
    }


def fmt_time(seconds: float) -> str:
    """``0.0123`` -> ``12.3 ms``; ``4.5`` -> ``4.50 s``; nan -> ``n/a``."""
    if math.isnan(seconds):
        return "n/a"
    if seconds >= 1:
        return f"{seconds:.2f} s"
    if seconds >= 0.001:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds * 1e6:.0f} us"


def fmt_size(n: int) -> str:
    """``1000000`` -> ``1M``, ``20000`` -> ``20k``."""
    if n >= 1_000_000 and n % 1_000_000 == 0:
        return f"{n // 1_000_000}M"
    if n >= 1000 and n % 1000 == 0:
        return f"{n // 1000}k"
    return str(n)


def per_decade(sizes: Sequence[int], values: Sequence[float]) -> list[float]:
    """Growth factor per 10x more items between consecutive sizes."""
    return [
        (v2 / v1) ** (1 / math.log10(n2 / n1))
        for (n1, v1), (n2, v2) in pairwise(zip(sizes, values, strict=True))
        if v1 > 0 and v2 > 0 and not math.isnan(v1 + v2)
    ]


@dataclass
class Row:
    """One line of the results table."""

    case: str
    ours: str
    baseline: str
    ratio: str
    target: str
    met: bool
    values: dict[str, Any] = field(default_factory=dict)
    tuned: str = ""  # the tuned recipe (linear_kernel, argpartition), where it applies


def pair_row(result: dict[str, Any]) -> Row:
    """The one-pair row of a catalogue of the family: ours, the recipe, the tuned recipe."""
    style = result.get("style", "zipf")
    label = (
        f"one pair, top {K}, {fmt_size(result['items'])} items, {style} catalogue, "
        "all constraints + re-ranking"
    )
    if "error" in result:
        return Row(label, result["error"], "", "", ">= 20x faster", False)
    ours, theirs = result["pair_ours_interleaved_s"], result["pair_baseline_s"]
    tuned = result["pair_linear_kernel_s"]
    return Row(
        f"{label} (median of {result['task']['baseline_pairs']} pairs)",
        fmt_time(ours),
        fmt_time(theirs),
        f"{theirs / ours:.1f}x faster ({tuned / ours:.1f}x the tuned)",
        ">= 20x faster",
        theirs / ours >= 20,
        {
            "ours_s": ours,
            "baseline_s": theirs,
            "speedup": theirs / ours,
            "baseline_linear_kernel_s": tuned,
            "speedup_tuned": tuned / ours,
            "kernel": result.get("kernel", ""),
            "limit": result.get("limit", {}),
        },
        tuned=fmt_time(tuned),
    )


def build_rows(
    plan: Plan,
    sizes: dict[int, dict[str, Any]],
    processes: dict[str, dict[str, Any]],
    family: Sequence[dict[str, Any]] = (),
) -> list[Row]:
    """The issue's target table, one row per target."""
    main = sizes[plan.pair_items]
    rows = [pair_row(main), *(pair_row(r) for r in family)]
    if "error" not in main:
        ratio = main["fit_ours_s"] / main["fit_baseline_s"]
        rows.append(
            Row(
                f"fit on {fmt_size(plan.pair_items)} items (baseline: vectorizer fit alone, "
                f"median of {main['task']['fit_repeats']})",
                fmt_time(main["fit_ours_s"]),
                fmt_time(main["fit_baseline_s"]),
                f"{ratio:.2f}x baseline",
                "<= 2x baseline",
                ratio <= 2,
                {
                    "ours_s": main["fit_ours_s"],
                    "baseline_s": main["fit_baseline_s"],
                    "ratio": ratio,
                },
            )
        )

    many = sizes.get(plan.many_items, {}).get("many")
    if many:
        speedup = many["baseline_s"] / many["ours_s"]
        rows.insert(
            1 + len(family),
            Row(
                f"recommend_many: {fmt_size(many['pairs'])} pairs on {fmt_size(many['items'])} "
                f"items{'' if many['batch_equals_single'] else ' (BATCH != SINGLE)'}",
                fmt_time(many["ours_s"]),
                fmt_time(many["baseline_s"]),
                f"{speedup:.1f}x faster",
                ">= 20x faster",
                speedup >= 20,
                {**many, "speedup": speedup},
                tuned=fmt_time(many["tuned_s"]) if "tuned_s" in many else "",
            ),
        )

    huge = sizes[plan.huge_items]
    label = fmt_size(plan.huge_items)
    if "error" in huge:
        rows.append(Row(f"{label} items: fit and query", huge["error"], "", "", "works", False))
    else:
        memory = huge["memory_bytes"]
        rows.append(
            Row(
                f"{label} items: fit",
                fmt_time(huge["fit_ours_s"]),
                fmt_time(huge["fit_baseline_s"]),
                "",
                "works",
                True,
                {"fit_s": huge["fit_ours_s"]},
            )
        )
        rows.append(
            Row(
                f"{label} items: peak RSS (catalogue objects alone "
                f"{memory['rss_catalog'] / GB:.2f} GB)",
                f"{memory['peak_ours'] / GB:.2f} GB",
                "",
                "",
                "<= 4 GB",
                memory["peak_ours"] <= 4 * GB,
                memory,
            )
        )
        rows.append(
            Row(
                f"{label} items: one pair (median of {huge['task']['pairs']})",
                fmt_time(huge["pair_ours_s"]),
                fmt_time(huge["pair_baseline_s"]),
                "",
                "<= 30 ms",
                huge["pair_ours_s"] <= 0.030,
                {"pair_s": huge["pair_ours_s"]},
            )
        )

    sklearn_s = processes["import sklearn"]["median_s"]
    for name, case, target, limit in (
        (
            "closer suggest",
            "`closer suggest ana.yaml ben.yaml`, new process",
            "<= 0.3x import sklearn",
            0.3,
        ),
        (
            "import recommender",
            "`import recommender` + first use of Recommender, PersonProfile, PairContext",
            "<= 0.2x import sklearn",
            0.2,
        ),
    ):
        entry = processes[name]
        case = f"{case} (median of {plan.process_runs})"
        if entry["exit"]:
            rows.append(
                Row(
                    case,
                    f"exit {entry['exit']}",
                    fmt_time(sklearn_s),
                    "",
                    target,
                    False,
                    {"error": entry["error"]},
                )
            )
            continue
        ratio = entry["median_s"] / sklearn_s
        rows.append(
            Row(
                case,
                fmt_time(entry["median_s"]),
                fmt_time(sklearn_s),
                f"{ratio:.2f}x",
                target,
                ratio <= limit,
                {"ours_s": entry["median_s"], "baseline_s": sklearn_s, "ratio": ratio},
            )
        )

    good = [sizes[t.items] for t in plan.tasks if "error" not in sizes[t.items]]
    ns = [r["items"] for r in good]
    fit_growth = per_decade(ns, [r["fit_ours_s"] for r in good])
    pair_growth = per_decade(ns, [r["pair_ours_s"] for r in good])
    nan = math.nan
    worst = max(fit_growth + pair_growth, default=nan)
    ends = [ns[0], ns[-1]] if ns else []
    fit_overall = per_decade(ends, [good[0]["fit_ours_s"], good[-1]["fit_ours_s"]]) if ns else []
    pair_overall = per_decade(ends, [good[0]["pair_ours_s"], good[-1]["pair_ours_s"]]) if ns else []
    rows.append(
        Row(
            f"cost as the catalogue grows {' -> '.join(fmt_size(n) for n in ns)} "
            "(growth per 10x items: worst step, overall)",
            f"fit x{max(fit_growth, default=nan):.1f}, x{max(fit_overall, default=nan):.1f}; "
            f"pair x{max(pair_growth, default=nan):.1f}, x{max(pair_overall, default=nan):.1f}",
            "",
            "",
            "every step <= x10 (linear)",
            worst <= 10.0,
            {
                "items": ns,
                "fit_growth_per_10x": fit_growth,
                "pair_growth_per_10x": pair_growth,
                "fit_overall_per_10x": fit_overall,
                "pair_overall_per_10x": pair_overall,
            },
        )
    )
    return rows


def render(rows: Sequence[Row]) -> str:
    """The rows as a Markdown table (readable in a terminal, pasteable in the README)."""
    header = ("case", "ours", "recipe", "tuned recipe", "ratio", "target", "met?")
    cells = [
        [r.case, r.ours, r.baseline, r.tuned, r.ratio, r.target, "yes" if r.met else "NO"]
        for r in rows
    ]
    widths = [max(len(h), *(len(c[i]) for c in cells)) for i, h in enumerate(header)]
    lines = [
        "| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |",
        "|" + "|".join("-" * (w + 2) for w in widths) + "|",
    ]
    lines += [
        "| " + " | ".join(c.ljust(w) for c, w in zip(cell, widths, strict=True)) + " |"
        for cell in cells
    ]
    return "\n".join(lines)


def render_scaling(
    plan: Plan, sizes: dict[int, dict[str, Any]], controls: Sequence[dict[str, Any]] = ()
) -> str:
    """Time and memory per size, with the growth per 10x items (ours and the
    baseline's), and the control lines (a smaller catalogue repeated)."""
    lines = [
        "| items | terms | terms per item | fit ours | fit baseline | one pair ours "
        "| one pair baseline | growth per 10x: fit ours, fit baseline, pair ours "
        "| peak RSS ours |",
        "|---|---|---|---|---|---|---|---|---|",
    ]

    def growth(before: dict[str, Any], after: dict[str, Any]) -> str:
        ns = [before["items"], after["items"]]
        values = [
            per_decade(ns, [before[key], after[key]])
            for key in ("fit_ours_s", "fit_baseline_s", "pair_ours_s")
        ]
        return ", ".join(f"x{v[0]:.1f}" if v else "n/a" for v in values)

    def line(label: str, r: dict[str, Any], grew: str) -> str:
        per_item = r["text_cells"] / r["items"]
        return (
            f"| {label} | {r['terms']:,} | {per_item:.1f} | {fmt_time(r['fit_ours_s'])} | "
            f"{fmt_time(r['fit_baseline_s'])} | {fmt_time(r['pair_ours_s'])} | "
            f"{fmt_time(r['pair_baseline_s'])} | {grew} | "
            f"{r['memory_bytes']['peak_ours'] / GB:.2f} GB |"
        )

    previous: dict[str, Any] | None = None
    for task in plan.tasks:
        r = sizes[task.items]
        if "error" in r:
            lines.append(f"| {fmt_size(task.items)} | {r['error']} |  |  |  |  |  |  |  |")
            continue
        lines.append(line(fmt_size(r["items"]), r, growth(previous, r) if previous else ""))
        previous = r
    for task, r in zip(plan.controls, controls, strict=True):
        base_items = task.items // task.repeat
        label = control_label(task)
        if "error" in r:
            lines.append(f"| {label} | {r['error']} |  |  |  |  |  |  |  |")
            continue
        before = sizes.get(base_items, {})
        grew = f"from {fmt_size(base_items)}: {growth(before, r)}" if "fit_ours_s" in before else ""
        lines.append(line(label, r, grew))
    return "\n".join(lines)


def render_family(results: Sequence[dict[str, Any]]) -> str:
    """One line per catalogue of the family: its shape, the kernel fit chose, the
    physical limit of one pair and how close ours gets to it."""
    lines = [
        "| catalogue | items | terms | terms per item | kernel chosen at fit "
        "| postings touched per pair | typed block per item | physical limit "
        "| one pair ours | recipe | tuned recipe | ours / limit "
        "| 20x budget (recipe / 20) | limit / budget |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in results:
        style = r.get("style", "zipf")
        if "error" in r:
            lines.append(f"| {style} | {r['error']} |" + "  |" * 12)
            continue
        limit = r["limit"]
        ours = r["pair_ours_interleaved_s"]
        lines.append(
            f"| {style}: {STYLES[style].summary} | {fmt_size(r['items'])} | {r['terms']:,} | "
            f"{r['text_cells'] / r['items']:.1f} | {r['kernel']} | "
            f"{limit['postings_touched']:,.0f} | {limit['typed_bytes_per_item']:.0f} B | "
            f"{fmt_time(limit['seconds'])} ({limit['bytes'] / 2**20:.1f} MB at "
            f"{limit['bandwidth_bytes_s'] / 1e9:.1f} GB/s) | {fmt_time(ours)} | "
            f"{fmt_time(r['pair_baseline_s'])} | {fmt_time(r['pair_linear_kernel_s'])} | "
            f"{ours / limit['seconds']:.1f}x | {fmt_time(r['pair_baseline_s'] / 20)} | "
            # Above 1: even reading what a pair must read takes longer than the target allows.
            f"{limit['seconds'] / (r['pair_baseline_s'] / 20):.2f} |"
        )
    return "\n".join(lines)


def control_label(task: Task) -> str:
    """``1M (100k x10)``: a control's size and what it repeats."""
    return f"{fmt_size(task.items)} ({fmt_size(task.items // task.repeat)} x{task.repeat})"


def control_note(
    plan: Plan, sizes: dict[int, dict[str, Any]], controls: Sequence[dict[str, Any]]
) -> str:
    """One sentence on what the control lines show, or "" without them."""
    notes = []
    for task, r in zip(plan.controls, controls, strict=True):
        base_items = task.items // task.repeat
        before = sizes.get(base_items, {})
        if "error" in r or "fit_ours_s" not in before:
            continue
        ns = [base_items, task.items]
        ours = per_decade(ns, [before["fit_ours_s"], r["fit_ours_s"]])[0]
        theirs = per_decade(ns, [before["fit_baseline_s"], r["fit_baseline_s"]])[0]
        same = sizes.get(task.items, {})
        versus = ""
        if "fit_ours_s" in same:
            raw = per_decade(ns, [before["fit_ours_s"], same["fit_ours_s"]])[0]
            raw_base = per_decade(ns, [before["fit_baseline_s"], same["fit_baseline_s"]])[0]
            versus = (
                f", against x{raw:.1f} (baseline x{raw_base:.1f}) for the "
                f"{fmt_size(task.items)} catalogue with its own, larger vocabulary"
            )
        notes.append(
            f"With the words of {fmt_size(base_items)} held fixed (that catalogue "
            f"{task.repeat} times over), fit grows x{ours:.1f} per 10x from "
            f"{fmt_size(base_items)} to {fmt_size(task.items)} activities (the baseline's "
            f"vectorizer x{theirs:.1f}){versus}."
        )
    return " ".join(notes)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description="closer vs the usual scikit-learn recipe")
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes and fewer repetitions (about a minute)"
    )
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--json", type=Path, default=RESULTS, help="where to write results")
    parser.add_argument("--child", help=argparse.SUPPRESS)  # a Task as JSON
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(Task(**json.loads(args.child)))))
        return 0

    plan = quick_plan(args.seed) if args.quick else full_plan(args.seed)
    started = time.perf_counter()
    info = machine()
    print(
        f"closer benchmark ({plan.mode}): {info['cpu']}, {info['usable_cores']} cores, "
        f"{info['memory_gb']} GB RAM, Python {info['python']}, numpy {info['numpy']}, "
        f"scikit-learn {info['scikit-learn']}, pydantic {info['pydantic']}, "
        f"load average {info['load_average'][0]}",
        flush=True,
    )

    sizes: dict[int, dict[str, Any]] = {}
    for task in plan.tasks:
        sizes[task.items] = r = run_child(task)
        if "error" in r:
            print(f"  {fmt_size(task.items):>5} items: {r['error']}", flush=True)
            continue
        print(
            f"  {fmt_size(task.items):>5} items: generated in {fmt_time(r['generate_s'])}; "
            f"fit {fmt_time(r['fit_ours_s'])} vs {fmt_time(r['fit_baseline_s'])}; one pair "
            f"{fmt_time(r['pair_ours_s'])} vs {fmt_time(r['pair_baseline_s'])}"
            + (
                f"; recommend_many {fmt_time(r['many']['ours_s'])} vs "
                f"{fmt_time(r['many']['baseline_s'])}"
                if "many" in r
                else ""
            ),
            flush=True,
        )
    family = []
    for task in plan.family:
        family.append(r := run_child(task))
        label = f"{fmt_size(task.items)} items, {task.style}"
        if "error" in r:
            print(f"  {label}: {r['error']}", flush=True)
        else:
            print(
                f"  {label}: one pair {fmt_time(r['pair_ours_interleaved_s'])} vs recipe "
                f"{fmt_time(r['pair_baseline_s'])}, tuned {fmt_time(r['pair_linear_kernel_s'])}",
                flush=True,
            )
    controls = []
    for task in plan.controls:
        controls.append(r := run_child(task))
        label = control_label(task)
        if "error" in r:
            print(f"  {label}: {r['error']}", flush=True)
        else:
            print(
                f"  {label}: fit {fmt_time(r['fit_ours_s'])} vs {fmt_time(r['fit_baseline_s'])}",
                flush=True,
            )
    processes = measure_processes(plan.process_runs)
    rows = build_rows(plan, sizes, processes, family)

    print()
    print(render(rows))
    print()
    print(render_scaling(plan, sizes, controls))
    print()
    print(render_family([sizes[plan.pair_items], *family]))
    if note := control_note(plan, sizes, controls):
        print(f"\n{note}")
    main_size = sizes[plan.pair_items]
    if "error" not in main_size:
        lk = main_size["pair_linear_kernel_s"]
        print(
            f"\nFor reference, the recipe with linear_kernel and argpartition instead of "
            f"cosine_similarity and argsort: {fmt_time(lk)} per pair on "
            f"{fmt_size(plan.pair_items)} items (ours is "
            f"{lk / main_size['pair_ours_interleaved_s']:.1f}x faster than that too)."
        )
    floor = processes["import numpy, pydantic"]
    if not floor["exit"]:
        print(
            f"The first use's floor, `import numpy, pydantic` in a new process: "
            f"{fmt_time(floor['median_s'])}, "
            f"{floor['median_s'] / processes['import sklearn']['median_s']:.2f}x import sklearn "
            "(Recommender needs numpy, PersonProfile and PairContext are pydantic models)."
        )
    print(
        f"Interpreter start alone: {fmt_time(processes['bare python']['median_s'])}. "
        f"Sizes ({plan.mode}): one pair and fit on {fmt_size(plan.pair_items)} items; "
        f"recommend_many on {fmt_size(plan.many_items)} items; largest "
        f"{fmt_size(plan.huge_items)} items."
    )
    elapsed = time.perf_counter() - started
    print(
        f"Reproduce: python benchmarks/run.py{' --quick' if args.quick else ''} "
        f"(took {elapsed:.0f} s; load average at the end {os.getloadavg()[0]:.2f})."
    )

    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(
        json.dumps(
            {
                "mode": plan.mode,
                "plan": asdict(plan),
                "machine": info,
                "elapsed_s": elapsed,
                "rows": [asdict(r) for r in rows],
                "sizes": sizes,
                "controls": controls,
                "family": family,
                "processes": processes,
            },
            indent=2,
        )
    )
    print(f"Results written to {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
