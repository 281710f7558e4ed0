"""Suggestions for millions of pairs on Dask: a laptop's LocalCluster or a real cluster.

Install with ``pip install "closer-recommender[dask]"``. Dask schedules, retries
and moves data; this module only cuts the input into blocks and runs the
existing :meth:`Recommender.recommend_many` on each block.

How the model reaches the workers
---------------------------------
The fitted model is saved once with :meth:`Recommender.save` (``.npz`` arrays
plus JSON: nothing is pickled) and every worker process loads that file once,
keeping it in a module-level cache keyed by the file's path and SHA-256 (a
lock guards the cache, so a worker's threads load it once between them). A
task carries only the path and the digest, a few hundred bytes, never the
model. Before any task runs, :func:`recommend_pairs` asks every worker to load
the model (``client.run``), so a worker that cannot read the path fails the job
at once with a message naming it, instead of in the middle.

Why a file and not ``client.scatter``: scattering the model would pickle it
(the saved form is already compact and checked on load), and a file also
serves workers that join later, after an autoscaler adds them. The cost is that
on a remote cluster the path must be on storage every worker reads (NFS, a
shared volume): pass ``model_dir=`` or a saved model's path there. A LocalCluster
shares the client's disk, so the default (the user's cache folder) serves.

Input and output
----------------
``pairs`` is a Dask DataFrame, or a path, folder or glob of JSON Lines
(``.jsonl``, ``.ndjson``, ``.json``) or Parquet (``.parquet``, ``.pq``) files.
Each row is one pair: ``a`` and ``b`` (profiles, as in the YAML files),
``context`` (optional) and ``pair`` (optional; the history's name of the pair,
by default both names lower-cased and sorted, as ``closer suggest`` does). In
Parquet or a DataFrame, a profile is JSON text or a mapping (a struct), whose
null fields count as not given. ``row`` is the row's position in the input,
counted from 0 across the files in name order (a JSON Lines row ``r`` of a file
is line ``r - first + 1``, and messages name the file and line).

A row that does not validate never stops the job: :func:`write_batch` lists it
in the errors it returns, with its row number and the same one-line message the
CLI prints for a bad profile (file, field and value).
"""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ._io import json_load, structure_marks
from .errors import ConfigError, ProfileError, RecommenderError
from .model import Recommender

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

    from .schema import PairContext, PersonProfile, Suggestion
    from .store import PairHistory

__all__ = [
    "DEFAULT_PARTITION_SIZE",
    "RESULT_COLUMNS",
    "BatchSummary",
    "DaskMissingError",
    "RowError",
    "read_pairs",
    "recommend_pairs",
    "write_batch",
    "write_errors",
]

logger = logging.getLogger(__name__)

#: Pairs per Dask task: large enough that scoring dwarfs the task's overhead
#: (about 1 ms), small enough that a lost worker costs seconds to redo.
DEFAULT_PARTITION_SIZE = 2_048  # 16 of recommend_many's blocks of 128 pairs
#: The smallest block the taper at a job's end cuts (for blocks of 512 or more):
#: one of recommend_many's blocks.
TAPER_FLOOR = 128
#: The columns of the result, one row per (pair, rank).
RESULT_COLUMNS = ("row", "pair", "rank", "id", "score", "fit_a", "fit_b", "reasons")
#: The fields a pair row may hold.
PAIR_FIELDS = ("a", "b", "context", "pair")
#: Most values (keys, scalars, lists, mappings) one row may hold: three profiles' worth.
MAX_ROW_VALUES = 30_000
#: Models a worker keeps loaded (one per job is the usual case).
MAX_LOADED_MODELS = 2
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".json")
PARQUET_SUFFIXES = (".parquet", ".pq")
INSTALL_HINT = 'pip install "closer-recommender[dask]"'


class DaskMissingError(ConfigError):
    """Dask (or pandas, pyarrow) is not installed; the message says how to install it."""


def _require_dask() -> None:
    try:
        import dask.dataframe  # noqa: F401
        import distributed  # noqa: F401
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise DaskMissingError(
            f"batch suggestions need Dask, pandas and pyarrow ({exc.name} is missing): "
            f"{INSTALL_HINT}"
        ) from None


# ------------------------------------------------------------------ the model on workers


@dataclass(frozen=True)
class ModelFile:
    """A saved model as tasks see it: where it is, its SHA-256 and the strategy to use
    (None: the one it was saved with)."""

    path: str
    digest: str
    strategy: str | None


_LOADED: dict[ModelFile, Recommender] = {}
_LOADED_LOCK = threading.Lock()


