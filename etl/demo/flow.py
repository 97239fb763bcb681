"""The housing-support service, simulated as a flow of claims through four organisations.

Unlike the other measures (a hand-written shape each), the service's figures come out of one
model, so that its measures move together: the Benefits Agency receives the claims, DocuScan
scans them, the claimant's council decides them, and they are paid. The story numbers (claims,
councils, the contractor's quality) are in stories.yaml; the coefficients of the model are here.
"""

from __future__ import annotations

import math

import numpy as np

from etl.demo.discharge import DISCHARGE_MEASURES
from etl.demo.series import ar1, decimal_years, demo_months, month_index, rng_for, seasonal
from etl.demo.stories import (
    CHAIN_FROM,
    CHAIN_LAG_MONTHS,
    CLAIMS_LEVEL,
    CLAIMS_SEASON,
    COUNCIL_FLOWS,
    COUNCILS,
    QUALITY_SLIDE,
    RIGHT_FIRST_TIME,
    SHIFT_DAYS,
    SHIFT_DECIDED,
    SHIFT_FROM,
    SHIFT_ORG,
)

# measures whose figures come from the simulated flow of claims, not from SHAPES
# fmt: off
FLOW_MEASURES = (
    "hsc_claims_received", "hsc_scanned", "hsc_scan_backlog", "hsc_scan_days",
    "hsc_scan_right_first_time", "hsc_claims_paid", "hsc_end_to_end_days",
    "hsc_paid_within_30_days", "hsc_chaser_calls", "hsc_cost_per_claim", "hsc_scan_capacity",
    "hsc_end_to_end_days_p90", *DISCHARGE_MEASURES,
    *(f"hsc_{stage}_{c}" for c in COUNCILS
      for stage in ("arrivals", "decided", "backlog", "days_to_decide", "reopened")),
)
# fmt: on


def _paid_within_30(end_to_end_days: np.ndarray) -> np.ndarray:
    """Share paid within 30 days when the average claim takes `end_to_end_days`."""
    return np.array([50 * (1 + math.erf((31 - d) / (9 * math.sqrt(2)))) for d in end_to_end_days])


def _chaser_rate(end_to_end_days: np.ndarray) -> np.ndarray:
    """Chasing calls per claim: claimants call when a claim is slow."""
    return 0.10 + 0.012 * np.maximum(0.0, end_to_end_days - 20)


def _lagged(x: np.ndarray, k: int) -> np.ndarray:
    """`x` delayed by `k` months (zeros before)."""
    return np.concatenate([np.zeros(k), x[: len(x) - k]]) if k else x


def housing_support_flow(seed: int) -> dict[str, np.ndarray]:
    """Claims flowing through the end-to-end service, month by month from DEMO_START.

    Claims arrive at the Benefits Agency (peaks in January and April), wait for DocuScan to
    scan them (limited capacity), go to the council of the claimant, which decides a share of
    its open claims each month, and are paid. When DocuScan hands over incomplete claims, the
    councils decide fewer CHAIN_LAG_MONTHS later (chasing evidence) and their backlogs grow.
    Northfield's IT change adds SHIFT_DAYS to its days to decide from SHIFT_FROM.
    Keys are measure ids, or `measure|breakdown=value` for a group the flow decides.
    """
    # the order of the draws below is part of the output: same seed, same numbers
    rng = rng_for(seed, "housing_support_flow")
    group_rng = rng_for(seed, "housing_support_groups")
    tail_rng = rng_for(seed, "housing_support_p90")  # its own stream: the older figures stay as they were
    months = demo_months()
    n = len(months)
    years = decimal_years(months)
    kt, kv = zip(*CLAIMS_LEVEL, strict=True)
    level = np.interp(years, kt, kv)
    arrivals = level * seasonal(CLAIMS_SEASON, months) * (1 + 0.035 * ar1(n, rng, 0.3))

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

    fall = np.zeros(n)
    fall_at = month_index(CHAIN_FROM)
    for i, drop in enumerate(QUALITY_SLIDE):  # the contractor's quality slides over some months
        fall[fall_at + i :] = drop
    rft = np.minimum(RIGHT_FIRST_TIME + 0.5 * ar1(n, rng, 0.4) - fall, 99.6)
    # `effect` is how far the contractor's quality is below its usual level
    effect = np.maximum(0.0, RIGHT_FIRST_TIME - 1.0 - rft)

    shift_at = month_index(SHIFT_FROM)
    out: dict[str, np.ndarray] = {}
    decided_all = np.zeros(n)
    weighted_days = np.zeros(n)
    reopened_all = np.zeros(n)
    # councils get faster over the decade, until the problems of 2025-26
    improve = np.interp(years, (2015, 2025), (1.25, 0.95))
    for c, (share, eta0, k) in COUNCIL_FLOWS.items():  # eta0: share decided a month; k: pace
        arr = scanned * share * (1 + 0.02 * rng.standard_normal(n))
        eta = eta0 * (1 + 0.03 * rng.standard_normal(n)) * (1 - 0.028 * _lagged(effect, CHAIN_LAG_MONTHS))
        if c == SHIFT_ORG:
            eta[shift_at:] *= SHIFT_DECIDED
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
        reopened = (3.5 + 0.45 * _lagged(effect, 1)) * (1 + 0.08 * rng.standard_normal(n))
        out[f"hsc_arrivals_{c}"] = arr
        out[f"hsc_decided_{c}"] = decided
        out[f"hsc_backlog_{c}"] = backlog
        out[f"hsc_days_to_decide_{c}"] = days
        out[f"hsc_reopened_{c}"] = reopened
        # the Benefits Agency's measures by the claimant's region follow that council
        by_region = f"region={c.title()}"
        e2e = (scan_days + days + 3.5) * (1 + 0.03 * group_rng.standard_normal(n))
        out[f"hsc_end_to_end_days|{by_region}"] = e2e
        out[f"hsc_end_to_end_days_p90|{by_region}"] = e2e * 1.8 * (1 + 0.03 * tail_rng.standard_normal(n))
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
            "hsc_scan_capacity": capacity,
            "hsc_end_to_end_days_p90": end_to_end * 1.8 * (1 + 0.02 * tail_rng.standard_normal(n)),
        }
    )
    return out
