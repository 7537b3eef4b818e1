"""A demo Sở Công Thương (Quảng Trị) for `dondoc seed-demo`: divisions, users for every role and
about fifty directives with some three hundred tasks whose histories are played through the real
services (record, progress, extension, submit, confirm, pause, cancel), so the audit log, the
reports and the escalation ladder all show true data rather than rows inserted behind their back.

Everything is drawn from random.Random(2026) and placed relative to `now`: the same `now` gives the
same data, and a later `now` shifts the whole history with it. Every action happens on a working day
before today (province time), so nothing is ever dated after `now`."""

from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, time, timedelta, timezone
from typing import Any


from tasks import accounts, extensions, lifecycle, register
from tasks.calendar import WorkingCalendar
from tasks.calendar_days import load_calendar
from tasks.errors import N_, Conflict
from tasks.register import NewDirective, NewTask
from tasks.state import TaskState
from tasks.db import Db
from tasks.tables import Division, Notice, User

DEMO_PASSWORD = "dondoc2026"
DOMAIN = "sct.quangtri.gov.vn"

# (code, name, head's full name, leader in charge). Each head signs in as truongphong.<code>.
DIVISIONS = [
    ("VP", "Văn phòng Sở", "Lê Thị Thu Hà", "giamdoc"),
    ("TTRA", "Thanh tra Sở", "Nguyễn Văn Thắng", "pgd.son"),
    ("KHTC", "Phòng Kế hoạch - Tài chính - Tổng hợp", "Trần Thị Mỹ Linh", "giamdoc"),
    ("QLNL", "Phòng Quản lý năng lượng", "Hoàng Văn Dũng", "pgd.tuan"),
    ("KTATMT", "Phòng Kỹ thuật an toàn - Môi trường", "Phan Thanh Tùng", "pgd.tuan"),
    ("QLCN", "Phòng Quản lý công nghiệp", "Đặng Quốc Việt", "pgd.son"),
    ("QLTM", "Phòng Quản lý thương mại", "Võ Thị Hồng Nhung", "pgd.lan"),
]
LEADER_OF = {code: leader for code, _, _, leader in DIVISIONS}
ADMIN = ("quantri", "Phạm Minh Khoa", "admin", None)
USERS = [  # besides the admin and the heads: (username, full name, role, division)
    ("vanphong", "Nguyễn Thị Thanh Hương", "office", "VP"),
    ("vanthu", "Trương Thị Kim Oanh", "office", "VP"),
    ("giamdoc", "Trần Quốc Hưng", "leader", None),
    ("pgd.lan", "Lê Thị Phương Lan", "leader", None),
    ("pgd.tuan", "Hồ Anh Tuấn", "leader", None),
    ("pgd.son", "Ngô Đức Sơn", "leader", None),
]

# (weight, issuer, signers, number pattern, kind, summary prefix, numbers the issuer uses per day):
# numbers grow through the year as real registers do; {bct} is the Ministry department by topic.
ISSUERS = [
    (13, "UBND tỉnh", ("Chủ tịch UBND tỉnh", "Phó Chủ tịch UBND tỉnh", "Phó Chủ tịch Thường trực UBND tỉnh"), "{n}/UBND-KT", "document", "V/v ", 22),
    (7, "UBND tỉnh", ("Chánh Văn phòng UBND tỉnh",), "{n}/TB-UBND", "meeting", "Kết luận của Phó Chủ tịch UBND tỉnh tại cuộc họp về ", 0.9),
    (4, "UBND tỉnh", ("Phó Chủ tịch UBND tỉnh",), "{n}/QĐ-UBND", "document", "Ban hành Kế hoạch ", 9),
    (3, "UBND tỉnh", ("Chủ tịch UBND tỉnh",), "{n}/KH-UBND", "document", "Kế hoạch ", 1.1),
    (2, "UBND tỉnh", ("Chủ tịch UBND tỉnh",), "{n}/CT-UBND", "document", "Chỉ thị về ", 0.06),
    (3, "Tỉnh ủy", ("Bí thư Tỉnh ủy", "Phó Bí thư Thường trực Tỉnh ủy"), "{n}-KL/TU", "meeting", "Kết luận của Ban Thường vụ Tỉnh ủy về ", 0.5),
    (6, "Bộ Công Thương", ("Thứ trưởng Bộ Công Thương",), "{n}/BCT-{bct}", "document", "V/v ", 25),
    (3, "Giám đốc Sở", ("Giám đốc Sở",), "YK-{n}/SCT", "instruction", "Ý kiến chỉ đạo của Giám đốc Sở về ", 0.15),
]
BCT_DEPARTMENT = {"QLNL": "ĐTĐL", "KTATMT": "ATMT", "QLCN": "CTĐP", "QLTM": "TTTN"}

