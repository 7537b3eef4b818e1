"""The OpenAPI document at /schema, read without a server: every API error is the one Error shape
of web.errors, every operation says what it answers, and bodies that refuse unknown fields say so.
(tests/integration/test_api_fuzz.py then holds a running instance to the document.)"""

from __future__ import annotations

import pytest

from web.app import create_app
from web.settings import Settings


@pytest.fixture(scope="module")
def document() -> dict:
    app = create_app(Settings(database_url="sqlite:///unused.sqlite3", scheduler=False))
    return app.openapi_schema.to_schema()


def operations(document: dict):
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if method in ("get", "post", "put", "patch", "delete"):
                yield f"{method.upper()} {path}", operation


def test_every_error_answer_is_the_one_error_shape(document):
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error", "fields", "message"]
    for name, operation in operations(document):
        for status, answer in operation["responses"].items():
            if int(status) >= 400:
                assert answer["content"] == {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}, (name, status)


def test_every_operation_has_one_success_and_names_its_refusals(document):
    for name, operation in operations(document):
        statuses = {int(s) for s in operation["responses"]}
        assert len({s for s in statuses if s < 300}) == 1, (name, statuses)
        assert 422 in statuses, name  # a control character in any query parameter (web.inputs)
        if name == "POST /api/v1/auth/token":
            assert operation["security"] == [{}] and {401, 429} <= statuses
        else:
            assert "security" not in operation and 401 in statuses, name
        if "{" in name:
            assert 404 in statuses or name.startswith("GET /api/v1/reports/{kind}"), name
    assert document["security"] == [{"bearer": []}]
    assert document["components"]["securitySchemes"]["bearer"]["scheme"] == "bearer"


def test_request_bodies_that_refuse_unknown_fields_say_so(document):
    schemas = document["components"]["schemas"]
    for name in ("TaskIn", "DirectiveIn", "ProgressIn", "EscalationIn", "RuleIn", "TokenIn", "WebhookIn"):
        assert schemas[name]["additionalProperties"] is False, name
    assert "additionalProperties" not in schemas["Task"]  # answers may grow fields


def test_a_report_download_declares_each_file_type(document):
    ok = document["paths"]["/api/v1/reports/{kind}/export"]["get"]["responses"]["200"]
    assert set(ok["content"]) == {"text/csv", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                                  "application/vnd.openxmlformats-officedocument.wordprocessingml.document"}
