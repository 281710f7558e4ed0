"""Multi-week plans: one shared activity and one short conversation a week.

A plan is built from the recommender's own suggestions, week by week, so the
hard limits never bend: each week asks :meth:`Recommender.recommend` for a pool
of candidates, with everything already planned (and anything done recently)
excluded through the context, and chooses among them.

* **Depth rises gently.** Week ``w``'s ceiling climbs from 1 to the pair's
  cap (:func:`~recommender.constraints.depth_cap`: both people's ``max_depth``
  and the obstacles) over the first :data:`RAMP_WEEKS` weeks (or the whole
  plan when shorter), at most one level a week, and never falls. The week's
  activity and its conversation stay at or under it. A week with nothing
  left at its ceiling goes one level deeper (never past the cap), and later
  weeks keep that level.
* **Something new most weeks.** Novel, exciting shared activities raise
  relationship quality more than pleasant familiar ones (Aron et al. 2000);
  couples doing 90 minutes a week of them for four weeks kept the gains
  months later (Coulter & Malouff 2013). Among the candidates that fit the
  pair nearly as well as the best (within :data:`FIT_SLACK`), novelty 3 is
  preferred, first those that fit the time budget (the context's minutes,
  or :data:`NOVEL_MINUTES`). When a familiar week would leave novelty in no
  more than half the weeks so far, novelty outranks type rotation and a
  novel activity may trail the best by :data:`NOVEL_SLACK`. Fit still comes
  first: a pair for whom every novel activity fits far worse gets fewer.
* **Types rotate.** Where possible (among the near-best) a week's strongest
  intimacy type is one the plan has not had yet, else one that differs from
  the week before. When both people give at least :data:`MIN_TYPES` types a
  weight of :data:`SHARED_WEIGHT` or more, the plan covers at least that
  many strongest types: once the weeks left are only just enough, a type
  they share that the plan lacks comes before fit.
* **No repeats.** No activity or prompt appears twice in a plan, nor any
  activity done within the history window.
* **Light conversation first.** Each week's conversation (see
  :mod:`recommender.conversation`, after Aron et al. 1997) rises to the
  week's ceiling: with three prompts at ceiling 3 it asks one at depth 1, 2, 3.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from .constraints import depth_cap
from .conversation import Prompt, _check_count, _check_history, prompt_key, session
from .schema import (
    IntimacyType,
    PairContext,
    PersonProfile,
    Practice,
    Suggestion,
)

if TYPE_CHECKING:
    from .feedback import PastActivity
    from .model import Recommender

__all__ = [
    "FIT_SLACK",
    "MAX_WEEKS",
    "MIN_TYPES",
    "NOVEL_MINUTES",
    "NOVEL_SLACK",
    "RAMP_WEEKS",
    "SHARED_WEIGHT",
    "PlanWeek",
    "depth_schedule",
    "plan",
    "shared_types",
]

logger = logging.getLogger(__name__)

#: Longest plan, in weeks.
MAX_WEEKS = 52
#: Weeks over which the depth ceiling climbs from 1 to the pair's cap.
RAMP_WEEKS = 8
#: Minutes a week of novel shared activity in Coulter & Malouff (2013).
NOVEL_MINUTES = 90
#: Candidates asked of the recommender each week.
POOL = 30
#: How far below the week's best pair score a candidate may be and still be
#: preferred for novelty or type rotation (fit comes first).
FIT_SLACK = 0.1
#: How far below the best a new-and-exciting activity may be in a week where a
#: familiar choice would leave novelty in no more than half the plan's weeks.
NOVEL_SLACK = 0.2
#: Most prompts a week's conversation may hold.
MAX_PROMPTS_PER_WEEK = 20
#: Strongest intimacy types a plan covers when both people value that many.
MIN_TYPES = 3
#: The weight both people must give a type for it to count as shared.
SHARED_WEIGHT = 0.4


class PlanWeek(BaseModel):
    """One week of a plan: a shared activity and a short conversation.

    Examples
    --------
    >>> import recommender as rc
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> week = plan(model, rc.PersonProfile(name="A"), rc.PersonProfile(name="B"), weeks=1)[0]
    >>> week.week, week.max_depth, week.activity.activity.depth
    (1, 1, 1)
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    week: int = Field(ge=1, le=MAX_WEEKS)
    """Week number, 1-based."""
    max_depth: int = Field(ge=1, le=5)
    """The week's depth ceiling: nothing this week is deeper."""
    activity: Suggestion
    """The week's shared activity, as the recommender suggested it."""
    conversation: tuple[Prompt, ...] = ()
    """Prompts to talk through this week, in the order to ask them."""


