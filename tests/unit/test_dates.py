"""The one reader and writer of dates, the one range of dates dondoc accepts, and the places that
compute or read a date holding to it."""

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import msgspec
import pytest

from tasks.calendar import build_calendar
from tasks.dates import EARLIEST, LATEST, as_date, check_date, format_date, format_datetime
from tasks.errors import Invalid
from tasks.register import NewTask, resolve_due_on
from web.pages.forms import parse_date

CAL = build_calendar("Asia/Ho_Chi_Minh", [])
NOW = datetime(2026, 3, 3, 2, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("value", [None, EARLIEST, date(2026, 3, 3), LATEST])
def test_an_empty_date_and_every_date_from_2000_to_2100_pass(value):
    assert check_date(value, "due_on") == value


@pytest.mark.parametrize("value", [date(1999, 12, 31), date(2101, 1, 1), date(9999, 12, 31), date(1, 1, 1)])
def test_a_date_outside_the_range_is_refused_naming_the_field_and_the_date(value):
    with pytest.raises(Invalid) as refused:
        check_date(value, "requested_due_on")
    assert list(refused.value.fields) == ["requested_due_on"]
    assert refused.value.params["value"] == value.strftime("%d/%m/%Y")


def test_msgspec_cannot_bound_a_date_itself_which_is_why_the_bodies_call_check_date():
    with pytest.raises(TypeError):
        msgspec.Meta(ge=EARLIEST)


def test_a_deadline_of_n_working_days_that_lands_after_2100_is_refused():
    task = NewTask(title="Báo cáo", lead_division="QLNL", due_in_working_days=30)
    assert resolve_due_on(task, {"received_on": date(2026, 2, 26)}, NOW, CAL, "tasks.0.") == date(2026, 4, 9)
    with pytest.raises(Invalid) as refused:
        resolve_due_on(task, {"received_on": date(2100, 12, 1)}, NOW, CAL, "tasks.0.")
    assert list(refused.value.fields) == ["tasks.0.due_in_working_days"]


@pytest.mark.parametrize("typed", ["31/12/9999", "31121999", "1999-12-31"])
def test_a_page_form_refuses_a_date_out_of_range_however_it_is_written(typed):
    with pytest.raises(Invalid) as refused:
        parse_date(typed, "due_on")
    assert list(refused.value.fields) == ["due_on"]
    assert "outside" in refused.value.message


@pytest.mark.parametrize("written", ["19/03/2026", "19.03.2026", "19-3-2026", "19032026", "2026-03-19",
                                     "19/03/2026 08:30", "2026-03-19T08:30:00+07:00", datetime(2026, 3, 19, 8, 30)])
def test_every_way_a_date_is_written_reads_as_the_same_day(written):
    # One reader for the forms, the Excel import, the command line and the database's text.
    assert as_date(written) == date(2026, 3, 19)
    assert format_date(as_date(written)) == "19/03/2026"


@pytest.mark.parametrize("written", ["32/01/2026", "2026/03/19", "1234", "hôm nay", "19/03/26"])
def test_what_is_not_a_date_is_refused(written):
    with pytest.raises(ValueError):
        as_date(written)


def test_an_instant_is_written_in_the_provinces_time():
    assert format_datetime(NOW, ZoneInfo("Asia/Ho_Chi_Minh")) == "03/03/2026 09:00"
    assert format_datetime(None, ZoneInfo("Asia/Ho_Chi_Minh")) == format_date(None) == ""
