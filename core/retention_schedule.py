"""The Temporal Schedule that runs the contact-data purge every day (issue 9): time as Temporal does
it, no cron. `ensure_purge_schedule` is idempotent: the worker calls it at start-up and
`python -m devstack.temporal_setup` on a cluster; a schedule already as wanted is left untouched (no
update, no new conflict token), one that differs (another retention, task queue or hour) is updated
in place, so the setting and the schedule never drift apart.
"""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleState,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from domain.retention import PURGE_WORKFLOW, PurgeInput

SCHEDULE_ID = "tichet-retention-purge"
# 02:30 in the city: after the day's last audiences, before the first; a missed run (cluster down)
# is caught up within a day, and a run still going when the next is due makes the next one wait.
PURGE_HOUR, PURGE_MINUTE = 2, 30
CATCHUP = timedelta(days=1)


class ScheduleChange(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


def purge_schedule(task_queue: str, retention_days: int, time_zone: str, schedule_id: str) -> Schedule:
    return Schedule(
        action=ScheduleActionStartWorkflow(
            PURGE_WORKFLOW,
            PurgeInput(retention_days=retention_days),
            id=f"{schedule_id}-run",  # the schedule appends the action time
            task_queue=task_queue,
            static_summary="Daily contact-data purge (retention)",
        ),
        spec=ScheduleSpec(
            calendars=[
                ScheduleCalendarSpec(hour=[ScheduleRange(PURGE_HOUR)], minute=[ScheduleRange(PURGE_MINUTE)])
            ],
            time_zone_name=time_zone,
        ),
        policy=SchedulePolicy(overlap=ScheduleOverlapPolicy.BUFFER_ONE, catchup_window=CATCHUP),
        state=ScheduleState(
            note=f"Erase citizens' contact data {retention_days} days after their ticket ended"
        ),
    )


def _times(spec: ScheduleSpec) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """The hours and minutes of each calendar: the server fills in the fields left at their default
    (seconds, days, months...), so whole specs never compare equal to the one sent."""
    return [
        (tuple(r.start for r in calendar.hour), tuple(r.start for r in calendar.minute))
        for calendar in spec.calendars
    ]


async def _same(client: Client, current: Schedule, wanted: Schedule) -> bool:
    """Compare what matters: the workflow, queue, argument, and the calendar with its zone."""
    have, want = current.action, wanted.action
    if not isinstance(have, ScheduleActionStartWorkflow) or not isinstance(want, ScheduleActionStartWorkflow):
        return False
    try:
        (argument,) = await client.data_converter.decode(have.args, [PurgeInput])
    except Exception:  # an argument this version cannot read: rewrite it
        return False
    return (
        have.workflow == want.workflow
        and have.task_queue == want.task_queue
        and argument == want.args[0]
        and _times(current.spec) == _times(wanted.spec)
        and current.spec.time_zone_name == wanted.spec.time_zone_name
        and current.policy.overlap == wanted.policy.overlap
    )


async def ensure_purge_schedule(
    client: Client,
    *,
    task_queue: str,
    retention_days: int,
    time_zone: str = "Europe/Bucharest",
    schedule_id: str = SCHEDULE_ID,
) -> ScheduleChange:
    wanted = purge_schedule(task_queue, retention_days, time_zone, schedule_id)
    try:
        await client.create_schedule(schedule_id, wanted)
        return ScheduleChange.CREATED
    except ScheduleAlreadyRunningError:
        pass
    handle = client.get_schedule_handle(schedule_id)
    if await _same(client, (await handle.describe()).schedule, wanted):
        return ScheduleChange.UNCHANGED

    def replace(_: ScheduleUpdateInput) -> ScheduleUpdate:
        return ScheduleUpdate(schedule=wanted)

    await handle.update(replace)
    return ScheduleChange.UPDATED