# (lead, possible supporting divisions, summary phrases, task titles). {y} is the year received.
TOPICS = [
    ("QLNL", "KTATMT KHTC", ["bảo đảm cung ứng điện mùa khô năm {y}", "tăng cường tiết kiệm điện năm {y}"], [
        "Đôn đốc Công ty Điện lực Quảng Trị xây dựng phương án cấp điện mùa khô", "Tổng hợp tình hình cung ứng điện hằng tháng, báo cáo UBND tỉnh",
        "Kiểm tra việc thực hiện tiết kiệm điện tại các cơ quan hành chính", "Tuyên truyền sử dụng điện tiết kiệm, hiệu quả trong doanh nghiệp và nhân dân",
        "Phối hợp điều tiết nước các hồ thủy điện phục vụ sản xuất nông nghiệp", "Lập danh sách khách hàng sử dụng điện quan trọng, trình UBND tỉnh",
        "Kiểm tra tiến độ các công trình lưới điện 110 kV trên địa bàn"]),
    ("KTATMT", "QLNL TTRA", ["bảo đảm an toàn đập, hồ chứa thủy điện mùa mưa lũ năm {y}", "phòng, chống thiên tai và tìm kiếm cứu nạn ngành Công Thương năm {y}"], [
        "Kiểm tra an toàn đập, hồ chứa thủy điện trước mùa mưa lũ", "Thẩm định phương án ứng phó thiên tai cho vùng hạ du đập thủy điện",
        "Rà soát quy trình vận hành hồ chứa thủy điện, đề xuất điều chỉnh", "Yêu cầu các chủ đập lắp đặt hệ thống cảnh báo vùng hạ du",
        "Tổ chức diễn tập ứng phó tình huống khẩn cấp đập thủy điện", "Tổng hợp thiệt hại do mưa lũ đối với công trình công nghiệp, năng lượng",
        "Kiểm tra việc cắm mốc chỉ giới phạm vi bảo vệ đập"]),
    ("KTATMT", "TTRA QLCN", ["tăng cường quản lý an toàn hóa chất và vật liệu nổ công nghiệp", "bảo đảm an toàn thực phẩm thuộc lĩnh vực Công Thương năm {y}"], [
        "Kiểm tra an toàn hóa chất tại các cơ sở sản xuất, kinh doanh", "Thẩm định kế hoạch phòng ngừa, ứng phó sự cố hóa chất của doanh nghiệp",
        "Kiểm tra điều kiện an toàn thực phẩm các cơ sở thuộc lĩnh vực Công Thương", "Cập nhật cơ sở dữ liệu hóa chất quốc gia",
        "Tập huấn an toàn hóa chất cho doanh nghiệp", "Rà soát kho vật liệu nổ công nghiệp tại các mỏ khai thác đá"]),
    ("QLCN", "KHTC QLNL", ["đẩy nhanh tiến độ đầu tư hạ tầng các cụm công nghiệp", "thành lập, mở rộng cụm công nghiệp trên địa bàn tỉnh"], [
        "Rà soát tình hình đầu tư hạ tầng kỹ thuật các cụm công nghiệp", "Thẩm định hồ sơ đề nghị thành lập, mở rộng cụm công nghiệp",
        "Đôn đốc chủ đầu tư hoàn thành hệ thống xử lý nước thải tập trung", "Đề xuất cơ chế hỗ trợ đầu tư hạ tầng cụm công nghiệp",
        "Báo cáo tỷ lệ lấp đầy và tình hình hoạt động các cụm công nghiệp", "Làm việc với nhà đầu tư chậm triển khai dự án, đề xuất xử lý"]),
    ("QLCN", "KHTC VP", ["triển khai Chương trình khuyến công năm {y}", "phát triển sản phẩm công nghiệp nông thôn tiêu biểu năm {y}"], [
        "Xây dựng kế hoạch khuyến công địa phương", "Thẩm định các đề án khuyến công hỗ trợ máy móc, thiết bị",
        "Tổ chức bình chọn sản phẩm công nghiệp nông thôn tiêu biểu cấp tỉnh", "Nghiệm thu các đề án khuyến công đã hoàn thành",
        "Hỗ trợ cơ sở công nghiệp nông thôn tham gia hội chợ", "Tổng hợp tình hình giải ngân kinh phí khuyến công"]),
    ("QLTM", "TTRA QLCN", ["đấu tranh chống buôn lậu, gian lận thương mại và hàng giả dịp cuối năm {y}", "kiểm soát hàng giả, hàng kém chất lượng trên thương mại điện tử"], [
        "Phối hợp lực lượng quản lý thị trường kiểm tra hàng hóa nhập lậu", "Tổng hợp kết quả chống buôn lậu hằng tháng gửi Ban Chỉ đạo 389 tỉnh",
        "Tuyên truyền nhận diện hàng giả, hàng nhái cho người tiêu dùng", "Rà soát các điểm nóng buôn lậu trên tuyến biên giới Lao Bảo",
        "Kiểm tra niêm yết giá, ghi nhãn hàng hóa tại chợ, siêu thị", "Đề xuất xử lý các vụ việc vi phạm vượt thẩm quyền"]),
    ("QLTM", "KHTC KTATMT", ["phát triển và quản lý chợ truyền thống giai đoạn {y}–{y5}", "chuyển đổi mô hình quản lý, kinh doanh, khai thác chợ"], [
        "Rà soát hiện trạng mạng lưới chợ trên địa bàn tỉnh", "Hướng dẫn địa phương lập phương án chuyển đổi mô hình quản lý chợ",
        "Kiểm tra phòng cháy, chữa cháy tại các chợ hạng I, hạng II", "Đề xuất danh mục chợ ưu tiên đầu tư từ ngân sách",
        "Xây dựng mô hình chợ bảo đảm an toàn thực phẩm", "Thẩm định phương án chuyển đổi chợ của các địa phương"]),
    ("QLTM", "VP KHTC", ["xúc tiến thương mại năm {y}", "tổ chức Hội chợ Công Thương - OCOP năm {y}"], [
        "Xây dựng Chương trình xúc tiến thương mại của tỉnh", "Tổ chức đoàn doanh nghiệp tham gia hội chợ trong nước",
        "Tổ chức Hội chợ Công Thương - OCOP tỉnh", "Kết nối tiêu thụ nông sản với các hệ thống siêu thị",
        "Hỗ trợ doanh nghiệp xuất khẩu sang Lào, Thái Lan qua hành lang kinh tế Đông - Tây", "Báo cáo kết quả chương trình xúc tiến thương mại"]),
    ("QLTM", "TTRA KTATMT", ["bảo đảm nguồn cung và quản lý kinh doanh xăng dầu trên địa bàn", "quản lý kinh doanh khí dầu mỏ hóa lỏng (LPG)"], [
        "Kiểm tra việc chấp hành quy định về kinh doanh xăng dầu", "Theo dõi nguồn cung, báo cáo cửa hàng xăng dầu tạm ngừng bán",
        "Đôn đốc cửa hàng xăng dầu xuất hóa đơn điện tử theo từng lần bán", "Rà soát quy hoạch mạng lưới cửa hàng xăng dầu",
        "Cấp, điều chỉnh giấy chứng nhận đủ điều kiện bán lẻ xăng dầu", "Kiểm tra an toàn phòng cháy tại cửa hàng kinh doanh LPG"]),
    ("QLTM", "VP KHTC", ["phát triển thương mại điện tử giai đoạn {y}–{y5}", "thúc đẩy thương mại điện tử và thanh toán không dùng tiền mặt"], [
        "Xây dựng Kế hoạch phát triển thương mại điện tử của tỉnh", "Hỗ trợ doanh nghiệp, hợp tác xã đưa sản phẩm lên sàn thương mại điện tử",
        "Tập huấn kỹ năng bán hàng trực tuyến cho hộ kinh doanh", "Khảo sát mức độ ứng dụng thương mại điện tử của doanh nghiệp",
        "Tổng hợp số liệu thương mại điện tử báo cáo Bộ Công Thương", "Xây dựng gian hàng sản phẩm OCOP trên sàn thương mại điện tử"]),
    ("QLNL", "QLCN KTATMT", ["phát triển điện gió, điện mặt trời theo Quy hoạch điện VIII", "tháo gỡ vướng mắc các dự án nguồn điện trên địa bàn tỉnh"], [
        "Rà soát tiến độ các dự án điện gió khu vực Hướng Hóa", "Đăng ký danh mục dự án nguồn điện vào Kế hoạch thực hiện Quy hoạch điện VIII",
        "Hướng dẫn phát triển điện mặt trời mái nhà tự sản xuất, tự tiêu thụ", "Làm việc với chủ đầu tư về vướng mắc đấu nối, giải tỏa công suất",
        "Thẩm định thiết kế công trình đường dây và trạm biến áp", "Báo cáo tình hình thực hiện các dự án năng lượng"]),
    ("KHTC", "VP QLCN QLTM", ["xây dựng kế hoạch phát triển kinh tế - xã hội và dự toán ngân sách năm {y1}", "thực hiện các chỉ tiêu kinh tế - xã hội năm {y}"], [
        "Báo cáo tình hình thực hiện các chỉ tiêu ngành Công Thương", "Lập dự toán ngân sách năm {y1} của Sở",
        "Tổng hợp chỉ số sản xuất công nghiệp (IIP) và tổng mức bán lẻ hàng hóa", "Đề xuất chỉ tiêu kế hoạch ngành Công Thương năm {y1}",
        "Báo cáo giải ngân vốn đầu tư công thuộc lĩnh vực ngành", "Cập nhật số liệu xuất nhập khẩu trên địa bàn"]),
    ("VP", "KHTC TTRA", ["cải cách hành chính và chuyển đổi số năm {y}", "nâng cao chỉ số năng lực cạnh tranh cấp tỉnh (PCI) năm {y}"], [
        "Rà soát, đơn giản hóa thủ tục hành chính thuộc thẩm quyền của Sở", "Cung cấp dịch vụ công trực tuyến toàn trình",
        "Báo cáo khắc phục các chỉ số thành phần PCI giảm điểm", "Số hóa hồ sơ, kết quả giải quyết thủ tục hành chính",
        "Tự đánh giá chỉ số cải cách hành chính của Sở", "Tổ chức đối thoại với doanh nghiệp ngành Công Thương"]),
    ("TTRA", "VP QLNL", ["thanh tra, kiểm tra chuyên ngành Công Thương năm {y}", "giải quyết khiếu nại, tố cáo và phòng, chống tham nhũng năm {y}"], [
        "Thanh tra việc chấp hành pháp luật về điện lực tại các đơn vị bán lẻ điện", "Kiểm tra việc thực hiện các kết luận thanh tra",
        "Giải quyết đơn phản ánh của công dân về hành lang an toàn lưới điện", "Xây dựng Kế hoạch thanh tra năm {y1}",
        "Rà soát chồng chéo trong thanh tra, kiểm tra doanh nghiệp", "Báo cáo công tác phòng, chống tham nhũng hằng quý"]),
    ("QLCN", "KHTC KTATMT", ["phát triển công nghiệp hỗ trợ và công nghiệp chế biến nông sản", "tháo gỡ khó khăn cho sản xuất công nghiệp năm {y}"], [
        "Khảo sát nhu cầu hỗ trợ của doanh nghiệp công nghiệp hỗ trợ", "Xây dựng danh mục dự án công nghiệp chế biến kêu gọi đầu tư",
        "Theo dõi sản xuất của doanh nghiệp chế biến gỗ, cao su", "Đề xuất giải pháp tháo gỡ khó khăn cho doanh nghiệp sản xuất",
        "Báo cáo tình hình sản xuất công nghiệp hằng tháng"]),
    ("QLTM", "KHTC TTRA", ["bình ổn thị trường, bảo đảm cung cầu hàng hóa dịp Tết Nguyên đán {y1}", "thực hiện Cuộc vận động Người Việt Nam ưu tiên dùng hàng Việt Nam năm {y}"], [
        "Xây dựng kế hoạch dự trữ hàng hóa thiết yếu phục vụ Tết", "Theo dõi diễn biến giá cả thị trường, báo cáo hằng tuần",
        "Tổ chức chương trình đưa hàng Việt về nông thôn, miền núi", "Làm việc với doanh nghiệp tham gia chương trình bình ổn thị trường",
        "Kiểm tra hoạt động kinh doanh tại các siêu thị, trung tâm thương mại"]),
]
PHASES = ["Xây dựng kế hoạch triển khai", "Tổ chức thực hiện", "Tổng hợp kết quả, báo cáo"]  # sub-tasks of a big task
PROGRESS_NOTES = [
    "Đã ban hành văn bản đề nghị các địa phương, đơn vị báo cáo", "Đang tổng hợp số liệu từ các địa phương",
    "Đã tổ chức kiểm tra {n} cơ sở, đang hoàn thiện biên bản", "Đã xây dựng dự thảo, đang lấy ý kiến các sở, ngành",
    "Đã làm việc với doanh nghiệp, đang chờ hồ sơ bổ sung", "Đã khảo sát thực địa, đang xây dựng báo cáo",
]
SUPPORT_NOTES = ["Đã cung cấp số liệu thuộc lĩnh vực phụ trách", "Đã cử cán bộ tham gia đoàn kiểm tra"]
EXTENSION_REASONS = [
    "Số liệu của các địa phương chưa đầy đủ", "Chờ ý kiến góp ý của các sở, ngành",
    "Ảnh hưởng của mưa lũ, chưa thể kiểm tra thực địa", "Doanh nghiệp chưa bổ sung hồ sơ theo yêu cầu",
]
PAUSE_REASONS = ["Chờ hướng dẫn của Bộ Công Thương", "Tạm dừng để rà soát lại theo chỉ đạo của UBND tỉnh"]
CANCEL_REASONS = ["UBND tỉnh đã giao Sở Xây dựng chủ trì", "Nội dung đã được thực hiện trong nhiệm vụ khác", "Dự án đã dừng triển khai"]
# The final state of each task, weighted: mostly done or running, roughly one in nine overdue.
OUTCOMES = {"done_on_time": 28, "done_late": 9, TaskState.SUBMITTED: 5, "on_track": 20, "due_soon": 8,
            "overdue": 9, "no_deadline": 9, TaskState.PAUSED: 3, TaskState.CANCELLED: 3}
