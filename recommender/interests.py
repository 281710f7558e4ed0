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
from collections.abc import Sequence

from .schema import Activity
from .text import analyze

__all__ = ["SYNONYMS", "first_match", "interest_phrases", "matches_interest"]

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


def matches_interest(activity: Activity, interest: str) -> bool:
    """Whether the activity's title, tags or steps contain the interest or a synonym.

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
    """
    return first_match(activity, (interest,)) is not None


def first_match(
    activity: Activity, interests: Sequence[str], searchable: str | None = None
) -> str | None:
    """The first of ``interests``, as written, that the activity matches (see
    :func:`matches_interest`), or None.

    Only a text holding a piece of each term of a phrase (see
    :func:`_phrase_pieces`) is analysed: most are ruled out by a substring
    test, with the same answer as analysing every one. ``searchable`` may pass
    :func:`searchable_text` of the activity, made once for several calls.

    Examples
    --------
    >>> from recommender.schema import Activity
    >>> story = Activity(id="story", title="Tell bedtime stories", description="Take turns.",
    ...                  intimacy={"emotional": 0.8}, practice="shared_experience",
    ...                  relationships=["parent-child"], depth=1, minutes=20)
    >>> first_match(story, ["cooking", "Story", "stories"]), first_match(story, ["tea"])
    ('Story', None)
    """
    for interest in interests:
        plausible = []
        for option in _phrase_pieces(interest):  # plain loops: the hot path of reasons
            if searchable is None:
                searchable = searchable_text(activity)
            for piece in option[1]:
                if piece not in searchable:
                    break
            else:
                plausible.append(option)
        if plausible and _in_one_text(activity, plausible):
            return interest
    return None


def searchable_text(activity: Activity) -> str:
    """The activity's title, tags and steps in lower case, for :func:`first_match`'s
    substring test (a term's piece is letters and digits, so the tags' hyphens
    and the line breaks between texts never join or split one)."""
    return "\n".join((activity.title, *activity.tags, *activity.steps)).lower()


def _in_one_text(
    activity: Activity, options: Sequence[tuple[tuple[str, ...], tuple[str, ...]]]
) -> bool:
    """Whether one of the activity's texts holds one of the phrases as consecutive terms."""
    for text in _texts(activity):
        low = text.lower()
        terms: tuple[str, ...] | None = None
        for phrase, pieces in options:
            for piece in pieces:
                if piece not in low:
                    break
            else:
                if terms is None:  # analysed only when a phrase may be in it
                    terms = tuple(analyze(text))
                if _contains(terms, phrase):
                    return True
    return False
