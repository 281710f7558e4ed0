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
  intimacy type differs from the week before.
* **No repeats.** No activity or prompt appears twice in a plan, nor any
  activity done within the history window.
* **Light conversation first.** Each week's conversation (see
  :mod:`recommender.conversation`, after Aron et al. 1997) rises to the
  week's ceiling: with three prompts at ceiling 3 it asks one at depth 1, 2, 3.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field

from .constraints import depth_cap
from .conversation import Prompt, _check_count, _is_pair_history, prompt_key, session
from .errors import ConfigError
from .schema import (
    IntimacyType,
    PairContext,
    PersonProfile,
    Practice,
    Suggestion,
)

if TYPE_CHECKING:
    from .history import PairHistory
    from .model import Recommender

__all__ = [
    "FIT_SLACK",
    "MAX_WEEKS",
    "NOVEL_MINUTES",
    "NOVEL_SLACK",
    "RAMP_WEEKS",
    "PlanWeek",
    "depth_schedule",
    "plan",
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
    history: PairHistory | None = None,
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
    history : PairHistory, optional
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
    if history is not None and not _is_pair_history(history):
        raise ConfigError(f"history must be a PairHistory or None, got {type(history).__name__}")
    model.pair_scores(a, b, ctx)  # checks the fit and the arguments' types up front
    ctx = PairContext() if ctx is None else ctx
    if ctx.safety_concern:
        return []
    recent = frozenset(history.recent_ids()) if history is not None else frozenset()
    novel_minutes = NOVEL_MINUTES if ctx.minutes is None else ctx.minutes

    planned: list[PlanWeek] = []
    used_ids: set[str] = set()
    used_prompts: set[str] = set()
    prompted_ids: set[str] = set()  # conversation activities whose prompts the plan used
    last_type: IntimacyType | None = None
    novel_weeks = 0
    cap = depth_cap(a, b, ctx)
    floor = 1  # a week that had to go deeper lifts every later week too
    for week, scheduled in enumerate(depth_schedule(weeks, cap), start=1):
        exclude = frozenset(ctx.exclude | used_ids | prompted_ids | recent)
        ceiling = max(scheduled, floor)
        pool = _candidates(model, a, b, ctx, ceiling, exclude, history)
        # When nothing light enough is left, go one level deeper at a time
        # (never past the cap) rather than end the plan early.
        while not pool and ceiling < cap:
            ceiling += 1
            pool = _candidates(model, a, b, ctx, ceiling, exclude, history)
        if not pool:
            logger.info("plan stops at week %d of %d: nothing left that fits", week, weeks)
            break
        floor = ceiling
        catch_up = 2 * novel_weeks <= len(planned) + 1  # a familiar week now would lose "most"
        choice = _choose(pool, last_type, novel_minutes, catch_up)
        activity = choice.activity
        used_ids.add(activity.id)
        novel_weeks += activity.novelty == 3
        used_prompts.update(prompt_key(p) for p in activity.prompts)
        last_type = activity.strongest_type
        conversation = session(
            model,
            a,
            b,
            ctx,
            n=prompts_per_week,
            ceiling=ceiling,
            start=max(1, ceiling - prompts_per_week + 1),
            history=history,
            skip=frozenset(used_prompts),
            stale=frozenset(prompted_ids),
        )
        used_prompts.update(prompt_key(p.prompt) for p in conversation)
        prompted_ids.update(p.id for p in conversation)
        planned.append(
            PlanWeek.model_construct(
                week=week, max_depth=ceiling, activity=choice, conversation=tuple(conversation)
            )
        )
    return planned


def _candidates(
    model: Recommender,
    a: PersonProfile,
    b: PersonProfile,
    ctx: PairContext,
    ceiling: int,
    exclude: frozenset[str],
    history: PairHistory | None,
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
    pool: list[Suggestion], last_type: IntimacyType | None, novel_minutes: int, catch_up: bool
) -> Suggestion:
    """The week's activity: near-best fit first, then a new type and novelty, then rank.

    In a catch-up week (a familiar activity now would leave new-and-exciting
    ones in no more than half the weeks) novelty comes before a new type and a
    novel activity may trail the best by :data:`NOVEL_SLACK`, not :data:`FIT_SLACK`.
    """
    best = max(s.score for s in pool)

    def preference(ranked: tuple[int, Suggestion]) -> tuple[bool, int, int, bool, int]:
        rank, suggestion = ranked
        activity = suggestion.activity
        novel = activity.novelty == 3
        slack = NOVEL_SLACK if novel and catch_up else FIT_SLACK
        # New and exciting within the time budget, then new and longer, then familiar.
        novelty = 0 if novel and activity.minutes <= novel_minutes else 1 if novel else 2
        repeat = int(activity.strongest_type == last_type)
        return (
            suggestion.score < best - slack,
            novelty if catch_up else repeat,
            repeat if catch_up else novelty,
            # The week already has its own conversation: a doing-together
            # activity adds more than a second round of questions.
            activity.practice is Practice.conversation,
            rank,  # the recommender's order: fit, fairness to both, variety
        )

    return min(enumerate(pool), key=preference)[1]
