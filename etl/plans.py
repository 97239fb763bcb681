"""The definitions a publish uses: the definitions folder, with each saved workload plan applied as its
measure's milestone trajectory (goal_councils/plans.py).

The saved plans reach the publish step as a file in the home folder, `HOME/milestone-plans.json`,
written by the workflow records whenever a plan is saved or withdrawn (workflow/plans.py) and again
before every command-line publish. A plan that no longer fits (its measure gone, a categorical
measure) is left out and logged; a file that cannot be read refuses the publish, naming the file,
so that no status is judged against a trajectory other than the one saved.
"""

from __future__ import annotations

import logging

from goal_councils import Definitions, DefinitionsError, load_definitions
from goal_councils.plans import PlanProblem, SavedPlan, apply_plans, plans_from_json

from .home import Home

__all__ = ["read_definitions", "saved_plans", "with_saved_plans"]

log = logging.getLogger(__name__)


def saved_plans(home: Home) -> list[SavedPlan]:
    """The plans in the home's plans file (none when there is no file); DefinitionsError when it is damaged."""
    path = home.milestone_plans
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as e:
        raise DefinitionsError([f"{path.name}: the saved workload plans cannot be read: {e}"]) from e
    try:
        return plans_from_json(text)
    except PlanProblem as e:
        raise DefinitionsError([f"{path.name}: the saved workload plans are damaged ({e}); "
                                "any command-line load writes the file again from the workflow records"]) from e


def read_definitions(home: Home) -> Definitions:
    """The home's definitions with its saved workload plans applied; DefinitionsError on any problem in
    the definitions or a damaged plans file."""
    return with_saved_plans(home, load_definitions(home.definitions))


def with_saved_plans(home: Home, defs: Definitions) -> Definitions:
    """`defs`, definitions just read (not already planned), with the home's saved workload plans applied:
    what every publish judges with, so that no publish drops a plan. DefinitionsError on a damaged file."""
    plans = saved_plans(home)
    if not plans:
        return defs
    planned, problems = apply_plans(defs, plans)
    for problem in problems:
        log.warning("%s", problem)
    return planned
