"""The calendar feed of a division's open deadlines, at a secret URL a phone can subscribe to:
/calendar/{division code}/{token}.ics, token = HMAC-SHA256(secret key, division code). No session
or token header (calendar apps cannot send one); the URL itself is the credential. Stateless, so
every instance serves it; changing DONDOC_SECRET_KEY revokes every feed URL at once."""

from __future__ import annotations

import hashlib
import hmac

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath

from tasks.calendar_feed import deadline_feed, division_by_code
from web.deps import CalendarDep, NowDep, SettingsDep

TOKEN_LENGTH = 32


def feed_token(secret_key: str, division_code: str) -> str:
    return hmac.new(secret_key.encode(), f"calendar-feed:{division_code}".encode(), hashlib.sha256).hexdigest()[:TOKEN_LENGTH]


def feed_path(secret_key: str, division_code: str) -> str:
    return f"/calendar/{division_code}/{feed_token(secret_key, division_code)}.ics"


@get("/calendar/{division_code:str}/{filename:str}", include_in_schema=False)
async def calendar_feed(
    division_code: FromPath[str], filename: FromPath[str], settings: SettingsDep, now: NowDep, calendar: CalendarDep
) -> Response[bytes]:
    token = filename.removesuffix(".ics")
    expected = feed_token(settings.secret_key, division_code)
    # A wrong token and an unknown division look the same.
    if not filename.endswith(".ics") or not hmac.compare_digest(token, expected):
        raise NotFoundException()
    division = await division_by_code(division_code)
    if division is None:
        raise NotFoundException()
    body = await deadline_feed(division, now, calendar, settings.base_url)
    return Response(body, media_type="text/calendar; charset=utf-8",
                    headers={"Cache-Control": "private, max-age=900", "Content-Disposition": f'inline; filename="{division_code}.ics"'})
