"""Open SDG: the indicator reader and the repository import, on a small fixture and on the real data.

The real UK ONS and Canada CIF repositories are read in place from ../shared/datasets; where
that folder is absent (a user's clone) those tests skip and say so.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

from etl.extract import STANDARD_COLUMNS, ExtractError, ReadOptions
from etl.home import Home
from etl.open_sdg import (
    SHARED_FILE,
    OpenSdgError,
    breakdown_name,
    breakdown_value,
    import_open_sdg,
    organisation_names,
    read_open_sdg_file,
    unit_fields,
)
from goal_councils import load_definitions
from tests.support import DATASETS, write

MINI = Path(__file__).parent / "fixtures" / "open_sdg" / "mini-sdg"
UK = DATASETS / "uk-ons-sdg"
CANADA = DATASETS / "canada-cif"
TODAY = date(2026, 11, 24)

needs_shared = pytest.mark.skipif(
    not (UK.is_dir() and CANADA.is_dir()),
    reason=f"the real Open SDG datasets are not at {DATASETS} (../shared is absent in a user's clone)",
)


def read(path: Path, defs, org: str | None = None, opts: ReadOptions | None = None):
    """Read as the owner of the indicator's measures (the organisation the import assigned)."""
    if org is None:
        ind = path.stem.removeprefix("indicator_")
        org = next(m.owner for m in defs.measures.values() if m.open_sdg and m.open_sdg.indicator == ind)
    return read_open_sdg_file(path, defs, org, opts or ReadOptions())


def source_rows(path: Path) -> list[tuple[int, dict]]:
    """(CSV line, row) for every non-blank data row, read with nothing but the csv module."""
    text = path.read_bytes().decode("utf-8-sig")
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    out, line = [], reader.line_num
    for cells in reader:
        start, line = line + 1, reader.line_num
        if any(c.strip() for c in cells):
            out.append((start, dict(zip(header, cells, strict=True))))
    return out


def first_line(path: Path, year: str) -> int:
    return next(n for n, r in source_rows(path) if r["Year"] == year)


def at_row(x, line: int) -> dict:
    rows = x.frame[x.frame["row"] == line]
    assert len(rows) == 1, f"row {line}: {len(rows)} rows"
    return rows.iloc[0].to_dict()


def lines(problems) -> list[str]:
    return [str(p) for p in problems]


# === the small fixture repository (always runs) ==============================================


@pytest.fixture(scope="module")
def mini(tmp_path_factory):
    folder = tmp_path_factory.mktemp("mini") / "definitions"
    plan = import_open_sdg(MINI, folder)
    return plan, load_definitions(folder), folder


def test_mini_import_plan_and_reported_problems(mini):
    plan, defs, folder = mini
    data = MINI / "data"
    assert list(plan) == [
        ("marine-conservation-society", [data / "indicator_3-1-1.csv"]),
        ("office-for-national-statistics", [data / "indicator_3-2-1.csv"]),
        ("foreign-commonwealth-and-development-office", [data / "indicator_4-b-1.csv"]),
        ("statistics-canada", [data / "indicator_8-3-1.csv"]),
        ("not-stated", [data / "indicator_16-6-1.csv"]),  # its metadata names no organisation
    ]
    assert lines(plan.problems) == [
        "data/indicator_16-6-1.csv: warning: no data rows (placeholder only); "
        "the objective is defined without measures",
        "meta/16-6-1.md: warning: no organisation is named for this indicator (source_organisation_N, "
        "data_provider); credited to 'Not stated'",
    ]
    assert plan.slug == "mini-sdg"
    assert plan.files == [folder / "open-sdg-mini-sdg" / "councils.yaml", folder / SHARED_FILE]


def test_mini_definitions(mini):
    _, defs, _ = mini
    assert set(defs.organisations) == {
        "marine-conservation-society",
        "office-for-national-statistics",
        "northern-ireland-statistics-and-research-agency",
        "foreign-commonwealth-and-development-office",
        "organisation-for-economic-co-operation-and-development",
        "statistics-canada",
        "not-stated",
    }
    ons = defs.organisations["office-for-national-statistics"]
    assert (ons.name, ons.short_name, ons.kind) == ("Office for National Statistics", "ONS", "statistics_office")
    # 'NISRA' alone and 'Northern Ireland Statistics and Research Agency (NISRA)' are one partner;
    # the inactive Public Health England source is not a partner
    under5 = defs.objectives["mini-sdg.3-2-1"]
    assert [(p.org, p.role, p.responsibility) for p in under5.partners] == [
        ("office-for-national-statistics", "lead", "Publishes the source data (Child mortality in England and Wales)"),
        (
            "northern-ireland-statistics-and-research-agency",
            "contributor",
            "Supplies data (Registrar General annual report)",
        ),
    ]
    assert under5.name == "Under-five mortality rate"  # graph_title, not the translation key
    assert defs.objectives["mini-sdg.16-6-1"].name == "Indicator 16.6.1"
    assert defs.objectives["mini-sdg.16-6-1"].measures == []
    assert defs.council_of["mini-sdg.16-6-1"] == "mini-sdg.government"
    m = defs.measures["mini-sdg.3-2-1.under-five"]
    assert (m.role, m.unit, m.rate_per, m.unit_label, m.direction, m.frequency) == (
        "headline",
        "rate",
        1000,
        "per 1,000 live births",
        "down",
        "annual",
    )
    assert "Direction assumed" in m.description and "'mortality'" in m.description
    assert m.description.startswith("Deaths before the age of 5 per 1,000 live births.")
    assert m.breakdowns == {"Sex": ["Female", "Male"]}
    assert m.open_sdg.model_dump() == {
        "indicator": "3-2-1",
        "series": "Under-five mortality",
        "unit": "Rate per 1,000 live births",
        "columns": {"Sex": "Sex"},
    }
    gbp, usd = (defs.measures[f"mini-sdg.4-b-1.{u}"] for u in ("gbp-thousands", "constant-usd-thousands"))
    assert (gbp.unit, gbp.unit_label, gbp.role, gbp.frequency) == (
        "money",
        "GBP (£ thousands)",
        "headline",
        "financial_year",
    )
    assert (usd.unit, usd.unit_label, usd.role) == ("money", "Constant USD ($ thousands)", "contributing")
    assert gbp.breakdowns == {"Sector": ["Health, education"]}  # ';' rewritten
    neet = defs.measures["mini-sdg.8-3-1"]
    assert (neet.unit, neet.frequency, neet.direction) == ("percent", "quarterly", "down")
    assert neet.breakdowns == {"Geography": ["Canada", "Ontario"], "Gender": ["Women+", "Men+"]}
    assert neet.open_sdg.columns == {"data.Geography": "Geography", "data.Gender": "Gender"}
    assert neet.target.final.model_dump() == {"period": "2030-Q4", "value": 8.0}
    assert neet.target.baseline.model_dump() == {"period": "2021-Q4", "value": 11.2}
    maternal = defs.measures["mini-sdg.3-1-1"]
    assert (maternal.unit, maternal.rate_per, maternal.open_sdg.unit) == (
        "rate",
        100000,
        "Rate per 100,000 maternities",
    )