def _file_digest(path: str) -> str:
    digest = hashlib.sha256()
    try:
        with open(path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the model file ({exc.strerror or exc})") from None
    return digest.hexdigest()


def worker_model(handle: ModelFile) -> Recommender:
    """The model ``handle`` names, loaded once per process and then reused.

    Raises
    ------
    ModelFileError
        The file cannot be read or is not a closer model.
    ConfigError
        The file changed since the job started (its SHA-256 differs).
    """
    with _LOADED_LOCK:
        model = _LOADED.get(handle)
        if model is None:
            if _file_digest(handle.path) != handle.digest:
                raise ConfigError(
                    f"{handle.path}: the model file changed after the job started "
                    "(its SHA-256 differs); run the job again"
                )
            model = Recommender.load(handle.path)
            if handle.strategy is not None:
                model.set_params(strategy=handle.strategy)._validate_params()
            while len(_LOADED) >= MAX_LOADED_MODELS:
                _LOADED.pop(next(iter(_LOADED)))
            _LOADED[handle] = model
            logger.debug("loaded a model for batch work (%d activities)", len(model.activity_ids_))
        return model


def _preload(handle: ModelFile) -> int:
    """Run on every worker before the job: load the model, report its size."""
    return len(worker_model(handle).activity_ids_)


def model_file(
    model: Recommender | str | os.PathLike[str],
    strategy: str | None,
    model_dir: str | os.PathLike[str] | None = None,
) -> ModelFile:
    """Save ``model`` where workers can read it (or take a saved one's path).

    A fitted model is saved to ``model_dir`` (default: the user's cache folder)
    under a name made of its catalogue hash and hyperparameters, so a nightly
    job writes it once and reuses it. A path is used as it is.

    Examples
    --------
    >>> import recommender as rc, tempfile
    >>> handle = model_file(rc.Recommender().fit(rc.default_catalog()), "average",
    ...                     tempfile.mkdtemp())
    >>> handle.strategy, handle.path.endswith(".npz"), len(handle.digest)
    ('average', True, 64)
    """
    if isinstance(model, Recommender):
        model._check_fitted()
        if strategy is None:
            strategy = model.strategy
        folder = Path(model_dir) if model_dir is not None else _default_model_dir()
        params = json.dumps(model.get_params(), sort_keys=True).encode()
        name = f"batch-{model.catalog_hash[:16]}-{hashlib.sha256(params).hexdigest()[:12]}.npz"
        target = folder / name
        if not target.is_file():
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            model.save(target)
        path = str(target.resolve())
    else:
        path = str(Path(model).resolve())
    from .model import STRATEGIES

    if strategy is not None and strategy not in STRATEGIES:
        raise ConfigError(f"strategy must be one of {', '.join(STRATEGIES)}, got {strategy!r}")
    return ModelFile(path, _file_digest(path), strategy)


def _default_model_dir() -> Path:
    from .cache import cache_dir

    return cache_dir()


#: Dask settings of the LocalCluster (see :func:`local_cluster`); a remote cluster
#: takes the same ones from its own Dask configuration.
CLUSTER_CONFIG: dict[str, Any] = {
    "distributed.worker.profile.enabled": False,
    "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
    # Periodic callbacks of every server's event loop, at Dask's defaults 20 ms (an
    # unresponsive-loop check), 100 ms (work stealing; memory checks) and 500 ms (the
    # dashboard's system metrics): together they kept 0.06 of a core busy on an idle
    # two-worker cluster, 0.02 with these. Blocks take seconds, so nothing waits on them.
    "distributed.admin.tick.interval": "1s",
    "distributed.scheduler.work-stealing-interval": "1s",
    "distributed.worker.memory.monitor-interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
}


def local_cluster(n_workers: int) -> Any:
    """A LocalCluster of ``n_workers`` processes, one thread each, listening on loopback only.

    One thread a process, because scoring is numpy plus Python that holds the GIL
    (and BLAS is held to one thread: Dask's nanny sets ``OMP_NUM_THREADS=1`` and
    its kin, and the library limits BLAS around its products). No dashboard;
    the scheduler's small HTTP server (health checks) takes a free port, so two
    clusters on one machine never fight over 8787. The workers' statistical
    profiler (a stack sample every 10 ms, for the dashboard no one sees) is off:
    on a busy core it costs about 1% of the scoring. The event loops' periodic
    checks run less often (:data:`CLUSTER_CONFIG`). And the nanny does not set
    ``MALLOC_TRIM_THRESHOLD_``: that setting also turns off glibc's adaptive
    mmap threshold, so every large numpy temporary of a block is mapped afresh
    and faulted in page by page (4x the page faults, about 10% more CPU a pair).
    """
    _require_dask()
    import dask
    from distributed import LocalCluster

    with dask.config.set(CLUSTER_CONFIG):
        return LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=n_workers,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
            scheduler_kwargs={"dashboard_address": "127.0.0.1:0"},
            silence_logs=logging.ERROR,
        )


# ------------------------------------------------------------------ reading the input


@dataclass(frozen=True)
class Block:
    """One task's share of an input file: ``start``..``stop`` (bytes for JSON Lines,
    rows for Parquet), whose first row is ``first_row`` of the whole input."""

    source: str
    kind: str
    first_row: int
    start: int
    stop: int
    rows: int
    line: int = 1  # JSON Lines: the file's line number of the block's first row


def input_files(pairs: str | os.PathLike[str]) -> list[str]:
    """The files a path, folder or glob names, sorted; each JSON Lines or Parquet.

    Raises
    ------
    ConfigError
        Nothing matches, or a file is neither JSON Lines nor Parquet.
    """
    text = os.fspath(pairs)
    if os.path.isdir(text):
        suffixes = JSONL_SUFFIXES + PARQUET_SUFFIXES
        files = sorted(str(p) for p in Path(text).iterdir() if p.suffix.lower() in suffixes)
    elif glob.has_magic(text):
        files = sorted(p for p in glob.glob(text) if os.path.isfile(p))
    else:
        if not os.path.isfile(text):
            raise ConfigError(f"{text}: no such file of pairs")
        files = [text]
    if not files:
        raise ConfigError(f"{text}: no JSON Lines or Parquet files of pairs there")
    for file in files:
        if not file.lower().endswith(JSONL_SUFFIXES + PARQUET_SUFFIXES):
            raise ConfigError(
                f"{file}: pairs must be JSON Lines (.jsonl, .ndjson, .json) or Parquet "
                "(.parquet, .pq)"
            )
    return files


def plan_blocks(files: Sequence[str], size: int, workers: int = 1) -> list[Block]:
    """Cut ``files`` into blocks of ``size`` rows, numbering rows across all of them.

    With ``workers`` > 1 the last blocks shrink (see :func:`taper`), so the
    workers finish together instead of all but one waiting for a last big block.

    Examples
    --------
    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "pairs.jsonl"
    >>> _ = path.write_text("{}\\n" * 1000)
    >>> [b.rows for b in plan_blocks([str(path)], 256)]
    [256, 256, 256, 232]
    >>> [b.rows for b in plan_blocks([str(path)], 256, workers=2)]
    [250, 188, 141, 106, 79, 64, 64, 64, 44]
    """
    blocks: list[Block] = []
    first_row = 0
    for file in files:
        planned = (
            _parquet_blocks(file, first_row, size)
            if file.lower().endswith(PARQUET_SUFFIXES)
            else _jsonl_blocks(file, first_row, size)
        )
        blocks += planned
        first_row += sum(block.rows for block in planned)
    return taper(blocks, size, workers)


