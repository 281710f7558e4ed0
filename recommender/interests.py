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

from collections.abc import Sequence

from .schema import Activity
from .text import analyze

__all__ = ["SYNONYMS", "matches_interest"]

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


def _contains(words: Sequence[str], phrase: Sequence[str]) -> bool:
    """Whether ``phrase`` occurs in ``words`` as a contiguous run."""
    n = len(phrase)
    return any(list(words[i : i + n]) == list(phrase) for i in range(len(words) - n + 1))


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
    key = " ".join(interest.casefold().split())
    phrases = [analyze(p) for p in (key, *SYNONYMS.get(key, ()))]
    phrases = [p for p in phrases if p]
    if not phrases:
        return False
    texts = [
        analyze(activity.title),
        *(analyze(tag.replace("-", " ")) for tag in activity.tags),
        *(analyze(step) for step in activity.steps),
    ]
    return any(_contains(words, phrase) for words in texts for phrase in phrases)