def frame(rows: list[tuple], breakdowns: list[str]) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=[*STANDARD_COLUMNS, *breakdowns], dtype=object)
    f["row"] = f["row"].astype("int64")
    return f


def test_mini_reads_as_the_contract(mini):
    _, defs, _ = mini
    x = read(MINI / "data" / "indicator_3-2-1.csv", defs)  # BOM, CRLF, a blank line 3
    pd.testing.assert_frame_equal(
        x.frame,
        frame(
            [
                (2, "mini-sdg.3-2-1.under-five", "2019", "2019", "4.1", "", "", ""),
                (4, "mini-sdg.3-2-1.under-five", "2019", "2019", "3.7", "estimated", "", "Female"),
                (
                    5,
                    "mini-sdg.3-2-1.under-five",
                    "2019",
                    "2019",
                    "",
                    "suppressed",
                    "blank in source: Missing value; suppressed",
                    "Male",
                ),
                (6, "mini-sdg.3-2-1.under-five", "2020", "2020", "3.9", "provisional", "", ""),
                (7, "mini-sdg.3-2-1.neonatal", "2020", "2020", "2.7", "", "Low reliability", ""),
            ],
            ["Sex"],
        ),
    )
    assert (x.format, x.breakdown_columns, x.problems) == ("open_sdg", ["Sex"], [])

    x = read(MINI / "data" / "indicator_4-b-1.csv", defs)  # two units, three spellings of a year
    pd.testing.assert_frame_equal(
        x.frame,
        frame(
            [
                (2, "mini-sdg.4-b-1.gbp-thousands", "2019/20", "2019/20", "120", "", "", ""),
                (3, "mini-sdg.4-b-1.constant-usd-thousands", "2019/20", "2019/20", "155", "", "", ""),
                (4, "mini-sdg.4-b-1.gbp-thousands", "2020/21", "2020 to 2021", "130", "", "", ""),
                (5, "mini-sdg.4-b-1.gbp-thousands", "2020/21", "2020 to 2021", "42", "", "", "Health, education"),
                (6, "mini-sdg.4-b-1.gbp-thousands", "2021/22", "2021/2022", "128", "", "", ""),
            ],
            ["Sector"],
        ),
    )

    x = read(MINI / "data" / "indicator_8-3-1.csv", defs)  # quoted "", data. prefixes, GeoCode
    pd.testing.assert_frame_equal(
        x.frame,
        frame(
            [
                (2, "mini-sdg.8-3-1", "2021-Q4", "2021 Q4", "11.2", "", "", "", ""),
                (3, "mini-sdg.8-3-1", "2021-Q4", "2021 Q4", "10.8", "", "", "Canada", "Women+"),
                (4, "mini-sdg.8-3-1", "2022-Q1", "2022 Q1", "10.9", "", "", "", ""),
                (5, "mini-sdg.8-3-1", "2022-Q1", "2022 Q1", "", "suppressed", "blank in source", "Ontario", "Men+"),
            ],
            ["Geography", "Gender"],
        ),
    )

    x = read(MINI / "data" / "indicator_3-1-1.csv", defs)  # 2009-11 is a window, not November 2009
    pd.testing.assert_frame_equal(
        x.frame,
        frame(
            [
                (2, "mini-sdg.3-1-1", "2011", "2009-11", "10.63", "", ""),
                (3, "mini-sdg.3-1-1", "2014", "2012-14", "8.54", "", ""),
            ],
            [],
        ),
    )

    x = read(MINI / "data" / "indicator_16-6-1.csv", defs, org="office-for-national-statistics")
    assert x.frame.empty and list(x.frame.columns) == list(STANDARD_COLUMNS)
    assert lines(x.problems) == [
        "indicator_16-6-1.csv:2:Year: warning: no data: the row holds only a placeholder text; skipped "
        "(value 'There is no data for this indicator yet')"
    ]


