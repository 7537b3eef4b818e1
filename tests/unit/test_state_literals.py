"""One state machine: no task state is spelled outside tasks/state.py (and the SQL it builds).
Python code names states as `TaskState.X` or a group of tasks.state; templates read them from
the `TaskState` global. A literal elsewhere is a rule that can drift from the transition table."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

from tasks.state import TaskState

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("tasks", "notify", "web")
STATE_NAMES = {s.value for s in TaskState}
OPT_OUT = "# not a task state"
# A quoted state in a template expression or in SQL text inside a Python string: 'done', "paused", ('open', …
QUOTED = re.compile(r"""(?<![\w-])['"](%s)['"]""" % "|".join(sorted(STATE_NAMES)))


def python_literals(path: Path, root: Path = ROOT) -> list[str]:
    found = []
    tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
    for token in tokens:
        # A word that only looks like a state (an API field, say) is marked so on its line.
        if token.type != tokenize.STRING or OPT_OUT in token.line:
            continue
        body = token.string
        value = body.lstrip("rbuRBUfF")
        quote = value[:3] if value[:3] in ('"""', "'''") else value[:1]
        inner = value[len(quote):-len(quote)]
        if inner in STATE_NAMES or QUOTED.search(inner):
            found.append(f"{path.relative_to(root)}:{token.start[0]}: {body[:60]}")
    return found


def template_literals(path: Path) -> list[str]:
    return [f"{path.relative_to(ROOT)}:{n}: {line.strip()[:80]}"
            for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if QUOTED.search(line)]


def test_no_task_state_is_spelled_outside_the_state_machine():
    found: list[str] = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if path == ROOT / "tasks" / "state.py":
                continue
            found += python_literals(path)
        for path in sorted((ROOT / package).rglob("*.html")):
            found += template_literals(path)
    assert not found, "task states spelled outside tasks/state.py:\n" + "\n".join(found)


def test_the_scan_finds_a_literal_when_there_is_one(tmp_path):
    # The test above can fail: the same scan flags each way a state is written by hand.
    sample = tmp_path / "sample.py"
    sample.write_text('x = "done"\nsql = "WHERE t.state IN (\'open\', \'in_progress\')"\nok = "done_late"\n', encoding="utf-8")
    found = python_literals(sample, tmp_path)
    assert [f.split(":")[1] for f in found] == ["1", "2"]
