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
"""

from __future__ import annotations

import html
import math
import os
import re
import shutil
import statistics
import tempfile
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass, field, replace
from datetime import date
from functools import cached_property
from pathlib import Path

import yaml

from goal_councils import Definitions, DefinitionsError, load_definitions
from goal_councils.definitions import UNIT_BOUNDS
from goal_councils.periods import period_from_start

from .open_sdg_reader import (
    _bare,
    _clean,
    _key,
    _norm_indicator,
    _read_table,
    _Row,
    _row_key,
    _Table,
    breakdown_name,
    breakdown_value,
    read_open_sdg_file,
    reusing,
)
from .tables import (
    ExtractError,
    Problem,
    ReadOptions,
)

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
# libyaml where installed: the pure-Python parser is most of an import's time otherwise
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)

# --- councils -------------------------------------------------------------------------------

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

# --- metadata -------------------------------------------------------------------------------

# a metadata file is an indicator's when its name is an indicator id (or a data file has it)
_INDICATOR_ID = re.compile(r"^\d{1,2}([-._][0-9a-z]{1,4}){1,5}$", re.I)
NOT_INDICATORS = {"readme", "license", "licence", "changelog", "contributing", "index"}  # passed over quietly
META_ORDER = {".md": 0, ".yml": 1, ".yaml": 1}  # merged in this order: a later file's value wins
# fields holding the indicator's own name, in the order they are tried
TITLE_FIELDS = (
    "graph_title",
    "indicator_available",
    "national_indicator_available",
    "indicator_name",
    "indicator_name_national",
    "national_indicator_name",
    "national_indicator_title",
    "national_title",
    "indicator_title",
    "title",
)
# other fields that may hold it: named for a title or name, but not a target's, goal's or source's
_OTHER_TITLE = re.compile(r"title|name", re.I)
_NOT_TITLE = re.compile(r"target|goal|source|organi[sz]ation|contact|agency|custodian|file|url|series|unit|link", re.I)
_TRANSLATION_KEY = re.compile(r"^[a-z][a-z0-9_]*(\.[A-Za-z0-9_\-]+)+$")

# --- organisations --------------------------------------------------------------------------

NOT_STATED = "Not stated"  # credited with an indicator whose metadata names no organisation
# names that contain ' and ' or ',' yet are one organisation, and their short names; a
# multi-organisation string is split only where the part before a separator is a known name
KNOWN_ORGANISATIONS: dict[str, str | None] = {
    "Office for National Statistics": "ONS",
    "Northern Ireland Statistics and Research Agency": "NISRA",
    "Ricardo Energy and Environment": None,
    "Department for Energy Security and Net Zero": "DESNZ",
    "Department for Environment, Food & Rural Affairs": "Defra",
    "Department for Digital, Culture, Media & Sport": "DCMS",
    "Department for Business, Energy & Industrial Strategy": "BEIS",
    "Foreign, Commonwealth & Development Office": "FCDO",
    "Home Office": None,
    "World Bank": None,
    "Statistics Canada": None,
    "Environment and Climate Change Canada": "ECCC",
    "Fisheries and Oceans Canada": "DFO",
    "Parks Canada": None,
    "Health Canada": None,
    "Natural Resources Canada": "NRCan",
    "Public Health Agency of Canada": "PHAC",
    "Canadian Radio-television and Telecommunications Commission": "CRTC",
    "Committee on the Status of Endangered Wildlife in Canada Secretariat": "COSEWIC Secretariat",
    "Food and Agriculture Organization of the United Nations": "FAO",
    "British Geological Survey": "BGS",
    "Ordnance Survey": None,
}
# misspellings and long forms found in published metadata (compared case-insensitively)
ORGANISATION_ALIASES = {
    "national resources canada": "Natural Resources Canada",
    "national health service (nhs) digital": "NHS Digital",
    "department for business, energy & industrial strategey": "Department for Business, Energy & Industrial Strategy",
}
# kind of organisation by name; the first pattern that matches wins
ORGANISATION_KINDS = {
    "statistics_office": r"statistic|eurostat|\bnisra\b|national records of scotland",
    "health_provider": r"\bnhs\b|health service",
    "department": r"^(department|ministry|home office|foreign, commonwealth)"
    r"|^(health|parks|natural resources|fisheries and oceans|environment and climate change) canada$",
    "agency": r"agency|commission|authority|secretariat",
    "charity": r"society|trust|foundation",
}
# what an organisation field holds when it is not an organisation's name
_URL = re.compile(r"://|^www\.|\b[\w-]+\.(gov|gc|org|com|net|int|edu|ac)(\.[a-z]{2})?(/|$)", re.I)
_NO_ORGANISATION = {"n/a", "na", "none", "not applicable", "tbc", "tbd", "unknown", "not known", "-", "various"}
_PROSE = re.compile(
    r"[a-z]{4}[.!?]\s+[A-Z(]"  # a second sentence
    r"|^(data|figures|estimates)\s+(are|is|were|was|from|provided|compiled|taken|supplied|sourced|based|collected)\b"
    r"|^(see|based on|calculated|compiled|produced|published|collected|provided|derived|taken from"
    r"|from|via|using|own calculations?)\b",
    re.I,
)
_PROSE_WORDS = 12  # an organisation's name is shorter than this many words
_DATASET_WORDS = re.compile(
    r"\b(survey|census|inventory|database|data ?base|data ?set|register|index|report|bulletin|estimates|accounts"
    r"|yearbook|tables?|series|monitor|barometer|atlas|questionnaire|study)\b",
    re.I,
)
_BODY_WORDS = re.compile(
    r"\b(office|department|dept|ministry|agency|institute|institution|bank|council|commission|authority|services?"
    r"|society|trust|foundation|organi[sz]ation|university|college|cent(re|er)|bureau|board|government|fund"
    r"|administration|unit|directorate|executive|inspectorate|research|network|association|federation|union|group"
    r"|corporation|company|ltd|limited|secretariat|observatory|laboratory|nations|programme|program|statistics|police"
    r"|court|parliament|assembly|registrar|regulator|geological survey)\b",
    re.I,
)
_POSSESSIVE_ACRONYM = re.compile(r"^([A-Z][A-Z0-9&]{1,11})['’]s\s")  # "UNESCO’s Sections for ..." -> UNESCO

# --- direction of good ----------------------------------------------------------------------

# Where the metadata declares no direction, the name decides: a LOWER_IS_BETTER word makes
# it `down`, else a HIGHER_IS_BETTER word `up`, else there is none (`none`: never judged).
LOWER_IS_BETTER = re.compile(
    r"mortality|death|suicide|homicide|victim|violence|unemploy|poverty|low income|emission"
    r"|greenhouse|particulate|debris|plastic|smok|obes|alcohol|tuberculosis|incidence|disease"
    r"|neonatal|remanded|not in education|\bneet\b|disposal|intensity|crime|unmet|debt|gini"
    r"|opioid|e-cigarette|unpaid|inequalit|at risk of poverty|incarcerat|malnutrition|undernourish"
    r"|stunting|pollut|corrupt|brib|fatalit|harass|traffick|discriminat|\bloss\b",
    re.I,
)
HIGHER_IS_BETTER = re.compile(
    r"life expectancy|literacy|proficien|completion|skill|coverage|covered|vaccinat|immuni[sz]"
    r"|renewable|recycl|protected area|conserved|safely managed|satisf|internet|broadband|enrol"
    r"|participat|qualified|registered|forest area|woodland|access to|achiev|saving",
    re.I,
)
DIRECTION_WORDS = {
    "positive": "up",
    "negative": "down",
    "1": "up",
    "-1": "down",
    "up": "up",
    "down": "down",
    "increase": "up",
    "decrease": "down",
    "higher": "up",
    "lower": "down",
}
# a yes/no measure's labels by the codes its file uses: Open SDG's binary chart has 1 Yes and
# -1 No; a file that uses 0 codes No as 0, and then -1 (if it appears) is not applicable
BINARY_LABELS = {"1": "Yes", "-1": "No"}
BINARY_LABELS_1_0 = {"1": "Yes", "0": "No"}
BINARY_LABELS_1_0_MINUS_1 = {"1": "Yes", "0": "No", "-1": "Not applicable"}
_YES_NO_UNIT = re.compile(r"\byes\s*/\s*no\b|\bbinary\b", re.I)


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


def slugify(text: str, max_len: int = 60) -> str:
    t = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode()
    t = re.sub(r"[^a-z0-9]+", "-", t.lower().replace("&", " and ")).strip("-")
    if len(t) > max_len:
        t = t[:max_len].rsplit("-", 1)[0]
    return t or "x"


def _truthy(v) -> bool:
    return v is True or str(v).strip().lower() in ("true", "yes", "1")


def _prose(text, limit: int = 800) -> str:
    """Metadata prose as plain text: no HTML, one line, cut at a word near `limit`."""
    s = html.unescape(re.sub(r"<[^>]+>", " ", str(text or "")))
    s = _clean(s)
    if len(s) > limit:
        s = s[:limit].rsplit(" ", 1)[0] + " …"
    return s


Translate = Callable[[str], str]


def _untranslated(key: str) -> str:
    return ""


def _readable(v, translate: Translate = _untranslated) -> str:
    """A metadata text as shown: a translation key looked up (or passed over), a
    {language: text} mapping read in English (else its first language)."""
    if isinstance(v, dict):
        v = v.get("en") or next((x for x in v.values() if isinstance(x, str) and x.strip()), "")
    s = _prose(v, 300) if isinstance(v, str) else ""
    if s and _TRANSLATION_KEY.match(s):
        return _prose(translate(s), 300)
    return s


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip()) or v == [] or v == {}


# --- metadata files -------------------------------------------------------------------------


@dataclass
class _Meta:
    """One indicator's metadata, merged from its files, with where each field was set."""

    doc: dict
    file: str  # the file it is reported under (meta/<id>.md, else the first file)
    lines: dict[str, tuple[str, int | None]] = field(default_factory=dict)  # field -> (file, line)

    def at(self, key: str) -> tuple[str, int | None]:
        return self.lines.get(key, (self.file, None))

    def problem(self, key: str, value, reason: str) -> Problem:
        file, line = self.at(key)
        return Problem(file, line, key, None if value is None else str(value), reason, "warning")


