"""Dates typed into the pages' forms: dd/mm/yyyy as people write it, and nothing ambiguous."""

from datetime import date

import pytest

from tasks.errors import Invalid
from web.pages.forms import parse_date
from web.pages.common import safe_next


@pytest.mark.parametrize("typed", ["19/03/2026", "19.03.2026", "19-03-2026", "19032026", " 19/3/2026 ", "2026-03-19"])
def test_a_date_is_read_the_way_people_write_it(typed):
    assert parse_date(typed, "day") == date(2026, 3, 19)


def test_an_empty_date_means_no_date():
    assert parse_date("  ", "day") is None


@pytest.mark.parametrize("typed", ["31/02/2026", "03/19/2026x", "2026/03/19", "19 tháng 3"])
def test_an_impossible_or_unreadable_date_is_refused_naming_the_field(typed):
    with pytest.raises(Invalid) as refused:
        parse_date(typed, "requested_due_on")
    assert "requested_due_on" in refused.value.fields


@pytest.mark.parametrize("target, expected", [
    ("/tasks/5?x=1", "/tasks/5?x=1"), ("//evil.example", "/"), ("https://evil.example/", "/"), ("/\\\\evil", "/"), ("tasks", "/"), (None, "/"),
])
def test_only_a_local_path_is_a_place_to_return_to_after_sign_in(target, expected):
    assert safe_next(target) == expected