def test_mini_passes_the_validator(mini, tmp_path):
    from etl.load import LoadRequest, validate_files

    plan, defs, folder = mini
    home = Home.at(tmp_path / "home").ensure()
    for org, files in plan:
        rows, errors, warnings = validate_files(home, LoadRequest(org, files), defs=defs, today=TODAY)
        assert errors == [], lines(errors)
    _, errors, _ = validate_files(
        home, LoadRequest("statistics-canada", [MINI / "data" / "indicator_3-1-1.csv"]), defs=defs, today=TODAY
    )
    assert lines(errors) == [
        f"indicator_3-1-1.csv:{n}:measure_id: measure is owned by marine-conservation-society, "
        "not by statistics-canada (value 'mini-sdg.3-1-1')"
        for n in (2, 3)
    ]


HEADER = "Year,Series,Sex,Unit measure,Unit multiplier,Observation status,GeoCode,Value\n"
GOOD = '2019,Under-five mortality,,"Rate per 1,000 live births",Units,Normal value,,4.1\n'

BROKEN = [
    (
        "prose in Year",
        HEADER + GOOD + '2020 (see note),Under-five mortality,,"Rate per 1,000 live births",Units,,,3.9\n',
        [
            "indicator_3-2-1.csv:3:Year: Year is not a period (expected e.g. 2015, 2015 Q1, 2015/16, "
            "2010 to 2012) (value '2020 (see note)')"
        ],
    ),
    (
        "placeholder",
        HEADER + GOOD + "Data to follow,,,,,,,\n",
        [
            "indicator_3-2-1.csv:3:Year: warning: no data: the row holds only a placeholder text; skipped "
            "(value 'Data to follow')"
        ],
    ),
    (
        "ragged row",
        HEADER + GOOD + "2020,Under-five mortality,,3.9\n",
        ["indicator_3-2-1.csv:3: row has 4 fields, the header has 8"],
    ),
    (
        "unknown series",
        HEADER
        + GOOD
        + '2020,Infant mortality,,"Rate per 1,000 live births",Units,,,3.1\n'
        + '2021,Infant mortality,,"Rate per 1,000 live births",Units,,,3.0\n',
        [
            "indicator_3-2-1.csv:3:Series: no measure is defined for series 'Infant mortality' of indicator "
            "3-2-1 (and 1 more row like it) (value 'Infant mortality')"
        ],
    ),
    (
        "unknown unit",
        HEADER + GOOD + "2020,Under-five mortality,,Deaths,Units,,,310\n",
        [
            "indicator_3-2-1.csv:3:Unit measure: no measure is defined for unit 'Deaths' of series "
            "'Under-five mortality' of indicator 3-2-1 (value 'Deaths')"
        ],
    ),
    (
        "repeated row",
        HEADER + GOOD + '2019,Under-five mortality,,"Rate per 1,000 live births",Units,Normal value,,4.2\n',
        [
            "indicator_3-2-1.csv:3:Value: same measure, period and breakdown as row 2 "
            "(value there '4.1') (value '4.2')"
        ],
    ),
    (
        "column twice",
        'Year,Series,Sex,Sex,Unit measure,Value\n2019,Under-five mortality,,,"Rate per 1,000 live births",4.1\n',
        ["indicator_3-2-1.csv:1:Sex: column appears twice (columns 3 and 4)"],
    ),
]


@pytest.mark.parametrize("text,expected", [(t, e) for _, t, e in BROKEN], ids=[n for n, _, _ in BROKEN])
def test_broken_copies_name_file_row_column_and_reason(mini, tmp_path, text, expected):
    _, defs, _ = mini
    path = write(tmp_path / "indicator_3-2-1.csv", text.replace("\n", "\r\n"))
    x = read(path, defs, org="office-for-national-statistics")
    assert lines(x.problems) == expected


@pytest.mark.parametrize(
    "name,text,opts,expected",
    [
        (
            "indicator_3-2-1.csv",
            "Year,Sex,Amount\n2019,,4\n",
            ReadOptions(),
            ["indicator_3-2-1.csv:1:Value: required column is missing"],
        ),
        (
            "upload.csv",
            "Year,Value\n2019,4\n",
            ReadOptions(),
            [
                "upload.csv: cannot tell the Open SDG indicator: name the file indicator_<id>.csv or give the "
                "indicator (--indicator 3-2-1)"
            ],
        ),
        ("empty.csv", "", ReadOptions(indicator="3.2.1"), ["empty.csv: file is empty"]),
    ],
)
def test_unreadable_files(mini, tmp_path, name, text, opts, expected):
    _, defs, _ = mini
    with pytest.raises(ExtractError) as e:
        read_open_sdg_file(write(tmp_path / name, text), defs, "office-for-national-statistics", opts)
    assert lines(e.value.problems) == expected


def test_indicator_from_options_and_no_measure_at_all(mini, tmp_path):
    _, defs, _ = mini
    path = write(tmp_path / "upload.csv", "Year,Value\n2011-13,4\n2012-14,5\n")
    x = read_open_sdg_file(path, defs, "marine-conservation-society", ReadOptions(indicator="3.1.1"))
    assert lines(x.problems) == [
        "upload.csv:2:Series: no measure is defined for series '(none)' of indicator 3-1-1 (and 1 more row like it)"
    ]
    x = read_open_sdg_file(path, defs, "marine-conservation-society", ReadOptions(indicator="9-9-9"))
    assert lines(x.problems) == [
        "upload.csv:2: no measure is defined for Open SDG indicator 9-9-9 (and 1 more row like it)"
    ]
    assert x.frame.empty


