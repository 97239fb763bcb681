"""The `outcomes` command line: the one place that imports goal_councils, etl and dashboard.

Exit codes: 0 done, 1 input rejected (every problem on stderr, one per line), 2 usage error.
All state lives under the home folder: --home DIR, else $OUTCOMES_HOME, else ~/.shared-outcomes.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from datetime import UTC, date, datetime
from pathlib import Path

from etl.extract import ReadOptions
from etl.home import DEFAULT_HOME, Home
from etl.warehouse import PublishError
from goal_councils import DefinitionsError
from published.reader import WarehouseError
from workflow import WorkflowError

__all__ = ["main"]

EXIT_OK, EXIT_REJECTED, EXIT_USAGE = 0, 1, 2
EXIT_PARTIAL = 3  # import-open-sdg: imported, with some indicator files skipped


class UsageError(Exception):
    """The command was called wrongly (exit 2)."""


def _err(line: str) -> None:
    print(line, file=sys.stderr)


def _progress(i: int, n: int, message: str) -> None:
    _err(f"[{i}/{n}] {message}")


def _read_options(args) -> ReadOptions:
    opts = ReadOptions(
        delimiter=args.delimiter, decimal=args.decimal, encoding=args.encoding,
        sheet=args.sheet, format=args.format, indicator=args.indicator,
    )
    try:
        opts.check()
    except ValueError as e:
        raise UsageError(str(e)) from e
    return opts


def _files(args) -> list[Path]:
    paths = [Path(f) for f in args.files]
    for p in paths:
        if not p.exists():
            raise UsageError(f"{p}: no such file")
        if not p.is_file():
            raise UsageError(f"{p}: is a folder, not a file")
    return paths


def _needs_definitions(home: Home) -> None:
    if not home.definitions.is_dir() or not any(home.definitions.rglob("*.y*ml")):
        raise UsageError(f"{home.root} has no definitions yet: run `outcomes demo`, `outcomes import-open-sdg`, "
                         f"or put definition files in {home.definitions}")


def _received(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = datetime.fromisoformat(text)
    except ValueError as e:
        raise UsageError(f"--received {text!r}: use YYYY-MM-DD or YYYY-MM-DDTHH:MM") from e
    if "T" in text or " " in text.strip():
        # a time of day is the sender's local time; the warehouse keeps one clock, UTC
        when = when.astimezone(UTC).replace(tzinfo=None)
    if when > datetime.now(UTC).replace(tzinfo=None):
        raise UsageError(f"--received {text!r} is in the future")
    return when


def cmd_load(args, home: Home) -> int:
    """Validate files and load them into the warehouse (exit 1 and nothing published if rejected)."""
    from etl.load import LoadRequest, Rejected, load_batch

    _needs_definitions(home)
    req = LoadRequest(args.org, _files(args), _received(args.received), by=args.by, options=_read_options(args),
                      supersede=args.supersede)
    files = [p.name for p in req.files]
    _plans_file(home)
    try:
        [result] = load_batch(home, [req], progress=_progress)
    except Rejected as e:
        _record(home, args.by, "load-rejected", {"org": args.org, "files": files, "problems": len(e.problems),
                                                 "kept": [k.name for k in e.kept]})
        for p in e.problems:
            _err(str(p))
        _err(f"rejected: {len(e.problems)} problem(s); nothing was published. "
             f"The files and this report are kept in {', '.join(map(str, e.kept))}")
        return EXIT_REJECTED
    _record(home, args.by, "load", {"org": args.org, "files": files, "outcome": result.outcome,
                                    "load_id": result.load_id, "rows_read": result.rows_read,
                                    "rows_new": result.rows_new, "reverting": result.reverts,
                                    "supersede": args.supersede})
    for w in result.warnings:
        _err(str(w))
    if result.reverts and not args.supersede:
        _err(f"{result.reverts:,} row(s) not applied: each would put back a figure that a later submission "
             "corrected (listed above). Pass --supersede to apply them; the choice is recorded in the audit.")
    if result.load_id is None and result.rows_read == 0:
        print("nothing new: every file was already loaded")
    elif result.load_id is None and result.reverts:
        print(f"nothing applied: {result.reverts:,} row(s) withheld, the rest of {result.rows_read:,} read "
              "already published")
    elif result.load_id is None:
        print(f"nothing new: all {result.rows_read:,} rows are already published")
    else:
        print(f"load {result.load_id}: {result.rows_new:,} new or revised rows of {result.rows_read:,} read; published")
    return EXIT_OK


def cmd_validate(args, home: Home) -> int:
    """Run every check on files without loading them (exit 1 if any problem)."""
    from etl.load import LoadRequest, validate_files

    _needs_definitions(home)
    req = LoadRequest(args.org, _files(args), options=_read_options(args))
    rows, errors, warnings = validate_files(home, req)
    for p in [*errors, *warnings]:
        _err(str(p))
    if errors:
        _err(f"{len(errors)} problem(s) in {rows:,} rows")
        return EXIT_REJECTED
    print(f"valid: {rows:,} rows")
    return EXIT_OK


def cmd_demo(args, home: Home) -> int:
    """Generate the demo government's submissions and load them through the normal path."""
    from etl.demo import DEMO_DEFINITIONS, DEMO_END, DEMO_PREVIOUS_REVIEW, generate_demo
    from etl.load import LoadRequest, Rejected, load_batch
    from etl.plans import read_definitions

    home.ensure()
    target = home.definitions / "demo"
    others = [p for p in home.definitions.iterdir() if p != target]
    if others and not args.force:
        raise UsageError(f"{home.definitions} already holds other definitions; use an empty home "
                         "or pass --force to add the demo beside them")
    had_demo = target.exists()
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(DEMO_DEFINITIONS, target)
    _plans_file(home)
    try:
        defs = read_definitions(home)  # with any plan saved since a demo before: a publish never drops one
        outdir = home.root / "submissions" / "demo"
        shutil.rmtree(outdir, ignore_errors=True)
        outdir.mkdir(parents=True)
        loads = generate_demo(defs, outdir, seed=args.seed)
        _err(f"generated {sum(len(x.files) for x in loads)} submission files for {len(loads)} loads in {outdir}")
        requests = [LoadRequest(x.org, list(x.files), x.received_at, by="demo") for x in loads]
        # the demo government lives in late 2026: judge "future" periods from its own calendar
        today = max(date.today(), max(x.received_at for x in loads).date(), DEMO_END)
        results = load_batch(home, requests, defs=defs, today=today, judged_before=[DEMO_PREVIOUS_REVIEW],
                             progress=_progress if args.verbose or sys.stderr.isatty() else None)
    except (DefinitionsError, Rejected) as e:
        if not had_demo:
            shutil.rmtree(target, ignore_errors=True)  # leave the home as it was
        if isinstance(e, Rejected):
            for p in e.problems:
                _err(str(p))
            _err(f"the demo was rejected: {len(e.problems)} problem(s); nothing was published")
            return EXIT_REJECTED
        raise
    new = sum(r.rows_new for r in results)
    _demo_review(home)
    _demo_plans(home, today)
    _record(home, _operator(), "demo", {"seed": args.seed, "loads": len([r for r in results if r.load_id]),
                                        "rows_new": new})
    print(f"demo loaded: {len([r for r in results if r.load_id])} loads, {new:,} observations; "
          f"warehouse {home.warehouse}")
    return EXIT_OK


