"""Small pure rules of the outbox: retry back-off and the Message-ID of an email."""

from datetime import timedelta

from notify.outbox import backoff
from notify.sender import message_id


def test_retries_back_off_exponentially_up_to_an_hour():
    assert [backoff(n) for n in range(8)] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60)]
    assert backoff(500) == timedelta(hours=1)


def test_the_message_id_is_the_same_for_the_same_email_and_differs_otherwise():
    first = message_id(7, [12, 3, 5], "Văn phòng Sở <dondoc@sct.example.vn>")
    assert first == message_id(7, [3, 5, 12], "dondoc@sct.example.vn")
    assert first.startswith("<dondoc.3.") and first.endswith("@sct.example.vn>")
    assert first != message_id(8, [3, 5, 12], "dondoc@sct.example.vn")
    assert first != message_id(7, [3, 5], "dondoc@sct.example.vn")