def test_council_map_and_idempotent_reimport(tmp_path):
    folder = tmp_path / "definitions"
    import_open_sdg(MINI, folder)
    first = {p: p.read_text() for p in folder.rglob("*.yaml")}
    import_open_sdg(MINI, folder)
    assert {p: p.read_text() for p in folder.rglob("*.yaml")} == first
    import_open_sdg(MINI, folder, council_map={"3": "Health council", "8": "education", "4-b-1": "economy"})
    defs = load_definitions(folder)
    assert {o: defs.council_of[o] for o in defs.objectives} == {
        "mini-sdg.3-1-1": "mini-sdg.health-council",
        "mini-sdg.3-2-1": "mini-sdg.health-council",
        "mini-sdg.4-b-1": "mini-sdg.economy",
        "mini-sdg.8-3-1": "mini-sdg.education",
        "mini-sdg.16-6-1": "mini-sdg.government",
    }
    assert defs.councils["mini-sdg.health-council"].name == "Health council (mini-sdg)"
    assert defs.councils["mini-sdg.education"].name == "Education (mini-sdg)"


def test_import_beside_other_definitions(tmp_path):
    folder = tmp_path / "definitions"
    write(
        folder / "ours.yaml",
        yaml.safe_dump(
            {
                "organisations": [{"id": "office-for-national-statistics", "name": "ONS", "kind": "statistics_office"}],
                "breakdowns": {"Sex": ["F", "M"], "Sector": ["Health, education", "Other"]},
            }
        ),
    )
    plan = import_open_sdg(MINI, folder, name="Mini SDG")
    defs = load_definitions(folder)
    assert defs.organisations["office-for-national-statistics"].name == "ONS"  # reused, not redeclared
    assert defs.measures["mini-sdg.3-2-1.under-five"].breakdowns == {"Sex (Mini SDG)": ["Female", "Male"]}
    assert defs.measures["mini-sdg.4-b-1.gbp-thousands"].breakdowns == {"Sector": ["Health, education"]}
    assert (
        f"{folder}: warning: breakdown is declared elsewhere with other values; imported as "
        "'Sex (Mini SDG)' (value 'Sex')"
    ) in lines(plan.problems)
    x = read(MINI / "data" / "indicator_3-2-1.csv", defs)
    assert x.breakdown_columns == ["Sex (Mini SDG)"]


def test_rows_told_apart_only_by_geocode_get_a_geocode_breakdown(tmp_path):
    src = tmp_path / "geo-sdg"
    write(src / "meta" / "12-5-1.md", "---\nsource_organisation_1: Statistics Canada\n---\n")
    write(
        src / "data" / "indicator_12-5-1.csv",
        "Year,Region,GeoCode,Value\n2020,,,41.5\n2020,North,E12000001,40.2\n2020,North,E12000002,44.0\n",
    )
    import_open_sdg(src, tmp_path / "definitions")
    defs = load_definitions(tmp_path / "definitions")
    m = defs.measures["geo-sdg.12-5-1"]
    assert m.breakdowns == {"Region": ["North"], "GeoCode": ["E12000001", "E12000002"]}
    assert m.open_sdg.columns == {"Region": "Region", "GeoCode": "GeoCode"}
    x = read(src / "data" / "indicator_12-5-1.csv", defs)
    assert x.problems == []
    assert x.frame[["row", "Region", "GeoCode"]].values.tolist() == [
        [2, "", ""],
        [3, "North", "E12000001"],
        [4, "North", "E12000002"],
    ]


def test_not_a_repository(tmp_path):
    with pytest.raises(OpenSdgError) as e:
        import_open_sdg(tmp_path, tmp_path / "definitions")
    assert lines(e.value.problems) == [f"{tmp_path}: not an Open SDG data repository (needs data/ and meta/ folders)"]
    assert not (tmp_path / "definitions").exists()


@pytest.mark.parametrize(
    "text,expected",
    [
        ("Office for National Statistics (ONS)", [("Office for National Statistics", "ONS")]),
        ("Office For National Statistics (Nomis)", [("Office for National Statistics", "Nomis")]),
        ("' Statistics Canada '", [("Statistics Canada", None)]),
        ("National Resources Canada", [("Natural Resources Canada", "NRCan")]),
        (
            "Department for Business, Energy & Industrial Strategey",
            [("Department for Business, Energy & Industrial Strategy", "BEIS")],
        ),
        (
            "Department for Environment, Food & Rural Affairs (DEFRA)",
            [("Department for Environment, Food & Rural Affairs", "DEFRA")],
        ),
        (
            "Office for National Statistics (ONS); Ricardo Energy and Environment",
            [("Office for National Statistics", "ONS"), ("Ricardo Energy and Environment", None)],
        ),
        (
            "Office for National Statistics, Ricardo Energy and Environment",
            [("Office for National Statistics", "ONS"), ("Ricardo Energy and Environment", None)],
        ),
        (
            "Marine Conservation Society (MCS) and Office for National Statistics (ONS)",
            [("Marine Conservation Society", "MCS"), ("Office for National Statistics", "ONS")],
        ),
        (
            "Environment and Climate Change Canada and Health Canada",
            [("Environment and Climate Change Canada", "ECCC"), ("Health Canada", None)],
        ),
        (
            "Environment and Climate Change Canada, Fisheries and Oceans Canada, Parks Canada, and the "
            "Committee on the Status of Endangered Wildlife in Canada Secretariat",
            [
                ("Environment and Climate Change Canada", "ECCC"),
                ("Fisheries and Oceans Canada", "DFO"),
                ("Parks Canada", None),
                ("Committee on the Status of Endangered Wildlife in Canada Secretariat", "COSEWIC Secretariat"),
            ],
        ),
        (
            "Food and Agriculture Organization of the United Nations",
            [("Food and Agriculture Organization of the United Nations", "FAO")],
        ),
        ("Home Office - Homicide Index", [("Home Office", None)]),
        ("National Health Service (NHS) Digital", [("NHS Digital", None)]),
    ],
)
def test_organisation_names(text, expected):
    assert organisation_names(text) == expected


