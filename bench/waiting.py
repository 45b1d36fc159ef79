"""What many open tickets cost while they wait: N tickets of two municipalities booked and sleeping
on their meeting timers, then a minute of nothing (issue 11, point 3).

    .venv/bin/python -m bench.waiting [--tickets N] [--in-flight F] [--concurrency C] [--idle S]
        [--sample K] [--max-cached M] [--no-wake-all] [--json]

The parts are the lifecycle bench's (`bench/lifecycle.py`): the Temporal CLI dev server (time
skipping off: the timers are hours away and stay so), the SMTP mailbox, the Webex emulator over
HTTP, a seeded SQLite database in a temporary directory. The worker is the project's own process,
`python -m worker`, configured through its `TICHET_` variables, so its memory and CPU are its own.

1. **start**: N files and free slots are planned first (the demo city's 524 clerks, round-robin,
   first free slot of the 48-hour window that `offered_slots` shows), half the tickets for
   `cluj-napoca` and half for `huedin` (`TicketInput.municipality`); then the tickets are started
   with the client, at most `--in-flight` started and not yet scheduled at a time (`--in-flight N`:
   all at once). Timed: until the last one is started, and until every ticket is `scheduled`
   (booked, meeting created, confirmation and the host's notice emailed: the `TicketStatus` search
   attribute, counted through visibility).
2. **idle**: `--idle` seconds with nothing to do. Measured from /proc: the worker's CPU and the
   Temporal server's, as % of one core, and the worker's resident memory (and its peak, VmHWM).
3. **restart**: the worker is stopped and started again with every ticket still open, three
   times: SIGINT (its clean shutdown, which `asyncio.run` gives it and docker-compose's
   `stop_signal` sends), SIGTERM (what most process managers send; the worker does not handle it,
   so it ends at once) and SIGKILL (a crash). Timed from the signal: the
   worker polling again, the first query answered, and `--sample` tickets' queries answered (each
   is a replay of that ticket's history into the fresh worker's sticky cache).
4. **wake all** (unless `--no-wake-all`): every ticket queried once, so every history is replayed
   through a sticky cache of `--max-cached` workflows: the time that takes, and the worker's memory
   after it, which the cache bound must keep flat however many tickets are open.

Targets (issue 11): worker RSS ≤ 300 MB, idle CPU < 2 % of one core (worker and server each).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager, suppress
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from temporalio.client import Client

from bench.lifecycle import (
    Handle,
    PlannedTicket,
    child_pids,
    city_today,
    command_line,
    cpu_seconds,
    local_services,
    machine_info,
    percentile,
    plan_tickets,
    positive_int,
    start_temporal,
)
from bench.lifecycle import start_ticket as start_one
from core import search_attributes as sa
from core.settings import Settings
from devstack.mailbox import StoredMessage
from domain.models import TicketStatus, TicketView
from store.db import make_engine
from store.seed import seed_demo_city
from workflows.blue_ticket import BlueTicketWorkflow

ROOT = Path(__file__).resolve().parents[1]  # this checkout, so `-m worker` runs this code
MUNICIPALITIES = ("cluj-napoca", "huedin")
SEEDED_FILES = 300  # the bench adds a file per ticket; the seed provides the city and its clerks
TARGET_RSS_MB = 300.0
TARGET_IDLE_CPU_PCT = 2.0
SETTLE_S = 5.0  # after the last ticket is scheduled, before the idle minute starts
PROGRESS_TIMEOUT_S = 300.0  # no ticket scheduled for this long: the run is broken
PROGRESS_EVERY_S = 15.0
QUERY_TIMEOUT_S = 600.0
WORKER_START_TIMEOUT_S = 120.0
# The settings the worker process gets as `TICHET_` variables: everything that differs from the
# defaults in `local_services`, and the cache bound under test.
WORKER_SETTINGS = (
    "environment",
    "database_url",
    "temporal_address",
    "task_queue",
    "smtp_port",
    "webex_base_url",
    "webex_token",
    "webex_webhook_secret",
    "worker_max_cached_workflows",
)


# --- the worker process ----------------------------------------------------------------------------


def memory_mb(pid: int, key: str = "VmRSS") -> float | None:
    """A /proc/<pid>/status memory line (VmRSS: resident now, VmHWM: the peak), in MB."""
    with suppress(OSError, ValueError, IndexError):
        for line in (Path("/proc") / str(pid) / "status").read_text().splitlines():
            if line.startswith(f"{key}:"):
                return int(line.split()[1]) / 1024
    return None


@dataclass
class WorkerProcess:
    process: asyncio.subprocess.Process
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    async def ready(self) -> None:
        """Until the worker logs that it polls (it does so just before `Worker.run`)."""
        deadline = time.monotonic() + WORKER_START_TIMEOUT_S
        while "polling task queue" not in self.log.read_text(errors="replace"):
            if self.process.returncode is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    f"the worker did not start:\n{self.log.read_text(errors='replace')[-3000:]}"
                )
            await asyncio.sleep(0.05)

    async def stop(self, how: signal.Signals) -> None:
        if self.process.returncode is None:
            self.process.send_signal(how)
            await self.process.wait()


async def spawn_worker(settings: Settings, workdir: Path, generation: int) -> WorkerProcess:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("TICHET_")}
    environ |= {f"TICHET_{name.upper()}": str(getattr(settings, name)) for name in WORKER_SETTINGS}
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), environ.get("PYTHONPATH")]))
    log = workdir / f"worker-{generation}.log"
    with log.open("wb") as out:
        # cwd: the temporary directory, so no `.env` file of the checkout is read.
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "worker", cwd=workdir, env=environ, stdout=out, stderr=out
        )
    return WorkerProcess(process, log)


# --- starting and counting -----------------------------------------------------------------------


async def count(client: Client, status: TicketStatus | None = None) -> int:
    query = "ExecutionStatus = 'Running'"
    if status is not None:
        query += f" AND {sa.TICKET_STATUS.name} = '{status.value}'"
    return (await client.count_workflows(query)).count


@dataclass
class StartFigures:
    tickets: int
    per_municipality: dict[str, int]
    concurrency: int
    in_flight: int
    planning_s: float
    start_calls_s: float
    to_scheduled_s: float
    scheduled: int
    running: int
    worker_cpu_s: float
    server_cpu_s: float
    emails: int
    emails_repeated: int  # messages with the same recipients and subject as an earlier one


def repeated_emails(messages: Sequence[StoredMessage]) -> int:
    """Messages the mailbox received a second time (same envelope recipients, same subject): each
    ticket sends its citizen one confirmation and its host one notice, so any is a duplicate."""
    return len(messages) - len({(m.recipients, m.subject) for m in messages})


async def start_all(
    client: Client,
    settings: Settings,
    handles: list[Handle],
    plans: list[PlannedTicket],
    concurrency: int,
    in_flight: int,
) -> tuple[float, float, int]:
    """Start every planned ticket (`concurrency` start calls at a time, alternating the
    municipalities), keeping at most `in_flight` of them started and not yet scheduled, and wait
    until every one is scheduled. Citizens arrive spread out, not 10 000 in one instant: in a burst
    of thousands each ticket's workflow tasks queue behind everyone else's (past the SDK's 5-second
    warning, towards the 10-second task timeout), and more tickets in flight than the sticky cache
    holds are evicted between their own tasks and replay their history at each one.
    Returns (seconds until the last start call returned, seconds until all scheduled, scheduled)."""
    gate = asyncio.Semaphore(concurrency)
    requested_at = datetime.now(UTC)

    async def one(i: int) -> Handle:
        async with gate:
            municipality = MUNICIPALITIES[i % len(MUNICIPALITIES)]
            return await start_one(
                client, settings.task_queue, plans[i], requested_at, municipality=municipality
            )

    began = time.perf_counter()
    started = scheduled = 0
    start_calls, shown, last_change = 0.0, -PROGRESS_EVERY_S, time.monotonic()
    while scheduled < len(plans):
        room = min(len(plans), scheduled + in_flight) - started
        if room > 0:
            handles += await asyncio.gather(*(one(i) for i in range(started, started + room)))
            started += room
            start_calls = time.perf_counter() - began
        await asyncio.sleep(0.5)
        now_scheduled = await count(client, TicketStatus.SCHEDULED)
        if now_scheduled != scheduled:
            last_change = time.monotonic()
        elif time.monotonic() - last_change > PROGRESS_TIMEOUT_S:
            print(f"  no progress for {PROGRESS_TIMEOUT_S:.0f} s: going on", file=sys.stderr)
            break
        scheduled = now_scheduled
        if time.perf_counter() - began - shown >= PROGRESS_EVERY_S or scheduled == len(plans):
            shown = time.perf_counter() - began
            print(f"  {shown:7.1f} s: {started} started, {scheduled} scheduled", file=sys.stderr)
    return start_calls, time.perf_counter() - began, scheduled


# --- idle ------------------------------------------------------------------------------------------


@dataclass
class IdleFigures:
    seconds: float
    worker_cpu_pct: float  # of one core
    server_cpu_pct: float
    worker_rss_mb: float
    worker_rss_max_mb: float  # during the idle period
    worker_peak_mb: float  # VmHWM: the most it ever held, the start included


async def measure_idle(worker: WorkerProcess, server_pid: int, seconds: float) -> IdleFigures:
    rss: list[float] = []
    w0, s0, began = cpu_seconds(worker.pid), cpu_seconds(server_pid), time.perf_counter()
    while time.perf_counter() - began < seconds:
        await asyncio.sleep(1.0)
        rss.append(memory_mb(worker.pid) or 0.0)
    w1, s1, wall = cpu_seconds(worker.pid), cpu_seconds(server_pid), time.perf_counter() - began
    assert None not in (w0, w1, s0, s1), "the worker or the server is gone"
    return IdleFigures(
        seconds=wall,
        worker_cpu_pct=100 * ((w1 or 0) - (w0 or 0)) / wall,
        server_cpu_pct=100 * ((s1 or 0) - (s0 or 0)) / wall,
        worker_rss_mb=rss[-1],
        worker_rss_max_mb=max(rss),
        worker_peak_mb=memory_mb(worker.pid, "VmHWM") or 0.0,
    )


# --- restart ---------------------------------------------------------------------------------------


async def answered(handle: Handle) -> TicketView:
    """A ticket's status query, retried until it answers (a query to a ticket whose worker is down
    waits, then fails; that counts as "not yet")."""
    deadline = time.monotonic() + QUERY_TIMEOUT_S
    while True:
        try:
            view: TicketView = await handle.query(
                BlueTicketWorkflow.status, rpc_timeout=timedelta(seconds=30)
            )
            return view
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


async def query_all(handles: Sequence[Handle], concurrency: int) -> list[float]:
    """Query every handle once, `concurrency` at a time; each one's seconds until it answered."""
    gate = asyncio.Semaphore(concurrency)

    async def one(handle: Handle) -> float:
        async with gate:
            began = time.perf_counter()
            view = await answered(handle)
            if view.status != TicketStatus.SCHEDULED:
                raise RuntimeError(f"{handle.id} is {view.status}, not scheduled")
            return time.perf_counter() - began

    return list(await asyncio.gather(*(one(h) for h in handles)))


