"""Load, validate and save catalogues; find the bundled one.

Formats, chosen by file extension:

``.yaml`` / ``.yml``
    A list of activities, or a mapping with an ``activities`` list. Read with
    PyYAML's safe loader only.
``.json``
    The same structure as YAML.
``.jsonl``
    One activity object per line; blank lines are skipped.
``.csv``
    One activity per row with a header. List fields (``tags``,
    ``relationships``, ``steps``, ``prompts``) hold ``a;b;c``, or a JSON list
    (``["a; still a", "b"]``) when an item contains ``;``; intimacy weights
    sit in ``intimacy.<type>`` columns (``intimacy.emotional``); empty cells
    mean "not given". Booleans accept true/false, yes/no, 1/0. Cells that a
    spreadsheet would run as a formula are written with a leading ``'`` and
    read back without it.

A catalogue may also be a folder: every supported file in it and its
subfolders (symlinked folders are not followed), in sorted path order.

Limits keep loading bounded in time and memory whatever a file holds: a file
over 64 MiB is refused unread; a catalogue (file or folder) whose text holds
more than :data:`MAX_MARKS` brackets, commas, colons, dashes and line breaks
is refused before parsing; a document may hold at most one value per
character of its text (a YAML alias counts each time it is used, so an alias
bomb is refused after a walk as long as the file), nested at most 32 deep;
one activity at most :data:`MAX_ITEM_VALUES`. A key written twice in one
mapping is an error. At most :data:`MAX_PROBLEMS` problems are reported.

Validation reports **every** problem at once, each naming the file, the item
(id and position) and the field, with the received value.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import math
import os
from collections.abc import Iterable
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ._io import (
    atomic_write_text,
    count_values,
    json_load,
    parse_document,
    parse_failure,
    read_text,
    structure_marks,
)
from .errors import CatalogError, Problem
from .schema import Activity, Catalog, IntimacyType

__all__ = ["default_catalog", "default_catalog_path", "load_catalog", "save_catalog"]

logger = logging.getLogger(__name__)

CATALOG_SUFFIXES = (".yaml", ".yml", ".json", ".jsonl", ".csv")
LIST_FIELDS = ("tags", "relationships", "steps", "prompts")
BOOL_FIELDS = ("remote", "accessible", "adults_only", "safety_gated")
INT_FIELDS = ("depth", "minutes", "cost", "novelty")
CSV_LIST_SEPARATOR = ";"
#: Most activities one catalogue may hold (the scale closer is built and measured for).
MAX_ITEMS = 1_000_000
#: Most structure marks (see ``_io.structure_marks``) in a whole catalogue, checked
#: before parsing: a real activity has about 85, so 100 per activity is ample.
MAX_MARKS = 100 * MAX_ITEMS
#: Most values in one activity: a real one has about 50.
MAX_ITEM_VALUES = 10_000
#: Problems reported at most; validation stops there.
MAX_PROBLEMS = 1000


# --------------------------------------------------------------------------- parsing


def _check_document(document: Any, source: str, text: str) -> Any:
    # Every value an honest document holds costs at least one character of its text;
    # only YAML aliases (a "billion laughs" bomb) can make more, so that is the budget.
    _, problem = count_values(document, max(MAX_ITEM_VALUES, len(text)))
    if problem:
        raise CatalogError(Problem(problem, source=source, has_value=False))
    return document


def _yaml_load(text: str, source: str) -> Any:
    return _check_document(parse_document(text, source, "yaml", CatalogError), source, text)


def _json_load(text: str, source: str) -> Any:
    return _check_document(parse_document(text, source, "json", CatalogError), source, text)


def _items_from_document(doc: Any, source: str) -> list[Any]:
    if isinstance(doc, dict) and set(doc) <= {"activities", "version"} and "activities" in doc:
        doc = doc["activities"]
    if doc is None:
        return []
    if not isinstance(doc, list):
        raise CatalogError(
            Problem(
                "a catalogue file must hold a list of activities or a mapping with an "
                f"'activities' list, got {type(doc).__name__}",
                source=source,
                has_value=False,
            )
        )
    return doc


def _jsonl_items(text: str, source: str) -> list[Any]:
    items: list[Any] = []
    problems: list[Problem] = []
    # Split on \n only: splitlines() would also break inside a record at U+2028.
    for lineno, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            items.append(json_load(line))
        except json.JSONDecodeError as exc:
            problems.append(
                Problem(
                    f"line {lineno} is not valid JSON: {exc.msg}", source=source, has_value=False
                )
            )
        except RecursionError:
            problems.append(
                Problem(f"line {lineno} is nested too deeply", source=source, has_value=False)
            )
        except ValueError as exc:  # a key written twice, a 5000-digit integer
            problems.append(
                Problem(
                    f"line {lineno} is not valid JSON: {parse_failure(exc)}",
                    source=source,
                    has_value=False,
                )
            )
        if len(problems) >= MAX_PROBLEMS:
            problems.append(_stopped(source))
            break
    if problems:
        raise CatalogError(problems)
    return items


def _csv_cell(field: str, cell: str) -> Any:
    if cell[:1] == "'" and cell.lstrip("'")[:1] in _FORMULA_STARTS:
        cell = cell[1:]  # undo spreadsheet_safe()
    if field in LIST_FIELDS:
        if cell.lstrip().startswith("["):  # a JSON list: items that hold ';' themselves
            try:
                parsed = json.loads(cell)
            except (ValueError, RecursionError):  # left as text: validation names the field
                return cell
            return parsed
        return [part.strip() for part in cell.split(CSV_LIST_SEPARATOR) if part.strip()]
    if field in INT_FIELDS:
        stripped = cell.strip()
        if stripped.lstrip("-").isdigit():
            # isdigit() accepts "²", and int() refuses over 4300 digits: leave those
            # as text for validation to name.
            with contextlib.suppress(ValueError):
                return int(stripped)
        return stripped
    if field in BOOL_FIELDS:
        lowered = cell.strip().lower()
        if lowered in {"true", "yes", "1"}:
            return True
        if lowered in {"false", "no", "0"}:
            return False
        return cell
    return cell.strip()


def _csv_items(text: str, source: str) -> list[Any]:
    reader = csv.DictReader(io.StringIO(text))
    items: list[Any] = []
    try:
        for row in reader:
            item: dict[str, Any] = {}
            intimacy: dict[str, str] = {}
            for column, cell in row.items():
                if column is None:  # more cells than header columns
                    item["(extra cells)"] = cell
                    continue
                column = column.strip()
                if cell is None or cell.strip() == "":
                    continue
                if column.startswith("intimacy."):
                    intimacy[column.removeprefix("intimacy.")] = cell.strip()
                else:
                    item[column] = _csv_cell(column, cell)
            if intimacy:
                item["intimacy"] = intimacy
            items.append(item)
    except csv.Error as exc:
        raise CatalogError(
            Problem(
                f"not valid CSV at line {reader.line_num}: {exc}", source=source, has_value=False
            )
        ) from None
    return items


class _StructureBudget:
    """Structure marks a catalogue may still parse; a folder's files share one budget."""

    def __init__(self) -> None:
        self.left = MAX_MARKS

    def spend(self, text: str, source: str) -> None:
        """Take ``text``'s marks before it is parsed, or refuse it unparsed."""
        marks = structure_marks(text)
        if marks > self.left:
            raise CatalogError(
                Problem(
                    f"holds too much structure to load ({marks} brackets, commas, colons, "
                    f"dashes and line breaks; a catalogue may hold at most {MAX_MARKS} in all "
                    "its files together)",
                    source=source,
                    has_value=False,
                )
            )
        self.left -= marks