def cmd_import_open_sdg(args, home: Home) -> int:
    """Make definitions from an Open SDG data repository and load its data."""
    src = Path(args.dir)
    if not (src / "data").is_dir() or not (src / "meta").is_dir():
        raise UsageError(f"{src} does not look like an Open SDG data repository (needs data/ and meta/)")
    council_map = None
    if args.councils:
        council_map = {}
        for pair in args.councils.split(","):
            goal, _, council = pair.partition("=")
            if not council:
                raise UsageError(f"--councils {args.councils!r}: use GOAL=COUNCIL,GOAL=COUNCIL")
            council_map[goal.strip()] = council.strip()
    home.ensure()
    # the import writes definitions before loading; keep the folder as it was to put back on failure
    backup = home.root / ".definitions-before-import"
    shutil.rmtree(backup, ignore_errors=True)
    shutil.copytree(home.definitions, backup)
    try:
        return _import_and_load(src, home, council_map, args.name, backup, strict=args.strict)
    finally:
        shutil.rmtree(backup, ignore_errors=True)


def _restore(folder: Path, backup: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(backup, folder)


def _import_and_load(src: Path, home: Home, council_map, name, backup: Path, *, strict: bool = False) -> int:
    from etl.load import LoadRequest, Rejected, load_batch
    from etl.open_sdg import OpenSdgError, import_open_sdg
    from etl.plans import with_saved_plans

    _plans_file(home)
    try:
        plan = import_open_sdg(src, home.definitions, council_map=council_map, name=name)
    except OpenSdgError as e:
        for p in e.problems:
            _err(str(p))
        return EXIT_REJECTED
    for p in plan.problems:
        _err(str(p))
    opts = ReadOptions(format="open_sdg", tolerate_repeats=True)
    # each indicator file is its own load: a file with problems is skipped (kept with its report),
    # the rest are published; --strict makes the repository all or nothing
    requests = [LoadRequest(org, [f], by="import-open-sdg", options=opts) for org, files in plan for f in files]
    try:
        with plan.parsed():  # the load reuses the import's reading of each CSV and its definitions
            results = load_batch(home, requests, defs=with_saved_plans(home, plan.definitions),
                                 progress=_progress, skip_rejected=not strict)
    except (Rejected, DefinitionsError) as e:
        _restore(home.definitions, backup)  # the definitions this import wrote go too
        if isinstance(e, DefinitionsError):
            raise
        for p in e.problems:
            _err(str(p))
        what = "the repository was refused whole (--strict)" if strict else "no indicator file could be imported"
        _err(f"rejected: {len(e.problems)} problem(s); {what}; nothing was published and the definitions this "
             f"import wrote were removed. The files and reports are kept in {', '.join(map(str, e.kept))}")
        return EXIT_REJECTED
    skipped = [r for r in results if r.problems]
    for r in results:
        for w in r.warnings:
            _err(str(w))
    for r in skipped:
        for p in r.problems:
            _err(str(p))
    loaded = [r for r in results if not r.problems]
    _record(home, _operator(), "import-open-sdg", {
        "source": src.name, "imported": len(loaded), "skipped": [Path(r.request.files[0]).name for r in skipped],
        "rows_new": sum(r.rows_new for r in loaded)})
    print(f"imported {len(loaded):,} of {len(requests):,} indicator files: {_series_with_data(home, plan.slug)}, "
          f"{sum(r.rows_read for r in loaded):,} rows read, {sum(r.rows_new for r in loaded):,} new")
    if not skipped:
        return EXIT_OK
    print(f"skipped {len(skipped):,} indicator file(s), each kept with its report; nothing from them was published:")
    for r in skipped:
        print(f"  {Path(r.request.files[0]).name}: {len(r.problems)} problem(s) (first: {r.problems[0].reason}); "
              f"kept in {r.kept}")
    return EXIT_PARTIAL


def _series_with_data(home: Home, slug: str) -> str:
    """`412 of 430 series with data`: the import's measures that have published figures."""
    import duckdb

    con = duckdb.connect(str(home.warehouse), read_only=True)
    try:
        defined, with_data = con.execute(
            "SELECT count(*), count(*) FILTER (WHERE id IN (SELECT DISTINCT measure_id FROM observations)) "
            "FROM measures WHERE starts_with(id, ?)", [f"{slug}."]).fetchone()
    finally:
        con.close()
    return f"{with_data:,} of {defined:,} series with data"


def _as_at(text: str | None) -> datetime:
    """The end of the month YYYY-MM (the data as it stood then), or now."""
    from published.as_of import read_as_of

    as_of = read_as_of(text)
    if as_of.problem:
        raise UsageError(f"--as-of {text!r}: use YYYY-MM")
    return as_of.as_at or datetime.now().replace(microsecond=0)


def cmd_exceptions(args, home: Home) -> int:
    """Print every measure needing attention, most severe first (or --csv), and data health."""
    from published.access import OPERATOR, as_viewer

    with as_viewer(OPERATOR):  # whoever holds the home folder reads everything, internal measures too
        return _exceptions(args, home)


def _exceptions(args, home: Home) -> int:
    from published.exports import csv_text
    from published.judgements import review
    from published.reader import Scope, Warehouse, WarehouseMissing

    warehouse = Warehouse(home.warehouse)
    try:
        for flag, value, finder in (("--council", args.council, warehouse.councils),
                                    ("--org", args.org, warehouse.organisations)):
            if value and not len(finder(None, value)):
                raise UsageError(f"{flag} {value!r}: no such id")
        if args.objective and not len(warehouse.objectives(objective_id=args.objective)):
            raise UsageError(f"--objective {args.objective!r}: no such id")
        scope = Scope(council=args.council, owner=args.org, objective=args.objective)
        result = review(warehouse, scope, _as_at(args.as_of) if args.as_of else None)
        measures = len(warehouse.measures(scope))
    except WarehouseMissing as e:
        raise UsageError(str(e)) from e
    finally:
        warehouse.close()
    if result.run is None:
        _err("no judgements stood at that date" + (f"; the first were made as at {result.first_judged:%Y-%m-%d}"
                                                    if result.first_judged else "; run `outcomes judge`"))
        return EXIT_OK
    ex = result.exceptions
    if args.csv:
        sys.stdout.write(csv_text(ex))
        return EXIT_OK
    if not len(ex):
        print("Nothing needs attention.")
    print(f"Judged as at {result.run['as_at']:%Y-%m-%d %H:%M}.")
    for r in ex.itertuples():
        print(f"{r.severity}  {r.rule_label:<24} {r.measure_id:<40} {r.period or '':<8} {r.reason}")
    print(f"\n{len(ex)} exception(s) across {measures} measure(s).")
    health = result.health
    if len(health):
        print("\nData health (periods due in the last year): organisation, due, on time, late, missing")
        for h in health.itertuples():
            print(f"  {h.org_id:<32} {h.due:>4} {h.on_time:>4} {h.late:>4} {h.missing:>4}")
    return EXIT_OK


def cmd_judge(args, home: Home) -> int:
    """Judge the published figures anew as of today (timeliness for every measure; --full: everything)."""
    from etl.load import rejudge

    _plans_file(home)
    result = rejudge(home, full=args.full)
    _record(home, _operator(), "judge", {"run_id": result.run_id, "full": args.full, "judged": result.judged,
                                         "carried": result.carried})
    print(f"judgement run {result.run_id}: {result.judged} measure(s) judged in full, {result.carried} for "
          f"timeliness, in {result.seconds:.1f} s; published")
    return EXIT_OK


def cmd_rollback(args, home: Home) -> int:
    """Publish an earlier kept version again, its public file with it (--list: the kept versions)."""
    from etl.warehouse import published_versions, rollback

    if args.list:
        if args.to is not None:
            raise UsageError("--list and --to do not go together")
        _print_versions(published_versions(home), home)
        return EXIT_OK
    now, was = rollback(home, args.to)
    _record(home, _operator(), "rollback", {"version": now.number, "replaced": was.number if was else None,
                                            "published_at": now.published_at, "newest_load": now.newest_load})
    instead = f" in place of version {was.number}" if was else ""
    print(f"version {now.number} (published {now.published_at or 'at an unknown time'}, loads up to "
          f"{now.newest_load}) is published again{instead}, the public file with it")
    return EXIT_OK


def _print_versions(versions, home: Home) -> None:
    if not versions:
        print(f"no published version is kept in {home.versions}")
        return
    print("  version  published at (UTC)   loads  newest load")
    for v in versions:
        mark = "*" if v.current else " "
        print(f"{mark} {v.number:>7}  {v.published_at or '?':<19}  {v.loads if v.loads is not None else '?':>5}  "
              f"{v.newest_load if v.newest_load is not None else '-':>11}")
    if not any(v.current for v in versions):
        print("(* marks the version published now: none of these is)")


def cmd_export_site(args, home: Home) -> int:
    """Write the public site as static files into OUTDIR: a page per council, objective and measure, the
    downloads, a sitemap; only what the public may see. Files whose bytes did not change are left alone."""
    from dashboard.static_site import export_site

    if not home.public_warehouse.exists():
        if home.warehouse.exists():
            raise UsageError(f"{home.public_warehouse} is missing: run `outcomes judge` to write it")
        raise UsageError(f"{home.root} has nothing published yet: run `outcomes demo` or `outcomes load` first")
    out = Path(args.outdir)
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out} is a file, not a folder")
    text = _public_text(home)  # as the workflow records stand now
    result = export_site(home.public_warehouse, out, base_url=args.base_url, public_text=text)
    print(f"exported {result.pages:,} pages and {result.files - result.pages:,} other files "
          f"({result.bytes / 2**20:.1f} MB) to {out} in {result.seconds:.1f} s ({1000 * result.per_page:.0f} ms a "
          f"page): {result.written:,} written, {result.files - result.written:,} unchanged, {result.removed:,} removed")
    return EXIT_OK