@dataclass
class RestartFigures:
    signal: str
    polling_s: float  # from the signal: the new worker polls
    first_query_s: float  # from the signal: one ticket answered
    sample: int
    sample_s: float  # from the signal: every sampled ticket answered
    query_p50_s: float
    query_p95_s: float
    worker_rss_mb: float  # after the sample


async def restart(
    worker: WorkerProcess,
    how: signal.Signals,
    spawn: Callable[[], Awaitable[WorkerProcess]],
    sample: Sequence[Handle],
    concurrency: int,
) -> tuple[WorkerProcess, RestartFigures]:
    began = time.perf_counter()
    await worker.stop(how)
    fresh = await spawn()
    await fresh.ready()
    polling = time.perf_counter() - began
    await answered(sample[0])
    first = time.perf_counter() - began
    timings = await query_all(sample[1:], concurrency)
    return fresh, RestartFigures(
        signal=how.name,
        polling_s=polling,
        first_query_s=first,
        sample=len(sample),
        sample_s=time.perf_counter() - began,
        query_p50_s=percentile(timings, 0.5) if timings else 0.0,
        query_p95_s=percentile(timings, 0.95) if timings else 0.0,
        worker_rss_mb=memory_mb(fresh.pid) or 0.0,
    )


@dataclass
class WakeFigures:
    tickets: int
    seconds: float
    per_s: float
    query_p95_s: float
    worker_rss_mb: float
    worker_peak_mb: float  # VmHWM of this worker process (started at the last restart)
    worker_cpu_s: float


