"""What the service page's parts share: the stored service as the viewer may see it, read again for every
caller from the page's store (never trusted), and how typed numbers are read. A plain module (its name
starts with `_`, so it is no page of its own)."""

from __future__ import annotations

from datetime import date, timedelta

from dashboard.context import current_warehouse
from dashboard.series import records
from dashboard.urls import AsOf, read_as_of
from published.reader import Warehouse, WarehouseError

__all__ = ["service_view", "rows_in", "read_page", "stored", "number", "month_end"]


def service_view(warehouse: Warehouse, service_id: str, as_of: AsOf) -> dict | None:
    """The stored service as this viewer may see it, as at the as-of month: None when nothing is judged."""
    run = warehouse.judgement_run(as_of.as_at)
    if run is None:
        return None
    frames = warehouse.service_view(service_id, run["id"])
    return {name: records(frame) for name, frame in frames.items()}


def rows_in(view: dict, period: str | None) -> dict[str, dict]:
    return {r["stage_id"]: r for r in view["flow"] if r["period"] == period}


def read_page(data) -> tuple[str, AsOf] | None:
    if not isinstance(data, dict) or not isinstance(data.get("service"), str):
        return None
    return data["service"][:200], read_as_of(data.get("as_of"))


def stored(data) -> tuple[dict, dict] | None:
    """The service and its stored view for the page's store, read again for this caller (never trusted)."""
    found = read_page(data)
    if found is None:
        return None
    service_id, as_of = found
    try:
        warehouse = current_warehouse()
        service = records(warehouse.services(service_id=service_id))
        view = service_view(warehouse, service_id, as_of) if service else None
    except WarehouseError:
        return None
    return (service[0], view) if view and view["periods"] else None


def month_end(start) -> date:
    """The last day of the month starting at `start` (a date or timestamp): where a plan starts."""
    day = date(start.year, start.month, 1)
    return date(day.year + day.month // 12, day.month % 12 + 1, 1) - timedelta(days=1)


def number(value) -> float | None:
    text = str(value).strip().replace(",", "") if isinstance(value, str | int | float) and not isinstance(
        value, bool) else ""
    try:
        number = float(text)
    except ValueError:
        return None
    return number if number == number and abs(number) < 1e12 else None
