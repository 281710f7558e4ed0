"""Bad input and faults: every one ends in a clear, documented error and nothing is lost.

The corpus (``tests/corpus``, listed with the expected error and message in its
README) goes through each library loader and the CLI commands that read it.
Inputs too big to store (a 200 MB file, 100 000 nested lists, a 50 MB string)
are made here, and the nastiest run in a child process under hard limits:

* address space (``RLIMIT_AS``) :data:`MEMORY_LIMIT` = 1 GiB, of which Python,
  numpy and pydantic take about 0.3 GiB;
* CPU time (``RLIMIT_CPU``) :data:`CPU_LIMIT` = 20 s, so a loop or a blow-up
  kills the child instead of hanging the suite.

Faults simulated: model files truncated at 24 points, 64 single-byte edits, an
edited catalogue, a future format, arrays from another catalogue, a folder, a
missing file; history files truncated, garbled, locked, read-only, on a full
disk, and atomic writes killed mid-way.
"""

from __future__ import annotations

import ctypes
import inspect
import io
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import textwrap
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

import cli
import recommender as rc
from recommender.catalog import MAX_PROBLEMS
from recommender.history import History
from recommender.model import MODEL_FORMAT
from tests.conftest import make_activity

CORPUS = Path(__file__).resolve().parent / "corpus"
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
ANA, BEN = EXAMPLES / "ana.yaml", EXAMPLES / "ben.yaml"

MEMORY_LIMIT = 1 << 30
CPU_LIMIT = 20
#: Wall-clock guard for child processes: only a hang (not slowness) should reach it.
HANG_GUARD = 300

ERRORS: dict[str, type[rc.RecommenderError]] = {
    "CatalogError": rc.CatalogError,
    "ProfileError": rc.ProfileError,
    "ModelFileError": rc.ModelFileError,
    "StoreError": rc.StoreError,
}


def _open_history(path: Path) -> None:
    History(path, timeout=0.1).close()


LOADERS: dict[str, Callable[[Path], Any]] = {
    "catalog": rc.load_catalog,
    "profile": rc.load_profile,
    "model": rc.Recommender.load,
    "history": _open_history,
}


@dataclass(frozen=True)
class Case:
    """One corpus file: which loader reads it, what it must raise, what the message says."""

    file: str
    loader: str
    error: type[rc.RecommenderError]
    pattern: str


def _manifest() -> list[Case]:
    rows = []
    for line in (CORPUS / "README.md").read_text(encoding="utf-8").splitlines():
        if not line.startswith("| `"):
            continue
        file, loader, error, pattern = (cell.strip() for cell in line.strip("|").split(" | "))
        rows.append(Case(file.strip("`"), loader, ERRORS[error], pattern.strip("`")))
    return rows


MANIFEST = _manifest()


def _cases(loader: str) -> list[Any]:
    return [pytest.param(c, id=c.file) for c in MANIFEST if c.loader == loader]


def _copy(case: Case, folder: Path) -> Path:
    """Copy a corpus file into ``folder`` (a history must never be opened in place)."""
    target = folder / case.file
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(CORPUS / case.file, target)
    return target


