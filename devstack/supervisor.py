"""The process supervisor behind `make run`: start children, keep them running, stop them all.

Why plain `subprocess` and a polling loop rather than asyncio: the supervisor only starts processes,
waits for ports and watches for exits; a short poll is simple to read and needs no event loop.

- **Start**: each child runs in its own process group with its output in `<log dir>/<name>.log`;
  `start` returns once the child's port accepts connections, so a child that cannot start at all is
  reported with the tail of its log (and the stack does not come up half-way).
- **Keep going**: a child that dies later is restarted after a back-off (1 s, doubling to 30 s; back
  to 1 s once it has run for a healthy minute), with a line naming it and its exit code. The others
  keep running.
- **Stop**: SIGINT, SIGTERM or SIGHUP to the supervisor, or its parent `make` taking one (see
  `ParentWatch`), stops every child newest first: SIGINT to its process group (what Ctrl-C would
  send), SIGKILL after a grace period.

`python -m devstack.supervisor NAME=COMMAND ...` runs any commands this way (the tests use it with
stand-in children; `devstack.run` is the real stack).
"""

from __future__ import annotations

import argparse
import os
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from types import FrameType
from typing import IO, NoReturn

HOST = "127.0.0.1"
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)


@dataclass(frozen=True)
class Service:
    """A child process; `port` is the TCP port that means "ready" (None: ready once started)."""

    name: str
    argv: list[str]
    port: int | None = None
    start_timeout: float = 60.0


@dataclass(frozen=True)
class Backoff:
    """How long to wait before restarting a child that died: `first`, doubling up to `limit`; a
    child that ran at least `healthy_after` seconds counts as healthy again and starts over."""

    first: float = 1.0
    limit: float = 30.0
    healthy_after: float = 60.0

    def delay(self, failures: int) -> float:
        return float(min(self.first * 2 ** max(failures - 1, 0), self.limit))


class StackError(Exception):
    """A child failed to start; the message says which and shows its log."""


class Stop(Exception):
    """Raised from a signal handler (or by `ParentWatch`) so a sleeping or waiting supervisor
    unwinds at once; the message names the signal."""


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


def say(line: str) -> None:
    print(line, flush=True)


@dataclass
class Child:
    """A running (or waiting to be restarted) child; `failures` counts deaths since it was last
    healthy, `restart_at` is set while it waits for its back-off."""

    service: Service
    process: subprocess.Popen[bytes]
    log: IO[bytes]
    started_at: float
    failures: int = 0
    restart_at: float | None = None


class ParentWatch:
    """Notices that the parent `make` was told to stop, which the supervisor itself never hears of.

    GNU make forwards SIGTERM to its child but not SIGINT (it expects the terminal to have sent that
    to the whole process group), and then waits for its child forever. While it handles such a
    signal it stops catching it, which Linux shows in `/proc/<pid>/status` (`SigCgt`). So the
    supervisor reads its parent's caught signals: one of INT, TERM, HUP or QUIT that was caught at
    start and no longer is means make is going down. A parent that is gone (re-parented to init)
    means the same. Only a `make` parent is read this way; elsewhere only the parent's death counts.
    """

    _WATCHED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT)

    def __init__(self) -> None:
        self.parent = os.getppid()
        self._is_make = _command_name(self.parent) in ("make", "gmake")
        self._caught = self._watched_caught() if self._is_make else frozenset()

    def _watched_caught(self) -> frozenset[signal.Signals]:
        mask = _caught_signals(self.parent)
        return frozenset(s for s in self._WATCHED if mask & (1 << (s - 1)))

    def check(self) -> None:
        """Raise Stop if the parent went away or (make) took a stop signal."""
        if os.getppid() != self.parent:
            raise Stop("parent process gone")
        if self._caught:
            lost = self._caught - self._watched_caught()
            if lost:
                raise Stop(f"{min(lost).name} to make")


