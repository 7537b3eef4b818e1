"""The operator's settings: who may read /metrics, and the log format."""

import logging
import json

import pytest

from web.logs import JsonFormatter, request_id
from web.metrics import metrics_allowed
from web.settings import Settings, SettingsError, parse_allow_list

LOOPBACK = Settings().metrics_networks


def test_by_default_only_loopback_may_read_the_metrics():
    assert metrics_allowed("127.0.0.1", LOOPBACK)
    assert metrics_allowed("::1", LOOPBACK)
    assert metrics_allowed("::ffff:127.0.0.1", LOOPBACK)
    for outside in ("10.0.0.5", "192.168.1.20", "203.0.113.7", "2001:db8::1", "::ffff:10.0.0.5"):
        assert not metrics_allowed(outside, LOOPBACK), outside


def test_no_address_or_a_name_instead_of_an_address_never_may():
    assert not metrics_allowed(None, LOOPBACK)
    assert not metrics_allowed("", LOOPBACK)
    assert not metrics_allowed("localhost", LOOPBACK)


def test_the_allow_list_takes_addresses_and_networks_from_the_environment():
    networks = Settings.from_env({"DONDOC_METRICS_ALLOW": "10.1.0.0/16, 192.0.2.9 ,2001:db8::/32"}).metrics_networks
    assert metrics_allowed("10.1.200.3", networks) and metrics_allowed("192.0.2.9", networks)
    assert metrics_allowed("2001:db8::7", networks)
    assert not metrics_allowed("10.2.0.1", networks) and not metrics_allowed("127.0.0.1", networks)


def test_a_bad_allow_list_entry_stops_start_up_naming_it():
    with pytest.raises(SettingsError, match=r"DONDOC_METRICS_ALLOW: not an IP address or network: 'prometheus.local'"):
        Settings.from_env({"DONDOC_METRICS_ALLOW": "127.0.0.1, prometheus.local"})
    assert parse_allow_list("") == ()


def test_the_log_format_is_text_or_json():
    assert Settings.from_env({}).log_format == "text"
    assert Settings.from_env({"DONDOC_LOG_FORMAT": "JSON"}).log_format == "json"
    with pytest.raises(SettingsError, match="DONDOC_LOG_FORMAT: expected text or json, got 'xml'"):
        Settings.from_env({"DONDOC_LOG_FORMAT": "xml"})


def test_a_json_log_line_carries_the_request_id_and_the_request_fields():
    record = logging.LogRecord("dondoc.request", logging.INFO, __file__, 1, "request", None, None)
    record.route, record.status, record.user_id = "/tasks/{task_id:int}", 200, 7
    token = request_id.set("abc123")
    try:
        line = JsonFormatter().format(record)
    finally:
        request_id.reset(token)
    entry = json.loads(line)
    assert "\n" not in line
    assert entry["request_id"] == "abc123" and entry["route"] == "/tasks/{task_id:int}"
    assert entry["status"] == 200 and entry["user_id"] == 7 and entry["level"] == "info"