def test_organisation_names_split_at_names_seen_alone():
    text = "UNESCO Institute for Statistics and The World Bank"
    assert organisation_names(text) == [(text, None)]
    assert organisation_names(text, known=["UNESCO Institute for Statistics"]) == [
        ("UNESCO Institute for Statistics", None),
        ("World Bank", None),
    ]


@pytest.mark.parametrize(
    "header,expected",
    [
        ("data.Gender", "Gender"),
        ("Gender", "Gender"),
        (" Age (default) ", "Age"),
        ("Income | wealth", "Income / wealth"),
        ("value", "value (breakdown)"),
    ],
)
def test_breakdown_names(header, expected):
    assert breakdown_name(header) == expected


@pytest.mark.parametrize(
    "cell,prefixed,expected",
    [
        ("Water supply; sewerage", False, "Water supply, sewerage"),
        ("a=b|c", False, "a:b/c"),
        ("data.Police", True, "Police"),
        ("data.Police", False, "data.Police"),
        ("  Men+  ", False, "Men+"),
        ("TJ/Â£ million", False, "TJ/£ million"),
    ],
)
def test_breakdown_values(cell, prefixed, expected):
    assert breakdown_value(cell, prefixed) == expected


@pytest.mark.parametrize(
    "text,values,expected",
    [
        ("Percentage (%)", [3.8, 99.5], {"unit": "percent"}),
        ("Percentage (%)", [-1.2, 2.5], {"unit": "number", "unit_label": "%"}),  # growth rates
        ("Percentage", [170.2], {"unit": "number", "unit_label": "%"}),  # debt to income ratio
        (
            "Rate per 100,000 population",
            [9.7],
            {"unit": "rate", "rate_per": 100000, "unit_label": "per 100,000 population"},
        ),
        (
            "Crude rate per 100,000 population",
            [7.8],
            {"unit": "rate", "rate_per": 100000, "unit_label": "per 100,000 population"},
        ),
        (
            "Birth rate per 1,000 women in age group",
            [50.1],
            {"unit": "rate", "rate_per": 1000, "unit_label": "per 1,000 women in age group"},
        ),
        ("GBP (£ thousands)", [120], {"unit": "money", "unit_label": "GBP (£ thousands)"}),
        ("Dollars", [60000], {"unit": "money", "unit_label": "Dollars"}),
        (
            "Terajoules per million pounds (TJ/£ million)",
            [3.1],
            {"unit": "number", "unit_label": "Terajoules per million pounds (TJ/£ million)"},
        ),
        ("Number", [195772, 244715], {"unit": "count"}),
        ("Number", [0.314], {"unit": "number", "unit_label": "Number"}),  # a Gini coefficient
        ("Index", [0.8], {"unit": "index"}),
        ("Score", [82.5], {"unit": "index", "unit_label": "Score"}),
        ("", [0.77], {"unit": "number"}),
    ],
)
def test_unit_fields(text, values, expected):
    assert unit_fields(text, values) == expected


# === the real repositories (../shared) =======================================================


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    if not (UK.is_dir() and CANADA.is_dir()):
        pytest.skip(f"the real Open SDG datasets are not at {DATASETS} (../shared is absent in a user's clone)")
    home = Home.at(tmp_path_factory.mktemp("real") / "home").ensure()
    plans = {ds: import_open_sdg(DATASETS / ds, home.definitions) for ds in ("uk-ons-sdg", "canada-cif")}
    return home, plans, load_definitions(home.definitions)


# data rows, placeholder rows, rows repeating an earlier row's measure, period and breakdown
EXPECTED_ROWS = {"uk-ons-sdg": (49_297, 3, 37), "canada-cif": (49_527, 0, 0)}


@needs_shared
@pytest.mark.parametrize("dataset", EXPECTED_ROWS)
def test_every_file_reads_every_row(real, dataset):
    _, _, defs = real
    totals = [0, 0, 0, 0]
    for path in sorted((DATASETS / dataset / "data").glob("indicator_*.csv")):
        # ownership is the validator's check, not the reader's
        x = read(path, defs, org="-", opts=ReadOptions(tolerate_repeats=True))
        assert [p for p in x.problems if p.severity == "error"] == [], path.name
        placeholders = sum("placeholder" in p.reason for p in x.problems)
        repeats = sum("row" in p.reason and "kept" in p.reason for p in x.problems)
        source = source_rows(path)
        assert len(x.frame) == len(source) - placeholders - repeats, path.name
        read_values = dict(zip(x.frame["row"], x.frame["value"], strict=True))
        for n, r in source:  # each value as published; a blank stays blank, never 0
            if n in read_values:
                assert read_values[n] == r["Value"].strip(), f"{path.name}:{n}"
        totals = [a + b for a, b in zip(totals, (len(source), placeholders, repeats, len(x.frame)), strict=True)]
    rows, placeholders, repeats = EXPECTED_ROWS[dataset]
    assert totals == [rows, placeholders, repeats, rows - placeholders - repeats]