def _files(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


# ------------------------------------------------------------------ the corpus itself


def test_every_corpus_file_has_a_manifest_row_and_every_row_a_file() -> None:
    stored = {
        str(p.relative_to(CORPUS))
        for p in CORPUS.rglob("*")
        if p.is_file() and p.name != "README.md"
    }
    listed = [c.file for c in MANIFEST]
    assert len(listed) == len(set(listed)), "a file is listed twice"
    assert stored == set(listed)


def test_the_corpus_covers_every_loader_with_at_least_60_files() -> None:
    kinds = {c.loader for c in MANIFEST}
    assert kinds == set(LOADERS)
    assert len(MANIFEST) >= 60
    assert all(re.compile(c.pattern) for c in MANIFEST)


# ------------------------------------------------------------------ library: one clear error each


@pytest.mark.parametrize("case", [pytest.param(c, id=c.file) for c in MANIFEST])
def test_each_corpus_file_raises_its_documented_error_naming_the_file(
    case: Case, tmp_path: Path
) -> None:
    path = _copy(case, tmp_path)
    before = _files(tmp_path)
    with pytest.raises(case.error, match=case.pattern) as info:
        LOADERS[case.loader](path)
    assert str(info.value).startswith(f"{path}: ")
    assert isinstance(info.value, rc.RecommenderError)
    # Refusing a file never changes it or leaves anything next to it.
    assert _files(tmp_path) == before


def test_a_catalogue_with_thousands_of_faults_reports_the_first_thousand(tmp_path: Path) -> None:
    path = tmp_path / "faults.jsonl"
    path.write_text('{"id": "x"}\n' * 5000)
    with pytest.raises(rc.CatalogError, match=r"stopped after 1000 problems") as info:
        rc.load_catalog(path)
    # The check runs between items, so the last item's faults may run a few past.
    assert MAX_PROBLEMS < len(info.value.problems) <= MAX_PROBLEMS + 10


def test_folder_problems_name_each_file_and_keep_going(tmp_path: Path) -> None:
    for case in ("catalog/nan-weight.json", "catalog/duplicate-key.yaml", "catalog/latin-1.yaml"):
        shutil.copyfile(CORPUS / case, tmp_path / Path(case).name)
    with pytest.raises(rc.CatalogError, match="duplicate key") as info:
        rc.load_catalog(tmp_path)
    sources = {p.source for p in info.value.problems}
    assert sources == {
        str(tmp_path / n) for n in ("nan-weight.json", "duplicate-key.yaml", "latin-1.yaml")
    }


# ------------------------------------------------------------------ generated inputs


def test_a_200_mb_file_is_refused_by_its_size_before_reading(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)  # sparse: no disk used
    tracemalloc.start()
    try:
        with pytest.raises(
            rc.CatalogError,
            match=r"huge\.yaml: file is too large \(209715200 bytes; the limit is 67108864\)",
        ):
            rc.load_catalog(huge)
        with pytest.raises(
            rc.ProfileError, match=r"huge\.yaml: file is too large \(209715200 bytes"
        ):
            rc.load_profile(huge)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 1 << 20  # nothing of the file was read


def test_a_symlink_loop_in_a_catalogue_folder_is_named_not_followed(tmp_path: Path) -> None:
    shutil.copyfile(EXAMPLES.parent / "catalog" / "emotional.yaml", tmp_path / "good.yaml")
    (tmp_path / "loop.yaml").symlink_to("loop.yaml")
    (tmp_path / "again").symlink_to(".", target_is_directory=True)  # a folder loop: skipped
    with pytest.raises(
        rc.CatalogError, match=r"loop\.yaml: cannot read: Too many levels of symbolic links"
    ) as info:
        rc.load_catalog(tmp_path)
    assert len(info.value.problems) == 1
    with pytest.raises(rc.CatalogError, match=r"loop\.yaml: cannot read: Too many levels"):
        rc.load_catalog(tmp_path / "loop.yaml")


def test_structure_over_the_limit_is_refused_before_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The real limit fits a million activities; a smaller one keeps the test quick.
    monkeypatch.setattr("recommender.catalog.MAX_MARKS", 1_000_000)
    big = tmp_path / "big.yaml"
    big.write_text("- a\n" * 600_000)  # 1.2 million marks, 2.4 MB
    tracemalloc.start()
    try:
        with pytest.raises(
            rc.CatalogError,
            match=r"big\.yaml: holds too much structure to load \(1200000 .*at most 1000000",
        ):
            rc.load_catalog(big)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 16 << 20  # the text, not millions of parsed objects


def test_the_structure_limit_counts_every_file_of_a_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("recommender.catalog.MAX_MARKS", 1_000_000)
    (tmp_path / "a.json").write_text("[" + "1," * 449_999 + "1]")  # 450 000 marks
    (tmp_path / "b.json").write_text("[" + "1," * 599_999 + "1]")  # 600 000 more
    with pytest.raises(
        rc.CatalogError, match=r"b\.json: holds too much structure .*in all its files together"
    ) as info:
        rc.load_catalog(tmp_path)
    assert not any("a.json: holds" in str(p) for p in info.value.problems)


def test_a_profile_with_too_much_structure_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "busy.yaml"
    path.write_text("name: Ana\ninterests:\n" + "- cooking\n" * 20_000)
    with pytest.raises(
        rc.ProfileError, match=r"busy\.yaml: holds too much structure for a profile"
    ):
        rc.load_profile(path)


def test_a_named_pipe_in_a_catalogue_folder_does_not_hang(tmp_path: Path) -> None:
    shutil.copyfile(EXAMPLES.parent / "catalog" / "emotional.yaml", tmp_path / "good.yaml")
    os.mkfifo(tmp_path / "pipe.yaml")  # nobody ever writes to it
    code = "import sys, recommender as rc; print(len(rc.load_catalog(sys.argv[1])))"
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout) == len(rc.load_catalog(tmp_path / "good.yaml"))


