"""Which outbox rows go to which webhook (a user's hears what the user hears; a division's hears
what its heads hear, once), what an address and a secret must be, and how a body is signed."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import datetime, timezone

import pytest

from notify.webhook_transport import signature, webhook_body
from notify.webhooks import Hooks, check_secret, check_url, webhook_rows, with_webhooks
from tasks.errors import Invalid

TRUONG, PHO, THUONG, OFFICE = 11, 12, 21, 31  # heads of division 1 (two) and 2 (one); an office clerk
HOOKS = Hooks(by_user={PHO: [7]}, by_division={1: [5, 6]}, head_division={TRUONG: 1, PHO: 1, THUONG: 2})


def row(recipient: int, task: int | None = 100, rule: str = "remind_3", role: str = "to") -> dict:
    return {"kind": "task", "task": task, "rule": rule, "deadline_version": 1, "recipient": recipient, "role": role}


def test_a_users_webhook_gets_each_row_of_that_user():
    added = webhook_rows([row(PHO), row(PHO, task=101), row(OFFICE)], Hooks(by_user={PHO: [7]}))
    assert [(r["task"], r["recipient"], r["channel"], r["webhook"]) for r in added] == [(100, PHO, "webhook", 7), (101, PHO, "webhook", 7)]


def test_a_divisions_webhooks_get_one_row_per_thing_its_heads_hear_in_the_name_of_the_lowest_id_head():
    rows = [row(PHO), row(TRUONG), row(THUONG, role="cc"), row(OFFICE, role="cc"), row(PHO, rule="overdue_3", role="cc")]
    division = [(r["rule"], r["recipient"], r["role"], r["webhook"]) for r in webhook_rows(rows, HOOKS) if r["webhook"] != 7]
    assert division == [("remind_3", TRUONG, "to", 5), ("remind_3", TRUONG, "to", 6), ("overdue_3", PHO, "cc", 5), ("overdue_3", PHO, "cc", 6)]


def test_digest_rows_without_a_task_go_to_their_users_webhook_and_email_rows_say_their_channel():
    rows = with_webhooks([row(PHO, task=None, rule="weekly_digest") | {"payload": {"x": 1}}], HOOKS)
    assert [(r["channel"], r["webhook"], r["payload"]) for r in rows] == [
        ("email", None, {"x": 1}), ("webhook", 7, {"x": 1}), ("webhook", 5, {"x": 1}), ("webhook", 6, {"x": 1})]


def test_without_webhooks_nothing_is_added():
    assert webhook_rows([row(TRUONG), row(OFFICE)], Hooks()) == []


@pytest.mark.parametrize("url", ["https://bridge.example.vn/hook", "http://127.0.0.1:8080/zalo?chat=7", "https://[::1]/t"])
def test_an_http_address_with_a_host_is_taken_as_it_is(url):
    assert check_url(url) == url


@pytest.mark.parametrize("url", [
    "", "bridge.example.vn/hook", "ftp://bridge.example.vn/", "https://", "https:///path", "https://bridge.example.vn:0x50/",
    "https://a b.vn/", "https://bridge.example.vn/\nx", "https://u:p@bridge.example.vn/", "https://bridge.example.vn/#top",
    "https://bridge.example.vn/" + "a" * 475,
])
def test_an_address_that_cannot_work_is_refused_on_the_url_field(url):
    with pytest.raises(Invalid) as refused:
        check_url(url)
    assert list(refused.value.fields) == ["url"]


@pytest.mark.parametrize("secret", ["x" * 15, "x" * 201, "mười sáu ký tự\tnữa", ""])
def test_a_secret_is_16_to_200_characters_on_one_line(secret):
    with pytest.raises(Invalid):
        check_secret(secret)
    assert check_secret("x" * 16) and check_secret("bí mật " * 28)


def test_the_signature_is_hmac_sha256_of_the_exact_body_bytes():
    body = webhook_body({"username": "truong.qlnl", "full_name": "Trần Văn Năng"}, [{"task": 1, "title": "Điện"}],
                        datetime(2026, 3, 2, 2, 1, tzinfo=timezone.utc))
    assert json.loads(body) == {"recipient": {"username": "truong.qlnl", "name": "Trần Văn Năng"}, "items": [{"task": 1, "title": "Điện"}],
                                "sent_at": "2026-03-02T02:01:00+00:00"}
    assert "Trần".encode() in body  # UTF-8, not \\u escapes
    assert signature("s" * 16, body) == "sha256=" + hmac.new(b"s" * 16, body, hashlib.sha256).hexdigest()
    assert signature("s" * 16, body + b" ") != signature("s" * 16, body)
