"""Thin matrix products that are exact, so batch and one-by-one scoring agree bit for bit.

The products on the hot path are thin: a few intimacy, energy and emphasis
rows times the whole catalogue. Two facts shape how they are computed:

* ``recommend_many`` must give exactly what ``recommend`` gives, but BLAS sums
  in an order that depends on the block's shape, so the last bit of a score
  could differ between a batch and a single pair and flip a tie. Both inputs
  are therefore put on a grid of 1/4096 (:func:`on_grid`): every product is a
  multiple of 2**-24 and every sum of them is exact in float64, whatever the
  order. Rounding a weight to 1/4096 changes no ranking that matters and keeps
  scores monotone in every weight.
* OpenBLAS's worker threads cost more than they save on products this thin:
  on the 2-core machines we benchmark on, a (512 x 8) @ (8 x 10k) product took
  28 ms with two threads and 4 ms with one. Blocks run with the pool limited
  to one thread for the call only; a few rows use einsum and skip BLAS.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

__all__ = ["GRID", "exact_matmul", "on_grid", "single_threaded_blas"]

GRID = 4096.0
_CONTROLLER: Any = None
#: Up to this many rows, einsum beats calling BLAS at all.
EINSUM_ROWS = 4


def on_grid(values: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """Round to the nearest multiple of 1/4096, as float64.

    Examples
    --------
    >>> on_grid([0.1, 0.5]).tolist()
    [0.10009765625, 0.5]
    """
    return np.round(np.asarray(values, dtype=np.float64) * GRID) / GRID


def single_threaded_blas() -> Any:
    """A context manager that limits BLAS to one thread while it is open."""
    global _CONTROLLER
    if _CONTROLLER is None:
        from threadpoolctl import ThreadpoolController

        _CONTROLLER = ThreadpoolController()
    return _CONTROLLER.limit(limits=1, user_api="blas")


def exact_matmul(a: npt.NDArray[np.float64], b: npt.NDArray[np.float64]) -> npt.NDArray[np.float32]:
    """``a @ b`` as float32, for ``a`` and ``b`` on the :func:`on_grid` grid.

    Exact for inner dimensions up to 64 with entries in [-1, 1], so the result
    does not depend on how the rows are blocked.

    Examples
    --------
    >>> a = on_grid([[0.1, 0.2, 0.3]]); b = on_grid(np.ones((3, 2)))
    >>> exact_matmul(a, b).dtype, exact_matmul(a, b).shape
    (dtype('float32'), (1, 2))
    """
    if a.shape[0] <= EINSUM_ROWS:
        product = np.einsum("pk,kn->pn", a, b)
    else:
        with single_threaded_blas():
            product = a @ b
    return np.asarray(product, dtype=np.float32)
