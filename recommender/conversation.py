"""Conversation prompts for a pair: a session that starts light and rises in depth.

The prompts come from the catalogue's ``conversation`` activities (their
``prompts`` lists; a prompt is as deep as its activity). Which activities may
be used is decided by the recommender's own hard constraints (relationship,
both people's ``max_depth`` and the obstacle caps, ``avoid``, contact,
mobility, remote, exclude, recent history ...), never by a copy of them here.

Escalating, reciprocal self-disclosure builds closeness fast: Aron et al. 1997
(PSPB 23(4)) used sets of questions of rising depth, each person answering in
turn. A session therefore walks up the depth levels the pair allows, one or
more prompts per level, and never jumps a level it could have visited.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Annotated

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from .errors import ConfigError
from .features import PRACTICES, SETTING_CODE
from .feedback import PastActivity
from .schema import SLUG_PATTERN, Activity, PairContext, PersonProfile, Practice, Setting

if TYPE_CHECKING:
    from .model import Recommender

__all__ = [
    "MAX_RUN",
    "TALK_MINUTES",
    "Prompt",
    "ask",
    "card_key",
    "daily_prompt",
    "prompt_key",
    "session",
]

logger = logging.getLogger(__name__)

#: Most prompts taken from one activity before moving to the next, so the
#: session varies its themes (and intimacy types) instead of draining one card.
MAX_RUN = 3
#: Longest conversation activity that counts as "just talk" (with no cost and
#: not outdoors); longer ones are tied to an outing and come later in a level.
TALK_MINUTES = 60


class Prompt(BaseModel):
    """One question to ask each other, and the conversation activity it comes from.

    Examples
    --------
    >>> p = Prompt(prompt="What made you laugh this week?", depth=1,
    ...            id="laugh-questions", title="Swap the week's funny moments")
    >>> p.depth, p.id
    (1, 'laugh-questions')
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_attribute_docstrings=True)

    prompt: Annotated[str, StringConstraints(min_length=1, max_length=500)]
    """The question, as written in the catalogue."""
    depth: int = Field(ge=1, le=5)
    """Vulnerability it asks for: its activity's depth, 1 light ... 5 deeply personal."""
    id: Annotated[str, StringConstraints(pattern=SLUG_PATTERN)]
    """Id of the conversation activity the prompt belongs to."""
    title: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    """Title of that activity."""


def ask(
    model: Recommender,
    a: PersonProfile,
    b: PersonProfile,
    ctx: PairContext | None = None,
    *,
    n: int = 10,
    depth: int | None = None,
    history: PastActivity | None = None,
) -> list[Prompt]:
    """Up to ``n`` conversation prompts for ``a`` and ``b``, light first, rising in depth.

    Escalating reciprocal self-disclosure (Aron et al. 1997: sets of questions
    of rising depth, both people answering each one) is the research behind
    the order. The session visits the lightest depth levels the pair allows,
    one level after another (extra prompts go to the lighter levels), so depth
    never decreases. Within a level, questions that need no outing come first
    (free, not outdoors, at most :data:`TALK_MINUTES`: a museum's questions
    read oddly at home), then those from activities that fit the pair better
    (:meth:`Recommender.pair_scores`), at most
    :data:`MAX_RUN` in a row from one activity while others are left. No prompt
    appears twice; ties break by activity id, then the activity's prompt order.

    Parameters
    ----------
    model : Recommender
        A fitted recommender; its hard constraints decide which activities may be used.
    a, b : PersonProfile
        The two people.
    ctx : PairContext, optional
        Their situation; the relationship decides which activities suit them.
    n : int, default=10
        Most prompts to return (fewer when the catalogue runs out).
    depth : int, optional
        Caps the session further, 1..5 (never above either person's ``max_depth``).
    history : PastActivity, optional
        Conversation activities the pair did within the history window are left out;
        cards it was shown (``history.shown``) come after every fresh card of
        their level, the longest-ago first, so a pair does not get the same
        cards every session and still gets a full session when all were seen.

    Returns
    -------
    list of Prompt
        In the order to ask them; empty when ``ctx.safety_concern`` is set (joint
        conversation is the wrong offer then; the CLI shows support instead) or
        when no conversation activity passes the pair's limits.

    Raises
    ------
    ConfigError
        ``n`` or ``depth`` out of range, or ``history`` of the wrong type.

    Examples
    --------
    >>> import recommender as rc
    >>> from recommender.conversation import ask
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> ana = rc.PersonProfile(name="Ana", max_depth=4)
    >>> ben = rc.PersonProfile(name="Ben", max_depth=3)
    >>> prompts = ask(model, ana, ben, rc.PairContext(relationship="friends"), n=6)
    >>> depths = [p.depth for p in prompts]
    >>> len(prompts), depths == sorted(depths), max(depths) <= 3
    (6, True, True)
    """
    _check_count("n", n, 1)
    if depth is not None and (
        isinstance(depth, bool) or not isinstance(depth, int) or not 1 <= depth <= 5
    ):
        raise ConfigError(f"depth must be an integer 1..5 or None, got {depth!r}")
    return session(model, a, b, ctx, n=n, ceiling=5 if depth is None else depth, history=history)