def _field_lines(text: str, first: int) -> dict[str, int]:
    """The line each top-level `key:` of a YAML text sits on (the text's first line is `first`)."""
    out: dict[str, int] = {}
    for n, line in enumerate(text.split("\n"), start=first):
        m = re.match(r"^([A-Za-z_][\w\-]*)\s*:", line)
        if m:
            out.setdefault(m[1], n)
    return out


def _front_matter(path: Path) -> tuple[dict, dict[str, int], list[Problem]]:
    """YAML front matter of meta/<id>.md (or a whole meta/<id>.yml) with the line of each
    field; tolerant of broken YAML."""
    text = path.read_text(encoding="utf-8-sig").replace("\r\n", "\n")
    rel = f"meta/{path.name}"
    first = 1
    if path.suffix == ".md":
        m = re.match(r"^---[ \t]*\n(.*?)\n---[ \t]*(\n|$)", text, re.S)
        if not m:
            reason = "no front matter between --- lines; metadata ignored"
            return {}, {}, [Problem(rel, 1, None, None, reason, "warning")]
        text, first = m[1], 2
    lines = _field_lines(text, first)
    try:
        doc = yaml.load(text, Loader=YAML_LOADER)
    except yaml.YAMLError as e:
        mark = getattr(e, "problem_mark", None)
        doc = {}
        for line in text.splitlines():  # fall back to plain `key: value` lines
            k, sep, v = line.partition(":")
            if sep and k and not k.startswith((" ", "-", "#")):
                doc[k.strip()] = v.strip().strip("'\"")
        return doc, lines, [
            Problem(
                rel,
                mark.line + first if mark else None,
                None,
                None,
                "front matter is not valid YAML; read line by line",
                "warning",
            )
        ]
    return (doc if isinstance(doc, dict) else {}), lines, []