REVIEW_MONTH = r"\d{4}-(0[1-9]|1[0-2])"
CHROMIUMS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
PDF_SECONDS = 120


def cmd_review_pack(args, home: Home) -> int:
    """Write a council's monthly review pack as one self-contained HTML file (or PDF), as the data and the
    review records stood at the end of its meeting day; --list prints the scheduled reviews."""
    from published.access import OPERATOR, as_viewer

    with as_viewer(OPERATOR):  # the pack is internal: whoever holds the home folder reads everything
        return _review_pack(args, home)


def _review_pack(args, home: Home) -> int:
    import re

    from dashboard.review_pack import pack_title, render_pack_html
    from published.reader import Warehouse, WarehouseMissing
    from workflow.pack import build_pack

    if args.list:
        if args.month or args.output or args.pdf:
            raise UsageError("--list takes at most a council")
    elif not (args.council and args.month and args.output):
        raise UsageError("give COUNCIL YYYY-MM -o FILE (or --list to see the scheduled reviews)")
    elif not re.fullmatch(REVIEW_MONTH, args.month):
        raise UsageError(f"{args.month[:40]!r} is not a month: write it as YYYY-MM, e.g. 2026-10")
    out = Path(args.output) if args.output else None
    if out is not None and not out.parent.is_dir():
        raise UsageError(f"{out.parent} is not a folder")
    pdf = out is not None and (args.pdf or out.suffix.lower() == ".pdf")
    chromium = _chromium() if pdf else None
    warehouse = Warehouse(home.warehouse)
    try:
        if args.list:
            schedule = warehouse.scheduled_reviews(args.council)
            if not len(schedule):
                _err("no reviews are scheduled" + (f" for {args.council}" if args.council else "") +
                     ": add `reviews:` (start, rotation, day) to the definitions and publish them")
            for r in schedule.itertuples(index=False):
                print(f"{r.council_id} {r.month}")
            return EXIT_OK
        store = _store(home)
        try:
            pack = build_pack(warehouse, store, args.council, args.month)
        finally:
            store.close()
        html = render_pack_html(pack, warehouse)
    except WarehouseMissing as e:
        raise UsageError(str(e)) from e
    finally:
        warehouse.close()
    if pdf:
        _print_pdf(chromium, html, out)
    else:
        partial = out.with_name(out.name + ".partial")
        partial.write_text(html, encoding="utf-8")
        partial.replace(out)
    print(f"wrote {out} ({out.stat().st_size / 2**20:.1f} MB): {pack_title(pack)}, as the data stood on "
          f"{pack.meeting_date:%Y-%m-%d}")
    return EXIT_OK