async def wake_all(worker: WorkerProcess, handles: Sequence[Handle], concurrency: int) -> WakeFigures:
    cpu0, began = cpu_seconds(worker.pid) or 0.0, time.perf_counter()
    timings = await query_all(handles, concurrency)
    wall = time.perf_counter() - began
    return WakeFigures(
        tickets=len(handles),
        seconds=wall,
        per_s=len(handles) / wall,
        query_p95_s=percentile(timings, 0.95),
        worker_rss_mb=memory_mb(worker.pid) or 0.0,
        worker_peak_mb=memory_mb(worker.pid, "VmHWM") or 0.0,
        worker_cpu_s=(cpu_seconds(worker.pid) or 0.0) - cpu0,
    )


# --- the run -----------------------------------------------------------------------------------


@dataclass
class Report:
    command: str
    machine: dict[str, Any]
    max_cached_workflows: int
    setup_s: float
    start: StartFigures
    idle: IdleFigures
    restarts: list[RestartFigures] = field(default_factory=list)
    wake: WakeFigures | None = None
    targets_met: dict[str, bool] = field(default_factory=dict)


def server_pid(worker: WorkerProcess) -> int:
    """The Temporal dev server: this process's child that is not the worker."""
    others = [pid for pid in child_pids() if pid != worker.pid]
    if len(others) != 1:
        raise RuntimeError(f"expected one dev server child process, found {others}")
    return others[0]