DONE_OUTCOMES = ("done_on_time", "done_late")
MIN_AGE = {"done_on_time": 2, "done_late": 3, TaskState.SUBMITTED: 2, "overdue": 2, TaskState.PAUSED: 2, TaskState.CANCELLED: 2}
DIRECTIVES = 50


async def seed_demo(db: Db, now: datetime, timezone_name: str) -> bool:
    """Load the demo once; False (and nothing written) when its Văn phòng is already there."""
    if await Division.exists().where(Division.code == "VP").run():
        return False
    usernames = [ADMIN[0], *(u[0] for u in USERS), *(f"truongphong.{d[0].lower()}" for d in DIVISIONS)]
    taken = await User.select(User.username).where(User.username.is_in(usernames)).run()
    if taken:  # refuse before writing anything rather than leave half a demo behind
        raise Conflict(N_("Username {value} is already taken."), fields={"username": N_("Already in use")}, value=taken[0]["username"])
    seeder = _Seeder(db, now, await load_calendar(timezone_name))
    await seeder.people()
    seeder.plan()
    await seeder.play()
    # The demo's months of history were told to everyone as they happened: nothing of it is mailed
    # now, and only the last week's notices are still unread in the inboxes.
    await Notice.update({Notice.queued_at: now}, force=True).run()
    await Notice.update({Notice.read_at: now}).where(Notice.created_at < now - timedelta(days=7)).run()
    return True


