"""The bundled demo government: writes the submission files of a fictional state, from a seed.

`generate_demo(defs, outdir)` writes what the organisations of the State of Aldermere would
have sent: one bulk "history" load per organisation (January 2015 to twelve months before
DEMO_END), then one load per organisation per month for the last twelve months, each with
the date it was received. It returns the loads in the order they must be applied.

Files come in the three formats the ETL reads: the standard tidy CSV, Excel (EXCEL_ORGS)
and Open SDG CSV (OPEN_SDG_ORGS, one `indicator_<id>.csv` per indicator, for measures that
declare `open_sdg`). Same seed and definitions give byte-identical files.

The numbers follow a hand-written shape per measure (SHAPES: a piecewise-linear path, a
seasonal pattern, autocorrelated noise) except the housing-support service, which is
simulated as a flow of claims through four organisations, and the state rough-sleeping
count, which adds up the councils' counts. The stories of the demo storyboard are planted
on purpose (the storyboard's table); the constants below say where, so that tests and
analytics can check them.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import math
import zipfile
import zlib
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import NamedTuple

import numpy as np

from goal_councils import Definitions, Measure, load_definitions
from goal_councils.definitions import UNIT_BOUNDS
from goal_councils.periods import (
    MONTHS_PER_PERIOD,
    Period,
    parse_period,
    period_from_start,
    shift_period,
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
]


def _find_definitions(package: Path) -> Path:
    """The demo definitions: shipped inside an installed package, or data/demo/definitions in a checkout."""
    installed, checkout = package / "demo_definitions", package.parent / "data" / "demo" / "definitions"
    return installed if installed.is_dir() else checkout


DEMO_DEFINITIONS: Path = _find_definitions(Path(__file__).resolve().parent)

# --- the calendar of the demo ----------------------------------------------------------------

DEMO_START = date(2015, 1, 1)
DEMO_END = date(2026, 10, 1)  # last monthly period; quarterly to 2026-Q3, annual 2025, FY 2025/26
# the demo's history is also judged as it stood at the end of October 2026, the month before its
# latest submissions: the previous review, for "as at" views
DEMO_PREVIOUS_REVIEW = datetime(2026, 10, 31, 23, 59, 59)
MONTHLY_LOADS = 12
HISTORY_LABEL = "history"
HISTORY_TO = shift_period("monthly", DEMO_END, -MONTHLY_LOADS)  # 2025-10: last month in history
HISTORY_RECEIVED_AT = datetime(2025, 11, 10, 9, 0)
_LAST_DAY = date(2026, 10, 31)  # nothing reported for a period that has not ended
_LAST_DUE = date(2026, 11, 30)  # nor before it is due inside the demo's last monthly cycle
_FIXED_STAMP = datetime(2026, 1, 1)  # written into xlsx files instead of "now"

# --- the stories of the storyboard's table -----------------------------------------------------

# special-cause shift: Northfield's days to decide steps up after an IT change
SHIFT_MEASURE = "hsc_days_to_decide_northfield"
SHIFT_ORG = "northfield"
SHIFT_FROM = "2025-06"
SHIFT_DAYS = 9.0

# divergent group: low birth weight worsens for one ethnic group while the total improves
DIVERGENT_MEASURE = "low_birth_weight"
DIVERGENT_GROUP = ("ethnic_group", "Black")

# seasonal demand: measure -> its peak months
DEMAND_PEAK_MONTHS = (1, 4)
WINTER_MONTHS = (12, 1, 2)
SEASONAL_MEASURES: dict[str, tuple[int, ...]] = {
    "hsc_claims_received": DEMAND_PEAK_MONTHS,
    "hsc_arrivals_northfield": DEMAND_PEAK_MONTHS,
    "hsc_arrivals_riverside": DEMAND_PEAK_MONTHS,
    "hsc_arrivals_eastvale": DEMAND_PEAK_MONTHS,
    "rough_sleeping_count": WINTER_MONTHS,
    "street_count_northfield": WINTER_MONTHS,
    "street_count_riverside": WINTER_MONTHS,
    "street_count_eastvale": WINTER_MONTHS,
}

# late submitter: Eastvale sends most of its monthly loads after the due date
LATE_ORG = "eastvale"
LATE_LOADS = 9  # of its twelve monthly loads

# revised figure: the Statistics Office re-submits one quarter of the employment rate
REVISED_MEASURE = "employment_rate"
REVISED_ORG = "statistics_office"
REVISED_PERIOD = "2026-Q1"
REVISED_FIRST_LOAD = "2026-04"  # label of the load that first publishes the quarter
REVISION_LOAD = "2026-07"  # label of the load that revises it
REVISION_DELTA = 0.4  # revised minus first published, percentage points

# contractor in the chain: the scanning firm's right-first-time falls from CHAIN_FROM, and
# every council's backlog of claims rises CHAIN_LAG_MONTHS later
CHAIN_ORG = "docuscan"
CHAIN_UPSTREAM = "hsc_scan_right_first_time"
CHAIN_DOWNSTREAM = ("hsc_backlog_northfield", "hsc_backlog_riverside", "hsc_backlog_eastvale")
CHAIN_FROM = "2026-02"
CHAIN_LAG_MONTHS = 2

# off-track vs on-track headline measures
ON_TRACK_MEASURE = "ghg_emissions"
OFF_TRACK_MEASURE = "care_at_home_share"

# internal measures (published: false in the definitions)
INTERNAL_MEASURES = (
    "hsc_staff_engagement_benefits",
    "hsc_staff_engagement_docuscan",
    "complaints_staff_engagement",
    "revenue_staff_engagement",
    "care_agency_staff_engagement",
    "probation_staff_engagement",
)

# monthly measures first sent as provisional, then re-sent final with the next load
PROVISIONAL_MEASURES = (
    "hsc_claims_received",
    "delayed_discharges",
    "ed_four_hour",
    "violent_crime_rate",
    "bus_journeys",
    "low_birth_weight",
)

EXCEL_ORGS = ("northfield", "care_agency")
OPEN_SDG_ORGS = ("statistics_office",)
SUPPRESS_BELOW = 5  # breakdown counts below this are sent as suppressed, with no value

# (measure, period) -> note on the total; ESTIMATED also marks the value estimated
ESTIMATED: dict[tuple[str, str], str] = {
    ("fly_tipping_eastvale", "2026-02"): "Estimated: street scene system down for two weeks.",
    ("home_care_hours_eastvale", "2026-02"): "Estimated from planned hours; invoices late.",
}
NOTES: dict[tuple[str, str], str] = {
    (SHIFT_MEASURE, SHIFT_FROM): "New case-management system went live on 2 June.",
    ("bus_journeys", "2020-04"): "Lockdown: buses for essential journeys only.",
    ("street_count_northfield", "2020-04"): "Everyone In: hotel rooms offered in lockdown.",
    ("ghg_emissions", "2020"): "Lower because of the pandemic lockdowns.",
}
REVISION_NOTE = "Revised: late survey returns."
FINAL_NOTE = "Final figure; replaces the provisional one."


@dataclass(frozen=True)
class DemoLoad:
    """One submission: the files an organisation sent together, and when they arrived."""

    org: str
    files: tuple[Path, ...]
    received_at: datetime
    label: str  # HISTORY_LABEL or the reporting month, e.g. "2026-03"


def load_demo_definitions(folder: Path | str | None = None) -> Definitions:
    """The demo's definitions (from `folder`, by default DEMO_DEFINITIONS)."""
    return load_definitions(Path(folder) if folder is not None else DEMO_DEFINITIONS)


def load_index(loads: list[DemoLoad], org: str, label: str) -> int:
    """Position of an organisation's load in the order of application, e.g. the revision:
    `load_index(loads, REVISED_ORG, REVISION_LOAD)`."""
    for i, load in enumerate(loads):
        if load.org == org and load.label == label:
            return i
    raise KeyError(f"no load {label!r} from {org!r}")


# --- shapes: how each measure's total moves --------------------------------------------------


@dataclass(frozen=True)
class Shape:
    """A piecewise-linear path through (year, value) knots, times a seasonal pattern, plus
    AR(1) noise of relative size `noise`. Years are decimal: 2020.25 is early April 2020."""

    knots: tuple[tuple[float, float], ...]
    noise: float = 0.02
    season: str | None = None
    first: str | None = None  # first period reported, when later than DEMO_START
    skip: tuple[str, ...] = ()  # period labels with no figure (fnmatch patterns)
    gaps: tuple[tuple[str, str, float], ...] = ()  # (breakdown, value, how much worse)
    shares: tuple[tuple[str, str, float], ...] = ()  # (breakdown, value, share of a count)
    cumulative: bool = False  # never falls (installed capacity)


def S(*knots: tuple[float, float], **options) -> Shape:
    return Shape(tuple(knots), **options)


