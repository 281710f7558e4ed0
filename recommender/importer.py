"""Turn a foreign activity list (CSV, JSON, JSON Lines, YAML) into a closer catalogue.

A **mapping** (a YAML file, validated by :class:`ImportMapping`) says how each
source record becomes an :class:`~recommender.schema.Activity`::

    skip:                               # rows to leave out on purpose, with why
      - when: {type: busywork, participants: 1}
        reason: a chore on your own belongings
    fields:                             # Activity field <- rule
      title: activity                   # rename: the source field "activity"
      description: "{activity}. A {type} idea to do together."   # template
      minutes: {from: duration, values: {minutes: 20, hours: 90, days: 480}}
      cost: {from: price, scale: [0, 1, 0, 3], round: up}
      tags: {from: type, values: {cooking: [cooking, food], music: [music]}}
      relationships:                    # first matching case wins
        cases:
          - when: {kidFriendly: false}
            value: [romantic, friends]
          - value: [romantic, friends, family]
    defaults:                           # constants for fields still missing
      practice: shared_experience
      depth: 1
      intimacy: {experiential: 0.7}

A rule is one of: a source field name (rename); a string with ``{field}``
placeholders (template; ``{{`` and ``}}`` are literal braces); or a mapping
with exactly one of ``from`` (a field; nested keys as ``a.b``), ``template``
or ``cases``. With ``from``, the value goes through, in order: ``split`` (a
separator, for list fields), ``values`` (a lookup table; keys match
case-insensitively, ``1`` matches ``"1"`` and ``yes`` matches ``true``),
``scale: [in_lo, in_hi, out_lo, out_hi]`` (linear; values outside the input
range are errors), ``round`` (``true``/``nearest``, ``up`` or ``down``) and
``slug``. ``default`` is the result when the source value is missing (or,
for ``cases``, when no case matches). A ``when`` condition is a value, a list
of allowed values, or ``{min: .., max: ..}``; a case without ``when`` always
matches.

Where a field's value comes from, first found wins: the mapping's ``fields``
-> the inference model (``infer=True``; intimacy, practice, depth) ->
``defaults`` -> the :class:`Activity` default. ``id`` defaults to a slug of the
title; ids are cut to 64 characters and repeats get ``-2``, ``-3``, ...
With inference, items whose confidence is under ``threshold`` are listed in
:attr:`ImportResult.review` and tagged ``needs-review`` in the output.

Rows that cannot be mapped are reported (:class:`SkippedRow`: row, field,
value, reason) and left out, never dropped silently; ``strict=True`` raises
one :class:`~recommender.errors.CatalogError` listing them all instead.
Rows are numbered from 1 in source order (for CSV the header is not a row;
for JSON Lines blank lines are not rows).

The importer is stricter than the catalogue rules: it never emits
``contact: affectionate`` (touch is for a person to judge, not a guess from a
foreign list) nor ``practice: support`` (professional help feeds the
recommender's safety path and is curated by hand); an inferred depth is
capped at 3 for items that suit colleagues.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import os
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ._io import json_load, parse_failure, read_text
from .catalog import _json_load, _yaml_load, problems_from_validation
from .errors import CatalogError, ConfigError, Problem
from .schema import Activity, Catalog, Contact, IntimacyType, Practice, Relationship, slugify

if TYPE_CHECKING:
    from .infer import IntimacyModel

__all__ = [
    "REVIEW_TAG",
    "SOURCE_SUFFIXES",
    "ImportMapping",
    "ImportResult",
    "ReviewItem",
    "SkippedRow",
    "import_catalog",
    "load_mapping",
]

logger = logging.getLogger(__name__)

#: Tag given to imported items whose inferred intimacy types need a human look.
REVIEW_TAG = "needs-review"
SOURCE_SUFFIXES = (".csv", ".json", ".jsonl", ".ndjson", ".yaml", ".yml")

ActivityField = Literal[
    "id",
    "title",
    "description",
    "intimacy",
    "practice",
    "tags",
    "relationships",
    "depth",
    "minutes",
    "cost",
    "energy",
    "setting",
    "remote",
    "contact",
    "accessible",
    "novelty",
    "steps",
    "prompts",
    "presence",
    "aftercare",
    "situational",
    "adults_only",
    "safety_gated",
    "opt_in",
]
LIST_FIELDS = frozenset({"tags", "relationships", "steps", "prompts"})
INFERABLE_FIELDS = ("intimacy", "practice", "depth")
#: Values the importer never emits, per field, and why.
FORBIDDEN = {
    "contact": (
        Contact.affectionate.value,
        "an import never claims affectionate contact; add touch activities by hand",
    ),
    "practice": (
        Practice.support.value,
        "an import never claims practice 'support' (professional help is curated by hand)",
    ),
}
COLLEAGUE_MAX_DEPTH = 3
#: Row problems listed when nothing at all could be imported.
MAX_REPORTED = 20
MAX_ID_LENGTH = 64

Scalar = str | int | float | bool
_FORBID = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


# --------------------------------------------------------------------------- values


class _Missing:
    """The source has no value here (absent, null or an empty string)."""

    def __repr__(self) -> str:
        return "<missing>"


MISSING: Any = _Missing()


_BOOLEAN_WORDS = {
    "true": "true",
    "yes": "true",
    "on": "true",
    "false": "false",
    "no": "false",
    "off": "false",
}


def _canonical(value: Any) -> str:
    """A comparison key: case-insensitive text, numbers by value, booleans as words.

    ``yes``/``no`` (and ``on``/``off``) count as booleans, as YAML reads them:
    a mapping's ``{yes: ...}`` key then matches a CSV cell ``Yes``.
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        number = float(value)
        if math.isfinite(number) and number.is_integer():
            return str(int(number))
        return repr(number)
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return _BOOLEAN_WORDS.get(text.casefold(), text.casefold())
    return _canonical(number) if math.isfinite(number) else text.casefold()


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if math.isfinite(value) else None
    if isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _display(value: Any) -> str:
    """How a source value reads inside a template."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _lookup(record: Mapping[str, Any], name: str) -> Any:
    """The value of ``name`` in ``record`` (``a.b`` reaches into nested mappings)."""
    if name in record:
        value = record[name]
    else:
        value = record
        for part in name.split("."):
            if not isinstance(value, Mapping) or part not in value:
                return MISSING
            value = value[part]
    if value is None or (isinstance(value, str) and not value.strip()):
        return MISSING
    return value


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([^{}]*)\}|[{}]")


def _template_fields(template: str) -> list[str]:
    """Field names a template uses; raises ValueError on a lone or empty brace."""
    names = []
    for match in _PLACEHOLDER.finditer(template):
        piece = match.group(0)
        if piece in ("{{", "}}"):
            continue
        if piece in ("{", "}"):
            raise ValueError(
                f"template has an unmatched {piece!r} at {match.start()}; "
                "write {{ or }} for a literal brace"
            )
        name = (match.group(1) or "").strip()
        if not name:
            raise ValueError("template has an empty {} placeholder; name a source field")
        names.append(name)
    return names


class _RowFault(Exception):
    """One reason a row cannot be mapped (carried to a SkippedRow)."""

    def __init__(self, field: str | None, value: Any, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.value = value
        self.reason = reason


def _render(template: str, record: Mapping[str, Any]) -> str:
    def substitute(match: re.Match[str]) -> str:
        piece = match.group(0)
        if piece == "{{":
            return "{"
        if piece == "}}":
            return "}"
        name = match.group(1).strip()
        value = _lookup(record, name)
        if value is MISSING:
            raise _RowFault(name, None, "the template needs this field, but the row has no value")
        return _display(value)

    return _PLACEHOLDER.sub(substitute, template)


# --------------------------------------------------------------------------- the mapping


class Range(BaseModel):
    """A numeric condition: ``min <= value <= max`` (either bound may be left out)."""

    model_config = _FORBID

    min: float | None = None
    """Smallest value that matches."""
    max: float | None = None
    """Largest value that matches."""

    @model_validator(mode="after")
    def _bounds(self) -> Range:
        if self.min is None and self.max is None:
            raise ValueError("a range needs min, max or both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min must be <= max, got min {self.min} and max {self.max}")
        return self

    def matches(self, value: Any) -> bool:
        number = _number(value)
        if number is None:
            return False
        return (self.min is None or number >= self.min) and (self.max is None or number <= self.max)


Condition = Scalar | list[Scalar] | Range


def _matches(condition: Condition, value: Any) -> bool:
    if value is MISSING:
        return False
    if isinstance(condition, Range):
        return condition.matches(value)
    options = condition if isinstance(condition, list) else [condition]
    key = _canonical(value)
    return any(_canonical(option) == key for option in options)


def _when_matches(when: Mapping[str, Condition], record: Mapping[str, Any]) -> bool:
    return all(_matches(cond, _lookup(record, name)) for name, cond in when.items())


class Case(BaseModel):
    """``value`` (or ``template``) when every condition in ``when`` holds."""

    model_config = _FORBID

    when: dict[str, Condition] = Field(default_factory=dict)
    """Source field -> condition; all must hold. Empty: always (an 'otherwise')."""
    value: Any = None
    """The result when the case matches."""
    template: str | None = None
    """A text result with ``{field}`` placeholders, instead of ``value``."""

    @model_validator(mode="after")
    def _one_result(self) -> Case:
        if (self.value is None) == (self.template is None):
            raise ValueError("a case needs exactly one of 'value' or 'template'")
        if self.template is not None:
            _template_fields(self.template)
        return self


class FieldRule(BaseModel):
    """How one Activity field is made from a source record."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, use_attribute_docstrings=True
    )

    from_: str | None = Field(default=None, alias="from")
    """Source field to read (``a.b`` for a nested key)."""
    template: str | None = None
    """Text with ``{field}`` placeholders."""
    cases: tuple[Case, ...] | None = None
    """Conditions tried in order; the first that matches gives the value."""
    split: str | None = Field(default=None, min_length=1)
    """Separator that turns a text value into a list (``from`` only)."""
    values: dict[Scalar, Any] | None = None
    """Lookup table from source values to Activity values (``from`` only)."""
    scale: list[float] | None = None
    """``[in_lo, in_hi, out_lo, out_hi]``: map a number linearly (``from`` only)."""
    round: Literal[True, False, "nearest", "up", "down"] = False
    """Round the result to a whole number: true/nearest, up or down (``from`` only)."""
    slug: bool = False
    """Turn text into a slug (``Board Games`` -> ``board-games``)."""
    default: Any = None
    """Result when the source value is missing, or no case matches."""

    @field_validator("values")
    @classmethod
    def _canonical_keys(cls, table: dict[Scalar, Any] | None) -> dict[Scalar, Any] | None:
        if table is None:
            return None
        keys: dict[str, Scalar] = {}
        for key in table:
            canonical = _canonical(key)
            if canonical in keys:
                raise ValueError(
                    f"keys {keys[canonical]!r} and {key!r} are the same value; keep one"
                )
            keys[canonical] = key
        return {_canonical(k): v for k, v in table.items()}

    @field_validator("scale")
    @classmethod
    def _scale_range(cls, scale: list[float] | None) -> list[float] | None:
        if scale is None:
            return None
        if len(scale) != 4:
            raise ValueError(f"scale must be [in_lo, in_hi, out_lo, out_hi], got {scale}")
        if scale[0] == scale[1]:
            raise ValueError(f"in_lo and in_hi must differ, got {scale}")
        return scale

    @field_validator("template")
    @classmethod
    def _template_ok(cls, template: str | None) -> str | None:
        if template is not None:
            _template_fields(template)
        return template

    @model_validator(mode="after")
    def _one_source(self) -> FieldRule:
        given = [
            k
            for k, v in (("from", self.from_), ("template", self.template), ("cases", self.cases))
            if v is not None
        ]
        if len(given) != 1:
            raise ValueError(
                "a rule needs exactly one of 'from', 'template' or 'cases', got "
                + (", ".join(repr(g) for g in given) or "none")
            )
        if self.from_ is None:
            extra = [name for name in ("split", "values", "scale") if getattr(self, name)]
            if self.round:
                extra.append("round")
            if extra:
                raise ValueError(
                    f"{', '.join(repr(e) for e in extra)} only apply with 'from', "
                    f"not with {given[0]!r}"
                )
        return self

    def source_fields(self) -> list[str]:
        """Every source field this rule reads."""
        names: list[str] = []
        if self.from_ is not None:
            names.append(self.from_)
        if self.template is not None:
            names.extend(_template_fields(self.template))
        for case in self.cases or ():
            names.extend(case.when)
            if case.template is not None:
                names.extend(_template_fields(case.template))
        return names

    def constants(self) -> list[Any]:
        """Every fixed result this rule can give (table values, case values, default)."""
        found = list((self.values or {}).values())
        found.extend(case.value for case in self.cases or () if case.value is not None)
        if self.default is not None:
            found.append(self.default)
        return found

    def apply(self, record: Mapping[str, Any], target: str) -> Any:
        """The value for Activity field ``target``, or :data:`MISSING`; raises _RowFault."""
        if self.cases is not None:
            for case in self.cases:
                if _when_matches(case.when, record):
                    if case.template is not None:
                        return self._finish(_render(case.template, record))
                    return case.value
            return MISSING if self.default is None else self.default
        if self.template is not None:
            return self._finish(_render(self.template, record))
        assert self.from_ is not None  # guaranteed by _one_source
        value = _lookup(record, self.from_)
        if value is MISSING:
            return MISSING if self.default is None else self.default
        if self.split is not None and isinstance(value, str):
            value = [part.strip() for part in value.split(self.split) if part.strip()]
        if isinstance(value, list):
            converted = [self._convert(item, target) for item in value]
            # A table may map one source value to several (type -> [cooking, food]).
            flat: list[Any] = []
            for item in converted:
                flat.extend(item if isinstance(item, list) else [item])
            return flat
        return self._convert(value, target)

    def _convert(self, value: Any, target: str) -> Any:
        source = self.from_
        if self.values is not None:
            key = _canonical(value)
            if key not in self.values:
                allowed = ", ".join(sorted(map(str, self.values)))
                raise _RowFault(
                    source, value, f"value is not in the {target!r} table; allowed: {allowed}"
                )
            value = self.values[key]
        if self.scale is not None:
            number = _number(value)
            if number is None:
                raise _RowFault(source, value, f"{target!r} needs a number to scale")
            in_lo, in_hi, out_lo, out_hi = self.scale
            low, high = min(in_lo, in_hi), max(in_lo, in_hi)
            if not low <= number <= high:
                raise _RowFault(
                    source, value, f"value is outside the scale's input range {low:g}..{high:g}"
                )
            value = out_lo + (number - in_lo) * (out_hi - out_lo) / (in_hi - in_lo)
        if self.round:
            number = _number(value)
            if number is None:
                raise _RowFault(source, value, f"{target!r} needs a number to round")
            # The tolerance absorbs float noise (0.1 * 3 is 0.30000000000000004);
            # "nearest" rounds halves up, not to even: 1.5 -> 2 and 2.5 -> 3 alike.
            if self.round == "up":
                value = math.ceil(number - 1e-9)
            elif self.round == "down":
                value = math.floor(number + 1e-9)
            else:
                value = math.floor(number + 0.5)
        return self._finish(value)

    def _finish(self, value: Any) -> Any:
        if self.slug and isinstance(value, str):
            return slugify(value)
        return value


