"""A deterministic government at a named scale, for the benchmark (`outcomes bench`).

`write_government(scale, folder)` writes definitions (`folder/definitions/*.yaml`) and the
submissions each organisation would send (`folder/submissions/<org>/*.csv`, the standard tidy
format) and returns the loads in the order they are applied: one history file per organisation
(every month but the last), then one file per organisation for the last month. Same scale and
seed give byte-identical files.

Scales (PRODUCT.md, "Scale we design for"):

    small     6 organisations, 2 councils, 8 objectives, 40 measures, 5 years: ~24,000 rows (CI)
    state     40 organisations, 5 councils, 200 objectives, 2,000 measures, 15 years monthly,
              10 slices each (the total, 5 areas, 2 sexes, 2 age groups): 3.6 million rows
    national  10x the state: 400 organisations, 10 councils, 2,000 objectives, 20,000 measures

Every measure is monthly, so that a scale's size is exact. Objectives have ten measures (one
headline); about half the measures have a target with yearly milestones and some are on track,
some not; a few are demand or leading measures, which get forecasts when judged.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

__all__ = ["Scale", "SCALES", "BenchLoad", "write_government", "END"]

END = date(2026, 9, 1)  # the last month reported
AREAS = ["Area 1", "Area 2", "Area 3", "Area 4", "Area 5"]
SEXES = ["Female", "Male"]
AGES = ["Under 50", "50 and over"]
AREA_SHARES = np.array([0.3, 0.25, 0.2, 0.15, 0.1])
UNITS = [("count", 0, "up"), ("percent", 1, "up"), ("percent", 1, "down"), ("days", 1, "down"), ("rate", 1, "down")]


@dataclass(frozen=True)
class Scale:
    name: str
    organisations: int
    councils: int
    objectives: int
    measures: int
    years: int

    @property
    def months(self) -> int:
        return 12 * self.years

    @property
    def rows(self) -> int:
        return self.measures * self.months * (1 + len(AREAS) + len(SEXES) + len(AGES))


SCALES = {
    "small": Scale("small", 6, 2, 8, 40, 5),
    "state": Scale("state", 40, 5, 200, 2000, 15),
    "national": Scale("national", 400, 10, 2000, 20000, 15),
}


@dataclass(frozen=True)
class BenchLoad:
    org: str
    path: Path
    received_at: datetime
    rows: int


def _month(i: int, months: int) -> date:
    """The i-th month of the series (0 = the first), ending at END."""
    back = months - 1 - i
    y, m = divmod(END.year * 12 + END.month - 1 - back, 12)
    return date(y, m + 1, 1)


def _definitions(scale: Scale, rng: np.random.Generator) -> tuple[dict, list[dict], list[dict]]:
    orgs = [{"id": f"org_{i:03d}", "name": f"Organisation {i}", "short_name": f"Org {i}",
             "kind": "department" if i % 4 == 1 else "agency"} for i in range(1, scale.organisations + 1)]
    breakdowns = {"breakdowns": {"area": AREAS, "sex": SEXES, "age": AGES}}
    per_objective = scale.measures // scale.objectives
    councils, measures = [], []
    n = 0
    for c in range(1, scale.councils + 1):
        objectives = []
        for o in range(scale.objectives // scale.councils):
            oid = f"obj_{(c - 1) * (scale.objectives // scale.councils) + o + 1:04d}"
            owners = [orgs[int(k)]["id"] for k in rng.choice(scale.organisations, size=per_objective)]
            ms = []
            for k in range(per_objective):
                n += 1
                unit, decimals, direction = UNITS[int(rng.integers(len(UNITS)))]
                m = {"id": f"m_{n:05d}", "name": f"Measure {n}", "owner": owners[k],
                     "role": "headline" if k == 0 else "contributing", "unit": unit, "decimals": decimals,
                     "direction": direction, "frequency": "monthly", "due_days": 20,
                     "breakdowns": ["area", "sex", "age"]}
                if unit == "rate":
                    m["rate_per"] = 100000
                if k % 10 == 3:
                    m["timing"] = "leading"
                if k % 10 == 7 and unit == "count":
                    m["demand"] = True
                measures.append(m)
                ms.append(m)
            partners = [{"org": owners[0], "role": "lead", "responsibility": "Owns the outcome."}] + [
                {"org": g, "role": "contributor", "responsibility": "Submits its measures."}
                for g in dict.fromkeys(owners[1:]) if g != owners[0]]
            objectives.append({"id": oid, "name": f"Objective {oid[4:]}", "partners": partners, "measures": ms})
        councils.append({"id": f"council_{c}", "name": f"Council {c}", "goal": f"The goal of council {c}.",
                         "objectives": objectives})
    return {"organisations": orgs}, [breakdowns], councils


def _series(m: dict, months: int, rng: np.random.Generator) -> np.ndarray:
    """A measure's monthly total: a level, a trend, a season and autocorrelated noise."""
    t = np.arange(months) / 12.0
    level = {"count": 1000.0 * (1 + rng.random() * 20), "percent": 40 + 40 * rng.random(),
             "days": 20 + 40 * rng.random(), "rate": 50 + 200 * rng.random()}[m["unit"]]
    trend = level * rng.normal(0, 0.02) * t
    season = 1 + 0.08 * rng.random() * np.sin(2 * math.pi * (t + rng.random()))
    noise = np.zeros(months)
    for i in range(1, months):
        noise[i] = 0.6 * noise[i - 1] + rng.normal(0, 0.015)
    values = (level + trend) * season * (1 + noise)
    if m["unit"] == "percent":
        values = np.clip(values, 0.5, 99.5)
    return np.maximum(values, 0.1)


