"""`make run`'s supervisor with real processes: stand-in children (small Python scripts that listen
on a free port) instead of the whole stack, so nothing binds the stack's fixed ports.

Each stand-in writes a line per start (pid, time) to `<name>.starts` and its port to `<name>.port`,
so the tests see the processes themselves, not only what the supervisor says about them.
"""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from devstack.supervisor import Backoff

ROOT = Path(__file__).resolve().parents[1]

STAND_IN = r"""
import os, signal, socket, subprocess, sys, time
name, where, mode = sys.argv[1], sys.argv[2], sys.argv[3]
with open(os.path.join(where, name + ".starts"), "a") as starts:
    starts.write(f"{os.getpid()} {time.time()}\n")
if mode == "exit":
    sys.exit(3)
if mode == "brief":
    time.sleep(0.6)
    sys.exit(4)
if mode == "stubborn":
    signal.signal(signal.SIGINT, signal.SIG_IGN)
if mode == "parent":  # what it starts must go too (a shell running a server, say)
    subprocess.Popen([sys.executable, __file__, name + "-child", where, "serve"])
server = socket.create_server(("127.0.0.1", 0))
with open(os.path.join(where, name + ".port"), "w") as port:
    port.write(str(server.getsockname()[1]))
time.sleep(600)
"""

# Without SIGINT left ignored by whoever started pytest (a background job, say): make and the
# supervisor must see the signal as a terminal would send it.
WITH_DEFAULT_SIGINT = [
    sys.executable,
    "-c",
    "import os, signal, sys; signal.signal(signal.SIGINT, signal.SIG_DFL); "
    "os.execvp(sys.argv[1], sys.argv[1:])",
]


@dataclass
class Stack:
    process: subprocess.Popen[bytes]
    where: Path
    output: Path

    def out(self) -> str:
        return self.output.read_text()

    def starts(self, name: str) -> list[tuple[int, float]]:
        path = self.where / f"{name}.starts"
        lines = path.read_text().split() if path.exists() else []
        return [(int(pid), float(at)) for pid, at in zip(lines[::2], lines[1::2], strict=True)]

    def port(self, name: str) -> int:
        return int((self.where / f"{name}.port").read_text())

    def pids(self, *names: str) -> list[int]:
        return [pid for name in names for pid, _ in self.starts(name)]


def eventually(check: Callable[[], bool], within: float = 30, what: str = "") -> None:
    deadline = time.monotonic() + within
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {within}s: {what}")
        time.sleep(0.05)


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def supervisor_argv(where: Path, children: dict[str, str], *options: str) -> list[str]:
    script = where / "stand_in.py"
    script.write_text(STAND_IN)
    specs = [
        f"{name}={shlex.join([sys.executable, str(script), name, str(where), mode])}"
        for name, mode in children.items()
    ]
    return [sys.executable, "-m", "devstack.supervisor", "--log-dir", str(where / "logs"), *options, *specs]


@pytest.fixture
def start_stack(tmp_path: Path) -> Iterator[Callable[..., Stack]]:
    started: list[Stack] = []

    def start(argv: list[str]) -> Stack:
        output = tmp_path / "supervisor.out"
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        with output.open("wb") as out:
            process = subprocess.Popen(
                [*WITH_DEFAULT_SIGINT, *argv],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                process_group=0,  # make and the supervisor: one group, for the clean-up below
            )
        stack = Stack(process, tmp_path, output)
        started.append(stack)
        return stack

    yield start
    for stack in started:  # a failed test must not leave processes behind: first the supervisor
        with contextlib.suppress(ProcessLookupError):  # (so it restarts nothing), then its children
            os.killpg(stack.process.pid, signal.SIGKILL)
        stack.process.wait()
        for pid in stack.pids(*(p.name.removesuffix(".starts") for p in tmp_path.glob("*.starts"))):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


SERVERS = {"temporal": "serve", "api": "parent", "worker": "stubborn"}


