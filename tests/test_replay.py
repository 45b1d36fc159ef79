"""Replay: today's workflow code must reproduce yesterday's histories command for command.

`histories/*.json` are whole tickets (request → resolution → 30-day window → closed) recorded from
real runs of successive versions: `happy_path.json` before the patches in workflows/blue_ticket.py,
`happy_path_v2.json` with them, `happy_path_v3_encrypted.json` with every payload encrypted (the
development key, which the test settings use), `happy_path_v4.json` after the codec server,
retention and booking-ledger changes of issue 9 (recorded when the replay gate came:
tests/test_replay_gate.py). `early_meeting_end_and_resolution_without_documents.json`, recorded
before issue 10: a Webex "meeting ended" before the slot held the meeting, and a signal resolved
"waiting for documents" with none (both refused since, behind `webex-early-end-v1` and
`resolution-consistency-v1`; the fixture fails to replay if either rule loses its patch), `happy_path_v5.json`
after issue 10 (rate and body limits, the database-enforced daily cap, the resolution rules),
`happy_path_lean.json` after `lean-activity-inputs-v1` (issue 11: slim activity inputs, local
activities; the fixtures before it replay the old inputs), `email_bounced.json` (issue 12, recorded by
tests/test_email_bounces.py with the same variable: a ticket still scheduled whose confirmation
bounced, and two malformed `email_bounced` signals refused, behind `email-delivery-status-v1`). Keep
every one: a version's tickets may still be running. Record a new one when the workflow changes,
with `TICHET_RECORD_HISTORY=<name> pytest tests/test_ticket_lifecycle.py -k sqlite`, after putting
the change behind `workflow.patched`. Every ticket that this test session ran is replayed as well,
so a non-deterministic branch shows here.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.client import Client, WorkflowHistory
from temporalio.worker import Replayer

from core.payload_crypto import ENCODING, KEY_ID_METADATA, new_key
from core.settings import Settings
from core.temporal_client import data_converter
from store.testing import in_ci
from tests.keys import session_keyring
from worker import SANDBOX, WORKFLOWS

HISTORIES = Path(__file__).parent / "histories"
KEPT = (
    "happy_path.json",
    "happy_path_v2.json",
    "happy_path_v3_encrypted.json",
    "happy_path_v4.json",
    "early_meeting_end_and_resolution_without_documents.json",
    "happy_path_v5.json",
    "happy_path_lean.json",
    "happy_path_a11ypages.json",  # after issue 12's statement pages merged with the lean histories
    "email_bounced.json",  # issue 12: a citizen's email bounced, and two malformed `email_bounced` signals
    "happy_path_tenancy.json",  # issue 11: the Municipality attribute (municipality-attribute-v1)
    "happy_path_i18n.json",  # issue 12: the catalogs merged with tenancy (coded refusals give their code)
    "happy_path_bounce.json",  # issue 12's delivery status merged with tenancy
    "happy_path_i18n_bounce.json",  # issue 12: the catalogs merged with the delivery status
)


def replayer() -> Replayer:
    """With the project's converter and the session's keyring (tests/keys.py): the encrypted fixture
    and this session's tickets decode with it, the fixtures recorded before encryption pass through
    the codec as they are."""
    converter = data_converter(session_keyring())
    return Replayer(workflows=WORKFLOWS, data_converter=converter, workflow_runner=SANDBOX)


@pytest.mark.parametrize("path", sorted(HISTORIES.glob("*.json")), ids=lambda p: p.stem)
async def test_recorded_history_replays(path: Path) -> None:
    history = WorkflowHistory.from_json(path.stem, await asyncio.to_thread(path.read_text))
    result = await replayer().replay_workflow(history, raise_on_replay_failure=True)
    assert result.replay_failure is None


async def test_the_encrypted_fixture_holds_ciphertext_only_the_keyring_opens(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The v3 fixture is what the cluster stores since issue 9: every ticket payload sealed under
    the test keyring's key, nothing of the citizen's readable; a ring without that key cannot replay it."""
    path = HISTORIES / "happy_path_v3_encrypted.json"
    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json(path.stem, text)
    started = history.events[0].workflow_execution_started_event_attributes
    assert started.input.payloads[0].metadata["encoding"] == ENCODING
    assert started.input.payloads[0].metadata[KEY_ID_METADATA] == b"dev"
    assert "Ioana" not in text and "example.ro" not in text and "Certificatul" not in text

    stranger = Settings(
        environment="test",
        payload_keys=f"other:{new_key()}",
        payload_key_id="other",
        municipality_payload_key_ids="",
    )
    replayer_without_the_key = Replayer(
        workflows=WORKFLOWS, data_converter=data_converter(stranger), workflow_runner=SANDBOX
    )
    result = await replayer_without_the_key.replay_workflow(history, raise_on_replay_failure=False)
    # The workflow task fails with the codec's error (its message is sealed like every failure's,
    # its type is not); the worker's log says which key is missing.
    assert result.replay_failure is not None and "PayloadKeyError" in str(result.replay_failure)
    assert "key id 'dev', which is not in the keyring" in caplog.text


def test_every_versions_history_is_kept() -> None:
    missing = [name for name in KEPT if not (HISTORIES / name).exists()]
    assert missing == [], "a replay fixture is missing: see this module's docstring"


@pytest.mark.runs_last
async def test_every_ticket_of_this_session_replays(client: Client, worker: None, api: object) -> None:
    """Runs after all other tests and replays every ticket they left, closed or still running, and
    every purge and accessibility feedback delivery (issue 12) they ran."""
    query = "WorkflowType = 'BlueTicket'"
    if (await client.count_workflows(query)).count == 0:
        if in_ci():  # the whole suite runs there: none found means the query or the type changed
            pytest.fail(f"CI ran the suite but `{query}` finds no ticket to replay", pytrace=False)
        pytest.skip("no tickets ran in this session: run with the rest of the suite")
    every_type = "WorkflowType IN ('BlueTicket', 'RetentionPurge', 'AccessibilityFeedback')"
    histories = client.list_workflows(every_type).map_histories()
    results = await replayer().replay_workflows(histories, raise_on_replay_failure=False)
    failures = {run_id: str(err) for run_id, err in results.replay_failures.items()}
    assert failures == {}