# fmt: off
SEASONS: dict[str, tuple[float, ...]] = {  # January .. December, scaled to a mean of 1
    "claims": (1.38, 0.97, 0.95, 1.26, 0.96, 0.92, 0.92, 0.88, 0.95, 0.97, 0.93, 0.89),
    "winter": (1.28, 1.20, 1.05, 0.95, 0.88, 0.82, 0.80, 0.82, 0.90, 1.00, 1.12, 1.22),
    "winter_dip": (0.94, 0.95, 0.98, 1.00, 1.02, 1.03, 1.03, 1.03, 1.01, 1.00, 0.98, 0.95),
    "winter_dip_mild": (0.98, 0.985, 0.995, 1.0, 1.005, 1.01, 1.01, 1.01, 1.0, 1.0, 0.995, 0.98),
    "summer": (0.85, 0.85, 0.93, 1.00, 1.08, 1.12, 1.16, 1.14, 1.04, 0.98, 0.92, 0.90),
    "term": (1.05, 1.05, 1.05, 0.92, 1.05, 1.05, 0.95, 0.70, 1.05, 1.05, 1.05, 0.90),
    "academic": (1.15, 0.95, 0.90, 0.85, 0.85, 0.80, 0.75, 0.90, 1.90, 1.20, 1.00, 0.70),
    "wet": (1.60, 1.45, 1.20, 0.90, 0.70, 0.55, 0.50, 0.65, 0.85, 1.20, 1.50, 1.65),
    "new_year": (1.35, 1.08, 1.05, 0.97, 0.95, 0.93, 0.93, 0.90, 0.98, 0.98, 0.95, 0.82),
    "attendance": (1.10, 1.05, 1.00, 0.95, 0.95, 1.00, 1.05, 1.00, 0.85, 0.95, 1.05, 1.15),
    "ed_demand": (0.94, 0.93, 1.00, 1.00, 1.05, 1.05, 1.06, 1.02, 1.00, 1.00, 0.97, 0.98),
    "wind": (1.12, 1.12, 1.12, 0.90, 0.90, 0.90, 0.85, 0.85, 0.85, 1.13, 1.13, 1.13),
    "planting": (1.80, 1.60, 1.20, 0.40, 0.20, 0.20, 0.20, 0.20, 0.30, 0.90, 1.70, 1.80),
    "bus": (0.95, 0.97, 1.02, 0.98, 1.02, 1.00, 0.97, 0.88, 1.05, 1.06, 1.05, 0.95),
    "garden": (0.88, 0.90, 0.97, 1.05, 1.10, 1.10, 1.08, 1.06, 1.03, 1.00, 0.95, 0.88),
    "completion": (0.80, 0.80, 0.95, 0.85, 0.95, 1.30, 1.45, 0.90, 0.85, 0.90, 1.00, 1.25),
    "vacancies": (0.95, 1.00, 1.10, 1.25, 1.40, 1.30, 1.00, 0.70, 0.75, 0.80, 0.85, 0.90),
    "helpline": (0.80, 0.95, 1.00, 1.02, 1.03, 1.03, 1.02, 1.00, 1.03, 1.03, 1.02, 1.04),
    "autumn_rail": (1.0, 1.01, 1.02, 1.02, 1.02, 1.01, 1.0, 1.0, 0.99, 0.94, 0.95, 0.98),
    "library": (0.95, 0.95, 1.00, 1.00, 0.95, 0.95, 1.35, 1.45, 0.90, 0.95, 0.90, 0.85),
}
# fmt: on

_NO_SCHOOL = ("2020", "2021")  # national tests and assessments cancelled in the pandemic
_BLACK_LBW_PATH = ((2015.0, 9.6), (2026.75, 12.4))

