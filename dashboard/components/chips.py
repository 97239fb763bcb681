"""Statuses, chips, badges and links: the small words every page uses."""

from __future__ import annotations

from types import MethodType

from dash import dcc, html
from dash.development.base_component import Component

from .. import figures, urls
from ..formatting import (
    is_missing,
)
from ..urls import AsOf

# --- statuses, chips and links ---------------------------------------------------------------


# status (goal_councils.status) -> (icon, word, chip class); the icon and the word carry the
# meaning, colour only repeats it
STATUSES: dict[str, tuple[str, str, str]] = {
    "on_track": ("✓", "On track", "chip-good"),
    "at_risk": ("!", "At risk", "chip-warn"),
    "off_track": ("✕", "Off track", "chip-bad"),
    "no_target": ("–", "No target", "chip-neutral"),
    "not_enough_data": ("?", "Not enough data", "chip-neutral"),
    "not_judged": ("·", "Not judged", "chip-neutral"),
    "no_direction": ("↕", "No direction", "chip-neutral"),  # and no target that says which way
    "categorical": ("≡", "Categorical", "chip-neutral"),  # shown as its categories, not judged as a number
    "target_met": ("✓", "Target met", "chip-good"),
    # the progress categories of the growth method (no milestones)
    "substantial": ("▲", "Substantial progress", "chip-good"),
    "moderate": ("△", "Moderate progress", "chip-warn"),
    "limited": ("▽", "Limited progress", "chip-bad"),
    "deterioration": ("▼", "Deterioration", "chip-bad"),
}


# change judgement -> (word, chip class); the icon is the arrow of the movement itself
CHANGES: dict[str, tuple[str, str]] = {
    "better": ("Better", "chip-good"),
    "worse": ("Worse", "chip-bad"),
    "same": ("No change", "chip-neutral"),
    "up": ("Up", "chip-neutral"),  # demand, or no direction of good: neither good nor bad
    "down": ("Down", "chip-neutral"),
}


def href(kind: str, ident: str = "", as_of: AsOf | None = None) -> str:
    """The stable link to a council, objective, organisation or measure page, keeping the
    as-of month."""
    return urls.href(kind, ident, as_of)


_KINDS: dict[type, tuple[dict, frozenset, tuple, bool]] = {}  # per class: shared attributes, props, ...


def _as_json(made: Component) -> dict:
    """What Dash's `Component.to_plotly_json` answers for a component `element` made, keys in the same
    order: its set props in the class's order, then its data-* and aria-* attributes. Dash asks
    `hasattr` of every prop the class has (dozens) and each attribute of every wildcard; encoding the
    goal map's 5,200 components spent ~40% of the page's Python there. The props `element` set are
    known in order (`_SET`, the last attribute it gave): a component given or relieved of an attribute
    since (it then has another count, or another last one) is read as Dash would; a changed value is read
    as it is now."""
    held = made.__dict__
    names, size = held.get(_SET, ((), -1))
    if len(held) == size and next(reversed(held)) == _SET:
        return {"props": {p: held[p] for p in names}, "type": made._type, "namespace": made._namespace}
    order, wildcards, _ = _ORDER[type(made)]
    props = {p: held[p] for p in order if p in held}
    if wildcards:
        props.update({k: v for k, v in held.items() if k.startswith(wildcards)})
    return {"props": props, "type": made._type, "namespace": made._namespace}


_ORDER: dict[type, tuple[tuple, tuple, dict]] = {}  # per class: its props in order, its wildcard prefixes,
# each prop's place in that order
_SET = "_element_props"  # the props a component was made with, in Dash's order, and its attributes' count


