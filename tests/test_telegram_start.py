"""End to end: how people meet the bot: /start, /help, deep links, menus, descriptions, groups."""

import pytest
from fake_bot_api import BOT_USER, ApiError, group_chat, user

from handlers.help import deep_link_question
from handlers.texts import (
    ADMIN_COMMANDS,
    DESCRIPTION,
    EXAMPLE_QUESTIONS,
    GROUP_ADMIN_COMMANDS,
    GROUP_COMMANDS,
    NOT_TEXT,
    PRIVATE_COMMANDS,
    SHORT_DESCRIPTION,
)

LAN = user(1001, "Lan")
ADMIN = user(1500, "Quản trị")
GROUP = group_chat(-100_321, "Tổ công tác")
BOT = f"@{BOT_USER['username']}"


def keyboard(call):
    return [b for row in (call.params.get("reply_markup") or {}).get("inline_keyboard", [])
            for b in row]


def visible_lines(html_text):
    return [line for line in html_text.splitlines() if line.strip()]


@pytest.fixture
async def api(fake_bot_api, start_bot):
    await start_bot(admin_ids=frozenset({ADMIN["id"]}))
    return fake_bot_api


async def test_start_is_short_with_example_buttons_and_a_press_answers(api):
    start = await api.ask(LAN, "/start")
    assert len(visible_lines(start.text)) <= 8
    assert "Hoàng Mai" in start.text and "quận cũ, năm 2020–2023" in start.text
    assert "nguồn" in start.text
    assert "/help" in start.text and "/bieudo" in start.text
    buttons = keyboard(start)
    assert [b["text"] for b in buttons] == list(EXAMPLE_QUESTIONS)
    assert len(buttons) >= 3
    api.press_button(LAN, start.result, buttons[0]["callback_data"])
    _, answered = await api.wait_for("sendMessage", 2)
    assert "4.670,8 tỷ đồng" in answered.text and "Nguồn:" in answered.text
    [ack] = await api.wait_for("answerCallbackQuery")
    assert "text" not in ack.params
    # The start message stays as it was, ready for the next tap.
    assert keyboard(start) == [b for row in api.sent_message(
        LAN["id"], start.result["message_id"])["reply_markup"]["inline_keyboard"] for b in row]


async def test_help_lists_every_command_and_admin_commands_only_for_bot_admins(api):
    for_user = await api.ask(LAN, "/help")
    assert all(f"/{c.command}" in for_user.text for c in PRIVATE_COMMANDS)
    assert "/dangkynhom" in for_user.text
    assert not any(f"/{c.command}" in for_user.text for c in ADMIN_COMMANDS)
    for_admin = await api.ask(ADMIN, "/help")
    assert all(f"/{c.command}" in for_admin.text for c in ADMIN_COMMANDS)


@pytest.mark.parametrize(("payload", "says"), [
    ("hoang-mai-thu-ngan-sach-2022", "4.670,8 tỷ đồng"),
    ("q1_thu_ns_2023", "16.728"),
    ("d008", "Quận Hoàng Mai"),
])
async def test_deep_link_opens_its_question_or_unit(api, payload, says):
    reply = await api.ask(LAN, f"/start {payload}")
    assert says in reply.text
    assert "Nguồn:" in reply.text or keyboard(reply)


async def test_deep_link_to_help_shows_help(api):
    reply = await api.ask(LAN, "/start help")
    assert reply.text.startswith("<b>Hướng dẫn</b>")


def test_deep_link_payloads(knowledge_base):
    assert deep_link_question("", knowledge_base) is None
    assert deep_link_question("help", knowledge_base) is None
    assert deep_link_question("d008", knowledge_base) == "Quận Hoàng Mai TP Hà Nội"
    assert deep_link_question("d999999", knowledge_base) is None
    assert deep_link_question("quan-1__thu-ns", knowledge_base) == "quan 1 thu ns"


