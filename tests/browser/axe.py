"""Accessibility checks in the browser: axe-core (from npm, loaded from node_modules) and the few
WCAG rules axe cannot judge alone (one h1, headings in order, a skip link, a text alternative
beside every chart, a visible focus)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

__all__ = ["AXE_JS", "WCAG_TAGS", "EXCUSED", "run_axe", "dropdown_problems", "serious", "describe", "headings",
           "heading_problems", "charts_without_alternative", "focus_visible", "wait_until_drawn"]

AXE_JS = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
SERIOUS = {"serious", "critical"}
TARGETS_SHOWN = 4

# Dash 4's dcc.Dropdown puts an invisible, aria-hidden <input> in the tab order whose only job is to
# pass focus on to the dropdown's labelled button (dash/dcc async-dropdown.js). axe rightly reports
# it (aria-hidden-focus, serious), and the app cannot change it: its nodes are set aside only after
# `dropdown_problems` has found that every such proxy hands focus straight to a named button.
EXCUSED = {"aria-hidden-focus": ".dash-dropdown-focus-target"}

RUN = """const [tags, excused, done] = arguments;
const kept = (rule, node) => {
  const el = excused[rule] && document.querySelector(node.target[node.target.length - 1]);
  return !(el && el.matches(excused[rule]));
};
axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(r => done(r.violations
    .map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.filter(n => kept(v.id, n)).map(n => n.target.join(' '))}))
    .filter(v => v.targets.length)))
  .catch(e => done({error: String(e)}));"""

PROXIES = """const problems = [];
axe.setup(document);  // accessibleText reads axe's own tree of the page
for (const proxy of document.querySelectorAll('.dash-dropdown-focus-target')) {
  if (!proxy.getClientRects().length) { continue; }  // not shown, so out of the tab order
  proxy.focus();
  const to = document.activeElement;
  const name = to.tagName === 'BUTTON' ? axe.commons.text.accessibleText(to).trim() : '';
  if (to.tagName !== 'BUTTON' || to.getAttribute('aria-haspopup') !== 'listbox' || !name) {
    problems.push(`${proxy.nextElementSibling && proxy.nextElementSibling.id}: focus went to ${to.tagName} `
                  + `named '${name}'`);
  }
  to.blur();
}
axe.teardown();
return problems;"""


def _axe_source() -> str:
    """axe-core's script; the tests fail (not skip) without it, so a missing `npm ci` is noticed."""
    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `npm ci` in the repository root to install axe-core "
                    "(package.json pins it).", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


def run_axe(driver) -> list[dict]:
    """axe-core's WCAG 2.0–2.2 A and AA rules on the page as it stands: the violations found."""
    driver.execute_script(_axe_source())
    driver.set_script_timeout(60)
    proxies = dropdown_problems(driver)
    if proxies:
        pytest.fail(f"a Dash dropdown's focus proxy does not hand focus to a named button: {proxies}")
    found = driver.execute_async_script(RUN, WCAG_TAGS, EXCUSED)
    if isinstance(found, dict):
        pytest.fail(f"axe.run failed: {found['error']}")
    return found


def dropdown_problems(driver) -> list[str]:
    """Dash dropdowns whose invisible focus proxy does not pass focus on to a named listbox button."""
    return driver.execute_script(PROXIES)


def serious(violations: list[dict]) -> list[dict]:
    return [v for v in violations if v["impact"] in SERIOUS]


def describe(violations: list[dict]) -> str:
    """One line per violated rule: id, impact, help, the first few elements."""
    lines = []
    for v in violations:
        more = len(v["targets"]) - TARGETS_SHOWN
        shown = ", ".join(v["targets"][:TARGETS_SHOWN]) + (f" and {more} more" if more > 0 else "")
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} — {shown}")
    return "\n".join(lines)


