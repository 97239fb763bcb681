"""CSV files the product writes cannot run as spreadsheet formulas."""

import io

import pandas as pd
import pytest

from published.exports import csv_text, neutralise


@pytest.mark.parametrize("cell, shown", [
    ("=1+1", "'=1+1"), ("+44 20", "'+44 20"), ("-cmd|' /C calc'!A0", "'-cmd|' /C calc'!A0"),
    ("@SUM(A1)", "'@SUM(A1)"), ("\t=1", "'\t=1"), ("\r=1", "'\r=1"),
    ("Northfield", "Northfield"), ("", ""), ("a=b", "a=b"),
])
def test_text_cells_that_start_a_formula_get_a_quote(cell, shown):
    assert neutralise(pd.DataFrame({"name": [cell]})).name[0] == shown


def test_numbers_stay_numbers_and_headers_are_neutralised_too():
    frame = pd.DataFrame({"value": [-1.5, 2.0], "=note": ["-fell", "rose"]})
    out = pd.read_csv(io.StringIO(csv_text(frame)), keep_default_na=False)
    assert list(out.columns) == ["value", "'=note"]
    assert list(out.value) == [-1.5, 2.0] and list(out["'=note"]) == ["'-fell", "rose"]
