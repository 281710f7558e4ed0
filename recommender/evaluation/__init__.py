"""Evidence of quality: simulated pairs with a hidden truth, scored per person.

``closer evaluate`` runs :func:`~recommender.evaluation.harness.evaluate`.
One module per job:

==============  ==============================================================
``truth.py``    the catalogue's facts as the truth reads them, the independent
                hard-limit checker and the true utility (never closer's code)
``people.py``   latent people and the noisy, partial profile each would write
``families.py`` seeded pair families (similar, divergent, asymmetric, ...)
``rankers.py``  closer's strategies and three baselines behind one protocol
``metrics.py``  nDCG per person, worse-off nDCG, Jain, envy, ILD, coverage
``harness.py``  the runs, the bootstrap, the feedback rounds, the default pick
``report.py``   :class:`EvaluationRecord` and tables
``plot.py``     the figure (matplotlib, only when asked)
``names.py``    the family and metric names
==============  ==============================================================

The truth functions read the activities' typed fields and words directly and
import nothing of closer's scoring (relevance, aggregate, features); a test
checks that.
"""

from __future__ import annotations

from typing import Any

__all__ = ["EvaluationRecord"]


def __getattr__(name: str) -> Any:
    # Lazily, so the ``closer`` command can read the names without pydantic.
    if name == "EvaluationRecord":
        from .report import EvaluationRecord

        return EvaluationRecord
    raise AttributeError(name)
