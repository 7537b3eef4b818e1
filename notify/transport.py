"""How a claimed batch leaves: a Transport takes a batch of deliveries (an email, a webhook call),
says after each one how it went, and asks before each one whether it may still go. The Mailer
(notify.mailer) is the email transport, WebhookTransport (notify.webhook_transport) the other; the
sender (notify.sender) drives both the same way, and the outbox records the outcomes the same way."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Protocol, Sequence, runtime_checkable


class TransportError(Exception):
    """A delivery was not accepted. `permanent` failures are not retried: the rows are marked
    `failed` with `message`; the others are retried after the outbox's back-off."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.message = message
        self.permanent = permanent


class Withheld(TransportError):
    """Not sent because `before_send` said no: the sender no longer holds the delivery's rows."""

    def __init__(self) -> None:
        super().__init__("not sent: another process holds these notifications now")


# Called after each delivery with its index and its outcome, so the sender can record a sent
# delivery at once rather than at the end of the batch.
OnResult = Callable[[int, "TransportError | None"], Awaitable[None]]
# Called just before each delivery is handed over; False withholds it. The sender renews its claim
# here, so a batch that outlasts its lease is not sent twice.
BeforeSend = Callable[[int], Awaitable[bool]]


async def may_send(before_send: BeforeSend | None, index: int) -> bool:
    return before_send is None or await before_send(index)


async def report(on_result: OnResult | None, results: list["TransportError | None"], start: int = 0) -> None:
    """Tell `on_result` of every outcome from `start` on."""
    if on_result is not None:
        for i, error in enumerate(results[start:], start):
            await on_result(i, error)


@runtime_checkable
class Transport(Protocol):
    async def send(self, deliveries: Sequence[Any], on_result: OnResult | None = None,
                   before_send: BeforeSend | None = None) -> list[TransportError | None]:
        """Send every delivery `before_send` allows; the result holds, in order, None for a sent
        one or its error (Withheld for one not sent, which on_result is not told about)."""
        ...