def _rule_from_shorthand(value: Any) -> Any:
    """``title: activity`` is a rename; a string with ``{...}`` is a template."""
    if isinstance(value, str):
        return {"template": value} if "{" in value else {"from": value}
    return value


class SkipRule(BaseModel):
    """Leave matching rows out on purpose, saying why."""

    model_config = _FORBID

    when: dict[str, Condition] = Field(min_length=1)
    """Source field -> condition; all must hold."""
    reason: str = Field(min_length=1, max_length=300)
    """Why such rows are left out (shown in the import report)."""


class ImportMapping(BaseModel):
    """How records of a foreign activity list become closer activities.

    Examples
    --------
    >>> m = ImportMapping.model_validate({"fields": {"title": "name",
    ...                                              "minutes": {"from": "time"}}})
    >>> m.fields["title"].from_, m.fields["minutes"].from_
    ('name', 'time')
    """

    model_config = _FORBID

    fields: dict[ActivityField, FieldRule] = Field(default_factory=dict)
    """Activity field -> rule; see the module documentation."""
    defaults: dict[ActivityField, Any] = Field(default_factory=dict)
    """Activity field -> constant, for fields no rule (or inference) filled."""
    skip: tuple[SkipRule, ...] = ()
    """Rows to leave out on purpose."""

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: _rule_from_shorthand(rule) for key, rule in value.items()}
        return value

    def source_fields(self) -> dict[str, str]:
        """Source field -> the first mapping key that reads it."""
        found: dict[str, str] = {}
        for target, rule in self.fields.items():
            for name in rule.source_fields():
                found.setdefault(name, f"fields.{target}")
        for position, skip in enumerate(self.skip):
            for name in skip.when:
                found.setdefault(name, f"skip.{position}.when")
        return found


