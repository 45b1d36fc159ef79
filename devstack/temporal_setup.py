"""Register the ticket search attributes on a Temporal cluster, set the namespace's retention and
create the daily purge schedule (issue 9): docker-compose's one-shot `temporal-setup` service runs
`python -m devstack.temporal_setup` before the worker starts. Every step is idempotent.

Why this exists: the dev server gets the attributes from command-line flags (`dev_server_args`), but
a real cluster keeps them in its database and the workflow fails to upsert an unknown attribute.
Only the missing ones are added, so it is safe on every `docker-compose up`; it waits for the
cluster because `temporalio/auto-setup` needs a while to create its schema and namespace.
"""

from __future__ import annotations

import asyncio
import sys
import time
from datetime import timedelta

from google.protobuf.duration_pb2 import Duration
from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.namespace.v1 import NamespaceConfig
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest, ListSearchAttributesRequest
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, UpdateNamespaceRequest
from temporalio.client import Client
from temporalio.service import RPCError

from core.retention_schedule import ScheduleChange, ensure_purge_schedule
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


async def namespace_retention(client: Client, namespace: str) -> timedelta:
    described = await client.workflow_service.describe_namespace(
        DescribeNamespaceRequest(namespace=namespace)
    )
    return described.config.workflow_execution_retention_ttl.ToTimedelta()


async def set_retention(client: Client, namespace: str, days: int) -> bool:
    """How long Temporal keeps a closed ticket's history (with the citizen's data, encrypted): set
    explicitly, since the dev server's default is one day and a cluster's is what its setup chose.
    True when it changed."""
    wanted = timedelta(days=days)
    if await namespace_retention(client, namespace) == wanted:
        return False
    ttl = Duration()
    ttl.FromTimedelta(wanted)
    # Only the fields set are changed (the server merges the config).
    await client.workflow_service.update_namespace(
        UpdateNamespaceRequest(
            namespace=namespace,
            config=NamespaceConfig(workflow_execution_retention_ttl=ttl),
        )
    )
    return True


async def configure(client: Client, settings: Settings) -> tuple[list[str], bool, ScheduleChange]:
    """Everything a namespace needs for the tickets: (attributes added, retention changed, schedule)."""
    added = await add_missing(client, settings.temporal_namespace)
    retention_changed = await set_retention(
        client, settings.temporal_namespace, settings.temporal_retention_days
    )
    schedule = await ensure_purge_schedule(
        client,
        task_queue=settings.task_queue,
        retention_days=settings.contact_retention_days,
        time_zone=settings.time_zone,
    )
    return added, retention_changed, schedule


async def setup(settings: Settings, wait_seconds: float = 300.0) -> tuple[list[str], bool, ScheduleChange]:
    """Retry until the cluster answers (for at most `wait_seconds`), then configure what is missing."""
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            client = await connect(settings)
            return await configure(client, settings)
        except (RuntimeError, RPCError) as error:  # not up yet, or namespace not created yet
            if time.monotonic() > deadline:
                raise
            print(f"waiting for Temporal at {settings.temporal_address}: {error}", flush=True)
            await asyncio.sleep(3)


def main() -> int:
    settings = get_settings()
    added, retention_changed, schedule = asyncio.run(setup(settings))
    print(f"search attributes added: {', '.join(added) or 'none (all present)'}", flush=True)
    retention = f"{settings.temporal_retention_days} days" + ("" if retention_changed else " (already)")
    print(f"namespace retention: {retention}; purge schedule: {schedule.value}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