def wait_until_serving(stack: Stack) -> list[int]:
    names = [*SERVERS, "api-child"]
    eventually(
        lambda: all((stack.where / f"{n}.port").exists() for n in names), what=f"ports written; {stack.out()}"
    )
    eventually(lambda: all(listening(stack.port(n)) for n in names), what="children listening")
    return [stack.port(n) for n in names]


def assert_all_gone(stack: Stack, ports: list[int]) -> None:
    pids = stack.pids(*SERVERS, "api-child")
    assert len(pids) == 4
    eventually(lambda: not any(alive(pid) for pid in pids), within=5, what="every child gone")
    assert not any(listening(port) for port in ports)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_to_the_runner_stops_every_child(
    start_stack: Callable[..., Stack], tmp_path: Path, sig: signal.Signals
) -> None:
    stack = start_stack(supervisor_argv(tmp_path, SERVERS, "--grace", "1", "--poll", "0.05"))
    ports = wait_until_serving(stack)
    stack.process.send_signal(sig)
    assert stack.process.wait(timeout=20) == 0
    assert f"{sig.name} received, stopping" in stack.out()
    assert "worker did not stop in 1s: killed" in stack.out()  # the stubborn one
    assert_all_gone(stack, ports)


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_a_signal_to_make_stops_every_child(
    start_stack: Callable[..., Stack], tmp_path: Path, sig: signal.Signals
) -> None:
    """`make run` is `exec`: make stays the runner's parent, forwards SIGTERM, and only waits on SIGINT."""
    argv = supervisor_argv(tmp_path, SERVERS, "--grace", "1", "--poll", "0.05")
    (tmp_path / "Makefile").write_text(f"run:\n\texec {shlex.join(argv)}\n")
    stack = start_stack(["make", "--no-print-directory", "-f", str(tmp_path / "Makefile"), "run"])
    ports = wait_until_serving(stack)
    stack.process.send_signal(sig)  # to make alone, not to its process group
    stack.process.wait(timeout=20)
    assert re.search(rf"({sig.name} to make|{sig.name}) received, stopping", stack.out()), stack.out()
    assert_all_gone(stack, ports)


def test_a_child_that_dies_is_restarted_with_back_off_and_the_others_keep_running(
    start_stack: Callable[..., Stack], tmp_path: Path
) -> None:
    backoff = Backoff(first=0.2, limit=0.8, healthy_after=0.5)
    children = {"temporal": "serve", "worker": "exit", "mailbox": "brief"}
    options = ["--first-delay", "0.2", "--max-delay", "0.8", "--healthy-after", "0.5", "--poll", "0.05"]
    stack = start_stack(supervisor_argv(tmp_path, children, *options))
    eventually(lambda: len(stack.starts("worker")) >= 6, what=f"six starts of the worker; {stack.out()}")
    eventually(lambda: len(stack.starts("mailbox")) >= 3, what=f"three starts of the mailbox; {stack.out()}")

    out = stack.out()
    delays = [float(d) for d in re.findall(r"worker exited with code 3; restarting in ([\d.]+)s", out)]
    assert delays[:5] == [0.2, 0.4, 0.8, 0.8, 0.8] == [backoff.delay(n) for n in range(1, 6)]
    starts = [at for _, at in stack.starts("worker")]
    # each restart came no sooner than the delay the runner announced for it
    assert all(
        later - earlier >= delay for earlier, later, delay in zip(starts, starts[1:], delays, strict=False)
    )
    assert re.search(r"worker restarted \(pid \d+\)", out)
    # the mailbox ran longer than `healthy_after` each time: every death is a first failure again
    brief = re.findall(r"mailbox exited with code 4; restarting in ([\d.]+)s \(failure (\d+) in a row\)", out)
    assert len(brief) >= 2 and set(brief) == {("0.2", "1")}
    # the steady child was never restarted and still serves
    assert len(stack.starts("temporal")) == 1 and listening(stack.port("temporal"))
    assert stack.process.poll() is None

    stack.process.send_signal(signal.SIGTERM)
    assert stack.process.wait(timeout=20) == 0
    every = stack.pids(*children)
    eventually(lambda: not any(alive(pid) for pid in every), within=5, what="every child gone")
    assert not listening(stack.port("temporal"))
