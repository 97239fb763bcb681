"""The domain of goal councils: definitions, periods and the pure rules over them.

Imports nothing from etl/ or dashboard/.
"""

from .definitions import (
    Council,
    Definitions,
    DefinitionsError,
    Measure,
    Objective,
    Organisation,
    Partner,
    Target,
    load_definitions,
)
from .periods import Period, PeriodError, parse_free_label, parse_period

__all__ = [
    "Council", "Definitions", "DefinitionsError", "Measure", "Objective", "Organisation",
    "Partner", "Target", "load_definitions", "Period", "PeriodError", "parse_free_label",
    "parse_period",
]
