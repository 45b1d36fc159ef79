"""The accessibility statement and the privacy notice (issue 12) in Chromium, by keyboard only and in
both languages: reached from the footer, audited like every page (axe-core, lang, 390 px, errors
linked to their fields and listed in the summary), the feedback form refused and then sent, the
message reaching the city's address on the real SMTP server."""

from __future__ import annotations

import asyncio
import uuid

import pytest

from core.settings import Settings
from devstack.mailbox import Mailbox
from tests.browser.conftest import VisitorFactory
from tests.browser.test_journeys import assert_error_summary_first
from tests.browser.visitor import Keyboard, Visitor


def notices(v: Visitor, mailbox: Mailbox, to: str) -> None:
    v.open(f"/?lang={v.lang}")
    v.press("footer a[href^='/accesibilitate']")
    v.audit("accessibility statement")

    # "ana@exemplu" passes the browser's own email check but not ours (no domain ending), and the
    # message is too short: both refused by the server, each sentence linked to its field.
    marker = uuid.uuid4().hex[:10]
    v.fill("#email", "ana@exemplu")
    v.fill("#message", "scurt")
    v.press("form[action^='/accesibilitate'] button[type=submit]")
    v.audit("accessibility statement, feedback refused")
    assert_error_summary_first(v, "email")
    assert_error_summary_first(v, "message")
    assert v.find("#message").get_attribute("value") == "scurt"  # what was typed stays

    v.fill("#email", f"ana.{marker}@example.ro")
    v.fill("#message", f"Textul alb pe albastru se citește greu cu mărirea ecranului ({marker}).")
    v.press("form[action^='/accesibilitate'] button[type=submit]")
    v.audit("accessibility statement, feedback sent")
    assert v.find("main .alert.ok").get_attribute("role") == "status"
    v.wait(mailbox.wait_for(lambda m: to in m.recipients and marker in m.text, timeout=20))

    v.press("footer a[href^='/confidentialitate']")
    v.audit("privacy notice")


@pytest.mark.parametrize("lang", ["ro", "en", "hu"])
async def test_the_notices_by_keyboard_pass_every_check(
    lang: str, visitor: VisitorFactory, mailbox: Mailbox, settings: Settings
) -> None:
    v = visitor(Keyboard, lang)

    await asyncio.to_thread(notices, v, mailbox, settings.accessibility_contact_email)

    assert v.audited == [
        "accessibility statement",
        "accessibility statement, feedback refused",
        "accessibility statement, feedback sent",
        "privacy notice",
    ]
