"""Someone using the pages in the session's Chromium: a `Mouse` user who clicks, or a `Keyboard`
user who only presses Tab, the arrows, Space and Enter (and types), and whose every focus
stop must be visibly marked. A journey is written once against `Visitor` and run by either.

Selenium blocks, while the app under test runs on the test's event loop: a journey therefore runs
on a worker thread (`asyncio.to_thread`) and hands its waits for Temporal or the mailbox back to the
loop with `Visitor.wait`.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any, TypeVar

from selenium.common.exceptions import WebDriverException
from selenium.webdriver.chrome.webdriver import WebDriver
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.remote.webelement import WebElement
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.browser.audit import audit

T = TypeVar("T")
MAX_TAB_STOPS = 250  # more than any page has: a target never reached is a keyboard trap or no stop

_FOCUS_STYLE = """
const el = document.activeElement;
if (!el || el === document.body) return null;
const target = arguments[0] === el;
const s = getComputedStyle(el), r = el.getBoundingClientRect();
return {tag: el.tagName, id: el.id, text: (el.innerText || el.value || '').slice(0, 40),
        inner: !el.matches(':focus'), target,
        outline: s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0,
        shadow: s.boxShadow !== 'none', onScreen: r.width > 0 && r.height > 0 && r.right > 0 && r.bottom > 0};
"""


@dataclass
class Visitor:
    driver: WebDriver
    base_url: str
    lang: str
    loop: asyncio.AbstractEventLoop
    audited: list[str] = field(default_factory=list)

    # --- what every visitor does the same way --------------------------------------------------

    def wait(self, work: Coroutine[Any, Any, T], timeout: float = 90) -> T:
        """Run `work` on the test's event loop (where the app, Temporal client and mailbox live)."""
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def open(self, path_or_url: str) -> None:
        """Type an address (or paste a link from an email) into the address bar."""
        self.driver.get(path_or_url if "://" in path_or_url else self.base_url + path_or_url)

    def audit(self, page: str) -> None:
        audit(self.driver, self.lang, page)
        self.audited.append(page)

    def find(self, css: str) -> WebElement:
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def text(self, css: str = "main") -> str:
        return self.find(css).text

    def reload_until(self, css: str, needle: str, within: float = 15) -> None:
        """Reload (F5) until `needle` shows in `css`: Temporal's visibility store and the workflow
        lag the request that changed them by a moment."""
        deadline = self.loop.time() + within
        while needle not in self.text(css):
            assert self.loop.time() < deadline, f"{needle!r} not in {css} of {self.driver.current_url}"
            self.driver.refresh()

    def _new_page_after(self, act: Any) -> None:
        """`act`, then wait for the next page to have loaded: the old one is marked, and a script
        run while the browser is between the two may fail, which only means "not yet"."""
        self.driver.execute_script("window.tichetOldPage = true")
        act()
        WebDriverWait(self.driver, 30, ignored_exceptions=(WebDriverException,)).until(
            lambda d: d.execute_script("return !window.tichetOldPage && document.readyState === 'complete'")
        )

    # --- what a mouse user and a keyboard user do differently ----------------------------------

    def fill(self, css: str, value: str) -> None:
        raise NotImplementedError

    def choose(self, name: str, value: str | None = None) -> str:
        """Select the radio button `name`=`value` (the first of the group when None); its value."""
        raise NotImplementedError

    def pick(self, css: str, value: str) -> None:
        """Pick the option `value` of the `<select>` at `css`."""
        raise NotImplementedError

    def press(self, css: str) -> None:
        """Activate a submit button or a link that loads a new page, and wait for that page."""
        raise NotImplementedError

    def radio(self, name: str, value: str | None) -> WebElement:
        if value is None:
            return self.find(f'input[type=radio][name="{name}"]')
        return self.find(f'input[type=radio][name="{name}"][value="{value}"]')


class Mouse(Visitor):
    def fill(self, css: str, value: str) -> None:
        element = self.find(css)
        element.clear()
        element.send_keys(value)

    def choose(self, name: str, value: str | None = None) -> str:
        element = self.radio(name, value)
        # the label is what a person clicks; the input may be scrolled or styled away
        element.find_element(By.XPATH, "./ancestor::label").click()
        assert element.is_selected()
        return str(element.get_attribute("value"))

    def pick(self, css: str, value: str) -> None:
        Select(self.find(css)).select_by_value(value)  # clicks the option, as a person would

    def press(self, css: str) -> None:
        self._new_page_after(self.find(css).click)