# fmt: off
SHAPES: dict[str, Shape] = {
    # efficient government: housing-support claims (the flow itself is simulated below)
    "hsc_staff_engagement_benefits": S((2015, 58), (2026.6, 63), noise=0.025),
    "hsc_staff_engagement_docuscan": S((2015, 66), (2025.9, 64), (2026.4, 53), noise=0.025),
    "hsc_cost_per_decision_northfield": S((2015, 38.5), (2025.3, 45.0), (2025.55, 52.0),
                                          (2026.6, 54.5), noise=0.02),
    "hsc_cost_per_decision_riverside": S((2015, 35.0), (2026.6, 43.5), noise=0.02),
    "hsc_cost_per_decision_eastvale": S((2015, 41.0), (2026.6, 50.5), noise=0.02),
    # complaints
    "complaints_in_target": S((2015, 81), (2019, 85), (2021, 70), (2023.9, 72), (2026.7, 88.4),
                              noise=0.012),
    "complaints_received": S((2015, 640), (2026.7, 910), season="new_year", noise=0.05),
    "complaints_open_90_days": S((2015, 120), (2021, 310), (2023.9, 260), (2026.7, 95), noise=0.06),
    "casework_days": S((2015, 38), (2021, 61), (2023.9, 55), (2026.7, 36), noise=0.04),
    "complaints_staff_engagement": S((2015, 60), (2021, 52), (2026.6, 61), noise=0.03),
    "benefit_complaint_replies_10_days": S((2015, 78), (2026.7, 88), noise=0.02),
    "tax_complaint_replies_10_days": S((2015, 82), (2026.7, 91), noise=0.02),
    # defence recruitment
    "recruits_starting": S((2015, 260), (2019, 230), (2022.7, 190), (2026.7, 236), noise=0.05,
                           shares=(("sex", "Female", 0.13), ("sex", "Male", 0.87))),
    "applications_received": S((2015, 2900), (2020.2, 2800), (2020.3, 2300), (2021, 3600),
                               (2026.7, 3800), season="new_year", noise=0.05,
                               shares=(("sex", "Female", 0.21), ("sex", "Male", 0.79))),
    "days_application_to_start": S((2015, 190), (2020, 240), (2026.7, 165), noise=0.04),
    "applicant_dropout_rate": S((2015, 38), (2026.7, 31), noise=0.04),
    "women_recruits_share": S((2015, 10.5), (2026.6, 16.2), noise=0.05),
    "ethnic_minority_recruits_share": S((2015, 7.0), (2026.6, 12.4), noise=0.06),
    "cost_per_recruit": S((2015.7, 18200), (2025.7, 21900), noise=0.02),
    # tax collection
    "tax_gap": S((2015, 6.6), (2019, 5.9), (2025, 5.2), noise=0.02),
    "returns_on_time": S((2015, 88), (2025, 92.4), noise=0.005),
    "calls_answered_5min": S((2015, 74), (2021, 48), (2026.7, 69), season="helpline", noise=0.04),
    "cost_per_100_collected": S((2015.7, 52), (2025.7, 46), noise=0.015),
    "revenue_staff_engagement": S((2015, 57), (2026.6, 62), noise=0.025),
    # digital services
    "digital_take_up": S((2015, 38), (2020.2, 52), (2020.4, 63), (2022.2, 61), (2026.7, 76.3),
                         noise=0.012,
                         gaps=(("age_band", "16-24", 0.7), ("age_band", "25-34", 0.75),
                               ("age_band", "35-49", 0.85), ("age_band", "50-64", 1.1),
                               ("age_band", "65+", 1.9))),
    "digital_satisfaction": S((2017, 78), (2026.7, 81.5), first="2017-01", noise=0.01),
    "service_availability": S((2015, 99.3), (2026.7, 99.8), noise=0.0008),
    "online_claims_share": S((2015, 41), (2020.4, 62), (2026.7, 79), noise=0.015),
    "council_tax_online_northfield": S((2015, 44), (2026.7, 71), noise=0.015),
    # public workforce
    "sickness_absence_days": S((2015, 7.4), (2019.9, 7.6), (2022.9, 8.9), (2026.6, 7.6), noise=0.015),
    "staff_engagement_index": S((2015, 58), (2020, 64), (2025, 62), noise=0.015),
    "staff_turnover": S((2015, 9.5), (2022.5, 13.2), (2026.6, 10.4), noise=0.03),
    # value for money
    "cashable_savings": S((2015.7, 28), (2019.7, 42), (2025.7, 74.5), noise=0.05),
    "spend_under_management": S((2015, 58), (2026.6, 81), noise=0.015),
    "e_invoicing_share": S((2015, 12), (2026.7, 67), noise=0.03),
    # information requests
    "foi_within_20_days": S((2015, 88), (2020.2, 86), (2020.4, 70), (2022.9, 78), (2026.7, 86.5),
                            noise=0.015),
    "foi_requests": S((2015, 1100), (2026.7, 1700), noise=0.06),
    "internal_reviews_upheld": S((2015, 18), (2026.6, 14), noise=0.08),
    "open_datasets_published": S((2015, 40), (2026.6, 95), noise=0.1),

    # healthy and safe communities: rough sleeping (the state count adds up the councils')
    "street_count_northfield": S((2015, 78), (2017.9, 120), (2019.9, 110), (2020.2, 104),
                                 (2020.3, 40), (2021, 58), (2023.9, 125), (2026.7, 104),
                                 season="winter", noise=0.06,
                                 shares=(("sex", "Female", 0.16), ("sex", "Male", 0.84))),
    "street_count_riverside": S((2015, 52), (2017.9, 80), (2019.9, 78), (2020.2, 72), (2020.3, 28),
                                (2021, 40), (2023.9, 88), (2026.7, 70), season="winter", noise=0.07,
                                shares=(("sex", "Female", 0.16), ("sex", "Male", 0.84))),
    "street_count_eastvale": S((2015, 22), (2017.9, 38), (2019.9, 47), (2020.2, 44), (2020.3, 15),
                               (2021, 20), (2023.9, 44), (2026.7, 41), season="winter", noise=0.08,
                               shares=(("sex", "Female", 0.16), ("sex", "Male", 0.84))),
    "people_accommodated_northfield": S((2015, 25), (2020.2, 30), (2020.3, 140), (2020.6, 60),
                                        (2021, 45), (2026.7, 48), season="winter", noise=0.1),
    "people_accommodated_riverside": S((2015, 18), (2020.2, 22), (2020.3, 95), (2020.6, 40),
                                       (2021, 30), (2026.7, 36), season="winter", noise=0.1),
    "people_accommodated_eastvale": S((2015, 7), (2020.2, 9), (2020.3, 38), (2020.6, 16),
                                      (2021, 12), (2026.7, 15), season="winter", noise=0.12),
    "outreach_contacts": S((2015, 900), (2026.7, 1450), season="winter", noise=0.05),
    "discharges_no_fixed_address": S((2015, 40), (2026.7, 28), noise=0.1),
    "emergency_accommodation_spend": S((2015.7, 6.2), (2020.7, 14.8), (2021.7, 11.0), (2025.7, 17.9),
                                       noise=0.04),
    # care at home: the headline stays below its trajectory
    "care_at_home_share": S((2015, 75.2), (2021.2, 78.5), (2023.2, 79.3), (2026.7, 79.9),
                            noise=0.004,
                            gaps=(("region", "Northfield", 1.04), ("region", "Riverside", 0.92),
                                  ("region", "Eastvale", 1.1))),
    "delayed_discharges": S((2015, 210), (2019, 260), (2020.2, 250), (2020.3, 110), (2021, 220),
                            (2022.9, 380), (2026.7, 310), season="winter", noise=0.05),
    "home_care_hours_northfield": S((2015, 98000), (2026.7, 121000), noise=0.02),
    "home_care_hours_riverside": S((2015, 80000), (2026.7, 101000), noise=0.02),
    "home_care_hours_eastvale": S((2015, 51000), (2026.7, 57000), noise=0.025),
    "care_staff_vacancy_rate": S((2015, 6.5), (2021.9, 11.8), (2026.7, 8.9), noise=0.04),
    "care_client_satisfaction": S((2015, 63), (2025, 65.4), noise=0.01),
    "care_cost_per_client_week": S((2015.7, 410), (2025.7, 592), noise=0.01),
    "care_agency_staff_engagement": S((2015, 61), (2026.6, 64), noise=0.025),
    # infant mortality: low birth weight diverges for one group
    "infant_mortality_rate": S((2015, 4.2), (2019, 3.9), (2025, 3.7), noise=0.03,
                               gaps=(("ethnic_group", "Asian", 1.35), ("ethnic_group", "Black", 1.6),
                                     ("ethnic_group", "Mixed", 1.1), ("ethnic_group", "White", 0.92),
                                     ("ethnic_group", "Other", 1.2))),
    "first_trimester_booking": S((2015, 84.5), (2026.7, 89.0), noise=0.008,
                                 gaps=(("ethnic_group", "Asian", 1.15), ("ethnic_group", "Black", 1.5),
                                       ("ethnic_group", "Mixed", 1.1), ("ethnic_group", "White", 0.9),
                                       ("ethnic_group", "Other", 1.3))),
    "low_birth_weight": S((2015, 7.6), (2026.7, 6.6), noise=0.035,
                          gaps=(("ethnic_group", "Asian", 1.25), ("ethnic_group", "Mixed", 1.05),
                                ("ethnic_group", "White", 0.93), ("ethnic_group", "Other", 1.1))),
    "smoking_at_delivery": S((2015, 11.2), (2026.6, 7.1), noise=0.03),
    # reoffending
    "proven_reoffending_rate": S((2015, 29.1), (2019.9, 26.5), (2021, 24.8), (2026.6, 25.4),
                                 noise=0.012,
                                 gaps=(("sex", "Female", 0.8), ("sex", "Male", 1.04),
                                       ("age_band", "16-24", 1.25), ("age_band", "25-34", 1.1),
                                       ("age_band", "35-49", 0.95), ("age_band", "50-64", 0.6))),
    "probation_appointments_kept": S((2015, 82), (2020.2, 81), (2020.3, 70), (2021.5, 80),
                                     (2026.7, 86), noise=0.012),
    "accommodation_on_release": S((2015, 84), (2026.7, 87), noise=0.012),
    "job_starts_after_release": S((2015, 40), (2020.2, 42), (2020.3, 10), (2022, 55), (2026.7, 95),
                                  noise=0.1),
    "integrated_offender_caseload": S((2015, 620), (2026.7, 540), noise=0.02),
    "probation_staff_engagement": S((2015, 55), (2026.6, 58), noise=0.03),
    # emergency care
    "ed_four_hour": S((2015, 92), (2019.9, 83), (2020.2, 86), (2020.4, 92), (2022.9, 69),
                      (2026.7, 76.3), season="winter_dip", noise=0.012),
    "ed_attendances": S((2015, 41000), (2020.2, 40000), (2020.3, 22000), (2021.5, 45000),
                        (2026.7, 48000), season="ed_demand", noise=0.025),
    "ambulance_category2_minutes": S((2015, 19), (2019.9, 24), (2022.9, 58), (2026.7, 31),
                                     season="winter", noise=0.05),
    "nurse_vacancy_rate": S((2015, 7.2), (2022.5, 11.5), (2026.7, 7.9), noise=0.03),
    "care_packages_within_48h": S((2016, 62), (2026.7, 71), first="2016-01", noise=0.02),
    # violent crime
    "violent_crime_rate": S((2015, 1.80), (2019.9, 2.25), (2020.2, 2.15), (2020.3, 1.70), (2021, 2.0),
                            (2022.9, 2.30), (2026.7, 2.05), season="summer", noise=0.03),
    "calls_answered_10s": S((2015, 88), (2026.7, 91), noise=0.012),
    "ed_assault_attendances": S((2015, 420), (2026.7, 350), season="summer", noise=0.06),
    "police_officers": S((2015, 4650), (2019, 4300), (2023, 4900), (2026.6, 4950), noise=0.004,
                         shares=(("sex", "Female", 0.34), ("sex", "Male", 0.66))),
    # mental health
    "mh_treatment_18_weeks": S((2015, 86), (2019.9, 82), (2022.9, 71), (2026.7, 80.2), noise=0.012),
    "mh_referrals": S((2015, 3900), (2026.7, 6200), season="term", noise=0.04,
                      shares=(("age_band", "0-15", 0.22), ("age_band", "16-24", 0.2),
                              ("age_band", "25-34", 0.2), ("age_band", "35-49", 0.2),
                              ("age_band", "50-64", 0.12), ("age_band", "65+", 0.06))),
    "talking_therapy_recovery": S((2015, 46), (2026.7, 50.5), noise=0.015),
    "crisis_response_24h": S((2016, 78), (2026.7, 85), first="2016-01", noise=0.015),
    "peer_support_sessions": S((2018, 220), (2026.7, 540), first="2018-01", noise=0.07),
    # road safety
    "ksi_casualties": S((2015, 880), (2019, 812), (2020, 640), (2022, 780), (2025, 705), noise=0.025,
                        shares=(("age_band", "0-15", 0.08), ("age_band", "16-24", 0.2),
                                ("age_band", "25-34", 0.2), ("age_band", "35-49", 0.2),
                                ("age_band", "50-64", 0.17), ("age_band", "65+", 0.15))),
    "speeding_detections": S((2015, 5400), (2026.7, 7900), season="summer", noise=0.04),
    "safety_schemes_eastvale": S((2015, 4), (2026.6, 9), noise=0.2),

    # prosperous economy
    "employment_rate": S((2015, 73.2), (2019.9, 75.8), (2020.75, 74.3), (2022, 75.4), (2026.6, 76.5),
                         noise=0.003,
                         gaps=(("region", "Northfield", 0.96), ("region", "Riverside", 0.9),
                               ("region", "Eastvale", 1.2), ("sex", "Female", 1.12),
                               ("sex", "Male", 0.88), ("age_band", "16-24", 1.875),
                               ("age_band", "25-34", 0.67), ("age_band", "35-49", 0.58),
                               ("age_band", "50-64", 1.17))),
    "unemployment_rate": S((2015, 5.8), (2019.9, 3.9), (2020.9, 5.2), (2022.5, 3.7), (2026.6, 4.4),
                           noise=0.03),
    "support_scheme_claims_paid": S((2018.25, 400), (2020.4, 2100), (2021.5, 900), (2026.7, 1350),
                                    first="2018-04", noise=0.05),
    "adult_skills_completions": S((2015, 2400), (2020.2, 2300), (2020.3, 1300), (2021.3, 2500),
                                  (2026.7, 2900), season="completion", noise=0.05),
    "work_coach_job_starts": S((2015, 3100), (2020.2, 3000), (2020.3, 1500), (2021.5, 3900),
                               (2026.7, 3400), noise=0.04),
    "disability_employment_gap": S((2015, 31.5), (2025, 27.9), noise=0.015),
    "sme_spend_share": S((2015.7, 21.0), (2019.7, 24.0), (2025.7, 28.4), noise=0.01),
    "invoices_paid_30_days": S((2015, 88.0), (2020.4, 93), (2026.7, 95.5), noise=0.006),
    "sme_spend_share_northfield": S((2015, 27), (2026.6, 33), noise=0.025),
    "sme_spend_share_riverside": S((2015, 31), (2026.6, 36), noise=0.025),
    "sme_spend_share_eastvale": S((2015, 22), (2026.6, 24), noise=0.03),
    "supplier_satisfaction": S((2015, 12), (2026.6, 31), noise=0.12),
    "tenders_with_sme_bid": S((2015, 41), (2026.7, 55), noise=0.04),
    "low_pay_share": S((2015, 22.5), (2019, 19.8), (2025, 15.9), noise=0.015,
                       gaps=(("sex", "Female", 1.25), ("sex", "Male", 0.78),
                             ("age_band", "16-24", 2.2), ("age_band", "25-34", 0.95),
                             ("age_band", "35-49", 0.75), ("age_band", "50-64", 0.8),
                             ("age_band", "65+", 1.5))),
    "median_weekly_pay": S((2015, 498), (2026.7, 742), noise=0.006,
                           gaps=(("sex", "Female", 1.12), ("sex", "Male", 0.9),
                                 ("region", "Northfield", 1.0), ("region", "Riverside", 0.93),
                                 ("region", "Eastvale", 1.08))),
    "living_wage_contracts": S((2017, 22), (2026.6, 78), first="2017-Q1", noise=0.04),
    "business_survival_3yr": S((2015, 58.4), (2020, 55.1), (2025, 57.6), noise=0.008),
    "new_business_registrations": S((2015, 1650), (2020.2, 1600), (2020.3, 1100), (2021, 2100),
                                    (2026.7, 1850), season="new_year", noise=0.05),
    "business_support_sessions": S((2015, 210), (2026.7, 340), season="term", noise=0.07),
    "net_additional_homes": S((2015.7, 6900), (2019.7, 8200), (2020.7, 7100), (2025.7, 9300),
                              noise=0.03),
    "housing_starts": S((2015, 650), (2020.2, 640), (2020.3, 250), (2021, 820), (2026.7, 760),
                        noise=0.07),
    "planning_in_time_northfield": S((2015, 82), (2026.6, 88), noise=0.03),
    "planning_in_time_eastvale": S((2015, 71), (2026.6, 79), noise=0.04),
    "affordable_homes": S((2015.7, 1500), (2025.7, 2300), noise=0.05),
    "bus_punctuality": S((2015, 84.5), (2020.2, 85), (2020.4, 93), (2021, 87), (2022.9, 82),
                         (2026.7, 86.4), season="winter_dip_mild", noise=0.008),
    "rail_services_on_time": S((2015, 66), (2019.9, 63), (2020.3, 82), (2021, 72), (2022.5, 62),
                               (2026.7, 68), season="autumn_rail", noise=0.03),
    "road_defects_in_time_eastvale": S((2015, 78), (2026.7, 84), season="winter_dip", noise=0.02),
    "gigabit_coverage": S((2017.1, 4), (2020.9, 32), (2026.6, 79.5), first="2017-Q1", noise=0.01,
                          cumulative=True),
    "premises_connected": S((2019, 400), (2022, 3200), (2026.7, 2500), first="2019-01", noise=0.08),
    "digital_skills_sessions_eastvale": S((2015, 150), (2020.2, 160), (2020.3, 20), (2021.3, 90),
                                          (2026.7, 420), season="term", noise=0.08),

    # sustainable environment: emissions stay on their trajectory
    "ghg_emissions": S((2015, 24.6), (2018, 21.9), (2019, 21.2), (2020, 19.1), (2021, 19.8),
                       (2022, 18.7), (2023, 18.1), (2025, 16.9), noise=0.006),
    "bus_journeys": S((2015, 10.2e6), (2019.9, 9.7e6), (2020.2, 9.2e6), (2020.3, 2.3e6),
                      (2021.5, 6.8e6), (2023, 8.9e6), (2026.7, 9.9e6), season="bus", noise=0.02),
    "recycling_rate_northfield": S((2015, 41), (2026.7, 46.5), season="garden", noise=0.015),
    "recycling_rate_riverside": S((2015, 47), (2026.7, 52), season="garden", noise=0.015),
    "recycling_rate_eastvale": S((2015, 38), (2026.7, 39.5), season="garden", noise=0.02),
    "insulation_grants_paid": S((2021.75, 120), (2023, 900), (2026.7, 1400), first="2021-10",
                                season="winter", noise=0.06),
    "ev_share_new_cars": S((2015, 0.4), (2019, 1.6), (2020.5, 6), (2022, 16), (2024, 22),
                           (2026.7, 31), noise=0.04),
    "rivers_good_status": S((2015, 17.0), (2019, 16.0), (2025, 19.5), noise=0.02),
    "storm_overflow_hours": S((2015, 9000), (2026.7, 7400), season="wet", noise=0.25),
    "serious_pollution_incidents": S((2015, 6), (2026.7, 4), noise=0.15),
    "misconnections_fixed_riverside": S((2015, 40), (2026.6, 95), noise=0.12),
    "renewable_share": S((2015, 22), (2019.9, 34), (2026.6, 55), season="wind", noise=0.04),
    "renewable_capacity": S((2015, 1200), (2026.7, 3900), noise=0.003, cumulative=True),
    "rooftop_solar_installs": S((2015, 420), (2019, 250), (2022.5, 900), (2026.7, 1300),
                                season="summer", noise=0.07),
    "public_buildings_renewable_power": S((2015, 12), (2026.6, 68), noise=0.03),
    "no2_exceeding_sites": S((2015, 21), (2019, 14), (2020, 6), (2022, 9), (2025, 7), noise=0.1),
    "pm25_mean": S((2015, 11.8), (2026.7, 8.9), season="winter", noise=0.06),
    "clean_air_zone_compliance_northfield": S((2022.4, 82), (2026.7, 95), first="2022-06",
                                              noise=0.008),
    "residual_waste_per_household": S((2015.7, 580), (2019.7, 545), (2020.7, 590), (2025.7, 512),
                                      noise=0.01),
    "fly_tipping_northfield": S((2015, 620), (2026.7, 710), season="summer", noise=0.06),
    "fly_tipping_eastvale": S((2015, 290), (2026.7, 350), season="summer", noise=0.07),
    "homes_better_protected": S((2015.7, 1500), (2019.7, 1800), (2025.7, 2600), noise=0.06),
    "flood_warnings_timely": S((2015, 89), (2026.7, 94), noise=0.025),
    "flood_schemes_on_schedule": S((2015, 76), (2026.6, 71), noise=0.04),
    "sustainable_drainage_approvals_eastvale": S((2015, 12), (2026.6, 30), noise=0.15),
    "protected_sites_favourable": S((2015, 40.5), (2020, 38), (2025, 44.1), noise=0.01),
    "trees_planted": S((2015, 90000), (2026.6, 240000), season="planting", noise=0.08),
    "habitat_restored_hectares": S((2015, 120), (2026.6, 410), noise=0.12),
    "fuel_poverty_rate": S((2015, 14.6), (2019, 13.4), (2022, 17.9), (2025, 14.1), noise=0.02),
    "homes_epc_c": S((2015, 31), (2025, 50.5), noise=0.01),
    "energy_advice_contacts_northfield": S((2015, 300), (2022.9, 1500), (2023.5, 800), (2026.7, 700),
                                           season="winter", noise=0.07),
    "warm_home_checks_eastvale": S((2015, 80), (2026.7, 160), season="winter", noise=0.1),

    # world-class education
    "neet_rate": S((2015, 13.4), (2019.9, 12.4), (2020.6, 14.2), (2022, 12.1), (2026.6, 11.0),
                   noise=0.025,
                   gaps=(("disadvantage", "Disadvantaged", 1.6), ("disadvantage", "Not disadvantaged", 0.85))),
    "neet_activity_known": S((2015, 88.0), (2026.7, 94.5), noise=0.006),
    "jobcoach_youth_referrals": S((2015, 610), (2020.2, 590), (2020.3, 380), (2021, 900), (2026.7, 820),
                                  noise=0.06),
    "youth_contacts_northfield": S((2015, 1450), (2020.2, 1400), (2020.3, 300), (2021.5, 1100),
                                   (2026.7, 1250), season="term", noise=0.06),
    "youth_contacts_riverside": S((2015, 1100), (2020.2, 1080), (2020.3, 250), (2021.5, 950),
                                  (2026.7, 1180), season="term", noise=0.06),
    "youth_contacts_eastvale": S((2015, 620), (2020.2, 600), (2020.3, 150), (2021.5, 520),
                                 (2026.7, 700), season="term", noise=0.07),
    "college_retention": S((2015, 86.0), (2026, 88.5), noise=0.008),
    "school_readiness": S((2015, 66.3), (2019, 71.8), (2022, 65.2), (2025, 69.1), skip=_NO_SCHOOL,
                          noise=0.006,
                          gaps=(("sex", "Female", 0.8), ("sex", "Male", 1.2),
                                ("disadvantage", "Disadvantaged", 1.45),
                                ("disadvantage", "Not disadvantaged", 0.88))),
    "two_year_review_coverage": S((2015, 78.0), (2020.2, 78), (2020.4, 70.0), (2021.5, 76.5),
                                  (2026.7, 84.2), noise=0.015),
    "early_years_places_northfield": S((2015, 4200), (2020.2, 4300), (2020.4, 2500), (2021.5, 4100),
                                       (2026.6, 4650), noise=0.02),
    "two_year_offer_take_up": S((2015, 58), (2019, 68), (2020.5, 55), (2026.6, 74), noise=0.02),
    "persistent_absence": S((2015, 10.8), (2019.5, 11.0), (2020.7, 14.0), (2021.9, 23.0),
                            (2023.7, 21.5), (2026.7, 17.2), season="attendance",
                            skip=("*-08", "2020-0[4-7]"), noise=0.03,
                            gaps=(("disadvantage", "Disadvantaged", 1.8),
                                  ("disadvantage", "Not disadvantaged", 0.8))),
    "attendance_support_families": S((2015, 220), (2021.5, 240), (2023, 420), (2026.7, 510),
                                     season="term", skip=("*-08",), noise=0.06),
    "school_nurse_contacts": S((2015, 700), (2026.7, 980), season="term", skip=("*-08",), noise=0.06),
    "suspension_rate": S((2015, 9.5), (2019.5, 11.0), (2020.2, 11), (2020.5, 4.0), (2021, 8),
                         (2022, 10.5), (2026.6, 12.8), noise=0.04),
    "attainment_gap_index": S((2015, 3.95), (2019, 3.70), (2021, 3.79), (2023, 3.94), (2025, 3.84),
                              noise=0.005),
    "english_maths_grade5": S((2015, 39.6), (2019, 43.2), (2020, 49.9), (2021, 51.9), (2022, 49.8),
                              (2023, 45.3), (2025, 45.9), noise=0.006),
    "tutoring_sessions": S((2020.85, 8000), (2022, 42000), (2024, 30000), (2026.7, 26000),
                           first="2020-11", season="term", noise=0.05),
    "virtual_school_pep_timely": S((2015, 82), (2026.6, 93), noise=0.015),
    "adults_level3": S((2015, 55.0), (2019, 58.0), (2025, 61.0), noise=0.005,
                       gaps=(("age_band", "25-34", 0.85), ("age_band", "35-49", 0.95),
                             ("age_band", "50-64", 1.25))),
    "apprenticeship_starts": S((2015, 1900), (2017.3, 1300), (2019, 1500), (2020.2, 1450),
                               (2020.3, 700), (2021.5, 1450), (2026.7, 1600), season="academic",
                               noise=0.05,
                               shares=(("age_band", "16-24", 0.5), ("age_band", "25-34", 0.25),
                                       ("age_band", "35-49", 0.17), ("age_band", "50-64", 0.08))),
    "course_completion_rate": S((2015, 84.0), (2026.6, 87.2), noise=0.008),
    "learner_satisfaction": S((2015, 88), (2025, 90.5), noise=0.006),
    "bootcamp_job_outcomes": S((2021, 38), (2026.6, 52), first="2021-Q1", noise=0.04),
    "ehcp_within_20_weeks": S((2015, 64.0), (2018, 58.0), (2022.9, 49.0), (2026.7, 60.5), noise=0.05),
    "ehcp_requests": S((2015, 310), (2026.7, 690), season="term", noise=0.06),
    "health_advice_6_weeks": S((2015, 88), (2022, 71), (2026.7, 79), noise=0.03),
    "teacher_retention_5yr": S((2015, 69.0), (2019, 67.5), (2022, 68.9), (2025, 66.8), noise=0.005),
    "teacher_vacancies": S((2015, 120), (2022.5, 310), (2026.7, 240), season="vacancies", noise=0.06),
    "trainee_teachers_vs_target": S((2015, 88), (2020, 96), (2021, 98), (2023, 70), (2025, 74),
                                    noise=0.02),
    "reading_age_11": S((2015, 70.5), (2019, 73), (2022, 74.5), (2025, 75.3), skip=_NO_SCHOOL,
                        noise=0.006),
    "phonics_check_age_6": S((2015, 77), (2019, 82), (2022, 75.5), (2025, 79.8), skip=_NO_SCHOOL,
                             noise=0.006),
    "library_child_loans_northfield": S((2015, 21000), (2020.2, 19500), (2020.3, 2000),
                                        (2021.5, 14000), (2026.7, 17500), season="library", noise=0.05),
}
# fmt: on