def taper(blocks: Sequence[Block], size: int, workers: int) -> list[Block]:
    """The last ``2 * workers`` blocks' rows re-cut into shrinking blocks (guided sizes).

    Dask hands blocks out in order; when ``r`` rows are left the next block
    takes ``ceil(r / (2 * workers))`` of them (at most ``size``, at least a
    quarter of it and at most :data:`TAPER_FLOOR`), so the last blocks are
    small and no worker sits idle long while another finishes. Each block
    stays within one file.
    """
    if workers < 2:
        return list(blocks)
    floor = max(1, min(TAPER_FLOOR, size // 4))
    tail, rows = len(blocks), 0
    while tail > 0 and rows < 2 * workers * size:
        tail -= 1
        rows += blocks[tail].rows
    out = list(blocks[:tail])
    for block in _merged(blocks[tail:]):
        pieces: list[int] = []
        while sum(pieces) < block.rows:
            guided = max(floor, -(-rows // (2 * workers)))
            pieces.append(min(size, guided, block.rows - sum(pieces)))
            rows -= pieces[-1]
        out += _split_block(block, pieces)
    return out


def _merged(blocks: Sequence[Block]) -> list[Block]:
    """Consecutive blocks of one file joined into one (they are contiguous in it)."""
    merged: list[Block] = []
    for block in blocks:
        last = merged[-1] if merged else None
        if last is not None and last.source == block.source and last.stop == block.start:
            merged[-1] = Block(
                last.source,
                last.kind,
                last.first_row,
                last.start,
                block.stop,
                last.rows + block.rows,
                line=last.line,
            )
        else:
            merged.append(block)
    return merged


def _split_block(block: Block, pieces: Sequence[int]) -> list[Block]:
    """``block`` as consecutive blocks of ``pieces`` rows (their sum is its rows)."""
    if len(pieces) == 1:
        return [block]
    if block.kind == "parquet":
        starts = [block.start + sum(pieces[:i]) for i in range(len(pieces) + 1)]
    else:
        import numpy as np

        with open(block.source, "rb") as handle:
            handle.seek(block.start)
            data = handle.read(block.stop - block.start)
        newlines = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
        ends = np.cumsum(pieces[:-1]) - 1  # the newline ending each piece but the last
        starts = [block.start, *(block.start + newlines[ends] + 1).tolist(), block.stop]
    return [
        Block(
            block.source,
            block.kind,
            block.first_row + sum(pieces[:i]),
            begin,
            end,
            rows,
            line=block.line + sum(pieces[:i]),
        )
        for i, (begin, end, rows) in enumerate(zip(starts[:-1], starts[1:], pieces, strict=True))
    ]


def _jsonl_blocks(path: str, first_row: int, size: int) -> list[Block]:
    """Blocks at every ``size``-th line start, found at C speed (numpy over 1 MiB reads)."""
    import numpy as np

    starts = [0]  # byte offset of each block's first line
    lines = 0  # newlines seen so far
    offset = 0
    with open(path, "rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            newlines = np.flatnonzero(np.frombuffer(chunk, np.uint8) == 10)
            # Newline number j (1-based, across the file) ends line j; a block starts after
            # every newline whose number is a multiple of size.
            wanted = np.arange(size - lines % size, len(newlines) + 1, size) - 1
            starts += (offset + newlines[wanted] + 1).tolist()
            lines += len(newlines)
            offset += len(chunk)
            last = chunk[-1:]
    rows = lines + (1 if offset and last != b"\n" else 0)
    if starts[-1] >= offset:
        starts.pop()  # the file ends on a block boundary (or is empty)
    if not starts:
        return []
    ends = [*starts[1:], offset]
    return [
        Block(
            path,
            "jsonl",
            first_row + i * size,
            begin,
            end,
            min(size, rows - i * size),
            line=i * size + 1,
        )
        for i, (begin, end) in enumerate(zip(starts, ends, strict=True))
    ]


def _parquet_blocks(path: str, first_row: int, size: int) -> list[Block]:
    import pyarrow.parquet as pq

    try:
        rows = pq.ParquetFile(path).metadata.num_rows
    except Exception as exc:  # pyarrow raises its own ArrowInvalid for a non-Parquet file
        raise ConfigError(f"{path}: not a readable Parquet file ({exc})") from None
    return [
        Block(
            path,
            "parquet",
            first_row + start,
            start,
            min(start + size, rows),
            min(size, rows - start),
        )
        for start in range(0, rows, size)
    ]


#: The columns of an input block: every row travels as one line of JSON text, so
#: Dask's conversion of object columns to strings cannot turn a mapping into its repr.
INPUT_COLUMNS = ("row", "where", "line", "source")


def read_block(block: Block) -> pd.DataFrame:
    """One block as a frame of ``row``, ``where`` (for messages), ``line`` (JSON text)
    and ``source`` (its file, for a history per shard)."""

    if block.kind == "parquet":
        records = list(_parquet_records(block))
    else:
        records = list(_jsonl_records(block))
    return _input_frame(records, block.source)


def _input_frame(records: Sequence[tuple[int, str, str]], source: str = "") -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame(
        {
            "row": pd.Series([r[0] for r in records], dtype="int64"),
            "where": pd.Series([r[1] for r in records], dtype=object),
            "line": pd.Series([r[2] for r in records], dtype=object),
            "source": pd.Series([source] * len(records), dtype=object),
        }
    )


def _jsonl_records(block: Block) -> Iterator[tuple[int, str, str]]:
    with open(block.source, "rb") as handle:
        handle.seek(block.start)
        data = handle.read(block.stop - block.start)
    for number, raw in enumerate(data.split(b"\n")):
        text = raw.decode("utf-8", errors="replace").strip()
        if text:  # a blank line (or the end of the file) is no pair
            yield block.first_row + number, f"{block.source}: line {block.line + number}", text


def _parquet_records(block: Block) -> Iterator[tuple[Any, ...]]:
    import pyarrow.parquet as pq

    file = pq.ParquetFile(block.source)
    names = set(file.schema_arrow.names)
    unknown = names - {*PAIR_FIELDS, "row"}
    columns = [c for c in PAIR_FIELDS if c in names]
    table = _parquet_rows(file, block.start, block.stop, columns)
    values = {c: table.column(c).to_pylist() for c in columns}
    for number in range(block.stop - block.start):
        cells = {c: _from_frame(values[c][number]) for c in columns}
        cells.update(dict.fromkeys(unknown, True))  # an unknown column: an error per row
        yield block.first_row + number, f"{block.source}: row {block.start + number}", _line(cells)


def _line(cells: Mapping[str, Any]) -> str:
    """A row of cells as one line of JSON (a value JSON has no form for becomes text)."""
    return json.dumps({k: v for k, v in cells.items() if v is not None}, default=str)


def _parquet_rows(file: Any, start: int, stop: int, columns: list[str]) -> pa.Table:
    """Rows ``start``..``stop`` of a Parquet file, reading only the row groups they span."""
    import pyarrow as pa

    groups, first, seen = [], None, 0
    for group in range(file.metadata.num_row_groups):
        count = file.metadata.row_group(group).num_rows
        if seen + count > start and seen < stop:
            groups.append(group)
            first = seen if first is None else first
        seen += count
    if not groups:
        return pa.table({c: pa.array([], pa.null()) for c in columns})
    table = file.read_row_groups(groups, columns=columns)
    return table.slice(start - (first or 0), stop - start)


def _fields(line: str, where: str) -> list[Any]:
    """[a, b, context, pair] of one row's JSON text; ProfileError naming the row if bad."""
    # JSON has no aliases, so its marks bound the values it builds: check them before parsing.
    marks = structure_marks(line)
    if marks > 2 * MAX_ROW_VALUES:
        raise ProfileError(
            f"{where}: holds too much structure for a pair ({marks} brackets, commas, colons "
            f"and dashes; the limit is {2 * MAX_ROW_VALUES})"
        )
    try:
        document = json_load(line)
    except (ValueError, RecursionError) as exc:
        raise ProfileError(f"{where}: not valid JSON: {_first_line(exc)}") from None
    if not isinstance(document, dict):
        raise ProfileError(
            f"{where}: expected an object with a, b, context and pair, "
            f"got {type(document).__name__}"
        )
    unknown = set(document) - set(PAIR_FIELDS)
    if unknown:
        raise ProfileError(f"{where}: {_unknown_fields(unknown)}")
    return [document.get(name) for name in PAIR_FIELDS]


def _unknown_fields(unknown: Iterable[str]) -> str:
    names = ", ".join(repr(n) for n in sorted(unknown))
    return f"unknown field {names} (a row holds a, b, context and pair)"


def _first_line(exc: BaseException) -> str:
    return (str(exc).splitlines() or [type(exc).__name__])[0]


def read_pairs(
    pairs: str | os.PathLike[str] | Any, *, partition_size: int = DEFAULT_PARTITION_SIZE
) -> Any:
    """The input as a Dask DataFrame of :data:`INPUT_COLUMNS`, each row one line of JSON.

    Files are cut into blocks of ``partition_size`` rows, each read by the task
    that needs it; a Dask DataFrame's partitions are kept, and its rows
    numbered unless it has a ``row`` column.
    """
    _require_dask()
    import dask.dataframe as dd

    blocks = pair_blocks(pairs, partition_size)
    if blocks is None:
        return _frame_pairs(pairs)
    return dd.from_map(  # type: ignore[no-untyped-call]
        read_block, blocks, meta=_input_meta(), enforce_metadata=False
    )


def pair_blocks(pairs: Any, partition_size: int, workers: int = 1) -> list[Block] | None:
    """The blocks of a path, folder or glob of pair files (see :func:`plan_blocks`), or None
    for a Dask DataFrame.

    Raises
    ------
    ConfigError
        ``partition_size`` is not a positive integer, ``pairs`` is of another
        type, or its files are missing, of another kind or empty.
    """
    import dask.dataframe as dd

    if isinstance(partition_size, bool) or not isinstance(partition_size, int):
        raise ConfigError(f"partition_size must be an integer >= 1, got {partition_size!r}")
    if partition_size < 1:
        raise ConfigError(f"partition_size must be an integer >= 1, got {partition_size!r}")
    if isinstance(pairs, dd.DataFrame):
        return None
    if not isinstance(pairs, (str, os.PathLike)):
        raise ConfigError(
            "pairs must be a Dask DataFrame or a path or glob of JSON Lines or Parquet "
            f"files, got {type(pairs).__name__}"
        )
    blocks = plan_blocks(input_files(pairs), partition_size, workers)
    if not blocks:
        raise ConfigError(f"{os.fspath(pairs)}: holds no pairs")
    return blocks


def _input_meta() -> pd.DataFrame:
    return _input_frame([])


def _frame_pairs(frame: Any) -> Any:
    columns = set(frame.columns)
    unknown = columns - {*PAIR_FIELDS, "row"}
    if unknown:
        raise ConfigError(f"pairs: {_unknown_fields(unknown)}")
    missing = [c for c in ("a", "b") if c not in columns]
    if missing:
        raise ConfigError(f"pairs: the column {missing[0]!r} is missing (a row holds a and b)")
    offsets: list[int] = []
    if "row" not in columns:
        lengths = frame.map_partitions(len).compute().tolist()
        offsets = [sum(lengths[:i]) for i in range(len(lengths))]
    return frame.map_partitions(
        _numbered, offsets, meta=_input_meta(), enforce_metadata=False, align_dataframes=False
    )


def _numbered(
    part: pd.DataFrame, offsets: list[int], partition_info: dict[str, Any] | None = None
) -> pd.DataFrame:
    """A DataFrame partition in the input's shape, numbered from its offset."""

    if "row" in part.columns:
        rows = part["row"].astype("int64").tolist()
    else:
        number = partition_info["number"] if partition_info else 0
        rows = list(range(offsets[number], offsets[number] + len(part)))
    fields = [c for c in PAIR_FIELDS if c in part.columns]
    cells = zip(*(part[c].tolist() for c in fields), strict=True)
    lines = [
        _line({c: _from_frame(_no_na(v)) for c, v in zip(fields, row, strict=True)})
        for row in cells
    ]
    return _input_frame([(r, f"row {r}", line) for r, line in zip(rows, lines, strict=True)])


def _from_frame(value: Any) -> Any:
    """A DataFrame or Parquet cell as JSON would give it: a struct's null fields dropped
    (a struct column holds every field of every row), a map's pairs made a mapping."""
    if value is None or (isinstance(value, float) and value != value):  # NaN: no value
        return None
    if (
        isinstance(value, list)
        and value
        and all(isinstance(kv, tuple) and len(kv) == 2 for kv in value)
    ):
        value = dict(value)  # pyarrow gives a map column as (key, value) tuples
    if isinstance(value, dict):
        return {k: _from_frame(v) for k, v in value.items() if v is not None}
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):
        return _from_frame(value.tolist())  # a numpy array out of a list column
    if isinstance(value, list):
        return [_from_frame(v) for v in value]
    return value


# ------------------------------------------------------------------ scoring a block


@dataclass(frozen=True)
class RowError:
    """A row that was not scored: its number, the pair's name if known, and why (one line)."""

    row: int
    pair: str | None
    error: str


@dataclass(frozen=True)
class BlockResult:
    """What one block gave: result rows (columns as :data:`RESULT_COLUMNS`) and failed rows."""

    columns: dict[str, list[Any]]
    errors: list[RowError]
    pairs: int
    empty: int  # pairs for which nothing fits


def _document(value: Any, where: str, name: str) -> Any:
    """A profile or context cell as a document: JSON text parsed, a mapping as it is."""
    if isinstance(value, (bytes, str)):
        try:
            document = json_load(value.decode() if isinstance(value, bytes) else value)
        except (ValueError, RecursionError) as exc:
            raise ProfileError(f"{where}: {name}: not valid JSON: {_first_line(exc)}") from None
        marks = structure_marks(value if isinstance(value, str) else value.decode())
        if marks > 2 * MAX_ROW_VALUES:
            raise ProfileError(f"{where}: {name}: holds too much structure for a profile")
        return document
    return value


def _parse_row(where: str, line: str) -> tuple[PersonProfile, PersonProfile, PairContext, str]:
    """Validate one row into (a, b, context, pair name); ProfileError or ConfigError if bad."""
    from .profiles import parse_model
    from .schema import PairContext, PersonProfile
    from .store import _check_pair, pair_name

    a, b, context, pair = _fields(line, where)
    docs: list[Any] = []
    for name, value, required in (("a", a, True), ("b", b, True), ("context", context, False)):
        if value is None:
            if required:
                raise ProfileError(f"{where}: {name}: missing (a row needs profiles a and b)")
            docs.append({})
            continue
        docs.append(_document(value, where, name))
    person_a = parse_model(PersonProfile, docs[0], f"{where}: a")
    person_b = parse_model(PersonProfile, docs[1], f"{where}: b")
    ctx = parse_model(PairContext, docs[2], f"{where}: context")
    if pair is None:
        name = pair_name(person_a.name, person_b.name)
    else:
        try:
            name = _check_pair(pair)
        except ConfigError as exc:
            raise ConfigError(f"{where}: pair: {exc}") from None
    return person_a, person_b, ctx, name


def _no_na(cell: Any) -> Any:
    """None for pandas' missing values (None, NaN, NA); the cell itself otherwise."""
    if cell is None or isinstance(cell, (dict, list, tuple, str, bytes)):
        return cell
    import pandas as pd

    return None if pd.api.types.is_scalar(cell) and pd.isna(cell) else cell


def _pair_of(line: str) -> str | None:
    """The pair name a bad row gives, if it gives one that is text."""
    try:
        pair = json.loads(line).get("pair")
    except (ValueError, AttributeError, RecursionError):
        return None
    return pair if isinstance(pair, str) else None


def _one_line(exc: RecommenderError) -> str:
    problems = getattr(exc, "problems", None)
    lines = [str(p) for p in problems] if problems else str(exc).splitlines()
    return "; ".join(line for line in lines if line) or type(exc).__name__


def score_block(
    frame: pd.DataFrame,
    handle: ModelFile,
    k: int,
    history: HistorySource | None = None,
) -> BlockResult:
    """Validate and score one block with ``recommend_many``; bad rows become errors."""
    model = worker_model(handle)
    good: list[tuple[int, str, tuple[PersonProfile, PersonProfile, PairContext]]] = []
    sources: list[str] = []
    errors: list[RowError] = []
    for row, where, line, source in frame[list(INPUT_COLUMNS)].itertuples(index=False, name=None):
        try:
            person_a, person_b, ctx, name = _parse_row(str(where), str(line))
        except RecommenderError as exc:
            errors.append(RowError(int(row), _pair_of(str(line)), _one_line(exc)))
            continue
        good.append((int(row), name, (person_a, person_b, ctx)))
        sources.append(str(source))
    histories = history.snapshots([name for _, name, _ in good], sources) if history else None
    lists = model.recommend_many([t for _, _, t in good], k=k, histories=histories)
    return BlockResult(_result_columns(good, lists), errors, len(good), sum(not s for s in lists))


def _result_columns(
    good: Sequence[tuple[int, str, Any]], lists: Sequence[Sequence[Suggestion]]
) -> dict[str, list[Any]]:
    flat = [
        (row, name, rank, s)
        for (row, name, _), suggestions in zip(good, lists, strict=True)
        for rank, s in enumerate(suggestions, start=1)
    ]
    return {
        "row": [f[0] for f in flat],
        "pair": [f[1] for f in flat],
        "rank": [f[2] for f in flat],
        "id": [f[3].activity.id for f in flat],
        "score": [f[3].score for f in flat],
        "fit_a": [f[3].scores[0] for f in flat],
        "fit_b": [f[3].scores[1] for f in flat],
        "reasons": [list(f[3].reasons) for f in flat],
    }


# ------------------------------------------------------------------ history


#: In a history path, the input file's name without its suffix: one history per shard.
SHARD = "{stem}"


@dataclass(frozen=True)
class HistorySource:
    """Where tasks read pairs' histories, opened read-only, as of ``today``: one SQLite
    file, or with :data:`SHARD` in ``path`` one per input file (a missing one: no records)."""

    path: str
    today: dt.date
    window_days: int

    def path_for(self, source: str) -> str:
        """The history of the pairs read from input file ``source``.

        Examples
        --------
        >>> HistorySource("h/{stem}.sqlite3", dt.date(2026, 1, 1), 90).path_for("in/p-3.jsonl")
        'h/p-3.sqlite3'
        """
        if SHARD not in self.path:
            return self.path
        if not source:
            raise ConfigError(
                f"history {self.path}: a history per shard ({SHARD}) needs pairs read from files"
            )
        return self.path.replace(SHARD, Path(source).stem)

    def snapshots(self, names: Sequence[str], sources: Sequence[str]) -> list[PairHistory]:
        """Each named pair's snapshot, read exactly as ``History.for_pair`` reads it."""
        from .store import History, PairHistory

        found: dict[int, PairHistory] = {}
        rows_of: dict[str, list[int]] = {}
        for number, source in enumerate(sources):
            rows_of.setdefault(self.path_for(source), []).append(number)
        for path, rows in rows_of.items():
            if SHARD in self.path and not os.path.exists(path):  # a shard with no records yet
                found.update(
                    (i, PairHistory(names[i], (), self.today, self.window_days)) for i in rows
                )
                continue
            with History(path, readonly=True) as store:
                found.update(
                    (i, store.for_pair(names[i], self.today, self.window_days)) for i in rows
                )
        return [found[i] for i in range(len(names))]


def history_source(
    history: str | os.PathLike[str] | None, today: dt.date | None, window_days: int | None
) -> HistorySource | None:
    """Check the history file once on the client; tasks then open it read-only."""
    if history is None:
        return None
    from .store import DEFAULT_WINDOW_DAYS, History, _check_window

    path = Path(history).resolve()
    if SHARD not in str(history):
        with History(path, readonly=True):  # a StoreError now, not in every task
            pass
    window = _check_window(DEFAULT_WINDOW_DAYS if window_days is None else window_days)
    return HistorySource(str(path), today or dt.date.today(), window)


# ------------------------------------------------------------------ the public calls


def _result_frame(result: BlockResult) -> pd.DataFrame:
    import pandas as pd

    columns = result.columns
    return pd.DataFrame(
        {
            "row": pd.Series(columns["row"], dtype="int64"),
            "pair": pd.Series(columns["pair"], dtype=object),
            "rank": pd.Series(columns["rank"], dtype="int64"),
            "id": pd.Series(columns["id"], dtype=object),
            "score": pd.Series(columns["score"], dtype="float64"),
            "fit_a": pd.Series(columns["fit_a"], dtype="float64"),
            "fit_b": pd.Series(columns["fit_b"], dtype="float64"),
            "reasons": pd.Series(columns["reasons"], dtype=object),
        }
    )


def _suggestion_frame(
    frame: pd.DataFrame, handle: ModelFile, k: int, history: HistorySource | None, on_error: str
) -> pd.DataFrame:
    result = score_block(frame, handle, k, history)
    if result.errors and on_error == "raise":
        raise ProfileError(result.errors[0].error)
    return _result_frame(result)


def recommend_pairs(
    model: Recommender | str | os.PathLike[str],
    pairs: Any,
    *,
    k: int = 10,
    strategy: str | None = None,
    client: Any = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    history: str | os.PathLike[str] | None = None,
    today: dt.date | None = None,
    window_days: int | None = None,
    model_dir: str | os.PathLike[str] | None = None,
    on_error: str = "raise",
) -> Any:
    """Suggestions for every pair in ``pairs``, as a lazy Dask DataFrame.

    Each partition runs :meth:`Recommender.recommend_many` on its block, so a
    pair gets the same list, in the same order, as ``model.recommend`` gives it
    alone (with ``history`` and ``today``, as ``recommend`` gives it with
    ``History(history).for_pair(pair, today)``).

    Parameters
    ----------
    model : Recommender or path
        A fitted model (saved once for the workers, see the module docstring)
        or the path of one saved with :meth:`Recommender.save`.
    pairs : Dask DataFrame, or path, folder or glob of JSON Lines or Parquet files
        One pair a row: ``a``, ``b``, ``context`` (optional), ``pair`` (optional).
    k : int, default=10
        Suggestions per pair.
    strategy : str, optional
        One of :data:`recommender.STRATEGIES`; the model's own when omitted.
    client : distributed.Client, optional
        When given, every worker loads the model before the job (and a worker
        that cannot read its path fails the call at once).
    partition_size : int, default=2048
        Pairs per task, for file inputs.
    history : path, optional
        A SQLite history (``closer done``) every task reads read-only.
    today : date, optional
        The day histories are read as of (default: today on the client, the
        same for every task).
    window_days : int, optional
        Days within which a done activity is not suggested again (default 90).
    model_dir : path, optional
        Where a fitted model is saved for the workers (default: the user's
        cache folder); on a remote cluster, storage every worker reads.
    on_error : {"raise", "skip"}, default="raise"
        A bad row fails its task with a ProfileError naming the row, or is skipped
        (:func:`write_batch` lists skipped rows).

    Returns
    -------
    dask.dataframe.DataFrame
        Columns :data:`RESULT_COLUMNS`, one row per (pair, rank); ``rank`` from 1.

    Examples
    --------
    >>> import dask, dask.dataframe as dd, json, pandas as pd, tempfile
    >>> import recommender as rc
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> rows = pd.DataFrame({"a": [json.dumps({"name": "Ana"})],
    ...                      "b": [json.dumps({"name": "Ben", "max_depth": 2})]})
    >>> frame = recommend_pairs(model, dd.from_pandas(rows, npartitions=1), k=3,
    ...                         model_dir=tempfile.mkdtemp())
    >>> with dask.config.set(scheduler="sync"):
    ...     out = frame.compute()
    >>> out["rank"].tolist(), out["pair"].iloc[0]
    ([1, 2, 3], 'ana-ben')
    """
    frame, handle, source = _prepare(
        model, pairs, k, strategy, client, partition_size, history, today, window_days, model_dir
    )
    if on_error not in ("raise", "skip"):
        raise ConfigError(f"on_error must be 'raise' or 'skip', got {on_error!r}")
    meta = _result_frame(BlockResult({c: [] for c in RESULT_COLUMNS}, [], 0, 0))
    return frame.map_partitions(
        _suggestion_frame, handle, k, source, on_error, meta=meta, enforce_metadata=False
    )


def _prepare(
    model: Recommender | str | os.PathLike[str],
    pairs: Any,
    k: int,
    strategy: str | None,
    client: Any,
    partition_size: int,
    history: str | os.PathLike[str] | None,
    today: dt.date | None,
    window_days: int | None,
    model_dir: str | os.PathLike[str] | None,
    blocks: bool = False,
) -> tuple[Any, ModelFile, HistorySource | None]:
    """Check the arguments; the input as a Dask DataFrame or (``blocks``, files) its blocks."""
    _require_dask()
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"k must be an integer >= 1, got {k!r}")
    if blocks:  # write_batch: blocks of files, the last ones shrinking for the workers
        workers = sum(client.nthreads().values())
        planned = pair_blocks(pairs, partition_size, workers)
        frame = planned if planned is not None else _frame_pairs(pairs)
    else:
        frame = read_pairs(pairs, partition_size=partition_size)
    handle = model_file(model, strategy, model_dir)
    source = history_source(history, today, window_days)
    if client is not None:
        _load_everywhere(client, handle)
    return frame, handle, source


def _load_everywhere(client: Any, handle: ModelFile) -> None:
    """Every worker loads the model now: one read per worker, and early, named failures."""
    try:
        client.run(_preload, handle)
    except RecommenderError as exc:
        raise ConfigError(
            f"a worker cannot load the model ({exc}); on a remote cluster the model must be "
            "on storage every worker reads (model_dir=)"
        ) from None


# ------------------------------------------------------------------ writing a batch


@dataclass(frozen=True)
class BatchSummary:
    """What :func:`write_batch` did: pairs scored, rows written, rows that failed, and
    ``cpu_seconds``, the CPU time its tasks took (their threads' own, so a busy machine
    does not inflate it): ``pairs / cpu_seconds`` is the rate of one core."""

    out: Path
    rows: int
    pairs: int
    suggestions: int
    empty: int
    errors: tuple[RowError, ...] = field(default=())
    cpu_seconds: float = 0.0


def _arrow_table(columns: Mapping[str, list[Any]]) -> pa.Table:
    import pyarrow as pa

    schema = pa.schema(
        [
            ("row", pa.int64()),
            ("pair", pa.string()),
            ("rank", pa.int32()),
            ("id", pa.string()),
            ("score", pa.float64()),
            ("fit_a", pa.float64()),
            ("fit_b", pa.float64()),
            ("reasons", pa.list_(pa.string())),
        ]
    )
    return pa.table({name: columns[name] for name in RESULT_COLUMNS}, schema=schema)


#: What each block's task returns to the client: counts, failed rows and CPU time, no results.
PART_COLUMNS = ("rows", "pairs", "suggestions", "empty", "errors", "cpu_s")


def _part_meta() -> pd.DataFrame:
    import pandas as pd

    return pd.DataFrame({c: pd.Series([], dtype=object) for c in PART_COLUMNS})


def _write_part(
    frame: pd.DataFrame,
    folder: str,
    handle: ModelFile,
    k: int,
    history: HistorySource | None,
    partition_info: dict[str, Any] | None = None,
) -> pd.DataFrame:
    """:func:`_write_rows` on a partition of a Dask DataFrame of pairs (Dask fuses it with
    the task that made the partition), its counts as a one-row frame."""
    import pandas as pd

    number = partition_info["number"] if partition_info else 0
    counts = _write_rows(frame, number, folder, handle, k, history)
    return pd.DataFrame({c: pd.Series([counts[c]], dtype=object) for c in PART_COLUMNS})


def _write_block(
    block: Block,
    number: int,
    folder: str,
    handle: ModelFile,
    k: int,
    history: HistorySource | None,
) -> dict[str, Any]:
    """Read one block of an input file on the worker, score it and write its part file."""
    started = time.thread_time()
    counts = _write_rows(read_block(block), number, folder, handle, k, history)
    return counts | {"cpu_s": time.thread_time() - started}


def _write_rows(
    frame: pd.DataFrame,
    number: int,
    folder: str,
    handle: ModelFile,
    k: int,
    history: HistorySource | None,
) -> dict[str, Any]:
    """Score one block and write it as ``part-NNNNN.parquet`` (0600), atomically.

    Input rows never cross the network and results never reach the client: it
    gets back the counts (:data:`PART_COLUMNS`). A retried task (its worker
    died) writes the same name again, so every pair is in the output once,
    however often it ran.
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ._io import atomic_write_bytes

    started = time.thread_time()
    result = score_block(frame, handle, k, history)
    buffer = pa.BufferOutputStream()
    pq.write_table(_arrow_table(result.columns), buffer)
    atomic_write_bytes(
        Path(folder) / f"part-{number:05d}.parquet", buffer.getvalue().to_pybytes(), mode=0o600
    )
    return {
        "rows": len(frame),
        "pairs": result.pairs,
        "suggestions": len(result.columns["row"]),
        "empty": result.empty,
        "errors": [(e.row, e.pair, e.error) for e in result.errors],
        "cpu_s": time.thread_time() - started,
    }


def write_batch(
    model: Recommender | str | os.PathLike[str],
    pairs: Any,
    out: str | os.PathLike[str],
    *,
    client: Any,
    k: int = 10,
    strategy: str | None = None,
    partition_size: int = DEFAULT_PARTITION_SIZE,
    history: str | os.PathLike[str] | None = None,
    today: dt.date | None = None,
    window_days: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> BatchSummary:
    """Score every pair on ``client``'s cluster and write a Parquet dataset at ``out``.

    The workers write one part file per block into a private folder next to
    ``out`` (so on a remote cluster ``out`` must be on storage they share);
    when every block is done the folder is renamed to ``out``, so readers see
    the old output or the whole new one. A fitted ``model`` is saved into that
    folder for the workers and removed before the rename. Rows that fail to
    validate are returned in :attr:`BatchSummary.errors`, sorted by row.

    The blocks of files are cut for the cluster's workers (:func:`taper`: the
    last ones shrink) and run larger first, so the workers finish together.
    ``progress(done, total)`` is called as blocks finish (for a progress bar).
    Other parameters are as for :func:`recommend_pairs`.

    Examples
    --------
    >>> import json, pathlib, tempfile
    >>> from distributed import Client
    >>> import recommender as rc
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "pairs.jsonl").write_text(
    ...     json.dumps({"a": {"name": "Ana"}, "b": {"name": "Ben"}}) + "\\n"
    ...     + json.dumps({"a": {"name": "Cy", "max_depth": 9}, "b": {"name": "Di"}}) + "\\n")
    >>> with Client(processes=False, n_workers=1, dashboard_address=None) as client:
    ...     summary = write_batch(rc.Recommender().fit(rc.default_catalog()),
    ...                           folder / "pairs.jsonl", folder / "out.parquet",
    ...                           client=client, k=3)
    >>> summary.pairs, summary.suggestions, [e.row for e in summary.errors]
    (1, 3, [1])
    """
    if client is None:
        raise ConfigError("write_batch needs a Dask client (distributed.Client) to run on")
    target = Path(out)
    target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    try:
        frame, handle, source = _prepare(
            model,
            pairs,
            k,
            strategy,
            client,
            partition_size,
            history,
            today,
            window_days,
            staging,
            blocks=True,
        )
        counts = _run_parts(client, frame, str(staging), handle, k, source, progress)
        _finish(staging, target, handle)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    errors = sorted((RowError(*e) for c in counts for e in c["errors"]), key=lambda e: e.row)
    return BatchSummary(
        target,
        rows=sum(c["rows"] for c in counts),
        pairs=sum(c["pairs"] for c in counts),
        suggestions=sum(c["suggestions"] for c in counts),
        empty=sum(c["empty"] for c in counts),
        errors=tuple(errors),
        cpu_seconds=sum(c["cpu_s"] for c in counts),
    )


def _run_parts(
    client: Any,
    pairs: list[Block] | Any,
    folder: str,
    handle: ModelFile,
    k: int,
    source: HistorySource | None,
    progress: Callable[[int, int], None] | None,
) -> list[dict[str, Any]]:
    """One task per block, reading, scoring and writing it; report progress as they finish.

    Blocks of files run larger first (Dask's priority is the block's rows; left
    to itself Dask may well start at the end), so the small blocks
    :func:`taper` cut come last. A Dask DataFrame's partitions run in Dask's order.
    """
    from dask.delayed import delayed
    from distributed import as_completed

    if isinstance(pairs, list):
        futures = []
        for rows in sorted({block.rows for block in pairs}, reverse=True):
            tasks = [
                delayed(_write_block, pure=False)(
                    block, number, folder, handle, k, source,
                    dask_key_name=(f"closer-block-{Path(folder).name}", number),
                )
                for number, block in enumerate(pairs)
                if block.rows == rows
            ]  # fmt: skip
            futures += client.compute(tasks, priority=rows)
    else:
        parts = pairs.map_partitions(
            _write_part, folder, handle, k, source, meta=_part_meta(), enforce_metadata=False
        )
        futures = client.compute(parts.to_delayed())  # fused with the partition's making
    if progress is not None:
        progress(0, len(futures))
    for done, _ in enumerate(as_completed(futures), start=1):  # type: ignore[no-untyped-call]
        if progress is not None:
            progress(done, len(futures))
    results = client.gather(futures)
    return [r if isinstance(r, dict) else r.to_dict("records")[0] for r in results]


def _finish(staging: Path, target: Path, handle: ModelFile) -> None:
    """Drop what is not output (a saved model, stray temporary parts), then rename."""
    for leftover in staging.iterdir():
        if leftover.suffix == ".tmp" or str(leftover.resolve()) == handle.path:
            leftover.unlink()
    if not os.path.lexists(target):
        os.replace(staging, target)
        return
    # A folder cannot be renamed over another: move the old output aside first.
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".old", dir=target.parent))
    os.replace(target, old / target.name)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)


def errors_path(out: str | os.PathLike[str]) -> Path:
    """Where the failed rows of a batch written to ``out`` go: ``OUT.errors.jsonl``.

    Examples
    --------
    >>> errors_path("nightly/out.parquet").as_posix()
    'nightly/out.errors.jsonl'
    """
    target = Path(out)
    return target.with_name(f"{target.stem}.errors.jsonl")


def write_errors(errors: Sequence[RowError], path: str | os.PathLike[str]) -> Path:
    """Write failed rows as JSON Lines (``row``, ``pair``, ``error``), 0600, atomically.

    The file is written even when there are none, so an old run's errors never
    stand beside a new run's output. Messages may quote profile values, hence 0600.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.errors.jsonl"
    >>> _ = write_errors([RowError(3, "ana-ben", "row 3: a: field 'name': missing")], target)
    >>> import json; json.loads(target.read_text())
    {'row': 3, 'pair': 'ana-ben', 'error': "row 3: a: field 'name': missing"}
    """
    from ._io import atomic_write_text

    lines = [
        json.dumps({"row": e.row, "pair": e.pair, "error": e.error}, ensure_ascii=False) + "\n"
        for e in errors
    ]
    target = Path(path)
    atomic_write_text(target, "".join(lines), mode=0o600)
    return target
