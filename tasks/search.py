"""Search that reads Vietnamese: one rule, `fold`, for the text that is searched, for what people
type into the search box, and for the names the Excel import matches (tasks.importer).

What matches: `fold` makes text Unicode-normalisation-, case- and accent-insensitive and collapses
its whitespace — "Tết" typed precomposed (NFC) or with combining marks (NFD), "TẾT" and "tet" are
all "tet"; "đ"/"Đ" (and "ð"/"Ð", which old converted text holds for it) are "d"; compatibility
forms (full-width letters, ligatures) are their plain letters. A query is folded and split into
words at whitespace (sentence punctuation at a word's edges dropped); a task or directive matches
when every word occurs in its search text, anywhere and in any order, as a substring ("dien" finds
"điện" and "Điện lực"; "1234" also finds "12345/QĐ-UBND"). "%" and "_" are plain characters.

The searchable text is kept folded in a column `search`, written by the services that write the
texts it is made of (tasks.register.insert_directives and insert_tasks, which the import goes
through too; tasks.lifecycle.correct; `reindex_directive` after a directive's fields change):
- a directive's: its number, issuer and summary (`directive_text`);
- a task's: its title and description, then its directive's search text (`task_text`), so the task
  search finds a task by its directive's number, issuer or summary.
A query's words become `search LIKE '%word%'` (escaped); on PostgreSQL a pg_trgm GIN index on
each column answers them (migration 2026-12-03T01:10). Changing `fold` changes what is stored: it
needs a migration that rewrites both columns (as 2026-12-03T01:00 fills them)."""

from __future__ import annotations

import unicodedata
from typing import Any, Iterable

from piccolo.columns.combination import WhereRaw
from piccolo.table import Table

from tasks.tables import Directive, Task

# Dropped at either edge of a query's word, so "toàn," or "(Tết)" still match; not % _ / - which
# belong in numbers like "1234/UBND-KT".
_EDGE_PUNCTUATION = ".,;:!?\"'()[]{}«»“”‘’…"
# Letters without a decomposition that stand for "d" (after case folding).
_LETTERS = str.maketrans({"đ": "d", "ð": "d"})
BATCH = 500


def _fold_char(char: str) -> str:
    """The rule for one character: its compatibility decomposition, case-folded (and decomposed
    again, as folding can compose), without its combining marks, đ/ð as d."""
    s = unicodedata.normalize("NFKD", unicodedata.normalize("NFKD", char).casefold())
    return "".join(c for c in s if not unicodedata.category(c).startswith("M")).translate(_LETTERS)


class _Folded(dict):
    """_fold_char by code point, for str.translate, computed at first sight and kept below U+3000
    (the Latin, Greek and Cyrillic scripts, the marks, punctuation…), so whatever anyone types
    cannot grow it past 12,288 entries."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        if code < 0x3000:
            self[code] = folded
        return folded


_CHARS = _Folded()


def _fold(text: str) -> str:
    # Each character on its own gives what the whole text would: decomposition, case folding and
    # dropping marks act per character (the marks' reordering by NFKD does not matter once they
    # are dropped). str.translate makes it about 5× faster than normalising the whole text and
    # looping over its characters in Python (backfilling 100,000 tasks: 22 s of folding → 2 s).
    return " ".join(text.translate(_CHARS).split())


def fold(text: Any) -> str:
    """The searchable form of `text`: 'Phòng  Quản lý NĂNG LƯỢNG' → 'phong quan ly nang luong'.
    None is ""; anything else (a number read from a cell) is folded as its str()."""
    return "" if text is None else _fold(str(text))


def _join(*parts: Any) -> str:
    return " ".join(p for p in map(fold, parts) if p)


def directive_text(number: Any, issuer: Any, summary: Any) -> str:
    """A directive's search text: its number, issuer and summary, folded."""
    return _join(number, issuer, summary)


def task_text(title: Any, description: Any, directive_search: str) -> str:
    """A task's search text: its title and description, folded, then its directive's search text
    (`directive_text`, already folded)."""
    return " ".join(p for p in (_join(title, description), directive_search) if p)


def words(query: Any) -> list[str]:
    """The words a query asks for: folded, split at whitespace, each once; a word inside another
    word of the query is left out (it matches wherever that one does: "an toan" asks for "toan")."""
    found = [w.strip(_EDGE_PUNCTUATION) for w in fold(query).split(" ")]
    unique = list(dict.fromkeys(w for w in found if w))
    return [w for w in unique if not any(w != other and w in other for other in unique)]


def like_pattern(word: str) -> str:
    """`word` anywhere, for `LIKE … ESCAPE '\\'`: its \\, % and _ match only themselves."""
    return "%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def matching(column: str, query: Any) -> tuple[list[str], list[str]]:
    """SQL clauses (each with one `{}` placeholder, Piccolo's) and their arguments: every word of
    `query` occurs in `column`, a search column. No words (an empty query), no clauses."""
    patterns = [like_pattern(w) for w in words(query)]
    return [f"{column} LIKE {{}} ESCAPE '\\'" for _ in patterns], patterns


def where_matching(column: str, query: Any) -> WhereRaw | None:
    """`matching` as one Piccolo where clause, or None when the query has no words."""
    clauses, args = matching(column, query)
    return WhereRaw(" AND ".join(clauses), *args) if clauses else None


async def directive_search_texts(directive_ids: Iterable[int]) -> dict[int, str]:
    """The stored search text of each directive, by id."""
    ids = sorted({int(i) for i in directive_ids})
    texts: dict[int, str] = {}
    for i in range(0, len(ids), BATCH):
        chunk = ", ".join(map(str, ids[i:i + BATCH]))
        texts.update((r["id"], r["search"]) for r in await Directive.raw(f"SELECT id, search FROM directive WHERE id IN ({chunk})").run())
    return texts


async def task_search(row: dict) -> str:
    """The search text of a task row (`title`, `description`, `directive`) as it is about to be
    written, with its directive's stored search text."""
    return task_text(row["title"], row["description"], (await directive_search_texts([row["directive"]])).get(row["directive"], ""))


async def write_search(table: type[Table], texts: dict[int, str]) -> None:
    """Set the search text of each row of `table` (Task or Directive; id → text), a batch of rows a statement."""
    items = sorted(texts.items())
    for i in range(0, len(items), BATCH):
        chunk = items[i:i + BATCH]
        cases = " ".join(f"WHEN {int(row_id)} THEN {{}}" for row_id, _ in chunk)
        ids = ", ".join(str(int(row_id)) for row_id, _ in chunk)
        name = table._meta.tablename
        await table.raw(f"UPDATE {name} SET search = CASE id {cases} END WHERE id IN ({ids})", *(text for _, text in chunk)).run()


async def reindex_directive(directive_id: int) -> None:
    """Rewrite the search text of the directive and of all its tasks from what they hold now, inside
    the caller's transaction: call it after changing a directive's number, issuer or summary (its
    tasks' search text carries them). Nothing happens for a directive that does not exist."""
    row = await Directive.select(Directive.number, Directive.issuer, Directive.summary).where(Directive.id == directive_id).first().run()
    if row is None:
        return
    text = directive_text(row["number"], row["issuer"], row["summary"])
    await Directive.update({Directive.search: text}).where(Directive.id == directive_id).run()
    tasks = await Task.select(Task.id, Task.title, Task.description).where(Task.directive == directive_id).run()
    await write_search(Task, {t["id"]: task_text(t["title"], t["description"], text) for t in tasks})
