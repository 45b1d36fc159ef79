"""The browser tests' fixtures: the session's one Chromium (tests/browser/chrome.py), and a fresh
visitor of the real app (the `api` fixture's server, worker, Temporal, SMTP and Webex) per test."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator

import httpx
import pytest
from selenium.webdriver.chrome.webdriver import WebDriver

from tests.browser.chrome import chromium
from tests.browser.visitor import Visitor


@pytest.fixture(scope="session")
def chrome() -> Iterator[WebDriver]:
    with chromium() as driver:
        yield driver


VisitorFactory = Callable[[type[Visitor], str], Visitor]


@pytest.fixture
async def visitor(chrome: WebDriver, api: httpx.AsyncClient) -> VisitorFactory:
    """`visitor(Mouse, "ro")`: someone whose browser asks for that language (Accept-Language), with
    no cookies left from an earlier test, on the session's app."""
    loop = asyncio.get_running_loop()
    base_url = str(api.base_url).rstrip("/")
    chrome.execute_cdp_cmd("Network.clearBrowserCookies", {})

    def make(kind: type[Visitor], lang: str) -> Visitor:
        agent = chrome.execute_script("return navigator.userAgent")
        chrome.execute_cdp_cmd("Network.setUserAgentOverride", {"userAgent": agent, "acceptLanguage": lang})
        return kind(chrome, base_url, lang, loop)

    return make
