"""The README's Layout section is the map a newcomer reads first: every module it names exists, and
every package of the tree appears in it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def layout() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme[readme.index("## Layout"):readme.index("\n## ", readme.index("## Layout") + 1)]


def test_every_module_the_layout_names_exists():
    named = set(re.findall(r"`((?:tasks|notify|web|tests|bench)/[\w/.]+\.py)`", layout()))
    assert named, "the Layout section names no module"
    assert sorted(p for p in named if not (ROOT / p).is_file()) == []


def test_every_package_of_the_tree_is_in_the_layout():
    text = layout()
    packages = [p.parent for top in ("tasks", "notify", "web") for p in (ROOT / top).rglob("__init__.py")]
    missing = [str(p.relative_to(ROOT)) for p in packages
               if not re.search(rf"(^|\s){re.escape(p.name)}/", text) or not re.search(rf"(^|\s){re.escape(p.relative_to(ROOT).parts[0])}/", text)]
    assert missing == []
