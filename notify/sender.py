"""Sending claimed rows: one email per recipient listing all their tasks (a digest or update request
row is an email of its own), and one webhook call per recipient and webhook (notify.webhooks), each
handed to its transport; then each row marked sent, retried later (for email a 4xx, connection
trouble) or failed (a 5xx). An email that cannot even be written (a recipient's address that is no
address) is retried alone."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime, parseaddr

from notify import digest, outbox
from notify.ladder import URGED_STATES
from notify.mailer import Mailer
from notify.render import Recipient, render_message
from notify.tables import Notification, Webhook
from notify.transport import Transport, TransportError
from notify.update_requests import REQUEST_RULE
from notify.webhook_transport import Delivery, WebhookTransport, webhook_body
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
    webhooks_sent: int = 0  # webhook calls answered 2xx
    sent: int = 0  # notifications
    retried: int = 0
    failed: int = 0
    skipped: int = 0
    taken_over: int = 0  # claimed by another process before this one could send or record them

    def add(self, other: "SendResult") -> None:
        for name in ("emails_sent", "webhooks_sent", "sent", "retried", "failed", "skipped", "taken_over"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


def message_id(recipient_id: int, ids: list[int], mail_from: str) -> str:
    """Stable for one email: the same recipient and the same notification rows give the same
    Message-ID, so a retried or re-sent email can be recognised as the same one."""
    domain = parseaddr(mail_from)[1].rpartition("@")[2] or "dondoc.local"
    return f"<dondoc.{min(ids)}.{_fingerprint(recipient_id, ids)}@{domain}>"


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


@dataclass
class Outgoing:
    """One delivery of a transport and the outbox rows it carries."""

    rows: list[dict]
    delivery: object  # an EmailMessage for the mailer, a webhook_transport.Delivery for webhooks
    delivery_id: str  # recorded as the rows' message_id


async def send_claimed(
    lease: outbox.Lease, now: datetime, mailer: Mailer, calendar: WorkingCalendar, base_url: str, mail_from: str,
    link_key: str | None = None, webhooks: Transport | None = None,
) -> SendResult:
    """`link_key` (the secret key) gives each task line of a head's email its one-tap link.
    `webhooks` carries the webhook rows (by default a WebhookTransport)."""
    result = SendResult()
    token = lease.token
    rows = await Notification.select(
        Notification.id, Notification.kind, Notification.task, Notification.rule, Notification.deadline_version,
        Notification.recipient, Notification.role, Notification.payload, Notification.attempts, Notification.channel,
        Notification.webhook,
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
    users = {u["id"]: u for u in await User.select(User.id, User.username, User.email, User.full_name, User.locale, User.active, User.role,
                                                   User.credential_version).where(
        User.id.is_in(list({r["recipient"] for r in rows}))).run()}
    hook_ids = sorted({r["webhook"] for r in rows if r["webhook"] is not None})
    hooks = {w["id"]: w for w in await Webhook.select(Webhook.id, Webhook.url, Webhook.secret, Webhook.active, Webhook.user).where(
        Webhook.id.is_in(hook_ids)).run()} if hook_ids else {}

    stale = {r["id"] for r in rows if r["kind"] == "task" and (
        tasks[r["task"]]["state"] not in URGED_STATES or tasks[r["task"]]["deadline_version"] != r["deadline_version"])}
    unreachable = {r["id"] for r in rows if r["channel"] == "email" and (
        not users[r["recipient"]]["active"] or not users[r["recipient"]]["email"])}
    # A user's webhook goes quiet with its user; a division's with nobody in particular.
    unhooked = {r["id"] for r in rows if r["channel"] == "webhook" and (
        not hooks[r["webhook"]]["active"] or (hooks[r["webhook"]]["user"] is not None and not users[r["recipient"]]["active"]))}
    result.skipped = await outbox.mark_skipped(sorted(stale), token, "the task is no longer in progress, or its deadline changed")
    result.skipped += await outbox.mark_skipped(
        sorted(unreachable - stale), token, "the recipient has no active account with an email address")
    result.skipped += await outbox.mark_skipped(sorted(unhooked - stale), token, "the webhook, or its user, is no longer active")
    live = [r for r in rows if r["id"] not in stale | unreachable | unhooked]

    def tap_url(user: dict, task_id: int) -> str:
        if link_key is None or user["role"] != Role.HEAD.value:
            return ""
        return f"{base_url}/u/{email_links.sign(user['id'], user['credential_version'], task_id, now, link_key)}"

    events = await _events([r["deadline_version"] for r in live if r["kind"] == "notice"])
    listing = Listing(tasks, events, calendar, calendar.today(now), base_url)

    # Each email: (recipient, its rows, template, context). Each webhook call: (recipient, webhook, its rows, items).
    drafts: list[tuple[dict, list[dict], str, dict]] = []
    calls: list[tuple[dict, dict, list[dict], list[dict]]] = []
    by_recipient: dict[tuple[int, int | None], list[dict]] = {}
    for r in live:
        user = users[r["recipient"]]
        if r["kind"] in ("digest", "request"):  # a delivery of its own, from what the row froze
            payload = json.loads(r["payload"]) if isinstance(r["payload"], str) else r["payload"]
            if r["channel"] == "webhook":
                calls.append((user, hooks[r["webhook"]], [r], frozen_items(r["kind"], payload, gettext_for(user["locale"]))))
            elif r["kind"] == "digest":
                drafts.append((user, [r], "weekly_digest", {**digest.digest_context(payload), "base_url": base_url}))
            else:
                drafts.append((user, [r], "update_request", {"base_url": base_url, "tasks": [
                    {**t, "due_on": as_date(t["due_on"]), "tap_url": tap_url(user, t["id"])} for t in payload["tasks"]]}))
        else:
            by_recipient.setdefault((r["recipient"], r["webhook"]), []).append(r)

    for (recipient_id, webhook_id), group in by_recipient.items():
        user = users[recipient_id]
        if webhook_id is not None:
            # No one-tap links: whoever reads the channel (a division's group chat) could use them.
            changes, reminders = listing.items(group, user, lambda u, t: "")
            calls.append((user, hooks[webhook_id], group, [webhook_item(i) for i in changes + reminders]))
            continue
        changes, reminders = listing.items(group, user, tap_url)
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

    emails: list[Outgoing] = []
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
        emails.append(Outgoing(group, message, message["Message-ID"]))
    posts: list[Outgoing] = []
    for user, hook, group, items in calls:
        ids = [r["id"] for r in group]
        delivery_id = f"dondoc.{min(ids)}.{_fingerprint(hook['id'], ids)}"
        posts.append(Outgoing(group, Delivery(hook["id"], hook["url"], hook["secret"], webhook_body(user, items, now), delivery_id),
                              delivery_id))

    await _hand_over(mailer, emails, lease, now, result, "emails_sent")
    await _hand_over(webhooks or WebhookTransport(), posts, lease, now, result, "webhooks_sent")
    return result


async def _hand_over(transport: Transport, outgoing: list[Outgoing], lease: outbox.Lease, now: datetime, result: SendResult,
                     counter: str) -> None:
    if not outgoing:
        return
    token = lease.token

    async def still_held(index: int) -> bool:
        group = outgoing[index].rows
        if await lease.holds([r["id"] for r in group]):
            return True
        result.taken_over += len(group)
        return False

    async def record(index: int, error: TransportError | None) -> None:
        """Record each delivery's outcome as soon as it is known: were the process to die later in
        the batch, only the unanswered deliveries would be sent again after the lease."""
        out = outgoing[index]
        ids = [r["id"] for r in out.rows]
        if error is None:
            changed = await outbox.mark_sent(ids, token, now, out.delivery_id)
            setattr(result, counter, getattr(result, counter) + 1)
            result.sent += changed
        elif error.permanent:
            changed = await outbox.mark_failed(ids, token, out.delivery_id, error.message)
            result.failed += changed
        else:
            changed = await outbox.mark_retry(out.rows, token, now, error.message)
            result.retried += changed
        result.taken_over += len(out.rows) - changed

    await transport.send([o.delivery for o in outgoing], on_result=record, before_send=still_held)


def _fingerprint(key: int, ids: list[int]) -> str:
    """Stable for one delivery: the same key (recipient, webhook) and rows give the same value."""
    return hashlib.sha256(f"{key}:{','.join(map(str, sorted(ids)))}".encode()).hexdigest()[:20]


@dataclass
class Listing:
    """The items of one recipient's rows about tasks, as an email lists them and a webhook sends
    them: what changed first, in the order it happened; then the reminders, those addressed to
    the recipient before the copies, each by deadline."""

    tasks: dict[int, dict]
    events: dict[int, dict]
    calendar: WorkingCalendar
    today: date
    base_url: str
    left: dict[date, int] = field(default_factory=dict)  # working days from today to each due date, counted once

    def items(self, group: list[dict], user: dict, tap_url) -> tuple[list[dict], list[dict]]:
        _ = gettext_for(user["locale"])
        tasks = self.tasks
        changes, reminders = [], []

        def order(r: dict) -> tuple:
            if r["kind"] == "notice":
                return (0, r["id"])
            return (1, r["role"] != "to", tasks[r["task"]]["due_on"], r["task"])

        for r in sorted(group, key=order):
            t = tasks[r["task"]]
            item = {
                "id": t["id"], "title": t["title"], "directive": t["directive_number"], "lead_division": t["division_name"],
                "division_code": t["division_code"], "due_on": t["due_on"], "role": r["role"], "url": f"{self.base_url}/tasks/{t['id']}",
                "tap_url": tap_url(user, t["id"]), "kind": r["kind"], "rule": r["rule"],
            }
            if r["kind"] == "notice":
                event = self.events[r["deadline_version"]]
                changes.append({**item, "label": notices.label(r["rule"], r["role"], event["after"], _), "note": event["note"],
                                "by": event["by"]})
                continue
            if t["due_on"] not in self.left:
                self.left[t["due_on"]] = self.calendar.working_days_between(self.today, self.calendar.effective_due(t["due_on"]))
            reminders.append({**item, "label": _label(user["locale"], self.left[t["due_on"]]), "note": ""})
        return changes, reminders


def webhook_item(item: dict) -> dict:
    """An email's item as a webhook sends it."""
    return {"task": item["id"], "title": item["title"], "kind": item["kind"], "rule": item["rule"], "role": item["role"],
            "label": item["label"], "note": item["note"], "due_on": item["due_on"].isoformat() if item["due_on"] else None,
            "url": item["url"]}


def frozen_items(kind: str, payload: dict, _) -> list[dict]:
    """A digest's overdue tasks or an update request's tasks as webhook items."""
    if kind == "digest":
        return [{"task": t["id"], "title": t["title"], "kind": kind, "rule": digest.DIGEST_RULE, "role": "to",
                 "label": _("Overdue by {n} working days", n=t["days_overdue"]), "note": t["last_note"] or "", "due_on": t["due_on"],
                 "url": t["url"]}
                for division in payload["divisions"] for t in division["tasks"]]
    return [{"task": t["id"], "title": t["title"], "kind": kind, "rule": REQUEST_RULE, "role": "to",
             "label": _("No progress report in the last 7 days"), "note": "", "due_on": t["due_on"], "url": t["url"]}
            for t in payload["tasks"]]


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
