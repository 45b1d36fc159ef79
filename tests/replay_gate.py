"""The replay gate's second half, read from git: a change of workflow code needs a fixture or a patch.

Replaying `tests/histories/` (tests/test_replay.py) proves today's code still accepts the versions we
*recorded*; it cannot see a version nobody recorded. So every commit that changed a file the
workflows import must be either recorded (an ancestor of a commit that added a fixture: the fixture
was recorded with that code, and replays against today's) or introduce a new `workflow.patched` id in
`workflows/patches.py` (its old branch stays for the running tickets), or say in a `Replay-safe:
<why>` trailer of its message that it changes no command (a message text, a comment): visible in
review and in `git log`, and the fixtures still replay against it. Merge commits are not checked: a
conflict resolved inside workflow code needs a fixture recorded after the merge.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

HISTORIES = "tests/histories"
PATCHES = "workflows/patches.py"
WORKING_TREE = "working tree"
TRAILER = "Replay-safe"


class HistoryUnavailable(Exception):
    """Not a git checkout of the project, or a shallow one: the rule cannot be read from here."""


class _GitFailed(Exception):
    pass


@dataclass(frozen=True)
class Uncovered:
    """A change of workflow code that no fixture recorded and no new patch id guards."""

    commit: str
    subject: str

    def __str__(self) -> str:
        name = self.commit if self.commit == WORKING_TREE else self.commit[:10]
        return f"{name} ({self.subject})"


def _git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise _GitFailed(done.stderr.strip())
    return done.stdout


def check_history(root: Path) -> None:
    """Raises unless `root` is the top of a full (not shallow) git checkout."""
    try:
        top = _git(root, "rev-parse", "--show-toplevel").strip()
        shallow = _git(root, "rev-parse", "--is-shallow-repository").strip()
    except (_GitFailed, FileNotFoundError) as err:
        raise HistoryUnavailable(f"not a git checkout: {err}") from err
    if Path(top).resolve() != root.resolve():
        raise HistoryUnavailable(f"{root} is inside another repository ({top})")
    if shallow == "true":
        raise HistoryUnavailable("a shallow clone: run `git fetch --unshallow` (.ci/run does)")


def workflow_files(root: Path, modules: list[str]) -> list[str]:
    """The project files the workflow modules import, in a fresh interpreter (the test session has
    imported everything else): exactly the code a replay runs."""
    code = (
        "import importlib, pathlib, sys\n"
        "root = pathlib.Path.cwd().resolve()\n"
        "for name in sys.argv[1:]: importlib.import_module(name)\n"
        "for module in list(sys.modules.values()):\n"
        "    path = getattr(module, '__file__', None)\n"
        "    if path and pathlib.Path(path).resolve().is_relative_to(root):\n"
        "        print(pathlib.Path(path).resolve().relative_to(root).as_posix())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, *modules], cwd=root, capture_output=True, text=True, check=True
    ).stdout
    return sorted(set(out.split()))


def patch_ids(source: str) -> frozenset[str]:
    """The string constants `workflows/patches.py` assigns: its patch ids."""
    return frozenset(
        node.value.value
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Assign | ast.AnnAssign)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _patch_ids_at(root: Path, commit: str) -> frozenset[str]:
    try:
        return patch_ids(_git(root, "show", f"{commit}:{PATCHES}"))
    except _GitFailed:  # no such file (or no parent) there: no ids yet
        return frozenset()


def fixture_commits(root: Path, head: str = "HEAD") -> list[str]:
    """For each fixture reachable from `head`, the commit that added it (where it was recorded)."""
    paths = _git(root, "ls-tree", "--name-only", f"{head}:{HISTORIES}").split()
    added = (
        _git(root, "log", "--diff-filter=A", "--format=%H", "-1", head, "--", f"{HISTORIES}/{p}").strip()
        for p in paths
        if p.endswith(".json")
    )
    return [commit for commit in added if commit]


def uncovered_changes(root: Path, files: list[str], head: str = "HEAD") -> list[Uncovered]:
    """Every commit up to `head` (and, for HEAD, the working tree) that changed `files` while no
    fixture recorded it and no new patch id came with it."""
    check_history(root)
    recorded = [f"^{commit}" for commit in fixture_commits(root, head)]
    commits = _git(root, "rev-list", "--no-merges", head, *recorded, "--", *files).split()
    uncovered = [
        Uncovered(commit, _git(root, "log", "-1", "--format=%s", commit).strip())
        for commit in commits
        if not _patch_ids_at(root, commit) - _patch_ids_at(root, f"{commit}^")
        and not _declared_safe(root, commit)
    ]
    if head == "HEAD" and _working_tree_uncovered(root, files):
        uncovered.insert(0, Uncovered(WORKING_TREE, "uncommitted changes"))
    return uncovered


def _declared_safe(root: Path, commit: str) -> bool:
    reason = _git(root, "log", "-1", f"--format=%(trailers:key={TRAILER},valueonly)", commit)
    return bool(reason.strip())


def _working_tree_uncovered(root: Path, files: list[str]) -> bool:
    changed = _git(root, "status", "--porcelain", "--", *files).strip()
    if not changed:
        return False
    fixture_now = _git(root, "status", "--porcelain", "--untracked-files=all", "--", HISTORIES)
    if any(line.endswith(".json") for line in fixture_now.splitlines()):
        return False  # a fixture being recorded with these changes
    patches = root / PATCHES
    current = patch_ids(patches.read_text()) if patches.exists() else frozenset()
    return not current - _patch_ids_at(root, "HEAD")
