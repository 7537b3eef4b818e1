"""The domain stands alone: tasks/ imports neither web/ nor notify/, and never reads the wall clock."""

import ast
from pathlib import Path

TASKS = Path(__file__).resolve().parents[2] / "tasks"
WALL_CLOCK_CALLS = {("datetime", "now"), ("datetime", "utcnow"), ("date", "today"), ("datetime", "today"), ("time", "time")}


def modules():
    files = sorted(TASKS.rglob("*.py"))
    assert len(files) > 5
    return [(f, ast.parse(f.read_text(encoding="utf-8"))) for f in files]


def test_the_domain_imports_nothing_from_web_or_notify():
    offenders = []
    for path, tree in modules():
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] in ("web", "notify")]
    assert offenders == []


def test_no_domain_module_reads_the_wall_clock():
    offenders = []
    for path, tree in modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
                owner = node.func.value
                owner_name = owner.id if isinstance(owner, ast.Name) else owner.attr if isinstance(owner, ast.Attribute) else None
                if (owner_name, node.func.attr) in WALL_CLOCK_CALLS:
                    offenders.append(f"{path.name}:{node.lineno} {owner_name}.{node.func.attr}()")
    assert offenders == []
