"""Period rules: the Python reader and the SQL macros agree on one table of cases."""

from datetime import date

import duckdb
import pytest

from etl.warehouse import sql_text
from goal_councils.periods import PeriodError, parse_free_label, parse_period, period_end

CONTRACT = [
    # label, frequency, expected canonical label (None = refused)
    ("2025", "annual", "2025"),
    ("2025-03", "monthly", "2025-03"),
    ("2025-Q2", "quarterly", "2025-Q2"),
    ("2024/25", "financial_year", "2024/25"),
    ("2025-04-01", "quarterly", "2025-Q2"),
    ("2025-04-01", "financial_year", "2025/26"),
    ("2025-03-01", "monthly", "2025-03"),
    ("2025-01-01", "annual", "2025"),
    ("2025-03-15", "monthly", None),
    ("2025-02-01", "quarterly", None),
    ("2025-Q2", "monthly", None),
    ("2025-03", "quarterly", None),
    ("2024/26", "financial_year", None),
    ("2025-13", "monthly", None),
    ("2025-02-30", "monthly", None),
    ("March 2025", "monthly", None),
    ("", "annual", None),
]


@pytest.mark.parametrize("label,frequency,expected", CONTRACT)
def test_python_reader(label, frequency, expected):
    if expected is None:
        with pytest.raises(PeriodError):
            parse_period(label, frequency)
    else:
        assert parse_period(label, frequency).label == expected


def test_sql_macros_agree_with_python():
    con = duckdb.connect()
    con.execute(sql_text("macros.sql"))
    for label, frequency, expected in CONTRACT:
        kind, start = con.execute(
            "SELECT period_kind(?), period_start_of(?, period_kind(?))", [label, label, label]).fetchone()
        fits = kind is not None and (kind == frequency or (
            kind == "date" and con.execute("SELECT is_period_start(?, ?)", [frequency, start]).fetchone()[0]))
        got = con.execute("SELECT period_label_of(?, ?)", [frequency, start]).fetchone()[0] if fits else None
        assert got == expected, (label, frequency)


@pytest.mark.parametrize("label,frequency,canonical", [
    ("2015", "annual", "2015"),
    ("2000 Q1", "quarterly", "2000-Q1"),
    ("2011/12", "financial_year", "2011/12"),
    ("2014/2015", "financial_year", "2014/15"),
    ("2017-18", "financial_year", "2017/18"),
    ("2010 to 2011", "financial_year", "2010/11"),
    ("2018 to 2020", "annual", "2020"),
    ("1985-87", "annual", "1987"),
    ("2005-2007", "annual", "2007"),
    ("2002/03-2007/08", "financial_year", "2007/08"),
    ("17 May to 11 June 2023", "annual", "2023"),
    ("1999/00", "financial_year", "1999/00"),
])
def test_published_labels(label, frequency, canonical):
    p = parse_free_label(label)
    assert (p.frequency, p.label) == (frequency, canonical)


@pytest.mark.parametrize("label", ["There is no data for this indicator yet",
                                   "This is a non-statistical indicator", "", "2011/10"])
def test_published_labels_that_are_not_periods(label):
    with pytest.raises(PeriodError):
        parse_free_label(label)


def test_period_end():
    assert period_end("quarterly", date(2025, 10, 1)) == date(2025, 12, 31)
    assert period_end("financial_year", date(2024, 4, 1)) == date(2025, 3, 31)
    assert period_end("monthly", date(2024, 2, 1)) == date(2024, 2, 29)