def element(kind: type[Component], children=None, **props) -> Component:
    """`kind(children, **props)`, the same component, made without Dash's per-argument checks (which
    cost ~25 µs a component: the goal map makes thousands of them), and encoded as JSON without its
    per-prop look-ups (`_as_json`). Unknown props still raise."""
    known = _KINDS.get(kind)
    if known is None:
        plain = kind(**_REQUIRED.get(kind, {})).__dict__
        shared = {k: v for k, v in plain.items() if k.startswith(("_", "available_"))}
        # a prop the class itself defines would count as set for Dash (hasattr): then keep Dash's encoding
        ordered = tuple(shared["_prop_names"])
        if not any(hasattr(kind, p) for p in ordered):
            _ORDER[kind] = (ordered, tuple(shared["_valid_wildcard_attributes"]), {p: i for i, p in enumerate(ordered)})
        known = _KINDS[kind] = (shared, frozenset(ordered), tuple(shared["_valid_wildcard_attributes"]),
                                "children" in plain)
    shared, names, wildcards, always_children = known
    for name in props:
        if name not in names and not name.startswith(wildcards or ("\0",)):
            raise TypeError(f"{kind.__name__} has no prop {name!r}")
    made = object.__new__(kind)
    held = made.__dict__
    held.update(shared)
    with_children = children is not None or always_children
    if with_children:
        made.children = children
    held.update(props)
    if kind in _ORDER:
        key = (kind, with_children, *props)
        given = _GIVEN.get(key)
        if given is None:  # Dash's order: the class's props in its order, then wildcards as given
            position = _ORDER[kind][2]
            given = _GIVEN[key] = tuple(sorted(("children", *props) if with_children else props,
                                               key=lambda p: position.get(p, len(position))))
        held["to_plotly_json"] = MethodType(_as_json, made)  # plotly's encoder calls it
        held[_SET] = (given, len(held) + 1)
    return made


_GIVEN: dict[tuple, tuple[str, ...]] = {}  # (class, children given, prop names as given) -> in Dash's order


_REQUIRED = {dcc.Link: {"href": ""}}  # what a class needs to be made once, to read its attributes


def _text(value, default: str = "") -> str:
    return default if is_missing(value) else str(value)


def _link(kind: str, ident, text: str, className: str = "", as_of: AsOf | None = None) -> dcc.Link:
    return element(dcc.Link, text, href=href(kind, ident, as_of), className=className)


def _small(children, className: str = "") -> html.Div:
    return element(html.Div, children, className=f"small text-body-secondary {className}".strip())


def chip(icon: str, word: str, tone: str) -> html.Span:
    """A small label with an icon and a word; the icon is hidden from screen readers."""
    return element(html.Span, [element(html.Span, icon, className="chip-icon", **{"aria-hidden": "true"}), word],
                   className=f"chip {tone}")


def status_chip(status: str) -> html.Span:
    """On track / At risk / Off track / No target / Not enough data (and the progress words)."""
    icon, word, tone = STATUSES[status]
    return chip(icon, word, tone)


def change_chip(judgement: str, delta: float) -> html.Span:
    """Better / Worse / No change, with an arrow for which way the value moved."""
    word, tone = CHANGES[judgement]
    arrow = "→" if judgement == "same" else ("↑" if delta > 0 else "↓")
    return chip(arrow, word, tone)


def badge(text: str, tone: str = "neutral", title: str | None = None) -> html.Span:
    """A quiet label: `Leading indicator`, `Headline`, `Internal`."""
    return element(html.Span, text, className=f"tag tag-{tone}", **({"title": title} if title else {}))


def swatch(colour_index) -> html.Span:
    """A small square in an organisation's colour (decorative: the name says who it is)."""
    return element(html.Span, None, className="org-swatch",
                   style={"backgroundColor": figures.org_colour(colour_index)}, **{"aria-hidden": "true"})


def org_link(org_id, name, colour_index, as_of: AsOf | None = None, className: str = "") -> html.Span:
    return element(
        html.Span, [swatch(colour_index), _link("org", org_id, _text(name, str(org_id)), as_of=as_of)],
        className=f"org-link {className}".strip(),
    )
