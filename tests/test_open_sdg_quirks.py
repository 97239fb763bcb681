"""Open SDG, issue 9: a real national repository's quirks, each in a small repository written by
hand (tests/fixtures/open_sdg_quirks/northland-sdg, or inline below), with its exact outcome:
trailing unnamed columns, footnote markers on Year, placeholders of indicators not started,
titles as translation keys, direction of good, yes/no indicators, phantom series, merged
metadata files, the organisations credited, and each file read once.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest
import yaml

import etl.load
import etl.open_sdg
import etl.open_sdg_reader
import etl.plans
from etl.extract import STANDARD_COLUMNS, ExtractError, ReadOptions
from etl.home import Home
from etl.load import LoadRequest, load_batch
from etl.open_sdg import (
    NOT_STATED,
    YAML_DUMPER,
    YAML_LOADER,
    import_open_sdg,
    organisations_in,
    read_open_sdg_file,
)
from goal_councils import load_definitions
from tests.support import write

NORTHLAND = Path(__file__).parent / "fixtures" / "open_sdg_quirks" / "northland-sdg"
TODAY = date(2026, 11, 24)
LOAD = ReadOptions(format="open_sdg", tolerate_repeats=True)  # as `outcomes import-open-sdg` loads
SOURCE = "source_active_1: true\nsource_organisation_1: Statistics Northland\n"


def lines(problems) -> list[str]:
    return [str(p) for p in problems]


def repository(root: Path, files: dict[str, str]) -> Path:
    """An Open SDG repository of the given files (path in the repository -> text)."""
    for rel, text in files.items():
        write(root / rel, text)
    for folder in ("data", "meta"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    return root


def meta(fields: str) -> str:
    return f"---\n{fields}---\n"


def frame(rows: list[tuple], breakdowns: list[str] = ()) -> pd.DataFrame:
    f = pd.DataFrame(rows, columns=[*STANDARD_COLUMNS, *breakdowns], dtype=object)
    f["row"] = f["row"].astype("int64")
    return f


# === the hand-written repository, imported and loaded ========================================


@pytest.fixture(scope="module")
def northland(tmp_path_factory):
    home = Home.at(tmp_path_factory.mktemp("northland") / "home").ensure()
    plan = import_open_sdg(NORTHLAND, home.definitions)
    return home, plan, plan.definitions


def test_northland_plan_and_problems(northland):
    _, plan, _ = northland
    data = NORTHLAND / "data"
    assert list(plan) == [
        ("statistics-northland", [data / "indicator_1-2-1.csv", data / "indicator_8-5-2.csv"]),
        ("ministry-of-environment-of-northland", [data / "indicator_15_a_1.csv"]),
        ("ministry-of-justice-of-northland", [data / "indicator_16-10-2.csv"]),
        ("not-stated", [data / "indicator_17-3-1.csv"]),
    ]  # 1-4-1 (not started, a placeholder 0) is not loaded
    assert lines(plan.problems) == [
        "meta/15-a-1.yml:1:indicator_name: warning: differs from meta/15_a_1.md:2 ('Public spending on "
        "biodiversity'); the value here is used (value 'Public expenditure on conservation of biodiversity')",
        "data/indicator_1-4-1.csv:2:Value: warning: reporting_status is notstarted and every value is 0 or "
        "blank (1 row): a placeholder, not data; no value is published (no data yet) and the file is not "
        "loaded (value '0')",
        "meta/17-3-1.md:5:source_organisation_1: warning: is a web address, not an organisation; not credited "
        "(value 'https://www.stats.northland.example/fdi')",
        "meta/17-3-1.md:7:source_organisation_2: warning: is the title of a dataset, not an organisation; "
        "not credited (value 'Balance of Payments Survey')",
        "meta/17-3-1.md:10:source_organisation_3: warning: is prose, not an organisation's name; not credited "
        "(value \"Figures are compiled from the central bank's returns. See the methodology note.\")",
        "meta/17-3-1.md: warning: no organisation is named for this indicator (source_organisation_N, "
        "data_provider); credited to 'Not stated'",
    ]
    # meta/README.md is not an indicator, and is passed over without a word
    assert not [p for p in plan.problems if "README" in p.file]


def test_northland_definitions(northland):
    _, _, defs = northland
    assert list(defs.objectives) == [
        "northland-sdg.1-2-1",
        "northland-sdg.1-4-1",
        "northland-sdg.8-5-2",
        "northland-sdg.15-a-1",
        "northland-sdg.16-10-2",
        "northland-sdg.17-3-1",
    ]
    poverty = defs.objectives["northland-sdg.1-2-1"]
    # titles were translation keys: the national title, and the target from translations/en
    assert poverty.name == "Share of people below the national poverty line"
    assert poverty.statement.startswith("By 2030, reduce at least by half the proportion of people")
    assert defs.measures["northland-sdg.1-2-1"].direction == "down"
    # not started, a placeholder `2015,0`: no data yet, never 'Latest 0 (2015)'
    assert defs.objectives["northland-sdg.1-4-1"].measures == []
    # blank-unit blank-value rows are no series: one measure, the real headline
    (unemployment,) = defs.objectives["northland-sdg.8-5-2"].measures
    assert (unemployment.id, unemployment.role, unemployment.open_sdg.unit) == (
        "northland-sdg.8-5-2",
        "headline",
        "Percentage (%)",
    )
    # 15_a_1.md and 15-a-1.yml are one indicator, their fields merged
    spending = defs.objectives["northland-sdg.15-a-1"]
    assert spending.name == "Public expenditure on conservation of biodiversity, NLD million"  # from the .yml
    assert spending.lead.org == "ministry-of-environment-of-northland"  # from the .md
    yes_no = defs.measures["northland-sdg.16-10-2"]
    assert (yes_no.categories, yes_no.direction, yes_no.decimals, yes_no.target) == (
        {"1": "Yes", "-1": "No"},
        "none",
        0,
        None,
    )
    assert [(p.org, p.role, p.responsibility) for p in defs.objectives["northland-sdg.16-10-2"].partners] == [
        ("ministry-of-justice-of-northland", "lead", "Provides the data")
    ]
    assert defs.objectives["northland-sdg.17-3-1"].lead.org == "not-stated"
    assert defs.organisations["not-stated"].name == NOT_STATED
    assert sorted(defs.organisations) == [
        "ministry-of-environment-of-northland",
        "ministry-of-justice-of-northland",
        "not-stated",
        "statistics-northland",
    ]
    assert defs.organisations["statistics-northland"].short_name == "SN"


def test_northland_loads_every_value_once_and_as_published(northland):
    home, plan, defs = northland
    reads: list[str] = []
    real_read = etl.open_sdg_reader.read_table_csv

    def counted(path, opts):
        reads.append(path.name)
        return real_read(path, opts)

    requests = [LoadRequest(org, files, by="test", options=LOAD) for org, files in plan]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(etl.open_sdg_reader, "read_table_csv", counted)
        mp.setattr(etl.load, "read_definitions", pytest.fail)  # the import's definitions are used
        with plan.parsed():
            results = load_batch(home, requests, defs=defs, today=TODAY)
    assert reads == []  # every file was read once, by the import
    assert [(r.request.org, r.rows_new, lines(r.warnings)) for r in results] == [
        (
            "statistics-northland",
            9,
            [
                "indicator_8-5-2.csv:2:Units: warning: no value and no unit of series 'Unemployment rate': "
                "not a series of its own; skipped (and 1 more row like it)"
            ],
        ),
        ("ministry-of-environment-of-northland", 2, []),
        ("ministry-of-justice-of-northland", 3, []),
        ("not-stated", 2, []),
    ]
    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        got = con.execute(
            "SELECT measure_id, period, period_label, value, status, note, breakdown FROM observations "
            "WHERE measure_id IN ('northland-sdg.1-2-1', 'northland-sdg.8-5-2') ORDER BY measure_id, period, breakdown"
        ).fetchall()
        stored = con.execute("SELECT categories FROM measures WHERE id = 'northland-sdg.16-10-2'").fetchone()
    finally:
        con.close()
    assert got == [
        ("northland-sdg.1-2-1", "2017/18", "2017-2018", 12.9, None, None, ""),
        ("northland-sdg.1-2-1", "2018/19", "2018-2019 (p)", 12.5, "provisional", None, ""),
        ("northland-sdg.1-2-1", "2019/20", "2019-2020r", 12.1, None, "Year marked 'r': revised", ""),
        ("northland-sdg.1-2-1", "2020/21", "2020-2021*", 11.8, None, "Year marked '*': footnote in the source", ""),
        (
            "northland-sdg.1-2-1",
            "2021/22",
            "2021-2022 (p)*",
            None,
            "suppressed",
            "blank in source; Year marked '(p)': provisional; Year marked '*': footnote in the source",
            "",
        ),
        ("northland-sdg.8-5-2", "2020", "2020", 4.1, None, None, ""),
        ("northland-sdg.8-5-2", "2020", "2020", 3.9, None, None, "Sex=Female"),
        ("northland-sdg.8-5-2", "2021", "2021", 3.8, None, None, ""),
        ("northland-sdg.8-5-2", "2021", "2021", None, "suppressed", "blank in source", "Sex=Male"),
    ]
    assert stored == ('{"1": "Yes", "-1": "No"}',)


def test_northland_reimport_changes_nothing(northland, tmp_path):
    home, _, _ = northland
    again = import_open_sdg(NORTHLAND, tmp_path / "definitions")
    for name in ("open-sdg-northland-sdg/councils.yaml", "open-sdg-shared.yaml"):
        assert (tmp_path / "definitions" / name).read_text() == (home.definitions / name).read_text()
    assert again.definitions == load_definitions(tmp_path / "definitions")  # what was checked is what was written


# === §1: how a file is read ==================================================================


@pytest.fixture(scope="module")
def one_measure(tmp_path_factory):
    """Definitions with one measure for indicator 1-2-1 (no series, no unit)."""
    src = repository(
        tmp_path_factory.mktemp("one") / "one-sdg",
        {"meta/1-2-1.md": meta(SOURCE), "data/indicator_1-2-1.csv": "Year,Value\n2019,4.1\n"},
    )
    return import_open_sdg(src, src.parent / "definitions").definitions


def read(tmp_path: Path, defs, text: str, opts: ReadOptions = LOAD):
    path = write(tmp_path / "indicator_1-2-1.csv", text)
    return read_open_sdg_file(path, defs, "statistics-northland", opts)


def test_empty_unnamed_columns_are_ignored(one_measure, tmp_path):
    x = read(tmp_path, one_measure, "Year,Value,,\r\n2019,4.1,,\r\n2020,,,\r\n")
    assert x.problems == []
    pd.testing.assert_frame_equal(
        x.frame,
        frame(
            [
                (2, "one-sdg.1-2-1", "2019", "2019", "4.1", "", ""),
                (3, "one-sdg.1-2-1", "2020", "2020", "", "suppressed", "blank in source"),
            ]
        ),
    )


def test_an_unnamed_column_with_data_is_refused(one_measure, tmp_path):
    x = read(tmp_path, one_measure, "Year,Value,,\n2019,4.1,,\n2020,3.9,,see note\n")
    assert lines(x.problems) == [
        "indicator_1-2-1.csv:3:column 4: this column has no name in the header but holds data (value 'see note')"
    ]
    x = read(tmp_path, one_measure, "Year,Value,Sex,Sex\n2019,4.1,,\n")  # a named column twice still is
    assert lines(x.problems) == ["indicator_1-2-1.csv:1:Sex: column appears twice (columns 3 and 4)"]


@pytest.mark.parametrize(
    "label,value,observation,period,status,note",
    [
        ("2021-2022*", "4.1", "", "2021/22", "", "Year marked '*': footnote in the source"),
        ("2019 (p)", "4.1", "", "2019", "provisional", ""),
        ("2018r", "4.1", "", "2018", "", "Year marked 'r': revised"),
        ("2017 (e)", "4.1", "", "2017", "estimated", ""),
        ("2016 (revised)", "4.1", "", "2016", "", "Year marked '(revised)': revised"),
        ("2015/16p", "4.1", "", "2015/16", "provisional", ""),
        ("2014 (p)", "4.1", "Estimated value", "2014", "estimated", "Year marked '(p)': provisional"),
        ("2013 (p)", "4.1", "Low reliability", "2013", "provisional", "Low reliability"),
        ("2012 (p)*", "", "", "2012", "suppressed",
         "blank in source; Year marked '(p)': provisional; Year marked '*': footnote in the source"),
        ("2011 †", "4.1", "", "2011", "", "Year marked '†': footnote in the source"),
    ],
)
def test_footnote_markers_on_year_are_kept(one_measure, tmp_path, label, value, observation, period, status, note):
    x = read(tmp_path, one_measure, f"Year,Observation status,Value\n{label},{observation},{value}\n")
    assert x.problems == []
    assert x.frame.iloc[0][["period", "period_label", "value", "status", "note"]].tolist() == [
        period,
        label,  # as published, marker and all
        value,
        status,
        note,
    ]


@pytest.mark.parametrize("label", ["2020 (see note)", "2019 x", "Data (p)", "p2019"])
def test_text_that_only_looks_marked_is_not_a_period(one_measure, tmp_path, label):
    x = read(tmp_path, one_measure, f"Year,Value\n{label},4.1\n")
    assert lines(x.problems) == [
        "indicator_1-2-1.csv:2:Year: Year is not a period (expected e.g. 2015, 2015 Q1, 2015/16, 2010 to 2012) "
        f"(value {label!r})"
    ]


# === §2: metadata read the way Open SDG means it ==============================================


@pytest.mark.parametrize(
    "status,data,measures",
    [
        ("notstarted", "2015,0\n", 0),
        ("notstarted", "2015,\n2016,0.0\n", 0),
        ("notstarted", "2015,3.2\n", 1),  # real values are published whatever the status says
        ("complete", "2015,0\n", 1),  # a 0 reported as done is a 0
    ],
)
def test_not_started_placeholders_publish_no_value(tmp_path, status, data, measures):
    src = repository(
        tmp_path / "ph-sdg",
        {
            "meta/1-4-1.md": meta(f"reporting_status: {status}\n{SOURCE}"),
            "data/indicator_1-4-1.csv": "Year,Value\n" + data,
        },
    )
    plan = import_open_sdg(src, tmp_path / "definitions")
    assert len(plan.definitions.objectives["ph-sdg.1-4-1"].measures) == measures
    assert [f for _, files in plan for f in files] == ([src / "data" / "indicator_1-4-1.csv"] if measures else [])


KEYS = "indicator_name: global_indicators.1-2-1-title\ngraph_title: global_indicators.1-2-1-title\n"


@pytest.mark.parametrize(
    "fields,translations,name",
    [
        (KEYS + "indicator_name_national: National poverty rate\n", None, "National poverty rate"),
        (KEYS + "national_indicator_available: People in poverty\n", None, "People in poverty"),
        (KEYS + "graph_titles:\n  - series: A\n    title: Poverty, series A\n", None, "Poverty, series A"),
        ("indicator_name:\n  en: Poverty rate\n  fr: Taux de pauvreté\n", None, "Poverty rate"),
        (KEYS + "custom_indicator_title: Poverty (custom)\n", None, "Poverty (custom)"),
        (KEYS, "1-2-1-title: Proportion of population living below the national poverty line\n",
         "Proportion of population living below the national poverty line"),
        ("graph_title: Poverty rate\nindicator_name: Poverty\n", None, "Poverty rate"),
        (KEYS + "target_name: End poverty\n", None, "Indicator 1.2.1"),  # no name anywhere
    ],
)
def test_titles_are_the_indicators_own_name(tmp_path, fields, translations, name):
    files = {"meta/1-2-1.md": meta(fields + SOURCE), "data/indicator_1-2-1.csv": "Year,Value\n2019,4.1\n"}
    if translations:
        files["translations/en/global_indicators.yml"] = translations
    plan = import_open_sdg(repository(tmp_path / "t-sdg", files), tmp_path / "definitions")
    assert plan.definitions.objectives["t-sdg.1-2-1"].name == name


# indicator -> (name, extra metadata), one repository; expected direction and the note's start
DIRECTIONS = {
    "1-1-1": ("Growth of exports", "progress_calculation_options:\n  - direction: negative\n", "down", ""),
    "1-1-2": ("Under-five mortality rate", "", "down", "Direction assumed (the source gives none): lower is "
              "better, because the name mentions 'mortality'."),
    "1-1-3": ("Deaths on the roads", "", "down", "Direction assumed (the source gives none): lower is better, "
              "because the name mentions 'death'."),
    "1-1-4": ("Suicide rate", "", "down", "Direction assumed (the source gives none): lower is better, because "
              "the name mentions 'suicide'."),
    "1-1-5": ("Victims of homicide", "", "down", "Direction assumed (the source gives none): lower is better, "
              "because the name mentions 'victim'."),
    "1-1-6": ("Unemployment rate", "", "down", "Direction assumed (the source gives none): lower is better, "
              "because the name mentions 'unemploy'."),
    "1-1-7": ("Proportion below the poverty line", "", "down", "Direction assumed (the source gives none): "
              "lower is better, because the name mentions 'poverty'."),
    "1-1-8": ("Proportion of children vaccinated", "", "up", "Direction assumed (the source gives none): higher "
              "is better, because the name mentions 'vaccinat'."),
    "1-1-9": ("Manufacturing value added as a proportion of GDP", "", "none", "No direction of good: the source "
              "gives none and the name does not say; not judged better or worse."),
    "1-1-10": ("Tourism direct GDP", "progress_calculation_options:\n  - direction: positive\n", "up", ""),
}


@pytest.fixture(scope="module")
def directions(tmp_path_factory):
    files = {}
    for ind, (name, extra, _, _) in DIRECTIONS.items():
        files[f"meta/{ind}.md"] = meta(f"indicator_name: {name}\n{extra}{SOURCE}")
        files[f"data/indicator_{ind}.csv"] = "Year,Value\n2019,4.1\n2020,3.9\n"
    src = repository(tmp_path_factory.mktemp("dir") / "d-sdg", files)
    return import_open_sdg(src, src.parent / "definitions").definitions


@pytest.mark.parametrize("ind", DIRECTIONS)
def test_direction_of_good(directions, ind):
    _, _, direction, note = DIRECTIONS[ind]
    m = directions.measures[f"d-sdg.{ind}"]
    assert m.direction == direction
    assert m.description == f"Open SDG indicator {ind.replace('-', '.')}, d-sdg." + (f" {note}" if note else "")


@pytest.mark.parametrize(
    "fields,values,categories,direction",
    [
        ("graph_type: binary\n", ["1", "-1", "1"], {"1": "Yes", "-1": "No"}, "none"),
        ("graph_type: binary\n", ["1", "0", "-1"], {"1": "Yes", "0": "No", "-1": "Not applicable"}, "none"),
        ("graph_type: binary\n", ["1", "0"], {"1": "Yes", "0": "No"}, "none"),
        ("graph_type: binary\n", ["1.0", "1"], {"1": "Yes", "-1": "No"}, "none"),
        ("graph_type: binary\nprogress_calculation_options:\n  - direction: positive\n", ["1", "-1"],
         {"1": "Yes", "-1": "No"}, "up"),
        ("computation_units: Yes/No\n", ["1", "-1"], {"1": "Yes", "-1": "No"}, "none"),
        ("graph_type: line\n", ["1", "-1"], None, "none"),  # codes alone do not make a yes/no measure
    ],
)
def test_yes_no_indicators_are_categories(tmp_path, fields, values, categories, direction):
    data = "Year,Value\n" + "".join(f"{2018 + i},{v}\n" for i, v in enumerate(values))
    files = {"meta/16-10-2.md": meta("indicator_name: Information law in force\n" + fields + SOURCE),
             "data/indicator_16-10-2.csv": data}
    plan = import_open_sdg(repository(tmp_path / "b-sdg", files), tmp_path / "definitions")
    m = plan.definitions.measures["b-sdg.16-10-2"]
    assert (m.categories, m.direction) == (categories, direction)
    assert plan.problems == []


def test_a_yes_no_indicator_has_no_target_and_numbers_are_not_codes(tmp_path):
    files = {
        "meta/16-10-2.md": meta("indicator_name: Information law in force\ngraph_type: binary\n"
                                "progress_calculation_options:\n  - target: 1\n    target_year: 2030\n" + SOURCE),
        "data/indicator_16-10-2.csv": "Year,Value\n2019,-1\n2020,1\n",
        "meta/16-10-3.md": meta("indicator_name: Requests answered\ngraph_type: binary\n" + SOURCE),
        "data/indicator_16-10-3.csv": "Year,Value\n2019,1\n2020,45.2\n",
    }
    src = repository(tmp_path / "b-sdg", files)
    plan = import_open_sdg(src, tmp_path / "definitions")
    assert lines(plan.problems) == [
        "meta/16-10-2.md:4:progress_calculation_options: warning: a yes/no measure has no target; left out "
        "(value '1.0')",
        "data/indicator_16-10-3.csv:3:Value: warning: graph_type is binary but the values are not the codes "
        "1, 0 and -1; read as numbers (value '45.2')",
    ]
    assert plan.definitions.measures["b-sdg.16-10-2"].target is None
    assert plan.definitions.measures["b-sdg.16-10-3"].categories is None


def test_blank_unit_and_value_rows_are_no_series_and_never_the_headline(tmp_path):
    files = {
        "meta/3-4-1.md": meta("indicator_name: Deaths from heart disease\n" + SOURCE),
        "data/indicator_3-4-1.csv": (
            "Year,Series,Sex,Units,Value\n"
            "2019,Total deaths,Female,,\n"  # the first rows of the file: no unit, no value
            "2019,Other deaths,,,\n"
            "2019,Mortality rate,,Rate per 100000 population,12.1\n"
            "2019,Mortality rate,Female,,\n"  # a blank unit beside values in that unit: still no series
            "2019,Total deaths,,Number,4100\n"
        ),
    }
    src = repository(tmp_path / "h-sdg", files)
    plan = import_open_sdg(src, tmp_path / "definitions")
    defs = plan.definitions
    assert [(m.id, m.role, m.open_sdg.series, m.open_sdg.unit) for m in defs.objectives["h-sdg.3-4-1"].measures] == [
        ("h-sdg.3-4-1.mortality-rate", "headline", "Mortality rate", "Rate per 100000 population"),
        ("h-sdg.3-4-1.total-deaths", "contributing", "Total deaths", "Number"),
    ]
    x = read_open_sdg_file(src / "data" / "indicator_3-4-1.csv", defs, "statistics-northland", LOAD)
    assert lines(x.problems) == [
        "indicator_3-4-1.csv:2:Units: warning: no value and no unit of series 'Total deaths': not a series of "
        "its own; skipped",
        "indicator_3-4-1.csv:3:Units: warning: no value and no unit of series 'Other deaths': not a series of "
        "its own; skipped",
        "indicator_3-4-1.csv:5:Units: warning: no value and no unit of series 'Mortality rate': not a series of "
        "its own; skipped",
    ]
    assert x.frame["row"].tolist() == [4, 6]


def test_metadata_files_merge_and_ids_map_to_one_indicator(tmp_path):
    files = {
        "meta/README.md": "# Metadata\n",
        "meta/notes.md": meta("indicator_name: Not an indicator\n"),
        "meta/15_a_1.md": meta("indicator_name: Spending on biodiversity\ngraph_type: line\n" + SOURCE),
        "meta/15-a-1.yml": "graph_type: bar\ncomputation_units: NLD million\nindicator_name: ''\n",
        "meta/15.b.1.yml": "indicator_name: Aid for biodiversity\n" + SOURCE,
        "data/indicator_15-a-1.csv": "Year,Value\n2020,210.5\n",
        "data/indicator_15_a_1.csv": "Year,Value\n2020,999\n",
        "data/indicator_15-b-1.csv": "Year,Value\n2020,12\n",
    }
    src = repository(tmp_path / "m-sdg", files)
    plan = import_open_sdg(src, tmp_path / "definitions")
    assert lines(plan.problems) == [
        "data/indicator_15_a_1.csv: warning: another file for indicator 15-a-1 (data/indicator_15-a-1.csv, "
        "kept); not loaded",
        "meta/notes.md: warning: not named for an indicator (e.g. meta/1-2-1.md) and no data file has its name; "
        "ignored",
        "meta/15-a-1.yml:1:graph_type: warning: differs from meta/15_a_1.md:3 ('line'); the value here is used "
        "(value 'bar')",
    ]
    defs = plan.definitions
    assert list(defs.objectives) == ["m-sdg.15-a-1", "m-sdg.15-b-1"]
    spending = defs.objectives["m-sdg.15-a-1"]
    assert spending.name == "Spending on biodiversity"  # an empty field does not erase a filled one
    assert spending.headline.unit_label == "NLD million"  # from the .yml
    assert defs.objectives["m-sdg.15-b-1"].name == "Aid for biodiversity"
    assert [f.name for _, files in plan for f in files] == ["indicator_15-a-1.csv", "indicator_15-b-1.csv"]


@pytest.mark.parametrize(
    "text,names,refused",
    [
        ("Statistics Northland", [("Statistics Northland", None)], []),
        ("https://www.ons.gov.uk/employment", [], [("https://www.ons.gov.uk/employment",
                                                    "is a web address, not an organisation")]),
        ("ons.gov.uk", [], [("ons.gov.uk", "is a web address, not an organisation")]),
        ("N/A", [], [("N/A", "says no organisation")]),
        ("Data are compiled by several ministries. See the annex.", [],
         [("Data are compiled by several ministries. See the annex.", "is prose, not an organisation's name")]),
        ("Labour Force Survey", [], [("Labour Force Survey", "is the title of a dataset, not an organisation")]),
        ("Office for National Statistics, Labour Force Survey", [("Office for National Statistics", "ONS")],
         [("Labour Force Survey", "is the title of a dataset, not an organisation")]),
        ("British Geological Survey", [("British Geological Survey", "BGS")], []),
        ("Institute for Fiscal Studies", [("Institute for Fiscal Studies", None)], []),
        ("UNESCO’s Sections for Education for Sustainable Development and Global Citizenship.",
         [("UNESCO", None)], []),
        ("U.S. Census Bureau", [("U.S. Census Bureau", None)], []),
        ("Data Protection Commission", [("Data Protection Commission", None)], []),
        ("Source: Office for National Statistics (ONS)", [("Office for National Statistics", "ONS")], []),
    ],
)
def test_organisation_fields(text, names, refused):
    assert organisations_in(text) == (names, refused)


def test_dataset_titles_named_as_sources_are_not_organisations():
    title = "Canada’s National Forest Inventory"
    assert organisations_in(title, dataset_titles=[title]) == (
        [],
        [(title, "is the title of a dataset, not an organisation")],
    )


def test_each_indicator_is_credited_to_its_own_organisations(tmp_path):
    files = {
        "meta/1-1-1.md": meta("source_organisation_1: Statistics Northland\nsource_organisation_2: Central Bank\n"
                              "data_provider: Ministry of Finance\n"),
        "meta/1-1-2.md": meta("source_active_1: false\nsource_organisation_1: Central Bank\n"
                              "data_provider: Ministry of Finance\n"),
        "meta/1-1-3.md": meta("source_active_1: false\nsource_organisation_1: Statistics Northland\n"),
    }
    for ind in ("1-1-1", "1-1-2", "1-1-3"):
        files[f"data/indicator_{ind}.csv"] = "Year,Value\n2019,4.1\n"
    plan = import_open_sdg(repository(tmp_path / "o-sdg", files), tmp_path / "definitions")
    partners = {o: [(p.org, p.role, p.responsibility) for p in obj.partners]
                for o, obj in plan.definitions.objectives.items()}
    assert partners == {
        "o-sdg.1-1-1": [
            ("statistics-northland", "lead", "Publishes the source data"),
            ("central-bank", "contributor", "Supplies data"),
            ("ministry-of-finance", "contributor", "Provides the data"),
        ],
        "o-sdg.1-1-2": [("ministry-of-finance", "lead", "Provides the data")],  # source 1 is inactive
        # nothing names one: 'Not stated', not the name the repository uses most
        "o-sdg.1-1-3": [("not-stated", "lead", "Publishes the indicator (its metadata names no organisation)")],
    }


# === §3: each file read once, YAML read with libyaml ========================================


def test_a_file_changed_after_the_import_is_read_anew(tmp_path):
    src = repository(
        tmp_path / "c-sdg", {"meta/1-2-1.md": meta(SOURCE), "data/indicator_1-2-1.csv": "Year,Value\n2019,4.1\n"}
    )
    plan = import_open_sdg(src, tmp_path / "definitions")
    path = src / "data" / "indicator_1-2-1.csv"
    with plan.parsed():
        assert read_open_sdg_file(path, plan.definitions, "statistics-northland", LOAD).frame["value"].tolist() == [
            "4.1"
        ]
        write(path, "Year,Value\n2019,4.2\n")
        assert read_open_sdg_file(path, plan.definitions, "statistics-northland", LOAD).frame["value"].tolist() == [
            "4.2"
        ]
        other = ReadOptions(indicator="1-2-1", delimiter=";")  # read as the options say, not as the import did
        with pytest.raises(ExtractError, match="required column is missing"):
            read_open_sdg_file(path, plan.definitions, "statistics-northland", other)


def test_the_import_reads_definitions_once_and_each_csv_once(tmp_path, monkeypatch):
    src = repository(
        tmp_path / "r-sdg", {"meta/1-2-1.md": meta(SOURCE), "data/indicator_1-2-1.csv": "Year,Value\n2019,4.1\n"}
    )
    counts = {"csv": 0, "definitions": 0}
    real_csv, real_defs = etl.open_sdg_reader.read_table_csv, etl.open_sdg.load_definitions

    def csv(path, opts):
        counts["csv"] += 1
        return real_csv(path, opts)

    def definitions(folder):
        counts["definitions"] += 1
        return real_defs(folder)

    monkeypatch.setattr(etl.open_sdg_reader, "read_table_csv", csv)
    monkeypatch.setattr(etl.open_sdg, "load_definitions", definitions)
    monkeypatch.setattr(etl.plans, "load_definitions", definitions)  # the home's, as a load reads them
    home = Home.at(tmp_path / "home").ensure()
    plan = import_open_sdg(src, home.definitions)
    with plan.parsed():
        load_batch(home, [LoadRequest(o, f, by="test", options=LOAD) for o, f in plan], defs=plan.definitions,
                   today=TODAY)
    assert counts == {"csv": 1, "definitions": 1}


@pytest.mark.skipif(not yaml.__with_libyaml__, reason="PyYAML is installed without libyaml")
def test_yaml_is_read_and_written_with_libyaml():
    assert (YAML_LOADER, YAML_DUMPER) == (yaml.CSafeLoader, yaml.CSafeDumper)
