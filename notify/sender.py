"""Sending claimed rows: one email per recipient listing all their tasks (a digest row is an email
of its own), then each row marked sent, retried later (4xx, connection trouble) or failed (5xx).
An email that cannot even be written (a recipient's address that is no address) is retried alone."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from notify import digest, outbox
from notify.ladder import URGED_STATES
from notify.mailer import MailError, Mailer
from notify.render import Recipient, render_message
from notify.tables import Notification
from tasks.calendar import WorkingCalendar
from tasks.dates import format_date
from tasks.i18n import gettext_for
from tasks.tables import Task, User

log = logging.getLogger("dondoc.notify")

@dataclass
class SendResult:
    emails_sent: int = 0
    sent: int = 0  # notifications
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    taken_over: int = 0  # claimed by another process before this one could send or record them

    def add(self, other: "SendResult") -> None:
        for name in ("emails_sent", "sent", "retried", "failed", "skipped", "taken_over"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def message_id(recipient_id: int, ids: list[int], mail_from: str) -> str:
    """Stable for one email: the same recipient and the same notification rows give the same
    Message-ID, so a retried or re-sent email can be recognised as the same one."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "dondoc.local"
    digest = hashlib.sha256(f"{recipient_id}:{','.join(map(str, sorted(ids)))}".encode()).hexdigest()[:20]
    return f"<dondoc.{min(ids)}.{digest}@{domain}>"


def _label(locale: str, days_left: int) -> str:
    _ = gettext_for(locale)
    if days_left > 0:
        return _("Due in {n} working days", n=days_left)
    if days_left == 0:
        return _("Due today")
    return _("Overdue by {n} working days", n=-days_left)


LOOKUP_CHUNK = 5000
MAX_LISTED = 30  # tasks listed in one email; the rest are one link away


def more_link(base_url: str, items: list[dict]) -> str:
    """The task list filtered to (at least) the tasks an email could not list: running, due by the
    latest deadline among them, in their lead division when they share one."""
    query = f"state=open,in_progress&due_to={format_date(max(i['due_on'] for i in items))}"
    divisions = {i["division_code"] for i in items}
    if len(divisions) == 1:
        query += f"&division={divisions.pop()}"
    return f"{base_url}/tasks?{query}"


async def send_claimed(
    lease: outbox.Lease, now: datetime, mailer: Mailer, calendar: WorkingCalendar, base_url: str, mail_from: str
) -> SendResult:
    result = SendResult()
    token = lease.token
    rows = await Notification.select(
        Notification.id, Notification.kind, Notification.task, Notification.rule, Notification.deadline_version,
        Notification.recipient, Notification.role, Notification.payload, Notification.attempts,
    ).where((Notification.claim_token == token) & (Notification.state == "pending")).order_by(Notification.id).run()
    if not rows:
        return result
    task_ids = sorted({r["task"] for r in rows if r["task"] is not None})
    tasks: dict[int, dict] = {}
    for i in range(0, len(task_ids), LOOKUP_CHUNK):
        tasks.update({t["id"]: t for t in await Task.select(
            Task.id, Task.title, Task.state, Task.due_on, Task.deadline_version,
            Task.lead_division.name.as_alias("division_name"), Task.lead_division.code.as_alias("division_code"),
            Task.directive.number.as_alias("directive_number"),
        ).where(Task.id.is_in(task_ids[i : i + LOOKUP_CHUNK])).run()})
    users = {u["id"]: u for u in await User.select(User.id, User.email, User.full_name, User.locale, User.active).where(
        User.id.is_in(list({r["recipient"] for r in rows}))).run()}

    stale = [r["id"] for r in rows if r["kind"] == "task" and (
        tasks[r["task"]]["state"] not in URGED_STATES or tasks[r["task"]]["deadline_version"] != r["deadline_version"])]
    unreachable = [r["id"] for r in rows if not users[r["recipient"]]["active"] or not users[r["recipient"]]["email"]]
    result.skipped = await outbox.mark_skipped(stale, token, "the task is no longer in progress, or its deadline changed")
    result.skipped += await outbox.mark_skipped(
        sorted(set(unreachable) - set(stale)), token, "the recipient has no active account with an email address")
    live = [r for r in rows if r["id"] not in set(stale) | set(unreachable)]

    # Each email: (recipient, its rows, template, context).
    drafts: list[tuple[dict, list[dict], str, dict]] = []
    by_recipient: dict[int, list[dict]] = {}
    for r in live:
        if r["kind"] == "digest":
            payload = json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"]
            drafts.append((users[r["recipient"]], [r], "weekly_digest", {**digest.digest_context(payload), "base_url": base_url}))
        else:
            by_recipient.setdefault(r["recipient"], []).append(r)
    today = calendar.today(now)
    left: dict[date, int] = {}  # working days from today to each due date, counted once
    for recipient_id, group in by_recipient.items():
        user = users[recipient_id]
        items = []
        for r in sorted(group, key=lambda r: (r["role"] != "to", tasks[r["task"]]["due_on"], r["task"])):
            t = tasks[r["task"]]
            if t["due_on"] not in left:
                left[t["due_on"]] = calendar.working_days_between(today, calendar.effective_due(t["due_on"]))
            items.append({
                "id": t["id"], "title": t["title"], "directive": t["directive_number"], "lead_division": t["division_name"],
                "division_code": t["division_code"], "due_on": t["due_on"], "role": r["role"], "url": f"{base_url}/tasks/{t['id']}",
                "label": _label(user["locale"], left[t["due_on"]]),
            })
        listed, unlisted = items[:MAX_LISTED], items[MAX_LISTED:]
        context = {"items": items, "to_items": [i for i in listed if i["role"] == "to"], "cc_items": [i for i in listed if i["role"] == "cc"],
                   "more": len(unlisted), "more_url": more_link(base_url, unlisted) if unlisted else "", "base_url": base_url}
        drafts.append((user, group, "reminders", context))

    emails: list[tuple[dict, list[dict], EmailMessage]] = []
    for user, group, template, context in drafts:
        try:
            message = render_message(template, _recipient(user), context)
            message["From"] = mail_from
            message["Date"] = format_datetime(now)
            message["Message-ID"] = message_id(user["id"], [r["id"] for r in group], mail_from)
        except Exception as exc:  # one recipient's bad data must not hold back everyone else's mail
            log.exception("the email to user %s could not be written", user["id"])
            result.retried += await outbox.mark_retry(group, token, now, f"the email could not be written: {exc}")
            continue
        emails.append((user, group, message))

    async def still_held(index: int) -> bool:
        group = emails[index][1]
        if await lease.holds([r["id"] for r in group]):
            return True
        result.taken_over += len(group)
        return False

    async def record(index: int, error: MailError | None) -> None:
        """Record each email's outcome as soon as the server has answered: were the process to die
        later in the batch, only the unanswered emails would be sent again after the lease."""
        user, group, message = emails[index]
        group_ids = [r["id"] for r in group]
        if error is None:
            changed = await outbox.mark_sent(group_ids, token, now, message["Message-ID"])
            result.emails_sent += 1
            result.sent += changed
        elif error.permanent:
            changed = await outbox.mark_failed(group_ids, token, message["Message-ID"], error.message)
            result.failed += changed
        else:
            changed = await outbox.mark_retry(group, token, now, error.message)
            result.retried += changed
        result.taken_over += len(group) - changed

    await mailer.send([m for _, _, m in emails], on_result=record, before_send=still_held)
    return result


def _recipient(user: dict) -> Recipient:
    return Recipient(user_id=user["id"], email=user["email"], name=user["full_name"], locale=user["locale"] or "vi")
