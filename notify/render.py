"""Email rendering: `{name}.subject.txt`, `{name}.txt` and `{name}.html` in notify/templates, in the
recipient's language, turned into one multipart/alternative message by render_message()."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from email.headerregistry import Address
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from tasks.dates import format_date
from tasks.formatting import format_percent
from tasks.i18n import gettext_for

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Recipient:
    user_id: int
    email: str
    name: str = ""
    locale: str = "vi"


@functools.lru_cache(maxsize=1)
def environment() -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False, default=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["ddmmyyyy"] = format_date
    env.globals["format_percent"] = format_percent  # the one way a rate is printed, as on the pages
    return env


def render_message(name: str, to: Recipient, context: dict[str, Any]) -> EmailMessage:
    """Subject, plain text and HTML of template `name` for `to`, in `to.locale`. The sender adds
    From, Date and Message-ID."""
    env = environment()
    values = {**context, "_": gettext_for(to.locale), "recipient": to}
    subject = " ".join(env.get_template(f"{name}.subject.txt").render(values).split())
    message = EmailMessage()
    message["Subject"] = subject
    message["To"] = Address(display_name=to.name, addr_spec=to.email) if to.name else to.email
    message.set_content(env.get_template(f"{name}.txt").render(values))
    message.add_alternative(env.get_template(f"{name}.html").render(values), subtype="html")
    return message