def _read_metadata(src: Path, data_ids: set[str], problems: list[Problem]) -> dict[str, _Meta]:
    """Every indicator's metadata, its `.md` and `.yml` files merged (conflicts reported)."""
    files: dict[str, list[Path]] = {}
    for path in sorted(p for p in (src / "meta").iterdir() if p.is_file() and p.suffix in META_ORDER):
        ind = _norm_indicator(path.stem)
        if not _INDICATOR_ID.match(path.stem) and ind not in data_ids:
            if path.stem.lower() not in NOT_INDICATORS:
                problems.append(
                    Problem(
                        f"meta/{path.name}",
                        None,
                        None,
                        None,
                        "not named for an indicator (e.g. meta/1-2-1.md) and no data file has its name; ignored",
                        "warning",
                    )
                )
            continue
        files.setdefault(ind, []).append(path)
    out = {}
    for ind, paths in files.items():
        paths.sort(key=lambda p: (META_ORDER[p.suffix], p.name))
        meta = _Meta({}, f"meta/{paths[0].name}")
        for path in paths:
            doc, lines, found = _front_matter(path)
            problems += found
            rel = f"meta/{path.name}"
            for k, v in doc.items():
                k = str(k)
                if k in meta.doc and _blank(v):
                    continue  # an empty field does not erase a filled one
                old = meta.doc.get(k)
                if k in meta.doc and not _blank(old) and old != v:
                    was_file, was_line = meta.at(k)
                    was = f"{was_file}:{was_line}" if was_line else was_file
                    problems.append(
                        Problem(
                            rel,
                            lines.get(k),
                            k,
                            str(v),
                            f"differs from {was} ({str(old)[:60]!r}); the value here is used",
                            "warning",
                        )
                    )
                meta.doc[k] = v
                meta.lines[k] = (rel, lines.get(k))
        out[ind] = meta
    return out


def _translations(src: Path, problems: list[Problem]) -> Translate:
    """Look-up of translation keys (`global_indicators.1-1-1-title`) in the repository's own
    `translations/<language>/<group>.yml` (English, else the first language there)."""
    folder = src / "translations"
    langs = sorted(p for p in folder.iterdir() if p.is_dir()) if folder.is_dir() else []
    lang = next((p for p in langs if p.name == "en"), langs[0] if langs else None)
    texts: dict[str, str] = {}
    for path in sorted(lang.glob("*.y*ml")) if lang else []:
        try:
            doc = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=YAML_LOADER) or {}
        except (yaml.YAMLError, UnicodeError) as e:
            rel = path.relative_to(src).as_posix()
            problems.append(Problem(rel, None, None, None, f"not valid YAML ({e}); its texts are not used", "warning"))
            continue
        if isinstance(doc, dict):
            texts.update({f"{path.stem}.{k}": v for k, v in doc.items() if isinstance(v, str)})
    return lambda key: texts.get(key, "")


# --- organisations --------------------------------------------------------------------------


def _one_organisation(piece: str) -> tuple[str, str | None]:
    """One organisation's text -> (name, short name): quotes, '(ONS)' suffix, typos, 'the'."""
    s = _clean(piece).strip("'\"‘’“” ").rstrip(".,;").strip()
    s = re.sub(r"^the\s+", "", s, flags=re.I)
    short = None
    m = re.match(r"^(.*?)\s*\(([A-Za-z][A-Za-z&.]{1,11})\)$", s)
    if m and m[1]:
        s, short = m[1].strip(), m[2]
    left, dash, _ = s.partition(" - ")
    if dash and left.casefold() in _KNOWN_KEYS:
        s = left  # 'Home Office - Homicide Index': the office, not its dataset
    s = ORGANISATION_ALIASES.get(s.casefold(), s)
    known = _KNOWN_KEYS.get(s.casefold())
    if known:
        s = known
        short = short or KNOWN_ORGANISATIONS[known]
    return s, short


_KNOWN_KEYS = {n.casefold(): n for n in KNOWN_ORGANISATIONS}
_ORG_SEPARATOR = re.compile(r"\s*;\s*|,\s+and\s+|\s+and\s+|\s*,\s*")