@asynccontextmanager
async def running_worker(settings: Settings, workdir: Path) -> AsyncIterator[list[WorkerProcess]]:
    """The worker process (a list: a restart replaces it); stopped at the end whatever happened."""
    workers = [await spawn_worker(settings, workdir, 0)]
    try:
        await workers[0].ready()
        yield workers
    finally:
        for worker in workers:
            with suppress(ProcessLookupError):
                await worker.stop(signal.SIGKILL)


async def measure(args: argparse.Namespace, argv: Sequence[str]) -> Report:
    machine, began = machine_info(), time.perf_counter()
    with (
        tempfile.TemporaryDirectory(prefix="tichet-bench-waiting-") as tmp,
        local_services(Path(tmp)) as (
            services,
            mailbox,
        ),
    ):
        workdir = Path(tmp)
        env = await start_temporal(workdir, services)
        async with env:
            target = env.client.service_client.config.target_host
            settings = services.model_copy(
                update={"temporal_address": target, "worker_max_cached_workflows": args.max_cached}
            )
            today = city_today(settings.time_zone)
            seed_demo_city(make_engine(settings.database_url), today, files=SEEDED_FILES, reset=True)
            async with running_worker(settings, workdir) as workers:
                setup_s = time.perf_counter() - began
                spawned = [0]

                async def spawn() -> WorkerProcess:
                    spawned[0] += 1
                    workers.append(await spawn_worker(settings, workdir, spawned[0]))
                    return workers[-1]

                planned = time.perf_counter()
                plans = await asyncio.to_thread(
                    plan_tickets, settings, today, args.tickets, datetime.now(UTC)
                )
                planning_s = time.perf_counter() - planned
                pid = server_pid(workers[0])
                cpu_w, cpu_s = cpu_seconds(workers[0].pid) or 0.0, cpu_seconds(pid) or 0.0
                handles: list[Handle] = []
                start_calls, to_scheduled, scheduled = await start_all(
                    env.client, settings, handles, plans, args.concurrency, args.in_flight
                )
                start = StartFigures(
                    tickets=len(plans),
                    per_municipality={
                        m: len(plans[i :: len(MUNICIPALITIES)]) for i, m in enumerate(MUNICIPALITIES)
                    },
                    concurrency=args.concurrency,
                    in_flight=args.in_flight,
                    planning_s=planning_s,
                    start_calls_s=start_calls,
                    to_scheduled_s=to_scheduled,
                    scheduled=scheduled,
                    running=await count(env.client),
                    worker_cpu_s=(cpu_seconds(workers[0].pid) or 0.0) - cpu_w,
                    server_cpu_s=(cpu_seconds(pid) or 0.0) - cpu_s,
                    emails=len(mailbox.messages()),
                    emails_repeated=repeated_emails(mailbox.messages()),
                )
                await asyncio.sleep(SETTLE_S)
                idle = await measure_idle(workers[0], pid, args.idle)
                sample = random.Random(11).sample(handles, min(args.sample, len(handles)))
                restarts = []
                for how in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
                    _, figures = await restart(workers[-1], how, spawn, sample, args.concurrency)
                    restarts.append(figures)
                wake = await wake_all(workers[-1], handles, args.concurrency) if args.wake_all else None
    rss = [idle.worker_rss_max_mb, idle.worker_peak_mb, *(r.worker_rss_mb for r in restarts)]
    if wake is not None:
        rss += [wake.worker_rss_mb, wake.worker_peak_mb]
    return Report(
        command=command_line(argv, "bench.waiting"),
        machine=machine,
        max_cached_workflows=args.max_cached,
        setup_s=setup_s,
        start=start,
        idle=idle,
        restarts=restarts,
        wake=wake,
        targets_met={
            f"worker RSS ≤ {TARGET_RSS_MB:.0f} MB": max(rss) <= TARGET_RSS_MB,
            f"worker idle CPU < {TARGET_IDLE_CPU_PCT:.0f} % of one core": idle.worker_cpu_pct
            < TARGET_IDLE_CPU_PCT,
            f"server idle CPU < {TARGET_IDLE_CPU_PCT:.0f} % of one core": idle.server_cpu_pct
            < TARGET_IDLE_CPU_PCT,
            "every ticket scheduled": start.scheduled == start.tickets,
        },
    )


