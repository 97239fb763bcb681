"""Open SDG, imported: turn an Open SDG data repository into definitions and a load plan.

    import_open_sdg(src, definitions_dir, *, council_map=None, name=None) -> ImportPlan
        a folder laid out like an Open SDG data repository (`data/indicator_*.csv`,
        `meta/*.md|yml`) -> definitions YAML under `definitions_dir`, and the list of
        (organisation id, [data files]) to load through the normal path. Each file is read
        once, by `etl.open_sdg_reader` (re-exported here with the names tests and callers
        use); load the plan inside `with plan.parsed():`, passing `defs=plan.definitions`,
        and neither the CSVs nor the definitions are read a second time.

What the import makes of a repository:


- Metadata: `meta/<id>.md` front matter and `meta/<id>.yml` of one indicator are merged
  (ids compared with `.` `_` `-` alike: `15_a_1` is 15-a-1); where both set a field
  differently the `.yml` value is used and the conflict reported. Files not named for an
  indicator (`README.md`) are not indicators. Translation keys (`global_indicators.1-1-1-title`)
  are looked up in the repository's `translations/en/*.yml` when it has them, else passed over.
- Organisations: each indicator is credited to the organisations its own metadata names:
  the active `source_organisation_N` (split and normalised), then `data_provider`. URLs,
  dataset titles (a source's `source_url_text`, or a name such as '... Survey' with no
  word that makes it a body) and prose are never organisations (reported). An indicator
  whose metadata names none is credited to NOT_STATED ('Not stated'), reported.
  `kind: statistics_office` for statistics offices. Ids are slugs of the name.
- One objective per indicator, led by its first organisation; the others contribute. Its
  name is the indicator's own title (TITLE_FIELDS, then `graph_titles`, then any other
  field named for the indicator's title or name); 'Indicator 1.2.3' only when none holds one.
- One measure per (series, unit, frequency), all owned by the lead, so one file is one
  organisation's submission. The headline is the series `data_start_values` names, else the
  first. Unit from the unit text checked against the values (a "percentage" outside 0-100,
  such as a growth rate, is a number in %).
- Direction of good: Canada's `indicator_calculation_components.yml`, else the
  `progress_calculation_options` direction; else a documented word rule on the name:
  LOWER_IS_BETTER words (mortality, deaths, suicide, homicide, unemployment, poverty, ...)
  make it `down`, HIGHER_IS_BETTER words (coverage, literacy, renewable, ...) `up`; else
  `none` (no better or worse is judged). An assumed direction says so in the description.
- Categorical measures: `graph_type: binary` (or a unit text 'Yes/No') with values that
  are codes 1 / 0 / -1 gets `categories` (BINARY_LABELS: Open SDG codes 1 Yes, -1 No; a file
  that uses 0 as well has 0 No and -1 Not applicable; one using only 1 and 0 has 0 No) and
  `direction: none` unless the metadata declares one; no target.
- Targets from `progress_calculation_options` (whole-series ones only) or
  `graph_target_lines`, with the baseline read from the data.
- Placeholders publish no value: a file whose Year cells are only text ("no data yet")
  gets an objective without measures and stays in the plan, so the load reports it; an
  indicator with `reporting_status: notstarted` whose values are all 0 or blank (a single
  `2015,0`) gets an objective without measures and its file is left out of the plan.
- Councils group SDG goals into THEMES (DEFAULT_COUNCILS, or `council_map`); council,
  objective and measure ids start with the dataset slug, so imports do not collide.
  Organisations and breakdowns go to one shared file, merged across imports.
- YAML is read and written with libyaml (`yaml.CSafeLoader` / `CSafeDumper`) where installed.

This module is the import itself (`import_open_sdg`, `ImportPlan`, the definitions files
checked, then written) and re-exports the names callers use. The parts, each built on those
before it: `etl.open_sdg_reader` (data files), `open_sdg_metadata` (meta files, titles,
translations), `open_sdg_organisations`, `open_sdg_rules` (unit, decimals, direction of good,
categories, target), `open_sdg_measures` (measures, headline, ids, names), `open_sdg_inputs`
(the repository read once) and `open_sdg_councils` (councils and partners).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from contextlib import AbstractContextManager
from pathlib import Path

import yaml

from goal_councils import Definitions, DefinitionsError, load_definitions

from .open_sdg_councils import DEFAULT_COUNCILS, THEMES, _council_of, _partners
from .open_sdg_inputs import _components, _load_inputs
from .open_sdg_measures import _measures
from .open_sdg_metadata import TITLE_FIELDS, YAML_DUMPER, YAML_LOADER, _readable, _title, _translations, slugify
from .open_sdg_organisations import NOT_STATED, _kind, _Orgs, organisation_names, organisations_in
from .open_sdg_reader import _Table, breakdown_name, breakdown_value, read_open_sdg_file, reusing
from .open_sdg_rules import BINARY_LABELS, HIGHER_IS_BETTER, LOWER_IS_BETTER, unit_fields
from .tables import Problem

__all__ = [
    "read_open_sdg_file",
    "import_open_sdg",
    "ImportPlan",
    "OpenSdgError",
    "THEMES",
    "DEFAULT_COUNCILS",
    "organisation_names",
    "organisations_in",
    "breakdown_name",
    "breakdown_value",
    "unit_fields",
    "SHARED_FILE",
    "NOT_STATED",
    "LOWER_IS_BETTER",
    "HIGHER_IS_BETTER",
    "BINARY_LABELS",
    "TITLE_FIELDS",
    "YAML_LOADER",
    "YAML_DUMPER",
]


SHARED_FILE = "open-sdg-shared.yaml"  # organisations and breakdowns shared by every import


class OpenSdgError(Exception):
    """The folder cannot be imported as an Open SDG data repository; `.problems` says why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