def organisation_names(text: str, known: Iterable[str] = ()) -> list[tuple[str, str | None]]:
    """Split and normalise a `source_organisation_N` string into (name, short name) pairs.

    Splits at ';' always, and at ',' / 'and' only where the text before is a known
    organisation (KNOWN_ORGANISATIONS or `known`, e.g. names seen alone elsewhere) or ends
    with an acronym in brackets, so 'Environment and Climate Change Canada' stays whole.
    """
    known_keys = set(_KNOWN_KEYS) | {k.casefold() for k in known}
    text = _clean(text).strip("'\" ")
    pieces, start = [], 0
    for m in _ORG_SEPARATOR.finditer(text):
        left = text[start : m.start()]
        if not left.strip():
            continue
        if ";" in m.group() or left.rstrip().endswith(")") or _one_organisation(left)[0].casefold() in known_keys:
            pieces.append(left)
            start = m.end()
    pieces.append(text[start:])
    return [_one_organisation(p) for p in pieces if _one_organisation(p)[0]]


def _not_a_name(text: str) -> str | None:
    """Why an organisation field's whole text names no organisation, or None."""
    t = _clean(text).strip("'\"‘’“” ")
    if t.casefold().rstrip(".") in _NO_ORGANISATION:
        return "says no organisation"
    if _URL.search(t):
        return "is a web address, not an organisation"
    if _PROSE.search(t):
        return "is prose, not an organisation's name"
    return None


def _not_an_organisation(name: str, dataset_titles: set[str]) -> str | None:
    """Why one (split, normalised) name is not an organisation, or None."""
    if name.casefold() in _KNOWN_KEYS:
        return None
    if _URL.search(name):
        return "is a web address, not an organisation"
    if len(name.split()) >= _PROSE_WORDS:
        return "is prose, not an organisation's name"
    if not _BODY_WORDS.search(name) and (name.casefold() in dataset_titles or _DATASET_WORDS.search(name)):
        return "is the title of a dataset, not an organisation"
    return None


def organisations_in(text: str, known: Iterable[str] = (), dataset_titles: Iterable[str] = ()):
    """The organisations an organisation field names, and the texts it holds that are not
    organisations: ([(name, short name)], [(text, reason)])."""
    whole = re.sub(r"^sources?\s*:\s*", "", _clean(text).strip("'\"‘’“” "), flags=re.I)  # 'Source: ONS'
    m = _POSSESSIVE_ACRONYM.match(whole)
    if m:  # "UNESCO’s Sections for ...": the organisation is the one named first
        return [_one_organisation(m[1])], []
    why = _not_a_name(whole)
    if why:
        return [], [(whole, why)]
    titles = {_clean(t).casefold() for t in dataset_titles}
    names, refused = [], []
    for name, short in organisation_names(whole, known):
        why = _not_an_organisation(name, titles)
        if why:
            refused.append((name, why))
        else:
            names.append((name, short))
    return names, refused


def _kind(name: str) -> str:
    return next((k for k, rx in ORGANISATION_KINDS.items() if re.search(rx, name, re.I)), "other")


@dataclass
class _Source:
    orgs: list[str]  # organisation keys (casefolded names)
    title: str
    provider: bool = False  # named by `data_provider`, not as a source


@dataclass
class _Orgs:
    """Every organisation named in the metadata, merged by normalised name."""

    names: dict[str, Counter] = field(default_factory=dict)  # key -> display names seen
    shorts: dict[str, Counter] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)

    def add(self, name: str, short: str | None) -> str:
        key = name.casefold()
        if key not in self.names:
            self.names[key], self.shorts[key] = Counter(), Counter()
            self.order.append(key)
        self.names[key][name] += 1
        if short:
            self.shorts[key][short] += 1
        return key

    def merge_acronyms(self) -> dict[str, str]:
        """A bare acronym ('NISRA') that is another organisation's short name is that organisation."""
        alias = {}
        for key in self.order:
            for other in self.order:
                if other != key and any(s.casefold() == key for s in self.shorts[other]):
                    alias[key] = other
        for key in alias:
            self.order.remove(key)
        return alias

    def name(self, key: str) -> str:
        return self.names[key].most_common(1)[0][0]

    def short(self, key: str) -> str | None:
        return self.shorts[key].most_common(1)[0][0] if self.shorts[key] else None

    def id(self, key: str) -> str:
        return slugify(self.name(key))


_SOURCE_FIELD = re.compile(r"^source_organisation_(\d+)$")
_PROVIDER_FIELD = re.compile(r"^(national_)?data_provider(_\d+)?$")


def _organisation_fields(meta: dict) -> list[tuple[str, str, bool]]:
    """(field, text, named by data_provider) for every organisation field in use, sources first."""
    numbers = sorted({int(m[1]) for k in meta if (m := _SOURCE_FIELD.match(str(k)))})
    out = []
    for n in numbers:
        text = meta.get(f"source_organisation_{n}")
        if isinstance(text, str) and text.strip() and _truthy(meta.get(f"source_active_{n}", True)):
            out.append((f"source_organisation_{n}", text, False))
    for k, v in meta.items():
        if _PROVIDER_FIELD.match(str(k)) and isinstance(v, str) and v.strip():
            out.append((str(k), v, True))
    return out


