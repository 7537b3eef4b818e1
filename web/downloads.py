"""A file download, the same from the pages and the API: the export's bytes, its media type and a
Content-Disposition every browser reads. An ASCII name goes as `filename="…"`; any other also as
`filename*=UTF-8''…` (RFC 5987/6266), with an ASCII fallback (accents and "đ" folded away) for
the clients that know only the first."""

from __future__ import annotations

import re
from urllib.parse import quote

from litestar import Response

from tasks.exports.build import Export
from tasks.importer import fold


def content_disposition(filename: str) -> str:
    plain = re.sub(r'[^A-Za-z0-9._-]+', "-", fold(filename) if not filename.isascii() else filename).strip("-") or "download"
    if filename.isascii() and plain == filename:
        return f'attachment; filename="{filename}"'
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(filename, safe='')}"


def attachment(export: Export) -> Response:
    return Response(export.content, media_type=export.media_type, headers={"Content-Disposition": content_disposition(export.filename)})
