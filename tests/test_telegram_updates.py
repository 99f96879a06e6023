"""End to end: the unanswered log, 👍/👎, /chuatraloi and hot reload with /capnhat."""


from fake_bot_api import group_chat, user

from handlers.services import services_of
from handlers.texts import ADMIN_ONLY

ADMIN = user(1001, "Lan")
OFFICIAL = user(1002, "Hùng")
ADMINS = frozenset({ADMIN["id"]})


def edit_facts(kb_dir, old, new):
    path = kb_dir / "facts" / "hoang-mai-2022.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# The unanswered log and feedback


async def test_unanswered_questions_are_logged_without_who_asked(fake_bot_api, start_bot):
    app = await start_bot(admin_ids=ADMINS)
    await fake_bot_api.ask(OFFICIAL, "Hoàng Mai số đảng viên 2022")
    await fake_bot_api.ask(OFFICIAL, "hoang mai so dang vien 2022")
    await fake_bot_api.ask(ADMIN, "thu ngân sách")
    await fake_bot_api.ask(OFFICIAL, "Hoàng Mai thu ngân sách 2022")
    log = await services_of(app).store.unanswered()
    assert [(e.kind, e.chat_type, e.admin_id) for e in log] == [
        ("not_found", "private", None), ("not_found", "private", None),
        ("clarify", "private", ADMIN["id"])]
    assert log[0].normalised == log[1].normalised == "hoang mai so dang vien 2022"


async def test_admin_sees_the_most_frequent_unanswered_questions(fake_bot_api, start_bot):
    await start_bot(admin_ids=ADMINS)
    for question in ("Hoàng Mai số đảng viên 2022", "hoang mai so dang vien 2022", "Quận 10"):
        await fake_bot_api.ask(OFFICIAL, question)
    report = (await fake_bot_api.ask(ADMIN, "/chuatraloi")).text
    assert "1. «hoang mai so dang vien 2022» — 2 lần (chưa có số liệu 2)" in report
    assert "2. «Quận 10» — 1 lần" in report
    assert (await fake_bot_api.ask(OFFICIAL, "/chuatraloi")).text == ADMIN_ONLY


async def test_thumbs_down_logs_the_question_and_removes_the_vote_buttons(fake_bot_api,
                                                                          start_bot):
    api = fake_bot_api
    app = await start_bot()
    answer = await api.ask(OFFICIAL, "Q1 thu NS 2023")
    [*_, votes] = answer.params["reply_markup"]["inline_keyboard"]
    assert [b["text"] for b in votes] == ["👍", "👎"]
    api.press_button(OFFICIAL, answer.result, votes[1]["callback_data"])
    [ack] = await api.wait_for("answerCallbackQuery")
    assert "Đã ghi nhận" in ack.params["text"]
    [edit] = await api.wait_for("editMessageReplyMarkup")
    assert edit.error is None
    assert "reply_markup" not in api.sent_message(OFFICIAL["id"], answer.result["message_id"])
    [entry] = await services_of(app).store.unanswered()
    assert (entry.kind, entry.question) == ("thumbs_down", "Q1 thu NS 2023")
    assert "16.728" in entry.answer


async def test_three_hundred_thumbs_down_by_one_user_neither_stall_nor_flush_the_log(
        fake_bot_api, start_bot, settle):
    api = fake_bot_api
    # A burst of 30, and no token back during the test: the count below is exact.
    app = await start_bot(flood_burst=30, flood_max_messages=1, flood_window_seconds=3600)
    await api.ask(ADMIN, "Hoàng Mai số đảng viên 2022")  # someone else's question in the log
    answer = await api.ask(OFFICIAL, "Q1 thu NS 2023")
    thumbs_down = answer.params["reply_markup"]["inline_keyboard"][-1][1]["callback_data"]
    # Each served press takes a while: the presses keep their chat busy for seconds.
    api.slow_down("answerCallbackQuery", 0.15)
    for _ in range(300):
        api.press_button(OFFICIAL, answer.result, thumbs_down)
    api.send_text(ADMIN, "Q1 thu NS 2023")
    await api.wait_until(lambda: len(api.texts_to(ADMIN["id"])) == 2, 15)
    reply = [c for c in api.calls_to("sendMessage") if c.chat_id == ADMIN["id"]][-1]
    assert "16.728" in reply.text
    answered_at = reply.at
    await settle()
    # The other user was answered while the presses still went on in their own lane.
    assert answered_at < api.calls_to("answerCallbackQuery")[-1].at
    log = await services_of(app).store.unanswered()
    mine = [e for e in log if e.kind == "thumbs_down"]
    assert 1 <= len(mine) <= 20  # one user's share of the log, whatever they press
    assert log[0].question == "Hoàng Mai số đảng viên 2022"
    acks = api.calls_to("answerCallbackQuery")
    assert sum("nhanh quá" in c.params.get("text", "") for c in acks) == 1