def _command_name(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _caught_signals(pid: int) -> int:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return 0
    for line in status.splitlines():
        if line.startswith("SigCgt:"):
            return int(line.split()[1], 16)
    return 0


class Supervisor:
    """Starts children, waits until they are ready, restarts those that die and stops them all."""

    def __init__(
        self,
        log_dir: Path,
        env: dict[str, str],
        backoff: Backoff = Backoff(),
        grace: float = 10.0,
        poll_interval: float = 0.5,
    ) -> None:
        self.log_dir = log_dir
        self.env = env
        self.backoff = backoff
        self.grace = grace
        self.poll_interval = poll_interval
        self.children: list[Child] = []
        self.parent_watch = ParentWatch()

    def log_path(self, name: str) -> Path:
        return self.log_dir / f"{name}.log"

    def _spawn(
        self, service: Service, log: IO[bytes], stdout: IO[bytes] | None = None
    ) -> subprocess.Popen[bytes]:
        return subprocess.Popen(
            service.argv,
            stdin=subprocess.DEVNULL,
            stdout=stdout or log,
            stderr=log,
            env=self.env,
            process_group=0,  # Ctrl-C in the terminal reaches only the supervisor, which stops them
        )

    def start(self, service: Service, stdout: IO[bytes] | None = None) -> subprocess.Popen[bytes]:
        """Start `service` and return once its port accepts connections (or raise StackError)."""
        self.log_dir.mkdir(parents=True, exist_ok=True)
        log = self.log_path(service.name).open("wb")  # a restart appends to it
        process = self._spawn(service, log, stdout)
        self.children.append(Child(service, process, log, time.monotonic()))
        deadline = time.monotonic() + service.start_timeout
        while service.port is not None and not port_open(service.port):
            if process.poll() is not None:
                raise self._failure(service, f"exited with code {process.returncode} while starting")
            if time.monotonic() > deadline:
                raise self._failure(
                    service, f"did not open port {service.port} in {service.start_timeout:.0f}s"
                )
            self.parent_watch.check()
            time.sleep(0.2)
        return process

    def run_to_completion(self, service: Service, stdout_path: Path) -> None:
        """A one-off step (the seed): stdout is kept in `stdout_path`, stderr in the usual log."""
        with stdout_path.open("wb") as stdout:
            process = self.start(service, stdout=stdout)
            deadline = time.monotonic() + service.start_timeout
            while process.poll() is None:
                if time.monotonic() > deadline:
                    raise self._failure(service, f"did not finish in {service.start_timeout:.0f}s")
                self.parent_watch.check()
                time.sleep(0.2)
        self._forget(process)
        if process.returncode != 0:
            raise self._failure(service, f"failed with code {process.returncode}")

    def watch(self) -> NoReturn:
        """Keep every child running until a stop signal (raised as Stop)."""
        while True:
            self.parent_watch.check()
            self.tend()
            time.sleep(self.poll_interval)

    def tend(self) -> None:
        """One round: note children that died (scheduling their restart) and restart those due."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_at is None and child.process.poll() is not None:
                if now - child.started_at >= self.backoff.healthy_after:
                    child.failures = 0
                child.failures += 1
                delay = self.backoff.delay(child.failures)
                child.restart_at = now + delay
                say(
                    f"  {child.service.name} {_how_it_ended(child.process.returncode)}; "
                    f"restarting in {delay:g}s (failure {child.failures} in a row)"
                )
            elif child.restart_at is not None and now >= child.restart_at:
                child.process = self._spawn(child.service, child.log)
                child.started_at, child.restart_at = now, None
                say(f"  {child.service.name} restarted (pid {child.process.pid})")

    def stop_all(self) -> None:
        """SIGINT (what Ctrl-C would send) to each child's process group, newest first; SIGKILL
        after the grace period."""
        for child in reversed(self.children):
            process = child.process
            if process.poll() is None:
                say(f"  stopping {child.service.name}")
                _signal_group(process, signal.SIGINT)
                try:
                    process.wait(timeout=self.grace)
                except subprocess.TimeoutExpired:
                    say(f"  {child.service.name} did not stop in {self.grace:g}s: killed")
                    _signal_group(process, signal.SIGKILL)
                    process.wait()
            child.log.close()
        self.children.clear()

    def _forget(self, process: subprocess.Popen[bytes]) -> None:
        for child in self.children:
            if child.process is process:
                child.log.close()
                self.children.remove(child)
                return

    def _failure(self, service: Service, what: str) -> StackError:
        log = self.log_path(service.name)
        return StackError(f"{service.name} {what}.\n  Last lines of {log}:\n{log_tail(log)}")


def _how_it_ended(returncode: int) -> str:
    if returncode < 0:
        return f"was killed by {signal.Signals(-returncode).name} (exit code {returncode})"
    return f"exited with code {returncode}"


def _signal_group(process: subprocess.Popen[bytes], sig: signal.Signals) -> None:
    """The child leads its own process group: signal the group, so what it started goes too."""
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)


def _raise_stop(signum: int, _frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


@contextmanager
def stop_on_signals() -> Iterator[None]:
    """Turn SIGINT, SIGTERM and SIGHUP into Stop; on the way out ignore them, so the shutdown that
    follows finishes undisturbed. Installed before any child starts: a caught signal is reset to
    its default in a child, so the children can be stopped with SIGINT even when the supervisor
    was started with it ignored (in the background)."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, _raise_stop)
    try:
        yield
    finally:
        for sig in STOP_SIGNALS:
            signal.signal(sig, signal.SIG_IGN)


def supervise(supervisor: Supervisor, start: Callable[[Supervisor], None]) -> int:
    """Run `start` (which starts the children), then keep them running until a stop signal; stop
    them all whatever happens. 0 after a stop signal, 1 when the stack could not start."""
    with stop_on_signals():
        try:
            start(supervisor)
            supervisor.watch()
        except Stop as stop:
            say(f"\n{stop} received, stopping")
            return 0
        except StackError as error:
            print(f"\nerror: {error}", file=sys.stderr, flush=True)
            return 1
        finally:
            supervisor.stop_all()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m devstack.supervisor", description="Run commands the way `make run` runs its children."
    )
    parser.add_argument(
        "children", nargs="+", metavar="NAME=COMMAND", help="a name and a shell-quoted command"
    )
    parser.add_argument("--log-dir", type=Path, default=Path(".data/logs"))
    parser.add_argument("--first-delay", type=float, default=Backoff.first)
    parser.add_argument("--max-delay", type=float, default=Backoff.limit)
    parser.add_argument("--healthy-after", type=float, default=Backoff.healthy_after)
    parser.add_argument("--grace", type=float, default=10.0, help="seconds between SIGINT and SIGKILL")
    parser.add_argument("--poll", type=float, default=0.5, help="seconds between two looks at the children")
    args = parser.parse_args(argv)
    services = []
    for spec in args.children:
        name, sep, command = spec.partition("=")
        if not sep or not name or not command:
            parser.error(f"expected NAME=COMMAND, got {spec!r}")
        services.append(Service(name, shlex.split(command)))
    backoff = Backoff(args.first_delay, args.max_delay, args.healthy_after)
    supervisor = Supervisor(args.log_dir, dict(os.environ), backoff, args.grace, args.poll)

    def start(supervisor: Supervisor) -> None:
        for service in services:
            process = supervisor.start(service)
            say(f"  started {service.name} (pid {process.pid})")

    return supervise(supervisor, start)


if __name__ == "__main__":
    raise SystemExit(main())
