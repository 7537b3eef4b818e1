"""Configuration is parsed strictly: a bad value is one clear line naming the variable."""

import pytest

from web.settings import DEFAULT_DATABASE_URL, Settings, SettingsError


def test_an_empty_environment_gives_the_embedded_defaults():
    s = Settings.from_env({})
    assert s.database_url == DEFAULT_DATABASE_URL
    assert s.timezone == "Asia/Ho_Chi_Minh" and s.smtp_url is None and s.due_soon_days == 3
    assert s.outbox_lease.total_seconds() == 600
    assert s.update_request == "fri 14:00" and Settings.from_env({"DONDOC_UPDATE_REQUEST": "Thu 09:30"}).update_request == "thu 09:30"


@pytest.mark.parametrize("name, value", [
    ("DONDOC_DATABASE_URL", "mysql://x"),
    ("DONDOC_TIMEZONE", "Mars/Base"),
    ("DONDOC_SMTP_URL", "http://mail"),
    ("DONDOC_BASE_URL", "dondoc.example"),
    ("DONDOC_DUE_SOON_DAYS", "three"),
    ("DONDOC_SECRET_KEY", "short"),
    ("DONDOC_OUTBOX_LEASE_MINUTES", "0"),
    ("DONDOC_OUTBOX_LEASE_MINUTES", "90"),
    ("DONDOC_UPDATE_REQUEST", "friday 2pm"),
    ("DONDOC_UPDATE_REQUEST", "fri 25:00"),
])
def test_a_bad_value_is_refused_with_a_line_naming_the_variable(name, value):
    with pytest.raises(SettingsError) as err:
        Settings.from_env({name: value})
    assert str(err.value).startswith(name) and "\n" not in str(err.value)


def test_a_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "key"
    secret.write_text("a-long-secret-from-a-file\n")
    assert Settings.from_env({"DONDOC_SECRET_KEY_FILE": str(secret)}).secret_key == "a-long-secret-from-a-file"


def test_a_missing_secret_file_is_a_clear_error(tmp_path):
    with pytest.raises(SettingsError, match="DONDOC_SECRET_KEY_FILE"):
        Settings.from_env({"DONDOC_SECRET_KEY_FILE": str(tmp_path / "absent")})
