"""Judgements as JSON and back: the dataclasses of the rules (assessments, statuses, XmR results,
forecasts) are stored by the publish step and read by pages, so they travel as plain JSON.

`to_json(obj)` writes any nest of dataclasses, lists, tuples, dicts, dates and numbers;
`from_json(cls, text)` rebuilds it from the type hints of `cls`. Only what the type hints
name is built: the text is data, never code.
"""

from __future__ import annotations

import json
import math
import types
import typing
from collections.abc import Callable
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

__all__ = ["to_json", "from_json", "to_plain", "from_plain"]


def to_plain(obj):
    """JSON-ready values: dataclasses become dicts, dates ISO text, NaN None."""
    kind = type(obj)  # the common plain kinds first: a judgement is mostly numbers in lists
    if kind is float:
        return None if math.isnan(obj) or math.isinf(obj) else obj
    if kind is str or kind is int or kind is bool or obj is None:
        return obj
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_plain(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, list | tuple):
        return [to_plain(x) for x in obj]
    if isinstance(obj, dict):
        return {str(k): to_plain(v) for k, v in obj.items()}
    if isinstance(obj, datetime | date):
        return obj.isoformat()
    if isinstance(obj, bool | int | str) or obj is None:
        return obj
    if isinstance(obj, float) or hasattr(obj, "__float__"):
        number = float(obj)
        return None if math.isnan(number) or math.isinf(number) else number
    raise TypeError(f"cannot store a {type(obj).__name__} as JSON")


def to_json(obj) -> str:
    return json.dumps(to_plain(obj), separators=(",", ":"), allow_nan=False)


@cache
def _hints(cls) -> dict:
    return typing.get_type_hints(cls)


def from_plain(tp, data):
    """Rebuild a value of type `tp` from what `to_plain` wrote."""
    return _decoder(tp)(data)


def _nullable(rebuild: Callable[[Any], Any]) -> Callable[[Any], Any]:
    return lambda data: None if data is None else rebuild(data)


def _same(data):
    return data


@cache
def _decoder(tp) -> Callable[[Any], Any]:
    """How to rebuild a value of type `tp`, worked out once a type: a page decodes thousands of stored
    judgements, and asking the type hints again for each value was most of the work."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        kinds = [a for a in typing.get_args(tp) if a is not type(None)]
        return _decoder(kinds[0])
    if tp is datetime:
        return _nullable(datetime.fromisoformat)
    if tp is date:
        return _nullable(date.fromisoformat)
    if isinstance(tp, type) and is_dataclass(tp):
        return _dataclass_decoder(tp)
    if origin is list:
        [item] = typing.get_args(tp) or [typing.Any]
        each = _decoder(item)
        return _nullable(lambda data: [each(x) for x in data])
    if origin is tuple:
        parts = [_decoder(a) for a in typing.get_args(tp)]
        return _nullable(lambda data: tuple(part(x) for part, x in zip(parts, data, strict=True)))
    if origin is dict:
        _, value = typing.get_args(tp)
        each = _decoder(value)
        return _nullable(lambda data: {k: each(v) for k, v in data.items()})
    if tp is float:
        return _nullable(float)
    return _same


def _dataclass_decoder(cls) -> Callable[[Any], Any]:
    parts: tuple[tuple[str, Callable], ...] | None = None  # its fields' decoders, on first use (a field may name
    # `cls` itself); made whole before it is kept, so that a thread decoding meanwhile never sees half of them

    def rebuild(data):
        nonlocal parts
        if data is None:
            return None
        if parts is None:
            hints = _hints(cls)
            parts = tuple((f.name, _decoder(hints[f.name])) for f in fields(cls) if f.init)
        return cls(**{name: part(data[name]) for name, part in parts if name in data})

    return rebuild


def from_json(cls, text: str):
    return from_plain(cls, json.loads(text))
