"""End to end: reminders, group registration and announcements over the fake Bot API."""

import asyncio
import datetime as dt
import logging
from zoneinfo import ZoneInfo

import pytest
from clock import FakeClock
from fake_bot_api import ApiError, group_chat, user

from bot.app import RETRIES_AFTER_429
from bot.schedule import Announcement, Group, announcement_rows
from bot.storage import open_store
from handlers.services import services_of
from handlers.texts import (
    CANCEL_ALL_BUTTON,
    CONFIRM_CANCEL_ALL_BUTTON,
    FOLLOW_PICK,
    GROUP_ADMINS_ONLY,
    KEEP_BUTTON,
    NOT_BOT_ADMIN,
    UNFOLLOW_PICK,
    confirm_cancel_all,
)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
ADMIN = user(1001, "Lan")
OFFICIAL = user(1002, "Hùng")
MONDAY_EARLY = dt.datetime(2026, 11, 30, 7, 59, 58, tzinfo=VN)


async def reply_to(api, sender, text, chat=None):
    return (await api.ask(sender, text, chat)).text


async def final_report(api, admin_id, fragment, timeout=10.0):
    """The admin's delivery report as it reads once it contains ``fragment`` (after edits)."""
    def report():
        calls = [c for c in api.calls_to("sendMessage")
                 if c.chat_id == admin_id and c.error is None and "Kết quả gửi" in c.text]
        return api.sent_message(admin_id, calls[0].result["message_id"]) if calls else None

    await api.wait_until(lambda: (report() or {}).get("text", "").find(fragment) >= 0, timeout)
    return report()["text"]


async def wait_for_text(api, chat_id, fragment, timeout=8.0):
    await api.wait_until(lambda: any(fragment in t for t in api.texts_to(chat_id)), timeout)
    return [t for t in api.texts_to(chat_id) if fragment in t]


# Reminders


async def test_subscribed_reminder_arrives_with_targets_and_source(fake_bot_api, start_bot):
    api = fake_bot_api
    await start_bot(clock=FakeClock(MONDAY_EARLY))
    confirmation = await reply_to(api, OFFICIAL, "/theodoi binh thanh")
    assert "Đã đăng ký nhắc chỉ tiêu Quận Bình Thạnh" in confirmation
    assert "hằng tuần vào thứ Hai lúc 08:00" in confirmation
    assert "08:00 thứ Hai, 30/11/2026" in confirmation
    assert "thuộc năm 2022, đã qua" in confirmation

    [reminder] = await wait_for_text(api, OFFICIAL["id"], "Nhắc chỉ tiêu")
    assert "Kết thúc năm 2022, 10 chỉ tiêu" in reminder
    assert "297 phòng học" in reminder
    assert "Nguồn: Anh Hoàng, bài tổng kết năm 2021 của quận Bình Thạnh" in reminder
    assert "24/03/2022" in reminder
    assert reminder.endswith("Dừng nhắc: /huytheodoi Bình Thạnh")


async def test_restart_keeps_subscriptions_and_sends_no_duplicate(fake_bot_api, start_bot,
                                                                 targets_kb_dir):
    api = fake_bot_api
    clock = FakeClock(MONDAY_EARLY)
    first = await start_bot(clock=clock, kb_dir=targets_kb_dir)
    await reply_to(api, OFFICIAL, "/theodoi Hoàng Mai")
    await wait_for_text(api, OFFICIAL["id"], "Nhắc chỉ tiêu")
    await start_bot.stop(first)

    await start_bot(clock=clock, kb_dir=targets_kb_dir)
    listing = await reply_to(api, OFFICIAL, "/danhsach")
    assert "Quận Hoàng Mai (cũ, TP Hà Nội): hằng tuần" in listing
    assert "lần tới 08:00 thứ Hai, 07/12/2026" in listing
    assert len(await wait_for_text(api, OFFICIAL["id"], "Nhắc chỉ tiêu")) == 1


