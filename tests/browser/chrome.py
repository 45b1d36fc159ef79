"""Debian's Chromium driven by Selenium through Debian's chromedriver: one browser for the whole test
session, started with the flags that keep it quiet on a closed network, and never a download
(the driver's path is given, and Selenium Manager is told to stay offline)."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
AXE = Path(__file__).with_name("node_modules") / "axe-core" / "axe.min.js"
SETUP_HINT = "run `make browser` (apt-get install chromium chromium-driver npm; npm ci in tests/browser)"

# Without the background-networking flags Chromium keeps trying to reach Google's services, which on
# a closed network turns every page load into a wait for timeouts.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--lang=en-US",  # the browser's own UI locale: fixes the order of a date field's parts
    "--window-size=1280,900",
)


def missing_parts() -> list[str]:
    return [str(p) for p in (CHROMIUM, CHROMEDRIVER, AXE) if not p.exists()]


@contextmanager
def chromium() -> Iterator[webdriver.Chrome]:
    """A fresh headless Chromium with its own profile directory, removed afterwards. A missing
    browser, driver or axe-core fails the test run with the set-up step to run, never a skip."""
    if missing := missing_parts():
        pytest.fail(f"the browser tests need {', '.join(missing)}: {SETUP_HINT}", pytrace=False)
    os.environ["SE_OFFLINE"] = "true"  # Selenium Manager must never fetch a driver or a browser
    profile = tempfile.mkdtemp(prefix="tichet-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (*FLAGS, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        driver.set_page_load_timeout(60)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)
