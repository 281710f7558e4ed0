"""The ``closer`` command: parse -> load and validate -> call the library -> render.

No recommendation logic lives here. Library errors are translated once, at the
boundary (:class:`~recommender.cli.app.CloserGroup`): bad input exits 2 with one
clear message per problem, "nothing fits" exits 1 with advice, Ctrl-C exits 130.

Layout: :mod:`.options` holds the click options shared by several commands,
:mod:`.render` how results and errors are shown, :mod:`.app` the group and the
entry point, and :mod:`.commands` one module per command.
"""

from __future__ import annotations

from recommender.cli import commands as _commands  # registers every command on main
from recommender.cli.app import main, run
from recommender.cli.render import (
    COMFORT_NOTE,
    EXIT_BAD_INPUT,
    EXIT_INTERRUPTED,
    EXIT_NOTHING_FITS,
    MAX_PROBLEM_LINES,
    SAFETY_NOTE,
)

__all__ = [
    "COMFORT_NOTE",
    "EXIT_BAD_INPUT",
    "EXIT_INTERRUPTED",
    "EXIT_NOTHING_FITS",
    "MAX_PROBLEM_LINES",
    "SAFETY_NOTE",
    "main",
    "run",
]

del _commands
