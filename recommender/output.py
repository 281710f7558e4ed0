"""What ``--json`` prints: one public pydantic model per command's output.

Every ``--json`` document closer prints is exactly ``model.model_dump(mode="json")``
of one of these models, and ``recommender/schemas/<name>.json`` (shipped with
the package, generated from the models by :func:`output_schema`) describes
it. A test runs the real commands and validates their output against the
shipped files, and another fails when a model changes without its schema.

The records are flat, for programs that read the CLI: ``suggest --json`` is
a list of :class:`SuggestionRecord`, not the library's nested
:class:`~recommender.schema.Suggestion`. ``reasons`` are English text;
``reason_codes`` (same length and order) are stable names an app can
translate.

Examples
--------
>>> import recommender as rc
>>> model = rc.Recommender().fit(rc.default_catalog())
>>> top = model.recommend(rc.PersonProfile(name="Ana"), rc.PersonProfile(name="Ben"), k=1)
>>> record = SuggestionRecord.from_suggestion(top[0])
>>> record.id == top[0].activity.id, len(record.scores)
(True, 2)
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, RootModel

from .evaluation.report import EvaluationRecord
from .safety import SupportRecord
from .schema import Activity, PersonProfile, Suggestion

__all__ = [
    "INPUT_SCHEMAS",
    "OUTPUT_MODELS",
    "SCHEMA_VERSION",
    "CatalogEntry",
    "HistoryEntry",
    "PlanWeekRecord",
    "PromptRecord",
    "SuggestionRecord",
    "output_schema",
    "schema_names",
    "shipped_schema",
    "write_schemas",
]

#: Bumped when a shipped schema changes in a way that can break a reader.
SCHEMA_VERSION = 1

_RECORD = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)


class SuggestionRecord(BaseModel):
    """One suggestion as ``suggest --json`` (and each week of ``plan --json``) prints it."""

    model_config = _RECORD

    id: str
    """The activity's id (``closer done ID`` takes it)."""
    title: str
    """What to do."""
    score: float
    """The pair's score, 0..1, after aggregation and re-ranking."""
    scores: tuple[float, float]
    """Each person's fit, 0..1, in the order the profiles were given."""
    reasons: list[str]
    """Short reasons, naming both people where it applies."""
    reason_codes: list[str]
    """A stable code per reason (same order), for apps that translate reasons."""
    intimacy: dict[str, float]
    """How strongly it builds each intimacy type."""
    depth: int
    """Vulnerability asked, 1 light .. 5 deeply personal."""
    minutes: int
    """Typical duration."""
    cost: int
    """0 free, 1 low, 2 medium, 3 high."""
    practice: str
    """How it builds closeness."""
    description: str
    """What to do and why, in plain words."""
    tags: list[str]
    """Tags from the catalogue's vocabulary."""
    steps: list[str]
    """How to do it, in order."""
    prompts: list[str]
    """Questions to ask each other."""
    aftercare: str | None = None
    """How to pause or pass, and where to turn if something hard comes up."""

    @classmethod
    def from_suggestion(cls, s: Suggestion) -> SuggestionRecord:
        """The record of one library :class:`~recommender.schema.Suggestion`."""
        a = s.activity
        return cls(
            id=a.id,
            title=a.title,
            score=s.score,
            scores=s.scores,
            reasons=list(s.reasons),
            reason_codes=list(getattr(s, "reason_codes", ())) or ["reason"] * len(s.reasons),
            intimacy={t.value: w for t, w in a.intimacy.items()},
            depth=a.depth,
            minutes=a.minutes,
            cost=a.cost,
            practice=a.practice.value,
            description=a.description,
            tags=list(a.tags),
            steps=list(a.steps),
            prompts=list(a.prompts),
            aftercare=a.aftercare,
        )


class PromptRecord(BaseModel):
    """One question as ``ask --json`` (and each week of ``plan --json``) prints it."""

    model_config = _RECORD

    prompt: str
    """The question; both people answer it in turn."""
    depth: int
    """Its depth, 1 light .. 5 deeply personal."""
    id: str
    """The conversation activity it comes from."""
    title: str
    """That activity's title."""
    aftercare: str | None = None
    """That activity's aftercare: how to pause, and where to turn if something hard comes up."""


