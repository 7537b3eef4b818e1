"""Where emails go: a Mailer, the email Transport (notify.transport), sends a batch of messages and
says, per message, whether it failed and whether the failure is worth retrying. Only this module
knows SMTP."""

from __future__ import annotations

import asyncio
import hashlib
import re
import ssl
from dataclasses import dataclass, field
from email.generator import BytesGenerator
from email.header import Header
from email.message import EmailMessage
from email.policy import EmailPolicy
from email.utils import getaddresses, parseaddr
from io import BytesIO
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable
from urllib.parse import unquote, urlparse

import aiosmtplib

from notify.transport import BeforeSend, OnResult, TransportError, Withheld
from notify.transport import may_send, report

SMTP_TIMEOUT_S = 30


class _WirePolicy(EmailPolicy):
    """The standard library's folder drops the space between two encoded words when a fold falls
    on it ("chỉ giới phạm vi" comes back as "chỉ giớiphạm vi"); a non-ASCII subject is folded by
    the older `Header` encoder instead, which keeps every space inside the encoded words."""

    def fold_binary(self, name: str, value: str) -> bytes:
        if name.lower() == "subject" and not str(value).isascii():
            encoded = Header(str(value), "utf-8", header_name=name).encode(linesep=self.linesep, maxlinelen=self.max_line_length)
            return f"{name}: {encoded}{self.linesep}".encode("ascii")
        return super().fold_binary(name, value)


# 7-bit on the wire (bodies in base64): no server needs 8BITMIME, and nothing is re-encoded on the way.
WIRE_POLICY = _WirePolicy(linesep="\r\n", cte_type="7bit")


def wire_bytes(message: EmailMessage) -> bytes:
    """The message as it goes to the server (or into an .eml file): CRLF, folded by WIRE_POLICY."""
    out = BytesIO()
    BytesGenerator(out, policy=WIRE_POLICY).flatten(message)
    return out.getvalue()


def envelope(message: EmailMessage) -> tuple[str, list[str]]:
    """(sender, recipients) of a message, from its From, To and Cc headers."""
    recipients = [address for _, address in getaddresses([*message.get_all("To", []), *message.get_all("Cc", [])]) if address]
    return parseaddr(message.get("From", ""))[1], recipients


class MailError(TransportError):
    """A message was not accepted. `permanent` failures (5xx) are not retried."""


@runtime_checkable
class Mailer(Protocol):
    """The email Transport: its deliveries are EmailMessages."""

    async def send(self, messages: Sequence[EmailMessage], on_result: OnResult | None = None,
                   before_send: BeforeSend | None = None) -> list[TransportError | None]:
        """Send every message `before_send` allows; the result holds, in order, None for a sent
        message or its error (Withheld for one not sent, which on_result is not told about)."""
        ...


@dataclass
class MemoryMailer:
    """For tests: keeps what it was given in `sent`; `fail_with` makes every send fail."""

    sent: list[EmailMessage] = field(default_factory=list)
    fail_with: MailError | None = None

    async def send(self, messages: Sequence[EmailMessage], on_result: OnResult | None = None,
                   before_send: BeforeSend | None = None) -> list[TransportError | None]:
        results: list[TransportError | None] = []
        for i, message in enumerate(messages):
            if not await may_send(before_send, i):
                results.append(Withheld())
                continue
            if self.fail_with is None:
                self.sent.append(message)
            results.append(self.fail_with)
            await report(on_result, results, i)
        return results


@dataclass
class FileMailer:
    """Without an SMTP server: each email becomes an .eml file a new user can open and read."""

    directory: Path = Path("var/mail")

    async def send(self, messages: Sequence[EmailMessage], on_result: OnResult | None = None,
                   before_send: BeforeSend | None = None) -> list[TransportError | None]:
        self.directory.mkdir(parents=True, exist_ok=True)
        results: list[TransportError | None] = []
        for i, message in enumerate(messages):
            if not await may_send(before_send, i):
                results.append(Withheld())
                continue
            raw = wire_bytes(message)
            name = re.sub(r"[^A-Za-z0-9.@-]", "", message.get("Message-ID", "")) or hashlib.sha256(raw).hexdigest()[:16]
            (self.directory / f"{name}.eml").write_bytes(raw)
            results.append(None)
            await report(on_result, results, i)
        return results


@dataclass
class SmtpMailer:
    """aiosmtplib over one connection per batch. smtp://host:port (STARTTLS if offered is not
    forced), smtps://host:port (implicit TLS); user:password in the URL logs in."""

    url: str
    timeout: float = SMTP_TIMEOUT_S

    def _client(self) -> aiosmtplib.SMTP:
        parsed = urlparse(self.url)
        implicit_tls = parsed.scheme == "smtps"
        return aiosmtplib.SMTP(
            hostname=parsed.hostname or "localhost",
            port=parsed.port or (465 if implicit_tls else 25),
            use_tls=implicit_tls,
            start_tls=None if not implicit_tls else False,
            username=unquote(parsed.username) if parsed.username else None,
            password=unquote(parsed.password) if parsed.password else None,
            timeout=self.timeout,
            tls_context=ssl.create_default_context() if implicit_tls else None,
        )

    async def send(self, messages: Sequence[EmailMessage], on_result: OnResult | None = None,
                   before_send: BeforeSend | None = None) -> list[TransportError | None]:
        if not messages:
            return []
        client = self._client()
        try:
            await client.connect()
        except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
            error = MailError(f"cannot connect to the mail server: {exc}", permanent=False)
            results = [error for _ in messages]
            await report(on_result, results)
            return results
        results = []
        try:
            for i, message in enumerate(messages):
                if not await may_send(before_send, i):
                    results.append(Withheld())
                    continue
                try:
                    sender, recipients = envelope(message)
                    await client.sendmail(sender, recipients, wire_bytes(message))
                    results.append(None)
                except aiosmtplib.SMTPRecipientsRefused as exc:
                    codes = [r.code for r in exc.recipients]
                    text = "; ".join(f"{r.code} {r.message}" for r in exc.recipients)
                    results.append(MailError(text, permanent=all(c >= 500 for c in codes)))
                except aiosmtplib.SMTPResponseException as exc:
                    results.append(MailError(f"{exc.code} {exc.message}", permanent=exc.code >= 500))
                    if exc.code == 421:  # the server is closing the connection: the rest must wait
                        await report(on_result, results, i)
                        results += [MailError(f"{exc.code} {exc.message}") for _ in messages[i + 1 :]]
                        await report(on_result, results, i + 1)
                        break
                except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError) as exc:
                    results += [MailError(f"connection to the mail server lost: {exc}") for _ in messages[i:]]
                    await report(on_result, results, i)
                    break
                await report(on_result, results, i)
        finally:
            try:
                await client.quit()
            except (aiosmtplib.SMTPException, OSError, asyncio.TimeoutError):
                client.close()
        return results


def mailer_from_url(smtp_url: str | None, mail_dir: Path = Path("var/mail")) -> Mailer:
    return SmtpMailer(smtp_url) if smtp_url else FileMailer(mail_dir)