@needs_shared
def test_uk_unemployment_quarters(real):
    _, _, defs = real
    path = UK / "data" / "indicator_8-5-2.csv"
    x = read(path, defs)
    assert len(x.frame) == 9_261
    assert at_row(x, 2) == {
        "row": 2,
        "measure_id": "uk-ons-sdg.8-5-2.seasonally-adjusted",
        "period": "2000-Q1",
        "period_label": "2000 Q1",
        "value": "3.8",
        "status": "",
        "note": "",
        "Age": "",
        "Country": "England",
        "Region": "East",
        "Country of birth": "",
        "Disability status": "",
        "Sex": "Female",
    }
    assert at_row(x, 94)["period"] == "2023-Q1" and at_row(x, 94)["value"] == "4.5"
    blanks = x.frame[x.frame["value"] == ""]
    assert len(blanks) == 61
    assert set(blanks["status"]) == {"suppressed"}
    assert set(blanks["note"]) == {"blank in source: Missing value; suppressed"}
    assert "GeoCode" not in x.frame  # an attribute, not a breakdown
    m = defs.measures["uk-ons-sdg.8-5-2.seasonally-adjusted"]
    assert (m.frequency, m.unit, m.role) == ("quarterly", "percent", "headline")


@needs_shared
def test_canada_poverty_headline_and_target(real):
    _, _, defs = real
    x = read(CANADA / "data" / "indicator_1-1-1.csv", defs)
    assert len(x.frame) == 6_041
    total = x.frame[(x.frame[x.breakdown_columns] == "").all(axis=1)]
    assert dict(zip(total["period"], total["value"], strict=True))["2023"] == "10.4"
    m = defs.measures["canada-cif.1-1-1"]
    assert (m.owner, m.direction, m.unit, m.role) == ("statistics-canada", "down", "percent", "headline")
    assert m.target.final.model_dump() == {"period": "2030", "value": 7.25}
    assert m.target.baseline.model_dump() == {"period": "2015", "value": 14.5}
    assert set(m.breakdowns) == {"Geography", "Age group", "Gender", "Economic family type"}
    # targets that apply to one breakdown slice only (3-9-1: per disease) are not made measure targets
    assert defs.measures["canada-cif.3-9-1"].target is None
    assert defs.measures["canada-cif.3-4-1"].target.final.period == "2024/25"


@needs_shared
def test_blank_values_are_suppressed_not_zero(real):
    _, _, defs = real
    x = read(UK / "data" / "indicator_4-5-1.csv", defs)
    blanks = x.frame[x.frame["value"] == ""]
    assert len(blanks) == 888 and set(blanks["status"]) == {"suppressed"}
    assert blanks["note"].value_counts().to_dict() == {
        "blank in source: Missing value": 878,
        "blank in source: Normal value": 10,
    }
    assert not (x.frame["value"] == "0").any()


@needs_shared
@pytest.mark.parametrize(
    "dataset,indicator,label,period",
    [
        ("uk-ons-sdg", "16-1-1", "2011/12", "2011/12"),
        ("uk-ons-sdg", "4-c-1", "2010 to 2011", "2010/11"),
        ("uk-ons-sdg", "3-1-1", "2009-11", "2011"),
        ("uk-ons-sdg", "3-1-1", "1985-87", "1987"),
        ("uk-ons-sdg", "16-1-3", "2018 to 2020", "2020"),
        ("uk-ons-sdg", "10-1-1", "2002/03-2007/08", "2007/08"),
        ("uk-ons-sdg", "16-6-2", "17 May to 11 June 2023", "2023"),
        ("canada-cif", "3-4-1", "2014/2015", "2014/15"),
        ("canada-cif", "7-1-1", "2017-18", "2017/18"),
        ("canada-cif", "11-3-1", "2005-2007", "2007"),
        ("canada-cif", "1-3-1", "2015 Q4", "2015-Q4"),
    ],
)
def test_period_labels_are_kept_raw(real, dataset, indicator, label, period):
    _, _, defs = real
    path = DATASETS / dataset / "data" / f"indicator_{indicator}.csv"
    row = at_row(read(path, defs), first_line(path, label))
    assert (row["period"], row["period_label"]) == (period, label)
    frequency = "quarterly" if "Q" in period else "financial_year" if "/" in period else "annual"
    assert defs.measures[row["measure_id"]].frequency == frequency


@needs_shared
def test_placeholders_are_reported_not_dropped(real):
    _, plans, defs = real
    for ind, text in [
        ("16-6-1", "There is no data for this indicator yet"),
        ("4-a-1", "There is no data for this indicator yet"),
        ("1-5-3", "This is a non-statistical indicator"),
    ]:
        x = read(UK / "data" / f"indicator_{ind}.csv", defs, org="office-for-national-statistics")
        assert x.frame.empty
        assert lines(x.problems) == [
            f"indicator_{ind}.csv:2:Year: warning: no data: the row holds only a "
            f"placeholder text; skipped (value {text!r})"
        ]
        assert (
            f"data/indicator_{ind}.csv: warning: no data rows (placeholder only); the objective is "
            "defined without measures" in lines(plans["uk-ons-sdg"].problems)
        )
        assert defs.objectives[f"uk-ons-sdg.{ind}"].measures == []
    assert defs.objectives["uk-ons-sdg.16-6-1"].name == "Indicator 16.6.1"  # not global_indicators.16-6-1-title


