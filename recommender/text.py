"""Words to terms: the tokenizer and light stemmer shared by fitting and scoring.

Fitting runs through scikit-learn's ``TfidfVectorizer`` with :func:`analyze` as
its analyzer; scoring a profile encodes its interests with the same function
and the fitted idf, in plain numpy, so the quick path never imports
scikit-learn. A test checks both give the same vectors.
"""

from __future__ import annotations

import re
import threading
from functools import lru_cache

__all__ = ["analyze", "related_words", "stem"]

_TOKEN = re.compile(r"[a-z0-9]+")

# A short English stop list: function words only (sklearn's list drops words
# such as "fire" and "show" that matter for activities).
STOP_WORDS = frozenset(
    """a about above after again against all am an and any are as at be because been
    before being below between both but by can could did do does doing down during each
    few for from further had has have having he her here hers herself him himself his how
    i if in into is it its itself just me more most my myself no nor not now of off on once
    only or other our ours ourselves out over own same she should so some such than that
    the their theirs them themselves then there these they this those through to too under
    until up very was we were what when where which while who whom why will with would you
    your yours yourself yourselves one two each other s t get go make take way""".split()
)

# Interests people type that the catalogue words differently. Expansion only
# adds terms; it never removes what the person wrote.
_RELATED = {
    "hike": "walking nature outdoors",
    "hiking": "walking nature outdoors",
    "run": "sport movement",
    "running": "sport movement",
    "exercise": "sport movement",
    "fitness": "sport movement",
    "gym": "sport movement",
    "yoga": "movement breathing mindfulness",
    "meditation": "mindfulness breathing",
    "baking": "cooking food",
    "food": "cooking food",
    "painting": "art",
    "drawing": "art",
    "books": "reading",
    "films": "movies",
    "film": "movies",
    "cinema": "movies",
    "singing": "music",
    "songs": "music",
    "guitar": "music",
    "piano": "music",
    "outdoors": "nature outdoor",
    "camping": "nature outdoor adventure stars",
    "astronomy": "stars science",
    "religion": "faith",
    "church": "faith",
    "prayer": "faith",
    "spirituality": "faith awe meaning",
    "philosophy": "ideas values questions",
    "debate": "ideas questions",
    "history": "history memories",
    "pets": "animals",
    "dogs": "animals",
    "cats": "animals",
    "charity": "volunteering kindness",
    "volunteer": "volunteering",
    "travel": "travel adventure",
    "trips": "travel adventure",
    "board games": "games",
    "video games": "games play",
    "gaming": "games play",
    "sports": "sport",
    "football": "sport",
    "soccer": "sport",
    "swimming": "water sport",
    "plants": "gardening nature",
    "diy": "crafts home",
    "knitting": "crafts",
    "woodwork": "crafts",
    "tech": "science learning",
    "coding": "science learning puzzles",
    "talking": "conversation questions",
    "quiet": "rest mindfulness",
}


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Strip common English endings so "cooking", "cooks" and "cook" meet.

    Deliberately small and predictable (no dictionary): both sides of every
    comparison go through it, so it only needs to be consistent.

    Examples
    --------
    >>> [stem(w) for w in ["cooking", "games", "stories", "dancing", "dance", "glass"]]
    ['cook', 'game', 'story', 'danc', 'danc', 'glass']
    """
    if len(word) > 5 and word.endswith("ing"):
        word = word[:-3]
    elif len(word) > 4 and word.endswith("ies"):
        word = word[:-3] + "y"
    elif len(word) > 4 and word.endswith("ed") and not word.endswith("eed"):
        word = word[:-2]
    elif len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if len(word) > 4 and word.endswith("e"):
        word = word[:-1]
    return word


def analyze(text: str) -> list[str]:
    """Lower-case, split into words, drop stop words and single letters, stem.

    Examples
    --------
    >>> analyze("Cook a dish from a country neither of you has visited")
    ['cook', 'dish', 'country', 'neither', 'visit']
    """
    tokens = tokens_of(text)
    try:
        return [term for term in map(_TERMS.__getitem__, tokens) if term]
    except KeyError:  # words not seen before: stem them once (a plain dict beats lru_cache)
        return [term for term in map(_remembered_term, tokens) if term]


def _remembered_term(token: str) -> str:
    """:func:`token_term`, remembered in ``_TERMS``.

    Safe from many threads: the term is computed here and returned from here
    (never read back, so another thread clearing the table cannot lose it),
    and inserts and clearing hold a lock.
    """
    term = _TERMS.get(token)
    if term is None:
        term = token_term(token)
        with _TERMS_LOCK:
            if len(_TERMS) > TERMS_REMEMBERED:
                _TERMS.clear()
            _TERMS[token] = term
    return term


def tokens_of(text: str) -> list[str]:
    """The raw lower-case tokens of ``text``, before stop words and stemming.

    Examples
    --------
    >>> tokens_of("Cook a dish!")
    ['cook', 'a', 'dish']
    """
    return _TOKEN.findall(text.lower())


def token_term(token: str) -> str:
    """The term :func:`analyze` makes of one token: "" for stop words and single
    letters, else its stem.

    Examples
    --------
    >>> token_term("visited"), token_term("the"), token_term("x")
    ('visit', '', '')
    """
    return "" if len(token) < 2 or token in STOP_WORDS else stem(token)


#: Token -> its term ("" for stop words and single letters), filled as words appear.
_TERMS: dict[str, str] = {}
_TERMS_LOCK = threading.Lock()
#: Tokens remembered at most; beyond, the table starts again (imported text can be huge).
TERMS_REMEMBERED = 2_000_000


def related_words(interest: str) -> str:
    """The interest plus the catalogue words it usually means ("hiking" -> walking ...).

    Examples
    --------
    >>> related_words("Hiking")
    'Hiking walking nature outdoors'
    """
    extra = _RELATED.get(interest.strip().lower())
    return f"{interest} {extra}" if extra else interest
