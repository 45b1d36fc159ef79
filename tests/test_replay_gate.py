"""The replay gate in CI: no workflow change reaches main unrecorded and unpatched (tests/replay_gate.py),
and a non-deterministic change is caught by replaying the fixtures (tests/test_replay.py).

Needs the project's git history: CI's clone has it (.ci/run unshallows a shallow one); outside git
the history tests skip, in CI they fail.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from store.testing import in_ci
from tests.replay_gate import (
    HISTORIES,
    PATCHES,
    WORKING_TREE,
    HistoryUnavailable,
    check_history,
    uncovered_changes,
    workflow_files,
)
from worker import WORKFLOWS

ROOT = Path(__file__).resolve().parent.parent
FIXTURE = ROOT / HISTORIES / "happy_path_v4.json"
# A timer before the ticket's first command: what "a small change" to a running workflow can be.
RUN_LINE = "        await self._live(inp)\n"
NON_DETERMINISTIC = "        await workflow.sleep(timedelta(seconds=1))\n" + RUN_LINE
GIT_ENV = {
    "GIT_AUTHOR_NAME": "gate",
    "GIT_AUTHOR_EMAIL": "gate@example.invalid",
    "GIT_COMMITTER_NAME": "gate",
    "GIT_COMMITTER_EMAIL": "gate@example.invalid",
}


def _project_history() -> None:
    try:
        check_history(ROOT)
    except HistoryUnavailable as err:
        if in_ci():
            pytest.fail(f"CI must run in a full git clone: {err}", pytrace=False)
        pytest.skip(str(err))


def test_every_workflow_change_since_the_fixtures_has_a_fixture_or_a_patch() -> None:
    _project_history()
    files = workflow_files(ROOT, sorted({w.__module__ for w in WORKFLOWS}))
    uncovered = uncovered_changes(ROOT, files)
    assert uncovered == [], (
        "workflow code changed with no replay fixture recorded after it and no new patch id: put the "
        "change behind workflow.patched (workflows/patches.py) and/or record a fixture "
        "(tests/test_replay.py's docstring). Unrecorded: " + "; ".join(map(str, uncovered))
    )


def test_the_gate_caught_issue_9s_unrecorded_changes() -> None:
    """On the real history: just before happy_path_v4 was added, the gate listed the booking-ledger
    refactor of the workflow that no fixture had recorded (v4 was recorded because of it)."""
    _project_history()
    added = _git(ROOT, "log", "--diff-filter=A", "--format=%H", "--", str(FIXTURE.relative_to(ROOT)))
    before_v4 = added.split()[-1] + "^"
    files = workflow_files(ROOT, sorted({w.__module__ for w in WORKFLOWS}))
    subjects = [u.subject for u in uncovered_changes(ROOT, files, head=before_v4)]
    assert any(s.startswith("One query for a slot's holder in the booking ledger") for s in subjects)


def test_the_workflow_files_are_what_the_sandbox_imports() -> None:
    files = workflow_files(ROOT, sorted({w.__module__ for w in WORKFLOWS}))
    assert {"workflows/blue_ticket.py", "workflows/patches.py", "domain/models.py"} <= set(files)
    assert not [f for f in files if f.startswith(("store/", "activities/", "integrations/", "http_api/"))]


def _git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV, "GIT_CEILING_DIRECTORIES": str(root.parent)}
    return subprocess.run(
        ["git", "-C", str(root), *args], capture_output=True, text=True, check=True, env=env
    ).stdout


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A throw-away repository holding today's workflows and one fixture recorded with them."""
    root = tmp_path / "city"
    shutil.copytree(ROOT / "workflows", root / "workflows", ignore=shutil.ignore_patterns("__pycache__"))
    (root / HISTORIES).mkdir(parents=True)
    shutil.copy(FIXTURE, root / HISTORIES / "v1.json")
    _git(root.parent, "init", "-q", "-b", "main", str(root))
    commit(root, "v1 and its fixture")
    return root


def commit(root: Path, message: str) -> str:
    _git(root, "add", "-A")
    _git(root, "commit", "-q", "-m", message)
    return _git(root, "rev-parse", "HEAD").strip()


def edit(root: Path, path: str, change: Callable[[str], str]) -> None:
    file = root / path
    file.write_text(change(file.read_text()))


def add_patch_id(text: str) -> str:
    return text + 'CITIZEN_NOTE: Final = "citizen-note-v1"  # a new branch for new tickets\n'


