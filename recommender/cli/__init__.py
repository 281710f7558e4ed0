"""The ``closer`` command: parse -> load and validate -> call the library -> render.

No recommendation logic lives here. Library errors are translated once, at the
boundary (:class:`~recommender.cli.app.CloserGroup`): bad input exits 2 with one
clear message per problem, "nothing fits" exits 1 with advice, a file or the
output that cannot be written exits 2 (1 for a full disk), Ctrl-C exits 130.

Layout: :mod:`.options` holds the click options shared by several commands,
:mod:`.render` how results and errors are shown, :mod:`.app` the group and the
entry point, and :mod:`.commands` one module per command.

Importing this package is cheap: :func:`run` (the ``closer`` script) installs
its Ctrl-C handler first and only then imports click, the library and the
commands, so an interrupt during start-up ends quietly with exit 130 instead
of a traceback. Every other name loads the commands on first use.
"""

from __future__ import annotations

import importlib
import os
import signal
import sys
from collections.abc import Sequence
from types import FrameType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from recommender.cli.app import main
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

#: Exit status after Ctrl-C (128 + SIGINT), as shells report it.
_INTERRUPTED = 130


def _interrupted_quietly(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C while nothing has been written yet: say so and leave, no traceback."""
    os.write(2, b"\ncloser: interrupted\n")
    os._exit(_INTERRUPTED)


#: Commands that their module alone registers, run without loading the others
#: (and what those import): the per-pair commands people run most.
_ALONE = ("suggest", "ask", "plan")


def _register_commands(args: Sequence[str]) -> None:
    """Register what a command line needs: the named command's own module when it
    is one of :data:`_ALONE`, else every command (help, typos, the rest)."""
    commands = importlib.import_module("recommender.cli.commands")
    if args and args[0] in _ALONE:
        importlib.import_module(f"recommender.cli.commands.{args[0]}")
    else:
        commands.register_all()


def run(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``closer`` script (see :func:`recommender.cli.app.run`).

    Ctrl-C during the imports (about a second on a cold start) exits 130 with
    one line; afterwards the command's own handling takes over.
    """
    previous = signal.signal(signal.SIGINT, _interrupted_quietly)
    try:
        app = importlib.import_module("recommender.cli.app")
        _register_commands(sys.argv[1:] if argv is None else argv)
    finally:
        signal.signal(signal.SIGINT, previous)
    try:
        app.run(argv)
    finally:
        if argv is None:  # the real script: Ctrl-C while the interpreter shuts down is quiet too
            signal.signal(signal.SIGINT, _interrupted_quietly)


def __getattr__(name: str) -> Any:
    if name not in __all__:
        raise AttributeError(f"module 'recommender.cli' has no attribute {name!r}")
    importlib.import_module("recommender.cli.commands").register_all()  # main needs them all
    source = "app" if name == "main" else "render"
    value = getattr(importlib.import_module(f"recommender.cli.{source}"), name)
    globals()[name] = value
    return value
