"""Open SDG import, where an indicator belongs: its council (SDG goals grouped into THEMES by
DEFAULT_COUNCILS, or as a `council_map` says) and its partners (the organisations its metadata
names, the first leading; NOT_STATED when it names none)."""

from __future__ import annotations

from .open_sdg_measures import _Indicator
from .open_sdg_organisations import NOT_STATED, _Orgs
from .tables import Problem

THEMES = {
    "education": ("Education", "Everyone learning, from the early years to adult skills"),
    "economy": ("Economy", "Good work, fair incomes and a growing economy"),
    "environment": ("Environment", "Clean air and water, clean energy and thriving nature"),
    "health-safety": ("Health and safety", "Long, healthy and safe lives"),
    "government": (
        "Efficient and accountable government",
        "Effective, open and trusted public institutions and finances",
    ),
}
# SDG goal number -> theme. Goal 5 (gender equality: representation, unpaid work) and 16
# (peace, justice, institutions) sit with government; 2 (hunger) with health and safety.
DEFAULT_COUNCILS = {
    "1": "economy",
    "2": "health-safety",
    "3": "health-safety",
    "4": "education",
    "5": "government",
    "6": "environment",
    "7": "environment",
    "8": "economy",
    "9": "economy",
    "10": "economy",
    "11": "environment",
    "12": "environment",
    "13": "environment",
    "14": "environment",
    "15": "environment",
    "16": "government",
    "17": "government",
}


def _council_of(ind: str, goal: str, council_map: dict[str, str]) -> str:
    for key in (ind, ind.replace("-", "."), goal):
        if key in council_map:
            return council_map[key]
    return DEFAULT_COUNCILS.get(goal, "government")


def _partners(ind: _Indicator, org_key, orgs: _Orgs, problems: list[Problem]) -> list[dict]:
    partners: dict[str, dict] = {}
    for si, s in enumerate(ind.sources):
        about = f" ({s.title})" if s.title else ""
        for oi, k in enumerate(s.orgs):
            k = org_key(k)
            if k in partners:
                if about and partners[k]["responsibility"] == "Supplies data":
                    partners[k]["responsibility"] += about
                continue
            if s.provider:
                role = "contributor" if partners else "lead"
                partners[k] = {"org": k, "role": role, "responsibility": "Provides the data"}
            elif not partners:
                partners[k] = {"org": k, "role": "lead", "responsibility": f"Publishes the source data{about}"}
            else:
                verb = "Co-publishes the source data" if si == 0 and oi else "Supplies data"
                partners[k] = {"org": k, "role": "contributor", "responsibility": verb + about}
    if not partners:
        problems.append(
            Problem(
                ind.meta.file,
                None,
                None,
                None,
                f"no organisation is named for this indicator (source_organisation_N, data_provider); "
                f"credited to {NOT_STATED!r}",
                "warning",
            )
        )
        k = orgs.add(NOT_STATED, None)
        partners[k] = {
            "org": k,
            "role": "lead",
            "responsibility": "Publishes the indicator (its metadata names no organisation)",
        }
    return list(partners.values())
