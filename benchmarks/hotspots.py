"""Where the time goes: cProfile of the one-pair and the batch paths.

Usage::

    python benchmarks/hotspots.py                    # 100k items, 50 pairs; 2k-pair batch on 10k
    python benchmarks/hotspots.py --fit              # and fit on 100k items
    python benchmarks/hotspots.py --items 20k --pairs 20 --many-items 5k --many-pairs 500

Prints, for each path, the functions with the most time of their own
(``tottime``) and the recommender functions with the most time in total
(``cumtime``), so a change can be aimed and then checked with ``run.py``.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

import recommender as rc

try:
    from .synth import STYLES, parse_size, random_pairs, synthetic_catalog
except ImportError:  # run as a script: python benchmarks/hotspots.py
    from synth import STYLES, parse_size, random_pairs, synthetic_catalog  # type: ignore[no-redef, import-not-found]

K = 10
ROOT = Path(__file__).resolve().parents[1]
SITE = str(Path(np.__file__).resolve().parents[1]) + "/"


def profile(label: str, call: Callable[[], object], top: int) -> None:
    """Run ``call`` under cProfile and print its hotspots."""
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    call()
    profiler.disable()
    elapsed = time.perf_counter() - started
    print(f"\n=== {label}: {elapsed:.2f} s under the profiler")
    listings = (
        ("tottime", [top], "own time, everything"),
        ("cumtime", [r"recommender[/\\]", top], "total time, recommender functions"),
    )
    for sort, restriction, title in listings:
        buffer = io.StringIO()
        stats = pstats.Stats(profiler, stream=buffer).sort_stats(sort)
        stats.print_stats(*restriction)
        lines = buffer.getvalue().splitlines()
        start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
        print(f"--- by {sort} ({title})")
        for line in lines[start:]:
            if line.strip():
                print(line.replace(str(ROOT) + "/", "").replace(SITE, ""))
    callers = io.StringIO()
    pstats.Stats(profiler, stream=callers).sort_stats("tottime").print_callers(3)
    print("--- callers of the top three")
    for line in callers.getvalue().splitlines():
        if line.strip() and "Ordered by" not in line and "restriction" not in line:
            print(line.replace(str(ROOT) + "/", "").replace(SITE, ""))


def main(argv: Sequence[str] | None = None) -> int:
    """Profile both paths on synthetic catalogues."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--items", type=parse_size, default=100_000)
    parser.add_argument("--pairs", type=int, default=50)
    parser.add_argument("--many-items", type=parse_size, default=10_000)
    parser.add_argument("--many-pairs", type=int, default=2_000)
    parser.add_argument("--top", type=int, default=15)
    parser.add_argument("--fit", action="store_true", help="also profile fit on --items")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--style", choices=list(STYLES), default="zipf", help="the one-pair catalogue's texts"
    )
    args = parser.parse_args(argv)

    activities = synthetic_catalog(args.items, seed=args.seed, style=args.style)
    catalog = rc.Catalog(activities=tuple(activities))
    model = rc.Recommender().fit(catalog)  # the first fit also pays for lazy imports
    if args.fit:
        profile(f"fit on {args.items:,} items", lambda: rc.Recommender().fit(catalog), args.top)
    triples = random_pairs(catalog, args.pairs, seed=args.seed + 1, constrained=True)
    for triple in triples[:5]:
        model.recommend(*triple, k=K)
    profile(
        f"recommend, one pair at a time: {args.pairs} pairs on {args.items:,} {args.style} items",
        lambda: [model.recommend(*t, k=K) for t in triples],
        args.top,
    )

    catalog = rc.Catalog(activities=tuple(synthetic_catalog(args.many_items, seed=args.seed)))
    model = rc.Recommender().fit(catalog)
    triples = random_pairs(catalog, args.many_pairs, seed=args.seed + 2)
    model.recommend_many(triples[:100], k=K)
    profile(
        f"recommend_many: {args.many_pairs} pairs on {args.many_items:,} items",
        lambda: model.recommend_many(triples, k=K),
        args.top,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
