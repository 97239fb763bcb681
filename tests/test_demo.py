"""The bundled demo government: its definitions, its generated files, and the stories in them."""

from __future__ import annotations

import re
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from etl import demo
from etl.demo import (
    CHAIN_DOWNSTREAM,
    CHAIN_FROM,
    CHAIN_LAG_MONTHS,
    CHAIN_UPSTREAM,
    DEMO_END,
    DIVERGENT_GROUP,
    DIVERGENT_MEASURE,
    EXCEL_ORGS,
    HISTORY_LABEL,
    INTERNAL_MEASURES,
    LATE_ORG,
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
    SEASONAL_MEASURES,
    SHIFT_FROM,
    SHIFT_MEASURE,
    SHIFT_ORG,
    generate_demo,
    load_demo_definitions,
    load_index,
)
from goal_councils import parse_period

LAST_PERIOD = {
    "monthly": "2026-10",
    "quarterly": "2026-Q3",
    "annual": "2025",
    "financial_year": "2025/26",
}
FIRST_PERIOD = {
    "monthly": "2015-01",
    "quarterly": "2015-Q1",
    "annual": "2015",
    "financial_year": "2015/16",
}


@pytest.fixture(scope="module")
def defs():
    return load_demo_definitions()


@pytest.fixture(scope="module")
def generated(defs, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    return out, generate_demo(defs, out)


def _open_sdg_rows(path: Path, defs) -> pd.DataFrame:
    """An Open SDG indicator file read back through the measures' `open_sdg` mappings."""
    raw = pd.read_csv(path, dtype=str, keep_default_na=False)
    indicator = path.stem.removeprefix("indicator_")
    frames = []
    for m in defs.measures.values():
        src = m.open_sdg
        if not src or src.indicator != indicator:
            continue
        rows = raw[(raw["Series"] == (src.series or "")) & (raw["Units"] == (src.unit or ""))]
        periods = rows["Year"].str.replace(r"^(\d{4}) Q([1-4])$", r"\1-Q\2", regex=True)
        frame = pd.DataFrame(
            {
                "measure_id": m.id,
                "period": periods,
                "value": rows["Value"],
                "status": "",
                "note": "",
            }
        )
        for column, breakdown in src.columns.items():
            frame[breakdown] = rows[column]
        frames.append(frame)
    return pd.concat(frames, ignore_index=True)


@pytest.fixture(scope="module")
def rows(defs, generated) -> pd.DataFrame:
    """Every row of every file, read back with pandas, with the load that carried it."""
    _, loads = generated
    frames = []
    for i, load in enumerate(loads):
        for path in load.files:
            if path.suffix == ".xlsx":
                frame = pd.read_excel(path, dtype=str).fillna("")
            elif path.name.startswith("indicator_"):
                frame = _open_sdg_rows(path, defs)
            else:
                frame = pd.read_csv(path, dtype=str, keep_default_na=False)
            frame["row"] = range(2, len(frame) + 2)
            frame["load"], frame["org"], frame["label"] = i, load.org, load.label
            frame["received_at"], frame["file"] = load.received_at, str(path)
            frames.append(frame)
    out = pd.concat(frames, ignore_index=True).fillna("")
    dims = list(defs.breakdowns)
    for d in dims:
        if d not in out:
            out[d] = ""
    out["breakdown"] = [
        "|".join(f"{d}={v}" for d, v in zip(dims, vals, strict=True) if v)
        for vals in out[dims].itertuples(index=False)
    ]
    out["number"] = pd.to_numeric(out["value"].replace("", np.nan))
    return out


@pytest.fixture(scope="module")
def latest(rows) -> pd.DataFrame:
    """The newest version of every (measure, period, breakdown)."""
    return rows.sort_values("load", kind="stable").drop_duplicates(
        ["measure_id", "period", "breakdown"], keep="last"
    )


def series(latest, measure, breakdown="") -> pd.Series:
    s = latest[(latest.measure_id == measure) & (latest.breakdown == breakdown)]
    return s.set_index("period")["number"].sort_index()


def months_from(label: str, n: int, skip: int = 0) -> list[str]:
    """`n` month labels starting `skip` months after `label` (before it when negative)."""
    y, m = map(int, label.split("-"))
    out = []
    for i in range(skip, skip + n):
        k = y * 12 + m - 1 + i
        out.append(f"{k // 12:04d}-{k % 12 + 1:02d}")
    return out


# --- definitions -----------------------------------------------------------------------------


def test_definitions_load_at_the_demo_scale(defs):
    assert demo.DEMO_DEFINITIONS.is_dir()
    assert len(defs.organisations) >= 20
    assert len(defs.councils) == 5
    assert len(defs.objectives) >= 38
    assert len(defs.measures) >= 140
    kinds = {o.kind for o in defs.organisations.values()}
    assert {
        "department",
        "agency",
        "local_council",
        "health_provider",
        "police",
        "charity",
        "contractor",
        "company",
        "statistics_office",
    } <= kinds


def test_every_council_has_a_goal_chair_and_about_eight_objectives(defs):
    for c in defs.councils.values():
        assert c.goal and "," in c.chair, c.id
        assert 7 <= len(c.objectives) <= 9, c.id


def test_each_objective_has_one_lead_one_headline_and_written_responsibilities(defs):
    for o in defs.objectives.values():
        assert [p.role for p in o.partners].count("lead") == 1, o.id
        assert [m.role for m in o.measures].count("headline") == 1, o.id
        assert o.headline.kind == "outcome", o.id
        assert all(len(p.responsibility) > 20 for p in o.partners), o.id
        assert o.statement, o.id


def test_measures_are_balanced_and_described(defs):
    measures = list(defs.measures.values())
    for kind in ("outcome", "output", "quality", "people", "cost"):
        assert sum(m.kind == kind for m in measures) >= 4, kind
    for freq in ("monthly", "quarterly", "annual", "financial_year"):
        assert any(m.frequency == freq for m in measures), freq
    assert sum(m.frequency == "monthly" for m in measures) > len(measures) / 2
    assert sum(m.timing == "leading" for m in measures) >= 40
    assert sum(bool(m.breakdowns) for m in measures) >= 50
    assert all(m.description and m.source for m in measures)
    assert all(m.rate_per for m in measures if m.unit == "rate")


def test_internal_measures_are_the_unpublished_ones(defs):
    assert {m.id for m in defs.measures.values() if not m.published} == set(INTERNAL_MEASURES)


def test_seasonal_and_demand_flags_match_the_stories(defs):
    for mid in SEASONAL_MEASURES:
        assert defs.measures[mid].seasonal, mid
    assert defs.measures["hsc_claims_received"].demand


def test_headline_targets_have_trajectories_and_baselines_read_from_the_data(defs, latest):
    for o in defs.objectives.values():
        m = o.headline
        assert m.target and m.target.baseline and len(m.target.trajectory) >= 2, m.id
        actual = series(latest, m.id).get(m.target.baseline.period)
        assert actual == pytest.approx(m.target.baseline.value, abs=10**-m.decimals / 2), m.id


def test_every_measure_has_a_hand_written_shape(defs):
    covered = set(demo.SHAPES) | set(demo.DERIVED) | set(demo.FLOW_MEASURES)
    assert set(defs.measures) <= covered
    assert set(demo.SHAPES) <= set(defs.measures)


# --- the generated files ---------------------------------------------------------------------


def test_same_seed_gives_byte_identical_files(defs, generated, tmp_path):
    first, loads = generated
    again = generate_demo(defs, tmp_path)
    assert [(x.org, x.label, x.received_at) for x in again] == [
        (x.org, x.label, x.received_at) for x in loads
    ]
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    assert names == sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*") if p.is_file())
    assert [n for n in names if (first / n).read_bytes() != (tmp_path / n).read_bytes()] == []


def test_another_seed_gives_other_numbers(defs, generated, tmp_path):
    first, _ = generated
    generate_demo(defs, tmp_path, seed=7)
    name = Path(HISTORY_LABEL) / "benefits_agency" / f"benefits_agency_{HISTORY_LABEL}.csv"
    assert (first / name).read_bytes() != (tmp_path / name).read_bytes()


def test_all_three_formats_are_present(generated):
    _, loads = generated
    files = [p for load in loads for p in load.files]
    assert any(p.suffix == ".csv" and not p.name.startswith("indicator_") for p in files)
    assert {load.org for load in loads for p in load.files if p.suffix == ".xlsx"} == set(
        EXCEL_ORGS
    )
    sdg = {load.org for load in loads for p in load.files if p.name.startswith("indicator_")}
    assert sdg == set(OPEN_SDG_ORGS)
    assert all(p.is_file() and p.stat().st_size > 0 for p in files)


def test_loads_run_history_first_then_monthly_in_time_order(defs, generated):
    _, loads = generated
    assert [x.received_at for x in loads] == sorted(x.received_at for x in loads)
    orgs_with_measures = {m.owner for m in defs.measures.values()}
    assert {x.org for x in loads if x.label == HISTORY_LABEL} == orgs_with_measures
    first_monthly = min(x.received_at for x in loads if x.label != HISTORY_LABEL)
    assert all(x.received_at < first_monthly for x in loads if x.label == HISTORY_LABEL)
    labels = {x.label for x in loads} - {HISTORY_LABEL}
    assert labels == set(months_from("2025-11", 12))
    per_org = {}
    for x in loads:
        per_org.setdefault(x.org, []).append(x.label)
    for org, seen in per_org.items():
        assert seen[0] == HISTORY_LABEL and seen[1:] == sorted(seen[1:]), org
    assert len({(x.org, x.label) for x in loads}) == len(loads)


def test_history_goes_back_to_2015_and_no_period_is_in_the_future(defs, rows):
    assert str(DEMO_END) == "2026-10-01"
    for mid, periods in rows.groupby("measure_id")["period"]:
        m = defs.measures[mid]
        starts = [parse_period(p, m.frequency).start for p in periods.unique()]
        assert max(starts) <= parse_period(LAST_PERIOD[m.frequency], m.frequency).start, mid
        assert min(starts) >= parse_period(FIRST_PERIOD[m.frequency], m.frequency).start, mid
    firsts = rows.groupby("measure_id")["period"].min()
    assert sum(firsts.isin(FIRST_PERIOD.values())) >= 0.9 * len(firsts)


def test_received_after_the_periods_it_carries_end(defs, rows):
    for (mid, period), when in rows.groupby(["measure_id", "period"])["received_at"].min().items():
        end = parse_period(period, defs.measures[mid].frequency).end
        assert when.date() > end, (mid, period)


def test_no_duplicate_rows_within_a_file(rows):
    dup = rows[rows.duplicated(["file", "measure_id", "period", "breakdown"], keep=False)]
    assert dup.empty, dup.head()


def test_breakdown_values_are_declared_for_their_measure(defs, rows):
    for d in defs.breakdowns:
        used = rows[rows[d] != ""].groupby("measure_id")[d].unique()
        for mid, values in used.items():
            assert set(values) <= set(defs.measures[mid].breakdowns.get(d, [])), (mid, d)


def test_values_fit_their_unit_and_decimals(defs, rows):
    for mid, g in rows.groupby("measure_id"):
        m = defs.measures[mid]
        v = g["number"].dropna()
        assert (v >= 0).all(), mid
        if m.unit == "percent":
            assert (v <= 100).all(), mid
        if m.unit == "count":
            assert (v == v.round()).all(), mid
        places = g.loc[g["value"] != "", "value"].str.extract(r"\.(\d+)$")[0].str.len().fillna(0)
        assert (places <= m.decimals).all(), mid


def test_suppressed_cells_are_empty_and_only_in_breakdowns(rows):
    suppressed = rows[rows.status == "suppressed"]
    assert len(suppressed) > 20
    assert (suppressed.value == "").all() and (suppressed.breakdown != "").all()
    assert (rows[rows.value == ""].status == "suppressed").all()


def test_latest_month_is_provisional_and_earlier_ones_are_replaced(rows, latest):
    assert set(rows.status) <= {"", "provisional", "estimated", "suppressed"}
    for mid in PROVISIONAL_MEASURES:
        totals = latest[(latest.measure_id == mid) & (latest.breakdown == "")].set_index("period")
        assert totals.loc["2026-10", "status"] == "provisional", mid
        assert (totals.drop(index="2026-10").status == "").all(), mid
        sent = rows[(rows.measure_id == mid) & (rows.breakdown == "") & (rows.period == "2026-03")]
        assert list(sent.status) == ["provisional", ""], mid


def test_observation_count_stays_within_budget(rows):
    assert 30_000 < len(rows) < 300_000


# --- the stories -----------------------------------------------------------------------------


def test_special_cause_shift_in_northfield_days_to_decide(defs, latest):
    assert defs.measures[SHIFT_MEASURE].owner == SHIFT_ORG
    after, before = months_from(SHIFT_FROM, 6), months_from(SHIFT_FROM, 12, skip=-12)
    north = series(latest, SHIFT_MEASURE)
    assert north[after].mean() - north[before].mean() > 6
    other = series(latest, SHIFT_MEASURE.replace(SHIFT_ORG, "riverside"))
    assert abs(other[after].mean() - other[before].mean()) < 2


def test_divergent_group_worsens_while_the_total_improves(latest):
    dim, value = DIVERGENT_GROUP
    total = series(latest, DIVERGENT_MEASURE)
    group = series(latest, DIVERGENT_MEASURE, f"{dim}={value}")
    t = np.arange(len(total))
    assert np.polyfit(t, total.to_numpy(), 1)[0] < 0
    assert np.polyfit(t, group.to_numpy(), 1)[0] > 0
    assert (
        group.iloc[-12:].mean() - total.iloc[-12:].mean()
        > group.iloc[:12].mean() - total.iloc[:12].mean() + 2
    )


def test_demand_peaks_in_january_and_april(latest):
    claims = series(latest, "hsc_claims_received")
    for year in range(2015, 2026):
        months = claims[[f"{year}-{m:02d}" for m in range(1, 13)]]
        assert claims[f"{year}-01"] > months.mean() * 1.15, year
        assert claims[f"{year}-04"] > months.mean() * 1.05, year


def test_rough_sleeping_peaks_in_winter(latest):
    for mid, peaks in SEASONAL_MEASURES.items():
        if not mid.startswith(("street_count", "rough_sleeping")):
            continue
        s = series(latest, mid)
        month = s.index.str[5:].astype(int)
        assert s[month.isin(peaks)].mean() > 1.3 * s[month.isin([6, 7, 8])].mean(), mid


def _due(defs, mid: str, period: str) -> date:
    m = defs.measures[mid]
    return parse_period(period, m.frequency).end + timedelta(days=m.due_days)


def test_eastvale_submits_late_most_months(defs, rows):
    monthly = rows[(rows.label != HISTORY_LABEL) & (rows.period == rows.label)]
    late = {}
    for (org, label), g in monthly.groupby(["org", "label"]):
        due = min(_due(defs, mid, label) for mid in g.measure_id.unique())
        late.setdefault(org, []).append(g.received_at.iloc[0].date() > due)
    assert sum(late[LATE_ORG]) >= 8
    for org in ("northfield", "riverside"):
        assert sum(late[org]) <= 2, org


def test_one_quarter_of_the_employment_rate_is_revised(generated, rows):
    _, loads = generated
    sent = rows[
        (rows.measure_id == REVISED_MEASURE)
        & (rows.period == REVISED_PERIOD)
        & (rows.breakdown == "")
    ]
    assert list(sent.label) == [REVISED_FIRST_LOAD, REVISION_LOAD]
    first, revised = sent["number"].tolist()
    assert revised - first == pytest.approx(REVISION_DELTA)
    i = load_index(loads, REVISED_ORG, REVISION_LOAD)
    assert (
        loads[i].received_at > loads[load_index(loads, REVISED_ORG, REVISED_FIRST_LOAD)].received_at
    )
    # no other value of that measure is ever sent twice
    again = rows[rows.measure_id == REVISED_MEASURE].duplicated(["period", "breakdown"], keep=False)
    assert set(rows[rows.measure_id == REVISED_MEASURE][again].period) == {REVISED_PERIOD}


def test_contractor_quality_falls_and_council_backlogs_rise_two_months_later(latest):
    rft = series(latest, CHAIN_UPSTREAM)
    onset = months_from(CHAIN_FROM, 9)
    assert rft[onset[1:]].mean() < rft[months_from(CHAIN_FROM, 12, skip=-12)].mean() - 5
    before_lag, after_lag = onset[:CHAIN_LAG_MONTHS], onset[CHAIN_LAG_MONTHS:]

    def a_year_earlier(months):
        return [f"{int(x[:4]) - 1}{x[4:]}" for x in months]

    for mid in CHAIN_DOWNSTREAM:
        backlog = series(latest, mid)
        rise_after = backlog[after_lag].mean() / backlog[a_year_earlier(after_lag)].mean()
        assert rise_after > 1.25, mid
        if "northfield" not in mid:  # Northfield's IT change had already raised its backlog
            rise_before = backlog[before_lag].mean() / backlog[a_year_earlier(before_lag)].mean()
            assert rise_before < 1.15 and rise_after > rise_before + 0.2, mid


def test_emissions_on_track_and_care_at_home_off_track(defs, latest):
    emissions = series(latest, ON_TRACK_MEASURE)
    for period, planned in defs.measures[ON_TRACK_MEASURE].target.trajectory.items():
        if period in emissions:
            assert emissions[period] <= planned, period
    care = series(latest, OFF_TRACK_MEASURE)
    plan = defs.measures[OFF_TRACK_MEASURE].target.trajectory
    for period in ("2024-03", "2025-03", "2026-03"):
        assert care[period] < plan[period] - 1.0, period


def test_internal_measures_are_still_submitted(rows):
    assert set(INTERNAL_MEASURES) <= set(rows.measure_id)


def test_open_sdg_measures_name_their_source_columns(defs, generated):
    _, loads = generated
    for m in defs.measures.values():
        if m.owner in OPEN_SDG_ORGS:
            assert m.open_sdg, m.id
            assert set(m.open_sdg.columns.values()) == set(m.breakdowns), m.id
    header = (
        next(p for x in loads for p in x.files if p.name == "indicator_8-5-1.csv")
        .read_text()
        .split("\n")[0]
    )
    assert header == "Year,Series,Units,Region,Sex,Age,Value"
    revision = next(
        p
        for x in loads
        if x.label == REVISION_LOAD
        for p in x.files
        if p.name == "indicator_8-5-1.csv"
    )
    assert re.search(
        r'^2026 Q1,"Employment rate, aged 16-64",Percentage \(%\),,,,\d+\.\d$',
        revision.read_text(),
        re.M,
    )
