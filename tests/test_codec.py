"""Judgements as stored JSON: plain values pass as they are, missing numbers become null."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

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


@dataclass(frozen=True)
class Node:
    at: datetime | None
    series: dict[str, list[tuple[date, float | None]]]
    below: list[Node]


def test_nested_types_and_a_type_that_names_itself_come_back_whole():
    leaf = Node(None, {}, [])
    tree = Node(datetime(2026, 5, 1, 9, 30), {"a": [(date(2026, 4, 1), 1.0), (date(2026, 5, 1), None)]}, [leaf])
    back = from_json(Node, to_json(tree))
    assert back == tree
    assert type(back.below[0]) is Node and type(back.series["a"][0]) is tuple
    assert from_json(Node, "null") is None
    assert from_json(list[Node], '[{"at": null, "series": {"b": null}, "below": []}]') == [Node(None, {"b": None}, [])]


def test_threads_decoding_a_type_for_the_first_time_at_once_each_get_it_whole():
    """A server decodes on many threads: the first decodes of a type, at the same moment, are all whole."""
    import sys
    import threading
    from dataclasses import field, make_dataclass

    wrong, switch = [], sys.getswitchinterval()
    sys.setswitchinterval(1e-6)  # threads change hands as often as they can
    try:
        for trial in range(60):
            kind = make_dataclass(f"Wide{trial}", [(f"g{i}", list[tuple[int, float, str] | None] | None,
                                                    field(default=None)) for i in range(40)])
            data = {f"g{i}": [[1, 2.0, "x"]] for i in range(40)}
            start = threading.Barrier(8)

            def decode(kind=kind, data=data, start=start):
                start.wait()
                try:
                    made = from_json(kind, to_json(data))
                    wrong.extend(i for i in range(40) if getattr(made, f"g{i}") != [(1, 2.0, "x")])
                except Exception as e:  # noqa: BLE001 - any failure is the finding
                    wrong.append(repr(e))

            threads = [threading.Thread(target=decode) for _ in range(8)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
    finally:
        sys.setswitchinterval(switch)
    assert wrong == []
