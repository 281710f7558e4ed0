"""Fuzzing every loader: whatever a file holds, only the documented error comes out.

Hypothesis writes arbitrary JSON/YAML structures (recursive strategies), valid
records with random edits, YAML token soup and raw bytes into files with every
supported extension, and damages real model and history files byte by byte.
Each loader either returns or raises its own
:class:`~recommender.errors.RecommenderError` subclass; any other exception,
a hang or a crash fails the test. A refused history file is never changed.
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

import cli
import recommender as rc
from recommender.history import History
from tests.conftest import make_activity

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def fuzz(examples: int) -> settings:
    """Settings for one fuzz test: ``examples`` inputs, no deadline (files, SQLite)."""
    return settings(FUZZ, max_examples=examples)


CATALOG_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".csv")
PROFILE_SUFFIXES = (".yaml", ".yml", ".json")


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _fresh(scratch: Path, name: str) -> Path:
    """A path in a new folder (hypothesis reruns a test body many times per fixture)."""
    return Path(tempfile.mkdtemp(dir=scratch)) / name


def _outcome(error: type[rc.RecommenderError], load: Callable[[Path], Any], path: Path) -> str:
    """Run ``load``: 'loaded' or 'refused' (only ``error`` may escape as a refusal)."""
    message = None
    try:
        load(path)
    except error as exc:
        message = str(exc)
    event("loaded" if message is None else "refused")
    if message is None:
        return "loaded"
    assert message.startswith(f"{path}: "), message
    return "refused"


# ------------------------------------------------------------------ strategies

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=30)
)
documents = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=6) | st.dictionaries(st.text(max_size=12), inner, max_size=6)
    ),
    max_leaves=30,
)
DELETE = object()


def _edited(base: dict[str, Any], keys: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    """A valid record with a few fields replaced, removed or added."""
    edits = st.dictionaries(
        st.sampled_from([*keys, "colour", "name", "id"]) | st.text(max_size=8),
        documents | st.just(DELETE),
        max_size=4,
    )

    def apply(changes: dict[str, Any]) -> dict[str, Any]:
        record = dict(base)
        for key, value in changes.items():
            if value is DELETE:
                record.pop(key, None)
            else:
                record[key] = value
        return record

    return edits.map(apply)


ACTIVITY = make_activity("walk-together").model_dump(mode="json")
ACTIVITY["relationships"] = sorted(ACTIVITY["relationships"])
activities = _edited(ACTIVITY, list(rc.Activity.model_fields))
PROFILE = {"name": "Ana", "intimacy": {"emotional": 0.9}, "interests": ["cooking"], "max_depth": 3}
profiles = _edited(PROFILE, list(rc.PersonProfile.model_fields))

YAML_TOKENS = [
    "- ",
    ": ",
    "[",
    "]",
    "{",
    "}",
    ", ",
    "&a ",
    "*a ",
    "&b ",
    "*b ",
    "<<: ",
    "? ",
    "|\n",
    ">\n",
    "'",
    '"',
    "# ",
    "---\n",
    "...\n",
    "\n",
    "  ",
    "\t",
    "a",
    "id",
    "name",
    "1",
    "-1",
    "0x1f",
    "1e999",
    ".nan",
    ".inf",
    "~",
    "null",
    "yes",
    "2024-02-30",
    "!!str ",
    "!!binary ",
    "!!set ",
    "!!python/object/apply:os.getcwd ",
    "!!omap ",
    "%YAML 1.1\n",
    "\ufeff",
    "\\u0000",
    "é",
]
yaml_soup = st.lists(st.sampled_from(YAML_TOKENS), max_size=40).map("".join)


def _dump(document: Any, suffix: str) -> str:
    if suffix in (".yaml", ".yml"):
        return yaml.safe_dump(document, allow_unicode=True)
    if suffix == ".jsonl":
        items = document if isinstance(document, list) else [document]
        return "".join(json.dumps(item) + "\n" for item in items)
    if suffix == ".csv":
        rows = [
            r
            for r in (document if isinstance(document, list) else [document])
            if isinstance(r, dict)
        ]
        columns = sorted({str(k) for row in rows for k in row})
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows:
            writer.writerow(
                [
                    json.dumps(row.get(c))
                    if isinstance(row.get(c), (list, dict))
                    else row.get(c, "")
                    for c in columns
                ]
            )
        return out.getvalue()
    return json.dumps(document)


# ------------------------------------------------------------------ catalogues


@fuzz(500)
@given(document=documents, suffix=st.sampled_from(CATALOG_SUFFIXES))
def test_any_structure_as_a_catalogue_loads_or_raises_catalog_error(
    scratch: Path, document: Any, suffix: str
) -> None:
    path = _fresh(scratch, f"c{suffix}")
    path.write_text(_dump(document, suffix), encoding="utf-8")
    _outcome(rc.CatalogError, rc.load_catalog, path)


@fuzz(400)
@given(
    items=st.lists(activities, min_size=1, max_size=4),
    wrap=st.booleans(),
    suffix=st.sampled_from(CATALOG_SUFFIXES),
)
def test_edited_activities_load_or_name_what_is_wrong(
    scratch: Path, items: list[dict[str, Any]], wrap: bool, suffix: str
) -> None:
    document: Any = {"activities": items} if wrap and suffix in (".yaml", ".json") else items
    path = _fresh(scratch, f"c{suffix}")
    path.write_text(_dump(document, suffix), encoding="utf-8")
    sources: set[str | None] = set()
    try:
        catalogue = rc.load_catalog(path)
    except rc.CatalogError as exc:
        sources = {p.source for p in exc.problems}
    else:
        assert 1 <= len(catalogue) <= len(items)
    event("refused" if sources else "loaded")
    assert sources <= {str(path)}  # every problem names the file


@fuzz(500)
@given(data=st.binary(max_size=3000), suffix=st.sampled_from(CATALOG_SUFFIXES))
def test_any_bytes_as_a_catalogue_load_or_raise_catalog_error(
    scratch: Path, data: bytes, suffix: str
) -> None:
    path = _fresh(scratch, f"c{suffix}")
    path.write_bytes(data)
    _outcome(rc.CatalogError, rc.load_catalog, path)


@fuzz(800)
@given(text=yaml_soup, suffix=st.sampled_from((".yaml", ".json", ".jsonl", ".csv")))
def test_yaml_token_soup_loads_or_raises_catalog_error(
    scratch: Path, text: str, suffix: str
) -> None:
    path = _fresh(scratch, f"c{suffix}")
    path.write_text(text, encoding="utf-8")
    _outcome(rc.CatalogError, rc.load_catalog, path)


# ------------------------------------------------------------------ profiles


@fuzz(500)
@given(document=documents | profiles, suffix=st.sampled_from(PROFILE_SUFFIXES))
def test_any_structure_as_a_profile_loads_or_raises_profile_error(
    scratch: Path, document: Any, suffix: str
) -> None:
    path = _fresh(scratch, f"p{suffix}")
    path.write_text(_dump(document, suffix), encoding="utf-8")
    if _outcome(rc.ProfileError, rc.load_profile, path) == "loaded":
        assert isinstance(document, dict)


@fuzz(600)
@given(
    content=st.binary(max_size=2000) | yaml_soup.map(str.encode),
    suffix=st.sampled_from(PROFILE_SUFFIXES),
)
def test_any_bytes_as_a_profile_load_or_raise_profile_error(
    scratch: Path, content: bytes, suffix: str
) -> None:
    path = _fresh(scratch, f"p{suffix}")
    path.write_bytes(content)
    _outcome(rc.ProfileError, rc.load_profile, path)


@fuzz(100)
@given(
    content=st.binary(max_size=500)
    | yaml_soup.map(str.encode)
    | profiles.map(lambda p: yaml.safe_dump(p).encode())
)
def test_profile_show_exits_0_or_2_never_with_a_traceback(scratch: Path, content: bytes) -> None:
    path = _fresh(scratch, "p.yaml")
    path.write_bytes(content)
    result = CliRunner().invoke(cli.main, ["profile", "show", str(path)])
    assert result.exit_code in (0, 2), result.output
    if result.exit_code == 2:
        assert isinstance(result.exception, SystemExit)
        assert result.stderr.startswith(f"closer: {path}: ")


# ------------------------------------------------------------------ damaged model files


# The real files are handed over as paths: hypothesis prints a failing example's
# arguments, and 70 kB of bytes would drown the report.


@pytest.fixture(scope="module")
def model_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    catalogue = [make_activity(f"walk-{i}", tags=["walking", f"t{i}"]) for i in range(4)]
    folder = tmp_path_factory.mktemp("model")
    return rc.Recommender().fit(catalogue).save(folder / "model.npz")


@pytest.fixture(scope="module")
def history_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("history") / "history.sqlite3"
    with History(path) as store:
        for i in range(40):
            store.record("ana-ben", f"thing-{i}", {"ana": 1 + i % 5}, day="2025-03-01")
    with sqlite3.connect(path) as conn:  # one self-contained file, no -wal beside it
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.close()
    return path


Edit = tuple[str, float, bytes]
#: Up to four edits of a real file: cut it, flip a byte, insert or overwrite bytes,
#: each at a relative position (0..1) so one strategy fits files of any length.
edits = st.lists(
    st.tuples(
        st.sampled_from(["cut", "flip", "insert", "overwrite"]),
        st.floats(0, 1),
        st.binary(min_size=1, max_size=512),
    ),
    min_size=1,
    max_size=4,
)


def _damage(original: bytes, changes: list[Edit]) -> bytes:
    data = bytearray(original)
    for kind, where, chunk in changes:
        at = min(int(where * len(data)), max(len(data) - 1, 0))
        if kind == "cut":
            del data[at:]
        elif kind == "flip" and data:
            data[at] ^= chunk[0] or 0xFF
        elif kind == "insert":
            data[at:at] = chunk[:64]
        else:
            data[at : at + len(chunk)] = chunk
    return bytes(data)


@fuzz(800)
@given(changes=edits, raw=st.none() | st.binary(max_size=2000))
def test_a_damaged_model_loads_or_raises_model_file_error(
    scratch: Path, model_file: Path, changes: list[Edit], raw: bytes | None
) -> None:
    path = _fresh(scratch, "model.npz")
    path.write_bytes(_damage(model_file.read_bytes(), changes) if raw is None else raw)
    _outcome(rc.ModelFileError, rc.Recommender.load, path)


# ------------------------------------------------------------------ damaged history files


@fuzz(500)
@given(changes=edits, raw=st.none() | st.binary(max_size=3000))
def test_a_damaged_history_opens_or_raises_store_error_and_is_never_changed_when_refused(
    scratch: Path, history_file: Path, changes: list[Edit], raw: bytes | None
) -> None:
    path = _fresh(scratch, "history.sqlite3")
    data = _damage(history_file.read_bytes(), changes) if raw is None else raw
    path.write_bytes(data)
    try:
        store = History(path, timeout=0.1)
    except rc.StoreError as exc:
        refusal = str(exc)
    else:
        refusal = ""
    event("refused on open" if refusal else "opened")
    if refusal:
        assert refusal.startswith(f"{path}: ")
        assert path.read_bytes() == data
        assert sorted(p.name for p in path.parent.iterdir()) == ["history.sqlite3"]
        return
    problem = ""
    with store:
        try:
            store.records("ana-ben")
            store.record("ana-ben", "stargaze", {"ana": 4}, day="2025-03-02")
        except rc.StoreError as exc:
            problem = str(exc)
    event("refused on use" if problem else "read and written")
    assert not problem or problem.startswith(f"{path}: ")
