"""The API documentation page at /schema: the vendored Swagger UI (web/static/swagger), started by
/static/swagger-init.js rather than by Litestar's inline script, so the page runs under a
Content-Security-Policy without inline script (web.security)."""

from __future__ import annotations

from html import escape
from typing import Any

from litestar import Request
from litestar.openapi.plugins import SwaggerRenderPlugin


class VendoredSwagger(SwaggerRenderPlugin):
    def __init__(self) -> None:
        # Served from web/static (vendored swagger-ui-dist 5.35.0): no CDN.
        super().__init__(js_url="/static/swagger/swagger-ui-bundle.js", css_url="/static/swagger/swagger-ui.css",
                         standalone_preset_js_url="/static/swagger/swagger-ui-standalone-preset.js", favicon="", style="")

    def render(self, request: Request, openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        spec_url = escape(self.get_openapi_json_route(request))
        return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link href="{escape(self.css_url)}" rel="stylesheet">
<script src="{escape(self.js_url)}" defer></script>
<script src="{escape(self.standalone_preset_js_url)}" defer></script>
<script src="/static/swagger-init.js" defer></script>
</head>
<body>
<div id="swagger-container" data-spec-url="{spec_url}"></div>
</body>
</html>
""".encode()
