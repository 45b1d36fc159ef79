"""The README's "Try it" block, run as written against the test session's stack.

The block is taken from README.md, only its three base URLs are pointed at the session's API,
mailbox and Webex emulator, and bash runs it with `set -euo pipefail`: a step that fails (a filing
date the seed no longer uses gets `no_matching_file`, so step 1 lists no slot) fails the test. A
marker line before each numbered step splits the output, so each step's answer is checked.
"""

from __future__ import annotations

import asyncio
import json
import os
import re
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from webexpythonsdk import WebexAPI

from core.settings import Settings
from devstack.mailbox import Mailbox, StoredMessage, create_mail_app
from integrations.webex_webhooks import WEBHOOK_PATH, register
from tests.conftest import WEBEX_TOKEN
from tests.servers import serve_in_thread

README = Path(__file__).resolve().parents[1] / "README.md"
DEV_URLS = ("http://127.0.0.1:8000", "http://127.0.0.1:8025", "http://127.0.0.1:8300")
WORKFLOW_ID = "tichet-100001_2026"
CITIZEN = "ioana.pop@example.ro"
MARKER = "@@ step "


def try_it_block(readme: str) -> str:
    section = readme[readme.index("### Try it\n") :]
    match = re.search(r"```sh\n(.*?)\n```", section, re.S)
    assert match is not None, "no ```sh block in the Try it section"
    return match.group(1)


def with_markers(block: str) -> tuple[str, list[int]]:
    """The block with a line `@@ step N` printed before each `# N.` comment, and the step numbers."""
    lines, numbers = [], []
    for line in block.splitlines():
        step = re.match(r"# (\d+)\. ", line)
        if step:
            numbers.append(int(step.group(1)))
            lines.append(f"printf '\\n{MARKER}{step.group(1)}\\n'")
        lines.append(line)
    return "\n".join(lines) + "\n", numbers


def split_steps(output: str) -> dict[int, str]:
    parts = re.split(rf"\n{re.escape(MARKER)}(\d+)\n", output)
    return {int(number): text for number, text in zip(parts[1::2], parts[2::2], strict=True)}


def leading_json(text: str) -> tuple[Any, str]:
    """The JSON value at the start of `text` and what follows it (curl adds no newline)."""
    value, end = json.JSONDecoder().raw_decode(text.lstrip())
    return value, text.lstrip()[end:].strip()


@pytest.fixture(scope="module")
def mail_url(mailbox: Mailbox) -> Iterator[str]:
    """The mailbox's web view, as `make run` serves it on :8025."""
    with serve_in_thread(create_mail_app(mailbox)) as url:
        yield url


@pytest.fixture
async def webhooks_to_api(api: httpx.AsyncClient, settings: Settings, webex_url: str) -> AsyncIterator[None]:
    """What the API does at start-up under `make run`: Webex delivers meeting events to it."""
    target = str(api.base_url).rstrip("/") + WEBHOOK_PATH
    registration = await asyncio.to_thread(register, settings, target)
    yield
    sdk = WebexAPI(access_token=WEBEX_TOKEN, base_url=f"{webex_url}/v1/", wait_on_rate_limit=False)
    for hook_id in (*registration.created, *registration.kept):
        await asyncio.to_thread(sdk.webhooks.delete, hook_id)


def test_the_block_is_found_with_its_six_steps() -> None:
    block = try_it_block(README.read_text())
    assert with_markers(block)[1] == [1, 2, 3, 4, 5, 6]
    assert all(url in block for url in DEV_URLS)


async def test_the_try_it_steps_run_as_written(
    api: httpx.AsyncClient,
    mailbox: Mailbox,
    mail_url: str,
    webex_url: str,
    webhooks_to_api: None,
    tmp_path: Path,
) -> None:
    block = try_it_block(README.read_text())
    for dev, here in zip(DEV_URLS, (str(api.base_url).rstrip("/"), mail_url, webex_url), strict=True):
        block = block.replace(dev, here)
    script, _ = with_markers(block)
    (tmp_path / "try_it.sh").write_text("set -euo pipefail\n" + script)
    bin_dir = tmp_path / "bin"  # `python3` in the block: the one running the tests
    bin_dir.mkdir()
    (bin_dir / "python3").symlink_to(sys.executable)
    process = await asyncio.create_subprocess_exec(
        "bash",
        str(tmp_path / "try_it.sh"),
        env={**os.environ, "PATH": f"{bin_dir}:{os.environ['PATH']}"},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        raw, _ = await asyncio.wait_for(process.communicate(), timeout=120)
    except TimeoutError:
        process.kill()
        raise
    output = raw.decode()
    assert process.returncode == 0, output
    steps = split_steps(output)
    assert sorted(steps) == [1, 2, 3, 4, 5, 6], output

    slots, _ = leading_json(steps[1])
    assert slots["registration_number"] == "100001/2026" and slots["slots"], steps[1]

    accepted, code = leading_json(steps[2])
    assert code == "HTTP 202", steps[2]
    assert accepted["workflow_id"] == WORKFLOW_ID
    assert f"/bilet/{WORKFLOW_ID}?cheie=" in accepted["citizen_link"]

    messages, _ = leading_json(steps[3])
    confirmation = next(m for m in messages if m["to"] == [CITIZEN])
    assert confirmation["subject"].startswith("Tichet albastru confirmat")
    assert any(name.endswith(".ics") for name in confirmation["attachments"])

    mine = [t for t in leading_json(steps[4])[0] if t["workflow_id"] == WORKFLOW_ID]
    assert [t["status"] for t in mine] == ["scheduled"], steps[4]

    started, after_start = leading_json(steps[5])
    assert started["meeting"]["state"] == "inProgress" and 200 in started["statuses"], steps[5]
    ended, shown = leading_json(after_start)
    assert ended["meeting"]["state"] == "ended" and ended["recording"] is not None, steps[5]
    assert 200 in ended["statuses"]  # delivered to the API's webhook receiver
    assert shown == "awaiting_resolution"

    resolved, _ = leading_json(steps[6])
    assert resolved["accepted"] is True, steps[6]

    def resolution_pdf(message: StoredMessage) -> bool:
        pdf = any(a.content_type == "application/pdf" for a in message.attachments)
        return CITIZEN in message.recipients and pdf

    await mailbox.wait_for(resolution_pdf, timeout=30)
