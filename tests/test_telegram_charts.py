"""End to end: /bieudo and the "Xem biểu đồ" button send a PNG chart with its sources."""

import pytest
from fake_bot_api import group_chat, user
from png_bars import PNG_SIGNATURE, bar_boxes

from handlers.texts import CHART_BUTTON, CHART_IN_CHAT_ONLY, STALE_CHART_BUTTON

LAN = user(1001, "Lan")
GROUP = group_chat(-100_777)


@pytest.fixture
async def api(fake_bot_api, start_bot):
    await start_bot()
    return fake_bot_api


def chart_button_of(call):
    markup = call.params.get("reply_markup") or {"inline_keyboard": []}
    return next((b for row in markup["inline_keyboard"] for b in row
                 if b["text"] == CHART_BUTTON), None)


async def test_bieudo_sends_a_png_chart_with_sources_in_the_caption(api):
    api.send_text(LAN, "/bieudo thu ngân sách")
    [photo] = await api.wait_for("sendPhoto", timeout=15)
    assert photo.chat_id == LAN["id"]
    assert photo.params["parse_mode"] == "HTML"
    caption = photo.params["caption"]
    assert "Tổng thu ngân sách" in caption
    assert "Nguồn:" in caption and "25/03/2023" in caption
    assert "4.670,8 tỷ đồng" in caption
    png = photo.files["photo"]
    assert png.startswith(PNG_SIGNATURE)
    assert len(bar_boxes(png)) == 4


async def test_bare_bieudo_offers_the_chartable_metrics_and_a_press_draws_one(api):
    api.send_text(LAN, "/bieudo")
    [offer] = await api.wait_for("sendMessage")
    assert offer.text.startswith("Chọn chỉ số")
    assert "qua các năm" not in offer.text  # no unit has two years of one metric yet
    buttons = {b["text"]: b["callback_data"]
               for row in offer.params["reply_markup"]["inline_keyboard"] for b in row}
    assert set(buttons) == {"Tổng thu ngân sách", "Số chỉ tiêu kinh tế - xã hội hoàn thành",
                            "Tỷ lệ giải ngân vốn đầu tư công", "Huân chương Lao động"}
    assert api.calls_to("sendPhoto") == []
    api.press_button(LAN, offer.result, buttons["Số chỉ tiêu kinh tế - xã hội hoàn thành"])
    [photo] = await api.wait_for("sendPhoto", timeout=15)
    assert "19/19" in photo.params["caption"] and "Nguồn:" in photo.params["caption"]
    boxes = bar_boxes(photo.files["photo"])
    assert len(boxes) == 2 and boxes[0].length > boxes[1].length  # 19/19 before 35/38


async def test_unknown_metric_gets_a_clear_reply_instead_of_a_chart(api):
    api.send_text(LAN, "/bieudo số cây xanh")
    [reply] = await api.wait_for("sendMessage")
    assert "«số cây xanh»" in reply.text
    assert "«tổng thu ngân sách»" in reply.text
    assert api.calls_to("sendPhoto") == []


async def test_bieudo_in_a_group_quotes_the_asker(api):
    asked = api.send_text(LAN, "/bieudo thu ngân sách", chat=GROUP)
    [photo] = await api.wait_for("sendPhoto", timeout=15)
    assert photo.chat_id == GROUP["id"]
    assert photo.params["reply_parameters"]["message_id"] == asked["message_id"]


async def test_ranking_answer_offers_a_chart_and_pressing_it_sends_the_photo(api):
    api.send_text(LAN, "Quận nào thu ngân sách cao nhất?")
    [ranking] = await api.wait_for("sendMessage")
    assert "Xếp hạng" in ranking.text
    button = chart_button_of(ranking)
    assert button is not None
    assert len(button["callback_data"].encode()) <= 64
    api.press_button(LAN, ranking.result, button["callback_data"])
    [photo] = await api.wait_for("sendPhoto", timeout=15)
    [ack] = await api.wait_for("answerCallbackQuery")
    assert "text" not in ack.params
    assert photo.chat_id == LAN["id"]
    assert "Nguồn:" in photo.params["caption"]
    assert len(bar_boxes(photo.files["photo"])) == 4


async def test_comparison_of_two_districts_offers_a_chart(api):
    api.send_text(LAN, "so sánh thu ngân sách Hoàng Mai và Quận 1")
    [reply] = await api.wait_for("sendMessage")
    assert chart_button_of(reply) is not None


async def test_single_figure_answer_offers_no_chart(api):
    api.send_text(LAN, "Hoàng Mai thu ngân sách 2022?")
    [reply] = await api.wait_for("sendMessage")
    assert chart_button_of(reply) is None


@pytest.mark.parametrize("data", ["c:", "c:khong_co_chi_so", "c:   "])
async def test_malformed_chart_button_gets_a_polite_notice(api, data):
    api.send_text(LAN, "Quận nào thu ngân sách cao nhất?")
    [ranking] = await api.wait_for("sendMessage")
    api.press_button(LAN, ranking.result, data)
    [ack] = await api.wait_for("answerCallbackQuery")
    assert ack.params["text"] == STALE_CHART_BUTTON
    assert api.calls_to("sendPhoto") == []


async def test_chart_button_under_an_inline_message_says_where_to_ask(api):
    api.press_button(LAN, None, "c:thu_ngan_sach", inline_message_id="inline-1")
    [ack] = await api.wait_for("answerCallbackQuery")
    assert ack.params["text"] == CHART_IN_CHAT_ONLY
    assert api.calls_to("sendPhoto") == []


async def test_sixty_chart_presses_by_one_user_do_not_hold_up_another(fake_bot_api, start_bot,
                                                                      settle):
    api = fake_bot_api
    await start_bot(flood_burst=10, flood_max_messages=1, flood_window_seconds=3600)
    api.send_text(LAN, "Quận nào thu ngân sách cao nhất?")
    [ranking] = await api.wait_for("sendMessage")
    data = chart_button_of(ranking)["callback_data"]
    api.slow_down("sendPhoto", 0.1)  # Lan's charts take a few seconds to go out
    for _ in range(60):
        api.press_button(LAN, ranking.result, data)
    hung = user(1002, "Hùng")
    api.send_text(hung, "Hoàng Mai thu ngân sách 2022?")
    await api.wait_until(lambda: api.texts_to(hung["id"]), timeout=15)
    answered_at = next(c.at for c in api.calls_to("sendMessage") if c.chat_id == hung["id"])
    await settle()
    photos = api.calls_to("sendPhoto")
    assert answered_at < photos[-1].at  # Hùng did not wait for Lan's charts
    assert len(photos) <= 10  # the rest fell to the flood guard
