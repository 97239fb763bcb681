"""Search finds things by the words a reader is shown (names, and the goal, short name, statement or
description shown with them), at the start of a word, and never by an id."""

from __future__ import annotations

import duckdb
import pytest

from published.access import OPERATOR, as_viewer
from published.reader import Warehouse

WAITS = "mh-days-to-first-appointment"


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, build_tiny_warehouse):
    """The tiny warehouse with a few measure descriptions written, one of them of an internal measure."""
    path = build_tiny_warehouse(tmp_path_factory.mktemp("search") / "warehouse.duckdb")
    con = duckdb.connect(str(path))
    try:
        for measure_id, description, published in [
            (WAITS, "Days from referral to the first appointment, for adults and children.", True),
            ("vaccinated-by-two", "Share of two year olds who have had every routine jab.", True),
            ("mh-referrals", "Referrals triaged by the single point of access.", False),
            ("hardship-paid", "Children’s second dose at the Saint-Étienne\u00a0clinic–Barnsley café.", True),
        ]:
            con.execute("UPDATE measures SET description = ?, published = ? WHERE id = ?",
                        [description, published, measure_id])
    finally:
        con.close()
    w = Warehouse(path)
    yield w
    w.close()


def found(warehouse, text):
    results = warehouse.search(text)
    return list(zip(results.kind, results.id, strict=True))


@pytest.mark.parametrize(
    "text, expected",
    [
        # ids: only in addresses and downloaded files, so never matched
        ("mh", []),  # the start of two measures' ids
        ("release", []),  # in the ids housing-on-release and housed-on-release, in no name or statement
        ("-", []),  # every id of the tiny warehouse has one
        ("hardship-paid", []),  # a measure's whole id: 'paid' is in none of its words
        # an id that spells words of a name finds it by the name
        ("westshire-police", [("org", "westshire-police")]),
        # the words shown with a name
        ("dww", [("org", "dww")]),  # an organisation's short name, shown beside it
        ("narrows", [("council", "healthy-lives")]),  # a council's goal
        ("referred", [("objective", "mental-health-waits")]),  # an objective's statement
        ("jab", [("measure", "vaccinated-by-two")]),  # a measure's description
        ("burglar", [("objective", "burglary"), ("measure", "burglary-rate")]),  # a statement, then a name
        # at the start of a word only
        ("field", []),  # inside "Northfield"
        ("NORTH", [("org", "northfield")]),
        ("%", []),
        # words as people type them: accents set aside, and any script's punctuation and spaces between words
        ("etienne", [("measure", "hardship-paid")]),
        ("ÉTIENNE", [("measure", "hardship-paid")]),
        ("clinic barnsley", [("measure", "hardship-paid")]),  # after a no-break space and an en dash
        ("cafe", [("measure", "hardship-paid")]),
    ],
)
def test_search_matches_the_words_shown_never_ids(warehouse, text, expected):
    assert found(warehouse, text) == expected


def test_names_holding_the_words_come_before_descriptions_within_a_kind(warehouse):
    # the waits objective comes before adult skills in the definitions, but "adults" is only in its statement
    assert found(warehouse, "adults") == [
        ("objective", "adult-skills"),
        ("objective", "mental-health-waits"),
        ("measure", WAITS),
    ]


def test_an_internal_measure_is_not_found_by_its_description_by_the_public(warehouse):
    assert found(warehouse, "triaged") == []
    with as_viewer(OPERATOR):
        assert found(warehouse, "triaged") == [("measure", "mh-referrals")]


def test_a_curly_apostrophe_is_typed_as_a_straight_one(warehouse):
    # phones type ’: "children’s" is searched as "children's" is, and finds the description that has it
    assert found(warehouse, "children’s second") == found(warehouse, "children's second")
    assert ("measure", "hardship-paid") in found(warehouse, "children’s second")