async def test_reminder_due_while_down_is_sent_once_at_start(fake_bot_api, start_bot):
    api = fake_bot_api
    first = await start_bot(clock=FakeClock(dt.datetime(2026, 11, 29, 20, 0, tzinfo=VN)))
    await reply_to(api, OFFICIAL, "/theodoi Bình Thạnh")
    await start_bot.stop(first)

    late = FakeClock(dt.datetime(2026, 11, 30, 9, 30, tzinfo=VN))  # down over Monday 08:00
    second = await start_bot(clock=late)
    await wait_for_text(api, OFFICIAL["id"], "Nhắc chỉ tiêu")
    await start_bot.stop(second)
    await start_bot(clock=late)
    await reply_to(api, OFFICIAL, "/danhsach")
    assert len(await wait_for_text(api, OFFICIAL["id"], "Nhắc chỉ tiêu")) == 1


async def test_unit_without_targets_offers_new_figures_and_still_counts_down(fake_bot_api,
                                                                            start_bot):
    api = fake_bot_api
    await start_bot(clock=FakeClock(dt.datetime(2026, 11, 22, 7, 59, 57, tzinfo=VN)))
    offer = await api.ask(OFFICIAL, "/theodoi Hoàng Mai hằng ngày 8h")
    assert "chưa có chỉ tiêu của năm nay hoặc các năm tới" in offer.text
    [[take, _]] = offer.params["reply_markup"]["inline_keyboard"]
    assert take["text"] == "Nhận số liệu mới"
    api.press_button(OFFICIAL, offer.result, take["callback_data"])
    [edit] = await api.wait_for("editMessageText")
    assert "bot sẽ nhắn khi có số liệu mới hoặc số liệu thay đổi" in edit.text
    [countdown] = await wait_for_text(api, OFFICIAL["id"], "Còn 3 ngày nữa")
    assert "25/11/2026: kỷ niệm 23 năm thành lập quận Hoàng Mai (25/11/2003)" in countdown
    assert "Nguồn:" in countdown and countdown.endswith("Dừng nhắc: /huytheodoi Hoàng Mai")
    [sent] = [c for c in api.calls_to("sendMessage") if c.text == countdown]
    assert sent.params["reply_markup"]["inline_keyboard"][0][0]["text"] == "✅ Đã nhận"
    await asyncio.sleep(0.5)
    assert not any("Nhắc chỉ tiêu" in t for t in api.texts_to(OFFICIAL["id"]))


async def test_unsubscribing_stops_the_reminder(fake_bot_api, start_bot):
    api = fake_bot_api
    await start_bot(clock=FakeClock(MONDAY_EARLY))
    await reply_to(api, OFFICIAL, "/theodoi Bình Thạnh")
    assert "Đã hủy theo dõi: Quận Bình Thạnh" in await reply_to(api, OFFICIAL,
                                                                "/huytheodoi Bình Thạnh")
    await asyncio.sleep(2.5)  # past 08:00, when the reminder would have come
    assert "Chưa theo dõi đơn vị nào" in await reply_to(api, OFFICIAL, "/danhsach")
    assert not any("Nhắc chỉ tiêu" in t for t in api.texts_to(OFFICIAL["id"]))


@pytest.mark.parametrize(("text", "says"), [
    ("/theodoi Hoàng Mai 25h", "Giờ không hợp lệ"),
    ("/theodoi Hoàng Mai thứ bẩyy 8h", "Chưa hiểu «thứ bẩyy»"),
    ("/theodoi Hoàng Mai hằng ngày thứ sáu", "mâu thuẫn"),
    ("/theodoi hằng ngày 8h", "Bạn chưa nêu đơn vị"),
    ("/theodoi Quận 10", "Chưa có số liệu của Quận 10 (cũ, TP Hồ Chí Minh)"),
    ("/theodoi Châu Thành", "có thể là"),
    ("/theodoi phường Sài Gòn", "lập từ Quận 1 (cũ, TP Hồ Chí Minh)"),
    ("/theodoi xyzw", "Không tìm thấy đơn vị «xyzw»"),
])
async def test_subscribe_mistakes_get_a_clear_reply(fake_bot_api, start_bot, text, says):
    await start_bot()
    assert says in await reply_to(fake_bot_api, OFFICIAL, text)


async def test_in_a_group_only_its_admins_subscribe(fake_bot_api, start_bot):
    api = fake_bot_api
    group = group_chat(-100_777, "Phòng Nội vụ")
    await start_bot(clock=FakeClock(MONDAY_EARLY))
    assert await reply_to(api, OFFICIAL, "/theodoi Bình Thạnh", chat=group) == GROUP_ADMINS_ONLY
    api.make_admin(group, OFFICIAL)
    assert "Đã đăng ký" in await reply_to(api, OFFICIAL, "/theodoi Bình Thạnh", chat=group)
    await wait_for_text(api, group["id"], "Nhắc chỉ tiêu")


