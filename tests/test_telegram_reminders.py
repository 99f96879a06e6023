"""End to end: reminders worth receiving, Đã nhận, figures that change, natural send times."""

import asyncio
import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from clock import FakeClock
from fake_bot_api import group_chat, user

from handlers.services import services_of
from handlers.texts import ADMIN_ONLY, NO_SCHEDULED

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN = user(1001, "Lan")
OFFICIAL = user(1002, "Hùng")
COLLEAGUE = user(1003, "Mai")
ADMINS = frozenset({ADMIN["id"]})
THURSDAY = dt.datetime(2026, 11, 26, 16, 59, 59, tzinfo=VN)  # a second before 17:00
FRIDAY = THURSDAY + dt.timedelta(days=1)


def texts_with(api, chat_id, fragment):
    return [t for t in api.texts_to(chat_id) if fragment in t]


async def wait_for_text(api, chat_id, fragment, timeout=8.0):
    await api.wait_until(lambda: texts_with(api, chat_id, fragment), timeout)
    return texts_with(api, chat_id, fragment)


def edit_facts(kb_dir, name, old, new):
    path = kb_dir / "facts" / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# Reminders


async def test_a_friday_schedule_fires_on_friday_not_before(fake_bot_api, start_bot,
                                                            targets_kb_dir):
    api = fake_bot_api
    first = await start_bot(clock=FakeClock(THURSDAY), kb_dir=targets_kb_dir)
    confirmation = (await api.ask(OFFICIAL, "/theodoi Hoàng Mai thứ sáu 17h")).text
    assert "hằng tuần vào thứ Sáu lúc 17:00" in confirmation
    assert "Lần nhắc tới: 17:00 thứ Sáu, 27/11/2026." in confirmation
    assert "Hiện có 1 chỉ tiêu năm 2026" in confirmation
    await asyncio.sleep(1.5)  # past Thursday 17:00
    assert not texts_with(api, OFFICIAL["id"], "Nhắc chỉ tiêu")
    await start_bot.stop(first)

    await start_bot(clock=FakeClock(FRIDAY), kb_dir=targets_kb_dir)
    [reminder] = await wait_for_text(api, OFFICIAL["id"], "Nhắc chỉ tiêu")
    assert ("• Tổng thu ngân sách: chỉ tiêu 6.000 tỷ đồng [1]; năm 2022 đạt 4.670,8 tỷ đồng [2] "
            "— cần tăng 28,5% so với năm 2022.") in reminder
    assert "Chỉ tiêu năm 2026 (còn 35 ngày đến hết năm 2026)" in reminder
    assert "Nguồn: [1] Bộ kiểm thử, 05/01/2026." in reminder
    assert "Nguồn: [2] Phòng Nội vụ quận Hoàng Mai, 25/03/2023." in reminder
    assert reminder.endswith("Dừng nhắc: /huytheodoi Hoàng Mai")
    [sent] = [c for c in api.calls_to("sendMessage") if c.text == reminder]
    assert sent.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Đã nhận"


async def test_subscribing_again_says_what_changed(fake_bot_api, start_bot, targets_kb_dir):
    api = fake_bot_api
    app = await start_bot(clock=FakeClock(THURSDAY), kb_dir=targets_kb_dir)
    await api.ask(OFFICIAL, "/theodoi Hoàng Mai")
    changed = (await api.ask(OFFICIAL, "/theodoi hoang mai cuoi thang 7h30")).text
    assert ("Đã đổi lịch nhắc chỉ tiêu Quận Hoàng Mai (cũ, TP Hà Nội): trước đây hằng tuần vào "
            "thứ Hai lúc 08:00; từ nay vào ngày cuối mỗi tháng lúc 07:30") in changed
    assert "Lần nhắc tới: 07:30 thứ Hai, 30/11/2026." in changed
    same = (await api.ask(OFFICIAL, "/theodoi Hoàng Mai cuối tháng 7h30")).text
    assert "với lịch này rồi" in same and "Không có gì thay đổi" in same
    [subscription] = await services_of(app).store.subscriptions()
    assert (subscription.frequency, subscription.day, subscription.hour) == ("monthly", -1, 7)


