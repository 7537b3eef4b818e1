"""A small Sở Công Thương to act in: divisions, one user per role, and signed-in API clients."""

from __future__ import annotations

from dataclasses import dataclass, field

import httpx
import pytest

from escalation_support import Sink, SinkController
from tasks import accounts
from tasks.clock import FixedClock
from tasks.permissions import Actor, Role
from web.auth import issue_token

PASSWORD = "mat-khau-thu-nghiem"
DIVISIONS = [
    ("VP", "Văn phòng Sở", "vp@sct.example.vn"),
    ("QLNL", "Phòng Quản lý năng lượng", "qlnl@sct.example.vn"),
    ("QLTM", "Phòng Quản lý thương mại", "qltm@sct.example.vn"),
    ("KHTC", "Phòng Kế hoạch - Tài chính", "khtc@sct.example.vn"),
]
USERS = [
    ("quantri", "Quản trị hệ thống", "admin", None),
    ("vanphong", "Nguyễn Thị Văn Phòng", "office", "VP"),
    ("truong.qlnl", "Trần Văn Năng", "head", "QLNL"),
    ("truong.qltm", "Lê Thị Thương", "head", "QLTM"),
    ("pgd.hai", "Phạm Văn Hải", "leader", None),
    ("giamdoc", "Hoàng Minh Đức", "leader", None),
]


@dataclass
class World:
    client: httpx.AsyncClient
    clock: FixedClock
    secret_key: str
    user_ids: dict[str, int] = field(default_factory=dict)

    def auth(self, username: str) -> dict[str, str]:
        # Minted as of the test clock, so a test that jumps weeks ahead still holds a live token.
        actor = Actor(id=self.user_ids[username], username=username, role=Role.OFFICE)
        return {"Authorization": f"Bearer {issue_token(actor, self.clock.now(), self.secret_key, 12)}"}

    async def post(self, username: str, url: str, json=None, **kw) -> httpx.Response:
        return await self.client.post(url, json=json, headers=self.auth(username), **kw)

    async def get(self, username: str, url: str, **kw) -> httpx.Response:
        return await self.client.get(url, headers=self.auth(username), **kw)

    async def patch(self, username: str, url: str, json=None) -> httpx.Response:
        return await self.client.patch(url, json=json, headers=self.auth(username))

    async def directive_with_tasks(self, number: str, tasks: list[dict], **fields) -> dict:
        body = {
            "number": number, "issuer": "UBND tỉnh", "signer": "Chủ tịch UBND tỉnh", "issued_on": "2026-02-25",
            "received_on": "2026-02-26", "kind": "document", "summary": "Về việc bảo đảm cung ứng điện mùa khô 2026",
            **fields, "tasks": tasks,
        }
        response = await self.post("vanphong", "/api/v1/directives", body)
        assert response.status_code == 201, response.text
        return response.json()


@pytest.fixture
async def world(db, client, clock, settings) -> World:
    """Set up through the API itself: the admin (made by the command line's path) adds the rest."""
    username, full_name, role, division = USERS[0]
    admin = await accounts.create_user(db, None, clock.now(), username=username, full_name=full_name,
                                     email=f"{username}@sct.example.vn", role=role, division_code=division, password=PASSWORD)
    w = World(client, clock, settings.secret_key, {"quantri": admin["id"]})
    for code, name, email in DIVISIONS:
        r = await w.post("quantri", "/api/v1/divisions", {"code": code, "name": name, "email": email})
        assert r.status_code == 201, r.text
    for username, full_name, role, division in USERS[1:]:
        r = await w.post("quantri", "/api/v1/users", {"username": username, "full_name": full_name, "email": f"{username}@sct.example.vn",
                                                        "role": role, "division": division, "password": PASSWORD})
        assert r.status_code == 201, r.text
        w.user_ids[username] = r.json()["id"]
    # The admin names the Giám đốc as director (else the first leader created, pgd.hai, stands in).
    ladder = (await w.get("quantri", "/api/v1/settings/escalation")).json()
    ladder.pop("effective_director")
    r = await client.put("/api/v1/settings/escalation", json={**ladder, "director": "giamdoc"}, headers=w.auth("quantri"))
    assert r.status_code == 200, r.text
    return w


@pytest.fixture
def sink():
    """A real SMTP server on 127.0.0.1 that keeps what it receives."""
    handler = Sink()
    controller = SinkController(handler, hostname="127.0.0.1", port=0)
    controller.start()
    handler.url = f"smtp://127.0.0.1:{controller.port}"
    yield handler
    controller.stop()
