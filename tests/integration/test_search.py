"""Search that reads Vietnamese, on both engines, through the API and the pages: the same query
typed precomposed or with combining marks, in upper case, without accents, with "d" for "đ" (and
the other way round), by the directive's number, or with its words in another order, finds the same
tasks (and directives)."""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import urlencode

import pytest

from tests.integration.test_pages import Browser

API = "/api/v1"


def nfd(text: str) -> str:
    return unicodedata.normalize("NFD", text)


# Each task: (key, directive key, title, description). The texts are chosen so that a query matches
# exactly the tasks named for it below (no accidental substrings).
DIRECTIVES = {
    "D1": {"number": "1234/UBND-KT", "issuer": "UBND tỉnh", "summary": "Về việc bảo đảm cung ứng điện mùa khô 2026"},
    "D2": {"number": "88/TB-VP", "issuer": "Tỉnh ủy", "summary": "Kết luận giao ban tháng 1"},
}
TASKS = [
    ("T1", "D1", "Kiểm tra an toàn thực phẩm dịp Tết Nguyên đán", ""),
    ("T2", "D1", "Rà soát phương án cung ứng điện", ""),
    ("T3", "D2", "Đôn đốc kiểm tra thị trường trước Tết", "Phối hợp Đội quản lý thị trường"),
    ("T4", "D2", "Báo cáo tình hình tiêu thụ điện", "Số liệu điện năng quý IV"),
    ("T5", "D2", "Tổng hợp ý kiến về an toàn hóa chất", "Kiểm tra an toàn thực phẩm tại chợ"),
    ("T6", "D2", "Xây dựng kế hoạch xúc tiến thương mại", ""),
    # Typed without accents, as people sometimes do: found by "điện" too.
    ("T7", "D2", "Lam viec voi Dien luc tinh ve gia dien", ""),
]
TET, SAFE_FOOD, POWER = {"T1", "T3"}, {"T1", "T5"}, {"T1", "T2", "T4", "T7"}  # T1: its directive's summary says "điện"

# The twelve queries and the exact tasks each finds.
QUERIES = [
    ("Tết", TET),                                   # precomposed (NFC), as most keyboards send it
    (nfd("Tết"), TET),                              # combining marks (NFD), as some Vietnamese input methods send it
    ("TẾT", TET),                                   # upper case
    ("tet", TET),                                   # no accents
    ("an toàn thực phẩm", SAFE_FOOD),
    ("an toan thuc pham", SAFE_FOOD),               # no accents, four words
    ("thực phẩm an toàn", SAFE_FOOD),               # words out of order
    ("điện", POWER),                                # T7 is typed "Dien" without accents
    ("đien", POWER),                                # đ without the tone mark
    ("dien", POWER),                                # d for đ
    ("1234", {"T1", "T2"}),                         # the directive's number finds its tasks
    ("tết 1234", {"T1"}),                           # a word of the title and the directive's number
]

DIRECTIVE_QUERIES = [
    ("1234", {"D1"}),
    ("ĐIỆN", {"D1"}),
    ("dien mua kho", {"D1"}),
    (nfd("Tỉnh ủy"), {"D2"}),
    ("TINH UY", {"D2"}),
    ("ban giao ket luan", {"D2"}),                  # words out of order
    ("100%", set()),                                # % and _ are characters, not wildcards
    ("88_tb", set()),
]


@pytest.fixture
async def register(world):
    """The directives and tasks above, recorded through the API; their ids by key."""
    ids: dict[str, int] = {}
    for key, fields in DIRECTIVES.items():
        tasks = [{"title": title, "description": description, "lead_division": "QLNL", "due_on": "2026-03-20"}
                 for _, directive, title, description in TASKS if directive == key]
        recorded = await world.directive_with_tasks(fields["number"], tasks, issuer=fields["issuer"], summary=fields["summary"])
        ids[key] = recorded["id"]
        ids.update(zip([k for k, directive, _, _ in TASKS if directive == key], [t["id"] for t in recorded["tasks"]]))
    return ids


