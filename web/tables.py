"""The web app's own tables: sign-in sessions and the sign-in throttle's counters. Both live in the
database so that every app instance behind the load balancer sees the same sessions and the same
counts."""

from piccolo.columns import ForeignKey, Integer, Serial, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.table import Table

from tasks.tables import User


class WebSession(Table, tablename="web_session"):
    """A signed-in browser. The cookie holds a random token; only its SHA-256 is stored, so a
    leaked database does not hand out live sessions."""

    id = Serial(primary_key=True)
    token_hash = Varchar(length=64)
    user = ForeignKey(User, null=False, on_delete=OnDelete.cascade, index=True)
    credential_version = Integer(default=1)  # the user's when signing in; a session under an older one is over
    created_at = Timestamptz(default=None, null=False)
    last_seen_at = Timestamptz(default=None, null=False)


class SigninCounter(Table, tablename="signin_counter"):
    """One throttle key's counter (tasks.throttle.Counter). The key is "u:" or "a:" and the SHA-256
    of the lower-cased username or of the address: what people type as a username (sometimes their
    password) is not kept. `version` moves with every change, for the conditional update."""

    key = Varchar(length=70, primary_key=True)
    attempts = Integer(default=0)
    window_start = Timestamptz(default=None, null=False)
    locked_until = Timestamptz(default=None, null=True)
    lockouts = Integer(default=0)
    last_at = Timestamptz(default=None, null=False)
    version = Integer(default=1)


WEB_TABLES = [WebSession, SigninCounter]