def _chromium() -> str:
    """The headless browser that prints a pack to PDF; a usage error saying how to get one when none is found."""
    found = next((path for name in CHROMIUMS if (path := shutil.which(name))), None)
    if found is None:
        raise UsageError("writing PDF needs Chromium, run headless: install it (Debian/Ubuntu: "
                         "`apt-get install -y chromium`), or write HTML (-o pack.html) and print it from a browser")
    return found


def _print_pdf(chromium: str, html: str, out: Path) -> None:
    """Print the pack's HTML to `out` with headless Chromium (A4 landscape, from the pack's print stylesheet)."""
    import subprocess
    import tempfile

    with tempfile.TemporaryDirectory(prefix="review-pack-") as folder:
        page = Path(folder) / "pack.html"
        page.write_text(html, encoding="utf-8")
        target = Path(folder) / "pack.pdf"
        command = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                   "--no-pdf-header-footer", "--print-to-pdf-no-header", "--virtual-time-budget=10000",
                   f"--user-data-dir={Path(folder) / 'profile'}", f"--print-to-pdf={target}", page.as_uri()]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=PDF_SECONDS, check=False)
        except subprocess.TimeoutExpired as e:
            raise UsageError(f"{chromium} did not print the pack within {PDF_SECONDS} s") from e
        if done.returncode != 0 or not target.is_file() or not target.stat().st_size:
            detail = (done.stderr or "").strip().splitlines()[-1:] or ["no output"]
            raise UsageError(f"{chromium} could not print the pack to PDF ({detail[0][:200]})")
        shutil.move(str(target), out)