def depth_schedule(weeks: int, cap: int) -> list[int]:
    """Each week's depth ceiling: from 1, rising evenly to ``cap``, then staying there.

    The ceiling rises at most one level a week and reaches ``cap`` in week
    ``max(cap, min(weeks, RAMP_WEEKS))``, so a plan shorter than ``cap`` weeks
    stops short of it and a one-week plan stays light.

    Examples
    --------
    >>> depth_schedule(4, 3)
    [1, 2, 2, 3]
    >>> depth_schedule(10, 5)
    [1, 2, 2, 3, 3, 4, 4, 5, 5, 5]
    >>> depth_schedule(2, 4), depth_schedule(1, 4)
    ([1, 2], [1])
    """
    ramp = max(cap, min(weeks, RAMP_WEEKS))
    if ramp <= 1:
        return [1] * weeks
    steps = ramp - 1
    # Integer round-half-up of 1 + w * (cap - 1) / steps: no float ties to worry about.
    return [min(cap, 1 + (2 * w * (cap - 1) + steps) // (2 * steps)) for w in range(weeks)]


def plan(
    model: Recommender,
    a: PersonProfile,
    b: PersonProfile,
    ctx: PairContext | None = None,
    *,
    weeks: int,
    history: PastActivity | None = None,
    prompts_per_week: int = 3,
) -> list[PlanWeek]:
    """A plan of ``weeks`` weeks for ``a`` and ``b``: one activity and one conversation a week.

    Depth rises gently from light toward (never past) both people's comfort,
    intimacy types rotate, most weeks bring something new and exciting, and
    nothing repeats within the plan or with the pair's recent history (see the
    module docstring for the research and the numbers).

    Parameters
    ----------
    model : Recommender
        A fitted recommender.
    a, b : PersonProfile
        The two people.
    ctx : PairContext, optional
        Their situation (relationship, minutes, budget, obstacles, exclude ...).
    weeks : int
        Length of the plan, 1..52.
    history : PastActivity, optional
        What the pair did: passed to ``recommend`` and nothing done within its
        window is planned again.
    prompts_per_week : int, default=3
        Prompts in each week's conversation, 1..20.

    Returns
    -------
    list of PlanWeek
        One per week. Shorter than ``weeks`` when some week has nothing left
        that fits at any depth up to the cap (the plan stops there;
        :meth:`Recommender.diagnose` says why); empty when
        ``ctx.safety_concern`` is set, since joint activities are the wrong
        offer then.

    Raises
    ------
    ConfigError
        ``weeks`` or ``prompts_per_week`` out of range, or ``history`` of the wrong type.

    Examples
    --------
    >>> import recommender as rc
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> ana = rc.PersonProfile(name="Ana", intimacy={"emotional": 0.9}, max_depth=4)
    >>> ben = rc.PersonProfile(name="Ben", intimacy={"intellectual": 0.8})
    >>> weeks = plan(model, ana, ben, rc.PairContext(minutes=120), weeks=4)
    >>> [w.max_depth for w in weeks]
    [1, 2, 2, 3]
    >>> ids = [w.activity.activity.id for w in weeks]
    >>> len(set(ids)) == 4, all(len(w.conversation) == 3 for w in weeks)
    (True, True)
    """
    _check_count("weeks", weeks, 1, MAX_WEEKS)
    _check_count("prompts_per_week", prompts_per_week, 1, MAX_PROMPTS_PER_WEEK)
    _check_history(history)
    model.pair_scores(a, b, ctx)  # checks the fit and the arguments' types up front
    ctx = PairContext() if ctx is None else ctx
    if ctx.safety_concern:
        return []
    state = _PlanState(
        recent=frozenset(history.recent_ids()) if history is not None else frozenset(),
        shared_types=shared_types(a, b),
        novel_minutes=NOVEL_MINUTES if ctx.minutes is None else ctx.minutes,
    )
    cap = depth_cap(a, b, ctx)
    planned: list[PlanWeek] = []
    for week, scheduled in enumerate(depth_schedule(weeks, cap), start=1):
        ceiling, pool = _week_pool(
            model, a, b, ctx, max(scheduled, state.floor), cap, state, history
        )
        if not pool:
            logger.info("plan stops at week %d of %d: nothing left that fits", week, weeks)
            break
        state.floor = ceiling
        choice = _choose(pool, state, weeks_left=weeks - week + 1, weeks_done=len(planned))
        state.add_activity(choice)
        conversation = session(
            model,
            a,
            b,
            ctx,
            n=prompts_per_week,
            ceiling=ceiling,
            start=max(1, ceiling - prompts_per_week + 1),
            history=history,
            skip=frozenset(state.used_prompts),
            stale=frozenset(state.prompted_ids),
        )
        state.add_conversation(conversation)
        planned.append(
            PlanWeek.model_construct(
                week=week, max_depth=ceiling, activity=choice, conversation=tuple(conversation)
            )
        )
    return planned


def shared_types(a: PersonProfile, b: PersonProfile) -> frozenset[IntimacyType]:
    """The intimacy types both people give at least :data:`SHARED_WEIGHT`.

    Examples
    --------
    >>> a = PersonProfile(name="A", intimacy={"physical": 0.2})
    >>> b = PersonProfile(name="B", intimacy={"spiritual": 0.1})
    >>> sorted(t.value for t in shared_types(a, b))
    ['emotional', 'experiential', 'intellectual']
    """
    return frozenset(t for t in IntimacyType if min(a.weight(t), b.weight(t)) >= SHARED_WEIGHT)


@dataclass
class _PlanState:
    """What the weeks so far have used: activities, prompts, types, novelty, depth."""

    recent: frozenset[str]
    shared_types: frozenset[IntimacyType]
    novel_minutes: int
    used_ids: set[str] = field(default_factory=set)
    used_prompts: set[str] = field(default_factory=set)
    prompted_ids: set[str] = field(default_factory=set)  # conversation activities used
    types: list[IntimacyType] = field(default_factory=list)  # each week's strongest type
    novel_weeks: int = 0
    floor: int = 1  # a week that had to go deeper lifts every later week too

    def excluded(self, ctx: PairContext) -> frozenset[str]:
        return frozenset(ctx.exclude | self.used_ids | self.prompted_ids | self.recent)

    def add_activity(self, suggestion: Suggestion) -> None:
        activity = suggestion.activity
        self.used_ids.add(activity.id)
        self.novel_weeks += activity.novelty == 3
        self.used_prompts.update(prompt_key(p) for p in activity.prompts)
        self.types.append(activity.strongest_type)

    def add_conversation(self, conversation: Sequence[Prompt]) -> None:
        self.used_prompts.update(prompt_key(p.prompt) for p in conversation)
        self.prompted_ids.update(p.id for p in conversation)


def _week_pool(
    model: Recommender,
    a: PersonProfile,
    b: PersonProfile,
    ctx: PairContext,
    ceiling: int,
    cap: int,
    state: _PlanState,
    history: PastActivity | None,
) -> tuple[int, list[Suggestion]]:
    """The week's ceiling and candidates: when nothing light enough is left, one level
    deeper at a time (never past the cap) rather than end the plan early."""
    exclude = state.excluded(ctx)
    pool = _candidates(model, a, b, ctx, ceiling, exclude, history)
    while not pool and ceiling < cap:
        ceiling += 1
        pool = _candidates(model, a, b, ctx, ceiling, exclude, history)
    return ceiling, pool


def _candidates(
    model: Recommender,
    a: PersonProfile,
    b: PersonProfile,
    ctx: PairContext,
    ceiling: int,
    exclude: frozenset[str],
    history: PastActivity | None,
) -> list[Suggestion]:
    """The recommender's best shared activities for a week at depth ``ceiling`` or lighter."""
    # Tightening max_depth and widening exclude only ever narrow what the
    # recommender allows: the hard limits stay the recommender's own.
    a_week, b_week = (p.model_copy(update={"max_depth": min(p.max_depth, ceiling)}) for p in (a, b))
    ctx_week = ctx.model_copy(update={"exclude": exclude})
    suggestions = model.recommend(a_week, b_week, ctx_week, k=POOL, history=history)
    # Professional support is offered on its own terms, never as a week's activity.
    return [s for s in suggestions if s.activity.practice is not Practice.support]


def _choose(
    pool: list[Suggestion], state: _PlanState, weeks_left: int, weeks_done: int
) -> Suggestion:
    """The week's activity: near-best fit first, then a new type and novelty, then rank.

    In a catch-up week (a familiar activity now would leave new-and-exciting
    ones in no more than half the weeks) novelty comes before a new type and a
    novel activity may trail the best by :data:`NOVEL_SLACK`, not :data:`FIT_SLACK`.
    When the weeks left are only just enough to reach :data:`MIN_TYPES`
    strongest types in the plan, both people value enough types for it
    (:func:`shared_types`) and the candidates hold enough of the missing
    ones, a shared type the plan lacks comes before fit.
    """
    best = max(s.score for s in pool)
    catch_up = 2 * state.novel_weeks <= weeks_done + 1  # a familiar week would lose "most"
    last_type = state.types[-1] if state.types else None
    seen = set(state.types)
    wanted = len(state.shared_types) >= MIN_TYPES and len(seen) < MIN_TYPES
    missing = MIN_TYPES - len(seen)
    fresh = {s.activity.strongest_type for s in pool if _adds_type(s, seen, state.shared_types)}
    # Only when it can work: the candidates hold enough of the missing types.
    must_rotate = wanted and len(fresh) >= missing >= weeks_left

    def preference(
        ranked: tuple[int, Suggestion],
    ) -> tuple[bool, bool, bool, int, int, bool, int]:
        rank, suggestion = ranked
        activity = suggestion.activity
        novel = activity.novelty == 3
        slack = NOVEL_SLACK if novel and catch_up else FIT_SLACK
        # New and exciting within the time budget, then new and longer, then familiar.
        novelty = 0 if novel and activity.minutes <= state.novel_minutes else 1 if novel else 2
        # Never last week's type where another near-best one exists (even in a
        # catch-up week: novelty can wait a week, a second week alike is felt at once);
        # then a type the plan lacks beats a type it has.
        again = activity.strongest_type == last_type
        repeat = 0 if activity.strongest_type not in seen else 1
        return (
            must_rotate and not _adds_type(suggestion, seen, state.shared_types),
            suggestion.score < best - slack,
            again,
            novelty if catch_up else repeat,
            repeat if catch_up else novelty,
            # The week already has its own conversation: a doing-together
            # activity adds more than a second round of questions.
            activity.practice is Practice.conversation,
            rank,  # the recommender's order: fit, fairness to both, variety
        )

    return min(enumerate(pool), key=preference)[1]


def _adds_type(
    suggestion: Suggestion, seen: set[IntimacyType], shared: frozenset[IntimacyType]
) -> bool:
    strongest = suggestion.activity.strongest_type
    return strongest in shared and strongest not in seen
