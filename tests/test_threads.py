"""Safe to embed: one fitted Recommender shared by threads gives what serial calls give."""

from __future__ import annotations

import random
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from threadpoolctl import threadpool_info

import recommender as rc

THREADS = 8
CALLS_PER_THREAD = 200


def blas_threads() -> list[tuple[str, int]]:
    return sorted((pool["internal_api"], pool["num_threads"]) for pool in threadpool_info())


def mixed_calls(seed: int) -> list[Callable[[rc.Recommender], Any]]:
    """A seeded mix of every read-only entry point, each returning plain comparable data."""
    rng = random.Random(seed)
    types = [t.value for t in rc.IntimacyType]
    calls: list[Callable[[rc.Recommender], Any]] = []
    for i in range(CALLS_PER_THREAD):
        a = rc.PersonProfile(
            name=f"A{i}",
            intimacy={rng.choice(types): round(rng.random(), 2)},
            interests=rng.sample(["cooking", "music", "walking", "games", "art"], 2),
            max_depth=rng.randint(1, 5),
        )
        b = rc.PersonProfile(name=f"B{i}", max_depth=rng.randint(1, 5), budget=rng.randint(0, 3))
        ctx = rc.PairContext(
            relationship=rng.choice(["romantic", "friends", "colleagues"]),
            minutes=rng.choice([None, 30, 90]),
        )
        kind = i % 5
        if kind == 0:
            calls.append(lambda m, a=a, b=b, c=ctx: [s.model_dump() for s in m.recommend(a, b, c)])
        elif kind == 1:
            calls.append(
                lambda m, a=a, b=b, c=ctx: [
                    [s.activity.id for s in row] for row in m.recommend_many([(a, b, c)] * 3, k=4)
                ]
            )
        elif kind == 2:
            calls.append(
                lambda m, a=a, b=b, c=ctx: [p.model_dump() for p in rc.ask(m, a, b, c, n=4)]
            )
        elif kind == 3:
            calls.append(
                lambda m, a=a, b=b, c=ctx: [w.model_dump() for w in rc.plan(m, a, b, c, weeks=2)]
            )
        else:
            calls.append(lambda m, a=a, b=b, c=ctx: str(m.diagnose(a, b, c)))
    return calls


def test_eight_threads_sharing_one_model_get_the_serial_results(model: rc.Recommender) -> None:
    np.zeros(1) @ np.zeros(1)  # BLAS loaded, so its pool shows in threadpool_info
    before = blas_threads()
    work = [mixed_calls(seed) for seed in range(THREADS)]
    serial = [[call(model) for call in calls] for calls in work]
    assert blas_threads() == before

    def run(calls: list[Callable[[rc.Recommender], Any]]) -> list[Any]:
        return [call(model) for call in calls]

    with ThreadPoolExecutor(max_workers=THREADS) as pool:
        threaded = list(pool.map(run, work))
    assert threaded == serial
    assert blas_threads() == before


def test_overlapping_blas_limits_restore_the_callers_settings() -> None:
    # threadpoolctl's limits are process-wide; overlapping limits in two threads
    # must not leave the process at one thread when both are done.
    import threading

    from recommender._linalg import single_threaded_blas

    np.zeros(1) @ np.zeros(1)
    before = blas_threads()
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with single_threaded_blas():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with single_threaded_blas():
            second_in.set()
            first_out.wait(5)

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert blas_threads() == before


def test_after_closer_is_done_in_a_live_thread_the_caller_can_still_set_blas_limits() -> None:
    # threadpoolctl >= 3.8 ignores limits set from any thread but the one that owns
    # OpenBLAS's pool while that thread lives: closer must not keep the pool owned.
    import threading

    from threadpoolctl import threadpool_limits

    from recommender._linalg import single_threaded_blas

    np.zeros(1) @ np.zeros(1)
    before = blas_threads()
    done, leave = threading.Event(), threading.Event()

    def worker() -> None:
        with single_threaded_blas():
            pass
        done.set()
        leave.wait(5)  # alive, like a web server's worker thread

    thread = threading.Thread(target=worker)
    thread.start()
    try:
        done.wait(5)
        with threadpool_limits(limits=1):
            assert {n for _, n in blas_threads()} == {1}
        assert blas_threads() == before
    finally:
        leave.set()
        thread.join(5)