async def test_thumbs_up_only_thanks(fake_bot_api, start_bot):
    api = fake_bot_api
    app = await start_bot()
    answer = await api.ask(OFFICIAL, "Q1 thu NS 2023")
    votes = answer.params["reply_markup"]["inline_keyboard"][-1]
    api.press_button(OFFICIAL, answer.result, votes[0]["callback_data"])
    [ack] = await api.wait_for("answerCallbackQuery")
    assert ack.params["text"] == "Cảm ơn bạn đã góp ý!"
    assert await services_of(app).store.unanswered() == []


# Hot reload


async def test_capnhat_swaps_in_edited_data_and_announces_new_figures(fake_bot_api, start_bot,
                                                                      kb_dir):
    api = fake_bot_api
    hoang_mai, quan_1 = group_chat(-100_061, "HM"), group_chat(-100_062, "Q1")
    await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    for chat, district in ((hoang_mai, "Hoàng Mai"), (quan_1, "Quận 1")):
        api.make_admin(chat, OFFICIAL)
        await api.ask(OFFICIAL, f"/dangkynhom {district}", chat=chat)
    edit_facts(kb_dir, 'value: "1.539"', 'value: "1.540"')

    report = (await api.ask(ADMIN, "/capnhat")).text
    assert "Đã cập nhật dữ liệu:\n• Quận Hoàng Mai (cũ, TP Hà Nội): sửa 1 mục." in report
    assert "tới 1 cuộc trò chuyện" in report
    await api.wait_until(lambda: any("Số liệu cập nhật" in t for t in api.texts_to(
        hoang_mai["id"])))
    [news] = [t for t in api.texts_to(hoang_mai["id"]) if "Số liệu cập nhật" in t]
    assert "năm 2022: 1.539 giấy phép, đạt 100% → 1.540 giấy phép, đạt 100%" in news
    assert "(nguồn: Phòng Nội vụ quận Hoàng Mai, 25/03/2023, không đổi)" in news
    assert not any("Số liệu cập nhật" in t for t in api.texts_to(quan_1["id"]))
    assert "1.540" in (await api.ask(OFFICIAL, "Hoàng Mai giấy phép xây dựng 2022")).text

    again = (await api.ask(ADMIN, "/capnhat")).text
    assert again == "Đã nạp lại dữ liệu: không có gì thay đổi."


async def test_capnhat_with_broken_data_keeps_the_old_base_and_names_the_line(
        fake_bot_api, start_bot, kb_dir):
    api = fake_bot_api
    await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    edit_facts(kb_dir, 'value: "4.670,8"', 'value: "4670.8.1"')
    report = (await api.ask(ADMIN, "/capnhat")).text
    assert report.startswith("Chưa cập nhật: dữ liệu mới có lỗi, bot vẫn dùng dữ liệu cũ.")
    assert "facts/hoang-mai-2022.yaml:" in report and "4670.8.1" in report
    assert "không phải con số viết kiểu Việt Nam" in report  # in Vietnamese for the admin
    assert "not a figure" not in report
    assert "4.670,8" in (await api.ask(OFFICIAL, "Hoàng Mai thu ngân sách 2022")).text


async def test_capnhat_shows_each_shape_problem_in_vietnamese(fake_bot_api, start_bot, kb_dir):
    await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    edit_facts(kb_dir, "    year: 2022\n", '    year: "2022"\n')
    edit_facts(kb_dir, "metric: thu_ngan_sach\n", "metric: thu_ngan_sachh\n")
    report = (await fake_bot_api.ask(ADMIN, "/capnhat")).text
    assert "'year' phải là số nguyên, không phải chữ '2022'" in report
    assert "không có chỉ số 'thu_ngan_sachh' (có phải 'thu_ngan_sach'?)" in report
    assert "Có lỗi" not in report


async def test_capnhat_reloads_despite_warnings_and_names_them(fake_bot_api, start_bot, kb_dir):
    await start_bot(admin_ids=ADMINS, kb_dir=kb_dir)
    path = kb_dir / "metrics.yaml"
    path.write_text(path.read_text(encoding="utf-8") + "chua_dung:\n  label: chưa dùng\n"
                    "  topic: Ngân sách\n", encoding="utf-8")
    report = (await fake_bot_api.ask(ADMIN, "/capnhat")).text
    assert report.startswith("Đã nạp lại dữ liệu: không có gì thay đổi.")
    assert "Cảnh báo (không chặn cập nhật):" in report
    assert "cảnh báo: chỉ số 'chua_dung' chưa được dữ kiện nào dùng" in report


async def test_capnhat_is_for_bot_admins_only(fake_bot_api, start_bot):
    await start_bot(admin_ids=ADMINS)
    assert (await fake_bot_api.ask(OFFICIAL, "/capnhat")).text == ADMIN_ONLY