def cmd_bench(args, home: Home) -> int:
    """Time the product at a named scale (generated data): ETL, publish, pages in-process and served by gunicorn,
    memory, first load in a browser, requests per second, a pandas reference and exceptions, as ratios."""
    from outcomes.bench import run_bench, table

    work = Path(args.work) if args.work else home.root / "bench"
    result = run_bench(args.scale, work, repeats=args.repeats, requests=args.requests, step_s=args.step_seconds,
                       skip={s.strip() for s in args.skip.split(",") if s.strip()}, say=_err)
    print(table(result))
    out = Path(args.json) if args.json else work / f"bench-{args.scale}.json"
    out.write_text(result.to_json() + "\n", encoding="utf-8")
    _err(f"figures written to {out}")
    return EXIT_OK


def cmd_serve(args, home: Home) -> int:
    """Serve the dashboard: Dash's server with --debug, else gunicorn with several workers."""
    from dashboard.app import Settings, create_app, serving_app

    settings = _web_settings(Settings, home, args.debug)
    if args.debug:
        create_app(settings).run(host=args.host, port=args.port, debug=True)
        return EXIT_OK
    from gunicorn.app.base import BaseApplication

    class _Server(BaseApplication):
        def load_config(self):
            self.cfg.set("bind", f"{args.host}:{args.port}")
            self.cfg.set("workers", args.workers)
            self.cfg.set("timeout", 120)

        def load(self):  # in each worker (the app is not preloaded)
            return serving_app(settings)

    _err(f"serving {home.warehouse} on http://{args.host}:{args.port}/ with {args.workers} workers")
    _Server().run()
    return EXIT_OK


TRUE_WORDS = {"1", "true", "yes", "on"}


def _web_settings(settings_type, home: Home, debug: bool):
    """The app's settings, with what the environment says about sessions, sign-in and the workflow records."""
    env = os.environ
    key = env.get("OUTCOMES_SECRET_KEY") or None
    if key is not None and len(key) < 32:
        raise UsageError("OUTCOMES_SECRET_KEY must be at least 32 characters (e.g. `python -c 'import secrets; "
                         "print(secrets.token_urlsafe(48))'`)")
    header = (env.get("OUTCOMES_TRUSTED_USER_HEADER") or "").strip() or None
    if header is not None and not header.replace("-", "").isalnum():
        raise UsageError(f"OUTCOMES_TRUSTED_USER_HEADER {header!r}: a header name, e.g. X-Remote-User")
    proxies = (env.get("OUTCOMES_PROXIES") or "0").strip()
    if not proxies.isdigit():
        raise UsageError(f"OUTCOMES_PROXIES {proxies!r}: the number of reverse proxies in front (0, 1, 2...)")
    url = _workflow_url(home)
    return settings_type(
        warehouse=home.warehouse, debug=debug, workflow_url=url, secret_key=key,
        cookie_secure=env.get("OUTCOMES_COOKIE_SECURE", "").strip().lower() in TRUE_WORDS,
        trusted_user_header=header, proxies=int(proxies),
        # records shared by several app servers (PostgreSQL): public text written through another one
        text_refresh_seconds=0 if url.startswith("sqlite") else 60)


def _workflow_url(home: Home) -> str:
    from workflow import default_url

    return os.environ.get("OUTCOMES_WORKFLOW_URL") or default_url(home.root)


# --- outcomes user ...: who may sign in ------------------------------------------------------------

def _operator() -> str:
    """Who runs the command, for the audit log: the operating-system user."""
    import getpass

    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "cli"


def _store(home: Home):
    from workflow import WorkflowStore

    return WorkflowStore(_workflow_url(home))


