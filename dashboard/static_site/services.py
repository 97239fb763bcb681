"""The static site's page for an end-to-end service: what a visitor reads about its latest month (who runs
each stage, work arriving, done and waiting, time in stage, right first time, the pinch point, end-to-end
time, the Little's-law data-quality notes) and the trend of work waiting by stage, as plain values for
templates/service.html. Pure: a `Service` (dashboard/service_documents.py) in, a dict out."""

from __future__ import annotations

from collections.abc import Mapping

from ..formatting import format_number, format_period, is_missing
from ..service_documents import Service
from ..service_figures import stage_trend_figure

__all__ = ["service_page", "PINCH"]

PINCH = {"icon": "⚠", "word": "Pinch point", "tone": "chip-bad"}  # an icon and a word, colour third
TREND_TITLE = "Work waiting at the end of each month, by stage"
FIGURE_NAMES = {"arrivals": "arrivals", "completions": "completions", "backlog": "work waiting",
                "time_median": "time in stage (median)", "time_p90": "time in stage (90th percentile)",
                "failure_demand": "failure demand", "right_first_time": "right first time",
                "capacity": "capacity"}


def _n(value, decimals: int = 0, suffix: str = "") -> str:
    return "–" if is_missing(value) else f"{format_number(value, decimals)}{suffix}"


def _pct(share) -> str:
    return "–" if is_missing(share) else f"{format_number(100 * share, 1)}%"


def service_page(service: Service, published: Mapping[str, Mapping]) -> dict:
    """What templates/service.html shows of `service`; `published` the public measures by id (the stages'
    measures link to their pages)."""
    stages = service.view["stages"]
    months = service.months
    latest = months[-1] if months else None
    rows = service.flow_in(latest) if latest else {}
    month = service.month(latest) if latest else None
    pinch = month["pinch_stage"] if month else None
    return {
        "month_words": format_period(latest, "monthly") if latest else "",
        "summary": _summary(month, stages) if month else [],
        "stages": [_stage_row(s, rows.get(s["stage_id"], {}), s["stage_id"] == pinch) for s in stages],
        "flow": _flow_lines(service, latest, rows, pinch) if latest else [],
        "notes": _quality_notes(stages, rows),
        "tolerance": round(100 * float(service.row["little_tolerance"])),
        "checked": sum(rows.get(s["stage_id"], {}).get("little_agrees") is not None for s in stages),
        "figure": _trend(service) if latest else None,
        "trend": _trend_table(service),
        "measures": _measures(service, published),
    }


def _summary(month: Mapping, stages: list[dict]) -> list[dict]:
    """The month's headline figures: end-to-end time (90th percentile first, measured before estimated)
    and the pinch point, in words."""
    names = {s["stage_id"]: s["name"] for s in stages}
    measured, estimate = month.get("end_to_end_p90"), month.get("end_to_end_p90_estimate")
    p90 = ("End-to-end time, 9 in 10 people (measured)", f"{_n(measured, 1)} days") if not is_missing(measured) \
        else ("End-to-end time, 9 in 10 people (estimate)", f"up to {_n(estimate, 1)} days") \
        if not is_missing(estimate) else ("End-to-end time, 9 in 10 people", "Not measured")
    measured, estimate = month.get("end_to_end_median"), month.get("end_to_end_median_estimate")
    median = ("End-to-end time, median (measured)", f"{_n(measured, 1)} days") if not is_missing(measured) \
        else ("End-to-end time, median (estimate)", f"{_n(estimate, 1)} days") if not is_missing(estimate) \
        else ("End-to-end time, median", "Not measured")
    pinch = month.get("pinch_stage")
    why = "demand above capacity" if month.get("pinch_reason") == "over capacity" else "work waits longest"
    where = (f"Pinch point: {why}", names[pinch]) if pinch in names else ("Pinch point", "None found")
    return [{"label": p90[0], "value": p90[1], "icon": None}, {"label": median[0], "value": median[1], "icon": None},
            {"label": where[0], "value": where[1], "icon": PINCH["icon"] if pinch in names else None}]


