"""The command-line contract: exit codes, problems on stderr, the demo, and a broken real dataset."""

import shutil

import duckdb
import pytest

from etl.demo import LATE_ORG, REVISED_MEASURE, REVISED_PERIOD, REVISION_DELTA
from etl.home import Home
from outcomes.cli import main
from tests.support import DATASETS, sha256, write

UK = DATASETS / "uk-ons-sdg"


def test_usage_errors_exit_2(tmp_path, capsys):
    with pytest.raises(SystemExit) as e:
        main(["--home", str(tmp_path), "load", "x.csv"])  # no --org
    assert e.value.code == 2
    assert main(["--home", str(tmp_path), "import-open-sdg", str(tmp_path)]) == 2
    assert "does not look like an Open SDG data repository" in capsys.readouterr().err


def test_demo_loads_every_organisation_and_story(demo_home: Home):
    con = duckdb.connect(str(demo_home.warehouse), read_only=True)
    try:
        orgs, councils, objectives, measures = con.execute(
            "SELECT (SELECT count(*) FROM organisations), (SELECT count(*) FROM councils), "
            "(SELECT count(*) FROM objectives), (SELECT count(*) FROM measures)").fetchone()
        assert (councils, orgs >= 20, objectives >= 38, measures >= 140) == (5, True, True, True)
        formats = {r[0] for r in con.execute("SELECT DISTINCT format FROM load_files").fetchall()}
        assert formats == {"csv", "excel", "open_sdg"}
        # the revised quarter has two versions, the newer one on top
        versions = con.execute(
            "SELECT value FROM observation_versions WHERE measure_id = ? AND period = ? AND breakdown = '' "
            "ORDER BY load_id", [REVISED_MEASURE, REVISED_PERIOD]).fetchall()
        assert len(versions) == 2 and versions[1][0] == pytest.approx(versions[0][0] + REVISION_DELTA)
        assert con.execute("SELECT count(*) FROM loads WHERE org_id = ?", [LATE_ORG]).fetchone()[0] >= 12
    finally:
        con.close()


def test_demo_twice_adds_nothing(demo_home: Home, tmp_path):
    before = sha256(demo_home.warehouse)
    assert main(["--home", str(demo_home.root), "demo"]) == 0
    assert sha256(demo_home.warehouse) == before


needs_shared = pytest.mark.skipif(not UK.is_dir(), reason="the shared datasets (../shared) are not here")


@needs_shared
@pytest.mark.slow
def test_broken_copy_of_real_data_is_rejected_whole(tmp_path, capsys):
    home = tmp_path / "home"
    assert main(["--home", str(home), "import-open-sdg", str(UK)]) == 0
    published = Home.at(home).warehouse
    before = sha256(published)
    lines = (UK / "data" / "indicator_8-5-2.csv").read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",3.8", ",three point eight")  # row 2: Value not a number
    lines[4] = lines[4].replace("2000 Q4", "2000 Q5", 1)  # row 5: Year not a period
    lines[6] = lines[6].replace(",Female,", ",Unknown,", 1)  # row 7: a Sex nobody declared
    broken = write(tmp_path / "indicator_8-5-2.csv", "\n".join(lines) + "\n")
    org = "office-for-national-statistics"
    capsys.readouterr()
    assert main(["--home", str(home), "load", str(broken), "--org", org]) == 1
    err = capsys.readouterr().err.splitlines()
    problems = [line for line in err if line.startswith("indicator_8-5-2.csv:")]
    assert [p.split(":")[1:3] for p in problems] == [["2", "Value"], ["5", "Year"], ["7", "Sex"]], err
    assert "value is not a number (value 'three point eight')" in problems[0]
    assert "'2000 Q5'" in problems[1]
    assert "'Unknown'" in problems[2]
    assert sha256(published) == before
    kept = [p for p in (home / "rejected").iterdir()]
    assert len(kept) == 1 and (kept[0] / "indicator_8-5-2.csv").read_text() == broken.read_text()
    # the untouched original still loads and adds nothing
    assert main(["--home", str(home), "load", str(UK / "data" / "indicator_8-5-2.csv"), "--org", org]) == 0
    assert sha256(published) == before
    shutil.rmtree(home)


@pytest.mark.parametrize("args,message", [
    (["load", "missing.csv", "--org", "edu"], "missing.csv: no such file"),
    (["load", ".", "--org", "edu"], ".: is a folder, not a file"),
    (["load", "good.csv", "--org", "edu", "--delimiter", "ab"], "--delimiter must be one character"),
    (["load", "good.csv", "--org", "edu", "--encoding", "klingon"], "is not an encoding Python knows"),
    (["load", "good.csv", "--org", "edu", "--received", "2999-01-01"], "is in the future"),
])
def test_usage_problems_exit_2(tmp_path, monkeypatch, capsys, args, message):
    from tests.support import mini_home

    home = mini_home(tmp_path / "home")
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "good.csv", "measure_id,period,value\nneet-rate,2025-01,1\n")
    assert main(["--home", str(home.root), *args]) == 2
    assert message in capsys.readouterr().err


