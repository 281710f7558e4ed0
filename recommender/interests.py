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

from .schema import Activity
from .text import analyze

__all__ = ["SYNONYMS", "activity_phrases", "interest_phrases", "matches_interest"]

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


#: Longest phrase (in terms, after analysis) matched through an activity's n-gram set.
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


def activity_phrases(activity: Activity) -> frozenset[tuple[str, ...]]:
    """Every run of up to :data:`MAX_PHRASE_TERMS` terms in the activity's title, one
    of its tags or one of its steps (never across two of them)."""
    found: set[tuple[str, ...]] = set()
    for text in (activity.title, *(t.replace("-", " ") for t in activity.tags), *activity.steps):
        words = analyze(text)
        for n in range(1, MAX_PHRASE_TERMS + 1):
            found.update(tuple(words[i : i + n]) for i in range(len(words) - n + 1))
    return frozenset(found)


def matches_interest(
    activity: Activity, interest: str, phrases: frozenset[tuple[str, ...]] | None = None
) -> bool:
    """Whether the activity's title, tags or steps contain the interest or a synonym.

    ``phrases`` may pass :func:`activity_phrases` of the activity, computed once.

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
    wanted = interest_phrases(interest)
    if not wanted:
        return False
    grams = activity_phrases(activity) if phrases is None else phrases
    # (a phrase longer than the n-grams kept cannot be matched, so none is claimed)
    return any(p in grams for p in wanted)