def _sources(meta: _Meta, orgs: _Orgs, known: set[str], problems: list[Problem]) -> list[_Source]:
    doc = meta.doc
    titles = {str(v) for k, v in doc.items() if str(k).startswith("source_url_text") and isinstance(v, str)}
    out = []
    for key, text, provider in _organisation_fields(doc):
        names, refused = organisations_in(text, known, titles)
        for piece, why in refused:
            problems.append(meta.problem(key, piece, f"{why}; not credited"))
        keys = [orgs.add(nm, sh) for nm, sh in names]
        if keys:
            n = key.rsplit("_", 1)[-1]
            title = "" if provider else _readable(doc.get(f"source_url_text_{n}"))
            out.append(_Source(keys, title, provider))
    return out


# --- units, directions, targets -------------------------------------------------------------


def _numbers(values: Iterable[str]) -> list[float]:
    """The finite numbers among the values (the rest is the validator's to report)."""
    out = []
    for v in values:
        try:
            x = float(v)
        except ValueError:
            continue
        if math.isfinite(x):
            out.append(x)
    return out


def unit_fields(text: str | None, numbers: list[float]) -> dict:
    """Measure unit fields from a unit text, checked against the values it must hold."""
    t = _clean(text)
    low = t.lower()
    lo = min(numbers, default=0.0)
    hi = max(numbers, default=0.0)
    rate = re.search(r"\bper\s+([\d,]{2,})\b\s*(.*)$", low)
    if rate and lo >= 0:
        per = int(rate[1].replace(",", ""))
        rest = t[rate.start() :]
        return {"unit": "rate", "rate_per": per, "unit_label": rest[:1].lower() + rest[1:]}
    if re.search(r"\bgbp\b|£|\busd\b|\$|dollar|\beur\b|€|\bpounds?\b", low) and "per million" not in low:
        return {"unit": "money", "unit_label": t}
    if "percent" in low or "%" in low:
        if 0 <= lo and hi <= 100:
            return {"unit": "percent"}
        return {"unit": "number", "unit_label": "%"}
    if low in ("number", "count", "median count") and lo >= 0 and all(x == round(x) for x in numbers):
        return {"unit": "count"} if low != "median count" else {"unit": "count", "unit_label": t}
    if re.search(r"\bindex\b|\bindice|\bscore\b", low):
        return {"unit": "index", "unit_label": t} if low not in ("index",) else {"unit": "index"}
    return {"unit": "number", "unit_label": t} if t else {"unit": "number"}


def _decimals(values: list[str]) -> int:
    places = [len(v.split(".", 1)[1]) if "." in v else 0 for v in values if v]
    return min(3, int(statistics.median(places))) if places else 0


def _declared_direction(entry, meta: dict) -> str | None:
    """The direction the metadata declares: Canada's calculation components (`entry`), else
    the `progress_calculation_options` direction."""
    if isinstance(entry, dict):
        dirs = {
            str(v.get("direction")) for v in entry.values() if isinstance(v, dict) and v.get("direction") is not None
        }
        if len(dirs) == 1 and (d := DIRECTION_WORDS.get(dirs.pop().strip().lower())):
            return d
    for opt in meta.get("progress_calculation_options") or []:
        if isinstance(opt, dict) and (d := DIRECTION_WORDS.get(str(opt.get("direction", "")).strip().lower())):
            return d
    return None


def _direction(entry, meta: dict, text: str, categorical: bool = False) -> tuple[str, str]:
    """('up'|'down'|'none', a note when not declared): as declared, else by the word rule on
    the name (LOWER_IS_BETTER, then HIGHER_IS_BETTER), else none; a categorical measure has
    none unless declared."""
    declared = _declared_direction(entry, meta)
    if declared:
        return declared, ""
    if categorical:
        return "none", "No direction of good: the source declares none."
    if m := LOWER_IS_BETTER.search(text):
        return "down", (
            f"Direction assumed (the source gives none): lower is better, because the name mentions '{m[0].lower()}'."
        )
    if m := HIGHER_IS_BETTER.search(text):
        return "up", (
            f"Direction assumed (the source gives none): higher is better, because the name mentions '{m[0].lower()}'."
        )
    return "none", "No direction of good: the source gives none and the name does not say; not judged better or worse."


def _is_binary(meta: dict, p: _MeasurePlan, unit_text: str) -> bool:
    """Open SDG `graph_type: binary` (or a `graph_types` entry for this series or unit), or a yes/no unit."""
    if str(meta.get("graph_type") or "").strip().lower() == "binary":
        return True
    for g in meta.get("graph_types") or []:
        if isinstance(g, dict) and str(g.get("type") or "").strip().lower() == "binary":
            if all(_key(g.get(k)) == _key(getattr(p, k)) for k in ("series", "unit") if g.get(k)):
                return True
    return bool(_YES_NO_UNIT.search(unit_text or ""))


def _categories(values: list[str]) -> tuple[dict[str, str] | None, str | None]:
    """(code -> label, None) for values that are 1 / 0 / -1 codes, else (None, a value that is not)."""
    codes = set()
    for v in values:
        if v == "":
            continue
        try:
            x = float(v)
        except ValueError:
            return None, v
        if x not in (1, 0, -1):
            return None, v
        codes.add(int(x))
    if 0 in codes:
        return dict(BINARY_LABELS_1_0_MINUS_1 if -1 in codes else BINARY_LABELS_1_0), None
    return dict(BINARY_LABELS), None