# ------------------------------------------------------------------ the nastiest, under hard limits

LIMITED_LOADER = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
    resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
    import recommender as rc
    from recommender.history import History
    loaders = {{"catalog": rc.load_catalog, "profile": rc.load_profile,
               "model": rc.Recommender.load, "history": History}}
    try:
        loaders[sys.argv[1]](sys.argv[2])
    except rc.RecommenderError as exc:
        print(type(exc).__name__)
        print(exc)
    else:
        print("LOADED")
    """
).format(memory=MEMORY_LIMIT, cpu=CPU_LIMIT)

LIMITED_CLI = textwrap.dedent(
    """
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory}))
    resource.setrlimit(resource.RLIMIT_CPU, ({cpu}, {cpu}))
    import cli
    cli.run(sys.argv[1:])
    """
).format(memory=MEMORY_LIMIT, cpu=CPU_LIMIT)


def _child_env(cache: Path | None = None) -> dict[str, str]:
    env = dict(os.environ, OPENBLAS_NUM_THREADS="1", OMP_NUM_THREADS="1")
    if cache is not None:
        env["CLOSER_CACHE_DIR"] = str(cache)
    return env


def _limited_load(loader: str, path: Path | str) -> tuple[str, str]:
    done = subprocess.run(
        [sys.executable, "-c", LIMITED_LOADER, loader, str(path)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        env=_child_env(),
    )
    assert done.returncode == 0, f"the child died ({done.returncode}): {done.stderr[-2000:]}"
    assert "Traceback" not in done.stderr
    kind, _, message = done.stdout.partition("\n")
    return kind, message


def _nested(path: Path, depth: int) -> Path:
    if path.suffix == ".yaml":
        path.write_text("- id: walk-together\n  tags: " + "[" * depth + "]" * depth + "\n")
    else:
        path.write_text('{"name": "Ana", "interests": ' + "[" * depth + "]" * depth + "}\n")
    return path


def _long_string(path: Path) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write('[{"id": "walk-together", "title": "')
        chunk = "Walk and talk " * 65536
        for _ in range(50 * 1024 * 1024 // len(chunk)):
            handle.write(chunk)
        handle.write('"}]\n')
    return path


def _sparse(path: Path) -> Path:
    with open(path, "wb") as handle:
        handle.truncate(200 * 1024 * 1024)
    return path


def _many_values(path: Path) -> Path:
    # A million values: parsed (an honest document has no more values than
    # characters), then refused item by item, the problems capped.
    path.write_text("[" + '"a",' * 999_997 + '"a"]\n')
    return path


NASTY: list[Any] = [
    pytest.param(
        "catalog",
        lambda d: CORPUS / "catalog/alias-bomb.yaml",
        "CatalogError",
        r"holds more than \d+ values .*alias",
        id="alias-bomb-catalogue",
    ),
    pytest.param(
        "profile",
        lambda d: CORPUS / "profile/alias-bomb.yaml",
        "ProfileError",
        r"holds more than 10000 values",
        id="alias-bomb-profile",
    ),
    pytest.param(
        "catalog",
        lambda d: CORPUS / "catalog/recursive-alias.yaml",
        "CatalogError",
        r"nested more than 32 levels",
        id="recursive-alias",
    ),
    pytest.param(
        "catalog",
        lambda d: _nested(d / "deep.yaml", 100_000),
        "CatalogError",
        r"deep\.yaml: not valid YAML .*nesting depth",
        id="100k-nested-yaml",
    ),
    pytest.param(
        "catalog",
        lambda d: _nested(d / "deep.json", 100_000),
        "CatalogError",
        r"deep\.json: JSON nested too deeply",
        id="100k-nested-json",
    ),
    pytest.param(
        "profile",
        lambda d: _nested(d / "deep.json", 100_000),
        "ProfileError",
        r"deep\.json: holds too much structure for a profile",
        id="100k-nested-profile",
    ),
    pytest.param(
        "catalog",
        lambda d: _long_string(d / "long.json"),
        "CatalogError",
        r"long\.json: activity 'walk-together' \(item 1\): field 'title': "
        r"String should have at most 120 characters",
        id="50mb-string",
    ),
    pytest.param(
        "catalog",
        lambda d: _sparse(d / "huge.csv"),
        "CatalogError",
        r"huge\.csv: file is too large",
        id="200mb-file",
    ),
    pytest.param(
        "profile",
        lambda d: Path("/dev/zero"),
        "ProfileError",
        r"/dev/zero: file is too large \(more than 67108864 bytes",
        id="dev-zero",
    ),
    pytest.param(
        "catalog",
        lambda d: _many_values(d / "many.json"),
        "CatalogError",
        r"many\.json: item 1: an activity must be a mapping",
        id="most-structure-allowed",
    ),
]


@pytest.mark.parametrize(("loader", "make", "error", "pattern"), NASTY)
def test_the_nastiest_inputs_fail_clearly_within_1_gib_and_20_cpu_seconds(
    tmp_path: Path, loader: str, make: Callable[[Path], Path], error: str, pattern: str
) -> None:
    kind, message = _limited_load(loader, make(tmp_path))
    assert kind == error, message
    assert re.search(pattern, message), message


@pytest.mark.parametrize(
    ("make", "command"),
    [
        pytest.param(
            lambda d: CORPUS / "catalog/alias-bomb.yaml",
            ["catalog", "validate"],
            id="validate-alias-bomb",
        ),
        pytest.param(
            lambda d: _sparse(d / "huge.yaml"), ["catalog", "validate"], id="validate-200mb"
        ),
        pytest.param(
            lambda d: _nested(d / "deep.json", 100_000),
            ["profile", "show"],
            id="profile-100k-nested",
        ),
        pytest.param(
            lambda d: CORPUS / "profile/alias-bomb.yaml",
            ["suggest", str(BEN)],
            id="suggest-alias-bomb",
        ),
    ],
)
def test_the_cli_answers_the_nastiest_inputs_with_exit_2_and_no_traceback(
    tmp_path: Path, make: Callable[[Path], Path], command: list[str]
) -> None:
    path = make(tmp_path)
    args = (
        [command[0], *command[1:2], str(path), *command[2:]]
        if command[0] != "suggest"
        else ["suggest", str(path), *command[1:]]
    )
    done = subprocess.run(
        [sys.executable, "-c", LIMITED_CLI, *args],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        env=_child_env(tmp_path / "cache"),
    )
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert lines and all(line.startswith("closer: ") for line in lines)
    assert lines[0].startswith(f"closer: {path}: ")


def test_suggest_refuses_a_huge_catalogue_without_reading_it(tmp_path: Path) -> None:
    huge = tmp_path / "huge.yaml"
    with open(huge, "wb") as handle:
        handle.truncate(2 * 1024 * 1024 * 1024)
    done = subprocess.run(
        [sys.executable, "-c", LIMITED_CLI, "suggest", str(ANA), str(BEN), "--catalog", str(huge)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
        env=_child_env(tmp_path / "cache"),
    )
    assert done.returncode == 2
    assert "file is too large" in done.stderr


# ------------------------------------------------------------------ the CLI on every corpus file


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One model cache for this module's CLI runs (the bundled model is fitted once)."""
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def runner(cache: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CLOSER_CACHE_DIR", str(cache))
    return CliRunner()


def _exit_2_one_line_per_problem(result: Result, path: Path) -> None:
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception  # nothing escaped
    assert "Traceback" not in result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert 1 <= len(lines) <= cli.MAX_PROBLEM_LINES + 1
    assert all(line.startswith("closer: ") for line in lines)
    assert lines[0].startswith(f"closer: {path}: ")


@pytest.mark.parametrize("case", _cases("catalog"))
def test_catalog_validate_exits_2_naming_the_file(
    case: Case, tmp_path: Path, runner: CliRunner
) -> None:
    path = _copy(case, tmp_path)
    _exit_2_one_line_per_problem(runner.invoke(cli.main, ["catalog", "validate", str(path)]), path)


@pytest.mark.parametrize("case", _cases("catalog"))
def test_suggest_with_a_bad_catalogue_exits_2(
    case: Case, tmp_path: Path, runner: CliRunner
) -> None:
    path = _copy(case, tmp_path)
    result = runner.invoke(cli.main, ["suggest", str(ANA), str(BEN), "--catalog", str(path)])
    _exit_2_one_line_per_problem(result, path)


@pytest.mark.parametrize("case", _cases("profile"))
def test_profile_show_and_suggest_exit_2_on_a_bad_profile(
    case: Case, tmp_path: Path, runner: CliRunner
) -> None:
    path = _copy(case, tmp_path)
    _exit_2_one_line_per_problem(runner.invoke(cli.main, ["profile", "show", str(path)]), path)
    _exit_2_one_line_per_problem(runner.invoke(cli.main, ["suggest", str(path), str(BEN)]), path)
    _exit_2_one_line_per_problem(runner.invoke(cli.main, ["suggest", str(ANA), str(path)]), path)


@pytest.mark.parametrize("case", _cases("history"))
def test_commands_given_a_bad_history_exit_2_and_leave_it_untouched(
    case: Case, tmp_path: Path, runner: CliRunner, small_catalogue: Path
) -> None:
    path = _copy(case, tmp_path)
    before = _files(tmp_path)
    small = ["--catalog", str(small_catalogue), "--history", str(path)]
    for args in (
        ["suggest", str(ANA), str(BEN), *small],
        ["history", "--pair", "ana-ben", *small],
        ["done", "walk-0", "--pair", "ana-ben", "--ratings", "5", "4", *small],
    ):
        result = runner.invoke(cli.main, args)
        assert result.exit_code == 2, (args, result.output)
        assert isinstance(result.exception, SystemExit)
        assert result.stderr.startswith(f"closer: {path}: "), result.stderr
    assert _files(tmp_path) == before


@pytest.fixture(scope="module")
def small_catalogue(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("small") / "small.yaml"
    rc.save_catalog([make_activity(f"walk-{i}", tags=["walking", f"t{i}"]) for i in range(6)], path)
    return path


@pytest.mark.parametrize("case", _cases("model"))
def test_a_damaged_cached_model_is_rebuilt_never_trusted(
    case: Case, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, small_catalogue: Path
) -> None:
    monkeypatch.setenv("CLOSER_CACHE_DIR", str(tmp_path / "cache"))
    runner = CliRunner()
    args = ["suggest", str(ANA), str(BEN), "--catalog", str(small_catalogue), "--json"]
    first = runner.invoke(cli.main, args)
    assert first.exit_code == 0, first.output
    (entry,) = (tmp_path / "cache").glob("*.npz")
    shutil.copyfile(CORPUS / case.file, entry)
    again = runner.invoke(cli.main, args)
    assert again.exit_code == 0, again.output
    assert again.stdout == first.stdout
    assert len(rc.Recommender.load(entry).activity_ids_) == 6  # the entry was rebuilt


# ------------------------------------------------------------------ model file faults


@pytest.fixture(scope="module")
def model_bytes(small_catalogue: Path, tmp_path_factory: pytest.TempPathFactory) -> bytes:
    path = tmp_path_factory.mktemp("model") / "model.npz"
    rc.Recommender().fit(rc.load_catalog(small_catalogue)).save(path)
    return path.read_bytes()


def _arrays(data: bytes) -> dict[str, np.ndarray[Any, Any]]:
    with np.load(io.BytesIO(data), allow_pickle=False) as archive:
        return {name: archive[name] for name in archive.files}


def _npz(arrays: dict[str, np.ndarray[Any, Any]]) -> bytes:
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)  # type: ignore[arg-type]
    return buffer.getvalue()


def _meta(arrays: dict[str, np.ndarray[Any, Any]]) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads(arrays["meta"].tobytes())
    return meta


def _with_meta(arrays: dict[str, np.ndarray[Any, Any]], meta: dict[str, Any]) -> bytes:
    return _npz({**arrays, "meta": np.frombuffer(json.dumps(meta).encode(), dtype=np.uint8)})


def test_a_model_truncated_anywhere_is_refused(model_bytes: bytes, tmp_path: Path) -> None:
    path = tmp_path / "cut.npz"
    for cut in np.linspace(0, len(model_bytes) - 1, 24).astype(int):
        path.write_bytes(model_bytes[:cut])
        with pytest.raises(rc.ModelFileError, match=rf"{re.escape(str(path))}: "):
            rc.Recommender.load(path)


def test_a_model_with_one_byte_changed_is_refused_or_loads_unchanged(
    model_bytes: bytes, tmp_path: Path
) -> None:
    original = rc.Recommender.load(_write(tmp_path / "good.npz", model_bytes))
    rng = np.random.default_rng(11)
    path = tmp_path / "edited.npz"
    refusals: list[str] = []
    for position in rng.choice(len(model_bytes), 64, replace=False):
        data = bytearray(model_bytes)
        data[position] ^= 0xFF
        path.write_bytes(bytes(data))
        try:
            loaded = rc.Recommender.load(path)
        except rc.ModelFileError as exc:
            refusals.append(str(exc))
            continue
        # Zip headers hold a few unchecked bytes (timestamps): then nothing may differ.
        assert loaded.catalog_hash == original.catalog_hash
        _same_arrays(loaded, original)
    assert len(refusals) >= 48
    assert all(message.startswith(f"{path}: ") for message in refusals)


def _write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def _same_arrays(a: rc.Recommender, b: rc.Recommender) -> None:
    from recommender.features import arrays_of

    left = {**arrays_of(a.text_, "text"), **arrays_of(a.items_, "items")}
    right = {**arrays_of(b.text_, "text"), **arrays_of(b.items_, "items")}
    assert left.keys() == right.keys()
    for name in left:
        np.testing.assert_array_equal(left[name], right[name])


def test_a_model_whose_catalogue_was_edited_is_refused(model_bytes: bytes, tmp_path: Path) -> None:
    arrays = _arrays(model_bytes)
    meta = _meta(arrays)
    meta["activities"][0]["title"] = "Try something else entirely"
    path = _write(tmp_path / "edited.npz", _with_meta(arrays, meta))
    with pytest.raises(
        rc.ModelFileError, match=r"does not match its hash \(the file was edited or damaged\)"
    ):
        rc.Recommender.load(path)


def test_a_model_from_a_future_format_is_refused(model_bytes: bytes, tmp_path: Path) -> None:
    arrays = _arrays(model_bytes)
    meta = _meta(arrays)
    assert meta["format"] == MODEL_FORMAT
    meta["version"] = 999
    path = _write(tmp_path / "future.npz", _with_meta(arrays, meta))
    with pytest.raises(rc.ModelFileError, match=r"model format version 999 is not supported"):
        rc.Recommender.load(path)


def test_a_model_with_arrays_of_a_bigger_catalogue_is_refused(
    model_bytes: bytes, tmp_path: Path
) -> None:
    bigger = [make_activity(f"run-{i}", tags=["running"]) for i in range(9)]
    rc.Recommender().fit(bigger).save(tmp_path / "bigger.npz")
    mixed = {
        **_arrays((tmp_path / "bigger.npz").read_bytes()),
        "meta": _arrays(model_bytes)["meta"],
    }
    path = _write(tmp_path / "mixed.npz", _npz(mixed))
    with pytest.raises(rc.ModelFileError, match=r"arrays do not match its catalogue"):
        rc.Recommender.load(path)


def test_a_model_with_arrays_of_another_catalogue_of_the_same_size_is_refused(
    model_bytes: bytes, tmp_path: Path
) -> None:
    other = [
        make_activity(
            f"cook-{i}",
            title=f"Cook dish {i}",
            description="Cook rice and beans.",
            tags=["cooking"],
            contact="casual",
            relationships=["romantic"],
            depth=4,
        )
        for i in range(6)
    ]
    rc.Recommender().fit(other).save(tmp_path / "other.npz")
    mixed = {**_arrays((tmp_path / "other.npz").read_bytes()), "meta": _arrays(model_bytes)["meta"]}
    path = _write(tmp_path / "mixed.npz", _npz(mixed))
    with pytest.raises(rc.ModelFileError):
        rc.Recommender.load(path)


def test_a_model_declaring_a_huge_array_is_refused_by_size(tmp_path: Path) -> None:
    header = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        header, {"descr": "|u1", "fortran_order": False, "shape": (4 * MEMORY_LIMIT,)}
    )
    path = tmp_path / "huge-array.npz"
    import zipfile

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("meta.npy", header.getvalue() + b"\0" * 64)
    kind, message = _limited_load("model", path)
    assert kind == "ModelFileError"
    assert "MemoryError" not in message
    assert re.search(r"too large|larger than|declares", message), message


