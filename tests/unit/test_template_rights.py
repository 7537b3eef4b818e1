"""Templates decide no permission: what a viewer may see or do comes as flags from the handler
(`rights`, from tasks.permissions; a task's `actions`, from tasks.authority). A template that
compares the viewer's role is a second rule that can drift from tasks/."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_DIRS = (ROOT / "web" / "templates", ROOT / "notify" / "templates")
# The viewer's role, or any role's `.value`, read in a template: only its label may be shown.
ROLE_READ = re.compile(r"viewer(\.actor)?\.role\b|\brole\.value\b|\bRole\.")
LABEL_ONLY = re.compile(r"role_label\(viewer(\.actor)?\.role\)")


def role_decisions(path: Path) -> list[str]:
    found = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if ROLE_READ.search(LABEL_ONLY.sub("", line)):
            found.append(f"{path.relative_to(path.parents[2])}:{n}: {line.strip()[:100]}")
    return found


def test_no_template_decides_by_the_viewers_role():
    found = [f for d in TEMPLATE_DIRS for path in sorted(d.rglob("*.html")) for f in role_decisions(path)]
    assert not found, "templates deciding by role (pass a flag from tasks.permissions instead):\n" + "\n".join(found)


def test_the_scan_finds_a_role_comparison_when_there_is_one(tmp_path):
    sample = tmp_path / "web" / "templates" / "sample.html"
    sample.parent.mkdir(parents=True)
    sample.write_text("{{ role_label(viewer.role) }}\n{% if viewer.role.value in ('office', 'admin') %}\n"
                      "{% set r = viewer.role %}\n{% if values.role == r %}\n{% if viewer.actor.role == Role.ADMIN %}\n", encoding="utf-8")
    assert [f.split(":")[1] for f in role_decisions(sample)] == ["2", "3", "5"]
