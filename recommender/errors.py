"""The exceptions closer raises.

Every error the library raises on purpose is a :class:`RecommenderError`, so an
app can catch that one class. Errors about bad input also subclass
:class:`ValueError` (or :class:`KeyError` for an unknown activity id), so code
that already catches those keeps working::

    RecommenderError
    ├── CatalogError(ValueError)        a catalogue file or object is invalid
    ├── ProfileError(ValueError)        a profile or context is invalid
    ├── ConfigError(ValueError)         a hyperparameter or argument is invalid
    ├── ModelFileError(ValueError)      a saved model is unreadable or mismatched
    ├── UnknownActivityError(KeyError)  no activity has that id
    ├── NotFittedError(AttributeError)  the recommender has not been fitted
    ├── NoSuggestionsError              nothing fits (carries the diagnosis)
    ├── StoreError                      the history store cannot be used
    └── WriteError(OSError)             a file closer writes cannot be written
                                        (``errno`` kept: ENOSPC for a full disk)

Messages name what was wrong, what is allowed and what was received, e.g.
``catalog.yaml: activity 'stargaze' (item 12): field 'depth': must be 1..5, got 7``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

__all__ = [
    "CatalogError",
    "ConfigError",
    "ModelFileError",
    "NoSuggestionsError",
    "NotFittedError",
    "Problem",
    "ProfileError",
    "RecommenderError",
    "StoreError",
    "UnknownActivityError",
    "WriteError",
]


class RecommenderError(Exception):
    """Base class of every error closer raises on purpose."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input: where it is, which field, what was received.

    Examples
    --------
    >>> str(Problem("what is wrong", source="a.yaml", item="activity 'x' (item 2)",
    ...             field="depth", value=7))
    "a.yaml: activity 'x' (item 2): field 'depth': what is wrong, got 7"
    """

    message: str
    source: str | None = None
    item: str | None = None
    field: str | None = None
    value: Any = None
    has_value: bool = True

    def __str__(self) -> str:
        parts = [p for p in (self.source, self.item) if p]
        if self.field:
            parts.append(f"field '{self.field}'")
        text = self.message
        if self.has_value and self.value is not None:
            text += f", got {_short_repr(self.value)}"
        return ": ".join([*parts, text])


def _short_repr(value: Any, limit: int = 80) -> str:
    try:
        text = repr(value)
    except ValueError:  # an integer too long to print
        return f"<{type(value).__name__} too long to show>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _ProblemsError(RecommenderError):
    """An error that carries one or more :class:`Problem` records."""

    def __init__(self, problems: str | Problem | Sequence[Problem]) -> None:
        if isinstance(problems, str):
            problems = [Problem(problems, has_value=False)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: tuple[Problem, ...] = tuple(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class CatalogError(_ProblemsError, ValueError):
    """A catalogue (file, folder or object) is invalid; ``problems`` lists every fault."""


class ProfileError(_ProblemsError, ValueError):
    """A person profile or pair context is invalid; ``problems`` lists every fault."""


class ConfigError(RecommenderError, ValueError):
    """A hyperparameter or call argument is outside what is allowed."""


class ModelFileError(RecommenderError, ValueError):
    """A saved model cannot be loaded: truncated, edited, foreign or mismatched."""


class UnknownActivityError(RecommenderError, KeyError):
    """No activity in the catalogue has the requested id."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


class NotFittedError(RecommenderError, AttributeError):
    """A method that needs a fitted recommender was called before ``fit``."""


class NoSuggestionsError(RecommenderError):
    """Nothing fits; ``diagnosis`` says which constraint removed how many items."""

    def __init__(self, message: str, diagnosis: Any = None) -> None:
        super().__init__(message)
        self.diagnosis = diagnosis


class StoreError(RecommenderError):
    """The history store cannot be opened, read or written."""


class WriteError(RecommenderError, OSError):
    """A profile, catalogue or model file cannot be written; the target is left as it was.

    Also an :class:`OSError` (what writing raised before), with the cause's
    ``errno`` (``errno.ENOSPC`` for a full disk, ``errno.EFBIG`` for a file over
    the size limit, None when closer itself refused the target).

    Examples
    --------
    >>> import errno
    >>> err = WriteError("out.yaml: cannot write: No space left on device", errno.ENOSPC)
    >>> str(err), err.errno == errno.ENOSPC, isinstance(err, OSError)
    ('out.yaml: cannot write: No space left on device', True, True)
    """

    def __init__(self, message: str, errno: int | None = None) -> None:
        super().__init__(message)
        self.errno = errno
