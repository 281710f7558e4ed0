"""When an activity really matches an interest as a person wrote it, for reasons.

A reason such as "Tom enjoys video games" must be true of the activity: the
whole phrase the person wrote, or one of its curated synonyms, appears in the
activity's title, one of its tags or one of its steps. Words are compared after
the catalogue's own analysis (lower case, stop words dropped, light stemming),
so "cooking" matches "Cook a dish" and "board games" matches "a board game",
but "video games" never matches "games" alone, and "tea" in a description
counts for nothing.

The synonyms are deliberately few and hand-checked: each one names the same
thing, never merely a related one ("chess" is a board game; "playing catch" is
not a video game).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence

from .schema import Activity
from .text import analyze

__all__ = ["SYNONYMS", "interest_phrases", "matches_interest", "searchable_text"]

#: Interest (lower case, as people often write it) -> phrases that name the same thing.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "art": ("drawing", "painting", "sketching"),
    "baking": ("bake", "cake", "bread"),
    "board games": ("board game", "chess", "card game"),
    "books": ("book", "reading", "novel"),
    "cinema": ("film", "movie"),
    "cooking": ("cook", "recipe"),
    "dancing": ("dance",),
    "films": ("film", "movie", "cinema"),
    "gardening": ("garden", "plant", "seeds"),
    "hiking": ("hike", "trail walk"),
    "movies": ("movie", "film", "cinema"),
    "music": ("song", "playlist", "singing", "instrument"),
    "photography": ("photo", "photograph", "camera"),
    "reading": ("book", "novel", "read aloud"),
    "running": ("run", "jog"),
    "science": ("experiment", "astronomy", "physics", "chemistry", "biology"),
    "video games": ("video game", "computer game", "console game"),
    "gaming": ("video game", "computer game", "console game"),
    "walking": ("walk", "stroll"),
    "writing": ("write", "journal", "letter"),
}


#: Longest phrase (in terms, after analysis) that can be matched: a longer interest
#: is never claimed (a reason must stay short and certain).
MAX_PHRASE_TERMS = 4


@functools.lru_cache(maxsize=4096)
def interest_phrases(interest: str) -> tuple[tuple[str, ...], ...]:
    """The analysed phrases that name ``interest``: itself and its curated synonyms.

    Examples
    --------
    >>> interest_phrases("Board games")[:2]
    (('board', 'game'), ('board', 'game'))
    """
    key = " ".join(interest.casefold().split())
    phrases = (tuple(analyze(p)) for p in (key, *SYNONYMS.get(key, ())))
    return tuple(p for p in phrases if p)


def _texts(activity: Activity) -> tuple[str, ...]:
    """Where an interest may be found: the title, each tag (hyphens as spaces), each step."""
    return (activity.title, *(t.replace("-", " ") for t in activity.tags), *activity.steps)


@functools.lru_cache(maxsize=4096)
def _phrase_pieces(interest: str) -> tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]:
    """Each matchable phrase of ``interest`` with a piece of each of its terms that
    every word giving that term contains, lower-cased: the term itself, or
    without its last letter for a "y" (:func:`recommender.text.stem` makes
    "stories" "story"; every other rule only cuts an ending). A text whose
    lower-case form lacks a piece cannot match the phrase."""
    return tuple(
        (phrase, tuple(term[:-1] if term.endswith("y") else term for term in phrase))
        for phrase in interest_phrases(interest)
        if len(phrase) <= MAX_PHRASE_TERMS
    )


@functools.lru_cache(maxsize=4096)
def _any_piece(interest: str) -> Callable[[str], re.Match[str] | None]:
    """For an interest with synonyms, a search for any piece of any of its phrases
    (see :func:`_phrase_pieces`): a text in which it finds none holds no phrase,
    so one call in C rules out most texts before the pieces are tested one by one."""
    pieces = sorted({piece for _, pieces in _phrase_pieces(interest) for piece in pieces})
    return re.compile("|".join(re.escape(piece) for piece in pieces)).search


@functools.lru_cache(maxsize=16384)
def _analysed(text: str) -> tuple[str, ...]:
    """:func:`analyze` of one title, tag or step, remembered: the same top
    activities' texts come back pair after pair in a batch."""
    return tuple(analyze(text))


def _contains(segment: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """Whether ``phrase`` is a run of consecutive terms of ``segment``."""
    first, size = phrase[0], len(phrase)
    if size == 1:
        return first in segment
    start = 0
    while True:  # only where the first term occurs: a few places at most
        try:
            start = segment.index(first, start, len(segment) - size + 1)
        except ValueError:
            return False
        if segment[start : start + size] == phrase:
            return True
        start += 1


def matches_interest(activity: Activity, interest: str, searchable: str | None = None) -> bool:
    """Whether the activity's title, tags or steps contain the interest or a synonym.

    Only a text holding a piece of each term of a phrase (see
    :func:`_phrase_pieces`) is analysed: most are ruled out by a substring
    test, with the same answer as analysing every one. ``searchable`` may pass
    :func:`searchable_text` of the activity, made once for several interests.

    Examples
    --------
    >>> from recommender.schema import Activity
    >>> chess = Activity(id="park-chess", title="Play chess in the park",
    ...                  description="Over tea.", intimacy={"intellectual": 0.8},
    ...                  practice="shared_experience", tags=["games"], relationships=["friends"],
    ...                  depth=1, minutes=30)
    >>> matches_interest(chess, "board games"), matches_interest(chess, "video games")
    (True, False)
    >>> matches_interest(chess, "tea")  # only the description says tea
    False
    >>> story = chess.model_copy(update={"title": "Tell bedtime stories"})
    >>> matches_interest(story, "Story"), matches_interest(story, "chess")
    (True, False)
    """
    options = _phrase_pieces(interest)
    if not options:
        return False
    if searchable is None:
        searchable = searchable_text(activity)
    if len(options) == 1:  # no synonyms: test its pieces here (most interests)
        for piece in options[0][1]:
            if piece not in searchable:
                return False
        return _in_one_text(activity, options)
    if _any_piece(interest)(searchable) is None:  # no piece of any phrase: most texts
        return False
    plausible = [option for option in options if _holds(searchable, option[1])]
    return bool(plausible) and _in_one_text(activity, plausible)


def searchable_text(activity: Activity) -> str:
    """The activity's title, tags and steps in lower case, for :func:`matches_interest`'s
    substring test (a term's piece is letters and digits, so the tags' hyphens
    and the line breaks between texts never join or split one)."""
    return "\n".join((activity.title, *activity.tags, *activity.steps)).lower()


def _holds(text: str, pieces: tuple[str, ...]) -> bool:
    """Whether ``text`` contains every piece (a plain loop: the hot path of reasons)."""
    for piece in pieces:  # noqa: SIM110 (all() over a generator was 3x slower here)
        if piece not in text:
            return False
    return True


def _in_one_text(
    activity: Activity, options: Sequence[tuple[tuple[str, ...], tuple[str, ...]]]
) -> bool:
    """Whether one of the activity's texts holds one of the phrases as consecutive terms."""
    for text in _texts(activity):
        low = text.lower()
        terms: tuple[str, ...] | None = None
        for phrase, pieces in options:
            if _holds(low, pieces):
                if terms is None:  # analysed only when a phrase may be in it
                    terms = _analysed(text)
                if _contains(terms, phrase):
                    return True
    return False
