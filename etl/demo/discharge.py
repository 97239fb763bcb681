"""The hospital-discharge service, simulated as a flow of patients through three organisations.

Patients ready to leave hospital who need care (Health Service) are discharged to an assessment of
their care needs (Care Agency); those who need a home-care package wait for Riverside Council to
start one; the Care Agency then reviews each new package (internal figures). The stages are queues
with limited capacity, so their measures move together. The story: from the second half of 2025
the Care Agency loses assessors, its capacity falls below demand, assessments queue (the pinch
point), patients wait longer in hospital, and its care plans are right first time less often.
The model's coefficients are here; the service's stages are in the definitions (services.yaml).
"""

from __future__ import annotations

import numpy as np

from etl.demo.series import ar1, decimal_years, demo_months, rng_for, seasonal

# fmt: off
DISCHARGE_MEASURES = (
    "dis_fit_to_leave", "dis_discharged", "dis_waiting_in_hospital", "dis_days_waiting",
    "dis_days_waiting_p90", "dis_readmitted", "dis_referral_complete",
    "dis_assessments_done", "dis_assessments_waiting", "dis_assessment_days", "dis_assessment_days_p90",
    "dis_assessor_capacity", "dis_care_plan_right_first_time",
    "dis_care_requested", "dis_care_started", "dis_care_waiting", "dis_care_start_days", "dis_care_capacity",
    "dis_reviews_done", "dis_reviews_waiting",
)
# fmt: on
PATIENTS = {2015: 560, 2020.2: 600, 2020.3: 520, 2021: 610, 2026.7: 690}  # ready to leave a month
ASSESSORS_LOST = (2025.4, 2025.9)  # assessment capacity falls from 14% above demand to 4% below
# the Care Agency's care plans right first time slide in the last four months (points off, by month)
PLAN_SLIDE = {"2026-07": 1.7, "2026-08": 3.5, "2026-09": 5.2, "2026-10": 7.0}
NEED_CARE = 0.68  # share of those assessed who need a home-care package
DAYS = 365.25 / 12


def discharge_flow(seed: int) -> dict[str, np.ndarray]:
    """Every measure of the discharge service, month by month from DEMO_START (keys: measure ids)."""
    rng = rng_for(seed, "discharge_flow")
    months = demo_months()
    n = len(months)
    years = decimal_years(months)
    kt, kv = zip(*PATIENTS.items(), strict=True)
    level = np.interp(years, kt, kv)
    fit = level * seasonal("winter", months) ** 0.5 * (1 + 0.03 * ar1(n, rng, 0.4))
    assess_cap = level * np.interp(years, ASSESSORS_LOST, (1.14, 0.96)) * (1 + 0.015 * rng.standard_normal(n))
    care_cap = NEED_CARE * level * 1.04 * (1 + 0.02 * rng.standard_normal(n))
    keys = ("discharged", "in_hospital", "assessed", "assess_wait", "requested", "started", "care_wait")
    out = {k: np.empty(n) for k in keys}
    in_hospital, assess_wait, care_wait = 0.35 * fit[0], 0.25 * fit[0], 0.3 * NEED_CARE * fit[0]
    for i in range(n):
        # the hospital discharges fewer while assessments queue: there is no one to take them
        pull = float(np.clip(0.80 - 0.0007 * max(0.0, assess_wait - 160), 0.45, 0.9))
        discharged = pull * (in_hospital + fit[i])
        in_hospital += fit[i] - discharged
        work = assess_wait + discharged
        assessed = min(assess_cap[i], 0.78 * work)
        assess_wait = work - assessed
        requested = NEED_CARE * assessed * (1 + 0.02 * rng.standard_normal())
        work = care_wait + requested
        started = min(care_cap[i], 0.8 * work)
        care_wait = work - started
        for k, v in zip(keys, (discharged, in_hospital, assessed, assess_wait, requested, started, care_wait),
                        strict=True):
            out[k][i] = v
    noise = 1 + 0.04 * rng.standard_normal((4, n))
    hospital_days = (1.2 + DAYS * out["in_hospital"] / out["discharged"]) * noise[0]
    assess_days = (2.0 + DAYS * out["assess_wait"] / out["assessed"]) * noise[1]
    care_days = (3.0 + DAYS * out["care_wait"] / out["started"]) * noise[2]
    lost = np.clip((years - ASSESSORS_LOST[0]) / (ASSESSORS_LOST[1] - ASSESSORS_LOST[0]), 0, 1)
    reviews_done = np.concatenate([[out["started"][0]], out["started"][:-1]]) * 0.93 * noise[3]
    return {
        "dis_fit_to_leave": fit,
        "dis_discharged": out["discharged"],
        "dis_waiting_in_hospital": out["in_hospital"],
        "dis_days_waiting": hospital_days,
        "dis_days_waiting_p90": hospital_days * 2.3 * (1 + 0.03 * rng.standard_normal(n)),
        "dis_readmitted": (7.5 + 0.12 * care_days) * (1 + 0.04 * rng.standard_normal(n)),
        "dis_referral_complete": 88 + 1.2 * ar1(n, rng, 0.5),
        "dis_assessments_done": out["assessed"],
        "dis_assessments_waiting": out["assess_wait"],
        "dis_assessment_days": assess_days,
        "dis_assessment_days_p90": assess_days * 2.0 * (1 + 0.03 * rng.standard_normal(n)),
        "dis_assessor_capacity": assess_cap,
        "dis_care_plan_right_first_time": 92.5 - 1.5 * lost + 0.3 * ar1(n, rng, 0.3)
        - np.array([PLAN_SLIDE.get(p.label, 0.0) for p in months]),
        "dis_care_requested": out["requested"],
        "dis_care_started": out["started"],
        "dis_care_waiting": out["care_wait"],
        "dis_care_start_days": care_days,
        "dis_care_capacity": care_cap,
        "dis_reviews_done": reviews_done,
        "dis_reviews_waiting": 0.45 * reviews_done * (1 + 0.05 * rng.standard_normal(n)),
    }
