"""``python -m recommender``: the same as the ``closer`` command."""

from recommender.cli import run

if __name__ == "__main__":
    run()