def keys(ids: dict[str, int], found: set[int]) -> set[str]:
    by_id = {v: k for k, v in ids.items() if k.startswith("T")}
    return {by_id.get(i, f"unknown task {i}") for i in found}


@pytest.mark.parametrize("query, expected", QUERIES, ids=[f"{i + 1}:{q!a}" for i, (q, _) in enumerate(QUERIES)])
async def test_the_task_search_of_the_api_reads_vietnamese(world, register, query, expected):
    r = await world.get("vanphong", f"{API}/tasks", params={"q": query, "limit": 500})
    assert r.status_code == 200, r.text
    body = r.json()
    assert keys(register, {t["id"] for t in body["items"]}) == expected
    assert body["total"] == len(expected)


async def test_the_task_list_page_finds_the_same_tasks_for_the_same_twelve_queries(world, app, register):
    browser = Browser(app)
    try:
        assert (await browser.sign_in("vanphong")).status_code == 303
        for query, expected in QUERIES:
            page = await browser.get("/tasks?" + urlencode({"q": query}))
            assert page.status_code == 200
            assert keys(register, {int(i) for i in re.findall(r'href="/tasks/(\d+)"', page.text)}) == expected, query
    finally:
        await browser.close()


async def test_the_search_combines_with_the_other_filters(world, register):
    r = await world.get("vanphong", f"{API}/tasks", params={"q": "dien", "directive": register["D2"]})
    assert keys(register, {t["id"] for t in r.json()["items"]}) == {"T4", "T7"} and r.json()["total"] == 2


async def test_the_register_search_reads_vietnamese_in_the_api_and_on_the_page(world, app, register):
    browser = Browser(app)
    try:
        assert (await browser.sign_in("vanphong")).status_code == 303
        for query, expected in DIRECTIVE_QUERIES:
            wanted = {register[k] for k in expected}
            r = await world.get("vanphong", f"{API}/directives", params={"q": query})
            assert r.status_code == 200, r.text
            assert {d["id"] for d in r.json()["items"]} == wanted and r.json()["total"] == len(wanted), query
            page = await browser.get("/directives?" + urlencode({"q": query}))
            assert {int(i) for i in re.findall(r'href="/directives/(\d+)"', page.text)} == wanted, query
    finally:
        await browser.close()


async def test_percent_and_underscore_in_a_task_query_are_plain_characters(world, register):
    for query in ("%", "_", "an%toan", "dien_"):
        r = await world.get("vanphong", f"{API}/tasks", params={"q": query})
        assert r.status_code == 200 and r.json()["items"] == [], query


async def found(world, query: str) -> set[int]:
    r = await world.get("vanphong", f"{API}/tasks", params={"q": query, "limit": 500})
    assert r.status_code == 200, r.text
    return {t["id"] for t in r.json()["items"]}


async def test_a_corrected_title_or_description_is_found_by_its_new_words_and_no_longer_by_the_old(world, register):
    t6 = register["T6"]
    r = await world.patch("vanphong", f"{API}/tasks/{t6}", {"reason": "Nhập sai tên", "title": "Xúc tiến tiêu thụ vải thiều"})
    assert r.status_code == 200, r.text
    assert t6 in await found(world, "VAI THIEU") and t6 not in await found(world, "kế hoạch")
    assert t6 in await found(world, "88/tb-vp thieu")  # still with its directive's number
    r = await world.patch("vanphong", f"{API}/tasks/{t6}", {"reason": "Bổ sung", "description": "Phối hợp Sở Nông nghiệp"})
    assert r.status_code == 200, r.text
    assert await found(world, "so nong nghiep") == {t6}
    # The correction is audited without the derived search text.
    history = (await world.get("vanphong", f"{API}/tasks/{t6}/history")).json()
    assert all("search" not in (e["after"] or {}) and "search" not in (e["before"] or {}) for e in history)
    assert "search" not in (await world.get("vanphong", f"{API}/directives/{register['D2']}")).json()