# --- breakdowns: how groups differ from the total ---------------------------------------------

# share of a count that falls in each group (renormalised over the values a measure uses)
# fmt: off
SHARES: dict[str, dict[str, float]] = {
    "region": {"Northfield": 0.41, "Riverside": 0.35, "Eastvale": 0.24},
    "sex": {"Female": 0.51, "Male": 0.49},
    "age_band": {"0-15": 0.19, "16-24": 0.11, "25-34": 0.14, "35-49": 0.19, "50-64": 0.19, "65+": 0.18},
    "disadvantage": {"Disadvantaged": 0.2, "Not disadvantaged": 0.8},
    "ethnic_group": {"Asian": 0.09, "Black": 0.05, "Mixed": 0.03, "White": 0.8, "Other": 0.03},
    "disability": {"Disabled": 0.18, "Not disabled": 0.82},
    "channel": {"Online": 0.3, "Phone": 0.4, "Paper": 0.3},
    "team": {"Intake": 0.3, "Benefits and tax": 0.25, "Health and care": 0.2, "Housing": 0.15,
             "Transport": 0.1},
}
# fmt: on
# channel shares drift to online over the years: share at DEMO_END
CHANNEL_SHIFT = {"Online": 0.74, "Phone": 0.18, "Paper": 0.08}
# how much worse a group fares than the total on a rate, share or average (1 = the same)
# fmt: off
GAPS: dict[str, dict[str, float]] = {
    "region": {"Northfield": 1.05, "Riverside": 0.94, "Eastvale": 1.03},
    "sex": {"Female": 0.96, "Male": 1.04},
    "age_band": {"0-15": 1.0, "16-24": 1.2, "25-34": 1.02, "35-49": 0.93, "50-64": 0.97, "65+": 1.08},
    "disadvantage": {"Disadvantaged": 1.4, "Not disadvantaged": 0.9},
    "ethnic_group": {"Asian": 1.12, "Black": 1.25, "Mixed": 1.08, "White": 0.97, "Other": 1.1},
    "disability": {"Disabled": 1.5, "Not disabled": 0.88},
    "channel": {"Online": 0.92, "Phone": 1.06, "Paper": 1.2},
    "team": {"Intake": 0.85, "Benefits and tax": 1.15, "Health and care": 1.1, "Housing": 1.0,
             "Transport": 0.9},
}
# fmt: on
# a group's own path, when it does not follow the total (the divergent group)
GROUP_PATHS: dict[tuple[str, str, str], tuple[tuple[float, float], ...]] = {
    (DIVERGENT_MEASURE, *DIVERGENT_GROUP): _BLACK_LBW_PATH,
}
ROUGH_SLEEPING_AGES = {"16-24": 0.12, "25-34": 0.26, "35-49": 0.38, "50-64": 0.2, "65+": 0.04}


