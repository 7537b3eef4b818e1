"""Every kind of email the outbox holds has a name in the reader's language, never its code
("remind_7" on a page was a rough edge of issue 12)."""

from __future__ import annotations

import pytest

from notify.digest import DIGEST_RULE
from notify.ladder import DEFAULT_LADDER
from notify.rule_labels import offset_label, rule_label
from notify.update_requests import REQUEST_RULE
from tasks.i18n import gettext_for
from tasks.notices import KINDS


@pytest.mark.parametrize("locale", ["vi", "en"])
def test_every_rule_a_page_can_show_has_a_name_not_a_code(locale):
    _ = gettext_for(locale)
    rules = [r.name for r in DEFAULT_LADDER.rules] + KINDS + [DIGEST_RULE, REQUEST_RULE, "overdue_5", "remind_10"]
    for rule in rules:
        label = rule_label(rule, _)
        assert label and label != rule and "_" not in label and "{" not in label, (rule, label)


def test_a_rule_is_named_by_its_offset_in_vietnamese():
    _ = gettext_for("vi")
    assert offset_label(-7, _) == "Trước hạn 7 ngày làm việc"
    assert offset_label(0, _) == "Đúng ngày đến hạn"
    assert offset_label(1, _) == "Quá hạn 1 ngày làm việc"
    assert rule_label("overdue_5", _) == "Quá hạn 5 ngày làm việc"
    # A rule the admin named otherwise is still named by what it does.
    assert rule_label("nhac_lan_cuoi", _, offset=-2) == "Trước hạn 2 ngày làm việc"
