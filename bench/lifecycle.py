"""How many blue tickets per second the workflow engine and the real activities carry, and how that
compares with a workflow of the same shape that does no work.

    .venv/bin/python -m bench.lifecycle [--tickets N] [--concurrency C] [--poll S] [--json]

Everything runs on loopback, built the way `tests/conftest.py` builds it: the Temporal CLI dev
server with per-workflow time skipping, the SMTP mailbox, the Webex emulator over HTTP, a seeded
SQLite database in a temporary directory and the real worker. Tickets are started with the Temporal
client, not through the API, so FastAPI is not part of the figure.

Three batches, one after the other, with the same concurrency and the same driving pattern:

1. **plain** — N `BlueTicketWorkflow` happy paths with payload encryption *off* (a client and a
   worker of their own, on their own task queue, with the converter minus the codec): start →
   `scheduled` → fast-forward to 16 min after the slot → `submit_resolution` update as the assignee
   → `resolved` → fast-forward 31 days → result `closed`.
2. **ticket** — the same N happy paths as the project runs them: every payload and failure
   encrypted (`core.temporal_client.data_converter`, AES-256-GCM). Plain rate / ticket rate is what
   encryption costs in throughput (target: under 10 %), and the CPU rows what it costs in CPU.
3. **bare** — N `bench.bare.BareWorkflow` runs with as many activities and timers as a ticket, in
   the same places, read at run time from the history of a warm-up ticket (encrypted too): each
   workflow task's timer, or its activities (those the ticket schedules together are scheduled
   together, its local activities are local no-ops), in the ticket's order, split at the update.

Each batch also prints its history per workflow: events and bytes (the serialized `History`
protobuf, as the cluster stores it). Targets (issue 11): ticket rate ≥ 0.8 × bare rate; per level
≤ 150 events and ≤ 32 KB of history, encrypted.

One warm-up ticket of each kind and one warm-up bare workflow run alone first (untimed): the
ticket's history gives the shape for the bare one, and all warm the caches (templates, imports,
workflow sandbox) so the batches measure the steady state.

Reading the figures: on the dev server a fast-forward that has to fire a timer takes about one
second however little the workflow does, and each workflow needs two, so a workflow's latency
has a floor near 2 s and, until the CPU runs out, the rate is roughly concurrency / latency. The
overhead factor at low concurrency is therefore mostly a latency ratio; the CPU rows (this process
holds the worker, the driver, the SMTP server and the Webex emulator; the Temporal server is a
child process) and the CPU-per-workflow ratio say what a ticket costs next to the bare minimum.
Raise `--concurrency` to see the machine saturate.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import math
import os
import platform
import shlex
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

import temporalio
from sqlmodel import col, select
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import History
from temporalio.client import Client, WorkflowHandle
from temporalio.common import SearchAttributePair, TypedSearchAttributes
from temporalio.testing import WorkflowEnvironment
from temporalio.testing._timeskipping import TimeSkippingConfig
from temporalio.worker import Worker

from bench.bare import BareAction, BareShape, BareWorkflow, Step, bare_local, bare_noop
from core import search_attributes as sa
from core.links import workflow_id_for
from core.settings import Settings
from core.temporal_client import DATA_CONVERTER, data_converter
from devstack.mailbox import Mailbox
from domain.availability import offered_slots
from domain.calendar import CityCalendar
from domain.models import (
    Channel,
    Citizen,
    FileRef,
    Level,
    NeededDocument,
    Policy,
    ResolutionAction,
    Role,
    TicketInput,
    TicketStatus,
    TicketView,
)
from store.calendar import open_calendar_source
from store.db import engine_for, make_engine, session_scope
from store.seed import seed_demo_city
from store.stores import open_stores
from store.tables import RegisteredFile, Staff
from tests.servers import serve_in_thread
from webex_emulator.app import create_app as create_webex_app
from worker import create_worker
from workflows.blue_ticket import BlueTicketWorkflow

TEMPORAL_CLI = str(Path(sys.executable).with_name("temporal"))
WEBEX_TOKEN = "bench-webex-token"
WEBHOOK_SECRET = "bench-webhook-secret"
SEEDED_FILES = 300  # the bench adds its own files; the seed only has to provide the city
FIRST_BENCH_NUMBER = 800001  # far above the seeded registration numbers (100001..~110000)
AFTER_SLOT = timedelta(minutes=16)  # past the slot, before the 30-minute outcome grace fires
PAST_ESCALATION = timedelta(days=31)  # past the 30-day escalation window
TARGET_RATIO = 0.8  # ticket throughput / bare throughput (issue 11)
STATUS_TIMEOUT = 300.0  # seconds a single wait may take before the run is declared broken
CONCLUSIONS = "Dosarul este complet. Certificatul se emite în 5 zile lucrătoare; ședința a fost lămuritoare."

T = TypeVar("T")
Handle = WorkflowHandle[Any, Any]


# --- the system ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class System:
    env: WorkflowEnvironment
    settings: Settings
    mailbox: Mailbox
    today: date
    bare_task_queue: str
    plain_client: Client  # the same server, payloads in clear: the baseline of the encryption cost
    plain_task_queue: str

    @property
    def client(self) -> Client:
        return self.env.client


def city_today(time_zone: str) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(time_zone)).date()


@contextmanager
def child_output_to(path: Path) -> Iterator[None]:
    """Point this process's stdout and stderr at `path` while a child is spawned, so the child
    inherits the file: the dev server prints a banner and its logs, which would otherwise land in
    the middle of the table (and break `--json` on stdout)."""
    sys.stdout.flush()
    sys.stderr.flush()
    saved = os.dup(1), os.dup(2)
    with path.open("ab") as log:
        os.dup2(log.fileno(), 1)
        os.dup2(log.fileno(), 2)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        for fd, copy in zip((1, 2), saved, strict=True):
            os.dup2(copy, fd)
            os.close(copy)


async def start_temporal(workdir: Path, settings: Settings) -> WorkflowEnvironment:
    """The dev server exactly as `tests/conftest.py` starts it; its output goes to a log file that is
    shown only if it fails to start."""
    log = workdir / "temporal.log"
    try:
        with child_output_to(log):
            return await WorkflowEnvironment.start_time_skipping_v2(
                ts_config=TimeSkippingConfig(enabled=False),
                data_converter=data_converter(settings),
                search_attributes=sa.ALL,
                dev_server_existing_path=TEMPORAL_CLI,
                dev_server_extra_args=["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"],
            )
    except BaseException:
        print(log.read_text(errors="replace")[-4000:], file=sys.stderr)
        raise


@contextmanager
def local_services(workdir: Path) -> Iterator[tuple[Settings, Mailbox]]:
    """The SMTP mailbox and the Webex emulator on loopback ports, and the settings that point a
    worker at them and at a SQLite file in `workdir` (on a task queue of its own)."""
    with (
        Mailbox(port=0) as mailbox,
        serve_in_thread(create_webex_app(WEBEX_TOKEN, WEBHOOK_SECRET)) as webex_url,
    ):
        yield (
            Settings(
                environment="test",
                database_url=f"sqlite:///{workdir / 'tichet.db'}",
                task_queue=f"bench-tickets-{uuid.uuid4().hex[:8]}",
                smtp_port=mailbox.port,
                webex_base_url=f"{webex_url}/v1/",
                webex_token=WEBEX_TOKEN,
                webex_webhook_secret=WEBHOOK_SECRET,
            ),
            mailbox,
        )


@asynccontextmanager
async def running_system(workdir: Path) -> AsyncIterator[System]:
    """The same parts as the test suite's session fixtures, plus a worker for the bare workflows on
    a task queue of its own (so the two never share pollers or slots with each other's tasks)."""
    async with AsyncExitStack() as stack:
        settings, mailbox = stack.enter_context(local_services(workdir))
        env = await start_temporal(workdir, settings)
        await stack.enter_async_context(env)
        today = city_today(settings.time_zone)
        seed_demo_city(make_engine(settings.database_url), today, files=SEEDED_FILES, reset=True)
        bare_task_queue = f"bench-bare-{uuid.uuid4().hex[:8]}"
        await stack.enter_async_context(create_worker(env.client, settings))
        await stack.enter_async_context(
            Worker(
                env.client,
                task_queue=bare_task_queue,
                workflows=[BareWorkflow],
                activities=[bare_noop, bare_local],
            )
        )
        plain_client = Client(**env.client.config() | {"data_converter": DATA_CONVERTER})
        plain_task_queue = f"bench-plain-{uuid.uuid4().hex[:8]}"
        await stack.enter_async_context(create_worker(plain_client, settings, task_queue=plain_task_queue))
        yield System(env, settings, mailbox, today, bare_task_queue, plain_client, plain_task_queue)


# --- the tickets' files and slots -----------------------------------------------------------------


@dataclass(frozen=True)
class PlannedTicket:
    ref: FileRef
    slot_start: datetime
    staff_id: str


def plan_tickets(settings: Settings, today: date, count: int, requested_at: datetime) -> list[PlannedTicket]:
    """A file of its own and a free slot for each ticket, before the clock starts.

    Handlers are spread round-robin over every clerk so tickets do not queue for one person's
    slots; the slot is the first one `offered_slots` shows (the very list the API shows a citizen)
    that no earlier ticket of this batch took. That also covers a handler who is absent on the day:
    the slot then belongs to their substitute, who may be another ticket's handler. A handler with
    no slot at all (absent, no substitute) is skipped.
    """
    engine = engine_for(settings.database_url)
    with session_scope(engine) as session:
        clerks = list(
            session.exec(select(Staff.id).where(Staff.role == Role.CLERK.value).order_by(col(Staff.id)))
        )
    stores = open_stores(settings.database_url)
    calendar = CityCalendar(time_zone=settings.time_zone)
    calendar_source = open_calendar_source(settings.database_url)
    policy = Policy()
    taken: set[tuple[str, datetime]] = set()
    planned: list[PlannedTicket] = []
    for attempt in range(count + len(clerks)):
        if len(planned) == count:
            break
        handler = clerks[attempt % len(clerks)]
        ref = add_file(settings.database_url, today, FIRST_BENCH_NUMBER + attempt, handler)
        info = stores.registry.find_file(ref.registration_number)
        assert info is not None
        slots = offered_slots(
            stores.staff,
            stores.bookings,
            calendar,
            info,
            Level.CLERK,
            requested_at,
            policy,
            calendar_source=calendar_source,  # the clerks' own hours, as the API offers them
        )
        # A slot whose `staff` is None waits for the director's pick: not the happy path.
        held = [(s.staff.id, s.start) for s in slots if s.staff is not None]
        free = next((pair for pair in held if pair not in taken), None)
        if free is None:
            continue
        taken.add(free)
        planned.append(PlannedTicket(ref=ref, slot_start=free[1], staff_id=free[0]))
    if len(planned) < count:
        raise RuntimeError(f"found free slots for only {len(planned)} of {count} tickets")
    return planned


def add_file(database_url: str, today: date, number: int, handler_id: str) -> FileRef:
    """One in-progress file handled by `handler_id`, as `tests/factories.add_file` writes it."""
    with session_scope(engine_for(database_url)) as session:
        handler = session.get(Staff, handler_id)
        assert handler is not None and handler.department_id is not None
        ref = FileRef(
            registration_number=f"{number}/{today.year}",
            requester_name="Ioana Pop",
            filing_date=today - timedelta(days=10),
        )
        session.add(
            RegisteredFile(
                registration_number=ref.registration_number,
                filing_date=ref.filing_date,
                requester_name=ref.requester_name,
                subject="Certificat de urbanism",
                department_id=handler.department_id,
                status="in_progress",
                answered_on=None,
                last_handler_id=handler_id,
            )
        )
        session.commit()
    return ref


# --- driving one workflow ----------------------------------------------------------------------


@dataclass
class Trace:
    """One workflow's timings in seconds from its start; `phases` ends at the same instant as
    `latency`, so the phase means show where a workflow's time goes."""

    workflow_id: str
    latency: float = 0.0
    phases: dict[str, float] = field(default_factory=dict)
    fast_forward: float = 0.0  # seconds spent inside `env.fast_forward`, both calls together


async def fast_forward(system: System, trace: Trace, handle: Handle, duration: timedelta) -> None:
    """`env.fast_forward`, timed: it waits for the server to report the skip done, and that wait
    is a large, fixed share of each workflow's latency on the dev server."""
    began = time.perf_counter()
    await system.env.fast_forward(handle, duration)
    trace.fast_forward += time.perf_counter() - began


PHASES = ("scheduled", "meeting over", "resolved", "closed")


async def wait_for(
    read: Callable[[], Awaitable[T]], done: Callable[[T], bool], what: str, interval: float
) -> T:
    """Poll a query until `done`: the same waiting the tests do, so both batches pay for it alike.
    A query can fail before the first workflow task has run; that counts as "not yet"."""
    deadline = time.monotonic() + STATUS_TIMEOUT
    last: T | None = None
    while time.monotonic() < deadline:
        try:
            last = await read()
        except Exception:
            last = None
        if last is not None and done(last):
            return last
        await asyncio.sleep(interval)
    raise TimeoutError(f"{what} not reached in {STATUS_TIMEOUT:.0f} s; last seen: {last!r}")


async def start_ticket(
    client: Client, task_queue: str, plan: PlannedTicket, requested_at: datetime, *, municipality: str = ""
) -> Handle:
    """Start one ticket for a planned file and slot, with the same start options as the API's
    `http_api.tickets.start`, search attributes included."""
    ticket_id = uuid.uuid4().hex[:12]
    number = plan.ref.registration_number
    ticket = TicketInput(
        ticket_id=ticket_id,
        municipality=municipality,
        file=plan.ref,
        citizen=Citizen(email=f"bench-{ticket_id}@example.ro", phone="+40 712 345 678"),
        channel=Channel.WEBEX,
        slot_start=plan.slot_start,
        requested_at=requested_at,
    )
    return await client.start_workflow(
        BlueTicketWorkflow.run,
        ticket,
        id=workflow_id_for(number),
        task_queue=task_queue,
        static_summary=f"Tichet albastru · dosar {number}",
        search_attributes=TypedSearchAttributes(
            [
                SearchAttributePair(sa.TICKET_ID, ticket_id),
                SearchAttributePair(sa.REGISTRATION_NUMBER, number),
                SearchAttributePair(sa.TICKET_STATUS, TicketStatus.VALIDATING.value),
                SearchAttributePair(sa.ESCALATION_LEVEL, int(Level.CLERK)),
            ]
        ),
    )


async def drive_ticket(
    system: System, plan: PlannedTicket, requested_at: datetime, poll: float, *, encrypted: bool = True
) -> Trace:
    """The happy path of `tests/test_ticket_lifecycle.py`, with the client instead of the API;
    `encrypted=False` drives it through the plain client and worker."""
    client = system.client if encrypted else system.plain_client
    task_queue = system.settings.task_queue if encrypted else system.plain_task_queue
    number = plan.ref.registration_number
    trace = Trace(workflow_id=workflow_id_for(number))
    started = time.perf_counter()

    def mark(phase: str) -> None:
        trace.phases[phase] = time.perf_counter() - started

    handle = await start_ticket(client, task_queue, plan, requested_at)

    def status_is(*wanted: TicketStatus) -> Callable[[TicketView], bool]:
        return lambda view: view.status in wanted

    async def read() -> TicketView:
        return await handle.query(BlueTicketWorkflow.status)

    view = await wait_for(read, status_is(TicketStatus.SCHEDULED), f"{number} scheduled", poll)
    mark("scheduled")
    assert view.assignee is not None and view.meeting is not None
    now = await system.env.get_current_time(handle)
    await fast_forward(system, trace, handle, view.meeting.end + AFTER_SLOT - now)
    # The fast-forward returns once the timer fired, maybe before the workflow task that handles it.
    await wait_for(read, status_is(*_AFTER_MEETING), f"{number} after the meeting", poll)
    mark("meeting over")

    action = ResolutionAction(
        staff_id=view.assignee.id,
        conclusions=CONCLUSIONS,
        documents_needed=[NeededDocument(title="Plan de situație", original=True)],
    )
    await handle.execute_update(BlueTicketWorkflow.submit_resolution, action)
    await wait_for(read, status_is(TicketStatus.RESOLVED), f"{number} resolved", poll)
    mark("resolved")

    await fast_forward(system, trace, handle, PAST_ESCALATION)
    closed: TicketView = await handle.result()
    if closed.status != TicketStatus.CLOSED:
        raise RuntimeError(f"{number} ended as {closed.status}, not closed")
    mark("closed")
    trace.latency = trace.phases["closed"]
    return trace


_AFTER_MEETING = (TicketStatus.AWAITING_OUTCOME, TicketStatus.AWAITING_RESOLUTION)


async def drive_bare(system: System, shape: BareShape, poll: float) -> Trace:
    """The same steps as `drive_ticket`, on the bare workflow."""
    trace = Trace(workflow_id=f"bench-bare-{uuid.uuid4().hex[:12]}")
    started = time.perf_counter()

    def mark(phase: str) -> None:
        trace.phases[phase] = time.perf_counter() - started

    handle = await system.client.start_workflow(
        BareWorkflow.run, shape, id=trace.workflow_id, task_queue=system.bare_task_queue
    )

    async def read() -> str:
        return await handle.query(BareWorkflow.status)

    await wait_for(read, lambda s: s == "scheduled", f"{handle.id} scheduled", poll)
    mark("scheduled")
    await fast_forward(system, trace, handle, shape.first_fast_forward)
    await wait_for(read, lambda s: s == "awaiting_outcome", f"{handle.id} after the meeting", poll)
    mark("meeting over")
    await handle.execute_update(BareWorkflow.answer, BareAction(staff_id="c0001"))
    await wait_for(read, lambda s: s == "resolved", f"{handle.id} resolved", poll)
    mark("resolved")
    await fast_forward(system, trace, handle, shape.second_fast_forward)
    result = await handle.result()
    if result != "closed":
        raise RuntimeError(f"{handle.id} ended as {result}, not closed")
    mark("closed")
    trace.latency = trace.phases["closed"]
    return trace


# --- histories -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class HistoryCounts:
    activities: int  # local ones included
    timers: int
    events: int
    bytes: int  # the serialized `History` protobuf: what the cluster stores of the run
    retries: int  # extra activity attempts: a retry adds no event, only a higher `attempt`


LOCAL_ACTIVITY_MARKER = "core_local_activity"


async def history_counts(client: Client, workflow_id: str) -> tuple[HistoryCounts, BareShape]:
    """Activities (local ones too), timers, events and bytes of one workflow's history, and its
    shape for the bare workflow: what each workflow task started, in order, split at the update."""
    history = await client.get_workflow_handle(workflow_id).fetch_history()
    timers = retries = 0
    steps: list[tuple[int, Step]] = []  # (the workflow task that started it, the step)
    update_at: int | None = None  # index in `steps` where the update came

    def started_by(task: int) -> Step:
        if not steps or steps[-1][0] != task or steps[-1][1].timer:
            steps.append((task, Step()))
        return steps[-1][1]

    for event in history.events:
        kind = event.event_type
        if kind == EventType.EVENT_TYPE_TIMER_STARTED:
            timers += 1
            steps.append(
                (event.timer_started_event_attributes.workflow_task_completed_event_id, Step(timer=True))
            )
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
            started_by(
                event.activity_task_scheduled_event_attributes.workflow_task_completed_event_id
            ).remote += 1
        elif (
            kind == EventType.EVENT_TYPE_MARKER_RECORDED
            and event.marker_recorded_event_attributes.marker_name == LOCAL_ACTIVITY_MARKER
        ):
            started_by(event.marker_recorded_event_attributes.workflow_task_completed_event_id).local += 1
        elif kind == EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED:
            retries += max(0, event.activity_task_started_event_attributes.attempt - 1)
        elif kind == EventType.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED and update_at is None:
            update_at = len(steps)
    cut = len(steps) if update_at is None else update_at
    shape = BareShape(before_update=[s for _, s in steps[:cut]], after_update=[s for _, s in steps[cut:]])
    stored = History(events=history.events).ByteSize()
    counts = HistoryCounts(shape.activities, timers, len(history.events), stored, retries)
    return counts, shape


# --- batches and figures -------------------------------------------------------------------------


@dataclass(frozen=True)
class CpuSample:
    process_s: float
    server_s: float | None

    @classmethod
    def now(cls) -> CpuSample:
        times = os.times()
        return cls(times.user + times.system, server_cpu_seconds())


def proc_stat(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state, ppid, …; utime and stime are
    the 12th and 13th), or None when there is no such process (or no /proc)."""
    try:
        return (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None


def child_pids(parent: int | None = None) -> list[int]:
    """The processes whose parent is `parent` (default: this one), from /proc; empty elsewhere."""
    proc, parent = Path("/proc"), os.getpid() if parent is None else parent
    if not proc.is_dir():
        return []
    pids = (int(entry.name) for entry in proc.iterdir() if entry.name.isdigit())
    return [pid for pid in pids if (fields := proc_stat(pid)) is not None and int(fields[1]) == parent]


def cpu_seconds(pid: int) -> float | None:
    """User + system CPU seconds a process has used so far (None: no such process)."""
    fields = proc_stat(pid)
    return None if fields is None else (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def server_cpu_seconds() -> float | None:
    """CPU seconds used so far by this process's children, which is the Temporal dev server, read
    from /proc (None elsewhere). Without it the table would hide half the machine's work."""
    if not Path("/proc").is_dir():
        return None
    return sum(cpu_seconds(pid) or 0.0 for pid in child_pids())


@dataclass
class BatchResult:
    kind: str
    workflows: int
    concurrency: int
    wall_s: float
    rate_per_s: float
    p50_s: float
    p95_s: float
    max_s: float
    warmup_s: float
    activities: list[int]
    timers: list[int]
    events: list[int]
    history_bytes: list[int]  # min, mean, max
    activity_retries: int  # over the whole batch
    phase_means_s: dict[str, float]
    fast_forward_mean_s: float
    cpu_process_pct: float  # of the whole machine (all cores) during the batch
    cpu_server_pct: float | None
    cpu_ms_per_workflow: float  # process + server


def percentile(values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile: always a latency that some workflow really had."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(q * len(ordered)) - 1)]


async def run_batch(
    kind: str,
    count: int,
    concurrency: int,
    drive: Callable[[int], Awaitable[Trace]],
    client: Client,
    warmup_s: float,
) -> BatchResult:
    """Start `count` drivers, at most `concurrency` at a time; the rate is over the whole batch,
    from the first start to the last close, so it includes the ramp-up and the tail."""
    gate = asyncio.Semaphore(concurrency)

    async def one(i: int) -> Trace:
        async with gate:
            return await drive(i)

    cpu_before, began = CpuSample.now(), time.perf_counter()
    traces = await asyncio.gather(*(one(i) for i in range(count)))
    wall, cpu_after = time.perf_counter() - began, CpuSample.now()
    process_cpu = cpu_after.process_s - cpu_before.process_s
    server_cpu = (
        cpu_after.server_s - cpu_before.server_s
        if cpu_after.server_s is not None and cpu_before.server_s is not None
        else None
    )
    machine = wall * (os.cpu_count() or 1) / 100
    # Counted after the clock stopped, on every workflow, so a run that took another path shows up.
    counts = await asyncio.gather(*(history_counts(client, t.workflow_id) for t in traces))
    latencies = [t.latency for t in traces]
    phase_means = {
        phase: statistics.fmean(t.phases[phase] - (t.phases[PHASES[i - 1]] if i else 0.0) for t in traces)
        for i, phase in enumerate(PHASES)
    }
    return BatchResult(
        kind=kind,
        workflows=count,
        concurrency=concurrency,
        wall_s=wall,
        rate_per_s=count / wall,
        p50_s=percentile(latencies, 0.50),
        p95_s=percentile(latencies, 0.95),
        max_s=max(latencies),
        warmup_s=warmup_s,
        activities=sorted({c.activities for c, _ in counts}),
        timers=sorted({c.timers for c, _ in counts}),
        events=[min(c.events for c, _ in counts), max(c.events for c, _ in counts)],
        history_bytes=[
            min(c.bytes for c, _ in counts),
            round(statistics.fmean(c.bytes for c, _ in counts)),
            max(c.bytes for c, _ in counts),
        ],
        activity_retries=sum(c.retries for c, _ in counts),
        phase_means_s=phase_means,
        fast_forward_mean_s=statistics.fmean(t.fast_forward for t in traces),
        cpu_process_pct=process_cpu / machine,
        cpu_server_pct=None if server_cpu is None else server_cpu / machine,
        cpu_ms_per_workflow=(process_cpu + (server_cpu or 0.0)) * 1000 / count,
    )


@dataclass
class Report:
    command: str
    machine: dict[str, str | int | float | None]
    setup_s: float
    planning_s: float
    bare_shape: str
    ticket: BatchResult
    plain: BatchResult
    bare: BatchResult
    emails_received: int
    overhead_factor: float = field(init=False)
    ticket_bare_ratio: float = field(init=False)  # ticket rate / bare rate: target ≥ 0.8
    # What encryption costs: the share of plain throughput lost, and CPU per ticket encrypted / plain.
    encryption_throughput_cost: float = field(init=False)
    encryption_cpu_ratio: float = field(init=False)

    def __post_init__(self) -> None:
        self.overhead_factor = self.bare.rate_per_s / self.ticket.rate_per_s
        self.ticket_bare_ratio = self.ticket.rate_per_s / self.bare.rate_per_s
        self.encryption_throughput_cost = 1 - self.ticket.rate_per_s / self.plain.rate_per_s
        self.encryption_cpu_ratio = self.ticket.cpu_ms_per_workflow / self.plain.cpu_ms_per_workflow


def machine_info() -> dict[str, str | int | float | None]:
    """What the figures depend on; the load average shows whether something else was running."""
    return {
        "cores": os.cpu_count(),
        "load_1min": round(os.getloadavg()[0], 2) if hasattr(os, "getloadavg") else None,
        "python": platform.python_version(),
        "platform": platform.platform(terse=True),
        "temporalio": temporalio.__version__,
    }


def command_line(argv: Sequence[str], module: str = "bench.lifecycle") -> str:
    python = sys.executable
    with suppress(ValueError):  # another drive on Windows: keep it absolute
        python = os.path.relpath(python)
    return shlex.join([python, "-m", module, *argv])


async def measure(tickets: int, concurrency: int, poll: float, argv: Sequence[str]) -> Report:
    machine, began = machine_info(), time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="tichet-bench-") as workdir:
        async with running_system(Path(workdir)) as system:
            setup_s = time.perf_counter() - began

            began = time.perf_counter()
            requested_at = datetime.now(UTC)
            plans = await asyncio.to_thread(
                plan_tickets, system.settings, system.today, 2 * tickets + 2, requested_at
            )
            planning_s = time.perf_counter() - began

            warm = time.perf_counter()
            await drive_ticket(system, plans[0], requested_at, poll, encrypted=False)
            plain_warmup = time.perf_counter() - warm
            warm = time.perf_counter()
            first = await drive_ticket(system, plans[1], requested_at, poll)
            ticket_warmup = time.perf_counter() - warm
            _, shape = await history_counts(system.client, first.workflow_id)

            warm = time.perf_counter()
            await drive_bare(system, shape, poll)
            bare_warmup = time.perf_counter() - warm

            plain_batch, batch = plans[2 : 2 + tickets], plans[2 + tickets :]
            plain = await run_batch(
                "plain",
                tickets,
                concurrency,
                lambda i: drive_ticket(system, plain_batch[i], requested_at, poll, encrypted=False),
                system.plain_client,
                plain_warmup,
            )
            ticket = await run_batch(
                "ticket",
                tickets,
                concurrency,
                lambda i: drive_ticket(system, batch[i], requested_at, poll),
                system.client,
                ticket_warmup,
            )
            bare = await run_batch(
                "bare",
                tickets,
                concurrency,
                lambda _i: drive_bare(system, shape, poll),
                system.client,
                bare_warmup,
            )
            emails = len(system.mailbox.messages())
    return Report(
        command=command_line(argv),
        machine=machine,
        setup_s=setup_s,
        planning_s=planning_s,
        bare_shape=shape.summary(),
        ticket=ticket,
        plain=plain,
        bare=bare,
        emails_received=emails,
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f}"


def _counts(values: list[int]) -> str:
    return str(values[0]) if len(values) == 1 else "–".join(str(v) for v in (values[0], values[-1]))


def render(report: Report) -> str:
    m = report.machine
    batches = (report.ticket, report.plain, report.bare)

    def row(name: str, cell: Callable[[BatchResult], str]) -> tuple[str, ...]:
        return (name, *(cell(batch) for batch in batches))

    rows: list[tuple[str, ...]] = [
        row("workflows (concurrency)", lambda r: f"{r.workflows} ({r.concurrency})"),
        row("wall time (s)", lambda r: f"{r.wall_s:.1f}"),
        row("rate (workflows/s)", lambda r: f"{r.rate_per_s:.2f}"),
        row("latency p50 (s)", lambda r: f"{r.p50_s:.2f}"),
        row("latency p95 (s)", lambda r: f"{r.p95_s:.2f}"),
        row("latency max (s)", lambda r: f"{r.max_s:.2f}"),
        row("warm-up run alone (s)", lambda r: f"{r.warmup_s:.2f}"),
        row("activities / workflow", lambda r: _counts(r.activities)),
        row("timers / workflow", lambda r: _counts(r.timers)),
        row("history events / workflow", lambda r: _counts(r.events)),
        row("history KB / workflow (mean)", lambda r: f"{r.history_bytes[1] / 1024:.1f}"),
        row("history KB / workflow (max)", lambda r: f"{r.history_bytes[2] / 1024:.1f}"),
        row("activity retries (batch)", lambda r: str(r.activity_retries)),
    ]
    for phase in PHASES:

        def mean(r: BatchResult, p: str = phase) -> str:
            return f"{r.phase_means_s[p]:.2f}"

        rows.append(row(f"  mean → {phase} (s)", mean))
    rows += [
        row("  of which in fast_forward (s)", lambda r: f"{r.fast_forward_mean_s:.2f}"),
        row("CPU, bench process (% machine)", lambda r: f"{r.cpu_process_pct:.0f}"),
        row("CPU, Temporal server (% machine)", lambda r: _pct(r.cpu_server_pct)),
        row("CPU ms / workflow (both)", lambda r: f"{r.cpu_ms_per_workflow:.0f}"),
    ]
    t, b = report.ticket, report.bare
    width = max(len(r[0]) for r in rows)
    heads = ("ticket", "plain", "bare")
    lines = [
        "Tichet Albastru · lifecycle bench",
        f"command: {report.command}",
        f"machine: {m['cores']} cores · Python {m['python']} · {m['platform']} · "
        f"temporalio {m['temporalio']} · load {m['load_1min']} at start",
        f"setup {report.setup_s:.1f} s (dev server, SMTP, Webex emulator, seed, workers) · "
        f"planning {report.planning_s:.1f} s (files, slots)",
        "ticket: payloads encrypted (as the project runs) · plain: the same tickets, no codec · "
        "bare: the ticket's shape, no work",
        "",
        f"{'':<{width}}" + "".join(f"  {head:>10}" for head in heads),
        *(f"{name:<{width}}" + "".join(f"  {cell:>10}" for cell in cells) for name, *cells in rows),
        "",
        f"encryption: throughput {t.rate_per_s:.2f} vs {report.plain.rate_per_s:.2f} tickets/s plain "
        f"(cost {report.encryption_throughput_cost:+.1%}, target < 10 %) · "
        f"CPU per ticket, encrypted / plain: {report.encryption_cpu_ratio:.2f}×",
        f"ticket/bare throughput: {report.ticket_bare_ratio:.2f}× (target ≥ {TARGET_RATIO}×) · "
        f"history per ticket: {_counts(t.events)} events, {t.history_bytes[1] / 1024:.1f} KB mean, "
        f"{t.history_bytes[2] / 1024:.1f} KB max (target per level ≤ 150 events, ≤ 32 KB, encrypted)",
        f"overhead factor (bare rate / ticket rate): {report.overhead_factor:.1f}× · "
        f"CPU per workflow, ticket / bare: {t.cpu_ms_per_workflow / b.cpu_ms_per_workflow:.1f}×",
        "bare shape from the warm-up ticket (T timer, A<n> activities scheduled together, L<n> local):",
        f"  {report.bare_shape}",
        f"emails received: {report.emails_received}",
    ]
    return "\n".join(lines)


def to_json(report: Report) -> str:
    derived = {
        "overhead_factor": report.overhead_factor,
        "ticket_bare_ratio": report.ticket_bare_ratio,
        "encryption_throughput_cost": report.encryption_throughput_cost,
        "encryption_cpu_ratio": report.encryption_cpu_ratio,
    }
    return json.dumps(asdict(report) | derived, ensure_ascii=False)


def positive_int(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench.lifecycle", description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=positive_int, default=50, help="workflows per batch (default 50)")
    parser.add_argument(
        "--concurrency", type=positive_int, default=10, help="workflows in flight at once (default 10)"
    )
    parser.add_argument(
        "--poll", type=float, default=0.05, help="seconds between status queries (default 0.05)"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON line on stdout (the table goes to stderr)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    report = asyncio.run(measure(args.tickets, args.concurrency, args.poll, argv))
    if args.json:
        print(render(report), file=sys.stderr)
        print(to_json(report))
    else:
        print(render(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
