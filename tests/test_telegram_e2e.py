"""End to end: the real PTB Application from build_application, over HTTP, against the fake API."""

import logging
import unicodedata

import pytest
from fake_bot_api import BOT_USER, ApiError, group_chat, user

from handlers.texts import (
    ASK_PROMPT,
    FAILURE,
    NOT_TEXT,
    STALE_BUTTON,
    TOO_LONG,
    UNKNOWN_COMMAND,
)

LAN = user(1001, "Lan")
HUNG = user(1002, "Hùng")
GROUP = group_chat(-100_555)
QUESTION = "Hoàng Mai thu ngân sách 2022?"
BOT = f"@{BOT_USER['username']}"


def replies_to(api, chat_id):
    return [c for c in api.calls_to("sendMessage") if c.chat_id == chat_id]


def assert_hoang_mai_budget(text):
    assert "4.670,8 tỷ đồng" in text
    assert "105,29%" in text
    assert "Nguồn:" in text
    assert "25/03/2023" in text


@pytest.fixture
async def api(fake_bot_api, start_bot):
    await start_bot()
    return fake_bot_api


async def test_private_question_gets_the_figure_and_its_source_line(api):
    api.send_text(LAN, QUESTION)
    [reply] = await api.wait_for("sendMessage")
    assert reply.chat_id == LAN["id"]
    assert reply.params["parse_mode"] == "HTML"
    assert_hoang_mai_budget(reply.text)
    assert "<i>Nguồn: " in reply.text


async def test_question_without_diacritics_gets_the_same_answer(api):
    api.send_text(LAN, QUESTION)
    api.send_text(LAN, "hoang mai thu ngan sach 2022")
    first, second = await api.wait_for("sendMessage", 2)
    assert_hoang_mai_budget(second.text)
    assert second.text == first.text


async def test_decomposed_unicode_question_is_understood(api):
    api.send_text(LAN, unicodedata.normalize("NFD", QUESTION))
    [reply] = await api.wait_for("sendMessage")
    assert_hoang_mai_budget(reply.text)


async def test_group_chatter_without_mention_gets_no_reply(api, settle):
    api.send_text(LAN, QUESTION, chat=GROUP)
    await settle()
    assert replies_to(api, GROUP["id"]) == []


async def test_group_question_mentioning_the_bot_is_answered_as_a_reply(api):
    # The emoji before the mention takes two UTF-16 units: offsets must be counted in those.
    asked = api.send_text(LAN, f"👋 {BOT} {QUESTION}", chat=GROUP)
    [reply] = await api.wait_for("sendMessage")
    assert reply.chat_id == GROUP["id"]
    assert reply.params["reply_parameters"]["message_id"] == asked["message_id"]
    assert_hoang_mai_budget(reply.text)


async def test_group_hoi_command_is_answered(api):
    api.send_text(LAN, f"/hoi {QUESTION}", chat=GROUP)
    [reply] = await api.wait_for("sendMessage")
    assert_hoang_mai_budget(reply.text)


async def test_bare_hoi_asks_for_the_question_and_the_reply_is_answered(api):
    api.send_text(LAN, f"/hoi@{BOT_USER['username']}", chat=GROUP)
    [prompt] = await api.wait_for("sendMessage")
    assert prompt.text == ASK_PROMPT
    force = prompt.params["reply_markup"]
    assert force["force_reply"] is True and force["selective"] is True
    assert force["input_field_placeholder"]
    api.send_text(LAN, "hoang mai thu ns 2022", chat=GROUP, reply_to=prompt.result)
    _, answered = await api.wait_for("sendMessage", 2)
    assert_hoang_mai_budget(answered.text)


async def test_group_reply_to_the_bot_is_answered(api):
    api.send_text(LAN, f"/hoi {QUESTION}", chat=GROUP)
    [first] = await api.wait_for("sendMessage")
    api.send_text(HUNG, "Q1 thu NS 2023", chat=GROUP, reply_to=first.result)
    _, second = await api.wait_for("sendMessage", 2)
    assert "16.728" in second.text


async def test_clarify_offers_buttons_and_pressing_one_answers_in_place(api):
    api.send_text(LAN, "Hoàng Mai")
    [clarify] = await api.wait_for("sendMessage")
    buttons = [row[0] for row in clarify.params["reply_markup"]["inline_keyboard"]]
    budget = next(b for b in buttons if "ngân sách" in b["text"])
    api.press_button(LAN, clarify.result, budget["callback_data"])
    [edit] = await api.wait_for("editMessageText")
    assert edit.params["message_id"] == str(clarify.result["message_id"])
    assert_hoang_mai_budget(edit.text)
    [feedback] = edit.params["reply_markup"]["inline_keyboard"]  # only 👍 / 👎 remain
    assert [b["text"] for b in feedback] == ["👍", "👎"]
    [ack] = await api.wait_for("answerCallbackQuery")
    assert "text" not in ack.params


async def test_metric_only_question_asks_which_district(api):
    api.send_text(LAN, "đảng viên")
    [clarify] = await api.wait_for("sendMessage")
    labels = [row[0]["text"] for row in clarify.params["reply_markup"]["inline_keyboard"]]
    assert any("Bình Thạnh" in label for label in labels)


async def test_every_suggestion_button_answers_even_when_too_long_to_carry_itself(api):
    api.send_text(LAN, "Hoàng Mai")
    [clarify] = await api.wait_for("sendMessage")
    buttons = [row[0] for row in clarify.params["reply_markup"]["inline_keyboard"]
               if row[0]["text"] != "👍"]
    assert any(b["callback_data"].startswith("k:") for b in buttons)  # over 64 bytes as text
    for button in buttons:
        api.press_button(LAN, clarify.result, button["callback_data"])
    edits = await api.wait_for("editMessageText", len(buttons))
    assert all("Nguồn:" in edit.text for edit in edits)