def test_a_folder_or_a_missing_file_is_not_a_model(tmp_path: Path) -> None:
    with pytest.raises(
        rc.ModelFileError, match=rf"{re.escape(str(tmp_path))}: not a readable closer model"
    ):
        rc.Recommender.load(tmp_path)
    with pytest.raises(rc.ModelFileError, match=r"gone\.npz: no such model file"):
        rc.Recommender.load(tmp_path / "gone.npz")


# ------------------------------------------------------------------ history faults

TODAY = "2025-03-01"


@pytest.fixture
def history_path(tmp_path: Path) -> Path:
    path = tmp_path / "history.sqlite3"
    with History(path) as store:
        for i in range(200):
            store.record("ana-ben", f"thing-{i}", {"ana": 1 + i % 5, "ben": 5 - i % 5}, day=TODAY)
    with sqlite3.connect(path) as conn:  # fold the log in, so damage hits real pages
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return path


def test_a_history_cut_short_anywhere_is_refused_and_left_alone(history_path: Path) -> None:
    whole = history_path.read_bytes()
    for cut in (len(whole) // 2, len(whole) - 4096, 5000, 100, 16):
        history_path.write_bytes(whole[:cut])
        for wal in history_path.parent.glob("*-wal"):
            wal.unlink()
        with pytest.raises(
            rc.StoreError,
            match=rf"{re.escape(str(history_path))}: .*(damaged|not a closer history)",
        ):
            History(history_path)
        assert history_path.read_bytes() == whole[:cut]


def test_a_history_with_a_damaged_schema_is_refused(history_path: Path) -> None:
    data = bytearray(history_path.read_bytes())
    # Break a CREATE keyword in the stored schema: SQLite's "malformed database
    # schema" message then quotes a byte that is not UTF-8.
    data[data.index(b"CREATE TABLE schema_version") + 3] ^= 0xFF
    history_path.write_bytes(bytes(data))
    with pytest.raises(rc.StoreError, match=rf"{re.escape(str(history_path))}: .*damaged"):
        History(history_path)
    assert history_path.read_bytes() == bytes(data)


def test_a_locked_history_times_out_clearly_and_loses_nothing(history_path: Path) -> None:
    other = sqlite3.connect(history_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # another process is writing
        with (
            pytest.raises(
                rc.StoreError,
                match=r"another process kept the history locked for more than 0\.05 s",
            ),
            History(history_path, timeout=0.05) as store,
        ):
            store.record("ana-ben", "stargaze", day=TODAY)
        other.execute("ROLLBACK")
    finally:
        other.close()
    with History(history_path) as store:
        store.record("ana-ben", "stargaze", day=TODAY)
        assert len(store.records("ana-ben")) == 201


def _drop_root_file_override() -> None:
    """Make root obey file permissions in this process (drop CAP_DAC_OVERRIDE/READ_SEARCH)."""

    class Header(ctypes.Structure):
        _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]

    class Data(ctypes.Structure):
        _fields_ = [(n, ctypes.c_uint32) for n in ("effective", "permitted", "inheritable")]

    libc = ctypes.CDLL(None, use_errno=True)
    header, data = Header(0x20080522, 0), (Data * 2)()
    assert libc.capget(ctypes.byref(header), data) == 0
    keep = ~((1 << 1) | (1 << 2)) & 0xFFFFFFFF
    data[0].effective &= keep
    data[0].permitted &= keep
    assert libc.capset(ctypes.byref(header), data) == 0


READ_ONLY_CHILD = textwrap.dedent(
    """
    import ctypes, os, sys
    if os.geteuid() == 0:  # root ignores permissions unless told not to
        _drop_root_file_override()
    import recommender as rc
    from recommender.history import History
    for readonly in (False, True):
        try:
            with History(sys.argv[1], readonly=readonly) as store:
                store.record("ana-ben", "stargaze", day="2025-03-01")
            print("WROTE")
        except rc.StoreError as exc:
            print(exc)
    """
)


def test_a_read_only_history_is_refused_clearly_and_unchanged(history_path: Path) -> None:
    folder = history_path.parent
    before = _files(folder)
    history_path.chmod(0o444)
    folder.chmod(0o555)
    try:
        done = subprocess.run(
            [sys.executable, "-c", DROP_OVERRIDE + READ_ONLY_CHILD, str(history_path)],
            capture_output=True,
            text=True,
            timeout=HANG_GUARD,
        )
    finally:
        folder.chmod(0o755)
        history_path.chmod(0o600)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 2 and "WROTE" not in lines
    assert all(
        line.startswith(f"{history_path}: cannot ") and "read-only" in line for line in lines
    )
    assert _files(folder) == before


DROP_OVERRIDE = textwrap.dedent(inspect.getsource(_drop_root_file_override))

FULL_DISK_CHILD = textwrap.dedent(
    """
    import os, resource, signal, sys
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # let write() fail with EFBIG instead
    import recommender as rc
    from recommender.history import History
    store = History(sys.argv[1])
    # No file may grow past this: the disk is "full" a few records from now.
    room = os.path.getsize(sys.argv[1]) + 256 * 1024
    resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))
    done = 0
    try:
        while True:
            store.record("ana-ben", f"item-{done}", {"ana": 1 + done % 5}, day="2025-03-01")
            done += 1
            print(done, flush=True)
    except rc.StoreError as exc:
        print("ERROR", exc, flush=True)
    store.close()
    """
)


def test_a_full_disk_stops_writes_clearly_and_keeps_every_commit(tmp_path: Path) -> None:
    path = tmp_path / "history.sqlite3"
    done = subprocess.run(
        [sys.executable, "-c", FULL_DISK_CHILD, str(path)],
        capture_output=True,
        text=True,
        timeout=HANG_GUARD,
    )
    assert done.returncode == 0, done.stderr
    *counts, last = done.stdout.splitlines()
    assert re.match(rf"ERROR {re.escape(str(path))}: cannot record an activity: ", last), last
    committed = int(counts[-1])
    assert committed > 5
    with History(path) as store:
        ids = {r.activity_id for r in store.records("ana-ben")}
    assert ids == {f"item-{i}" for i in range(committed)}
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()


ATOMIC_WRITER = textwrap.dedent(
    """
    import sys
    import recommender as rc
    from recommender.profiles import save_profile
    people = [rc.PersonProfile(name="Ana", interests=["cooking"] * 600),
              rc.PersonProfile(name="Ben", interests=["hiking"] * 900, max_depth=2)]
    rounds = 0
    while True:
        save_profile(people[rounds % 2], sys.argv[1])
        rounds += 1
        print(rounds, flush=True)
    """
)


def test_a_profile_writer_killed_mid_write_never_leaves_half_a_file(tmp_path: Path) -> None:
    path = tmp_path / "person.yaml"
    for stop_after in (2, 9, 25):
        child = subprocess.Popen(
            [sys.executable, "-c", ATOMIC_WRITER, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            for _ in range(stop_after):
                assert child.stdout is not None and child.stdout.readline()
        finally:
            child.send_signal(signal.SIGKILL)
            child.communicate(timeout=HANG_GUARD)
        person = rc.load_profile(path)  # whole: one version or the other
        assert person.name in ("Ana", "Ben")
        assert len(person.interests) == (600 if person.name == "Ana" else 900)
        assert path.stat().st_mode & 0o777 == 0o600