def session(
    model: Recommender,
    a: PersonProfile,
    b: PersonProfile,
    ctx: PairContext | None,
    *,
    n: int,
    ceiling: int,
    start: int = 1,
    history: PastActivity | None = None,
    skip: frozenset[str] = frozenset(),
    stale: frozenset[str] = frozenset(),
) -> list[Prompt]:
    """The engine of :func:`ask`, with the extra knobs a multi-week plan needs.

    ``start`` is the lightest level the session prefers to open at (lighter
    levels are used only when the deeper ones run out); ``skip`` holds prompts
    already used elsewhere (compared by :func:`prompt_key`); activities in
    ``stale`` (ids used before) come after fresh ones of the same level, so a
    plan does not return to the same theme week after week. Arguments are
    assumed checked by the caller.

    Examples
    --------
    >>> import recommender as rc
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> people = rc.PersonProfile(name="A", max_depth=5), rc.PersonProfile(name="B", max_depth=5)
    >>> [p.depth for p in session(model, *people, None, n=3, ceiling=4, start=2)]
    [2, 3, 4]
    """
    _check_history(history)
    pair, _ = model.pair_scores(a, b, ctx)  # checks the fit and the arguments' types
    ctx = PairContext() if ctx is None else ctx
    if ctx.safety_concern:
        return []
    rows = _allowed_conversations(model, a, b, ctx, history, ceiling)
    if not len(rows):
        logger.debug("no conversation activity passes the pair's limits")
        return []
    items = model.items_
    # Questions written for a museum, a canoe or a campfire read oddly at the
    # kitchen table: talk that needs no outing comes first within a level.
    outing = (
        (items.minutes[rows] > TALK_MINUTES)
        | (items.cost[rows] > 0)
        | (items.setting[rows] == SETTING_CODE[Setting.outdoor])
    )
    is_stale = np.isin(rows, [model.index_[i] for i in stale if i in model.index_])
    # Lightest level first, then no outing, fresh before stale, the pair's best
    # fit, and id (row order is id order).
    rows = rows[np.lexsort((rows, -pair[rows], is_stale, outing, items.depth[rows]))]
    by_level: dict[int, list[Activity]] = {}
    for row in rows.tolist():
        activity = model.activities_[row]
        by_level.setdefault(activity.depth, []).append(activity)
    seen = set(skip)
    shown = _shown_ranks(history)
    streams = {level: _level_stream(acts, seen, shown) for level, acts in by_level.items()}
    chosen = _fill_levels(streams, n, start)
    return [p for level in sorted(chosen) for p in chosen[level]]


def prompt_key(prompt: str) -> str:
    """How prompts are compared for repeats: case and spacing do not matter.

    Examples
    --------
    >>> prompt_key("  What  made you LAUGH? ")
    'what made you laugh?'
    """
    return " ".join(prompt.casefold().split())


def _check_count(name: str, value: object, low: int, high: int | None = None) -> None:
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or value < low
        or (high is not None and value > high)
    ):
        allowed = f"{low}..{high}" if high is not None else f">= {low}"
        raise ConfigError(f"{name} must be an integer {allowed}, got {value!r}")


def _check_history(history: object) -> None:
    """``history`` is None or what the pair did (a :class:`~recommender.feedback.PastActivity`)."""
    if history is not None and not isinstance(history, PastActivity):
        raise ConfigError(f"history must be a PairHistory or None, got {type(history).__name__}")


def _allowed_conversations(
    model: Recommender,
    a: PersonProfile,
    b: PersonProfile,
    ctx: PairContext,
    history: PastActivity | None,
    ceiling: int,
) -> npt.NDArray[np.intp]:
    """Rows of conversation activities that pass every hard constraint and ``ceiling``."""
    recent = history.recent_ids() if history is not None else ()
    # The recommender's own masks: the same limits suggestions obey, by construction.
    masks = model.limit_masks(a, b, ctx, recent_ids=recent)
    allowed = np.logical_and.reduce(list(masks.values()))
    items = model.items_
    allowed &= items.practice == PRACTICES.index(Practice.conversation)
    allowed &= items.depth <= ceiling
    return np.flatnonzero(allowed)


def card_key(prompt: str) -> str:
    """The key a card shown to a pair is stored under: a short hash of :func:`prompt_key`.

    The history keeps only these keys (``History.mark_shown``), never the text.

    Examples
    --------
    >>> card_key("What made you laugh?") == card_key("  what made you LAUGH? ")
    True
    >>> len(card_key("What made you laugh?"))
    16
    """
    import hashlib

    return hashlib.sha256(prompt_key(prompt).encode()).hexdigest()[:16]