# --- periods ---------------------------------------------------------------------------------


def _first_period(frequency: str) -> date:
    months = {"monthly": 1, "quarterly": 1, "annual": 1, "financial_year": 4}
    return date(DEMO_START.year, months[frequency], 1)


def _periods(m: Measure, shape: Shape | None) -> list[Period]:
    """Every period the measure reports in the demo: from its first to the last one due."""
    start = _first_period(m.frequency)
    if shape and shape.first:
        start = max(start, parse_period(shape.first, m.frequency).start)
    skip = shape.skip if shape else ()
    out = []
    p = Period(start, m.frequency)
    while p.end <= _LAST_DAY and p.end + timedelta(days=m.due_days) <= _LAST_DUE:
        if not any(fnmatch.fnmatchcase(p.label, pat) for pat in skip):
            out.append(p)
        p = p.shift(1)
    return out


def _years(periods: list[Period]) -> np.ndarray:
    """Decimal year of each period's middle; a calendar year is dated by the year itself, so
    that an annual knot (2019, 21.5) is the figure for 2019."""
    return np.array(
        [
            p.start.year
            if p.frequency == "annual"
            else p.start.year + (p.start.month - 1 + (MONTHS_PER_PERIOD[p.frequency] - 1) / 2) / 12
            for p in periods
        ]
    )


