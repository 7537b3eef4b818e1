"""The calendar feed of a division's open deadlines, at a secret URL a phone can subscribe to:
/calendar/{division code}/{token}.ics, token = HMAC-SHA256(secret key, division code and the
division's feed version). No session or token header (calendar apps cannot send one); the URL itself
is the credential. Every instance computes the same one; the admin rotates one division's URL by
moving its version (tasks.accounts.rotate_feed: the old URL is a 404, the other divisions' keep
working), and changing DONDOC_SECRET_KEY revokes every feed URL at once."""

from __future__ import annotations

import hashlib
import hmac

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from tasks.calendar_feed import deadline_feed, division_by_code
from web.deps import CalendarDep, NowDep, SettingsDep
from web.settings import Settings

TOKEN_LENGTH = 32


def feed_token(secret_key: str, division_code: str, version: int = 0) -> str:
    # Version 0 signs what the URLs given out before versions existed were signed over.
    message = f"calendar-feed:{division_code}" + (f":{version}" if version else "")
    return hmac.new(secret_key.encode(), message.encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def feed_url(settings: Settings, division: dict) -> str:
    """The full URL of a division's feed (a row with its code and feed_version)."""
    token = feed_token(settings.secret_key, division["code"], division["feed_version"])
    return f"{settings.base_url}/calendar/{division['code']}/{token}.ics"


@get("/calendar/{division_code:str}/{filename:str}", include_in_schema=False)
async def calendar_feed(
    division_code: FromPath[str], filename: FromPath[str], settings: SettingsDep, now: NowDep, calendar: CalendarDep
) -> Response[bytes]:
    token = filename.removesuffix(".ics")
    division = await division_by_code(division_code) if filename.endswith(".ics") else None
    # A wrong token, one of before a rotation, and an unknown division look the same.
    if division is None or not hmac.compare_digest(token, feed_token(settings.secret_key, division_code, division["feed_version"])):
        raise NotFoundException()
    body = await deadline_feed(division, now, calendar, settings.base_url)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=900", "Content-Disposition": f'inline; filename="{division_code}.ics"'})
