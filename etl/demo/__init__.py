"""The bundled demo government: writes the submission files of a fictional state, from a seed.

`generate_demo(defs, outdir)` writes what the organisations of the State of Aldermere would
have sent: one bulk "history" load per organisation (January 2015 to twelve months before
DEMO_END), then one load per organisation per month for the last twelve months, each with
the date it was received. It returns the loads in the order they must be applied.

Files come in the three formats the ETL reads: the standard tidy CSV, Excel (EXCEL_ORGS)
and Open SDG CSV (OPEN_SDG_ORGS, one `indicator_<id>.csv` per indicator, for measures that
declare `open_sdg`). Same seed and definitions give byte-identical files.

The numbers follow a hand-written shape per measure (a piecewise-linear path, a seasonal
pattern, autocorrelated noise) except the two end-to-end services (data/demo/definitions/services.yaml),
each simulated as a flow through the organisations that handle it (housing-support claims through
four, patients leaving hospital with care at home through three), and the state rough-sleeping
count, which adds up the councils' counts. The stories of the demo storyboard are planted on purpose (the
storyboard's table); the constants re-exported below say where, so that tests and analytics can
check them.

The stories are data: every hand-written number (calendar, stories, seasons, breakdown gaps
and shares, shapes) is in `stories.yaml` in this package. The modules, in import order:

    stories       reads stories.yaml into typed values (Shape, SHAPES, SHIFT_MEASURE, ...)
    series        periods, decimal years, seasons, random streams, noise, rounding
    discharge     the hospital-discharge flow (patients, assessments, home care)
    flow          the housing-support claims flow
    figures       every measure's totals, then its breakdown groups
    observations  the rows each organisation sends, load by load
    files         CSV, Excel and Open SDG writers
    generate      definitions, when each load arrived, generate_demo
"""

from etl.demo.figures import DERIVED
from etl.demo.flow import FLOW_MEASURES
from etl.demo.generate import DEMO_DEFINITIONS, DemoLoad, generate_demo, load_demo_definitions, load_index
from etl.demo.stories import (
    CHAIN_DOWNSTREAM,
    CHAIN_FROM,
    CHAIN_LAG_MONTHS,
    CHAIN_ORG,
    CHAIN_UPSTREAM,
    CHANNEL_SHIFT,
    DEMAND_PEAK_MONTHS,
    DEMO_END,
    DEMO_PREVIOUS_REVIEW,
    DEMO_START,
    DIVERGENT_GROUP,
    DIVERGENT_MEASURE,
    ESTIMATED,
    EXCEL_ORGS,
    FINAL_NOTE,
    GAPS,
    GROUP_PATHS,
    HISTORY_LABEL,
    HISTORY_RECEIVED_AT,
    HISTORY_TO,
    INTERNAL_MEASURES,
    LATE_LOADS,
    LATE_ORG,
    MONTHLY_LOADS,
    NOTES,
    OFF_TRACK_MEASURE,
    ON_TRACK_MEASURE,
    OPEN_SDG_ORGS,
    PROVISIONAL_MEASURES,
    REVISED_FIRST_LOAD,
    REVISED_MEASURE,
    REVISED_ORG,
    REVISED_PERIOD,
    REVISION_DELTA,
    REVISION_LOAD,
    REVISION_NOTE,
    ROUGH_SLEEPING_AGES,
    SEASONAL_MEASURES,
    SEASONS,
    SHAPES,
    SHARES,
    SHIFT_DAYS,
    SHIFT_FROM,
    SHIFT_MEASURE,
    SHIFT_ORG,
    SUPPRESS_BELOW,
    WINTER_MONTHS,
    Shape,
)

__all__ = [
    "DEMO_DEFINITIONS",
    "DEMO_PREVIOUS_REVIEW",
    "DEMO_START",
    "DEMO_END",
    "HISTORY_LABEL",
    "HISTORY_TO",
    "DemoLoad",
    "generate_demo",
    "load_demo_definitions",
    "load_index",
    "SHIFT_MEASURE",
    "SHIFT_ORG",
    "SHIFT_FROM",
    "SHIFT_DAYS",
    "DIVERGENT_MEASURE",
    "DIVERGENT_GROUP",
    "SEASONAL_MEASURES",
    "DEMAND_PEAK_MONTHS",
    "WINTER_MONTHS",
    "LATE_ORG",
    "LATE_LOADS",
    "REVISED_MEASURE",
    "REVISED_ORG",
    "REVISED_PERIOD",
    "REVISED_FIRST_LOAD",
    "REVISION_LOAD",
    "REVISION_DELTA",
    "CHAIN_ORG",
    "CHAIN_UPSTREAM",
    "CHAIN_DOWNSTREAM",
    "CHAIN_FROM",
    "CHAIN_LAG_MONTHS",
    "ON_TRACK_MEASURE",
    "OFF_TRACK_MEASURE",
    "INTERNAL_MEASURES",
    "PROVISIONAL_MEASURES",
    "EXCEL_ORGS",
    "OPEN_SDG_ORGS",
    "FLOW_MEASURES",
    "SUPPRESS_BELOW",
    # the story data behind the above, as before the split (tests/test_demo.py uses SHAPES, DERIVED)
    "MONTHLY_LOADS",
    "HISTORY_RECEIVED_AT",
    "Shape",
    "SHAPES",
    "DERIVED",
    "SEASONS",
    "SHARES",
    "GAPS",
    "CHANNEL_SHIFT",
    "GROUP_PATHS",
    "ROUGH_SLEEPING_AGES",
    "ESTIMATED",
    "NOTES",
    "REVISION_NOTE",
    "FINAL_NOTE",
]