async def test_reindex_directive_rewrites_the_search_text_of_the_directive_and_of_its_tasks(world, db, register):
    from tasks.search import reindex_directive
    from tasks.tables import Directive

    async with db.transaction():
        await Directive.update({Directive.number: "5678/UBND-KT", Directive.summary: "Về việc phòng chống hạn hán"}).where(
            Directive.id == register["D1"]).run()
        await reindex_directive(register["D1"])
    assert await found(world, "5678") == {register["T1"], register["T2"]} and await found(world, "1234") == set()
    assert await found(world, "phòng chống hạn hán") == {register["T1"], register["T2"]}
    assert register["T1"] in await found(world, "tết") and register["T2"] not in await found(world, "điện mùa khô")
    r = await world.get("vanphong", f"{API}/directives", params={"q": "5678 HẠN"})
    assert [d["id"] for d in r.json()["items"]] == [register["D1"]]


async def test_imported_tasks_are_found_like_typed_ones_and_names_match_in_any_normalisation(world, db, clock):
    from tasks import importer
    from tasks.calendar import build_calendar
    from tasks.permissions import Actor, Role
    from tests.integration.test_import import workbook

    office = Actor(id=world.user_ids["vanphong"], username="vanphong", role=Role.OFFICE)
    rows = [
        # The lead division's name typed with combining marks, the leader's in upper case and NFD.
        ["PHẠM VĂN HẢI", "05/01/2026", "PGV-4321", "Bảo đảm cung ứng điện Tết", "Kiểm tra kho xăng dầu",
         nfd("Phòng Quản lý năng lượng"), nfd("PHÒNG QUẢN LÝ THƯƠNG MẠI"), "20/03/2026"],
        [nfd("phạm văn hải"), "05/01/2026", "PGV-4321", "Bảo đảm cung ứng điện Tết", "Rà soát nguồn điện dự phòng",
         "phong  quan ly nang luong", "", "20/03/2026"],
    ]
    result = await importer.import_xlsx(db, office, clock.now(), build_calendar("Asia/Ho_Chi_Minh", []), workbook(rows))
    assert (result.imported, result.errors, len(result.new_tasks)) == (True, [], 2)
    listed = (await world.get("vanphong", f"{API}/tasks", params={"q": "4321"})).json()["items"]
    assert sorted((t["title"], t["lead_division"], t["support_divisions"], t["leader_in_charge"]) for t in listed) == [
        ("Kiểm tra kho xăng dầu", "QLNL", ["QLTM"], "pgd.hai"), ("Rà soát nguồn điện dự phòng", "QLNL", [], "pgd.hai")]
    assert len(await found(world, "XANG DAU tet")) == 1
    r = await world.get("vanphong", f"{API}/directives", params={"q": "pgv-4321 dien"})
    assert [d["number"] for d in r.json()["items"]] == ["PGV-4321"]


@pytest.mark.parametrize("walk", [True, False], ids=["deadline-index", "trigram-then-sort"])
async def test_found_tasks_come_in_the_lists_deadline_order_page_by_page(world, monkeypatch, walk):
    # Either way PostgreSQL may read a search's page (tasks.queries._walk_pays), the same order.
    from tasks import queries

    async def walk_pays(total, wanted):
        return walk

    monkeypatch.setattr(queries, "_walk_pays", walk_pays)
    due = ["2026-03-25", None, "2026-03-10", "2026-03-10", "2026-04-02"]
    recorded = await world.directive_with_tasks("77/KH-SCT", [
        {"title": f"Kiểm tra kho bãi số {i}", "lead_division": "QLNL", **({"due_on": d} if d else {})} for i, d in enumerate(due)])
    a, b, c, d, e = [t["id"] for t in recorded["tasks"]]
    for query, expected in (("kho bãi", [c, d, a, e, b]), ("KHO BAI số", [c, d, a, e, b])):
        r = await world.get("vanphong", f"{API}/tasks", params={"q": query})
        assert [t["id"] for t in r.json()["items"]] == expected, query
        pages = [(await world.get("vanphong", f"{API}/tasks", params={"q": query, "limit": 2, "offset": k})).json() for k in (0, 2, 4)]
        assert [t["id"] for p in pages for t in p["items"]] == expected and {p["total"] for p in pages} == {5}