# A valid activity that mapping defaults are checked against, one field at a time.
_PLACEHOLDER_ACTIVITY: dict[str, Any] = {
    "id": "placeholder",
    "title": "Check the defaults",
    "description": "A placeholder to check defaults against.",
    "intimacy": {"experiential": 0.6},
    "practice": "shared_experience",
    "relationships": ["friends"],
    "depth": 1,
    "minutes": 30,
}


def mapping_problems(mapping: ImportMapping, source: str | None) -> list[Problem]:
    """What is wrong with a mapping beyond its shape: bad defaults, forbidden values."""
    problems: list[Problem] = []
    defaults: dict[str, Any] = {str(k): v for k, v in mapping.defaults.items()}
    if mapping.defaults:
        try:
            Activity.model_validate({**_PLACEHOLDER_ACTIVITY, **mapping.defaults})
        except ValidationError as exc:
            for problem in problems_from_validation(exc, source=source, item=None):
                # Whole-activity rules (e.g. colleagues and depth) depend on the row.
                top = (problem.field or "").split(".")[0]
                if top in mapping.defaults:
                    problems.append(
                        Problem(
                            problem.message,
                            source=source,
                            field=f"defaults.{problem.field}",
                            value=problem.value,
                            has_value=problem.has_value,
                        )
                    )
    for target, (forbidden, why) in FORBIDDEN.items():
        if _canonical(defaults.get(target, "")) == forbidden:
            problems.append(
                Problem(why, source=source, field=f"defaults.{target}", value=forbidden)
            )
        for key, rule in mapping.fields.items():
            if key == target and any(
                isinstance(c, str) and _canonical(c) == forbidden for c in rule.constants()
            ):
                problems.append(
                    Problem(why, source=source, field=f"fields.{target}", value=forbidden)
                )
    if not ({"title"} & set(mapping.fields) or "title" in mapping.defaults):
        problems.append(
            Problem(
                "the mapping must say where 'title' comes from",
                source=source,
                field="fields.title",
                has_value=False,
            )
        )
    return problems