@needs_shared
def test_units_and_unit_measure_both_understood(real):
    _, _, defs = real

    def only(ind):
        (m,) = [m for m in defs.measures.values() if m.id.startswith(f"uk-ons-sdg.{ind}")]
        return m

    under5 = only("3-2-1")  # `Unit measure`
    assert (under5.open_sdg.unit, under5.unit, under5.rate_per) == ("Rate per 1,000 live births", "rate", 1000)
    tb = only("3-3-2")  # `Units`
    assert (tb.open_sdg.unit, tb.unit, tb.rate_per) == ("Rate per 100,000 population", "rate", 100000)
    rate = defs.measures["uk-ons-sdg.3-1-1.rate"]  # both columns; `Unit measure` holds the word 'Units'
    assert (rate.open_sdg.unit, rate.rate_per) == ("Rate per 100,000 maternities", 100000)
    assert defs.measures["uk-ons-sdg.3-1-1.ratio"].open_sdg.unit == "Rate per 100,000 live births"
    assert only("7-3-1").open_sdg.unit == "Terajoules per million pounds (TJ/£ million)"  # mojibake undone


@needs_shared
def test_mixed_units_are_separate_measures(real):
    _, _, defs = real
    x = read(UK / "data" / "indicator_4-b-1.csv", defs)
    assert x.frame["measure_id"].value_counts().to_dict() == {
        "uk-ons-sdg.4-b-1.gbp-thousands": 132,
        "uk-ons-sdg.4-b-1.constant-usd-thousands": 132,
    }
    gbp = defs.measures["uk-ons-sdg.4-b-1.gbp-thousands"]
    assert (gbp.unit, gbp.unit_label) == ("money", "GBP (£ thousands)")
    x = read(UK / "data" / "indicator_9-2-1.csv", defs)
    assert x.frame["measure_id"].value_counts().to_dict() == {
        "uk-ons-sdg.9-2-1.percentage": 1452,
        "uk-ons-sdg.9-2-1.gbp-per-capita": 1452,
    }
    assert defs.measures["uk-ons-sdg.9-2-1.gbp-per-capita"].unit == "money"
    assert defs.measures["uk-ons-sdg.9-2-1.percentage"].unit == "percent"


@needs_shared
def test_mixed_period_kinds_are_separate_measures(real):
    _, plans, defs = real
    path = UK / "data" / "indicator_16-1-3.csv"
    x = read(path, defs)
    window = at_row(x, first_line(path, "2018 to 2020"))
    assert (window["measure_id"], window["period"]) == ("uk-ons-sdg.16-1-3.c-sexual-violence-16-to-74.annual", "2020")
    fy = x.frame[(x.frame["measure_id"] == "uk-ons-sdg.16-1-3.c-sexual-violence-16-to-74.financial-year")]
    assert sorted(set(fy["period"])) == ["2017/18", "2018/19", "2019/20"]
    assert (
        "data/indicator_16-1-3.csv:1176:Year: warning: series '(c) Sexual violence - 16 to 74' mixes "
        "period kinds (annual: 111 rows, financial year: 27 rows); one measure each"
        in lines(plans["uk-ons-sdg"].problems)
    )


@needs_shared
def test_repeated_rows_are_warnings_on_import_and_errors_in_a_submission(real):
    _, _, defs = real
    x = read(UK / "data" / "indicator_16-1-1.csv", defs, opts=ReadOptions(tolerate_repeats=True))
    assert lines(x.problems) == [
        "indicator_16-1-1.csv:67:Value: warning: same measure, period and breakdown as row 34 (value there "
        "'0.9346459917039042'); row 34 kept, this row skipped (value '0.9599066610097582')"
    ]
    x = read(UK / "data" / "indicator_16-1-1.csv", defs)
    assert lines(x.problems) == [
        "indicator_16-1-1.csv:67:Value: same measure, period and breakdown as row 34 (value there "
        "'0.9346459917039042') (value '0.9599066610097582')"
    ]


@needs_shared
def test_organisations_are_normalised(real):
    _, _, defs = real
    orgs = defs.organisations
    assert not [o.name for o in orgs.values() if "(" in o.name or o.name != o.name.strip()]
    assert orgs["office-for-national-statistics"].short_name == "ONS"
    assert [o for o in orgs if "national-statistics" in o] == ["office-for-national-statistics"]
    assert "nisra" not in orgs and "northern-ireland-statistics-and-research-agency" in orgs
    assert "natural-resources-canada" in orgs and "national-resources-canada" not in orgs
    assert orgs["statistics-canada"].kind == "statistics_office"
    assert [(p.org, p.role) for p in defs.objectives["canada-cif.15-2-1"].partners] == [
        ("environment-and-climate-change-canada", "lead"),
        ("fisheries-and-oceans-canada", "contributor"),
        ("parks-canada", "contributor"),
        ("committee-on-the-status-of-endangered-wildlife-in-canada", "contributor"),
    ]
    assert [p.org for p in defs.objectives["uk-ons-sdg.7-3-1"].partners] == [
        "office-for-national-statistics",
        "ricardo-energy-and-environment",
    ]
    assert defs.objectives["uk-ons-sdg.16-1-1"].lead.org == "home-office"


