"""The OpenAPI document and its page at /schema: every API operation takes a bearer token (the token
endpoint says it needs none), and the page is the vendored Swagger UI (web/static/swagger), started
by /static/swagger-init.js rather than by Litestar's inline script, so the page runs under a
Content-Security-Policy without inline script (web.security). Each operation's answers are
declared with it (web.api.answers)."""

from __future__ import annotations

from html import escape
from typing import Any

import msgspec
from litestar import Request
from litestar._openapi.schema_generation.plugins import StructSchemaPlugin
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, Schema, SecurityScheme
from litestar.typing import FieldDefinition


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


def openapi_config() -> OpenAPIConfig:
    bearer = SecurityScheme(type="http", scheme="bearer", bearer_format="JWT",
                            description="The token of POST /api/v1/auth/token, as `Authorization: Bearer …`.")
    return OpenAPIConfig(title="dondoc", version="1", path="/schema", render_plugins=[VendoredSwagger()],
                         components=Components(security_schemes={"bearer": bearer}), security=[{"bearer": []}])


class StrictBodies(StructSchemaPlugin):
    """A request body that refuses unknown fields (`forbid_unknown_fields`, web.api.schemas) says
    so in the document (`additionalProperties: false`), as Litestar's own plugin does not. It
    extends that plugin, which Litestar 2.25 keeps in a private module: check it on upgrades
    (tests/unit/test_openapi_document.py does)."""

    def to_openapi_schema(self, field_definition: FieldDefinition, schema_creator: Any) -> Schema:
        schema = super().to_openapi_schema(field_definition, schema_creator)
        if msgspec.inspect.type_info(field_definition.type_).forbid_unknown_fields:
            schema.additional_properties = False
        return schema