class PlanWeekRecord(BaseModel):
    """One week of ``plan --json``."""

    model_config = _RECORD

    week: int
    """1-based week number."""
    max_depth: int
    """The deepest level this week may reach."""
    activity: SuggestionRecord
    """The shared activity for the week."""
    conversation: list[PromptRecord]
    """A short conversation for the week."""
    date: dt.date | None = None
    """The week's first day, when the plan was given a start date."""


class HistoryEntry(BaseModel):
    """One record of ``history --json``: what the pair did and how each rated it."""

    model_config = _RECORD

    id: str
    """The activity's id."""
    title: str | None
    """Its title in the catalogue used (None when the catalogue no longer has it)."""
    date: dt.date
    """When they did it."""
    ratings: dict[str, int]
    """Each person's rating, 1..5, by lower-cased name."""
    record: int = 0
    """The record's number (``closer history --delete N`` takes it)."""
    skipped: bool = False
    """True for a "not for us" skip: hidden like a done activity, no ratings."""


class CatalogEntry(BaseModel):
    """One line of ``catalog list --json``."""

    model_config = _RECORD

    id: str
    """The activity's id."""
    title: str
    """Its title."""
    type: str
    """Its strongest intimacy type."""
    depth: int
    """Its depth."""
    minutes: int
    """Its typical duration."""


SuggestOutput = RootModel[list[SuggestionRecord]]
AskOutput = RootModel[list[PromptRecord]]
PlanOutput = RootModel[list[PlanWeekRecord]]
HistoryOutput = RootModel[list[HistoryEntry]]
CatalogListOutput = RootModel[list[CatalogEntry]]
SupportOutput = RootModel[list[SupportRecord]]
EvaluateOutput = RootModel[list[EvaluationRecord]]

#: ``closer schema NAME`` -> the model whose dump that output is.
OUTPUT_MODELS: Mapping[str, type[BaseModel]] = {
    "suggest": SuggestOutput,
    "ask": AskOutput,
    "plan": PlanOutput,
    "history": HistoryOutput,
    "catalog-list": CatalogListOutput,
    "catalog-show": Activity,
    "profile-show": PersonProfile,
    # suggest, ask and plan under --safety-concern, and help-now: individual support only.
    "support": SupportOutput,
    "evaluate": EvaluateOutput,
}


def output_schema(name: str) -> dict[str, Any]:
    """The JSON Schema of one command's ``--json`` output, as shipped in ``schemas/``.

    Examples
    --------
    >>> output_schema("ask")["items"]["$ref"]
    '#/$defs/PromptRecord'
    """
    schema = OUTPUT_MODELS[name].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://closer.invalid/schema/v{SCHEMA_VERSION}/{name}.json"
    return schema


#: Schemas of the documents closer reads (and of the library's own models).
INPUT_SCHEMAS = ("profile", "activity", "context", "catalog", "suggestion")


def schema_names() -> tuple[str, ...]:
    """Every name ``closer schema`` accepts: the inputs, then each command's output."""
    return (*INPUT_SCHEMAS, *OUTPUT_MODELS)


def generated_schema(name: str) -> dict[str, Any]:
    """The schema ``name`` as the models describe it now."""
    if name in INPUT_SCHEMAS:
        from .schema import json_schema

        return json_schema(name)
    return output_schema(name)


def shipped_schema(name: str) -> dict[str, Any]:
    """The schema ``name`` as shipped in the package (``recommender/schemas/NAME.json``).

    Examples
    --------
    >>> shipped_schema("suggest")["type"]
    'array'
    """
    import json
    from importlib import resources

    if name not in schema_names():
        from .errors import ConfigError

        raise ConfigError(f"schema name must be one of {', '.join(schema_names())}, got {name!r}")
    text = (resources.files("recommender") / "schemas" / f"{name}.json").read_text("utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def write_schemas(folder: Any) -> list[str]:
    """Write every schema into ``folder`` (a :class:`pathlib.Path`); returns the file names.

    Run ``python -m recommender.output`` after changing a model, and commit
    the files: a test fails while they differ from the models.
    """
    import json
    from pathlib import Path

    target = Path(folder)
    names = []
    for name in schema_names():
        text = json.dumps(generated_schema(name), indent=2, ensure_ascii=False, sort_keys=True)
        (target / f"{name}.json").write_text(text + "\n", encoding="utf-8")
        names.append(f"{name}.json")
    return names


if __name__ == "__main__":  # pragma: no cover - a maintainer's command
    from pathlib import Path

    write_schemas(Path(__file__).resolve().parent / "schemas")
