"""``python cli.py ...``: a shim for running the ``closer`` command from a checkout.

The command lives in :mod:`recommender.cli`; the installed ``closer`` script and
``python -m recommender`` run it directly. Nothing named ``cli`` is installed.
"""

from recommender.cli import COMFORT_NOTE, MAX_PROBLEM_LINES, SAFETY_NOTE, main, run

__all__ = ["COMFORT_NOTE", "MAX_PROBLEM_LINES", "SAFETY_NOTE", "main", "run"]

if __name__ == "__main__":
    run()
