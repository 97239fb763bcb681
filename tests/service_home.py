"""A small home with one end-to-end service loaded and judged: for the service tests and the browser tests.

Claims arrive at Intake, are scanned by ScanCo (whose backlog grows and whose right-first-time falls in
the last months) and decided by Northfield, whose figures are internal."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

from etl.home import Home

DEFINITIONS = """\
organisations:
  - {id: intake, name: Claims Intake Agency, short_name: Intake, kind: agency}
  - {id: scanco, name: ScanCo Ltd, short_name: ScanCo, kind: contractor}
  - {id: northfield, name: Northfield Council, short_name: Northfield, kind: local_council}
councils:
  - id: government
    name: Efficient government
    objectives:
      - id: claims
        name: Pay claims promptly
        partners:
          - {org: intake, role: lead, responsibility: Receives claims and owns the service}
          - {org: scanco, role: contributor, responsibility: Scans the evidence}
          - {org: northfield, role: contributor, responsibility: Decides the claims}
        measures:
          - {id: claim-days, name: Days from claim to decision, owner: intake, role: headline, unit: days,
             decimals: 1, direction: down, frequency: monthly}
          - {id: claims-in, name: Claims received, owner: intake, unit: count, direction: up, frequency: monthly}
          - {id: scanned, name: Claims scanned, owner: scanco, unit: count, direction: up, frequency: monthly}
          - {id: scan-waiting, name: Claims waiting to be scanned, owner: scanco, unit: count, direction: down,
             frequency: monthly}
          - {id: scan-days, name: Days to scan a claim, owner: scanco, unit: days, decimals: 1, direction: down,
             frequency: monthly}
          - {id: scan-rft, name: Claims scanned right first time, owner: scanco, unit: percent, decimals: 1,
             direction: up, frequency: monthly}
          - {id: decided, name: Claims decided, owner: northfield, unit: count, direction: up, frequency: monthly}
          - {id: decide-waiting, name: Secret decision queue, owner: northfield, unit: count, direction: down,
             frequency: monthly, published: false}
          - {id: decide-days, name: Days to decide, owner: northfield, unit: days, decimals: 1, direction: down,
             frequency: monthly, published: false}
services:
  - id: claim
    name: Claim for support
    description: From a claim arriving to its decision.
    objectives: [claims]
    end_to_end_median: claim-days
    stages:
      - id: intake
        name: Claim received
        org: intake
        next: [scan]
        measures: {arrivals: claims-in, completions: claims-in}
      - id: scan
        name: Evidence scanned
        org: scanco
        next: [decide]
        measures: {arrivals: claims-in, completions: scanned, backlog: scan-waiting, time_median: scan-days,
                   right_first_time: scan-rft}
      - id: decide
        name: Claim decided
        org: northfield
        measures: {completions: decided, backlog: decide-waiting, time_median: decide-days}
"""
# a second service whose only stage is Northfield's internal decision queue: nothing of it is public
HIDDEN_SERVICE = """\
  - id: hidden-queue
    name: Hidden queue service
    objectives: [claims]
    stages:
      - id: queue
        name: Queue only
        org: northfield
        measures: {backlog: decide-waiting}
"""
MONTHS = [f"2025-{m:02d}" for m in range(1, 13)]
SCAN_WAITING = [100 + 50 * i for i in range(12)]  # grows every month
SCAN_RFT = [96.0] * 8 + [96.0, 94.0, 92.0, 90.0]  # falls in the last three months
DECIDE_WAITING = 777_123  # distinctive: must never reach the public


def _csv(rows: dict[str, list]) -> str:
    lines = ["measure_id,period,value"]
    for measure, values in rows.items():
        lines += [f"{measure},{p},{v}" for p, v in zip(MONTHS, values, strict=True)]
    return "\n".join(lines) + "\n"


# what must never reach anyone not entitled to Northfield's decision queue
HIDDEN_SECRETS = ("Claim decided", "decide-waiting", "decide-days", "Secret decision queue", str(DECIDE_WAITING),
                  f"{DECIDE_WAITING:,}", "hidden-queue", "Hidden queue service", "Queue only")


def service_home(root: Path, *, hidden: bool = False) -> Home:
    """The home, loaded and judged (as at 2026-01-20); with `hidden`, also the service HIDDEN_SERVICE."""
    from etl.load import LoadRequest, load_batch

    home = Home.at(root).ensure()
    (home.definitions / "service.yaml").write_text(DEFINITIONS + (HIDDEN_SERVICE if hidden else ""),
                                                   encoding="utf-8")
    inbox = root / "in"
    inbox.mkdir(parents=True, exist_ok=True)
    files = {
        "intake": {"claims-in": [1000] * 12, "claim-days": [30.0 + i for i in range(12)]},
        "scanco": {"scanned": [950] * 12, "scan-waiting": SCAN_WAITING,
                   "scan-days": [round(30.44 * w / 1000, 1) for w in SCAN_WAITING], "scan-rft": SCAN_RFT},
        "northfield": {"decided": [900] * 12, "decide-waiting": [DECIDE_WAITING] * 12, "decide-days": [25.0] * 12},
    }
    requests = []
    for org, rows in files.items():
        path = inbox / f"{org}.csv"
        path.write_text(_csv(rows), encoding="utf-8")
        requests.append(LoadRequest(org, [path], datetime(2026, 1, 10)))
    load_batch(home, requests, today=date(2026, 1, 20))
    return home


TINY_SERVICE = "mh-pathway"


def add_tiny_service(path: Path) -> None:
    """Put a two-stage service on the tiny warehouse (tests/conftest.py) and judge its flow in every run, as
    a publish would: referrals to Northfield, then the first appointment at Eastvale NHS."""
    import duckdb

    from etl.services import judge_services

    with duckdb.connect(str(path)) as con:
        con.execute("INSERT INTO services VALUES (?, 'Community mental health referral', "
                    "'From a referral to the first appointment.', 0.35, NULL, NULL, 0)", [TINY_SERVICE])
        con.execute("INSERT INTO service_objectives VALUES (?, 'mental-health-waits', 0)", [TINY_SERVICE])
        con.executemany("INSERT INTO service_stages VALUES (?, ?, ?, ?, '', ?, true)",
                        [(TINY_SERVICE, "refer", "Referred", "northfield", 0),
                         (TINY_SERVICE, "appointment", "First appointment", "eastvale-nhs", 1)])
        con.execute("INSERT INTO service_handoffs VALUES (?, 'refer', 'appointment')", [TINY_SERVICE])
        con.executemany("INSERT INTO service_stage_measures VALUES (?, ?, ?, ?)",
                        [(TINY_SERVICE, "refer", "arrivals", "mh-referrals"),
                         (TINY_SERVICE, "refer", "completions", "mh-referrals"),
                         (TINY_SERVICE, "appointment", "time_median", "mh-days-to-first-appointment")])
        for run_id, as_at in con.execute("SELECT id, as_at FROM judgement_runs ORDER BY id").fetchall():
            judge_services(con, run_id, as_at)