async def test_a_year_that_is_over_is_reported_once_even_across_a_restart(fake_bot_api,
                                                                         start_bot):
    api = fake_bot_api
    monday = dt.datetime(2026, 11, 30, 7, 59, 58, tzinfo=VN)
    first = await start_bot(clock=FakeClock(monday))
    await api.ask(OFFICIAL, "/theodoi Bình Thạnh")
    [over] = await wait_for_text(api, OFFICIAL["id"], "Kết thúc năm 2022")
    assert over.count("Chưa có số liệu kết quả") == 1
    await start_bot.stop(first)

    app = await start_bot(clock=FakeClock(monday + dt.timedelta(days=7)))
    await asyncio.sleep(1.5)  # past the next Monday 08:00
    assert len(texts_with(api, OFFICIAL["id"], "Nhắc chỉ tiêu")) == 1
    listing = (await api.ask(OFFICIAL, "/danhsach")).text
    assert "Quận Bình Thạnh (cũ, TP Hồ Chí Minh): chưa có chỉ tiêu năm nay để nhắc" in listing
    [subscription] = await services_of(app).store.subscriptions()
    assert subscription.reported_over == (2022,)


async def test_da_nhan_is_kept_once_per_person_and_admins_see_who(fake_bot_api, start_bot,
                                                                  targets_kb_dir):
    api = fake_bot_api
    group = group_chat(-100_500, "Phòng Nội vụ")
    monday = dt.datetime(2026, 11, 30, 7, 59, 58, tzinfo=VN)
    app = await start_bot(clock=FakeClock(monday), kb_dir=targets_kb_dir, admin_ids=ADMINS)
    api.make_admin(group, OFFICIAL)
    await api.ask(OFFICIAL, "/theodoi Hoàng Mai", chat=group)
    await wait_for_text(api, group["id"], "Nhắc chỉ tiêu")
    [sent] = [c for c in api.calls_to("sendMessage")
              if c.chat_id == group["id"] and "Nhắc chỉ tiêu" in c.text]
    data = sent.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    for who in (OFFICIAL, OFFICIAL, COLLEAGUE):
        api.press_button(who, sent.result, data)
    answers = await api.wait_for("answerCallbackQuery", 3)
    texts = [a.params["text"] for a in answers]
    assert texts[0] == texts[2] == "Đã ghi nhận: bạn đã nhận lời nhắc này."
    assert texts[1].startswith("Bạn đã xác nhận lời nhắc này lúc 08:00")
    acks = await services_of(app).store.acks(group["id"])
    assert sorted(a.name for a in acks) == ["Hùng", "Mai"]
    await api.wait_until(lambda: api.sent_message(group["id"], sent.result["message_id"])
                         ["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Đã nhận (2)")

    listing = (await api.ask(ADMIN, "/danhsach", chat=group)).text
    assert "Xác nhận đã nhận (quản trị bot xem):" in listing
    assert "08:00 30/11/2026 — Phòng Nội vụ — Quận Hoàng Mai: đã nhận: Hùng (08:00" in listing
    assert "Mai (08:00" in listing
    report = (await api.ask(ADMIN, "/baocao")).text
    assert report.startswith("Xác nhận lời nhắc chỉ tiêu (30 ngày qua")
    assert "Phòng Nội vụ — Quận Hoàng Mai: đã nhận: Hùng" in report
    assert "Xác nhận đã nhận" not in (await api.ask(OFFICIAL, "/danhsach", chat=group)).text
    assert (await api.ask(OFFICIAL, "/baocao")).text == ADMIN_ONLY


# Figures that change


async def test_a_changed_figure_reaches_the_chat_given_it_and_the_subscribers_once(
        fake_bot_api, start_bot, kb_dir):
    api = fake_bot_api
    app = await start_bot(kb_dir=kb_dir, admin_ids=ADMINS)
    answer = (await api.ask(OFFICIAL, "Hoàng Mai thu ngân sách 2022")).text
    assert "4.670,8" in answer
    await api.ask(COLLEAGUE, "Quận 1 thu ngân sách 2023")  # another unit: not told
    subscriber = user(1004, "Tú")
    offer = await api.ask(subscriber, "/theodoi Hoàng Mai")
    api.press_button(subscriber, offer.result,
                     offer.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    await api.wait_for("editMessageText")
    await api.ask(OFFICIAL, "/theodoi Hoàng Mai")  # given the figure and a subscriber too
    [[take, _]] = api.calls_to("sendMessage")[-1].params["reply_markup"]["inline_keyboard"]
    api.press_button(OFFICIAL, api.calls_to("sendMessage")[-1].result, take["callback_data"])
    await api.wait_for("editMessageText", 2)
    titles = {s.title for s in await services_of(app).store.subscriptions()}
    assert titles == {"Tú", "Hùng"}  # who subscribed, for the acknowledgements report
    edit_facts(kb_dir, "hoang-mai-2022.yaml", 'value: "4.670,8"', 'value: "4.671"')

    report = (await api.ask(ADMIN, "/capnhat")).text
    assert "tới 2 cuộc trò chuyện" in report
    for chat in (OFFICIAL, subscriber):
        [news] = await wait_for_text(api, chat["id"], "Số liệu cập nhật")
        assert "Tổng thu ngân sách năm 2022: 4.670,8 tỷ đồng, đạt 105,29% kế hoạch → 4.671 " \
               "tỷ đồng" in news
        assert "Phòng Nội vụ quận Hoàng Mai, 25/03/2023" in news
    assert not texts_with(api, COLLEAGUE["id"], "Số liệu cập nhật")
    await asyncio.sleep(0.3)
    assert len(texts_with(api, OFFICIAL["id"], "Số liệu cập nhật")) == 1


async def test_a_withdrawn_figure_is_told_to_the_group_that_was_given_it(fake_bot_api,
                                                                        start_bot, kb_dir):
    api = fake_bot_api
    group = group_chat(-100_600, "Tổ tổng hợp")
    bot = await start_bot(kb_dir=kb_dir, admin_ids=ADMINS)
    username = (await bot.bot.get_me()).username
    await api.ask(OFFICIAL, f"@{username} Hoàng Mai giấy phép xây dựng 2022", chat=group)
    edit_facts(kb_dir, "hoang-mai-2022.yaml", "- id: hoang-mai-2022-giay-phep-xay-dung",
               "- id: hoang-mai-2022-giay-phep-xay-dung-da-sua")
    await api.ask(ADMIN, "/capnhat")
    [news] = await wait_for_text(api, group["id"], "Số liệu cập nhật")
    assert "Số liệu bot đã trả lời bạn trong 30 ngày qua nay đã sửa hoặc đã rút:" in news
    assert "1.539 giấy phép, đạt 100% — đã rút (nguồn cũ: Phòng Nội vụ quận Hoàng Mai" in news


# Announcements


async def test_a_natural_send_time_is_scheduled_right_and_can_be_cancelled(fake_bot_api,
                                                                          start_bot):
    api = fake_bot_api
    group = group_chat(-100_700, "Tổ 7")
    await start_bot(clock=FakeClock(THURSDAY), admin_ids=ADMINS)
    api.make_admin(group, OFFICIAL)
    await api.ask(OFFICIAL, "/dangkynhom", chat=group)
    preview = await api.ask(ADMIN, "/thongbao Họp chi bộ mở rộng lúc 9h sáng mai")
    assert "lúc 09:00 sáng thứ Sáu, 27/11/2026 (ngày mai)" in preview.text
    api.press_button(ADMIN, preview.result,
                     preview.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    [queued] = await api.wait_for("editMessageText")
    assert "Sẽ gửi lúc 09:00 thứ Sáu, 27/11/2026 tới 1 nhóm" in queued.text

    listing = await api.ask(ADMIN, "/lichthongbao")
    assert "1. 09:00 thứ Sáu, 27/11/2026: «Họp chi bộ mở rộng» — 1 nhóm." in listing.text
    [[cancel]] = listing.params["reply_markup"]["inline_keyboard"]
    assert cancel["text"] == "Hủy số 1"
    api.press_button(ADMIN, listing.result, cancel["callback_data"])
    [_, done] = await api.wait_for("editMessageText", 2)
    assert done.text.startswith("Đã hủy thông báo «Họp chi bộ mở rộng» hẹn lúc 09:00")
    assert (await api.ask(ADMIN, "/lichthongbao")).text == NO_SCHEDULED
    assert not api.texts_to(group["id"])[1:]  # only the registration's confirmation


async def test_chieu_nay_fires_at_two_and_the_report_names_it_and_its_groups(fake_bot_api,
                                                                            start_bot):
    api = fake_bot_api
    groups = [group_chat(-100_801, "Tổ 1"), group_chat(-100_802, "Tổ 2")]
    await start_bot(clock=FakeClock(dt.datetime(2026, 11, 26, 13, 59, 57, tzinfo=VN)),
                    admin_ids=ADMINS)
    for group in groups:
        api.make_admin(group, OFFICIAL)
        await api.ask(OFFICIAL, "/dangkynhom", chat=group)
    preview = await api.ask(ADMIN, "/thongbao tất cả Nộp báo cáo thi đua quý IV đúng hạn "
                                   "trước ngày 30 lúc chiều nay")
    assert "lúc 14:00 chiều thứ Năm, 26/11/2026 (hôm nay)" in preview.text
    api.press_button(ADMIN, preview.result,
                     preview.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    await api.wait_for("editMessageText")
    assert not texts_with(api, groups[0]["id"], "Nộp báo cáo")
    for group in groups:
        await wait_for_text(api, group["id"], "Nộp báo cáo thi đua quý IV")
    [report] = await wait_for_text(api, ADMIN["id"], "Kết quả gửi thông báo")
    assert "«Nộp báo cáo thi đua quý IV đúng…» (mã " in report
    assert "đã gửi 2/2 nhóm: Tổ 1, Tổ 2." in report


async def test_a_send_time_not_understood_is_refused_and_nothing_is_sent(fake_bot_api,
                                                                        start_bot):
    api = fake_bot_api
    group = group_chat(-100_900, "Tổ 9")
    await start_bot(admin_ids=ADMINS)
    api.make_admin(group, OFFICIAL)
    await api.ask(OFFICIAL, "/dangkynhom", chat=group)
    refusal = await api.ask(ADMIN, "/thongbao Họp lúc 9 giờ kém 15")
    assert refusal.text.startswith("Chưa hiểu thời điểm gửi «kém 15», nên chưa gửi gì.")
    assert "lúc 9h sáng mai" in refusal.text and "reply_markup" not in refusal.params
    await asyncio.sleep(0.3)
    assert api.texts_to(group["id"])[1:] == []


@pytest.mark.parametrize(("data", "says"), [
    ("n:", "Nút này đã cũ"), ("n:zz:1", "Nút này đã cũ"),
    ("o:", "Nút này đã cũ"), ("o:d765:weekly", "Nút này đã cũ"),
    ("o:d001:yearly:8:0:0:1", "Nút này đã cũ"), ("o:x:weekly:8:0:0:1", "Nút này đã cũ"),
    ("l:nope", "Không còn thông báo này"),
])
async def test_malformed_reminder_buttons_get_a_polite_answer(fake_bot_api, start_bot, data,
                                                              says):
    api = fake_bot_api
    await start_bot(admin_ids=ADMINS)
    message = (await api.ask(ADMIN, "/danhsach")).result
    api.press_button(ADMIN, message, data)
    [answer] = await api.wait_for("answerCallbackQuery")
    assert says in answer.params["text"]


async def test_only_bot_admins_cancel_scheduled_announcements(fake_bot_api, start_bot):
    await start_bot(admin_ids=ADMINS)
    fake_bot_api.press_button(OFFICIAL, None, "l:deadbeef")
    [answer] = await fake_bot_api.wait_for("answerCallbackQuery")
    assert answer.params["text"] == "Chỉ quản trị viên của bot mới gửi được thông báo."


async def test_a_current_ward_with_facts_is_followed_registered_and_announced_to(
        fake_bot_api, start_bot, kb_dir):
    api = fake_bot_api
    group = group_chat(-100_950, "Phường")
    await start_bot(clock=FakeClock(THURSDAY), admin_ids=ADMINS, kb_dir=kb_dir)
    confirmation = (await api.ask(OFFICIAL, "/theodoi phuong Tan Hoa thu sau 17h")).text
    assert "Đã đăng ký nhắc chỉ tiêu Phường Tân Hòa (Phú Thọ)" in confirmation
    assert "Hiện có 6 chỉ tiêu năm 2026" in confirmation
    assert confirmation.endswith("Dừng nhắc: /huytheodoi Tân Hòa")
    api.make_admin(group, OFFICIAL)
    registered = (await api.ask(OFFICIAL, "/dangkynhom Tân Hòa, Bình Thạnh", chat=group)).text
    assert "Phường Tân Hòa (Phú Thọ) và Quận Bình Thạnh (cũ, TP Hồ Chí Minh)" in registered
    preview = (await api.ask(ADMIN, "/thongbao Tân Hòa Họp tổng kết")).text
    assert "các nhóm nhận tin về Phường Tân Hòa (Phú Thọ) (1 nhóm)" in preview
    assert "Đã hủy theo dõi: Phường Tân Hòa (Phú Thọ)." in (
        await api.ask(OFFICIAL, "/huytheodoi Tân Hòa")).text