# === importing a repository ==================================================================


class ImportPlan(list):
    """What `import_open_sdg` did. Iterates as [(org_id, [data files])] to load, one per lead
    organisation; `.problems` lists what was reported (warnings: handled on purpose; errors:
    rows the load will refuse), `.files` the definitions written, `.slug` the id prefix,
    `.definitions` the definitions as checked (load with them: `load_batch(..., defs=...)`),
    `.tables` the files as read; `with plan.parsed():` a load reuses them."""

    def __init__(
        self,
        requests,
        *,
        slug: str,
        files: list[Path],
        problems: list[Problem],
        definitions: Definitions | None = None,
        tables: Iterable[_Table] = (),
    ):
        super().__init__(requests)
        self.slug = slug
        self.files = files
        self.problems = problems
        self.definitions = definitions
        self.tables = list(tables)

    def parsed(self) -> AbstractContextManager[None]:
        """A block in which reading the plan's files takes the import's reading of them."""
        return reusing(self.tables)


def _existing(definitions_dir: Path, own: set[Path]) -> tuple[set[str], dict[str, list[str]], dict]:
    """Organisation ids and breakdowns declared by other files, and the shared file's contents."""
    org_ids: set[str] = set()
    vocab: dict[str, list[str]] = {}
    shared: dict = {}
    if not definitions_dir.is_dir():
        return org_ids, vocab, shared
    for path in sorted(definitions_dir.rglob("*")):
        if path.suffix not in (".yaml", ".yml") or not path.is_file() or path in own:
            continue
        try:
            doc = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER) or {}
        except (yaml.YAMLError, UnicodeError):
            continue  # load_definitions will say what is wrong with it
        if not isinstance(doc, dict):
            continue
        if path.name == SHARED_FILE and path.parent == definitions_dir:
            shared = doc
            continue
        for o in doc.get("organisations") or []:
            if isinstance(o, dict) and o.get("id"):
                org_ids.add(str(o["id"]))
        for k, v in (doc.get("breakdowns") or {}).items():
            vocab[str(k)] = [str(x) for x in v or []]
    return org_ids, vocab, shared


def _dump(doc: dict, header: str) -> str:
    body = yaml.dump(
        doc, Dumper=YAML_DUMPER, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False
    )
    return header + body