def _password(args) -> str:
    """From one line of stdin (--password-stdin), else typed twice at a prompt; never from the command line."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    try:
        first = getpass.getpass(f"Password for {args.username}: ")
        again = getpass.getpass("The same password again: ")
    except EOFError as e:
        raise UsageError("no password given: type it at the prompt, or pass --password-stdin") from e
    if first != again:
        raise UsageError("the two passwords differ; nothing was changed")
    return first


def _known(home: Home, args):
    """The organisations and councils the home's definitions hold, to check --org and --council against
    (None, with a warning, when the home has no definitions yet)."""
    from goal_councils import load_definitions
    from workflow import Known

    if not (args.org or args.council):
        return None
    if not home.definitions.is_dir() or not any(home.definitions.rglob("*.y*ml")):
        _err(f"warning: {home.root} has no definitions yet, so --org and --council are not checked")
        return None
    defs = load_definitions(home.definitions)
    return Known(frozenset(defs.organisations), frozenset(defs.councils))


def cmd_user_add(args, home: Home) -> int:
    """Add a user who may sign in (password from a prompt, or one line of stdin with --password-stdin)."""
    from workflow.users import check_role, normal_username

    known = _known(home, args)
    normal_username(args.username)
    check_role(args.role, args.org, args.council or (), known)  # before asking for a password
    user = _store(home).add_user(args.username, _password(args), args.role, args.org, args.council or (),
                                 by=_operator(), known=known)
    print(f"added {user.username} ({_scope(user)})")
    return EXIT_OK


def cmd_user_remove(args, home: Home) -> int:
    """Remove a user: they can no longer sign in, and any session of theirs ends (the audit log keeps their name)."""
    _store(home).remove_user(args.username, by=_operator())
    print(f"removed {args.username.strip().lower()}")
    return EXIT_OK


def cmd_user_list(args, home: Home) -> int:
    """List the users: name, role, organisation or councils, active, created (never their password hashes)."""
    found = _store(home).list_users()
    if not found:
        print("no users yet: add the first administrator with `outcomes user add NAME --role admin`")
        return EXIT_OK
    for u in found:
        print(f"{u.username:<32} {_scope(u):<48} {'active' if u.active else 'inactive':<8} "
              f"created {u.created_at:%Y-%m-%d %H:%M} UTC")
    return EXIT_OK


def cmd_user_set_role(args, home: Home) -> int:
    """Give a user a new role, with its organisation (steward, lead) or councils (council member)."""
    known = _known(home, args)
    user = _store(home).set_role(args.username, args.role, args.org, args.council or (), by=_operator(),
                                 known=known)
    print(f"{user.username} is now {_scope(user)}")
    return EXIT_OK


def cmd_user_set_password(args, home: Home) -> int:
    """Set a user's password (every session of theirs ends)."""
    _store(home).set_password(args.username, _password(args), by=_operator())
    print(f"password set for {args.username.strip().lower()}")
    return EXIT_OK


def _record(home: Home, who: str, action: str, what: dict) -> None:
    """Put what the command line published into the app's audit log too, beside sign-ins, uploads and
    role changes, so an administrator reads every load in one place (HOME/audit/loads.jsonl keeps each
    load's detail). A load already published stays published if the log cannot be written: say so.
    Then copy the public commentary and actions anew: a publish may have made a measure internal."""
    from sqlalchemy.exc import SQLAlchemyError

    try:
        _store(home).audit(who, action, {**what, "via": "command line"})
    except (SQLAlchemyError, WorkflowError, OSError) as e:
        _err(f"warning: the audit log ({_workflow_url(home)}) could not be written: {e}; "
             f"the load itself is recorded in {home.audit_log}")
    _public_text(home)


def _plans_file(home: Home) -> None:
    """Write the saved workload plans (workflow.plans) to the file the publish step reads, as the workflow
    records stand now; with a warning, and the last file kept, when the records cannot be read."""
    from sqlalchemy.exc import SQLAlchemyError

    from workflow.plans import PlansFile

    try:
        PlansFile(home.milestone_plans).write(_store(home))
    except (SQLAlchemyError, WorkflowError, OSError) as e:
        _err(f"warning: the saved workload plans could not be read from the workflow records ({e}); "
             f"this publish uses the plans last copied to {home.milestone_plans.name}")


def _public_text(home: Home):
    """Rewrite the public text file (workflow.public_text) from the workflow records; what it holds,
    or None with a warning when it could not be written (the public pages keep the last copy)."""
    from sqlalchemy.exc import SQLAlchemyError

    from published.reader import WarehouseError
    from workflow.public_text import PublicTextFile, public_text_path

    try:
        return PublicTextFile(public_text_path(home.warehouse)).write(_store(home), home.public_warehouse)
    except (SQLAlchemyError, WorkflowError, WarehouseError, OSError) as e:
        _err(f"warning: the public commentary and actions could not be copied for the public pages: {e}")
        return None


def _demo_review(home: Home) -> None:
    """The demo government's commentary, actions, escalations and reviews held, into a workflow store
    that holds none yet."""
    from sqlalchemy.exc import SQLAlchemyError

    from workflow.demo import write_demo_review

    try:
        written = write_demo_review(_store(home))
    except (SQLAlchemyError, WorkflowError, OSError) as e:
        _err(f"warning: the demo's review records could not be written: {e}")
        return
    if written:
        _err(f"wrote the demo's review records: {written} commentaries, actions, escalations and reviews held")


