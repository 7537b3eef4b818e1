"""Mails people can read: at most 30 tasks listed in one email and a link to the rest, both parts
saying the same, and a long Vietnamese subject that keeps every space however it is folded."""

from __future__ import annotations

import re
from datetime import date

from notify.mailer import SmtpMailer
from notify.passes import Notifier
from notify.sender import MAX_LISTED
from tasks import register
from tasks.calendar_days import load_calendar
from tasks.tables import Notice

from escalation_support import BASE_URL, TASK_LINK, ZONE, Department, local

TUESDAY = date(2026, 3, 3)
FRIDAY = date(2026, 3, 6)  # remind_3 falls due on TUESDAY


def instance(db, sink) -> Notifier:
    return Notifier(db, SmtpMailer(sink.url), timezone=ZONE, base_url=BASE_URL, mail_from="Văn phòng Sở <dondoc@sct.example.vn>")


async def test_a_head_with_200_due_tasks_gets_one_email_listing_30_and_a_link_to_the_rest(db, clock, sink):
    clock.at = local(TUESDAY, 9)
    dept = await Department(db, clock).build()
    calendar = await load_calendar(ZONE)
    await register.record_directive(db, dept.actors["vanphong"], clock.now(), calendar, register.NewDirective(
        number="500/UBND-KT", issuer="UBND tỉnh", summary="Về việc rà soát"), [
        register.NewTask(title=f"Rà soát cơ sở kinh doanh số {i}", lead_division="QLNL", leader_in_charge=None, due_on=FRIDAY)
        for i in range(200)])
    await Notice.update({Notice.queued_at: clock.now()}, force=True).run()  # assigned long ago: only the reminders are new

    result = await instance(db, sink).run_pass(clock.now())

    mails = sink.to(dept.address("truong.qlnl"))
    assert len(mails) == 1 and result.send.sent == 400  # both heads; every notification is recorded sent
    text = mails[0].get_body(("plain",)).get_content()
    html = mails[0].get_body(("html",)).get_content()
    assert len(set(TASK_LINK.findall(text))) == MAX_LISTED == 30
    assert len(set(TASK_LINK.findall(html))) == MAX_LISTED
    more = f"{BASE_URL}/tasks?state=open,in_progress&amp;due_to=06/03/2026&amp;division=QLNL"
    assert "… và 170 nhiệm vụ khác:" in text and more.replace("&amp;", "&") in text
    assert "… và 170 nhiệm vụ khác:" in html and more in html
    assert "200" in mails[0]["Subject"]


async def test_a_subject_of_120_vietnamese_characters_arrives_with_every_space(db, clock, sink):
    clock.at = local(TUESDAY, 9)
    dept = await Department(db, clock).build()
    calendar = await load_calendar(ZONE)
    title = ("Rà soát, cập nhật chỉ giới phạm vi bảo vệ hành lang an toàn lưới điện cao áp và các công trình "
             "thủy lợi trên địa bàn tỉnh")
    assert len(title) >= 120
    await dept.task(calendar, FRIDAY, title=title)

    await instance(db, sink).run_pass(clock.now())

    subject = str(sink.to(dept.address("truong.qlnl"))[0]["Subject"])
    assert subject == f"[Đôn đốc] Còn 3 ngày làm việc đến hạn: {title}"
    raw = [m for rcpt, m in sink.received if rcpt == dept.address("truong.qlnl")][0].as_bytes()
    assert re.search(rb"^Subject: .*\r?\n\s", raw, re.M)  # it was folded on the way