# Bare /theodoi and /huytheodoi from the menu


def buttons_of(call):
    return {b["text"]: b["callback_data"]
            for row in call.params["reply_markup"]["inline_keyboard"] for b in row}


async def test_bare_theodoi_offers_units_with_current_targets_and_a_press_subscribes(
        fake_bot_api, start_bot, targets_kb_dir):
    api = fake_bot_api
    app = await start_bot(clock=FakeClock(MONDAY_EARLY), kb_dir=targets_kb_dir)
    offer = await api.ask(OFFICIAL, "/theodoi")
    assert offer.text == FOLLOW_PICK
    buttons = buttons_of(offer)
    assert "Quận Hoàng Mai" in buttons  # a 2026 target
    assert "Quận Bình Thạnh" not in buttons  # its targets are of 2022, over
    assert "Quận 1" not in buttons  # no targets in its report
    api.press_button(OFFICIAL, offer.result, buttons["Quận Hoàng Mai"])
    [edit] = await api.wait_for("editMessageText")
    assert "Đã đăng ký nhắc chỉ tiêu Quận Hoàng Mai" in edit.text
    assert "hằng tuần vào thứ Hai lúc 08:00" in edit.text
    [subscription] = await services_of(app).store.subscriptions(OFFICIAL["id"])
    assert subscription.frequency == "weekly"


async def test_bare_huytheodoi_deletes_nothing_until_confirmed(fake_bot_api, start_bot,
                                                               targets_kb_dir):
    api = fake_bot_api
    app = await start_bot(clock=FakeClock(MONDAY_EARLY), kb_dir=targets_kb_dir)
    store = services_of(app).store
    await reply_to(api, OFFICIAL, "/theodoi Bình Thạnh")
    await reply_to(api, OFFICIAL, "/theodoi Hoàng Mai")
    offer = await api.ask(OFFICIAL, "/huytheodoi")
    assert offer.text == UNFOLLOW_PICK
    buttons = buttons_of(offer)
    assert set(buttons) == {"Hủy: Quận Bình Thạnh", "Hủy: Quận Hoàng Mai", CANCEL_ALL_BUTTON}
    assert len(await store.subscriptions(OFFICIAL["id"])) == 2  # the bare command removed nothing

    api.press_button(OFFICIAL, offer.result, buttons[CANCEL_ALL_BUTTON])
    [question] = await api.wait_for("editMessageText")
    assert question.text == confirm_cancel_all(2)
    assert len(await store.subscriptions(OFFICIAL["id"])) == 2  # still nothing until confirmed
    confirm = buttons_of(question)
    api.press_button(OFFICIAL, offer.result, confirm[KEEP_BUTTON])
    await api.wait_for("editMessageText", 2)
    assert len(await store.subscriptions(OFFICIAL["id"])) == 2

    typed = await api.ask(OFFICIAL, "/huytheodoi tất cả")  # typed, it still asks first
    assert typed.text == confirm_cancel_all(2)
    assert len(await store.subscriptions(OFFICIAL["id"])) == 2
    api.press_button(OFFICIAL, typed.result, buttons_of(typed)[CONFIRM_CANCEL_ALL_BUTTON])
    *_, done = await api.wait_for("editMessageText", 3)
    assert done.text.startswith("Đã hủy theo dõi: Quận Bình Thạnh (cũ, TP Hồ Chí Minh) và Quận "
                                "Hoàng Mai")
    assert await store.subscriptions(OFFICIAL["id"]) == []


async def test_huytheodoi_button_cancels_one_reminder(fake_bot_api, start_bot, targets_kb_dir):
    api = fake_bot_api
    app = await start_bot(clock=FakeClock(MONDAY_EARLY), kb_dir=targets_kb_dir)
    await reply_to(api, OFFICIAL, "/theodoi Bình Thạnh")
    await reply_to(api, OFFICIAL, "/theodoi Hoàng Mai")
    offer = await api.ask(OFFICIAL, "/huytheodoi")
    api.press_button(OFFICIAL, offer.result, buttons_of(offer)["Hủy: Quận Hoàng Mai"])
    [edit] = await api.wait_for("editMessageText")
    assert edit.text == "Đã hủy theo dõi: Quận Hoàng Mai (cũ, TP Hà Nội)."
    [left] = await services_of(app).store.subscriptions(OFFICIAL["id"])
    assert left.place == "d765"