def _shown_ranks(history: PastActivity | None) -> dict[str, int]:
    """Card key -> how long ago the pair saw it (0: the newest); empty without history.

    The store's :class:`~recommender.store.PairHistory` keeps the cards shown
    (``shown``); an app's own history without them gets fresh-first order only.
    """
    shown: Sequence[str] = getattr(history, "shown", ()) if history is not None else ()
    return {key: rank for rank, key in enumerate(shown)}


def _level_stream(
    activities: Sequence[Activity], seen: set[str], shown: dict[str, int] | None = None
) -> Iterator[Prompt]:
    """Prompts of one depth level: up to MAX_RUN from each activity in turn, never
    repeating; cards in ``shown`` (key -> rank, 0 newest) after every fresh one,
    the longest-ago first."""
    if not shown:
        yield from _round_robin([(a, list(a.prompts)) for a in activities], seen)
        return
    keyed = [(a, [(text, card_key(text)) for text in a.prompts]) for a in activities]
    fresh = [(a, [text for text, key in cards if key not in shown]) for a, cards in keyed]
    yield from _round_robin(fresh, seen)
    again = [
        (shown[key], order, activity, text)
        for order, (activity, cards) in enumerate(keyed)
        for text, key in cards
        if key in shown
    ]
    again.sort(key=lambda card: (-card[0], card[1]))  # longest ago first, then activity order
    yield from _round_robin([(activity, [text]) for _, _, activity, text in again], seen)


def _round_robin(queues: list[tuple[Activity, list[str]]], seen: set[str]) -> Iterator[Prompt]:
    """Up to MAX_RUN prompts from each activity's queue in turn, skipping ``seen`` keys."""
    while queues:
        for activity, queue in queues:
            taken = 0
            while queue and taken < MAX_RUN:
                text = queue.pop(0)
                key = prompt_key(text)
                if key in seen:  # checked lazily: another level may have claimed it meanwhile
                    continue
                seen.add(key)
                taken += 1
                yield Prompt.model_construct(
                    prompt=text, depth=activity.depth, id=activity.id, title=activity.title
                )
        queues = [(activity, queue) for activity, queue in queues if queue]


def _fill_levels(
    streams: dict[int, Iterator[Prompt]], n: int, start: int
) -> dict[int, list[Prompt]]:
    """Share ``n`` prompts over the levels, one at a time, lightest level first.

    The session uses the ``n`` lightest levels from ``start`` up (fewer levels
    when ``n`` is small, so it rises one step at a time); a level that runs out
    hands its place to the next deeper one, and only then to lighter ones.
    """
    upward = sorted(level for level in streams if level >= start)
    downward = sorted((level for level in streams if level < start), reverse=True)
    queue = upward + downward
    active, waiting = queue[:n], queue[n:]
    chosen: dict[int, list[Prompt]] = {level: [] for level in queue}
    total = 0
    while total < n and active:
        for level in list(active):
            if total == n:
                break
            prompt = next(streams[level], None)
            if prompt is None:
                active.remove(level)
                if waiting:
                    active.append(waiting.pop(0))
                continue
            chosen[level].append(prompt)
            total += 1
    return chosen


def daily_prompt(
    model: Recommender,
    a: PersonProfile,
    b: PersonProfile,
    ctx: PairContext | None = None,
    *,
    day: dt.date,
    pair: str,
) -> Prompt | None:
    """The pair's question of the day: the same all day, and no card comes back
    until every card of the pair's deck has had its day.

    The deck is every conversation prompt within both people's limits (as
    :func:`ask` chooses them), shuffled by a fixed hash of the pair's name; day
    ``d`` takes card ``d mod len(deck)``. The deck deliberately does not move
    with the history (a new record would reshuffle it and bring a card back),
    so which card a day holds depends on the catalogue and the limits alone.
    None when no conversation fits (or under ``safety_concern``).

    Examples
    --------
    >>> import datetime as dt, recommender as rc
    >>> model = rc.Recommender().fit(rc.default_catalog())
    >>> people = rc.PersonProfile(name="A"), rc.PersonProfile(name="B")
    >>> days = [dt.date(2026, 1, 1) + dt.timedelta(days=i) for i in range(30)]
    >>> cards = [daily_prompt(model, *people, day=d, pair="a-b") for d in days]
    >>> len({card.prompt for card in cards if card})
    30
    """
    import hashlib

    deck = session(model, a, b, ctx, n=MAX_DAILY_DECK, ceiling=5)
    if not deck:
        return None
    deck.sort(key=lambda p: hashlib.sha256(f"{pair}\n{p.prompt}".encode()).hexdigest())
    return deck[day.toordinal() % len(deck)]


#: Most prompts a daily deck draws from (years of days).
MAX_DAILY_DECK = 2000
