"""Open SDG import, metadata: an indicator's `meta/<id>.md` front matter and `meta/<id>.yml`
read and merged (ids compared with `.` `_` `-` alike: `15_a_1` is 15-a-1; a later file's value
wins and the conflict is reported), translation keys looked up in `translations/`, the
indicator's own title (TITLE_FIELDS), and the text helpers the other Open SDG modules share
(slugify, prose, readable texts, libyaml loader and dumper)."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from .open_sdg_reader import _clean, _norm_indicator
from .tables import Problem

# libyaml where installed: the pure-Python parser is most of an import's time otherwise
YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
YAML_DUMPER = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


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


# --- texts ----------------------------------------------------------------------------------


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


# --- titles ---------------------------------------------------------------------------------


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