def test_an_unpatched_workflow_change_is_caught_until_a_fixture_records_it(repo: Path) -> None:
    files = ["workflows"]
    assert uncovered_changes(repo, files) == []

    edit(repo, "workflows/blue_ticket.py", lambda t: t.replace(RUN_LINE, NON_DETERMINISTIC))
    assert [u.commit for u in uncovered_changes(repo, files)] == [WORKING_TREE]
    unpatched = commit(repo, "a timer first")
    assert [u.commit for u in uncovered_changes(repo, files)] == [unpatched]

    edit(repo, PATCHES, add_patch_id)
    edit(repo, "workflows/ticket_base.py", lambda t: t + "\n# the patched branch\n")
    commit(repo, "a patched change")
    assert [u.commit for u in uncovered_changes(repo, files)] == [unpatched], "a patch covers its own commit"

    edit(repo, "workflows/ticket_base.py", lambda t: t + "# a comment is a change too\n")
    assert [u.commit for u in uncovered_changes(repo, files)] == [WORKING_TREE, unpatched]
    shutil.copy(FIXTURE, repo / HISTORIES / "v2.json")
    assert [u.commit for u in uncovered_changes(repo, files)] == [unpatched], "a fixture being recorded"
    commit(repo, "v2 recorded")
    assert uncovered_changes(repo, files) == []


def test_a_commit_that_says_why_it_is_replay_safe_passes(repo: Path) -> None:
    edit(repo, "workflows/ticket_state.py", lambda t: t + "\n# wording\n")
    commit(repo, "A clearer comment\n\nReplay-safe: a comment, no command changes")
    edit(repo, "workflows/ticket_state.py", lambda t: t + "# more\n")
    silent = commit(repo, "Another comment\n\nReplay-safe:")
    assert [u.commit for u in uncovered_changes(repo, ["workflows"])] == [silent], "a reason is required"


def test_a_branch_merged_after_the_fixture_is_not_covered_by_it(repo: Path) -> None:
    _git(repo, "checkout", "-q", "-b", "feature")
    edit(repo, "workflows/ticket_state.py", lambda t: t + "\n# feature\n")
    feature = commit(repo, "feature touches the workflow")
    _git(repo, "checkout", "-q", "main")
    shutil.copy(FIXTURE, repo / HISTORIES / "v2.json")
    commit(repo, "v2 recorded without the feature")
    _git(repo, "merge", "-q", "--no-edit", "feature")
    assert [u.commit for u in uncovered_changes(repo, ["workflows"])] == [feature]


def test_no_history_no_verdict(repo: Path, tmp_path: Path) -> None:
    shallow = tmp_path / "shallow"
    _git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(shallow))
    with pytest.raises(HistoryUnavailable, match="shallow"):
        uncovered_changes(shallow, ["workflows"])
    exported = tmp_path / "exported"
    shutil.copytree(repo / "workflows", exported / "workflows")
    with pytest.raises(HistoryUnavailable, match="not a git checkout"):
        uncovered_changes(exported, ["workflows"])


REPLAY = """
import asyncio, sys
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer
from core.temporal_client import data_converter
from tests.keys import session_keyring
import workflows.blue_ticket
from worker import SANDBOX, WORKFLOWS
assert workflows.blue_ticket.__file__.startswith(sys.argv[1]), workflows.blue_ticket.__file__
history = WorkflowHistory.from_json("fixture", open(sys.argv[2]).read())
replayer = Replayer(workflows=WORKFLOWS, data_converter=data_converter(session_keyring()),
                    workflow_runner=SANDBOX)
result = asyncio.run(replayer.replay_workflow(history, raise_on_replay_failure=False))
print("REPLAY", "ok" if result.replay_failure is None else repr(result.replay_failure))
"""


def replay_with_a_copy(tmp_path: Path, change: Callable[[str], str]) -> str:
    """Replays the v4 fixture against a copy of `workflows/` with `change` made to blue_ticket.py."""
    copy = tmp_path / "copy"
    shutil.copytree(ROOT / "workflows", copy / "workflows", ignore=shutil.ignore_patterns("__pycache__"))
    edit(copy, "workflows/blue_ticket.py", change)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(copy), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", REPLAY, str(copy), str(FIXTURE)],
        cwd=copy,  # `-c` puts the working directory first on sys.path: the copy's workflows win
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    )
    return done.stdout.strip().splitlines()[-1]


def test_a_non_deterministic_change_fails_the_replay(tmp_path: Path) -> None:
    assert replay_with_a_copy(tmp_path / "same", lambda t: t) == "REPLAY ok"
    changed = replay_with_a_copy(tmp_path / "timer", lambda t: t.replace(RUN_LINE, NON_DETERMINISTIC))
    assert changed.startswith("REPLAY") and "Nondeterminism" in changed, changed