def headings(driver) -> list[tuple[int, str]]:
    """Every visible-to-assistive-technology heading in document order: (level, text)."""
    return [
        (int(level), text)
        for level, text in driver.execute_script(
            "return Array.from(document.querySelectorAll('h1,h2,h3,h4,h5,h6'))"
            ".filter(h => !h.closest('[hidden],[aria-hidden=true]') && getComputedStyle(h).display !== 'none')"
            ".map(h => [h.tagName.slice(1), h.textContent.trim()]);"
        )
    ]


def heading_problems(found: list[tuple[int, str]]) -> list[str]:
    """Exactly one h1, first; no level skipped on the way down (h2 → h4)."""
    problems = []
    ones = [t for level, t in found if level == 1]
    if len(ones) != 1:
        problems.append(f"{len(ones)} h1 headings: {ones}")
    if found and found[0][0] != 1:
        problems.append(f"the first heading is h{found[0][0]} {found[0][1]!r}, not the h1")
    for (before, _), (level, text) in zip(found, found[1:], strict=False):
        if level > before + 1:
            problems.append(f"h{before} is followed by h{level} {text!r}")
    return problems


# a chart's text alternative: its own accessible name, the caption of the <figure> it sits in, or a
# data table or text summary (.chart-summary) in the section, card or panel that holds it
CHART_ALTERNATIVES = """return Array.from(document.querySelectorAll('.js-plotly-plot')).filter(el => {
  const graph = el.closest('.dash-graph') || el;
  const said = e => e !== null && e.textContent.trim() !== '';
  if (graph.getAttribute('aria-label') || graph.getAttribute('aria-describedby')) { return false; }
  const figure = graph.closest('figure');
  if (figure && said(figure.querySelector('figcaption'))) { return false; }
  const block = graph.closest('section, article, .panel, .objective-card') || graph.parentElement;
  return !(block.querySelector('table') || said(block.querySelector('.chart-summary')));
}).map(el => (el.closest('[id]') || el).id || el.className);"""


def charts_without_alternative(driver) -> list[str]:
    return driver.execute_script(CHART_ALTERNATIVES)


FOCUS_STYLE = r"""const el = document.activeElement;
if (!el || el === document.body) { return null; }
// Dash 4 draws a text box as an <input> inside a bordered container, which carries the ring
const s = getComputedStyle(el.closest('.dash-input-container') || el);
// a shadow counts when one of its layers is not transparent and has a size (Bootstrap leaves a 0px one)
const shadows = s.boxShadow === 'none' ? [] : s.boxShadow.split(/,(?![^(]*\))/);
const seen = shadows.some(layer => !/rgba\([^)]*,\s*0\)/.test(layer) && /[1-9][\d.]*px/.test(layer));
const clear = colour => /rgba\([^)]*,\s*0\)/.test(colour);
const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0 && !clear(s.outlineColor);
const ring = outline || seen;
return {ring: ring, tag: el.tagName.toLowerCase(), id: el.id,
        text: (el.textContent || el.value || '').trim().slice(0, 60),
        outline: s.outlineStyle + ' ' + s.outlineWidth + ' ' + s.outlineColor, shadow: s.boxShadow};"""


def focus_visible(driver, settle: float = 1.0) -> dict | None:
    """The focused element, and whether it shows a focus ring (an outline or a box shadow that is
    not transparent), given `settle` seconds for a ring that fades in."""
    deadline = time.monotonic() + settle
    while True:
        found = driver.execute_script(FOCUS_STYLE)
        if not found or found["ring"] or time.monotonic() > deadline:
            return found
        time.sleep(0.05)


DRAWN = """const graphs = Array.from(document.querySelectorAll('.dash-graph'));
const pending = document.querySelector('[data-dash-is-loading="true"]');
return !pending && document.querySelector('main h1') !== null
  && graphs.every(g => g.querySelector('.js-plotly-plot .main-svg'));"""


def wait_until_drawn(driver, timeout: float = 20) -> None:
    """The page's heading is there, every chart drawn and no callback pending."""
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(driver, timeout).until(lambda d: d.execute_script(DRAWN))
