"""The public site as static files: `export_site(public_warehouse, outdir)` writes one HTML page per
council, objective, measure and end-to-end service (services.py), a home page, the downloads and
the API's JSON, a sitemap and one shared copy of each script and stylesheet, all linked relatively so
that the folder works from any web server, a CDN, or opened straight from disk.

It reads the public warehouse only (the file every publish writes without internal measures) and
as the public, and the public text (commentary and actions marked public, workflow.public_text),
so nothing internal can reach it. Figures are drawn by the same builders as the app;
judgements are the ones stored at publish. A file is rewritten only when its bytes change, so a
second export after a load touches only what the load changed.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2
import pandas as pd
import plotly

from goal_councils.assess import next_due, no_figure_months
from published import documents
from published.access import PUBLIC, as_viewer
from published.exports import neutralise
from published.judgements import stored_statuses, stored_timeliness
from published.reader import Scope, Warehouse
from workflow.public_text import PublicAction, PublicText

from .. import figures, public_documents
from ..components.chips import STATUSES
from ..components.measure import no_figure_words
from ..components.pieces import target_text, value_text
from ..components.review import ACTION_STATUSES
from ..formatting import direction_words, flag_words, format_date, format_period, frequency_word, unit_words
from ..series import records, rows_of
from ..service_documents import Service, read_service, service_document, service_summary
from ..summaries import Summary, plan_points, summarise
from .services import PINCH, service_page

__all__ = ["export_site", "ExportResult"]

HERE = Path(__file__).resolve().parent
ASSETS = HERE.parent / "assets"
STATUS_ORDER = ("off_track", "at_risk", "on_track", "target_met", "no_target", "not_enough_data", "not_judged")


@dataclass
class ExportResult:
    pages: int = 0  # HTML pages
    files: int = 0  # every file the site holds
    written: int = 0  # files new or changed by this export
    removed: int = 0  # files of an earlier export that name nothing now
    seconds: float = 0.0
    bytes: int = 0
    per_page: float = field(init=False, default=0.0)

    def finish(self, started: float) -> ExportResult:
        self.seconds = time.perf_counter() - started
        self.per_page = self.seconds / self.pages if self.pages else 0.0
        return self


class _Writer:
    """Writes files under `root`, only when their bytes change; remembers what the site holds."""

    def __init__(self, root: Path, result: ExportResult):
        self.root, self.result, self.kept = root, result, set()

    def write(self, relative: str, content: str | bytes) -> None:
        data = content.encode("utf-8") if isinstance(content, str) else content
        path = self.root / relative
        self.kept.add(path)
        self.result.files += 1
        self.result.bytes += len(data)
        if path.is_file() and path.stat().st_size == len(data) and path.read_bytes() == data:
            return
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        partial.write_bytes(data)
        partial.replace(path)  # a reader never sees half a file
        self.result.written += 1

    def remove_the_rest(self) -> None:
        """Files an earlier export wrote for things that are no longer published go."""
        for path in sorted(self.root.rglob("*"), reverse=True):
            if path.is_file() and path not in self.kept:
                path.unlink()
                self.result.removed += 1
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["script_json"] = _script_json
    env.filters["unit_words"] = lambda m: unit_words(m["unit"], m.get("unit_label"), m.get("rate_per"))  # as pages
    return env


def _script_json(value) -> str:
    """JSON that cannot end the <script> element it sits in, whatever text it holds."""
    if hasattr(value, "to_plotly_json"):
        value = value.to_plotly_json()
    text = json.dumps(value, cls=plotly.utils.PlotlyJSONEncoder, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, allow_nan=False, separators=(",", ":"), default=str)


def _plotly_js() -> bytes:
    """The smallest plotly.js the app itself serves (a partial bundle in the app's assets when there
    is one), else the full one that the plotly package carries."""
    found = sorted(ASSETS.glob("plotly*.js"))
    if found:
        return found[0].read_bytes()
    from plotly.offline import get_plotlyjs

    return get_plotlyjs().encode("utf-8")


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()[:12]


def export_site(public_warehouse: Path, outdir: Path, *, title: str = "Shared Outcomes",
                base_url: str | None = None, public_text: PublicText | None = None) -> ExportResult:
    """Write the public site into `outdir` (made if missing): see the module's docstring.
    `public_text`: the public commentary and actions to show (workflow.public_text; none if None)."""
    started, result = time.perf_counter(), ExportResult()
    outdir.mkdir(parents=True, exist_ok=True)
    writer = _Writer(outdir, result)
    warehouse = Warehouse(public_warehouse)
    try:
        with as_viewer(PUBLIC):
            _Site(warehouse, writer, _environment(), title, public_text or PublicText()).build()
    finally:
        warehouse.close()
    writer.write("sitemap.xml", _sitemap(sorted(p.relative_to(outdir).as_posix() for p in writer.kept
                                                if p.suffix == ".html"), base_url))
    writer.remove_the_rest()
    return result.finish(started)


def _sitemap(pages: Iterable[str], base_url: str | None) -> str:
    from xml.sax.saxutils import escape

    base = (base_url or "").rstrip("/") + "/"
    urls = "".join(f"  <url><loc>{escape(base + p)}</loc></url>\n" for p in pages)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
            f"{urls}</urlset>\n")


class _Site:
    """One export: everything read once, then each page rendered from what was read."""

    def __init__(self, warehouse: Warehouse, writer: _Writer, env: jinja2.Environment, title: str,
                 text: PublicText):
        self.w, self.writer, self.env, self.title, self.text = warehouse, writer, env, title, text

    def build(self) -> None:
        w = self.w
        self.asset_names = self._assets()
        self.councils = records(w.councils())
        self.objectives = [{**o, "id": o["objective_id"], "name": o["objective_name"],
                            "statement": o["objective_statement"]} for o in records(w.objectives())]
        self.measures = records(w.measures(Scope()))
        values = w.values(Scope(), dimension=None)  # every breakdown: the downloads hold them all
        self.values = {m: f for m, f in values.groupby("measure_id", sort=False)} if len(values) else {}
        plan = w.plan(Scope())
        self.plans = {m: records(f) for m, f in plan.groupby("measure_id", sort=False)} if len(plan) else {}
        self.statuses = stored_statuses(w, Scope(), None)
        self.timely = stored_timeliness(w, Scope(), None)
        as_of = records(w.as_of())
        self.as_of = as_of[0] if as_of else {}
        self.partners = {o["id"]: records(w.partners(o["id"])) for o in self.objectives}
        self.summaries = {m["id"]: self._summary(m) for m in self.measures}
        self.rows = self._download_rows(values)
        self.org_names = public_documents.org_names(w)
        self.today = date.today()
        # a service with no public stage has no page (read_service gives None)
        self.services = [s for s in (read_service(w, row["id"]) for row in records(w.services())) if s is not None]
        for m in self.measures:
            self._measure(m)
        for s in self.services:
            self._service(s)
        for o in self.objectives:
            self._objective(o)
        for c in self.councils:
            self._council(c)
        self._home()
        self._api()

    # --- pieces ----------------------------------------------------------------------------

    def _assets(self) -> dict[str, str]:
        """One shared copy of each script, stylesheet and the icon, named by its content (cached for ever)."""
        names = {}
        for key, data in (("plotly", _plotly_js()), ("site_js", (HERE / "static" / "site.js").read_bytes()),
                          ("bootstrap", (ASSETS / "bootstrap.min.css").read_bytes()),
                          ("site_css", (ASSETS / "site.css").read_bytes()),
                          ("export_css", (HERE / "static" / "export.css").read_bytes()),
                          ("favicon", (ASSETS / "favicon.ico").read_bytes())):
            suffix = {"plotly": ".js", "site_js": ".js", "favicon": ".ico"}.get(key, ".css")
            names[key] = f"assets/{key.replace('_', '-')}-{_digest(data)}{suffix}"
            self.writer.write(names[key], data)
        return names

    def _summary(self, m: Mapping) -> Summary:
        totals = self._totals(m["id"])
        return summarise(m, totals, self.statuses.get(m["id"]), self.timely)

    def _totals(self, measure_id: str) -> pd.DataFrame:
        frame = self.values.get(measure_id)
        if frame is None:
            return self.w.values(Scope(measure="\x00none"))  # an empty frame with the columns
        return frame[frame["breakdown"] == ""]

    def _status(self, measure_id: str) -> dict:
        summary = self.summaries.get(measure_id)
        status = summary.status.status if summary else "not_judged"
        icon, word, tone = STATUSES.get(status, ("·", status, "chip-neutral"))
        return {"key": status, "icon": icon, "word": word, "tone": tone,
                "reason": summary.status.reason if summary else ""}

    def _counts(self, measure_ids: Iterable[str]) -> list[dict]:
        found: dict[str, int] = {}
        for mid in measure_ids:
            key = self._status(mid)["key"]
            found[key] = found.get(key, 0) + 1
        order = [k for k in STATUS_ORDER if k in found] + sorted(k for k in found if k not in STATUS_ORDER)
        return [{**dict(zip(("icon", "word", "tone"), STATUSES.get(k, ("·", k, "chip-neutral")), strict=True)),
                 "n": found[k]} for k in order]

    def _card(self, m: Mapping) -> dict:
        s = self.summaries[m["id"]]
        return {"id": m["id"], "name": m["name"], "owner": m["owner_name"], "role": m["role"],
                "status": self._status(m["id"]),
                "latest": value_text(m, s.latest_value) if s.latest_period else "No figures yet",
                "period": format_period(s.latest_period, m["frequency"]) if s.latest_period else "",
                "target": target_text(m)}

    def _said(self, m: Mapping) -> dict | None:
        """The measure's newest public commentary, with the words the template shows."""
        said = self.text.commentary_on(m["id"])
        if not said:
            return None
        c = said[0]
        return {"what_happened": c.what_happened, "why": c.why, "what_next": c.what_next,
                "org_name": self.org_names.get(c.org_id, c.org_id), "period_words": format_period(c.period,
                                                                                                   m["frequency"]),
                "updated_words": format_date(c.updated)}

    def _actions(self, actions: Iterable[PublicAction]) -> list[dict]:
        names = {m["id"]: (f"measure/{m['id']}.html", m["name"]) for m in self.measures}
        names |= {o["id"]: (f"objective/{o['id']}.html", o["name"]) for o in self.objectives}
        found = []
        for a in actions:
            icon, word, tone = ACTION_STATUSES[a.status(self.today)]
            found.append({"title": a.title, "notes": a.notes, "owner": self.org_names.get(a.owner_org, a.owner_org),
                          "due": format_date(a.due, short=True), "state": a.state, "icon": icon, "word": word,
                          "tone": tone, "about": names.get(a.measure_id) or names.get(a.objective_id)})
        return found

    def _render(self, template: str, path: str, **context) -> None:
        depth = path.count("/")
        root = "../" * depth
        page = self.env.get_template(template).render(
            root=root, site_title=self.title, assets={k: root + v for k, v in self.asset_names.items()},
            as_of=self._as_of_words(), **context)
        self.writer.write(path, page)
        self.writer.result.pages += 1

    def _as_of_words(self) -> str:
        when = self.as_of.get("received_at")
        return f"Figures as published on {format_date(when)}." if when is not None and not pd.isna(when) else ""

    # --- pages -----------------------------------------------------------------------------

    def _measure(self, m: Mapping) -> None:
        mid, s = m["id"], self.summaries[m["id"]]
        totals = self._totals(mid)
        points = plan_points(m, self.plans.get(mid, []))
        figure = figures.trend_figure(m, totals, points, colour=figures.org_colour(m["colour_index"]),
                                      title=figures.chart_title(m), height=420)
        rows = sorted(rows_of(totals), key=lambda r: r.start, reverse=True)
        table = [(format_period(r.period, m["frequency"]), value_text(m, r.value),
                  " · ".join(flag_words(r.status, r.revised))) for r in rows]
        due = next_due(m["frequency"], int(m["due_days"]), self.timely.at.date(),
                       no_figure_in=no_figure_months(m.get("no_figure_in"))) if self.timely.at else None
        objective = next((o for o in self.objectives if o["id"] == m["objective_id"]), {})
        council = next((c for c in self.councils if c["id"] == m["council_id"]), {})
        self._render("measure.html", f"measure/{mid}.html", m=m, card=self._card(m), figure=figure, table=table,
                     objective=objective, council=council, partners=self.partners.get(m["objective_id"], []),
                     said=self._said(m), actions=self._actions(self.text.actions_for(
                         objective_id=m["objective_id"], measure_ids=[mid])),
                     direction=direction_words(m["direction"], m.get("categories")).rstrip(" ↑↓↕"),
                     frequency=frequency_word(m["frequency"]),
                     updated=format_date(s.last_received) if s.last_received else "",
                     next_due=(format_period(due[0], m["frequency"]), format_date(due[1])) if due else None,
                     no_figure=no_figure_words(m.get("no_figure_in")))
        self.writer.write(f"data/measure/{mid}.csv", self._csv(self.rows.measure_id == mid))

    def _objective(self, o: Mapping) -> None:
        mine = [m for m in self.measures if m["objective_id"] == o["id"]]
        cards = [self._card(m) for m in mine]
        council = next((c for c in self.councils if c["id"] == o["council_id"]), {})
        services = [s.row for s in self.services if o["id"] in {x["id"] for x in s.objectives}]
        self._render("objective.html", f"objective/{o['id']}.html", o=o, council=council, cards=cards,
                     partners=self.partners.get(o["id"], []), counts=self._counts(m["id"] for m in mine),
                     services=services,
                     actions=self._actions(self.text.actions_for(objective_id=o["id"],
                                                                 measure_ids=[m["id"] for m in mine])))
        self.writer.write(f"data/objective/{o['id']}.csv", self._csv(self.rows.objective_id == o["id"]))

    def _service(self, s: Service) -> None:
        """A service's page: its latest month and the trend of its work waiting (services.py)."""
        objective = next((o for o in self.objectives if s.objectives and o["id"] == s.objectives[0]["id"]), None)
        council = next((c for c in self.councils if objective and c["id"] == objective["council_id"]), None)
        self._render("service.html", f"service/{s.row['id']}.html", s=s.row, objectives=s.objectives,
                     objective=objective, council=council, pinch=PINCH,
                     page=service_page(s, {m["id"]: m for m in self.measures}))

    def _council(self, c: Mapping) -> None:
        objectives = [o for o in self.objectives if o["council_id"] == c["id"]]
        rows = []
        for o in objectives:
            mine = [m for m in self.measures if m["objective_id"] == o["id"]]
            headline = next((m for m in mine if m["role"] == "headline"), None)
            rows.append({"o": o, "headline": self._card(headline) if headline else None,
                         "counts": self._counts(m["id"] for m in mine)})
        measures = [m for m in self.measures if m["council_id"] == c["id"]]
        self._render("council.html", f"council/{c['id']}.html", c=c, rows=rows,
                     counts=self._counts(m["id"] for m in measures),
                     actions=self._actions(self.text.actions_for(council_id=c["id"],
                                                                 measure_ids=[m["id"] for m in measures])))
        self.writer.write(f"data/council/{c['id']}.csv", self._csv(self.rows.council_id == c["id"]))

    def _home(self) -> None:
        councils = []
        for c in self.councils:
            measures = [m for m in self.measures if m["council_id"] == c["id"]]
            objectives = [o for o in self.objectives if o["council_id"] == c["id"]]
            heads = []
            for o in objectives:
                headline = next((m for m in measures if m["objective_id"] == o["id"] and m["role"] == "headline"),
                                None)
                heads.append({"o": o, "headline": self._card(headline) if headline else None})
            councils.append({"c": c, "objectives": heads, "counts": self._counts(m["id"] for m in measures)})
        self._render("index.html", "index.html", councils=councils,
                     counts=self._counts(m["id"] for m in self.measures))

    # --- downloads -------------------------------------------------------------------------

    def _api(self) -> None:
        """The API's documents as files: the four lists at api/v1/<list>.json, each council's full
        document (definitions, statuses, every figure) at api/v1/councils/<id>.json, and the services
        at api/v1/services.json and api/v1/services/<id>.json."""
        w = self.w
        lists = {"councils": documents.council_index(w), "objectives": documents.objective_index(w),
                 "measures": documents.measure_index(w), "organisations": documents.organisation_index(w)}
        for name, items in lists.items():
            self.writer.write(f"api/v1/{name}.json", _json({name: items}))
        for c in self.councils:
            self.writer.write(f"api/v1/councils/{c['id']}.json", _json(documents.council_document(w, c["id"])))
        self.writer.write("api/v1/services.json", _json({"services": [service_summary(s) for s in self.services]}))
        for s in self.services:
            self.writer.write(f"api/v1/services/{s.row['id']}.json", _json(service_document(s)))
        # the public text as the API serves it: every action, and each measure's commentary that has some
        self.writer.write("api/v1/actions.json", _json(public_documents.actions_document(self.text, w,
                                                                                         on=self.today)))
        for measure_id in sorted({c.measure_id for c in self.text.commentary}):
            found = public_documents.commentary_document(self.text, w, measure_id)
            if found is not None:
                self.writer.write(f"api/v1/measures/{measure_id}/commentary.json", _json(found))
        for org in lists["organisations"]:
            chosen = self.rows.owner_id == org["id"]
            if chosen.any():
                self.writer.write(f"data/organisation/{org['id']}.csv", self._csv(chosen))

    CSV_COLUMNS = ["measure_id", "measure_name", "unit", "unit_label", "owner", "objective", "council", "period",
                   "breakdown", "value", "status", "note"]

    def _download_rows(self, values: pd.DataFrame) -> pd.DataFrame:
        """Every published figure with its measure's definition, made safe for a spreadsheet once."""
        names = pd.DataFrame([{"measure_id": m["id"], "measure_name": m["name"], "unit": m["unit"],
                               "unit_label": m["unit_label"], "owner": m["owner_name"],
                               "objective": m["objective_name"], "council": m["council_name"],
                               "objective_id": m["objective_id"], "council_id": m["council_id"],
                               "owner_id": m["owner_id"]}
                              for m in self.measures],
                             columns=[*self.CSV_COLUMNS[:7], "objective_id", "council_id", "owner_id"])
        rows = values[["measure_id", "period", "breakdown", "value", "status", "note"]].merge(names, on="measure_id")
        return pd.concat([neutralise(rows[self.CSV_COLUMNS]), rows[["objective_id", "council_id", "owner_id"]]],
                         axis=1)

    def _csv(self, chosen: pd.Series) -> str:
        return self.rows.loc[chosen.to_numpy(), self.CSV_COLUMNS].to_csv(index=False)
