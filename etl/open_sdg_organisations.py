"""Open SDG import, organisations: who an indicator's metadata names. The active
`source_organisation_N` fields (split and normalised: KNOWN_ORGANISATIONS, ORGANISATION_ALIASES),
then `data_provider`; URLs, dataset titles and prose are refused (reported). `_Orgs` merges
the names across indicators; NOT_STATED ('Not stated') stands in where none is named;
ORGANISATION_KINDS gives each its kind."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from .open_sdg_metadata import _Meta, _readable, _truthy, slugify
from .open_sdg_reader import _clean
from .tables import Problem

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