def import_open_sdg(
    src: Path, definitions_dir: Path, *, council_map: dict[str, str] | None = None, name: str | None = None
) -> ImportPlan:
    """Write definitions for an Open SDG data repository and say which files to load for whom.

    `src` holds `data/indicator_<id>.csv` and `meta/<id>.md` (or `.yml`). Definitions go to
    `definitions_dir/open-sdg-<slug>/councils.yaml` (councils, objectives, measures; ids
    prefixed with the slug) and `definitions_dir/open-sdg-shared.yaml` (organisations and
    breakdowns, merged with what earlier imports put there). `council_map` maps an SDG goal
    number (or an indicator id) to a theme key of THEMES or any council name; unmapped
    goals follow DEFAULT_COUNCILS. Indicators with no data rows get an objective without
    measures. Returns an ImportPlan: [(org_id, [data files])] plus the problems reported,
    the definitions as checked and the files as read.
    """
    src, definitions_dir = Path(src), Path(definitions_dir)
    if not (src / "data").is_dir() or not (src / "meta").is_dir():
        raise OpenSdgError(
            [Problem(str(src), None, None, None, "not an Open SDG data repository (needs data/ and meta/ folders)")]
        )
    title = name or src.resolve().name
    slug = slugify(title, 40)
    council_map = {str(k).strip(): str(v).strip() for k, v in (council_map or {}).items()}
    problems: list[Problem] = []
    orgs = _Orgs()
    indicators = _load_inputs(src, problems, orgs)
    if not indicators:
        raise OpenSdgError([Problem(str(src), None, None, None, "no indicator_*.csv or meta files found")])
    components = _components(src, problems)
    translate = _translations(src, problems)
    alias = orgs.merge_acronyms()

    def org_key(k: str) -> str:
        return alias.get(k, k)

    folder = definitions_dir / f"open-sdg-{slug}"
    own_file = folder / "councils.yaml"
    shared_file = definitions_dir / SHARED_FILE
    other_orgs, other_vocab, shared = _existing(definitions_dir, {own_file})

    # breakdown names: normalised, renamed only where another (non-Open SDG) file declares
    # the same name with values that do not cover ours
    vocab: dict[str, list[str]] = {}
    for i in indicators:
        for p in i.plans:
            for h, values in p.values.items():
                vals = vocab.setdefault(breakdown_name(h), [])
                vals += [v for v in values if v not in vals]
    rename = {}
    for b, vals in vocab.items():
        if b in other_vocab and not set(vals) <= set(other_vocab[b]):
            rename[b] = f"{b} ({title})"
            problems.append(
                Problem(
                    str(definitions_dir),
                    None,
                    None,
                    b,
                    f"breakdown is declared elsewhere with other values; imported as {rename[b]!r}",
                    "warning",
                )
            )

    def bname(header: str) -> str:
        b = breakdown_name(header)
        return rename.get(b, b)

    councils: dict[str, dict] = {}
    used_orgs: dict[str, None] = {}
    requests: dict[str, list[Path]] = {}
    for ind in indicators:
        meta = ind.meta.doc
        goal = str(meta.get("sdg_goal") or ind.ind.split("-")[0]).strip()
        theme = _council_of(ind.ind, goal, council_map)
        cid = f"{slug}.{slugify(theme, 40)}"
        if cid not in councils:
            tname, tgoal = THEMES.get(theme, (theme, ""))
            councils[cid] = {"id": cid, "name": f"{tname} ({title})", "goal": tgoal, "objectives": [], "_goals": []}
        if goal not in councils[cid]["_goals"]:
            councils[cid]["_goals"].append(goal)
        itl = _title(meta, ind.ind, translate)
        partners = _partners(ind, org_key, orgs, problems)
        lead = partners[0]["org"]
        for p in partners:
            used_orgs.setdefault(org_key(p["org"]), None)
        objective = {"id": f"{slug}.{ind.ind}", "name": itl}
        statement = _readable(meta.get("target_name"), translate)
        if statement:
            objective["statement"] = statement
        objective["partners"] = [{**p, "org": orgs.id(org_key(p["org"]))} for p in partners]
        measures = _measures(ind, slug, itl, orgs.id(lead), components.get(ind.ind), bname, title, problems)
        if measures:
            objective["measures"] = measures
        councils[cid]["objectives"].append(objective)
        if ind.table is not None and not ind.placeholder:
            requests.setdefault(orgs.id(lead), []).append(ind.table.path)

    # organisations and breakdowns, merged into the shared file
    shared_orgs = [o for o in shared.get("organisations") or [] if isinstance(o, dict) and o.get("id")]
    have = {str(o["id"]) for o in shared_orgs} | other_orgs
    for k in used_orgs:
        oid = orgs.id(k)
        if oid in have:
            continue
        have.add(oid)
        entry = {"id": oid, "name": orgs.name(k)}
        if orgs.short(k):
            entry["short_name"] = orgs.short(k)
        entry["kind"] = _kind(orgs.name(k))
        shared_orgs.append(entry)
    shared_vocab = {str(k): [str(x) for x in v or []] for k, v in (shared.get("breakdowns") or {}).items()}
    for b, vals in vocab.items():
        b = rename.get(b, b)
        if b in other_vocab and b not in rename:
            continue  # declared elsewhere with every value we use
        merged = shared_vocab.setdefault(b, [])
        merged += [v for v in vals if v not in merged]

    # councils in THEMES order, then those named only in the council map
    order = [f"{slug}.{slugify(t, 40)}" for t in [*THEMES, *council_map.values()]]
    council_list = [councils[cid] for cid in dict.fromkeys([*order, *councils]) if cid in councils]
    for c in council_list:
        goals = sorted(c.pop("_goals"), key=lambda g: int(g) if g.isdigit() else 99)
        c["goal"] = (
            (c["goal"] + "; " if c["goal"] else "") + f"SDG goal{'s' if len(goals) > 1 else ''} " + ", ".join(goals)
        )

    stamp = (
        f"# Written by `outcomes import-open-sdg` from {src.resolve()}.\n"
        "# Regenerated on every import: change the source or the import, not this file.\n"
    )
    texts = {
        own_file: _dump({"councils": council_list}, stamp),
        shared_file: _dump(
            {"organisations": shared_orgs, "breakdowns": shared_vocab},
            "# Organisations and breakdowns of every Open SDG import, merged across imports.\n",
        ),
    }
    defs = _check_then_write(definitions_dir, texts)
    plan = [(org, files) for org, files in requests.items()]
    tables = [i.table for i in indicators if i.table is not None]
    return ImportPlan(plan, slug=slug, files=list(texts), problems=problems, definitions=defs, tables=tables)


def _not_definitions(folder: str, names: list[str]) -> list[str]:
    """What the scratch copy leaves out: hidden entries and files that are not YAML."""
    return [n for n in names if n.startswith(".") or (Path(folder, n).is_file() and not n.endswith((".yaml", ".yml")))]


def _check_then_write(definitions_dir: Path, texts: dict[Path, str]) -> Definitions:
    """Load the new files beside every existing definition in a scratch copy; write only if
    clean, and return the definitions so loaded (the same as the folder now holds)."""
    with tempfile.TemporaryDirectory(prefix="open-sdg-check-") as tmp:
        scratch = Path(tmp) / "definitions"
        if definitions_dir.is_dir():
            shutil.copytree(definitions_dir, scratch, ignore=_not_definitions)
        scratch.mkdir(parents=True, exist_ok=True)
        for path, text in texts.items():
            target = scratch / path.relative_to(definitions_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        try:
            defs = load_definitions(scratch)
        except DefinitionsError as e:
            raise DefinitionsError([p.replace(str(scratch), str(definitions_dir)) for p in e.problems]) from None
    for path, text in texts.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(path.name + ".part")
        part.write_text(text, encoding="utf-8")
        os.replace(part, path)
    return defs
