"""Register the ticket search attributes on a Temporal cluster: docker-compose's one-shot
`temporal-setup` service runs `python -m devstack.temporal_setup` before the worker starts.

Why this exists: the dev server gets the attributes from command-line flags (`dev_server_args`), but
a real cluster keeps them in its database and the workflow fails to upsert an unknown attribute.
Only the missing ones are added, so it is safe on every `docker-compose up`; it waits for the
cluster because `temporalio/auto-setup` needs a while to create its schema and namespace.
"""

from __future__ import annotations

import asyncio
import sys
import time

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.client import Client
from temporalio.service import RPCError

from core.search_attributes import ALL
from core.settings import Settings, get_settings
from core.temporal_client import connect


async def add_missing(client: Client, namespace: str) -> list[str]:
    """Add the attributes from `core.search_attributes.ALL` that the namespace lacks; return their names."""
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    wanted = {key.name: IndexedValueType.ValueType(int(key.indexed_value_type)) for key in ALL}
    missing = {name: kind for name, kind in wanted.items() if name not in listed.custom_attributes}
    if missing:
        await client.operator_service.add_search_attributes(
            AddSearchAttributesRequest(namespace=namespace, search_attributes=missing)
        )
    return sorted(missing)


async def setup(settings: Settings, wait_seconds: float = 300.0) -> list[str]:
    """Retry until the cluster answers (for at most `wait_seconds`), then add what is missing."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            client = await connect(settings)
            return await add_missing(client, settings.temporal_namespace)
        except (RuntimeError, RPCError) as error:  # not up yet, or namespace not created yet
            if time.monotonic() > deadline:
                raise
            print(f"waiting for Temporal at {settings.temporal_address}: {error}", flush=True)
            await asyncio.sleep(3)


def main() -> int:
    settings = get_settings()
    added = asyncio.run(setup(settings))
    print(f"search attributes added: {', '.join(added) or 'none (all present)'}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