async def test_missing_figure_offers_close_topics_as_buttons(api):
    api.send_text(LAN, "Hoàng Mai số đảng viên 2022")
    [reply] = await api.wait_for("sendMessage")
    assert "Chưa có số liệu" in reply.text
    labels = [row[0]["text"] for row in reply.params["reply_markup"]["inline_keyboard"]]
    assert "Quận Hoàng Mai tổng thu ngân sách 2022" in labels


async def test_pressing_the_same_button_twice_stays_quiet(api, settle):
    api.send_text(LAN, "Hoàng Mai")
    [clarify] = await api.wait_for("sendMessage")
    data = clarify.params["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    api.press_button(LAN, clarify.result, data)
    api.press_button(LAN, clarify.result, data)
    await api.wait_for("answerCallbackQuery", 2)
    await settle()
    assert len(replies_to(api, LAN["id"])) == 1


@pytest.mark.parametrize("data", ["garbage", "k:00ff00ff00ff00ff00ff00ff", "q:", "q:   "])
async def test_malformed_or_stale_button_gets_a_polite_notice(api, data, settle):
    api.send_text(LAN, "Hoàng Mai")
    [clarify] = await api.wait_for("sendMessage")
    api.press_button(LAN, clarify.result, data)
    [ack] = await api.wait_for("answerCallbackQuery")
    assert ack.params["text"] == STALE_BUTTON
    await settle()
    assert api.calls_to("editMessageText") == []
    assert len(replies_to(api, LAN["id"])) == 1


async def test_inline_query_offers_the_answer_with_its_source(api):
    api.inline_query(LAN, QUESTION)
    [call] = await api.wait_for("answerInlineQuery")
    [article] = call.params["results"]
    assert article["type"] == "article"
    content = article["input_message_content"]
    assert content["parse_mode"] == "HTML"
    assert_hoang_mai_budget(content["message_text"])


async def test_button_under_an_inline_result_edits_that_message(api):
    api.inline_query(LAN, "Hoàng Mai")
    [call] = await api.wait_for("answerInlineQuery")
    [article] = call.params["results"]
    data = article["reply_markup"]["inline_keyboard"][0][0]["callback_data"]
    api.press_button(HUNG, None, data, inline_message_id="inline-1")
    [edit] = await api.wait_for("editMessageText")
    assert edit.params["inline_message_id"] == "inline-1"
    assert "Nguồn:" in edit.text


async def test_empty_inline_query_shows_how_to_ask(api):
    api.inline_query(LAN, "  ")
    [call] = await api.wait_for("answerInlineQuery")
    assert call.params["results"] == []
    assert call.params["button"]["start_parameter"] == "help"


async def test_sticker_gets_a_short_help_line(api):
    api.send_sticker(LAN)
    [reply] = await api.wait_for("sendMessage")
    assert reply.text == NOT_TEXT


async def test_sticker_in_a_group_gets_no_reply(api, settle):
    api.send_sticker(LAN, chat=GROUP)
    await settle()
    assert replies_to(api, GROUP["id"]) == []


async def test_five_thousand_character_message_is_declined_as_too_long(api):
    api.send_text(LAN, ("Hoàng Mai thu ngân sách " * 250)[:5000])
    [reply] = await api.wait_for("sendMessage")
    assert reply.text == TOO_LONG


async def test_emoji_only_message_gets_guidance_not_an_error(api):
    api.send_text(LAN, "😀🎉")
    [reply] = await api.wait_for("sendMessage")
    assert reply.text != FAILURE
    assert "Hoàng Mai thu ngân sách 2022" in reply.text


async def test_unknown_command_gets_a_short_help_line(api):
    api.send_text(LAN, "/thongke")
    [reply] = await api.wait_for("sendMessage")
    assert reply.text == UNKNOWN_COMMAND


async def test_unknown_command_in_a_group_not_naming_the_bot_is_ignored(api, settle):
    api.send_text(LAN, "/ban", chat=GROUP)
    await settle()
    assert replies_to(api, GROUP["id"]) == []


async def test_failed_reply_is_logged_without_token_and_user_is_told(api, caplog):
    api.fail_next("sendMessage", ApiError.bad_request("Bad Request: can't parse entities"))
    with caplog.at_level(logging.ERROR, logger="handlers.errors"):
        api.send_text(LAN, QUESTION)
        update_id = api.last_update_id
        failed, notice = await api.wait_for("sendMessage", 2)
    assert failed.error is not None
    assert notice.text == FAILURE
    assert f"Update {update_id} failed" in caplog.text
    assert "BadRequest: Can't parse entities" in caplog.text
    assert api.token not in caplog.text

    api.send_text(LAN, QUESTION)
    *_, answered = await api.wait_for("sendMessage", 3)
    assert_hoang_mai_budget(answered.text)


async def test_flooding_user_gets_one_notice_while_others_are_served(fake_bot_api, start_bot,
                                                                     settle):
    await start_bot(flood_max_messages=3, flood_window_seconds=60, flood_burst=3)
    for _ in range(6):
        fake_bot_api.send_text(LAN, QUESTION)
    fake_bot_api.send_text(HUNG, QUESTION)
    await settle()

    to_lan = [c.text for c in replies_to(fake_bot_api, LAN["id"])]
    assert len(to_lan) == 4
    assert all("4.670,8" in text for text in to_lan[:3])
    assert "chờ" in to_lan[3]
    [to_hung] = replies_to(fake_bot_api, HUNG["id"])
    assert "4.670,8" in to_hung.text
