"""Thin matrix products that are exact, so batch and one-by-one scoring agree bit for bit.

The products on the hot path are thin: a few intimacy, energy and emphasis
rows times the whole catalogue. Two facts shape how they are computed:

* ``recommend_many`` must give exactly what ``recommend`` gives, but BLAS sums
  in an order that depends on the block's shape, so the last bit of a score
  could differ between a batch and a single pair and flip a tie. Both inputs
  are therefore put on a grid of 1/2048 (:func:`on_grid`) in [0, 1]: every
  product is a multiple of 2**-22, and every partial sum of such products
  below 2 fits float32's 24-bit mantissa exactly, whatever the order or the
  use of fused multiply-adds. (Person fit and emphasis stay below 2: the
  weights in a row sum to at most about 1.) Rounding a weight to 1/2048
  changes no ranking that matters and keeps scores monotone in every weight.
* OpenBLAS's worker threads cost more than they save on products this thin:
  on the 2-core machines we benchmark on, a (512 x 8) @ (8 x 10k) product took
  28 ms with two threads and 4 ms with one. Products run with the pool limited
  to one thread for the call only; the caller's settings are restored after.
  For a few rows (one pair's people or context) ``einsum``'s own loop is
  quicker still (276 against 360 us for 2 x 8 @ 8 x 100k) and leaves the BLAS
  pool alone. On the grid every summation order gives the same bits, so both
  ways agree.
* threadpoolctl's limits are process-wide. Two threads that each open and
  close their own limit restore in the wrong order and can leave the whole
  process at one thread for good, so :func:`single_threaded_blas` counts who
  is inside: the first caller in sets the limit, the last one out restores
  what was there before. threadpoolctl 3.8 also lets only one "controlling"
  thread change OpenBLAS's pthreads pool (others are ignored while it lives),
  and the last one out is often another thread than the first one in; the
  count proves nobody of ours is inside, so the control is handed over
  (:func:`_take_blas_control`) before setting and before restoring.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["GRID", "exact_gram", "exact_matmul", "on_grid", "single_threaded_blas"]

GRID = 2048.0
#: Products with at most this many rows in ``a`` use ``einsum``, not BLAS.
EINSUM_ROWS = 8
_CONTROLLER: Any = None
_LIMIT_LOCK = threading.Lock()
_inside = 0  # callers inside single_threaded_blas, all threads together
_limiter: Any = None  # threadpoolctl's limiter while anyone is inside


def on_grid(values: npt.ArrayLike) -> npt.NDArray[np.float32]:
    """Round to the nearest multiple of 1/2048, as float32 (exactly representable).

    Examples
    --------
    >>> on_grid([0.1, 0.5]).tolist()
    [0.10009765625, 0.5]
    """
    return (np.round(np.asarray(values, dtype=np.float64) * GRID) / GRID).astype(np.float32)


@contextmanager
def single_threaded_blas() -> Iterator[None]:
    """Limit BLAS and OpenMP pools to one thread while any caller, in any thread, is inside.

    Examples
    --------
    >>> with single_threaded_blas():
    ...     with single_threaded_blas():  # nested and overlapping calls are fine
    ...         pass
    """
    global _CONTROLLER, _inside, _limiter
    with _LIMIT_LOCK:
        if _inside == 0:
            if _CONTROLLER is None:
                from threadpoolctl import ThreadpoolController

                _CONTROLLER = ThreadpoolController()
            _take_blas_control()
            _limiter = _CONTROLLER.limit(limits=1)
        _inside += 1
    try:
        yield
    finally:
        with _LIMIT_LOCK:
            _inside -= 1
            if _inside == 0:
                _take_blas_control()
                _limiter.restore_original_limits()
                _take_blas_control()  # and leave no owner: the caller's threads may set it again
                _limiter = None


def _take_blas_control() -> None:
    """Clear OpenBLAS's controlling thread, so the next thread to set limits takes it.

    threadpoolctl >= 3.8 keeps one owner; older versions have no owner to clear.
    """
    import threadpoolctl

    owner = getattr(threadpoolctl, "OpenBLASController", None)
    clear = getattr(owner, "clear_controlling_thread", None)
    if clear is not None:
        clear(force=True)


def exact_matmul(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``a @ b`` for ``a`` and ``b`` on the :func:`on_grid` grid, with row sums below 2.

    Exact, so the result does not depend on how the rows are blocked, nor on
    which zero terms are left out: the rows of ``b`` before the first and
    after the last that some row of ``a`` weighs are skipped (one pair rarely
    uses them all: a context without obstacles or goals, a person without an
    energy level).

    Examples
    --------
    >>> a = on_grid([[0.1, 0.2, 0.3]]); b = on_grid(np.ones((3, 2)))
    >>> exact_matmul(a, b).tolist() == exact_matmul(np.vstack([a, a, a]), b)[1:2].tolist()
    True
    """
    used = np.flatnonzero(a.any(axis=0))
    if not len(used):
        return np.zeros((a.shape[0], b.shape[1]), np.float32)
    a, b = a[:, used[0] : used[-1] + 1], b[used[0] : used[-1] + 1]  # views, no copies
    if a.shape[0] <= EINSUM_ROWS and b.strides[0] < b.strides[1]:
        # b laid out by item (a transposed view): one small gemm on it as it is.
        return np.ascontiguousarray(np.dot(b.T, a.T).T, dtype=np.float32)
    if a.shape[0] <= EINSUM_ROWS:
        return np.asarray(np.einsum("pk,kn->pn", a, b), dtype=np.float32)
    with single_threaded_blas():
        return np.asarray(a @ b, dtype=np.float32)


def exact_gram(vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """``vectors @ vectors.T`` for each of a stack of matrices ``(P, m, d)`` of whole
    numbers whose products sum below 2**24 in magnitude (int8 rows of a few dozen
    columns): every partial sum is a whole number float32 holds exactly, so the
    result does not depend on how it is computed or blocked.

    Examples
    --------
    >>> v = np.array([[[127, 0], [90, 90]]], np.float32)
    >>> exact_gram(v).tolist()
    [[[16129.0, 11430.0], [11430.0, 16200.0]]]
    """
    if vectors.shape[0] <= EINSUM_ROWS:
        return np.asarray(np.einsum("psd,ptd->pst", vectors, vectors), dtype=np.float32)
    with single_threaded_blas():
        return np.asarray(np.matmul(vectors, vectors.transpose(0, 2, 1)), dtype=np.float32)
