"""An organisation's submission strips: a mark for each figure due, said in words."""

import re
from datetime import date, datetime
from pathlib import Path

from dashboard.components.organisation import submission_strip


def test_each_mark_of_a_submission_strip_is_one_element_that_says_its_figure():
    # a screen reader reads the sentence (the mark's text), a mouse shows it (title); the symbol is the style
    # sheet's, hidden from screen readers: one element per mark, not a mark with a symbol inside it
    strip = submission_strip([
        {"period": "2026-07", "state": "late", "due": date(2026, 8, 15), "received": datetime(2026, 8, 20)},
        {"period": "2026-08", "state": "missing", "due": date(2026, 9, 15), "received": None},
    ], "monthly")
    late, missing = strip.children
    assert late.children == late.title == "July 2026: late (due 15 August 2026, arrived 20 August 2026)"
    assert missing.children == "August 2026: missing (due 15 September 2026, not received)"
    assert [late.className, missing.className] == ["strip-late", "strip-missing"]
    css = (Path(__file__).parents[1] / "dashboard" / "assets" / "site.css").read_text()
    for state in ("on_time", "late", "missing"):
        assert re.search(rf'\.strip-{state}::before {{ content: "[^"]+"; content: "[^"]+" / ""; }}', css), state
