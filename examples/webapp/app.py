"""A small web service over closer: what an app that embeds the library looks like.

Four endpoints, each a thin layer over the public API: ``POST /suggest``,
``POST /ask``, ``POST /plan`` and ``POST /done``. Request and response bodies
are the library's own pydantic models (``PersonProfile``, ``PairContext``,
``Suggestion``, ``Prompt``, ``PlanWeek``), so the OpenAPI document FastAPI
serves at ``/openapi.json`` describes exactly what the library validates.

One fitted ``Recommender`` serves every request: FastAPI runs these plain
``def`` endpoints on a thread pool, and a fitted model may be shared by threads.
Each request that touches the history opens the SQLite file for itself.

Run it (after ``pip install -e ".[examples]"``)::

    uvicorn --factory examples.webapp.app:create_app --port 8000

and try ``curl -s localhost:8000/suggest -H 'content-type: application/json'
-d '{"a": {"name": "Ana"}, "b": {"name": "Ben"}, "k": 3}'``. Set
``CLOSER_HISTORY`` to choose the history file (default: your data folder).
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

import recommender as rc

_STRICT = ConfigDict(extra="forbid", frozen=True)


class PairRequest(BaseModel):
    """Two people, each with their own profile, and their situation."""

    model_config = _STRICT

    a: rc.PersonProfile
    """The first person's profile."""
    b: rc.PersonProfile
    """The second person's profile."""
    context: rc.PairContext = rc.PairContext()
    """Relationship, time, budget, obstacles and other limits."""
    pair: str | None = None
    """The pair's name in the history (default: both names, e.g. ana-ben)."""


class SuggestRequest(PairRequest):
    k: Annotated[int, Field(ge=1, le=50)] = 5
    """How many suggestions."""


class AskRequest(PairRequest):
    n: Annotated[int, Field(ge=1, le=100)] = 10
    """How many prompts."""
    depth: Annotated[int, Field(ge=1, le=5)] | None = None
    """Deepest level this time (never above either profile's max_depth)."""


class PlanRequest(PairRequest):
    weeks: Annotated[int, Field(ge=1, le=52)] = 4
    """How many weeks to plan."""


class DoneRequest(BaseModel):
    """What a pair did and how each person rated it (1-5)."""

    model_config = _STRICT

    pair: str
    """The pair's name in the history, e.g. ana-ben."""
    activity_id: str
    """The activity they did (an id from the catalogue)."""
    ratings: dict[str, Annotated[int, Field(ge=1, le=5)]]
    """Each person's rating, by name."""
    day: dt.date | None = None
    """When they did it (default: today)."""


class DoneResponse(BaseModel):
    """The record as stored."""

    pair: str
    activity_id: str
    day: dt.date
    ratings: dict[str, int]


def create_app(history_path: Path | None = None, catalog: rc.Catalog | None = None) -> FastAPI:
    """Build the service around one model fitted on ``catalog`` (default: the bundled one)."""
    catalog = rc.default_catalog() if catalog is None else catalog
    model = rc.Recommender().fit(catalog)
    history_file = history_path or Path(
        os.environ.get("CLOSER_HISTORY") or rc.default_history_path()
    )
    app = FastAPI(title="closer", version=rc.__version__)

    def pair_history(request: PairRequest) -> rc.PairHistory:
        name = request.pair or rc.pair_name(request.a.name, request.b.name)
        if not history_file.exists():  # reading never creates the file
            return rc.PairHistory(name)
        with rc.History(history_file) as store:
            return store.for_pair(name)

    @app.exception_handler(rc.RecommenderError)
    def bad_input(request: Request, exc: Exception) -> JSONResponse:
        # The library's message names the field and the value; it holds no profile text
        # beyond what the caller sent.
        return JSONResponse(status_code=422, content={"detail": str(exc)})

    @app.post("/suggest")
    def suggest(request: SuggestRequest) -> list[rc.Suggestion]:
        history = pair_history(request)
        return model.recommend(request.a, request.b, request.context, k=request.k, history=history)

    @app.post("/ask")
    def ask(request: AskRequest) -> list[rc.Prompt]:
        history = pair_history(request)
        return rc.ask(
            model,
            request.a,
            request.b,
            request.context,
            n=request.n,
            depth=request.depth,
            history=history,
        )

    @app.post("/plan")
    def plan(request: PlanRequest) -> list[rc.PlanWeek]:
        history = pair_history(request)
        return rc.plan(
            model, request.a, request.b, request.context, weeks=request.weeks, history=history
        )

    @app.post("/done", status_code=201)
    def done(request: DoneRequest) -> DoneResponse:
        if request.activity_id not in catalog:
            raise HTTPException(status_code=404, detail=f"no activity {request.activity_id!r}")
        with rc.History(history_file) as store:
            stored = store.record(
                request.pair, request.activity_id, request.ratings, day=request.day
            )
        return DoneResponse(
            pair=request.pair,
            activity_id=stored.activity_id,
            day=stored.day,
            ratings=dict(stored.ratings),
        )

    return app