def _mapping_error(exc: ValidationError, source: str) -> CatalogError:
    return CatalogError(problems_from_validation(exc, source=source, item=None))


def load_mapping(path: str | os.PathLike[str]) -> ImportMapping:
    """Read and validate a mapping file (YAML, or JSON, which YAML reads too).

    Raises
    ------
    CatalogError
        Naming the mapping file and the key, e.g.
        ``map.yaml: field 'fields.cost.scale': ...``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "map.yaml"
    >>> _ = path.write_text("fields:\\n  title: name\\ndefaults:\\n  depth: 1\\n")
    >>> load_mapping(path).defaults
    {'depth': 1}
    """
    source = str(path)
    text = read_text(Path(path), source, CatalogError)
    document = _yaml_load(text, source)
    if not isinstance(document, dict):
        raise CatalogError(
            Problem(
                "a mapping file must hold a mapping with 'fields' (and 'defaults', 'skip'), "
                f"got {type(document).__name__}",
                source=source,
                has_value=False,
            )
        )
    try:
        mapping = ImportMapping.model_validate(document)
    except ValidationError as exc:
        raise _mapping_error(exc, source) from None
    problems = mapping_problems(mapping, source)
    if problems:
        raise CatalogError(problems)
    return mapping


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class SkippedRow:
    """A source row left out: where, which field, what value and why.

    ``excluded`` is true when the mapping's ``skip`` rules left it out on
    purpose (not a failure; ``strict`` does not raise for it).

    Examples
    --------
    >>> str(SkippedRow(4, "duration", "months", "value is not in the 'minutes' table"))
    "row 4: field 'duration': value is not in the 'minutes' table, got 'months'"
    """

    row: int
    field: str | None
    value: Any
    reason: str
    excluded: bool = False

    def problem(self, source: str | None) -> Problem:
        """This row as a :class:`~recommender.errors.Problem` naming ``source``."""
        return Problem(
            self.reason, source=source, item=f"row {self.row}", field=self.field, value=self.value
        )

    def __str__(self) -> str:
        return str(self.problem(None))