async def test_group_reminder_buttons_are_for_group_admins(fake_bot_api, start_bot):
    api = fake_bot_api
    group = group_chat(-100_778, "Phòng Nội vụ")
    app = await start_bot(clock=FakeClock(MONDAY_EARLY))
    api.make_admin(group, OFFICIAL)
    await reply_to(api, OFFICIAL, "/theodoi Bình Thạnh", chat=group)
    offer = await api.ask(OFFICIAL, "/huytheodoi", chat=group)
    api.press_button(ADMIN, offer.result, buttons_of(offer)["Hủy: Quận Bình Thạnh"])
    [ack] = await api.wait_for("answerCallbackQuery")
    assert ack.params["text"] == GROUP_ADMINS_ONLY
    assert len(await services_of(app).store.subscriptions(group["id"])) == 1


# Group registration and announcements


async def register(api, chat, districts=""):
    api.make_admin(chat, OFFICIAL)
    return await reply_to(api, OFFICIAL, f"/dangkynhom {districts}".strip(), chat=chat)


async def test_admin_announcement_reports_blocked_migrated_and_rate_limited_groups(
        fake_bot_api, start_bot):
    api = fake_bot_api
    blocked, migrating, busy = (group_chat(-100_001, "Tổ 1"), group_chat(-100_002, "Tổ 2"),
                                group_chat(-100_003, "Tổ 3"))
    await start_bot(admin_ids=frozenset({ADMIN["id"]}))
    for chat in (blocked, migrating, busy):
        assert "Đã đăng ký nhóm" in await register(api, chat)

    api.fail_next("sendMessage", ApiError.forbidden("Forbidden: bot was kicked"),
                  chat_id=blocked["id"])
    api.fail_next("sendMessage", ApiError.chat_migrated(-100_902), chat_id=migrating["id"])
    # More 429s than the rate limiter retries in place: the outbox holds the row, then sends.
    api.fail_next("sendMessage", ApiError.too_many_requests(1), times=RETRIES_AFTER_429 + 1,
                  chat_id=busy["id"])
    preview = await reply_to(api, ADMIN, "/thongbao tất cả Họp giao ban <b>sáng</b> thứ Hai")
    assert "Gửi tới: tất cả các nhóm đã đăng ký (3 nhóm)" in preview
    assert "&lt;b&gt;sáng&lt;/b&gt;" in preview
    [draft] = [c for c in api.calls_to("sendMessage") if c.text == preview]
    send, cancel = draft.params["reply_markup"]["inline_keyboard"][0]
    assert (send["text"], cancel["text"]) == ("Gửi", "Hủy")
    api.press_button(ADMIN, draft.result, send["callback_data"])

    [first] = await wait_for_text(api, ADMIN["id"], "Kết quả gửi thông báo")
    assert "đã gửi 1/3 nhóm" in first and "Đang thử gửi lại: 1 nhóm" in first
    report = await final_report(api, ADMIN["id"], "đã gửi 2/3 nhóm")
    assert "thử gửi lại" not in report
    assert "Tổ 2 (-100002 → -100902)" in report
    assert "Đã gỡ 1 nhóm" in report and "Tổ 1" in report
    assert len(api.texts_to(-100_902)) == 1 and "Họp giao ban" in api.texts_to(-100_902)[0]
    assert len([t for t in api.texts_to(busy["id"]) if "Họp giao ban" in t]) == 1
    assert [t for t in api.texts_to(blocked["id"]) if "Họp giao ban" in t] == []

    listing = await reply_to(api, OFFICIAL, "/danhsach", chat={**migrating, "id": -100_902})
    assert "Nhóm nhận mọi thông báo" in listing