def test_bad_homes(tmp_path, capsys):
    assert main(["--home", "", "validate", "x.csv", "--org", "a"]) == 2
    afile = write(tmp_path / "afile", "x")
    assert main(["--home", str(afile), "validate", "x.csv", "--org", "a"]) == 2
    assert main(["--home", str(tmp_path / "empty"), "validate", str(afile), "--org", "a"]) == 2
    assert "has no definitions yet" in capsys.readouterr().err


def test_unreadable_warehouse_is_reported_not_a_traceback(tmp_path, capsys):
    from tests.support import mini_home

    home = mini_home(tmp_path / "home")
    home.warehouse.write_bytes(b"not a database at all" * 100)
    before = sha256(home.warehouse)
    good = write(tmp_path / "good.csv", "measure_id,period,value\nneet-rate,2025-01,1\n")
    assert main(["--home", str(home.root), "load", str(good), "--org", "edu"]) == 1
    assert "cannot be read" in capsys.readouterr().err
    assert sha256(home.warehouse) == before


def test_exceptions_command(demo_home, capsys):
    import csv
    import io

    from etl.demo import LATE_ORG

    home = ["--home", str(demo_home.root)]
    assert main([*home, "exceptions", "--council", "nope"]) == 2
    assert main([*home, "exceptions", "--as-of", "March 2026"]) == 2
    capsys.readouterr()
    assert main([*home, "exceptions", "--org", LATE_ORG, "--as-of", "2026-10", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert rows and {r["owner_id"] for r in rows} == {LATE_ORG}
    assert "late" in {r["rule"] for r in rows}
    severities = [int(r["severity"]) for r in rows]
    assert severities == sorted(severities, reverse=True)


def test_home_may_come_before_or_after_the_subcommand(tmp_path, capsys):
    from tests.support import mini_home

    home = mini_home(tmp_path / "home")
    good = write(tmp_path / "good.csv", "measure_id,period,value\nneet-rate,2025-01,11.5\n")
    assert main(["load", str(good), "--org", "edu", "--home", str(home.root), "--received", "2025-02-10"]) == 0
    assert "1 new or revised rows" in capsys.readouterr().out
    assert main(["--home", str(home.root), "validate", str(good), "--org", "edu"]) == 0
    # given in both places, the one after the subcommand wins
    assert main(["--home", str(tmp_path / "elsewhere"), "validate", str(good), "--org", "edu",
                 "--home", str(home.root)]) == 0


def test_reverting_rows_are_reported_and_applied_only_with_supersede(tmp_path, capsys):
    from tests.support import mini_home

    home = mini_home(tmp_path / "home")
    sep = write(tmp_path / "sep.csv", "measure_id,period,value,status\nneet-rate,2025-09,12.0,provisional\n")
    oct_ = write(tmp_path / "oct.csv", "measure_id,period,value,status\nneet-rate,2025-09,12.3,\n")
    args = ["--home", str(home.root), "load", "--org", "edu"]
    assert main([*args, str(sep), "--received", "2025-10-10"]) == 0
    assert main([*args, str(oct_), "--received", "2025-11-10"]) == 0
    capsys.readouterr()
    again = write(tmp_path / "sep-again.csv",
                  "measure_id,period,value,status\r\nneet-rate,2025-09,12.0,provisional\r\n")
    assert main([*args, str(again)]) == 0
    out = capsys.readouterr()
    assert "sep-again.csv:2:value: warning: neet-rate 2025-09 would go back to a figure that load 2" in out.err
    assert "1 row(s) not applied" in out.err and "--supersede" in out.err
    assert "nothing applied: 1 row(s) withheld" in out.out
    assert main([*args, str(again), "--supersede"]) == 0
    assert "load 3: 1 new or revised rows" in capsys.readouterr().out


def test_exceptions_csv_neutralises_formulas(tmp_path, capsys):
    """Names from definitions reach the CSV: one that a spreadsheet would run arrives quoted."""
    import csv
    import io

    from tests.support import mini_home

    home = mini_home(tmp_path / "home")
    yaml = home.definitions / "mini.yaml"
    yaml.write_text(yaml.read_text().replace("name: NEET rate", "name: '=HYPERLINK(\"http://x\")'"))
    old = write(tmp_path / "old.csv", "measure_id,period,value\nneet-rate,2024-01,11.5\n")
    assert main(["--home", str(home.root), "load", str(old), "--org", "edu", "--received", "2024-02-10"]) == 0
    capsys.readouterr()
    assert main(["--home", str(home.root), "exceptions", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    names = {r["measure_name"] for r in rows if r["measure_id"] == "neet-rate"}
    assert names == {"'=HYPERLINK(\"http://x\")"}  # missing figures since 2024: listed, and quoted


@needs_shared
@pytest.mark.slow
def test_a_repository_imports_whole_except_the_files_with_problems(tmp_path, capsys):
    repo = tmp_path / "repo"
    shutil.copytree(UK, repo)
    bad = repo / "data" / "indicator_8-5-2.csv"
    lines = bad.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].replace(",3.8", ",three point eight")  # row 2: Value not a number
    bad.write_text("\n".join(lines) + "\n", encoding="utf-8")
    home = tmp_path / "home"
    # --strict: one bad file refuses the whole repository, and nothing is published
    assert main(["--home", str(home), "import-open-sdg", str(repo), "--strict"]) == 1
    assert not Home.at(home).warehouse.exists()
    assert "refused whole (--strict)" in capsys.readouterr().err
    # by default the bad file is skipped (kept with its report) and every other file is published
    assert main(["--home", str(home), "import-open-sdg", str(repo)]) == 3
    out, err = capsys.readouterr()
    files = len(list((repo / "data").glob("indicator_*.csv")))
    assert f"of {files:,} indicator files" in out and "skipped 1 indicator file(s)" in out
    assert "indicator_8-5-2.csv: 1 problem(s) (first: value is not a number)" in out
    assert "indicator_8-5-2.csv:2:Value: value is not a number" in err
    con = duckdb.connect(str(Home.at(home).warehouse), read_only=True)
    try:
        with_data = {r[0] for r in con.execute("SELECT DISTINCT measure_id FROM observations").fetchall()}
    finally:
        con.close()
    assert not any(".8-5-2" in m for m in with_data)  # nothing from the skipped file, not even its good rows
    assert any(".1-1-1" in m for m in with_data) and len(with_data) > 30
    kept = list((home / "rejected").iterdir())
    assert any((k / "indicator_8-5-2.csv").is_file() and "value is not a number" in (k / "report.txt").read_text()
               for k in kept)
    # importing again adds nothing and still says what it skipped
    assert main(["--home", str(home), "import-open-sdg", str(repo)]) == 3
    assert ", 0 new" in capsys.readouterr().out


def test_command_line_loads_and_judgements_are_in_the_apps_audit_log(tmp_path, capsys):
    from tests.support import mini_home
    from workflow import WorkflowStore, default_url

    home = mini_home(tmp_path / "home")
    good = write(tmp_path / "good.csv", "measure_id,period,value\nneet-rate,2025-01,11.5\n")
    bad = write(tmp_path / "bad.csv", "measure_id,period,value\nneet-rate,2025-13,11.5\n")
    args = ["--home", str(home.root)]
    assert main([*args, "load", str(good), "--org", "edu", "--by", "ops-ann", "--received", "2025-02-10"]) == 0
    assert main([*args, "load", str(bad), "--org", "edu", "--by", "ops-ann"]) == 1
    assert main([*args, "judge"]) == 0
    log = list(reversed(WorkflowStore(default_url(home.root)).audit_log()))
    assert [(e.who, e.action) for e in log][:2] == [("ops-ann", "load"), ("ops-ann", "load-rejected")]
    assert log[0].what == {"org": "edu", "files": ["good.csv"], "outcome": "loaded", "load_id": 1, "rows_read": 1,
                           "rows_new": 1, "reverting": 0, "supersede": False, "via": "command line"}
    assert log[1].what["files"] == ["bad.csv"] and log[1].what["problems"] == 1
    assert log[2].action == "judge" and log[2].what["via"] == "command line"


def test_a_load_stays_published_when_the_audit_log_cannot_be_written(tmp_path, capsys, monkeypatch):
    from tests.support import mini_home

    home = mini_home(tmp_path / "home")
    write(tmp_path / "a-file", "not a folder")  # so the workflow file cannot be made under it
    monkeypatch.setenv("OUTCOMES_WORKFLOW_URL", f"sqlite:///{tmp_path / 'a-file' / 'workflow.sqlite'}")
    good = write(tmp_path / "good.csv", "measure_id,period,value\nneet-rate,2025-01,11.5\n")
    assert main(["--home", str(home.root), "load", str(good), "--org", "edu", "--received", "2025-02-10"]) == 0
    out = capsys.readouterr()
    assert "load 1: 1 new or revised rows" in out.out
    assert "warning: the audit log" in out.err and "loads.jsonl" in out.err