async def test_descriptions_and_a_menu_per_kind_of_chat_are_set_at_start(api):
    [description] = api.calls_to("setMyDescription")
    assert description.params["description"] == DESCRIPTION
    [short] = api.calls_to("setMyShortDescription")
    assert short.params["short_description"] == SHORT_DESCRIPTION
    menus = {call.params.get("scope", {}).get("type"): call for call in
             api.calls_to("setMyCommands") if call.error is None}
    assert set(menus) == {"all_private_chats", "all_group_chats", "all_chat_administrators"}

    def commands(scope):
        return [c["command"] for c in menus[scope].params["commands"]]

    assert commands("all_private_chats") == [c.command for c in PRIVATE_COMMANDS]
    assert "dangkynhom" not in commands("all_private_chats")
    assert commands("all_group_chats") == [c.command for c in GROUP_COMMANDS]
    assert not {"theodoi", "dangkynhom"} & set(commands("all_group_chats"))
    assert commands("all_chat_administrators") == [c.command for c in GROUP_ADMIN_COMMANDS]


async def test_admin_menu_is_set_when_the_admin_first_writes(api):
    # The admin had not opened a chat with the bot when it started: Telegram refused the menu.
    [refused] = [c for c in api.calls_to("setMyCommands") if c.error is not None]
    assert refused.params["scope"] == {"type": "chat", "chat_id": ADMIN["id"]}
    await api.ask(LAN, "/start")
    before = len(api.calls_to("setMyCommands"))
    assert before == 4  # nothing for someone who is not a bot admin
    await api.ask(ADMIN, "/start")
    await api.ask(ADMIN, "Q1 thu NS 2023")
    [menu] = api.calls_to("setMyCommands")[before:]  # once, not per message
    assert menu.error is None and menu.params["scope"]["chat_id"] == ADMIN["id"]
    commands = [c["command"] for c in menu.params["commands"]]
    assert commands == [c.command for c in (*PRIVATE_COMMANDS, *ADMIN_COMMANDS)]


async def test_group_start_is_short_and_points_to_the_private_help(api):
    reply = await api.ask(LAN, f"/start@{BOT_USER['username']}", chat=GROUP)
    assert len(visible_lines(reply.text)) <= 4
    assert "/hoi" in reply.text and "/dangkynhom" in reply.text
    buttons = keyboard(reply)
    assert buttons[-1]["url"] == f"https://t.me/{BOT_USER['username']}?start=help"
    assert len([b for b in buttons if "callback_data" in b]) == 3


async def test_bot_added_to_a_group_greets_it(api):
    api.add_bot(GROUP, by=LAN)
    [greeting] = await api.wait_for("sendMessage")
    assert greeting.chat_id == GROUP["id"]
    assert BOT in greeting.text and "/dangkynhom" in greeting.text
    assert keyboard(greeting)


async def test_photo_caption_is_read_as_a_question(api):
    api.send_photo(LAN, caption="Hoàng Mai thu ngân sách 2022?")
    [reply] = await api.wait_for("sendMessage")
    assert "4.670,8 tỷ đồng" in reply.text and "Nguồn:" in reply.text


async def test_document_caption_mentioning_the_bot_in_a_group_is_answered(api, settle):
    api.send_photo(LAN, caption="Q1 thu NS 2023", chat=GROUP, document=True)
    await settle()
    assert api.texts_to(GROUP["id"]) == []  # not addressed to the bot: group chatter
    api.send_photo(LAN, caption=f"{BOT} Q1 thu NS 2023", chat=GROUP, document=True)
    [reply] = await api.wait_for("sendMessage")
    assert reply.chat_id == GROUP["id"] and "16.728" in reply.text


async def test_photo_without_caption_gets_the_short_hint(api):
    api.send_photo(LAN)
    [reply] = await api.wait_for("sendMessage")
    assert reply.text == NOT_TEXT


@pytest.mark.parametrize("data", ["e:", "e:k:00ff00ff00ff00ff00ff00ff", "s:", "s:999999",
                                  "u:", "u:nope", "u:*!x"])
async def test_malformed_prompt_buttons_get_a_polite_notice_and_change_nothing(api, data, settle):
    start = await api.ask(LAN, "/start")
    api.press_button(LAN, start.result, data)
    [ack] = await api.wait_for("answerCallbackQuery")
    assert ack.params.get("text")
    await settle()
    assert api.calls_to("editMessageText") == []
    assert len(api.texts_to(LAN["id"])) == 1


async def test_a_refused_description_or_menu_does_not_stop_the_bot(fake_bot_api, start_bot):
    fake_bot_api.fail_next("setMyDescription", ApiError.bad_request("Bad Request: too long"))
    fake_bot_api.fail_next("setMyCommands", ApiError.too_many_requests(1))
    await start_bot()
    reply = await fake_bot_api.ask(LAN, "Q1 thu NS 2023")
    assert "16.728" in reply.text
