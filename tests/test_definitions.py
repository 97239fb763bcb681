"""Definitions: valid files load; every broken rule is reported with file, line and id, all at once."""

from pathlib import Path

import pytest

from goal_councils import DefinitionsError, load_definitions
from tests.support import MINI_DEFINITIONS, write


def test_mini_definitions_load():
    defs = load_definitions(MINI_DEFINITIONS)
    assert list(defs.councils) == ["education"]
    neet = defs.objectives["neet"]
    assert neet.lead.org == "edu"
    assert neet.headline.id == "neet-rate"
    # `breakdowns: [region, sex]` takes every declared value
    assert defs.measures["neet-rate"].breakdowns == {"region": ["North", "South"], "sex": ["Female", "Male"]}
    assert defs.council_of["neet"] == "education"
    assert defs.objective_of["youth-contacts"] == "neet"
    assert defs.councils["education"].members == ["edu", "north"]


BROKEN = """\
organisations:
  - {id: edu, name: Education, kind: department}
  - {id: edu, name: Education again, kind: department}
breakdowns:
  region: [North, South]
councils:
  - id: c1
    name: Council
    objectives:
      - id: o1
        name: No lead
        partners:
          - {org: edu, role: contributor, responsibility: Helps}
      - id: o2
        name: Two leads
        partners:
          - {org: edu, role: lead, responsibility: Leads}
          - {org: ghost, role: lead, responsibility: Also leads}
        measures:
          - id: m1
            name: A measure
            owner: edu
            role: headline
            unit: percent
            direction: up
            frequency: monthly
            breakdowns: {region: [North, West]}
            target:
              final: {period: 2030-Q1, value: 120}
              trajectory: {2026-06: 50}
          - id: m1
            name: Same id
            owner: nobody
            unit: parsecs
            direction: up
            frequency: monthly
"""


def test_problems_name_lines(tmp_path: Path):
    f = write(tmp_path / "defs" / "broken.yaml", BROKEN)
    with pytest.raises(DefinitionsError) as e:
        load_definitions(tmp_path / "defs")
    problems = set(e.value.problems)
    expected = {
        f"{f}:3: edu: duplicate organisation id (first defined at {f}:2)",
        f"{f}:10: o1: an objective needs exactly one lead organisation, found 0",
        f"{f}:14: o2: an objective needs exactly one lead organisation, found 2 (edu, ghost)",
        f"{f}:18: o2: unknown organisation 'ghost'",
        f"{f}:27: m1: breakdown value 'West' is not declared for 'region'",
        f"{f}:29: m1: target period '2030-Q1' does not fit a monthly measure",
        f"{f}:29: m1: target value 120 is outside what a percent allows",
    }
    assert expected <= problems, sorted(problems - expected)
    # the second council-level error (bad unit) is reported too: not only the first problem
    assert any(p.startswith(f"{f}:34: m1: unit: Input should be") for p in problems), sorted(problems)


@pytest.mark.parametrize("yaml_text,expected", [
    ("organisations: [{id: a, name: A}]\ncouncils: [{id: c, name: C, members: [zz]}]\n",
     "2: c: unknown organisation 'zz'"),
    ("organisations:\n  - {id: a, name: A, colour: red}\n",
     "2: a: colour: Extra inputs are not permitted"),
    ("bogus: 1\n", "1: unknown top-level key 'bogus'"),
    ("organisations: [\n", "not valid YAML"),
])
def test_single_problems(tmp_path: Path, yaml_text, expected):
    f = write(tmp_path / "d" / "x.yaml", yaml_text)
    with pytest.raises(DefinitionsError) as e:
        load_definitions(tmp_path / "d")
    assert any(p.startswith(f"{f}:") and expected in p for p in e.value.problems), e.value.problems


def test_owner_must_be_a_partner_and_rate_needs_base(tmp_path: Path):
    text = (MINI_DEFINITIONS / "mini.yaml").read_text().replace(
        "            owner: north\n            unit: count",
        "            owner: north\n            unit: rate")
    text = text.replace("          - {org: north, role: contributor, responsibility: Youth service contacts}\n", "")
    f = write(tmp_path / "d" / "mini.yaml", text)
    with pytest.raises(DefinitionsError) as e:
        load_definitions(tmp_path / "d")
    assert any("youth-contacts: owner 'north' is not a lead or contributor of the objective" in p
               for p in e.value.problems)
    assert any("youth-contacts: a rate needs rate_per" in p for p in e.value.problems)
    assert all(p.startswith(f"{f}:") for p in e.value.problems)


def test_empty_folder(tmp_path: Path):
    with pytest.raises(DefinitionsError, match="no definition files"):
        load_definitions(tmp_path)


def test_yaml_traps(tmp_path: Path):
    text = (MINI_DEFINITIONS / "mini.yaml").read_text()
    twice = text.replace("            unit: count\n", "            unit: count\n            unit: percent\n")
    f = write(tmp_path / "a" / "mini.yaml", twice)
    with pytest.raises(DefinitionsError) as e:
        load_definitions(tmp_path / "a")
    assert len(e.value.problems) == 1 and "key 'unit' appears twice in one mapping" in e.value.problems[0]
    assert e.value.problems[0].startswith(f"{f}:")
    # yes / no stay words
    yesno = text.replace("sex: [Female, Male]", "sex: [Female, Male]\n  answered: [Yes, No]")
    defs = load_definitions(write(tmp_path / "b" / "mini.yaml", yesno).parent)
    assert defs.breakdowns["answered"] == ["Yes", "No"]


def test_target_order_and_milestones(tmp_path: Path):
    text = (MINI_DEFINITIONS / "mini.yaml").read_text().replace(
        "trajectory: {2025-01: 10}", "trajectory: {2025-01: 10, 2025-01-01: 9, 2031-01: 7, 2019-01: 13}")
    f = write(tmp_path / "d" / "mini.yaml", text)
    with pytest.raises(DefinitionsError) as e:
        load_definitions(tmp_path / "d")
    reasons = [p.split(": neet-rate: ")[1] for p in e.value.problems]
    assert reasons == ["milestone 2025-01-01 is the same period as 2025-01",
                       "milestone 2031-01 is after the final target",
                       "milestone 2019-01 is before the baseline"]
    assert all(p.startswith(f"{f}:") for p in e.value.problems)


@pytest.mark.parametrize("text,expected", [
    ("breakdowns: [a, b]\n", "1: breakdowns must be a mapping of name to values"),
    ("organisations: 5\n", "1: organisations must be a list"),
    ("breakdowns:\n  region: [a, a]\n", "2: region: values listed twice: ['a']"),
])
def test_malformed_sections(tmp_path: Path, text, expected):
    f = write(tmp_path / "d" / "x.yaml", text)
    with pytest.raises(DefinitionsError) as e:
        load_definitions(tmp_path / "d")
    assert f"{f}:{expected}" in e.value.problems


def test_not_utf8(tmp_path: Path):
    f = write(tmp_path / "d" / "x.yaml", "organisations:\n  - {id: a, name: Société}\n", encoding="latin-1")
    with pytest.raises(DefinitionsError) as e:
        load_definitions(tmp_path / "d")
    assert e.value.problems == [f"{f}: not UTF-8 text (byte 0xe9); save it as UTF-8"]