@dataclass(frozen=True)
class ReviewItem:
    """An imported activity whose inferred intimacy types need a human look."""

    id: str
    row: int
    confidence: float
    strongest_type: IntimacyType


@dataclass(frozen=True)
class ImportResult:
    """What an import produced: the catalogue, the rows left out, the items to review."""

    activities: Catalog
    """The imported activities (write them with :func:`~recommender.save_catalog`)."""
    rows: tuple[int, ...] = ()
    """The source row of each activity, in the same order."""
    skipped: tuple[SkippedRow, ...] = ()
    """One entry per fault (a row with two faults appears twice), in row order."""
    review: tuple[ReviewItem, ...] = ()
    """Items whose inferred types fell under the confidence threshold."""
    source: str = ""
    """The source file."""
    n_rows: int = 0
    """Rows in the source."""
    inferred: int = 0
    """How many items got inferred intimacy weights."""

    @property
    def skipped_rows(self) -> tuple[int, ...]:
        """Numbers of the rows left out (each once), failures and exclusions alike."""
        return tuple(sorted({s.row for s in self.skipped}))


# --------------------------------------------------------------------------- reading


def _read_records(path: Path, source: str) -> tuple[list[tuple[int, Any]], list[SkippedRow]]:
    """(row, record) pairs and the rows that could not even be parsed."""
    suffix = path.suffix.lower()
    if suffix not in SOURCE_SUFFIXES:
        raise CatalogError(
            Problem(
                f"unsupported source format {suffix or '(none)'!r}; use one of "
                f"{', '.join(SOURCE_SUFFIXES)}",
                source=source,
                has_value=False,
            )
        )
    text = read_text(path, source, CatalogError)
    if not text.strip():
        return [], []
    if suffix in (".jsonl", ".ndjson"):
        records: list[tuple[int, Any]] = []
        broken: list[SkippedRow] = []
        row = 0
        for line in text.split("\n"):  # not splitlines(): U+2028 may sit inside a record
            if not line.strip():
                continue
            row += 1
            try:
                records.append((row, json_load(line)))
            except json.JSONDecodeError as exc:
                broken.append(SkippedRow(row, None, line[:60], f"not valid JSON: {exc.msg}"))
            except RecursionError:
                broken.append(SkippedRow(row, None, line[:60], "not valid JSON: nested too deeply"))
            except ValueError as exc:  # a key written twice, a 5000-digit integer
                reason = f"not valid JSON: {parse_failure(exc)}"
                broken.append(SkippedRow(row, None, line[:60], reason))
        return records, broken
    if suffix == ".csv":
        return _csv_records(text, source), []
    document = _json_load(text, source) if suffix == ".json" else _yaml_load(text, source)
    if isinstance(document, dict) and isinstance(document.get("activities"), list):
        document = document["activities"]
    if not isinstance(document, list):
        raise CatalogError(
            Problem(
                "the source must hold a list of records or a mapping with an 'activities' "
                f"list, got {type(document).__name__}",
                source=source,
                has_value=False,
            )
        )
    return list(enumerate(document, start=1)), []