def _season(name: str | None, periods: list[Period]) -> np.ndarray:
    if name is None:
        return np.ones(len(periods))
    pattern = np.array(SEASONS[name])
    pattern = pattern / pattern.mean()
    out = []
    for p in periods:
        n = MONTHS_PER_PERIOD[p.frequency]
        out.append(np.mean([pattern[(p.start.month - 1 + i) % 12] for i in range(n)]))
    return np.array(out)


def _ar1(n: int, rng: np.random.Generator, phi: float) -> np.ndarray:
    """Standard-normal noise in which part of each surprise carries into the next period."""
    z = rng.standard_normal(n)
    e = np.empty(n)
    scale = math.sqrt(1 - phi * phi)
    for i in range(n):
        e[i] = z[i] if i == 0 else phi * e[i - 1] + scale * z[i]
    return e


def _rng(seed: int, *names: str) -> np.random.Generator:
    """A generator per purpose, so adding a measure does not change the others' numbers."""
    return np.random.default_rng([seed, *(zlib.crc32(n.encode()) for n in names)])


# --- totals ----------------------------------------------------------------------------------


def _fallback_shape(m: Measure) -> Shape:
    """A plain shape for a measure the demo has no story for (definitions passed in)."""
    level = {
        "percent": 60.0,
        "count": 500.0,
        "rate": 5.0,
        "money": 100.0,
        "days": 20.0,
        "index": 60.0,
        "number": 50.0,
    }[m.unit]
    end = level * (1.08 if m.direction == "up" else 0.92)
    return S((2015, level), (2026.7, end))


def _shape_total(m: Measure, shape: Shape, periods: list[Period], rng) -> np.ndarray:
    years = _years(periods)
    kt, kv = zip(*shape.knots, strict=True)
    level = np.interp(years, kt, kv) * _season(shape.season, periods)
    e = _ar1(len(periods), rng, 0.5 if m.frequency == "monthly" else 0.3)
    if m.unit == "count":
        sd = np.sqrt((shape.noise * level) ** 2 + np.maximum(level, 0))
        values = level + sd * e
    else:
        values = level * (1 + shape.noise * e)
    if shape.cumulative:
        values = np.maximum.accumulate(values)
    return values


def _months() -> list[Period]:
    out, p = [], Period(DEMO_START, "monthly")
    while p.start <= DEMO_END:
        out.append(p)
        p = p.shift(1)
    return out


def _month_index(label: str) -> int:
    y, m = label.split("-")
    return (int(y) - DEMO_START.year) * 12 + int(m) - DEMO_START.month


_COUNCILS = ("northfield", "riverside", "eastvale")
# measures whose figures come from the simulated flow of claims, not from SHAPES
# fmt: off
FLOW_MEASURES = (
    "hsc_claims_received", "hsc_scanned", "hsc_scan_backlog", "hsc_scan_days",
    "hsc_scan_right_first_time", "hsc_claims_paid", "hsc_end_to_end_days",
    "hsc_paid_within_30_days", "hsc_chaser_calls", "hsc_cost_per_claim",
    *(f"hsc_{stage}_{c}" for c in _COUNCILS
      for stage in ("arrivals", "decided", "backlog", "days_to_decide", "reopened")),
)
# fmt: on


def _paid_within_30(end_to_end_days: np.ndarray) -> np.ndarray:
    """Share paid within 30 days when the average claim takes `end_to_end_days`."""
    return np.array([50 * (1 + math.erf((31 - d) / (9 * math.sqrt(2)))) for d in end_to_end_days])


def _chaser_rate(end_to_end_days: np.ndarray) -> np.ndarray:
    """Chasing calls per claim: claimants call when a claim is slow."""
    return 0.10 + 0.012 * np.maximum(0.0, end_to_end_days - 20)


def _housing_support_flow(seed: int) -> dict[str, np.ndarray]:
    """Claims flowing through the end-to-end service, month by month from DEMO_START.

    Claims arrive at the Benefits Agency (peaks in January and April), wait for DocuScan to
    scan them (limited capacity), go to the council of the claimant, which decides a share of
    its open claims each month, and are paid. When DocuScan hands over incomplete claims, the
    councils decide fewer CHAIN_LAG_MONTHS later (chasing evidence) and their backlogs grow.
    Northfield's IT change adds SHIFT_DAYS to its days to decide from SHIFT_FROM.
    Keys are measure ids, or `measure|breakdown=value` for a group the flow decides.
    """
    rng = _rng(seed, "housing_support_flow")
    group_rng = _rng(seed, "housing_support_groups")
    months = _months()
    n = len(months)
    years = _years(months)
    level = np.interp(
        years, (2015, 2020.2, 2020.3, 2020.7, 2026.7), (8200, 8800, 11800, 9600, 10400)
    )
    arrivals = level * _season("claims", months) * (1 + 0.035 * _ar1(n, rng, 0.3))

    # scanning: capacity a little above the underlying level; work in progress never clears
    capacity = 1.12 * level * (1 + 0.03 * rng.standard_normal(n))
    scanned, scan_backlog = np.empty(n), np.empty(n)
    waiting = 0.15 * arrivals[0]
    for i in range(n):
        work = waiting + arrivals[i]
        scanned[i] = min(capacity[i], work - 0.12 * arrivals[i])
        waiting = work - scanned[i]
        scan_backlog[i] = waiting
    scan_days = (1.5 + 22 * scan_backlog / scanned) * (1 + 0.04 * rng.standard_normal(n))

    rft_base = 96.8
    fall = np.zeros(n)
    fall_at = _month_index(CHAIN_FROM)
    for i, drop in enumerate((4.0, 7.5, 8.5)):  # the contractor's quality slides over 3 months
        fall[fall_at + i :] = drop
    rft = np.minimum(rft_base + 0.5 * _ar1(n, rng, 0.4) - fall, 99.6)
    # `effect` is how far the contractor's quality is below its usual level
    effect = np.maximum(0.0, rft_base - 1.0 - rft)

    def lagged(x: np.ndarray, k: int) -> np.ndarray:
        return np.concatenate([np.zeros(k), x[: len(x) - k]]) if k else x

    councils = {
        "northfield": (0.41, 0.56, 9.5),
        "riverside": (0.35, 0.58, 8.5),
        "eastvale": (0.24, 0.52, 10.5),
    }  # share of claims, share decided a month, pace
    shift_at = _month_index(SHIFT_FROM)
    out: dict[str, np.ndarray] = {}
    decided_all = np.zeros(n)
    weighted_days = np.zeros(n)
    reopened_all = np.zeros(n)
    # councils get faster over the decade, until the problems of 2025-26
    improve = np.interp(years, (2015, 2025), (1.25, 0.95))
    for c, (share, eta0, k) in councils.items():
        arr = scanned * share * (1 + 0.02 * rng.standard_normal(n))
        eta = (
            eta0
            * (1 + 0.03 * rng.standard_normal(n))
            * (1 - 0.028 * lagged(effect, CHAIN_LAG_MONTHS))
        )
        if c == SHIFT_ORG:
            eta[shift_at:] *= 0.9
        backlog, decided = np.empty(n), np.empty(n)
        stock = arr[0] * (1 - eta0) / eta0
        for i in range(n):
            work = stock + arr[i]
            decided[i] = eta[i] * work
            stock = work - decided[i]
            backlog[i] = stock
        # time in the queue grows as the share decided each month falls (Little's law)
        days = 1.79 * k * improve * eta0 * (backlog + decided) / decided
        days = days * (1 + 0.04 * rng.standard_normal(n))
        if c == SHIFT_ORG:
            days[shift_at:] += SHIFT_DAYS * (1 + 0.08 * rng.standard_normal(n - shift_at))
        reopened = (3.5 + 0.45 * lagged(effect, 1)) * (1 + 0.08 * rng.standard_normal(n))
        out[f"hsc_arrivals_{c}"] = arr
        out[f"hsc_decided_{c}"] = decided
        out[f"hsc_backlog_{c}"] = backlog
        out[f"hsc_days_to_decide_{c}"] = days
        out[f"hsc_reopened_{c}"] = reopened
        # the Benefits Agency's measures by the claimant's region follow that council
        by_region = f"region={c.title()}"
        e2e = (scan_days + days + 3.5) * (1 + 0.03 * group_rng.standard_normal(n))
        out[f"hsc_end_to_end_days|{by_region}"] = e2e
        out[f"hsc_paid_within_30_days|{by_region}"] = _paid_within_30(e2e)
        paid = decided * 0.87 * (1 + 0.015 * group_rng.standard_normal(n))
        out[f"hsc_claims_paid|{by_region}"] = paid
        chasers = level * share * _chaser_rate(e2e) * (1 + 0.07 * group_rng.standard_normal(n))
        out[f"hsc_chaser_calls|{by_region}"] = chasers
        decided_all += decided
        weighted_days += decided * days
        reopened_all += decided * reopened

    decide_days = weighted_days / decided_all
    end_to_end = (scan_days + decide_days + 3.5) * (1 + 0.02 * rng.standard_normal(n))
    paid_30 = _paid_within_30(end_to_end)
    chaser_rate = _chaser_rate(end_to_end)
    chasers = level * chaser_rate * (1 + 0.05 * rng.standard_normal(n))
    inflation = 1.025 ** (years - 2015)
    reopen_share = reopened_all / decided_all
    cost = 68 * inflation * (1 + 0.6 * (chaser_rate - 0.15) + 0.02 * (reopen_share - 3.5))
    cost = cost * (1 + 0.015 * rng.standard_normal(n))
    out.update(
        {
            "hsc_claims_received": arrivals,
            "hsc_scanned": scanned,
            "hsc_scan_backlog": scan_backlog,
            "hsc_scan_days": scan_days,
            "hsc_scan_right_first_time": rft,
            "hsc_claims_paid": decided_all * 0.87 * (1 + 0.01 * rng.standard_normal(n)),
            "hsc_end_to_end_days": end_to_end,
            "hsc_paid_within_30_days": paid_30,
            "hsc_chaser_calls": chasers,
            "hsc_cost_per_claim": cost,
        }
    )
    return out