def _period_in(frequency: str, year: int) -> str:
    """The period of `frequency` that ends in `year` (a financial year ending March `year`)."""
    start = {
        "annual": date(year, 1, 1),
        "quarterly": date(year, 10, 1),
        "monthly": date(year, 12, 1),
        "financial_year": date(year - 1, 4, 1),
    }[frequency]
    return period_from_start(frequency, start)


def _as_int(v) -> int | None:
    try:
        return int(float(v))
    except (TypeError, ValueError):
        return None


def _target(
    meta: dict,
    components_entry,
    frequency: str,
    totals: dict[str, float],
    unit: str,
    where: str,
    problems: list[Problem],
) -> dict | None:
    """Canada: target and target year from progress_calculation_options / graph_target_lines,
    baseline from the data (the total series at the base year, else its first period)."""
    opts = [o for o in meta.get("progress_calculation_options") or [] if isinstance(o, dict)]
    whole = [o for o in opts if "disaggregation" not in o and o.get("target") is not None]
    value = whole[0].get("target") if whole else None
    year = _as_int(whole[0].get("target_year")) if whole else None
    base_year = _as_int(whole[0].get("base_year")) if whole else None
    if value is None and not opts:
        lines = [g for g in meta.get("graph_target_lines") or [] if isinstance(g, dict)]
        value = lines[0].get("value") if lines else None
    comp = {}
    if isinstance(components_entry, dict):
        comp = next((v for v in components_entry.values() if isinstance(v, dict)), {})
        year = year or _as_int(comp.get("target_year"))
        base_year = base_year or _as_int(comp.get("base_year"))
    if value is None:
        return None
    if year is None:
        problems.append(
            Problem(
                where,
                None,
                "progress_calculation_options",
                str(value),
                "target has no target year; left out",
                "warning",
            )
        )
        return None
    statement = _readable(meta.get("target_name"))
    target = {"final": {"period": _period_in(frequency, year), "value": float(value)}}
    if totals:
        by_year = {p[:4]: p for p in totals}
        period = by_year.get(str(base_year)) if base_year else None
        period = period or min(totals)
        target["baseline"] = {"period": period, "value": totals[period]}
    if statement:
        target["note"] = statement
    lo, hi = UNIT_BOUNDS[unit]
    if (lo is not None and float(value) < lo) or (hi is not None and float(value) > hi):
        problems.append(
            Problem(where, None, "target", str(value), f"target is outside what a {unit} allows; left out", "warning")
        )
        return None
    return target



# --- the import -----------------------------------------------------------------------------


@dataclass
class _MeasurePlan:
    series: str | None
    unit: str | None
    frequency: str
    rows: list[_Row]
    geocode: str | None = None  # the GeoCode header, when only GeoCode tells some rows apart

    def cells(self, r: _Row) -> dict[str, str]:
        """The row's breakdown cells by source header, GeoCode among them where it must be."""
        return {**r.cells, self.geocode: r.geocode} if self.geocode else r.cells

    @cached_property
    def values(self) -> dict[str, list[str]]:
        """Each breakdown header's values, in the order rows first show them (headers too)."""
        seen: dict[str, dict[str, None]] = {}
        for r in self.rows:
            for h, v in self.cells(r).items():
                if v:
                    seen.setdefault(h, {})[v] = None
        return {h: list(vs) for h, vs in seen.items()}


def _indicator_sort(ind: str):
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[-.]", ind)]


def _title(meta: dict, ind: str, translate: Translate = _untranslated) -> str:
    """The indicator's own name: TITLE_FIELDS, then the first of `graph_titles`, then any other
    field named for its title or name; 'Indicator 1.2.3' only when none holds one."""
    for k in TITLE_FIELDS:
        if t := _readable(meta.get(k), translate):
            return t
    for g in meta.get("graph_titles") or []:
        if isinstance(g, dict) and (t := _readable(g.get("title"), translate)):
            return t
    for k, v in meta.items():
        if _OTHER_TITLE.search(str(k)) and not _NOT_TITLE.search(str(k)) and (t := _readable(v, translate)):
            return t
    return f"Indicator {ind.replace('-', '.')}"


def _council_of(ind: str, goal: str, council_map: dict[str, str]) -> str:
    for key in (ind, ind.replace("-", "."), goal):
        if key in council_map:
            return council_map[key]
    return DEFAULT_COUNCILS.get(goal, "government")


def _plan_measures(table: _Table, problems: list[Problem]) -> list[_MeasurePlan]:
    """One measure per (series, unit, frequency), in the order the file first shows them."""
    groups: dict[tuple[str, str], dict[str, list[_Row]]] = {}
    names: dict[tuple[str, str], tuple[str | None, str | None]] = {}
    for r in table.rows:
        k = _row_key(r)
        names.setdefault(k, (r.series, r.unit))
        groups.setdefault(k, {}).setdefault(r.period.frequency, []).append(r)
    plans = []
    for k, by_freq in groups.items():
        series, unit = names[k]
        if len(by_freq) > 1:
            counts = ", ".join(
                f"{f.replace('_', ' ')}: {len(rs):,} row{'s' if len(rs) > 1 else ''}" for f, rs in by_freq.items()
            )
            first = min(rs[0].row for rs in list(by_freq.values())[1:])
            problems.append(
                Problem(
                    f"data/{table.path.name}",
                    first,
                    "Year",
                    None,
                    f"series {series or '(none)'!r} mixes period kinds ({counts}); one measure each",
                    "warning",
                )
            )
        for f, rs in sorted(by_freq.items(), key=lambda kv: -len(kv[1])):
            plans.append(_MeasurePlan(series, unit, f, rs, _geocode_needed(table, rs)))
    return plans