def _csv_records(text: str, source: str) -> list[tuple[int, Any]]:
    reader = csv.DictReader(io.StringIO(text))
    records: list[tuple[int, Any]] = []
    try:
        for row, cells in enumerate(reader, start=1):
            record = {
                (key.strip() if key is not None else "(extra cells)"): value
                for key, value in cells.items()
            }
            records.append((row, record))
    except csv.Error as exc:
        raise CatalogError(
            Problem(
                f"not valid CSV at line {reader.line_num}: {exc}", source=source, has_value=False
            )
        ) from None
    return records


def _check_references(
    mapping: ImportMapping, records: Sequence[tuple[int, Any]], source: str, mapping_source: str
) -> None:
    """A source field the mapping names but no row has is a typo: say so up front."""
    seen: set[str] = set()
    for _, record in records:
        if isinstance(record, dict):
            seen.update(str(k) for k in record)
    if not seen:
        return
    problems = [
        Problem(
            f"source field {name!r} is in no row of {source}; fields there: "
            + ", ".join(sorted(seen)),
            source=mapping_source,
            field=key,
            has_value=False,
        )
        for name, key in mapping.source_fields().items()
        if name not in seen and name.split(".")[0] not in seen
    ]
    if problems:
        raise CatalogError(problems)


# --------------------------------------------------------------------------- mapping rows


@dataclass
class _Draft:
    row: int
    values: dict[str, Any]
    origin: dict[str, str]  # Activity field -> where its value came from, for messages
    confidence: float | None = None


def _map_row(
    mapping: ImportMapping, row: int, record: Any
) -> tuple[_Draft | None, list[SkippedRow]]:
    if not isinstance(record, dict):
        return None, [
            SkippedRow(
                row,
                None,
                None,
                f"a record must be a mapping of fields to values, got {type(record).__name__}",
            )
        ]
    if "(extra cells)" in record:
        return None, [
            SkippedRow(
                row,
                None,
                record["(extra cells)"],
                "the row has more cells than the header has columns",
            )
        ]
    for skip in mapping.skip:
        if _when_matches(skip.when, record):
            name = next(iter(skip.when))
            return None, [
                SkippedRow(
                    row,
                    name,
                    _lookup(record, name),
                    f"left out by the mapping: {skip.reason}",
                    excluded=True,
                )
            ]
    values: dict[str, Any] = {}
    origin: dict[str, str] = {}
    faults: list[SkippedRow] = []
    for target, rule in mapping.fields.items():
        try:
            value = rule.apply(record, target)
        except _RowFault as fault:
            faults.append(SkippedRow(row, fault.field, fault.value, fault.reason))
            continue
        if value is not MISSING:
            # "tags: {from: type}" gives one tag: a list field takes it as a list of one.
            if target in LIST_FIELDS and not isinstance(value, list):
                value = [value]
            values[target] = value
            origin[target] = f"from {rule.from_!r}" if rule.from_ else "from the mapping"
    if faults:
        return None, faults
    return _Draft(row, values, origin), []


def _finish_draft(
    draft: _Draft, mapping: ImportMapping, used_ids: set[str], source: str
) -> tuple[Activity | None, list[SkippedRow]]:
    values = draft.values
    for target, constant in mapping.defaults.items():
        if target not in values:
            values[target] = constant
            draft.origin[target] = "from the mapping's defaults"
    faults = [
        SkippedRow(draft.row, target, values[target], why)
        for target, (forbidden, why) in FORBIDDEN.items()
        if target in values and _canonical(values[target]) == forbidden
    ]
    if faults:
        return None, faults
    if "id" not in values:
        values["id"] = slugify(str(values.get("title", "")))
        draft.origin["id"] = "a slug of the title"
    base = str(values["id"])
    values["id"] = _free_id(base, used_ids)
    try:
        activity = Activity.model_validate(values)
    except ValidationError as exc:
        faults = []
        for problem in problems_from_validation(exc, source=source, item=None):
            origin = draft.origin.get((problem.field or "").split(".")[0])
            reason = f"{problem.message} ({origin})" if origin else problem.message
            value = problem.value if problem.has_value else None
            faults.append(SkippedRow(draft.row, problem.field, value, reason))
        return None, faults
    used_ids.add(activity.id)
    return activity, []