# derived totals: measure id -> function(totals so far, seed) -> values per month
def _rough_sleeping_total(totals: dict[str, np.ndarray], seed: int) -> np.ndarray | None:
    parts = [f"street_count_{c}" for c in _COUNCILS]
    if not all(p in totals for p in parts):
        return None
    return sum(totals[p] for p in parts)


DERIVED: dict[str, Callable[[dict[str, np.ndarray], int], np.ndarray | None]] = {
    "rough_sleeping_count": _rough_sleeping_total,
}


def _bounded(m: Measure, values: np.ndarray) -> np.ndarray:
    """Clip to what the unit allows and round to the measure's decimals."""
    lo, hi = UNIT_BOUNDS[m.unit]
    # no figure in the demo is negative, whatever its unit allows
    values = np.clip(values, 0.0 if lo is None else lo, np.inf if hi is None else hi)
    return np.round(values, m.decimals) + 0.0


def _totals(
    defs: Definitions, periods: dict[str, list[Period]], seed: int, flow: dict[str, np.ndarray]
) -> dict[str, np.ndarray]:
    month_labels = {p.label: i for i, p in enumerate(_months())}
    totals: dict[str, np.ndarray] = {}
    for m in defs.measures.values():
        if m.id in DERIVED:
            continue
        ps = periods[m.id]
        if m.id in flow and m.frequency == "monthly":
            values = flow[m.id][[month_labels[p.label] for p in ps]]
        else:
            shape = SHAPES.get(m.id) or _fallback_shape(m)
            values = _shape_total(m, shape, ps, _rng(seed, "total", m.id))
        totals[m.id] = _bounded(m, values)
    for mid, derive in DERIVED.items():
        if mid in defs.measures:
            m = defs.measures[mid]
            values = derive(totals, seed)
            if values is None:
                values = _shape_total(m, _fallback_shape(m), periods[mid], _rng(seed, "total", mid))
            totals[mid] = _bounded(m, values)
    return totals


def _shares(m: Measure, shape: Shape | None, dim: str, values: list[str], years: np.ndarray):
    """Share of a count in each group, per period (columns follow `values`)."""
    own = {(d, v): s for d, v, s in (shape.shares if shape else ())}
    if m.id == "rough_sleeping_count" and dim == "age_band":
        own.update({("age_band", v): s for v, s in ROUGH_SLEEPING_AGES.items()})
    base = np.array([own.get((dim, v), SHARES.get(dim, {}).get(v, 1.0)) for v in values])
    out = np.tile(base, (len(years), 1))
    if dim == "channel":
        end = np.array([CHANNEL_SHIFT.get(v, b) for v, b in zip(values, base, strict=True)])
        w = np.clip((years - DEMO_START.year) / (DEMO_END.year + 0.75 - DEMO_START.year), 0, 1)
        out = np.outer(1 - w, base) + np.outer(w, end)
    return out / out.sum(axis=1, keepdims=True)


def _groups(m: Measure, periods: list[Period], total: np.ndarray, seed: int, flow):
    """Values of every breakdown group: [(dimension, value, values or NaN when suppressed)]."""
    shape = SHAPES.get(m.id)
    noise = shape.noise if shape else 0.02
    own_gaps = {(d, v): f for d, v, f in (shape.gaps if shape else ())}
    years = _years(periods)
    out = []
    for dim, values in m.breakdowns.items():
        shares = _shares(m, shape, dim, values, years)
        for j, v in enumerate(values):
            rng = _rng(seed, "group", m.id, dim, v)
            z = rng.standard_normal(len(periods))
            share = shares[:, j]
            simulated = flow.get(f"{m.id}|{dim}={v}")
            if simulated is not None and m.frequency == "monthly":
                vals = _bounded(m, simulated[[_month_index(p.label) for p in periods]])
            elif m.unit == "count":
                expected = total * share
                sd = np.sqrt(noise**2 + 1 / np.maximum(expected, 1))
                vals = _bounded(m, expected * (1 + sd * z))
                vals = np.where(vals < SUPPRESS_BELOW, np.nan, vals)
            else:
                eps = noise * min(math.sqrt(1 / max(share.mean(), 1e-6)), 4.0) * z
                path = GROUP_PATHS.get((m.id, dim, v))
                if path is not None:
                    kt, kv = zip(*path, strict=True)
                    vals = np.interp(years, kt, kv) * (1 + eps)
                else:
                    f = own_gaps.get((dim, v), GAPS.get(dim, {}).get(v, 1.0))
                    if m.unit == "percent" and m.direction == "up":
                        vals = 100 - (100 - total) * f * (1 + eps)
                    elif m.direction == "down":
                        vals = total * f * (1 + eps)
                    else:
                        vals = total / f * (1 + eps)
                vals = _bounded(m, vals)
            out.append((dim, v, vals))
    return out


# --- observations and loads ------------------------------------------------------------------


class _Obs(NamedTuple):
    measure: str
    period: Period
    group: tuple[tuple[str, str], ...]  # () for the total
    value: float | None  # None: suppressed
    status: str
    note: str
    order: tuple[int, date, int]  # measure position, period, group position


def _load_month(m: Measure, p: Period) -> date:
    """The reporting month whose load carries a period: the month before it falls due."""
    due = p.end + timedelta(days=m.due_days)
    month = shift_period("monthly", date(due.year, due.month, 1), -1)
    return max(month, date(p.end.year, p.end.month, 1))


def _label(month: date) -> str:
    return HISTORY_LABEL if month <= HISTORY_TO else period_from_start("monthly", month)


def _provisional(m: Measure, value: float | None, rng: np.random.Generator) -> float | None:
    """A first estimate that the final figure later replaces."""
    if value is None:
        return None
    if m.unit == "count":
        return float(max(0, round(value * (1 - rng.uniform(0.005, 0.03)))))
    if m.unit == "percent":
        return float(_bounded(m, np.array([value + rng.normal(0, 0.3)]))[0])
    return float(_bounded(m, np.array([value * (1 + rng.normal(0, 0.02))]))[0])


def _reported(m: Measure, pos: int, p: Period, total: float, groups, i: int) -> list[_Obs]:
    """The total and every group of one measure and period, as finally reported."""
    status, note = "", NOTES.get((m.id, p.label), "")
    if (m.id, p.label) in ESTIMATED:
        status, note = "estimated", ESTIMATED[(m.id, p.label)]
    out = [_Obs(m.id, p, (), total, status, note, (pos, p.start, 0))]
    for j, (dim, v, vals) in enumerate(groups, start=1):
        hidden = bool(np.isnan(vals[i]))
        value = None if hidden else float(vals[i])
        out.append(
            _Obs(m.id, p, ((dim, v),), value, "suppressed" if hidden else "", "", (pos, p.start, j))
        )
    return out


