"""The web app's own tables: sign-in sessions and failed sign-in attempts. Both live in the
database so that every app instance behind the load balancer sees the same sessions and the same
throttling counts."""

from piccolo.columns import ForeignKey, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tasks.tables import User


class WebSession(Table, tablename="web_session"):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    leaked database does not hand out live sessions."""

    id = Serial(primary_key=True)
    token_hash = Varchar(length=64)
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    created_at = Timestamptz(default=None, null=False)
    last_seen_at = Timestamptz(default=None, null=False)


class LoginAttempt(Table, tablename="login_attempt"):
    """A failed sign-in: counted per username and per address over the throttling window."""

    id = Serial(primary_key=True)
    at = Timestamptz(default=None, null=False)
    username = Varchar(length=64)
    address = Varchar(length=64)


WEB_TABLES = [WebSession, LoginAttempt]
