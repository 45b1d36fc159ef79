"""A citizen link whose ticket's contact data was erased (issue 9): it must answer "erased" (410),
whether the workflow is gone or the file has a newer ticket under the same workflow id. The key is
checked against the erasure records, which keep the ids the key was made from."""

from __future__ import annotations

from starlette.concurrency import run_in_threadpool

from core.links import key_matches
from http_api.deps import AppState
from store.personal_data import personal_data_for
from store.tables import ContactErasureRow


async def erased_ticket(state: AppState, workflow_id: str, key: str) -> ContactErasureRow | None:
    data = personal_data_for(state.settings.database_url)
    rows = await run_in_threadpool(data.erasures_of_workflow, workflow_id)
    secret = state.settings.link_secret
    return next((row for row in rows if key_matches(secret, workflow_id, row.ticket_id, key)), None)