def _target(m: dict, values: np.ndarray, months: int, rng: np.random.Generator) -> None:
    """About half the measures get a baseline three years in, yearly milestones and a final target
    four years after the end, 5-15% better than the baseline: some are met, some are not."""
    if rng.random() < 0.5:
        return
    base_i = min(36, months // 2)
    baseline = float(values[base_i])
    sign = 1 if m["direction"] == "up" else -1
    final = baseline * (1 + sign * (0.05 + 0.1 * rng.random()))
    if m["unit"] == "percent":
        final = min(max(final, 0.5), 99.5)
    first, end = _month(base_i, months), date(END.year + 4, 12, 1)
    years = list(range(first.year + 1, end.year))
    span = (end.year - first.year) or 1
    trajectory = {f"{y}-12": round(baseline + (final - baseline) * (y - first.year) / span, m["decimals"])
                  for y in years}
    m["target"] = {"baseline": {"period": f"{first:%Y-%m}", "value": round(baseline, m["decimals"])},
                   "final": {"period": f"{end:%Y-%m}", "value": round(final, m["decimals"])},
                   "trajectory": trajectory}
    m["tolerance"] = round(abs(final - baseline) * 0.1, m["decimals"]) or None


def _rows(m: dict, values: np.ndarray, months: int, rng: np.random.Generator) -> pd.DataFrame:
    """The total and the 9 slices of every month: areas, sexes and ages (counts split, others vary)."""
    periods = [f"{_month(i, months):%Y-%m}" for i in range(months)]
    frames = [pd.DataFrame({"period": periods, "value": values, "area": "", "sex": "", "age": ""})]
    count = m["unit"] == "count"
    for column, groups, shares in (("area", AREAS, AREA_SHARES), ("sex", SEXES, np.array([0.5, 0.5])),
                                   ("age", AGES, np.array([0.6, 0.4]))):
        for g, share in zip(groups, shares, strict=True):
            wobble = 1 + rng.normal(0, 0.03, months)
            factor = share if count else 1 + rng.normal(0, 0.08)
            frames.append(pd.DataFrame({"period": periods, "value": values * factor * wobble,
                                        "area": "", "sex": "", "age": "", column: g}))
    out = pd.concat(frames, ignore_index=True)
    if m["unit"] == "percent":
        out["value"] = out["value"].clip(0, 100)
    out["value"] = out["value"].round(m["decimals"])
    out.insert(0, "measure_id", m["id"])
    return out


def write_government(scale: Scale | str, folder: Path | str, seed: int = 7) -> list[BenchLoad]:
    """Write the definitions and submissions of a government at `scale` into `folder`."""
    scale = SCALES[scale] if isinstance(scale, str) else scale
    folder = Path(folder)
    rng = np.random.default_rng(seed)
    organisations, (breakdowns,), councils = _definitions(scale, rng)
    by_owner: dict[str, list[pd.DataFrame]] = {}
    for council in councils:
        for objective in council["objectives"]:
            for m in objective["measures"]:
                values = _series(m, scale.months, rng)
                _target(m, values, scale.months, rng)
                by_owner.setdefault(m["owner"], []).append(_rows(m, values, scale.months, rng))
    defs = folder / "definitions"
    defs.mkdir(parents=True, exist_ok=True)
    _yaml(defs / "organisations.yaml", organisations)
    _yaml(defs / "breakdowns.yaml", breakdowns)
    for i, council in enumerate(councils, start=1):
        _yaml(defs / f"{i}_{council['id']}.yaml", {"councils": [council]})
    last = f"{END:%Y-%m}"
    history_at = datetime.combine(END, datetime.min.time()) + timedelta(days=10, hours=9)
    monthly_at = history_at + timedelta(days=30)
    history, monthly = [], []
    for org in sorted(by_owner):
        rows = pd.concat(by_owner[org], ignore_index=True)
        out = folder / "submissions" / org
        out.mkdir(parents=True, exist_ok=True)
        for label, part, at, into in (("history", rows[rows.period != last], history_at, history),
                                      (last, rows[rows.period == last], monthly_at, monthly)):
            path = out / f"{label}.csv"
            part.to_csv(path, index=False, lineterminator="\n")
            into.append(BenchLoad(org, path, at, len(part)))
    return history + monthly


def _yaml(path: Path, doc) -> None:
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=100), encoding="utf-8")
