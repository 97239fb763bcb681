"""The exceptions list as a chair reads it: worst objective first, a page of objectives at a time."""

from __future__ import annotations

import pandas as pd

from dashboard.components.exceptions import PAGE_GROUPS, PAGE_ROWS, read_page, table
from dashboard.urls import AsOf


def _exceptions(objectives: int, each: int = 2) -> pd.DataFrame:
    rows = []
    for i in range(objectives):
        for k in range(each):
            rows.append({"severity": 6 if i == 7 else 2, "rule": "late", "rule_label": "Late submission",
                         "measure_id": f"m{i}-{k}", "measure_name": f"Measure {i}.{k}", "owner_id": "org",
                         "owner_name": "Org", "objective_id": f"o{i:03d}", "objective_name": f"Objective {i}",
                         "period": None, "frequency": "monthly", "reason": "late"})
    return pd.DataFrame(rows)


def _walk(component):
    yield component
    children = getattr(component, "children", None)
    for child in children if isinstance(children, list | tuple) else [children]:
        if child is not None and not isinstance(child, str | int | float):
            yield from _walk(child)


def _summaries(div) -> list[str]:
    return [str(c.children[0].children) for c in _walk(div) if type(c).__name__ == "Summary"]


def _links(div) -> dict[str, str]:
    return {str(c.children): c.href for c in _walk(div) if type(c).__name__ == "Link" and "page-link" in
            (getattr(c, "className", None) or "")}


def test_a_long_list_shows_one_page_of_objectives_worst_first_with_links_that_keep_the_filters():
    ex = _exceptions(60)
    first = table(ex, AsOf("2026-10"), 1, {"council": "health", "org": None, "objective": None})
    groups = _summaries(first)
    assert len(groups) == PAGE_GROUPS == 25 and groups[0] == "Objective 7"  # the worst objective leads
    links = _links(first)
    assert links["Next ›"] == "/exceptions?council=health&page=2&as_of=2026-10"
    assert links["3"] == "/exceptions?council=health&page=3&as_of=2026-10" and "Previous" not in str(links)
    last = table(ex, AsOf(), 3, {})
    assert len(_summaries(last)) == 10 and "page 3 of 3" in str(last.children[0].children)
    assert _links(last)["‹ Previous"] == "/exceptions?page=2" and _links(last)["1"] == "/exceptions"
    assert len(_summaries(table(ex, AsOf(), 99, {}))) == 10  # past the end: the last page


def test_a_page_holds_whole_objectives_and_no_more_exceptions_than_its_limit():
    dense = _exceptions(30, each=30)  # 900 exceptions: six objectives (180 rows) a page
    first = table(dense, AsOf(), 1, {})
    assert len(_summaries(first)) == PAGE_ROWS // 30 == 6 and "page 1 of 5" in str(first.children[0].children)
    assert len(_summaries(table(dense, AsOf(), 5, {}))) == 6
    huge = table(_exceptions(2, each=PAGE_ROWS + 50), AsOf(), 1, {})  # one objective over the limit: still whole
    assert len(_summaries(huge)) == 1 and "page 1 of 2" in str(huge.children[0].children)


def test_a_short_list_has_no_pager_and_a_page_number_from_the_address_is_checked():
    short = table(_exceptions(3), AsOf(), 1, {})
    assert len(_summaries(short)) == 3 and not _links(short)
    assert [read_page(v) for v in ("2", 3, "0", "-1", "x", None, "9999999", ["2"])] == [2, 3, 1, 1, 1, 1, 1, 1]