def _placeholder_values(meta: dict, table: _Table) -> bool:
    """`reporting_status: notstarted` and nothing but 0 or blank in the file: a placeholder."""
    if str(meta.get("reporting_status") or "").strip().lower() != "notstarted" or not table.rows:
        return False
    return all(v == "" or (n := _numbers([v])) and n[0] == 0 for v in (r.value for r in table.rows))


def _geocode_needed(table: _Table, rows: list[_Row]) -> str | None:
    """The GeoCode header when rows with the same period and breakdown differ only by GeoCode."""
    header = next((h for h in table.header if _bare(h).lower() == "geocode"), None)
    if header is None:
        return None
    codes: dict[tuple, set[str]] = {}
    for r in rows:
        codes.setdefault((r.period.label, *r.cells.values()), set()).add(r.geocode)
    return header if any(len(c) > 1 for c in codes.values()) else None


def _headline(meta: dict, plans: list[_MeasurePlan]) -> int:
    """The measure Open SDG shows first: `data_start_values` Series / Units where they name
    one; else the first series of the file (of its kinds of period, the one with most rows)."""
    wanted: dict[str, set[str]] = {}
    for d in meta.get("data_start_values") or []:
        if isinstance(d, dict):
            field_ = str(d.get("field", "")).strip().lower()
            wanted.setdefault("unit" if field_ in ("units", "unit measure") else field_, set()).add(
                _key(d.get("value"))
            )
    candidates = list(range(len(plans)))
    for attr in ("series", "unit"):
        narrowed = [i for i in candidates if _key(getattr(plans[i], attr)) in wanted.get(attr, ())]
        candidates = narrowed or candidates
    return candidates[0]


def _distinct_parts(texts: list[str]) -> dict[str, str]:
    """Each text without the words every text shares at its start and end (for short ids)."""
    words = {t: t.split() for t in texts}
    lists = list(words.values())
    head = 0
    while all(len(w) > head for w in lists) and len({w[head].lower() for w in lists}) == 1:
        head += 1
    tail = 0
    while all(len(w) > head + tail for w in lists) and len({w[-1 - tail].lower() for w in lists}) == 1:
        tail += 1
    return {t: " ".join(w[head : len(w) - tail]) or t for t, w in words.items()}


def _measure_ids(slug: str, ind: str, plans: list[_MeasurePlan]) -> list[str]:
    """`<slug>.<indicator>`, plus what tells the measures apart: series, unit, frequency."""
    base = f"{slug}.{ind}"
    if len(plans) == 1:
        return [base]
    series = _distinct_parts(list(dict.fromkeys(p.series or "no series" for p in plans)))
    ids, used = [], set()
    for p in plans:
        parts = [base]
        if len(series) > 1:
            parts.append(slugify(series[p.series or "no series"], 40))
        same_series = [q for q in plans if _key(q.series) == _key(p.series)]
        if len({_key(q.unit) for q in same_series}) > 1:
            parts.append(slugify(p.unit or "no-unit", 24))
        if len({q.frequency for q in same_series}) > 1:
            parts.append(p.frequency.replace("_", "-"))
        mid, n = ".".join(parts), 2
        while mid in used:
            mid, n = f"{'.'.join(parts)}-{n}", n + 1
        used.add(mid)
        ids.append(mid)
    return ids


FREQUENCY_WORDS = {
    "annual": "annual",
    "quarterly": "quarterly",
    "monthly": "monthly",
    "financial_year": "financial years",
}


def _measure_name(title: str, p: _MeasurePlan, plans: list[_MeasurePlan]) -> str:
    if len(plans) == 1:
        return title
    name = p.series or title
    same_series = [q for q in plans if _key(q.series) == _key(p.series)]
    if len({_key(q.unit) for q in same_series}) > 1 and p.unit:
        name += f", {p.unit}"
    if len({q.frequency for q in same_series}) > 1:
        name += f", {FREQUENCY_WORDS[p.frequency]}"
    return name



@dataclass
class _Indicator:
    ind: str
    meta: _Meta
    table: _Table | None
    plans: list[_MeasurePlan]
    sources: list[_Source]
    placeholder: bool = False  # notstarted with only 0 or blank values: no value is published


def _read_data(src: Path, problems: list[Problem]) -> dict[str, _Table]:
    tables: dict[str, _Table] = {}
    for path in sorted((src / "data").glob("indicator_*.csv")):
        try:
            t = _read_table(path, ReadOptions())
        except ExtractError as e:
            problems += [replace(p, file=f"data/{p.file}") for p in e.problems]
            continue
        if t.indicator in tables:
            first = tables[t.indicator].path.name
            problems.append(
                Problem(
                    f"data/{path.name}",
                    None,
                    None,
                    None,
                    f"another file for indicator {t.indicator} (data/{first}, kept); not loaded",
                    "warning",
                )
            )
            continue
        tables[t.indicator] = t
        problems += [replace(p, file=f"data/{p.file}") for p in t.problems if p.severity == "error"]
    return tables