@needs_shared
def test_organisations_are_what_each_indicator_names(real):
    _, plans, defs = real
    # a dataset title in source_organisation_2 is not credited (it was an organisation before issue 9)
    assert "canadas-national-forest-inventory" not in defs.organisations
    assert [p.org for p in defs.objectives["canada-cif.15-6-1"].partners] == [
        "natural-resources-canada",
        "food-and-agriculture-organization-of-the-united-nations",
    ]
    assert (
        "meta/15-6-1.md:58:source_organisation_2: warning: is the title of a dataset, not an organisation; "
        "not credited (value 'Canada’s National Forest Inventory')" in lines(plans["canada-cif"].problems)
    )
    # "UNESCO’s Sections for Education for Sustainable Development and ..." names UNESCO
    assert defs.objectives["uk-ons-sdg.4-7-1"].lead.org == "unesco"
    # no active source: 'Not stated', no longer ONS (the name the repository uses most)
    assert {o for o, obj in defs.objectives.items() if obj.lead.org == "not-stated"} == {
        "uk-ons-sdg.1-5-3",
        "uk-ons-sdg.4-a-1",
        "uk-ons-sdg.16-6-1",
    }


@needs_shared
def test_breakdown_names_are_shared(real):
    _, _, defs = real
    assert defs.measures["canada-cif.8-3-1"].open_sdg.columns == {
        "data.Geography": "Geography",
        "data.Age group": "Age group",
        "data.Gender": "Gender",
    }
    assert {"Women+", "Men+"} <= set(defs.breakdowns["Gender"])  # the same vocabulary as 1-1-1's Gender
    confidence = defs.measures["canada-cif.16-7-1"].breakdowns
    assert "Police" in confidence["Institutions"] and not any(
        v.startswith("data.") for vs in confidence.values() for v in vs
    )
    assert "Water supply, sewerage, waste management and remediation activities" in defs.breakdowns["Industry sector"]
    assert "Age (default)" not in defs.breakdowns
    assert not [v for vs in defs.breakdowns.values() for v in vs if set(v) & set("|=;")]


@needs_shared
def test_councils_headlines_and_directions(real):
    _, _, defs = real
    assert {c for c in defs.councils} == {
        f"{ds}.{t}"
        for ds in ("uk-ons-sdg", "canada-cif")
        for t in ("education", "economy", "environment", "health-safety", "government")
    }
    assert defs.council_of["uk-ons-sdg.4-c-1"] == "uk-ons-sdg.education"
    assert defs.council_of["canada-cif.16-6-1"] == "canada-cif.government"
    assert defs.objectives["uk-ons-sdg.3-5-2"].headline.open_sdg.series == (
        "Total alcohol consumption per capita (aged 15 years and older) within a calendar year"
    )
    assert defs.objectives["uk-ons-sdg.3-1-1"].headline.id == "uk-ons-sdg.3-1-1.rate"
    for ident, direction, assumed in [
        ("canada-cif.1-1-1", "down", False),
        ("canada-cif.8-6-1", "up", False),
        ("canada-cif.13-1-1", "down", False),
        ("uk-ons-sdg.3-2-1", "down", True),
        ("uk-ons-sdg.4-4-1", "up", True),
        ("uk-ons-sdg.8-1-1", "none", False),  # GDP growth: no direction of good declared or named
        ("uk-ons-sdg.15-5-1", "none", False),
    ]:
        m = defs.measures[ident]
        assert (m.direction, "Direction assumed" in m.description) == (direction, assumed), ident
        assert ("No direction of good" in m.description) == (direction == "none"), ident


@needs_shared
@pytest.mark.slow
def test_import_and_load_both_datasets(real):
    from etl.load import LoadRequest, load_batch

    home, plans, _ = real
    opts = ReadOptions(tolerate_repeats=True)
    requests = [LoadRequest(org, files, by="test", options=opts) for plan in plans.values() for org, files in plan]
    results = load_batch(home, requests, today=TODAY)
    warnings = [w for r in results for w in r.warnings]
    assert len([w for w in warnings if "placeholder" in w.reason]) == 3
    assert len([w for w in warnings if "kept" in w.reason]) == 37
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        counts = dict(
            con.execute("SELECT split_part(measure_id, '.', 1), count(*) FROM observations GROUP BY 1").fetchall()
        )
        assert counts == {"uk-ons-sdg": 49_297 - 3 - 37, "canada-cif": 49_527}
        blanks = con.execute(
            "SELECT count(*) FILTER (WHERE value IS NULL), count(*) FILTER (WHERE value IS NULL "
            "AND status = 'suppressed'), count(*) FILTER (WHERE status = 'suppressed') FROM observations"
        ).fetchone()
        assert blanks == (1_172 + 2_124,) * 3  # UK's 1,175 blanks less 3 placeholders; Canada's 2,124
        assert con.execute(
            "SELECT value, period_label FROM current_observations WHERE measure_id = 'canada-cif.1-1-1' "
            "AND breakdown = '' AND period = '2023'"
        ).fetchall() == [(10.4, "2023")]
        assert con.execute(
            "SELECT value, period_label FROM current_observations WHERE measure_id = 'uk-ons-sdg.16-1-1' "
            "AND breakdown = 'Age=Under 1|Sex=Male' AND period = '2011/12'"
        ).fetchall() == [(1.364256480218281, "2011/12")]
    finally:
        con.close()