def _free_id(base: str, used: set[str]) -> str:
    """``base`` cut to 64 characters at a dash, or with ``-2``, ``-3``, ... if taken."""
    if len(base) > MAX_ID_LENGTH:
        cut = base[: MAX_ID_LENGTH + 1]
        base = cut[: cut.rfind("-")] if cut.rfind("-") > 1 else base[:MAX_ID_LENGTH]
    if base not in used:
        return base
    number = 2
    while True:
        suffix = f"-{number}"
        candidate = base[: MAX_ID_LENGTH - len(suffix)].rstrip("-") + suffix
        if candidate not in used:
            return candidate
        number += 1


def _as_list(value: Any) -> list[Any]:
    if isinstance(value, (list, tuple, set, frozenset)):
        return list(value)
    return [] if value is None else [value]


def _apply_inference(
    drafts: Sequence[_Draft], mapping: ImportMapping, model: IntimacyModel, threshold: float
) -> None:
    """Fill intimacy, practice and depth the mapping did not give, from the model."""
    from .infer import drop_common_words, inference_text

    needing = [d for d in drafts if any(f not in d.values for f in INFERABLE_FIELDS)]
    if not needing:
        return
    texts = [
        inference_text(
            str(d.values.get("title", "")),
            str(d.values.get("description", "")),
            [str(t) for t in _as_list(d.values.get("tags", mapping.defaults.get("tags")))],
        )
        for d in needing
    ]
    can_converse = [
        len(_as_list(d.values.get("prompts", mapping.defaults.get("prompts")))) >= 3
        for d in needing
    ]
    guesses = model.predict(drop_common_words(texts), can_converse=can_converse)
    for draft, guess in zip(needing, guesses, strict=True):
        if "intimacy" not in draft.values:
            draft.values["intimacy"] = {t.value: w for t, w in guess.intimacy.items()}
            draft.origin["intimacy"] = "inferred"
            draft.confidence = guess.confidence
        if "practice" not in draft.values:
            draft.values["practice"] = guess.practice.value
            draft.origin["practice"] = "inferred"
        if "depth" not in draft.values:
            relationships = _as_list(
                draft.values.get("relationships", mapping.defaults.get("relationships"))
            )
            depth = guess.depth
            # The content rules cap colleagues at depth 3: a guess must not
            # cost a row that the mapping made valid.
            if Relationship.colleagues.value in {str(r) for r in relationships}:
                depth = min(depth, COLLEAGUE_MAX_DEPTH)
            draft.values["depth"] = depth
            draft.origin["depth"] = "inferred"
        if draft.confidence is not None and draft.confidence < threshold:
            tags = _as_list(draft.values.get("tags", mapping.defaults.get("tags")))
            draft.values["tags"] = [*tags, REVIEW_TAG]


# --------------------------------------------------------------------------- entry point


