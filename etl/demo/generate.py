"""Generating the demo: its definitions, when each load arrived, and `generate_demo`, which
writes every load's files and returns the loads in the order they must be applied."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from pathlib import Path

from etl.demo.files import write_load
from etl.demo.observations import observations
from etl.demo.series import rng_for
from etl.demo.stories import HISTORY_LABEL, HISTORY_RECEIVED_AT, LATE_LOADS, LATE_ORG
from goal_councils import Definitions, load_definitions
from goal_councils.periods import parse_period


def _find_definitions(package: Path) -> Path:
    """The demo definitions: shipped inside an installed package, or data/demo/definitions in a checkout."""
    installed, checkout = package / "demo_definitions", package.parent / "data" / "demo" / "definitions"
    return installed if installed.is_dir() else checkout


# `package` is the etl package (this file is etl/demo/generate.py): etl/demo_definitions in a
# wheel, data/demo/definitions next to etl/ in a checkout or an editable install
DEMO_DEFINITIONS: Path = _find_definitions(Path(__file__).resolve().parent.parent)


@dataclass(frozen=True)
class DemoLoad:
    """One submission: the files an organisation sent together, and when they arrived."""

    org: str
    files: tuple[Path, ...]
    received_at: datetime
    label: str  # HISTORY_LABEL or the reporting month, e.g. "2026-03"


def load_demo_definitions(folder: Path | str | None = None) -> Definitions:
    """The demo's definitions (from `folder`, by default DEMO_DEFINITIONS)."""
    return load_definitions(Path(folder) if folder is not None else DEMO_DEFINITIONS)


def load_index(loads: list[DemoLoad], org: str, label: str) -> int:
    """Position of an organisation's load in the order of application, e.g. the revision:
    `load_index(loads, REVISED_ORG, REVISION_LOAD)`."""
    for i, load in enumerate(loads):
        if load.org == org and load.label == label:
            return i
    raise KeyError(f"no load {label!r} from {org!r}")


def _schedule(defs: Definitions, keys, dues, seed: int) -> dict[tuple[str, str], datetime]:
    """When each load arrived: most a few days before the earliest due date of what it
    carries; LATE_ORG late in LATE_LOADS of its monthly loads; others now and then."""
    rng = rng_for(seed, "schedule")
    orgs = list(defs.organisations)
    late_labels = sorted(label for org, label in keys if org == LATE_ORG and label != HISTORY_LABEL)
    late = set()
    if late_labels:
        picked = rng.choice(len(late_labels), size=min(LATE_LOADS, len(late_labels)), replace=False)
        late = {late_labels[i] for i in sorted(picked)}
    out: dict[tuple[str, str], datetime] = {}
    last: dict[str, datetime] = {}
    for org, label in sorted(keys, key=lambda k: (k[1] != HISTORY_LABEL, k[1], orgs.index(k[0]))):
        if label == HISTORY_LABEL:
            at = HISTORY_RECEIVED_AT + timedelta(minutes=7 * orgs.index(org))
        else:
            # a load that only re-sends earlier periods is due with its month's figures
            month_end = parse_period(label, "monthly").end
            due = min((d for d, _ in dues[(org, label)]), default=month_end + timedelta(days=15))
            ended = max((e for _, e in dues[(org, label)]), default=month_end)
            if org == LATE_ORG and label in late:
                day = due + timedelta(days=int(rng.integers(3, 20)))
            elif org != LATE_ORG and rng.random() < 0.05:
                day = due + timedelta(days=int(rng.integers(1, 5)))
            else:
                day = due - timedelta(days=int(rng.integers(0, 9)))
            day = max(day, ended + timedelta(days=1))
            at = datetime.combine(day, time(8, 30)) + timedelta(minutes=int(rng.integers(0, 540)))
            # an organisation's loads arrive in order
            if org in last and at <= last[org]:
                at = last[org] + timedelta(hours=1)
        out[(org, label)] = at
        last[org] = at
    return out


def generate_demo(defs: Definitions, outdir: Path, seed: int = 2026) -> list[DemoLoad]:
    """Write the demo's submission files under `outdir` (one folder per load label and
    organisation) and return the loads in the order they must be applied."""
    outdir = Path(outdir)
    obs, dues = observations(defs, seed)
    received = _schedule(defs, list(obs), dues, seed)
    loads = []
    for (org, label), rows in obs.items():
        files = write_load(defs, outdir / label / org, org, label, rows)
        loads.append(DemoLoad(org, files, received[(org, label)], label))
    orgs = list(defs.organisations)
    return sorted(loads, key=lambda load: (load.received_at, orgs.index(load.org)))
