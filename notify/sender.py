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
from tasks.dates import as_date, format_date
from tasks.i18n import gettext_for
from tasks import email_links, notices
from tasks.permissions import Role
from tasks.tables import AuditEvent, Task, User

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
    lease: outbox.Lease, now: datetime, mailer: Mailer, calendar: WorkingCalendar, base_url: str, mail_from: str,
    link_key: str | None = None,
) -> SendResult:
    """`link_key` (the secret key) gives each task line of a head's email its one-tap link."""
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
    users = {u["id"]: u for u in await User.select(User.id, User.email, User.full_name, User.locale, User.active, User.role,
                                                   User.credential_version).where(
        User.id.is_in(list({r["recipient"] for r in rows}))).run()}

    stale = [r["id"] for r in rows if r["kind"] == "task" and (
        tasks[r["task"]]["state"] not in URGED_STATES or tasks[r["task"]]["deadline_version"] != r["deadline_version"])]
    unreachable = [r["id"] for r in rows if not users[r["recipient"]]["active"] or not users[r["recipient"]]["email"]]
    result.skipped = await outbox.mark_skipped(stale, token, "the task is no longer in progress, or its deadline changed")
    result.skipped += await outbox.mark_skipped(
        sorted(set(unreachable) - set(stale)), token, "the recipient has no active account with an email address")
    live = [r for r in rows if r["id"] not in set(stale) | set(unreachable)]

    def tap_url(user: dict, task_id: int) -> str:
        if link_key is None or user["role"] != Role.HEAD.value:
            return ""
        return f"{base_url}/u/{email_links.sign(user['id'], user['credential_version'], task_id, now, link_key)}"

    # Each email: (recipient, its rows, template, context).
    drafts: list[tuple[dict, list[dict], str, dict]] = []
    by_recipient: dict[int, list[dict]] = {}
    for r in live:
        if r["kind"] in ("digest", "request"):  # an email of its own, from what the row froze
            payload = json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"]
            if r["kind"] == "digest":
                drafts.append((users[r["recipient"]], [r], "weekly_digest", {**digest.digest_context(payload), "base_url": base_url}))
            else:
                user = users[r["recipient"]]
                drafts.append((user, [r], "update_request", {"base_url": base_url, "tasks": [
                    {**t, "due_on": as_date(t["due_on"]), "tap_url": tap_url(user, t["id"])} for t in payload["tasks"]]}))
        else:
            by_recipient.setdefault(r["recipient"], []).append(r)
    events = await _events([r["deadline_version"] for r in live if r["kind"] == "notice"])


    today = calendar.today(now)
    left: dict[date, int] = {}  # working days from today to each due date, counted once
    for recipient_id, group in by_recipient.items():
        user = users[recipient_id]
        _ = gettext_for(user["locale"])
        changes, reminders = [], []
        # What changed first, in the order it happened; then the reminders, those addressed to the
        # recipient before the copies, each by deadline.
        def order(r: dict) -> tuple:
            if r["kind"] == "notice":
                return (0, r["id"])
            return (1, r["role"] != "to", tasks[r["task"]]["due_on"], r["task"])

        for r in sorted(group, key=order):
            t = tasks[r["task"]]
            item = {
                "id": t["id"], "title": t["title"], "directive": t["directive_number"], "lead_division": t["division_name"],
                "division_code": t["division_code"], "due_on": t["due_on"], "role": r["role"], "url": f"{base_url}/tasks/{t['id']}",
                "tap_url": tap_url(user, t["id"]),
            }
            if r["kind"] == "notice":
                event = events[r["deadline_version"]]
                changes.append({**item, "label": notices.label(r["rule"], r["role"], event["after"], _), "note": event["note"],
                                "by": event["by"]})
                continue
            if t["due_on"] not in left:
                left[t["due_on"]] = calendar.working_days_between(today, calendar.effective_due(t["due_on"]))
            reminders.append({**item, "label": _label(user["locale"], left[t["due_on"]])})
        items = changes + reminders
        listed_changes = changes[:MAX_LISTED]
        listed = reminders[: MAX_LISTED - len(listed_changes)]
        unlisted = reminders[len(listed):]
        more_url = (f"{base_url}/notifications" if len(changes) > len(listed_changes)
                    else more_link(base_url, unlisted) if unlisted else "")
        context = {"items": items, "changes": listed_changes, "to_items": [i for i in listed if i["role"] == "to"],
                   "cc_items": [i for i in listed if i["role"] == "cc"], "more": len(items) - len(listed_changes) - len(listed),
                   "more_url": more_url, "base_url": base_url}
        drafts.append((user, group, "reminders", context))

    emails: list[tuple[dict, list[dict], EmailMessage]] = []
    for user, group, template, context in drafts:
        try:
            message = render_message(template, _recipient(user), context)
            message["From"] = mail_from
            message["Date"] = format_datetime(now)
            message["Message-ID"] = message_id(user["id"], [r["id"] for r in group], mail_from)
            # Which outbox rows this email carries: support can trace a mail to its rows, and the
            # fault script counts each row received exactly once.
            message["X-Dondoc-Notifications"] = " ".join(str(r["id"]) for r in sorted(group, key=lambda r: r["id"]))
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


async def _events(ids: list[int]) -> dict[int, dict]:
    """The audit events notices tell of: what changed, the note, and who made the change."""
    found: dict[int, dict] = {}
    unique = sorted(set(ids))
    for i in range(0, len(unique), LOOKUP_CHUNK):
        for e in await AuditEvent.select(AuditEvent.id, AuditEvent.after, AuditEvent.note, AuditEvent.actor.full_name.as_alias("name"),
                                         AuditEvent.actor_username).where(AuditEvent.id.is_in(unique[i : i + LOOKUP_CHUNK])).run():
            found[e["id"]] = {"after": e["after"], "note": e["note"], "by": e["name"] or e["actor_username"]}
    return found


def _recipient(user: dict) -> Recipient:
    return Recipient(user_id=user["id"], email=user["email"], name=user["full_name"], locale=user["locale"] or "vi")