def _observations(defs: Definitions, seed: int):
    """Every row each organisation sends, by (org, load label), and for each load the (due
    date, period end) of the periods that are new in it."""
    periods = {m.id: _periods(m, SHAPES.get(m.id)) for m in defs.measures.values()}
    flow = _housing_support_flow(seed)
    totals = _totals(defs, periods, seed, flow)
    loads: dict[tuple[str, str], list[_Obs]] = defaultdict(list)
    dues: dict[tuple[str, str], list[tuple[date, date]]] = defaultdict(list)
    rng = _rng(seed, "provisional")
    for pos, m in enumerate(defs.measures.values()):
        groups = _groups(m, periods[m.id], totals[m.id], seed, flow)
        provisional = m.id in PROVISIONAL_MEASURES and m.frequency == "monthly"
        for i, p in enumerate(periods[m.id]):
            month = _load_month(m, p)
            final = _reported(m, pos, p, float(totals[m.id][i]), groups, i)
            first, resend_to = final, None
            if provisional and month >= HISTORY_TO:
                # sent as a first estimate, then re-sent final with the next month's load
                first = [o._replace(status=o.status or "provisional") for o in final]
                first[0] = first[0]._replace(value=_provisional(m, first[0].value, rng))
                if month < DEMO_END:
                    resend_to = period_from_start("monthly", shift_period("monthly", month, 1))
                    final[0] = final[0]._replace(note=final[0].note or FINAL_NOTE)
            if m.id == REVISED_MEASURE and p.label == REVISED_PERIOD:
                # first published too low; the revision load brings the true figures
                first = [o._replace(value=_lowered(m, o.value)) for o in final]
                resend_to = REVISION_LOAD
                final[0] = final[0]._replace(note=REVISION_NOTE)
            key = (m.owner, _label(month))
            loads[key].extend(first)
            dues[key].append((p.end + timedelta(days=m.due_days), p.end))
            if resend_to is not None:
                loads[(m.owner, resend_to)].extend(final)
    return loads, dues


def _lowered(m: Measure, value: float | None) -> float | None:
    if value is None:
        return None
    return float(_bounded(m, np.array([value - REVISION_DELTA]))[0])


def _schedule(defs: Definitions, keys, dues, seed: int) -> dict[tuple[str, str], datetime]:
    """When each load arrived: most a few days before the earliest due date of what it
    carries; LATE_ORG late in LATE_LOADS of its monthly loads; others now and then."""
    rng = _rng(seed, "schedule")
    orgs = list(defs.organisations)
    late_labels = sorted(label for org, label in keys if org == LATE_ORG and label != HISTORY_LABEL)
    late = set()
    if late_labels:
        picked = rng.choice(len(late_labels), size=min(LATE_LOADS, len(late_labels)), replace=False)
        late = {late_labels[i] for i in sorted(picked)}
    out: dict[tuple[str, str], datetime] = {}
    last: dict[str, datetime] = {}
    for org, label in sorted(keys, key=lambda k: (k[1] != HISTORY_LABEL, k[1], orgs.index(k[0]))):
        if label == HISTORY_LABEL:
            at = HISTORY_RECEIVED_AT + timedelta(minutes=7 * orgs.index(org))
        else:
            # a load that only re-sends earlier periods is due with its month's figures
            month_end = parse_period(label, "monthly").end
            due = min((d for d, _ in dues[(org, label)]), default=month_end + timedelta(days=15))
            ended = max((e for _, e in dues[(org, label)]), default=month_end)
            if org == LATE_ORG and label in late:
                day = due + timedelta(days=int(rng.integers(3, 20)))
            elif org != LATE_ORG and rng.random() < 0.05:
                day = due + timedelta(days=int(rng.integers(1, 5)))
            else:
                day = due - timedelta(days=int(rng.integers(0, 9)))
            day = max(day, ended + timedelta(days=1))
            at = datetime.combine(day, time(8, 30)) + timedelta(minutes=int(rng.integers(0, 540)))
            if org in last and at <= last[org]:
                at = last[org] + timedelta(hours=1)
        out[(org, label)] = at
        last[org] = at
    return out


# --- writing files ---------------------------------------------------------------------------


def _text(m: Measure, value: float | None) -> str:
    return "" if value is None else f"{value:.{m.decimals}f}"


def _tidy_rows(defs: Definitions, obs: list[_Obs]) -> tuple[list[str], list[list]]:
    used = {d for o in obs for d, _ in o.group}
    dims = [d for d in defs.breakdowns if d in used]
    header = ["measure_id", "period", "value", "status", "note", *dims]
    rows = []
    for o in obs:
        m = defs.measures[o.measure]
        cells = dict(o.group)
        rows.append(
            [
                o.measure,
                o.period.label,
                o.value if o.value is None else round(o.value, m.decimals),
                o.status,
                o.note,
                *(cells.get(d, "") for d in dims),
            ]
        )
    return header, rows


def _write_csv(path: Path, header: list[str], rows: list[list], defs: Definitions) -> None:
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        for r in rows:
            m = defs.measures[r[0]]
            w.writerow([r[0], r[1], _text(m, r[2]), *r[3:]])


def _write_xlsx(path: Path, header: list[str], rows: list[list], defs: Definitions) -> None:
    """First sheet, same columns as the CSV; zip entries and properties stamped with a fixed
    time so that the same rows always give the same bytes."""
    import openpyxl
    from openpyxl.xml.functions import tostring

    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("submission")
    sheet.append(header)
    for r in rows:
        value = r[2]
        if value is not None and defs.measures[r[0]].decimals == 0:
            value = int(value)
        sheet.append([r[0], r[1], value, *(c or None for c in r[3:])])
    buf = io.BytesIO()
    book.save(buf)
    book.properties.creator = "Shared Outcomes demo"
    book.properties.created = book.properties.modified = _FIXED_STAMP
    core = tostring(book.properties.to_tree())
    with (
        zipfile.ZipFile(io.BytesIO(buf.getvalue())) as src,
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            data = core if info.filename == "docProps/core.xml" else src.read(info.filename)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_STAMP.timetuple()[:6])
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o644 << 16
            dst.writestr(entry, data)


TIDY_WRITERS: dict[str, Callable[[Path, list[str], list[list], Definitions], None]] = {
    ".csv": _write_csv,
    ".xlsx": _write_xlsx,
}


def _sdg_year(p: Period) -> str:
    if p.frequency == "quarterly":
        return f"{p.start.year} Q{(p.start.month - 1) // 3 + 1}"
    return p.label


def _write_open_sdg(path: Path, defs: Definitions, obs: list[_Obs]) -> None:
    """An Open SDG indicator file: Year, Series, Units, the source's own disaggregation
    columns, Value; a blank disaggregation is the total."""
    columns: list[str] = []
    for mid in dict.fromkeys(o.measure for o in obs):
        for col in defs.measures[mid].open_sdg.columns:
            if col not in columns:
                columns.append(col)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Year", "Series", "Units", *columns, "Value"])
        for o in obs:
            if o.value is None:
                continue  # Open SDG files leave suppressed cells out
            m = defs.measures[o.measure]
            src = m.open_sdg
            by_breakdown = {b: col for col, b in src.columns.items()}
            cells = {by_breakdown[d]: v for d, v in o.group}
            w.writerow(
                [
                    _sdg_year(o.period),
                    src.series or "",
                    src.unit or "",
                    *(cells.get(c, "") for c in columns),
                    _text(m, o.value),
                ]
            )


def _write_load(
    defs: Definitions, folder: Path, org: str, label: str, obs: list[_Obs]
) -> tuple[Path, ...]:
    folder.mkdir(parents=True, exist_ok=True)
    obs = sorted(obs, key=lambda o: o.order)
    files: list[Path] = []
    tidy = obs
    if org in OPEN_SDG_ORGS:
        by_indicator: dict[str, list[_Obs]] = defaultdict(list)
        tidy = []
        for o in obs:
            src = defs.measures[o.measure].open_sdg
            (by_indicator[src.indicator] if src else tidy).append(o)
        for indicator, rows in sorted(by_indicator.items()):
            path = folder / f"indicator_{indicator}.csv"
            _write_open_sdg(path, defs, rows)
            files.append(path)
    if tidy:
        header, rows = _tidy_rows(defs, tidy)
        suffix = ".xlsx" if org in EXCEL_ORGS else ".csv"
        path = folder / f"{org}_{label}{suffix}"
        TIDY_WRITERS[suffix](path, header, rows, defs)
        files.append(path)
    return tuple(files)


def generate_demo(defs: Definitions, outdir: Path, seed: int = 2026) -> list[DemoLoad]:
    """Write the demo's submission files under `outdir` (one folder per load label and
    organisation) and return the loads in the order they must be applied."""
    outdir = Path(outdir)
    obs, dues = _observations(defs, seed)
    received = _schedule(defs, list(obs), dues, seed)
    loads = []
    for (org, label), rows in obs.items():
        files = _write_load(defs, outdir / label / org, org, label, rows)
        loads.append(DemoLoad(org, files, received[(org, label)], label))
    orgs = list(defs.organisations)
    return sorted(loads, key=lambda load: (load.received_at, orgs.index(load.org)))
