"""The load's faster paths say what the plain ones said: changes found over many loads in one batch
(the loads that hold a measure are tracked as the batch adds them), duplicates across files and
breakdowns, breakdown cells read from each row's pairs."""

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from etl.load import LoadRequest, Rejected, load_batch
from tests.support import mini_home, write
from tests.test_etl_load import OCTOBER, SEPTEMBER, SEPTEMBER_EDITED, TODAY

NOVEMBER = ("measure_id,period,value,status,note,region\nneet-rate,2025-10,13.1,,final,\n"
            "neet-rate,2025-11,13.5,provisional,,\nneet-rate,2025-11,12.0,,,North\n")


def _requests(tmp_path: Path) -> list[LoadRequest]:
    files = [("sep.csv", SEPTEMBER, datetime(2025, 10, 10)), ("oct.csv", OCTOBER, datetime(2025, 11, 10)),
             ("nov.csv", NOVEMBER, datetime(2025, 12, 10)),
             ("sep-edited.csv", SEPTEMBER_EDITED, datetime(2025, 12, 11))]
    return [LoadRequest("edu", [write(tmp_path / name, text)], received) for name, text, received in files]


def _published(home) -> list[tuple]:
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        return con.execute("SELECT o.* EXCLUDE (load_id), l.received_at FROM observations o "
                           "JOIN loads l ON l.id = o.load_id ORDER BY ALL").fetchall()
    finally:
        con.close()


def _said(results) -> list[tuple]:
    return [(r.rows_read, r.rows_new, r.reverts, [str(w) for w in r.warnings]) for r in results]


def test_loads_in_one_batch_change_what_they_change_one_batch_each(tmp_path: Path):
    one = mini_home(tmp_path / "one")
    together = load_batch(one, _requests(tmp_path / "a"), today=TODAY)
    each = mini_home(tmp_path / "each")
    apart = [r for req in _requests(tmp_path / "b") for r in load_batch(each, [req], today=TODAY)]
    assert _said(together) == _said(apart)
    assert _said(together)[-1][1:3] == (1, 1)  # the edited figure is new; the other would revert October's
    assert _published(one) == _published(each)


def test_duplicates_across_files_and_breakdowns_name_the_first_row(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    a = write(tmp_path / "a.csv", "measure_id,period,value,region\nneet-rate,2025-01,1,\nneet-rate,2025-01,2,North\n"
              "neet-rate,2025-02,3,\n")
    b = write(tmp_path / "b.csv", "measure_id,period,value,region\nneet-rate,2025-02,4,\nneet-rate,2025-01,5,North\n"
              "neet-rate,2025-01,6,North\nneet-rate,2025-03,7,\n")
    with pytest.raises(Rejected) as refused:
        load_batch(home, [LoadRequest("edu", [b, a])], today=TODAY)
    said = [str(p) for p in refused.value.problems]
    assert said == [
        "b.csv:2:period: duplicate of a.csv row 4 (same measure, period and breakdown) (value '2025-02')",
        "b.csv:3:period: duplicate of a.csv row 3 (same measure, period and breakdown) (value '2025-01')",
        "b.csv:4:period: duplicate of a.csv row 3 (same measure, period and breakdown) (value '2025-01')",
    ]


def test_breakdown_cells_are_checked_by_the_name_in_each_files_header(tmp_path: Path):
    home = mini_home(tmp_path / "home")
    a = write(tmp_path / "a.csv", "measure_id,period,value,sex,region\nneet-rate,2025-01,1, Female ,West\n"
              "neet-rate,2025-02,2,,  \n")
    b = write(tmp_path / "b.csv", "measure_id,period,value,colour\nneet-rate,2025-01,1,blue\nneet-rate,2025-02,2, \n")
    with pytest.raises(Rejected) as refused:
        load_batch(home, [LoadRequest("edu", [a, b])], today=TODAY)
    said = [str(p) for p in refused.value.problems]
    assert said == [
        "a.csv:2:region: value is not one of the declared region values for measure neet-rate (value 'West')",
        "b.csv:2:colour: breakdown colour is not declared for measure neet-rate (value 'blue')",
        "b.csv:3:period: duplicate of a.csv row 3 (same measure, period and breakdown) (value '2025-02')",
    ]
