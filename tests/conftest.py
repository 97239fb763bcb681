"""Shared fixtures: a tiny published warehouse built straight from the schema, without the ETL."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pandas as pd
import pytest

SCHEMA = Path(__file__).resolve().parents[1] / "etl" / "sql" / "schema.sql"

ORGANISATIONS = [
    dict(id="northfield", name="Northfield County Council", short_name="Northfield", kind="local_council"),
    dict(id="eastvale-nhs", name="Eastvale NHS Trust", short_name="Eastvale NHS", kind="health_provider"),
    dict(id="westshire-police", name="Westshire Police", short_name=None, kind="police"),
    dict(id="dww", name="Department for Work and Welfare", short_name="DWW", kind="department"),
]

COUNCILS = [
    dict(
        id="healthy-lives",
        name="Healthy lives",
        chair="Director of Public Health",
        goal="People in the county live longer, healthier lives, and the gap between areas narrows.",
    ),
    dict(
        id="safe-communities",
        name="Safe communities",
        chair="Chief Constable",
        goal="People are safe, and feel safe, where they live.",
    ),
    dict(
        id="prosperity",
        name="A fair economy",
        chair="Director of Work and Welfare",
        goal="Everyone who can work has the skills and support to do so.",
    ),
]

# (objective id, council, name, statement, lead, contributors)
OBJECTIVES = [
    (
        "mental-health-waits",
        "healthy-lives",
        "Shorter waits for community mental health care",
        "Adults referred for community mental health care are seen within four weeks.",
        "eastvale-nhs",
        ["northfield"],
    ),
    (
        "childhood-vaccination",
        "healthy-lives",
        "More young children fully vaccinated",
        "Nine in ten children have every routine vaccination by their second birthday.",
        "northfield",
        ["eastvale-nhs"],
    ),
    (
        "burglary",
        "safe-communities",
        "Fewer homes burgled",
        "Residential burglary falls in every district.",
        "westshire-police",
        ["northfield"],
    ),
    (
        "housing-on-release",
        "safe-communities",
        "Stable homes for people leaving prison",
        "",
        "northfield",
        ["westshire-police", "dww"],
    ),
    ("hardship-support", "prosperity", "Help with living costs reaches people sooner", "", "dww", ["northfield"]),
    ("adult-skills", "prosperity", "More adults gain a first qualification", "", "dww", []),
]

MEASURE_DEFAULTS = dict(
    description="",
    role="headline",
    kind="outcome",
    timing="lagging",
    unit_label=None,
    rate_per=None,
    decimals=0,
    frequency="monthly",
    published=True,
    source="",
    tolerance=None,
    seasonal=False,
    demand=False,
    due_days=15,
    baseline_period=None,
    baseline_value=None,
    target_period=None,
    target_value=None,
    target_note=None,
)

MEASURES = [
    dict(
        id="mh-days-to-first-appointment",
        objective_id="mental-health-waits",
        name="Median days from referral to first appointment",
        owner_id="eastvale-nhs",
        unit="days",
        decimals=1,
        direction="down",
        baseline_period="2024-03",
        baseline_value=41.5,
        target_period="2026-03",
        target_value=28.0,
    ),
    dict(
        id="mh-referrals",
        objective_id="mental-health-waits",
        role="contributing",
        name="Referrals received",
        owner_id="northfield",
        unit="count",
        direction="up",
    ),
    dict(
        id="vaccinated-by-two",
        objective_id="childhood-vaccination",
        name="Children fully vaccinated by age two",
        owner_id="northfield",
        unit="percent",
        decimals=1,
        direction="up",
        frequency="quarterly",
        target_period="2026-Q4",
        target_value=90.0,
    ),
    dict(
        id="burglary-rate",
        objective_id="burglary",
        name="Residential burglaries per 100,000 households",
        owner_id="westshire-police",
        unit="rate",
        rate_per=100000,
        decimals=1,
        direction="down",
    ),
    dict(
        id="housed-on-release",
        objective_id="housing-on-release",
        name="People housed on the day they leave prison",
        owner_id="northfield",
        unit="count",
        direction="up",
    ),
    dict(
        id="hardship-paid",
        objective_id="hardship-support",
        name="Hardship payments made within five days",
        owner_id="dww",
        unit="money",
        direction="up",
        target_period="2025-12",
        target_value=1500000.0,
    ),
]

# load id -> (organisation, received at)
LOADS = {
    1: ("eastvale-nhs", datetime(2025, 3, 10, 9, 0)),
    2: ("northfield", datetime(2025, 3, 12, 14, 5)),
    3: ("westshire-police", datetime(2025, 3, 14, 11, 20)),
    4: ("dww", datetime(2025, 3, 17, 16, 45)),
    5: ("eastvale-nhs", datetime(2025, 4, 11, 9, 30)),  # revises 2025-02, adds 2025-03
}

# (load, measure, period, period start, breakdown, value, status)
OBSERVATIONS = [
    (1, "mh-days-to-first-appointment", "2024-12", "2024-12-01", "", 40.2, None),
    (1, "mh-days-to-first-appointment", "2025-01", "2025-01-01", "", 39.1, None),
    (1, "mh-days-to-first-appointment", "2025-02", "2025-02-01", "", 38.0, "provisional"),
    (1, "mh-days-to-first-appointment", "2025-02", "2025-02-01", "sex=female", 44.0, None),
    (2, "mh-referrals", "2025-02", "2025-02-01", "", 1840.0, None),
    (2, "vaccinated-by-two", "2024-Q3", "2024-07-01", "", 86.4, None),
    (2, "vaccinated-by-two", "2024-Q4", "2024-10-01", "", 85.9, None),
    (3, "burglary-rate", "2025-01", "2025-01-01", "", 31.7, None),
    (3, "burglary-rate", "2025-02", "2025-02-01", "", 28.25, None),
    (4, "hardship-paid", "2025-01", "2025-01-01", "", 1187400.0, None),
    (4, "hardship-paid", "2025-02", "2025-02-01", "", 1232650.0, None),
    (5, "mh-days-to-first-appointment", "2025-02", "2025-02-01", "", 36.5, None),
    (5, "mh-days-to-first-appointment", "2025-03", "2025-03-01", "", 35.2, "provisional"),
]


def _insert(con: duckdb.DuckDBPyConnection, table: str, rows: list[dict]) -> None:
    con.register("rows", pd.DataFrame(rows))
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM rows")
    con.unregister("rows")


def write_tiny_warehouse(path: Path, last_load: int = max(LOADS)) -> Path:
    """Build the tiny warehouse at `path` with loads 1..last_load, closed and checkpointed."""
    con = duckdb.connect(str(path))
    con.execute(SCHEMA.read_text())
    _insert(con, "organisations", [{**o, "url": None, "position": i} for i, o in enumerate(ORGANISATIONS, 1)])
    _insert(con, "councils", [{**c, "position": i} for i, c in enumerate(COUNCILS, 1)])
    _insert(
        con,
        "objectives",
        [
            dict(id=o, council_id=c, name=n, statement=s, position=i)
            for i, (o, c, n, s, _, _) in enumerate(OBJECTIVES, 1)
        ],
    )
    _insert(
        con,
        "objective_partners",
        [
            dict(objective_id=o, org_id=org, role=role, responsibility=f"{role} for {o}", position=i)
            for o, _, _, _, lead, contributors in OBJECTIVES
            for i, (org, role) in enumerate([(lead, "lead")] + [(c, "contributor") for c in contributors])
        ],
    )
    _insert(
        con,
        "council_members",
        [
            dict(council_id=c, org_id=org, position=i)
            for c in {o[1] for o in OBJECTIVES}
            for i, org in enumerate(sorted({p for o in OBJECTIVES if o[1] == c for p in [o[4], *o[5]]}))
        ],
    )
    _insert(con, "measures", [{**MEASURE_DEFAULTS, **m, "position": i} for i, m in enumerate(MEASURES, 1)])
    loads = {k: v for k, v in LOADS.items() if k <= last_load}
    _insert(
        con,
        "loads",
        [
            dict(
                id=k,
                org_id=org,
                received_at=at,
                started_at=at,
                finished_at=at,
                outcome="published",
                rows_read=0,
                rows_new=0,
                rows_unchanged=0,
                by_whom="test",
            )
            for k, (org, at) in loads.items()
        ],
    )
    _insert(
        con,
        "observations",
        [
            dict(
                measure_id=m,
                period=p,
                period_start=pd.Timestamp(start).date(),
                period_label=p,
                breakdown=b,
                dimension=b.split("=")[0] if b else "",
                grp=b.split("=")[-1] if b else "",
                value=v,
                status=s,
                note=None,
                load_id=load,
                source_file=f"load{load}.csv",
                source_row=i,
            )
            for i, (load, m, p, start, b, v, s) in enumerate(OBSERVATIONS, 2)
            if load in loads
        ],
    )
    # judged as each load was published, as the ETL's publish step does
    from etl.judge import judge

    for k, (_, at) in sorted(loads.items()):
        judge(con, as_at=at, changed={m for load, m, *_ in OBSERVATIONS if load == k})
    from etl.warehouse import SCHEMA_VERSION

    con.execute("INSERT OR REPLACE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])
    con.execute("CHECKPOINT")
    con.close()
    from etl.home import public_path
    from etl.public import write_public

    write_public(path, public_path(path))  # as every publish does: what anonymous visitors read
    return path


@pytest.fixture(scope="session")
def build_tiny_warehouse():
    """The builder itself, for tests that need a variant (e.g. before the last load)."""
    return write_tiny_warehouse


@pytest.fixture(scope="session")
def tiny_warehouse(tmp_path_factory) -> Path:
    """A published warehouse with 3 councils, 6 objectives and 5 loads, one revising a value."""
    return write_tiny_warehouse(tmp_path_factory.mktemp("tiny") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def demo_home(tmp_path_factory):
    """A home with the bundled demo loaded through `outcomes demo`, the path a user takes."""
    from etl.home import Home
    from outcomes.cli import main

    root = tmp_path_factory.mktemp("demo") / "home"
    assert main(["--home", str(root), "demo"]) == 0
    return Home.at(root)


def pytest_collection_modifyitems(items):
    """Whatever stands on the whole demo (loaded through `outcomes demo`) is slow: `-m "not slow"`
    leaves it out, so the fast subset runs in under two minutes."""
    for item in items:
        if "demo_home" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True, scope="session")
def dash_ports_outside_the_ephemeral_range():
    """dash_duo serves each app on the next of a row of ports counted up from 58050, inside the range the
    kernel hands out to any process asking for a free port (Linux: 32768-60999), where chromedriver, started
    for the same test, sometimes already listens: the test then talks to chromedriver. Count from below that
    range instead, from a base that differs between test runs on the same machine."""
    try:
        from dash.testing.application_runners import BaseDashRunner
    except ImportError:  # the browser tests' extras are not installed: nothing to move
        yield
        return
    import os

    kept = BaseDashRunner._next_port
    BaseDashRunner._next_port = 20000 + (os.getpid() % 100) * 120
    yield
    BaseDashRunner._next_port = kept
