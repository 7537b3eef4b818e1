"""Domain errors. Messages are English msgids (marked with N_) translated by the web layer."""

from __future__ import annotations

from typing import Any


def N_(message: str) -> str:
    """Mark a message for extraction into the Babel catalog without translating it here."""
    return message


class DomainError(Exception):
    """A refusal the user can act on. `message` and each `fields` value are msgids; `params`
    fill their {placeholders} after translation."""

    code = "error"
    status = 400  # the HTTP status the web layer answers with; each kind below says its own

    def __init__(self, message: str, fields: dict[str, str] | None = None, code: str | None = None, **params: Any):
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.fields = fields or {}
        self.params = params
        if code:
            self.code = code


class Invalid(DomainError):
    code = "invalid"
    status = 422


class NotFound(DomainError):
    code = "not_found"
    status = 404


class Forbidden(DomainError):
    code = "forbidden"
    status = 403


class Conflict(DomainError):
    """The record is not in a state that allows this (an illegal transition)."""

    code = "conflict"
    status = 409


class Unauthenticated(DomainError):
    code = "unauthenticated"
    status = 401


class Throttled(DomainError):
    """Too many sign-in attempts for a username or an address; `retry_after` says for how long."""

    code = "throttled"
    status = 429

    def __init__(self, retry_after_seconds: int):
        self.retry_after_seconds = max(1, retry_after_seconds)
        super().__init__(N_("Too many failed sign-in attempts. Try again in {minutes} min."),
                         minutes=-(-self.retry_after_seconds // 60))
