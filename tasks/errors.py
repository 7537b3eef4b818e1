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

    def __init__(self, message: str, fields: dict[str, str] | None = None, code: str | None = None, **params: Any):
        super().__init__(message.format(**params) if params else message)
        self.message = message
        self.fields = fields or {}
        self.params = params
        if code:
            self.code = code


class Invalid(DomainError):
    code = "invalid"


class NotFound(DomainError):
    code = "not_found"


class Forbidden(DomainError):
    code = "forbidden"


class Conflict(DomainError):
    """The record is not in a state that allows this (an illegal transition)."""

    code = "conflict"


class Unauthenticated(DomainError):
    code = "unauthenticated"