def _load_inputs(src: Path, problems: list[Problem], orgs: _Orgs) -> list[_Indicator]:
    tables = _read_data(src, problems)
    metas = _read_metadata(src, set(tables), problems)
    # names seen standing alone are 'known' when splitting strings that list several
    known = set()
    for meta in metas.values():
        for _, text, _ in _organisation_fields(meta.doc):
            known.add(_one_organisation(text)[0])
    out = []
    for ind in sorted(set(metas) | set(tables), key=_indicator_sort):
        meta = metas.get(ind) or _Meta({}, f"meta/{ind}.md")
        if ind not in metas:
            problems.append(
                Problem(
                    f"data/indicator_{ind}.csv",
                    None,
                    None,
                    None,
                    "no metadata file; names and sources are guessed",
                    "warning",
                )
            )
        table = tables.get(ind)
        placeholder = table is not None and _placeholder_values(meta.doc, table)
        plans = _plan_measures(table, problems) if table and not placeholder else []
        if table is None:
            problems.append(
                Problem(
                    meta.file, None, None, None, "no data file; the objective is defined without measures", "warning"
                )
            )
        elif placeholder:
            first = table.rows[0]
            problems.append(
                Problem(
                    f"data/{table.path.name}",
                    first.row,
                    "Value",
                    first.value,
                    f"reporting_status is notstarted and every value is 0 or blank ({len(table.rows):,} "
                    f"row{'s' if len(table.rows) > 1 else ''}): a placeholder, not data; no value is published "
                    "(no data yet) and the file is not loaded",
                    "warning",
                )
            )
        elif not plans:
            problems.append(
                Problem(
                    f"data/{table.path.name}",
                    None,
                    None,
                    None,
                    "no data rows (placeholder only); the objective is defined without measures",
                    "warning",
                )
            )
        out.append(_Indicator(ind, meta, table, plans, _sources(meta, orgs, known, problems), placeholder))
    return out


def _components(src: Path, problems: list[Problem]) -> dict:
    path = src / "indicator_calculation_components.yml"
    if not path.is_file():
        return {}
    try:
        doc = yaml.load(path.read_text(encoding="utf-8"), Loader=YAML_LOADER)
    except yaml.YAMLError as e:
        problems.append(Problem(path.name, None, None, None, f"not valid YAML ({e}); directions guessed", "warning"))
        return {}
    return {_norm_indicator(str(k)): v for k, v in (doc or {}).items()}


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


def _measures(
    ind: _Indicator, slug: str, title: str, owner: str, components_entry, bname, dataset: str, problems: list[Problem]
) -> list[dict]:
    if not ind.plans:
        return []
    meta = ind.meta.doc
    headline = _headline(meta, ind.plans)
    ids = _measure_ids(slug, ind.ind, ind.plans)
    description = _prose(meta.get("national_indicator_description") or meta.get("indicator_definition"))
    if description and description[-1] not in ".!?…":
        description += "."
    number = str(meta.get("indicator_number") or ind.ind.replace("-", "."))
    sources = "; ".join(f"{s.title}" for s in ind.sources if s.title)
    out = []
    for i, (p, mid) in enumerate(zip(ind.plans, ids, strict=True)):
        mname = _measure_name(title, p, ind.plans)
        values = [r.value for r in p.rows]
        unit_text = p.unit or _clean(meta.get("computation_units"))
        categories = None
        if _is_binary(meta, p, unit_text):
            categories, stray = _categories(values)
            if stray is not None:
                first = next(r for r in p.rows if r.value == stray)
                problems.append(
                    Problem(
                        f"data/{ind.table.path.name}",
                        first.row,
                        "Value",
                        stray,
                        "graph_type is binary but the values are not the codes 1, 0 and -1; read as numbers",
                        "warning",
                    )
                )
        unit = unit_fields(unit_text, _numbers(values))
        direction, assumed = _direction(components_entry, meta, f"{title} {p.series or ''}", bool(categories))
        coded = ", ".join(f"{c} = {label}" for c, label in (categories or {}).items())
        kind = f"A yes/no measure: {coded}." if categories else ""
        text = " ".join(x for x in (description, f"Open SDG indicator {number}, {dataset}.", kind, assumed) if x)
        columns: dict[str, str] = {}
        breakdowns: dict[str, list[str]] = {}
        for h, vals in p.values.items():
            b = bname(h)
            columns.setdefault(h, b)
            have = breakdowns.setdefault(b, [])
            have += [v for v in vals if v not in have]
        m = {"id": mid, "name": mname}
        if text:
            m["description"] = text
        m["owner"] = owner
        m["role"] = "headline" if i == headline else "contributing"
        m.update(unit)
        m["decimals"] = 0 if categories else _decimals(values)
        m["direction"] = direction
        m["frequency"] = p.frequency
        if breakdowns:
            m["breakdowns"] = breakdowns
        if not _truthy(meta.get("published", True)):
            m["published"] = False
        if sources:
            m["source"] = sources
        if i == headline:
            totals = {
                r.period.label: float(r.value)
                for r in p.rows
                if r.value and not any(r.cells.values()) and _numbers([r.value])
            }
            t = _target(meta, components_entry, p.frequency, totals, unit["unit"], ind.meta.file, problems)
            if t and categories:
                where = next((k for k in ("progress_calculation_options", "graph_target_lines") if k in meta), "")
                reason = "a yes/no measure has no target; left out"
                problems.append(ind.meta.problem(where, t["final"]["value"], reason))
            elif t:
                m["target"] = t
        if categories:
            m["categories"] = categories
        src = {"indicator": ind.ind}
        if p.series:
            src["series"] = p.series
        if p.unit:
            src["unit"] = p.unit
        if columns:
            src["columns"] = columns
        m["open_sdg"] = src
        out.append(m)
    return out


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