def _demo_plans(home: Home, today: date) -> None:
    """The demo's workload plans, saved into a workflow store that holds none yet, then published: each
    becomes its measure's milestone trajectory, and status is judged against it."""
    from sqlalchemy.exc import SQLAlchemyError

    from etl.load import rejudge
    from published.access import OPERATOR, as_viewer
    from published.reader import Scope, Warehouse
    from workflow.demo import write_demo_plans

    warehouse = Warehouse(home.warehouse)

    def backlog_at(measure_id: str, period: str) -> float | None:
        with as_viewer(OPERATOR):
            found = warehouse.values(Scope(measure=measure_id), None)
        row = found[found["period"] == period]
        return None if row.empty else float(row["value"].iloc[0])

    try:
        saved = write_demo_plans(_store(home), backlog_at)
    except (SQLAlchemyError, WorkflowError, OSError) as e:
        _err(f"warning: the demo's workload plans could not be saved: {e}")
        return
    finally:
        warehouse.close()
    if saved:
        _plans_file(home)
        result = rejudge(home, today=today)
        _err(f"saved the demo's workload plans ({saved}) as milestone trajectories; judged again in "
             f"{result.seconds:.0f} s")


def _scope(user) -> str:
    where = f" of {user.org}" if user.org else f" on {', '.join(user.councils)}" if user.councils else ""
    return f"{user.role}{where}"