class Keyboard(Visitor):
    """Never clicks. Each Tab stop on the way to a target is checked for a visible focus mark."""

    focus_stops: int = 0
    # A stop inside a control's own parts (a date field's calendar button) has no style of ours to
    # read: its look with the focus is kept, to compare with its look once the focus moved on.
    _inner_stop: tuple[WebElement, bytes] | None = None

    def _keys(self, *keys: str) -> None:
        ActionChains(self.driver).send_keys(*keys).perform()

    def _focus_is_visible(self, target: WebElement | None = None) -> bool:
        """Check the focus mark of the element just reached; whether it is `target`."""
        if self._inner_stop is not None:
            host, focused = self._inner_stop
            self._inner_stop = None
            assert host.screenshot_as_png != focused, f"no focus mark on {host.get_attribute('outerHTML')}"
        state = self.driver.execute_script(_FOCUS_STYLE, target)
        if state is None:  # past the last stop the focus rests on the page itself
            return False
        self.focus_stops += 1
        assert state["onScreen"], f"focused element off screen: {state}"
        if state["inner"]:
            host = self.driver.switch_to.active_element
            self._inner_stop = (host, host.screenshot_as_png)
        else:
            assert state["outline"] or state["shadow"], f"no focus mark: {state} ({self.driver.current_url})"
        return bool(state["target"])

    def _is_focused(self, element: WebElement) -> bool:
        return bool(self.driver.execute_script("return document.activeElement === arguments[0]", element))

    def tab_to(self, element: WebElement) -> None:
        """Tab forward until `element` has the focus (the page's order wraps round at its end)."""
        if self._is_focused(element):
            return
        for _ in range(MAX_TAB_STOPS):
            self._keys(Keys.TAB)
            if self._focus_is_visible(element):
                return
        raise AssertionError(f"Tab never reached {element.get_attribute('outerHTML')}")

    def fill(self, css: str, value: str) -> None:
        self.tab_to(self.find(css))
        self._keys(Keys.CONTROL, "a", Keys.NULL, Keys.BACKSPACE, value)

    def choose(self, name: str, value: str | None = None) -> str:
        target = self.radio(name, value)
        in_group = f"const e = document.activeElement; return e.type === 'radio' && e.name === '{name}'"
        for _ in range(MAX_TAB_STOPS):  # a radio group is one Tab stop: its checked (or first) button
            if self.driver.execute_script(in_group):
                break
            self._keys(Keys.TAB)
            self._focus_is_visible()
        else:
            raise AssertionError(f"Tab never reached the radio group {name}")
        group = self.driver.find_elements(By.CSS_SELECTOR, f'input[type=radio][name="{name}"]')
        ahead = (group.index(target) - group.index(self.driver.switch_to.active_element)) % len(group)
        arrow = Keys.ARROW_DOWN if ahead <= len(group) / 2 else Keys.ARROW_UP  # the arrows wrap round
        for _ in range(len(group)):  # arrows move the choice within the group
            if self._is_focused(target):
                break
            self._keys(arrow)
            self._focus_is_visible()
        else:
            raise AssertionError(f"the arrows never reached {name}={value}")
        if not target.is_selected():
            self._keys(Keys.SPACE)
        assert target.is_selected()
        return str(target.get_attribute("value"))

    def pick(self, css: str, value: str) -> None:
        select = self.find(css)
        self.tab_to(select)
        for _ in range(100):
            if select.get_attribute("value") == value:
                return
            self._keys(Keys.ARROW_DOWN)
        raise AssertionError(f"the arrows never reached option {value} of {css}")

    def press(self, css: str) -> None:
        target = self.find(css)
        self.tab_to(target)
        # Enter submits from a button and follows a link; Space too, but only on a button.
        key = Keys.SPACE if target.tag_name == "button" and self.focus_stops % 2 else Keys.ENTER
        self._new_page_after(lambda: self._keys(key))
