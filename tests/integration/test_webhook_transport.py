"""The webhook transport against a real HTTP server: what each answer means for the outbox (sent,
tried again later, failed for good), and the Transport contract the sender relies on."""

from __future__ import annotations

import socket

from notify.transport import Transport, Withheld
from notify.webhook_transport import Delivery, WebhookTransport

from webhook_receiver import Receiver

SECRET = "bi-mat-thu-nghiem-16"


def delivery(receiver: Receiver, path: str, webhook: int = 1) -> Delivery:
    return Delivery(webhook, receiver.url(path), SECRET, b'{"items":[]}', f"dondoc.1.{path}")


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_each_answer_is_sent_retried_or_failed_and_reported_as_it_comes():
    transport = WebhookTransport(timeout=0.5)
    assert isinstance(transport, Transport)
    with Receiver() as receiver:
        for path, status, text in [("/bad", 400, "no such chat"), ("/gone", 410, ""), ("/moved", 302, ""), ("/busy", 429, "slow down"),
                                   ("/down", 503, "restarting")]:
            receiver.answer(path, status, text)
        paths = ["/ok", "/bad", "/gone", "/moved", "/busy", "/down"]
        reported = []

        async def on_result(index, error):
            reported.append((index, error))

        results = await transport.send([delivery(receiver, p) for p in paths], on_result=on_result)

        outcomes = [None if e is None else (e.message, e.permanent) for e in results]
        assert outcomes == [None, ("400 no such chat", True), ("410", True), ("302", True), ("429 slow down", False),
                            ("503 restarting", False)]
        assert [i for i, _ in reported] == list(range(len(paths))) and [e for _, e in reported] == results
        assert all(r.signed_with(SECRET) and r.headers["x-dondoc-delivery"] == f"dondoc.1.{r.path}" for r in receiver.received)


async def test_an_endpoint_that_is_silent_or_not_there_is_tried_again_later():
    transport = WebhookTransport(timeout=0.3)
    with Receiver() as receiver:
        receiver.delay_s = 1.0
        [silent] = await transport.send([delivery(receiver, "/slow")])
    [absent] = await transport.send([Delivery(2, f"http://127.0.0.1:{closed_port()}/hook", SECRET, b"{}", "d")])
    assert (silent.permanent, silent.message) == (False, "the endpoint did not answer within 0.3 s")
    assert not absent.permanent and absent.message.startswith("cannot reach the endpoint: ConnectError")


async def test_a_delivery_the_sender_no_longer_holds_is_withheld_and_not_reported():
    reported = []

    async def on_result(index, error):
        reported.append(index)

    async def before_send(index):
        return index != 0

    with Receiver() as receiver:
        results = await WebhookTransport().send([delivery(receiver, "/a"), delivery(receiver, "/b")], on_result=on_result,
                                                before_send=before_send)
        assert [r.path for r in receiver.received] == ["/b"]
    assert isinstance(results[0], Withheld) and results[1] is None and reported == [1]
