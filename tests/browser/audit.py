"""What every page a journey reaches must pass, in the state the journey reached it: axe-core with
no violation of any impact, the `lang` attribute of the page's language, no sideways scrolling on a
390 px wide phone, every form error tied to its field and listed in a summary, and times written out
("joi, 3 decembrie 2026, 10:30") rather than as bare numbers."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from selenium.webdriver.chrome.webdriver import WebDriver

from tests.browser.chrome import AXE

PHONE_WIDTH = 390

_WEEKDAYS = {
    "ro": "luni|marți|miercuri|joi|vineri|sâmbătă|duminică",
    "en": "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday",
    "hu": "hétfő|kedd|szerda|csütörtök|péntek|szombat|vasárnap",
}
_MONTHS = {
    "ro": "ianuarie|februarie|martie|aprilie|mai|iunie|iulie|august|septembrie|octombrie|noiembrie|decembrie",
    "en": "January|February|March|April|May|June|July|August|September|October|November|December",
    "hu": "január|február|március|április|május|június|július|augusztus|szeptember|október|november|december",
}
# A date written as numbers (03.12.2026, 2026-12-03, 12/03/2026): what the pages must not show.
NUMERIC_DATE = re.compile(r"\b\d{1,2}[./]\d{1,2}[./]\d{4}\b|\b\d{4}-\d{2}-\d{2}\b")


def written_day(lang: str) -> str:
    """ "joi, 3 decembrie 2026" (or "Thursday, 3 December 2026", "2026. december 3., csütörtök"), as
    a regular expression."""
    if lang == "hu":  # year first, as Hungarian writes it (the catalog's `format.day`)
        return rf"\d{{4}}\. ({_MONTHS[lang]}) \d{{1,2}}\., ({_WEEKDAYS[lang]})"
    return rf"({_WEEKDAYS[lang]}), \d{{1,2}} ({_MONTHS[lang]}) \d{{4}}"


def written_time(lang: str) -> re.Pattern[str]:
    """ "joi, 3 decembrie 2026, 10:30" at the start of a text."""
    return re.compile(rf"^{written_day(lang)}, \d{{2}}:\d{{2}}")


@cache
def _axe_source() -> str:
    return AXE.read_text(encoding="utf-8")


_RUN_AXE = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']})
  .then(result => done(result.violations.map(v => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.map(n => n.target.join(' ') + ' ' + n.html.slice(0, 160))}))))
  .catch(error => done([{id: 'axe-error', impact: 'critical', help: String(error), nodes: []}]));
"""


def axe_violations(driver: WebDriver) -> list[dict[str, Any]]:
    """Every rule axe-core runs by default (WCAG 2.x A/AA and its best practices), all impacts."""
    if not driver.execute_script("return typeof window.axe === 'object'"):
        driver.execute_script(_axe_source())
    violations: list[dict[str, Any]] = driver.execute_async_script(_RUN_AXE)
    return violations


_OVERFLOW = """
const e = document.documentElement;
const wide = [...document.body.querySelectorAll('*')]
  .filter(el => el.getBoundingClientRect().right > e.clientWidth + 0.5)
  .map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
              + (el.className ? '.' + el.className : ''));
return [e.scrollWidth - e.clientWidth, wide.slice(0, 8)];
"""


def horizontal_overflow(driver: WebDriver, width: int = PHONE_WIDTH) -> tuple[int, list[str]]:
    """How many CSS pixels the page is wider than a `width`-pixel phone screen (0: none), and the
    elements that stick out."""
    metrics = {"width": width, "height": 844, "deviceScaleFactor": 2, "mobile": True}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        overflow, wide = driver.execute_script(_OVERFLOW)
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    return overflow, wide


_FORM_ERRORS = """
const invalid = [...document.querySelectorAll('[aria-invalid=true]')];
const summary = document.querySelector('main .alert.error');
return invalid.map(el => {
  const ids = (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
  const described = ids.map(id => document.getElementById(id)).filter(Boolean);
  const message = described.filter(d => d.matches('.field-error, .alert.error'))
                           .map(d => d.textContent.trim()).join(' ');
  const anchor = summary && el.id ? summary.querySelector(`a[href="#${el.id}"]`) : null;
  return {field: el.id || el.getAttribute('name') || el.tagName, message,
          missing: ids.filter(id => !document.getElementById(id)),
          listed: el.id === 'token' || !!anchor};
});
"""


def form_error_problems(driver: WebDriver) -> list[str]:
    """Each field marked invalid must be described by its message (`aria-describedby`) and, but
    for the lone sign-in field, linked from the summary at the top of the page."""
    problems = []
    for field in driver.execute_script(_FORM_ERRORS):
        if not field["message"]:
            problems.append(f"{field['field']}: no message linked by aria-describedby")
        if field["missing"]:
            problems.append(f"{field['field']}: aria-describedby names missing ids {field['missing']}")
        if not field["listed"]:
            problems.append(f"{field['field']}: not linked from the error summary")
    return problems


def audit(driver: WebDriver, lang: str, page: str) -> None:
    """Assert everything the module docstring lists for the page now shown."""
    where = f"{page} ({lang}, {driver.current_url})"
    assert driver.execute_script("return document.documentElement.lang") == lang, where
    violations = axe_violations(driver)
    assert not violations, f"axe-core on {where}:\n" + "\n".join(
        f"  {v['impact']} {v['id']}: {v['help']}\n    " + "\n    ".join(v["nodes"]) for v in violations
    )
    overflow, wide = horizontal_overflow(driver)
    assert overflow <= 0, f"{where} scrolls sideways by {overflow}px at {PHONE_WIDTH}px: {wide}"
    problems = form_error_problems(driver)
    assert not problems, f"{where}: " + "; ".join(problems)
    text = driver.execute_script("return document.querySelector('main').innerText")
    assert not NUMERIC_DATE.search(text), f"{where} shows a date as numbers: {NUMERIC_DATE.search(text)}"