class _Seeder:
    def __init__(self, db: Db, now: datetime, calendar: WorkingCalendar) -> None:
        self.db, self.cal, self.rng = db, calendar, random.Random(2026)
        self.today = calendar.today(now)
        self.last = calendar.previous_working_day(self.today)  # the last day anything happens
        self.start = self.at(self.wd(-120), -30)  # people and divisions exist before any directive
        self.actors: dict[str, Any] = {}
        self.actions: list[tuple[datetime, int, Any, tuple]] = []
        self.ids: dict[Any, int] = {}  # (directive, task[, phase]) -> task id; ("ext", key) -> extension id
        self.numbers: set[tuple[str, str]] = set()

    async def people(self) -> None:
        def add(row: dict) -> None:
            self.actors[row["username"]] = accounts.actor_from_row(row)

        user = dict(zip(("username", "full_name", "role", "division_code"), ADMIN))
        add(await accounts.create_user(self.db, None, self.start, email=f"{ADMIN[0]}@{DOMAIN}", password=DEMO_PASSWORD, **user))
        admin = self.actors[ADMIN[0]]
        for code, name, _, _ in DIVISIONS:
            await accounts.create_division(self.db, admin, self.start, code=code, name=name, email=f"{code.lower()}@{DOMAIN}")
        heads = [(f"truongphong.{code.lower()}", head, "head", code) for code, _, head, _ in DIVISIONS]
        for username, full_name, role, division in USERS + heads:
            add(await accounts.create_user(self.db, admin, self.start, username=username, full_name=full_name, email=f"{username}@{DOMAIN}",
                                         role=role, division_code=division, password=DEMO_PASSWORD))

    def wd(self, n: int, day: date | None = None) -> date:
        return self.cal.add_working_days(day or self.today, n)

    def pick_days(self, lo: date, hi: date, k: int) -> list[date]:
        days = [lo + timedelta(i) for i in range((hi - lo).days + 1)]
        days = [d for d in days if self.cal.is_working(d)]
        return sorted(self.rng.sample(days, min(k, len(days))))

    def at(self, day: date, minutes: int) -> datetime:
        local = datetime.combine(day, time(7, 30), tzinfo=self.cal.timezone) + timedelta(minutes=minutes)
        return local.astimezone(timezone.utc)

    def act(self, when: datetime, fn, *args) -> None:
        self.actions.append((when, len(self.actions), fn, args))

    def plan(self) -> None:
        """Lay out every directive and task history as timed actions, played later in time order."""
        rng = self.rng
        ages = sorted((rng.choice([rng.randint(2, 10), rng.randint(10, 45), rng.randint(10, 45), rng.randint(45, 110)])
                       for _ in range(DIRECTIVES)), reverse=True)
        for i, age in enumerate(ages):
            lead, supports, phrases, titles = TOPICS[i % len(TOPICS)]
            received = self.wd(-age)
            issued = self.wd(-rng.choice([0, 1, 1, 2, 3]), received)
            y = {"y": received.year, "y1": received.year + 1, "y5": received.year + 5}
            _, issuer, signers, pattern, kind, prefix, per_day = rng.choices(ISSUERS, [w[0] for w in ISSUERS])[0]
            n = int(issued.timetuple().tm_yday * per_day) + rng.randint(1, int(per_day * 3) + 2)
            while (issuer, pattern.format(n=n, bct=BCT_DEPARTMENT.get(lead, "VP"))) in self.numbers:
                n += 1  # numbers are unique per issuer
            number = pattern.format(n=n, bct=BCT_DEPARTMENT.get(lead, "VP"))
            self.numbers.add((issuer, number))
            directive = NewDirective(number=number, issuer=issuer, signer=rng.choice(signers), issued_on=issued, received_on=received,
                                     kind=kind, summary=prefix + phrases[(i // len(TOPICS)) % len(phrases)].format(**y))
            recorded = self.at(received, rng.randint(0, 60))
            new_tasks, later = [], []
            for j, title in enumerate(rng.sample(titles, rng.randint(4, min(7, len(titles))))):
                task, leader = self.story((i, j), received, age, lead, supports, title.format(**y), None)
                new_tasks.append(task)
                if rng.random() < 0.07:  # a big task split into phases, created right after the directive
                    later += [self.story((i, j, p), received, age, lead, supports, f"{title.format(**y)}: {phase.lower()}", (i, j), leader)[0]
                              for p, phase in enumerate(PHASES[:rng.randint(2, 3)])]
            self.act(recorded, self.record, i, directive, new_tasks)
            for k, (key, task) in enumerate(later):
                self.act(recorded + timedelta(minutes=2 * k + 2), self.create_sub, i, key, task)

    def story(self, key, received: date, age: int, lead: str, supports: str, title: str, parent, leader=None):
        """One task: what it is at creation, and the dated actions that bring it to its outcome."""
        rng, cal, wd = self.rng, self.cal, self.wd
        outcome = rng.choices(list(OUTCOMES), list(OUTCOMES.values()))[0]
        if age < MIN_AGE.get(outcome, 0):
            outcome = rng.choice(["on_track", "on_track", "due_soon", "no_deadline"])
        first, end = wd(1, received), self.last  # end: the day the task stops changing
        if outcome == "no_deadline":
            due = None
        elif outcome == "on_track":
            due = wd(rng.randint(5, 45))
        elif outcome == "due_soon":
            due = wd(rng.randint(0, 3))
        elif outcome == "overdue":
            due = wd(-rng.randint(1, min(age - 1, 25)))
        elif outcome == "done_late":
            m = rng.randint(2, min(age - 1, 30))
            due, end = wd(-m), wd(-rng.randint(1, m - 1))
        else:  # done on time, submitted, paused, cancelled: first fix the day it finished or stopped
            end = wd(-rng.randint(1, min(age - 1, 4 if outcome == TaskState.SUBMITTED else 60)))
            due = {"done_on_time": wd(rng.randint(0, 12), end), TaskState.SUBMITTED: wd(rng.randint(-1, 10), end)}.get(outcome, wd(rng.randint(5, 40), received))
            if outcome == "done_on_time" and rng.random() < 0.07:
                due = None
        events: list[tuple[date, Any, tuple]] = []
        created_due, head = due, f"truongphong.{lead.lower()}"
        if leader is None and rng.random() < 0.9:  # mostly the deputy over the division, sometimes the director
            leader = "giamdoc" if rng.random() < 0.15 else LEADER_OF[lead]
        decider = leader or "giamdoc"
        helpers = rng.sample([s for s in supports.split() if s != lead], rng.choice([0, 1, 1, 2]))
        resubmit = outcome in DONE_OUTCOMES and rng.random() < 0.08 and wd(2, received) < end
        sent_back = wd(-rng.randint(1, cal.working_days_between(first, end)), end) if resubmit else None
        busy = {sent_back, wd(1, sent_back)} if resubmit else set()  # submitted, then returned: no reports then
        for n, day in enumerate(self.pick_days(first, end, rng.choice([0, 1, 1, 2, 3] if outcome != "overdue" else [0, 1, 2]))):
            if day not in busy:
                note = rng.choice(PROGRESS_NOTES).format(n=rng.randint(3, 25))
                events.append((day, self.call, (lifecycle.report_progress, head, min(90, 20 * (n + 1) + rng.randint(0, 15)), note)))
        if helpers and rng.random() < 0.3 and first <= end and first not in busy:
            events.append((first, self.call, (lifecycle.report_progress, f"truongphong.{helpers[0].lower()}", 0, rng.choice(SUPPORT_NOTES))))
        ext = None if resubmit or due is None else rng.choices(["approved", "refused", "pending", None], {
            "overdue": [2, 3, 3, 8], "done_late": [0, 3, 0, 8], "due_soon": [2, 0, 3, 8], "on_track": [2, 0, 1, 10],
            "done_on_time": [1, 0, 0, 8], TaskState.SUBMITTED: [1, 0, 0, 8]}.get(outcome, [0, 0, 0, 1]))[0]
        reason = rng.choice(EXTENSION_REASONS)
        if ext == "approved":  # created with an earlier deadline, then moved to `due` on request
            original = wd(-rng.randint(5, 15), due)
            # Asked for before the deadline in force passes: afterwards only the office may move it.
            days = self.pick_days(max(first, wd(-3, original)), min(original, end, wd(-1, due)), 1)
            if original > received and days:
                created_due = original
                events += [(days[0], self.request, (head, due, reason)), (days[0], self.decide, (decider, True, "Đồng ý gia hạn"))]
        elif ext == "refused":
            days = self.pick_days(max(first, wd(-5, due)), min(end, due), 1)
            if days:
                events += [(days[0], self.request, (head, wd(rng.randint(5, 15), max(due, days[0])), reason)),
                           (min(wd(1, days[0]), end), self.decide, (decider, False, "Nhiệm vụ cấp bách, đề nghị hoàn thành đúng hạn"))]
        elif ext == "pending":
            days = self.pick_days(max(first, wd(-5)), min(end, due), 1)
            if days:
                events.append((days[0], self.request, (head, wd(rng.randint(5, 15), max(due, self.today)), reason)))
        if resubmit:
            events += [(sent_back, self.submit, (head, sent_back)),
                       (wd(1, sent_back), self.call, (lifecycle.return_task, rng.choice(["vanphong", "vanthu"]), "Báo cáo chưa kèm số liệu chi tiết, đề nghị bổ sung"))]
        if outcome in ("done_on_time", "done_late", TaskState.SUBMITTED):
            events.append((end, self.submit, (head, end)))
        if outcome in DONE_OUTCOMES:
            events.append((min(wd(rng.randint(0, 3), end), self.last), self.call, (lifecycle.confirm, rng.choice(["vanphong", "vanthu"]))))
        elif outcome == TaskState.PAUSED:
            events.append((end, self.call, (lifecycle.pause, decider, rng.choice(PAUSE_REASONS))))
        elif outcome == TaskState.CANCELLED:
            events.append((end, self.call, (lifecycle.cancel, decider, rng.choice(CANCEL_REASONS))))
        self.schedule(key, events)
        # A deadline written as "within N working days" or as a date that falls on a day off, now and then.
        written = created_due is not None and created_due > received
        in_days = written and cal.is_working(created_due) and rng.random() < 0.2
        if written and not in_days and rng.random() < 0.1 and not cal.is_working(created_due - timedelta(1)) and created_due - timedelta(1) > received:
            created_due -= timedelta(1)
        task = NewTask(title=title, lead_division=lead, support_divisions=tuple(helpers), leader_in_charge=leader,
                       assignee=head if rng.random() < 0.5 else None, due_on=None if in_days else created_due,
                       due_in_working_days=cal.working_days_between(received, created_due) if in_days else None,
                       priority=1 if rng.random() < 0.1 else 0, parent=None)
        return ((key, task) if parent is not None else task), leader

    def schedule(self, key, events: list[tuple[date, Any, tuple]]) -> None:
        """Give a task's events times in their order: same-day events follow each other by minutes."""
        previous = None
        for day, fn, args in sorted(events, key=lambda e: e[0]):  # stable: same-day order is kept
            when = self.at(day, self.rng.randint(30, 300))
            if previous is not None and when <= previous:
                when = previous + timedelta(minutes=self.rng.randint(10, 60))
            self.act(when, fn, key, *args)
            previous = when

    async def play(self) -> None:
        for when, _, fn, args in sorted(self.actions, key=lambda a: (a[0], a[1])):
            await fn(when, *args)

    async def record(self, when, i, directive, new_tasks) -> None:
        office = self.actors[self.rng.choice(["vanphong", "vanthu"])]
        row = await register.record_directive(self.db, office, when, self.cal, directive, new_tasks)
        self.ids[("directive", i)] = row["id"]
        self.ids.update({(i, j): t["id"] for j, t in enumerate(row["tasks"])})

    async def create_sub(self, when, i, key, task) -> None:
        task = dataclasses.replace(task, parent=self.ids[key[:2]])
        self.ids[key] = (await register.create_task(self.db, self.actors["vanphong"], when, self.cal, self.ids[("directive", i)], task))["id"]

    async def call(self, when, key, service, user, *args) -> None:
        """report_progress, return_task, confirm, pause, cancel: (db, actor, now, task id, ...)."""
        await service(self.db, self.actors[user], when, self.ids[key], *args)

    async def request(self, when, key, user, requested, reason) -> None:
        ext = await extensions.request_extension(self.db, self.actors[user], when, self.cal, self.ids[key], requested, reason)
        self.ids[("ext", key)] = ext["id"]

    async def decide(self, when, key, user, approve, note) -> None:
        await extensions.decide_extension(self.db, self.actors[user], when, self.ids[("ext", key)], approve, note)

    async def submit(self, when, key, user, completed) -> None:
        # Submitted on the day it was completed: the completion day is the submission's.
        assert self.cal.today(when) == completed
        number = self.rng.randint(100, 2500)
        await lifecycle.submit(self.db, self.actors[user], when, self.cal, self.ids[key],
                               f"Đã hoàn thành; kết quả báo cáo tại văn bản số {number}/SCT-{user.split('.')[1].upper()}")
