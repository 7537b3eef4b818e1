"""The webhook transport: each delivery is one signed JSON POST to an endpoint the admin attached
(notify.webhooks), so a bridge to Zalo OA or Telegram can pass notices on.

The body is UTF-8 JSON; `X-Dondoc-Signature: sha256=<hex>` is HMAC-SHA256 of exactly those bytes
with the endpoint's secret, and `X-Dondoc-Delivery` names the outbox rows it carries (the same
rows sent again carry the same value, so a receiver can drop a repeat). A 2xx answer is delivered;
408, 429 and 5xx, a timeout or a connection that fails are tried again after the outbox's back-off;
any other answer (a 4xx, a redirect) is final: the rows are marked failed with its code and the
start of its body. Once an endpoint has not answered in a batch, the batch's other deliveries to
it are not tried (each would wait the whole timeout); they are retried with the rest."""

from __future__ import annotations

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Sequence

import httpx

from notify.transport import BeforeSend, OnResult, TransportError, Withheld, may_send, report

SIGNATURE_HEADER = "X-Dondoc-Signature"
DELIVERY_HEADER = "X-Dondoc-Delivery"
TIMEOUT_S = 10.0
EXCERPT = 200  # characters of a refusing answer kept in last_error
RETRIED_STATUSES = {408, 429}


@dataclass(frozen=True)
class Delivery:
    webhook: int
    url: str
    secret: str
    body: bytes
    delivery_id: str


def signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_body(recipient: dict, items: list[dict], sent_at: datetime) -> bytes:
    """{"recipient": {"username", "name"}, "items": [...], "sent_at"}, as sent and signed."""
    document = {"recipient": {"username": recipient["username"], "name": recipient["full_name"]}, "items": items,
                "sent_at": sent_at.isoformat()}
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), default=str).encode()


def _refusal(response: httpx.Response) -> TransportError:
    text = f"{response.status_code} {response.text[:EXCERPT]}".strip()
    code = response.status_code
    return TransportError(text, permanent=not (code >= 500 or code in RETRIED_STATUSES))


@dataclass
class WebhookTransport:
    timeout: float = TIMEOUT_S

    async def send(self, deliveries: Sequence[Delivery], on_result: OnResult | None = None,
                   before_send: BeforeSend | None = None) -> list[TransportError | None]:
        results: list[TransportError | None] = []
        async with httpx.AsyncClient(timeout=self.timeout, follow_redirects=False) as client:
            for i, delivery in enumerate(deliveries):
                if not await may_send(before_send, i):
                    results.append(Withheld())
                    continue
                results.append(await self._post(client, delivery))
                await report(on_result, results, i)
        return results

    async def _post(self, client: httpx.AsyncClient, delivery: Delivery) -> TransportError | None:
        headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": "dondoc-webhook/1",
                   SIGNATURE_HEADER: signature(delivery.secret, delivery.body), DELIVERY_HEADER: delivery.delivery_id}
        try:
            response = await client.post(delivery.url, content=delivery.body, headers=headers)
        except httpx.TimeoutException:
            return TransportError(f"the endpoint did not answer within {self.timeout:g} s")
        except httpx.HTTPError as exc:
            return TransportError(f"cannot reach the endpoint: {type(exc).__name__} {exc}".strip())
        return None if response.is_success else _refusal(response)