async def test_announcement_about_one_district_goes_only_to_its_groups(fake_bot_api, start_bot):
    api = fake_bot_api
    q1, hoang_mai = group_chat(-100_011, "Q1"), group_chat(-100_012, "HM")
    await start_bot(admin_ids=frozenset({ADMIN["id"]}))
    assert "Quận 1 (cũ, TP Hồ Chí Minh)" in await register(api, q1, "Q1")
    await register(api, hoang_mai, "hoang mai")
    preview = await reply_to(api, ADMIN, "/thongbao Hoàng Mai Nộp báo cáo thi đua")
    assert "các nhóm nhận tin về Quận Hoàng Mai (cũ, TP Hà Nội) (1 nhóm)" in preview
    [draft] = [c for c in api.calls_to("sendMessage") if c.text == preview]
    api.press_button(ADMIN, draft.result,
                     draft.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    await wait_for_text(api, ADMIN["id"], "đã gửi 1/1 nhóm")
    assert any("Nộp báo cáo thi đua" in t for t in api.texts_to(hoang_mai["id"]))
    assert not any("Nộp báo cáo thi đua" in t for t in api.texts_to(q1["id"]))


async def test_scheduled_announcement_waits_for_its_time(fake_bot_api, start_bot):
    api = fake_bot_api
    group = group_chat(-100_021)
    await start_bot(clock=FakeClock(dt.datetime(2026, 11, 26, 13, 59, 57, tzinfo=VN)),
                    admin_ids=frozenset({ADMIN["id"]}))
    await register(api, group)
    preview = await reply_to(api, ADMIN, "/thongbao Họp chi bộ lúc 14h")
    assert "lúc 14:00 chiều thứ Năm, 26/11/2026 (hôm nay)" in preview
    [draft] = [c for c in api.calls_to("sendMessage") if c.text == preview]
    api.press_button(ADMIN, draft.result,
                     draft.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"])
    [queued] = await api.wait_for("editMessageText")
    assert "Sẽ gửi lúc 14:00" in queued.text
    assert not any("Họp chi bộ" in t for t in api.texts_to(group["id"]))
    await wait_for_text(api, group["id"], "Họp chi bộ")
    await wait_for_text(api, ADMIN["id"], "đã gửi 1/1 nhóm")


async def test_cancelled_announcement_is_not_sent(fake_bot_api, start_bot):
    api = fake_bot_api
    group = group_chat(-100_031)
    await start_bot(admin_ids=frozenset({ADMIN["id"]}))
    await register(api, group)
    preview = await reply_to(api, ADMIN, "/thongbao Họp chi bộ")
    [draft] = [c for c in api.calls_to("sendMessage") if c.text == preview]
    send, cancel = draft.params["reply_markup"]["inline_keyboard"][0]
    api.press_button(ADMIN, draft.result, cancel["callback_data"])
    [edit] = await api.wait_for("editMessageText")
    assert "Đã hủy" in edit.text
    api.press_button(ADMIN, draft.result, send["callback_data"])
    await api.wait_for("answerCallbackQuery", 2)
    assert "đã được xử lý" in api.calls_to("answerCallbackQuery")[-1].params["text"]
    assert not any("Họp chi bộ" in t for t in api.texts_to(group["id"]))


async def test_non_admin_announcement_is_refused_and_logged(fake_bot_api, start_bot, caplog):
    await start_bot(admin_ids=frozenset({ADMIN["id"]}))
    with caplog.at_level(logging.WARNING, logger="handlers.announcements"):
        reply = await reply_to(fake_bot_api, OFFICIAL, "/thongbao tất cả Họp")
    assert reply == NOT_BOT_ADMIN
    assert f"User {OFFICIAL['id']} tried /thongbao" in caplog.text


async def test_forged_send_button_from_a_non_admin_is_refused(fake_bot_api, start_bot):
    await start_bot(admin_ids=frozenset({ADMIN["id"]}))
    fake_bot_api.press_button(OFFICIAL, None, "a:send:deadbeef")
    [ack] = await fake_bot_api.wait_for("answerCallbackQuery")
    assert ack.params["text"] == NOT_BOT_ADMIN


@pytest.mark.parametrize("data", ["a:", "a:send:", "a:boom:1234", "a:send:nope"])
async def test_malformed_announcement_button_gets_a_polite_answer(fake_bot_api, start_bot, data):
    await start_bot(admin_ids=frozenset({ADMIN["id"]}))
    fake_bot_api.press_button(ADMIN, None, data)
    [ack] = await fake_bot_api.wait_for("answerCallbackQuery")
    assert "Không còn thông báo này" in ack.params["text"]


async def test_bot_removed_from_group_forgets_it(fake_bot_api, start_bot):
    api = fake_bot_api
    group = group_chat(-100_041)
    await start_bot(admin_ids=frozenset({ADMIN["id"]}))
    await register(api, group)
    api.remove_bot(group, OFFICIAL)
    preview = await reply_to(api, ADMIN, "/thongbao Họp")
    assert "Chưa có nhóm nào" in preview


async def test_group_commands_in_private_chat_explain_where_to_use_them(fake_bot_api, start_bot):
    await start_bot()
    assert "dùng trong nhóm" in await reply_to(fake_bot_api, OFFICIAL, "/dangkynhom")


async def test_reminder_to_a_user_who_blocked_the_bot_ends_the_subscription(
        fake_bot_api, start_bot):
    api = fake_bot_api
    app = await start_bot(clock=FakeClock(MONDAY_EARLY))
    await reply_to(api, OFFICIAL, "/theodoi Bình Thạnh")
    api.fail_next("sendMessage", ApiError.forbidden(), chat_id=OFFICIAL["id"])
    await api.wait_until(lambda: any(c.error for c in api.calls_to("sendMessage")), 8)
    await asyncio.sleep(0.2)  # the courier records the refusal after Telegram's answer
    assert await services_of(app).store.subscriptions() == []
    assert not [j for j in app.job_queue.jobs() if j.name.startswith("reminder:")]


async def test_reminder_after_a_server_error_is_retried_and_arrives_once(fake_bot_api, start_bot):
    api = fake_bot_api
    await start_bot(clock=FakeClock(MONDAY_EARLY))
    await reply_to(api, OFFICIAL, "/theodoi Bình Thạnh")
    api.fail_next("sendMessage", ApiError.server_error(), chat_id=OFFICIAL["id"])
    [reminder] = await wait_for_text(api, OFFICIAL["id"], "Nhắc chỉ tiêu", timeout=10)
    assert "Kết thúc năm 2022" in reminder


async def test_group_upgraded_to_supergroup_keeps_its_reminders(fake_bot_api, start_bot):
    api = fake_bot_api
    old = {"id": -4_000, "type": "group", "title": "Tổ dân phố"}
    app = await start_bot(clock=FakeClock(MONDAY_EARLY))
    api.make_admin(old, OFFICIAL)
    await reply_to(api, OFFICIAL, "/theodoi Bình Thạnh", chat=old)
    api.migrate_group(old, -100_4000)
    new = {"id": -100_4000, "type": "supergroup", "title": "Tổ dân phố"}
    listing = await reply_to(api, OFFICIAL, "/danhsach", chat=new)
    assert "Quận Bình Thạnh" in listing
    await wait_for_text(api, new["id"], "Nhắc chỉ tiêu")
    assert [s.chat_id for s in await services_of(app).store.subscriptions()] == [-100_4000]


async def test_broadcast_cut_short_by_a_crash_resumes_without_loss_or_repeat(
        fake_bot_api, start_bot, bot_settings):
    """State as a crash mid-broadcast leaves it: one group served, two rows still pending."""
    api = fake_bot_api
    now = dt.datetime.now(VN)
    groups = [Group(-100_051, (), "Tổ 1"), Group(-100_052, (), "Tổ 2"), Group(-100_053, (), "Tổ 3")]
    announcement = Announcement("c0ffee01", ADMIN["id"], ADMIN["id"], "📢 Họp khẩn", now,
                                state="queued")
    store = open_store(bot_settings.data_dir)
    for group in groups:
        await store.save_group(group)
    rows = announcement_rows(announcement.message_key, announcement.text, groups, None)
    await store.save_announcement(announcement, rows, now)
    [first, *_] = await store.pending()
    await store.save_rows([first.started(now).sent(1)])  # accepted before the crash
    await store.close()

    await start_bot(admin_ids=frozenset({ADMIN["id"]}))
    [report] = await wait_for_text(api, ADMIN["id"], "Kết quả gửi thông báo")
    assert "đã gửi 3/3 nhóm" in report
    assert api.texts_to(-100_051) == []
    assert api.texts_to(-100_052) == ["📢 Họp khẩn"] and api.texts_to(-100_053) == ["📢 Họp khẩn"]
