"""The outbox: one row per (task, rule, deadline_version, recipient, channel, webhook), written when
a rule is decided and updated as it is sent. Weekly digest rows have no task; their
deadline_version holds the digest's Monday as YYYYMMDD. Email rows have no webhook; a webhook row
carries the same key as the email row it accompanies, plus its endpoint. The unique indexes live in
the migrations."""

from piccolo.columns import JSON, Boolean, Date, ForeignKey, Integer, Serial, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tasks.tables import Division, Task, User

CHANNELS = ("email", "webhook")


class Webhook(Table, tablename="webhook"):
    """A signed JSON endpoint the admin attached to one division or one user (exactly one: a CHECK
    in the migration). The secret signs each body and is never shown again."""

    id = Serial(primary_key=True)
    division = ForeignKey(Division, null=True, on_delete=OnDelete.restrict)
    user = ForeignKey(User, null=True, on_delete=OnDelete.restrict)
    url = Varchar(length=500)
    secret = Varchar(length=200, secret=True)
    active = Boolean(default=True)
    created_at = Timestamptz(default=None, null=False)


class Notification(Table, tablename="notification"):
    id = Serial(primary_key=True)
    kind = Varchar(length=16, default="task")  # "task" | "notice" | "digest" | "request"
    task = ForeignKey(Task, null=True, on_delete=OnDelete.restrict)
    rule = Varchar(length=32)
    deadline_version = Integer()
    recipient = ForeignKey(User, null=False, on_delete=OnDelete.restrict)
    channel = Varchar(length=16, default="email")  # "email" | "webhook"
    webhook = ForeignKey(Webhook, null=True, on_delete=OnDelete.restrict)  # the endpoint of a webhook row
    role = Varchar(length=4, default="to")  # "to" | "cc"
    due_day = Date(null=True, default=None)  # the working day the rule fell due
    payload = JSON(null=True, default=None)  # the digest's content as of its Monday
    state = Varchar(length=16, default="pending")  # pending | sent | failed | skipped
    created_at = Timestamptz(default=None, null=False)
    next_attempt_at = Timestamptz(default=None, null=False)
    attempts = Integer(default=0)
    claimed_at = Timestamptz(null=True, default=None)
    claim_token = Varchar(length=36, default="")
    sent_at = Timestamptz(null=True, default=None)
    message_id = Varchar(length=255, default="")
    last_error = Text(default="")


NOTIFY_TABLES = [Webhook, Notification]  # in the order they can be created


def bind_notify_tables(engine) -> None:
    for table in NOTIFY_TABLES:
        table._meta.db = engine
