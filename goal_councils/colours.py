"""Organisation colours: one per organisation on every page, and never one shared by two
organisations that a page shows together.

An organisation keeps its colour everywhere, so the colour cannot come from a page. Instead the
organisations that appear together (an objective's partners and measure owners; a council's
members and the leads of its objectives; an organisation with the leads of what it contributes
to) are joined in a graph, and the graph is coloured greedily, most constrained first (DSatur).
Indices start at 0 and the lowest are used most, so the palette's first, most distinct colours
go furthest. The colouring is made when definitions are published, never per request.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import combinations

from .definitions import Definitions

__all__ = ["colour_indices", "shown_together"]


def shown_together(defs: Definitions) -> list[set[str]]:
    """The sets of organisations that some page shows side by side."""
    groups: list[set[str]] = []
    leads_of: dict[str, set[str]] = {org: {org} for org in defs.organisations}
    for council in defs.councils.values():
        council_group = set(council.members)
        for objective in council.objectives:
            lead = objective.lead.org
            council_group.add(lead)
            groups.append({p.org for p in objective.partners} | {m.owner for m in objective.measures})
            for p in objective.partners:
                leads_of.setdefault(p.org, {p.org}).add(lead)
        groups.append(council_group)
    groups += leads_of.values()
    return groups


def colour_indices(order: Iterable[str], groups: Iterable[set[str]]) -> dict[str, int]:
    """A colour index for each organisation in `order`; two in one group never share one.

    DSatur: repeatedly colour the organisation whose neighbours already use the most distinct
    colours (ties: most neighbours, then first in `order`) with the lowest index free."""
    order = list(order)
    place = {org: i for i, org in enumerate(order)}
    neighbours: dict[str, set[str]] = {org: set() for org in order}
    for group in groups:
        for a, b in combinations(sorted(g for g in group if g in place), 2):
            neighbours[a].add(b)
            neighbours[b].add(a)
    colour: dict[str, int] = {}
    while len(colour) < len(order):
        def pressure(org: str) -> tuple:
            used = {colour[n] for n in neighbours[org] if n in colour}
            return (-len(used), -len(neighbours[org]), place[org])

        org = min((o for o in order if o not in colour), key=pressure)
        taken = {colour[n] for n in neighbours[org] if n in colour}
        colour[org] = next(i for i in range(len(order) + 1) if i not in taken)
    return colour