def _raw_items(path: Path, source: str, budget: _StructureBudget | None = None) -> list[Any]:
    text = read_text(path, source, CatalogError)
    if not text.strip():
        return []
    (budget or _StructureBudget()).spend(text, source)
    return _parse_items(path, text, source)


def _parse_items(path: Path, text: str, source: str) -> list[Any]:
    suffix = path.suffix.lower()
    if suffix in (".yaml", ".yml"):
        return _items_from_document(_yaml_load(text, source), source)
    if suffix == ".json":
        return _items_from_document(_json_load(text, source), source)
    if suffix == ".jsonl":
        return _jsonl_items(text, source)
    if suffix == ".csv":
        return _csv_items(text, source)
    raise CatalogError(
        Problem(
            f"unsupported catalogue format {suffix or '(none)'!r}; use one of "
            f"{', '.join(CATALOG_SUFFIXES)}",
            source=source,
            has_value=False,
        )
    )


# --------------------------------------------------------------------------- validation


def _item_label(raw: Any, position: int) -> str:
    if isinstance(raw, dict) and isinstance(raw.get("id"), str) and raw["id"]:
        return f"activity {raw['id']!r} (item {position})"
    return f"item {position}"


class _Shown(str):
    """Text shown as is where a received value would be (no quotes)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return str(self)


def _printable(value: Any) -> Any:
    """``value``, or a stand-in when Python cannot print it.

    A YAML hex or sexagesimal number may become an int of more than 4300
    digits, whose repr raises ValueError (CVE-2020-10735's limit).

    Examples
    --------
    >>> _printable(7), _printable(16 ** 5000)
    (7, an integer of 6021 digits)
    """
    if isinstance(value, int) and value.bit_length() > 14_000:  # about 4200 digits
        return _Shown(f"an integer of {int(value.bit_length() * math.log10(2)) + 1} digits")
    return value


def problems_from_validation(
    exc: ValidationError, *, source: str | None, item: str | None
) -> list[Problem]:
    """Turn a pydantic ``ValidationError`` into one :class:`Problem` per fault."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = [str(p) for p in err["loc"] if p != "[key]"]
        field = ".".join(loc) or None
        message = err["msg"]
        if message.startswith("Value error, "):
            message = message.removeprefix("Value error, ")
        if err["type"] == "extra_forbidden":
            message = "unknown field (not part of the schema)"
        has_value = err["type"] not in ("missing", "value_error", "assertion_error")
        problems.append(
            Problem(
                message,
                source=source,
                item=item,
                field=field,
                value=_printable(err.get("input")),
                has_value=has_value,
            )
        )
    return problems


def validate_items(
    raw_items: Iterable[tuple[str, int, Any]],
) -> tuple[list[Activity], list[Problem]]:
    """Validate ``(source, position, raw)`` items; collect every problem.

    Stops after :data:`MAX_PROBLEMS` problems, saying so in a last one.
    """
    activities: list[Activity] = []
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    for source, position, raw in raw_items:
        if len(problems) >= MAX_PROBLEMS:
            problems.append(_stopped(source))
            break
        label = _item_label(raw, position)
        if not isinstance(raw, dict):
            problems.append(
                Problem(
                    f"an activity must be a mapping, got {type(raw).__name__}",
                    source=source,
                    item=label,
                    has_value=False,
                )
            )
            continue
        # Bounds pydantic's work (and its error list) on a huge or aliased item.
        _, too_big = count_values(raw, MAX_ITEM_VALUES)
        if too_big:
            problems.append(Problem(too_big, source=source, item=label, has_value=False))
            continue
        try:
            activity = Activity.model_validate(raw)
        except ValidationError as exc:
            problems.extend(problems_from_validation(exc, source=source, item=label))
            continue
        where = f"{source} {label}"
        if activity.id in first_seen:
            problems.append(
                Problem(
                    f"duplicate id, first used by {first_seen[activity.id]}",
                    source=source,
                    item=label,
                    field="id",
                    value=activity.id,
                )
            )
            continue
        first_seen[activity.id] = where
        activities.append(activity)
    return activities, problems


def _stopped(source: str) -> Problem:
    return Problem(
        f"stopped after {MAX_PROBLEMS} problems: fix these and validate again",
        source=source,
        has_value=False,
    )


def _catalog_files(path: Path) -> list[Path]:
    files: list[Path] = []
    for root, dirs, names in os.walk(path, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        files.extend(
            Path(root) / n
            for n in names
            if not n.startswith(".") and Path(n).suffix.lower() in CATALOG_SUFFIXES
        )
    return sorted(files)


def load_catalog(path: str | os.PathLike[str]) -> Catalog:
    """Load and validate a catalogue file or folder.

    Parameters
    ----------
    path : str or path-like
        A ``.yaml``/``.yml``/``.json``/``.jsonl``/``.csv`` file, or a folder of them.

    Returns
    -------
    Catalog

    Raises
    ------
    CatalogError
        When anything is wrong; ``.problems`` lists every fault found.

    Examples
    --------
    >>> cat = load_catalog(default_catalog_path())
    >>> len(cat) > 300
    True
    """
    base = Path(path)
    source = str(base)
    if base.is_dir():
        files = _catalog_files(base)
        if not files:
            raise CatalogError(
                Problem(
                    f"folder holds no catalogue files ({', '.join(CATALOG_SUFFIXES)})",
                    source=source,
                    has_value=False,
                )
            )
    elif base.exists() or base.is_symlink():  # a dangling or looping link: say which
        files = [base]
    else:
        raise CatalogError(Problem("no such file or folder", source=source, has_value=False))
    problems: list[Problem] = []
    raw_items: list[tuple[str, int, Any]] = []
    budget = _StructureBudget()
    for file in files:
        try:
            items = _raw_items(file, str(file), budget)
        except CatalogError as exc:
            problems.extend(exc.problems)
            if len(problems) >= MAX_PROBLEMS:
                problems.append(_stopped(str(file)))
                raise CatalogError(problems) from None
            continue
        if len(raw_items) + len(items) > MAX_ITEMS:
            raise CatalogError(
                Problem(f"more than {MAX_ITEMS} activities", source=source, has_value=False)
            )
        raw_items.extend((str(file), pos, raw) for pos, raw in enumerate(items, start=1))
    activities, item_problems = validate_items(raw_items)
    problems.extend(item_problems)
    if problems:
        raise CatalogError(problems)
    if not activities:
        raise CatalogError(
            Problem("the catalogue is empty (no activities)", source=source, has_value=False)
        )
    logger.debug("loaded %d activities from %d file(s)", len(activities), len(files))
    return Catalog(activities=tuple(activities))


def save_catalog(catalog: Catalog | Iterable[Activity], path: str | os.PathLike[str]) -> Path:
    """Write a catalogue atomically in the format its extension names.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "mine.json"
    >>> cat = load_catalog(default_catalog_path())
    >>> _ = save_catalog(cat, out)
    >>> len(load_catalog(out)) == len(cat)
    True
    """
    target = Path(path)
    activities = list(catalog)
    # Unset optional fields (aftercare, situational, ...) are left out, not written as null.
    records = [a.model_dump(mode="json", exclude_none=True) for a in activities]
    for record in records:
        record["relationships"] = sorted(record["relationships"])
    suffix = target.suffix.lower()
    if suffix in (".yaml", ".yml"):
        import yaml

        text = yaml.safe_dump(
            {"activities": records}, sort_keys=False, allow_unicode=True, width=100
        )
    elif suffix == ".json":
        text = json.dumps({"activities": records}, indent=2, ensure_ascii=False) + "\n"
    elif suffix == ".jsonl":
        text = "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records)
    elif suffix == ".csv":
        text = _csv_text(records)
    else:
        raise CatalogError(
            Problem(
                f"unsupported catalogue format {suffix or '(none)'!r}; use one of "
                f"{', '.join(CATALOG_SUFFIXES)}",
                source=str(target),
                has_value=False,
            )
        )
    atomic_write_text(target, text)
    return target


def spreadsheet_safe(cell: str) -> str:
    """Escape a cell that spreadsheet software would run as a formula.

    Examples
    --------
    >>> spreadsheet_safe("=HYPERLINK(1)"), spreadsheet_safe("plain")
    ("'=HYPERLINK(1)", 'plain')
    """
    return "'" + cell if cell.lstrip("'")[:1] in _FORMULA_STARTS else cell


_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _csv_text(records: list[dict[str, Any]]) -> str:
    columns = [f for f in Activity.model_fields if f != "intimacy"]
    intimacy_cols = [f"intimacy.{t.value}" for t in IntimacyType]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")  # RFC 4180; quotes a lone \r too
    writer.writerow([*columns, *intimacy_cols])
    for record in records:
        row = []
        for column in columns:
            value = record.get(column, "")
            if isinstance(value, list):
                joined = CSV_LIST_SEPARATOR.join(value)
                needs_json = any(CSV_LIST_SEPARATOR in v for v in value) or joined.startswith("[")
                value = json.dumps(value, ensure_ascii=False) if needs_json else joined
            elif isinstance(value, bool):
                value = "true" if value else "false"
            row.append(spreadsheet_safe(str(value)))
        row.extend(str(record["intimacy"].get(t.value, "")) for t in IntimacyType)
        writer.writerow(row)
    return out.getvalue()


# --------------------------------------------------------------------------- bundled data


def default_catalog_path() -> Path:
    """Where the bundled catalogue lives (inside the installed package, or the checkout)."""
    packaged = resources.files("recommender") / "data"
    if packaged.is_dir():
        return Path(str(packaged))
    # Editable install / source checkout: catalog/ sits next to the package.
    return Path(__file__).resolve().parent.parent / "catalog"


_DEFAULT: Catalog | None = None


def default_catalog() -> Catalog:
    """Return the bundled catalogue (loaded once per process).

    Examples
    --------
    >>> cat = default_catalog()
    >>> cat is default_catalog()
    True
    """
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = load_catalog(default_catalog_path())
    return _DEFAULT