def render(report: Report) -> str:
    m, s, i = report.machine, report.start, report.idle
    lines = [
        "Tichet Albastru · waiting tickets bench",
        f"command: {report.command}",
        f"machine: {m['cores']} cores · Python {m['python']} · {m['platform']} · "
        f"temporalio {m['temporalio']} · load {m['load_1min']} at start",
        f"setup {report.setup_s:.1f} s (dev server, SMTP, Webex emulator, seed, worker) · "
        f"worker max_cached_workflows {report.max_cached_workflows}",
        "",
        f"start: {s.tickets} tickets ("
        + ", ".join(f"{m} {n}" for m, n in s.per_municipality.items())
        + f"), at most {s.in_flight} in flight (started, not yet scheduled); "
        f"files and slots planned in {s.planning_s:.1f} s",
        f"  last one started          {s.start_calls_s:8.1f} s",
        f"  all scheduled             {s.to_scheduled_s:8.1f} s  "
        f"({s.scheduled / s.to_scheduled_s:.1f} tickets/s; "
        f"{s.scheduled} scheduled of {s.running} running)",
        f"  CPU meanwhile             worker {s.worker_cpu_s:.0f} s, server {s.server_cpu_s:.0f} s "
        f"({1000 * s.worker_cpu_s / max(1, s.scheduled):.0f} + "
        f"{1000 * s.server_cpu_s / max(1, s.scheduled):.0f} ms/ticket); "
        f"{s.emails} emails received, {s.emails_repeated} of them repeated (same recipients and subject)",
        f"idle {i.seconds:.0f} s:",
        f"  CPU, % of one core        worker {i.worker_cpu_pct:.2f} · Temporal server {i.server_cpu_pct:.2f}",
        f"  worker RSS                {i.worker_rss_mb:.0f} MB (max {i.worker_rss_max_mb:.0f} while idle; "
        f"peak {i.worker_peak_mb:.0f} MB since it started)",
    ]
    for r in report.restarts:
        lines += [
            f"restart after {r.signal}, {s.running} tickets open (times from the signal):",
            f"  polling again {r.polling_s:.1f} s · first query answered {r.first_query_s:.1f} s · "
            f"{r.sample} sampled tickets answered {r.sample_s:.1f} s "
            f"(each p50 {r.query_p50_s:.2f} s, p95 {r.query_p95_s:.2f} s) · "
            f"worker RSS {r.worker_rss_mb:.0f} MB",
        ]
    if report.wake is not None:
        w = report.wake
        lines += [
            f"wake all: {w.tickets} tickets queried once (every history replayed through the cache):",
            f"  {w.seconds:.1f} s ({w.per_s:.0f} tickets/s, p95 {w.query_p95_s:.2f} s; "
            f"worker CPU {w.worker_cpu_s:.0f} s) · "
            f"worker RSS {w.worker_rss_mb:.0f} MB after, peak {w.worker_peak_mb:.0f} MB",
        ]
    lines += [
        "",
        "targets: "
        + " · ".join(f"{name}: {'met' if ok else 'NOT met'}" for name, ok in report.targets_met.items()),
    ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = argparse.ArgumentParser(prog="python -m bench.waiting", description=__doc__.split("\n")[0])
    parser.add_argument("--tickets", type=positive_int, default=10_000, help="open tickets (default 10 000)")
    parser.add_argument("--concurrency", type=positive_int, default=20, help="starts and queries in flight")
    parser.add_argument(
        "--in-flight",
        type=positive_int,
        default=100,
        help="tickets started and not yet scheduled at most (default 100; --tickets: all at once)",
    )
    parser.add_argument("--idle", type=float, default=60.0, help="seconds of idling measured (default 60)")
    parser.add_argument("--sample", type=positive_int, default=100, help="tickets queried after a restart")
    parser.add_argument(
        "--max-cached",
        type=int,
        default=Settings.model_fields["worker_max_cached_workflows"].default,
        help="the worker's TICHET_WORKER_MAX_CACHED_WORKFLOWS (default: the setting's default)",
    )
    parser.add_argument(
        "--no-wake-all", dest="wake_all", action="store_false", help="skip querying every ticket"
    )
    parser.add_argument(
        "--json", action="store_true", help="print one JSON line on stdout (the table goes to stderr)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s %(message)s")
    report = asyncio.run(measure(args, argv))
    if args.json:
        print(render(report), file=sys.stderr)
        print(json.dumps(asdict(report), ensure_ascii=False))
    else:
        print(render(report))
    return 0 if all(report.targets_met.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