def import_catalog(
    source: str | os.PathLike[str],
    mapping: ImportMapping | Mapping[str, Any] | str | os.PathLike[str],
    *,
    infer: bool = False,
    strict: bool = False,
    threshold: float = 0.5,
    model: IntimacyModel | None = None,
) -> ImportResult:
    """Import a foreign activity list through a mapping.

    Parameters
    ----------
    source : path
        A ``.csv``, ``.json``, ``.jsonl``/``.ndjson`` or ``.yaml``/``.yml`` file.
    mapping : ImportMapping, dict or path
        The mapping, or a YAML file holding it (see the module documentation).
    infer : bool, default=False
        Predict intimacy weights, practice and depth where the mapping's
        ``fields`` do not give them (see :mod:`recommender.infer`).
    strict : bool, default=False
        Raise instead of skipping rows that cannot be mapped.
    threshold : float, default=0.5
        Inferred items whose confidence is lower are listed in
        ``ImportResult.review`` and tagged ``needs-review``.
    model : IntimacyModel, optional
        A fitted model; by default one is fitted on the bundled catalogue.

    Returns
    -------
    ImportResult

    Raises
    ------
    CatalogError
        The source or mapping is unreadable or invalid, no row could be
        imported, or (``strict=True``) any row could not be mapped.
    ConfigError
        ``threshold`` is not 0..1.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> src = folder / "ideas.json"
    >>> _ = src.write_text(json.dumps([{"name": "Fly a kite", "time": "hours"},
    ...                                {"name": "Bake bread", "time": "months"}]))
    >>> result = import_catalog(src, {
    ...     "fields": {"title": "name", "description": "{name}, together.",
    ...                "minutes": {"from": "time", "values": {"minutes": 20, "hours": 90}}},
    ...     "defaults": {"intimacy": {"experiential": 0.7}, "practice": "shared_experience",
    ...                  "relationships": ["friends"], "depth": 1}})
    >>> [a.id for a in result.activities], [(s.row, s.field) for s in result.skipped]
    (['fly-a-kite'], [(2, 'time')])
    """
    if (
        isinstance(threshold, bool)
        or not isinstance(threshold, (int, float))
        or not (0.0 <= threshold <= 1.0)
    ):
        raise ConfigError(f"threshold must be a number 0..1, got {threshold!r}")
    source_name = str(source)
    mapping_source, parsed = _resolve_mapping(mapping)
    records, skipped = _read_records(Path(source), source_name)
    n_rows = len(records) + len(skipped)  # unparseable JSON lines are rows too
    _check_references(parsed, records, source_name, mapping_source)

    drafts: list[_Draft] = []
    for row, record in records:
        draft, faults = _map_row(parsed, row, record)
        skipped.extend(faults)
        if draft is not None:
            drafts.append(draft)
    if infer and drafts:
        if model is None:
            from .catalog import default_catalog
            from .infer import IntimacyModel

            model = IntimacyModel().fit(default_catalog())
        _apply_inference(drafts, parsed, model, threshold)

    finished = _finish_drafts(drafts, parsed, source_name, threshold)
    skipped.extend(finished.skipped)
    skipped.sort(key=lambda s: s.row)
    _refuse(
        skipped, strict=strict, imported=len(finished.activities), n_rows=n_rows, source=source_name
    )
    activities, rows, review, inferred = (
        finished.activities,
        finished.rows,
        finished.review,
        finished.inferred,
    )
    result = ImportResult(
        activities=Catalog(activities=tuple(activities)),
        rows=tuple(rows),
        skipped=tuple(skipped),
        review=tuple(review),
        source=source_name,
        n_rows=n_rows,
        inferred=inferred,
    )
    logger.info(
        "imported %d of %d rows (%d left out, %d to review)",
        len(activities),
        result.n_rows,
        len(result.skipped_rows),
        len(review),
    )
    return result


@dataclass
class _Finished:
    """Drafts turned into activities: the rows they came from, the ones to review."""

    activities: list[Activity] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)
    skipped: list[SkippedRow] = field(default_factory=list)
    inferred: int = 0


def _finish_drafts(
    drafts: Sequence[_Draft], parsed: ImportMapping, source_name: str, threshold: float
) -> _Finished:
    """Validate each draft into an activity with a unique id; faults go to ``skipped``."""
    done = _Finished()
    used_ids: set[str] = set()
    for draft in drafts:
        activity, faults = _finish_draft(draft, parsed, used_ids, source_name)
        done.skipped.extend(faults)
        if activity is None:
            continue
        done.activities.append(activity)
        done.rows.append(draft.row)
        done.inferred += draft.origin.get("intimacy") == "inferred"
        if draft.confidence is not None and draft.confidence < threshold:
            done.review.append(
                ReviewItem(activity.id, draft.row, draft.confidence, activity.strongest_type)
            )
    return done


def _refuse(
    skipped: Sequence[SkippedRow], *, strict: bool, imported: int, n_rows: int, source: str
) -> None:
    """Raise when ``strict`` meets a failed row, or when no row could be imported."""
    failures = [s for s in skipped if not s.excluded]
    if strict and failures:
        raise CatalogError([s.problem(source) for s in failures])
    if not imported:
        raise CatalogError(
            [
                Problem(
                    f"no activity could be imported from {n_rows} rows",
                    source=source,
                    has_value=False,
                ),
                *(s.problem(source) for s in skipped[:MAX_REPORTED]),
            ]
        )


def _resolve_mapping(
    mapping: ImportMapping | Mapping[str, Any] | str | os.PathLike[str],
) -> tuple[str, ImportMapping]:
    if isinstance(mapping, ImportMapping):
        problems = mapping_problems(mapping, "mapping")
        if problems:
            raise CatalogError(problems)
        return "mapping", mapping
    if isinstance(mapping, Mapping):
        try:
            parsed = ImportMapping.model_validate(dict(mapping))
        except ValidationError as exc:
            raise _mapping_error(exc, "mapping") from None
        problems = mapping_problems(parsed, "mapping")
        if problems:
            raise CatalogError(problems)
        return "mapping", parsed
    return str(mapping), load_mapping(mapping)
