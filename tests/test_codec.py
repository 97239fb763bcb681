"""Judgements as stored JSON: plain values pass as they are, missing numbers become null."""

import math
from dataclasses import dataclass
from datetime import date

import numpy as np
import pytest

from goal_councils.codec import from_json, to_json, to_plain


@dataclass(frozen=True)
class Point:
    when: date
    value: float | None
    flags: list[bool]


def test_plain_values_keep_their_kind_and_missing_numbers_become_null():
    assert to_plain([1.5, math.nan, math.inf, -math.inf, 3, True, "x", None]) == [1.5, None, None, None, 3, True,
                                                                                     "x", None]
    assert to_plain(True) is True and to_plain(0) == 0 and type(to_plain(0)) is int
    assert to_plain(np.float64(2.5)) == 2.5 and to_plain(np.float64("nan")) is None
    assert to_plain({1: (date(2026, 1, 31), 2)}) == {"1": ["2026-01-31", 2]}
    with pytest.raises(TypeError, match="cannot store a set"):
        to_plain({1, 2})


def test_round_trip_of_a_dataclass():
    p = Point(date(2026, 3, 31), math.nan, [True, False])
    text = to_json(p)
    assert text == '{"when":"2026-03-31","value":null,"flags":[true,false]}'
    assert from_json(Point, text) == Point(date(2026, 3, 31), None, [True, False])