def _stage_row(stage: Mapping, row: Mapping, pinch: bool) -> dict:
    change = row.get("backlog_change")
    return {"id": stage["stage_id"], "name": stage["name"], "org": stage["org_name"], "pinch": pinch,
            "arrivals": _n(row.get("arrivals")), "completions": _n(row.get("completions")),
            "capacity": _n(row.get("capacity")),
            "backlog": _n(row.get("backlog")),
            "change": "–" if is_missing(change) else ("+" if change > 0 else "") + _n(change),
            "time_median": _n(row.get("time_median"), 1), "time_p90": _n(row.get("time_p90"), 1),
            "right_first_time": _n(row.get("right_first_time"), 1, "%"),
            "failure_share": _pct(row.get("failure_share"))}


def _flow_lines(service: Service, period: str, rows: Mapping[str, Mapping], pinch: str | None) -> list[dict]:
    """Each stage in order with what it handed on in the month, what left the service there and the
    failure demand it got back."""
    names = {s["stage_id"]: s["name"] for s in service.view["stages"]}
    volumes = [v for v in service.view["handoff_flow"] if v["period"] == period]
    lines = []
    for s in service.view["stages"]:
        row = rows.get(s["stage_id"], {})
        said = [f"→ {_n(v['volume'])} handed on to {names[v['to_stage']]}" for v in volumes
                if v["from_stage"] == s["stage_id"] and v["to_stage"] in names]
        if not is_missing(row.get("left_service")) and row["left_service"] > 0.5:
            said.append(f"↘ {_n(row['left_service'])} left the service here")
        if not is_missing(row.get("failure_share")):
            said.append(f"↺ failure demand {_pct(row['failure_share'])} of demand")
        lines.append({"name": s["name"], "org": s["org_name"], "said": said, "pinch": s["stage_id"] == pinch})
    return lines


def _quality_notes(stages: list[dict], rows: Mapping[str, Mapping]) -> list[str]:
    """Little's law: each stage whose work waiting disagrees with arrivals a day × days in stage, in words."""
    notes = []
    for s in stages:
        r = rows.get(s["stage_id"], {})
        if r.get("little_agrees") is False:
            arriving = r["arrivals"] if not is_missing(r.get("arrivals")) else r.get("completions")
            notes.append(f"{s['name']}: {_n(r['backlog'])} waiting, but {_n(arriving)} arriving in the month at "
                         f"{_n(r['time_median'], 1)} days each implies about {_n(r['little_expected'])} "
                         f"({format_number(100 * (r['little_ratio'] - 1), 0)}% apart). The organisations may count "
                         "work waiting or time in stage differently, or the stage may be far from steady.")
    return notes


def _trend(service: Service) -> dict:
    return stage_trend_figure(service.view["stages"], service.view["flow"], "backlog", title=TREND_TITLE,
                              y_title="Work waiting", height=420)


def _trend_table(service: Service) -> dict:
    """The figures behind the trend chart: a row a month (newest first), a column a stage that measures
    its work waiting."""
    flow = service.view["flow"]
    stages = [s for s in service.view["stages"]
              if any(r["stage_id"] == s["stage_id"] and not is_missing(r.get("backlog")) for r in flow)]
    rows = []
    for period in reversed(service.months):
        found = service.flow_in(period)
        rows.append((format_period(period, "monthly"),
                     [_n(found.get(s["stage_id"], {}).get("backlog")) for s in stages]))
    said = "; ".join(f"{name} {value}" for name, value in zip((s["name"] for s in stages), rows[0][1], strict=True)
                     if value != "–") if stages and rows else ""
    summary = (f"Chart of {TREND_TITLE.lower()}: {said or 'no figures'} in {rows[0][0]}. Every month's figure is "
               "in the table below.") if stages and rows else ""
    return {"stages": [s["name"] for s in stages], "rows": rows if stages else [], "summary": summary}


def _measures(service: Service, published: Mapping[str, Mapping]) -> list[dict]:
    """Each stage's measures that have a page on the site, with the figures each gives."""
    found = []
    for s in service.view["stages"]:
        mine: dict[str, dict] = {}
        for m in service.view["measures"]:
            if m["stage_id"] == s["stage_id"] and m["measure_id"] in published:
                entry = mine.setdefault(m["measure_id"], {"id": m["measure_id"], "name": m["measure_name"],
                                                          "figures": []})
                entry["figures"].append(FIGURE_NAMES.get(m["figure"], m["figure"]))
        if mine:
            found.append({"stage": s["name"], "measures": [{**e, "figures": ", ".join(e["figures"])}
                                                           for e in mine.values()]})
    return found