def _user_parser(sub, common) -> None:
    from workflow import USER_ROLES

    user = sub.add_parser("user", help="manage who may sign in (add, remove, list, set-role, set-password)",
                          description="Manage who may sign in. Each change is recorded in the audit log with the "
                                      "operating-system user who made it.", parents=[common])
    verbs = user.add_subparsers(dest="verb", required=True, metavar="{add,remove,list,set-role,set-password}")

    def verb(name: str, fn) -> argparse.ArgumentParser:
        c = verbs.add_parser(name, help=fn.__doc__, description=fn.__doc__, parents=[common])
        c.set_defaults(fn=fn)
        return c

    def scope(c: argparse.ArgumentParser) -> None:
        c.add_argument("--org", help="the organisation a steward or lead acts for")
        c.add_argument("--council", action="append", metavar="COUNCIL",
                       help="a council a council member sits on (repeat for several)")

    add = verb("add", cmd_user_add)
    add.add_argument("username", metavar="USERNAME")
    add.add_argument("--role", required=True, choices=USER_ROLES)
    scope(add)
    add.add_argument("--password-stdin", action="store_true", help="read the password from one line of stdin")
    verb("remove", cmd_user_remove).add_argument("username", metavar="USERNAME")
    verb("list", cmd_user_list)
    set_role = verb("set-role", cmd_user_set_role)
    set_role.add_argument("username", metavar="USERNAME")
    set_role.add_argument("role", metavar="ROLE", choices=USER_ROLES, help=f"one of {', '.join(USER_ROLES)}")
    scope(set_role)
    set_password = verb("set-password", cmd_user_set_password)
    set_password.add_argument("username", metavar="USERNAME")
    set_password.add_argument("--password-stdin", action="store_true",
                              help="read the password from one line of stdin")


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="outcomes",
        description="Shared Outcomes: load the outcome measures organisations submit, and serve the goal-council "
                    "dashboard. Exit codes: 0 done, 1 rejected (problems on stderr), 2 usage error.")
    home_help = f"home folder (default: $OUTCOMES_HOME or {DEFAULT_HOME})"
    p.add_argument("--home", help=home_help)
    # --home may also follow the subcommand; SUPPRESS keeps one given before it when it does not
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--home", default=argparse.SUPPRESS, help=home_help)
    sub = p.add_subparsers(dest="command", required=True)

    def files_command(name: str, fn) -> argparse.ArgumentParser:
        c = sub.add_parser(name, help=fn.__doc__, description=fn.__doc__, parents=[common])
        c.add_argument("files", nargs="+", metavar="FILE")
        c.add_argument("--org", required=True, help="the submitting organisation's id")
        c.add_argument("--delimiter", default=",", help="field delimiter (default ',')")
        c.add_argument("--decimal", default=".", choices=[".", ","], help="decimal mark (default '.')")
        c.add_argument("--encoding", default="utf-8", help="text encoding (default utf-8)")
        c.add_argument("--sheet", help="Excel sheet name (default: the first)")
        c.add_argument("--format", choices=["csv", "excel", "open_sdg"], help="force a format")
        c.add_argument("--indicator", help="Open SDG indicator id, when the file name does not say")
        c.set_defaults(fn=fn)
        return c

    load = files_command("load", cmd_load)
    load.add_argument("--received", help="when the organisation sent the figures (default: now)")
    load.add_argument("--by", default=os.environ.get("USER", "cli"), help="who runs the load (audit)")
    load.add_argument("--supersede", action="store_true",
                      help="apply rows that would put back figures a later submission corrected (audited)")
    files_command("validate", cmd_validate)

    demo = sub.add_parser("demo", help=cmd_demo.__doc__, description=cmd_demo.__doc__, parents=[common])
    demo.add_argument("--seed", type=int, default=2026)
    demo.add_argument("--force", action="store_true", help="add the demo to a home that has other definitions")
    demo.add_argument("-v", "--verbose", action="store_true",
                      help="show each load (shown anyway when stderr is a terminal)")
    demo.set_defaults(fn=cmd_demo)

    imp = sub.add_parser("import-open-sdg", help=cmd_import_open_sdg.__doc__,
                         description=cmd_import_open_sdg.__doc__, parents=[common])
    imp.add_argument("dir", metavar="DIR")
    imp.add_argument("--councils", help="goal-to-council mapping, e.g. '3=health,4=education'")
    imp.add_argument("--name", help="dataset name used in ids (default: the folder name)")
    imp.add_argument("--strict", action="store_true",
                     help="all or nothing: any indicator file with a problem rejects the whole import")
    imp.set_defaults(fn=cmd_import_open_sdg)

    exc = sub.add_parser("exceptions", help=cmd_exceptions.__doc__, description=cmd_exceptions.__doc__,
                         parents=[common])
    exc.add_argument("--council", help="only this council's measures")
    exc.add_argument("--org", help="only the measures this organisation owns")
    exc.add_argument("--objective", help="only this objective's measures")
    exc.add_argument("--as-of", help="the data as it stood at the end of month YYYY-MM (default: now)")
    exc.add_argument("--csv", action="store_true", help="write CSV to stdout")
    exc.set_defaults(fn=cmd_exceptions)

    jdg = sub.add_parser("judge", help=cmd_judge.__doc__, description=cmd_judge.__doc__, parents=[common])
    jdg.add_argument("--full", action="store_true", help="assess every measure in full, forecasts included")
    jdg.set_defaults(fn=cmd_judge)

    back = sub.add_parser("rollback", help=cmd_rollback.__doc__, description=cmd_rollback.__doc__,
                          parents=[common])
    back.add_argument("--to", type=int, metavar="VERSION",
                      help="the kept version to publish (default: the one before the version published now)")
    back.add_argument("--list", action="store_true", help="list the kept versions, * marking the one published now")
    back.set_defaults(fn=cmd_rollback)

    site = sub.add_parser("export-site", help=cmd_export_site.__doc__, description=cmd_export_site.__doc__,
                          parents=[common])
    site.add_argument("outdir", metavar="OUTDIR")
    site.add_argument("--base-url", help="the address the site will be served from, for the sitemap "
                                         "(default: links relative to the sitemap)")
    site.set_defaults(fn=cmd_export_site)

    pack = sub.add_parser("review-pack", help=cmd_review_pack.__doc__, description=cmd_review_pack.__doc__,
                          parents=[common])
    pack.add_argument("council", nargs="?", metavar="COUNCIL", help="the council's id")
    pack.add_argument("month", nargs="?", metavar="YYYY-MM", help="the month of its scheduled review")
    pack.add_argument("-o", "--output", metavar="FILE", help="where to write the pack (.html; .pdf prints it to PDF)")
    pack.add_argument("--pdf", action="store_true", help="write PDF (headless Chromium) whatever FILE is called")
    pack.add_argument("--list", action="store_true", help="print the scheduled reviews, one `COUNCIL YYYY-MM` a line")
    pack.set_defaults(fn=cmd_review_pack)

    bench = sub.add_parser("bench", help=cmd_bench.__doc__, description=cmd_bench.__doc__, parents=[common])
    bench.add_argument("--scale", default="small", choices=["small", "state", "national"],
                       help="small (CI, ~24,000 rows), state (3.6 million) or national (36 million)")
    bench.add_argument("--work", help="folder for the generated data and warehouse (default: HOME/bench)")
    bench.add_argument("--repeats", type=int, default=5, help="warm requests per page, in-process (default 5)")
    bench.add_argument("--requests", type=int, default=20, help="requests per page over HTTP (default 20)")
    bench.add_argument("--step-seconds", type=float, default=3.0,
                       help="seconds of each step of clients at once in the load test (default 3)")
    bench.add_argument("--json", help="write the figures here (default: WORK/bench-SCALE.json)")
    bench.add_argument("--skip", default="", help="steps to leave out, comma-separated, of: served, browser, "
                                                  "load, reference, exceptions, export (e.g. export,browser)")
    bench.set_defaults(fn=cmd_bench)

    serve = sub.add_parser("serve", help=cmd_serve.__doc__, description=cmd_serve.__doc__, parents=[common])
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8050)
    serve.add_argument("--workers", type=int, default=2)
    serve.add_argument("--debug", action="store_true", help="Dash's development server with reloading")
    serve.set_defaults(fn=cmd_serve)
    _user_parser(sub, common)
    return p


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)  # exits 2 on a usage error
    chosen = args.home if args.home is not None else os.environ.get("OUTCOMES_HOME")
    if chosen is not None and not chosen.strip():
        _err(f"outcomes {args.command}: the home folder is empty text; give a folder")
        return EXIT_USAGE
    home = Home.at(chosen or DEFAULT_HOME)
    if home.root.exists() and not home.root.is_dir():
        _err(f"outcomes {args.command}: {home.root} is a file, not a home folder")
        return EXIT_USAGE
    command = " ".join(filter(None, (args.command, getattr(args, "verb", None))))  # `user add`: its verb too
    try:
        return args.fn(args, home)
    except UsageError as e:
        _err(f"outcomes {command}: {e}")
        return EXIT_USAGE
    except DefinitionsError as e:
        for line in e.problems:
            _err(line)
        _err(f"definitions rejected: {len(e.problems)} problem(s)")
        return EXIT_REJECTED
    except (PublishError, WarehouseError, WorkflowError) as e:  # a UserError says what to put right
        _err(f"outcomes {command}: {e}")
        return EXIT_REJECTED
    except BrokenPipeError:
        # the reader went away (`outcomes exceptions | head`): stop quietly, as other tools do
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
